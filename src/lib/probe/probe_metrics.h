/* probe_metrics.h -- per-example metrics from a vector of n-gram hits. */
#ifndef CONTAM_PROBE_METRICS_H
#define CONTAM_PROBE_METRICS_H

#include "contam.h"
#include "../common/common.h"

#include <stddef.h>

/* Fill tokens, ngrams, hits, longest, covered, overlap, coverage and
 * verdict of `ex` from hit[0..G) (1 = n-gram found), for an example of T
 * tokens in one field (G = T - n + 1, no CJK): cprobe_item_score on the
 * simplest item, for tests of the arithmetic.  With ex->has_qa, tokens
 * before `split` are the question. */
void cprobe_score(contam_example *ex, const unsigned char *hit, size_t G,
		  size_t T, uint32_t n, uint32_t min_span);
void cprobe_score_split(contam_example *ex, const unsigned char *hit, size_t G,
			size_t T, uint32_t n, uint32_t min_span, size_t split);


/* Recount b's examples and verdicts from the examples of ex[0..n) that
 * belong to it (by name) and are selected (selected NULL: all). */
void cprobe_tally(contam_benchmark *b, const contam_example *ex, size_t n,
		  const unsigned char *selected);

/* Wilson 95% score interval of k out of m ([0, 1] when m == 0). */
void cprobe_wilson(uint64_t k, uint64_t m, double *lo, double *hi);
/* P(at least one run of >= r successes in G Bernoulli(p) trials), exact. */
double cprobe_p_run(size_t G, double p, size_t r);
/* P(Binomial(G, p) >= k). */
double cprobe_binom_tail(size_t G, double p, size_t k);
/* Upper bound on the chance that false positives at rate p alone give an
 * example of T tokens a coverage >= frac (see probe_metrics.c). */
double cprobe_false_flag(size_t T, uint32_t n, uint32_t min_span, double p,
			 double frac);

/* The chance that an example absent from the corpus is flagged
 * near-dup by false positives of its b band lookups alone, each at
 * band_fpr: 1 - (1 - band_fpr)^b. */
double cprobe_near_dup_false(uint32_t bands, double band_fpr);
double cprobe_near_dup_false_at(uint32_t bands, double band_fpr, uint32_t min_bands);

#endif
