/*
 * parquet.h -- the part of Apache Parquet contam reads: the string
 * (BYTE_ARRAY) columns of a file, row by row.
 *
 * No C Parquet library is packaged in Debian 12, so this is contam's own:
 * the footer, the Thrift compact protocol (with depth and length limits),
 * the schema (nested groups and lists flattened to leaf columns), row
 * groups, column chunks and pages (data page v1 and v2, dictionary
 * pages), encodings PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY (a chunk may
 * fall back to PLAIN), DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY,
 * RLE / bit-packed levels, and codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD,
 * LZ4_RAW, Hadoop LZ4 and BROTLI.  Anything else (encryption, LZO, an
 * unknown encoding on a column that is read) is CONTAM_E_FORMAT naming
 * the file, the column and what is unsupported.
 *
 * The input is untrusted: every offset and size is checked against the
 * file, decompressed sizes must equal the page header's, and no page,
 * column chunk or decoded chunk may exceed the memory ceiling given to
 * cpq_open.  Memory is one row group's selected column chunks at a time.
 */
#ifndef CONTAM_PARQUET_H
#define CONTAM_PARQUET_H

#include "../common/common.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cpq cpq;

/* Physical types (parquet.thrift Type). */
enum { CPQ_BOOLEAN = 0, CPQ_INT32, CPQ_INT64, CPQ_INT96, CPQ_FLOAT,
       CPQ_DOUBLE, CPQ_BYTE_ARRAY, CPQ_FIXED_LEN_BYTE_ARRAY };

/* Limits of the metadata decoder. */
#define CPQ_MAX_DEPTH 32          /* nested Thrift structs / schema groups */
#define CPQ_MAX_COLUMNS 100000
#define CPQ_MAX_FOOTER (256u * 1024u * 1024u)

/* Open a Parquet file: `path` (read with pread), or `mem`/`memlen` (not
 * copied; must outlive the handle) labelled `path` in messages.
 * `max_mem`: the largest page, column chunk or decoded chunk (0: 256 MiB).
 * Reads and checks the footer and schema. */
int cpq_open(cpq **out, const char *path, const void *mem, size_t memlen,
	     uint64_t max_mem, cerr *err);
void cpq_free(cpq *f);

uint64_t cpq_num_rows(const cpq *f);
size_t cpq_num_row_groups(const cpq *f);
size_t cpq_num_columns(const cpq *f);
/* The leaf column's full dotted path ("a.list.element"). */
const char *cpq_column_path(const cpq *f, size_t col);
/* Its top-level field ("a" for "a.list.element"). */
const char *cpq_column_top(const cpq *f, size_t col);
/* 1 if it is the key column of a MAP (a JSON rendering makes its values
 * object keys, not values). */
int cpq_column_map_key(const cpq *f, size_t col);
/* 1 if it is a plain integer (no date, time or decimal meaning) or
 * boolean column: cpq_rows_open reads it, its values as JSON writes them
 * ("42", "true"), for a benchmark field named alone. */
int cpq_column_number(const cpq *f, size_t col);
int cpq_column_type(const cpq *f, size_t col);
/* "BYTE_ARRAY", "INT64", ... */
const char *cpq_type_name(int type);

/* The leaf columns a dotted field path names: the full path, or the path
 * without the list wrapper levels ("a" for "a.list.element"), or a group
 * (all its leaves), or "*" (every BYTE_ARRAY column).  Appends their numbers to cols (at most max);
 * returns how many, 0 if none. */
size_t cpq_select(const cpq *f, const char *field, size_t *cols, size_t max);
/* "'a', 'm.content', ..." of the leaf columns' logical paths (what
 * --field takes; the first 16, three per top-level field), for messages. */
void cpq_names(const cpq *f, char *out, size_t outlen);

/* Rows of some BYTE_ARRAY (or cpq_column_number) columns (at least one:
 * CONTAM_E_PARAM when ncols is 0). */
typedef struct cpq_rows cpq_rows;
int cpq_rows_open(cpq_rows **out, cpq *f, const size_t *cols, size_t ncols,
		  cerr *err);
/* 1: the next row is ready (its 0-based index in the file in *row);
 * 0: the end; < 0: error (in err). */
int cpq_rows_next(cpq_rows *r, uint64_t *row, cerr *err);
/* Values of selected column k in the current row (nulls are left out). */
size_t cpq_rows_count(const cpq_rows *r, size_t k);
void cpq_rows_value(const cpq_rows *r, size_t k, size_t j, const char **p,
		    size_t *n);
/* Values of selected columns k0 .. k0+nk-1 of the current row, in record
 * order (as a JSON rendering of the row lists them: struct fields in
 * schema order, list elements one after another, so role and content of
 * one chat turn come before the next turn's); fn gets the selected column
 * and the value; a non-zero return stops the walk and is returned. */
int cpq_rows_each(cpq_rows *r, size_t k0, size_t nk,
		  int (*fn)(void *arg, size_t k, const char *p, size_t n),
		  void *arg);
uint64_t cpq_rows_nulls(const cpq_rows *r);   /* null values seen so far */
uint64_t cpq_bytes_in(const cpq_rows *r);     /* file bytes read so far */
void cpq_rows_free(cpq_rows *r);

/* ---- decoders, exported for tests/unit/test_parquet.c -------------- */

/* Unsigned LEB128 varint at p[*pos..n) (at most 10 bytes). */
int cpq_uvarint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v);
static inline int64_t cpq_zigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}
/* Skip one Thrift compact value of `type` at p[*pos..n), found `depth`
 * levels deep (0: at the top); nesting beyond CPQ_MAX_DEPTH is refused:
 * CONTAM_OK or CONTAM_E_FORMAT (msg says why). */
int cpq_thrift_skip(const uint8_t *p, size_t n, size_t *pos, int type,
		    int depth, char *msg, size_t msglen);
/* count values of the RLE / bit-packed hybrid of bit width `width`
 * (0..32) in p[0..n) into out; CONTAM_OK or CONTAM_E_FORMAT. */
int cpq_rle_decode(const uint8_t *p, size_t n, int width, uint32_t *out,
		   size_t count, size_t *used);
/* DELTA_BINARY_PACKED: up to max values into out (*count: how many the
 * header says, which must be <= max), *used bytes. */
int cpq_delta_decode(const uint8_t *p, size_t n, int64_t *out, size_t max,
		     size_t *count, size_t *used);

#endif
