/*
 * scan_purify.c -- the decontaminated copy: every corpus file rewritten
 * under the purify directory in the same format and compression, with
 * matched documents dropped (drop) or their matched regions cut out
 * (cut), plus purify-manifest.jsonl saying what was removed and why.
 *
 * Why a second pass per file rather than writing during the scan: a
 * match is only known to count once every n-gram's document frequency is
 * known (--max-doc-freq), and hit documents are rare, so the second pass
 * mostly copies.  Documents are found again by their provenance, in the
 * reader's order: (member, decompressed offset of the record).  Records
 * without a match are copied byte for byte (a JSONL line, a WARC record
 * with its header); only matched documents are re-encoded.  A file with
 * nothing to remove is copied as it is; in a gzip WARC/WET file (one
 * member per record, as Common Crawl ships them) members without a match
 * keep even their compressed bytes, and a rewritten record is a member of
 * its own.  Other compressed files are compressed again (same codec).
 *
 * Cut mode follows GPT-3: each kept match plus `cut_margin` characters
 * on each side is removed; the remaining pieces are joined by newlines
 * (so no token forms across a cut), and a document cut into more than
 * `cut_max_pieces` pieces is dropped whole.  A match ignored by
 * --max-doc-freq is not a match here either.
 *
 * Supported: JSONL (plain, gzip, zstd), WARC/WET (plain, gzip -- one
 * member per record -- or zstd), plain text, and tar/zip archives of
 * those (through libarchive, same format and filter).
 */
#include "scan.h"
#include "../common/stream.h"
#include "../reader/reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

typedef struct purifier {
	contam_scan *s;
	const cscan_file *f;
	size_t cursor;           /* next hit document of f to meet */
	uint64_t missed;         /* hit documents not met again */
	FILE *manifest;          /* this file's lines (in memory) */
	uint64_t base;           /* decompressed offset of what is parsed */
	int in_member;           /* parsing one gzip member: a record cut
				    by its end means PURIFY_FALLBACK */
	uint64_t dropped, cut, regions;
	const char *out_path;
	cbuf cut_text;           /* scratch: the text after cutting */
	cerr *err;
} purifier;

enum { KEEP = 0, DROP = 1, CUT = 2 };

/* The hit document at (member, offset), if it is the next one. */
static const cscan_hitdoc *meet(purifier *p, const char *member, uint64_t offset)
{
	if (p->cursor >= p->f->ndocs)
		return NULL;
	const cscan_hitdoc *hd = &p->f->docs[p->cursor];
	if (hd->offset != p->base + offset)
		return NULL;
	if ((hd->member == NULL) != (member == NULL) ||
	    (member && strcmp(hd->member, member) != 0))
		return NULL;
	p->cursor++;
	return hd;
}

static int mkdirs(const char *path)
{
	char *d = cstrdup(path);
	if (!d)
		return -1;
	for (char *q = d + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(d, 0777) && errno != EEXIST) {
			free(d);
			return -1;
		}
		*q = '/';
	}
	free(d);
	return 0;
}

/* OUTDIR/path, with a leading '/' dropped and ".." made harmless. */
static char *out_name(const char *dir, const char *path)
{
	cbuf b = CBUF_INIT;
	int rc = cbuf_printf(&b, "%s/", dir);
	const char *s = path;
	while (*s == '/')
		s++;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			rc |= cbuf_append(&b, "__", 2);
		else if (!(n == 1 && s[0] == '.') && n)
			rc |= cbuf_append(&b, s, n);
		if (e && n && !(n == 1 && s[0] == '.'))
			rc |= cbuf_putc(&b, '/');
		s = e ? e + 1 : s + n;
	}
	if (rc) {
		cbuf_release(&b);
		return NULL;
	}
	return cbuf_detach(&b, NULL);
}

/* ---- decisions ---------------------------------------------------- */

typedef struct range { uint64_t start, end; } range;

