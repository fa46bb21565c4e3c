/*
 * scan.h -- the exact scan (private): the benchmark n-gram table, the
 * per-thread matcher, the hit documents kept (on disk) for the end of the
 * scan, and the purified-copy writers.
 *
 * Files: scan_table.c (benchmarks -> table), scan_match.c (one document
 * -> chains of matches), scan_run.c (the scan as a sink of the corpus
 * pass, src/lib/pass/pass.h, then the purify pass), scan_hits.c (hit
 * documents spilled and read back), scan_report.c (metrics, hit records,
 * report JSON), scan_purify.c and scan_sink.c (decontaminated copies).
 */
#ifndef CONTAM_SCAN_H
#define CONTAM_SCAN_H

#include "../common/common.h"
#include "../ngram/ngram.h"
#include "../text/text.h"
#include "../probe/probe_item.h"
#include "../probe/bench_set.h"

#include <stdio.h>

/* One place an n-gram occurs in a benchmark: example and position. */
typedef struct cscan_posting {
	uint32_t ex;
	uint32_t pos;
} cscan_posting;

/* The exact table: open addressing over distinct n-gram hashes; each
 * entry's postings are contiguous and sorted by (ex, pos).
 *
 * In front of it, a bitmap of 16-32 bits per entry, indexed by a hash's
 * top bits (the slots use its low bits), answers all but one in 16-32
 * absent n-grams from a few hundred KiB that mostly stay in L2, where
 * the slots and hashes are megabytes in L3: the lookup was 72% of the
 * per-token work of a plain-text scan (perf, AVX2, AMD EPYC; GSM8K's
 * 133k n-grams: a 512 KiB bitmap; 4-8 bits per entry were slower, the
 * bitmap then a third full). */
typedef struct cscan_table {
	uint64_t *hash;          /* per entry */
	uint32_t *post_first;    /* per entry */
	uint32_t *post_count;    /* per entry */
	uint64_t *docs;          /* per entry: distinct documents (atomic) */
	size_t nentries;
	cscan_posting *post;
	size_t npost;
	uint32_t *slot;          /* entry + 1, 0 = empty */
	uint64_t mask;
	uint64_t *present;       /* bit h >> present_shift set for each entry */
	unsigned present_shift;
} cscan_table;

#define CSCAN_NONE UINT32_MAX
#define CMH_MAX_WINDOWS_SCAN 8   /* = CMH_MAX_WINDOWS (minhash.h) */

static inline uint32_t cscan_lookup(const cscan_table *t, uint64_t h)
{
	uint64_t b = h >> t->present_shift;
	if (!((t->present[b >> 6] >> (b & 63)) & 1))
		return CSCAN_NONE;
	uint64_t i = (h ^ (h >> 29)) & t->mask;
	for (;;) {
		uint32_t e = t->slot[i];
		if (!e)
			return CSCAN_NONE;
		if (t->hash[e - 1] == h)
			return e - 1;
		i = (i + 1) & t->mask;
	}
}

/* A run of consecutive document n-grams that are consecutive n-grams of
 * one example: example positions [pos, pos + npos), document tokens
 * [tok, tok + npos + n - 1), bytes [start, end) of the document. */
typedef struct cscan_chain {
	uint32_t ex, pos, npos;
	uint32_t next;           /* while open: expected next position */
	uint64_t tok;
	uint64_t start, end;
} cscan_chain;

/* Overlapping chains merged into one byte region; chains [first, first
 * + nchains) of the document (sorted by start). */
typedef struct cscan_region {
	uint64_t start, end;
	uint64_t tok_start, tok_end;
	uint32_t first, nchains;
	char *snippet;           /* NULL when the bytes were not kept */
} cscan_region;

/* A document with at least one match. */
typedef struct cscan_hitdoc {
	char *member, *url, *id;
	uint64_t entry;          /* archive entry number of member */
	uint64_t record, offset;
	uint64_t bytes, tokens;
	cscan_chain *chains;
	size_t nchains;
	cscan_region *regions;
	size_t nregions;
} cscan_hitdoc;

/* A run of a file's hit documents in the spill file (scan_hits.c). */
typedef struct cscan_chunk {
	uint64_t off, len;
	size_t ndocs;
} cscan_chunk;

/* Per input file. */
typedef struct cscan_file {
	const char *path;
	contam_input_kind kind;
	uint64_t size, documents, bytes_text, ngrams, errors;
	uint64_t not_utf8;       /* bytes read as separators (cpass_file) */
	uint64_t problems[CONTAM_PROBLEMS]; /* what was not read, by kind, as
					       an index's manifest counts it */
	cscan_chunk *chunks;     /* its hit documents, in reader order */
	size_t nchunks, cap_chunks;
	size_t ndocs;            /* hit documents */
	uint64_t mem;            /* bytes of them in the spill file */
} cscan_file;

