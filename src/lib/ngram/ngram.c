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
#include "../common/xxh3_x8.h"
#include "../common/xxh3_x4.h"

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
 * branch per window (bench/PROFILE.md, change 3: the n-gram hashing went
 * from 6.2% of a build's samples to 4.3-5.6%). */
#define HASH_WINDOWS(N, FROM)                                           \
	for (size_t j = (FROM); j < m; j++)                             \
		out[j] = XXH3_64bits_withSeed(toks + j, (N) * 8, seed)

#if defined(__x86_64__) && defined(__GNUC__)
/* Eight windows at once, for 3 <= n <= 16 (inputs of 17 to 128 bytes):
 * XXH3_len_17to128_64b in eight lanes, window j + i in lane i.  Its 16-byte
 * pieces are token pairs, so each is two unaligned loads of the token
 * array, no gather: the pair starting at token k of every window is
 * (toks[j + k .. j + k + 8), toks[j + k + 1 .. j + k + 9)).  The sum of
 * the pieces is the same in any order.  Measured: see PROFILE.md. */
XXH3_X8 __m512i pair_x8(const uint64_t *toks, uint32_t k, const uint8_t *secret,
			uint64_t seed)
{
	return xxh3_mix16b_x8(_mm512_loadu_si512((const void *)(toks + k)),
			      _mm512_loadu_si512((const void *)(toks + k + 1)),
			      secret, seed);
}

XXH3_X8 void windows_x8(const uint64_t *toks, const uint32_t n, uint64_t seed,
			uint64_t *out)
{
	const uint8_t *sec = XXH3_kSecret;
	const uint64_t len = (uint64_t)n * 8;
	__m512i acc = _mm512_set1_epi64((long long)(len * XXH_PRIME64_1));
	if (len > 32) {
		if (len > 64) {
			if (len > 96) {
				acc = _mm512_add_epi64(acc, pair_x8(toks, 6, sec + 96, seed));
				acc = _mm512_add_epi64(acc, pair_x8(toks, n - 8, sec + 112, seed));
			}
			acc = _mm512_add_epi64(acc, pair_x8(toks, 4, sec + 64, seed));
			acc = _mm512_add_epi64(acc, pair_x8(toks, n - 6, sec + 80, seed));
		}
		acc = _mm512_add_epi64(acc, pair_x8(toks, 2, sec + 32, seed));
		acc = _mm512_add_epi64(acc, pair_x8(toks, n - 4, sec + 48, seed));
	}
	acc = _mm512_add_epi64(acc, pair_x8(toks, 0, sec, seed));
	acc = _mm512_add_epi64(acc, pair_x8(toks, n - 2, sec + 16, seed));
	_mm512_storeu_si512((void *)out, xxh3_avalanche_x8(acc));
}

/* Windows 0 .. m-1 eight at a time; returns how many were done. */
__attribute__((target("avx512f,avx512dq,avx512bw"))) static size_t
hash_windows_x8(const uint64_t *toks, size_t m, const uint32_t n, uint64_t seed,
		uint64_t *out)
{
	size_t j = 0;
	switch (n) {
#define N(x) case x: for (; j + 8 <= m; j += 8) windows_x8(toks + j, x, seed, out + j); break;
	N(5) N(8) N(10) N(13)
#undef N
	default:
		for (; j + 8 <= m; j += 8)
			windows_x8(toks + j, n, seed, out + j);
	}
	return j;
}

/* The same in four lanes with AVX2: window j + i in lane i, each pair two
 * unaligned 32-byte loads.  Not taken by default: without vpmullq each
 * 64x64->128 multiply is four vpmuludq and a dozen adds and shifts, and
 * measured on an AVX-512 Xeon (AVX2 forced) it is slower than the scalar
 * XXH3, whose mulx does the same in one instruction (bench/PROFILE.md,
 * change 17).  a configuration whose windows field is CFAST_AVX2 selects it, for the
 * tests and for measuring it on another CPU. */
XXH3_X4 __m256i pair_x4(const uint64_t *toks, uint32_t k, const uint8_t *secret,
			uint64_t seed)
{
	return xxh3_mix16b_x4(_mm256_loadu_si256((const void *)(toks + k)),
			      _mm256_loadu_si256((const void *)(toks + k + 1)),
			      secret, seed);
}

XXH3_X4 void windows_x4(const uint64_t *toks, const uint32_t n, uint64_t seed,
			uint64_t *out)
{
	const uint8_t *sec = XXH3_kSecret;
	const uint64_t len = (uint64_t)n * 8;
	__m256i acc = _mm256_set1_epi64x((long long)(len * XXH_PRIME64_1));
	if (len > 32) {
		if (len > 64) {
			if (len > 96) {
				acc = _mm256_add_epi64(acc, pair_x4(toks, 6, sec + 96, seed));
				acc = _mm256_add_epi64(acc, pair_x4(toks, n - 8, sec + 112, seed));
			}
			acc = _mm256_add_epi64(acc, pair_x4(toks, 4, sec + 64, seed));
			acc = _mm256_add_epi64(acc, pair_x4(toks, n - 6, sec + 80, seed));
		}
		acc = _mm256_add_epi64(acc, pair_x4(toks, 2, sec + 32, seed));
		acc = _mm256_add_epi64(acc, pair_x4(toks, n - 4, sec + 48, seed));
	}
	acc = _mm256_add_epi64(acc, pair_x4(toks, 0, sec, seed));
	acc = _mm256_add_epi64(acc, pair_x4(toks, n - 2, sec + 16, seed));
	_mm256_storeu_si256((void *)out, xxh3_avalanche_x4(acc));
}

__attribute__((target("avx2"))) static size_t
hash_windows_x4(const uint64_t *toks, size_t m, const uint32_t n, uint64_t seed,
		uint64_t *out)
{
	size_t j = 0;
	switch (n) {
#define N(x) case x: for (; j + 4 <= m; j += 4) windows_x4(toks + j, x, seed, out + j); break;
	N(5) N(8) N(10) N(13)
#undef N
	default:
		for (; j + 4 <= m; j += 4)
			windows_x4(toks + j, n, seed, out + j);
	}
	return j;
}

static int have_x8(const cfast *f)
{
	return f->windows >= CFAST_AVX512 && ccpu_get()->avx512;
}

static int have_x4(const cfast *f)
{
	return f->windows == CFAST_AVX2 && ccpu_get()->avx2;
}
#else
static int have_x8(const cfast *f) { (void)f; return 0; }
static int have_x4(const cfast *f) { (void)f; return 0; }
static size_t hash_windows_x8(const uint64_t *toks, size_t m, uint32_t n,
			      uint64_t seed, uint64_t *out)
{
	(void)toks; (void)m; (void)n; (void)seed; (void)out;
	return 0;
}
#define hash_windows_x4 hash_windows_x8
#endif

const char *cngram_simd_name(const cfast *fast)
{
	const cfast *f = cfast_or_default(fast);
	return have_x8(f) ? "avx512" : have_x4(f) ? "avx2" : "scalar";
}

size_t cngram_hash_windows(const cfast *fast, const uint64_t *toks,
			   size_t count, uint32_t n, uint64_t seed, uint64_t *out)
{
	const cfast *f = cfast_or_default(fast);
	if (n == 0 || count < n)
		return 0;
	const size_t m = count - n + 1;
	size_t done = 0;
	if (n >= 3 && n <= 16 && have_x8(f))
		done = hash_windows_x8(toks, m, n, seed, out);
	else if (n >= 3 && n <= 16 && have_x4(f))
		done = hash_windows_x4(toks, m, n, seed, out);
	switch (n) {
	case 5: HASH_WINDOWS(5, done); break;
	case 8: HASH_WINDOWS(8, done); break;
	case 10: HASH_WINDOWS(10, done); break;
	case 13: HASH_WINDOWS(13, done); break;
	default: HASH_WINDOWS(n, done); break;
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

int cngram_hash_text(const cfast *fast, const char *text, size_t len,
		     uint32_t n, uint64_t seed, uint64_t **out, size_t *count,
		     size_t *tokens)
{
	hash_collect c;
	ctok t;
	memset(&c, 0, sizeof(c));
	cngram_init(&c.ng, n, seed);
	ctok_init(&t, fast, seed, collect_token, &c);
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
