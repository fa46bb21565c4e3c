/*
 * probe.c -- score benchmark files against an index: read every example of
 * a file into the benchmark set (bench_set.c, shared with the scan: the
 * readers, names, tokenizing into pieces and n-grams by probe_item.c's
 * scoring rules, per-file rollback and the tally), find the file's
 * template n-grams, look each n-gram up in the index, and score:
 * per-example metrics, evidence and per-benchmark counts.
 *
 * A file is read whole before any example is scored, because templates
 * are a property of the file (an n-gram in 5% of its examples).  Options
 * that need more than the hit vector:
 *   question/answer  the set opens the file twice, once per field group,
 *                    and zips records by record number; question and
 *                    answer values are the pieces of one example, the
 *                    question's first, and a token position splits them;
 *   max doc freq     a hit on an n-gram the index counts in more than K
 *                    documents (the doc-freq section) counts neither way;
 *   null control     each example's tokens are shuffled with a fixed-seed
 *                    generator across its pieces and the copy is scored
 *                    by the same rules: chance plus order-proof phrases.
 *   near dup         each example's MinHash signature (the core's
 *                    item shingles: minhash.h) is cut into the index's b
 *                    band keys, each looked up in the minhash section;
 *                    any band found is a near-duplicate (docs/NEARDUP.md).
 * The clean subsets are written after scoring (probe_clean.c).
 */
#include "../index/index.h"
#include "../index/index_minhash.h"
#include "../ngram/minhash.h"
#include "../ngram/ngram.h"
#include "../ngram/winnow.h"
#include "../report/report.h"
#include "../text/text.h"
#include "bench.h"
#include "bench_set.h"
#include "probe_clean.h"
#include "probe_item.h"
#include "probe_metrics.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* contam_result copies the section's window sizes */
_Static_assert(CMH_MAX_WINDOWS == CONTAM_MINHASH_MAX_WINDOWS,
	       "contam_result.near_dup_windows holds cmh_params.windows");

struct contam_probe {
	const contam_index *ix;
	contam_probe_options opt; /* its strings point into `set` */
	char *index_path;
	contam_index_stats stats;
	cbench_set set;          /* benchmarks, examples (bench_set.h) */
	int has_buffers;         /* sources given in memory */
	unsigned char *state;    /* scratch: state per n-gram (probe_item.h) */
	size_t state_cap;
	cprobe_recipe recipe;
	cprobe_rule rule;
	cprobe_item shuffled;    /* scratch of the null control */
	cerr err;
	/* --near-dup: the index's minhash parameters (NULL: off), the
	 * item's shingle set, signature and band keys (scratch) */
	const cmh_params *mh;
	cmh_item *mh_item;
	uint64_t *mh_sig, *mh_keys;
	double mh_fpr;
	/* the file being scored: each example's shingle set (sorted,
	 * distinct) at mh_pool[mh_off[i] .. mh_off[i + 1]), and the file's
	 * template shingles (sorted) */
	uint64_t *mh_pool, *mh_tmpl, *mh_scratch;
	size_t mh_pool_len, mh_pool_cap, mh_scratch_cap, mh_ntmpl, mh_tmpl_cap;
	size_t *mh_off, mh_off_cap;
};

void contam_probe_options_init(contam_probe_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
	opt->near_dup_min_bands = 1;
	contam_rules_init(&opt->rules);
}

