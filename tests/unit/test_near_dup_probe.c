/*
 * test_near_dup_probe.c -- probe --near-dup's arithmetic and report: the
 * expected false near-dups of b band lookups, the per-benchmark counts
 * beside the n-gram verdicts (cprobe_tally), the report's keys only when
 * near-dup was probed, and `contam report` reading them back.
 */
#include "common/common.h"
#include "index/index.h"
#include "index/index_minhash.h"
#include "ngram/minhash.h"
#include "ngram/ngram.h"
#include "probe/probe_metrics.h"
#include "text/text.h"
#include "report/report.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void test_false_rate(void)
{
	/* 1 - (1 - p)^b, exact where 1 - p would round */
	CHECK(cprobe_near_dup_false(8, 0) == 0);
	CHECK(cprobe_near_dup_false(0, 0.01) == 0);
	CHECK(cprobe_near_dup_false(8, 1) == 1);
	CHECK(NEAR(cprobe_near_dup_false(1, 0.25), 0.25, 1e-15));
	CHECK(NEAR(cprobe_near_dup_false(2, 0.5), 0.75, 1e-15));
	CHECK(NEAR(cprobe_near_dup_false(8, 1.25e-4), 1 - pow(1 - 1.25e-4, 8), 1e-15));
	/* p = 1e-15 per band: 8e-15 to 12 digits (1 - (1 - p)^8 in doubles
	 * is off by about 10%) */
	double f = cprobe_near_dup_false(8, 1e-15);
	CHECK(NEAR(f / 8e-15, 1, 1e-9));
	/* the rate rises with b and with p */
	CHECK(cprobe_near_dup_false(16, 1e-4) > cprobe_near_dup_false(8, 1e-4));
	CHECK(cprobe_near_dup_false(8, 2e-4) > cprobe_near_dup_false(8, 1e-4));
	CHECK(cprobe_near_dup_false(8, 1e-4) < 8e-4);
}

static contam_example ex_of(const char *bench, contam_verdict v, int has, int nd,
			    int unscored)
{
	contam_example e;
	memset(&e, 0, sizeof(e));
	e.benchmark = bench;
	e.source = "b.jsonl";
	e.verdict = v;
	e.tokens = 20;
	e.has_near_dup = (uint8_t)has;
	e.near_dup = (uint8_t)nd;
	e.near_dup_unscored = (uint8_t)unscored;
	e.near_dup_bands = nd ? 3 : 0;
	e.near_dup_shingles = unscored ? 0 : 12;
	e.near_dup_jaccard_lo = nd ? 0.4 : 0;
	e.near_dup_jaccard_hi = nd ? 0.9 : 0.5;
	return e;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	(void)n;
	fclose(f);
	return buf;
}

