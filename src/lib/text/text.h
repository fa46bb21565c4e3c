/*
 * text.h -- normalization and tokenization (recipe
 * CONTAM_RECIPE_NAME / CONTAM_RECIPE_VERSION).
 *
 * A pure function of the bytes: UTF-8 repair (invalid bytes -> U+FFFD),
 * NFKC, case folding; every character that is not a letter (L*) or a
 * number (N*) separates tokens; each CJK ideograph or kana is a token of
 * its own.  Text may be fed in pieces of any size: the tokens are the same
 * as for the whole document at once (tests check this).
 */
#ifndef CONTAM_TEXT_H
#define CONTAM_TEXT_H

#include "../common/common.h"

typedef struct ctok_token {
	uint64_t hash;         /* XXH3-64 of the normalized bytes, seeded */
	uint64_t start, end;   /* byte offsets in the document as fed */
	const char *bytes;     /* normalized UTF-8, valid during the call */
	size_t len;
} ctok_token;

typedef void (*ctok_emit_fn)(void *ctx, const ctok_token *t);
/* Hash-only delivery (the index's path): a run of token hashes, in order,
 * with no offsets or bytes.  Called when CTOK_HASH_BUF hashes are waiting
 * (or a batch of words hashed at once would not fit: up to 128 fewer) and
 * at ctok_finish, so a document's last tokens arrive before it ends. */
typedef void (*ctok_hashes_fn)(void *ctx, const uint64_t *hashes, size_t n);

#define CTOK_HASH_BUF 512

/* Runs of word bytes longer than this are cut (at a character boundary)
 * so memory stays bounded on hostile input; deterministic, so indexing
 * and probing still agree. */
#define CTOK_RUN_MAX (64 * 1024)

struct ctok;
/* The vectorized ASCII word loop chosen for this CPU (text_norm.c). */
typedef size_t (*ctok_fast_fn)(struct ctok *t, const unsigned char *p,
			       size_t i, size_t n);

typedef struct ctok {
	uint64_t seed;
	ctok_emit_fn emit;      /* one of emit and sink is set */
	ctok_hashes_fn sink;
	void *ctx;
	ctok_fast_fn fast;      /* NULL: scalar only */
	uint64_t pos;           /* document offset of the next byte fed */
	/* the current run of non-separator bytes */
	unsigned char *run;
	size_t run_len, run_cap;
	uint64_t run_start;
	int run_ascii;          /* every byte of the run is ASCII */
	/* scratch for the slow (non-ASCII) path */
	int32_t *cps;
	size_t cps_cap;
	unsigned char *tok;
	size_t tok_len, tok_cap;
	uint64_t tok_start, tok_end;
	int oom;
	/* bytes read as U+FFFD because they are not UTF-8, since init (a
	 * Latin-1 file's accents: the reader's caller says so per file) */
	uint64_t not_utf8;
	size_t nhashes;
	uint64_t hashes[CTOK_HASH_BUF]; /* waiting for sink; last, so that
					   init clears only what precedes */
} ctok;

/* `fast` (NULL: the default, cfast_default()) chooses the word loop (its
 * tok field, within what the CPU has); it is read here only. */
void ctok_init(ctok *t, const cfast *fast, uint64_t seed, ctok_emit_fn emit,
	       void *ctx);
/* The same tokens, delivered as hashes only, in batches. */
void ctok_init_hashes(ctok *t, const cfast *fast, uint64_t seed,
		      ctok_hashes_fn sink, void *ctx);
/* Feed the next piece of the current document. */
int ctok_feed(ctok *t, const char *p, size_t n);
/* End of document: flush the last token and reset offsets. */
int ctok_finish(ctok *t);
void ctok_release(ctok *t);

/* Which word loop ctok_init picks under `fast` (NULL: the default):
 * "avx512bw", "avx2" or "scalar".  Tests compare the loops by passing
 * tokenizers configurations narrowed by contam_fast_limit. */
const char *ctok_simd_name(const cfast *fast);

/* 1 if the token is one CJK ideograph or kana (each is a token of its
 * own), for rules that count such tokens as characters, not words. */
int ctok_token_is_cjk(const ctok_token *t);

/* Hash of one normalized token, as the tokenizer computes it. */
uint64_t ctok_hash(const void *bytes, size_t len, uint64_t seed);
/* The vectorized loop's branch-free hash of 1..16 bytes; for tests, which
 * check it equals ctok_hash. */
uint64_t ctok_hash_short_test(const void *bytes, size_t len, uint64_t seed);

#endif
