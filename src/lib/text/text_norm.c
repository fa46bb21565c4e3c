/*
 * text_norm.c -- the tokenizer: bytes in, normalized token hashes out.
 *
 * How it works.  Bytes are split into runs at ASCII separators (any ASCII
 * byte that is not a letter or digit).  A run made only of ASCII letters
 * and digits -- nearly every word of English text -- is lowercased and
 * hashed directly: on ASCII the full recipe (NFKC + case folding) is
 * exactly lowercasing, so the fast path costs no Unicode work at all.
 *
 * A run holding any byte >= 0x80 takes the slow path: it is decoded with
 * UTF-8 repair (each invalid byte becomes U+FFFD), cut into clusters (a
 * starter and the combining marks after it), and each cluster is NFKC
 * normalized and case folded with utf8proc.  Normalizing per cluster keeps
 * a byte offset for every token (exact provenance for the scan), and
 * clusters are the unit NFKC composes within, so the result is the same
 * as normalizing the whole run.  Each resulting code point is a letter or
 * number (kept), a CJK ideograph or kana (a token by itself), or anything
 * else (a separator: punctuation, spaces such as U+00A0, quotes, U+FFFD).
 *
 * Because runs are cut only at separators, at character boundaries every
 * CTOK_RUN_MAX bytes, or at document end, feeding a document in pieces of
 * any size gives the same tokens.
 */
#include "text.h"

#include <stdlib.h>
#include <utf8proc.h>
#include <xxhash.h>

/* 0: ASCII separator, 1: ASCII letter/digit, 2: byte >= 0x80 */
static unsigned char byte_class(unsigned char c)
{
	if (c >= 0x80)
		return 2;
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return 0;
}

uint64_t ctok_hash(const void *bytes, size_t len, uint64_t seed)
{
	return XXH3_64bits_withSeed(bytes, len, seed);
}

void ctok_init(ctok *t, uint64_t seed, ctok_emit_fn emit, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->seed = seed;
	t->emit = emit;
	t->ctx = ctx;
	t->run_ascii = 1;
}

