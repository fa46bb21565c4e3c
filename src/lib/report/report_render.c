/*
 * report_render.c -- `contam report`: render report JSON files (one per
 * corpus) as tables a paper can use: Markdown, LaTeX (booktabs), CSV,
 * rows for the Data Contamination Database (CONDA), and a self-contained
 * HTML page (report_html.c).
 *
 * The renderers read the JSON back (jansson) rather than the result
 * structs, so that reports from different machines and corpora combine:
 * several reports make a benchmark x corpus grid.  Every value comes from
 * the report; nothing is recomputed here.  A definition the index could
 * not support ("available": false) prints as "n/a", never as a number.
 */
#include "../common/common.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Escaping                                                            */

int creport_latex_escape(cbuf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *r = NULL;
		char buf[3] = { '\\', *s, '\0' };
		switch (*s) {
		case '&': case '%': case '$': case '#': case '_': case '{':
		case '}':
			r = buf;
			break;
		case '~': r = "\\textasciitilde{}"; break;
		case '^': r = "\\textasciicircum{}"; break;
		case '\\': r = "\\textbackslash{}"; break;
		case '\n': r = " "; break;
		default: break;
		}
		if (r ? cbuf_append(b, r, strlen(r)) : cbuf_putc(b, *s))
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

int creport_csv_field(cbuf *b, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n"))
		return cbuf_append(b, s, strlen(s));
	if (cbuf_putc(b, '"'))
		return CONTAM_E_NOMEM;
	for (; *s; s++)
		if ((*s == '"' && cbuf_putc(b, '"')) || cbuf_putc(b, *s))
			return CONTAM_E_NOMEM;
	return cbuf_putc(b, '"');
}

/* Markdown table cell: '|' escaped, line breaks as spaces. */
static int md_cell(cbuf *b, const char *s)
{
	for (; s && *s; s++) {
		int rc = *s == '|' ? cbuf_append(b, "\\|", 2)
		       : *s == '\n' || *s == '\r' ? cbuf_putc(b, ' ')
		       : cbuf_putc(b, *s);
		if (rc)
			return rc;
	}
	return CONTAM_OK;
}

/* CONDA rows are ';'-separated without quoting: ';' and line breaks in
 * a value become ',' and ' '. */
static int conda_cell(cbuf *b, const char *s)
{
	for (; s && *s; s++) {
		char c = *s == ';' ? ',' : (*s == '\n' || *s == '\r') ? ' ' : *s;
		if (cbuf_putc(b, c))
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* Reading reports                                                     */

const char *creport_corpus_label(json_t *report)
{
	const char *path = json_string_value(json_object_get(
		json_object_get(report, "index"), "path"));
	if (!path || !*path)
		return "corpus";
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* A rate object {count, n, rate, ci95} under definitions.<def>.<measure>
 * (or null_control / question_answer when def names those). */
json_t *creport_rate(json_t *bench, const char *def, const char *measure)
{
	json_t *d;
	/* a benchmark none of whose examples could be scored (all shorter
	 * than n tokens) has no rate: n/a, never 0% */
	json_t *scored = json_object_get(bench, "scored");
	if (json_is_integer(scored) && json_integer_value(scored) == 0)
		return NULL;
	if (!strcmp(def, "null_control") || !strcmp(def, "question_answer"))
		d = json_object_get(bench, def);
	else
		d = json_object_get(json_object_get(bench, "definitions"), def);
	if (!d || json_is_false(json_object_get(d, "available")))
		return NULL;
	json_t *r = json_object_get(d, measure);
	return json_is_object(r) ? r : NULL;
}

double creport_num(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Whether a definition (or null_control / question_answer) is in the
 * report at all: a column for an option the probe was not run with
 * prints "-", one the index cannot support "n/a". */
static bool has_def(json_t *bench, const char *def)
{
	if (!strcmp(def, "null_control") || !strcmp(def, "question_answer"))
		return json_object_get(bench, def) != NULL;
	return json_object_get(json_object_get(bench, "definitions"), def) != NULL;
}

/* "12.3% [10.1, 14.9]" (percent sign per style) or "n/a". */
static void fmt_rate(char *out, size_t len, json_t *rate, const char *pct)
{
	if (!rate) {
		snprintf(out, len, "n/a");
		return;
	}
	json_t *ci = json_object_get(rate, "ci95");
	snprintf(out, len, "%.1f%s [%.1f, %.1f]",
		 100 * creport_num(json_object_get(rate, "rate")), pct,
		 100 * creport_num(json_array_get(ci, 0)),
		 100 * creport_num(json_array_get(ci, 1)));
}

static void fmt_expected(char *out, size_t len, json_t *bench)
{
	double v = creport_num(json_object_get(bench, "expected_false_contaminated"));
	if (isnan(v))
		snprintf(out, len, "n/a");
	else if (v < 0.01)
		snprintf(out, len, "<0.01");
	else
		snprintf(out, len, "%.2f", v);
}

/* The columns of the Markdown and LaTeX tables. */
typedef struct column {
	const char *title, *def, *measure;
} column;

static const column COLUMNS[] = {
	{ "contaminated", "contam", "contaminated" },
	{ "partial", "contam", "partial" },
	{ "GPT-3 (13-token span)", "gpt3", "contaminated" },
	{ "PaLM (70% of 8-grams)", "palm", "contaminated" },
	{ "Llama 2 dirty", "llama2", "dirty" },
	{ "Llama 2 not clean", "llama2", "not_clean" },
	{ "null control", "null_control", "contaminated" },
};
#define NCOLUMNS (sizeof(COLUMNS) / sizeof(COLUMNS[0]))

/* The benchmark names over all reports, in first-seen order. */
static int bench_names(json_t **reports, size_t n, const char ***out, size_t *count)
{
	const char **names = NULL;
	size_t nn = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			const char *name = json_string_value(json_object_get(
				json_array_get(bs, j), "name"));
			if (!name)
				continue;
			size_t k = 0;
			while (k < nn && strcmp(names[k], name))
				k++;
			if (k < nn)
				continue;
			const char **g = realloc(names, (nn + 1) * sizeof(*g));
			if (!g) {
				free(names);
				return CONTAM_E_NOMEM;
			}
			names = g;
			names[nn++] = name;
		}
	}
	*out = names;
	*count = nn;
	return CONTAM_OK;
}

json_t *creport_find_bench(json_t *report, const char *name)
{
	json_t *bs = json_object_get(report, "benchmarks");
	for (size_t j = 0; j < json_array_size(bs); j++) {
		json_t *b = json_array_get(bs, j);
		const char *bn = json_string_value(json_object_get(b, "name"));
		if (bn && !strcmp(bn, name))
			return b;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

static int render_md(cbuf *b, json_t **reports, size_t n, const char **names,
		     size_t nnames)
{
	char cell[96];
	int rc = 0;
	rc |= cbuf_printf(b, "| corpus | benchmark | examples |");
	for (size_t c = 0; c < NCOLUMNS; c++)
		rc |= cbuf_printf(b, " %s |", COLUMNS[c].title);
	rc |= cbuf_printf(b, " expected false |\n|---|---|---:|");
	for (size_t c = 0; c < NCOLUMNS; c++)
		rc |= cbuf_printf(b, "---:|");
	rc |= cbuf_printf(b, "---:|\n");
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			rc |= cbuf_printf(b, "| ");
			rc |= md_cell(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, " | ");
			rc |= md_cell(b, json_string_value(json_object_get(bench, "name")));
			rc |= cbuf_printf(b, " | %" JSON_INTEGER_FORMAT " |",
					  json_integer_value(json_object_get(bench, "examples")));
			for (size_t c = 0; c < NCOLUMNS; c++) {
				fmt_rate(cell, sizeof(cell), creport_rate(bench,
					 COLUMNS[c].def, COLUMNS[c].measure), "%");
				if (!has_def(bench, COLUMNS[c].def))
					snprintf(cell, sizeof(cell), "-");
				rc |= cbuf_printf(b, " %s |", cell);
			}
			fmt_expected(cell, sizeof(cell), bench);
			rc |= cbuf_printf(b, " %s |\n", cell);
		}
	}
	if (n > 1) {
		rc |= cbuf_printf(b, "\nContaminated rate (95%% Wilson interval), "
				  "benchmark x corpus:\n\n| benchmark |");
		for (size_t i = 0; i < n; i++) {
			rc |= cbuf_printf(b, " ");
			rc |= md_cell(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, " |");
		}
		rc |= cbuf_printf(b, "\n|---|");
		for (size_t i = 0; i < n; i++)
			rc |= cbuf_printf(b, "---:|");
		rc |= cbuf_printf(b, "\n");
		for (size_t k = 0; k < nnames; k++) {
			rc |= cbuf_printf(b, "| ");
			rc |= md_cell(b, names[k]);
			rc |= cbuf_printf(b, " |");
			for (size_t i = 0; i < n; i++) {
				json_t *bench = creport_find_bench(reports[i], names[k]);
				if (bench)
					fmt_rate(cell, sizeof(cell), creport_rate(bench,
						 "contam", "contaminated"), "%");
				else
					snprintf(cell, sizeof(cell), "-");
				rc |= cbuf_printf(b, " %s |", cell);
			}
			rc |= cbuf_printf(b, "\n");
		}
	}
	json_t *ix = json_object_get(reports[0], "index");
	rc |= cbuf_printf(b, "\nRates in %% of examples with 95%% Wilson intervals; "
			  "n-gram size %" JSON_INTEGER_FORMAT ", contam verdicts count "
			  "spans of >= %" JSON_INTEGER_FORMAT " tokens; expected false = "
			  "contaminated verdicts the index's false-positive rate could "
			  "explain. n/a: not computable from this index; -: not probed.\n",
			  json_integer_value(json_object_get(ix, "ngram")),
			  json_integer_value(json_object_get(ix, "min_span")));
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* LaTeX (booktabs)                                                    */

static int render_latex(cbuf *b, json_t **reports, size_t n, const char **names,
			size_t nnames)
{
	char cell[96];
	int rc = 0;
	rc |= cbuf_printf(b, "%% contam report; needs \\usepackage{booktabs}\n"
			  "\\begin{table}[t]\n\\centering\n\\small\n"
			  "\\begin{tabular}{llr");
	for (size_t c = 0; c <= NCOLUMNS; c++)
		rc |= cbuf_printf(b, "r");
	rc |= cbuf_printf(b, "}\n\\toprule\nCorpus & Benchmark & $N$");
	for (size_t c = 0; c < NCOLUMNS; c++) {
		rc |= cbuf_printf(b, " & ");
		rc |= creport_latex_escape(b, COLUMNS[c].title);
	}
	rc |= cbuf_printf(b, " & E[false] \\\\\n\\midrule\n");
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			rc |= creport_latex_escape(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, " & ");
			rc |= creport_latex_escape(b, json_string_value(
				json_object_get(bench, "name")));
			rc |= cbuf_printf(b, " & %" JSON_INTEGER_FORMAT,
					  json_integer_value(json_object_get(bench, "examples")));
			for (size_t c = 0; c < NCOLUMNS; c++) {
				fmt_rate(cell, sizeof(cell), creport_rate(bench,
					 COLUMNS[c].def, COLUMNS[c].measure), "\\%");
				if (!has_def(bench, COLUMNS[c].def))
					snprintf(cell, sizeof(cell), "--");
				rc |= cbuf_printf(b, " & %s", cell);
			}
			fmt_expected(cell, sizeof(cell), bench);
			rc |= cbuf_printf(b, " & $%s$ \\\\\n", cell);
		}
	}
	rc |= cbuf_printf(b, "\\bottomrule\n\\end{tabular}\n\\caption{Benchmark "
			  "contamination by definition: rate of examples with 95\\%% "
			  "Wilson interval; E[false] is the number of contaminated "
			  "verdicts false positives of the index could explain; n/a: "
			  "not computable from the index; --: not probed.}\n\\label{tab:contamination}\n"
			  "\\end{table}\n");
	if (n > 1) {
		rc |= cbuf_printf(b, "\n\\begin{table}[t]\n\\centering\n\\small\n"
				  "\\begin{tabular}{l");
		for (size_t i = 0; i < n; i++)
			rc |= cbuf_printf(b, "r");
		rc |= cbuf_printf(b, "}\n\\toprule\nBenchmark");
		for (size_t i = 0; i < n; i++) {
			rc |= cbuf_printf(b, " & ");
			rc |= creport_latex_escape(b, creport_corpus_label(reports[i]));
		}
		rc |= cbuf_printf(b, " \\\\\n\\midrule\n");
		for (size_t k = 0; k < nnames; k++) {
			rc |= creport_latex_escape(b, names[k]);
			for (size_t i = 0; i < n; i++) {
				json_t *bench = creport_find_bench(reports[i], names[k]);
				if (bench)
					fmt_rate(cell, sizeof(cell), creport_rate(bench,
						 "contam", "contaminated"), "\\%");
				else
					snprintf(cell, sizeof(cell), "--");
				rc |= cbuf_printf(b, " & %s", cell);
			}
			rc |= cbuf_printf(b, " \\\\\n");
		}
		rc |= cbuf_printf(b, "\\bottomrule\n\\end{tabular}\n\\caption{Contaminated "
				  "rate by benchmark and corpus (95\\%% Wilson interval).}\n"
				  "\\label{tab:contamination-grid}\n\\end{table}\n");
	}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* CSV: one row per corpus x benchmark x definition x measure          */

typedef struct measure {
	const char *def, *measure;
} measure;

static const measure MEASURES[] = {
	{ "contam", "contaminated" }, { "contam", "partial" },
	{ "contam", "flagged" }, { "gpt3", "contaminated" },
	{ "palm", "contaminated" }, { "llama2", "clean" },
	{ "llama2", "not_clean" }, { "llama2", "not_dirty" },
	{ "llama2", "dirty" }, { "longest", "max" },
	{ "null_control", "contaminated" }, { "null_control", "flagged" },
	{ "question_answer", "clean" },
	{ "question_answer", "question_contaminated" },
	{ "question_answer", "question_answer_contaminated" },
	{ "question_answer", "answer_contaminated" },
};
#define NMEASURES (sizeof(MEASURES) / sizeof(MEASURES[0]))

static int csv_num(cbuf *b, double v)
{
	if (isnan(v))
		return cbuf_putc(b, ',');
	return cbuf_printf(b, ",%.6g", v);
}

static int render_csv(cbuf *b, json_t **reports, size_t n)
{
	int rc = cbuf_printf(b, "corpus,benchmark,definition,measure,available,"
			     "count,n,rate,ci95_low,ci95_high,expected_false,note\r\n");
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			json_t *defs = json_object_get(bench, "definitions");
			for (size_t m = 0; m < NMEASURES; m++) {
				const measure *ms = &MEASURES[m];
				bool extra = !strcmp(ms->def, "null_control") ||
					     !strcmp(ms->def, "question_answer");
				json_t *d = extra ? json_object_get(bench, ms->def)
						  : json_object_get(defs, ms->def);
				if (!d)
					continue; /* not probed with this option */
				bool avail = !json_is_false(json_object_get(d, "available"));
				json_t *r = avail ? json_object_get(d, ms->measure) : NULL;
				rc |= creport_csv_field(b, creport_corpus_label(reports[i]));
				rc |= cbuf_putc(b, ',');
				rc |= creport_csv_field(b, json_string_value(json_object_get(bench, "name")));
				rc |= cbuf_printf(b, ",%s,%s,%s", ms->def, ms->measure,
						  avail ? "true" : "false");
				if (json_is_object(r)) {
					json_t *ci = json_object_get(r, "ci95");
					rc |= csv_num(b, creport_num(json_object_get(r, "count")));
					rc |= csv_num(b, creport_num(json_object_get(r, "n")));
					rc |= csv_num(b, creport_num(json_object_get(r, "rate")));
					rc |= csv_num(b, creport_num(json_array_get(ci, 0)));
					rc |= csv_num(b, creport_num(json_array_get(ci, 1)));
				} else {
					/* longest: the value is a length, not a rate */
					rc |= csv_num(b, r ? creport_num(r) : NAN);
					rc |= cbuf_printf(b, ",,,,");
				}
				double ef = NAN;
				if (!strcmp(ms->def, "contam") && !strcmp(ms->measure, "contaminated"))
					ef = creport_num(json_object_get(d, "expected_false_contaminated"));
				else if (!strcmp(ms->def, "contam") && !strcmp(ms->measure, "flagged"))
					ef = creport_num(json_object_get(d, "expected_false_flagged"));
				else if (!strcmp(ms->def, "gpt3") || !strcmp(ms->def, "palm"))
					ef = creport_num(json_object_get(d, "expected_false"));
				else if (!strcmp(ms->def, "llama2") && !strcmp(ms->measure, "dirty"))
					ef = creport_num(json_object_get(d, "expected_false_dirty"));
				else if (!strcmp(ms->def, "llama2") && !strcmp(ms->measure, "not_clean"))
					ef = creport_num(json_object_get(d, "expected_false_not_clean"));
				rc |= csv_num(b, ef);
				rc |= cbuf_putc(b, ',');
				const char *note = json_string_value(json_object_get(
					d, avail ? "approximation" : "why"));
				rc |= creport_csv_field(b, note);
				rc |= cbuf_printf(b, "\r\n");
			}
		}
	}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* CONDA: the Data Contamination Database's submission rows            */

/* Which split column a benchmark name's last part names: 0 train,
 * 1 development, 2 test (the default: benchmarks are probed for their
 * test data). */
static int split_of(const char *name, const char **dataset_end)
{
	static const char *const train[] = { "train", NULL };
	static const char *const dev[] = { "dev", "val", "valid", "validation", NULL };
	const char *slash = strrchr(name, '/');
	*dataset_end = NULL;
	if (!slash)
		return 2;
	const char *split = slash + 1;
	*dataset_end = slash;
	for (int i = 0; train[i]; i++)
		if (!strcmp(split, train[i]))
			return 0;
	for (int i = 0; dev[i]; i++)
		if (!strcmp(split, dev[i]))
			return 1;
	return 2;
}

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static int render_conda(cbuf *b, json_t **reports, size_t n)
{
	int rc = cbuf_printf(b, "Evaluation Dataset;Subset;Contaminated Source;"
			     "Model or corpus;Train Split;Development Split;"
			     "Test Split;Approach;Reference;PR\n");
	for (size_t i = 0; i < n; i++) {
		json_t *ix = json_object_get(reports[i], "index");
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			const char *name = json_string_value(json_object_get(bench, "name"));
			const char *end;
			if (!name)
				continue;
			int split = split_of(name, &end);
			char dataset[256], subset[256] = "";
			snprintf(dataset, sizeof(dataset), "%.*s",
				 (int)(end ? (size_t)(end - name) : strlen(name)), name);
			if (end && split == 2 && strcmp(end + 1, "test"))
				snprintf(subset, sizeof(subset), "%s", end + 1);
			json_t *r = creport_rate(bench, "contam", "contaminated");
			double pct = 100 * creport_num(json_object_get(r, "rate"));
			rc |= conda_cell(b, dataset);
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, subset);
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, creport_corpus_label(reports[i]));
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, creport_corpus_label(reports[i]));
			for (int s = 0; s < 3; s++) {
				rc |= cbuf_putc(b, ';');
				if (s == split && !isnan(pct))
					rc |= cbuf_printf(b, "%.2f", pct);
			}
			rc |= cbuf_printf(b, ";data-based: word %" JSON_INTEGER_FORMAT
					  "-gram overlap with contam %s (coverage >= 80%% "
					  "by spans >= %" JSON_INTEGER_FORMAT " tokens, Bloom "
					  "false-positive rate %.2g);contam;\n",
					  json_integer_value(json_object_get(ix, "ngram")),
					  str_or(json_string_value(json_object_get(
						  json_object_get(reports[i], "tool"),
						  "version")), "?"),
					  json_integer_value(json_object_get(ix, "min_span")),
					  creport_num(json_object_get(ix, "fpr")));
		}
	}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errbuf || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

