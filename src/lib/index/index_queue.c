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
 * 128 MiB (measured on the 1 GB bench corpus, 339 MiB filter, -t 1:
 * 11.5 -> 6.8 s; regions of 1, 4 and 16 MiB and queues of 1M, 2.8M and
 * 5.6M keys compared in bench/PROFILE.md).  The bits do not change: OR
 * is commutative.
 *
 * Threads.  The queue is shared.  Each region has a spin lock guarding
 * both its bucket and its blocks of the filter, so the thread that fills
 * a bucket writes its keys into the filter under the same lock, and no
 * other lock is needed.  A thread hands over its keys in big batches
 * (counting-sorted by region first), taking each lock once per batch;
 * a busy region is skipped and retried after the others.
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
	int lock;            /* 0 = free */
	uint32_t count;      /* keys waiting in the bucket */
	uint64_t *keys;      /* the bucket: room for cap keys */
} __attribute__((aligned(64))) region;  /* one line each: no false sharing */

struct cbloom_queue {
	cbloom *f;
	cfast fast;          /* the insertion loop and whether to queue */
	unsigned shift;      /* a block's region: (block - lo) >> shift */
	uint32_t nregions;
	uint32_t cap;        /* keys per bucket; 0 = insert at once, under the lock */
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
		/* mapped: pages are touched only as buckets fill */
		q->store_bytes = (size_t)q->nregions * q->cap * sizeof(uint64_t);
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
		for (uint32_t r = 0; r < q->nregions; r++)
			q->regions[r].keys = q->store + (size_t)r * q->cap;
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

/* Region of a key, or nregions for a key of another partition. */
static inline uint32_t region_of(const cbloom_queue *q, uint64_t key)
{
	uint64_t b = cbloom_block(key, q->f->nblocks) - q->f->lo;
	return b < q->f->hi - q->f->lo ? (uint32_t)(b >> q->shift) : q->nregions;
}

/* Put m keys into region r's bucket; the caller holds r's lock. */
static void bucket_put(cbloom_queue *q, region *r, const uint64_t *keys, size_t m)
{
	if (r->count && r->count + m > q->cap) {
		cbloom_insert_batch(q->f, &q->fast, r->keys, r->count);
		r->count = 0;
	}
	if (m >= q->cap) {
		cbloom_insert_batch(q->f, &q->fast, keys, m);
		return;
	}
	memcpy(r->keys + r->count, keys, m * sizeof(uint64_t));
	r->count += (uint32_t)m;
}

static inline int try_lock(region *r)
{
	return !__atomic_exchange_n(&r->lock, 1, __ATOMIC_ACQUIRE);
}

static inline void unlock(region *r)
{
	__atomic_store_n(&r->lock, 0, __ATOMIC_RELEASE);
}

void cbloom_queue_add(cbloom_queue *q, const uint64_t *keys, size_t n,
		      uint64_t *scratch)
{
	/* where region r's keys start, and where its next key goes */
	uint32_t start[CBLOOM_QUEUE_REGIONS_MAX + 1], next[CBLOOM_QUEUE_REGIONS_MAX + 1];
	const uint32_t nr = q->nregions;
	if (n == 0)
		return;
	/* counting sort by region; slot nr collects keys of other partitions */
	memset(next, 0, (nr + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		next[region_of(q, keys[i])]++;
	uint32_t pos = 0;
	for (uint32_t r = 0; r <= nr; r++) {
		uint32_t c = next[r];
		start[r] = next[r] = pos;
		pos += c;
	}
	for (size_t i = 0; i < n; i++)
		scratch[next[region_of(q, keys[i])]++] = keys[i];
	/* now region r's keys are scratch[start[r] .. next[r]) */
	uint32_t left = 0;
	for (uint32_t r = 0; r < nr; r++)
		left += next[r] > start[r];
	while (left) {
		for (uint32_t r = 0; r < nr; r++) {
			size_t m = next[r] - start[r];
			if (m == 0 || !try_lock(&q->regions[r]))
				continue;
			bucket_put(q, &q->regions[r], scratch + start[r], m);
			unlock(&q->regions[r]);
			next[r] = start[r];
			left--;
		}
	}
}

void cbloom_queue_drain(cbloom_queue *q)
{
	for (uint32_t i = 0; i < q->nregions; i++) {
		region *r = &q->regions[i];
		while (!try_lock(r))
			;
		cbloom_insert_batch(q->f, &q->fast, r->keys, r->count);
		r->count = 0;
		unlock(r);
	}
}
