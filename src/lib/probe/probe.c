/*
 * probe.c -- score benchmark files against an index: read every example of
 * a file (bench.c), tokenize it into its pieces and n-grams
 * (probe_item.c: the scoring rules), find the file's template n-grams,
 * look each n-gram up in the index, and score: per-example metrics,
 * evidence and per-benchmark counts.
 *
 * A file is read whole before any example is scored, because templates
 * are a property of the file (an n-gram in 5% of its examples).  Options
 * that need more than the hit vector:
 *   question/answer  the same file is opened twice, once per field group,
 *                    and records are zipped by record number; question
 *                    and answer values are the pieces of one example, the
 *                    question's first, and a token position splits them;
 *   max doc freq     a hit on an n-gram the index counts in more than K
 *                    documents (the doc-freq section) counts neither way;
 *   null control     each example's tokens are shuffled with a fixed-seed
 *                    generator across its pieces and the copy is scored
 *                    by the same rules: chance plus order-proof phrases.
 * The clean subsets are written after scoring (probe_clean.c).
 */
#include "../index/index.h"
#include "../ngram/ngram.h"
#include "../ngram/winnow.h"
#include "../text/text.h"
#include "bench.h"
#include "probe_item.h"
#include "probe_metrics.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct contam_probe {
	const contam_index *ix;
	contam_probe_options opt;
	char **fields;           /* owned copies of opt.fields */
	char *id_field;
	char *index_path;
	contam_index_stats stats;
	contam_benchmark *benchmarks;
	size_t nbenchmarks;
	contam_example *examples;
	size_t nexamples, cap;
	char **strings;          /* owned names/sources for examples */
	size_t nstrings;
	unsigned char *state;    /* scratch: state per n-gram (probe_item.h) */
	size_t state_cap;
	cprobe_recipe recipe;
	cprobe_rule rule;
	struct file_example *file; /* the file being read */
	size_t nfile, file_cap;
	cbuf file_text;          /* their texts */
	cprobe_item shuffled;    /* scratch of the null control */
	char **qfields, **afields; /* owned copies of the QA field paths */
	char *records_path;      /* owned copy of opt.records */
	cbuf joined;             /* question + answer of an example */
	cerr err;
};

static void free_file_examples(contam_probe *p);

void contam_probe_options_init(contam_probe_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
	contam_rules_init(&opt->rules);
}

static char **copy_strings(const char *const *v, size_t n)
{
	char **c = calloc(n, sizeof(*c));
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

static void free_spans(contam_example *e)
{
	for (uint32_t i = 0; i < e->nspans; i++)
		free(e->spans[i].text);
	free(e->spans);
	e->spans = NULL;
	e->nspans = 0;
}

int contam_probe_new(contam_probe **out, const contam_index *ix,
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
	p->recipe = (cprobe_recipe){ ix->params.ngram, ix->params.seed,
				     p->opt.rules.join_fields, p->opt.rules.keep_labels };
	p->rule = (cprobe_rule){ ix->params.ngram, p->opt.min_span,
				 p->opt.rules.cjk_chars_per_word };
	p->index_path = cstrdup(index_path ? index_path : "");
	if (p->opt.nfields) {
		p->fields = calloc(p->opt.nfields, sizeof(char *));
		if (!p->fields)
			return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		for (size_t i = 0; i < p->opt.nfields; i++)
			if (!(p->fields[i] = cstrdup(p->opt.fields[i])))
				return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		p->opt.fields = (const char *const *)p->fields;
	}
	if (p->opt.id_field) {
		p->id_field = cstrdup(p->opt.id_field);
		p->opt.id_field = p->id_field;
	}
	if (p->opt.nquestion_fields || p->opt.nanswer_fields) {
		if (!p->opt.nquestion_fields || !p->opt.nanswer_fields)
			return cerr_set(&p->err, CONTAM_E_PARAM, "a question/answer "
					"split needs both question and answer fields");
		if (p->opt.nfields)
			return cerr_set(&p->err, CONTAM_E_PARAM, "--field cannot be "
					"combined with question/answer fields");
		if (!(p->qfields = copy_strings(p->opt.question_fields,
						p->opt.nquestion_fields)) ||
		    !(p->afields = copy_strings(p->opt.answer_fields,
						p->opt.nanswer_fields)))
			return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		p->opt.question_fields = (const char *const *)p->qfields;
		p->opt.answer_fields = (const char *const *)p->afields;
	}
	if (p->opt.records) {
		if (!(p->records_path = cstrdup(p->opt.records)))
			return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
		p->opt.records = p->records_path;
	}
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
	return CONTAM_OK;
}

void contam_probe_free(contam_probe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->opt.nfields && p->fields; i++)
		free(p->fields[i]);
	free(p->fields);
	free(p->id_field);
	free(p->index_path);
	for (size_t i = 0; i < p->nbenchmarks; i++) {
		free(p->benchmarks[i].name);
		for (size_t j = 0; j < p->benchmarks[i].nsources; j++)
			free(p->benchmarks[i].sources[j]);
		free(p->benchmarks[i].sources);
		bench_benchmark_fields_free(&p->benchmarks[i]);
	}
	free(p->benchmarks);
	for (size_t i = 0; i < p->nexamples; i++) {
		free(p->examples[i].id);
		free_spans(&p->examples[i]);
	}
	free(p->examples);
	free(p->state);
	free_file_examples(p);
	free(p->file);
	cbuf_release(&p->file_text);
	cprobe_item_release(&p->shuffled);
	free_strings(p->qfields, p->qfields ? p->opt.nquestion_fields : 0);
	free_strings(p->afields, p->afields ? p->opt.nanswer_fields : 0);
	free(p->records_path);
	cbuf_release(&p->joined);
	free(p);
}