int creport_render_loaded(json_t **reports, size_t n, const char *format, cbuf *b)
{
	const char **names = NULL;
	size_t nnames = 0;
	int rc = bench_names(reports, n, &names, &nnames);
	if (rc)
		return rc;
	if (!strcmp(format, "md") || !strcmp(format, "markdown"))
		rc = render_md(b, reports, n, names, nnames);
	else if (!strcmp(format, "latex") || !strcmp(format, "tex"))
		rc = render_latex(b, reports, n, names, nnames);
	else if (!strcmp(format, "csv"))
		rc = render_csv(b, reports, n);
	else if (!strcmp(format, "conda"))
		rc = render_conda(b, reports, n);
	else if (!strcmp(format, "html"))
		rc = creport_html(b, reports, n, names, nnames);
	else
		rc = CONTAM_E_PARAM;
	free(names);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Loading a report without its whole tree (redteam 23)                */

/*
 * A report is mostly its "examples" (about 600 bytes of JSON each, and
 * a jansson tree takes about ten times its text), yet only the HTML
 * evidence table reads any of them, and only the flagged ones, at most
 * CREPORT_EVIDENCE_ROWS.  So the file is mapped, not read, and scanned
 * member by member at the top level: every member but "examples" is
 * parsed by jansson; "examples" is walked element by element (strings
 * and brackets only), and an element is parsed only when the HTML
 * needs it -- it has "evidence" and fewer than CREPORT_EVIDENCE_ROWS
 * were kept; the others with evidence are counted in "evidence_more".
 * Measured on a 101 MB report of 200,000 flagged examples (--format
 * md): peak RSS 856 MB and 3.7 s before, 104 MB (the mapped file) and
 * 0.09 s after; html the same, with 200 examples parsed.
 */
typedef struct rscan {
	const char *d;
	size_t n, i;
} rscan;

static void rs_ws(rscan *s)
{
	while (s->i < s->n && (s->d[s->i] == ' ' || s->d[s->i] == '\n' ||
			       s->d[s->i] == '\r' || s->d[s->i] == '\t'))
		s->i++;
}

/* Past one JSON value (not validated: jansson does that for the parts it
 * parses); false at a truncated or unbalanced value. */
static bool rs_skip(rscan *s)
{
	size_t depth = 0;
	rs_ws(s);
	if (s->i >= s->n)
		return false;
	do {
		if (s->i >= s->n)
			return false;
		char c = s->d[s->i];
		if (c == '"') {
			s->i++;
			for (;;) {
				const char *q = memchr(s->d + s->i, '"', s->n - s->i);
				if (!q)
					return false;
				size_t at = (size_t)(q - s->d), bs = 0;
				while (at - bs > s->i && s->d[at - bs - 1] == '\\')
					bs++;
				s->i = at + 1;
				if (bs % 2 == 0)
					break;
			}
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return false;
			depth--;
		} else if (depth == 0) {
			/* a scalar: up to the next delimiter */
			while (s->i < s->n && !strchr(",]} \t\r\n", s->d[s->i]))
				s->i++;
			return true;
		}
		s->i++;
	} while (depth);
	return true;
}

static uint64_t line_at(const char *d, size_t off)
{
	uint64_t line = 1;
	for (const char *p = d; (p = memchr(p, '\n', (size_t)(d + off - p))); p++)
		line++;
	return line;
}

static json_t *parse_part(const char *d, size_t a, size_t b, json_error_t *je,
			  uint64_t *err_line)
{
	json_t *v = json_loadb(d + a, b - a, JSON_DECODE_ANY, je);
	if (!v)
		*err_line = line_at(d, a) + (je->line > 0 ? (uint64_t)je->line - 1 : 0);
	return v;
}

/* Load report `path` into *out; examples only as the HTML needs them.
 * On failure the message names the file and the line. */
static int load_report(const char *path, bool want_evidence, json_t **out,
		       char *errbuf, size_t errlen)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	json_error_t je;
	uint64_t line = 0;
	json_t *root = NULL;
	void *map = NULL;
	int rc = CONTAM_OK;
	*out = NULL;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		/* not a regular file (a pipe): jansson reads it whole */
		if (fd >= 0)
			close(fd);
		*out = json_load_file(path, 0, &je);
		if (*out)
			return CONTAM_OK;
		bool io = je.line < 0 || je.position == 0;
		if (io)
			set_err(errbuf, errlen, "cannot read '%s': %s", path, je.text);
		else
			set_err(errbuf, errlen, "cannot read '%s': %s at line %d",
				path, je.text, je.line);
		return io ? CONTAM_E_IO : CONTAM_E_FORMAT;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		set_err(errbuf, errlen, "cannot read '%s': %s", path, strerror(errno));
		return CONTAM_E_IO;
	}
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	rscan s = { map, (size_t)st.st_size, 0 };
	size_t kept = 0, more = 0;
	if (!(root = json_object()))
		goto nomem;
	rs_ws(&s);
	if (s.i >= s.n || s.d[s.i] != '{')
		goto bad;
	s.i++;
	for (;;) {
		rs_ws(&s);
		if (s.i < s.n && s.d[s.i] == '}')
			break;
		size_t ka = s.i;
		if (s.i >= s.n || s.d[s.i] != '"' || !rs_skip(&s))
			goto bad;
		json_t *key = parse_part(s.d, ka, s.i, &je, &line);
		if (!key || !json_is_string(key)) {
			json_decref(key);
			goto bad;
		}
		rs_ws(&s);
		if (s.i >= s.n || s.d[s.i] != ':') {
			json_decref(key);
			goto bad;
		}
		s.i++;
		rs_ws(&s);
		bool examples = !strcmp(json_string_value(key), "examples");
		if (examples && s.i < s.n && s.d[s.i] == '[') {
			json_t *arr = json_array();
			if (!arr || json_object_set_new(root, "examples", arr)) {
				json_decref(key);
				goto nomem;
			}
			s.i++;
			for (;;) {
				rs_ws(&s);
				if (s.i < s.n && s.d[s.i] == ']') {
					s.i++;
					break;
				}
				size_t ea = s.i;
				if (!rs_skip(&s)) {
					json_decref(key);
					goto bad;
				}
				if (want_evidence && memmem(s.d + ea, s.i - ea, "\"evidence\"", 10)) {
					if (kept >= CREPORT_EVIDENCE_ROWS) {
						more++;
					} else {
						json_t *e = parse_part(s.d, ea, s.i, &je, &line);
						if (!e) {
							json_decref(key);
							goto bad_json;
						}
						json_array_append_new(arr, e);
						kept++;
					}
				}
				rs_ws(&s);
				if (s.i < s.n && s.d[s.i] == ',')
					s.i++;
			}
		} else {
			size_t va = s.i;
			if (!rs_skip(&s)) {
				json_decref(key);
				goto bad;
			}
			json_t *v = parse_part(s.d, va, s.i, &je, &line);
			if (!v) {
				json_decref(key);
				goto bad_json;
			}
			if (json_object_set_new(root, json_string_value(key), v)) {
				json_decref(key);
				goto nomem;
			}
		}
		json_decref(key);
		rs_ws(&s);
		if (s.i < s.n && s.d[s.i] == ',')
			s.i++;
	}
	if (more && json_object_set_new(root, "evidence_more", json_integer((json_int_t)more)))
		goto nomem;
	*out = root;
	root = NULL;
	goto out;
