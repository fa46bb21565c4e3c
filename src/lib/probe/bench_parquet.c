/*
 * bench_parquet.c -- Parquet benchmark files (Hugging Face splits): one
 * row is one record, its record number the row index in the file.  The
 * file is in r->data (benchmarks are small) and decoded by the corpus
 * reader's Parquet module (reader/parquet.h), one row group at a time.
 *
 * --field names columns: a dotted path reaches a struct field, a list
 * column gives every string in it (as a JSON array does), a group gives
 * all its string leaves.  Without --field every string column is taken,
 * in schema order, as JSON takes every string value of a record.  Each
 * value is one piece of the example (bench_join); nulls give nothing.
 * Only string (BYTE_ARRAY) columns can be selected: another type is a
 * clear error, never an empty text.
 */
#include "bench_int.h"

#include "../reader/parquet.h"

#include <stdlib.h>
#include <string.h>

#define BPQ_MAX_COLS 4096

int bench_parquet_open(bench_reader *r, cerr *err)
{
	size_t cols[BPQ_MAX_COLS], n = 0;
	int rc = cpq_open(&r->pq, r->path, r->data, r->len, 0, err);
	if (rc < 0)
		return rc;
	size_t nf = r->nfields ? r->nfields : cpq_num_columns(r->pq);
	r->pq_field = calloc(nf ? nf : 1, sizeof *r->pq_field);
	r->pq_nsel = calloc(nf ? nf : 1, sizeof *r->pq_nsel);
	if (!r->pq_field || !r->pq_nsel)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (r->nfields) {
		for (size_t i = 0; i < r->nfields; i++) {
			size_t got = cpq_select(r->pq, r->fields[i], cols + n,
						BPQ_MAX_COLS - n);
			if (got == 0) {
				char names[512];
				cpq_names(r->pq, names, sizeof names);
				return bench_fail(r, err, 0, "no column '%s' for "
						  "%s (columns: %s)", r->fields[i],
						  r->field_flag ? r->field_flag
								: "--field",
						  names[0] ? names : "none");
			}
			r->pq_field[i] = n;
			r->pq_nsel[i] = got;
			n += got;
		}
		r->pq_nfields = r->nfields;
	} else {
		for (size_t c = 0; c < cpq_num_columns(r->pq) &&
				   n < BPQ_MAX_COLS; c++) {
			if (cpq_column_type(r->pq, c) != CPQ_BYTE_ARRAY)
				continue;
			r->pq_field[n] = n;
			r->pq_nsel[n] = 1;
			cols[n++] = c;
		}
		r->pq_nfields = n;
		if (n == 0)
			return bench_fail(r, err, 0, "no string column (only "
					  "BYTE_ARRAY columns are read)");
	}
	r->pq_ntext = n;
	if (r->id_field) {
		size_t c;
		if (cpq_select(r->pq, r->id_field, &c, 1) != 1 ||
		    n >= BPQ_MAX_COLS)
			return bench_fail(r, err, 0, "no column '%s' for "
					  "--id-field", r->id_field);
		r->pq_id = (long)n;
		cols[n++] = c;
	}
	if (!(r->pq_cols = malloc((n ? n : 1) * sizeof *r->pq_cols)))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	memcpy(r->pq_cols, cols, n * sizeof *cols);
	return cpq_rows_open(&r->pq_rows, r->pq, cols, n, err);
}

int bench_parquet_next(bench_reader *r, bench_example *ex, cerr *err)
{
	uint64_t row;
	size_t pieces = 0;
	int rc = cpq_rows_next(r->pq_rows, &row, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bench_end(r, err);
	cbuf_reset(&r->text);
	r->segs.n = 0;
	for (size_t i = 0; i < r->pq_nfields; i++) {
		size_t before = pieces;
		for (size_t k = r->pq_field[i]; k < r->pq_field[i] + r->pq_nsel[i];
		     k++) {
			size_t nv = cpq_rows_count(r->pq_rows, k);
			for (size_t j = 0; j < nv; j++) {
				const char *p;
				size_t len;
				cpq_rows_value(r->pq_rows, k, j, &p, &len);
				if (bench_join(&r->text, &r->segs, p, len, &pieces))
					goto nomem;
			}
		}
		if (pieces > before) {
			if (r->nfields)
				bench_field_hit(r, i);
			else if (bench_auto_hit(r, cpq_column_path(r->pq,
							r->pq_cols[i])))
				goto nomem;
		}
	}
	if (cbuf_reserve(&r->text, 0))
		goto nomem;
	ex->id = NULL;
	if (r->pq_id >= 0 && cpq_rows_count(r->pq_rows, (size_t)r->pq_id)) {
		const char *p;
		size_t len;
		cpq_rows_value(r->pq_rows, (size_t)r->pq_id, 0, &p, &len);
		cbuf_reset(&r->id);
		if (cbuf_append(&r->id, p, len) || cbuf_reserve(&r->id, 0))
			goto nomem;
		ex->id = r->id.data;
		r->id_records++;
	}
	ex->text = r->text.data;
	ex->len = r->text.len;
	ex->record = row;
	ex->line = 0;
	r->records++;
	return 1;
nomem:
	return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
}

void bench_parquet_release(bench_reader *r)
{
	cpq_rows_free(r->pq_rows);
	cpq_free(r->pq);
	free(r->pq_field);
	free(r->pq_nsel);
	free(r->pq_cols);
	r->pq_cols = NULL;
	r->pq_rows = NULL;
	r->pq = NULL;
	r->pq_field = r->pq_nsel = NULL;
}
