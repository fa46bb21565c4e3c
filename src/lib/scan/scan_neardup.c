/*
 * scan_neardup.c -- scan --near-dup: the exact side of the MinHash probe.
 * Per (benchmark example, corpus document), the exact containment
 * C = |A ∩ W| / |A| and Jaccard J = |A ∩ W| / |A ∪ W| of the example's
 * shingle set A (cmh_item: the set the probe signs, sentences and lines
 * apart) with the best window W of the document; examples with
 * C >= --near-dup-min are reported with the document's provenance.
 *
 * Which windows, and why.  Not the index's grid (windows at multiples
 * of W / stride_div) but every window of each size, sliding by one
 * shingle: the grid windows are among them, so the scan's best
 * containment is never below what any indexed window holds, and it does
 * not depend on where a planted copy happens to fall against the grid.
 * The sizes are the core's (cmh_params_default: 24 and 72
 * shingles), then doubled until one holds the longest example (a long
 * passage is not cut to 192 shingles).  An example is measured at the
 * sizes up to the first one that holds a copy of it whole (its tokens -
 * shingle + 1 shingles): a bigger region only gathers stray shingles
 * from the text around it, which is how an unrelated example would reach
 * the threshold in a long document.  Of those, the reported window is
 * the smallest size with the highest intersection -- containment only
 * grows with the window, so the smallest one reaching the maximum is
 * the tightest region holding as much of the example as any allowed
 * window, and the one of them with the highest Jaccard; at that size the
 * window is the first (in document order) reaching that intersection.
 * A document of fewer shingles than a size is one window at that size,
 * the whole document, as in the index.
 *
 * How it stays linear.  An inverted index (open addressing, as the
 * n-gram table) maps each shingle hash of the examples to the examples
 * holding it; nearly every corpus shingle is absent and costs one probe.
 * The document's shingles go through a ring of the last `ring` positions
 * with, per position, the previous and next position of the same
 * shingle (a small hash map of the shingles in the ring gives them), so
 * for every size the number of distinct shingles in the window, |W|,
 * and per touched example |A ∩ W| change only when a shingle enters with
 * no copy in the window or leaves with none after it: O(sizes) per
 * shingle plus O(sizes) per example holding an entering or leaving
 * shingle.  The best window of a size is looked for only when an
 * example's count grows (and once when the window first fills), so the
 * maximum is exact.  Memory per thread: the ring, the map and one index
 * per example; per document, one state per example it touches.
 *
 * Results: per example the number of documents at or over the threshold
 * (atomic) and the ND_KEEP best of them with provenance (under a lock:
 * they are rare), kept by a total order -- containment, then Jaccard,
 * then input file, archive entry, record, offset -- so the report does
 * not depend on the number of threads.
 */
#include "scan.h"
#include "../ngram/minhash.h"
#include "../probe/probe_metrics.h"
#include "contam.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

#define ND_NONE UINT64_MAX
#define ND_KEEP 5              /* documents kept per example */
#define ND_MAX_SIZES 16
_Static_assert(CMH_MAX_WINDOWS_SCAN == CMH_MAX_WINDOWS, "scan.h's copy of CMH_MAX_WINDOWS");
#define ND_MAX_WINDOW CMH_MAX_WINDOW /* shingles: the largest size */
/* A hit shares at least this many shingles with its example (all of
 * them, for an example of fewer): on real text (MMLU over the shared
 * corpus) examples of 2-4 shingles reached C = 0.5 on one or two common
 * phrases ("which of the following"), J 0.04 -- not a near-duplicate. */
#define ND_MIN_SHARED 3

typedef struct nd_hit {
	uint32_t window;           /* size, shingles */
	uint32_t inter, distinct;  /* |A ∩ W|, |W| */
	double c, j;
	uint64_t start, end;       /* bytes of the window in the document */
	size_t file;
	uint64_t entry, record, offset, doc_bytes;
	char *member, *url, *id;
} nd_hit;

struct cscan_nd {
	cmh_params p;
	double min;
	uint32_t nsizes, sizes[ND_MAX_SIZES];
	uint64_t ring;             /* positions kept: a power of two > sizes */
	size_t nex;
	uint32_t *nsh;             /* per example: |A| (0: unscored) */
	uint8_t *top;              /* per example: its largest size index */
	/* the inverted index: shingle -> examples (sorted) */
	uint64_t *hash;
	uint32_t *first, *count;
	size_t nentries;
	uint32_t *post;
	size_t npost;
	uint32_t *slot;            /* entry + 1, 0 = empty */
	uint64_t mask;
	/* results */
	uint64_t *docs;            /* per example (atomic) */
	nd_hit *keep;              /* per example, ND_KEEP, best first */
	uint8_t *nkeep;
	uint64_t hit_docs;         /* (example, document) pairs over min */
	uint64_t shingles;         /* corpus shingles read (atomic) */
};

static uint32_t nd_lookup(const cscan_nd *nd, uint64_t h)
{
	uint64_t i = (h ^ (h >> 29)) & nd->mask;
	for (;;) {
		uint32_t e = nd->slot[i];
		if (!e)
			return CSCAN_NONE;
		if (nd->hash[e - 1] == h)
			return e - 1;
		i = (i + 1) & nd->mask;
	}
}

