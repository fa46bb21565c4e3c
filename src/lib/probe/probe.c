/*
 * probe.c -- score benchmark files against an index: read each example
 * (bench.c), hash its n-grams with the index's recipe, look them up, and
 * keep per-example metrics (probe_metrics.c) and per-benchmark counts.
 *
 * The probe tokenizes an example itself (rather than through
 * contam_index_hash_text) to keep every token's byte offsets: matched
 * spans are quoted as evidence, and the question/answer boundary is a
 * token position.  Options that need more than the hit vector:
 *   question/answer  the same file is opened twice, once per field group,
 *                    and records are zipped by record number; the text
 *                    scored is question + "\n" + answer, so n-grams that
 *                    straddle the boundary count toward both parts;
 *   null control     each example's words (runs of non-white space) are
 *                    shuffled with a fixed-seed generator and the copy is
 *                    scored like the original: the background rate.
 * The clean subsets are written after scoring (probe_clean.c).
 */
#include "../index/index.h"
#include "../ngram/ngram.h"
#include "../ngram/winnow.h"
#include "../text/text.h"
#include "bench.h"
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
	unsigned char *hit;      /* scratch: hit flag per n-gram */
	size_t hit_cap;
	char **qfields, **afields; /* owned copies of the QA field paths */
	char *records_path;      /* owned copy of opt.records */
	/* scratch of the tokenizer pass: per token, its byte range; per
	 * n-gram, its hash */
	uint64_t *tok_start, *tok_end;
	size_t ntok, tok_cap;
	uint64_t *hashes;
	size_t nhash, hash_cap;
	cngram ng;
	int oom;
	cbuf joined, shuffled;
	cerr err;
};

