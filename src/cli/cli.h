/*
 * cli.h -- shared helpers of the contam program.  The CLI uses only the
 * public header contam.h.  Exit status: 0 success, 1 usage, 2 input/IO.
 */
#ifndef CONTAM_CLI_H
#define CONTAM_CLI_H

#include "contam.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#define EXIT_USAGE 1
#define EXIT_INPUT 2

/* How many --text-field paths one command takes. */
#define CLI_MAX_TEXT_FIELDS 64
/* index --doc-freq: counters per planned n-gram (measured by
 * bench/docfreq.py, bench/README.md "Doc-freq sketch") */
#define CLI_DOC_FREQ_PER_NGRAM 1.0

int cli_index(int argc, char **argv);
int cli_probe(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_plan(int argc, char **argv);
int cli_scan(int argc, char **argv);
/* probe --confirm CORPUS...: rescan the flagged examples exactly and
 * write the report (cli_scan.c); returns an exit status.  The corpus
 * must hold every input of the index `ix` (with documents). */
/* With `overturned` (probe --write-clean), the examples flagged under
 * `def` are scanned too, and *overturned (malloc'd, one per example of
 * res) marks those the exact scan finds not flagged under `def`. */
int cli_probe_confirm(const contam_index *ix, const contam_result *res,
		      const contam_probe_options *popt, char **corpus, int ncorpus,
		      FILE *out, bool quiet, contam_definition def,
		      unsigned char **overturned);
struct cli_suite;
/* cli_probe_confirm with the --fail-above gate: the flags of `def` are
 * scanned too, and *above counts the benchmarks whose confirmed rate
 * under `def` is above `rate` (cli_fail_above); with a suite, each file
 * is read with its entry's layout. */
int cli_probe_confirm_gate(const contam_index *ix, const contam_result *res,
			   const contam_probe_options *popt, char **corpus,
			   int ncorpus, FILE *out, bool quiet,
			   contam_definition def, unsigned char **overturned,
			   double rate, size_t *above, const struct cli_suite *suite);
int cli_report(int argc, char **argv);
/* contam impact (cli_impact.c) */
int cli_impact(int argc, char **argv);
int cli_cat(int argc, char **argv);  /* cli_cat.c: the documents contam reads */

/* After getopt has named an unknown option or a missing argument: point
 * at `contam COMMAND --help` (exit 1) rather than print all of it. */
int cli_bad_option(const char *command);
/* "error: ..." on stderr, returns `code` for `return cli_error(...)`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write s with control bytes as \xNN (file names on a terminal). */
void cli_put_escaped(FILE *f, const char *s);
/* --threads above 4 per core (at most CLI_MAX_THREADS) is capped, with a
 * warning; returns the number to use.  A count > 0 also becomes OpenMP's
 * default team, so the library's regions that take no count (sizing,
 * statistics, writing) use no more threads than asked. */
#define CLI_MAX_THREADS 256
unsigned long cli_cap_threads(unsigned long threads);
/* "-" as an output path: stdout. */
bool cli_is_stdout_name(const char *path);
/* 0 if the directory `path` would be written in exists and is writable;
 * else the message is printed and EXIT_INPUT returned (before any input
 * is read). */
int cli_check_output_dir(const char *path);
/* After expanding corpus inputs: refuse an argument that left no file
 * to read (unless allow_empty), listing what the walks skipped first,
 * under -q too (the error points at the list).  Returns 0 or EXIT_INPUT
 * (message printed). */
int cli_report_walk(const contam_inputs *in, bool allow_empty);
/* "skipped 3 files of unknown kind under 'dir': a.parquet, b.png, ..."
 * for each skip record of the walks (at the end of a run). */
void cli_print_skips(const contam_inputs *in);

/* Parse "123", "1.5G", "512M", "64k" (powers of 1024; also "T").  Returns
 * false on junk. */
bool cli_parse_size(const char *s, uint64_t *out);
/* Parse counts like "2e9", "1500000", "3G" (powers of 1000). */
bool cli_parse_count(const char *s, uint64_t *out);
bool cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out);
bool cli_parse_double(const char *s, double *out);
/* Parse "i/P" (0 <= i < P <= 2^20) for --partition. */
bool cli_parse_partition(const char *s, unsigned long *i, unsigned long *P);

/* Human-readable byte count in a static-free caller buffer. */
const char *cli_bytes(uint64_t n, char *buf, size_t len);
/* The library's default minhash window sizes, joined by sep ("24,72"):
 * help texts print the tuned values, never a copy of them. */
