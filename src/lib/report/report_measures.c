/*
 * report_measures.c -- the one table of measures (report_measures.h).
 *
 * Every number is the report's: count, n, rate and ci95 as the probe
 * wrote them, the expected false verdicts and null control of the same
 * measure.  Only "any" (the union of the definitions) is counted here,
 * from the examples' own verdicts (load_report in report_render.c), with
 * its Wilson interval computed as the probe computes the others.
 */
#include "../common/common.h"
#include "../probe/probe_metrics.h"
#include "report_measures.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const creport_measure_info CREPORT_MEASURES[CREPORT_NMEASURES] = {
	[CM_CONTAMINATED] = { "contam", "contaminated", "contaminated",
			      "contaminated", "contam contaminated: coverage >= 80% by matched spans" },
	[CM_PARTIAL] = { "contam", "partial", "partial", "partial",
			 "contam partial: 20% <= coverage < 80% (partial only)" },
	[CM_PARTIAL_PLUS] = { "contam", "partial+", "partial+", "partial+",
			      "contam partial+: coverage >= 20% (partial or contaminated)" },
	[CM_GPT3] = { "gpt3", "contaminated", "GPT-3 (13-token span)", "GPT-3",
		      "GPT-3: a matched span of >= 13 tokens" },
	[CM_PALM] = { "palm", "contaminated", "PaLM (70% of 8-grams)", "PaLM",
		      "PaLM: >= 70% of the example's 8-grams found" },
	[CM_L2_DIRTY] = { "llama2", "dirty", "Llama 2 dirty", "Llama 2 dirty",
			  "Llama 2 dirty: >= 80% of tokens in spans of >= 10 tokens" },
	[CM_L2_NOT_CLEAN] = { "llama2", "not_clean", "Llama 2 not clean",
			      "Llama 2 not clean",
			      "Llama 2 not clean: >= 20% of tokens in spans of >= 10 tokens" },
	[CM_ANY] = { "any", "flagged", "any definition", "any definition",
		     "any: flagged by partial+, GPT-3, PaLM or Llama 2 not clean (those the index can tell)" },
	[CM_NEAR_DUP] = { "near_dup", "near_dup", "near-dup", "near-dup",
			  "near-dup: some MinHash band of the example matched a corpus window "
			  "(probe --near-dup), of the examples with a signature" },
	[CM_NEAR_DUP_ONLY] = { "near_dup", "near_dup_only", "near-dup only",
			       "near-dup only",
			       "near-dup only: near-dup and not contaminated by n-grams "
			       "(what near-dup adds), of the examples with a signature" },
	[CM_L2_CLEAN] = { "llama2", "clean", "Llama 2 clean", "Llama 2 clean", "" },
	[CM_L2_NOT_DIRTY] = { "llama2", "not_dirty", "Llama 2 not dirty",
			      "Llama 2 not dirty", "" },
	[CM_LONGEST] = { "longest", "max", "longest match", "longest", "" },
	[CM_QA_CLEAN] = { "question_answer", "clean", "QA clean", "QA clean", "" },
	[CM_QA_Q] = { "question_answer", "question_contaminated", "question",
		      "question", "" },
	[CM_QA_QA] = { "question_answer", "question_answer_contaminated",
		       "question and answer", "question and answer", "" },
	[CM_QA_A] = { "question_answer", "answer_contaminated", "answer", "answer", "" },
};

/* Where each measure is in a benchmark object: the definition object,
 * the rate's key in it, its expected-false key, the null control's key. */
typedef struct where {
	const char *obj, *key, *ef, *null_key;
} where;

