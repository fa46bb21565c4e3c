/* probe_metrics.h -- per-example metrics from a vector of n-gram hits. */
#ifndef CONTAM_PROBE_METRICS_H
#define CONTAM_PROBE_METRICS_H

#include "contam.h"
#include "../common/common.h"

#include <stddef.h>

/* Fill tokens, ngrams, hits, longest, covered, overlap, coverage and
 * verdict of `ex` from hit[0..G) (1 = n-gram found), for an example of T
 * tokens and n-grams of n words. */
void cprobe_score(contam_example *ex, const unsigned char *hit, size_t G,
		  size_t T, uint32_t n, uint32_t min_span);

/* Tokens of [lo, hi) inside runs spanning >= min(min_span, T) tokens. */
size_t cprobe_covered(const unsigned char *hit, size_t G, size_t T, uint32_t n,
		      uint32_t min_span, size_t lo, size_t hi);

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

/* The words (runs of non-white space) of text in an order shuffled by
 * `seed`, joined by single spaces, into out (NUL-terminated). */
int cprobe_shuffle_words(const char *text, size_t len, uint64_t seed, cbuf *out);

#endif