static int cmp_range(const void *a, const void *b)
{
	const range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Move back / forward by `chars` UTF-8 characters. */
static uint64_t back_chars(const char *t, uint64_t i, uint32_t chars)
{
	while (i > 0 && chars > 0) {
		i--;
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			chars--;
	}
	while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static uint64_t fwd_chars(const char *t, uint64_t len, uint64_t i, uint32_t chars)
{
	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

static int only_space(const char *t, uint64_t a, uint64_t b)
{
	for (uint64_t i = a; i < b; i++)
		if (!strchr(" \t\r\n\f\v", t[i]))
			return 0;
	return 1;
}

static int manifest_line(purifier *p, const cscan_hitdoc *hd, int action,
			 const char *why, const range *rs, size_t nr, size_t pieces)
{
	cbuf b = CBUF_INIT;
	int rc = cbuf_printf(&b, "{\"file\": ");
	rc |= cbuf_json_string(&b, p->f->path, strlen(p->f->path));
	rc |= cbuf_printf(&b, ", \"output\": ");
	rc |= cbuf_json_string(&b, p->out_path, strlen(p->out_path));
	rc |= cbuf_printf(&b, ", \"member\": ");
	rc |= hd->member ? cbuf_json_string(&b, hd->member, strlen(hd->member))
			 : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"record\": %" PRIu64 ", \"offset\": %" PRIu64
			  ", \"url\": ", hd->record, hd->offset);
	rc |= hd->url ? cbuf_json_string(&b, hd->url, strlen(hd->url)) : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"id\": ");
	rc |= hd->id ? cbuf_json_string(&b, hd->id, strlen(hd->id)) : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"action\": \"%s\", \"reason\": \"%s\", \"pieces\": %zu"
			  ", \"removed\": [", action == CUT ? "cut" : "drop", why, pieces);
	for (size_t i = 0; i < nr; i++)
		rc |= cbuf_printf(&b, "%s[%" PRIu64 ", %" PRIu64 "]", i ? ", " : "",
				  rs[i].start, rs[i].end);
	rc |= cbuf_printf(&b, "], \"examples\": [");
	/* the distinct examples of the kept chains */
	size_t shown = 0;
	for (size_t i = 0; i < hd->nchains; i++) {
		const cscan_chain *c = &hd->chains[i];
		if (!cscan_chain_kept(p->s, c))
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = hd->chains[j].ex == c->ex && cscan_chain_kept(p->s, &hd->chains[j]);
		if (seen)
			continue;
		const contam_example *e = &p->s->examples[c->ex];
		rc |= cbuf_printf(&b, "%s{\"benchmark\": ", shown++ ? ", " : "");
		rc |= cbuf_json_string(&b, e->benchmark, strlen(e->benchmark));
		rc |= cbuf_printf(&b, ", \"source\": ");
		rc |= cbuf_json_string(&b, e->source, strlen(e->source));
		rc |= cbuf_printf(&b, ", \"record\": %" PRIu64 "}", e->record);
	}
	rc |= cbuf_printf(&b, "]}\n");
	if (!rc && fwrite(b.data, 1, b.len, p->manifest) != b.len)
		rc = CONTAM_E_IO;
	cbuf_release(&b);
	if (rc)
		return cerr_set(p->err, rc == CONTAM_E_IO ? CONTAM_E_IO : CONTAM_E_NOMEM,
				"cannot write the purify manifest");
	return CONTAM_OK;
}

/* What to do with a hit document whose text is text[0..len) (NULL when
 * the caller cannot cut: then cut mode drops).  For CUT, p->cut_text holds
 * the new text. */
static int decide(purifier *p, const cscan_hitdoc *hd, const char *text,
		  uint64_t len, int *action)
{
	const contam_scan_options *o = &p->s->opt;
	range *rs = NULL;
	size_t nr = 0;
	int rc = CONTAM_OK;

	*action = KEEP;
	if (!hd)
		return CONTAM_OK;
	rs = malloc((hd->nchains ? hd->nchains : 1) * sizeof(*rs));
	if (!rs)
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < hd->nchains; i++)
		if (cscan_chain_kept(p->s, &hd->chains[i]))
			rs[nr++] = (range){ hd->chains[i].start, hd->chains[i].end };
	if (!nr)
		goto out;
	if (o->purify_mode != CONTAM_PURIFY_CUT || !text) {
		*action = DROP;
		p->dropped++;
		rc = manifest_line(p, hd, DROP, o->purify_mode == CONTAM_PURIFY_CUT ?
				   "match; this record kind cannot be cut" : "match",
				   rs, nr, 0);
		goto out;
	}
	/* widen by the margin, merge */
	for (size_t i = 0; i < nr; i++) {
		if (rs[i].end > len)
			rs[i].end = len;
		if (rs[i].start > rs[i].end)
			rs[i].start = rs[i].end;
		rs[i].start = back_chars(text, rs[i].start, o->cut_margin);
		rs[i].end = fwd_chars(text, len, rs[i].end, o->cut_margin);
	}
	qsort(rs, nr, sizeof(*rs), cmp_range);
	size_t m = 0;
	for (size_t i = 0; i < nr; i++) {
		if (m && rs[i].start <= rs[m - 1].end) {
			if (rs[i].end > rs[m - 1].end)
				rs[m - 1].end = rs[i].end;
		} else {
			rs[m++] = rs[i];
		}
	}
	nr = m;
	size_t pieces = 0;
	uint64_t at = 0;
	cbuf_reset(&p->cut_text);
	for (size_t i = 0; i <= nr; i++) {
		uint64_t e = i < nr ? rs[i].start : len;
		if (e > at && !only_space(text, at, e)) {
			if (pieces && cbuf_putc(&p->cut_text, '\n'))
				rc = CONTAM_E_NOMEM;
			if (cbuf_append(&p->cut_text, text + at, (size_t)(e - at)))
				rc = CONTAM_E_NOMEM;
			pieces++;
		}
		if (i < nr)
			at = rs[i].end;
	}
	if (rc) {
		rc = cerr_set(p->err, rc, "out of memory");
		goto out;
	}
	if (pieces == 0 || pieces > o->cut_max_pieces) {
		*action = DROP;
		p->dropped++;
		rc = manifest_line(p, hd, DROP, pieces ? "cut into too many pieces"
				   : "nothing left after cutting", rs, nr, pieces);
		goto out;
	}
	*action = CUT;
	p->cut++;
	p->regions += nr;
	rc = manifest_line(p, hd, CUT, "match", rs, nr, pieces);
