/*
 * probe_metrics.c -- the per-example metrics of DESIGN.md.
 *
 * For each example: tokenize with the index's recipe, hash its G = T-n+1
 * n-grams, look each up, and derive the metrics of DESIGN.md from the hit
 * vector:
 *   hits / overlap   n-grams found, and the fraction of G;
 *   longest          longest run of consecutive hits, in tokens (run+n-1);
 *   coverage         fraction of the T tokens inside a run whose span is
 *                    at least min_span tokens.  An example shorter than
 *                    min_span can still be covered by a span over all its
 *                    tokens (otherwise a fully copied 9-token item could
 *                    never be flagged); a lone false-positive hit spans
 *                    only n tokens and never counts.
 *   verdict          contaminated >= 0.8, partial >= 0.2, else clean;
 *                    too_short when T < n (reported, never clean).
 */
#include "probe_metrics.h"

void cprobe_score(contam_example *ex, const unsigned char *hit, size_t G,
		  size_t T, uint32_t n, uint32_t min_span)
{
	ex->tokens = (uint32_t)T;
	ex->ngrams = (uint32_t)G;
	ex->hits = 0;
	ex->longest = 0;
	ex->covered = 0;
	if (T < n) {
		ex->overlap = 0;
		ex->coverage = 0;
		ex->verdict = CONTAM_TOO_SHORT;
		return;
	}
	size_t need = min_span < T ? min_span : T;
	size_t covered_end = 0; /* tokens [0, covered_end) already counted */
	size_t covered = 0;
	for (size_t i = 0; i < G;) {
		if (!hit[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < G && hit[j])
			j++;
		size_t run = j - i, span = run + n - 1;
		ex->hits += (uint32_t)run;
		if (span > ex->longest)
			ex->longest = (uint32_t)span;
		if (span >= need) {
			size_t a = i, b = j - 1 + n; /* tokens [a, b) */
			if (a < covered_end)
				a = covered_end;
			if (b > a)
				covered += b - a;
			if (b > covered_end)
				covered_end = b;
		}
		i = j;
	}
	ex->covered = (uint32_t)covered;
	ex->overlap = G ? (double)ex->hits / (double)G : 0;
	ex->coverage = T ? (double)covered / (double)T : 0;
	if (ex->coverage >= 0.8)
		ex->verdict = CONTAM_CONTAMINATED;
	else if (ex->coverage >= 0.2)
		ex->verdict = CONTAM_PARTIAL;
	else
		ex->verdict = CONTAM_CLEAN;
}


const char *contam_verdict_name(contam_verdict v)
{
	switch (v) {
	case CONTAM_CLEAN: return "clean";
	case CONTAM_PARTIAL: return "partial";
	case CONTAM_CONTAMINATED: return "contaminated";
	case CONTAM_TOO_SHORT: return "too_short";
	}
	return "unknown";
}
