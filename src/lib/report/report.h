/* report.h -- helpers shared by the report renderers. */
#ifndef CONTAM_REPORT_H
#define CONTAM_REPORT_H

#include "contam.h"

/* How many contaminated verdicts false positives could explain. */
double creport_expected_false(const contam_result *r, const contam_benchmark *bm);
/* Expected verdicts with coverage >= frac by spans >= min_span that false
 * positives alone would produce over the benchmark's scored examples. */
double creport_expected_false_at(const contam_result *r,
				 const contam_benchmark *bm, uint32_t min_span,
				 double frac);

/* The index's inputs (*ninputs files) as one XXH3-64 digest of their
 * manifest lines: size, content fingerprint, documents, text bytes
 * (not paths, not n-grams: the same for every n).  The report's
 * index.inputs_digest. */
uint64_t creport_inputs_digest(const contam_index *ix, uint64_t *ninputs);
/* What the index's builds did not read, into r's unread_* fields. */
void creport_index_unread(const contam_index *ix, contam_result *r);
/* Whether r has anything unread to report. */
int creport_has_unread(const contam_result *r);

/* Renderers (report_render.c, report_html.c) work on parsed reports.
 * A loaded report holds only the examples the HTML evidence table shows,
 * at most this many; "evidence_more" counts the flagged ones left out. */
#define CREPORT_EVIDENCE_ROWS 200
typedef struct json_t json_t;
struct cbuf;

/* Append s with LaTeX's special characters escaped (& % $ # _ { } ~ ^ \). */
int creport_latex_escape(struct cbuf *b, const char *s);
/* Append s as one RFC 4180 CSV field (quoted when needed). */
int creport_csv_field(struct cbuf *b, const char *s);
/* Append s with & < > " ' escaped for HTML. */
int creport_html_escape(struct cbuf *b, const char *s);

/* The corpus a report describes: its "label" (probe --label), else its
 * index file name. */
const char *creport_corpus_label(json_t *report);
/* The rate object of one definition's measure, or NULL (unavailable). */
json_t *creport_rate(json_t *bench, const char *def, const char *measure);
json_t *creport_find_bench(json_t *report, const char *name);
/* A JSON number as double, NaN if it is not one. */
double creport_num(json_t *v);

/* What `contam report` renders (cli_report.c). */
typedef struct creport_render_opts {
	const char *format;   /* md, latex, csv, html, conda */
	unsigned measures;    /* --definition: 1 << CM_* (report_measures.h); 0: the format's own */
	int latex_wide;       /* table* across both columns */
	int provenance;       /* index, inputs, options under the table */
} creport_render_opts;

/* Render parsed reports; CONTAM_E_PARAM for an unknown format.  paths
 * (or NULL) name the report files in --provenance. */
int creport_render_opts_loaded(json_t **reports, const char *const *paths, size_t n,
			       const creport_render_opts *o, struct cbuf *b);
int creport_render_loaded(json_t **reports, size_t n, const char *format,
			  struct cbuf *b);
struct creport_table;
int creport_html(struct cbuf *b, const struct creport_table *t,
		 const creport_render_opts *o);

/* The HTML page's SVG (report_html_svg.c, for report_html.c only). */
const char *chtml_corpus_colour(size_t c);
double chtml_heat_t(double r);
void chtml_heat_colour(char out[8], double r);
int chtml_heat_legend(struct cbuf *b);
double chtml_top(double v);
int chtml_rates_chart(struct cbuf *b, const struct creport_table *t, size_t m);
int chtml_defs_chart(struct cbuf *b, const struct creport_table *t, size_t k,
		     unsigned mask);
int chtml_histogram(struct cbuf *b, const struct creport_table *t, size_t k);

#endif
