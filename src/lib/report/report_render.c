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
#include "report_measures.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
	const char *label = json_string_value(json_object_get(report, "label"));
	if (label && *label)
		return label;
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

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* ------------------------------------------------------------------ */
/* The measures table's cells as text                                  */

/* The measures a render shows: --definition's, else the format's own. */
static unsigned shown_measures(const creport_render_opts *o, unsigned dflt)
{
	return o && o->measures ? o->measures : dflt;
}

#define MAIN_SUMMARY (1u << CM_CONTAMINATED | 1u << CM_PARTIAL | 1u << CM_PARTIAL_PLUS | \
		      1u << CM_GPT3 | 1u << CM_PALM | 1u << CM_L2_DIRTY | 1u << CM_L2_NOT_CLEAN)

/* "12 (0.91% [0.52, 1.59])"; with_n: "12/1319 (...)". */
static void fmt_count_rate(char *out, size_t len, const creport_rate_v *v,
			   const char *pct, const char *dash, bool with_n)
{
	char r[96];
	if (v->state != CREPORT_VALUE) {
		creport_fmt_rate(out, len, v, pct, dash);
		return;
	}
	creport_fmt_rate(r, sizeof r, v, pct, dash);
	if (with_n)
		snprintf(out, len, "%.0f/%.0f (%s)", v->count, v->n, r);
	else
		snprintf(out, len, "%.0f (%s)", v->count, r);
}

/* The examples of a benchmark row, or -1 when not probed. */
static json_int_t row_examples(const creport_row *row)
{
	return row->bench ? json_integer_value(json_object_get(row->bench, "examples")) : -1;
}

/* The n shared by a grid row's cells of measure m, or -1 if they differ. */
static double grid_n(const creport_table *t, size_t k, size_t m)
{
	double n = -1;
	for (size_t c = 0; c < t->ncorpora; c++) {
		const creport_cell *cell = &creport_row_at(t, c, k)->cells[m];
		if (cell->v.state != CREPORT_VALUE)
			continue;
		if (n >= 0 && cell->v.n != n)
			return -1;
		n = cell->v.n;
	}
	return n;
}

/* Expected false cell: the measure's own; "-" when it has none. */
static void fmt_ef(char *out, size_t len, const creport_cell *c, const char *dash)
{
	if (c->v.state == CREPORT_NOT_PROBED)
		snprintf(out, len, "%s", dash);
	else if (c->v.state == CREPORT_NA)
		snprintf(out, len, "n/a");
	else if (isnan(c->expected_false))
		snprintf(out, len, "%s", dash);
	else
		creport_fmt_expected(out, len, c->expected_false);
}

/* ------------------------------------------------------------------ */
/* Provenance: which filter produced which number                      */

static int put_options_text(cbuf *b, json_t *opt, int (*esc)(cbuf *, const char *))
{
	const char *key;
	json_t *v;
	int rc = 0, first = 1;
	json_object_foreach(opt, key, v) {
		if (json_is_array(v) && !json_array_size(v))
			continue;
		if (json_is_null(v) || json_is_false(v))
			continue;
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6));
		if (!s)
			return CONTAM_E_NOMEM;
		rc |= cbuf_printf(b, "%s", first ? "" : ", ");
		rc |= esc(b, key);
		rc |= cbuf_printf(b, "=");
		rc |= esc(b, s);
		free(s);
		first = 0;
	}
	return rc;
}

/* The suite file's hash when the report has one (probe --suite). */
static const char *suite_hash(json_t *r)
{
	const char *s = json_string_value(json_object_get(r, "suite_sha256"));
	if (!s)
		s = json_string_value(json_object_get(json_object_get(r, "suite"), "sha256"));
	if (!s)
		s = json_string_value(json_object_get(json_object_get(r, "options"), "suite_sha256"));
	return s;
}

/* One line per report of each corpus: file, index, inputs, recipe, n,
 * the probe's options, the suite's hash.  `esc` escapes for the format;
 * pre/post wrap each line (list items, \item). */
/* "; NOT INDEXED: 1 damaged_records, ..." from a probe report's
 * index.unread, when anything was left unread: a table's rates do not
 * cover it, and its provenance says so. */
static int put_unread_text(cbuf *b, json_t *unread, const char *sep,
			   int (*esc)(cbuf *, const char *))
{
	char num[96];
	int rc = 0;
	const char *key;
	json_t *v;
	json_object_foreach(unread, key, v) {
		json_t *inner = json_is_object(v) ? v : NULL;
		const char *k2;
		json_t *v2;
		if (!strcmp(key, "inputs_with_problems"))
			continue;
		if (inner) {
			json_object_foreach(inner, k2, v2) {
				if (json_integer_value(v2) <= 0)
					continue;
				snprintf(num, sizeof num, "%s%" JSON_INTEGER_FORMAT
					 " files skipped (%s)", sep, json_integer_value(v2), k2);
				rc |= esc(b, num);
				sep = ", ";
			}
			continue;
		}
		if (json_integer_value(v) <= 0)
			continue;
		/* read, but not as what it says: not "not indexed"
		 * (key itself must stay: the loop steps from it) */
		const char *what = strcmp(key, "not_utf8_bytes") ? key
				   : "bytes not UTF-8 (read as word separators)";
		snprintf(num, sizeof num, "%s%" JSON_INTEGER_FORMAT " %s", sep,
			 json_integer_value(v), what);
		rc |= esc(b, num);
		sep = ", ";
	}
	return rc;
}

/* Whether a report's index left anything unread (index.unread). */
static int has_unread(json_t *r)
{
	cbuf tmp = CBUF_INIT;
	put_unread_text(&tmp, json_object_get(json_object_get(r, "index"), "unread"),
			"", creport_csv_field);
	int any = tmp.len > 0;
	cbuf_release(&tmp);
	return any;
}

static int plain_text(cbuf *b, const char *s)
{
	return cbuf_append(b, s, strlen(s));
}

/* "not indexed: 3 damaged_records, ..." of report r into b (nothing when
 * its index read everything): for the formats whose rows travel alone
 * (CSV, CONDA), every row carries it. */
static int unread_clause(cbuf *b, json_t *r, const char *sep)
{
	if (!has_unread(r))
		return 0;
	int rc = cbuf_printf(b, "%snot indexed", sep);
	rc |= put_unread_text(b, json_object_get(json_object_get(r, "index"), "unread"),
			      ": ", plain_text);
	return rc | cbuf_printf(b, " (the rate does not cover them)");
}

/* "N of M examples too short to score; field 'x' missing in K records"
 * of one benchmark row into b (nothing when all were scored and read):
 * its rates' n counts examples that could not be contaminated. */
static int unscored_clause(cbuf *b, const creport_row *row)
{
	json_int_t ts = json_integer_value(json_object_get(row->bench, "too_short"));
	json_t *mf = json_object_get(row->bench, "missing_fields");
	json_int_t recs = json_integer_value(json_object_get(row->bench, "records"));
	int rc = 0;
	const char *sep = "";
	if (ts > 0) {
		rc |= cbuf_printf(b, "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
				  " examples too short to score (too_short: in n, never "
				  "contaminated)", ts, row_examples(row));
		sep = "; ";
	}
	const char *k;
	json_t *v;
	json_object_foreach(mf, k, v) {
		if (json_integer_value(v) <= 0)
			continue;
		rc |= cbuf_printf(b, "%sfield '%s' missing in %" JSON_INTEGER_FORMAT " of %"
				  JSON_INTEGER_FORMAT " records", sep, k, json_integer_value(v), recs);
		sep = "; ";
	}
	return rc;
}

