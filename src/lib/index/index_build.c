/*
 * index_build.c -- the indexing driver: inputs -> readers -> tokenizer ->
 * n-gram hashes -> filter.  The only place with OpenMP in the build path.
 *
 * How it works.  Every input file is an OpenMP task.  A file task runs
 * the reader (decompression and parsing are sequential within a file) and
 * copies the text of whole documents into batches of about BATCH_BYTES;
 * each full batch becomes a child task that tokenizes, hashes and inserts
 * it on whichever thread is free.  So one huge shard keeps every core
 * busy, and many small shards are read in parallel.  Back-pressure: when
 * a file already has MAX_INFLIGHT batches queued, the file task processes
 * the next batch itself, which bounds memory at about
 * files_in_flight * MAX_INFLIGHT * BATCH_BYTES.  A document larger than
 * BIG_DOC is not copied: the file task streams it through its own
 * tokenizer, so memory stays bounded on a 2 GiB document.
 *
 * Tokenizer state lives in a `worker`: one per thread for batch tasks
 * (batch tasks have no scheduling points, so a thread's worker is never
 * used by two tasks at once) and one per file task for inline work.  Each
 * worker collects n-gram hashes and hands them HASH_BATCH at a time to
 * the shared write queue (index_queue.c), which groups them by region of
 * the filter and inserts a region's keys together.  Keys may wait there,
 * so the queue is drained before a checkpoint and at the end.  OR is
 * commutative, so the bits do not depend on thread count or order; the
 * manifest is kept in input order.
 *
 * With a doc-freq sketch (issue 13), each worker also keeps the hashes of
 * the document it is tokenizing -- the ones the filter gets, so winnowed
 * indexes count the kept n-grams -- and at the end of the document drops
 * repeats (index_docfreq.c) and counts the rest once.  A document of more
 * than CDF_PIECE n-grams is de-duplicated piece by piece, so an n-gram of
 * a huge document can count once per piece.  Saturating addition
 * commutes, so the counters do not depend on threads or order either.
 */
#include "index.h"
#include "index_file.h"
#include "../ngram/ngram.h"
#include "../ngram/winnow.h"
#include "../reader/reader.h"
#include "../text/text.h"
#include "../common/run.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define HASH_BATCH CBLOOM_QUEUE_BATCH
#define BATCH_BYTES (2u << 20)
#define BIG_DOC (8u << 20)
#define MAX_INFLIGHT 4

typedef struct shared_state {
	contam_index *ix;
	const contam_build_options *opt;
	crun run;             /* the inputs, counters, first error, stop flag */
	cbloom_queue *queue;  /* every insertion goes through it */
	/* checkpoints */
	contam_manifest_entry *entries;
	unsigned char *finished;
	uint64_t since_checkpoint;
} shared_state;

typedef struct worker {
	shared_state *sh;
	ctok tok;
	uint32_t n;             /* n-gram length */
	uint64_t seed;
	/* the current document's tokens not yet ending a window: the last
	 * n - 1 carried over, then the tokenizer's newest batch */
	uint64_t toks[CONTAM_MAX_NGRAM + CTOK_HASH_BUF];
	size_t ntoks;
	cwinnow win;            /* used when params.winnow > 1 */
	int winnowing;
	uint64_t *hashes;
	uint64_t *scratch;      /* for the queue's sort by region */
	size_t nhashes;
	uint64_t *ngram_count;  /* the manifest counter being filled */
	int ok;
	/* doc-freq counting (NULL df: off) */
	cdocfreq *df;
	uint64_t *doc;          /* this document's hashes (this piece) */
	size_t ndoc, cap_doc;
	uint64_t *dfout;        /* de-duplicated hashes waiting to be counted */
	size_t ndfout;
	cdf_dedup dd;
} worker;

/* The text of whole documents, back to back. */
typedef struct batch {
	struct batch *next;  /* in the file's pool of free batches */
	char *text;
	size_t len, cap;
	size_t *doc_end;
	size_t ndocs, cap_docs;
} batch;

/* Count the de-duplicated hashes gathered so far. */
static void df_flush(worker *w)
{
	if (!w->ndfout)
		return;
	cdf_add(w->df, w->dfout, w->ndfout, w->scratch);
	w->ndfout = 0;
}

/* The end of a document, or of a piece of one: its distinct hashes are
 * counted. */
