/*
 * contam_mpi.c -- `contam-mpi index`: one index built by R MPI ranks.
 *
 * A crawl-sized corpus is read faster by many nodes than by one, but the
 * index must come out exactly as `contam index` would write it, so that
 * nothing downstream (probe, merge, --add) can tell how it was built.  A
 * Bloom filter makes that easy: the filter of a union of inputs is the
 * bitwise OR of the filters of its parts, and the manifest is a set.
 *
 * How it works
 *   1. Rank 0 expands the inputs and plans the filter exactly as
 *      `contam index` does (same flags, same estimate over ALL inputs),
 *      then assigns every input to a rank: largest first, each into the
 *      rank with the fewest bytes so far (ties: the earlier input, the
 *      lower rank).  This is deterministic, and no rank ends up more than
 *      one file's size above another.  The parameters and the assignment
 *      are broadcast.
 *   2. Every rank builds its share into a filter of the full geometry with
 *      contam_index_build (OpenMP threads inside the rank).
 *   3. The partial filters are OR-reduced onto rank 0 with
 *      MPI_Reduce(MPI_BOR, MPI_UINT64_T), REDUCE_CHUNK bytes at a time and
 *      in place on rank 0, so no rank needs memory for a second filter and
 *      the MPI library's own buffers stay bounded.
 *      With --doc-freq every rank also counts its share into a full-size
 *      doc-freq sketch, reduced the same way by saturating addition (a
 *      user operation: min(a + b, 65535) is associative and commutative,
 *      so the counters are those of one build).
 *      With --minhash every rank also signs its share into a full-size
 *      minhash filter (planned on rank 0 as contam index plans it), ORed
 *      onto rank 0 the same way; its counters (band keys, windows,
 *      shingles) are summed and its band rate is measured again there.
 *      Both are reduced by one loop over the index's sections
 *      (contam_index_section_get: each says how its bytes combine and
 *      which counters it sums), so a later section kind needs no code
 *      here.
 *   4. The manifest entries are serialized and gathered to rank 0, which
 *      adds them (summing the n-gram counts) and saves the file.  The
 *      manifest is sorted by path on save, so the bytes do not depend on
 *      the number of ranks or the assignment.
 *
 * Every step that can fail on one rank ends with a collective agreement
 * on the outcome, so a failure makes every rank exit instead of leaving
 * the others waiting in a collective call.
 *
 * This program uses only the public header contam.h (and the CLI's
 * argument-parsing helpers, which use nothing else).
 */
#include "contam.h"
#include "cli.h"

#include <mpi.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define REDUCE_CHUNK (16u << 20) /* bytes of filter per MPI_Reduce */
#define WARNINGS_SHOWN 20

static int my_rank, nranks;

static void usage(FILE *f)
{
	fprintf(f,
"usage: mpirun -np R contam-mpi index -o INDEX [options] INPUT...\n"
"\n"
"Build one index with R MPI ranks.  The result is byte-identical to\n"
"'contam index' with the same inputs and sizing flags, so it can be probed,\n"
"merged and extended (--add) like any other index.\n"
"\n"
"Rank 0 expands the inputs (files and directories, walked recursively) and\n"
"sizes the filter; the inputs are split into R shares of balanced byte size;\n"
"every rank reads its share into a full-size filter (so every rank needs the\n"
"filter's memory once); the filters are OR-reduced onto rank 0 in 16 MiB\n"
"chunks, and rank 0 writes INDEX.  All ranks must see the inputs at the same\n"
"paths (a shared file system) and run with the same working directory.\n"
"\n"
"options:\n"
"  -o, --output INDEX        index file to write (by rank 0, atomically)\n"
"  -n, --ngram N             words per n-gram (default 8)\n"
"      --fpr P               target false-positive rate per n-gram (default 1e-3)\n"
"      --expected-ngrams N   size the filter for N distinct n-grams (e.g. 2e9)\n"
"      --memory SIZE         size the filter to SIZE bytes (e.g. 16G)\n"
"                            (without either, the n-grams are counted on a\n"
"                            sample of all inputs, as 'contam index' does)\n"
"  -t, --threads T           threads per rank (default: the cores this rank is\n"
"                            bound to, or all cores shared among the ranks on\n"
"                            the node when ranks are not bound)\n"
"      --text-field PATH     JSON field holding the text (default \"text\"): a\n"
"                            name, or a dotted path through objects and arrays\n"
"                            as probe's --field (\"paragraphs\", \"meta.body\",\n"
"                            \"turns.0.text\"); repeat it to join several fields\n"
"                            with newlines\n"
"      --allow-empty         an input that yields no documents is reported, not\n"
"                            an error (without it: exit 2, nothing written)\n"
"      --winnow W            keep the smallest n-gram hash of every W (as in\n"
"                            'contam index --winnow')\n"
"      --partition i/P       build only partition i of P of the filter (as in\n"
"                            'contam index --partition'); run the job once per i\n"
"                            with the same --expected-ngrams or --memory\n"
"      --doc-freq            count each n-gram's documents (as in 'contam index\n"
"                            --doc-freq'); the sketches are reduced onto rank 0\n"
"      --doc-freq-memory SIZE  the sketch's size (implies --doc-freq)\n"
"      --strict              stop at the first damaged record (exit 2)\n"
"  -q, --quiet               no summary\n"
"  -h, --help                this help\n");
	fprintf(f, "\n"
"near-duplicate signatures (as in 'contam index'; every rank signs its share\n"
"into a full-size minhash filter, reduced onto rank 0 as the filter is):\n");
	cli_minhash_help(f);
	fprintf(f,
"\n"
"Exit status: 0 success, 1 usage error, 2 input or I/O error (on any rank).\n"
"\n"
"example:\n"
"  mpirun -np 16 --map-by node contam-mpi index -o cc.cidx \\\n"
"      --expected-ngrams 5e10 /shared/CC-MAIN-2024-10/\n");
}

