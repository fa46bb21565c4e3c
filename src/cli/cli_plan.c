/*
 * cli_plan.c -- `contam plan`: size a crawl-scale indexing run before
 * renting the cluster.  Pure arithmetic from contam's own sizing code and
 * its measured throughput; nothing is read or written.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Measured on this project's bench (bench/results): English web text has
 * about 6 bytes per word 8-gram, and `contam index` digests about
 * 100 MB of JSONL.zst text per core per second. */
#define BYTES_PER_NGRAM 6.0
#define MBPS_PER_CORE 100.0

static void usage(FILE *f)
{
	fprintf(f,
"usage: contam plan --text-bytes SIZE [options]\n"
"\n"
"Estimate what indexing SIZE bytes of (uncompressed) text takes: n-grams,\n"
"filter size and bits per n-gram, partitions when the filter exceeds a node's\n"
"memory, disk, and wall time.\n"
"\n"
"options:\n"
"      --text-bytes SIZE     uncompressed text, e.g. 9T (required)\n"
"      --fpr P               target false-positive rate (default 1e-3)\n"
"  -n, --ngram N             words per n-gram (default 8)\n"
"      --node-memory SIZE    memory per node (default: this machine's)\n"
"      --cores N             cores per node (default: this machine's)\n"
"      --nodes N             nodes available (default: as many as partitions)\n"
"      --distinct F          fraction of n-grams that are distinct (default 1.0:\n"
"                            plan for the worst case)\n"
"      --bytes-per-ngram B   text bytes per n-gram (default %.1f, measured)\n"
"      --mbps-per-core R     indexing throughput per core in MB/s (default %.0f,\n"
"                            measured by bench/ on JSONL.zst)\n"
"  -h, --help                this help\n", BYTES_PER_NGRAM, MBPS_PER_CORE);
}

