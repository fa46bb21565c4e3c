/*
 * contam.h -- the public interface of libcontam.
 *
 * contam finds benchmark test data inside training corpora.  A corpus is
 * indexed once into a blocked Bloom filter of word n-gram hashes; any
 * benchmark is then probed against the index, and every example gets the
 * metrics and verdict defined in docs (DESIGN.md, "Metrics").
 *
 * If it is not in this file, it is not a published API: everything under
 * src/lib/ is private and may change.
 *
 * Conventions
 *   - Functions return int: CONTAM_OK (0) or a negative CONTAM_E_* code.
 *     The codes never change value.
 *   - Handles keep the message of their last error, with file and offset
 *     where there is one: contam_index_errmsg(), contam_probe_errmsg().
 *   - `_new`/`_free` pair for heap handles; every `_free(NULL)` is a no-op.
 *   - Strings passed in are borrowed for the duration of the call unless
 *     stated; pointers returned are borrowed from the handle and valid until
 *     it is freed.
 *   - The library never prints and never exits.
 */
#ifndef CONTAM_H
#define CONTAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CONTAM_BUILDING_LIB) && defined(__GNUC__)
#define CONTAM_API __attribute__((visibility("default")))
#else
#define CONTAM_API
#endif

#define CONTAM_VERSION "0.1.0"

/* Error codes: values are part of the ABI and never change. */
#define CONTAM_OK 0
#define CONTAM_E_NOMEM (-1)       /* out of memory */
#define CONTAM_E_IO (-2)          /* open/read/write failed */
#define CONTAM_E_CORRUPT (-3)     /* damaged data: checksum, truncation */
#define CONTAM_E_FORMAT (-4)      /* input is not in the expected format */
#define CONTAM_E_PARAM (-5)       /* bad argument or parameter mismatch */
#define CONTAM_E_LIMIT (-6)       /* a size limit was exceeded */
#define CONTAM_E_INTERRUPTED (-7) /* stopped on request (signal) */

#define CONTAM_MAX_NGRAM 32

/* Name and version of the default normalization + tokenization recipe. */
#define CONTAM_RECIPE_NAME "nfkc-casefold-alnum-cjk"
#define CONTAM_RECIPE_VERSION 1

CONTAM_API const char *contam_version(void);
CONTAM_API const char *contam_strerror(int code);
CONTAM_API const char *contam_recipe(void); /* "name/vN" */

/* ------------------------------------------------------------------ */
/* Filter geometry                                                     */

/* Everything that changes which bits a key sets.  Two indexes can be
 * merged or compared only when all of these are equal. */
typedef struct contam_params {
	uint32_t ngram;       /* words per n-gram (default 8) */
	uint32_t k;           /* bits set per key, inside one block */
	uint64_t nblocks;     /* number of 512-bit blocks */
	uint64_t seed;        /* hash seed */
	uint32_t recipe_version;
	uint32_t winnow;      /* W > 1: only the smallest n-gram hash of every
				 window of W is kept (0 or 1: all n-grams) */
} contam_params;

/* Plan a filter.  Give expected_ngrams (distinct n-grams to insert) and a
 * target false-positive rate, or a memory budget in bytes (memory_bytes > 0
 * wins over fpr); the plan fills `out` and returns the predicted rate. */
CONTAM_API int contam_plan_filter(uint64_t expected_ngrams, double fpr,
				  uint64_t memory_bytes, uint32_t ngram,
				  contam_params *out, double *predicted_fpr);

/* Predicted false-positive rate of a blocked filter holding `ngrams`
 * distinct keys. */
CONTAM_API double contam_predict_fpr(const contam_params *p, uint64_t ngrams);

/* ------------------------------------------------------------------ */
/* Inputs                                                              */

typedef enum contam_input_kind {
	CONTAM_INPUT_UNKNOWN = 0,
	CONTAM_INPUT_WARC,    /* WARC / WET, plain or gzip */
	CONTAM_INPUT_JSONL,   /* JSON lines, plain, gzip or zstd */
	CONTAM_INPUT_ARCHIVE, /* tar, tar.gz, tar.zst, zip ... */
	CONTAM_INPUT_TEXT     /* plain text: one file = one document */
} contam_input_kind;

CONTAM_API const char *contam_input_kind_name(contam_input_kind kind);

