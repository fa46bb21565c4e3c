/*
 * pass.c -- the corpus pass (pass.h): the only place with OpenMP in a
 * pass over corpus files, for the index build and the scan alike.
 *
 * How it works.  Every input file is an OpenMP task.  A file task runs
 * the reader (decompression and parsing are sequential within a file) and
 * copies whole documents, with their provenance, into batches of about
 * CPASS_BATCH bytes; each full batch becomes a child task that hands its
 * documents to the sink on whichever thread is free, with that thread's
 * worker.  So one huge shard keeps every core busy, and many small shards
 * are read in parallel.  Back-pressure: when a file already has
 * CPASS_INFLIGHT batches queued, the file task processes the next batch
 * itself with its own worker, which bounds memory at about files in
 * flight x CPASS_INFLIGHT x CPASS_BATCH.  A document larger than
 * CPASS_BIG_DOC is not copied: the file task streams it through its own
 * worker, so memory stays bounded on a 2 GiB document.
 *
 * Workers: one per thread for batch tasks (batch tasks have no
 * scheduling points, so a thread's worker is never used by two tasks at
 * once) and one per file task for inline work.
 *
 * Order (ordered sinks): each batch, and each big document, gets a result
 * node when it is handed on, in reader order; the complete nodes at the
 * head of a file's list go to the sink's emit() in that order, from the
 * file task.  A big document's node comes after the batch holding the
 * documents before it, which is handed on before the big document is
 * streamed (its text stays readable: tasks only read a batch and put it
 * back in the file's pool, which the file task alone takes from).
 */
#include "pass.h"
#include "../reader/reader.h"

#include <inttypes.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* The provenance of a document in a batch: strings are offsets into the
 * batch's string buffer (SIZE_MAX: none). */
typedef struct doc_prov {
	uint64_t entry, record, offset;
	size_t member, url, id;
	size_t text_end;         /* end of its text in the batch */
} doc_prov;

/* The results of a batch (or of one big document), ordered sinks only. */
typedef struct result_node {
	struct result_node *next;
	cpass_out out;
	int done;                /* filled (atomic): may be emitted */
} result_node;

/* The text of whole documents, back to back, and their provenance. */
typedef struct batch {
	struct batch *next;      /* in the file's pool of free batches */
	char *text;
	size_t len, cap;
	doc_prov *docs;
	size_t ndocs, cap_docs;
	cbuf strings;
	result_node *node;
} batch;

typedef struct pass_state {
	crun *run;
	const cpass_options *opt;
	const cpass_sink *sink;
	void **workers;          /* one per thread, for batch tasks */
} pass_state;

typedef struct file_job {
	pass_state *ps;
	cpass_file f;
	void *inline_w;          /* this file task's own worker */
	int inflight;
	/* Batches are recycled: a fresh 2 MiB malloc is an mmap whose pages
	 * the kernel must zero (measured ~6% of an index build). */
	batch *pool;
	int pool_lock;
	result_node *head, *tail;
	size_t nodes;            /* result nodes in the list */
} file_job;

/* ---- batches ---------------------------------------------------------- */

static void batch_free(batch *b)
{
	if (!b)
		return;
	free(b->text);
	free(b->docs);
	cbuf_release(&b->strings);
	free(b);
}

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
	cbuf_reset(&b->strings);
	b->next = NULL;
	b->node = NULL;
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

