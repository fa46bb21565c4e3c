/*
 * bench.c -- benchmark readers: open a BENCH file, pick its format, and
 * hand out one example per record.  Plain text lives here; JSON and JSONL
 * are in bench_json.c, CSV and TSV in bench_csv.c.
 *
 * Benchmarks are small (megabytes), so the whole file is read into memory
 * with cstream_read_all(), which also undoes .gz/.zst.  Working on one
 * buffer keeps every parser simple and gives exact line numbers for every
 * message.  The format comes from the name with .gz/.zst removed:
 *
 *     .jsonl .ndjson  JSONL (one object or string per non-empty line)
 *     .json           JSON (an array of records, or the first array under
 *                     the top-level object) -- or JSONL, when the first
 *                     line alone is a complete object and more follows
 *     .csv .tsv       RFC 4180, first row the header unless no_header
 *     anything else   text, one example per non-empty line
 *
 * A UTF-8 byte order mark at the start is skipped in every format (CSV
 * files saved by spreadsheets carry one, and it would end up in the first
 * column's name).  Lines holding only white space count as empty.
 */
#include "bench_int.h"

#include "../common/stream.h"

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

static bench_format format_from_name(const char *path)
{
	size_t n = strlen(path);
	if (name_ends(path, n, ".gz"))
		n -= 3;
	else if (name_ends(path, n, ".zst"))
		n -= 4;
	else if (name_ends(path, n, ".zstd"))
		n -= 5;
	if (name_ends(path, n, ".jsonl") || name_ends(path, n, ".ndjson"))
		return BENCH_JSONL;
	if (name_ends(path, n, ".json"))
		return BENCH_JSON;
	if (name_ends(path, n, ".csv"))
		return BENCH_CSV;
	if (name_ends(path, n, ".tsv"))
		return BENCH_TSV;
	return BENCH_TXT;
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

	rc = cstream_read_all(path, BENCH_MAX_BYTES, &r->data, &r->len, err);
	if (rc < 0)
		goto out;
	if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	if (all_blank(r->data + r->pos, r->len - r->pos)) {
		rc = bench_fail(r, err, 0, "no examples found");
		goto out;
	}

	r->format = format_from_name(path);
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
