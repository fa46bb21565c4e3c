/*
 * probe.c -- score benchmark files against an index: read each example
 * (bench.c), hash its n-grams with the index's recipe, look them up, and
 * keep per-example metrics (probe_metrics.c) and per-benchmark counts.
 */
#include "../index/index.h"
#include "../ngram/winnow.h"
#include "bench.h"
#include "probe_metrics.h"

#include <stdlib.h>

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
	cerr err;
};

void contam_probe_options_init(contam_probe_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->min_span = 10;
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
	contam_index_stats_get((contam_index *)ix, &p->stats);
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
	}
	free(p->benchmarks);
	for (size_t i = 0; i < p->nexamples; i++)
		free(p->examples[i].id);
	free(p->examples);
	free(p->hit);
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

int contam_probe_add_file(contam_probe *p, const char *name, const char *path)
{
	bench_options bo = {
		.fields = p->opt.fields,
		.nfields = p->opt.nfields,
		.id_field = p->opt.id_field,
		.no_header = p->opt.no_header,
	};
	bench_reader *r = NULL;
	bench_example bex;
	size_t first = p->nexamples;
	uint64_t *hashes = NULL;
	int rc;

	cerr_clear(&p->err);
	contam_benchmark *b = find_benchmark(p, name);
	if (!b || add_source(b, path))
		return cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
	/* Examples point at the benchmark by name and at the source by the
	 * string now owned by the benchmark (stable: never reallocated). */
	const char *bname = b->name, *bsource = b->sources[b->nsources - 1];

	if ((rc = bench_reader_open(&r, path, &bo, &p->err)) < 0)
		goto out;
	while ((rc = bench_reader_next(r, &bex, &p->err)) == 1) {
		size_t count = 0, tokens = 0;
		free(hashes);
		hashes = NULL;
		if (contam_index_hash_text(p->ix, bex.text, bex.len, &hashes,
					   &count, &tokens)) {
			rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		if (count > p->hit_cap) {
			unsigned char *h = realloc(p->hit, count);
			if (!h) {
				rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			p->hit = h;
			p->hit_cap = count;
		}
		for (size_t i = 0; i < count; i++)
			p->hit[i] = (unsigned char)contam_index_contains(p->ix, hashes[i]);
		/* a winnowed index holds a sample: infer the matches */
		if (p->ix->params.winnow > 1)
			cwinnow_fill_hits(p->hit, count, p->ix->params.winnow);
		if (p->nexamples == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 1024;
			contam_example *e = realloc(p->examples, cap * sizeof(*e));
			if (!e) {
				rc = cerr_set(&p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			p->examples = e;
			p->cap = cap;
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
		cprobe_score(ex, p->hit, count, tokens, p->ix->params.ngram,
			     p->opt.min_span);
		p->nexamples++;
	}
out:
	free(hashes);
	bench_reader_free(r);
	if (rc < 0) {
		/* Drop this file's examples: a file is scored whole or not. */
		for (size_t i = first; i < p->nexamples; i++)
			free(p->examples[i].id);
		p->nexamples = first;
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
}
