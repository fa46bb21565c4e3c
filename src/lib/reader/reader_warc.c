/*
 * reader_warc.c -- WARC and WET files (WARC/1.0, 1.1 and ClueWeb's 0.18),
 * plain, gzip or zstd, parsed over the decompressed stream.
 *
 * Why not libarchive: its WARC reader drops `conversion` records, which
 * is every document of a Common Crawl WET file.  The format is simple
 * enough to parse directly:
 *
 *     WARC/1.0 CRLF  (Name: value CRLF)*  CRLF  body[Content-Length]  CRLF CRLF
 *
 * Documents are `conversion` and `resource` records, and `response`
 * records whose HTTP payload is text (Content-Type text/... or absent);
 * for those the HTTP status line and headers are stripped.  An HTML
 * payload (text/html, application/xhtml+xml, or no Content-Type and a
 * payload starting "<!doctype html" / "<html") goes through the HTML
 * filter (html_text.c): the document is its visible text, and offsets
 * in it are offsets into that text (windows-1252 when charset= says so,
 * transcoded to UTF-8 by the filter; another charset named by HTTP or
 * <meta>, EUC-JP, Shift_JIS, GBK, ..., transcoded with iconv before it:
 * "other charsets" below).  Everything
 * else (warcinfo, request, metadata, revisit ...) is skipped quietly.
 *
 * The file is untrusted.  The header block must fit in max_record bytes;
 * Content-Length must be a plain decimal number, and a record with two
 * Content-Length headers that disagree is damaged (skipped, counted):
 * taking either one would let a crafted record hide text from one of
 * its readers.  cwarc_next() is the one record walker (header parser,
 * header bound, Content-Length, resync, look-ahead): the purified copy
 * (src/lib/scan/purify_warc.c) walks records with it too.  Bodies are never held
 * whole: they are handed out in pieces straight from the look-ahead
 * buffer.  Damage -- a record running past the end of the file, a record
 * not followed by "WARC/", a gzip member or zstd frame the stream had to
 * skip -- is reported once with its offset in the decompressed stream and
 * counted; the parser then resynchronizes on the next "WARC/1." or
 * "WARC/0." at the start of a line (right after a skipped gzip member,
 * which in Common Crawl files is exactly a record boundary, it looks
 * there first).
 */
#include "reader.h"
#include "http_body.h"
#include "../common/sniff.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A charset label as the page gave it (trimmed), for transcoding. */
#define CHARSET_LABEL_MAX 40
typedef struct charset_label {
	char s[CHARSET_LABEL_MAX];
} charset_label;

typedef struct warc {
	cwarc cw;               /* the record walker (crin inside) */
	crin *in;               /* &cw.in */
	const creader_ctx *cx;
	size_t max_header;
	uint64_t rec_offset;    /* offset of the current record */
	uint64_t rec_index;     /* index of the current record */
	int doc_open;           /* the current document's text is flowing */
	cbuf url, id;
	int html;               /* the document is an HTML payload */
	chtml ht;               /* its filter, and its output */
	cbuf hout;
	/* records read, and those that were not documents by their type,
	 * to say why a file gave none (a WAT file is all metadata) */
	uint64_t records, docs, metadata, requests, warcinfo, not_text, other;
	int noted;
	/* HTML in another charset than UTF-8 and windows-1252 (EUC-JP,
	 * Shift_JIS, GBK, ...): transcoded to UTF-8 with iconv before the
	 * HTML filter; `cd` is kept open for the next record of the same
	 * label.  pend holds a character cut by the end of a piece. */
	charset_label label;    /* the current record's, if it named one */
	int charset;            /* 0 none, 1 windows-1252, 2 another */
	int transcode;          /* the current document goes through cd */
	iconv_t cd;             /* (iconv_t)-1: none open */
	char cd_label[CHARSET_LABEL_MAX];
	char pend[16];
	size_t npend;
	cbuf tout, tin;
	uint64_t not_transcoded, label_wrong;
	uint64_t replaced;      /* bytes invalid in their page's charset */
	uint64_t replaced_records;
	int replaced_here;      /* the current record has some */
	char first_unknown[CHARSET_LABEL_MAX];
	char first_wrong[CHARSET_LABEL_MAX];
	/* the current response's HTTP framing and coding (http_body.h):
	 * NULL when its body is the page as it stands */
	chttp_body *body;
	int body_in_done;       /* its raw bytes are all put in */
	int chunked;            /* Transfer-Encoding: chunked */
	chttp_coding coding;    /* Content-Encoding */
	char coding_name[CHARSET_LABEL_MAX];
	uint64_t decoded;       /* responses decoded (coding or chunks) */
	uint64_t not_decoded;   /* skipped: a Content-Encoding not undone */
	char first_not_decoded[CHARSET_LABEL_MAX];
	uint64_t decode_failed; /* damaged coded bodies, read to the damage */
	uint64_t coded_plain;   /* declared coded, were not: read as they stand */
	char first_decode_error[CERR_MSG_MAX];
	char first_not_text[CHARSET_LABEL_MAX];
} warc;

/* Does the line [p, p+n) start with header `name` (case-insensitive)?
 * Then point *v, *vn at its trimmed value. */
int cwarc_header_is(const char *p, size_t n, const char *name,
		     const char **v, size_t *vn)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(p, name, k) != 0 || p[k] != ':')
		return 0;
	const char *a = p + k + 1, *b = p + n;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
		b--;
	*v = a;
	*vn = (size_t)(b - a);
	return 1;
}

static int parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

