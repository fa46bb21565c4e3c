/*
 * test_sizing.c -- automatic sizing meets its target.
 *
 * - contam_seen_fpr is the share of n-grams hit after the probe's fill
 *   (cwinnow_fill_hits) when lookups are false with a given rate: checked
 *   against a simulation; contam_lookup_fpr_for is its inverse.
 * - A winnowed index spreads its keys over the whole filter (before: the
 *   smallest hashes of each window, all in the first blocks).
 * - The key estimate of a winnowed corpus of short documents counts one
 *   key per short document (before: 2/(W+1) of its n-grams, half).
 * - The estimate of a compressed input is the plain one's: the decoder's
 *   look-ahead is not counted (before: 9% short with gzip/isa-l, 70% with
 *   bzip2, on text that compresses like CJK).
 */
#include "contam.h"
#include "testutil.h"
#include "../../src/lib/ngram/winnow.h"
#include "../../src/lib/common/stream.h"

#include <bzlib.h>
#include <math.h>
#include <zlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static void test_seen_fpr(void)
{
	static const struct { double f; uint32_t w; } cases[] = {
		{ 0.01, 10 }, { 0.003, 32 }, { 0.002, 64 }, { 0.02, 4 },
	};
	const size_t g = 4000000;
	unsigned char *hit = malloc(g);
	CHECK(hit != NULL);
	if (!hit)
		return;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double f = cases[c].f;
		uint32_t w = cases[c].w;
		for (size_t i = 0; i < g; i++)
			hit[i] = uniform() < f;
		cwinnow_fill_hits(hit, g, w);
		size_t n = 0;
		for (size_t i = 0; i < g; i++)
			n += hit[i];
		double got = (double)n / (double)g, want = contam_seen_fpr(f, w);
		if (!(fabs(got - want) < 0.04 * want))
			fprintf(stderr, "f=%g W=%u: simulated %g, formula %g\n", f, w, got, want);
		CHECK(fabs(got - want) < 0.04 * want);
		CHECK(want > f);
		/* the inverse */
		double t = 1e-3, l = contam_lookup_fpr_for(t, w);
		CHECK(l < t && fabs(contam_seen_fpr(l, w) - t) < 1e-9);
	}
	free(hit);
	CHECK(contam_seen_fpr(0.001, 0) == 0.001);
	CHECK(contam_seen_fpr(0.001, 1) == 0.001);
	CHECK(contam_lookup_fpr_for(0.001, 0) == 0.001);
	/* W=10 at 1e-3: 4.5% more than the lookup rate */
	double s = contam_seen_fpr(1e-3, 10);
	CHECK(s > 1.04e-3 && s < 1.05e-3);
}

/* Words w0..w(V-1), Zipf-ish. */
static void put_words(FILE *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double u = uniform();
		unsigned v = (unsigned)(exp(u * log(20000.0)));
		fprintf(f, "%sw%u", i ? " " : "", v);
	}
}

/* One CJK ideograph of 3000, in UTF-8. */
static void put_cjk(FILE *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = 0x4E00 + (unsigned)(next() % 3000);
		fputc(0xE0 | (c >> 12), f);
		fputc(0x80 | ((c >> 6) & 0x3F), f);
		fputc(0x80 | (c & 0x3F), f);
	}
}

