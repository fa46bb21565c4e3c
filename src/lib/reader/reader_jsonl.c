/*
 * reader_jsonl.c -- JSON lines (plain, gzip or zstd): one document per
 * non-empty line, its text in a string field ("text" by default), with
 * "url" and "id" as provenance when they are strings.
 *
 * Lines are cut out of the look-ahead buffer and handed to the scanner in
 * json_scan.c, which unescapes only the wanted fields.  A line longer
 * than max_record is not buffered: it is skipped as it streams past and
 * counted as damage, so one runaway line costs bounded memory.  Lines
 * that are not a JSON object, or lack the text, are reported with their
 * record number (0-based among non-empty lines, as the probe side numbers
 * benchmark records), line number, byte offset and the record's first
 * keys, counted and skipped.  An empty text string is still a document
 * (with no text).
 *
 * The text: without --text-field paths (creader_options.text_fields), the
 * string value of one top-level key (text_field); a value of another type
 * is damage, because the default is a guess about the schema.  With
 * paths, cjson_select_path() walks each record (dotted paths, through
 * arrays, as probe's --field) and the values are joined with '\n'; one
 * plain name whose value is a string still takes the one-pass scanner.
 *
 * Some datasets ship a .json file that is one JSON array of records, or
 * one pretty-printed object.  When the first non-blank byte is '[', the
 * array's elements are the records, streamed one at a time (each must fit
 * in max_record, not the file).  When the first non-blank line is a lone
 * "{": an object with a text key at its top is the one record; else the
 * first array of objects among its members (or one level down, in
 * document order) holds the records, streamed the same way; without one
 * the object is the record.
 */
#include "reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_TEXT, F_URL, F_ID, NFIELDS };

typedef struct jsonl {
	cjsonl_lines ln;       /* the look-ahead, its lines and counters */
	int started;           /* first byte examined (array or lines) */
	int array;             /* whole file: 1 a JSON array, 2 one object */
	int array_done;
	char array_key[64];    /* the object member holding the records */
	int in_object;         /* that array is a member of the top object */
	int rec_depth;         /* ... or of a member's object (1) */
	const char *const *fields; /* --text-field paths */
	size_t nfields;
	int paths;             /* --text-field given: path rule (else the
				  one text_field must be a string) */
	int fast;              /* one plain top-level name */
	const char *keys[NFIELDS];
	cbuf outs[NFIELDS];
	int found[NFIELDS];
	size_t text_pos;       /* text handed out so far */
	int doc_open;
} jsonl;

static int pass_damage(cjsonl_lines *j, cerr *err)
{
	char msg[CERR_MSG_MAX];
	uint64_t at = crin_offset(&j->in);
	size_t lost = crin_limit(&j->in) - j->in.pos;
	int n = crin_pass_damage(&j->in, msg, sizeof msg);
	if (j->on_skip)
		j->on_skip(j->skip_ctx, at, lost, CJSONL_SKIP_DAMAGE);
	return creader_damage(j->cx, err, (uint64_t)n,
			      "offset %" PRIu64 ": %s, data skipped (every line "
			      "in the damaged region is lost, and the line cut "
			      "by it: counted as one damaged record)", at, msg);
}

/* Skip a line too long to keep, as it streams past.  pos is at its
 * start; on return it is after its newline (or at the end/damage). */
static int skip_long_line(cjsonl_lines *j, cerr *err)
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
	uint64_t start = crin_offset(in), bytes = 0;
	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *nl = memchr(s, '\n', avail);
		if (nl) {
			in->pos += (size_t)(nl - s) + 1;
			bytes += (size_t)(nl - s) + 1;
			break;
		}
		in->pos += avail;
		bytes += avail;
		rc = crin_more(in, 1, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (rc == CRIN_DAMAGE) {
			if (j->on_skip)
				j->on_skip(j->skip_ctx, start, bytes, CJSONL_SKIP_LONG);
			return pass_damage(j, err);
		}
	}
	if (j->on_skip)
		j->on_skip(j->skip_ctx, start, bytes, CJSONL_SKIP_LONG);
	return CONTAM_OK;
}