void contam_probe_options_init(contam_probe_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
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
	free(p->hit);
	free_strings(p->qfields, p->qfields ? p->opt.nquestion_fields : 0);
	free_strings(p->afields, p->afields ? p->opt.nanswer_fields : 0);
	free(p->records_path);
	free(p->tok_start);
	free(p->tok_end);
	free(p->hashes);
	cbuf_release(&p->joined);
	cbuf_release(&p->shuffled);
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

/* Tokenizer callback: keep the token's byte range and, once n tokens
 * are in, the n-gram hash. */
static void take_token(void *ctx, const ctok_token *t)
{
	contam_probe *p = ctx;
	uint64_t h;
	if (p->ntok == p->tok_cap) {
		size_t cap = p->tok_cap ? p->tok_cap * 2 : 256;
		uint64_t *s = realloc(p->tok_start, cap * sizeof(*s));
		if (s)
			p->tok_start = s;
		uint64_t *e = realloc(p->tok_end, cap * sizeof(*e));
		if (e)
			p->tok_end = e;
		if (!s || !e) {
			p->oom = 1;
			return;
		}
		p->tok_cap = cap;
	}
	p->tok_start[p->ntok] = t->start;
	p->tok_end[p->ntok] = t->end;
	p->ntok++;
	if (!cngram_push(&p->ng, t->hash, &h))
		return;
	if (p->nhash == p->hash_cap) {
		size_t cap = p->hash_cap ? p->hash_cap * 2 : 256;
		uint64_t *a = realloc(p->hashes, cap * sizeof(*a));
		if (!a) {
			p->oom = 1;
			return;
		}
		p->hashes = a;
		p->hash_cap = cap;
	}
	p->hashes[p->nhash++] = h;
}

/* Tokenize `text` with the index's recipe and fill p->hit for its
 * n-grams (p->nhash of them, p->ntok tokens). */
static int hash_and_look_up(contam_probe *p, const char *text, size_t len)
{
	const contam_params *par = &p->ix->params;
	ctok t;
	p->ntok = p->nhash = 0;
	p->oom = 0;
	cngram_init(&p->ng, par->ngram, par->seed);
	ctok_init(&t, par->seed, take_token, p);
	int rc = ctok_feed(&t, text, len);
	int rc2 = ctok_finish(&t);
	ctok_release(&t);
	if (rc || rc2 || p->oom)
		return CONTAM_E_NOMEM;
	if (p->nhash > p->hit_cap) {
		unsigned char *h = realloc(p->hit, p->nhash);
		if (!h)
			return CONTAM_E_NOMEM;
		p->hit = h;
		p->hit_cap = p->nhash;
	}
	for (size_t i = 0; i < p->nhash; i++)
		p->hit[i] = (unsigned char)contam_index_contains(p->ix, p->hashes[i]);
	/* a winnowed index holds a sample: infer the matches */
	if (par->winnow > 1)
		cwinnow_fill_hits(p->hit, p->nhash, par->winnow);
	return CONTAM_OK;
}

/* The longest CONTAM_EVIDENCE_SPANS runs of hits, as text.  Runs are
 * kept sorted longest first (earlier first on ties) by insertion. */
static int take_evidence(contam_probe *p, contam_example *ex,
			 const char *text, size_t len)
{
	size_t best_a[CONTAM_EVIDENCE_SPANS], best_b[CONTAM_EVIDENCE_SPANS];
	size_t nbest = 0, n = p->ix->params.ngram;
	for (size_t i = 0; i < p->nhash;) {
		if (!p->hit[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < p->nhash && p->hit[j])
			j++;
		size_t a = i, b = j - 1 + n, k = nbest;
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
		s->byte_start = p->tok_start[best_a[k]];
		s->byte_end = p->tok_end[best_b[k] - 1];
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

/* splitmix64: a tiny, well-mixed generator for the null-control shuffle. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

int cprobe_shuffle_words(const char *text, size_t len, uint64_t seed, cbuf *out)
{
	size_t nwords = 0, cap = 0;
	size_t *start = NULL, *wlen = NULL;
	int rc = CONTAM_OK;
	cbuf_reset(out);
	for (size_t i = 0; i < len;) {
		while (i < len && is_space(text[i]))
			i++;
		if (i == len)
			break;
		size_t j = i;
		while (j < len && !is_space(text[j]))
			j++;
		if (nwords == cap) {
			cap = cap ? cap * 2 : 64;
			size_t *s = realloc(start, cap * sizeof(*s));
			if (s)
				start = s;
			size_t *l = realloc(wlen, cap * sizeof(*l));
			if (l)
				wlen = l;
			if (!s || !l) {
				rc = CONTAM_E_NOMEM;
				goto out;
			}
		}
		start[nwords] = i;
		wlen[nwords] = j - i;
		nwords++;
		i = j;
	}
	/* Fisher-Yates; the modulo bias (< 2^-40 for benchmark sizes) does
	 * not matter for a control */
	uint64_t state = seed;
	for (size_t i = nwords; i > 1; i--) {
		size_t j = (size_t)(splitmix64(&state) % i);
		size_t ts = start[i - 1], tl = wlen[i - 1];
		start[i - 1] = start[j];
		wlen[i - 1] = wlen[j];
		start[j] = ts;
		wlen[j] = tl;
	}
	for (size_t i = 0; i < nwords; i++) {
		if ((i && cbuf_putc(out, ' ')) ||
		    cbuf_append(out, text + start[i], wlen[i])) {
			rc = CONTAM_E_NOMEM;
			goto out;
		}
	}
	if (cbuf_reserve(out, 1)) /* NUL-terminated even when empty */
		rc = CONTAM_E_NOMEM;
out:
	free(start);
	free(wlen);
	return rc;
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
	bench_example bex, bans;
	size_t first = p->nexamples;
	uint32_t n = p->ix->params.ngram;
	int rc;

	cerr_clear(&p->err);
	contam_benchmark *b = find_benchmark(p, name);
	if (!b || add_source(b, path))
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	/* Examples point at the benchmark by name and at the source by the
	 * string now owned by the benchmark (stable: never reallocated). */
	const char *bname = b->name, *bsource = b->sources[b->nsources - 1];
	contam_benchmark null_before = *b;

	if ((rc = bench_reader_open(&r, path, &bo, &p->err)) < 0)
		goto out;
	if (qa && (rc = bench_reader_open(&ra, path, &bo_answer, &p->err)) < 0)
		goto out;
	while ((rc = bench_reader_next(r, &bex, &p->err)) == 1) {
		const char *text = bex.text;
		size_t len = bex.len, qlen = 0;
		if (qa) {
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
			cbuf_reset(&p->joined);
			qlen = bex.len;
			if (cbuf_append(&p->joined, bex.text, bex.len) ||
			    cbuf_putc(&p->joined, '\n') ||
			    cbuf_append(&p->joined, bans.text, bans.len)) {
				rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			text = p->joined.data;
			len = p->joined.len;
		}
		if (hash_and_look_up(p, text, len) || grow_examples(p)) {
			rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		contam_example *ex = &p->examples[p->nexamples];
		memset(ex, 0, sizeof(*ex));
		ex->benchmark = bname;
		ex->source = bsource;
		ex->record = bex.record;
		ex->line = bex.line;
		if (bex.id && !(ex->id = cstrdup(bex.id))) {
			rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		p->nexamples++; /* owned from here: freed on failure */
		size_t T = p->ntok, G = p->nhash;
		cprobe_score(ex, p->hit, G, T, n, p->opt.min_span);
		if (qa) {
			/* question tokens start before the joining newline */
			size_t tq = 0;
			while (tq < T && p->tok_start[tq] < qlen)
				tq++;
			ex->has_qa = 1;
			ex->q_tokens = (uint32_t)tq;
			ex->a_tokens = (uint32_t)(T - tq);
			ex->q_covered = (uint32_t)cprobe_covered(p->hit, G, T, n,
					p->opt.min_span, 0, tq);
			ex->a_covered = (uint32_t)cprobe_covered(p->hit, G, T, n,
					p->opt.min_span, tq, T);
		}
		bool flagged = ex->verdict == CONTAM_PARTIAL ||
			       ex->verdict == CONTAM_CONTAMINATED;
		if (flagged && take_evidence(p, ex, text, len)) {
			rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		if (p->opt.null_control) {
			contam_example null;
			uint64_t seed = 0x636F6E74616D0001ULL ^
					(bex.record * 0x9E3779B97F4A7C15ULL);
			memset(&null, 0, sizeof(null));
			if (cprobe_shuffle_words(text, len, seed, &p->shuffled) ||
			    hash_and_look_up(p, p->shuffled.data, p->shuffled.len)) {
				rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			cprobe_score(&null, p->hit, p->nhash, p->ntok, n,
				     p->opt.min_span);
			if (null.verdict != CONTAM_TOO_SHORT)
				b->null_examples++;
			b->null_contaminated += null.verdict == CONTAM_CONTAMINATED;
			b->null_partial += null.verdict == CONTAM_PARTIAL;
			b->null_gpt3 += null.gpt3;
		}
	}
	if (rc == 0 && qa && (rc = bench_reader_next(ra, &bans, &p->err)) == 1) {
		rc = cerr_set(&p->err, CONTAM_E_FORMAT, "%s: more answer records "
			      "than question records", path);
		goto out;
	}
	if (rc == 0) {
		uint64_t before = b->records_read;
		if (bench_merge_fields(b, before, r, p->opt.id_field, 0) ||
		    (ra && bench_merge_fields(b, before, ra, NULL, 1))) {
			rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	bench_reader_free(r);
	bench_reader_free(ra);
	if (rc < 0) {
		/* Drop this file's examples: a file is scored whole or not. */
		for (size_t i = first; i < p->nexamples; i++) {
			free(p->examples[i].id);
			free_spans(&p->examples[i]);
		}
		p->nexamples = first;
		b->null_examples = null_before.null_examples;
		b->null_contaminated = null_before.null_contaminated;
		b->null_partial = null_before.null_partial;
		b->null_gpt3 = null_before.null_gpt3;
		if (!p->err.msg[0])
			cerr_set(&p->err, rc, "cannot read '%s': %s", path,
				 contam_strerror(rc));
		p->err.code = rc;
		return rc;
	}
	/* Recount the benchmark from its examples. */
	b->examples = b->contaminated = b->partial = b->clean = b->too_short = 0;
	for (size_t i = 0; i < p->nexamples; i++) {
		const contam_example *ex = &p->examples[i];
		if (ex->benchmark != bname)
			continue;
		b->examples++;
		switch (ex->verdict) {
		case CONTAM_CONTAMINATED: b->contaminated++; break;
		case CONTAM_PARTIAL: b->partial++; break;
		case CONTAM_CLEAN: b->clean++; break;
		case CONTAM_TOO_SHORT: b->too_short++; break;
		}
	}
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
