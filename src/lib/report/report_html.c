/*
 * report_html.c -- `contam report --format html`: one self-contained page
 * (inline CSS and SVG, no scripts, no fonts, no external requests), so it
 * can be mailed, archived with a paper's artifacts, or opened offline.
 *
 * Laid out for a paper's scale (20 benchmarks x 3 corpora) first: a
 * benchmark x corpus heatmap of the chosen definition's rate, then that
 * rate with its 95% Wilson interval per benchmark and corpus, then one
 * collapsed <details> per benchmark (the definitions side by side, one
 * coverage histogram), the full tables collapsed, and the evidence with
 * the documents it was found in when the report has them (probe
 * --confirm, scan --report).  The charts are in report_html_svg.c.
 */
#include "../common/common.h"
#include "report.h"
#include "report_measures.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>

#define EVIDENCE_ROWS_MAX CREPORT_EVIDENCE_ROWS
/* Evidence rows shown open; the rest (up to EVIDENCE_ROWS_MAX) collapsed. */
#define EVIDENCE_ROWS_OPEN 15
/* Bytes of matched text shown per row (the JSON has up to 2000). */
#define SNIPPET_BYTES 160

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
	"body{font-family:sans-serif;margin:20px 24px;color:#222;max-width:1240px}"
	"h1{font-size:21px;margin:0 0 6px}h2{font-size:17px;margin:22px 0 6px}"
	"table{border-collapse:collapse;font-size:12px;margin:6px 0}"
	"th,td{border-bottom:1px solid #ddd;padding:2px 7px;text-align:right;"
	"white-space:nowrap}th{white-space:normal;background:#f3f4f6}"
	"th:first-child,td:first-child,td.l,th.l{text-align:left}"
	"td.q{text-align:left;font-family:monospace;font-size:11px;white-space:pre-wrap;"
	"max-width:480px;min-width:260px}td.u{text-align:left;white-space:normal;"
	"overflow-wrap:anywhere;max-width:300px;font-size:11px}"
	"table.ev{table-layout:fixed;width:100%}table.ev td{white-space:normal;"
	"overflow-wrap:anywhere;vertical-align:top}table.ev td.q{max-width:none;min-width:0}"
	"table.pb td.l{white-space:normal;overflow-wrap:anywhere;min-width:80px;max-width:150px}"
	"table.hm td.hm{min-width:120px;text-align:center;border:1px solid #fff;padding:3px 6px}"
	"table.hm td.hm small{opacity:.8;margin-left:4px}"
	"table.hm td.z{background:#eef1f4;color:#555}"
	"table.hm td.na{background:#fff;color:#777;border:1px dashed #bbb}"
	"table.hm td.np{background:#fff;color:#aaa}"
	"svg{display:block;margin:6px 0}"
	"details.b{border-bottom:1px solid #e5e5e5;padding:2px 0}"
	"details.b>summary{cursor:pointer;font-size:13px;padding:2px 0}"
	"details.b>div{margin:4px 0 10px 18px}.fx{display:flex;flex-wrap:wrap;gap:8px 24px}"
	"summary h2{display:inline;font-size:15px}details.t{margin-top:14px}"
	"p.note{font-size:12px;color:#555;margin:4px 0}"
	".sw{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 3px 0 8px}";

#define MAIN_SUMMARY (1u << CM_CONTAMINATED | 1u << CM_PARTIAL | 1u << CM_PARTIAL_PLUS | \
		      1u << CM_GPT3 | 1u << CM_PALM | 1u << CM_L2_DIRTY | 1u << CM_L2_NOT_CLEAN)

#define FOR_ROWS(t, c, k, row) \
	for (size_t c = 0; c < (t)->ncorpora; c++) \
		for (size_t k = 0; k < (t)->nbench; k++) \
			for (const creport_row *row = creport_row_at(t, c, k); row && row->bench; row = NULL)

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
	/* near-dup columns only when a report has them */
	const unsigned summary = MAIN_SUMMARY | creport_near_dup_shown(t);
	int rc = cbuf_printf(b, "<table><tr><th>corpus</th><th>benchmark</th>"
			     "<th>examples</th>");
	for (size_t m = 0; m < CREPORT_NMAIN; m++)
		if (summary & 1u << m)
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
			if (summary & 1u << m)
				rc |= cell_rate(b, &row->cells[m].v, true);
		rc |= cbuf_printf(b, "</tr>\n");
	}
	return rc | cbuf_printf(b, "</table>\n");
}

