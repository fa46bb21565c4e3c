/*
 * minhash.c -- one-permutation MinHash with optimal densification, LSH
 * band keys, the corpus windows and the item shingle sets (minhash.h).
 *
 * A document's shingles are mixed once (x = cmix64(h ^ seed)) into a ring
 * of the last max(windows) values; a window's signature is the per-bin
 * minimum over its slice of the ring, so the cost per shingle is
 * stride_div bin updates per window size, whatever the window sizes.
 */
#include "minhash.h"
#include "ngram.h"
#include "../text/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

void cmh_params_default(cmh_params *p, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	/* measured on planted near-duplicates (bench/minhash.py,
	 * bench/results/2026-12-02-minhash.md): a shuffled copy's own
	 * boundary shingles keep its Jaccard with its window near 0.3-0.6,
	 * so r = 2 with b = 16 (threshold 0.25, about containment 0.5); the
	 * window sizes 24 and 72 find as much as 24/48/96/192 did */
	p->shingle = 5;
	p->bands = 16;
	p->rows = 2;
	p->nwindows = 2;
	p->windows[0] = 24;
	p->windows[1] = 72;
	p->stride_div = 2;
	p->seed = seed;
}

int cmh_params_check(const cmh_params *p, char *why, size_t whylen)
{
	char tmp[8];
	if (!why || whylen == 0) {
		why = tmp;
		whylen = sizeof(tmp);
	}
	why[0] = '\0';
	if (p->shingle < 1 || p->shingle > CONTAM_MAX_NGRAM) {
		snprintf(why, whylen, "minhash shingle must be 1 to %d tokens, not %u",
			 CONTAM_MAX_NGRAM, p->shingle);
		return CONTAM_E_PARAM;
	}
	if (p->bands < 1 || p->rows < 1) {
		snprintf(why, whylen, "minhash bands and rows must be at least 1, not %u and %u",
			 p->bands, p->rows);
		return CONTAM_E_PARAM;
	}
	if ((uint64_t)p->bands * p->rows > CMH_MAX_BINS) {
		snprintf(why, whylen, "minhash bands * rows must be at most %d, not %llu",
			 CMH_MAX_BINS, (unsigned long long)p->bands * p->rows);
		return CONTAM_E_PARAM;
	}
	if (p->nwindows < 1 || p->nwindows > CMH_MAX_WINDOWS) {
		snprintf(why, whylen, "minhash needs 1 to %d window sizes, not %u",
			 CMH_MAX_WINDOWS, p->nwindows);
		return CONTAM_E_PARAM;
	}
	for (uint32_t i = 0; i < p->nwindows; i++) {
		uint32_t w = p->windows[i];
		if (w < 1 || w > CMH_MAX_WINDOW) {
			snprintf(why, whylen, "minhash window sizes must be 1 to %u shingles, not %u",
				 CMH_MAX_WINDOW, w);
			return CONTAM_E_PARAM;
		}
		if (i > 0 && w <= p->windows[i - 1]) {
			snprintf(why, whylen, "minhash window sizes must be ascending and distinct (%u after %u)",
				 w, p->windows[i - 1]);
			return CONTAM_E_PARAM;
		}
	}
	for (uint32_t i = p->nwindows; i < CMH_MAX_WINDOWS; i++)
		if (p->windows[i] != 0) {
			snprintf(why, whylen, "minhash window slots past the %u used must be 0",
				 p->nwindows);
			return CONTAM_E_PARAM;
		}
	if (p->stride_div < 1 || p->stride_div > CMH_MAX_WINDOW) {
		snprintf(why, whylen, "minhash stride divisor must be 1 to %u, not %u",
			 CMH_MAX_WINDOW, p->stride_div);
		return CONTAM_E_PARAM;
	}
	return CONTAM_OK;
}

int cmh_params_differ(const cmh_params *a, const cmh_params *b)
{
	if (a->shingle != b->shingle || a->bands != b->bands || a->rows != b->rows ||
	    a->nwindows != b->nwindows || a->stride_div != b->stride_div ||
	    a->seed != b->seed)
		return 1;
	for (uint32_t i = 0; i < a->nwindows && i < CMH_MAX_WINDOWS; i++)
		if (a->windows[i] != b->windows[i])
			return 1;
	return 0;
}

uint32_t cmh_stride(const cmh_params *p, uint32_t w)
{
	uint32_t s = p->stride_div ? w / p->stride_div : w;
	return s ? s : 1;
}

