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

/* Colours of the definitions, in the order of DEFS. */
typedef struct def_bar {
	const char *label, *def, *measure, *colour;
} def_bar;

static const def_bar DEFS[] = {
	{ "contam contaminated", "contam", "contaminated", "#c0392b" },
	{ "contam partial+", "contam", "flagged", "#e67e22" },
	{ "GPT-3", "gpt3", "contaminated", "#2980b9" },
	{ "PaLM", "palm", "contaminated", "#8e44ad" },
	{ "Llama 2 dirty", "llama2", "dirty", "#16a085" },
	{ "Llama 2 not clean", "llama2", "not_clean", "#27ae60" },
	{ "null control", "null_control", "flagged", "#7f8c8d" },
};
#define NDEFS (sizeof(DEFS) / sizeof(DEFS[0]))

static double rate_of(json_t *r, double *lo, double *hi)
{
	json_t *ci = json_object_get(r, "ci95");
	*lo = creport_num(json_array_get(ci, 0));
	*hi = creport_num(json_array_get(ci, 1));
	return creport_num(json_object_get(r, "rate"));
}

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
	       json_t *r, const char *colour)
{
	double lo, hi, v;
	if (!r)
		return cbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
				   "fill=\"#888\">n/a</text>", x0 + 3, y + h - 2);
	v = rate_of(r, &lo, &hi);
	if (isnan(v))
		v = lo = hi = 0;
	int rc = cbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			     "height=\"%.1f\" fill=\"%s\"><title>%.2f%% [%.2f, %.2f]"
			     "</title></rect>", x0, y, w * fmin(v, top) / top, h,
			     colour, 100 * v, 100 * lo, 100 * hi);
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

/* Chart 1: the contaminated rate of each (corpus, benchmark). */
static int chart_rates(cbuf *b, json_t **reports, size_t n)
{
	size_t rows = 0;
	double top = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			double lo, hi;
			json_t *r = creport_rate(json_array_get(bs, j), "contam", "contaminated");
			if (r && (rate_of(r, &lo, &hi), hi > top))
				top = hi;
			rows++;
		}
	}
	top = nice_top(top);
	double x0 = 320, w = 600, rh = 22;
	double height = 20 + (double)rows * rh + 30;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			     "width=\"960\" height=\"%.0f\" role=\"img\" "
			     "aria-label=\"contaminated rate per benchmark\">", height);
	size_t row = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++, row++) {
			json_t *bench = json_array_get(bs, j);
			double y = 10 + (double)row * rh;
			rc |= label(b, x0 - 8, y + 14, json_string_value(json_object_get(
				bench, "name")), n > 1 ? creport_corpus_label(reports[i]) : NULL);
			rc |= bar(b, x0, w, y + 3, rh - 6, top,
				  creport_rate(bench, "contam", "contaminated"), "#c0392b");
		}
	}
	rc |= axis(b, x0, w, 10 + (double)rows * rh + 2, top);
	return rc | cbuf_printf(b, "</svg>\n");
}

/* Chart 2: every definition's rate, grouped by benchmark. */
static int chart_definitions(cbuf *b, json_t **reports, size_t n)
{
	size_t groups = 0;
	double top = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			for (size_t d = 0; d < NDEFS; d++) {
				double lo, hi;
				json_t *r = creport_rate(json_array_get(bs, j),
							 DEFS[d].def, DEFS[d].measure);
				if (r && (rate_of(r, &lo, &hi), hi > top))
					top = hi;
			}
			groups++;
		}
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
				  "fill=\"%s\"/><text x=\"%.0f\" y=\"13\" font-size=\"11\">%s"
				  "</text>", x, DEFS[d].colour, x + 14, DEFS[d].label);
	}
	size_t g = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++, g++) {
			json_t *bench = json_array_get(bs, j);
			double y = 26 + (double)g * gh;
			rc |= label(b, x0 - 8, y + gh / 2, json_string_value(json_object_get(
				bench, "name")), n > 1 ? creport_corpus_label(reports[i]) : NULL);
			for (size_t d = 0; d < NDEFS; d++)
				rc |= bar(b, x0, w, y + (double)d * bh + 1, bh - 2, top,
					  creport_rate(bench, DEFS[d].def, DEFS[d].measure),
					  DEFS[d].colour);
		}
	}
	rc |= axis(b, x0, w, 26 + (double)groups * gh, top);
	return rc | cbuf_printf(b, "</svg>\n");
}