out:
	free(rs);
	return rc;
}

/* ---- a buffered reader over a decompressed stream ------------------ */

typedef struct pin {
	cstream *s;
	char *buf;
	size_t cap, pos, len;
	uint64_t base;           /* offset of buf[0] */
	int eof;
	cerr *err;
} pin;

/* Make at least `want` unread bytes available if the input has them;
 * returns the number available, or < 0 on error. */
static long pin_fill(pin *in, size_t want)
{
	while (in->len - in->pos < want && !in->eof) {
		if (in->pos) {
			memmove(in->buf, in->buf + in->pos, in->len - in->pos);
			in->base += in->pos;
			in->len -= in->pos;
			in->pos = 0;
		}
		if (in->cap - in->len < (1u << 16)) {
			size_t cap = in->cap ? in->cap * 2 : (1u << 20);
			while (cap - in->len < (1u << 16))
				cap *= 2;
			char *b = realloc(in->buf, cap);
			if (!b)
				return cerr_set(in->err, CONTAM_E_NOMEM, "out of memory");
			in->buf = b;
			in->cap = cap;
		}
		long n = cstream_read(in->s, in->buf + in->len, in->cap - in->len, in->err);
		if (n < 0)
			return n;
		if (n == 0)
			in->eof = 1;
		in->len += (size_t)n;
	}
	return (long)(in->len - in->pos);
}

/* Find `needle` in the unread bytes from `from`, reading more as needed;
 * returns its index relative to pos, or -1 (end of input), or < -1. */
static long pin_find(pin *in, size_t from, const char *needle, size_t nlen)
{
	for (;;) {
		size_t avail = in->len - in->pos;
		if (avail >= from + nlen) {
			const char *h = memmem(in->buf + in->pos + from, avail - from,
					       needle, nlen);
			if (h)
				return (long)(h - (in->buf + in->pos));
			from = avail - nlen + 1;
		}
		if (in->eof)
			return -1;
		long r = pin_fill(in, avail + (1u << 16));
		if (r < 0)
			return r - 1;
	}
}

/* ---- JSONL ---------------------------------------------------------- */

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
		rc = decide(p, hd, NULL, 0, action); /* cannot cut: drop */
		json_decref(root);
		return rc;
	}
	rc = decide(p, hd, json_string_value(v), json_string_length(v), action);
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
	return rc ? cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path) : 0;
}

static int purify_jsonl(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	pin in = { .s = s, .err = p->err };
	int rc = CONTAM_OK;
	for (;;) {
		long nl = pin_find(&in, 0, "\n", 1);
		if (nl < -1) {
			rc = (int)(nl + 1);
			break;
		}
		size_t avail = in.len - in.pos;
		size_t n = nl < 0 ? avail : (size_t)nl + 1; /* with the newline */
		if (n == 0)
			break;
		const char *line = in.buf + in.pos;
		uint64_t off = in.base + in.pos;
		const cscan_hitdoc *hd = meet(p, member, off);
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
			rc = decide(p, hd, NULL, 0, &action);
		}
		if (!rc && action == KEEP && cscan_sink_write(out, line, n))
			rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
		in.pos += n;
		if (rc)
			break;
	}
	free(in.buf);
	return rc;
}

/* ---- WARC ----------------------------------------------------------- */

/* Value of header `name` in the header block h[0..n), or NULL. */
static const char *header_value(const char *h, size_t n, const char *name,
				size_t *vlen)
{
	size_t nl = strlen(name);
	const char *end = h + n, *q = h;
	while (q < end) {
		const char *e = memchr(q, '\n', (size_t)(end - q));
		if (!e)
			e = end;
		if ((size_t)(e - q) > nl && q[nl] == ':' && strncasecmp(q, name, nl) == 0) {
			const char *v = q + nl + 1;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = e;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			*vlen = (size_t)(ve - v);
			return v;
		}
		q = e + 1;
	}
	return NULL;
}

/* Length of the WARC header block at the read position, blank line
 * included (CRLF or LF lines); -1 if the input ends first; < -1 on error. */
