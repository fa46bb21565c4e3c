/*
 * test_probe_item.c -- the scoring rules (probe_item.h, docs/SCORING.md) on
 * cases worked out by hand: choice labels, pieces, anchors, whole fields,
 * CJK word weights, templates and the token shuffle of the null control.
 */
#include "probe/probe_item.h"
#include "text/text.h"
#include "testutil.h"

#include <stdlib.h>

static const cprobe_recipe R3 = { .n = 3, .seed = 42 };

static size_t build(cprobe_item *it, const char *text, const size_t *ends,
		    size_t nseg, const cprobe_recipe *r)
{
	CHECK(cprobe_item_build(it, text, strlen(text), ends, nseg, r) == 0);
	return it->has_alt ? it->alt_tok : it->ntok;
}

/* Pieces of the first reading. */
static size_t first_pieces(const cprobe_item *it)
{
	return it->has_alt ? it->alt_piece : it->npieces;
}

/* The token at index i, as its bytes in `text`. */
static int token_is(const cprobe_item *it, const char *text, size_t i,
		    const char *want)
{
	size_t n = (size_t)(it->tok_end[i] - it->tok_start[i]);
	return n == strlen(want) && !memcmp(text + it->tok_start[i], want, n);
}

static void test_labels(void)
{
	cprobe_item it;
	memset(&it, 0, sizeof(it));
	static const struct { const char *text; size_t tokens; const char *first; } cases[] = {
		{ "A. the cat sat", 3, "the" },
		{ "(b) foo", 1, "foo" },
		{ "1) x y", 2, "x" },
		{ "[C] z", 1, "z" },
		{ "iv. four", 1, "four" },
		{ "I. one", 1, "one" },
		{ "  B: yes", 1, "yes" },
		{ "Apple pie", 2, "Apple" },   /* no closer: a word */
		{ "Is it", 2, "Is" },
		{ "U.S. law", 3, "U" },         /* "U." is followed by S */
		{ "2020. year", 2, "2020" },    /* three digits or more: a number */
		{ "A.", 0, NULL },              /* a label alone */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = build(&it, cases[i].text, NULL, 0, &R3);
		CHECK_EQ_U64(n, cases[i].tokens);
		if (cases[i].first && n)
			CHECK(token_is(&it, cases[i].text, 0, cases[i].first));
	}
	/* a labelled line inside a value starts a piece of its own */
	const char *bbh = "Options:\n(A) red car\n(B) blue car";
	CHECK_EQ_U64(build(&it, bbh, NULL, 0, &R3), 5);
	CHECK_EQ_U64(first_pieces(&it), 3);
	CHECK_EQ_U64(it.piece_first[1], 1);
	CHECK_EQ_U64(it.piece_first[2], 3);
	CHECK(token_is(&it, bbh, 1, "red") && token_is(&it, bbh, 3, "blue"));
	/* the second reading: the same pieces, the labels as tokens */
	CHECK(it.has_alt);
	CHECK_EQ_U64(it.ntok - it.alt_tok, 7);
	CHECK_EQ_U64(it.npieces - it.alt_piece, 3);
	CHECK(token_is(&it, bbh, it.alt_tok + 1, "A") &&
	      token_is(&it, bbh, it.alt_tok + 2, "red"));
	/* n-grams of each reading, none across them: 5 - 2 + 7 - 2 */
	CHECK_EQ_U64(it.alt_gram, 3);
	CHECK_EQ_U64(it.ngrams, 3 + 5);
	/* --keep-labels: that reading only */
	cprobe_recipe keep = R3;
	keep.keep_labels = 1;
	CHECK_EQ_U64(build(&it, bbh, NULL, 0, &keep), 7);
	CHECK(!it.has_alt);
	CHECK_EQ_U64(it.npieces, 3);
	/* --drop-labels: the first only */
	cprobe_recipe drop = R3;
	drop.drop_labels = 1;
	CHECK_EQ_U64(build(&it, bbh, NULL, 0, &drop), 5);
	CHECK(!it.has_alt);
	/* no label: one reading */
	CHECK_EQ_U64(build(&it, "no labels here", NULL, 0, &R3), 3);
	CHECK(!it.has_alt);
	/* values are pieces; n-grams run over all tokens in order */
	const char *two = "q one two\nopt";
	size_t ends[2] = { 9, 13 };
	CHECK_EQ_U64(build(&it, two, ends, 2, &R3), 4);
	CHECK_EQ_U64(it.npieces, 2);
	CHECK_EQ_U64(it.piece_first[1], 3);
	CHECK_EQ_U64(it.ngrams, 2);
	cprobe_item_release(&it);
}

