/*
 * test_minhash.c -- the MinHash core (minhash.h): signatures are a pure
 * function of the set, densification fills every bin from a shingle,
 * corpus windows sit where the placement rule says (checked against a
 * brute-force reference), streaming in pieces changes nothing, the item
 * set is cut at sentence ends, and the S-curve helpers give the values
 * of their formulas.
 */
#include "ngram/minhash.h"
#include "ngram/ngram.h"
#include "text/text.h"
#include "testutil.h"

#include <math.h>

/* The tests' geometry, fixed here (the defaults are tuned by
 * measurement and may change): b=8, r=3, windows 24/48/96/192, stride
 * W/2, shingles of 5. */
static void params_83(cmh_params *p, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->shingle = 5;
	p->bands = 8;
	p->rows = 3;
	p->nwindows = 4;
	p->windows[0] = 24;
	p->windows[1] = 48;
	p->windows[2] = 96;
	p->windows[3] = 192;
	p->stride_div = 2;
	p->seed = seed;
}

static void test_params(void)
{
	cmh_params p;
	char why[256];
	/* the defaults are valid, whatever they are */
	cmh_params_default(&p, 42);
	CHECK(cmh_params_check(&p, why, sizeof(why)) == CONTAM_OK);
	CHECK_EQ_U64(p.seed, 42);
	params_83(&p, 42);
	CHECK(cmh_params_check(&p, why, sizeof(why)) == CONTAM_OK);
	cmh_params q = p;
	q.bands = 100, q.rows = 6;
	CHECK(cmh_params_check(&q, why, sizeof(why)) == CONTAM_E_PARAM);
	CHECK(strstr(why, "512") != NULL);
	q = p;
	q.windows[1] = 24;
	CHECK(cmh_params_check(&q, why, sizeof(why)) == CONTAM_E_PARAM);
	CHECK(strstr(why, "ascending") != NULL);
	q = p;
	q.shingle = 0;
	CHECK(cmh_params_check(&q, why, sizeof(why)) == CONTAM_E_PARAM);
	q = p;
	q.nwindows = 0;
	CHECK(cmh_params_check(&q, why, sizeof(why)) == CONTAM_E_PARAM);
	q = p;
	q.stride_div = 0;
	CHECK(cmh_params_check(&q, why, sizeof(why)) == CONTAM_E_PARAM);
	q = p;
	CHECK(!cmh_params_differ(&p, &q));
	q.windows[2] = 97;
	CHECK(cmh_params_differ(&p, &q));
	q = p;
	q.seed = 43;
	CHECK(cmh_params_differ(&p, &q));
	/* stride max(1, W / div) */
	CHECK_EQ_U64(cmh_stride(&p, 24), 12);
	CHECK_EQ_U64(cmh_stride(&p, 1), 1);
	CHECK(fabs(cmh_windows_per_shingle(&p) - (1.0 / 12 + 1.0 / 24 + 1.0 / 48 + 1.0 / 96)) < 1e-12);
}

static void test_formulas(void)
{
	CHECK(fabs(cmh_threshold(8, 3) - 0.5) < 1e-12);
	CHECK(fabs(cmh_threshold(20, 5) - pow(0.05, 0.2)) < 1e-12);
	CHECK(fabs(cmh_match_prob(8, 3, 0.5) - (1 - pow(1 - 0.125, 8))) < 1e-12);
	CHECK(cmh_match_prob(8, 3, 0) == 0);
	CHECK(cmh_match_prob(8, 3, 1) == 1);
	/* the S-curve rises */
	double prev = 0;
	int rising = 1;
	for (int i = 1; i <= 10; i++) {
		double m = cmh_match_prob(8, 3, i / 10.0);
		rising &= m > prev;
		prev = m;
	}
	CHECK(rising);
	double lo, hi;
	cmh_jaccard_range(8, 3, 0, &lo, &hi);
	CHECK(lo == 0);
	/* Wilson's upper bound for 0 of 8: (z^2/n) / (1 + z^2/n) */
	double z2 = 1.959963984540054 * 1.959963984540054;
	double up0 = (z2 / 8) / (1 + z2 / 8);
	CHECK(fabs(hi - pow(up0, 1.0 / 3)) < 1e-9);
	cmh_jaccard_range(8, 3, 8, &lo, &hi);
	CHECK(hi == 1);
	CHECK(fabs(lo - pow(1 - up0, 1.0 / 3)) < 1e-9);
	/* c = 4 of 8: q = 0.5, Wilson symmetric around 0.5 */
	cmh_jaccard_range(8, 3, 4, &lo, &hi);
	CHECK(lo > 0 && lo < pow(0.5, 1.0 / 3) && hi > pow(0.5, 1.0 / 3) && hi < 1);
	double lo2, hi2;
	cmh_jaccard_range(8, 3, 5, &lo2, &hi2);
	CHECK(lo2 > lo && hi2 > hi);
}

