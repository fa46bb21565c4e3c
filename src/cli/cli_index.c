/*
 * cli_index.c -- `contam index`: size the filter, read every input, save
 * the index atomically, and say how full it is.
 */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WARNINGS_SHOWN 20
#define DOC_FREQ_PER_NGRAM CLI_DOC_FREQ_PER_NGRAM
#define PROBLEM_INPUTS_SHOWN 20

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam index -o INDEX [options] INPUT...\n"
"\n"
"Read corpus files and directories (walked recursively) into a Bloom-filter\n"
"index of word n-grams.  The kind of each file is detected from its name and\n"
"content: WARC/WET (.warc, .warc.gz, .warc.wet.gz), JSONL (.jsonl, .json),\n"
"archives (.tar, .tar.gz, .tar.zst, .zip; each member is a document) and\n"
"plain text (.txt; one file is one document); any of them plain or gzip,\n"
"zstd, bzip2 or xz, UTF-8 or UTF-16; Parquet (.parquet: one row is one\n"
"document, string column 'text' or --text-field).  Executables, images and\n"
"other binary files are refused (exit 2).\n"
"\n"
"options:\n"
"  -o, --output INDEX        index file to write (written to a temporary name,\n"
"                            renamed when complete)\n"
"  -n, --ngram N             words per n-gram (default 8)\n"
"      --fpr P               target false-positive rate per n-gram (default 1e-3)\n"
"      --expected-ngrams N   size the filter for N distinct n-grams (e.g. 2e9)\n"
"      --memory SIZE         size the filter to SIZE bytes (e.g. 16G); k is\n"
"                            chosen for the estimated n-grams\n"
"                            (without either, the n-grams are counted on a\n"
"                            sample of the inputs' text, and the estimate is\n"
"                            printed; a pipe or FIFO needs one of them)\n"
"  -t, --threads T           worker threads (default: all cores); the index is\n"
"                            bit-identical for any T\n"
"      --text-field PATH     JSON field holding the text (default \"text\"): a\n"
"                            name, or a dotted path through objects and arrays\n"
"                            as probe's --field (\"paragraphs\", \"meta.body\",\n"
"                            \"turns.0.text\"); repeat it to join several fields\n"
"                            with newlines\n"
"      --strict              stop at the first damaged record (exit 2) instead\n"
"                            of skipping and counting it\n"
"      --max-record SIZE     longest JSONL line kept (default 256M)\n"
"      --include GLOB        in walked directories, read only the files that\n"
"                            match GLOB (repeatable; a GLOB with '/' matches the\n"
"                            path relative to the directory, else the base name)\n"
"      --exclude GLOB        in walked directories, skip the files and\n"
"                            directories that match GLOB (repeatable)\n"
"      --allow-empty         an input that yields no documents is reported, not\n"
"                            an error (without it: exit 2, nothing written)\n"
"      --walked              read the files named as a walk found them (a job's\n"
"                            share of a --list-inputs list): an unreadable one\n"
"                            is counted and skipped, not an error\n"
"      --skips-from FILE     add the walk skips of FILE (--skips-to) to the index\n"
"      --list-inputs         print the files that would be read (SIZE<TAB>PATH,\n"
"                            in order) and exit; no index is written;\n"
"                            --skips-to FILE also writes the walk's skips\n"
"      --add INDEX           add the inputs to an existing index (written back\n"
"                            to INDEX, or to -o); inputs already in its\n"
"                            manifest are refused unless --force\n"
"      --force               with --add: index inputs again even if present\n"
"      --partition i/P       keep only partition i of P of the filter, so P\n"
"                            nodes each hold 1/P of an index larger than one\n"
"                            node's memory; probe takes the P files together\n"
"      --checkpoint-every SIZE  save progress to INDEX.checkpoint after every\n"
"                            SIZE of finished input files (e.g. 50G)\n"
"      --winnow W            keep only the smallest n-gram hash of every W\n"
"                            consecutive ones (MOSS winnowing): about (W+1)/2\n"
"                            times fewer n-grams; any shared span of at least\n"
"                            W+n-1 tokens is still guaranteed to be found\n");
	fprintf(f,
"      --doc-freq            also count, per n-gram, the documents it occurs in\n"
"                            (an upper bound, in a count-min sketch of 16-bit\n"
"                            counters, %g per planned n-gram): probe can then\n"
"                            set corpus-frequent n-grams aside\n"
"      --doc-freq-memory SIZE  the sketch's size (implies --doc-freq)\n"
"      --uncompressed-filter  store the filter as it is, page aligned, not in\n"
"                            zstd chunks (a filled filter barely compresses):\n"
"                            probe then maps the file and reads only the pages\n"
"                            its n-grams land in, so it needs far less memory\n"
"                            than the filter (all-zero chunks are holes in the\n"
"                            file); --add keeps an index so\n"
"      --minhash             also store near-duplicate signatures (see below)\n"
"      --resume              continue from INDEX.checkpoint, skipping the\n"
"                            files it already holds; the result is identical\n"
"                            to an uninterrupted run (a file whose size or\n"
"                            content changed starts the run over, one that\n"
"                            could not be read is read again)\n"
"  -q, --quiet               no progress, no summary\n"
"  -h, --help                this help\n"
"\n"
"example:\n"
"  contam index -o cc.cidx --expected-ngrams 5e8 CC-MAIN-*.warc.wet.gz\n",
		DOC_FREQ_PER_NGRAM);
	fprintf(f, "\n"
"near-duplicate signatures (docs/NEARDUP.md; probe --near-dup and scan --near-dup):\n");
	cli_minhash_help(f);
}

typedef struct index_ui {
	bool progress;      /* draw a progress line */
	bool quiet;
	const char *output;
	uint64_t warnings;
	bool line_drawn;
} index_ui;

static void clear_line(index_ui *ui)
{
	if (ui->line_drawn) {
		fputs("\r\033[K", stderr);
		ui->line_drawn = false;
	}
}

static void on_warning(void *ctx, const char *msg)
{
	index_ui *ui = ctx;
	ui->warnings++;
	if (ui->quiet || ui->warnings > WARNINGS_SHOWN)
		return;
	clear_line(ui);
	cli_warn("%s", msg);
	if (ui->warnings == WARNINGS_SHOWN)
		cli_warn("further warnings are counted, not shown; the index keeps the "
			 "first %d of each input ('contam info %s' lists them)",
			 CONTAM_MANIFEST_MESSAGES, ui->output ? ui->output : "INDEX");
}

