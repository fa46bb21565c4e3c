/*
 * impact.h -- the statistics of `contam impact` (impact.c), apart so that
 * a unit test can check them against a direct computation.
 *
 * Both draw from splitmix64 (Steele, Lea, Flood 2014) started at the
 * caller's seed; an index in [0, n) is floor(draw * n / 2^64) (the bias, n / 2^64,
 * is far below the Monte-Carlo error).  A script that repeats these steps
 * with the same seed gets the same numbers bit for bit.
 */
#ifndef CONTAM_IMPACT_H
#define CONTAM_IMPACT_H

#include <stddef.h>
#include <stdint.h>

uint64_t cimpact_splitmix64(uint64_t *state);

/* 95% percentile-bootstrap interval of mean(a) - mean(b): `resamples`
 * times, na draws from a then nb draws from b (with replacement), the
 * difference of their means; sorted, lo = d[floor(B * 25 / 1000)], hi =
 * d[ceil(B * 975 / 1000) - 1].  na, nb, resamples > 0.  CONTAM_OK or
 * CONTAM_E_NOMEM. */
int cimpact_bootstrap(const double *a, size_t na, const double *b, size_t nb,
		      uint32_t resamples, uint64_t seed, double *lo, double *hi);

/* Two-sided permutation p-value of mean(a) - mean(b) (na, nb > 0): a
 * split of the pooled values into groups of na and nb is as extreme when
 * |sum of its first group - na * total / n| >= that of (a, b), less
 * 1e-9 * (sum of |values| + 1) for rounding.  When there are at most
 * `permutations` splits (C(n, na)), every one is counted: p = extreme /
 * splits, *exact = 1.  Else `permutations` random splits (a partial
 * Fisher-Yates shuffle of the pooled indices, carried from one to the
 * next): p = (1 + extreme) / (1 + permutations), *exact = 0.  *splits
 * is the number counted.  CONTAM_OK or CONTAM_E_NOMEM. */
int cimpact_permutation(const double *a, size_t na, const double *b, size_t nb,
			uint32_t permutations, uint64_t seed, double *p,
			int *exact, uint64_t *splits);

#endif
