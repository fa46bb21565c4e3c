/*
 * scan_table.c -- benchmarks into the exact table of the scan.
 *
 * Examples are read into the benchmark set the probe uses (bench_set.h:
 * the same readers, names, question/answer split and per-file rollback)
 * and hashed with the index's recipe (text.h + ngram.h, the index's
 * default seed and n), so a scan and a probe of the same benchmark agree
 * on every n-gram.  The table is built once, when the scan starts (after
 * contam_scan_select may have narrowed the examples):
 *
 * How it works.  All (hash, example, position) triples are collected and
 * sorted; equal hashes become one entry whose postings -- the places the
 * n-gram occurs in the benchmarks, in (example, position) order -- are
 * contiguous.  Entries go into an open-addressing table at most half
 * full, so a lookup of an absent n-gram (nearly every corpus n-gram)
 * usually touches one slot.  Each example keeps the entry of each of its
 * positions, so its hit vector is read off the entries' document counts
 * at the end.
 */
#include "scan.h"
#include "../pass/pass.h"

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

void contam_scan_options_init(contam_scan_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
	opt->ngram = 8;
	opt->text_field = "text";
	opt->max_record = cpass_default_max_record();
	opt->cut_margin = 200;
	opt->cut_max_pieces = 10;
	opt->near_dup_min = 0.5;
	contam_rules_init(&opt->rules);
}

static int scan_new(contam_scan **out, const contam_scan_options *opt)
{
	contam_scan *s = calloc(1, sizeof(*s));
	*out = s;
	if (!s)
		return CONTAM_E_NOMEM;
	s->spill_fd = -1;
	s->mspill_fd = -1;
	if (opt)
		s->opt = *opt;
	else
		contam_scan_options_init(&s->opt);
	if (s->opt.min_span == 0)
		s->opt.min_span = 1;
	if (s->opt.ngram == 0)
		s->opt.ngram = 8;
	if (s->opt.rules.cjk_chars_per_word == 0)
		s->opt.rules.cjk_chars_per_word = 1;
	if (s->opt.ngram > CONTAM_MAX_NGRAM)
		return cerr_set(&s->err, CONTAM_E_PARAM, "n-gram size %u is over %d",
				s->opt.ngram, CONTAM_MAX_NGRAM);
	/* the index's seed: whatever contam_plan_filter puts in new indexes */
	contam_params p;
	double fpr;
	if (contam_plan_filter(1000, 0.01, 0, s->opt.ngram, &p, &fpr, NULL))
		return cerr_set(&s->err, CONTAM_E_PARAM, "cannot plan n-gram parameters");
	s->seed = p.seed;
	s->recipe = cprobe_recipe_of(&s->opt.rules, s->opt.ngram, s->seed, s->opt.fast);
	s->rule = (cprobe_rule){ s->opt.ngram, s->opt.min_span,
				 s->opt.rules.cjk_chars_per_word };
	cbench_set_options so = CBENCH_SET_OPTIONS_OF(s->opt);
	so.ctx = s->opt.ctx;
	so.recipe = s->recipe;
	so.keep_items = 1; /* scored at the end of the scan */
	int rc = cbench_set_init(&s->set, &so, &s->err);
	CBENCH_SET_BORROW(s->opt, s->set);
	if (rc < 0)
		return rc;
	if (!(s->text_field = cstrdup(s->opt.text_field ? s->opt.text_field : "text")))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->opt.text_field = s->text_field;
	if (s->opt.purify_dir && !(s->purify_dir = cstrdup(s->opt.purify_dir)))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->opt.purify_dir = s->purify_dir;
	if (s->opt.purify_dir && s->opt.purify_mode == CONTAM_PURIFY_NONE)
		s->opt.purify_mode = CONTAM_PURIFY_DROP;
	return CONTAM_OK;
}

void cscan_hitdoc_release(cscan_hitdoc *hd)
{
	free(hd->member);
	free(hd->url);
	free(hd->id);
	for (size_t i = 0; i < hd->nregions; i++)
		free(hd->regions[i].snippet);
	free(hd->regions);
	free(hd->chains);
	memset(hd, 0, sizeof(*hd));
}

void cscan_table_release(cscan_table *t)
{
	free(t->hash);
	free(t->post_first);
	free(t->post_count);
	free(t->docs);
	free(t->post);
	free(t->slot);
	free(t->present);
	memset(t, 0, sizeof(*t));
}

void contam_scan_free(contam_scan *s)
{
	if (!s)
		return;
	free(s->text_field);
	free(s->purify_dir);
	cbench_set_release(&s->set);
	free(s->ex_tmpl);
	free(s->confirmed_examples);
	free(s->confirmed_benchmarks);
	free(s->state);
	free(s->doc_count);
	free(s->ex_first);
	free(s->ex_entry);
	cscan_nd_free(s->nd);
	free(s->nd_probe);
	free(s->nd_probe_path);
	cscan_table_release(&s->table);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].chunks);
	cscan_spill_close(s);
	if (s->mspill_fd >= 0)
		close(s->mspill_fd);
	free(s->files);
	free(s->ignored);
	free(s);
}

