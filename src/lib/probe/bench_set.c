/*
 * bench_set.c -- the benchmark set of probe and scan (bench_set.h).
 */
#include "bench_set.h"
#include "probe_metrics.h"

#include <inttypes.h>
#include <stdlib.h>

/* the public formats (contam_probe_add_buffer) are the readers' */
_Static_assert((int)CONTAM_BENCH_JSONL == BENCH_JSONL && (int)CONTAM_BENCH_JSON == BENCH_JSON &&
	       (int)CONTAM_BENCH_CSV == BENCH_CSV && (int)CONTAM_BENCH_TSV == BENCH_TSV &&
	       (int)CONTAM_BENCH_TXT == BENCH_TXT, "contam_bench_format is bench_format");

static char **copy_strings(const char *const *v, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof(*c));
	for (size_t i = 0; c && i < n; i++) {
		if (!(c[i] = cstrdup(v[i]))) {
			while (i--)
				free(c[i]);
			free(c);
			return NULL;
		}
	}
	return c;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int cbench_set_init(cbench_set *s, const cbench_set_options *o, cerr *err)
{
	memset(s, 0, sizeof(*s));
	s->opt = *o;
	/* a copy of nothing is nothing: fields stay NULL when none */
	s->opt.fields = NULL;
	s->opt.question_fields = s->opt.answer_fields = NULL;
	s->opt.id_field = s->opt.records = NULL;
	s->opt.nquestion_fields = s->opt.nanswer_fields = 0;
	if (o->nfields) {
		if (!(s->fields = copy_strings(o->fields, o->nfields)))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		s->opt.fields = (const char *const *)s->fields;
	}
	if (o->id_field && !(s->opt.id_field = s->id_field = cstrdup(o->id_field)))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (o->nquestion_fields || o->nanswer_fields) {
		if (!o->nquestion_fields || !o->nanswer_fields)
			return cerr_set(err, CONTAM_E_PARAM, "a question/answer "
					"split needs both question and answer fields");
		if (o->nfields)
			return cerr_set(err, CONTAM_E_PARAM, "--field cannot be "
					"combined with question/answer fields");
		if (!(s->qfields = copy_strings(o->question_fields,
						o->nquestion_fields)))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		s->opt.question_fields = (const char *const *)s->qfields;
		s->opt.nquestion_fields = o->nquestion_fields;
		if (!(s->afields = copy_strings(o->answer_fields,
						o->nanswer_fields)))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		s->opt.answer_fields = (const char *const *)s->afields;
		s->opt.nanswer_fields = o->nanswer_fields;
		s->qa = 1;
	}
	if (o->records && !(s->opt.records = s->records = cstrdup(o->records)))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

static void release_example(cbench_set *s, size_t i)
{
	contam_example *e = &s->examples[i];
	free(e->id);
	e->id = NULL;
	for (uint32_t k = 0; k < e->nspans; k++)
		free(e->spans[k].text);
	free(e->spans);
	e->spans = NULL;
	e->nspans = 0;
	cprobe_item_release(&s->items[i]);
	free(s->texts[i]);
	s->texts[i] = NULL;
}

static void free_benchmark(contam_benchmark *b)
{
	free(b->name);
	for (size_t j = 0; j < b->nsources; j++)
		free(b->sources[j]);
	free(b->sources);
	bench_benchmark_fields_free(b);
}

void cbench_set_release(cbench_set *s)
{
	if (s->pending)
		cbench_set_abort(s, CONTAM_E_PARAM, NULL);
	for (size_t i = 0; i < s->nexamples; i++)
		release_example(s, i);
	free(s->examples);
	free(s->items);
	free(s->texts);
	free(s->text_len);
	free(s->split);
	free(s->selected);
	for (size_t i = 0; i < s->nbenchmarks; i++)
		free_benchmark(&s->benchmarks[i]);
	free(s->benchmarks);
	free_strings(s->fields, s->opt.nfields);
	free_strings(s->qfields, s->opt.nquestion_fields);
	free_strings(s->afields, s->opt.nanswer_fields);
	free(s->id_field);
	free(s->records);
	cbuf_release(&s->joined);
	free(s->segs);
	memset(s, 0, sizeof(*s));
}

/* The benchmark `name`, created at the end when new (*created set). */
static contam_benchmark *find_benchmark(cbench_set *s, const char *name,
					int *created)
{
	*created = 0;
	for (size_t i = 0; i < s->nbenchmarks; i++)
		if (strcmp(s->benchmarks[i].name, name) == 0)
			return &s->benchmarks[i];
	contam_benchmark *b = realloc(s->benchmarks,
				      (s->nbenchmarks + 1) * sizeof(*b));
	if (!b)
		return NULL;
	s->benchmarks = b;
	b = &s->benchmarks[s->nbenchmarks];
	memset(b, 0, sizeof(*b));
	if (!(b->name = cstrdup(name)))
		return NULL;
	s->nbenchmarks++;
	*created = 1;
	return b;
}

static int add_source(contam_benchmark *b, const char *path)
{
	char **src = realloc(b->sources, (b->nsources + 1) * sizeof(*src));
	if (!src)
		return CONTAM_E_NOMEM;
	b->sources = src;
	if (!(src[b->nsources] = cstrdup(path)))
		return CONTAM_E_NOMEM;
	b->nsources++;
	return CONTAM_OK;
}

static int grow_examples(cbench_set *s)
{
	if (s->nexamples < s->cap)
		return CONTAM_OK;
	size_t cap = s->cap ? s->cap * 2 : 256;
	contam_example *e = realloc(s->examples, cap * sizeof(*e));
	if (e)
		s->examples = e;
	cprobe_item *it = realloc(s->items, cap * sizeof(*it));
	if (it)
		s->items = it;
	char **t = realloc(s->texts, cap * sizeof(*t));
	if (t)
		s->texts = t;
	size_t *l = realloc(s->text_len, cap * sizeof(*l));
	if (l)
		s->text_len = l;
	size_t *sp = realloc(s->split, cap * sizeof(*sp));
	if (sp)
		s->split = sp;
	unsigned char *sel = realloc(s->selected, cap);
	if (sel)
		s->selected = sel;
	if (!e || !it || !t || !l || !sp || !sel)
		return CONTAM_E_NOMEM;
	s->cap = cap;
	return CONTAM_OK;
}

static int open_readers(cbench_set *s, const char *path, const cbench_mem *mem,
			cerr *err)
{
	const cbench_set_options *o = s->cur;
	int qa = s->cur_qa;
	bench_options bo = {
		.fields = qa ? o->question_fields : o->fields,
		.nfields = qa ? o->nquestion_fields : o->nfields,
		.id_field = o->id_field,
		.no_header = o->no_header,
		.on_warning = o->on_warning,
		.ctx = o->ctx,
		.records = o->records,
		.lines_per_record = o->lines_per_record,
		.force_header = o->force_header,
		.field_flag = qa ? "--question-field" : "--field",
		.fast = o->recipe.fast,
	};
	bench_options bo_answer = {
		.fields = o->answer_fields,
		.nfields = o->nanswer_fields,
		.no_header = o->no_header,
		.records = o->records,
		.lines_per_record = o->lines_per_record,
		.force_header = o->force_header,
		.field_flag = "--answer-field",
		.fast = o->recipe.fast,
	};
	int rc = mem ? bench_reader_open_mem(&s->r, path, mem->data, mem->len,
					     mem->format, &bo, err)
		     : bench_reader_open(&s->r, path, &bo, err);
	if (rc < 0 || !qa)
		return rc;
	return mem ? bench_reader_open_mem(&s->ra, path, mem->data, mem->len,
					   mem->format, &bo_answer, err)
		   : bench_reader_open(&s->ra, path, &bo_answer, err);
}

/* The question and answer of one record as one text: question '\n'
 * answer, their values pieces; into s->joined and s->segs. */
static int join_qa(cbench_set *s, const bench_example *q, const bench_example *a)
{
	cbuf_reset(&s->joined);
	if (s->segcap < q->nseg + a->nseg) {
		size_t c = (q->nseg + a->nseg) * 2;
		size_t *sg = realloc(s->segs, c * sizeof(*sg));
		if (!sg)
			return CONTAM_E_NOMEM;
		s->segs = sg;
		s->segcap = c;
	}
	memcpy(s->segs, q->seg_end, q->nseg * sizeof(*s->segs));
	for (size_t i = 0; i < a->nseg; i++)
		s->segs[q->nseg + i] = q->len + 1 + a->seg_end[i];
	if (cbuf_append(&s->joined, q->text, q->len) ||
	    cbuf_putc(&s->joined, '\n') ||
	    cbuf_append(&s->joined, a->text, a->len))
		return CONTAM_E_NOMEM;
	return CONTAM_OK;
}

/* Every record of the file into examples, each tokenized. */
static int read_examples(cbench_set *s, const char *path, const char *bname,
			 const char *bsource, cerr *err)
{
	bench_example bex, bans;
	int rc;
	while ((rc = bench_reader_next(s->r, &bex, err)) == 1) {
		if (s->opt.stop && *s->opt.stop)
			return cerr_set(err, CONTAM_E_INTERRUPTED, "interrupted");
		const size_t *seg_end = bex.seg_end;
		size_t nseg = bex.nseg, qlen = bex.len, len = bex.len;
		const char *text = bex.text;
		if (s->ra) {
			rc = bench_reader_next(s->ra, &bans, err);
			if (rc < 0)
				return rc;
			if (rc == 0 || bans.record != bex.record)
				return cerr_set(err, CONTAM_E_FORMAT, "%s: record %" PRIu64
						": the answer fields do not line up "
						"with the question fields", path,
						bex.record);
			if (join_qa(s, &bex, &bans))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			text = s->joined.data;
			len = s->joined.len;
			seg_end = s->segs;
			nseg = bex.nseg + bans.nseg;
		}
		if (grow_examples(s))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		size_t i = s->nexamples;
		contam_example *ex = &s->examples[i];
		cprobe_item *it = &s->items[i];
		memset(ex, 0, sizeof(*ex));
		memset(it, 0, sizeof(*it));
		ex->benchmark = bname;
		ex->source = bsource;
		ex->record = bex.record;
		ex->line = bex.line;
		ex->has_qa = (uint8_t)s->cur_qa;
		s->texts[i] = malloc(len + 1);
		s->text_len[i] = len;
		s->split[i] = 0;
		s->selected[i] = 1;
		s->nexamples++; /* owned from here: released on failure */
		if (!s->texts[i] || (bex.id && !(ex->id = cstrdup(bex.id))))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		memcpy(s->texts[i], text, len);
		s->texts[i][len] = '\0';
		rc = cprobe_item_build(it, text, len, seg_end, nseg, &s->opt.recipe);
		if (rc == CONTAM_E_LIMIT)
			return cerr_set(err, rc, "%s: record %" PRIu64
					": example too long", path, bex.record);
		if (rc < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		/* question tokens start before the joining newline */
		while (s->ra && s->split[i] < it->ntok && it->tok_start[s->split[i]] < qlen)
			s->split[i]++;
	}
	if (rc == 0 && s->ra && (rc = bench_reader_next(s->ra, &bans, err)) == 1)
		rc = cerr_set(err, CONTAM_E_FORMAT, "%s: more answer records "
			      "than question records", path);
	return rc;
}

int cbench_set_read(cbench_set *s, const char *name, const char *path,
		    const cbench_mem *mem, cerr *err)
{
	return cbench_set_read_with(s, name, path, mem, NULL, err);
}

int cbench_set_read_with(cbench_set *s, const char *name, const char *path,
			 const cbench_mem *mem, const cbench_set_options *layout,
			 cerr *err)
{
	int created, rc;
	if (s->pending)
		return cerr_set(err, CONTAM_E_PARAM, "a benchmark file is being added");
	if (layout && ((layout->nquestion_fields > 0) != (layout->nanswer_fields > 0) ||
		       (layout->nquestion_fields && layout->nfields)))
		return cerr_set(err, CONTAM_E_PARAM, "a question/answer split needs both "
				"question and answer fields, and no other fields");
	s->cur = layout ? layout : &s->opt;
	s->cur_qa = (layout ? layout : &s->opt)->nquestion_fields > 0;
	if (!name || !path)
		return cerr_set(err, CONTAM_E_PARAM, "a benchmark file needs a "
				"name and a path (bytes in memory: a source label)");
	contam_benchmark *b = find_benchmark(s, name, &created);
	if (!b)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	s->pending = 1;
	s->cur_bench = (size_t)(b - s->benchmarks);
	s->cur_first = s->nexamples;
	s->cur_new_bench = created;
	s->cur_before = *b;
	if (add_source(b, path))
		return cbench_set_abort(s, cerr_set(err, CONTAM_E_NOMEM,
						    "out of memory"), err);
	/* Examples point at the benchmark by name and at the source by the
	 * string now owned by the benchmark (stable: never reallocated). */
	if ((rc = open_readers(s, path, mem, err)) < 0 ||
	    (rc = read_examples(s, path, b->name, b->sources[b->nsources - 1],
				err)) < 0)
		return cbench_set_abort(s, rc, err);
	return CONTAM_OK;
}

contam_benchmark *cbench_set_current(cbench_set *s, size_t *first, size_t *n)
{
	*first = s->cur_first;
	*n = s->nexamples - s->cur_first;
	return s->pending ? &s->benchmarks[s->cur_bench] : NULL;
}

static void close_readers(cbench_set *s)
{
	bench_reader_free(s->r);
	bench_reader_free(s->ra);
	s->r = s->ra = NULL;
}

int cbench_set_commit(cbench_set *s, cerr *err)
{
	contam_benchmark *b = &s->benchmarks[s->cur_bench];
	if (bench_merge_fields(b, b->records_read, s->r, bench_reader_id_field(s->r), 0) ||
	    (s->ra && bench_merge_fields(b, s->cur_before.records_read, s->ra,
					 NULL, 1)))
		return cbench_set_abort(s, cerr_set(err, CONTAM_E_NOMEM,
						    "out of memory"), err);
	if (!s->cur->id_field && bench_reader_id_field(s->r))
		b->id_auto = 1;
	close_readers(s);
	s->pending = 0;
	s->qa |= s->cur_qa;
	/* the probe scored the file as it was read: its items are done */
	for (size_t i = s->cur_first; !s->opt.keep_items && i < s->nexamples; i++) {
		cprobe_item_release(&s->items[i]);
		free(s->texts[i]);
		s->texts[i] = NULL;
	}
	cprobe_tally(b, s->examples, s->nexamples, s->selected);
	return CONTAM_OK;
}

int cbench_set_abort(cbench_set *s, int rc, cerr *err)
{
	close_readers(s);
	if (!s->pending)
		return rc;
	s->pending = 0;
	contam_benchmark *b = &s->benchmarks[s->cur_bench];
	if (err) {
		if (!err->msg[0])
			cerr_set(err, rc, "cannot read '%s': %s",
				 b->nsources > s->cur_before.nsources
				 ? b->sources[b->nsources - 1] : "",
				 contam_strerror(rc));
		err->code = rc;
	}
	/* Drop this file's examples: a file is scored whole or not. */
	for (size_t i = s->cur_first; i < s->nexamples; i++)
		release_example(s, i);
	s->nexamples = s->cur_first;
	for (size_t j = s->cur_before.nsources; j < b->nsources; j++)
		free(b->sources[j]);
	b->nsources = s->cur_before.nsources;
	if (s->cur_new_bench) {
		free_benchmark(b);
		s->nbenchmarks--;
	} else {
		/* the counters the caller added to; the field statistics and
		 * the tally change only at commit */
		b->null_examples = s->cur_before.null_examples;
		b->null_contaminated = s->cur_before.null_contaminated;
		b->null_partial = s->cur_before.null_partial;
		b->null_gpt3 = s->cur_before.null_gpt3;
		b->null_palm = s->cur_before.null_palm;
		b->null_llama2_dirty = s->cur_before.null_llama2_dirty;
		b->null_llama2_not_clean = s->cur_before.null_llama2_not_clean;
		b->template_share = s->cur_before.template_share;
		b->template_min = s->cur_before.template_min;
		b->template_distinct = s->cur_before.template_distinct;
		b->template_ngrams = s->cur_before.template_ngrams;
		b->frequent_ngrams = s->cur_before.frequent_ngrams;
		b->near_dup_template_distinct = s->cur_before.near_dup_template_distinct;
		b->near_dup_template_excluded = s->cur_before.near_dup_template_excluded;
	}
	return rc;
}

int cbench_set_templates(const cbench_set *s, size_t first, size_t n,
			 double share, uint32_t min, uint64_t **tmpl,
			 size_t *ntmpl)
{
	*tmpl = NULL;
	*ntmpl = 0;
	if (share <= 0 || !n)
		return CONTAM_OK;
	cprobe_item **v = malloc(n * sizeof(*v));
	if (!v)
		return CONTAM_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &s->items[first + i];
	int rc = cprobe_templates(v, n, s->opt.recipe.n, share, min, tmpl, ntmpl);
	free(v);
	return rc < 0 ? CONTAM_E_NOMEM : CONTAM_OK;
}

void cbench_set_select(cbench_set *s, const char *source,
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
}

void cbench_tally(contam_benchmark *bms, size_t nb, const contam_example *ex,
		  size_t n, const unsigned char *selected)
{
	for (size_t b = 0; b < nb; b++)
		cprobe_tally(&bms[b], ex, n, selected);
}

void cbench_set_tally(cbench_set *s)
{
	cbench_tally(s->benchmarks, s->nbenchmarks, s->examples, s->nexamples,
		     s->selected);
}