static void test_tally_and_report(void)
{
	contam_example ex[6];
	ex[0] = ex_of("b", CONTAM_CONTAMINATED, 1, 1, 0); /* both */
	ex[1] = ex_of("b", CONTAM_PARTIAL, 1, 1, 0);      /* only, not unflagged */
	ex[2] = ex_of("b", CONTAM_CLEAN, 1, 1, 0);        /* only, unflagged */
	ex[3] = ex_of("b", CONTAM_CLEAN, 1, 0, 0);
	ex[4] = ex_of("b", CONTAM_TOO_SHORT, 1, 0, 1);    /* no shingle */
	ex[5] = ex_of("b", CONTAM_CLEAN, 0, 0, 0);        /* not probed */
	contam_benchmark bm;
	memset(&bm, 0, sizeof(bm));
	bm.name = "b";
	cprobe_tally(&bm, ex, 6, NULL);
	CHECK_EQ_U64(bm.examples, 6);
	CHECK_EQ_U64(bm.near_dup, 3);
	CHECK_EQ_U64(bm.near_dup_only, 2);
	CHECK_EQ_U64(bm.near_dup_unflagged, 1);
	CHECK_EQ_U64(bm.near_dup_unscored, 1);
	unsigned char sel[6] = { 0, 1, 1, 1, 1, 1 };
	cprobe_tally(&bm, ex, 6, sel);
	CHECK_EQ_U64(bm.near_dup, 2);
	CHECK_EQ_U64(bm.near_dup_only, 2);
	cprobe_tally(&bm, ex, 5, NULL);

	/* the report: keys only with near_dup set */
	contam_result r;
	memset(&r, 0, sizeof(r));
	r.index_path = "x.cidx";
	r.index.params.ngram = 8;
	r.index.recipe = "ws/v1";
	r.min_span = 10;
	r.benchmarks = &bm;
	r.nbenchmarks = 1;
	r.examples = ex;
	r.nexamples = 5;
	contam_membuf plain = { 0 }, nd = { 0 };
	contam_sink s = contam_sink_membuf(&plain);
	CHECK(contam_report_json_to(&r, &s, NULL) == CONTAM_OK);
	CHECK(plain.data && !strstr(plain.data, "near_dup") && !strstr(plain.data, "minhash"));
	r.near_dup = 1;
	r.near_dup_shingle = 5;
	r.near_dup_bands = 8;
	r.near_dup_rows = 3;
	r.near_dup_nwindows = 2;
	r.near_dup_windows[0] = 24;
	r.near_dup_windows[1] = 48;
	r.near_dup_stride_div = 2;
	r.near_dup_band_fpr = 1e-4;
	s = contam_sink_membuf(&nd);
	CHECK(contam_report_json_to(&r, &s, NULL) == CONTAM_OK);
	const char *j = nd.data ? nd.data : "";
	char want[128];
	CHECK(strstr(j, "\"minhash\": {\"shingle\": 5, \"bands\": 8, \"rows\": 3, "
		      "\"windows\": [24, 48], \"stride_div\": 2") != NULL);
	/* 4 scored (one unscored), 3 near-dup: Wilson as the n-gram rates */
	CHECK(strstr(j, "\"scored\": 4, \"unscored\": 1, \"near_dup\": {\"count\": 3, "
		      "\"n\": 4, \"rate\": 0.75") != NULL);
	CHECK(strstr(j, "\"near_dup_only\": {\"count\": 2, \"n\": 4") != NULL);
	CHECK(strstr(j, "\"near_dup_unflagged\": {\"count\": 1, \"n\": 4") != NULL);
	snprintf(want, sizeof want, "\"expected_false\": %.6g",
		 4 * cprobe_near_dup_false(8, 1e-4));
	CHECK(strstr(j, want) != NULL);
	CHECK(strstr(j, "\"near_dup\": true, \"near_dup_bands\": 3, \"near_dup_jaccard\": "
		      "[0.4, 0.9], \"near_dup_shingles\": 12") != NULL);
	CHECK(strstr(j, "\"near_dup\": false, \"near_dup_bands\": 0") != NULL);
	/* a near-dup's chance: P(Binomial(8, 1e-4) >= 3) = 56e-12 to 3 digits */
	snprintf(want, sizeof want, "\"near_dup_shingles\": 12, \"near_dup_chance\": %.3g",
		 cprobe_binom_tail(8, 1e-4, 3));
	CHECK(strstr(j, want) != NULL);
	CHECK(NEAR(cprobe_binom_tail(8, 1e-4, 3) / 56e-12, 1, 1e-2));
	CHECK(strstr(j, "\"near_dup_shingles\": 12}") != NULL); /* not near-dup: no chance */
	/* no shingle: null, never false */
	CHECK(strstr(j, "\"near_dup\": null, \"near_dup_unscored\": true") != NULL);
	CHECK(strstr(j, "\"near_dup\": true}") != NULL || strstr(j, "\"near_dup\": true,") != NULL);

	/* contam report reads the keys back: the md summary's columns */
	char path[] = "/tmp/test_near_dup_probe_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	FILE *f = fdopen(fd, "w");
	fwrite(nd.data, 1, nd.len, f);
	fclose(f);
	char out_md[] = "/tmp/test_near_dup_probe_md_XXXXXX";
	int fo = mkstemp(out_md);
	FILE *o = fdopen(fo, "w");
	const char *paths[1] = { path };
	CHECK(contam_report_render(paths, 1, "md", o, NULL) == CONTAM_OK);
	fclose(o);
	char *md = slurp(out_md);
	CHECK(md && strstr(md, "| near-dup | near-dup only |"));
	CHECK(md && strstr(md, "| 3 (75.0% ["));
	unlink(out_md);
	o = fopen(out_md, "w");
	CHECK(contam_report_render(paths, 1, "csv", o, NULL) == CONTAM_OK);
	fclose(o);
	free(md);
	md = slurp(out_md);
	CHECK(md && strstr(md, ",near_dup,near_dup,true,3,4,0.75,"));
	CHECK(md && strstr(md, ",near_dup,near_dup_only,true,2,4,0.5,"));
	free(md);
	unlink(out_md);
	unlink(path);
out:
	contam_membuf_free(&plain);
	contam_membuf_free(&nd);
}