/* Under every table: per benchmark (once for all corpora that read it
 * alike) what its rates' n holds but nothing scored. */
static int render_unscored(cbuf *b, const creport_table *t,
			   int (*esc)(cbuf *, const char *), const char *head,
			   const char *pre, const char *post, const char *tail)
{
	int rc = 0, any = 0;
	for (size_t k = 0; k < t->nbench; k++) {
		cbuf said = CBUF_INIT;
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_row *row = creport_row_at(t, c, k);
			if (!row->bench)
				continue;
			cbuf cl = CBUF_INIT;
			rc |= unscored_clause(&cl, row);
			if (cl.len && !(said.len && !strcmp(said.data, cl.data))) {
				rc |= cbuf_printf(b, "%s%s", any ? "" : head, pre);
				any = 1;
				rc |= esc(b, t->bench[k]);
				if (t->ncorpora > 1) {
					rc |= esc(b, " (");
					rc |= esc(b, t->corpora[c].label);
					rc |= esc(b, ")");
				}
				rc |= esc(b, ": ");
				rc |= esc(b, cl.data);
				rc |= cbuf_printf(b, "%s", post);
				cbuf_reset(&said);
				rc |= cbuf_append(&said, cl.data, cl.len + 1);
			}
			cbuf_release(&cl);
		}
		cbuf_release(&said);
	}
	return rc | (any ? cbuf_printf(b, "%s", tail) : 0);
}

/* Under every table, with or without --provenance: per corpus whose
 * index left inputs unread, what was not read (never a silent clean). */
static int render_unread(cbuf *b, const creport_table *t,
			 int (*esc)(cbuf *, const char *), const char *head,
			 const char *pre, const char *post, const char *tail)
{
	int rc = 0, any = 0;
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->corpora[c].nreports; k++) {
			json_t *r = t->reports[t->corpora[c].reports[k]];
			if (!has_unread(r))
				continue;
			/* reports of one index merged into a column say it once */
			json_t *ix = json_object_get(r, "index");
			int said = 0;
			for (size_t j = 0; j < k && !said; j++) {
				json_t *o = json_object_get(t->reports[t->corpora[c].reports[j]],
							    "index");
				said = json_equal(json_object_get(o, "path"), json_object_get(ix, "path")) &&
				       json_equal(json_object_get(o, "unread"), json_object_get(ix, "unread"));
			}
			if (said)
				continue;
			rc |= cbuf_printf(b, "%s%s", any ? "" : head, pre);
			any = 1;
			rc |= esc(b, t->corpora[c].label);
			rc |= put_unread_text(b, json_object_get(json_object_get(r, "index"),
						"unread"), ": ", esc);
			rc |= esc(b, " (contam info lists them)");
			rc |= cbuf_printf(b, "%s", post);
		}
	return rc | (any ? cbuf_printf(b, "%s", tail) : 0);
}

static int render_provenance(cbuf *b, const creport_table *t,
			     int (*esc)(cbuf *, const char *), const char *head,
			     const char *pre, const char *post, const char *tail)
{
	int rc = cbuf_printf(b, "%s", head);
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->corpora[c].nreports; k++) {
			size_t ri = t->corpora[c].reports[k];
			json_t *r = t->reports[ri];
			json_t *ix = json_object_get(r, "index");
			char num[64];
			rc |= cbuf_printf(b, "%s", pre);
			rc |= esc(b, t->corpora[c].label);
			rc |= cbuf_printf(b, ": report ");
			rc |= esc(b, t->paths ? t->paths[ri] : "?");
			rc |= cbuf_printf(b, "; index ");
			rc |= esc(b, str_or(json_string_value(json_object_get(ix, "path")), "(exact scan)"));
			if (json_object_get(ix, "inputs_digest")) {
				snprintf(num, sizeof num, "; inputs %" JSON_INTEGER_FORMAT ", digest ",
					 json_integer_value(json_object_get(ix, "inputs")));
				rc |= esc(b, num);
				rc |= esc(b, json_string_value(json_object_get(ix, "inputs_digest")));
			} else {
				rc |= esc(b, "; inputs digest not recorded");
			}
			rc |= put_unread_text(b, json_object_get(ix, "unread"),
					      "; NOT INDEXED: ", esc);
			rc |= cbuf_printf(b, "; recipe ");
			rc |= esc(b, json_string_value(json_object_get(ix, "recipe")));
			snprintf(num, sizeof num, "; n %" JSON_INTEGER_FORMAT "; fpr %.3g; min_span %"
				 JSON_INTEGER_FORMAT, json_integer_value(json_object_get(ix, "ngram")),
				 creport_num(json_object_get(ix, "fpr")),
				 json_integer_value(json_object_get(ix, "min_span")));
			rc |= esc(b, num);
			if (json_object_get(ix, "seed")) {
				rc |= esc(b, "; seed ");
				rc |= esc(b, json_string_value(json_object_get(ix, "seed")));
				snprintf(num, sizeof num, "; winnow %" JSON_INTEGER_FORMAT,
					 json_integer_value(json_object_get(ix, "winnow")));
				rc |= esc(b, num);
			}
			/* probe --near-dup: the minhash section behind its columns */
			json_t *mh = json_object_get(ix, "minhash");
			if (mh) {
				snprintf(num, sizeof num, "; minhash b %" JSON_INTEGER_FORMAT
					 ", r %" JSON_INTEGER_FORMAT ", shingle %" JSON_INTEGER_FORMAT
					 ", band fpr %.3g",
					 json_integer_value(json_object_get(mh, "bands")),
					 json_integer_value(json_object_get(mh, "rows")),
					 json_integer_value(json_object_get(mh, "shingle")),
					 creport_num(json_object_get(mh, "band_fpr")));
				rc |= esc(b, num);
			}
			json_t *opt = json_object_get(r, "options");
			if (opt) {
				rc |= cbuf_printf(b, "; options ");
				rc |= put_options_text(b, opt, esc);
			} else {
				rc |= esc(b, "; options not recorded");
			}
			/* exact metrics: a --confirm report, or a scan's */
			json_t *conf = json_object_get(r, "confirm");
			json_t *scan = json_object_get(r, "scan");
			if (conf) {
				snprintf(num, sizeof num, "; --confirm: %" JSON_INTEGER_FORMAT
					 " flags scanned exactly, %" JSON_INTEGER_FORMAT " overturned",
					 json_integer_value(json_object_get(conf, "flagged")),
					 json_integer_value(json_object_get(conf, "overturned")));
				rc |= esc(b, num);
			} else if (scan) {
				snprintf(num, sizeof num, "; exact scan of %" JSON_INTEGER_FORMAT
					 " files, %" JSON_INTEGER_FORMAT " documents",
					 json_integer_value(json_object_get(scan, "files")),
					 json_integer_value(json_object_get(scan, "documents")));
				rc |= esc(b, num);
			}
			const char *sh = suite_hash(r);
			if (sh) {
				rc |= cbuf_printf(b, "; suite sha256 ");
				rc |= esc(b, sh);
			}
			const char *sp = json_string_value(json_object_get(
				json_object_get(r, "suite"), "split"));
			if (sp) {
				rc |= cbuf_printf(b, " --split ");
				rc |= esc(b, sp);
			}
			rc |= cbuf_printf(b, "; contam ");
			rc |= esc(b, str_or(json_string_value(json_object_get(
				json_object_get(r, "tool"), "version")), "?"));
			rc |= cbuf_printf(b, "%s", post);
		}
	return rc | cbuf_printf(b, "%s", tail);
}