void cwarc_parse_header(const char *p, size_t n, cwarc_header *h)
{
	const char *end = p + n;
	int first = 1;

	memset(h, 0, sizeof *h);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *v;
		size_t vn;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (first) {
			first = 0; /* "WARC/1.0": checked by the caller */
		} else if (cwarc_header_is(p, len, "WARC-Type", &v, &vn)) {
			h->type = v;
			h->type_len = vn;
		} else if (cwarc_header_is(p, len, "Content-Length", &v, &vn)) {
			/* a second Content-Length must agree with the first,
			 * or nobody knows where the record ends: damaged */
			uint64_t x = 0;
			int bad = parse_length(v, vn, &x) < 0;
			if (h->has_length && !h->bad_length && !bad && x != h->length)
				h->conflicting_length = 1;
			h->bad_length |= bad || h->conflicting_length;
			if (!h->has_length)
				h->length = x;
			h->has_length = 1;
		} else if (cwarc_header_is(p, len, "WARC-Target-URI", &v, &vn)) {
			/* WARC 1.1 drafts wrote it in angle brackets. */
			if (vn >= 2 && v[0] == '<' && v[vn - 1] == '>') {
				v++;
				vn -= 2;
			}
			h->url = v;
			h->url_len = vn;
		} else if (cwarc_header_is(p, len, "WARC-Record-ID", &v, &vn)) {
			h->id = v;
			h->id_len = vn;
		} else if (cwarc_header_is(p, len, "Content-Type", &v, &vn)) {
			h->ctype = v;
			h->ctype_len = vn;
		}
		p = nl ? nl + 1 : end;
	}
}

int cwarc_header_end(const char *s, size_t n, size_t *line, size_t *len)
{
	while (*line < n) {
		const char *nl = memchr(s + *line, '\n', n - *line);
		if (!nl)
			break;
		size_t k = (size_t)(nl - s);
		size_t llen = k - *line;
		if (*line > 0 && (llen == 0 || (llen == 1 && s[*line] == '\r'))) {
			*len = k + 1;
			return 1;
		}
		*line = k + 1;
	}
	return 0;
}

size_t cwarc_max_header(uint64_t max_record)
{
	if (max_record == 0)
		max_record = CREADER_DEFAULT_MAX_RECORD;
	if (max_record > (1u << 30))
		return 1u << 30;
	return max_record < 1024 ? 1024 : (size_t)max_record;
}

/* ---- the record walker ---------------------------------------------- */

int cwarc_init(cwarc *w, cstream *s, const creader_ctx *cx, size_t hold,
	       cerr *err)
{
	memset(w, 0, sizeof *w);
	w->cx = cx;
	w->max_header = cwarc_max_header(cx->opt->max_record);
	return crin_init(&w->in, s, w->max_header + 2 + hold, err);
}

void cwarc_release(cwarc *w)
{
	crin_release(&w->in);
}

/* A skipped piece [p, p+n) of the decompressed stream, for the caller. */
static int skipped(cwarc *w, cwarc_item *it, const char *p, size_t n,
		   uint64_t at, int why)
{
	it->kind = CWARC_SKIP;
	it->p = p;
	it->n = n;
	it->offset = at;
	it->cont = w->skip_cont;
	it->why = w->skip_cont ? w->skip_why : why;
	w->skip_cont = 1;
	w->skip_why = it->why;
	return 1;
}

/* Step over a damaged region of the stream; the readable bytes before
 * it go too (handed to the caller first when there are any). */
static int pass_damage(cwarc *w, const char *doing, cerr *err)
{
	char msg[CERR_MSG_MAX];
	uint64_t at = crin_offset(&w->in);
	int n = crin_pass_damage(&w->in, msg, sizeof msg);
	w->skip_cont = 0;
	return creader_damage(w->cx, err, (uint64_t)n,
			      "offset %" PRIu64 ": %s%s, data skipped", at,
			      msg, doing);
}

/* One step of the resynchronization: scan for "WARC/1." or "WARC/0." at
 * the start of a line (w->line_start: the current position counts as
 * one).  1 with a skipped piece in *it; 2 positioned at the 'W' (resync
 * done); 0 at the end of the input; < 0 on a fatal error. */
static int resync_step(cwarc *w, cwarc_item *it, cerr *err)
{
	crin *in = &w->in;

	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		uint64_t at = crin_offset(in);
		size_t i = 0, keep_from = avail;

		while (i < avail) {
			const char *h = memmem(s + i, avail - i, "WARC/", 5);
			if (!h)
				break;
			size_t k = (size_t)(h - s);
			if (avail - k < 7) {
				keep_from = k;
				break;
			}
			int ls = k == 0 ? w->line_start : s[k - 1] == '\n';
			if (ls && (h[5] == '1' || h[5] == '0') && h[6] == '.') {
				in->pos += k;
				w->resync = 0;
				if (k > 0)
					skipped(w, it, s, k, at, 0);
				w->skip_cont = 0; /* a new episode from here */
				return k > 0 ? 1 : 2;
			}
			i = k + 1;
		}
		/* Consume what cannot start a match; keep a possible
		 * partial "WARC/" at the end. */
		size_t c = avail > 6 ? avail - 6 : 0;
		if (keep_from < c)
			c = keep_from;
		if (c > 0) {
			w->line_start = s[c - 1] == '\n';
			in->pos += c;
			return skipped(w, it, s, c, at, 0);
		}
		int rc = crin_more(in, crin_avail(in) + 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			s = in->buf + in->pos;
			at = crin_offset(in);
			size_t rest = crin_limit(in) - in->pos;
			in->pos = crin_limit(in);
			w->resync = 0;
			w->at_end = 1;
			if (rest)
				return skipped(w, it, s, rest, at, 0);
			return 0;
		}
		if (rc == CRIN_DAMAGE) {
			/* the bytes kept before the damage go too */
			size_t k = crin_avail(in);
			if (k) {
				s = in->buf + in->pos;
				at = crin_offset(in);
				in->pos += k;
				return skipped(w, it, s, k, at, 0);
			}
			rc = pass_damage(w, " while looking for the next record",
					 err);
			if (rc < 0)
				return rc;
			w->line_start = 1;
		}
	}
}

static void start_resync(cwarc *w, int here)
{
	w->resync = 1;
	w->line_start = here;
}

/* Read the header block at the current position (which holds "WARC/").
 * Returns 1 with the block at buf[pos .. pos + *len), 0 at the end of the
 * input (*rest bytes skipped), 2 when it was damaged (reported; resync
 * set; *rest bytes at pos are skipped, not consumed yet). */
