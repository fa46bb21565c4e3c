/*
 * pass.h -- the corpus pass: every input file read once, its documents
 * handed to a sink on whichever thread is free.  The index build
 * (index_build.c) and the exact scan (scan_run.c) are sinks of it; the
 * pass owns everything they share: file tasks, the readers and their
 * open policy, batches of whole documents with their provenance,
 * big-document streaming, back-pressure, result order within a file,
 * the thread count, progress and the stop flag (pass.c says how).
 *
 * A sink sees documents, never files or formats: the index build and
 * the scan's sink include no reader (index/ includes none at all; in
 * scan/, purify walks records with the readers' own walkers and the
 * report re-reads hit records with the JSON value scanner, both from
 * reader.h).
 *
 * Writing a sink (a new per-document pass, e.g. MinHash signatures):
 *
 *   - worker_new/worker_free: the per-thread state (a tokenizer, say).
 *     One per thread for batch tasks, plus one per file task for the
 *     work the file task does itself; a worker is used by one task at a
 *     time.  worker_free may report a failure the worker recorded (f is
 *     the file for a file task's worker, NULL for a thread's).
 *   - begin(w, doc) / feed(w, bytes, n) / end(w, doc, out): one document,
 *     its text in one or more pieces (documents over CPASS_BIG_DOC come
 *     in reader pieces; feed them to a streaming state).  doc->file is
 *     the file's record; doc->file->sink is the sink's per-file state.
 *     A result for the document may be added to out (cpass_out_add)
 *     when the sink is `ordered`; out is NULL otherwise.
 *     flush(w), when set, is called after each batch (and each streamed
 *     document): hand on what the worker gathered.
 *   - file_begin/collect: per file, in the file task.  collect is called
 *     once for every file file_begin accepted, after all its documents
 *     are done; f->opened says whether the reader opened it, and the
 *     counters are the file's.  file_message sees the reader's messages
 *     about the file (warnings, notes, the reason it could not be
 *     opened) before they go to the run's on_warning.
 *   - ordered: emit(ctx, f, out) gets each batch's results (its blocks:
 *     out->first, ->next) in reader order, in the file task, as soon as
 *     the batches before it are done.
 *
 * feed or end returning < 0 fails the run (with err, or "out of memory"
 * when err is left empty).  Only worker_new, worker_free, begin, feed
 * and end are required; tests/unit/test_pass.c has a whole counting
 * sink in about 80 lines.  The caller owns the crun (crun_init with its
 * callbacks and stop flag) and reads the first error from it after
 * cpass_run; a sink fails the run with crun_fail.  A sink that counts
 * n-grams adds them to run->ngrams itself (progress shows them).
 */
#ifndef CONTAM_PASS_H
#define CONTAM_PASS_H

#include "../common/common.h"
#include "../common/run.h"

/* Batches of whole documents of about CPASS_BATCH bytes go to other
 * threads; a file task has at most CPASS_INFLIGHT of them queued (then
 * it processes the next one itself); a document over CPASS_BIG_DOC is
 * streamed by the file task, never copied whole. */
#define CPASS_BATCH (2u << 20)
#define CPASS_BIG_DOC (8u << 20)
#define CPASS_INFLIGHT 4

/* One input file, as the pass read it (the file task's; a sink reads it
 * from any thread only for f->sink and the fixed fields). */
typedef struct cpass_file {
	size_t index;                 /* in the inputs */
	const char *path;             /* borrowed from the inputs */
	uint64_t size;
	int walked;                   /* found by a directory walk */
	contam_input_kind kind;       /* by name, by content once open */
	int opened;                   /* the reader opened it */
	uint64_t documents;
	uint64_t bytes_text;          /* text bytes the reader delivered */
	uint64_t errors;              /* damaged records, + 1 if unreadable */
	uint64_t not_utf8;            /* bytes the sink's tokenizer read as
					 U+FFFD (cpass_file_not_utf8) */
	void *sink;                   /* the sink's per-file state */
} cpass_file;

/* A document's provenance; strings are borrowed (NULL: none) and valid
 * until end() returns. */