static const where WHERE[CREPORT_NMEASURES] = {
	[CM_CONTAMINATED] = { "contam", "contaminated", "expected_false_contaminated", "contaminated" },
	[CM_PARTIAL] = { "contam", "partial", NULL, "partial" },
	[CM_PARTIAL_PLUS] = { "contam", "flagged", "expected_false_flagged", "flagged" },
	[CM_GPT3] = { "gpt3", "contaminated", "expected_false", "gpt3" },
	[CM_PALM] = { "palm", "contaminated", "expected_false", "palm" },
	[CM_L2_DIRTY] = { "llama2", "dirty", "expected_false_dirty", "llama2_dirty" },
	[CM_L2_NOT_CLEAN] = { "llama2", "not_clean", "expected_false_not_clean", "llama2_not_clean" },
	[CM_ANY] = { NULL, NULL, NULL, NULL },
	[CM_NEAR_DUP] = { "near_dup", "near_dup", "expected_false", NULL },
	[CM_NEAR_DUP_ONLY] = { "near_dup", "near_dup_only", NULL, NULL },
	[CM_L2_CLEAN] = { "llama2", "clean", NULL, NULL },
	[CM_L2_NOT_DIRTY] = { "llama2", "not_dirty", NULL, NULL },
	[CM_LONGEST] = { "longest", "max", NULL, NULL },
	[CM_QA_CLEAN] = { "question_answer", "clean", NULL, NULL },
	[CM_QA_Q] = { "question_answer", "question_contaminated", NULL, NULL },
	[CM_QA_QA] = { "question_answer", "question_answer_contaminated", NULL, NULL },
	[CM_QA_A] = { "question_answer", "answer_contaminated", NULL, NULL },
};

static void rate_from(creport_rate_v *v, json_t *r)
{
	json_t *ci = json_object_get(r, "ci95");
	v->state = CREPORT_VALUE;
	v->count = creport_num(json_object_get(r, "count"));
	v->n = creport_num(json_object_get(r, "n"));
	v->rate = creport_num(json_object_get(r, "rate"));
	v->lo = creport_num(json_array_get(ci, 0));
	v->hi = creport_num(json_array_get(ci, 1));
}

static void rate_counted(creport_rate_v *v, uint64_t k, uint64_t m)
{
	double lo, hi;
	cprobe_wilson(k, m, &lo, &hi);
	*v = (creport_rate_v){ CREPORT_VALUE, (double)k, (double)m,
			       m ? (double)k / (double)m : 0, lo, hi };
}

