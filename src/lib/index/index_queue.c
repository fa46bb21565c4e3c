/*
 * index_queue.c -- a write queue in front of the Bloom filter that groups
 * keys by region of the filter before they are inserted.
 *
 * Why.  A key's block is a random cache line anywhere in the filter, so
 * inserting keys in the order they are hashed touches the whole filter
 * at random: every key is a cache miss and, on a filter much larger than
 * the TLB reaches, a page walk as well.  Prefetching overlaps those
 * misses but cannot remove them (bench/micro_bloom: 17-25 ns per key on a
 * 339 MiB filter, whatever the prefetch distance).  The queue cuts the
 * filter into regions of 4 MiB (smaller ones, at least 16, on a filter
 * under 64 MiB) and keeps a bucket of pending keys per region; a full
 * bucket is inserted at once, so its keys hit one region, which the TLB
 * covers and the last-level cache largely holds while they are written;
 * on a fresh filter the kernel also zeroes its pages region by region.
 * The queue holds about one key per two blocks of the filter, at most
 * 128 MiB of keys, in buckets twice that memory (measured on the 1 GB bench corpus, 339 MiB filter, -t 1:
 * 11.5 -> 6.8 s; regions of 1, 4 and 16 MiB and queues of 1M, 2.8M and
 * 5.6M keys compared in bench/PROFILE.md).  The bits do not change: OR
 * is commutative.
 *
 * Handing keys over.  A batch of keys is read once: each key goes to a
 * small stage of its region (64 keys, all stages a few KiB of the
 * caller's scratch, in L1), and a full stage is copied into the
 * region's bucket.  This replaced a counting sort of the batch by
 * region into scratch and a copy of each region's run into its bucket:
 * two passes computing each key's region and every key written twice,
 * the first time scattered over a 512 KiB scratch, the size of a Zen 3
 * L2 (perf record of `contam index -t 1`, 256 MB JSONL.zst, AVX2, AMD
 * EPYC Zen 3, two runs each: cbloom_queue_add 8.3-8.4% -> 6.3-6.7% of
 * the samples, memmove, which also holds zstd's copies, 7.8-8.1% ->
 * 6.6-7.1%).
 *
 * Threads.  The queue is shared.  Each region has two spin locks: one
 * for its bucket, held while keys are copied in, and a fill lock for
 * its blocks of the filter, held while a full bucket is inserted.  A
 * full bucket is swapped for the region's spare one, so other threads
 * go on queueing keys of the region while it is inserted; with one
 * lock for both, a thread whose stage met a region being inserted spun
 * for the rest of that insertion, as the sorted hand-over before it did
 * in its retry loop (measured with rdtsc, -t 2, same corpus, cycles
 * spent waiting per build: sorted hand-over 460-750 M, staged with one
 * lock 620-660 M, with the spare bucket 6-7 M).  The spare doubles the buckets'
 * memory (10.6 instead of 5.3 MiB for that corpus's 85 MiB filter):
 * two buckets of half the size each, the old memory, measured slower
 * in one set (perf samples of insertion + hand-over + memmove, three
 * runs each, -t 1: sorted hand-over 6053, half-size 5797, full-size
 * 5383 on average; a smaller bucket gathers fewer keys per cache line
 * of its region), though a later set put full-size level with the
 * sorted hand-over (4854 vs 4896): this VM's noise.  A batch's
 * last, partly filled stages skip a busy region and retry it after the
 * others.
 *
 * Keys sit in the queue until their bucket fills or the queue is
 * drained; whoever needs every key in the filter (a checkpoint, the end
 * of a build) drains it first.
 */
#include "index.h"

#include <stdlib.h>
#include <sys/mman.h>

#define REGION_SHIFT 16          /* regions of 2^16 blocks = 4 MiB */
#define QUEUE_KEYS_MIN (1u << 16)
#define QUEUE_KEYS_MAX (1u << 24) /* 128 MiB of keys, for filters of 2 GiB and more */

typedef struct region {
	int lock;            /* the bucket's; 0 = free */
	int fill_lock;       /* the region's blocks of the filter */
	uint32_t count;      /* keys waiting in the bucket */
	uint64_t *keys;      /* the bucket: room for cap keys */
	uint64_t *spare;     /* the other bucket, being inserted or empty */
} __attribute__((aligned(64))) region;  /* one line each: no false sharing */

struct cbloom_queue {
	cbloom *f;
	cfast fast;          /* the insertion loop and whether to queue */
	unsigned shift;      /* a block's region: (block - lo) >> shift */
	uint32_t nregions;
	uint32_t cap;        /* keys per bucket (two per region); 0 = insert at once */
	uint64_t *store;     /* the buckets, back to back */
	size_t store_bytes;
	region *regions;
};

