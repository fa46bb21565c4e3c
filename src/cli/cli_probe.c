/*
 * cli_probe.c -- `contam probe`: load an index, score benchmark files,
 * write the JSON report (stdout or -o) and a table on stderr.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam probe INDEX [options] BENCH...\n"
"\n"
"Score every example of the benchmark files against the index.  A BENCH that\n"
"is a directory is walked (sorted): each benchmark file in it is a benchmark of\n"
"its own, named by its path under the directory (ceval/val/law_val); other\n"
"files are skipped and named.  Names are unique: two files that would share\n"
"one keep more of their directories.  The same file given twice is refused.\n"
"A BENCH of - is standard input (benchmark 'stdin'; --name names it).\n"
"BENCH files\n"
"are JSONL, JSON (an array, or the first array in the top-level object), CSV or\n"
"TSV (first row is the header unless --no-header; then columns are 0, 1, ...),\n"
"or txt (one example per line); gzip, zstd, bzip2, xz and UTF-16 are read\n"
"transparently, and a zip/tar/7z holding one file is read as that file.\n"
"Parquet is read natively (--field names columns; one row, one example).\n"
"Executables and other binary files are refused (exit 2).\n");
	/* C17 promises only 4095 bytes in one literal */
	fprintf(f,
"\n"
"INDEX is an index file, or all P partitions of one (--partition i/P) as\n"
"P1,P2,... in any order.  Partitions are read one at a time, each streamed\n"
"chunk by chunk, and so is a lone index of 1 GiB or more: each BENCH is then\n"
"read twice (from a pipe, the set is loaded whole instead, with a warning).\n"
"An index written with --uncompressed-filter is mapped, and only the pages its\n"
"n-grams land in are read.\n"
"\n"
"options:\n"
"      --name NAME        benchmark name for all BENCH files (default: one\n"
"                         benchmark per file, named after it)\n"
"  -f, --field PATH       text to check: a dotted path (question.stem); a path\n"
"                         through an array takes every element\n"
"                         (question.choices.text); repeat for several fields,\n"
"                         each a field of its own for the scoring rules below\n"
"                         (--join-fields: one text).\n"
"                         Default: every string value.\n"
"                         Every --field must select text in at least one record\n"
"                         of each file (else exit 2, with the keys the file\n"
"                         has); records missing one of several are counted\n"
"      --id-field PATH    field reported as the example's id\n"
"      --no-header        CSV/TSV: the first row is data; a header that repeats\n"
"                         a name wants NAME#k (the k-th column of that name)\n"
"      --header           CSV/TSV: the first row is the header even when it\n"
"                         looks like data (a cell of 4+ words or 64+ bytes),\n"
"                         which is refused otherwise\n"
"      --records PATH     JSON/JSONL: where the records are inside a document;\n"
"                         arrays on the path fan out, '*' takes every element\n"
"                         or value (SQuAD: --records data.paragraphs.qas);\n"
"                         '.' is the document itself.  A field ^NAME is NAME\n"
"                         of the enclosing object (^^NAME: two up), and a\n"
"                         path step @keys takes an object's keys as text\n"
"      --lines-per-record N  txt: a record is N lines; --field and --id-field\n"
"                         are then line numbers 0..N-1\n"
"      --min-span N       words a matched span needs to count toward\n"
"                         coverage (default 10; a word is a token, or\n"
"                         --cjk-chars-per-word CJK characters)\n"
"      --question-field PATH, --answer-field PATH\n"
"                         split each example into question and answer (both\n"
"                         repeatable; not with --field): per-example question\n"
"                         and answer coverage and a label clean /\n"
"                         question_contaminated / question_answer_contaminated\n"
"      --null-control     also score a token-shuffled copy of every example\n"
"                         (fixed seed): chance matches at this index's fill,\n"
"                         plus phrases common enough to survive reordering\n");
	fputs(CLI_SCORING_HELP, f);
	fprintf(f,
"      --near-dup         also check each example's MinHash bands against the\n"
"                         index's minhash section (index --minhash); the\n"
"                         template rule (--template-share) leaves the file's\n"
"                         template shingles out of the item sets.  Per example\n"
"                         near_dup (any band matched; see --near-dup-bands),\n"
"                         the bands matched and the Jaccard range they imply\n"
"                         (the containment of the example in the matched\n"
"                         corpus window is at least its low end); per\n"
"                         benchmark the near-dup rate,\n"
"                         near_dup_only (near-dup and not contaminated by\n"
"                         n-grams) and the expected false near-dups.  An\n"
"                         example with no shingle is near_dup_unscored\n"
"                         (counted, never clean).  An index without the section\n"
"                         is refused (exit 1)\n"
"      --near-dup-bands N  with --near-dup: near_dup needs at least N of the\n"
"                         index's b bands to match (default 1: any band; more\n"
"                         than b is refused).  Use 2 on big corpora and short\n"
"                         examples (under ~30 shingles), where one common\n"
"                         phrase makes chance single-band matches, and more so\n"
"                         the bigger the corpus.  Measured at b=16, r=2: planted\n"
"                         reordered copies found 97.1%% with any band, 92.8%%\n"
"                         with >= 2; unrelated real items flagged 0.7%% and 0%%\n"
"                         (docs/NEARDUP.md).  Per benchmark near_dup_one_band\n"
"                         counts the examples with exactly one band, either way\n");
	/* more strings: C17 promises only 4095 bytes in one literal */
	fprintf(f,
"      --max-doc-freq K   n-grams the index counts in more than K documents\n"
"                         (corpus boilerplate) count neither way; needs an\n"
"                         index built with --doc-freq\n"
"      --write-clean DIR  write each file's clean (and too_short) records to\n"
"                         DIR/NAME.clean.EXT and its flagged ones to\n"
"                         DIR/NAME.flagged.EXT, byte for byte, and the flagged\n"
"                         record numbers, lines and ids to\n"
"                         DIR/NAME.flagged.EXT.ids.json.  Written after scoring\n"
"                         and after --confirm: a flag the exact scan overturns\n"
"                         is clean.  Each file is read twice (not a pipe)\n"
"      --definition NAME  which flags --write-clean holds out: contam (partial\n"
"                         + contaminated, the default), gpt3 (a 13-token\n"
"                         span), palm (70%% of 8-grams), llama2 (not clean:\n"
"                         20%% of tokens in 10-token spans)\n"
"      --label TEXT       the corpus's name in the report (\"Common Crawl\n"
"                         2025-05\"): contam report names columns by it\n"
"                         (default: the index file name)\n"
"      --suite SUITE.json benchmarks and their layouts from a suite file\n"
"                         (suites/README.md): the arguments after INDEX are\n"
"                         then BENCH_DIRs, under which the suite's globs are\n"
"                         matched (they win over the suite file's directory,\n"
"                         used when none is given); each entry is probed with\n"
"                         its own fields, all into one report.  Not with\n"
"                         --name, --field, --question-field, --answer-field,\n"
"                         --id-field, --records, --lines-per-record, --header,\n"
"                         --no-header (exit 1); an entry that matches or opens\n"
"                         no file is exit 2.  --confirm scans each file as its\n"
"                         entry reads it.  With\n"
"                         --write-clean DIR, each entry's subsets go to\n"
"                         DIR/ENTRY\n"
"      --split NAME       with --suite: the split (test, validation, dev) of\n"
"                         every entry whose paths are given per split\n"
"      --only NAME,...    with --suite: probe only these entries (each name\n"
"                         must be one of the suite's)\n"
"      --fail-above RATE  exit 3 when any benchmark's rate under --definition\n"
"                         (contam: the contaminated rate; gpt3, palm, llama2:\n"
"                         its not-clean rate) is above RATE, a fraction (0.05)\n"
"                         or a percentage (5%%); the report is written in full\n"
"                         first; with --confirm, the confirmed rates\n"
"  -o, --output FILE      write the JSON report here instead of stdout\n"
"      --confirm CORPUS...  (last) scan the corpus exactly for the examples the\n"
"                         index flagged; their metrics become exact, with\n"
"                         provenance; the report counts overturned flags\n"
"                         (with --definition, its flags are scanned too)\n"
"  -q, --quiet            no table on stderr\n"
"  -h, --help             this help\n"
"\n"
"verdicts: contaminated if coverage >= 0.8, partial if >= 0.2, else clean;\n"
"too_short when fewer than two n-grams are scored (n tokens or fewer, or every\n"
"n-gram but one the benchmark's template).  A span counts when anchored in a\n"
"field of n tokens (the options of a question alone never count).\n"
"\n"
"example:\n"
"  contam probe cc.cidx --name arc --field question.stem \\\n"
"      --field question.choices.text ARC-Challenge-Test.jsonl -o arc.json\n");
}

