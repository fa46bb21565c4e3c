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
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct merge_src {
	cifile **parts;
	size_t nparts;
	uint64_t chunk_bytes;  /* of the output */
	uint64_t max_in_chunk; /* the largest input chunk */
} merge_src;

/* One chunked section's output chunks: the parts' slot-k sections. */
typedef struct merge_sec {
	merge_src *m;
	uint32_t type;
	uint64_t max_in_chunk; /* the largest input chunk of it */
} merge_sec;

/* Raw bytes [off, off + n) of a chunk set of f (the filter's, a
 * section's), from whichever of its chunks hold them: the parts' chunk
 * sizes need not be the output's (any multiple of 64 up to 1 GiB is a
 * valid file).  tmp holds one of f's chunks when one is only partly
 * wanted. */
static int read_range_in(const cifile *f, const cichunks *cs, uint64_t off,
			 unsigned char *dst, size_t n, unsigned char **tmp,
			 uint64_t tmp_len, cbuf *scratch, cerr *err)
{
	const uint64_t cb = cs->chunk_bytes;
	const uint64_t held = cs->held_bytes;
	for (uint64_t c = off / cb; n; c++) {
		size_t csize = (size_t)(held - c * cb < cb ? held - c * cb : cb);
		size_t skip = (size_t)(off - c * cb);
		size_t take = csize - skip < n ? csize - skip : n;
		int rc;
		if (skip == 0 && take == csize) {
			rc = cifile_read_cs_chunk(f, cs, c, dst, 0, scratch, err);
		} else {
			if (!*tmp && !(*tmp = malloc((size_t)tmp_len)))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			rc = cifile_read_cs_chunk(f, cs, c, *tmp, 0, scratch, err);
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

/* Output chunk c of the filter (type CISEC_TYPE_FILTER, chunks of
 * m->chunk_bytes) or of a chunked section (CIFILE_CHUNK_BYTES): the
 * parts' chunks combined as their section type says (OR, saturating
 * add: cifile_chunk_rule). */
static int combine_source(merge_src *m, uint32_t type, uint64_t most, uint64_t c,
			  unsigned char *dst, size_t n, cerr *err)
{
	cbuf scratch = CBUF_INIT;
	unsigned char *tmp = malloc(n), *part = NULL;
	const int filter = type == CISEC_TYPE_FILTER;
	/* the output's section chunks are always CIFILE_CHUNK_BYTES */
	const uint64_t off = c * (filter ? m->chunk_bytes : CIFILE_CHUNK_BYTES);
	const cisec_combine rule = cifile_chunk_rule(type);
	int rc = CONTAM_OK;
	if (!tmp)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < m->nparts && !rc; i++) {
		cichunks fcs;
		const cichunks *cs = &fcs;
		if (filter)
			cifile_filter_chunks(m->parts[i], &fcs);
		else
			cs = &cifile_sec(m->parts[i], type)->cs;
		rc = read_range_in(m->parts[i], cs, off, i ? tmp : dst, n, &part, most,
				   &scratch, err);
		if (!rc && i)
			cifile_combine(rule, dst, tmp, n);
	}
	free(tmp);
	free(part);
	cbuf_release(&scratch);
	return rc;
}

static int sec_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
		      cerr *err)
{
	merge_sec *ms = ctx;
	return combine_source(ms->m, ms->type, ms->max_in_chunk, c, dst, n, err);
}

static int or_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
		     cerr *err)
{
	merge_src *m = ctx;
	return combine_source(m, CISEC_TYPE_FILTER, m->max_in_chunk, c, dst, n, err);
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

static int by_ref_content(const void *a, const void *b)
{
	const man_ref *x = a, *y = b;
	if (x->e->fingerprint != y->e->fingerprint)
		return x->e->fingerprint < y->e->fingerprint ? -1 : 1;
	if (x->e->size != y->e->size)
		return x->e->size < y->e->size ? -1 : 1;
	return (x->part > y->part) - (x->part < y->part);
}

/* A path without "./" steps and repeated slashes, into out. */
static void lexical_path(const char *p, char *out, size_t cap)
{
	size_t n = 0;
	while (*p && n + 1 < cap) {
		if ((n == 0 || out[n - 1] == '/') && p[0] == '.' && (p[1] == '/' || !p[1])) {
			p += p[1] ? 2 : 1;
			continue;
		}
		if (*p == '/' && n && out[n - 1] == '/') {
			p++;
			continue;
		}
		out[n++] = *p++;
	}
	out[n] = '\0';
}

/* Whether two spellings may name one file: equal once normalized, one
 * the other's tail at a '/' (x and /abs/x: the same file seen from two
 * directories), or the same file here. */
static bool may_be_one_file(const char *a, const char *b)
{
	char x[PATH_MAX], y[PATH_MAX];
	lexical_path(a, x, sizeof x);
	lexical_path(b, y, sizeof y);
	size_t nx = strlen(x), ny = strlen(y);
	const char *lo = nx <= ny ? x : y, *hi = nx <= ny ? y : x;
	size_t nl = nx <= ny ? nx : ny, nh = nx <= ny ? ny : nx;
	if (nl && !strcmp(hi + nh - nl, lo) && (nl == nh || hi[nh - nl - 1] == '/'))
		return true;
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	bool same = ra && rb && !strcmp(ra, rb);
	free(ra);
	free(rb);
	return same;
}

/* An input in two parts under two names (x and /abs/x, a node's mount
 * and another's): two spellings of one path with the same size,
 * content fingerprint, documents and n-grams.  Merged, its documents
 * and doc-freq counts would be doubled, and --max-doc-freq would then
 * take its copies of a benchmark for common text.  (Two files of the
 * same content under other names, a LICENSE in every repository, are
 * two files and are merged.)  refs is re-sorted (its paths' order is
 * used before). */
static int same_content_twice(man_ref *refs, size_t k, const char *const *paths,
			      cerr *err)
{
	qsort(refs, k, sizeof(*refs), by_ref_content);
	for (size_t q = 1; q < k; q++) {
		const contam_manifest_entry *a = refs[q - 1].e, *b = refs[q].e;
		if (!a->fingerprint || a->fingerprint != b->fingerprint || a->size != b->size ||
		    a->documents != b->documents || a->ngrams != b->ngrams ||
		    refs[q - 1].part == refs[q].part || !may_be_one_file(a->path, b->path))
			continue;
		return cerr_set(err, CONTAM_E_PARAM,
				"cannot merge: '%s' (in '%s') and '%s' (in '%s') are one file "
				"under two spellings (the same path, size, content and "
				"documents), whose documents would count twice; build the "
				"parts from disjoint files", a->path, paths[refs[q - 1].part], b->path,
				paths[refs[q].part]);
	}
	return CONTAM_OK;
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
#undef DIFF
	/* each chunked section: in both or in neither, and combinable */
	for (size_t k = 0; k < CISEC_SLOTS; k++) {
		const cisec *sa = &a->sec[k], *sb = &b->sec[k];
		char what[300];
		if (!sa->ops && !sb->ops)
			continue;
		if (!sa->ops != !sb->ops) {
			const cifile *without = sa->ops ? b : a;
			const cichunks *cs = sa->ops ? &sa->cs : &sb->cs;
			const cisec_ops *ops = sa->ops ? sa->ops : sb->ops;
			return cerr_set(err, CONTAM_E_PARAM,
					"cannot merge '%s' and '%s': '%s' has no %s section "
					"(%s)", a->path, b->path, without->path, cs->what,
					ops->missing);
		}
		if (sa->ops->differ(sa->dec, sb->dec, what, sizeof(what)))
			return cerr_set(err, CONTAM_E_PARAM, "cannot merge '%s' and '%s': %s",
					a->path, b->path, what);
	}
	return CONTAM_OK;
}

/* Whether a and b differ in a chunked section's presence or parameters
 * (partition sets: every part has the same sections). */
static int secs_differ(const cifile *a, const cifile *b)
{
	char what[300];
	for (size_t k = 0; k < CISEC_SLOTS; k++) {
		const cisec *sa = &a->sec[k], *sb = &b->sec[k];
		if (!sa->ops != !sb->ops ||
		    (sa->ops && sa->ops->differ(sa->dec, sb->dec, what, sizeof(what))))
			return 1;
	}
	return 0;
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
	uint64_t ngrams = 0, max_sec_chunk[CISEC_SLOTS] = { 0 };
	int all_raw = 1;
	for (size_t i = 0; i < n; i++) {
		if ((rc = cifile_open(&parts[i], paths[i], &err)))
			goto out;
		all_raw &= parts[i]->raw;
		for (size_t j = 0; j < CISEC_SLOTS; j++)
			if (parts[i]->sec[j].ops &&
			    parts[i]->sec[j].cs.chunk_bytes > max_sec_chunk[j])
				max_sec_chunk[j] = parts[i]->sec[j].cs.chunk_bytes;
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
	if ((rc = same_content_twice(refs, k, paths, &err)))
		goto out;
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
	merge_src src = { parts, n, max_chunk, max_in };
	/* each chunked section: the parts' chunks combined by its rule,
	 * their counters added by its kind; the output's chunks are 1 MiB
	 * (combine_source) */
	merge_sec msec[CISEC_SLOTS];
	for (size_t j = 0; j < CISEC_SLOTS; j++) {
		const cisec *s0 = &parts[0]->sec[j];
		cisec_out *o = &meta.sec[j];
		if (!s0->ops)
			continue;
		o->on = 1;
		memcpy(o->dec, s0->dec, sizeof(o->dec));
		for (size_t i = 1; i < n; i++)
			s0->ops->add_counts(o->dec, parts[i]->sec[j].dec);
		msec[j] = (merge_sec){ &src, s0->type,
				       max_sec_chunk[j] < s0->cs.held_bytes ? max_sec_chunk[j]
									    : s0->cs.held_bytes };
		o->chunk_bytes = CIFILE_CHUNK_BYTES;
		o->source = sec_source;
		o->ctx = &msec[j];
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
	/* people count partitions from 1, --partition from 0: both shown */
	snprintf(buf, len, "%s%s of %u (built with --partition %s%s, which "
		 "counts from 0)", ones, missing > shown ? " ..." : "", P, flags,
		 missing > shown ? ", ..." : "");
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
			  a->part_count != b->part_count || secs_differ(a, b))) {
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
	 * first manifest, its skips (the walks' files not read: a probe of
	 * the set says them as one of the whole index does) and the first
	 * n-gram count */
	ix->ngrams_inserted = parts[0]->ngrams_inserted;
	ix->manifest = parts[0]->manifest;
	ix->nmanifest = parts[0]->nmanifest;
	ix->skips = parts[0]->skips;
	ix->nskips = parts[0]->nskips;
	parts[0]->manifest = NULL;
	parts[0]->nmanifest = 0;
	parts[0]->skips = NULL;
	parts[0]->nskips = 0;
	uint64_t set = 0;
	double sum = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		cifile *f = parts[i];
		rc = cifile_read_all(f, (unsigned char *)(ix->filter.bits + f->lo * 8),
				     &set, &sum, &err);
	}
	/* each chunked section as one, by its kind, in sec_kinds[] order */
	for (size_t k = 0; k < CISEC_SLOTS && !rc; k++)
		if (parts[0]->sec[k].ops)
			rc = parts[0]->sec[k].ops->load_parts(ix, parts, n, &err);
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
