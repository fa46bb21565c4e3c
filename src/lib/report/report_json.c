/*
 * report_json.c -- the report JSON, version 1 (DESIGN.md).  Fields may be
 * added, never renamed.  Sees only the result structs.
 *
 * Beyond the contract, each benchmark carries `partial_rate`,
 * `scored` (examples that are not too_short) and `expected_false_contaminated`,
 * the number of contaminated verdicts the filter's false-positive rate
 * could explain; the index carries its fill and geometry.
 */
#include "../common/common.h"
#include "report.h"

#include <inttypes.h>
#include <math.h>

/* JSON has no NaN/Inf; print finite numbers with enough digits. */
static int put_num(cbuf *b, double v)
{
	if (!isfinite(v))
		v = 0;
	return cbuf_printf(b, "%.6g", v);
}

static int put_str(cbuf *b, const char *s)
{
	if (!s)
		return cbuf_append(b, "null", 4);
	return cbuf_json_string(b, s, strlen(s));
}

double creport_expected_false(const contam_result *r, const contam_benchmark *bm)
{
	/* A clean example turns contaminated only if false hits build spans
	 * of >= min_span tokens over most of it: at least (min_span - n + 1)
	 * consecutive false n-gram hits.  Bound by the chance of one such run
	 * anywhere in an example of typical length (256 n-grams). */
	uint32_t n = r->index.params.ngram;
	uint32_t run = r->min_span > n ? r->min_span - n + 1 : 1;
	double p_run = pow(r->index.fpr, (double)run) * 256.0;
	if (p_run > 1)
		p_run = 1;
	return p_run * (double)(bm->examples - bm->too_short);
}

int contam_report_json(const contam_result *r, FILE *out)
{
	cbuf b = CBUF_INIT;
	int rc = 0;
	const contam_index_stats *s = &r->index;

	rc |= cbuf_printf(&b, "{\n  \"report_version\": 1,\n"
			  "  \"tool\": {\"name\": \"contam\", \"version\": ");
	rc |= put_str(&b, contam_version());
	rc |= cbuf_printf(&b, "},\n  \"index\": {\"path\": ");
	rc |= put_str(&b, r->index_path);
	rc |= cbuf_printf(&b, ", \"ngram\": %u, \"recipe\": ", s->params.ngram);
	rc |= put_str(&b, s->recipe);
	rc |= cbuf_printf(&b, ", \"fpr\": ");
	rc |= put_num(&b, s->fpr);
	rc |= cbuf_printf(&b, ", \"ngrams_inserted\": %" PRIu64
			  ", \"documents\": %" PRIu64 ", \"fill\": ",
			  s->ngrams_inserted, s->documents);
	rc |= put_num(&b, s->fill);
	rc |= cbuf_printf(&b, ", \"k\": %u, \"filter_bytes\": %" PRIu64
			  ", \"min_span\": %u},\n",
			  s->params.k, s->filter_bytes, r->min_span);

	rc |= cbuf_printf(&b, "  \"benchmarks\": [");
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *bm = &r->benchmarks[i];
		rc |= cbuf_printf(&b, "%s\n    {\"name\": ", i ? "," : "");
		rc |= put_str(&b, bm->name);
		rc |= cbuf_printf(&b, ", \"sources\": [");
		for (size_t j = 0; j < bm->nsources; j++) {
			if (j)
				rc |= cbuf_printf(&b, ", ");
			rc |= put_str(&b, bm->sources[j]);
		}
		double ex = (double)bm->examples;
		rc |= cbuf_printf(&b, "], \"examples\": %" PRIu64
				  ", \"contaminated\": %" PRIu64
				  ", \"partial\": %" PRIu64 ", \"clean\": %" PRIu64
				  ", \"too_short\": %" PRIu64 ", \"contaminated_rate\": ",
				  bm->examples, bm->contaminated, bm->partial,
				  bm->clean, bm->too_short);
		rc |= put_num(&b, ex > 0 ? (double)bm->contaminated / ex : 0);
		rc |= cbuf_printf(&b, ", \"partial_rate\": ");
		rc |= put_num(&b, ex > 0 ? (double)bm->partial / ex : 0);
		rc |= cbuf_printf(&b, ", \"expected_false_contaminated\": ");
		rc |= put_num(&b, creport_expected_false(r, bm));
		rc |= cbuf_printf(&b, "}");
	}
	rc |= cbuf_printf(&b, "%s],\n  \"examples\": [", r->nbenchmarks ? "\n  " : "");
	for (size_t i = 0; i < r->nexamples; i++) {
		const contam_example *e = &r->examples[i];
		rc |= cbuf_printf(&b, "%s\n    {\"benchmark\": ", i ? "," : "");
		rc |= put_str(&b, e->benchmark);
		rc |= cbuf_printf(&b, ", \"source\": ");
		rc |= put_str(&b, e->source);
		rc |= cbuf_printf(&b, ", \"record\": %" PRIu64 ", \"line\": %" PRIu64
				  ", \"id\": ", e->record, e->line);
		rc |= put_str(&b, e->id);
		rc |= cbuf_printf(&b, ", \"tokens\": %u, \"ngrams\": %u, \"hits\": %u"
				  ", \"overlap\": ", e->tokens, e->ngrams, e->hits);
		rc |= put_num(&b, e->overlap);
		rc |= cbuf_printf(&b, ", \"coverage\": ");
		rc |= put_num(&b, e->coverage);
		rc |= cbuf_printf(&b, ", \"longest\": %u, \"verdict\": \"%s\"}",
				  e->longest, contam_verdict_name(e->verdict));
		if (b.len > (1u << 20)) { /* stream large reports */
			if (fwrite(b.data, 1, b.len, out) != b.len)
				rc = -1;
			cbuf_reset(&b);
		}
	}
	rc |= cbuf_printf(&b, "%s]\n}\n", r->nexamples ? "\n  " : "");
	if (rc) {
		cbuf_release(&b);
		return CONTAM_E_NOMEM;
	}
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0)
		rc = CONTAM_E_IO;
	cbuf_release(&b);
	return rc;
}
