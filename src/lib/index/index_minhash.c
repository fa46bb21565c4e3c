/*
 * index_minhash.c -- the MinHash band section's filter, header codec and
 * lookups (index_minhash.h).  The chunks are read and written by
 * index_file.c's chunk machinery, as the doc-freq sketch's are.
 */
#include "index_minhash.h"
#include "index_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum {
	M_VERSION = 0, M_SHINGLE = 4, M_BANDS = 8, M_ROWS = 12, M_NWINDOWS = 16,
	M_STRIDE_DIV = 20, M_K = 24, M_WINDOWS = 32, M_NBLOCKS = 64, M_LO = 72,
	M_HI = 80, M_KEYS = 88, M_NWIN = 96, M_SHINGLES = 104
};

cmh_filter *cmh_filter_new(const cmh_params *p, uint64_t nblocks, uint32_t k,
			   uint32_t part_index, uint32_t part_count, int with_bits)
{
	if (cmh_params_check(p, NULL, 0) != CONTAM_OK || nblocks == 0 ||
	    nblocks > (1ULL << 34) || k < 1 || k > CBLOOM_K_MAX || part_count == 0 ||
	    part_index >= part_count || part_count > nblocks)
		return NULL;
	cmh_filter *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->p = *p;
	m->f.nblocks = nblocks;
	m->f.k = k;
	cbloom_partition_range(nblocks, part_index, part_count, &m->f.lo, &m->f.hi);
	if (with_bits && !(m->f.bits = cbloom_alloc(m->f.hi - m->f.lo))) {
		free(m);
		return NULL;
	}
	return m;
}

void cmh_filter_free(cmh_filter *m)
{
	if (!m)
		return;
	cbloom_free(m->f.bits, m->f.hi - m->f.lo);
	free(m);
}

void cmh_filter_measure(cmh_filter *m)
{
	if (m->stats_valid || !m->f.bits)
		return;
	uint64_t set = 0;
	m->fpr_sum = cbloom_measure(m->f.bits, m->f.hi - m->f.lo, m->f.k, &set);
	m->bits_set = set;
	m->stats_valid = 1;
}

int cmh_filter_plan(uint64_t expected_keys, double band_fpr, uint64_t *nblocks,
		    uint32_t *k)
{
	contam_params pp;
	double pred;
	if (!(band_fpr > 0 && band_fpr < 1))
		return CONTAM_E_PARAM;
	if (contam_plan_filter(expected_keys ? expected_keys : 1, band_fpr, 0, 5, &pp, &pred,
			       NULL))
		return CONTAM_E_PARAM;
	*nblocks = pp.nblocks;
	*k = pp.k;
	return CONTAM_OK;
}

void cmh_sec_encode(unsigned char *h, const cmh_filter *m)
{
	memset(h, 0, CMH_SEC_HEAD);
	put_le32(h + M_VERSION, CMH_SEC_VERSION);
	put_le32(h + M_SHINGLE, m->p.shingle);
	put_le32(h + M_BANDS, m->p.bands);
	put_le32(h + M_ROWS, m->p.rows);
	put_le32(h + M_NWINDOWS, m->p.nwindows);
	put_le32(h + M_STRIDE_DIV, m->p.stride_div);
	put_le32(h + M_K, m->f.k);
	for (int i = 0; i < CMH_MAX_WINDOWS; i++)
		put_le32(h + M_WINDOWS + 4 * i, m->p.windows[i]);
	put_le64(h + M_NBLOCKS, m->f.nblocks);
	put_le64(h + M_LO, m->f.lo);
	put_le64(h + M_HI, m->f.hi);
	put_le64(h + M_KEYS, m->keys);
	put_le64(h + M_NWIN, m->windows);
	put_le64(h + M_SHINGLES, m->shingles);
}

