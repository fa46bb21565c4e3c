/*
 * probe_item.c -- an example's pieces, tokens and n-grams, the benchmark's
 * template n-grams, and the metrics of a vector of n-gram states (the
 * rules are listed in probe_item.h).
 *
 * Scoring, from the state of each n-gram (hit, miss, template, frequent):
 *   counted     hit or miss; template and frequent n-grams count as
 *               neither;
 *   tokens      the tokens inside at least one counted n-gram (the
 *               denominator of coverage); tokens only in short pieces or
 *               only in excluded n-grams are `unscored`;
 *   run         consecutive hits; its span is its tokens;
 *   covered     tokens inside counted runs: anchored (with tokens of a
 *               piece of >= n tokens) and weighing >= min(min_span, all
 *               scored tokens) words (so a fully copied short example
 *               still counts while a lone false-positive n-gram, n tokens
 *               < min_span, never does), or holding the main piece whole
 *               (>= n + 2 tokens: three hits), or holding any piece of
 *               >= n + 2 tokens whole within n tokens of a counted run;
 *   chance      hits outside every such run;
 *   verdict     coverage >= 0.8 contaminated, >= 0.2 partial, else
 *               clean; too_short when fewer than two n-grams are
 *               counted (one hit is what a false positive makes).
 */
#include "probe_item.h"
#include "probe_metrics.h"
#include "../ngram/ngram.h"
#include "../text/text.h"

#include <stdlib.h>
#include <string.h>

void cprobe_item_release(cprobe_item *it)
{
	free(it->tok_start);
	free(it->tok_end);
	free(it->tok_hash);
	free(it->tok_cjk);
	free(it->mark);
	free(it->piece_first);
	free(it->hash);
	free(it->first);
	free(it->runs);
	memset(it, 0, sizeof(*it));
}

/* The per-token arrays share one capacity, the per-n-gram ones another:
 * each grows from the shared value, which moves when all have grown. */
static int reserve_tokens(cprobe_item *it, size_t need)
{
	size_t c = it->cap_tok;
	if (need <= c)
		return CONTAM_OK;
	void **arr[] = { (void **)&it->tok_start, (void **)&it->tok_end,
			 (void **)&it->tok_hash, (void **)&it->tok_cjk,
			 (void **)&it->mark };
	size_t size[] = { sizeof(uint64_t), sizeof(uint64_t), sizeof(uint64_t), 1, 1 };
	for (size_t i = 0; i < sizeof(size) / sizeof(size[0]); i++) {
		c = it->cap_tok;
		if (cgrow(arr[i], &c, need, size[i]))
			return CONTAM_E_NOMEM;
	}
	it->cap_tok = c;
	return CONTAM_OK;
}

static int reserve_grams(cprobe_item *it, size_t need)
{
	size_t c = it->cap_gram;
	if (need <= c)
		return CONTAM_OK;
	void **arr[] = { (void **)&it->hash, (void **)&it->first, (void **)&it->runs };
	size_t size[] = { sizeof(uint64_t), sizeof(uint32_t), sizeof(cprobe_run) };
	for (size_t i = 0; i < sizeof(size) / sizeof(size[0]); i++) {
		c = it->cap_gram;
		if (cgrow(arr[i], &c, need, size[i]))
			return CONTAM_E_NOMEM;
	}
	it->cap_gram = c;
	return CONTAM_OK;
}