/* ---- building: the examples' shingle sets, the inverted index ------- */

typedef struct nd_pair {
	uint64_t h;
	uint32_t ex;
} nd_pair;

static int cmp_pair(const void *a, const void *b)
{
	const nd_pair *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->ex < y->ex ? -1 : x->ex > y->ex;
}

void cscan_nd_free(cscan_nd *nd)
{
	if (!nd)
		return;
	for (size_t i = 0; nd->keep && i < nd->nex; i++)
		for (size_t k = 0; k < nd->nkeep[i]; k++) {
			nd_hit *h = &nd->keep[i * ND_KEEP + k];
			free(h->member);
			free(h->url);
			free(h->id);
		}
	free(nd->keep);
	free(nd->nkeep);
	free(nd->docs);
	free(nd->nsh);
	free(nd->top);
	free(nd->hash);
	free(nd->first);
	free(nd->count);
	free(nd->post);
	free(nd->slot);
	free(nd);
}

int cscan_nd_build(contam_scan *s, cerr *err)
{
	const cbench_set *bs = &s->set;
	size_t nex = bs->nexamples;
	cmh_item *it = NULL;
	nd_pair *pairs = NULL;
	size_t npairs = 0, cap = 0;
	uint32_t maxspan = 1;
	char why[256];
	int rc = CONTAM_OK;
	cscan_nd *nd = calloc(1, sizeof(*nd));

	if (!nd)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	cmh_params_default(&nd->p, s->seed);
	if (s->nd_shingle) { /* --confirm: the probe's index's */
		nd->p.shingle = s->nd_shingle;
		nd->p.nwindows = s->nd_nwindows;
		memcpy(nd->p.windows, s->nd_windows, sizeof nd->p.windows);
	}
	if (cmh_params_check(&nd->p, why, sizeof why)) {
		free(nd);
		return cerr_set(err, CONTAM_E_PARAM, "near-dup parameters: %s", why);
	}
	nd->min = s->opt.near_dup_min;
	nd->nex = nex;
	size_t n1 = nex ? nex : 1;
	nd->nsh = calloc(n1, sizeof(*nd->nsh));
	nd->top = calloc(n1, sizeof(*nd->top));
	nd->docs = calloc(n1, sizeof(*nd->docs));
	nd->keep = calloc(n1 * ND_KEEP, sizeof(*nd->keep));
	nd->nkeep = calloc(n1, sizeof(*nd->nkeep));
	uint32_t *span = calloc(n1, sizeof(*span));
	if (!nd->nsh || !nd->top || !nd->docs || !nd->keep || !nd->nkeep || !span ||
	    cmh_item_new(&it, &nd->p, s->opt.fast)) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nex; i++) {
		if (!bs->selected[i])
			continue;
		const uint64_t *sh;
		cmh_item_reset(it);
		/* the fields joined by '\n', a segment boundary of the item
		 * rule: the same set as adding them one by one */
		if (cmh_item_add_text(it, bs->texts[i], bs->text_len[i])) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		size_t n = cmh_item_shingles(it, &sh);
		if (n > UINT32_MAX / 2) {
			rc = cerr_set(err, CONTAM_E_LIMIT, "%s: record %" PRIu64
				      ": example too long for --near-dup",
				      bs->examples[i].source, bs->examples[i].record);
			goto out;
		}
		nd->nsh[i] = (uint32_t)n;
		size_t tok = cmh_item_tokens(it);
		span[i] = tok >= nd->p.shingle ? (uint32_t)(tok - nd->p.shingle + 1 < ND_MAX_WINDOW ?
				tok - nd->p.shingle + 1 : ND_MAX_WINDOW) : 1;
		if (n && span[i] > maxspan)
			maxspan = span[i];
		if (cgrow((void **)&pairs, &cap, npairs + n, sizeof(*pairs))) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < n; k++)
			pairs[npairs++] = (nd_pair){ sh[k], (uint32_t)i };
	}
	/* sizes: the core's, then doubled until one holds the longest
	 * example */
	for (uint32_t k = 0; k < nd->p.nwindows; k++)
		nd->sizes[nd->nsizes++] = nd->p.windows[k];
	while (nd->sizes[nd->nsizes - 1] < maxspan && nd->nsizes < ND_MAX_SIZES &&
	       nd->sizes[nd->nsizes - 1] < ND_MAX_WINDOW)
		nd->sizes[nd->nsizes] = nd->sizes[nd->nsizes - 1] * 2, nd->nsizes++;
	nd->ring = 1;
	while (nd->ring <= nd->sizes[nd->nsizes - 1])
		nd->ring <<= 1;
	for (size_t i = 0; i < nex; i++) {
		uint32_t k = 0;
		while (k + 1 < nd->nsizes && nd->sizes[k] < span[i])
			k++;
		nd->top[i] = (uint8_t)k;
	}
	/* the inverted index */
	if (npairs > UINT32_MAX) {
		rc = cerr_set(err, CONTAM_E_LIMIT, "too many benchmark shingles for --near-dup");
		goto out;
	}
	qsort(pairs, npairs, sizeof(*pairs), cmp_pair);
	size_t ne = 0;
	for (size_t i = 0; i < npairs; i++)
		ne += i == 0 || pairs[i].h != pairs[i - 1].h;
	uint64_t slots = 2;
	while (slots < 2 * (uint64_t)ne)
		slots <<= 1;
	nd->hash = malloc((ne ? ne : 1) * sizeof(*nd->hash));
	nd->first = malloc((ne ? ne : 1) * sizeof(*nd->first));
	nd->count = malloc((ne ? ne : 1) * sizeof(*nd->count));
	nd->post = malloc((npairs ? npairs : 1) * sizeof(*nd->post));
	nd->slot = calloc(slots, sizeof(*nd->slot));
	if (!nd->hash || !nd->first || !nd->count || !nd->post || !nd->slot) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	nd->mask = slots - 1;
	for (size_t i = 0; i < npairs; i++) {
		if (i == 0 || pairs[i].h != pairs[i - 1].h) {
			nd->hash[nd->nentries] = pairs[i].h;
			nd->first[nd->nentries] = (uint32_t)i;
			nd->count[nd->nentries] = 0;
			nd->nentries++;
		}
		nd->count[nd->nentries - 1]++;
		nd->post[i] = pairs[i].ex;
	}
	nd->npost = npairs;
	for (size_t e = 0; e < nd->nentries; e++) {
		uint64_t h = nd->hash[e], j = (h ^ (h >> 29)) & nd->mask;
		while (nd->slot[j])
			j = (j + 1) & nd->mask;
		nd->slot[j] = (uint32_t)(e + 1);
	}
