/*
 * test_parquet.c -- the Parquet decoders on small hand-made buffers:
 * varints and zigzag, the Thrift compact skipper and its depth and length
 * limits, the RLE / bit-packed hybrid, DELTA_BINARY_PACKED; and files
 * that are not Parquet, or cut, refused with a message; record order
 * over 64 columns, and the row group's values under the memory ceiling.
 */
#include "reader/parquet.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_varint(void)
{
	const uint8_t a[] = { 0x96, 0x01 };  /* 150 */
	size_t pos = 0;
	uint64_t v = 0;
	CHECK(cpq_uvarint(a, sizeof a, &pos, &v) == CONTAM_OK);
	CHECK_EQ_U64(v, 150);
	CHECK_EQ_U64(pos, 2);
	/* cut in the middle */
	pos = 0;
	CHECK(cpq_uvarint(a, 1, &pos, &v) < 0);
	/* eleven continuation bytes: too long */
	uint8_t big[11];
	memset(big, 0xff, sizeof big);
	pos = 0;
	CHECK(cpq_uvarint(big, sizeof big, &pos, &v) < 0);
	/* the largest value */
	const uint8_t mx[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0x01 };
	pos = 0;
	CHECK(cpq_uvarint(mx, sizeof mx, &pos, &v) == CONTAM_OK);
	CHECK(v == UINT64_MAX);
	CHECK(cpq_zigzag(0) == 0);
	CHECK(cpq_zigzag(1) == -1);
	CHECK(cpq_zigzag(2) == 1);
	CHECK(cpq_zigzag(3) == -2);
	CHECK(cpq_zigzag(UINT64_MAX) == INT64_MIN);
}

static void test_thrift(void)
{
	char msg[160];
	/* struct { 1: i32 = 5 (zigzag 10), 2: binary "ab", STOP } */
	const uint8_t s1[] = { 0x15, 0x0a, 0x18, 0x02, 'a', 'b', 0x00 };
	size_t pos = 0;
	CHECK(cpq_thrift_skip(s1, sizeof s1, &pos, 12, 0, msg, sizeof msg) ==
	      CONTAM_OK);
	CHECK_EQ_U64(pos, sizeof s1);
	/* a string longer than the buffer */
	const uint8_t s2[] = { 0x18, 0x7f, 'a', 0x00 };
	pos = 0;
	CHECK(cpq_thrift_skip(s2, sizeof s2, &pos, 12, 0, msg, sizeof msg) < 0);
	CHECK(strstr(msg, "longer") != NULL);
	/* a list claiming more elements than bytes */
	const uint8_t s3[] = { 0x19, 0xf5, 0xff, 0xff, 0x03, 0x00 };
	pos = 0;
	CHECK(cpq_thrift_skip(s3, sizeof s3, &pos, 12, 0, msg, sizeof msg) < 0);
	/* nesting: 100 structs inside each other */
	uint8_t deep[300];
	size_t n = 0;
	for (int i = 0; i < 100; i++)
		deep[n++] = 0x1c;  /* field 1, struct */
	for (int i = 0; i < 101; i++)
		deep[n++] = 0x00;
	pos = 0;
	CHECK(cpq_thrift_skip(deep, n, &pos, 12, 0, msg, sizeof msg) < 0);
	CHECK(strstr(msg, "deeply") != NULL);
	/* ten levels are fine */
	n = 0;
	for (int i = 0; i < 10; i++)
		deep[n++] = 0x1c;
	for (int i = 0; i < 11; i++)
		deep[n++] = 0x00;
	pos = 0;
	CHECK(cpq_thrift_skip(deep, n, &pos, 12, 0, msg, sizeof msg) == CONTAM_OK);
	CHECK_EQ_U64(pos, n);
	/* cut: no STOP */
	const uint8_t s4[] = { 0x15, 0x0a };
	pos = 0;
	CHECK(cpq_thrift_skip(s4, sizeof s4, &pos, 12, 0, msg, sizeof msg) < 0);
	/* unknown type 13 */
	const uint8_t s5[] = { 0x1d, 0x00 };
	pos = 0;
	CHECK(cpq_thrift_skip(s5, sizeof s5, &pos, 12, 0, msg, sizeof msg) < 0);
	/* a map of 1 entry i32 -> bool, and a list of bools */
	const uint8_t s6[] = { 0x1b, 0x01, 0x51, 0x02, 0x01,
			       0x19, 0x21, 0x01, 0x02, 0x00 };
	pos = 0;
	CHECK(cpq_thrift_skip(s6, sizeof s6, &pos, 12, 0, msg, sizeof msg) ==
	      CONTAM_OK);
	CHECK_EQ_U64(pos, sizeof s6);
}