static void fill_cell(creport_cell *c, json_t *bench, size_t m)
{
	const where *w = &WHERE[m];
	json_t *scored = json_object_get(bench, "scored");
	bool none = json_is_integer(scored) && json_integer_value(scored) == 0;
	c->expected_false = NAN;
	c->null.state = CREPORT_NOT_PROBED;
	c->why = NULL;
	if (m == CM_ANY) {
		/* counted from the examples when asked for (load_report) */
		json_t *a = json_object_get(bench, "_any");
		if (!a) {
			c->v.state = CREPORT_NA;
			c->why = "not counted";
		} else if (none) {
			c->v.state = CREPORT_NA;
		} else {
			rate_counted(&c->v, (uint64_t)json_integer_value(json_array_get(a, 0)),
				     (uint64_t)json_integer_value(json_array_get(a, 1)));
		}
		return;
	}
	bool extra = !strcmp(w->obj, "question_answer") || !strcmp(w->obj, "near_dup");
	json_t *d = extra ? json_object_get(bench, w->obj)
			  : json_object_get(json_object_get(bench, "definitions"), w->obj);
	if (!d) {
		c->v.state = CREPORT_NOT_PROBED;
		return;
	}
	/* near-dup rates are over the examples with a signature: its own
	 * "scored" (none: n/a, never 0%) */
	if (!strcmp(w->obj, "near_dup")) {
		json_t *ns = json_object_get(d, "scored");
		none = json_is_integer(ns) && json_integer_value(ns) == 0;
	}
	if (json_is_false(json_object_get(d, "available"))) {
		c->v.state = CREPORT_NA;
		c->why = json_string_value(json_object_get(d, "why"));
		return;
	}
	json_t *r = json_object_get(d, w->key);
	if (m == CM_LONGEST) {
		c->v = (creport_rate_v){ json_is_number(r) ? CREPORT_VALUE : CREPORT_NA,
					 creport_num(r), NAN, NAN, NAN, NAN };
		return;
	}
	/* a benchmark none of whose examples could be scored has no rate */
	if (none || !json_is_object(r)) {
		c->v.state = CREPORT_NA;
		return;
	}
	rate_from(&c->v, r);
	if (w->ef)
		c->expected_false = creport_num(json_object_get(d, w->ef));
	json_t *nc = json_object_get(bench, "null_control");
	if (nc && w->null_key) {
		json_t *nr = json_object_get(nc, w->null_key);
		if (json_is_object(nr))
			rate_from(&c->null, nr);
		else
			c->null.state = CREPORT_NA;
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* What makes reports one corpus: the label, else the index path. */
static const char *corpus_key(json_t *report, bool *labelled)
{
	const char *l = json_string_value(json_object_get(report, "label"));
	*labelled = l && *l;
	if (*labelled)
		return l;
	const char *p = json_string_value(json_object_get(json_object_get(report, "index"), "path"));
	return p && *p ? p : "corpus";
}

static bool has_bench(json_t *report, const char *name)
{
	return creport_find_bench(report, name) != NULL;
}

/* Whether report r can join corpus c: same key, and no benchmark of r is
 * already in c (two reports of one benchmark stay two columns). */
static bool joins(const creport_table *t, const creport_corpus *c, json_t *r)
{
	bool la, lb;
	const char *ka = corpus_key(t->reports[c->reports[0]], &la);
	const char *kb = corpus_key(r, &lb);
	if (la != lb || strcmp(ka, kb))
		return false;
	json_t *bs = json_object_get(r, "benchmarks");
	for (size_t j = 0; j < json_array_size(bs); j++) {
		const char *name = json_string_value(json_object_get(json_array_get(bs, j), "name"));
		for (size_t k = 0; name && k < c->nreports; k++)
			if (has_bench(t->reports[c->reports[k]], name))
				return false;
	}
	return true;
}

void creport_table_free(creport_table *t)
{
	for (size_t i = 0; i < t->ncorpora; i++) {
		free(t->corpora[i].label);
		free(t->corpora[i].reports);
	}
	free(t->corpora);
	free(t->bench);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

int creport_table_build(creport_table *t, json_t **reports,
			const char *const *paths, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->reports = reports;
	t->paths = paths;
	t->nreports = n;
	if (!(t->corpora = calloc(n ? n : 1, sizeof(*t->corpora))))
		goto nomem;
	/* corpora, in first-seen order */
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		while (c < t->ncorpora && !joins(t, &t->corpora[c], reports[i]))
			c++;
		creport_corpus *cp = &t->corpora[c];
		if (c == t->ncorpora) {
			t->ncorpora++;
			if (!(cp->reports = calloc(n, sizeof(size_t))))
				goto nomem;
		}
		cp->reports[cp->nreports++] = i;
	}
	/* labels: the report's label or the index file name; a name shown
	 * twice gets " #2", " #3" */
	for (size_t c = 0; c < t->ncorpora; c++) {
		bool l;
		const char *key = corpus_key(reports[t->corpora[c].reports[0]], &l);
		const char *shown = l ? key : base_name(key);
		size_t same = 1;
		for (size_t d = 0; d < c; d++) {
			bool l2;
			const char *k2 = corpus_key(reports[t->corpora[d].reports[0]], &l2);
			same += !strcmp(l2 ? k2 : base_name(k2), shown);
		}
		size_t len = strlen(shown) + 24;
		if (!(t->corpora[c].label = malloc(len)))
			goto nomem;
		if (same > 1)
			snprintf(t->corpora[c].label, len, "%s #%zu", shown, same);
		else
			snprintf(t->corpora[c].label, len, "%s", shown);
	}
	/* benchmarks, in first-seen order */
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			const char *name = json_string_value(json_object_get(
				json_array_get(bs, j), "name"));
			if (!name)
				continue;
			size_t k = 0;
			while (k < t->nbench && strcmp(t->bench[k], name))
				k++;
			if (k < t->nbench)
				continue;
			const char **g = realloc(t->bench, (t->nbench + 1) * sizeof(*g));
			if (!g)
				goto nomem;
			t->bench = g;
			t->bench[t->nbench++] = name;
		}
	}
	if (!(t->rows = calloc(t->ncorpora * t->nbench + 1, sizeof(*t->rows))))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs) && !t->near_dup; j++)
			t->near_dup = json_is_object(json_object_get(json_array_get(bs, j),
								     "near_dup"));
	}
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			creport_row *row = &t->rows[c * t->nbench + k];
			for (size_t r = 0; r < t->corpora[c].nreports && !row->bench; r++) {
				size_t ri = t->corpora[c].reports[r];
				if ((row->bench = creport_find_bench(reports[ri], t->bench[k])))
					row->report = ri;
			}
			for (size_t m = 0; m < CREPORT_NMEASURES; m++) {
				if (row->bench) {
					fill_cell(&row->cells[m], row->bench, m);
				} else {
					row->cells[m].v.state = CREPORT_NOT_PROBED;
					row->cells[m].null.state = CREPORT_NOT_PROBED;
					row->cells[m].expected_false = NAN;
				}
			}
		}
	return CONTAM_OK;
