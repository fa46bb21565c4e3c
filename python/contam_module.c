/*
 * contam_module.c -- contam._contam, the CPython extension under the
 * `contam` package (python/contam/__init__.py is the Pythonic layer).
 *
 * Written against include/contam.h alone, as contam-mpi is.  It keeps to
 * the stable ABI (Py_LIMITED_API 3.10: PyUnicode_AsUTF8AndSize is the
 * newest call it needs).
 *
 * Long calls (build, probe, scan) run on a worker pthread while the
 * calling thread waits with the GIL released, waking every 100 ms to run
 * Python's signal handlers (PyErr_CheckSignals) and the progress
 * callback.  A KeyboardInterrupt (or an exception from the callback)
 * sets the library's stop flag; the worker returns CONTAM_E_INTERRUPTED
 * within one poll and nothing is written under the output's name.  So
 * Ctrl-C works and Python threads keep running during the call, and the
 * progress callback always runs on the calling thread with the GIL.
 */
#define Py_LIMITED_API 0x030A0000
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "contam.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static PyObject *Error, *FormatError, *IOErr, *CorruptError, *ParamError,
	*LimitError;
static PyObject *IndexType;

/* Raise the exception of a CONTAM_E_* code with the library's message. */
static PyObject *raise_code(int code, const char *msg)
{
	if (!msg || !*msg)
		msg = contam_strerror(code);
	PyObject *t = Error;
	switch (code) {
	case CONTAM_E_NOMEM: return PyErr_NoMemory();
	case CONTAM_E_IO: t = IOErr; break;
	case CONTAM_E_CORRUPT: t = CorruptError; break;
	case CONTAM_E_FORMAT: t = FormatError; break;
	case CONTAM_E_PARAM: t = ParamError; break;
	case CONTAM_E_LIMIT: t = LimitError; break;
	case CONTAM_E_INTERRUPTED: t = PyExc_KeyboardInterrupt; break;
	}
	/* str(e) is the library's message; e.code the CONTAM_E_* code */
	PyObject *e = PyObject_CallFunction(t, "s", msg);
	if (!e)
		return NULL;
	PyObject *c = PyLong_FromLong(code);
	if (!c || PyObject_SetAttrString(e, "code", c)) {
		Py_XDECREF(c);
		Py_DECREF(e);
		return NULL;
	}
	Py_DECREF(c);
	PyErr_SetObject(t, e);
	Py_DECREF(e);
	return NULL;
}

/* ---- the worker thread ------------------------------------------- */

typedef struct job job;
struct job {
	int (*run)(job *);
	void *data;
	volatile int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, rc;
	contam_progress prog;
	int have_prog;
};

static void job_progress(void *ctx, const contam_progress *p)
{
	job *j = ctx;
	pthread_mutex_lock(&j->mu);
	j->prog = *p;
	j->have_prog = 1;
	pthread_mutex_unlock(&j->mu);
}

static void *job_main(void *arg)
{
	job *j = arg;
	int rc = j->run(j);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

static PyObject *progress_dict(const contam_progress *p)
{
	return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:d}",
			     "bytes_done", (unsigned long long)p->bytes_done,
			     "bytes_total", (unsigned long long)p->bytes_total,
			     "documents", (unsigned long long)p->documents,
			     "ngrams", (unsigned long long)p->ngrams,
			     "errors", (unsigned long long)p->errors,
			     "files_done", (unsigned long long)p->files_done,
			     "files_total", (unsigned long long)p->files_total,
			     "seconds", p->seconds);
}

/* Run j->run on a worker and wait for it (see the top).  Returns 0 with
 * j->rc set, or -1 with a Python exception set (the worker has then
 * stopped too: nothing runs on after this returns). */
static int job_exec(job *j, PyObject *progress)
{
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->done = 0;
	j->stop = 0;
	j->have_prog = 0;
	pthread_t t;
	int e = pthread_create(&t, NULL, job_main, j);
	if (e) {
		errno = e;
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	int failed = 0;
	for (;;) {
		int done, have;
		contam_progress p;
		Py_BEGIN_ALLOW_THREADS
		pthread_mutex_lock(&j->mu);
		if (!j->done) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&j->cv, &j->mu, &ts);
		}
		done = j->done;
		have = j->have_prog;
		p = j->prog;
		j->have_prog = 0;
		pthread_mutex_unlock(&j->mu);
		Py_END_ALLOW_THREADS
		if (done)
			break;
		if (failed)
			continue;
		if (PyErr_CheckSignals() < 0) {
			failed = 1;
		} else if (have && progress && progress != Py_None) {
			PyObject *d = progress_dict(&p);
			PyObject *r = d ? PyObject_CallFunctionObjArgs(progress, d, NULL) : NULL;
			Py_XDECREF(d);
			if (!r)
				failed = 1;
			Py_XDECREF(r);
		}
		if (failed)
			j->stop = 1;
	}
	pthread_join(t, NULL);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	/* a signal that came during the last wait */
	if (!failed && j->rc == CONTAM_E_INTERRUPTED && PyErr_CheckSignals() < 0)
		failed = 1;
	if (!failed && PyErr_CheckSignals() < 0)
		failed = 1;
	return failed ? -1 : 0;
}

