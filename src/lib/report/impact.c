/*
 * impact.c -- `contam impact`: what contamination did to a model's scores.
 *
 * lm-evaluation-harness `--log_samples` writes one JSON line per document
 * (and per filter) of a task: doc_id, doc, target, `metrics` (the metric
 * names) and each metric's value as a field of its own.  Probing those
 * files (`--field doc.question --id-field doc_id`) gives a report whose
 * examples are the lines, by `source` and `record` (the non-blank line,
 * 0-based, as the benchmark reader counts them).  Here the two are joined
 * back: every example to its line, every line to its example (anything
 * left over is an error, or counted with allow_missing, never dropped),
 * and per task, filter and metric the means of the groups and the
 * contaminated - clean difference with its interval and p-value
 * (impact.h).  The verdicts come from the report as written (a --confirm
 * report's are the exact ones); nothing is re-scored.
 *
 * How it works: the report is parsed whole with jansson (its examples are
 * needed anyway); each samples file is read whole (cstream: compressed
 * too), one line at a time parsed, its metric values kept as doubles and
 * the line's document thrown away, so memory is the values, not the docs.
 */
#include "../common/common.h"
#include "../common/stream.h"
#include "impact.h"
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { G_CLEAN = 0, G_PARTIAL, G_CONTAM, G_GROUPS };
#define G_NONE (-1)

/* How many missing examples / lines the message and the outputs name. */
#define MISSING_NAMED 10

/* ------------------------------------------------------------------ */
/* Statistics                                                          */

uint64_t cimpact_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* An index in [0, n): the high word of draw * n (Lemire), a multiply
 * where `draw % n` is a division, three times slower in the bootstrap. */
