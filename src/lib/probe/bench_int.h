/*
 * bench_int.h -- what the benchmark readers (bench.c, bench_json.c,
 * bench_csv.c) share and nothing else sees: the reader struct and the
 * per-format entry points that bench.c dispatches to.
 */
#ifndef CONTAM_BENCH_INT_H
#define CONTAM_BENCH_INT_H

#include "bench.h"

typedef struct json_t json_t;

/* One CSV/TSV row, split into fields: field i is
 * row.data[start[i] .. start[i] + flen[i]), NUL-terminated. */
typedef struct bench_row {
	cbuf bytes;
	size_t *start, *flen;
	size_t count, cap;
} bench_row;

struct bench_reader {
	char *path;             /* as given, for messages */
	bench_format format;
	char **fields;          /* copies of opt->fields */
	size_t nfields;
	char *id_field;         /* copy of opt->id_field, or NULL */
	char *auto_id;          /* without --field and --id-field: the key
				   or column read as the id (bench_is_id_name),
				   not as text; or NULL */
	char *field_flag;       /* "--field", "--question-field", ... */
	int no_header;
	int force_header;       /* CSV/TSV: the first row is the header,
				   even when it looks like data */
	int in_memory;          /* bytes given in memory: `path` is their
				   label, and there is no name whose
				   extension could disagree with them */

	char *data;             /* whole decompressed file (NULL for JSON
				   once parsed) */
	size_t len;
	uint64_t not_utf8;      /* bytes of data that are not UTF-8 */
	size_t pos;             /* next byte to scan */
	uint64_t line;          /* 1-based line number of data[pos] */
	uint64_t records;       /* examples returned so far */
	int done;               /* 0 was returned */
	cerr failed;            /* sticky: once next() failed it repeats */
	size_t head_end;        /* data[0, head_end): BOM and CSV header */
	size_t raw_start, raw_end; /* bytes of the last record returned */

	cbuf text, id, scratch; /* the current example; a key buffer */
	bench_segs segs;        /* where the values joined into text end */

	/* JSON: the parsed document and the array of records in it. */
	json_t *root;
	json_t *array;          /* borrowed from root */
	size_t index;

	/* CSV/TSV */
	char delim;
	size_t ncols;           /* fields per row, from the header or row 0 */
	size_t *field_col;      /* column of each --field */
	long id_col;            /* column of --id-field, -1 if none */
	int cols_resolved;
	char **colnames;        /* header names, NULL with no_header */
	bench_row row;

	/* Field statistics (bench_reader_fields): per --field, or per key
	 * found without --field; with a diagnostic kept from the first
	 * record that lacked the field (where a dotted path stopped). */
	bench_field_stat *fstat;
	size_t nfstat;
	int fields_auto;
	uint64_t fields_more;
	char **fdiag;             /* per --field, or NULL */
	uint64_t id_records;
	char *id_diag;
	/* Keys seen at the top of records (first seen first), for messages. */
	char **keys;
	size_t nkeys;
	uint64_t keys_more;

	/* --records and JSONL: the records of the current document, each
	 * with its chain of enclosing containers (nearest last), for ^. */
	char *records_path;
	json_t *doc;              /* JSONL: the current line's document */
	json_t *cur;              /* the record last returned */
	struct bench_item *items;
	size_t nitems, items_cap, next_item;
	json_t **chain;
	size_t nchain, chain_cap;
	char *records_diag;       /* where --records stopped, first time */
	uint64_t docs_without;    /* JSONL: lines where --records found none */

	/* txt */
	uint32_t lines_per_record;
	long *line_field;         /* per --field: line within the record */
	long id_line;

	/* Parquet (bench_parquet.c): the file in data, its rows */
	struct cpq *pq;
	struct cpq_rows *pq_rows;
	size_t *pq_field;         /* per --field: its first selected column */
	size_t *pq_nsel;          /* per --field: how many columns (auto: 1) */
	size_t pq_ntext;          /* text columns (the first ones selected) */
	size_t *pq_cols;          /* the file's column of each selected one */
	size_t pq_nfields;        /* --fields, or auto columns */
	long pq_id;               /* selected column of --id-field, or -1 */
};

typedef struct bench_item {
	json_t *rec;
	size_t chain_first, chain_len;
} bench_item;

/* Whether a key or column named `name` holds an example's id ("id",
 * "idx", "uid", "task_id", "questionId", ...): without --field it is not
 * read as text (a copy seldom carries it, and its tokens would count
 * against the copy's coverage), and without --id-field it is the id. */
bool bench_is_id_name(const char *name);
/* Auto mode: take key/column `name` as the id; whether it is the one
 * (the first such name a file showed). */
int bench_take_auto_id(bench_reader *r, const char *name, bool *is_it);

/* Count one record in which field i selected something. */
void bench_field_hit(bench_reader *r, size_t i);
/* Auto mode: the key/column `name` gave text in this record. */
int bench_auto_hit(bench_reader *r, const char *name);
/* Remember a key seen at the top of a record (for messages). */
int bench_note_key(bench_reader *r, const char *name);
/* "'a', 'b', ..." of r->keys into out. */
void bench_keys_list(const bench_reader *r, char *out, size_t outlen);

/* Set err to "path:LINE: <msg>" (or "path: <msg>" when line is 0) and
 * return CONTAM_E_FORMAT. */
int bench_fail(const bench_reader *r, cerr *err, uint64_t line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Append one selected value to `b`, separated from the previous one by
 * '\n', and note where it ends in `segs` (NULL: not an example's text,
 * e.g. its id). */
int bench_join(cbuf *b, bench_segs *segs, const char *s, size_t n,
	       size_t *pieces);

/* Render "'a', 'b'" for messages about --field. */
void bench_fields_list(const bench_reader *r, char *out, size_t outlen);

/* The "no examples" error or end of input, called when the data ran out. */
int bench_end(bench_reader *r, cerr *err);

/* Per-format halves.  *_open runs after the file is in r->data; *_next
 * has the contract of bench_reader_next. */
int bench_json_open(bench_reader *r, cerr *err);
int bench_jsonl_open(bench_reader *r, cerr *err);
int bench_json_next(bench_reader *r, bench_example *ex, cerr *err);
int bench_jsonl_next(bench_reader *r, bench_example *ex, cerr *err);
int bench_json_looks_jsonl(const char *data, size_t len);
void bench_json_release(bench_reader *r);
/* The record last returned, serialized compactly (malloc'd), or NULL. */
char *bench_json_dump(const bench_reader *r);

int bench_csv_open(bench_reader *r, cerr *err);
int bench_csv_next(bench_reader *r, bench_example *ex, cerr *err);
void bench_csv_release(bench_reader *r);

int bench_parquet_open(bench_reader *r, cerr *err);
int bench_parquet_next(bench_reader *r, bench_example *ex, cerr *err);
void bench_parquet_release(bench_reader *r);

#endif
