/* TEMPORARY stub of mhindex's core and lookups (deleted before merging). */
#ifndef MH_STUB_H
#define MH_STUB_H
#include "contam.h"
#include <stddef.h>
#include <stdint.h>
#define CMH_MAX_WINDOWS 8
#define CMH_MAX_BINS 512
typedef struct cmh_params {
	uint32_t shingle;
	uint32_t bands, rows;
	uint32_t nwindows;
	uint32_t windows[CMH_MAX_WINDOWS];
	uint32_t stride_div;
	uint64_t seed;
} cmh_params;
double cmh_threshold(uint32_t b, uint32_t r);
void cmh_jaccard_range(uint32_t b, uint32_t r, uint32_t c, double *lo, double *hi);
int cmh_signature(const cmh_params *p, const uint64_t *sh, size_t n, uint64_t *sig);
void cmh_band_keys(const cmh_params *p, const uint64_t *sig, uint64_t *keys);
typedef struct cmh_item cmh_item;
int cmh_item_new(cmh_item **out, const cmh_params *p);
void cmh_item_reset(cmh_item *it);
int cmh_item_add_text(cmh_item *it, const char *text, size_t len);
size_t cmh_item_shingles(const cmh_item *it, const uint64_t **sh);
size_t cmh_item_tokens(const cmh_item *it);
void cmh_item_free(cmh_item *it);
const cmh_params *cindex_mh_params(const contam_index *ix);
int cindex_mh_contains(const contam_index *ix, uint64_t key);
double cindex_mh_band_fpr(const contam_index *ix);
#endif
