/*
 * reader_wikidoc.c -- WikiExtractor output (plain, or compressed by any
 * codec cstream knows): one document per <doc ...> ... </doc> block.
 *
 * WikiExtractor, the usual tool that turns a Wikipedia dump into plain
 * text, writes files named wiki_00, wiki_01, ... that look like
 *
 *     <doc id="12" url="https://en.wikipedia.org/wiki?curid=12" title="Anarchism">
 *     Anarchism
 *
 *     Anarchism is a political philosophy ...
 *     </doc>
 *
 * Read as plain text, such a file would be one document whose n-grams run
 * across article boundaries, with no way to say which article a hit came
 * from.  Here each block is a document; its `id` and `url` attributes
 * are the provenance (XML entities in them decoded), and its text is
 * every line between the two tag lines, the title line included, handed
 * out as runs of whole lines straight from the look-ahead buffer.
 *
 * Damage: a non-blank line outside any block, a block the file ends
 * inside, and a line longer than max_record are reported and counted.
 * The text of an unclosed block is still delivered (it was read).
 */
#include "reader.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct wikidoc {
	crin in;
	const creader_ctx *cx;
	size_t max_record;
	uint64_t record;      /* blocks started so far */
	uint64_t line_no;     /* 1-based number of the next line */
	cbuf id, url;
	int doc_open;
	int at_end;           /* the input ended (inside or outside a block) */
} wikidoc;

static int pass_damage(wikidoc *w, cerr *err)
{
	char msg[CERR_MSG_MAX];
	uint64_t at = crin_offset(&w->in);
	int n = crin_pass_damage(&w->in, msg, sizeof msg);
	return creader_damage(w->cx, err, (uint64_t)n,
			      "offset %" PRIu64 ": %s, data skipped", at, msg);
}

/* Make the next line (with its newline, if any) readable at in.pos.
 * Returns 1 with *n its length including the newline, 0 at the end of
 * the input, or < 0.  A line longer than max_record is skipped here and
 * reported; damage is passed (and reported) before the line after it. */
static int peek_line(wikidoc *w, size_t *n, cerr *err)
{
	crin *in = &w->in;
	size_t scanned = 0;

	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *nl = memchr(s + scanned, '\n', avail - scanned);
		if (nl && (size_t)(nl - s) < w->max_record) {
			*n = (size_t)(nl - s) + 1;
			return 1;
		}
		if (nl || avail >= w->max_record) {
			int rc = creader_damage(w->cx, err, 1,
						"offset %" PRIu64 ": line %" PRIu64
						" longer than %zu bytes, skipped",
						crin_offset(in), w->line_no,
						w->max_record);
			if (rc < 0)
				return rc;
			w->line_no++;
			/* Drop bytes up to and including the newline. */
			for (;;) {
				avail = crin_avail(in);
				s = in->buf + in->pos;
				nl = memchr(s, '\n', avail);
				if (nl) {
					in->pos += (size_t)(nl - s) + 1;
					break;
				}
				in->pos += avail;
				rc = crin_more(in, 1, err);
				if (rc < 0)
					return rc;
				if (rc == 0)
					return 0;
				if (rc == CRIN_DAMAGE) {
					rc = pass_damage(w, err);
					if (rc < 0)
						return rc;
					break;
				}
			}
			scanned = 0;
			continue;
		}
		scanned = avail;
		int rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			*n = crin_avail(in);
			return *n > 0;
		}
		if (rc == CRIN_DAMAGE) {
			if (crin_avail(in) > 0) {
				/* The line stops at the damage. */
				*n = crin_avail(in);
				return 1;
			}
			rc = pass_damage(w, err);
			if (rc < 0)
				return rc;
			scanned = 0;
		}
	}
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* The line is "</doc>" (trailing blanks allowed). */
static int is_close_tag(const char *s, size_t n)
{
	return n >= 6 && memcmp(s, "</doc>", 6) == 0 && is_blank(s + 6, n - 6);
}

static int is_open_tag(const char *s, size_t n)
{
	return n >= 5 && memcmp(s, "<doc", 4) == 0 &&
	       (s[4] == ' ' || s[4] == '>' || s[4] == '\t');
}

/* Value of attribute `name` in the tag line s[0, n) into out, with the
 * five predefined XML entities decoded; 1 if present. */
static int tag_attr(const char *s, size_t n, const char *name, cbuf *out)
{
	size_t m = strlen(name);
	cbuf_reset(out);
	for (size_t i = 4; i + m + 2 <= n; i++) {
		if (s[i - 1] != ' ' && s[i - 1] != '\t')
			continue;
		if (memcmp(s + i, name, m) != 0 || s[i + m] != '=' ||
		    s[i + m + 1] != '"')
			continue;
		size_t j = i + m + 2;
		while (j < n && s[j] != '"') {
			static const struct { const char *ent; char c; } ents[] = {
				{ "&amp;", '&' }, { "&quot;", '"' }, { "&lt;", '<' },
				{ "&gt;", '>' }, { "&apos;", '\'' }
			};
			char c = s[j];
			size_t step = 1;
			if (c == '&')
				for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++) {
					size_t el = strlen(ents[e].ent);
					if (j + el <= n && memcmp(s + j, ents[e].ent, el) == 0) {
						c = ents[e].c;
						step = el;
						break;
					}
				}
			if (cbuf_putc(out, c))
				return -1;
			j += step;
		}
		return 1;
	}
	return 0;
}

