/*
 * scan_match.c -- one document past the exact table: chains of matches
 * with their token and byte extents.
 *
 * How it works.  The tokenizer (text.h) gives every token its hash and
 * byte offsets in the document; a ring keeps the start offsets of the
 * last n tokens, so when an n-gram completes its bytes are known.  Each
 * n-gram found in the table continues the open chains that expect it: a
 * chain of example E that last matched E's position p continues if this
 * n-gram occurs at position p + 1 of E.  Matches are thus exact per
 * example and in order; a benchmark n-gram that merely occurs somewhere
 * never glues two unrelated pieces together.  Open chains and postings
 * are both sorted by (example, position), so continuing them is one merge
 * pass.  A chain that is not continued is closed.
 *
 * At the end of the document the closed chains are sorted by byte offset
 * and overlapping ones merged into regions, each with a snippet from the
 * document's first CSCAN_KEEP_TEXT bytes (kept as they stream past), and
 * every distinct entry seen counts the document once.
 *
 * A chain's bytes run from its first token to its last, widened over
 * punctuation touching them ("42." or a closing quote), which holds no
 * tokens: the bytes then hold the planted text as written, and cutting
 * them leaves no stray quote behind.
 */
#include "scan.h"

#include <stdlib.h>
#include <utf8proc.h>

static void close_chain(cscan_matcher *m, const cscan_chain *c)
{
	if (cgrow((void **)&m->closed, &m->cap_closed, m->nclosed + 1,
		 sizeof(*m->closed))) {
		m->oom = 1;
		return;
	}
	m->closed[m->nclosed++] = *c;
}

static void close_all(cscan_matcher *m)
{
	for (size_t i = 0; i < m->nopen; i++)
		close_chain(m, &m->open[i]);
	m->nopen = 0;
}

static void on_ngram(cscan_matcher *m, uint64_t h, uint64_t start,
		     uint64_t end, uint64_t tok)
{
	const cscan_table *t = &m->s->table;
	uint32_t e = cscan_lookup(t, h);
	if (e == CSCAN_NONE) {
		close_all(m);
		return;
	}
	if (cgrow((void **)&m->entries, &m->cap_entries, m->nentries + 1,
		 sizeof(*m->entries)) ||
	    cgrow((void **)&m->next, &m->cap_next, t->post_count[e],
		 sizeof(*m->next))) {
		m->oom = 1;
		return;
	}
	m->entries[m->nentries++] = e;
	const cscan_posting *ps = t->post + t->post_first[e];
	size_t np = t->post_count[e], a = 0;
	m->nnext = 0;
	for (size_t i = 0; i < np; i++) {
		const cscan_posting *p = &ps[i];
		while (a < m->nopen &&
		       (m->open[a].ex < p->ex ||
			(m->open[a].ex == p->ex && m->open[a].next < p->pos)))
			close_chain(m, &m->open[a++]);
		cscan_chain *c = &m->next[m->nnext++];
		if (a < m->nopen && m->open[a].ex == p->ex &&
		    m->open[a].next == p->pos) {
			*c = m->open[a++];
			c->npos++;
			c->next++;
			c->end = end;
		} else {
			*c = (cscan_chain){ .ex = p->ex, .pos = p->pos, .npos = 1,
					    .next = p->pos + 1, .tok = tok,
					    .start = start, .end = end };
		}
	}
	while (a < m->nopen)
		close_chain(m, &m->open[a++]);
	/* swap */
	cscan_chain *tmp = m->open;
	size_t tcap = m->cap_open;
	m->open = m->next;
	m->cap_open = m->cap_next;
	m->nopen = m->nnext;
	m->next = tmp;
	m->cap_next = tcap;
	m->nnext = 0;
}

static void on_token(void *ctx, const ctok_token *tk)
{
	cscan_matcher *m = ctx;
	uint64_t h;
	if (m->nd)
		cscan_ndm_token(m->nd, tk);
	m->tok_start[m->ntok & m->ring_mask] = tk->start;
	uint64_t idx = m->ntok++;
	if (!cngram_push(&m->ng, tk->hash, &h))
		return;
	uint64_t first = idx + 1 - m->n;
	m->ngrams++;
	on_ngram(m, h, m->tok_start[first & m->ring_mask], tk->end, first);
}

/* The look-ahead's tokens: every n-gram they complete is looked up,
 * hashed by the index build's stream of windows (ngram.h). */