double cmh_threshold(uint32_t b, uint32_t r)
{
	if (b == 0 || r == 0)
		return 1.0;
	return pow(1.0 / (double)b, 1.0 / (double)r);
}

double cmh_match_prob(uint32_t b, uint32_t r, double j)
{
	if (j <= 0)
		return 0;
	if (j >= 1)
		return 1;
	return 1.0 - pow(1.0 - pow(j, (double)r), (double)b);
}

void cmh_jaccard_range(uint32_t b, uint32_t r, uint32_t c, double *lo, double *hi)
{
	double qlo = 0, qhi = 1;
	if (b > 0 && c <= b) {
		const double z = 1.959963984540054, n = b, q = (double)c / n;
		double den = 1 + z * z / n;
		double mid = (q + z * z / (2 * n)) / den;
		double half = z * sqrt(q * (1 - q) / n + z * z / (4 * n * n)) / den;
		qlo = mid - half;
		qhi = mid + half;
		if (qlo < 0 || c == 0)
			qlo = 0;
		if (qhi > 1 || c == b)
			qhi = 1;
	}
	double rr = r ? (double)r : 1;
	if (lo)
		*lo = qlo > 0 ? pow(qlo, 1.0 / rr) : 0;
	if (hi)
		*hi = qhi < 1 ? pow(qhi, 1.0 / rr) : 1;
}

uint64_t cmh_shingle_hash(const cmh_params *p, const uint64_t *le_toks)
{
	return cngram_hash_bytes(le_toks, (size_t)p->shingle * 8, p->seed ^ CMH_SEED_SALT);
}

static inline uint32_t bin_of(uint64_t x, uint32_t k)
{
	__extension__ typedef unsigned __int128 u128;
	return (uint32_t)(((u128)x * k) >> 64);
}

/* Empty bins are marked by EMPTY: a shingle whose mixed value is all
 * ones (probability 2^-64) counts as no shingle, in every path alike. */
#define EMPTY UINT64_MAX
/* Densification candidates kept per bin by a cmh_doc (more are computed). */
#define DENSE_TAB 32

/* Candidate `attempt` (1, 2, ...) for empty bin i. */
static inline uint32_t dense_bin(uint64_t seed, uint32_t k, uint32_t i, uint64_t attempt)
{
	return bin_of(cmix64(seed ^ ((uint64_t)i << 32 | attempt)), k);
}

/* Fill the empty bins of sig from bins a shingle filled: for empty bin
 * i, attempt 1, 2, ... picks bin j = bin of cmix64(seed ^ (i << 32 |
 * attempt)) until j holds a shingle's value (optimal densification,
 * Shrivastava 2017).  At least one bin is filled (the callers check), so
 * this ends; K / filled attempts are expected per empty bin.  tab (NULL:
 * none) holds the first DENSE_TAB candidates of each bin. */
static void densify(const cmh_params *p, uint32_t k, uint64_t *sig, const uint16_t *tab)
{
	uint64_t filled[CMH_MAX_BINS / 64] = { 0 };
	for (uint32_t i = 0; i < k; i++)
		filled[i >> 6] |= (uint64_t)(sig[i] != EMPTY) << (i & 63);
#define FILLED(j) (filled[(j) >> 6] >> ((j) & 63) & 1)
	/* the empty bins, by their bits (few branches: the first of four
	 * candidates at once, ~98% found there for a window of W = K) */
	for (uint32_t wd = 0; wd * 64 < k; wd++) {
		uint64_t empty = ~filled[wd];
		if (k - wd * 64 < 64)
			empty &= (1ULL << (k - wd * 64)) - 1;
		while (empty) {
			uint32_t i = wd * 64 + (uint32_t)__builtin_ctzll(empty);
			empty &= empty - 1;
			uint64_t attempt = 1;
			if (tab) {
				const uint16_t *c = tab + (size_t)i * DENSE_TAB;
				uint32_t m = 0;
				for (; attempt + 3 <= DENSE_TAB; attempt += 4, c += 4) {
					m = (uint32_t)(FILLED(c[0]) | FILLED(c[1]) << 1 |
						       FILLED(c[2]) << 2 | FILLED(c[3]) << 3);
					if (m)
						break;
				}
				if (m) {
					sig[i] = sig[c[__builtin_ctz(m)]];
					continue;
				}
			}
			for (;; attempt++) {
				uint32_t j = dense_bin(p->seed, k, i, attempt);
				if (FILLED(j)) {
					sig[i] = sig[j];
					break;
				}
			}
		}
	}
#undef FILLED
}

