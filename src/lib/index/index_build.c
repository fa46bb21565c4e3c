/*
 * index_build.c -- the index build: a sink of the corpus pass
 * (src/lib/pass/pass.h), documents -> tokenizer -> n-gram hashes ->
 * filter.  The pass reads the files, batches documents and runs the
 * threads; this file only says what one document does to the index, and
 * keeps the manifest and the checkpoints.
 *
 * Tokenizer state lives in a `worker`: the pass keeps one per thread
 * for batch tasks and one per file task for inline work.  Each worker
 * collects n-gram hashes and hands them HASH_BATCH at a time (and at the
 * end of every batch: flush) to the shared write queue (index_queue.c),
 * which groups them by region of the filter and inserts a region's keys
 * together.  Keys may wait there, so the queue is drained before a
 * checkpoint and at the end.  OR is commutative, so the bits do not
 * depend on thread count or order; the manifest is kept in input order.
 *
 * With a doc-freq sketch, each worker also keeps the hashes of
 * the document it is tokenizing -- the ones the filter gets, so winnowed
 * indexes count the kept n-grams -- and at the end of the document drops
 * repeats (index_docfreq.c) and counts the rest once.  A document of more
 * than CDF_PIECE n-grams is de-duplicated piece by piece, so an n-gram of
 * a huge document can count once per piece.  Saturating addition
 * commutes, so the counters do not depend on threads or order either.
 *
 * With a minhash section (index --minhash), each worker also feeds the
 * same token hashes (one tokenization) to a cmh_doc (ngram/minhash.h),
 * whose windows' band keys go through a write queue of the minhash
 * filter as the n-gram keys do through the filter's.  Windows and
 * shingles are counted per input file, so a checkpoint counts only its
 * finished files.
 */
#include "index.h"
#include "index_file.h"
#include "index_minhash.h"
#include "../ngram/minhash.h"
#include "../ngram/ngram.h"
#include "../ngram/winnow.h"
#include "../text/text.h"
#include "../pass/pass.h"

#include <stdlib.h>

#define HASH_BATCH CBLOOM_QUEUE_BATCH

typedef struct shared_state {
	contam_index *ix;
	const contam_build_options *opt;
	crun run;             /* the inputs, counters, first error, stop flag */
	cbloom_queue *queue;  /* every insertion goes through it */
	cbloom_queue *mhq;    /* the minhash filter's, or NULL */
	uint64_t *mh_windows, *mh_shingles; /* per input */
	contam_manifest_entry *entries;  /* per input, in input order */
	unsigned char *note_failed;      /* per input: a message not kept */
	/* checkpoints */
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
	/* minhash (NULL mhd: off) */
	cmh_doc *mhd;
	uint64_t *mhkeys;
	size_t nmhkeys;
	size_t file_index;      /* the document's input */
	uint64_t mh_w0, mh_s0;  /* cmh_doc's counts at the document's start */
	uint64_t not_utf8_at_begin; /* tok.not_utf8 then */
} worker;

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

static void flush_mh(worker *w)
{
	if (!w->nmhkeys)
		return;
	cbloom_queue_add(w->sh->mhq, w->mhkeys, w->nmhkeys, w->scratch);
	w->nmhkeys = 0;
}

/* cmh_doc's sink: a batch of band keys (fewer than HASH_BATCH). */
static void on_mh_keys(void *ctx, const uint64_t *keys, size_t n)
{
	worker *w = ctx;
	if (w->nmhkeys + n > HASH_BATCH)
		flush_mh(w);
	memcpy(w->mhkeys + w->nmhkeys, keys, n * sizeof(uint64_t));
	w->nmhkeys += n;
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
	const uint64_t *fresh = cngram_stream_put(w->toks, &w->ntoks, hashes, m);
	if (w->mhd)
		cmh_doc_tokens(w->mhd, fresh, m);
	if (w->ntoks < n)
		return;
	/* ntoks - n + 1 <= CTOK_HASH_BUF windows */
	if (!w->winnowing) {
		if (w->nhashes + CTOK_HASH_BUF > HASH_BATCH)
			flush_hashes(w);
		size_t made = cngram_stream_windows(w->sh->opt->fast, w->toks, &w->ntoks,
						    n, w->seed, w->hashes + w->nhashes);
		if (w->df)
			df_take(w, w->hashes + w->nhashes, made);
		w->nhashes += made;
	} else {
		uint64_t windows[CTOK_HASH_BUF], kept;
		size_t nw = cngram_stream_windows(w->sh->opt->fast, w->toks, &w->ntoks,
						  n, w->seed, windows);
		for (size_t j = 0; j < nw; j++)
			if (cwinnow_push(&w->win, cwinnow_order(windows[j]), &kept))
				keep_hash(w, cwinnow_key(kept));
	}
}

