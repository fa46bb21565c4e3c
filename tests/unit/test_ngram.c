/*
 * test_ngram.c -- rolling windows equal direct window hashes; documents
 * reset the window; golden vectors pin the hash so that any change to it
 * is caught (it would need a new recipe version).
 */
#include "ngram/ngram.h"
#include "ngram/winnow.h"
#include "text/text.h"
#include "testutil.h"

static void test_ring_equals_direct(void)
{
	for (uint32_t n = 1; n <= CONTAM_MAX_NGRAM; n += 3) {
		cngram g;
		cngram_init(&g, n, 7);
		uint64_t toks[200], h = 0;
		int ok = 1, windows = 0;
		for (int i = 0; i < 200; i++) {
			toks[i] = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 1;
			int got = cngram_push(&g, toks[i], &h);
			if ((uint32_t)i + 1 < n) {
				ok &= got == 0;
				continue;
			}
			ok &= got == 1;
			ok &= h == cngram_hash_window(&toks[i + 1 - n], n, 7);
			windows++;
		}
		CHECK(ok);
		CHECK_EQ_U64(windows, 200 - n + 1);
	}
}

/* The index's batch path (cngram_hash_windows, with n specialized for
 * 5, 8, 10 and 13, and eight windows at a time with AVX-512 for n of 3 to
 * 16) gives the ring's hashes, for every n and any number of windows. */
static void test_windows_equal_ring(void)
{
	for (uint32_t n = 1; n <= CONTAM_MAX_NGRAM; n++) {
		cngram g;
		cngram_init(&g, n, 11);
		uint64_t toks[300], ring[300], batch[300], h;
		size_t nring = 0;
		for (int i = 0; i < 300; i++) {
			toks[i] = cngram_le64((uint64_t)i * 0xbf58476d1ce4e5b9ULL ^ n);
			if (cngram_push(&g, toks[i], &h))
				ring[nring++] = h;
		}
		size_t nb = cngram_hash_windows(NULL, toks, 300, n, 11, batch);
		CHECK_EQ_U64(nb, nring);
		CHECK(nb == nring && memcmp(batch, ring, nb * sizeof(uint64_t)) == 0);
	}
	/* few windows: the eight-at-a-time path's remainders */
	int same = 1;
	for (uint32_t n = 1; n <= 17; n++)
		for (size_t count = n; count < n + 20; count++) {
			uint64_t toks[40], want[40], got[40];
			for (size_t i = 0; i < count; i++)
				toks[i] = cngram_le64((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL ^ count);
			for (size_t j = 0; j + n <= count; j++)
				want[j] = cngram_hash_window(toks + j, n, 5);
			size_t m = cngram_hash_windows(NULL, toks, count, n, 5, got);
			same &= m == count - n + 1 && memcmp(got, want, m * sizeof(uint64_t)) == 0;
		}
	CHECK(same);
	uint64_t one[4] = { 1, 2, 3, 4 }, out[4];
	CHECK_EQ_U64(cngram_hash_windows(NULL, one, 4, 5, 0, out), 0);
}

static void test_reset(void)
{
	cngram g;
	uint64_t h;
	cngram_init(&g, 3, 0);
	CHECK(cngram_push(&g, 1, &h) == 0);
	CHECK(cngram_push(&g, 2, &h) == 0);
	cngram_reset(&g);
	CHECK(cngram_push(&g, 3, &h) == 0);
	CHECK(cngram_push(&g, 4, &h) == 0);
	CHECK(cngram_push(&g, 5, &h) == 1);
	uint64_t w[3] = { 3, 4, 5 };
	CHECK_EQ_U64(h, cngram_hash_window(w, 3, 0));
}

/* Golden: token and 3-gram hashes of "the quick brown fox" with seed
 * 0x636f6e74616d3031 (the default seed). */
#define GOLDEN_THE 0x386e72692df1a364ULL
#define GOLDEN_3GRAM_0 0x4e45f3c7b6ce3f68ULL
#define GOLDEN_3GRAM_1 0x5e93a1b2e4c38e5cULL

static void test_golden(void)
{
	const uint64_t seed = 0x636f6e74616d3031ULL;
	const char *words[] = { "the", "quick", "brown", "fox" };
	uint64_t t[4];
	for (int i = 0; i < 4; i++)
		t[i] = ctok_hash(words[i], strlen(words[i]), seed);
	CHECK_EQ_U64(t[0], GOLDEN_THE);
	CHECK_EQ_U64(cngram_hash_window(t, 3, seed), GOLDEN_3GRAM_0);
	CHECK_EQ_U64(cngram_hash_window(t + 1, 3, seed), GOLDEN_3GRAM_1);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The winnowing guarantee, as a property on random documents: the
 * minimum of every window of w consecutive hashes was kept, so any text
 * sharing w consecutive n-grams with the document finds one of them. */
static void test_winnow_guarantee(void)
{
	uint64_t seed = 88172645463325252ULL;
	int ok = 1;
	uint64_t kept_total = 0, seen_total = 0;
	for (int round = 0; round < 300; round++) {
		uint32_t w = 2 + (uint32_t)(rng(&seed) % 15);
		size_t len = 1 + (size_t)(rng(&seed) % 400);
		uint64_t doc[400], kept[400];
		size_t nk = 0;
		cwinnow win;
		cwinnow_init(&win, w);
		cwinnow_reset(&win);
		for (size_t i = 0; i < len; i++) {
			/* small alphabet: ties happen and must be handled */
			doc[i] = rng(&seed) % 50;
			uint64_t k;
			if (cwinnow_push(&win, doc[i], &k))
				kept[nk++] = k;
		}
		uint64_t k;
		if (cwinnow_finish(&win, &k))
			kept[nk++] = k;
		CHECK(nk <= len);
		for (size_t s = 0; s + w <= len; s++) {
			uint64_t m = doc[s];
			for (size_t j = s; j < s + w; j++)
				if (doc[j] < m)
					m = doc[j];
			int found = 0;
			for (size_t q = 0; q < nk && !found; q++)
				found = kept[q] == m;
			ok &= found;
		}
		if (len < w) /* a short document still keeps its minimum */
			ok &= nk == 1;
		kept_total += nk;
		seen_total += len;
	}
	CHECK(ok);
	CHECK(kept_total < seen_total);
	/* density on distinct hashes is about 2/(w+1) */
	cwinnow win;
	cwinnow_init(&win, 9);
	uint64_t n = 0, s = 12345;
	for (int i = 0; i < 100000; i++) {
		uint64_t k;
		n += (uint64_t)cwinnow_push(&win, rng(&s), &k);
	}
	fprintf(stderr, "winnow w=9 keeps %.3f of n-grams (2/(w+1) = 0.2)\n", n / 1e5);
	CHECK(n > 17000 && n < 23000);
}

static void test_winnow_fill(void)
{
	unsigned char hit[20] = { 0 };
	hit[2] = hit[5] = hit[15] = 1; /* gaps of 3 and 10 */
	cwinnow_fill_hits(hit, 20, 4);
	CHECK(hit[3] && hit[4]);        /* gap <= w filled */
	CHECK(!hit[6] && !hit[14]);     /* gap > w not */
	CHECK(!hit[0] && !hit[19]);     /* no extension at the ends */
}

int main(void)
{
	test_ring_equals_direct();
	test_windows_equal_ring();
	test_reset();
	test_golden();
	test_winnow_guarantee();
	test_winnow_fill();
	return tu_finish("ngram");
}