bad_json:
	set_err(errbuf, errlen, "cannot read '%s': %s at line %llu", path,
		je.text, (unsigned long long)line);
	rc = strstr(je.text, "memory") ? CONTAM_E_NOMEM : CONTAM_E_FORMAT;
	goto out;
bad:
	set_err(errbuf, errlen, "cannot read '%s': not a JSON object, or it ends "
		"early, near line %llu", path,
		(unsigned long long)line_at(s.d, s.i < s.n ? s.i : s.n));
	rc = CONTAM_E_FORMAT;
	goto out;
nomem:
	set_err(errbuf, errlen, "cannot read '%s': out of memory near line %llu",
		path, (unsigned long long)line_at(s.d, s.i < s.n ? s.i : s.n));
	rc = CONTAM_E_NOMEM;
out:
	json_decref(root);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* The rendered reports, whole, in b. */
static int render(const char *const *paths, size_t n, const char *format,
		  cbuf *b, char *errbuf, size_t errlen)
{
	json_t **reports = calloc(n ? n : 1, sizeof(*reports));
	int rc = CONTAM_OK;
	if (!reports)
		return CONTAM_E_NOMEM;
	if (n == 0) {
		set_err(errbuf, errlen, "no report files");
		rc = CONTAM_E_PARAM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = load_report(paths[i], !strcmp(format, "html"), &reports[i],
				 errbuf, errlen);
		if (rc)
			goto out;
		json_t *v = json_object_get(reports[i], "report_version");
		if (!json_is_integer(v) || json_integer_value(v) != 1 ||
		    !json_is_array(json_object_get(reports[i], "benchmarks"))) {
			set_err(errbuf, errlen, "'%s' is not a contam report "
				"(report_version 1)", paths[i]);
			rc = CONTAM_E_FORMAT;
			goto out;
		}
	}
	rc = creport_render_loaded(reports, n, format, b);
	if (rc == CONTAM_E_PARAM) {
		set_err(errbuf, errlen, "unknown format '%s' (md, latex, csv, html, conda)",
			format);
		goto out;
	}
	if (rc) {
		set_err(errbuf, errlen, "out of memory rendering '%s'%s", paths[0],
			n > 1 ? " and the other reports" : "");
		goto out;
	}
out:
	for (size_t i = 0; i < n; i++)
		json_decref(reports[i]);
	free(reports);
	return rc;
}

int contam_report_render_to(const char *const *paths, size_t n, const char *format,
			    const contam_sink *out, contam_error *err)
{
	cbuf b = CBUF_INIT;
	cerr e;
	cerr_clear(&e);
	if (!(e.code = render(paths, n, format, &b, e.msg, sizeof e.msg)))
		csink_flush(out, &b, &e);
	cbuf_release(&b);
	return cerr_export(&e, err);
}

int contam_report_render(const char *const *paths, size_t n, const char *format,
			 FILE *out, contam_error *err)
{
	contam_sink s = contam_sink_file(out);
	int rc = contam_report_render_to(paths, n, format, &s, err);
	if (rc == CONTAM_OK && fflush(out)) {
		cerr e;
		cerr_set(&e, CONTAM_E_IO, "cannot write the output: %s", strerror(errno));
		rc = cerr_export(&e, err);
	}
	return rc;
}