/* The per-bin minima of n mixed values with their bins (branch-free). */
static inline void sig_min(const uint64_t *xs, const uint16_t *bins, size_t n, uint64_t *sig)
{
	for (size_t t = 0; t < n; t++) {
		uint64_t x = xs[t], *v = &sig[bins[t]];
		*v = x < *v ? x : *v;
	}
}

static inline int sig_any(const uint64_t *sig, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++)
		if (sig[i] != EMPTY)
			return 1;
	return 0;
}

int cmh_signature(const cmh_params *p, const uint64_t *sh, size_t n, uint64_t *sig)
{
	if (n == 0)
		return 0;
	const uint32_t k = p->bands * p->rows;
	uint64_t buf[256];
	uint16_t bins[256];
	for (uint32_t i = 0; i < k; i++)
		sig[i] = EMPTY;
	/* in chunks, so no allocation */
	for (size_t at = 0; at < n; at += 256) {
		size_t c = n - at < 256 ? n - at : 256;
		for (size_t t = 0; t < c; t++) {
			buf[t] = cmix64(sh[at + t] ^ p->seed);
			bins[t] = (uint16_t)bin_of(buf[t], k);
		}
		sig_min(buf, bins, c, sig);
	}
	if (!sig_any(sig, k))
		return 0;  /* every value was EMPTY: as no shingle */
	densify(p, k, sig, NULL);
	return 1;
}

void cmh_band_keys(const cmh_params *p, const uint64_t *sig, uint64_t *keys)
{
	const uint32_t r = p->rows;
	uint64_t le[CMH_MAX_BINS];
	for (uint32_t i = 0; i < p->bands; i++) {
		for (uint32_t t = 0; t < r; t++)
			le[t] = cngram_le64(sig[(size_t)i * r + t]);
		keys[i] = XXH3_64bits_withSeed(le, (size_t)r * 8, p->seed + i + 1);
	}
}

double cmh_windows_per_shingle(const cmh_params *p)
{
	double s = 0;
	for (uint32_t i = 0; i < p->nwindows && i < CMH_MAX_WINDOWS; i++)
		s += 1.0 / (double)cmh_stride(p, p->windows[i]);
	return s;
}

/* ---- the corpus side ---- */

#define KEYS_BUF 1024
#define TOK_BATCH 512

struct cmh_doc {
	cmh_params p;
	cfast fast;                 /* the windows loop */
	uint32_t k;                 /* bins */
	cmh_keys_fn sink;
	void *ctx;
	/* tokens not yet ending a shingle: the last shingle - 1 carried
	 * over, then the next batch (hashed by cngram_hash_windows, the
	 * index's vectorized loop) */
	uint64_t toks[CONTAM_MAX_NGRAM + TOK_BATCH];
	size_t ntoks;
	uint64_t hashes[TOK_BATCH];
	uint32_t cap;               /* ring capacity: max(windows) */
	uint64_t *ring;             /* mixed shingle values, by position % cap */
	uint16_t *bins;             /* their bins, likewise */
	uint16_t *dtab;             /* densification candidates, DENSE_TAB per bin */
	uint64_t nsh;               /* shingles of this document */
	uint64_t next_end[CMH_MAX_WINDOWS]; /* end of the next full window */
	uint64_t windows;
	uint64_t shingles;
	size_t nkeys;
	uint64_t sig[CMH_MAX_BINS];
	uint64_t keys[KEYS_BUF + CMH_MAX_BINS];
};

int cmh_doc_new(cmh_doc **out, const cmh_params *p, const cfast *fast,
		cmh_keys_fn sink, void *ctx)
{
	*out = NULL;
	if (cmh_params_check(p, NULL, 0) != CONTAM_OK)
		return CONTAM_E_PARAM;
	cmh_doc *d = calloc(1, sizeof(*d));
	if (!d)
		return CONTAM_E_NOMEM;
	d->p = *p;
	d->fast = *cfast_or_default(fast);
	d->k = p->bands * p->rows;
	d->sink = sink;
	d->ctx = ctx;
	d->cap = p->windows[p->nwindows - 1];
	d->ring = malloc((size_t)d->cap * sizeof(*d->ring));
	d->bins = malloc((size_t)d->cap * sizeof(*d->bins));
	d->dtab = malloc((size_t)d->k * DENSE_TAB * sizeof(*d->dtab));
	if (!d->ring || !d->bins || !d->dtab) {
		cmh_doc_free(d);
		return CONTAM_E_NOMEM;
	}
	for (uint32_t i = 0; i < d->k; i++)
		for (uint32_t a = 0; a < DENSE_TAB; a++)
			d->dtab[(size_t)i * DENSE_TAB + a] = (uint16_t)dense_bin(p->seed, d->k, i, a + 1);
	cmh_doc_begin(d);
	*out = d;
	return CONTAM_OK;
}

