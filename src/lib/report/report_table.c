/*
 * report_table.c -- the readable summary printed on stderr: one row per
 * benchmark, then the index it was probed against, so that a verdict can
 * be traced to the filter that produced it.
 */
#include "../common/common.h"
#include "../probe/probe_metrics.h"
#include "report.h"

#include <inttypes.h>

/* A name (from a file name: any bytes) for the terminal: control bytes
 * become '?', so that a name cannot drive the terminal. */
static const char *shown(const char *name, char *buf, size_t len)
{
	size_t i = 0;
	for (; name[i] && i + 1 < len; i++)
		buf[i] = ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) ? '?' : name[i];
	buf[i] = '\0';
	return buf;
}

/* Notes on the fields read: which were taken without --field,
 * and how many records lacked each. */
static int table_field_notes(const contam_result *r, cbuf *out)
{
	int rc = 0;
	char nbuf[1024], fbuf[512];
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *b = &r->benchmarks[i];
		const char *name = shown(b->name, nbuf, sizeof nbuf);
		if (b->examples && b->too_short == b->examples)
			rc |= cbuf_printf(out, "WARNING: %s: all %" PRIu64 " examples are shorter than "
				"%u tokens (too_short): none was scored, so it has no rate "
				"(n/a); probe an index with a smaller --ngram, or use "
				"'contam scan'\n", name, b->examples, r->index.params.ngram);
		else if (b->examples && 2 * b->too_short > b->examples)
			rc |= cbuf_printf(out, "%s: %" PRIu64 " of %" PRIu64 " examples are shorter "
				"than %u tokens (too_short) and were not scored\n", name,
				b->too_short, b->examples, r->index.params.ngram);
		if (b->not_utf8_bytes)
			rc |= cbuf_printf(out, "%s: %" PRIu64 " byte%s of its text %s not UTF-8, "
				"read as word separators (Latin-1 or cp1252?): the words "
				"with them match no UTF-8 copy\n", name, b->not_utf8_bytes,
				b->not_utf8_bytes == 1 ? "" : "s",
				b->not_utf8_bytes == 1 ? "is" : "are");
		if (b->fields_auto) {
			rc |= cbuf_printf(out, "%s: no --field: using every string value:", name);
			for (size_t j = 0; j < b->nfields; j++)
				rc |= cbuf_printf(out, "%s '%s'", j ? "," : "",
					shown(b->fields[j], fbuf, sizeof fbuf));
			if (b->fields_more)
				rc |= cbuf_printf(out, " and %" PRIu64 " more", b->fields_more);
			if (!b->nfields)
				rc |= cbuf_printf(out, " (records are strings)");
			if (b->id_field)
				rc |= cbuf_printf(out, "; ids from '%s', not read as text",
					shown(b->id_field, fbuf, sizeof fbuf));
			rc |= cbuf_putc(out, '\n');
		}
		for (size_t j = 0; j < b->nfields; j++) {
			if (!b->field_missing[j])
				continue;
			rc |= cbuf_printf(out, "%s: %s '%s' missing in %" PRIu64 " of %" PRIu64
				" records\n", name, b->fields_auto ? "key" : "field",
				shown(b->fields[j], fbuf, sizeof fbuf), b->field_missing[j],
				b->records_read);
		}
		if (b->id_field && b->id_missing)
			rc |= cbuf_printf(out, "%s: %s '%s' missing in %" PRIu64 " of %"
				PRIu64 " records\n", name,
				b->fields_auto ? "id" : "--id-field", b->id_field,
				b->id_missing, b->records_read);
	}
	return rc;
}

/* probe --near-dup: per benchmark the near-dups among the examples with
 * a signature, those the n-gram verdict missed, the unscored (no
 * shingle), and the near-dups the bands' false positives could explain. */