static long header_end(pin *in)
{
	size_t from = 0;
	for (;;) {
		long k = pin_find(in, from, "\n", 1);
		if (k < 0)
			return k;
		long r = pin_fill(in, (size_t)k + 3);
		if (r < 0)
			return r - 1;
		const char *b = in->buf + in->pos;
		size_t avail = (size_t)r;
		if ((size_t)k + 1 < avail && b[k + 1] == '\n')
			return k + 2;
		if ((size_t)k + 2 < avail && b[k + 1] == '\r' && b[k + 2] == '\n')
			return k + 3;
		from = (size_t)k + 1;
	}
}

static int write_record_cut(purifier *p, cscan_sink *out, const char *rec,
			    size_t hlen, size_t blen, size_t tail)
{
	/* header with the new Content-Length, new body, same trailer */
	size_t vlen;
	const char *v = header_value(rec, hlen, "Content-Length", &vlen);
	char num[32];
	int rc = 0;
	snprintf(num, sizeof num, "%zu", p->cut_text.len);
	if (v) {
		rc |= cscan_sink_write(out, rec, (size_t)(v - rec));
		rc |= cscan_sink_write(out, num, strlen(num));
		rc |= cscan_sink_write(out, v + vlen, hlen - (size_t)(v + vlen - rec));
	} else {
		rc |= cscan_sink_write(out, rec, hlen);
	}
	rc |= cscan_sink_write(out, p->cut_text.data ? p->cut_text.data : "", p->cut_text.len);
	rc |= cscan_sink_write(out, rec + hlen + blen, tail);
	return rc;
}

static int purify_warc(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	pin in = { .s = s, .err = p->err };
	int rc = CONTAM_OK;
	for (;;) {
		long avail = pin_fill(&in, 6);
		if (avail < 0) {
			rc = (int)avail;
			break;
		}
		if (avail == 0)
			break;
		const char *rec = in.buf + in.pos;
		if (avail < 5 || memcmp(rec, "WARC/", 5) != 0) {
			/* not a record start (junk, damage): copy up to the next one */
			long nx = pin_find(&in, 1, "\nWARC/", 6);
			if (nx < -1) {
				rc = (int)(nx + 1);
				break;
			}
			size_t n = nx < 0 ? in.len - in.pos : (size_t)nx + 1;
			if (cscan_sink_write(out, in.buf + in.pos, n))
				rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
			in.pos += n;
			if (rc)
				break;
			continue;
		}
		long hl = header_end(&in);
		if (hl < -1) {
			rc = (int)(hl + 1);
			break;
		}
		uint64_t off = in.base + in.pos;
		size_t hlen = hl < 0 ? in.len - in.pos : (size_t)hl;
		size_t vlen, blen = 0;
		const char *v = header_value(in.buf + in.pos, hlen, "Content-Length", &vlen);
		if (v) {
			char num[32];
			snprintf(num, sizeof num, "%.*s", (int)(vlen < 31 ? vlen : 31), v);
			blen = (size_t)strtoull(num, NULL, 10);
		}
		if ((avail = pin_fill(&in, hlen + blen + 4)) < 0) {
			rc = (int)avail;
			break;
		}
		if ((size_t)avail < hlen + blen) {
			if (p->in_member) {
				rc = 1; /* PURIFY_FALLBACK: a record across members */
				break;
			}
			blen = (size_t)avail - hlen;
		}
		size_t tail = 0;
		rec = in.buf + in.pos;
		while (tail < 4 && hlen + blen + tail < (size_t)avail &&
		       (rec[hlen + blen + tail] == '\r' || rec[hlen + blen + tail] == '\n'))
			tail++;
		size_t total = hlen + blen + tail;
		const cscan_hitdoc *hd = meet(p, member, off);
		int action = KEEP;
		if (hd) {
			size_t tl;
			const char *type = header_value(rec, hlen, "WARC-Type", &tl);
			int cuttable = type && ((tl == 10 && !strncasecmp(type, "conversion", 10)) ||
						(tl == 8 && !strncasecmp(type, "resource", 8)));
			rc = decide(p, hd, cuttable ? rec + hlen : NULL, blen, &action);
		}
		if (!rc && action == KEEP)
			rc = cscan_sink_write(out, rec, total);
		else if (!rc && action == CUT)
			rc = write_record_cut(p, out, rec, hlen, blen, tail);
		if (!rc && action != DROP)
			rc = cscan_sink_end_member(out);
		if (rc) {
			if (!p->err->code)
				cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
			rc = p->err->code;
			break;
		}
		in.pos += total;
	}
	free(in.buf);
	return rc;
}

/* ---- plain text: one document --------------------------------------- */

