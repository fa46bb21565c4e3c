/*
 * index_bloom.c -- the blocked Bloom filter: insert, query, sizing.
 *
 * How it works.  A classic Bloom filter sets k bits anywhere in m bits, so
 * every insertion costs k cache misses.  A blocked filter first picks one
 * 512-bit block (one 64-byte cache line) from the key's high bits and sets
 * all its bits inside that block: one miss per key.  Inside the block we
 * use the "split" layout: the block is 8 words of 64 bits and bit i of
 * the key goes to word i mod 8, at the position given by the top 6 bits
 * of (h * SALT[i]).  Every step is a multiply and a shift into a register,
 * with no loop-carried dependency and no branch on memory, so inserting
 * costs little more than the cache miss (measured: a free-position mask
 * built in memory cost 21 ns per key even with the filter in cache).
 *
 * The price of blocking is a slightly higher false-positive rate for the
 * same memory, because blocks receive unequal numbers of keys.  We compute
 * the rate exactly instead of using the classic formula: with lambda =
 * keys / blocks, a block holds j keys with Poisson probability; word w
 * receives c_w = (k div 8) + (w < k mod 8) bits per key, so it is filled
 * to f_w(j) = 1 - (1 - 1/64)^(c_w j), and an absent key is reported only
 * if all its bits are set:
 *
 *     fpr = sum_j Pois(j; lambda) * prod_w f_w(j)^c_w
 *
 * Sizing searches the smallest filter whose best k meets the target rate.
 * After a build, the measured rate is the mean over blocks of
 * prod_w (popcount_w / 64)^c_w, read off the real filter.
 *
 * Insertion batches keys and prefetches blocks ahead, so the memory misses
 * of many keys overlap.  The caller owns the blocks it writes: the index
 * build goes through the write queue (index_queue.c), which groups keys
 * by region of the filter and inserts a region's keys under its fill
 * lock.  Plain ORs under a lock were measured faster than atomic ORs: a
 * locked instruction waits for the cache miss before it, which stops
 * misses from overlapping.
 * Since OR is commutative, the bits are the same for any thread count.
 */
#include "index.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PREFETCH_AHEAD 32

/* The filter is mapped, not malloc'd: fresh anonymous pages are already
 * zero (no memset pass over gigabytes), and transparent huge pages cut the
 * TLB misses of random access -- without them every insertion pays a page
 * walk that prefetching cannot hide (the figure of that change was not
 * kept; bench/PROFILE.md profiles the build with them). */
