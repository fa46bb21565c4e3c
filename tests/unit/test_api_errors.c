/*
 * test_api_errors.c -- the public API's one error model and its report
 * writers: a failing constructor or load returns no handle and a
 * contam_error whose message names the file; a report written to a
 * memory buffer is byte for byte the one written to a FILE*; a writer
 * that fails makes the report call fail (a full disk is never a half
 * report called written).
 */
#include "contam.h"
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

static const char *COPIED = "the quick brown fox jumps over the lazy dog while "
			    "seven patient herons watch the river bend slowly";

/* The whole of a file, malloc'd (NULL if it cannot be read). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(b, cap = cap ? 2 * cap : 8192);
			if (!nb)
				break;
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

static int has(const contam_error *e, const char *needle)
{
	if (strstr(e->msg, needle))
		return 1;
	fprintf(stderr, "message '%s' lacks '%s'\n", e->msg, needle);
	return 0;
}

static void test_constructors(void)
{
	contam_error err;
	contam_index *ix = (contam_index *)&err; /* must be overwritten */
	const char *missing = tu_path("no-such.cidx");

	/* a load that fails: no handle, the code, and the file named */
	CHECK(contam_index_load(&ix, missing, &err) == CONTAM_E_IO);
	CHECK(ix == NULL);
	CHECK(err.code == CONTAM_E_IO);
	CHECK(has(&err, missing));
	CHECK(has(&err, strerror(ENOENT)));
	/* a file that is not an index */
	const char *junk = tu_path("junk.cidx");
	tu_write_file(junk, "not an index at all, just some words\n", 37);
	ix = (contam_index *)&err;
	int rc = contam_index_load(&ix, junk, &err);
	CHECK(rc < 0 && rc != CONTAM_E_NOMEM);
	CHECK(ix == NULL && err.code == rc);
	CHECK(has(&err, junk));
	ix = (contam_index *)&err;
	CHECK(contam_index_load_summary(&ix, junk, &err) == rc);
	CHECK(ix == NULL && has(&err, junk));
	const char *parts[2] = { junk, missing };
	ix = (contam_index *)&err;
	CHECK(contam_index_load_parts(&ix, parts, 2, &err) < 0);
	CHECK(ix == NULL && has(&err, junk));
	/* NULL: the code alone, and still no handle */
	ix = (contam_index *)&err;
	CHECK(contam_index_load(&ix, missing, NULL) == CONTAM_E_IO && ix == NULL);

	/* a constructor with bad arguments */
	contam_params bad = { .ngram = 8, .k = 7, .nblocks = 0, .seed = 1,
			      .recipe_version = CONTAM_RECIPE_VERSION };
	ix = (contam_index *)&err;
	CHECK(contam_index_new(&ix, &bad, &err) == CONTAM_E_PARAM);
	CHECK(ix == NULL && has(&err, "invalid filter parameters"));
	bad.nblocks = 64;
	ix = (contam_index *)&err;
	CHECK(contam_index_new_partition(&ix, &bad, 3, 3, &err) == CONTAM_E_PARAM);
	CHECK(ix == NULL && err.code == CONTAM_E_PARAM && err.msg[0]);

	contam_scan_options so;
	contam_scan_options_init(&so);
	so.ngram = CONTAM_MAX_NGRAM + 1;
	contam_scan *s = (contam_scan *)&err;
	CHECK(contam_scan_new(&s, &so, &err) == CONTAM_E_PARAM);
	CHECK(s == NULL && has(&err, "n-gram size"));

	/* the calls that took errbuf/errlen */
	contam_inputs in;
	const char *args[1] = { tu_path("no-such-corpus.jsonl") };
	CHECK(contam_inputs_expand(&in, args, 1, &err) == CONTAM_E_IO);
	CHECK(has(&err, args[0]));
	const char *two[2] = { missing, missing };
	CHECK(contam_index_merge(tu_path("m.cidx"), two, 2, &err) == CONTAM_E_IO);
	CHECK(has(&err, missing));
	const char *rep[1] = { tu_path("no-such-report.json") };
	CHECK(contam_report_render(rep, 1, "md", stdout, &err) < 0);
	CHECK(has(&err, rep[0]));

	contam_params p;
	CHECK(contam_plan_filter(1000, 1e-3, 0, 0, &p, NULL, &err) == CONTAM_E_PARAM);
	CHECK(has(&err, "n-gram size 0"));
	CHECK(contam_plan_filter(1000, 2.0, 0, 8, &p, NULL, &err) == CONTAM_E_PARAM);
	CHECK(has(&err, "false-positive rate"));
	/* a success clears the record */
	CHECK(contam_plan_filter(1000, 1e-3, 0, 8, &p, NULL, &err) == CONTAM_OK);
	CHECK(err.code == CONTAM_OK && err.msg[0] == '\0');
}