out:
	free(pairs);
	free(span);
	cmh_item_free(it);
	if (rc) {
		cscan_nd_free(nd);
		return rc;
	}
	s->nd = nd;
	return CONTAM_OK;
}

/* ---- one document: the sliding windows ------------------------------ */

typedef struct nd_pos {
	uint64_t h;
	uint64_t prev, next;       /* positions of the same shingle, ND_NONE */
	uint64_t start, end;       /* bytes of the shingle */
	uint32_t entry;            /* in the inverted index, CSCAN_NONE */
} nd_pos;

/* One example the document touches, per size k: |A ∩ W| of the current
 * window, and the best window so far (its count, |W| and bytes). */
typedef struct nd_cur {
	uint32_t ex;
	uint32_t in[ND_MAX_SIZES];
	uint32_t best[ND_MAX_SIZES], bestd[ND_MAX_SIZES];
	uint64_t bs[ND_MAX_SIZES], be[ND_MAX_SIZES];
} nd_cur;

struct cscan_ndm {
	const cscan_nd *nd;
	cngram sh;
	uint32_t shingle;
	uint64_t ntok, nsh;        /* tokens, shingles of the document */
	uint64_t *tok_start;       /* ring of the last `shingle` token starts */
	nd_pos *pos;               /* ring of nd->ring positions */
	uint64_t *mkey, *mpos;     /* shingle -> its last position (+1) */
	uint64_t mmask;
	uint32_t d[ND_MAX_SIZES];  /* |W| of the current window, per size */
	uint32_t *ex_cur;          /* per example: index in cur + 1 */
	nd_cur *cur;
	size_t ncur, cap_cur;
	int oom;
};

static uint64_t map_home(const cscan_ndm *m, uint64_t h)
{
	return (h ^ (h >> 31)) & m->mmask;
}

static uint64_t map_get(const cscan_ndm *m, uint64_t h)
{
	for (uint64_t i = map_home(m, h);; i = (i + 1) & m->mmask) {
		if (!m->mpos[i])
			return ND_NONE;
		if (m->mkey[i] == h)
			return m->mpos[i] - 1;
	}
}

static void map_put(cscan_ndm *m, uint64_t h, uint64_t q)
{
	uint64_t i = map_home(m, h);
	while (m->mpos[i] && m->mkey[i] != h)
		i = (i + 1) & m->mmask;
	m->mkey[i] = h;
	m->mpos[i] = q + 1;
}

/* Remove h if its last position is q (backward-shift deletion: linear
 * probing keeps no tombstones). */