static void test_signature_pure(void)
{
	cmh_params p;
	params_83(&p, 7);
	uint64_t sh[300], perm[600];
	for (int i = 0; i < 300; i++)
		sh[i] = cmix64((uint64_t)i + 1000);
	/* reversed, with every element twice */
	for (int i = 0; i < 300; i++)
		perm[2 * i] = perm[2 * i + 1] = sh[299 - i];
	uint64_t s1[CMH_MAX_BINS], s2[CMH_MAX_BINS], s3[CMH_MAX_BINS];
	CHECK(cmh_signature(&p, sh, 300, s1) == 1);
	CHECK(cmh_signature(&p, sh, 300, s2) == 1);
	CHECK(cmh_signature(&p, perm, 600, s3) == 1);
	CHECK(memcmp(s1, s2, sizeof(uint64_t) * 24) == 0);
	CHECK(memcmp(s1, s3, sizeof(uint64_t) * 24) == 0);
	uint64_t k1[8], k3[8];
	cmh_band_keys(&p, s1, k1);
	cmh_band_keys(&p, s3, k3);
	CHECK(memcmp(k1, k3, sizeof(k1)) == 0);
	/* bands differ from each other (seeded by band) */
	int distinct = 1;
	for (int i = 0; i < 8; i++)
		for (int j = i + 1; j < 8; j++)
			distinct &= k1[i] != k1[j];
	CHECK(distinct);
	/* no shingle: no signature */
	CHECK(cmh_signature(&p, sh, 0, s1) == 0);
	/* a different seed: different keys */
	cmh_params q = p;
	q.seed = 8;
	CHECK(cmh_signature(&q, sh, 300, s2) == 1);
	uint64_t k2[8];
	cmh_band_keys(&q, s2, k2);
	CHECK(memcmp(k1, k2, sizeof(k1)) != 0);
	/* one shingle changed out of 300 changes few bins */
	uint64_t alt[300];
	memcpy(alt, sh, sizeof(alt));
	alt[17] ^= 1;
	CHECK(cmh_signature(&p, alt, 300, s2) == 1);
	int same = 0;
	for (int i = 0; i < 24; i++)
		same += s1[i] == s2[i];
	CHECK(same >= 20);
}

/* With 1 to a few shingles, every bin holds one of them (mixed), and the
 * filled bins hold their own minimum. */
static void test_densify(void)
{
	cmh_params p;
	params_83(&p, 99);
	for (size_t n = 1; n <= 5; n++) {
		uint64_t sh[5], x[5], sig[CMH_MAX_BINS];
		for (size_t i = 0; i < n; i++) {
			sh[i] = 0x1234567ULL * (i + 3);
			x[i] = cmix64(sh[i] ^ p.seed);
		}
		CHECK(cmh_signature(&p, sh, n, sig) == 1);
		int all_from_set = 1;
		for (uint32_t b = 0; b < 24; b++) {
			int found = 0;
			for (size_t i = 0; i < n; i++)
				found |= sig[b] == x[i];
			all_from_set &= found;
		}
		CHECK(all_from_set);
		/* each shingle's own bin holds the smallest landing there */
		int own = 1;
		for (size_t i = 0; i < n; i++) {
			__extension__ typedef unsigned __int128 u128;
			uint32_t bin = (uint32_t)(((u128)x[i] * 24) >> 64);
			own &= sig[bin] <= x[i];
		}
		CHECK(own);
		uint64_t again[CMH_MAX_BINS];
		cmh_signature(&p, sh, n, again);
		CHECK(memcmp(sig, again, 24 * sizeof(uint64_t)) == 0);
	}
	/* one shingle: all bins equal */
	uint64_t one = 5, sig[CMH_MAX_BINS];
	cmh_signature(&p, &one, 1, sig);
	int eq = 1;
	for (int b = 1; b < 24; b++)
		eq &= sig[b] == sig[0];
	CHECK(eq);
	/* the largest signature, one shingle: densification ends */
	cmh_params big = p;
	big.bands = 128, big.rows = 4;
	CHECK(cmh_signature(&big, &one, 1, sig) == 1);
	eq = 1;
	for (int b = 1; b < 512; b++)
		eq &= sig[b] == sig[0];
	CHECK(eq);
}

