/*
 * cli_info.c -- `contam info`: what an index holds, for people or (--json)
 * machines.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam info INDEX [--json] [--fpr P]\n"
"\n"
"Print an index's parameters (n, recipe, k, size, seed), the manifest of its\n"
"inputs (documents, n-grams, damaged records skipped), its fill and measured\n"
"false-positive rate, the file's size per text read (from the manifest's text\n"
"bytes; \"unknown\" without them) and the bits per distinct n-gram (distinct\n"
"keys estimated from the fill).  The file is fully verified while loading.\n"
"\n"
"The rate is per probed n-gram, as verdicts see it: for a winnowed index, after\n"
"the probe fills the gaps between hits.  A rate above 1.25x the target is\n"
"warned about on stderr.\n"
"\n"
"options:\n"
"      --json   machine-readable output on stdout\n"
"      --fpr P  the target the index was built for (default 1e-3)\n"
"  -h, --help   this help\n");
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	else if ((p[0] & 0xe0) == 0xc0) { n = 2; cp = p[0] & 0x1f; }
	else if ((p[0] & 0xf0) == 0xe0) { n = 3; cp = p[0] & 0x0f; }
	else if ((p[0] & 0xf8) == 0xf0) { n = 4; cp = p[0] & 0x07; }
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The stride of window w: max(1, W / stride_div), as the index's
 * placement rule (docs/NEARDUP.md, "Corpus windows"). */
static uint32_t mh_stride(const contam_minhash_params *p, uint32_t w)
{
	uint32_t s = p->stride_div ? p->windows[w] / p->stride_div : p->windows[w];
	return s ? s : 1;
}

/* The text the index was built from: the manifest's delivered text
 * bytes, or 0 when it cannot say (no entries, or an entry that holds
 * n-grams and no text bytes). */
static uint64_t manifest_text(const contam_index *ix)
{
	size_t nm = contam_index_manifest_count(ix);
	uint64_t text = 0;
	for (size_t i = 0; i < nm; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		if (e->ngrams && !e->bytes_text)
			return 0;
		text += e->bytes_text;
	}
	return text;
}

/* A JSON string: always valid UTF-8; a byte that is not part of valid
 * UTF-8 (a file name may hold any bytes) is written as U+FFFD. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
}

/* JSON keys of contam_problem and contam_skip_reason, in order. */
static const char *const problem_key[CONTAM_PROBLEMS] = {
	"damaged", "no_text_field", "unreadable", "empty", "not_utf8_bytes"
};
static const char *const skip_key[CONTAM_SKIP_REASONS] = {
	"unknown_kind", "contam_output", "excluded", "duplicate", "hidden"
};

/* The problems of every input (counts by kind and the kept messages),
 * then what the walks skipped. */
static void print_problems(const contam_index *ix)
{
	size_t nm = contam_index_manifest_count(ix), shown = 0;
	for (size_t i = 0; i < nm; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		uint64_t total = 0;
		for (int k = 0; k < CONTAM_PROBLEMS; k++)
			total += e->problems[k];
		if (!total && !e->nmessages)
			continue;
		if (!shown++)
			printf("problems and notes\n");
		printf("  ");
		cli_put_escaped(stdout, e->path);
		printf(":");
		const char *sep = " ";
		for (int k = 0; k < CONTAM_PROBLEMS; k++)
			if (e->problems[k]) {
				printf("%s%" PRIu64 " %s", sep, e->problems[k],
				       contam_problem_name((contam_problem)k));
				sep = ", ";
			}
		putchar('\n');
		for (uint32_t m = 0; m < e->nmessages; m++) {
			printf("    ");
			cli_put_escaped(stdout, e->messages[m]);
			putchar('\n');
		}
		uint64_t counted = e->problems[CONTAM_PROBLEM_DAMAGED] +
				   e->problems[CONTAM_PROBLEM_NO_TEXT] +
				   e->problems[CONTAM_PROBLEM_UNREADABLE];
		if (counted > e->nmessages)
			printf("    (%" PRIu64 " more messages were counted, not kept)\n",
			       counted - e->nmessages);
	}
	size_t nk = contam_index_skip_count(ix);
	for (size_t i = 0; i < nk; i++) {
		const contam_input_skip *k = contam_index_skip_get(ix, i);
		if (!i)
			printf("skipped\n");
		printf("  %" PRIu64 " %s %s under '", k->count,
		       k->reason == CONTAM_SKIP_DUPLICATE || k->reason == CONTAM_SKIP_HIDDEN ?
		       "entries" : "files",
		       contam_skip_reason_name(k->reason));
		cli_put_escaped(stdout, k->dir);
		printf("':");
		for (size_t j = 0; j < k->nnames; j++) {
			printf("%s", j ? ", " : " ");
			cli_put_escaped(stdout, k->names[j]);
		}
		printf("%s\n", k->count > k->nnames ? ", ..." : "");
	}
}

