/*
 * reader_jsonl.c -- JSON lines (plain, gzip or zstd): one document per
 * non-empty line, its text in a string field ("text" by default), with
 * "url" and "id" as provenance when they are strings.
 *
 * Lines are cut out of the look-ahead buffer and handed to the scanner in
 * json_scan.c, which unescapes only the wanted fields.  A line longer
 * than max_record is not buffered: it is skipped as it streams past and
 * counted as damage, so one runaway line costs bounded memory.  Lines
 * that are not a JSON object, or lack a string text field, are reported
 * with their record number (0-based among non-empty lines, as the probe
 * side numbers benchmark records), line number and byte offset, counted
 * and skipped.  An empty text string is still a document (with no text).
 *
 * Some datasets ship a .json file that is one JSON array of objects, or
 * one pretty-printed object.  When the first non-blank byte is '[', or
 * the first non-blank line is a lone "{", the file is read whole (up to
 * max_record bytes) and each array element (or the one object) is a
 * record.
 */
#include "reader.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { F_TEXT, F_URL, F_ID, NFIELDS };

typedef struct jsonl {
	crin in;
	const creader_ctx *cx;
	size_t max_record;
	int started;           /* first byte examined (array or lines) */
	int array;             /* whole file: 1 a JSON array, 2 one object */
	size_t array_pos;      /* array mode: next element, from in.pos */
	int array_done;
	uint64_t record;       /* records (non-empty lines) so far */
	uint64_t line_no;      /* 1-based line number of the next line */
	const char *keys[NFIELDS];
	cbuf outs[NFIELDS];
	int found[NFIELDS];
	size_t text_pos;       /* text handed out so far */
	int doc_open;
} jsonl;

static int pass_damage(jsonl *j, cerr *err)
{
	char msg[CERR_MSG_MAX];
	uint64_t at = crin_offset(&j->in);
	int n = crin_pass_damage(&j->in, msg, sizeof msg);
	return creader_damage(j->cx, err, (uint64_t)n,
			      "offset %" PRIu64 ": %s, data skipped (the line "
			      "there is lost)", at, msg);
}

/* Skip a line too long to keep, as it streams past.  pos is at its
 * start; on return it is after its newline (or at the end/damage). */
static int skip_long_line(jsonl *j, cerr *err)
{
	crin *in = &j->in;
	uint64_t rec = j->record++;
	int rc = creader_damage(j->cx, err, 1,
				"offset %" PRIu64 ": record %" PRIu64 " (line %"
				PRIu64 "): line longer than %zu bytes, skipped",
				crin_offset(in), rec, j->line_no, j->max_record);
	if (rc < 0)
		return rc;
	j->line_no++;
	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *nl = memchr(s, '\n', avail);
		if (nl) {
			in->pos += (size_t)(nl - s) + 1;
			return CONTAM_OK;
		}
		in->pos += avail;
		rc = crin_more(in, 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return CONTAM_OK;
		if (rc == CRIN_DAMAGE)
			return pass_damage(j, err);
	}
}

/* Next line: 1 with *p, *n (no newline) and *off; 0 at the end. */
static int next_line(jsonl *j, const char **p, size_t *n, uint64_t *off,
		     cerr *err)
{
	crin *in = &j->in;
	size_t scanned = 0;
	int rc;

	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *nl = memchr(s + scanned, '\n', avail - scanned);
		if (nl && (size_t)(nl - s) <= j->max_record) {
			*p = s;
			*n = (size_t)(nl - s);
			*off = crin_offset(in);
			in->pos += *n + 1;
			return 1;
		}
		if (nl || avail > j->max_record) {
			rc = skip_long_line(j, err);
			if (rc < 0)
				return rc;
			scanned = 0;
			continue;
		}
		scanned = avail;
		rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			avail = crin_avail(in);
			if (avail == 0)
				return 0;
			/* Last line without a newline. */
			*p = in->buf + in->pos;
			*n = avail;
			*off = crin_offset(in);
			in->pos += avail;
			return 1;
		}
		if (rc == CRIN_DAMAGE) {
			rc = pass_damage(j, err);
			if (rc < 0)
				return rc;
			scanned = 0;
		}
	}
}

