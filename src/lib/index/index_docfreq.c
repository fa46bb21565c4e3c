/*
 * index_docfreq.c -- the document-frequency sketch (issue 13): counting,
 * querying, merging and per-document de-duplication.
 *
 * Why.  A Bloom filter has no counts, so a probe cannot tell a phrase
 * found in 10,000 documents (a census sentence, a licence, a template)
 * from one copied once.  The sketch keeps, per n-gram, an upper bound on
 * the number of distinct documents holding it.
 *
 * How it works.  A count-min sketch of saturating 16-bit counters,
 * blocked like the filter: a key's d counters lie in one 64-byte line of
 * 32 counters, so counting a key costs one cache miss.  The line is
 * split into d groups (16 counters each for d = 2, 10 for d = 3) and the
 * key gets one counter per group, from a remix of the hash that is not
 * the filter's.  Counting adds 1 to each, saturating at 65535; the
 * estimate is the smallest.  Every counter of a key is raised by each of
 * its documents, so the estimate is never below the true count; other
 * keys of the line raise it further: the mean counter is d * N / C for N
 * (document, n-gram) pairs counted in C counters, an upper bound on a
 * query's mean over-count.
 *
 * Saturating addition is associative and commutative, so the counters do
 * not depend on thread count, input order or how builds are merged.
 *
 * The line of a key is a multiply-shift of its hash, like its Bloom
 * block (index.h), not a remix: keys in order of hash go to blocks and
 * to lines in the same order, so the keys of a partition's blocks fill a
 * contiguous run of lines, the partition holds those lines, and the
 * partitions together answer as the unpartitioned sketch does.
 */
#include "index_docfreq.h"
#include "index.h"

#include <stdlib.h>
#include <sys/mman.h>

#define REGIONS_MAX 1024
#define REGION_SHIFT 16        /* at most 2^16 lines = 4 MiB per lock */
#define PREFETCH_AHEAD 16

__extension__ typedef unsigned __int128 cdf_u128;

static inline uint64_t line_of(uint64_t key, uint64_t lines)
{
	return (uint64_t)(((cdf_u128)key * lines) >> 64);
}

