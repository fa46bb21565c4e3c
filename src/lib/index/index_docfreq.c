/*
 * index_docfreq.c -- the document-frequency sketch: counting,
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
 * Counting goes through buckets per region of 4 MiB of lines, as the
 * filter's write queue does (index_queue.c): a full bucket is counted at
 * once, so that its misses hit one region (measured on 128 MB of bench
 * text, -t 1: counting directly was 19% of the build's samples, ahead of
 * the filter's insertion).  Keys wait there until their bucket fills or
 * the sketch is drained.
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

#define REGIONS_MAX 4096
#define REGION_SHIFT 16        /* regions of 2^16 lines = 4 MiB */
#define PREFETCH_AHEAD 16
#define BUCKET_KEYS_MIN (1u << 16)
#define BUCKET_KEYS_MAX (1u << 24)

typedef struct cdf_region {
	int lock;
	uint32_t count;
	uint64_t *keys;
} __attribute__((aligned(64))) cdf_region;

__extension__ typedef unsigned __int128 cdf_u128;

static inline uint64_t line_of(uint64_t key, uint64_t lines)
{
	return (uint64_t)(((cdf_u128)key * lines) >> 64);
}

/* The slots' remix: splitmix64's finalizer (the filter uses murmur's). */
static inline uint64_t slot_mix(uint64_t h)
{
	return cmix64(h + 0x9e3779b97f4a7c15ULL);
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
	/* regions of 4 MiB, smaller ones on a small sketch so that there
	 * are at least 16 locks */
	unsigned shift = 0;
	while (shift < REGION_SHIFT && ((span - 1) >> shift) >= 16)
		shift++;
	while (((span - 1) >> shift) >= REGIONS_MAX)
		shift++;
	s->shift = shift;
	s->nregions = (uint32_t)(((span - 1) >> shift) + 1);
	/* about one waiting key per two lines */
	uint64_t keys = span / 2;
	keys = keys < BUCKET_KEYS_MIN ? BUCKET_KEYS_MIN : keys > BUCKET_KEYS_MAX ?
		BUCKET_KEYS_MAX : keys;
	s->cap = (uint32_t)((keys + s->nregions - 1) / s->nregions);
	s->regions = aligned_alloc(64, s->nregions * sizeof(cdf_region));
	s->store_bytes = (size_t)s->nregions * s->cap * sizeof(uint64_t);
	void *st = mmap(NULL, s->store_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->store = st == MAP_FAILED ? NULL : st;
	if (!s->c || !s->regions || !s->store) {
		cdf_free(s);
		return NULL;
	}
	memset(s->regions, 0, s->nregions * sizeof(cdf_region));
	for (uint32_t r = 0; r < s->nregions; r++)
		s->regions[r].keys = s->store + (size_t)r * s->cap;
	return s;
}

void cdf_free(cdocfreq *s)
{
	if (!s)
		return;
	cbloom_free((uint64_t *)(void *)s->c, s->hi - s->lo);
	if (s->store)
		munmap(s->store, s->store_bytes);
	free(s->regions);
	free(s);
}

static inline __attribute__((always_inline)) void
count_key(uint16_t *line, uint64_t key, const unsigned d)
{
	const uint64_t m = slot_mix(key);
	const unsigned g = CDF_LINE_COUNTERS / d;
	for (unsigned j = 0; j < d; j++) {
		uint16_t *c = line + slot_of(m, j, g);
		*c = (uint16_t)(*c + (*c != CDF_SATURATED));
	}
}

/* Region of a key, or nregions for a key whose block is not held here. */
static inline uint32_t region_of(const cdocfreq *s, uint64_t key, const int whole)
{
	if (!whole) {
		uint64_t b = cbloom_block(key, s->nblocks);
		if (b < s->blo || b >= s->bhi)
			return s->nregions;
	}
	return (uint32_t)((line_of(key, s->lines) - s->lo) >> s->shift);
}

static inline uint16_t *line_ptr(const cdocfreq *s, uint64_t key)
{
	uint16_t *p = s->c + (line_of(key, s->lines) - s->lo) * CDF_LINE_COUNTERS;
	__builtin_prefetch(p, 1, 3);
	return p;
}

/* Count m keys of one region (the caller holds its lock): the lines of
 * the keys PREFETCH_AHEAD further on are fetched meanwhile; inlined per
 * d, so that the slot arithmetic is constant. */
static inline __attribute__((always_inline)) void
count_loop(cdocfreq *s, const uint64_t *k, size_t m, const unsigned d)
{
	uint16_t *ring[PREFETCH_AHEAD];
	for (size_t i = 0; i < m && i < PREFETCH_AHEAD; i++)
		ring[i] = line_ptr(s, k[i]);
	for (size_t i = 0; i < m; i++) {
		uint16_t *p = ring[i % PREFETCH_AHEAD];
		if (i + PREFETCH_AHEAD < m)
			ring[i % PREFETCH_AHEAD] = line_ptr(s, k[i + PREFETCH_AHEAD]);
		count_key(p, k[i], d);
	}
}

static void count_keys(cdocfreq *s, const uint64_t *k, size_t m)
{
	switch (s->d) {
	case 1: count_loop(s, k, m, 1); break;
	case 2: count_loop(s, k, m, 2); break;
	case 3: count_loop(s, k, m, 3); break;
	default: count_loop(s, k, m, 4); break;
	}
}

static inline int try_lock(cdf_region *r)
{
	return !__atomic_exchange_n(&r->lock, 1, __ATOMIC_ACQUIRE);
}

static inline void unlock(cdf_region *r)
{
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
}

/* Put m keys into region r's bucket (the caller holds its lock). */
static void bucket_put(cdocfreq *s, cdf_region *r, const uint64_t *keys, size_t m)
{
	if (r->count && r->count + m > s->cap) {
		count_keys(s, r->keys, r->count);
		r->count = 0;
	}
	if (m >= s->cap) {
		count_keys(s, keys, m);
		return;
	}
	memcpy(r->keys + r->count, keys, m * sizeof(uint64_t));
	r->count += (uint32_t)m;
}

void cdf_drain(cdocfreq *s)
{
	for (uint32_t i = 0; i < s->nregions; i++) {
		cdf_region *r = &s->regions[i];
		while (!try_lock(r))
			;
		count_keys(s, r->keys, r->count);
		r->count = 0;
		unlock(r);
	}
}

uint64_t cdf_add(cdocfreq *s, const uint64_t *keys, size_t n, uint64_t *scratch)
{
	uint32_t start[REGIONS_MAX + 1], next[REGIONS_MAX + 1];
	const uint32_t nr = s->nregions;
	if (n == 0)
		return 0;
	/* counting sort by region, as the filter's write queue does, so
	 * that each lock is taken once per batch */
	/* an unpartitioned sketch holds every key: no block to check */
	const int whole = s->blo == 0 && s->bhi == s->nblocks;
	memset(next, 0, (nr + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		next[region_of(s, keys[i], whole)]++;
	uint32_t pos = 0;
	for (uint32_t r = 0; r <= nr; r++) {
		uint32_t c = next[r];
		start[r] = next[r] = pos;
		pos += c;
	}
	for (size_t i = 0; i < n; i++)
		scratch[next[region_of(s, keys[i], whole)]++] = keys[i];
	const uint64_t counted = start[nr];
	uint32_t left = 0;
	for (uint32_t r = 0; r < nr; r++)
		left += next[r] > start[r];
	while (left) {
		for (uint32_t r = 0; r < nr; r++) {
			size_t m = next[r] - start[r];
			if (m == 0 || !try_lock(&s->regions[r]))
				continue;
			bucket_put(s, &s->regions[r], scratch + start[r], m);
			unlock(&s->regions[r]);
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
