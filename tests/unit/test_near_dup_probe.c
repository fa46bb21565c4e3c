/*
 * test_near_dup_probe.c -- probe --near-dup's arithmetic and report: the
 * expected false near-dups of b band lookups, the per-benchmark counts
 * beside the n-gram verdicts (cprobe_tally), the report's keys only when
 * near-dup was probed, and `contam report` reading them back.
 */
#include "common/common.h"
#include "probe/probe_metrics.h"
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
	CHECK(strstr(j, "\"minhash\": {\"shingle\": 5, \"bands\": 8, \"rows\": 3, "
		      "\"windows\": [24, 48], \"stride_div\": 2") != NULL);
	/* 4 scored (one unscored), 3 near-dup: Wilson as the n-gram rates */
	CHECK(strstr(j, "\"scored\": 4, \"unscored\": 1, \"near_dup\": {\"count\": 3, "
		      "\"n\": 4, \"rate\": 0.75") != NULL);
	CHECK(strstr(j, "\"near_dup_only\": {\"count\": 2, \"n\": 4") != NULL);
	CHECK(strstr(j, "\"near_dup_unflagged\": {\"count\": 1, \"n\": 4") != NULL);
	char want[128];
	snprintf(want, sizeof want, "\"expected_false\": %.6g",
		 4 * cprobe_near_dup_false(8, 1e-4));
	CHECK(strstr(j, want) != NULL);
	CHECK(strstr(j, "\"near_dup\": true, \"near_dup_bands\": 3, \"near_dup_jaccard\": "
		      "[0.4, 0.9], \"near_dup_shingles\": 12") != NULL);
	CHECK(strstr(j, "\"near_dup\": false, \"near_dup_bands\": 0") != NULL);
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

int main(void)
{
	test_false_rate();
	test_tally_and_report();
	return tu_finish("near_dup_probe");
}