/* An item of `pieces` pieces of the given token counts, no CJK, with
 * n-grams over all tokens (first[g] = g). */
static void make_item(cprobe_item *it, const size_t *len, size_t pieces, uint32_t n)
{
	char text[4096] = "";
	size_t ends[32], used = 0, w = 0;
	for (size_t p = 0; p < pieces; p++) {
		for (size_t k = 0; k < len[p]; k++)
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 "%sw%zu", k ? " " : "", w++);
		ends[p] = used;
		if (p + 1 < pieces)
			text[used++] = '\n';
	}
	text[used] = '\0';
	/* one reading: these pieces would be read with labels added too
	 * (test_labels_added) */
	cprobe_recipe r = { .n = n, .seed = 7, .drop_labels = 1 };
	CHECK(cprobe_item_build(it, text, used, ends, pieces, &r) == 0);
}

static contam_example score(cprobe_item *it, const char *hits, uint32_t n,
			    uint32_t min_span, uint32_t cjk)
{
	contam_example ex;
	unsigned char state[256];
	cprobe_rule rule = { n, min_span, cjk };
	memset(&ex, 0, sizeof(ex));
	CHECK_EQ_U64(strlen(hits), it->ngrams);
	for (size_t g = 0; g < it->ngrams; g++)
		state[g] = hits[g] == '1' ? CPROBE_HIT : hits[g] == 't' ?
			   CPROBE_TEMPLATE : CPROBE_MISS;
	cprobe_item_score(&ex, it, state, &rule, 0);
	return ex;
}

