/*
 * test_report.c -- error bars and renderers: Wilson intervals,
 * the run and binomial probabilities behind "expected false", the
 * null-control shuffle, LaTeX escaping, CSV quoting, and golden files for
 * every `contam report` format (testdata/report_golden; regenerate with
 * CONTAM_UPDATE_GOLDEN=1 after a deliberate change, and review the diff).
 */
#include "common/common.h"
#include "probe/probe_metrics.h"
#include "report/report.h"
#include "report/report_measures.h"
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void test_wilson(void)
{
	double lo, hi;
	/* hand-computed: z = 1.959964, z^2 = 3.841459 */
	cprobe_wilson(0, 10, &lo, &hi);          /* [0, z^2/(10+z^2)] */
	CHECK(lo == 0 && NEAR(hi, 0.2775327998628893, 1e-12));
	cprobe_wilson(5, 10, &lo, &hi);
	CHECK(NEAR(lo, 0.236593090512564, 1e-12) && NEAR(hi, 0.7634069094874361, 1e-12));
	cprobe_wilson(66, 120, &lo, &hi);
	CHECK(NEAR(lo, 0.46081543419687576, 1e-12) && NEAR(hi, 0.6360826491612539, 1e-12));
	cprobe_wilson(1, 1319, &lo, &hi);
	CHECK(NEAR(lo, 0.00013384465011300785, 1e-14) && NEAR(hi, 0.004281997310193977, 1e-14));
	cprobe_wilson(10, 10, &lo, &hi);
	CHECK(hi == 1 && NEAR(lo, 1 - 0.2775327998628893, 1e-12));
	cprobe_wilson(0, 0, &lo, &hi);
	CHECK(lo == 0 && hi == 1);
}

/* P(run of >= r ones in G trials) by enumerating all 2^G strings. */
static double brute_run(size_t G, double p, size_t r)
{
	double total = 0;
	for (unsigned long m = 0; m < (1ul << G); m++) {
		size_t run = 0, best = 0, ones = 0;
		for (size_t i = 0; i < G; i++) {
			if (m >> i & 1) {
				ones++;
				if (++run > best)
					best = run;
			} else {
				run = 0;
			}
		}
		if (best >= r)
			total += pow(p, (double)ones) * pow(1 - p, (double)(G - ones));
	}
	return total;
}

static void test_probabilities(void)
{
	/* by hand: HHT, THH, HHH of 8 */
	CHECK(NEAR(cprobe_p_run(3, 0.5, 2), 0.375, 1e-15));
	CHECK(NEAR(cprobe_p_run(10, 0.5, 3), 0.5078125, 1e-15)); /* 520/1024 */
	CHECK(NEAR(cprobe_p_run(5, 0.3, 2), 0.27333, 1e-12));
	CHECK(cprobe_p_run(2, 0.5, 3) == 0);
	CHECK(cprobe_p_run(5, 0, 1) == 0);
	for (size_t G = 1; G <= 14; G++)
		for (size_t r = 1; r <= 5; r++)
			CHECK(NEAR(cprobe_p_run(G, 0.37, r), brute_run(G, 0.37, r), 1e-12));
	/* no cancellation at filter rates: one start ~ G p^r */
	double v = cprobe_p_run(100, 1e-3, 3);
	CHECK(v > 0.97e-7 && v < 0.99e-7);
	CHECK(NEAR(cprobe_binom_tail(4, 0.5, 3), 5.0 / 16, 1e-15));
	CHECK(NEAR(cprobe_binom_tail(13, 0.1, 5), 0.006460155959500003, 1e-13));
	CHECK(cprobe_binom_tail(13, 0.1, 0) == 1 && cprobe_binom_tail(3, 0.1, 4) == 0);
	/* T=20, n=8, min_span 10: runs of >= 3 hits; contaminated needs 16
	 * covered tokens, so >= ceil(16*3/10) = 5 hits: min(P_run, P_bin) */
	CHECK(NEAR(cprobe_false_flag(20, 8, 10, 0.1, 0.8), 0.006460155959500003, 1e-13));
	/* partial needs 4 tokens: one run of 3 suffices, exact P_run */
	CHECK(NEAR(cprobe_false_flag(20, 8, 10, 0.1, 0.2), 0.009976697775999414, 1e-13));
	CHECK(cprobe_false_flag(5, 8, 10, 0.1, 0.2) == 0); /* too short */
}

