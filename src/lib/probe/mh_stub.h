/* TEMPORARY stub of mhindex's index lookups (deleted when they land). */
#ifndef MH_STUB_H
#define MH_STUB_H
#include "contam.h"
#include "../ngram/minhash.h"
const cmh_params *cindex_mh_params(const contam_index *ix);
int cindex_mh_contains(const contam_index *ix, uint64_t key);
double cindex_mh_band_fpr(const contam_index *ix);
#endif
