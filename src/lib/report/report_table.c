/*
 * report_table.c -- the readable summary printed on stderr: one row per
 * benchmark, then the index it was probed against, so that a verdict can
 * be traced to the filter that produced it.
 */
#include "../common/common.h"
#include "report.h"

#include <inttypes.h>

int contam_report_table(const contam_result *r, FILE *out)
{
	size_t w = 9;
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		size_t l = strlen(r->benchmarks[i].name);
		if (l > w)
			w = l;
	}
	if (w > 40)
		w = 40;
	fprintf(out, "%-*s %9s %12s %8s %8s %9s %8s\n", (int)w, "benchmark",
		"examples", "contaminated", "partial", "clean", "too_short",
		"rate");
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *b = &r->benchmarks[i];
		double rate = b->examples ? 100.0 * (double)b->contaminated /
					    (double)b->examples : 0;
		fprintf(out, "%-*.*s %9" PRIu64 " %12" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %9" PRIu64 " %7.2f%%\n", (int)w, (int)w,
			b->name, b->examples, b->contaminated, b->partial,
			b->clean, b->too_short, rate);
	}
	const contam_index_stats *s = &r->index;
	fprintf(out, "index %s: %u-grams, recipe %s, %" PRIu64
		" n-grams inserted, fill %.1f%%, false-positive rate %.2g per n-gram\n",
		r->index_path ? r->index_path : "?", s->params.ngram, s->recipe,
		s->ngrams_inserted, 100.0 * s->fill, s->fpr);
	fprintf(out, "verdicts: contaminated = coverage >= 0.8, partial >= 0.2, "
		"coverage counts spans of >= %u tokens\n", r->min_span);
	return ferror(out) ? CONTAM_E_IO : CONTAM_OK;
}
