/*
 * bench.c -- benchmark readers: open a BENCH file, pick its format, and
 * hand out one example per record.  Plain text lives here; JSON and JSONL
 * are in bench_json.c, CSV and TSV in bench_csv.c.
 *
 * Benchmarks are small (megabytes), so the whole file is read into memory
 * through one cstream, which undoes gzip/zstd/bzip2/xz and UTF-16.
 * Working on one buffer keeps every parser simple and gives exact line
 * numbers for every message.  What the file is comes from its content
 * first (common/sniff.h, bench_load): Parquet, executables, images and
 * binary data are refused; a zip/tar/7z archive must hold exactly one
 * regular file, which is then read as if it had been named itself.  The
 * format comes from the name (the member's, for an archive) with one
 * compression suffix removed:
 *
 *     .jsonl .ndjson  JSONL (one object or string per non-empty line)
 *     .json           JSON (an array of records, or the first array under
 *                     the top-level object) -- or JSONL, when the first
 *                     line alone is a complete object and more follows
 *     .csv .tsv       RFC 4180, first row the header unless no_header
 *     .txt            text, one example per non-empty line
 *     anything else   by content: JSON/JSONL if it starts with '{' or
 *                     '[', else text; with a note saying so
 *
 * A UTF-8 byte order mark at the start is skipped in every format (CSV
 * files saved by spreadsheets carry one, and it would end up in the first
 * column's name).  Lines holding only white space count as empty.
 */
#include "bench_int.h"

#include "../common/sniff.h"
#include "../common/stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>

/* Benchmarks are far smaller; this only stops a mistaken corpus file from
 * exhausting memory. */
#define BENCH_MAX_BYTES (4ULL << 30)