static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Extract fields from one record; 1 if it is a document, 0 if it was
 * reported and skipped. */
static int take_record(jsonl *j, const char *p, size_t n, uint64_t off,
		       uint64_t rec, uint64_t line, creader_doc *doc,
		       cerr *err)
{
	char where[96];
	cerr perr;

	if (j->array == 1)
		snprintf(where, sizeof where, "record %" PRIu64
			 " (element of the JSON array)", rec);
	else if (j->array == 2)
		snprintf(where, sizeof where, "the file's one JSON object");
	else
		snprintf(where, sizeof where, "record %" PRIu64 " (line %"
			 PRIu64 ")", rec, line);
	cerr_clear(&perr);
	int rc = cjson_extract_fields(p, n, j->keys, NFIELDS, j->outs,
				      j->found, &perr);
	if (rc == CONTAM_E_NOMEM)
		return cerr_set(err, rc, "out of memory");
	if (rc < 0) {
		rc = creader_damage(j->cx, err, 1,
				    "offset %" PRIu64 ": %s: %s, skipped", off,
				    where, perr.msg);
		return rc < 0 ? rc : 0;
	}
	if (!j->found[F_TEXT]) {
		rc = creader_damage(j->cx, err, 1,
				    "offset %" PRIu64 ": %s: field '%s' is "
				    "missing or not a string, skipped", off,
				    where, j->keys[F_TEXT]);
		return rc < 0 ? rc : 0;
	}
	doc->member = NULL;
	doc->record = rec;
	doc->offset = off;
	doc->url = j->found[F_URL] ? j->outs[F_URL].data : NULL;
	doc->id = j->found[F_ID] ? j->outs[F_ID].data : NULL;
	j->text_pos = 0;
	j->doc_open = 1;
	return 1;
}

/* First call: skip a byte order mark and leading blanks, and find out
 * whether this is JSON lines or whole-file JSON.  For the latter, read the
 * whole input into the buffer. */
