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
#include "../text/text.h"

#include <stdlib.h>

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

/* With n a constant, XXH3 picks its length path at compile time: no
 * branch per window (measured: 5.7 -> see bench/PROFILE.md). */
#define HASH_WINDOWS(N)                                                 \
	for (size_t j = 0; j < m; j++)                                  \
		out[j] = XXH3_64bits_withSeed(toks + j, (N) * 8, seed)

size_t cngram_hash_windows(const uint64_t *toks, size_t count, uint32_t n,
			   uint64_t seed, uint64_t *out)
{
	if (n == 0 || count < n)
		return 0;
	const size_t m = count - n + 1;
	switch (n) {
	case 5: HASH_WINDOWS(5); break;
	case 8: HASH_WINDOWS(8); break;
	case 10: HASH_WINDOWS(10); break;
	case 13: HASH_WINDOWS(13); break;
	default: HASH_WINDOWS(n); break;
	}
	return m;
}

/* Collect the n-gram hashes of one text (probe, scan, tests). */
typedef struct hash_collect {
	cngram ng;
	uint64_t *out;
	size_t n, cap, tokens;
	int oom;
} hash_collect;

static void collect_token(void *ctx, const ctok_token *t)
{
	hash_collect *c = ctx;
	uint64_t h;
	c->tokens++;
	if (!cngram_push(&c->ng, t->hash, &h))
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		uint64_t *p = realloc(c->out, cap * sizeof(*p));
		if (!p) {
			c->oom = 1;
			return;
		}
		c->out = p;
		c->cap = cap;
	}
	c->out[c->n++] = h;
}

int cngram_hash_text(const char *text, size_t len, uint32_t n, uint64_t seed,
		     uint64_t **out, size_t *count, size_t *tokens)
{
	hash_collect c;
	ctok t;
	memset(&c, 0, sizeof(c));
	cngram_init(&c.ng, n, seed);
	ctok_init(&t, seed, collect_token, &c);
	int rc = ctok_feed(&t, text, len);
	int rc2 = ctok_finish(&t);
	ctok_release(&t);
	if (rc || rc2 || c.oom) {
		free(c.out);
		*out = NULL;
		*count = 0;
		return CONTAM_E_NOMEM;
	}
	*out = c.out;
	*count = c.n;
	if (tokens)
		*tokens = c.tokens;
	return CONTAM_OK;
}
