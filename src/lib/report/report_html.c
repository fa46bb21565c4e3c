/*
 * report_html.c -- `contam report --format html`: one self-contained page
 * (inline CSS and SVG, no scripts, no fonts, no external requests), so it
 * can be mailed, archived with a paper's artifacts, or opened offline.
 *
 * Sections: the summary table; the contaminated rate per benchmark with
 * its 95% Wilson interval as an error bar; the definitions side by side;
 * a coverage histogram per benchmark; the grid of benchmarks x corpora
 * when several reports are given; and the evidence table (the longest
 * matched spans of flagged examples, as quoted text).
 *
 * Charts are drawn in SVG user units with a linear scale from 0 to the
 * largest upper interval bound (at least 1%), so that small rates stay
 * visible; the scale is printed on the axis.
 */
#include "../common/common.h"
#include "report.h"
#include "report_measures.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>

#define EVIDENCE_ROWS_MAX CREPORT_EVIDENCE_ROWS

int creport_html_escape(cbuf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *r = NULL;
		switch (*s) {
		case '&': r = "&amp;"; break;
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&#39;"; break;
		default: break;
		}
		if (r ? cbuf_append(b, r, strlen(r)) : cbuf_putc(b, *s))
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

static const char *const CSS =
	"body{font-family:sans-serif;margin:24px;color:#222}"
	"h1{font-size:22px}h2{font-size:18px;margin-top:28px}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border-bottom:1px solid #ccc;padding:3px 8px;text-align:right;"
	"white-space:nowrap}th{white-space:normal}"
	"th:first-child,td:first-child,td.l,th.l{text-align:left}"
	"td.q{text-align:left;font-family:monospace;white-space:pre-wrap;max-width:600px;min-width:300px}"
	"svg{display:block;margin:8px 0}.small{display:inline-block;margin:6px}"
	"p.note{font-size:12px;color:#555}";

/* The definitions the charts draw: measures of the one table
 * (report_measures.h), so that a bar is the number the tables print. */
typedef struct def_bar {
	size_t m;
	const char *colour;
} def_bar;

static const def_bar DEFS[] = {
	{ CM_CONTAMINATED, "#c0392b" },
	{ CM_PARTIAL_PLUS, "#e67e22" },
	{ CM_GPT3, "#2980b9" },
	{ CM_PALM, "#8e44ad" },
	{ CM_L2_DIRTY, "#16a085" },
	{ CM_L2_NOT_CLEAN, "#27ae60" },
};
#define NDEFS (sizeof(DEFS) / sizeof(DEFS[0]))

#define MAIN_SUMMARY (1u << CM_CONTAMINATED | 1u << CM_PARTIAL | 1u << CM_PARTIAL_PLUS | \
		      1u << CM_GPT3 | 1u << CM_PALM | 1u << CM_L2_DIRTY | 1u << CM_L2_NOT_CLEAN)

/* A scale top: the largest value rounded up to 1, 2 or 5 x 10^k. */
static double nice_top(double v)
{
	if (!(v > 0.01))
		return 0.01;
	if (v >= 1)
		return 1;
	double e = pow(10, floor(log10(v)));
	double m = v / e;
	double t = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
	return fmin(1, t * e);
}

/* x axis with ticks at 0, 1/4 ... of the scale, in percent. */
static int axis(cbuf *b, double x0, double w, double y, double top)
{
	int rc = cbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			     "y2=\"%.1f\" stroke=\"#444\"/>", x0, y, x0 + w, y);
	for (int i = 0; i <= 4; i++) {
		double x = x0 + w * i / 4;
		rc |= cbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				  "y2=\"%.1f\" stroke=\"#444\"/><text x=\"%.1f\" "
				  "y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">"
				  "%.3g%%</text>", x, y, x, y + 4, x, y + 16,
				  100 * top * i / 4);
	}
	return rc;
}

/* One bar with its error bar; a missing rate draws "n/a". */
static int bar(cbuf *b, double x0, double w, double y, double h, double top,
	       const creport_rate_v *r, const char *colour)
{
	char txt[96];
	if (r->state != CREPORT_VALUE)
		return cbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
				   "fill=\"#888\">%s</text>", x0 + 3, y + h - 2,
				   r->state == CREPORT_NA ? "n/a" : "&ndash;");
	double v = r->rate, lo = r->lo, hi = r->hi;
	if (isnan(v))
		v = lo = hi = 0;
	creport_fmt_rate(txt, sizeof txt, r, "%", "-");
	int rc = cbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			     "height=\"%.1f\" fill=\"%s\"><title>%.0f of %.0f: %s"
			     "</title></rect>", x0, y, w * fmin(v, top) / top, h,
			     colour, r->count, r->n, txt);
	double xl = x0 + w * fmin(lo, top) / top, xh = x0 + w * fmin(hi, top) / top;
	double ym = y + h / 2;
	rc |= cbuf_printf(b, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
			  "stroke=\"#000\" fill=\"none\"/>", xl, ym, xh, xl, y + 1,
			  y + h - 1, xh, y + 1, y + h - 1);
	return rc;
}

