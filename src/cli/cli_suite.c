/*
 * cli_suite.c -- `contam probe --suite SUITE.json`: a suite file lists
 * benchmarks, each with its own files (globs) and layout (fields,
 * question/answer fields, id field, header, records path, lines per
 * record), and one run probes them all into one report (suites/README.md
 * has the schema).
 *
 * Each entry is probed by a probe of its own, with the run's options and
 * the entry's layout, against the one index; the results are then laid
 * end to end into one contam_result (benchmarks and examples are
 * borrowed from the probes, which outlive the report).  So a probe keeps
 * one layout (and --write-clean re-reads an entry's files by it, into
 * DIR/ENTRY), and an entry's files are read exactly as `contam probe
 * --name NAME --field ... FILES` reads them, which the tests compare.
 * --confirm is one scan of the corpus for all entries: its benchmark set
 * (the probe's, bench_set.c) takes a layout per file
 * (contam_scan_add_file_with, cli_suite_layout).
 *
 * Nothing is dropped quietly: an entry whose glob matches no file, whose
 * file cannot be opened, or that is malformed is an error naming the
 * entry (exit 2) before the index is loaded.  The suite's bytes are
 * hashed (SHA-256) into the report, so a table says which suite made it.
 */
#include "cli.h"

#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- SHA-256 (FIPS 180-4), for the suite file's digest ---- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], v[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha_k[i] + w[i];
		uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(*v));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

static void sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char tail[128] = { 0 };
	size_t full = len / 64 * 64, rest = len - full;
	for (size_t i = 0; i < full; i += 64)
		sha_block(h, data + i);
	memcpy(tail, data + full, rest);
	tail[rest] = 0x80;
	size_t tl = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, tail);
	if (tl == 128)
		sha_block(h, tail + 64);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", h[i]);
}

/* ---- the suite file ---- */

static void entry_release(cli_suite_entry *e)
{
	free(e->fields);
	free(e->qfields);
	free(e->afields);
	cli_free_paths(e->files, e->nfiles);
}

void cli_suite_free(cli_suite *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_release(&s->entries[i]);
	free(s->entries);
	json_decref((json_t *)s->doc);
	cli_bench_list_free(&s->all);
	memset(s, 0, sizeof(*s));
}

/* A string or an array of strings into a malloc'd vector (borrowed
 * strings). */
static int string_list(const cli_suite *s, const char *entry, const char *key,
		       json_t *v, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	size_t m = json_is_array(v) ? json_array_size(v) : 1;
	if (!json_is_string(v) && !json_is_array(v))
		return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' wants a string "
				 "or a list of strings", s->path, entry, key);
	const char **l = calloc(m + 1, sizeof(*l));
	if (!l)
		return cli_error(EXIT_INPUT, "out of memory");
	for (size_t i = 0; i < m; i++) {
		json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(x) || !json_string_length(x)) {
			free(l);
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' wants "
					 "non-empty strings", s->path, entry, key);
		}
		l[i] = json_string_value(x);
	}
	*out = l;
	*n = m;
	return 0;
}

static int add_file(cli_suite_entry *e, const char *path)
{
	for (size_t i = 0; i < e->nfiles; i++)
		if (!strcmp(e->files[i], path))
			return 0; /* two globs that meet: the file once */
	char **f = realloc(e->files, (e->nfiles + 1) * sizeof(*f));
	if (!f)
		return cli_error(EXIT_INPUT, "out of memory");
	e->files = f;
	if (!(f[e->nfiles] = strdup(path)))
		return cli_error(EXIT_INPUT, "out of memory");
	e->nfiles++;
	return 0;
}

/* The files glob `pat` names: under every BENCH_DIR given (the command
 * line wins), else next to the suite file; an absolute glob as is.  A
 * glob that matches nothing anywhere is an error naming the entry. */