struct contam_scan {
	contam_scan_options opt; /* benchmark strings point into `set` */
	/* files the walks skipped, by reason (contam_inputs.skips): a scan
	 * says them as a probe of an index of the same inputs does */
	uint64_t skipped[CONTAM_SKIP_REASONS];
	char *text_field, *purify_dir;
	uint64_t seed;
	/* benchmarks and examples (all added), with their items (tokens and
	 * n-grams) and texts, kept for n-gram rendering (bench_set.h) */
	cbench_set set;
	uint64_t *doc_count;
	cprobe_recipe recipe;
	cprobe_rule rule;
	unsigned char *ex_tmpl;  /* per (example, position): template */
	unsigned char *state;    /* scratch: n-gram states of one example */
	uint64_t *ex_first;      /* offset of example's entries in ex_entry */
	uint32_t *ex_entry;      /* per (example, position): table entry */
	uint32_t max_ngrams;     /* largest G of an example */
	cscan_table table;
	cscan_file *files;
	size_t nfiles;
	unsigned char *ignored;  /* per entry: over max_doc_freq */
	int spill_fd;            /* the hit documents (scan_hits.c), or -1 */
	uint64_t spill_end;
	int mspill_fd;           /* purify manifest lines (scan_purify.c) */
	uint64_t mspill_end;
	contam_scan_stats stats;
	/* contam_scan_confirmed's result */
	contam_example *confirmed_examples;
	contam_benchmark *confirmed_benchmarks;
	struct cscan_nd *nd;     /* --near-dup (scan_neardup.c), or NULL */
	/* --near-dup --confirm REPORT: per example the probe's near_dup
	 * verdict (1 flagged, 0 not), and the report's path */
	unsigned char *nd_probe;
	char *nd_probe_path;
	/* its index's shingle and window sizes (nd_shingle 0: the core's
	 * defaults), so the scan measures the sets the probe signed */
	uint32_t nd_shingle, nd_nwindows, nd_windows[CMH_MAX_WINDOWS_SCAN];
	int ran;
	cerr err;
};

/* scan_table.c */
int cscan_table_build(contam_scan *s, cerr *err);
void cscan_table_release(cscan_table *t);

/* scan_match.c: one matcher per thread (or file task). */
typedef struct cscan_matcher {
	const contam_scan *s;
	ctok tok;
	cngram ng;
	uint32_t n;
	uint64_t ntok;           /* tokens of the current document */
	uint64_t *tok_start;     /* ring of the last ring_mask + 1 (>= n) token starts */
	uint64_t ring_mask;
	cscan_chain *open, *next;
	size_t nopen, nnext, cap_open, cap_next;
	cscan_chain *closed;
	size_t nclosed, cap_closed;
	uint32_t *entries;       /* matched entries of this document */
	size_t nentries, cap_entries;
	cbuf text;               /* the document's first bytes */
	uint64_t doc_bytes;
	uint64_t ngrams;
	struct cscan_ndm *nd;    /* --near-dup: the document's windows */
	/* the look-ahead of a whole document (cscan_matcher_whole): the
	 * index's hash-only tokenizer and window loop, each n-gram looked up */
	ctok htok;
	uint64_t *htoks;         /* CONTAM_MAX_NGRAM + CTOK_HASH_BUF tokens */
	uint64_t *hwins;         /* CTOK_HASH_BUF window hashes */
	size_t nhtoks;
	uint64_t htokens;        /* tokens the look-ahead saw */
	int hhit;                /* an n-gram of the document is in the table */
	uint64_t tok_bad0, htok_bad0; /* the tokenizers' not_utf8 at begin */
	int oom;
} cscan_matcher;

#define CSCAN_KEEP_TEXT (16u << 20) /* document bytes kept for snippets */
#define CSCAN_SNIPPET 300           /* longest snippet, bytes */

int cscan_matcher_init(cscan_matcher *m, const contam_scan *s);
void cscan_matcher_release(cscan_matcher *m);
void cscan_matcher_begin(cscan_matcher *m);
/* The current document's bytes that are not UTF-8 (ctok not_utf8). */
uint64_t cscan_matcher_not_utf8(const cscan_matcher *m);
int cscan_matcher_feed(cscan_matcher *m, const char *p, size_t n);
/* A whole document in one piece (after cscan_matcher_begin, in place of
 * cscan_matcher_feed): most documents hold no benchmark n-gram, so the
 * fast hash-only path looks first and the tokenizer with offsets and
 * chains runs only on a document that has one.  The same result as
 * cscan_matcher_feed. */
int cscan_matcher_whole(cscan_matcher *m, const char *p, size_t n);
/* End of document: if it matched, fill *hd (owned by the caller; release
 * with cscan_hitdoc_release) and return 1; 0 if nothing matched; < 0 on
 * out of memory.  Counts the document in the entries' doc counts. */
