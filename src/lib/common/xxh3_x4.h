/*
 * xxh3_x4.h -- the pieces of xxh3_x8.h on the four 64-bit lanes of an AVX2
 * register, for CPUs without AVX-512 (AMD Zen 2/3, many Intel parts).
 * Each computes, per lane, exactly what its scalar counterpart in
 * xxhash.h computes; the callers' tests compare the results with
 * XXH3_64bits_withSeed.
 *
 * AVX2 has no 64-bit low multiply (vpmullq is AVX-512DQ): it is built
 * from three 32x32->64 products.
 *
 * Include after <xxhash.h> (with XXH_INLINE_ALL).  Functions carry their
 * own target attribute: callers check the CPU (avx2) before using them.
 */
#ifndef CONTAM_XXH3_X4_H
#define CONTAM_XXH3_X4_H

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <stdint.h>

#define XXH3_X4 __attribute__((target("avx2"), always_inline)) static inline

/* The low 64 bits of a * b per lane. */
XXH3_X4 __m256i xxh3_mullo_x4(__m256i a, __m256i b)
{
	const __m256i ll = _mm256_mul_epu32(a, b);
	const __m256i cross = _mm256_add_epi64(
		_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b),
		_mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)));
	return _mm256_add_epi64(ll, _mm256_slli_epi64(cross, 32));
}

/* XXH3_mul128_fold64 (see xxh3_mul128_fold_x8). */
XXH3_X4 __m256i xxh3_mul128_fold_x4(__m256i a, __m256i b)
{
	const __m256i low32 = _mm256_set1_epi64x(0xffffffff);
	const __m256i ah = _mm256_srli_epi64(a, 32), bh = _mm256_srli_epi64(b, 32);
	const __m256i ll = _mm256_mul_epu32(a, b), lh = _mm256_mul_epu32(a, bh);
	const __m256i hl = _mm256_mul_epu32(ah, b), hh = _mm256_mul_epu32(ah, bh);
	const __m256i cross = _mm256_add_epi64(
		_mm256_add_epi64(_mm256_srli_epi64(ll, 32), _mm256_and_si256(lh, low32)),
		_mm256_and_si256(hl, low32));
	const __m256i hi = _mm256_add_epi64(
		_mm256_add_epi64(hh, _mm256_srli_epi64(lh, 32)),
		_mm256_add_epi64(_mm256_srli_epi64(hl, 32), _mm256_srli_epi64(cross, 32)));
	const __m256i lo = _mm256_or_si256(_mm256_slli_epi64(cross, 32),
					   _mm256_and_si256(ll, low32));
	return _mm256_xor_si256(lo, hi);
}

/* XXH3_avalanche. */
XXH3_X4 __m256i xxh3_avalanche_x4(__m256i h)
{
	h = _mm256_xor_si256(h, _mm256_srli_epi64(h, 37));
	h = xxh3_mullo_x4(h, _mm256_set1_epi64x((long long)0x165667919E3779F9ULL));
	return _mm256_xor_si256(h, _mm256_srli_epi64(h, 32));
}

/* XXH3_mix16B, the 16 input bytes being lo then hi (little-endian). */
XXH3_X4 __m256i xxh3_mix16b_x4(__m256i lo, __m256i hi, const uint8_t *secret,
			       uint64_t seed)
{
	const __m256i s0 = _mm256_set1_epi64x((long long)(XXH_readLE64(secret) + seed));
	const __m256i s1 = _mm256_set1_epi64x((long long)(XXH_readLE64(secret + 8) - seed));
	return xxh3_mul128_fold_x4(_mm256_xor_si256(lo, s0), _mm256_xor_si256(hi, s1));
}
#endif

#endif
