/*
 * scan_run.c -- the scan driver, the only place with OpenMP in the scan.
 *
 * How it works (as the indexer, index_build.c).  Every input file is an
 * OpenMP task that runs its reader (decompression and parsing are
 * sequential within a file) and copies whole documents, with their
 * provenance, into batches of about BATCH_BYTES; each full batch becomes
 * a task that matches it (scan_match.c) on whichever thread is free, with
 * that thread's matcher.  So one huge shard keeps every core busy, and
 * many small shards are read in parallel.  Back-pressure: with
 * MAX_INFLIGHT batches of a file queued, the file task matches the next
 * one itself; a document over BIG_DOC is streamed by the file task, never
 * copied.  Memory is the table, files in flight x MAX_INFLIGHT x
 * BATCH_BYTES; the hit documents go to a spill file as soon as the
 * nodes holding them are complete (scan_hits.c), so they cost disk, not
 * memory.
 *
 * Order: each batch (and each big document) gets a result node when it
 * is handed on, in reader order; complete nodes at the head of the list
 * go to the spill file in that order.  Hit records are written in input order at the end,
 * when the document count of every n-gram is known (--max-doc-freq marks
 * matches by it), so the output does not depend on the number of threads.
 */
#include "scan.h"
#include "../reader/reader.h"
#include "../common/run.h"

#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define BATCH_BYTES (2u << 20)
#define BIG_DOC (8u << 20)
#define MAX_INFLIGHT 4

typedef struct run_state {
	contam_scan *s;
	crun run;             /* counters, first error, stop flag */
} run_state;

/* ---- batches ---------------------------------------------------------- */

/* The provenance of a document in a batch: strings are offsets into the
 * batch's string buffer (SIZE_MAX: none). */
typedef struct doc_prov {
	uint64_t entry, record, offset;
	size_t member, url, id;
	size_t text_end;         /* end of its text in the batch */
} doc_prov;

/* The hit documents of a batch (or of one big document), kept in the
 * order the reader produced them. */
typedef struct result_node {
	struct result_node *next;
	cscan_hitdoc *docs;
	size_t ndocs, cap;
	int oom;
	int done;                /* filled (atomic): may be spilled */
} result_node;

typedef struct batch {
	char *text;
	size_t len, cap;
	doc_prov *docs;
	size_t ndocs, cap_docs;
	cbuf strings;
	result_node *node;
} batch;

typedef struct file_job {
	run_state *st;
	cscan_file *f;
	cscan_matcher *thread_m;  /* one per thread, for batch tasks */
	cscan_matcher inline_m;   /* this file task's own */
	int inflight;
	result_node *head, *tail;
	cbuf pack;               /* hit documents packed, not yet spilled */
	size_t pack_docs;
	size_t nodes;            /* result nodes in the list */
} file_job;

static int node_add(result_node *n, cscan_hitdoc *hd)
{
	if (n->ndocs == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;
		cscan_hitdoc *d = realloc(n->docs, cap * sizeof(*d));
		if (!d)
			return CONTAM_E_NOMEM;
		n->docs = d;
		n->cap = cap;
	}
	n->docs[n->ndocs++] = *hd;
	return CONTAM_OK;
}

static size_t keep_string(batch *b, const char *s, int *oom)
{
	if (!s)
		return SIZE_MAX;
	size_t at = b->strings.len;
	if (cbuf_append(&b->strings, s, strlen(s) + 1))
		*oom = 1;
	return at;
}

static const char *batch_string(const batch *b, size_t at)
{
	return at == SIZE_MAX ? NULL : b->strings.data + at;
}

static void batch_free(batch *b)
{
	if (!b)
		return;
	free(b->text);
	free(b->docs);
	cbuf_release(&b->strings);
	free(b);
}