/* ---- helpers -------------------------------------------------------- */

/* A list/tuple of str as a NULL-terminated C array (borrowed UTF-8 of
 * the items, which `seq` keeps alive); None: *n = 0. */
static int str_array(PyObject *seq, const char ***out, size_t *n, const char *what)
{
	*out = NULL;
	*n = 0;
	if (!seq || seq == Py_None)
		return 0;
	if (!PyList_Check(seq) && !PyTuple_Check(seq)) {
		PyErr_Format(PyExc_TypeError, "%s must be a list of str", what);
		return -1;
	}
	Py_ssize_t k = PySequence_Size(seq);
	const char **a = calloc((size_t)k + 1, sizeof(*a));
	if (!a) {
		PyErr_NoMemory();
		return -1;
	}
	for (Py_ssize_t i = 0; i < k; i++) {
		PyObject *it = PyList_Check(seq) ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
		if (!it || !PyUnicode_Check(it)) {
			free(a);
			PyErr_Format(PyExc_TypeError, "%s must be a list of str", what);
			return -1;
		}
		a[i] = PyUnicode_AsUTF8AndSize(it, NULL);
		if (!a[i]) {
			free(a);
			return -1;
		}
	}
	*out = a;
	*n = (size_t)k;
	return 0;
}

static PyObject *membuf_str(contam_membuf *b)
{
	return PyUnicode_FromStringAndSize(b->data ? b->data : "", (Py_ssize_t)b->len);
}

/* ---- Index ---------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	contam_index *ix;
	/* contam_index_stats_get measures the filter once and keeps the
	 * numbers on the handle: two threads calling info() at once take
	 * turns (probes only read the handle) */
	pthread_mutex_t stats_mu;
} IndexObj;

static void Index_dealloc(PyObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);
	contam_index_free(((IndexObj *)self)->ix);
	pthread_mutex_destroy(&((IndexObj *)self)->stats_mu);
	PyObject_Free(self); /* the default tp_free of a heap type without GC */
	Py_DECREF(tp);
}

static PyObject *index_wrap(contam_index *ix)
{
	PyTypeObject *tp = (PyTypeObject *)IndexType;
	IndexObj *o = (IndexObj *)PyType_GenericAlloc(tp, 0);
	if (!o) {
		contam_index_free(ix);
		return NULL;
	}
	o->ix = ix;
	pthread_mutex_init(&o->stats_mu, NULL);
	return (PyObject *)o;
}

/* Loading runs on a worker too: a compressed filter is read by an OpenMP
 * team, and a thread that once led one owns a pool that does not survive
 * fork().  Keeping every OpenMP call off the calling thread is what makes
 * the binding usable in a forked child (see the package docstring). */
typedef struct {
	const char *path;
	int mmap;
	contam_index *ix;
	contam_index_stats st;
	pthread_mutex_t *stats_mu;
	contam_error err;
} open_job;

static int open_run(job *j)
{
	open_job *o = j->data;
	return o->mmap ? contam_index_load_mmap(&o->ix, o->path, &o->err)
		: contam_index_load(&o->ix, o->path, &o->err);
}

static PyObject *mod_open(PyObject *m, PyObject *args)
{
	open_job o;
	memset(&o, 0, sizeof(o));
	o.mmap = 1;
	if (!PyArg_ParseTuple(args, "s|p", &o.path, &o.mmap))
		return NULL;
	job j = { .run = open_run, .data = &o };
	if (job_exec(&j, Py_None)) {
		contam_index_free(o.ix);
		return NULL;
	}
	if (j.rc)
		return raise_code(j.rc, o.err.msg);
	return index_wrap(o.ix);
}

static int stats_run(job *j)
{
	open_job *o = j->data;
	pthread_mutex_lock(o->stats_mu);
	int rc = contam_index_stats_get(o->ix, &o->st);
	pthread_mutex_unlock(o->stats_mu);
	return rc;
}