static void df_piece_end(worker *w)
{
	size_t m = cdf_dedup_run(&w->dd, w->doc, w->ndoc);
	if (m == (size_t)-1) {
		w->ok = 0;
		m = 0;
	}
	for (size_t i = 0; i < m;) {
		size_t take = HASH_BATCH - w->ndfout < m - i ? HASH_BATCH - w->ndfout : m - i;
		memcpy(w->dfout + w->ndfout, w->doc + i, take * sizeof(uint64_t));
		w->ndfout += take;
		i += take;
		if (w->ndfout == HASH_BATCH)
			df_flush(w);
	}
	w->ndoc = 0;
}

/* Keep n hashes of the current document for counting. */
static void df_take(worker *w, const uint64_t *h, size_t n)
{
	if (w->ndoc + n > CDF_PIECE)
		df_piece_end(w);
	if (w->ndoc + n > w->cap_doc) {
		size_t cap = w->cap_doc ? w->cap_doc : 4096;
		while (cap < w->ndoc + n)
			cap *= 2;
		uint64_t *t = realloc(w->doc, cap * sizeof(uint64_t));
		if (!t) {
			w->ok = 0;
			return;
		}
		w->doc = t;
		w->cap_doc = cap;
	}
	memcpy(w->doc + w->ndoc, h, n * sizeof(uint64_t));
	w->ndoc += n;
}

static void flush_hashes(worker *w)
{
	if (!w->nhashes)
		return;
	cbloom_queue_add(w->sh->queue, w->hashes, w->nhashes, w->scratch);
	__atomic_fetch_add(w->ngram_count, w->nhashes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->sh->run.ngrams, w->nhashes, __ATOMIC_RELAXED);
	w->nhashes = 0;
}

static inline void keep_hash(worker *w, uint64_t h)
{
	if (w->df)
		df_take(w, &h, 1);
	w->hashes[w->nhashes++] = h;
	if (w->nhashes == HASH_BATCH)
		flush_hashes(w);
}

/* Winnowing keeps the smallest of every W hashes, and the smallest of W
 * uniform hashes is small: its high bits, which pick the key's block
 * (cbloom_block), crowd the kept keys into the first blocks of the
 * filter (measured on 4 MiB of Gutenberg, W=32: the first tenth of the
 * blocks 95% full, the last seven tenths empty, a false-positive rate of
 * 0.074 for a filter planned for 0.001).  So windows compare a bijective
 * remix of the hash (the splitmix64 finalizer), whose order says nothing
 * of the key's bits, and the key itself is inserted.  Probing looks up
 * every n-gram, so any order keeps the winnowing guarantee (the order and
 * its inverse: cwinnow_order, cwinnow_key in winnow.h). */

/* The tokenizer's hashes: hash every window they complete. */
static void on_token_hashes(void *ctx, const uint64_t *hashes, size_t m)
{
	worker *w = ctx;
	const uint32_t n = w->n;
	for (size_t i = 0; i < m; i++)
		w->toks[w->ntoks + i] = cngram_le64(hashes[i]);
	size_t count = w->ntoks + m;
	if (count < n) {
		w->ntoks = count;
		return;
	}
	/* count - n + 1 <= CTOK_HASH_BUF windows */
	if (!w->winnowing) {
		if (w->nhashes + CTOK_HASH_BUF > HASH_BATCH)
			flush_hashes(w);
		size_t made = cngram_hash_windows(w->toks, count, n, w->seed,
						  w->hashes + w->nhashes);
		if (w->df)
			df_take(w, w->hashes + w->nhashes, made);
		w->nhashes += made;
	} else {
		uint64_t windows[CTOK_HASH_BUF], kept;
		size_t nw = cngram_hash_windows(w->toks, count, n, w->seed, windows);
		for (size_t j = 0; j < nw; j++)
			if (cwinnow_push(&w->win, cwinnow_order(windows[j]), &kept))
				keep_hash(w, cwinnow_key(kept));
	}
	memmove(w->toks, w->toks + count - (n - 1), (n - 1) * sizeof(uint64_t));
	w->ntoks = n - 1;
}

/* Document boundaries: n-grams (and winnowing windows) never span one. */
static void doc_begin(worker *w)
{
	w->ntoks = 0;
	cwinnow_reset(&w->win);
}

static void doc_end(worker *w)
{
	uint64_t kept;
	ctok_finish(&w->tok);
	if (w->winnowing && cwinnow_finish(&w->win, &kept))
		keep_hash(w, cwinnow_key(kept));
	if (w->df)
		df_piece_end(w);
}

