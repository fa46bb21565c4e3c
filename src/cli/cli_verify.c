/*
 * cli_verify.c -- `contam verify`: check an index file completely (magic,
 * version, parameters, section bounds, the file checksum, and every filter
 * chunk's checksum) without using it.  Loading does exactly these checks,
 * so verify is a load that reports instead of probing.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cli_verify(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: contam verify INDEX...\n\n"
		       "Check every header field, section bound, checksum, filter chunk and\n"
		       "doc-freq chunk of each index file.  Prints 'ok' per file; exit 2 if any file is damaged.\n");
		return 0;
	}
	if (argc < 2)
		return cli_error(EXIT_USAGE, "usage: contam verify INDEX...");
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		contam_index *ix = NULL;
		/* streamed: every chunk checked, the filter never held */
		contam_error err;
		if (contam_index_load_summary(&ix, argv[i], &err)) {
			cli_error(EXIT_INPUT, "%s", err.msg);
			rc = EXIT_INPUT;
		} else {
			contam_index_stats st;
			contam_index_stats_get(ix, &st);
			printf("%s: ok (format v%u, %u-grams, %" PRIu64 " n-grams, %zu inputs%s)\n",
			       argv[i], st.format_version, st.params.ngram,
			       st.ngrams_inserted, contam_index_manifest_count(ix),
			       st.has_doc_freq ? ", doc-freq sketch" : "");
		}
		contam_index_free(ix);
	}
	return rc;
}
