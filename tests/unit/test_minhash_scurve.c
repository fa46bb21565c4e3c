/*
 * test_minhash_scurve.c -- the LSH S-curve, measured (docs/NEARDUP.md).
 *
 * Pairs of shingle sets with an exact Jaccard by construction: a union of
 * U distinct random hashes, I = J * U of them in both sets, the rest split
 * evenly between the two.  For each pair the b band keys of both
 * signatures (cmh_signature, cmh_band_keys: one-permutation hashing with
 * optimal densification) are compared; the share of pairs with any band
 * equal must be within a few points of 1 - (1 - J^r)^b.  Sets are of the
 * size of real benchmark items (an MMLU question is 20-60 shingles, a
 * GSM8K question with its answer 80-150).
 *
 * Then the small-set deviation (docs/NEARDUP.md): with K = b * r bins and
 * a set of n < K shingles, most bins are copies made by densification, so
 * bins are no longer independent and a pair's bands agree more often than
 * J^r each.  Measured at set sizes 10, 30 and 100 and printed; the checks
 * are the deviation's direction and that it fades by 100.
 */
#include "ngram/minhash.h"
#include "testutil.h"

#include <math.h>

#define TRIALS 3000
#define MAXSET 1024

static uint64_t ctr;

static uint64_t next_hash(void)
{
	return cmix64(++ctr * 0x9e3779b97f4a7c15ULL);
}

/* A pair with |A u B| = u, |A n B| = shared; the rest split evenly. */
static void make_pair(size_t u, size_t shared, uint64_t *a, size_t *na, uint64_t *b, size_t *nb)
{
	size_t own = u - shared;
	*na = *nb = 0;
	for (size_t i = 0; i < shared; i++) {
		uint64_t v = next_hash();
		a[(*na)++] = v;
		b[(*nb)++] = v;
	}
	for (size_t i = 0; i < own; i++) {
		if (i % 2 == 0)
			a[(*na)++] = next_hash();
		else
			b[(*nb)++] = next_hash();
	}
}

/* Share of TRIALS pairs with any band equal, and the mean bands equal. */
static double match_rate_n(const cmh_params *p, size_t u, size_t shared, double *mean_bands,
			   int trials)
{
	static uint64_t a[MAXSET], b[MAXSET];
	uint64_t sa[CMH_MAX_BINS], sb[CMH_MAX_BINS], ka[CMH_MAX_BINS], kb[CMH_MAX_BINS];
	size_t na, nb, hit = 0, bands = 0;
	for (int t = 0; t < trials; t++) {
		make_pair(u, shared, a, &na, b, &nb);
		cmh_signature(p, a, na, sa);
		cmh_signature(p, b, nb, sb);
		cmh_band_keys(p, sa, ka);
		cmh_band_keys(p, sb, kb);
		size_t c = 0;
		for (uint32_t i = 0; i < p->bands; i++)
			c += ka[i] == kb[i];
		hit += c > 0;
		bands += c;
	}
	if (mean_bands)
		*mean_bands = (double)bands / trials;
	return (double)hit / trials;
}

static double match_rate(const cmh_params *p, size_t u, size_t shared, double *mean_bands)
{
	return match_rate_n(p, u, shared, mean_bands, TRIALS);
}

static void set_br(cmh_params *p, uint32_t b, uint32_t r)
{
	p->bands = b;
	p->rows = r;
}

/* The S-curve at J = 0.3, 0.5, 0.7 on item-sized sets: empirical within
 * 3.5 points of theory (the binomial standard error at TRIALS is under
 * 1 point; the rest is the method's own small bias, see below). */
static void test_scurve(void)
{
	const uint32_t br[][2] = { { 0, 0 } /* defaults */, { 8, 3 }, { 16, 2 }, { 20, 3 } };
	const double js[] = { 0.3, 0.5, 0.7 };
	const size_t us[] = { 60, 200 };  /* union sizes: J * U is exact */
	printf("S-curve: any-band match rate, empirical vs 1-(1-J^r)^b (%d pairs each)\n", TRIALS);
	for (size_t c = 0; c < sizeof(br) / sizeof(br[0]); c++) {
		cmh_params p;
		cmh_params_default(&p, 0xc0ffee);
		if (br[c][0])
			set_br(&p, br[c][0], br[c][1]);
		for (size_t ui = 0; ui < sizeof(us) / sizeof(us[0]); ui++) {
			for (size_t ji = 0; ji < 3; ji++) {
				size_t shared = (size_t)lround(js[ji] * (double)us[ui]);
				double j = (double)shared / (double)us[ui];
				CHECK(fabs(j - js[ji]) < 1e-9);
				double emp = match_rate(&p, us[ui], shared, NULL);
				double th = cmh_match_prob(p.bands, p.rows, j);
				printf("  b=%2u r=%u |A u B|=%3zu J=%.1f: %.3f theory %.3f (%+.3f)\n",
				       p.bands, p.rows, us[ui], j, emp, th, emp - th);
				CHECK(fabs(emp - th) < 0.035);
			}
		}
		/* the curve is steep where it should be: far below the threshold
		 * it stays low, far above it high */
		double lo = match_rate(&p, 200, 10, NULL), hi = match_rate(&p, 200, 180, NULL);
		printf("  b=%2u r=%u J=0.05: %.3f (theory %.3f), J=0.9: %.3f (theory %.3f)\n",
		       p.bands, p.rows, lo, cmh_match_prob(p.bands, p.rows, 0.05), hi,
		       cmh_match_prob(p.bands, p.rows, 0.9));
		CHECK(lo < cmh_match_prob(p.bands, p.rows, 0.05) + 0.03);
		CHECK(hi > 0.95);
	}
}