static int probe_new(contam_probe **out, const contam_index *ix,
		     const char *index_path, const contam_probe_options *opt)
{
	contam_probe *p = calloc(1, sizeof(*p));
	*out = p;
	if (!p)
		return CONTAM_E_NOMEM;
	p->ix = ix;
	if (opt)
		p->opt = *opt;
	else
		contam_probe_options_init(&p->opt);
	if (p->opt.min_span == 0)
		p->opt.min_span = 1;
	if (p->opt.rules.cjk_chars_per_word == 0)
		p->opt.rules.cjk_chars_per_word = 1;
	p->recipe = cprobe_recipe_of(&p->opt.rules, ix->params.ngram,
				     ix->params.seed, p->opt.fast);
	p->rule = (cprobe_rule){ ix->params.ngram, p->opt.min_span,
				 p->opt.rules.cjk_chars_per_word };
	p->index_path = cstrdup(index_path ? index_path : "");
	cbench_set_options so = CBENCH_SET_OPTIONS_OF(p->opt);
	so.ctx = p->opt.warning_ctx;
	so.recipe = p->recipe;
	int rc = cbench_set_init(&p->set, &so, &p->err);
	/* probe_clean.c re-reads the files with these: the set's copies */
	CBENCH_SET_BORROW(p->opt, p->set);
	if (rc < 0)
		return rc;
	contam_index_stats_get((contam_index *)ix, &p->stats);
	/* a partition answers only for its blocks: every other n-gram would
	 * read as absent, a false "clean" (contam_index_load_parts) */
	if (p->stats.part_count > 1)
		return cerr_set(&p->err, CONTAM_E_PARAM,
				"'%s' holds partition %u of %u of an index: load all %u "
				"partitions as one (contam_index_load_parts) to probe it",
				p->index_path ? p->index_path : "", p->stats.part_index + 1,
				p->stats.part_count, p->stats.part_count);
	if (!p->index_path)
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	/* without counts, --max-doc-freq would silently count nothing */
	if (p->opt.max_doc_freq && contam_index_doc_freq(ix, 0) < 0)
		return cerr_set(&p->err, CONTAM_E_PARAM, "'%s' has no document "
				"counts: --max-doc-freq needs an index built with "
				"contam index --doc-freq", p->index_path);
	/* without the section, every example would read "not near-dup" */
	if (p->opt.near_dup) {
		if (!(p->mh = cindex_mh_params(ix)))
			return cerr_set(&p->err, CONTAM_E_PARAM, "'%s' has no minhash "
					"section: --near-dup needs an index built with "
					"contam index --minhash", p->index_path);
		size_t bins = (size_t)p->mh->bands * p->mh->rows;
		int mrc = cmh_item_new(&p->mh_item, p->mh, p->opt.fast);
		if (mrc == CONTAM_E_PARAM)
			return cerr_set(&p->err, mrc, "'%s': its minhash section's "
					"parameters are invalid", p->index_path);
		if (mrc || !(p->mh_sig = malloc((bins ? bins : 1) * sizeof(uint64_t))) ||
		    !(p->mh_keys = malloc((p->mh->bands ? p->mh->bands : 1) *
					  sizeof(uint64_t))))
			return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		p->mh_fpr = cindex_mh_band_fpr(ix);
		if (p->opt.near_dup_min_bands == 0)
			p->opt.near_dup_min_bands = 1;
		/* a rule no example can meet would read "not near-dup" for all */
		if (p->opt.near_dup_min_bands > p->mh->bands)
			return cerr_set(&p->err, CONTAM_E_PARAM, "'%s': --near-dup-bands %u "
					"is more than the %u bands of its minhash section",
					p->index_path, p->opt.near_dup_min_bands, p->mh->bands);
	}
	return CONTAM_OK;
}

void contam_probe_free(contam_probe *p)
{
	if (!p)
		return;
	free(p->index_path);
	cbench_set_release(&p->set);
	free(p->state);
	cprobe_item_release(&p->shuffled);
	cmh_item_free(p->mh_item);
	free(p->mh_sig);
	free(p->mh_keys);
	free(p->mh_pool);
	free(p->mh_tmpl);
	free(p->mh_scratch);
	free(p->mh_off);
	free(p);
}

int contam_probe_new(contam_probe **out, const contam_index *ix,
		     const char *index_path, const contam_probe_options *opt,
		     contam_error *err)
{
	int rc = probe_new(out, ix, index_path, opt);
	cerr_export_rc(rc, *out ? &(*out)->err : NULL, err);
	if (rc) {
		contam_probe_free(*out);
		*out = NULL;
	}
	return rc;
}

