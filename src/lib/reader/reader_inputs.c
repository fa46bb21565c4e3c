/*
 * reader_inputs.c -- turn the INPUT arguments into the list of files to
 * read, and guess how many n-grams they hold.
 *
 * Directories are walked recursively with their entries sorted by byte
 * value, so that the same tree gives the same order (and the same
 * manifest) on every machine and file system.  Inside walked directories,
 * names starting with '.' are skipped and counted (editor backups, .git,
 * partial downloads); a hidden file named explicitly is kept.  Symbolic links are
 * followed; entries that are neither files nor directories (sockets,
 * fifos) inside directories are skipped.
 *
 * Nothing is skipped silently.  A walked file is taken when
 * its name says a corpus kind (creader_detect_name), or, for other names,
 * when its first bytes look like text or a compressed stream; anything
 * else (Parquet, ELF, PNG, PDF, UTF-16, NUL bytes) is skipped as "unknown
 * kind", counted and listed (contam_input_skip).  contam's own outputs
 * are never corpus: index files (magic "CONTAMIX": indexes, partitions,
 * checkpoints), "*.tmp.PID" temporaries, purify-manifest.jsonl, probe
 * and scan reports ("report_version"), index manifests (`info --json`)
 * and scan hit records are skipped
 * in walks and refused when named.  Files and directories are identified
 * by (st_dev, st_ino): a directory reached twice (a symlinked directory,
 * a loop) is walked once, a file reached twice is taken once, and one
 * file named twice, under any spelling, is refused.
 */
#include "reader.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

/* ---- identity sets: (st_dev, st_ino) pairs, open addressing ------- */

typedef struct idset {
	uint64_t *keys;  /* pairs: dev, ino + 1 (0 marks an empty slot) */
	size_t cap, count;
} idset;

static size_t id_slot(const idset *s, uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL);
	h ^= h >> 29;
	size_t i = (size_t)h & (s->cap - 1);
	while (s->keys[2 * i + 1] &&
	       (s->keys[2 * i] != dev || s->keys[2 * i + 1] != ino + 1))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int idset_has(const idset *s, uint64_t dev, uint64_t ino)
{
	return s->cap && s->keys[2 * id_slot(s, dev, ino) + 1] != 0;
}

/* 1 if added, 0 if already there, < 0 out of memory. */
static int idset_add(idset *s, uint64_t dev, uint64_t ino)
{
	if (2 * (s->count + 1) > s->cap) {
		idset n = { NULL, s->cap ? s->cap * 2 : 64, 0 };
		if (!(n.keys = calloc(n.cap * 2, sizeof(uint64_t))))
			return CONTAM_E_NOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->keys[2 * i + 1]) {
				size_t j = id_slot(&n, s->keys[2 * i], s->keys[2 * i + 1] - 1);
				n.keys[2 * j] = s->keys[2 * i];
				n.keys[2 * j + 1] = s->keys[2 * i + 1];
				n.count++;
			}
		free(s->keys);
		*s = n;
	}
	size_t i = id_slot(s, dev, ino);
	if (s->keys[2 * i + 1])
		return 0;
	s->keys[2 * i] = dev;
	s->keys[2 * i + 1] = ino + 1;
	s->count++;
	return 1;
}

typedef struct walk {
	contam_inputs *out;
	const contam_walk_options *opt;
	size_t cap;
	char *errbuf;
	size_t errlen;
	idset files, dirs;
	idset named;             /* the files named as arguments */
	uint32_t arg;            /* the argument being expanded */
	size_t root_len;         /* its length: relative names start after */
	long skip_at[CONTAM_SKIP_REASONS]; /* its skip records, or -1 */
	size_t skips_cap;
} walk;

static int nomem(walk *w)
{
	snprintf(w->errbuf, w->errlen, "out of memory");
	return CONTAM_E_NOMEM;
}

static int io_error(walk *w, const char *what, const char *path)
{
	snprintf(w->errbuf, w->errlen, "%s '%s': %s", what, path, strerror(errno));
	return CONTAM_E_IO;
}

static int grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, n * size);
	if (!q)
		return CONTAM_E_NOMEM;
	*p = q;
	return CONTAM_OK;
}