/* The index to probe.  One whole index file is mapped when its filter
 * is stored uncompressed (index --uncompressed-filter), else read.  A
 * partition set is probed with the memory of one partition: a first
 * pass over the benchmarks records the n-grams the probe looks up, each
 * partition is then loaded in turn to answer them, and the caller's pass
 * scores against those answers (contam_index_parts_open); a lone index
 * of STREAM_MIN or more, or uncompressed, the same way.  The
 * environment's CONTAM_PROBE_PARTS=whole loads the set or index as one
 * instead, =stream streams a lone compressed index of any size
 * (measurements and tests compare them). */
/* A compressed index at least this large is streamed rather than
 * loaded: its load would take memory of its size, and reading the
 * benchmarks twice costs little beside reading the filter. */
#define STREAM_MIN ((uint64_t)1 << 30)

static int probe_load_index(contam_index **out, const char *arg,
			    const contam_probe_options *popt,
			    const cli_bench_list *benches,
			    const cli_suite *suite)
{
	char **paths = NULL;
	size_t n = 0;
	contam_error err;
	contam_index *ix = NULL;
	contam_probe *first = NULL;
	*out = NULL;
	int rc = cli_split_index(arg, &paths, &n);
	if (rc)
		return rc;
	const char *mode = getenv("CONTAM_PROBE_PARTS");
	if (n > 1 && mode && !strcmp(mode, "whole")) {
		cli_free_paths(paths, n);
		return cli_load_index(out, arg);
	}
	/* the set checked first, so that a lone partition is refused as
	 * contam_index_load_parts refuses it */
	if (contam_index_parts_open(&ix, (const char *const *)paths, n, &err)) {
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	/* the benchmarks are read twice: a pipe would be empty the second
	 * time */
	bool regular = true;
	for (size_t i = 0; i < benches->n && regular; i++) {
		struct stat st;
		regular = stat(benches->paths[i], &st) || S_ISREG(st.st_mode);
		if (!regular && n > 1) {
			/* as before: every partition in memory at once */
			cli_warn("'%s' is not a regular file (a pipe?), and a partition set "
				 "is probed one partition at a time by reading each benchmark "
				 "twice: all %zu partitions are loaded at once instead (save "
				 "it to a file to probe with the memory of one)",
				 benches->paths[i], n);
			contam_index_free(ix);
			ix = NULL;
			cli_free_paths(paths, n);
			return cli_load_index(out, arg);
		}
	}
	/* one whole index is answered as a set of one when the benchmarks
	 * can be read twice and it is uncompressed (its pages are walked in
	 * order and given back) or its filter is at least STREAM_MIN
	 * (streamed chunk by chunk): the memory of a probe then stays small
	 * however large the filter.  Else it is loaded (mapped when
	 * uncompressed). */
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	bool stream = mode && !strcmp(mode, "stream");
	if (n == 1 && (!regular || (mode && !strcmp(mode, "whole")) ||
		       (!contam_index_is_uncompressed(ix) && !stream &&
			st.filter_bytes < STREAM_MIN))) {
		contam_index_free(ix);
		ix = NULL;
		if (contam_index_load_mmap(&ix, paths[0], &err))
			rc = cli_error(EXIT_INPUT, "%s", err.msg);
		goto out;
	}
	/* the recording pass: its result and errors are dropped (the
	 * scoring pass meets the same errors at the same place, after the
	 * keys before it are answered) */
	contam_probe_options quiet = *popt;
	quiet.on_warning = NULL;
	if (suite) {
		contam_probe **pv = NULL;
		cli_suite_probe(suite, ix, arg, &quiet, false, &pv);
		cli_suite_probes_free(pv, suite->n);
	} else if (!contam_probe_new(&first, ix, arg, &quiet, NULL))
		for (size_t i = 0; i < benches->n; i++)
			if (contam_probe_add_file(first, benches->names[i], benches->paths[i]))
				break;
	contam_probe_free(first);
	if (contam_index_parts_resolve(ix, &err))
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
out:
	cli_free_paths(paths, n);
	if (rc) {
		contam_index_free(ix);
		ix = NULL;
	}
	*out = ix;
	return rc;
}

/* How a benchmark file was read, when name and content disagree. */
static void probe_note(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

int cli_probe(int argc, char **argv)
{
	enum { OPT_NAME = 256, OPT_ID, OPT_NO_HEADER, OPT_MIN_SPAN, OPT_QFIELD,
	       OPT_AFIELD, OPT_NULL, OPT_CLEAN, OPT_RECORDS, OPT_LINES, OPT_HEADER,
	       OPT_DEFINITION, OPT_SUITE, OPT_SPLIT, OPT_ONLY, OPT_FAIL_ABOVE, OPT_RULES,
	       OPT_LABEL = 512, OPT_NEAR_DUP, OPT_NEAR_DUP_BANDS };
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "field", required_argument, NULL, 'f' },
		{ "id-field", required_argument, NULL, OPT_ID },
		{ "no-header", no_argument, NULL, OPT_NO_HEADER },
		{ "min-span", required_argument, NULL, OPT_MIN_SPAN },
		{ "question-field", required_argument, NULL, OPT_QFIELD },
		{ "answer-field", required_argument, NULL, OPT_AFIELD },
		{ "null-control", no_argument, NULL, OPT_NULL },
		{ "near-dup", no_argument, NULL, OPT_NEAR_DUP },
		{ "near-dup-bands", required_argument, NULL, OPT_NEAR_DUP_BANDS },
		{ "write-clean", required_argument, NULL, OPT_CLEAN },
		{ "records", required_argument, NULL, OPT_RECORDS },
		{ "lines-per-record", required_argument, NULL, OPT_LINES },
		{ "header", no_argument, NULL, OPT_HEADER },
		{ "definition", required_argument, NULL, OPT_DEFINITION },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "suite", required_argument, NULL, OPT_SUITE },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "fail-above", required_argument, NULL, OPT_FAIL_ABOVE },
		CLI_SCORING_LONGOPTS(OPT_RULES),
		{ "max-doc-freq", required_argument, NULL, OPT_RULES + CLI_RULE_DOC_FREQ },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *output = NULL;
	const char **fields = calloc((size_t)argc + 1, sizeof(char *));
	const char **qfields = calloc((size_t)argc + 1, sizeof(char *));
	const char **afields = calloc((size_t)argc + 1, sizeof(char *));
	size_t nfields = 0, nqfields = 0, nafields = 0;
	bool quiet = false;
	contam_probe_options popt;
	contam_probe_options_init(&popt);
	popt.on_warning = probe_note;
	contam_index *ix = NULL;
	contam_probe *probe = NULL;
	cli_bench_list benches = { 0 };
	char *tmp = NULL;
	FILE *out = NULL;
	const char *clean_dir = NULL, *def_name = NULL;
	contam_definition def = CONTAM_DEF_CONTAM;
	unsigned char *overturned = NULL;
	/* --suite (cli_suite.c) and --fail-above */
	const char *suite_path = NULL, *split = NULL, *only = NULL;
	cli_suite suite = { 0 };
	contam_probe **probes = NULL;
	contam_benchmark *suite_bms = NULL;
	contam_example *suite_exs = NULL;
	double fail_above = -1;
	bool layout_flag = false, near_dup_bands_set = false;
	size_t confirmed_above = 0;
	int rc = 0, c;
	unsigned long v;

	if (!fields || !qfields || !afields) {
		free(fields);
		free(qfields);
		free(afields);
		return cli_error(EXIT_INPUT, "out of memory");
	}
	/* --confirm CORPUS...: everything after it is corpus (cli_scan.c) */
	int confirm_at = 0, nconfirm = 0;
	for (int i = 1; i < argc && !confirm_at; i++)
		if (!strcmp(argv[i], "--confirm")) {
			confirm_at = i;
			nconfirm = argc - i - 1;
			argc = i;
		}
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME: name = optarg; break;
		case 'f': fields[nfields++] = optarg; break;
		case OPT_ID: popt.id_field = optarg; break;
		case OPT_NO_HEADER: popt.no_header = 1; break;
		case OPT_MIN_SPAN:
			if (!cli_parse_uint(optarg, 1, 1u << 20, &v)) {
				rc = cli_error(EXIT_USAGE, "--min-span wants a positive number, not '%s'", optarg);
				goto out;
			}
			popt.min_span = (uint32_t)v;
			break;
		case OPT_QFIELD: qfields[nqfields++] = optarg; break;
		case OPT_AFIELD: afields[nafields++] = optarg; break;
		case OPT_NULL: popt.null_control = 1; break;
		case OPT_NEAR_DUP: popt.near_dup = 1; break;
		case OPT_NEAR_DUP_BANDS:
			if (!cli_parse_uint(optarg, 1, 1u << 16, &v)) {
				rc = cli_error(EXIT_USAGE, "--near-dup-bands wants a positive number, not '%s'", optarg);
				goto out;
			}
			popt.near_dup_min_bands = (uint32_t)v;
			near_dup_bands_set = true;
			break;
		case OPT_CLEAN: clean_dir = optarg; break;
		case OPT_DEFINITION:
			def_name = optarg;
			if (contam_definition_parse(optarg, &def)) {
				rc = cli_error(EXIT_USAGE, "--definition wants contam, gpt3, palm or llama2, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_SUITE: suite_path = optarg; break;
		case OPT_SPLIT: split = optarg; break;
		case OPT_ONLY: only = optarg; break;
		case OPT_FAIL_ABOVE:
			if (cli_parse_rate(optarg, &fail_above)) {
				rc = cli_error(EXIT_USAGE, "--fail-above wants a rate, 0.05 or 5%%, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_RECORDS: popt.records = optarg; break;
		case OPT_LABEL: popt.label = optarg; break; /* the corpus, in reports */
		case OPT_HEADER: popt.force_header = 1; break;
		case OPT_LINES:
			if (!cli_parse_uint(optarg, 1, 4096, &v)) {
				rc = cli_error(EXIT_USAGE, "--lines-per-record wants 1..4096, not '%s'", optarg);
				goto out;
			}
			popt.lines_per_record = (uint32_t)v;
			break;
		case 'o': output = cli_is_stdout_name(optarg) ? NULL : optarg; break; /* '-': stdout */
		case 'q': quiet = true; break;
		case 'h': usage(stdout); goto out;
		case OPT_RULES + CLI_RULE_JOIN:
		case OPT_RULES + CLI_RULE_LABELS:
		case OPT_RULES + CLI_RULE_DROP_LABELS:
		case OPT_RULES + CLI_RULE_SHARE:
		case OPT_RULES + CLI_RULE_MIN:
		case OPT_RULES + CLI_RULE_NO_TEMPLATES:
		case OPT_RULES + CLI_RULE_CJK:
		case OPT_RULES + CLI_RULE_DOC_FREQ: {
			if ((rc = cli_parse_rule(c - OPT_RULES, optarg, &popt.rules,
						 &popt.max_doc_freq)))
				goto out;
			break;
		}
		default: rc = cli_bad_option("probe"); goto out;
		}
	}
	if (optind >= argc) {
		rc = cli_error(EXIT_USAGE, "no index: usage: contam probe INDEX [options] BENCH...");
		goto out;
	}
	layout_flag = name || nfields || nqfields || nafields || popt.id_field ||
		      popt.no_header || popt.force_header || popt.records ||
		      popt.lines_per_record;
	if (suite_path && layout_flag) {
		/* the suite gives each benchmark its layout */
		rc = cli_error(EXIT_USAGE, "--suite takes the benchmarks' fields and layout "
			       "from the suite file: it cannot be combined with %s",
			       "--name, --field, --question-field, --answer-field, "
			       "--id-field, --records, --lines-per-record, --header or --no-header");
		goto out;
	}
	if (near_dup_bands_set && !popt.near_dup) {
		rc = cli_error(EXIT_USAGE, "--near-dup-bands sets the near_dup rule: give --near-dup");
		goto out;
	}
	if (only && !suite_path) {
		rc = cli_error(EXIT_USAGE, "--only chooses entries of a suite: give --suite");
		goto out;
	}
	if (split && !suite_path) {
		rc = cli_error(EXIT_USAGE, "--split chooses a split of a suite's entries: give --suite");
		goto out;
	}
	if (optind + 1 >= argc && !suite_path) {
		rc = cli_error(EXIT_USAGE, "no benchmark files: usage: contam probe INDEX [options] BENCH...");
		goto out;
	}
	popt.fields = fields;
	popt.nfields = nfields;
	popt.question_fields = qfields;
	popt.nquestion_fields = nqfields;
	popt.answer_fields = afields;
	popt.nanswer_fields = nafields;
	if ((nqfields > 0) != (nafields > 0)) {
		rc = cli_error(EXIT_USAGE, "--question-field and --answer-field go together");
		goto out;
	}
	if (def_name && !clean_dir && fail_above < 0) {
		/* the report carries every definition; this one picks a subset */
		rc = cli_error(EXIT_USAGE, "--definition chooses the flags --write-clean holds out: give --write-clean DIR");
		goto out;
	}
	if (nqfields && nfields) {
		rc = cli_error(EXIT_USAGE, "--field cannot be combined with --question-field/--answer-field");
		goto out;
	}

	const char *index_path = argv[optind];
	/* files and directories, with unique names (cli_bench.c); with a
	 * suite, its entries' files under the BENCH_DIRs */
	if (suite_path) {
		if ((rc = cli_suite_load(&suite, suite_path, split, only,
					 (const char *const *)argv + optind + 1,
					 (size_t)(argc - optind - 1))))
			goto out;
		benches = suite.all;
		suite.all = (cli_bench_list){ 0 };
	} else if ((rc = cli_bench_expand((const char *const *)argv + optind + 1,
				   (size_t)(argc - optind - 1), name, quiet,
				   &benches)))
		goto out;
	/* --write-clean must never overwrite an input of this run */
	popt.inputs = (const char *const *)benches.paths;
	popt.skipped_files = (const char *const *)benches.skipped;
	popt.nskipped_files = benches.nskipped;
	popt.ninputs = benches.n;
	if (output) {
		/* the report must not replace an index, benchmark or corpus */
		char **ipaths = NULL;
		size_t nip = 0;
		if ((rc = cli_split_index(index_path, &ipaths, &nip)))
			goto out;
		rc = cli_output_clash("output", output, (const char *const *)ipaths, nip);
		cli_free_paths(ipaths, nip);
		if (!rc)
			rc = cli_output_clash("output", output,
					      (const char *const *)argv + optind + 1,
					      (size_t)(argc - optind - 1));
		if (!rc && suite_path) /* the suite file and every file it names */
			rc = cli_output_clash("output", output, &suite_path, 1);
		if (!rc && suite_path)
			rc = cli_output_clash("output", output,
					      (const char *const *)benches.paths, benches.n);
		if (!rc && confirm_at)
			rc = cli_output_clash("output", output,
					      (const char *const *)argv + confirm_at + 1,
					      (size_t)nconfirm);
		if (rc)
			goto out;
	}
	/* --write-clean reads each file again after scoring (and --confirm):
	 * a pipe would read empty the second time; refused before the work */
	for (size_t i = 0; clean_dir && i < benches.n; i++) {
		struct stat st;
		if (!stat(benches.paths[i], &st) && !S_ISREG(st.st_mode)) {
			rc = cli_error(EXIT_USAGE, "--write-clean reads each benchmark file again "
				       "after scoring, and '%s' is not a regular file (a pipe?): "
				       "save it to a file first", benches.paths[i]);
			goto out;
		}
	}
	if ((rc = probe_load_index(&ix, index_path, &popt, &benches,
				   suite_path ? &suite : NULL)))
		goto out;
	/* a saturated filter says "contaminated" to
	 * everything; loud, even with --quiet */
	contam_index_stats sat;
	if (!contam_index_stats_get(ix, &sat) && sat.fpr > 0.01)
		fprintf(stderr, "contam: WARNING: index %s has a false-positive rate of %.2g per "
			"n-gram: its verdicts are meaningless; rebuild it with a bigger filter\n",
			index_path, sat.fpr);
	const char *why = contam_definition_unavailable(def, sat.params.ngram);
	if ((clean_dir || fail_above >= 0) && why) {
		rc = cli_error(EXIT_USAGE, "--definition %s: %s (this index holds %u-grams)",
			       contam_definition_name(def), why, sat.params.ngram);
		goto out;
	}
	/* refused before any benchmark is read, as a usage error (as a
	 * definition the index cannot tell): without the section every
	 * example would read "not near-dup", or no n-gram "frequent" */
	if (popt.max_doc_freq && contam_index_doc_freq(ix, 0) < 0) {
		rc = cli_error(EXIT_USAGE, "'%s' has no document counts: --max-doc-freq "
			       "needs an index built with contam index --doc-freq",
			       index_path);
		goto out;
	}
	contam_minhash_info mhi;
	if (popt.near_dup && contam_index_minhash_info(ix, &mhi) != CONTAM_OK) {
		rc = cli_error(EXIT_USAGE, "'%s' has no minhash section: --near-dup needs "
			       "an index built with contam index --minhash", index_path);
		goto out;
	}
	/* a rule no example can meet would read "not near-dup" for all */
	if (popt.near_dup && popt.near_dup_min_bands > mhi.params.bands) {
		rc = cli_error(EXIT_USAGE, "--near-dup-bands %u: '%s' has only %u bands in its "
			       "minhash section", popt.near_dup_min_bands, index_path,
			       mhi.params.bands);
		goto out;
	}
	contam_error perr;
	if (suite_path) {
		/* one probe per entry, one result */
		if ((rc = cli_suite_probe(&suite, ix, index_path, &popt, true, &probes)))
			goto out;
	} else if (contam_probe_new(&probe, ix, index_path, &popt, &perr)) {
		rc = cli_error(EXIT_INPUT, "%s", perr.msg);
		goto out;
	}
	for (size_t i = 0; !suite_path && i < benches.n; i++) {
		int prc = contam_probe_add_file(probe, benches.names[i],
						benches.paths[i]);
		if (prc) {
			rc = cli_error(prc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT,
				       "%s", contam_probe_errmsg(probe));
			goto out;
		}
	}

	/* a signal from here on leaves nothing: the subsets and the
	 * report's temporary are removed (contam_probe_write_clean stops) */
	if (clean_dir)
		cli_install_signal_handlers();
	contam_result res;
	if (!suite_path)
		contam_probe_result(probe, &res);
	else if ((rc = cli_suite_result(&suite, probes, &res, &suite_bms, &suite_exs)))
		goto out;
	else /* the run's options: each entry's layout is in the suite file */
		res.options = &popt;
	if (output && cli_is_device(output)) { /* -o /dev/null: in place */
		if (!(out = fopen(output, "w"))) {
			rc = cli_error(EXIT_INPUT, "cannot open '%s': %s", output,
				       strerror(errno));
			goto out;
		}
	} else if (output) {
		size_t n = strlen(output) + 32;
		tmp = malloc(n);
		if (!tmp) {
			rc = cli_error(EXIT_INPUT, "out of memory");
			goto out;
		}
		snprintf(tmp, n, "%s.tmp.%ld", output, (long)getpid());
		out = fopen(tmp, "w");
		if (!out) {
			rc = cli_error(EXIT_INPUT, "cannot write '%s' (its temporary '%s'): %s",
				       output, tmp, strerror(errno));
			goto out;
		}
	}
	if (confirm_at) {
		if ((rc = cli_probe_confirm_gate(ix, &res, &popt, argv + confirm_at + 1,
						 nconfirm, out ? out : stdout, quiet, def,
						 clean_dir ? &overturned : NULL, fail_above,
						 fail_above >= 0 ? &confirmed_above : NULL,
						 suite_path ? &suite : NULL)))
			goto out;
	} else if (contam_report_json(&res, out ? out : stdout)) {
		rc = cli_error(EXIT_INPUT, "cannot write the report: %s", strerror(errno));
		goto out;
	}
	if (clean_dir) {
		/* after the verdicts are final */
		contam_clean_options co;
		contam_clean_options_init(&co);
		co.dir = clean_dir;
		co.definition = def;
		co.overturned = overturned;
		co.confirmed = confirm_at != 0;
		co.stop = &cli_interrupted;
		if (suite_path) {
			if ((rc = cli_suite_write_clean(&suite, probes, &co)))
				goto out;
		}
		int wrc = suite_path ? 0 : contam_probe_write_clean(probe, &co);
		if (wrc) {
			rc = cli_error(wrc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT,
				       "%s", contam_probe_errmsg(probe));
			goto out;
		}
		/* the clean set is clean of what the index read */
		uint64_t unread = res.unread_inputs;
		for (int k = 0; k < CONTAM_SKIP_REASONS; k++)
			unread += k != CONTAM_SKIP_HIDDEN ? res.unread_skipped[k] : 0;
		if (unread)
			cli_warn("'%s': the index did not read all of its inputs ('contam info "
				 "%s' lists them): the clean examples may have copies there",
				 clean_dir, res.index_path ? res.index_path : "INDEX");
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
	/* with --confirm, cli_probe_confirm printed the confirmed table */
	if (!quiet && !confirm_at)
		contam_report_table(&res, stderr);
	/* the gate, after the report is complete */
	if (fail_above >= 0 && (confirm_at ? confirmed_above > 0
					   : cli_fail_above(&res, def, fail_above) > 0))
		rc = EXIT_ABOVE;
out:
	if (out) {
		fclose(out);
	}
	if (tmp && rc)
		unlink(tmp);
	free(tmp);
	free(overturned);
	free(fields);
	free(qfields);
	free(afields);
	contam_probe_free(probe);
	cli_suite_probes_free(probes, suite.n);
	free(suite_bms);
	free(suite_exs);
	cli_suite_free(&suite);
	contam_index_free(ix);
	cli_bench_list_free(&benches);
	return rc;
}