/* Document boundaries: n-grams (and winnowing windows) never span one. */
static void doc_begin(worker *w)
{
	w->ntoks = 0;
	cwinnow_reset(&w->win);
	if (w->mhd) {
		cmh_doc_begin(w->mhd);
		w->mh_w0 = cmh_doc_windows(w->mhd);
		w->mh_s0 = cmh_doc_shingles(w->mhd);
	}
}

static void doc_end(worker *w)
{
	uint64_t kept;
	ctok_finish(&w->tok);
	if (w->winnowing && cwinnow_finish(&w->win, &kept))
		keep_hash(w, cwinnow_key(kept));
	if (w->df)
		df_piece_end(w);
	if (w->mhd) {
		cmh_doc_end(w->mhd);
		__atomic_fetch_add(&w->sh->mh_windows[w->file_index],
				   cmh_doc_windows(w->mhd) - w->mh_w0, __ATOMIC_RELAXED);
		__atomic_fetch_add(&w->sh->mh_shingles[w->file_index],
				   cmh_doc_shingles(w->mhd) - w->mh_s0, __ATOMIC_RELAXED);
	}
}

static int worker_init(worker *w, shared_state *sh)
{
	memset(w, 0, sizeof(*w));
	w->sh = sh;
	w->n = sh->ix->params.ngram;
	w->seed = sh->ix->params.seed;
	ctok_init_hashes(&w->tok, sh->opt->fast, w->seed, on_token_hashes, w);
	cwinnow_init(&w->win, sh->ix->params.winnow);
	w->winnowing = sh->ix->params.winnow > 1;
	w->hashes = malloc(HASH_BATCH * sizeof(uint64_t));
	w->scratch = malloc(HASH_BATCH * sizeof(uint64_t));
	w->ok = w->hashes && w->scratch;
	if ((w->df = sh->ix->df) && !(w->dfout = malloc(HASH_BATCH * sizeof(uint64_t))))
		w->ok = 0;
	if (sh->ix->mh && (cmh_doc_new(&w->mhd, &sh->ix->mh->p, sh->opt->fast,
				       on_mh_keys, w) ||
			   !(w->mhkeys = malloc(HASH_BATCH * sizeof(uint64_t)))))
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
	cmh_doc_free(w->mhd);
	free(w->mhkeys);
	w->mhd = NULL;
	w->mhkeys = NULL;
	w->hashes = w->scratch = w->doc = w->dfout = NULL;
}

/* ---- the sink: what the pass calls --------------------------------- */

static void *sink_worker_new(void *ctx)
{
	worker *w = malloc(sizeof(*w));
	if (w && worker_init(w, ctx) != CONTAM_OK) {
		worker_release(w);
		free(w);
		w = NULL;
	}
	return w;
}

static int sink_worker_free(void *ctx, void *wp, const cpass_file *f, cerr *err)
{
	worker *w = wp;
	int rc = CONTAM_OK;
	if (!w->ok)
		rc = f ? cerr_set(err, CONTAM_E_NOMEM, "out of memory tokenizing '%s'", f->path)
		       : cerr_set(err, CONTAM_E_NOMEM, "out of memory while tokenizing");
	worker_release(w);
	free(w);
	return rc;
}

static void sink_begin(void *wp, const cpass_doc *doc)
{
	worker *w = wp;
	w->ngram_count = &((contam_manifest_entry *)doc->file->sink)->ngrams;
	w->file_index = doc->file->index;
	w->not_utf8_at_begin = w->tok.not_utf8;
	doc_begin(w);
}