static void on_progress(void *ctx, const contam_progress *p)
{
	index_ui *ui = ctx;
	if (!ui->progress)
		return;
	char a[32], b[32];
	double mbs = p->seconds > 0 ? (double)p->bytes_done / 1e6 / p->seconds : 0;
	fprintf(stderr, "\r\033[K  %s", cli_bytes(p->bytes_done, a, sizeof(a)));
	if (p->bytes_total) {
		double frac = (double)p->bytes_done / (double)p->bytes_total;
		fprintf(stderr, " / %s (%.0f%%)", cli_bytes(p->bytes_total, b, sizeof(b)),
			100 * frac);
		if (frac > 0.01 && frac < 1) {
			double eta = p->seconds * (1 - frac) / frac;
			fprintf(stderr, "  ETA %d:%02d", (int)(eta / 60), (int)eta % 60);
		}
	}
	fprintf(stderr, "  %" PRIu64 " docs  %.0f MB/s  files %" PRIu64 "/%" PRIu64,
		p->documents, mbs, p->files_done, p->files_total);
	if (p->errors)
		fprintf(stderr, "  %" PRIu64 " skipped", p->errors);
	ui->line_drawn = true;
}

static uint64_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
	return (pages > 0 && size > 0) ? (uint64_t)pages * (uint64_t)size : 0;
}

/* Manifest entries by path and by file identity (st_dev, st_ino), for
 * matching inputs against an index under any spelling ("c//x", "./c/x"). */
typedef struct ident {
	uint64_t dev, ino;
	size_t entry;
} ident;

static int cmp_ident(const void *a, const void *b)
{
	const ident *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

typedef struct by_path {
	const char *path;
	size_t entry;
} by_path;

static int cmp_by_path(const void *a, const void *b)
{
	return strcmp(((const by_path *)a)->path, ((const by_path *)b)->path);
}

/* Keep the inputs that are not in the index's manifest; with `force`,
 * drop them from the manifest instead.  With `resume`, an input whose
 * size or content fingerprint differs from its entry, or which could not
 * be read, is not done: an unreadable one is read again; a changed one
 * makes the checkpoint useless (its n-grams are in the filter): -2.
 * Returns the number skipped, or -1 (message printed) when an input is
 * already indexed and not forced. */
static long drop_indexed(contam_index *ix, contam_inputs *in, bool force,
			 bool resume, const char *base, unsigned char *done_docs)
{
	size_t keep = 0, nm = contam_index_manifest_count(ix), nid = 0, nforget = 0;
	long skipped = 0;
	int rc = 0;
	by_path *paths = calloc(nm ? nm : 1, sizeof(*paths));
	ident *ids = calloc(nm ? nm : 1, sizeof(*ids));
	char **forget = calloc(in->count ? in->count : 1, sizeof(*forget));
	const contam_manifest_entry **found = calloc(in->count ? in->count : 1, sizeof(*found));
	if (!paths || !ids || !forget || !found) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < nm; j++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, j);
		struct stat st;
		paths[j].path = e->path;
		paths[j].entry = j;
		if (stat(e->path, &st) == 0) {
			ids[nid].dev = (uint64_t)st.st_dev;
			ids[nid].ino = (uint64_t)st.st_ino;
			ids[nid++].entry = j;
		}
	}
	qsort(paths, nm, sizeof(*paths), cmp_by_path);
	qsort(ids, nid, sizeof(*ids), cmp_ident);
	for (size_t i = 0; i < in->count; i++) {
		by_path key = { in->paths[i], 0 };
		by_path *hit = nm ? bsearch(&key, paths, nm, sizeof(*paths), cmp_by_path) : NULL;
		const contam_manifest_entry *e = hit ? contam_index_manifest_get(ix, hit->entry) : NULL;
		if (!e && nid) {
			ident k = { in->devs[i], in->inos[i], 0 };
			ident *h = bsearch(&k, ids, nid, sizeof(*ids), cmp_ident);
			if (h)
				e = contam_index_manifest_get(ix, h->entry);
		}
		found[i] = e;
		/* a changed file's old n-grams cannot be taken out of the
		 * filter: the checkpoint is of no use */
		if (e && resume && !e->problems[CONTAM_PROBLEM_UNREADABLE] &&
		    (e->size != in->sizes[i] ||
		     (e->fingerprint && e->fingerprint != contam_input_fingerprint(in->paths[i])))) {
			cli_warn("'%s' changed since the checkpoint (its size or content)",
				 in->paths[i]);
			rc = 1;
		}
	}
	if (rc) {
		skipped = -2;
		goto out;
	}
	for (size_t i = 0; i < in->count; i++) {
		const contam_manifest_entry *e = found[i];
		bool present = e != NULL;
		if (present && resume && e->problems[CONTAM_PROBLEM_UNREADABLE]) {
			cli_warn("'%s' could not be read before: reading it again", e->path);
			forget[nforget++] = e->path;
			present = false;
		} else if (present && force) {
			forget[nforget++] = e->path;
			present = false;
		}
		if (present && !resume) {
			if (strcmp(e->path, in->paths[i]))
				rc = cli_error(EXIT_INPUT, "input '%s' is already in '%s' as '%s' "
					       "(use --force to index it again)", in->paths[i],
					       base, e->path);
			else
				rc = cli_error(EXIT_INPUT, "input '%s' is already in '%s' "
					       "(use --force to index it again)", in->paths[i], base);
			goto out;
		}
		if (present) {
			/* an argument with a done file that gave documents
			 * is not "unread" when only its other files are left */
			if (e->documents && e->bytes_text)
				done_docs[in->origin[i]] = 1; /* as "gave" below */
			in->total_size -= in->sizes[i];
			free(in->paths[i]);
			skipped++;
			continue;
		}
		in->paths[keep] = in->paths[i];
		in->sizes[keep] = in->sizes[i];
		in->devs[keep] = in->devs[i];
		in->inos[keep] = in->inos[i];
		in->origin[keep] = in->origin[i];
		keep++;
	}
	in->count = keep;
	/* forgotten after the lookups, which borrow the entries' paths */
	for (size_t k = 0; k < nforget; k++) {
		char *p = strdup(forget[k]);
		if (!p) {
			rc = cli_error(EXIT_INPUT, "out of memory");
			goto out;
		}
		contam_index_forget_input(ix, p);
		free(p);
	}
out:
	free(paths);
	free(ids);
	free(forget);
	free(found);
	return skipped == -2 ? -2 : rc ? -1 : skipped;
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Each input with problems, bounded on the terminal; the index keeps
 * the first messages of every one (contam info). */