static PyObject *Index_stats(PyObject *self, PyObject *noargs)
{
	contam_index *ix = ((IndexObj *)self)->ix;
	open_job o;
	memset(&o, 0, sizeof(o));
	o.ix = ix;
	o.stats_mu = &((IndexObj *)self)->stats_mu;
	job j = { .run = stats_run, .data = &o };
	if (job_exec(&j, Py_None))
		return NULL;
	if (j.rc)
		return raise_code(j.rc, contam_index_errmsg(ix));
	contam_index_stats st = o.st;
	PyObject *d = Py_BuildValue(
		"{s:I,s:I,s:K,s:K,s:I,s:I,s:s,s:K,s:K,s:K,s:K,s:K,s:d,s:d,s:d,s:I,s:I,s:I,s:O,s:i}",
		"ngram", st.params.ngram, "k", st.params.k,
		"nblocks", (unsigned long long)st.params.nblocks,
		"seed", (unsigned long long)st.params.seed,
		"recipe_version", st.params.recipe_version, "winnow", st.params.winnow,
		"recipe", st.recipe ? st.recipe : "",
		"filter_bytes", (unsigned long long)st.filter_bytes,
		"ngrams_inserted", (unsigned long long)st.ngrams_inserted,
		"documents", (unsigned long long)st.documents,
		"errors", (unsigned long long)st.errors,
		"bits_set", (unsigned long long)st.bits_set,
		"fill", st.fill, "fpr", st.fpr, "fpr_lookup", st.fpr_lookup,
		"format_version", st.format_version,
		"part_index", st.part_index, "part_count", st.part_count,
		"has_doc_freq", st.has_doc_freq ? Py_True : Py_False,
		"uncompressed", contam_index_is_uncompressed(ix));
	if (!d)
		return NULL;
	/* "minhash": the near-dup section (contam info's "minhash"), or None */
	contam_minhash_info mi;
	PyObject *mh;
	if (contam_index_minhash_info(ix, &mi) == CONTAM_OK) {
		PyObject *wins = PyList_New(0);
		for (uint32_t w = 0; wins && w < mi.params.nwindows; w++) {
			PyObject *v = PyLong_FromUnsignedLong(mi.params.windows[w]);
			if (!v || PyList_Append(wins, v)) {
				Py_XDECREF(v);
				Py_CLEAR(wins);
				break;
			}
			Py_DECREF(v);
		}
		mh = wins ? Py_BuildValue(
			"{s:I,s:I,s:I,s:N,s:I,s:d,s:I,s:K,s:K,s:K,s:K,s:K,s:K,s:d,s:d,s:d}",
			"shingle", mi.params.shingle, "bands", mi.params.bands,
			"rows", mi.params.rows, "windows", wins,
			"stride_div", mi.params.stride_div, "threshold", mi.threshold, "k", mi.k,
			"nblocks", (unsigned long long)mi.nblocks,
			"bytes", (unsigned long long)mi.filter_bytes,
			"keys", (unsigned long long)mi.keys,
			"corpus_windows", (unsigned long long)mi.windows,
			"shingles", (unsigned long long)mi.shingles,
			"bits_set", (unsigned long long)mi.bits_set, "fill", mi.fill,
			"band_fpr", mi.band_fpr, "item_fpr", mi.item_fpr) : NULL;
	} else {
		mh = Py_None;
		Py_INCREF(mh);
	}
	if (!mh || PyDict_SetItemString(d, "minhash", mh)) {
		Py_XDECREF(mh);
		Py_DECREF(d);
		return NULL;
	}
	Py_DECREF(mh);
	PyObject *man = PyList_New(0);
	if (!man)
		goto fail;
	PyDict_SetItemString(d, "inputs", man);
	Py_DECREF(man);
	for (size_t i = 0; i < contam_index_manifest_count(ix); i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		PyObject *probs = PyDict_New();
		if (!probs)
			goto fail;
		for (int k = 0; k < CONTAM_PROBLEMS; k++) {
			PyObject *v = PyLong_FromUnsignedLongLong(e->problems[k]);
			if (!v || PyDict_SetItemString(probs, contam_problem_name((contam_problem)k), v)) {
				Py_XDECREF(v);
				Py_DECREF(probs);
				goto fail;
			}
			Py_DECREF(v);
		}
		PyObject *ed = Py_BuildValue("{s:s,s:s,s:K,s:K,s:K,s:K,s:K,s:N}",
			"path", e->path, "kind", contam_input_kind_name(e->kind),
			"size", (unsigned long long)e->size,
			"bytes_text", (unsigned long long)e->bytes_text,
			"documents", (unsigned long long)e->documents,
			"ngrams", (unsigned long long)e->ngrams,
			"errors", (unsigned long long)e->errors, "problems", probs);
		if (!ed || PyList_Append(man, ed)) {
			Py_XDECREF(ed);
			goto fail;
		}
		Py_DECREF(ed);
	}
	return d;
fail:
	Py_DECREF(d);
	return NULL;
}

static PyObject *Index_contains_ngrams(PyObject *self, PyObject *arg)
{
	contam_index *ix = ((IndexObj *)self)->ix;
	if (!PyUnicode_Check(arg))
		return PyErr_Format(PyExc_TypeError, "contains_ngrams wants a str, not %s",
				    PyBytes_Check(arg) ? "bytes (decode it first)"
				    : "another type");
	Py_ssize_t len;
	const char *text = PyUnicode_AsUTF8AndSize(arg, &len);
	if (!text)
		return NULL;
	uint64_t *h = NULL;
	size_t n = 0, tokens = 0;
	int rc = contam_index_hash_text(ix, text, (size_t)len, &h, &n, &tokens);
	if (rc)
		return raise_code(rc, NULL);
	PyObject *l = PyList_New((Py_ssize_t)n);
	for (size_t i = 0; l && i < n; i++) {
		int c = contam_index_contains(ix, h[i]);
		if (c < 0) {
			Py_CLEAR(l);
			raise_code(CONTAM_E_PARAM, "this index cannot answer n-gram lookups "
				   "(it holds no filter)");
			break;
		}
		PyObject *b = c ? Py_True : Py_False;
		Py_INCREF(b);
		PyList_SetItem(l, (Py_ssize_t)i, b);
	}
	free(h);
	return l;
}

static PyMethodDef Index_methods[] = {
	{ "stats", Index_stats, METH_NOARGS, "statistics and manifest (dict)" },
	{ "contains_ngrams", Index_contains_ngrams, METH_O,
	  "one bool per n-gram of the text" },
	{ NULL, NULL, 0, NULL }
};

