/*
 * probe_metrics.c -- verdict names, error bars and false-flag bounds.
 * The per-example metrics themselves are computed in probe_item.c.
 *
 * For each example: tokenize with the index's recipe, hash its G = T-n+1
 * n-grams, look each up, and derive the metrics of docs/SCORING.md from the hit
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

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void cprobe_tally(contam_benchmark *b, const contam_example *ex, size_t n,
		  const unsigned char *selected)
{
	b->examples = b->contaminated = b->partial = b->clean = b->too_short = 0;
	b->near_dup = b->near_dup_only = b->near_dup_unflagged = b->near_dup_unscored = 0;
	b->near_dup_one_band = 0;
	for (size_t i = 0; i < n; i++) {
		const contam_example *e = &ex[i];
		if ((selected && !selected[i]) ||
		    (e->benchmark != b->name && strcmp(e->benchmark, b->name)))
			continue;
		b->examples++;
		/* --near-dup beside the n-gram verdict: what it adds */
		if (e->has_near_dup) {
			bool flagged = e->verdict == CONTAM_CONTAMINATED ||
				       e->verdict == CONTAM_PARTIAL;
			b->near_dup += e->near_dup;
			b->near_dup_only += e->near_dup && e->verdict != CONTAM_CONTAMINATED;
			b->near_dup_unflagged += e->near_dup && !flagged;
			b->near_dup_unscored += e->near_dup_unscored;
			b->near_dup_one_band += !e->near_dup_unscored && e->near_dup_bands == 1;
		}
		switch (e->verdict) {
		case CONTAM_CONTAMINATED: b->contaminated++; break;
		case CONTAM_PARTIAL: b->partial++; break;
		case CONTAM_CLEAN: b->clean++; break;
		case CONTAM_TOO_SHORT: b->too_short++; break;
		}
	}
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

contam_qa_label contam_example_qa_label(const contam_example *e)
{
	bool q = e->q_tokens && (double)e->q_covered >= 0.2 * (double)e->q_tokens;
	bool a = e->a_tokens && (double)e->a_covered >= 0.2 * (double)e->a_tokens;
	if (q && a)
		return CONTAM_QA_QUESTION_ANSWER;
	if (q)
		return CONTAM_QA_QUESTION;
	if (a)
		return CONTAM_QA_ANSWER;
	return CONTAM_QA_CLEAN;
}

const char *contam_qa_label_name(contam_qa_label l)
{
	switch (l) {
	case CONTAM_QA_CLEAN: return "clean";
	case CONTAM_QA_QUESTION: return "question_contaminated";
	case CONTAM_QA_QUESTION_ANSWER: return "question_answer_contaminated";
	case CONTAM_QA_ANSWER: return "answer_contaminated";
	}
	return "unknown";
}

/*
 * Error bars
 * ----------
 * Wilson score interval (Wilson 1927) for k successes out of m:
 *     centre = (k + z^2/2) / (m + z^2)
 *     half   = z / (m + z^2) * sqrt(k (m - k) / m + z^2 / 4)
 * with z = 1.959964 for 95%.  Unlike the normal approximation it stays in
 * [0, 1] and is sensible at k = 0 (a rate of 0/1319 is not "0 +- 0").
 */