static int read_header_block(cwarc *w, size_t *len, size_t *rest, cerr *err)
{
	crin *in = &w->in;
	size_t line = 0; /* start of the line being scanned, from pos */
	int rc;

	*rest = 0;
	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		size_t scan = avail < w->max_header ? avail : w->max_header;
		if (cwarc_header_end(s, scan, &line, len))
			return 1;
		if (avail >= w->max_header) {
			rc = creader_damage(w->cx, err, 1,
					    "offset %" PRIu64 ": WARC header longer "
					    "than %zu bytes", crin_offset(in),
					    w->max_header);
			if (rc < 0)
				return rc;
			*rest = 1;
			start_resync(w, 0);
			return 2;
		}
		rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			rc = creader_damage(w->cx, err, 1,
					    "offset %" PRIu64 ": truncated WARC "
					    "header at the end of the input",
					    crin_offset(in));
			if (rc < 0)
				return rc;
			*rest = crin_limit(in) - in->pos;
			return 0;
		}
		if (rc == CRIN_DAMAGE) {
			*rest = crin_limit(in) - in->pos;
			start_resync(w, 1);
			return 3; /* the bytes, then the damage */
		}
	}
}

/* Body ran out (end of input or damage) before Content-Length bytes. */
static int body_cut(cwarc *w, int rc, cerr *err)
{
	uint64_t unread = w->body_left;
	w->in_body = 0;
	w->body_left = 0;
	w->body_short = 1;
	if (rc == CRIN_DAMAGE) {
		/* a document's text so far was read: the record counts as
		 * a document and as damage, and the message says both */
		char doing[256];
		snprintf(doing, sizeof doing, " inside WARC record %" PRIu64
			 " (at offset %" PRIu64 "), whose last %" PRIu64 " body "
			 "bytes are lost%s", w->rec_index, w->rec_offset, unread,
			 w->draining || w->body_skip ? " (a record not read as a document)"
			 : ": what came before them was read");
		start_resync(w, 1);
		return pass_damage(w, doing, err);
	}
	start_resync(w, 0);
	return creader_damage(w->cx, err, 1,
			      "offset %" PRIu64 ": record %" PRIu64
			      " runs past the end of the input (Content-Length "
			      "too large or file truncated)", w->rec_offset,
			      w->rec_index);
}

int cwarc_body(cwarc *w, const char **p, size_t *n, size_t max, cerr *err)
{
	crin *in = &w->in;

	if (!w->in_body)
		return 0;
	if (w->body_left == 0) {
		w->in_body = 0;
		return 0;
	}
	if (crin_avail(in) == 0) {
		int rc = crin_more(in, 1, err);
		if (rc < 0)
			return rc;
		if (rc != 1) {
			rc = body_cut(w, rc, err);
			return rc < 0 ? rc : 0;
		}
	}
	size_t k = crin_avail(in);
	if ((uint64_t)k > w->body_left)
		k = (size_t)w->body_left;
	if (k > max)
		k = max;
	*p = in->buf + in->pos;
	*n = k;
	in->pos += k;
	w->body_left -= k;
	return 1;
}

void cwarc_enter_body(cwarc *w, const cwarc_item *it)
{
	w->in.pos += it->hlen;
	w->body_left = it->h.length;
	w->in_body = 1;
	w->body_short = 0;
}

int cwarc_next(cwarc *w, cwarc_item *it, cerr *err)
{
	crin *in = &w->in;
	int rc;

	memset(it, 0, sizeof *it);
	for (;;) {
		if (w->in_body) {
			/* the body not taken by the caller, or a skipped
			 * record's (missing WARC-Type): passed over */
			const char *p;
			size_t n;
			uint64_t at = crin_offset(in);
			w->draining = 1;
			rc = cwarc_body(w, &p, &n, (size_t)-1, err);
			w->draining = 0;
			if (rc < 0)
				return rc;
			if (rc == 1 && w->body_skip)
				return skipped(w, it, p, n, at, 0);
			if (rc == 1)
				continue;
			w->body_skip = 0;
			if (!w->resync)
				w->skip_cont = 0;
		}
		if (w->at_end)
			return 0;
		if (w->resync) {
			rc = resync_step(w, it, err);
			if (rc != 2)
				return rc;
		} else {
			/* the CR/LF between records */
			size_t nl = 0;
			w->skip_cont = 0;
			while (nl < crin_avail(in) &&
			       (in->buf[in->pos + nl] == '\r' || in->buf[in->pos + nl] == '\n'))
				nl++;
			if (nl) {
				it->kind = CWARC_GAP;
				it->p = in->buf + in->pos;
				it->n = nl;
				it->offset = crin_offset(in);
				in->pos += nl;
				return 1;
			}
			if (crin_avail(in) == 0) {
				rc = crin_more(in, 1, err);
				if (rc < 0)
					return rc;
				if (rc == 0)
					return 0;
				if (rc == CRIN_DAMAGE) {
					rc = pass_damage(w, " between records", err);
					if (rc < 0)
						return rc;
					start_resync(w, 1);
				}
				continue;
			}
			rc = 1;
			while (crin_avail(in) < 7 && rc == 1) {
				rc = crin_more(in, 7, err);
				if (rc < 0)
					return rc;
			}
			if (rc == CRIN_DAMAGE && crin_avail(in) < 7) {
				const char *s = in->buf + in->pos;
				size_t k = crin_avail(in);
				uint64_t at = crin_offset(in);
				rc = pass_damage(w, " between records", err);
				if (rc < 0)
					return rc;
				start_resync(w, 1);
				if (k)
					return skipped(w, it, s, k, at, CWARC_WHY_DAMAGE);
				continue;
			}
			if (crin_avail(in) < 5 ||
			    memcmp(in->buf + in->pos, "WARC/", 5) != 0) {
				rc = creader_damage(w->cx, err, 1,
						    "offset %" PRIu64 ": expected "
						    "'WARC/' at the start of a "
						    "record", crin_offset(in));
				if (rc < 0)
					return rc;
				uint64_t at = crin_offset(in);
				const char *s = in->buf + in->pos;
				in->pos++;
				start_resync(w, 0);
				return skipped(w, it, s, 1, at, CWARC_WHY_NOT_RECORD);
			}
		}

		size_t hlen, rest;
		w->rec_offset = crin_offset(in);
		rc = read_header_block(w, &hlen, &rest, err);
		if (rc < 0)
			return rc;
		/* after read_header_block: reading more moves the buffer */
		const char *s = in->buf + in->pos;
		if (rc == 0) {
			in->pos += rest;
			w->at_end = 1;
			if (rest)
				return skipped(w, it, s, rest, w->rec_offset,
					       CWARC_WHY_HEADER);
			return 0;
		}
		if (rc == 2) {
			in->pos += rest;
			return skipped(w, it, s, rest, w->rec_offset, CWARC_WHY_HEADER);
		}
		if (rc == 3) {
			/* damage in the header: the bytes before it, then it */
			rc = pass_damage(w, " in a WARC header", err);
			if (rc < 0)
				return rc;
			start_resync(w, 1);
			if (rest)
				return skipped(w, it, s, rest, w->rec_offset,
					       CWARC_WHY_HEADER);
			continue;
		}
		cwarc_header *h = &it->h;
		cwarc_parse_header(s, hlen, h);
		w->rec_index = w->record++;
		it->offset = w->rec_offset;
		it->index = w->rec_index;
		it->hlen = hlen;
		it->p = s;
		if (!h->has_length || h->bad_length) {
			rc = creader_damage(w->cx, err, 1,
					    "offset %" PRIu64 ": record %" PRIu64
					    ": %s Content-Length", w->rec_offset,
					    w->rec_index,
					    !h->has_length ? "missing" :
					    h->conflicting_length ? "two different" : "bad");
			if (rc < 0)
				return rc;
			in->pos++;
			start_resync(w, 0);
			return skipped(w, it, s, 1, w->rec_offset,
				       !h->has_length ? CWARC_WHY_NO_LENGTH :
				       h->conflicting_length ? CWARC_WHY_TWO_LENGTHS :
				       CWARC_WHY_BAD_LENGTH);
		}
		if (!h->type) {
			rc = creader_damage(w->cx, err, 1,
					    "offset %" PRIu64 ": record %" PRIu64
					    ": missing WARC-Type, skipped",
					    w->rec_offset, w->rec_index);
			if (rc < 0)
				return rc;
			cwarc_enter_body(w, it);
			w->body_skip = 1;
			w->skip_cont = 0;
			return skipped(w, it, s, hlen, w->rec_offset, CWARC_WHY_NO_TYPE);
		}
		it->kind = CWARC_RECORD;
		return 1;
	}
}

