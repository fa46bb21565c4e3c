/*
 * index.h -- the index object: a blocked Bloom filter, its parameters and
 * the manifest of what went into it.  Private to the library.
 */
#ifndef CONTAM_INDEX_H
#define CONTAM_INDEX_H

#include "../common/common.h"

#define CBLOOM_BLOCK_BITS 512
#define CBLOOM_BLOCK_WORDS 8   /* 64-bit words per block = one cache line */
#define CBLOOM_K_MAX 16

struct contam_index {
	contam_params params;
	uint64_t *bits;             /* nblocks * 8 words, 64-byte aligned */
	uint64_t ngrams_inserted;   /* insertions, with repeats */
	contam_manifest_entry *manifest;
	size_t nmanifest;
	double build_seconds;       /* wall time of the build that made it */
	uint32_t format_version;
	/* cached by contam_index_stats_get */
	int stats_valid;
	uint64_t bits_set;
	double fpr_measured;
	char recipe[64];
	cerr err;
};

/* Filter memory in bytes. */
static inline uint64_t cbloom_bytes(const contam_params *p)
{
	return p->nblocks * 64;
}

/* Block of a key: the high bits of h, by multiply-shift (no modulo bias). */
static inline uint64_t cbloom_block(uint64_t h, uint64_t nblocks)
{
	__extension__ typedef unsigned __int128 u128;
	return (uint64_t)(((u128)h * nblocks) >> 64);
}

/* Bit positions inside the block come from a remix of h, 9 bits each. */
static inline uint64_t cbloom_remix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Insert n keys with plain ORs: the caller must own the filter (one
 * thread), or the stripe the keys fall in. */
void cbloom_insert_batch(uint64_t *bits, const contam_params *p,
			 const uint64_t *keys, size_t n);

#define CBLOOM_STRIPES_MAX 256
/* Insert n keys from any number of threads at once: keys are bucketed by
 * stripe (a contiguous range of blocks) and each stripe is written under
 * its spin lock locks[s] (0 = free).  scratch holds n keys. */
void cbloom_insert_striped(uint64_t *bits, const contam_params *p,
			   int *locks, uint32_t nstripes, const uint64_t *keys,
			   size_t n, uint64_t *scratch);
/* Probability that a random absent key is reported by this block. */
double cbloom_block_fpr(const uint64_t *block_words, uint32_t k);
int cbloom_contains(const uint64_t *bits, const contam_params *p, uint64_t key);

/* Allocate a zeroed, page-aligned filter (huge pages where possible). */
uint64_t *cbloom_alloc(uint64_t nblocks);
void cbloom_free(uint64_t *bits, uint64_t nblocks);

int cindex_manifest_add(contam_index *ix, const contam_manifest_entry *e);

#endif
