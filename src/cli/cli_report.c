/*
 * cli_report.c -- `contam report`: render probe reports (one per corpus)
 * as Markdown, LaTeX, CSV, HTML or CONDA rows, to stdout or -o FILE
 * (written under a temporary name and renamed when complete).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam report REPORT.json... [--format FMT] [-o FILE]\n"
"\n"
"Render probe reports for papers.  Give one report per corpus: several make a\n"
"benchmark x corpus grid.  Every rate comes with its 95%% Wilson interval;\n"
"definitions an index cannot support print as n/a.\n"
"\n"
"options:\n"
"  -F, --format FMT   md (default), latex (booktabs), csv (one row per\n"
"                     benchmark x definition x measure), html (one\n"
"                     self-contained page with charts), conda (rows for\n"
"                     the Data Contamination Database, ';'-separated)\n"
"  -o, --output FILE  write here instead of stdout\n"
"  -h, --help         this help\n"
"\n"
"example:\n"
"  contam report cc.json c4.json --format latex -o table.tex\n");
}

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "md", *output = NULL;
	char *tmp = NULL;
	contam_error err;
	FILE *out = NULL;
	int rc = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "F:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': output = cli_is_stdout_name(optarg) ? NULL : optarg; break; /* '-': stdout */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	static const char *const formats[] = { "md", "markdown", "latex", "tex",
		"csv", "html", "conda", NULL };
	int known = 0;
	for (int i = 0; formats[i]; i++)
		known |= !strcmp(format, formats[i]);
	if (!known)
		return cli_error(EXIT_USAGE, "unknown format '%s' (md, latex, csv, html, conda)",
				 format);
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "no reports: usage: contam report REPORT.json... "
				 "[--format FMT] [-o FILE]");
	if (cli_output_clash("output", output, (const char *const *)argv + optind,
			     (size_t)(argc - optind)))
		return EXIT_USAGE;
	if (output && cli_is_device(output)) { /* -o /dev/null: in place */
		if (!(out = fopen(output, "w")))
			return cli_error(EXIT_INPUT, "cannot open '%s': %s", output,
					 strerror(errno));
	} else if (output) {
		size_t n = strlen(output) + 32;
		if (!(tmp = malloc(n)))
			return cli_error(EXIT_INPUT, "out of memory");
		snprintf(tmp, n, "%s.tmp.%ld", output, (long)getpid());
		if (!(out = fopen(tmp, "w"))) {
			rc = cli_error(EXIT_INPUT, "cannot create '%s': %s", tmp, strerror(errno));
			goto out;
		}
	}
	int rrc = contam_report_render((const char *const *)argv + optind,
				       (size_t)(argc - optind), format,
				       out ? out : stdout, &err);
	if (rrc) {
		rc = cli_error(rrc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	if (out) {
		int bad = fflush(out) || (tmp && fsync(fileno(out)));
		bad |= fclose(out);
		out = NULL;
		if (bad || (tmp && rename(tmp, output))) {
			rc = cli_error(EXIT_INPUT, "cannot write '%s': %s", output, strerror(errno));
			goto out;
		}
	}
out:
	if (out)
		fclose(out);
	if (tmp && rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
