/*
 * report_json.c -- the report JSON, version 1 (docs/REPORT.md).  Fields may be
 * added, never renamed.  Sees only the result structs.
 *
 * Beyond the contract, each benchmark carries `partial_rate`,
 * `scored` (examples that are not too_short) and `expected_false_contaminated`,
 * the number of contaminated verdicts the filter's false-positive rate
 * could explain; the index carries its fill and geometry.
 *
 * Per benchmark: `definitions` (contam, gpt3, palm, llama2,
 * longest: each rate as {count, n, rate, ci95: Wilson 95%}, each with the
 * expected number of false verdicts, or {"available": false, "why"}),
 * `coverage_histogram` (10 bins of coverage over scored examples),
 * `null_control` and `question_answer` when probed with them; per example,
 * `definitions`, `qa` and `evidence` (longest matched spans as text).
 * probe --near-dup adds `index.minhash`, `options.near_dup`, per benchmark
 * `near_dup` (rates over the examples with a signature, the rule
 * min_bands, the examples on exactly one band, expected false near-dups) and per example `near_dup`, `near_dup_bands`,
 * `near_dup_jaccard` and `near_dup_shingles`; without it none of these
 * keys is written (the same bytes as before).
 */
#include "../common/common.h"
#include "../probe/probe_metrics.h"
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <xxhash.h>

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
	return creport_expected_false_at(r, bm, r->min_span, 0.8);
}

double creport_expected_false_at(const contam_result *r,
				 const contam_benchmark *bm, uint32_t min_span,
				 double frac)
{
	/* Sum over the benchmark's scored examples of the chance that false
	 * hits alone reach the coverage `frac` (cprobe_false_flag explains
	 * the bound): the expected number of such verdicts if none of the
	 * examples were in the corpus. */
	double sum = 0;
	uint32_t n = r->index.params.ngram;
	for (size_t i = 0; i < r->nexamples; i++) {
		const contam_example *e = &r->examples[i];
		if (e->benchmark != bm->name && strcmp(e->benchmark, bm->name))
			continue;
		if (e->verdict == CONTAM_TOO_SHORT)
			continue;
		sum += cprobe_false_flag(e->tokens, n, min_span, r->index.fpr, frac);
	}
	return sum;
}

