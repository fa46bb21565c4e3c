/*
 * main.c -- the contam program: dispatch to a subcommand.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam <command> [options] [args]\n"
"\n"
"Find benchmark test data inside training corpora.  Index a corpus once,\n"
"then probe any benchmark against the index in seconds.\n"
"\n"
"commands:\n"
"  index   build an index from corpus files (WET/WARC, JSONL, tar/zip, txt)\n"
"          contam index -o corpus.cidx shards/\n"
"  probe   score benchmark examples against an index; JSON report + table\n"
"          contam probe corpus.cidx --field question gsm8k/test.jsonl\n"
"  info    show an index's parameters, manifest, fill and false-positive rate\n"
"          contam info corpus.cidx\n"
"  verify  check every checksum of an index file\n"
"          contam verify corpus.cidx\n"
"  merge   OR-merge indexes built with the same parameters\n"
"          contam merge -o all.cidx shard-*.cidx\n"
"  plan    size a crawl-scale run: filter, partitions, disk, wall time\n"
"          contam plan --text-bytes 9T --node-memory 256G --cores 64\n"
"  report  render probe reports for papers: md, latex, csv, html, conda\n"
"          contam report cc.json c4.json --format latex -o table.tex\n"
"  scan    exact scan with provenance (file, record, URL, offsets); purify\n"
"          contam scan --bench gsm8k/test.jsonl -o hits.jsonl shards/\n"
"  impact  a model's scores on clean vs contaminated examples (lm-eval samples)\n"
"          contam impact report.json samples_gsm8k_*.jsonl --write-samples clean.json\n"
"  cat     print the documents contam reads from corpus files, as JSON lines\n"
"          contam cat --text-field text shard-000.parquet\n"
"\n"
"Run 'contam <command> --help' for the options of a command.\n"
"Exit status: 0 success, 1 usage error, 2 input or I/O error, 3 probe\n"
"--fail-above: a benchmark's rate is above the gate (the report is written).\n");
}

int main(int argc, char **argv)
{
	/* past a file-size limit (ulimit -f) a write fails with EFBIG, is
	 * reported and its temporary file removed, as a full disk is; the
	 * signal's default killed the process with 153 and left the file */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("contam %s (recipe %s)\n", contam_version(), contam_recipe());
		char fast[160];
		printf("fast paths: %s\n",
		       contam_fast_describe(NULL, fast, sizeof fast));
		return 0;
	}
	if (!strcmp(cmd, "index"))
		return cli_index(argc - 1, argv + 1);
	if (!strcmp(cmd, "probe"))
		return cli_probe(argc - 1, argv + 1);
	if (!strcmp(cmd, "info"))
		return cli_info(argc - 1, argv + 1);
	if (!strcmp(cmd, "verify"))
		return cli_verify(argc - 1, argv + 1);
	if (!strcmp(cmd, "merge"))
		return cli_merge(argc - 1, argv + 1);
	if (!strcmp(cmd, "plan"))
		return cli_plan(argc - 1, argv + 1);
	if (!strcmp(cmd, "scan"))
		return cli_scan(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cli_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "impact"))
		return cli_impact(argc - 1, argv + 1);
	if (!strcmp(cmd, "cat"))
		return cli_cat(argc - 1, argv + 1);
	fprintf(stderr, "contam: '%s' is not a contam command; see 'contam --help'\n", cmd);
	return EXIT_USAGE;
}