static int worker_init(worker *w, shared_state *sh)
{
	memset(w, 0, sizeof(*w));
	w->sh = sh;
	w->n = sh->ix->params.ngram;
	w->seed = sh->ix->params.seed;
	ctok_init_hashes(&w->tok, w->seed, on_token_hashes, w);
	cwinnow_init(&w->win, sh->ix->params.winnow);
	w->winnowing = sh->ix->params.winnow > 1;
	w->hashes = malloc(HASH_BATCH * sizeof(uint64_t));
	w->scratch = malloc(HASH_BATCH * sizeof(uint64_t));
	w->ok = w->hashes && w->scratch;
	if ((w->df = sh->ix->df) && !(w->dfout = malloc(HASH_BATCH * sizeof(uint64_t))))
		w->ok = 0;
	return w->ok ? CONTAM_OK : CONTAM_E_NOMEM;
}

static void worker_release(worker *w)
{
	ctok_release(&w->tok);
	free(w->hashes);
	free(w->scratch);
	free(w->doc);
	free(w->dfout);
	cdf_dedup_release(&w->dd);
	w->hashes = w->scratch = w->doc = w->dfout = NULL;
}

/* Tokenize, hash and insert every document of a batch. */
static void process_batch(worker *w, const batch *b, uint64_t *ngram_count)
{
	size_t start = 0;
	w->ngram_count = ngram_count;
	for (size_t d = 0; d < b->ndocs; d++) {
		doc_begin(w);
		/* a batch of empty documents has no text (NULL + 0 is UB) */
		const char *text = b->text ? b->text + start : "";
		if (ctok_feed(&w->tok, text, b->doc_end[d] - start))
			w->ok = 0;
		doc_end(w);
		start = b->doc_end[d];
	}
	flush_hashes(w);
	if (w->df)
		df_flush(w);
}

static void batch_free(batch *b)
{
	if (!b)
		return;
	free(b->text);
	free(b->doc_end);
	free(b);
}

static int batch_append(batch *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : BATCH_BYTES + (BATCH_BYTES >> 2);
		while (cap < b->len + n)
			cap *= 2;
		char *t = realloc(b->text, cap);
		if (!t)
			return CONTAM_E_NOMEM;
		b->text = t;
		b->cap = cap;
	}
	memcpy(b->text + b->len, p, n);
	b->len += n;
	return CONTAM_OK;
}

static int batch_end_doc(batch *b)
{
	if (b->ndocs == b->cap_docs) {
		size_t cap = b->cap_docs ? b->cap_docs * 2 : 256;
		size_t *d = realloc(b->doc_end, cap * sizeof(*d));
		if (!d)
			return CONTAM_E_NOMEM;
		b->doc_end = d;
		b->cap_docs = cap;
	}
	b->doc_end[b->ndocs++] = b->len;
	return CONTAM_OK;
}

typedef struct file_job {
	shared_state *sh;
	worker *thread_workers;  /* one per thread, for batch tasks */
	worker inline_worker;    /* this file task's own */
	contam_manifest_entry *e;
	int inflight;
	/* Batches are recycled: a fresh 2 MiB malloc is an mmap whose pages
	 * the kernel must zero (measured ~6% of the run). */
	batch *pool;
	int pool_lock;
	int note_failed;         /* a message could not be kept */
} file_job;

static batch *batch_get(file_job *job)
{
	while (__atomic_exchange_n(&job->pool_lock, 1, __ATOMIC_ACQUIRE))
		;
	batch *b = job->pool;
	if (b)
		job->pool = b->next;
	__atomic_store_n(&job->pool_lock, 0, __ATOMIC_RELEASE);
	if (!b)
		return calloc(1, sizeof(batch));
	b->len = b->ndocs = 0;
	b->next = NULL;
	return b;
}

static void batch_put(file_job *job, batch *b)
{
	while (__atomic_exchange_n(&job->pool_lock, 1, __ATOMIC_ACQUIRE))
		;
	b->next = job->pool;
	job->pool = b;
	__atomic_store_n(&job->pool_lock, 0, __ATOMIC_RELEASE);
}

/* Hand a full batch to another thread, or process it here when enough
 * are already waiting. */