static int resolve_glob(const cli_suite *s, cli_suite_entry *e, const char *pat,
			const char *const *dirs, size_t ndirs)
{
	size_t nbase = pat[0] == '/' ? 1 : ndirs ? ndirs : 1, before = e->nfiles;
	for (size_t d = 0; d < nbase; d++) {
		const char *base = pat[0] == '/' ? "" : ndirs ? dirs[d] : s->dir;
		size_t n = strlen(base) + strlen(pat) + 2;
		char *full = malloc(n);
		if (!full)
			return cli_error(EXIT_INPUT, "out of memory");
		snprintf(full, n, "%s%s%s", base, base[0] ? "/" : "", pat);
		glob_t g;
		int grc = glob(full, 0, NULL, &g);
		free(full);
		if (grc == GLOB_NOSPACE)
			return cli_error(EXIT_INPUT, "out of memory");
		if (grc == GLOB_ABORTED) {
			globfree(&g);
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': cannot read the "
					 "directories of '%s' under '%s'", s->path, e->name,
					 pat, base[0] ? base : "/");
		}
		for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++) {
			const char *p = g.gl_pathv[i];
			struct stat st;
			FILE *f = NULL;
			if (stat(p, &st) || (!S_ISDIR(st.st_mode) && !(f = fopen(p, "rb")))) {
				int err = errno;
				/* p is g's: named before globfree, never after */
				cli_error(EXIT_INPUT, "%s: suite entry '%s': cannot open '%s': %s",
					  s->path, e->name, p, strerror(err));
				globfree(&g);
				return EXIT_INPUT;
			}
			if (f)
				fclose(f);
			if (S_ISDIR(st.st_mode)) {
				cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' is a "
					  "directory: name its files ('%s/*.jsonl')",
					  s->path, e->name, p, pat);
				globfree(&g);
				return EXIT_INPUT;
			}
			if (add_file(e, p)) {
				globfree(&g);
				return EXIT_INPUT;
			}
		}
		globfree(&g);
	}
	if (e->nfiles == before) {
		if (pat[0] == '/' || !ndirs)
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' matches no "
					 "file%s%s%s", s->path, e->name, pat,
					 pat[0] == '/' ? "" : " under '",
					 pat[0] == '/' ? "" : s->dir,
					 pat[0] == '/' ? "" : "' (the suite file's directory; "
					 "give BENCH_DIR to look elsewhere)");
		return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' matches no file "
				 "under %s%s%s", s->path, e->name, pat,
				 ndirs > 1 ? "any of the BENCH_DIRs ('" : "'", dirs[0],
				 ndirs > 1 ? "', ...)" : "'");
	}
	return 0;
}

static const char *const entry_keys[] = {
	"name", "paths", "split", "fields", "question_fields", "answer_fields",
	"id_field", "no_header", "header", "records", "lines_per_record",
	"description", "source", NULL
};