static int purify_text(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	const cscan_hitdoc *hd = meet(p, member, 0);
	pin in = { .s = s, .err = p->err };
	int rc = CONTAM_OK, action = KEEP;
	if (!hd) {
		char buf[1 << 16];
		long n;
		while ((n = cstream_read(s, buf, sizeof buf, p->err)) > 0)
			if (cscan_sink_write(out, buf, (size_t)n))
				return cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
		return n < 0 ? (int)n : CONTAM_OK;
	}
	long n = pin_fill(&in, SIZE_MAX / 2);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	if ((rc = decide(p, hd, in.buf ? in.buf : "", (uint64_t)n, &action)))
		goto out;
	if (action == KEEP)
		rc = cscan_sink_write(out, in.buf, (size_t)n);
	else if (action == CUT)
		rc = cscan_sink_write(out, p->cut_text.data, p->cut_text.len);
	if (rc)
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
out:
	free(in.buf);
	return rc;
}

static int purify_stream(purifier *p, contam_input_kind kind, cstream *s,
			 cscan_sink *out, const char *member)
{
	switch (kind) {
	case CONTAM_INPUT_JSONL: return purify_jsonl(p, s, out, member);
	case CONTAM_INPUT_WARC: return purify_warc(p, s, out, member);
	default: return purify_text(p, s, out, member);
	}
}

/* ---- archives ------------------------------------------------------- */

static int member_has_hits(const purifier *p, const char *name)
{
	for (size_t i = p->cursor; i < p->f->ndocs; i++)
		if (p->f->docs[i].member && !strcmp(p->f->docs[i].member, name))
			return 1;
	return 0;
}

static int purify_archive(purifier *p)
{
	struct archive *r = archive_read_new(), *w = archive_write_new();
	struct archive_entry *e;
	char *data = NULL, *outdata = NULL, *tmp = NULL;
	size_t outlen = 0;
	int rc = CONTAM_OK, opened = 0;
	char buf[1 << 16];

	if (!r || !w) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(r);
	archive_read_support_format_all(r);
	if (archive_read_open_filename(r, p->f->path, 1 << 16) != ARCHIVE_OK) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot open '%s': %s", p->f->path,
			      archive_error_string(r));
		goto out;
	}
	size_t n = strlen(p->out_path) + 32;
	if (!(tmp = malloc(n))) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s.tmp.%ld", p->out_path, (long)getpid());
	int ar;
	while ((ar = archive_read_next_header(r, &e)) == ARCHIVE_OK) {
		if (!opened) {
			/* same format and filter as the input */
			if (archive_write_set_format(w, archive_format(r)) != ARCHIVE_OK ||
			    (archive_filter_count(r) > 1 &&
			     archive_write_add_filter(w, archive_filter_code(r, 0)) != ARCHIVE_OK) ||
			    archive_write_open_filename(w, tmp) != ARCHIVE_OK) {
				rc = cerr_set(p->err, CONTAM_E_FORMAT, "cannot write '%s': %s",
					      p->out_path, archive_error_string(w));
				goto out;
			}
			opened = 1;
		}
		const char *name = archive_entry_pathname(e);
		int regular = archive_entry_filetype(e) == AE_IFREG;
		if (!regular || !name || !member_has_hits(p, name)) {
			if (archive_write_header(w, e) != ARCHIVE_OK) {
				rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
					      p->out_path, archive_error_string(w));
				goto out;
			}
			la_ssize_t got;
			while ((got = archive_read_data(r, buf, sizeof buf)) > 0)
				if (archive_write_data(w, buf, (size_t)got) != got) {
					rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
						      p->out_path, archive_error_string(w));
					goto out;
				}
			if (got < 0) {
				rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': member '%s': %s",
					      p->f->path, name ? name : "?", archive_error_string(r));
				goto out;
			}
			continue;
		}
		/* a member with matches: through the plugin of its kind, in memory */
		cbuf mem = CBUF_INIT;
		la_ssize_t got;
		while ((got = archive_read_data(r, buf, sizeof buf)) > 0)
			if (cbuf_append(&mem, buf, (size_t)got)) {
				cbuf_release(&mem);
				rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
		if (got < 0) {
			cbuf_release(&mem);
			rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': member '%s': %s",
				      p->f->path, name, archive_error_string(r));
			goto out;
		}
		size_t mlen = mem.len;
		data = cbuf_detach(&mem, NULL);
		FILE *mf = data && mlen ? fmemopen(data, mlen, "rb") : NULL;
		cstream *cs = NULL;
		FILE *of = open_memstream(&outdata, &outlen);
		cscan_sink *k = NULL;
		contam_input_kind kind = creader_detect_name(name);
		if (kind == CONTAM_INPUT_UNKNOWN || kind == CONTAM_INPUT_ARCHIVE ||
		    kind == CONTAM_INPUT_MEDIAWIKI) /* read as text in archives */
			kind = CONTAM_INPUT_TEXT;
		if (!mf || !of || cstream_open_file(&cs, mf, name, 1, p->err) ||
		    cscan_sink_open_stream(&k, of, cstream_get_codec(cs))) {
			if (!cs && mf)
				fclose(mf);
			cstream_free(cs);
			if (of)
				fclose(of);
			rc = p->err->code ? p->err->code
					  : cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		uint64_t dropped = p->dropped;
		rc = purify_stream(p, kind, cs, k, name);
		cstream_free(cs);
		if (!rc)
			rc = cscan_sink_close(k, p->err);
		else
			cscan_sink_abort(k);
		fclose(of);
		free(data);
		data = NULL;
		if (rc)
			goto out;
		/* a plain-text member dropped whole is left out */
		if (kind == CONTAM_INPUT_TEXT && p->dropped > dropped) {
			free(outdata);
			outdata = NULL;
			continue;
		}
		archive_entry_set_size(e, (la_int64_t)outlen);
		if (archive_write_header(w, e) != ARCHIVE_OK ||
		    (outlen && archive_write_data(w, outdata, outlen) != (la_ssize_t)outlen)) {
			rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
				      p->out_path, archive_error_string(w));
			goto out;
		}
		free(outdata);
		outdata = NULL;
	}
	if (ar != ARCHIVE_EOF) {
		rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': %s", p->f->path,
			      archive_error_string(r));
		goto out;
	}
	if (!opened) {
		/* an empty archive: copy the format of nothing -- write an
		 * empty tar */
		if (archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
		    archive_write_open_filename(w, tmp) != ARCHIVE_OK) {
			rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s'", p->out_path);
			goto out;
		}
		opened = 1;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
			      p->out_path, archive_error_string(w));
		goto out;
	}
	if (rename(tmp, p->out_path))
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
			      p->out_path, strerror(errno));