/* Per definition: its count, n, rate, expected false and null control. */
static int details_table(cbuf *b, const creport_table *t, unsigned mask)
{
	char cell[96];
	int rc = cbuf_printf(b, "<details class=\"t\"><summary><h2>Per definition</h2>"
			     "</summary><table><tr><th>corpus</th>"
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
	return rc | cbuf_printf(b, "</table></details>\n");
}


/* The rate as the heatmap cell prints it: "2.10%", "0". */
static void short_rate(char *out, size_t len, const creport_rate_v *v)
{
	if (v->count == 0)
		snprintf(out, len, "0");
	else
		snprintf(out, len, "%.*f%%", creport_decimals(v), 100 * v->rate);
}

/* One heatmap: rows benchmarks, columns corpora, measure m; every cell
 * its rate and count/n, the interval in its title. */
static int heatmap(cbuf *b, const creport_table *t, size_t m)
{
	int rc = cbuf_printf(b, "<h2>Benchmark &times; corpus: ");
	rc |= creport_html_escape(b, CREPORT_MEASURES[m].title);
	rc |= cbuf_printf(b, "</h2><p class=\"note\">");
	rc |= creport_html_escape(b, CREPORT_MEASURES[m].rule);
	rc |= cbuf_printf(b, ". Cells: rate, count/n; hover a cell for its 95%% Wilson "
			  "interval.</p>\n");
	rc |= chtml_heat_legend(b);
	rc |= cbuf_printf(b, "<table class=\"hm\" data-measure=\"%s/%s\"><tr><th>benchmark</th>",
			  CREPORT_MEASURES[m].def, CREPORT_MEASURES[m].measure);
	for (size_t c = 0; c < t->ncorpora; c++) {
		rc |= cbuf_printf(b, "<th><span class=\"sw\" style=\"background:%s\"></span>",
				  chtml_corpus_colour(c));
		rc |= creport_html_escape(b, t->corpora[c].label);
		rc |= cbuf_printf(b, "</th>");
	}
	rc |= cbuf_printf(b, "</tr>\n");
	for (size_t k = 0; k < t->nbench; k++) {
		rc |= cbuf_printf(b, "<tr><td class=\"l\">");
		rc |= creport_html_escape(b, t->bench[k]);
		rc |= cbuf_printf(b, "</td>");
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_rate_v *v = &creport_row_at(t, c, k)->cells[m].v;
			char r[96], sr[32], col[8];
			if (v->state == CREPORT_NOT_PROBED) {
				rc |= cbuf_printf(b, "<td class=\"hm np\" title=\"not probed\">"
						  "&ndash;</td>");
				continue;
			}
			if (v->state != CREPORT_VALUE || isnan(v->rate)) {
				const char *why = creport_row_at(t, c, k)->cells[m].why;
				rc |= cbuf_printf(b, "<td class=\"hm na\" title=\"n/a");
				if (why) {
					rc |= cbuf_printf(b, ": ");
					rc |= creport_html_escape(b, why);
				}
				rc |= cbuf_printf(b, "\">n/a</td>");
				continue;
			}
			creport_fmt_rate(r, sizeof r, v, "%", "-");
			short_rate(sr, sizeof sr, v);
			if (v->count == 0) {
				rc |= cbuf_printf(b, "<td class=\"hm z\" title=\"0 of %.0f: %s "
						  "(95%% Wilson)\">0<small>0/%.0f</small></td>",
						  v->n, r, v->n);
				continue;
			}
			chtml_heat_colour(col, v->rate);
			rc |= cbuf_printf(b, "<td class=\"hm\" style=\"background:%s;color:%s\" "
					  "title=\"%.0f of %.0f: %s (95%% Wilson)\">%s<small>"
					  "%.0f/%.0f</small></td>", col,
					  chtml_heat_t(v->rate) > 0.55 ? "#fff" : "#222",
					  v->count, v->n, r, sr, v->count, v->n);
		}
		rc |= cbuf_printf(b, "</tr>\n");
	}
	return rc | cbuf_printf(b, "</table>\n");
}

/* One collapsed block per benchmark: its definitions side by side (chart
 * and table, a row per corpus) and one coverage histogram. */
