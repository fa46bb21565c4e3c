/*
 * cli_merge.c -- `contam merge`: OR-merge partial indexes built with the
 * same parameters (per-shard indexes from many nodes, or last month's
 * index and this month's), streaming chunk by chunk.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam merge -o OUT PART...\n"
"\n"
"OR-merge index files built with identical parameters (n, recipe, seed, filter\n"
"size, k, partition) into OUT.  The result is byte-identical to indexing all\n"
"their inputs in one run; memory stays a few MiB per thread whatever the index\n"
"size.  A mismatch is refused, naming the parameter and both values; an input\n"
"present in two parts is refused too, and an OUT that is one of the parts\n"
"(by any name).  Build the parts with the same --expected-ngrams or --memory\n"
"so their geometry matches.  SIGINT/SIGTERM stop the merge and leave nothing.\n"
"\n"
"options:\n"
"  -o, --output OUT   merged index (written atomically)\n"
"  -q, --quiet        no summary\n"
"  -h, --help         this help\n");
}

int cli_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("merge");
		}
	}
	if (!output)
		return cli_error(EXIT_USAGE, "no output: give -o OUT (see 'contam merge --help')");
	if (cli_is_stdout_name(output))
		return cli_error(EXIT_USAGE, "an index cannot be written to stdout ('-o -'): give a file name");
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "nothing to merge: give index files");
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], output))
			return cli_error(EXIT_USAGE, "the output '%s' is also an input", output);
	if (cli_output_clash("output", output, (const char *const *)argv + optind,
			     (size_t)(argc - optind)))
		return EXIT_USAGE;
	int rc = cli_check_output_dir(output);
	if (rc)
		return rc;
	contam_error err;
	/* a signal stops the merge and leaves nothing (no temporary file) */
	cli_install_signal_handlers();
	if (contam_index_merge_stop(output, (const char *const *)argv + optind,
				    (size_t)(argc - optind), &cli_interrupted, &err))
		return cli_error(EXIT_INPUT, "%s%s", err.msg,
				 cli_interrupted ? "; nothing written" : "");
	if (!quiet) {
		contam_index *ix = NULL;
		if (contam_index_load_summary(&ix, output, NULL) == CONTAM_OK) {
			contam_index_stats st;
			contam_index_stats_get(ix, &st);
			fprintf(stderr, "contam: merged %d index(es) into '%s': %zu inputs, %" PRIu64
				" n-grams; fill %.1f%%, false-positive rate %.2g\n",
				argc - optind, output, contam_index_manifest_count(ix),
				st.ngrams_inserted, 100 * st.fill, st.fpr);
		}
		contam_index_free(ix);
	}
	return 0;
}