static int add_file(walk *w, const char *path, const struct stat *st)
{
	contam_inputs *in = w->out;
	if (in->count == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		if (grow((void **)&in->paths, cap, sizeof(*in->paths)) ||
		    grow((void **)&in->sizes, cap, sizeof(*in->sizes)) ||
		    grow((void **)&in->devs, cap, sizeof(*in->devs)) ||
		    grow((void **)&in->inos, cap, sizeof(*in->inos)) ||
		    grow((void **)&in->origin, cap, sizeof(*in->origin)))
			return nomem(w);
		w->cap = cap;
	}
	if (!(in->paths[in->count] = cstrdup(path)))
		return nomem(w);
	uint64_t size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	in->sizes[in->count] = size;
	in->devs[in->count] = (uint64_t)st->st_dev;
	in->inos[in->count] = (uint64_t)st->st_ino;
	in->origin[in->count] = w->arg;
	in->count++;
	in->total_size += size;
	return CONTAM_OK;
}

static int add_skip(walk *w, contam_skip_reason reason, const char *path)
{
	contam_inputs *in = w->out;
	if (w->skip_at[reason] < 0) {
		if (in->nskips == w->skips_cap) {
			size_t cap = w->skips_cap ? w->skips_cap * 2 : 4;
			if (grow((void **)&in->skips, cap, sizeof(*in->skips)))
				return nomem(w);
			w->skips_cap = cap;
		}
		contam_input_skip *k = &in->skips[in->nskips];
		memset(k, 0, sizeof(*k));
		k->reason = reason;
		if (!(k->dir = cstrdup(in->args[w->arg])))
			return nomem(w);
		w->skip_at[reason] = (long)in->nskips++;
	}
	contam_input_skip *k = &in->skips[w->skip_at[reason]];
	k->count++;
	if (k->nnames < CONTAM_SKIP_NAMES) {
		const char *rel = path + w->root_len;
		while (*rel == '/')
			rel++;
		if (!(k->names[k->nnames] = cstrdup(rel)))
			return nomem(w);
		k->nnames++;
	}
	return CONTAM_OK;
}

/* ---- what a file is --------------------------------------------- */

/* "x.tmp.1234": a temporary of contam's atomic writes. */
static int is_tmp_name(const char *name)
{
	const char *t = NULL;
	for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
		t = p;
	if (!t || !t[5])
		return 0;
	for (t += 5; *t; t++)
		if (*t < '0' || *t > '9')
			return 0;
	return 1;
}

/* Which of contam's outputs the first bytes (or the name) say, or NULL. */
static const char *contam_output_kind(const char *name, const unsigned char *h,
				      size_t n)
{
	if (n >= 8 && memcmp(h, "CONTAMIX", 8) == 0)
		return "a contam index";
	if (is_tmp_name(name))
		return "a temporary file of contam";
	if (!strcmp(name, "purify-manifest.jsonl"))
		return "a purify manifest";
	size_t i = 0;
	while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\t' || h[i] == '\r'))
		i++;
	if (i < n && h[i] == '{') {
		const char *t = (const char *)h + i;
		size_t left = n - i;
		/* probe and scan reports: {"report_version": N, "tool":
		 * {"name": "contam", ...}, in either layout */
		const char *rv = memmem(t, left, "\"report_version\"", 16);
		if (rv && rv - t < 16 && memmem(t, left, "\"contam\"", 8))
			return "a contam report";
		/* `contam info --json`: an index's manifest */
		if (left >= 12 && memcmp(t, "{\n  \"path\": ", 12) == 0 &&
		    memmem(t, left, "\"format_version\": ", 18) &&
		    memmem(t, left, "\"recipe\": ", 10))
			return "a contam index manifest (info --json)";
		if (left >= 9 && memcmp(t, "{\"file\": ", 9) == 0) {
			const char *eol = memchr(t, '\n', left);
			size_t ll = eol ? (size_t)(eol - t) : left;
			if (memmem(t, ll, "\"doc_bytes\": ", 13) && memmem(t, ll, "\"regions\": ", 11))
				return "a contam scan hits file";
			if (memmem(t, ll, "\"output\": ", 10) && memmem(t, ll, "\"action\": ", 10))
				return "a purify manifest";
		}
	}
	return NULL;
}

