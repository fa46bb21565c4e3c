/*
 * bench.c -- benchmark readers: open a BENCH file, pick its format, and
 * hand out one example per record.  Plain text lives here; JSON and JSONL
 * are in bench_json.c, CSV and TSV in bench_csv.c.
 *
 * Benchmarks are small (megabytes), so the whole file is read into memory
 * through one cstream, which undoes gzip/zstd/bzip2/xz and UTF-16.
 * Working on one buffer keeps every parser simple and gives exact line
 * numbers for every message.  What the file is comes from its content
 * first (common/sniff.h, bench_load): Parquet is read by bench_parquet.c;
 * executables, images and binary data are refused; a zip/tar/7z archive must hold exactly one
 * regular file, which is then read as if it had been named itself.  The
 * format comes from the name (the member's, for an archive) with one
 * compression suffix removed:
 *
 *     .jsonl .ndjson  JSONL (one object or string per non-empty line)
 *     .json           JSON (an array of records, or the first array under
 *                     the top-level object) -- or JSONL, when the first
 *                     line alone is a complete object and more follows
 *     .csv .tsv       RFC 4180, first row the header unless no_header
 *     .txt            text, one example per non-empty line, or with
 *                     lines_per_record N, records of N lines
 *     anything else   by content: JSON/JSONL if it starts with '{' or
 *                     '[', else text; with a note saying so
 *
 * A UTF-8 byte order mark at the start is skipped in every format (CSV
 * files saved by spreadsheets carry one, and it would end up in the first
 * column's name).  Lines holding only white space count as empty.
 *
 * Every reader keeps per-field statistics (records in which each --field
 * selected text, or, without --field, which keys gave text), so that a
 * field found in no record is an error at the end of the file and a
 * field missing from some records is counted in the report.
 */
#include "bench_int.h"

#include "../common/sniff.h"
#include "../common/stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

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

int bench_join(cbuf *b, bench_segs *segs, const char *s, size_t n,
	       size_t *pieces)
{
	if (*pieces && cbuf_putc(b, '\n'))
		return CONTAM_E_NOMEM;
	if (cbuf_append(b, s, n))
		return CONTAM_E_NOMEM;
	if (segs) {
		if (segs->n == segs->cap) {
			size_t cap = segs->cap ? segs->cap * 2 : 16;
			size_t *e = realloc(segs->end, cap * sizeof(*e));
			if (!e)
				return CONTAM_E_NOMEM;
			segs->end = e;
			segs->cap = cap;
		}
		segs->end[segs->n++] = b->len;
	}
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

void bench_keys_list(const bench_reader *r, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r->nkeys && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s'%s'",
				 i ? ", " : "", r->keys[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (r->keys_more && used < outlen)
		snprintf(out + used, outlen - used, " and %llu more",
			 (unsigned long long)r->keys_more);
	if (!r->nkeys)
		snprintf(out, outlen, "none");
}

int bench_note_key(bench_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (!strcmp(r->keys[i], name))
			return CONTAM_OK;
	if (r->nkeys >= 40) {
		r->keys_more++;
		return CONTAM_OK;
	}
	char **k = realloc(r->keys, (r->nkeys + 1) * sizeof(*k));
	if (!k)
		return CONTAM_E_NOMEM;
	r->keys = k;
	if (!(k[r->nkeys] = cstrdup(name)))
		return CONTAM_E_NOMEM;
	r->nkeys++;
	return CONTAM_OK;
}

void bench_field_hit(bench_reader *r, size_t i)
{
	if (i < r->nfstat)
		r->fstat[i].records++;
}

bool bench_is_id_name(const char *name)
{
	static const char *const whole[] = { "id", "_id", "idx", "uid", "qid",
					     "guid", "uuid", "key_id" };
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(whole) / sizeof(*whole); i++)
		if (!strcasecmp(name, whole[i]))
			return true;
	/* task_id, question_id, example-id; questionId, sampleID */
	if (n > 3 && (name[n - 3] == '_' || name[n - 3] == '-') &&
	    !strcasecmp(name + n - 2, "id"))
		return true;
	return n > 2 && name[n - 2] == 'I' && (name[n - 1] == 'd' || name[n - 1] == 'D') &&
	       name[n - 3] >= 'a' && name[n - 3] <= 'z';
}

int bench_take_auto_id(bench_reader *r, const char *name, bool *is_it)
{
	if (!r->auto_id && !(r->auto_id = cstrdup(name)))
		return CONTAM_E_NOMEM;
	*is_it = !strcmp(r->auto_id, name);
	return CONTAM_OK;
}

const char *bench_reader_id_field(const bench_reader *r)
{
	return r->id_field ? r->id_field : r->auto_id;
}

int bench_auto_hit(bench_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nfstat; i++)
		if (!strcmp(r->fstat[i].name, name)) {
			r->fstat[i].records++;
			return CONTAM_OK;
		}
	if (r->nfstat >= BENCH_AUTO_FIELDS) {
		r->fields_more++;
		return CONTAM_OK;
	}
	bench_field_stat *f = realloc(r->fstat, (r->nfstat + 1) * sizeof(*f));
	if (!f)
		return CONTAM_E_NOMEM;
	r->fstat = f;
	if (!(f[r->nfstat].name = cstrdup(name)))
		return CONTAM_E_NOMEM;
	f[r->nfstat].records = 1;
	r->nfstat++;
	return CONTAM_OK;
}

