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
#include "parquet.h"

#include "../common/sniff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

void creader_note(const creader_options *opt, const char *msg)
{
	if (opt->on_note)
		opt->on_note(opt->ctx, msg);
	else if (opt->on_warning)
		opt->on_warning(opt->ctx, msg);
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

/* Every format, in the order their name rules are asked: Parquet and
 * archives first ("x.jsonl.tar" is an archive), then a MediaWiki dump's
 * name pattern, then the kinds named by their last suffix.  A new input
 * format is one reader_<kind>.c defining its creader_ops (reader, kind,
 * name and content rules) and one line here. */
extern const creader_ops creader_parquet_ops, creader_archive_ops,
	creader_mediawiki_ops, creader_wikidoc_ops;
static const creader_ops *const formats[] = {
	&creader_parquet_ops,
	&creader_archive_ops,
	&creader_mediawiki_ops,
	&creader_warc_ops,
	&creader_jsonl_ops,
	&creader_wikidoc_ops,
	&creader_text_ops,
};
#define NFORMATS (sizeof formats / sizeof *formats)

const creader_ops *creader_format_of(contam_input_kind kind)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i]->kind == kind)
			return formats[i];
	return NULL;
}

int creader_name_ends(const char *name, const char *const *suffixes)
{
	for (size_t i = 0; suffixes[i]; i++)
		if (cends_with(name, suffixes[i]))
			return 1;
	return 0;
}

/* Compression suffixes a name may carry on top of its kind. */
static const char *const codec_suffixes[] = {
	".gz", ".zst", ".zstd", ".bz2", ".xz", ".lzma", NULL
};

/* The codec a name says (".jsonl.gz": gzip), or CSTREAM_PLAIN. */
static cstream_codec name_codec(const char *name)
{
	if (cends_with(name, ".gz") || cends_with(name, ".tgz"))
		return CSTREAM_GZIP;
	if (cends_with(name, ".zst") || cends_with(name, ".zstd") ||
	    cends_with(name, ".tzst"))
		return CSTREAM_ZSTD;
	if (cends_with(name, ".bz2") || cends_with(name, ".tbz2") ||
	    cends_with(name, ".tbz"))
		return CSTREAM_BZIP2;
	if (cends_with(name, ".xz") || cends_with(name, ".txz") ||
	    cends_with(name, ".lzma"))
		return CSTREAM_XZ; /* the xz decoder reads .lzma too */
	return CSTREAM_PLAIN;
}

/* The input's name, for the name rules: the last path component. */
static const char *base_name(const char *path)
{
	const char *base = strrchr(path, '/');
	return base ? base + 1 : path;
}

/* The last 63 bytes of `name` without one compression suffix
 * ("x.jsonl.bz2" -> "x.jsonl"), into base[64]. */
static void bare_name(const char *name, char base[64])
{
	size_t n = strlen(name);
	for (size_t i = 0; codec_suffixes[i]; i++) {
		if (cends_with(name, codec_suffixes[i])) {
			n -= strlen(codec_suffixes[i]);
			break;
		}
	}
	size_t from = n > 63 ? n - 63 : 0;
	memcpy(base, name + from, n - from);
	base[n - from] = '\0';
}

contam_input_kind creader_detect_name(const char *name)
{
	char base[64];

	/* "x.jsonl.bz2" is JSONL: strip one compression suffix */
	bare_name(name, base);
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i]->by_name && formats[i]->by_name(name, base))
			return formats[i]->kind;
	return CONTAM_INPUT_UNKNOWN;
}

static const char *kind_phrase(contam_input_kind k)
{
	const creader_ops *f = creader_format_of(k);
	return f ? f->phrase : "text";
}

/* The kind text content says: the first format whose content rule
 * claims the head (WARC's "WARC/", JSONL's '{', ...), else plain text.
 * For UTF-16, the ASCII projection of the head is looked at. */