/*
 * The content check for walked files whose name says no kind: NULL when
 * the first bytes look like text or a compressed stream (read on as
 * creader_detect says), else what was seen.  This is the seam for the
 * content detector (magic bytes, NUL-heavy data, UTF-16): creader_open
 * refuses such content when it is named; a walk skips it here.
 */
static const char *unknown_content(const unsigned char *h, size_t n)
{
	static const struct { const char *magic; size_t len; const char *what; } bin[] = {
		{ "\x7f" "ELF", 4, "ELF" },
		{ "\x89PNG", 4, "PNG" },
		{ "%PDF", 4, "PDF" },
		{ "\xff\xd8\xff", 3, "JPEG" },
		{ "GIF8", 4, "GIF" },
		{ "SQLite format 3", 15, "SQLite" },
		{ "\xff\xfe", 2, "UTF-16" },
		{ "\xfe\xff", 2, "UTF-16" },
	};
	for (size_t i = 0; i < sizeof bin / sizeof bin[0]; i++)
		if (n >= bin[i].len && memcmp(h, bin[i].magic, bin[i].len) == 0)
			return bin[i].what;
	/* compressed: the reader sniffs what is inside */
	if ((n >= 2 && h[0] == 0x1f && h[1] == 0x8b) ||
	    (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) ||
	    (n >= 3 && memcmp(h, "BZh", 3) == 0) ||
	    (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0) ||
	    (n >= 4 && memcmp(h, "PK\003\004", 4) == 0) ||
	    (n >= 262 && memcmp(h + 257, "ustar", 5) == 0))
		return NULL;
	size_t ctl = 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == 0)
			return "binary data (NUL bytes)";
		if (h[i] < 0x20 && h[i] != '\n' && h[i] != '\r' && h[i] != '\t' &&
		    h[i] != '\f' && h[i] != 0x1b)
			ctl++;
	}
	if (n && ctl * 10 > n)
		return "binary data (control bytes)";
	return NULL;
}