/* Every --field and the --id-field must select something in at least one
 * record of the file: a misspelt name would otherwise silently score the
 * other fields alone. */
static int check_fields_found(bench_reader *r, cerr *err)
{
	char keys[700];
	const char *flag = r->field_flag ? r->field_flag : "--field";
	bench_keys_list(r, keys, sizeof(keys));
	const char *what = r->format == BENCH_CSV || r->format == BENCH_TSV
			   ? "columns" : r->format == BENCH_TXT ? "lines"
			   : "the records have keys";
	for (size_t i = 0; !r->fields_auto && i < r->nfstat; i++) {
		if (r->fstat[i].records)
			continue;
		const char *diag = r->fdiag && r->fdiag[i] ? r->fdiag[i] : NULL;
		return bench_fail(r, err, 0, "%s '%s' selects nothing in any "
				  "of the %llu records%s%s; %s: %s", flag,
				  r->fstat[i].name,
				  (unsigned long long)r->records,
				  diag ? ": " : "", diag ? diag : "",
				  what, keys);
	}
	if (r->id_field && !r->id_records)
		return bench_fail(r, err, 0, "--id-field '%s' selects nothing "
				  "in any of the %llu records%s%s; %s: %s",
				  r->id_field, (unsigned long long)r->records,
				  r->id_diag ? ": " : "",
				  r->id_diag ? r->id_diag : "", what, keys);
	return CONTAM_OK;
}