const char *cli_minhash_windows(const char *sep, char *buf, size_t len);
/* The value of --minhash-NAME (NAME: bands, rows, shingle, stride-div,
 * windows) into p: 0, or -1 with the usage message in why.  The one
 * parser of those options (contam index, contam-mpi index). */
int cli_minhash_option(contam_minhash_params *p, const char *name, const char *value,
		       char *why, size_t whylen);
/* The threshold line "PROG: near-dup threshold Jaccard T (b=.. bands of
 * r=.. rows)" on stderr, and a warning when T is outside [0.2, 0.8]:
 * swapped b and r give a silent near-zero recall in other tools. */
void cli_minhash_threshold_note(const contam_minhash_params *p, const char *prog);
/* The --minhash* lines of a help text, with the library's defaults. */
void cli_minhash_help(FILE *f);
/* The build and `contam info` warn once the false-positive
 * rate verdicts see is more than this times the target (OVERFULL: 2x). */
#define CLI_FPR_MARGIN 1.25

/* The n-grams a --memory filter holds at --fpr (at least estimate): k
 * for a pipe's filter of unknown fill (sizing). */
uint64_t cli_capacity_at_fpr(uint64_t memory, double fpr, uint32_t ngram,
			     uint64_t estimate);

/* Whether progress bars may be drawn (stderr is a terminal). */
bool cli_stderr_is_tty(void);

/* The scoring-rule options probe and scan share, so that a
 * scan confirms a probe by the same rules.  CLI_SCORING_LONGOPTS(BASE)
 * goes into a getopt_long table; option BASE + CLI_RULE_x is parsed by
 * cli_parse_rule into `r` (max_doc_freq NULL: the command has its own
 * --max-doc-freq). */
enum { CLI_RULE_JOIN, CLI_RULE_LABELS, CLI_RULE_DROP_LABELS, CLI_RULE_SHARE, CLI_RULE_MIN,
       CLI_RULE_NO_TEMPLATES, CLI_RULE_CJK, CLI_RULE_DOC_FREQ };
#define CLI_SCORING_LONGOPTS(BASE) \
	{ "join-fields", no_argument, NULL, (BASE) + CLI_RULE_JOIN }, \
	{ "keep-labels", no_argument, NULL, (BASE) + CLI_RULE_LABELS }, \
	{ "drop-labels", no_argument, NULL, (BASE) + CLI_RULE_DROP_LABELS }, \
	{ "template-share", required_argument, NULL, (BASE) + CLI_RULE_SHARE }, \
	{ "template-min", required_argument, NULL, (BASE) + CLI_RULE_MIN }, \
	{ "no-templates", no_argument, NULL, (BASE) + CLI_RULE_NO_TEMPLATES }, \
	{ "cjk-chars-per-word", required_argument, NULL, (BASE) + CLI_RULE_CJK }
#define CLI_SCORING_HELP \
"scoring rules (README \"Scoring rules\"; the report's \"scoring\" says which):\n" \
"      --join-fields      score the selected fields as one text (any run of\n" \
"                         hits may count); default: a run counts only when it\n" \
"                         touches a field of n tokens, so options alone never\n" \
"                         match\n" \
"      --keep-labels      read choice labels (\"A.\", \"(b)\", \"1)\") at the start\n" \
"                         of a field or line as tokens only; default: an\n" \
"                         example with labels is read with them dropped (a\n" \
"                         copy that relabels or drops them) and kept (a\n" \
"                         verbatim copy), and the better match is scored\n" \
"      --drop-labels      read them dropped only (the rule before 2026-12)\n" \
"      --template-share S an n-gram in more than this share of a file's examples\n" \
"                         (and in --template-min of them) is the benchmark's own\n" \
"                         template and counts neither way (default 0.05)\n" \
"      --template-min M   (default 5)\n" \
"      --no-templates     count template n-grams like any other\n" \
"      --cjk-chars-per-word K  CJK characters that make one word of a span\n" \
"                         (default 3; 1: a character is a word)\n"
int cli_parse_rule(int rule, const char *arg, contam_rules *r,
		   uint64_t *max_doc_freq);

/* Load INDEX, or a comma-separated set of partition files
 * ("p0.cidx,p1.cidx,...") as one index: all P partitions of one build,
 * never a lone partition or an incomplete set.  Prints the error and
 * returns an exit status (0 ok; *out may be NULL on failure). */
int cli_load_index(contam_index **out, const char *arg);
/* Split an INDEX argument at commas into malloc'd paths (cli_free_paths);
 * an empty entry ("p0.cidx,", ",") is a usage error.  Returns an exit
 * status, after printing the error. */
int cli_split_index(const char *arg, char ***paths, size_t *n);
void cli_free_paths(char **paths, size_t n);

