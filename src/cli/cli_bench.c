/*
 * cli_bench.c -- the benchmark files of `probe` and `scan --bench`: the
 * arguments (files and directories) become a list of files, each with
 * its benchmark name.
 *
 *   - A directory is walked recursively in sorted order.  Files whose
 *     name says benchmark data (.jsonl .ndjson .json .csv .tsv .txt, and
 *     .parquet .zip, which are read or refused, never skipped; each with
 *     .gz .zst .bz2 .xz) are benchmarks; README and LICENSE files and
 *     anything else are skipped and named on stderr.
 *   - The same file twice (by device and inode, so "a/../b.jsonl" and a
 *     file inside a directory also given count) is refused: it would be
 *     counted twice.
 *   - Names: the file name without its extensions; a generic one
 *     (test.jsonl) keeps its directory (gsm8k/test); a file found in a
 *     directory walk is named by its path under that directory, after
 *     the directory's own name (ceval/val/law_val).  Two files that would
 *     get the same name both take more of their parent directories until
 *     the names differ, so two copies of abstract_algebra_test.csv stay
 *     two benchmarks.  --name gives every file one name on purpose.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define WALK_MAX_DEPTH 32

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	if (m > n)
		return false;
	for (size_t i = 0; i < m; i++) {
		char a = s[n - m + i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != suffix[i])
			return false;
	}
	return true;
}

static const char *const compress_ext[] = { ".gz", ".zst", ".zstd", ".bz2",
	".xz", ".zip", NULL };
static const char *const bench_ext[] = { ".jsonl", ".ndjson", ".json",
	".csv", ".tsv", ".txt", ".parquet", NULL };

/* Length of `name` without a compression suffix. */
static size_t strip_compression(const char *name, size_t n)
{
	for (int i = 0; compress_ext[i]; i++)
		if (ends_with(name, n, compress_ext[i]) &&
		    n > strlen(compress_ext[i]))
			return n - strlen(compress_ext[i]);
	return n;
}

/* Is a file found in a directory walk a benchmark file? */
static bool looks_like_bench(const char *base)
{
	size_t n = strlen(base);
	if (ends_with(base, n, ".zip"))
		return true; /* read as its member, or refused */
	n = strip_compression(base, n);
	if (!strncasecmp(base, "readme", 6) || !strncasecmp(base, "license", 7))
		return false;
	for (int i = 0; bench_ext[i]; i++)
		if (ends_with(base, n, bench_ext[i]))
			return true;
	return false;
}

bool cli_bench_like_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strip_compression(base, strlen(base));
	/* not .parquet: a Parquet file is a corpus shard too */
	return ends_with(base, n, ".csv") || ends_with(base, n, ".tsv");
}

typedef struct bench_file {
	char *path;
	size_t min_dirs;  /* parent directories the name must keep */
	dev_t dev;
	ino_t ino;
	const char *arg;  /* the argument it came from */
} bench_file;

typedef struct walk {
	bench_file *files;
	size_t n, cap;
	char **skipped;
	size_t nskipped;
	int rc;
} walk;