void cmh_doc_free(cmh_doc *d)
{
	if (!d)
		return;
	free(d->ring);
	free(d->bins);
	free(d->dtab);
	free(d);
}

static void flush_keys(cmh_doc *d)
{
	if (d->nkeys) {
		d->sink(d->ctx, d->keys, d->nkeys);
		d->nkeys = 0;
	}
}

/* Emit the window of shingles [end - w, end) (end <= nsh, w <= cap). */
static void emit_window(cmh_doc *d, uint64_t end, uint64_t w)
{
	uint64_t start = end - w;
	uint32_t s0 = (uint32_t)(start % d->cap);
	size_t first = d->cap - s0 < w ? d->cap - s0 : (size_t)w;
	for (uint32_t i = 0; i < d->k; i++)
		d->sig[i] = EMPTY;
	sig_min(d->ring + s0, d->bins + s0, first, d->sig);
	sig_min(d->ring, d->bins, (size_t)w - first, d->sig);
	/* all EMPTY (2^-64 per shingle): no signature, as cmh_signature */
	if (!sig_any(d->sig, d->k))
		return;
	densify(&d->p, d->k, d->sig, d->dtab);
	cmh_band_keys(&d->p, d->sig, d->keys + d->nkeys);
	d->nkeys += d->p.bands;
	d->windows++;
	if (d->nkeys >= KEYS_BUF)
		flush_keys(d);
}

void cmh_doc_begin(cmh_doc *d)
{
	d->ntoks = 0;
	d->nsh = 0;
	for (uint32_t i = 0; i < d->p.nwindows; i++)
		d->next_end[i] = d->p.windows[i];
}

static void take_shingles(cmh_doc *d, const uint64_t *hs, size_t m)
{
	const uint32_t nw = d->p.nwindows;
	for (size_t t = 0; t < m; t++) {
		uint64_t x = cmix64(hs[t] ^ d->p.seed);
		size_t at = (size_t)(d->nsh % d->cap);
		d->ring[at] = x;
		d->bins[at] = (uint16_t)bin_of(x, d->k);
		d->nsh++;
		d->shingles++;
		for (uint32_t i = 0; i < nw; i++) {
			if (d->nsh != d->next_end[i])
				continue;
			emit_window(d, d->nsh, d->p.windows[i]);
			d->next_end[i] += cmh_stride(&d->p, d->p.windows[i]);
		}
	}
}

void cmh_doc_tokens(cmh_doc *d, const uint64_t *le, size_t n)
{
	const uint32_t sl = d->p.shingle;
	while (n) {
		size_t take = n < TOK_BATCH ? n : TOK_BATCH;
		memcpy(d->toks + d->ntoks, le, take * sizeof(uint64_t));
		size_t count = d->ntoks + take;
		le += take;
		n -= take;
		if (count < sl) {
			d->ntoks = count;
			continue;
		}
		/* the same hashes as cmh_shingle_hash of each window */
		size_t m = cngram_hash_windows(&d->fast, d->toks, count, sl,
					       d->p.seed ^ CMH_SEED_SALT, d->hashes);
		take_shingles(d, d->hashes, m);
		memmove(d->toks, d->toks + count - (sl - 1), (sl - 1) * sizeof(uint64_t));
		d->ntoks = sl - 1;
	}
}

void cmh_doc_end(cmh_doc *d)
{
	const uint64_t n = d->nsh;
	if (n > 0) {
		int whole = 0, whole_done = 0;
		for (uint32_t i = 0; i < d->p.nwindows; i++) {
			uint64_t w = d->p.windows[i];
			if (n > w) {
				/* the tail, unless the last stride ended there */
				if ((n - w) % cmh_stride(&d->p, (uint32_t)w) != 0)
					emit_window(d, n, w);
			} else if (n == w) {
				whole_done = 1;  /* emitted as a full window */
			} else {
				whole = 1;
			}
		}
		/* n < w for some size: the whole document, once for all such
		 * sizes (the same set), unless a size equal to n gave it */
		if (whole && !whole_done)
			emit_window(d, n, n);
	}
	flush_keys(d);
	cmh_doc_begin(d);
}

