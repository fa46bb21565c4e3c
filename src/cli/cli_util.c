/*
 * cli_util.c -- argument parsing helpers, messages, signals.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

volatile int cli_interrupted;

void cli_put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/* Messages carry file names, which may hold terminal escape sequences:
 * control bytes are written as \xNN, never raw. */
static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	vsnprintf(buf, sizeof buf, fmt, ap);
	fputs(prefix, stderr);
	cli_put_escaped(stderr, buf);
	fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("contam: error: ", fmt, ap);
	va_end(ap);
	return code;
}

int cli_bad_option(const char *command)
{
	/* getopt has said which option; the whole --help would bury it */
	return cli_error(EXIT_USAGE, "'contam %s --help' lists the options", command);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("contam: warning: ", fmt, ap);
	va_end(ap);
}

unsigned long cli_cap_threads(unsigned long threads)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long cap = cores > 0 ? 4 * (unsigned long)cores : 64;
	if (cap > CLI_MAX_THREADS)
		cap = CLI_MAX_THREADS;
	if (cap < 4)
		cap = 4;
	if (threads > cap) {
		cli_warn("--threads %lu is more than 4 per core (%ld cores): using %lu",
			 threads, cores, cap);
		threads = cap;
	}
#ifdef _OPENMP
	/* the library's other parallel regions (the sizing sample, the
	 * filter statistics, the file writer) take OpenMP's default team:
	 * with -t 1 they spun a second thread that the run never asked for */
	if (threads > 0)
		omp_set_num_threads((int)threads);
#endif
	return threads;
}

bool cli_is_stdout_name(const char *path)
{
	return path && !strcmp(path, "-");
}

int cli_check_output_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat pst;
	/* a directory is no file to write: said now, not after the run at
	 * the rename */
	if ((slash && !slash[1]) || (stat(path, &pst) == 0 && S_ISDIR(pst.st_mode)))
		return cli_error(EXIT_INPUT, "cannot write '%s': it is a directory; name the "
				 "file to write in it (e.g. '%s%sout')", path, path,
				 slash && !slash[1] ? "" : "/");
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	struct stat st;
	if (stat(dir, &st) != 0)
		return cli_error(EXIT_INPUT, "cannot write '%s': directory '%s': %s",
				 path, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_error(EXIT_INPUT, "cannot write '%s': '%s' is not a directory",
				 path, dir);
	if (access(dir, W_OK | X_OK) != 0)
		return cli_error(EXIT_INPUT, "cannot write '%s': directory '%s': %s",
				 path, dir, strerror(errno));
	return 0;
}

static bool parse_scaled(const char *s, double base, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v >= 0))
		return false;
	double mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = base; end++; break;
	case 'm': case 'M': mul = base * base; end++; break;
	case 'g': case 'G': mul = base * base * base; end++; break;
	case 't': case 'T': mul = base * base * base * base; end++; break;
	default: break;
	}
	if (*end == 'i' && base == 1024)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return false;
	v *= mul;
	if (v > 1.8e19)
		return false;
	*out = (uint64_t)llround(v);
	return true;
}

bool cli_parse_size(const char *s, uint64_t *out) { return parse_scaled(s, 1024, out); }
bool cli_parse_count(const char *s, uint64_t *out) { return parse_scaled(s, 1000, out); }

bool cli_parse_uint(const char *s, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-')
		return false;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool cli_parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool cli_parse_partition(const char *s, unsigned long *i, unsigned long *P)
{
	const char *slash = strchr(s, '/');
	char a[32], b[32];
	if (!slash || (size_t)(slash - s) >= sizeof(a) || strlen(slash + 1) >= sizeof(b))
		return false;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	strcpy(b, slash + 1);
	return cli_parse_uint(b, 1, 1u << 20, P) && cli_parse_uint(a, 0, *P - 1, i);
}

const char *cli_bytes(uint64_t n, char *buf, size_t len)
{
	const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

bool cli_stderr_is_tty(void) { return isatty(STDERR_FILENO); }

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void cli_install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_split_index(const char *arg, char ***paths, size_t *n)
{
	*paths = NULL;
	*n = 0;
	size_t cap = 1;
	for (const char *p = arg; *p; p++)
		cap += *p == ',';
	char **v = calloc(cap, sizeof(*v));
	if (!v)
		return cli_error(EXIT_INPUT, "out of memory");
	const char *s = arg;
	for (size_t k = 0; k < cap; k++) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 0) {
			/* "p0.cidx," or ",": a partition left out by a typo
			 * must not make the rest look like a whole index */
			cli_free_paths(v, k);
			return cli_error(EXIT_USAGE, "an empty index path in '%s': give INDEX, "
					 "or all partitions as P1,P2,... (no empty entries)", arg);
		}
		if (!(v[k] = strndup(s, len))) {
			cli_free_paths(v, k);
			return cli_error(EXIT_INPUT, "out of memory");
		}
		s = e ? e + 1 : s + len;
	}
	*paths = v;
	*n = cap;
	return 0;
}

