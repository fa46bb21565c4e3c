/*
 * text_norm.c -- the tokenizer: bytes in, normalized token hashes out.
 *
 * How it works.  Bytes are split into runs at ASCII separators (any ASCII
 * byte that is not a letter or digit).  A run made only of ASCII letters
 * and digits -- nearly every word of English text -- is lowercased and
 * hashed directly: on ASCII the full recipe (NFKC + case folding) is
 * exactly lowercasing, so the fast path costs no Unicode work at all.
 *
 * A run holding any byte >= 0x80 takes the slow path: it is decoded with
 * UTF-8 repair (each invalid byte becomes U+FFFD), cut into clusters (a
 * starter and the combining marks after it), and each cluster is NFKC
 * normalized and case folded with utf8proc.  Normalizing per cluster keeps
 * a byte offset for every token (exact provenance for the scan), and
 * clusters are the unit NFKC composes within, so the result is the same
 * as normalizing the whole run.  Each resulting code point is a letter or
 * number (kept), a CJK ideograph or kana (a token by itself), or anything
 * else (a separator: punctuation, spaces such as U+00A0, quotes, U+FFFD).
 *
 * Because runs are cut only at separators, at character boundaries every
 * CTOK_RUN_MAX bytes, or at document end, feeding a document in pieces of
 * any size gives the same tokens.
 */
#include "text.h"

#include <stddef.h>
#include <stdlib.h>
#include <utf8proc.h>
/* inline XXH3: tokens are short, and a call per token costs as much as
 * the hash itself */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "../common/xxh3_x8.h"

/* Byte classes: 0 ASCII separator, 1 ASCII letter or digit, 2 byte >= 0x80
 * (the start or middle of a UTF-8 sequence: the slow path decides). */
static const unsigned char BYTE_CLASS[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* ASCII lowercase; other bytes unchanged. */
static const unsigned char ASCII_LOWER[256] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
	64, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91, 92, 93, 94, 95,
	96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
	128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143,
	144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
	160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175,
	176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
	192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207,
	208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,
	224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239,
	240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
};

static inline unsigned char byte_class(unsigned char c) { return BYTE_CLASS[c]; }

uint64_t ctok_hash(const void *bytes, size_t len, uint64_t seed)
{
	return XXH3_64bits_withSeed(bytes, len, seed);
}

static ctok_fast_fn chosen_loop(const cfast *f, const char **name);
static ctok_fast_fn hashing_loop(ctok_fast_fn loop);

void ctok_init(ctok *t, const cfast *fast, uint64_t seed, ctok_emit_fn emit,
	       void *ctx)
{
	memset(t, 0, offsetof(ctok, hashes));
	t->seed = seed;
	t->emit = emit;
	t->ctx = ctx;
	const char *name;
	t->fast = chosen_loop(cfast_or_default(fast), &name);
	t->run_ascii = 1;
}

void ctok_init_hashes(ctok *t, const cfast *fast, uint64_t seed,
		      ctok_hashes_fn sink, void *ctx)
{
	ctok_init(t, fast, seed, NULL, ctx);
	t->sink = sink;
	t->fast = hashing_loop(t->fast);
}