int creport_unread_html(cbuf *b, const creport_table *t)
{
	int urc = render_unscored(b, t, creport_html_escape, "",
				  "<p class=\"note\"><b>Not scored</b>, ", "</p>\n", "");
	return urc | render_unread(b, t, creport_html_escape, "", "<p class=\"note\"><b>Not indexed or misread</b>, ",
			     " &mdash; the rates do not cover it.</p>\n", "");
}

int creport_provenance_html(cbuf *b, const creport_table *t)
{
	return render_provenance(b, t, creport_html_escape, "<h2>Provenance</h2>"
				 "<ul class=\"note\">\n", "<li>", "</li>\n", "</ul>\n");
}

/* ------------------------------------------------------------------ */
/* Markdown                                                            */

static int md_esc(cbuf *b, const char *s)
{
	return md_cell(b, s);
}

/* benchmark x corpus grid of measure m */
static int md_grid(cbuf *b, const creport_table *t, size_t m)
{
	char cell[160];
	int rc = cbuf_printf(b, "%s%s; count (rate %% [95%% Wilson interval]), "
			     "benchmark x corpus:\n\n| benchmark | n |",
			     b->len ? "\n" : "", CREPORT_MEASURES[m].rule);
	for (size_t c = 0; c < t->ncorpora; c++) {
		rc |= cbuf_printf(b, " ");
		rc |= md_cell(b, t->corpora[c].label);
		rc |= cbuf_printf(b, " |");
	}
	rc |= cbuf_printf(b, "\n|---|---:|");
	for (size_t c = 0; c < t->ncorpora; c++)
		rc |= cbuf_printf(b, "---:|");
	rc |= cbuf_printf(b, "\n");
	for (size_t k = 0; k < t->nbench; k++) {
		double n = grid_n(t, k, m);
		rc |= cbuf_printf(b, "| ");
		rc |= md_cell(b, t->bench[k]);
		if (n >= 0)
			rc |= cbuf_printf(b, " | %.0f |", n);
		else
			rc |= cbuf_printf(b, " | - |");
		for (size_t c = 0; c < t->ncorpora; c++) {
			fmt_count_rate(cell, sizeof cell, &creport_row_at(t, c, k)->cells[m].v,
				       "%", "-", n < 0);
			rc |= cbuf_printf(b, " %s |", cell);
		}
		rc |= cbuf_printf(b, "\n");
	}
	return rc;
}

/* One row per corpus x benchmark x measure: the measure with its own
 * expected false verdicts and null control. */
static int md_details(cbuf *b, const creport_table *t, unsigned mask)
{
	char cell[160];
	int rc = cbuf_printf(b, "\nPer definition: count, n, rate [95%% Wilson interval], "
			     "expected false verdicts and null control of that same "
			     "definition:\n\n| corpus | benchmark | definition | count | n | "
			     "rate %% [95%% CI] | expected false | null control %% [95%% CI] |\n"
			     "|---|---|---|---:|---:|---:|---:|---:|\n");
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			if (!row->bench)
				continue;
			for (size_t m = 0; m < CREPORT_NMAIN; m++) {
				const creport_cell *ce = &row->cells[m];
				if (!(mask & 1u << m) || ce->v.state == CREPORT_NOT_PROBED)
					continue;
				rc |= cbuf_printf(b, "| ");
				rc |= md_cell(b, t->corpora[c].label);
				rc |= cbuf_printf(b, " | ");
				rc |= md_cell(b, t->bench[k]);
				rc |= cbuf_printf(b, " | %s | ", CREPORT_MEASURES[m].title);
				creport_fmt_count(cell, sizeof cell, &ce->v, "-");
				rc |= cbuf_printf(b, "%s | ", cell);
				if (ce->v.state == CREPORT_VALUE)
					rc |= cbuf_printf(b, "%.0f | ", ce->v.n);
				else
					rc |= cbuf_printf(b, "n/a | ");
				creport_fmt_rate(cell, sizeof cell, &ce->v, "", "-");
				rc |= cbuf_printf(b, "%s | ", cell);
				fmt_ef(cell, sizeof cell, ce, "-");
				rc |= cbuf_printf(b, "%s | ", cell);
				creport_fmt_rate(cell, sizeof cell, &ce->null, "", "-");
				rc |= cbuf_printf(b, "%s |\n", cell);
			}
		}
	return rc;
}