uint64_t *cbloom_alloc(uint64_t nblocks)
{
	if (nblocks == 0 || nblocks > (UINT64_MAX / 64))
		return NULL;
	size_t bytes = (size_t)(nblocks * 64);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void cbloom_free(uint64_t *bits, uint64_t nblocks)
{
	if (bits)
		munmap(bits, (size_t)(nblocks * 64));
}

/* Odd 64-bit multipliers, one per bit of a key (k <= 16). */
static const uint64_t SALT[CBLOOM_K_MAX] = {
	0x47b6137b44974d91ULL, 0x8824ad5ba2b7289dULL, 0x705495c72df1424bULL,
	0x9efc49475c6bfb31ULL, 0xe9c8c1a7d3c1b6f5ULL, 0xa2b3c4d5e6f70819ULL,
	0xd1b54a32d192ed03ULL, 0x8cb92ba72f3d8dd7ULL, 0xc2b2ae3d27d4eb4fULL,
	0x165667b19e3779f9ULL, 0x27d4eb2f165667c5ULL, 0x94d049bb133111ebULL,
	0xbf58476d1ce4e5b9ULL, 0x9e3779b97f4a7c15ULL, 0xff51afd7ed558ccdULL,
	0xc4ceb9fe1a85ec53ULL,
};

/* Word w's mask of a key: bits w and w + 8 of the key (those below k).
 * Written out so that, with k a constant, the masks live in registers. */
#define KEY_BIT(h, i, k) ((uint32_t)(i) < (k) ? 1ULL << (((h) * SALT[i]) >> 58) : 0)
#define WORD_MASK(h, w, k) (KEY_BIT(h, w, k) | KEY_BIT(h, (w) + 8, k))

static inline __attribute__((always_inline)) void
or_block(uint64_t *w, uint64_t key, const uint32_t k)
{
	const uint64_t h = cbloom_remix(key) | 1;
	w[0] |= WORD_MASK(h, 0, k);
	w[1] |= WORD_MASK(h, 1, k);
	w[2] |= WORD_MASK(h, 2, k);
	w[3] |= WORD_MASK(h, 3, k);
	w[4] |= WORD_MASK(h, 4, k);
	w[5] |= WORD_MASK(h, 5, k);
	w[6] |= WORD_MASK(h, 6, k);
	w[7] |= WORD_MASK(h, 7, k);
}

static inline int block_has(const uint64_t *w, uint64_t key, const uint32_t k)
{
	const uint64_t h = cbloom_remix(key) | 1;
	uint64_t miss = 0;
	for (int j = 0; j < 8; j++)
		miss |= WORD_MASK(h, j, k) & ~w[j];
	return miss == 0;
}

/* Block index within [lo, lo + span), or UINT64_MAX when not held here. */
static inline uint64_t local_block(uint64_t b, uint64_t lo, uint64_t span)
{
	return b - lo < span ? b - lo : UINT64_MAX;
}

/* Keys are inserted in order while the blocks of the keys PREFETCH_AHEAD
 * further on are computed and prefetched, so that many misses are in
 * flight at once.  ring[i % PREFETCH_AHEAD] holds key i's block within
 * [lo, hi), or UINT64_MAX for a key of another partition. */
static inline __attribute__((always_inline)) uint64_t
ahead_block(const cbloom *f, uint64_t key)
{
	uint64_t b = local_block(cbloom_block(key, f->nblocks), f->lo, f->hi - f->lo);
	if (b != UINT64_MAX)
		__builtin_prefetch(f->bits + b * 8, 1, 3);
	return b;
}

static inline __attribute__((always_inline)) void
ahead_start(const cbloom *f, const uint64_t *keys, size_t n, uint64_t *ring)
{
	for (size_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		ring[i] = ahead_block(f, keys[i]);
}

/* Key i's block; starts fetching key i + PREFETCH_AHEAD's. */
static inline __attribute__((always_inline)) uint64_t
ahead_next(const cbloom *f, const uint64_t *keys, size_t n, size_t i, uint64_t *ring)
{
	uint64_t b = ring[i % PREFETCH_AHEAD];
	if (i + PREFETCH_AHEAD < n)
		ring[i % PREFETCH_AHEAD] = ahead_block(f, keys[i + PREFETCH_AHEAD]);
	return b;
}

/* The insertion loop, inlined once per k so that the masks stay in
 * registers (k a compile-time constant: measured 10 -> 7 ns per key in
 * cache).  Keys outside [lo, hi) belong to another partition. */
static inline __attribute__((always_inline)) void
insert_loop(const cbloom *f, const uint64_t *keys, size_t n, const uint32_t k)
{
	uint64_t ring[PREFETCH_AHEAD];
	ahead_start(f, keys, n, ring);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = ahead_next(f, keys, n, i, ring);
		if (b != UINT64_MAX)
			or_block(f->bits + b * 8, keys[i], k);
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The same insertion with AVX-512: one 512-bit register is the block's
 * mask, lane w holding word w's bits (lanes >= k masked off), so a key
 * costs one broadcast, one or two 8-lane multiplies, a shift and one
 * 64-byte OR -- instead of 8 to 16 scalar multiplies and 8 ORs into
 * memory.  Bits identical to insert_loop (tests compare the two). */
__attribute__((target("avx512f,avx512dq"))) static void
insert_avx512(const cbloom *f, const uint64_t *keys, size_t n)
{
	const uint32_t k = f->k;
	const __m512i salt_lo = _mm512_loadu_si512((const void *)SALT);
	const __m512i salt_hi = _mm512_loadu_si512((const void *)(SALT + 8));
	const __mmask8 lanes_lo = (__mmask8)(k >= 8 ? 0xFF : (1u << k) - 1);
	const __mmask8 lanes_hi = (__mmask8)(k > 8 ? (1u << (k - 8)) - 1 : 0);
	const __m512i one = _mm512_set1_epi64(1);
	uint64_t ring[PREFETCH_AHEAD];
	ahead_start(f, keys, n, ring);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = ahead_next(f, keys, n, i, ring);
		if (b == UINT64_MAX)
			continue;
		const __m512i h = _mm512_set1_epi64((long long)(cbloom_remix(keys[i]) | 1));
		__m512i mask = _mm512_maskz_sllv_epi64(lanes_lo, one,
			_mm512_srli_epi64(_mm512_mullo_epi64(h, salt_lo), 58));
		if (lanes_hi)
			mask = _mm512_or_si512(mask, _mm512_maskz_sllv_epi64(lanes_hi, one,
				_mm512_srli_epi64(_mm512_mullo_epi64(h, salt_hi), 58)));
		void *block = f->bits + b * 8;
		_mm512_store_si512(block, _mm512_or_si512(_mm512_load_si512(block), mask));
	}
}

/* Eight salts in the 32-bit lanes of a register, ordered so that 64-bit
 * lane j pairs salt j (low half) with salt j + 4 (high half): the
 * multipliers of the cross terms, and the salts' low halves in the even
 * lanes for vpmuludq. */
typedef struct salts_x8 {
	__m256i cross_h, cross_s; /* multiply h, and h with its halves swapped */
	__m256i lo_j, lo_j4;      /* salt j's, salt j + 4's low half, even lanes */
	__m256i keep_lo, keep_hi; /* words 0-3, 4-7: all ones where the salt is below k */
} salts_x8;

__attribute__((target("avx2"))) static salts_x8 salts_load(int first, uint32_t k)
{
	uint32_t ch[8], cs[8], lj[8], lj4[8];
	long long kl[4], kh[4];
	for (int j = 0; j < 4; j++) {
		const uint64_t a = SALT[first + j], b = SALT[first + j + 4];
		/* lane 2j (salt a) sees h_lo in hv and h_hi in hs; lane
		 * 2j + 1 (salt b) the other way round */
		ch[2 * j] = (uint32_t)(a >> 32);
		cs[2 * j] = (uint32_t)a;
		ch[2 * j + 1] = (uint32_t)b;
		cs[2 * j + 1] = (uint32_t)(b >> 32);
		lj[2 * j] = (uint32_t)a;
		lj4[2 * j] = (uint32_t)b;
		lj[2 * j + 1] = lj4[2 * j + 1] = 0;
		kl[j] = (uint32_t)(first + j) < k ? -1 : 0;
		kh[j] = (uint32_t)(first + j + 4) < k ? -1 : 0;
	}
	salts_x8 s;
	s.cross_h = _mm256_loadu_si256((const void *)ch);
	s.cross_s = _mm256_loadu_si256((const void *)cs);
	s.lo_j = _mm256_loadu_si256((const void *)lj);
	s.lo_j4 = _mm256_loadu_si256((const void *)lj4);
	s.keep_lo = _mm256_loadu_si256((const void *)kl);
	s.keep_hi = _mm256_loadu_si256((const void *)kh);
	return s;
}

/* One key's bits for eight salts: words 0-3 in *m_lo, 4-7 in *m_hi.
 * A bit's position is the top 6 bits of h * S mod 2^64, whose top 32
 * bits are
 *     hi32(h_lo * S_lo) + lo32(h_hi * S_lo) + lo32(h_lo * S_hi)  (mod 2^32),
 * so the eight salts take two 8-lane 32-bit multiplies (the cross terms)
 * and two vpmuludq (the high halves), where a 64-bit multiply of four
 * lanes takes three vpmuludq.  hv is h in every 64-bit lane, hs the same
 * with its halves swapped. */
__attribute__((target("avx2"), always_inline)) static inline void
bits_x8(__m256i hv, __m256i hs, const salts_x8 *s, __m256i *m_lo, __m256i *m_hi)
{
	const __m256i one = _mm256_set1_epi64x(1);
	const __m256i cross = _mm256_add_epi32(_mm256_mullo_epi32(hv, s->cross_h),
					       _mm256_mullo_epi32(hs, s->cross_s));
	const __m256i hi = _mm256_blend_epi32(
		_mm256_srli_epi64(_mm256_mul_epu32(hv, s->lo_j), 32),
		_mm256_mul_epu32(hv, s->lo_j4), 0xAA);
	const __m256i top = _mm256_add_epi32(hi, cross);
	/* lane j: salt j's top 6 bits are bits 26-31, salt j + 4's 58-63 */
	*m_lo = _mm256_and_si256(s->keep_lo, _mm256_sllv_epi64(one,
		_mm256_and_si256(_mm256_srli_epi64(top, 26), _mm256_set1_epi64x(63))));
	*m_hi = _mm256_and_si256(s->keep_hi, _mm256_sllv_epi64(one,
		_mm256_srli_epi64(top, 58)));
}

/* The same insertion with AVX2, for CPUs without AVX-512: the block's
 * mask is two 256-bit registers (words 0-3, 4-7), each the OR of the bits
 * for salts w and w + 8, so a key costs a few multiplies (bits_x8) and
 * two 32-byte ORs instead of k scalar multiplies and eight ORs into
 * memory.  Bits identical to insert_loop (tests compare the two).
 * Measured against the 64-bit-lane version it replaced (three vpmuludq
 * per four salts), k = 8, a 16 KiB filter (L1: the instructions alone),
 * AVX2, AMD EPYC Zen 3, 30 interleaved runs: min 5.18 -> 4.90 ns/key,
 * median 7.62 -> 7.24.  In the index build the insertion waits on the
 * filter's cache misses (perf: half its samples on the block's load),
 * so the gain there is within the noise. */
__attribute__((target("avx2"))) static void
insert_avx2(const cbloom *f, const uint64_t *keys, size_t n)
{
	const uint32_t k = f->k;
	const salts_x8 s0 = salts_load(0, k), s1 = salts_load(8, k);
	uint64_t ring[PREFETCH_AHEAD];
	ahead_start(f, keys, n, ring);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = ahead_next(f, keys, n, i, ring);
		if (b == UINT64_MAX)
			continue;
		const __m256i hv = _mm256_set1_epi64x((long long)(cbloom_remix(keys[i]) | 1));
		const __m256i hs = _mm256_shuffle_epi32(hv, 0xB1);
		__m256i m0, m1;
		bits_x8(hv, hs, &s0, &m0, &m1);
		if (k > 8) {
			__m256i e0, e1;
			bits_x8(hv, hs, &s1, &e0, &e1);
			m0 = _mm256_or_si256(m0, e0);
			m1 = _mm256_or_si256(m1, e1);
		}
		__m256i *block = (__m256i *)(void *)(f->bits + b * 8);
		_mm256_store_si256(block, _mm256_or_si256(_mm256_load_si256(block), m0));
		_mm256_store_si256(block + 1, _mm256_or_si256(_mm256_load_si256(block + 1), m1));
	}
}

static int have_avx512(const cfast *c)
{
	return c->insert >= CFAST_AVX512 && ccpu_get()->avx512;
}

static int have_avx2(const cfast *c)
{
	return c->insert >= CFAST_AVX2 && ccpu_get()->avx2;
}
#else
static int have_avx512(const cfast *c) { (void)c; return 0; }
static int have_avx2(const cfast *c) { (void)c; return 0; }
static void insert_avx512(const cbloom *f, const uint64_t *keys, size_t n)
{
	(void)f; (void)keys; (void)n;
}
#define insert_avx2 insert_avx512
#endif

const char *cbloom_simd_name(const cfast *fast)
{
	const cfast *c = cfast_or_default(fast);
	return have_avx512(c) ? "avx512" : have_avx2(c) ? "avx2" : "scalar";
}

void cbloom_insert_batch(cbloom *f, const cfast *fast, const uint64_t *keys,
			 size_t n)
{
	const cfast *c = cfast_or_default(fast);
	if (have_avx512(c)) {
		insert_avx512(f, keys, n);
		return;
	}
	if (have_avx2(c)) {
		insert_avx2(f, keys, n);
		return;
	}
	switch (f->k) {
#define K(x) case x: insert_loop(f, keys, n, x); break;
	K(1) K(2) K(3) K(4) K(5) K(6) K(7) K(8)
	K(9) K(10) K(11) K(12) K(13) K(14) K(15) K(16)
#undef K
	default: assert(0 && "k out of range");
	}
}

int cbloom_contains(const cbloom *f, uint64_t key)
{
	uint64_t b = cbloom_block(key, f->nblocks) - f->lo;
	if (b >= f->hi - f->lo)
		return -1;
	return block_has(f->bits + b * 8, key, f->k);
}

/* Bits per key that word w receives. */
static inline uint32_t word_share(uint32_t k, int w)
{
	return k / 8 + ((uint32_t)w < k % 8);
}

/* A block's share of the false-positive rate: the product, word by
 * word, of the word's fill to the power of the bits it receives (k over
 * 8 words: each gets k / 8 or one more, so one or two factors; lo and hi
 * are the words that get a first and a second).  The order of the
 * multiplications is the loop's over words and bits, so the figure is
 * the same to the bit whatever the caller's batching. */
#define MEASURE_WORD(f, w, j, total, lo, hi) do {                       \
		uint32_t pc_ = (uint32_t)__builtin_popcountll((w)[j]);  \
		double fill_ = (double)pc_ / 64.0;                      \
		(total) += pc_;                                         \
		if ((j) < (lo))                                         \
			(f) *= fill_;                                   \
		if ((j) < (hi))                                         \
			(f) *= fill_;                                   \
	} while (0)