static void report_problems(contam_index *ix, size_t first, size_t n,
			    const char *output)
{
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < n; i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, first + i);
		uint64_t total = e->errors;
		for (int k = 0; k < CONTAM_PROBLEMS; k++)
			total += e->problems[k];
		if (!total)
			continue;
		if (shown == PROBLEM_INPUTS_SHOWN) {
			more++;
			continue;
		}
		if (!shown++)
			cli_warn("inputs with problems:");
		char what[512];
		size_t used = 0;
		what[0] = '\0';
		for (int k = 0; k < CONTAM_PROBLEMS; k++)
			if (e->problems[k] && k != CONTAM_PROBLEM_EMPTY && used < sizeof what)
				used += (size_t)snprintf(what + used, sizeof what - used,
							 ", %" PRIu64 " %s", e->problems[k],
							 contam_problem_name((contam_problem)k));
		if (e->errors && used < sizeof what)
			snprintf(what + used, sizeof what - used, " (%" PRIu64 " records skipped)",
				 e->errors);
		fputs("contam:   '", stderr);
		cli_put_escaped(stderr, e->path);
		fprintf(stderr, "': %" PRIu64 " documents%s\n", e->documents, what);
	}
	if (more)
		cli_warn("and %zu more inputs with problems: 'contam info %s' lists them all",
			 more, output);
	else if (shown)
		cli_warn("'contam info %s' shows the first %d messages of each", output,
			 CONTAM_MANIFEST_MESSAGES);
}

/* "'x.json': 0 documents read (1513 records skipped: first message)" */
static int explain_unread(contam_index *ix, size_t first, const contam_inputs *in,
			  size_t arg, const char *output)
{
	uint64_t files = 0, errors = 0, empty_docs = 0;
	const char *msg = NULL;
	for (size_t i = 0; i < in->count; i++) {
		if (in->origin[i] != arg)
			continue;
		const contam_manifest_entry *e = contam_index_manifest_get(ix, first + i);
		files++;
		errors += e->errors;
		empty_docs += e->documents; /* none of them had text */
		if (!msg && e->nmessages)
			msg = e->messages[0];
	}
	char from[64] = "";
	if (in->arg_is_dir[arg])
		snprintf(from, sizeof from, " from its %" PRIu64 " file(s)", files);
	if (errors)
		return cli_error(EXIT_INPUT, "'%s': 0 documents read%s (%" PRIu64
				 " records skipped: %s); nothing written to '%s' "
				 "(--allow-empty to write it anyway)", in->args[arg], from,
				 errors, msg ? msg : "see above", output);
	/* a reader's note says why, when it knows (a WAT file's records);
	 * an empty text file is one document, with no text: `info` lists
	 * it so */
	char why[64] = "no text in it";
	if (!msg && empty_docs)
		snprintf(why, sizeof why, "only %" PRIu64 " empty document%s, no text in %s",
			 empty_docs, empty_docs == 1 ? "" : "s", files == 1 ? "it" : "them");
	return cli_error(EXIT_INPUT, "'%s': 0 documents read%s (%s); nothing "
			 "written to '%s' (--allow-empty to write it anyway)",
			 in->args[arg], from, msg ? msg : why, output);
}

/* --resume and --add keep the geometry of the index they continue:
 * --ngram, --winnow, --memory, --expected-ngrams or --fpr that would
 * give another filter are refused, not ignored. */
static int refuse_changed_params(contam_index *ix, const contam_inputs *in,
				 const char *base, bool resume, unsigned long ngram,
				 unsigned long winnow, uint64_t memory,
				 uint64_t expected, double fpr,
				 const contam_build_options *bopt)
{
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	const char *what = resume ? "the checkpoint" : "the index";
	if (ngram && ngram != st.params.ngram)
		return cli_error(EXIT_USAGE, "--ngram %lu differs from %s '%s' (n=%u); "
				 "drop it or start a new index", ngram, what, base,
				 st.params.ngram);
	uint32_t w = st.params.winnow > 1 ? st.params.winnow : 1;
	if (winnow && (winnow > 1 ? winnow : 1) != w)
		return cli_error(EXIT_USAGE, "--winnow %lu differs from %s '%s' (W=%u); "
				 "drop it or start a new index", winnow, what, base, w);
	if (memory || expected || (fpr > 0 && resume)) {
		/* planned as a new index is (index_main) */
		uint32_t pw = st.params.winnow > 1 ? st.params.winnow : 0;
		uint64_t planned = expected ? expected :
			contam_estimate_keys_content(in, bopt, st.params.ngram, pw, NULL);
		contam_params p;
		double predicted;
		char b1[32], b2[32];
		if (contam_plan_filter(planned, contam_lookup_fpr_for(fpr > 0 ? fpr : 1e-3, pw), memory,
				       st.params.ngram, &p, &predicted, NULL) ||
		    p.nblocks != st.params.nblocks ||
		    (!memory && p.k != st.params.k)) /* --memory: k follows the inputs */
			return cli_error(EXIT_USAGE, "--memory/--expected-ngrams/--fpr give a "
					 "%s filter (k=%u), but %s '%s' has %s (k=%u); drop them "
					 "or start a new index",
					 cli_bytes(p.nblocks * 64, b1, sizeof b1), p.k, what, base,
					 cli_bytes(st.params.nblocks * 64, b2, sizeof b2), st.params.k);
	}
	return 0;
}

/* The walks' skips as JSON lines, one per directory and reason:
 * {"dir": D, "reason": R, "count": N, "names": [...]} (--skips-to), read
 * back by --skips-from: a job that splits a walk's files among tasks
 * hands what the walk skipped to one of them, so that the merged index
 * carries it as one contam index of the walk does. */
static const char *const skip_reason_key[CONTAM_SKIP_REASONS] = {
	[CONTAM_SKIP_UNKNOWN_KIND] = "unknown_kind",
	[CONTAM_SKIP_CONTAM_OUTPUT] = "contam_output",
	[CONTAM_SKIP_EXCLUDED] = "excluded",
	[CONTAM_SKIP_DUPLICATE] = "duplicate",
	[CONTAM_SKIP_HIDDEN] = "hidden",
};

static int write_skips(const contam_inputs *in, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return cli_error(EXIT_INPUT, "cannot write '%s': %s", path, strerror(errno));
	int bad = 0;
	for (size_t i = 0; i < in->nskips && !bad; i++) {
		const contam_input_skip *k = &in->skips[i];
		if (k->reason == CONTAM_SKIP_HIDDEN)
			continue; /* not kept in an index either */
		json_t *names = json_array();
		for (size_t j = 0; names && j < k->nnames; j++)
			bad |= json_array_append_new(names, json_string(k->names[j]));
		json_t *o = json_pack("{s:s, s:s, s:I, s:o}", "dir", k->dir, "reason",
				      skip_reason_key[k->reason], "count", (json_int_t)k->count,
				      "names", names);
		char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
		bad |= !line || fprintf(f, "%s\n", line) < 0;
		free(line);
		json_decref(o);
	}
	bad |= fclose(f) != 0;
	return bad ? cli_error(EXIT_INPUT, "cannot write '%s'", path) : 0;
}

/* --skips-from: the skips a walk elsewhere wrote (write_skips), added to
 * this run's (they reach the index). */
