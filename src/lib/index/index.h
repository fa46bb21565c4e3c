/*
 * index.h -- the index object: a blocked Bloom filter, its parameters and
 * the manifest of what went into it.  Private to the library.
 */
#ifndef CONTAM_INDEX_H
#define CONTAM_INDEX_H

#include "../common/common.h"
#include "index_docfreq.h"

#define CBLOOM_BLOCK_BITS 512
#define CBLOOM_BLOCK_WORDS 8   /* 64-bit words per block = one cache line */
#define CBLOOM_K_MAX 16

/* A filter, or one partition of it: the blocks [lo, hi) of a filter of
 * nblocks blocks.  Keys always map into the whole 0..nblocks-1 range, so
 * partitions of one geometry agree on every key's block. */
typedef struct cbloom {
	uint64_t *bits;     /* (hi - lo) * 8 words */
	uint64_t nblocks;
	uint64_t lo, hi;
	uint32_t k;
} cbloom;

/* Slots for an index file's chunked sections (index_file.h): at most
 * one per section-table entry. */
#define CISEC_SLOTS 8

struct contam_index {
	contam_params params;
	cbloom filter;
	uint32_t part_index, part_count; /* 0/1 when not partitioned */
	uint64_t ngrams_inserted;   /* insertions, with repeats */
	contam_manifest_entry *manifest;
	size_t nmanifest;
	contam_input_skip *skips;   /* what the builds' walks skipped */
	size_t nskips;
	double build_seconds;       /* wall time of the build that made it */
	uint32_t format_version;
	/* cached by contam_index_stats_get */
	int stats_valid;
	uint64_t bits_set;
	double fpr_measured;
	char recipe[64];
	volatile int *save_stop;    /* contam_index_set_stop */
	/* the last build's thread count (contam_build_options.threads, 0:
	 * all cores): its saves and statistics run with as many */
	int threads;
	cerr err;
	/* the document-frequency sketch, or NULL; a summary
	 * handle keeps its statistics only */
	cdocfreq *df;
	int has_df;
	uint32_t df_d;
	uint64_t df_lines, df_lo, df_hi, df_pairs, df_sum, df_saturated;
	/* an uncompressed-filter file mapped read-only (contam_index_load_mmap):
	 * filter.bits points into map, which is unmapped on free */
	void *map;
	size_t map_len;
	/* saves store the filter uncompressed (contam_index_set_uncompressed,
	 * or loaded from such a file) */
	int raw_filter;
	/* a handle that answers for a fixed set of keys: a partition set
	 * resolved one partition at a time (index_resolve.c) */
	struct cresolved *rk;
	/* the MinHash band section (index_minhash.h), or NULL */
	struct cmh_filter *mh;
	/* a chunked section kind's in-memory form, by its slot
	 * (cisec_slot, index_file.h), freed by its cisec_ops.free_data: a
	 * new kind keeps its data here, with no field of its own (the
	 * doc-freq sketch and the minhash filter predate it: df, mh) */
	void *sec_data[CISEC_SLOTS];
};

/* Bytes of the whole filter. */
static inline uint64_t cbloom_bytes(const contam_params *p)
{
	return p->nblocks * 64;
}

/* Bytes held by this filter or partition. */
static inline uint64_t cbloom_held_bytes(const cbloom *f)
{
	return (f->hi - f->lo) * 64;
}