out:
	if (r)
		archive_read_free(r);
	if (w)
		archive_write_free(w);
	if (rc && tmp && opened)
		unlink(tmp);
	free(tmp);
	free(data);
	free(outdata);
	return rc;
}

/* ---- driver ----------------------------------------------------------- */

/* gzip WARC/WET, one member per record as Common Crawl ships them:
 * members without a match are copied as they are (compressed bytes
 * untouched), a member with one is decompressed, purified like any WARC
 * stream and compressed again as one member.  Anything unusual (not
 * gzip, damage, a member over MEMBER_MAX) returns PURIFY_FALLBACK before
 * anything is written, and the file goes the general way. */
#define PURIFY_FALLBACK 1
#define MEMBER_MAX (64u << 20)

static int purify_warc_members(purifier *p)
{
	FILE *in = fopen(p->f->path, "rb");
	FILE *manifest = p->manifest, *pending = NULL;
	char *pending_buf = NULL;
	size_t pending_len = 0;
	cscan_sink *out = NULL;
	cbuf comp = CBUF_INIT, plain = CBUF_INIT;
	unsigned char ibuf[1 << 16], obuf[1 << 16];
	z_stream z;
	int rc = CONTAM_OK, z_open = 0;
	uint64_t dstart = 0;
	size_t cursor0 = p->cursor;

	if (!in)
		return PURIFY_FALLBACK;
	unsigned char magic[2];
	if (fread(magic, 1, 2, in) != 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		fclose(in);
		return PURIFY_FALLBACK;
	}
	rewind(in);
	memset(&z, 0, sizeof(z));
	/* manifest lines wait until the file is done: a fallback drops them */
	if (!(pending = open_memstream(&pending_buf, &pending_len)) ||
	    inflateInit2(&z, 15 + 16) != Z_OK) {
		if (pending)
			fclose(pending);
		free(pending_buf);
		fclose(in);
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	}
	p->manifest = pending;
	z_open = 1;
	if ((rc = cscan_sink_open(&out, p->out_path, CSTREAM_PLAIN, p->err)))
		goto out;
	size_t have = 0, used = 0;
	int eof = 0;
	for (;;) {
		if (used == have && !eof) {
			have = fread(ibuf, 1, sizeof ibuf, in);
			used = 0;
			eof = have == 0;
		}
		if (used == have && eof) {
			if (comp.len)  /* a member cut short */
				rc = PURIFY_FALLBACK;
			break;
		}
		z.next_in = ibuf + used;
		z.avail_in = (uInt)(have - used);
		z.next_out = obuf;
		z.avail_out = sizeof obuf;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t consumed = (have - used) - z.avail_in;
		if (cbuf_append(&comp, ibuf + used, consumed) ||
		    cbuf_append(&plain, obuf, sizeof obuf - z.avail_out)) {
			rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		used += consumed;
		if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && !eof)) {
			rc = PURIFY_FALLBACK;
			break;
		}
		if (plain.len > MEMBER_MAX) {
			rc = PURIFY_FALLBACK;
			break;
		}
		if (zr != Z_STREAM_END)
			continue;
		/* one whole member: [dstart, dstart + plain.len) decompressed */
		int hit = 0;
		for (size_t i = p->cursor; i < p->f->ndocs && !hit; i++)
			hit = p->f->docs[i].offset < dstart + plain.len;
		if (!hit) {
			rc = cscan_sink_write(out, comp.data, comp.len);
		} else {
			char *mem = NULL;
			size_t memlen = 0;
			FILE *mf = fmemopen(plain.data, plain.len, "rb");
			FILE *of = open_memstream(&mem, &memlen);
			cstream *cs = NULL;
			cscan_sink *k = NULL;
			p->base = dstart;
			p->in_member = 1;
			if (!mf || !of || cstream_open_file(&cs, mf, p->f->path, 1, p->err) ||
			    cscan_sink_open_stream(&k, of, CSTREAM_GZIP)) {
				if (!cs && mf)
					fclose(mf);
				rc = p->err->code ? p->err->code
						  : cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			} else {
				rc = purify_warc(p, cs, k, NULL);
				rc = rc ? rc : cscan_sink_close(k, p->err);
				if (rc)
					cscan_sink_abort(k);
				k = NULL;
			}
			cstream_free(cs);
			if (of)
				fclose(of);
			if (!rc && memlen)
				rc = cscan_sink_write(out, mem, memlen);
			free(mem);
			p->base = 0;
			p->in_member = 0;
		}
		if (rc)
			break;
		dstart += plain.len;
		cbuf_reset(&comp);
		cbuf_reset(&plain);
		inflateReset(&z);
	}
	if (rc == CONTAM_OK && p->cursor < p->f->ndocs)
		rc = PURIFY_FALLBACK;  /* documents where members were not */
