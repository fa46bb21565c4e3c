/*
 * index_merge.c -- OR-merge of indexes built with the same parameters,
 * and assembly of partition files for probing.
 *
 * How it works.  A Bloom filter of a union of inputs is the bitwise OR of
 * the filters of the parts, so indexes built on different machines (or
 * months) merge exactly.  The merge never holds a whole filter: the
 * writer asks for output chunk c, and we read chunk c of every part,
 * check its hash, and OR them; memory is a few chunks per thread however
 * large the index.  The manifest is the union of the parts' manifests and
 * is sorted on write, so merging per-shard indexes gives the same bytes
 * as indexing all shards in one run.
 *
 * A doc-freq sketch of a union of inputs is the saturating sum
 * of the parts' sketches, merged chunk by chunk the same way; the parts
 * must all have one, of the same geometry.  Loading the partitions of an
 * index as one adds their sketches' lines (adjacent partitions may share
 * the line at their boundary, each holding its own keys' counts there).
 */
#include "index.h"
#include "index_file.h"
#include "../common/run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct merge_src {
	cifile **parts;
	size_t nparts;
	uint64_t chunk_bytes;  /* of the output */
	uint64_t max_in_chunk; /* the largest input chunk */
	uint64_t max_df_chunk; /* the largest input doc-freq chunk */
	uint64_t max_mh_chunk; /* the largest input minhash chunk */
} merge_src;

/* Raw bytes [off, off + n) of f's filter, from whichever of its chunks
 * hold them: the parts' chunk sizes need not be the output's (any
 * multiple of 64 up to 1 GiB is a valid file).  tmp holds one of f's
 * chunks when one is only partly wanted. */
static int read_range_in(const cifile *f, int df, uint64_t off, unsigned char *dst,
			 size_t n, unsigned char **tmp, uint64_t tmp_len,
			 cbuf *scratch, cerr *err)
{
	const int mh = df == CICHUNKS_MINHASH;
	const uint64_t cb = mh ? f->mhc.chunk_bytes : df ? f->dfc.chunk_bytes : f->chunk_bytes;
	const uint64_t held = mh ? f->mhc.held_bytes : df ? f->dfc.held_bytes : f->held_bytes;
	for (uint64_t c = off / cb; n; c++) {
		size_t csize = (size_t)(held - c * cb < cb ? held - c * cb : cb);
		size_t skip = (size_t)(off - c * cb);
		size_t take = csize - skip < n ? csize - skip : n;
		int rc;
		if (skip == 0 && take == csize) {
			rc = mh ? cifile_read_mh_chunk(f, c, dst, 0, scratch, err)
			     : df ? cifile_read_df_chunk(f, c, dst, 0, scratch, err)
				  : cifile_read_chunk(f, c, dst, scratch, err);
		} else {
			if (!*tmp && !(*tmp = malloc((size_t)tmp_len)))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			rc = mh ? cifile_read_mh_chunk(f, c, *tmp, 0, scratch, err)
			     : df ? cifile_read_df_chunk(f, c, *tmp, 0, scratch, err)
				  : cifile_read_chunk(f, c, *tmp, scratch, err);
			if (!rc)
				memcpy(dst, *tmp + skip, take);
		}
		if (rc)
			return rc;
		dst += take;
		off += take;
		n -= take;
	}
	return CONTAM_OK;
}

/* Output chunk c of the filter (df 0) or the doc-freq sketch (df 1):
 * the parts' chunks combined as their section type says (OR, saturating
 * add: cifile_chunk_rule). */
