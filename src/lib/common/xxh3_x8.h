/*
 * xxh3_x8.h -- pieces of XXH3-64 on the eight 64-bit lanes of an AVX-512
 * register, for hashing eight short inputs at once (token words in
 * text_norm.c, n-gram windows in ngram.c).  Each computes, per lane,
 * exactly what its scalar counterpart in xxhash.h computes; the callers'
 * tests compare the results with XXH3_64bits_withSeed.
 *
 * Include after <xxhash.h> (with XXH_INLINE_ALL, for XXH3_kSecret and
 * XXH_readLE64).  Functions carry their own target attribute: callers
 * check the CPU (avx512f, avx512dq, avx512bw) before using them.
 */
#ifndef CONTAM_XXH3_X8_H
#define CONTAM_XXH3_X8_H

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <stdint.h>

#define XXH3_X8 __attribute__((target("avx512f,avx512dq,avx512bw"), always_inline)) static inline

/* XXH3_mul128_fold64: the low 64 bits of the 128-bit product a * b,
 * xored with the high 64 (AVX-512 has no 64x64->128 multiply: four
 * 32x32->64 products and the carries between them). */
XXH3_X8 __m512i xxh3_mul128_fold_x8(__m512i a, __m512i b)
{
	const __m512i low32 = _mm512_set1_epi64(0xffffffff);
	const __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
	const __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
	const __m512i hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
	const __m512i cross = _mm512_add_epi64(
		_mm512_add_epi64(_mm512_srli_epi64(ll, 32), _mm512_and_si512(lh, low32)),
		_mm512_and_si512(hl, low32));
	const __m512i hi = _mm512_add_epi64(
		_mm512_add_epi64(hh, _mm512_srli_epi64(lh, 32)),
		_mm512_add_epi64(_mm512_srli_epi64(hl, 32), _mm512_srli_epi64(cross, 32)));
	const __m512i lo = _mm512_or_si512(_mm512_slli_epi64(cross, 32),
					   _mm512_and_si512(ll, low32));
	return _mm512_xor_si512(lo, hi);
}

/* XXH3_avalanche. */
XXH3_X8 __m512i xxh3_avalanche_x8(__m512i h)
{
	h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 37));
	h = _mm512_mullo_epi64(h, _mm512_set1_epi64((long long)0x165667919E3779F9ULL));
	return _mm512_xor_si512(h, _mm512_srli_epi64(h, 32));
}

/* XXH3_mix16B, the 16 input bytes being lo then hi (little-endian). */
XXH3_X8 __m512i xxh3_mix16b_x8(__m512i lo, __m512i hi, const uint8_t *secret,
			       uint64_t seed)
{
	const __m512i s0 = _mm512_set1_epi64((long long)(XXH_readLE64(secret) + seed));
	const __m512i s1 = _mm512_set1_epi64((long long)(XXH_readLE64(secret + 8) - seed));
	return xxh3_mul128_fold_x8(_mm512_xor_si512(lo, s0), _mm512_xor_si512(hi, s1));
}
#endif

#endif