static int add_piece(cprobe_item *it)
{
	if (cgrow((void **)&it->piece_first, &it->cap_piece, it->npieces + 2,
		  sizeof(uint32_t)))
		return CONTAM_E_NOMEM;
	it->piece_first[it->npieces++] = (uint32_t)it->ntok;
	it->piece_first[it->npieces] = (uint32_t)it->ntok;
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* Tokens and pieces                                                   */

typedef struct tok_ctx {
	cprobe_item *it;
	uint64_t base;          /* offset of the piece in the text */
	int oom;
} tok_ctx;

static void take_token(void *ctx, const ctok_token *t)
{
	tok_ctx *c = ctx;
	cprobe_item *it = c->it;
	if (reserve_tokens(it, it->ntok + 1)) {
		c->oom = 1;
		return;
	}
	it->tok_start[it->ntok] = c->base + t->start;
	it->tok_end[it->ntok] = c->base + t->end;
	it->tok_hash[it->ntok] = t->hash;
	it->tok_cjk[it->ntok] = (unsigned char)ctok_token_is_cjk(t);
	it->ntok++;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_roman(char c)
{
	return c == 'i' || c == 'v' || c == 'x' || c == 'I' || c == 'V' ||
	       c == 'X';
}

/*
 * Length of a choice label at s[0..n): optional blanks, then "A." "A)"
 * "A:" "(A)" "[A]" with A one ASCII letter, one or two digits or a roman
 * numeral up to four letters (i..xx), then a blank or the end.  0 when
 * there is none.  "A. Lincoln" loses its "A" too: the rule is stated in
 * the README, and a lost initial cannot make a match, only shorten one.
 */
static size_t label_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	char open = 0;
	if (i < n && (s[i] == '(' || s[i] == '['))
		open = s[i++];
	size_t body = i;
	if (i < n && is_digit(s[i])) {
		i++;
		if (i < n && is_digit(s[i]))
			i++;
	} else if (i < n && is_roman(s[i])) {
		/* i..xx; a run such as "ivx" is not worth telling apart */
		while (i < n && i - body < 4 && is_roman(s[i]))
			i++;
	} else if (i < n && is_alpha(s[i])) {
		i++;
	} else {
		return 0;
	}
	if (i >= n)
		return 0;
	char close = s[i];
	if (open == '(' ? close != ')' : open == '[' ? close != ']'
			: close != '.' && close != ')' && close != ':')
		return 0;
	i++;
	if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
		return 0;
	return i;
}

/* The token a copy's label "A." / "(a)" makes (the tokenizer's hash of
 * the lowercase letter), added at the start of a piece at byte `at`. */
static int add_label_token(cprobe_item *it, char letter, uint64_t at,
			   uint64_t seed)
{
	if (reserve_tokens(it, it->ntok + 1))
		return CONTAM_E_NOMEM;
	it->tok_start[it->ntok] = it->tok_end[it->ntok] = at;
	it->tok_hash[it->ntok] = ctok_hash(&letter, 1, seed);
	it->tok_cjk[it->ntok] = 0;
	it->ntok++;
	it->piece_first[it->npieces] = (uint32_t)it->ntok;
	return CONTAM_OK;
}

/* Tokenize text[a, b) as one piece, or several: a new piece starts at
 * every line that opens with a label.  keep: the label's bytes are
 * tokenized with its piece; else they are skipped.  *labels counts the
 * labels found.  added (a letter, or 0): a label token of its own
 * starts the value (the reading with labels added). */
static int tokenize_value(cprobe_item *it, const char *text, size_t a,
			  size_t b, const cprobe_recipe *r, int keep,
			  size_t *labels, char added)
{
	size_t p = a, l0 = label_len(text + a, b - a);
	*labels += l0 != 0;
	if (!keep)
		p += l0;
	for (;;) {
		/* find the next line start inside [p, b) that opens with a
		 * label: the piece ends there */
		size_t end = b, next = b;
		for (size_t q = p; q < b; q++) {
			if (text[q] != '\n')
				continue;
			size_t l = label_len(text + q + 1, b - q - 1);
			if (l) {
				(*labels)++;
				end = q;
				next = keep ? q + 1 : q + 1 + l;
				break;
			}
		}
		tok_ctx c = { it, p, 0 };
		ctok t;
		if (add_piece(it))
			return CONTAM_E_NOMEM;
		if (added && add_label_token(it, added, p, r->seed))
			return CONTAM_E_NOMEM;
		added = 0;
		ctok_init(&t, r->fast, r->seed, take_token, &c);
		int rc = ctok_feed(&t, text + p, end - p);
		int rc2 = ctok_finish(&t);
		ctok_release(&t);
		if (rc || rc2 || c.oom)
			return CONTAM_E_NOMEM;
		it->piece_first[it->npieces] = (uint32_t)it->ntok;
		if (end == b)
			return CONTAM_OK;
		p = next;
	}
}

/* Which values of an example are options a copy would label: those
 * after its question, the first value that is not an id (a number, or
 * empty: C-Eval's first column), and before a last value that is an
 * answer key (one letter, or one or two digits).  [*from, *to). */
static void option_values(const char *text, size_t len, const size_t *seg_end,
			  size_t nseg, size_t *from, size_t *to)
{
	size_t q = 0, a = 0, b;
	for (;;) {
		b = seg_end[q] < len ? seg_end[q] : len;
		size_t i = a;
		while (i < b && (is_digit(text[i]) || text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i < b || q + 1 >= nseg)
			break; /* not an id: the question */
		q++;
		a = b + 1;
	}
	*from = q + 1;
	*to = nseg;
	a = nseg >= 2 ? seg_end[nseg - 2] + 1 : 0;
	b = seg_end[nseg - 1] < len ? seg_end[nseg - 1] : len;
	while (a < b && (text[a] == ' ' || text[a] == '\t'))
		a++;
	while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
		b--;
	int key = (b - a == 1 && (is_alpha(text[a]) || is_digit(text[a]))) ||
		  (b - a == 2 && is_digit(text[a]) && is_digit(text[a + 1]));
	if (key && nseg - 1 > *from)
		*to = nseg - 1;
}

/* The example's values as pieces, labels kept or dropped; values
 * [add_from, add_to) start with "a", "b", ... (to 'z'): the reading
 * with labels added (add_to 0: none). */
static int tokenize_values(cprobe_item *it, const char *text, size_t len,
			   const size_t *seg_end, size_t nseg,
			   const cprobe_recipe *r, int keep, size_t add_from,
			   size_t add_to, size_t *labels)
{
	if (nseg == 0 || r->join_fields)
		return tokenize_value(it, text, 0, len, r, keep, labels, 0);
	size_t a = 0;
	for (size_t s = 0; s < nseg; s++) {
		size_t b = seg_end[s] < len ? seg_end[s] : len;
		if (a > b)
			a = b;
		char letter = s >= add_from && s < add_to && s - add_from < 26
			      ? (char)('a' + (s - add_from)) : 0;
		if (tokenize_value(it, text, a, b, r, keep, labels, letter))
			return CONTAM_E_NOMEM;
		a = b + 1;
	}
	return CONTAM_OK;
}

/* n-grams of tokens [a, b) as one run of text. */
static int hash_piece(cprobe_item *it, const cfast *fast, size_t a, size_t b,
		      uint32_t n, uint64_t seed)
{
	if (b - a < n)
		return CONTAM_OK;
	size_t g = b - a - n + 1;
	if (reserve_grams(it, it->ngrams + g))
		return CONTAM_E_NOMEM;
	uint64_t *le = malloc((b - a) * sizeof(*le));
	if (!le)
		return CONTAM_E_NOMEM;
	for (size_t i = a; i < b; i++)
		le[i - a] = cngram_le64(it->tok_hash[i]);
	cngram_hash_windows(fast, le, b - a, n, seed, it->hash + it->ngrams);
	free(le);
	for (size_t j = 0; j < g; j++)
		it->first[it->ngrams + j] = (uint32_t)(a + j);
	it->ngrams += g;
	return CONTAM_OK;
}

/* The n-grams of each reading: its tokens in order, as the index holds
 * a document's (none crosses from one reading into the other). */
static int hash_pieces(cprobe_item *it, const cprobe_recipe *r)
{
	it->ngrams = 0;
	if (!it->has_alt)
		return hash_piece(it, r->fast, 0, it->ntok, r->n, r->seed);
	if (hash_piece(it, r->fast, 0, it->alt_tok, r->n, r->seed))
		return CONTAM_E_NOMEM;
	it->alt_gram = it->ngrams;
	return hash_piece(it, r->fast, it->alt_tok, it->ntok, r->n, r->seed);
}

int cprobe_item_build(cprobe_item *it, const char *text, size_t len,
		      const size_t *seg_end, size_t nseg,
		      const cprobe_recipe *r)
{
	size_t labels = 0;
	it->ntok = it->npieces = it->ngrams = 0;
	it->has_alt = it->alt_added = 0;
	if (tokenize_values(it, text, len, seg_end, nseg, r, r->keep_labels,
			    0, 0, &labels))
		return CONTAM_E_NOMEM;
	/* labels dropped: read the example a second time with them kept, so
	 * that a verbatim copy (its "1." "(A)" tokens in the corpus) matches
	 * as well as a relabelled one; none, and fields that may be a
	 * question and its options: read it with labels added, as a copy
	 * that pastes them "A. ...", "(B) ..." has them.  The score keeps
	 * the better reading. */
	size_t from = 0, to = 0;
	if (!labels && nseg >= 3 && !r->join_fields)
		option_values(text, len, seg_end, nseg, &from, &to);
	int added = to >= from + 2; /* two options at least */
	if ((labels || added) && !r->keep_labels && !r->drop_labels) {
		it->has_alt = 1;
		it->alt_added = added;
		it->alt_tok = it->ntok;
		it->alt_piece = it->npieces;
		if (tokenize_values(it, text, len, seg_end, nseg, r, 1, added ? from : 0,
				    added ? to : 0, &labels))
			return CONTAM_E_NOMEM;
	}
	if (it->ntok >= UINT32_MAX)
		return CONTAM_E_LIMIT;
	if (reserve_tokens(it, 1))
		return CONTAM_E_NOMEM;
	return hash_pieces(it, r);
}

/* splitmix64: a tiny, well-mixed generator for the null-control shuffle. */
static uint64_t splitmix64(uint64_t *state)
{
	return cmix64(*state += 0x9E3779B97F4A7C15ULL);
}

int cprobe_item_shuffle(cprobe_item *out, const cprobe_item *in,
			const cprobe_recipe *r, uint64_t seed)
{
	/* the first reading only: the control asks what chance gives, and
	 * one reading is enough to say it */
	size_t ntok = in->has_alt ? in->alt_tok : in->ntok;
	size_t npieces = in->has_alt ? in->alt_piece : in->npieces;
	out->ntok = out->npieces = out->ngrams = 0;
	out->has_alt = 0;
	if (reserve_tokens(out, ntok + 1))
		return CONTAM_E_NOMEM;
	memcpy(out->tok_hash, in->tok_hash, ntok * sizeof(uint64_t));
	memcpy(out->tok_cjk, in->tok_cjk, ntok);
	memcpy(out->tok_start, in->tok_start, ntok * sizeof(uint64_t));
	memcpy(out->tok_end, in->tok_end, ntok * sizeof(uint64_t));
	out->ntok = ntok;
	/* Fisher-Yates over the normalized tokens, so CJK text (one token
	 * per character, no spaces) shuffles as well as English; the modulo
	 * bias (< 2^-40 for benchmark sizes) does not matter for a control */
	uint64_t state = seed;
	for (size_t i = ntok; i > 1; i--) {
		size_t j = (size_t)(splitmix64(&state) % i);
		uint64_t h = out->tok_hash[i - 1];
		unsigned char c = out->tok_cjk[i - 1];
		out->tok_hash[i - 1] = out->tok_hash[j];
		out->tok_cjk[i - 1] = out->tok_cjk[j];
		out->tok_hash[j] = h;
		out->tok_cjk[j] = c;
	}
	for (size_t p = 0; p < npieces; p++) {
		if (add_piece(out))
			return CONTAM_E_NOMEM;
		out->piece_first[p] = in->piece_first[p];
		out->piece_first[p + 1] = in->piece_first[p + 1];
	}
	return hash_pieces(out, r);
}

/* ------------------------------------------------------------------ */
/* Scoring                                                             */

void contam_rules_init(contam_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->template_share = CONTAM_TEMPLATE_SHARE;
	r->template_min = CONTAM_TEMPLATE_MIN;
	r->cjk_chars_per_word = CONTAM_CJK_CHARS_PER_WORD;
}

uint64_t cprobe_item_weight(const cprobe_item *it, size_t a, size_t b,
			    uint32_t cjk_chars_per_word)
{
	uint64_t w = 0;
	for (size_t t = a; t < b; t++)
		w += it->tok_cjk[t] ? 1 : cjk_chars_per_word;
	return w;
}

/* One reading of an item (probe_item.h): its tokens [t0, t1), n-grams
 * [g0, g1) and pieces [p0, p1). */
typedef struct reading {
	size_t t0, t1, g0, g1, p0, p1;
} reading;

/* Whether the run of tokens [a, b) has tokens of a piece of >= n tokens
 * (its anchor: a run inside short options has none), and which whole
 * pieces of >= n + 2 tokens (three n-grams, all hits: chance p^3) it
 * holds: the main piece, or any. */
static void anchor_of(const cprobe_run *u, const cprobe_item *it,
		      const reading *v, size_t n, size_t main_piece,
		      int *anchored, int *whole_main, int *whole_any)
{
	for (size_t p = v->p0; p < v->p1; p++) {
		size_t pa = it->piece_first[p], pb = it->piece_first[p + 1];
		if (pb <= u->a)
			continue;
		if (pa >= u->b)
			break;
		if (pb - pa >= n)
			*anchored = 1;
		if (pa >= u->a && pb <= u->b && pb - pa >= n + 1) {
			*whole_any = 1;
			if (p == main_piece)
				*whole_main = 1;
		}
	}
}

/* The example's first piece of n tokens: its question or passage in
 * every layout seen (fields come in record order, the question before
 * the options; an id or a number before it is shorter), or npieces. */
static size_t main_piece_of(const cprobe_item *it, const reading *v, size_t n)
{
	for (size_t p = v->p0; p < v->p1; p++)
		if (it->piece_first[p + 1] - it->piece_first[p] >= n)
			return p;
	return v->p1;
}

/* Whether some piece of the item holds n tokens: if none does, no run
 * can have an anchor, and any run may count (a short item, scored as the
 * whole it is). */
static int has_long_piece(const cprobe_item *it, const reading *v, size_t n)
{
	for (size_t p = v->p0; p < v->p1; p++)
		if (it->piece_first[p + 1] - it->piece_first[p] >= n)
			return 1;
	return 0;
}

enum {
	MARK_SCORED = 1,
	MARK_COVERED = 2,       /* inside a run >= min_span words */
	MARK_COVERED10 = 4      /* inside a run >= 10 words (Llama 2) */
};

/* Score one reading of the item: its tokens, n-grams and pieces. */
static void score_reading(contam_example *ex, cprobe_item *it,
			  const unsigned char *state, const cprobe_rule *r,
			  size_t split, const reading *v)
{
	const size_t n = r->n;
	const uint32_t c = r->cjk_chars_per_word ? r->cjk_chars_per_word : 1;
	uint64_t counted = 0, hits = 0, longest = 0, longest_w = 0;
	uint64_t chance = 0, tmpl = 0, freq = 0, whole_fields = 0;
	int gpt3 = 0;

	memset(it->mark + v->t0, 0, v->t1 - v->t0);
	for (size_t g = v->g0; g < v->g1; g++) {
		if (state[g] == CPROBE_TEMPLATE) {
			tmpl++;
			continue;
		}
		if (state[g] == CPROBE_FREQUENT) {
			freq++;
			continue;
		}
		counted++;
		for (size_t t = it->first[g]; t < it->first[g] + n; t++)
			it->mark[t] |= MARK_SCORED;
	}
	uint64_t T = 0, W = 0;
	for (size_t t = v->t0; t < v->t1; t++) {
		if (it->mark[t] & MARK_SCORED) {
			T++;
			W += it->tok_cjk[t] ? 1 : c;
		}
	}
	const int long_piece = has_long_piece(it, v, n);
	const size_t main_piece = main_piece_of(it, v, n);
	uint64_t need = (uint64_t)r->min_span * c, need10 = 10ull * c,
		 need13 = 13ull * c;
	if (need > W)
		need = W;
	if (need10 > W)
		need10 = W;
	if (need13 > W)
		need13 = W;
	/* the runs of hits, with their anchors */
	size_t nrun = 0;
	for (size_t g = v->g0; g < v->g1;) {
		if (state[g] != CPROBE_HIT) {
			g++;
			continue;
		}
		size_t h = g + 1;
		while (h < v->g1 && state[h] == CPROBE_HIT &&
		       it->first[h] == it->first[h - 1] + 1)
			h++;
		cprobe_run *u = &it->runs[nrun++];
		memset(u, 0, sizeof(*u));
		u->a = it->first[g];
		u->b = it->first[h - 1] + n;
		u->hits = h - g;
		u->w = cprobe_item_weight(it, u->a, u->b, c);
		u->anchored = !long_piece;
		anchor_of(u, it, v, n, main_piece, &u->anchored, &u->whole_main,
			  &u->whole_any);
		g = h;
	}
	/* a run that goes on after a gap of fewer than n tokens from an
	 * anchored one (an edited word) is the same copy: anchored too */
	for (size_t i = 1; i < nrun; i++)
		if (it->runs[i - 1].anchored && it->runs[i].a < it->runs[i - 1].b + n)
			it->runs[i].anchored = 1;
	for (size_t i = nrun; i-- > 1;)
		if (it->runs[i].anchored && it->runs[i].a < it->runs[i - 1].b + n)
			it->runs[i - 1].anchored = 1;
	/* an anchored run counts by its length, or by holding the main
	 * piece whole (an 8-token question, a 13-character Japanese one,
	 * copied whole while the copy's own labels cut its options off) */
	for (size_t i = 0; i < nrun; i++) {
		cprobe_run *u = &it->runs[i];
		u->counted = u->anchored && (u->w >= need || u->whole_main);
	}
	/* and a whole field carried on within n tokens of a counted run (an
	 * option of the copied question, cut off by the copy's label) is
	 * part of the same copy; on its own a whole option never counts */
	for (size_t i = 1; i < nrun; i++) {
		cprobe_run *u = &it->runs[i];
		if (!u->counted && u->anchored && u->whole_any &&
		    it->runs[i - 1].counted && u->a < it->runs[i - 1].b + n)
			u->counted = 1;
	}
	for (size_t i = nrun; i-- > 1;) {
		cprobe_run *u = &it->runs[i - 1];
		if (!u->counted && u->anchored && u->whole_any &&
		    it->runs[i].counted && it->runs[i].a < u->b + n)
			u->counted = 1;
	}
	for (size_t i = 0; i < nrun; i++) {
		const cprobe_run *u = &it->runs[i];
		hits += u->hits;
		if (u->b - u->a > longest)
			longest = u->b - u->a;
		if (u->w > longest_w)
			longest_w = u->w;
		/* GPT-3's 13 words and Llama 2's 10 are spans as they define
		 * them (anchored, as every span here): no whole-field rule */
		unsigned char m = (u->counted ? MARK_COVERED : 0) |
				  (u->anchored && u->w >= need10 ? MARK_COVERED10 : 0);
		if (u->anchored && u->w >= need13)
			gpt3 = 1;
		whole_fields += u->counted && u->w < need;
		if (!u->counted)
			chance += u->hits;
		for (size_t t = u->a; m && t < u->b; t++)
			it->mark[t] |= m;
	}
	uint64_t cov = 0, cov10 = 0, qt = 0, qc = 0, at = 0, ac = 0;
	for (size_t t = v->t0; t < v->t1; t++) {
		unsigned char m = it->mark[t];
		if (!(m & MARK_SCORED))
			continue;
		cov += (m & MARK_COVERED) != 0;
		cov10 += (m & MARK_COVERED10) != 0;
		if (t < split) {
			qt++;
			qc += (m & MARK_COVERED) != 0;
		} else {
			at++;
			ac += (m & MARK_COVERED) != 0;
		}
	}
	/* nothing counted (too_short): the tokens there are, so the report
	 * says how short the example is */
	ex->tokens = (uint32_t)(counted ? T : v->t1 - v->t0);
	ex->unscored_tokens = (uint32_t)(counted ? v->t1 - v->t0 - T : 0);
	ex->ngrams = (uint32_t)counted;
	ex->template_ngrams = (uint32_t)tmpl;
	ex->frequent_ngrams = (uint32_t)freq;
	ex->hits = (uint32_t)hits;
	ex->chance_hits = (uint32_t)chance;
	ex->whole_fields = (uint32_t)whole_fields;
	ex->longest = (uint32_t)longest;
	ex->longest_words = c ? (double)longest_w / c : 0;
	ex->covered = (uint32_t)cov;
	ex->covered10 = (uint32_t)cov10;
	if (ex->has_qa) {
		ex->q_tokens = (uint32_t)qt;
		ex->q_covered = (uint32_t)qc;
		ex->a_tokens = (uint32_t)at;
		ex->a_covered = (uint32_t)ac;
	}
	/* GPT-3: one matched span of >= 13 words (all of a shorter one),
	 * anchored as the coverage's spans are */
	ex->gpt3 = (uint8_t)gpt3;
	/* PaLM: >= 70% of the example's 8-grams; only an 8-gram index
	 * has them (the report says "available": false otherwise) */
	ex->palm = n == 8 && counted > 0 && (double)hits >= 0.7 * (double)counted;
	ex->overlap = counted ? (double)hits / (double)counted : 0;
	ex->coverage = T ? (double)cov / (double)T : 0;
	/* one counted n-gram (an example of n tokens, or of n CJK
	 * characters: "马克思主义哲学是" is 2.7 words) is what a false
	 * positive or a common phrase makes: too short to tell, as the
	 * whole-piece rule needs two hits */
	if (counted == 1) {
		ex->covered = 0;
		ex->coverage = 0;
		ex->q_covered = ex->a_covered = 0;
	}
	if (counted < 2)
		ex->verdict = CONTAM_TOO_SHORT;
	else if (ex->coverage >= 0.8)
		ex->verdict = CONTAM_CONTAMINATED;
	else if (ex->coverage >= 0.2)
		ex->verdict = CONTAM_PARTIAL;
	else
		ex->verdict = CONTAM_CLEAN;
}

/* Whether reading a scored better than reading b: more coverage, then
 * the published definitions' evidence (GPT-3's span, PaLM's 70%).  Not
 * more hits alone: a false positive in the second reading's own n-grams
 * would choose it for nothing. */
static int better(const contam_example *a, const contam_example *b)
{
	if (a->verdict == CONTAM_TOO_SHORT)
		return 0;
	if (b->verdict == CONTAM_TOO_SHORT)
		return 1;
	if (a->coverage != b->coverage)
		return a->coverage > b->coverage;
	double a10 = a->tokens ? (double)a->covered10 / a->tokens : 0;
	double b10 = b->tokens ? (double)b->covered10 / b->tokens : 0;
	if (a10 != b10)
		return a10 > b10;
	if (a->gpt3 != b->gpt3)
		return a->gpt3 > b->gpt3;
	return a->palm > b->palm;
}

int cprobe_item_reading(const cprobe_item *it, int alt, size_t *g0, size_t *g1)
{
	if (alt && it->has_alt) {
		*g0 = it->alt_gram;
		*g1 = it->ngrams;
		return 1;
	}
	*g0 = 0;
	*g1 = it->has_alt ? it->alt_gram : it->ngrams;
	return 0;
}

void cprobe_item_score(contam_example *ex, cprobe_item *it,
		       const unsigned char *state, const cprobe_rule *r,
		       size_t split)
{
	reading first = { 0, it->ntok, 0, it->ngrams, 0, it->npieces };
	ex->labels_kept = ex->labels_added = 0;
	if (!it->has_alt) {
		score_reading(ex, it, state, r, split, &first);
		return;
	}
	first.t1 = it->alt_tok;
	first.g1 = it->alt_gram;
	first.p1 = it->alt_piece;
	reading second = { it->alt_tok, it->ntok, it->alt_gram, it->ngrams,
			   it->alt_piece, it->npieces };
	/* the question ends where its last token does in both readings: a
	 * label between question and answer belongs to the answer */
	size_t split2 = it->alt_tok;
	if (split < first.t1) {
		uint64_t end = split ? it->tok_end[split - 1] : 0;
		while (split && split2 < it->ntok && it->tok_start[split2] < end)
			split2++;
	} else {
		split2 = it->ntok;
	}
	contam_example kept = *ex;
	score_reading(ex, it, state, r, split, &first);
	score_reading(&kept, it, state, r, split2, &second);
	if (better(&kept, ex)) {
		*ex = kept;
		if (it->alt_added)
			ex->labels_added = 1;
		else
			ex->labels_kept = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Templates                                                           */

typedef struct pair64 {
	uint64_t key;
	uint64_t ex;
} pair64;

static int cmp_pair(const void *a, const void *b)
{
	const pair64 *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->ex < y->ex ? -1 : x->ex > y->ex;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int cprobe_templates(cprobe_item *const *items, size_t nitems, uint32_t n,
		     double share, uint32_t min_count, uint64_t **out, size_t *nout)
{
	pair64 *pieces = NULL, *grams = NULL;
	size_t npieces = 0, ngrams = 0, cap = 0;
	unsigned char *first_seen = NULL;
	int rc = CONTAM_E_NOMEM;

	*out = NULL;
	*nout = 0;
	if (share <= 0 || nitems == 0)
		return CONTAM_OK;
	/* each piece by its content (the hash of its token hashes), so that
	 * a passage shared by many questions counts once; only pieces of at
	 * least 2n tokens: a short value repeated in every example (BBH's
	 * instruction, C-Eval's 下列各句中没有语病的一句是) is the prompt
	 * itself (bench/results/2026-12-02-flags-templates.md) */
	for (size_t i = 0; i < nitems; i++)
		npieces += items[i]->npieces;
	pieces = malloc((npieces ? npieces : 1) * sizeof(*pieces));
	first_seen = calloc(npieces ? npieces : 1, 1);
	if (!pieces || !first_seen)
		goto out;
	size_t k = 0;
	for (size_t i = 0; i < nitems; i++) {
		const cprobe_item *it = items[i];
		for (size_t p = 0; p < it->npieces; p++) {
			size_t a = it->piece_first[p], b = it->piece_first[p + 1];
			uint64_t h = 0x9E3779B97F4A7C15ULL * (b - a + 1);
			for (size_t t = a; t < b; t++)
				h = (h ^ it->tok_hash[t]) * 0xBF58476D1CE4E5B9ULL +
				    (h >> 29);
			/* the low bit marks a short piece: never deduplicated */
			pieces[k].key = (h & ~1ull) | (b - a < 2 * (size_t)n);
			pieces[k].ex = k; /* global piece number */
			k++;
		}
	}
	qsort(pieces, npieces, sizeof(*pieces), cmp_pair);
	for (size_t j = 0; j < npieces; j++)
		if (j == 0 || pieces[j].key != pieces[j - 1].key ||
		    pieces[j].key & 1)
			first_seen[pieces[j].ex] = 1;
	/* (n-gram, example) pairs of first-seen pieces */
	size_t base = 0;
	for (size_t i = 0; i < nitems; i++) {
		const cprobe_item *it = items[i];
		size_t p = 0;
		for (size_t g = 0; g < it->ngrams; g++) {
			while (p + 1 < it->npieces && it->first[g] >= it->piece_first[p + 1])
				p++;
			/* an n-gram inside a repeated long value counts once */
			if (!first_seen[base + p] &&
			    it->first[g] + n <= it->piece_first[p + 1])
				continue;
			if (ngrams == cap) {
				size_t c2 = cap ? cap * 2 : 4096;
				pair64 *q = realloc(grams, c2 * sizeof(*q));
				if (!q)
					goto out;
				grams = q;
				cap = c2;
			}
			grams[ngrams++] = (pair64){ it->hash[g], i };
		}
		base += it->npieces;
	}
	if (ngrams)
		qsort(grams, ngrams, sizeof(*grams), cmp_pair);
	double limit = share * (double)nitems;
	size_t nt = 0;
	for (size_t j = 0; j < ngrams;) {
		size_t e = j, distinct = 0;
		while (e < ngrams && grams[e].key == grams[j].key) {
			distinct += e == j || grams[e].ex != grams[e - 1].ex;
			e++;
		}
		if ((double)distinct > limit && distinct >= min_count)
			grams[nt++].key = grams[j].key;
		j = e;
	}
	if (nt) {
		uint64_t *set = malloc(nt * sizeof(*set));
		if (!set)
			goto out;
		for (size_t j = 0; j < nt; j++)
			set[j] = grams[j].key;
		qsort(set, nt, sizeof(*set), cmp_u64);
		*out = set;
		*nout = nt;
	}
	rc = CONTAM_OK;
out:
	free(pieces);
	free(first_seen);
	free(grams);
	return rc;
}

int cprobe_is_template(const uint64_t *set, size_t n, uint64_t hash)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set[mid] < hash)
			lo = mid + 1;
		else if (set[mid] > hash)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

void cprobe_score_split(contam_example *ex, const unsigned char *hit, size_t G,
			size_t T, uint32_t n, uint32_t min_span, size_t split)
{
	cprobe_item it;
	cprobe_rule r = { n, min_span, 1 };
	memset(&it, 0, sizeof(it));
	if (reserve_tokens(&it, T + 1) || reserve_grams(&it, G + 1)) {
		memset(ex, 0, sizeof(*ex));
		ex->verdict = CONTAM_TOO_SHORT;
		cprobe_item_release(&it);
		return;
	}
	memset(it.tok_cjk, 0, T + 1);
	it.ntok = T;
	it.ngrams = T < n ? 0 : G;
	for (size_t g = 0; g < it.ngrams; g++)
		it.first[g] = (uint32_t)g;
	cprobe_item_score(ex, &it, hit, &r, split);
	cprobe_item_release(&it);
}

void cprobe_score(contam_example *ex, const unsigned char *hit, size_t G,
		  size_t T, uint32_t n, uint32_t min_span)
{
	cprobe_score_split(ex, hit, G, T, n, min_span, 0);
}