/* The smallest shift that makes at most `most` runs of 2^shift blocks. */
static unsigned runs_shift(uint64_t span, uint32_t most)
{
	unsigned shift = 0;
	while (shift < 63 && ((span - 1) >> shift) >= most)
		shift++;
	return shift;
}

cbloom_queue *cbloom_queue_new(cbloom *f, const cfast *fast, int64_t keys)
{
	const uint64_t span = f->hi - f->lo;
	if (span == 0)
		return NULL;
	cbloom_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->f = f;
	q->fast = *cfast_or_default(fast);
	/* regions of 4 MiB, or smaller ones on a small filter so that
	 * there are at least 16 locks for the threads to share */
	unsigned fit = runs_shift(span, CBLOOM_QUEUE_REGIONS_MAX);
	unsigned sixteen = runs_shift(span, 16);
	q->shift = sixteen < REGION_SHIFT ? sixteen : REGION_SHIFT;
	if (q->shift < fit)
		q->shift = fit;

	q->nregions = (uint32_t)(((span - 1) >> q->shift) + 1);
	if (keys < 0) {
		/* About one key per two blocks: big enough that a bucket
		 * gathers many keys per region, a small share of the
		 * filter's own memory. */
		keys = (int64_t)(span / 2);
		if (keys < QUEUE_KEYS_MIN)
			keys = QUEUE_KEYS_MIN;
		if (keys > QUEUE_KEYS_MAX)
			keys = QUEUE_KEYS_MAX;
		if (!q->fast.queue)
			keys = 0;
	}
	q->cap = keys > 0 ? (uint32_t)(((uint64_t)keys + q->nregions - 1) / q->nregions) : 0;
	q->regions = aligned_alloc(64, q->nregions * sizeof(region));
	if (!q->regions) {
		free(q);
		return NULL;
	}
	memset(q->regions, 0, q->nregions * sizeof(region));
	if (q->cap) {
		/* mapped: pages are touched only as buckets fill; two
		 * buckets per region (the spare: see bucket_put_unlock) */
		q->store_bytes = (size_t)q->nregions * 2 * q->cap * sizeof(uint64_t);
		void *p = mmap(NULL, q->store_bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			free(q->regions);
			free(q);
			return NULL;
		}
		q->store = p;
#ifdef MADV_HUGEPAGE
		/* buckets are written in many streams at once (measured:
		 * 7.1 -> 6.8 s for -t 1 on the 1 GB bench corpus) */
		madvise(p, q->store_bytes, MADV_HUGEPAGE);
#endif
		for (uint32_t r = 0; r < q->nregions; r++) {
			q->regions[r].keys = q->store + (size_t)r * 2 * q->cap;
			q->regions[r].spare = q->regions[r].keys + q->cap;
		}
	}
	return q;
}

void cbloom_queue_free(cbloom_queue *q)
{
	if (!q)
		return;
	if (q->store)
		munmap(q->store, q->store_bytes);
	free(q->regions);
	free(q);
}

int cbloom_queue_is_buffered(const cbloom_queue *q)
{
	return q && q->cap > 0;
}

/* Region of a key, or nregions for a key of another partition.  The
 * filter's geometry is copied in: a hot loop that stores keys through a
 * uint64_t pointer would otherwise reload q->f's fields after every
 * store (they could alias). */
typedef struct region_map {
	uint64_t nblocks, lo, span;
	unsigned shift;
	uint32_t nregions;
} region_map;

static region_map map_of(const cbloom_queue *q)
{
	return (region_map){ .nblocks = q->f->nblocks, .lo = q->f->lo,
			     .span = q->f->hi - q->f->lo, .shift = q->shift,
			     .nregions = q->nregions };
}

static inline uint32_t region_of(const region_map *m, uint64_t key)
{
	uint64_t b = cbloom_block(key, m->nblocks) - m->lo;
	return b < m->span ? (uint32_t)(b >> m->shift) : m->nregions;
}