static int batch_append(batch *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : CPASS_BATCH + (CPASS_BATCH >> 2);
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

/* ---- results ---------------------------------------------------------- */

int cpass_out_add(cpass_out *o, const void *rec, size_t n)
{
	cpass_out_block *b = o->last;
	if (!b || b->cap - b->len < n) {
		size_t cap = n > CPASS_OUT_BLOCK ? n : CPASS_OUT_BLOCK;
		if (!(b = malloc(sizeof(*b) + cap)))
			return CONTAM_E_NOMEM;
		b->next = NULL;
		b->len = b->records = 0;
		b->cap = cap;
		if (o->last)
			o->last->next = b;
		else
			o->first = b;
		o->last = b;
	}
	memcpy(b->data + b->len, rec, n);
	b->len += n;
	b->records++;
	return CONTAM_OK;
}

static void out_release(cpass_out *o)
{
	while (o->first) {
		cpass_out_block *next = o->first->next;
		free(o->first);
		o->first = next;
	}
	o->last = NULL;
}

/* ---- handing documents to the sink ------------------------------------ */

static void sink_failed(pass_state *ps, int rc, cerr *err)
{
	if (!err->code)
		cerr_set(err, rc, "out of memory");
	crun_fail(ps->run, rc, err);
}

/* Every document of a batch through worker w. */
static void process_batch(file_job *job, void *w, batch *b)
{
	const cpass_sink *k = job->ps->sink;
	cpass_out *out = b->node ? &b->node->out : NULL;
	size_t start = 0;
	for (size_t d = 0; d < b->ndocs; d++) {
		const doc_prov *dp = &b->docs[d];
		cpass_doc doc = {
			.file = &job->f, .entry = dp->entry, .record = dp->record,
			.offset = dp->offset, .member = batch_string(b, dp->member),
			.url = batch_string(b, dp->url), .id = batch_string(b, dp->id),
			.whole = 1,
		};
		cerr err;
		cerr_clear(&err);
		k->begin(w, &doc);
		/* a batch of empty documents has no text (NULL + 0 is UB) */
		const char *text = b->text ? b->text + start : "";
		int rc = k->feed(w, text, dp->text_end - start, &err);
		if (!rc)
			rc = k->end(w, &doc, out, &err);
		if (rc < 0) {
			sink_failed(job->ps, rc, &err);
			break;
		}
		start = dp->text_end;
	}
	if (k->flush)
		k->flush(w);
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

/* Hand a full batch to another thread, or process it here when enough
 * are already waiting. */
static int dispatch(file_job *job, batch *b)
{
	if (job->ps->sink->ordered && !(b->node = new_node(job))) {
		batch_put(job, b);
		return CONTAM_E_NOMEM;
	}
	if (__atomic_load_n(&job->inflight, __ATOMIC_ACQUIRE) < CPASS_INFLIGHT) {
		__atomic_fetch_add(&job->inflight, 1, __ATOMIC_ACQ_REL);
		/* job by value: the task may run after dispatch returns, when
		 * its parameter is gone (a crash under clang's libomp) */
		#pragma omp task firstprivate(b, job) default(none)
		{
			crun *run = job->ps->run;
			result_node *n = b->node;
			if (!crun_should_stop(run))
				process_batch(job, job->ps->workers[crun_thread_id()], b);
			if (n)
				__atomic_store_n(&n->done, 1, __ATOMIC_RELEASE);
			batch_put(job, b);
			crun_progress(run);
			__atomic_fetch_sub(&job->inflight, 1, __ATOMIC_ACQ_REL);
		}
	} else {
		process_batch(job, job->inline_w, b);
		if (b->node)
			__atomic_store_n(&b->node->done, 1, __ATOMIC_RELEASE);
		batch_put(job, b);
	}
	return CONTAM_OK;
}

/* Give the complete result nodes at the head of the list (all of them
 * when `all`, after the file's tasks are done), in order, to emit(). */
static int deliver(file_job *job, int all, cerr *err)
{
	const cpass_sink *k = job->ps->sink;
	int rc = CONTAM_OK;
	while (job->head && (all || __atomic_load_n(&job->head->done, __ATOMIC_ACQUIRE))) {
		result_node *n = job->head;
		job->head = n->next;
		job->nodes--;
		if (!job->head)
			job->tail = NULL;
		if (!rc)
			rc = k->emit(k->ctx, &job->f, &n->out, err);
		out_release(&n->out);
		free(n);
	}
	return rc;
}

/* After a failure or a stop: the nodes are dropped. */
static void drop_results(file_job *job)
{
	while (job->head) {
		result_node *n = job->head;
		job->head = n->next;
		out_release(&n->out);
		free(n);
	}
	job->tail = NULL;
	job->nodes = 0;
}

/* A document too big to copy, *bp holding its first bytes from
 * doc_start on: the documents before it are handed on first (order),
 * then the file task streams it through its own worker, starting with
 * what was copied.  *bp is the batch for the next documents after. */
static int stream_doc(file_job *job, creader *r, const creader_doc *rd,
		      batch **bp, size_t doc_start, cerr *err)
{
	const cpass_sink *k = job->ps->sink;
	crun *run = job->ps->run;
	void *w = job->inline_w;
	batch *b = *bp;
	const char *head = b->text + doc_start, *p;
	size_t nhead = b->len - doc_start, n;
	int rc;

	b->len = doc_start;
	if (b->ndocs) {
		/* the head stays readable in b (see the top of the file) */
		*bp = NULL;
		if ((rc = dispatch(job, b)) < 0)
			return cerr_set(err, rc, "out of memory");
	}
	result_node *node = NULL;
	if (k->ordered && !(node = new_node(job)))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	cpass_doc doc = {
		.file = &job->f, .member = rd->member, .entry = rd->entry,
		.record = rd->record, .offset = rd->offset, .url = rd->url,
		.id = rd->id,
	};
	k->begin(w, &doc);
	rc = k->feed(w, head, nhead, err);
	while (!rc && (rc = creader_read_text(r, &p, &n, err)) == 1) {
		rc = k->feed(w, p, n, err);
		if (!rc && crun_should_stop(run))
			return CONTAM_OK;
	}
	if (!rc)
		rc = k->end(w, &doc, node ? &node->out : NULL, err);
	if (k->flush)
		k->flush(w);
	if (node)
		__atomic_store_n(&node->done, 1, __ATOMIC_RELEASE);
	if (rc < 0 && !err->code)
		cerr_set(err, rc, "out of memory");
	return rc < 0 ? rc : CONTAM_OK;
}

/* ---- the file task ---------------------------------------------------- */

/* A reader's message: the sink sees it, then the run's on_warning. */
static void reader_message(file_job *job, int kind, const char *msg)
{
	const cpass_sink *k = job->ps->sink;
	if (k->file_message)
		k->file_message(k->ctx, &job->f, kind, msg);
	crun_warning(job->ps->run, msg);
}

static void on_reader_warning(void *ctx, const char *msg)
{
	reader_message(ctx, CPASS_MSG_WARNING, msg);
}

static void on_reader_note(void *ctx, const char *msg)
{
	reader_message(ctx, CPASS_MSG_NOTE, msg);
}

/* Bytes that are not UTF-8 are read, each one a word separator (the
 * tokenizer's repair), so that damage in a UTF-8 file costs one word; a
 * whole file in Latin-1 or cp1252 loses every accented word that way
 * and reads as clean where the benchmark is in it.  Its content is not
 * refused (creader_sniff cannot tell Latin-1 from damage by its bytes),
 * so it is said, once per file. */
static void note_not_utf8(file_job *job)
{
	const cpass_file *f = &job->f;
	char msg[CERR_MSG_MAX];
	double pct = f->bytes_text ? 100.0 * (double)f->not_utf8 / (double)f->bytes_text : 0;
	const char *advice =
		f->kind == CONTAM_INPUT_WARC ?
		"its records' payloads are transcoded by the charset their HTTP "
		"header or <meta> names; these are in payloads that name none (or "
		"one iconv does not know)" :
		pct >= 0.1 ? "if it is Latin-1 or cp1252 text, convert it first "
		"(iconv -f CP1252 -t UTF-8) and read it again" :
		"a few damaged bytes cost a word each";
	snprintf(msg, sizeof msg, "%s: %" PRIu64 " byte%s of %" PRIu64 " (%.2g%%) "
		 "%s not UTF-8 and %s read as word separators, cutting the "
		 "words %s in; %s", f->path, f->not_utf8,
		 f->not_utf8 == 1 ? "" : "s", f->bytes_text, pct,
		 f->not_utf8 == 1 ? "is" : "are", f->not_utf8 == 1 ? "was" : "were",
		 f->not_utf8 == 1 ? "it is" : "they are", advice);
	reader_message(job, CPASS_MSG_NOTE, msg);
}

/* Read one input file; its documents go to batch tasks. */
static void read_file(file_job *job)
{
	pass_state *ps = job->ps;
	crun *run = ps->run;
	const cpass_sink *k = ps->sink;
	cpass_file *f = &job->f;
	creader_options ropt = {
		.text_field = ps->opt->text_field,
		.text_fields = ps->opt->text_fields,
		.ntext_fields = ps->opt->ntext_fields,
		.strict = ps->opt->strict,
		.max_record = ps->opt->max_record,
		.on_warning = on_reader_warning,
		.on_note = on_reader_note,
		.ctx = job,
		.stop = run->stop_requested,
		.fast = ps->opt->fast,
	};
	creader *r = NULL;
	creader_doc doc;
	batch *b = NULL;
	cerr err;
	uint64_t reported_in = 0, reported_err = 0;
	int rc;

	cerr_clear(&err);
	rc = creader_open(&r, f->path, &ropt, &err);
	if (rc < 0) {
		/* E_FORMAT: content contam refuses (creader_sniff): fatal
		 * for a file named on the command line, a counted skip for
		 * one a directory walk found (its name said a corpus kind) */
		if (ps->opt->strict || rc == CONTAM_E_NOMEM ||
		    (rc == CONTAM_E_FORMAT && !f->walked)) {
			crun_fail(run, rc, &err);
		} else {
			reader_message(job, CPASS_MSG_UNREADABLE, err.msg);
			f->errors++;
			__atomic_fetch_add(&run->errors, 1, __ATOMIC_RELAXED);
		}
		goto out;
	}
	f->opened = 1;
	f->kind = creader_kind(r);
	while (!crun_should_stop(run) && (rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n, doc_start;
		int streamed = 0;
		if (!b && !(b = batch_get(job))) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		doc_start = b->len;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1) {
			if (batch_append(b, p, n)) {
				rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
				break;
			}
			if (b->len - doc_start > CPASS_BIG_DOC) {
				rc = stream_doc(job, r, &doc, &b, doc_start, &err);
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
		__atomic_fetch_add(&run->documents, 1, __ATOMIC_RELAXED);
		uint64_t bin = creader_bytes_in(r), nerr = creader_errors(r);
		__atomic_fetch_add(&run->bytes_done, bin - reported_in, __ATOMIC_RELAXED);
		__atomic_fetch_add(&run->errors, nerr - reported_err, __ATOMIC_RELAXED);
		reported_in = bin;
		reported_err = nerr;
		if (b && b->len >= CPASS_BATCH) {
			batch *done = b;
			b = NULL;
			if ((rc = dispatch(job, done)) < 0) {
				cerr_set(&err, rc, "out of memory");
				break;
			}
		}
		if (k->ordered) {
			if (job->head && (rc = deliver(job, 0, &err)) < 0)
				break;
			if (job->nodes > 2 * CPASS_INFLIGHT) {
				/* a batch task not run yet holds the nodes
				 * behind it: wait for it rather than let them
				 * pile up */
				#pragma omp taskwait
				if ((rc = deliver(job, 0, &err)) < 0)
					break;
			}
		}
		crun_progress(run);
	}
	if (rc < 0)
		crun_fail(run, rc, &err);
	if (b && b->ndocs && !crun_should_stop(run)) {
		batch *done = b;
		b = NULL;
		if ((rc = dispatch(job, done)) < 0) {
			cerr_set(&err, rc, "out of memory");
			crun_fail(run, rc, &err);
		}
	}
	#pragma omp taskwait
	if (k->ordered && !crun_should_stop(run) && (rc = deliver(job, 1, &err)) < 0)
		crun_fail(run, rc, &err);
	f->bytes_text = creader_bytes_text(r);
	f->errors += creader_errors(r);
	if (f->not_utf8 && !crun_should_stop(run))
		note_not_utf8(job);
	__atomic_fetch_add(&run->errors, creader_errors(r) - reported_err,
			   __ATOMIC_RELAXED);
out:
	if (b)
		batch_put(job, b);
	drop_results(job);
	while (job->pool) {
		batch *next = job->pool->next;
		batch_free(job->pool);
		job->pool = next;
	}
	__atomic_fetch_add(&run->bytes_done, f->size - reported_in, __ATOMIC_RELAXED);
	__atomic_fetch_add(&run->files_done, 1, __ATOMIC_RELAXED);
	creader_free(r);
}

/* One file task: its own worker (a tokenizer: some KiB) and the sink's
 * per-file state live only while the file is read, so memory does not
 * grow with the number of inputs. */
static void file_task(pass_state *ps, size_t fi)
{
	crun *run = ps->run;
	const cpass_sink *k = ps->sink;
	cerr err;
	cerr_clear(&err);
	file_job *job = calloc(1, sizeof(*job));
	if (!job || !(job->inline_w = k->worker_new(k->ctx))) {
		free(job);
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		crun_fail(run, CONTAM_E_NOMEM, &err);
		return;
	}
	job->ps = ps;
	cpass_file *f = &job->f;
	f->index = fi;
	f->path = run->in->paths[fi];
	f->size = run->in->sizes[fi];
	f->walked = contam_inputs_walked(run->in, fi);
	f->kind = creader_detect_name(f->path); /* by content once open */
	int rc = k->file_begin ? k->file_begin(k->ctx, f, &err) : CONTAM_OK;
	int began = rc >= 0;
	if (began)
		read_file(job);
	else
		sink_failed(ps, rc, &err);
	/* the worker's failures first: collect may keep the file's work
	 * (a checkpoint) only when the run goes on */
	cerr_clear(&err);
	if ((rc = k->worker_free(k->ctx, job->inline_w, f, &err)) < 0)
		sink_failed(ps, rc, &err);
	if (began && k->collect)
		k->collect(k->ctx, f);
	free(job);
}

int cpass_run(crun *run, const cpass_options *opt, const cpass_sink *sink)
{
	pass_state ps = { .run = run, .opt = opt, .sink = sink };
	const contam_inputs *in = run->in;
	int nthreads = crun_threads(opt->threads);
	cerr err;

	ps.workers = calloc((size_t)nthreads, sizeof(void *));
	int init_failed = !ps.workers;
	for (int t = 0; t < nthreads && !init_failed; t++)
		init_failed |= !(ps.workers[t] = sink->worker_new(sink->ctx));
	if (init_failed) {
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		crun_fail(run, CONTAM_E_NOMEM, &err);
	}

	#pragma omp parallel num_threads(nthreads) if (!init_failed)
	#pragma omp single
	for (size_t i = 0; i < in->count && !init_failed; i++) {
		#pragma omp task firstprivate(i) shared(ps) default(none)
		if (!crun_should_stop(ps.run))
			file_task(&ps, i);
	}
	for (int t = 0; ps.workers && t < nthreads; t++) {
		if (!ps.workers[t])
			continue;
		cerr_clear(&err);
		int rc = sink->worker_free(sink->ctx, ps.workers[t], NULL, &err);
		if (rc < 0)
			sink_failed(&ps, rc, &err);
	}
	free(ps.workers);
	return run->rc;
}

uint64_t cpass_default_max_record(void)
{
	return CREADER_DEFAULT_MAX_RECORD;
}