/* With the popcnt instruction where the CPU has it: the x86-64 baseline
 * lacks it, and the library call in its place was 2% of a build.  Four
 * blocks at a time: each block's product is a chain of k dependent
 * multiplies, and four chains side by side keep the multiplier busy
 * (85 MiB filter at 40% fill, k = 6 and 11, Intel Xeon: 33-39 -> 16-18
 * ms; the sums are added in block order, as one at a time). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
double cbloom_measure(const uint64_t *blocks, uint64_t n, uint32_t k, uint64_t *set)
{
	const int lo = k >= 8 ? 8 : (int)k, hi = k > 8 ? (int)k - 8 : 0;
	double sum = 0;
	uint64_t total = 0, b = 0;
	for (; b + 4 <= n; b += 4) {
		const uint64_t *w = blocks + b * 8;
		double f0 = 1, f1 = 1, f2 = 1, f3 = 1;
		for (int j = 0; j < 8; j++) {
			MEASURE_WORD(f0, w, j, total, lo, hi);
			MEASURE_WORD(f1, w + 8, j, total, lo, hi);
			MEASURE_WORD(f2, w + 16, j, total, lo, hi);
			MEASURE_WORD(f3, w + 24, j, total, lo, hi);
		}
		sum += f0;
		sum += f1;
		sum += f2;
		sum += f3;
	}
	for (; b < n; b++) {
		double f = 1;
		for (int j = 0; j < 8; j++)
			MEASURE_WORD(f, blocks + b * 8, j, total, lo, hi);
		sum += f;
	}
	*set = total;
	return sum;
}

/* False-positive rate of the split-block filter with `lambda` keys per
 * block (see the top of this file). */