/* A writer that takes `budget` bytes, then fails with `code`. */
typedef struct failing {
	size_t budget, taken;
	int code, calls_after;
} failing;

static int failing_write(void *ctx, const void *p, size_t n)
{
	(void)p;
	failing *f = ctx;
	if (f->taken + n > f->budget) {
		f->calls_after++;
		errno = ENOSPC;
		return f->code;
	}
	f->taken += n;
	return CONTAM_OK;
}

/* The bytes a FILE* form writes, through a temporary file. */
typedef int (*file_form)(const contam_result *r, FILE *f);
static char *via_file(file_form fn, const contam_result *r, size_t *len)
{
	const char *path = tu_path("via-file.out");
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return NULL;
	CHECK(fn(r, f) == CONTAM_OK);
	CHECK(fclose(f) == 0);
	return slurp(path, len);
}

static void same_bytes(const char *what, const char *a, size_t alen,
		       const contam_membuf *m)
{
	int same = a && m->data && alen == m->len && memcmp(a, m->data, alen) == 0;
	CHECK(same);
	if (!same)
		fprintf(stderr, "%s: FILE* gave %zu bytes, memory %zu\n", what, alen, m->len);
}

static void test_reports(void)
{
	char bpath[512], cpath[512];
	snprintf(bpath, sizeof bpath, "%s", tu_path("bench.jsonl"));
	snprintf(cpath, sizeof cpath, "%s", tu_path("corpus.jsonl"));
	char line[1024];
	snprintf(line, sizeof line, "{\"text\": \"a page where %s, as it was copied\"}\n",
		 COPIED);
	tu_write_file(cpath, line, strlen(line));
	char bench[2048];
	snprintf(bench, sizeof bench,
		 "{\"id\": \"a\", \"text\": \"%s\"}\n"
		 "{\"id\": \"b\", \"text\": \"nothing of this sentence was ever written "
		 "into the corpus file at all\"}\n", COPIED);
	tu_write_file(bpath, bench, strlen(bench));

	contam_params par = { .ngram = 8, .k = 7, .nblocks = 64, .seed = 1,
			      .recipe_version = CONTAM_RECIPE_VERSION };
	contam_index *ix = NULL;
	contam_inputs in = { 0 };
	contam_build_options bopt;
	contam_error err;
	const char *corpus = cpath;
	contam_build_options_init(&bopt);
	CHECK(contam_index_new(&ix, &par, &err) == CONTAM_OK);
	CHECK(contam_inputs_expand(&in, &corpus, 1, &err) == CONTAM_OK);
	if (!ix || contam_index_build(ix, &in, &bopt) != CONTAM_OK) {
		CHECK(!"cannot build the index");
		contam_inputs_free(&in);
		contam_index_free(ix);
		return;
	}
	contam_probe *p = NULL;
	CHECK(contam_probe_new(&p, ix, "x.cidx", NULL, &err) == CONTAM_OK);
	CHECK(p && contam_probe_add_file(p, "b", bpath) == CONTAM_OK);
	if (!p) {
		contam_inputs_free(&in);
		contam_index_free(ix);
		return;
	}
	contam_result r;
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 2);

	/* memory and FILE* give the same bytes */
	size_t flen = 0;
	char *fb = via_file(contam_report_json, &r, &flen);
	contam_membuf m = CONTAM_MEMBUF_INIT;
	contam_sink ms = contam_sink_membuf(&m);
	CHECK(contam_report_json_to(&r, &ms, &err) == CONTAM_OK);
	CHECK(err.code == CONTAM_OK);
	same_bytes("json", fb, flen, &m);
	CHECK(m.data && strstr(m.data, "\"report_version\": 1") != NULL);
	CHECK(m.data && m.data[m.len] == '\0');
	free(fb);
	/* keep it: the render reads it back */
	const char *jpath = tu_path("report.json");
	tu_write_file(jpath, m.data ? m.data : "", m.len);
	contam_membuf_free(&m);
	CHECK(m.data == NULL && m.len == 0);

	fb = via_file(contam_report_table, &r, &flen);
	ms = contam_sink_membuf(&m);
	CHECK(contam_report_table_to(&r, &ms, &err) == CONTAM_OK);
	same_bytes("table", fb, flen, &m);
	CHECK(m.data && strstr(m.data, "benchmark") == m.data);
	free(fb);
	contam_membuf_free(&m);

	const char *rp[1] = { jpath };
	const char *opath = tu_path("render.md");
	FILE *of = fopen(opath, "wb");
	CHECK(of && contam_report_render(rp, 1, "md", of, &err) == CONTAM_OK);
	if (of)
		fclose(of);
	fb = slurp(opath, &flen);
	ms = contam_sink_membuf(&m);
	CHECK(contam_report_render_to(rp, 1, "md", &ms, &err) == CONTAM_OK);
	same_bytes("render md", fb, flen, &m);
	free(fb);
	contam_membuf_free(&m);

	/* a writer that fails: the call fails with its code and says so,
	 * whether it fails at once or after some bytes */
	for (size_t budget = 0; budget <= 64; budget += 64) {
		failing f = { budget, 0, CONTAM_E_IO, 0 };
		contam_sink fs = { failing_write, &f };
		CHECK(contam_report_json_to(&r, &fs, &err) == CONTAM_E_IO);
		CHECK(err.code == CONTAM_E_IO && has(&err, "cannot write the output"));
		CHECK(has(&err, strerror(ENOSPC)));
		CHECK(f.calls_after == 1); /* it stopped at the failure */
		f = (failing){ budget, 0, CONTAM_E_LIMIT, 0 };
		CHECK(contam_report_table_to(&r, &fs, &err) == CONTAM_E_LIMIT);
		CHECK(err.code == CONTAM_E_LIMIT && err.msg[0]);
		f = (failing){ budget, 0, CONTAM_E_IO, 0 };
		CHECK(contam_report_render_to(rp, 1, "md", &fs, &err) == CONTAM_E_IO);
		CHECK(has(&err, "cannot write the output"));
	}
	/* a full disk through the FILE* forms */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		CHECK(contam_report_json(&r, full) == CONTAM_E_IO);
		CHECK(contam_report_table(&r, full) == CONTAM_E_IO);
		CHECK(contam_report_render(rp, 1, "csv", full, &err) == CONTAM_E_IO);
		CHECK(has(&err, strerror(ENOSPC)));
		fclose(full);
	}

	/* the exact scan's report: memory equals FILE*, a failing writer fails */
	contam_scan_options so;
	contam_scan_options_init(&so);
	so.threads = 1;
	contam_scan *s = NULL;
	CHECK(contam_scan_new(&s, &so, &err) == CONTAM_OK);
	if (s && contam_scan_add_file(s, "b", bpath) == CONTAM_OK &&
	    contam_scan_run(s, &in) == CONTAM_OK) {
		const char *spath = tu_path("scan.json");
		FILE *sf = fopen(spath, "wb");
		CHECK(sf && contam_scan_report_json(s, sf) == CONTAM_OK);
		if (sf)
			fclose(sf);
		fb = slurp(spath, &flen);
		ms = contam_sink_membuf(&m);
		CHECK(contam_scan_report_json_to(s, &ms, &err) == CONTAM_OK);
		same_bytes("scan json", fb, flen, &m);
		CHECK(m.data && strstr(m.data, "\"doc_count\"") != NULL);
		free(fb);
		contam_membuf_free(&m);
		failing f = { 100, 0, CONTAM_E_IO, 0 };
		contam_sink fs = { failing_write, &f };
		CHECK(contam_scan_report_json_to(s, &fs, &err) == CONTAM_E_IO);
		CHECK(has(&err, "cannot write the output"));
		/* no near-dup table without near_dup */
		ms = contam_sink_membuf(&m);
		CHECK(contam_scan_near_dup_table_to(s, &ms, &err) == CONTAM_E_PARAM &&
		      has(&err, "without near_dup") && m.len == 0);
		contam_membuf_free(&m);
	} else {
		CHECK(!"the scan did not run");
	}
	contam_scan_free(s);

	/* the near-dup table: memory equals FILE*, a failing writer fails */
	so.near_dup = 1;
	s = NULL;
	CHECK(contam_scan_new(&s, &so, &err) == CONTAM_OK);
	if (s && contam_scan_add_file(s, "b", bpath) == CONTAM_OK &&
	    contam_scan_run(s, &in) == CONTAM_OK) {
		const char *tpath = tu_path("neardup.txt");
		FILE *tf = fopen(tpath, "wb");
		CHECK(tf && contam_scan_near_dup_table(s, tf) == CONTAM_OK);
		if (tf)
			fclose(tf);
		fb = slurp(tpath, &flen);
		ms = contam_sink_membuf(&m);
		CHECK(contam_scan_near_dup_table_to(s, &ms, &err) == CONTAM_OK);
		same_bytes("near-dup table", fb, flen, &m);
		CHECK(m.data && strstr(m.data, "near-dup (exact)") != NULL);
		free(fb);
		contam_membuf_free(&m);
		failing f = { 10, 0, CONTAM_E_IO, 0 };
		contam_sink fs = { failing_write, &f };
		CHECK(contam_scan_near_dup_table_to(s, &fs, &err) == CONTAM_E_IO);
		CHECK(has(&err, "cannot write the output"));
	} else {
		CHECK(!"the near-dup scan did not run");
	}
	contam_scan_free(s);
	contam_probe_free(p);
	contam_inputs_free(&in);
	contam_index_free(ix);
}

