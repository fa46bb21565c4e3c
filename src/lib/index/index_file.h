/*
 * index_file.h -- streaming access to index files (private): open and
 * verify a file's header, manifest and chunk table, then read and check
 * chunks one at a time; write a file from any source of chunks.  Merging
 * and verification use this so that memory never grows with index size.
 */
#ifndef CONTAM_INDEX_FILE_H
#define CONTAM_INDEX_FILE_H

#include "index.h"
#include "index_minhash.h"

/* A section of chunks (the filter's, the doc-freq sketch's): where its
 * chunk table and chunks are. */
typedef struct cichunks {
	const char *what;           /* "filter", "doc-freq" (messages) */
	uint64_t off, len;          /* the section */
	uint64_t table_at;          /* offset of the chunk table in it */
	uint64_t chunk_bytes, nchunks, held_bytes;
	unsigned char *table;       /* 16 + nchunks * 24 bytes */
	uint64_t table_len;
	uint64_t zero_hash, zero_hash_last;
	int raw;                    /* chunks stored uncompressed (FLAG_RAW_FILTER) */
} cichunks;

typedef struct cifile {
	int fd;
	char *path;
	uint32_t format_version;
	uint32_t flags;             /* header flags (index_file.c) */
	contam_params params;
	uint64_t ngrams_inserted;
	uint32_t part_index, part_count;
	uint64_t lo, hi;            /* blocks held */
	contam_manifest_entry *manifest;
	size_t nmanifest;
	contam_input_skip *skips;   /* from the input notes section */
	size_t nskips;
	uint64_t foff, flen;        /* filter section */
	uint64_t chunk_bytes, nchunks, held_bytes;
	unsigned char *table;       /* chunk table, verified by the trailer */
	uint64_t table_len;
	uint64_t zero_hash;         /* XXH3 of a whole all-zero chunk */
	uint64_t zero_hash_last;    /* ... of the last chunk, all zero */
	/* the doc-freq section (index_docfreq.h), when has_df */
	int has_df;
	uint32_t df_d;
	uint64_t df_lines, df_lo, df_hi, df_pairs;
	cichunks dfc;
	/* the minhash section (index_minhash.h), when mh is set: its
	 * header decoded (no bits) and its chunks */
	cmh_filter *mh;
	cichunks mhc;
	/* read from memory instead of fd when mem is set: a caller's buffer
	 * (cifile_open_mem) or the file mapped (map, map_len: unmapped on
	 * close unless taken) */
	const unsigned char *mem;
	uint64_t mem_len;
	void *map;
	size_t map_len;
	/* an uncompressed filter (index_file.c's FLAG_RAW_FILTER): its
	 * chunks back to back from data_at (relative to foff, page aligned
	 * in the file), and the statistics the writer measured */
	int raw;
	uint64_t data_at;
	uint64_t raw_set;
	double raw_fpr;
} cifile;

/* Chunk c of the doc-freq section, as cifile_read_chunk_z. */
int cifile_read_df_chunk(const cifile *f, uint64_t c, unsigned char *dst,
			 int dst_zeroed, cbuf *scratch, cerr *err);
/* Read and check every doc-freq chunk into dst (df_hi - df_lo lines, all
 * zero on entry) or, dst NULL, check only; adds the counters' sum and the
 * saturated ones to *sum and *saturated. */
int cifile_read_df_all(const cifile *f, unsigned char *dst, uint64_t *sum,
		       uint64_t *saturated, cerr *err);

/* Open and verify everything but the chunks' contents. */
int cifile_open(cifile **out, const char *path, cerr *err);
/* The same from len bytes at buf (borrowed until cifile_close); name is
 * what messages call it. */
int cifile_open_mem(cifile **out, const char *name, const void *buf, size_t len,
		    cerr *err);
/* The same with the file mapped read-only (f->map): reads touch only the
 * pages they need. */
int cifile_open_map(cifile **out, const char *path, cerr *err);
void cifile_close(cifile *f);
/* Raw bytes of chunk c (cifile_chunk_size), checked against its hash;
 * thread-safe (pread). */
int cifile_read_chunk(const cifile *f, uint64_t c, unsigned char *dst,
		      cbuf *scratch, cerr *err);
/* The same; with dst_zeroed, an all-zero chunk is checked but dst is
 * not written (it holds zeros already: a fresh filter). */
int cifile_read_chunk_z(const cifile *f, uint64_t c, unsigned char *dst,
			int dst_zeroed, cbuf *scratch, cerr *err);
/* Whether chunk c is stored as nothing (all zero; its hash is checked
 * when it is read). */