/* pfunc is a void *: the dealloc slot is filled at init (ISO C has no
 * conversion from a function pointer to void * in an initializer) */
static PyType_Slot Index_slots[] = {
	{ Py_tp_dealloc, NULL },
	{ Py_tp_methods, Index_methods },
	{ Py_tp_doc, "a loaded contam index (use contam.Index.open)" },
	{ 0, NULL }
};

static PyType_Spec Index_spec = {
	"contam._contam._Index", sizeof(IndexObj), 0, Py_TPFLAGS_DEFAULT, Index_slots
};

/* ---- build ---------------------------------------------------------- */

typedef struct {
	const char *out;
	contam_inputs in;
	contam_build_options bopt;
	uint32_t ngram;
	double fpr;
	uint64_t memory;
	int uncompressed;
	int minhash;        /* also a minhash section, the CLI's defaults */
	contam_error err;
} build_job;

static int build_run(job *j)
{
	build_job *b = j->data;
	contam_index *ix = NULL;
	contam_params params;
	double predicted;
	b->bopt.stop = &j->stop;
	b->bopt.on_progress = job_progress;
	b->bopt.ctx = j;
	uint64_t planned = b->memory ? 0 :
		contam_estimate_keys_content(&b->in, &b->bopt, b->ngram, 0, NULL);
	int rc = contam_plan_filter(planned, contam_lookup_fpr_for(b->fpr, 0), b->memory,
				    b->ngram, &params, &predicted, &b->err);
	if (rc)
		return rc;
	if ((rc = contam_index_new(&ix, &params, &b->err)))
		return rc;
	if (b->uncompressed)
		contam_index_set_uncompressed(ix, 1);
	if (b->minhash) {
		/* sized as `contam index --minhash` sizes it: words from the
		 * same estimate (about the n-grams), the per-item rate 1e-3 */
		contam_minhash_params mhp;
		contam_minhash_params_default(&mhp);
		uint64_t words = planned ? planned :
			contam_estimate_keys_content(&b->in, &b->bopt, b->ngram, 0, NULL);
		if ((rc = contam_index_minhash_enable(ix, &mhp,
						      contam_minhash_expected_keys(&mhp, words),
						      1e-3 / mhp.bands, &b->err)))
			goto out;
	}
	rc = contam_index_build(ix, &b->in, &b->bopt);
	if (!rc && j->stop)
		rc = CONTAM_E_INTERRUPTED;
	if (rc) {
		snprintf(b->err.msg, sizeof(b->err.msg), "%s; nothing written to '%s'",
			 rc == CONTAM_E_INTERRUPTED ? "interrupted" : contam_index_errmsg(ix), b->out);
		goto out;
	}
	/* never a silent clean: an argument none of whose files gave a
	 * document is an error, as in `contam index` */
	size_t nm = contam_index_manifest_count(ix), first = nm - b->in.count;
	uint64_t *docs = calloc(b->in.count + 1, sizeof(*docs));
	if (!docs) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < b->in.count; i++)
		docs[i] = contam_index_manifest_get(ix, first + i)->documents;
	long bad = contam_inputs_find_unread(&b->in, docs);
	free(docs);
	if (bad >= 0) {
		rc = CONTAM_E_FORMAT;
		snprintf(b->err.msg, sizeof(b->err.msg),
			 "'%s': no documents read (no text found in it); nothing written to '%s'",
			 b->in.args[bad], b->out);
		goto out;
	}
	contam_index_set_stop(ix, &j->stop);
	if ((rc = contam_index_save(ix, b->out)))
		snprintf(b->err.msg, sizeof(b->err.msg), "%s", contam_index_errmsg(ix));
out:
	contam_index_free(ix);
	return rc;
}

static PyObject *mod_build(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "out", "inputs", "ngram", "fpr", "threads", "text_fields",
				  "memory", "uncompressed", "strict", "progress", "minhash", NULL };
	const char *out;
	PyObject *inputs, *text_fields = Py_None, *progress = Py_None;
	unsigned int ngram = 8;
	double fpr = 1e-3;
	int threads = 0, uncompressed = 0, strict = 0, minhash = 0;
	unsigned long long memory = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|IdiOKppOp", kwlist, &out, &inputs,
					 &ngram, &fpr, &threads, &text_fields, &memory,
					 &uncompressed, &strict, &progress, &minhash))
		return NULL;
	const char **ia = NULL, **tf = NULL;
	size_t ni, ntf;
	if (str_array(inputs, &ia, &ni, "inputs") || str_array(text_fields, &tf, &ntf, "text_fields")) {
		free(ia);
		return NULL;
	}
	build_job b;
	memset(&b, 0, sizeof(b));
	b.out = out;
	b.ngram = ngram;
	b.fpr = fpr;
	b.memory = memory;
	b.uncompressed = uncompressed;
	b.minhash = minhash;
	contam_build_options_init(&b.bopt);
	b.bopt.threads = threads;
	b.bopt.strict = strict;
	if (ntf == 1) {
		b.bopt.text_field = tf[0];
	} else if (ntf > 1) {
		b.bopt.text_fields = tf;
		b.bopt.ntext_fields = ntf;
	}
	PyObject *ret = NULL;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = contam_inputs_expand_walk(&b.in, ia, ni, NULL, &b.err);
	Py_END_ALLOW_THREADS
	if (rc) {
		raise_code(rc, b.err.msg);
		goto done;
	}
	if (!b.in.count) {
		raise_code(CONTAM_E_PARAM, "no input files");
		goto done;
	}
	job j = { .run = build_run, .data = &b };
	if (job_exec(&j, progress)) {
		/* a signal (or a progress callback's exception) that came
		 * after the build had saved the index: the call raises, so
		 * it leaves nothing, as an interrupted build does */
		if (j.rc == CONTAM_OK)
			unlink(b.out);
		goto done;
	}
	if (j.rc) {
		raise_code(j.rc, b.err.msg);
		goto done;
	}
	ret = Py_None;
	Py_INCREF(ret);