static contam_example score(const char *pattern, size_t T, uint32_t n)
{
	contam_example ex;
	unsigned char hit[128];
	size_t G = strlen(pattern);
	memset(&ex, 0, sizeof(ex));
	for (size_t i = 0; i < G; i++)
		hit[i] = pattern[i] == '1';
	cprobe_score(&ex, hit, G, T, n, 10);
	return ex;
}

static void test_definitions(void)
{
	/* T=20, n=8, G=13.  6 consecutive hits span 13 tokens: GPT-3 yes */
	contam_example e = score("1111110000000", 20, 8);
	CHECK(e.gpt3 && e.longest == 13);
	CHECK(!e.palm);                       /* 6/13 < 70% */
	CHECK_EQ_U64(e.covered10, 13);        /* Llama 2: 13/20 = not_clean */
	/* 5 hits span 12 tokens: no GPT-3 match */
	e = score("1111100000000", 20, 8);
	CHECK(!e.gpt3 && e.longest == 12);
	/* PaLM: 10 of 13 8-grams found (>= 9.1) even in short runs */
	e = score("1101101101111", 20, 8);
	CHECK(e.palm && e.hits == 10);
	/* the same hits with a 13-gram index never set palm */
	e = score("11111111", 20, 13);
	CHECK(!e.palm && e.gpt3);
	/* a 9-token example fully matched: GPT-3's span is all of it */
	e = score("11", 9, 8);
	CHECK(e.gpt3 && e.covered10 == 9);
	/* Llama 2 coverage counts spans >= 10 even when min_span is 20 */
	contam_example f;
	unsigned char hit[13] = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	memset(&f, 0, sizeof(f));
	cprobe_score(&f, hit, 13, 20, 8, 20);
	CHECK(f.covered == 0 && f.covered10 == 10);
	/* question/answer: tokens 0..11 question, 12..19 answer; the run of
	 * hits 2..6 covers tokens 2..13 and straddles the boundary */
	unsigned char qa[13] = { 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
	memset(&f, 0, sizeof(f));
	f.has_qa = 1;
	cprobe_score_split(&f, qa, 13, 20, 8, 10, 12);
	CHECK_EQ_U64(f.q_covered, 10);
	CHECK_EQ_U64(f.a_covered, 2);
	CHECK_EQ_U64(f.q_tokens, 12);
	CHECK_EQ_U64(f.a_tokens, 8);
	f.q_tokens = 12, f.q_covered = 10, f.a_tokens = 8, f.a_covered = 2;
	CHECK(contam_example_qa_label(&f) == CONTAM_QA_QUESTION_ANSWER);
	f.a_covered = 1;
	CHECK(contam_example_qa_label(&f) == CONTAM_QA_QUESTION);
	f.q_covered = 0;
	CHECK(contam_example_qa_label(&f) == CONTAM_QA_CLEAN);
	f.a_covered = 8;
	CHECK(contam_example_qa_label(&f) == CONTAM_QA_ANSWER);
	CHECK_STR(contam_qa_label_name(CONTAM_QA_QUESTION), "question_contaminated");
}

/* Decimals from the interval's width; 1 of 1000 is never
 * "0.1 [0.0, 0.1]". */
static void test_decimals(void)
{
	char buf[96];
	double lo, hi;
	creport_rate_v v = { CREPORT_VALUE, 1, 1000, 0.001, 0, 0 };
	cprobe_wilson(1, 1000, &v.lo, &v.hi);
	creport_fmt_rate(buf, sizeof buf, &v, "%", "-");
	CHECK(!strcmp(buf, "0.10% [0.02, 0.56]"));
	cprobe_wilson(300, 1000, &lo, &hi);
	v = (creport_rate_v){ CREPORT_VALUE, 300, 1000, 0.3, lo, hi };
	creport_fmt_rate(buf, sizeof buf, &v, "", "-");
	CHECK(!strcmp(buf, "30.0 [27.2, 32.9]"));
	cprobe_wilson(5, 100000, &lo, &hi);
	v = (creport_rate_v){ CREPORT_VALUE, 5, 100000, 5e-5, lo, hi };
	CHECK(creport_decimals(&v) == 4);
	v.state = CREPORT_NA;
	creport_fmt_rate(buf, sizeof buf, &v, "%", "-");
	CHECK(!strcmp(buf, "n/a"));
	v.state = CREPORT_NOT_PROBED;
	creport_fmt_rate(buf, sizeof buf, &v, "%", "--");
	CHECK(!strcmp(buf, "--"));
	CHECK(creport_definition_measures("llama2") == (1u << CM_L2_DIRTY | 1u << CM_L2_NOT_CLEAN));
	CHECK(creport_definition_measures("gpt-3") == 0);
}

static void test_escaping(void)
{
	cbuf b = CBUF_INIT;
	CHECK(creport_latex_escape(&b, "a&b%c$d#e_f{g}h~i^j\\k") == 0);
	CHECK_STR(b.data, "a\\&b\\%c\\$d\\#e\\_f\\{g\\}h\\textasciitilde{}i"
		  "\\textasciicircum{}j\\textbackslash{}k");
	cbuf_reset(&b);
	CHECK(creport_csv_field(&b, "plain") == 0);
	CHECK_STR(b.data, "plain");
	cbuf_reset(&b);
	CHECK(creport_csv_field(&b, "say \"hi\", ok") == 0);
	CHECK_STR(b.data, "\"say \"\"hi\"\", ok\"");
	cbuf_reset(&b);
	CHECK(creport_csv_field(&b, "two\nlines") == 0);
	CHECK_STR(b.data, "\"two\nlines\"");
	cbuf_reset(&b);
	CHECK(creport_html_escape(&b, "<a href='x'>&\"</a>") == 0);
	CHECK_STR(b.data, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
	cbuf_release(&b);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	cbuf b = CBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cbuf_append(&b, buf, n);
	fclose(f);
	return cbuf_detach(&b, len);
}

static void golden(const char *dir, const char *const *inputs, size_t n,
		   const char *format, const char *expected)
{
	char path[1024];
	json_t *reports[4];
	cbuf b = CBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/report_golden/%s", dir, inputs[i]);
		reports[i] = json_load_file(path, 0, NULL);
		CHECK(reports[i] != NULL);
		if (!reports[i])
			return;
	}
	CHECK(creport_render_loaded(reports, n, format, &b) == 0);
	snprintf(path, sizeof(path), "%s/report_golden/%s", dir, expected);
	if (getenv("CONTAM_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		CHECK(f && fwrite(b.data, 1, b.len, f) == b.len && fclose(f) == 0);
	}
	size_t len = 0;
	char *want = slurp(path, &len);
	CHECK(want != NULL);
	if (want && (len != b.len || memcmp(want, b.data, len))) {
		CHECK(!"rendered output differs from the golden file");
		fprintf(stderr, "  golden: %s\n", path);
	} else if (want) {
		CHECK(1);
	}
	free(want);
	cbuf_release(&b);
	for (size_t i = 0; i < n; i++)
		json_decref(reports[i]);
}

static void test_golden(const char *dir)
{
	static const char *const one[] = { "corpus_a.json" };
	static const char *const two[] = { "corpus_a.json", "corpus_b.json" };
	golden(dir, one, 1, "md", "single.md");
	golden(dir, two, 2, "md", "grid.md");
	golden(dir, two, 2, "latex", "grid.tex");
	golden(dir, two, 2, "csv", "grid.csv");
	golden(dir, two, 2, "conda", "grid.conda.csv");
	golden(dir, two, 2, "html", "grid.html");
	cbuf b = CBUF_INIT;
	json_t *r = json_object();
	CHECK(creport_render_loaded(&r, 1, "pdf", &b) == CONTAM_E_PARAM);
	json_decref(r);
	cbuf_release(&b);
}

int main(int argc, char **argv)
{
	const char *dir = tu_datadir(argc, argv);
	test_wilson();
	test_probabilities();
	test_definitions();
	test_escaping();
	test_decimals();
	test_golden(dir);
	return tu_finish("report");
}