int cmh_sec_decode(const unsigned char *h, uint64_t seed, uint32_t part_index,
		   uint32_t part_count, cmh_filter *m, char *why, size_t whylen)
{
	memset(m, 0, sizeof(*m));
	uint32_t version = get_le32(h + M_VERSION);
	if (version != CMH_SEC_VERSION) {
		snprintf(why, whylen, "minhash section version %u is not supported (this "
			 "contam reads %d)", version, CMH_SEC_VERSION);
		return CONTAM_E_FORMAT;
	}
	m->p.shingle = get_le32(h + M_SHINGLE);
	m->p.bands = get_le32(h + M_BANDS);
	m->p.rows = get_le32(h + M_ROWS);
	m->p.nwindows = get_le32(h + M_NWINDOWS);
	m->p.stride_div = get_le32(h + M_STRIDE_DIV);
	m->p.seed = seed;
	for (int i = 0; i < CMH_MAX_WINDOWS; i++)
		m->p.windows[i] = get_le32(h + M_WINDOWS + 4 * i);
	m->f.k = get_le32(h + M_K);
	m->f.nblocks = get_le64(h + M_NBLOCKS);
	m->f.lo = get_le64(h + M_LO);
	m->f.hi = get_le64(h + M_HI);
	m->keys = get_le64(h + M_KEYS);
	m->windows = get_le64(h + M_NWIN);
	m->shingles = get_le64(h + M_SHINGLES);
	char pwhy[200];
	if (cmh_params_check(&m->p, pwhy, sizeof(pwhy))) {
		snprintf(why, whylen, "the minhash section is damaged (%s)", pwhy);
		return CONTAM_E_CORRUPT;
	}
	uint64_t lo = 0, hi = 0;
	int ok = m->f.k >= 1 && m->f.k <= CBLOOM_K_MAX && m->f.nblocks >= 1 &&
		 m->f.nblocks <= (1ULL << 34) && part_count <= m->f.nblocks &&
		 get_le32(h + 28) == 0 && get_le64(h + 112) == 0 && get_le64(h + 120) == 0;
	if (ok)
		cbloom_partition_range(m->f.nblocks, part_index, part_count, &lo, &hi);
	if (!ok || m->f.lo != lo || m->f.hi != hi) {
		snprintf(why, whylen, "the minhash section is damaged (invalid filter geometry)");
		return CONTAM_E_CORRUPT;
	}
	return CONTAM_OK;
}

const char *cmh_filter_differ(const cmh_filter *a, const cmh_filter *b)
{
	const cmh_params *x = &a->p, *y = &b->p;
	if (x->shingle != y->shingle)
		return "minhash shingle length";
	if (x->bands != y->bands)
		return "minhash bands (b)";
	if (x->rows != y->rows)
		return "minhash rows (r)";
	if (x->nwindows != y->nwindows || x->stride_div != y->stride_div ||
	    cmh_params_differ(x, y))
		return "minhash windows";
	if (a->f.nblocks != b->f.nblocks)
		return "minhash filter size";
	if (a->f.k != b->f.k)
		return "minhash bits per key (k)";
	return NULL;
}

const cmh_params *cindex_mh_params(const contam_index *ix)
{
	return ix && ix->mh ? &ix->mh->p : NULL;
}

int cindex_mh_contains(const contam_index *ix, uint64_t key)
{
	if (!ix || !ix->mh || !ix->mh->f.bits)
		return -1;
	return cbloom_contains(&ix->mh->f, key);
}

double cindex_mh_band_fpr(const contam_index *ix)
{
	if (!ix || !ix->mh)
		return 0;
	const cmh_filter *m = ix->mh;
	const uint64_t nb = m->f.hi - m->f.lo;
	if (!nb)
		return 0;
	if (m->stats_valid)
		return m->fpr_sum / (double)nb;
	if (!m->f.bits)
		return 0;
	uint64_t set;
	return cbloom_measure(m->f.bits, nb, m->f.k, &set) / (double)nb;
}

/* ---- the public API (contam.h) ---- */

static void to_cmh(const contam_minhash_params *p, uint64_t seed, cmh_params *out)
{
	memset(out, 0, sizeof(*out));
	out->shingle = p->shingle;
	out->bands = p->bands;
	out->rows = p->rows;
	out->nwindows = p->nwindows;
	for (int i = 0; i < CMH_MAX_WINDOWS; i++)
		out->windows[i] = p->windows[i];
	out->stride_div = p->stride_div;
	out->seed = seed;
}

static void from_cmh(const cmh_params *p, contam_minhash_params *out)
{
	memset(out, 0, sizeof(*out));
	out->shingle = p->shingle;
	out->bands = p->bands;
	out->rows = p->rows;
	out->nwindows = p->nwindows;
	for (int i = 0; i < CMH_MAX_WINDOWS; i++)
		out->windows[i] = p->windows[i];
	out->stride_div = p->stride_div;
}

void contam_minhash_params_default(contam_minhash_params *p)
{
	cmh_params c;
	cmh_params_default(&c, 0);
	from_cmh(&c, p);
}

int contam_minhash_params_check(const contam_minhash_params *p, contam_error *err)
{
	cmh_params c;
	cerr e;
	cerr_clear(&e);
	to_cmh(p, 0, &c);
	char why[256];
	if (cmh_params_check(&c, why, sizeof(why)))
		cerr_set(&e, CONTAM_E_PARAM, "%s", why);
	return cerr_export(&e, err);
}

double contam_minhash_threshold(uint32_t bands, uint32_t rows)
{
	return cmh_threshold(bands, rows);
}

double contam_minhash_match_prob(uint32_t bands, uint32_t rows, double j)
{
	return cmh_match_prob(bands, rows, j);
}