done:
	contam_inputs_free(&b.in);
	free(ia);
	free(tf);
	return ret;
}

/* ---- probe ---------------------------------------------------------- */

typedef struct {
	const char *name, *label, *path;   /* path: a file; else data */
	const char *data;
	Py_ssize_t len;
	int format;
} bench_item;

/* The benchmarks of a probe or scan call, a list of tuples: (name, path)
 * for a file, (name, label, bytes, format) for bytes in memory (borrowed
 * from the list, which outlives the call).  -1 with a Python exception
 * set; *items is then freed by the caller as on success. */
static int bench_items(PyObject *benches, bench_item **items, size_t *n)
{
	*n = (size_t)PyList_Size(benches);
	*items = calloc(*n + 1, sizeof(**items));
	if (!*items) {
		PyErr_NoMemory();
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		PyObject *t = PyList_GetItem(benches, (Py_ssize_t)i);
		bench_item *it = &(*items)[i];
		char *data = NULL;
		if (PyTuple_Check(t) && PyTuple_Size(t) == 2) {
			if (!PyArg_ParseTuple(t, "ss", &it->name, &it->path))
				return -1;
		} else if (!PyArg_ParseTuple(t, "ssy#i", &it->name, &it->label, &data,
					     &it->len, &it->format)) {
			return -1;
		}
		it->data = data;
	}
	return 0;
}

typedef struct {
	contam_index *ix;
	const char *index_path;
	contam_probe_options popt;
	bench_item *items;
	size_t nitems;
	contam_membuf json, table;
	unsigned char *flags;  /* 4 per example: contam, gpt3, palm, llama2 */
	size_t nexamples;
	contam_membuf warnings; /* the library's notes, one a line */
	contam_error err;
} probe_job;

/* on the worker: kept, and handed to Python as Report.warnings */
static void probe_warning(void *ctx, const char *msg)
{
	probe_job *pj = ctx;
	contam_sink s = contam_sink_membuf(&pj->warnings);
	if (*msg && s.write(s.ctx, msg, strlen(msg)) == CONTAM_OK)
		s.write(s.ctx, "\n", 1);
}

static int probe_run(job *j)
{
	probe_job *pj = j->data;
	contam_probe *p = NULL;
	pj->popt.on_warning = probe_warning;
	pj->popt.warning_ctx = pj;
	pj->popt.stop = &j->stop; /* Ctrl-C stops between two examples */
	int rc = contam_probe_new(&p, pj->ix, pj->index_path, &pj->popt, &pj->err);
	if (rc)
		return rc;
	for (size_t i = 0; i < pj->nitems && !rc; i++) {
		bench_item *it = &pj->items[i];
		rc = it->path ? contam_probe_add_file(p, it->name, it->path)
			: contam_probe_add_buffer(p, it->name, it->label, it->data,
						  (size_t)it->len, (contam_bench_format)it->format);
		if (rc)
			snprintf(pj->err.msg, sizeof(pj->err.msg), "%s", contam_probe_errmsg(p));
		if (!rc && j->stop)
			rc = CONTAM_E_INTERRUPTED;
	}
	if (rc)
		goto out;
	contam_result res;
	contam_probe_result(p, &res);
	contam_sink s = contam_sink_membuf(&pj->json);
	if ((rc = contam_report_json_to(&res, &s, &pj->err)))
		goto out;
	s = contam_sink_membuf(&pj->table);
	if ((rc = contam_report_table_to(&res, &s, &pj->err)))
		goto out;
	pj->nexamples = res.nexamples;
	pj->flags = calloc(res.nexamples * 4 + 1, 1);
	if (!pj->flags) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < res.nexamples; i++)
		for (int d = 0; d < 4; d++)
			pj->flags[i * 4 + (size_t)d] =
				(unsigned char)contam_example_flagged(&res.examples[i], (contam_definition)d);
out:
	contam_probe_free(p);
	return rc;
}

