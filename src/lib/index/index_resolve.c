/*
 * index_resolve.c -- a partition set probed with the memory of one
 * partition: a handle that first records the n-gram keys a probe asks
 * about, then loads each partition in turn, answers those keys from it
 * (the filter's bit, the doc-freq estimate) and frees it.  It then
 * answers the recorded keys, with the statistics of the whole set, as
 * contam_index_load_parts's handle would; any other key gets -1.
 *
 * Why this works for a probe: the keys a probe looks up do not depend on
 * the answers (every n-gram of every example and of its shuffled copy is
 * looked up), so a first pass over the benchmarks with a recording
 * handle finds them all.
 *
 * The doc-freq sketch of a partition holds the lines its keys map to;
 * two neighbours may both hold the line at their boundary, and the whole
 * set's counter there is their saturating sum.  So the first and last
 * line of each partition are kept (64 bytes each) and summed over the
 * partitions that hold them; a key on such a line is answered from the
 * sum once every partition has been read.
 *
 * The minhash band section (index_minhash.h) is not resolved this way:
 * the partitions' block ranges of it are read into one whole minhash
 * filter when the set is opened, so its lookups are answered at once.
 */
#include "index.h"
#include "index_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* A mapped filter's pages are given back (their page-table entries
 * dropped; the file's pages stay cached) every this many bytes of the
 * walk: the keys are sorted, so their blocks come in file order, and a
 * probe's memory stays this much plus the answers, whatever the filter's
 * size. */
#define RESOLVE_DROP ((uint64_t)8 << 20)

struct cresolved {
	int answering;              /* 0: recording keys */
	int oom;                    /* recording ran out of memory */
	uint64_t *keys;             /* answering: sorted, distinct */
	size_t n, cap;
	unsigned char *hit;         /* per key: 1 present, 0 absent */
	int32_t *df;                /* per key: the estimate, or -1 */
	int has_df;
	cifile **parts;             /* the set, opened and checked */
	size_t nparts;
};

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sort and drop repeats. */
static void compact(struct cresolved *r)
{
	if (!r->n)
		return;
	qsort(r->keys, r->n, sizeof(*r->keys), by_key);
	size_t m = 1;
	for (size_t i = 1; i < r->n; i++)
		if (r->keys[i] != r->keys[m - 1])
			r->keys[m++] = r->keys[i];
	r->n = m;
}

static int record(struct cresolved *r, uint64_t key)
{
	if (r->n == r->cap) {
		/* repeats are common (shared phrases, the null control):
		 * compact before growing */
		compact(r);
		if (!r->cap || r->n > r->cap / 2) {
			size_t cap = r->cap ? r->cap * 2 : (size_t)1 << 16;
			uint64_t *k = realloc(r->keys, cap * sizeof(*k));
			if (!k) {
				r->oom = 1;
				return -1;
			}
			r->keys = k;
			r->cap = cap;
		}
	}
	r->keys[r->n++] = key;
	return 0;
}

static ptrdiff_t find(const struct cresolved *r, uint64_t key)
{
	size_t a = 0, b = r->n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (r->keys[m] < key)
			a = m + 1;
		else
			b = m;
	}
	return a < r->n && r->keys[a] == key ? (ptrdiff_t)a : -1;
}

int cresolved_contains(struct cresolved *r, uint64_t key)
{
	if (!r->answering)
		return record(r, key) ? -1 : 0;
	ptrdiff_t i = find(r, key);
	return i < 0 ? -1 : r->hit[i];
}

int64_t cresolved_doc_freq(const struct cresolved *r, uint64_t key)
{
	if (!r->has_df)
		return -1;
	if (!r->answering)
		return 0; /* recording: contam_probe_new asks whether there are counts */
	ptrdiff_t i = find(r, key);
	return i < 0 ? -1 : r->df[i];
}

void cresolved_free(struct cresolved *r)
{
	if (!r)
		return;
	free(r->keys);
	free(r->hit);
	free(r->df);
	cparts_close(r->parts, r->nparts);
	free(r);
}

/* The first key (of the sorted set) whose block is >= b. */
static size_t first_in_block(const struct cresolved *r, uint64_t nblocks, uint64_t b)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (cbloom_block(r->keys[m], nblocks) < b)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