/* contam_fast_paths from several threads at once: one finished text,
 * never rewritten under a reader (it was a static buffer each call
 * rewrote). */
static void *ask_fast_paths(void *arg)
{
	const char **out = arg;
	*out = contam_fast_paths();
	return NULL;
}

static void test_fast_paths(void)
{
	const char *first = contam_fast_paths();
	char copy[256];
	snprintf(copy, sizeof copy, "%s", first);
	CHECK(strncmp(copy, "tokenizer ", 10) == 0 && strstr(copy, ", gzip ") != NULL);
	pthread_t th[4];
	const char *got[4] = { NULL, NULL, NULL, NULL };
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, ask_fast_paths, &got[i]) == 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK(got[i] == first); /* the same text, not a new one */
	}
	CHECK(strcmp(first, copy) == 0);
}

/* The fast paths are passed in through the options: a build and a probe
 * on the scalar paths, zlib and no write queue give the default's bits
 * and report byte for byte, and the configuration's description names
 * the paths it asks for (within what the CPU has), not the default's. */
static int build_words(const char *corpus, const contam_fast *fast,
		       uint64_t **words, size_t *nwords, contam_index **out)
{
	contam_params par;
	contam_error err;
	contam_inputs in = { 0 };
	contam_build_options bopt;
	contam_build_options_init(&bopt);
	bopt.fast = fast;
	bopt.threads = 2;
	*out = NULL;
	if (contam_plan_filter(200000, 1e-3, 0, 8, &par, NULL, &err) ||
	    contam_index_new(out, &par, &err) ||
	    contam_inputs_expand(&in, &corpus, 1, &err) ||
	    contam_index_build(*out, &in, &bopt) ||
	    contam_index_filter_words(*out, words, nwords)) {
		contam_inputs_free(&in);
		return -1;
	}
	contam_inputs_free(&in);
	return 0;
}

