/*
 * run.c -- the shared state of a parallel run (see run.h).
 */
#include "run.h"

#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

void crun_init(crun *r, const contam_inputs *in,
	       void (*on_warning)(void *ctx, const char *msg),
	       void (*on_progress)(void *ctx, const contam_progress *p),
	       void *ctx, volatile int *stop_requested)
{
	memset(r, 0, sizeof(*r));
	r->on_warning = on_warning;
	r->on_progress = on_progress;
	r->ctx = ctx;
	r->stop_requested = stop_requested;
	r->in = in;
	r->t0 = cnow();
	cerr_clear(&r->err);
}

void crun_warning(void *ctx, const char *msg)
{
	crun *r = ctx;
	if (!r->on_warning)
		return;
	#pragma omp critical(contam_run_warning)
	r->on_warning(r->ctx, msg);
}

bool crun_should_stop(crun *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_RELAXED) ||
	       (r->stop_requested && *r->stop_requested);
}

void crun_fail(crun *r, int rc, const cerr *e)
{
	#pragma omp critical(contam_run_fail)
	if (!r->rc) {
		r->rc = rc;
		r->err = *e;
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
}

int crun_threads(int requested)
{
#ifdef _OPENMP
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long cap = cores > 0 ? 4 * cores : 64;
	if (cap > CRUN_MAX_THREADS)
		cap = CRUN_MAX_THREADS;
	if (cap < 4)
		cap = 4;
	/* OMP_NUM_THREADS=1024 would make libgomp abort when it cannot
	 * create the threads: the default team of every parallel region
	 * (those without num_threads too) is capped here */
	if (omp_get_max_threads() > cap)
		omp_set_num_threads((int)cap);
	int n = requested > 0 ? requested : omp_get_max_threads();
	if (n > cap)
		n = (int)cap;
	return n < 1 ? 1 : n;
#else
	(void)requested;
	return 1;
#endif
}

int crun_team_enter(int requested)
{
#ifdef _OPENMP
	int saved = omp_get_max_threads();
	if (requested > 0)
		omp_set_num_threads(crun_threads(requested));
	return saved;
#else
	(void)requested;
	return 0;
#endif
}

void crun_team_leave(int saved)
{
#ifdef _OPENMP
	if (saved > 0)
		omp_set_num_threads(saved);
#else
	(void)saved;
#endif
}

int crun_thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

static void report(crun *r, double now, uint64_t bytes_done, uint64_t files_done)
{
	contam_progress p = {
		.bytes_done = bytes_done,
		.bytes_total = r->in->total_size,
		.documents = __atomic_load_n(&r->documents, __ATOMIC_RELAXED),
		.ngrams = __atomic_load_n(&r->ngrams, __ATOMIC_RELAXED),
		.errors = __atomic_load_n(&r->errors, __ATOMIC_RELAXED),
		.files_done = files_done,
		.files_total = r->in->count,
		.seconds = now - r->t0,
	};
	r->on_progress(r->ctx, &p);
}

void crun_progress(crun *r)
{
	if (!r->on_progress || crun_thread_id() != 0)
		return;
	double now = cnow();
	if (now - r->last_progress < CRUN_PROGRESS_EVERY)
		return;
	r->last_progress = now;
	report(r, now, __atomic_load_n(&r->bytes_done, __ATOMIC_RELAXED),
	       __atomic_load_n(&r->files_done, __ATOMIC_RELAXED));
}

void crun_progress_done(crun *r)
{
	if (r->on_progress)
		report(r, cnow(), r->in->total_size, r->in->count);
}
