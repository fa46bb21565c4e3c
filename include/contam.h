/*
 * contam.h -- the public interface of libcontam.
 *
 * contam finds benchmark test data inside training corpora.  A corpus is
 * indexed once into a blocked Bloom filter of word n-gram hashes; any
 * benchmark is then probed against the index, and every example gets the
 * metrics and verdict defined in docs/SCORING.md.
 *
 * If it is not in this file, it is not a published API: everything under
 * src/lib/ is private and may change.  docs/ has the rest: the modules and
 * data flow (docs/ARCHITECTURE.md, with where a new input format, index
 * section or per-document pass goes), the index file (docs/FORMAT.md),
 * the command line and reports (docs/REPORT.md), the scoring
 * (docs/SCORING.md).
 *
 * Conventions
 *   - Functions return int: CONTAM_OK (0) or a negative CONTAM_E_* code.
 *     The codes never change value.
 *   - One error model, two places for the message.  A call on an existing
 *     handle keeps the message of its failure on that handle, with file
 *     and offset where there is one: contam_index_errmsg(),
 *     contam_probe_errmsg(), contam_scan_errmsg().  A call with no handle
 *     to keep it (a constructor, a load, a merge, an input walk, a plan,
 *     a report render) takes a `contam_error *` last (NULL: the code
 *     alone) and fills it with the code and the message.  A constructor or
 *     load that fails returns no handle: *out is NULL.  Queries on a const
 *     handle, which threads may share, leave it untouched: they fail only
 *     as their comment says (CONTAM_E_NOMEM, CONTAM_E_PARAM), and
 *     contam_strerror() is their message; contam_definition_parse is a
 *     name lookup (CONTAM_E_PARAM: unknown name).
 *   - Reports are written through a contam_sink (a FILE*, a growable
 *     memory buffer or any callback: see "Reports"); the FILE* forms are
 *     thin wrappers.  A writer's failure is the call's failure.
 *   - The fast paths (SIMD loops, isa-l) are a configuration passed in
 *     (contam_fast, the options' `fast` field); NULL is the default, read
 *     once from the CPU and CONTAM_SIMD / CONTAM_INFLATE / CONTAM_QUEUE
 *     and never changed.  No process-wide switch chooses a path.
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

/* The error of a call that has no handle to keep it on (a constructor
 * that failed, a load, a merge): the code it returned and a message that
 * names the file and the offset or record where there is one.  Functions
 * that take one accept NULL (then only the code is returned); on success
 * code is CONTAM_OK and msg is "". */
#define CONTAM_ERROR_MSG_MAX 1024
typedef struct contam_error {
	int code;
	char msg[CONTAM_ERROR_MSG_MAX];
} contam_error;

#define CONTAM_MAX_NGRAM 32

/* Name and version of the default normalization + tokenization recipe. */
#define CONTAM_RECIPE_NAME "nfkc-casefold-alnum-cjk"
#define CONTAM_RECIPE_VERSION 1

CONTAM_API const char *contam_version(void);
CONTAM_API const char *contam_strerror(int code);
CONTAM_API const char *contam_recipe(void); /* "name/vN" */
/* The fast paths: which loop tokenizes, hashes n-gram windows and
 * inserts into the Bloom filter, which library inflates gzip, whether
 * insertion goes through a write queue.  A configuration is passed in:
 * the options structs (build, probe, scan) have a `fast` field, NULL (what
 * their _init sets) meaning contam_fast_default().  Results are the same
 * on every path; only the speed differs.  Whatever a configuration asks
 * for, the library never takes a path the CPU or the build lacks. */
enum { CONTAM_FAST_SCALAR = 0, CONTAM_FAST_AVX2 = 1, CONTAM_FAST_AVX512 = 2 };
typedef struct contam_fast {
	int tok;     /* tokenizer word loop: CONTAM_FAST_* (AVX512: AVX-512 BW) */
	int windows; /* n-gram windows: SCALAR or AVX512; AVX2 (four lanes,
			slower than scalar where measured) only when asked for */
	int insert;  /* Bloom insertion: CONTAM_FAST_* */
	int isal;    /* gzip through isa-l (where built in), else zlib */
	int queue;   /* the Bloom write queue */
} contam_fast;
/* The default: the best the CPU has, narrowed by the environment
 * (CONTAM_SIMD=off or avx2, CONTAM_INFLATE=zlib, CONTAM_QUEUE=off).  Read
 * once, at the first call that needs it, and never changed: any thread
 * may call this and keep the pointer. */
CONTAM_API const contam_fast *contam_fast_default(void);
/* *out = *base (NULL: the default) with the SIMD paths at most `simd`
 * (CONTAM_FAST_*), the way CONTAM_SIMD=off / avx2 narrows the default;
 * out may be base. */
CONTAM_API void contam_fast_limit(contam_fast *out, const contam_fast *base,
				  int simd);
/* The paths configuration `fast` (NULL: the default) takes on this CPU
 * and build, e.g. "tokenizer avx512bw, Bloom insertion avx512, write queue
 * on, gzip isa-l", written to buf (len bytes, truncated); returns buf. */
CONTAM_API const char *contam_fast_describe(const contam_fast *fast,
					    char *buf, size_t len);
/* The default's text (contam_fast_describe(NULL, ...)), written once and
 * never changed: any thread may call this and keep the pointer. */
CONTAM_API const char *contam_fast_paths(void);

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
 * wins over fpr); the plan fills `out` and returns the predicted rate.
 * CONTAM_E_PARAM, with the reason in err, for an n-gram size outside
 * 1..CONTAM_MAX_NGRAM, a budget under one block or a rate outside (0, 1). */
CONTAM_API int contam_plan_filter(uint64_t expected_ngrams, double fpr,
				  uint64_t memory_bytes, uint32_t ngram,
				  contam_params *out, double *predicted_fpr,
				  contam_error *err);

/* Predicted false-positive rate of a blocked filter holding `ngrams`
 * distinct keys. */
CONTAM_API double contam_predict_fpr(const contam_params *p, uint64_t ngrams);

/* Distinct keys a filter of k bits per key holds, estimated from its
 * fill: the count whose expected bits set (Poisson keys per block, the
 * split-block layout) is bits_set over nblocks blocks (for a partition:
 * the blocks it holds).  For k = 8 this is the classic
 * -(m/k) ln(1 - X/m) for m bits of which X are set; 0 for an empty
 * filter, infinity for one with every reachable bit set.  Repeated keys
 * set no new bits: this counts distinct ones. */
CONTAM_API double contam_estimate_distinct(uint32_t k, uint64_t nblocks, uint64_t bits_set);

/* The false-positive rate verdicts see.  A winnowed
 * index (W > 1) holds a sample, so the probe fills every gap of at most
 * W n-grams between two hits (cwinnow_fill_hits): two chance hits close
 * together make a run.  For a filter whose lookups are false with rate
 * `lookup_fpr`, the share of a long absent text's n-grams that come out
 * hit is lookup_fpr + (1 - lookup_fpr) * sum over the gaps d = 2..W of
 * (d - 1) lookup_fpr^2 (1 - lookup_fpr)^(d - 2), about
 * lookup_fpr * (1 + lookup_fpr * W (W - 1) / 2); W <= 1: lookup_fpr.
 * contam_index_stats.fpr and the build's figures are this rate. */
CONTAM_API double contam_seen_fpr(double lookup_fpr, uint32_t winnow);
/* The lookup rate whose seen rate is `seen_fpr` (the inverse): the rate
 * a winnowed index's filter is planned for. */
CONTAM_API double contam_lookup_fpr_for(double seen_fpr, uint32_t winnow);

/* ------------------------------------------------------------------ */
/* Inputs                                                              */

typedef enum contam_input_kind {
	CONTAM_INPUT_UNKNOWN = 0,
	CONTAM_INPUT_WARC,    /* WARC / WET, plain or gzip */
	CONTAM_INPUT_JSONL,   /* JSON lines, plain, gzip or zstd */
	CONTAM_INPUT_ARCHIVE, /* tar, tar.gz, tar.zst, zip ... */
	CONTAM_INPUT_TEXT,    /* plain text: one file = one document */
	CONTAM_INPUT_MEDIAWIKI, /* MediaWiki XML dump: one page = one document */
	CONTAM_INPUT_WIKIDOC,   /* WikiExtractor output: one <doc> = one document */
	CONTAM_INPUT_PARQUET,   /* Apache Parquet: one row = one document */
	CONTAM_INPUT_KINDS      /* not a kind: the count of numbers taken (a
				   new kind is appended above it) */
} contam_input_kind;

