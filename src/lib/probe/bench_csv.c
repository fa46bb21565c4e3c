/*
 * bench_csv.c -- CSV (RFC 4180) and TSV benchmark records.
 *
 * One parser serves both; only the delimiter differs.  A field that
 * starts with '"' is quoted: it runs to the next lone '"', "" stands for
 * one quote, and delimiters and line breaks inside are data.  Text
 * between the closing quote and the next delimiter is an error (Python's
 * csv module keeps it, but then a quote left open silently swallows the
 * rows up to the next quote: examples would vanish).  Rows end at "\n" or
 * "\r\n"; a lone '\r' is data.  Lines that are empty or hold only spaces
 * are not rows.
 *
 * The header row names the columns; with no_header the columns are named
 * "0", "1", ... and the first row fixes how many there are.  Every row
 * must have that many fields: a short or long row means the file is not
 * what the header says, and is an error with its line.
 *
 * --field names a column: the exact header name first (so "a.b" works as
 * a column name), then "name#k", the k-th column of that name, then, for
 * a name made of digits, the column at that position.  A name the header
 * has twice is refused as ambiguous, never silently the first.  Fields
 * are resolved once, against the header, so a mistyped name fails at once
 * with the list of columns.  Without --field a record is every field of
 * the row, in order.  --id-field names a column the same way and must
 * exist too.  An empty cell is joined (as an empty line) but counts as
 * missing in the field statistics.
 */
#include "bench_int.h"

#include <stdio.h>
#include <stdlib.h>

static int row_push(bench_row *row, size_t start, size_t len)
{
	if (row->count == row->cap) {
		size_t cap = row->cap ? row->cap * 2 : 16;
		size_t *s = realloc(row->start, cap * sizeof(*s));
		if (!s)
			return CONTAM_E_NOMEM;
		row->start = s;
		size_t *l = realloc(row->flen, cap * sizeof(*l));
		if (!l)
			return CONTAM_E_NOMEM;
		row->flen = l;
		row->cap = cap;
	}
	row->start[row->count] = start;
	row->flen[row->count] = len;
	row->count++;
	return CONTAM_OK;
}

static const char *row_field(const bench_row *row, size_t i)
{
	return row->bytes.data + row->start[i];
}

/* Skip lines that are empty or hold only spaces (and tabs, in CSV). */
static void skip_blank_lines(bench_reader *r)
{
	while (r->pos < r->len) {
		size_t i = r->pos;
		while (i < r->len && (r->data[i] == ' ' || r->data[i] == '\r' ||
				      (r->data[i] == '\t' && r->delim != '\t')))
			i++;
		if (i < r->len && r->data[i] != '\n')
			return;
		r->pos = i < r->len ? i + 1 : i;
		r->line++;
	}
}

/* Parse the next row into r->row.  1: a row, starting at *start_line;
 * 0: no more rows; < 0: error. */
static int parse_row(bench_reader *r, uint64_t *start_line, cerr *err)
{
	const char *d = r->data;
	size_t n = r->len, p;
	bench_row *row = &r->row;

	skip_blank_lines(r);
	if (r->pos >= n)
		return 0;
	*start_line = r->line;
	cbuf_reset(&row->bytes);
	row->count = 0;
	p = r->pos;
	for (;;) {
		size_t start = row->bytes.len;
		if (p < n && d[p] == '"') {
			uint64_t quote_line = r->line;
			p++;
			for (;;) {
				const char *q = memchr(d + p, '"', n - p);
				if (!q)
					return bench_fail(r, err, quote_line,
							  "unterminated quoted "
							  "field starting here");
				size_t chunk = (size_t)(q - (d + p));
				for (size_t i = 0; i < chunk; i++)
					if (d[p + i] == '\n')
						r->line++;
				if (cbuf_append(&row->bytes, d + p, chunk))
					goto nomem;
				p += chunk + 1;
				if (p < n && d[p] == '"') {
					if (cbuf_putc(&row->bytes, '"'))
						goto nomem;
					p++;
					continue;
				}
				break;
			}
			/* A closing quote must end the field.  Text after it
			 * almost always means a quote that was never closed
			 * swallowed the rows up to the next quote: refuse
			 * rather than lose examples silently. */
			if (p < n && d[p] != r->delim && d[p] != '\n' &&
			    !(d[p] == '\r' && (p + 1 == n || d[p + 1] == '\n')))
				return bench_fail(r, err, quote_line,
						  "unbalanced quote: text after the closing "
						  "quote of the field starting here");
		}
		/* Unquoted field. */
		size_t from = p;
		while (p < n && d[p] != r->delim && d[p] != '\n' &&
		       !(d[p] == '\r' && (p + 1 == n || d[p + 1] == '\n')))
			p++;
		if (cbuf_append(&row->bytes, d + from, p - from))
			goto nomem;
		if (row_push(row, start, row->bytes.len - start) ||
		    cbuf_putc(&row->bytes, '\0'))
			goto nomem;
		if (p < n && d[p] == r->delim) {
			p++;
			continue;
		}
		if (p < n && d[p] == '\r')
			p++;
		if (p < n && d[p] == '\n') {
			p++;
			r->line++;
		}
		break;
	}
	r->pos = p;
	return 1;
nomem:
	return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
}

