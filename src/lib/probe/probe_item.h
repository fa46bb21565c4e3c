/*
 * probe_item.h -- one benchmark example as the probe and the exact scan
 * both score it (issue 13): its tokens, with choice labels dropped; its
 * n-grams, which never bridge two fields; the benchmark's template
 * n-grams; and the metrics of one vector of n-gram states.
 *
 * The rules, in the order they apply (README "Scoring rules"):
 *   fields    each selected value is tokenized on its own and n-grams
 *             never cross from one value into the next, so an option
 *             list is never one run of text;
 *   labels    a choice label or enumerator ("A.", "(b)", "1)", "[C]",
 *             "iv.") at the start of a value, or of a line inside one,
 *             is not a token of the match; a labelled line starts a new
 *             piece, as a new field would;
 *   spans     a run of hits may continue from one piece into the next
 *             only where the last n-gram of the one and the first of the
 *             next are both hits: the copy goes on across the field
 *             boundary (a 9-token answer after a copied question), while
 *             no n-gram ever holds tokens of two fields;
 *   short     a piece with fewer than n tokens has no n-gram of its own
 *             and ends any run; when no piece of an example reaches n
 *             tokens, the example is scored as its joined tokens
 *             (`joined` in the report), so a short multiple-choice item
 *             is still scored, as a whole;
 *   template  an n-gram in more than a share of the examples of one
 *             benchmark file (each distinct field value counted once) is
 *             the benchmark's own scaffolding and counts neither as a
 *             hit nor as a miss;
 *   CJK       a span's length is counted in words, where
 *             `cjk_chars_per_word` CJK characters make one word, so a
 *             ten-character set phrase is not a ten-word match.
 */
#ifndef CONTAM_PROBE_ITEM_H
#define CONTAM_PROBE_ITEM_H

#include "contam.h"
#include "../common/common.h"

typedef struct cprobe_recipe {
	uint32_t n;
	uint64_t seed;
	int join_fields;        /* one piece: the old joined text */
	int keep_labels;        /* labels stay tokens */
} cprobe_recipe;

typedef struct cprobe_item {
	size_t ntok;            /* tokens kept */
	uint64_t *tok_start, *tok_end; /* their bytes in the example's text */
	uint64_t *tok_hash;
	unsigned char *tok_cjk; /* 1: a CJK ideograph or kana */
	unsigned char *mark;    /* scratch of cprobe_item_score, per token */
	uint32_t *piece_first;  /* first token of piece p; npieces + 1 */
	size_t npieces;
	size_t ngrams;
	uint64_t *hash;         /* per n-gram */
	uint32_t *first;        /* per n-gram: its first token */
	int joined;             /* scored as joined tokens (no piece >= n) */
	size_t cap_tok, cap_gram, cap_piece;
} cprobe_item;

/* Tokenize text (values ending at seg_end[0..nseg), see bench.h; nseg 0:
 * one value) and hash its n-grams by the rules above.  Reuses the item's
 * memory. */
int cprobe_item_build(cprobe_item *it, const char *text, size_t len,
		      const size_t *seg_end, size_t nseg,
		      const cprobe_recipe *r);
/* The same pieces with the tokens shuffled across them (the null
 * control): `out` gets the shuffled token hashes and their n-grams;
 * byte offsets are not meaningful in it. */
int cprobe_item_shuffle(cprobe_item *out, const cprobe_item *in,
			const cprobe_recipe *r, uint64_t seed);
void cprobe_item_release(cprobe_item *it);

/* States of an n-gram for scoring. */
enum {
	CPROBE_MISS = 0,
	CPROBE_HIT = 1,
	CPROBE_TEMPLATE = 2,    /* the benchmark's own scaffolding */
	CPROBE_FREQUENT = 3     /* in more than --max-doc-freq documents */
};

typedef struct cprobe_rule {
	uint32_t n;
	uint32_t min_span;      /* in words */
	uint32_t cjk_chars_per_word; /* >= 1 */
} cprobe_rule;

/* Fill the metrics, verdict and counts of `ex` from state[0..ngrams).
 * With ex->has_qa set, tokens before `split` are the question. */
void cprobe_item_score(contam_example *ex, cprobe_item *it,
		       const unsigned char *state, const cprobe_rule *r,
		       size_t split);

/* Whether n-grams g and g + 1 of an item continue one run when both
 * are hits: next in one piece, or last and first of two adjacent
 * pieces. */
static inline int cprobe_item_adjacent(const cprobe_item *it, size_t g,
				       uint32_t n)
{
	return it->first[g + 1] == it->first[g] + 1 ||
	       it->first[g + 1] == it->first[g] + n;
}

/* Weight of tokens [a, b) in CJK-character units (a word is
 * cjk_chars_per_word units). */
uint64_t cprobe_item_weight(const cprobe_item *it, size_t a, size_t b,
			    uint32_t cjk_chars_per_word);

/* The template n-grams of one benchmark file: those found in more than
 * share * nitems of its examples and in at least min_count of them,
 * where a field value of >= 2n tokens that occurs in several examples
 * (a shared reading passage) counts once.  *out: sorted, malloc'd. */
int cprobe_templates(cprobe_item *const *items, size_t nitems, uint32_t n,
		     double share, uint32_t min_count, uint64_t **out, size_t *nout);
int cprobe_is_template(const uint64_t *set, size_t n, uint64_t hash);

#endif
