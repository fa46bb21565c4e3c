/*
 * reader_inputs.c -- turn the INPUT arguments into the list of files to
 * read, and guess how many n-grams they hold.
 *
 * Directories are walked recursively with their entries sorted by byte
 * value, so that the same tree gives the same order (and the same
 * manifest) on every machine and file system.  Inside walked directories,
 * names starting with '.' are skipped (editor backups, .git, partial
 * downloads); a hidden file named explicitly is kept.  Symbolic links are
 * followed, with a guard against directory cycles; entries that are
 * neither files nor directories (sockets, fifos) inside directories are
 * skipped.
 */
#include "reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Directories on the path from the argument to the current one. */
typedef struct dir_stack {
	dev_t dev[64];
	ino_t ino[64];
	size_t depth;
} dir_stack;

typedef struct walk {
	contam_inputs *out;
	size_t cap;
	char *errbuf;
	size_t errlen;
} walk;

static int add_file(walk *w, const char *path, uint64_t size)
{
	contam_inputs *in = w->out;

	if (in->count == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		char **p = realloc(in->paths, cap * sizeof *p);
		if (p)
			in->paths = p;
		uint64_t *s = p ? realloc(in->sizes, cap * sizeof *s) : NULL;
		if (s)
			in->sizes = s;
		if (!p || !s) {
			snprintf(w->errbuf, w->errlen, "out of memory");
			return CONTAM_E_NOMEM;
		}
		w->cap = cap;
	}
	in->paths[in->count] = cstrdup(path);
	if (!in->paths[in->count]) {
		snprintf(w->errbuf, w->errlen, "out of memory");
		return CONTAM_E_NOMEM;
	}
	in->sizes[in->count] = size;
	in->count++;
	in->total_size += size;
	return CONTAM_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int nomem(walk *w)
{
	snprintf(w->errbuf, w->errlen, "out of memory");
	return CONTAM_E_NOMEM;
}

static int io_error(walk *w, const char *what, const char *path)
{
	if (w->errbuf && w->errlen)
		snprintf(w->errbuf, w->errlen, "%s '%s': %s", what, path,
			 strerror(errno));
	return CONTAM_E_IO;
}

static int walk_dir(walk *w, const char *dir, dir_stack *stack)
{
	DIR *d = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	cbuf path = CBUF_INIT;
	int rc = CONTAM_OK;

	d = opendir(dir);
	if (!d) {
		rc = io_error(w, "cannot open", dir);
		goto out;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				rc = io_error(w, "cannot read", dir);
				goto out;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue; /* ".", ".." and hidden entries */
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **p = realloc(names, cap * sizeof *p);
			if (!p) {
				rc = nomem(w);
				goto out;
			}
			names = p;
		}
		names[n] = cstrdup(de->d_name);
		if (!names[n]) {
			rc = nomem(w);
			goto out;
		}
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		cbuf_reset(&path);
		size_t dl = strlen(dir);
		if (cbuf_append(&path, dir, dl) < 0 ||
		    ((dl == 0 || dir[dl - 1] != '/') && cbuf_putc(&path, '/') < 0) ||
		    cbuf_append(&path, names[i], strlen(names[i])) < 0) {
			rc = nomem(w);
			goto out;
		}
		if (stat(path.data, &st) != 0) {
			rc = io_error(w, "cannot open", path.data);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			int loop = 0;
			for (size_t k = 0; k < stack->depth; k++)
				if (stack->dev[k] == st.st_dev &&
				    stack->ino[k] == st.st_ino)
					loop = 1;
			if (loop)
				continue;
			if (stack->depth == sizeof stack->dev / sizeof stack->dev[0]) {
				snprintf(w->errbuf, w->errlen,
					 "cannot walk '%s': directories nested "
					 "too deeply", path.data);
				rc = CONTAM_E_LIMIT;
				goto out;
			}
			stack->dev[stack->depth] = st.st_dev;
			stack->ino[stack->depth] = st.st_ino;
			stack->depth++;
			rc = walk_dir(w, path.data, stack);
			stack->depth--;
			if (rc < 0)
				goto out;
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(w, path.data, (uint64_t)st.st_size);
			if (rc < 0)
				goto out;
		}
	}
	rc = CONTAM_OK;
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	cbuf_release(&path);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same file twice (named twice, or named and inside a walked
 * directory) would be indexed twice and counted twice in the manifest;
 * merge refuses that, so the index refuses it here, by the path as given. */
static int refuse_duplicates(walk *w)
{
	contam_inputs *in = w->out;
	if (in->count < 2)
		return CONTAM_OK;
	char **sorted = malloc(in->count * sizeof(*sorted));
	if (!sorted) {
		snprintf(w->errbuf, w->errlen, "out of memory");
		return CONTAM_E_NOMEM;
	}
	memcpy(sorted, in->paths, in->count * sizeof(*sorted));
	qsort(sorted, in->count, sizeof(*sorted), cmp_path);
	int rc = CONTAM_OK;
	for (size_t i = 1; i < in->count; i++)
		if (!strcmp(sorted[i - 1], sorted[i])) {
			snprintf(w->errbuf, w->errlen, "input '%s' is given more than once",
				 sorted[i]);
			rc = CONTAM_E_PARAM;
			break;
		}
	free(sorted);
	return rc;
}

int contam_inputs_expand(contam_inputs *out, const char *const *args,
			 size_t nargs, char *errbuf, size_t errlen)
{
	char scratch[8];
	walk w = { out, 0, errbuf, errlen };
	int rc = CONTAM_OK;

	if (!errbuf || errlen == 0) {
		w.errbuf = scratch;
		w.errlen = sizeof scratch;
	}
	w.errbuf[0] = '\0';
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;
		if (stat(args[i], &st) != 0) {
			rc = io_error(&w, "cannot open", args[i]);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			dir_stack stack;
			stack.dev[0] = st.st_dev;
			stack.ino[0] = st.st_ino;
			stack.depth = 1;
			rc = walk_dir(&w, args[i], &stack);
		} else {
			/* Named explicitly: kept whatever it is (a fifo
			 * or /dev/stdin has no size). */
			rc = add_file(&w, args[i], S_ISREG(st.st_mode)
				      ? (uint64_t)st.st_size : 0);
		}
		if (rc < 0)
			goto out;
	}
	rc = refuse_duplicates(&w);
out:
	if (rc < 0)
		contam_inputs_free(out);
	return rc;
}