CONTAM_API const char *contam_input_kind_name(contam_input_kind kind);

/* Kinds of problem counted per input in the manifest. */
typedef enum contam_problem {
	CONTAM_PROBLEM_DAMAGED = 0,  /* damaged record or member skipped */
	CONTAM_PROBLEM_NO_TEXT,      /* record without the text field */
	CONTAM_PROBLEM_UNREADABLE,   /* the file could not be opened or read */
	CONTAM_PROBLEM_EMPTY,        /* no document was read from it */
	CONTAM_PROBLEM_NOT_UTF8,     /* bytes that are not UTF-8, read as word
					separators (a count of bytes; Latin-1
					text: its accented words are cut) */
	CONTAM_PROBLEMS
} contam_problem;

#define CONTAM_MANIFEST_MESSAGES 20

CONTAM_API const char *contam_problem_name(contam_problem p);

/* One line of the index manifest: what was read from one input file. */
typedef struct contam_manifest_entry {
	char *path;
	contam_input_kind kind;
	uint64_t size;          /* bytes on disk */
	uint64_t bytes_text;    /* decompressed bytes handed to the tokenizer */
	uint64_t documents;
	uint64_t ngrams;        /* n-grams inserted (with repeats) */
	uint64_t errors;        /* records or members skipped as damaged */
	/* from the index file's "input notes" section (zero or NULL in
	 * files written without it) */
	uint64_t fingerprint;   /* contam_input_fingerprint() when it was read
				   (0: unknown) */
	uint64_t problems[CONTAM_PROBLEMS]; /* counts per contam_problem */
	char **messages;        /* the first CONTAM_MANIFEST_MESSAGES problem
				   messages, in order (owned by the index) */
	uint32_t nmessages;
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
	/* Several --text-field paths (dotted, through arrays: as probe's
	 * --field); when ntext_fields > 0 they replace text_field and their
	 * values are joined with '\n'.  Without them text_field must name a
	 * top-level string (anything else there is a damaged record). */
	const char *const *text_fields;
	size_t ntext_fields;
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
	/* > 0 adds a document-frequency sketch of about this many
	 * 16-bit counters to an index that has none and holds no documents
	 * yet (an index with documents but no sketch is refused:
	 * CONTAM_E_PARAM, their documents were never counted).  An index
	 * that has a sketch always counts the documents added to it,
	 * whatever this says. */
	uint64_t doc_freq_counters;
	/* The fast paths (borrowed for the build's life), or NULL: the
	 * default, contam_fast_default(). */
	const contam_fast *fast;
} contam_build_options;

CONTAM_API void contam_build_options_init(contam_build_options *opt);

/* One corpus file read as `contam index` reads it (the same readers,
 * --text-field and --max-record from opt; threads, progress and
 * checkpoints ignored): on_doc gets every document with its provenance
 * and its whole text (borrowed for the call; a document over 256 MiB is
 * cut there and *cut set).  on_doc returning nonzero stops the read
 * with that code.  Damaged records skipped are told to opt->on_warning.
 * Used by `contam cat`, a debugging view of what contam reads. */
typedef struct contam_doc_info {
	const char *path, *member;
	uint64_t entry, record, offset;
	const char *url, *id;
} contam_doc_info;
CONTAM_API int contam_read_documents(const char *path,
				     const contam_build_options *opt,
				     int (*on_doc)(void *ctx,
						   const contam_doc_info *d,
						   const char *text, size_t len,
						   int cut),
				     void *ctx, contam_error *err);

/* Expand files and directories (walked recursively, sorted) into a list of
 * input files.  The list is owned by the caller: contam_inputs_free(). */
typedef struct contam_inputs {
	char **paths;
	uint64_t *sizes;
	size_t count;
	uint64_t total_size;
	/* Per file, its identity (st_dev, st_ino) and the
	 * argument it came from */
	uint64_t *devs, *inos;
	uint32_t *origin;
	/* the arguments as given, and whether each was a directory */
	char **args;
	unsigned char *arg_is_dir;
	size_t nargs;
	/* what the walks skipped (contam_inputs_expand_walk) */
	struct contam_input_skip *skips;
	size_t nskips;
} contam_inputs;

CONTAM_API int contam_inputs_expand(contam_inputs *out,
				    const char *const *args, size_t nargs,
				    contam_error *err);
CONTAM_API void contam_inputs_free(contam_inputs *in);
/* Was input i found by walking a directory (1), or named itself (0)? */
CONTAM_API int contam_inputs_walked(const contam_inputs *in, size_t i);
/* Read input i as found by a walk (walked 1) or as named (0): a list of
 * files that a walk made elsewhere (contam-mpi's shares, the file list
 * of a Slurm task) is then read as that walk reads it, an unreadable
 * file counted and skipped instead of stopping the run.  Such an input
 * is attributed to an argument "(walked)" (or "(named)") of its own.
 * Call it once the list is whole (it sizes its marks to in->count). */
CONTAM_API int contam_inputs_set_walked(contam_inputs *in, size_t i, int walked);
/* A fingerprint of a regular file's content: XXH3-64 of its size, its
 * first MiB and its last MiB (never 0).  It tells --resume that a file
 * changed without keeping anything time-dependent in the index.  0 when
 * the file cannot be read or is not a regular file (a fifo is never
 * read for it). */
CONTAM_API uint64_t contam_input_fingerprint(const char *path);

/* ---- What a walk takes and what it skips -----------------------------
 * Files named as arguments are always kept (or refused with an error:
 * contam's own outputs, the same file named twice).  Inside walked
 * directories a file is skipped, counted and listed when it is of unknown
 * kind (not text, by name or first bytes), one of contam's own outputs
 * (index, checkpoint, *.tmp.PID, report, hits, purify manifest), excluded
 * by --include/--exclude, or the same file (st_dev, st_ino) reached a
 * second time (symlinks); a directory reached twice is walked once.
 * Hidden entries (".git", ".DS_Store") are not walked, and counted. */
typedef enum contam_skip_reason {
	CONTAM_SKIP_UNKNOWN_KIND = 0,
	CONTAM_SKIP_CONTAM_OUTPUT,
	CONTAM_SKIP_EXCLUDED,
	CONTAM_SKIP_DUPLICATE,
	CONTAM_SKIP_HIDDEN,         /* a name starting with '.' (not walked;
				       reported, not kept in an index) */
	CONTAM_SKIP_REASONS
} contam_skip_reason;

CONTAM_API const char *contam_skip_reason_name(contam_skip_reason r);

#define CONTAM_SKIP_NAMES 10
/* The files one walked argument skipped for one reason: the count and
 * the first CONTAM_SKIP_NAMES names (relative to dir). */
typedef struct contam_input_skip {
	char *dir;
	contam_skip_reason reason;
	uint64_t count;
	char *names[CONTAM_SKIP_NAMES];
	size_t nnames;
} contam_input_skip;

/* Globs for walks (fnmatch(3)): a pattern containing '/' is matched
 * against the path relative to the walked directory ('*' also matches
 * '/'), any other against the base name.  With includes, a walked file
 * must match one; a file or directory matching an exclude is skipped. */
typedef struct contam_walk_options {
	const char *const *include;
	size_t ninclude;
	const char *const *exclude;
	size_t nexclude;
} contam_walk_options;

/* contam_inputs_expand with walk options (NULL: none).  Also fills the
 * fields below the line in contam_inputs. */
CONTAM_API int contam_inputs_expand_walk(contam_inputs *out,
					 const char *const *args, size_t nargs,
					 const contam_walk_options *opt,
					 contam_error *err);
/* Of the arguments, the first one (its index) none of whose files was
 * read into a document, given each file's documents (documents[i] for
 * in->paths[i]); -1 if every argument yielded documents.  Arguments
 * with every file already done (none left in `in`) are not checked. */
CONTAM_API long contam_inputs_find_unread(const contam_inputs *in,
					  const uint64_t *documents);

/* Rough number of n-grams in the inputs, from their sizes and kinds; used
 * to size the filter when the user gave no size. */
CONTAM_API uint64_t contam_estimate_ngrams(const contam_inputs *in);

/* The n-grams of the inputs measured on their content.
 * Each input (or, with many, 64 spread over the list and the 16 biggest)
 * is read through the reader with opt's text fields, its first 256 KiB of
 * text (16 MiB over all the files read, when that is more) tokenized and
 * its n-grams of `ngram` tokens counted per document;
 * a file read whole gives its exact count, a bigger one is scaled by the
 * compressed bytes its sampled documents came from.  Other files get the
 * size-only guess times the correction the sample showed.  Deterministic
 * (any thread count); only regular files are opened.  Falls back to
 * contam_estimate_ngrams when nothing could be sampled.  info may be NULL. */