static int table_near_dup(const contam_result *r, cbuf *out, size_t w)
{
	char nbuf[64];
	uint32_t nb = r->near_dup_min_bands ? r->near_dup_min_bands : 1;
	double each = cprobe_near_dup_false_at(r->near_dup_bands, r->near_dup_band_fpr, nb);
	int rc = cbuf_printf(out, "%-*s %9s %9s %9s %13s %9s %10s\n", (int)w, "near-dup",
			     "scored", "near_dup", "rate", "near_dup_only", "unscored",
			     "E[false]");
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *b = &r->benchmarks[i];
		uint64_t m = b->examples >= b->near_dup_unscored
			     ? b->examples - b->near_dup_unscored : 0;
		char cr[16] = "n/a", ef[16];
		if (m)
			snprintf(cr, sizeof cr, "%.2f%%", 100.0 * (double)b->near_dup / (double)m);
		snprintf(ef, sizeof ef, "%.2g", (double)m * each);
		rc |= cbuf_printf(out, "%-*.*s %9" PRIu64 " %9" PRIu64 " %9s %13" PRIu64
				  " %9" PRIu64 " %10s\n", (int)w, (int)w,
				  shown(b->name, nbuf, sizeof nbuf), m, b->near_dup, cr,
				  b->near_dup_only, b->near_dup_unscored, ef);
		if (b->near_dup_unscored)
			rc |= cbuf_printf(out, "%s: %" PRIu64 " of %" PRIu64 " examples have no "
					  "%u-token shingle inside a sentence (but template ones): "
					  "no signature, not checked for near-duplicates "
					  "(near_dup_unscored)\n",
					  shown(b->name, nbuf, sizeof nbuf), b->near_dup_unscored,
					  b->examples, r->near_dup_shingle);
		/* a single band is weak evidence: how many verdicts rest on one */
		if (b->near_dup_one_band)
			rc |= cbuf_printf(out, "%s: %" PRIu64 " of %" PRIu64 " scored examples "
					  "matched exactly one band (near_dup_one_band)%s\n",
					  shown(b->name, nbuf, sizeof nbuf), b->near_dup_one_band,
					  m, nb > 1 ? ": not near_dup under this rule"
					  : ": near_dup on that band alone");
	}
	rc |= cbuf_printf(out, "near-dup: near_dup when at least %u of the %u bands "
			  "matched%s\n", nb, r->near_dup_bands,
			  nb > 1 ? " (--near-dup-bands)" : " (any band; --near-dup-bands 2 "
			  "for big corpora and short examples)");
	return rc | cbuf_printf(out, "near-dup: b=%u bands of r=%u rows (threshold Jaccard "
				"%.2f), false-positive rate %.2g per band lookup\n",
				r->near_dup_bands, r->near_dup_rows,
				r->near_dup_bands && r->near_dup_rows
				? contam_minhash_threshold(r->near_dup_bands, r->near_dup_rows) : 0,
				r->near_dup_band_fpr);
}

/* "not indexed: ..." when the index's builds left something unread: the
 * rates above do not cover it (never a silent clean).  Bytes that are
 * not UTF-8 were read, but as separators: a line of their own. */