static int sink_feed(void *wp, const char *p, size_t n, cerr *err)
{
	worker *w = wp;
	/* reported when the worker is freed, with the file's name */
	if (ctok_feed(&w->tok, p, n))
		w->ok = 0;
	return CONTAM_OK;
}

static int sink_end(void *wp, const cpass_doc *doc, cpass_out *out, cerr *err)
{
	worker *w = wp;
	doc_end(w);
	cpass_file_not_utf8(doc->file, w->tok.not_utf8 - w->not_utf8_at_begin);
	return CONTAM_OK;
}

static void sink_flush(void *wp)
{
	worker *w = wp;
	flush_hashes(w);
	if (w->df)
		df_flush(w);
	if (w->mhd)
		flush_mh(w);
}

static int sink_file_begin(void *ctx, cpass_file *f, cerr *err)
{
	shared_state *sh = ctx;
	contam_manifest_entry *e = &sh->entries[f->index];
	e->path = (char *)f->path;
	e->size = f->size;
	e->fingerprint = contam_input_fingerprint(f->path);
	e->kind = f->kind;
	f->sink = e;
	return CONTAM_OK;
}

/* A reader's message: kept on the file's manifest entry (counted by
 * kind, the first ones word for word; a note counted as no problem).
 * Called from the file task only. */
static void sink_file_message(void *ctx, cpass_file *f, int kind, const char *msg)
{
	shared_state *sh = ctx;
	contam_problem pk = kind == CPASS_MSG_NOTE ? CMANIFEST_NOTE
			    : kind == CPASS_MSG_UNREADABLE ? CONTAM_PROBLEM_UNREADABLE
			    : strstr(msg, "missing or not a string") ? CONTAM_PROBLEM_NO_TEXT
			    : CONTAM_PROBLEM_DAMAGED;
	if (cmanifest_note(f->sink, pk, msg))
		sh->note_failed[f->index] = 1;
}

static void file_finished(shared_state *sh, size_t fi);

static void sink_collect(void *ctx, cpass_file *f)
{
	shared_state *sh = ctx;
	contam_manifest_entry *e = f->sink;
	e->kind = f->kind;
	e->documents = f->documents;
	e->bytes_text = f->bytes_text;
	e->errors = f->errors;
	e->problems[CONTAM_PROBLEM_NOT_UTF8] = f->not_utf8;
	if (f->opened && (!e->documents || !e->bytes_text) && !crun_should_stop(&sh->run))
		e->problems[CONTAM_PROBLEM_EMPTY]++; /* no document, or no text */
	if (sh->note_failed[f->index]) {
		cerr err;
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory keeping the messages of '%s'",
			 f->path);
		crun_fail(&sh->run, CONTAM_E_NOMEM, &err);
	}
	file_finished(sh, f->index);
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
	/* the minhash counts of the finished files only (the bits of
	 * unfinished ones are set again, identically, when redone) */
	cisec_out *mo = cifile_meta_sec(&meta, CISEC_TYPE_MINHASH);
	if (mo->on) {
		cmh_filter *mh = (cmh_filter *)(void *)mo->dec; /* a copy of ix->mh */
		for (size_t i = 0; i < sh->run.in->count; i++)
			if (sh->finished[i]) {
				mh->windows += sh->mh_windows[i];
				mh->shingles += sh->mh_shingles[i];
			}
		mh->keys = mh->windows * mh->p.bands;
	}
	cerr err;
	cerr_clear(&err);
	int rc = cifile_write(sh->opt->checkpoint_path, &meta, cifile_memory_source,
			      ix, &err);
	if (rc && rc != CONTAM_E_INTERRUPTED) {
		/* a run that cannot keep its checkpoints cannot be resumed:
		 * an error, not a warning */
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
			if (sh->mhq)
				cbloom_queue_drain(sh->mhq);
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
	opt->max_record = cpass_default_max_record();
}

static int build(contam_index *ix, const contam_inputs *in,
		 const contam_build_options *opt);