int bench_fail(const bench_reader *r, cerr *err, uint64_t line,
	       const char *fmt, ...)
{
	char msg[CERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		return cerr_set(err, CONTAM_E_FORMAT, "%s:%llu: %s", r->path,
				(unsigned long long)line, msg);
	return cerr_set(err, CONTAM_E_FORMAT, "%s: %s", r->path, msg);
}

int bench_join(cbuf *b, const char *s, size_t n, size_t *pieces)
{
	if (*pieces && cbuf_putc(b, '\n'))
		return CONTAM_E_NOMEM;
	if (cbuf_append(b, s, n))
		return CONTAM_E_NOMEM;
	(*pieces)++;
	return CONTAM_OK;
}

void bench_fields_list(const bench_reader *r, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r->nfields && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s'%s'",
				 i ? ", " : "", r->fields[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int bench_end(bench_reader *r, cerr *err)
{
	if (r->records == 0)
		return bench_fail(r, err, 0, "no examples found");
	r->done = 1;
	return 0;
}

static bool is_blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool all_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank_char(s[i]) && s[i] != '\n')
			return false;
	return true;
}

/* Name ends with `suffix`, looking only at the first n bytes. */
static bool name_ends(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	if (m > n)
		return false;
	for (size_t i = 0; i < m; i++) {
		char a = s[n - m + i], b = suffix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* The format a name says, or 0 when it says none. */
static bench_format format_from_name(const char *path)
{
	size_t n = strlen(path);
	static const char *const codecs[] = { ".gz", ".zst", ".zstd", ".bz2",
					      ".xz", ".lzma", NULL };
	for (size_t i = 0; codecs[i]; i++) {
		if (name_ends(path, n, codecs[i])) {
			n -= strlen(codecs[i]);
			break;
		}
	}
	if (name_ends(path, n, ".jsonl") || name_ends(path, n, ".ndjson"))
		return BENCH_JSONL;
	if (name_ends(path, n, ".json"))
		return BENCH_JSON;
	if (name_ends(path, n, ".csv"))
		return BENCH_CSV;
	if (name_ends(path, n, ".tsv"))
		return BENCH_TSV;
	if (name_ends(path, n, ".txt"))
		return BENCH_TXT;
	return 0;
}

static cstream_codec codec_from_name(const char *path)
{
	size_t n = strlen(path);
	if (name_ends(path, n, ".gz"))
		return CSTREAM_GZIP;
	if (name_ends(path, n, ".zst") || name_ends(path, n, ".zstd"))
		return CSTREAM_ZSTD;
	if (name_ends(path, n, ".bz2"))
		return CSTREAM_BZIP2;
	if (name_ends(path, n, ".xz") || name_ends(path, n, ".lzma"))
		return CSTREAM_XZ;
	return CSTREAM_PLAIN;
}

static const char *format_name(bench_format f)
{
	switch (f) {
	case BENCH_JSONL: return "JSONL";
	case BENCH_JSON: return "JSON";
	case BENCH_CSV: return "CSV";
	case BENCH_TSV: return "TSV";
	default: return "text, one example per line";
	}
}

static void bench_note(const bench_options *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void bench_note(const bench_options *opt, const char *fmt, ...)
{
	char msg[CERR_MSG_MAX];
	va_list ap;
	if (!opt || !opt->on_warning)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	opt->on_warning(opt->ctx, msg);
}

static cstream_codec codec_of(csniff_kind k)
{
	switch (k) {
	case CSNIFF_GZIP: return CSTREAM_GZIP;
	case CSNIFF_ZSTD: return CSTREAM_ZSTD;
	case CSNIFF_BZIP2: return CSTREAM_BZIP2;
	case CSNIFF_XZ:
	case CSNIFF_LZMA: return CSTREAM_XZ;
	default: return CSTREAM_PLAIN;
	}
}

static int load_stream(bench_reader *r, const bench_options *opt,
		       cstream *s, const char *label, const char *name,
		       int depth, cerr *err);

/* An archive read into memory: its one regular file is the benchmark. */
static int load_archive(bench_reader *r, const bench_options *opt,
			const char *data, size_t len, const char *label,
			const char *what, int depth, cerr *err)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	cbuf member = CBUF_INIT, names = CBUF_INIT, mname = CBUF_INIT;
	cbuf mlabel = CBUF_INIT;
	cstream *ms = NULL;
	size_t count = 0;
	int rc = CONTAM_OK, ar;

	if (depth > 0) {
		rc = cerr_set(err, CONTAM_E_FORMAT, "'%s' is %s inside an "
			      "archive; contam does not read archives in "
			      "archives: extract it first", label, what);
		goto out;
	}
	a = archive_read_new();
	if (!a) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = cerr_set(err, CONTAM_E_FORMAT, "'%s' is %s but cannot be "
			      "read: %s", label, what, archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	       ar == ARCHIVE_WARN) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *n = archive_entry_pathname_utf8(e);
		if (!n)
			n = archive_entry_pathname(e);
		if (!n)
			n = "";
		count++;
		if (count <= 5 && cbuf_printf(&names, "%s'%s'", count > 1 ? ", " : "",
					      n) < 0) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		if (count > 1)
			continue; /* libarchive skips the data */
		if (cbuf_append(&mname, n, strlen(n)) < 0 ||
		    cbuf_reserve(&mname, 1) < 0) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		for (;;) {
			if (cbuf_reserve(&member, 64 * 1024) < 0) {
				rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			la_ssize_t got = archive_read_data(a, member.data + member.len,
							   member.cap - member.len - 1);
			if (got < 0) {
				rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': member "
					      "'%s': %s", label, n,
					      archive_error_string(a));
				goto out;
			}
			if (got == 0)
				break;
			member.len += (size_t)got;
			if (member.len > BENCH_MAX_BYTES) {
				rc = cerr_set(err, CONTAM_E_LIMIT, "'%s': member "
					      "'%s' is too large", label, n);
				goto out;
			}
		}
	}
	if (ar != ARCHIVE_EOF) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s' is %s but cannot be "
			      "read: %s", label, what, archive_error_string(a));
		goto out;
	}
	if (count != 1) {
		if (count == 0)
			rc = cerr_set(err, CONTAM_E_FORMAT, "'%s' is %s with no "
				      "file in it", label, what);
		else
			rc = cerr_set(err, CONTAM_E_FORMAT, "'%s' is %s holding "
				      "%zu files (%s%s); a benchmark archive must "
				      "hold exactly one: extract it and name the "
				      "files", label, what, count, names.data,
				      count > 5 ? ", ..." : "");
		goto out;
	}
	/* the member, read like a file of its own name */
	if (cbuf_printf(&mlabel, "%s: %s", label, mname.data) < 0) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	FILE *f = fmemopen(member.len ? member.data : (char *)"", member.len,
			   "r");
	if (!f) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	rc = cstream_open_file(&ms, f, mlabel.data, 1, err);
	if (rc < 0)
		goto out;
	cstream_set_strict(ms, 1);
	rc = load_stream(r, opt, ms, mlabel.data, mname.data, depth + 1, err);
out:
	cstream_free(ms);
	if (a)
		archive_read_free(a);
	cbuf_release(&member);
	cbuf_release(&names);
	cbuf_release(&mname);
	cbuf_release(&mlabel);
	return rc;
}

