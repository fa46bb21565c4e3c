/*
 * scan_run.c -- the scan driver: every input file is an OpenMP task that
 * runs its reader and one matcher (scan_match.c) over its documents.  The
 * only place with OpenMP in the scan.
 *
 * Why per file and not per batch like the indexer: the scan keeps, per
 * document, its provenance next to its matches, and files in flight are
 * what bounds memory: each task holds its reader, a matcher (tokenizer
 * state plus at most CSCAN_KEEP_TEXT bytes of the current document) and
 * the hit records of its file.  Nothing grows with the corpus but those
 * hit records, which grow with the matches.  Hit records are kept per
 * file and written in input order at the end, when the document count
 * of every n-gram is known (--max-doc-freq marks matches by it), so the
 * output does not depend on the number of threads.
 */
#include "scan.h"
#include "../reader/reader.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define PROGRESS_EVERY 0.25

typedef struct run_state {
	contam_scan *s;
	const contam_inputs *in;
	double t0, last_progress;
	uint64_t bytes_done, documents, ngrams, errors, files_done;
	int stop, rc;
	cerr err;
} run_state;

static void on_warning(void *ctx, const char *msg)
{
	run_state *st = ctx;
	if (!st->s->opt.on_warning)
		return;
	#pragma omp critical(contam_scan_warning)
	st->s->opt.on_warning(st->s->opt.ctx, msg);
}

static int should_stop(run_state *st)
{
	return __atomic_load_n(&st->stop, __ATOMIC_RELAXED) ||
	       (st->s->opt.stop && *st->s->opt.stop);
}

static void fail(run_state *st, int rc, const cerr *e)
{
	#pragma omp critical(contam_scan_fail)
	if (!st->rc) {
		st->rc = rc;
		st->err = *e;
	}
	__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
}

static void maybe_progress(run_state *st)
{
	const contam_scan_options *o = &st->s->opt;
	if (!o->on_progress)
		return;
#ifdef _OPENMP
	if (omp_get_thread_num() != 0)
		return;
#endif
	double now = cnow();
	if (now - st->last_progress < PROGRESS_EVERY)
		return;
	st->last_progress = now;
	contam_progress p = {
		.bytes_done = __atomic_load_n(&st->bytes_done, __ATOMIC_RELAXED),
		.bytes_total = st->in->total_size,
		.documents = __atomic_load_n(&st->documents, __ATOMIC_RELAXED),
		.ngrams = __atomic_load_n(&st->ngrams, __ATOMIC_RELAXED),
		.errors = __atomic_load_n(&st->errors, __ATOMIC_RELAXED),
		.files_done = __atomic_load_n(&st->files_done, __ATOMIC_RELAXED),
		.files_total = st->in->count,
		.seconds = now - st->t0,
	};
	o->on_progress(o->ctx, &p);
}

static int keep_hitdoc(cscan_file *f, cscan_hitdoc *hd, const creader_doc *doc)
{
	if (f->ndocs == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		cscan_hitdoc *d = realloc(f->docs, cap * sizeof(*d));
		if (!d)
			return CONTAM_E_NOMEM;
		f->docs = d;
		f->cap = cap;
	}
	hd->record = doc->record;
	hd->offset = doc->offset;
	if ((doc->member && !(hd->member = cstrdup(doc->member))) ||
	    (doc->url && !(hd->url = cstrdup(doc->url))) ||
	    (doc->id && !(hd->id = cstrdup(doc->id))))
		return CONTAM_E_NOMEM;
	f->mem += sizeof(*hd) + hd->nchains * sizeof(cscan_chain) +
		  hd->nregions * (sizeof(cscan_region) + CSCAN_SNIPPET);
	f->docs[f->ndocs++] = *hd;
	return CONTAM_OK;
}

