/* TEMPORARY stub (deleted when mhindex's lookups land). */
#include "mh_stub.h"
const cmh_params *cindex_mh_params(const contam_index *ix) { (void)ix; return NULL; }
int cindex_mh_contains(const contam_index *ix, uint64_t key) { (void)ix; (void)key; return -1; }
double cindex_mh_band_fpr(const contam_index *ix) { (void)ix; return 0; }
