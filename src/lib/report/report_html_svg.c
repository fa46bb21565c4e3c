/*
 * report_html_svg.c -- the inline SVG of `contam report --format html`
 * (report_html.c lays out the page): the heatmap's colours and legend,
 * rates with their 95% Wilson intervals, the definitions side by side and
 * one coverage histogram per benchmark.
 *
 * Real contamination rates span two orders of magnitude (0.3% next to
 * 30%), so a linear axis scaled to the largest rate leaves most rates as
 * 1-3 px bars.  Rates are therefore drawn as dots with error bars on a
 * square-root axis (0.5% is 13% of the way to 30%, not 1.7%), and the
 * heatmap colours follow log10 of the rate from 0.1% to 100%, with 0 and
 * n/a in colours of their own so that a small non-zero rate never reads
 * as none.  Histogram bars are on a log scale for the same reason: the
 * clean bin holds nearly every example.
 */
#include "../common/common.h"
#include "report.h"
#include "report_measures.h"

#include <jansson.h>
#include <math.h>

/* One colour per corpus, in column order (colour-blind-safe-ish). */
static const char *const CORPUS_COLOURS[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
	"#e377c2", "#17becf",
};
#define NCOLOURS (sizeof(CORPUS_COLOURS) / sizeof(CORPUS_COLOURS[0]))

const char *chtml_corpus_colour(size_t c)
{
	return CORPUS_COLOURS[c % NCOLOURS];
}

/* The heatmap's ramp, from the smallest rate shown (0.1%) to 100%. */
static const unsigned char RAMP[][3] = {
	{ 0xff, 0xf2, 0xa8 }, { 0xfe, 0xd9, 0x76 }, { 0xfd, 0xae, 0x61 },
	{ 0xf4, 0x6d, 0x43 }, { 0xd7, 0x30, 0x27 }, { 0xa5, 0x00, 0x26 },
	{ 0x5e, 0x00, 0x1a },
};
#define NRAMP (sizeof(RAMP) / sizeof(RAMP[0]))

/* 0.1% .. 100% -> 0 .. 1 on a log scale; any rate > 0 is >= 0. */
double chtml_heat_t(double r)
{
	double t = log10(r / 0.001) / 3;
	return t < 0 ? 0 : t > 1 ? 1 : t;
}

void chtml_heat_colour(char out[8], double r)
{
	double t = chtml_heat_t(r) * (NRAMP - 1);
	size_t i = (size_t)t;
	if (i >= NRAMP - 1)
		i = NRAMP - 2;
	double f = t - (double)i;
	int rgb[3];
	for (int j = 0; j < 3; j++)
		rgb[j] = (int)lround(RAMP[i][j] + f * (RAMP[i + 1][j] - RAMP[i][j]));
	snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

int chtml_heat_legend(cbuf *b)
{
	static const double STOPS[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
					0.1, 0.2, 0.5, 1 };
	size_t ns = sizeof(STOPS) / sizeof(STOPS[0]);
	double x0 = 120, w = 400;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"820\" "
			     "height=\"40\" role=\"img\" aria-label=\"heatmap colour scale\">"
			     "<rect x=\"4\" y=\"6\" width=\"22\" height=\"14\" fill=\"#eef1f4\" "
			     "stroke=\"#bbb\"/><text x=\"30\" y=\"17\" font-size=\"11\">0</text>"
			     "<rect x=\"52\" y=\"6\" width=\"22\" height=\"14\" fill=\"#fff\" "
			     "stroke=\"#bbb\" stroke-dasharray=\"2 2\"/><text x=\"78\" y=\"17\" "
			     "font-size=\"11\">n/a</text>");
	for (int i = 0; i < 80; i++) {
		char col[8];
		chtml_heat_colour(col, 0.001 * pow(1000, (i + 0.5) / 80));
		rc |= cbuf_printf(b, "<rect x=\"%.1f\" y=\"6\" width=\"%.2f\" height=\"14\" "
				  "fill=\"%s\"/>", x0 + w * i / 80, w / 80 + 0.3, col);
	}
	for (size_t i = 0; i < ns; i++) {
		double x = x0 + w * chtml_heat_t(STOPS[i]);
		rc |= cbuf_printf(b, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"24\" "
				  "stroke=\"#444\"/><text x=\"%.1f\" y=\"35\" font-size=\"10\" "
				  "text-anchor=\"middle\">%g%%</text>", x, x, x, 100 * STOPS[i]);
	}
	return rc | cbuf_printf(b, "<text x=\"%.0f\" y=\"17\" font-size=\"11\">rate, log "
				"scale (&le; 0.1%% in the lightest colour)</text></svg>\n",
				x0 + w + 8);
}