typedef struct contam_estimate {
	uint64_t ngrams;
	size_t files_sampled;   /* files read for it (0: the size-only guess) */
	uint64_t bytes_sampled; /* text bytes tokenized */
	int from_content;
} contam_estimate;
CONTAM_API uint64_t contam_estimate_ngrams_content(const contam_inputs *in,
						   const contam_build_options *opt,
						   uint32_t ngram,
						   contam_estimate *info);
/* The same for a winnowed index (winnow W > 1): the keys it will hold.
 * A document of g n-grams keeps one key when 0 < g < W (a short
 * document is not lost), else about 1 + (g - W) * 2 / (W + 1); counted
 * per sampled document, so a corpus of short documents is not sized for
 * 2/(W+1) of its n-grams.  info->ngrams is then that count of keys. */
CONTAM_API uint64_t contam_estimate_keys_content(const contam_inputs *in,
						 const contam_build_options *opt,
						 uint32_t ngram, uint32_t winnow,
						 contam_estimate *info);
/* The first input that is not a regular file (a pipe, FIFO, /dev/stdin,
 * a device), whose size is unknown, or -1; *what (may be NULL) says what
 * it is ("a pipe of unknown size"). */
CONTAM_API long contam_inputs_unsized(const contam_inputs *in, const char **what);

/* An empty index with the given geometry (filter memory is allocated). */
CONTAM_API int contam_index_new(contam_index **out, const contam_params *p,
				contam_error *err);
/* Read every input into the filter and the manifest.  A handle that
 * holds no writable filter (loaded by contam_index_load_mmap or
 * contam_index_load_summary, or a partition set from
 * contam_index_parts_open) is refused with CONTAM_E_PARAM before any
 * input is read. */
CONTAM_API int contam_index_build(contam_index *ix, const contam_inputs *in,
				  const contam_build_options *opt);
/* Write to `path` atomically (temporary name, fsync, rename). */
CONTAM_API int contam_index_save(contam_index *ix, const char *path);
/* A flag (a signal handler's) that, once set, makes a save in progress
 * stop with CONTAM_E_INTERRUPTED and leave nothing at its path; until
 * the file is renamed into place, that is.  NULL (the default): never. */
CONTAM_API void contam_index_set_stop(contam_index *ix, volatile int *stop);
/* Load and verify an index file; on failure *out is NULL and err says
 * why, naming the file. */
CONTAM_API int contam_index_load(contam_index **out, const char *path,
				 contam_error *err);
/* Load a set of index files as one whole index: one unpartitioned file,
 * or all P partitions of one build (--partition i/P), in any order.  A
 * lone partition, a set with a partition missing or given twice, and
 * partitions of different indexes (parameters, inputs or n-gram counts
 * differ) are refused (CONTAM_E_PARAM), naming what is missing; n == 0
 * too.  Never a partition taken for the whole filter. */
CONTAM_API int contam_index_load_parts(contam_index **out,
				       const char *const *paths, size_t n,
				       contam_error *err);
/* OR-merge index files built with identical parameters into `out_path`,
 * streaming chunk by chunk (memory does not grow with index size).  The
 * manifest is the union of the parts'.  A parameter mismatch is refused
 * with a message naming the parameter and both values (in err). */
CONTAM_API int contam_index_merge(const char *out_path,
				  const char *const *paths, size_t n,
				  contam_error *err);
/* Load and verify an index file as contam_index_load does, but stream
 * its filter chunk by chunk: the handle holds the header, the manifest
 * and the statistics (contam_index_stats_get), not the filter, so memory
 * does not grow with the filter size (info, verify).  It cannot be
 * probed, saved or merged into (contam_index_contains returns -1). */
CONTAM_API int contam_index_load_summary(contam_index **out, const char *path,
					 contam_error *err);
/* Load and verify an index held in memory: len bytes at buf, a whole
 * index file's bytes (the caller keeps the buffer; it is not used after
 * the call).  On failure *out is NULL and err (may be NULL) says why;
 * messages call the buffer '<memory>'. */
CONTAM_API int contam_index_load_memory(contam_index **out, const void *buf,
					size_t len, contam_error *err);
/* Load an index file by mapping it read-only: a file written with an
 * uncompressed filter (contam_index_set_uncompressed, index
 * --uncompressed-filter) is not read, its filter pages are touched only
 * where a query lands, so memory does not grow with the filter size.
 * What is verified at load: the header, the manifest, the notes and the
 * chunk table (the trailer's hash), and that the chunks lie where the
 * table says; the chunks' own hashes are not (that would read the whole
 * filter: contam verify does).  A file with a compressed filter is read
 * as contam_index_load reads it.  The handle answers queries as a loaded
 * one; its filter cannot be written (contam_index_filter_words refuses,
 * and it must not be built into).  On failure *out is NULL and err says
 * why. */
CONTAM_API int contam_index_load_mmap(contam_index **out, const char *path,
				      contam_error *err);
/* Saves of this handle store the filter uncompressed and page aligned
 * (on: 1), so that contam_index_load_mmap can map it; the default (0) is
 * compressed chunks.  A handle loaded from such a file keeps it on. */
CONTAM_API int contam_index_set_uncompressed(contam_index *ix, int on);
/* 1 when saves store the filter uncompressed (or the file it came from
 * does), else 0. */
CONTAM_API int contam_index_is_uncompressed(const contam_index *ix);
/* A partition set probed one partition at a time, in two rounds:
 * contam_index_parts_open checks the set as contam_index_load_parts does
 * (a lone partition, a missing or doubled one refused) and gives a
 * handle that holds no filter and records every key it is asked about
 * (contam_index_contains answers 0 while it collects, from one thread:
 * probe the benchmarks once with it and throw that result away);
 * contam_index_parts_resolve then reads each partition in turn, answers
 * the recorded keys from it and frees it: a compressed one is streamed
 * chunk by chunk (one chunk per thread in memory, each checked), an
 * uncompressed one mapped (its pages given back as the walk passes
 * them); its doc-freq sketch, if any, streamed too.  From then on the
 * handle answers as the whole set loaded by contam_index_load_parts
 * would, with the same statistics, for
 * the recorded keys only: any other key gets -1 (no answer), never
 * "absent", so probe the same benchmarks again.  A set of one whole
 * index works too.  On failure *out is NULL and err says why. */
CONTAM_API int contam_index_parts_open(contam_index **out,
				       const char *const *paths, size_t n,
				       contam_error *err);
CONTAM_API int contam_index_parts_resolve(contam_index *ix, contam_error *err);
/* contam_index_merge with a stop flag (a signal handler's): once set, the
 * merge stops with CONTAM_E_INTERRUPTED and nothing is left at out_path
 * (no temporary file either); NULL: never. */
CONTAM_API int contam_index_merge_stop(const char *out_path,
				       const char *const *paths, size_t n,
				       volatile int *stop, contam_error *err);
/* Create an empty index holding only partition i of P of the filter. */
CONTAM_API int contam_index_new_partition(contam_index **out,
					  const contam_params *p, uint32_t i,
					  uint32_t P, contam_error *err);
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
	double fpr;               /* measured from the filter's fill: per
				     probed n-gram, as verdicts see it
				     (contam_seen_fpr of fpr_lookup) */
	double fpr_lookup;        /* per filter lookup (= fpr unless winnowed) */
	uint32_t format_version;
	uint32_t part_index, part_count; /* 0, 1 when not partitioned */
	/* The document-frequency sketch (index --doc-freq), when
	 * has_doc_freq.  Counters and bytes are those held (a partition
	 * holds its share); pairs: (document, n-gram) pairs counted, each
	 * n-gram once per document; noise: d * pairs / counters, the mean
	 * counter, which bounds the mean over-count of an estimate. */
	int has_doc_freq;
	uint32_t doc_freq_d;          /* counters per n-gram (min taken) */
	uint64_t doc_freq_counters;
	uint64_t doc_freq_bytes;
	uint64_t doc_freq_lines;      /* 64-byte lines of the whole sketch */
	uint64_t doc_freq_pairs;
	uint64_t doc_freq_saturated;  /* counters at 65535 */
	double doc_freq_noise;
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
/* Add a manifest entry built elsewhere (another process's part of the
 * same build: MPI ranks); its n-grams are added to the count.  The path
 * is copied.  A path already in the manifest is refused (CONTAM_E_PARAM). */
CONTAM_API int contam_index_add_manifest(contam_index *ix,
					 const contam_manifest_entry *e);