/* A bin's minima agree with probability J (what the S-curve assumes),
 * for big sets and for small ones that need densification. */
static void test_collision_rate(void)
{
	cmh_params p;
	params_83(&p, 1234);
	const uint32_t k = 24;
	size_t sizes[][2] = { { 100, 50 }, { 6, 3 } };  /* shared, own each: J = 0.5 */
	for (int s = 0; s < 2; s++) {
		size_t sh = sizes[s][0], own = sizes[s][1];
		uint64_t a[200], b[200], sa[CMH_MAX_BINS], sb[CMH_MAX_BINS];
		uint64_t agree = 0, total = 0, ctr = (uint64_t)s << 40;
		for (int trial = 0; trial < 400; trial++) {
			size_t na = 0, nb = 0;
			for (size_t i = 0; i < sh; i++) {
				uint64_t v = cmix64(++ctr);
				a[na++] = v;
				b[nb++] = v;
			}
			for (size_t i = 0; i < own; i++) {
				a[na++] = cmix64(++ctr);
				b[nb++] = cmix64(++ctr);
			}
			cmh_signature(&p, a, na, sa);
			cmh_signature(&p, b, nb, sb);
			for (uint32_t i = 0; i < k; i++)
				agree += sa[i] == sb[i];
			total += k;
		}
		double rate = (double)agree / (double)total;
		CHECK(rate > 0.45 && rate < 0.55);
	}
}

/* ---- windows ---- */

typedef struct keyrec {
	uint64_t keys[20000];
	size_t n;
	size_t calls;
} keyrec;

static void rec_sink(void *ctx, const uint64_t *keys, size_t n)
{
	keyrec *r = ctx;
	for (size_t i = 0; i < n && r->n < 20000; i++)
		r->keys[r->n++] = keys[i];
	r->calls++;
}

/* The reference placement of docs/NEARDUP.md ("Corpus windows"), written the slow way: the list
 * of [start, end) windows of a document of n shingles. */
static size_t ref_windows(const cmh_params *p, size_t n, size_t (*win)[2])
{
	size_t m = 0;
	int whole = 0;
	for (uint32_t i = 0; i < p->nwindows; i++) {
		size_t w = p->windows[i], s = cmh_stride(p, (uint32_t)w);
		if (n <= w) {
			whole = 1;
			continue;
		}
		size_t j;
		for (j = 0; j * s + w <= n; j++) {
			win[m][0] = j * s;
			win[m][1] = j * s + w;
			m++;
		}
		if ((n - w) % s != 0) {
			win[m][0] = n - w;
			win[m][1] = n;
			m++;
		}
	}
	if (whole && n > 0) {
		win[m][0] = 0;
		win[m][1] = n;
		m++;
	}
	return m;
}

/* The keys the reference windows give, as sets of shingle hashes. */
static void ref_keys(const cmh_params *p, const uint64_t *shh, size_t (*win)[2], size_t m,
		     uint64_t *keys)
{
	uint64_t sig[CMH_MAX_BINS];
	for (size_t i = 0; i < m; i++) {
		cmh_signature(p, shh + win[i][0], win[i][1] - win[i][0], sig);
		cmh_band_keys(p, sig, keys + i * p->bands);
	}
}

static int has_window(const uint64_t *keys, size_t nkeys, const uint64_t *want, uint32_t b)
{
	for (size_t i = 0; i + b <= nkeys; i += b)
		if (memcmp(keys + i, want, b * sizeof(uint64_t)) == 0)
			return 1;
	return 0;
}

