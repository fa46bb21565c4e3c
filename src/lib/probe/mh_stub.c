/* TEMPORARY stub (deleted when mhindex's lookups land): CONTAM_MH_STUB
 * names a file of sorted band keys made by a test helper. */
#include "mh_stub.h"
#include "../index/index.h"
#include <stdio.h>
#include <stdlib.h>
static uint64_t *keys;
static size_t nkeys;
static cmh_params par;
const cmh_params *cindex_mh_params(const contam_index *ix)
{
	const char *f = getenv("CONTAM_MH_STUB");
	if (!f)
		return NULL;
	if (!keys) {
		FILE *fp = fopen(f, "rb");
		if (!fp)
			return NULL;
		fseek(fp, 0, SEEK_END);
		long n = ftell(fp);
		rewind(fp);
		keys = malloc((size_t)n + 8);
		nkeys = fread(keys, 8, (size_t)n / 8, fp);
		fclose(fp);
	}
	cmh_params_default(&par, ix->params.seed);
	return &par;
}
int cindex_mh_contains(const contam_index *ix, uint64_t key)
{
	(void)ix;
	size_t lo = 0, hi = nkeys;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (keys[m] < key)
			lo = m + 1;
		else if (keys[m] > key)
			hi = m;
		else
			return 1;
	}
	return 0;
}
double cindex_mh_band_fpr(const contam_index *ix) { (void)ix; return 1e-5; }