/* Chart 3: a small coverage histogram (10 bins) per benchmark. */
static int chart_histograms(cbuf *b, json_t **reports, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			json_t *h = json_object_get(bench, "coverage_histogram");
			double maxc = 1;
			for (size_t k = 0; k < json_array_size(h); k++)
				maxc = fmax(maxc, creport_num(json_array_get(h, k)));
			rc |= cbuf_printf(b, "<div class=\"small\"><svg xmlns=\"http://"
					  "www.w3.org/2000/svg\" width=\"260\" height=\"150\" "
					  "role=\"img\" aria-label=\"coverage histogram\">"
					  "<text x=\"130\" y=\"13\" font-size=\"12\" "
					  "text-anchor=\"middle\">");
			rc |= creport_html_escape(b, json_string_value(json_object_get(bench, "name")));
			if (n > 1) {
				rc |= cbuf_printf(b, " (");
				rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
				rc |= cbuf_printf(b, ")");
			}
			rc |= cbuf_printf(b, "</text>");
			for (size_t k = 0; k < 10 && k < json_array_size(h); k++) {
				double c = creport_num(json_array_get(h, k));
				double bh = isnan(c) ? 0 : 100 * c / maxc;
				double x = 20 + (double)k * 23;
				rc |= cbuf_printf(b, "<rect x=\"%.0f\" y=\"%.1f\" width=\"20\" "
						  "height=\"%.1f\" fill=\"%s\"><title>coverage "
						  "%zu0-%zu0%%: %.0f examples</title></rect>",
						  x, 120 - bh, bh,
						  k >= 8 ? "#c0392b" : k >= 2 ? "#e67e22" : "#95a5a6",
						  k, k + 1, isnan(c) ? 0 : c);
			}
			rc |= cbuf_printf(b, "<line x1=\"18\" y1=\"120\" x2=\"252\" y2=\"120\" "
					  "stroke=\"#444\"/><text x=\"20\" y=\"134\" font-size=\"10\">0"
					  "</text><text x=\"250\" y=\"134\" font-size=\"10\" "
					  "text-anchor=\"end\">100%%</text><text x=\"130\" y=\"146\" "
					  "font-size=\"10\" text-anchor=\"middle\">token coverage "
					  "(max bar %.0f)</text></svg></div>\n", maxc);
		}
	}
	return rc;
}

static int cell_rate(cbuf *b, json_t *r)
{
	double lo, hi;
	if (!r)
		return cbuf_printf(b, "<td>n/a</td>");
	double v = rate_of(r, &lo, &hi);
	return cbuf_printf(b, "<td>%.1f%% [%.1f, %.1f]</td>", 100 * v, 100 * lo,
			   100 * hi);
}

static int summary_table(cbuf *b, json_t **reports, size_t n)
{
	int rc = cbuf_printf(b, "<table><tr><th>corpus</th><th>benchmark</th>"
			     "<th>examples</th>");
	for (size_t d = 0; d < NDEFS; d++)
		rc |= cbuf_printf(b, "<th>%s</th>", DEFS[d].label);
	rc |= cbuf_printf(b, "<th>expected false</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_t *bs = json_object_get(reports[i], "benchmarks");
		for (size_t j = 0; j < json_array_size(bs); j++) {
			json_t *bench = json_array_get(bs, j);
			rc |= cbuf_printf(b, "<tr><td class=\"l\">");
			rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, "</td><td class=\"l\">");
			rc |= creport_html_escape(b, json_string_value(json_object_get(bench, "name")));
			rc |= cbuf_printf(b, "</td><td>%" JSON_INTEGER_FORMAT "</td>",
					  json_integer_value(json_object_get(bench, "examples")));
			for (size_t d = 0; d < NDEFS; d++) {
				/* an option the probe was not run with: "-" */
				if (!strcmp(DEFS[d].def, "null_control") &&
				    !json_object_get(bench, "null_control"))
					rc |= cbuf_printf(b, "<td>&ndash;</td>");
				else
					rc |= cell_rate(b, creport_rate(bench, DEFS[d].def,
									DEFS[d].measure));
			}
			rc |= cbuf_printf(b, "<td>%.3g</td></tr>\n", creport_num(
				json_object_get(bench, "expected_false_contaminated")));
		}
	}
	return rc | cbuf_printf(b, "</table>\n");
}

