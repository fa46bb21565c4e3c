/*
 * micro_words.c -- the hash-only tokenizer (the index build's) alone, in
 * ns per word, for each word loop the CPU has (scalar, AVX2, AVX-512):
 * the text of a file, fed in 64 KB pieces, its token hashes summed by the
 * sink.  The least thread CPU time of 15 passes (the machine is shared).
 * The scalar loop is the baseline: every loop's hashes must sum the same.
 *
 *   build/micro_words [file [megabytes [loop]]]
 *   (default /work/bench256/corpus.txt, its first 16 MB, every loop;
 *   bench/gen_corpus.py writes such a corpus.txt)
 */
#include "text/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct tally {
	uint64_t sum;
	size_t words;
} tally;

static void take(void *ctx, const uint64_t *h, size_t n)
{
	tally *s = ctx;
	for (size_t i = 0; i < n; i++)
		s->sum += h[i];
	s->words += n;
}

/* Seconds for one pass over buf at `level`, the tally in *s. */
static double pass(const char *buf, size_t n, int level, tally *s)
{
	cfast f = *cfast_default();
	f.tok = level;
	ctok t;
	s->sum = 0;
	s->words = 0;
	double t0 = now();
	ctok_init_hashes(&t, &f, 42, take, s);
	for (size_t i = 0; i < n; i += 65536)
		ctok_feed(&t, buf + i, n - i < 65536 ? n - i : 65536);
	ctok_finish(&t);
	ctok_release(&t);
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/work/bench256/corpus.txt";
	size_t want = (argc > 2 ? (size_t)atol(argv[2]) : 16) << 20;
	const char *only = argc > 3 ? argv[3] : NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	char *buf = malloc(want);
	size_t n = buf ? fread(buf, 1, want, fp) : 0;
	fclose(fp);
	static const struct { int level; const char *name; } levels[] = {
		{ CFAST_SCALAR, "scalar" }, { CFAST_AVX2, "avx2" },
		{ CFAST_AVX512, "avx512" },
	};
	printf("%zu bytes of %s; %s; cc %s\n", n, path, contam_fast_paths(), __VERSION__);
	uint64_t ref = 0;
	int have_ref = 0;
	for (size_t k = 0; k < sizeof levels / sizeof *levels; k++) {
		cfast f = *cfast_default();
		f.tok = levels[k].level;
		if (strcmp(ctok_simd_name(&f), levels[k].name) &&
		    !(levels[k].level == CFAST_AVX512 &&
		      !strcmp(ctok_simd_name(&f), "avx512bw")))
			continue; /* the CPU lacks it */
		if (only && strcmp(only, levels[k].name))
			continue;
		double best = 1e9;
		tally s;
		for (int r = 0; r < 15; r++) {
			double sec = pass(buf, n, levels[k].level, &s);
			best = sec < best ? sec : best;
		}
		if (!have_ref)
			ref = s.sum, have_ref = 1;
		printf("%-7s %6.2f ns/word  %zu words  %.1f MB/s%s\n",
		       levels[k].name, best * 1e9 / (double)s.words, s.words,
		       (double)n / best / 1e6, s.sum == ref ? "" : "  HASHES DIFFER");
	}
	free(buf);
	return 0;
}
