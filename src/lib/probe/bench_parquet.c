/*
 * bench_parquet.c -- Parquet benchmark files (Hugging Face splits): one
 * row is one record, its record number the row index in the file.  The
 * file is in r->data (benchmarks are small) and decoded by the corpus
 * reader's Parquet module (reader/parquet.h), one row group at a time.
 *
 * --field names columns: a dotted path reaches a struct field, a list
 * column gives every string in it (as a JSON array does), a group gives
 * all its string leaves.  Without --field every top-level field with a
 * string column is taken, in schema order, as JSON takes every string
 * value of a record.  Each value is one piece of the example
 * (bench_join), in record order (cpq_rows_each: a list of chat turns
 * gives role, content, role, content, ... as its JSON rendering does);
 * nulls give nothing, and a row with no text at all is an error, as a
 * JSON record without one is.  String (BYTE_ARRAY) columns are read; a
 * plain integer or boolean column named alone (--field key, --id-field
 * idx) gives its values as JSON writes them ("42", "true"), as a JSON
 * path that ends at a number does; another type is a clear error, never
 * an empty text.  The keys of a MAP are left out (its JSON rendering has
 * them as object keys), unless --field names the key column itself.
 */
#include "bench_int.h"

#include "../reader/parquet.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BPQ_MAX_COLS 4096

int bench_parquet_open(bench_reader *r, cerr *err)
{
	size_t cols[BPQ_MAX_COLS], n = 0;
	long auto_id = -1; /* without --field and --id-field: the id column */
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
			/* a group gives its strings, as a JSON object does:
			 * not its numbers, nor a map's keys (object keys);
			 * a column named alone is taken as it is */
			size_t kept = 0;
			for (size_t j = 0; j < got; j++) {
				size_t c = cols[n + j];
				if (got > 1 && (cpq_column_map_key(r->pq, c) ||
						cpq_column_type(r->pq, c) !=
						CPQ_BYTE_ARRAY))
					continue;
				cols[n + kept++] = c;
			}
			r->pq_field[i] = n;
			r->pq_nsel[i] = kept;
			n += kept;
		}
		r->pq_nfields = r->nfields;
	} else {
		/* one field per top-level name, its string leaves together;
		 * without --id-field, a top-level id column is the id */
		size_t nf2 = 0;
		for (size_t c = 0; c < cpq_num_columns(r->pq) && auto_id < 0 &&
				   !r->id_field; c++) {
			int t = cpq_column_type(r->pq, c);
			if ((t == CPQ_BYTE_ARRAY || t == CPQ_INT32 || t == CPQ_INT64) &&
			    !strcmp(cpq_column_top(r->pq, c), cpq_column_path(r->pq, c)) &&
			    bench_is_id_name(cpq_column_path(r->pq, c)))
				auto_id = (long)c;
		}
		for (size_t c = 0; c < cpq_num_columns(r->pq) &&
				   n < BPQ_MAX_COLS; c++) {
			if (cpq_column_type(r->pq, c) != CPQ_BYTE_ARRAY ||
			    cpq_column_map_key(r->pq, c) || (long)c == auto_id)
				continue;
			if (nf2 == 0 || strcmp(cpq_column_top(r->pq, c),
					       cpq_column_top(r->pq,
						       cols[r->pq_field[nf2 - 1]])) != 0) {
				r->pq_field[nf2] = n;
				r->pq_nsel[nf2++] = 0;
			}
			r->pq_nsel[nf2 - 1]++;
			cols[n++] = c;
		}
		r->pq_nfields = nf2;
		if (auto_id >= 0 && n > 0 && n < BPQ_MAX_COLS) {
			bool is_it;
			if (bench_take_auto_id(r, cpq_column_path(r->pq, (size_t)auto_id),
					       &is_it))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		} else {
			auto_id = -1;
		}
		if (n == 0) {
			const char *key = NULL;
			for (size_t c = 0; c < cpq_num_columns(r->pq) && !key; c++)
				if (cpq_column_type(r->pq, c) == CPQ_BYTE_ARRAY)
					key = cpq_column_path(r->pq, c);
			if (key)
				return bench_fail(r, err, 0, "no string column but "
						  "map keys (a JSON object's keys "
						  "are no text either; --field "
						  "'%s' reads them)", key);
			return bench_fail(r, err, 0, "no string column (only "
					  "BYTE_ARRAY columns are read)");
		}
	}
	r->pq_ntext = n;
	if (r->auto_id) {
		r->pq_id = (long)n;
		cols[n++] = (size_t)auto_id;
	} else if (r->id_field) {
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

typedef struct bpq_join {
	bench_reader *r;
	size_t pieces;
} bpq_join;

static int bpq_piece(void *arg, size_t k, const char *p, size_t n)
{
	bpq_join *j = arg;
	(void)k;
	return bench_join(&j->r->text, &j->r->segs, p, n, &j->pieces);
}

int bench_parquet_next(bench_reader *r, bench_example *ex, cerr *err)
{
	uint64_t row;
	bpq_join jn = { r, 0 };
	int rc = cpq_rows_next(r->pq_rows, &row, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bench_end(r, err);
	cbuf_reset(&r->text);
	r->segs.n = 0;
	for (size_t i = 0; i < r->pq_nfields; i++) {
		size_t before = jn.pieces;
		if (cpq_rows_each(r->pq_rows, r->pq_field[i], r->pq_nsel[i],
				  bpq_piece, &jn))
			goto nomem;
		if (jn.pieces > before) {
			if (r->nfields)
				bench_field_hit(r, i);
			else if (bench_auto_hit(r, cpq_column_top(r->pq,
					r->pq_cols[r->pq_field[i]])))
				goto nomem;
		}
	}
	if (jn.pieces == 0) {
		/* as a JSON record with no text: an error, not an empty
		 * example */
		char list[512];
		if (!r->nfields)
			return bench_fail(r, err, 0, "no string values in the "
					  "record (record %" PRIu64 ": its string "
					  "columns are null)", row);
		bench_fields_list(r, list, sizeof list);
		return bench_fail(r, err, 0, "no text at %s %s (record %" PRIu64
				  ": null)", r->field_flag ? r->field_flag
				  : "--field", list, row);
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