static contam_input_kind text_kind(const unsigned char *p, size_t n,
				   const csniff *sn)
{
	char head[512];
	size_t m = 0, i = (size_t)sn->bom;

	if (sn->kind == CSNIFF_UTF16LE || sn->kind == CSNIFF_UTF16BE) {
		int be = sn->kind == CSNIFF_UTF16BE;
		for (; i + 1 < n && m < sizeof head; i += 2) {
			unsigned lo = p[i + !be], hi = p[i + be];
			head[m++] = hi == 0 && lo < 0x80 ? (char)lo : '?';
		}
	} else {
		for (; i < n && m < sizeof head; i++)
			head[m++] = (char)p[i];
	}
	for (i = 0; i < NFORMATS; i++)
		if (formats[i]->by_content && formats[i]->by_content(head, m))
			return formats[i]->kind;
	return CONTAM_INPUT_TEXT;
}

/* Decide what the stream `cs` (just opened, nothing read) holds, for an
 * input whose name says `name_kind`.  Content wins where it is certain:
 * magic numbers (refused formats, archives, compression), WARC's
 * "WARC/", UTF-16.  Bytes that are merely not text-like (NUL-heavy, no
 * magic) are refused only when the name says nothing: a file named
 * .txt/.jsonl/.warc with runs of NULs in it is read as named
 * (text_despite_nul: NULs separate tokens, bad JSON lines are damage),
 * and one named like an archive is left to libarchive to judge.  Sets *kind, and for UTF-16 content
 * switches the stream to UTF-8.  A note for the caller (name and
 * content disagree, UTF-16 without a byte order mark) goes into note,
 * else note[0] is '\0'.  Refused content: CONTAM_E_FORMAT with
 * "'label' is ..." in err. */
