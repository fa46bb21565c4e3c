/* report.h -- helpers shared by the report renderers. */
#ifndef CONTAM_REPORT_H
#define CONTAM_REPORT_H

#include "contam.h"

/* How many contaminated verdicts false positives could explain. */
double creport_expected_false(const contam_result *r, const contam_benchmark *bm);

#endif
