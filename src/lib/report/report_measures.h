/*
 * report_measures.h -- the one table of measures every `contam report`
 * renderer reads (md, LaTeX, CSV, CONDA, HTML), so that a column means
 * the same thing in every format.
 *
 * Built from the parsed reports: per corpus (column) x benchmark (row) x
 * measure, the count, n, rate and 95% Wilson interval the report holds,
 * the expected false verdicts of THAT measure and the null control of
 * THAT measure.  Reports of one corpus (same "label", or without labels
 * the same index path) are merged into one column.
 */
#ifndef CONTAM_REPORT_MEASURES_H
#define CONTAM_REPORT_MEASURES_H

#include "report.h"

#include <stdbool.h>

typedef enum creport_state {
	CREPORT_VALUE = 0,   /* a number */
	CREPORT_NA,          /* the index cannot tell it, or nothing scored */
	CREPORT_NOT_PROBED   /* the option was not used / benchmark not probed */
} creport_state;

typedef struct creport_rate_v {
	creport_state state;
	double count, n, rate, lo, hi;
} creport_rate_v;

/* The measures, in column order.  The first CREPORT_NMAIN are the ones
 * the tables show; the rest are CSV rows only. */
enum {
	CM_CONTAMINATED = 0, /* contam: coverage >= 0.8 */
	CM_PARTIAL,          /* contam: 0.2 <= coverage < 0.8 (partial only) */
	CM_PARTIAL_PLUS,     /* contam: coverage >= 0.2 (JSON "flagged") */
	CM_GPT3,
	CM_PALM,
	CM_L2_DIRTY,
	CM_L2_NOT_CLEAN,
	CM_ANY,              /* flagged by any definition the index can tell */
	CM_NEAR_DUP,         /* probe --near-dup: any MinHash band matched */
	CM_NEAR_DUP_ONLY,    /* near-dup and not contaminated by n-grams */
	CREPORT_NMAIN,
	CM_L2_CLEAN = CREPORT_NMAIN,
	CM_L2_NOT_DIRTY,
	CM_LONGEST,          /* a length in tokens (count), not a rate */
	CM_QA_CLEAN,
	CM_QA_Q,
	CM_QA_QA,
	CM_QA_A,
	CREPORT_NMEASURES
};

typedef struct creport_measure_info {
	const char *def;      /* definition: contam, gpt3, palm, llama2, any ... */
	const char *measure;  /* its name in CSV: contaminated, partial, partial+ */
	const char *title;    /* the column title in md / HTML */
	const char *latex;    /* the caption's name in LaTeX */
	const char *rule;     /* what it counts, for captions and notes */
} creport_measure_info;

extern const creport_measure_info CREPORT_MEASURES[CREPORT_NMEASURES];

typedef struct creport_cell {
	creport_rate_v v;
	double expected_false;  /* NaN: none for this measure */
	creport_rate_v null;    /* NOT_PROBED without --null-control */
	const char *why;        /* the report's reason when v is NA, or NULL */
} creport_cell;

typedef struct creport_row {
	json_t *bench;          /* NULL: not probed in this corpus */
	size_t report;          /* which report it came from */
	creport_cell cells[CREPORT_NMEASURES];
} creport_row;

typedef struct creport_corpus {
	char *label;            /* shown: "label", else the index file name */
	size_t *reports;        /* indexes into creport_table.reports */
	size_t nreports;
} creport_corpus;

typedef struct creport_table {
	json_t **reports;
	const char *const *paths;
	size_t nreports;
	creport_corpus *corpora;
	size_t ncorpora;
	const char **bench;     /* benchmark names, first seen first */
	size_t nbench;
	creport_row *rows;      /* [corpus * nbench + bench] */
	/* some report has near-dup results (probe --near-dup): the tables
	 * show their columns; without, they are the same as before */
	bool near_dup;
} creport_table;

/* The near-dup measures, shown by default when the table has them. */
#define CREPORT_NEAR_DUP_MEASURES (1u << CM_NEAR_DUP | 1u << CM_NEAR_DUP_ONLY)
static inline unsigned creport_near_dup_shown(const creport_table *t)
{
	return t->near_dup ? CREPORT_NEAR_DUP_MEASURES : 0;
}

int creport_table_build(creport_table *t, json_t **reports,
			const char *const *paths, size_t n);
void creport_table_free(creport_table *t);

static inline const creport_row *creport_row_at(const creport_table *t,
						 size_t corpus, size_t bench)
{
	return &t->rows[corpus * t->nbench + bench];
}

/* Definition names of `contam report --definition` (gpt3, palm, llama2,
 * contam, any, near_dup) -> the measures they show, as a bit mask of 1 << CM_*;
 * 0 for an unknown name. */
unsigned creport_definition_measures(const char *name);

/* Decimals of a rate in percent: enough that the interval's ends and the
 * rate read apart ("0.10 [0.03, 0.35]", never "0.1 [0.0, 0.1]"). */
int creport_decimals(const creport_rate_v *v);
/* "r<pct> [lo, hi]" at creport_decimals; "n/a"; `dash` when not probed. */
void creport_fmt_rate(char *out, size_t len, const creport_rate_v *v,
		      const char *pct, const char *dash);
/* "<0.01", "5.57"; "n/a" for NaN. */
void creport_fmt_expected(char *out, size_t len, double v);
/* A count as an integer. */
void creport_fmt_count(char *out, size_t len, const creport_rate_v *v,
		       const char *dash);

/* The --provenance list as HTML (report_render.c). */
struct cbuf;
int creport_provenance_html(struct cbuf *b, const creport_table *t);
/* Under the tables, always: per corpus whose index left inputs unread,
 * what was not read (HTML). */
int creport_unread_html(struct cbuf *b, const creport_table *t);

#endif