int contam_scan_new(contam_scan **out, const contam_scan_options *opt,
		    contam_error *err)
{
	int rc = scan_new(out, opt);
	cerr_export_rc(rc, *out ? &(*out)->err : NULL, err);
	if (rc) {
		contam_scan_free(*out);
		*out = NULL;
	}
	return rc;
}

const char *contam_scan_errmsg(const contam_scan *s)
{
	if (!s)
		return "out of memory";
	return s->err.msg[0] ? s->err.msg : contam_strerror(s->err.code);
}

static int add_source(contam_scan *s, const char *name, const char *path,
		      const cbench_mem *mem, const contam_bench_layout *layout)
{
	int rc;
	cerr_clear(&s->err);
	if (s->ran)
		return cerr_set(&s->err, CONTAM_E_PARAM, "the scan has already run");
	/* the set's options (warnings, recipe) with the file's layout */
	cbench_set_options lo = s->set.opt;
	if (layout) {
		lo.fields = layout->fields;
		lo.nfields = layout->nfields;
		lo.id_field = layout->id_field;
		lo.no_header = layout->no_header;
		lo.force_header = layout->force_header;
		lo.records = layout->records;
		lo.lines_per_record = layout->lines_per_record;
		lo.question_fields = layout->question_fields;
		lo.nquestion_fields = layout->nquestion_fields;
		lo.answer_fields = layout->answer_fields;
		lo.nanswer_fields = layout->nanswer_fields;
	}
	if ((rc = cbench_set_read_with(&s->set, name, path, mem, layout ? &lo : NULL,
				       &s->err)) < 0)
		return rc;
	return cbench_set_commit(&s->set, &s->err);
}

int contam_scan_add_file_with(contam_scan *s, const char *name, const char *path,
			      const contam_bench_layout *layout)
{
	return add_source(s, name, path, NULL, layout);
}

int contam_scan_add_file(contam_scan *s, const char *name, const char *path)
{
	return add_source(s, name, path, NULL, NULL);
}

int contam_scan_add_buffer(contam_scan *s, const char *name,
			   const char *source_label, const void *data,
			   size_t len, contam_bench_format format)
{
	cbench_mem mem = { data, len, (bench_format)format };
	return add_source(s, name, source_label, &mem, NULL);
}

int contam_scan_select(contam_scan *s, const char *source,
		       const uint64_t *records, size_t n)
{
	cbench_set_select(&s->set, source, records, n);
	return CONTAM_OK;
}

typedef struct triple {
	uint64_t hash;
	uint32_t ex, pos;
} triple;

static int cmp_triple(const void *a, const void *b)
{
	const triple *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->ex != y->ex)
		return x->ex < y->ex ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Template n-grams, file by file over every example added (a --confirm
 * selection narrows what is scanned, not what the file's templates are),
 * as the probe finds them: s->ex_tmpl[ex_first[i] + g] = 1 for
 * template n-gram g of example i.  Also sets ex_first. */
static contam_benchmark *benchmark_of(cbench_set *bs, const contam_example *ex)
{
	for (size_t i = 0; i < bs->nbenchmarks; i++)
		if (bs->benchmarks[i].name == ex->benchmark)
			return &bs->benchmarks[i];
	return NULL;
}

static int mark_templates(contam_scan *s, cerr *err)
{
	cbench_set *bs = &s->set;
	for (size_t i = 0; i < bs->nexamples; i++)
		s->ex_first[i + 1] = s->ex_first[i] + bs->items[i].ngrams;
	size_t total = s->ex_first[bs->nexamples];
	s->ex_tmpl = calloc(total ? total : 1, 1);
	if (!s->ex_tmpl)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (s->opt.rules.template_share <= 0)
		return CONTAM_OK;
	for (size_t a = 0; a < bs->nexamples;) {
		size_t b = a + 1;
		while (b < bs->nexamples && bs->examples[b].source == bs->examples[a].source)
			b++;
		uint64_t *set = NULL;
		size_t nset = 0;
		if (cbench_set_templates(bs, a, b - a, s->opt.rules.template_share,
					 s->opt.rules.template_min, &set, &nset))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = a; i < b; i++)
			for (size_t g = 0; nset && g < bs->items[i].ngrams; g++)
				s->ex_tmpl[s->ex_first[i] + g] = (unsigned char)
					cprobe_is_template(set, nset, bs->items[i].hash[g]);
		free(set);
		/* the report's "scoring" says what was taken out, as the
		 * probe's does */
		contam_benchmark *bm = benchmark_of(bs, &bs->examples[a]);
		if (bm) {
			bm->template_share = s->opt.rules.template_share;
			bm->template_min = s->opt.rules.template_min;
			bm->template_distinct += nset;
		}
		a = b;
	}
	return CONTAM_OK;
}