/* The manifest, its input notes and the walks' skips in the index
 * file's own encoding (uncompressed), to ship a part of a build between
 * processes (contam-mpi): *out is malloc'd (free it).  Unpack adds what
 * pack wrote to ix as contam_index_add_manifest adds an entry (a path
 * already there is refused), and the skips to its skips;
 * CONTAM_E_CORRUPT for bytes pack did not write. */
CONTAM_API int contam_index_manifest_pack(const contam_index *ix,
					  unsigned char **out, size_t *len);
CONTAM_API int contam_index_manifest_unpack(contam_index *ix,
					    const unsigned char *p, size_t len);
/* What the walks of the builds skipped (counts and first names),
 * kept in the index file (the "input notes" section). */
CONTAM_API size_t contam_index_skip_count(const contam_index *ix);
CONTAM_API const contam_input_skip *contam_index_skip_get(const contam_index *ix,
							  size_t i);
/* Record what the walks of `in` skipped (contam_index_build does this for
 * its inputs; a front end that builds from shares of the inputs, such as
 * contam-mpi, calls it with the whole list). */
CONTAM_API int contam_index_add_skips(contam_index *ix, const contam_inputs *in);
/* The raw filter words this index holds (blocks [lo, hi) of a partition,
 * 8 words per block), for OR-reducing partial filters across processes.
 * The words are borrowed and may be written; cached statistics are
 * dropped by this call, so write before the next contam_index_stats_get. */
CONTAM_API int contam_index_filter_words(contam_index *ix, uint64_t **words,
					 size_t *count);

/* Is this n-gram hash (as produced by the index's recipe) in the filter?
 * 1 yes, 0 no, -1 no answer (a summary handle, a partition's handle
 * for another partition's key, a partition set's key it was not asked
 * about): a caller must treat -1 as an error, never as "absent". */
CONTAM_API int contam_index_contains(const contam_index *ix, uint64_t hash);

/* Hash the n-grams of a text with the index's recipe; *out is malloc'd
 * (free()), *count n-grams, *tokens the token count.  For tools and tests. */
CONTAM_API int contam_index_hash_text(const contam_index *ix, const char *text,
				      size_t len, uint64_t **out, size_t *count,
				      size_t *tokens);

/* In how many distinct documents does this n-gram hash occur?
 * An upper bound from the doc-freq sketch (index --doc-freq): never below
 * the true count, above it by the sketch's noise (contam_index_stats
 * doc_freq_noise); 65535 means 65535 or more.  -1 when the index has no
 * doc-freq section (or the handle holds none: a summary handle, or a
 * partition that does not hold this key). */
CONTAM_API int64_t contam_index_doc_freq(const contam_index *ix, uint64_t hash);
/* The estimate for every n-gram of a text, in order (as
 * contam_index_hash_text hashes them; not winnowed): *out is malloc'd
 * (free()), *count entries.  CONTAM_E_PARAM when the index has no
 * doc-freq section.  For tools and tests. */
CONTAM_API int contam_index_doc_freq_text(const contam_index *ix, const char *text,
					  size_t len, int64_t **out, size_t *count);
/* Give an index that holds no documents yet an empty doc-freq sketch of
 * about `counters` counters (what contam_build_options.doc_freq_counters
 * does in contam_index_build); CONTAM_E_PARAM when it holds documents or
 * has a sketch already. */
CONTAM_API int contam_index_enable_doc_freq(contam_index *ix, uint64_t counters);
/* The raw doc-freq counters this index holds (lines [lo, hi) of the
 * sketch, 32 per line) and its count of (document, n-gram) pairs, for
 * reducing partial sketches across processes (contam-mpi): counters add
 * by saturating addition (min(a + b, 65535)), pairs by addition.
 * Borrowed and writable; CONTAM_E_PARAM without a sketch. */
CONTAM_API int contam_index_doc_freq_words(contam_index *ix, uint16_t **counters,
					   size_t *count, uint64_t **pairs);

/* ---- Near-duplicates: the MinHash band section (docs/NEARDUP.md) ---
 * `index --minhash` also inserts the LSH band keys of MinHash signatures
 * of sliding windows of every document into a Bloom filter of its own
 * (section 5 of the file, docs/FORMAT.md, docs/NEARDUP.md). */
#define CONTAM_MINHASH_MAX_WINDOWS 8
typedef struct contam_minhash_params {
	uint32_t shingle;        /* tokens per shingle (5) */
	uint32_t bands, rows;    /* b bands of r rows (8, 3) */
	uint32_t nwindows;       /* window sizes used (4) */
	uint32_t windows[CONTAM_MINHASH_MAX_WINDOWS]; /* in shingles, ascending
							 (24, 48, 96, 192) */
	uint32_t stride_div;     /* a window of W slides by max(1, W / this) (2) */
} contam_minhash_params;
CONTAM_API void contam_minhash_params_default(contam_minhash_params *p);
/* CONTAM_OK or CONTAM_E_PARAM with the reason in err. */
CONTAM_API int contam_minhash_params_check(const contam_minhash_params *p,
					   contam_error *err);
/* (1/b)^(1/r): the Jaccard at which a window matches with probability
 * about one half; 1-(1-j^r)^b: the probability that some band of a set
 * of Jaccard j with the window matches. */
CONTAM_API double contam_minhash_threshold(uint32_t bands, uint32_t rows);
CONTAM_API double contam_minhash_match_prob(uint32_t bands, uint32_t rows, double j);
/* The band keys to plan for: expected_words * windows per shingle * b
 * (a document of n words has about n - shingle + 1 shingles). */
CONTAM_API uint64_t contam_minhash_expected_keys(const contam_minhash_params *p,
						 uint64_t expected_words);
/* Give an index that holds no documents yet an empty minhash section:
 * a filter for expected_keys keys at a per-band false-positive rate
 * band_fpr (the item-level target / b), its partition of the index's.
 * CONTAM_E_PARAM (the reason in err) when it holds documents, has one
 * already, or the parameters are invalid. */
CONTAM_API int contam_index_minhash_enable(contam_index *ix, const contam_minhash_params *p,
					   uint64_t expected_keys, double band_fpr,
					   contam_error *err);
typedef struct contam_minhash_info {
	contam_minhash_params params;
	double threshold;        /* contam_minhash_threshold(b, r) */
	uint32_t k;              /* bits per key */
	uint64_t nblocks;        /* 512-bit blocks of the whole minhash filter */
	uint64_t filter_bytes;   /* bytes held by this handle (its partition) */
	uint64_t keys;           /* band keys inserted (windows * b) */
	uint64_t windows;        /* corpus windows signed */
	uint64_t shingles;       /* shingles seen */
	uint64_t bits_set;       /* of the bits held */
	double fill;             /* bits_set / bits held */
	double band_fpr;         /* a band lookup's false-positive rate, measured */
	double item_fpr;         /* an absent item's chance of a band match:
				    1 - (1 - band_fpr)^b */
} contam_minhash_info;
/* CONTAM_OK, or CONTAM_E_PARAM when the index has no minhash section. */
CONTAM_API int contam_index_minhash_info(const contam_index *ix, contam_minhash_info *out);
/* One band key: 1 present, 0 absent, -1 when not answerable (no section,
 * a summary handle, a block held by another partition). */
CONTAM_API int contam_index_minhash_contains(const contam_index *ix, uint64_t key);
/* The raw minhash filter words this index holds (its partition's blocks,
 * 8 words a block) and its counters (counters[0] band keys, [1] windows,
 * [2] shingles), for reducing partial sections across processes
 * (contam-mpi): words combine by OR, counters by addition.  Borrowed and
 * writable; the section's measured fill and band rate are dropped and
 * measured again from the words when next asked.  CONTAM_E_PARAM without
 * a section, on a summary handle or a mapped index. */
CONTAM_API int contam_index_minhash_words(contam_index *ix, uint64_t **words,
					  size_t *count, uint64_t *counters[3]);

/* How two processes' copies of a section's raw bytes combine. */
typedef enum contam_combine {
	CONTAM_COMBINE_OR = 0,      /* bitwise OR (64-bit words) */
	CONTAM_COMBINE_SAT_ADD16,   /* saturating addition of u16 counters */
} contam_combine;
#define CONTAM_SECTION_COUNTERS 4
/* One chunked section an index holds besides its filter (the doc-freq
 * sketch, the minhash filter, any later kind: docs/FORMAT.md), for
 * reducing partial sections across processes without naming each kind
 * (contam-mpi): data (borrowed, writable, bytes long) combines as
 * `combine` says, each counter by addition. */