static int load_entry(cli_suite *s, size_t k, json_t *o, const char *split,
		      const char *const *dirs, size_t ndirs)
{
	cli_suite_entry *e = &s->entries[k];
	json_t *name = json_object_get(o, "name");
	char label[32];
	snprintf(label, sizeof(label), "#%zu", k + 1);
	if (!json_is_string(name) || !json_string_length(name))
		return cli_error(EXIT_INPUT, "%s: suite entry %s has no \"name\" (a "
				 "non-empty string)", s->path, label);
	e->name = json_string_value(name);
	for (size_t i = 0; i < k; i++)
		if (!strcmp(s->entries[i].name, e->name))
			return cli_error(EXIT_INPUT, "%s: suite entry '%s' is named twice "
					 "(entries %zu and %zu)", s->path, e->name, i + 1, k + 1);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool known = false;
		for (size_t i = 0; entry_keys[i] && !known; i++)
			known = !strcmp(entry_keys[i], key);
		if (!known)
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': unknown key '%s' "
					 "(suites/README.md lists the keys)", s->path,
					 e->name, key);
	}
	int rc;
	if ((rc = string_list(s, e->name, "fields", json_object_get(o, "fields"),
			      &e->fields, &e->nfields)) ||
	    (rc = string_list(s, e->name, "question_fields",
			      json_object_get(o, "question_fields"), &e->qfields,
			      &e->nqfields)) ||
	    (rc = string_list(s, e->name, "answer_fields",
			      json_object_get(o, "answer_fields"), &e->afields,
			      &e->nafields)))
		return rc;
	if ((e->nqfields > 0) != (e->nafields > 0) || (e->nqfields && e->nfields))
		return cli_error(EXIT_INPUT, "%s: suite entry '%s': question_fields and "
				 "answer_fields go together, and not with fields",
				 s->path, e->name);
	const char *skeys[] = { "id_field", "records", "split" };
	const char **sval[] = { &e->id_field, &e->records, &e->split };
	for (int i = 0; i < 3; i++) {
		json_t *x = json_object_get(o, skeys[i]);
		if (x && (!json_is_string(x) || !json_string_length(x)))
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' wants a "
					 "non-empty string", s->path, e->name, skeys[i]);
		*sval[i] = x ? json_string_value(x) : NULL;
	}
	const char *bkeys[] = { "no_header", "header" };
	int *bval[] = { &e->no_header, &e->header };
	for (int i = 0; i < 2; i++) {
		json_t *x = json_object_get(o, bkeys[i]);
		if (x && !json_is_boolean(x))
			return cli_error(EXIT_INPUT, "%s: suite entry '%s': '%s' wants true "
					 "or false", s->path, e->name, bkeys[i]);
		*bval[i] = json_is_true(x);
	}
	json_t *lpr = json_object_get(o, "lines_per_record");
	if (lpr && (!json_is_integer(lpr) || json_integer_value(lpr) < 1 ||
		    json_integer_value(lpr) > 4096))
		return cli_error(EXIT_INPUT, "%s: suite entry '%s': 'lines_per_record' "
				 "wants 1..4096", s->path, e->name);
	e->lines_per_record = lpr ? (uint32_t)json_integer_value(lpr) : 0;
	/* paths: globs, or {"test": globs, "validation": globs, ...} with
	 * "split" (or --split) choosing one */
	json_t *paths = json_object_get(o, "paths");
	if (json_is_object(paths)) {
		const char *want = split ? split : e->split ? e->split : "test";
		json_t *sp = json_object_get(paths, want);
		if (!sp)
			return cli_error(EXIT_INPUT, "%s: suite entry '%s' has no split "
					 "'%s' in its paths", s->path, e->name, want);
		e->split = want;
		paths = sp;
	} else if (split && e->split && strcmp(split, e->split)) {
		return cli_error(EXIT_INPUT, "%s: suite entry '%s' holds only split '%s', "
				 "not '%s' (--split)", s->path, e->name, e->split, split);
	}
	const char **globs = NULL;
	size_t nglobs = 0;
	if (!paths)
		return cli_error(EXIT_INPUT, "%s: suite entry '%s' has no \"paths\"",
				 s->path, e->name);
	if ((rc = string_list(s, e->name, "paths", paths, &globs, &nglobs)))
		return rc;
	for (size_t i = 0; i < nglobs && !rc; i++)
		rc = resolve_glob(s, e, globs[i], dirs, ndirs);
	free(globs);
	return rc;
}

/* The comma-separated names of --only, one by one: *len is the length of
 * the name at p; returns where the next starts (NULL after the last). */
static const char *only_next(const char *p, size_t *len)
{
	const char *end = strchr(p, ',');
	*len = end ? (size_t)(end - p) : strlen(p);
	return end ? end + 1 : NULL;
}

/* Is `name` one of the names in `only`? */
static bool only_has(const char *only, const char *name)
{
	size_t n = strlen(name), len;
	for (const char *p = only, *next; p && *p; p = next) {
		next = only_next(p, &len);
		if (len == n && !strncmp(p, name, n))
			return true;
	}
	return false;
}

/* Every name of --only must be an entry's: a misspelt one would
 * otherwise leave that benchmark out without a word. */
static int check_only(const char *path, const char *only, json_t *list)
{
	size_t len;
	for (const char *p = only, *next; p && *p; p = next) {
		next = only_next(p, &len);
		bool found = false;
		for (size_t i = 0; i < json_array_size(list) && !found; i++) {
			const char *n = json_string_value(
				json_object_get(json_array_get(list, i), "name"));
			found = n && strlen(n) == len && !strncmp(n, p, len);
		}
		if (!found || !len) {
			int rc = cli_error(EXIT_USAGE, "--only '%.*s': %s has no such entry",
					   (int)len, p, path);
			fprintf(stderr, "contam: its entries:");
			for (size_t i = 0; i < json_array_size(list); i++) {
				const char *n = json_string_value(
					json_object_get(json_array_get(list, i), "name"));
				if (n)
					fprintf(stderr, " %s", n);
			}
			fputc('\n', stderr);
			return rc;
		}
	}
	return 0;
}