int bench_end(bench_reader *r, cerr *err)
{
	if (r->records == 0) {
		if (r->records_diag)
			return bench_fail(r, err, 0, "no examples found: "
					  "--records '%s' selects nothing: %s",
					  r->records_path, r->records_diag);
		return bench_fail(r, err, 0, "no examples found");
	}
	int rc = check_fields_found(r, err);
	if (rc < 0)
		return rc;
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
					      ".xz", ".lzma", ".zip", NULL };
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
	if (name_ends(path, n, ".parquet"))
		return BENCH_PARQUET;
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
	case BENCH_PARQUET: return "Parquet";
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
	rc = cstream_open_file(&ms, f, mlabel.data, 1, opt->fast, err);
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
	/* Parquet (magic PAR1, or the name; inside an archive too): read
	 * whole, decoded by bench_parquet.c, which checks the magic and
	 * says what is wrong.  An encrypted file (PARE) is refused below. */
	if (named == BENCH_PARQUET || (nraw >= 4 && memcmp(raw, "PAR1", 4) == 0)) {
		rc = cstream_read_rest(s, BENCH_MAX_BYTES, &r->data, &r->len,
				       err);
		if (rc < 0)
			return rc;
		r->format = BENCH_PARQUET;
		if (named != BENCH_PARQUET && !(r->in_memory && depth == 0))
			bench_note(opt, "'%s' is a Parquet file (magic PAR1): "
				   "read as Parquet, by its content", label);
		return CONTAM_OK;
	}
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
	cstream_codec codec = csniff_codec(sn.kind);
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
	/* bytes given in memory have no name to disagree with */
	/* (nor does standard input: contam probe INDEX -) */
	bool nameless = (r->in_memory || !strcmp(r->path, "/dev/stdin")) && depth == 0;
	cstream_codec said = codec_from_name(name);
	if (said != codec && !nameless) {
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
		if (!nameless)
			bench_note(opt, "'%s' has no benchmark extension (.jsonl .json "
				   ".csv .tsv .txt): read as %s, by its content", label,
				   format_name(r->format));
	}
	size_t first = 0;
	if (r->format != BENCH_JSON && r->format != BENCH_JSONL &&
	    (r->not_utf8 = csniff_not_utf8(r->data, r->len, &first))) {
		/* JSON refuses them (bench_json.c); text and CSV read them
		 * as the corpus reader does, each a word separator, so an
		 * accented word of a Latin-1 file matches no UTF-8 copy */
		uint64_t line = 1;
		for (size_t i = 0; i < first; i++)
			line += r->data[i] == '\n';
		bench_note(opt, "'%s': %" PRIu64 " byte%s not UTF-8 (the first on "
			   "line %" PRIu64 "), read as word separators: the "
			   "words with them match no UTF-8 copy; if it is "
			   "Latin-1 or cp1252 text, convert it first (iconv -f "
			   "CP1252 -t UTF-8)", label, r->not_utf8,
			   r->not_utf8 == 1 ? " is" : "s are", line);
	}
	return CONTAM_OK;
}

/* Open and read the whole benchmark (see the file comment). */
static int bench_load(bench_reader *r, const bench_options *opt, cerr *err)
{
	cstream *s = NULL;
	int rc = cstream_open_wait(&s, r->path, opt->fast, NULL, err);
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
		r->segs.n = 0;
		size_t pieces = 0;
		if (bench_join(&r->text, &r->segs, s, n, &pieces) ||
		    cbuf_reserve(&r->text, 0))
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

/* Text with --lines-per-record N: a record is N consecutive lines (blank
 * ones included: an empty ending is still an ending), --field names a
 * line by its number 0..N-1 and --id-field one line as the id.  Blank
 * lines between records are skipped; a file that ends inside a record is
 * an error, so that a shifted grouping cannot go unnoticed. */
static int txt_group_next(bench_reader *r, bench_example *ex, cerr *err)
{
	uint32_t N = r->lines_per_record;
	size_t pieces = 0;
	/* blank lines before a record */
	while (r->pos < r->len) {
		const char *s = r->data + r->pos;
		const char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		if (!all_blank(s, n))
			break;
		r->pos += n + (nl ? 1 : 0);
		r->line++;
	}
	if (r->pos >= r->len)
		return bench_end(r, err);
	uint64_t first = r->line;
	size_t starts[64], lens[64];
	size_t *st = N <= 64 ? starts : malloc(N * sizeof(*st));
	size_t *ln = N <= 64 ? lens : malloc(N * sizeof(*ln));
	int rc = 1;
	if (!st || !ln) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < N; k++) {
		if (r->pos >= r->len) {
			rc = bench_fail(r, err, first, "record %llu has %u of "
					"its %u lines (--lines-per-record): the "
					"file ends inside it",
					(unsigned long long)r->records, k, N);
			goto out;
		}
		const char *s = r->data + r->pos;
		const char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		st[k] = r->pos;
		r->pos += n + (nl ? 1 : 0);
		r->line++;
		if (n && s[n - 1] == '\r')
			n--;
		ln[k] = n;
	}
	cbuf_reset(&r->text);
	r->segs.n = 0;
	if (r->nfields) {
		for (size_t i = 0; i < r->nfields; i++) {
			size_t k = (size_t)r->line_field[i];
			if (bench_join(&r->text, &r->segs, r->data + st[k], ln[k], &pieces))
				goto nomem;
			bench_field_hit(r, i);
		}
	} else {
		for (uint32_t k = 0; k < N; k++)
			if (bench_join(&r->text, &r->segs, r->data + st[k], ln[k], &pieces))
				goto nomem;
	}
	if (cbuf_reserve(&r->text, 0))
		goto nomem;
	ex->id = NULL;
	if (r->id_line >= 0) {
		size_t k = (size_t)r->id_line;
		cbuf_reset(&r->id);
		if (cbuf_append(&r->id, r->data + st[k], ln[k]) ||
		    cbuf_reserve(&r->id, 0))
			goto nomem;
		ex->id = r->id.data;
		r->id_records++;
	}
	ex->text = r->text.data;
	ex->len = r->text.len;
	ex->record = r->records++;
	ex->line = first;
	goto out;
nomem:
	rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
out:
	if (st != starts)
		free(st);
	if (ln != lens)
		free(ln);
	return rc;
}