typedef struct contam_index_section {
	uint32_t type;              /* its section type in the file */
	const char *name;           /* "doc-freq", "minhash" */
	contam_combine combine;
	void *data;
	size_t bytes;
	uint64_t *counters[CONTAM_SECTION_COUNTERS];
	size_t ncounters;
} contam_index_section;
/* The i-th such section this handle holds (from 0, in section-type
 * order; as the kind's own accessor, e.g. contam_index_minhash_words, it
 * drops measures cached from the bytes).  CONTAM_E_PARAM past the last,
 * or on a summary handle or a mapped index. */
CONTAM_API int contam_index_section_get(contam_index *ix, size_t i,
					contam_index_section *out);

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
	/* Published definitions from the same hits. */
	uint32_t covered10;      /* tokens inside spans >= 10 (Llama 2) */
	uint8_t gpt3;            /* a matched span >= 13 tokens (or all of a
				    shorter example) */
	uint8_t palm;            /* >= 70% of the 8-grams found (n == 8) */
	/* Question/answer split (--question-field/--answer-field). */
	uint8_t has_qa;
	uint32_t q_tokens, q_covered;
	uint32_t a_tokens, a_covered;
	/* Evidence: the longest matched spans of a partial or contaminated
	 * example, longest first (owned by the probe). */
	struct contam_span *spans;
	uint32_t nspans;
	/* Why.  `tokens` and `ngrams` count what is scored; these
	 * say what is not, and how much of the hits chance could explain. */
	uint32_t unscored_tokens;  /* only in template/frequent n-grams */
	uint32_t template_ngrams;  /* the benchmark's own scaffolding */
	uint32_t frequent_ngrams;  /* in more than --max-doc-freq documents */
	uint32_t chance_hits;      /* hits outside every span >= min_span */
	uint32_t whole_fields;     /* spans counted because they hold a whole
				      field of >= n words, though shorter
				      than min_span */
	double longest_words;      /* the longest span in words (CJK
				      characters count cjk_chars_per_word
				      to a word) */
	double chance;             /* upper bound on the probability that
				      false positives alone give this verdict */
	/* --null-control: the token-shuffled copy's verdict (has_null set) */
	uint8_t has_null, null_verdict, null_gpt3;
	double null_coverage;
	/* probe --near-dup (has_near_dup set): the example's MinHash
	 * signature checked band by band against the index's minhash
	 * section (docs/NEARDUP.md).  near_dup: some band matched;
	 * near_dup_bands: how many of the index's b; near_dup_jaccard_lo/hi:
	 * the 95% range of the Jaccard similarity that count implies (the
	 * containment of the example in the matched corpus window is at
	 * least that); near_dup_shingles: its distinct shingles.  An example
	 * with no shingle (every segment shorter than the shingle) has no
	 * signature: near_dup_unscored, never a silent "not near-dup". */
	uint8_t has_near_dup, near_dup, near_dup_unscored;
	/* scored with its choice labels ("1.", "(A)") as tokens: the
	 * example was read both ways (contam_rules) and that reading
	 * matched better */
	uint8_t labels_kept;
	/* scored with labels a, b, c, ... added before its fields after the
	 * first: an example of three or more fields and no labels (MMLU's
	 * question and option columns) was read that way too, as a copy
	 * that pastes "A. ...", "(B) ..." has it, and that matched better */
	uint8_t labels_added;
	uint32_t near_dup_bands;
	uint32_t near_dup_shingles;
	double near_dup_jaccard_lo, near_dup_jaccard_hi;
	/* shingles left out of the set as the benchmark's template (in more
	 * than template_share of the file's examples, at least template_min) */
	uint32_t near_dup_template_shingles;
} contam_example;

/* One matched span of an example: tokens [token_start, token_end) of
 * its normalized text, bytes [byte_start, byte_end) of its joined
 * fields, and those bytes (cut at CONTAM_SPAN_TEXT_MAX). */
#define CONTAM_SPAN_TEXT_MAX 2000
#define CONTAM_EVIDENCE_SPANS 3
typedef struct contam_span {
	uint32_t token_start, token_end;
	uint64_t byte_start, byte_end;
	char *text;
	int truncated;
	double words;            /* its length in words (CJK characters
				    count cjk_chars_per_word to a word) */
} contam_span;

typedef enum contam_qa_label {
	CONTAM_QA_CLEAN = 0,
	CONTAM_QA_QUESTION,          /* question_contaminated */
	CONTAM_QA_QUESTION_ANSWER,   /* question_answer_contaminated */
	CONTAM_QA_ANSWER             /* answer_contaminated (answer only) */
} contam_qa_label;

/* The label of an example with has_qa set: a part counts as found when
 * its token coverage is >= 0.2 (the partial threshold). */
CONTAM_API contam_qa_label contam_example_qa_label(const contam_example *e);
CONTAM_API const char *contam_qa_label_name(contam_qa_label l);

typedef struct contam_benchmark {
	char *name;
	char **sources;
	size_t nsources;
	uint64_t examples;
	uint64_t contaminated, partial, clean, too_short;
	/* --null-control: verdicts of token-shuffled copies, per definition */
	uint64_t null_examples, null_contaminated, null_partial, null_gpt3;
	uint64_t null_palm, null_llama2_dirty, null_llama2_not_clean;
	/* Template n-grams: the rule (share of the examples of
	 * a file, minimum examples; share 0: off), the distinct n-grams
	 * found and the n-gram occurrences they took out of scoring. */
	double template_share;
	uint32_t template_min;
	uint64_t template_distinct, template_ngrams;
	uint64_t frequent_ngrams;  /* occurrences over --max-doc-freq */
	/* The fields read.  With --field (or question/answer
	 * fields) the paths given, question fields first; without, the keys
	 * or CSV columns whose strings were taken (fields_auto set), first
	 * seen first, fields_more counting keys beyond those listed.
	 * field_missing[i]: records of the benchmark with nothing at
	 * fields[i].  id_missing: records without an id (--id-field). */
	char **fields;
	uint64_t *field_missing;
	size_t nfields;
	int fields_auto;
	uint64_t fields_more;
	uint64_t records_read;     /* records read from the sources */
	uint64_t not_utf8_bytes;   /* bytes of its text files that are not
				      UTF-8, read as word separators */
	char *id_field;            /* or NULL */
	uint64_t id_missing;
	/* probe --near-dup: examples near-dup, near-dup and not
	 * contaminated by n-grams (what near-dup adds), near-dup and neither
	 * contaminated nor partial, and without a signature (no shingle:
	 * unscored, counted).  Recounted from the examples with the verdicts
	 * (cprobe_tally). */
	uint64_t near_dup, near_dup_only, near_dup_unflagged, near_dup_unscored;
	/* template shingles (the rule of template_share / template_min over
	 * each file's item sets): distinct, and occurrences left out */
	uint64_t near_dup_template_distinct, near_dup_template_excluded;
	/* probe --near-dup: scored examples with exactly one band matched,
	 * near_dup or not (--near-dup-bands): the verdicts that hang on a
	 * single band, the weakest evidence */
	uint64_t near_dup_one_band;
	/* id_field was not given but taken: without --field and --id-field
	 * an id-named key or column ("id", "task_id", ...) is the id */
	int id_auto;
} contam_benchmark;

/* The scoring rules probe and scan share (README "Scoring
 * rules").  join_fields: the selected fields are one piece (the older
 * rule: any run of hits may count); labels: an example with choice
 * labels ("A.", "(b)", "1.") at the start of a field or line is read
 * with them dropped and with them kept, and scored by the reading that
 * matches better (a copy may keep, change or drop them); keep_labels
 * reads it only with them kept, drop_labels only with them dropped (the
 * rule before 2026-12); template_share/template_min: n-grams in more
 * than this share of a file's examples and in at least template_min of
 * them are the benchmark's template and count neither way (share 0: no
 * template rule); cjk_chars_per_word: CJK characters that make one word
 * of a span (1: a character is a word; 0 is taken as 1). */
typedef struct contam_rules {
	int join_fields;
	int keep_labels;
	int drop_labels;
	double template_share;
	uint32_t template_min;
	uint32_t cjk_chars_per_word;
} contam_rules;

#define CONTAM_TEMPLATE_SHARE 0.05
#define CONTAM_TEMPLATE_MIN 5
#define CONTAM_CJK_CHARS_PER_WORD 3

/* The defaults above: fields apart, labels both ways. */
CONTAM_API void contam_rules_init(contam_rules *r);