/* One line of the index manifest: what was read from one input file. */
typedef struct contam_manifest_entry {
	char *path;
	contam_input_kind kind;
	uint64_t size;          /* bytes on disk */
	uint64_t bytes_text;    /* decompressed bytes handed to the tokenizer */
	uint64_t documents;
	uint64_t ngrams;        /* n-grams inserted (with repeats) */
	uint64_t errors;        /* records or members skipped as damaged */
} contam_manifest_entry;

/* ------------------------------------------------------------------ */
/* Building and loading an index                                       */

typedef struct contam_index contam_index;

typedef struct contam_progress {
	uint64_t bytes_done;    /* input bytes (on disk) consumed so far */
	uint64_t bytes_total;   /* sum of input sizes, 0 if unknown */
	uint64_t documents;
	uint64_t ngrams;
	uint64_t errors;
	uint64_t files_done, files_total;
	double seconds;
} contam_progress;

typedef struct contam_build_options {
	const char *text_field;  /* JSONL field holding the text; "text" */
	int threads;             /* 0 = all cores */
	int strict;              /* first damaged record is fatal */
	uint64_t max_record;     /* longest JSONL line / WARC header kept */
	/* Called for every skipped record, with "file: offset N: what". */
	void (*on_warning)(void *ctx, const char *msg);
	/* Called about every 0.25 s from one thread. */
	void (*on_progress)(void *ctx, const contam_progress *p);
	void *ctx;
	/* Polled; when it becomes nonzero the build stops with
	 * CONTAM_E_INTERRUPTED. */
	volatile int *stop;
	/* Every `checkpoint_every` bytes of finished input files, save the
	 * index so far (finished files in its manifest) to checkpoint_path
	 * atomically; a later run loads it and skips those files. */
	const char *checkpoint_path;
	uint64_t checkpoint_every;
} contam_build_options;

CONTAM_API void contam_build_options_init(contam_build_options *opt);

/* Expand files and directories (walked recursively, sorted) into a list of
 * input files.  The list is owned by the caller: contam_inputs_free(). */
typedef struct contam_inputs {
	char **paths;
	uint64_t *sizes;
	size_t count;
	uint64_t total_size;
} contam_inputs;

CONTAM_API int contam_inputs_expand(contam_inputs *out,
				    const char *const *args, size_t nargs,
				    char *errbuf, size_t errlen);
CONTAM_API void contam_inputs_free(contam_inputs *in);

/* Rough number of n-grams in the inputs, from their sizes and kinds; used
 * to size the filter when the user gave no size. */
CONTAM_API uint64_t contam_estimate_ngrams(const contam_inputs *in);

/* An empty index with the given geometry (filter memory is allocated). */
CONTAM_API int contam_index_new(contam_index **out, const contam_params *p);
/* Read every input into the filter and the manifest. */
CONTAM_API int contam_index_build(contam_index *ix, const contam_inputs *in,
				  const contam_build_options *opt);
/* Write to `path` atomically (temporary name, fsync, rename). */
CONTAM_API int contam_index_save(contam_index *ix, const char *path);
/* Load and verify an index file; on failure *out holds a handle whose
 * errmsg says why (free it), or NULL when out of memory. */
CONTAM_API int contam_index_load(contam_index **out, const char *path);
/* Load a set of partition files (built with --partition i/P, all P of
 * them) as one index; a single path is a plain load. */
CONTAM_API int contam_index_load_parts(contam_index **out,
				       const char *const *paths, size_t n);
/* OR-merge index files built with identical parameters into `out_path`,
 * streaming chunk by chunk (memory does not grow with index size).  The
 * manifest is the union of the parts'.  A parameter mismatch is refused
 * with a message naming the parameter and both values (in errbuf). */
CONTAM_API int contam_index_merge(const char *out_path,
				  const char *const *paths, size_t n,
				  char *errbuf, size_t errlen);
/* Create an empty index holding only partition i of P of the filter. */
CONTAM_API int contam_index_new_partition(contam_index **out,
					  const contam_params *p, uint32_t i,
					  uint32_t P);
CONTAM_API void contam_index_free(contam_index *ix);
CONTAM_API const char *contam_index_errmsg(const contam_index *ix);