static void dispatch(file_job *job, batch *b)
{
	if (__atomic_load_n(&job->inflight, __ATOMIC_ACQUIRE) < MAX_INFLIGHT) {
		__atomic_fetch_add(&job->inflight, 1, __ATOMIC_ACQ_REL);
		/* job by value: the task may run after dispatch returns, when
		 * its parameter is gone */
		#pragma omp task firstprivate(b, job) default(none)
		{
			worker *w = &job->thread_workers[crun_thread_id()];
			if (!crun_should_stop(&job->sh->run))
				process_batch(w, b, &job->e->ngrams);
			batch_put(job, b);
			crun_progress(&job->sh->run);
			__atomic_fetch_sub(&job->inflight, 1, __ATOMIC_ACQ_REL);
		}
	} else {
		process_batch(&job->inline_worker, b, &job->e->ngrams);
		batch_put(job, b);
	}
}

/* A reader's message: kept on the file's manifest entry (counted by
 * kind, the first ones word for word), then passed on.  Called from the
 * file task only. */
static void file_warning(void *ctx, const char *msg)
{
	file_job *job = ctx;
	contam_problem kind = strstr(msg, "missing or not a string") ?
		CONTAM_PROBLEM_NO_TEXT : CONTAM_PROBLEM_DAMAGED;
	if (cmanifest_note(job->e, kind, msg))
		job->note_failed = 1;
	crun_warning(&job->sh->run, msg);
}

/* A note (not damage): kept with the input's messages, counted as no
 * problem. */
static void file_note(void *ctx, const char *msg)
{
	file_job *job = ctx;
	if (cmanifest_note(job->e, CMANIFEST_NOTE, msg))
		job->note_failed = 1;
	crun_warning(&job->sh->run, msg);
}