typedef struct contam_probe_options {
	const char *const *fields; /* dotted paths; NULL/0 = all strings */
	size_t nfields;
	const char *id_field;      /* or NULL */
	int no_header;             /* CSV/TSV: first row is data */
	uint32_t min_span;         /* default 10 */
	/* Question/answer split: fields of each part (dotted paths).  With
	 * them, an example's text is its question then its answer, and
	 * `fields` must be empty. */
	const char *const *question_fields;
	size_t nquestion_fields;
	const char *const *answer_fields;
	size_t nanswer_fields;
	/* Also score a token-shuffled copy of every example (fixed seed). */
	int null_control;
	/* Scoring rules (docs/SCORING.md; contam_probe_options_init sets
	 * the defaults).  max_doc_freq: n-grams the index counts in more than
	 * this many documents count neither as hits nor as misses (0: off;
	 * needs an index built with --doc-freq). */
	contam_rules rules;
	uint64_t max_doc_freq;
	/* Notes about how a benchmark file was read ("'x.jsonl' is
	 * gzip-compressed ...: read by its content"), or NULL. */
	void (*on_warning)(void *ctx, const char *msg);
	void *warning_ctx;
	/* Benchmark layout: the path to the records inside a
	 * JSON/JSONL document (SQuAD: "data.paragraphs.qas"; fields of the
	 * enclosing objects are reached as "^context"), or NULL; txt: lines
	 * per record (0 or 1: one line), --field then names a line 0..N-1. */
	const char *records;
	uint32_t lines_per_record;
	/* CSV/TSV: the first row is the header even when it looks like data
	 * (cells of sentences), which is refused otherwise. */
	int force_header;
	/* Every input file of the run (borrowed): an output of
	 * contam_probe_write_clean that is the same file as one of these
	 * (device and inode) is refused before anything is written. */
	const char *const *inputs;
	size_t ninputs;
	/* Files that walks of benchmark directories skipped as not
	 * benchmark files, by name (borrowed): reported as "bench_skipped",
	 * so that a report kept without its stderr says what was left out. */
	const char *const *skipped_files;
	size_t nskipped_files;
	/* The corpus's name in reports (probe --label "Common
	 * Crawl 2025-05"; borrowed), or NULL: renderers then use the index
	 * file name. */
	const char *label;
	/* A flag (a signal handler's, a binding's) that, once set, makes a
	 * contam_probe_add_* in progress stop with CONTAM_E_INTERRUPTED
	 * between two records read or two examples scored (the file is then
	 * not added: a file is scored whole or not at all).  NULL (the
	 * default): never. */
	volatile int *stop;
	/* Also check each example's MinHash bands against the index's
	 * minhash section (index --minhash): per example near_dup and its
	 * band count (contam_example), per benchmark the near-dup rate.
	 * An index without the section is CONTAM_E_PARAM. */
	int near_dup;
	/* near_dup needs at least this many of the index's b bands to match
	 * (probe --near-dup-bands; 1, the default and 0: any band).  More
	 * than b is CONTAM_E_PARAM. */
	uint32_t near_dup_min_bands;
	/* The fast paths (borrowed for the probe's life), or NULL: the
	 * default, contam_fast_default(). */
	const contam_fast *fast;
} contam_probe_options;

CONTAM_API void contam_probe_options_init(contam_probe_options *opt);

typedef struct contam_probe contam_probe;

/* The probe borrows `ix`, which must outlive it. */
CONTAM_API int contam_probe_new(contam_probe **out, const contam_index *ix,
				const char *index_path,
				const contam_probe_options *opt,
				contam_error *err);
/* Read one benchmark file and score its examples under benchmark `name`
 * (several files may share a name).  Any unreadable record is an error:
 * a benchmark is never reported clean because it could not be read. */
CONTAM_API int contam_probe_add_file(contam_probe *p, const char *name,
				     const char *path);
/* The benchmark formats a path's extension picks (.jsonl/.ndjson, .json,
 * .csv, .tsv, .txt); BY_CONTENT is a name with none of them. */
typedef enum contam_bench_format {
	CONTAM_BENCH_BY_CONTENT = 0,
	CONTAM_BENCH_JSONL,
	CONTAM_BENCH_JSON,
	CONTAM_BENCH_CSV,
	CONTAM_BENCH_TSV,
	CONTAM_BENCH_TXT
} contam_bench_format;
/* contam_probe_add_file for bytes in memory (a binding, a fuzzer): read
 * by the same readers as a file whose extension says `format` (gzip,
 * zstd, UTF-16 and one-file archives are undone by content), with
 * `source_label` as the examples' source and in messages.  The bytes
 * are copied; they may go once this returns.  contam_probe_write_clean
 * refuses a probe given buffers: it reads the files again. */
CONTAM_API int contam_probe_add_buffer(contam_probe *p, const char *name,
				       const char *source_label,
				       const void *data, size_t len,
				       contam_bench_format format);
CONTAM_API void contam_probe_free(contam_probe *p);
CONTAM_API const char *contam_probe_errmsg(const contam_probe *p);

typedef struct contam_result {
	const char *index_path;
	int exact_scan;            /* from contam_scan_result: no index */
	contam_index_stats index;
	uint32_t min_span;
	const contam_benchmark *benchmarks;
	size_t nbenchmarks;
	const contam_example *examples;
	size_t nexamples;
	int null_control;          /* benchmarks carry null_* counts */
	int qa_split;              /* examples carry q_* and a_* */
	/* the scoring rules used (contam_probe_options) */
	contam_rules rules;
	uint64_t max_doc_freq;
	/* For reproducible tables: the corpus label (or NULL), the
	 * options the probe ran with (borrowed from the probe), and the
	 * index's inputs: how many files, and an XXH3-64 digest of their
	 * manifest lines (size, content fingerprint, documents, text bytes). */
	const char *label;
	const contam_probe_options *options;
	uint64_t inputs, inputs_digest;
	/* What the index's builds did not read: the manifest's problem
	 * counts summed over its inputs, how many inputs had any, and the
	 * walks' skips per reason (hidden entries are not kept).  Reported
	 * as index.unread beside the rates, which do not cover it. */
	uint64_t unread_problems[CONTAM_PROBLEMS];
	uint64_t unread_inputs;
	uint64_t unread_skipped[CONTAM_SKIP_REASONS];
	/* probe --suite: the suite file and the sha256 of its bytes (64 hex
	 * digits), reported as "suite"; NULL (contam_probe_result): none.
	 * suite_split: --split NAME (every entry's split), NULL: each entry
	 * its own ("split" key, else test); with the file's hash it says
	 * which files every entry read */
	const char *suite_path;
	const char *suite_sha256;
	const char *suite_split;
	/* probe --near-dup: the minhash section's parameters (shingle
	 * tokens, b bands of r rows, window sizes in shingles, stride
	 * divisor) and the measured false-positive rate of one band lookup;
	 * near_dup 0: not probed for near-duplicates (the other members 0). */
	int near_dup;
	uint32_t near_dup_shingle, near_dup_bands, near_dup_rows;
	uint32_t near_dup_nwindows, near_dup_windows[CONTAM_MINHASH_MAX_WINDOWS];
	uint32_t near_dup_stride_div;
	double near_dup_band_fpr;
	/* the near_dup rule: at least this many bands matched (>= 1) */
	uint32_t near_dup_min_bands;
} contam_result;

CONTAM_API void contam_probe_result(const contam_probe *p, contam_result *out);

/* The published definitions of a flagged example, one rule
 * each, shared by the report and the clean subsets. */
typedef enum contam_definition {
	CONTAM_DEF_CONTAM = 0,   /* verdict partial or contaminated */
	CONTAM_DEF_GPT3,         /* gpt3: a matched span >= 13 tokens */
	CONTAM_DEF_PALM,         /* palm: >= 70% of the 8-grams found */
	CONTAM_DEF_LLAMA2        /* Llama 2 "not clean": >= 20% of the
				    tokens in spans >= 10 tokens */
} contam_definition;

/* "contam", "gpt3", "palm", "llama2"; CONTAM_E_PARAM for another name. */
CONTAM_API int contam_definition_parse(const char *name, contam_definition *out);
CONTAM_API const char *contam_definition_name(contam_definition d);
/* NULL when an index of n-grams can tell definition d, else why not
 * (gpt3 needs n <= 13, palm n == 8, llama2 n <= 10). */
CONTAM_API const char *contam_definition_unavailable(contam_definition d,
						     uint32_t ngram);
/* Whether e is in the flagged set of definition d. */
CONTAM_API int contam_example_flagged(const contam_example *e,
				      contam_definition d);

/* Clean subsets (probe --write-clean), written in a pass of their own
 * after scoring, so that a later exact scan can overturn flags. */