static int label(cbuf *b, double x, double y, const char *s1, const char *s2)
{
	int rc = cbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
			     "text-anchor=\"end\">", x, y);
	rc |= creport_html_escape(b, s1);
	if (s2) {
		rc |= cbuf_printf(b, " (");
		rc |= creport_html_escape(b, s2);
		rc |= cbuf_printf(b, ")");
	}
	return rc | cbuf_printf(b, "</text>");
}

#define FOR_ROWS(t, c, k, row) \
	for (size_t c = 0; c < (t)->ncorpora; c++) \
		for (size_t k = 0; k < (t)->nbench; k++) \
			for (const creport_row *row = creport_row_at(t, c, k); row && row->bench; row = NULL)

/* Chart 1: the contaminated rate of each (corpus, benchmark). */
static int chart_rates(cbuf *b, const creport_table *t)
{
	size_t rows = 0;
	double top = 0;
	FOR_ROWS(t, c, k, row) {
		const creport_rate_v *v = &row->cells[CM_CONTAMINATED].v;
		if (v->state == CREPORT_VALUE && v->hi > top)
			top = v->hi;
		rows++;
	}
	top = nice_top(top);
	double x0 = 320, w = 600, rh = 22;
	double height = 20 + (double)rows * rh + 30;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			     "width=\"960\" height=\"%.0f\" role=\"img\" "
			     "aria-label=\"contaminated rate per benchmark\">", height);
	size_t i = 0;
	FOR_ROWS(t, c, k, row) {
		double y = 10 + (double)i++ * rh;
		rc |= label(b, x0 - 8, y + 14, t->bench[k], t->ncorpora > 1 ?
			    t->corpora[c].label : NULL);
		rc |= bar(b, x0, w, y + 3, rh - 6, top, &row->cells[CM_CONTAMINATED].v,
			  "#c0392b");
	}
	rc |= axis(b, x0, w, 10 + (double)rows * rh + 2, top);
	return rc | cbuf_printf(b, "</svg>\n");
}

/* Chart 2: every definition's rate, grouped by benchmark. */
static int chart_definitions(cbuf *b, const creport_table *t)
{
	size_t groups = 0;
	double top = 0;
	FOR_ROWS(t, c, k, row) {
		for (size_t d = 0; d < NDEFS; d++) {
			const creport_rate_v *v = &row->cells[DEFS[d].m].v;
			if (v->state == CREPORT_VALUE && v->hi > top)
				top = v->hi;
		}
		groups++;
	}
	top = nice_top(top);
	double x0 = 320, w = 600, bh = 12, gap = 14;
	double gh = (double)NDEFS * bh + gap;
	double height = 30 + (double)groups * gh + 30;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			     "width=\"1130\" height=\"%.0f\" role=\"img\" "
			     "aria-label=\"definitions compared\">", height);
	/* legend */
	for (size_t d = 0; d < NDEFS; d++) {
		double x = 10 + (double)d * 160;
		rc |= cbuf_printf(b, "<rect x=\"%.0f\" y=\"4\" width=\"10\" height=\"10\" "
				  "fill=\"%s\"/><text x=\"%.0f\" y=\"13\" font-size=\"11\">",
				  x, DEFS[d].colour, x + 14);
		rc |= creport_html_escape(b, CREPORT_MEASURES[DEFS[d].m].latex);
		rc |= cbuf_printf(b, "</text>");
	}
	size_t g = 0;
	FOR_ROWS(t, c, k, row) {
		double y = 26 + (double)g++ * gh;
		rc |= label(b, x0 - 8, y + gh / 2, t->bench[k], t->ncorpora > 1 ?
			    t->corpora[c].label : NULL);
		for (size_t d = 0; d < NDEFS; d++)
			rc |= bar(b, x0, w, y + (double)d * bh + 1, bh - 2, top,
				  &row->cells[DEFS[d].m].v, DEFS[d].colour);
	}
	rc |= axis(b, x0, w, 26 + (double)groups * gh, top);
	return rc | cbuf_printf(b, "</svg>\n");
}