static int combine_source(merge_src *m, int df, uint64_t c, unsigned char *dst,
			  size_t n, cerr *err)
{
	cbuf scratch = CBUF_INIT;
	unsigned char *tmp = malloc(n), *part = NULL;
	/* the output's doc-freq chunks are always CIFILE_CHUNK_BYTES */
	const uint64_t off = c * (df ? CIFILE_CHUNK_BYTES : m->chunk_bytes);
	const uint64_t most = df == CICHUNKS_MINHASH ? m->max_mh_chunk
			      : df ? m->max_df_chunk : m->max_in_chunk;
	const cisec_combine rule = cifile_chunk_rule(df);
	int rc = CONTAM_OK;
	if (!tmp)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < m->nparts && !rc; i++) {
		rc = read_range_in(m->parts[i], df, off, i ? tmp : dst, n, &part, most,
				   &scratch, err);
		if (!rc && i)
			cifile_combine(rule, dst, tmp, n);
	}
	free(tmp);
	free(part);
	cbuf_release(&scratch);
	return rc;
}

static int sat_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
		      cerr *err)
{
	return combine_source(ctx, 1, c, dst, n, err);
}

static int or_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
		     cerr *err)
{
	return combine_source(ctx, 0, c, dst, n, err);
}

static int mh_or_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			cerr *err)
{
	return combine_source(ctx, CICHUNKS_MINHASH, c, dst, n, err);
}

typedef struct man_ref {
	const contam_manifest_entry *e;
	size_t part;
} man_ref;

static int by_ref_path(const void *a, const void *b)
{
	const man_ref *x = a, *y = b;
	int c = strcmp(x->e->path, y->e->path);
	return c ? c : (x->part > y->part) - (x->part < y->part);
}

/* Name the first parameter in which b differs from a. */
static int same_geometry(const cifile *a, const cifile *b, cerr *err)
{
	uint64_t va = 0, vb = 0;
	const char *differs = cifile_params_differ(&a->params, &b->params, &va, &vb);
	if (differs)
		return cerr_set(err, CONTAM_E_PARAM,
				"cannot merge '%s' and '%s': %s differs "
				"(%" PRIu64 " vs %" PRIu64 ")", a->path, b->path, differs,
				va, vb);
#define DIFF(field, what)                                                      \
	if (a->field != b->field)                                              \
		return cerr_set(err, CONTAM_E_PARAM,                           \
				"cannot merge '%s' and '%s': %s differs "      \
				"(%" PRIu64 " vs %" PRIu64 ")", a->path,        \
				b->path, what, (uint64_t)a->field,             \
				(uint64_t)b->field)
	DIFF(part_count, "partition count");
	DIFF(part_index, "partition index");
	if (a->has_df != b->has_df) {
		const cifile *without = a->has_df ? b : a;
		return cerr_set(err, CONTAM_E_PARAM,
				"cannot merge '%s' and '%s': '%s' has no doc-freq section "
				"(its documents were not counted; build every part with "
				"--doc-freq, or none)", a->path, b->path, without->path);
	}
	if (a->has_df) {
		DIFF(df_lines, "doc-freq sketch size in lines");
		DIFF(df_d, "doc-freq counters per n-gram (d)");
	}
#undef DIFF
	if (!a->mh != !b->mh) {
		const cifile *without = a->mh ? b : a;
		return cerr_set(err, CONTAM_E_PARAM,
				"cannot merge '%s' and '%s': '%s' has no minhash section "
				"(its documents have no near-duplicate signatures; build every "
				"part with --minhash, or none)", a->path, b->path, without->path);
	}
	const char *mdiff = a->mh ? cmh_filter_differ(a->mh, b->mh) : NULL;
	if (mdiff)
		return cerr_set(err, CONTAM_E_PARAM,
				"cannot merge '%s' and '%s': %s differs (build both with "
				"the same --minhash options)", a->path, b->path, mdiff);
	return CONTAM_OK;
}

int contam_index_merge(const char *out_path, const char *const *paths,
		       size_t n, contam_error *out_err)
{
	return contam_index_merge_stop(out_path, paths, n, NULL, out_err);
}