void ctok_release(ctok *t)
{
	free(t->run);
	free(t->cps);
	free(t->tok);
	t->run = t->tok = NULL;
	t->cps = NULL;
	t->run_cap = t->cps_cap = t->tok_cap = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static void flush_hashes(ctok *t)
{
	if (t->nhashes) {
		t->sink(t->ctx, t->hashes, t->nhashes);
		t->nhashes = 0;
	}
}

/* Every token, from every path, leaves through here. */
static inline void deliver(ctok *t, uint64_t h, const unsigned char *bytes,
			   size_t len, uint64_t start, uint64_t end)
{
	if (t->sink) {
		t->hashes[t->nhashes++] = h;
		if (t->nhashes == CTOK_HASH_BUF)
			flush_hashes(t);
		return;
	}
	ctok_token tk = {
		.hash = h,
		.start = start,
		.end = end,
		.bytes = (const char *)bytes,
		.len = len,
	};
	t->emit(t->ctx, &tk);
}

static inline void emit_token(ctok *t, const unsigned char *bytes, size_t len,
			      uint64_t start, uint64_t end)
{
	deliver(t, ctok_hash(bytes, len, t->seed), bytes, len, start, end);
}

/* XXH3-64 of 1 to 16 bytes, as ctok_hash computes it, without a branch on
 * the length: XXH3 has three formulas for these lengths, and word lengths
 * are random enough that choosing by branch mispredicts about every other
 * word.  All three are computed (each on a length clamped into its range,
 * so every read stays inside p[0..16)) and the right one is selected.
 * p must have 16 readable bytes.  Tests compare with ctok_hash. */
static inline uint64_t hash_short_token(const unsigned char *p, size_t len,
					uint64_t seed)
{
	const size_t l1 = len < 3 ? len : 3;
	const size_t l4 = len < 4 ? 4 : len > 8 ? 8 : len;
	const size_t l9 = len < 9 ? 9 : len;
	const uint64_t a = XXH3_len_1to3_64b(p, l1, XXH3_kSecret, seed);
	const uint64_t b = XXH3_len_4to8_64b(p, l4, XXH3_kSecret, seed);
	const uint64_t c = XXH3_len_9to16_64b(p, l9, XXH3_kSecret, seed);
	const uint64_t bc = len > 8 ? c : b;
	return len < 4 ? a : bc;
}

/* The hash of a word in a buffer with 16 readable bytes past its start. */
static inline uint64_t hash_word(const unsigned char *p, size_t len, uint64_t seed)
{
	return len <= 16 ? hash_short_token(p, len, seed) : ctok_hash(p, len, seed);
}

uint64_t ctok_hash_short_test(const void *p, size_t len, uint64_t seed)
{
	unsigned char buf[16] = { 0 };
	memcpy(buf, p, len < 16 ? len : 16);
	return hash_short_token(buf, len, seed);
}

/* --- slow path ---------------------------------------------------- */

static int is_cjk_char(int32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
	       (cp >= 0x31F0 && cp <= 0x31FF) ||   /* katakana ext. */
	       (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
	       (cp >= 0x3021 && cp <= 0x3029) ||   /* hangzhou numerals */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* ext. A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* unified ideographs */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility */
	       (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* halfwidth kana */
	       (cp >= 0x1B000 && cp <= 0x1B16F) || /* kana supplement */
	       (cp >= 0x20000 && cp <= 0x3FFFF);   /* ext. B and later */
}

int ctok_token_is_cjk(const ctok_token *t)
{
	const unsigned char *b = (const unsigned char *)t->bytes;
	int32_t cp;
	if (t->len < 3 || t->len > 4)
		return 0;
	if (t->len == 3 && (b[0] & 0xF0) == 0xE0)
		cp = (b[0] & 0x0F) << 12 | (b[1] & 0x3F) << 6 | (b[2] & 0x3F);
	else if (t->len == 4 && (b[0] & 0xF8) == 0xF0)
		cp = (b[0] & 0x07) << 18 | (b[1] & 0x3F) << 12 |
		     (b[2] & 0x3F) << 6 | (b[3] & 0x3F);
	else
		return 0;
	return is_cjk_char(cp);
}

static int is_word_char(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

static void tok_flush(ctok *t)
{
	if (t->tok_len) {
		emit_token(t, t->tok, t->tok_len, t->tok_start, t->tok_end);
		t->tok_len = 0;
	}
}

static void tok_add(ctok *t, int32_t cp, uint64_t start, uint64_t end)
{
	unsigned char enc[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
	if (grow((void **)&t->tok, &t->tok_cap, t->tok_len + (size_t)n, 1)) {
		t->oom = 1;
		return;
	}
	if (t->tok_len == 0)
		t->tok_start = start;
	memcpy(t->tok + t->tok_len, enc, (size_t)n);
	t->tok_len += (size_t)n;
	t->tok_end = end;
}

/* Classify the normalized code points of one cluster spanning document
 * bytes [start, end). */
static void classify(ctok *t, const int32_t *cps, size_t n, uint64_t start,
		     uint64_t end)
{
	for (size_t i = 0; i < n; i++) {
		int32_t cp = cps[i];
		if (!is_word_char(cp)) {
			tok_flush(t);
		} else if (is_cjk_char(cp)) {
			tok_flush(t);
			unsigned char enc[4];
			utf8proc_ssize_t l = utf8proc_encode_char(cp, enc);
			emit_token(t, enc, (size_t)l, start, end);
		} else {
			tok_add(t, cp, start, end);
		}
	}
}

/* Canonical ordering of combining marks (stable sort by class). */
static void canonical_order(int32_t *cps, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int32_t cp = cps[i];
		int cc = utf8proc_get_property(cp)->combining_class;
		if (cc == 0)
			continue;
		size_t j = i;
		while (j > 0) {
			int pc = utf8proc_get_property(cps[j - 1])->combining_class;
			if (pc <= cc)
				break;
			cps[j] = cps[j - 1];
			j--;
		}
		cps[j] = cp;
	}
}

/* NFKC + case fold one cluster of code points in[0..n) and classify. */
static void normalize_cluster(ctok *t, const int32_t *in, size_t n,
			      uint64_t start, uint64_t end)
{
	const utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
				     UTF8PROC_CASEFOLD;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		for (;;) {
			int boundclass = 0;
			size_t room = t->cps_cap - used;
			utf8proc_ssize_t r = 0;
			if (room >= 1)
				r = utf8proc_decompose_char(in[i], t->cps + used,
					(utf8proc_ssize_t)room, opt, &boundclass);
			if (r < 0) { /* cannot happen on valid code points */
				t->cps[used] = 0xFFFD;
				r = 1;
			}
			if (room >= 1 && (size_t)r <= room) {
				used += (size_t)r;
				break;
			}
			if (grow((void **)&t->cps, &t->cps_cap,
				 used + (size_t)(r > 16 ? r : 16), sizeof(int32_t))) {
				t->oom = 1;
				return;
			}
		}
	}
	canonical_order(t->cps, used);
	utf8proc_ssize_t m = utf8proc_normalize_utf32(t->cps,
		(utf8proc_ssize_t)used, UTF8PROC_COMPOSE);
	if (m < 0)
		m = 0;
	classify(t, t->cps, (size_t)m, start, end);
}

#define CLUSTER_MAX 64
#define FAST_WORD_MAX 64

/* Decode a run with UTF-8 repair and normalize it cluster by cluster.
 * Clusters longer than CLUSTER_MAX marks are cut (hostile input only). */
static void slow_run(ctok *t)
{
	const unsigned char *p = t->run;
	size_t n = t->run_len, i = 0;
	int32_t cl[CLUSTER_MAX];
	size_t ncl = 0;
	uint64_t cl_start = 0, cl_end = 0;
	while (i < n) {
		int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (l <= 0) {
			cp = 0xFFFD;
			l = 1;
			t->not_utf8++;
		}
		int starter = utf8proc_get_property(cp)->combining_class == 0;
		if (ncl && (starter || ncl == CLUSTER_MAX)) {
			normalize_cluster(t, cl, ncl, cl_start, cl_end);
			ncl = 0;
		}
		if (ncl == 0)
			cl_start = t->run_start + i;
		cl[ncl++] = cp;
		i += (size_t)l;
		cl_end = t->run_start + i;
	}
	if (ncl)
		normalize_cluster(t, cl, ncl, cl_start, cl_end);
	tok_flush(t);
}

/* --- vectorized ASCII words ---------------------------------------
 *
 * English text is mostly short ASCII words between ASCII separators.  The
 * loop below classifies the text 64 bytes at a time into bit masks (word
 * bytes, bytes >= 0x80) and lowercases it, then walks the runs of each
 * block with bit operations: a run starts where a run byte follows a
 * separator, and ends at the next separator, found with a count of
 * trailing zeros in this block or the next.  A run is taken here only when
 * it is wholly ASCII letters and digits -- exactly the words the scalar
 * fast path in ctok_feed takes, hashed from the same lowercased bytes.  At
 * any other run (one holding a byte >= 0x80, or longer than the next block
 * allows) and in the last 128 bytes of a piece, the loop returns to the
 * scalar code, which knows every case; tests and fuzz_normalize compare
 * the two.  Lowercasing is one OR: for an ASCII letter or digit, c | 0x20
 * is its lowercase form (digits already have that bit set).
 *
 * Entered at a run start or a separator with no run pending (the caller
 * guarantees it), it returns a position of the same kind.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Low len bits, len <= 64. */
static inline uint64_t low_bits(size_t len)
{
	return len >= 64 ? ~0ULL : (1ULL << len) - 1;
}

/* 1 when p[j..j+3) is U+2010..U+2027 (dashes, quotes, bullets, ellipsis):
 * E2 80 90..A7.  All of them are separators after NFKC and case folding
 * (categories Pd, Po, Pi, Pf, Ps; U+2017, U+2024-6 decompose to a space
 * with a combining mark and to periods), and none composes with a
 * neighbour, so cutting a run at one gives the tokens the slow path would. */
static inline int is_general_punct(const unsigned char *p, size_t j, size_t end)
{
	return j + 2 < end && p[j] == 0xE2 && p[j + 1] == 0x80 &&
	       p[j + 2] >= 0x90 && p[j + 2] <= 0xA7;
}

/* A run [s, e) of block-relative positions whose only bytes >= 0x80 are
 * such punctuation -- "don\u2019t", "\u201cSo" -- is emitted here, as the
 * ASCII pieces between them.  Only a run inside the loop's window (under
 * 128 bytes, so never near CTOK_RUN_MAX, where the scalar path would cut
 * it) comes here.  Returns 0, emitting nothing, for any other run. */
static inline int punct_run(ctok *t, const unsigned char *p,
			    const unsigned char *lower, size_t s, size_t e,
			    uint64_t base)
{
	size_t j;
	for (j = s; j < e; j++) {
		if (p[j] < 0x80)
			continue;
		if (!is_general_punct(p, j, e))
			return 0;
		j += 2;
	}
	size_t piece = s;
	for (j = s; j <= e; j++) {
		if (j < e && p[j] < 0x80)
			continue;
		if (j > piece) {
			const size_t len = j - piece;
			deliver(t, hash_word(lower + piece, len, t->seed),
				lower + piece, len, base + piece, base + j);
		}
		j += 2;
		piece = j + 1;
	}
	return 1;
}

/* The loop, for a CLASSIFY function.  TAKE_WORD(s, e) takes the ASCII word
 * [s, e) of the window (block-relative, e <= 128); SETTLE() delivers every
 * word taken so far, before anything else is delivered and before the
 * loop returns; BLOCK_DONE() runs before the window moves on 64 bytes. */
#define FAST_LOOP_BODY(CLASSIFY, TAKE_WORD, SETTLE, BLOCK_DONE)               \
	/* two blocks lowercased, and room for 16-byte reads past them */     \
	unsigned char lower[128 + 16];                                        \
	uint64_t w0, h0, w1, h1, carry = 0;                                   \
	size_t next = i;          /* just after the last word taken */        \
	if (i + 128 > n)                                                      \
		return i;                                                     \
	CLASSIFY(p + i, &w0, &h0, lower);                                     \
	while (i + 128 <= n) {                                                \
		CLASSIFY(p + i + 64, &w1, &h1, lower + 64);                   \
		const uint64_t r0 = w0 | h0, r1 = w1 | h1;                    \
		uint64_t starts = r0 & ~(r0 << 1 | carry);                    \
		while (starts) {                                              \
			const unsigned s = (unsigned)__builtin_ctzll(starts); \
			starts &= starts - 1;                                 \
			const uint64_t sep = ~r0 >> s;                        \
			size_t e;                                             \
			uint64_t high;                                        \
			if (sep) {                                            \
				e = s + (size_t)__builtin_ctzll(sep);         \
				high = (h0 >> s) & low_bits(e - s);           \
			} else {                                              \
				if (!~r1) { /* longer than the next block */  \
					SETTLE();                             \
					return i + s;                         \
				}                                             \
				e = 64 + (size_t)__builtin_ctzll(~r1);        \
				high = (h0 >> s) | (h1 & low_bits(e - 64));   \
			}                                                     \
			if (high) {        /* not pure ASCII */               \
				SETTLE();                                     \
				if (!punct_run(t, p + i, lower, s, e,         \
					       t->pos + i))                   \
					return i + s;                         \
				next = i + e;                                 \
				continue;                                     \
			}                                                     \
			TAKE_WORD(s, e);                                      \
			next = i + e;                                         \
		}                                                             \
		BLOCK_DONE();                                                 \
		carry = r0 >> 63;                                             \
		i += 64;                                                      \
		memcpy(lower, lower + 64, 64);                                \
		w0 = w1;                                                      \
		h0 = h1;                                                      \
	}                                                                     \
	SETTLE();                                                             \
	/* a word taken from the last block may reach into this one */       \
	return next > i ? next : i

/* Tokens with offsets: each word hashed and delivered as it is found. */
#define DELIVER_WORD(s, e)                                                    \
	deliver(t, hash_word(lower + (s), (e) - (s), t->seed), lower + (s),   \
		(e) - (s), t->pos + i + (s), t->pos + i + (e))
#define NOTHING() do { } while (0)

/* word: bit j set when p[j] is an ASCII letter or digit; high: p[j] >= 0x80;
 * lower: the 64 bytes with 0x20 ORed in. */
__attribute__((target("avx512bw"))) static inline void
classify_avx512(const unsigned char *p, uint64_t *word, uint64_t *high,
		unsigned char *lower)
{
	const __m512i v = _mm512_loadu_si512((const void *)p);
	const __m512i lo = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
	__mmask64 letter = _mm512_cmplt_epu8_mask(
		_mm512_sub_epi8(lo, _mm512_set1_epi8('a')), _mm512_set1_epi8(26));
	__mmask64 digit = _mm512_cmplt_epu8_mask(
		_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(10));
	*word = letter | digit;
	*high = _mm512_movepi8_mask(v);
	_mm512_storeu_si512((void *)lower, lo);
}

__attribute__((target("avx512bw"))) static size_t
fast_words_avx512(ctok *t, const unsigned char *p, size_t i, size_t n)
{
	FAST_LOOP_BODY(classify_avx512, DELIVER_WORD, NOTHING, NOTHING);
}

/* Hash-only tokenizers (the index build) hash words eight at a time.
 * Words are noted by position and length as the loop finds them, and
 * every full group of eight is hashed with AVX-512: XXH3-64 of 1 to 16
 * bytes, its three formulas computed in all eight lanes and the right one
 * chosen per lane by length, as hash_short_token does in one.  The
 * lowercase bytes are the text's with 0x20 ORed in (the words are ASCII
 * letters and digits), read straight from the text: every read starts at
 * the word and ends inside the loop's 128-byte window.  Words longer than
 * 16 bytes take the scalar XXH3.  Tests compare these hashes with the
 * emitting tokenizer's, and fuzz_normalize does too. */
#define PENDING_MAX 48  /* 7 left over + at most 32 words from one block */

typedef struct pending_words {
	uint64_t pos[PENDING_MAX]; /* from p */
	uint64_t len[PENDING_MAX];
	size_t n;
} pending_words;

#define XORSHIFT(x, k) _mm512_xor_si512((x), _mm512_srli_epi64((x), (k)))
#define MUL(x, c) _mm512_mullo_epi64((x), _mm512_set1_epi64((long long)(c)))

/* XXH3-64 with seed of the words at p + pos[j], len[j] (1..16 bytes;
 * other lengths give garbage), for the lanes in `lanes`. */
__attribute__((target("avx512f,avx512dq,avx512bw"))) static inline __m512i
hash_words_x8(const unsigned char *p, const uint64_t *pos, const uint64_t *len,
	      __mmask8 lanes, uint64_t seed)
{
	const uint8_t *sec = XXH3_kSecret;
	const __m512i lower = _mm512_set1_epi8(0x20);
	const __m512i four = _mm512_set1_epi64(4), eight = _mm512_set1_epi64(8);
	const __m512i at = _mm512_maskz_loadu_epi64(lanes, pos);
	const __m512i l = _mm512_maskz_loadu_epi64(lanes, len);
	/* a: bytes [0, 8); b: the last 8 bytes of a word of 8 or more;
	 * c: (low half) the last 4 bytes of a word of 4 to 8 */
	const __m512i a = _mm512_or_si512(lower, _mm512_mask_i64gather_epi64(
		_mm512_setzero_si512(), lanes, at, (const void *)p, 1));
	const __m512i b = _mm512_or_si512(lower, _mm512_mask_i64gather_epi64(
		_mm512_setzero_si512(), lanes,
		_mm512_sub_epi64(_mm512_add_epi64(at, _mm512_max_epu64(l, eight)), eight),
		(const void *)p, 1));
	const __m512i l4 = _mm512_max_epu64(_mm512_min_epu64(l, eight), four);
	const __m512i c = _mm512_srlv_epi64(a, _mm512_slli_epi64(_mm512_sub_epi64(l4, four), 3));
	const __m512i byte = _mm512_set1_epi64(0xff);

	/* 1 to 3 bytes */
	const __m512i l1 = _mm512_min_epu64(l, _mm512_set1_epi64(3));
	const __m512i c1 = _mm512_and_si512(a, byte);
	const __m512i c2 = _mm512_and_si512(_mm512_srlv_epi64(a,
		_mm512_slli_epi64(_mm512_srli_epi64(l1, 1), 3)), byte);
	const __m512i c3 = _mm512_and_si512(_mm512_srlv_epi64(a,
		_mm512_slli_epi64(_mm512_sub_epi64(l1, _mm512_set1_epi64(1)), 3)), byte);
	__m512i h1 = _mm512_or_si512(
		_mm512_or_si512(_mm512_slli_epi64(c1, 16), _mm512_slli_epi64(c2, 24)),
		_mm512_or_si512(c3, _mm512_slli_epi64(l1, 8)));
	h1 = _mm512_xor_si512(h1, _mm512_set1_epi64((long long)
		((uint64_t)(XXH_readLE32(sec) ^ XXH_readLE32(sec + 4)) + seed)));
	h1 = XORSHIFT(h1, 33);
	h1 = MUL(h1, XXH_PRIME64_2);
	h1 = XORSHIFT(h1, 29);
	h1 = MUL(h1, XXH_PRIME64_3);
	h1 = XORSHIFT(h1, 32);

	/* 4 to 8 bytes */
	const uint64_t seed4 = seed ^ ((uint64_t)XXH_swap32((uint32_t)seed) << 32);
	__m512i h4 = _mm512_add_epi64(_mm512_srli_epi64(_mm512_slli_epi64(c, 32), 32),
				      _mm512_slli_epi64(a, 32));
	h4 = _mm512_xor_si512(h4, _mm512_set1_epi64((long long)
		((XXH_readLE64(sec + 8) ^ XXH_readLE64(sec + 16)) - seed4)));
	h4 = _mm512_xor_si512(h4, _mm512_xor_si512(_mm512_rol_epi64(h4, 49),
						   _mm512_rol_epi64(h4, 24)));
	h4 = MUL(h4, 0x9FB21C651E98DF25ULL);
	h4 = _mm512_xor_si512(h4, _mm512_add_epi64(_mm512_srli_epi64(h4, 35), l));
	h4 = MUL(h4, 0x9FB21C651E98DF25ULL);
	h4 = XORSHIFT(h4, 28);

	/* 9 to 16 bytes */
	const __m512i lo = _mm512_xor_si512(a, _mm512_set1_epi64((long long)
		((XXH_readLE64(sec + 24) ^ XXH_readLE64(sec + 32)) + seed)));
	const __m512i hi = _mm512_xor_si512(b, _mm512_set1_epi64((long long)
		((XXH_readLE64(sec + 40) ^ XXH_readLE64(sec + 48)) - seed)));
	const __m512i swap = _mm512_set_epi8(
		8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7,
		8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
	__m512i h9 = _mm512_add_epi64(
		_mm512_add_epi64(l, _mm512_shuffle_epi8(lo, swap)),
		_mm512_add_epi64(hi, xxh3_mul128_fold_x8(lo, hi)));
	h9 = xxh3_avalanche_x8(h9);

	__m512i h = _mm512_mask_blend_epi64(_mm512_cmpgt_epu64_mask(l, eight), h4, h9);
	return _mm512_mask_blend_epi64(_mm512_cmplt_epu64_mask(l, four), h, h1);
}

/* The hash of an ASCII word of any length, lowercased on the way. */
static uint64_t hash_ascii_word(const unsigned char *p, size_t len, uint64_t seed)
{
	unsigned char buf[128];
	if (len > sizeof buf)
		len = sizeof buf; /* not reached: words here are under 128 bytes */
	for (size_t j = 0; j < len; j++)
		buf[j] = p[j] | 0x20;
	return ctok_hash(buf, len, seed);
}

/* Hash the first `count` pending words (a multiple of 8, or all) and
 * hand them to the sink in order. */
__attribute__((target("avx512f,avx512dq,avx512bw"))) static void
settle_words(ctok *t, const unsigned char *p, pending_words *w, size_t count)
{
	for (size_t g = 0; g < count; g += 8) {
		const size_t m = count - g < 8 ? count - g : 8;
		if (t->nhashes + 8 > CTOK_HASH_BUF)
			flush_hashes(t);
		const __m512i h = hash_words_x8(p, w->pos + g, w->len + g,
						(__mmask8)((1u << m) - 1), t->seed);
		_mm512_storeu_si512((void *)(t->hashes + t->nhashes), h);
		for (size_t j = 0; j < m; j++)
			if (w->len[g + j] > 16)
				t->hashes[t->nhashes + j] = hash_ascii_word(
					p + w->pos[g + j], w->len[g + j], t->seed);
		t->nhashes += m;
		if (t->nhashes == CTOK_HASH_BUF) /* deliver() expects room */
			flush_hashes(t);
	}
	w->n -= count;
	memmove(w->pos, w->pos + count, w->n * sizeof(uint64_t));
	memmove(w->len, w->len + count, w->n * sizeof(uint64_t));
}

#define NOTE_WORD(s, e)                                                       \
	do {                                                                  \
		words.pos[words.n] = i + (s);                                 \
		words.len[words.n] = (e) - (s);                               \
		words.n++;                                                    \
	} while (0)
#define SETTLE_ALL() settle_words(t, p, &words, words.n)
#define SETTLE_GROUPS() settle_words(t, p, &words, words.n & ~(size_t)7)

__attribute__((target("avx512f,avx512dq,avx512bw"))) static size_t
fast_hashes_avx512(ctok *t, const unsigned char *p, size_t i, size_t n)
{
	pending_words words;
	words.n = 0;
	FAST_LOOP_BODY(classify_avx512, NOTE_WORD, SETTLE_ALL, SETTLE_GROUPS);
}

/* The same on 32 bytes; x <= max as min(x, max) == x (no unsigned
 * compare in AVX2). */
__attribute__((target("avx2"))) static inline uint32_t
classify32_avx2(const unsigned char *p, uint32_t *high, unsigned char *lower)
{
	const __m256i v = _mm256_loadu_si256((const __m256i *)p);
	const __m256i lo = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
	__m256i l = _mm256_sub_epi8(lo, _mm256_set1_epi8('a'));
	__m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
	__m256i letter = _mm256_cmpeq_epi8(_mm256_min_epu8(l, _mm256_set1_epi8(25)), l);
	__m256i digit = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
	*high = (uint32_t)_mm256_movemask_epi8(v);
	_mm256_storeu_si256((__m256i *)lower, lo);
	return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(letter, digit));
}

__attribute__((target("avx2"))) static inline void
classify_avx2(const unsigned char *p, uint64_t *word, uint64_t *high,
	      unsigned char *lower)
{
	uint32_t h0, h1;
	uint32_t w0 = classify32_avx2(p, &h0, lower);
	uint32_t w1 = classify32_avx2(p + 32, &h1, lower + 32);
	*word = (uint64_t)w1 << 32 | w0;
	*high = (uint64_t)h1 << 32 | h0;
}

__attribute__((target("avx2"))) static size_t
fast_words_avx2(ctok *t, const unsigned char *p, size_t i, size_t n)
{
	FAST_LOOP_BODY(classify_avx2, DELIVER_WORD, NOTHING, NOTHING);
}

/* Hash-only tokenizers on AVX2 note words as the loop finds them and
 * hash them in scalar code, one loop per XXH3 length class (1-3, 4-8,
 * 9-16, longer), each writing its hashes to the words' slots so the order
 * is kept.  AVX2 has no vpmullq: hash_words_x8's scheme in four lanes
 * computed all three short formulas per word -- about nine emulated
 * 64-bit multiplies of three vpmuludq each -- and loaded the words with
 * two vpgatherqq per four, slow on Zen 3.  A scalar 64-bit multiply is
 * one instruction, and one formula needs two or three.  Choosing the
 * formula per word by a branch would mispredict about every other word,
 * so a word is filed into its class's list as it is noted (a table and
 * a shift, no branch: word_batch), and the batch is hashed once about a
 * hundred words wait, so the four loops' exits are rare.  Each formula
 * reads only the word's own bytes, lowercased by ORing in 0x20 (the
 * words are ASCII letters and digits).
 *
 * Measured (ISA: AVX2, AMD EPYC Zen 3, shared 2 vCPUs; build/micro_words
 * on the first 16 MB of the corpus.txt of `bench/gen_corpus.py --size 256M`, least of 10
 * interleaved runs): 11.65 ns per word with the four-lane hash, 8.52 with
 * this.  Hashing the 4-8 class four at a time in AVX2 lanes (scalar loads,
 * two emulated multiplies per four words) measured the same as scalar
 * (8.65), so it is not kept.  The index build (contam index -t 1, 256 MB
 * JSONL.zst): user time 3.67-4.06 s before, 3.28-3.62 s after (4
 * interleaved rounds); perf: word loop plus hashing 3026 samples before
 * (settle_words_x4 10.8%), 2262 after. */

/* XXH3_len_1to3_64b of the lowercased word w[0..len). */
static inline uint64_t word_hash_1to3(const unsigned char *w, uint64_t len,
				      uint64_t seed)
{
	const uint32_t combined = ((uint32_t)w[0] << 16 | (uint32_t)w[len >> 1] << 24 |
				   (uint32_t)w[len - 1] | (uint32_t)len << 8) |
				  0x20200020u;
	const uint64_t bitflip = (XXH_readLE32(XXH3_kSecret) ^
				  XXH_readLE32(XXH3_kSecret + 4)) + seed;
	return XXH64_avalanche((uint64_t)combined ^ bitflip);
}

/* XXH3_len_4to8_64b of the lowercased word. */
static inline uint64_t word_hash_4to8(const unsigned char *w, uint64_t len,
				      uint64_t seed)
{
	const uint64_t seed4 = seed ^ ((uint64_t)XXH_swap32((uint32_t)seed) << 32);
	const uint32_t in1 = XXH_readLE32(w) | 0x20202020u;
	const uint32_t in2 = XXH_readLE32(w + len - 4) | 0x20202020u;
	const uint64_t bitflip = (XXH_readLE64(XXH3_kSecret + 8) ^
				  XXH_readLE64(XXH3_kSecret + 16)) - seed4;
	return XXH3_rrmxmx(((uint64_t)in2 + ((uint64_t)in1 << 32)) ^ bitflip, len);
}

/* XXH3_len_9to16_64b of the lowercased word. */
static inline uint64_t word_hash_9to16(const unsigned char *w, uint64_t len,
				       uint64_t seed)
{
	const uint64_t lower = 0x2020202020202020ULL;
	const uint64_t lo = (XXH_readLE64(w) | lower) ^
		((XXH_readLE64(XXH3_kSecret + 24) ^ XXH_readLE64(XXH3_kSecret + 32)) + seed);
	const uint64_t hi = (XXH_readLE64(w + len - 8) | lower) ^
		((XXH_readLE64(XXH3_kSecret + 40) ^ XXH_readLE64(XXH3_kSecret + 48)) - seed);
	return XXH3_avalanche(len + XXH_swap64(lo) + hi + XXH3_mul128_fold64(lo, hi));
}

#define WORD_BATCH 128 /* settled when more than 96 wait: a block adds <= 32 */

/* Words waiting to be hashed, sorted by length class as they are noted:
 * class c (0: 1-3 bytes, 1: 4-8, 2: 9-16, 3: longer) holds its words in
 * cls[c * WORD_BATCH ...], each as pos << 16 | slot << 8 | len (pos from
 * p; slot: the word's place in the batch; len < 256).  The loop keeps, in
 * a register, where each class's next word goes: 16 bits each, class c's
 * at bit 16c, starting at c * WORD_BATCH (BATCH_EMPTY); a table gives a
 * length's bit offset, so noting a word takes no branch and no compare. */
typedef struct word_batch {
	uint64_t cls[4 * WORD_BATCH];
} word_batch;

#define BATCH_EMPTY ((uint64_t)WORD_BATCH << 16 | (uint64_t)(2 * WORD_BATCH) << 32 | \
		     (uint64_t)(3 * WORD_BATCH) << 48)
#define WORD_POS(x) ((x) >> 16)
#define WORD_SLOT(x) (((x) >> 8) & 0xff)
#define WORD_LEN(x) ((x) & 0xff)

/* 16 * the class of a word of each length: the loop's words are under
 * 128 bytes (they end before the second block's last byte). */
static const unsigned char CLASS_SHIFT[128] = {
	0, 0, 0, 0, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32, 32, 32,
	32, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
	48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
};

/* Hash the `total` words of w (`next` as above) and hand the hashes to
 * the sink in order. */
static void settle_words_classes(ctok *t, const unsigned char *p,
				 const word_batch *w, uint64_t next, size_t total)
{
	const uint64_t seed = t->seed;
	if (t->nhashes + total > CTOK_HASH_BUF)
		flush_hashes(t);
	uint64_t *out = t->hashes + t->nhashes;
	const uint64_t *c = w->cls;
	for (size_t k = 0, n = next & 0xffff; k < n; k++)
		out[WORD_SLOT(c[k])] = word_hash_1to3(p + WORD_POS(c[k]), WORD_LEN(c[k]), seed);
	c += WORD_BATCH;
	for (size_t k = 0, n = (next >> 16 & 0xffff) - WORD_BATCH; k < n; k++)
		out[WORD_SLOT(c[k])] = word_hash_4to8(p + WORD_POS(c[k]), WORD_LEN(c[k]), seed);
	c += WORD_BATCH;
	for (size_t k = 0, n = (next >> 32 & 0xffff) - 2 * WORD_BATCH; k < n; k++)
		out[WORD_SLOT(c[k])] = word_hash_9to16(p + WORD_POS(c[k]), WORD_LEN(c[k]), seed);
	c += WORD_BATCH;
	for (size_t k = 0, n = (next >> 48) - 3 * WORD_BATCH; k < n; k++)
		out[WORD_SLOT(c[k])] = hash_ascii_word(p + WORD_POS(c[k]), WORD_LEN(c[k]), seed);
	t->nhashes += total;
	if (t->nhashes == CTOK_HASH_BUF) /* deliver() expects room */
		flush_hashes(t);
}

#undef NOTE_WORD
#undef SETTLE_ALL
#undef SETTLE_GROUPS
#define NOTE_WORD(s, e)                                                       \
	do {                                                                  \
		const uint64_t len_ = (e) - (s);                              \
		const unsigned sh_ = CLASS_SHIFT[len_];                       \
		words.cls[(next_slot >> sh_) & 0xffff] =                      \
			(uint64_t)(i + (s)) << 16 | (uint64_t)total << 8 | len_; \
		next_slot += 1ULL << sh_;                                     \
		total++;                                                      \
	} while (0)
#define SETTLE_ALL()                                                          \
	do {                                                                  \
		settle_words_classes(t, p, &words, next_slot, total);         \
		next_slot = BATCH_EMPTY;                                      \
		total = 0;                                                    \
	} while (0)
#define SETTLE_BATCH()                                                        \
	do {                                                                  \
		if (total > WORD_BATCH - 32)                                  \
			SETTLE_ALL();                                         \
	} while (0)

/* Compiled for BMI1 and BMI2 too (every AVX2 CPU has them; hashing_loop
 * checks, ccpu.bmi): the walk's ctz, clear-lowest-bit and variable shifts become
 * tzcnt, blsr and shrx/shlx/bzhi -- no zero test, no lea, no %cl moves:
 * 17% fewer instructions in this loop (cachegrind, 1 MB of
 * that corpus.txt: 120.3 M instead of 145.2 M), and
 * build/micro_words 8.75 -> 8.41 ns per word (ISA: AVX2, AMD EPYC Zen 3,
 * least of 20 interleaved runs).  A walk of its own for this loop -- a
 * block's k-th start bit paired with its k-th end bit, eight at a time
 * without a branch, or one at a time with the crossing word noted
 * without a branch and the words holding high bytes found per block --
 * measured no faster here (bench/PROFILE.md, row 20). */
__attribute__((target("avx2,bmi,bmi2"))) static size_t
fast_hashes_avx2(ctok *t, const unsigned char *p, size_t i, size_t n)
{
	word_batch words;
	uint64_t next_slot = BATCH_EMPTY;
	size_t total = 0;
	FAST_LOOP_BODY(classify_avx2, NOTE_WORD, SETTLE_ALL, SETTLE_BATCH);
}

/* *name is "scalar" on entry. */
static ctok_fast_fn best_fast_loop(const cfast *f, const char **name)
{
	const ccpu *cpu = ccpu_get();
	if (f->tok >= CFAST_AVX512 && cpu->avx512bw) {
		*name = "avx512bw";
		return fast_words_avx512;
	}
	if (f->tok >= CFAST_AVX2 && cpu->avx2) {
		*name = "avx2";
		return fast_words_avx2;
	}
	return NULL;
}

/* The word loop for a hash-only tokenizer: the one that hashes words in
 * batches (eight AVX-512 lanes, or per length class on AVX2) where the CPU
 * has what it needs. */
static ctok_fast_fn hashing_loop(ctok_fast_fn loop)
{
	if (loop == fast_words_avx512 && ccpu_get()->avx512)
		return fast_hashes_avx512;
	if (loop == fast_words_avx2 && ccpu_get()->avx2 && ccpu_get()->bmi)
		return fast_hashes_avx2;
	return loop;
}
#else
static ctok_fast_fn best_fast_loop(const cfast *f, const char **name)
{
	(void)f;
	(void)name;
	return NULL;
}

static ctok_fast_fn hashing_loop(ctok_fast_fn loop)
{
	return loop;
}
#endif

/* The word loop ctok_init gives a tokenizer under `f`, and its name. */
static ctok_fast_fn chosen_loop(const cfast *f, const char **name)
{
	*name = "scalar";
	return best_fast_loop(f, name);
}

const char *ctok_simd_name(const cfast *fast)
{
	const char *name;
	chosen_loop(cfast_or_default(fast), &name);
	return name;
}

/* --- runs --------------------------------------------------------- */

static void end_run(ctok *t)
{
	if (t->run_len == 0)
		return;
	if (t->run_ascii) {
		for (size_t i = 0; i < t->run_len; i++)
			t->run[i] = ASCII_LOWER[t->run[i]];
		emit_token(t, t->run, t->run_len, t->run_start,
			   t->run_start + t->run_len);
	} else {
		slow_run(t);
	}
	t->run_len = 0;
	t->run_ascii = 1;
}

int ctok_feed(ctok *t, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	if (t->oom)
		return CONTAM_E_NOMEM;
	while (i < n) {
		/* skip separators */
		while (i < n && byte_class(p[i]) == 0)
			i++;
		if (i > 0 && t->run_len && byte_class(p[i - 1]) == 0)
			end_run(t);
		if (i == n)
			break;
		if (t->run_len == 0 && t->fast && i + 128 <= n) {
			size_t j = t->fast(t, p, i, n);
			if (j != i) {
				i = j;
				continue;
			}
		}
		/* Fast path: a short ASCII word wholly inside this piece is
		 * lowercased on the stack and hashed, with no copy to the run
		 * buffer.  It must end at a separator within the piece. */
		if (t->run_len == 0) {
			unsigned char word[FAST_WORD_MAX];
			size_t j = i;
			while (j < n && j - i < FAST_WORD_MAX &&
			       BYTE_CLASS[p[j]] == 1) {
				word[j - i] = ASCII_LOWER[p[j]];
				j++;
			}
			if (j < n && BYTE_CLASS[p[j]] == 0) {
				emit_token(t, word, j - i, t->pos + i, t->pos + j);
				i = j;
				continue;
			}
		}
		/* the run: copy up to the next separator */
		size_t j = i;
		int ascii = 1;
		while (j < n) {
			unsigned char c = p[j];
			unsigned char cls = byte_class(c);
			if (cls == 0)
				break;
			ascii &= (cls == 1);
			/* cut an over-long run at a character boundary */
			if (t->run_len + (j - i) >= CTOK_RUN_MAX &&
			    (c & 0xC0) != 0x80)
				break;
			j++;
		}
		size_t len = j - i;
		if (len) {
			if (grow((void **)&t->run, &t->run_cap,
				 t->run_len + len, 1))
				return t->oom = 1, CONTAM_E_NOMEM;
			if (t->run_len == 0)
				t->run_start = t->pos + i;
			memcpy(t->run + t->run_len, p + i, len);
			t->run_len += len;
			t->run_ascii &= ascii;
		}
		i = j;
		if (i < n) /* at a separator or a cut: the run is complete */
			end_run(t);
	}
	t->pos += n;
	return t->oom ? CONTAM_E_NOMEM : CONTAM_OK;
}

int ctok_finish(ctok *t)
{
	end_run(t);
	if (t->sink)
		flush_hashes(t);
	t->pos = 0;
	int rc = t->oom ? CONTAM_E_NOMEM : CONTAM_OK;
	t->oom = 0;
	return rc;
}

const char *contam_recipe(void)
{
#define CONTAM_STR2(x) #x
#define CONTAM_STR(x) CONTAM_STR2(x)
	return CONTAM_RECIPE_NAME "/v" CONTAM_STR(CONTAM_RECIPE_VERSION);
}