static PyObject *mod_probe(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "index", "index_path", "benches", "fields", "id_field",
				  "min_span", "label", "question_fields", "answer_fields",
				  "records", "no_header", "near_dup", "near_dup_bands",
				  "force_header", "lines_per_record", NULL };
	PyObject *ixo, *benches, *fields = Py_None, *qf = Py_None, *af = Py_None;
	const char *index_path, *id_field = NULL, *label = NULL, *records = NULL;
	unsigned int min_span = 0, near_dup_bands = 0, lines_per_record = 0;
	int no_header = 0, near_dup = 0, force_header = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!sO|OzIzOOzppIpI", kwlist,
					 (PyTypeObject *)IndexType, &ixo, &index_path, &benches,
					 &fields, &id_field, &min_span, &label, &qf, &af,
					 &records, &no_header, &near_dup, &near_dup_bands,
					 &force_header, &lines_per_record))
		return NULL;
	if (!PyList_Check(benches))
		return PyErr_Format(PyExc_TypeError, "benches must be a list");
	probe_job pj;
	memset(&pj, 0, sizeof(pj));
	PyObject *ret = NULL;
	const char **fa = NULL, **qa = NULL, **aa = NULL;
	size_t nf, nq, na;
	if (str_array(fields, &fa, &nf, "fields") || str_array(qf, &qa, &nq, "question_fields") ||
	    str_array(af, &aa, &na, "answer_fields"))
		goto done;
	pj.ix = ((IndexObj *)ixo)->ix;
	pj.index_path = index_path;
	contam_probe_options_init(&pj.popt);
	pj.popt.fields = fa;
	pj.popt.nfields = nf;
	pj.popt.question_fields = qa;
	pj.popt.nquestion_fields = nq;
	pj.popt.answer_fields = aa;
	pj.popt.nanswer_fields = na;
	pj.popt.id_field = id_field;
	pj.popt.label = label;
	pj.popt.records = records;
	pj.popt.no_header = no_header;
	pj.popt.force_header = force_header;
	pj.popt.lines_per_record = lines_per_record;
	pj.popt.near_dup = near_dup; /* probe --near-dup */
	if (near_dup_bands) /* --near-dup-bands */
		pj.popt.near_dup_min_bands = near_dup_bands;
	if (min_span)
		pj.popt.min_span = min_span;
	if (bench_items(benches, &pj.items, &pj.nitems))
		goto done;
	Py_INCREF(ixo);
	job j = { .run = probe_run, .data = &pj };
	int jr = job_exec(&j, Py_None);
	Py_DECREF(ixo);
	if (jr)
		goto done;
	if (j.rc) {
		raise_code(j.rc, pj.err.msg);
		goto done;
	}
	ret = Py_BuildValue("(NNy#N)", membuf_str(&pj.json), membuf_str(&pj.table),
			    (const char *)pj.flags, (Py_ssize_t)(pj.nexamples * 4),
			    membuf_str(&pj.warnings));
done:
	contam_membuf_free(&pj.warnings);
	contam_membuf_free(&pj.json);
	contam_membuf_free(&pj.table);
	free(pj.flags);
	free(pj.items);
	free(fa);
	free(qa);
	free(aa);
	return ret;
}

/* ---- scan ----------------------------------------------------------- */

typedef struct {
	contam_scan_options sopt;
	bench_item *items;
	size_t nitems;
	contam_inputs in;
	FILE *hits;
	contam_membuf json;
	contam_error err;
} scan_job;

static int scan_run(job *j)
{
	scan_job *sj = j->data;
	contam_scan *s = NULL;
	sj->sopt.stop = &j->stop;
	sj->sopt.on_progress = job_progress;
	sj->sopt.ctx = j;
	sj->sopt.hits = sj->hits;
	int rc = contam_scan_new(&s, &sj->sopt, &sj->err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sj->nitems && !rc; i++) {
		bench_item *it = &sj->items[i];
		rc = it->path ? contam_scan_add_file(s, it->name, it->path)
			: contam_scan_add_buffer(s, it->name, it->label, it->data,
						 (size_t)it->len, (contam_bench_format)it->format);
	}
	if (!rc)
		rc = contam_scan_run(s, &sj->in);
	if (!rc && j->stop)
		rc = CONTAM_E_INTERRUPTED;
	if (rc) {
		snprintf(sj->err.msg, sizeof(sj->err.msg), "%s", contam_scan_errmsg(s));
		goto out;
	}
	contam_sink sink = contam_sink_membuf(&sj->json);
	rc = contam_scan_report_json_to(s, &sink, &sj->err);
out:
	contam_scan_free(s);
	return rc;
}

