/*
 * cli_scan.c -- `contam scan`: the exact scan.  Benchmarks go into an
 * exact n-gram table, the corpus streams past it; hit records (JSONL,
 * stdout or -o), optionally a probe-schema report (--report) and a
 * purified copy of the corpus (--purify).  A table, memory use and
 * throughput go to stderr.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam scan [options] --bench PATH [--bench PATH]... CORPUS...\n"
"\n"
"Exact scan: put the benchmarks' word n-grams in an exact table and stream the\n"
"corpus past it.  For every corpus document that contains benchmark n-grams, one\n"
"JSONL hit record: file, member, record, offset, URL/id, the byte offsets of\n"
"each matched region in the (decompressed) document text, the examples matched\n"
"and a snippet.  A region matches an example only where consecutive n-grams of\n"
"the document are consecutive n-grams of that example.\n"
"\n"
"options:\n"
"  -b, --bench PATH         a benchmark file or a directory of them (walked,\n"
"                           each file its own benchmark, as in probe); one\n"
"                           path per --bench, repeat for more.  A corpus\n"
"                           input that looks like a benchmark (.csv, .tsv,\n"
"                           .parquet, beside a --bench file with its\n"
"                           extension, or of its file name: the rest of a\n"
"                           shell glob) is refused;\n"
"                           corpus inputs after '--' are taken as given\n"
"      --records PATH, --lines-per-record N, --header\n"
"                           benchmark layout, as in probe\n"
"      --name NAME          benchmark name for all BENCH files\n"
"  -f, --field PATH         benchmark text field (repeat; default: all strings)\n"
"      --question-field PATH, --answer-field PATH\n"
"                           split each example into question and answer, as\n"
"                           in probe (both repeatable; not with --field): the\n"
"                           report gets per-example question and answer\n"
"                           coverage and the question_answer counts\n"
"      --id-field PATH      field reported as the example's id\n"
"      --no-header          CSV/TSV: the first row is data\n"
"      --min-span N         words a span needs to count toward coverage (10)\n"
"      --ngram N            words per n-gram (default 8, as the index)\n"
"  -o, --output FILE        hit records here instead of stdout\n"
"      --report FILE        per-example metrics in the probe report schema,\n"
"                           computed exactly, plus doc_count per example,\n"
"                           per n-gram document counts and a \"scan\" object\n"
"      --max-doc-freq K     ignore n-grams found in more than K documents\n"
"                           (boilerplate); the report lists them\n"
"      --purify DIR         write a decontaminated copy of every corpus file\n"
"                           under DIR (same format and compression) and\n"
"                           DIR/purify-manifest.jsonl\n"
"      --purify-mode MODE   drop: remove documents with a match (default);\n"
"                           cut: remove each match +- 200 characters, and\n"
"                           drop documents cut into more than 10 pieces\n");
	/* a string of its own: one literal over 4095 bytes is not portable;
	 * the sizes as the library has them (tuned: docs/NEARDUP.md) */
	contam_minhash_params d;
	contam_minhash_params_default(&d);
	char wins[96];
	cli_minhash_windows("/", wins, sizeof(wins));
	fprintf(f,
"      --near-dup           also measure near-duplicates exactly: per example\n"
"                           and document, the containment C = |A & W| / |A|\n"
"                           and Jaccard J of the example's %u-word shingles\n"
"                           (the set probe --near-dup signs: sentences and\n"
"                           lines apart, so reordering them keeps C) in the\n"
"                           document's best window of %s shingles\n"
"                           (every position; sizes up to the first that holds\n"
"                           the example whole).  Examples with C >= MIN go to\n"
"                           the table and to --report (scan.near_dup: per\n"
"                           benchmark the rate, per hit C, J, window, file,\n"
"                           member, record, offset, URL); hit records and\n"
"                           --purify stay n-gram matches\n"
"      --near-dup-min MIN   containment to report (default 0.5)\n"
"      --confirm REPORT     with --near-dup: check the near_dup verdicts of a\n"
"                           probe --near-dup report of the same benchmark\n"
"                           files (same options, same order): the table and\n"
"                           --report (scan.near_dup.confirm) say how many the\n"
"                           exact scan confirms and which it overturns; the\n"
"                           shingle and window sizes are then its index's\n",
		d.shingle, wins);
	fprintf(f,
"  -t, --threads T          threads (default: all cores)\n"
"      --text-field PATH    JSON corpus field holding the text (text): a name\n"
"                           or a dotted path through objects and arrays, as\n"
"                           --field; repeat to join several with newlines\n"
"                           (--purify takes one plain name only)\n"
"      --strict             stop at the first damaged corpus record\n"
"      --max-record SIZE    longest JSONL line kept (default 256M, at least 1K)\n"
"      --include GLOB       in walked corpus directories, read only files\n"
"                           matching GLOB (repeatable; see 'contam index')\n"
"      --exclude GLOB       in walked corpus directories, skip matching files\n"
"      --allow-empty        a corpus input that yields no documents is\n"
"                           reported, not an error (exit 2 without it)\n"
"  -q, --quiet              no table, no summary\n"
"  -h, --help               this help\n"
"\n"
"64-bit n-gram hashes are compared, not the words: a false match needs a\n"
"64-bit collision (about 1e-19 per pair), which is neglected.\n"
"\n"
"example:\n"
"  contam scan --field question --field answer --bench gsm8k/test.jsonl \\\n"
"      -o hits.jsonl --report gsm8k-exact.json shards/\n");
	fputs("\n" CLI_SCORING_HELP, f);
}

