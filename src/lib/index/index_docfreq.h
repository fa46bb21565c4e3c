/*
 * index_docfreq.h -- the document-frequency sketch of an index:
 * a blocked count-min sketch of saturating 16-bit counters that answers
 * "in how many distinct documents does this n-gram occur, at most?".
 * Private to the library; the format is in index_file.c.
 */
#ifndef CONTAM_INDEX_DOCFREQ_H
#define CONTAM_INDEX_DOCFREQ_H

#include "../common/common.h"

#define CDF_LINE_COUNTERS 32   /* 16-bit counters per 64-byte line */
#define CDF_D_MAX 4
#define CDF_D_DEFAULT 2
#define CDF_SATURATED 0xFFFFu
/* Lines of the whole sketch: at most 2^40 (64 TiB), as the filter. */
#define CDF_LINES_MAX (1ULL << 40)
/* A document's n-grams are de-duplicated in pieces of at most this many
 * hashes: a document with more counts once per piece. */
#define CDF_PIECE (1u << 20)

/* The sketch, or the lines [lo, hi) of it a partition holds.  A key's
 * line comes from its high bits, as its Bloom block does (both are
 * multiply-shifts of the same hash, so both are monotone in it): the keys
 * of a partition's blocks [blo, bhi) fall into a contiguous run of lines,
 * which is what the partition holds.  Adjacent partitions may share the
 * line at their boundary; each holds the counts of its own keys there,
 * and loading them together adds the two. */
typedef struct cdocfreq {
	uint16_t *c;          /* (hi - lo) * 32 counters */
	uint64_t lines;       /* of the whole sketch */
	uint64_t lo, hi;      /* lines held */
	uint32_t d;           /* counters per key */
	uint64_t pairs;       /* (document, n-gram) pairs counted here */
	/* the filter's geometry: a key is counted here only when its Bloom
	 * block lies in [blo, bhi) of nblocks */
	uint64_t nblocks, blo, bhi;
	/* concurrent counting: per region of lines a lock and a bucket of
	 * waiting keys, as the filter's write queue (index_queue.c) */
	unsigned shift;
	uint32_t nregions;
	uint32_t cap;         /* keys per bucket */
	struct cdf_region *regions;
	uint64_t *store;      /* the buckets, back to back */
	size_t store_bytes;
} cdocfreq;

/* The doc-freq section's header (section type 4, docs/FORMAT.md),
 * decoded: the sketch's geometry and what this file counted. */
typedef struct cdf_sec {
	uint32_t d;           /* counters per key */
	uint64_t lines;       /* of the whole sketch */
	uint64_t lo, hi;      /* lines held */
	uint64_t pairs;       /* (document, n-gram) pairs counted in this file */
} cdf_sec;

/* Lines [lo, hi) that the keys of Bloom blocks [blo, bhi) of nblocks map
 * to, in a sketch of `lines` lines. */
void cdf_part_lines(uint64_t lines, uint64_t nblocks, uint64_t blo,
		    uint64_t bhi, uint64_t *lo, uint64_t *hi);
/* A zeroed sketch of `lines` lines for the filter part [blo, bhi) of
 * nblocks blocks; NULL when out of memory or the geometry is invalid. */
cdocfreq *cdf_new(uint64_t lines, uint32_t d, uint64_t nblocks, uint64_t blo,
		  uint64_t bhi);
void cdf_free(cdocfreq *s);
/* Lines for about `counters` counters (at least 16). */
uint64_t cdf_lines_for(uint64_t counters);
/* Bytes held. */
static inline uint64_t cdf_held_bytes(const cdocfreq *s)
{
	return (s->hi - s->lo) * 64;
}

/* Count each of n keys once (the caller de-duplicated them within a
 * document): saturating +1 on its d counters.  Keys whose Bloom block is
 * not held here are skipped.  Any number of threads may call this at
 * once (region locks; saturating addition commutes, so the counters are
 * the same for any order).  Keys may wait in their region's bucket until
 * cdf_drain.  scratch holds n keys.  Returns the keys taken (counted in
 * pairs). */
uint64_t cdf_add(cdocfreq *s, const uint64_t *keys, size_t n, uint64_t *scratch);
/* Count every key still waiting in a bucket (before the counters are
 * read or saved).  Safe while other threads add keys: those may wait. */
void cdf_drain(cdocfreq *s);
/* The estimate: min over the key's counters (>= the true count; 65535
 * means 65535 or more); -1 when its line is not held. */
int64_t cdf_query(const cdocfreq *s, uint64_t key);
/* dst[i] = min(dst[i] + src[i], 65535) over n counters. */
void cdf_sat_add(uint16_t *dst, const uint16_t *src, size_t n);
/* Sum of n counters and how many are saturated. */
void cdf_measure(const uint16_t *c, size_t n, uint64_t *sum, uint64_t *saturated);

/* Per-document de-duplication: a small open-addressing set, sized to the
 * document, reused from one document to the next. */
typedef struct cdf_dedup {
	uint64_t *slots;
	size_t cap;           /* slots (a power of two) */
} cdf_dedup;

/* Remove repeated keys from keys[0..n) in place (first occurrence
 * order); returns the number left, or (size_t)-1 when out of memory. */
size_t cdf_dedup_run(cdf_dedup *dd, uint64_t *keys, size_t n);
void cdf_dedup_release(cdf_dedup *dd);

#endif