static void test_rle(void)
{
	uint32_t out[32];
	size_t used = 0;
	/* a run of 5 threes, width 2: header 5<<1 = 0x0a, value 0x03 */
	const uint8_t r1[] = { 0x0a, 0x03 };
	CHECK(cpq_rle_decode(r1, sizeof r1, 2, out, 5, &used) == CONTAM_OK);
	CHECK(out[0] == 3 && out[4] == 3);
	CHECK_EQ_U64(used, 2);
	/* bit-packed, width 3, values 0..7 (the spec's example) */
	const uint8_t r2[] = { 0x03, 0x88, 0xc6, 0xfa };
	CHECK(cpq_rle_decode(r2, sizeof r2, 3, out, 8, &used) == CONTAM_OK);
	int ok = 1;
	for (uint32_t i = 0; i < 8; i++)
		ok &= out[i] == i;
	CHECK(ok);
	/* a run followed by bit-packed values */
	const uint8_t r3[] = { 0x04, 0x01, 0x03, 0x88, 0xc6, 0xfa };
	CHECK(cpq_rle_decode(r3, sizeof r3, 3, out, 10, &used) == CONTAM_OK);
	CHECK(out[0] == 1 && out[1] == 1 && out[2] == 0 && out[9] == 7);
	/* too few bytes for the bit-packed groups */
	CHECK(cpq_rle_decode(r2, 3, 3, out, 8, &used) < 0);
	/* not enough values in the data */
	CHECK(cpq_rle_decode(r1, sizeof r1, 2, out, 6, &used) < 0);
	/* a run value wider than the bit width */
	const uint8_t r4[] = { 0x02, 0x07 };
	CHECK(cpq_rle_decode(r4, sizeof r4, 2, out, 1, &used) < 0);
	/* width over 32 */
	CHECK(cpq_rle_decode(r1, sizeof r1, 33, out, 1, &used) < 0);
	/* width 0: all zero, no bytes */
	out[0] = 9;
	CHECK(cpq_rle_decode(NULL, 0, 0, out, 3, &used) == CONTAM_OK);
	CHECK(out[0] == 0 && out[2] == 0);
	/* a zero-length run is damage, not an endless loop */
	const uint8_t r5[] = { 0x00, 0x01 };
	CHECK(cpq_rle_decode(r5, sizeof r5, 1, out, 1, &used) < 0);
}

