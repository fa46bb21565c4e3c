/*
 * ngram.c -- n-gram window hashing.
 *
 * Token t is stored at ring[p] and ring[p + n] with p = t mod n; the last n
 * tokens, oldest first, are then the contiguous slice ring[p+1 .. p+n].
 * Hashing that slice with XXH3 costs about as much as one 64-byte hash,
 * with no data movement.  Token hashes are stored little-endian so the
 * n-gram hash is the same on every machine.
 */
#include "ngram.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

static inline uint64_t to_le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

void cngram_init(cngram *g, uint32_t n, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	g->seed = seed;
}

int cngram_push(cngram *g, uint64_t token_hash, uint64_t *out)
{
	uint32_t n = g->n;
	uint32_t p = (uint32_t)(g->count % n);
	uint64_t le = to_le64(token_hash);
	g->ring[p] = le;
	g->ring[p + n] = le;
	g->count++;
	if (g->count < n)
		return 0;
	*out = XXH3_64bits_withSeed(&g->ring[p + 1], (size_t)n * 8, g->seed);
	return 1;
}

uint64_t cngram_hash_window(const uint64_t *tokens, uint32_t n, uint64_t seed)
{
	uint64_t le[CONTAM_MAX_NGRAM];
	for (uint32_t i = 0; i < n; i++)
		le[i] = to_le64(tokens[i]);
	return XXH3_64bits_withSeed(le, (size_t)n * 8, seed);
}
