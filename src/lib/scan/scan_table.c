/*
 * scan_table.c -- benchmarks into the exact table of the scan.
 *
 * Examples are read with the probe's benchmark readers (bench.h) and
 * hashed with the index's recipe (text.h + ngram.h, the index's default
 * seed and n), so a scan and a probe of the same benchmark agree on every
 * n-gram.  The table is built once, when the scan starts (after
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
#include "../probe/bench.h"

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

void contam_scan_options_init(contam_scan_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
	opt->ngram = 8;
	opt->text_field = "text";
	opt->max_record = 256u << 20;
	opt->cut_margin = 200;
	opt->cut_max_pieces = 10;
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
	s->recipe = (cprobe_recipe){ s->opt.ngram, s->seed, s->opt.rules.join_fields,
				     s->opt.rules.keep_labels };
	s->rule = (cprobe_rule){ s->opt.ngram, s->opt.min_span,
				 s->opt.rules.cjk_chars_per_word };
	if (s->opt.nfields) {
		s->fields = calloc(s->opt.nfields, sizeof(char *));
		if (!s->fields)
			return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = 0; i < s->opt.nfields; i++)
			if (!(s->fields[i] = cstrdup(s->opt.fields[i])))
				return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
		s->opt.fields = (const char *const *)s->fields;
	}
	if (s->opt.id_field && !(s->id_field = cstrdup(s->opt.id_field)))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->opt.id_field = s->id_field;
	if (!(s->text_field = cstrdup(s->opt.text_field ? s->opt.text_field : "text")))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->opt.text_field = s->text_field;
	if (s->opt.records && !(s->records_path = cstrdup(s->opt.records)))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	s->opt.records = s->records_path;
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
	memset(t, 0, sizeof(*t));
}

void contam_scan_free(contam_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->fields && i < s->opt.nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	free(s->id_field);
	free(s->text_field);
	free(s->purify_dir);
	free(s->records_path);
	for (size_t i = 0; i < s->nexamples; i++) {
		free(s->examples[i].id);
		free(s->texts[i]);
		cprobe_item_release(&s->items[i]);
	}
	free(s->items);
	free(s->ex_tmpl);
	free(s->confirmed_examples);
	free(s->confirmed_benchmarks);
	free(s->state);
	free(s->examples);
	free(s->texts);
	free(s->text_len);
	free(s->selected);
	free(s->doc_count);
	free(s->ex_first);
	free(s->ex_entry);
	for (size_t i = 0; i < s->nbenchmarks; i++) {
		free(s->benchmarks[i].name);
		for (size_t j = 0; j < s->benchmarks[i].nsources; j++)
			free(s->benchmarks[i].sources[j]);
		free(s->benchmarks[i].sources);
		bench_benchmark_fields_free(&s->benchmarks[i]);
	}
	free(s->benchmarks);
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

static contam_benchmark *find_benchmark(contam_scan *s, const char *name)
{
	for (size_t i = 0; i < s->nbenchmarks; i++)
		if (strcmp(s->benchmarks[i].name, name) == 0)
			return &s->benchmarks[i];
	contam_benchmark *b = realloc(s->benchmarks, (s->nbenchmarks + 1) * sizeof(*b));
	if (!b)
		return NULL;
	s->benchmarks = b;
	b = &s->benchmarks[s->nbenchmarks];
	memset(b, 0, sizeof(*b));
	if (!(b->name = cstrdup(name)))
		return NULL;
	s->nbenchmarks++;
	return b;
}

static int grow_examples(contam_scan *s)
{
	if (s->nexamples < s->cap)
		return CONTAM_OK;
	size_t cap = s->cap ? s->cap * 2 : 256;
	contam_example *e = realloc(s->examples, cap * sizeof(*e));
	if (e)
		s->examples = e;
	char **t = realloc(s->texts, cap * sizeof(*t));
	if (t)
		s->texts = t;
	size_t *l = realloc(s->text_len, cap * sizeof(*l));
	if (l)
		s->text_len = l;
	unsigned char *sel = realloc(s->selected, cap);
	if (sel)
		s->selected = sel;
	cprobe_item *it = realloc(s->items, cap * sizeof(*it));
	if (it)
		s->items = it;
	if (!e || !t || !l || !sel || !it)
		return CONTAM_E_NOMEM;
	s->cap = cap;
	return CONTAM_OK;
}

int contam_scan_add_file(contam_scan *s, const char *name, const char *path)
{
	bench_options bo = {
		.fields = s->opt.fields,
		.nfields = s->opt.nfields,
		.id_field = s->opt.id_field,
		.no_header = s->opt.no_header,
		.on_warning = s->opt.on_warning,
		.ctx = s->opt.ctx,
		.records = s->opt.records,
		.lines_per_record = s->opt.lines_per_record,
		.force_header = s->opt.force_header,
	};
	bench_reader *r = NULL;
	bench_example bex;
	size_t first = s->nexamples;
	int rc;

	cerr_clear(&s->err);
	if (s->ran)
		return cerr_set(&s->err, CONTAM_E_PARAM, "the scan has already run");
	contam_benchmark *b = find_benchmark(s, name);
	if (!b)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	char **src = realloc(b->sources, (b->nsources + 1) * sizeof(*src));
	if (!src)
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	b->sources = src;
	if (!(src[b->nsources] = cstrdup(path)))
		return cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
	b->nsources++;
	const char *bname = b->name, *bsource = b->sources[b->nsources - 1];

	if ((rc = bench_reader_open(&r, path, &bo, &s->err)) < 0)
		goto out;
	while ((rc = bench_reader_next(r, &bex, &s->err)) == 1) {
		if (grow_examples(s)) {
			rc = cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		contam_example *ex = &s->examples[s->nexamples];
		memset(ex, 0, sizeof(*ex));
		ex->benchmark = bname;
		ex->source = bsource;
		ex->record = bex.record;
		ex->line = bex.line;
		s->texts[s->nexamples] = malloc(bex.len + 1);
		s->text_len[s->nexamples] = bex.len;
		s->selected[s->nexamples] = 1;
		if (!s->texts[s->nexamples] || (bex.id && !(ex->id = cstrdup(bex.id)))) {
			free(s->texts[s->nexamples]);
			free(ex->id);
			rc = cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		memcpy(s->texts[s->nexamples], bex.text, bex.len);
		s->texts[s->nexamples][bex.len] = '\0';
		cprobe_item *it = &s->items[s->nexamples];
		memset(it, 0, sizeof(*it));
		s->nexamples++;
		rc = cprobe_item_build(it, bex.text, bex.len, bex.seg_end, bex.nseg,
				       &s->recipe);
		if (rc == CONTAM_E_LIMIT) {
			rc = cerr_set(&s->err, rc, "%s: record %" PRIu64
				      ": example too long", path, bex.record);
			goto out;
		}
		if (rc < 0) {
			rc = cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	}
	if (rc == 0 && bench_merge_fields(b, b->records_read, r,
					  s->opt.id_field, 0))
		rc = cerr_set(&s->err, CONTAM_E_NOMEM, "out of memory");
out:
	bench_reader_free(r);
	if (rc < 0) {
		for (size_t i = first; i < s->nexamples; i++) {
			free(s->examples[i].id);
			free(s->texts[i]);
			cprobe_item_release(&s->items[i]);
		}
		s->nexamples = first;
		if (!s->err.msg[0])
			cerr_set(&s->err, rc, "cannot read '%s': %s", path,
				 contam_strerror(rc));
		s->err.code = rc;
		return rc;
	}
	return CONTAM_OK;
}

int contam_scan_select(contam_scan *s, const char *source,
		       const uint64_t *records, size_t n)
{
	for (size_t i = 0; i < s->nexamples; i++) {
		if (strcmp(s->examples[i].source, source) != 0)
			continue;
		int keep = 0;
		for (size_t j = 0; j < n && !keep; j++)
			keep = records[j] == s->examples[i].record;
		s->selected[i] = (unsigned char)keep;
	}
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
static int mark_templates(contam_scan *s, cerr *err)
{
	for (size_t i = 0; i < s->nexamples; i++)
		s->ex_first[i + 1] = s->ex_first[i] + s->items[i].ngrams;
	size_t total = s->ex_first[s->nexamples];
	s->ex_tmpl = calloc(total ? total : 1, 1);
	if (!s->ex_tmpl)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (s->opt.rules.template_share <= 0)
		return CONTAM_OK;
	for (size_t a = 0; a < s->nexamples;) {
		size_t b = a + 1;
		while (b < s->nexamples && s->examples[b].source == s->examples[a].source)
			b++;
		cprobe_item **v = malloc((b - a) * sizeof(*v));
		uint64_t *set = NULL;
		size_t nset = 0;
		if (!v)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = a; i < b; i++)
			v[i - a] = &s->items[i];
		int rc = cprobe_templates(v, b - a, s->opt.ngram, s->opt.rules.template_share,
					  s->opt.rules.template_min, &set, &nset);
		free(v);
		if (rc < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = a; i < b; i++)
			for (size_t g = 0; nset && g < s->items[i].ngrams; g++)
				s->ex_tmpl[s->ex_first[i] + g] = (unsigned char)
					cprobe_is_template(set, nset, s->items[i].hash[g]);
		free(set);
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

	if (s->nexamples >= UINT32_MAX)
		return cerr_set(err, CONTAM_E_LIMIT, "too many benchmark examples");
	s->ex_first = calloc(s->nexamples + 1, sizeof(uint64_t));
	s->doc_count = calloc(s->nexamples ? s->nexamples : 1, sizeof(uint64_t));
	if (!s->ex_first || !s->doc_count)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (mark_templates(s, err))
		return CONTAM_E_NOMEM;
	for (size_t i = 0; i < s->nexamples; i++) {
		const cprobe_item *it = &s->items[i];
		size_t count = it->ngrams;
		const uint64_t *hashes = it->hash;
		s->examples[i].tokens = (uint32_t)it->ntok;
		s->examples[i].ngrams = (uint32_t)count;
		if (count > s->max_ngrams)
			s->max_ngrams = (uint32_t)count;
		if (!s->selected[i])
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
	size_t total = s->ex_first[s->nexamples];
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
	while (slots < 2 * (uint64_t)ne)
		slots *= 2;
	t->slot = calloc(slots, sizeof(uint32_t));
	t->mask = slots - 1;
	if (!s->ex_entry || !t->post || !t->hash || !t->post_first ||
	    !t->post_count || !t->docs || !t->slot) {
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
		}
		t->post_count[e]++;
		t->post[i] = (cscan_posting){ tr[i].ex, tr[i].pos };
		s->ex_entry[s->ex_first[tr[i].ex] + tr[i].pos] = (uint32_t)e;
	}
	t->npost = ntr;
	s->stats.table_ngrams = t->nentries;
	s->stats.table_bytes = t->nentries * (8 + 4 + 4 + 8) + ntr * 8 +
			       slots * 4 + total * 4;
out:
	free(tr);
	return rc;
}