static void map_drop(cscan_ndm *m, uint64_t h, uint64_t q)
{
	uint64_t i = map_home(m, h);
	for (;; i = (i + 1) & m->mmask) {
		if (!m->mpos[i])
			return;
		if (m->mkey[i] == h)
			break;
	}
	if (m->mpos[i] != q + 1)
		return;
	for (uint64_t j = i;;) {
		m->mpos[i] = 0;
		for (;;) {
			j = (j + 1) & m->mmask;
			if (!m->mpos[j])
				return;
			uint64_t k = map_home(m, m->mkey[j]);
			/* j's entry may move to i unless its home lies in
			 * (i, j] (cyclically) */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		m->mkey[i] = m->mkey[j];
		m->mpos[i] = m->mpos[j];
		i = j;
	}
}

static nd_cur *cur_of(cscan_ndm *m, uint32_t ex)
{
	uint32_t c = m->ex_cur[ex];
	if (c)
		return &m->cur[c - 1];
	if (cgrow((void **)&m->cur, &m->cap_cur, m->ncur + 1, sizeof(*m->cur))) {
		m->oom = 1;
		return NULL;
	}
	nd_cur *r = &m->cur[m->ncur++];
	memset(r, 0, sizeof(*r));
	r->ex = ex;
	m->ex_cur[ex] = (uint32_t)m->ncur;
	return r;
}

/* The window of size k ending at position q, for example c. */
static void consider(cscan_ndm *m, nd_cur *c, uint32_t k, uint64_t q)
{
	if (c->in[k] <= c->best[k])
		return;
	const uint64_t R = m->nd->ring - 1;
	c->best[k] = c->in[k];
	c->bestd[k] = m->d[k];
	c->bs[k] = m->pos[(q + 1 - m->nd->sizes[k]) & R].start;
	c->be[k] = m->pos[q & R].end;
}

static void on_shingle(cscan_ndm *m, uint64_t h, uint64_t start, uint64_t end)
{
	const cscan_nd *nd = m->nd;
	const uint64_t R = nd->ring, q = m->nsh++;
	nd_pos *P = &m->pos[q & (R - 1)];
	if (q >= R) /* the position leaving the ring */
		map_drop(m, P->h, q - R);
	uint64_t prev = map_get(m, h);
	map_put(m, h, q);
	uint32_t e = nd_lookup(nd, h);
	*P = (nd_pos){ h, prev, ND_NONE, start, end, e };
	if (prev != ND_NONE)
		m->pos[prev & (R - 1)].next = q;
	const uint32_t *ps = e == CSCAN_NONE ? NULL : nd->post + nd->first[e];
	const uint32_t np = e == CSCAN_NONE ? 0 : nd->count[e];
	for (uint32_t k = 0; k < nd->nsizes; k++) {
		const uint64_t W = nd->sizes[k];
		/* q enters [q - W, q] (or [0, q]): new unless a copy is in it */
		int fresh = prev == ND_NONE || prev + W < q;
		if (fresh) {
			m->d[k]++;
			for (uint32_t i = 0; i < np; i++) {
				nd_cur *c = cur_of(m, ps[i]);
				if (c)
					c->in[k]++;
			}
		}
		/* q - W leaves: gone unless a copy came after it */
		if (q >= W) {
			const nd_pos *o = &m->pos[(q - W) & (R - 1)];
			if (o->next == ND_NONE) {
				m->d[k]--;
				if (o->entry != CSCAN_NONE) {
					const uint32_t *os = nd->post + nd->first[o->entry];
					for (uint32_t i = 0; i < nd->count[o->entry]; i++) {
						uint32_t c = m->ex_cur[os[i]];
						if (c)
							m->cur[c - 1].in[k]--;
					}
				}
			}
		}
		/* the window [q - W + 1, q] */
		if (q + 1 == W) {
			for (size_t i = 0; i < m->ncur; i++)
				consider(m, &m->cur[i], k, q);
		} else if (q + 1 > W && fresh) {
			for (uint32_t i = 0; i < np; i++) {
				uint32_t c = m->ex_cur[ps[i]];
				if (c)
					consider(m, &m->cur[c - 1], k, q);
			}
		}
	}
}

void cscan_ndm_token(cscan_ndm *m, const ctok_token *tk)
{
	uint64_t h;
	m->tok_start[m->ntok % m->shingle] = tk->start;
	uint64_t idx = m->ntok++;
	if (!cngram_push(&m->sh, tk->hash, &h))
		return;
	on_shingle(m, h, m->tok_start[(idx + 1 - m->shingle) % m->shingle], tk->end);
}

int cscan_ndm_new(cscan_ndm **out, const contam_scan *s)
{
	const cscan_nd *nd = s->nd;
	cscan_ndm *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!m)
		return CONTAM_E_NOMEM;
	m->nd = nd;
	m->shingle = nd->p.shingle;
	cngram_init(&m->sh, m->shingle, nd->p.seed ^ CMH_SEED_SALT);
	m->mmask = 2 * nd->ring - 1;
	m->tok_start = calloc(m->shingle, sizeof(*m->tok_start));
	m->pos = calloc(nd->ring, sizeof(*m->pos));
	m->mkey = calloc(2 * nd->ring, sizeof(*m->mkey));
	m->mpos = calloc(2 * nd->ring, sizeof(*m->mpos));
	m->ex_cur = calloc(nd->nex ? nd->nex : 1, sizeof(*m->ex_cur));
	if (!m->tok_start || !m->pos || !m->mkey || !m->mpos || !m->ex_cur) {
		cscan_ndm_free(m);
		return CONTAM_E_NOMEM;
	}
	*out = m;
	return CONTAM_OK;
}

void cscan_ndm_free(cscan_ndm *m)
{
	if (!m)
		return;
	free(m->tok_start);
	free(m->pos);
	free(m->mkey);
	free(m->mpos);
	free(m->ex_cur);
	free(m->cur);
	free(m);
}

/* Back to an empty document: the map emptied position by position (a
 * memset of it would cost more than a short document). */
void cscan_ndm_begin(cscan_ndm *m)
{
	const uint64_t R = m->nd->ring;
	uint64_t from = m->nsh > R ? m->nsh - R : 0;
	for (uint64_t q = from; q < m->nsh; q++)
		map_drop(m, m->pos[q & (R - 1)].h, q);
	for (size_t i = 0; i < m->ncur; i++)
		m->ex_cur[m->cur[i].ex] = 0;
	m->ncur = 0;
	memset(m->d, 0, sizeof m->d);
	cngram_reset(&m->sh);
	m->ntok = m->nsh = 0;
}