int cli_suite_load(cli_suite *s, const char *path, const char *split,
		   const char *only, const char *const *dirs, size_t ndirs)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	int rc = 0;
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->split = split;
	for (size_t i = 0; i < ndirs; i++) {
		struct stat st;
		if (stat(dirs[i], &st))
			return cli_error(EXIT_INPUT, "cannot open '%s': %s", dirs[i],
					 strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return cli_error(EXIT_INPUT, "'%s' is not a directory: with --suite, "
					 "the arguments after INDEX are the directories the "
					 "suite's paths are under", dirs[i]);
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return cli_error(EXIT_INPUT, "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		unsigned char *b = realloc(bytes, len + 65536);
		if (!b) {
			fclose(f);
			free(bytes);
			return cli_error(EXIT_INPUT, "out of memory");
		}
		bytes = b;
		size_t got = fread(bytes + len, 1, 65536, f);
		len += got;
		if (got < 65536)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(bytes);
		return cli_error(EXIT_INPUT, "cannot read '%s': %s", path, strerror(errno));
	}
	sha256_hex(bytes, len, s->sha256);
	json_error_t jerr;
	json_t *doc = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &jerr);
	free(bytes);
	if (!doc)
		return cli_error(EXIT_INPUT, "%s:%d:%d: not a suite file: %s", path,
				 jerr.line, jerr.column, jerr.text);
	s->doc = doc;
	/* the suite file's directory, for its relative globs */
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(s->dir, sizeof(s->dir), ".");
	else
		snprintf(s->dir, sizeof(s->dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	json_t *list = json_is_object(doc) ? json_object_get(doc, "benchmarks") : NULL;
	if (!json_is_array(list) || !json_array_size(list)) {
		rc = cli_error(EXIT_INPUT, "%s: not a suite file: it wants an object with "
			       "a non-empty \"benchmarks\" list (suites/README.md)", path);
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "benchmarks") && strcmp(key, "description") &&
		    strcmp(key, "name")) {
			rc = cli_error(EXIT_INPUT, "%s: unknown key '%s' (a suite holds "
				       "name, description and benchmarks)", path, key);
			goto out;
		}
	}
	if (only && (rc = check_only(path, only, list)))
		goto out;
	size_t n = json_array_size(list);
	if (!(s->entries = calloc(n, sizeof(*s->entries)))) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(list, i);
		if (!json_is_object(o)) {
			rc = cli_error(EXIT_INPUT, "%s: suite entry #%zu is not an object",
				       path, i + 1);
			goto out;
		}
		const char *name = json_string_value(json_object_get(o, "name"));
		if (only && !(name && only_has(only, name)))
			continue; /* not asked for: its files are not looked for */
		s->n++;
		if ((rc = load_entry(s, s->n - 1, o, split, dirs, ndirs)))
			goto out;
	}
	/* every file of the run, named by its entry (for the index loader) */
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++)
		total += s->entries[i].nfiles;
	s->all.paths = calloc(total + 1, sizeof(char *));
	s->all.names = calloc(total + 1, sizeof(char *));
	if (!s->all.paths || !s->all.names) {
		rc = cli_error(EXIT_INPUT, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->entries[i].nfiles; j++) {
			s->all.paths[s->all.n] = strdup(s->entries[i].files[j]);
			s->all.names[s->all.n] = strdup(s->entries[i].name);
			if (!s->all.paths[s->all.n] || !s->all.names[s->all.n++]) {
				rc = cli_error(EXIT_INPUT, "out of memory");
				goto out;
			}
		}
out:
	if (rc)
		cli_suite_free(s);
	return rc;
}

