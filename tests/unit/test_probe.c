/*
 * test_probe.c -- the per-example metrics of docs/SCORING.md on hit vectors
 * whose answers are worked out by hand, and a brute-force cross-check on
 * random vectors.
 */
#include "probe/probe_metrics.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static contam_example run(const char *pattern, size_t T, uint32_t n,
			  uint32_t min_span)
{
	contam_example ex;
	memset(&ex, 0, sizeof(ex));
	size_t G = strlen(pattern);
	unsigned char hit[256];
	for (size_t i = 0; i < G; i++)
		hit[i] = pattern[i] == '1';
	cprobe_score(&ex, hit, G, T, n, min_span);
	return ex;
}

static void test_hand_cases(void)
{
	/* T=20, n=8: G=13.  All hits: one span of 20 tokens. */
	contam_example e = run("1111111111111", 20, 8, 10);
	CHECK_EQ_U64(e.hits, 13);
	CHECK_EQ_U64(e.longest, 20);
	CHECK(e.coverage == 1.0 && e.overlap == 1.0);
	CHECK(e.verdict == CONTAM_CONTAMINATED);

	/* No hits. */
	e = run("0000000000000", 20, 8, 10);
	CHECK(e.hits == 0 && e.longest == 0 && e.coverage == 0);
	CHECK(e.verdict == CONTAM_CLEAN);

	/* A lone hit spans 8 tokens < min_span 10: not covered. */
	e = run("0000001000000", 20, 8, 10);
	CHECK_EQ_U64(e.hits, 1);
	CHECK_EQ_U64(e.longest, 8);
	CHECK(e.coverage == 0);
	CHECK(e.verdict == CONTAM_CLEAN);

	/* Three consecutive hits: span 10 tokens = 0.5 of 20: partial. */
	e = run("1110000000000", 20, 8, 10);
	CHECK_EQ_U64(e.longest, 10);
	CHECK_EQ_U64(e.covered, 10);
	CHECK(fabs(e.coverage - 0.5) < 1e-12);
	CHECK(e.verdict == CONTAM_PARTIAL);

	/* Two runs whose token spans overlap are counted once:
	 * hits at 0-2 (tokens 0..9) and 4-6 (tokens 4..13): 14 tokens. */
	e = run("1110111000000", 20, 8, 10);
	CHECK_EQ_U64(e.covered, 14);
	CHECK(fabs(e.coverage - 0.7) < 1e-12);
	CHECK(e.verdict == CONTAM_PARTIAL);
	CHECK_EQ_U64(e.hits, 6);
	CHECK(fabs(e.overlap - 6.0 / 13) < 1e-12);

	/* One word in the middle changed: 8 n-grams miss, two 16/13-token
	 * halves... here T=40: G=33; miss n-grams 13..20 (word 20 changed). */
	char pat[34];
	for (int i = 0; i < 33; i++)
		pat[i] = (i >= 13 && i <= 20) ? '0' : '1';
	pat[33] = 0;
	e = run(pat, 40, 8, 10);
	CHECK_EQ_U64(e.covered, 39); /* every token but the changed one */
	CHECK(e.verdict == CONTAM_CONTAMINATED);
	CHECK_EQ_U64(e.longest, 20);

	/* Exactly the 0.8 and 0.2 thresholds. */
	e = run("111111111111100000000", 25, 5, 10); /* G=21: 13 hits = 17 tokens */
	CHECK_EQ_U64(e.covered, 17);
	CHECK(e.verdict == CONTAM_PARTIAL);          /* 0.68 */
	e = run("1111111111111111", 20, 5, 10);      /* 20/20 */
	CHECK(e.verdict == CONTAM_CONTAMINATED);
	e = run("111111000000000000000", 25, 5, 10);  /* span 10 = 0.4 */
	CHECK(e.verdict == CONTAM_PARTIAL);
	e = run("11111111111111111000", 24, 5, 10);  /* 17 hits: 21 tokens */
	CHECK(fabs(e.coverage - 21.0 / 24) < 1e-12);
	CHECK(e.verdict == CONTAM_CONTAMINATED);

	/* Too short: T < n, never clean. */
	e = run("", 5, 8, 10);
	CHECK(e.verdict == CONTAM_TOO_SHORT);
	CHECK(e.ngrams == 0 && e.tokens == 5);

	/* One n-gram (T = n = 8, G = 1), found: what a false positive or a
	 * common phrase makes, too short to tell. */
	e = run("1", 8, 8, 10);
	CHECK(e.verdict == CONTAM_TOO_SHORT);
	CHECK(e.covered == 0 && e.coverage == 0 && e.hits == 1);

	/* Shorter than min_span but fully present (T=9, n=8, G=2): covered. */
	e = run("11", 9, 8, 10);
	CHECK(e.verdict == CONTAM_CONTAMINATED);
	e = run("10", 9, 8, 10);
	CHECK(e.verdict == CONTAM_CLEAN);
}

/* Brute force: mark tokens of every qualifying run, count them. */
static void test_random_against_brute_force(void)
{
	unsigned seed = 7;
	int agree = 1;
	for (int round = 0; round < 2000; round++) {
		uint32_t n = 1 + (uint32_t)(rand_r(&seed) % 10);
		size_t T = n + (size_t)(rand_r(&seed) % 60);
		size_t G = T - n + 1;
		uint32_t min_span = 1 + (uint32_t)(rand_r(&seed) % 20);
		unsigned char hit[128];
		int density = rand_r(&seed) % 100;
		for (size_t i = 0; i < G; i++)
			hit[i] = (rand_r(&seed) % 100) < density;
		contam_example ex;
		cprobe_score(&ex, hit, G, T, n, min_span);
		unsigned char cov[128] = { 0 };
		size_t need = min_span < T ? min_span : T, longest = 0, hits = 0;
		for (size_t i = 0; i < G;) {
			if (!hit[i]) { i++; continue; }
			size_t j = i;
			while (j < G && hit[j])
				j++;
			size_t span = j - i + n - 1;
			hits += j - i;
			if (span > longest)
				longest = span;
			if (span >= need)
				for (size_t t = i; t < j - 1 + n; t++)
					cov[t] = 1;
			i = j;
		}
		size_t covered = 0;
		for (size_t t = 0; t < T; t++)
			covered += cov[t];
		/* one n-gram alone decides nothing: too short */
		if (G < 2)
			covered = 0;
		agree &= (G < 2) == (ex.verdict == CONTAM_TOO_SHORT);
		agree &= ex.covered == covered && ex.longest == longest && ex.hits == hits;
	}
	CHECK(agree);
}

int main(void)
{
	test_hand_cases();
	test_random_against_brute_force();
	CHECK_STR(contam_verdict_name(CONTAM_TOO_SHORT), "too_short");
	CHECK_STR(contam_verdict_name(CONTAM_CONTAMINATED), "contaminated");
	return tu_finish("probe");
}