/* Match every document of a batch into its result node. */
static void process_batch(file_job *job, cscan_matcher *m, batch *b)
{
	result_node *n = b->node;
	size_t start = 0;
	for (size_t d = 0; d < b->ndocs && !n->oom; d++) {
		const doc_prov *dp = &b->docs[d];
		cscan_hitdoc hd;
		cscan_matcher_begin(m);
		/* a batch of empty documents has no text (NULL + 0 is UB) */
		const char *text = b->text ? b->text + start : "";
		int rc = cscan_matcher_feed(m, text, dp->text_end - start);
		if (!rc)
			rc = cscan_matcher_end(m, job->st->s->table.docs, &hd);
		if (rc == 1) {
			hd.entry = dp->entry;
			hd.record = dp->record;
			hd.offset = dp->offset;
			const char *mem = batch_string(b, dp->member),
				   *url = batch_string(b, dp->url), *id = batch_string(b, dp->id);
			if ((mem && !(hd.member = cstrdup(mem))) ||
			    (url && !(hd.url = cstrdup(url))) ||
			    (id && !(hd.id = cstrdup(id))) || node_add(n, &hd)) {
				cscan_hitdoc_release(&hd);
				rc = CONTAM_E_NOMEM;
			}
		}
		if (rc < 0)
			n->oom = 1;
		__atomic_fetch_add(&job->f->ngrams, m->ngrams, __ATOMIC_RELAXED);
		__atomic_fetch_add(&job->st->run.ngrams, m->ngrams, __ATOMIC_RELAXED);
		m->ngrams = 0;
		start = dp->text_end;
	}
}

static result_node *new_node(file_job *job)
{
	result_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	if (job->tail)
		job->tail->next = n;
	else
		job->head = n;
	job->tail = n;
	job->nodes++;
	return n;
}

/* Hand a full batch to another thread, or match it here when enough are
 * already waiting. */