static size_t read_head(const char *path, unsigned char *h, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0; /* the open error is reported when it is read */
	size_t n = fread(h, 1, cap, f);
	fclose(f);
	return n;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Does a glob match this walked path (see contam_walk_options)? */
static int glob_match(const char *pat, const char *rel, const char *name)
{
	return strchr(pat, '/') ? fnmatch(pat, rel, 0) == 0
				: fnmatch(pat, name, 0) == 0;
}

static int excluded(const walk *w, const char *path, int is_dir)
{
	if (!w->opt)
		return 0;
	const char *rel = path + w->root_len, *name = base_name(path);
	while (*rel == '/')
		rel++;
	for (size_t i = 0; i < w->opt->nexclude; i++)
		if (glob_match(w->opt->exclude[i], rel, name))
			return 1;
	if (is_dir || !w->opt->ninclude)
		return 0;
	for (size_t i = 0; i < w->opt->ninclude; i++)
		if (glob_match(w->opt->include[i], rel, name))
			return 0;
	return 1;
}

/* A regular file found in a walk: taken, or skipped with a reason. */
static int walked_file(walk *w, const char *path, const struct stat *st)
{
	const char *name = base_name(path);
	unsigned char h[1024];
	if (excluded(w, path, 0))
		return add_skip(w, CONTAM_SKIP_EXCLUDED, path);
	int added = idset_add(&w->files, (uint64_t)st->st_dev, (uint64_t)st->st_ino);
	if (added < 0)
		return nomem(w);
	if (!added && idset_has(&w->named, (uint64_t)st->st_dev, (uint64_t)st->st_ino)) {
		snprintf(w->errbuf, w->errlen, "input '%s' is given more than once "
			 "(named, and inside a directory given)", path);
		return CONTAM_E_PARAM;
	}
	if (!added)
		return add_skip(w, CONTAM_SKIP_DUPLICATE, path);
	size_t n = read_head(path, h, sizeof h);
	if (contam_output_kind(name, h, n))
		return add_skip(w, CONTAM_SKIP_CONTAM_OUTPUT, path);
	if (creader_detect_name(name) == CONTAM_INPUT_UNKNOWN &&
	    unknown_content(h, n))
		return add_skip(w, CONTAM_SKIP_UNKNOWN_KIND, path);
	return add_file(w, path, st);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int walk_dir(walk *w, const char *dir, unsigned depth)
{
	DIR *d = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	cbuf path = CBUF_INIT;
	int rc = CONTAM_OK;

	if (depth > 256) {
		snprintf(w->errbuf, w->errlen,
			 "cannot walk '%s': directories nested too deeply", dir);
		return CONTAM_E_LIMIT;
	}
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
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;

		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (grow((void **)&names, cap, sizeof(*names))) {
				rc = nomem(w);
				goto out;
			}
		}
		if (!(names[n] = cstrdup(de->d_name))) {
			rc = nomem(w);
			goto out;
		}
		n++;
	}
	closedir(d);
	d = NULL; /* not one descriptor per level of a deep tree */
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
		if (names[i][0] == '.') {
			/* hidden (editor backups, .git, partial downloads):
			 * not walked, but counted (in sorted order, so the
			 * names kept do not depend on the file system) */
			if ((rc = add_skip(w, CONTAM_SKIP_HIDDEN, path.data)) < 0)
				goto out;
			continue;
		}
		if (stat(path.data, &st) != 0) {
			struct stat ls;
			if (lstat(path.data, &ls) == 0 && S_ISLNK(ls.st_mode)) {
				/* a dangling link or a loop (a mirror's stale
				 * "latest"): nothing to read, counted with the
				 * walk's skips, not the end of the run */
				if ((rc = add_skip(w, CONTAM_SKIP_UNKNOWN_KIND, path.data)) < 0)
					goto out;
				continue;
			}
			rc = io_error(w, "cannot open", path.data);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (excluded(w, path.data, 1)) {
				rc = add_skip(w, CONTAM_SKIP_EXCLUDED, path.data);
			} else {
				int added = idset_add(&w->dirs, (uint64_t)st.st_dev,
						      (uint64_t)st.st_ino);
				if (added < 0)
					rc = nomem(w);
				else if (!added) /* a symlinked directory or a loop */
					rc = add_skip(w, CONTAM_SKIP_DUPLICATE, path.data);
				else
					rc = walk_dir(w, path.data, depth + 1);
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = walked_file(w, path.data, &st);
		} else {
			/* a fifo, socket or device inside a directory: never
			 * opened (that could block), counted */
			rc = add_skip(w, CONTAM_SKIP_UNKNOWN_KIND, path.data);
		}
		if (rc < 0)
			goto out;
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

/* A file named as an argument: kept whatever it is (a fifo or /dev/stdin
 * has no size), except contam's own outputs and a file named twice. */
static int named_file(walk *w, const char *path, const struct stat *st)
{
	int added = idset_add(&w->files, (uint64_t)st->st_dev, (uint64_t)st->st_ino);
	if (added < 0)
		return nomem(w);
	if (!added) {
		snprintf(w->errbuf, w->errlen, "input '%s' is given more than once "
			 "(the same file under another name, or inside a directory given)",
			 path);
		return CONTAM_E_PARAM;
	}
	if (idset_add(&w->named, (uint64_t)st->st_dev, (uint64_t)st->st_ino) < 0)
		return nomem(w);
	if (S_ISREG(st->st_mode)) {
		unsigned char h[1024];
		size_t n = read_head(path, h, sizeof h);
		const char *what = contam_output_kind(base_name(path), h, n);
		if (what) {
			snprintf(w->errbuf, w->errlen, "'%s' is %s, not corpus "
				 "(contam never reads its own outputs)", path, what);
			return CONTAM_E_FORMAT;
		}
	}
	return add_file(w, path, st);
}

static int expand_walk(contam_inputs *out, const char *const *args,
		       size_t nargs, const contam_walk_options *opt,
		       char *errbuf, size_t errlen)
{
	char scratch[8];
	walk w;
	int rc = CONTAM_OK;

	memset(&w, 0, sizeof w);
	w.out = out;
	w.opt = opt;
	w.errbuf = errbuf;
	w.errlen = errlen;
	if (!errbuf || errlen == 0) {
		w.errbuf = scratch;
		w.errlen = sizeof scratch;
	}
	w.errbuf[0] = '\0';
	memset(out, 0, sizeof *out);
	if (nargs > UINT32_MAX) {
		snprintf(w.errbuf, w.errlen, "too many inputs");
		return CONTAM_E_LIMIT;
	}
	out->args = calloc(nargs ? nargs : 1, sizeof(*out->args));
	out->arg_is_dir = calloc(nargs ? nargs : 1, 1);
	if (!out->args || !out->arg_is_dir) {
		rc = nomem(&w);
		goto out;
	}
	out->nargs = nargs;
	for (size_t i = 0; i < nargs; i++)
		if (!(out->args[i] = cstrdup(args[i]))) {
			rc = nomem(&w);
			goto out;
		}
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;
		w.arg = (uint32_t)i;
		w.root_len = strlen(args[i]);
		for (int r = 0; r < CONTAM_SKIP_REASONS; r++)
			w.skip_at[r] = -1;
		if (stat(args[i], &st) != 0) {
			rc = io_error(&w, "cannot open", args[i]);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			out->arg_is_dir[i] = 1;
			int added = idset_add(&w.dirs, (uint64_t)st.st_dev,
					      (uint64_t)st.st_ino);
			if (added < 0) {
				rc = nomem(&w);
				goto out;
			}
			if (!added) {
				snprintf(w.errbuf, w.errlen, "input '%s' is given more than once "
					 "(the same directory under another name, or inside "
					 "another directory given)", args[i]);
				rc = CONTAM_E_PARAM;
				goto out;
			}
			rc = walk_dir(&w, args[i], 0);
		} else {
			rc = named_file(&w, args[i], &st);
		}
		if (rc < 0)
			goto out;
	}
out:
	free(w.named.keys);
	free(w.files.keys);
	free(w.dirs.keys);
	if (rc < 0)
		contam_inputs_free(out);
	return rc;
}

int contam_inputs_expand_walk(contam_inputs *out, const char *const *args,
			      size_t nargs, const contam_walk_options *opt,
			      contam_error *err)
{
	cerr e;
	cerr_clear(&e);
	int rc = expand_walk(out, args, nargs, opt, e.msg, sizeof e.msg);
	e.code = rc < 0 ? rc : CONTAM_OK;
	cerr_export(&e, err);
	return rc;
}

int contam_inputs_expand(contam_inputs *out, const char *const *args,
			 size_t nargs, contam_error *err)
{
	return contam_inputs_expand_walk(out, args, nargs, NULL, err);
}

long contam_inputs_find_unread(const contam_inputs *in, const uint64_t *documents)
{
	if (!in || !in->nargs || !in->origin)
		return -1;
	unsigned char *seen = calloc(in->nargs, 2);
	if (!seen)
		return -1;
	for (size_t i = 0; i < in->count; i++) {
		seen[2 * in->origin[i]] = 1;
		if (documents[i])
			seen[2 * in->origin[i] + 1] = 1;
	}
	long bad = -1;
	for (size_t a = 0; a < in->nargs && bad < 0; a++)
		if (seen[2 * a] && !seen[2 * a + 1])
			bad = (long)a;
	free(seen);
	return bad;
}

uint64_t contam_input_fingerprint(const char *path)
{
	enum { PIECE = 1 << 20 };
	uint64_t h = 0;
	unsigned char *buf = NULL;
	XXH3_state_t *st = NULL;
	struct stat sb;
	int fd = -1;
	/* a fifo is never opened here: that would let its writer's open
	 * succeed and then see the reader go away */
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto out;
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto out;
	if (!(buf = malloc(PIECE)) || !(st = XXH3_createState()))
		goto out;
	XXH3_64bits_reset(st);
	uint64_t size = (uint64_t)sb.st_size;
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(size >> (8 * i));
	XXH3_64bits_update(st, le, 8);
	/* the first MiB, then the last MiB (or what is left of the file) */
	uint64_t starts[2] = { 0, size > 2 * (uint64_t)PIECE ? size - PIECE : PIECE };
	for (int p = 0; p < 2; p++) {
		uint64_t off = starts[p], end = p ? size : (size < PIECE ? size : PIECE);
		while (off < end) {
			size_t want = (size_t)(end - off);
			ssize_t got = pread(fd, buf, want < PIECE ? want : PIECE, (off_t)off);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				goto out;
			XXH3_64bits_update(st, buf, (size_t)got);
			off += (uint64_t)got;
		}
	}
	h = XXH3_64bits_digest(st);
	if (!h)
		h = 1;
out:
	if (fd >= 0)
		close(fd);
	XXH3_freeState(st);
	free(buf);
	return h;
}

const char *contam_skip_reason_name(contam_skip_reason r)
{
	switch (r) {
	case CONTAM_SKIP_UNKNOWN_KIND: return "of unknown kind";
	case CONTAM_SKIP_CONTAM_OUTPUT: return "written by contam";
	case CONTAM_SKIP_EXCLUDED: return "excluded by --include/--exclude";
	case CONTAM_SKIP_DUPLICATE: return "reached twice (symlinks)";
	case CONTAM_SKIP_HIDDEN: return "hidden (names starting with '.')";
	default: return "skipped";
	}
}

void contam_inputs_free(contam_inputs *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->count; i++)
		free(in->paths[i]);
	for (size_t i = 0; in->args && i < in->nargs; i++)
		free(in->args[i]);
	for (size_t i = 0; i < in->nskips; i++) {
		free(in->skips[i].dir);
		for (size_t j = 0; j < in->skips[i].nnames; j++)
			free(in->skips[i].names[j]);
	}
	free(in->paths);
	free(in->sizes);
	free(in->devs);
	free(in->inos);
	free(in->origin);
	free(in->args);
	free(in->arg_is_dir);
	free(in->skips);
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
	const creader_ops *f = creader_format_of(kind);
	return f ? f->name : "unknown";
}