/* Read stream `s` (nothing read from it yet) into r->data as what its
 * content is, and set r->format; `name` is what the format rules look
 * at, `label` what messages call it. */
static int load_stream(bench_reader *r, const bench_options *opt,
		       cstream *s, const char *label, const char *name,
		       int depth, cerr *err)
{
	const unsigned char *raw = NULL, *p = NULL;
	size_t nraw = 0, n = 0;
	csniff sn, dn;
	char msg[CERR_MSG_MAX];
	char *data = NULL;
	size_t len = 0;
	int rc;
	bench_format named = format_from_name(name);

	if (!cstream_raw_head(s, &raw, &nraw))
		nraw = 0;
	csniff_bytes(raw, nraw < CSNIFF_HEAD ? nraw : CSNIFF_HEAD, &sn);
	if (sn.kind == CSNIFF_BINARY && named)
		sn.kind = CSNIFF_TEXT; /* named as text: NULs are its problem */
	csniff_class cls = csniff_class_of(sn.kind);
	if (cls == CSNIFF_IS_REFUSED) {
		csniff_refusal(&sn, label, msg, sizeof msg);
		return cerr_set(err, CONTAM_E_FORMAT, "%s", msg);
	}
	if (cls == CSNIFF_IS_ARCHIVE) {
		rc = cstream_read_rest(s, BENCH_MAX_BYTES, &data, &len, err);
		if (rc == CONTAM_OK)
			rc = load_archive(r, opt, data, len, label, sn.what, depth,
					  err);
		free(data);
		return rc;
	}
	cstream_codec codec = codec_of(sn.kind);
	csniff_kind raw_kind = sn.kind;
	if ((rc = cstream_peek(s, CSNIFF_HEAD, &p, &n, err)) < 0)
		return rc;
	if (codec != CSTREAM_PLAIN) {
		csniff_bytes(p, n, &dn);
		if (dn.kind == CSNIFF_BINARY && named)
			dn.kind = CSNIFF_TEXT;
		cls = csniff_class_of(dn.kind);
		if (cls == CSNIFF_IS_REFUSED || cls == CSNIFF_IS_CODEC) {
			csniff_inside(&dn, sn.kind);
			csniff_refusal(&dn, label, msg, sizeof msg);
			return cerr_set(err, CONTAM_E_FORMAT, "%s", msg);
		}
		if (cls == CSNIFF_IS_ARCHIVE) {
			char what[sizeof dn.what + 32];
			snprintf(what, sizeof what, "%.120s, %s-compressed", dn.what,
				 csniff_name(sn.kind));
			rc = cstream_read_rest(s, BENCH_MAX_BYTES, &data, &len, err);
			if (rc == CONTAM_OK)
				rc = load_archive(r, opt, data, len, label, what,
						  depth, err);
			free(data);
			return rc;
		}
		sn = dn;
	}
	cstream_codec said = codec_from_name(name);
	if (said != codec) {
		if (codec != CSTREAM_PLAIN)
			bench_note(opt, "'%s' is %s-compressed although its name "
				   "does not say so: decompressed, by its content",
				   label, csniff_name(raw_kind));
		else
			bench_note(opt, "'%s' is not compressed although its name "
				   "says so: read as it is", label);
	}
	if (sn.kind == CSNIFF_UTF16LE || sn.kind == CSNIFF_UTF16BE) {
		if ((rc = cstream_set_utf16(s, sn.kind == CSNIFF_UTF16BE,
					    err)) < 0)
			return rc;
		if (!sn.bom)
			bench_note(opt, "'%s' is %s: read as UTF-16", label,
				   sn.what);
	}
	rc = cstream_read_rest(s, BENCH_MAX_BYTES, &r->data, &r->len, err);
	if (rc < 0)
		return rc;
	r->format = named;
	if (!named) {
		size_t i = 0;
		if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
			i = 3;
		while (i < r->len && (is_blank_char(r->data[i]) ||
				      r->data[i] == '\n'))
			i++;
		r->format = i < r->len && (r->data[i] == '{' || r->data[i] == '[')
			    ? BENCH_JSON : BENCH_TXT;
		/* one line holding one object: a one-record JSONL (a pipe
		 * from `echo '{...}'`); a .json of one line stays JSON */
		const char *nl = i < r->len ? memchr(r->data + i, '\n', r->len - i)
					    : NULL;
		if (r->format == BENCH_JSON && r->data[i] == '{' &&
		    (!nl || all_blank(nl, r->len - (size_t)(nl - r->data))))
			r->format = BENCH_JSONL;
		bench_note(opt, "'%s' has no benchmark extension (.jsonl .json "
			   ".csv .tsv .txt): read as %s, by its content", label,
			   format_name(r->format));
	}
	return CONTAM_OK;
}