static int bench_details(cbuf *b, const creport_table *t, size_t hm, unsigned mask)
{
	int rc = cbuf_printf(b, "<h2>Per benchmark</h2><p class=\"note\">Click a "
			     "benchmark for its definitions side by side and its "
			     "coverage histogram. After the name: the ");
	rc |= creport_html_escape(b, CREPORT_MEASURES[hm].title);
	rc |= cbuf_printf(b, " rate per corpus.</p>\n");
	for (size_t k = 0; k < t->nbench; k++) {
		rc |= cbuf_printf(b, "<details class=\"b\"><summary><b>");
		rc |= creport_html_escape(b, t->bench[k]);
		rc |= cbuf_printf(b, "</b> ");
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_rate_v *v = &creport_row_at(t, c, k)->cells[hm].v;
			char sr[32];
			if (v->state == CREPORT_NOT_PROBED)
				snprintf(sr, sizeof sr, "&ndash;");
			else if (v->state != CREPORT_VALUE || isnan(v->rate))
				snprintf(sr, sizeof sr, "n/a");
			else
				short_rate(sr, sizeof sr, v);
			rc |= cbuf_printf(b, "<span class=\"sw\" style=\"background:%s\"></span>%s",
					  chtml_corpus_colour(c), sr);
		}
		rc |= cbuf_printf(b, "</summary><div><div class=\"fx\">");
		rc |= chtml_defs_chart(b, t, k, mask);
		rc |= chtml_histogram(b, t, k);
		rc |= cbuf_printf(b, "</div>");
		/* class pb: a long corpus label wraps, so that the nine columns
		 * stay inside the page at 1280 px */
		rc |= cbuf_printf(b, "<table class=\"pb\"><tr><th>corpus</th><th>examples</th>");
		for (size_t m = 0; m < CREPORT_NMAIN; m++)
			if (mask & 1u << m)
				rc |= cbuf_printf(b, "<th>%s</th>", CREPORT_MEASURES[m].title);
		rc |= cbuf_printf(b, "</tr>\n");
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_row *row = creport_row_at(t, c, k);
			rc |= cbuf_printf(b, "<tr><td class=\"l\">");
			rc |= creport_html_escape(b, t->corpora[c].label);
			if (!row->bench) {
				rc |= cbuf_printf(b, "</td><td class=\"l\">not probed</td></tr>\n");
				continue;
			}
			rc |= cbuf_printf(b, "</td><td>%" JSON_INTEGER_FORMAT "</td>",
					  json_integer_value(json_object_get(row->bench, "examples")));
			for (size_t m = 0; m < CREPORT_NMAIN; m++)
				if (mask & 1u << m)
					rc |= cell_rate(b, &row->cells[m].v, true);
			rc |= cbuf_printf(b, "</tr>\n");
		}
		rc |= cbuf_printf(b, "</table></div></details>\n");
	}
	return rc;
}

/* At most max bytes of s, cut at a UTF-8 character boundary. */
static int snippet(cbuf *b, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n <= max)
		return creport_html_escape(b, s);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	char *tmp = malloc(max + 1);
	if (!tmp)
		return CONTAM_E_NOMEM;
	memcpy(tmp, s, max);
	tmp[max] = 0;
	int rc = creport_html_escape(b, tmp);
	free(tmp);
	return rc | cbuf_printf(b, "&hellip;");
}

static int json_str(cbuf *b, json_t *v)
{
	const char *s = json_string_value(v);
	return s ? creport_html_escape(b, s) : cbuf_printf(b, "&ndash;");
}

/* The cells that open an example's row (evidence and near-dup lists):
 * corpus, benchmark, record and id, then the verdict, its cell left open. */
static int example_cells(cbuf *b, json_t *report, json_t *e)
{
	int rc = cbuf_printf(b, "<tr><td class=\"l\">");
	rc |= creport_html_escape(b, creport_corpus_label(report));
	rc |= cbuf_printf(b, "</td><td class=\"l\">");
	rc |= json_str(b, json_object_get(e, "benchmark"));
	rc |= cbuf_printf(b, "</td><td class=\"l\">%" JSON_INTEGER_FORMAT " ",
			  json_integer_value(json_object_get(e, "record")));
	if (json_string_value(json_object_get(e, "id")))
		rc |= json_str(b, json_object_get(e, "id"));
	rc |= cbuf_printf(b, "</td><td class=\"l\">");
	rc |= json_str(b, json_object_get(e, "verdict"));
	return rc;
}

/* One evidence row: the example, the first document the exact pass found
 * it in (probe --confirm, scan --report: "provenance"), the matched text. */