const char *contam_probe_errmsg(const contam_probe *p)
{
	if (!p)
		return "out of memory";
	return p->err.msg[0] ? p->err.msg : contam_strerror(p->err.code);
}

/* The state of each n-gram of `it`: found in the index or not, or left
 * out of scoring as template or corpus-frequent. */
static int look_up(contam_probe *p, const cprobe_item *it, const uint64_t *tmpl,
		   size_t ntmpl)
{
	const contam_params *par = &p->ix->params;
	size_t G = it->ngrams;
	if (G > p->state_cap) {
		unsigned char *h = realloc(p->state, G);
		if (!h)
			return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		p->state = h;
		p->state_cap = G;
	}
	for (size_t g = 0; g < G; g++) {
		int in = contam_index_contains(p->ix, it->hash[g]);
		/* no answer (a summary handle, a partition set's key it was not
		 * asked about) is an error, never "absent" */
		if (in < 0)
			return cerr_set(&p->err, CONTAM_E_PARAM, "'%s' has no answer for "
					"an n-gram of this benchmark (no filter, or keys not "
					"resolved for it): it cannot be probed", p->index_path);
		p->state[g] = (unsigned char)in;
	}
	/* a winnowed index holds a sample: infer the matches */
	if (par->winnow > 1)
		cwinnow_fill_hits(p->state, G, par->winnow);
	for (size_t g = 0; g < G; g++) {
		if (ntmpl && cprobe_is_template(tmpl, ntmpl, it->hash[g]))
			p->state[g] = CPROBE_TEMPLATE;
		else if (p->state[g] == CPROBE_HIT && p->opt.max_doc_freq) {
			int64_t df = contam_index_doc_freq(p->ix, it->hash[g]);
			if (df < 0) /* no count: never "rare" by default */
				return cerr_set(&p->err, CONTAM_E_PARAM, "'%s' has no document "
						"count for an n-gram of this benchmark", p->index_path);
			if (df > (int64_t)p->opt.max_doc_freq)
				p->state[g] = CPROBE_FREQUENT;
		}
	}
	return CONTAM_OK;
}

/* The longest CONTAM_EVIDENCE_SPANS runs of hits, as text.  Runs are
 * kept sorted longest first (earlier first on ties) by insertion. */
static int take_evidence(contam_probe *p, contam_example *ex,
			 const cprobe_item *it, const char *text, size_t len)
{
	size_t best_a[CONTAM_EVIDENCE_SPANS], best_b[CONTAM_EVIDENCE_SPANS];
	size_t nbest = 0, n = p->ix->params.ngram, g0, G;
	const unsigned char *st = p->state;
	/* the runs of the reading the score took */
	cprobe_item_reading(it, cprobe_took_alt(ex), &g0, &G);
	for (size_t i = g0; i < G;) {
		if (st[i] != CPROBE_HIT) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < G && st[j] == CPROBE_HIT && it->first[j] == it->first[j - 1] + 1)
			j++;
		size_t a = it->first[i], b = it->first[j - 1] + n, k = nbest;
		while (k > 0 && best_b[k - 1] - best_a[k - 1] < b - a)
			k--;
		if (k < CONTAM_EVIDENCE_SPANS) {
			size_t last = nbest < CONTAM_EVIDENCE_SPANS ? nbest
								    : nbest - 1;
			for (size_t m = last; m > k; m--) {
				best_a[m] = best_a[m - 1];
				best_b[m] = best_b[m - 1];
			}
			best_a[k] = a;
			best_b[k] = b;
			if (nbest < CONTAM_EVIDENCE_SPANS)
				nbest++;
		}
		i = j;
	}
	if (!nbest)
		return CONTAM_OK;
	ex->spans = calloc(nbest, sizeof(*ex->spans));
	if (!ex->spans)
		return CONTAM_E_NOMEM;
	for (size_t k = 0; k < nbest; k++) {
		contam_span *s = &ex->spans[k];
		s->token_start = (uint32_t)best_a[k];
		s->token_end = (uint32_t)best_b[k];
		s->words = (double)cprobe_item_weight(it, best_a[k], best_b[k],
						      p->rule.cjk_chars_per_word) /
			   p->rule.cjk_chars_per_word;
		s->byte_start = it->tok_start[best_a[k]];
		s->byte_end = it->tok_end[best_b[k] - 1];
		assert(s->byte_start <= s->byte_end && s->byte_end <= len);
		size_t bytes = (size_t)(s->byte_end - s->byte_start);
		if (bytes > CONTAM_SPAN_TEXT_MAX) {
			/* cut at a UTF-8 character boundary */
			bytes = CONTAM_SPAN_TEXT_MAX;
			while (bytes > 0 &&
			       ((unsigned char)text[s->byte_start + bytes] & 0xC0) == 0x80)
				bytes--;
			s->truncated = 1;
		}
		if (!(s->text = malloc(bytes + 1)))
			return CONTAM_E_NOMEM;
		memcpy(s->text, text + s->byte_start, bytes);
		s->text[bytes] = '\0';
		ex->nspans++;
	}
	return CONTAM_OK;
}