static double blocked_fpr(double lambda, uint32_t k)
{
	if (lambda <= 0)
		return 0;
	double hi = lambda + 12 * sqrt(lambda) + 30;
	double sum = 0, total = 0;
	for (double j = 0; j <= hi; j++) {
		/* Poisson terms in log space, for large lambda */
		double pj = exp(-lambda + j * log(lambda) - lgamma(j + 1));
		/* the words hold at most two distinct shares c (k spread over
		 * 8 words): each factor is computed once, and multiplied in
		 * word order as before, so the plan is the same to the bit
		 * (the planner calls this ~10^4 times: its pow calls were 4%
		 * of a 64 MB index run) */
		double f = 1, factor = 1;
		uint32_t factor_c = 0;
		for (int w = 0; w < 8; w++) {
			uint32_t c = word_share(k, w);
			if (!c)
				continue;
			if (c != factor_c) {
				factor = pow(1.0 - pow(1.0 - 1.0 / 64, (double)c * j),
					     (double)c);
				factor_c = c;
			}
			f *= factor;
		}
		sum += pj * f;
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

/* Bits a block is expected to have set with `lambda` distinct keys per
 * block, Poisson over the blocks: word w ends with a bit clear with
 * probability E[(1 - 1/64)^(c_w j)] = exp(lambda ((1 - 1/64)^c_w - 1)). */
static double blocked_bits_set(double lambda, uint32_t k)
{
	double set = 0;
	for (int w = 0; w < 8; w++) {
		uint32_t c = word_share(k, w);
		if (c)
			set += 64 * (1 - exp(lambda * (pow(1.0 - 1.0 / 64, (double)c) - 1)));
	}
	return set;
}

double contam_estimate_distinct(uint32_t k, uint64_t nblocks, uint64_t bits_set)
{
	if (k == 0 || k > CBLOOM_K_MAX || nblocks == 0 || bits_set == 0)
		return 0;
	double per_block = (double)bits_set / (double)nblocks;
	double full = blocked_bits_set(1e300, k); /* the words a key can reach */
	if (per_block >= full)
		return INFINITY;
	/* increasing in lambda: bisect (k = 8 is -(m/k) ln(1 - X/m)) */
	double lo = 0, hi = 1;
	while (blocked_bits_set(hi, k) < per_block && hi < 1e12)
		hi *= 2;
	for (int it = 0; it < 100 && hi - lo > 1e-12 * hi; it++) {
		double mid = (lo + hi) / 2;
		if (blocked_bits_set(mid, k) < per_block)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2 * (double)nblocks;
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

static int plan_filter(uint64_t expected_ngrams, double fpr,
		       uint64_t memory_bytes, uint32_t ngram,
		       contam_params *out, double *predicted_fpr, cerr *err)
{
	double f = 0;
	if (!out)
		return cerr_set(err, CONTAM_E_PARAM, "no parameters to fill");
	if (ngram == 0 || ngram > CONTAM_MAX_NGRAM)
		return cerr_set(err, CONTAM_E_PARAM, "n-gram size %u is not in 1..%d",
				ngram, CONTAM_MAX_NGRAM);
	memset(out, 0, sizeof(*out));
	out->ngram = ngram;
	out->seed = 0x636f6e74616d3031ULL; /* "contam01" */
	out->recipe_version = CONTAM_RECIPE_VERSION;
	if (expected_ngrams == 0)
		expected_ngrams = 1;
	if (memory_bytes > 0) {
		out->nblocks = memory_bytes / 64;
		if (out->nblocks == 0)
			return cerr_set(err, CONTAM_E_PARAM, "a filter of %llu bytes is "
					"under one 64-byte block",
					(unsigned long long)memory_bytes);
		out->k = best_k((double)expected_ngrams / (double)out->nblocks, &f);
	} else {
		if (!(fpr > 0 && fpr < 1))
			return cerr_set(err, CONTAM_E_PARAM, "false-positive rate %g is "
					"not between 0 and 1", fpr);
		/* bits per key: search upward in small steps, then refine. */
		double lo = 1, hi = 2;
		while (best_k(512.0 / hi, &f), f > fpr) {
			lo = hi;
			hi *= 1.5;
			if (hi > 4096)
				return cerr_set(err, CONTAM_E_PARAM, "false-positive rate %g "
						"needs over 4096 bits per n-gram", fpr);
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

int contam_plan_filter(uint64_t expected_ngrams, double fpr,
		       uint64_t memory_bytes, uint32_t ngram,
		       contam_params *out, double *predicted_fpr, contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	e.code = plan_filter(expected_ngrams, fpr, memory_bytes, ngram, out,
			     predicted_fpr, &e);
	return cerr_export(&e, err);
}

double contam_seen_fpr(double f, uint32_t w)
{
	if (w <= 1 || !(f > 0))
		return f;
	if (f >= 1)
		return 1;
	/* i is filled when its nearest hits on the left (a back) and on
	 * the right (b on) are at most W apart: d = a + b, d - 1 ways */
	double sum = 0, q = 1;
	for (uint32_t d = 2; d <= w; d++) {
		sum += (double)(d - 1) * q;
		q *= 1 - f;
	}
	double seen = f + (1 - f) * f * f * sum;
	return seen < 1 ? seen : 1;
}

double contam_lookup_fpr_for(double seen, uint32_t w)
{
	if (w <= 1 || !(seen > 0))
		return seen;
	double lo = 0, hi = seen; /* seen(f) >= f, increasing in f */
	for (int it = 0; it < 60; it++) {
		double mid = (lo + hi) / 2;
		if (contam_seen_fpr(mid, w) > seen)
			hi = mid;
		else
			lo = mid;
	}
	return lo;
}