/* Chart 3: a small coverage histogram (10 bins) per benchmark. */
static int chart_histograms(cbuf *b, const creport_table *t)
{
	int rc = 0;
	FOR_ROWS(t, c, k, row) {
		json_t *h = json_object_get(row->bench, "coverage_histogram");
		double maxc = 1;
		for (size_t i = 0; i < json_array_size(h); i++)
			maxc = fmax(maxc, creport_num(json_array_get(h, i)));
		rc |= cbuf_printf(b, "<div class=\"small\"><svg xmlns=\"http://"
				  "www.w3.org/2000/svg\" width=\"260\" height=\"150\" "
				  "role=\"img\" aria-label=\"coverage histogram\">"
				  "<text x=\"130\" y=\"13\" font-size=\"12\" "
				  "text-anchor=\"middle\">");
		rc |= creport_html_escape(b, t->bench[k]);
		if (t->ncorpora > 1) {
			rc |= cbuf_printf(b, " (");
			rc |= creport_html_escape(b, t->corpora[c].label);
			rc |= cbuf_printf(b, ")");
		}
		rc |= cbuf_printf(b, "</text>");
		for (size_t i = 0; i < 10 && i < json_array_size(h); i++) {
			double n = creport_num(json_array_get(h, i));
			double bh = isnan(n) ? 0 : 100 * n / maxc;
			double x = 20 + (double)i * 23;
			rc |= cbuf_printf(b, "<rect x=\"%.0f\" y=\"%.1f\" width=\"20\" "
					  "height=\"%.1f\" fill=\"%s\"><title>coverage "
					  "%zu0-%zu0%%: %.0f examples</title></rect>",
					  x, 120 - bh, bh,
					  i >= 8 ? "#c0392b" : i >= 2 ? "#e67e22" : "#95a5a6",
					  i, i + 1, isnan(n) ? 0 : n);
		}
		rc |= cbuf_printf(b, "<line x1=\"18\" y1=\"120\" x2=\"252\" y2=\"120\" "
				  "stroke=\"#444\"/><text x=\"20\" y=\"134\" font-size=\"10\">0"
				  "</text><text x=\"250\" y=\"134\" font-size=\"10\" "
				  "text-anchor=\"end\">100%%</text><text x=\"130\" y=\"146\" "
				  "font-size=\"10\" text-anchor=\"middle\">token coverage "
				  "(max bar %.0f)</text></svg></div>\n", maxc);
	}
	return rc;
}

/* "12 (0.91% [0.52, 1.59])", as md prints it. */
static int cell_rate(cbuf *b, const creport_rate_v *v, bool count)
{
	char r[96];
	creport_fmt_rate(r, sizeof r, v, "%", "&ndash;");
	if (count && v->state == CREPORT_VALUE)
		return cbuf_printf(b, "<td>%.0f (%s)</td>", v->count, r);
	return cbuf_printf(b, "<td>%s</td>", r);
}

static int summary_table(cbuf *b, const creport_table *t)
{
	int rc = cbuf_printf(b, "<table><tr><th>corpus</th><th>benchmark</th>"
			     "<th>examples</th>");
	for (size_t m = 0; m < CREPORT_NMAIN; m++)
		if (MAIN_SUMMARY & 1u << m)
			rc |= cbuf_printf(b, "<th>%s</th>", CREPORT_MEASURES[m].title);
	rc |= cbuf_printf(b, "</tr>\n");
	FOR_ROWS(t, c, k, row) {
		rc |= cbuf_printf(b, "<tr><td class=\"l\">");
		rc |= creport_html_escape(b, t->corpora[c].label);
		rc |= cbuf_printf(b, "</td><td class=\"l\">");
		rc |= creport_html_escape(b, t->bench[k]);
		rc |= cbuf_printf(b, "</td><td>%" JSON_INTEGER_FORMAT "</td>",
				  json_integer_value(json_object_get(row->bench, "examples")));
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (MAIN_SUMMARY & 1u << m)
				rc |= cell_rate(b, &row->cells[m].v, true);
		rc |= cbuf_printf(b, "</tr>\n");
	}
	return rc | cbuf_printf(b, "</table>\n");
}