/* Score a token-shuffled copy of the example and count its verdicts:
 * what chance matches at this index's fill, plus phrases common enough
 * to survive reordering, give. */
static int score_null(contam_probe *p, contam_benchmark *b, contam_example *ex,
		      const cprobe_item *it, const uint64_t *tmpl, size_t ntmpl)
{
	contam_example null;
	uint64_t seed = 0x636F6E74616D0001ULL ^ (ex->record * 0x9E3779B97F4A7C15ULL);
	memset(&null, 0, sizeof(null));
	if (cprobe_item_shuffle(&p->shuffled, it, &p->recipe, seed))
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	int rc = look_up(p, &p->shuffled, tmpl, ntmpl);
	if (rc)
		return rc;
	cprobe_item_score(&null, &p->shuffled, p->state, &p->rule, 0);
	/* per example too, so a null flag can be traced to its item */
	ex->has_null = 1;
	ex->null_verdict = (uint8_t)null.verdict;
	ex->null_gpt3 = null.gpt3;
	ex->null_coverage = null.coverage;
	if (null.verdict == CONTAM_TOO_SHORT)
		return CONTAM_OK;
	b->null_examples++;
	b->null_contaminated += null.verdict == CONTAM_CONTAMINATED;
	b->null_partial += null.verdict == CONTAM_PARTIAL;
	b->null_gpt3 += null.gpt3;
	b->null_palm += null.palm;
	double c10 = null.tokens ? (double)null.covered10 / null.tokens : 0;
	b->null_llama2_dirty += c10 >= 0.8;
	b->null_llama2_not_clean += c10 >= 0.2 && c10 < 0.8;
	return CONTAM_OK;
}

/* A set of 64-bit hashes (open addressing; 0 is stored apart): the
 * long field values of a file seen so far. */
typedef struct hset {
	uint64_t *slot;
	size_t cap, n;
	int has_zero;
} hset;

/* 1 when h was there already, 0 when added, < 0 out of memory. */
static int hset_add(hset *t, uint64_t h)
{
	if (h == 0) {
		int had = t->has_zero;
		t->has_zero = 1;
		return had;
	}
	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		uint64_t *ns = calloc(cap, sizeof(*ns));
		if (!ns)
			return CONTAM_E_NOMEM;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slot[i])
				continue;
			size_t j = (size_t)(cmix64(t->slot[i]) & (cap - 1));
			while (ns[j])
				j = (j + 1) & (cap - 1);
			ns[j] = t->slot[i];
		}
		free(t->slot);
		t->slot = ns;
		t->cap = cap;
	}
	size_t j = (size_t)(cmix64(h) & (t->cap - 1));
	for (; t->slot[j]; j = (j + 1) & (t->cap - 1))
		if (t->slot[j] == h)
			return 1;
	t->slot[j] = h;
	t->n++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sort and de-duplicate v[0..n); the new length. */
