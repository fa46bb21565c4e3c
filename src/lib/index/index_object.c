/*
 * index_object.c -- the in-memory index: creation, manifest, queries and
 * fill statistics.  The file format is in index_file.c, merging in
 * index_merge.c, the build driver in index_build.c.
 */
#include "index.h"
#include "index_file.h"
#include "index_minhash.h"
#include "../common/stream.h"
#include "../common/run.h"
#include "../text/text.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>


int cindex_new_part(contam_index **out, const contam_params *p,
		    uint32_t part_index, uint32_t part_count)
{
	return cindex_new_shell(out, p, part_index, part_count, 1);
}

int cindex_new_shell(contam_index **out, const contam_params *p,
		     uint32_t part_index, uint32_t part_count, int with_filter)
{
	*out = NULL;
	contam_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return CONTAM_E_NOMEM;
	*out = ix;
	ix->format_version = CIFILE_FORMAT_VERSION;
	snprintf(ix->recipe, sizeof(ix->recipe), "%s", contam_recipe());
	if (!cifile_params_valid(p) || part_count == 0 || part_index >= part_count ||
	    part_count > p->nblocks)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "invalid filter parameters");
	ix->params = *p;
	ix->part_index = part_index;
	ix->part_count = part_count;
	ix->filter.nblocks = p->nblocks;
	ix->filter.k = p->k;
	cbloom_partition_range(p->nblocks, part_index, part_count,
			       &ix->filter.lo, &ix->filter.hi);
	if (!with_filter)
		return CONTAM_OK; /* contam_index_load_summary */
	ix->filter.bits = cbloom_alloc(ix->filter.hi - ix->filter.lo);
	if (!ix->filter.bits)
		return cerr_set(&ix->err, CONTAM_E_NOMEM,
				"cannot allocate a %llu MiB filter",
				(unsigned long long)(cbloom_held_bytes(&ix->filter) >> 20));
	return CONTAM_OK;
}

int cindex_hand_over(contam_index **out, int rc, contam_error *err)
{
	cerr_export_rc(rc, *out ? &(*out)->err : NULL, err);
	if (rc) {
		contam_index_free(*out);
		*out = NULL;
	}
	return rc;
}

int contam_index_new_partition(contam_index **out, const contam_params *p,
			       uint32_t i, uint32_t P, contam_error *err)
{
	return cindex_hand_over(out, cindex_new_part(out, p, i, P), err);
}

int contam_index_new(contam_index **out, const contam_params *p, contam_error *err)
{
	return cindex_hand_over(out, cindex_new_part(out, p, 0, 1), err);
}

void contam_index_free(contam_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nmanifest; i++)
		cmanifest_entry_release(&ix->manifest[i]);
	free(ix->manifest);
	cskips_free(ix->skips, ix->nskips);
	if (ix->map) /* the filter lies in the mapped file */
		munmap(ix->map, ix->map_len);
	else
		cbloom_free(ix->filter.bits, ix->filter.hi - ix->filter.lo);
	cresolved_free(ix->rk);
	cdf_free(ix->df);
	cmh_filter_free(ix->mh);
	cindex_free_sec_data(ix);
	free(ix);
}

const char *contam_index_errmsg(const contam_index *ix)
{
	if (!ix)
		return "out of memory";
	return ix->err.msg[0] ? ix->err.msg : contam_strerror(ix->err.code);
}

int cindex_manifest_add(contam_index *ix, const contam_manifest_entry *e)
{
	contam_manifest_entry *m = realloc(ix->manifest,
		(ix->nmanifest + 1) * sizeof(*m));
	if (!m)
		return CONTAM_E_NOMEM;
	ix->manifest = m;
	m[ix->nmanifest] = *e;
	m[ix->nmanifest].path = cstrdup(e->path ? e->path : "");
	if (!m[ix->nmanifest].path ||
	    cmanifest_copy_messages(&m[ix->nmanifest], e)) {
		free(m[ix->nmanifest].path);
		return CONTAM_E_NOMEM;
	}
	ix->nmanifest++;
	return CONTAM_OK;
}

void cmanifest_entry_release(contam_manifest_entry *e)
{
	free(e->path);
	for (uint32_t i = 0; i < e->nmessages; i++)
		free(e->messages[i]);
	free(e->messages);
	e->path = NULL;
	e->messages = NULL;
	e->nmessages = 0;
}

int cmanifest_copy_messages(contam_manifest_entry *to, const contam_manifest_entry *from)
{
	uint32_t n = from->nmessages;
	to->messages = NULL;
	to->nmessages = 0;
	if (!n || !from->messages)
		return CONTAM_OK;
	if (!(to->messages = calloc(n, sizeof(char *))))
		return CONTAM_E_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		if (!(to->messages[i] = cstrdup(from->messages[i] ? from->messages[i] : ""))) {
			for (uint32_t j = 0; j < i; j++)
				free(to->messages[j]);
			free(to->messages);
			to->messages = NULL;
			return CONTAM_E_NOMEM;
		}
		to->nmessages = i + 1;
	}
	return CONTAM_OK;
}