/* Per definition: its count, n, rate, expected false and null control. */
static int details_table(cbuf *b, const creport_table *t, unsigned mask)
{
	char cell[96];
	int rc = cbuf_printf(b, "<h2>Per definition</h2><table><tr><th>corpus</th>"
			     "<th>benchmark</th><th>definition</th><th>count</th>"
			     "<th>n</th><th>rate [95%% CI]</th><th>expected false</th>"
			     "<th>null control [95%% CI]</th></tr>\n");
	FOR_ROWS(t, c, k, row) {
		for (size_t m = 0; m < CREPORT_NMAIN; m++) {
			const creport_cell *ce = &row->cells[m];
			if (!(mask & 1u << m) || ce->v.state == CREPORT_NOT_PROBED)
				continue;
			rc |= cbuf_printf(b, "<tr><td class=\"l\">");
			rc |= creport_html_escape(b, t->corpora[c].label);
			rc |= cbuf_printf(b, "</td><td class=\"l\">");
			rc |= creport_html_escape(b, t->bench[k]);
			rc |= cbuf_printf(b, "</td><td class=\"l\">%s</td>", CREPORT_MEASURES[m].title);
			creport_fmt_count(cell, sizeof cell, &ce->v, "&ndash;");
			rc |= cbuf_printf(b, "<td>%s</td>", cell);
			if (ce->v.state == CREPORT_VALUE)
				rc |= cbuf_printf(b, "<td>%.0f</td>", ce->v.n);
			else
				rc |= cbuf_printf(b, "<td>n/a</td>");
			rc |= cell_rate(b, &ce->v, false);
			if (ce->v.state == CREPORT_NA)
				snprintf(cell, sizeof cell, "n/a");
			else if (isnan(ce->expected_false))
				snprintf(cell, sizeof cell, "&ndash;");
			else
				creport_fmt_expected(cell, sizeof cell, ce->expected_false);
			rc |= cbuf_printf(b, "<td>%s</td>", cell);
			rc |= cell_rate(b, &ce->null, false);
			rc |= cbuf_printf(b, "</tr>\n");
		}
	}
	return rc | cbuf_printf(b, "</table>\n");
}

static int grid_table(cbuf *b, const creport_table *t, size_t m)
{
	int rc = cbuf_printf(b, "<h2>Benchmark &times; corpus: ");
	rc |= creport_html_escape(b, CREPORT_MEASURES[m].title);
	rc |= cbuf_printf(b, "</h2><p class=\"note\">");
	rc |= creport_html_escape(b, CREPORT_MEASURES[m].rule);
	rc |= cbuf_printf(b, "; count (rate [95%% Wilson interval])</p><table><tr>"
			  "<th>benchmark</th>");
	for (size_t c = 0; c < t->ncorpora; c++) {
		rc |= cbuf_printf(b, "<th>");
		rc |= creport_html_escape(b, t->corpora[c].label);
		rc |= cbuf_printf(b, "</th>");
	}
	rc |= cbuf_printf(b, "</tr>\n");
	for (size_t k = 0; k < t->nbench; k++) {
		rc |= cbuf_printf(b, "<tr><td class=\"l\">");
		rc |= creport_html_escape(b, t->bench[k]);
		rc |= cbuf_printf(b, "</td>");
		for (size_t c = 0; c < t->ncorpora; c++)
			rc |= cell_rate(b, &creport_row_at(t, c, k)->cells[m].v, true);
		rc |= cbuf_printf(b, "</tr>\n");
	}
	return rc | cbuf_printf(b, "</table>\n");
}