/* Column for a --field / --id-field name: the header name, "name#k" for
 * the k-th column of that name (1-based) when the header repeats it, or
 * a column number.  -1: no such column; -2: the name is ambiguous (the
 * header has it more than once), *first and *second are two of them. */
static long find_column(const bench_reader *r, const char *name,
			size_t *first, size_t *second)
{
	if (r->colnames) {
		long found = -1;
		for (size_t i = 0; i < r->ncols; i++) {
			if (strcmp(r->colnames[i], name) != 0)
				continue;
			if (found >= 0) {
				*first = (size_t)found;
				*second = i;
				return -2;
			}
			found = (long)i;
		}
		if (found >= 0)
			return found;
		const char *hash = strrchr(name, '#');
		size_t hn = hash ? strlen(hash + 1) : 0;
		if (hash && hn && hn <= 6 && strspn(hash + 1, "0123456789") == hn) {
			unsigned long k = strtoul(hash + 1, NULL, 10), seen = 0;
			size_t bl = (size_t)(hash - name);
			for (size_t i = 0; i < r->ncols && k; i++)
				if (strlen(r->colnames[i]) == bl &&
				    !memcmp(r->colnames[i], name, bl) && ++seen == k)
					return (long)i;
		}
	}
	size_t n = strlen(name);
	if (n == 0 || n > 9 || strspn(name, "0123456789") != n)
		return -1;
	unsigned long col = strtoul(name, NULL, 10);
	return col < r->ncols ? (long)col : -1;
}

