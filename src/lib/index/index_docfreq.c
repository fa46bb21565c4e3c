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
#include "index_file.h"
#include "../common/run.h"

#include <stdio.h>
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

/* ---- the doc-freq section of an index file (type 4) ---------------
 *
 * Its header (DF_HEAD bytes, docs/FORMAT.md): u32 sketch version (1),
 * u32 d, u64 lines L, u64 lo, u64 hi, u64 pairs, u64 reserved (0); then
 * index_file.c's chunk table and chunks of the raw counters.  These are
 * the hooks index_file.c and merge ask (cisec_ops). */

#define DF_VERSION 1
#define DF_HEAD 48
enum { D_VERSION = 0, D_D = 4, D_LINES = 8, D_LO = 16, D_HI = 24, D_PAIRS = 32 };
_Static_assert(sizeof(cdf_sec) <= CISEC_DEC_MAX && DF_HEAD <= CISEC_HEAD_MAX,
	       "the doc-freq header fits a section slot");

static int df_decode(const cifile *f, const unsigned char *dh, void *dec, char *why,
		     size_t whylen)
{
	cdf_sec *s = dec;
	uint32_t version = get_le32(dh + D_VERSION), d = get_le32(dh + D_D);
	uint64_t lines = get_le64(dh + D_LINES), lo = get_le64(dh + D_LO);
	uint64_t hi = get_le64(dh + D_HI);
	if (version != DF_VERSION) {
		snprintf(why, whylen, "doc-freq section version %u is not supported (this "
			 "contam reads %d)", version, DF_VERSION);
		return CONTAM_E_FORMAT;
	}
	uint64_t want_lo = 0, want_hi = 0;
	int ok = d >= 1 && d <= CDF_D_MAX && lines >= 1 && lines <= CDF_LINES_MAX;
	if (ok)
		cdf_part_lines(lines, f->params.nblocks, f->lo, f->hi, &want_lo, &want_hi);
	if (!ok || lo != want_lo || hi != want_hi) {
		snprintf(why, whylen, "the doc-freq section is damaged (invalid sketch "
			 "geometry)");
		return CONTAM_E_CORRUPT;
	}
	s->d = d;
	s->lines = lines;
	s->lo = lo;
	s->hi = hi;
	s->pairs = get_le64(dh + D_PAIRS);
	return CONTAM_OK;
}

static void df_encode(unsigned char *dh, const void *dec)
{
	const cdf_sec *s = dec;
	memset(dh, 0, DF_HEAD);
	put_le32(dh + D_VERSION, DF_VERSION);
	put_le32(dh + D_D, s->d);
	put_le64(dh + D_LINES, s->lines);
	put_le64(dh + D_LO, s->lo);
	put_le64(dh + D_HI, s->hi);
	put_le64(dh + D_PAIRS, s->pairs);
}

static uint64_t df_held(const void *dec)
{
	const cdf_sec *s = dec;
	return (s->hi - s->lo) * 64;
}

static int df_differ(const void *va, const void *vb, char *what, size_t len)
{
	const cdf_sec *a = va, *b = vb;
	if (a->lines != b->lines) {
		snprintf(what, len, "doc-freq sketch size in lines differs (%llu vs %llu)",
			 (unsigned long long)a->lines, (unsigned long long)b->lines);
		return 1;
	}
	if (a->d != b->d) {
		snprintf(what, len, "doc-freq counters per n-gram (d) differs (%llu vs %llu)",
			 (unsigned long long)a->d, (unsigned long long)b->d);
		return 1;
	}
	return 0;
}

static void df_add_counts(void *va, const void *vb)
{
	((cdf_sec *)va)->pairs += ((const cdf_sec *)vb)->pairs;
}

/* Chunk reads of the section: the chunk machinery is index_file.c's,
 * the measures (sum, saturated) are the sketch's. */
int cifile_read_df_chunk(const cifile *f, uint64_t c, unsigned char *dst,
			 int dst_zeroed, cbuf *scratch, cerr *err)
{
	const cisec *s = cifile_sec(f, CISEC_TYPE_DOC_FREQ);
	if (!s)
		return cerr_set(err, CONTAM_E_PARAM, "'%s' has no doc-freq section", f->path);
	return cifile_read_cs_chunk(f, &s->cs, c, dst, dst_zeroed, scratch, err);
}

typedef struct df_measures {
	uint64_t *sum, *saturated; /* per chunk */
	cichunk_visit visit;
	void *vctx;
} df_measures;

static void df_measure(void *ctx, uint64_t c, const unsigned char *raw, size_t n)
{
	df_measures *m = ctx;
	cdf_measure((const uint16_t *)(const void *)raw, n / 2, &m->sum[c],
		    &m->saturated[c]);
	if (m->visit)
		m->visit(m->vctx, c, raw, n);
}

int cifile_read_df_all(const cifile *f, unsigned char *dst, uint64_t *sum,
		       uint64_t *saturated, cerr *err)
{
	return cifile_read_df_all_visit(f, dst, NULL, NULL, sum, saturated, err);
}

int cifile_read_df_all_visit(const cifile *f, unsigned char *dst, cichunk_visit visit,
			     void *vctx, uint64_t *sum, uint64_t *saturated, cerr *err)
{
	const cisec *s = cifile_sec(f, CISEC_TYPE_DOC_FREQ);
	if (!s)
		return CONTAM_OK;
	const cichunks *cs = &s->cs;
	df_measures m = { calloc(cs->nchunks, sizeof(uint64_t)),
			  calloc(cs->nchunks, sizeof(uint64_t)), visit, vctx };
	int rc = m.sum && m.saturated ? cifile_read_cs_all(f, cs, dst, df_measure, &m, err)
				      : cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (uint64_t c = 0; !rc && c < cs->nchunks; c++) {
		*sum += m.sum[c];
		*saturated += m.saturated[c];
	}
	free(m.sum);
	free(m.saturated);
	return rc;
}