/* A scale top: the largest value rounded up to 1, 2 or 5 x 10^k, >= 1%. */
double chtml_top(double v)
{
	if (!(v > 0.01))
		return 0.01;
	if (v >= 1)
		return 1;
	double e = pow(10, floor(log10(v)));
	double m = v / e;
	double t = m <= 1 ? 1 : m <= 2 ? 2 : m <= 3 ? 3 : m <= 5 ? 5 : 10;
	return fmin(1, t * e);
}

/* The square-root axis: 0 .. top -> 0 .. w. */
static double sx(double r, double top, double w)
{
	if (!(r > 0))
		return 0;
	return w * sqrt(fmin(r, top) / top);
}

static int sqrt_axis(cbuf *b, double x0, double w, double y, double top,
		     double grid_top)
{
	static const double TICKS[] = { 0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
					0.1, 0.2, 0.3, 0.5, 1 };
	int rc = cbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			     "stroke=\"#444\"/>", x0, y, x0 + w, y);
	double last = -1e9;
	for (size_t i = 0; i < sizeof(TICKS) / sizeof(TICKS[0]); i++) {
		if (TICKS[i] > top * 1.0001)
			break;
		double x = x0 + sx(TICKS[i], top, w);
		if (x - last < 30 && TICKS[i] < top * 0.9999)
			continue;
		last = x;
		rc |= cbuf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				  "stroke=\"#e3e3e3\"/><line x1=\"%.1f\" y1=\"%.1f\" "
				  "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/><text x=\"%.1f\" "
				  "y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%g%%</text>",
				  x, grid_top, x, y, x, y, x, y + 4, x, y + 15, 100 * TICKS[i]);
	}
	return rc;
}

/* A dot at the rate with its interval as an error bar; 0 a hollow dot;
 * n/a and not probed as text. */
static int dot(cbuf *b, double x0, double w, double y, double top,
	       const creport_rate_v *v, const char *colour, const char *what)
{
	char txt[96];
	if (v->state == CREPORT_NOT_PROBED)
		return CONTAM_OK;  /* the heatmap says "-"; a label per row is noise */
	if (v->state != CREPORT_VALUE || isnan(v->rate))
		return cbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
				   "fill=\"#777\">n/a</text>", x0 + 2, y + 3);
	creport_fmt_rate(txt, sizeof txt, v, "%", "-");
	double xl = x0 + sx(v->lo, top, w), xh = x0 + sx(v->hi, top, w);
	double x = x0 + sx(v->rate, top, w);
	int rc = cbuf_printf(b, "<g><title>");
	rc |= creport_html_escape(b, what);
	rc |= cbuf_printf(b, ": %.0f of %.0f, %s (95%% Wilson)</title>"
			  "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
			  "stroke=\"%s\" stroke-width=\"1.5\" fill=\"none\"/>"
			  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" stroke=\"%s\"/></g>",
			  v->count, v->n, txt, xl, y, xh, xl, y - 3, y + 3, xh, y - 3,
			  y + 3, colour, x, y, v->count > 0 ? colour : "#fff", colour);
	return rc;
}

/* Escaped s, cut to at most max bytes (at a UTF-8 boundary) with an
 * ellipsis; max 0: whole. */
static int cut_text(cbuf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!max || n <= max)
		return creport_html_escape(b, s);
	size_t cut = max > 1 ? max - 1 : 1;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	char *tmp = malloc(cut + 1);
	if (!tmp)
		return CONTAM_E_NOMEM;
	memcpy(tmp, s, cut);
	tmp[cut] = 0;
	int rc = creport_html_escape(b, tmp);
	free(tmp);
	return rc | cbuf_printf(b, "&hellip;");
}