void cli_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

int cli_load_index(contam_index **out, const char *arg)
{
	char **paths = NULL;
	size_t n = 0;
	*out = NULL;
	int rc = cli_split_index(arg, &paths, &n);
	if (rc)
		return rc;
	/* one file or several: a partition is never taken for the whole */
	contam_error err;
	if (contam_index_load_parts(out, (const char *const *)paths, n, &err))
		rc = cli_error(EXIT_INPUT, "%s", err.msg);
	cli_free_paths(paths, n);
	return rc;
}

/* Whether the directory `dir` (dev, ino) holds `path`, at any depth. */
static bool dir_holds(const struct stat *dir, const char *path)
{
	char *real = realpath(path, NULL);
	bool found = false;
	for (char *slash; real && !found && (slash = strrchr(real, '/'));) {
		*slash = '\0';
		struct stat sb;
		if (!stat(*real ? real : "/", &sb) && sb.st_dev == dir->st_dev &&
		    sb.st_ino == dir->st_ino)
			found = true;
		if (!*real)
			break;
	}
	free(real);
	return found;
}

int cli_output_clash(const char *what, const char *output,
		     const char *const *inputs, size_t n)
{
	struct stat out, in;
	if (!output || stat(output, &out) != 0)
		return 0; /* not there yet: it cannot be an input */
	if (S_ISCHR(out.st_mode))
		return 0; /* /dev/null: writing a device replaces no file */
	for (size_t i = 0; i < n; i++) {
		if (!inputs[i] || stat(inputs[i], &in) != 0)
			continue; /* its own error comes when it is read */
		if (in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return cli_error(EXIT_USAGE, "the %s '%s' is the input '%s' (the same "
					 "file): writing it would destroy the input; nothing done",
					 what, output, inputs[i]);
		if (S_ISDIR(in.st_mode) && !S_ISDIR(out.st_mode) && dir_holds(&in, output))
			return cli_error(EXIT_USAGE, "the %s '%s' is inside the input directory "
					 "'%s': writing it would replace a file that is read; nothing done",
					 what, output, inputs[i]);
	}
	return 0;
}

/* The resolved directory of `path` (malloc'd), or NULL; *base: its last
 * component. */
static char *resolved_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) :
			    strdup(".");
	if (!dir)
		return NULL;
	char *real = realpath(dir, NULL);
	free(dir);
	return real;
}

bool cli_is_device(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

bool cli_same_path(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!strcmp(a, b))
		return !cli_is_device(a);
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
		       !S_ISCHR(sa.st_mode); /* -o /dev/null --report /dev/null */
	/* not there yet: the same directory and the same last name */
	const char *ba, *bb;
	char *da = resolved_parent(a, &ba), *db = resolved_parent(b, &bb);
	bool same = da && db && *ba && !strcmp(ba, bb) && !strcmp(da, db);
	free(da);
	free(db);
	return same;
}

/* "skipped 3 files of unknown kind under 'dir': a.parquet, b.png, ..." */
void cli_print_skips(const contam_inputs *in)
{
	for (size_t i = 0; i < in->nskips; i++) {
		const contam_input_skip *k = &in->skips[i];
		char list[2048];
		size_t used = 0;
		list[0] = '\0';
		for (size_t j = 0; j < k->nnames && used < sizeof list; j++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
						 j ? ", " : "", k->names[j]);
		cli_warn("skipped %" PRIu64 " %s %s under '%s': %s%s", k->count,
			 k->reason == CONTAM_SKIP_DUPLICATE || k->reason == CONTAM_SKIP_HIDDEN ?
			 "entries" : "files",
			 contam_skip_reason_name(k->reason), k->dir, list,
			 k->count > k->nnames ? ", ..." : "");
	}
}

/* An argument none of whose files is left to read (a directory holding
 * nothing readable) is an error: nothing read must not look like
 * nothing found. */