/* The index of the synthetic argument "(walked)" or "(named)", added
 * the first time. */
static long synthetic_arg(contam_inputs *in, int walked)
{
	const char *name = walked ? "(walked)" : "(named)";
	for (size_t a = 0; a < in->nargs; a++)
		if (!strcmp(in->args[a], name) && (in->arg_is_dir[a] != 0) == (walked != 0))
			return (long)a;
	char **args = realloc(in->args, (in->nargs + 1) * sizeof *args);
	if (!args)
		return -1;
	in->args = args;
	unsigned char *dirs = realloc(in->arg_is_dir, in->nargs + 1);
	if (!dirs)
		return -1;
	in->arg_is_dir = dirs;
	if (!(in->args[in->nargs] = cstrdup(name)))
		return -1;
	in->arg_is_dir[in->nargs] = walked != 0;
	return (long)in->nargs++;
}

int contam_inputs_set_walked(contam_inputs *in, size_t i, int walked)
{
	if (!in || i >= in->count)
		return CONTAM_E_PARAM;
	if (contam_inputs_walked(in, i) == (walked != 0) && in->origin)
		return CONTAM_OK;
	if (!in->origin) {
		/* a list without its arguments: every input named so far */
		if (!(in->origin = calloc(in->count, sizeof *in->origin)))
			return CONTAM_E_NOMEM;
		long named = synthetic_arg(in, 0);
		if (named < 0)
			return CONTAM_E_NOMEM;
		for (size_t k = 0; k < in->count; k++)
			in->origin[k] = (uint32_t)named;
		if (contam_inputs_walked(in, i) == (walked != 0))
			return CONTAM_OK;
	}
	long a = synthetic_arg(in, walked);
	if (a < 0)
		return CONTAM_E_NOMEM;
	in->origin[i] = (uint32_t)a;
	return CONTAM_OK;
}

int contam_inputs_walked(const contam_inputs *in, size_t i)
{
	if (!in || i >= in->count || !in->origin || !in->arg_is_dir)
		return 0;
	size_t a = in->origin[i];
	return a < in->nargs && in->arg_is_dir[a];
}