static PyObject *mod_scan(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "benches", "corpus", "fields", "id_field", "min_span",
				  "ngram", "text_fields", "threads", "progress", NULL };
	PyObject *benches, *corpus, *fields = Py_None, *text_fields = Py_None,
		*progress = Py_None;
	const char *id_field = NULL;
	unsigned int min_span = 0, ngram = 8;
	int threads = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OzIIOiO", kwlist, &benches, &corpus,
					 &fields, &id_field, &min_span, &ngram, &text_fields,
					 &threads, &progress))
		return NULL;
	if (!PyList_Check(benches))
		return PyErr_Format(PyExc_TypeError, "benches must be a list");
	scan_job sj;
	memset(&sj, 0, sizeof(sj));
	PyObject *ret = NULL;
	const char **fa = NULL, **tf = NULL, **ca = NULL;
	size_t nf, ntf, nc;
	if (str_array(fields, &fa, &nf, "fields") || str_array(text_fields, &tf, &ntf, "text_fields") ||
	    str_array(corpus, &ca, &nc, "corpus"))
		goto done;
	contam_scan_options_init(&sj.sopt);
	sj.sopt.fields = fa;
	sj.sopt.nfields = nf;
	sj.sopt.id_field = id_field;
	if (min_span)
		sj.sopt.min_span = min_span;
	sj.sopt.ngram = ngram;
	sj.sopt.threads = threads;
	if (ntf == 1) {
		sj.sopt.text_field = tf[0];
	} else if (ntf > 1) {
		sj.sopt.text_fields = tf;
		sj.sopt.ntext_fields = ntf;
	}
	if (bench_items(benches, &sj.items, &sj.nitems))
		goto done;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = contam_inputs_expand_walk(&sj.in, ca, nc, NULL, &sj.err);
	Py_END_ALLOW_THREADS
	if (rc) {
		raise_code(rc, sj.err.msg);
		goto done;
	}
	if (!(sj.hits = tmpfile())) {
		PyErr_SetFromErrno(PyExc_OSError);
		goto done;
	}
	job j = { .run = scan_run, .data = &sj };
	if (job_exec(&j, progress))
		goto done;
	if (j.rc) {
		raise_code(j.rc, sj.err.msg);
		goto done;
	}
	/* the hit records, read back whole */
	if (fflush(sj.hits) || fseek(sj.hits, 0, SEEK_END)) {
		PyErr_SetFromErrno(PyExc_OSError);
		goto done;
	}
	long size = ftell(sj.hits);
	rewind(sj.hits);
	char *hb = malloc((size_t)size + 1);
	if (!hb) {
		PyErr_NoMemory();
		goto done;
	}
	if (size && fread(hb, 1, (size_t)size, sj.hits) != (size_t)size) {
		free(hb);
		raise_code(CONTAM_E_IO, "cannot read the hit records back");
		goto done;
	}
	ret = Py_BuildValue("(Ns#)", membuf_str(&sj.json), hb, (Py_ssize_t)size);
	free(hb);
done:
	if (sj.hits)
		fclose(sj.hits);
	contam_inputs_free(&sj.in);
	contam_membuf_free(&sj.json);
	free(sj.items);
	free(fa);
	free(tf);
	free(ca);
	return ret;
}

/* ---- render, impact ------------------------------------------------- */

static PyObject *mod_render(PyObject *m, PyObject *args)
{
	PyObject *paths;
	const char *format;
	const char *definitions = NULL;
	int provenance = 0;
	if (!PyArg_ParseTuple(args, "Os|zp", &paths, &format, &definitions, &provenance))
		return NULL;
	const char **pa;
	size_t n;
	if (str_array(paths, &pa, &n, "paths"))
		return NULL;
	contam_report_options ro = { .format = format, .definitions = definitions,
				     .provenance = provenance };
	contam_membuf b = CONTAM_MEMBUF_INIT;
	contam_sink s = contam_sink_membuf(&b);
	contam_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = contam_report_render_opts(pa, n, &ro, &s, &err);
	Py_END_ALLOW_THREADS
	free(pa);
	PyObject *ret = rc ? raise_code(rc, err.msg) : membuf_str(&b);
	contam_membuf_free(&b);
	return ret;
}

static PyObject *mod_impact(PyObject *m, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "report", "samples", "definition", "resamples",
				  "permutations", "seed", "allow_missing", "report_name", NULL };
	const char *report, *def = "contam", *report_name = NULL;
	PyObject *samples;
	contam_impact_options o;
	contam_impact_options_init(&o);
	unsigned int resamples = o.resamples, permutations = o.permutations;
	unsigned long long seed = o.seed;
	int allow_missing = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|sIIKpz", kwlist, &report, &samples, &def,
					 &resamples, &permutations, &seed, &allow_missing,
					 &report_name))
		return NULL;
	if (contam_definition_parse(def, &o.definition))
		return raise_code(CONTAM_E_PARAM, "unknown definition (contam, gpt3, palm, llama2)");
	o.resamples = resamples;
	o.permutations = permutations;
	o.seed = seed;
	o.allow_missing = allow_missing;
	o.report_name = report_name;
	const char **sa;
	size_t n;
	if (str_array(samples, &sa, &n, "samples"))
		return NULL;
	contam_impact *im = NULL;
	contam_error err;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = contam_impact_new(&im, report, sa, n, &o, &err);
	Py_END_ALLOW_THREADS
	free(sa);
	if (rc)
		return raise_code(rc, err.msg);
	contam_membuf b[4] = { CONTAM_MEMBUF_INIT, CONTAM_MEMBUF_INIT, CONTAM_MEMBUF_INIT,
			       CONTAM_MEMBUF_INIT };
	static const char *fmts[3] = { "json", "md", "latex" };
	PyObject *ret = NULL;
	for (int i = 0; i < 4 && !rc; i++) {
		contam_sink s = contam_sink_membuf(&b[i]);
		rc = i < 3 ? contam_impact_write(im, fmts[i], &s, &err)
			: contam_impact_write_samples(im, &s, &err);
	}
	if (rc) {
		raise_code(rc, err.msg);
	} else {
		uint64_t me = 0, ml = 0;
		contam_impact_missing(im, &me, &ml);
		ret = Py_BuildValue("(NNNNKK)", membuf_str(&b[0]), membuf_str(&b[1]),
				    membuf_str(&b[2]), membuf_str(&b[3]),
				    (unsigned long long)me, (unsigned long long)ml);
	}
	for (int i = 0; i < 4; i++)
		contam_membuf_free(&b[i]);
	contam_impact_free(im);
	return ret;
}

