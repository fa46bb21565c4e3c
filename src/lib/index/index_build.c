/*
 * index_build.c -- the indexing driver: inputs -> readers -> tokenizer ->
 * n-gram hashes -> filter.  The only place with OpenMP in the build path.
 *
 * Work is split by input file (dynamic schedule, largest files are not
 * special-cased yet): each thread owns its reader, tokenizer and a buffer
 * of n-gram hashes, and inserts a full buffer at once so the filter's
 * memory misses overlap (see index_bloom.c).  The filter is shared and
 * set with atomic ORs, so the bits do not depend on the thread count or
 * the order of work; the manifest is kept in input order.  Everything
 * else per thread lives in a `worker`, so there is no shared mutable
 * state besides the filter and a few atomic counters.
 */
#include "index.h"
#include "../ngram/ngram.h"
#include "../reader/reader.h"
#include "../text/text.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define HASH_BATCH 4096
#define PROGRESS_EVERY 0.25

typedef struct shared_state {
	contam_index *ix;
	const contam_build_options *opt;
	const contam_inputs *in;
	double t0;
	/* updated atomically by all threads */
	uint64_t bytes_done, documents, ngrams, errors, files_done;
	double last_progress; /* touched by thread 0 only */
	int stop;             /* set on the first fatal error */
	int rc;
	cerr err;             /* first fatal error, under a critical section */
} shared_state;

typedef struct worker {
	shared_state *sh;
	ctok tok;
	cngram ng;
	uint64_t *hashes;
	size_t nhashes;
	uint64_t ngrams;      /* in the current file */
	int is_master;
} worker;

static void flush_hashes(worker *w)
{
	if (!w->nhashes)
		return;
	cbloom_insert_batch(w->sh->ix->bits, &w->sh->ix->params, w->hashes,
			    w->nhashes);
	w->ngrams += w->nhashes;
	__atomic_fetch_add(&w->sh->ngrams, w->nhashes, __ATOMIC_RELAXED);
	w->nhashes = 0;
}

static void on_token(void *ctx, const ctok_token *t)
{
	worker *w = ctx;
	uint64_t h;
	if (cngram_push(&w->ng, t->hash, &h)) {
		w->hashes[w->nhashes++] = h;
		if (w->nhashes == HASH_BATCH)
			flush_hashes(w);
	}
}

static void on_warning(void *ctx, const char *msg)
{
	shared_state *sh = ctx;
	if (!sh->opt->on_warning)
		return;
	#pragma omp critical(contam_warning)
	sh->opt->on_warning(sh->opt->ctx, msg);
}

static int should_stop(shared_state *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED) ||
	       (sh->opt->stop && *sh->opt->stop);
}

