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
"usage: contam report REPORT.json... [--format FMT] [--definition D]...\n"
"                     [--latex-wide] [--provenance] [-o FILE]\n"
"\n"
"Render probe reports for papers.  Columns are corpora, named by the probe's\n"
"--label (else the index file name); reports of one corpus (one label, or one\n"
"index) are merged into one column, benchmarks are rows.  Every rate comes with\n"
"its count and 95%% Wilson interval; the expected false verdicts and the null\n"
"control printed beside a rate are those of that same definition.  Definitions\n"
"an index cannot support print as n/a, benchmarks not probed as -.\n"
"A REPORT of - is standard input; one report given twice is refused.\n"
"\n"
"options:\n"
"  -F, --format FMT   md (default), latex (booktabs + tabularx; fits a\n"
"                     two-column paper), csv (one row per corpus x benchmark x\n"
"                     definition x measure), html (one self-contained page\n"
"                     with charts), conda (rows for the Data Contamination\n"
"                     Database, ';'-separated)\n"
"  -d, --definition D  a benchmark x corpus grid of D: contam (contaminated\n"
"                     and partial+), gpt3, palm, llama2 (dirty and not\n"
"                     clean), any (flagged by any of them), near_dup\n"
"                     (probe --near-dup: near-dup and near-dup only); repeat\n"
"                     or give a comma list (gpt3,palm).  Default: md the\n"
"                     summary, the per-definition table and a contaminated\n"
"                     grid; latex the contaminated grid; near-dup columns\n"
"                     and a near-dup grid when a report has them\n"
"      --latex-wide   latex: a table* across both columns, with the\n"
"                     expected false verdicts (default: a table that fits\n"
"                     \\columnwidth, up to 3 corpora; wide: up to 5)\n"
"      --provenance   under the tables, per corpus: report file, index path,\n"
"                     inputs and their digest, recipe, n, the probe's\n"
"                     options and the suite file's hash (md, latex, html)\n"
"  -o, --output FILE  write here instead of stdout\n"
"  -h, --help         this help\n"
"\n"
"partial = 20%% <= coverage < 80%% (partial only); partial+ = coverage >= 20%%\n"
"(partial or contaminated), in every format.\n"
"\n"
"example:\n"
"  contam probe cc.cidx --label \"Common Crawl 2025-05\" gsm8k -o cc.json\n"
"  contam report cc.json c4.json --definition contam,gpt3 --format latex -o table.tex\n");
}

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "definition", required_argument, NULL, 'd' },
		{ "latex-wide", no_argument, NULL, 'W' },
		{ "provenance", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "md", *output = NULL;
	contam_report_options ro = { 0 };
	char defs[256] = "";
	char *tmp = NULL;
	contam_error err;
	FILE *out = NULL;
	int rc = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "F:o:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': format = optarg; break;
		case 'd': /* repeatable: one comma list */
			if (!*optarg)
				return cli_error(EXIT_USAGE, "--definition wants gpt3, palm, "
						 "llama2, contam or any");
			if (strlen(defs) + strlen(optarg) + 2 > sizeof defs)
				return cli_error(EXIT_USAGE, "--definition: too many definitions");
			if (*defs)
				strcat(defs, ",");
			strcat(defs, optarg);
			break;
		case 'W': ro.latex_wide = 1; break;
		case 'P': ro.provenance = 1; break;
		case 'o': output = cli_is_stdout_name(optarg) ? NULL : optarg; break; /* '-': stdout */
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("report");
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
	bool latex = !strcmp(format, "latex") || !strcmp(format, "tex");
	if (ro.latex_wide && !latex)
		return cli_error(EXIT_USAGE, "--latex-wide goes with --format latex");
	if (ro.provenance && (!strcmp(format, "csv") || !strcmp(format, "conda")))
		return cli_error(EXIT_USAGE, "--provenance goes with md, latex or html "
				 "(%s rows have no place for it)", format);
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "no reports: usage: contam report REPORT.json... "
				 "[--format FMT] [-o FILE]");
	/* "-" is standard input (once); one report twice would put its
	 * corpus in the table twice ("#2"), as if a second one agreed */
	for (int i = optind; i < argc; i++) {
		const char *given = argv[i];
		if (!strcmp(argv[i], "-"))
			argv[i] = "/dev/stdin";
		for (int j = optind; j < i; j++)
			if (!strcmp(argv[i], argv[j]) || cli_same_path(argv[i], argv[j]))
				return cli_error(EXIT_USAGE, "'%s'%s is given twice (as "
						 "report %d and %d): each report is one "
						 "column of the table", given,
						 strcmp(given, "-") ? "" : " (standard input)",
						 j - optind + 1, i - optind + 1);
	}
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
			rc = cli_error(EXIT_INPUT, "cannot write '%s' (its temporary '%s'): %s",
				       output, tmp, strerror(errno));
			goto out;
		}
	}
	ro.format = format;
	ro.definitions = *defs ? defs : NULL;
	contam_sink sink = contam_sink_file(out ? out : stdout);
	int rrc = contam_report_render_opts((const char *const *)argv + optind,
					    (size_t)(argc - optind), &ro, &sink, &err);
	if (rrc) {
		rc = cli_error(rrc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	if (!out && fflush(stdout)) {
		rc = cli_error(EXIT_INPUT, "cannot write the output: %s", strerror(errno));
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