static size_t sort_unique(uint64_t *v, size_t n)
{
	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), cmp_u64);
	size_t m = 1;
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[m - 1])
			v[m++] = v[i];
	return m;
}

static int pool_push(uint64_t **v, size_t *len, size_t *cap, const uint64_t *x, size_t n)
{
	if (cgrow((void **)v, cap, *len + n + 1, sizeof(**v)) != CONTAM_OK)
		return CONTAM_E_NOMEM;
	if (n) /* x may be NULL then (an example with no shingle) */
		memcpy(*v + *len, x, n * sizeof(*x));
	*len += n;
	return CONTAM_OK;
}

/*
 * --near-dup, before a file's examples are scored: each example's
 * shingle set, and the file's template shingles.  The values of an
 * example are joined by '\n' (bench.h: a question and its answer too) and
 * the core ends a segment at every newline, so each line is shingled on
 * its own: no shingle bridges two fields.  A shingle in more than
 * template_share of the file's examples and in at least template_min of
 * them is the benchmark's template (a stem every item shares: "For which
 * of these two scenarios does the main character ..."): it matches
 * wherever any of those items is on the web, so it is left out of every
 * item's set, as the n-gram template rule leaves such n-grams out.  As
 * there, a long value repeated in many examples (a passage several
 * questions share) counts once, so a shared passage is never template.
 */
static int near_dup_prepare(contam_probe *p, size_t first, size_t n)
{
	const uint64_t *sh;
	hset seen = { 0 };
	uint64_t *count = NULL;
	size_t ncount = 0, count_cap = 0;
	int rc = CONTAM_E_NOMEM;
	double share = p->opt.rules.template_share;
	size_t long_tokens = 2 * (size_t)p->mh->shingle;

	p->mh_pool_len = 0;
	p->mh_ntmpl = 0;
	if (cgrow((void **)&p->mh_off, &p->mh_off_cap, n + 1, sizeof(*p->mh_off)) != CONTAM_OK)
		goto out;
	p->mh_off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *text = p->set.texts[first + i];
		size_t len = p->set.text_len[first + i], at = p->mh_pool_len, counted = ncount;
		for (size_t a = 0; a < len;) {
			const char *nl = memchr(text + a, '\n', len - a);
			size_t b = nl ? (size_t)(nl - text) : len;
			if (b > a) {
				cmh_item_reset(p->mh_item);
				if (cmh_item_add_text(p->mh_item, text + a, b - a))
					goto out;
				size_t k = cmh_item_shingles(p->mh_item, &sh);
				if (pool_push(&p->mh_pool, &p->mh_pool_len, &p->mh_pool_cap, sh, k))
					goto out;
				/* a long value seen before in this file counts once */
				int again = 0;
				if (share > 0 && cmh_item_tokens(p->mh_item) >= long_tokens &&
				    (again = hset_add(&seen, XXH3_64bits(text + a, b - a))) < 0)
					goto out;
				if (share > 0 && !again &&
				    pool_push(&count, &ncount, &count_cap, sh, k))
					goto out;
			}
			a = b + 1;
		}
		p->mh_pool_len = at + sort_unique(p->mh_pool + at, p->mh_pool_len - at);
		ncount = counted + sort_unique(count + counted, ncount - counted);
		p->mh_off[i + 1] = p->mh_pool_len;
	}
	if (share > 0 && ncount) {
		/* the shingles in more than share of the examples, and in at
		 * least template_min of them (each example counted once) */
		qsort(count, ncount, sizeof(*count), cmp_u64);
		double limit = share * (double)n;
		for (size_t j = 0; j < ncount;) {
			size_t e = j;
			while (e < ncount && count[e] == count[j])
				e++;
			if ((double)(e - j) > limit && e - j >= p->opt.rules.template_min &&
			    pool_push(&p->mh_tmpl, &p->mh_ntmpl, &p->mh_tmpl_cap, &count[j], 1))
				goto out;
			j = e;
		}
	}
	rc = CONTAM_OK;