static void on_token_hashes(void *ctx, const uint64_t *hashes, size_t k)
{
	cscan_matcher *m = ctx;
	m->htokens += k;
	if (m->hhit)
		return; /* the full path reads this document anyway */
	cngram_stream_put(m->htoks, &m->nhtoks, hashes, k);
	size_t made = cngram_stream_windows(m->s->opt.fast, m->htoks, &m->nhtoks,
					    m->n, m->s->seed, m->hwins);
	for (size_t j = 0; j < made && !m->hhit; j++)
		m->hhit = cscan_lookup(&m->s->table, m->hwins[j]) != CSCAN_NONE;
}

int cscan_matcher_init(cscan_matcher *m, const contam_scan *s)
{
	memset(m, 0, sizeof(*m));
	m->s = s;
	m->n = s->opt.ngram;
	ctok_init(&m->tok, s->opt.fast, s->seed, on_token, m);
	ctok_init_hashes(&m->htok, s->opt.fast, s->seed, on_token_hashes, m);
	cngram_init(&m->ng, m->n, s->seed);
	/* a power of two, so that the ring's index is a mask, not a
	 * division per token */
	m->ring_mask = 1;
	while (m->ring_mask + 1 < m->n)
		m->ring_mask = 2 * m->ring_mask + 1;
	m->tok_start = calloc(m->ring_mask + 1, sizeof(uint64_t));
	m->htoks = malloc((CONTAM_MAX_NGRAM + CTOK_HASH_BUF) * sizeof(uint64_t));
	m->hwins = malloc(CTOK_HASH_BUF * sizeof(uint64_t));
	if (s->nd && cscan_ndm_new(&m->nd, s))
		return CONTAM_E_NOMEM;
	return m->tok_start && m->htoks && m->hwins ? CONTAM_OK : CONTAM_E_NOMEM;
}

void cscan_matcher_release(cscan_matcher *m)
{
	ctok_release(&m->tok);
	ctok_release(&m->htok);
	free(m->htoks);
	free(m->hwins);
	cscan_ndm_free(m->nd);
	free(m->tok_start);
	free(m->open);
	free(m->next);
	free(m->closed);
	free(m->entries);
	cbuf_release(&m->text);
	memset(m, 0, sizeof(*m));
}

void cscan_matcher_begin(cscan_matcher *m)
{
	cngram_reset(&m->ng);
	if (m->nd)
		cscan_ndm_begin(m->nd);
	m->ntok = 0;
	m->nopen = m->nnext = m->nclosed = m->nentries = 0;
	m->doc_bytes = 0;
	m->tok_bad0 = m->tok.not_utf8;
	m->htok_bad0 = m->htok.not_utf8;
	cbuf_reset(&m->text);
}

uint64_t cscan_matcher_not_utf8(const cscan_matcher *m)
{
	/* a whole document goes through the look-ahead, then through the
	 * full tokenizer too when it holds a benchmark n-gram: each one saw
	 * all of it or none */
	uint64_t a = m->tok.not_utf8 - m->tok_bad0, b = m->htok.not_utf8 - m->htok_bad0;
	return a > b ? a : b;
}

int cscan_matcher_whole(cscan_matcher *m, const char *p, size_t n)
{
	/* --near-dup shingles every document: no look-ahead then */
	if (m->nd || m->doc_bytes)
		return cscan_matcher_feed(m, p, n);
	m->nhtoks = 0;
	m->htokens = 0;
	m->hhit = 0;
	if (ctok_feed(&m->htok, p, n) || ctok_finish(&m->htok))
		return m->oom = 1, CONTAM_E_NOMEM;
	if (m->hhit)
		return cscan_matcher_feed(m, p, n);
	/* no n-gram of it is in the table: what the full path would have
	 * left (no chain, no entry; its tokens and n-grams counted; the kept
	 * text serves snippets of chains only) */
	m->doc_bytes += n;
	m->ntok = m->htokens;
	if (m->htokens >= m->n)
		m->ngrams += m->htokens - m->n + 1;
	return m->oom ? CONTAM_E_NOMEM : CONTAM_OK;
}

int cscan_matcher_feed(cscan_matcher *m, const char *p, size_t n)
{
	if (m->text.len < CSCAN_KEEP_TEXT) {
		size_t keep = CSCAN_KEEP_TEXT - m->text.len;
		if (keep > n)
			keep = n;
		if (cbuf_append(&m->text, p, keep))
			m->oom = 1;
	}
	m->doc_bytes += n;
	if (ctok_feed(&m->tok, p, n))
		m->oom = 1;
	return m->oom ? CONTAM_E_NOMEM : CONTAM_OK;
}