static int evidence_row(cbuf *b, json_t *report, json_t *e)
{
	json_t *ev = json_array_get(json_object_get(e, "evidence"), 0);
	json_t *prov = json_object_get(e, "provenance");
	json_t *d = json_array_get(prov, 0);
	int rc = example_cells(b, report, e);
	rc |= cbuf_printf(b, "</td><td>%.2f</td>", creport_num(json_object_get(e, "coverage")));
	if (d) {
		rc |= cbuf_printf(b, "<td class=\"u\">");
		rc |= json_str(b, json_object_get(d, "file"));
		if (json_string_value(json_object_get(d, "member"))) {
			rc |= cbuf_printf(b, " : ");
			rc |= json_str(b, json_object_get(d, "member"));
		}
		rc |= cbuf_printf(b, " #%" JSON_INTEGER_FORMAT,
				  json_integer_value(json_object_get(d, "record")));
		if (json_string_value(json_object_get(d, "id"))) {
			rc |= cbuf_printf(b, "<br>");
			rc |= json_str(b, json_object_get(d, "id"));
		}
		if (json_array_size(prov) > 1)
			rc |= cbuf_printf(b, "<br>(+%zu more)", json_array_size(prov) - 1);
		/* the URL as text, never a link: the page makes no requests */
		rc |= cbuf_printf(b, "</td><td class=\"u url\">");
		rc |= json_str(b, json_object_get(d, "url"));
		rc |= cbuf_printf(b, "</td><td>%" JSON_INTEGER_FORMAT "<br>bytes %"
				  JSON_INTEGER_FORMAT "&ndash;%" JSON_INTEGER_FORMAT "</td>",
				  json_integer_value(json_object_get(d, "offset")),
				  json_integer_value(json_object_get(d, "start")),
				  json_integer_value(json_object_get(d, "end")));
	} else {
		rc |= cbuf_printf(b, "<td class=\"u\">&ndash;</td><td class=\"u url\">"
				  "&ndash;</td><td>&ndash;</td>");
	}
	rc |= cbuf_printf(b, "<td class=\"q\">");
	if (ev)
		rc |= snippet(b, json_string_value(json_object_get(ev, "text")), SNIPPET_BYTES);
	else
		rc |= cbuf_printf(b, "(a scan report keeps no text: the hits file "
				  "has the regions)");
	return rc | cbuf_printf(b, "</td></tr>\n");
}

static const char *const EVIDENCE_HEAD =
	"<table class=\"ev\"><colgroup><col style=\"width:9%\"><col style=\"width:11%\">"
	"<col style=\"width:9%\"><col style=\"width:8%\"><col style=\"width:5%\">"
	"<col style=\"width:12%\"><col style=\"width:14%\"><col style=\"width:7%\">"
	"<col style=\"width:25%\"></colgroup><tr><th>corpus</th><th>benchmark</th>"
	"<th>record, id</th><th>verdict</th><th>coverage</th><th class=\"l\">document "
	"(file #record, id)</th><th class=\"l\">URL</th><th>offset</th><th class=\"l\">"
	"longest matched span</th></tr>\n";

static bool has_evidence(json_t *e)
{
	return json_array_get(json_object_get(e, "evidence"), 0) ||
	       json_array_get(json_object_get(e, "provenance"), 0);
}

/* The next example of report i with evidence at or after *j, or NULL. */
static json_t *next_evidence(json_t *report, size_t *j)
{
	json_t *ex = json_object_get(report, "examples");
	for (; *j < json_array_size(ex); ++*j)
		if (has_evidence(json_array_get(ex, *j)))
			return json_array_get(ex, (*j)++);
	return NULL;
}

/* probe --near-dup: the near-dup examples (as loaded: at most
 * CREPORT_EVIDENCE_ROWS a report, "near_dup_more" counts the others),
 * each with its n-gram verdict, so that what near-dup adds reads apart
 * from what the n-grams found. */
