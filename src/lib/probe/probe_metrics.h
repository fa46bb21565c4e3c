/* probe_metrics.h -- per-example metrics from a vector of n-gram hits. */
#ifndef CONTAM_PROBE_METRICS_H
#define CONTAM_PROBE_METRICS_H

#include "contam.h"

#include <stddef.h>

/* Fill tokens, ngrams, hits, longest, covered, overlap, coverage and
 * verdict of `ex` from hit[0..G) (1 = n-gram found), for an example of T
 * tokens and n-grams of n words. */
void cprobe_score(contam_example *ex, const unsigned char *hit, size_t G,
		  size_t T, uint32_t n, uint32_t min_span);

#endif