out:
	free(seen.slot);
	free(count);
	return rc < 0 ? cerr_set(&p->err, rc, "out of memory") : rc;
}

/* --near-dup for example i of the file (near_dup_prepare's set, less
 * the template shingles): its signature's b band keys looked up in the
 * minhash section, the count of bands found and the Jaccard range that
 * count implies.  An example with no shingle left has no signature:
 * counted as unscored, never "not near-dup". */
static int near_dup(contam_probe *p, contam_benchmark *bm, contam_example *ex,
		    size_t i)
{
	const uint64_t *all = p->mh_pool + p->mh_off[i];
	size_t nall = p->mh_off[i + 1] - p->mh_off[i], n = 0;
	if (cgrow((void **)&p->mh_scratch, &p->mh_scratch_cap, nall + 1,
		  sizeof(*p->mh_scratch)) != CONTAM_OK)
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	for (size_t j = 0; j < nall; j++)
		if (!p->mh_ntmpl || !cprobe_is_template(p->mh_tmpl, p->mh_ntmpl, all[j]))
			p->mh_scratch[n++] = all[j];
	ex->has_near_dup = 1;
	ex->near_dup_shingles = (uint32_t)(n < UINT32_MAX ? n : UINT32_MAX);
	ex->near_dup_template_shingles = (uint32_t)(nall - n);
	bm->near_dup_template_excluded += nall - n;
	if (!n || !cmh_signature(p->mh, p->mh_scratch, n, p->mh_sig)) {
		ex->near_dup_unscored = 1;
		return CONTAM_OK;
	}
	cmh_band_keys(p->mh, p->mh_sig, p->mh_keys);
	uint32_t c = 0;
	for (uint32_t b = 0; b < p->mh->bands; b++) {
		int in = cindex_mh_contains(p->ix, p->mh_keys[b]);
		/* no answer is an error, never "absent" (look_up) */
		if (in < 0)
			return cerr_set(&p->err, CONTAM_E_PARAM, "'%s' has no answer "
					"for a minhash band of this benchmark (keys not "
					"resolved for it): it cannot be probed with "
					"--near-dup", p->index_path);
		c += in > 0;
	}
	ex->near_dup_bands = c;
	ex->near_dup = c >= p->opt.near_dup_min_bands;
	cmh_jaccard_range(p->mh->bands, p->mh->rows, c, &ex->near_dup_jaccard_lo,
			  &ex->near_dup_jaccard_hi);
	return CONTAM_OK;
}

/* Read one file (or bytes in memory) into the set and score it whole:
 * templates of the file, then per example the index look-ups, metrics,
 * evidence and null control. */