int contam_index_build(contam_index *ix, const contam_inputs *in,
		       const contam_build_options *opt)
{
	contam_build_options defaults;
	if (!opt) {
		contam_build_options_init(&defaults);
		opt = &defaults;
	}
	ix->threads = opt->threads;
	int team = crun_team_enter(opt->threads);
	int rc = build(ix, in, opt);
	crun_team_leave(team);
	return rc;
}

static int build(contam_index *ix, const contam_inputs *in,
		 const contam_build_options *opt)
{
	shared_state sh;
	memset(&sh, 0, sizeof(sh));
	sh.ix = ix;
	sh.opt = opt;
	crun_init(&sh.run, in, opt->on_warning, opt->on_progress, opt->ctx, opt->stop);
	cerr_clear(&ix->err);
	/* a mapped filter is read-only (a write would fault), a summary or
	 * a resolved partition set holds none: refused before any input is
	 * read, the handle unchanged */
	if (ix->map)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "an index loaded by mmap "
				"cannot be built into: load it with contam_index_load");
	if (!ix->filter.bits || ix->rk)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "this index handle holds no "
				"filter to build into: load it with contam_index_load");

	size_t nin = in->count ? in->count : 1;
	contam_manifest_entry *entries = calloc(nin, sizeof(*entries));
	sh.finished = calloc(nin, 1);
	sh.note_failed = calloc(nin, 1);
	sh.entries = entries;
	sh.mh_windows = calloc(nin, sizeof(uint64_t));
	sh.mh_shingles = calloc(nin, sizeof(uint64_t));
	int rc = !entries || !sh.finished || !sh.note_failed || !sh.mh_windows ||
		 !sh.mh_shingles ?
		cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory") : CONTAM_OK;
	/* a sketch counts from the first document on, or not at all */
	if (!rc && opt->doc_freq_counters && !ix->df)
		rc = contam_index_enable_doc_freq(ix, opt->doc_freq_counters);
	if (!rc && !(sh.queue = cbloom_queue_new(&ix->filter, opt->fast, -1)))
		rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	if (!rc && ix->mh && !(sh.mhq = cbloom_queue_new(&ix->mh->f, opt->fast, -1)))
		rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	if (rc) {
		cbloom_queue_free(sh.queue);
		free(sh.mh_windows);
		free(sh.mh_shingles);
		free(entries);
		free(sh.finished);
		free(sh.note_failed);
		return rc;
	}

	const cpass_options popt = CPASS_OPTIONS_OF(opt);
	const cpass_sink sink = {
		.ctx = &sh,
		.worker_new = sink_worker_new,
		.worker_free = sink_worker_free,
		.begin = sink_begin,
		.feed = sink_feed,
		.end = sink_end,
		.flush = sink_flush,
		.file_begin = sink_file_begin,
		.file_message = sink_file_message,
		.collect = sink_collect,
	};
	cpass_run(&sh.run, &popt, &sink);
	cbloom_queue_drain(sh.queue);
	cbloom_queue_free(sh.queue);
	if (sh.mhq) {
		cbloom_queue_drain(sh.mhq);
		cbloom_queue_free(sh.mhq);
		/* measured once here, so that a probe's band rate is a read */
		ix->mh->stats_valid = 0;
		cmh_filter_measure(ix->mh);
	}
	if (ix->df)
		cdf_drain(ix->df);

	rc = sh.run.rc;
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
			if (ix->mh) {
				ix->mh->windows += sh.mh_windows[i];
				ix->mh->shingles += sh.mh_shingles[i];
			}
		}
		if (ix->mh)
			ix->mh->keys = ix->mh->windows * ix->mh->p.bands;
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
	free(sh.note_failed);
	free(sh.mh_windows);
	free(sh.mh_shingles);
	return rc;
}

int contam_index_hash_text(const contam_index *ix, const char *text,
			   size_t len, uint64_t **out, size_t *count,
			   size_t *tokens)
{
	return cngram_hash_text(NULL, text, len, ix->params.ngram, ix->params.seed,
				out, count, tokens);
}