int cifile_chunk_is_zero(const cifile *f, uint64_t c);
size_t cifile_chunk_size(const cifile *f, uint64_t c);
/* Read and check every chunk into dst (held_bytes, all zero on entry:
 * all-zero chunks are checked but not written, so they cost no memory),
 * in parallel; dst NULL: check only.  Adds the bits set and the sum of
 * the blocks' false-positive probabilities to *bits_set and *fpr_sum
 * (either may be NULL): contam_index_stats_get's measure, per chunk. */
int cifile_read_all(const cifile *f, unsigned char *dst, uint64_t *bits_set,
		    double *fpr_sum, cerr *err);
/* cifile_read_all, every chunk that is not all zero also handed to
 * visit (from any thread; chunk c's n raw bytes, valid during the call):
 * a filter streamed chunk by chunk (dst NULL) with one chunk per thread
 * in memory. */
typedef void (*cichunk_visit)(void *ctx, uint64_t c, const unsigned char *raw,
			      size_t n);
int cifile_read_all_visit(const cifile *f, unsigned char *dst, cichunk_visit visit,
			  void *vctx, uint64_t *bits_set, double *fpr_sum, cerr *err);
/* cifile_read_df_all, every chunk that is not all zero also handed to
 * visit (any thread). */
int cifile_read_df_all_visit(const cifile *f, unsigned char *dst, cichunk_visit visit,
			     void *vctx, uint64_t *sum, uint64_t *saturated, cerr *err);
/* An index from an opened file: reads every chunk; takes the manifest. */
int cindex_from_file(contam_index **out, cifile *f);
/* How cindex_load_file holds the filter; CILOAD_NO_DF (or'ed in): the
 * doc-freq section is left unread (a caller streams it). */
enum { CILOAD_SUMMARY, CILOAD_READ, CILOAD_MAP, CILOAD_NO_DF = 8 };
/* An index from an opened file: CILOAD_READ as cindex_from_file,
 * CILOAD_SUMMARY without the filter (every chunk checked and measured),
 * CILOAD_MAP with an uncompressed filter pointing into f's mapping
 * (taken from f; a compressed filter is read).  Adds the filter's bits
 * set and false-positive sum to *set and *fpr_sum (in that order, as
 * contam_index_load_parts sums its parts).  On failure *out is NULL and
 * err says why. */
int cindex_load_file(contam_index **out, cifile *f, int how, uint64_t *set,
		     double *fpr_sum, cerr *err);

/* What a written file describes besides its chunks. */
typedef struct cifile_meta {
	contam_params params;
	uint64_t ngrams_inserted;
	uint32_t part_index, part_count;
	uint64_t lo, hi;
	const contam_manifest_entry *manifest;
	size_t nmanifest;
	/* raw bytes per chunk (a multiple of 64, <= CIFILE_CHUNK_MAX);
	 * 0: CIFILE_CHUNK_BYTES */
	uint64_t chunk_bytes;
	const contam_input_skip *skips;
	size_t nskips;
	/* a flag (a signal handler's) that, once set, stops the write:
	 * nothing is left at the path; NULL: never */
	volatile int *stop;
	/* the doc-freq section, written when has_df: lines [df_lo, df_hi)
	 * of df_lines, each chunk from df_source(df_ctx, ...) */
	int has_df;
	uint32_t df_d;
	uint64_t df_lines, df_lo, df_hi, df_pairs;
	uint64_t df_chunk_bytes;     /* 0: CIFILE_CHUNK_BYTES */
	int (*df_source)(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			 cerr *err);
	void *df_ctx;
	/* store the filter uncompressed and page aligned (FLAG_RAW_FILTER) */
	int raw_filter;
	/* the minhash section, written when mh is set: its header from mh
	 * (params, geometry, counters), chunks from mh_source */
	const cmh_filter *mh;
	int (*mh_source)(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			 cerr *err);
	void *mh_ctx;
	uint64_t mh_chunk_bytes;     /* 0: CIFILE_CHUNK_BYTES */
} cifile_meta;

void cifile_meta_of(const contam_index *ix, cifile_meta *m);

/* Fill dst with the n raw bytes of chunk c; called from several threads. */
typedef int (*cichunk_source)(void *ctx, uint64_t c, unsigned char *dst,
			      size_t n, cerr *err);

/* Source of minhash chunks for an in-memory index (ctx: the
 * contam_index). */
int cifile_memory_mh_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			    cerr *err);
/* Chunk c of the minhash section, as cifile_read_chunk_z; every chunk
 * into dst (NULL: check only) with the bits set and false-positive sum
 * added, as cifile_read_all. */