static long physical_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int cli_plan(int argc, char **argv)
{
	enum { OPT_TEXT = 256, OPT_FPR, OPT_MEM, OPT_CORES, OPT_NODES, OPT_DISTINCT,
	       OPT_BPN, OPT_MBPS };
	static const struct option longopts[] = {
		{ "text-bytes", required_argument, NULL, OPT_TEXT },
		{ "fpr", required_argument, NULL, OPT_FPR },
		{ "ngram", required_argument, NULL, 'n' },
		{ "node-memory", required_argument, NULL, OPT_MEM },
		{ "cores", required_argument, NULL, OPT_CORES },
		{ "nodes", required_argument, NULL, OPT_NODES },
		{ "distinct", required_argument, NULL, OPT_DISTINCT },
		{ "bytes-per-ngram", required_argument, NULL, OPT_BPN },
		{ "mbps-per-core", required_argument, NULL, OPT_MBPS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t text = 0, mem = 0;
	unsigned long ngram = 8, cores = (unsigned long)physical_cores(), nodes = 0;
	double fpr = 1e-3, distinct = 1.0, bpn = BYTES_PER_NGRAM, mbps = MBPS_PER_CORE;
	int c;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGE_SIZE);
	if (pages > 0 && psize > 0)
		mem = (uint64_t)pages * (uint64_t)psize;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TEXT:
			if (!cli_parse_size(optarg, &text) || !text)
				return cli_error(EXIT_USAGE, "--text-bytes wants a size such as 9T, not '%s'", optarg);
			break;
		case OPT_FPR:
			if (!cli_parse_double(optarg, &fpr) || !(fpr > 0 && fpr < 0.5))
				return cli_error(EXIT_USAGE, "--fpr wants a rate in (0, 0.5), not '%s'", optarg);
			break;
		case 'n':
			if (!cli_parse_uint(optarg, 1, CONTAM_MAX_NGRAM, &ngram))
				return cli_error(EXIT_USAGE, "--ngram wants 1..%d", CONTAM_MAX_NGRAM);
			break;
		case OPT_MEM:
			if (!cli_parse_size(optarg, &mem))
				return cli_error(EXIT_USAGE, "--node-memory wants a size such as 256G, not '%s'", optarg);
			if (mem < (1u << 30))
				return cli_error(EXIT_USAGE, "--node-memory %s is too small to plan for: "
						 "give a node's memory, at least 1G", optarg);
			break;
		case OPT_CORES:
			if (!cli_parse_uint(optarg, 1, 1u << 20, &cores))
				return cli_error(EXIT_USAGE, "--cores wants a positive number");
			break;
		case OPT_NODES:
			if (!cli_parse_uint(optarg, 1, 1u << 24, &nodes))
				return cli_error(EXIT_USAGE, "--nodes wants a positive number");
			break;
		case OPT_DISTINCT:
			if (!cli_parse_double(optarg, &distinct) || !(distinct > 0 && distinct <= 1))
				return cli_error(EXIT_USAGE, "--distinct wants a fraction in (0, 1]");
			break;
		case OPT_BPN:
			if (!cli_parse_double(optarg, &bpn) || !(bpn > 0))
				return cli_error(EXIT_USAGE, "--bytes-per-ngram wants a positive number");
			break;
		case OPT_MBPS:
			if (!cli_parse_double(optarg, &mbps) || !(mbps > 0))
				return cli_error(EXIT_USAGE, "--mbps-per-core wants a positive number");
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option("plan");
		}
	}
	if (!text)
		return cli_error(EXIT_USAGE, "give --text-bytes (see 'contam plan --help')");

	char b1[32], b2[32], b3[32];
	uint64_t ngrams = (uint64_t)((double)text / bpn * distinct);
	contam_params p;
	double predicted;
	if (contam_plan_filter(ngrams, fpr, 0, (uint32_t)ngram, &p, &predicted, NULL))
		return cli_error(EXIT_USAGE, "cannot plan a filter for these parameters");
	uint64_t filter = p.nblocks * 64;
	/* leave room for buffers, the OS and page cache */
	uint64_t usable = mem > (8ULL << 30) ? mem - mem / 8 - (2ULL << 30) : mem / 2;
	uint64_t parts = (filter + usable - 1) / usable;
	if (parts < 1)
		parts = 1;
	if (!nodes)
		nodes = (unsigned long)parts;
	/* every partition reads all text: reading is multiplied by P */
	double core_seconds = (double)text * (double)parts / (mbps * 1e6);
	double wall = core_seconds / ((double)nodes * (double)cores);

	printf("text              %s, ~%" PRIu64 " %lu-grams (%.1f bytes each, %.0f%% distinct)\n",
	       cli_bytes(text, b1, sizeof(b1)), ngrams, ngram, bpn, 100 * distinct);
	printf("filter            %s: %.1f bits per n-gram, k=%u, predicted false-positive rate %.2g\n",
	       cli_bytes(filter, b1, sizeof(b1)), (double)filter * 8 / (double)ngrams, p.k, predicted);
	if (parts == 1)
		printf("layout            fits one node (%s usable of %s): index shards on any number of\n"
		       "                  nodes with the same --expected-ngrams %" PRIu64 ", then 'contam merge'\n",
		       cli_bytes(usable, b2, sizeof(b2)), cli_bytes(mem, b3, sizeof(b3)), ngrams);
	else
		printf("layout            %" PRIu64 " partitions of %s (node memory %s, %s usable):\n"
		       "                  'contam index --partition i/%" PRIu64 " --expected-ngrams %" PRIu64 "'\n"
		       "                  per partition; every partition reads all the text\n",
		       parts, cli_bytes(filter / parts, b1, sizeof(b1)), cli_bytes(mem, b2, sizeof(b2)),
		       cli_bytes(usable, b3, sizeof(b3)), parts, ngrams);
	printf("disk              %s for the index (filled filters barely compress), plus the corpus\n",
	       cli_bytes(filter, b1, sizeof(b1)));
	printf("time              %.0f core-hours at %.0f MB/s per core; %.1f h wall on %lu node(s) x %lu cores\n",
	       core_seconds / 3600, mbps, wall / 3600, nodes, cores);
	if (nodes < parts)
		printf("warning           fewer nodes (%lu) than partitions (%" PRIu64 "): partitions run one after another\n",
		       nodes, parts);
	return 0;
}