static void test_anchor(void)
{
	cprobe_item it;
	memset(&it, 0, sizeof(it));
	/* a 6-token question and two 2-token options; n = 3: n-grams 0..7.
	 * Hits only inside the options (n-grams 6, 7: tokens 6..9) touch no
	 * field of 3 tokens: no anchor, nothing covered, 2 chance hits. */
	size_t mc[3] = { 6, 2, 2 };
	make_item(&it, mc, 3, 3);
	CHECK_EQ_U64(it.ngrams, 8);
	contam_example e = score(&it, "00000011", 3, 3, 1);
	CHECK(e.covered == 0 && e.verdict == CONTAM_CLEAN);
	CHECK_EQ_U64(e.chance_hits, 2);
	CHECK(!e.gpt3);
	/* the same hits carried on from the question: anchored, all covered */
	e = score(&it, "00011111", 3, 3, 1);
	CHECK_EQ_U64(e.covered, 7);
	/* the copy edited at token 5 (n-grams 3..5 miss): the run after the
	 * edit lies in the options only, but goes on within n tokens of the
	 * anchored run before it, so it is the same copy */
	e = score(&it, "11100011", 3, 3, 1);
	CHECK_EQ_U64(e.covered, 9);
	CHECK(e.verdict == CONTAM_CONTAMINATED);
	/* an example with no field of n tokens needs no anchor */
	size_t sh[4] = { 2, 2, 2, 2 };
	make_item(&it, sh, 4, 3);
	e = score(&it, "111111", 3, 10, 1);
	CHECK(e.coverage == 1.0 && e.verdict == CONTAM_CONTAMINATED);
	/* the main piece whole counts whatever min_span once it has n + 2
	 * tokens (three hits): a 5-token question copied whole, its 10-token
	 * passage not; n = 3 */
	size_t wq[2] = { 5, 10 };
	make_item(&it, wq, 2, 3);
	e = score(&it, "1110000000000", 3, 8, 1);
	CHECK_EQ_U64(e.covered, 5);
	CHECK_EQ_U64(e.whole_fields, 1);
	CHECK(e.verdict == CONTAM_PARTIAL);
	/* a main piece of n tokens is one n-gram: one false positive could
	 * make it, so it does not count */
	size_t w3[2] = { 3, 10 };
	make_item(&it, w3, 2, 3);
	e = score(&it, "10000000000", 3, 5, 1);
	CHECK_EQ_U64(e.covered, 0);
	/* an option copied whole right after the counted question (the
	 * copy's label between them) is the same copy; alone it is not */
	size_t qo[2] = { 6, 5 };
	make_item(&it, qo, 2, 3);
	e = score(&it, "111100111", 3, 10, 1);
	CHECK_EQ_U64(e.covered, 11);
	e = score(&it, "000000111", 3, 10, 1);
	CHECK_EQ_U64(e.covered, 0);
	make_item(&it, wq, 2, 3);
	/* the main piece (the first of n tokens) whole counts; another piece
	 * whole alone does not: CJK, 3 characters a word */
	cprobe_item cj;
	memset(&cj, 0, sizeof(cj));
	const char *q = "洋風の居間のことを何と呼ぶ\nマサチューセッツ工科大学";
	size_t qe[2] = { 39, 76 };
	cprobe_recipe r8 = { .n = 8, .seed = 7 };
	CHECK(cprobe_item_build(&cj, q, strlen(q), qe, 2, &r8) == 0);
	CHECK_EQ_U64(cj.npieces, 2);
	CHECK_EQ_U64(cj.piece_first[1], 13);
	CHECK_EQ_U64(cj.ntok, 25);
	unsigned char qs[32] = { 0 };
	cprobe_rule r8w = { 8, 10, 3 };
	contam_example f;
	for (int g = 0; g < 6; g++)
		qs[g] = CPROBE_HIT; /* the question, tokens 0..12 */
	memset(&f, 0, sizeof(f));
	cprobe_item_score(&f, &cj, qs, &r8w, 0);
	CHECK(f.covered == 13 && f.whole_fields == 1 && f.verdict == CONTAM_PARTIAL);
	CHECK(!f.gpt3 && f.covered10 == 0); /* no whole fields for GPT-3, Llama 2 */
	memset(qs, 0, sizeof(qs));
	for (int g = 13; g < 18; g++)
		qs[g] = CPROBE_HIT; /* the option, tokens 13..24 */
	memset(&f, 0, sizeof(f));
	cprobe_item_score(&f, &cj, qs, &r8w, 0);
	CHECK(f.covered == 0 && f.verdict == CONTAM_CLEAN);
	cprobe_item_release(&cj);
	/* the same hit inside the long field is a lone n-gram: not covered */
	e = score(&it, "0000001000000", 3, 5, 1);
	CHECK_EQ_U64(e.covered, 0);
	/* template n-grams count neither way: tokens only in them are not
	 * scored, and they break runs */
	size_t one[1] = { 10 };
	make_item(&it, one, 1, 3);
	e = score(&it, "tt111111", 3, 5, 1);
	CHECK_EQ_U64(e.template_ngrams, 2);
	CHECK_EQ_U64(e.ngrams, 6);
	CHECK_EQ_U64(e.tokens, 8);
	CHECK_EQ_U64(e.unscored_tokens, 2);
	CHECK(e.coverage == 1.0);
	e = score(&it, "tttttttt", 3, 5, 1);
	CHECK(e.verdict == CONTAM_TOO_SHORT);
	cprobe_item_release(&it);
}