static void test_delta(void)
{
	int64_t out[16];
	size_t count = 0, used = 0;
	/* block 128, 4 miniblocks, 5 values, first 7 (zigzag 14); min delta
	 * 1 (zigzag 2), widths 0: values 7 8 9 10 11 */
	const uint8_t d1[] = { 0x80, 0x01, 0x04, 0x05, 0x0e, 0x02,
			       0x00, 0x00, 0x00, 0x00 };
	CHECK(cpq_delta_decode(d1, sizeof d1, out, 16, &count, &used) == CONTAM_OK);
	CHECK_EQ_U64(count, 5);
	CHECK(out[0] == 7 && out[1] == 8 && out[4] == 11);
	CHECK_EQ_U64(used, sizeof d1);
	/* one value only: no blocks follow */
	const uint8_t d2[] = { 0x80, 0x01, 0x04, 0x01, 0x05 };
	CHECK(cpq_delta_decode(d2, sizeof d2, out, 16, &count, &used) == CONTAM_OK);
	CHECK(count == 1 && out[0] == -3);
	CHECK_EQ_U64(used, sizeof d2);
	/* widths 1: deltas from bits; min delta 0, 3 values 0, +1, +0 */
	const uint8_t d3[] = { 0x80, 0x01, 0x04, 0x03, 0x00, 0x00,
			       0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	CHECK(cpq_delta_decode(d3, sizeof d3, out, 16, &count, &used) == CONTAM_OK);
	CHECK(count == 3 && out[0] == 0 && out[1] == 1 && out[2] == 1);
	/* more values than the caller has room for */
	CHECK(cpq_delta_decode(d1, sizeof d1, out, 4, &count, &used) < 0);
	/* block size not a multiple of 128 */
	const uint8_t d4[] = { 0x40, 0x04, 0x05, 0x0e };
	CHECK(cpq_delta_decode(d4, sizeof d4, out, 16, &count, &used) < 0);
	/* zero miniblocks */
	const uint8_t d5[] = { 0x80, 0x01, 0x00, 0x05, 0x0e };
	CHECK(cpq_delta_decode(d5, sizeof d5, out, 16, &count, &used) < 0);
	/* a miniblock width over 64 */
	const uint8_t d6[] = { 0x80, 0x01, 0x04, 0x05, 0x0e, 0x02,
			       0x41, 0x00, 0x00, 0x00 };
	CHECK(cpq_delta_decode(d6, sizeof d6, out, 16, &count, &used) < 0);
	/* cut bit-packed data */
	const uint8_t d7[] = { 0x80, 0x01, 0x04, 0x05, 0x0e, 0x02,
			       0x08, 0x00, 0x00, 0x00, 0x01 };
	CHECK(cpq_delta_decode(d7, sizeof d7, out, 16, &count, &used) < 0);
}

static void test_not_parquet(void)
{
	cpq *f = NULL;
	cerr err;
	cerr_clear(&err);
	const char text[] = "hello, this is not a Parquet file at all";
	CHECK(cpq_open(&f, "t.parquet", text, sizeof text, 0, &err) < 0);
	CHECK(strstr(err.msg, "no PAR1 magic") != NULL);
	CHECK(f == NULL);
	/* magic at both ends, footer length past the file */
	uint8_t b[16] = { 'P', 'A', 'R', '1', 0, 0, 0, 0,
			  0xff, 0xff, 0, 0, 'P', 'A', 'R', '1' };
	cerr_clear(&err);
	CHECK(cpq_open(&f, "t.parquet", b, sizeof b, 0, &err) < 0);
	CHECK(strstr(err.msg, "footer length") != NULL);
	/* encrypted footer */
	memcpy(b + 12, "PARE", 4);
	cerr_clear(&err);
	CHECK(cpq_open(&f, "t.parquet", b, sizeof b, 0, &err) < 0);
	CHECK(strstr(err.msg, "encrypt") != NULL);
	/* a footer of garbage */
	uint8_t g[20] = { 'P', 'A', 'R', '1', 0xff, 0xff, 0xff, 0xff,
			  0x1d, 0x1d, 0x1d, 0x1d, 8, 0, 0, 0, 'P', 'A', 'R', '1' };
	cerr_clear(&err);
	CHECK(cpq_open(&f, "t.parquet", g, sizeof g, 0, &err) < 0);
	CHECK(err.msg[0] != '\0');
	/* too short */
	cerr_clear(&err);
	CHECK(cpq_open(&f, "t.parquet", "PAR1PAR1", 8, 0, &err) < 0);
	CHECK(strstr(err.msg, "too short") != NULL);
}

/* A real file from memory, when the shared data is there. */
static void test_real_file(void)
{
	const char *sd = getenv("CONTAM_SHARED_DATA");
	char path[4096];
	if (!sd)
		return;
	snprintf(path, sizeof path, "%s/parquet/hyparquet/alpha.parquet", sd);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	cpq *f = NULL;
	cerr err;
	cerr_clear(&err);
	CHECK(cpq_open(&f, path, buf, n, 0, &err) == CONTAM_OK);
	if (!f)
		return;
	CHECK_EQ_U64(cpq_num_rows(f), 676);
	CHECK(cpq_num_row_groups(f) == 7);
	size_t col;
	CHECK(cpq_select(f, "id", &col, 1) == 1);
	cpq_rows *r = NULL;
	CHECK(cpq_rows_open(&r, f, &col, 1, &err) == CONTAM_OK);
	uint64_t row, rows = 0;
	int ok = 1;
	while (r && cpq_rows_next(r, &row, &err) == 1) {
		const char *p;
		size_t len;
		ok &= row == rows && cpq_rows_count(r, 0) == 1;
		cpq_rows_value(r, 0, 0, &p, &len);
		ok &= len == 2 && p[0] == 'a' + (char)(rows / 26) &&
		      p[1] == 'a' + (char)(rows % 26);
		rows++;
	}
	CHECK(ok);
	CHECK_EQ_U64(rows, 676);
	cpq_rows_free(r);
	/* rows of no column are refused, not counted (a fuzzer's 2^63-row
	 * group ran for minutes) */
	r = NULL;
	CHECK(cpq_rows_open(&r, f, &col, 0, &err) == CONTAM_E_PARAM && !r);
	/* every cut of the file is refused, never read past its end */
	int refused = 1;
	for (size_t cut = 0; cut + 1 < n; cut += 97) {
		cpq *g = NULL;
		cerr e2;
		cerr_clear(&e2);
		if (cpq_open(&g, path, buf, cut, 0, &e2) == CONTAM_OK)
			refused = 0;
		cpq_free(g);
	}
	CHECK(refused);
	cpq_free(f);
}

static int order_piece(void *arg, size_t k, const char *p, size_t n)
{
	size_t *seq = arg;   /* seq[0]: how many; then the columns */
	(void)p;
	(void)n;
	if (seq[0] < 255)
		seq[1 + seq[0]++] = k;
	return 0;
}

/* Record order: a list of {role, content} structs gives role, content,
 * role, content, ... (each turn whole), not all roles then all contents;
 * a map's key column is marked. */
static void test_record_order(void)
{
	const char *sd = getenv("CONTAM_SHARED_DATA");
	char path[4096];
	if (!sd)
		return;
	snprintf(path, sizeof path, "%s/parquet/hyparquet/struct_offset_index.parquet",
		 sd);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	cpq *f = NULL;
	cerr err;
	cerr_clear(&err);
	CHECK(cpq_open(&f, path, buf, n, 0, &err) == CONTAM_OK);
	if (!f)
		return;
	size_t cols[4];
	CHECK(cpq_select(f, "messages", cols, 4) == 2);
	CHECK(strcmp(cpq_column_top(f, cols[0]), "messages") == 0);
	CHECK(!cpq_column_map_key(f, cols[0]) && !cpq_column_map_key(f, cols[1]));
	cpq_rows *r = NULL;
	CHECK(cpq_rows_open(&r, f, cols, 2, &err) == CONTAM_OK);
	uint64_t row;
	int alternate = 1, rows = 0;
	size_t turns = 0;
	while (r && cpq_rows_next(r, &row, &err) == 1) {
		size_t seq[256] = { 0 };
		CHECK(cpq_rows_each(r, 0, 2, order_piece, seq) == CONTAM_OK);
		CHECK_EQ_U64(seq[0], cpq_rows_count(r, 0) + cpq_rows_count(r, 1));
		for (size_t i = 0; i < seq[0]; i++)
			alternate &= seq[1 + i] == i % 2;
		turns += cpq_rows_count(r, 0);
		rows++;
	}
	CHECK(alternate);
	CHECK(rows == 20 && turns > 20);
	cpq_rows_free(r);
	cpq_free(f);
	/* a MAP's key column */
	snprintf(path, sizeof path, "%s/parquet/parquet-testing/nested_maps.snappy.parquet",
		 sd);
	if (!(fp = fopen(path, "rb")))
		return;
	n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	cerr_clear(&err);
	CHECK(cpq_open(&f, path, buf, n, 0, &err) == CONTAM_OK);
	if (!f)
		return;
	size_t keys = 0;
	for (size_t c = 0; c < cpq_num_columns(f); c++)
		if (cpq_column_map_key(f, c)) {
			keys++;
			CHECK(strstr(cpq_column_path(f, c), ".key") != NULL);
		}
	CHECK(keys >= 1);
	cpq_free(f);
}

static int count_piece(void *arg, size_t k, const char *p, size_t n)
{
	size_t *seq = arg;   /* seq[0]: values; seq[1]: out of order; seq[2]: last */
	(void)p;
	seq[1] += k < seq[2] || n != 0;
	seq[2] = k;
	seq[0]++;
	return 0;
}

/* 64 repeated columns, each of one empty string repeated N times (RLE
 * dictionary indices and levels) in the one row: a 3 KB file.  Read
 * whole when the row group holds 64 * 4096 values, column after column;
 * refused when it holds 64 * 2^18 (the values of all the selected
 * columns count against the ceiling together; the scan for the least
 * head, value after value, ran past fuzz_parquet's timeout on it). */
static void test_many_columns(const char *testdata)
{
	static const struct {
		const char *name;
		size_t per_col;
	} files[] = { { "regress-64-columns-merge", 4096 },
		      { "regress-64-columns-one-row", 0 } };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/../tests/fuzz/corpus/fuzz_parquet/%s",
			 testdata, files[i].name);
		FILE *fp = fopen(path, "rb");
		CHECK(fp != NULL);
		if (!fp)
			continue;
		static uint8_t buf[1 << 14];
		size_t n = fread(buf, 1, sizeof buf, fp);
		fclose(fp);
		cpq *f = NULL;
		cpq_rows *r = NULL;
		cerr err;
		cerr_clear(&err);
		CHECK(cpq_open(&f, path, buf, n, 4u << 20, &err) == CONTAM_OK);
		if (!f)
			continue;
		size_t cols[64];
		CHECK(cpq_select(f, "*", cols, 64) == 64);
		CHECK(cpq_rows_open(&r, f, cols, 64, &err) == CONTAM_OK);
		uint64_t row;
		int rc = r ? cpq_rows_next(r, &row, &err) : -1;
		if (files[i].per_col) {
			size_t seq[3] = { 0 };
			CHECK(rc == 1);
			CHECK(rc == 1 && cpq_rows_each(r, 0, 64, count_piece, seq) == CONTAM_OK);
			CHECK_EQ_U64(seq[0], 64 * files[i].per_col);
			CHECK(seq[1] == 0 && seq[2] == 63);
			CHECK(rc == 1 && cpq_rows_next(r, &row, &err) == 0);
		} else {
			CHECK(rc == CONTAM_E_FORMAT &&
			      strstr(err.msg, "over the memory ceiling of 262144 values"));
		}
		cpq_rows_free(r);
		cpq_free(f);
	}
}

int main(int argc, char **argv)
{
	test_varint();
	test_thrift();
	test_rle();
	test_delta();
	test_not_parquet();
	test_real_file();
	test_record_order();
	test_many_columns(argc > 1 ? argv[1] : "testdata");
	return tu_finish("test_parquet");
}