static int render_md(cbuf *b, const creport_table *t, const creport_render_opts *o)
{
	char cell[160];
	int rc = 0;
	/* near-dup columns only when a report has them */
	const unsigned summary = MAIN_SUMMARY | creport_near_dup_shown(t);
	unsigned mask = shown_measures(o, summary);
	if (!o || !o->measures) {
		rc |= cbuf_printf(b, "| corpus | benchmark | examples |");
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (summary & 1u << m)
				rc |= cbuf_printf(b, " %s |", CREPORT_MEASURES[m].title);
		rc |= cbuf_printf(b, "\n|---|---|---:|");
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (summary & 1u << m)
				rc |= cbuf_printf(b, "---:|");
		rc |= cbuf_printf(b, "\n");
		for (size_t c = 0; c < t->ncorpora; c++)
			for (size_t k = 0; k < t->nbench; k++) {
				const creport_row *row = creport_row_at(t, c, k);
				if (!row->bench)
					continue;
				rc |= cbuf_printf(b, "| ");
				rc |= md_cell(b, t->corpora[c].label);
				rc |= cbuf_printf(b, " | ");
				rc |= md_cell(b, t->bench[k]);
				rc |= cbuf_printf(b, " | %" JSON_INTEGER_FORMAT " |", row_examples(row));
				for (size_t m = 0; m < CREPORT_NMAIN; m++) {
					if (!(summary & 1u << m))
						continue;
					fmt_count_rate(cell, sizeof cell, &row->cells[m].v, "%", "-", false);
					rc |= cbuf_printf(b, " %s |", cell);
				}
				rc |= cbuf_printf(b, "\n");
			}
		rc |= md_details(b, t, mask);
		if (t->ncorpora > 1)
			rc |= md_grid(b, t, CM_CONTAMINATED);
	} else {
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (mask & 1u << m)
				rc |= md_grid(b, t, m);
		rc |= md_details(b, t, mask);
	}
	rc |= cbuf_printf(b, "\nCells: count (rate in %% of examples [95%% Wilson interval]). "
			  "contaminated: token coverage >= 80%% by matched spans; partial: "
			  "20%% <= coverage < 80%% (partial only); partial+: coverage >= 20%% "
			  "(partial or contaminated; the report's \"flagged\"). Expected false: "
			  "verdicts of that definition the index's false-positive rate alone "
			  "could explain (an upper bound; none for partial only: see partial+). "
			  "Null control: the same definition on token-shuffled copies "
			  "(--null-control). n/a: not computable from this index; -: not probed.\n");
	/* the rule of each report (near_dup.min_bands; none: any band) */
	json_int_t nb_lo = 0, nb_hi = 0;
	for (size_t c = 0; t->near_dup && c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			json_t *nd = row->bench ? json_object_get(row->bench, "near_dup") : NULL;
			if (!json_is_object(nd))
				continue;
			json_t *mb = json_object_get(nd, "min_bands");
			json_int_t v = json_is_integer(mb) && json_integer_value(mb) > 1
				       ? json_integer_value(mb) : 1;
			nb_lo = nb_lo && nb_lo < v ? nb_lo : v;
			nb_hi = nb_hi > v ? nb_hi : v;
		}
	if (t->near_dup && nb_hi <= 1)
		rc |= cbuf_printf(b, "\nnear-dup (probe --near-dup): some MinHash band of the "
				  "example matched a corpus window, in %% of the examples with a "
				  "signature (those without a shingle are counted apart); near-dup "
				  "only: near-dup and not contaminated by n-grams, what near-dup "
				  "adds. Expected false: near-dups the bands' false-positive rate "
				  "alone could explain.\n");
	else if (t->near_dup) {
		char rule[64];
		if (nb_lo == nb_hi)
			snprintf(rule, sizeof rule, "%" JSON_INTEGER_FORMAT, nb_hi);
		else
			snprintf(rule, sizeof rule, "%" JSON_INTEGER_FORMAT " to %"
				 JSON_INTEGER_FORMAT " (each report's near_dup.min_bands)",
				 nb_lo, nb_hi);
		rc |= cbuf_printf(b, "\nnear-dup (probe --near-dup --near-dup-bands): at least "
				  "%s of the example's MinHash bands matched corpus windows, in "
				  "%% of the examples with a signature (those without a shingle "
				  "are counted apart); near-dup only: near-dup and not "
				  "contaminated by n-grams, what near-dup adds. Expected false: "
				  "near-dups the bands' false-positive rate alone could explain "
				  "under that rule.\n", rule);
	}
	/* examples with no shingle were not checked: named, never clean */
	for (size_t c = 0; t->near_dup && c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			json_t *nd = row->bench ? json_object_get(row->bench, "near_dup") : NULL;
			json_int_t u = json_integer_value(json_object_get(nd, "unscored"));
			if (u <= 0)
				continue;
			rc |= cbuf_printf(b, "\nnear-dup unscored (no shingle inside a sentence: "
					  "not checked), ");
			rc |= md_cell(b, t->corpora[c].label);
			rc |= cbuf_printf(b, " / ");
			rc |= md_cell(b, t->bench[k]);
			rc |= cbuf_printf(b, ": %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
					  " examples.\n", u, row_examples(row));
		}
	/* the verdicts that rest on a single band (weak evidence), or at
	 * min_bands > 1 the examples that rule left out */
	for (size_t c = 0; t->near_dup && c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			json_t *nd = row->bench ? json_object_get(row->bench, "near_dup") : NULL;
			json_t *ob = json_object_get(nd, "near_dup_one_band");
			json_int_t one = json_integer_value(json_object_get(ob, "count"));
			json_int_t sc = json_integer_value(json_object_get(nd, "scored"));
			json_t *mb = json_object_get(nd, "min_bands");
			if (one <= 0)
				continue;
			rc |= cbuf_printf(b, "\nnear-dup on exactly one band, ");
			rc |= md_cell(b, t->corpora[c].label);
			rc |= cbuf_printf(b, " / ");
			rc |= md_cell(b, t->bench[k]);
			rc |= cbuf_printf(b, ": %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
					  " scored examples (%s).\n", one, sc,
					  json_integer_value(mb) > 1 ? "not near-dup under this rule"
					  : "near-dup on that band alone; weak evidence");
		}
	rc |= render_unscored(b, t, md_esc, "\nNot scored (counted in n, never contaminated):\n\n",
			       "- ", "\n", "");
	rc |= render_unread(b, t, md_esc, "\nNot indexed or misread (the rates do not cover it):\n\n",
			    "- ", "\n", "");
	if (o && o->provenance)
		rc |= render_provenance(b, t, md_esc, "\nProvenance:\n\n", "- ", "\n", "");
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* LaTeX (booktabs, tabularx): tables a two-column paper can print      */

/* Escaped, with break points after _ / - + , ; : ) and before ( . so
 * that long benchmark and corpus names wrap inside their column instead of
 * overfilling it (TeX hyphenates only runs of letters: "(sample+planted)"
 * had no break after "sam-").  In a corpus label (split_words), a run of
 * more than 6 ASCII letters or digits gets a discretionary hyphen after
 * every 6, so that no word is wider than the 4.6em corpus column
 * ("OpenWebText2019"). */
static bool latex_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int latex_breakable(cbuf *b, const char *s, bool split_words)
{
	int rc = 0;
	char one[2] = { 0, 0 };
	int run = 0; /* alnum characters since the last break point */
	for (const char *p = s; p && *p; p++) {
		if (*p == '(' && p != s && p[-1] != ' ')
			rc |= cbuf_printf(b, "\\allowbreak\\hspace{0pt}");
		one[0] = *p;
		rc |= creport_latex_escape(b, one);
		run = latex_alnum(*p) ? run + 1 : 0;
		/* \\hspace{0pt}: the next word may be hyphenated too */
		if ((*p == '_' || *p == '/' || *p == '-' || *p == '+' || *p == ',' ||
		     *p == ';' || *p == ':' || *p == ')' ||
		     (*p == '.' && !(p[1] >= '0' && p[1] <= '9'))) && p[1] && p[1] != ' ') {
			rc |= cbuf_printf(b, "\\allowbreak\\hspace{0pt}");
		} else if (split_words && run >= 6 && latex_alnum(p[1]) && latex_alnum(p[2]) &&
			   latex_alnum(p[3])) {
			rc |= cbuf_printf(b, "\\-"); /* keeps 3 after it */
			run = 0;
		}
	}
	return rc;
}

/* Provenance text for LaTeX: escaped, with a break point after '/' and
 * inside every run of 8+ letters and digits (after each 8), so that a
 * 64-digit sha256 or a long path wraps in a column instead of overfilling
 * it by 65 pt; no hyphen is added, the digits read as they are.  "--"
 * stays two hyphens. */
static int latex_prov_esc(cbuf *b, const char *s)
{
	int rc = 0;
	char one[2] = { 0, 0 };
	int run = 0;
	for (const char *p = s; p && *p; p++) {
		one[0] = *p;
		rc |= creport_latex_escape(b, one);
		if (*p == '-' && p[1] == '-')
			rc |= cbuf_printf(b, "{}"); /* "--confirm", not an en dash */
		run = latex_alnum(*p) ? run + 1 : 0;
		if (p[1] && ((*p == '/' && p[1] != ' ') ||
			     (run >= 8 && latex_alnum(p[1]) && latex_alnum(p[2])))) {
			rc |= cbuf_printf(b, "\\allowbreak{}");
			run = 0;
		}
	}
	return rc;
}

/* A rule's text: >= and <= as math, the rest escaped. */
static int latex_rule(cbuf *b, const char *s)
{
	int rc = 0;
	char one[2] = { 0, 0 };
	for (; *s; s++) {
		if ((s[0] == '>' || s[0] == '<') && s[1] == '=') {
			rc |= cbuf_printf(b, "$\\%s$", s[0] == '>' ? "geq" : "leq");
			s++;
		} else if (*s == '<' || *s == '>') {
			rc |= cbuf_printf(b, "$%c$", *s);
		} else {
			one[0] = *s;
			rc |= creport_latex_escape(b, one);
		}
	}
	return rc;
}

/* A rate and its interval at d decimals (the column's). */
static int latex_rate(cbuf *b, const creport_rate_v *v, int d)
{
	if (v->state == CREPORT_NOT_PROBED)
		return cbuf_printf(b, "--");
	if (v->state != CREPORT_VALUE || isnan(v->rate))
		return cbuf_printf(b, "n/a");
	return cbuf_printf(b, "%.*f", d, 100 * v->rate);
}

static int latex_ci(cbuf *b, const creport_rate_v *v, int d)
{
	if (v->state != CREPORT_VALUE || isnan(v->rate))
		return 0;
	return cbuf_printf(b, "[%.*f, %.*f]", d, 100 * v->lo, d, 100 * v->hi);
}

/* A paper's column reads best with one number of decimals: the most
 * any of its cells needs (creport_decimals: enough that an interval's
 * ends never print as its rate), over every row of the grid, so that
 * the parts of a split table agree too. */
static int latex_column_decimals(const creport_table *t, size_t c, size_t m)
{
	int d = -1;
	for (size_t k = 0; k < t->nbench; k++) {
		const creport_cell *ce = &creport_row_at(t, c, k)->cells[m];
		if (ce->v.state == CREPORT_VALUE && !isnan(ce->v.rate)) {
			int cd = creport_decimals(&ce->v);
			if (cd > d)
				d = cd;
		}
	}
	return d;
}

/* The count, as k or k/n when the row's n differs between corpora. */
static int latex_count(cbuf *b, const creport_rate_v *v, bool with_n)
{
	if (v->state != CREPORT_VALUE)
		return 0;
	if (with_n)
		return cbuf_printf(b, "%.0f/%.0f", v->count, v->n);
	return cbuf_printf(b, "%.0f", v->count);
}

static int latex_head(cbuf *b, const creport_table *t, size_t m, bool wide)
{
	int rc = cbuf_printf(b, "%% contam report; needs \\usepackage{booktabs,tabularx}\n"
			     "\\begin{table%s}[t]\n\\centering\n\\%s\n"
			     "\\setlength{\\tabcolsep}{%s}\n"
			     /* \\hspace{0pt}: a name's first word may be hyphenated */
			     "\\begin{tabularx}{\\%s}{@{}>{\\raggedright\\arraybackslash\\hspace{0pt}}Xr",
			     wide ? "*" : "",
			     /* 4 corpora and more: smaller, so that names keep room */
			     t->ncorpora > 3 ? "scriptsize" : "footnotesize",
			     wide ? "3pt" : "2.5pt", wide ? "textwidth" : "columnwidth");
	for (size_t c = 0; c < t->ncorpora; c++)
		rc |= cbuf_printf(b, wide ? "rr" : "r");
	rc |= cbuf_printf(b, "@{}}\n\\toprule\n");
	if (wide) {
		rc |= cbuf_printf(b, " & ");
		for (size_t c = 0; c < t->ncorpora; c++) {
			rc |= cbuf_printf(b, " & \\multicolumn{2}{c}{\\parbox[b]{7em}{\\centering ");
			rc |= latex_breakable(b, t->corpora[c].label, true);
			rc |= cbuf_printf(b, "}}");
		}
		rc |= cbuf_printf(b, " \\\\\n");
		for (size_t c = 0; c < t->ncorpora; c++)
			rc |= cbuf_printf(b, "\\cmidrule(l){%zu-%zu}", 3 + 2 * c, 4 + 2 * c);
		rc |= cbuf_printf(b, "\nBenchmark & $N$");
		for (size_t c = 0; c < t->ncorpora; c++)
			rc |= cbuf_printf(b, " & $k$ (\\%%) & E[f]");
		rc |= cbuf_printf(b, " \\\\\n\\midrule\n");
	} else {
		rc |= cbuf_printf(b, "Benchmark & $N$");
		for (size_t c = 0; c < t->ncorpora; c++) {
			rc |= cbuf_printf(b, " & \\parbox[b]{4.6em}{\\raggedleft ");
			rc |= latex_breakable(b, t->corpora[c].label, true);
			rc |= cbuf_printf(b, "}");
		}
		rc |= cbuf_printf(b, " \\\\\n\\midrule\n");
	}
	(void)m;
	return rc;
}

static int render_latex_part(cbuf *b, const creport_table *t, size_t m, bool wide,
			     size_t from, size_t to, size_t part)
{
	const creport_measure_info *mi = &CREPORT_MEASURES[m];
	int *dec = malloc((t->ncorpora ? t->ncorpora : 1) * sizeof(*dec));
	if (!dec)
		return CONTAM_E_NOMEM;
	for (size_t c = 0; c < t->ncorpora; c++)
		dec[c] = latex_column_decimals(t, c, m);
	int rc = latex_head(b, t, m, wide);
	for (size_t k = from; k < to; k++) {
		double n = grid_n(t, k, m);
		rc |= latex_breakable(b, t->bench[k], false);
		if (n >= 0)
			rc |= cbuf_printf(b, " & %.0f", n);
		else
			rc |= cbuf_printf(b, " & --");
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_cell *ce = &creport_row_at(t, c, k)->cells[m];
			int d = dec[c];
			if (ce->v.state != CREPORT_VALUE) {
				rc |= cbuf_printf(b, " & ");
				rc |= latex_rate(b, &ce->v, d);
			} else {
				/* two lines: count and rate, then the interval; a
				 * [t] tabular keeps the first on the row's baseline,
				 * beside the benchmark's name */
				rc |= cbuf_printf(b, " & \\begin{tabular}[t]{@{}r@{}}");
				rc |= latex_count(b, &ce->v, n < 0);
				rc |= cbuf_printf(b, " (");
				rc |= latex_rate(b, &ce->v, d);
				rc |= cbuf_printf(b, ")\\\\{\\scriptsize ");
				rc |= latex_ci(b, &ce->v, d);
				rc |= cbuf_printf(b, "}\\end{tabular}");
			}
			if (wide) { /* the expected false verdicts of this measure */
				char ef[32];
				fmt_ef(ef, sizeof ef, ce, "--");
				rc |= cbuf_printf(b, " & %s%s%s", ef[0] == '<' ? "$" : "", ef,
						  ef[0] == '<' ? "$" : "");
			}
		}
		rc |= cbuf_printf(b, " \\\\\n");
	}
	rc |= cbuf_printf(b, "\\bottomrule\n\\end{tabularx}\n\\caption{");
	rc |= latex_rule(b, mi->rule);
	if (from > 0) {
		rc |= cbuf_printf(b, " (continued).}\n");
	} else {
		rc |= cbuf_printf(b, ". Count (\\%%), below it the 95\\%% Wilson interval%s, "
				  "of $N$ examples; n/a: not computable from the index; "
				  "--: not probed.}\n",
				  wide ? "; E[f]: verdicts the index's false positives "
					 "could explain" : "");
	}
	rc |= cbuf_printf(b, "\\label{tab:contam-");
	for (const char *p = mi->def; *p; p++)
		rc |= cbuf_putc(b, *p);
	rc |= cbuf_putc(b, '-');
	for (const char *p = mi->measure; *p; p++)
		rc |= cbuf_putc(b, *p == '+' ? 'p' : *p == '_' ? '-' : *p);
	if (from > 0)
		rc |= cbuf_printf(b, "-%zu", part + 1);
	rc |= cbuf_printf(b, "}\n\\end{table%s}\n", wide ? "*" : "");
	free(dec);
	return rc;
}