/* The directory part of a path and its extension (compression suffix
 * included), for telling the rest of a shell glob from corpus. */
static bool same_dir_and_ext(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t da = sa ? (size_t)(sa - a) : 0, db = sb ? (size_t)(sb - b) : 0;
	/* the same file name elsewhere: a glob such as '*' + '/test.jsonl' */
	if (!strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b))
		return true;
	if (da != db || strncmp(a, b, da))
		return false;
	const char *ea = strchr(sa ? sa + 1 : a, '.');
	const char *eb = strchr(sb ? sb + 1 : b, '.');
	return ea && eb && !strcmp(ea, eb);
}

/* A shell glob after --bench gives --bench its first file only and makes
 * the rest corpus: a corpus argument that is a benchmark kind
 * (.csv, .tsv), a sibling of a --bench file with its extension,
 * or a file of the same name as a --bench file is refused.  Arguments
 * after "--" are corpus as given. */
static int check_corpus_args(char **args, int n, int exempt_from,
			     const char *const *benches, size_t nbenches)
{
	for (int i = 0; i < n && i < exempt_from; i++) {
		struct stat st;
		if (stat(args[i], &st) || !S_ISREG(st.st_mode))
			continue;
		bool sibling = false;
		for (size_t j = 0; j < nbenches && !sibling; j++)
			sibling = same_dir_and_ext(args[i], benches[j]);
		if (!sibling && !cli_bench_like_name(args[i]))
			continue;
		/* one line: cli_error writes control bytes, newlines
		 * included, as \xNN (file names may hold escapes) */
		return cli_error(EXIT_USAGE, "corpus input '%s' looks like a "
				 "benchmark file%s: --bench takes one path each, "
				 "so 'scan --bench dir/*.csv corpus/' makes all but "
				 "the first file corpus.  Give every file its own "
				 "--bench, or the directory (--bench DIR), e.g. "
				 "'contam scan --bench %.*s [options] CORPUS...', "
				 "and put corpus inputs that really are such files "
				 "after '--'", args[i],
				 sibling ? " (beside a --bench file with its extension, or of its name)"
					 : " (CSV/TSV is no corpus format)",
				 (int)(strrchr(args[i], '/') ? strrchr(args[i], '/') - args[i] : 1),
				 strrchr(args[i], '/') ? args[i] : ".");
	}
	return 0;
}

typedef struct scan_ui {
	bool progress, quiet, line_drawn;
	uint64_t warnings;
} scan_ui;

static void on_warning(void *ctx, const char *msg)
{
	scan_ui *ui = ctx;
	ui->warnings++;
	if (ui->quiet || ui->warnings > 20)
		return;
	if (ui->line_drawn) {
		fputs("\r\033[K", stderr);
		ui->line_drawn = false;
	}
	cli_warn("%s", msg);
}

static void on_progress(void *ctx, const contam_progress *p)
{
	scan_ui *ui = ctx;
	if (!ui->progress)
		return;
	char a[32];
	double mbs = p->seconds > 0 ? (double)p->bytes_done / 1e6 / p->seconds : 0;
	fprintf(stderr, "\r\033[K  %s  %" PRIu64 " docs  %.0f MB/s  files %" PRIu64
		"/%" PRIu64, cli_bytes(p->bytes_done, a, sizeof(a)), p->documents,
		mbs, p->files_done, p->files_total);
	ui->line_drawn = true;
}

/* Open `path` for writing under a temporary name; *tmp is malloc'd. */
static FILE *open_tmp(const char *path, char **tmp)
{
	if (cli_is_device(path)) { /* -o /dev/null */
		*tmp = NULL;
		return fopen(path, "w");
	}
	size_t n = strlen(path) + 32;
	*tmp = malloc(n);
	if (!*tmp)
		return NULL;
	snprintf(*tmp, n, "%s.tmp.%ld", path, (long)getpid());
	return fopen(*tmp, "w");
}