static int is_punct(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
		return 1;
	default:
		return 0;
	}
}

/* Widen [*start, *end) over punctuation characters next to it, within
 * the kept text. */
static void widen(const cbuf *text, uint64_t *start, uint64_t *end)
{
	const utf8proc_uint8_t *t = (const utf8proc_uint8_t *)text->data;
	if (*end > text->len)
		return;
	while (*start > 0) {
		uint64_t b = *start - 1;
		while (b > 0 && *start - b < 4 && (t[b] & 0xC0) == 0x80)
			b--;
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(t + b, (utf8proc_ssize_t)(*start - b), &cp);
		if (n != (utf8proc_ssize_t)(*start - b) || !is_punct(cp))
			break;
		*start = b;
	}
	while (*end < text->len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(t + *end,
			(utf8proc_ssize_t)(text->len - *end < 4 ? text->len - *end : 4), &cp);
		if (n <= 0 || !is_punct(cp))
			break;
		*end += (uint64_t)n;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_chain(const void *a, const void *b)
{
	const cscan_chain *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->ex != y->ex)
		return x->ex < y->ex ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A snippet of bytes [start, end) of the kept text, cut to
 * CSCAN_SNIPPET bytes at a UTF-8 character boundary. */
static char *make_snippet(const cbuf *text, uint64_t start, uint64_t end)
{
	if (end > text->len || start >= end)
		return NULL;
	size_t n = (size_t)(end - start);
	if (n > CSCAN_SNIPPET) {
		n = CSCAN_SNIPPET;
		while (n > 0 && ((unsigned char)text->data[start + n] & 0xC0) == 0x80)
			n--;
	}
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, text->data + start, n);
	s[n] = '\0';
	return s;
}

int cscan_matcher_end(cscan_matcher *m, uint64_t *entry_docs, cscan_hitdoc *hd)
{
	if (ctok_finish(&m->tok))
		m->oom = 1;
	close_all(m);
	if (m->oom)
		return CONTAM_E_NOMEM;
	memset(hd, 0, sizeof(*hd));
	if (!m->nclosed)
		return 0;
	/* each distinct entry counts this document once */
	qsort(m->entries, m->nentries, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < m->nentries; i++)
		if (i == 0 || m->entries[i] != m->entries[i - 1])
			__atomic_fetch_add(&entry_docs[m->entries[i]], 1,
					   __ATOMIC_RELAXED);

	for (size_t i = 0; i < m->nclosed; i++)
		widen(&m->text, &m->closed[i].start, &m->closed[i].end);
	qsort(m->closed, m->nclosed, sizeof(*m->closed), cmp_chain);
	hd->chains = malloc(m->nclosed * sizeof(*hd->chains));
	hd->regions = calloc(m->nclosed, sizeof(*hd->regions));
	if (!hd->chains || !hd->regions) {
		cscan_hitdoc_release(hd);
		return CONTAM_E_NOMEM;
	}
	memcpy(hd->chains, m->closed, m->nclosed * sizeof(*hd->chains));
	hd->nchains = m->nclosed;
	hd->bytes = m->doc_bytes;
	hd->tokens = m->ntok;
	for (size_t i = 0; i < hd->nchains; i++) {
		const cscan_chain *c = &hd->chains[i];
		uint64_t tok_end = c->tok + c->npos + m->n - 1;
		cscan_region *r = hd->nregions ? &hd->regions[hd->nregions - 1] : NULL;
		if (r && c->start < r->end) {
			if (c->end > r->end)
				r->end = c->end;
			if (tok_end > r->tok_end)
				r->tok_end = tok_end;
			if (c->tok < r->tok_start)
				r->tok_start = c->tok;
			r->nchains++;
			continue;
		}
		r = &hd->regions[hd->nregions++];
		*r = (cscan_region){ .start = c->start, .end = c->end,
				     .tok_start = c->tok, .tok_end = tok_end,
				     .first = (uint32_t)i, .nchains = 1 };
	}
	for (size_t i = 0; i < hd->nregions; i++)
		hd->regions[i].snippet = make_snippet(&m->text, hd->regions[i].start,
						      hd->regions[i].end);
	return 1;
}