/* A row's height in pt, estimated: the two-line cells, or the name's
 * lines where it wraps in the X column (what is left of the width). */
static double latex_row_pt(const creport_table *t, size_t k, bool wide)
{
	bool small = t->ncorpora > 3;
	double ch = small ? 4.6 : 5.6, line = small ? 8 : 9.5; /* ragged lines waste some */
	double x = (wide ? 505 : 241) - 24 - (double)t->ncorpora * (wide ? 70 : 47);
	if (x < 30)
		x = 30;
	double lines = ceil((double)strlen(t->bench[k]) * ch / x);
	return fmax(2 * line, lines * line) + 5;
}

static int render_latex_table(cbuf *b, const creport_table *t, size_t m, bool wide)
{
	int rc = 0;
	/* a float taller than the page is not printed where it belongs: a
	 * long grid is split into "(continued)" tables of about 450 pt of
	 * rows each (a column or page of about 550 pt, less the header and
	 * the caption) */
	double total = 0;
	for (size_t k = 0; k < t->nbench; k++)
		total += latex_row_pt(t, k, wide);
	size_t parts = (size_t)ceil(total / 430);
	if (parts < 1)
		parts = 1;
	/* parts of about equal height: 20 rows are 10 + 10, not 19 + 1 */
	double per = total / (double)parts, h = 0;
	size_t from = 0, part = 0;
	for (size_t k = 0; k < t->nbench; k++) {
		h += latex_row_pt(t, k, wide);
		if (k + 1 == t->nbench || (h >= per * (double)(part + 1) && part + 1 < parts)) {
			rc |= cbuf_printf(b, "%s", part ? "\n" : "");
			rc |= render_latex_part(b, t, m, wide, from, k + 1, part++);
			from = k + 1;
		}
	}
	if (!t->nbench)
		rc |= render_latex_part(b, t, m, wide, 0, 0, 0);
	return rc;
}

