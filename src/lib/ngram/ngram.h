/*
 * ngram.h -- n-gram hashes over a stream of token hashes.  Pure, no I/O.
 *
 * The hash of an n-gram is XXH3-64 (seeded) of its n token hashes laid out
 * as 8-byte little-endian words, oldest first.  A ring holding each token
 * twice keeps the last n tokens contiguous, so no copying per n-gram.
 */
#ifndef CONTAM_NGRAM_H
#define CONTAM_NGRAM_H

#include "../common/common.h"

typedef struct cngram {
	uint32_t n;
	uint32_t pos;                       /* count % n, kept incrementally */
	uint64_t seed;
	uint64_t count;                     /* tokens pushed since reset */
	uint64_t ring[2 * CONTAM_MAX_NGRAM]; /* little-endian token hashes */
} cngram;

void cngram_init(cngram *g, uint32_t n, uint64_t seed);
/* Document boundary: n-grams never span one. */
static inline void cngram_reset(cngram *g) { g->count = 0; g->pos = 0; }

uint64_t cngram_hash_bytes(const void *p, size_t len, uint64_t seed);

static inline uint64_t cngram_le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/* Push a token hash; when a full window exists, store its hash in *out
 * and return 1, else return 0.  Inline: it runs once per token. */
static inline int cngram_push(cngram *g, uint64_t token_hash, uint64_t *out)
{
	const uint32_t n = g->n, p = g->pos;
	const uint64_t le = cngram_le64(token_hash);
	g->ring[p] = le;
	g->ring[p + n] = le;
	g->pos = p + 1 == n ? 0 : p + 1;
	if (++g->count < n)
		return 0;
	*out = cngram_hash_bytes(&g->ring[p + 1], (size_t)n * 8, g->seed);
	return 1;
}

/* Tokenize a whole text (text.h) and hash its n-grams: *out is malloc'd
 * (free()), *count n-grams, *tokens (may be NULL) the token count; `fast`
 * (NULL: the default) chooses the tokenizer loop. */
int cngram_hash_text(const cfast *fast, const char *text, size_t len,
		     uint32_t n, uint64_t seed, uint64_t **out, size_t *count,
		     size_t *tokens);

/* Hash every window of n consecutive tokens in toks[0..count), whose
 * entries are little-endian token hashes (cngram_le64): out[j] is the
 * hash of toks[j..j+n), for j < count - n + 1 (the return value; 0 when
 * count < n).  The same hashes cngram_push gives, without the ring: the
 * index's path, which holds its tokens in an array anyway. */
size_t cngram_hash_windows(const cfast *fast, const uint64_t *toks,
			   size_t count, uint32_t n, uint64_t seed, uint64_t *out);

/* The windows of a stream of token hashes, batch by batch (the index
 * build's loop and the scan's look-ahead): toks[0..*ntoks) holds the
 * tokens carried over (at most n - 1), with room for n - 1 + m more.
 * cngram_stream_put appends m token hashes as cngram_le64 words and
 * returns where they start; cngram_stream_windows then hashes every
 * window they complete into out (room for m; 0 while fewer than n tokens
 * are held) and keeps the last n - 1 tokens at the front of toks. */
static inline uint64_t *cngram_stream_put(uint64_t *toks, size_t *ntoks,
					  const uint64_t *hashes, size_t m)
{
	uint64_t *at = toks + *ntoks;
	for (size_t i = 0; i < m; i++)
		at[i] = cngram_le64(hashes[i]);
	*ntoks += m;
	return at;
}

static inline size_t cngram_stream_windows(const cfast *fast, uint64_t *toks,
					   size_t *ntoks, uint32_t n, uint64_t seed,
					   uint64_t *out)
{
	const size_t count = *ntoks;
	if (count < n)
		return 0;
	size_t made = cngram_hash_windows(fast, toks, count, n, seed, out);
	memmove(toks, toks + count - (n - 1), (n - 1) * sizeof(uint64_t));
	*ntoks = n - 1;
	return made;
}

/* The window loop cngram_hash_windows takes under `fast` (NULL: the
 * default; its windows field, within what the CPU has): "avx512", "avx2"
 * (four lanes, slower than scalar where measured, so only when asked for:
 * ngram.c) or "scalar".  Tests compare the loops by passing two. */
const char *cngram_simd_name(const cfast *fast);

/* Hash one window of n token hashes (what cngram_push computes). */
uint64_t cngram_hash_window(const uint64_t *tokens, uint32_t n, uint64_t seed);

#endif