typedef struct contam_clean_options {
	const char *dir;           /* created if missing */
	contam_definition definition;
	/* Per example of contam_probe_result (all of them), nonzero where
	 * an exact scan found it not flagged under `definition`: it goes to
	 * the clean file.  NULL: the probe's verdicts stand. */
	const unsigned char *overturned;
	int confirmed;             /* the flags were checked by an exact scan
				      (recorded in the list) */
	volatile int *stop;        /* set by a signal handler: stop, leave
				      nothing (CONTAM_E_INTERRUPTED); or NULL */
} contam_clean_options;

CONTAM_API void contam_clean_options_init(contam_clean_options *o);
/* Re-read every benchmark file added to the probe (same options) and
 * write, per file, DIR/<stem>.clean.<ext> (records not flagged: clean
 * and too_short), DIR/<stem>.flagged.<ext> (byte for byte; JSON arrays
 * and --records selections are re-serialized) and
 * DIR/<stem>.flagged.<ext>.ids.json (the flagged records: number, line,
 * id).
 * With a question/answer split and the contam definition, a record
 * whose question or answer was found is flagged too.  All files are
 * written under temporary names and renamed only when every one is
 * complete; on failure none is left.  A file that cannot be read again
 * (a pipe) is CONTAM_E_PARAM, as is an output that is an input. */
CONTAM_API int contam_probe_write_clean(contam_probe *p,
					const contam_clean_options *o);

/* ------------------------------------------------------------------ */
/* Reports                                                             */

/* Where a report goes.  write(ctx, p, n) takes n > 0 bytes and returns
 * CONTAM_OK or a negative CONTAM_E_* code; the report call stops at the
 * first failure and returns that code, with a message in its
 * contam_error ("cannot write the output: No space left on device"), so
 * a full disk is an error, never a silent half report.  A writer that
 * returns CONTAM_E_IO may leave errno set to say why. */
typedef struct contam_sink {
	int (*write)(void *ctx, const void *p, size_t n);
	void *ctx;
} contam_sink;

/* A sink that fwrites to f (not flushed: the caller fflushes and checks). */
CONTAM_API contam_sink contam_sink_file(FILE *f);
/* A growable memory buffer: data is malloc'd and NUL-terminated after a
 * write (NULL while empty), len bytes written.  Free with
 * contam_membuf_free; CONTAM_MEMBUF_INIT or zero to start. */
typedef struct contam_membuf {
	char *data;
	size_t len, cap;
} contam_membuf;
#define CONTAM_MEMBUF_INIT { NULL, 0, 0 }
CONTAM_API contam_sink contam_sink_membuf(contam_membuf *b);
CONTAM_API void contam_membuf_free(contam_membuf *b);

/* The report writers below take a FILE* (they fflush it and return
 * CONTAM_E_IO with errno set when a write fails; the caller names the
 * file) or, in their _to form, a sink and a contam_error. */

/* The report JSON (version 1, see docs/REPORT.md). */
CONTAM_API int contam_report_json(const contam_result *r, FILE *out);
CONTAM_API int contam_report_json_to(const contam_result *r, const contam_sink *out,
				     contam_error *err);
/* A readable per-benchmark table. */
CONTAM_API int contam_report_table(const contam_result *r, FILE *out);
CONTAM_API int contam_report_table_to(const contam_result *r, const contam_sink *out,
				      contam_error *err);

/* Render report JSON files (one per corpus) for papers.  `format` is
 * "md", "latex", "csv", "html" or "conda"; several reports make a
 * benchmark x corpus grid.  On failure err says why (CONTAM_E_PARAM:
 * an unknown format or no file). */
CONTAM_API int contam_report_render(const char *const *paths, size_t n,
				    const char *format, FILE *out,
				    contam_error *err);
CONTAM_API int contam_report_render_to(const char *const *paths, size_t n,
				       const char *format, const contam_sink *out,
				       contam_error *err);
/* `contam report`'s choices.  definitions: a comma list of
 * gpt3, palm, llama2, contam, any (a benchmark x corpus grid each), or
 * NULL for the format's default; latex_wide: a table* across both
 * columns; provenance: the index, its inputs and the probe's options of
 * every corpus under the table (md, latex, html).  Reports of one corpus
 * (one label, or one index path) are merged into one column. */
typedef struct contam_report_options {
	const char *format;       /* NULL: md */
	const char *definitions;
	int latex_wide;
	int provenance;
} contam_report_options;
CONTAM_API int contam_report_render_opts(const char *const *paths, size_t n,
					 const contam_report_options *opt,
					 const contam_sink *out, contam_error *err);

/* ------------------------------------------------------------------ */
/* Contamination's effect on scores (`contam impact`)                 */

/* A probe report over lm-evaluation-harness `--log_samples` files
 * (samples_<task>_<timestamp>.jsonl, probed with --field doc.<field>)
 * joined to those files: each report example is the line of its `source`
 * whose record number (non-blank line, 0-based) it carries.  Per task,
 * filter and metric: the mean on all, clean, partial and contaminated
 * examples under one definition; contaminated - clean with a 95%
 * percentile-bootstrap interval (each group resampled on its own,
 * `resamples` times) and a two-sided permutation p-value of the
 * difference of means (exact over every split when there are at most
 * `permutations` of them, else `permutations` random ones, p = (1 + as
 * extreme) / (1 + permutations)).  Both draw from splitmix64 seeded with
 * `seed`, so a run is reproducible.  Groups: contam: the verdicts
 * contaminated and partial, clean the rest (too_short included, as in
 * --write-clean); llama2: buckets dirty, not_clean, clean; gpt3, palm:
 * flagged is contaminated, no partial. */
#define CONTAM_IMPACT_RESAMPLES 10000
#define CONTAM_IMPACT_PERMUTATIONS 10000
#define CONTAM_IMPACT_SEED 1
typedef struct contam_impact_options {
	contam_definition definition;  /* CONTAM_DEF_CONTAM */
	uint32_t resamples;            /* CONTAM_IMPACT_RESAMPLES */
	uint32_t permutations;         /* CONTAM_IMPACT_PERMUTATIONS */
	uint64_t seed;                 /* CONTAM_IMPACT_SEED */
	/* report examples with no sample line and sample lines with no report
	 * example are counted and listed instead of failing the run */
	int allow_missing;
	/* how the tables name the report (NULL: report_path): a binding that
	 * saved an unsaved report to a temporary file names it otherwise */
	const char *report_name;
} contam_impact_options;

CONTAM_API void contam_impact_options_init(contam_impact_options *o);

typedef struct contam_impact contam_impact;

/* Read the report and the samples files and compute.  CONTAM_E_FORMAT
 * (message names them) for examples and lines that do not join, unless
 * allow_missing; for a line that is not a samples line (no doc_id or
 * metrics list) or whose doc_id is not the report example's id.
 * CONTAM_E_PARAM for a definition the report's index cannot tell or two
 * files of one task.  Metrics with a value that is not a number (booleans
 * are 0/1) are skipped and listed in every output, never dropped. */
CONTAM_API int contam_impact_new(contam_impact **out, const char *report_path,
				 const char *const *samples, size_t nsamples,
				 const contam_impact_options *opt, contam_error *err);
/* The table: format "md", "latex" or "json" (docs/REPORT.md). */
CONTAM_API int contam_impact_write(const contam_impact *im, const char *format,
				   const contam_sink *out, contam_error *err);
/* {"<task>": [doc_id, ...]} of the clean examples, for lm-eval's
 * --samples: a doc_id is listed when every line of it is clean. */
CONTAM_API int contam_impact_write_samples(const contam_impact *im,
					   const contam_sink *out, contam_error *err);
/* Report examples that matched no sample line, and sample lines that
 * matched no report example (0 unless allow_missing). */
CONTAM_API void contam_impact_missing(const contam_impact *im, uint64_t *examples,
				      uint64_t *lines);
/* Whether the report's index left anything unread (its index.unread):
 * the clean group, and the samples written, may hold examples whose
 * copies are in what was not read. */
CONTAM_API int contam_impact_unread(const contam_impact *im);
CONTAM_API void contam_impact_free(contam_impact *im);

/* ------------------------------------------------------------------ */
/* Exact scan                                                         */

/* The benchmarks' n-grams go into an exact table (64-bit hashes, same
 * recipe, seed and n as the index: collisions between 64-bit hashes are
 * negligible, about m*N/2^64 expected for m table keys and N corpus
 * n-grams) and the corpus streams past it.  Every matching document gets
 * a hit record with its provenance and the byte offsets of the matched
 * regions; examples get the probe metrics computed exactly, plus the
 * number of documents they occur in.  Optionally a purified copy of the
 * corpus is written. */