static int render_latex(cbuf *b, const creport_table *t, const creport_render_opts *o)
{
	unsigned mask = shown_measures(o, 1u << CM_CONTAMINATED |
				       (t->near_dup ? 1u << CM_NEAR_DUP : 0));
	int rc = 0, first = 1;
	for (size_t m = 0; m < CREPORT_NMAIN; m++) {
		if (!(mask & 1u << m))
			continue;
		rc |= cbuf_printf(b, "%s", first ? "" : "\n");
		rc |= render_latex_table(b, t, m, o && o->latex_wide);
		first = 0;
	}
	rc |= render_unscored(b, t, latex_prov_esc,
			      "\n%% not scored: counted in n, never contaminated\n"
			      "\\begin{itemize}\\footnotesize\\raggedright\n", "\\item Not scored, ",
			      "\n", "\\end{itemize}\n");
	rc |= render_unread(b, t, latex_prov_esc,
			    "\n%% not indexed or misread: the rates do not cover it\n"
			    "\\begin{itemize}\\footnotesize\\raggedright\n", "\\item Not indexed or misread, ",
			    "\n", "\\end{itemize}\n");
	if (o && o->provenance)
		rc |= render_provenance(b, t, latex_prov_esc,
					"\n%% provenance: which filter produced which number\n"
					"\\begin{itemize}\\footnotesize\\raggedright\n", "\\item ", "\n",
					"\\end{itemize}\n");
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* CSV: one row per corpus x benchmark x definition x measure          */

static int csv_num(cbuf *b, double v)
{
	if (isnan(v))
		return cbuf_putc(b, ',');
	return cbuf_printf(b, ",%.6g", v);
}

static int csv_rate(cbuf *b, const creport_rate_v *v)
{
	if (v->state != CREPORT_VALUE)
		return cbuf_printf(b, ",,,,,");
	int rc = csv_num(b, v->count);
	rc |= csv_num(b, v->n);
	rc |= csv_num(b, v->rate);
	rc |= csv_num(b, v->lo);
	return rc | csv_num(b, v->hi);
}

static int render_csv(cbuf *b, const creport_table *t, const creport_render_opts *o)
{
	int rc = cbuf_printf(b, "corpus,benchmark,definition,measure,available,"
			     "count,n,rate,ci95_low,ci95_high,expected_false,note,"
			     "null_count,null_n,null_rate,null_ci95_low,null_ci95_high\r\n");
	unsigned mask = shown_measures(o, ~(1u << CM_ANY));
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			if (!row->bench)
				continue;
			for (size_t m = 0; m < CREPORT_NMEASURES; m++) {
				const creport_cell *ce = &row->cells[m];
				/* --definition picks the rate rows; the others stay */
				if (m < CREPORT_NMAIN && !(mask & 1u << m))
					continue;
				if (ce->v.state == CREPORT_NOT_PROBED)
					continue;
				rc |= creport_csv_field(b, t->corpora[c].label);
				rc |= cbuf_putc(b, ',');
				rc |= creport_csv_field(b, t->bench[k]);
				/* available false: the index cannot tell it */
				rc |= cbuf_printf(b, ",%s,%s,%s", CREPORT_MEASURES[m].def,
						  CREPORT_MEASURES[m].measure,
						  ce->v.state == CREPORT_NA && ce->why ? "false" : "true");
				if (m == CM_LONGEST) /* a length, not a rate */
					rc |= csv_num(b, ce->v.count), rc |= cbuf_printf(b, ",,,,");
				else
					rc |= csv_rate(b, &ce->v);
				rc |= csv_num(b, ce->v.state == CREPORT_VALUE ? ce->expected_false : NAN);
				rc |= cbuf_putc(b, ',');
				json_t *d = json_object_get(json_object_get(row->bench, "definitions"),
							    CREPORT_MEASURES[m].def);
				const char *note = json_string_value(json_object_get(d, "approximation"));
				/* near-dup: the examples without a shingle, not checked */
				char ndnote[128];
				json_int_t u = json_integer_value(json_object_get(
					json_object_get(row->bench, "near_dup"), "unscored"));
				if ((m == CM_NEAR_DUP || m == CM_NEAR_DUP_ONLY) && u > 0) {
					snprintf(ndnote, sizeof ndnote, "%" JSON_INTEGER_FORMAT " of %"
						 JSON_INTEGER_FORMAT " examples have no shingle: not "
						 "checked (near_dup_unscored)", u, row_examples(row));
					note = ndnote;
				}
				cbuf nb = CBUF_INIT;
				const char *base = ce->why ? ce->why : note;
				rc |= cbuf_printf(&nb, "%s", base ? base : "");
				rc |= unread_clause(&nb, t->reports[row->report], base ? "; " : "");
				if (m < CREPORT_NMAIN) { /* the rates' n holds them */
					size_t before = nb.len;
					if (nb.len)
						rc |= cbuf_printf(&nb, "; ");
					size_t mark = nb.len;
					rc |= unscored_clause(&nb, row);
					if (nb.len == mark) {
						nb.len = before;
						if (nb.data)
							nb.data[before] = '\0';
					}
				}
				rc |= creport_csv_field(b, nb.len ? nb.data : "");
				cbuf_release(&nb);
				rc |= csv_rate(b, &ce->null);
				rc |= cbuf_printf(b, "\r\n");
			}
		}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* CONDA: the Data Contamination Database's submission rows            */

/* The split a word names: 0 train, 1 development, 2 test, -1 none. */
static int split_word(const char *w, size_t n)
{
	static const char *const words[][2] = {
		{ "train", "0" }, { "dev", "1" }, { "val", "1" }, { "valid", "1" },
		{ "validation", "1" }, { "test", "2" },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i][0]) == n && !strncasecmp(w, words[i][0], n))
			return words[i][1][0] - '0';
	return -1;
}