static PyObject *mod_definition_unavailable(PyObject *m, PyObject *args)
{
	const char *name;
	unsigned int ngram;
	if (!PyArg_ParseTuple(args, "sI", &name, &ngram))
		return NULL;
	contam_definition d;
	if (contam_definition_parse(name, &d))
		return raise_code(CONTAM_E_PARAM, "unknown definition (contam, gpt3, palm, llama2)");
	const char *why = contam_definition_unavailable(d, ngram);
	if (!why)
		Py_RETURN_NONE;
	return PyUnicode_FromString(why);
}

static PyMethodDef mod_methods[] = {
	{ "open", mod_open, METH_VARARGS, "open(path, mmap=True) -> _Index" },
	{ "build", (PyCFunction)(void (*)(void))mod_build, METH_VARARGS | METH_KEYWORDS,
	  "build an index file" },
	{ "probe", (PyCFunction)(void (*)(void))mod_probe, METH_VARARGS | METH_KEYWORDS,
	  "probe benchmarks: (report json, table, flags, warnings)" },
	{ "scan", (PyCFunction)(void (*)(void))mod_scan, METH_VARARGS | METH_KEYWORDS,
	  "exact scan: (report json, hits jsonl)" },
	{ "render", mod_render, METH_VARARGS, "render report JSON files" },
	{ "impact", (PyCFunction)(void (*)(void))mod_impact, METH_VARARGS | METH_KEYWORDS,
	  "contam impact: (json, md, latex, clean samples, missing examples, missing lines)" },
	{ "definition_unavailable", mod_definition_unavailable, METH_VARARGS,
	  "None, or why an index of n-grams cannot tell the definition" },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef mod_def = {
	PyModuleDef_HEAD_INIT, "_contam", "libcontam binding (use the contam package)", -1,
	mod_methods, NULL, NULL, NULL, NULL
};

/* An exception class contam.NAME; its class attribute `code` is the
 * CONTAM_E_* code it stands for (Error: None), so one raised by the
 * Python layer (a ParamError on a bad argument) has e.code too. */
static PyObject *new_error(PyObject *m, const char *name, PyObject *bases, const char *doc,
			   int code)
{
	char full[64];
	snprintf(full, sizeof(full), "contam.%s", name);
	PyObject *dict = PyDict_New();
	PyObject *c = code ? PyLong_FromLong(code) : Py_None;
	if (!code)
		Py_INCREF(c);
	if (!dict || !c || PyDict_SetItemString(dict, "code", c)) {
		Py_XDECREF(dict);
		Py_XDECREF(c);
		return NULL;
	}
	Py_DECREF(c);
	PyObject *e = PyErr_NewExceptionWithDoc(full, doc, bases, dict);
	Py_DECREF(dict);
	if (!e)
		return NULL;
	Py_INCREF(e);
	if (PyModule_AddObject(m, name, e)) {
		Py_DECREF(e);
		Py_DECREF(e);
		return NULL;
	}
	return e;
}

PyMODINIT_FUNC PyInit__contam(void)
{
	PyObject *m = PyModule_Create(&mod_def);
	if (!m)
		return NULL;
	if (!(Error = new_error(m, "Error", NULL,
				"a libcontam error: str(e) is its message, e.code its CONTAM_E_* code", 0)))
		goto fail;
	PyObject *b = Py_BuildValue("(OO)", Error, PyExc_OSError);
	if (!b || !(IOErr = new_error(m, "IOError", b, "open/read/write failed (also an OSError)",
					   CONTAM_E_IO)))
		goto fail;
	Py_DECREF(b);
	b = Py_BuildValue("(OO)", Error, PyExc_ValueError);
	if (!b || !(ParamError = new_error(m, "ParamError", b,
					   "bad argument or parameter mismatch (also a ValueError)",
					   CONTAM_E_PARAM)))
		goto fail;
	Py_DECREF(b);
	if (!(FormatError = new_error(m, "FormatError", Error,
				      "input is not in the expected format", CONTAM_E_FORMAT)) ||
	    !(CorruptError = new_error(m, "CorruptError", Error,
				       "damaged data: checksum, truncation", CONTAM_E_CORRUPT)) ||
	    !(LimitError = new_error(m, "LimitError", Error, "a size limit was exceeded", CONTAM_E_LIMIT)))
		goto fail;
	union { destructor f; void *p; } dealloc = { .f = Index_dealloc };
	Index_slots[0].pfunc = dealloc.p;
	IndexType = PyType_FromSpec(&Index_spec);
	if (!IndexType)
		goto fail;
	Py_INCREF(IndexType);
	if (PyModule_AddObject(m, "_Index", IndexType))
		goto fail;
	PyModule_AddStringConstant(m, "version", contam_version());
	PyModule_AddStringConstant(m, "recipe", contam_recipe());
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