static int close_tmp(FILE *f, const char *tmp, const char *path)
{
	int bad = fflush(f) != 0;
	bad |= tmp && fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || (tmp && rename(tmp, path)))
		return cli_error(EXIT_INPUT, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* A corpus argument none of whose files gave a document is an error:
 * "'x.json': 0 documents read (1513 records skipped)". */
static int refuse_unread(const contam_scan *scan, const contam_inputs *in,
			 bool allow_empty)
{
	uint64_t *docs = calloc(in->count ? in->count : 1, sizeof(*docs));
	if (!docs)
		return cli_error(EXIT_INPUT, "out of memory");
	uint64_t errors = 0, e, text;
	/* documents with no text in them count as nothing read */
	for (size_t i = 0; i < in->count; i++)
		if (!contam_scan_file_documents(scan, i, &docs[i], &text, &e) && !text)
			docs[i] = 0;
	long bad = contam_inputs_find_unread(in, docs);
	int rc = 0;
	if (bad >= 0) {
		for (size_t i = 0; i < in->count; i++)
			if (in->origin[i] == (uint32_t)bad &&
			    !contam_scan_file_documents(scan, i, &docs[i], &text, &e))
				errors += e;
		if (allow_empty)
			cli_warn("'%s': 0 documents read (%" PRIu64 " records skipped; --allow-empty)",
				 in->args[bad], errors);
		else
			rc = cli_error(EXIT_INPUT, "'%s': 0 documents read (%" PRIu64 " records "
				       "skipped, see the warnings above); no results written "
				       "(--allow-empty to go on)", in->args[bad], errors);
	}
	free(docs);
	return rc;
}

int cli_scan(int argc, char **argv)
{
	enum { OPT_NAME = 256, OPT_ID, OPT_NO_HEADER, OPT_MIN_SPAN, OPT_NGRAM,
	       OPT_INCLUDE = 512, OPT_EXCLUDE, OPT_ALLOW_EMPTY,
	       OPT_REPORT, OPT_MAX_DOC_FREQ, OPT_PURIFY, OPT_PURIFY_MODE,
	       OPT_TEXT_FIELD, OPT_STRICT, OPT_MAX_RECORD,
	       OPT_RECORDS, OPT_LINES, OPT_HEADER, OPT_QFIELD, OPT_AFIELD,
	       OPT_NEAR_DUP, OPT_NEAR_DUP_MIN, OPT_CONFIRM,
	       OPT_RULES = 1024 };
	static const struct option longopts[] = {
		CLI_SCORING_LONGOPTS(OPT_RULES),
		{ "bench", required_argument, NULL, 'b' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "field", required_argument, NULL, 'f' },
		{ "question-field", required_argument, NULL, OPT_QFIELD },
		{ "answer-field", required_argument, NULL, OPT_AFIELD },
		{ "id-field", required_argument, NULL, OPT_ID },
		{ "no-header", no_argument, NULL, OPT_NO_HEADER },
		{ "min-span", required_argument, NULL, OPT_MIN_SPAN },
		{ "ngram", required_argument, NULL, OPT_NGRAM },
		{ "output", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "max-doc-freq", required_argument, NULL, OPT_MAX_DOC_FREQ },
		{ "purify", required_argument, NULL, OPT_PURIFY },
		{ "purify-mode", required_argument, NULL, OPT_PURIFY_MODE },
		{ "threads", required_argument, NULL, 't' },
		{ "text-field", required_argument, NULL, OPT_TEXT_FIELD },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
		{ "include", required_argument, NULL, OPT_INCLUDE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
		{ "records", required_argument, NULL, OPT_RECORDS },
		{ "lines-per-record", required_argument, NULL, OPT_LINES },
		{ "header", no_argument, NULL, OPT_HEADER },
		{ "near-dup", no_argument, NULL, OPT_NEAR_DUP },
		{ "near-dup-min", required_argument, NULL, OPT_NEAR_DUP_MIN },
		{ "confirm", required_argument, NULL, OPT_CONFIRM },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *output = NULL, *report = NULL;
	const char **fields = calloc((size_t)argc + 1, sizeof(char *));
	const char **benches = calloc((size_t)argc + 1, sizeof(char *));
	const char **qfields = calloc((size_t)argc + 1, sizeof(char *));
	const char **afields = calloc((size_t)argc + 1, sizeof(char *));
	size_t nfields = 0, nbenches = 0, nqfields = 0, nafields = 0;
	/* corpus walks: --include globs, then --exclude globs */
	const char **globs = calloc((size_t)argc + 1, sizeof(char *));
	size_t nglobs = 0, ninclude = 0;
	bool allow_empty = false, report_stdout = false;
	scan_ui ui = { 0 };
	contam_scan_options sopt;
	const char *text_fields[CLI_MAX_TEXT_FIELDS];
	size_t ntext_fields = 0;
	contam_scan_options_init(&sopt);
	contam_scan *scan = NULL;
	contam_inputs in = { 0 };
	cli_bench_list blist = { 0 };
	char *tmp_hits = NULL, *tmp_report = NULL;
	FILE *hits = NULL, *rep = NULL;
	int rc = 0, c;
	unsigned long v;
	uint64_t size;
	double near_dup_min = -1;
	const char *confirm = NULL;

	if (!fields || !benches || !globs || !qfields || !afields) {
		free(fields);
		free(benches);
		free(globs);
		free(qfields);
		free(afields);
		return cli_error(EXIT_INPUT, "out of memory");
	}
	/* corpus inputs after "--" are exempt from the benchmark-look check */
	int dashdash = argc;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:f:o:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': benches[nbenches++] = optarg; break;
		case OPT_NAME: name = optarg; break;
		case 'f': fields[nfields++] = optarg; break;
		case OPT_QFIELD: qfields[nqfields++] = optarg; break;
		case OPT_AFIELD: afields[nafields++] = optarg; break;
		case OPT_ID: sopt.id_field = optarg; break;
		case OPT_NO_HEADER: sopt.no_header = 1; break;
		case OPT_MIN_SPAN:
			if (!cli_parse_uint(optarg, 1, 1u << 20, &v)) {
				rc = cli_error(EXIT_USAGE, "--min-span wants a positive number, not '%s'", optarg);
				goto out;
			}
			sopt.min_span = (uint32_t)v;
			break;
		case OPT_NGRAM:
			if (!cli_parse_uint(optarg, 1, CONTAM_MAX_NGRAM, &v)) {
				rc = cli_error(EXIT_USAGE, "--ngram wants 1..%d, not '%s'",
					       CONTAM_MAX_NGRAM, optarg);
				goto out;
			}
			sopt.ngram = (uint32_t)v;
			break;
		case 'o': output = optarg; break;
		case OPT_REPORT: report = optarg; break;
		case OPT_MAX_DOC_FREQ:
			if (!cli_parse_uint(optarg, 1, (unsigned long)-1, &v)) {
				rc = cli_error(EXIT_USAGE, "--max-doc-freq wants a positive number, not '%s'", optarg);
				goto out;
			}
			sopt.max_doc_freq = v;
			break;
		case OPT_PURIFY: sopt.purify_dir = optarg; break;
		case OPT_PURIFY_MODE:
			if (!strcmp(optarg, "drop"))
				sopt.purify_mode = CONTAM_PURIFY_DROP;
			else if (!strcmp(optarg, "cut"))
				sopt.purify_mode = CONTAM_PURIFY_CUT;
			else {
				rc = cli_error(EXIT_USAGE, "--purify-mode is drop or cut, not '%s'", optarg);
				goto out;
			}
			break;
		case 't':
			if (!cli_parse_uint(optarg, 1, 4096, &v)) {
				rc = cli_error(EXIT_USAGE, "--threads wants a number, not '%s'", optarg);
				goto out;
			}
			sopt.threads = (int)cli_cap_threads(v);
			break;
		case OPT_TEXT_FIELD:
			if (!optarg[0] || ntext_fields == CLI_MAX_TEXT_FIELDS) {
				rc = cli_error(EXIT_USAGE, "--text-field wants a field name or path (at most %d of them), not '%s'",
					       CLI_MAX_TEXT_FIELDS, optarg);
				goto out;
			}
			text_fields[ntext_fields++] = optarg;
			sopt.text_field = text_fields[0];
			sopt.text_fields = text_fields;
			sopt.ntext_fields = ntext_fields;
			break;
		case OPT_INCLUDE: cli_add_include(globs, &nglobs, &ninclude, optarg); break;
		case OPT_EXCLUDE: globs[nglobs++] = optarg; break;
		case OPT_ALLOW_EMPTY: allow_empty = true; break;
		case OPT_STRICT: sopt.strict = 1; break;
		case OPT_MAX_RECORD:
			/* the same minimum as index --max-record */
			if (!cli_parse_size(optarg, &size) || size < 1024) {
				rc = cli_error(EXIT_USAGE, "--max-record wants a size of at least 1K, such as 64M, not '%s'", optarg);
				goto out;
			}
			sopt.max_record = size;
			break;
		case OPT_RECORDS: sopt.records = optarg; break;
		case OPT_HEADER: sopt.force_header = 1; break;
		case OPT_LINES:
			if (!cli_parse_uint(optarg, 1, 4096, &v)) {
				rc = cli_error(EXIT_USAGE, "--lines-per-record wants 1..4096, not '%s'", optarg);
				goto out;
			}
			sopt.lines_per_record = (uint32_t)v;
			break;
		case OPT_NEAR_DUP: sopt.near_dup = 1; break;
		case OPT_CONFIRM: confirm = optarg; break;
		case OPT_NEAR_DUP_MIN:
			if (!cli_parse_double(optarg, &near_dup_min) ||
			    !(near_dup_min > 0 && near_dup_min <= 1)) {
				rc = cli_error(EXIT_USAGE, "--near-dup-min wants a containment in (0, 1], such as 0.5, not '%s'", optarg);
				goto out;
			}
			sopt.near_dup_min = near_dup_min;
			break;
		case 'q': ui.quiet = true; break;
		case 'h': usage(stdout); goto out;
		case OPT_RULES + CLI_RULE_JOIN:
		case OPT_RULES + CLI_RULE_LABELS:
		case OPT_RULES + CLI_RULE_DROP_LABELS:
		case OPT_RULES + CLI_RULE_SHARE:
		case OPT_RULES + CLI_RULE_MIN:
		case OPT_RULES + CLI_RULE_NO_TEMPLATES:
		case OPT_RULES + CLI_RULE_CJK: {
			if ((rc = cli_parse_rule(c - OPT_RULES, optarg, &sopt.rules, NULL)))
				goto out;
			break;
		}
		default: rc = cli_bad_option("scan"); goto out;
		}
	}
	if (!nbenches) {
		rc = cli_error(EXIT_USAGE, "no benchmark files: usage: contam scan [options] --bench PATH [--bench PATH]... CORPUS...");
		goto out;
	}
	if (optind >= argc) {
		rc = cli_error(EXIT_USAGE, "no corpus files: usage: contam scan [options] --bench PATH [--bench PATH]... CORPUS...");
		goto out;
	}
	if (confirm && !sopt.near_dup) {
		rc = cli_error(EXIT_USAGE, "--confirm REPORT checks a probe report's near_dup "
			       "verdicts: it needs --near-dup (n-gram flags: contam probe "
			       "INDEX BENCH... --confirm CORPUS...)");
		goto out;
	}
	if (near_dup_min >= 0 && !sopt.near_dup) {
		rc = cli_error(EXIT_USAGE, "--near-dup-min needs --near-dup");
		goto out;
	}
	if (sopt.purify_mode != CONTAM_PURIFY_NONE && !sopt.purify_dir) {
		rc = cli_error(EXIT_USAGE, "--purify-mode needs --purify DIR");
		goto out;
	}
	/* the same checks as probe's */
	if ((nqfields > 0) != (nafields > 0)) {
		rc = cli_error(EXIT_USAGE, "--question-field and --answer-field go together");
		goto out;
	}
	if (nqfields && nfields) {
		rc = cli_error(EXIT_USAGE, "--field cannot be combined with --question-field/--answer-field");
		goto out;
	}
	sopt.fields = fields;
	sopt.nfields = nfields;
	sopt.question_fields = qfields;
	sopt.nquestion_fields = nqfields;
	sopt.answer_fields = afields;
	sopt.nanswer_fields = nafields;
	/* getopt moved the operands to the end; those that came after "--"
	 * are the last (argc - dashdash - 1) of them */
	int nafter = dashdash < argc ? argc - dashdash - 1 : 0;
	if ((rc = check_corpus_args(argv + optind, argc - optind,
				    argc - optind - nafter, benches, nbenches)))
		goto out;
	if ((rc = cli_bench_expand(benches, nbenches, name, ui.quiet, &blist)))
		goto out;
	ui.progress = !ui.quiet && cli_stderr_is_tty();
	sopt.on_warning = on_warning;
	sopt.on_progress = on_progress;
	sopt.ctx = &ui;
	cli_install_signal_handlers();
	sopt.stop = &cli_interrupted;

	/* '-' is stdout: the hits (the default) or the report */
	if (cli_is_stdout_name(output))
		output = NULL;
	if (cli_is_stdout_name(report)) {
		if (!output) {
			rc = cli_error(EXIT_USAGE, "--report - and the hits would both go to stdout: give -o FILE");
			goto out;
		}
		report = NULL;
		report_stdout = true;
	}
	/* outputs are checked before the corpus is read */
	if ((output && (rc = cli_check_output_dir(output))) ||
	    (report && (rc = cli_check_output_dir(report))))
		goto out;
	contam_error err;
	contam_walk_options wopt = {
		.include = globs, .ninclude = ninclude,
		.exclude = globs + ninclude, .nexclude = nglobs - ninclude,
	};
	if (contam_inputs_expand_walk(&in, (const char *const *)argv + optind,
				      (size_t)(argc - optind), &wopt, &err)) {
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	/* before anything is read or written: neither output may be a
	 * benchmark or a corpus file, nor the other output */
	if ((output && (cli_output_clash("output", output, (const char *const *)in.paths,
					 in.count) ||
			cli_output_clash("output", output, benches, nbenches))) ||
	    (report && (cli_output_clash("report", report, (const char *const *)in.paths,
					 in.count) ||
			cli_output_clash("report", report, benches, nbenches) ||
			cli_output_clash("report", report, &output, output ? 1 : 0)))) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (confirm && ((report && cli_same_path(report, confirm)) ||
			(output && cli_same_path(output, confirm)))) {
		rc = cli_error(EXIT_USAGE, "an output would overwrite the --confirm report '%s'", confirm);
		goto out;
	}
	if (output && report && cli_same_path(output, report)) {
		rc = cli_error(EXIT_USAGE, "-o and --report name the same file '%s'", output);
		goto out;
	}
	if ((rc = cli_report_walk(&in, allow_empty)))
		goto out;
	if (output && !(hits = open_tmp(output, &tmp_hits))) {
		rc = cli_error(EXIT_INPUT, "cannot create '%s': %s", output, strerror(errno));
		goto out;
	}
	sopt.hits = hits ? hits : stdout;
	if (contam_scan_new(&scan, &sopt, &err)) {
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < blist.n; i++) {
		int src = contam_scan_add_file(scan, blist.names[i], blist.paths[i]);
		if (src) {
			rc = cli_error(EXIT_INPUT, "%s", contam_scan_errmsg(scan));
			goto out;
		}
	}
	if (confirm && contam_scan_near_dup_confirm(scan, confirm)) {
		rc = cli_error(EXIT_INPUT, "%s", contam_scan_errmsg(scan));
		goto out;
	}
	int src = contam_scan_run(scan, &in);
	if (ui.line_drawn)
		fputs("\r\033[K", stderr);
	if (src) {
		rc = cli_error(EXIT_INPUT, "%s",
			       contam_scan_errmsg(scan));
		goto out;
	}
	if (!ui.quiet)
		cli_print_skips(&in);
	if ((rc = refuse_unread(scan, &in, allow_empty)))
		goto out;
	if (hits) {
		FILE *f = hits;
		hits = NULL;
		if ((rc = close_tmp(f, tmp_hits, output)))
			goto out;
	}
	if (report_stdout && contam_scan_report_json(scan, stdout)) {
		rc = cli_error(EXIT_INPUT, "cannot write the report: %s", strerror(errno));
		goto out;
	}
	if (report) {
		if (!(rep = open_tmp(report, &tmp_report))) {
			rc = cli_error(EXIT_INPUT, "cannot create '%s': %s", report, strerror(errno));
			goto out;
		}
		if (contam_scan_report_json(scan, rep)) {
			rc = cli_error(EXIT_INPUT, "cannot write '%s': %s", report, strerror(errno));
			goto out;
		}
		FILE *f = rep;
		rep = NULL;
		if ((rc = close_tmp(f, tmp_report, report)))
			goto out;
	}
	if (!ui.quiet) {
		contam_result res;
		contam_scan_stats st;
		struct rusage ru;
		char a[32], b[32], t[32];
		contam_scan_result(scan, &res);
		res.index_path = "(exact scan)";
		contam_scan_stats_get(scan, &st);
		contam_report_table(&res, stderr);
		getrusage(RUSAGE_SELF, &ru);
		double mbs = st.seconds > 0 ? (double)st.bytes_text / 1e6 / st.seconds : 0;
		fprintf(stderr, "scanned %" PRIu64 " files, %" PRIu64 " documents, %s"
			" (%s of text) in %.2f s: %.1f MB/s of text\n", st.files,
			st.documents, cli_bytes(st.bytes_in, a, sizeof(a)),
			cli_bytes(st.bytes_text, b, sizeof(b)), st.seconds, mbs);
		fprintf(stderr, "matches in %" PRIu64 " documents; memory: table %" PRIu64
			" n-grams (%s), hit records %s (on disk), peak %s",
			st.hit_documents, st.table_ngrams,
			cli_bytes(st.table_bytes, a, sizeof(a)),
			cli_bytes(st.hits_bytes, b, sizeof(b)),
			cli_bytes((uint64_t)ru.ru_maxrss * 1024, t, sizeof(t)));
		if (st.ignored_ngrams)
			fprintf(stderr, "; %" PRIu64 " n-grams ignored (in more than %"
				PRIu64 " documents)", st.ignored_ngrams, sopt.max_doc_freq);
		fputc('\n', stderr);
		if (sopt.near_dup)
			contam_scan_near_dup_table(scan, stderr);
		if (sopt.purify_dir)
			fprintf(stderr, "purified copy in '%s': %" PRIu64 " files, %" PRIu64
				" documents dropped, %" PRIu64 " cut (%" PRIu64 " regions)\n",
				sopt.purify_dir, st.purified_files, st.dropped_documents,
				st.cut_documents, st.cut_regions);
		if (ui.warnings)
			fprintf(stderr, "%" PRIu64 " warnings\n", ui.warnings);
	}
	if (sopt.purify_dir) {
		contam_scan_stats st;
		contam_scan_stats_get(scan, &st);
		if (st.purify_unread)
			fprintf(stderr, "contam: purify: %" PRIu64 " damaged record(s) the "
				"scan could not read were left out of the copy (listed "
				"in '%s/purify-manifest.jsonl')\n", st.purify_unread,
				sopt.purify_dir);
	}
out:
	if (hits)
		fclose(hits);
	if (rep)
		fclose(rep);
	if (rc && tmp_hits)
		unlink(tmp_hits);
	if (rc && tmp_report)
		unlink(tmp_report);
	free(tmp_hits);
	free(tmp_report);
	free(fields);
	free(benches);
	free(globs);
	free(qfields);
	free(afields);
	cli_bench_list_free(&blist);
	contam_inputs_free(&in);
	contam_scan_free(scan);
	return rc;
}

/* `contam probe INDEX ... BENCH... --confirm CORPUS...`: the examples the
 * index flagged (partial or contaminated) are scanned exactly; their
 * Bloom metrics are replaced by exact ones in the report written to
 * `out`, with provenance, and the overturned flags are counted.  Returns
 * an exit status (0 on success). */
/* Inputs sorted by size, for finding the file an index's manifest entry
 * was read from. */
static const contam_inputs *by_size_in;
static int cmp_by_size(const void *a, const void *b)
{
	uint64_t x = by_size_in->sizes[*(const size_t *)a];
	uint64_t y = by_size_in->sizes[*(const size_t *)b];
	return x < y ? -1 : x > y;
}

/* An input's resolved path, for looking indexed paths up (sorted by
 * path: one realpath per input, not one per input and manifest entry). */
typedef struct real_input {
	char *real;
	size_t k;
} real_input;

static int cmp_real(const void *a, const void *b)
{
	return strcmp(((const real_input *)a)->real, ((const real_input *)b)->real);
}

/* The input that is the manifest entry's file itself (by real path), or
 * -1. */
static long same_file_input(const contam_manifest_entry *e, const real_input *reals,
			    size_t nreals)
{
	char *want = realpath(e->path, NULL);
	const real_input *hit = NULL;
	if (want) {
		real_input key = { want, 0 };
		hit = bsearch(&key, reals, nreals, sizeof(*reals), cmp_real);
	}
	free(want);
	return hit ? (long)hit->k : -1;
}

/* Has input k, the entry's own file, other content than when it was
 * indexed (its size, or its fingerprint)? */
static bool changed_since(const contam_manifest_entry *e, const contam_inputs *in,
			  size_t k)
{
	return in->sizes[k] != e->size ||
	       (e->fingerprint && contam_input_fingerprint(in->paths[k]) != e->fingerprint);
}

/* Is a copy of the manifest entry among the inputs: a file of the same
 * size and content fingerprint (the index was built from another
 * directory, or the corpus was copied)? */
static bool copy_among_inputs(const contam_manifest_entry *e, const contam_inputs *in,
			      const size_t *order)
{
	if (!e->fingerprint)
		return false;
	size_t lo = 0, hi = in->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in->sizes[order[mid]] < e->size)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < in->count && in->sizes[order[k]] == e->size; k++)
		if (contam_input_fingerprint(in->paths[order[k]]) == e->fingerprint)
			return true;
	return false;
}