/* Which split column a benchmark belongs in: 0 train, 1 development,
 * 2 test.  Its name's last part says ("ceval/val", "law_val",
 * "jsquad-valid": *dataset_end is then where the dataset's name ends),
 * else a directory or file-name part of its first source
 * (".../val/law_val.csv"), else test (benchmarks are probed for their
 * test data). */
static int split_of(const char *name, json_t *bench, const char **dataset_end)
{
	/* "mmlu/anatomy": dataset mmlu, subset anatomy (the caller's) */
	const char *slash = strrchr(name, '/');
	*dataset_end = slash;
	for (const char *p = name + strlen(name); p > name; p--)
		if (p[-1] == '/' || p[-1] == '_' || p[-1] == '-') {
			int s = split_word(p, strlen(p));
			if (s >= 0) {
				*dataset_end = p - 1;
				return s;
			}
			break;
		}
	/* the source's file name and the directory holding it, their words
	 * from the end ("law_val.csv", ".../dev/physics.jsonl"); a "train"
	 * further up the path is not the split */
	const char *src = json_string_value(json_array_get(json_object_get(bench, "sources"), 0));
	if (!src)
		return 2;
	const char *end = src + strlen(src), *stop = src;
	int slashes = 0;
	for (const char *q = end; q > src; q--)
		if (q[-1] == '/' && ++slashes == 2) {
			stop = q;
			break;
		}
	for (const char *p = end; ; p--) {
		if (p > stop && !strchr("/_-.", p[-1]))
			continue;
		int s = split_word(p, (size_t)(end - p));
		if (s >= 0)
			return s;
		if (p == stop)
			break;
		end = p - 1;
	}
	return 2;
}

static int render_conda(cbuf *b, const creport_table *t)
{
	int rc = cbuf_printf(b, "Evaluation Dataset;Subset;Contaminated Source;"
			     "Model or corpus;Train Split;Development Split;"
			     "Test Split;Approach;Reference;PR\n");
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			const creport_row *row = creport_row_at(t, c, k);
			if (!row->bench)
				continue;
			json_t *report = t->reports[row->report];
			json_t *ix = json_object_get(report, "index");
			const char *name = t->bench[k];
			const char *end;
			int split = split_of(name, row->bench, &end);
			char dataset[256], subset[256] = "";
			snprintf(dataset, sizeof(dataset), "%.*s",
				 (int)(end ? (size_t)(end - name) : strlen(name)), name);
			if (end && split == 2 && strcmp(end + 1, "test"))
				snprintf(subset, sizeof(subset), "%s", end + 1);
			const creport_rate_v *v = &row->cells[CM_CONTAMINATED].v;
			double pct = v->state == CREPORT_VALUE ? 100 * v->rate : NAN;
			rc |= conda_cell(b, dataset);
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, subset);
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, t->corpora[c].label);
			rc |= cbuf_putc(b, ';');
			rc |= conda_cell(b, t->corpora[c].label);
			for (int s = 0; s < 3; s++) {
				rc |= cbuf_putc(b, ';');
				if (s == split && !isnan(pct))
					rc |= cbuf_printf(b, "%.2f", pct);
			}
			cbuf nb = CBUF_INIT; /* no ';' in a CONDA cell */
			rc |= unread_clause(&nb, report, ", ");
			rc |= cbuf_printf(b, ";data-based: word %" JSON_INTEGER_FORMAT
					  "-gram overlap with contam %s (coverage >= 80%% "
					  "by spans >= %" JSON_INTEGER_FORMAT " tokens, Bloom "
					  "false-positive rate %.2g%s);contam;\n",
					  json_integer_value(json_object_get(ix, "ngram")),
					  str_or(json_string_value(json_object_get(
						  json_object_get(report, "tool"),
						  "version")), "?"),
					  json_integer_value(json_object_get(ix, "min_span")),
					  creport_num(json_object_get(ix, "fpr")),
					  nb.len ? nb.data : "");
			cbuf_release(&nb);
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

int creport_render_opts_loaded(json_t **reports, const char *const *paths, size_t n,
			       const creport_render_opts *o, cbuf *b)
{
	creport_table t;
	const char *format = o->format ? o->format : "md";
	int rc = creport_table_build(&t, reports, paths, n);
	if (rc)
		return rc;
	if (!strcmp(format, "md") || !strcmp(format, "markdown"))
		rc = render_md(b, &t, o);
	else if (!strcmp(format, "latex") || !strcmp(format, "tex"))
		rc = render_latex(b, &t, o);
	else if (!strcmp(format, "csv"))
		rc = render_csv(b, &t, o);
	else if (!strcmp(format, "conda"))
		rc = render_conda(b, &t);
	else if (!strcmp(format, "html"))
		rc = creport_html(b, &t, o);
	else
		rc = CONTAM_E_PARAM;
	creport_table_free(&t);
	return rc;
}

int creport_render_loaded(json_t **reports, size_t n, const char *format, cbuf *b)
{
	creport_render_opts o = { .format = format };
	return creport_render_opts_loaded(reports, NULL, n, &o, b);
}

/* ------------------------------------------------------------------ */
/* Loading a report without its whole tree                             */

/*
 * A report is mostly its "examples" (about 600 bytes of JSON each, and
 * a jansson tree takes about ten times its text), yet only the HTML
 * evidence table reads any of them, and only the flagged ones, at most
 * CREPORT_EVIDENCE_ROWS.  So the file is mapped, not read, and scanned
 * member by member at the top level: every member but "examples" is
 * parsed by jansson; "examples" is walked element by element (strings
 * and brackets only), and an element is parsed only when the HTML
 * needs it -- it has "evidence" (or, in a scan report, "provenance")
 * and fewer than CREPORT_EVIDENCE_ROWS were kept; the others with
 * evidence are counted in "evidence_more".
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

/* "any": an example flagged by any definition the index can tell (its
 * own verdicts: contam partial or contaminated, gpt3, palm, Llama 2 not
 * clean), counted per benchmark into counts {name: [flagged, examples]}. */
static int any_add(json_t *counts, json_t *e)
{
	const char *name = json_string_value(json_object_get(e, "benchmark"));
	json_t *d = json_object_get(e, "definitions");
	if (!name)
		return CONTAM_OK;
	const char *v = json_string_value(json_object_get(e, "verdict"));
	const char *bucket = json_string_value(json_object_get(
		json_object_get(d, "llama2"), "bucket"));
	bool flagged = (v && (!strcmp(v, "partial") || !strcmp(v, "contaminated"))) ||
		       json_is_true(json_object_get(d, "gpt3")) ||
		       json_is_true(json_object_get(d, "palm")) ||
		       (bucket && strcmp(bucket, "clean"));
	json_t *c = json_object_get(counts, name);
	if (!c) {
		if (!(c = json_pack("[II]", (json_int_t)0, (json_int_t)0)) ||
		    json_object_set_new(counts, name, c))
			return CONTAM_E_NOMEM;
	}
	json_integer_set(json_array_get(c, 0), json_integer_value(json_array_get(c, 0)) + flagged);
	json_integer_set(json_array_get(c, 1), json_integer_value(json_array_get(c, 1)) + 1);
	return CONTAM_OK;
}