static int grid_table(cbuf *b, json_t **reports, size_t n, const char **names,
		      size_t nnames)
{
	int rc = cbuf_printf(b, "<h2>Benchmark &times; corpus</h2><table><tr>"
			     "<th>benchmark</th>");
	for (size_t i = 0; i < n; i++) {
		rc |= cbuf_printf(b, "<th>");
		rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
		rc |= cbuf_printf(b, "</th>");
	}
	rc |= cbuf_printf(b, "</tr>\n");
	for (size_t k = 0; k < nnames; k++) {
		rc |= cbuf_printf(b, "<tr><td class=\"l\">");
		rc |= creport_html_escape(b, names[k]);
		rc |= cbuf_printf(b, "</td>");
		for (size_t i = 0; i < n; i++) {
			json_t *bench = creport_find_bench(reports[i], names[k]);
			if (bench)
				rc |= cell_rate(b, creport_rate(bench, "contam", "contaminated"));
			else
				rc |= cbuf_printf(b, "<td>&ndash;</td>");
		}
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

int creport_html(cbuf *b, json_t **reports, size_t n, const char **names,
		 size_t nnames)
{
	json_t *ix = json_object_get(reports[0], "index");
	int rc = cbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			     "<meta charset=\"utf-8\"><title>contam report</title>"
			     "<style>%s</style></head><body>\n<h1>Benchmark "
			     "contamination</h1>\n<p class=\"note\">", CSS);
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object_get(reports[i], "index");
		rc |= cbuf_printf(b, "%sCorpus <b>", i ? "<br>" : "");
		rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
		rc |= cbuf_printf(b, "</b>: %" JSON_INTEGER_FORMAT "-grams, recipe ",
				  json_integer_value(json_object_get(x, "ngram")));
		rc |= creport_html_escape(b, json_string_value(json_object_get(x, "recipe")));
		rc |= cbuf_printf(b, ", %" JSON_INTEGER_FORMAT " n-grams indexed, "
				  "false-positive rate %.2g per n-gram.",
				  json_integer_value(json_object_get(x, "ngrams_inserted")),
				  creport_num(json_object_get(x, "fpr")));
	}
	rc |= cbuf_printf(b, "<br>Rates are fractions of examples with 95%% Wilson "
			  "intervals. contam: token coverage &ge; 80%% by matched spans of "
			  "&ge; %" JSON_INTEGER_FORMAT " tokens (partial+: &ge; 20%%). "
			  "Expected false: contaminated verdicts the index's false-positive "
			  "rate alone could produce.</p>\n<h2>Summary</h2>\n",
			  json_integer_value(json_object_get(ix, "min_span")));
	rc |= summary_table(b, reports, n);
	if (n > 1)
		rc |= grid_table(b, reports, n, names, nnames);
	rc |= cbuf_printf(b, "<h2>Contaminated rate per benchmark</h2>\n");
	rc |= chart_rates(b, reports, n);
	rc |= cbuf_printf(b, "<h2>Definitions compared</h2>\n");
	rc |= chart_definitions(b, reports, n);
	rc |= cbuf_printf(b, "<h2>Coverage per benchmark</h2>\n");
	rc |= chart_histograms(b, reports, n);
	rc |= evidence_table(b, reports, n);
	rc |= cbuf_printf(b, "<p class=\"note\">Generated by contam.</p>\n"
			  "</body></html>\n");
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}
