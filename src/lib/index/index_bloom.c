/*
 * index_bloom.c -- the blocked Bloom filter: insert, query, sizing.
 *
 * How it works.  A classic Bloom filter sets k bits anywhere in m bits, so
 * every insertion costs k cache misses.  A blocked filter first picks one
 * 512-bit block (one 64-byte cache line) from the key's high bits and sets
 * all k bits inside it: one miss per key.  The price is a slightly higher
 * false-positive rate for the same memory, because blocks receive unequal
 * numbers of keys.  We compute that rate exactly instead of using the
 * classic formula: with lambda = keys / blocks, a block holds j keys with
 * Poisson probability, and a query for an absent key fails only if its k
 * bits are all set in its block:
 *
 *     fpr = sum_j Pois(j; lambda) * (1 - (1 - 1/512)^(k j))^k
 *
 * Sizing searches the smallest filter whose best k meets the target rate.
 * After a build, the measured rate is the mean over blocks of fill^k.
 *
 * Insertion batches keys and prefetches blocks ahead, so that the memory
 * misses of many keys overlap instead of being paid one after the other.
 * Bits are set with an atomic OR so threads can share one filter; since OR
 * is commutative the result is the same for any thread count or order.
 */
#include "index.h"

#include <math.h>
#include <stdlib.h>

#define PREFETCH_AHEAD 16

uint64_t *cbloom_alloc(uint64_t nblocks)
{
	if (nblocks == 0 || nblocks > (UINT64_MAX / 64))
		return NULL;
	size_t bytes = (size_t)(nblocks * 64);
	uint64_t *p = aligned_alloc(64, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

void cbloom_free(uint64_t *bits) { free(bits); }

static inline void block_mask(uint64_t key, uint32_t k, uint64_t mask[8])
{
	uint64_t seed = cbloom_remix(key), h = seed;
	int left = 7; /* 9-bit slices left in h */
	memset(mask, 0, 8 * sizeof(uint64_t));
	for (uint32_t i = 0; i < k; i++) {
		if (left == 0) { /* k > 7: draw 63 fresh bits from the key */
			h = cbloom_remix(seed + 0x9e3779b97f4a7c15ULL * i);
			left = 7;
		}
		unsigned bit = (unsigned)(h & 511);
		h >>= 9;
		left--;
		mask[bit >> 6] |= 1ULL << (bit & 63);
	}
}

void cbloom_insert_batch(uint64_t *bits, const contam_params *p,
			 const uint64_t *keys, size_t n)
{
	uint64_t blocks[PREFETCH_AHEAD];
	size_t i;
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++) {
		blocks[i] = cbloom_block(keys[i], p->nblocks);
		__builtin_prefetch(bits + blocks[i] * 8, 1, 0);
	}
	for (i = 0; i < n; i++) {
		uint64_t b = blocks[i % PREFETCH_AHEAD];
		if (i + PREFETCH_AHEAD < n) {
			uint64_t nb = cbloom_block(keys[i + PREFETCH_AHEAD],
						   p->nblocks);
			blocks[i % PREFETCH_AHEAD] = nb;
			__builtin_prefetch(bits + nb * 8, 1, 0);
		}
		uint64_t mask[8];
		block_mask(keys[i], p->k, mask);
		uint64_t *w = bits + b * 8;
		for (int j = 0; j < 8; j++)
			if (mask[j] && (__atomic_load_n(&w[j], __ATOMIC_RELAXED) &
					mask[j]) != mask[j])
				__atomic_fetch_or(&w[j], mask[j], __ATOMIC_RELAXED);
	}
}

int cbloom_contains(const uint64_t *bits, const contam_params *p, uint64_t key)
{
	uint64_t mask[8];
	const uint64_t *w = bits + cbloom_block(key, p->nblocks) * 8;
	block_mask(key, p->k, mask);
	for (int j = 0; j < 8; j++)
		if ((w[j] & mask[j]) != mask[j])
			return 0;
	return 1;
}

/* False-positive rate of a blocked filter with `lambda` keys per block. */
static double blocked_fpr(double lambda, uint32_t k)
{
	if (lambda <= 0)
		return 0;
	double q = 1.0 - 1.0 / CBLOOM_BLOCK_BITS;
	double hi = lambda + 12 * sqrt(lambda) + 30;
	double sum = 0, total = 0;
	/* Poisson terms computed in log space for large lambda. */
	for (double j = 0; j <= hi; j++) {
		double lp = -lambda + j * log(lambda) - lgamma(j + 1);
		double pj = exp(lp);
		double fill = 1.0 - pow(q, (double)k * j);
		sum += pj * pow(fill, (double)k);
		total += pj;
	}
	return total > 0 ? sum / total : 1.0;
}

double contam_predict_fpr(const contam_params *p, uint64_t ngrams)
{
	if (!p || p->nblocks == 0)
		return 1.0;
	return blocked_fpr((double)ngrams / (double)p->nblocks, p->k);
}

static uint32_t best_k(double lambda, double *fpr)
{
	uint32_t best = 1;
	double bf = 2;
	for (uint32_t k = 1; k <= CBLOOM_K_MAX; k++) {
		double f = blocked_fpr(lambda, k);
		if (f < bf) {
			bf = f;
			best = k;
		}
	}
	*fpr = bf;
	return best;
}

int contam_plan_filter(uint64_t expected_ngrams, double fpr,
		       uint64_t memory_bytes, uint32_t ngram,
		       contam_params *out, double *predicted_fpr)
{
	double f = 0;
	if (!out || ngram == 0 || ngram > CONTAM_MAX_NGRAM)
		return CONTAM_E_PARAM;
	memset(out, 0, sizeof(*out));
	out->ngram = ngram;
	out->seed = 0x636f6e74616d3031ULL; /* "contam01" */
	out->recipe_version = CONTAM_RECIPE_VERSION;
	if (expected_ngrams == 0)
		expected_ngrams = 1;
	if (memory_bytes > 0) {
		out->nblocks = memory_bytes / 64;
		if (out->nblocks == 0)
			return CONTAM_E_PARAM;
		out->k = best_k((double)expected_ngrams / (double)out->nblocks, &f);
	} else {
		if (!(fpr > 0 && fpr < 1))
			return CONTAM_E_PARAM;
		/* bits per key: search upward in small steps, then refine. */
		double lo = 1, hi = 2;
		while (best_k(512.0 / hi, &f), f > fpr) {
			lo = hi;
			hi *= 1.5;
			if (hi > 4096)
				return CONTAM_E_PARAM;
		}
		for (int it = 0; it < 30; it++) {
			double mid = (lo + hi) / 2;
			best_k(512.0 / mid, &f);
			if (f > fpr)
				lo = mid;
			else
				hi = mid;
		}
		double bits = hi * (double)expected_ngrams;
		uint64_t nblocks = (uint64_t)ceil(bits / CBLOOM_BLOCK_BITS);
		out->nblocks = nblocks < 16 ? 16 : nblocks;
		out->k = best_k((double)expected_ngrams / (double)out->nblocks, &f);
	}
	if (predicted_fpr)
		*predicted_fpr = f;
	return CONTAM_OK;
}