int cmanifest_note(contam_manifest_entry *e, contam_problem kind, const char *msg)
{
	if ((unsigned)kind < CONTAM_PROBLEMS)
		e->problems[kind]++;
	if (e->nmessages >= CONTAM_MANIFEST_MESSAGES)
		return CONTAM_OK;
	if (!e->messages &&
	    !(e->messages = calloc(CONTAM_MANIFEST_MESSAGES, sizeof(char *))))
		return CONTAM_E_NOMEM;
	if (!(e->messages[e->nmessages] = cstrdup(msg)))
		return CONTAM_E_NOMEM;
	e->nmessages++;
	return CONTAM_OK;
}

void cskips_free(contam_input_skip *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(k[i].dir);
		for (size_t j = 0; j < k[i].nnames; j++)
			free(k[i].names[j]);
	}
	free(k);
}

int cindex_skips_add(contam_index *ix, const contam_input_skip *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		contam_input_skip *t = NULL;
		/* hidden entries are reported, not kept: an index built from
		 * the files of a walk (a Slurm task's list) must equal the
		 * walk's, and dot files are no corpus anyone forgot */
		if (k[i].reason == CONTAM_SKIP_HIDDEN)
			continue;
		for (size_t j = 0; j < ix->nskips && !t; j++)
			if (ix->skips[j].reason == k[i].reason &&
			    !strcmp(ix->skips[j].dir, k[i].dir))
				t = &ix->skips[j];
		if (!t) {
			contam_input_skip *m = realloc(ix->skips, (ix->nskips + 1) * sizeof(*m));
			if (!m)
				return CONTAM_E_NOMEM;
			ix->skips = m;
			t = &m[ix->nskips];
			memset(t, 0, sizeof(*t));
			t->reason = k[i].reason;
			if (!(t->dir = cstrdup(k[i].dir)))
				return CONTAM_E_NOMEM;
			ix->nskips++;
		}
		t->count += k[i].count;
		for (size_t j = 0; j < k[i].nnames && t->nnames < CONTAM_SKIP_NAMES; j++) {
			int dup = 0;
			for (size_t q = 0; q < t->nnames && !dup; q++)
				dup = !strcmp(t->names[q], k[i].names[j]);
			if (dup)
				continue;
			if (!(t->names[t->nnames] = cstrdup(k[i].names[j])))
				return CONTAM_E_NOMEM;
			t->nnames++;
		}
	}
	return CONTAM_OK;
}