static int table_unread(const contam_result *r, cbuf *out)
{
	static const char *const problem[CONTAM_PROBLEMS][2] = {
		[CONTAM_PROBLEM_DAMAGED] = { "damaged record", "damaged records" },
		[CONTAM_PROBLEM_NO_TEXT] = { "record without the text field",
					     "records without the text field" },
		[CONTAM_PROBLEM_UNREADABLE] = { "unreadable input", "unreadable inputs" },
		[CONTAM_PROBLEM_EMPTY] = { "input without documents",
					   "inputs without documents" },
	};
	/* a partition set's parts each hold the whole manifest: its first
	 * part is what 'contam info' opens ("p0.cidx,p1.cidx" it cannot) */
	char first[512];
	const char *index = r->index_path ? r->index_path : "INDEX";
	const char *comma = strchr(index, ',');
	if (comma) {
		snprintf(first, sizeof first, "%.*s", (int)(comma - index), index);
		index = first;
	}
	int rc = 0;
	uint64_t bad = r->unread_problems[CONTAM_PROBLEM_NOT_UTF8];
	if (bad) {
		/* an exact scan's result has no index: its warnings named
		 * the files */
		char where[CERR_MSG_MAX];
		if (!r->exact_scan)
			snprintf(where, sizeof where, "'contam info %s' lists the "
				 "inputs", index);
		else
			snprintf(where, sizeof where, "the warnings above name the files");
		rc |= cbuf_printf(out, "misread: %" PRIu64 " byte%s of the %s text "
				  "%s not UTF-8 and %s read as word separators "
				  "(Latin-1 or cp1252 text?): words with them "
				  "cannot match (%s)\n", bad, bad == 1 ? "" : "s",
				  r->exact_scan ? "scanned" : "indexed",
				  bad == 1 ? "is" : "are", bad == 1 ? "was" : "were",
				  where);
	}
	uint64_t unread = 0;
	for (int k = 0; k < CONTAM_PROBLEMS; k++)
		if (k != CONTAM_PROBLEM_NOT_UTF8)
			unread += r->unread_problems[k];
	for (int k = 0; k < CONTAM_SKIP_REASONS; k++)
		if (k != CONTAM_SKIP_HIDDEN)
			unread += r->unread_skipped[k];
	if (!unread)
		return rc;
	rc |= cbuf_printf(out, r->exact_scan ? "not scanned:" : "not indexed:");
	const char *sep = " ";
	for (int k = 0; k < CONTAM_PROBLEMS; k++) {
		uint64_t n = r->unread_problems[k];
		if (!n || k == CONTAM_PROBLEM_NOT_UTF8)
			continue;
		rc |= cbuf_printf(out, "%s%" PRIu64 " %s", sep, n, problem[k][n != 1]);
		sep = ", ";
	}
	uint64_t skipped = 0;
	for (int k = 0; k < CONTAM_SKIP_REASONS; k++)
		if (k != CONTAM_SKIP_HIDDEN)
			skipped += r->unread_skipped[k];
	if (skipped)
		rc |= cbuf_printf(out, "%s%" PRIu64 " file%s skipped by the walks", sep,
				  skipped, skipped == 1 ? "" : "s");
	if (r->exact_scan)
		return rc | cbuf_printf(out, "; the rates above do not cover them "
					"(the warnings above name them)\n");
	return rc | cbuf_printf(out, "; the rates above do not cover them "
				"('contam info %s' lists them)\n", index);
}