__extension__ typedef unsigned __int128 imp_u128;
static inline size_t draw_below(uint64_t *st, size_t n)
{
	return (size_t)(((imp_u128)cimpact_splitmix64(st) * n) >> 64);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int cimpact_bootstrap(const double *a, size_t na, const double *b, size_t nb,
		      uint32_t resamples, uint64_t seed, double *lo, double *hi)
{
	double *d = malloc((size_t)resamples * sizeof *d);
	if (!d)
		return CONTAM_E_NOMEM;
	uint64_t st = seed;
	for (uint32_t r = 0; r < resamples; r++) {
		double sa = 0, sb = 0;
		for (size_t i = 0; i < na; i++)
			sa += a[draw_below(&st, na)];
		for (size_t i = 0; i < nb; i++)
			sb += b[draw_below(&st, nb)];
		d[r] = sa / (double)na - sb / (double)nb;
	}
	qsort(d, resamples, sizeof *d, cmp_double);
	uint64_t ilo = (uint64_t)resamples * 25 / 1000;
	uint64_t ihi = ((uint64_t)resamples * 975 + 999) / 1000;
	ihi = ihi ? ihi - 1 : 0;
	*lo = d[ilo];
	*hi = d[ihi];
	free(d);
	return CONTAM_OK;
}

/* C(n, k), or limit + 1 when it is larger. */
static uint64_t choose_capped(size_t n, size_t k, uint64_t limit)
{
	if (k > n - k)
		k = n - k;
	if (n >= ((size_t)1 << 31))
		return limit + 1;
	uint64_t c = 1;
	for (size_t i = 0; i < k; i++) {
		/* C(n, i + 1) = C(n, i) (n - i) / (i + 1), exact in this order;
		 * c <= limit < 2^32 and n < 2^31 keep the product in range */
		c = c * (n - i) / (i + 1);
		if (c > limit)
			return limit + 1;
	}
	return c;
}

int cimpact_permutation(const double *a, size_t na, const double *b, size_t nb,
			uint32_t permutations, uint64_t seed, double *p,
			int *exact, uint64_t *splits)
{
	size_t n = na + nb;
	double *v = malloc(n * sizeof *v);
	size_t *idx = malloc(n * sizeof *idx);
	int rc = CONTAM_OK;
	if (!v || !idx) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	double total = 0, abs_total = 0, sa = 0;
	for (size_t i = 0; i < na; i++) {
		v[i] = a[i];
		sa += a[i];
	}
	for (size_t i = 0; i < nb; i++)
		v[na + i] = b[i];
	for (size_t i = 0; i < n; i++) {
		total += v[i];
		abs_total += fabs(v[i]);
		idx[i] = i;
	}
	double observed = fabs(sa - (double)na * total / (double)n);
	double eps = 1e-9 * (abs_total + 1);
	uint64_t extreme = 0;
	uint64_t all = choose_capped(n, na, permutations);
	if (all <= permutations) {
		/* every split: the combinations of the smaller group's size
		 * (|deviation| is the same for a group and its complement) */
		size_t k = na < nb ? na : nb;
		double expect = (double)k * total / (double)n;
		for (size_t i = 0; i < k; i++)
			idx[i] = i;
		for (;;) {
			double s = 0;
			for (size_t i = 0; i < k; i++)
				s += v[idx[i]];
			if (fabs(s - expect) >= observed - eps)
				extreme++;
			size_t i = k;
			while (i > 0 && idx[i - 1] == n - k + i - 1)
				i--;
			if (i == 0)
				break;
			idx[i - 1]++;
			for (size_t j = i; j < k; j++)
				idx[j] = idx[j - 1] + 1;
		}
		*p = (double)extreme / (double)all;
		*exact = 1;
		*splits = all;
	} else {
		double expect = (double)na * total / (double)n;
		uint64_t st = seed;
		for (uint32_t r = 0; r < permutations; r++) {
			double s = 0;
			for (size_t i = 0; i < na; i++) {
				size_t j = i + draw_below(&st, n - i);
				size_t t = idx[i];
				idx[i] = idx[j];
				idx[j] = t;
				s += v[idx[i]];
			}
			if (fabs(s - expect) >= observed - eps)
				extreme++;
		}
		*p = (double)(1 + extreme) / (double)(1 + (uint64_t)permutations);
		*exact = 0;
		*splits = permutations;
	}
out:
	free(v);
	free(idx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The joined data                                                     */

typedef struct imp_line {
	uint64_t line;        /* 1-based line in the file */
	int group;            /* G_*, or G_NONE: no report example */
	int too_short;
	json_t *doc_id;
} imp_line;

typedef struct imp_metric {
	char *name, *filter;  /* filter NULL: the line had none */
	size_t *lines;        /* the lines that name it, in order */
	double *values;       /* and its value on each (NaN: not a number) */
	size_t n, cap;
	uint64_t not_numbers, first_bad_line;
	const char *first_bad_kind;
	/* results */
	uint64_t count[G_GROUPS + 1];   /* groups, then all */
	double mean[G_GROUPS + 1];
	int has_diff;
	double diff, lo, hi, p;
	int p_exact;
	uint64_t splits;
} imp_metric;

typedef struct imp_task {
	char *task, *path, *benchmark;
	imp_line *lines;
	size_t nlines;
	imp_metric *metrics;
	size_t nmetrics;
	uint64_t too_short;       /* matched lines too short to score */
	uint64_t matched;
	int have_stat;
	dev_t dev;
	ino_t ino;
} imp_task;

struct contam_impact {
	contam_impact_options opt;
	char *report_path;
	char *report_name;        /* what the tables call it */
	imp_task *tasks;
	size_t ntasks;
	uint64_t missing_examples, missing_lines;
	json_t *missing_named;    /* array of strings */
	uint64_t missing_unnamed; /* notes beyond MISSING_NAMED */
	json_t *unread;           /* the report's index.unread, when its
				     index left anything unread; or NULL */
};

static int unread_any(json_t *u);

void contam_impact_options_init(contam_impact_options *o)
{
	memset(o, 0, sizeof *o);
	o->definition = CONTAM_DEF_CONTAM;
	o->resamples = CONTAM_IMPACT_RESAMPLES;
	o->permutations = CONTAM_IMPACT_PERMUTATIONS;
	o->seed = CONTAM_IMPACT_SEED;
}

void contam_impact_free(contam_impact *im)
{
	if (!im)
		return;
	for (size_t t = 0; t < im->ntasks; t++) {
		imp_task *tk = &im->tasks[t];
		for (size_t i = 0; i < tk->nlines; i++)
			json_decref(tk->lines[i].doc_id);
		for (size_t m = 0; m < tk->nmetrics; m++) {
			free(tk->metrics[m].name);
			free(tk->metrics[m].filter);
			free(tk->metrics[m].lines);
			free(tk->metrics[m].values);
		}
		free(tk->metrics);
		free(tk->lines);
		free(tk->task);
		free(tk->path);
		free(tk->benchmark);
	}
	free(im->tasks);
	free(im->report_path);
	free(im->report_name);
	json_decref(im->missing_named);
	json_decref(im->unread);
	free(im);
}

int contam_impact_unread(const contam_impact *im)
{
	return im->unread != NULL;
}

void contam_impact_missing(const contam_impact *im, uint64_t *examples, uint64_t *lines)
{
	if (examples)
		*examples = im->missing_examples;
	if (lines)
		*lines = im->missing_lines;
}

/* The task of lm-eval's samples_<task>_<timestamp>.jsonl (the timestamp is
 * isoformat with ':' replaced, "2026-01-01T00-00-00.123456"); any other
 * name: its base name without extensions. */
static char *task_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *s = cstrdup(base);
	if (!s)
		return NULL;
	static const char *const exts[] = { ".gz", ".zst", ".bz2", ".xz", ".jsonl", ".json", NULL };
	for (int again = 1; again;) {
		again = 0;
		for (int i = 0; exts[i]; i++) {
			size_t n = strlen(s), e = strlen(exts[i]);
			if (n > e && !strcmp(s + n - e, exts[i])) {
				s[n - e] = '\0';
				again = 1;
			}
		}
	}
	if (strncmp(s, "samples_", 8))
		return s;
	char *u = strrchr(s + 8, '_');
	if (u && u > s + 8 && strlen(u + 1) >= 4) {
		bool stamp = true;
		for (const char *c = u + 1; *c; c++)
			stamp &= (*c >= '0' && *c <= '9') || *c == '-' || *c == 'T' ||
				 *c == '.' || *c == ':';
		if (stamp && u[1] >= '0' && u[1] <= '9') {
			*u = '\0';
			memmove(s, s + 8, strlen(s + 8) + 1);
		}
	}
	return s;
}

static const char *json_kind(const json_t *v)
{
	if (!v)
		return "missing";
	switch (json_typeof(v)) {
	case JSON_NULL: return "null";
	case JSON_STRING: return "a string";
	case JSON_ARRAY: return "a list";
	case JSON_OBJECT: return "an object";
	default: return "a number";
	}
}

static imp_metric *metric_get(imp_task *tk, const char *name, const char *filter)
{
	for (size_t m = 0; m < tk->nmetrics; m++) {
		imp_metric *x = &tk->metrics[m];
		if (!strcmp(x->name, name) &&
		    (filter ? x->filter && !strcmp(x->filter, filter) : !x->filter))
			return x;
	}
	imp_metric *nm = realloc(tk->metrics, (tk->nmetrics + 1) * sizeof *nm);
	if (!nm)
		return NULL;
	tk->metrics = nm;
	imp_metric *x = &nm[tk->nmetrics];
	memset(x, 0, sizeof *x);
	x->name = cstrdup(name);
	x->filter = filter ? cstrdup(filter) : NULL;
	if (!x->name || (filter && !x->filter)) {
		free(x->name);
		free(x->filter);
		return NULL;
	}
	tk->nmetrics++;
	return x;
}

static int metric_add(imp_metric *x, size_t line, double v)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		size_t *l = realloc(x->lines, cap * sizeof *l);
		if (!l)
			return CONTAM_E_NOMEM;
		x->lines = l;
		double *d = realloc(x->values, cap * sizeof *d);
		if (!d)
			return CONTAM_E_NOMEM;
		x->values = d;
		x->cap = cap;
	}
	x->lines[x->n] = line;
	x->values[x->n++] = v;
	return CONTAM_OK;
}