static void column_list(const bench_reader *r, char *cols, size_t len)
{
	size_t used = 0;
	cols[0] = '\0';
	for (size_t c = 0; c < r->ncols && used < len; c++) {
		int w = snprintf(cols + used, len - used, "%s'%s'",
				 c ? ", " : "", r->colnames[c]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* One --field or --id-field name to its column, or an error naming the
 * columns there are. */
static int resolve_one(bench_reader *r, uint64_t line, const char *flag,
		       const char *name, size_t *col, cerr *err)
{
	size_t a = 0, b = 0;
	long c = find_column(r, name, &a, &b);
	if (c >= 0) {
		*col = (size_t)c;
		return CONTAM_OK;
	}
	if (c == -2)
		return bench_fail(r, err, line, "%s '%s' is ambiguous: the "
				  "header names columns %zu and %zu (0-based) "
				  "'%s'; say '%s#1', '%s#2', ... (the k-th "
				  "column of that name) or the column number",
				  flag, name, a, b, name, name, name);
	if (!r->colnames)
		return bench_fail(r, err, line, "no text at %s '%s': no "
				  "header (--no-header), columns are 0..%zu",
				  flag, name, r->ncols - 1);
	char cols[600];
	column_list(r, cols, sizeof(cols));
	return bench_fail(r, err, line, "no text at %s '%s': no such "
			  "column in the header (columns: %s)", flag, name,
			  cols);
}

/* Map --field and --id-field to columns once ncols is known. */
static int resolve_columns(bench_reader *r, uint64_t line, cerr *err)
{
	int rc;
	const char *flag = r->field_flag ? r->field_flag : "--field";
	if (r->nfields) {
		r->field_col = calloc(r->nfields, sizeof(*r->field_col));
		if (!r->field_col)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nfields; i++)
		if ((rc = resolve_one(r, line, flag, r->fields[i],
				      &r->field_col[i], err)) < 0)
			return rc;
	if (r->id_field) {
		size_t col;
		if ((rc = resolve_one(r, line, "--id-field", r->id_field, &col,
				      err)) < 0)
			return rc;
		r->id_col = (long)col;
	} else if (!r->nfields && r->colnames) {
		/* without either: an id column is the id, not text */
		for (size_t i = 0; i < r->ncols && r->id_col < 0; i++) {
			bool is_it;
			if (!bench_is_id_name(r->colnames[i]))
				continue;
			if (bench_take_auto_id(r, r->colnames[i], &is_it))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			r->id_col = (long)i;
		}
	}
	/* for messages about fields found in no record */
	for (size_t i = 0; i < r->ncols; i++) {
		char num[24];
		snprintf(num, sizeof(num), "%zu", i);
		if (bench_note_key(r, r->colnames ? r->colnames[i] : num))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	r->cols_resolved = 1;
	return CONTAM_OK;
}

int bench_csv_open(bench_reader *r, cerr *err)
{
	uint64_t line = 0;
	int rc;
	if (r->no_header)
		return CONTAM_OK; /* columns are known at the first row */
	rc = parse_row(r, &line, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bench_fail(r, err, 0, "no examples found");
	r->ncols = r->row.count;
	/* A header row of sentences is a first record read as a header
	 * (MMLU's files have none): refused rather than one example lost. */
	for (size_t i = 0; i < r->row.count && !r->force_header; i++) {
		const char *f = row_field(&r->row, i);
		size_t words = 0, len = r->row.flen[i];
		for (size_t k = 0; k < len; k++)
			if (f[k] != ' ' && (k == 0 || f[k - 1] == ' '))
				words++;
		if (len > 64 || words >= 4 || memchr(f, '\n', len))
			return bench_fail(r, err, line, "the first row looks like "
					  "data, not a header (column %zu is "
					  "'%.40s%s'): give --no-header if the "
					  "file has no header row, or --header "
					  "to read it as one", i, f,
					  len > 40 ? "..." : "");
	}
	r->colnames = calloc(r->ncols, sizeof(*r->colnames));
	if (!r->colnames)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < r->ncols; i++) {
		r->colnames[i] = cstrdup(row_field(&r->row, i));
		if (!r->colnames[i])
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	return resolve_columns(r, line, err);
}

int bench_csv_next(bench_reader *r, bench_example *ex, cerr *err)
{
	uint64_t line = 0;
	uint64_t record = r->records;
	size_t pieces = 0;
	int rc = parse_row(r, &line, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bench_end(r, err);
	if (!r->cols_resolved) {
		r->ncols = r->row.count;
		rc = resolve_columns(r, line, err);
		if (rc < 0)
			return rc;
	}
	if (r->row.count != r->ncols)
		return bench_fail(r, err, line, "row has %zu fields, %s %zu "
				  "(record %llu)", r->row.count,
				  r->colnames ? "the header has"
					      : "the first row has",
				  r->ncols, (unsigned long long)record);
	cbuf_reset(&r->text);
	r->segs.n = 0;
	/* an empty cell is joined (positions stay) but counts as missing */
	if (r->nfields == 0) {
		for (size_t i = 0; i < r->row.count; i++) {
			char num[24];
			if ((long)i == r->id_col && r->auto_id)
				continue;
			if (bench_join(&r->text, &r->segs, row_field(&r->row, i),
				       r->row.flen[i], &pieces))
				goto nomem;
			snprintf(num, sizeof(num), "%zu", i);
			if (r->row.flen[i] &&
			    bench_auto_hit(r, r->colnames ? r->colnames[i] : num))
				goto nomem;
		}
	} else {
		for (size_t i = 0; i < r->nfields; i++) {
			size_t c = r->field_col[i];
			if (bench_join(&r->text, &r->segs, row_field(&r->row, c),
				       r->row.flen[c], &pieces))
				goto nomem;
			if (r->row.flen[c])
				bench_field_hit(r, i);
		}
	}
	if (cbuf_reserve(&r->text, 0))
		goto nomem;
	ex->id = NULL;
	if (r->id_col >= 0) {
		size_t c = (size_t)r->id_col;
		cbuf_reset(&r->id);
		if (cbuf_append(&r->id, row_field(&r->row, c), r->row.flen[c]) ||
		    cbuf_reserve(&r->id, 0))
			goto nomem;
		ex->id = r->id.data;
		r->id_records += r->row.flen[c] > 0;
	}
	ex->text = r->text.data;
	ex->len = r->text.len;
	ex->record = record;
	ex->line = line;
	r->records++;
	return 1;
nomem:
	return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
}

void bench_csv_release(bench_reader *r)
{
	if (r->colnames) {
		for (size_t i = 0; i < r->ncols; i++)
			free(r->colnames[i]);
		free(r->colnames);
		r->colnames = NULL;
	}
	free(r->field_col);
	r->field_col = NULL;
	cbuf_release(&r->row.bytes);
	free(r->row.start);
	free(r->row.flen);
	r->row.start = r->row.flen = NULL;
	r->row.count = r->row.cap = 0;
}