int cifile_read_mh_chunk(const cifile *f, uint64_t c, unsigned char *dst,
			 int dst_zeroed, cbuf *scratch, cerr *err);
int cifile_read_mh_all(const cifile *f, unsigned char *dst, uint64_t *bits_set,
		       double *fpr_sum, cerr *err);

/* Source of doc-freq chunks for an in-memory index (ctx: the
 * contam_index). */
int cifile_memory_df_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			    cerr *err);

/* Source of chunks for an in-memory index (ctx: the contam_index). */
int cifile_memory_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			 cerr *err);

/* Write a complete index file atomically (tmp, fsync, rename), or
 * nothing (CONTAM_E_INTERRUPTED when meta->stop was set before the
 * rename). */
int cifile_write(const char *path, const cifile_meta *meta,
		 cichunk_source source, void *ctx, cerr *err);

/* The one format version this contam writes and reads. */
#define CIFILE_FORMAT_VERSION 1
/* The fixed part of the header, before the section table. */
#define CIFILE_HEADER_FIXED 128

/* The fixed header, decoded (its byte offsets: index_file.c). */
typedef struct cihdr {
	uint32_t version, hsize, nsec, flags, block_bits;
	contam_params params;       /* ngram, k, nblocks, seed, recipe_version,
				     * winnow */
	uint64_t ngrams_inserted;
	char recipe[33];            /* recipe name, NUL terminated */
	uint32_t part_index, part_count;
	uint64_t lo, hi;            /* blocks held */
} cihdr;

/* The CIFILE_HEADER_FIXED bytes at h from x, and back (no checks). */
void cihdr_encode(unsigned char *h, const cihdr *x);
void cihdr_decode(const unsigned char *h, cihdr *x);
/* Whether p describes a filter this contam can hold: the one geometry
 * check (n, k, size, winnowing window). */
int cifile_params_valid(const contam_params *p);
/* The first parameter in which b differs from a that makes their
 * filters incompatible (n-gram length, recipe version, hash seed,
 * filter size, k, winnowing window), as words, with both values in
 * *va and *vb; NULL when they agree.  Merge, partition sets and --add
 * all ask this. */
const char *cifile_params_differ(const contam_params *a, const contam_params *b,
				 uint64_t *va, uint64_t *vb);

/* How the sections of two files of one index combine into one (merge,
 * partition sets): each section type says (index_file.c's table). */
typedef enum cisec_combine {
	CISEC_OR,        /* filter chunks: bitwise OR */
	CISEC_SAT_ADD,   /* doc-freq chunks: saturating u16 add */
	CISEC_UNION,     /* manifest: union, an input in two parts refused */
	CISEC_CONCAT,    /* input notes: the walks' skips concatenated */
} cisec_combine;

/* The combine rule of the filter (df 0), doc-freq (df 1) or minhash
 * (CICHUNKS_MINHASH) chunks. */
#define CICHUNKS_MINHASH 2
cisec_combine cifile_chunk_rule(int df);
/* dst = dst (rule) src over n bytes (n a multiple of 8). */
void cifile_combine(cisec_combine rule, unsigned char *dst,
		    const unsigned char *src, size_t n);

/* The manifest codec, once: entries (sorted by path) as the manifest
 * section's raw bytes and the input notes' (with the walk skips); the
 * file stores each zstd-compressed, contam-mpi ships both as they are
 * (contam_index_manifest_pack). */
int cimanifest_encode(const contam_manifest_entry *m, size_t n,
		      const contam_input_skip *skips, size_t nskips, cbuf *raw,
		      cbuf *notes);
/* Decode into f->manifest / f->skips; 0, CONTAM_E_CORRUPT or
 * CONTAM_E_NOMEM (err names f->path).  notes NULL: none. */
int cimanifest_decode(cifile *f, const unsigned char *raw, size_t rawlen,
		      const unsigned char *notes, size_t noteslen, cerr *err);

/* A partition set, opened and checked as one index (index_merge.c): one
 * whole index, or all P partitions of one build; refused otherwise with
 * the reason in err.  *out holds n opened files (cparts_close). */
int cparts_open(cifile ***out, const char *const *paths, size_t n, cerr *err);
void cparts_close(cifile **parts, size_t n);
/* The partitions' minhash sections as one whole filter onto ix (each
 * holds a block range of it). */
int cparts_load_mh(contam_index *ix, cifile **parts, size_t n, cerr *err);

#define CIFILE_CHUNK_BYTES (1u << 20)
/* The largest chunk size a file may declare (the format's limit). */
#define CIFILE_CHUNK_MAX (1ULL << 30)

#endif