int contam_index_parts_open(contam_index **out, const char *const *paths, size_t n,
			    contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	*out = NULL;
	cifile **parts = NULL;
	contam_index *ix = NULL;
	struct cresolved *r = NULL;
	int rc = cparts_open(&parts, paths, n, &e);
	if (rc)
		return cerr_export(&e, err);
	const cifile *p0 = parts[0];
	if (!(r = calloc(1, sizeof(*r)))) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	r->parts = parts;
	r->nparts = n;
	parts = NULL;
	r->has_df = cifile_sec(p0, CISEC_TYPE_DOC_FREQ) != NULL;
	/* the whole filter's geometry, holding no filter */
	if ((rc = cindex_new_shell(&ix, &p0->params, 0, 1, 0))) {
		e = ix ? ix->err : e;
		if (!ix)
			cerr_set(&e, rc, "out of memory");
		goto out;
	}
	/* as contam_index_load_parts: the first part's manifest, skips and
	 * n-gram count (every part indexed the same inputs, and walked the
	 * same directories); a whole index alone keeps its format version
	 * too */
	cifile *f0 = r->parts[0];
	ix->ngrams_inserted = f0->ngrams_inserted;
	ix->manifest = f0->manifest;
	ix->nmanifest = f0->nmanifest;
	ix->skips = f0->skips;
	ix->nskips = f0->nskips;
	f0->manifest = NULL;
	f0->nmanifest = 0;
	f0->skips = NULL;
	f0->nskips = 0;
	if (f0->part_count == 1) {
		ix->format_version = f0->format_version;
		ix->raw_filter = f0->raw;
	}
	/* every chunked section but the doc-freq sketch (streamed with
	 * the filter, below) is held whole, loaded by its kind: the
	 * minhash band section's key answers never wait for a partition,
	 * and it is a fraction of one filter (FORMAT.md) */
	for (size_t k = 0; k < CISEC_SLOTS; k++) {
		const cisec *s = &r->parts[0]->sec[k];
		if (s->ops && s->type != CISEC_TYPE_DOC_FREQ &&
		    (rc = s->ops->load_parts(ix, r->parts, r->nparts, &e)))
			goto out;
	}
	/* contam_probe_new asks for key 0's count (are there counts?) */
	if (record(r, 0)) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	ix->rk = r;
	r = NULL;
out:
	cparts_close(parts, n);
	cresolved_free(r);
	if (rc) {
		contam_index_free(ix);
		return cerr_export(&e, err);
	}
	*out = ix;
	return cerr_export(&e, err); /* "" */
}

/* A boundary line of the doc-freq sketch, summed over the partitions
 * that hold it. */
typedef struct bline {
	uint64_t line;
	uint16_t c[CDF_LINE_COUNTERS];
} bline;

/* A deferred key: answered from its boundary line at the end. */
typedef struct dkey {
	size_t k;
	uint64_t line;
} dkey;

static cdocfreq one_line(const cdocfreq *d, uint64_t line, uint16_t *c)
{
	cdocfreq o;
	memset(&o, 0, sizeof(o));
	o.c = c;
	o.lines = d->lines;
	o.lo = line;
	o.hi = line + 1;
	o.d = d->d;
	return o;
}

static bline *bline_get(bline **v, size_t *n, uint64_t line)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].line == line)
			return &(*v)[i];
	bline *m = realloc(*v, (*n + 1) * sizeof(*m));
	if (!m)
		return NULL;
	*v = m;
	memset(&m[*n], 0, sizeof(m[*n]));
	m[*n].line = line;
	return &m[(*n)++];
}

/* A compressed partition streamed chunk by chunk (cifile_read_all_visit):
 * the keys whose blocks lie in chunk c answered from its raw bytes.  Each
 * chunk's keys are its own, so threads write disjoint answers. */
typedef struct answer_ctx {
	struct cresolved *r;
	const cifile *f;
} answer_ctx;

static void answer_chunk(void *ctx, uint64_t c, const unsigned char *raw, size_t n)
{
	const answer_ctx *ac = ctx;
	const cifile *f = ac->f;
	const uint64_t b0 = f->lo + c * (f->chunk_bytes / 64);
	const cbloom part = { (uint64_t *)(uintptr_t)raw, f->params.nblocks, b0,
			      b0 + n / 64, f->params.k };
	size_t a = first_in_block(ac->r, part.nblocks, part.lo);
	size_t b = first_in_block(ac->r, part.nblocks, part.hi);
	for (size_t k = a; k < b; k++)
		ac->r->hit[k] = cbloom_contains(&part, ac->r->keys[k]) == 1;
}

/* A mapped partition pix onto the keys [a, b) it holds, walked in block
 * order with the pages behind the walk given back. */
static void answer_mapped(struct cresolved *r, const contam_index *pix, size_t a,
			  size_t b)
{
	unsigned char *base = (unsigned char *)pix->filter.bits;
	uint64_t dropped = 0;
	for (size_t k = a; k < b; k++) {
		uint64_t at = (cbloom_block(r->keys[k], pix->filter.nblocks) -
			       pix->filter.lo) * 64 & ~(RESOLVE_DROP - 1);
		if (at >= dropped + RESOLVE_DROP) {
			madvise(base + dropped, (size_t)(at - dropped), MADV_DONTNEED);
			dropped = at;
		}
		r->hit[k] = cbloom_contains(&pix->filter, r->keys[k]) == 1;
	}
}

