/*
 * index_minhash.h -- the MinHash band section of an index (section type
 * 5, docs/FORMAT.md): a blocked Bloom filter of its own geometry holding
 * the LSH band keys of every corpus window (ngram/minhash.h), with the
 * cmh_params that made them, so a probe needs no flags.  Private.
 *
 * Partitions hold blocks by range, as the n-gram filter does: partition
 * i of P holds blocks cbloom_partition_range(mh nblocks, i, P) of the
 * minhash filter, so the P partitions' sections add up to one filter and
 * a key's block says which partition holds it.
 */
#ifndef CONTAM_INDEX_MINHASH_H
#define CONTAM_INDEX_MINHASH_H

#include "index.h"
#include "../ngram/minhash.h"

typedef struct cmh_filter {
	cmh_params p;
	cbloom f;               /* f.bits NULL: a summary handle */
	uint64_t keys;          /* band keys inserted (windows * b) */
	uint64_t windows;       /* corpus windows */
	uint64_t shingles;      /* shingles seen */
	/* measured (cmh_filter_measure, or while loading) */
	int stats_valid;
	uint64_t bits_set;
	double fpr_sum;         /* sum over the held blocks */
} cmh_filter;

/* The section's header, before its chunk table (FORMAT.md). */
#define CMH_SEC_VERSION 1
#define CMH_SEC_HEAD 128

/* A zeroed filter for partition part_index of part_count of a filter of
 * nblocks blocks, k bits per key; with_bits 0: none allocated (a
 * summary).  NULL when out of memory or the geometry is invalid. */
cmh_filter *cmh_filter_new(const cmh_params *p, uint64_t nblocks, uint32_t k,
			   uint32_t part_index, uint32_t part_count, int with_bits);
void cmh_filter_free(cmh_filter *m);
/* Bits set and the false-positive sum of the bits held (cached). */
void cmh_filter_measure(cmh_filter *m);
/* The geometry for expected_keys keys at a per-band rate band_fpr:
 * CONTAM_OK or CONTAM_E_PARAM. */
int cmh_filter_plan(uint64_t expected_keys, double band_fpr, uint64_t *nblocks,
		    uint32_t *k);

/* The header's CMH_SEC_HEAD bytes (version, params without the seed,
 * geometry, counters) and back; decode checks them (the seed is the
 * file's) and says why not in why: 0 or CONTAM_E_CORRUPT / _FORMAT. */
void cmh_sec_encode(unsigned char *h, const cmh_filter *m);
int cmh_sec_decode(const unsigned char *h, uint64_t seed, uint32_t part_index,
		   uint32_t part_count, cmh_filter *m, char *why, size_t whylen);

/* The first way b's section differs from a's that makes them impossible
 * to combine (the minhash parameters, the filter's geometry), in words;
 * NULL when they agree.  Merge, partition sets and --add ask this. */
const char *cmh_filter_differ(const cmh_filter *a, const cmh_filter *b);

/* Lookups for the probe.  cindex_mh_params: NULL when the index has no
 * minhash section.  cindex_mh_contains: 1 present, 0 absent, -1 when not
 * answerable (no section, a summary handle, or a block this partition
 * does not hold: never "absent" for a key held elsewhere).
 * cindex_mh_band_fpr: a band lookup's false-positive rate, measured from
 * the filter's fill as the n-gram filter's rate is (0 without one). */
const cmh_params *cindex_mh_params(const contam_index *ix);
int cindex_mh_contains(const contam_index *ix, uint64_t key);
double cindex_mh_band_fpr(const contam_index *ix);

#endif
