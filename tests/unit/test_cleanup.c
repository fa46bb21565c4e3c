/*
 * test_cleanup.c -- small guards: a handle whose filter cannot be
 * written is never built into, and the readers' line bound.
 *
 * Properties: contam_index_build into a handle loaded by mmap, or into a
 * summary handle, fails with CONTAM_E_PARAM and a message that says how
 * to load it instead, before any input is read, and leaves the handle's
 * contents and answers as they were; a handle loaded by contam_index_load
 * from the same file builds; creader_line_max clamps to [16 B, 1 GiB]
 * with 0 meaning the readers' default.
 */
#include "index/index.h"
#include "reader/reader.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* contam_index_build of `corpus` into ix: its return code */
static int build_into(contam_index *ix, const char *corpus)
{
	contam_inputs in;
	memset(&in, 0, sizeof(in));
	const char *args[] = { corpus };
	if (contam_inputs_expand(&in, args, 1, NULL) != CONTAM_OK)
		return -1000;
	contam_build_options opt;
	contam_build_options_init(&opt);
	int rc = contam_index_build(ix, &in, &opt);
	contam_inputs_free(&in);
	return rc;
}

static void test_build_refused(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(20000, 1e-3, 1 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK && ix);
	if (!ix)
		return;
	uint64_t s = 7, keys[2000];
	for (size_t i = 0; i < 2000; i++)
		keys[i] = splitmix(&s);
	cbloom_insert_batch(&ix->filter, NULL, keys, 2000);
	ix->ngrams_inserted = 2000;
	CHECK(contam_index_set_uncompressed(ix, 1) == CONTAM_OK);
	const char *rpath = tu_path("r.cidx"), *corpus = tu_path("corpus.txt");
	CHECK(contam_index_save(ix, rpath) == CONTAM_OK);
	contam_index_free(ix);
	const char *text = "the quick brown fox jumps over the lazy dog again and "
			   "again until the end of this small test corpus\n";
	tu_write_file(corpus, text, strlen(text));

	contam_index *m = NULL, *sum = NULL, *l = NULL;
	contam_error err;
	CHECK(contam_index_load_mmap(&m, rpath, &err) == CONTAM_OK && m && m->map);
	if (m) {
		contam_index_stats before, after;
		CHECK(contam_index_stats_get(m, &before) == CONTAM_OK);
		CHECK(build_into(m, corpus) == CONTAM_E_PARAM);
		const char *msg = contam_index_errmsg(m);
		CHECK(msg && strstr(msg, "mmap") && strstr(msg, "contam_index_load"));
		CHECK(contam_index_manifest_count(m) == 0);
		CHECK(contam_index_stats_get(m, &after) == CONTAM_OK);
		CHECK(after.documents == before.documents &&
		      after.ngrams_inserted == before.ngrams_inserted &&
		      after.bits_set == before.bits_set);
		s = 7;
		int all = 1;
		for (size_t i = 0; i < 2000; i++)
			all &= contam_index_contains(m, splitmix(&s)) == 1;
		CHECK(all);
		contam_index_free(m);
	}
	CHECK(contam_index_load_summary(&sum, rpath, &err) == CONTAM_OK && sum);
	if (sum) {
		CHECK(build_into(sum, corpus) == CONTAM_E_PARAM);
		const char *msg = contam_index_errmsg(sum);
		CHECK(msg && strstr(msg, "no filter"));
		CHECK(contam_index_manifest_count(sum) == 0);
		contam_index_free(sum);
	}
	/* the same file loaded whole builds */
	CHECK(contam_index_load(&l, rpath, NULL) == CONTAM_OK && l);
	if (l) {
		CHECK(build_into(l, corpus) == CONTAM_OK);
		CHECK(contam_index_manifest_count(l) == 1);
		contam_index_free(l);
	}
}

static void test_line_max(void)
{
	CHECK(creader_line_max(0) == CREADER_DEFAULT_MAX_RECORD);
	CHECK(creader_line_max(1) == 16);
	CHECK(creader_line_max(16) == 16);
	CHECK(creader_line_max(4096) == 4096);
	CHECK(creader_line_max((uint64_t)1 << 30) == (size_t)1 << 30);
	CHECK(creader_line_max(((uint64_t)1 << 30) + 1) == (size_t)1 << 30);
	CHECK(creader_line_max(UINT64_MAX) == (size_t)1 << 30);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/contam-cleanup-XXXXXX");
	if (!mkdtemp(tu_tmpdir))
		return 1;
	test_build_refused();
	test_line_max();
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tu_tmpdir);
	return tu_finish("test_cleanup");
}