int contam_index_add_skips(contam_index *ix, const contam_inputs *in)
{
	if (!ix || !in)
		return CONTAM_E_PARAM;
	if (cindex_skips_add(ix, in->skips, in->nskips))
		return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

size_t contam_index_skip_count(const contam_index *ix)
{
	return ix ? ix->nskips : 0;
}

const contam_input_skip *contam_index_skip_get(const contam_index *ix, size_t i)
{
	return (ix && i < ix->nskips) ? &ix->skips[i] : NULL;
}

const char *contam_problem_name(contam_problem p)
{
	switch (p) {
	case CONTAM_PROBLEM_DAMAGED: return "damaged records";
	case CONTAM_PROBLEM_NO_TEXT: return "records without the text field";
	case CONTAM_PROBLEM_UNREADABLE: return "unreadable";
	case CONTAM_PROBLEM_EMPTY: return "empty (no document with text)";
	case CONTAM_PROBLEM_NOT_UTF8: return "bytes not UTF-8";
	default: return "problems";
	}
}

int cindex_manifest_find(const contam_index *ix, const char *path)
{
	for (size_t i = 0; i < ix->nmanifest; i++)
		if (strcmp(ix->manifest[i].path, path) == 0)
			return (int)i;
	return -1;
}

int contam_index_forget_input(contam_index *ix, const char *path)
{
	int i = cindex_manifest_find(ix, path);
	if (i < 0)
		return 0;
	ix->ngrams_inserted -= ix->manifest[i].ngrams;
	cmanifest_entry_release(&ix->manifest[i]);
	memmove(&ix->manifest[i], &ix->manifest[i + 1],
		(ix->nmanifest - (size_t)i - 1) * sizeof(*ix->manifest));
	ix->nmanifest--;
	ix->stats_valid = 0;
	return 1;
}

size_t contam_index_manifest_count(const contam_index *ix)
{
	return ix ? ix->nmanifest : 0;
}

const contam_manifest_entry *contam_index_manifest_get(const contam_index *ix,
						       size_t i)
{
	return (ix && i < ix->nmanifest) ? &ix->manifest[i] : NULL;
}

int contam_index_contains(const contam_index *ix, uint64_t hash)
{
	if (ix->rk) /* a partition set's resolved keys */
		return cresolved_contains(ix->rk, hash);
	if (!ix->filter.bits) /* a summary handle: no answer, not "absent" */
		return -1;
	/* a partition has no answer for another's block: -1, never
	 * "absent" (a probe would read it as a miss, a false clean) */
	return cbloom_contains(&ix->filter, hash);
}

void cindex_set_stats(contam_index *ix, uint64_t bits_set, double fpr_sum)
{
	const uint64_t nb = ix->filter.hi - ix->filter.lo;
	ix->bits_set = bits_set;
	ix->fpr_measured = nb ? fpr_sum / (double)nb : 0;
	ix->stats_valid = 1;
}

int contam_index_stats_get(contam_index *ix, contam_index_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!ix->stats_valid && ix->filter.bits) {
		uint64_t set = 0;
		double sum = 0;
		const uint64_t nb = ix->filter.hi - ix->filter.lo;
		const uint64_t *bits = ix->filter.bits;
		const uint32_t k = ix->params.k;
		/* a query is a false positive when all its bits are set in
		 * the one block it lands in */
		#pragma omp parallel for reduction(+:set, sum) schedule(static) \
			num_threads(crun_threads(ix->threads))
		for (uint64_t b = 0; b < nb; b += 4096) {
			uint64_t n = nb - b < 4096 ? nb - b : 4096, bset = 0;
			sum += cbloom_measure(bits + b * 8, n, k, &bset);
			set += bset;
		}
		ix->bits_set = set;
		ix->fpr_measured = nb ? sum / (double)nb : 0;
		ix->stats_valid = 1;
	}
	out->params = ix->params;
	out->recipe = ix->recipe;
	out->filter_bytes = cbloom_held_bytes(&ix->filter);
	out->ngrams_inserted = ix->ngrams_inserted;
	for (size_t i = 0; i < ix->nmanifest; i++) {
		out->documents += ix->manifest[i].documents;
		out->errors += ix->manifest[i].errors;
	}
	out->bits_set = ix->bits_set;
	out->fill = (double)ix->bits_set /
		    ((double)(ix->filter.hi - ix->filter.lo) * CBLOOM_BLOCK_BITS);
	out->fpr_lookup = ix->fpr_measured;
	out->fpr = contam_seen_fpr(ix->fpr_measured, ix->params.winnow);
	out->format_version = ix->format_version;
	out->part_index = ix->part_index;
	out->part_count = ix->part_count;
	if (ix->df) {
		/* counted now: a build may have added to it */
		uint64_t sum = 0, sat = 0;
		cdf_measure(ix->df->c, (size_t)((ix->df->hi - ix->df->lo) * CDF_LINE_COUNTERS),
			    &sum, &sat);
		ix->has_df = 1;
		ix->df_d = ix->df->d;
		ix->df_lines = ix->df->lines;
		ix->df_lo = ix->df->lo;
		ix->df_hi = ix->df->hi;
		ix->df_pairs = ix->df->pairs;
		ix->df_sum = sum;
		ix->df_saturated = sat;
	}
	if (ix->has_df) {
		out->has_doc_freq = 1;
		out->doc_freq_d = ix->df_d;
		out->doc_freq_counters = (ix->df_hi - ix->df_lo) * CDF_LINE_COUNTERS;
		out->doc_freq_bytes = (ix->df_hi - ix->df_lo) * 64;
		out->doc_freq_lines = ix->df_lines;
		out->doc_freq_pairs = ix->df_pairs;
		out->doc_freq_saturated = ix->df_saturated;
		out->doc_freq_noise = out->doc_freq_counters ?
			(double)ix->df_d * (double)ix->df_pairs /
			(double)out->doc_freq_counters : 0;
	}
	return CONTAM_OK;
}

int contam_index_set_uncompressed(contam_index *ix, int on)
{
	if (!ix)
		return CONTAM_E_PARAM;
	ix->raw_filter = on != 0;
	return CONTAM_OK;
}

int contam_index_is_uncompressed(const contam_index *ix)
{
	return ix && ix->raw_filter;
}