static int add_file(walk *w, const char *path, size_t min_dirs,
		    const struct stat *st, const char *arg)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		bench_file *f = realloc(w->files, cap * sizeof(*f));
		if (!f)
			return cli_error(EXIT_INPUT, "out of memory");
		w->files = f;
		w->cap = cap;
	}
	bench_file *f = &w->files[w->n];
	if (!(f->path = strdup(path)))
		return cli_error(EXIT_INPUT, "out of memory");
	f->min_dirs = min_dirs;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->arg = arg;
	w->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(walk *w, const char *dir, size_t depth, const char *arg)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (depth > WALK_MAX_DEPTH)
		return cli_error(EXIT_INPUT, "'%s': directories nested more than %d deep",
				 dir, WALK_MAX_DEPTH);
	if (!(d = opendir(dir)))
		return cli_error(EXIT_INPUT, "cannot open '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				rc = cli_error(EXIT_INPUT, "out of memory");
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = cli_error(EXIT_INPUT, "out of memory");
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *p = malloc(len);
		struct stat st;
		if (!p) {
			rc = cli_error(EXIT_INPUT, "out of memory");
			break;
		}
		snprintf(p, len, "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (stat(p, &st)) {
			rc = cli_error(EXIT_INPUT, "cannot open '%s': %s", p, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_dir(w, p, depth + 1, arg);
		} else if (S_ISREG(st.st_mode) && looks_like_bench(names[i])) {
			rc = add_file(w, p, depth + 1, &st, arg);
		} else {
			char **s = realloc(w->skipped, (w->nskipped + 1) * sizeof(*s));
			if (!s) {
				rc = cli_error(EXIT_INPUT, "out of memory");
			} else {
				w->skipped = s;
				s[w->nskipped++] = p;
				p = NULL;
			}
		}
		free(p);
	}
out:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The name of `path` keeping `dirs` parent directories; NULL when the
 * path has fewer (then *short_of is set). */
static char *name_at(const char *path, size_t dirs, bool keep_ext,
		     bool *short_of)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	/* the stem: without compression, then without one extension */
	size_t end = strip_compression(path + b, n - b);
	for (size_t i = end; i > 1 && !keep_ext; i--)
		if (path[b + i - 1] == '.') {
			end = i - 1;
			break;
		}
	size_t start = b;
	*short_of = false;
	for (size_t k = 0; k < dirs; k++) {
		if (start == 0) {
			*short_of = true;
			break;
		}
		size_t s = start - 1; /* the '/' */
		while (s > 0 && path[s - 1] == '/')
			s--;
		if (s == 0) {
			*short_of = true;
			break;
		}
		while (s > 0 && path[s - 1] != '/')
			s--;
		if (!strncmp(path + s, "./", 2) || !strncmp(path + s, "../", 3)) {
			*short_of = true;
			break;
		}
		start = s;
	}
	size_t len = (b - start) + end;
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	memcpy(out, path + start, b - start);
	memcpy(out + (b - start), path + b, end);
	out[len] = '\0';
	return out;
}

static bool generic_stem(const char *path)
{
	static const char *const generic[] = { "test", "dev", "val", "valid",
		"validation", "train", "data", "eval", NULL };
	bool s;
	char *stem = name_at(path, 0, false, &s);
	bool g = false;
	for (int i = 0; stem && generic[i] && !g; i++)
		g = !strcmp(stem, generic[i]);
	free(stem);
	return g;
}

static int cmp_inode(const void *a, const void *b)
{
	const bench_file *x = *(bench_file *const *)a, *y = *(bench_file *const *)b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

void cli_bench_list_free(cli_bench_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->paths[i]);
		free(l->names[i]);
	}
	free(l->paths);
	free(l->names);
	for (size_t i = 0; i < l->nskipped; i++)
		free(l->skipped[i]);
	free(l->skipped);
	memset(l, 0, sizeof(*l));
}

