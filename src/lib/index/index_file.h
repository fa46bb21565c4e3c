/*
 * index_file.h -- streaming access to index files (private): open and
 * verify a file's header, manifest and chunk table, then read and check
 * chunks one at a time; write a file from any source of chunks.  Merging
 * and verification use this so that memory never grows with index size.
 */
#ifndef CONTAM_INDEX_FILE_H
#define CONTAM_INDEX_FILE_H

#include "index.h"

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

/* Section types (the file's section table; docs/FORMAT.md). */
#define CISEC_TYPE_MANIFEST 1
#define CISEC_TYPE_FILTER 2
#define CISEC_TYPE_NOTES 3
#define CISEC_TYPE_DOC_FREQ 4
#define CISEC_TYPE_MINHASH 5

/* The largest decoded header a chunked section kind keeps (a kind's
 * file checks its own struct fits), and the largest header it stores
 * in front of its chunk table. */
#define CISEC_DEC_MAX 256
#define CISEC_HEAD_MAX 128

/* A chunked section as read: a header of the kind's own (its
 * parameters, geometry and counters, decoded by the kind), then a chunk
 * table and chunks as the filter's, combined chunk by chunk as the
 * kind's entry of sec_kinds[] says.  One record for every such kind:
 * cifile_parse, cifile_write and merge iterate over them. */
typedef struct cisec {
	const struct cisec_ops *ops;  /* NULL: the file has none here */
	uint32_t type;
	cichunks cs;
	_Alignas(8) unsigned char dec[CISEC_DEC_MAX];  /* ops->decode's */
} cisec;

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
	/* the chunked sections (doc-freq, minhash, ...), one slot per
	 * entry of index_file.c's sec_kinds[] (cifile_sec finds one by
	 * type): each its own header decoded and its chunk table */
	cisec sec[CISEC_SLOTS];
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

/* Chunk c of the doc-freq section, as cifile_read_chunk_z (these three:
 * index_docfreq.c). */
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
/* Every chunk of a chunk set of f read and checked in parallel into dst
 * (all zero on entry, or NULL: check only) and, unless all zero, handed
 * to measure (any thread; each call writes only chunk c's slots, so
 * that sums come out in chunk order whatever the threads); the first
 * damaged chunk's error is returned.  A chunked section's kind reads its
 * chunks with this. */
int cifile_read_cs_all(const cifile *f, const cichunks *cs, unsigned char *dst,
		       cichunk_visit measure, void *ctx, cerr *err);
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

/* Fill dst with the n raw bytes of chunk c; called from several threads. */
typedef int (*cichunk_source)(void *ctx, uint64_t c, unsigned char *dst,
			      size_t n, cerr *err);

/* A chunked section to write: its kind's decoded header (the kind
 * encodes it) and where its chunks come from. */
typedef struct cisec_out {
	int on;                      /* written when set */
	_Alignas(8) unsigned char dec[CISEC_DEC_MAX];
	uint64_t chunk_bytes;        /* 0: CIFILE_CHUNK_BYTES */
	cichunk_source source;
	void *ctx;
} cisec_out;

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
	/* store the filter uncompressed and page aligned (FLAG_RAW_FILTER) */
	int raw_filter;
	/* the chunked sections, by slot as cifile's (cifile_meta_sec) */
	cisec_out sec[CISEC_SLOTS];
} cifile_meta;

/* Everything about an index but its filter, from the handle: each
 * chunked section's kind fills its slot from the handle (of_index). */
void cifile_meta_of(const contam_index *ix, cifile_meta *m);

/* A chunked section kind: what index_file.c and merge ask of it, in its
 * own file (index_docfreq.c, index_minhash.c), registered by one entry
 * of index_file.c's sec_kinds[].  Messages name it by that entry. */
typedef struct cisec_ops {
	size_t head;                 /* its header's bytes (<= CISEC_HEAD_MAX) */
	/* advice when merging a part without it with one with it */
	const char *missing;
	/* head decoded into dec (CISEC_DEC_MAX bytes, zeroed) and checked
	 * against f's header: 0, or CONTAM_E_CORRUPT / _FORMAT with why */
	int (*decode)(const cifile *f, const unsigned char *head, void *dec, char *why,
		      size_t whylen);
	void (*encode)(unsigned char *head, const void *dec);
	/* raw bytes its chunks hold */
	uint64_t (*held)(const void *dec);
	/* the first way b differs from a that makes them impossible to
	 * combine, in words (written to what): 1, or 0 when they agree */
	int (*differ)(const void *a, const void *b, char *what, size_t whylen);
	/* b's counters added to a's (merge: a union of inputs) */
	void (*add_counts)(void *a, const void *b);
	/* the handle's section into dec, and its chunk source: 1, or 0
	 * when the handle has none */
	int (*of_index)(const contam_index *ix, void *dec, cichunk_source *source);
	/* f's section onto ix (its data, or with_data 0 only its
	 * statistics), every chunk checked */
	int (*load)(contam_index *ix, const cifile *f, const cisec *s, int with_data,
		    cerr *err);
	/* the n partitions' sections as one onto ix (a partition set) */
	int (*load_parts)(contam_index *ix, cifile **parts, size_t n, cerr *err);
	/* frees what load / load_parts left in ix->sec_data[its slot]
	 * (NULL: it leaves nothing there) */
	void (*free_data)(void *data);
	/* the handle's raw bytes of it and its counters (at most
	 * CONTAM_SECTION_COUNTERS), for contam_index_section_get: 1, or 0
	 * when the handle holds none (or no bytes: a summary, a mapping) */
	int (*words)(contam_index *ix, void **data, size_t *bytes, uint64_t **counters,
		     size_t *ncounters);
} cisec_ops;

/* The registered kinds (their files). */
extern const cisec_ops cdf_sec_ops;   /* index_docfreq.c */
extern const cisec_ops cmh_sec_ops;   /* index_minhash.c */

/* f's section of this type, NULL when it has none; its decoded header
 * (the kind's struct), NULL when none. */
const cisec *cifile_sec(const cifile *f, uint32_t type);
const void *cifile_sec_dec(const cifile *f, uint32_t type);
/* The slot of a chunked section type (its index in sec_kinds[]). */
size_t cisec_slot(uint32_t type);
/* Free every kind's ix->sec_data (contam_index_free). */
void cindex_free_sec_data(contam_index *ix);
/* m's slot for this type (to fill or change before cifile_write). */
cisec_out *cifile_meta_sec(cifile_meta *m, uint32_t type);
/* The filter section as a chunk set. */
void cifile_filter_chunks(const cifile *f, cichunks *cs);
/* Chunk c of a chunk set of f, as cifile_read_chunk_z. */
int cifile_read_cs_chunk(const cifile *f, const cichunks *cs, uint64_t c,
			 unsigned char *dst, int dst_zeroed, cbuf *scratch, cerr *err);
/* Every chunk of a Bloom chunk set (k bits a key) into dst (NULL: check
 * only), bits set and false-positive sum added, as cifile_read_all. */
int cifile_read_bloom_all(const cifile *f, const cichunks *cs, uint32_t k,
			  unsigned char *dst, uint64_t *bits_set, double *fpr_sum,
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

/* The combine rule of a section type (sec_kinds[]). */
cisec_combine cifile_chunk_rule(uint32_t type);
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
 * holds a block range of it; index_minhash.c). */
int cparts_load_mh(contam_index *ix, cifile **parts, size_t n, cerr *err);

#define CIFILE_CHUNK_BYTES (1u << 20)
/* The largest chunk size a file may declare (the format's limit). */
#define CIFILE_CHUNK_MAX (1ULL << 30)

#endif
