/*
 * fuzz_parquet.c -- the whole Parquet reader from memory: footer, Thrift
 * metadata, schema, every string column of every row group, pages,
 * codecs, encodings and levels, and the values in record order; then
 * every integer and boolean column.  A low memory ceiling (4 MiB) keeps a
 * page that claims gigabytes from being allocated: it must be refused.
 * Seeds: small real files (tests/fuzz/corpus/fuzz_parquet, from
 * ../shared/data/parquet, see its SOURCES.md).
 */
#include "reader/parquet.h"
#include "fuzz_util.h"

#define FUZZ_PQ_COLS 64

static int fuzz_pq_piece(void *arg, size_t k, const char *p, size_t n)
{
	uint64_t *sum = arg;
	*sum += k + (n ? (uint8_t)p[0] : 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cpq *f = NULL;
	cpq_rows *r = NULL;
	cerr err;
	size_t cols[FUZZ_PQ_COLS];

	cerr_clear(&err);
	if (cpq_open(&f, "fuzz.parquet", data, size, 4u << 20, &err) < 0)
		return 0;
	size_t n = cpq_select(f, "*", cols, FUZZ_PQ_COLS);
	if (cpq_rows_open(&r, f, cols, n, &err) == CONTAM_OK) {
		uint64_t row, sum = 0;
		while (cpq_rows_next(r, &row, &err) == 1) {
			/* record order across all the columns (as probe and
			 * the corpus reader walk a field's leaves) */
			cpq_rows_each(r, 0, n, fuzz_pq_piece, &sum);
			for (size_t k = 0; k < n; k++)
				for (size_t j = 0; j < cpq_rows_count(r, k); j++) {
					const char *p;
					size_t len;
					cpq_rows_value(r, k, j, &p, &len);
					sum += len ? (uint8_t)p[len - 1] : 0;
				}
		}
		(void)sum;
	}
	cpq_rows_free(r);
	/* the integer and boolean columns (probe reads one named alone) */
	r = NULL;
	n = 0;
	for (size_t c = 0; c < cpq_num_columns(f) && n < FUZZ_PQ_COLS; c++)
		if (cpq_column_number(f, c))
			cols[n++] = c;
	if (n && cpq_rows_open(&r, f, cols, n, &err) == CONTAM_OK) {
		uint64_t row, sum = 0;
		while (cpq_rows_next(r, &row, &err) == 1)
			cpq_rows_each(r, 0, n, fuzz_pq_piece, &sum);
		(void)sum;
	}
	cpq_rows_free(r);
	cpq_free(f);
	return 0;
}
