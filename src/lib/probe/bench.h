/*
 * bench.h -- benchmark file readers for probe: JSONL, JSON, CSV/TSV and
 * txt, plain or gzip/zstd/bzip2/xz, UTF-8 or UTF-16, or the one file of a
 * zip/tar/7z archive, and Parquet (bench_parquet.c: one row one record,
 * --field names columns); anything else (executables, binary data) is
 * refused with what was seen.
 *
 * Each record becomes one example: the selected fields (dotted paths, an
 * array on the path fans out to every element), or every string value of
 * the record in document order when no field is given, joined with "\n".
 * Record numbering follows docs/REPORT.md: line among non-empty lines for JSONL,
 * data row for CSV/TSV, array index for JSON, non-empty line for txt.
 *
 * Anything that cannot be read is an error naming file:line and what was
 * expected, never a silently missing example.
 */
#ifndef CONTAM_BENCH_H
#define CONTAM_BENCH_H

#include "../common/common.h"

typedef enum bench_format {
	BENCH_JSONL = 1,
	BENCH_JSON,
	BENCH_CSV,
	BENCH_TSV,
	BENCH_TXT,
	BENCH_PARQUET    /* string columns, one row one record (bench_parquet.c) */
} bench_format;

typedef struct bench_options {
	const char *const *fields; /* NULL/0: all string values */
	size_t nfields;
	const char *id_field;      /* NULL: no id */
	int no_header;             /* CSV/TSV: columns named "0", "1", ... */
	/* notes on how the file was read (see bench_reader_open), or NULL */
	void (*on_warning)(void *ctx, const char *msg);
	void *ctx;
	int force_header;          /* CSV/TSV: the first row is the header
				      even when its cells look like data
				      (sentences), which is refused otherwise */
	const char *records;       /* JSON/JSONL: path to the records inside
				      each document (see bench_json.c), or
				      NULL: the top-level array / each line */
	uint32_t lines_per_record; /* txt: a record is this many lines
				      (0 or 1: one non-blank line) */
	const char *field_flag;    /* how messages name `fields`: "--field"
				      (NULL), "--question-field", ... */
	const cfast *fast;         /* the gzip inflater; NULL: the default */
} bench_options;

typedef struct bench_example {
	char *text;       /* selected fields joined by '\n' (owned by reader) */
	size_t len;
	/* Where each selected value ends: value i is text[start_i,
	 * seg_end[i]), start_0 = 0 and start_i = seg_end[i - 1] + 1 (after
	 * the joining '\n').  Probe scores each value on its own, so that
	 * no n-gram bridges two fields (an option list is never one run of
	 * text).  Owned by the reader. */
	const size_t *seg_end;
	size_t nseg;
	char *id;         /* NULL when no --id-field; owned by reader */
	uint64_t record;  /* 0-based, see above */
	uint64_t line;    /* 1-based line where the record starts (JSON: 0) */
} bench_example;

typedef struct bench_reader bench_reader;

/* The ends of the values joined into one example (bench_example). */
typedef struct bench_segs {
	size_t *end;
	size_t n, cap;
} bench_segs;

/* Kind from content (common/sniff.h): compression and UTF-16 are undone
 * whatever the name; an archive must hold exactly one regular file,
 * which is read as its own name says; Parquet (magic PAR1 or the name)
 * is read by bench_parquet.c; executables, images and other binary data
 * are CONTAM_E_FORMAT ("'ls' is an ELF executable ...").  Where name and
 * content disagree the content wins, with a note to opt->on_warning. */
int bench_reader_open(bench_reader **out, const char *path,
		      const bench_options *opt, cerr *err);
/* The same for bytes in memory (copied; `data` may go once this
 * returns): read as a file named `label` with the extension of `format`
 * would be (0: no extension, the format by content); `label` is what
 * messages call them. */
int bench_reader_open_mem(bench_reader **out, const char *label,
			  const void *data, size_t len, bench_format format,
			  const bench_options *opt, cerr *err);
/* 1: *ex filled (valid until the next call); 0: end; < 0: error in err,
 * e.g. "gsm8k.jsonl:17: expected a JSON object". */
int bench_reader_next(bench_reader *r, bench_example *ex, cerr *err);
bench_format bench_reader_format(const bench_reader *r);
/* For writing subsets of a file in its own format: the bytes before the
 * first record (byte order mark, CSV/TSV header) and those of the record
 * last returned, with the blank lines before it and its line break
 * (JSONL, CSV/TSV, txt).  Borrowed, valid until the reader is freed.
 * CONTAM_E_FORMAT for JSON arrays, whose records are not lines. */
int bench_reader_raw(const bench_reader *r, const char **head,
		     size_t *head_len, const char **rec, size_t *rec_len);
/* JSON arrays: the record last returned, serialized compactly
 * (malloc'd; free()), or NULL. */
char *bench_reader_record_json(const bench_reader *r);
void bench_reader_free(bench_reader *r);

/* What the fields of a file held, for the report.  With
 * --field, one entry per path given, in order; without, the keys or
 * columns whose strings were taken, first seen first (at most
 * BENCH_AUTO_FIELDS; *more counts the others).  `records` is the number
 * of records in which the field selected something.  Valid until the
 * reader is freed; complete once next() has returned 0. */
#define BENCH_AUTO_FIELDS 64
typedef struct bench_field_stat {
	char *name;
	uint64_t records;
} bench_field_stat;
void bench_reader_fields(const bench_reader *r, const bench_field_stat **f,
			 size_t *n, int *is_auto, uint64_t *more);
/* Records returned so far, and those among them that had an id. */
uint64_t bench_reader_records(const bench_reader *r);
uint64_t bench_reader_id_records(const bench_reader *r);
/* The --id-field, or the key/column read as the id without --field and
 * --id-field (bench_is_id_name); NULL when neither. */
const char *bench_reader_id_field(const bench_reader *r);
/* Fold one finished file's field statistics into a benchmark's
 * (fields, field_missing, ...; see contam.h).  `before` is the number of
 * records the benchmark had read before this file; `same_file` is set
 * for a second reader of the same file (the answer fields), whose
 * records were counted by the first. */
int bench_merge_fields(contam_benchmark *b, uint64_t before,
		       const bench_reader *r, const char *id_field,
		       int same_file);
void bench_benchmark_fields_free(contam_benchmark *b);

#endif