uint64_t cmh_doc_windows(const cmh_doc *d) { return d->windows; }
uint64_t cmh_doc_shingles(const cmh_doc *d) { return d->shingles; }

/* ---- the item side ---- */

struct cmh_item {
	cmh_params p;
	ctok tok;
	cngram g;
	int oom;
	size_t ntokens;
	/* segment ends of the field being added: byte offsets */
	size_t *ends;
	size_t nends, ends_cap, next_end;
	uint64_t *sh;
	size_t nsh, sh_cap;
};

static void item_token(void *ctx, const ctok_token *t)
{
	cmh_item *it = ctx;
	it->ntokens++;
	/* a boundary before this token: a new segment */
	int cut = 0;
	while (it->next_end < it->nends && it->ends[it->next_end] < t->start) {
		it->next_end++;
		cut = 1;
	}
	if (cut)
		cngram_reset(&it->g);
	uint64_t h;
	if (!cngram_push(&it->g, t->hash, &h))
		return;
	if (cgrow((void **)&it->sh, &it->sh_cap, it->nsh + 1, sizeof(*it->sh)) != CONTAM_OK) {
		it->oom = 1;
		return;
	}
	it->sh[it->nsh++] = h;
}

int cmh_item_new(cmh_item **out, const cmh_params *p, const cfast *fast)
{
	*out = NULL;
	if (cmh_params_check(p, NULL, 0) != CONTAM_OK)
		return CONTAM_E_PARAM;
	cmh_item *it = calloc(1, sizeof(*it));
	if (!it)
		return CONTAM_E_NOMEM;
	it->p = *p;
	ctok_init(&it->tok, fast, p->seed, item_token, it);
	cngram_init(&it->g, p->shingle, p->seed ^ CMH_SEED_SALT);
	*out = it;
	return CONTAM_OK;
}

void cmh_item_reset(cmh_item *it)
{
	it->nsh = 0;
	it->ntokens = 0;
	it->oom = 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int cmh_item_add_text(cmh_item *it, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	it->nends = 0;
	it->next_end = 0;
	for (size_t i = 0; i < len; i++) {
		int end = 0;
		if (s[i] == '\n' || s[i] == '\r')
			end = 1;
		else if (s[i] == '.' || s[i] == '!' || s[i] == '?')
			end = i + 1 == len || is_space(s[i + 1]);
		else if (i + 2 < len &&
			 ((s[i] == 0xe3 && s[i + 1] == 0x80 && s[i + 2] == 0x82) ||   /* 。 */
			  (s[i] == 0xef && s[i + 1] == 0xbc &&
			   (s[i + 2] == 0x81 || s[i + 2] == 0x9f))))               /* ！ ？ */
			end = 1;
		if (!end)
			continue;
		if (cgrow((void **)&it->ends, &it->ends_cap, it->nends + 1,
			  sizeof(*it->ends)) != CONTAM_OK)
			return CONTAM_E_NOMEM;
		it->ends[it->nends++] = i;
	}
	cngram_reset(&it->g);
	size_t before = it->nsh;
	int rc = ctok_feed(&it->tok, text, len);
	int rc2 = ctok_finish(&it->tok);
	if (rc == CONTAM_OK)
		rc = rc2;
	if (rc == CONTAM_OK && it->oom)
		rc = CONTAM_E_NOMEM;
	if (rc != CONTAM_OK)
		return rc;
	if (it->nsh > before) {
		/* keep the set sorted and de-duplicated */
		qsort(it->sh, it->nsh, sizeof(*it->sh), cmp_u64);
		size_t m = 1;
		for (size_t i = 1; i < it->nsh; i++)
			if (it->sh[i] != it->sh[m - 1])
				it->sh[m++] = it->sh[i];
		it->nsh = m;
	}
	return CONTAM_OK;
}

size_t cmh_item_shingles(const cmh_item *it, const uint64_t **sh)
{
	if (sh)
		*sh = it->sh;
	return it->nsh;
}

size_t cmh_item_tokens(const cmh_item *it) { return it->ntokens; }

void cmh_item_free(cmh_item *it)
{
	if (!it)
		return;
	ctok_release(&it->tok);
	free(it->ends);
	free(it->sh);
	free(it);
}