/* The run's options with entry e's layout. */
static void entry_options(const cli_suite_entry *e, const contam_probe_options *base,
			  contam_probe_options *o)
{
	*o = *base;
	o->fields = e->fields;
	o->nfields = e->nfields;
	o->question_fields = e->qfields;
	o->nquestion_fields = e->nqfields;
	o->answer_fields = e->afields;
	o->nanswer_fields = e->nafields;
	o->id_field = e->id_field;
	o->no_header = e->no_header;
	o->force_header = e->header;
	o->records = e->records;
	o->lines_per_record = e->lines_per_record;
}

int cli_suite_probe(const cli_suite *s, const contam_index *ix,
		    const char *index_path, const contam_probe_options *base,
		    bool report, contam_probe ***out)
{
	contam_probe **pv = calloc(s->n ? s->n : 1, sizeof(*pv));
	int rc = 0;
	*out = pv;
	if (!pv)
		return report ? cli_error(EXIT_INPUT, "out of memory") : EXIT_INPUT;
	for (size_t i = 0; i < s->n && !rc; i++) {
		const cli_suite_entry *e = &s->entries[i];
		contam_probe_options o;
		contam_error err;
		entry_options(e, base, &o);
		if (contam_probe_new(&pv[i], ix, index_path, &o, &err)) {
			rc = report ? cli_error(EXIT_INPUT, "suite entry '%s': %s", e->name,
						err.msg) : EXIT_INPUT;
			break;
		}
		for (size_t j = 0; j < e->nfiles && !rc; j++) {
			int prc = contam_probe_add_file(pv[i], e->name, e->files[j]);
			if (prc && report)
				rc = cli_error(EXIT_INPUT, "suite entry '%s': %s", e->name,
					       contam_probe_errmsg(pv[i]));
			else if (prc)
				rc = EXIT_INPUT;
		}
	}
	return rc;
}

void cli_suite_probes_free(contam_probe **pv, size_t n)
{
	for (size_t i = 0; pv && i < n; i++)
		contam_probe_free(pv[i]);
	free(pv);
}

int cli_suite_result(const cli_suite *s, contam_probe *const *pv,
		     contam_result *out, contam_benchmark **bms,
		     contam_example **exs)
{
	size_t nb = 0, ne = 0;
	contam_result r;
	*bms = NULL;
	*exs = NULL;
	for (size_t i = 0; i < s->n; i++) {
		contam_probe_result(pv[i], &r);
		nb += r.nbenchmarks;
		ne += r.nexamples;
	}
	contam_probe_result(pv[0], out);
	*bms = calloc(nb ? nb : 1, sizeof(**bms));
	*exs = calloc(ne ? ne : 1, sizeof(**exs));
	if (!*bms || !*exs)
		return cli_error(EXIT_INPUT, "out of memory");
	/* the entries' benchmarks and examples end to end, in suite order;
	 * names and strings stay the probes' */
	nb = ne = 0;
	for (size_t i = 0; i < s->n; i++) {
		contam_probe_result(pv[i], &r);
		memcpy(*bms + nb, r.benchmarks, r.nbenchmarks * sizeof(**bms));
		memcpy(*exs + ne, r.examples, r.nexamples * sizeof(**exs));
		nb += r.nbenchmarks;
		ne += r.nexamples;
		out->qa_split |= r.qa_split;
	}
	out->benchmarks = *bms;
	out->nbenchmarks = nb;
	out->examples = *exs;
	out->nexamples = ne;
	out->suite_path = s->path;
	out->suite_sha256 = s->sha256;
	out->suite_split = s->split;
	return 0;
}

/* ---- --fail-above RATE ---- */

int cli_parse_rate(const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	bool pct = end != arg && *end == '%' && end[1] == '\0';
	if (end == arg || errno || (*end && !pct) || !(v >= 0))
		return -1;
	if (pct)
		v /= 100;
	if (v > 1)
		return -1;
	*out = v;
	return 0;
}

