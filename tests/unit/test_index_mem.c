/*
 * test_index_mem.c -- loading an index from memory and by mmap, the
 * uncompressed filter, and a partition set answered one partition at a
 * time.
 *
 * Properties: a file's bytes loaded from memory give the index the path
 * load gives (same answers, statistics, manifest); damage or truncation is
 * refused with no handle and a message; an uncompressed file loads by
 * mmap with the compressed file's answers and statistics, and its stored
 * statistics are checked by a full load; a single partition never answers
 * "absent" for a key it does not hold; a partition set resolved one
 * partition at a time answers the recorded keys as the whole set does and
 * refuses (-1) any other.
 */
#include "index/index.h"
#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <xxhash.h>

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	*n = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (len > 0 && (p = malloc((size_t)len)) && fread(p, 1, (size_t)len, f) == (size_t)len)
		*n = (size_t)len;
	fclose(f);
	return p;
}

/* An index of P partitions (P = 1: whole) holding n keys of `seed`. */
static contam_index *make(const contam_params *p, uint32_t part, uint32_t P,
			  uint64_t n, uint64_t seed)
{
	contam_index *ix = NULL;
	if (contam_index_new_partition(&ix, p, part, P, NULL))
		return NULL;
	uint64_t *keys = malloc(n * sizeof(*keys)), s = seed;
	for (uint64_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	cbloom_insert_batch(&ix->filter, NULL, keys, n);
	ix->ngrams_inserted = n;
	free(keys);
	contam_manifest_entry e = { 0 };
	e.path = (char *)"corpus.txt";
	e.documents = 3;
	e.ngrams = n;
	contam_index_add_manifest(ix, &e);
	ix->ngrams_inserted = n;
	return ix;
}

static int same_answers(const contam_index *a, const contam_index *b, uint64_t seed,
			uint64_t n)
{
	uint64_t s = seed;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = splitmix(&s) ^ (i & 1 ? 0x5555 : 0);
		if (contam_index_contains(a, k) != contam_index_contains(b, k))
			return 0;
	}
	return 1;
}