/* Is a before b in the kept order? */
static int nd_before(const nd_hit *a, const nd_hit *b)
{
	if (a->inter != b->inter)
		return a->inter > b->inter;
	if (a->j != b->j)
		return a->j > b->j;
	if (a->file != b->file)
		return a->file < b->file;
	if (a->entry != b->entry)
		return a->entry < b->entry;
	if (a->record != b->record)
		return a->record < b->record;
	return a->offset < b->offset;
}

static void hit_free(nd_hit *h)
{
	free(h->member);
	free(h->url);
	free(h->id);
}

/* Keep h (its strings owned) among example ex's best, or free it. */
static void keep_hit(cscan_nd *nd, uint32_t ex, nd_hit *h)
{
	nd_hit *k = nd->keep + (size_t)ex * ND_KEEP;
	size_t n = nd->nkeep[ex], at = n;
	while (at > 0 && nd_before(h, &k[at - 1]))
		at--;
	if (at >= ND_KEEP) {
		hit_free(h);
		return;
	}
	if (n == ND_KEEP)
		hit_free(&k[--n]);
	memmove(k + at + 1, k + at, (n - at) * sizeof(*k));
	k[at] = *h;
	nd->nkeep[ex] = (uint8_t)(n + 1);
}

int cscan_ndm_end(cscan_ndm *m, const cscan_nd_doc *doc)
{
	cscan_nd *nd = (cscan_nd *)m->nd; /* results only, atomically or locked */
	const uint64_t R = nd->ring, n = m->nsh;
	__atomic_fetch_add(&nd->shingles, n, __ATOMIC_RELAXED);
	if (m->oom)
		return CONTAM_E_NOMEM;
	/* sizes the document does not fill: the whole document */
	for (uint32_t k = 0; n && k < nd->nsizes; k++)
		if (n < nd->sizes[k])
			for (size_t i = 0; i < m->ncur; i++) {
				nd_cur *c = &m->cur[i];
				if (c->in[k] > c->best[k]) {
					c->best[k] = c->in[k];
					c->bestd[k] = m->d[k];
					c->bs[k] = m->pos[0].start;
					c->be[k] = m->pos[(n - 1) & (R - 1)].end;
				}
			}
	for (size_t i = 0; i < m->ncur; i++) {
		const nd_cur *c = &m->cur[i];
		uint32_t a = nd->nsh[c->ex], best = 0, k = 0;
		for (uint32_t z = 0; z <= nd->top[c->ex]; z++)
			if (c->best[z] > best) {
				best = c->best[z];
				k = z;
			}
		if (!best || !a || (double)best / a < nd->min - 1e-12 ||
		    best < (a < ND_MIN_SHARED ? a : ND_MIN_SHARED))
			continue;
		uint32_t d = c->bestd[k];
		nd_hit h = {
			.window = nd->sizes[k], .inter = best, .distinct = d,
			.c = (double)best / a,
			.j = (double)best / ((double)a + d - best),
			.start = c->bs[k], .end = c->be[k],
			.file = doc->file, .entry = doc->entry, .record = doc->record,
			.offset = doc->offset, .doc_bytes = doc->bytes,
		};
		__atomic_fetch_add(&nd->docs[c->ex], 1, __ATOMIC_RELAXED);
		int bad = 0;
		#pragma omp critical(cscan_nd)
		{
			nd->hit_docs++;
			/* copied only when it is kept */
			size_t nk = nd->nkeep[c->ex];
			if (nk < ND_KEEP || nd_before(&h, &nd->keep[(size_t)c->ex * ND_KEEP + nk - 1])) {
				h.member = cstrdup(doc->member);
				h.url = cstrdup(doc->url);
				h.id = cstrdup(doc->id);
				if ((doc->member && !h.member) || (doc->url && !h.url) ||
				    (doc->id && !h.id)) {
					hit_free(&h);
					bad = 1;
				} else {
					keep_hit(nd, c->ex, &h);
				}
			}
		}
		if (bad)
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

/* ---- the report ----------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cscan_nd_example_json(const contam_scan *s, size_t i)
{
	const cscan_nd *nd = s->nd;
	json_t *o = json_object();
	json_object_set_new(o, "shingles", json_integer(nd->nsh[i]));
	json_object_set_new(o, "unscored", json_boolean(nd->nsh[i] == 0));
	json_object_set_new(o, "near_dup", json_boolean(nd->docs[i] > 0));
	json_object_set_new(o, "documents", json_integer((json_int_t)nd->docs[i]));
	const nd_hit *h = nd->nkeep[i] ? &nd->keep[i * ND_KEEP] : NULL;
	json_object_set_new(o, "containment", h ? json_real(h->c) : json_null());
	json_object_set_new(o, "jaccard", h ? json_real(h->j) : json_null());
	json_object_set_new(o, "window", h ? json_integer(h->window) : json_null());
	if (s->nd_probe)
		json_object_set_new(o, "probe_near_dup", json_boolean(s->nd_probe[i]));
	return o;
}

/* The benchmark's counts: examples selected, scored (with shingles),
 * with a document at or over the threshold. */
static void bench_counts(const contam_scan *s, const char *name, uint64_t *ex,
			 uint64_t *scored, uint64_t *hit)
{
	const cscan_nd *nd = s->nd;
	*ex = *scored = *hit = 0;
	for (size_t i = 0; i < s->set.nexamples; i++) {
		if (!s->set.selected[i] || s->set.examples[i].benchmark != name)
			continue;
		++*ex;
		*scored += nd->nsh[i] > 0;
		*hit += nd->docs[i] > 0;
	}
}

json_t *cscan_nd_json(const contam_scan *s)
{
	const cscan_nd *nd = s->nd;
	json_t *o = json_object();
	json_object_set_new(o, "exact", json_true());
	json_object_set_new(o, "min_containment", json_real(nd->min));
	json_object_set_new(o, "shingle", json_integer(nd->p.shingle));
	json_t *w = json_array();
	for (uint32_t k = 0; k < nd->nsizes; k++)
		json_array_append_new(w, json_integer(nd->sizes[k]));
	json_object_set_new(o, "windows", w);
	json_object_set_new(o, "window_rule", json_string(
		"every window of each size (stride 1); an example at the sizes up "
		"to the first that holds it whole; the smallest size with the "
		"highest intersection"));
	json_object_set_new(o, "benchmark_shingles", json_integer((json_int_t)nd->nentries));
	json_object_set_new(o, "corpus_shingles", json_integer((json_int_t)nd->shingles));
	json_object_set_new(o, "hit_documents", json_integer((json_int_t)nd->hit_docs));
	json_t *bm = json_array();
	for (size_t b = 0; b < s->set.nbenchmarks; b++) {
		const contam_benchmark *B = &s->set.benchmarks[b];
		uint64_t ex, scored, hit;
		double lo, hi;
		bench_counts(s, B->name, &ex, &scored, &hit);
		cprobe_wilson(hit, scored, &lo, &hi);
		json_t *x = json_object();
		json_object_set_new(x, "name", json_string(B->name));
		json_object_set_new(x, "examples", json_integer((json_int_t)ex));
		json_object_set_new(x, "scored", json_integer((json_int_t)scored));
		json_object_set_new(x, "unscored", json_integer((json_int_t)(ex - scored)));
		json_object_set_new(x, "near_dup", json_integer((json_int_t)hit));
		json_object_set_new(x, "rate", json_real(scored ? (double)hit / scored : 0));
		json_t *ci = json_array();
		json_array_append_new(ci, json_real(lo));
		json_array_append_new(ci, json_real(hi));
		json_object_set_new(x, "rate_ci", ci);
		json_array_append_new(bm, x);
	}
	json_object_set_new(o, "benchmarks", bm);
	/* per example (in the report's numbering: the selected ones), its
	 * best documents */
	json_t *hits = json_array();
	size_t idx = 0;
	for (size_t i = 0; i < s->set.nexamples; i++) {
		if (!s->set.selected[i])
			continue;
		const contam_example *e = &s->set.examples[i];
		for (size_t k = 0; k < nd->nkeep[i]; k++) {
			const nd_hit *h = &nd->keep[i * ND_KEEP + k];
			const cscan_file *f = &s->files[h->file];
			json_t *x = json_object(), *ex = json_object(), *d = json_object();
			json_object_set_new(ex, "index", json_integer((json_int_t)idx));
			json_object_set_new(ex, "benchmark", jstr(e->benchmark));
			json_object_set_new(ex, "source", jstr(e->source));
			json_object_set_new(ex, "record", json_integer((json_int_t)e->record));
			json_object_set_new(ex, "id", jstr(e->id));
			json_object_set_new(x, "example", ex);
			json_object_set_new(x, "containment", json_real(h->c));
			json_object_set_new(x, "jaccard", json_real(h->j));
			json_object_set_new(x, "window", json_integer(h->window));
			json_object_set_new(x, "shingles", json_integer(nd->nsh[i]));
			json_object_set_new(x, "shared", json_integer(h->inter));
			json_object_set_new(x, "window_distinct", json_integer(h->distinct));
			json_object_set_new(x, "example_documents", json_integer((json_int_t)nd->docs[i]));
			json_object_set_new(d, "file", json_string(f->path));
			json_object_set_new(d, "kind", json_string(contam_input_kind_name(f->kind)));
			json_object_set_new(d, "member", jstr(h->member));
			json_object_set_new(d, "record", json_integer((json_int_t)h->record));
			json_object_set_new(d, "offset", json_integer((json_int_t)h->offset));
			json_object_set_new(d, "url", jstr(h->url));
			json_object_set_new(d, "id", jstr(h->id));
			json_object_set_new(d, "doc_bytes", json_integer((json_int_t)h->doc_bytes));
			json_object_set_new(d, "start", json_integer((json_int_t)h->start));
			json_object_set_new(d, "end", json_integer((json_int_t)h->end));
			json_object_set_new(x, "document", d);
			json_array_append_new(hits, x);
		}
		idx++;
	}
	json_object_set_new(o, "hits", hits);
	if (s->nd_probe)
		json_object_set_new(o, "confirm", cscan_nd_confirm_json(s));
	return o;
}

/* ---- the text rendering --------------------------------------------- */

#define ND_TEXT_HITS 20
static void confirm_counts(const contam_scan *s, uint64_t *flagged, uint64_t *confirmed,
			   uint64_t *scan_only);

int contam_scan_near_dup_table(const contam_scan *s, FILE *out)
{
	const cscan_nd *nd = s ? s->nd : NULL;
	if (!nd)
		return CONTAM_E_PARAM;
	fprintf(out, "near-dup (exact): containment >= %.2f of an example's %u-word "
		"shingles in one window of", nd->min, nd->p.shingle);
	for (uint32_t k = 0; k < nd->nsizes; k++)
		fprintf(out, "%s%u", k ? "/" : " ", nd->sizes[k]);
	fprintf(out, " shingles\n");
	fprintf(out, "  %-24s %9s %9s %9s %8s  %s\n", "benchmark", "examples", "unscored",
		"near-dup", "rate", "95% CI");
	for (size_t b = 0; b < s->set.nbenchmarks; b++) {
		const contam_benchmark *B = &s->set.benchmarks[b];
		uint64_t ex, scored, hit;
		double lo, hi;
		bench_counts(s, B->name, &ex, &scored, &hit);
		cprobe_wilson(hit, scored, &lo, &hi);
		fprintf(out, "  %-24s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7.2f%%  "
			"[%.2f%%, %.2f%%]\n", B->name, ex, ex - scored, hit,
			scored ? 100.0 * (double)hit / scored : 0.0, 100 * lo, 100 * hi);
	}
	size_t shown = 0, total = 0;
	for (size_t i = 0; i < s->set.nexamples; i++)
		total += s->set.selected[i] && nd->nkeep[i];
	for (size_t i = 0; i < s->set.nexamples && shown < ND_TEXT_HITS; i++) {
		if (!s->set.selected[i] || !nd->nkeep[i])
			continue;
		const contam_example *e = &s->set.examples[i];
		const nd_hit *h = &nd->keep[i * ND_KEEP];
		const cscan_file *f = &s->files[h->file];
		if (!shown)
			fprintf(out, "  examples with a near-dup (best document):\n");
		fprintf(out, "    %s record %" PRIu64 "%s%s: C %.3f J %.3f (window %u) in %s",
			e->benchmark, e->record, e->id ? " id " : "", e->id ? e->id : "",
			h->c, h->j, h->window, f->path);
		if (h->member)
			fprintf(out, " member %s", h->member);
		fprintf(out, " record %" PRIu64 " offset %" PRIu64, h->record, h->offset);
		if (h->url)
			fprintf(out, " %s", h->url);
		if (nd->docs[i] > 1)
			fprintf(out, " (+%" PRIu64 " more documents)", nd->docs[i] - 1);
		fputc('\n', out);
		shown++;
	}
	if (total > shown)
		fprintf(out, "    ... %zu more (in the --report JSON)\n", total - shown);
	if (s->nd_probe) {
		uint64_t flagged, confirmed, scan_only;
		confirm_counts(s, &flagged, &confirmed, &scan_only);
		fprintf(out, "  confirm '%s': the probe flagged %" PRIu64 " near-dup; the "
			"exact scan confirms %" PRIu64 " (C >= %.2f in some document), "
			"overturns %" PRIu64 "; %" PRIu64 " found by the scan only\n",
			s->nd_probe_path, flagged, confirmed, nd->min, flagged - confirmed,
			scan_only);
		shown = 0;
		for (size_t i = 0; i < s->set.nexamples && shown < ND_TEXT_HITS; i++) {
			if (!s->set.selected[i] || !s->nd_probe[i] || nd->docs[i])
				continue;
			const contam_example *e = &s->set.examples[i];
			fprintf(out, "    overturned: %s record %" PRIu64 "%s%s\n", e->benchmark,
				e->record, e->id ? " id " : "", e->id ? e->id : "");
			shown++;
		}
	}
	return ferror(out) ? CONTAM_E_IO : CONTAM_OK;
}

/* ---- --confirm: a probe report's near_dup verdicts, checked ---------- */

static const char *base_of(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

int contam_scan_near_dup_confirm(contam_scan *s, const char *path)
{
	json_error_t jerr;
	int rc = CONTAM_OK;
	cerr_clear(&s->err);
	if (s->ran)
		return cerr_set(&s->err, CONTAM_E_PARAM, "the scan has already run");
	if (!s->opt.near_dup)
		return cerr_set(&s->err, CONTAM_E_PARAM, "--confirm REPORT checks near_dup "
				"verdicts: it needs --near-dup");
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root)
		return cerr_set(&s->err, jerr.line < 1 && jerr.position == 0 ? CONTAM_E_IO
				: CONTAM_E_FORMAT, "cannot read '%s': %s", path, jerr.text);
	json_t *exs = json_object_get(root, "examples");
	size_t n = s->set.nexamples;
	unsigned char *v = calloc(n ? n : 1, 1);
	if (!v) {
		json_decref(root);
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	}
	if (!json_is_array(exs)) {
		rc = cerr_set(&s->err, CONTAM_E_FORMAT, "'%s': no \"examples\" array: not "
			      "a probe report", path);
		goto out;
	}
	if (json_array_size(exs) != n) {
		rc = cerr_set(&s->err, CONTAM_E_PARAM, "'%s' has %zu examples, the scan's "
			      "benchmarks %zu: give the benchmark files the probe read, with "
			      "the same options, in the same order", path,
			      json_array_size(exs), n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(exs, i);
		json_t *nd = json_object_get(e, "near_dup");
		json_t *rec = json_object_get(e, "record");
		const char *src = json_string_value(json_object_get(e, "source"));
		const contam_example *x = &s->set.examples[i];
		/* an example with no shingle is unscored (null), not flagged */
		if (json_is_null(nd) && json_is_true(json_object_get(e, "near_dup_unscored")))
			nd = json_false();
		if (!json_is_boolean(nd)) {
			rc = cerr_set(&s->err, CONTAM_E_FORMAT, "'%s': example %zu has no "
				      "near_dup verdict (a report of probe --near-dup is "
				      "needed)", path, i);
			goto out;
		}
		/* sources by file name: the probe may have been given another
		 * path to the same file */
		if (!json_is_integer(rec) || (uint64_t)json_integer_value(rec) != x->record ||
		    !src || strcmp(base_of(src), base_of(x->source))) {
			rc = cerr_set(&s->err, CONTAM_E_PARAM, "'%s': example %zu is %s record "
				      "%" PRId64 ", the scan's is %s record %" PRIu64 ": the "
				      "examples do not line up (the same benchmark files, "
				      "read with the same options, in the same order)", path, i,
				      src ? src : "(no source)",
				      json_is_integer(rec) ? (int64_t)json_integer_value(rec) : -1,
				      x->source, x->record);
			goto out;
		}
		v[i] = json_is_true(nd);
	}
	/* the shingle and window sizes of the probe's index */
	json_t *mh = json_object_get(json_object_get(root, "index"), "minhash");
	json_t *sh = json_object_get(mh, "shingle"), *ws = json_object_get(mh, "windows");
	if (json_is_object(mh)) {
		size_t nw = json_array_size(ws);
		if (!json_is_integer(sh) || json_integer_value(sh) < 1 ||
		    json_integer_value(sh) > CONTAM_MAX_NGRAM || nw < 1 || nw > CMH_MAX_WINDOWS) {
			rc = cerr_set(&s->err, CONTAM_E_FORMAT, "'%s': index.minhash has no "
				      "valid shingle and windows", path);
			goto out;
		}
		uint32_t w[CMH_MAX_WINDOWS] = { 0 };
		for (size_t k = 0; k < nw; k++) {
			json_t *x = json_array_get(ws, k);
			if (!json_is_integer(x) || json_integer_value(x) < 1 ||
			    json_integer_value(x) > CMH_MAX_WINDOW ||
			    (k && json_integer_value(x) <= w[k - 1])) {
				rc = cerr_set(&s->err, CONTAM_E_FORMAT, "'%s': index.minhash "
					      "windows are not ascending sizes", path);
				goto out;
			}
			w[k] = (uint32_t)json_integer_value(x);
		}
		s->nd_shingle = (uint32_t)json_integer_value(sh);
		s->nd_nwindows = (uint32_t)nw;
		memcpy(s->nd_windows, w, sizeof w);
	}
	free(s->nd_probe_path);
	if (!(s->nd_probe_path = cstrdup(path))) {
		rc = cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	free(s->nd_probe);
	s->nd_probe = v;
	v = NULL;
out:
	free(v);
	json_decref(root);
	return rc;
}

/* flagged by the probe, of them confirmed; found by the scan only */
static void confirm_counts(const contam_scan *s, uint64_t *flagged, uint64_t *confirmed,
			   uint64_t *scan_only)
{
	*flagged = *confirmed = *scan_only = 0;
	for (size_t i = 0; i < s->set.nexamples; i++) {
		if (!s->set.selected[i])
			continue;
		int hit = s->nd->docs[i] > 0;
		*flagged += s->nd_probe[i];
		*confirmed += s->nd_probe[i] && hit;
		*scan_only += !s->nd_probe[i] && hit;
	}
}

json_t *cscan_nd_confirm_json(const contam_scan *s)
{
	uint64_t flagged, confirmed, scan_only;
	confirm_counts(s, &flagged, &confirmed, &scan_only);
	json_t *o = json_object(), *over = json_array(), *only = json_array();
	json_object_set_new(o, "report", json_string(s->nd_probe_path));
	json_object_set_new(o, "flagged", json_integer((json_int_t)flagged));
	json_object_set_new(o, "confirmed", json_integer((json_int_t)confirmed));
	json_object_set_new(o, "overturned", json_integer((json_int_t)(flagged - confirmed)));
	json_object_set_new(o, "scan_only", json_integer((json_int_t)scan_only));
	for (size_t i = 0; i < s->set.nexamples; i++) {
		if (!s->set.selected[i])
			continue;
		int hit = s->nd->docs[i] > 0;
		if (s->nd_probe[i] && !hit)
			json_array_append_new(over, json_integer((json_int_t)i));
		else if (!s->nd_probe[i] && hit)
			json_array_append_new(only, json_integer((json_int_t)i));
	}
	json_object_set_new(o, "overturned_examples", over);
	json_object_set_new(o, "scan_only_examples", only);
	return o;
}