static int add_source(contam_probe *p, const char *name, const char *path,
		      const cbench_mem *mem)
{
	bool qa = p->set.qa;
	uint64_t *tmpl = NULL;
	size_t ntmpl = 0, first, n;
	double fpr = p->stats.fpr;
	int rc;

	cerr_clear(&p->err);
	if ((rc = cbench_set_read(&p->set, name, path, mem, &p->err)) < 0)
		return rc;
	contam_benchmark *b = cbench_set_current(&p->set, &first, &n);
	if (cbench_set_templates(&p->set, first, n, p->opt.rules.template_share,
				 p->opt.rules.template_min, &tmpl, &ntmpl))
		goto nomem;
	b->template_share = p->opt.rules.template_share;
	b->template_min = p->opt.rules.template_min;
	b->template_distinct += ntmpl;
	if (p->mh) {
		if ((rc = near_dup_prepare(p, first, n)) < 0)
			goto fail;
		b->near_dup_template_distinct += p->mh_ntmpl;
	}
	for (size_t i = first; i < first + n; i++) {
		cprobe_item *it = &p->set.items[i];
		contam_example *ex = &p->set.examples[i];
		if (p->opt.stop && *p->opt.stop) {
			rc = cerr_set(&p->err, CONTAM_E_INTERRUPTED, "interrupted");
			goto fail;
		}
		if ((rc = look_up(p, it, tmpl, ntmpl)) < 0)
			goto fail;
		ex->has_qa = qa;
		cprobe_item_score(ex, it, p->state, &p->rule, p->set.split[i]);
		b->template_ngrams += ex->template_ngrams;
		b->frequent_ngrams += ex->frequent_ngrams;
		bool flagged = ex->verdict == CONTAM_PARTIAL ||
			       ex->verdict == CONTAM_CONTAMINATED;
		if (flagged) {
			double frac = ex->verdict == CONTAM_CONTAMINATED ? 0.8 : 0.2;
			ex->chance = cprobe_false_flag(ex->tokens, p->ix->params.ngram,
						       p->opt.min_span, fpr, frac);
			/* read two ways (labels dropped and kept), either of
			 * which could have been the false one: union bound */
			if (it->has_alt)
				ex->chance = ex->chance * 2 < 1 ? ex->chance * 2 : 1;
			if (take_evidence(p, ex, it, p->set.texts[i],
					  p->set.text_len[i]))
				goto nomem;
		}
		if (p->opt.null_control &&
		    (rc = score_null(p, b, ex, it, tmpl, ntmpl)) < 0)
			goto fail;
		if (p->mh && (rc = near_dup(p, b, ex, i - first)) < 0)
			goto fail;
	}
	free(tmpl);
	/* the field statistics, and the benchmark recounted */
	return cbench_set_commit(&p->set, &p->err);
nomem:
	rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
fail:
	free(tmpl);
	return cbench_set_abort(&p->set, rc, &p->err);
}

int contam_probe_add_file(contam_probe *p, const char *name, const char *path)
{
	return add_source(p, name, path, NULL);
}

int contam_probe_add_buffer(contam_probe *p, const char *name,
			    const char *source_label, const void *data,
			    size_t len, contam_bench_format format)
{
	cbench_mem mem = { data, len, (bench_format)format };
	int rc = add_source(p, name, source_label, &mem);
	p->has_buffers |= rc == CONTAM_OK;
	return rc;
}

void contam_probe_result(const contam_probe *p, contam_result *out)
{
	memset(out, 0, sizeof(*out));
	out->index_path = p->index_path;
	out->index = p->stats;
	out->min_span = p->opt.min_span;
	out->benchmarks = p->set.benchmarks;
	out->nbenchmarks = p->set.nbenchmarks;
	out->examples = p->set.examples;
	out->nexamples = p->set.nexamples;
	out->null_control = p->opt.null_control;
	out->qa_split = p->opt.nquestion_fields > 0;
	out->rules = p->opt.rules;
	out->max_doc_freq = p->opt.max_doc_freq;
	out->label = p->opt.label;
	out->options = &p->opt;
	out->inputs_digest = creport_inputs_digest(p->ix, &out->inputs);
	creport_index_unread(p->ix, out);
	if (p->mh) {
		out->near_dup = 1;
		out->near_dup_shingle = p->mh->shingle;
		out->near_dup_bands = p->mh->bands;
		out->near_dup_rows = p->mh->rows;
		out->near_dup_nwindows = p->mh->nwindows;
		for (uint32_t i = 0; i < p->mh->nwindows && i < CONTAM_MINHASH_MAX_WINDOWS; i++)
			out->near_dup_windows[i] = p->mh->windows[i];
		out->near_dup_stride_div = p->mh->stride_div;
		out->near_dup_band_fpr = p->mh_fpr;
		out->near_dup_min_bands = p->opt.near_dup_min_bands;
	}
}

/* For probe_clean.c, which re-reads the files with the same options. */
const contam_probe_options *cprobe_options(const contam_probe *p)
{
	return &p->opt;
}

cerr *cprobe_err(contam_probe *p)
{
	return &p->err;
}

int cprobe_has_buffers(const contam_probe *p)
{
	return p->has_buffers;
}