static void test_cjk_words(void)
{
	cprobe_item it;
	memset(&it, 0, sizeof(it));
	/* a 10-character set phrase at the start of a 42-character item */
	const char *text = "中国人民政治协商会议今天在北京开幕了来自全国各地的委员们"
			   "讨论了经济发展和社会保障问题";
	cprobe_recipe r = { .n = 8, .seed = 7 };
	CHECK(cprobe_item_build(&it, text, strlen(text), NULL, 0, &r) == 0);
	CHECK_EQ_U64(it.ntok, 42);
	for (size_t t = 0; t < it.ntok; t++)
		CHECK(it.tok_cjk[t]);
	unsigned char st[64] = { 0 };
	for (int g = 0; g < 3; g++)
		st[g] = CPROBE_HIT; /* tokens 0..9 */
	contam_example e;
	cprobe_rule three = { 8, 10, 3 }, one = { 8, 10, 1 };
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, &it, st, &three, 0);
	CHECK(e.covered == 0 && e.verdict == CONTAM_CLEAN);
	CHECK(e.longest_words > 3.3 && e.longest_words < 3.4);
	/* counted as words, the phrase would flag the item */
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, &it, st, &one, 0);
	CHECK(e.covered == 10 && e.verdict == CONTAM_PARTIAL);
	/* thirty characters (ten words) are a span */
	for (int g = 0; g < 23; g++)
		st[g] = CPROBE_HIT;
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, &it, st, &three, 0);
	CHECK_EQ_U64(e.covered, 30);
	/* a short CJK item copied whole still counts: its weight is the need */
	const char *shortp = "马萨诸塞州理工学院";
	CHECK(cprobe_item_build(&it, shortp, strlen(shortp), NULL, 0, &r) == 0);
	CHECK_EQ_U64(it.ntok, 9);
	st[0] = st[1] = CPROBE_HIT;
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, &it, st, &three, 0);
	CHECK(e.verdict == CONTAM_CONTAMINATED);
	cprobe_item_release(&it);
}

static void test_templates(void)
{
	enum { N = 40 };
	cprobe_item items[N];
	cprobe_item *v[N];
	char text[512];
	cprobe_recipe r = { .n = 3, .seed = 7 };
	/* every example: the same prompt, then its own words; examples 0..9
	 * also share a long passage (a reading text for several questions),
	 * examples 10..19 a short value */
	for (int i = 0; i < N; i++) {
		size_t ends[3];
		int k = snprintf(text, sizeof(text), "for which of these does the "
				 "main character do something wrong unique%d word%d "
				 "thing%d", i, i, i);
		ends[0] = (size_t)k;
		size_t nseg = 1;
		if (i < 10) {
			k += snprintf(text + k, sizeof(text) - (size_t)k, "\nthe passage "
				      "about rivers and mountains and the sea that many "
				      "questions share today");
			ends[nseg++] = (size_t)k;
		} else if (i < 20) {
			k += snprintf(text + k, sizeof(text) - (size_t)k, "\nshort "
				      "prompt here");
			ends[nseg++] = (size_t)k;
		}
		memset(&items[i], 0, sizeof(items[i]));
		v[i] = &items[i];
		CHECK(cprobe_item_build(&items[i], text, (size_t)k, ends, nseg, &r) == 0);
	}
	uint64_t *set = NULL;
	size_t nset = 0;
	CHECK(cprobe_templates(v, N, 3, 0.05, 5, &set, &nset) == 0);
	/* the prompt's 3-grams (10 tokens: 8 of them) are template */
	const cprobe_item *it = &items[30];
	size_t prompt = 0;
	for (size_t g = 0; g < 8; g++)
		prompt += cprobe_is_template(set, nset, it->hash[g]);
	CHECK_EQ_U64(prompt, 8);
	/* the example's own words are not */
	CHECK(!cprobe_is_template(set, nset, it->hash[it->ngrams - 1]));
	/* the shared passage (>= 2n tokens, in 10 examples = 25%) counts
	 * once: not template */
	const cprobe_item *pa = &items[3];
	CHECK(!cprobe_is_template(set, nset, pa->hash[pa->ngrams - 1]));
	/* the short shared value is (10 examples): the prompt itself */
	const cprobe_item *sv = &items[12];
	CHECK(cprobe_is_template(set, nset, sv->hash[sv->ngrams - 1]));
	free(set);
	/* too few examples for min_count: nothing */
	CHECK(cprobe_templates(v, 4, 3, 0.05, 5, &set, &nset) == 0);
	CHECK_EQ_U64(nset, 0);
	free(set);
	/* share 0: the rule is off */
	CHECK(cprobe_templates(v, N, 3, 0, 5, &set, &nset) == 0 && nset == 0);
	for (int i = 0; i < N; i++)
		cprobe_item_release(&items[i]);
}

/* A numbered list copied with its numbers: only the reading that keeps
 * them matches (its lines are shorter than n, so the other has no n-gram
 * inside a line); one that drops them: only the first.  The score takes
 * the better reading and says which. */
/* The score of an item whose copy matches one reading whole (second:
 * its second reading, else its first) and nothing of the other. */