static int near_dup_table(cbuf *b, json_t **reports, size_t n)
{
	size_t rows = 0, more = 0, only = 0;
	int rc = cbuf_printf(b, "<details class=\"t\"><summary><h2>Near-duplicates"
			     "</h2></summary><p class=\"note\">Examples some MinHash band "
			     "of which matched a corpus window (probe --near-dup), with "
			     "the n-gram verdict: those not contaminated are what "
			     "near-dup adds. Jaccard: the 95%% range the bands imply (the "
			     "containment in the window is at least its low end); chance: "
			     "the probability that the bands' false positives alone "
			     "match that many.</p><table><tr><th>corpus</th><th>benchmark"
			     "</th><th>record, id</th><th>n-gram verdict</th><th>coverage"
			     "</th><th>bands</th><th>Jaccard</th><th>chance</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_t *ex = json_object_get(reports[i], "examples");
		more += (size_t)json_integer_value(json_object_get(reports[i], "near_dup_more"));
		for (size_t j = 0; j < json_array_size(ex); j++) {
			json_t *e = json_array_get(ex, j);
			if (!json_is_true(json_object_get(e, "near_dup")))
				continue;
			json_t *jr = json_object_get(e, "near_dup_jaccard");
			const char *v = json_string_value(json_object_get(e, "verdict"));
			only += !v || strcmp(v, "contaminated");
			rows++;
			rc |= example_cells(b, reports[i], e);
			double ch = creport_num(json_object_get(e, "near_dup_chance"));
			char chs[32] = "&ndash;";
			if (!isnan(ch))
				snprintf(chs, sizeof chs, "%.2g", ch);
			rc |= cbuf_printf(b, "</td><td>%.2f</td><td>%" JSON_INTEGER_FORMAT
					  "</td><td>%.2f&ndash;%.2f</td><td>%s</td></tr>\n",
					  creport_num(json_object_get(e, "coverage")),
					  json_integer_value(json_object_get(e, "near_dup_bands")),
					  creport_num(json_array_get(jr, 0)),
					  creport_num(json_array_get(jr, 1)), chs);
		}
	}
	rc |= cbuf_printf(b, "</table><p class=\"note\">%zu near-dup examples listed, "
			  "%zu of them not contaminated by n-grams", rows, only);
	/* the rule, when a report needed more than one band */
	for (size_t i = 0; i < n; i++) {
		json_int_t nb = json_integer_value(json_object_get(
			json_object_get(reports[i], "options"), "near_dup_bands"));
		if (nb > 1) {
			rc |= cbuf_printf(b, "; ");
			rc |= creport_html_escape(b, creport_corpus_label(reports[i]));
			rc |= cbuf_printf(b, ": near-dup at %" JSON_INTEGER_FORMAT " or more "
					  "bands (--near-dup-bands)", nb);
		}
	}
	if (more)
		rc |= cbuf_printf(b, "; %zu more in the report JSON", more);
	return rc | cbuf_printf(b, ".</p></details>\n");
}

/* The open rows take the reports in turn (one example of each, then the
 * next of each ...), so that a corpus or benchmark with many flags does
 * not hide the others; the rest, in report order, are collapsed. */
static int evidence_table(cbuf *b, json_t **reports, size_t n)
{
	size_t rows = 0, total = 0, located = 0, loaded = 0;
	size_t *next = calloc(n ? n : 1, sizeof *next);
	if (!next)
		return CONTAM_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *ex = json_object_get(reports[i], "examples");
		total += (size_t)json_integer_value(json_object_get(reports[i], "evidence_more"));
		for (size_t j = 0; j < json_array_size(ex); j++)
			loaded += has_evidence(json_array_get(ex, j));
	}
	total += loaded;
	int rc = cbuf_printf(b, "<h2>Evidence</h2>\n%s", EVIDENCE_HEAD);
	for (bool more = true; more && rows < EVIDENCE_ROWS_OPEN;) {
		more = false;
		for (size_t i = 0; i < n && rows < EVIDENCE_ROWS_OPEN; i++) {
			json_t *e = next_evidence(reports[i], &next[i]);
			if (!e)
				continue;
			more = true;
			rows++;
			located += json_array_size(json_object_get(e, "provenance")) > 0;
			rc |= evidence_row(b, reports[i], e);
		}
	}
	size_t open = rows;
	for (size_t i = 0; i < n && rows < EVIDENCE_ROWS_MAX; i++) {
		json_t *e;
		while (rows < EVIDENCE_ROWS_MAX && (e = next_evidence(reports[i], &next[i]))) {
			if (rows == open)
				rc |= cbuf_printf(b, "</table>\n<details class=\"t\"><summary>"
						  "more evidence (%zu rows)</summary>%s",
						  (loaded < EVIDENCE_ROWS_MAX ? loaded :
						   EVIDENCE_ROWS_MAX) - open, EVIDENCE_HEAD);
			rows++;
			located += json_array_size(json_object_get(e, "provenance")) > 0;
			rc |= evidence_row(b, reports[i], e);
		}
	}
	free(next);
	rc |= cbuf_printf(b, "</table>\n%s", rows > open ? "</details>\n" : "");
	if (total > rows)
		rc |= cbuf_printf(b, "<p class=\"note\">%zu of %zu flagged examples "
				  "shown; the report JSON has all of them.</p>\n",
				  rows, total);
	if (!total)
		rc |= cbuf_printf(b, "<p class=\"note\">No partial or contaminated "
				  "example.</p>\n");
	else if (located < rows)
		rc |= cbuf_printf(b, "<p class=\"note\">Document, URL and offset are "
				  "known only for reports of an exact pass (probe "
				  "--confirm, scan --report); %zu of %zu rows have them."
				  "</p>\n", located, rows);
	return rc;
}

