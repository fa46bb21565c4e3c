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

uint64_t cngram_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	return XXH3_64bits_withSeed(p, len, seed);
}

void cngram_init(cngram *g, uint32_t n, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	g->seed = seed;
}

uint64_t cngram_hash_window(const uint64_t *tokens, uint32_t n, uint64_t seed)
{
	uint64_t le[CONTAM_MAX_NGRAM];
	for (uint32_t i = 0; i < n; i++)
		le[i] = cngram_le64(tokens[i]);
	return XXH3_64bits_withSeed(le, (size_t)n * 8, seed);
}