int creader_sniff_stream(cstream *cs, const char *label,
			 contam_input_kind name_kind, contam_input_kind *kind,
			 char *note, size_t notelen, cerr *err)
{
	const unsigned char *raw = NULL, *p = NULL;
	size_t nraw = 0, n = 0;
	csniff sn, dn;
	char msg[CERR_MSG_MAX];
	int rc;

	note[0] = '\0';
	*kind = name_kind;
	if (!cstream_raw_head(cs, &raw, &nraw))
		nraw = 0;
	csniff_bytes(raw, nraw < CSNIFF_HEAD ? nraw : CSNIFF_HEAD, &sn);
	/* Parquet (magic PAR1, or the name): its own reader checks the
	 * footer and says what is wrong; an encrypted file (PARE) is
	 * refused below. */
	if (name_kind == CONTAM_INPUT_PARQUET ||
	    (nraw >= 4 && memcmp(raw, "PAR1", 4) == 0)) {
		*kind = CONTAM_INPUT_PARQUET;
		if (name_kind != CONTAM_INPUT_PARQUET &&
		    name_kind != CONTAM_INPUT_UNKNOWN)
			snprintf(note, notelen, "'%s' is a Parquet file (magic "
				 "PAR1): read as Parquet, by its content", label);
		return CONTAM_OK;
	}
	if ((sn.kind == CSNIFF_BINARY || sn.kind == CSNIFF_LZMA ||
	     sn.kind == CSNIFF_LZ4 || sn.kind == CSNIFF_LZIP ||
	     sn.kind == CSNIFF_COMPRESS) && name_kind == CONTAM_INPUT_ARCHIVE)
		return CONTAM_OK; /* libarchive's filters; it says what is wrong */
	if (sn.kind == CSNIFF_BINARY && name_kind != CONTAM_INPUT_UNKNOWN)
		sn.kind = CSNIFF_TEXT; /* text_despite_nul, above */
	switch (csniff_class_of(sn.kind)) {
	case CSNIFF_IS_REFUSED:
		csniff_refusal(&sn, label, msg, sizeof msg);
		return cerr_set(err, CONTAM_E_FORMAT, "%s", msg);
	case CSNIFF_IS_ARCHIVE:
		*kind = CONTAM_INPUT_ARCHIVE;
		if (name_kind != CONTAM_INPUT_ARCHIVE &&
		    name_kind != CONTAM_INPUT_UNKNOWN)
			snprintf(note, notelen, "'%s' is %s: read as an archive, "
				 "by its content", label, sn.what);
		return CONTAM_OK;
	default:
		break;
	}
	rc = cstream_peek(cs, CSNIFF_HEAD, &p, &n, err);
	if (rc < 0)
		return rc;
	cstream_codec codec = csniff_codec(sn.kind);
	if (codec != CSTREAM_PLAIN) {
		csniff_bytes(p, n, &dn);
		if (dn.kind == CSNIFF_BINARY && name_kind != CONTAM_INPUT_UNKNOWN)
			dn.kind = CSNIFF_TEXT;
		csniff_class cls = csniff_class_of(dn.kind);
		if (cls == CSNIFF_IS_REFUSED || cls == CSNIFF_IS_CODEC) {
			csniff_inside(&dn, sn.kind);
			csniff_refusal(&dn, label, msg, sizeof msg);
			return cerr_set(err, CONTAM_E_FORMAT, "%s", msg);
		}
		if (cls == CSNIFF_IS_ARCHIVE) {
			*kind = CONTAM_INPUT_ARCHIVE;
			if (name_kind != CONTAM_INPUT_ARCHIVE &&
			    name_kind != CONTAM_INPUT_UNKNOWN)
				snprintf(note, notelen, "'%s' is %s %s-compressed: "
					 "read as an archive, by its content",
					 label, dn.what, cstream_codec_name(codec));
			return CONTAM_OK;
		}
		sn = dn;
	}
	/* text (UTF-8 or UTF-16), plain or decoded */
	contam_input_kind ck = text_kind(p, n, &sn);
	cstream_codec said = name_codec(label);
	if (name_kind == CONTAM_INPUT_UNKNOWN) {
		*kind = ck;
		char base[64];
		static const char *const table_names[] = { ".csv", ".tsv", NULL };
		bare_name(base_name(label), base);
		if (ck == CONTAM_INPUT_TEXT && creader_name_ends(base, table_names))
			snprintf(note, notelen, "'%s' is a table (CSV/TSV), which "
				 "contam reads as a benchmark, not a corpus: read "
				 "as plain text, one document (commas, tabs and "
				 "quotes separate words)", label);
	} else if (name_kind == CONTAM_INPUT_ARCHIVE ||
		   (ck == CONTAM_INPUT_WARC && name_kind != CONTAM_INPUT_WARC) ||
		   (ck == CONTAM_INPUT_JSONL && name_kind == CONTAM_INPUT_WARC) ||
		   (ck == CONTAM_INPUT_WIKIDOC && name_kind == CONTAM_INPUT_TEXT)) {
		*kind = ck;
		snprintf(note, notelen, "'%s' is named like %s but holds %s: "
			 "read as %s, by its content", label,
			 kind_phrase(name_kind), kind_phrase(ck),
			 kind_phrase(ck));
	} else if (name_kind == CONTAM_INPUT_TEXT && ck == CONTAM_INPUT_JSONL) {
		/* the name is the user's word, but say what it costs */
		snprintf(note, notelen, "'%s' is named like plain text but its "
			 "lines are JSON objects: read as plain text, as named "
			 "(keys, quotes and escapes are read as words too); name "
			 "it .jsonl to read each record's text field", label);
	} else if (said != codec && name_kind != CONTAM_INPUT_ARCHIVE) {
		if (codec != CSTREAM_PLAIN && said != CSTREAM_PLAIN)
			snprintf(note, notelen, "'%s' is %s-compressed, not %s as "
				 "its name says: decompressed, by its content",
				 label, cstream_codec_name(codec), cstream_codec_name(said));
		else if (codec != CSTREAM_PLAIN)
			snprintf(note, notelen, "'%s' is %s-compressed although "
				 "its name does not say so: decompressed, by its "
				 "content", label, cstream_codec_name(codec));
		else
			snprintf(note, notelen, "'%s' is not %s-compressed "
				 "although its name says so: read as it is",
				 label, cstream_codec_name(said));
	}
	if (sn.kind == CSNIFF_UTF16LE || sn.kind == CSNIFF_UTF16BE) {
		if ((rc = cstream_set_utf16(cs, sn.kind == CSNIFF_UTF16BE,
					    err)) < 0)
			return rc;
		if (!sn.bom && !note[0])
			snprintf(note, notelen, "'%s' is %s: read as UTF-16",
				 label, sn.what);
	}
	return CONTAM_OK;
}


