/*
 * reader.c -- the reader front end: picks the plugin for an input kind,
 * forwards next_doc/read_text to it, and counts what comes out.
 *
 * Every source kind lives in its own file behind creader_ops (like
 * libarchive's one file per format).  This file also holds what the
 * plugins share: the damage reporter (one message format, strict mode in
 * one place) and `crin`, the look-ahead buffer that record parsers (WARC,
 * JSONL) read through.  crin exists because the stream below can skip a
 * damaged gzip member or zstd frame: a record cut by such a hole must
 * not be glued to the bytes that follow it, so crin never lets a parser
 * see bytes from both sides of a hole as one run.
 */
#include "reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct creader {
	const creader_ops *ops;
	void *state;
	contam_input_kind kind;
	char *path;
	char *text_field;
	char **text_fields;      /* copies of opt.text_fields (may be none) */
	size_t ntext_fields;
	creader_options opt;
	creader_ctx cx;
	uint64_t errors;
	uint64_t bytes_text;
	int failed;
	cerr fail;
};

/* ------------------------------------------------------------------ */
/* Damage reports                                                      */

int creader_damage(const creader_ctx *cx, cerr *err, uint64_t count,
		   const char *fmt, ...)
{
	char what[CERR_MSG_MAX];
	char msg[CERR_MSG_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof msg, "%s: %s", cx->label, what);
	*cx->errors += count;
	if (cx->opt->strict)
		return cerr_set(err, CONTAM_E_CORRUPT, "%s", msg);
	if (cx->opt->on_warning)
		cx->opt->on_warning(cx->opt->ctx, msg);
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* crin: look-ahead buffer with damage boundaries                      */

int crin_init(crin *in, cstream *s, size_t max_cap, cerr *err)
{
	memset(in, 0, sizeof *in);
	in->s = s;
	in->cap = CREADER_PIECE;
	in->max_cap = max_cap > in->cap ? max_cap : in->cap;
	in->buf = malloc(in->cap);
	if (!in->buf)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

void crin_release(crin *in)
{
	free(in->buf);
	cstream_free(in->s);
	memset(in, 0, sizeof *in);
}

int crin_more(crin *in, size_t want, cerr *err)
{
	char msg[CERR_MSG_MAX];

	if (in->has_damage)
		return CRIN_DAMAGE;
	if (in->eof)
		return 0;
	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->base += in->pos;
		in->pos = 0;
	}
	if (want < in->len + 1)
		want = in->len + 1;
	if (want > in->cap && in->cap < in->max_cap) {
		size_t cap = in->cap;
		while (cap < want && cap < in->max_cap)
			cap = cap > in->max_cap / 2 ? in->max_cap : cap * 2;
		char *p = realloc(in->buf, cap);
		if (!p)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		in->buf = p;
		in->cap = cap;
	}
	if (in->len == in->cap)
		return cerr_set(err, CONTAM_E_LIMIT, "record buffer full");
	long got = cstream_read(in->s, in->buf + in->len, in->cap - in->len, err);
	if (got < 0)
		return (int)got;
	int n = cstream_take_damage(in->s, msg, sizeof msg);
	if (n > 0) {
		/* The damage lies before the bytes just read. */
		in->has_damage = 1;
		in->damage_at = in->len;
		in->damage_count = n;
		snprintf(in->damage_msg, sizeof in->damage_msg, "%s", msg);
	}
	if (got == 0)
		in->eof = 1;
	in->len += (size_t)got;
	if (n > 0)
		return CRIN_DAMAGE;
	return got > 0 ? 1 : 0;
}

int crin_pass_damage(crin *in, char *msg, size_t msglen)
{
	if (!in->has_damage)
		return 0;
	int n = in->damage_count;
	if (msg && msglen)
		snprintf(msg, msglen, "%s", in->damage_msg);
	in->pos = in->damage_at;
	in->has_damage = 0;
	in->damage_count = 0;
	in->damage_msg[0] = '\0';
	return n;
}

/* ------------------------------------------------------------------ */
/* Kind detection                                                      */

static int ends_with_any(const char *name, const char *const *suffixes)
{
	for (size_t i = 0; suffixes[i]; i++)
		if (cends_with(name, suffixes[i]))
			return 1;
	return 0;
}

contam_input_kind creader_detect_name(const char *name)
{
	static const char *const archive[] = {
		".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.xz",
		".txz", ".tar.bz2", ".tbz2", ".tbz", ".zip", ".7z", NULL
	};
	static const char *const warc[] = {
		".warc", ".warc.gz", ".warc.zst", ".wet", ".wet.gz",
		".wet.zst", NULL
	};
	static const char *const jsonl[] = {
		".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz",
		".json.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst", NULL
	};
	static const char *const text[] = {
		".txt", ".txt.gz", ".txt.zst", NULL
	};

	/* Archives first: "x.jsonl.tar" is an archive. */
	if (ends_with_any(name, archive))
		return CONTAM_INPUT_ARCHIVE;
	/* A MediaWiki dump is named "<wiki>-<date>-pages-articles*.xml*"
	 * (or pages-meta-*), compressed or not; the enwiki chunks put the
	 * page range after ".xml" ("...articles1.xml-p10p30302.bz2"). */
	if ((strstr(name, "pages-articles") || strstr(name, "pages-meta")) &&
	    strstr(name, ".xml"))
		return CONTAM_INPUT_MEDIAWIKI;
	if (ends_with_any(name, warc))
		return CONTAM_INPUT_WARC;
	if (ends_with_any(name, jsonl))
		return CONTAM_INPUT_JSONL;
	if (ends_with_any(name, text))
		return CONTAM_INPUT_TEXT;
	return CONTAM_INPUT_UNKNOWN;
}

/* Does the decompressed start s[0..n) (at a '<') open a <mediawiki>
 * root element, after an XML declaration and comments? */
static int is_mediawiki(const char *s, size_t n)
{
	size_t i = 0;
	while (i + 1 < n && s[i] == '<' && (s[i + 1] == '?' || s[i + 1] == '!')) {
		const char *gt = memchr(s + i, '>', n - i);
		if (!gt)
			return 0;
		i = (size_t)(gt - s) + 1;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
				 s[i] == '\n'))
			i++;
	}
	return n - i > 10 && memcmp(s + i, "<mediawiki", 10) == 0 &&
	       (s[i + 10] == ' ' || s[i + 10] == '>' || s[i + 10] == '\n' ||
		s[i + 10] == '\t' || s[i + 10] == '\r');
}