out:
	p->manifest = manifest;
	if (fclose(pending) && rc == CONTAM_OK)
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	if (rc == PURIFY_FALLBACK) {
		/* nothing written for real yet: undo and let the caller redo */
		cscan_sink_abort(out);
		p->cursor = cursor0;
		p->dropped = p->cut = p->regions = 0;
		cerr_clear(p->err);
	} else if (rc == CONTAM_OK) {
		rc = cscan_sink_close(out, p->err);
		if (!rc && pending_len &&
		    fwrite(pending_buf, 1, pending_len, manifest) != pending_len)
			rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	} else {
		cscan_sink_abort(out);
	}
	free(pending_buf);
	if (z_open)
		inflateEnd(&z);
	cbuf_release(&comp);
	cbuf_release(&plain);
	fclose(in);
	return rc;
}

/* A file with nothing to remove is copied byte for byte. */
static int copy_file(purifier *p)
{
	char buf[1 << 16];
	FILE *in = fopen(p->f->path, "rb");
	cscan_sink *k = NULL;
	size_t n;
	int rc;
	if (!in)
		return cerr_set(p->err, CONTAM_E_IO, "cannot open '%s': %s",
				p->f->path, strerror(errno));
	if ((rc = cscan_sink_open(&k, p->out_path, CSTREAM_PLAIN, p->err))) {
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (cscan_sink_write(k, buf, n))
			break;
	if (ferror(in) || n) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot copy '%s' to '%s'",
			      p->f->path, p->out_path);
		cscan_sink_abort(k);
	} else {
		rc = cscan_sink_close(k, p->err);
	}
	fclose(in);
	return rc;
}

static int purify_file(purifier *p)
{
	cstream *s = NULL;
	cscan_sink *k = NULL;
	int rc, any = 0;

	if (mkdirs(p->out_path))
		return cerr_set(p->err, CONTAM_E_IO, "cannot create the directory of '%s': %s",
				p->out_path, strerror(errno));
	for (size_t i = 0; i < p->f->ndocs && !any; i++)
		for (size_t j = 0; j < p->f->docs[i].nchains && !any; j++)
			any = cscan_chain_kept(p->s, &p->f->docs[i].chains[j]);
	if (!any) {
		/* every match is ignored: the documents stay, as they are */
		p->cursor = p->f->ndocs;
		return copy_file(p);
	}
	if (p->f->kind == CONTAM_INPUT_WARC &&
	    (rc = purify_warc_members(p)) != PURIFY_FALLBACK)
		return rc;
	if (p->f->kind == CONTAM_INPUT_ARCHIVE)
		return purify_archive(p);
	if ((rc = cstream_open(&s, p->f->path, p->err)))
		return rc;
	if ((rc = cscan_sink_open(&k, p->out_path, cstream_get_codec(s), p->err)))
		goto out;
	rc = purify_stream(p, p->f->kind, s, k, NULL);
	if (!rc) {
		rc = cscan_sink_close(k, p->err);
		k = NULL;
	}
out:
	cscan_sink_abort(k);
	cstream_free(s);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Formats purify cannot write back are refused before anything is
 * written: a MediaWiki dump, a whole-file JSON (array or object), and
 * JSON lines whose text is not one plain top-level string field. */
static int purify_refuse(contam_scan *s, cerr *err)
{
	int plain = s->opt.ntext_fields == 0 ||
		    (s->opt.ntext_fields == 1 &&
		     !strchr(s->opt.text_fields[0], '.'));
	for (size_t i = 0; i < s->nfiles; i++) {
		const char *path = s->files[i].path;
		contam_input_kind kind = creader_detect(path);
		int whole = kind == CONTAM_INPUT_JSONL ? creader_jsonl_whole(path) : 0;
		if (kind == CONTAM_INPUT_MEDIAWIKI)
			return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s' is a "
					"MediaWiki XML dump, which --purify cannot "
					"write back; scan it without --purify",
					path);
		if (whole)
			return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s' is one "
					"JSON %s (read whole-file), which --purify "
					"cannot write back; convert it to JSON lines "
					"or scan it without --purify", path,
					whole == 1 ? "array" : "object");
		if (kind == CONTAM_INPUT_JSONL && !plain)
			return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s': "
					"--purify rewrites one top-level string "
					"field, not a --text-field path or several "
					"fields", path);
	}
	return CONTAM_OK;
}