/* Before anything is read or written: 0 if `output` is none of the
 * inputs, else (after an error naming both) EXIT_USAGE.  Compared by
 * device and inode, so a symlink, a hard link or another spelling of an
 * input is caught; so is an output lying inside an input directory.
 * An output that does not exist yet clashes with nothing.  `what` names
 * the output in the message ("output", "report"). */
int cli_output_clash(const char *what, const char *output,
		     const char *const *inputs, size_t n);

/* Whether `path` is an existing character device (/dev/null, a tty): an
 * output there is written in place, never as a temporary renamed over
 * it (that would replace the device node when run as root). */
bool cli_is_device(const char *path);

/* Whether two output paths name one file: by device and inode when both
 * exist, else by resolved parent directory and last name ("x.json" and
 * "./d/../x.json"). */
bool cli_same_path(const char *a, const char *b);

/* Benchmark arguments (files and directories) as files with unique
 * benchmark names, or all named `name` (cli_bench.c).  Returns an exit
 * status; messages are printed. */
typedef struct cli_bench_list {
	char **paths;
	char **names;
	size_t n;
	char **skipped;            /* walked files that are not benchmarks */
	size_t nskipped;
} cli_bench_list;
int cli_bench_expand(const char *const *args, size_t nargs, const char *name,
		     bool quiet, cli_bench_list *out);
void cli_bench_list_free(cli_bench_list *l);
/* A name no corpus has (.csv, .tsv): a benchmark (a .parquet is both). */
bool cli_bench_like_name(const char *path);

/* probe --suite (cli_suite.c): the entries of a suite file, each with
 * its files (resolved, opened once) and layout; strings borrowed from
 * the parsed document. */
typedef struct cli_suite_entry {
	const char *name, *split, *id_field, *records;
	const char **fields, **qfields, **afields;
	size_t nfields, nqfields, nafields;
	int no_header, header;
	uint32_t lines_per_record;
	char **files;
	size_t nfiles;
} cli_suite_entry;
typedef struct cli_suite {
	const char *path;
	char dir[4096];
	char sha256[65];
	const char *split;         /* --split, or NULL */
	void *doc;
	cli_suite_entry *entries;
	size_t n;
	cli_bench_list all;        /* every file, named by its entry */
} cli_suite;
#define EXIT_ABOVE 3               /* --fail-above: a rate above the gate */
/* Parse and resolve (globs under each of dirs, else the suite file's
 * directory); split: every entry's split (--split) or NULL; only: the
 * comma-separated entry names to keep (--only) or NULL for all.  0,
 * EXIT_USAGE (an --only name no entry has) or EXIT_INPUT (message
 * printed, naming the entry). */
int cli_suite_load(cli_suite *s, const char *path, const char *split,
		   const char *only, const char *const *dirs, size_t ndirs);
void cli_suite_free(cli_suite *s);
/* One probe per entry (*out: s->n of them, free with
 * cli_suite_probes_free); report 0: errors returned, not printed. */
int cli_suite_probe(const cli_suite *s, const contam_index *ix,
		    const char *index_path, const contam_probe_options *base,
		    bool report, contam_probe ***out);
void cli_suite_probes_free(contam_probe **pv, size_t n);
/* The probes' results as one (*bms, *exs malloc'd: free them). */
int cli_suite_result(const cli_suite *s, contam_probe *const *pv,
		     contam_result *out, contam_benchmark **bms,
		     contam_example **exs);
/* --write-clean DIR with a suite: each entry's subsets in
 * DIR/<entry name> (bytes outside [A-Za-z0-9._-] as '_'), entry after
 * entry; an error names the entry. */
int cli_suite_write_clean(const cli_suite *s, contam_probe *const *pv,
			  const contam_clean_options *base);
/* The layout of the entry that holds file `source` (probe --suite
 * --confirm reads each file as its entry says); false when none does. */
bool cli_suite_layout(const cli_suite *s, const char *source,
		      contam_bench_layout *out);
/* --fail-above: "0.05" or "5%"; -1 unless in [0, 1]. */
int cli_parse_rate(const char *arg, double *out);
/* Benchmarks whose rate under d exceeds rate (each named on stderr). */
size_t cli_fail_above(const contam_result *r, contam_definition d, double rate);

/* SIGINT/SIGTERM set this flag; long operations poll it. */
extern volatile int cli_interrupted;
void cli_install_signal_handlers(void);

/* Walk globs are kept as the --include ones, then the --exclude ones:
 * insert an --include glob before the excludes (globs has room). */
void cli_add_include(const char **globs, size_t *nglobs, size_t *ninclude,
		     const char *glob);

#endif