int contam_index_merge_stop(const char *out_path, const char *const *paths,
			    size_t n, volatile int *stop, contam_error *out_err)
{
	cerr err;
	cerr_clear(&err);
	int rc = CONTAM_OK;
	cifile **parts = calloc(n ? n : 1, sizeof(*parts));
	contam_manifest_entry *man = NULL;
	man_ref *refs = NULL;
	contam_index skips = { 0 }; /* only its walk skips: the parts' */
	size_t nman = 0;
	uint64_t max_chunk = CIFILE_CHUNK_BYTES;
	if (!parts) {
		rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (n == 0) {
		rc = cerr_set(&err, CONTAM_E_PARAM, "nothing to merge");
		goto out;
	}
	uint64_t ngrams = 0, df_pairs = 0, max_df_chunk = 0, max_mh_chunk = 0;
	uint64_t mh_keys = 0, mh_windows = 0, mh_shingles = 0;
	int all_raw = 1;
	for (size_t i = 0; i < n; i++) {
		if ((rc = cifile_open(&parts[i], paths[i], &err)))
			goto out;
		all_raw &= parts[i]->raw;
		df_pairs += parts[i]->df_pairs;
		if (parts[i]->has_df && parts[i]->dfc.chunk_bytes > max_df_chunk)
			max_df_chunk = parts[i]->dfc.chunk_bytes;
		if (parts[i]->mh) {
			if (parts[i]->mhc.chunk_bytes > max_mh_chunk)
				max_mh_chunk = parts[i]->mhc.chunk_bytes;
			mh_keys += parts[i]->mh->keys;
			mh_windows += parts[i]->mh->windows;
			mh_shingles += parts[i]->mh->shingles;
		}
		if (i && (rc = same_geometry(parts[0], parts[i], &err)))
			goto out;
		ngrams += parts[i]->ngrams_inserted;
		nman += parts[i]->nmanifest;
		if (parts[i]->chunk_bytes > max_chunk)
			max_chunk = parts[i]->chunk_bytes;
	}
	man = calloc(nman ? nman : 1, sizeof(*man));
	refs = calloc(nman ? nman : 1, sizeof(*refs));
	if (!man || !refs) {
		rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	/* an input in two parts: sorted by path, so a duplicate is next to
	 * its twin (n log n: 300k inputs were 400 s with the old pairwise
	 * search) */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < parts[i]->nmanifest; j++) {
			refs[k].e = &parts[i]->manifest[j];
			refs[k++].part = i;
		}
	qsort(refs, k, sizeof(*refs), by_ref_path);
	for (size_t q = 0; q < k; q++) {
		if (q && !strcmp(refs[q - 1].e->path, refs[q].e->path)) {
			rc = cerr_set(&err, CONTAM_E_PARAM,
				      "cannot merge: input '%s' is in more than one part ('%s' and '%s')",
				      refs[q].e->path, paths[refs[q - 1].part],
				      paths[refs[q].part]);
			goto out;
		}
		man[q] = *refs[q].e; /* borrowed strings */
	}
	/* the output's chunks are 1 MiB, or as large as the largest input's
	 * so that no input chunk is decompressed more than twice; never
	 * larger than the filter (buffers are a chunk each) */
	const uint64_t held = parts[0]->held_bytes;
	const uint64_t max_in = max_chunk < held ? max_chunk : held;
	if (max_chunk > CIFILE_CHUNK_BYTES)
		max_chunk = max_in > CIFILE_CHUNK_BYTES ? max_in : CIFILE_CHUNK_BYTES;
	cifile_meta meta = {
		.params = parts[0]->params,
		.ngrams_inserted = ngrams,
		.part_index = parts[0]->part_index,
		.part_count = parts[0]->part_count,
		.lo = parts[0]->lo,
		.hi = parts[0]->hi,
		.manifest = man,
		.nmanifest = k,
		.chunk_bytes = max_chunk,
		.stop = stop,
		/* uncompressed when every part is (index --uncompressed-filter) */
		.raw_filter = all_raw,
	};
	/* what the parts' walks skipped stays in the merged index */
	for (size_t i = 0; i < n; i++)
		if (cindex_skips_add(&skips, parts[i]->skips, parts[i]->nskips)) {
			rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	meta.skips = skips.skips;
	meta.nskips = skips.nskips;
	merge_src src = { parts, n, max_chunk, max_in,
			  max_df_chunk < parts[0]->dfc.held_bytes ? max_df_chunk
								  : parts[0]->dfc.held_bytes,
			  max_mh_chunk < parts[0]->mhc.held_bytes ? max_mh_chunk
								  : parts[0]->mhc.held_bytes };
	cmh_filter mhout;
	if (parts[0]->has_df) {
		/* the output's doc-freq chunks are 1 MiB (sat_source) */
		meta.has_df = 1;
		meta.df_d = parts[0]->df_d;
		meta.df_lines = parts[0]->df_lines;
		meta.df_lo = parts[0]->df_lo;
		meta.df_hi = parts[0]->df_hi;
		meta.df_pairs = df_pairs;
		meta.df_chunk_bytes = CIFILE_CHUNK_BYTES;
		meta.df_source = sat_source;
		meta.df_ctx = &src;
	}
	if (parts[0]->mh) {
		/* the OR of the parts' filters, their counts summed; the
		 * output's chunks are 1 MiB (mh_or_source) */
		mhout = *parts[0]->mh;
		mhout.keys = mh_keys;
		mhout.windows = mh_windows;
		mhout.shingles = mh_shingles;
		meta.mh = &mhout;
		meta.mh_chunk_bytes = CIFILE_CHUNK_BYTES;
		meta.mh_source = mh_or_source;
		meta.mh_ctx = &src;
	}
	rc = cifile_write(out_path, &meta, or_source, &src, &err);
out:
	err.code = rc;
	cerr_export(&err, out_err);
	free(man);
	free(refs);
	cskips_free(skips.skips, skips.nskips);
	for (size_t i = 0; parts && i < n; i++)
		cifile_close(parts[i]);
	free(parts);
	return rc;
}

/* Whether b was built from the same inputs as a (partitions of one build
 * all index every input): 0, or an error naming the first difference. */
static int same_build(const cifile *a, const cifile *b, cerr *err)
{
	const char *what = NULL;
	char detail[600] = "";
	if (a->nmanifest != b->nmanifest) {
		what = "their inputs differ";
		snprintf(detail, sizeof(detail), " (%zu vs %zu inputs)", a->nmanifest,
			 b->nmanifest);
	}
	for (size_t i = 0; !what && i < a->nmanifest; i++) {
		const contam_manifest_entry *x = &a->manifest[i], *y = &b->manifest[i];
		if (strcmp(x->path, y->path)) {
			what = "their inputs differ";
			snprintf(detail, sizeof(detail), " ('%.250s' vs '%.250s')", x->path,
				 y->path);
		} else if (x->size != y->size || x->kind != y->kind ||
			   x->documents != y->documents || x->ngrams != y->ngrams ||
			   x->bytes_text != y->bytes_text || x->errors != y->errors) {
			what = "an input differs";
			snprintf(detail, sizeof(detail), " ('%.250s': %" PRIu64 " vs %" PRIu64
				 " bytes, %" PRIu64 " vs %" PRIu64 " documents)", x->path,
				 x->size, y->size, x->documents, y->documents);
		}
	}
	if (!what && a->ngrams_inserted != b->ngrams_inserted) {
		what = "their n-gram counts differ";
		snprintf(detail, sizeof(detail), " (%" PRIu64 " vs %" PRIu64 ")",
			 a->ngrams_inserted, b->ngrams_inserted);
	}
	if (!what)
		return CONTAM_OK;
	return cerr_set(err, CONTAM_E_PARAM,
			"'%s' and '%s' are partitions of different indexes: %s%s",
			a->path, b->path, what, detail);
}

/* "2, 3 and 4 of 4 (--partition 1/4, 2/4, 3/4)": the missing ones, the
 * first few. */
static void name_missing(const unsigned char *seen, uint32_t P, char *buf,
			 size_t len)
{
	char ones[256] = "", flags[256] = "";
	size_t a = 0, b = 0;
	uint32_t shown = 0, missing = 0;
	for (uint32_t i = 0; i < P; i++)
		missing += !seen[i];
	for (uint32_t i = 0; i < P && shown < 8; i++) {
		if (seen[i])
			continue;
		shown++;
		const char *sep = shown == 1 ? "" : shown == missing ? " and " : ", ";
		a += (size_t)snprintf(ones + a, sizeof(ones) - a, "%s%u", sep, i + 1);
		b += (size_t)snprintf(flags + b, sizeof(flags) - b, "%s%u/%u",
				      shown == 1 ? "" : ", ", i, P);
	}
	snprintf(buf, len, "%s%s of %u (--partition %s%s)", ones,
		 missing > shown ? " ..." : "", P, flags, missing > shown ? ", ..." : "");
}

/* The partitions' sketches as one: each part's lines added into the
 * whole sketch (boundary lines are held by two parts). */
static int load_parts_df(contam_index *ix, cifile **parts, size_t n, cerr *err)
{
	const cifile *p0 = parts[0];
	ix->df = cdf_new(p0->df_lines, p0->df_d, p0->params.nblocks, 0, p0->params.nblocks);
	if (!ix->df)
		return cerr_set(err, CONTAM_E_NOMEM, "cannot allocate a %llu MiB doc-freq sketch",
				(unsigned long long)(p0->df_lines * 64 >> 20));
	int rc = CONTAM_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const cifile *f = parts[i];
		const uint64_t cb = f->dfc.chunk_bytes;
		int bad = 0;
		cerr first;
		cerr_clear(&first);
		ix->df->pairs += f->df_pairs;
		/* chunks of one part do not overlap: in parallel */
		#pragma omp parallel num_threads(crun_threads(0))
		{
			cbuf scratch = CBUF_INIT;
			unsigned char *buf = malloc((size_t)cb);
			cerr e;
			#pragma omp for schedule(dynamic, 4)
			for (uint64_t c = 0; c < f->dfc.nchunks; c++) {
				int crc = buf ? cifile_read_df_chunk(f, c, buf, 0, &scratch, &e)
					      : cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
				if (!crc) {
					uint64_t at = (f->df_lo * 64 + c * cb) / 2;
					size_t len = (size_t)(f->dfc.held_bytes - c * cb < cb ?
							      f->dfc.held_bytes - c * cb : cb);
					cifile_combine(cifile_chunk_rule(1),
						       (unsigned char *)(ix->df->c + at), buf, len);
				}
				#pragma omp critical(contam_parts_df_bad)
				if (crc && !bad) {
					bad = 1;
					first = e;
				}
			}
			free(buf);
			cbuf_release(&scratch);
		}
		if (bad) {
			*err = first;
			rc = first.code;
		}
	}
	return rc;
}

int cparts_load_mh(contam_index *ix, cifile **parts, size_t n, cerr *err)
{
	const cmh_filter *h = parts[0]->mh;
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
		rc = cifile_read_mh_all(f, (unsigned char *)(m->f.bits + f->mh->f.lo * 8),
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

void cparts_close(cifile **parts, size_t n)
{
	for (size_t i = 0; parts && i < n; i++)
		cifile_close(parts[i]);
	free(parts);
}

int cparts_open(cifile ***out, const char *const *paths, size_t n, cerr *err)
{
	cifile **parts = calloc(n ? n : 1, sizeof(*parts));
	unsigned char *seen = NULL;
	int rc = CONTAM_OK;
	*out = NULL;
	if (!parts) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (n == 0) {
		rc = cerr_set(err, CONTAM_E_PARAM, "no index file given");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!paths[i] || !*paths[i]) {
			rc = cerr_set(err, CONTAM_E_PARAM, "an empty index path");
			goto out;
		}
		if ((rc = cifile_open(&parts[i], paths[i], err)))
			goto out;
		cifile *a = parts[0], *b = parts[i];
		uint64_t va, vb;
		if (i && (cifile_params_differ(&a->params, &b->params, &va, &vb) ||
			  a->part_count != b->part_count || a->has_df != b->has_df ||
			  a->df_lines != b->df_lines || a->df_d != b->df_d ||
			  !a->mh != !b->mh || (a->mh && cmh_filter_differ(a->mh, b->mh)))) {
			rc = cerr_set(err, CONTAM_E_PARAM,
				      "'%s' and '%s' are not partitions of one index "
				      "(their parameters differ)", a->path, b->path);
			goto out;
		}
		if (i && (rc = same_build(a, b, err)))
			goto out;
	}
	uint32_t P = parts[0]->part_count;
	if (P == 1 && n == 1) /* a whole index */
		goto out;
	if (P == 1) {
		rc = cerr_set(err, CONTAM_E_PARAM,
			      "'%s' is a whole index, not a partition: give it alone", paths[0]);
		goto out;
	}
	if (!(seen = calloc(P, 1))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t pi = parts[i]->part_index;
		if (seen[pi]++) {
			for (size_t j = 0; j < i; j++)
				if (parts[j]->part_index == pi) {
					rc = cerr_set(err, CONTAM_E_PARAM,
						      "partition %u of %u is given twice ('%s' and '%s')",
						      pi + 1, P, parts[j]->path, parts[i]->path);
					break;
				}
			goto out;
		}
	}
	if (n != P) {
		char miss[600];
		name_missing(seen, P, miss, sizeof(miss));
		rc = cerr_set(err, CONTAM_E_PARAM,
			      "'%s' is partition %u of %u of an index, which is probed only "
			      "whole: give all %u partitions as one INDEX, P1,P2,...; missing %s",
			      parts[0]->path, parts[0]->part_index + 1, P, P, miss);
		goto out;
	}
out:
	free(seen);
	if (rc) {
		cparts_close(parts, n);
		return rc;
	}
	*out = parts;
	return CONTAM_OK;
}

static int load_parts(contam_index **out, const char *const *paths, size_t n)
{
	*out = NULL;
	cerr err;
	cerr_clear(&err);
	cifile **parts = NULL;
	contam_index *ix = NULL;
	int rc = cparts_open(&parts, paths, n, &err);
	if (rc)
		goto out;
	if (parts[0]->part_count == 1) { /* a whole index */
		rc = cindex_from_file(&ix, parts[0]);
		if (rc && ix)
			err = ix->err;
		goto out;
	}
	if ((rc = cindex_new_part(&ix, &parts[0]->params, 0, 1))) {
		err = ix ? ix->err : err;
		goto out;
	}
	/* every partition indexed the same inputs (same_build): keep the
	 * first manifest, and the first n-gram count */
	ix->ngrams_inserted = parts[0]->ngrams_inserted;
	ix->manifest = parts[0]->manifest;
	ix->nmanifest = parts[0]->nmanifest;
	parts[0]->manifest = NULL;
	parts[0]->nmanifest = 0;
	uint64_t set = 0;
	double sum = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		cifile *f = parts[i];
		rc = cifile_read_all(f, (unsigned char *)(ix->filter.bits + f->lo * 8),
				     &set, &sum, &err);
	}
	if (!rc && parts[0]->has_df)
		rc = load_parts_df(ix, parts, n, &err);
	if (!rc && parts[0]->mh)
		rc = cparts_load_mh(ix, parts, n, &err);
	if (!rc)
		cindex_set_stats(ix, set, sum);
out:
	cparts_close(parts, n);
	if (rc) {
		if (!ix)
			ix = calloc(1, sizeof(*ix));
		if (ix)
			ix->err = err;
	}
	*out = ix;
	return rc;
}

int contam_index_load_parts(contam_index **out, const char *const *paths, size_t n,
			    contam_error *err)
{
	return cindex_hand_over(out, load_parts(out, paths, n), err);
}
