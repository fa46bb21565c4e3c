/*
 * cli_impact.c -- `contam impact REPORT.json SAMPLES...`: a model's score
 * on clean, partial and contaminated examples (lm-evaluation-harness
 * --log_samples files probed into REPORT.json), as md, LaTeX or JSON, and
 * with --write-samples the clean doc_ids for lm-eval's --samples.  The
 * computation is the library's (contam_impact_*); outputs are written
 * under temporary names and renamed only when the run succeeded.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam impact REPORT.json SAMPLES.jsonl... [--definition D] [--format FMT]\n"
"                     [-o FILE] [--write-samples CLEAN.json] [--allow-missing]\n"
"\n"
"What contamination did to a model's scores.  REPORT.json is a probe report\n"
"of lm-evaluation-harness --log_samples files (samples_<task>_<time>.jsonl),\n"
"e.g. contam probe corpus.cidx --field doc.question --id-field doc_id\n"
"samples_gsm8k_*.jsonl -o report.json; give the same files here.  Each report\n"
"example is joined to its line (source file and record number; its id must be\n"
"the line's doc_id).  Per task, filter and metric: the mean on all, clean,\n"
"partial and contaminated examples (with n), contaminated - clean with a 95%%\n"
"interval and a p-value.\n"
"\n"
"  interval  percentile bootstrap: each group resampled on its own with\n"
"            replacement, --resamples times (default %d); draws from\n"
"            splitmix64 seeded with --seed\n"
"  p         two-sided permutation test of the difference of means: exact over\n"
"            every split of the clean and contaminated values when there are\n"
"            at most --permutations of them (default %d), else that many\n"
"            random permutations, p = (1 + as extreme) / (1 + permutations)\n"
"\n"
"options:\n"
"  -d, --definition D   contam (default: contaminated and partial are the\n"
"                       report's verdicts, clean the rest, too_short included),\n"
"                       llama2 (dirty, not clean, clean), gpt3 or palm (flagged\n"
"                       is contaminated; no partial)\n"
"  -F, --format FMT     md (default), latex (booktabs; a tabular as wide as\n"
"                       a page: \\input it in a table*), json (docs/REPORT.md)\n"
"  -o, --output FILE    write here instead of stdout\n"
"      --write-samples FILE  {\"<task>\": [doc_id, ...]} of the clean examples,\n"
"                       for lm_eval --samples FILE (a doc_id whose every line\n"
"                       is clean)\n"
"      --allow-missing  report examples without a sample line and sample lines\n"
"                       without a report example are counted and listed, not\n"
"                       an error (exit 2)\n"
"      --resamples N    bootstrap resamples (default %d)\n"
"      --permutations N random permutations, and the most splits counted\n"
"                       exactly (default %d)\n"
"      --seed N         seed of both (default %d)\n"
"  -h, --help           this help\n"
"\n"
"A metric with a value that is not a number (booleans count 0/1) is skipped\n"
"and listed under the table.  Exit status: 0 success, 1 usage error (also a\n"
"definition the report cannot tell), 2 input or I/O error.\n",
		CONTAM_IMPACT_RESAMPLES, CONTAM_IMPACT_PERMUTATIONS, CONTAM_IMPACT_RESAMPLES,
		CONTAM_IMPACT_PERMUTATIONS, CONTAM_IMPACT_SEED);
}

/* An output under a temporary name (or stdout, or a device in place). */
typedef struct cli_out {
	const char *path;
	char *tmp;
	FILE *f;
} cli_out;

static int out_open(cli_out *o, const char *path)
{
	o->path = path;
	o->tmp = NULL;
	o->f = NULL;
	if (!path) {
		o->f = stdout;
		return 0;
	}
	if (cli_is_device(path)) {
		if (!(o->f = fopen(path, "w")))
			return cli_error(EXIT_INPUT, "cannot open '%s': %s", path, strerror(errno));
		return 0;
	}
	size_t n = strlen(path) + 32;
	if (!(o->tmp = malloc(n)))
		return cli_error(EXIT_INPUT, "out of memory");
	snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if (!(o->f = fopen(o->tmp, "w")))
		return cli_error(EXIT_INPUT, "cannot create '%s': %s", o->tmp, strerror(errno));
	return 0;
}

/* Flush and close (0 or an exit status); the rename is out_commit's. */
static int out_close(cli_out *o)
{
	if (!o->f)
		return 0;
	int bad = fflush(o->f) || (o->tmp && fsync(fileno(o->f)));
	if (o->f != stdout)
		bad |= fclose(o->f);
	o->f = NULL;
	if (bad)
		return cli_error(EXIT_INPUT, "cannot write '%s': %s",
				 o->path ? o->path : "stdout", strerror(errno));
	return 0;
}