uint64_t contam_minhash_expected_keys(const contam_minhash_params *p, uint64_t expected_words)
{
	cmh_params c;
	to_cmh(p, 0, &c);
	double k = (double)expected_words * cmh_windows_per_shingle(&c) * (double)p->bands;
	/* every document has at least one window: a floor for tiny inputs */
	return k < 1024 ? 1024 : k > 1e18 ? (uint64_t)1e18 : (uint64_t)k;
}

int contam_index_minhash_enable(contam_index *ix, const contam_minhash_params *p,
				uint64_t expected_keys, double band_fpr, contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	cmh_params c;
	char why[256];
	uint64_t nblocks = 0;
	uint32_t k = 0;
	to_cmh(p, ix->params.seed, &c);
	if (ix->mh)
		cerr_set(&e, CONTAM_E_PARAM, "the index has a minhash section already");
	else if (ix->nmanifest || ix->ngrams_inserted)
		cerr_set(&e, CONTAM_E_PARAM, "the index holds documents without near-duplicate "
			 "signatures: build a new index with --minhash");
	else if (!ix->filter.bits || ix->rk || ix->map)
		cerr_set(&e, CONTAM_E_PARAM, "this index handle cannot be built into");
	else if (cmh_params_check(&c, why, sizeof(why)))
		cerr_set(&e, CONTAM_E_PARAM, "%s", why);
	else if (cmh_filter_plan(expected_keys, band_fpr, &nblocks, &k))
		cerr_set(&e, CONTAM_E_PARAM, "cannot plan a minhash filter for %llu keys at "
			 "a false-positive rate of %g per band", (unsigned long long)expected_keys,
			 band_fpr);
	else if (nblocks < ix->part_count)
		nblocks = ix->part_count;
	if (!e.code && !(ix->mh = cmh_filter_new(&c, nblocks, k, ix->part_index,
						  ix->part_count, 1)))
		cerr_set(&e, CONTAM_E_NOMEM, "cannot allocate a %llu MiB minhash filter",
			 (unsigned long long)(nblocks * 64 / ix->part_count >> 20));
	if (ix->mh)
		ix->mh->stats_valid = 0;
	return cerr_export(&e, err);
}

int contam_index_minhash_info(const contam_index *ix, contam_minhash_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!ix || !ix->mh)
		return CONTAM_E_PARAM;
	const cmh_filter *m = ix->mh;
	from_cmh(&m->p, &out->params);
	out->threshold = cmh_threshold(m->p.bands, m->p.rows);
	out->k = m->f.k;
	out->nblocks = m->f.nblocks;
	out->filter_bytes = cbloom_held_bytes(&m->f);
	out->keys = m->keys;
	out->windows = m->windows;
	out->shingles = m->shingles;
	uint64_t set = m->bits_set;
	if (!m->stats_valid && m->f.bits)
		cbloom_measure(m->f.bits, m->f.hi - m->f.lo, m->f.k, &set);
	out->bits_set = set;
	out->fill = out->filter_bytes ? (double)set / (double)(out->filter_bytes * 8) : 0;
	out->band_fpr = cindex_mh_band_fpr(ix);
	out->item_fpr = 1 - pow(1 - out->band_fpr, (double)m->p.bands);
	return CONTAM_OK;
}

int contam_index_minhash_contains(const contam_index *ix, uint64_t key)
{
	return cindex_mh_contains(ix, key);
}

int contam_index_minhash_words(contam_index *ix, uint64_t **words, size_t *count,
			       uint64_t *counters[3])
{
	if (!ix || !words || !count || !counters)
		return CONTAM_E_PARAM;
	if (!ix->mh)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "the index has no minhash section");
	cmh_filter *m = ix->mh;
	if (!m->f.bits)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "a summary handle holds no minhash "
				"filter");
	*words = m->f.bits;
	*count = (size_t)((m->f.hi - m->f.lo) * CBLOOM_BLOCK_WORDS);
	counters[0] = &m->keys;
	counters[1] = &m->windows;
	counters[2] = &m->shingles;
	/* the caller may write: the cached measure (index_build.c takes it
	 * at the end of a build) would describe the bits before */
	m->stats_valid = 0;
	return CONTAM_OK;
}

/* ---- the minhash section of an index file (type 5) ----------------
 *
 * Its header is cmh_sec_encode's CMH_SEC_HEAD bytes, decoded into a
 * cmh_filter without bits; then index_file.c's chunk table and chunks
 * of the filter's held blocks.  These are the hooks index_file.c and
 * merge ask (cisec_ops). */

_Static_assert(sizeof(cmh_filter) <= CISEC_DEC_MAX && CMH_SEC_HEAD <= CISEC_HEAD_MAX,
	       "the minhash header fits a section slot");

static int mh_decode(const cifile *f, const unsigned char *head, void *dec, char *why,
		     size_t whylen)
{
	return cmh_sec_decode(head, f->params.seed, f->part_index, f->part_count, dec, why,
			      whylen);
}