/* Open and read the whole benchmark (see the file comment). */
static int bench_load(bench_reader *r, const bench_options *opt, cerr *err)
{
	cstream *s = NULL;
	int rc = cstream_open(&s, r->path, err);
	if (rc < 0)
		return rc;
	cstream_set_strict(s, 1);
	const char *base = strrchr(r->path, '/');
	rc = load_stream(r, opt, s, r->path, base ? base + 1 : r->path, 0, err);
	cstream_free(s);
	return rc;
}

/* Plain text: every non-blank line is one example, without its line
 * break; there are no fields and no ids. */
static int txt_next(bench_reader *r, bench_example *ex, cerr *err)
{
	while (r->pos < r->len) {
		const char *s = r->data + r->pos;
		const char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		uint64_t line = r->line++;
		r->pos += n + (nl ? 1 : 0);
		if (all_blank(s, n))
			continue;
		if (n && s[n - 1] == '\r')
			n--;
		cbuf_reset(&r->text);
		if (cbuf_append(&r->text, s, n))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		ex->text = r->text.data;
		ex->len = r->text.len;
		ex->id = NULL;
		ex->record = r->records++;
		ex->line = line;
		return 1;
	}
	return bench_end(r, err);
}

int bench_reader_open(bench_reader **out, const char *path,
		      const bench_options *opt, cerr *err)
{
	int rc;
	bench_reader *r = NULL;
	*out = NULL;
	if (!path)
		return cerr_set(err, CONTAM_E_PARAM, "no benchmark path");
	r = calloc(1, sizeof(*r));
	if (!r)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	r->id_col = -1;
	r->line = 1;
	r->path = cstrdup(path);
	if (!r->path)
		goto nomem;
	if (opt && opt->nfields) {
		if (!opt->fields) {
			rc = cerr_set(err, CONTAM_E_PARAM, "nfields without fields");
			goto out;
		}
		r->fields = calloc(opt->nfields, sizeof(*r->fields));
		if (!r->fields)
			goto nomem;
		r->nfields = opt->nfields;
		for (size_t i = 0; i < opt->nfields; i++) {
			if (!opt->fields[i] || !opt->fields[i][0]) {
				rc = cerr_set(err, CONTAM_E_PARAM,
					      "empty --field path");
				goto out;
			}
			r->fields[i] = cstrdup(opt->fields[i]);
			if (!r->fields[i])
				goto nomem;
		}
	}
	if (opt && opt->id_field) {
		r->id_field = cstrdup(opt->id_field);
		if (!r->id_field)
			goto nomem;
	}
	r->no_header = opt ? opt->no_header : 0;

	rc = bench_load(r, opt, err);
	if (rc < 0)
		goto out;
	if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	if (all_blank(r->data + r->pos, r->len - r->pos)) {
		rc = bench_fail(r, err, 0, "no examples found");
		goto out;
	}

	if (r->format == BENCH_JSON &&
	    bench_json_looks_jsonl(r->data + r->pos, r->len - r->pos))
		r->format = BENCH_JSONL;
	switch (r->format) {
	case BENCH_JSON:
		rc = bench_json_open(r, err);
		break;
	case BENCH_CSV:
	case BENCH_TSV:
		r->delim = r->format == BENCH_TSV ? '\t' : ',';
		rc = bench_csv_open(r, err);
		break;
	default:
		rc = CONTAM_OK;
		break;
	}
	if (rc < 0)
		goto out;
	r->head_end = r->raw_start = r->raw_end = r->pos;
	*out = r;
	return CONTAM_OK;
nomem:
	rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
out:
	bench_reader_free(r);
	return rc;
}