static void test_windows(void)
{
	cmh_params p;
	params_83(&p, 3);
	p.shingle = 2;
	p.bands = 4, p.rows = 8;  /* 32 bins: a window one shingle off differs */
	p.nwindows = 2;
	p.windows[0] = 4, p.windows[1] = 8, p.windows[2] = 0, p.windows[3] = 0;
	static keyrec rec;
	cmh_doc *d;
	CHECK(cmh_doc_new(&d, &p, NULL, rec_sink, &rec) == CONTAM_OK);
	/* tokens (little-endian) and their shingle hashes */
	uint64_t toks[64], shh[64];
	for (int i = 0; i < 64; i++)
		toks[i] = cngram_le64(cmix64((uint64_t)i * 31 + 5));
	for (int i = 0; i + 2 <= 64; i++)
		shh[i] = cmh_shingle_hash(&p, toks + i);
	/* the shingle hash is the n-gram hash with the salted seed */
	CHECK_EQ_U64(shh[0], cngram_hash_window((uint64_t[]){ cngram_le64(toks[0]),
			cngram_le64(toks[1]) }, 2, p.seed ^ CMH_SEED_SALT));

	/* counts on small n, by hand: n shingles = tokens - 1 */
	struct { size_t n, windows; } hand[] = {
		{ 0, 0 }, { 1, 1 }, { 3, 1 },
		{ 4, 1 },   /* [0,4) of W=4; W=8's whole document is the same */
		{ 5, 3 },   /* W=4: [0,4) + tail [1,5); W=8: whole */
		{ 6, 3 },   /* [0,4) [2,6); whole */
		{ 8, 4 },   /* [0,4) [2,6) [4,8); W=8 [0,8) */
		{ 10, 6 },  /* [0,4) [2,6) [4,8) [6,10); [0,8) + tail [2,10) */
		{ 12, 7 },  /* [0,4)..[8,12) = 5; [0,8) [4,12) */
	};
	for (size_t t = 0; t < sizeof(hand) / sizeof(hand[0]); t++) {
		rec.n = 0;
		uint64_t before = cmh_doc_windows(d);
		cmh_doc_begin(d);
		cmh_doc_tokens(d, toks, hand[t].n ? hand[t].n + 1 : 1);
		cmh_doc_end(d);
		CHECK_EQ_U64(cmh_doc_windows(d) - before, hand[t].windows);
		CHECK_EQ_U64(rec.n, hand[t].windows * 4);
	}
	/* positions against the reference, n = 1 .. 62 */
	static size_t win[1024][2];
	static uint64_t want[1024 * 4];
	int all_ok = 1, counts_ok = 1;
	for (size_t n = 1; n <= 62; n++) {
		rec.n = 0;
		cmh_doc_begin(d);
		cmh_doc_tokens(d, toks, n + 1);
		cmh_doc_end(d);
		size_t m = ref_windows(&p, n, win);
		ref_keys(&p, shh, win, m, want);
		counts_ok &= rec.n == m * 4;
		for (size_t i = 0; i < m; i++)
			all_ok &= has_window(rec.keys, rec.n, want + i * 4, 4);
	}
	CHECK(counts_ok);
	CHECK(all_ok);
	/* the tail window: n = 10, W = 8, stride 4 -> [2, 10) */
	rec.n = 0;
	cmh_doc_tokens(d, toks, 11);
	cmh_doc_end(d);
	size_t tail[1][2] = { { 2, 10 } };
	ref_keys(&p, shh, tail, 1, want);
	CHECK(has_window(rec.keys, rec.n, want, 4));
	/* the counts match and every reference window is there; with the
	 * reference windows' keys distinct, that is the placement exactly */
	size_t m10 = ref_windows(&p, 10, win);
	ref_keys(&p, shh, win, m10, want);
	int distinct = 1;
	for (size_t i = 0; i < m10; i++)
		for (size_t j = i + 1; j < m10; j++)
			distinct &= memcmp(want + i * 4, want + j * 4, 4 * sizeof(uint64_t)) != 0;
	CHECK(distinct);
	CHECK_EQ_U64(rec.n, m10 * 4);

	/* streaming in pieces gives the same keys in the same order */
	static keyrec one, pieces;
	cmh_doc *a, *b;
	CHECK(cmh_doc_new(&a, &p, NULL, rec_sink, &one) == CONTAM_OK);
	CHECK(cmh_doc_new(&b, &p, NULL, rec_sink, &pieces) == CONTAM_OK);
	cmh_doc_tokens(a, toks, 64);
	cmh_doc_end(a);
	size_t at = 0, step = 1;
	while (at < 64) {
		size_t c = 64 - at < step ? 64 - at : step;
		cmh_doc_tokens(b, toks + at, c);
		at += c;
		step = step * 2 + 1;
	}
	cmh_doc_end(b);
	CHECK(one.n > 0);
	CHECK_EQ_U64(one.n, pieces.n);
	CHECK(memcmp(one.keys, pieces.keys, one.n * sizeof(uint64_t)) == 0);
	CHECK_EQ_U64(cmh_doc_windows(a), cmh_doc_windows(b));
	/* a document boundary is a reset: two documents give the keys of
	 * each alone */
	one.n = 0;
	cmh_doc_tokens(a, toks, 20);
	cmh_doc_end(a);
	cmh_doc_tokens(a, toks + 20, 30);
	cmh_doc_end(a);
	pieces.n = 0;
	cmh_doc_tokens(b, toks, 20);
	cmh_doc_end(b);
	size_t first = pieces.n;
	cmh_doc_tokens(b, toks + 20, 30);
	cmh_doc_end(b);
	CHECK(first > 0 && pieces.n > first);
	CHECK(memcmp(one.keys, pieces.keys, pieces.n * sizeof(uint64_t)) == 0);
	/* and not the keys of the 50 tokens as one document */
	static keyrec joined;
	cmh_doc *c;
	CHECK(cmh_doc_new(&c, &p, NULL, rec_sink, &joined) == CONTAM_OK);
	cmh_doc_tokens(c, toks, 50);
	cmh_doc_end(c);
	CHECK(joined.n != pieces.n ||
	      memcmp(joined.keys, pieces.keys, pieces.n * sizeof(uint64_t)) != 0);
	cmh_doc_free(a);
	cmh_doc_free(b);
	cmh_doc_free(c);
	cmh_doc_free(d);

	/* the default geometry over a long document: the ring wraps, keys
	 * are the reference's */
	cmh_params q;
	params_83(&q, 11);
	static uint64_t lt[2000], lsh[2000];
	for (int i = 0; i < 2000; i++)
		lt[i] = cngram_le64(cmix64((uint64_t)i ^ 0xabcdef));
	for (int i = 0; i + 5 <= 2000; i++)
		lsh[i] = cmh_shingle_hash(&q, lt + i);
	static keyrec lrec;
	CHECK(cmh_doc_new(&d, &q, NULL, rec_sink, &lrec) == CONTAM_OK);
	cmh_doc_tokens(d, lt, 2000);
	cmh_doc_end(d);
	size_t m = ref_windows(&q, 1996, win);
	CHECK(m < 1024);
	static uint64_t lwant[1024 * 8];
	ref_keys(&q, lsh, win, m, lwant);
	CHECK_EQ_U64(lrec.n, m * 8);
	int found = 1;
	for (size_t i = 0; i < m; i++)
		found &= has_window(lrec.keys, lrec.n, lwant + i * 8, 8);
	CHECK(found);
	/* near the expected rate: windows per shingle */
	double per = (double)m / 1996;
	CHECK(per > cmh_windows_per_shingle(&q) * 0.95 && per < cmh_windows_per_shingle(&q) * 1.2);
	cmh_doc_free(d);
}