/* An exact rescan of less than the indexed corpus would overturn every
 * hit that lies in the part left out, and report it clean: refused. */
static int confirm_covers_index(const contam_index *ix, const contam_inputs *in)
{
	size_t *order = malloc((in->count ? in->count : 1) * sizeof(*order));
	if (!order)
		return cli_error(EXIT_INPUT, "out of memory");
	for (size_t i = 0; i < in->count; i++)
		order[i] = i;
	by_size_in = in;
	qsort(order, in->count, sizeof(*order), cmp_by_size);
	real_input *reals = calloc(in->count ? in->count : 1, sizeof(*reals));
	size_t nreals = 0;
	if (!reals) {
		free(order);
		return cli_error(EXIT_INPUT, "out of memory");
	}
	for (size_t k = 0; k < in->count; k++)
		if ((reals[nreals].real = realpath(in->paths[k], NULL)))
			reals[nreals++].k = k;
	qsort(reals, nreals, sizeof(*reals), cmp_real);
	int rc = 0;
	size_t n = contam_index_manifest_count(ix), missing = 0;
	const char *first = NULL;
	uint64_t first_docs = 0;
	for (size_t i = 0; i < n; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		if (!e->documents)
			continue;
		long k = same_file_input(e, reals, nreals);
		if (k >= 0 && changed_since(e, in, (size_t)k)) {
			uint64_t now = in->sizes[k];
			rc = cli_error(EXIT_INPUT, "--confirm must rescan the corpus the "
				       "index was built from, and '%s' has changed since "
				       "it was indexed (%" PRIu64 " bytes then, %" PRIu64
				       " now%s): a rescan would not check the index's "
				       "flags.  Index it again, or confirm with the "
				       "file as it was", e->path, e->size, now,
				       e->size == now ? ", other content" : "");
			break;
		}
		if (k >= 0 || copy_among_inputs(e, in, order))
			continue;
		if (!missing++) {
			first = e->path;
			first_docs = e->documents;
		}
	}
	if (missing && !rc)
		rc = cli_error(EXIT_INPUT, "--confirm must rescan the corpus the index was built "
			       "from: %zu of its %zu inputs are not among the --confirm inputs, "
			       "first '%s' (%" PRIu64 " documents); a hit only there would be "
			       "reported clean.  Give every indexed input ('contam info INDEX' "
			       "lists them)", missing, n, first, first_docs);
	for (size_t k = 0; k < nreals; k++)
		free(reals[k].real);
	free(reals);
	free(order);
	return rc;
}