/* One-permutation hashing with densification on small sets: pairs of
 * sets of n shingles each (J = 1/3 and J = 0.5, and the pair sharing
 * one shingle only), printed against theory.  With n << K, a filled
 * bin's value is copied into ~K/n empty bins; two sets that share a
 * filled bin (probability ~J) share the copies too where both copy from
 * it, so whole bands agree from one shared minimum: the match rate rises
 * above theory, most at small J (one shared shingle can match a band). */
static void small_sets(uint32_t b, uint32_t r)
{
	const size_t ns[] = { 10, 30, 100 };
	cmh_params p;
	cmh_params_default(&p, 0xc0ffee);
	if (b)
		set_br(&p, b, r);
	const uint32_t k = p.bands * p.rows;
	double dev_one[3] = { 0 }, dev_half[3] = { 0 };
	printf("small sets (b=%u r=%u, K=%u bins): n shingles a set\n", p.bands, p.rows, k);
	for (size_t i = 0; i < 3; i++) {
		size_t n = ns[i];
		/* J = 1/3: shared = n/2 of each set of n */
		size_t sh3 = n / 2, u3 = 2 * n - sh3;
		/* J = 0.5: shared = 2n/3 */
		size_t sh5 = (2 * n + 1) / 3, u5 = 2 * n - sh5;
		double mb;
		double e3 = match_rate(&p, u3, sh3, NULL);
		double e5 = match_rate(&p, u5, sh5, &mb);
		double e1 = match_rate_n(&p, 2 * n - 1, 1, NULL, 40000);
		double j3 = (double)sh3 / (double)u3, j5 = (double)sh5 / (double)u5;
		double j1 = 1.0 / (double)(2 * n - 1);
		double t3 = cmh_match_prob(p.bands, p.rows, j3), t5 = cmh_match_prob(p.bands, p.rows, j5);
		double t1 = cmh_match_prob(p.bands, p.rows, j1);
		printf("  n=%3zu: J=%.2f %.3f (theory %.3f)  J=%.2f %.3f (theory %.3f, "
		       "%.2f bands)  one shared (J=%.3f) %.4f (theory %.4f)\n",
		       n, j3, e3, t3, j5, e5, t5, mb, j1, e1, t1);
		dev_one[i] = e1 - t1;
		dev_half[i] = e5 - t5;
	}
	/* the deviation is upward and shrinks as sets fill the bins */
	CHECK(dev_one[0] > dev_one[2]);
	CHECK(dev_one[0] > 0.0);
	CHECK(fabs(dev_half[2]) < 0.035);
	CHECK(fabs(dev_one[2]) < 0.005);
}

static void test_small_sets(void)
{
	small_sets(0, 0);  /* the defaults */
	small_sets(8, 3);
	small_sets(16, 2);
}

/* The threshold helpers agree with the measured curve's midpoint: at
 * J = threshold the any-band rate is about 1 - (1 - 1/b)^b (0.63 for
 * large b). */
static void test_threshold(void)
{
	cmh_params p;
	cmh_params_default(&p, 7);
	double t = cmh_threshold(p.bands, p.rows);
	size_t u = 400, shared = (size_t)lround(t * (double)u);
	double emp = match_rate(&p, u, shared, NULL);
	double th = cmh_match_prob(p.bands, p.rows, (double)shared / (double)u);
	printf("threshold J=%.3f (b=%u r=%u): measured %.3f, theory %.3f\n", t, p.bands, p.rows, emp, th);
	CHECK(fabs(emp - th) < 0.035);
	CHECK(th > 0.5 && th < 0.75);
}

int main(void)
{
	test_scurve();
	test_small_sets();
	test_threshold();
	return tu_finish("test_minhash_scurve");
}