/* The slots' remix: splitmix64's finalizer (the filter uses murmur's). */
static inline uint64_t slot_mix(uint64_t h)
{
	h += 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* Counter j (of d) of a key inside its line: group j, 16 bits of the
 * remix each. */
static inline unsigned slot_of(uint64_t m, unsigned j, unsigned g)
{
	return j * g + (unsigned)((((m >> (16 * j)) & 0xFFFF) * g) >> 16);
}

/* The smallest hash of block b: ceil(b * 2^64 / nblocks). */
static cdf_u128 block_first_hash(uint64_t b, uint64_t nblocks)
{
	return (((cdf_u128)b << 64) + nblocks - 1) / nblocks;
}

void cdf_part_lines(uint64_t lines, uint64_t nblocks, uint64_t blo,
		    uint64_t bhi, uint64_t *lo, uint64_t *hi)
{
	*lo = line_of((uint64_t)block_first_hash(blo, nblocks), lines);
	if (bhi >= nblocks)
		*hi = lines;
	else
		*hi = line_of((uint64_t)(block_first_hash(bhi, nblocks) - 1), lines) + 1;
}

uint64_t cdf_lines_for(uint64_t counters)
{
	uint64_t lines = counters / CDF_LINE_COUNTERS +
			 (counters % CDF_LINE_COUNTERS != 0);
	if (lines < 16)
		lines = 16;
	if (lines > CDF_LINES_MAX)
		lines = CDF_LINES_MAX;
	return lines;
}

cdocfreq *cdf_new(uint64_t lines, uint32_t d, uint64_t nblocks, uint64_t blo,
		  uint64_t bhi)
{
	if (lines == 0 || lines > CDF_LINES_MAX || d < 1 || d > CDF_D_MAX ||
	    nblocks == 0 || blo >= bhi || bhi > nblocks)
		return NULL;
	cdocfreq *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->lines = lines;
	s->d = d;
	s->nblocks = nblocks;
	s->blo = blo;
	s->bhi = bhi;
	cdf_part_lines(lines, nblocks, blo, bhi, &s->lo, &s->hi);
	const uint64_t span = s->hi - s->lo;
	/* mapped: fresh pages are zero, and huge pages cut the TLB misses
	 * of random access, as for the filter (index_bloom.c) */
	s->c = (uint16_t *)(void *)cbloom_alloc(span);
	unsigned shift = 0;
	while (shift < REGION_SHIFT && ((span - 1) >> shift) >= 16)
		shift++;
	while (((span - 1) >> shift) >= REGIONS_MAX)
		shift++;
	s->shift = shift;
	s->nregions = (uint32_t)(((span - 1) >> shift) + 1);
	s->locks = calloc((size_t)s->nregions * 16, sizeof(int));
	if (!s->c || !s->locks) {
		cdf_free(s);
		return NULL;
	}
	return s;
}

void cdf_free(cdocfreq *s)
{
	if (!s)
		return;
	cbloom_free((uint64_t *)(void *)s->c, s->hi - s->lo);
	free(s->locks);
	free(s);
}

static inline void count_key(uint16_t *line, uint64_t key, unsigned d)
{
	const uint64_t m = slot_mix(key);
	const unsigned g = CDF_LINE_COUNTERS / d;
	for (unsigned j = 0; j < d; j++) {
		uint16_t *c = line + slot_of(m, j, g);
		*c = (uint16_t)(*c + (*c != CDF_SATURATED));
	}
}

/* Region of a key, or nregions for a key whose block is not held here. */
static inline uint32_t region_of(const cdocfreq *s, uint64_t key)
{
	uint64_t b = cbloom_block(key, s->nblocks);
	if (b < s->blo || b >= s->bhi)
		return s->nregions;
	return (uint32_t)((line_of(key, s->lines) - s->lo) >> s->shift);
}

uint64_t cdf_add(cdocfreq *s, const uint64_t *keys, size_t n, uint64_t *scratch)
{
	uint32_t start[REGIONS_MAX + 1], next[REGIONS_MAX + 1];
	const uint32_t nr = s->nregions;
	if (n == 0)
		return 0;
	/* counting sort by region, as the filter's write queue does, so
	 * that each lock is taken once per batch */
	memset(next, 0, (nr + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		next[region_of(s, keys[i])]++;
	uint32_t pos = 0;
	for (uint32_t r = 0; r <= nr; r++) {
		uint32_t c = next[r];
		start[r] = next[r] = pos;
		pos += c;
	}
	for (size_t i = 0; i < n; i++)
		scratch[next[region_of(s, keys[i])]++] = keys[i];
	const uint64_t counted = start[nr];
	uint32_t left = 0;
	for (uint32_t r = 0; r < nr; r++)
		left += next[r] > start[r];
	while (left) {
		for (uint32_t r = 0; r < nr; r++) {
			size_t m = next[r] - start[r];
			int *lock = &s->locks[(size_t)r * 16];
			if (m == 0 || __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
				continue;
			const uint64_t *k = scratch + start[r];
			for (size_t i = 0; i < m; i++) {
				if (i + PREFETCH_AHEAD < m)
					__builtin_prefetch(s->c + (line_of(k[i + PREFETCH_AHEAD],
						s->lines) - s->lo) * CDF_LINE_COUNTERS, 1, 3);
				count_key(s->c + (line_of(k[i], s->lines) - s->lo) *
					  CDF_LINE_COUNTERS, k[i], s->d);
			}
			__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
			next[r] = start[r];
			left--;
		}
	}
	__atomic_fetch_add(&s->pairs, counted, __ATOMIC_RELAXED);
	return counted;
}

int64_t cdf_query(const cdocfreq *s, uint64_t key)
{
	uint64_t l = line_of(key, s->lines);
	if (l < s->lo || l >= s->hi)
		return -1;
	const uint16_t *line = s->c + (l - s->lo) * CDF_LINE_COUNTERS;
	const uint64_t m = slot_mix(key);
	const unsigned g = CDF_LINE_COUNTERS / s->d;
	unsigned best = CDF_SATURATED;
	for (unsigned j = 0; j < s->d; j++) {
		unsigned v = line[slot_of(m, j, g)];
		if (v < best)
			best = v;
	}
	return (int64_t)best;
}

void cdf_sat_add(uint16_t *dst, const uint16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)dst[i] + src[i];
		dst[i] = (uint16_t)(v > CDF_SATURATED ? CDF_SATURATED : v);
	}
}

void cdf_measure(const uint16_t *c, size_t n, uint64_t *sum, uint64_t *saturated)
{
	uint64_t s = 0, sat = 0;
	for (size_t i = 0; i < n; i++) {
		s += c[i];
		sat += c[i] == CDF_SATURATED;
	}
	*sum += s;
	*saturated += sat;
}

/* ---- per-document de-duplication ---------------------------------- */

size_t cdf_dedup_run(cdf_dedup *dd, uint64_t *keys, size_t n)
{
	if (n < 2)
		return n;
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	if (cap > dd->cap) {
		uint64_t *t = malloc(cap * sizeof(uint64_t));
		if (!t)
			return (size_t)-1;
		free(dd->slots);
		dd->slots = t;
		dd->cap = cap;
	}
	/* only the part of the table this document needs is cleared: a
	 * short document costs a short memset */
	memset(dd->slots, 0, cap * sizeof(uint64_t));
	unsigned bits = 0;
	while (((size_t)1 << bits) < cap)
		bits++;
	const size_t mask = cap - 1;
	size_t kept = 0;
	int zero_seen = 0; /* 0 marks an empty slot: the key 0 is kept aside */
	for (size_t i = 0; i < n; i++) {
		uint64_t k = keys[i];
		if (k == 0) {
			if (!zero_seen)
				keys[kept++] = 0;
			zero_seen = 1;
			continue;
		}
		size_t at = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
		while (dd->slots[at] && dd->slots[at] != k)
			at = (at + 1) & mask;
		if (dd->slots[at])
			continue;
		dd->slots[at] = k;
		keys[kept++] = k;
	}
	return kept;
}

void cdf_dedup_release(cdf_dedup *dd)
{
	free(dd->slots);
	dd->slots = NULL;
	dd->cap = 0;
}