/* A line number within a record of N lines, or -1. */
static long line_number(const char *s, uint32_t N)
{
	size_t n = strlen(s);
	if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	return v < N ? (long)v : -1;
}

/* Plain text has no fields, unless records are groups of lines. */
static int txt_open(bench_reader *r, cerr *err)
{
	const char *flag = r->field_flag ? r->field_flag : "--field";
	if (r->lines_per_record <= 1) {
		if (r->nfields)
			return cerr_set(err, CONTAM_E_PARAM, "%s: %s '%s': a "
					"text benchmark has no fields (one "
					"example per line); for records of "
					"several lines give --lines-per-record "
					"N and %s by line number 0..N-1",
					r->path, flag, r->fields[0], flag);
		if (r->id_field)
			return cerr_set(err, CONTAM_E_PARAM, "%s: --id-field "
					"'%s': a text benchmark has no fields "
					"(one example per line)", r->path,
					r->id_field);
		return CONTAM_OK;
	}
	if (r->nfields) {
		r->line_field = calloc(r->nfields, sizeof(*r->line_field));
		if (!r->line_field)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nfields; i++) {
		r->line_field[i] = line_number(r->fields[i], r->lines_per_record);
		if (r->line_field[i] < 0)
			return cerr_set(err, CONTAM_E_PARAM, "%s: %s '%s': with "
					"--lines-per-record %u a field is a "
					"line number 0..%u", r->path, flag,
					r->fields[i], r->lines_per_record,
					r->lines_per_record - 1);
	}
	if (r->id_field) {
		r->id_line = line_number(r->id_field, r->lines_per_record);
		if (r->id_line < 0)
			return cerr_set(err, CONTAM_E_PARAM, "%s: --id-field "
					"'%s': with --lines-per-record %u it "
					"is a line number 0..%u", r->path,
					r->id_field, r->lines_per_record,
					r->lines_per_record - 1);
	}
	return CONTAM_OK;
}

/* The name whose extension says `f`, for the format rules of bytes in
 * memory. */
static const char *format_ext(bench_format f)
{
	switch (f) {
	case BENCH_JSONL: return ".jsonl";
	case BENCH_JSON: return ".json";
	case BENCH_CSV: return ".csv";
	case BENCH_TSV: return ".tsv";
	case BENCH_TXT: return ".txt";
	default: return "";
	}
}

/* Bytes in memory, read as a file whose name says `format` would be: the
 * same sniffing, decompression and format rules, through a stream over
 * the caller's bytes (no temporary file). */
static int bench_load_mem(bench_reader *r, const bench_options *opt,
			  const void *data, size_t len, bench_format format,
			  cerr *err)
{
	cstream *s = NULL;
	FILE *f = fmemopen(len ? (void *)data : (char *)"", len, "r");
	if (!f)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	int rc = cstream_open_file(&s, f, r->path, 1, opt->fast, err);
	if (rc < 0)
		return rc;
	cstream_set_strict(s, 1);
	rc = load_stream(r, opt, s, r->path, format_ext(format), 0, err);
	cstream_free(s);
	return rc;
}