static int inputs_of(contam_inputs *in, const char *path)
{
	contam_error err;
	const char *args[1] = { path };
	int rc = contam_inputs_expand(in, args, 1, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	CHECK(rc == 0);
	return rc;
}

/* Build an index of `path` with winnowing W for `keys` keys; *inserted. */
static contam_index *build(const char *path, uint32_t w, uint64_t keys, uint64_t *inserted)
{
	contam_inputs in;
	contam_index *ix = NULL;
	contam_params p;
	contam_build_options opt;
	contam_index_stats st;
	if (inputs_of(&in, path))
		return NULL;
	CHECK(contam_plan_filter(keys, contam_lookup_fpr_for(1e-3, w), 0, 8, &p, NULL, NULL) == 0);
	p.winnow = w;
	CHECK(contam_index_new(&ix, &p, NULL) == 0);
	contam_build_options_init(&opt);
	opt.threads = 1;
	CHECK(contam_index_build(ix, &in, &opt) == 0);
	contam_index_stats_get(ix, &st);
	*inserted = st.ngrams_inserted;
	contam_inputs_free(&in);
	return ix;
}

static void test_winnow_spread(void)
{
	const char *path = tu_path("long.txt");
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	put_words(f, 600000);
	fputc('\n', f);
	fclose(f);
	uint64_t inserted = 0;
	contam_index *ix = build(path, 32, 600000 * 2 / 33, &inserted);
	if (!ix)
		return;
	uint64_t *words;
	size_t count;
	CHECK(contam_index_filter_words(ix, &words, &count) == 0);
	size_t tenth = count / 10;
	uint64_t first = 0, last = 0;
	for (size_t i = 0; i < tenth; i++) {
		first += (uint64_t)__builtin_popcountll(words[i]);
		last += (uint64_t)__builtin_popcountll(words[count - 1 - i]);
	}
	/* before: 95% and 0% */
	if (!(last > 0 && (double)first / (double)last < 1.15 && (double)last / (double)first < 1.15))
		fprintf(stderr, "bits set in the first and last tenth: %" PRIu64 ", %" PRIu64 "\n",
			first, last);
	CHECK(last > 0 && (double)first / (double)last < 1.15 &&
	      (double)last / (double)first < 1.15);
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	CHECK(st.fpr < 1.1e-3);
	CHECK(st.fpr_lookup < st.fpr);
	CHECK(fabs(st.fpr - contam_seen_fpr(st.fpr_lookup, 32)) < 1e-12);
	contam_index_free(ix);
}

static void test_keys_of_short_documents(void)
{
	const char *path = tu_path("short.jsonl");
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	for (int i = 0; i < 4000; i++) {
		fputs("{\"text\": \"", f);
		put_words(f, 9 + next() % 8); /* 2..9 8-grams: one key each at W=10 */
		fputs("\"}\n", f);
	}
	fclose(f);
	contam_inputs in;
	if (inputs_of(&in, path))
		return;
	uint64_t all = contam_estimate_ngrams_content(&in, NULL, 8, NULL);
	uint64_t keys = contam_estimate_keys_content(&in, NULL, 8, 10, NULL);
	contam_inputs_free(&in);
	uint64_t inserted = 0;
	contam_index *ix = build(path, 10, keys, &inserted);
	contam_index_free(ix);
	CHECK_EQ_U64(inserted, 4000);
	CHECK(keys >= inserted * 95 / 100 && keys <= inserted * 105 / 100);
	CHECK(all > 2 * keys); /* 2/(W+1) of `all` would be short */
}

/* The estimate under the fast paths `fast` (NULL: the default), passed in
 * as the build options' field. */
static uint64_t estimate_with(const contam_fast *fast, const char *path)
{
	contam_inputs in;
	if (inputs_of(&in, path))
		return 0;
	contam_build_options opt;
	contam_build_options_init(&opt);
	opt.fast = fast;
	uint64_t n = contam_estimate_ngrams_content(&in, &opt, 8, NULL);
	contam_inputs_free(&in);
	return n;
}

static uint64_t estimate(const char *path)
{
	return estimate_with(NULL, path);
}

static void test_compressed_estimate(void)
{
	/* 2 MB of text that compresses as CJK does (about 1.5x) */
	const char *plain = tu_path("cjk.jsonl");
	FILE *f = fopen(plain, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	for (int i = 0; i < 450; i++) {
		fputs("{\"text\": \"", f);
		put_cjk(f, 300 + next() % 2700);
		fputs("\"}\n", f);
	}
	fclose(f);
	FILE *in = fopen(plain, "rb");
	const char *gz = tu_path("cjk.jsonl.gz"), *bz = tu_path("cjk.jsonl.bz2");
	gzFile g = gzopen(gz, "wb6");
	FILE *bf = fopen(bz, "wb");
	int bzerr;
	BZFILE *b = bf ? BZ2_bzWriteOpen(&bzerr, bf, 9, 0, 0) : NULL;
	CHECK(in && g && b);
	if (!in || !g || !b)
		return;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		CHECK(gzwrite(g, buf, (unsigned)n) == (int)n);
		BZ2_bzWrite(&bzerr, b, buf, (int)n);
		CHECK(bzerr == BZ_OK);
	}
	fclose(in);
	gzclose(g);
	BZ2_bzWriteClose(&bzerr, b, 0, NULL, NULL);
	fclose(bf);
	uint64_t want = estimate(plain);
	const char *names[] = { gz, bz };
	for (int c = 0; c < 2; c++) {
		uint64_t got = estimate(names[c]);
		if (!(got > want * 97 / 100 && got < want * 103 / 100))
			fprintf(stderr, "%s: %" PRIu64 " n-grams, plain %" PRIu64 "\n", names[c],
				got, want);
		CHECK(got > want * 97 / 100 && got < want * 103 / 100);
	}
	/* isa-l and zlib agree (the default takes isa-l where it is built
	 * in, unless CONTAM_INFLATE=zlib) */
	contam_fast zlib = *contam_fast_default();
	zlib.isal = 0;
	uint64_t z = estimate_with(&zlib, gz);
	CHECK(z > want * 97 / 100 && z < want * 103 / 100);
}

int main(void)
{
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test-sizing-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_seen_fpr();
	test_winnow_spread();
	test_keys_of_short_documents();
	test_compressed_estimate();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("sizing");
}
