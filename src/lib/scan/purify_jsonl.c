/*
 * purify_jsonl.c -- the purified copy of a JSON lines stream.
 *
 * Lines are split by the reader's own splitter (cjsonl_next_line in
 * reader_jsonl.c): the same --max-record rule and the same look-ahead
 * (crin), which sees where the stream skipped a damaged gzip member or
 * zstd frame, so every line is met at the offset the scan gave it.  A
 * line without a match is copied byte for byte, newline included; a
 * matched line is dropped, or in cut mode re-encoded with its text field
 * cut (jansson, keys in their order).  A line the reader skipped (too
 * long, cut by damage, not a JSON object with a string text field) is
 * left out and listed as unread.
 */
#include "purify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Cut mode on one JSONL record: *action says what happened; KEEP means
 * nothing was written (the caller copies the line). */
static int write_cut_json(purifier *p, cscan_sink *out, const char *line,
			  size_t n, const char *eol, const cscan_hitdoc *hd,
			  int *action)
{
	json_error_t je;
	json_t *root = json_loadb(line, n, JSON_ALLOW_NUL, &je);
	json_t *v = root ? json_object_get(root, p->s->opt.text_field) : NULL;
	int rc;
	if (!v || !json_is_string(v)) {
		rc = cpurify_decide(p, hd, NULL, 0, "match; this record kind cannot be cut",
			    action);
		json_decref(root);
		return rc;
	}
	rc = cpurify_decide(p, hd, json_string_value(v), json_string_length(v), NULL, action);
	if (rc || *action != CUT) {
		json_decref(root);
		return rc;
	}
	json_object_set_new(root, p->s->opt.text_field,
			    json_stringn_nocheck(p->cut_text.data ? p->cut_text.data : "", p->cut_text.len));
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	rc = cscan_sink_write(out, s, strlen(s));
	rc |= cscan_sink_write(out, eol, strlen(eol));
	free(s);
	return rc ? cpurify_write_failed(p, out) : 0;
}

/* Would the reader take this line as a record (a JSON object with the
 * text field a string)?  Blank lines are no records, and not damage. */
static int line_unread(purifier *p, const char *line, size_t n, uint64_t off,
		       cbuf *scratch, int *unread)
{
	const char *keys[1] = { p->s->opt.text_field };
	int found = 0;
	cerr perr;
	*unread = 0;
	if (off == 0 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		n -= 3;
	}
	size_t i = 0;
	while (i < n && strchr(" \t\r\n", line[i]))
		i++;
	if (i == n)
		return CONTAM_OK;
	cerr_clear(&perr);
	int rc = cjson_extract_fields(line, n, keys, 1, scratch, &found, &perr);
	if (rc == CONTAM_E_NOMEM)
		return cerr_set(p->err, rc, "out of memory");
	*unread = rc < 0 || !found;
	return CONTAM_OK;
}

/* What the line splitter skipped, into the manifest. */
typedef struct jsonl_skips {
	purifier *p;
	const char *member;
	int rc;
} jsonl_skips;

static void jsonl_skipped(void *ctx, uint64_t offset, uint64_t bytes, int why)
{
	jsonl_skips *k = ctx;
	if (k->rc || (bytes == 0 && why != CJSONL_SKIP_DAMAGE))
		return;
	/* damage at a line boundary cut no line, but its region's lines
	 * are lost all the same: listed with bytes 0 (their size is not
	 * known), so the copy's manifest says where */
	k->rc = cpurify_manifest_unread(k->p, k->member, offset, bytes,
					why == CJSONL_SKIP_LONG
					? "line longer than --max-record"
					: bytes ? "a line cut by damaged compressed data"
					: "damaged compressed data: the lines in it are lost");
}

/* Lines are split by the reader's own splitter (cjsonl_next_line): the
 * same --max-record rule and the same look-ahead, which sees where the
 * stream skipped a damaged gzip member or zstd frame, so every line is
 * met at the offset the scan gave it. */
int cpurify_jsonl(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	creader_options ro = { .max_record = p->s->opt.max_record,
			       .fast = p->s->opt.fast };
	uint64_t errors = 0;
	creader_ctx cx = { p->f->path, &ro, &errors };
	jsonl_skips ks = { p, member, 0 };
	cjsonl_lines ln = { .cx = &cx, .max_record = p->max_record, .line_no = 1,
			    .on_skip = jsonl_skipped, .skip_ctx = &ks };
	cbuf scratch = CBUF_INIT;
	/* the reader skipped records: find them again (else no line is
	 * damaged, and none is parsed) */
	int check = p->f->errors > 0;
	int rc = crin_init(&ln.in, s, p->max_record + 2, p->err);
	while (rc == CONTAM_OK) {
		if (cpurify_stopped(p)) {
			rc = cpurify_interrupted(p);
			break;
		}
		const char *line;
		size_t n;
		uint64_t off;
		int got = cjsonl_next_line(&ln, &line, &n, &off, p->err);
		if (got < 0 || ks.rc) {
			rc = got < 0 ? got : ks.rc;
			break;
		}
		if (got == 0)
			break;
		/* with its newline, which the splitter consumed too */
		n = (size_t)(ln.in.buf + ln.in.pos - line);
		const cscan_hitdoc *hd = cpurify_meet(p, member, off);
		int action = KEEP;
		if (hd && p->s->opt.purify_mode == CONTAM_PURIFY_CUT) {
			size_t body = n;
			const char *eol = "";
			if (body && line[body - 1] == '\n') {
				body--;
				eol = "\n";
				if (body && line[body - 1] == '\r') {
					body--;
					eol = "\r\n";
				}
			}
			rc = write_cut_json(p, out, line, body, eol, hd, &action);
		} else if (hd) {
			rc = cpurify_decide(p, hd, NULL, 0, NULL, &action);
		} else if (check) {
			int unread;
			rc = line_unread(p, line, n, off, &scratch, &unread);
			if (!rc && unread) {
				action = DROP;
				rc = cpurify_manifest_unread(p, member, off, n, "not a JSON "
						     "object with a string text field");
			}
		}
		if (!rc && action == KEEP && cscan_sink_write(out, line, n))
			rc = cpurify_write_failed(p, out);
		if (rc)
			break;
	}
	ln.in.s = NULL; /* the stream is the caller's */
	crin_release(&ln.in);
	cbuf_release(&scratch);
	return rc;
}

/* A JSON input purify cannot write back: one JSON array or object (read
 * whole-file, as records), or a --text-field that is a path or several
 * fields (the writer rewrites one top-level string field). */
int cpurify_jsonl_check(const contam_scan *s, const char *path, cerr *err)
{
	int plain = s->opt.ntext_fields == 0 ||
		    (s->opt.ntext_fields == 1 &&
		     !strchr(s->opt.text_fields[0], '.'));
	int whole = creader_jsonl_whole(path, s->opt.fast);
	if (whole)
		return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s' is one "
				"JSON %s (read whole-file), which --purify "
				"cannot write back; convert it to JSON lines "
				"or scan it without --purify", path,
				whole == 1 ? "array" : "object");
	if (!plain)
		return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s': "
				"--purify rewrites one top-level string "
				"field, not a --text-field path or several "
				"fields", path);
	return CONTAM_OK;
}