/* Read one input file; its documents are indexed by batch tasks. */
static void index_file(file_job *job, size_t fi)
{
	shared_state *sh = job->sh;
	contam_manifest_entry *e = job->e;
	const char *path = sh->run.in->paths[fi];
	creader_options ropt = {
		.text_field = sh->opt->text_field,
		.text_fields = sh->opt->text_fields,
		.ntext_fields = sh->opt->ntext_fields,
		.strict = sh->opt->strict,
		.max_record = sh->opt->max_record,
		.on_warning = file_warning,
		.on_note = file_note,
		.ctx = job,
		.stop = sh->run.stop_requested,
	};
	creader *r = NULL;
	creader_doc doc;
	batch *b = NULL;
	cerr err;
	cerr_clear(&err);
	uint64_t reported_in = 0, reported_err = 0;
	int rc;

	e->path = (char *)path;
	e->size = sh->run.in->sizes[fi];
	e->fingerprint = contam_input_fingerprint(path);
	e->kind = creader_detect_name(path); /* by content once open */

	rc = creader_open(&r, path, &ropt, &err);
	if (rc < 0) {
		/* E_FORMAT: content contam refuses (creader_sniff): fatal
		 * for a file named on the command line, a counted skip for
		 * one a directory walk found (its name said a corpus kind) */
		if (sh->opt->strict || rc == CONTAM_E_NOMEM ||
		    (rc == CONTAM_E_FORMAT && !contam_inputs_walked(sh->run.in, fi))) {
			crun_fail(&sh->run, rc, &err);
		} else {
			if (cmanifest_note(e, CONTAM_PROBLEM_UNREADABLE, err.msg))
				job->note_failed = 1;
			crun_warning(&sh->run, err.msg);
			e->errors++;
			__atomic_fetch_add(&sh->run.errors, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	e->kind = creader_kind(r);
	worker *iw = &job->inline_worker;
	iw->ngram_count = &e->ngrams;
	while (!crun_should_stop(&sh->run) && (rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n, doc_start;
		int streaming = 0;
		if (!b && !(b = batch_get(job))) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		doc_start = b->len;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1) {
			if (streaming) {
				if (ctok_feed(&iw->tok, p, n))
					iw->ok = 0;
				if (crun_should_stop(&sh->run))
					break;
				continue;
			}
			if (batch_append(b, p, n)) {
				rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
				break;
			}
			if (b->len - doc_start > BIG_DOC) {
				/* too big to copy: stream it through our own
				 * tokenizer, starting with what was copied */
				streaming = 1;
				doc_begin(iw);
				if (ctok_feed(&iw->tok, b->text + doc_start,
					      b->len - doc_start))
					iw->ok = 0;
				b->len = doc_start;
			}
		}
		if (streaming) {
			doc_end(iw);
			flush_hashes(iw);
			if (iw->df)
				df_flush(iw);
		}
		if (rc < 0)
			break;
		if (!streaming && batch_end_doc(b)) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		e->documents++;
		__atomic_fetch_add(&sh->run.documents, 1, __ATOMIC_RELAXED);
		uint64_t bin = creader_bytes_in(r), nerr = creader_errors(r);
		__atomic_fetch_add(&sh->run.bytes_done, bin - reported_in, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->run.errors, nerr - reported_err, __ATOMIC_RELAXED);
		reported_in = bin;
		reported_err = nerr;
		if (b->len >= BATCH_BYTES) {
			dispatch(job, b);
			b = NULL;
		}
		crun_progress(&sh->run);
	}
	if (rc < 0)
		crun_fail(&sh->run, rc, &err);
	if (b && b->ndocs && !crun_should_stop(&sh->run)) {
		dispatch(job, b);
		b = NULL;
	}
	#pragma omp taskwait
	if (!iw->ok) {
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory tokenizing '%s'", path);
		crun_fail(&sh->run, CONTAM_E_NOMEM, &err);
	}
	e->bytes_text = creader_bytes_text(r);
	e->errors += creader_errors(r);
	__atomic_fetch_add(&sh->run.errors, creader_errors(r) - reported_err,
			   __ATOMIC_RELAXED);
	if ((!e->documents || !e->bytes_text) && !crun_should_stop(&sh->run))
		e->problems[CONTAM_PROBLEM_EMPTY]++; /* no document, or no text */
out:
	if (job->note_failed) {
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory keeping the messages of '%s'", path);
		crun_fail(&sh->run, CONTAM_E_NOMEM, &err);
	}
	batch_free(b);
	while (job->pool) {
		batch *next = job->pool->next;
		batch_free(job->pool);
		job->pool = next;
	}
	__atomic_fetch_add(&sh->run.bytes_done, e->size - reported_in, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->run.files_done, 1, __ATOMIC_RELAXED);
	creader_free(r);
}

/* Save the index with the files finished so far (under a critical
 * section).  Other threads keep setting bits while the filter is copied
 * out; that is harmless: every bit of a finished file is already set
 * (its batches completed before it was marked finished), and extra bits
 * of unfinished files are set again, identically, when they are redone. */
static void write_checkpoint(shared_state *sh)
{
	contam_index *ix = sh->ix;
	size_t n = ix->nmanifest;
	for (size_t i = 0; i < sh->run.in->count; i++)
		n += sh->finished[i];
	contam_manifest_entry *m = malloc((n ? n : 1) * sizeof(*m));
	if (!m) {
		cerr e;
		cerr_set(&e, CONTAM_E_NOMEM, "cannot write a checkpoint: out of memory");
		crun_fail(&sh->run, CONTAM_E_NOMEM, &e);
		return;
	}
	if (ix->nmanifest)
		memcpy(m, ix->manifest, ix->nmanifest * sizeof(*m));
	uint64_t ngrams = ix->ngrams_inserted;
	size_t k = ix->nmanifest;
	for (size_t i = 0; i < sh->run.in->count; i++)
		if (sh->finished[i]) {
			m[k++] = sh->entries[i];
			ngrams += sh->entries[i].ngrams;
		}
	cifile_meta meta;
	cifile_meta_of(ix, &meta);
	meta.manifest = m;
	meta.nmanifest = k;
	meta.ngrams_inserted = ngrams;
	meta.stop = sh->opt->stop;
	cerr err;
	cerr_clear(&err);
	int rc = cifile_write(sh->opt->checkpoint_path, &meta, cifile_memory_source,
			      ix, &err);
	if (rc && rc != CONTAM_E_INTERRUPTED) {
		/* a run that cannot keep its checkpoints cannot be resumed:
		 * an error, not a warning (issue 12) */
		cerr e;
		cerr_set(&e, rc, "checkpoint not written: %s", err.msg);
		crun_fail(&sh->run, rc, &e);
	}
	free(m);
}

static void file_finished(shared_state *sh, size_t fi)
{
	if (!sh->opt->checkpoint_path || !sh->opt->checkpoint_every ||
	    crun_should_stop(&sh->run))
		return;
	#pragma omp critical(contam_checkpoint)
	{
		sh->finished[fi] = 1;
		sh->since_checkpoint += sh->run.in->sizes[fi];
		if (sh->since_checkpoint >= sh->opt->checkpoint_every) {
			/* the finished files' keys may still be queued */
			cbloom_queue_drain(sh->queue);
			if (sh->ix->df)
				cdf_drain(sh->ix->df);
			write_checkpoint(sh);
			sh->since_checkpoint = 0;
		}
	}
}

void contam_build_options_init(contam_build_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->text_field = "text";
	opt->max_record = CREADER_DEFAULT_MAX_RECORD;
}

int contam_index_build(contam_index *ix, const contam_inputs *in,
		       const contam_build_options *opt)
{
	contam_build_options defaults;
	if (!opt) {
		contam_build_options_init(&defaults);
		opt = &defaults;
	}
	shared_state sh;
	memset(&sh, 0, sizeof(sh));
	sh.ix = ix;
	sh.opt = opt;
	crun_init(&sh.run, in, opt->on_warning, opt->on_progress, opt->ctx, opt->stop);
	cerr_clear(&ix->err);

	contam_manifest_entry *entries = calloc(in->count ? in->count : 1,
						sizeof(*entries));
	sh.finished = calloc(in->count ? in->count : 1, 1);
	sh.entries = entries;
	if (!entries || !sh.finished) {
		free(entries);
		free(sh.finished);
		return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	}

	int nthreads = crun_threads(opt->threads);

	/* a sketch counts from the first document on, or not at all */
	int drc = opt->doc_freq_counters && !ix->df ?
		contam_index_enable_doc_freq(ix, opt->doc_freq_counters) : CONTAM_OK;
	if (drc) {
		free(entries);
		free(sh.finished);
		return drc;
	}

	sh.queue = cbloom_queue_new(&ix->filter, -1);
	if (!sh.queue) {
		free(entries);
		free(sh.finished);
		return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	}
	worker *workers = calloc((size_t)nthreads, sizeof(worker));
	int init_failed = !workers;
	for (int t = 0; t < nthreads && !init_failed; t++)
		init_failed |= worker_init(&workers[t], &sh) != CONTAM_OK;
	if (init_failed) {
		cerr e;
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		crun_fail(&sh.run, CONTAM_E_NOMEM, &e);
	}

	#pragma omp parallel num_threads(nthreads) if (!init_failed)
	#pragma omp single
	for (size_t i = 0; i < in->count && !init_failed; i++) {
		#pragma omp task firstprivate(i) shared(workers, entries, sh) default(none)
		{
			/* a file's job (its own tokenizer: some KiB) lives only
			 * while the file is read, so memory does not grow with
			 * the number of inputs (issue 12: 9 KiB per file) */
			file_job *job = crun_should_stop(&sh.run) ? NULL
					: calloc(1, sizeof(*job));
			if (job) {
				job->sh = &sh;
				job->thread_workers = workers;
				job->e = &entries[i];
			}
			if (job && worker_init(&job->inline_worker, &sh) == CONTAM_OK) {
				index_file(job, i);
				file_finished(&sh, i);
			} else if (!crun_should_stop(&sh.run)) {
				cerr e;
				cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
				crun_fail(&sh.run, CONTAM_E_NOMEM, &e);
			}
			if (job)
				worker_release(&job->inline_worker);
			free(job);
		}
	}
	for (int t = 0; workers && t < nthreads; t++) {
		if (!workers[t].ok && workers[t].hashes) {
			cerr e;
			cerr_set(&e, CONTAM_E_NOMEM, "out of memory while tokenizing");
			crun_fail(&sh.run, CONTAM_E_NOMEM, &e);
		}
		worker_release(&workers[t]);
	}
	free(workers);
	cbloom_queue_drain(sh.queue);
	cbloom_queue_free(sh.queue);
	if (ix->df)
		cdf_drain(ix->df);

	int rc = sh.run.rc;
	if (!rc && opt->stop && *opt->stop)
		rc = cerr_set(&sh.run.err, CONTAM_E_INTERRUPTED, "interrupted");
	if (rc) {
		ix->err = sh.run.err;
		ix->err.code = rc;
	} else {
		for (size_t i = 0; i < in->count && !rc; i++) {
			if (cindex_manifest_add(ix, &entries[i]))
				rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
			ix->ngrams_inserted += entries[i].ngrams;
		}
		if (!rc && in->nskips && cindex_skips_add(ix, in->skips, in->nskips))
			rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < in->count; i++) {
		entries[i].path = NULL; /* borrowed from the inputs */
		cmanifest_entry_release(&entries[i]);
	}
	ix->build_seconds += cnow() - sh.run.t0;
	ix->stats_valid = 0;
	if (!rc)
		crun_progress_done(&sh.run);
	free(entries);
	free(sh.finished);
	return rc;
}

int contam_index_hash_text(const contam_index *ix, const char *text,
			   size_t len, uint64_t **out, size_t *count,
			   size_t *tokens)
{
	return cngram_hash_text(text, len, ix->params.ngram, ix->params.seed,
				out, count, tokens);
}
