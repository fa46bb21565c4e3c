/*
 * cli_info.c -- `contam info`: what an index holds, for people or (--json)
 * machines.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam info INDEX [--json]\n"
"\n"
"Print an index's parameters (n, recipe, k, size, seed), the manifest of its\n"
"inputs (documents, n-grams, damaged records skipped), its fill and measured\n"
"false-positive rate.  The file is fully verified while loading.\n"
"\n"
"options:\n"
"      --json   machine-readable output on stdout\n"
"  -h, --help   this help\n");
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

int cli_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_error(EXIT_USAGE, "usage: contam info INDEX [--json]");
	const char *path = argv[optind];
	contam_index *ix = NULL;
	/* streamed: the filter is measured chunk by chunk, never held */
	if (contam_index_load_summary(&ix, path)) {
		int rc = cli_error(EXIT_INPUT, "%s", contam_index_errmsg(ix));
		contam_index_free(ix);
		return rc;
	}
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	size_t nm = contam_index_manifest_count(ix);
	if (json) {
		printf("{\n  \"path\": ");
		json_str(stdout, path);
		printf(",\n  \"format_version\": %u,\n  \"ngram\": %u,\n  \"recipe\": ",
		       st.format_version, st.params.ngram);
		json_str(stdout, st.recipe);
		printf(",\n  \"k\": %u,\n  \"nblocks\": %" PRIu64 ",\n  \"block_bits\": 512,\n"
		       "  \"seed\": %" PRIu64 ",\n  \"filter_bytes\": %" PRIu64 ",\n"
		       "  \"ngrams_inserted\": %" PRIu64 ",\n  \"documents\": %" PRIu64 ",\n"
		       "  \"errors\": %" PRIu64 ",\n  \"bits_set\": %" PRIu64 ",\n"
		       "  \"fill\": %.6g,\n  \"fpr\": %.6g,\n  \"winnow\": %u,\n"
		       "  \"partition\": [%u, %u],\n  \"inputs\": [",
		       st.params.k, st.params.nblocks, st.params.seed, st.filter_bytes,
		       st.ngrams_inserted, st.documents, st.errors, st.bits_set,
		       st.fill, st.fpr, st.params.winnow, st.part_index, st.part_count);
		for (size_t i = 0; i < nm; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			printf("%s\n    {\"path\": ", i ? "," : "");
			json_str(stdout, e->path);
			printf(", \"kind\": \"%s\", \"size\": %" PRIu64 ", \"text_bytes\": %" PRIu64
			       ", \"documents\": %" PRIu64 ", \"ngrams\": %" PRIu64
			       ", \"errors\": %" PRIu64 "}",
			       contam_input_kind_name(e->kind), e->size, e->bytes_text,
			       e->documents, e->ngrams, e->errors);
		}
		printf("%s]\n}\n", nm ? "\n  " : "");
	} else {
		char b1[32];
		printf("index      %s (format v%u)\n", path, st.format_version);
		printf("n-gram     %u words, recipe %s\n", st.params.ngram, st.recipe);
		printf("filter     %s, %" PRIu64 " blocks of 512 bits, k=%u, seed %#" PRIx64 "\n",
		       cli_bytes(st.filter_bytes, b1, sizeof(b1)), st.params.nblocks,
		       st.params.k, st.params.seed);
		if (st.part_count > 1)
			printf("partition  %u of %u (built with --partition %u/%u); probe all %u "
			       "partitions together, as one INDEX: P1,P2,...\n",
			       st.part_index + 1, st.part_count, st.part_index, st.part_count,
			       st.part_count);
		if (st.params.winnow > 1)
			printf("winnowing  W=%u: spans of >= %u tokens are always found\n",
			       st.params.winnow, st.params.winnow + st.params.ngram - 1);
		printf("contents   %" PRIu64 " documents, %" PRIu64 " n-grams inserted, %"
		       PRIu64 " damaged records skipped\n", st.documents,
		       st.ngrams_inserted, st.errors);
		printf("fill       %.2f%% of bits set; false-positive rate %.3g per n-gram\n",
		       100 * st.fill, st.fpr);
		printf("inputs     %zu\n", nm);
		for (size_t i = 0; i < nm; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			printf("  %-8s %10s %9" PRIu64 " docs %12" PRIu64 " n-grams %6" PRIu64
			       " errors  %s\n", contam_input_kind_name(e->kind),
			       cli_bytes(e->size, b1, sizeof(b1)), e->documents, e->ngrams,
			       e->errors, e->path);
		}
	}
	contam_index_free(ix);
	return 0;
}