void cprobe_wilson(uint64_t k, uint64_t m, double *lo, double *hi)
{
	const double z = 1.959963984540054;
	if (m == 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	double dm = (double)m, dk = (double)k, z2 = z * z;
	double centre = (dk + z2 / 2) / (dm + z2);
	double half = z / (dm + z2) * sqrt(dk * (dm - dk) / dm + z2 / 4);
	*lo = centre - half < 0 ? 0 : centre - half;
	*hi = centre + half > 1 ? 1 : centre + half;
	if (k == 0)
		*lo = 0;
	if (k == m)
		*hi = 1;
}

/*
 * Probability of at least one run of >= r successes in G Bernoulli(p)
 * trials, exactly.  F(m) = P(such a run within the first m trials):
 * F(m) = 0 for m < r, F(r) = p^r, and for m > r a run first completes at
 * trial m exactly when trials m-r+1..m succeed, trial m-r fails and the
 * first m-r-1 trials hold no run:
 *     F(m) = F(m-1) + (1 - p) p^r (1 - F(m-r-1))      (F(-1) = F(0) = 0)
 * Summing the increments avoids the cancellation of 1 - P(no run) when
 * p^r is ~1e-18.  O(G) time, O(G) memory.
 */
double cprobe_p_run(size_t G, double p, size_t r)
{
	if (r == 0)
		return 1;
	if (G < r || p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	double pr = pow(p, (double)r);
	double *F = malloc((G + 1) * sizeof(*F));
	if (!F) /* union bound over the G - r + 1 starting points */
		return fmin(1, (double)(G - r + 1) * pr);
	for (size_t m = 0; m < r; m++)
		F[m] = 0;
	F[r] = pr;
	for (size_t m = r + 1; m <= G; m++)
		F[m] = F[m - 1] + (1 - p) * pr * (1 - F[m - r - 1]);
	double v = fmin(1, F[G]);
	free(F);
	return v;
}

/* P(X >= k) for X ~ Binomial(G, p), summed in log space from k up; the
 * terms fall geometrically once past the mode, so the sum stops early. */
double cprobe_binom_tail(size_t G, double p, size_t k)
{
	if (k == 0)
		return 1;
	if (k > G || p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	double lp = log(p), lq = log1p(-p), lg = lgamma((double)G + 1);
	double sum = 0;
	for (size_t j = k; j <= G; j++) {
		double t = exp(lg - lgamma((double)j + 1) -
			       lgamma((double)(G - j) + 1) +
			       (double)j * lp + (double)(G - j) * lq);
		sum += t;
		if ((double)j > (double)G * p && t < sum * 1e-17)
			break;
	}
	return fmin(1, sum);
}

/*
 * How likely false positives alone flag an example that is in truth
 * absent from the corpus, so that each of its G = T - n + 1 n-grams is a
 * false hit independently with the filter's rate p.
 *
 * A verdict needs covered tokens C >= ceil(frac * T) (0.8: contaminated,
 * 0.2: partial or worse), and tokens count only inside runs of
 * consecutive hits spanning >= s = min(min_span, T) tokens, i.e. runs of
 * length >= r = max(1, s - n + 1).  Two necessary conditions follow:
 *   (a) at least one run of >= r hits:           P_a = cprobe_p_run(G, p, r)
 *   (b) a run of L >= r hits covers L + n - 1 <= L (r + n - 1) / r tokens,
 *       so C covered tokens need H >= C r / (r + n - 1) hits in all:
 *                                                P_b = P(Bin(G, p) >= H)
 * The probability is at most min(P_a, P_b): an upper bound, exact for
 * partial verdicts on short examples where one run suffices.  Summed over
 * a benchmark's scored examples it is the expected number of verdicts
 * false positives could produce if no example were in the corpus.
 */
double cprobe_false_flag(size_t T, uint32_t n, uint32_t min_span, double p,
			 double frac)
{
	if (T < n || n == 0)
		return 0;
	size_t G = T - n + 1;
	size_t s = min_span < T ? min_span : T;
	size_t r = s > n - 1 ? s - (n - 1) : 1;
	size_t C = (size_t)ceil(frac * (double)T - 1e-9);
	if (C == 0)
		C = 1;
	size_t H = (size_t)ceil((double)C * (double)r / (double)(r + n - 1) - 1e-9);
	if (H < r)
		H = r;
	return fmin(cprobe_p_run(G, p, r), cprobe_binom_tail(G, p, H));
}

/*
 * Near-duplicate false positives
 * ------------------------------
 * An example none of whose windows is in the corpus is flagged when one
 * of its b band keys is a false positive of the minhash filter; at a
 * per-band rate p (measured from the filter's fill) that is
 *     1 - (1 - p)^b = -expm1(b log1p(-p)),
 * the second form exact where p is ~1e-6 and the first would lose digits
 * to 1 - p.  Over S scored examples, S times that are expected (band keys
 * of different examples are different keys of a well-mixed hash).
 */
double cprobe_near_dup_false(uint32_t bands, double band_fpr)
{
	if (!(band_fpr > 0) || bands == 0)
		return 0;
	if (band_fpr >= 1)
		return 1;
	return -expm1((double)bands * log1p(-band_fpr));
}

/* The same for the rule "at least min_bands of the b bands": the tail
 * P(Binomial(b, p) >= min_bands), summed from min_bands up (small terms,
 * no 1 - x to lose digits to); min_bands 0 or 1 is the form above. */
double cprobe_near_dup_false_at(uint32_t bands, double band_fpr, uint32_t min_bands)
{
	if (min_bands <= 1)
		return cprobe_near_dup_false(bands, band_fpr);
	if (!(band_fpr > 0) || bands == 0)
		return 0;
	return cprobe_binom_tail(bands, band_fpr >= 1 ? 1 : band_fpr, min_bands);
}