int contam_index_enable_doc_freq(contam_index *ix, uint64_t counters)
{
	if (!ix)
		return CONTAM_E_PARAM;
	if (!ix->filter.bits || counters == 0)
		return cerr_set(&ix->err, CONTAM_E_PARAM, counters ? "a summary handle "
				"holds no filter to add a doc-freq sketch to"
				: "a doc-freq sketch needs at least one counter");
	if (ix->df)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "the index has a doc-freq section already");
	if (ix->nmanifest || ix->ngrams_inserted)
		return cerr_set(&ix->err, CONTAM_E_PARAM,
				"the index has no doc-freq section and already holds "
				"documents, which were not counted: build a new index "
				"with --doc-freq");
	uint32_t d = CDF_D_DEFAULT;
	const char *dv = getenv("CONTAM_DOC_FREQ_D"); /* for measurements */
	if (dv && dv[0] >= '1' && dv[0] <= '0' + CDF_D_MAX && !dv[1])
		d = (uint32_t)(dv[0] - '0');
	ix->df = cdf_new(cdf_lines_for(counters), d, ix->params.nblocks, ix->filter.lo,
			 ix->filter.hi);
	if (!ix->df)
		return cerr_set(&ix->err, CONTAM_E_NOMEM,
				"cannot allocate a doc-freq sketch of %llu counters",
				(unsigned long long)counters);
	ix->stats_valid = 0;
	return CONTAM_OK;
}

int contam_index_doc_freq_words(contam_index *ix, uint16_t **counters, size_t *count,
				uint64_t **pairs)
{
	if (!ix || !counters || !count || !pairs)
		return CONTAM_E_PARAM;
	if (!ix->df)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "the index has no doc-freq section");
	*counters = ix->df->c;
	*count = (size_t)((ix->df->hi - ix->df->lo) * CDF_LINE_COUNTERS);
	*pairs = &ix->df->pairs;
	return CONTAM_OK;
}

int64_t contam_index_doc_freq(const contam_index *ix, uint64_t hash)
{
	if (ix && ix->rk)
		return cresolved_doc_freq(ix->rk, hash);
	if (!ix || !ix->df)
		return -1;
	uint64_t b = cbloom_block(hash, ix->df->nblocks);
	if (b < ix->df->blo || b >= ix->df->bhi)
		return -1; /* another partition's key */
	return cdf_query(ix->df, hash);
}

int contam_index_doc_freq_text(const contam_index *ix, const char *text,
			       size_t len, int64_t **out, size_t *count)
{
	uint64_t *h = NULL;
	size_t n = 0, tokens = 0;
	*out = NULL;
	*count = 0;
	if (!ix || !ix->df)
		return CONTAM_E_PARAM;
	int rc = contam_index_hash_text(ix, text, len, &h, &n, &tokens);
	if (rc)
		return rc;
	int64_t *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v) {
		free(h);
		return CONTAM_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = contam_index_doc_freq(ix, h[i]);
	free(h);
	*out = v;
	*count = n;
	return CONTAM_OK;
}

int contam_index_add_manifest(contam_index *ix, const contam_manifest_entry *e)
{
	if (!ix || !e || !e->path)
		return CONTAM_E_PARAM;
	if (cindex_manifest_find(ix, e->path) >= 0)
		return cerr_set(&ix->err, CONTAM_E_PARAM,
				"input '%s' is already in the manifest", e->path);
	if (cindex_manifest_add(ix, e))
		return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	ix->ngrams_inserted += e->ngrams;
	return CONTAM_OK;
}

int contam_index_filter_words(contam_index *ix, uint64_t **words, size_t *count)
{
	if (!ix || !words || !count)
		return CONTAM_E_PARAM;
	if (!ix->filter.bits)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "a summary handle holds no filter");
	if (ix->map) /* mapped read-only: a write would fault */
		return cerr_set(&ix->err, CONTAM_E_PARAM, "the filter of a mapped index "
				"cannot be written: load it with contam_index_load");
	*words = ix->filter.bits;
	*count = (size_t)((ix->filter.hi - ix->filter.lo) * CBLOOM_BLOCK_WORDS);
	ix->stats_valid = 0; /* the caller may write */
	return CONTAM_OK;
}

const char *contam_fast_describe(const contam_fast *fast, char *buf, size_t len)
{
	const cfast *f = cfast_or_default(fast);
	if (len)
		snprintf(buf, len,
			 "tokenizer %s, Bloom insertion %s, write queue %s, gzip %s",
			 ctok_simd_name(f), cbloom_simd_name(f),
			 f->queue ? "on" : "off", cstream_inflater(f));
	return buf;
}

/* The default's text: written once (pthread_once), from the default
 * configuration, which never changes, and only read after; any thread
 * may keep the pointer. */
static char fast_paths[128];
static pthread_once_t fast_paths_once = PTHREAD_ONCE_INIT;

static void fast_paths_write(void)
{
	contam_fast_describe(NULL, fast_paths, sizeof fast_paths);
}

const char *contam_fast_paths(void)
{
	pthread_once(&fast_paths_once, fast_paths_write);
	return fast_paths;
}
