/* TEMPORARY stub (deleted before merging). */
#include "mh_stub.h"
double cmh_threshold(uint32_t b, uint32_t r) { (void)b; (void)r; return 0.5; }
void cmh_jaccard_range(uint32_t b, uint32_t r, uint32_t c, double *lo, double *hi) { (void)b; (void)r; (void)c; *lo = 0; *hi = 1; }
int cmh_signature(const cmh_params *p, const uint64_t *sh, size_t n, uint64_t *sig) { (void)p; (void)sh; (void)sig; return n > 0; }
void cmh_band_keys(const cmh_params *p, const uint64_t *sig, uint64_t *keys) { (void)p; (void)sig; (void)keys; }
int cmh_item_new(cmh_item **out, const cmh_params *p) { (void)p; *out = NULL; return 0; }
void cmh_item_reset(cmh_item *it) { (void)it; }
int cmh_item_add_text(cmh_item *it, const char *text, size_t len) { (void)it; (void)text; (void)len; return 0; }
size_t cmh_item_shingles(const cmh_item *it, const uint64_t **sh) { (void)it; *sh = NULL; return 0; }
size_t cmh_item_tokens(const cmh_item *it) { (void)it; return 0; }
void cmh_item_free(cmh_item *it) { (void)it; }
const cmh_params *cindex_mh_params(const contam_index *ix) { (void)ix; return NULL; }
int cindex_mh_contains(const contam_index *ix, uint64_t key) { (void)ix; (void)key; return -1; }
double cindex_mh_band_fpr(const contam_index *ix) { (void)ix; return 0; }