int cli_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fpr", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	double target = 1e-3;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'f':
			if (!cli_parse_double(optarg, &target) || !(target > 0 && target < 0.5))
				return cli_error(EXIT_USAGE, "--fpr wants a rate in (0, 0.5), not '%s'",
						 optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("info");
		}
	}
	if (optind + 1 != argc)
		return cli_error(EXIT_USAGE, "usage: contam info INDEX [--json] [--fpr P]");
	const char *path = argv[optind];
	contam_index *ix = NULL;
	/* streamed: the filter is measured chunk by chunk, never held */
	contam_error err;
	if (contam_index_load_summary(&ix, path, &err))
		return cli_error(EXIT_INPUT, "%s", err.msg);
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	size_t nm = contam_index_manifest_count(ix);
	contam_minhash_info mi;
	const bool has_mh = contam_index_minhash_info(ix, &mi) == 0;
	/* size per text and bits per distinct key: the distinct keys (the
	 * n-grams, or those winnowing kept) estimated from the fill of the
	 * blocks held, so repeats do not count */
	struct stat fst;
	const uint64_t file_bytes = stat(path, &fst) == 0 ? (uint64_t)fst.st_size : 0;
	const uint64_t text_bytes = manifest_text(ix);
	const double distinct = contam_estimate_distinct(st.params.k, st.filter_bytes / 64,
							 st.bits_set);
	const double bits_per = distinct > 0 && distinct < INFINITY ?
				8.0 * (double)st.filter_bytes / distinct : 0;
	if (json) {
		/* the inputs carry "problems" (counts by kind), "messages"
		 * (the first ones kept) and "fingerprint"; "skipped" lists what
		 * the walks skipped */
		printf("{\n  \"path\": ");
		json_str(stdout, path);
		printf(",\n  \"format_version\": %u,\n  \"ngram\": %u,\n  \"recipe\": ",
		       st.format_version, st.params.ngram);
		json_str(stdout, st.recipe);
		printf(",\n  \"k\": %u,\n  \"nblocks\": %" PRIu64 ",\n  \"block_bits\": 512,\n"
		       "  \"seed\": %" PRIu64 ",\n  \"filter_bytes\": %" PRIu64 ",\n"
		       "  \"ngrams_inserted\": %" PRIu64 ",\n  \"documents\": %" PRIu64 ",\n"
		       "  \"errors\": %" PRIu64 ",\n  \"bits_set\": %" PRIu64 ",\n"
		       "  \"fill\": %.6g,\n  \"fpr\": %.6g,\n  \"fpr_lookup\": %.6g,\n"
		       "  \"fpr_target\": %.6g,\n  \"winnow\": %u,\n"
		       "  \"partition\": [%u, %u],",
		       st.params.k, st.params.nblocks, st.params.seed, st.filter_bytes,
		       st.ngrams_inserted, st.documents, st.errors, st.bits_set,
		       st.fill, st.fpr, st.fpr_lookup, target, st.params.winnow,
		       st.part_index, st.part_count);
		printf("\n  \"filter_uncompressed\": %s,",
		       contam_index_is_uncompressed(ix) ? "true" : "false");
		/* null: unknown (the manifest has no text bytes; a saturated
		 * filter has no distinct count) */
		printf("\n  \"file_bytes\": %" PRIu64 ",\n  \"text_bytes\": ", file_bytes);
		if (text_bytes)
			printf("%" PRIu64 ",\n  \"file_per_text\": %.6g,", text_bytes,
			       (double)file_bytes / (double)text_bytes);
		else
			printf("null,\n  \"file_per_text\": null,");
		if (bits_per > 0)
			printf("\n  \"distinct_keys\": %.0f,\n  \"bits_per_distinct_key\": %.6g,",
			       distinct, bits_per);
		else
			printf("\n  \"distinct_keys\": %s,\n  \"bits_per_distinct_key\": null,",
			       distinct > 0 ? "null" : "0");
		/* Null without a doc-freq section */
		if (st.has_doc_freq)
			printf("\n  \"doc_freq\": {\"d\": %u, \"counters\": %" PRIu64
			       ", \"bytes\": %" PRIu64 ", \"lines\": %" PRIu64
			       ", \"pairs\": %" PRIu64 ", \"saturated\": %" PRIu64
			       ", \"noise\": %.6g},", st.doc_freq_d,
			       st.doc_freq_counters, st.doc_freq_bytes, st.doc_freq_lines,
			       st.doc_freq_pairs, st.doc_freq_saturated, st.doc_freq_noise);
		else
			printf("\n  \"doc_freq\": null,");
		/* only with a minhash section (so other indexes' output is
		 * unchanged) */
		if (has_mh) {
			printf("\n  \"minhash\": {\"shingle\": %u, \"bands\": %u, \"rows\": %u, "
			       "\"windows\": [", mi.params.shingle, mi.params.bands, mi.params.rows);
			for (uint32_t w = 0; w < mi.params.nwindows; w++)
				printf("%s%u", w ? ", " : "", mi.params.windows[w]);
			printf("], \"strides\": [");
			for (uint32_t w = 0; w < mi.params.nwindows; w++)
				printf("%s%u", w ? ", " : "", mh_stride(&mi.params, w));
			printf("], \"stride_div\": %u, \"threshold\": %.6g, \"s_curve\": [",
			       mi.params.stride_div, mi.threshold);
			for (int j = 2; j <= 9; j++)
				printf("%s[%.1f, %.6g]", j > 2 ? ", " : "", j / 10.0,
				       contam_minhash_match_prob(mi.params.bands, mi.params.rows, j / 10.0));
			printf("], \"k\": %u, \"nblocks\": %" PRIu64 ", \"bytes\": %" PRIu64
			       ", \"bytes_pct_of_filter\": %.6g, \"keys\": %" PRIu64
			       ", \"corpus_windows\": %" PRIu64 ", \"shingles\": %" PRIu64
			       ", \"bits_set\": %" PRIu64 ", \"fill\": %.6g, \"band_fpr\": %.6g"
			       ", \"item_fpr\": %.6g},", mi.k, mi.nblocks, mi.filter_bytes,
			       st.filter_bytes ? 100.0 * (double)mi.filter_bytes / (double)st.filter_bytes : 0,
			       mi.keys, mi.windows, mi.shingles, mi.bits_set, mi.fill, mi.band_fpr,
			       mi.item_fpr);
		}
		printf("\n  \"inputs\": [");
		for (size_t i = 0; i < nm; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			printf("%s\n    {\"path\": ", i ? "," : "");
			json_str(stdout, e->path);
			printf(", \"kind\": \"%s\", \"size\": %" PRIu64 ", \"text_bytes\": %" PRIu64
			       ", \"documents\": %" PRIu64 ", \"ngrams\": %" PRIu64
			       ", \"errors\": %" PRIu64,
			       contam_input_kind_name(e->kind), e->size, e->bytes_text,
			       e->documents, e->ngrams, e->errors);
			printf(", \"fingerprint\": \"%016" PRIx64 "\", \"problems\": {", e->fingerprint);
			for (int k = 0; k < CONTAM_PROBLEMS; k++)
				printf("%s\"%s\": %" PRIu64, k ? ", " : "", problem_key[k],
				       e->problems[k]);
			printf("}, \"messages\": [");
			for (uint32_t m = 0; m < e->nmessages; m++) {
				if (m)
					printf(", ");
				json_str(stdout, e->messages[m]);
			}
			printf("]}");
		}
		printf("%s],\n  \"skipped\": [", nm ? "\n  " : "");
		size_t nk = contam_index_skip_count(ix);
		for (size_t i = 0; i < nk; i++) {
			const contam_input_skip *k = contam_index_skip_get(ix, i);
			printf("%s\n    {\"dir\": ", i ? "," : "");
			json_str(stdout, k->dir);
			printf(", \"reason\": \"%s\", \"count\": %" PRIu64 ", \"names\": [",
			       skip_key[k->reason < CONTAM_SKIP_REASONS ? k->reason : 0], k->count);
			for (size_t j = 0; j < k->nnames; j++) {
				if (j)
					printf(", ");
				json_str(stdout, k->names[j]);
			}
			printf("]}");
		}
		printf("%s]\n}\n", nk ? "\n  " : "");
	} else {
		char b1[32];
		printf("index      ");
		cli_put_escaped(stdout, path);
		printf(" (format v%u)\n", st.format_version);
		printf("n-gram     %u words, recipe %s\n", st.params.ngram, st.recipe);
		printf("filter     %s, %" PRIu64 " blocks of 512 bits, k=%u, seed %#" PRIx64 "\n",
		       cli_bytes(st.filter_bytes, b1, sizeof(b1)), st.params.nblocks,
		       st.params.k, st.params.seed);
		/* a probe maps such a file and reads only the blocks it
		 * queries; the default (compressed chunks) says nothing */
		if (contam_index_is_uncompressed(ix))
			printf("storage    filter uncompressed (index --uncompressed-filter): "
			       "probe maps it\n");
		if (st.part_count > 1)
			printf("partition  %u of %u (built with --partition %u/%u); probe all %u "
			       "partitions together, as one INDEX: P1,P2,...\n",
			       st.part_index + 1, st.part_count, st.part_index, st.part_count,
			       st.part_count);
		if (st.params.winnow > 1)
			printf("winnowing  W=%u: spans of >= %u tokens are always found\n",
			       st.params.winnow, st.params.winnow + st.params.ngram - 1);
		/* by kind, as the probe's "not indexed" line says them */
		uint64_t kind[CONTAM_PROBLEMS] = { 0 };
		for (size_t i = 0; i < contam_index_manifest_count(ix); i++)
			for (int k = 0; k < CONTAM_PROBLEMS; k++)
				kind[k] += contam_index_manifest_get(ix, i)->problems[k];
		uint64_t other = kind[CONTAM_PROBLEM_NO_TEXT] + kind[CONTAM_PROBLEM_UNREADABLE];
		printf("contents   %" PRIu64 " documents, %" PRIu64 " n-grams inserted, ",
		       st.documents, st.ngrams_inserted);
		if (!other || other > st.errors)
			printf("%" PRIu64 " damaged records skipped\n", st.errors);
		else
			printf("%" PRIu64 " skipped: %" PRIu64 " damaged records, %" PRIu64
			       " records without the text field, %" PRIu64 " unreadable inputs\n",
			       st.errors, st.errors - other, kind[CONTAM_PROBLEM_NO_TEXT],
			       kind[CONTAM_PROBLEM_UNREADABLE]);
		printf("fill       %.2f%% of bits set; false-positive rate %.3g per n-gram\n",
		       100 * st.fill, st.fpr);
		if (st.params.winnow > 1)
			printf("           (%.3g per filter lookup; the probe fills gaps of <= %u "
			       "n-grams between hits, so chance hits close together count too)\n",
			       st.fpr_lookup, st.params.winnow);
		printf("size       index file %s", cli_bytes(file_bytes, b1, sizeof(b1)));
		if (text_bytes) {
			char b2[32];
			printf(", %.3gx the %s of text read%s", (double)file_bytes / (double)text_bytes,
			       cli_bytes(text_bytes, b2, sizeof(b2)),
			       st.part_count > 1 ? " (this partition's file)" : "");
		} else {
			printf(", text size unknown (the manifest has no text bytes)");
		}
		if (bits_per > 0)
			printf("; %.3g bits per distinct %s (~%.0f distinct, from the fill)\n",
			       bits_per, st.params.winnow > 1 ? "kept n-gram" : "n-gram", distinct);
		else
			printf("; bits per distinct %s: %s\n",
			       st.params.winnow > 1 ? "kept n-gram" : "n-gram",
			       distinct > 0 ? "unknown (the filter is saturated)" : "none inserted");
		if (st.has_doc_freq)
			printf("doc-freq   %s, %" PRIu64 " counters of 16 bits, d=%u; %" PRIu64
			       " (document, n-gram) pairs counted; an estimate is >= the "
			       "true count and over-counts by %.3g on average at most%s\n",
			       cli_bytes(st.doc_freq_bytes, b1, sizeof(b1)), st.doc_freq_counters,
			       st.doc_freq_d, st.doc_freq_pairs, st.doc_freq_noise,
			       st.part_count > 1 ? " (this partition)" : "");
		else
			printf("doc-freq   none (no doc-freq section: built without --doc-freq)\n");
		if (st.doc_freq_saturated)
			printf("           %" PRIu64 " counters saturated at 65535\n",
			       st.doc_freq_saturated);
		if (has_mh) {
			printf("minhash    b=%u bands of r=%u rows, shingles of %u words; "
			       "near-dup threshold Jaccard %.2f\n", mi.params.bands, mi.params.rows,
			       mi.params.shingle, mi.threshold);
			printf("           windows");
			for (uint32_t w = 0; w < mi.params.nwindows; w++)
				printf("%s %u (stride %u)", w ? "," : "", mi.params.windows[w],
				       mh_stride(&mi.params, w));
			printf(" shingles\n           S-curve P(match | J):");
			for (int j = 2; j <= 9; j++)
				printf(" %.1f:%.2f", j / 10.0,
				       contam_minhash_match_prob(mi.params.bands, mi.params.rows, j / 10.0));
			printf("\n           %s (%.1f%% of the n-gram filter), k=%u; %" PRIu64
			       " windows, %" PRIu64 " band keys; fill %.2f%% (%" PRIu64 " bits set); "
			       "false-positive rate %.3g per band, %.3g per item%s\n",
			       cli_bytes(mi.filter_bytes, b1, sizeof(b1)),
			       st.filter_bytes ? 100.0 * (double)mi.filter_bytes / (double)st.filter_bytes : 0,
			       mi.k, mi.windows, mi.keys, 100 * mi.fill, mi.bits_set, mi.band_fpr,
			       mi.item_fpr, st.part_count > 1 ? " (this partition)" : "");
		}
		printf("inputs     %zu\n", nm);
		for (size_t i = 0; i < nm; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			printf("  %-8s %10s %9" PRIu64 " docs %12" PRIu64 " n-grams %6" PRIu64
			       " errors  ", contam_input_kind_name(e->kind),
			       cli_bytes(e->size, b1, sizeof(b1)), e->documents, e->ngrams,
			       e->errors);
			cli_put_escaped(stdout, e->path);
			putchar('\n');
		}
		print_problems(ix);
	}
	/* As the build does, from 1.25x the target on */
	if (st.fpr > CLI_FPR_MARGIN * target && st.fpr > 1e-6)
		cli_warn("'%s': false-positive rate %.2g is %.2fx the target %.2g (more than "
			 "%.3gx%s); verdicts from it overstate contamination; rebuild it with a "
			 "larger --expected-ngrams", path, st.fpr, st.fpr / target, target,
			 CLI_FPR_MARGIN, st.fpr > 2 * target ? ": OVERFULL" : "");
	contam_index_free(ix);
	return 0;
}