static int is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int creader_sniff(const char *path, contam_input_kind *kind, cerr *err)
{
	cstream *cs = NULL;
	char note[CERR_MSG_MAX];
	int rc;

	*kind = creader_detect_name(base_name(path));
	rc = cstream_open(&cs, path, err);
	if (rc < 0)
		return rc;
	rc = creader_sniff_stream(cs, path, *kind, kind, note, sizeof note, err);
	cstream_free(cs);
	/* Parquet: the footer decides, as creader_open's reader will */
	if (rc == CONTAM_OK && *kind == CONTAM_INPUT_PARQUET) {
		cpq *f = NULL;
		if (!is_regular(path))
			return cerr_set(err, CONTAM_E_FORMAT, "'%s' is Parquet: "
					"it must be a regular file (the footer "
					"is at its end), not a pipe", path);
		rc = cpq_open(&f, path, NULL, 0, 0, err);
		cpq_free(f);
	}
	return rc;
}

contam_input_kind creader_detect(const char *path)
{
	contam_input_kind kind = creader_detect_name(base_name(path));
	cerr err;

	/* A pipe or FIFO is looked at once, by creader_open. */
	if (!is_regular(path))
		return kind;
	cerr_clear(&err);
	if (creader_sniff(path, &kind, &err) < 0)
		return creader_detect_name(base_name(path));
	return kind;
}

static const creader_ops *ops_for(contam_input_kind kind)
{
	const creader_ops *f = creader_format_of(kind);
	return f ? f : &creader_text_ops;
}

/* ------------------------------------------------------------------ */
/* Front end                                                           */

int creader_open(creader **out, const char *path, const creader_options *opt,
		 cerr *err)
{
	creader *r = NULL;
	cstream *in = NULL;
	char note[CERR_MSG_MAX];
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

	/* One open, sniffed through the stream's own buffer: a pipe or
	 * FIFO cannot be read twice. */
	rc = cstream_open_wait(&in, path, r->opt.fast, r->opt.stop, err);
	if (rc < 0)
		goto out;
	cstream_set_strict(in, r->opt.strict);
	rc = creader_sniff_stream(in, path, creader_detect_name(base_name(path)),
				  &r->kind, note, sizeof note, err);
	if (rc < 0)
		goto out;
	if (note[0])
		creader_note(&r->opt, note);
	if (r->kind == CONTAM_INPUT_UNKNOWN)
		r->kind = CONTAM_INPUT_TEXT;
	r->ops = ops_for(r->kind);
	if (r->kind == CONTAM_INPUT_PARQUET) {
		/* read by offset from the file itself (footer first) */
		if (!is_regular(path)) {
			rc = cerr_set(err, CONTAM_E_FORMAT, "'%s' is Parquet: "
				      "it must be a regular file (the footer "
				      "is at its end), not a pipe", path);
			goto out;
		}
		cstream_free(in);
		in = NULL;
	}
	if (r->kind == CONTAM_INPUT_ARCHIVE) {
		/* libarchive reads a regular file itself (zip needs to
		 * seek); anything else from the bytes already buffered */
		if (is_regular(path)) {
			cstream_free(in);
			in = NULL;
		} else if ((rc = cstream_restart_raw(in, err)) < 0) {
			goto out;
		}
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