void contam_inputs_free(contam_inputs *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->count; i++)
		free(in->paths[i]);
	free(in->paths);
	free(in->sizes);
	memset(in, 0, sizeof *in);
}

/* An estimate, good to a factor of about two: it only sizes the filter
 * when the user did not.  Text yields roughly one word n-gram per 6 bytes
 * (an average word plus its separator); compressed inputs are assumed to
 * expand about 3.5x (gzip, bzip2) or 4x (zstd, xz) -- web text usually
 * compresses better, so this errs towards a smaller count, which the
 * planner's false-positive margin absorbs. */
uint64_t contam_estimate_ngrams(const contam_inputs *in)
{
	double total = 0;

	if (!in)
		return 0;
	for (size_t i = 0; i < in->count; i++) {
		const char *p = in->paths[i];
		double ratio = 1.0;
		if (cends_with(p, ".gz") || cends_with(p, ".tgz") ||
		    cends_with(p, ".bz2") || cends_with(p, ".zip"))
			ratio = 3.5;
		else if (cends_with(p, ".zst") || cends_with(p, ".tzst") ||
			 cends_with(p, ".xz") || cends_with(p, ".txz"))
			ratio = 4.0;
		total += (double)in->sizes[i] * ratio / 6.0;
	}
	if (total >= 1.8e19)
		return UINT64_MAX;
	return (uint64_t)total;
}

const char *contam_input_kind_name(contam_input_kind kind)
{
	switch (kind) {
	case CONTAM_INPUT_WARC: return "warc";
	case CONTAM_INPUT_JSONL: return "jsonl";
	case CONTAM_INPUT_ARCHIVE: return "archive";
	case CONTAM_INPUT_TEXT: return "text";
	case CONTAM_INPUT_MEDIAWIKI: return "mediawiki";
	default: return "unknown";
	}
}
