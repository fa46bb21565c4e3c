/* probe_clean.h -- what probe_clean.c needs of a probe (probe.c). */
#ifndef CONTAM_PROBE_CLEAN_H
#define CONTAM_PROBE_CLEAN_H

#include "../common/common.h"

/* The probe's options, with its owned copies of the strings. */
const contam_probe_options *cprobe_options(const contam_probe *p);
/* The probe's error record (contam_probe_errmsg reads it). */
cerr *cprobe_err(contam_probe *p);
/* Whether some source was given in memory (contam_probe_add_buffer):
 * there is no file to read again. */
int cprobe_has_buffers(const contam_probe *p);

#endif