static int refuse_argless(const contam_inputs *in)
{
	unsigned char *has = calloc(in->nargs ? in->nargs : 1, 1);
	if (!has)
		return cli_error(EXIT_INPUT, "out of memory");
	for (size_t i = 0; i < in->count; i++)
		has[in->origin[i]] = 1;
	int rc = 0;
	for (size_t a = 0; a < in->nargs && !rc; a++) {
		if (has[a])
			continue;
		uint64_t skipped = 0;
		for (size_t k = 0; k < in->nskips; k++)
			if (!strcmp(in->skips[k].dir, in->args[a]))
				skipped += in->skips[k].count;
		rc = cli_error(EXIT_INPUT, "'%s': no input files found (%" PRIu64
			       " skipped%s; --allow-empty to go on without it)",
			       in->args[a], skipped, skipped ? ", listed above" : "");
	}
	free(has);
	return rc;
}

static bool has_argless(const contam_inputs *in)
{
	unsigned char *has = calloc(in->nargs ? in->nargs : 1, 1);
	bool any = false;
	if (!has)
		return false;
	for (size_t i = 0; i < in->count; i++)
		has[in->origin[i]] = 1;
	for (size_t a = 0; a < in->nargs; a++)
		any |= !has[a];
	free(has);
	return any;
}

int cli_report_walk(const contam_inputs *in, bool allow_empty)
{
	if (allow_empty || !has_argless(in))
		return 0;
	/* the error's detail, listed under -q too (it says "listed
	 * above") */
	cli_print_skips(in);
	return refuse_argless(in);
}

void cli_add_include(const char **globs, size_t *nglobs, size_t *ninclude,
		     const char *glob)
{
	memmove(globs + *ninclude + 1, globs + *ninclude,
		(*nglobs - *ninclude) * sizeof(*globs));
	globs[(*ninclude)++] = glob;
	(*nglobs)++;
}

/* The n-grams a filter of `memory` bytes holds at the
 * false-positive rate fpr; at least `estimate`.  With --memory and an
 * input of unknown size (a pipe), k is chosen for this count rather than
 * for the ~0 n-grams the sizes show. */
uint64_t cli_capacity_at_fpr(uint64_t memory, double fpr, uint32_t ngram,
			     uint64_t estimate)
{
	contam_params p;
	const uint64_t probe = 1000000;
	if (contam_plan_filter(probe, fpr, 0, ngram, &p, NULL, NULL) || !p.nblocks)
		return estimate;
	double cap = (double)(memory / 64) * (double)probe / (double)p.nblocks;
	return cap > (double)estimate ? (uint64_t)cap : estimate;
}

int cli_parse_rule(int rule, const char *arg, contam_rules *r,
		   uint64_t *max_doc_freq)
{
	unsigned long v;
	double d;
	switch (rule) {
	case CLI_RULE_JOIN:
		r->join_fields = 1;
		return 0;
	case CLI_RULE_LABELS:
	case CLI_RULE_DROP_LABELS:
		if (rule == CLI_RULE_LABELS ? r->drop_labels : r->keep_labels)
			return cli_error(EXIT_USAGE, "--keep-labels and --drop-labels "
					 "exclude each other (without either, labels are "
					 "read both ways)");
		*(rule == CLI_RULE_LABELS ? &r->keep_labels : &r->drop_labels) = 1;
		return 0;
	case CLI_RULE_NO_TEMPLATES:
		r->template_share = 0;
		return 0;
	case CLI_RULE_SHARE:
		if (!cli_parse_double(arg, &d) || d < 0 || d >= 1)
			return cli_error(EXIT_USAGE, "--template-share wants a share "
					 "in [0, 1), such as 0.05, not '%s'", arg);
		r->template_share = d;
		return 0;
	case CLI_RULE_MIN:
		if (!cli_parse_uint(arg, 1, UINT32_MAX, &v))
			return cli_error(EXIT_USAGE, "--template-min wants a positive "
					 "number, not '%s'", arg);
		r->template_min = (uint32_t)v;
		return 0;
	case CLI_RULE_CJK:
		if (!cli_parse_uint(arg, 1, 16, &v))
			return cli_error(EXIT_USAGE, "--cjk-chars-per-word wants 1..16, "
					 "not '%s'", arg);
		r->cjk_chars_per_word = (uint32_t)v;
		return 0;
	case CLI_RULE_DOC_FREQ:
		if (!max_doc_freq)
			break;
		if (!cli_parse_uint(arg, 1, ULONG_MAX, &v))
			return cli_error(EXIT_USAGE, "--max-doc-freq wants a positive "
					 "number, not '%s'", arg);
		*max_doc_freq = v;
		return 0;
	}
	return cli_error(EXIT_USAGE, "unknown scoring option");
}

