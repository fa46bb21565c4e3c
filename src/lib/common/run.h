/*
 * run.h -- the shared state of a parallel run over input files (the index
 * build, the exact scan): the caller's callbacks, progress counters that
 * every thread adds to, the first fatal error and the stop flag.
 *
 * Counters are updated with atomic adds from any thread; progress is
 * reported from thread 0 only, at most every CRUN_PROGRESS_EVERY seconds;
 * warnings reach the caller's callback one at a time.  A run stops at its
 * first fatal error (crun_fail) or when the caller's flag (a signal
 * handler's) is set.
 */
#ifndef CONTAM_RUN_H
#define CONTAM_RUN_H

#include "common.h"

#define CRUN_PROGRESS_EVERY 0.25

typedef struct crun {
	/* the caller's */
	void (*on_warning)(void *ctx, const char *msg);
	void (*on_progress)(void *ctx, const contam_progress *p);
	void *ctx;
	volatile int *stop_requested;
	const contam_inputs *in;
	double t0;
	double last_progress;  /* thread 0's */
	/* added to atomically by all threads */
	uint64_t bytes_done, documents, ngrams, errors, files_done;
	int stop;              /* set on the first fatal error */
	int rc;                /* that error, under a critical section */
	cerr err;
} crun;

void crun_init(crun *r, const contam_inputs *in,
	       void (*on_warning)(void *ctx, const char *msg),
	       void (*on_progress)(void *ctx, const contam_progress *p),
	       void *ctx, volatile int *stop_requested);
/* A warning for the caller; ctx is the crun (so that it can serve as a
 * reader's on_warning). */
void crun_warning(void *ctx, const char *msg);
bool crun_should_stop(crun *r);
/* Record the first fatal error and stop the run. */
void crun_fail(crun *r, int rc, const cerr *e);
/* Report progress, if this is thread 0 and the last report is old. */
void crun_progress(crun *r);
/* Report the finished run: every input byte and file done. */
void crun_progress_done(crun *r);
/* The threads to use for `requested` (0: the OpenMP default), at most 4
 * per core and CRUN_MAX_THREADS; also caps the default team size, so no
 * OMP_NUM_THREADS value can make libgomp abort. */
#define CRUN_MAX_THREADS 256
int crun_threads(int requested);
/* The team of a library call.  A caller's thread count (an options
 * struct's `threads`, 0: all cores) must reach every parallel region the
 * call runs, also those deep in the index file, the sizing sample or the
 * statistics, which ask crun_threads(0): crun_team_enter makes it the
 * calling thread's default team (OpenMP's nthreads-var, which belongs to
 * the thread, so other threads' calls are not touched) and returns what
 * crun_team_leave puts back at the end of the call. */
int crun_team_enter(int requested);
void crun_team_leave(int saved);
/* This thread's number in the OpenMP team (0 without OpenMP). */
int crun_thread_id(void);

#endif