/* The probe's JSON report; *hits: the hits of all examples. */
static char *probe_json(const contam_index *ix, const char *bench,
			const contam_fast *fast, size_t *len, uint64_t *hits)
{
	contam_probe_options po;
	contam_probe_options_init(&po);
	po.fast = fast;
	contam_probe *p = NULL;
	contam_error err;
	char *out = NULL;
	if (contam_probe_new(&p, ix, "x.cidx", &po, &err) == CONTAM_OK &&
	    contam_probe_add_file(p, "b", bench) == CONTAM_OK) {
		contam_result r;
		contam_probe_result(p, &r);
		*hits = 0;
		for (size_t i = 0; i < r.nexamples; i++)
			*hits += r.examples[i].hits;
		contam_membuf m = CONTAM_MEMBUF_INIT;
		contam_sink ms = contam_sink_membuf(&m);
		if (contam_report_json_to(&r, &ms, &err) == CONTAM_OK) {
			out = m.data;
			*len = m.len;
		} else {
			contam_membuf_free(&m);
		}
	}
	contam_probe_free(p);
	return out;
}

static void test_fast_options(void)
{
	contam_fast slow;
	contam_fast_limit(&slow, NULL, CONTAM_FAST_SCALAR);
	slow.isal = 0;
	slow.queue = 0;
	char d[256];
	CHECK(strcmp(contam_fast_describe(&slow, d, sizeof d), "tokenizer scalar, "
		     "Bloom insertion scalar, write queue off, gzip zlib") == 0);
	CHECK(strcmp(contam_fast_describe(NULL, d, sizeof d), contam_fast_paths()) == 0);
	/* narrowing never widens: the scalar one stays scalar */
	contam_fast again;
	contam_fast_limit(&again, &slow, CONTAM_FAST_AVX512);
	CHECK(again.tok == CONTAM_FAST_SCALAR && again.insert == CONTAM_FAST_SCALAR &&
	      again.windows == CONTAM_FAST_SCALAR);
	/* truncated to the caller's buffer */
	CHECK(strlen(contam_fast_describe(&slow, d, 10)) == 9);

	/* a corpus of many words of every length (all loop tails), its
	 * second half a benchmark's text */
	const char *cpath = tu_path("fast-corpus.jsonl");
	const char *bpath = tu_path("fast-bench.jsonl");
	FILE *cf = fopen(cpath, "w"), *bf = fopen(bpath, "w");
	CHECK(cf && bf);
	if (!cf || !bf)
		return;
	unsigned seed = 99;
	for (int doc = 0; doc < 60; doc++) {
		char text[4096];
		size_t n = 0;
		while (n < 3000) {
			int len = 1 + rand_r(&seed) % 17;
			for (int j = 0; j < len; j++)
				text[n++] = (char)("abcdefghijklmnopqrstuvwxyz0123456789"
					    "ABCDEF")[rand_r(&seed) % 42];
			text[n++] = ' ';
		}
		text[n] = '\0';
		fprintf(cf, "{\"text\": \"%s\"}\n", text);
		if (doc % 10 == 0)
			fprintf(bf, "{\"text\": \"%.400s\"}\n", text + 1000);
	}
	fprintf(bf, "{\"text\": \"words that were never in the corpus at all, "
		"not one of them, in any document\"}\n");
	fclose(cf);
	fclose(bf);

	uint64_t *wa = NULL, *wb = NULL;
	size_t na = 0, nb = 0;
	contam_index *a = NULL, *b = NULL;
	CHECK(build_words(cpath, NULL, &wa, &na, &a) == 0);
	CHECK(build_words(cpath, &slow, &wb, &nb, &b) == 0);
	CHECK(na > 0 && na == nb && wa && wb &&
	      memcmp(wa, wb, na * sizeof(uint64_t)) == 0);
	size_t la = 0, lb = 0;
	uint64_t ha = 0, hb = 0;
	char *ja = a ? probe_json(a, bpath, NULL, &la, &ha) : NULL;
	char *jb = a ? probe_json(a, bpath, &slow, &lb, &hb) : NULL;
	CHECK(ja && jb && la == lb && memcmp(ja, jb, la) == 0);
	/* the copied passages were found (6 of about 40 tokens each) */
	fprintf(stderr, "fast options: %" PRIu64 " hits by default, %" PRIu64
		" on the scalar paths\n", ha, hb);
	CHECK(ha == hb && ha >= 6 * 20);
	free(ja);
	free(jb);
	contam_index_free(a);
	contam_index_free(b);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test_api_errors-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_constructors();
	test_reports();
	test_fast_paths();
	test_fast_options();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("api_errors");
}