static inline int try_lock(int *lock)
{
	return !__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(int *lock)
{
	while (!try_lock(lock))
		;
}

static inline void unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* Put m keys into region r's bucket and release r's lock, which the
 * caller holds.  A bucket that would overflow is swapped for the spare
 * and inserted under the region's fill lock, taken before the bucket's
 * lock is released: other threads go on queueing keys of the region
 * while it is inserted (inserting a bucket takes about 0.5 ms, a copy
 * into one well under a microsecond), and a drain, which takes both
 * locks in the same order, finds every earlier key in the filter. */
static void bucket_put_unlock(cbloom_queue *q, region *r, const uint64_t *keys, size_t m)
{
	if (r->count + m <= q->cap && m < q->cap) {
		memcpy(r->keys + r->count, keys, m * sizeof(uint64_t));
		r->count += (uint32_t)m;
		unlock(&r->lock);
		return;
	}
	/* the spare is free once the last insertion from it is over */
	spin_lock(&r->fill_lock);
	uint64_t *full = r->keys;
	uint32_t nfull = r->count;
	r->keys = r->spare;
	r->spare = full;
	r->count = 0;
	const int direct = m >= q->cap;
	if (!direct) {
		memcpy(r->keys, keys, m * sizeof(uint64_t));
		r->count = (uint32_t)m;
	}
	unlock(&r->lock);
	cbloom_insert_batch(q->f, &q->fast, full, nfull);
	if (direct)
		cbloom_insert_batch(q->f, &q->fast, keys, m);
	unlock(&r->fill_lock);
}

/* Keys per region staged in scratch before they go to the region's
 * bucket (see the top of the file); batches too small to stage at least
 * STAGE_KEYS_MIN keys per region are sorted instead. */
#define STAGE_KEYS 64
#define STAGE_KEYS_MIN 8

static void add_sorted(cbloom_queue *q, const uint64_t *keys, size_t n,
		       uint64_t *scratch);
static void put_runs(cbloom_queue *q, const uint64_t *scratch,
		     const uint32_t *start, uint32_t *next);

/* Put a full stage into region r's bucket, waiting for its lock. */
static void stage_put(cbloom_queue *q, uint32_t r, const uint64_t *keys, size_t m)
{
	region *g = &q->regions[r];
	spin_lock(&g->lock);
	bucket_put_unlock(q, g, keys, m);
}

void cbloom_queue_add(cbloom_queue *q, const uint64_t *keys, size_t n,
		      uint64_t *scratch)
{
	/* region r's stage is scratch[start[r] .. start[r] + stage), its
	 * keys so far scratch[start[r] .. next[r]) */
	uint32_t start[CBLOOM_QUEUE_REGIONS_MAX + 1], next[CBLOOM_QUEUE_REGIONS_MAX + 1];
	const uint32_t nr = q->nregions;
	if (n == 0)
		return;
	size_t room = n / nr < STAGE_KEYS ? n / nr : STAGE_KEYS;
	if (room < STAGE_KEYS_MIN) {
		add_sorted(q, keys, n, scratch);
		return;
	}
	const uint32_t stage = (uint32_t)room;
	const region_map m = map_of(q);
	for (uint32_t r = 0; r < nr; r++)
		start[r] = next[r] = r * stage;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = region_of(&m, keys[i]);
		if (r == nr)
			continue; /* another partition's */
		scratch[next[r]++] = keys[i];
		if (next[r] - start[r] == stage) {
			stage_put(q, r, scratch + start[r], stage);
			next[r] = start[r];
		}
	}
	/* the partial stages */
	put_runs(q, scratch, start, next);
}

/* Hand over region r's run scratch[start[r] .. next[r]) for every region
 * (next[r] is reset to start[r]): a busy region is retried after the
 * others. */
static void put_runs(cbloom_queue *q, const uint64_t *scratch,
		     const uint32_t *start, uint32_t *next)
{
	const uint32_t nr = q->nregions;
	uint32_t left = 0;
	for (uint32_t r = 0; r < nr; r++)
		left += next[r] > start[r];
	while (left) {
		for (uint32_t r = 0; r < nr; r++) {
			size_t m = next[r] - start[r];
			if (m == 0 || !try_lock(&q->regions[r].lock))
				continue;
			bucket_put_unlock(q, &q->regions[r], scratch + start[r], m);
			next[r] = start[r];
			left--;
		}
	}
}

/* Batches too small to stage nregions x STAGE_KEYS_MIN keys:
 * counting-sorted by region into scratch, each region's run handed over
 * under its lock once. */
static void add_sorted(cbloom_queue *q, const uint64_t *keys, size_t n,
		       uint64_t *scratch)
{
	/* where region r's keys start, and where its next key goes */
	uint32_t start[CBLOOM_QUEUE_REGIONS_MAX + 1], next[CBLOOM_QUEUE_REGIONS_MAX + 1];
	const uint32_t nr = q->nregions;
	const region_map m = map_of(q);
	/* counting sort by region; slot nr collects keys of other partitions */
	memset(next, 0, (nr + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		next[region_of(&m, keys[i])]++;
	uint32_t pos = 0;
	for (uint32_t r = 0; r <= nr; r++) {
		uint32_t c = next[r];
		start[r] = next[r] = pos;
		pos += c;
	}
	for (size_t i = 0; i < n; i++)
		scratch[next[region_of(&m, keys[i])]++] = keys[i];
	/* now region r's keys are scratch[start[r] .. next[r]) */
	put_runs(q, scratch, start, next);
}

void cbloom_queue_drain(cbloom_queue *q)
{
	for (uint32_t i = 0; i < q->nregions; i++) {
		region *r = &q->regions[i];
		spin_lock(&r->lock);
		spin_lock(&r->fill_lock);
		cbloom_insert_batch(q->f, &q->fast, r->keys, r->count);
		r->count = 0;
		unlock(&r->fill_lock);
		unlock(&r->lock);
	}
}