void ctok_release(ctok *t)
{
	free(t->run);
	free(t->cps);
	free(t->tok);
	memset(t, 0, sizeof(*t));
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static void emit_token(ctok *t, const unsigned char *bytes, size_t len,
		       uint64_t start, uint64_t end)
{
	ctok_token tk = {
		.hash = ctok_hash(bytes, len, t->seed),
		.start = start,
		.end = end,
		.bytes = (const char *)bytes,
		.len = len,
	};
	t->emit(t->ctx, &tk);
}

/* --- slow path ---------------------------------------------------- */

static int is_cjk_char(int32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
	       (cp >= 0x31F0 && cp <= 0x31FF) ||   /* katakana ext. */
	       (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
	       (cp >= 0x3021 && cp <= 0x3029) ||   /* hangzhou numerals */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* ext. A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* unified ideographs */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility */
	       (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* halfwidth kana */
	       (cp >= 0x1B000 && cp <= 0x1B16F) || /* kana supplement */
	       (cp >= 0x20000 && cp <= 0x3FFFF);   /* ext. B and later */
}

static int is_word_char(int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

static void tok_flush(ctok *t)
{
	if (t->tok_len) {
		emit_token(t, t->tok, t->tok_len, t->tok_start, t->tok_end);
		t->tok_len = 0;
	}
}

static void tok_add(ctok *t, int32_t cp, uint64_t start, uint64_t end)
{
	unsigned char enc[4];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
	if (grow((void **)&t->tok, &t->tok_cap, t->tok_len + (size_t)n, 1)) {
		t->oom = 1;
		return;
	}
	if (t->tok_len == 0)
		t->tok_start = start;
	memcpy(t->tok + t->tok_len, enc, (size_t)n);
	t->tok_len += (size_t)n;
	t->tok_end = end;
}

/* Classify the normalized code points of one cluster spanning document
 * bytes [start, end). */
static void classify(ctok *t, const int32_t *cps, size_t n, uint64_t start,
		     uint64_t end)
{
	for (size_t i = 0; i < n; i++) {
		int32_t cp = cps[i];
		if (!is_word_char(cp)) {
			tok_flush(t);
		} else if (is_cjk_char(cp)) {
			tok_flush(t);
			unsigned char enc[4];
			utf8proc_ssize_t l = utf8proc_encode_char(cp, enc);
			emit_token(t, enc, (size_t)l, start, end);
		} else {
			tok_add(t, cp, start, end);
		}
	}
}

/* Canonical ordering of combining marks (stable sort by class). */
static void canonical_order(int32_t *cps, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int32_t cp = cps[i];
		int cc = utf8proc_get_property(cp)->combining_class;
		if (cc == 0)
			continue;
		size_t j = i;
		while (j > 0) {
			int pc = utf8proc_get_property(cps[j - 1])->combining_class;
			if (pc <= cc)
				break;
			cps[j] = cps[j - 1];
			j--;
		}
		cps[j] = cp;
	}
}

/* NFKC + case fold one cluster of code points in[0..n) and classify. */
static void normalize_cluster(ctok *t, const int32_t *in, size_t n,
			      uint64_t start, uint64_t end)
{
	const utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
				     UTF8PROC_CASEFOLD;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		for (;;) {
			int boundclass = 0;
			size_t room = t->cps_cap - used;
			utf8proc_ssize_t r = 0;
			if (room >= 1)
				r = utf8proc_decompose_char(in[i], t->cps + used,
					(utf8proc_ssize_t)room, opt, &boundclass);
			if (r < 0) { /* cannot happen on valid code points */
				t->cps[used] = 0xFFFD;
				r = 1;
			}
			if (room >= 1 && (size_t)r <= room) {
				used += (size_t)r;
				break;
			}
			if (grow((void **)&t->cps, &t->cps_cap,
				 used + (size_t)(r > 16 ? r : 16), sizeof(int32_t))) {
				t->oom = 1;
				return;
			}
		}
	}
	canonical_order(t->cps, used);
	utf8proc_ssize_t m = utf8proc_normalize_utf32(t->cps,
		(utf8proc_ssize_t)used, UTF8PROC_COMPOSE);
	if (m < 0)
		m = 0;
	classify(t, t->cps, (size_t)m, start, end);
}

#define CLUSTER_MAX 64

/* Decode a run with UTF-8 repair and normalize it cluster by cluster.
 * Clusters longer than CLUSTER_MAX marks are cut (hostile input only). */
static void slow_run(ctok *t)
{
	const unsigned char *p = t->run;
	size_t n = t->run_len, i = 0;
	int32_t cl[CLUSTER_MAX];
	size_t ncl = 0;
	uint64_t cl_start = 0, cl_end = 0;
	while (i < n) {
		int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (l <= 0) {
			cp = 0xFFFD;
			l = 1;
		}
		int starter = utf8proc_get_property(cp)->combining_class == 0;
		if (ncl && (starter || ncl == CLUSTER_MAX)) {
			normalize_cluster(t, cl, ncl, cl_start, cl_end);
			ncl = 0;
		}
		if (ncl == 0)
			cl_start = t->run_start + i;
		cl[ncl++] = cp;
		i += (size_t)l;
		cl_end = t->run_start + i;
	}
	if (ncl)
		normalize_cluster(t, cl, ncl, cl_start, cl_end);
	tok_flush(t);
}

/* --- runs --------------------------------------------------------- */

static void end_run(ctok *t)
{
	if (t->run_len == 0)
		return;
	if (t->run_ascii) {
		for (size_t i = 0; i < t->run_len; i++)
			t->run[i] |= (unsigned char)((t->run[i] >= 'A' &&
						     t->run[i] <= 'Z') << 5);
		emit_token(t, t->run, t->run_len, t->run_start,
			   t->run_start + t->run_len);
	} else {
		slow_run(t);
	}
	t->run_len = 0;
	t->run_ascii = 1;
}

int ctok_feed(ctok *t, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	if (t->oom)
		return CONTAM_E_NOMEM;
	while (i < n) {
		/* skip separators */
		while (i < n && byte_class(p[i]) == 0)
			i++;
		if (i > 0 && t->run_len && byte_class(p[i - 1]) == 0)
			end_run(t);
		if (i == n)
			break;
		/* the run: copy up to the next separator */
		size_t j = i;
		int ascii = 1;
		while (j < n) {
			unsigned char c = p[j];
			unsigned char cls = byte_class(c);
			if (cls == 0)
				break;
			ascii &= (cls == 1);
			/* cut an over-long run at a character boundary */
			if (t->run_len + (j - i) >= CTOK_RUN_MAX &&
			    (c & 0xC0) != 0x80)
				break;
			j++;
		}
		size_t len = j - i;
		if (len) {
			if (grow((void **)&t->run, &t->run_cap,
				 t->run_len + len, 1))
				return t->oom = 1, CONTAM_E_NOMEM;
			if (t->run_len == 0)
				t->run_start = t->pos + i;
			memcpy(t->run + t->run_len, p + i, len);
			t->run_len += len;
			t->run_ascii &= ascii;
		}
		i = j;
		if (i < n) /* at a separator or a cut: the run is complete */
			end_run(t);
	}
	t->pos += n;
	return t->oom ? CONTAM_E_NOMEM : CONTAM_OK;
}

int ctok_finish(ctok *t)
{
	end_run(t);
	t->pos = 0;
	int rc = t->oom ? CONTAM_E_NOMEM : CONTAM_OK;
	t->oom = 0;
	return rc;
}

const char *contam_recipe(void)
{
#define CONTAM_STR2(x) #x
#define CONTAM_STR(x) CONTAM_STR2(x)
	return CONTAM_RECIPE_NAME "/v" CONTAM_STR(CONTAM_RECIPE_VERSION);
}