static int cifile_memory_df_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			    cerr *err)
{
	const contam_index *ix = ctx;
	(void)err;
	memcpy(dst, (const unsigned char *)ix->df->c + c * CIFILE_CHUNK_BYTES, n);
	return CONTAM_OK;
}

static int df_of_index(const contam_index *ix, void *dec, cichunk_source *source)
{
	cdf_sec *s = dec;
	if (!ix->df)
		return 0;
	s->d = ix->df->d;
	s->lines = ix->df->lines;
	s->lo = ix->df->lo;
	s->hi = ix->df->hi;
	s->pairs = __atomic_load_n(&ix->df->pairs, __ATOMIC_RELAXED);
	*source = cifile_memory_df_source;
	return 1;
}

/* The doc-freq section of f onto ix: its counters (with_counters) or
 * only its statistics (a summary handle), every chunk checked. */
static int df_load(contam_index *ix, const cifile *f, const cisec *sec,
		   int with_counters, cerr *err)
{
	const cdf_sec *s = (const cdf_sec *)(const void *)sec->dec;
	uint64_t sum = 0, sat = 0;
	unsigned char *dst = NULL;
	if (with_counters) {
		ix->df = cdf_new(s->lines, s->d, f->params.nblocks, f->lo, f->hi);
		if (!ix->df)
			return cerr_set(err, CONTAM_E_NOMEM, "cannot allocate a %llu MiB "
					"doc-freq sketch", (unsigned long long)(sec->cs.held_bytes >> 20));
		ix->df->pairs = s->pairs;
		dst = (unsigned char *)ix->df->c;
	}
	int rc = cifile_read_df_all(f, dst, &sum, &sat, err);
	if (rc)
		return rc;
	ix->has_df = 1;
	ix->df_d = s->d;
	ix->df_lines = s->lines;
	ix->df_lo = s->lo;
	ix->df_hi = s->hi;
	ix->df_pairs = s->pairs;
	ix->df_sum = sum;
	ix->df_saturated = sat;
	return CONTAM_OK;
}

/* The partitions' sketches as one: each part's lines added into the
 * whole sketch (boundary lines are held by two parts). */
static int df_load_parts(contam_index *ix, cifile **parts, size_t n, cerr *err)
{
	const cifile *p0 = parts[0];
	const cdf_sec *s0 = cifile_sec_dec(p0, CISEC_TYPE_DOC_FREQ);
	ix->df = cdf_new(s0->lines, s0->d, p0->params.nblocks, 0, p0->params.nblocks);
	if (!ix->df)
		return cerr_set(err, CONTAM_E_NOMEM, "cannot allocate a %llu MiB doc-freq sketch",
				(unsigned long long)(s0->lines * 64 >> 20));
	const cisec_combine rule = cifile_chunk_rule(CISEC_TYPE_DOC_FREQ);
	int rc = CONTAM_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const cifile *f = parts[i];
		const cisec *sec = cifile_sec(f, CISEC_TYPE_DOC_FREQ);
		const cdf_sec *s = (const cdf_sec *)(const void *)sec->dec;
		const cichunks *cs = &sec->cs;
		const uint64_t cb = cs->chunk_bytes;
		int bad = 0;
		cerr first;
		cerr_clear(&first);
		ix->df->pairs += s->pairs;
		/* chunks of one part do not overlap: in parallel */
		#pragma omp parallel num_threads(crun_threads(0))
		{
			cbuf scratch = CBUF_INIT;
			unsigned char *buf = malloc((size_t)cb);
			cerr e;
			#pragma omp for schedule(dynamic, 4)
			for (uint64_t c = 0; c < cs->nchunks; c++) {
				int crc = buf ? cifile_read_cs_chunk(f, cs, c, buf, 0, &scratch, &e)
					      : cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
				if (!crc) {
					uint64_t at = (s->lo * 64 + c * cb) / 2;
					size_t len = (size_t)(cs->held_bytes - c * cb < cb ?
							      cs->held_bytes - c * cb : cb);
					cifile_combine(rule, (unsigned char *)(ix->df->c + at), buf,
						       len);
				}
				#pragma omp critical(contam_parts_df_bad)
				if (crc && !bad) {
					bad = 1;
					first = e;
				}
			}
			free(buf);
			cbuf_release(&scratch);
		}
		if (bad) {
			*err = first;
			rc = first.code;
		}
	}
	return rc;
}

static int df_words(contam_index *ix, void **data, size_t *bytes, uint64_t **counters,
		    size_t *ncounters)
{
	if (!ix->df)
		return 0;
	*data = ix->df->c;
	*bytes = (size_t)cdf_held_bytes(ix->df);
	counters[0] = &ix->df->pairs;
	*ncounters = 1;
	return 1;
}

const cisec_ops cdf_sec_ops = {
	.head = DF_HEAD,
	.missing = "its documents were not counted; build every part with --doc-freq, "
		   "or none",
	.decode = df_decode,
	.encode = df_encode,
	.held = df_held,
	.differ = df_differ,
	.add_counts = df_add_counts,
	.of_index = df_of_index,
	.load = df_load,
	.load_parts = df_load_parts,
	.words = df_words,
};