/* Is this HTTP Content-Type value text?  Absent counts as text. */
static int http_type_is_text(const char *v, size_t n)
{
	size_t t = 0;
	while (t < n && v[t] != ';' && v[t] != ' ' && v[t] != '\t')
		t++;
	/* JSON and XML are text a page's words can be in (APIs, feeds) */
	return n == 0 || (n >= 5 && strncasecmp(v, "text/", 5) == 0) ||
	       (t >= 4 && (strncasecmp(v + t - 4, "json", 4) == 0 ||
			   strncasecmp(v + t - 3, "xml", 3) == 0)) ||
	       (t >= 16 && strncasecmp(v, "application/", 12) == 0 &&
		strncasecmp(v + t - 10, "javascript", 10) == 0);
}

static int word_is(const char *v, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(v, w, n) == 0;
}

static void keep_label(charset_label *l, const char *c, size_t k)
{
	if (!l)
		return;
	if (k >= sizeof l->s)
		k = 0; /* no real label is this long: none */
	memcpy(l->s, c, k);
	l->s[k] = '\0';
}

/* Is the charset label c[0..k) windows-1252 or one browsers read as it? */
static int label_is_cp1252(const char *c, size_t k)
{
	static const char *const l1[] = {
		"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1",
		"windows-1252", "cp1252", "x-cp1252", "us-ascii", "ascii"
	};
	for (size_t j = 0; j < sizeof l1 / sizeof l1[0]; j++)
		if (word_is(c, k, l1[j]))
			return 1;
	return 0;
}

/* The media type of a Content-Type value (before ';', trimmed) is HTML:
 * 1; and *charset is 1 when its charset= parameter names windows-1252
 * or one of the labels browsers read as it, 2 another charset, 0 none. */
static int http_type_is_html(const char *v, size_t n)
{
	size_t t = 0;
	while (t < n && v[t] != ';' && v[t] != ' ' && v[t] != '\t')
		t++;
	/* XML (feeds, sitemaps, SVG) too: the filter keeps its text and
	 * drops its tags, as it does a page's */
	return word_is(v, t, "text/html") || word_is(v, t, "application/xhtml+xml") ||
	       (t >= 3 && strncasecmp(v + t - 3, "xml", 3) == 0);
}

/* The charset= parameter of a Content-Type value: *charset 1 when it
 * names windows-1252 or a label browsers read as it, 2 another one (kept
 * in *label), 0 none. */