/* The doc-freq line of a key: floor(key * L / 2^64), the format's rule
 * (docs/FORMAT.md, "The document-frequency sketch"); monotone in the key
 * as its block is. */
static uint64_t line_of_key(uint64_t key, uint64_t lines)
{
	__extension__ typedef unsigned __int128 u128;
	return (uint64_t)(((u128)key * lines) >> 64);
}

/* The first of the keys [a, b) whose line is >= l. */
static size_t first_in_line(const struct cresolved *r, size_t a, size_t b,
			    uint64_t lines, uint64_t l)
{
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (line_of_key(r->keys[m], lines) < l)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* A partition's doc-freq sketch streamed chunk by chunk: the keys [a, b)
 * of its blocks answered from the chunk holding their line, and copies of
 * its first and last line kept (those may be shared with a neighbour). */
typedef struct df_ctx {
	struct cresolved *r;
	const cifile *f;
	size_t a, b;
	uint64_t ends[2];           /* its first and last line */
	uint16_t edge[2][CDF_LINE_COUNTERS];
} df_ctx;

static void answer_df_chunk(void *ctx, uint64_t c, const unsigned char *raw, size_t n)
{
	df_ctx *x = ctx;
	const cisec *sec = cifile_sec(x->f, CISEC_TYPE_DOC_FREQ);
	const cdf_sec *s = (const cdf_sec *)(const void *)sec->dec;
	cdocfreq v;
	memset(&v, 0, sizeof(v));
	v.c = (uint16_t *)(uintptr_t)raw;
	v.lines = s->lines;
	v.lo = s->lo + c * (sec->cs.chunk_bytes / 64);
	v.hi = v.lo + n / 64;
	v.d = s->d;
	size_t a = first_in_line(x->r, x->a, x->b, v.lines, v.lo);
	size_t b = first_in_line(x->r, a, x->b, v.lines, v.hi);
	for (size_t k = a; k < b; k++)
		x->r->df[k] = (int32_t)cdf_query(&v, x->r->keys[k]);
	for (int j = 0; j < 2; j++)
		if (x->ends[j] >= v.lo && x->ends[j] < v.hi)
			memcpy(x->edge[j], raw + (x->ends[j] - v.lo) * 64, 64);
}

static int defer(dkey **dk, size_t *ndk, size_t *capdk, size_t k, uint64_t line)
{
	if (*ndk == *capdk) {
		size_t cap = *capdk ? *capdk * 2 : 1024;
		dkey *m = realloc(*dk, cap * sizeof(*m));
		if (!m)
			return CONTAM_E_NOMEM;
		*dk = m;
		*capdk = cap;
	}
	(*dk)[(*ndk)++] = (dkey){ k, line };
	return CONTAM_OK;
}

/* The doc-freq answers of partition f for its keys [a, b): streamed (an
 * all-zero chunk is not visited: its keys' counts stay 0), the edge lines
 * summed into *bl and their keys deferred, the sums added to *dsum and
 * *dsat with the edge lines' taken out (added back, summed, at the
 * end). */
static int df_part(struct cresolved *r, const cifile *f, size_t a, size_t b,
		   bline **bl, size_t *nbl, dkey **dk, size_t *ndk, size_t *capdk,
		   uint64_t *dsum, uint64_t *dsat, cerr *e)
{
	const cdf_sec *g = cifile_sec_dec(f, CISEC_TYPE_DOC_FREQ);
	if (!g || g->hi <= g->lo)
		return CONTAM_OK;
	df_ctx x;
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.f = f;
	x.a = a;
	x.b = b;
	x.ends[0] = g->lo;
	x.ends[1] = g->hi - 1;
	for (size_t k = a; k < b; k++)
		r->df[k] = 0;
	uint64_t sum = 0, sat = 0;
	int rc = cifile_read_df_all_visit(f, NULL, answer_df_chunk, &x, &sum, &sat, e);
	if (rc)
		return rc;
	*dsum += sum;
	*dsat += sat;
	for (int j = 0; j < 2; j++) {
		if (j == 1 && x.ends[1] == x.ends[0])
			break;
		bline *l = bline_get(bl, nbl, x.ends[j]);
		if (!l)
			return cerr_set(e, CONTAM_E_NOMEM, "out of memory");
		/* the whole set's counters there are the sum: take this
		 * part's out of the totals, the sum goes in at the end */
		uint64_t s = 0, t = 0;
		cdf_measure(x.edge[j], CDF_LINE_COUNTERS, &s, &t);
		*dsum -= s;
		*dsat -= t;
		cdf_sat_add(l->c, x.edge[j], CDF_LINE_COUNTERS);
		size_t ka = first_in_line(r, a, b, g->lines, x.ends[j]);
		size_t kb = first_in_line(r, ka, b, g->lines, x.ends[j] + 1);
		for (size_t k = ka; k < kb; k++)
			if (defer(dk, ndk, capdk, k, x.ends[j]))
				return cerr_set(e, CONTAM_E_NOMEM, "out of memory");
	}
	return CONTAM_OK;
}

int contam_index_parts_resolve(contam_index *ix, contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	struct cresolved *r = ix ? ix->rk : NULL;
	bline *bl = NULL;
	dkey *dk = NULL;
	size_t nbl = 0, ndk = 0, capdk = 0;
	int rc = CONTAM_OK;
	if (!r || r->answering) {
		cerr_set(&e, CONTAM_E_PARAM, "not a partition set recording keys");
		return cerr_export(&e, err);
	}
	if (r->oom) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory (recording n-gram keys)");
		goto out;
	}
	compact(r);
	if (!(r->hit = calloc(r->n ? r->n : 1, 1)) ||
	    !(r->df = malloc((r->n ? r->n : 1) * sizeof(*r->df)))) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < r->n; k++)
		r->df[k] = -1;
	const uint64_t nblocks = ix->params.nblocks;
	uint64_t set = 0, dsum = 0, dsat = 0, pairs = 0;
	double fpr = 0;
	/* in the order given, as contam_index_load_parts sums them */
	for (size_t i = 0; i < r->nparts && !rc; i++) {
		cifile *f = r->parts[i], *mf = NULL;
		contam_index *pix = NULL;
		size_t a = first_in_block(r, nblocks, f->lo);
		size_t b = first_in_block(r, nblocks, f->hi);
		/* an uncompressed partition is mapped: only the pages of
		 * the keys' blocks are read; a compressed one is streamed,
		 * one chunk per thread in memory, every chunk checked and
		 * measured as a load measures it; the doc-freq sketch is
		 * streamed either way */
		if (f->raw && !(rc = cifile_open_map(&mf, f->path, &e)) &&
		    !(rc = cindex_load_file(&pix, mf, CILOAD_MAP | CILOAD_NO_DF, &set,
					    &fpr, &e))) {
			answer_mapped(r, pix, a, b);
		} else if (!f->raw) {
			answer_ctx ac = { r, f };
			rc = cifile_read_all_visit(f, NULL, answer_chunk, &ac, &set, &fpr, &e);
		}
		cifile_close(mf);
		contam_index_free(pix);
		if (!rc && r->has_df) {
			pairs += ((const cdf_sec *)cifile_sec_dec(f, CISEC_TYPE_DOC_FREQ))->pairs;
			rc = df_part(r, f, a, b, &bl, &nbl, &dk, &ndk, &capdk, &dsum, &dsat,
				     &e);
		}
	}
	if (rc)
		goto out;
	for (size_t i = 0; i < ndk; i++) {
		bline *l = bline_get(&bl, &nbl, dk[i].line); /* there: kept by its part */
		const cdf_sec *s0 = cifile_sec_dec(r->parts[0], CISEC_TYPE_DOC_FREQ);
		cdocfreq geo = { .lines = s0->lines, .d = s0->d };
		cdocfreq o = one_line(&geo, l->line, l->c);
		r->df[dk[i].k] = (int32_t)cdf_query(&o, r->keys[dk[i].k]);
	}
	for (size_t i = 0; i < nbl; i++) {
		uint64_t s = 0, t = 0;
		cdf_measure(bl[i].c, CDF_LINE_COUNTERS, &s, &t);
		dsum += s;
		dsat += t;
	}
	cindex_set_stats(ix, set, fpr);
	if (r->has_df) {
		const cdf_sec *s0 = cifile_sec_dec(r->parts[0], CISEC_TYPE_DOC_FREQ);
		ix->has_df = 1;
		ix->df_d = s0->d;
		ix->df_lines = s0->lines;
		cdf_part_lines(s0->lines, nblocks, 0, nblocks, &ix->df_lo, &ix->df_hi);
		ix->df_pairs = pairs;
		ix->df_sum = dsum;
		ix->df_saturated = dsat;
	}
	r->answering = 1;
	/* the files are no longer needed */
	cparts_close(r->parts, r->nparts);
	r->parts = NULL;
	r->nparts = 0;
out:
	free(bl);
	free(dk);
	cerr_export(&e, err); /* "" on success */
	return rc;
}