int bench_reader_next(bench_reader *r, bench_example *ex, cerr *err)
{
	int rc;
	if (r->failed.code) {
		if (err)
			*err = r->failed;
		return r->failed.code;
	}
	if (r->done)
		return 0;
	size_t before = r->pos;
	switch (r->format) {
	case BENCH_JSONL:
		rc = bench_jsonl_next(r, ex, err);
		break;
	case BENCH_JSON:
		rc = bench_json_next(r, ex, err);
		break;
	case BENCH_CSV:
	case BENCH_TSV:
		rc = bench_csv_next(r, ex, err);
		break;
	default:
		rc = txt_next(r, ex, err);
		break;
	}
	if (rc == 1) {
		r->raw_start = before;
		r->raw_end = r->pos;
	}
	if (rc < 0) {
		if (err)
			r->failed = *err;
		else
			cerr_set(&r->failed, rc, "%s: reading failed", r->path);
		r->failed.code = rc;
	}
	return rc;
}

int bench_reader_raw(const bench_reader *r, const char **head,
		     size_t *head_len, const char **rec, size_t *rec_len)
{
	if (r->format == BENCH_JSON || !r->data)
		return CONTAM_E_FORMAT;
	*head = r->data;
	*head_len = r->head_end;
	*rec = r->data + r->raw_start;
	*rec_len = r->raw_end - r->raw_start;
	return CONTAM_OK;
}

char *bench_reader_record_json(const bench_reader *r)
{
	if (r->format != BENCH_JSON || !r->array || r->index == 0)
		return NULL;
	return bench_json_dump(r, r->index - 1);
}

bench_format bench_reader_format(const bench_reader *r)
{
	return r->format;
}

void bench_reader_free(bench_reader *r)
{
	if (!r)
		return;
	bench_json_release(r);
	bench_csv_release(r);
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
	free(r->id_field);
	free(r->data);
	free(r->path);
	cbuf_release(&r->text);
	cbuf_release(&r->id);
	cbuf_release(&r->scratch);
	free(r);
}