int cscan_table_build(contam_scan *s, cerr *err)
{
	cscan_table *t = &s->table;
	triple *tr = NULL;
	size_t ntr = 0, cap = 0;
	int rc = CONTAM_OK;

	if (s->set.nexamples >= UINT32_MAX)
		return cerr_set(err, CONTAM_E_LIMIT, "too many benchmark examples");
	s->ex_first = calloc(s->set.nexamples + 1, sizeof(uint64_t));
	s->doc_count = calloc(s->set.nexamples ? s->set.nexamples : 1, sizeof(uint64_t));
	if (!s->ex_first || !s->doc_count)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (mark_templates(s, err))
		return CONTAM_E_NOMEM;
	for (size_t i = 0; i < s->set.nexamples; i++) {
		const cprobe_item *it = &s->set.items[i];
		size_t count = it->ngrams;
		const uint64_t *hashes = it->hash;
		s->set.examples[i].tokens = (uint32_t)it->ntok;
		s->set.examples[i].ngrams = (uint32_t)count;
		if (count > s->max_ngrams)
			s->max_ngrams = (uint32_t)count;
		if (!s->set.selected[i])
			continue;
		if (ntr + count > cap) {
			size_t c2 = cap ? cap * 2 : 4096;
			while (c2 < ntr + count)
				c2 *= 2;
			triple *p = realloc(tr, c2 * sizeof(*p));
			if (!p) {
				rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			tr = p;
			cap = c2;
		}
		for (size_t j = 0; j < count; j++)
			tr[ntr++] = (triple){ hashes[j], (uint32_t)i, (uint32_t)j };
	}
	if (ntr >= UINT32_MAX) {
		rc = cerr_set(err, CONTAM_E_LIMIT, "too many benchmark n-grams");
		goto out;
	}
	if (ntr)
		qsort(tr, ntr, sizeof(*tr), cmp_triple);
	size_t total = s->ex_first[s->set.nexamples];
	s->ex_entry = malloc((total ? total : 1) * sizeof(uint32_t));
	t->post = malloc((ntr ? ntr : 1) * sizeof(*t->post));
	size_t ne = 0;
	for (size_t i = 0; i < ntr; i++)
		ne += i == 0 || tr[i].hash != tr[i - 1].hash;
	t->hash = malloc((ne ? ne : 1) * sizeof(uint64_t));
	t->post_first = malloc((ne ? ne : 1) * sizeof(uint32_t));
	t->post_count = calloc(ne ? ne : 1, sizeof(uint32_t));
	t->docs = calloc(ne ? ne : 1, sizeof(uint64_t));
	uint64_t slots = 16;
	while (slots < 16 * (uint64_t)ne)
		slots *= 2;
	t->slot = calloc(slots, sizeof(uint32_t));
	t->mask = slots - 1;
	/* the presence bitmap: 16-32 bits per entry, at least one word */
	unsigned log_bits = 6;
	while (log_bits < 40 && ((uint64_t)1 << log_bits) < 16 * (uint64_t)ne)
		log_bits++;
	t->present = calloc((size_t)1 << (log_bits - 6), sizeof(uint64_t));
	t->present_shift = 64 - log_bits;
	if (!s->ex_entry || !t->post || !t->hash || !t->post_first ||
	    !t->post_count || !t->docs || !t->slot || !t->present) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < total; i++)
		s->ex_entry[i] = CSCAN_NONE;
	size_t e = 0;
	for (size_t i = 0; i < ntr; i++) {
		if (i == 0 || tr[i].hash != tr[i - 1].hash) {
			e = t->nentries++;
			t->hash[e] = tr[i].hash;
			t->post_first[e] = (uint32_t)i;
			uint64_t h = tr[i].hash, k = (h ^ (h >> 29)) & t->mask;
			while (t->slot[k])
				k = (k + 1) & t->mask;
			t->slot[k] = (uint32_t)e + 1;
			uint64_t b = h >> t->present_shift;
			t->present[b >> 6] |= (uint64_t)1 << (b & 63);
		}
		t->post_count[e]++;
		t->post[i] = (cscan_posting){ tr[i].ex, tr[i].pos };
		s->ex_entry[s->ex_first[tr[i].ex] + tr[i].pos] = (uint32_t)e;
	}
	t->npost = ntr;
	s->stats.table_ngrams = t->nentries;
	s->stats.table_bytes = t->nentries * (8 + 4 + 4 + 8) + ntr * 8 +
			       slots * 4 + total * 4 + ((size_t)1 << (log_bits - 3));
out:
	free(tr);
	return rc;
}