typedef struct contam_index_stats {
	contam_params params;
	const char *recipe;       /* "name/vN" */
	uint64_t filter_bytes;
	uint64_t ngrams_inserted; /* with repeats */
	uint64_t documents;
	uint64_t errors;
	uint64_t bits_set;
	double fill;              /* bits_set / bits */
	double fpr;               /* measured from the filter's fill */
	uint32_t format_version;
	uint32_t part_index, part_count; /* 0, 1 when not partitioned */
} contam_index_stats;

CONTAM_API int contam_index_stats_get(contam_index *ix, contam_index_stats *out);
/* Drop `path` from the manifest before it is indexed again (--force):
 * its n-grams are subtracted from the count; its bits stay (a Bloom
 * filter cannot forget, and re-adding the same input sets the same
 * bits).  Returns 1 if it was there, 0 if not. */
CONTAM_API int contam_index_forget_input(contam_index *ix, const char *path);
CONTAM_API size_t contam_index_manifest_count(const contam_index *ix);
CONTAM_API const contam_manifest_entry *
contam_index_manifest_get(const contam_index *ix, size_t i);

/* Is this n-gram hash (as produced by the index's recipe) in the filter? */
CONTAM_API int contam_index_contains(const contam_index *ix, uint64_t hash);

/* Hash the n-grams of a text with the index's recipe; *out is malloc'd
 * (free()), *count n-grams, *tokens the token count.  For tools and tests. */
CONTAM_API int contam_index_hash_text(const contam_index *ix, const char *text,
				      size_t len, uint64_t **out, size_t *count,
				      size_t *tokens);

/* ------------------------------------------------------------------ */
/* Probing benchmarks                                                  */

typedef enum contam_verdict {
	CONTAM_CLEAN = 0,
	CONTAM_PARTIAL,
	CONTAM_CONTAMINATED,
	CONTAM_TOO_SHORT
} contam_verdict;

CONTAM_API const char *contam_verdict_name(contam_verdict v);

typedef struct contam_example {
	const char *benchmark;   /* borrowed from the probe */
	const char *source;      /* BENCH path as given */
	uint64_t record;         /* 0-based record number in the source */
	uint64_t line;           /* 1-based line where the record starts */
	char *id;                /* from --id-field, or NULL */
	uint32_t tokens;
	uint32_t ngrams;
	uint32_t hits;
	uint32_t longest;        /* tokens in the longest run of hits */
	uint32_t covered;        /* tokens inside spans >= min_span */
	double overlap;
	double coverage;
	contam_verdict verdict;
} contam_example;

typedef struct contam_benchmark {
	char *name;
	char **sources;
	size_t nsources;
	uint64_t examples;
	uint64_t contaminated, partial, clean, too_short;
} contam_benchmark;

typedef struct contam_probe_options {
	const char *const *fields; /* dotted paths; NULL/0 = all strings */
	size_t nfields;
	const char *id_field;      /* or NULL */
	int no_header;             /* CSV/TSV: first row is data */
	uint32_t min_span;         /* default 10 */
} contam_probe_options;

CONTAM_API void contam_probe_options_init(contam_probe_options *opt);

typedef struct contam_probe contam_probe;

/* The probe borrows `ix`, which must outlive it. */
CONTAM_API int contam_probe_new(contam_probe **out, const contam_index *ix,
				const char *index_path,
				const contam_probe_options *opt);
/* Read one benchmark file and score its examples under benchmark `name`
 * (several files may share a name).  Any unreadable record is an error:
 * a benchmark is never reported clean because it could not be read. */
CONTAM_API int contam_probe_add_file(contam_probe *p, const char *name,
				     const char *path);
CONTAM_API void contam_probe_free(contam_probe *p);
CONTAM_API const char *contam_probe_errmsg(const contam_probe *p);

typedef struct contam_result {
	const char *index_path;
	contam_index_stats index;
	uint32_t min_span;
	const contam_benchmark *benchmarks;
	size_t nbenchmarks;
	const contam_example *examples;
	size_t nexamples;
} contam_result;

CONTAM_API void contam_probe_result(const contam_probe *p, contam_result *out);

/* ------------------------------------------------------------------ */
/* Reports                                                             */

/* The report JSON (version 1, see DESIGN.md). */
CONTAM_API int contam_report_json(const contam_result *r, FILE *out);
/* A readable per-benchmark table. */
CONTAM_API int contam_report_table(const contam_result *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* CONTAM_H */