nomem:
	creport_table_free(t);
	return CONTAM_E_NOMEM;
}

unsigned creport_definition_measures(const char *name)
{
	if (!strcmp(name, "contam"))
		return 1u << CM_CONTAMINATED | 1u << CM_PARTIAL_PLUS;
	if (!strcmp(name, "gpt3"))
		return 1u << CM_GPT3;
	if (!strcmp(name, "palm"))
		return 1u << CM_PALM;
	if (!strcmp(name, "llama2"))
		return 1u << CM_L2_DIRTY | 1u << CM_L2_NOT_CLEAN;
	if (!strcmp(name, "any"))
		return 1u << CM_ANY;
	if (!strcmp(name, "near_dup") || !strcmp(name, "near-dup"))
		return CREPORT_NEAR_DUP_MEASURES;
	return 0;
}

static double round_to(double v, int d)
{
	double s = pow(10, d);
	return round(v * s) / s;
}

int creport_decimals(const creport_rate_v *v)
{
	double r = 100 * v->rate, lo = 100 * v->lo, hi = 100 * v->hi;
	double w = hi - lo;
	int d = w > 0 ? (int)ceil(-log10(w)) + 1 : 1;
	if (d < 1)
		d = 1;
	/* the ends must not print as the rate itself while they differ */
	while (d < 4 && ((lo < r && round_to(lo, d) == round_to(r, d)) ||
			 (hi > r && round_to(hi, d) == round_to(r, d))))
		d++;
	return d > 4 ? 4 : d;
}

void creport_fmt_rate(char *out, size_t len, const creport_rate_v *v,
		      const char *pct, const char *dash)
{
	if (v->state == CREPORT_NOT_PROBED) {
		snprintf(out, len, "%s", dash);
		return;
	}
	if (v->state == CREPORT_NA || isnan(v->rate)) {
		snprintf(out, len, "n/a");
		return;
	}
	int d = creport_decimals(v);
	snprintf(out, len, "%.*f%s [%.*f, %.*f]", d, 100 * v->rate, pct, d,
		 100 * v->lo, d, 100 * v->hi);
}

void creport_fmt_expected(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "n/a");
	else if (v < 0.01)
		snprintf(out, len, "<0.01");
	else
		snprintf(out, len, "%.2f", v);
}

void creport_fmt_count(char *out, size_t len, const creport_rate_v *v,
		       const char *dash)
{
	if (v->state == CREPORT_NOT_PROBED)
		snprintf(out, len, "%s", dash);
	else if (v->state == CREPORT_NA || isnan(v->count))
		snprintf(out, len, "n/a");
	else
		snprintf(out, len, "%.0f", v->count);
}
