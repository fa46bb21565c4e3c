/*
 * micro_bloom.c -- Bloom filter insertion alone, in ns per key: the
 * scalar loop against the AVX-512 and AVX2 ones, each straight into the filter and
 * through the write queue (index_queue.c, as the index build inserts),
 * at four filter sizes (in L1, where only the instructions count; in
 * the last-level cache; about the 256 MB corpus's filter; about the 1 GB
 * corpus's filter).  Keys are xorshift output in batches
 * of 65536; each size is filled twice (the first pass also pays for the
 * kernel zeroing fresh pages).
 *
 *   build/bench/micro_bloom [keys]      (default 45,000,000)
 */
#include "index/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define BATCH CBLOOM_QUEUE_BATCH

/* Seconds to insert n keys (generated on the fly) into f, through q when
 * it is not NULL. */
static double fill(cbloom *f, const cfast *fast, cbloom_queue *q,
		   uint64_t *keys, uint64_t *scratch, size_t n, uint64_t *state)
{
	double t0 = now();
	for (size_t done = 0; done < n; done += BATCH) {
		for (size_t i = 0; i < BATCH; i++) {
			uint64_t x = *state;
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			keys[i] = *state = x;
		}
		if (q)
			cbloom_queue_add(q, keys, BATCH, scratch);
		else
			cbloom_insert_batch(f, fast, keys, BATCH);
	}
	if (q)
		cbloom_queue_drain(q);
	return now() - t0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 45000000;
	const uint64_t sizes[] = { 256, 20000, 1389796, 5559180 }; /* blocks of 64 B */
	uint64_t *keys = malloc(BATCH * sizeof *keys);
	uint64_t *scratch = malloc(BATCH * sizeof *scratch);
	if (!keys || !scratch)
		return 1;
	printf("%-8s %-7s %12s %10s %10s\n", "insert", "queue", "filter MiB",
	       "1st ns/key", "2nd ns/key");
	/* the best (AVX-512 where the CPU has it), at most AVX2, scalar */
	static const int levels[] = { CFAST_AVX512, CFAST_AVX2, CFAST_SCALAR };
	for (size_t lv = 0; lv < sizeof levels / sizeof *levels; lv++) {
		cfast fast;
		contam_fast_limit(&fast, NULL, levels[lv]);
		const char *name = cbloom_simd_name(&fast);
		for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
			for (int queued = 0; queued < 2; queued++) {
				cbloom f = { .nblocks = sizes[s], .k = 8, .lo = 0, .hi = sizes[s] };
				if (!(f.bits = cbloom_alloc(sizes[s])))
					return 1;
				cbloom_queue *q = queued ? cbloom_queue_new(&f, &fast, -1) : NULL;
				if (queued && !q)
					return 1;
				uint64_t state = 88172645463325252ULL;
				double a = fill(&f, &fast, q, keys, scratch, n, &state);
				double b = fill(&f, &fast, q, keys, scratch, n, &state);
				printf("%-8s %-7s %12.2f %10.1f %10.1f\n", name, queued ? "queued" : "direct",
				       (double)sizes[s] * 64 / 1048576,
				       a / (double)n * 1e9, b / (double)n * 1e9);
				cbloom_queue_free(q);
				cbloom_free(f.bits, sizes[s]);
			}
		}
	}
	free(keys);
	free(scratch);
	return 0;
}