static int read_skips(contam_inputs *in, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_error(EXIT_INPUT, "cannot open '%s': %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	for (uint64_t no = 1; !rc && (n = getline(&line, &cap, f)) > 0; no++) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)n, 0, &je);
		const char *dir = NULL, *reason = NULL;
		json_int_t count = -1;
		json_t *names = NULL;
		int r = -1;
		if (o && !json_unpack(o, "{s:s, s:s, s:I, s:o}", "dir", &dir, "reason", &reason,
				      "count", &count, "names", &names) && json_is_array(names))
			for (int k = 0; k < CONTAM_SKIP_REASONS; k++)
				if (!strcmp(reason, skip_reason_key[k]))
					r = k;
		contam_input_skip *g = NULL;
		if (r < 0 || count < 0) {
			rc = cli_error(EXIT_INPUT, "%s:%" PRIu64 ": not a skip line of --skips-to",
				       path, no);
		} else if (!(g = realloc(in->skips, (in->nskips + 1) * sizeof(*g)))) {
			rc = cli_error(EXIT_INPUT, "out of memory");
		} else {
			in->skips = g;
			contam_input_skip *k = &g[in->nskips++];
			memset(k, 0, sizeof(*k));
			k->reason = (contam_skip_reason)r;
			k->count = (uint64_t)count;
			k->dir = strdup(dir);
			for (size_t j = 0; j < json_array_size(names) && j < CONTAM_SKIP_NAMES; j++) {
				const char *s = json_string_value(json_array_get(names, j));
				if (s && (k->names[k->nnames] = strdup(s)))
					k->nnames++;
			}
			if (!k->dir)
				rc = cli_error(EXIT_INPUT, "out of memory");
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	return rc;
}

/* --list-inputs: the files an index of these inputs would read, one
 * "SIZE<TAB>PATH" line each in input order (for tools that split a corpus
 * among jobs, contrib/slurm), the walks' skips on stderr (and with
 * --skips-to in a file). */
static int list_walk(int argc, char **argv, const contam_walk_options *wopt,
		     bool quiet, bool allow_empty, const char *skips_to)
{
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "no inputs: give corpus files or directories (see 'contam index --help')");
	contam_inputs in;
	contam_error err;
	if (contam_inputs_expand_walk(&in, (const char *const *)argv + optind,
				      (size_t)(argc - optind), wopt, &err))
		return cli_error(EXIT_INPUT, "%s", err.msg);
	int rc = cli_report_walk(&in, allow_empty);
	if (!rc && !quiet)
		cli_print_skips(&in);
	if (!rc && skips_to)
		rc = write_skips(&in, skips_to);
	for (size_t i = 0; i < in.count && !rc; i++)
		printf("%" PRIu64 "\t%s\n", in.sizes[i], in.paths[i]);
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = cli_error(EXIT_INPUT, "cannot write the list: %s", strerror(errno));
	contam_inputs_free(&in);
	return rc;
}

/* globs: room for argc --include/--exclude patterns (freed by cli_index) */
static int index_main(int argc, char **argv, const char **globs)
{
	enum { OPT_FPR = 256, OPT_EXPECTED, OPT_MEMORY, OPT_TEXT_FIELD,
	       OPT_STRICT, OPT_MAX_RECORD, OPT_ADD, OPT_FORCE, OPT_PARTITION,
	       OPT_CHECKPOINT, OPT_RESUME, OPT_WINNOW, OPT_INCLUDE, OPT_EXCLUDE,
	       OPT_ALLOW_EMPTY, OPT_LIST_INPUTS, OPT_DOC_FREQ, OPT_DOC_FREQ_MEMORY,
	       OPT_UNCOMPRESSED, OPT_MINHASH, OPT_MH_BANDS, OPT_MH_ROWS, OPT_MH_WINDOWS,
	       OPT_MH_SHINGLE, OPT_MH_FPR, OPT_MH_STRIDE, OPT_WALKED, OPT_SKIPS_FROM,
	       OPT_SKIPS_TO };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "ngram", required_argument, NULL, 'n' },
		{ "fpr", required_argument, NULL, OPT_FPR },
		{ "expected-ngrams", required_argument, NULL, OPT_EXPECTED },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "threads", required_argument, NULL, 't' },
		{ "text-field", required_argument, NULL, OPT_TEXT_FIELD },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "max-record", required_argument, NULL, OPT_MAX_RECORD },
		{ "add", required_argument, NULL, OPT_ADD },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "partition", required_argument, NULL, OPT_PARTITION },
		{ "checkpoint-every", required_argument, NULL, OPT_CHECKPOINT },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "winnow", required_argument, NULL, OPT_WINNOW },
		{ "include", required_argument, NULL, OPT_INCLUDE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
		{ "list-inputs", no_argument, NULL, OPT_LIST_INPUTS },
		{ "walked", no_argument, NULL, OPT_WALKED },
		{ "skips-from", required_argument, NULL, OPT_SKIPS_FROM },
		{ "skips-to", required_argument, NULL, OPT_SKIPS_TO },
		{ "doc-freq", no_argument, NULL, OPT_DOC_FREQ },
		{ "doc-freq-memory", required_argument, NULL, OPT_DOC_FREQ_MEMORY },
		{ "uncompressed-filter", no_argument, NULL, OPT_UNCOMPRESSED },
		{ "minhash", no_argument, NULL, OPT_MINHASH },
		{ "minhash-bands", required_argument, NULL, OPT_MH_BANDS },
		{ "minhash-rows", required_argument, NULL, OPT_MH_ROWS },
		{ "minhash-windows", required_argument, NULL, OPT_MH_WINDOWS },
		{ "minhash-shingle", required_argument, NULL, OPT_MH_SHINGLE },
		{ "minhash-fpr", required_argument, NULL, OPT_MH_FPR },
		{ "minhash-stride-div", required_argument, NULL, OPT_MH_STRIDE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *add = NULL;
	unsigned long ngram = 8, threads = 0, part_i = 0, part_n = 1, winnow = 0;
	double fpr = 1e-3;
	uint64_t expected = 0, memory = 0, checkpoint_every = 0;
	bool force = false, resume = false, fpr_given = false, allow_empty = false;
	bool ngram_given = false, winnow_given = false, list_inputs = false;
	bool walked = false;
	const char *skips_from = NULL, *skips_to = NULL;
	bool doc_freq = false, uncompressed = false;
	uint64_t doc_freq_memory = 0;
	/* --minhash: its parameters (any --minhash-* implies it) and which
	 * were given (compared with an index's on --add/--resume) */
	bool minhash = false, mh_br_given = false, mh_shape_given = false;
	contam_minhash_params mhp;
	contam_minhash_params_default(&mhp);
	double mh_fpr = 1e-3;
	bool mh_fpr_given = false;
	/* --include then --exclude globs, in one array */
	size_t nglobs = 0, ninclude = 0;
	contam_walk_options wopt = { 0 };
	contam_build_options bopt;
	const char *text_fields[CLI_MAX_TEXT_FIELDS];
	size_t ntext_fields = 0;
	contam_build_options_init(&bopt);
	index_ui ui = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'n':
			if (!cli_parse_uint(optarg, 1, CONTAM_MAX_NGRAM, &ngram))
				return cli_error(EXIT_USAGE, "--ngram wants 1..%d, not '%s'",
						 CONTAM_MAX_NGRAM, optarg);
			ngram_given = true;
			break;
		case OPT_FPR:
			if (!cli_parse_double(optarg, &fpr) || !(fpr > 0 && fpr < 0.5))
				return cli_error(EXIT_USAGE, "--fpr wants a rate in (0, 0.5), not '%s'", optarg);
			fpr_given = true;
			break;
		case OPT_EXPECTED:
			if (!cli_parse_count(optarg, &expected) || expected == 0)
				return cli_error(EXIT_USAGE, "--expected-ngrams wants a positive count, not '%s'", optarg);
			break;
		case OPT_MEMORY:
			if (!cli_parse_size(optarg, &memory) || memory < 1024)
				return cli_error(EXIT_USAGE, "--memory wants a size such as 512M or 16G, not '%s'", optarg);
			break;
		case 't':
			if (!cli_parse_uint(optarg, 1, 4096, &threads))
				return cli_error(EXIT_USAGE, "--threads wants a positive number, not '%s'", optarg);
			break;
		case OPT_TEXT_FIELD:
			if (!optarg[0] || ntext_fields == CLI_MAX_TEXT_FIELDS)
				return cli_error(EXIT_USAGE, "--text-field wants a field name or path (at most %d of them), not '%s'",
						 CLI_MAX_TEXT_FIELDS, optarg);
			text_fields[ntext_fields++] = optarg;
			bopt.text_field = text_fields[0];
			bopt.text_fields = text_fields;
			bopt.ntext_fields = ntext_fields;
			break;
		case OPT_STRICT: bopt.strict = 1; break;
		case OPT_MAX_RECORD:
			if (!cli_parse_size(optarg, &bopt.max_record) || bopt.max_record < 1024)
				return cli_error(EXIT_USAGE, "--max-record wants a size such as 64M, not '%s'", optarg);
			break;
		case OPT_ADD: add = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_PARTITION:
			if (!cli_parse_partition(optarg, &part_i, &part_n))
				return cli_error(EXIT_USAGE, "--partition wants i/P with 0 <= i < P, such as 0/4, not '%s'", optarg);
			break;
		case OPT_CHECKPOINT:
			if (!cli_parse_size(optarg, &checkpoint_every) || checkpoint_every == 0)
				return cli_error(EXIT_USAGE, "--checkpoint-every wants a size such as 10G, not '%s'", optarg);
			break;
		case OPT_RESUME: resume = true; break;
		case OPT_WINNOW:
			if (!cli_parse_uint(optarg, 1, 64, &winnow))
				return cli_error(EXIT_USAGE, "--winnow wants a window of 1..64 n-grams, not '%s'", optarg);
			winnow_given = true;
			break;
		case OPT_INCLUDE: cli_add_include(globs, &nglobs, &ninclude, optarg); break;
		case OPT_EXCLUDE: globs[nglobs++] = optarg; break;
		case OPT_ALLOW_EMPTY: allow_empty = true; break;
		case OPT_LIST_INPUTS: list_inputs = true; break;
		case OPT_WALKED: walked = true; break;
		case OPT_SKIPS_FROM: skips_from = optarg; break;
		case OPT_SKIPS_TO: skips_to = optarg; break;
		case OPT_DOC_FREQ: doc_freq = true; break;
		case OPT_UNCOMPRESSED: uncompressed = true; break;
		case OPT_DOC_FREQ_MEMORY:
			if (!cli_parse_size(optarg, &doc_freq_memory) || doc_freq_memory < 1024)
				return cli_error(EXIT_USAGE, "--doc-freq-memory wants a size such as 512M, not '%s'", optarg);
			doc_freq = true;
			break;
		case OPT_MINHASH: minhash = true; break;
		case OPT_MH_BANDS:
		case OPT_MH_ROWS:
		case OPT_MH_STRIDE:
		case OPT_MH_SHINGLE:
		case OPT_MH_WINDOWS: {
			const char *name = c == OPT_MH_BANDS ? "bands" : c == OPT_MH_ROWS ? "rows" :
					   c == OPT_MH_STRIDE ? "stride-div" :
					   c == OPT_MH_SHINGLE ? "shingle" : "windows";
			char why[200];
			if (cli_minhash_option(&mhp, name, optarg, why, sizeof(why)))
				return cli_error(EXIT_USAGE, "%s", why);
			if (c == OPT_MH_BANDS || c == OPT_MH_ROWS)
				mh_br_given = true;
			else
				mh_shape_given = true;
			minhash = true;
			break;
		}
		case OPT_MH_FPR:
			if (!cli_parse_double(optarg, &mh_fpr) || !(mh_fpr > 0 && mh_fpr < 0.5))
				return cli_error(EXIT_USAGE, "--minhash-fpr wants a rate in (0, 0.5), not '%s'", optarg);
			mh_fpr_given = true;
			minhash = true;
			break;
		case 'q': ui.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("index");
		}
	}
	if (!output)
		output = add;
	if (list_inputs)
		return list_walk(argc, argv, &(contam_walk_options){
				 globs, ninclude, globs + ninclude, nglobs - ninclude },
				 ui.quiet, allow_empty, skips_to);
	if (skips_to)
		return cli_error(EXIT_USAGE, "--skips-to goes with --list-inputs");
	if (!output)
		return cli_error(EXIT_USAGE, "no output: give -o INDEX (see 'contam index --help')");
	if (cli_is_stdout_name(output))
		return cli_error(EXIT_USAGE, "an index cannot be written to stdout ('-o -'): give a file name");
	ui.output = output;
	threads = cli_cap_threads(threads);
	wopt.include = globs;
	wopt.ninclude = ninclude;
	wopt.exclude = globs + ninclude;
	wopt.nexclude = nglobs - ninclude;
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "no inputs: give corpus files or directories (see 'contam index --help')");
	if (expected && memory)
		return cli_error(EXIT_USAGE, "give --expected-ngrams or --memory, not both");
	if (add && part_n > 1)
		return cli_error(EXIT_USAGE, "--add keeps the partition of the index it adds to; drop --partition");
	if (minhash) {
		contam_error merr;
		if (contam_minhash_params_check(&mhp, &merr))
			return cli_error(EXIT_USAGE, "%s", merr.msg);
		/* swapped b and r give a silent near-zero recall elsewhere:
		 * say what they mean whenever they are given */
		if (mh_br_given)
			cli_minhash_threshold_note(&mhp, "contam");
	}

	/* the output's directory is checked before any input is read */
	if (cli_check_output_dir(output))
		return EXIT_INPUT;
	contam_inputs in;
	contam_error err;
	int rc = contam_inputs_expand_walk(&in, (const char *const *)argv + optind,
					   (size_t)(argc - optind), &wopt, &err);
	if (rc)
		return cli_error(EXIT_INPUT, "%s", err.msg);
	/* a task's share of a walk made elsewhere (contrib/slurm): read as
	 * that walk reads its files, with what it skipped */
	for (size_t i = 0; walked && i < in.count; i++)
		if (contam_inputs_set_walked(&in, i, 1)) {
			contam_inputs_free(&in);
			return cli_error(EXIT_INPUT, "out of memory");
		}
	if (skips_from && (rc = read_skips(&in, skips_from)))
		goto out_inputs;
	if ((rc = cli_report_walk(&in, allow_empty)))
		goto out_inputs;
	if (in.count == 0) {
		contam_inputs_free(&in);
		return cli_error(EXIT_INPUT, "no input files found");
	}
	/* before anything is read: the index must not replace a corpus file
	 * (--add's index is rewritten on purpose, atomically) */
	if (cli_output_clash("output", output, (const char *const *)in.paths, in.count)) {
		contam_inputs_free(&in);
		return EXIT_USAGE;
	}

	char b1[32], b2[32];
	char *checkpoint = NULL;
	uint64_t *docs = NULL;
	unsigned char *done_docs = calloc(in.nargs ? in.nargs : 1, 1);
	if (!done_docs) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	contam_index *ix = NULL;
	double predicted = 0;
	size_t n = strlen(output) + 16;
	if (!(checkpoint = malloc(n))) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	snprintf(checkpoint, n, "%s.checkpoint", output);

	/* the index to build into: an existing one, a checkpoint, or new */
	const char *base = add ? add : (resume && file_exists(checkpoint)) ? checkpoint : NULL;
	long skipped = 0;
	if (base) {
		if (contam_index_load(&ix, base, &err)) {
			rc = cli_error(EXIT_INPUT, "%s", err.msg);
			goto out;
		}
		if ((rc = refuse_changed_params(ix, &in, base, base == checkpoint,
						ngram_given ? ngram : 0, winnow_given ? winnow : 0,
						memory, expected, fpr_given ? fpr : 0, &bopt)))
			goto out;
		skipped = drop_indexed(ix, &in, force, base == checkpoint, base, done_docs);
		if (skipped == -2) {
			if (!ui.quiet)
				fprintf(stderr, "contam: the checkpoint '%s' holds n-grams of changed "
					"files: starting from the beginning\n", checkpoint);
			contam_index_free(ix);
			ix = NULL;
			base = NULL;
		} else if (skipped < 0) {
			rc = EXIT_INPUT;
			goto out;
		}
	}
	if (base) {
		contam_index_stats st;
		contam_index_stats_get(ix, &st);
		predicted = st.fpr;
		/* counts from the first document on, or not at all */
		if (doc_freq && !st.has_doc_freq) {
			rc = cli_error(EXIT_USAGE, "--doc-freq: %s '%s' has no doc-freq section, "
				       "so its documents were never counted; build a new index "
				       "with --doc-freq", base == checkpoint ? "the checkpoint" :
				       "the index", base);
			goto out;
		}
		if (doc_freq_memory && st.has_doc_freq &&
		    (doc_freq_memory / 2 + 31) / 32 != st.doc_freq_lines &&
		    !(doc_freq_memory / 2 < 512 && st.doc_freq_lines == 16)) {
			rc = cli_error(EXIT_USAGE, "--doc-freq-memory %s differs from the doc-freq "
				       "sketch of '%s' (%s); drop it or start a new index",
				       cli_bytes(doc_freq_memory, b1, sizeof b1), base,
				       cli_bytes(st.doc_freq_lines * 64, b2, sizeof b2));
			goto out;
		}
		if (st.has_doc_freq && !ui.quiet)
			fprintf(stderr, "contam: counting document frequencies: '%s' has a doc-freq "
				"section\n", base);
		contam_minhash_info mi;
		int has_mh = contam_index_minhash_info(ix, &mi) == 0;
		if (minhash && !has_mh) {
			rc = cli_error(EXIT_USAGE, "--minhash: %s '%s' has no minhash section, so its "
				       "documents have no near-duplicate signatures; build a new index "
				       "with --minhash", base == checkpoint ? "the checkpoint" : "the index",
				       base);
			goto out;
		}
		if (has_mh && (mh_br_given || mh_shape_given) &&
		    (mi.params.bands != mhp.bands || mi.params.rows != mhp.rows ||
		     mi.params.shingle != mhp.shingle || mi.params.nwindows != mhp.nwindows ||
		     mi.params.stride_div != mhp.stride_div ||
		     memcmp(mi.params.windows, mhp.windows, sizeof(mhp.windows)))) {
			rc = cli_error(EXIT_USAGE, "--minhash options differ from the minhash section of "
				       "'%s' (b=%u, r=%u, shingle %u); drop them or start a new index",
				       base, mi.params.bands, mi.params.rows, mi.params.shingle);
			goto out;
		}
		if (has_mh && mh_fpr_given) {
			rc = cli_error(EXIT_USAGE, "--minhash-fpr sizes a new minhash section, but '%s' "
				       "has one; drop it", base);
			goto out;
		}
		if (has_mh && !ui.quiet)
			fprintf(stderr, "contam: near-dup signatures: '%s' has a minhash section "
				"(b=%u, r=%u)\n", base, mi.params.bands, mi.params.rows);
		if (!ui.quiet)
			fprintf(stderr, "contam: %s '%s' (%" PRIu64 " n-grams, %zu inputs); "
				"%ld input(s) already done, %zu to go\n",
				base == checkpoint ? "resuming from" : "adding to", base,
				st.ngrams_inserted, contam_index_manifest_count(ix), skipped,
				in.count);
	} else {
		if (resume && !ui.quiet && !file_exists(checkpoint))
			fprintf(stderr, "contam: no checkpoint '%s': starting from the beginning\n",
				checkpoint);
		uint64_t planned_for = expected;
		/* a pipe has no size to estimate from: refused before
		 * anything is read, not sized for nothing */
		const char *unsized_what = NULL;
		long unsized = expected ? -1 : contam_inputs_unsized(&in, &unsized_what);
		if (unsized >= 0 && !memory) {
			rc = cli_error(EXIT_USAGE, "cannot size the filter: '%s' is %s; give "
				       "--expected-ngrams N or --memory SIZE",
				       in.paths[unsized], unsized_what);
			goto out;
		}
		/* A winnowed index is planned for the lookup rate
		 * whose rate after the probe's fill (what verdicts see) is
		 * --fpr, and for the keys winnowing keeps, counted per
		 * sampled document */
		uint32_t w = winnow > 1 ? (uint32_t)winnow : 0;
		double plan_fpr = contam_lookup_fpr_for(fpr, w);
		if (!expected) {
			contam_estimate einfo;
			planned_for = contam_estimate_keys_content(&in, &bopt, (uint32_t)ngram, w, &einfo);
			if (!memory && !ui.quiet)
				fprintf(stderr, "contam: no --expected-ngrams or --memory: sizing for ~%" PRIu64
					" n-grams%s, estimated from %s of input (%zu file(s) sampled)\n",
					planned_for, w ? " kept by winnowing" : "",
					cli_bytes(in.total_size, b1, sizeof(b1)), einfo.files_sampled);
			if (memory && unsized >= 0) /* k for the filter filled to --fpr */
				planned_for = cli_capacity_at_fpr(memory, plan_fpr, (uint32_t)ngram, planned_for);
			if (part_n > 1 && !memory)
				cli_warn("with --partition, give every node the same --expected-ngrams or --memory, "
					 "or the partitions will not fit together");
		}
		contam_params params;
		if (contam_plan_filter(planned_for, plan_fpr, memory, (uint32_t)ngram, &params,
				       &predicted, NULL)) {
			rc = cli_error(EXIT_USAGE, "cannot plan a filter for these parameters");
			goto out;
		}
		predicted = contam_seen_fpr(predicted, w);
		uint64_t fbytes = params.nblocks * 64 / part_n, phys = physical_memory();
		if (phys && fbytes > phys - phys / 8) {
			rc = cli_error(EXIT_INPUT, "the filter needs %s but this machine has %s; "
				       "use --memory, a higher --fpr, --partition, or split the corpus",
				       cli_bytes(fbytes, b1, sizeof(b1)), cli_bytes(phys, b2, sizeof(b2)));
			goto out;
		}
		if (!ui.quiet)
			fprintf(stderr, "contam: %zu input file(s), %s; filter %s%s, k=%u, %u-grams; "
				"predicted false-positive rate %.2g at %" PRIu64 " n-grams\n",
				in.count, cli_bytes(in.total_size, b1, sizeof(b1)),
				cli_bytes(fbytes, b2, sizeof(b2)),
				part_n > 1 ? " (this partition)" : "", params.k, params.ngram,
				predicted, planned_for);
		params.winnow = winnow > 1 ? (uint32_t)winnow : 0;
		if (params.winnow && !ui.quiet)
			fprintf(stderr, "contam: winnowing: keeping the smallest of every %lu n-grams; "
				"every shared span of >= %lu tokens is still found\n",
				winnow, winnow + ngram - 1);
		rc = contam_index_new_partition(&ix, &params, (uint32_t)part_i, (uint32_t)part_n,
						&err);
		if (rc) {
			rc = cli_error(EXIT_INPUT, "%s", err.msg);
			goto out;
		}
		if (minhash) {
			/* the same input estimate as the filter's: words, about
			 * the n-grams (winnowing keeps ~2/(W+1) of them) */
			uint64_t words = planned_for;
			if (w)
				words = expected ? expected * (w + 1) / 2
					: contam_estimate_keys_content(&in, &bopt, (uint32_t)ngram, 0, NULL);
			uint64_t mkeys = contam_minhash_expected_keys(&mhp, words);
			contam_error merr;
			if (contam_index_minhash_enable(ix, &mhp, mkeys, mh_fpr / mhp.bands, &merr)) {
				rc = cli_error(EXIT_INPUT, "%s", merr.msg);
				goto out;
			}
			contam_minhash_info mi;
			contam_index_minhash_info(ix, &mi);
			if (phys && fbytes + mi.filter_bytes > phys - phys / 8) {
				rc = cli_error(EXIT_INPUT, "the filter and the minhash filter need %s but "
					       "this machine has %s; use a higher --minhash-fpr, fewer "
					       "--minhash-windows, --memory or --partition",
					       cli_bytes(fbytes + mi.filter_bytes, b1, sizeof(b1)),
					       cli_bytes(phys, b2, sizeof(b2)));
				goto out;
			}
			if (!ui.quiet)
				fprintf(stderr, "contam: minhash: b=%u bands of r=%u rows (Jaccard threshold "
					"%.2f), %u windows of up to %u shingles; filter %s%s, k=%u, for ~%"
					PRIu64 " band keys at %.2g per band\n", mhp.bands, mhp.rows,
					mi.threshold, mhp.nwindows, mhp.windows[mhp.nwindows - 1],
					cli_bytes(mi.filter_bytes, b1, sizeof(b1)),
					part_n > 1 ? " (this partition)" : "", mi.k, mkeys,
					mh_fpr / mhp.bands);
		}
		if (doc_freq) {
			/* noise per counter: d * pairs / counters (README) */
			double want = doc_freq_memory ? (double)(doc_freq_memory / 2)
					: DOC_FREQ_PER_NGRAM * (double)planned_for;
			bopt.doc_freq_counters = want < 1 ? 1 : (uint64_t)want;
			uint64_t dbytes = (bopt.doc_freq_counters + 31) / 32 * 64;
			if (phys && fbytes + dbytes / part_n > phys - phys / 8) {
				rc = cli_error(EXIT_INPUT, "the filter and the doc-freq sketch need %s "
					       "but this machine has %s; use --doc-freq-memory, --memory "
					       "or --partition", cli_bytes(fbytes + dbytes / part_n, b1,
					       sizeof(b1)), cli_bytes(phys, b2, sizeof(b2)));
				goto out;
			}
			if (!ui.quiet)
				fprintf(stderr, "contam: doc-freq sketch %s%s (%" PRIu64 " counters "
					"of 16 bits)\n", cli_bytes(dbytes / part_n, b1, sizeof(b1)),
					part_n > 1 ? " (this partition)" : "",
					bopt.doc_freq_counters);
		}
	}

	/* an index loaded from an uncompressed file stays so */
	if (uncompressed)
		contam_index_set_uncompressed(ix, 1);
	cli_install_signal_handlers();
	ui.progress = !ui.quiet && cli_stderr_is_tty();
	bopt.threads = (int)threads;
	bopt.on_warning = on_warning;
	bopt.on_progress = on_progress;
	bopt.ctx = &ui;
	bopt.stop = &cli_interrupted;
	if (checkpoint_every) {
		bopt.checkpoint_path = checkpoint;
		bopt.checkpoint_every = checkpoint_every;
	}
	rc = in.count ? contam_index_build(ix, &in, &bopt) : 0;
	clear_line(&ui);
	if (rc || cli_interrupted) {
		rc = cli_error(EXIT_INPUT, "%s; nothing written to '%s'%s",
			       rc ? contam_index_errmsg(ix) : "interrupted", output,
			       checkpoint_every && file_exists(checkpoint) ?
			       " (a checkpoint is kept: rerun with --resume)" : "");
		goto out;
	}
	/* this run's entries are the last in.count of the manifest, in
	 * input order */
	size_t first = contam_index_manifest_count(ix) - in.count;
	if (!(docs = calloc(in.count ? in.count : 1, sizeof(*docs)))) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < in.count; i++) {
		/* documents with no text in them count as nothing read */
		const contam_manifest_entry *e = contam_index_manifest_get(ix, first + i);
		docs[i] = e->bytes_text ? e->documents : 0;
	}
	if (!ui.quiet) {
		cli_print_skips(&in);
		report_problems(ix, first, in.count, output);
	}
	/* the first argument with files read now, none of which (nor of its
	 * files done before, on --resume) gave a document */
	long unread = -1;
	for (size_t i = 0; i < in.count; i++) /* 2: files read now; 1: a document */
		done_docs[in.origin[i]] |= (unsigned char)(2 | (docs[i] ? 1 : 0));
	for (size_t a = 0; a < in.nargs && unread < 0; a++)
		if (done_docs[a] == 2)
			unread = (long)a;
	if (unread >= 0) {
		if (!allow_empty) {
			rc = explain_unread(ix, first, &in, (size_t)unread, output);
			goto out;
		}
		cli_warn("'%s': no documents read (--allow-empty)", in.args[unread]);
	}
	/* a signal while the file is written leaves nothing, as during
	 * the build (the checkpoint, if any, is kept) */
	contam_index_set_stop(ix, &cli_interrupted);
	if (contam_index_save(ix, output)) {
		rc = cli_error(EXIT_INPUT, "%s%s", contam_index_errmsg(ix),
			       cli_interrupted ? "; nothing written" : "");
		goto out;
	}
	if (file_exists(checkpoint))
		unlink(checkpoint);

	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	double target = fpr_given || !base ? (memory ? predicted : fpr) : 1e-3;
	if (!ui.quiet) {
		uint64_t text = 0;
		for (size_t i = 0; i < contam_index_manifest_count(ix); i++)
			text += contam_index_manifest_get(ix, i)->bytes_text;
		fprintf(stderr, "contam: wrote '%s': %" PRIu64 " documents, %" PRIu64
			" n-grams (%s of text); fill %.1f%%, false-positive rate %.2g "
			"(target %.2g)\n", output, st.documents, st.ngrams_inserted,
			cli_bytes(text, b1, sizeof(b1)), 100 * st.fill, st.fpr, target);
		if (st.has_doc_freq)
			fprintf(stderr, "contam: doc-freq: %" PRIu64 " (document, n-gram) pairs in %"
				PRIu64 " counters (d=%u); an estimate over-counts by %.2g on "
				"average at most\n", st.doc_freq_pairs, st.doc_freq_counters,
				st.doc_freq_d, st.doc_freq_noise);
		contam_minhash_info mi;
		if (contam_index_minhash_info(ix, &mi) == 0)
			fprintf(stderr, "contam: minhash: %" PRIu64 " windows, %" PRIu64 " band keys; "
				"fill %.1f%%, false-positive rate %.2g per band, %.2g per item\n",
				mi.windows, mi.keys, 100 * mi.fill, mi.band_fpr, mi.item_fpr);
		if (st.errors)
			cli_warn("%" PRIu64 " record(s) skipped (damaged, unreadable or without "
				 "text) and counted in the manifest (use --strict to stop "
				 "at the first)", st.errors);
	}
	/* the same for the minhash filter, against the item-level target of
	 * a new section (--add's section was sized by an earlier run) */
	contam_minhash_info mfull;
	if (!base && contam_index_minhash_info(ix, &mfull) == 0 &&
	    mfull.item_fpr > 2 * mh_fpr && mfull.item_fpr > 1e-6)
		fprintf(stderr, "contam: WARNING: the minhash filter is OVERFULL: an absent item "
			"matches a band with probability %.2g, %.0fx the target %.2g (fill %.0f%%); "
			"near-dup verdicts from it overstate; rebuild with a larger --expected-ngrams\n",
			mfull.item_fpr, mfull.item_fpr / mh_fpr, mh_fpr, 100 * mfull.fill);
	/* An overfull filter silently turns into "everything is contaminated";
	 * say so loudly even with --quiet. */
	if (st.fpr > 2 * target && st.fpr > 1e-6) {
		double fill = st.fill < 0.999999 ? st.fill : 0.999999;
		double distinct = -(double)st.params.nblocks * 512.0 / st.params.k * log(1 - fill);
		fprintf(stderr,
			"contam: WARNING: the filter is OVERFULL: false-positive rate %.2g is %.0fx the "
			"target %.2g (fill %.0f%%).\n"
			"contam: WARNING: verdicts from this index overstate contamination; rebuild with "
			"--expected-ngrams %.0f or more\n",
			st.fpr, st.fpr / target, target, 100 * st.fill,
			/* a saturated filter's fill says little: at least the
			 * n-grams inserted */
			(distinct > (double)st.ngrams_inserted ? distinct
							       : (double)st.ngrams_inserted) * 1.2);
	} else if (st.fpr > CLI_FPR_MARGIN * target && st.fpr > 1e-6) {
		/* Said from 1.25x on, not only once it doubles */
		double fill = st.fill < 0.999999 ? st.fill : 0.999999;
		double distinct = -(double)st.params.nblocks * 512.0 / st.params.k * log(1 - fill);
		if (add)
			cli_warn("the index is too full: false-positive rate %.2g is %.2fx the target "
				 "%.2g (more than %.3gx); verdicts overstate contamination a little; "
				 "plan a larger index for the next additions", st.fpr,
				 st.fpr / target, target, CLI_FPR_MARGIN);
		else
			cli_warn("the filter is too full: false-positive rate %.2g is %.2fx the target "
				 "%.2g (more than %.3gx); verdicts overstate contamination a little; "
				 "rebuild with --expected-ngrams %.0f or more", st.fpr,
				 st.fpr / target, target, CLI_FPR_MARGIN,
				 (distinct > (double)st.ngrams_inserted ? distinct
								: (double)st.ngrams_inserted) * 1.2);
	} else if (add && st.fpr > target) {
		cli_warn("the index is getting full: false-positive rate %.2g is above %.2g; "
			 "plan a larger index for the next additions", st.fpr, target);
	}
	rc = 0;
out:
	free(docs);
	free(done_docs);
	free(checkpoint);
	contam_index_free(ix);
out_inputs:
	contam_inputs_free(&in);
	return rc;
}

int cli_index(int argc, char **argv)
{
	const char **globs = calloc((size_t)argc + 1, sizeof(char *));
	if (!globs)
		return cli_error(EXIT_INPUT, "out of memory");
	int rc = index_main(argc, argv, globs);
	free(globs);
	return rc;
}