/* ---- end to end through the real section lookups ---- */

static cmh_doc *g_doc;
static cmh_filter *g_mh;

static void put_keys(void *ctx, const uint64_t *keys, size_t n)
{
	(void)ctx;
	cbloom_insert_batch(&g_mh->f, NULL, keys, n);
}

static void put_token(void *ctx, const ctok_token *t)
{
	(void)ctx;
	uint64_t le = cngram_le64(t->hash);
	cmh_doc_tokens(g_doc, &le, 1);
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

/* A sentence of 12 made-up words, from seed s. */
static void sentence(char *out, size_t len, unsigned s)
{
	size_t o = 0;
	for (int w = 0; w < 12 && o + 16 < len; w++) {
		unsigned v = rnd(&s);
		for (int c = 0; c < 6; c++)
			out[o++] = (char)('a' + (v >> (3 * c)) % 26);
		out[o++] = w == 11 ? '.' : ' ';
	}
	out[o++] = ' ';
	out[o] = '\0';
}

static void test_probe_end_to_end(void)
{
	/* an index whose n-gram filter is empty and whose minhash section
	 * holds the windows of one document: item 0's sentences reversed */
	contam_params par = { .ngram = 8, .k = 7, .nblocks = 64, .seed = 99,
			      .recipe_version = CONTAM_RECIPE_VERSION };
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &par, NULL) == CONTAM_OK);
	if (!ix)
		return;
	cmh_params mp;
	cmh_params_default(&mp, ix->params.seed);
	uint64_t nb;
	uint32_t k;
	CHECK(cmh_filter_plan(100000, 1e-4, &nb, &k) == CONTAM_OK);
	g_mh = cmh_filter_new(&mp, nb, k, 0, 1, 1);
	CHECK(g_mh != NULL);
	if (!g_mh) {
		contam_index_free(ix);
		return;
	}
	char s[3][8][128], doc[4096] = "", bench[16384] = "";
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 8; j++)
			sentence(s[i][j], sizeof s[i][j], 1000u * (unsigned)i + (unsigned)j + 7u);
	for (int j = 7; j >= 0; j--)
		strcat(doc, s[0][j]);
	CHECK(cmh_doc_new(&g_doc, &mp, NULL, put_keys, NULL) == CONTAM_OK);
	ctok tok;
	ctok_init(&tok, NULL, mp.seed, put_token, NULL);
	cmh_doc_begin(g_doc);
	CHECK(ctok_feed(&tok, doc, strlen(doc)) == CONTAM_OK && ctok_finish(&tok) == CONTAM_OK);
	cmh_doc_end(g_doc);
	CHECK(cmh_doc_windows(g_doc) > 0);
	ctok_release(&tok);
	cmh_doc_free(g_doc);
	cmh_filter_measure(g_mh);
	/* items: 0 (its sentences in order, in two fields), 1 and 2 unrelated,
	 * 3 without a shingle */
	for (int i = 0; i < 3; i++) {
		char a[2048] = "", b[2048] = "";
		for (int j = 0; j < 4; j++)
			strcat(a, s[i][j]);
		for (int j = 4; j < 8; j++)
			strcat(b, s[i][j]);
		char line[4200];
		snprintf(line, sizeof line, "{\"q\": \"%s\", \"a\": \"%s\"}\n", a, b);
		strcat(bench, line);
	}
	strcat(bench, "{\"q\": \"Too short.\", \"a\": \"Yes.\"}\n");
	contam_probe_options o;
	contam_probe_options_init(&o);
	o.near_dup = 1;
	contam_probe *p = NULL;
	contam_error err;
	/* no section yet: refused, naming --minhash */
	contam_minhash_info mi;
	CHECK(contam_index_minhash_info(ix, &mi) == CONTAM_E_PARAM);
	CHECK(contam_probe_new(&p, ix, "x.cidx", &o, &err) == CONTAM_E_PARAM);
	CHECK(strstr(err.msg, "--minhash") != NULL);
	ix->mh = g_mh;
	CHECK(contam_index_minhash_info(ix, &mi) == CONTAM_OK);
	CHECK(contam_probe_new(&p, ix, "x.cidx", &o, &err) == CONTAM_OK);
	if (p) {
		CHECK(contam_probe_add_buffer(p, "b", "b.jsonl", bench, strlen(bench),
					      CONTAM_BENCH_JSONL) == CONTAM_OK);
		contam_result r;
		contam_probe_result(p, &r);
		CHECK(r.nexamples == 4 && r.near_dup == 1 && r.near_dup_bands == mp.bands);
		CHECK(r.near_dup_band_fpr > 0 && r.near_dup_band_fpr < 1e-3);
		if (r.nexamples == 4) {
			const contam_example *e = r.examples;
			/* 8 sentences of 12 words: 8 * (12 - 5 + 1) shingles */
			CHECK_EQ_U64(e[0].near_dup_shingles, 64);
			CHECK(e[0].has_near_dup && e[0].near_dup && e[0].near_dup_bands > 0);
			CHECK(e[0].near_dup_jaccard_lo > 0 && e[0].near_dup_jaccard_hi <= 1);
			CHECK(e[0].verdict == CONTAM_CLEAN); /* the n-gram filter is empty */
			CHECK(!e[1].near_dup && !e[2].near_dup && !e[1].near_dup_unscored);
			CHECK(e[3].near_dup_unscored && !e[3].near_dup);
			CHECK_EQ_U64(r.benchmarks[0].near_dup, 1);
			CHECK_EQ_U64(r.benchmarks[0].near_dup_only, 1);
			CHECK_EQ_U64(r.benchmarks[0].near_dup_unscored, 1);
		}
		contam_probe_free(p);
	}
	/* without near_dup: nothing of it */
	o.near_dup = 0;
	CHECK(contam_probe_new(&p, ix, "x.cidx", &o, &err) == CONTAM_OK);
	if (p) {
		CHECK(contam_probe_add_buffer(p, "b", "b.jsonl", bench, strlen(bench),
					      CONTAM_BENCH_JSONL) == CONTAM_OK);
		contam_result r;
		contam_probe_result(p, &r);
		CHECK(!r.near_dup && r.nexamples == 4 && !r.examples[0].has_near_dup &&
		      !r.benchmarks[0].near_dup);
		contam_probe_free(p);
	}
	contam_index_free(ix); /* frees ix->mh */
}

int main(void)
{
	test_false_rate();
	test_tally_and_report();
	test_probe_end_to_end();
	return tu_finish("near_dup_probe");
}
