/*
 * test_inputs.c -- what contam_inputs_expand_walk takes and skips, file
 * identity (symlinks, spellings), the input notes of the
 * index file (problem counts, messages, skips, fingerprint) and that an
 * index file without them still loads.
 */
#include "common/common.h"
#include "index/index.h"
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int slot;
	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof buf[slot], "%.200s/%.300s", tmpdir, name);
	return buf[slot];
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(tpath(name), "wb");
	if (!f) {
		perror(name);
		exit(1);
	}
	fwrite(data, 1, n, f);
	fclose(f);
}

static void write_str(const char *name, const char *s)
{
	write_file(name, s, strlen(s));
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int has_path(const contam_inputs *in, const char *path)
{
	for (size_t i = 0; i < in->count; i++)
		if (!strcmp(in->paths[i], path))
			return 1;
	return 0;
}

static const contam_input_skip *find_skip(const contam_inputs *in,
					  contam_skip_reason reason)
{
	for (size_t i = 0; i < in->nskips; i++)
		if (in->skips[i].reason == reason)
			return &in->skips[i];
	return NULL;
}

static int skip_names(const contam_input_skip *k, const char *name)
{
	for (size_t i = 0; k && i < k->nnames; i++)
		if (!strcmp(k->names[i], name))
			return 1;
	return 0;
}

/* Unknown kinds and contam's own outputs are skipped in walks, counted
 * and named; corpus files (by name, or text with an unknown name) are
 * taken. */
static void test_walk_skips(void)
{
	static const unsigned char parquet[] = "PAR1\x15\x04\x15\x10\x15\x14\x4c\x15";
	static const unsigned char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0";
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	mkdir(tpath("w"), 0755);
	write_str("w/a.txt", "alpha bravo charlie delta echo foxtrot golf hotel\n");
	write_str("w/b.jsonl", "{\"text\": \"one two three four five six seven eight\"}\n");
	write_str("w/README", "plain words without a suffix are text\n");
	write_file("w/data.parquet", parquet, sizeof parquet);
	write_file("w/tool", elf, sizeof elf);
	write_file("w/img.png", png, sizeof png);
	write_str("w/idx.cidx", "CONTAMIX\1\0\0\0 a contam index header");
	write_str("w/idx.cidx.checkpoint", "CONTAMIX\1\0\0\0 a checkpoint");
	write_str("w/out.cidx.tmp.4242", "half a file");
	write_str("w/purify-manifest.jsonl",
		  "{\"file\": \"x\", \"output\": \"y\", \"action\": \"drop\"}\n");
	write_str("w/report.json", "{\n  \"report_version\": 1,\n  \"tool\": {\"name\": "
		  "\"contam\", \"version\": \"0.1.0\"},\n  \"index\": {}\n}\n");
	write_str("w/hits.jsonl", "{\"file\": \"c.jsonl\", \"kind\": \"jsonl\", "
		  "\"doc_bytes\": 10, \"examples\": [], \"regions\": []}\n");
	write_str("w/.hidden.txt", "hidden words\n");
	CHECK(mkfifo(tpath("w/pipe"), 0644) == 0);
	mkdir(tpath("w/.git"), 0755);
	write_str("w/.git/HEAD", "ref: refs/heads/main\n");

	const char *args[] = { tpath("w") };
	contam_inputs in;
	contam_error err;
	int rc = contam_inputs_expand_walk(&in, args, 1, NULL, &err);
	CHECK(rc == CONTAM_OK);
	if (rc)
		return;
	/* a .parquet file is a corpus kind now: taken */
	CHECK_EQ_U64(in.count, 4);
	CHECK(has_path(&in, tpath("w/data.parquet")));
	CHECK(has_path(&in, tpath("w/a.txt")));
	CHECK(has_path(&in, tpath("w/b.jsonl")));
	CHECK(has_path(&in, tpath("w/README")));
	const contam_input_skip *unknown = find_skip(&in, CONTAM_SKIP_UNKNOWN_KIND);
	CHECK(unknown && unknown->count == 3);
	CHECK(skip_names(unknown, "pipe"));
	CHECK(!skip_names(unknown, "data.parquet"));
	CHECK(skip_names(unknown, "tool"));
	CHECK(skip_names(unknown, "img.png"));
	CHECK(unknown && !strcmp(unknown->dir, tpath("w")));
	const contam_input_skip *own = find_skip(&in, CONTAM_SKIP_CONTAM_OUTPUT);
	CHECK(own && own->count == 6);
	CHECK(skip_names(own, "idx.cidx"));
	CHECK(skip_names(own, "idx.cidx.checkpoint"));
	CHECK(skip_names(own, "out.cidx.tmp.4242"));
	CHECK(skip_names(own, "purify-manifest.jsonl"));
	CHECK(skip_names(own, "report.json"));
	CHECK(skip_names(own, "hits.jsonl"));
	const contam_input_skip *hidden = find_skip(&in, CONTAM_SKIP_HIDDEN);
	CHECK(hidden && hidden->count == 2 && skip_names(hidden, ".git") &&
	      skip_names(hidden, ".hidden.txt"));
	CHECK(hidden && hidden->nnames == 2 && !strcmp(hidden->names[0], ".git"));
	CHECK_EQ_U64(in.nargs, 1);
	CHECK(in.arg_is_dir[0] == 1);
	contam_inputs_free(&in);

	/* named on the command line: an unknown kind is kept (the reader
	 * decides), contam's outputs are refused with a reason */
	const char *named[] = { tpath("w/data.parquet") };
	CHECK(contam_inputs_expand_walk(&in, named, 1, NULL, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 1);
	contam_inputs_free(&in);
	const char *own_named[] = { tpath("w/idx.cidx") };
	CHECK(contam_inputs_expand_walk(&in, own_named, 1, NULL, &err) ==
	      CONTAM_E_FORMAT);
	CHECK(strstr(err.msg, "idx.cidx") && strstr(err.msg, "contam index"));
	const char *hits_named[] = { tpath("w/hits.jsonl") };
	CHECK(contam_inputs_expand_walk(&in, hits_named, 1, NULL, &err) ==
	      CONTAM_E_FORMAT);
	CHECK(strstr(err.msg, "hits") != NULL);
}

/* --include/--exclude: a glob with '/' against the relative path, others
 * against the base name; an excluded directory is not walked. */
static void test_globs(void)
{
	mkdir(tpath("g"), 0755);
	mkdir(tpath("g/keep"), 0755);
	mkdir(tpath("g/out"), 0755);
	write_str("g/keep/a.txt", "one two three\n");
	write_str("g/keep/b.jsonl", "{\"text\": \"x\"}\n");
	write_str("g/out/c.txt", "four five six\n");
	write_str("g/d.txt", "seven eight\n");
	const char *args[] = { tpath("g") };
	const char *inc[] = { "*.txt" };
	const char *exc[] = { "out" };
	contam_walk_options o = { inc, 1, exc, 1 };
	contam_inputs in;
	contam_error err;
	CHECK(contam_inputs_expand_walk(&in, args, 1, &o, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 2);
	CHECK(has_path(&in, tpath("g/keep/a.txt")));
	CHECK(has_path(&in, tpath("g/d.txt")));
	const contam_input_skip *x = find_skip(&in, CONTAM_SKIP_EXCLUDED);
	CHECK(x && x->count == 2); /* b.jsonl (not included), out/ (excluded) */
	CHECK(skip_names(x, "keep/b.jsonl"));
	CHECK(skip_names(x, "out"));
	contam_inputs_free(&in);

	const char *inc2[] = { "keep/*" };
	contam_walk_options o2 = { inc2, 1, NULL, 0 };
	CHECK(contam_inputs_expand_walk(&in, args, 1, &o2, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 2);
	CHECK(has_path(&in, tpath("g/keep/a.txt")));
	CHECK(has_path(&in, tpath("g/keep/b.jsonl")));
	contam_inputs_free(&in);

	/* globs never drop a file named explicitly */
	const char *named[] = { tpath("g/keep/b.jsonl") };
	CHECK(contam_inputs_expand_walk(&in, named, 1, &o, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 1);
	contam_inputs_free(&in);
}

/* A DAG of symlinked directories is walked once per directory (r14: an
 * 84 KB tree made one file 262,144 inputs); a symlink loop ends; one file
 * under two spellings is refused. */
static void test_identity(void)
{
	char a[600], b[600];
	mkdir(tpath("s"), 0755);
	for (int i = 0; i <= 12; i++) {
		snprintf(a, sizeof a, "s/d%d", i);
		mkdir(tpath(a), 0755);
	}
	for (int i = 0; i < 12; i++) {
		snprintf(a, sizeof a, "../d%d", i + 1);
		snprintf(b, sizeof b, "%s/s/d%d/a", tmpdir, i);
		CHECK(symlink(a, b) == 0);
		snprintf(b, sizeof b, "%s/s/d%d/b", tmpdir, i);
		CHECK(symlink(a, b) == 0);
	}
	write_str("s/d12/x.txt", "one two three four five six seven eight nine ten\n");
	snprintf(b, sizeof b, "%s/s/d12/loop", tmpdir);
	CHECK(symlink("..", b) == 0);
	const char *args[] = { tpath("s/d0") };
	contam_inputs in;
	contam_error err;
	CHECK(contam_inputs_expand_walk(&in, args, 1, NULL, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 1);
	const contam_input_skip *dup = find_skip(&in, CONTAM_SKIP_DUPLICATE);
	CHECK(dup && dup->count >= 11);
	contam_inputs_free(&in);

	snprintf(a, sizeof a, "%s/s/d12/x.txt", tmpdir);
	snprintf(b, sizeof b, "%s/s//d12/./x.txt", tmpdir);
	const char *two[] = { a, b };
	CHECK(contam_inputs_expand_walk(&in, two, 2, NULL, &err) == CONTAM_E_PARAM);
	CHECK(strstr(err.msg, "more than once") != NULL);
	/* named, and inside a directory given */
	const char *both[] = { tpath("s/d12"), a };
	CHECK(contam_inputs_expand_walk(&in, both, 2, NULL, &err) == CONTAM_E_PARAM);
	const char *both2[] = { a, tpath("s/d12") };
	CHECK(contam_inputs_expand_walk(&in, both2, 2, NULL, &err) == CONTAM_E_PARAM);
}

/* contam_inputs_find_unread: the first argument none of whose files
 * gave a document. */
static void test_find_unread(void)
{
	mkdir(tpath("u"), 0755);
	write_str("u/a.txt", "x");
	write_str("u/b.txt", "y");
	write_str("c.txt", "z");
	const char *args[] = { tpath("c.txt"), tpath("u") };
	contam_inputs in;
	contam_error err;
	CHECK(contam_inputs_expand_walk(&in, args, 2, NULL, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 3);
	uint64_t docs[3] = { 1, 0, 1 };  /* c.txt, u/a.txt, u/b.txt */
	CHECK(contam_inputs_find_unread(&in, docs) == -1);
	docs[2] = 0;
	CHECK(contam_inputs_find_unread(&in, docs) == 1);
	docs[0] = 0;
	CHECK(contam_inputs_find_unread(&in, docs) == 0);
	contam_inputs_free(&in);
}

static void test_fingerprint(void)
{
	write_str("fp.txt", "some content\n");
	uint64_t a = contam_input_fingerprint(tpath("fp.txt"));
	CHECK(a != 0);
	CHECK(contam_input_fingerprint(tpath("fp.txt")) == a);
	write_str("fp.txt", "some contenT\n"); /* same size, other bytes */
	CHECK(contam_input_fingerprint(tpath("fp.txt")) != a);
	CHECK(contam_input_fingerprint(tpath("no-such-file")) == 0);
	CHECK(contam_input_fingerprint(tmpdir) == 0);
	/* a 3 MiB file: a change in its middle MiB is not seen (by design:
	 * first and last MiB), one in its last MiB is */
	size_t n = 3u << 20;
	char *big = malloc(n);
	memset(big, 'a', n);
	write_file("fp.big", big, n);
	uint64_t b1 = contam_input_fingerprint(tpath("fp.big"));
	big[n - 10] = 'b';
	write_file("fp.big", big, n);
	CHECK(contam_input_fingerprint(tpath("fp.big")) != b1);
	free(big);
}

/* The notes of an index survive a save and a load; messages are bounded
 * per input; an index file written without the notes section (an older
 * contam) loads with none. */
static void test_notes_round_trip(void)
{
	write_str("n1.jsonl", "{\"text\": \"alpha bravo charlie delta echo foxtrot golf hotel\"}\n"
		  "{\"txt\": \"no text field\"}\n{\"text\": \n");
	for (int i = 0; i < 30; i++) {
		char line[64];
		snprintf(line, sizeof line, "{\"t\": %d}\n", i);
		FILE *f = fopen(tpath("n2.jsonl"), i ? "ab" : "wb");
		fputs(line, f);
		fclose(f);
	}
	mkdir(tpath("nd"), 0755);
	write_str("nd/ok.txt", "india juliet kilo lima mike november oscar papa\n");
	write_str("nd/x.pdf", "%PDF-1.4\n");
	const char *args[] = { tpath("n1.jsonl"), tpath("n2.jsonl"), tpath("nd") };
	contam_inputs in;
	contam_error err;
	CHECK(contam_inputs_expand_walk(&in, args, 3, NULL, &err) == CONTAM_OK);
	contam_params p;
	double fpr;
	CHECK(contam_plan_filter(10000, 1e-3, 0, 8, &p, &fpr, NULL) == CONTAM_OK);
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	CHECK(contam_index_build(ix, &in, NULL) == CONTAM_OK);
	CHECK(contam_index_save(ix, tpath("n.cidx")) == CONTAM_OK);
	contam_index_free(ix);
	contam_inputs_free(&in);

	CHECK(contam_index_load(&ix, tpath("n.cidx"), NULL) == CONTAM_OK);
	CHECK_EQ_U64(contam_index_manifest_count(ix), 3);
	for (size_t i = 0; i < contam_index_manifest_count(ix); i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		CHECK(e->fingerprint != 0);
		if (strstr(e->path, "n1.jsonl")) {
			CHECK_EQ_U64(e->documents, 1);
			CHECK_EQ_U64(e->problems[CONTAM_PROBLEM_NO_TEXT], 1);
			CHECK_EQ_U64(e->problems[CONTAM_PROBLEM_DAMAGED], 1);
			CHECK_EQ_U64(e->nmessages, 2);
			CHECK(e->nmessages == 2 && strstr(e->messages[0], "n1.jsonl") &&
			      strstr(e->messages[0], "text"));
		} else if (strstr(e->path, "n2.jsonl")) {
			CHECK_EQ_U64(e->documents, 0);
			CHECK_EQ_U64(e->problems[CONTAM_PROBLEM_NO_TEXT], 30);
			CHECK_EQ_U64(e->problems[CONTAM_PROBLEM_EMPTY], 1);
			CHECK_EQ_U64(e->nmessages, CONTAM_MANIFEST_MESSAGES);
		} else {
			CHECK_EQ_U64(e->documents, 1);
			CHECK_EQ_U64(e->nmessages, 0);
		}
	}
	CHECK_EQ_U64(contam_index_skip_count(ix), 1);
	const contam_input_skip *k = contam_index_skip_get(ix, 0);
	CHECK(k && k->reason == CONTAM_SKIP_UNKNOWN_KIND && k->count == 1 &&
	      k->nnames == 1 && !strcmp(k->names[0], "x.pdf"));

	contam_index_free(ix);

}

/* A file that cannot be opened when it is read is counted unreadable
 * (so --resume reads it again), with the reason kept. */
static void test_unreadable(void)
{
	write_str("gone.txt", "alpha bravo charlie delta echo foxtrot golf hotel\n");
	write_str("stays.txt", "india juliet kilo lima mike november oscar papa\n");
	const char *args[] = { tpath("gone.txt"), tpath("stays.txt") };
	contam_inputs in;
	contam_error err;
	CHECK(contam_inputs_expand_walk(&in, args, 2, NULL, &err) == CONTAM_OK);
	unlink(tpath("gone.txt"));
	contam_params p;
	double fpr;
	CHECK(contam_plan_filter(1000, 1e-3, 0, 8, &p, &fpr, NULL) == CONTAM_OK);
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	CHECK(contam_index_build(ix, &in, NULL) == CONTAM_OK);
	const contam_manifest_entry *e = contam_index_manifest_get(ix, 0);
	CHECK(e && e->problems[CONTAM_PROBLEM_UNREADABLE] == 1 && e->documents == 0);
	CHECK(e && e->nmessages == 1 && strstr(e->messages[0], "gone.txt") &&
	      strstr(e->messages[0], "No such file"));
	CHECK(e && e->fingerprint == 0);
	contam_index_free(ix);
	contam_inputs_free(&in);
}

/* An index written before the notes section (by contam at 769b2ed:
 * testdata/index_v1_no_notes.cidx) loads, with no notes. */
static void test_old_file_loads(const char *datadir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/index_v1_no_notes.cidx", datadir);
	contam_index *ix = NULL;
	CHECK(contam_index_load(&ix, path, NULL) == CONTAM_OK);
	CHECK_EQ_U64(contam_index_manifest_count(ix), 2);
	CHECK_EQ_U64(contam_index_skip_count(ix), 0);
	for (size_t i = 0; i < contam_index_manifest_count(ix); i++) {
		const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
		CHECK(e->fingerprint == 0 && e->nmessages == 0 && e->messages == NULL);
		CHECK(e->problems[CONTAM_PROBLEM_DAMAGED] == 0);
		CHECK_EQ_U64(e->documents, 1);
	}
	/* saved again, it gets the section, and still loads */
	CHECK(contam_index_save(ix, tpath("resaved.cidx")) == CONTAM_OK);
	contam_index_free(ix);
	ix = NULL;
	CHECK(contam_index_load(&ix, tpath("resaved.cidx"), NULL) == CONTAM_OK);
	CHECK_EQ_U64(contam_index_manifest_count(ix), 2);
	contam_index_free(ix);
}

int main(int argc, char **argv)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/contam-test-inputs-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_walk_skips();
	test_globs();
	test_identity();
	test_find_unread();
	test_fingerprint();
	test_notes_round_trip();
	test_unreadable();
	test_old_file_loads(tu_datadir(argc, argv));
	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tu_finish("test_inputs");
}