/* Refuse to write over an input, or two inputs to one output (the same
 * file given twice, "a/x" and "./a/x"). */
int cscan_purify_prepare(contam_scan *s, cerr *err)
{
	char **names = calloc(s->nfiles ? s->nfiles : 1, sizeof(*names));
	int rc = CONTAM_OK;
	if (!names)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if ((rc = purify_refuse(s, err)))
		goto out;
	if (mkdir(s->opt.purify_dir, 0777) && errno != EEXIST) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s",
			      s->opt.purify_dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		struct stat a, b;
		if (!(names[i] = out_name(s->opt.purify_dir, s->files[i].path))) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		if (stat(names[i], &a) == 0 && stat(s->files[i].path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			rc = cerr_set(err, CONTAM_E_PARAM, "purify: the copy of '%s' would "
				      "overwrite it; choose another --purify directory",
				      s->files[i].path);
			goto out;
		}
	}
	qsort(names, s->nfiles, sizeof(*names), cmp_str);
	for (size_t i = 1; i < s->nfiles; i++)
		if (!strcmp(names[i], names[i - 1])) {
			rc = cerr_set(err, CONTAM_E_PARAM, "purify: two inputs would both be "
				      "written to '%s' (an input given twice?)", names[i]);
			goto out;
		}
out:
	for (size_t i = 0; i < s->nfiles; i++)
		free(names[i]);
	free(names);
	return rc;
}

int cscan_purify_one(contam_scan *s, size_t i, cscan_purified *res, cerr *err)
{
	purifier p;
	int rc = CONTAM_OK;

	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	p.s = s;
	p.err = err;
	p.f = &s->files[i];
	char *o = out_name(s->opt.purify_dir, p.f->path);
	if (!o || !(p.manifest = open_memstream(&res->manifest, &res->manifest_len))) {
		free(o);
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	p.out_path = o;
	rc = purify_file(&p);
	if (!rc && p.cursor < p.f->ndocs) {
		/* the reader found documents this pass did not: never claim a
		 * clean copy that is not */
		rc = cerr_set(err, CONTAM_E_FORMAT, "purify: '%s': %zu matched "
			      "documents could not be located (record %" PRIu64
			      " at offset %" PRIu64 ")", p.f->path,
			      p.f->ndocs - p.cursor, p.f->docs[p.cursor].record,
			      p.f->docs[p.cursor].offset);
	}
	if (fclose(p.manifest) && !rc)
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	res->dropped = p.dropped;
	res->cut = p.cut;
	res->regions = p.regions;
	cbuf_release(&p.cut_text);
	free(o);
	return rc;
}

int cscan_purify_finish(contam_scan *s, cscan_purified *res, cerr *err)
{
	size_t n = strlen(s->opt.purify_dir) + 32;
	char *mpath = malloc(n);
	int rc = CONTAM_OK;
	if (!mpath)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	snprintf(mpath, n, "%s/purify-manifest.jsonl", s->opt.purify_dir);
	FILE *m = fopen(mpath, "w");
	if (!m) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s", mpath, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		if (res[i].manifest_len &&
		    fwrite(res[i].manifest, 1, res[i].manifest_len, m) != res[i].manifest_len)
			rc = CONTAM_E_IO;
		s->stats.dropped_documents += res[i].dropped;
		s->stats.cut_documents += res[i].cut;
		s->stats.cut_regions += res[i].regions;
		s->stats.purified_files++;
	}
	if ((fclose(m) || rc) && (rc = CONTAM_E_IO))
		cerr_set(err, rc, "cannot write '%s': %s", mpath, strerror(errno));
out:
	free(mpath);
	return rc;
}
