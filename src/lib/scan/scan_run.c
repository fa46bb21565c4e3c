/*
 * scan_run.c -- the scan: a sink of the corpus pass (src/lib/pass/pass.h)
 * that matches each document against the exact table (scan_match.c),
 * then the purified copy's pass over the files.
 *
 * The pass reads the files, batches documents with their provenance and
 * runs the threads; each worker here is a matcher.  The sink is ordered:
 * a matched document is packed (cscan_hitdoc_pack) into its batch's
 * results, and the pass hands each file's results back in reader order,
 * so they go to the spill file (scan_hits.c) in that order as soon as
 * the batches before them are done: hit documents cost disk, not memory.
 * Memory is the table and files in flight x CPASS_INFLIGHT x CPASS_BATCH.
 *
 * Hit records are written in input order at the end, when the document
 * count of every n-gram is known (--max-doc-freq marks matches by it), so
 * the output does not depend on the number of threads.
 */
#include "scan.h"
#include "../pass/pass.h"

#include <stdlib.h>

typedef struct run_state {
	contam_scan *s;
	crun run;             /* counters, first error, stop flag */
} run_state;

/* A file's hit documents packed, not yet spilled. */
typedef struct scan_file_state {
	cbuf pack;
	size_t pack_docs;
} scan_file_state;

/* ---- the sink: what the pass calls --------------------------------- */

typedef struct scan_worker {
	cscan_matcher m;
	run_state *st;
	cbuf rec;                /* one hit document packed */
	int whole;               /* the document comes in one feed */
} scan_worker;

static void *sink_worker_new(void *ctx)
{
	run_state *st = ctx;
	scan_worker *w = calloc(1, sizeof(*w));
	if (w && cscan_matcher_init(&w->m, st->s)) {
		cscan_matcher_release(&w->m);
		free(w);
		w = NULL;
	}
	if (w)
		w->st = st;
	return w;
}

static int sink_worker_free(void *ctx, void *wp, const cpass_file *f, cerr *err)
{
	scan_worker *w = wp;
	cscan_matcher_release(&w->m);
	cbuf_release(&w->rec);
	free(w);
	return CONTAM_OK;
}

static void sink_begin(void *wp, const cpass_doc *doc)
{
	scan_worker *w = wp;
	cscan_matcher_begin(&w->m);
	w->whole = doc->whole;
}

static int sink_feed(void *wp, const char *p, size_t n, cerr *err)
{
	scan_worker *w = wp;
	(void)err;
	return w->whole ? cscan_matcher_whole(&w->m, p, n) : cscan_matcher_feed(&w->m, p, n);
}

/* A matched document is packed with its provenance into the batch's
 * results. */
static int sink_end(void *wp, const cpass_doc *doc, cpass_out *out, cerr *err)
{
	scan_worker *w = wp;
	cscan_matcher *m = &w->m;
	cscan_file *f = &w->st->s->files[doc->file->index];
	cscan_hitdoc hd;
	int rc = cscan_matcher_end(m, w->st->s->table.docs, &hd);
	if (rc >= 0 && m->nd) {
		/* the tokens are all in (cscan_matcher_end finished them) */
		const cscan_nd_doc nd = {
			.file = doc->file->index, .entry = doc->entry,
			.record = doc->record, .offset = doc->offset,
			.bytes = m->doc_bytes, .member = doc->member,
			.url = doc->url, .id = doc->id,
		};
		int nrc = cscan_ndm_end(m->nd, &nd);
		if (nrc < 0) {
			if (rc == 1)
				cscan_hitdoc_release(&hd);
			return nrc;
		}
	}
	if (rc == 1) {
		/* borrowed for the packing only */
		hd.entry = doc->entry;
		hd.record = doc->record;
		hd.offset = doc->offset;
		hd.member = (char *)doc->member;
		hd.url = (char *)doc->url;
		hd.id = (char *)doc->id;
		cbuf_reset(&w->rec);
		rc = cscan_hitdoc_pack(&w->rec, &hd);
		if (!rc)
			rc = cpass_out_add(out, w->rec.data, w->rec.len);
		else if (rc != CONTAM_E_NOMEM)
			cerr_set(err, rc, "a hit document too large to keep");
		hd.member = hd.url = hd.id = NULL;
		cscan_hitdoc_release(&hd);
	}
	cpass_file_not_utf8(doc->file, cscan_matcher_not_utf8(m));
	__atomic_fetch_add(&f->ngrams, m->ngrams, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->st->run.ngrams, m->ngrams, __ATOMIC_RELAXED);
	m->ngrams = 0;
	return rc < 0 ? rc : CONTAM_OK;
}