static int out_commit(cli_out *o)
{
	if (o->tmp && rename(o->tmp, o->path))
		return cli_error(EXIT_INPUT, "cannot write '%s': %s", o->path, strerror(errno));
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

static void out_discard(cli_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}

enum { OPT_WRITE_SAMPLES = 1000, OPT_ALLOW_MISSING, OPT_RESAMPLES, OPT_PERMUTATIONS,
       OPT_SEED };

int cli_impact(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "definition", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "write-samples", required_argument, NULL, OPT_WRITE_SAMPLES },
		{ "allow-missing", no_argument, NULL, OPT_ALLOW_MISSING },
		{ "resamples", required_argument, NULL, OPT_RESAMPLES },
		{ "permutations", required_argument, NULL, OPT_PERMUTATIONS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	contam_impact_options opt;
	contam_impact_options_init(&opt);
	const char *format = "md", *output = NULL, *write_samples = NULL;
	unsigned long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:F:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (contam_definition_parse(optarg, &opt.definition))
				return cli_error(EXIT_USAGE, "unknown definition '%s' (contam, "
						 "gpt3, palm, llama2)", optarg);
			break;
		case 'F': format = optarg; break;
		case 'o': output = cli_is_stdout_name(optarg) ? NULL : optarg; break;
		case OPT_WRITE_SAMPLES: write_samples = optarg; break;
		case OPT_ALLOW_MISSING: opt.allow_missing = 1; break;
		case OPT_RESAMPLES:
		case OPT_PERMUTATIONS:
			if (!cli_parse_uint(optarg, 1, 100000000, &v))
				return cli_error(EXIT_USAGE, "--%s wants a count from 1 to 100000000, "
						 "not '%s'", c == OPT_RESAMPLES ? "resamples" :
						 "permutations", optarg);
			*(c == OPT_RESAMPLES ? &opt.resamples : &opt.permutations) = (uint32_t)v;
			break;
		case OPT_SEED:
			if (!cli_parse_uint(optarg, 0, (unsigned long)-1, &v))
				return cli_error(EXIT_USAGE, "--seed wants a number, not '%s'", optarg);
			opt.seed = v;
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("impact");
		}
	}
	if (strcmp(format, "md") && strcmp(format, "latex") && strcmp(format, "json"))
		return cli_error(EXIT_USAGE, "unknown format '%s' (md, latex, json)", format);
	if (argc - optind < 2)
		return cli_error(EXIT_USAGE, "usage: contam impact REPORT.json SAMPLES.jsonl... "
				 "(see 'contam impact --help')");
	const char *const *inputs = (const char *const *)argv + optind;
	size_t ninputs = (size_t)(argc - optind);
	if (cli_output_clash("output", output, inputs, ninputs) ||
	    cli_output_clash("--write-samples output", write_samples, inputs, ninputs))
		return EXIT_USAGE;
	if (output && write_samples && cli_same_path(output, write_samples))
		return cli_error(EXIT_USAGE, "-o and --write-samples name one file '%s'", output);

	contam_error err;
	contam_impact *im = NULL;
	int rc = contam_impact_new(&im, inputs[0], inputs + 1, ninputs - 1, &opt, &err);
	if (rc)
		return cli_error(rc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT, "%s", err.msg);
	uint64_t missing_examples, missing_lines;
	contam_impact_missing(im, &missing_examples, &missing_lines);
	if (missing_examples || missing_lines)
		cli_warn("%" PRIu64 " report example(s) without a sample line and %" PRIu64
			 " sample line(s) without a report example left out (--allow-missing; "
			 "listed under the table)", missing_examples, missing_lines);

	cli_out main_out = { 0 }, samples_out = { 0 };
	int xrc = 0;
	if ((xrc = out_open(&main_out, output)))
		goto out;
	if (write_samples && (xrc = out_open(&samples_out, write_samples)))
		goto out;
	contam_sink sink = contam_sink_file(main_out.f);
	if ((rc = contam_impact_write(im, format, &sink, &err))) {
		xrc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	if (write_samples) {
		contam_sink ss = contam_sink_file(samples_out.f);
		if ((rc = contam_impact_write_samples(im, &ss, &err))) {
			xrc = cli_error(EXIT_INPUT, "%s", err.msg);
			goto out;
		}
	}
	if (write_samples && contam_impact_unread(im))
		cli_warn("'%s': the report's index did not read all of its inputs (the "
			 "report's index.unread): some clean samples may have copies there",
			 write_samples);
	if ((xrc = out_close(&main_out)) || (xrc = out_close(&samples_out)))
		goto out;
	if ((xrc = out_commit(&main_out)) || (xrc = out_commit(&samples_out)))
		goto out;
out:
	out_discard(&main_out);
	out_discard(&samples_out);
	contam_impact_free(im);
	return xrc;
}