static int reader_open(bench_reader **out, const char *path,
		       const bench_options *opt, const void *data, size_t len,
		       bench_format format, int in_memory, cerr *err)
{
	int rc;
	bench_reader *r = NULL;
	*out = NULL;
	if (!path)
		return cerr_set(err, CONTAM_E_PARAM, "no benchmark path");
	if (in_memory && ((int)format < 0 || (int)format > BENCH_TXT))
		return cerr_set(err, CONTAM_E_PARAM, "%s: unknown benchmark "
				"format %d", path, (int)format);
	if (in_memory && !data && len)
		return cerr_set(err, CONTAM_E_PARAM, "%s: no bytes", path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	r->id_col = -1;
	r->pq_id = -1;
	r->id_line = -1;
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
	r->force_header = opt ? opt->force_header : 0;
	r->lines_per_record = opt ? opt->lines_per_record : 0;
	if (opt && opt->field_flag && !(r->field_flag = cstrdup(opt->field_flag)))
		goto nomem;
	if (opt && opt->records && !(r->records_path = cstrdup(opt->records)))
		goto nomem;
	if (r->nfields) {
		r->fstat = calloc(r->nfields, sizeof(*r->fstat));
		r->fdiag = calloc(r->nfields, sizeof(*r->fdiag));
		if (!r->fstat || !r->fdiag)
			goto nomem;
		r->nfstat = r->nfields;
		for (size_t i = 0; i < r->nfields; i++)
			if (!(r->fstat[i].name = cstrdup(r->fields[i])))
				goto nomem;
	} else {
		r->fields_auto = 1;
	}

	r->in_memory = in_memory;
	rc = in_memory ? bench_load_mem(r, opt, data, len, format, err)
		       : bench_load(r, opt, err);
	if (rc < 0)
		goto out;
	if (r->format != BENCH_PARQUET && r->len >= 3 &&
	    memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	if (r->format != BENCH_PARQUET && all_blank(r->data + r->pos, r->len - r->pos)) {
		rc = bench_fail(r, err, 0, "no examples found");
		goto out;
	}

	if (r->format == BENCH_JSON &&
	    bench_json_looks_jsonl(r->data + r->pos, r->len - r->pos))
		r->format = BENCH_JSONL;
	if (r->records_path && r->format != BENCH_JSON &&
	    r->format != BENCH_JSONL) {
		rc = cerr_set(err, CONTAM_E_PARAM, "%s: --records selects "
			      "records inside JSON documents; this is %s",
			      path, r->format == BENCH_TXT ? "a text file"
				    : r->format == BENCH_PARQUET ? "a Parquet file"
							   : "a CSV/TSV file");
		goto out;
	}
	if (r->lines_per_record > 1 && r->format != BENCH_TXT) {
		rc = cerr_set(err, CONTAM_E_PARAM, "%s: --lines-per-record is "
			      "for text benchmarks; this is a %s file", path,
			      r->format == BENCH_CSV || r->format == BENCH_TSV
			      ? "CSV/TSV" : r->format == BENCH_PARQUET
			      ? "Parquet" : "JSON");
		goto out;
	}
	switch (r->format) {
	case BENCH_JSON:
		rc = bench_json_open(r, err);
		break;
	case BENCH_JSONL:
		rc = bench_jsonl_open(r, err);
		break;
	case BENCH_TXT:
		rc = txt_open(r, err);
		break;
	case BENCH_CSV:
	case BENCH_TSV:
		r->delim = r->format == BENCH_TSV ? '\t' : ',';
		rc = bench_csv_open(r, err);
		break;
	case BENCH_PARQUET:
		rc = bench_parquet_open(r, err);
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

int bench_reader_open(bench_reader **out, const char *path,
		      const bench_options *opt, cerr *err)
{
	return reader_open(out, path, opt, NULL, 0, 0, 0, err);
}

int bench_reader_open_mem(bench_reader **out, const char *label,
			  const void *data, size_t len, bench_format format,
			  const bench_options *opt, cerr *err)
{
	return reader_open(out, label, opt, data, len, format, 1, err);
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
	case BENCH_PARQUET:
		rc = bench_parquet_next(r, ex, err);
		break;
	default:
		rc = r->lines_per_record > 1 ? txt_group_next(r, ex, err)
					     : txt_next(r, ex, err);
		break;
	}
	if (rc == 1) {
		r->raw_start = before;
		r->raw_end = r->pos;
		ex->seg_end = r->segs.end;
		ex->nseg = r->segs.n;
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
	if (r->format == BENCH_JSON || r->format == BENCH_PARQUET || !r->data ||
	    r->records_path)
		return CONTAM_E_FORMAT;
	*head = r->data;
	*head_len = r->head_end;
	*rec = r->data + r->raw_start;
	*rec_len = r->raw_end - r->raw_start;
	return CONTAM_OK;
}

char *bench_reader_record_json(const bench_reader *r)
{
	if ((r->format != BENCH_JSON && r->format != BENCH_JSONL) || !r->cur)
		return NULL;
	return bench_json_dump(r);
}

void bench_reader_fields(const bench_reader *r, const bench_field_stat **f,
			 size_t *n, int *is_auto, uint64_t *more)
{
	*f = r->fstat;
	*n = r->nfstat;
	*is_auto = r->fields_auto && r->format != BENCH_TXT;
	*more = r->fields_more;
}

uint64_t bench_reader_records(const bench_reader *r)
{
	return r->records;
}

uint64_t bench_reader_id_records(const bench_reader *r)
{
	return r->id_records;
}

static long find_name(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return (long)i;
	return -1;
}

int bench_merge_fields(contam_benchmark *b, uint64_t before,
		       const bench_reader *r, const char *id_field,
		       int same_file)
{
	const bench_field_stat *f;
	size_t n;
	int is_auto;
	uint64_t more, recs = r->records;
	bench_reader_fields(r, &f, &n, &is_auto, &more);
	if (b->records_read == 0 && b->nfields == 0)
		b->fields_auto = is_auto;
	/* fields the benchmark has and this file lacks: all its records */
	for (size_t i = 0; !same_file && i < b->nfields; i++) {
		bool in_file = false;
		for (size_t j = 0; j < n && !in_file; j++)
			in_file = !strcmp(f[j].name, b->fields[i]);
		if (!in_file)
			b->field_missing[i] += recs;
	}
	for (size_t j = 0; j < n; j++) {
		long i = find_name(b->fields, b->nfields, f[j].name);
		if (i < 0) {
			char **nf = realloc(b->fields, (b->nfields + 1) * sizeof(*nf));
			if (!nf)
				return CONTAM_E_NOMEM;
			b->fields = nf;
			uint64_t *nm = realloc(b->field_missing,
					       (b->nfields + 1) * sizeof(*nm));
			if (!nm)
				return CONTAM_E_NOMEM;
			b->field_missing = nm;
			if (!(nf[b->nfields] = cstrdup(f[j].name)))
				return CONTAM_E_NOMEM;
			nm[b->nfields] = before;
			i = (long)b->nfields++;
		}
		b->field_missing[i] += recs - f[j].records;
	}
	b->fields_more += more;
	if (!same_file)
		b->not_utf8_bytes += r->not_utf8;
	if (id_field) {
		if (!b->id_field && !(b->id_field = cstrdup(id_field)))
			return CONTAM_E_NOMEM;
		b->id_missing += recs - r->id_records;
	}
	b->records_read = before + recs;
	return CONTAM_OK;
}

void bench_benchmark_fields_free(contam_benchmark *b)
{
	for (size_t i = 0; i < b->nfields; i++)
		free(b->fields[i]);
	free(b->fields);
	free(b->field_missing);
	free(b->id_field);
	b->fields = NULL;
	b->field_missing = NULL;
	b->id_field = NULL;
	b->nfields = 0;
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
	bench_parquet_release(r);
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
	free(r->id_field);
	free(r->auto_id);
	free(r->field_flag);
	free(r->records_path);
	for (size_t i = 0; i < r->nfstat; i++)
		free(r->fstat[i].name);
	free(r->fstat);
	for (size_t i = 0; r->fdiag && i < r->nfields; i++)
		free(r->fdiag[i]);
	free(r->fdiag);
	free(r->id_diag);
	for (size_t i = 0; i < r->nkeys; i++)
		free(r->keys[i]);
	free(r->keys);
	free(r->line_field);
	free(r->data);
	free(r->path);
	free(r->segs.end);
	cbuf_release(&r->text);
	cbuf_release(&r->id);
	cbuf_release(&r->scratch);
	free(r);
}
