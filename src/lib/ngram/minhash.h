/*
 * minhash.h -- MinHash signatures of shingle sets and their LSH band keys
 * (the design: docs/NEARDUP.md).  Pure, no I/O.
 *
 * Shingles are word `shingle`-grams of the tokenizer's token hashes
 * (text.h), hashed like n-grams (ngram.h) but with seed ^ CMH_SEED_SALT,
 * so a shingle never equals an n-gram key.  A signature is K = b * r bins
 * of one-permutation hashing: x = cmix64(h ^ seed), bin (x * K) >> 64
 * keeps the smallest x; empty bins are filled by optimal densification
 * (Shrivastava 2017).  Band i's key is XXH3-64 of its r minima,
 * little-endian, with seed + i + 1: it does not depend on the window size,
 * so an item's b keys match a corpus window of any size.
 *
 * The corpus side (cmh_doc) streams a document's token hashes and emits
 * the band keys of its windows; the item side (cmh_item) builds the
 * shingle set of a benchmark example, sentence by sentence.
 */
#ifndef CONTAM_MINHASH_H
#define CONTAM_MINHASH_H

#include "../common/common.h"

#define CMH_MAX_WINDOWS 8
#define CMH_MAX_BINS 512            /* b * r */
#define CMH_SEED_SALT 0x6d696e6861736821ULL  /* "minhash!" */
/* The largest window: the ring of a document holds this many shingles. */
#define CMH_MAX_WINDOW (1u << 16)

typedef struct cmh_params {
	uint32_t shingle;            /* tokens per shingle (5) */
	uint32_t bands, rows;        /* b, r */
	uint32_t nwindows;
	uint32_t windows[CMH_MAX_WINDOWS];  /* shingles, ascending */
	uint32_t stride_div;         /* stride = W / stride_div (2) */
	uint64_t seed;               /* the index's seed */
} cmh_params;

void cmh_params_default(cmh_params *p, uint64_t seed);
/* 0 or CONTAM_E_PARAM with the reason in why ("minhash bands * rows must
 * be at most 512, not 600") */
int cmh_params_check(const cmh_params *p, char *why, size_t whylen);
/* 1 when a and b give different keys for the same text (any field). */
int cmh_params_differ(const cmh_params *a, const cmh_params *b);
/* The stride of window size w: max(1, w / stride_div). */
uint32_t cmh_stride(const cmh_params *p, uint32_t w);

double cmh_threshold(uint32_t b, uint32_t r);            /* (1/b)^(1/r) */
double cmh_match_prob(uint32_t b, uint32_t r, double j); /* 1-(1-j^r)^b */
/* The Jaccard range implied by c of b bands matched: the 95% Wilson
 * interval on q = c / b, then J = q^(1/r); c = 0 gives lo 0, c = b hi 1. */
void cmh_jaccard_range(uint32_t b, uint32_t r, uint32_t c, double *lo, double *hi);

/* The hash of one shingle: toks[0..p->shingle) are little-endian token
 * hashes (cngram_le64), as the index's path holds them. */
uint64_t cmh_shingle_hash(const cmh_params *p, const uint64_t *le_toks);

/* signature of n shingle hashes (any order, repeats allowed): sig[b*r];
 * returns 0 when n == 0 (no signature), else 1 */
int cmh_signature(const cmh_params *p, const uint64_t *sh, size_t n, uint64_t *sig);
void cmh_band_keys(const cmh_params *p, const uint64_t *sig, uint64_t *keys /* [b] */);

/* corpus side: a document's windows, streaming token hashes in.  Keys
 * arrive at the sink in batches (a whole number of windows, b keys each,
 * in window order); every key of a document has arrived when
 * cmh_doc_end returns. */
typedef void (*cmh_keys_fn)(void *ctx, const uint64_t *keys, size_t n);
typedef struct cmh_doc cmh_doc;
/* CONTAM_OK, CONTAM_E_PARAM (cmh_params_check fails) or CONTAM_E_NOMEM */
/* `fast` (NULL: the default; copied) chooses the shingle-windows loop. */
int cmh_doc_new(cmh_doc **out, const cmh_params *p, const cfast *fast,
		cmh_keys_fn sink, void *ctx);
void cmh_doc_free(cmh_doc *d);
void cmh_doc_begin(cmh_doc *d);
void cmh_doc_tokens(cmh_doc *d, const uint64_t *le_token_hashes, size_t n);
void cmh_doc_end(cmh_doc *d);         /* tail windows; keys go to sink */
uint64_t cmh_doc_windows(const cmh_doc *d);  /* windows emitted so far */
uint64_t cmh_doc_shingles(const cmh_doc *d); /* shingles seen so far */
/* expected windows per shingle for planning the filter: sum over sizes of 1/stride */
double cmh_windows_per_shingle(const cmh_params *p);

/* item side: the shingle set of an example, field by field.  A field is
 * cut into segments at sentence ends ('.', '!', '?' followed by
 * whitespace or the end of the field; the CJK '。', '！', '？' always) and
 * at line ends ('\n', '\r'); shingles never cross a segment.  The
 * tokens are the index's (ctok with p->seed). */
typedef struct cmh_item cmh_item;
/* `fast` (NULL: the default) chooses the tokenizer's loop. */
int cmh_item_new(cmh_item **out, const cmh_params *p, const cfast *fast);
void cmh_item_reset(cmh_item *it);
/* one field value; CONTAM_OK or CONTAM_E_NOMEM */
int cmh_item_add_text(cmh_item *it, const char *text, size_t len);
size_t cmh_item_shingles(const cmh_item *it, const uint64_t **sh); /* de-duplicated */
size_t cmh_item_tokens(const cmh_item *it);  /* tokens seen (the item's length) */
void cmh_item_free(cmh_item *it);

#endif