/* Sniff the first bytes.  Raw magic first (zip, xz and bzip2 are not
 * decoded by cstream, so they can only be recognized raw), then the
 * decompressed start. */
static contam_input_kind detect_content(const char *path)
{
	unsigned char raw[8];
	char head[512];
	cstream *s = NULL;
	cerr err;
	contam_input_kind kind = CONTAM_INPUT_TEXT;
	size_t n = 0;

	FILE *f = fopen(path, "rb");
	if (!f)
		return CONTAM_INPUT_TEXT; /* the open error is reported later */
	size_t nraw = fread(raw, 1, sizeof raw, f);
	if ((nraw >= 4 && memcmp(raw, "PK\003\004", 4) == 0) ||
	    (nraw >= 4 && memcmp(raw, "PK\005\006", 4) == 0) ||
	    (nraw >= 6 && memcmp(raw, "\xfd" "7zXZ\0", 6) == 0) ||
	    (nraw >= 6 && memcmp(raw, "7z\xbc\xaf\x27\x1c", 6) == 0) ||
	    (nraw >= 3 && memcmp(raw, "BZh", 3) == 0)) {
		fclose(f);
		return CONTAM_INPUT_ARCHIVE;
	}
	rewind(f);
	cerr_clear(&err);
	if (cstream_open_file(&s, f, path, 1, &err) < 0)
		return CONTAM_INPUT_TEXT;
	while (n < sizeof head) {
		long got = cstream_read(s, head + n, sizeof head - n, &err);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	cstream_free(s);

	size_t i = 0;
	if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3; /* UTF-8 byte order mark */
	if (n >= 5 && memcmp(head, "WARC/", 5) == 0)
		kind = CONTAM_INPUT_WARC;
	else if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		kind = CONTAM_INPUT_ARCHIVE;
	else {
		while (i < n && (head[i] == ' ' || head[i] == '\t' ||
				 head[i] == '\r' || head[i] == '\n'))
			i++;
		if (i < n && head[i] == '{')
			kind = CONTAM_INPUT_JSONL;
		else if (i < n && head[i] == '<' && is_mediawiki(head + i, n - i))
			kind = CONTAM_INPUT_MEDIAWIKI;
	}
	return kind;
}

contam_input_kind creader_detect(const char *path)
{
	const char *base = strrchr(path, '/');
	contam_input_kind kind = creader_detect_name(base ? base + 1 : path);
	if (kind != CONTAM_INPUT_UNKNOWN)
		return kind;
	return detect_content(path);
}

static const creader_ops *ops_for(contam_input_kind kind)
{
	switch (kind) {
	case CONTAM_INPUT_WARC: return &creader_warc_ops;
	case CONTAM_INPUT_JSONL: return &creader_jsonl_ops;
	case CONTAM_INPUT_ARCHIVE: return &creader_archive_ops;
	case CONTAM_INPUT_MEDIAWIKI: return &creader_mediawiki_ops;
	default: return &creader_text_ops;
	}
}

/* ------------------------------------------------------------------ */
/* Front end                                                           */

int creader_open(creader **out, const char *path, const creader_options *opt,
		 cerr *err)
{
	creader *r = NULL;
	cstream *in = NULL;
	int rc = CONTAM_OK;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (!r) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (opt)
		r->opt = *opt;
	r->path = cstrdup(path);
	r->text_field = cstrdup(r->opt.text_field && r->opt.text_field[0]
				? r->opt.text_field : "text");
	if (!r->path || !r->text_field) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	r->opt.text_field = r->text_field;
	/* The paths, copied (none: the one plain text_field). */
	size_t nf = r->opt.text_fields ? r->opt.ntext_fields : 0;
	r->text_fields = calloc(nf ? nf : 1, sizeof *r->text_fields);
	if (!r->text_fields) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	r->ntext_fields = nf;
	for (size_t i = 0; i < nf; i++) {
		const char *f = r->opt.text_fields[i];
		if (!(r->text_fields[i] = cstrdup(f && f[0] ? f : "text"))) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	}
	r->opt.text_fields = nf ? (const char *const *)r->text_fields : NULL;
	r->opt.ntext_fields = nf;
	if (r->opt.max_record == 0)
		r->opt.max_record = CREADER_DEFAULT_MAX_RECORD;
	r->cx.label = r->path;
	r->cx.opt = &r->opt;
	r->cx.errors = &r->errors;

	r->kind = creader_detect(path);
	if (r->kind == CONTAM_INPUT_UNKNOWN)
		r->kind = CONTAM_INPUT_TEXT;
	r->ops = ops_for(r->kind);
	if (r->kind != CONTAM_INPUT_ARCHIVE) {
		rc = cstream_open(&in, path, err);
		if (rc < 0)
			goto out;
		cstream_set_strict(in, r->opt.strict);
	}
	rc = r->ops->open(&r->state, path, in, &r->cx, err);
	in = NULL; /* owned by the plugin now */
	if (rc < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	cstream_free(in);
	creader_free(r);
	return rc;
}

int creader_next_doc(creader *r, creader_doc *doc, cerr *err)
{
	if (r->failed) {
		*err = r->fail;
		return r->fail.code;
	}
	memset(doc, 0, sizeof *doc);
	int rc = r->ops->next_doc(r->state, doc, err);
	if (rc < 0) {
		r->failed = 1;
		r->fail = *err;
		return rc;
	}
	doc->path = r->path;
	return rc;
}

int creader_read_text(creader *r, const char **p, size_t *n, cerr *err)
{
	if (r->failed) {
		*err = r->fail;
		return r->fail.code;
	}
	*p = NULL;
	*n = 0;
	int rc = r->ops->read_text(r->state, p, n, err);
	if (rc < 0) {
		r->failed = 1;
		r->fail = *err;
		return rc;
	}
	if (rc == 1)
		r->bytes_text += *n;
	return rc;
}

uint64_t creader_errors(const creader *r) { return r->errors; }
uint64_t creader_bytes_text(const creader *r) { return r->bytes_text; }
contam_input_kind creader_kind(const creader *r) { return r->kind; }

uint64_t creader_bytes_in(const creader *r)
{
	return r->state ? r->ops->bytes_in(r->state) : 0;
}

void creader_free(creader *r)
{
	if (!r)
		return;
	if (r->state)
		r->ops->close(r->state);
	free(r->path);
	free(r->text_field);
	for (size_t i = 0; i < r->ntext_fields; i++)
		free(r->text_fields[i]);
	free(r->text_fields);
	free(r);
}