static contam_example score_copy_of(cprobe_item *it, int second, const cprobe_rule *rule)
{
	unsigned char st[64];
	contam_example e;
	CHECK(it->ngrams <= sizeof st);
	for (size_t g = 0; g < it->ngrams && g < sizeof st; g++)
		st[g] = (g >= it->alt_gram) == second ? CPROBE_HIT : CPROBE_MISS;
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, it, st, rule, 0);
	return e;
}

static void test_two_readings(void)
{
	cprobe_item it;
	memset(&it, 0, sizeof(it));
	const char *list = "name the largest cities here\n1. tokyo japan\n"
			   "2. delhi india\n3. shanghai china";
	cprobe_recipe r = { .n = 8, .seed = 7 };
	CHECK(cprobe_item_build(&it, list, strlen(list), NULL, 0, &r) == 0);
	CHECK(it.has_alt);
	CHECK_EQ_U64(it.alt_tok, 11);
	CHECK_EQ_U64(it.ntok - it.alt_tok, 14);
	unsigned char st[64];
	cprobe_rule rule = { 8, 10, 3 };
	contam_example e;
	for (int copy_keeps = 0; copy_keeps < 2; copy_keeps++) {
		e = score_copy_of(&it, copy_keeps, &rule);
		CHECK(e.verdict == CONTAM_CONTAMINATED);
		CHECK_EQ_U64(e.labels_kept, copy_keeps);
		CHECK_EQ_U64(e.tokens, copy_keeps ? 14 : 11);
		size_t g0, g1;
		CHECK_EQ_U64(cprobe_item_reading(&it, e.labels_kept, &g0, &g1), copy_keeps);
		CHECK_EQ_U64(g1 - g0, copy_keeps ? 7 : 4);
	}
	/* neither matches: the first reading's clean score */
	memset(st, CPROBE_MISS, sizeof(st));
	memset(&e, 0, sizeof(e));
	cprobe_item_score(&e, &it, st, &rule, 0);
	CHECK(e.verdict == CONTAM_CLEAN && !e.labels_kept);
	CHECK_EQ_U64(e.tokens, 11);
	/* the question/answer split maps onto the second reading: the
	 * question is the first 5 tokens in both */
	for (size_t g = 0; g < it.ngrams; g++)
		st[g] = g >= it.alt_gram ? CPROBE_HIT : CPROBE_MISS;
	memset(&e, 0, sizeof(e));
	e.has_qa = 1;
	cprobe_item_score(&e, &it, st, &rule, 5);
	CHECK(e.labels_kept);
	CHECK_EQ_U64(e.q_tokens, 5);
	CHECK_EQ_U64(e.a_tokens, 9);
	/* the null control shuffles the first reading only */
	cprobe_item sh;
	memset(&sh, 0, sizeof(sh));
	CHECK(cprobe_item_shuffle(&sh, &it, &r, 99) == 0);
	CHECK(!sh.has_alt);
	CHECK_EQ_U64(sh.ntok, 11);
	CHECK_EQ_U64(sh.ngrams, 4);
	cprobe_item_release(&sh);
	cprobe_item_release(&it);
}

/* Fields without labels, a question and its options: read a second
 * time with "a", "b", ... before the options, as a copy that pastes
 * "A. ..." has them; an id first and an answer key last are left out. */