static void test_load_memory(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(20000, 1e-3, 4 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	contam_index *ix = make(&p, 0, 1, 20000, 3);
	CHECK(ix != NULL);
	if (!ix)
		return;
	const char *path = tu_path("m.cidx");
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	size_t n = 0;
	unsigned char *buf = slurp(path, &n);
	CHECK(buf && n > 0);
	contam_index *fromfile = NULL, *frommem = NULL;
	contam_error err;
	CHECK(contam_index_load(&fromfile, path, NULL) == CONTAM_OK);
	CHECK(contam_index_load_memory(&frommem, buf, n, &err) == CONTAM_OK);
	CHECK(frommem != NULL && err.code == 0 && err.msg[0] == '\0');
	if (frommem && fromfile) {
		contam_index_stats a, b;
		contam_index_stats_get(fromfile, &a);
		contam_index_stats_get(frommem, &b);
		CHECK_EQ_U64(a.bits_set, b.bits_set);
		CHECK(a.fpr == b.fpr && a.fill == b.fill);
		CHECK_EQ_U64(contam_index_manifest_count(frommem), 1);
		CHECK_STR(contam_index_manifest_get(frommem, 0)->path, "corpus.txt");
		CHECK(same_answers(fromfile, frommem, 3, 40000));
		uint64_t s = 3, hits = 0;
		for (int i = 0; i < 1000; i++)
			hits += contam_index_contains(frommem, splitmix(&s)) == 1;
		CHECK_EQ_U64(hits, 1000);
	}
	/* the buffer is not used after the call */
	if (buf)
		memset(buf, 0, n);
	if (frommem && fromfile)
		CHECK(same_answers(fromfile, frommem, 3, 1000));
	free(buf);
	buf = slurp(path, &n);
	/* truncated, damaged, empty: refused, no handle, a message */
	contam_index *bad = (contam_index *)&err;
	CHECK(contam_index_load_memory(&bad, buf, n - 1, &err) == CONTAM_E_CORRUPT);
	CHECK(bad == NULL && err.code == CONTAM_E_CORRUPT && strstr(err.msg, "<memory>"));
	buf[200] ^= 1;
	CHECK(contam_index_load_memory(&bad, buf, n, &err) != CONTAM_OK && bad == NULL);
	CHECK(err.msg[0] != '\0');
	CHECK(contam_index_load_memory(&bad, NULL, 0, &err) == CONTAM_E_FORMAT && !bad);
	CHECK(contam_index_load_memory(&bad, buf, n, NULL) != CONTAM_OK && !bad);
	free(buf);
	contam_index_free(fromfile);
	contam_index_free(frommem);
	contam_index_free(ix);
}

static void test_uncompressed_mmap(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(20000, 1e-3, 8 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	contam_index *ix = make(&p, 0, 1, 20000, 5);
	if (!ix) {
		CHECK(0);
		return;
	}
	const char *zpath = tu_path("z.cidx"), *rpath = tu_path("r.cidx");
	CHECK(contam_index_save(ix, zpath) == CONTAM_OK);
	CHECK(!contam_index_is_uncompressed(ix));
	CHECK(contam_index_set_uncompressed(ix, 1) == CONTAM_OK);
	CHECK(contam_index_save(ix, rpath) == CONTAM_OK);
	struct stat st;
	CHECK(stat(rpath, &st) == 0 && (uint64_t)st.st_size > (8u << 20));
	contam_index *z = NULL, *r = NULL, *rl = NULL, *sum = NULL;
	contam_error err;
	CHECK(contam_index_load(&z, zpath, NULL) == CONTAM_OK);
	CHECK(contam_index_load_mmap(&r, rpath, &err) == CONTAM_OK && r);
	CHECK(contam_index_load(&rl, rpath, NULL) == CONTAM_OK);
	CHECK(contam_index_load_summary(&sum, rpath, NULL) == CONTAM_OK);
	if (z && r && rl && sum) {
		CHECK(r->map != NULL);   /* mapped, not read */
		CHECK(contam_index_is_uncompressed(r) && contam_index_is_uncompressed(rl));
		contam_index_stats a, b, c;
		contam_index_stats_get(z, &a);
		contam_index_stats_get(r, &b);
		contam_index_stats_get(sum, &c);
		CHECK_EQ_U64(a.bits_set, b.bits_set);
		CHECK(a.fpr == b.fpr && a.fpr_lookup == b.fpr_lookup && a.fill == b.fill);
		CHECK_EQ_U64(a.bits_set, c.bits_set);
		CHECK(same_answers(z, r, 5, 40000));
		CHECK(same_answers(z, rl, 5, 40000));
		/* the mapped filter is read-only: its words are refused */
		uint64_t *w;
		size_t nw;
		CHECK(contam_index_filter_words(r, &w, &nw) == CONTAM_E_PARAM);
		/* saved again from the mapping: the same bytes */
		const char *again = tu_path("again.cidx");
		CHECK(contam_index_save(r, again) == CONTAM_OK);
		size_t n1, n2;
		unsigned char *x = slurp(rpath, &n1), *y = slurp(again, &n2);
		CHECK(x && y && n1 == n2 && !memcmp(x, y, n1));
		free(x);
		free(y);
	}
	/* a compressed file by mmap is read, as contam_index_load */
	contam_index *zm = NULL;
	CHECK(contam_index_load_mmap(&zm, zpath, &err) == CONTAM_OK && zm && !zm->map);
	CHECK(zm && same_answers(z, zm, 5, 1000));
	contam_index_free(zm);
	/* damaged stored statistics: the mapped load trusts the trailer,
	 * which covers them, so it refuses the file; so does a full load */
	size_t n;
	unsigned char *buf = slurp(rpath, &n);
	CHECK(contam_index_load_mmap(&zm, tu_path("missing.cidx"), &err) == CONTAM_E_IO && !zm);
	CHECK(strstr(err.msg, "missing.cidx") != NULL);
	if (buf) {
		/* the page padding after the table must be zero */
		uint64_t foff = 0;
		for (uint32_t i = 0; i < get_le32(buf + 56); i++)
			if (get_le32(buf + 128 + 32 * i) == 2)
				foff = get_le64(buf + 128 + 32 * i + 8);
		uint64_t nch = get_le64(buf + foff + 8);
		uint64_t pad = foff + 16 + nch * 24 + 16;
		CHECK(pad % 4096 != 0);
		buf[pad] = 1;
		contam_index *d = (contam_index *)&err;
		CHECK(contam_index_load_memory(&d, buf, n, &err) == CONTAM_E_CORRUPT && !d);
		CHECK(strstr(err.msg, "padding") != NULL);
		free(buf);
	}
	contam_index_free(z);
	contam_index_free(r);
	contam_index_free(rl);
	contam_index_free(sum);
	contam_index_free(ix);
}

static void test_parts_resolve(void)
{
	contam_params p;
	double f;
	const uint32_t P = 3;
	CHECK(contam_plan_filter(30000, 1e-3, 4 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	char paths[3][512];
	const char *pp[3];
	for (uint32_t i = 0; i < P; i++) {
		contam_index *part = make(&p, i, P, 30000, 9);
		snprintf(paths[i], sizeof(paths[i]), "%s", tu_path(i == 0 ? "q0.cidx" :
								   i == 1 ? "q1.cidx" : "q2.cidx"));
		pp[i] = paths[i];
		CHECK(part && contam_index_save(part, paths[i]) == CONTAM_OK);
		if (i == 1 && part) {
			/* a lone partition never says "absent" for another's key */
			uint64_t s = 9, other = 0, wrong = 0;
			for (int k = 0; k < 3000; k++) {
				int a = contam_index_contains(part, splitmix(&s));
				other += a == -1;
				wrong += a == 0;
			}
			CHECK(other > 1000 && wrong == 0);
		}
		contam_index_free(part);
	}
	contam_index *whole = NULL, *rk = NULL;
	contam_error err;
	CHECK(contam_index_load_parts(&whole, pp, P, NULL) == CONTAM_OK);
	/* a lone partition is refused */
	CHECK(contam_index_parts_open(&rk, pp + 1, 1, &err) == CONTAM_E_PARAM && !rk);
	CHECK(strstr(err.msg, "partition 2 of 3") != NULL);
	CHECK(contam_index_parts_open(&rk, pp, P, &err) == CONTAM_OK && rk);
	if (!whole || !rk)
		return;
	/* recording: every key answers 0 */
	uint64_t s = 9;
	int zero = 1;
	for (int k = 0; k < 20000; k++)
		zero &= contam_index_contains(rk, splitmix(&s) ^ (k & 1 ? 0x77 : 0)) == 0;
	CHECK(zero);
	CHECK(contam_index_parts_resolve(rk, &err) == CONTAM_OK);
	s = 9;
	int same = 1;
	uint64_t hits = 0;
	for (int k = 0; k < 20000; k++) {
		uint64_t key = splitmix(&s) ^ (k & 1 ? 0x77 : 0);
		int a = contam_index_contains(rk, key);
		same &= a == contam_index_contains(whole, key);
		hits += a == 1;
	}
	CHECK(same && hits >= 10000);
	/* a key it was not asked about: no answer */
	CHECK(contam_index_contains(rk, 0x123456789abcdefULL) == -1);
	contam_index_stats a, b;
	contam_index_stats_get(whole, &a);
	contam_index_stats_get(rk, &b);
	CHECK_EQ_U64(a.bits_set, b.bits_set);
	CHECK(a.fpr == b.fpr && a.fill == b.fill && a.filter_bytes == b.filter_bytes);
	CHECK_EQ_U64(b.part_count, 1);
	CHECK_EQ_U64(contam_index_manifest_count(rk), 1);
	CHECK(contam_index_parts_resolve(rk, &err) == CONTAM_E_PARAM);
	contam_index_free(rk);
	contam_index_free(whole);
}

/* Stored statistics that disagree with the chunks (the trailer made to
 * match): a full load and the summary (verify) refuse the file, a mapped
 * load trusts them (docs/FORMAT.md's table says so). */
static void test_stored_stats_checked(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(5000, 1e-3, 1 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	contam_index *ix = make(&p, 0, 1, 5000, 21);
	const char *path = tu_path("st.cidx"), *bad = tu_path("stbad.cidx");
	CHECK(ix && contam_index_set_uncompressed(ix, 1) == CONTAM_OK &&
	      contam_index_save(ix, path) == CONTAM_OK);
	size_t n;
	unsigned char *d = slurp(path, &n);
	if (!d) {
		CHECK(0);
		contam_index_free(ix);
		return;
	}
	uint32_t hsize = get_le32(d + 12), nsec = get_le32(d + 56);
	uint64_t moff = 0, mlen = 0, foff = 0;
	for (uint32_t i = 0; i < nsec; i++) {
		const unsigned char *e = d + 128 + 32 * i;
		if (get_le32(e) == 1) {
			moff = get_le64(e + 8);
			mlen = get_le64(e + 16);
		} else if (get_le32(e) == 2) {
			foff = get_le64(e + 8);
		}
	}
	uint64_t tlen = 16 + get_le64(d + foff + 8) * 24;
	put_le64(d + foff + tlen, get_le64(d + foff + tlen) + 1); /* bits set + 1 */
	XXH3_state_t *st = XXH3_createState();
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, d, hsize);
	XXH3_64bits_update(st, d + moff, (size_t)mlen);
	XXH3_64bits_update(st, d + foff, (size_t)(tlen + 16));
	put_le64(d + n - 16, XXH3_64bits_digest(st));
	XXH3_freeState(st);
	tu_write_file(bad, d, n);
	contam_index *x = NULL;
	contam_error err;
	CHECK(contam_index_load_memory(&x, d, n, &err) == CONTAM_E_CORRUPT && !x);
	CHECK(strstr(err.msg, "stored statistics") != NULL);
	CHECK(contam_index_load_summary(&x, bad, &err) == CONTAM_E_CORRUPT);
	CHECK(!x && strstr(err.msg, "stored statistics") != NULL);
	contam_index_free(x);
	x = NULL;
	CHECK(contam_index_load_mmap(&x, bad, &err) == CONTAM_OK && x);
	contam_index_free(x);
	free(d);
	contam_index_free(ix);
}

/* A handle with no answer (a summary: no filter) is never probed as
 * "absent": the probe fails, naming why. */
static void test_probe_no_answer(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(1000, 1e-3, 1 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	contam_index *ix = make(&p, 0, 1, 1000, 13), *sum = NULL;
	const char *path = tu_path("s.cidx"), *bench = tu_path("b.jsonl");
	CHECK(ix && contam_index_save(ix, path) == CONTAM_OK);
	const char *text = "{\"q\": \"one two three four five six seven eight nine ten "
			   "eleven twelve\"}\n";
	tu_write_file(bench, text, strlen(text));
	CHECK(contam_index_load_summary(&sum, path, NULL) == CONTAM_OK);
	contam_probe *pr = NULL;
	if (sum && contam_probe_new(&pr, sum, path, NULL, NULL) == CONTAM_OK) {
		CHECK(contam_probe_add_file(pr, "b", bench) == CONTAM_E_PARAM);
		CHECK(strstr(contam_probe_errmsg(pr), "no answer") != NULL);
		contam_result res;
		contam_probe_result(pr, &res);
		CHECK_EQ_U64(res.nexamples, 0); /* nothing scored as clean */
	} else {
		CHECK(0);
	}
	contam_probe_free(pr);
	contam_index_free(sum);
	contam_index_free(ix);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/contam-index-mem-XXXXXX");
	if (!mkdtemp(tu_tmpdir))
		return 1;
	test_load_memory();
	test_uncompressed_mmap();
	test_parts_resolve();
	test_probe_no_answer();
	test_stored_stats_checked();
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tu_tmpdir);
	return tu_finish("test_index_mem");
}