static int mpi_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int mpi_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (my_rank > 0)
		fprintf(stderr, "contam-mpi: error: rank %d: ", my_rank);
	else
		fputs("contam-mpi: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

/* The worst exit status of all ranks; every rank gets it. */
static int agree(int status)
{
	int worst = status;
	MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return worst;
}

typedef struct options {
	const char *output;
	unsigned long ngram, threads, winnow, part_i, part_n;
	double fpr;
	uint64_t expected, memory, doc_freq_memory;
	bool doc_freq;
	bool quiet;
	bool allow_empty;
	/* --minhash (any --minhash-* implies it), parsed as contam index
	 * does; mh_keys is rank 0's plan, broadcast */
	bool minhash, mh_br_given;
	contam_minhash_params mhp;
	double mh_fpr;
	uint64_t mh_keys;
	contam_build_options bopt;
	const char *text_fields[CLI_MAX_TEXT_FIELDS];
	size_t ntext_fields;
} options;

/* Parse argv after "index".  Every rank parses the same arguments, so every
 * rank reaches the same decision; only rank 0 prints.  Returns -1 to go on,
 * or an exit status. */
static int parse_args(int argc, char **argv, options *o)
{
	enum { OPT_FPR = 256, OPT_EXPECTED, OPT_MEMORY, OPT_TEXT_FIELD,
	       OPT_STRICT, OPT_WINNOW, OPT_PARTITION, OPT_ALLOW_EMPTY, OPT_DOC_FREQ,
	       OPT_DOC_FREQ_MEMORY, OPT_MINHASH, OPT_MH_BANDS, OPT_MH_ROWS, OPT_MH_WINDOWS,
	       OPT_MH_SHINGLE, OPT_MH_FPR, OPT_MH_STRIDE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "ngram", required_argument, NULL, 'n' },
		{ "fpr", required_argument, NULL, OPT_FPR },
		{ "expected-ngrams", required_argument, NULL, OPT_EXPECTED },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "threads", required_argument, NULL, 't' },
		{ "text-field", required_argument, NULL, OPT_TEXT_FIELD },
		{ "winnow", required_argument, NULL, OPT_WINNOW },
		{ "partition", required_argument, NULL, OPT_PARTITION },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
		{ "doc-freq", no_argument, NULL, OPT_DOC_FREQ },
		{ "doc-freq-memory", required_argument, NULL, OPT_DOC_FREQ_MEMORY },
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
	bool talk = my_rank == 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->ngram = 8;
	o->part_n = 1;
	o->fpr = 1e-3;
	contam_minhash_params_default(&o->mhp);
	o->mh_fpr = 1e-3;
	contam_build_options_init(&o->bopt);
	opterr = talk;
	optind = 1;
#define USAGE_ERROR(...) return talk ? mpi_error(EXIT_USAGE, __VA_ARGS__) : EXIT_USAGE
	while ((c = getopt_long(argc, argv, "o:n:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'n':
			if (!cli_parse_uint(optarg, 1, CONTAM_MAX_NGRAM, &o->ngram))
				USAGE_ERROR("--ngram wants 1..%d, not '%s'", CONTAM_MAX_NGRAM, optarg);
			break;
		case OPT_FPR:
			if (!cli_parse_double(optarg, &o->fpr) || !(o->fpr > 0 && o->fpr < 0.5))
				USAGE_ERROR("--fpr wants a rate in (0, 0.5), not '%s'", optarg);
			break;
		case OPT_EXPECTED:
			if (!cli_parse_count(optarg, &o->expected) || o->expected == 0)
				USAGE_ERROR("--expected-ngrams wants a positive count, not '%s'", optarg);
			break;
		case OPT_MEMORY:
			if (!cli_parse_size(optarg, &o->memory) || o->memory < 1024)
				USAGE_ERROR("--memory wants a size such as 512M or 16G, not '%s'", optarg);
			break;
		case 't':
			if (!cli_parse_uint(optarg, 1, 4096, &o->threads))
				USAGE_ERROR("--threads wants a positive number, not '%s'", optarg);
			break;
		case OPT_TEXT_FIELD:
			if (!optarg[0] || o->ntext_fields == CLI_MAX_TEXT_FIELDS)
				USAGE_ERROR("--text-field wants a field name or path (at most %d of them), not '%s'",
					    CLI_MAX_TEXT_FIELDS, optarg);
			o->text_fields[o->ntext_fields++] = optarg;
			o->bopt.text_field = o->text_fields[0];
			o->bopt.text_fields = o->text_fields;
			o->bopt.ntext_fields = o->ntext_fields;
			break;
		case OPT_WINNOW:
			if (!cli_parse_uint(optarg, 1, 64, &o->winnow))
				USAGE_ERROR("--winnow wants a window of 1..64 n-grams, not '%s'", optarg);
			break;
		case OPT_PARTITION:
			if (!cli_parse_partition(optarg, &o->part_i, &o->part_n))
				USAGE_ERROR("--partition wants i/P with 0 <= i < P, such as 0/4, not '%s'", optarg);
			break;
		case OPT_STRICT: o->bopt.strict = 1; break;
		case OPT_ALLOW_EMPTY: o->allow_empty = true; break;
		case OPT_DOC_FREQ: o->doc_freq = true; break;
		case OPT_DOC_FREQ_MEMORY:
			if (!cli_parse_size(optarg, &o->doc_freq_memory) || o->doc_freq_memory < 1024)
				USAGE_ERROR("--doc-freq-memory wants a size such as 512M, not '%s'", optarg);
			o->doc_freq = true;
			break;
		case OPT_MINHASH: o->minhash = true; break;
		case OPT_MH_BANDS:
		case OPT_MH_ROWS:
		case OPT_MH_STRIDE:
		case OPT_MH_SHINGLE:
		case OPT_MH_WINDOWS: {
			const char *name = c == OPT_MH_BANDS ? "bands" : c == OPT_MH_ROWS ? "rows" :
					   c == OPT_MH_STRIDE ? "stride-div" :
					   c == OPT_MH_SHINGLE ? "shingle" : "windows";
			char why[200];
			if (cli_minhash_option(&o->mhp, name, optarg, why, sizeof(why)))
				USAGE_ERROR("%s", why);
			if (c == OPT_MH_BANDS || c == OPT_MH_ROWS)
				o->mh_br_given = true;
			o->minhash = true;
			break;
		}
		case OPT_MH_FPR:
			if (!cli_parse_double(optarg, &o->mh_fpr) || !(o->mh_fpr > 0 && o->mh_fpr < 0.5))
				USAGE_ERROR("--minhash-fpr wants a rate in (0, 0.5), not '%s'", optarg);
			o->minhash = true;
			break;
		case 'q': o->quiet = true; break;
		case 'h':
			if (talk)
				usage(stdout);
			return 0;
		default:
			if (talk)
				usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!o->output)
		USAGE_ERROR("no output: give -o INDEX (see 'contam-mpi index --help')");
	if (cli_is_stdout_name(o->output))
		USAGE_ERROR("an index cannot be written to stdout ('-o -'): give a file name");
	if (optind >= argc)
		USAGE_ERROR("no inputs: give corpus files or directories (see 'contam-mpi index --help')");
	if (o->expected && o->memory)
		USAGE_ERROR("give --expected-ngrams or --memory, not both");
	if (o->minhash) {
		contam_error merr;
		if (contam_minhash_params_check(&o->mhp, &merr))
			USAGE_ERROR("%s", merr.msg);
		/* swapped b and r give a silent near-zero recall elsewhere:
		 * say what they mean whenever they are given (as contam index) */
		if (o->mh_br_given && talk)
			cli_minhash_threshold_note(&o->mhp, "contam-mpi");
	}
#undef USAGE_ERROR
	return -1;
}

/* ---- the plan rank 0 broadcasts ------------------------------------ */

/* A flat byte buffer with native-endian fields: every rank runs the same
 * binary, so no byte swapping is needed. */
typedef struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
} wbuf;

static void wbuf_put(wbuf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void wbuf_u32(wbuf *b, uint32_t v) { wbuf_put(b, &v, sizeof(v)); }
static void wbuf_u64(wbuf *b, uint64_t v) { wbuf_put(b, &v, sizeof(v)); }

typedef struct rbuf {
	const unsigned char *p;
	size_t len, pos;
	bool bad;
} rbuf;

static void rbuf_get(rbuf *b, void *dst, size_t n)
{
	if (b->bad || n > b->len - b->pos) {
		b->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, b->p + b->pos, n);
	b->pos += n;
}

static uint32_t rbuf_u32(rbuf *b) { uint32_t v; rbuf_get(b, &v, sizeof(v)); return v; }
static uint64_t rbuf_u64(rbuf *b) { uint64_t v; rbuf_get(b, &v, sizeof(v)); return v; }

/* A path of `len` bytes as a new string, or NULL. */
static char *rbuf_str(rbuf *b, uint32_t len)
{
	if (b->bad || len > b->len - b->pos) {
		b->bad = true;
		return NULL;
	}
	char *s = malloc((size_t)len + 1);
	if (s) {
		memcpy(s, b->p + b->pos, len);
		s[len] = '\0';
	}
	b->pos += len;
	return s;
}

/* Largest first into the lightest rank.  Ties are broken by input order
 * and by rank number, so every run with the same inputs and R agrees. */
static int assign_shares(const contam_inputs *in, int R, uint32_t *owner,
			 uint64_t *load)
{
	size_t *order = malloc((in->count ? in->count : 1) * sizeof(*order));
	if (!order)
		return CONTAM_E_NOMEM;
	for (size_t i = 0; i < in->count; i++)
		order[i] = i;
	/* insertion sort would be quadratic on a crawl's 100k files */
	const uint64_t *sizes = in->sizes;
	for (size_t gap = in->count / 2; gap > 0; gap /= 2) /* shell sort */
		for (size_t i = gap; i < in->count; i++) {
			size_t v = order[i], j = i;
			while (j >= gap && (sizes[order[j - gap]] < sizes[v] ||
					    (sizes[order[j - gap]] == sizes[v] &&
					     order[j - gap] > v))) {
				order[j] = order[j - gap];
				j -= gap;
			}
			order[j] = v;
		}
	memset(load, 0, (size_t)R * sizeof(*load));
	for (size_t n = 0; n < in->count; n++) {
		size_t i = order[n];
		int best = 0;
		for (int r = 1; r < R; r++)
			if (load[r] < load[best])
				best = r;
		owner[i] = (uint32_t)best;
		load[best] += in->sizes[i];
	}
	free(order);
	return CONTAM_OK;
}

static uint64_t physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
	return (pages > 0 && size > 0) ? (uint64_t)pages * (uint64_t)size : 0;
}

/* Rank 0: expand the inputs, plan the filter, assign the shares and
 * serialize the plan: params, then per input u64 size, u32 owner, u32 walked, u32 path
 * length, path bytes. */
static int make_plan(const options *o, int argc, char **argv, int local_ranks,
		     wbuf *plan, contam_params *params, contam_inputs *skipped,
		     uint64_t *doc_freq_counters, uint64_t *mh_keys)
{
	contam_inputs in;
	contam_error err;
	char b1[32], b2[32], b3[32], b4[32];
	uint32_t *owner = NULL;
	uint64_t *load = NULL;
	double predicted = 0;
	/* the output's directory is checked before any input is read */
	if (cli_check_output_dir(o->output))
		return EXIT_INPUT;
	int rc = contam_inputs_expand(&in, (const char *const *)argv + optind,
				      (size_t)(argc - optind), &err);
	if (rc)
		return mpi_error(EXIT_INPUT, "%s", err.msg);
	if ((rc = cli_report_walk(&in, o->allow_empty)))
		goto out;
	if (!o->quiet) /* rank 0 only holds the list, and only now */
		cli_print_skips(&in);
	if (in.count == 0) {
		rc = mpi_error(EXIT_INPUT, "no input files found");
		goto out;
	}
	/* before anything is read: the index must not replace an input */
	if (cli_output_clash("output", o->output, (const char *const *)in.paths, in.count)) {
		rc = EXIT_USAGE;
		goto out;
	}

	/* an input named twice is refused by contam_inputs_expand */
	uint64_t planned_for = o->expected;
	/* The same rules and estimate as contam index
	 * (made on rank 0, broadcast with the plan) */
	const char *unsized_what = NULL;
	long unsized = o->expected ? -1 : contam_inputs_unsized(&in, &unsized_what);
	if (unsized >= 0 && !o->memory) {
		rc = mpi_error(EXIT_USAGE, "cannot size the filter: '%s' is %s; give "
			       "--expected-ngrams N or --memory SIZE", in.paths[unsized],
			       unsized_what);
		goto out;
	}
	/* Winnowed, planned for the keys kept and the lookup rate
	 * whose rate after the probe's fill is --fpr (as contam index) */
	uint32_t w = o->winnow > 1 ? (uint32_t)o->winnow : 0;
	double plan_fpr = contam_lookup_fpr_for(o->fpr, w);
	if (!o->expected) {
		contam_estimate einfo;
		planned_for = contam_estimate_keys_content(&in, &o->bopt, (uint32_t)o->ngram, w,
							   &einfo);
		if (!o->memory && !o->quiet)
			fprintf(stderr, "contam-mpi: no --expected-ngrams or --memory: sizing for ~%"
				PRIu64 " n-grams%s, estimated from %s of input (%zu file(s) sampled)\n",
				planned_for, w ? " kept by winnowing" : "",
				cli_bytes(in.total_size, b1, sizeof(b1)), einfo.files_sampled);
		if (o->memory && unsized >= 0)
			planned_for = cli_capacity_at_fpr(o->memory, plan_fpr, (uint32_t)o->ngram,
							  planned_for);
	}
	if (contam_plan_filter(planned_for, plan_fpr, o->memory, (uint32_t)o->ngram, params,
			       &predicted, NULL)) {
		rc = mpi_error(EXIT_USAGE, "cannot plan a filter for these parameters");
		goto out;
	}
	predicted = contam_seen_fpr(predicted, w);
	params->winnow = o->winnow > 1 ? (uint32_t)o->winnow : 0;
	if (o->doc_freq) { /* as contam index: broadcast with the plan */
		double want = o->doc_freq_memory ? (double)(o->doc_freq_memory / 2)
				: CLI_DOC_FREQ_PER_NGRAM * (double)planned_for;
		*doc_freq_counters = want < 1 ? 1 : (uint64_t)want;
	}
	if (o->minhash) {
		/* as contam index: the same input estimate as the filter's, in
		 * words, about the n-grams (winnowing keeps ~2/(W+1) of them) */
		uint64_t words = planned_for;
		if (w)
			words = o->expected ? o->expected * (w + 1) / 2
				: contam_estimate_keys_content(&in, &o->bopt, (uint32_t)o->ngram, 0,
							       NULL);
		*mh_keys = contam_minhash_expected_keys(&o->mhp, words);
	}
	/* every rank holds a whole filter, so the ranks sharing this node
	 * need it once each */
	uint64_t fbytes = params->nblocks * 64 / o->part_n, phys = physical_memory();
	if (phys && fbytes * (uint64_t)local_ranks > phys - phys / 8) {
		rc = mpi_error(EXIT_INPUT, "%d rank(s) on this node need %s of filter each but the "
			       "node has %s; use fewer ranks per node, --memory or a higher --fpr",
			       local_ranks, cli_bytes(fbytes, b1, sizeof(b1)),
			       cli_bytes(phys, b2, sizeof(b2)));
		goto out;
	}

	owner = malloc(in.count * sizeof(*owner));
	load = malloc((size_t)nranks * sizeof(*load));
	if (!owner || !load || assign_shares(&in, nranks, owner, load)) {
		rc = mpi_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	wbuf_put(plan, params, sizeof(*params));
	wbuf_u64(plan, in.count);
	for (size_t i = 0; i < in.count; i++) {
		size_t len = strlen(in.paths[i]);
		wbuf_u64(plan, in.sizes[i]);
		wbuf_u32(plan, owner[i]);
		/* found by a walk: the rank reads it so (unreadable: counted) */
		wbuf_u32(plan, (uint32_t)contam_inputs_walked(&in, i));
		wbuf_u32(plan, (uint32_t)len);
		wbuf_put(plan, in.paths[i], len);
	}
	if (plan->oom || plan->len > INT_MAX) {
		rc = mpi_error(EXIT_INPUT, plan->oom ? "out of memory" :
			       "too many inputs for one broadcast (over 2 GiB of paths)");
		goto out;
	}
	if (!o->quiet) {
		uint64_t lo = UINT64_MAX, hi = 0;
		for (int r = 0; r < nranks; r++) {
			lo = load[r] < lo ? load[r] : lo;
			hi = load[r] > hi ? load[r] : hi;
		}
		fprintf(stderr, "contam-mpi: %zu input file(s), %s over %d rank(s) (%s to %s each); "
			"filter %s per rank, k=%u, %u-grams; predicted false-positive rate %.2g "
			"at %" PRIu64 " n-grams\n", in.count,
			cli_bytes(in.total_size, b1, sizeof(b1)), nranks,
			cli_bytes(lo, b2, sizeof(b2)), cli_bytes(hi, b3, sizeof(b3)),
			cli_bytes(fbytes, b4, sizeof(b4)), params->k,
			params->ngram, predicted, planned_for);
	}
	rc = 0;
out:
	free(owner);
	free(load);
	/* what the walks skipped goes into rank 0's index, as in contam
	 * index (the list moves to `skipped`) */
	skipped->skips = in.skips;
	skipped->nskips = in.nskips;
	in.skips = NULL;
	in.nskips = 0;
	contam_inputs_free(&in);
	return rc;
}

/* Any rank: the inputs the plan gives to `rank`. */
static int read_share(const unsigned char *p, size_t len, int rank,
		      contam_params *params, contam_inputs *share)
{
	rbuf b = { .p = p, .len = len };
	memset(share, 0, sizeof(*share));
	rbuf_get(&b, params, sizeof(*params));
	uint64_t count = rbuf_u64(&b);
	if (b.bad || count > len)
		return CONTAM_E_CORRUPT;
	share->paths = calloc(count ? count : 1, sizeof(*share->paths));
	share->sizes = calloc(count ? count : 1, sizeof(*share->sizes));
	unsigned char *walked_at = calloc(count ? count : 1, 1);
	if (!share->paths || !share->sizes || !walked_at) {
		free(walked_at);
		return CONTAM_E_NOMEM;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t size = rbuf_u64(&b);
		uint32_t owner = rbuf_u32(&b), walked = rbuf_u32(&b), plen = rbuf_u32(&b);
		if ((int)owner != rank) {
			if (plen <= len - b.pos)
				b.pos += plen;
			else
				b.bad = true;
			continue;
		}
		char *path = rbuf_str(&b, plen);
		if (!path) {
			free(walked_at);
			return b.bad ? CONTAM_E_CORRUPT : CONTAM_E_NOMEM;
		}
		walked_at[share->count] = walked != 0;
		share->paths[share->count] = path;
		share->sizes[share->count] = size;
		share->count++;
		share->total_size += size;
	}
	/* once the share is whole (the walked marks size to it) */
	int rc = b.bad ? CONTAM_E_CORRUPT : CONTAM_OK;
	for (size_t i = 0; i < share->count && !rc; i++)
		if (walked_at[i] && contam_inputs_set_walked(share, i, 1))
			rc = CONTAM_E_NOMEM;
	free(walked_at);
	return rc;
}

static void free_share(contam_inputs *share)
{
	contam_inputs_free(share);
}

/* ---- building, reducing, gathering --------------------------------- */

static int default_threads(int local_ranks)
{
	int online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int avail = online;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		avail = CPU_COUNT(&set);
	if (avail < 1)
		avail = 1;
	/* bound by mpirun to a core or a socket: use what we were given;
	 * not bound: share the node with the other ranks on it */
	if (avail >= online && local_ranks > 1)
		avail /= local_ranks;
	return avail > 0 ? avail : 1;
}

typedef struct warn_state {
	uint64_t count;
	bool quiet;
} warn_state;

static void on_warning(void *ctx, const char *msg)
{
	warn_state *w = ctx;
	w->count++;
	if (w->quiet || w->count > WARNINGS_SHOWN)
		return;
	fprintf(stderr, "contam-mpi: warning: rank %d: %s\n", my_rank, msg);
	if (w->count == WARNINGS_SHOWN)
		fprintf(stderr, "contam-mpi: warning: rank %d: further warnings are counted, "
			"not shown (see 'contam info')\n", my_rank);
}

/* Reduce `count` elements of `elem` bytes onto rank 0 with `op`,
 * REDUCE_CHUNK bytes at a time; rank 0 reduces in place, so nobody holds
 * a second copy. */
static void reduce_chunked(void *data, size_t count, size_t elem, MPI_Datatype type,
			   MPI_Op op)
{
	const size_t step = REDUCE_CHUNK / elem;
	for (size_t off = 0; off < count; off += step) {
		int n = (int)(count - off < step ? count - off : step);
		char *at = (char *)data + off * elem;
		if (my_rank == 0)
			MPI_Reduce(MPI_IN_PLACE, at, n, type, op, 0, MPI_COMM_WORLD);
		else
			MPI_Reduce(at, NULL, n, type, op, 0, MPI_COMM_WORLD);
	}
}

/* OR every rank's filter into rank 0's. */
static void reduce_filter(uint64_t *words, size_t count)
{
	reduce_chunked(words, count, sizeof(uint64_t), MPI_UINT64_T, MPI_BOR);
}

/* MPI user operation: saturating addition of 16-bit counters. */
static void sat_add_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
	const uint16_t *a = in;
	uint16_t *b = inout;
	(void)type;
	for (int i = 0; i < *len; i++) {
		uint32_t v = (uint32_t)a[i] + b[i];
		b[i] = (uint16_t)(v > 65535 ? 65535 : v);
	}
}

/* Combine every rank's copy of one of the index's sections besides the
 * filter (contam_index_section_get: the doc-freq sketch, the minhash
 * filter, any later kind) into rank 0's, in REDUCE_CHUNK pieces and in
 * place, as the section's rule says (OR as reduce_filter, or saturating
 * addition of u16 counters), and sum its counters.  Every rank holds the
 * same sections (the same options), so every rank makes the same
 * collective calls.  Taking the minhash words drops the band rate rank
 * 0's build measured on its share alone: it is measured again from the
 * reduced filter (the saved file's and the summary's). */
static void reduce_section(const contam_index_section *sec)
{
	if (sec->combine == CONTAM_COMBINE_OR) {
		reduce_filter(sec->data, sec->bytes / sizeof(uint64_t));
	} else {
		MPI_Op op;
		MPI_Op_create(sat_add_op, 1, &op);
		reduce_chunked(sec->data, sec->bytes / sizeof(uint16_t), sizeof(uint16_t),
			       MPI_UINT16_T, op);
		MPI_Op_free(&op);
	}
	uint64_t mine[CONTAM_SECTION_COUNTERS] = { 0 }, total[CONTAM_SECTION_COUNTERS] = { 0 };
	const int nc = (int)sec->ncounters;
	for (int i = 0; i < nc; i++)
		mine[i] = *sec->counters[i];
	MPI_Reduce(mine, total, nc, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
	if (my_rank == 0)
		for (int i = 0; i < nc; i++)
			*sec->counters[i] = total[i];
}

/* Gather every other rank's manifest entries into rank 0's index. */
static int gather_manifests(contam_index *ix)
{
	/* packed in the index file's own encoding (the one codec) */
	wbuf mine = { 0 };
	int status = 0, len = 0;
	int *lens = NULL, *displs = NULL;
	unsigned char *all = NULL;
	if (my_rank != 0 &&
	    contam_index_manifest_pack(ix, &mine.p, &mine.len) != CONTAM_OK)
		mine.oom = true;
	if (mine.oom || mine.len > INT_MAX)
		status = mpi_error(EXIT_INPUT, mine.oom ? "out of memory" :
				   "manifest over 2 GiB");
	len = (int)mine.len;
	if (my_rank == 0) {
		lens = calloc((size_t)nranks, sizeof(*lens));
		displs = calloc((size_t)nranks, sizeof(*displs));
		if (!lens || !displs)
			status = mpi_error(EXIT_INPUT, "out of memory");
	}
	if ((status = agree(status)))
		goto out;
	MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (my_rank == 0) {
		int64_t total = 0;
		for (int r = 0; r < nranks; r++) {
			displs[r] = (int)total;
			total += lens[r];
			if (total > INT_MAX) {
				status = mpi_error(EXIT_INPUT, "manifests over 2 GiB in all");
				break;
			}
		}
		if (!status && !(all = malloc(total ? (size_t)total : 1)))
			status = mpi_error(EXIT_INPUT, "out of memory");
	}
	if ((status = agree(status)))
		goto out;
	MPI_Gatherv(mine.p, len, MPI_BYTE, all, lens, displs, MPI_BYTE, 0,
		    MPI_COMM_WORLD);
	if (my_rank == 0) {
		for (int r = 1; r < nranks && !status; r++) {
			int rc = contam_index_manifest_unpack(ix, all + displs[r],
							      (size_t)lens[r]);
			if (rc)
				status = mpi_error(EXIT_INPUT, "manifest from rank %d: %s", r,
						   contam_index_errmsg(ix));
		}
	}
	status = agree(status);
out:
	free(mine.p);
	free(lens);
	free(displs);
	free(all);
	return status;
}

/* Peak resident memory of this process in bytes (Linux: ru_maxrss KiB). */
static uint64_t peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_maxrss < 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;
}

static void print_summary(contam_index *ix, const options *o, double t_build_max,
			  double t_build_min, double t_reduce, uint64_t rss_max)
{
	contam_index_stats st;
	char b1[32];
	uint64_t text = 0;
	contam_index_stats_get(ix, &st);
	for (size_t i = 0; i < contam_index_manifest_count(ix); i++)
		text += contam_index_manifest_get(ix, i)->bytes_text;
	double target = o->memory ? st.fpr : o->fpr;
	if (!o->quiet) {
		fprintf(stderr, "contam-mpi: wrote '%s': %" PRIu64 " documents, %" PRIu64
			" n-grams (%s of text); fill %.1f%%, false-positive rate %.2g\n",
			o->output, st.documents, st.ngrams_inserted,
			cli_bytes(text, b1, sizeof(b1)), 100 * st.fill, st.fpr);
		fprintf(stderr, "contam-mpi: build %.2f s on the slowest rank, %.2f s on the "
			"fastest; reduce and write %.2f s\n", t_build_max, t_build_min, t_reduce);
		char b2[32], b3[32];
		fprintf(stderr, "contam-mpi: peak memory %" PRIu64 " bytes (%s) on rank 0, %s on "
			"the largest rank; filter %" PRIu64 " bytes (%s)\n", peak_rss(),
			cli_bytes(peak_rss(), b1, sizeof(b1)), cli_bytes(rss_max, b2, sizeof(b2)),
			st.filter_bytes, cli_bytes(st.filter_bytes, b3, sizeof(b3)));
		if (st.has_doc_freq)
			fprintf(stderr, "contam-mpi: doc-freq: %" PRIu64 " (document, n-gram) pairs "
				"in %" PRIu64 " counters (d=%u); an estimate over-counts by %.2g "
				"on average at most\n", st.doc_freq_pairs, st.doc_freq_counters,
				st.doc_freq_d, st.doc_freq_noise);
		contam_minhash_info mi;
		if (contam_index_minhash_info(ix, &mi) == 0)
			fprintf(stderr, "contam-mpi: minhash: %" PRIu64 " windows, %" PRIu64 " band "
				"keys; fill %.1f%%, false-positive rate %.2g per band, %.2g per "
				"item\n", mi.windows, mi.keys, 100 * mi.fill, mi.band_fpr,
				mi.item_fpr);
		if (st.errors)
			fprintf(stderr, "contam-mpi: warning: %" PRIu64 " record(s) skipped (damaged, "
				"unreadable or without text) and counted in the manifest "
				"(use --strict to stop at the first)\n",
				st.errors);
	}
	/* the same for the minhash filter, against the item-level target */
	contam_minhash_info mfull;
	if (contam_index_minhash_info(ix, &mfull) == 0 && mfull.item_fpr > 2 * o->mh_fpr &&
	    mfull.item_fpr > 1e-6)
		fprintf(stderr, "contam-mpi: WARNING: the minhash filter is OVERFULL: an absent "
			"item matches a band with probability %.2g, %.0fx the target %.2g (fill "
			"%.0f%%); near-dup verdicts from it overstate; rebuild with a larger "
			"--expected-ngrams\n", mfull.item_fpr, mfull.item_fpr / o->mh_fpr, o->mh_fpr,
			100 * mfull.fill);
	/* an overfull filter turns into "everything is contaminated": say so
	 * even with --quiet, as contam index does */
	if (!o->memory && st.fpr > 2 * target && st.fpr > 1e-6)
		fprintf(stderr, "contam-mpi: WARNING: the filter is OVERFULL: false-positive rate "
			"%.2g is %.0fx the target %.2g (fill %.0f%%); rebuild with a larger "
			"--expected-ngrams\n", st.fpr, st.fpr / target, target, 100 * st.fill);
	else if (!o->memory && st.fpr > CLI_FPR_MARGIN * target && st.fpr > 1e-6)
		fprintf(stderr, "contam-mpi: warning: the filter is too full: false-positive rate "
			"%.2g is %.2fx the target %.2g (more than %.3gx); rebuild with a larger "
			"--expected-ngrams\n", st.fpr, st.fpr / target, target, CLI_FPR_MARGIN);
}

/* Rank 0, with every manifest gathered: an argument that gave no document
 * (a file, or a directory with none in any of its files) is an error and
 * nothing is written, as in 'contam index'. */
static int refuse_unread(const contam_index *ix, int argc, char **argv,
			 const char *output)
{
	size_t nm = contam_index_manifest_count(ix);
	for (int a = optind; a < argc; a++) {
		const char *arg = argv[a];
		size_t len = strlen(arg);
		uint64_t docs = 0, errors = 0, files = 0;
		const char *msg = NULL;
		for (size_t i = 0; i < nm; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			bool mine = !strcmp(e->path, arg) ||
				    (!strncmp(e->path, arg, len) &&
				     (e->path[len] == '/' || (len && arg[len - 1] == '/')));
			if (!mine)
				continue;
			files++;
			if (e->bytes_text) /* documents with no text are nothing read */
				docs += e->documents;
			errors += e->errors;
			if (!msg && e->nmessages)
				msg = e->messages[0];
		}
		if (files && !docs)
			return mpi_error(EXIT_INPUT, "'%s': 0 documents read (%" PRIu64 " records "
					 "skipped%s%s); nothing written to '%s' (--allow-empty to "
					 "write it anyway)", arg, errors, msg ? ": " : "",
					 msg ? msg : "", output);
	}
	return 0;
}

/* Rank 0, with the minhash section enabled: the node's memory for both
 * filters on every rank sharing it, and the plan's line (as contam index). */
static int minhash_plan_check(contam_index *ix, const options *o,
			      const contam_params *params, int local_ranks)
{
	contam_minhash_info mi;
	char b1[32], b2[32];
	contam_index_minhash_info(ix, &mi);
	uint64_t fbytes = params->nblocks * 64 / o->part_n, phys = physical_memory();
	if (phys && (fbytes + mi.filter_bytes) * (uint64_t)local_ranks > phys - phys / 8)
		return mpi_error(EXIT_INPUT, "%d rank(s) on this node need %s of filter and "
				 "minhash filter each but the node has %s; use fewer ranks per "
				 "node, a higher --minhash-fpr, fewer --minhash-windows, --memory "
				 "or --partition", local_ranks,
				 cli_bytes(fbytes + mi.filter_bytes, b1, sizeof(b1)),
				 cli_bytes(phys, b2, sizeof(b2)));
	if (!o->quiet)
		fprintf(stderr, "contam-mpi: minhash: b=%u bands of r=%u rows (Jaccard threshold "
			"%.2f), %u windows of up to %u shingles; filter %s per rank, k=%u, for ~%"
			PRIu64 " band keys at %.2g per band\n", o->mhp.bands, o->mhp.rows,
			mi.threshold, o->mhp.nwindows, o->mhp.windows[o->mhp.nwindows - 1],
			cli_bytes(mi.filter_bytes, b1, sizeof(b1)), mi.k, o->mh_keys,
			o->mh_fpr / o->mhp.bands);
	return 0;
}

static int run_index(int argc, char **argv)
{
	options o;
	int status = parse_args(argc, argv, &o);
	if (status >= 0)
		return status;

	MPI_Comm node;
	int local_ranks = 1;
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, my_rank, MPI_INFO_NULL,
			    &node);
	MPI_Comm_size(node, &local_ranks);
	MPI_Comm_free(&node);

	/* 1. plan on rank 0, broadcast */
	wbuf plan = { 0 };
	contam_params params;
	contam_inputs share = { 0 }, skipped = { 0 };
	contam_index *ix = NULL;
	uint64_t plan_len = 0;
	memset(&params, 0, sizeof(params));
	if (my_rank == 0)
		status = make_plan(&o, argc, argv, local_ranks, &plan, &params, &skipped,
				   &o.bopt.doc_freq_counters, &o.mh_keys);
	if ((status = agree(status)))
		goto out;
	plan_len = plan.len;
	MPI_Bcast(&plan_len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	if (my_rank != 0) {
		plan.p = malloc(plan_len ? plan_len : 1);
		plan.len = plan.cap = plan_len;
		if (!plan.p)
			status = mpi_error(EXIT_INPUT, "out of memory");
	}
	if ((status = agree(status)))
		goto out;
	MPI_Bcast(plan.p, (int)plan_len, MPI_BYTE, 0, MPI_COMM_WORLD);
	MPI_Bcast(&o.bopt.doc_freq_counters, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	/* the minhash parameters are argv's on every rank; its size is the plan's */
	MPI_Bcast(&o.mh_keys, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
	contam_error err;
	int rc = read_share(plan.p, plan.len, my_rank, &params, &share);
	if (rc)
		status = mpi_error(EXIT_INPUT, "cannot read the plan: %s", contam_strerror(rc));
	else if ((rc = contam_index_new_partition(&ix, &params, (uint32_t)o.part_i,
						    (uint32_t)o.part_n, &err)))
		status = mpi_error(EXIT_INPUT, "%s", err.msg);
	/* every rank holds a sketch, also one with no share, for the reduction */
	else if (o.bopt.doc_freq_counters &&
		 (rc = contam_index_enable_doc_freq(ix, o.bopt.doc_freq_counters)))
		status = mpi_error(EXIT_INPUT, "%s", contam_index_errmsg(ix));
	/* and a minhash filter of the whole geometry, as contam index plans it */
	else if (o.minhash &&
		 (rc = contam_index_minhash_enable(ix, &o.mhp, o.mh_keys, o.mh_fpr / o.mhp.bands,
						   &err)))
		status = mpi_error(EXIT_INPUT, "%s", err.msg);
	else if (o.minhash && my_rank == 0)
		status = minhash_plan_check(ix, &o, &params, local_ranks);
	free(plan.p);
	plan.p = NULL;
	if ((status = agree(status)))
		goto out;

	/* 2. every rank builds its share */
	warn_state warn = { .quiet = o.quiet };
	o.bopt.threads = o.threads ? (int)(my_rank == 0 ? cli_cap_threads(o.threads)
					 : o.threads > CLI_MAX_THREADS ? CLI_MAX_THREADS : o.threads)
				 : default_threads(local_ranks);
	o.bopt.on_warning = on_warning;
	o.bopt.ctx = &warn;
	o.bopt.stop = &cli_interrupted;
	cli_install_signal_handlers();
	double t0 = MPI_Wtime();
	rc = share.count ? contam_index_build(ix, &share, &o.bopt) : 0;
	if (rc || cli_interrupted)
		status = mpi_error(EXIT_INPUT, "%s; nothing written to '%s'",
				   rc ? contam_index_errmsg(ix) : "interrupted", o.output);
	double t_build = MPI_Wtime() - t0, t_max = t_build, t_min = t_build;
	if ((status = agree(status))) {
		if (my_rank == 0 && !rc && !cli_interrupted)
			mpi_error(status, "another rank failed; nothing written to '%s'", o.output);
		goto out;
	}
	MPI_Reduce(&t_build, &t_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	MPI_Reduce(&t_build, &t_min, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);

	/* 3. OR the filters onto rank 0; 4. gather the manifests */
	t0 = MPI_Wtime();
	uint64_t *words = NULL;
	size_t nwords = 0;
	contam_index_filter_words(ix, &words, &nwords);
	reduce_filter(words, nwords);
	/* every section besides the filter, by its own rule */
	contam_index_section sec;
	for (size_t i = 0; contam_index_section_get(ix, i, &sec) == CONTAM_OK; i++)
		reduce_section(&sec);
	if ((status = gather_manifests(ix)))
		goto out;

	/* the reduction is done: this is each rank's peak while holding the
	 * filter (rank 0 adds the save's buffers, counted below) */
	uint64_t rss = peak_rss(), rss_max = rss;
	MPI_Reduce(&rss, &rss_max, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
	if (my_rank == 0 && !o.allow_empty)
		status = refuse_unread(ix, argc, argv, o.output);
	if (my_rank == 0 && !status && contam_index_add_skips(ix, &skipped))
		status = mpi_error(EXIT_INPUT, "out of memory");
	if (my_rank == 0 && !status) {
		if (contam_index_save(ix, o.output))
			status = mpi_error(EXIT_INPUT, "%s", contam_index_errmsg(ix));
		else
			print_summary(ix, &o, t_max, t_min, MPI_Wtime() - t0, rss_max);
	}
	status = agree(status);
out:
	free(plan.p);
	free_share(&share);
	contam_inputs_free(&skipped);
	contam_index_free(ix);
	return status;
}

int main(int argc, char **argv)
{
	int provided = 0;
	/* past ulimit -f a write fails (EFBIG) and is reported, as in contam */
	signal(SIGXFSZ, SIG_IGN);
	/* OpenMP threads work inside contam_index_build; only the main
	 * thread calls MPI */
	if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
		fputs("contam-mpi: error: cannot initialize MPI\n", stderr);
		return EXIT_INPUT;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nranks);

	int status;
	const char *cmd = argc > 1 ? argv[1] : NULL;
	if (!cmd) {
		if (my_rank == 0)
			usage(stderr);
		status = EXIT_USAGE;
	} else if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (my_rank == 0)
			usage(stdout);
		status = 0;
	} else if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		if (my_rank == 0)
			printf("contam-mpi %s (recipe %s)\n", contam_version(), contam_recipe());
		status = 0;
	} else if (!strcmp(cmd, "index")) {
		status = run_index(argc - 1, argv + 1);
	} else {
		if (my_rank == 0)
			fprintf(stderr, "contam-mpi: '%s' is not a contam-mpi command; the only one "
				"is 'index' (see 'contam-mpi --help')\n", cmd);
		status = EXIT_USAGE;
	}
	MPI_Finalize();
	return status;
}