static void mh_encode(unsigned char *head, const void *dec)
{
	cmh_sec_encode(head, dec);
}

static uint64_t mh_held(const void *dec)
{
	const cmh_filter *m = dec;
	return (m->f.hi - m->f.lo) * 64;
}

static int mh_differ(const void *a, const void *b, char *what, size_t len)
{
	const char *d = cmh_filter_differ(a, b);
	if (d)
		snprintf(what, len, "%s differs (build both with the same --minhash options)", d);
	return d != NULL;
}

/* the OR of two parts' filters holds both parts' windows */
static void mh_add_counts(void *va, const void *vb)
{
	cmh_filter *a = va;
	const cmh_filter *b = vb;
	a->keys += b->keys;
	a->windows += b->windows;
	a->shingles += b->shingles;
}

static int cifile_memory_mh_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			    cerr *err)
{
	const contam_index *ix = ctx;
	(void)err;
	memcpy(dst, (const unsigned char *)ix->mh->f.bits + c * CIFILE_CHUNK_BYTES, n);
	return CONTAM_OK;
}

static int mh_of_index(const contam_index *ix, void *dec, cichunk_source *source)
{
	if (!ix->mh)
		return 0;
	memcpy(dec, ix->mh, sizeof(*ix->mh));
	*source = cifile_memory_mh_source;
	return 1;
}

/* The minhash section of f onto ix: its filter (with_bits) or only its
 * statistics (a summary handle), every chunk checked. */
static int mh_load(contam_index *ix, const cifile *f, const cisec *s, int with_bits,
		   cerr *err)
{
	const cmh_filter *h = (const cmh_filter *)(const void *)s->dec;
	cmh_filter *m = cmh_filter_new(&h->p, h->f.nblocks, h->f.k, f->part_index,
				       f->part_count, with_bits);
	if (!m)
		return cerr_set(err, CONTAM_E_NOMEM, "cannot allocate a %llu MiB minhash "
				"filter", (unsigned long long)(s->cs.held_bytes >> 20));
	m->keys = h->keys;
	m->windows = h->windows;
	m->shingles = h->shingles;
	int rc = cifile_read_bloom_all(f, &s->cs, h->f.k, (unsigned char *)m->f.bits,
				       &m->bits_set, &m->fpr_sum, err);
	if (rc) {
		cmh_filter_free(m);
		return rc;
	}
	m->stats_valid = 1;
	ix->mh = m;
	return CONTAM_OK;
}

int cparts_load_mh(contam_index *ix, cifile **parts, size_t n, cerr *err)
{
	const cmh_filter *h = cifile_sec_dec(parts[0], CISEC_TYPE_MINHASH);
	cmh_filter *m = cmh_filter_new(&h->p, h->f.nblocks, h->f.k, 0, 1, 1);
	if (!m)
		return cerr_set(err, CONTAM_E_NOMEM, "cannot allocate a %llu MiB minhash filter",
				(unsigned long long)(h->f.nblocks * 64 >> 20));
	/* every partition indexed the same inputs: the counts of one */
	m->keys = h->keys;
	m->windows = h->windows;
	m->shingles = h->shingles;
	int rc = CONTAM_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const cifile *f = parts[i];
		const cisec *s = cifile_sec(f, CISEC_TYPE_MINHASH);
		const cmh_filter *fh = (const cmh_filter *)(const void *)s->dec;
		rc = cifile_read_bloom_all(f, &s->cs, fh->f.k,
					   (unsigned char *)(m->f.bits + fh->f.lo * 8),
					   &m->bits_set, &m->fpr_sum, err);
	}
	if (rc) {
		cmh_filter_free(m);
		return rc;
	}
	m->stats_valid = 1;
	cmh_filter_free(ix->mh);
	ix->mh = m;
	return CONTAM_OK;
}

static int mh_words(contam_index *ix, void **data, size_t *bytes, uint64_t **counters,
		    size_t *ncounters)
{
	uint64_t *words = NULL;
	size_t count = 0;
	if (!ix->mh || !ix->mh->f.bits ||
	    contam_index_minhash_words(ix, &words, &count, counters) != CONTAM_OK)
		return 0;
	*data = words;
	*bytes = count * 8;
	*ncounters = 3;
	return 1;
}

const cisec_ops cmh_sec_ops = {
	.head = CMH_SEC_HEAD,
	.missing = "its documents have no near-duplicate signatures; build every part "
		   "with --minhash, or none",
	.decode = mh_decode,
	.encode = mh_encode,
	.held = mh_held,
	.differ = mh_differ,
	.add_counts = mh_add_counts,
	.of_index = mh_of_index,
	.load = mh_load,
	.load_parts = cparts_load_mh,
	.words = mh_words,
};