static int start(jsonl *j, cerr *err)
{
	crin *in = &j->in;
	int rc;

	j->started = 1;
	while (crin_avail(in) < 3) {
		rc = crin_more(in, 3, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			break;
	}
	if (crin_avail(in) >= 3 && memcmp(in->buf + in->pos, "\xef\xbb\xbf", 3) == 0)
		in->pos += 3;
	/* Only blank lines can come before the first record; look at the
	 * first non-blank byte without consuming anything else. */
	size_t i = 0;
	for (;;) {
		const char *s = in->buf + in->pos;
		size_t avail = crin_avail(in);
		while (i < avail && (s[i] == ' ' || s[i] == '\t' ||
				     s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i < avail && s[i] == '[') {
			j->array = 1;
			break;
		}
		if (i < avail && s[i] == '{') {
			/* A line holding only "{" starts a pretty-printed
			 * object, never a JSON lines record. */
			size_t k = i + 1;
			while (k < avail && (s[k] == ' ' || s[k] == '\t' ||
					     s[k] == '\r'))
				k++;
			if (k < avail) {
				j->array = s[k] == '\n' ? 2 : 0;
				break;
			}
		} else if (i < avail) {
			break;
		}
		if (avail > j->max_record)
			return CONTAM_OK;
		rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return CONTAM_OK; /* lines mode sees the end/damage */
	}
	if (!j->array)
		return CONTAM_OK;
	for (;;) {
		size_t avail = crin_avail(in);
		if (avail > j->max_record) {
			j->array_done = 1;
			return creader_damage(j->cx, err, 1,
					      "file is one JSON value larger "
					      "than %zu bytes; convert it to JSON "
					      "lines", j->max_record);
		}
		rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (rc == CRIN_DAMAGE) {
			j->array_done = 1;
			return pass_damage(j, err);
		}
	}
	j->array_pos = j->array == 1 ? i + 1 : i; /* after '[' */
	return CONTAM_OK;
}

static int next_array_doc(jsonl *j, creader_doc *doc, cerr *err)
{
	crin *in = &j->in;
	const char *s = in->buf + in->pos;
	size_t len = crin_avail(in);
	cerr perr;
	int rc;

	while (!j->array_done) {
		size_t i = j->array_pos;
		if (j->array == 2 && j->record > 0)
			break; /* the one object was read */
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
				   s[i] == '\n' || s[i] == ','))
			i++;
		if (i < len && s[i] == ']') {
			j->array_done = 1;
			break;
		}
		size_t end;
		cerr_clear(&perr);
		rc = cjson_skip_value(s + i, len - i, &end, &perr);
		if (rc < 0) {
			j->array_done = 1;
			rc = creader_damage(j->cx, err, 1,
					    "offset %" PRIu64 ": record %" PRIu64
					    " of the whole-file JSON: %s; the "
					    "rest of the file is skipped",
					    crin_offset(in) + i, j->record, perr.msg);
			if (rc < 0)
				return rc;
			break;
		}
		j->array_pos = i + end;
		uint64_t rec = j->record++;
		rc = take_record(j, s + i, end, crin_offset(in) + i, rec, 0,
				 doc, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int jsonl_next_doc(void *state, creader_doc *doc, cerr *err)
{
	jsonl *j = state;
	const char *p;
	size_t n;
	uint64_t off;
	int rc;

	j->doc_open = 0;
	if (!j->started) {
		rc = start(j, err);
		if (rc < 0)
			return rc;
	}
	if (j->array)
		return next_array_doc(j, doc, err);
	for (;;) {
		rc = next_line(j, &p, &n, &off, err);
		if (rc <= 0)
			return rc;
		uint64_t line = j->line_no++;
		if (is_blank(p, n))
			continue;
		uint64_t rec = j->record++;
		rc = take_record(j, p, n, off, rec, line, doc, err);
		if (rc != 0)
			return rc;
	}
}

static int jsonl_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	jsonl *j = state;
	const cbuf *t = &j->outs[F_TEXT];

	(void)err;
	if (!j->doc_open || j->text_pos >= t->len) {
		j->doc_open = 0;
		return 0;
	}
	size_t k = t->len - j->text_pos;
	if (k > CREADER_PIECE)
		k = CREADER_PIECE;
	*p = t->data + j->text_pos;
	*n = k;
	j->text_pos += k;
	return 1;
}

static uint64_t jsonl_bytes_in(const void *state)
{
	const jsonl *j = state;
	return cstream_bytes_in(j->in.s);
}

static void jsonl_close(void *state)
{
	jsonl *j = state;
	if (!j)
		return;
	crin_release(&j->in);
	for (int i = 0; i < NFIELDS; i++)
		cbuf_release(&j->outs[i]);
	free(j);
}

static int jsonl_open(void **state, const char *path, cstream *in,
		      const creader_ctx *cx, cerr *err)
{
	jsonl *j = NULL;
	int rc = CONTAM_OK;

	(void)path;
	*state = NULL;
	j = calloc(1, sizeof *j);
	if (!j) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	j->cx = cx;
	j->max_record = cx->opt->max_record > (1u << 30)
			? (size_t)1 << 30 : (size_t)cx->opt->max_record;
	if (j->max_record < 16)
		j->max_record = 16;
	j->line_no = 1;
	j->keys[F_TEXT] = cx->opt->text_field ? cx->opt->text_field : "text";
	j->keys[F_URL] = "url";
	j->keys[F_ID] = "id";
	rc = crin_init(&j->in, in, j->max_record + 2, err);
	in = NULL;
	if (rc < 0)
		goto out;
	*state = j;
	j = NULL;
out:
	cstream_free(in);
	jsonl_close(j);
	return rc;
}

const creader_ops creader_jsonl_ops = {
	"jsonl", jsonl_open, jsonl_next_doc, jsonl_read_text, jsonl_bytes_in,
	jsonl_close
};