static void http_type_charset(const char *v, size_t n, int *charset,
			      charset_label *label)
{
	size_t t = 0;
	*charset = 0;
	while (t < n && v[t] != ';')
		t++;
	for (size_t i = t; i + 8 <= n; i++) {
		if (strncasecmp(v + i, "charset=", 8) != 0)
			continue;
		const char *c = v + i + 8;
		size_t k = 0, m = n - i - 8;
		if (m > 0 && (*c == '"' || *c == '\'')) {
			c++;
			m--;
		}
		while (k < m && c[k] != ';' && c[k] != ' ' && c[k] != '"' &&
		       c[k] != '\'' && c[k] != '\t')
			k++;
		*charset = label_is_cp1252(c, k) ? 1 : 2;
		keep_label(label, c, k);
		break;
	}
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The charset of the first <meta ... charset=LABEL> in s[0..n) (the
 * payload's first HTML_PRESCAN bytes): 1 windows-1252 (or a label read
 * as it), 2 another one, 0 none. */
#define HTML_PRESCAN 1024
static int meta_charset(const char *s, size_t n, charset_label *label)
{
	for (size_t i = 0; i + 5 <= n; i++) {
		if (s[i] != '<' || strncasecmp(s + i + 1, "meta", 4) != 0)
			continue;
		const char *gt = memchr(s + i, '>', n - i);
		size_t end = gt ? (size_t)(gt - s) : n;
		for (size_t j = i + 5; j + 7 <= end; j++) {
			if (strncasecmp(s + j, "charset", 7) != 0)
				continue;
			size_t q = j + 7;
			while (q < end && is_ws(s[q]))
				q++;
			if (q >= end || s[q] != '=')
				continue;
			q++;
			while (q < end && is_ws(s[q]))
				q++;
			if (q < end && (s[q] == '"' || s[q] == '\''))
				q++;
			size_t k = 0;
			while (q + k < end && s[q + k] != '"' && s[q + k] != '\'' &&
			       !is_ws(s[q + k]) && s[q + k] != ';' && s[q + k] != '/')
				k++;
			keep_label(label, s + q, k);
			return label_is_cp1252(s + q, k) ? 1 : 2;
		}
	}
	return 0;
}

/* A payload without a Content-Type is HTML when it starts (after an
 * optional UTF-8 BOM and white space) with "<!doctype html" or "<html"
 * (ASCII case-insensitive); s[0..n) is its start, n >= 64 or all of it. */
static int payload_is_html(const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return (n - i >= 14 && strncasecmp(s + i, "<!doctype html", 14) == 0) ||
	       (n - i >= 5 && strncasecmp(s + i, "<html", 5) == 0);
}

/* At the payload's start: without a Content-Type (sniff), is it HTML;
 * for HTML without a charset from HTTP, does a <meta> say windows-1252? */
/* The payload's first `most` bytes (or all of a shorter body, or what
 * the input has before its end or damage) in the look-ahead, at
 * in->buf + in->pos: their count in *n. */
static int peek_payload(warc *w, size_t most, size_t *n, cerr *err)
{
	crin *in = w->in;
	size_t want = w->cw.body_left < most ? (size_t)w->cw.body_left : most;
	int rc = 1;
	while (crin_avail(in) < want && rc == 1)
		if ((rc = crin_more(in, want, err)) < 0)
			return rc;
	*n = crin_avail(in) < want ? crin_avail(in) : want;
	return CONTAM_OK;
}

static int sniff_html(warc *w, int sniff, int *is_html, int *charset,
		      cerr *err)
{
	crin *in = w->in;
	size_t n;
	int rc = peek_payload(w, HTML_PRESCAN, &n, err);
	if (rc < 0)
		return rc;
	if (sniff)
		*is_html = payload_is_html(in->buf + in->pos, n < 64 ? n : 64);
	if (*is_html && *charset == 0)
		*charset = meta_charset(in->buf + in->pos, n, &w->label);
	/* a <meta> read as ASCII cannot be in UTF-16 or UTF-32: HTML reads
	 * such a label as UTF-8 */
	if (*charset == 2 && (!strncasecmp(w->label.s, "utf-16", 6) ||
			      !strncasecmp(w->label.s, "utf-32", 6) ||
			      !strcasecmp(w->label.s, "unicode")))
		*charset = 0;
	return CONTAM_OK;
}

/* At the start of a response body: strip the HTTP header block if there
 * is one and tell whether the payload is text.  When the header does
 * not fit (or the body is cut), the record is not a document; the body
 * skipper then meets and reports any damage. */
static int strip_http(warc *w, int *is_text, int *is_html, cerr *err)
{
	crin *in = w->in;
	uint64_t lim64 = w->cw.body_left < w->max_header ? w->cw.body_left
						      : w->max_header;
	size_t lim = (size_t)lim64;
	size_t line = 0;

	*is_text = 0;
	*is_html = 0;
	for (;;) {
		size_t avail = crin_avail(in);
		if (avail > lim)
			avail = lim;
		const char *s = in->buf + in->pos;
		if (avail >= 5 && memcmp(s, "HTTP/", 5) != 0)
			return CONTAM_OK; /* not an HTTP response */
		while (line < avail) {
			const char *nl = memchr(s + line, '\n', avail - line);
			if (!nl)
				break;
			size_t k = (size_t)(nl - s);
			size_t llen = k - line;
			if (line > 0 && (llen == 0 || (llen == 1 && s[line] == '\r'))) {
				/* Header block is s[0 .. k]. */
				const char *p = s, *end = s + k;
				const char *v = NULL, *hv;
				size_t vn = 0, hn;
				w->chunked = 0;
				w->coding = CHTTP_IDENTITY;
				while (p < end) {
					const char *e = memchr(p, '\n', (size_t)(end - p));
					size_t ln = e ? (size_t)(e - p) : (size_t)(end - p);
					if (!v && cwarc_header_is(p, ln, "Content-Type", &hv, &hn)) {
						v = hv;
						vn = hn;
					} else if (cwarc_header_is(p, ln, "Transfer-Encoding", &hv, &hn)) {
						w->chunked = chttp_is_chunked(hv, hn);
					} else if (cwarc_header_is(p, ln, "Content-Encoding", &hv, &hn)) {
						w->coding = chttp_coding_of(hv, hn);
						size_t c = hn < sizeof w->coding_name - 1 ? hn
							   : sizeof w->coding_name - 1;
						memcpy(w->coding_name, hv, c);
						w->coding_name[c] = '\0';
					}
					p = e ? e + 1 : end;
				}

				int charset = 0;
				*is_text = http_type_is_text(v, v ? vn : 0);
				if (v) {
					*is_html = http_type_is_html(v, vn);
					http_type_charset(v, vn, &charset, &w->label);
				}
				*is_text |= *is_html;
				if (!*is_text && !w->first_not_text[0]) {
					size_t t = 0;
					while (t < vn && v[t] != ';' && t < sizeof w->first_not_text - 1)
						t++;
					memcpy(w->first_not_text, v, t);
					w->first_not_text[t] = '\0';
				}
				in->pos += k + 1;
				w->cw.body_left -= k + 1;
				/* a coded or chunked body cannot be sniffed */
				if (w->coding != CHTTP_IDENTITY || w->chunked) {
					w->charset = charset;
					return CONTAM_OK;
				}
				if (!v || (*is_html && charset == 0)) {
					int rc = sniff_html(w, !v, is_html, &charset, err);
					if (rc < 0)
						return rc;
				}
				w->charset = charset;
				return CONTAM_OK;
			}
			line = k + 1;
		}
		if (avail >= lim)
			return CONTAM_OK; /* header does not end in time */
		int rc = crin_more(in, lim, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return CONTAM_OK; /* end or damage: skipper reports */
	}
}

static int set_str(cbuf *b, const char *p, size_t n, cerr *err)
{
	cbuf_reset(b);
	if (!p)
		return CONTAM_OK;
	if (cbuf_append(b, p, n) < 0 || cbuf_reserve(b, 0) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

/* ---- other charsets ----------------------------------------------------
 *
 * A page whose HTTP Content-Type or <meta> names a charset other than
 * UTF-8 and windows-1252 (which the HTML filter reads itself) is
 * transcoded to UTF-8 with the C library's iconv before the filter, so
 * that a Japanese page in EUC-JP reads as its Japanese words, not as
 * bytes that are not UTF-8 (each a separator: found clean).  The label
 * is mapped as browsers map it (gb2312 is read as GBK, shift_jis as
 * windows-31j, euc-kr as windows-949: the supersets pages actually use);
 * a label iconv does not know leaves the page as bytes, counted and said
 * per file.  Bytes that are invalid in the charset become U+FFFD. */

/* The iconv name for a page's charset label; NULL for UTF-8 (nothing
 * to do). */
static const char *iconv_name(const char *label)
{
	static const struct { const char *label, *name; } map[] = {
		{ "utf-8", NULL }, { "utf8", NULL }, { "unicode-1-1-utf-8", NULL },
		{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
		{ "gb18030", "GB18030" }, { "chinese", "GB18030" },
		{ "shift_jis", "CP932" }, { "shift-jis", "CP932" }, { "sjis", "CP932" },
		{ "x-sjis", "CP932" }, { "windows-31j", "CP932" }, { "ms_kanji", "CP932" },
		{ "euc-kr", "CP949" }, { "ks_c_5601-1987", "CP949" }, { "korean", "CP949" },
		{ "big5", "BIG5-HKSCS" }, { "big5-hkscs", "BIG5-HKSCS" }, { "x-x-big5", "BIG5-HKSCS" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(label, map[i].label) == 0)
			return map[i].name;
	return label;
}

/* At the start of a document: transcode it when its charset says (the
 * HTML filter reads windows-1252 itself; plain text in it goes through
 * iconv as the others). */
static void begin_transcode(warc *w, int is_html)
{
	w->transcode = 0;
	w->npend = 0;
	w->replaced_here = 0;
	if (w->charset == 0 || (w->charset == 1 && is_html))
		return;
	const char *name = w->charset == 1 ? "CP1252" : iconv_name(w->label.s);
	if (!name || !name[0])
		return;
	if (w->cd != (iconv_t)-1 && strcasecmp(w->cd_label, name) != 0) {
		iconv_close(w->cd);
		w->cd = (iconv_t)-1;
	}
	if (w->cd == (iconv_t)-1) {
		w->cd = iconv_open("UTF-8", name);
		if (w->cd == (iconv_t)-1) {
			if (!w->not_transcoded++)
				snprintf(w->first_unknown, sizeof w->first_unknown, "%s",
					 w->label.s);
			return;
		}
		snprintf(w->cd_label, sizeof w->cd_label, "%s", name);
	} else {
		iconv(w->cd, NULL, NULL, NULL, NULL); /* the initial state */
	}
	w->transcode = 1;
}

/* A page labelled with a legacy charset whose bytes are UTF-8 (a site
 * moved to UTF-8 and kept its old header or <meta>): read as UTF-8, as
 * what its bytes say, not through the label into mojibake.  Looks at the
 * first 64 KiB of the payload (or all of a shorter one). */
static int label_is_wrong(warc *w, cerr *err)
{
	crin *in = w->in;
	size_t n;
	int rc = peek_payload(w, 65536, &n, err);
	if (rc < 0)
		return rc;
	if (!csniff_is_utf8_text(in->buf + in->pos, n, n == w->cw.body_left))
		return 0;
	if (!w->label_wrong++)
		snprintf(w->first_wrong, sizeof w->first_wrong, "%s",
			 w->charset == 1 && !w->label.s[0] ? "windows-1252" : w->label.s);
	return 1;
}

/* Convert p[0..n) (after what was pending) into w->tout; `last`: the
 * document ends here, so a cut character is bad bytes, and a stateful
 * charset (ISO-2022-JP) returns to its initial state. */
static int transcode(warc *w, const char *p, size_t n, int last, cerr *err)
{
	static const char repl[] = "\xEF\xBF\xBD";
	cbuf_reset(&w->tout);
	if (w->npend) { /* a character cut by the last piece: rejoin it */
		cbuf_reset(&w->tin);
		if (cbuf_append(&w->tin, w->pend, w->npend) < 0 ||
		    (n && cbuf_append(&w->tin, p, n) < 0))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		p = w->tin.data;
		n = w->tin.len;
		w->npend = 0;
	}
	char *in = (char *)p;
	size_t inleft = n;
	while (inleft) {
		if (cbuf_reserve(&w->tout, inleft * 3 + 16) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		char *o = w->tout.data + w->tout.len;
		size_t oleft = w->tout.cap - w->tout.len;
		size_t r = iconv(w->cd, &in, &inleft, &o, &oleft);
		w->tout.len = (size_t)(o - w->tout.data);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !last && inleft <= sizeof w->pend) {
			memcpy(w->pend, in, inleft); /* cut: wait for the next piece */
			w->npend = inleft;
			break;
		}
		/* invalid in the charset (or cut at the end): U+FFFD a byte,
		 * counted (valid UTF-8 then: the tokenizer cannot see them) */
		if (cbuf_append(&w->tout, repl, 3) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		w->replaced++;
		w->replaced_records += !w->replaced_here;
		w->replaced_here = 1;
		in++;
		inleft--;
	}
	if (last) {
		if (cbuf_reserve(&w->tout, 16) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		char *o = w->tout.data + w->tout.len;
		size_t oleft = w->tout.cap - w->tout.len;
		iconv(w->cd, NULL, NULL, &o, &oleft);
		w->tout.len = (size_t)(o - w->tout.data);
	}
	return CONTAM_OK;
}

/* At the end of a file that held records but no document: what they
 * were, so that "0 documents" says why (the file is counted empty). */
static void note_no_documents(warc *w)
{
	char msg[CERR_MSG_MAX + 256];
	if (w->docs || !w->records)
		return;
	int n = snprintf(msg, sizeof msg, "%s: %" PRIu64 " WARC record(s), none "
			 "with text to read:", w->cx->label, w->records);
	const struct { uint64_t count; const char *what; } kinds[] = {
		{ w->metadata, "metadata" }, { w->requests, "request" },
		{ w->warcinfo, "warcinfo" },
		{ w->not_text, "response with a payload that is not text" },
		{ w->other, "of other types (revisit, continuation, ...)" },
	};
	const char *sep = " ";
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (!kinds[i].count || n < 0 || (size_t)n >= sizeof msg)
			continue;
		n += snprintf(msg + n, sizeof msg - (size_t)n, "%s%" PRIu64 " %s",
			      sep, kinds[i].count, kinds[i].what);
		sep = ", ";
	}
	if (w->metadata && w->metadata + w->warcinfo == w->records && n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - (size_t)n, "; a WAT file holds "
			 "metadata about pages (links, headers), not their text: "
			 "index the WET file (.warc.wet.gz, the text) or the WARC "
			 "file (.warc.gz, the pages) of the same crawl");
	creader_note(w->cx->opt, msg);
}

/* A note about this file, "LABEL: ..." (creader_note). */
static void warc_note(warc *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warc_note(warc *w, const char *fmt, ...)
{
	char msg[CERR_MSG_MAX + 256];
	int n = snprintf(msg, sizeof msg, "%s: ", w->cx->label);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof msg)
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	creader_note(w->cx->opt, msg);
}

/* At the end of the file, once: why it gave no document, and pages
 * whose charset iconv does not know (read as bytes: their words are cut
 * where those bytes are not UTF-8, and the count of such bytes says how
 * many). */
static void note_at_end(warc *w)
{
	if (w->noted)
		return;
	w->noted = 1;
	note_no_documents(w);
	if (w->label_wrong)
		warc_note(w, "%" PRIu64 " record(s) declare a charset (first: '%s') but "
			  "their bytes are UTF-8: read as UTF-8", w->label_wrong, w->first_wrong);
	if (w->replaced)
		warc_note(w, "%" PRIu64 " byte(s) in %" PRIu64 " record(s) are invalid in the "
			  "charset their page declares and were read as U+FFFD, cutting the "
			  "words they are in (a label that does not fit its page, or damage)",
			  w->replaced, w->replaced_records);
	if (w->not_decoded)
		warc_note(w, "%" PRIu64 " response record(s) with a Content-Encoding this "
			  "reader does not undo (first: '%s') were skipped, not read",
			  w->not_decoded, w->first_not_decoded);
	if (w->decode_failed)
		warc_note(w, "%" PRIu64 " compressed response record(s) are damaged and were "
			  "read up to the damage (first: %s)", w->decode_failed,
			  w->first_decode_error);
	if (w->coded_plain)
		warc_note(w, "%" PRIu64 " response record(s) declare a Content-Encoding their "
			  "bytes do not have (decoded before they were archived): read as "
			  "they stand", w->coded_plain);
	if (w->not_text && w->docs)
		warc_note(w, "%" PRIu64 " response record(s) with a payload that is not text "
			  "(first: '%s') were skipped", w->not_text,
			  w->first_not_text[0] ? w->first_not_text : "?");
	if (w->not_transcoded)
		warc_note(w, "%" PRIu64 " record(s) in a charset this system's iconv does not "
			  "know (first: '%s'), read as their bytes, not transcoded to UTF-8",
			  w->not_transcoded, w->first_unknown);
}

static int warc_next_doc(void *state, creader_doc *doc, cerr *err)
{
	warc *w = state;
	cwarc_item it;
	int rc;

	w->doc_open = 0;
	for (;;) {
		rc = cwarc_next(&w->cw, &it, err);
		if (rc == 0)
			note_at_end(w);
		if (rc <= 0)
			return rc;
		if (it.kind != CWARC_RECORD)
			continue; /* CR/LF between records, or skipped */
		w->records++;
		const cwarc_header *h = &it.h;
		/* Save provenance before the header leaves the buffer. */
		if ((rc = set_str(&w->url, h->url, h->url_len, err)) < 0 ||
		    (rc = set_str(&w->id, h->id, h->id_len, err)) < 0)
			return rc;
		w->rec_offset = it.offset;
		w->rec_index = it.index;
		cwarc_enter_body(&w->cw, &it);

		int is_doc = 0, is_html = 0;
		/* a charset is a response's own: not the next record's */
		w->charset = 0;
		w->label.s[0] = '\0';
		chttp_body_free(w->body);
		w->body = NULL;
		w->body_in_done = 0;
		w->chunked = 0;
		w->coding = CHTTP_IDENTITY;
		if (cwarc_type_is(h, "conversion") || cwarc_type_is(h, "resource")) {
			is_doc = 1;
		} else if (cwarc_type_is(h, "response")) {
			rc = strip_http(w, &is_doc, &is_html, err);
			if (rc < 0)
				return rc;
			w->not_text += !is_doc;
			if (is_doc && w->coding == CHTTP_UNKNOWN) {
				/* counted and said at the end: not read as noise */
				if (!w->not_decoded++)
					snprintf(w->first_not_decoded, sizeof w->first_not_decoded,
						 "%s", w->coding_name);
				is_doc = 0;
			} else if (is_doc && (w->coding != CHTTP_IDENTITY || w->chunked)) {
				if (!(w->body = chttp_body_new(w->chunked, w->coding)))
					return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				w->decoded++;
			}
		} else {
			w->metadata += cwarc_type_is(h, "metadata");
			w->requests += cwarc_type_is(h, "request");
			w->warcinfo += cwarc_type_is(h, "warcinfo");
			w->other += !cwarc_type_is(h, "metadata") &&
				    !cwarc_type_is(h, "request") &&
				    !cwarc_type_is(h, "warcinfo");
		}
		if (!is_doc)
			continue;
		w->docs++;
		w->doc_open = 1;
		w->html = is_html;
		/* a label that says UTF-8 is right when the bytes are */
		if (w->charset && (w->charset == 1 || iconv_name(w->label.s)) &&
		    (rc = label_is_wrong(w, err)) != 0) {
			if (rc < 0)
				return rc;
			w->charset = 0;
		}
		if (is_html) /* the filter reads windows-1252 itself */
			chtml_init(&w->ht, w->charset == 1);
		begin_transcode(w, is_html);
		doc->member = NULL;
		doc->record = w->rec_index;
		doc->offset = w->rec_offset;
		doc->url = w->url.len ? w->url.data : NULL;
		doc->id = w->id.len ? w->id.data : NULL;
		return 1;
	}
}

static int warc_read_raw(warc *w, const char **p, size_t *n, cerr *err);

/* An HTML payload: its raw pieces through the filter, until one gives
 * text (most do; a piece inside a <script> may give none). */
static int warc_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	warc *w = state;
	if (!w->html && !w->transcode)
		return warc_read_raw(w, p, n, err);
	for (;;) {
		const char *raw;
		size_t k;
		int rc = warc_read_raw(w, &raw, &k, err);
		if (rc < 0)
			return rc;
		cbuf_reset(&w->hout);
		if (w->transcode) {
			int trc = transcode(w, rc ? raw : NULL, rc ? k : 0, rc == 0, err);
			if (trc < 0)
				return trc;
			raw = w->tout.data;
			k = w->tout.len;
			if (rc == 0)
				w->transcode = 0;
			if (!w->html) { /* plain text: its UTF-8 as it comes */
				if (!k && rc == 1)
					continue; /* all of it waits for the next piece */
				*p = raw;
				*n = k;
				return k ? 1 : 0;
			}
			if (rc == 0 && k && (trc = chtml_feed(&w->ht, raw, k, &w->hout, err)) < 0)
				return trc;
		}
		if (rc == 0) {
			w->html = 0;
			if ((rc = chtml_finish(&w->ht, &w->hout, err)) < 0)
				return rc;
			if (w->hout.len == 0)
				return 0;
		} else if ((rc = chtml_feed(&w->ht, raw, k, &w->hout, err)) < 0) {
			return rc;
		} else if (w->hout.len == 0) {
			continue;
		}
		*p = w->hout.data;
		*n = w->hout.len;
		return 1;
	}
}

/* A coded or chunked body's next decoded piece (http_body.h).  A body
 * that breaks off is read up to the damage, counted and said at the
 * end of the file. */
static int read_decoded(warc *w, size_t most, const char **p, size_t *n, cerr *err)
{
	for (;;) {
		cerr e;
		cerr_clear(&e);
		int rc = chttp_body_get(w->body, w->body_in_done, most, p, n, &e);
		if (rc == 1)
			return 1;
		if (rc < 0 && e.code == CONTAM_E_NOMEM) {
			*err = e;
			return rc;
		}
		if (rc < 0 || w->body_in_done) {
			w->coded_plain += chttp_body_plain(w->body);
			if (rc < 0 && !w->decode_failed++)
				snprintf(w->first_decode_error, sizeof w->first_decode_error,
					 "record at offset %" PRIu64 ": %s", w->rec_offset, e.msg);
			w->doc_open = 0;
			return 0; /* the walker skips what is left of the record */
		}
		const char *raw;
		size_t k;
		rc = cwarc_body(&w->cw, &raw, &k, CREADER_PIECE, err);
		if (rc < 0) {
			w->doc_open = 0;
			return rc;
		}
		if (rc == 0)
			w->body_in_done = 1;
		else if (chttp_body_put(w->body, raw, k))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
}

static int warc_read_raw(warc *w, const char **p, size_t *n, cerr *err)
{
	if (!w->doc_open)
		return 0;
	/* a page read in another charset grows on its way to UTF-8 (a byte
	 * to at most 4, with what is pending): smaller raw pieces keep the
	 * text's within CREADER_PIECE */
	size_t most = w->transcode || (w->html && w->charset == 1)
		      ? CREADER_PIECE / 4 - 64 : CREADER_PIECE;
	if (w->body)
		return read_decoded(w, most, p, n, err);
	int rc = cwarc_body(&w->cw, p, n, most, err);
	if (rc <= 0)
		w->doc_open = 0;
	return rc;
}

static uint64_t warc_bytes_in(const void *state)
{
	const warc *w = state;
	return cstream_bytes_in(w->cw.in.s);
}

static void warc_close(void *state)
{
	warc *w = state;
	if (!w)
		return;
	cwarc_release(&w->cw);
	cbuf_release(&w->url);
	cbuf_release(&w->id);
	cbuf_release(&w->hout);
	cbuf_release(&w->tout);
	cbuf_release(&w->tin);
	chttp_body_free(w->body);
	if (w->cd != (iconv_t)-1)
		iconv_close(w->cd);
	free(w);
}

static int warc_open(void **state, const char *path, cstream *in,
		     const creader_ctx *cx, cerr *err)
{
	warc *w = NULL;
	int rc = CONTAM_OK;

	(void)path;
	*state = NULL;
	w = calloc(1, sizeof *w);
	if (!w) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	w->cx = cx;
	w->in = &w->cw.in;
	w->cd = (iconv_t)-1;
	w->max_header = cwarc_max_header(cx->opt->max_record);
	rc = cwarc_init(&w->cw, in, cx, 0, err);
	in = NULL;
	if (rc < 0)
		goto out;
	*state = w;
	w = NULL;
out:
	cstream_free(in);
	warc_close(w);
	return rc;
}

/* Named .warc or .wet (compressed or not); holds "WARC/" first. */
static int warc_by_name(const char *name, const char *bare)
{
	static const char *const suffixes[] = { ".warc", ".wet", NULL };
	(void)name;
	return creader_name_ends(bare, suffixes);
}

static int warc_by_content(const char *head, size_t n)
{
	return n >= 5 && memcmp(head, "WARC/", 5) == 0;
}

const creader_ops creader_warc_ops = {
	"warc", warc_open, warc_next_doc, warc_read_text, warc_bytes_in,
	warc_close, CONTAM_INPUT_WARC, "WARC", warc_by_name, warc_by_content
};