static void fail(shared_state *sh, int rc, const cerr *e)
{
	#pragma omp critical(contam_fail)
	if (!sh->rc) {
		sh->rc = rc;
		sh->err = *e;
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
}

static void maybe_progress(worker *w, uint64_t file_bytes_in)
{
	shared_state *sh = w->sh;
	if (!w->is_master || !sh->opt->on_progress)
		return;
	double now = cnow();
	if (now - sh->last_progress < PROGRESS_EVERY)
		return;
	sh->last_progress = now;
	contam_progress p = {
		.bytes_done = __atomic_load_n(&sh->bytes_done, __ATOMIC_RELAXED) +
			      file_bytes_in,
		.bytes_total = sh->in->total_size,
		.documents = __atomic_load_n(&sh->documents, __ATOMIC_RELAXED),
		.ngrams = __atomic_load_n(&sh->ngrams, __ATOMIC_RELAXED),
		.errors = __atomic_load_n(&sh->errors, __ATOMIC_RELAXED),
		.files_done = __atomic_load_n(&sh->files_done, __ATOMIC_RELAXED),
		.files_total = sh->in->count,
		.seconds = now - sh->t0,
	};
	sh->opt->on_progress(sh->opt->ctx, &p);
}

/* Index one input file into the shared filter; fill its manifest line. */
static void index_file(worker *w, size_t fi, contam_manifest_entry *e)
{
	shared_state *sh = w->sh;
	const char *path = sh->in->paths[fi];
	creader_options ropt = {
		.text_field = sh->opt->text_field,
		.strict = sh->opt->strict,
		.max_record = sh->opt->max_record,
		.on_warning = on_warning,
		.ctx = sh,
	};
	creader *r = NULL;
	creader_doc doc;
	cerr err;
	cerr_clear(&err);
	int rc;

	e->path = (char *)path;
	e->size = sh->in->sizes[fi];
	e->kind = creader_detect(path);
	w->ngrams = 0;

	rc = creader_open(&r, path, &ropt, &err);
	if (rc < 0) {
		if (sh->opt->strict || rc == CONTAM_E_NOMEM) {
			fail(sh, rc, &err);
		} else {
			on_warning(sh, err.msg);
			e->errors++;
			__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	e->kind = creader_kind(r);
	uint64_t reported_in = 0, reported_err = 0;
	while (!should_stop(sh) && (rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		cngram_reset(&w->ng);
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1) {
			if (ctok_feed(&w->tok, p, n)) {
				rc = cerr_set(&err, CONTAM_E_NOMEM,
					      "out of memory tokenizing '%s'", path);
				break;
			}
			if (n >= 65536) {
				maybe_progress(w, creader_bytes_in(r) - reported_in);
				if (should_stop(sh))
					break;
			}
		}
		ctok_finish(&w->tok);
		if (rc < 0)
			break;
		e->documents++;
		__atomic_fetch_add(&sh->documents, 1, __ATOMIC_RELAXED);
		uint64_t bin = creader_bytes_in(r), nerr = creader_errors(r);
		__atomic_fetch_add(&sh->bytes_done, bin - reported_in, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->errors, nerr - reported_err, __ATOMIC_RELAXED);
		reported_in = bin;
		reported_err = nerr;
		maybe_progress(w, 0);
	}
	flush_hashes(w);
	if (rc < 0)
		fail(sh, rc, &err);
	e->bytes_text = creader_bytes_text(r);
	e->errors += creader_errors(r);
	__atomic_fetch_add(&sh->errors, creader_errors(r) - reported_err,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->bytes_done, e->size - reported_in, __ATOMIC_RELAXED);
out:
	e->ngrams = w->ngrams;
	__atomic_fetch_add(&sh->files_done, 1, __ATOMIC_RELAXED);
	creader_free(r);
}

void contam_build_options_init(contam_build_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->text_field = "text";
	opt->max_record = 256u << 20;
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
	sh.in = in;
	sh.t0 = cnow();
	cerr_clear(&ix->err);

	contam_manifest_entry *entries = calloc(in->count ? in->count : 1,
						sizeof(*entries));
	if (!entries)
		return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");

	int nthreads = opt->threads;
#ifdef _OPENMP
	if (nthreads <= 0)
		nthreads = omp_get_max_threads();
#else
	nthreads = 1;
#endif
	if ((size_t)nthreads > in->count && in->count > 0)
		nthreads = (int)in->count;
	if (nthreads < 1)
		nthreads = 1;

	#pragma omp parallel num_threads(nthreads)
	{
		worker w;
		memset(&w, 0, sizeof(w));
		w.sh = &sh;
#ifdef _OPENMP
		w.is_master = omp_get_thread_num() == 0;
#else
		w.is_master = 1;
#endif
		ctok_init(&w.tok, ix->params.seed, on_token, &w);
		cngram_init(&w.ng, ix->params.ngram, ix->params.seed);
		w.hashes = malloc(HASH_BATCH * sizeof(uint64_t));
		if (!w.hashes) {
			cerr e;
			cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
			fail(&sh, CONTAM_E_NOMEM, &e);
		}
		#pragma omp for schedule(dynamic, 1)
		for (size_t i = 0; i < in->count; i++) {
			if (!should_stop(&sh))
				index_file(&w, i, &entries[i]);
		}
		ctok_release(&w.tok);
		free(w.hashes);
	}

	int rc = sh.rc;
	if (!rc && opt->stop && *opt->stop)
		rc = cerr_set(&sh.err, CONTAM_E_INTERRUPTED, "interrupted");
	if (rc) {
		ix->err = sh.err;
		ix->err.code = rc;
	} else {
		for (size_t i = 0; i < in->count && !rc; i++) {
			if (cindex_manifest_add(ix, &entries[i]))
				rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
			ix->ngrams_inserted += entries[i].ngrams;
		}
	}
	ix->build_seconds += cnow() - sh.t0;
	ix->stats_valid = 0;
	if (opt->on_progress && !rc) {
		contam_progress p = {
			.bytes_done = in->total_size, .bytes_total = in->total_size,
			.documents = sh.documents, .ngrams = sh.ngrams,
			.errors = sh.errors, .files_done = in->count,
			.files_total = in->count, .seconds = cnow() - sh.t0,
		};
		opt->on_progress(opt->ctx, &p);
	}
	free(entries);
	return rc;
}

/* Collect the n-gram hashes of one text (probe, tests, tools). */
typedef struct collect {
	cngram ng;
	uint64_t *out;
	size_t n, cap;
	size_t tokens;
	int oom;
} collect;

static void collect_token(void *ctx, const ctok_token *t)
{
	collect *c = ctx;
	uint64_t h;
	c->tokens++;
	if (!cngram_push(&c->ng, t->hash, &h))
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		uint64_t *p = realloc(c->out, cap * sizeof(*p));
		if (!p) {
			c->oom = 1;
			return;
		}
		c->out = p;
		c->cap = cap;
	}
	c->out[c->n++] = h;
}

int contam_index_hash_text(const contam_index *ix, const char *text,
			   size_t len, uint64_t **out, size_t *count,
			   size_t *tokens)
{
	collect c;
	ctok t;
	memset(&c, 0, sizeof(c));
	cngram_init(&c.ng, ix->params.ngram, ix->params.seed);
	ctok_init(&t, ix->params.seed, collect_token, &c);
	int rc = ctok_feed(&t, text, len);
	int rc2 = ctok_finish(&t);
	ctok_release(&t);
	if (rc || rc2 || c.oom) {
		free(c.out);
		*out = NULL;
		*count = 0;
		return CONTAM_E_NOMEM;
	}
	*out = c.out;
	*count = c.n;
	if (tokens)
		*tokens = c.tokens;
	return CONTAM_OK;
}