/* The fields of a samples line that lm-eval writes itself; the others
 * are metric values. */
static const char *const lm_eval_fields[] = { "doc_id", "doc", "target", "arguments",
	"resps", "filtered_resps", "filter", "metrics", "doc_hash", "prompt_hash",
	"target_hash", "task", "task_name", NULL };

/* Read one samples file: its lines and their metric values. */
static int read_samples(imp_task *tk, cerr *e)
{
	char *data = NULL;
	size_t len = 0, cap = 0;
	int rc = cstream_read_all(tk->path, UINT64_MAX, &data, &len, e);
	if (rc)
		return rc;
	json_t *doc = NULL, *own_names = NULL, *occurrences = json_object();
	bool repeated = false;
	uint64_t lineno = 0;
	if (!occurrences) {
		free(data);
		return cerr_set(e, CONTAM_E_NOMEM, "out of memory");
	}
	for (size_t pos = 0; pos < len;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		bool blank = true;
		for (size_t i = 0; i < n && blank; i++)
			blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
				s[i] == '\f' || s[i] == '\v';
		if (blank)
			continue;
		json_error_t je;
		json_decref(doc);
		if (!(doc = json_loadb(s, n, 0, &je)))
			doc = json_loadb(s, n, JSON_DECODE_INT_AS_REAL, &je);
		if (!doc) {
			rc = cerr_set(e, CONTAM_E_FORMAT, "'%s' line %" PRIu64 ": invalid JSON: %s "
				      "(column %d)", tk->path, lineno, je.text, je.column);
			goto out;
		}
		json_t *id = json_object_get(doc, "doc_id");
		json_t *names = json_object_get(doc, "metrics");
		if (!json_is_object(doc) || !id || (names && !json_is_array(names)) ||
		    !json_object_get(doc, "doc")) {
			rc = cerr_set(e, CONTAM_E_FORMAT, "'%s' line %" PRIu64 ": not an "
				      "lm-evaluation-harness samples line: %s", tk->path, lineno,
				      !json_is_object(doc) ? "not a JSON object" :
				      !id ? "no 'doc_id'" : !json_object_get(doc, "doc") ?
				      "no 'doc'" : "'metrics' is not a list of names");
			goto out;
		}
		json_decref(own_names);
		own_names = NULL;
		if (!names) {
			/* older lm-evaluation-harness lines carry no 'metrics' list:
			 * the metrics are the fields it does not write itself */
			if (!(names = own_names = json_array())) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			const char *key;
			json_t *val;
			json_object_foreach(doc, key, val) {
				bool own = false;
				for (int i = 0; lm_eval_fields[i] && !own; i++)
					own = !strcmp(key, lm_eval_fields[i]);
				if (!own && json_array_append_new(names, json_string(key))) {
					rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
					goto out;
				}
			}
		}
		if (tk->nlines == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			imp_line *nlns = realloc(tk->lines, nc * sizeof *nlns);
			if (!nlns) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			tk->lines = nlns;
			cap = nc;
		}
		size_t li = tk->nlines++;
		tk->lines[li] = (imp_line){ .line = lineno, .group = G_NONE,
					    .doc_id = json_incref(id) };
		json_t *f = json_object_get(doc, "filter");
		const char *filter = json_is_string(f) ? json_string_value(f) : NULL;
		char label[32];
		if (!f) {
			/* no 'filter' field (older versions), yet lm-eval writes a
			 * line per filter, filter by filter: the k-th line of a
			 * doc_id is of the k-th filter, "#k", never mixed in */
			char *key = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
			json_int_t seen = key ? json_integer_value(json_object_get(occurrences, key)) : 0;
			if (!key || json_object_set_new(occurrences, key, json_integer(seen + 1))) {
				free(key);
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			free(key);
			if (seen) {
				snprintf(label, sizeof label, "#%" JSON_INTEGER_FORMAT, seen + 1);
				filter = label;
				repeated = true;
			}
		}
		size_t k;
		json_t *nm;
		json_array_foreach(names, k, nm) {
			if (!json_is_string(nm)) {
				rc = cerr_set(e, CONTAM_E_FORMAT, "'%s' line %" PRIu64 ": 'metrics' "
					      "holds %s, not a metric name", tk->path, lineno,
					      json_kind(nm));
				goto out;
			}
			imp_metric *x = metric_get(tk, json_string_value(nm), filter);
			if (!x) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			json_t *v = json_object_get(doc, json_string_value(nm));
			double d = NAN;
			if (json_is_number(v))
				d = json_number_value(v);
			else if (json_is_boolean(v))
				d = json_is_true(v) ? 1 : 0;
			if (isnan(d) && !x->not_numbers++) {
				x->first_bad_line = lineno;
				x->first_bad_kind = json_kind(v);
			}
			if (metric_add(x, li, d)) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	/* the first lines of repeated doc_ids were filter #1 */
	for (size_t m = 0; repeated && m < tk->nmetrics; m++)
		if (!tk->metrics[m].filter && !(tk->metrics[m].filter = cstrdup("#1"))) {
			rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
out:
	json_decref(doc);
	json_decref(own_names);
	json_decref(occurrences);
	free(data);
	return rc;
}

/* The group of a report example under the definition, or G_NONE when the
 * report does not say (an unavailable definition). */
static int example_group(json_t *ex, contam_definition def, int *too_short)
{
	json_t *defs = json_object_get(ex, "definitions");
	const char *s = NULL;
	*too_short = 0;
	switch (def) {
	case CONTAM_DEF_CONTAM:
		s = json_string_value(json_object_get(ex, "verdict"));
		if (!s)
			return G_NONE;
		if (!strcmp(s, "contaminated"))
			return G_CONTAM;
		if (!strcmp(s, "partial"))
			return G_PARTIAL;
		*too_short = !strcmp(s, "too_short");
		return !strcmp(s, "clean") || *too_short ? G_CLEAN : G_NONE;
	case CONTAM_DEF_GPT3:
	case CONTAM_DEF_PALM: {
		json_t *b = json_object_get(defs, def == CONTAM_DEF_GPT3 ? "gpt3" : "palm");
		return json_is_boolean(b) ? (json_is_true(b) ? G_CONTAM : G_CLEAN) : G_NONE;
	}
	case CONTAM_DEF_LLAMA2:
		s = json_string_value(json_object_get(json_object_get(defs, "llama2"), "bucket"));
		if (!s)
			return G_NONE;
		return !strcmp(s, "dirty") ? G_CONTAM : !strcmp(s, "not_clean") ? G_PARTIAL :
		       !strcmp(s, "clean") ? G_CLEAN : G_NONE;
	}
	return G_NONE;
}

static int note_missing(contam_impact *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int note_missing(contam_impact *im, const char *fmt, ...)
{
	if (json_array_size(im->missing_named) >= MISSING_NAMED) {
		im->missing_unnamed++;
		return CONTAM_OK;
	}
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return json_array_append_new(im->missing_named, json_string(buf)) ?
	       CONTAM_E_NOMEM : CONTAM_OK;
}

/* Whether the report's `source` names the samples file of task tk. */
static bool same_file(const imp_task *tk, const char *source)
{
	if (!strcmp(tk->path, source))
		return true;
	struct stat st;
	return tk->have_stat && !stat(source, &st) && st.st_dev == tk->dev &&
	       st.st_ino == tk->ino;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool id_matches(const char *id, json_t *doc_id)
{
	if (json_is_string(doc_id))
		return !strcmp(id, json_string_value(doc_id));
	char buf[64];
	if (json_is_integer(doc_id))
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(doc_id));
	else
		return true; /* a real or an object: the probe's text of it is its own */
	return !strcmp(id, buf);
}

static int compute(contam_impact *im, imp_metric *x, const imp_task *tk)
{
	double *grp[G_GROUPS] = { NULL, NULL, NULL };
	size_t ng[G_GROUPS] = { 0, 0, 0 };
	double sum[G_GROUPS + 1] = { 0, 0, 0, 0 };
	int rc = CONTAM_OK;
	for (int g = 0; g < G_GROUPS; g++)
		if (!(grp[g] = malloc((x->n ? x->n : 1) * sizeof(double))))
			rc = CONTAM_E_NOMEM;
	if (rc)
		goto out;
	for (size_t i = 0; i < x->n; i++) {
		int g = tk->lines[x->lines[i]].group;
		if (g == G_NONE)
			continue;
		grp[g][ng[g]++] = x->values[i];
		sum[g] += x->values[i];
		sum[G_GROUPS] += x->values[i];
	}
	size_t nall = ng[0] + ng[1] + ng[2];
	for (int g = 0; g <= G_GROUPS; g++) {
		x->count[g] = g < G_GROUPS ? ng[g] : nall;
		x->mean[g] = x->count[g] ? sum[g] / (double)x->count[g] : NAN;
	}
	x->has_diff = ng[G_CONTAM] > 0 && ng[G_CLEAN] > 0;
	if (!x->has_diff)
		goto out;
	x->diff = x->mean[G_CONTAM] - x->mean[G_CLEAN];
	if ((rc = cimpact_bootstrap(grp[G_CONTAM], ng[G_CONTAM], grp[G_CLEAN], ng[G_CLEAN],
				    im->opt.resamples, im->opt.seed, &x->lo, &x->hi)))
		goto out;
	rc = cimpact_permutation(grp[G_CONTAM], ng[G_CONTAM], grp[G_CLEAN], ng[G_CLEAN],
				 im->opt.permutations, im->opt.seed, &x->p, &x->p_exact,
				 &x->splits);
out:
	for (int g = 0; g < G_GROUPS; g++)
		free(grp[g]);
	return rc;
}

/* Join every report example to its line of the samples files: the group
 * of each line, the missing examples and lines counted and named; an
 * error for what does not join unless allow_missing. */
static int join_report(contam_impact *im, json_t *examples, cerr *e)
{
	const char *defname = contam_definition_name(im->opt.definition);
	json_t *sources = json_object();
	size_t k;
	int rc = CONTAM_OK;
	if (!sources)
		return cerr_set(e, CONTAM_E_NOMEM, "out of memory");
	/* each distinct source of the report: which task's file it is
	 * (json object source -> task index + 1, 0: none) */
	json_t *ex;
	json_array_foreach(examples, k, ex) {
		const char *src = json_string_value(json_object_get(ex, "source"));
		json_t *rec = json_object_get(ex, "record");
		if (!src || !json_is_integer(rec) || json_integer_value(rec) < 0) {
			rc = cerr_set(e, CONTAM_E_FORMAT, "'%s': example %zu has no 'source' and "
				      "'record'", im->report_path, k);
			goto out;
		}
		json_t *known = json_object_get(sources, src);
		size_t tix;
		if (!known) {
			tix = 0;
			for (size_t t = 0; t < im->ntasks; t++)
				if (same_file(&im->tasks[t], src)) {
					tix = t + 1;
					break;
				}
			/* a report made in another directory: a source that is no
			 * file from here is the one samples file of its base name */
			struct stat st;
			if (!tix && stat(src, &st)) {
				for (size_t t = 0; t < im->ntasks; t++)
					if (!strcmp(base_name(im->tasks[t].path), base_name(src)))
						tix = tix ? (size_t)-1 : t + 1;
				if (tix == (size_t)-1)
					tix = 0;
			}
			if (json_object_set_new(sources, src, json_integer((json_int_t)tix))) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			if (tix) {
				imp_task *tk = &im->tasks[tix - 1];
				const char *b = json_string_value(json_object_get(ex, "benchmark"));
				if (!tk->benchmark && b && !(tk->benchmark = cstrdup(b))) {
					rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
					goto out;
				}
			}
		} else {
			tix = (size_t)json_integer_value(known);
		}
		uint64_t record = (uint64_t)json_integer_value(rec);
		if (!tix || record >= im->tasks[tix - 1].nlines) {
			im->missing_examples++;
			/* a source no file is given for is named once, below */
			if (tix && note_missing(im, "example record %" PRIu64 " of '%s': the "
						"file has %zu samples lines", record, src,
						im->tasks[tix - 1].nlines)) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			continue;
		}
		imp_task *tk = &im->tasks[tix - 1];
		imp_line *ln = &tk->lines[record];
		if (ln->group != G_NONE) {
			rc = cerr_set(e, CONTAM_E_FORMAT, "'%s': two examples are record %" PRIu64
				      " of '%s'", im->report_path, record, src);
			goto out;
		}
		const char *id = json_string_value(json_object_get(ex, "id"));
		if (id && !id_matches(id, ln->doc_id)) {
			char *d = json_dumps(ln->doc_id, JSON_ENCODE_ANY | JSON_COMPACT);
			rc = cerr_set(e, CONTAM_E_FORMAT, "'%s' line %" PRIu64 ": doc_id %s, but "
				      "the report's example (record %" PRIu64 ") has id '%s': was "
				      "the file probed with another --id-field, or changed since?",
				      tk->path, ln->line, d ? d : "?", record, id);
			free(d);
			goto out;
		}
		int ts;
		ln->group = example_group(ex, im->opt.definition, &ts);
		if (ln->group == G_NONE) {
			rc = cerr_set(e, CONTAM_E_PARAM, "'%s': example record %" PRIu64 " of "
				      "'%s' has no '%s' verdict: the report cannot tell that "
				      "definition", im->report_path, record, src, defname);
			goto out;
		}
		ln->too_short = ts;
		tk->too_short += (uint64_t)ts;
		tk->matched++;
	}
	const char *src;
	json_t *tixv;
	json_object_foreach(sources, src, tixv) {
		if (json_integer_value(tixv))
			continue;
		uint64_t n = 0;
		json_array_foreach(examples, k, ex) {
			const char *es = json_string_value(json_object_get(ex, "source"));
			n += es && !strcmp(es, src);
		}
		if (note_missing(im, "%" PRIu64 " example(s) of '%s': no samples file given is "
				 "that file", n, src)) {
			rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t t = 0; t < im->ntasks; t++) {
		imp_task *tk = &im->tasks[t];
		for (size_t i = 0; i < tk->nlines; i++) {
			if (tk->lines[i].group != G_NONE)
				continue;
			im->missing_lines++;
			if (note_missing(im, "'%s' line %" PRIu64 ": no report example", tk->path,
					 tk->lines[i].line)) {
				rc = cerr_set(e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	if ((im->missing_examples || im->missing_lines) && !im->opt.allow_missing) {
		cbuf b = CBUF_INIT;
		json_t *s;
		json_array_foreach(im->missing_named, k, s)
			cbuf_printf(&b, "%s%s", k ? "; " : "", json_string_value(s));
		rc = cerr_set(e, CONTAM_E_FORMAT, "%" PRIu64 " report example(s) match no "
			      "sample line and %" PRIu64 " sample line(s) no report example "
			      "(--allow-missing counts them): %s%s", im->missing_examples,
			      im->missing_lines, b.data ? b.data : "",
			      im->missing_unnamed ? "; ..." : "");
		cbuf_release(&b);
		goto out;
	}
out:
	json_decref(sources);
	return rc;
}

int contam_impact_new(contam_impact **out, const char *report_path,
		      const char *const *samples, size_t nsamples,
		      const contam_impact_options *opt, contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	*out = NULL;
	json_t *report = NULL;
	contam_impact *im = calloc(1, sizeof *im);
	int rc = CONTAM_OK;
	if (!im || !(im->missing_named = json_array()) ||
	    !(im->report_path = cstrdup(report_path)) ||
	    !(im->report_name = cstrdup(opt && opt->report_name ? opt->report_name
							: report_path))) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	contam_impact_options_init(&im->opt);
	if (opt)
		im->opt = *opt;
	if (!im->opt.resamples || !im->opt.permutations) {
		rc = cerr_set(&e, CONTAM_E_PARAM, "resamples and permutations must be positive");
		goto out;
	}
	if (!nsamples) {
		rc = cerr_set(&e, CONTAM_E_PARAM, "no samples files");
		goto out;
	}
	json_error_t je;
	if (!(report = json_load_file(report_path, 0, &je))) {
		rc = cerr_set(&e, errno == ENOENT && je.line < 1 ? CONTAM_E_IO : CONTAM_E_FORMAT,
			      "'%s': %s (line %d)", report_path, je.text, je.line);
		goto out;
	}
	/* what the report's index did not read: its "clean" examples may
	 * have copies there, and the tables say so */
	json_t *unread = json_object_get(json_object_get(report, "index"), "unread");
	if (unread && unread_any(unread))
		im->unread = json_incref(unread);
	json_t *examples = json_object_get(report, "examples");
	if (!json_is_array(examples)) {
		rc = cerr_set(&e, CONTAM_E_FORMAT, "'%s' is not a probe report: no 'examples' list",
			      report_path);
		goto out;
	}
	/* a definition the report cannot tell: said per benchmark */
	const char *defname = contam_definition_name(im->opt.definition);
	size_t k;
	json_t *bm;
	json_array_foreach(json_object_get(report, "benchmarks"), k, bm) {
		json_t *d = json_object_get(json_object_get(bm, "definitions"), defname);
		if (json_is_false(json_object_get(d, "available"))) {
			const char *why = json_string_value(json_object_get(d, "why"));
			rc = cerr_set(&e, CONTAM_E_PARAM, "definition '%s' is not available in "
				      "'%s': %s", defname, report_path, why ? why : "the report says so");
			goto out;
		}
	}

	if (!(im->tasks = calloc(nsamples, sizeof *im->tasks))) {
		rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t t = 0; t < nsamples; t++) {
		imp_task *tk = &im->tasks[t];
		im->ntasks++;
		if (!(tk->path = cstrdup(samples[t])) || !(tk->task = task_name(samples[t]))) {
			rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		for (size_t u = 0; u < t; u++)
			if (!strcmp(im->tasks[u].task, tk->task)) {
				rc = cerr_set(&e, CONTAM_E_PARAM, "'%s' and '%s' are both samples "
					      "of task '%s': give one file per task",
					      im->tasks[u].path, tk->path, tk->task);
				goto out;
			}
		struct stat st;
		if (!stat(tk->path, &st)) {
			tk->have_stat = 1;
			tk->dev = st.st_dev;
			tk->ino = st.st_ino;
		}
		if ((rc = read_samples(tk, &e)))
			goto out;
	}

	if ((rc = join_report(im, examples, &e)))
		goto out;
	for (size_t t = 0; t < im->ntasks; t++)
		for (size_t m = 0; m < im->tasks[t].nmetrics; m++) {
			imp_metric *x = &im->tasks[t].metrics[m];
			if (x->not_numbers)
				continue;
			if ((rc = compute(im, x, &im->tasks[t]))) {
				rc = cerr_set(&e, rc, "out of memory");
				goto out;
			}
		}
out:
	json_decref(report);
	if (rc) {
		contam_impact_free(im);
		im = NULL;
	}
	*out = im;
	return cerr_export(&e, err);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static const char *group_rule(contam_definition d)
{
	switch (d) {
	case CONTAM_DEF_CONTAM:
		return "contaminated = verdict contaminated, partial = verdict partial, "
		       "clean = verdict clean or too_short";
	case CONTAM_DEF_GPT3:
		return "contaminated = flagged by GPT-3's rule (a span >= 13 tokens), "
		       "clean = not flagged, no partial";
	case CONTAM_DEF_PALM:
		return "contaminated = flagged by PaLM's rule (>= 70% of the 8-grams), "
		       "clean = not flagged, no partial";
	case CONTAM_DEF_LLAMA2:
		return "contaminated = Llama 2 dirty (>= 80% of the tokens), partial = not "
		       "clean and not dirty, clean = < 20%";
	}
	return "";
}

static int json_add(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Whether an index.unread object counts anything (its nested
 * skipped_files too); inputs_with_problems only sums the others. */
static int unread_any(json_t *u)
{
	const char *k;
	json_t *v;
	json_object_foreach(u, k, v) {
		if (json_is_object(v) ? unread_any(v) : json_integer_value(v) > 0)
			return 1;
	}
	return 0;
}

/* "3 damaged_records, 1 files skipped (unknown_kind)" into b. */
static int put_unread_counts(cbuf *b, json_t *u, const char **sep)
{
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach(u, k, v) {
		if (!strcmp(k, "inputs_with_problems"))
			continue;
		if (json_is_object(v)) {
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2)
				if (json_integer_value(v2) > 0) {
					rc |= cbuf_printf(b, "%s%" JSON_INTEGER_FORMAT " files skipped (%s)",
							  *sep, json_integer_value(v2), k2);
					*sep = ", ";
				}
		} else if (json_integer_value(v) > 0) {
			rc |= cbuf_printf(b, "%s%" JSON_INTEGER_FORMAT " %s", *sep,
					  json_integer_value(v), k);
			*sep = ", ";
		}
	}
	return rc;
}

static json_t *impact_json(const contam_impact *im)
{
	json_t *root = json_object();
	int bad = !root;
	char seed[32];
	snprintf(seed, sizeof seed, "0x%" PRIx64, im->opt.seed);
	bad |= json_add(root, "impact_version", json_integer(1));
	bad |= json_add(root, "report", json_string(im->report_name));
	bad |= json_add(root, "definition", json_string(contam_definition_name(im->opt.definition)));
	bad |= json_add(root, "groups", json_string(group_rule(im->opt.definition)));
	bad |= json_add(root, "interval", json_pack("{s:s, s:f, s:I, s:s}", "method",
		"percentile bootstrap, each group resampled on its own", "level", 0.95,
		"resamples", (json_int_t)im->opt.resamples, "seed", seed));
	bad |= json_add(root, "test", json_pack("{s:s, s:s, s:I, s:I, s:s}", "method",
		"two-sided permutation test", "statistic", "contaminated mean - clean mean",
		"permutations", (json_int_t)im->opt.permutations,
		"exact_up_to", (json_int_t)im->opt.permutations, "seed", seed));
	json_t *tasks = json_array();
	bad |= json_add(root, "tasks", tasks);
	for (size_t t = 0; !bad && t < im->ntasks; t++) {
		const imp_task *tk = &im->tasks[t];
		json_t *jt = json_object(), *metrics = json_array(), *skipped = json_array();
		bad |= json_array_append_new(tasks, jt) || !jt;
		bad |= json_add(jt, "task", json_string(tk->task));
		bad |= json_add(jt, "file", json_string(tk->path));
		bad |= json_add(jt, "benchmark", tk->benchmark ? json_string(tk->benchmark) : json_null());
		bad |= json_add(jt, "lines", json_integer((json_int_t)tk->nlines));
		bad |= json_add(jt, "matched", json_integer((json_int_t)tk->matched));
		bad |= json_add(jt, "too_short", json_integer((json_int_t)tk->too_short));
		bad |= json_add(jt, "metrics", metrics);
		bad |= json_add(jt, "skipped", skipped);
		for (size_t m = 0; !bad && m < tk->nmetrics; m++) {
			const imp_metric *x = &tk->metrics[m];
			json_t *jm = json_object();
			json_t *filter = x->filter ? json_string(x->filter) : json_null();
			if (x->not_numbers) {
				bad |= json_array_append_new(skipped, jm) || !jm;
				bad |= json_add(jm, "metric", json_string(x->name));
				bad |= json_add(jm, "filter", filter);
				bad |= json_add(jm, "values", json_integer((json_int_t)x->n));
				bad |= json_add(jm, "not_numbers", json_integer((json_int_t)x->not_numbers));
				bad |= json_add(jm, "first_line", json_integer((json_int_t)x->first_bad_line));
				bad |= json_add(jm, "first_kind", json_string(x->first_bad_kind));
				continue;
			}
			bad |= json_array_append_new(metrics, jm) || !jm;
			bad |= json_add(jm, "metric", json_string(x->name));
			bad |= json_add(jm, "filter", filter);
			static const char *const keys[] = { "clean", "partial", "contaminated", "all" };
			static const int order[] = { G_GROUPS, G_CLEAN, G_PARTIAL, G_CONTAM };
			for (int i = 0; i < 4; i++) {
				int g = order[i];
				bad |= json_add(jm, keys[g], json_pack("{s:I, s:o}", "n",
					(json_int_t)x->count[g], "mean", num_or_null(x->mean[g])));
			}
			json_t *diff = x->has_diff ? json_pack("{s:f, s:[f, f], s:f, s:s, s:I}",
				"value", x->diff, "ci95", x->lo, x->hi, "p_value", x->p,
				"p_method", x->p_exact ? "exact" : "monte_carlo",
				"splits", (json_int_t)x->splits) : json_null();
			bad |= json_add(jm, "difference", diff);
		}
	}
	json_t *missing = json_pack("{s:I, s:I, s:O}", "examples", (json_int_t)im->missing_examples,
				    "lines", (json_int_t)im->missing_lines, "named", im->missing_named);
	bad |= json_add(root, "missing", missing);
	if (im->unread)
		bad |= json_add(root, "index_unread", json_incref(im->unread));
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* "0.5000 (12)" (md; LaTeX "0.500 (12)": a table that fits a page), or
 * "n/a (0)" */
static int put_mean(cbuf *b, const imp_metric *x, int g, bool latex)
{
	if (!x->count[g])
		return cbuf_printf(b, "n/a (0)");
	return cbuf_printf(b, "%.*f (%" PRIu64 ")", latex ? 3 : 4, x->mean[g], x->count[g]);
}

static int put_p(cbuf *b, const imp_metric *x)
{
	if (x->p < 1e-4)
		return cbuf_printf(b, "%.2g", x->p);
	return cbuf_printf(b, "%.4f", x->p);
}

static int impact_text(const contam_impact *im, bool latex, cbuf *b)
{
	int rc = 0;
	const char *def = contam_definition_name(im->opt.definition);
	const char *dash = latex ? "--" : "-";
	if (latex) {
		rc |= cbuf_printf(b, "%% contam impact: report ");
		rc |= creport_latex_escape(b, im->report_name);
		rc |= cbuf_printf(b, ", definition %s (%s)\n", def, group_rule(im->opt.definition));
		/* seven columns: about 560 pt wide, more than a column's 240 */
		rc |= cbuf_printf(b, "%% needs \\usepackage{booktabs}; as wide as a page: "
				  "\\begin{table*}\\small\\input{this file}\\end{table*}\n"
				  "\\setlength{\\tabcolsep}{4pt}%% local to the table float\n"
				  "\\begin{tabular}{@{}lrrrrrr@{}}\n\\toprule\n"
				  "Task / metric & All & Clean & Partial & Contam. & "
				  "Contam.$-$clean [95\\%% CI] & $p$ \\\\\n\\midrule\n");
	} else {
		rc |= cbuf_printf(b, "contamination's effect on scores: report '%s', definition %s\n"
				  "(%s)\n\n", im->report_name, def, group_rule(im->opt.definition));
		rc |= cbuf_printf(b, "| task | metric | filter | all | clean | partial | contaminated "
				  "| contaminated - clean [95%% CI] | p |\n"
				  "|---|---|---|--:|--:|--:|--:|--:|--:|\n");
	}
	for (size_t t = 0; t < im->ntasks; t++) {
		const imp_task *tk = &im->tasks[t];
		bool shown = false;
		for (size_t m = 0; m < tk->nmetrics; m++) {
			const imp_metric *x = &tk->metrics[m];
			if (x->not_numbers)
				continue;
			const char *sep = latex ? " & " : " | ";
			if (latex) {
				/* the task on a row of its own, its metrics below it:
				 * one column less, so the table fits a table* */
				if (!shown) {
					rc |= cbuf_printf(b, "\\multicolumn{7}{@{}l}{\\textit{");
					rc |= creport_latex_escape(b, tk->task);
					rc |= cbuf_printf(b, "}} \\\\\n");
				}
				shown = true;
				rc |= cbuf_printf(b, "\\quad ");
				rc |= creport_latex_escape(b, x->name);
				if (x->filter && strcmp(x->filter, "none")) {
					rc |= cbuf_printf(b, " (");
					rc |= creport_latex_escape(b, x->filter);
					rc |= cbuf_printf(b, ")");
				}
			} else {
				rc |= cbuf_printf(b, "| %s | %s | %s", tk->task, x->name,
						  x->filter ? x->filter : "none");
			}
			static const int order[] = { G_GROUPS, G_CLEAN, G_PARTIAL, G_CONTAM };
			for (int i = 0; i < 4; i++) {
				rc |= cbuf_printf(b, "%s", sep);
				rc |= put_mean(b, x, order[i], latex);
			}
			rc |= cbuf_printf(b, "%s", sep);
			if (x->has_diff)
				rc |= cbuf_printf(b, latex ? "%+.3f [%.3f, %.3f]" :
						  "%+.4f [%+.4f, %+.4f]", x->diff, x->lo, x->hi);
			else
				rc |= cbuf_printf(b, "n/a");
			rc |= cbuf_printf(b, "%s", sep);
			if (x->has_diff) {
				rc |= put_p(b, x);
				if (!latex)
					rc |= cbuf_printf(b, " (%s)", x->p_exact ? "exact" : "monte carlo");
			} else {
				rc |= cbuf_printf(b, "n/a");
			}
			rc |= cbuf_printf(b, latex ? " \\\\\n" : " |\n");
		}
	}
	if (latex)
		rc |= cbuf_printf(b, "\\bottomrule\n\\end{tabular}\n");
	const char *lead = latex ? "% " : "";
	rc |= cbuf_printf(b, "%s%s95%% CI: percentile bootstrap, %" PRIu32 " resamples of each "
			  "group, seed 0x%" PRIx64 "; p: two-sided permutation test of the "
			  "difference of means, exact over all splits when there are at most %"
			  PRIu32 ", else %" PRIu32 " random permutations (seed 0x%" PRIx64 ")\n",
			  latex ? "" : "\n", lead, im->opt.resamples, im->opt.seed,
			  im->opt.permutations, im->opt.permutations, im->opt.seed);
	for (size_t t = 0; t < im->ntasks; t++) {
		const imp_task *tk = &im->tasks[t];
		if (tk->too_short)
			rc |= cbuf_printf(b, "%stask %s: %" PRIu64 " example(s) too short to score, "
					  "counted clean\n", lead, tk->task, tk->too_short);
		for (size_t m = 0; m < tk->nmetrics; m++) {
			const imp_metric *x = &tk->metrics[m];
			if (x->not_numbers)
				rc |= cbuf_printf(b, "%sskipped: task %s, metric %s (filter %s): %"
						  PRIu64 " of %zu values are not numbers (first "
						  "at line %" PRIu64 ": %s)\n", lead, tk->task, x->name,
						  x->filter ? x->filter : "none", x->not_numbers, x->n,
						  x->first_bad_line, x->first_bad_kind);
		}
	}
	if (im->unread) {
		const char *sep = "";
		rc |= cbuf_printf(b, "%snot indexed: the report's index did not read ", lead);
		rc |= put_unread_counts(b, im->unread, &sep);
		rc |= cbuf_printf(b, "; the clean group may hold examples copied there\n");
	}
	if (im->missing_examples || im->missing_lines) {
		rc |= cbuf_printf(b, "%smissing (--allow-missing): %" PRIu64 " report example(s) "
				  "without a sample line, %" PRIu64 " sample line(s) without a "
				  "report example, left out of every number %s", lead,
				  im->missing_examples, im->missing_lines, dash);
		size_t k;
		json_t *s;
		json_array_foreach(im->missing_named, k, s)
			rc |= cbuf_printf(b, "%s %s", k ? ";" : "", json_string_value(s));
		rc |= cbuf_printf(b, "%s\n", im->missing_unnamed ? "; ..." : "");
	}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

int contam_impact_write(const contam_impact *im, const char *format,
			const contam_sink *out, contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	cbuf b = CBUF_INIT;
	if (!strcmp(format, "json")) {
		json_t *j = impact_json(im);
		char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					 JSON_REAL_PRECISION(15)) : NULL;
		json_decref(j);
		if (!s || cbuf_printf(&b, "%s\n", s))
			cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		free(s);
	} else if (!strcmp(format, "md") || !strcmp(format, "latex")) {
		if (impact_text(im, !strcmp(format, "latex"), &b))
			cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
	} else {
		cerr_set(&e, CONTAM_E_PARAM, "unknown format '%s' (md, latex, json)", format);
	}
	if (!e.code)
		csink_flush(out, &b, &e);
	cbuf_release(&b);
	return cerr_export(&e, err);
}

int contam_impact_write_samples(const contam_impact *im, const contam_sink *out,
				contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	json_t *root = json_object(), *seen = NULL;
	int bad = !root;
	for (size_t t = 0; !bad && t < im->ntasks; t++) {
		const imp_task *tk = &im->tasks[t];
		json_t *ids = json_array();
		bad |= json_add(root, tk->task, ids);
		json_decref(seen);
		seen = json_object();
		bad |= !seen;
		/* a doc_id is clean when every line of it is (one line per
		 * filter); lines with no example are not known to be clean */
		for (size_t i = 0; !bad && i < tk->nlines; i++) {
			char *key = json_dumps(tk->lines[i].doc_id, JSON_ENCODE_ANY | JSON_COMPACT);
			bad |= !key;
			if (key && (tk->lines[i].group != G_CLEAN || !json_object_get(seen, key)))
				bad |= json_object_set_new(seen, key,
							   json_boolean(tk->lines[i].group == G_CLEAN));
			free(key);
		}
		for (size_t i = 0; !bad && i < tk->nlines; i++) {
			char *key = json_dumps(tk->lines[i].doc_id, JSON_ENCODE_ANY | JSON_COMPACT);
			bad |= !key;
			if (key && json_is_true(json_object_get(seen, key))) {
				bad |= json_array_append(ids, tk->lines[i].doc_id);
				bad |= json_object_set_new(seen, key, json_null());
			}
			free(key);
		}
	}
	char *s = bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	json_decref(seen);
	if (!s) {
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
	} else {
		cbuf b = CBUF_INIT;
		if (cbuf_printf(&b, "%s\n", s))
			cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		else
			csink_flush(out, &b, &e);
		cbuf_release(&b);
		free(s);
	}
	return cerr_export(&e, err);
}