int cli_probe_confirm(const contam_index *ix, const contam_result *res,
		      const contam_probe_options *popt, char **corpus, int ncorpus,
		      FILE *out, bool quiet, contam_definition def,
		      unsigned char **overturned_out)
{
	return cli_probe_confirm_gate(ix, res, popt, corpus, ncorpus, out, quiet,
				      def, overturned_out, -1, NULL, NULL);
}

int cli_probe_confirm_gate(const contam_index *ix, const contam_result *res,
			   const contam_probe_options *popt, char **corpus,
			   int ncorpus, FILE *out, bool quiet,
			   contam_definition def, unsigned char **overturned_out,
			   double gate_rate, size_t *above,
			   const struct cli_suite *suite)
{
	contam_scan_options sopt;
	contam_scan *scan = NULL;
	contam_inputs in = { 0 };
	uint64_t *records = NULL;
	unsigned char *sel = NULL;
	contam_error err;
	int rc = 0;

	if (ncorpus < 1)
		return cli_error(EXIT_USAGE, "--confirm needs corpus files: usage: contam probe INDEX [options] BENCH... --confirm CORPUS...");
	contam_scan_options_init(&sopt);
	sopt.fields = popt->fields;
	sopt.nfields = popt->nfields;
	sopt.question_fields = popt->question_fields;
	sopt.nquestion_fields = popt->nquestion_fields;
	sopt.answer_fields = popt->answer_fields;
	sopt.nanswer_fields = popt->nanswer_fields;
	sopt.id_field = popt->id_field;
	sopt.no_header = popt->no_header;
	sopt.records = popt->records;
	sopt.lines_per_record = popt->lines_per_record;
	sopt.force_header = popt->force_header;
	sopt.min_span = popt->min_span;
	sopt.ngram = res->index.params.ngram;
	sopt.rules = popt->rules;
	/* the probe's --max-doc-freq counts the index's estimate; the scan
	 * counts exactly, so an exact scan at the same K confirms it */
	sopt.max_doc_freq = popt->max_doc_freq;
	scan_ui ui = { .quiet = quiet };
	sopt.on_warning = on_warning;
	sopt.ctx = &ui;
	cli_install_signal_handlers();
	sopt.stop = &cli_interrupted;
	if (contam_inputs_expand(&in, (const char *const *)corpus, (size_t)ncorpus,
				 &err)) {
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	if ((rc = confirm_covers_index(ix, &in)))
		goto out;
	if (contam_scan_new(&scan, &sopt, &err)) {
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	records = malloc((res->nexamples ? res->nexamples : 1) * sizeof(*records));
	sel = calloc(res->nexamples ? res->nexamples : 1, 1);
	if (!records || !sel) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	/* the benchmark files again, in the probe's order; then only the
	 * flagged records of each */
	for (size_t i = 0; i < res->nexamples;) {
		const contam_example *e = &res->examples[i];
		size_t nflag = 0, j = i;
		contam_bench_layout lay;
		bool own = cli_suite_layout(suite, e->source, &lay);
		if (contam_scan_add_file_with(scan, e->benchmark, e->source,
					      own ? &lay : NULL)) {
			rc = cli_error(EXIT_INPUT, "%s", contam_scan_errmsg(scan));
			goto out;
		}
		/* for a clean subset by another definition, its flags too
		 * (contam_scan_confirm_json counts only contam's as flagged) */
		for (; j < res->nexamples && res->examples[j].source == e->source; j++)
			if (contam_example_flagged(&res->examples[j], CONTAM_DEF_CONTAM) ||
			    ((overturned_out || above) &&
			     contam_example_flagged(&res->examples[j], def))) {
				sel[j] = 1;
				records[nflag++] = res->examples[j].record;
			}
		contam_scan_select(scan, e->source, records, nflag);
		i = j;
	}
	if (contam_scan_run(scan, &in)) {
		rc = cli_error(EXIT_INPUT, "%s", contam_scan_errmsg(scan));
		goto out;
	}
	uint64_t flagged = 0, overturned = 0;
	int crc = contam_scan_confirm_json(scan, res, out, &flagged, &overturned);
	if (crc == CONTAM_E_PARAM) {
		rc = cli_error(EXIT_INPUT, "--confirm: the benchmark files read differently the second time");
		goto out;
	}
	if (crc) {
		rc = cli_error(EXIT_INPUT, "cannot write the report: %s", strerror(errno));
		goto out;
	}
	if (above) {
		/* --fail-above: the confirmed rates, as the report has them */
		contam_result gate;
		*above = 0;
		if (contam_scan_confirmed(scan, res, &gate) == CONTAM_OK)
			*above = cli_fail_above(&gate, def, gate_rate);
		else
			*above = cli_fail_above(res, def, gate_rate);
	}
	if (overturned_out) {
		/* the exact metrics of the examples scanned, under `def`: the
		 * report's figures come from the same examples */
		contam_result sr;
		size_t extra = 0, def_flagged = 0, def_over = 0;
		contam_scan_result(scan, &sr);
		for (size_t i = 0; i < res->nexamples; i++) {
			bool bloom = contam_example_flagged(&res->examples[i], def);
			extra += sel[i] && !contam_example_flagged(&res->examples[i],
								   CONTAM_DEF_CONTAM);
			sel[i] = sel[i] && !contam_example_flagged(&sr.examples[i], def);
			def_flagged += bloom;
			def_over += bloom && sel[i];
		}
		*overturned_out = sel;
		sel = NULL;
		if (!quiet && def != CONTAM_DEF_CONTAM)
			fprintf(stderr, "confirm: --definition %s: %zu flags (%zu of them not "
				"flagged by contam, also scanned): %zu overturned\n",
				contam_definition_name(def), def_flagged, extra, def_over);
	}
	if (!quiet) {
		contam_scan_stats st;
		contam_scan_stats_get(scan, &st);
		fprintf(stderr, "confirm: %" PRIu64 " flagged examples scanned exactly over %"
			PRIu64 " documents in %.2f s: %" PRIu64 " overturned (exactly clean), %"
			PRIu64 " confirmed\n", flagged, st.documents, st.seconds,
			overturned, flagged - overturned);
		/* the table of the report written: the confirmed counts */
		contam_result conf;
		if (contam_scan_confirmed(scan, res, &conf) == CONTAM_OK) {
			fprintf(stderr, "after --confirm (flags the exact scan overturned "
				"are clean):\n");
			contam_report_table(&conf, stderr);
		}
	}
out:
	free(records);
	free(sel);
	contam_inputs_free(&in);
	contam_scan_free(scan);
	return rc;
}
