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
 */
#include "index.h"
#include "index_file.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct merge_src {
	cifile **parts;
	size_t nparts;
} merge_src;

static int or_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
		     cerr *err)
{
	merge_src *m = ctx;
	cbuf scratch = CBUF_INIT;
	unsigned char *tmp = malloc(n);
	int rc = CONTAM_OK;
	if (!tmp)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < m->nparts && !rc; i++) {
		if (i == 0) {
			rc = cifile_read_chunk(m->parts[0], c, dst, &scratch, err);
			continue;
		}
		rc = cifile_read_chunk(m->parts[i], c, tmp, &scratch, err);
		if (!rc) {
			uint64_t *d = (uint64_t *)(void *)dst;
			const uint64_t *s = (const uint64_t *)(const void *)tmp;
			for (size_t w = 0; w < n / 8; w++)
				d[w] |= s[w];
		}
	}
	free(tmp);
	cbuf_release(&scratch);
	return rc;
}

/* Name the first parameter in which b differs from a. */
static int same_geometry(const cifile *a, const cifile *b, cerr *err)
{
#define DIFF(field, what)                                                      \
	if (a->field != b->field)                                              \
		return cerr_set(err, CONTAM_E_PARAM,                           \
				"cannot merge '%s' and '%s': %s differs "      \
				"(%" PRIu64 " vs %" PRIu64 ")", a->path,        \
				b->path, what, (uint64_t)a->field,             \
				(uint64_t)b->field)
	DIFF(params.ngram, "n-gram length");
	DIFF(params.recipe_version, "recipe version");
	DIFF(params.seed, "hash seed");
	DIFF(params.nblocks, "filter size in blocks");
	DIFF(params.k, "bits per key (k)");
	DIFF(params.winnow, "winnowing window");
	DIFF(part_count, "partition count");
	DIFF(part_index, "partition index");
#undef DIFF
	return CONTAM_OK;
}

int contam_index_merge(const char *out_path, const char *const *paths,
		       size_t n, char *errbuf, size_t errlen)
{
	cerr err;
	cerr_clear(&err);
	int rc = CONTAM_OK;
	cifile **parts = calloc(n ? n : 1, sizeof(*parts));
	contam_manifest_entry *man = NULL;
	size_t nman = 0;
	if (!parts) {
		rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (n == 0) {
		rc = cerr_set(&err, CONTAM_E_PARAM, "nothing to merge");
		goto out;
	}
	uint64_t ngrams = 0;
	for (size_t i = 0; i < n; i++) {
		if ((rc = cifile_open(&parts[i], paths[i], &err)))
			goto out;
		if (i && (rc = same_geometry(parts[0], parts[i], &err)))
			goto out;
		ngrams += parts[i]->ngrams_inserted;
		nman += parts[i]->nmanifest;
	}
	man = calloc(nman ? nman : 1, sizeof(*man));
	if (!man) {
		rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < parts[i]->nmanifest; j++) {
			const contam_manifest_entry *e = &parts[i]->manifest[j];
			for (size_t q = 0; q < k; q++)
				if (!strcmp(man[q].path, e->path)) {
					rc = cerr_set(&err, CONTAM_E_PARAM,
						      "cannot merge: input '%s' is in more than one part ('%s')",
						      e->path, paths[i]);
					goto out;
				}
			man[k++] = *e; /* borrowed strings */
		}
	}
	cifile_meta meta = {
		.params = parts[0]->params,
		.ngrams_inserted = ngrams,
		.part_index = parts[0]->part_index,
		.part_count = parts[0]->part_count,
		.lo = parts[0]->lo,
		.hi = parts[0]->hi,
		.manifest = man,
		.nmanifest = k,
	};
	merge_src src = { parts, n };
	rc = cifile_write(out_path, &meta, or_source, &src, &err);
out:
	if (rc && errbuf && errlen)
		snprintf(errbuf, errlen, "%s", err.msg[0] ? err.msg : contam_strerror(rc));
	free(man);
	for (size_t i = 0; parts && i < n; i++)
		cifile_close(parts[i]);
	free(parts);
	return rc;
}

int contam_index_load_parts(contam_index **out, const char *const *paths,
			    size_t n)
{
	*out = NULL;
	if (n == 1)
		return contam_index_load(out, paths[0]);
	cerr err;
	cerr_clear(&err);
	cifile **parts = calloc(n ? n : 1, sizeof(*parts));
	contam_index *ix = NULL;
	int rc = CONTAM_OK;
	if (!parts) {
		rc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = cifile_open(&parts[i], paths[i], &err)))
			goto out;
		cifile *a = parts[0], *b = parts[i];
		if (i && (a->params.ngram != b->params.ngram ||
			  a->params.seed != b->params.seed ||
			  a->params.nblocks != b->params.nblocks ||
			  a->params.k != b->params.k || a->params.winnow != b->params.winnow ||
			  a->part_count != b->part_count)) {
			rc = cerr_set(&err, CONTAM_E_PARAM,
				      "'%s' and '%s' are not partitions of one index",
				      a->path, b->path);
			goto out;
		}
	}
	uint32_t P = parts[0]->part_count;
	if (P != n) {
		rc = cerr_set(&err, CONTAM_E_PARAM,
			      "expected all %u partitions, got %zu files", P, n);
		goto out;
	}
	unsigned char *seen = calloc(P, 1);
	for (size_t i = 0; seen && i < n; i++) {
		if (seen[parts[i]->part_index]++) {
			rc = cerr_set(&err, CONTAM_E_PARAM, "partition %u given twice ('%s')",
				      parts[i]->part_index, parts[i]->path);
			break;
		}
	}
	free(seen);
	if (rc)
		goto out;
	if ((rc = contam_index_new(&ix, &parts[0]->params))) {
		err = ix ? ix->err : err;
		goto out;
	}
	/* every partition indexed the same inputs: keep the first manifest,
	 * and the first n-gram count */
	ix->ngrams_inserted = parts[0]->ngrams_inserted;
	ix->manifest = parts[0]->manifest;
	ix->nmanifest = parts[0]->nmanifest;
	parts[0]->manifest = NULL;
	parts[0]->nmanifest = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		cifile *f = parts[i];
		rc = cifile_read_all(f, (unsigned char *)(ix->filter.bits + f->lo * 8), &err);
	}
out:
	for (size_t i = 0; parts && i < n; i++)
		cifile_close(parts[i]);
	free(parts);
	if (rc) {
		if (!ix)
			ix = calloc(1, sizeof(*ix));
		if (ix)
			ix->err = err;
	}
	*out = ix;
	return rc;
}