typedef enum contam_purify_mode {
	CONTAM_PURIFY_NONE = 0,
	CONTAM_PURIFY_DROP,      /* drop documents with a match */
	CONTAM_PURIFY_CUT        /* cut matched regions +- margin */
} contam_purify_mode;

typedef struct contam_scan_options {
	/* benchmark side: as contam_probe_options */
	const char *const *fields;
	size_t nfields;
	const char *id_field;
	int no_header;
	uint32_t min_span;       /* default 10 */
	uint32_t ngram;          /* default 8 */
	/* corpus side: as contam_build_options */
	const char *text_field;  /* "text" */
	const char *const *text_fields; /* as contam_build_options */
	size_t ntext_fields;
	int threads;             /* 0 = all cores */
	int strict;
	uint64_t max_record;
	/* n-grams found in more than max_doc_freq documents are ignored
	 * (0 = no limit) */
	uint64_t max_doc_freq;
	/* where hit records go (JSONL), or NULL */
	FILE *hits;
	/* decontamination */
	const char *purify_dir;  /* NULL: no purified copy */
	contam_purify_mode purify_mode;
	uint32_t cut_margin;     /* characters kept off each side; 200 */
	uint32_t cut_max_pieces; /* more pieces than this: drop; 10 */
	void (*on_warning)(void *ctx, const char *msg);
	void (*on_progress)(void *ctx, const contam_progress *p);
	void *ctx;
	volatile int *stop;
	/* benchmark layout: as contam_probe_options */
	const char *records;
	uint32_t lines_per_record;
	int force_header;
	/* scoring rules: as contam_probe_options, so that a scan
	 * confirms a probe's flags by the same rules */
	contam_rules rules;
	/* question/answer split: as contam_probe_options (then `fields`
	 * must be empty); the report then carries the qa fields */
	const char *const *question_fields;
	size_t nquestion_fields;
	const char *const *answer_fields;
	size_t nanswer_fields;
	/* --near-dup: exact containment of each example's MinHash shingle
	 * set in the best window of each document (README "Near
	 * duplicates"); examples at or over near_dup_min (0.5) are kept
	 * with provenance, in the report's scan.near_dup */
	int near_dup;
	double near_dup_min;
	/* The fast paths (borrowed for the scan's life), or NULL: the
	 * default, contam_fast_default(). */
	const contam_fast *fast;
} contam_scan_options;

CONTAM_API void contam_scan_options_init(contam_scan_options *opt);

typedef struct contam_scan contam_scan;

typedef struct contam_scan_stats {
	uint64_t files, documents, bytes_in, bytes_text, ngrams, errors;
	uint64_t hit_documents;       /* documents with at least one match */
	uint64_t table_ngrams;        /* distinct benchmark n-grams */
	uint64_t table_bytes;         /* memory of the exact table */
	uint64_t hits_bytes;          /* bytes of the hit records kept (in a
					 temporary file, not in memory) */
	uint64_t ignored_ngrams;      /* matched n-grams over max_doc_freq */
	uint64_t not_utf8_bytes;      /* corpus bytes that are not UTF-8, read
					 as word separators (per file: a note) */
	uint64_t purified_files, dropped_documents, cut_documents, cut_regions;
	uint64_t purify_unread;       /* records the reader skipped as damaged,
					 left out of the purified copy */
	double seconds;
} contam_scan_stats;

/* Options are copied (strings too); `hits` is borrowed. */
CONTAM_API int contam_scan_new(contam_scan **out, const contam_scan_options *opt,
			       contam_error *err);
/* Add a benchmark file under `name` (several files may share a name). */
CONTAM_API int contam_scan_add_file(contam_scan *s, const char *name,
				    const char *path);
/* How one benchmark file is read, when it differs from the scan's
 * options (probe --suite --confirm: each suite entry's layout); the
 * members mean what contam_probe_options's of the same name mean. */
typedef struct contam_bench_layout {
	const char *const *fields;
	size_t nfields;
	const char *id_field;
	int no_header;
	int force_header;
	const char *records;
	uint32_t lines_per_record;
	const char *const *question_fields;
	size_t nquestion_fields;
	const char *const *answer_fields;
	size_t nanswer_fields;
} contam_bench_layout;
/* contam_scan_add_file with `layout` for this file (borrowed for the
 * call); NULL: the scan's options.  The scan is scored by its own rules. */
CONTAM_API int contam_scan_add_file_with(contam_scan *s, const char *name,
					 const char *path,
					 const contam_bench_layout *layout);
/* The same for bytes in memory, as contam_probe_add_buffer. */
CONTAM_API int contam_scan_add_buffer(contam_scan *s, const char *name,
				      const char *source_label,
				      const void *data, size_t len,
				      contam_bench_format format);
/* Keep only these records of the files added so far (the examples of
 * `source` whose record is in records[0..n)); for `probe --confirm`. */
CONTAM_API int contam_scan_select(contam_scan *s, const char *source,
				  const uint64_t *records, size_t n);
/* Scan the corpus; then the hit records, the purified copy and the
 * metrics are written / available.  Call once. */
CONTAM_API int contam_scan_run(contam_scan *s, const contam_inputs *in);
/* The per-example metrics in probe form (valid until the scan is freed). */
CONTAM_API void contam_scan_result(const contam_scan *s, contam_result *out);
/* Documents where example i (of contam_scan_result) is partial or
 * contaminated. */
CONTAM_API uint64_t contam_scan_doc_count(const contam_scan *s, size_t i);
/* The probe report JSON with scan fields added (doc_count per example,
 * per n-gram document counts, a "scan" object). */
CONTAM_API int contam_scan_report_json(const contam_scan *s, FILE *out);
CONTAM_API int contam_scan_report_json_to(const contam_scan *s, const contam_sink *out,
					  contam_error *err);
/* Two tiers (probe --confirm): `probe` is the Bloom result of the same
 * benchmark files, read with the same options and added in the same
 * order; the examples selected in the scan (the flagged ones) get their
 * exact metrics, a "bloom" object with the probe's, provenance and
 * doc_count; a "confirm" object counts flagged and overturned (exactly
 * clean) examples.  CONTAM_E_PARAM if the examples do not line up. */
CONTAM_API int contam_scan_confirm_json(const contam_scan *s,
					const contam_result *probe, FILE *out,
					uint64_t *flagged, uint64_t *overturned);
CONTAM_API int contam_scan_confirm_json_to(const contam_scan *s,
					   const contam_result *probe,
					   const contam_sink *out, uint64_t *flagged,
					   uint64_t *overturned, contam_error *err);
/* The result contam_scan_confirm_json reports: the probe's, with the
 * examples the scan read given their exact metrics and the benchmarks
 * recounted (for a table of the confirmed counts).  Valid until the scan
 * is freed or this is called again. */
CONTAM_API int contam_scan_confirmed(contam_scan *s, const contam_result *probe,
				     contam_result *out);
CONTAM_API void contam_scan_stats_get(const contam_scan *s, contam_scan_stats *out);
/* --near-dup: per benchmark the examples with a near-duplicate, then the
 * best document of each (at most 20), as text; CONTAM_E_PARAM when the
 * scan had no near_dup. */
CONTAM_API int contam_scan_near_dup_table(const contam_scan *s, FILE *out);
/* The same table through a writer (a buffer, a callback); a writer's
 * failure is the call's result, with its message in err. */
CONTAM_API int contam_scan_near_dup_table_to(const contam_scan *s,
					     const contam_sink *out,
					     contam_error *err);
/* --near-dup --confirm: read the near_dup verdicts of a probe report of
 * the same benchmark files (read with the same options, in the same
 * order) before the scan runs; the scan's report and table then say which
 * of them the exact scan confirms.  CONTAM_E_IO / CONTAM_E_FORMAT for a
 * report that cannot be read or has no near_dup verdicts, CONTAM_E_PARAM
 * when its examples do not line up with the scan's (errmsg says which). */
CONTAM_API int contam_scan_near_dup_confirm(contam_scan *s, const char *report_path);
/* Documents read, their text bytes and records skipped in corpus file i
 * (of the inputs given to contam_scan_run), for refusing inputs that
 * yield nothing. */
CONTAM_API int contam_scan_file_documents(const contam_scan *s, size_t i,
					  uint64_t *documents, uint64_t *bytes_text,
					  uint64_t *errors);
CONTAM_API const char *contam_scan_errmsg(const contam_scan *s);
CONTAM_API void contam_scan_free(contam_scan *s);

#ifdef __cplusplus
}
#endif
#endif /* CONTAM_H */