int creport_html(cbuf *b, const creport_table *t, const creport_render_opts *o)
{
	json_t **reports = t->reports;
	size_t n = t->nreports;
	unsigned mask = o && o->measures ? o->measures : MAIN_SUMMARY | creport_near_dup_shown(t);
	/* the heatmaps: the chosen definitions' measures, else contaminated
	 * (and near-dup, when a report has it) */
	unsigned hmask = o && o->measures ? o->measures : 1u << CM_CONTAMINATED |
			 (t->near_dup ? 1u << CM_NEAR_DUP : 0);
	size_t first = CM_CONTAMINATED;
	for (size_t m = CREPORT_NMAIN; m-- > 0;)
		if (hmask & 1u << m)
			first = m;
	json_t *ix = json_object_get(reports[0], "index");
	int rc = cbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			     "<meta charset=\"utf-8\"><title>contam report</title>"
			     "<style>%s</style></head><body>\n<h1>Benchmark "
			     "contamination</h1>\n<p class=\"note\">", CSS);
	for (size_t c = 0; c < t->ncorpora; c++) {
		json_t *x = json_object_get(reports[t->corpora[c].reports[0]], "index");
		rc |= cbuf_printf(b, "%s<span class=\"sw\" style=\"background:%s\"></span>"
				  "<b>", c ? "<br>" : "", chtml_corpus_colour(c));
		rc |= creport_html_escape(b, t->corpora[c].label);
		rc |= cbuf_printf(b, "</b>: %" JSON_INTEGER_FORMAT "-grams, recipe ",
				  json_integer_value(json_object_get(x, "ngram")));
		rc |= creport_html_escape(b, json_string_value(json_object_get(x, "recipe")));
		rc |= cbuf_printf(b, ", %" JSON_INTEGER_FORMAT " n-grams indexed, "
				  "false-positive rate %.2g per n-gram.",
				  json_integer_value(json_object_get(x, "ngrams_inserted")),
				  creport_num(json_object_get(x, "fpr")));
	}
	rc |= cbuf_printf(b, "<br>contaminated: token coverage &ge; 80%% by matched "
			  "spans of &ge; %" JSON_INTEGER_FORMAT " tokens; partial: 20%% "
			  "&le; coverage &lt; 80%% (partial only); partial+: coverage "
			  "&ge; 20%% (partial or contaminated). Expected false and the "
			  "null control are those of the definition in the same row.</p>\n",
			  json_integer_value(json_object_get(ix, "min_span")));
	if (t->near_dup)
		rc |= cbuf_printf(b, "<p class=\"note\">near-dup (probe --near-dup): some "
				  "MinHash band of the example matched a corpus window, of the "
				  "examples with a signature; near-dup only: near-dup and not "
				  "contaminated by n-grams (what near-dup adds).</p>\n");
	rc |= creport_unread_html(b, t);
	for (size_t m = 0; m < CREPORT_NMAIN; m++)
		if (hmask & 1u << m)
			rc |= heatmap(b, t, m);
	/* one chart, of the first measure: the others are side by side in
	 * each benchmark's block (three charts of 20 x 3 would be 2300 px) */
	rc |= cbuf_printf(b, "<h2>Rate with its 95%% Wilson interval: ");
	rc |= creport_html_escape(b, CREPORT_MEASURES[first].title);
	rc |= cbuf_printf(b, "</h2>\n");
	rc |= chtml_rates_chart(b, t, first);
	rc |= bench_details(b, t, first, mask);
	rc |= evidence_table(b, reports, n);
	if (t->near_dup)
		rc |= near_dup_table(b, reports, n);
	rc |= cbuf_printf(b, "<details class=\"t\"><summary><h2>Summary</h2></summary>\n");
	rc |= summary_table(b, t);
	rc |= cbuf_printf(b, "</details>\n");
	rc |= details_table(b, t, mask);
	if (o && o->provenance)
		rc |= creport_provenance_html(b, t);
	rc |= cbuf_printf(b, "<p class=\"note\">Generated by contam.</p>\n"
			  "</body></html>\n");
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}