static int dispatch(file_job *job, batch *b)
{
	if (!(b->node = new_node(job))) {
		batch_free(b);
		return CONTAM_E_NOMEM;
	}
	if (__atomic_load_n(&job->inflight, __ATOMIC_ACQUIRE) < MAX_INFLIGHT) {
		__atomic_fetch_add(&job->inflight, 1, __ATOMIC_ACQ_REL);
		/* job by value: the task may run after dispatch returns, when
		 * its parameter is gone (a crash under clang's libomp) */
		#pragma omp task firstprivate(b, job) default(none)
		{
			result_node *n = b->node;
			if (!crun_should_stop(&job->st->run))
				process_batch(job, &job->thread_m[crun_thread_id()], b);
			batch_free(b);
			__atomic_store_n(&n->done, 1, __ATOMIC_RELEASE);
			crun_progress(&job->st->run);
			__atomic_fetch_sub(&job->inflight, 1, __ATOMIC_ACQ_REL);
		}
	} else {
		process_batch(job, &job->inline_m, b);
		__atomic_store_n(&b->node->done, 1, __ATOMIC_RELEASE);
		batch_free(b);
	}
	return CONTAM_OK;
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

static int batch_end_doc(batch *b, const creader_doc *doc)
{
	if (b->ndocs == b->cap_docs) {
		size_t cap = b->cap_docs ? b->cap_docs * 2 : 256;
		doc_prov *d = realloc(b->docs, cap * sizeof(*d));
		if (!d)
			return CONTAM_E_NOMEM;
		b->docs = d;
		b->cap_docs = cap;
	}
	int oom = 0;
	doc_prov *dp = &b->docs[b->ndocs++];
	dp->entry = doc->entry;
	dp->record = doc->record;
	dp->offset = doc->offset;
	dp->member = keep_string(b, doc->member, &oom);
	dp->url = keep_string(b, doc->url, &oom);
	dp->id = keep_string(b, doc->id, &oom);
	dp->text_end = b->len;
	return oom ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* A document too big to copy is streamed by the file task through its
 * own matcher: big_doc_begin() feeds the part already copied (before the
 * batch holding the earlier documents is handed on), big_doc_rest() the
 * rest; its result node comes after that batch's. */
static int big_doc_begin(file_job *job, const char *head, size_t len, cerr *err)
{
	cscan_matcher_begin(&job->inline_m);
	if (cscan_matcher_feed(&job->inline_m, head, len))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

static int big_doc_rest(file_job *job, creader *r, const creader_doc *doc, cerr *err)
{
	cscan_matcher *m = &job->inline_m;
	cscan_hitdoc hd;
	const char *p;
	size_t len;
	int rc;
	while ((rc = creader_read_text(r, &p, &len, err)) == 1) {
		if (cscan_matcher_feed(m, p, len))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (crun_should_stop(&job->st->run))
			return CONTAM_OK;
	}
	if (rc < 0)
		return rc;
	result_node *n = new_node(job);
	if (!n)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	rc = cscan_matcher_end(m, job->st->s->table.docs, &hd);
	if (rc == 1) {
		hd.entry = doc->entry;
		hd.record = doc->record;
		hd.offset = doc->offset;
		if ((doc->member && !(hd.member = cstrdup(doc->member))) ||
		    (doc->url && !(hd.url = cstrdup(doc->url))) ||
		    (doc->id && !(hd.id = cstrdup(doc->id))) || node_add(n, &hd)) {
			cscan_hitdoc_release(&hd);
			rc = CONTAM_E_NOMEM;
		}
	}
	__atomic_store_n(&n->done, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&job->f->ngrams, m->ngrams, __ATOMIC_RELAXED);
	__atomic_fetch_add(&job->st->run.ngrams, m->ngrams, __ATOMIC_RELAXED);
	m->ngrams = 0;
	return rc < 0 ? cerr_set(err, CONTAM_E_NOMEM, "out of memory") : CONTAM_OK;
}

static int spill(file_job *job, cerr *err)
{
	int rc;
	#pragma omp critical(cscan_spill)
	rc = cscan_spill_chunk(job->st->s, job->f, &job->pack, job->pack_docs, err);
	cbuf_reset(&job->pack);
	job->pack_docs = 0;
	return rc;
}

/* Move the complete result nodes at the head of the list (all of them
 * when `all`, after the file's tasks are done), in order, to the spill
 * file; a chunk goes out whenever CSCAN_CHUNK bytes are packed. */
static int flush_results(file_job *job, int all, cerr *err)
{
	int rc = CONTAM_OK;
	while (job->head && (all || __atomic_load_n(&job->head->done, __ATOMIC_ACQUIRE))) {
		result_node *n = job->head;
		job->head = n->next;
		job->nodes--;
		if (!job->head)
			job->tail = NULL;
		if (n->oom && !rc)
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = 0; i < n->ndocs; i++) {
			if (!rc && (rc = cscan_hitdoc_pack(&job->pack, &n->docs[i])))
				rc = cerr_set(err, rc, rc == CONTAM_E_NOMEM ? "out of memory"
					      : "a hit document too large to keep");
			job->pack_docs++;
			cscan_hitdoc_release(&n->docs[i]);
		}
		free(n->docs);
		free(n);
		if (!rc && job->pack.len >= CSCAN_CHUNK)
			rc = spill(job, err);
	}
	if (!rc && all)
		rc = spill(job, err);
	return rc;
}

/* After a failure: the nodes are dropped. */
static void drop_results(file_job *job)
{
	while (job->head) {
		result_node *n = job->head;
		job->head = n->next;
		for (size_t i = 0; i < n->ndocs; i++)
			cscan_hitdoc_release(&n->docs[i]);
		free(n->docs);
		free(n);
	}
	job->tail = NULL;
	job->nodes = 0;
	cbuf_release(&job->pack);
	job->pack_docs = 0;
}

static void scan_file(run_state *st, file_job *job, size_t fi)
{
	contam_scan *s = st->s;
	cscan_file *f = &s->files[fi];
	creader_options ropt = {
		.text_field = s->opt.text_field,
		.text_fields = s->opt.text_fields,
		.ntext_fields = s->opt.ntext_fields,
		.strict = s->opt.strict,
		.max_record = s->opt.max_record,
		.on_warning = crun_warning,
		.ctx = &st->run,
		.stop = st->run.stop_requested,
	};
	creader *r = NULL;
	creader_doc doc;
	batch *b = NULL;
	cerr err;
	uint64_t reported_in = 0;
	int rc;

	cerr_clear(&err);
	job->st = st;
	job->f = f;
	f->path = st->run.in->paths[fi];
	f->size = st->run.in->sizes[fi];
	f->kind = creader_detect_name(f->path); /* by content once open */
	if (cscan_matcher_init(&job->inline_m, s)) {
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		crun_fail(&st->run, CONTAM_E_NOMEM, &err);
		goto out;
	}
	rc = creader_open(&r, f->path, &ropt, &err);
	if (rc < 0) {
		/* E_FORMAT: content contam refuses (creader_sniff): fatal
		 * for a file named on the command line, a counted skip for
		 * one a directory walk found (its name said a corpus kind) */
		if (s->opt.strict || rc == CONTAM_E_NOMEM ||
		    (rc == CONTAM_E_FORMAT && !f->walked)) {
			crun_fail(&st->run, rc, &err);
		} else {
			crun_warning(&st->run, err.msg);
			f->errors++;
			__atomic_fetch_add(&st->run.errors, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	f->kind = creader_kind(r);
	while (!crun_should_stop(&st->run) && (rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n, doc_start;
		int streamed = 0;
		if (!b && !(b = calloc(1, sizeof(*b)))) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		doc_start = b->len;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1) {
			if (batch_append(b, p, n)) {
				rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
				break;
			}
			if (b->len - doc_start > BIG_DOC) {
				/* keep the order: the batched documents first */
				batch *done = b;
				b = NULL;
				if ((rc = big_doc_begin(job, done->text + doc_start,
							done->len - doc_start, &err)) < 0) {
					batch_free(done);
					break;
				}
				done->len = doc_start;
				if (done->ndocs)
					rc = dispatch(job, done);
				else
					batch_free(done);
				if (rc < 0) {
					cerr_set(&err, rc, "out of memory");
					break;
				}
				rc = big_doc_rest(job, r, &doc, &err);
				streamed = 1;
				break;
			}
		}
		if (rc < 0)
			break;
		if (!streamed && batch_end_doc(b, &doc)) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		f->documents++;
		__atomic_fetch_add(&st->run.documents, 1, __ATOMIC_RELAXED);
		uint64_t bin = creader_bytes_in(r);
		__atomic_fetch_add(&st->run.bytes_done, bin - reported_in, __ATOMIC_RELAXED);
		reported_in = bin;
		if (b && b->len >= BATCH_BYTES) {
			batch *done = b;
			b = NULL;
			if ((rc = dispatch(job, done)) < 0) {
				cerr_set(&err, rc, "out of memory");
				break;
			}
		}
		if (job->head && (rc = flush_results(job, 0, &err)) < 0)
			break;
		if (job->nodes > 2 * MAX_INFLIGHT) {
			/* a batch task not run yet holds the nodes behind it
			 * (matched here): wait for it rather than let them pile up */
			#pragma omp taskwait
			if ((rc = flush_results(job, 0, &err)) < 0)
				break;
		}
		crun_progress(&st->run);
	}
	if (rc < 0)
		crun_fail(&st->run, rc, &err);
	if (b && b->ndocs && !crun_should_stop(&st->run)) {
		batch *done = b;
		b = NULL;
		if (dispatch(job, done) < 0) {
			cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			crun_fail(&st->run, CONTAM_E_NOMEM, &err);
		}
	}
	#pragma omp taskwait
	if (!crun_should_stop(&st->run) && (rc = flush_results(job, 1, &err)) < 0)
		crun_fail(&st->run, rc, &err);
	f->bytes_text = creader_bytes_text(r);
	f->errors += creader_errors(r);
	__atomic_fetch_add(&st->run.errors, creader_errors(r), __ATOMIC_RELAXED);
out:
	batch_free(b);
	#pragma omp taskwait
	drop_results(job);
	__atomic_fetch_add(&st->run.bytes_done, f->size - reported_in, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->run.files_done, 1, __ATOMIC_RELAXED);
	cscan_matcher_release(&job->inline_m);
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
		if (!crun_should_stop(&st->run)) {
			cerr err;
			cerr_clear(&err);
			int frc = cscan_purify_one(s, i, &res[i], &err);
			if (frc)
				crun_fail(&st->run, frc, &err);
		}
	}
	if (!st->run.rc && s->opt.stop && *s->opt.stop)
		cerr_set(&st->run.err, st->run.rc = CONTAM_E_INTERRUPTED, "interrupted");
	if (st->run.rc) {
		s->err = st->run.err;
		s->err.code = rc = st->run.rc;
	} else {
		rc = cscan_purify_finish(s, res, &s->err);
	}
	if (rc) {
		/* all or nothing: no copy of this run is left without its
		 * manifest */
		cscan_purify_undo(s, res);
		if (rc == CONTAM_E_INTERRUPTED)
			cerr_set(&s->err, rc, "interrupted; no purified copy left in '%s'",
				 s->opt.purify_dir);
	}
	for (size_t i = 0; i < s->nfiles; i++)
		free(res[i].chunks);
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
	crun_init(&st.run, in, s->opt.on_warning, s->opt.on_progress, s->opt.ctx, s->opt.stop);
	if ((rc = cscan_table_build(s, &s->err)))
		return rc;
	s->files = calloc(in->count ? in->count : 1, sizeof(*s->files));
	if (!s->files)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->nfiles = in->count;
	for (size_t i = 0; i < in->count; i++) {
		s->files[i].path = in->paths[i];
		s->files[i].walked = contam_inputs_walked(in, i);
	}
	if ((rc = cscan_spill_open(s, &s->err)))
		return rc;
	/* fail before the long pass, not after it */
	if (s->opt.purify_dir && (rc = cscan_purify_prepare(s, &s->err)))
		return rc;

	int nthreads = crun_threads(s->opt.threads);

	cscan_matcher *thread_m = calloc((size_t)nthreads, sizeof(*thread_m));
	int init_failed = !thread_m;
	for (int t = 0; t < nthreads && !init_failed; t++)
		init_failed |= cscan_matcher_init(&thread_m[t], s) != CONTAM_OK;
	if (init_failed) {
		cerr e;
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		crun_fail(&st.run, CONTAM_E_NOMEM, &e);
	}

	#pragma omp parallel num_threads(nthreads) if (!init_failed)
	#pragma omp single
	for (size_t i = 0; i < in->count && !init_failed; i++) {
		#pragma omp task firstprivate(i) shared(st, thread_m) default(none)
		if (!crun_should_stop(&st.run)) {
			/* a file's job (its own matcher) lives only while the
			 * file is read: memory does not grow with the number of
			 * inputs (issue 12: 5 KiB per file) */
			file_job *job = calloc(1, sizeof(*job));
			if (job) {
				job->thread_m = thread_m;
				scan_file(&st, job, i);
			} else {
				cerr e;
				cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
				crun_fail(&st.run, CONTAM_E_NOMEM, &e);
			}
			free(job);
		}
	}
	for (int t = 0; thread_m && t < nthreads; t++)
		cscan_matcher_release(&thread_m[t]);
	free(thread_m);

	if (!st.run.rc && s->opt.stop && *s->opt.stop)
		cerr_set(&st.run.err, st.run.rc = CONTAM_E_INTERRUPTED, "interrupted");
	if (st.run.rc) {
		s->err = st.run.err;
		s->err.code = st.run.rc;
		return st.run.rc;
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
	ss->seconds = cnow() - st.run.t0;
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

int contam_scan_file_documents(const contam_scan *s, size_t i,
			       uint64_t *documents, uint64_t *bytes_text,
			       uint64_t *errors)
{
	if (!s || i >= s->nfiles)
		return CONTAM_E_PARAM;
	*documents = s->files[i].documents;
	*bytes_text = s->files[i].bytes_text;
	*errors = s->files[i].errors;
	return CONTAM_OK;
}

void contam_scan_stats_get(const contam_scan *s, contam_scan_stats *out)
{
	*out = s->stats;
}