/* Next line: 1 with *p, *n (no newline) and *off; 0 at the end. */
int cjsonl_next_line(cjsonl_lines *j, const char **p, size_t *n, uint64_t *off,
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

/* "'a', 'b'" for messages about --text-field. */
static void fields_list(const jsonl *j, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < j->nfields && used + 1 < outlen; i++) {
		int w = snprintf(out + used, outlen - used, "%s'%s'",
				 i ? ", " : "", j->fields[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* The text of a record: the --text-field paths' values (or, for a bare
 * JSON string, the string).  *pieces is the number of values taken. */
static int select_text(jsonl *j, const char *p, size_t n, int bare,
		       size_t *pieces, cerr *perr)
{
	cbuf *t = &j->outs[F_TEXT];
	int rc = CONTAM_OK;

	cbuf_reset(t);
	*pieces = 0;
	if (bare)
		return cjson_select_path(p, n, "", t, pieces, perr);
	for (size_t i = 0; i < j->nfields && rc == CONTAM_OK; i++)
		rc = cjson_select_path(p, n, j->fields[i], t, pieces, perr);
	return rc;
}

/* Extract fields from one record; 1 if it is a document, 0 if it was
 * reported and skipped. */
/* A key of `keys` (cjson_key_list's "'a', 'b'") that corpora use for the
 * text when it is not "text" (ChineseWebText: raw_content), for the
 * message of a record without the text field; NULL if none. */
static const char *text_key_hint(const char *keys)
{
	static const char *const names[] = { "raw_content", "content", "contents",
					     "body", "document", "passage",
					     "article", "raw_text", NULL };
	for (int i = 0; names[i]; i++) {
		char q[32];
		snprintf(q, sizeof q, "'%s'", names[i]);
		if (strstr(keys, q))
			return names[i];
	}
	return NULL;
}

static int take_record(jsonl *j, const char *p, size_t n, uint64_t off,
		       uint64_t rec, uint64_t line, creader_doc *doc,
		       cerr *err)
{
	char where[160];
	cerr perr;
	int rc;

	if (j->array == 1)
		snprintf(where, sizeof where, "record %" PRIu64
			 " (element of the JSON array%s%s%s)", rec,
			 j->array_key[0] ? " '" : "", j->array_key,
			 j->array_key[0] ? "'" : "");
	else if (j->array == 2)
		snprintf(where, sizeof where, "the file's one JSON object");
	else
		snprintf(where, sizeof where, "record %" PRIu64 " (line %"
			 PRIu64 ")", rec, line);
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
			 p[i] == '\n'))
		i++;
	int bare = j->paths && j->array && i < n && p[i] == '"';
	cerr_clear(&perr);
	if (bare) {
		for (int f = 0; f < NFIELDS; f++) {
			j->found[f] = 0;
			cbuf_reset(&j->outs[f]);
		}
		rc = CONTAM_OK;
	} else {
		rc = cjson_extract_fields(p, n, j->keys, NFIELDS, j->outs,
					  j->found, &perr);
	}
	if (rc == CONTAM_E_NOMEM)
		return cerr_set(err, rc, "out of memory");
	if (rc < 0) {
		rc = creader_damage(j->ln.cx, err, 1,
				    "offset %" PRIu64 ": %s: %s, skipped", off,
				    where, perr.msg);
		return rc < 0 ? rc : 0;
	}
	/* Fast path: one plain top-level name whose value is a string was
	 * taken by the scan above.  Anything else walks the paths. */
	if (!j->paths && !j->found[F_TEXT]) {
		char keys[256];
		size_t nkeys = 0;
		cjson_key_list(p, n, keys, sizeof keys, &nkeys);
		const char *hint = text_key_hint(keys);
		rc = creader_damage(j->ln.cx, err, 1,
				    "offset %" PRIu64 ": %s: field '%s' is missing "
				    "or not a string (see --text-field for paths "
				    "and arrays); the record has %zu key(s)%s%s%s, "
				    "skipped%s%s", off, where, j->keys[F_TEXT], nkeys,
				    nkeys ? ": " : "", keys,
				    nkeys > CJSON_KEY_LIST_MAX ? ", ..." : "",
				    hint ? "; try --text-field " : "", hint ? hint : "");
		return rc < 0 ? rc : 0;
	}
	if (j->paths && !(j->fast && j->found[F_TEXT])) {
		size_t pieces;
		rc = select_text(j, p, n, bare, &pieces, &perr);
		if (rc == CONTAM_E_NOMEM)
			return cerr_set(err, rc, "out of memory");
		if (rc < 0) {
			rc = creader_damage(j->ln.cx, err, 1,
					    "offset %" PRIu64 ": %s: %s, skipped",
					    off, where, perr.msg);
			return rc < 0 ? rc : 0;
		}
		if (pieces == 0) {
			char keys[256], names[256];
			size_t nkeys = 0;
			cjson_key_list(p, n, keys, sizeof keys, &nkeys);
			fields_list(j, names, sizeof names);
			rc = creader_damage(j->ln.cx, err, 1,
					    "offset %" PRIu64 ": %s: --text-field "
					    "%s is missing or holds no text; the "
					    "record has %zu key(s)%s%s%s, skipped",
					    off, where, names, nkeys,
					    nkeys ? ": " : "", keys,
					    nkeys > CJSON_KEY_LIST_MAX ? ", ..." : "");
			return rc < 0 ? rc : 0;
		}
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

/* Make at least `want` bytes readable from in.pos.  1: they are (or the
 * input ended first: in.eof); CRIN_DAMAGE; < 0 fatal. */
static int fill(jsonl *j, size_t want, cerr *err)
{
	crin *in = &j->ln.in;
	if (want > j->ln.max_record + 1)
		want = j->ln.max_record + 1;
	while (crin_avail(in) < want && !in->eof) {
		int rc = crin_more(in, want, err);
		if (rc < 0 || rc == CRIN_DAMAGE)
			return rc;
	}
	return 1;
}

#define TOO_BIG 3

/* The byte at in.pos + off: 1 with *c; 0 at the end of the input;
 * TOO_BIG past max_record; CRIN_DAMAGE; < 0 fatal. */
static int peek(jsonl *j, size_t off, int *c, cerr *err)
{
	crin *in = &j->ln.in;
	if (off >= crin_avail(in)) {
		if (off >= j->ln.max_record)
			return TOO_BIG;
		size_t want = crin_avail(in) * 2;
		if (want < off + 65536)
			want = off + 65536;
		int rc = fill(j, want, err);
		if (rc != 1)
			return rc;
		if (off >= crin_avail(in))
			return 0;
	}
	*c = (unsigned char)in->buf[in->pos + off];
	return 1;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip blanks (and, with commas, commas) from *off. Returns as peek(),
 * with *c the byte there. */
static int skip_blank(jsonl *j, size_t *off, int commas, int *c, cerr *err)
{
	for (;;) {
		int rc = peek(j, *off, c, err);
		if (rc != 1)
			return rc;
		if (!is_ws(*c) && !(commas && *c == ','))
			return 1;
		(*off)++;
	}
}

/* The one whole JSON value at in.pos + off, read in as far as needed:
 * 1 with its length in *end; 0 when it is malformed or cut by the end
 * of the input (perr says why); TOO_BIG; CRIN_DAMAGE; < 0 fatal. */
static int value_at(jsonl *j, size_t off, size_t *end, cerr *perr,
		    cerr *err)
{
	crin *in = &j->ln.in;
	for (;;) {
		size_t avail = crin_avail(in);
		cerr_clear(perr);
		int rc = off < avail
			 ? cjson_skip_value(in->buf + in->pos + off, avail - off,
					    end, perr)
			 : cerr_set(perr, CONTAM_E_FORMAT, "unexpected end");
		/* a number at the end of the bytes read so far may go on */
		if (rc == CONTAM_OK && (off + *end < avail || in->eof))
			return *end > j->ln.max_record ? TOO_BIG : 1;
		if (rc < 0 && in->eof)
			return 0;
		if (avail > j->ln.max_record)
			return TOO_BIG;
		size_t want = avail * 2 > avail + 65536 ? avail * 2 : avail + 65536;
		rc = fill(j, want, err);
		if (rc != 1)
			return rc;
	}
}

/* First call: skip a byte order mark and leading blanks, and find out
 * whether this is JSON lines or whole-file JSON. */
static int start(jsonl *j, cerr *err)
{
	crin *in = &j->ln.in;
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
		if (avail > j->ln.max_record)
			return CONTAM_OK;
		rc = crin_more(in, avail + 1, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return CONTAM_OK; /* lines mode sees the end/damage */
	}
	if (j->array == 1)
		in->pos += i + 1; /* after '[' */
	else if (j->array == 2)
		in->pos += i;     /* at '{' */
	return CONTAM_OK;
}

/* A damaged, cut or oversized whole-file JSON: report, stop reading. */
static int array_fail(jsonl *j, int rc, const cerr *perr, size_t off,
		      cerr *err)
{
	j->array_done = 1;
	if (rc == CRIN_DAMAGE)
		return pass_damage(&j->ln, err);
	if (rc == TOO_BIG)
		return creader_damage(j->ln.cx, err, 1,
				      "offset %" PRIu64 ": record %" PRIu64
				      " of the whole-file JSON is larger than "
				      "%zu bytes (see --max-record); the rest "
				      "of the file is skipped",
				      crin_offset(&j->ln.in) + off, j->ln.record,
				      j->ln.max_record);
	if (rc == 0 && perr)
		return creader_damage(j->ln.cx, err, 1,
				      "offset %" PRIu64 ": record %" PRIu64
				      " of the whole-file JSON: %s; the rest of "
				      "the file is skipped",
				      crin_offset(&j->ln.in) + off, j->ln.record,
				      perr->msg);
	if (rc == 0)
		return creader_damage(j->ln.cx, err, 1,
				      "offset %" PRIu64 ": the whole-file JSON "
				      "ends before its closing bracket (cut?); "
				      "the rest is lost",
				      crin_offset(&j->ln.in) + off);
	return rc;
}

/* Does the object s[0..n) have a top-level key that starts one of the
 * text paths (the first step, or the whole path as one dotted key)? */
static int has_text_key(const jsonl *j, const char *s, size_t n)
{
	for (size_t i = 0; i < j->nfields; i++) {
		const char *f = j->fields[i];
		const char *dot = j->paths ? strchr(f, '.') : NULL;
		size_t k = dot ? (size_t)(dot - f) : strlen(f);
		if (cjson_has_key(s, n, f, k) || (dot && cjson_has_key(s, n, f, strlen(f))))
			return 1;
	}
	return 0;
}

#define NOT_FOUND 4

/* Walk the members of the object that holds in.pos + off for one whose
 * value is an array of objects, in document order, looking into member
 * objects too (depth 0: the top object, 1: a member's object); off is
 * just inside the object, after its '{' or after a member's value (the
 * records array, when the walk resumes after it: every array of records
 * in the object is read, not the first alone).  1: found (array mode
 * reads it now, from depth j->rec_depth); NOT_FOUND when the top object
 * ends; 0 malformed or cut; TOO_BIG; CRIN_DAMAGE; < 0 fatal. */
static int walk_members(jsonl *j, size_t off, int depth, cerr *err)
{
	size_t end;
	int c, rc;
	cerr perr;

	for (;;) {
		rc = skip_blank(j, &off, 1, &c, err);
		if (rc != 1)
			return rc;
		if (c == '}') {
			off++;
			if (depth-- == 0)
				return NOT_FOUND;
			continue;
		}
		if (c != '"')
			return 0;
		size_t key = off;
		rc = value_at(j, off, &end, &perr, err);
		if (rc != 1)
			return rc;
		size_t keylen = end;
		off += end;
		rc = skip_blank(j, &off, 0, &c, err);
		if (rc != 1)
			return rc;
		if (c != ':')
			return 0;
		off++;
		rc = skip_blank(j, &off, 0, &c, err);
		if (rc != 1)
			return rc;
		if (c == '[') {
			size_t o2 = off + 1;
			rc = skip_blank(j, &o2, 0, &c, err);
			if (rc != 1)
				return rc;
			if (c == '{') {
				size_t klen = keylen - 2 < sizeof j->array_key - 1
					      ? keylen - 2 : sizeof j->array_key - 1;
				memcpy(j->array_key, j->ln.in.buf + j->ln.in.pos + key + 1,
				       klen);
				j->array_key[klen] = '\0';
				j->ln.in.pos += off + 1;
				j->array = 1;
				j->in_object = 1;
				j->rec_depth = depth;
				return 1;
			}
		} else if (c == '{' && depth < 1) {
			off++;
			depth++;
			continue;
		}
		rc = value_at(j, off, &end, &perr, err);
		if (rc != 1)
			return rc ? rc : 0;
		off += end;
	}
}

/* A pretty-printed top-level object without the text field at its top:
 * its records are the elements of the first array of objects, in
 * document order, among its members or its members' members (as the
 * benchmark reader looks one level down).  Returns 1 when array mode
 * now reads that array; 0 when the object is the one record. */
static int find_records(jsonl *j, cerr *err)
{
	size_t off = 1; /* after the object's '{' */
	int rc = walk_members(j, off, 0, err);
	if (rc == 1)
		return 1;
	/* No array of objects: the whole object is the record. */
	if (rc == NOT_FOUND || rc == 0)
		return 0;
	if (rc == TOO_BIG) {
		j->array_done = 1;
		return creader_damage(j->ln.cx, err, 1,
				      "file is one JSON object larger than %zu "
				      "bytes with no array of records in it "
				      "(see --max-record); convert it to JSON "
				      "lines", j->ln.max_record);
	}
	return array_fail(j, rc, NULL, off, err);
}

static int next_array_doc(jsonl *j, creader_doc *doc, cerr *err)
{
	crin *in = &j->ln.in;
	cerr perr;
	size_t end;
	int c, rc;

	while (!j->array_done) {
		if (j->array == 2) {
			if (j->ln.record > 0)
				break; /* the one object was read */
			/* An object with the text field at its top is the one
			 * record; else its first array of objects holds the
			 * records (found streaming when the object is too big
			 * to hold). */
			rc = value_at(j, 0, &end, &perr, err);
			if (rc == 1 && has_text_key(j, in->buf + in->pos, end))
				goto take;
			if (rc == 1 || rc == TOO_BIG) {
				rc = find_records(j, err);
				if (rc < 0)
					return rc;
				if (j->array_done)
					break;
				if (rc == 1)
					continue;
				rc = value_at(j, 0, &end, &perr, err);
			}
			if (rc != 1) {
				rc = array_fail(j, rc, &perr, 0, err);
				if (rc < 0)
					return rc;
				break;
			}
		} else {
			size_t off = 0;
			rc = skip_blank(j, &off, 1, &c, err);
			in->pos += off;
			if (rc == 1 && c == ']') {
				if (!j->in_object) {
					j->array_done = 1;
					break;
				}
				/* the object's next array of records, if any */
				in->pos++;
				rc = walk_members(j, 0, j->rec_depth, err);
				if (rc == 1)
					continue;
				if (rc == NOT_FOUND) {
					j->array_done = 1;
					break;
				}
				rc = array_fail(j, rc, NULL, 0, err);
				if (rc < 0)
					return rc;
				break;
			}
			if (rc == 1)
				rc = value_at(j, 0, &end, &perr, err);
			if (rc != 1) {
				rc = array_fail(j, rc, rc == 0 && crin_avail(in)
						? &perr : NULL, 0, err);
				if (rc < 0)
					return rc;
				break;
			}
		}
take:;
		const char *p = in->buf + in->pos;
		uint64_t off = crin_offset(in);
		in->pos += end;
		uint64_t rec = j->ln.record++;
		rc = take_record(j, p, end, off, rec, 0, doc, err);
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
		rc = cjsonl_next_line(&j->ln, &p, &n, &off, err);
		if (rc <= 0)
			return rc;
		uint64_t line = j->ln.line_no++;
		if (is_blank(p, n))
			continue;
		uint64_t rec = j->ln.record++;
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
	return cstream_bytes_in(j->ln.in.s);
}

static void jsonl_close(void *state)
{
	jsonl *j = state;
	if (!j)
		return;
	crin_release(&j->ln.in);
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
	j->ln.cx = cx;
	j->ln.max_record = creader_line_max(cx->opt->max_record);
	j->ln.line_no = 1;
	j->fields = cx->opt->text_fields;
	j->nfields = cx->opt->ntext_fields;
	j->paths = j->nfields > 0;
	if (!j->paths) {
		j->fields = &j->keys[F_TEXT];
		j->nfields = 1;
		j->keys[F_TEXT] = cx->opt->text_field ? cx->opt->text_field : "text";
	}
	j->fast = j->nfields == 1 && !strchr(j->fields[0], '.');
	j->keys[F_TEXT] = j->fields[0];
	j->keys[F_URL] = "url";
	j->keys[F_ID] = "id";
	rc = crin_init(&j->ln.in, in, j->ln.max_record + 2, err);
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

int creader_jsonl_whole(const char *path, const cfast *fast)
{
	cstream *s = NULL;
	cerr err;
	char head[4096];
	size_t n = 0;

	cerr_clear(&err);
	if (cstream_open_wait(&s, path, fast, NULL, &err) < 0)
		return 0; /* the open error is reported by the reader */
	while (n < sizeof head) {
		long got = cstream_read(s, head + n, sizeof head - n, &err);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	cstream_free(s);
	size_t i = n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	while (i < n && is_ws(head[i]))
		i++;
	if (i < n && head[i] == '[')
		return 1;
	if (i < n && head[i] == '{') {
		size_t k = i + 1;
		while (k < n && (head[k] == ' ' || head[k] == '\t' ||
				 head[k] == '\r'))
			k++;
		if (k < n && head[k] == '\n')
			return 2;
	}
	return 0;
}

/* Named .jsonl, .json or .ndjson (compressed or not); a '{' first,
 * after white space. */
static int jsonl_by_name(const char *name, const char *bare)
{
	static const char *const suffixes[] = { ".jsonl", ".json", ".ndjson", NULL };
	(void)name;
	return creader_name_ends(bare, suffixes);
}

static int jsonl_by_content(const char *head, size_t n)
{
	size_t i = creader_lead_space(head, n);
	return i < n && head[i] == '{';
}

const creader_ops creader_jsonl_ops = {
	"jsonl", jsonl_open, jsonl_next_doc, jsonl_read_text, jsonl_bytes_in,
	jsonl_close, CONTAM_INPUT_JSONL, "JSON lines", jsonl_by_name, jsonl_by_content
};