int cscan_matcher_end(cscan_matcher *m, uint64_t *entry_docs,
		      cscan_hitdoc *hd);
void cscan_hitdoc_release(cscan_hitdoc *hd);

/* scan_hits.c: hit documents go to an unlinked spill file in chunks of
 * about CSCAN_CHUNK bytes as each file task finds them, and are read
 * back file by file, in order, one chunk in memory. */
#define CSCAN_CHUNK (1u << 20)
int cscan_hitdoc_pack(cbuf *b, const cscan_hitdoc *hd);
int cscan_spill_open(contam_scan *s, cerr *err);
void cscan_spill_close(contam_scan *s);
/* Append b (ndocs packed documents of f) as f's next chunk; not thread
 * safe (the caller serializes). */
int cscan_spill_chunk(contam_scan *s, cscan_file *f, const cbuf *b, size_t ndocs,
		      cerr *err);
typedef struct cscan_hits {
	const contam_scan *s;
	const cscan_file *f;
	size_t chunk;            /* next chunk to read */
	char *buf;
	size_t cap, left;
	const char *p;
} cscan_hits;
/* Read f's hit documents back (any thread; each reader its own). */
void cscan_hits_open(cscan_hits *it, const contam_scan *s, const cscan_file *f);
/* 1: *hd is the next one (the caller releases it); 0: no more; < 0. */
int cscan_hits_next(cscan_hits *it, cscan_hitdoc *hd, cerr *err);
void cscan_hits_close(cscan_hits *it);

/* scan_report.c */
int cscan_finish(contam_scan *s, cerr *err);
/* Is chain c counted (some n-gram of it is not ignored)? */
int cscan_chain_kept(const contam_scan *s, const cscan_chain *c);

/* scan_purify.c: prepare, then one call per input file (any thread),
 * then finish (the manifest in input order, the counts). */
typedef struct cscan_purified {
	cscan_chunk *chunks;     /* this file's manifest lines, in the
				    manifest spill (free()) */
	size_t nchunks, cap_chunks;
	uint64_t dropped, cut, regions;
	uint64_t unread;         /* records the reader skipped, left out */
	int written;             /* the copy is in place */
} cscan_purified;
int cscan_purify_prepare(contam_scan *s, cerr *err);
int cscan_purify_one(contam_scan *s, size_t i, cscan_purified *res, cerr *err);
int cscan_purify_finish(contam_scan *s, cscan_purified *res, cerr *err);
/* Remove the copies written (after a failure or a stop). */
void cscan_purify_undo(contam_scan *s, const cscan_purified *res);

/* scan_neardup.c: --near-dup, exact containment and Jaccard of each
 * example's shingle set (the probe's, minhash.h) with the best window of
 * each document.  Built after the table; one cscan_ndm per matcher gets
 * the matcher's tokens; its end records the document's near-dups with
 * the provenance given. */
typedef struct cscan_nd cscan_nd;
typedef struct cscan_ndm cscan_ndm;
typedef struct cscan_nd_doc {
	size_t file;             /* input index */
	uint64_t entry, record, offset, bytes;
	const char *member, *url, *id;
} cscan_nd_doc;
int cscan_nd_build(contam_scan *s, cerr *err);
void cscan_nd_free(cscan_nd *nd);
int cscan_ndm_new(cscan_ndm **out, const contam_scan *s);
void cscan_ndm_free(cscan_ndm *m);
void cscan_ndm_begin(cscan_ndm *m);
void cscan_ndm_token(cscan_ndm *m, const ctok_token *tk);
int cscan_ndm_end(cscan_ndm *m, const cscan_nd_doc *doc);
struct json_t;
/* The report's "near_dup" object (in "scan") and an example's
 * "near_dup_scan" fields. */
struct json_t *cscan_nd_json(const contam_scan *s);
struct json_t *cscan_nd_example_json(const contam_scan *s, size_t i);
struct json_t *cscan_nd_confirm_json(const contam_scan *s);

/* scan_sink.c: an output file in a given codec; gzip output can be cut
 * into members (one per WARC record, as Common Crawl ships them). */
typedef struct cscan_sink cscan_sink;
int cscan_sink_open(cscan_sink **out, const char *path, int codec, cerr *err);
int cscan_sink_open_stream(cscan_sink **out, FILE *f, int codec);
int cscan_sink_write(cscan_sink *k, const void *p, size_t n);
int cscan_sink_end_member(cscan_sink *k);
/* The reason of the first failed write (strerror of its errno). */
const char *cscan_sink_strerror(const cscan_sink *k);
/* Finish, flush and rename into place; frees the sink.  Every failure
 * message carries the errno text. */
int cscan_sink_close(cscan_sink *k, cerr *err);
void cscan_sink_abort(cscan_sink *k);

#endif
