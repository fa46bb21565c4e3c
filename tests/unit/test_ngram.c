/*
 * test_ngram.c -- rolling windows equal direct window hashes; documents
 * reset the window; golden vectors pin the hash so that any change to it
 * is caught (it would need a new recipe version).
 */
#include "ngram/ngram.h"
#include "text/text.h"
#include "testutil.h"

static void test_ring_equals_direct(void)
{
	for (uint32_t n = 1; n <= CONTAM_MAX_NGRAM; n += 3) {
		cngram g;
		cngram_init(&g, n, 7);
		uint64_t toks[200], h;
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

int main(void)
{
	test_ring_equals_direct();
	test_reset();
	test_golden();
	return tu_finish("ngram");
}