typedef struct cpass_doc {
	cpass_file *file;
	const char *member;           /* archive member name */
	uint64_t entry;               /* the member's entry number */
	uint64_t record;              /* 0-based record / line number */
	uint64_t offset;              /* of the record, decompressed */
	const char *url, *id;
	/* 1: the whole text comes in one feed (a batched document); 0: in
	 * reader pieces (a document over CPASS_BIG_DOC, streamed) */
	int whole;
} cpass_doc;

/* Results of one batch (ordered sinks): records in the sink's own
 * encoding, added with cpass_out_add, kept in blocks of CPASS_OUT_BLOCK
 * bytes (or one record, when larger) that a record never spans.  Fixed
 * blocks rather than one doubling buffer: the slack stays one block, and
 * freed blocks fit the next batch's. */
#define CPASS_OUT_BLOCK (1u << 20)
typedef struct cpass_out_block {
	struct cpass_out_block *next;
	size_t len, cap;
	size_t records;
	char data[];
} cpass_out_block;
typedef struct cpass_out {
	cpass_out_block *first, *last;
} cpass_out;
/* Add one record of n bytes: CONTAM_OK or CONTAM_E_NOMEM. */
int cpass_out_add(cpass_out *o, const void *rec, size_t n);

/* A document's bytes that are not UTF-8, as its tokenizer counted them
 * (ctok not_utf8): from end(), any thread.  The file's total becomes a
 * note once its documents are done (a Latin-1 file's accents are read
 * as word separators: its words no longer match a UTF-8 benchmark's). */
static inline void cpass_file_not_utf8(cpass_file *f, uint64_t n)
{
	if (n)
		__atomic_fetch_add(&f->not_utf8, n, __ATOMIC_RELAXED);
}

/* What the file_message callback is told. */
enum {
	CPASS_MSG_WARNING,            /* damage the reader skipped */
	CPASS_MSG_NOTE,               /* how it was read: no damage */
	CPASS_MSG_UNREADABLE          /* it was not opened (a counted skip) */
};

typedef struct cpass_sink {
	void *ctx;
	int ordered;
	void *(*worker_new)(void *ctx);                 /* NULL: out of memory */
	int (*worker_free)(void *ctx, void *w, const cpass_file *f, cerr *err);
	void (*begin)(void *w, const cpass_doc *doc);
	int (*feed)(void *w, const char *p, size_t n, cerr *err);
	int (*end)(void *w, const cpass_doc *doc, cpass_out *out, cerr *err);
	void (*flush)(void *w);
	int (*file_begin)(void *ctx, cpass_file *f, cerr *err);
	void (*file_message)(void *ctx, cpass_file *f, int kind, const char *msg);
	int (*emit)(void *ctx, cpass_file *f, const cpass_out *out, cerr *err);
	void (*collect)(void *ctx, cpass_file *f);
} cpass_sink;

/* How the readers read (the fields of creader_options the pass passes
 * on; see reader.h). */
typedef struct cpass_options {
	int threads;                  /* 0: the OpenMP default (crun_threads) */
	const char *text_field;
	const char *const *text_fields;
	size_t ntext_fields;
	int strict;
	uint64_t max_record;
	const cfast *fast;            /* the fast paths; NULL: the default */
} cpass_options;

/* The pass options of a caller's options (a pointer to a struct with
 * the same fields by these names: contam_build_options,
 * contam_scan_options). */
#define CPASS_OPTIONS_OF(o) {                                           \
	.threads = (o)->threads, .text_field = (o)->text_field,         \
	.text_fields = (o)->text_fields, .ntext_fields = (o)->ntext_fields, \
	.strict = (o)->strict, .max_record = (o)->max_record,           \
	.fast = (o)->fast,                                              \
}

/* The readers' --max-record default (for the options' _init). */
uint64_t cpass_default_max_record(void);

/* Read every input of run->in through the sink.  The first fatal error
 * is left in run (run->rc, run->err); the return value is run->rc. */
int cpass_run(crun *run, const cpass_options *opt, const cpass_sink *sink);

#endif