/* One line of corpus swatches across a chart `width` px wide; when the
 * labels (about 7 px a byte) would run past its edge, each is cut to an
 * equal share, so none is clipped: the heatmap and the tables have them
 * whole. */
static int corpus_legend(cbuf *b, const creport_table *t, double y, double width)
{
	int rc = 0;
	double x = 10, need = x;
	size_t max = 0;
	for (size_t c = 0; c < t->ncorpora; c++)
		need += 24 + 7 * (double)strlen(t->corpora[c].label);
	if (need > width && t->ncorpora) {
		double share = ((width - x) / (double)t->ncorpora - 24) / 7;
		max = share < 4 ? 4 : (size_t)share;
	}
	for (size_t c = 0; c < t->ncorpora; c++) {
		const char *l = t->corpora[c].label;
		size_t shown = max && strlen(l) > max ? max : strlen(l);
		rc |= cbuf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>"
				  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", x + 4, y,
				  chtml_corpus_colour(c), x + 12, y + 4);
		rc |= cut_text(b, l, max);
		rc |= cbuf_printf(b, "</text>");
		x += 24 + 7 * (double)shown;
	}
	return rc;
}

static double max_hi(const creport_table *t, unsigned mask, size_t only)
{
	double top = 0;
	for (size_t c = 0; c < t->ncorpora; c++)
		for (size_t k = 0; k < t->nbench; k++) {
			if (only != (size_t)-1 && k != only)
				continue;
			const creport_row *row = creport_row_at(t, c, k);
			for (size_t m = 0; m < CREPORT_NMAIN; m++) {
				const creport_rate_v *v = &row->cells[m].v;
				if (mask & 1u << m && v->state == CREPORT_VALUE && v->hi > top)
					top = v->hi;
			}
		}
	return top;
}

static int bench_label(cbuf *b, double x, double y, const char *s)
{
	int rc = cbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			     "text-anchor=\"end\">", x, y);
	/* long names are cut for the chart; the heatmap has them whole */
	rc |= strlen(s) > 44 ? cut_text(b, s, 42) : creport_html_escape(b, s);
	return rc | cbuf_printf(b, "</text>");
}

/* Rates of measure m: a row per benchmark, a dot per corpus. */
int chtml_rates_chart(cbuf *b, const creport_table *t, size_t m)
{
	double top = chtml_top(max_hi(t, 1u << m, (size_t)-1));
	double x0 = 300, w = 620, sub = 9, pad = 8;
	double rh = pad + sub * (double)t->ncorpora;
	double y0 = 26, height = y0 + rh * (double)t->nbench + 26;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" "
			     "height=\"%.0f\" role=\"img\" aria-label=\"rates with 95%% "
			     "intervals\">", height);
	rc |= corpus_legend(b, t, 10, 960);
	for (size_t k = 0; k < t->nbench; k++) {
		double y = y0 + rh * (double)k;
		if (k % 2)
			rc |= cbuf_printf(b, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" "
					  "height=\"%.1f\" fill=\"#f6f7f9\"/>", y, x0 + w + 10, rh);
		rc |= bench_label(b, x0 - 8, y + rh / 2 + 4, t->bench[k]);
		for (size_t c = 0; c < t->ncorpora; c++) {
			const creport_row *row = creport_row_at(t, c, k);
			rc |= dot(b, x0, w, y + pad / 2 + sub * ((double)c + 0.5), top,
				  &row->cells[m].v, chtml_corpus_colour(c), t->corpora[c].label);
		}
	}
	rc |= sqrt_axis(b, x0, w, y0 + rh * (double)t->nbench + 2, top, y0);
	return rc | cbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" "
				"fill=\"#555\">square-root scale</text></svg>\n",
				x0 + w - 90, height - 1);
}