const char *cli_minhash_windows(const char *sep, char *buf, size_t len)
{
	contam_minhash_params d;
	contam_minhash_params_default(&d);
	buf[0] = '\0';
	for (uint32_t i = 0, at = 0; i < d.nwindows && at < len; i++)
		at += (uint32_t)snprintf(buf + at, len - at, "%s%u", i ? sep : "", d.windows[i]);
	return buf;
}

int cli_minhash_option(contam_minhash_params *p, const char *name, const char *value,
		       char *why, size_t whylen)
{
	if (strcmp(name, "windows") == 0) {
		/* "24,72" */
		uint32_t nw = 0;
		const char *q = value;
		while (*q) {
			char *end;
			errno = 0;
			unsigned long v = strtoul(q, &end, 10);
			if (end == q || errno || v == 0 || v > 65536 ||
			    nw == CONTAM_MINHASH_MAX_WINDOWS || (*end && *end != ',')) {
				snprintf(why, whylen, "--minhash-windows wants 1 to %d ascending "
					 "sizes in shingles, such as 24,48,96,192, not '%s'",
					 CONTAM_MINHASH_MAX_WINDOWS, value);
				return -1;
			}
			p->windows[nw++] = (uint32_t)v;
			q = *end ? end + 1 : end;
		}
		if (nw == 0) {
			snprintf(why, whylen, "--minhash-windows wants at least one size, "
				 "such as 24,48,96,192");
			return -1;
		}
		for (uint32_t i = nw; i < CONTAM_MINHASH_MAX_WINDOWS; i++)
			p->windows[i] = 0;
		p->nwindows = nw;
		return 0;
	}
	const unsigned long max = strcmp(name, "shingle") == 0 ? CONTAM_MAX_NGRAM : 512;
	unsigned long v;
	if (!cli_parse_uint(value, 1, max, &v)) {
		snprintf(why, whylen, "--minhash-%s wants 1..%lu, not '%s'", name, max, value);
		return -1;
	}
	uint32_t *field = strcmp(name, "bands") == 0 ? &p->bands :
			  strcmp(name, "rows") == 0 ? &p->rows :
			  strcmp(name, "stride-div") == 0 ? &p->stride_div : &p->shingle;
	*field = (uint32_t)v;
	return 0;
}

void cli_minhash_threshold_note(const contam_minhash_params *p, const char *prog)
{
	double t = contam_minhash_threshold(p->bands, p->rows);
	fprintf(stderr, "%s: near-dup threshold Jaccard %.2f (b=%u bands of r=%u rows)\n",
		prog, t, p->bands, p->rows);
	if (t < 0.2 || t > 0.8)
		fprintf(stderr, "%s: warning: near-dup threshold %.2f is outside [0.2, 0.8]: %s\n",
			prog, t, t > 0.8 ? "only near-exact copies will match (swapped "
					   "--minhash-bands and --minhash-rows?)"
					 : "unrelated text will match often");
}

void cli_minhash_help(FILE *f)
{
	/* the defaults as the library has them (tuned by measurement:
	 * docs/NEARDUP.md) */
	contam_minhash_params d;
	contam_minhash_params_default(&d);
	char wins[96];
	cli_minhash_windows(",", wins, sizeof(wins));
	fprintf(f,
"      --minhash             MinHash of word %u-gram shingles over sliding\n"
"                            windows of %s shingles, b=%u bands of r=%u rows\n"
"                            (Jaccard threshold %.2f), in a Bloom section of\n"
"                            their own, sized from the same input estimate\n"
"      --minhash-bands B     bands b (implies --minhash; b*r <= 512); giving b\n"
"      --minhash-rows R      or r prints the threshold (1/b)^(1/r)\n"
"      --minhash-windows LIST  window sizes in shingles, ascending (%s; at\n"
"                            most %d)\n"
"      --minhash-shingle S   tokens per shingle (%u)\n"
"      --minhash-stride-div D  a window of W shingles slides by W/D (%u)\n"
"      --minhash-fpr RATE    an absent item's chance of a false band match\n"
"                            (1e-3); each band's filter rate is RATE / b\n",
		d.shingle, wins, d.bands, d.rows, contam_minhash_threshold(d.bands, d.rows),
		wins, CONTAM_MINHASH_MAX_WINDOWS, d.shingle, d.stride_div);
}