/* ---- item sets ---- */

static size_t item_count(cmh_item *it, const char *s)
{
	cmh_item_reset(it);
	CHECK(cmh_item_add_text(it, s, strlen(s)) == CONTAM_OK);
	return cmh_item_shingles(it, NULL);
}

static void test_item(void)
{
	cmh_params p;
	params_83(&p, 5);
	cmh_item *it;
	CHECK(cmh_item_new(&it, &p, NULL) == CONTAM_OK);
	/* two sentences of 6 words: 2 + 2 shingles (8 across the cut) */
	CHECK_EQ_U64(item_count(it, "one two three four five six. seven eight nine ten eleven twelve."), 4);
	CHECK_EQ_U64(cmh_item_tokens(it), 12);
	CHECK_EQ_U64(item_count(it, "one two three four five six seven eight nine ten eleven twelve"), 8);
	/* '.' inside a number is no sentence end; '?' and '!' are */
	CHECK_EQ_U64(item_count(it, "one two 3.5 four five six"), 3);
	CHECK_EQ_U64(item_count(it, "one two three four five six? seven eight nine ten eleven twelve!"), 4);
	/* newlines cut */
	CHECK_EQ_U64(item_count(it, "one two three four five six\nseven eight nine ten eleven twelve"), 4);
	CHECK_EQ_U64(item_count(it, "one two three four five six\r\nseven eight nine ten eleven twelve"), 4);
	/* a segment under `shingle` tokens gives none */
	CHECK_EQ_U64(item_count(it, "A. B c d. one two three four five"), 1);
	CHECK_EQ_U64(item_count(it, "a b c d"), 0);
	CHECK_EQ_U64(cmh_item_tokens(it), 4);
	/* CJK full stop: 6 + 6 ideographs, 2 + 2 shingles */
	CHECK_EQ_U64(item_count(it, "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94\xe5\x85\xad"
				    "\xe3\x80\x82"
				    "\xe4\xb8\x83\xe5\x85\xab\xe4\xb9\x9d\xe5\x8d\x81\xe7\x99\xbe\xe5\x8d\x83"), 4);
	/* fields never share a shingle, and repeats are one */
	cmh_item_reset(it);
	const char *f1 = "one two three four five six", *f2 = "seven eight nine ten eleven";
	CHECK(cmh_item_add_text(it, f1, strlen(f1)) == CONTAM_OK);
	CHECK(cmh_item_add_text(it, f2, strlen(f2)) == CONTAM_OK);
	CHECK_EQ_U64(cmh_item_shingles(it, NULL), 3);
	CHECK(cmh_item_add_text(it, f1, strlen(f1)) == CONTAM_OK);
	CHECK_EQ_U64(cmh_item_shingles(it, NULL), 3);
	CHECK_EQ_U64(cmh_item_tokens(it), 17);

	/* sentence order does not change the set, so not the keys */
	const char *s1 = "The quick brown fox jumps over the lazy dog. "
			 "A stitch in time saves nine, they said. "
			 "Early to bed and early to rise makes one wise.";
	const char *s2 = "Early to bed and early to rise makes one wise.\n"
			 "The quick brown fox jumps over the lazy dog. "
			 "A stitch in time saves nine, they said.";
	uint64_t sig1[CMH_MAX_BINS], sig2[CMH_MAX_BINS], k1[8], k2[8];
	const uint64_t *sh;
	cmh_item_reset(it);
	cmh_item_add_text(it, s1, strlen(s1));
	size_t n1 = cmh_item_shingles(it, &sh);
	CHECK(cmh_signature(&p, sh, n1, sig1) == 1);
	cmh_item_reset(it);
	cmh_item_add_text(it, s2, strlen(s2));
	size_t n2 = cmh_item_shingles(it, &sh);
	CHECK_EQ_U64(n1, n2);
	CHECK(cmh_signature(&p, sh, n2, sig2) == 1);
	cmh_band_keys(&p, sig1, k1);
	cmh_band_keys(&p, sig2, k2);
	CHECK(memcmp(k1, k2, sizeof(k1)) == 0);

	/* the item's shingles are the corpus's: a document of one sentence
	 * (n <= every window: one window, the whole document) has the
	 * item's keys */
	const char *one = "Pack my box with five dozen liquor jugs and then some more words here";
	cmh_item_reset(it);
	cmh_item_add_text(it, one, strlen(one));
	size_t ni = cmh_item_shingles(it, &sh);
	CHECK_EQ_U64(ni, 10);
	cmh_signature(&p, sh, ni, sig1);
	cmh_band_keys(&p, sig1, k1);
	static uint64_t th[64];
	size_t nt = 0;
	/* the item counts its tokens with the tokenizer; rebuild them from
	 * the words (all ASCII lower-case after folding) */
	const char *w = one;
	while (*w) {
		while (*w == ' ')
			w++;
		const char *e = w;
		while (*e && *e != ' ')
			e++;
		if (e > w) {
			char lower[32];
			size_t l = (size_t)(e - w);
			for (size_t i = 0; i < l; i++)
				lower[i] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] + 32 : w[i]);
			th[nt++] = cngram_le64(ctok_hash(lower, l, p.seed));
		}
		w = e;
	}
	CHECK_EQ_U64(nt, cmh_item_tokens(it));
	static keyrec drec;
	cmh_doc *d;
	CHECK(cmh_doc_new(&d, &p, NULL, rec_sink, &drec) == CONTAM_OK);
	cmh_doc_tokens(d, th, nt);
	cmh_doc_end(d);
	CHECK_EQ_U64(drec.n, 8);
	CHECK(memcmp(drec.keys, k1, sizeof(k1)) == 0);
	cmh_doc_free(d);
	cmh_item_free(it);
}

int main(void)
{
	test_params();
	test_formulas();
	test_signature_pure();
	test_densify();
	test_collision_rate();
	test_windows();
	test_item();
	return tu_finish("minhash");
}
