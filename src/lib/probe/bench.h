/*
 * bench.h -- benchmark file readers for probe: JSONL, JSON, CSV/TSV and
 * txt, plain or gzip/zstd/bzip2/xz, UTF-8 or UTF-16, or the one file of a
 * zip/tar/7z archive; anything else (Parquet, executables, binary data)
 * is refused with what was seen.
 *
 * Each record becomes one example: the selected fields (dotted paths, an
 * array on the path fans out to every element), or every string value of
 * the record in document order when no field is given, joined with "\n".
 * Record numbering follows DESIGN.md: line among non-empty lines for JSONL,
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
	BENCH_TXT
} bench_format;

typedef struct bench_options {
	const char *const *fields; /* NULL/0: all string values */
	size_t nfields;
	const char *id_field;      /* NULL: no id */
	int no_header;             /* CSV/TSV: columns named "0", "1", ... */
	/* notes on how the file was read (see bench_reader_open), or NULL */
	void (*on_warning)(void *ctx, const char *msg);
	void *ctx;
} bench_options;

typedef struct bench_example {
	char *text;       /* selected fields joined by '\n' (owned by reader) */
	size_t len;
	char *id;         /* NULL when no --id-field; owned by reader */
	uint64_t record;  /* 0-based, see above */
	uint64_t line;    /* 1-based line where the record starts (JSON: 0) */
} bench_example;

typedef struct bench_reader bench_reader;

/* Kind from content (common/sniff.h): compression and UTF-16 are undone
 * whatever the name; an archive must hold exactly one regular file,
 * which is read as its own name says; Parquet, executables, images and
 * other binary data are CONTAM_E_FORMAT ("'x.parquet' is a Parquet file
 * (magic PAR1); contam cannot read Parquet yet: ...").  Where name and
 * content disagree the content wins, with a note to opt->on_warning. */
int bench_reader_open(bench_reader **out, const char *path,
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

#endif