static int table(const contam_result *r, cbuf *out)
{
	int rc = 0;
	char nbuf[64];
	size_t w = 9;
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		size_t l = strlen(r->benchmarks[i].name);
		if (l > w)
			w = l;
	}
	if (w > 40)
		w = 40;
	rc |= cbuf_printf(out, "%-*s %9s %12s %8s %8s %9s %8s\n", (int)w, "benchmark",
		"examples", "contaminated", "partial", "clean", "too_short",
		"rate");
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *b = &r->benchmarks[i];
		double rate = b->examples ? 100.0 * (double)b->contaminated /
					    (double)b->examples : 0;
		char cr[16] = "     n/a"; /* nothing scored: no rate */
		if (b->too_short < b->examples)
			snprintf(cr, sizeof cr, "%7.2f%%", rate);
		rc |= cbuf_printf(out, "%-*.*s %9" PRIu64 " %12" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %9" PRIu64 " %s\n", (int)w, (int)w,
			shown(b->name, nbuf, sizeof nbuf), b->examples, b->contaminated, b->partial,
			b->clean, b->too_short, cr);
	}
	/* the published definitions, side by side (rates in % of examples) */
	uint32_t n = r->index.params.ngram;
	rc |= cbuf_printf(out, "%-*s %9s %9s %12s %17s%s\n", (int)w, "definitions", "GPT-3",
		"PaLM", "Llama2 dirty", "Llama2 not_clean",
		r->null_control ? "  null control" : "");
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		const contam_benchmark *b = &r->benchmarks[i];
		uint64_t gpt3 = 0, palm = 0, dirty = 0, not_clean = 0;
		for (size_t j = 0; j < r->nexamples; j++) {
			const contam_example *e = &r->examples[j];
			if (strcmp(e->benchmark, b->name))
				continue;
			gpt3 += e->gpt3;
			palm += e->palm;
			dirty += e->tokens && e->covered10 >= 0.8 * e->tokens;
			not_clean += contam_example_flagged(e, CONTAM_DEF_LLAMA2) != 0;
		}
		double m = b->examples ? (double)b->examples / 100 : 1;
		char c1[16] = "n/a", c2[16] = "n/a", c3[16] = "n/a", c4[16] = "n/a";
		bool none_scored = b->examples && b->too_short == b->examples;
		if (n <= 13 && !none_scored)
			snprintf(c1, sizeof(c1), "%.2f%%", (double)gpt3 / m);
		if (n == 8 && !none_scored)
			snprintf(c2, sizeof(c2), "%.2f%%", (double)palm / m);
		if (n <= 10 && !none_scored) {
			snprintf(c3, sizeof(c3), "%.2f%%", (double)dirty / m);
			snprintf(c4, sizeof(c4), "%.2f%%", (double)not_clean / m);
		}
		rc |= cbuf_printf(out, "%-*.*s %9s %9s %12s %17s", (int)w, (int)w,
			shown(b->name, nbuf, sizeof nbuf),
			c1, c2, c3, c4);
		if (r->null_control)
			rc |= cbuf_printf(out, "  %11.2f%%", b->null_examples ? 100.0 *
				(double)(b->null_contaminated + b->null_partial) /
				(double)b->null_examples : 0);
		rc |= cbuf_printf(out, "\n");
	}
	if (r->near_dup)
		rc |= table_near_dup(r, out, w);
	rc |= table_field_notes(r, out);
	const contam_index_stats *s = &r->index;
	char pbuf[4096];
	if (r->exact_scan) /* no filter: no fill, no false positives */
		rc |= cbuf_printf(out, "exact scan: %u-grams, recipe %s, %" PRIu64
			" corpus n-grams read, each compared with the benchmarks' "
			"exactly (no false positives)\n", s->params.ngram, s->recipe,
			s->ngrams_inserted);
	else
		rc |= cbuf_printf(out, "index %s: %u-grams, recipe %s, %" PRIu64
			" n-grams inserted, fill %.1f%%, false-positive rate %.2g per n-gram\n",
			shown(r->index_path ? r->index_path : "?", pbuf, sizeof pbuf),
			s->params.ngram, s->recipe, s->ngrams_inserted, 100.0 * s->fill, s->fpr);
	rc |= table_unread(r, out);
	if (r->suite_path) /* which files each entry read */
		rc |= cbuf_printf(out, "suite %s: split %s\n", r->suite_path,
				  r->suite_split ? r->suite_split
				  : "test (or an entry's own \"split\"; --split NAME for another)");
	rc |= cbuf_printf(out, "verdicts: contaminated = coverage >= 0.8, partial >= 0.2, "
		"coverage counts spans of >= %u words (%u CJK characters a word) "
		"that touch a field of >= %u tokens\n", r->min_span,
		r->rules.cjk_chars_per_word ? r->rules.cjk_chars_per_word : 1,
		s->params.ngram);
	uint64_t tmpl = 0, freq = 0;
	for (size_t i = 0; i < r->nbenchmarks; i++) {
		tmpl += r->benchmarks[i].template_ngrams;
		freq += r->benchmarks[i].frequent_ngrams;
	}
	if (tmpl)
		rc |= cbuf_printf(out, "templates: %" PRIu64 " n-grams in more than %.3g of a "
			"file's examples were not counted (--no-templates counts "
			"them)\n", tmpl, r->benchmarks[0].template_share);
	if (freq)
		rc |= cbuf_printf(out, "boilerplate: %" PRIu64 " n-grams in more than %" PRIu64
			" corpus documents were not counted\n", freq, r->max_doc_freq);
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

int contam_report_table_to(const contam_result *r, const contam_sink *out,
			   contam_error *out_err)
{
	cbuf b = CBUF_INIT;
	cerr err;
	cerr_clear(&err);
	/* built whole (a few lines per benchmark), then written */
	if (table(r, &b))
		cerr_set(&err, CONTAM_E_NOMEM, "out of memory writing the report");
	else
		csink_flush(out, &b, &err);
	cbuf_release(&b);
	return cerr_export(&err, out_err);
}

int contam_report_table(const contam_result *r, FILE *out)
{
	contam_sink s = contam_sink_file(out);
	return cfile_finish(out, contam_report_table_to(r, &s, NULL));
}
