/*
 * index_minhash.c -- the MinHash band section's filter, header codec and
 * lookups (index_minhash.h).  The chunks are read and written by
 * index_file.c's chunk machinery, as the doc-freq sketch's are.
 */
#include "index_minhash.h"
#include "index_file.h"

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