/* Each benchmark gets "_any" when every one of its examples was seen
 * (a scan report may list only some: then "any" is n/a). */
static int any_attach(json_t *root, json_t *counts)
{
	json_t *bs = json_object_get(root, "benchmarks");
	for (size_t j = 0; j < json_array_size(bs); j++) {
		json_t *bench = json_array_get(bs, j);
		json_t *c = json_object_get(counts, str_or(json_string_value(
			json_object_get(bench, "name")), ""));
		json_t *ex = json_object_get(bench, "examples");
		if (c && json_is_integer(ex) &&
		    json_integer_value(json_array_get(c, 1)) == json_integer_value(ex) &&
		    json_object_set(bench, "_any", c))
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

/* Load report `path` into *out; examples only as the HTML needs them.
 * On failure the message names the file and the line. */
static int load_report(const char *path, bool want_evidence, bool want_any,
		       json_t **out, char *errbuf, size_t errlen)
{
	json_t *any = want_any ? json_object() : NULL;
	if (want_any && !any) {
		set_err(errbuf, errlen, "cannot read '%s': out of memory", path);
		return CONTAM_E_NOMEM;
	}
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
		if (*out) {
			json_t *ex = json_object_get(*out, "examples");
			for (size_t j = 0; any && j < json_array_size(ex); j++)
				if (any_add(any, json_array_get(ex, j)))
					goto nomem_whole;
			if (any && any_attach(*out, any))
				goto nomem_whole;
			json_decref(any);
			return CONTAM_OK;
nomem_whole:
			json_decref(any);
			json_decref(*out);
			*out = NULL;
			set_err(errbuf, errlen, "cannot read '%s': out of memory", path);
			return CONTAM_E_NOMEM;
		}
		json_decref(any);
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
	size_t kept = 0, more = 0, kept_nd = 0, more_nd = 0;
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
				/* a scan report's flagged examples have documents
				 * ("provenance") but no "evidence" text */
				bool ev = want_evidence && (memmem(s.d + ea, s.i - ea,
								   "\"evidence\"", 10) ||
							    memmem(s.d + ea, s.i - ea,
								   "\"provenance\"", 12));
				bool keep = ev && kept < CREPORT_EVIDENCE_ROWS;
				more += ev && !keep;
				/* probe --near-dup: the HTML lists near-dups too, kept
				 * apart from the evidence rows */
				bool nd = want_evidence && memmem(s.d + ea, s.i - ea,
								  "\"near_dup\": true", 16);
				bool keep_nd = nd && kept_nd < CREPORT_EVIDENCE_ROWS;
				kept_nd += keep_nd;
				more_nd += nd && !keep_nd;
				if (keep || keep_nd || any) {
					/* parsed one at a time: memory stays flat */
					json_t *e = parse_part(s.d, ea, s.i, &je, &line);
					if (!e) {
						json_decref(key);
						goto bad_json;
					}
					if (any && any_add(any, e)) {
						json_decref(e);
						json_decref(key);
						goto nomem;
					}
					if (keep || keep_nd) {
						json_array_append_new(arr, e);
						kept += keep;
					} else {
						json_decref(e);
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
	if (more_nd && json_object_set_new(root, "near_dup_more",
					   json_integer((json_int_t)more_nd)))
		goto nomem;
	if (any && any_attach(root, any))
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
	if (s.n >= 8 && !memcmp(s.d, "CONTAMIX", 8))
		set_err(errbuf, errlen, "'%s' is a contam index, not a report: probe "
			"it first (contam probe %s BENCH... -o report.json)", path, path);
	else
		set_err(errbuf, errlen, "cannot read '%s': not a JSON object, or it "
			"ends early, near line %llu%s", path,
			(unsigned long long)line_at(s.d, s.i < s.n ? s.i : s.n),
			s.n && s.d[0] == '{' && memchr(s.d, '\n', s.n) &&
			line_at(s.d, s.i < s.n ? s.i : s.n) == 2
			? " (one JSON object a line: a benchmark or corpus file?)" : "");
	rc = CONTAM_E_FORMAT;
	goto out;
nomem:
	set_err(errbuf, errlen, "cannot read '%s': out of memory near line %llu",
		path, (unsigned long long)line_at(s.d, s.i < s.n ? s.i : s.n));
	rc = CONTAM_E_NOMEM;
out:
	json_decref(any);
	json_decref(root);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* --definition's comma list as a mask of measures; CONTAM_E_PARAM
 * naming the unknown one. */
static int parse_definitions(const char *list, unsigned *mask, char *errbuf,
			     size_t errlen)
{
	*mask = 0;
	while (list) { /* every name, an empty one too ("gpt3,") */
		const char *e = strchr(list, ',');
		size_t len = e ? (size_t)(e - list) : strlen(list);
		char name[32];
		unsigned m = 0;
		if (len && len < sizeof name) {
			memcpy(name, list, len);
			name[len] = '\0';
			m = creport_definition_measures(name);
		}
		if (!m) {
			set_err(errbuf, errlen, "unknown definition '%.*s' (gpt3, palm, "
				"llama2, contam, any, near_dup)", (int)len, list);
			return CONTAM_E_PARAM;
		}
		*mask |= m;
		list = e ? e + 1 : NULL;
	}
	return CONTAM_OK;
}

/* The rendered reports, whole, in b. */
static int render(const char *const *paths, size_t n, const contam_report_options *ro,
		  cbuf *b, char *errbuf, size_t errlen)
{
	json_t **reports = calloc(n ? n : 1, sizeof(*reports));
	creport_render_opts o = { .format = ro->format ? ro->format : "md",
				  .latex_wide = ro->latex_wide,
				  .provenance = ro->provenance };
	const char *format = o.format;
	int rc = CONTAM_OK;
	if (!reports)
		return CONTAM_E_NOMEM;
	if ((rc = parse_definitions(ro->definitions, &o.measures, errbuf, errlen)))
		goto out;
	if (n == 0) {
		set_err(errbuf, errlen, "no report files");
		rc = CONTAM_E_PARAM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = load_report(paths[i], !strcmp(format, "html"),
				 (o.measures & 1u << CM_ANY) != 0, &reports[i],
				 errbuf, errlen);
		if (rc)
			goto out;
		json_t *v = json_object_get(reports[i], "report_version");
		if (!json_is_integer(v) || json_integer_value(v) != 1 ||
		    !json_is_array(json_object_get(reports[i], "benchmarks"))) {
			set_err(errbuf, errlen, "'%s' is not a contam report: a "
				"report is the JSON object 'contam probe' or 'contam "
				"scan --report' writes, with \"report_version\": 1 and "
				"a \"benchmarks\" array", paths[i]);
			rc = CONTAM_E_FORMAT;
			goto out;
		}
	}
	rc = creport_render_opts_loaded(reports, paths, n, &o, b);
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

int contam_report_render_opts(const char *const *paths, size_t n,
			      const contam_report_options *opt,
			      const contam_sink *out, contam_error *err)
{
	cbuf b = CBUF_INIT;
	cerr e;
	cerr_clear(&e);
	if (!(e.code = render(paths, n, opt, &b, e.msg, sizeof e.msg)))
		csink_flush(out, &b, &e);
	cbuf_release(&b);
	return cerr_export(&e, err);
}

int contam_report_render_to(const char *const *paths, size_t n, const char *format,
			    const contam_sink *out, contam_error *err)
{
	contam_report_options o = { .format = format };
	return contam_report_render_opts(paths, n, &o, out, err);
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