const char *contam_probe_errmsg(const contam_probe *p)
{
	if (!p)
		return "out of memory";
	return p->err.msg[0] ? p->err.msg : contam_strerror(p->err.code);
}

static contam_benchmark *find_benchmark(contam_probe *p, const char *name)
{
	for (size_t i = 0; i < p->nbenchmarks; i++)
		if (strcmp(p->benchmarks[i].name, name) == 0)
			return &p->benchmarks[i];
	contam_benchmark *b = realloc(p->benchmarks,
				      (p->nbenchmarks + 1) * sizeof(*b));
	if (!b)
		return NULL;
	p->benchmarks = b;
	b = &p->benchmarks[p->nbenchmarks];
	memset(b, 0, sizeof(*b));
	if (!(b->name = cstrdup(name)))
		return NULL;
	p->nbenchmarks++;
	return b;
}

static int add_source(contam_benchmark *b, const char *path)
{
	char **s = realloc(b->sources, (b->nsources + 1) * sizeof(*s));
	if (!s)
		return CONTAM_E_NOMEM;
	b->sources = s;
	if (!(s[b->nsources] = cstrdup(path)))
		return CONTAM_E_NOMEM;
	b->nsources++;
	return CONTAM_OK;
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
			return CONTAM_E_NOMEM;
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
	size_t nbest = 0, n = p->ix->params.ngram, G = it->ngrams;
	const unsigned char *st = p->state;
	for (size_t i = 0; i < G;) {
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

static int grow_examples(contam_probe *p)
{
	if (p->nexamples < p->cap)
		return CONTAM_OK;
	size_t cap = p->cap ? p->cap * 2 : 1024;
	contam_example *e = realloc(p->examples, cap * sizeof(*e));
	if (!e)
		return CONTAM_E_NOMEM;
	p->examples = e;
	p->cap = cap;
	return CONTAM_OK;
}

/* One example of the file being read, kept until the whole file is in:
 * template n-grams are a property of the file. */
typedef struct file_example {
	cprobe_item it;
	size_t text_off, text_len; /* in p->file_text */
	size_t split;              /* first answer token (question/answer) */
	uint64_t record, line;
	char *id;
} file_example;

static void free_file_examples(contam_probe *p)
{
	for (size_t i = 0; i < p->nfile; i++) {
		cprobe_item_release(&p->file[i].it);
		free(p->file[i].id);
	}
	p->nfile = 0;
}

static file_example *next_file_example(contam_probe *p)
{
	if (p->nfile == p->file_cap) {
		size_t cap = p->file_cap ? p->file_cap * 2 : 256;
		file_example *f = realloc(p->file, cap * sizeof(*f));
		if (!f)
			return NULL;
		p->file = f;
		p->file_cap = cap;
	}
	file_example *f = &p->file[p->nfile++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Read every record of `path` (question and answer readers zipped by
 * record number) into p->file, each tokenized into its pieces. */
static int read_file_examples(contam_probe *p, const char *path,
			      bench_reader *r, bench_reader *ra)
{
	bench_example bex, bans;
	size_t *segs = NULL, segcap = 0;
	int rc;
	cbuf_reset(&p->file_text);
	while ((rc = bench_reader_next(r, &bex, &p->err)) == 1) {
		const size_t *seg_end = bex.seg_end;
		size_t nseg = bex.nseg, qlen = bex.len;
		const char *text = bex.text;
		size_t len = bex.len;
		if (ra) {
			rc = bench_reader_next(ra, &bans, &p->err);
			if (rc < 0)
				goto out;
			if (rc == 0 || bans.record != bex.record) {
				rc = cerr_set(&p->err, CONTAM_E_FORMAT, "%s: record %llu: "
					      "the answer fields do not line up "
					      "with the question fields", path,
					      (unsigned long long)bex.record);
				goto out;
			}
			/* question then answer; their values stay pieces */
			cbuf_reset(&p->joined);
			if (segcap < bex.nseg + bans.nseg) {
				size_t c = (bex.nseg + bans.nseg) * 2;
				size_t *s = realloc(segs, c * sizeof(*s));
				if (!s)
					goto nomem;
				segs = s;
				segcap = c;
			}
			memcpy(segs, bex.seg_end, bex.nseg * sizeof(*segs));
			for (size_t i = 0; i < bans.nseg; i++)
				segs[bex.nseg + i] = bex.len + 1 + bans.seg_end[i];
			if (cbuf_append(&p->joined, bex.text, bex.len) ||
			    cbuf_putc(&p->joined, '\n') ||
			    cbuf_append(&p->joined, bans.text, bans.len))
				goto nomem;
			text = p->joined.data;
			len = p->joined.len;
			seg_end = segs;
			nseg = bex.nseg + bans.nseg;
		}
		file_example *f = next_file_example(p);
		if (!f)
			goto nomem;
		f->record = bex.record;
		f->line = bex.line;
		f->text_off = p->file_text.len;
		f->text_len = len;
		if ((bex.id && !(f->id = cstrdup(bex.id))) ||
		    cbuf_append(&p->file_text, text, len))
			goto nomem;
		rc = cprobe_item_build(&f->it, text, len, seg_end, nseg, &p->recipe);
		if (rc == CONTAM_E_LIMIT) {
			rc = cerr_set(&p->err, rc, "%s: record %llu: example too long",
				      path, (unsigned long long)bex.record);
			goto out;
		}
		if (rc < 0)
			goto nomem;
		/* question tokens start before the joining newline */
		while (ra && f->split < f->it.ntok && f->it.tok_start[f->split] < qlen)
			f->split++;
	}
	if (rc == 0 && ra && (rc = bench_reader_next(ra, &bans, &p->err)) == 1)
		rc = cerr_set(&p->err, CONTAM_E_FORMAT, "%s: more answer records "
			      "than question records", path);
	goto out;
nomem:
	rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
out:
	free(segs);
	return rc;
}

/* Score a token-shuffled copy of the example and count its verdicts:
 * what chance matches at this index's fill, plus phrases common enough
 * to survive reordering, give. */
static int score_null(contam_probe *p, contam_benchmark *b, contam_example *ex,
		      const file_example *f, const uint64_t *tmpl, size_t ntmpl)
{
	contam_example null;
	uint64_t seed = 0x636F6E74616D0001ULL ^ (f->record * 0x9E3779B97F4A7C15ULL);
	memset(&null, 0, sizeof(null));
	if (cprobe_item_shuffle(&p->shuffled, &f->it, &p->recipe, seed))
		return CONTAM_E_NOMEM;
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

int contam_probe_add_file(contam_probe *p, const char *name, const char *path)
{
	bool qa = p->opt.nquestion_fields > 0;
	bench_options bo = {
		.fields = qa ? p->opt.question_fields : p->opt.fields,
		.nfields = qa ? p->opt.nquestion_fields : p->opt.nfields,
		.id_field = p->opt.id_field,
		.no_header = p->opt.no_header,
		.on_warning = p->opt.on_warning,
		.ctx = p->opt.warning_ctx,
		.records = p->opt.records,
		.lines_per_record = p->opt.lines_per_record,
		.force_header = p->opt.force_header,
		.field_flag = qa ? "--question-field" : "--field",
	};
	bench_options bo_answer = {
		.fields = p->opt.answer_fields,
		.nfields = p->opt.nanswer_fields,
		.no_header = p->opt.no_header,
		.records = p->opt.records,
		.lines_per_record = p->opt.lines_per_record,
		.force_header = p->opt.force_header,
		.field_flag = "--answer-field",
	};
	bench_reader *r = NULL, *ra = NULL;
	size_t first = p->nexamples;
	uint64_t *tmpl = NULL;
	size_t ntmpl = 0;
	double fpr = p->stats.fpr;
	int rc;

	cerr_clear(&p->err);
	contam_benchmark *b = find_benchmark(p, name);
	if (!b || add_source(b, path))
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	/* Examples point at the benchmark by name and at the source by the
	 * string now owned by the benchmark (stable: never reallocated). */
	const char *bname = b->name, *bsource = b->sources[b->nsources - 1];
	contam_benchmark before = *b;

	if ((rc = bench_reader_open(&r, path, &bo, &p->err)) < 0)
		goto out;
	if (qa && (rc = bench_reader_open(&ra, path, &bo_answer, &p->err)) < 0)
		goto out;
	if ((rc = read_file_examples(p, path, r, ra)) < 0)
		goto out;
	if (p->opt.rules.template_share > 0 && p->nfile) {
		cprobe_item **v = malloc(p->nfile * sizeof(*v));
		if (!v)
			goto nomem;
		for (size_t i = 0; i < p->nfile; i++)
			v[i] = &p->file[i].it;
		rc = cprobe_templates(v, p->nfile, p->ix->params.ngram,
				      p->opt.rules.template_share,
				      p->opt.rules.template_min, &tmpl, &ntmpl);
		free(v);
		if (rc < 0)
			goto nomem;
	}
	b->template_share = p->opt.rules.template_share;
	b->template_min = p->opt.rules.template_min;
	b->template_distinct += ntmpl;
	for (size_t i = 0; i < p->nfile; i++) {
		file_example *f = &p->file[i];
		const char *text = p->file_text.data + f->text_off;
		if ((rc = look_up(p, &f->it, tmpl, ntmpl))) {
			if (rc == CONTAM_E_NOMEM)
				goto nomem;
			goto out;
		}
		if (grow_examples(p))
			goto nomem;
		contam_example *ex = &p->examples[p->nexamples];
		memset(ex, 0, sizeof(*ex));
		ex->benchmark = bname;
		ex->source = bsource;
		ex->record = f->record;
		ex->line = f->line;
		ex->id = f->id;
		f->id = NULL;
		p->nexamples++; /* owned from here: freed on failure */
		ex->has_qa = qa;
		cprobe_item_score(ex, &f->it, p->state, &p->rule, f->split);
		b->template_ngrams += ex->template_ngrams;
		b->frequent_ngrams += ex->frequent_ngrams;
		bool flagged = ex->verdict == CONTAM_PARTIAL ||
			       ex->verdict == CONTAM_CONTAMINATED;
		if (flagged) {
			double frac = ex->verdict == CONTAM_CONTAMINATED ? 0.8 : 0.2;
			ex->chance = cprobe_false_flag(ex->tokens, p->ix->params.ngram,
						       p->opt.min_span, fpr, frac);
			if (take_evidence(p, ex, &f->it, text, f->text_len))
				goto nomem;
		}
		if (p->opt.null_control && (rc = score_null(p, b, ex, f, tmpl, ntmpl))) {
			if (rc == CONTAM_E_NOMEM)
				goto nomem;
			goto out;
		}
	}
	if (bench_merge_fields(b, b->records_read, r, p->opt.id_field, 0) ||
	    (ra && bench_merge_fields(b, before.records_read, ra, NULL, 1)))
		goto nomem;
	rc = CONTAM_OK;
	goto out;
nomem:
	rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
out:
	free(tmpl);
	free_file_examples(p);
	bench_reader_free(r);
	bench_reader_free(ra);
	if (rc < 0) {
		/* Drop this file's examples: a file is scored whole or not. */
		for (size_t i = first; i < p->nexamples; i++) {
			free(p->examples[i].id);
			free_spans(&p->examples[i]);
		}
		p->nexamples = first;
		b->null_examples = before.null_examples;
		b->null_contaminated = before.null_contaminated;
		b->null_partial = before.null_partial;
		b->null_gpt3 = before.null_gpt3;
		b->null_palm = before.null_palm;
		b->null_llama2_dirty = before.null_llama2_dirty;
		b->null_llama2_not_clean = before.null_llama2_not_clean;
		b->template_distinct = before.template_distinct;
		b->template_ngrams = before.template_ngrams;
		b->frequent_ngrams = before.frequent_ngrams;
		if (!p->err.msg[0])
			cerr_set(&p->err, rc, "cannot read '%s': %s", path,
				 contam_strerror(rc));
		p->err.code = rc;
		return rc;
	}
	/* Recount the benchmark from its examples. */
	cprobe_tally(b, p->examples, p->nexamples, NULL);
	return CONTAM_OK;
}

void contam_probe_result(const contam_probe *p, contam_result *out)
{
	memset(out, 0, sizeof(*out));
	out->index_path = p->index_path;
	out->index = p->stats;
	out->min_span = p->opt.min_span;
	out->benchmarks = p->benchmarks;
	out->nbenchmarks = p->nbenchmarks;
	out->examples = p->examples;
	out->nexamples = p->nexamples;
	out->null_control = p->opt.null_control;
	out->qa_split = p->opt.nquestion_fields > 0;
	out->rules = p->opt.rules;
	out->max_doc_freq = p->opt.max_doc_freq;
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