static void test_labels_added(void)
{
	cprobe_item it, one;
	memset(&it, 0, sizeof(it));
	memset(&one, 0, sizeof(one));
	const char *q = "which of these is the largest city\ntokyo\ndelhi\nshanghai";
	size_t ends[4] = { 34, 40, 46, 55 };
	cprobe_recipe r = { .n = 3, .seed = 7 };
	CHECK(cprobe_item_build(&it, q, strlen(q), ends, 4, &r) == 0);
	CHECK(it.has_alt && it.alt_added);
	CHECK_EQ_U64(it.alt_tok, 10);
	CHECK_EQ_U64(it.ntok - it.alt_tok, 13);
	/* the added token is the tokenizer's "A" */
	CHECK(cprobe_item_build(&one, "A", 1, NULL, 0, &r) == 0);
	CHECK_EQ_U64(it.tok_hash[it.alt_tok + 7], one.tok_hash[0]);
	CHECK_EQ_U64(it.tok_hash[it.alt_tok + 9], ctok_hash("b", 1, 7));
	CHECK_EQ_U64(it.tok_hash[it.alt_tok + 8], it.tok_hash[7]); /* tokyo */
	cprobe_rule rule = { 3, 10, 3 };
	for (int copy_labels = 0; copy_labels < 2; copy_labels++) {
		contam_example e = score_copy_of(&it, copy_labels, &rule);
		CHECK(e.verdict == CONTAM_CONTAMINATED);
		CHECK_EQ_U64(e.labels_added, copy_labels);
		CHECK(!e.labels_kept);
		CHECK_EQ_U64(e.tokens, copy_labels ? 13 : 10);
	}
	/* an id first and an answer key last: labels on the options only */
	const char *c = "16\nwhich of these is the largest city\ntokyo\ndelhi\nA";
	size_t ce[5] = { 2, 37, 43, 49, 51 };
	CHECK(cprobe_item_build(&it, c, strlen(c), ce, 5, &r) == 0);
	CHECK(it.has_alt && it.alt_added);
	CHECK_EQ_U64(it.ntok - it.alt_tok, (it.alt_tok) + 2);
	CHECK_EQ_U64(it.tok_hash[it.alt_tok + 8], one.tok_hash[0]); /* before tokyo */
	CHECK_EQ_U64(it.tok_hash[it.ntok - 1], one.tok_hash[0]);   /* the key, unlabelled */
	/* one option, or a question and its answer: no second reading */
	size_t e2[2] = { 34, 40 };
	CHECK(cprobe_item_build(&it, q, 40, e2, 2, &r) == 0);
	CHECK(!it.has_alt);
	/* --drop-labels, --keep-labels and joined fields: one reading */
	cprobe_recipe d = { .n = 3, .seed = 7, .drop_labels = 1 };
	CHECK(cprobe_item_build(&it, q, strlen(q), ends, 4, &d) == 0);
	CHECK(!it.has_alt);
	cprobe_recipe k = { .n = 3, .seed = 7, .keep_labels = 1 };
	CHECK(cprobe_item_build(&it, q, strlen(q), ends, 4, &k) == 0);
	CHECK(!it.has_alt);
	cprobe_recipe j = { .n = 3, .seed = 7, .join_fields = 1 };
	CHECK(cprobe_item_build(&it, q, strlen(q), ends, 4, &j) == 0);
	CHECK(!it.has_alt);
	cprobe_item_release(&it);
	cprobe_item_release(&one);
}

static void test_shuffle(void)
{
	cprobe_item it, a, b;
	memset(&it, 0, sizeof(it));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cprobe_recipe r = { .n = 3, .seed = 7 };
	/* CJK text has no spaces: the old whitespace shuffle left it as is */
	const char *text = "中国人民政治协商会议今天在北京开幕";
	CHECK(cprobe_item_build(&it, text, strlen(text), NULL, 0, &r) == 0);
	CHECK(cprobe_item_shuffle(&a, &it, &r, 99) == 0);
	CHECK(cprobe_item_shuffle(&b, &it, &r, 99) == 0);
	CHECK_EQ_U64(a.ntok, it.ntok);
	CHECK_EQ_U64(a.ngrams, it.ngrams);
	size_t moved = 0;
	uint64_t sum_in = 0, sum_out = 0;
	for (size_t t = 0; t < it.ntok; t++) {
		moved += a.tok_hash[t] != it.tok_hash[t];
		sum_in += it.tok_hash[t];
		sum_out += a.tok_hash[t];
		CHECK(a.tok_hash[t] == b.tok_hash[t]); /* same seed, same order */
	}
	CHECK(moved >= it.ntok / 2);
	CHECK(sum_in == sum_out); /* the same tokens */
	CHECK(memcmp(a.hash, b.hash, a.ngrams * sizeof(uint64_t)) == 0);
	cprobe_item_release(&it);
	cprobe_item_release(&a);
	cprobe_item_release(&b);
}

int main(void)
{
	test_labels();
	test_anchor();
	test_cjk_words();
	test_templates();
	test_shuffle();
	test_two_readings();
	test_labels_added();
	return tu_finish("probe_item");
}