/* Benchmark k: every definition's rate side by side, a dot per corpus. */
int chtml_defs_chart(cbuf *b, const creport_table *t, size_t k, unsigned mask)
{
	double top = chtml_top(max_hi(t, mask, k));
	double x0 = 150, w = 400, sub = 9, pad = 6;
	double rh = pad + sub * (double)t->ncorpora;
	size_t rows = 0;
	for (size_t m = 0; m < CREPORT_NMAIN; m++)
		rows += !!(mask & 1u << m);
	double y0 = 24, height = y0 + rh * (double)rows + 24;
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"570\" "
			     "height=\"%.0f\" role=\"img\" aria-label=\"definitions side "
			     "by side\">", height);
	rc |= corpus_legend(b, t, 10, 570);
	size_t i = 0;
	for (size_t m = 0; m < CREPORT_NMAIN; m++) {
		if (!(mask & 1u << m))
			continue;
		double y = y0 + rh * (double)i++;
		rc |= bench_label(b, x0 - 8, y + rh / 2 + 4, CREPORT_MEASURES[m].title);
		for (size_t c = 0; c < t->ncorpora; c++)
			rc |= dot(b, x0, w, y + pad / 2 + sub * ((double)c + 0.5), top,
				  &creport_row_at(t, c, k)->cells[m].v,
				  chtml_corpus_colour(c), t->corpora[c].label);
	}
	rc |= sqrt_axis(b, x0, w, y0 + rh * (double)rows + 2, top, y0);
	return rc | cbuf_printf(b, "</svg>\n");
}

/* Benchmark k: token coverage in 10 bins, a bar per corpus in each bin,
 * heights log10(1 + examples). */
int chtml_histogram(cbuf *b, const creport_table *t, size_t k)
{
	double maxc = 1;
	for (size_t c = 0; c < t->ncorpora; c++) {
		json_t *h = json_object_get(creport_row_at(t, c, k)->bench, "coverage_histogram");
		for (size_t i = 0; i < json_array_size(h); i++) {
			double n = creport_num(json_array_get(h, i));
			if (n > maxc)
				maxc = n;
		}
	}
	double nc = (double)(t->ncorpora ? t->ncorpora : 1);
	double x0 = 40, bw = 48, y0 = 24, hh = 90;
	double bar = fmax(4, (bw - 6) / nc);
	int rc = cbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" "
			     "height=\"%.0f\" role=\"img\" aria-label=\"coverage "
			     "histogram\">", y0 + hh + 34);
	rc |= corpus_legend(b, t, 10, 560);
	for (int e = 0; e <= 6 && pow(10, e) <= maxc * 10; e++) {
		double y = y0 + hh - hh * log10(1 + pow(10, e)) / log10(1 + maxc);
		if (y < y0 - 1)
			break;
		rc |= cbuf_printf(b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" "
				  "stroke=\"#e3e3e3\"/><text x=\"%.0f\" y=\"%.1f\" "
				  "font-size=\"9\" text-anchor=\"end\">%g</text>", x0, y,
				  x0 + 10 * bw, y, x0 - 3, y + 3, pow(10, e));
	}
	for (size_t c = 0; c < t->ncorpora; c++) {
		json_t *h = json_object_get(creport_row_at(t, c, k)->bench, "coverage_histogram");
		for (size_t i = 0; i < 10 && i < json_array_size(h); i++) {
			double n = creport_num(json_array_get(h, i));
			if (!(n > 0))
				continue;
			double bh = hh * log10(1 + n) / log10(1 + maxc);
			double x = x0 + (double)i * bw + 3 + (double)c * bar;
			rc |= cbuf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					  "height=\"%.1f\" fill=\"%s\"><title>", x,
					  y0 + hh - bh, bar - 1, bh, chtml_corpus_colour(c));
			rc |= creport_html_escape(b, t->corpora[c].label);
			rc |= cbuf_printf(b, ": coverage %zu0-%zu0%%: %.0f examples"
					  "</title></rect>", i, i + 1, n);
		}
	}
	rc |= cbuf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
			  "stroke=\"#444\"/>", x0, y0 + hh, x0 + 10 * bw, y0 + hh);
	for (int i = 0; i <= 10; i += 2)
		rc |= cbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" "
				  "text-anchor=\"middle\">%d%%</text>", x0 + i * bw,
				  y0 + hh + 13, i * 10);
	return rc | cbuf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" "
				"text-anchor=\"middle\" fill=\"#555\">token coverage "
				"(examples, log scale; 20%%: partial, 80%%: contaminated)"
				"</text></svg>\n", x0 + 5 * bw, y0 + hh + 28);
}