int cli_bench_expand(const char *const *args, size_t nargs, const char *name,
		     bool quiet, cli_bench_list *out)
{
	walk w = { 0 };
	int rc = 0;
	size_t *dirs = NULL;
	bool *ext = NULL;
	bench_file **order = NULL;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nargs && !rc; i++) {
		struct stat st;
		if (!strcmp(args[i], "-")) {
			/* standard input: read as a pipe (named "stdin") */
			if (fstat(0, &st))
				rc = cli_error(EXIT_INPUT, "cannot read standard input: %s",
					       strerror(errno));
			else
				rc = add_file(&w, "/dev/stdin", 0, &st, args[i]);
		} else if (stat(args[i], &st)) {
			rc = cli_error(EXIT_INPUT, "cannot open '%s': %s", args[i],
				       strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			size_t before = w.n;
			rc = walk_dir(&w, args[i], 0, args[i]);
			if (!rc && w.n == before)
				rc = cli_error(EXIT_INPUT, "'%s': no benchmark files in "
					       "this directory (.jsonl, .json, .csv, .tsv, "
					       ".txt, compressed or not)", args[i]);
		} else {
			rc = add_file(&w, args[i], generic_stem(args[i]) ? 1 : 0,
				      &st, args[i]);
		}
	}
	if (rc)
		goto out;
	/* a skip is never silent, --quiet or not: up to 8 names, then a count */
	if (w.nskipped) {
		char list[2048];
		size_t used = 0;
		list[0] = '\0';
		for (size_t i = 0; i < w.nskipped && i < 8 && used < sizeof list; i++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
						 i ? ", " : "", w.skipped[i]);
		cli_warn("%zu file(s) in benchmark directories are not benchmark "
			 "files (by their names) and were skipped: %s%s", w.nskipped, list,
			 w.nskipped > 8 ? ", ..." : "");
	}
	(void)quiet;
	/* the same file twice */
	order = malloc((w.n ? w.n : 1) * sizeof(*order));
	dirs = calloc(w.n ? w.n : 1, sizeof(*dirs));
	ext = calloc(w.n ? w.n : 1, sizeof(*ext));
	if (!order || !dirs || !ext) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w.n; i++)
		order[i] = &w.files[i];
	qsort(order, w.n, sizeof(*order), cmp_inode);
	for (size_t i = 1; i < w.n; i++)
		if (!cmp_inode(&order[i - 1], &order[i])) {
			rc = cli_error(EXIT_USAGE, "benchmark file given twice: '%s' "
				       "and '%s' are the same file (its examples "
				       "would be counted twice)", order[i - 1]->path,
				       order[i]->path);
			goto out;
		}
	out->paths = calloc(w.n ? w.n : 1, sizeof(char *));
	out->names = calloc(w.n ? w.n : 1, sizeof(char *));
	if (!out->paths || !out->names) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	out->n = w.n;
	for (size_t i = 0; i < w.n; i++) {
		out->paths[i] = w.files[i].path;
		w.files[i].path = NULL;
		dirs[i] = w.files[i].min_dirs;
	}
	/* names: unique, by taking more parent directories where needed */
	for (int round = 0;; round++) {
		bool changed = false;
		for (size_t i = 0; i < out->n; i++) {
			bool s;
			free(out->names[i]);
			out->names[i] = name ? strdup(name)
					     : name_at(out->paths[i], dirs[i], ext[i], &s);
			if (!out->names[i]) {
				rc = cli_error(EXIT_INPUT, "out of memory");
				goto out;
			}
		}
		if (name || round > WALK_MAX_DEPTH + 8)
			break;
		for (size_t i = 0; i < out->n; i++)
			for (size_t j = i + 1; j < out->n; j++) {
				if (strcmp(out->names[i], out->names[j]))
					continue;
				bool si, sj;
				/* demo.jsonl and demo.csv: keep the extensions */
				const char *bi = strrchr(out->paths[i], '/');
				const char *bj = strrchr(out->paths[j], '/');
				bi = bi ? bi + 1 : out->paths[i];
				bj = bj ? bj + 1 : out->paths[j];
				if (strcmp(bi, bj) && (!ext[i] || !ext[j])) {
					ext[i] = ext[j] = true;
					changed = true;
					continue;
				}
				char *a = name_at(out->paths[i], dirs[i] + 1, ext[i], &si);
				char *b = name_at(out->paths[j], dirs[j] + 1, ext[j], &sj);
				free(a);
				free(b);
				if (!si) {
					dirs[i]++;
					changed = true;
				}
				if (!sj) {
					dirs[j]++;
					changed = true;
				}
			}
		if (!changed)
			break;
	}
	/* still equal (paths that end in "../"): the whole path then */
	for (size_t i = 0; !name && i < out->n; i++)
		for (size_t j = 0; j < out->n; j++) {
			if (i == j || strcmp(out->names[i], out->names[j]))
				continue;
			char *full = strdup(out->paths[i]);
			if (!full) {
				rc = cli_error(EXIT_INPUT, "out of memory");
				goto out;
			}
			free(out->names[i]);
			out->names[i] = full;
			break;
		}
out:
	if (rc)
		cli_bench_list_free(out);
	for (size_t i = 0; i < w.n; i++)
		free(w.files[i].path);
	free(w.files);
	if (!rc) { /* the skips go to the report too */
		out->skipped = w.skipped;
		out->nskipped = w.nskipped;
		w.skipped = NULL;
		w.nskipped = 0;
	}
	for (size_t i = 0; i < w.nskipped; i++)
		free(w.skipped[i]);
	free(w.skipped);
	free(order);
	free(dirs);
	free(ext);
	return rc;
}
