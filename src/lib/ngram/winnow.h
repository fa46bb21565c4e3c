/*
 * winnow.h -- winnowing (Schleimer, Wilkerson and Aiken's MOSS rule):
 * from every window of W consecutive n-gram hashes keep the smallest
 * (the rightmost one on ties), each kept position once.
 *
 * Guarantee: if a text shares W consecutive n-grams (W + n - 1 tokens)
 * with a document, the smallest of those W hashes was kept for that
 * document, so probing every n-gram of the text finds at least one hit.
 * An index keeps about 2/(W+1) of the n-grams.
 */
#ifndef CONTAM_WINNOW_H
#define CONTAM_WINNOW_H

#include "../common/common.h"

#define CWINNOW_MAX 64

typedef struct cwinnow {
	uint32_t w;
	uint64_t count;                /* n-grams seen in this document */
	uint64_t ring[CWINNOW_MAX];    /* last w hashes, by position % w */
	uint64_t last_kept;            /* position kept last, or UINT64_MAX */
} cwinnow;

void cwinnow_init(cwinnow *s, uint32_t w);
/* Start of a document. */
void cwinnow_reset(cwinnow *s);
/* Push the next n-gram hash; returns 1 and sets *kept when a hash is
 * selected. */
int cwinnow_push(cwinnow *s, uint64_t hash, uint64_t *kept);
/* End of a document shorter than one window: keep its smallest hash so
 * short documents are not lost.  Returns 1 and sets *kept if so. */
int cwinnow_finish(cwinnow *s, uint64_t *kept);

/* Probe side: turn sampled hits into inferred matches by filling every
 * gap of at most w n-grams between two hits (a copied region has a kept
 * n-gram in every window of w).  A lone hit stays a lone hit, so a false
 * positive is not amplified; a match can be undercounted by up to w - 1
 * n-grams at each end. */
void cwinnow_fill_hits(unsigned char *hit, size_t g, uint32_t w);

/* The order windows compare (index_build.c says why: the kept keys must
 * not crowd into the filter's first blocks) and its inverse, the key that
 * is inserted. */
static inline uint64_t cwinnow_order(uint64_t x)
{
	return cmix64(x);
}

static inline uint64_t cwinnow_key(uint64_t x) /* cwinnow_order's inverse */
{
	x ^= x >> 31 ^ x >> 62;
	x *= 0x319642b2d24d8ec3ULL;
	x ^= x >> 27 ^ x >> 54;
	x *= 0x96de1b173f119089ULL;
	x ^= x >> 30 ^ x >> 60;
	return x;
}

#endif