static int wikidoc_read_text(void *state, const char **p, size_t *len,
			     cerr *err);

static int wikidoc_next_doc(void *state, creader_doc *doc, cerr *err)
{
	wikidoc *w = state;
	crin *in = &w->in;
	size_t n;
	int rc;

	/* Skip what is left of an unfinished document. */
	while (w->doc_open) {
		const char *p;
		size_t len;
		rc = wikidoc_read_text(w, &p, &len, err);
		if (rc < 0)
			return rc;
	}
	if (w->at_end)
		return 0;
	for (;;) {
		rc = peek_line(w, &n, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			w->at_end = 1;
			return 0;
		}
		const char *s = in->buf + in->pos;
		uint64_t off = crin_offset(in);
		in->pos += n;
		w->line_no++;
		if (is_open_tag(s, n)) {
			if (tag_attr(s, n, "id", &w->id) < 0 ||
			    tag_attr(s, n, "url", &w->url) < 0)
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			doc->member = NULL;
			doc->record = w->record++;
			doc->offset = off;
			doc->id = w->id.len ? w->id.data : NULL;
			doc->url = w->url.len ? w->url.data : NULL;
			w->doc_open = 1;
			return 1;
		}
		if (!is_blank(s, n)) {
			rc = creader_damage(w->cx, err, 1,
					    "offset %" PRIu64 ": line %" PRIu64
					    ": text outside any <doc> block, "
					    "skipped", off, w->line_no - 1);
			if (rc < 0)
				return rc;
		}
	}
}

/* The next run of whole lines of the open document, up to its </doc>
 * line or the end of what the buffer holds. */
static int wikidoc_read_text(void *state, const char **p, size_t *len,
			     cerr *err)
{
	wikidoc *w = state;
	crin *in = &w->in;
	size_t run = 0, n;
	int rc;

	if (!w->doc_open)
		return 0;
	for (;;) {
		/* Lines already whole in the buffer join the run; the first
		 * line that is not forces a refill, which may move the
		 * buffer, so the run is handed out before that. */
		const char *s = in->buf + in->pos + run;
		size_t avail = crin_avail(in) - run;
		const char *nl = memchr(s, '\n', avail);
		if (run > 0 && (!nl || (size_t)(nl - s) + 1 > w->max_record))
			break;
		if (run > 0) {
			n = (size_t)(nl - s) + 1;
		} else {
			rc = peek_line(w, &n, err);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				w->doc_open = 0;
				w->at_end = 1;
				return creader_damage(w->cx, err, 1,
						      "record %" PRIu64 ": the file "
						      "ends inside a <doc> block "
						      "(no </doc>)", w->record - 1);
			}
			s = in->buf + in->pos;
		}
		if (is_close_tag(s, n)) {
			if (run > 0)
				break;
			in->pos += n;
			w->line_no++;
			w->doc_open = 0;
			return 0;
		}
		run += n;
		w->line_no++;
		if (run >= CREADER_PIECE)
			break;
	}
	*p = in->buf + in->pos;
	*len = run;
	in->pos += run;
	return 1;
}

static uint64_t wikidoc_bytes_in(const void *state)
{
	const wikidoc *w = state;
	return cstream_bytes_in(w->in.s);
}

static void wikidoc_close(void *state)
{
	wikidoc *w = state;
	if (!w)
		return;
	crin_release(&w->in);
	cbuf_release(&w->id);
	cbuf_release(&w->url);
	free(w);
}

static int wikidoc_open(void **state, const char *path, cstream *in,
			const creader_ctx *cx, cerr *err)
{
	wikidoc *w = NULL;
	int rc;

	(void)path;
	*state = NULL;
	w = calloc(1, sizeof *w);
	if (!w) {
		cstream_free(in);
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	w->cx = cx;
	w->max_record = (size_t)cx->opt->max_record;
	w->line_no = 1;
	rc = crin_init(&w->in, in, w->max_record + 1, err);
	if (rc < 0) {
		wikidoc_close(w);
		return rc;
	}
	*state = w;
	return CONTAM_OK;
}

/* No name says it (WikiExtractor writes wiki_00, wiki_01, ...); a
 * <doc id="..."> first, after white space. */
static int wikidoc_by_content(const char *head, size_t n)
{
	size_t i = creader_lead_space(head, n);
	return n - i > 9 && memcmp(head + i, "<doc id=\"", 9) == 0;
}

const creader_ops creader_wikidoc_ops = {
	"wikiextractor", wikidoc_open, wikidoc_next_doc, wikidoc_read_text,
	wikidoc_bytes_in, wikidoc_close, CONTAM_INPUT_WIKIDOC,
	"WikiExtractor <doc> blocks", NULL, wikidoc_by_content
};