uint64_t creport_inputs_digest(const contam_index *ix, uint64_t *ninputs)
{
	/* the content of each input (size and fingerprint) and what was
	 * read from it (documents, text bytes), in manifest order; not the
	 * paths, so that a copy of the same data indexed elsewhere has the
	 * same digest, nor the n-grams, so that indexes of another n do */
	XXH3_state_t *st = XXH3_createState();
	size_t n = ix ? contam_index_manifest_count(ix) : 0;
	uint64_t h = 0;
	*ninputs = n;
	if (!st)
		return 0;
	XXH3_64bits_reset(st);
	for (size_t i = 0; i < n; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		uint64_t v[4] = { e->size, e->fingerprint, e->documents, e->bytes_text };
		XXH3_64bits_update(st, v, sizeof v);
	}
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

void creport_index_unread(const contam_index *ix, contam_result *r)
{
	memset(r->unread_problems, 0, sizeof r->unread_problems);
	memset(r->unread_skipped, 0, sizeof r->unread_skipped);
	r->unread_inputs = 0;
	size_t n = ix ? contam_index_manifest_count(ix) : 0;
	for (size_t i = 0; i < n; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		int any = 0;
		for (int k = 0; k < CONTAM_PROBLEMS; k++) {
			r->unread_problems[k] += e->problems[k];
			any |= e->problems[k] > 0;
		}
		/* an index file written without input notes has only the
		 * damaged count */
		if (!any && e->errors) {
			r->unread_problems[CONTAM_PROBLEM_DAMAGED] += e->errors;
			any = 1;
		}
		r->unread_inputs += any;
	}
	size_t nk = ix ? contam_index_skip_count(ix) : 0;
	for (size_t i = 0; i < nk; i++) {
		const contam_input_skip *k = contam_index_skip_get(ix, i);
		if ((unsigned)k->reason < CONTAM_SKIP_REASONS)
			r->unread_skipped[k->reason] += k->count;
	}
}

int creport_has_unread(const contam_result *r)
{
	for (int k = 0; k < CONTAM_SKIP_REASONS; k++)
		if (r->unread_skipped[k])
			return 1;
	return r->unread_inputs > 0;
}

/* ", "unread": {...}": what the index's builds did not read.  Keys of
 * the report's own (contam_problem_name and contam_skip_reason_name are
 * phrases for people). */
static int put_unread(cbuf *b, const contam_result *r)
{
	static const char *const problem_key[CONTAM_PROBLEMS] = {
		[CONTAM_PROBLEM_DAMAGED] = "damaged_records",
		[CONTAM_PROBLEM_NO_TEXT] = "records_without_text",
		[CONTAM_PROBLEM_UNREADABLE] = "unreadable_inputs",
		[CONTAM_PROBLEM_EMPTY] = "inputs_without_documents",
		[CONTAM_PROBLEM_NOT_UTF8] = "not_utf8_bytes",
	};
	static const char *const skip_key[CONTAM_SKIP_REASONS] = {
		[CONTAM_SKIP_UNKNOWN_KIND] = "unknown_kind",
		[CONTAM_SKIP_CONTAM_OUTPUT] = "contam_output",
		[CONTAM_SKIP_EXCLUDED] = "excluded",
		[CONTAM_SKIP_DUPLICATE] = "duplicate",
	};
	int rc = cbuf_printf(b, ", \"unread\": {\"inputs_with_problems\": %"
			     PRIu64, r->unread_inputs);
	for (int k = 0; k < CONTAM_PROBLEMS; k++)
		rc |= cbuf_printf(b, ", \"%s\": %" PRIu64, problem_key[k],
				  r->unread_problems[k]);
	rc |= cbuf_printf(b, ", \"skipped_files\": {");
	for (int k = 0, first = 1; k < CONTAM_SKIP_REASONS; k++) {
		if (!skip_key[k])
			continue; /* hidden entries: not kept in an index */
		rc |= cbuf_printf(b, "%s\"%s\": %" PRIu64, first ? "" : ", ",
				  skip_key[k], r->unread_skipped[k]);
		first = 0;
	}
	return rc | cbuf_printf(b, "}}");
}

/* ", "key": ["a", "b"]" */
/* ["a", "b", ...] */
static int put_str_array(cbuf *b, const char *const *v, size_t n)
{
	int rc = cbuf_printf(b, "[");
	for (size_t i = 0; i < n; i++) {
		rc |= cbuf_printf(b, "%s", i ? ", " : "");
		rc |= put_str(b, v[i]);
	}
	return rc | cbuf_printf(b, "]");
}

static int put_str_list(cbuf *b, const char *key, const char *const *v, size_t n)
{
	return cbuf_printf(b, ", \"%s\": ", key) | put_str_array(b, v, n);
}

/* "options": every probe option that changes a number of the report
 * (docs/REPORT.md), so that a table can be traced to its run. */
static int put_options(cbuf *b, const contam_result *r)
{
	const contam_probe_options *o = r->options;
	int rc = cbuf_printf(b, "  \"options\": {\"min_span\": %u", r->min_span);
	rc |= put_str_list(b, "fields", o->fields, o->nfields);
	rc |= put_str_list(b, "question_fields", o->question_fields, o->nquestion_fields);
	rc |= put_str_list(b, "answer_fields", o->answer_fields, o->nanswer_fields);
	rc |= cbuf_printf(b, ", \"id_field\": ");
	rc |= put_str(b, o->id_field);
	rc |= cbuf_printf(b, ", \"records\": ");
	rc |= put_str(b, o->records);
	rc |= cbuf_printf(b, ", \"lines_per_record\": %u, \"no_header\": %s"
			  ", \"header\": %s, \"null_control\": %s, \"join_fields\": %s"
			  ", \"keep_labels\": %s, \"drop_labels\": %s, \"template_share\": ",
			  o->lines_per_record ? o->lines_per_record : 1,
			  o->no_header ? "true" : "false", o->force_header ? "true" : "false",
			  r->null_control ? "true" : "false",
			  r->rules.join_fields ? "true" : "false",
			  r->rules.keep_labels ? "true" : "false",
			  r->rules.drop_labels ? "true" : "false");
	rc |= put_num(b, r->rules.template_share);
	rc |= cbuf_printf(b, ", \"template_min\": %u, \"cjk_chars_per_word\": %u"
			  ", \"max_doc_freq\": ", r->rules.template_min,
			  r->rules.cjk_chars_per_word);
	if (r->max_doc_freq)
		rc |= cbuf_printf(b, "%" PRIu64, r->max_doc_freq);
	else
		rc |= cbuf_printf(b, "null");
	if (r->near_dup)
		rc |= cbuf_printf(b, ", \"near_dup\": true, \"near_dup_bands\": %u",
				  r->near_dup_min_bands ? r->near_dup_min_bands : 1);
	return rc | cbuf_printf(b, "},\n");
}

/* {"count": k, "n": m, "rate": k/m, "ci95": [lo, hi]} */
static int put_rate(cbuf *b, uint64_t k, uint64_t m)
{
	double lo, hi;
	int rc = 0;
	cprobe_wilson(k, m, &lo, &hi);
	rc |= cbuf_printf(b, "{\"count\": %" PRIu64 ", \"n\": %" PRIu64
			  ", \"rate\": ", k, m);
	rc |= put_num(b, m ? (double)k / (double)m : 0);
	rc |= cbuf_printf(b, ", \"ci95\": [");
	rc |= put_num(b, lo);
	rc |= cbuf_printf(b, ", ");
	rc |= put_num(b, hi);
	rc |= cbuf_printf(b, "]}");
	return rc;
}

static bool same_benchmark(const contam_example *e, const contam_benchmark *bm)
{
	return e->benchmark == bm->name || strcmp(e->benchmark, bm->name) == 0;
}

/* How choice labels were read (contam_rules): "either" (both ways, the
 * better kept), "kept" or "dropped". */
static const char *labels_rule(const contam_rules *rules)
{
	return rules->keep_labels ? "kept" : rules->drop_labels ? "dropped" : "either";
}

/* Llama 2 buckets of one example from its coverage by spans >= 10. */
static const char *llama2_bucket(const contam_example *e)
{
	double c = e->tokens ? (double)e->covered10 / (double)e->tokens : 0;
	/* not measured: in no bucket (Llama 2's rule would call it clean,
	 * and a benchmark of short items would read 100% clean) */
	if (e->verdict == CONTAM_TOO_SHORT)
		return "too_short";
	if (c >= 0.8)
		return "dirty";
	if (contam_example_flagged(e, CONTAM_DEF_LLAMA2)) /* c >= 0.2 */
		return "not_clean";
	return "clean";
}

/* The per-benchmark "definitions" object, the null control and the
 * question/answer split. */
static int put_benchmark_definitions(cbuf *b, const contam_result *r,
				     const contam_benchmark *bm)
{
	uint32_t n = r->index.params.ngram;
	uint64_t m = bm->examples, gpt3 = 0, palm = 0;
	uint64_t l_clean = 0, l_not_clean = 0, l_dirty = 0, l_short = 0;
	uint64_t longest_max = 0, longest_sum = 0, scored = 0;
	uint64_t hist[10] = { 0 };
	uint64_t qa[4] = { 0 }, nqa = 0;
	int rc = 0;
	for (size_t i = 0; i < r->nexamples; i++) {
		const contam_example *e = &r->examples[i];
		if (!same_benchmark(e, bm))
			continue;
		gpt3 += e->gpt3;
		palm += e->palm;
		const char *lb = llama2_bucket(e);
		l_clean += lb[0] == 'c';
		l_not_clean += lb[0] == 'n';
		l_dirty += lb[0] == 'd';
		l_short += lb[0] == 't';
		if (e->longest > longest_max)
			longest_max = e->longest;
		longest_sum += e->longest;
		if (e->verdict != CONTAM_TOO_SHORT) {
			scored++;
			int bin = (int)(e->coverage * 10);
			hist[bin > 9 ? 9 : bin < 0 ? 0 : bin]++;
		}
		if (e->has_qa) {
			nqa++;
			qa[contam_example_qa_label(e)]++;
		}
	}
	double p = r->index.fpr;
	rc |= cbuf_printf(b, ", \"scored\": %" PRIu64 ", \"definitions\": {", scored);
	/* contam's own verdicts */
	rc |= cbuf_printf(b, "\n      \"contam\": {\"available\": true, \"min_span\": %u"
			  ", \"contaminated\": ", r->min_span);
	rc |= put_rate(b, bm->contaminated, m);
	rc |= cbuf_printf(b, ", \"partial\": ");
	rc |= put_rate(b, bm->partial, m);
	rc |= cbuf_printf(b, ", \"flagged\": ");
	rc |= put_rate(b, bm->contaminated + bm->partial, m);
	rc |= cbuf_printf(b, ", \"expected_false_contaminated\": ");
	rc |= put_num(b, creport_expected_false_at(r, bm, r->min_span, 0.8));
	rc |= cbuf_printf(b, ", \"expected_false_flagged\": ");
	rc |= put_num(b, creport_expected_false_at(r, bm, r->min_span, 0.2));
	rc |= cbuf_printf(b, "},");
	/* GPT-3: a 13-token span is a run of 13 - n + 1 hits */
	if (n > 13) {
		rc |= cbuf_printf(b, "\n      \"gpt3\": {\"available\": false, \"why\": "
				  "\"a 13-token match cannot be seen with %u-grams\"},", n);
	} else {
		double ef = 0;
		for (size_t i = 0; i < r->nexamples; i++) {
			const contam_example *e = &r->examples[i];
			if (!same_benchmark(e, bm) || e->verdict == CONTAM_TOO_SHORT)
				continue;
			size_t s = e->tokens < 13 ? e->tokens : 13;
			ef += cprobe_p_run(e->tokens - n + 1, p, s >= n ? s - n + 1 : 1);
		}
		rc |= cbuf_printf(b, "\n      \"gpt3\": {\"available\": true, \"min_tokens\": 13"
				  ", \"run_of_hits\": %u, \"approximation\": \"a span of "
				  ">= 13 tokens is a chain of >= %u overlapping %u-gram hits\""
				  ", \"contaminated\": ", 13 - n + 1, 13 - n + 1, n);
		rc |= put_rate(b, gpt3, m);
		rc |= cbuf_printf(b, ", \"expected_false\": ");
		rc |= put_num(b, ef);
		rc |= cbuf_printf(b, "},");
	}
	/* PaLM: the fraction of the example's 8-grams found */
	if (n != 8) {
		rc |= cbuf_printf(b, "\n      \"palm\": {\"available\": false, \"why\": "
				  "\"PaLM counts 8-grams; this index holds %u-grams\"},", n);
	} else {
		double ef = 0;
		for (size_t i = 0; i < r->nexamples; i++) {
			const contam_example *e = &r->examples[i];
			if (!same_benchmark(e, bm) || e->verdict == CONTAM_TOO_SHORT)
				continue;
			size_t G = e->ngrams;
			ef += cprobe_binom_tail(G, p, (size_t)ceil(0.7 * (double)G - 1e-9));
		}
		rc |= cbuf_printf(b, "\n      \"palm\": {\"available\": true, \"min_overlap\": 0.7"
				  ", \"contaminated\": ");
		rc |= put_rate(b, palm, m);
		rc |= cbuf_printf(b, ", \"expected_false\": ");
		rc |= put_num(b, ef);
		rc |= cbuf_printf(b, "},");
	}
	/* Llama 2: token coverage by spans >= 10 tokens */
	if (n > 10) {
		rc |= cbuf_printf(b, "\n      \"llama2\": {\"available\": false, \"why\": "
				  "\"a 10-token span cannot be seen with %u-grams\"},", n);
	} else {
		rc |= cbuf_printf(b, "\n      \"llama2\": {\"available\": true, \"min_span\": 10"
				  ", \"approximation\": \"Llama 2 matched skip-grams; "
				  "here a span is a chain of >= %u consecutive %u-gram "
				  "hits\", \"clean\": ", 10 - n + 1, n);
		rc |= put_rate(b, l_clean, m);
		rc |= cbuf_printf(b, ", \"not_clean\": ");
		rc |= put_rate(b, l_not_clean + l_dirty, m);
		rc |= cbuf_printf(b, ", \"not_dirty\": ");
		rc |= put_rate(b, l_clean + l_not_clean, m);
		rc |= cbuf_printf(b, ", \"dirty\": ");
		rc |= put_rate(b, l_dirty, m);
		/* in none of the buckets above: not measured */
		rc |= cbuf_printf(b, ", \"too_short\": %" PRIu64, l_short);
		rc |= cbuf_printf(b, ", \"expected_false_dirty\": ");
		rc |= put_num(b, creport_expected_false_at(r, bm, 10, 0.8));
		rc |= cbuf_printf(b, ", \"expected_false_not_clean\": ");
		rc |= put_num(b, creport_expected_false_at(r, bm, 10, 0.2));
		rc |= cbuf_printf(b, "},");
	}
	rc |= cbuf_printf(b, "\n      \"longest\": {\"available\": true, \"max\": %" PRIu64
			  ", \"mean\": ", longest_max);
	rc |= put_num(b, m ? (double)longest_sum / (double)m : 0);
	rc |= cbuf_printf(b, "}}, \"coverage_histogram\": [");
	for (int i = 0; i < 10; i++)
		rc |= cbuf_printf(b, "%s%" PRIu64, i ? ", " : "", hist[i]);
	rc |= cbuf_printf(b, "]");
	if (r->null_control) {
		rc |= cbuf_printf(b, ", \"null_control\": {\"examples\": %" PRIu64
				  ", \"contaminated\": ", bm->null_examples);
		rc |= put_rate(b, bm->null_contaminated, bm->null_examples);
		rc |= cbuf_printf(b, ", \"partial\": ");
		rc |= put_rate(b, bm->null_partial, bm->null_examples);
		rc |= cbuf_printf(b, ", \"flagged\": ");
		rc |= put_rate(b, bm->null_contaminated + bm->null_partial,
			       bm->null_examples);
		rc |= cbuf_printf(b, ", \"gpt3\": ");
		rc |= put_rate(b, bm->null_gpt3, bm->null_examples);
		if (n == 8) {
			rc |= cbuf_printf(b, ", \"palm\": ");
			rc |= put_rate(b, bm->null_palm, bm->null_examples);
		}
		if (n <= 10) {
			rc |= cbuf_printf(b, ", \"llama2_dirty\": ");
			rc |= put_rate(b, bm->null_llama2_dirty, bm->null_examples);
			rc |= cbuf_printf(b, ", \"llama2_not_clean\": ");
			rc |= put_rate(b, bm->null_llama2_dirty + bm->null_llama2_not_clean,
				       bm->null_examples);
		}
		rc |= cbuf_printf(b, ", \"estimates\": \"each example's normalized "
				  "tokens shuffled within it and scored by the same "
				  "rules: what chance matches at this index's fill, plus "
				  "phrases common enough to survive reordering, give\"}");
	}
	rc |= cbuf_printf(b, ", \"scoring\": {\"fields\": \"%s\", \"labels\": \"%s\""
			  ", \"cjk_chars_per_word\": %u, \"template\": {\"share\": ",
			  r->rules.join_fields ? "joined" : "separate",
			  labels_rule(&r->rules), r->rules.cjk_chars_per_word);
	rc |= put_num(b, bm->template_share);
	rc |= cbuf_printf(b, ", \"min_examples\": %u, \"distinct_ngrams\": %" PRIu64
			  ", \"ngrams_excluded\": %" PRIu64 "}, \"max_doc_freq\": ",
			  bm->template_min, bm->template_distinct, bm->template_ngrams);
	if (r->max_doc_freq)
		rc |= cbuf_printf(b, "%" PRIu64, r->max_doc_freq);
	else
		rc |= cbuf_printf(b, "null");
	rc |= cbuf_printf(b, ", \"frequent_ngrams_excluded\": %" PRIu64 "}",
			  bm->frequent_ngrams);
	if (r->qa_split) {
		rc |= cbuf_printf(b, ", \"question_answer\": {");
		for (int l = 0; l < 4; l++) {
			rc |= cbuf_printf(b, "%s\"%s\": ", l ? ", " : "",
					  contam_qa_label_name((contam_qa_label)l));
			rc |= put_rate(b, qa[l], nqa);
		}
		rc |= cbuf_printf(b, "}");
	}
	return rc;
}

/* The minhash section's parameters, for the index object. */
static int put_minhash_params(cbuf *b, const contam_result *r)
{
	double t = r->near_dup_bands && r->near_dup_rows
		   ? contam_minhash_threshold(r->near_dup_bands, r->near_dup_rows) : 0;
	int rc = cbuf_printf(b, ", \"minhash\": {\"shingle\": %u, \"bands\": %u"
			     ", \"rows\": %u, \"windows\": [", r->near_dup_shingle,
			     r->near_dup_bands, r->near_dup_rows);
	for (uint32_t i = 0; i < r->near_dup_nwindows && i < CONTAM_MINHASH_MAX_WINDOWS; i++)
		rc |= cbuf_printf(b, "%s%u", i ? ", " : "", r->near_dup_windows[i]);
	rc |= cbuf_printf(b, "], \"stride_div\": %u, \"threshold\": ",
			  r->near_dup_stride_div);
	rc |= put_num(b, t);
	rc |= cbuf_printf(b, ", \"band_fpr\": ");
	rc |= cbuf_printf(b, "%.6g", isfinite(r->near_dup_band_fpr) ? r->near_dup_band_fpr : 0);
	return rc | cbuf_printf(b, "}");
}

/* probe --near-dup: "near_dup" of one benchmark.  Rates are over the
 * examples that have a signature ("scored"); those without a shingle
 * are "unscored", counted, never clean.  "near_dup_only": near-dup and
 * not contaminated by n-grams; "near_dup_unflagged": neither
 * contaminated nor partial. */
static int put_benchmark_near_dup(cbuf *b, const contam_result *r,
				  const contam_benchmark *bm)
{
	uint64_t m = bm->examples >= bm->near_dup_unscored
		     ? bm->examples - bm->near_dup_unscored : 0;
	uint32_t nb = r->near_dup_min_bands ? r->near_dup_min_bands : 1;
	double each = cprobe_near_dup_false_at(r->near_dup_bands, r->near_dup_band_fpr, nb);
	int rc = cbuf_printf(b, ", \"near_dup\": {\"available\": true, \"scored\": %"
			     PRIu64 ", \"unscored\": %" PRIu64 ", \"near_dup\": ", m,
			     bm->near_dup_unscored);
	rc |= put_rate(b, bm->near_dup, m);
	rc |= cbuf_printf(b, ", \"near_dup_only\": ");
	rc |= put_rate(b, bm->near_dup_only, m);
	rc |= cbuf_printf(b, ", \"near_dup_unflagged\": ");
	rc |= put_rate(b, bm->near_dup_unflagged, m);
	/* the verdicts (or, at min_bands > 1, the misses) that hang on one band */
	rc |= cbuf_printf(b, ", \"near_dup_one_band\": ");
	rc |= put_rate(b, bm->near_dup_one_band, m);
	rc |= cbuf_printf(b, ", \"expected_false\": ");
	rc |= put_num(b, (double)m * each);
	rc |= cbuf_printf(b, ", \"template\": {\"share\": ");
	rc |= put_num(b, bm->template_share);
	rc |= cbuf_printf(b, ", \"min_examples\": %u, \"distinct_shingles\": %" PRIu64
			  ", \"shingles_excluded\": %" PRIu64 "}", bm->template_min,
			  bm->near_dup_template_distinct, bm->near_dup_template_excluded);
	rc |= cbuf_printf(b, ", \"min_bands\": %u, \"rule\": \"near_dup: at least %u of the "
			  "%u bands matched%s\"", nb, nb, r->near_dup_bands,
			  nb > 1 ? " (probe --near-dup-bands)" : " (any band)");
	rc |= cbuf_printf(b, ", \"bands\": %u, \"rows\": %u, \"band_fpr\": %.6g"
			  ", \"estimates\": \"a band matches when some corpus window of "
			  "about the example's length has the same %u bin minima: "
			  "probability J^%u per band at Jaccard J, 1 - (1 - J^%u)^%u for "
			  "any; near_dup_jaccard is the 95%% range implied by the bands "
			  "matched, and the example's containment in that window is at "
			  "least its low end\"}", r->near_dup_bands, r->near_dup_rows,
			  isfinite(r->near_dup_band_fpr) ? r->near_dup_band_fpr : 0,
			  r->near_dup_rows, r->near_dup_rows, r->near_dup_rows,
			  r->near_dup_bands);
	return rc;
}

/* Which fields were read and how many records lacked each:
 * "fields" (the --field paths, or the keys taken when "fields_auto"),
 * "missing_fields" {field: records without it}, "id_missing". */
static int put_benchmark_fields(cbuf *b, const contam_benchmark *bm)
{
	int rc = 0;
	rc |= cbuf_printf(b, ", \"fields\": [");
	for (size_t i = 0; i < bm->nfields; i++) {
		rc |= cbuf_printf(b, "%s", i ? ", " : "");
		rc |= put_str(b, bm->fields[i]);
	}
	rc |= cbuf_printf(b, "], \"fields_auto\": %s", bm->fields_auto ? "true" : "false");
	if (bm->fields_more)
		rc |= cbuf_printf(b, ", \"fields_more\": %" PRIu64, bm->fields_more);
	if (bm->not_utf8_bytes)
		rc |= cbuf_printf(b, ", \"not_utf8_bytes\": %" PRIu64, bm->not_utf8_bytes);
	rc |= cbuf_printf(b, ", \"records\": %" PRIu64 ", \"missing_fields\": {",
			  bm->records_read);
	for (size_t i = 0; i < bm->nfields; i++) {
		rc |= cbuf_printf(b, "%s", i ? ", " : "");
		rc |= put_str(b, bm->fields[i]);
		rc |= cbuf_printf(b, ": %" PRIu64, bm->field_missing[i]);
	}
	rc |= cbuf_printf(b, "}");
	if (bm->id_field) {
		rc |= cbuf_printf(b, ", \"id_field\": ");
		rc |= put_str(b, bm->id_field);
		rc |= cbuf_printf(b, ", \"id_missing\": %" PRIu64, bm->id_missing);
		if (bm->id_auto)
			rc |= cbuf_printf(b, ", \"id_auto\": true");
	}
	return rc;
}

/* "why": one sentence a reader can check a flag against, from the
 * counts the example carries (docs/SCORING.md). */
static int put_why(cbuf *b, const contam_result *r, const contam_example *e)
{
	cbuf w = CBUF_INIT;
	int rc = cbuf_printf(&w, "%u of %u scored tokens lie in counted spans "
			     "(>= %u words or all of a shorter example, with tokens "
			     "of a field of >= %u tokens; "
			     "longest %.4g words, %u hits)", e->covered, e->tokens,
			     r->min_span, r->index.params.ngram, e->longest_words,
			     e->hits);
	if (e->labels_kept)
		rc |= cbuf_printf(&w, ", read with its choice labels as tokens (the "
				  "copy keeps them)");
	if (e->labels_added)
		rc |= cbuf_printf(&w, ", read with labels a, b, c, ... added before its "
				  "fields after the first (the copy labels its options)");
	if (e->whole_fields)
		rc |= cbuf_printf(&w, ", %u of the spans shorter but holding a "
				  "whole field (the question, or an option carried "
				  "on from a counted span)", e->whole_fields);
	if (e->template_ngrams)
		rc |= cbuf_printf(&w, "; %u template n-grams not counted",
				  e->template_ngrams);
	if (e->frequent_ngrams)
		rc |= cbuf_printf(&w, "; %u n-grams in more than %" PRIu64 " corpus "
				  "documents not counted", e->frequent_ngrams,
				  r->max_doc_freq);
	/* hits that count toward nothing: chance explains about fpr per
	 * n-gram of them; more than that are short shared phrases */
	if (e->chance_hits) {
		double expect = r->index.fpr * (double)e->ngrams;
		rc |= cbuf_printf(&w, "; %u hits outside those spans, too short or "
				  "unanchored to count", e->chance_hits);
		if (e->chance > 0 && expect > 0)
			rc |= cbuf_printf(&w, " (chance alone would give about %.2g)",
					  expect);
	}
	if (e->unscored_tokens)
		rc |= cbuf_printf(&w, "; %u tokens not scored (only in n-grams not "
				  "counted)", e->unscored_tokens);
	/* 0: an exact scan (no false positives), or a bound below 1e-308 */
	if (e->chance > 0)
		rc |= cbuf_printf(&w, "; false positives alone would give this "
				  "verdict with probability <= %.2g", e->chance);
	else
		rc |= cbuf_printf(&w, "; false positives cannot explain it (exact "
				  "match, or a bound below 1e-300)");
	rc |= cbuf_printf(b, ", \"why\": ");
	rc |= put_str(b, w.data);
	rc |= cbuf_printf(b, ", \"chance\": ");
	rc |= put_num(b, e->chance);
	cbuf_release(&w);
	return rc;
}

/* The per-example "definitions", "qa" and "evidence". */
static int put_example_extras(cbuf *b, const contam_result *r,
			      const contam_example *e)
{
	uint32_t n = r->index.params.ngram;
	int rc = 0;
	rc |= cbuf_printf(b, ", \"definitions\": {\"contam\": \"%s\", \"gpt3\": %s"
			  ", \"palm\": %s, \"llama2\": {\"coverage\": ",
			  contam_verdict_name(e->verdict),
			  n > 13 ? "null" : e->gpt3 ? "true" : "false",
			  n != 8 ? "null" : e->palm ? "true" : "false");
	rc |= put_num(b, e->tokens ? (double)e->covered10 / (double)e->tokens : 0);
	if (n > 10)
		rc |= cbuf_printf(b, ", \"bucket\": null}");
	else
		rc |= cbuf_printf(b, ", \"bucket\": \"%s\"}", llama2_bucket(e));
	rc |= cbuf_printf(b, ", \"longest\": %u}", e->longest);
	if (e->labels_kept)
		rc |= cbuf_printf(b, ", \"labels_kept\": true");
	if (e->labels_added)
		rc |= cbuf_printf(b, ", \"labels_added\": true");
	rc |= cbuf_printf(b, ", \"unscored_tokens\": %u, \"template_ngrams\": %u"
			  ", \"frequent_ngrams\": %u, \"chance_hits\": %u"
			  ", \"whole_fields\": %u, \"longest_words\": ", e->unscored_tokens,
			  e->template_ngrams, e->frequent_ngrams, e->chance_hits,
			  e->whole_fields);
	rc |= put_num(b, e->longest_words);
	/* a flag says why; so does an example that --max-doc-freq may have
	 * kept from a flag */
	if (e->verdict == CONTAM_PARTIAL || e->verdict == CONTAM_CONTAMINATED ||
	    e->frequent_ngrams)
		rc |= put_why(b, r, e);
	if (e->has_null) {
		rc |= cbuf_printf(b, ", \"null_control\": {\"verdict\": \"%s\", "
				  "\"gpt3\": %s, \"coverage\": ",
				  contam_verdict_name((contam_verdict)e->null_verdict),
				  e->null_gpt3 ? "true" : "false");
		rc |= put_num(b, e->null_coverage);
		rc |= cbuf_printf(b, "}");
	}
	if (e->has_qa) {
		rc |= cbuf_printf(b, ", \"qa\": {\"question_tokens\": %u"
				  ", \"question_coverage\": ", e->q_tokens);
		rc |= put_num(b, e->q_tokens ? (double)e->q_covered / e->q_tokens : 0);
		rc |= cbuf_printf(b, ", \"answer_tokens\": %u, \"answer_coverage\": ",
				  e->a_tokens);
		rc |= put_num(b, e->a_tokens ? (double)e->a_covered / e->a_tokens : 0);
		rc |= cbuf_printf(b, ", \"label\": \"%s\"}",
				  contam_qa_label_name(contam_example_qa_label(e)));
	}
	if (e->nspans) {
		rc |= cbuf_printf(b, ", \"evidence\": [");
		for (uint32_t k = 0; k < e->nspans; k++) {
			const contam_span *s = &e->spans[k];
			rc |= cbuf_printf(b, "%s{\"tokens\": [%u, %u], \"bytes\": [%"
					  PRIu64 ", %" PRIu64 "], \"text\": ",
					  k ? ", " : "", s->token_start,
					  s->token_end, s->byte_start, s->byte_end);
			rc |= put_str(b, s->text);
			rc |= cbuf_printf(b, ", \"words\": ");
			rc |= put_num(b, s->words);
			if (s->truncated)
				rc |= cbuf_printf(b, ", \"truncated\": true");
			rc |= cbuf_printf(b, "}");
		}
		rc |= cbuf_printf(b, "]");
	}
	return rc;
}

/* probe --near-dup, per example: null (not false) without a signature;
 * a near-dup says how likely false positives alone give its band count:
 * P(Binomial(b, band_fpr) >= c). */
static int put_example_near_dup(cbuf *b, const contam_result *r,
				const contam_example *e)
{
	if (e->near_dup_unscored)
		return cbuf_printf(b, ", \"near_dup\": null, \"near_dup_unscored\": true"
				   ", \"near_dup_bands\": 0, \"near_dup_jaccard\": null"
				   ", \"near_dup_shingles\": %u, \"near_dup_template_shingles\": %u",
				   e->near_dup_shingles, e->near_dup_template_shingles);
	int rc = cbuf_printf(b, ", \"near_dup\": %s, \"near_dup_bands\": %u"
			     ", \"near_dup_jaccard\": [", e->near_dup ? "true" : "false",
			     e->near_dup_bands);
	rc |= put_num(b, e->near_dup_jaccard_lo);
	rc |= cbuf_printf(b, ", ");
	rc |= put_num(b, e->near_dup_jaccard_hi);
	rc |= cbuf_printf(b, "], \"near_dup_shingles\": %u", e->near_dup_shingles);
	if (e->near_dup_template_shingles)
		rc |= cbuf_printf(b, ", \"near_dup_template_shingles\": %u",
				  e->near_dup_template_shingles);
	if (e->near_dup) {
		double p = isfinite(r->near_dup_band_fpr) ? r->near_dup_band_fpr : 0;
		rc |= cbuf_printf(b, ", \"near_dup_chance\": %.3g",
				  cprobe_binom_tail(r->near_dup_bands, p, e->near_dup_bands));
	}
	return rc;
}

int contam_report_json_to(const contam_result *r, const contam_sink *out,
			  contam_error *out_err)
{
	cbuf b = CBUF_INIT;
	cerr err;
	cerr_clear(&err);
	int rc = 0, wrc = CONTAM_OK;
	const contam_index_stats *s = &r->index;

	rc |= cbuf_printf(&b, "{\n  \"report_version\": 1,\n"
			  "  \"tool\": {\"name\": \"contam\", \"version\": ");
	rc |= put_str(&b, contam_version());
	rc |= cbuf_printf(&b, "},\n");
	if (r->label) {
		rc |= cbuf_printf(&b, "  \"label\": ");
		rc |= put_str(&b, r->label);
		rc |= cbuf_printf(&b, ",\n");
	}
	rc |= cbuf_printf(&b, "  \"index\": {\"path\": ");
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
			  ", \"min_span\": %u", s->params.k, s->filter_bytes, r->min_span);
	/* a probe's index (not an exact scan's table): what it was built
	 * from and the geometry that decides its bits */
	if (r->options)
		rc |= cbuf_printf(&b, ", \"seed\": \"0x%016" PRIx64 "\", \"winnow\": %u"
				  ", \"inputs\": %" PRIu64 ", \"inputs_digest\": \"%016"
				  PRIx64 "\"", s->params.seed, s->params.winnow,
				  r->inputs, r->inputs_digest);
	if (r->options || r->exact_scan)
		rc |= put_unread(&b, r);
	if (r->near_dup)
		rc |= put_minhash_params(&b, r);
	rc |= cbuf_printf(&b, "},\n");
	/* probe --suite: which suite file chose the benchmarks and fields */
	if (r->suite_path) {
		rc |= cbuf_printf(&b, "  \"suite\": {\"path\": ");
		rc |= put_str(&b, r->suite_path);
		rc |= cbuf_printf(&b, ", \"sha256\": ");
		rc |= put_str(&b, r->suite_sha256 ? r->suite_sha256 : "");
		rc |= cbuf_printf(&b, ", \"split\": ");
		rc |= r->suite_split ? put_str(&b, r->suite_split) : cbuf_printf(&b, "null");
		rc |= cbuf_printf(&b, "},\n");
	}
	if (r->options)
		rc |= put_options(&b, r);
	if (r->options && r->options->nskipped_files) {
		rc |= cbuf_printf(&b, "  \"bench_skipped\": ");
		rc |= put_str_array(&b, r->options->skipped_files, r->options->nskipped_files);
		rc |= cbuf_printf(&b, ",\n");
	}

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
		rc |= put_benchmark_definitions(&b, r, bm);
		rc |= put_benchmark_fields(&b, bm);
		if (r->near_dup)
			rc |= put_benchmark_near_dup(&b, r, bm);
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
		rc |= cbuf_printf(&b, ", \"longest\": %u, \"verdict\": \"%s\"",
				  e->longest, contam_verdict_name(e->verdict));
		rc |= put_example_extras(&b, r, e);
		if (r->near_dup && e->has_near_dup)
			rc |= put_example_near_dup(&b, r, e);
		rc |= cbuf_printf(&b, "}");
		if (b.len > (1u << 20) && !rc && /* stream large reports */
		    (wrc = csink_flush(out, &b, &err)))
			goto out;
	}
	rc |= cbuf_printf(&b, "%s]\n}\n", r->nexamples ? "\n  " : "");
	if (!rc)
		wrc = csink_flush(out, &b, &err);
out:
	if (rc && !wrc) /* a cbuf append failed: nothing more was written */
		wrc = cerr_set(&err, CONTAM_E_NOMEM, "out of memory writing the report");
	cbuf_release(&b);
	err.code = wrc;
	return cerr_export(&err, out_err);
}

int contam_report_json(const contam_result *r, FILE *out)
{
	contam_sink s = contam_sink_file(out);
	return cfile_finish(out, contam_report_json_to(r, &s, NULL));
}