size_t cli_fail_above(const contam_result *r, contam_definition d, double rate)
{
	size_t above = 0;
	for (size_t b = 0; b < r->nbenchmarks; b++) {
		const contam_benchmark *bm = &r->benchmarks[b];
		uint64_t k = 0;
		if (bm->examples && bm->too_short == bm->examples) {
			/* nothing measured: a gate that passed would say the
			 * benchmark is clean without having looked */
			above++;
			fprintf(stderr, "contam: '%s' fails --fail-above: none of its %llu "
				"examples was scored (all too_short), so its rate is not "
				"known\n", bm->name, (unsigned long long)bm->examples);
			continue;
		}
		for (size_t i = 0; i < r->nexamples; i++) {
			const contam_example *e = &r->examples[i];
			if (e->benchmark != bm->name && strcmp(e->benchmark, bm->name))
				continue;
			/* contam: the strict contaminated verdict (the report's
			 * contaminated_rate); the others as the report's
			 * definitions (llama2: not_clean) */
			k += d == CONTAM_DEF_CONTAM ? e->verdict == CONTAM_CONTAMINATED
						    : contam_example_flagged(e, d) != 0;
		}
		double v = bm->examples ? (double)k / (double)bm->examples : 0;
		if (v > rate) {
			above++;
			fprintf(stderr, "contam: '%s' is above --fail-above %g%%: %s rate "
				"%.4g%% (%llu of %llu examples)\n", bm->name, rate * 100,
				contam_definition_name(d), v * 100, (unsigned long long)k,
				(unsigned long long)bm->examples);
		}
	}
	return above;
}

/* ---- --write-clean with a suite ---- */

/* An entry's directory under --write-clean DIR: its name with every byte
 * but [A-Za-z0-9._-] as '_' and no leading '.', so that a name
 * ("llmfoundry/arc", "../x") never leaves DIR. */
static void entry_dir_name(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = name; *p && n + 1 < cap; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
			  (ch == '.' && n > 0);
		out[n++] = ok ? ch : '_';
	}
	out[n] = '\0';
}

int cli_suite_write_clean(const cli_suite *s, contam_probe *const *pv,
			  const contam_clean_options *base)
{
	char **dirs = calloc(s->n ? s->n : 1, sizeof(*dirs));
	int rc = 0;
	if (!dirs)
		return cli_error(EXIT_INPUT, "out of memory");
	/* every entry's directory first: two names that meet are refused
	 * before anything is written */
	for (size_t i = 0; i < s->n && !rc; i++) {
		char leaf[256];
		entry_dir_name(s->entries[i].name, leaf, sizeof(leaf));
		size_t n = strlen(base->dir) + strlen(leaf) + 2;
		if (!(dirs[i] = malloc(n))) {
			rc = cli_error(EXIT_INPUT, "out of memory");
			break;
		}
		snprintf(dirs[i], n, "%s/%s", base->dir, leaf);
		for (size_t j = 0; j < i && !rc; j++)
			if (!strcmp(dirs[i], dirs[j]))
				rc = cli_error(EXIT_USAGE, "--write-clean: suite entries '%s' and "
					       "'%s' would both write to '%s': rename one",
					       s->entries[j].name, s->entries[i].name, dirs[i]);
	}
	if (!rc && mkdir(base->dir, 0777) && errno != EEXIST)
		rc = cli_error(EXIT_INPUT, "cannot create '%s': %s", base->dir,
			       strerror(errno));
	for (size_t i = 0; i < s->n && !rc; i++) {
		contam_clean_options co = *base;
		co.dir = dirs[i];
		int wrc = contam_probe_write_clean(pv[i], &co);
		if (wrc)
			rc = cli_error(wrc == CONTAM_E_PARAM ? EXIT_USAGE : EXIT_INPUT,
				       "suite entry '%s': %s", s->entries[i].name,
				       contam_probe_errmsg(pv[i]));
	}
	for (size_t i = 0; i < s->n; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

bool cli_suite_layout(const cli_suite *s, const char *source,
		      contam_bench_layout *out)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const cli_suite_entry *e = &s->entries[i];
		for (size_t j = 0; j < e->nfiles; j++) {
			if (strcmp(e->files[j], source))
				continue;
			*out = (contam_bench_layout){
				.fields = e->fields, .nfields = e->nfields,
				.id_field = e->id_field, .no_header = e->no_header,
				.force_header = e->header, .records = e->records,
				.lines_per_record = e->lines_per_record,
				.question_fields = e->qfields,
				.nquestion_fields = e->nqfields,
				.answer_fields = e->afields,
				.nanswer_fields = e->nafields,
			};
			return true;
		}
	}
	return false;
}