static void scan_file(run_state *st, size_t fi)
{
	contam_scan *s = st->s;
	cscan_file *f = &s->files[fi];
	creader_options ropt = {
		.text_field = s->opt.text_field,
		.strict = s->opt.strict,
		.max_record = s->opt.max_record,
		.on_warning = on_warning,
		.ctx = st,
	};
	creader *r = NULL;
	creader_doc doc;
	cscan_matcher m;
	cscan_hitdoc hd;
	cerr err;
	uint64_t reported_in = 0;
	int rc;

	cerr_clear(&err);
	memset(&hd, 0, sizeof(hd));
	f->path = st->in->paths[fi];
	f->size = st->in->sizes[fi];
	f->kind = creader_detect(f->path);
	if (cscan_matcher_init(&m, s)) {
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		fail(st, CONTAM_E_NOMEM, &err);
		goto out;
	}
	rc = creader_open(&r, f->path, &ropt, &err);
	if (rc < 0) {
		if (s->opt.strict || rc == CONTAM_E_NOMEM) {
			fail(st, rc, &err);
		} else {
			on_warning(st, err.msg);
			f->errors++;
			__atomic_fetch_add(&st->errors, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	f->kind = creader_kind(r);
	while (!should_stop(st) && (rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		cscan_matcher_begin(&m);
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1)
			if (cscan_matcher_feed(&m, p, n)) {
				rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
				break;
			}
		if (rc < 0)
			break;
		rc = cscan_matcher_end(&m, s->table.docs, &hd);
		if (rc == 1 && keep_hitdoc(f, &hd, &doc))
			rc = CONTAM_E_NOMEM;
		if (rc < 0) {
			cscan_hitdoc_release(&hd);
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		memset(&hd, 0, sizeof(hd));
		f->documents++;
		f->ngrams += m.ngrams;
		__atomic_fetch_add(&st->ngrams, m.ngrams, __ATOMIC_RELAXED);
		m.ngrams = 0;
		__atomic_fetch_add(&st->documents, 1, __ATOMIC_RELAXED);
		uint64_t bin = creader_bytes_in(r);
		__atomic_fetch_add(&st->bytes_done, bin - reported_in, __ATOMIC_RELAXED);
		reported_in = bin;
		maybe_progress(st);
	}
	if (rc < 0)
		fail(st, rc, &err);
	f->bytes_text = creader_bytes_text(r);
	f->errors += creader_errors(r);
	__atomic_fetch_add(&st->errors, creader_errors(r), __ATOMIC_RELAXED);
out:
	__atomic_fetch_add(&st->bytes_done, f->size - reported_in, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->files_done, 1, __ATOMIC_RELAXED);
	cscan_matcher_release(&m);
	creader_free(r);
}

/* The purified copy: one task per input file, the manifest in input
 * order at the end. */
static int purify(run_state *st, int nthreads)
{
	contam_scan *s = st->s;
	int rc;
	cscan_purified *res = calloc(s->nfiles ? s->nfiles : 1, sizeof(*res));
	if (!res)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	#pragma omp parallel num_threads(nthreads)
	#pragma omp single
	for (size_t i = 0; i < s->nfiles; i++) {
		#pragma omp task firstprivate(i) shared(st, res, s) default(none)
		if (!should_stop(st)) {
			cerr err;
			cerr_clear(&err);
			int frc = cscan_purify_one(s, i, &res[i], &err);
			if (frc)
				fail(st, frc, &err);
		}
	}
	if (!st->rc && s->opt.stop && *s->opt.stop)
		cerr_set(&st->err, st->rc = CONTAM_E_INTERRUPTED, "interrupted");
	if (st->rc) {
		s->err = st->err;
		s->err.code = rc = st->rc;
	} else {
		rc = cscan_purify_finish(s, res, &s->err);
	}
	for (size_t i = 0; i < s->nfiles; i++)
		free(res[i].manifest);
	free(res);
	return rc;
}

int contam_scan_run(contam_scan *s, const contam_inputs *in)
{
	run_state st;
	int rc;

	cerr_clear(&s->err);
	if (s->ran)
		return cerr_set(&s->err, CONTAM_E_PARAM, "the scan has already run");
	s->ran = 1;
	memset(&st, 0, sizeof(st));
	st.s = s;
	st.in = in;
	st.t0 = cnow();
	if ((rc = cscan_table_build(s, &s->err)))
		return rc;
	s->files = calloc(in->count ? in->count : 1, sizeof(*s->files));
	if (!s->files)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->nfiles = in->count;
	for (size_t i = 0; i < in->count; i++)
		s->files[i].path = in->paths[i];
	/* fail before the long pass, not after it */
	if (s->opt.purify_dir && (rc = cscan_purify_prepare(s, &s->err)))
		return rc;

	int nthreads = s->opt.threads;
#ifdef _OPENMP
	if (nthreads <= 0)
		nthreads = omp_get_max_threads();
#else
	nthreads = 1;
#endif
	if (nthreads < 1)
		nthreads = 1;

	#pragma omp parallel num_threads(nthreads)
	#pragma omp single
	for (size_t i = 0; i < in->count; i++) {
		#pragma omp task firstprivate(i) shared(st) default(none)
		if (!should_stop(&st))
			scan_file(&st, i);
	}

	if (!st.rc && s->opt.stop && *s->opt.stop)
		cerr_set(&st.err, st.rc = CONTAM_E_INTERRUPTED, "interrupted");
	if (st.rc) {
		s->err = st.err;
		s->err.code = st.rc;
		return st.rc;
	}
	contam_scan_stats *ss = &s->stats;
	ss->files = in->count;
	for (size_t i = 0; i < in->count; i++) {
		const cscan_file *f = &s->files[i];
		ss->documents += f->documents;
		ss->bytes_in += f->size;
		ss->bytes_text += f->bytes_text;
		ss->ngrams += f->ngrams;
		ss->errors += f->errors;
		ss->hit_documents += f->ndocs;
		ss->hits_bytes += f->mem;
	}
	if ((rc = cscan_finish(s, &s->err)))
		return rc;
	if (s->opt.purify_dir && (rc = purify(&st, nthreads)))
		return rc;
	ss->seconds = cnow() - st.t0;
	if (s->opt.on_progress) {
		contam_progress p = {
			.bytes_done = in->total_size, .bytes_total = in->total_size,
			.documents = ss->documents, .ngrams = ss->ngrams,
			.errors = ss->errors, .files_done = in->count,
			.files_total = in->count, .seconds = ss->seconds,
		};
		s->opt.on_progress(s->opt.ctx, &p);
	}
	return CONTAM_OK;
}

void contam_scan_stats_get(const contam_scan *s, contam_scan_stats *out)
{
	*out = s->stats;
}
