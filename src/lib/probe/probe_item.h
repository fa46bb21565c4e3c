/*
 * probe_item.h -- one benchmark example as the probe and the exact scan
 * both score it: its pieces (fields, labelled lines) and
 * tokens, with choice labels dropped; its n-grams, over the tokens in
 * order; the benchmark's template n-grams; and the metrics of one vector
 * of n-gram states, where a run of hits counts only when anchored in a
 * field of n tokens.
 *
 * The rules, in the order they apply (README "Scoring rules"):
 *   labels    a choice label or enumerator ("A.", "(b)", "1)", "[C]",
 *             "iv.") at the start of a value, or of a line inside one,
 *             starts a piece of its own, as a field does; the example
 *             is read twice, its labels dropped (a copy that relabels
 *             or drops them) and kept as tokens (a verbatim copy), and
 *             scored by the reading that matched better; an example of
 *             three or more fields without labels is read a second time
 *             with "a", "b", ... added before its fields after the first
 *             (its options, pasted as "A. ..." by the copy);
 *   anchor    a run of matched n-grams counts toward coverage only when
 *             it has tokens of a piece (a field, a labelled line) of at
 *             least n tokens: a run inside short options alone ("the
 *             right to life\nthe right to liberty") never counts, so an
 *             option list is never a match by itself.  An anchored
 *             run covers all its tokens, those it carries on into the
 *             next fields too (a copy written the way the benchmark joins
 *             its fields), and so does a run that goes on within n tokens
 *             of an anchored one (after an edited word).  An example none
 *             of whose pieces has n tokens needs no anchor (it is scored
 *             as the short whole it is);
 *   spans     an anchored run counts when it weighs min_span words, or
 *             min(min_span, the example) for a short example, or when it
 *             holds the main piece (the first of n tokens: the question)
 *             whole and that piece has n + 2 tokens (three hits, so a
 *             false positive cannot do it), or when it holds any piece of
 *             n + 2 tokens whole within n tokens of a counted run (an
 *             option of the copied question, its label cutting the run).
 *             GPT-3's 13 words and Llama 2's 10 take no whole pieces;
 *   template  an n-gram in more than a share of the examples of one
 *             benchmark file (a field value of 2n tokens repeated across
 *             examples counted once) is the benchmark's own scaffolding
 *             and counts neither as a hit nor as a miss;
 *   CJK       a span's length is counted in words, where
 *             `cjk_chars_per_word` CJK characters make one word, so a
 *             ten-character set phrase is not a ten-word match.
 * N-grams are those of each reading's tokens in order, as the index
 * holds those of a document: the denominator of coverage is every token
 * of the example, short fields included.
 */
#ifndef CONTAM_PROBE_ITEM_H
#define CONTAM_PROBE_ITEM_H

#include "contam.h"
#include "../common/common.h"

typedef struct cprobe_recipe {
	uint32_t n;
	uint64_t seed;
	int join_fields;        /* one piece: any run may anchor itself */
	int keep_labels;        /* labels stay tokens (one reading) */
	int drop_labels;        /* labels dropped (one reading) */
	const cfast *fast;      /* tokenizer and windows loops; NULL: default */
} cprobe_recipe;

/* The recipe of the scoring rules `rules` for n-grams of n tokens. */
static inline cprobe_recipe cprobe_recipe_of(const contam_rules *rules,
					     uint32_t n, uint64_t seed,
					     const cfast *fast)
{
	return (cprobe_recipe){ .n = n, .seed = seed,
				.join_fields = rules->join_fields,
				.keep_labels = rules->keep_labels,
				.drop_labels = rules->drop_labels, .fast = fast };
}

/* A run of consecutive hits: tokens [a, b) (scratch of scoring). */
typedef struct cprobe_run {
	size_t a, b, hits;
	uint64_t w;             /* weight of its tokens */
	int anchored, whole_main, whole_any, counted;
} cprobe_run;

typedef struct cprobe_item {
	size_t ntok;            /* tokens kept */
	uint64_t *tok_start, *tok_end; /* their bytes in the example's text */
	uint64_t *tok_hash;
	unsigned char *tok_cjk; /* 1: a CJK ideograph or kana */
	unsigned char *mark;    /* scratch of cprobe_item_score, per token */
	uint32_t *piece_first;  /* first token of piece p; npieces + 1 */
	size_t npieces;
	size_t ngrams;
	/* A second reading, when labels were dropped from the first:
	 * the example again with its labels as tokens, in tokens
	 * [alt_tok, ntok), pieces [alt_piece, npieces) and n-grams
	 * [alt_gram, ngrams); the first is everything before them.  A copy
	 * that keeps the benchmark's "1." or "(A)" has those tokens in the
	 * corpus, one that relabels or drops them has not: the score keeps
	 * the reading that matched better (labels_kept in the example). */
	int has_alt;
	size_t alt_tok, alt_piece, alt_gram;
	/* the second reading adds labels instead (the example has none and
	 * three or more fields): "a", "b", ... as a token before each field
	 * after the first, where a copy that pastes its options as "A. ..."
	 * has them (labels_added in the example) */
	int alt_added;
	uint64_t *hash;         /* per n-gram */
	uint32_t *first;        /* per n-gram: its first token */
	cprobe_run *runs;       /* scratch of cprobe_item_score */
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

/* The n-grams [*g0, *g1) of the first reading (alt 0) or of the second
 * (alt 1: labels kept or added; the first when there is none); returns
 * whether the second was given.  The evidence of a score is in the
 * reading it took (cprobe_took_alt). */
int cprobe_item_reading(const cprobe_item *it, int alt, size_t *g0, size_t *g1);
/* Whether a scored example took its item's second reading. */
static inline int cprobe_took_alt(const contam_example *ex)
{
	return ex->labels_kept || ex->labels_added;
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