static int evidence_table(cbuf *b, json_t **reports, size_t n)
{
	size_t rows = 0, total = 0;
	int rc = cbuf_printf(b, "<h2>Evidence</h2><table><tr><th>corpus</th>"
			     "<th>benchmark</th><th>record</th><th>id</th>"
			     "<th>verdict</th><th>coverage</th><th>tokens</th>"
			     "<th class=\"l\">longest matched span</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_t *ex = json_object_get(reports[i], "examples");
		total += (size_t)json_integer_value(json_object_get(reports[i], "evidence_more"));
		for (size_t j = 0; j < json_array_size(ex); j++) {
			json_t *e = json_array_get(ex, j);
			json_t *ev = json_array_get(json_object_get(e, "evidence"), 0);
			if (!ev)
				continue;
			total++;
			if (rows >= EVIDENCE_ROWS_MAX)
				continue;
			rows++;
			json_t *tok = json_object_get(ev, "tokens");
			rc |= cbuf_printf(b, "<tr><td class=\"l\">");
			rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, "</td><td class=\"l\">");
			rc |= creport_html_escape(b, json_string_value(json_object_get(e, "benchmark")));
			rc |= cbuf_printf(b, "</td><td>%" JSON_INTEGER_FORMAT "</td><td class=\"l\">",
					  json_integer_value(json_object_get(e, "record")));
			rc |= creport_html_escape(b, json_string_value(json_object_get(e, "id")));
			rc |= cbuf_printf(b, "</td><td class=\"l\">");
			rc |= creport_html_escape(b, json_string_value(json_object_get(e, "verdict")));
			rc |= cbuf_printf(b, "</td><td>%.2f</td><td>%" JSON_INTEGER_FORMAT
					  "&ndash;%" JSON_INTEGER_FORMAT "</td><td class=\"q\">",
					  creport_num(json_object_get(e, "coverage")),
					  json_integer_value(json_array_get(tok, 0)),
					  json_integer_value(json_array_get(tok, 1)));
			rc |= creport_html_escape(b, json_string_value(json_object_get(ev, "text")));
			rc |= cbuf_printf(b, "</td></tr>\n");
		}
	}
	rc |= cbuf_printf(b, "</table>\n");
	if (total > rows)
		rc |= cbuf_printf(b, "<p class=\"note\">%zu of %zu flagged examples "
				  "shown; the report JSON has all of them.</p>\n",
				  rows, total);
	if (!total)
		rc |= cbuf_printf(b, "<p class=\"note\">No partial or contaminated "
				  "example.</p>\n");
	return rc;
}

int creport_html(cbuf *b, const creport_table *t, const creport_render_opts *o)
{
	json_t **reports = t->reports;
	size_t n = t->nreports;
	unsigned mask = o && o->measures ? o->measures : MAIN_SUMMARY;
	json_t *ix = json_object_get(reports[0], "index");
	int rc = cbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			     "<meta charset=\"utf-8\"><title>contam report</title>"
			     "<style>%s</style></head><body>\n<h1>Benchmark "
			     "contamination</h1>\n<p class=\"note\">", CSS);
	for (size_t c = 0; c < t->ncorpora; c++) {
		json_t *x = json_object_get(reports[t->corpora[c].reports[0]], "index");
		rc |= cbuf_printf(b, "%sCorpus <b>", c ? "<br>" : "");
		rc |= creport_html_escape(b, t->corpora[c].label);
		rc |= cbuf_printf(b, "</b>: %" JSON_INTEGER_FORMAT "-grams, recipe ",
				  json_integer_value(json_object_get(x, "ngram")));
		rc |= creport_html_escape(b, json_string_value(json_object_get(x, "recipe")));
		rc |= cbuf_printf(b, ", %" JSON_INTEGER_FORMAT " n-grams indexed, "
				  "false-positive rate %.2g per n-gram.",
				  json_integer_value(json_object_get(x, "ngrams_inserted")),
				  creport_num(json_object_get(x, "fpr")));
	}
	rc |= cbuf_printf(b, "<br>Cells: count (rate with its 95%% Wilson interval). "
			  "contaminated: token coverage &ge; 80%% by matched spans of "
			  "&ge; %" JSON_INTEGER_FORMAT " tokens; partial: 20%% &le; coverage "
			  "&lt; 80%% (partial only); partial+: coverage &ge; 20%% (partial or "
			  "contaminated). Expected false and the null control are those of "
			  "the definition in the same row.</p>\n",
			  json_integer_value(json_object_get(ix, "min_span")));
	/* as md: the summary, the details and the contaminated grid; with
	 * --definition its grids, then their details */
	if (!o || !o->measures) {
		rc |= cbuf_printf(b, "<h2>Summary</h2>\n");
		rc |= summary_table(b, t);
		rc |= details_table(b, t, mask);
		if (t->ncorpora > 1)
			rc |= grid_table(b, t, CM_CONTAMINATED);
	} else {
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (mask & 1u << m)
				rc |= grid_table(b, t, m);
		rc |= details_table(b, t, mask);
	}
	rc |= cbuf_printf(b, "<h2>Contaminated rate per benchmark</h2>\n");
	rc |= chart_rates(b, t);
	rc |= cbuf_printf(b, "<h2>Definitions compared</h2>\n");
	rc |= chart_definitions(b, t);
	rc |= cbuf_printf(b, "<h2>Coverage per benchmark</h2>\n");
	rc |= chart_histograms(b, t);
	rc |= evidence_table(b, reports, n);
	if (o && o->provenance)
		rc |= creport_provenance_html(b, t);
	rc |= cbuf_printf(b, "<p class=\"note\">Generated by contam.</p>\n"
			  "</body></html>\n");
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}