/* Blocks [lo, hi) of partition i of P (contiguous ranges). */
static inline void cbloom_partition_range(uint64_t nblocks, uint32_t i,
					  uint32_t P, uint64_t *lo, uint64_t *hi)
{
	__extension__ typedef unsigned __int128 u128;
	*lo = (uint64_t)((u128)nblocks * i / P);
	*hi = (uint64_t)((u128)nblocks * (i + 1) / P);
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

/* Insert n keys with plain ORs; keys whose block lies outside the
 * filter's [lo, hi) are skipped.  The caller must own the filter (one
 * thread) or the region lock of the keys (index_queue.c). */
/* The loop is the one `fast` (NULL: the default) allows in its insert
 * field, within what the CPU has: AVX-512, AVX2 or scalar. */
void cbloom_insert_batch(cbloom *f, const cfast *fast, const uint64_t *keys,
			 size_t n);
/* That loop's name: "avx512", "avx2" or "scalar" (tests compare the loops
 * by passing two configurations). */
const char *cbloom_simd_name(const cfast *fast);

/* A write queue in front of a filter (index_queue.c): keys wait in one
 * bucket per region of the filter (4 MiB; at least 16 regions) and a
 * full bucket is inserted at once, so that its misses hit one region.
 * Any number of threads may add keys at once.  `keys` is the queue's
 * room in keys: < 0 sizes it from the filter (0 when queueing is not
 * enabled), 0 inserts at once under the region locks.  Its buckets take
 * twice that memory: each region has a spare, filled while the full one
 * is inserted. */
typedef struct cbloom_queue cbloom_queue;
#define CBLOOM_QUEUE_REGIONS_MAX 4096
/* Keys a caller should gather before cbloom_queue_add, so that each
 * region's lock is taken for many keys at a time. */
#define CBLOOM_QUEUE_BATCH 65536
/* `fast` (NULL: the default; copied) gives the insertion loop and, for
 * keys < 0, whether to queue at all (its queue field: CONTAM_QUEUE=off
 * in the default's environment turns it off, to compare the two). */
cbloom_queue *cbloom_queue_new(cbloom *f, const cfast *fast, int64_t keys);
void cbloom_queue_free(cbloom_queue *q);
/* 1 when keys may wait in the queue (room > 0). */
int cbloom_queue_is_buffered(const cbloom_queue *q);
/* Queue n keys (any n); scratch holds n keys.  Keys outside the filter's
 * [lo, hi) are dropped. */
void cbloom_queue_add(cbloom_queue *q, const uint64_t *keys, size_t n,
		      uint64_t *scratch);
/* Insert every waiting key.  Safe while other threads add keys: those
 * may stay queued. */
void cbloom_queue_drain(cbloom_queue *q);
/* 1 if present, 0 if absent, -1 if the key's block is not held here. */
int cbloom_contains(const cbloom *f, uint64_t key);
/* Over n blocks: the sum of their false-positive rates; *set gets the
 * number of bits set. */
double cbloom_measure(const uint64_t *blocks, uint64_t n, uint32_t k, uint64_t *set);

/* Allocate a zeroed, page-aligned filter (huge pages where possible). */
uint64_t *cbloom_alloc(uint64_t nblocks);
void cbloom_free(uint64_t *bits, uint64_t nblocks);

int cindex_manifest_add(contam_index *ix, const contam_manifest_entry *e);
/* Free what an entry owns (path, messages). */
void cmanifest_entry_release(contam_manifest_entry *e);
/* Copy an entry's messages into `to` (which owns none yet). */
int cmanifest_copy_messages(contam_manifest_entry *to, const contam_manifest_entry *from);
/* Keep a problem message on an entry: counted under its kind, kept when
 * fewer than CONTAM_MANIFEST_MESSAGES are.  CONTAM_E_NOMEM or OK. */
/* A message of no problem kind (a note on how the input was read). */
#define CMANIFEST_NOTE ((contam_problem)CONTAM_PROBLEMS)
int cmanifest_note(contam_manifest_entry *e, contam_problem kind, const char *msg);
/* Add skip records (copied; records of the same dir and reason are
 * summed). */
int cindex_skips_add(contam_index *ix, const contam_input_skip *k, size_t n);
void cskips_free(contam_input_skip *k, size_t n);
/* Index of the manifest entry for `path`, or -1. */
int cindex_manifest_find(const contam_index *ix, const char *path);
/* An empty index holding partition part_index of part_count. */
/* Cache the statistics measured while loading (cifile_read_all): bits
 * set and the sum of the blocks' false-positive probabilities. */
void cindex_set_stats(contam_index *ix, uint64_t bits_set, double fpr_sum);
/* The same, holding no filter when !with_filter (a summary handle:
 * header, manifest and statistics only). */
int cindex_new_shell(contam_index **out, const contam_params *p,
		     uint32_t part_index, uint32_t part_count, int with_filter);
int cindex_new_part(contam_index **out, const contam_params *p,
		    uint32_t part_index, uint32_t part_count);
/* The end of every public constructor and load: on failure (rc != 0)
 * the message the half-built handle *out kept goes to err and the
 * handle is freed (*out = NULL); returns rc. */
int cindex_hand_over(contam_index **out, int rc, contam_error *err);

/* The answers of a key-set handle (index_resolve.c): 1/0 for a key it
 * holds, -1 for any other (never "absent"). */
int cresolved_contains(struct cresolved *r, uint64_t key);
int64_t cresolved_doc_freq(const struct cresolved *r, uint64_t key);
void cresolved_free(struct cresolved *r);

#endif