static int sink_file_begin(void *ctx, cpass_file *pf, cerr *err)
{
	run_state *st = ctx;
	cscan_file *f = &st->s->files[pf->index];
	f->path = pf->path;
	f->size = pf->size;
	f->kind = pf->kind;
	if (!(pf->sink = calloc(1, sizeof(scan_file_state))))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

static int spill_buf(run_state *st, cscan_file *f, const cbuf *b, size_t ndocs,
		     cerr *err)
{
	int rc;
	#pragma omp critical(cscan_spill)
	rc = cscan_spill_chunk(st->s, f, b, ndocs, err);
	return rc;
}

static int spill(run_state *st, cscan_file *f, scan_file_state *fs, cerr *err)
{
	int rc = spill_buf(st, f, &fs->pack, fs->pack_docs, err);
	cbuf_reset(&fs->pack);
	fs->pack_docs = 0;
	return rc;
}

/* A batch's hit documents, in reader order: a block of them is packed
 * with the ones before it while that stays under CSCAN_CHUNK bytes;
 * else what is packed goes to the spill file, then the block itself
 * (copying megabytes into the pack only to write them would grow the
 * heap with every batch). */
static int sink_emit(void *ctx, cpass_file *pf, const cpass_out *out, cerr *err)
{
	run_state *st = ctx;
	scan_file_state *fs = pf->sink;
	cscan_file *f = &st->s->files[pf->index];
	int rc;
	for (const cpass_out_block *b = out->first; b; b = b->next) {
		if (fs->pack.len + b->len < CSCAN_CHUNK) {
			if (cbuf_append(&fs->pack, b->data, b->len))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			fs->pack_docs += b->records;
			continue;
		}
		if (fs->pack.len && (rc = spill(st, f, fs, err)))
			return rc;
		const cbuf view = { .data = (char *)b->data, .len = b->len, .cap = b->cap };
		if ((rc = spill_buf(st, f, &view, b->records, err)))
			return rc;
	}
	return CONTAM_OK;
}

/* A reader's message, counted by kind as an index's manifest counts it
 * (index_build.c sink_file_message): the report's "unread". */
static void sink_file_message(void *ctx, cpass_file *pf, int kind, const char *msg)
{
	run_state *st = ctx;
	cscan_file *f = &st->s->files[pf->index];
	if (kind == CPASS_MSG_NOTE)
		return;
	contam_problem pk = kind == CPASS_MSG_UNREADABLE ? CONTAM_PROBLEM_UNREADABLE
			    : strstr(msg, "missing or not a string") ? CONTAM_PROBLEM_NO_TEXT
			    : CONTAM_PROBLEM_DAMAGED;
	__atomic_fetch_add(&f->problems[pk], 1, __ATOMIC_RELAXED);
}

static void sink_collect(void *ctx, cpass_file *pf)
{
	run_state *st = ctx;
	cscan_file *f = &st->s->files[pf->index];
	scan_file_state *fs = pf->sink;
	cerr err;
	int rc;
	f->kind = pf->kind;
	f->documents = pf->documents;
	f->bytes_text = pf->bytes_text;
	f->errors = pf->errors;
	f->not_utf8 = pf->not_utf8;
	f->problems[CONTAM_PROBLEM_NOT_UTF8] = pf->not_utf8;
	if (pf->opened && (!pf->documents || !pf->bytes_text) && !crun_should_stop(&st->run))
		f->problems[CONTAM_PROBLEM_EMPTY]++; /* no document, or no text */
	if (pf->opened && !crun_should_stop(&st->run) &&
	    (rc = spill(st, f, fs, &err)) < 0)
		crun_fail(&st->run, rc, &err);
	cbuf_release(&fs->pack);
	free(fs);
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
	if (s->opt.near_dup && (rc = cscan_nd_build(s, &s->err)))
		return rc;
	s->files = calloc(in->count ? in->count : 1, sizeof(*s->files));
	if (!s->files)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->nfiles = in->count;
	for (size_t i = 0; i < in->count; i++)
		s->files[i].path = in->paths[i];
	if ((rc = cscan_spill_open(s, &s->err)))
		return rc;
	/* fail before the long pass, not after it */
	if (s->opt.purify_dir && (rc = cscan_purify_prepare(s, &s->err)))
		return rc;

	const cpass_options popt = CPASS_OPTIONS_OF(&s->opt);
	const cpass_sink sink = {
		.ctx = &st,
		.ordered = 1,
		.worker_new = sink_worker_new,
		.worker_free = sink_worker_free,
		.begin = sink_begin,
		.feed = sink_feed,
		.end = sink_end,
		.file_begin = sink_file_begin,
		.emit = sink_emit,
		.collect = sink_collect,
		.file_message = sink_file_message,
	};
	cpass_run(&st.run, &popt, &sink);

	if (!st.run.rc && s->opt.stop && *s->opt.stop)
		cerr_set(&st.run.err, st.run.rc = CONTAM_E_INTERRUPTED, "interrupted");
	if (st.run.rc) {
		s->err = st.run.err;
		s->err.code = st.run.rc;
		return st.run.rc;
	}
	contam_scan_stats *ss = &s->stats;
	ss->files = in->count;
	memset(s->skipped, 0, sizeof s->skipped);
	for (size_t i = 0; i < in->nskips; i++)
		s->skipped[in->skips[i].reason] += in->skips[i].count;
	for (size_t i = 0; i < in->count; i++) {
		const cscan_file *f = &s->files[i];
		ss->documents += f->documents;
		ss->bytes_in += f->size;
		ss->bytes_text += f->bytes_text;
		ss->ngrams += f->ngrams;
		ss->errors += f->errors;
		ss->not_utf8_bytes += f->not_utf8;
		ss->hit_documents += f->ndocs;
		ss->hits_bytes += f->mem;
	}
	if ((rc = cscan_finish(s, &s->err)))
		return rc;
	if (s->opt.purify_dir && (rc = purify(&st, crun_threads(s->opt.threads))))
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
