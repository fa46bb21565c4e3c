/*
 * test_index.c -- the blocked Bloom filter and its file format.
 *
 * Properties: no false negatives, ever; a false-positive rate close to the
 * prediction; bits independent of insertion order and threads; a file that
 * round-trips bit for bit; and any damage to the file refused on load.
 */
#include "index/index.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static char tmpdir[256];

static void test_plan(void)
{
	contam_params p;
	double f;
	CHECK(contam_plan_filter(1000000, 1e-3, 0, 8, &p, &f, NULL) == CONTAM_OK);
	double bits_per_key = (double)p.nblocks * 512 / 1e6;
	CHECK(f <= 1e-3);
	CHECK(bits_per_key > 12 && bits_per_key < 20);
	CHECK(p.k >= 5 && p.k <= 12);
	CHECK(contam_plan_filter(1000000, 1e-3, 64 << 20, 8, &p, &f, NULL) == CONTAM_OK);
	CHECK_EQ_U64(p.nblocks, (64 << 20) / 64);
	CHECK(contam_plan_filter(10, 0, 0, 8, &p, &f, NULL) == CONTAM_E_PARAM);
	CHECK(contam_plan_filter(10, 1e-3, 0, 0, &p, &f, NULL) == CONTAM_E_PARAM);
}

static contam_index *filled_index(uint64_t nkeys, uint64_t seed, double *pred)
{
	contam_params p;
	contam_index *ix;
	contam_plan_filter(nkeys, 1e-3, 0, 8, &p, pred, NULL);
	if (contam_index_new(&ix, &p, NULL))
		return NULL;
	uint64_t *keys = malloc(nkeys * sizeof(uint64_t)), s = seed;
	for (uint64_t i = 0; i < nkeys; i++)
		keys[i] = splitmix(&s);
	cbloom_insert_batch(&ix->filter, NULL, keys, nkeys);
	ix->ngrams_inserted = nkeys;
	free(keys);
	return ix;
}

static void test_no_false_negatives_and_fpr(void)
{
	const uint64_t n = 200000;
	double pred;
	contam_index *ix = filled_index(n, 1, &pred);
	CHECK(ix != NULL);
	if (!ix)
		return;
	uint64_t s = 1, missing = 0;
	for (uint64_t i = 0; i < n; i++)
		missing += !contam_index_contains(ix, splitmix(&s));
	CHECK_EQ_U64(missing, 0);
	uint64_t fp = 0, trials = 2000000, s2 = 999;
	for (uint64_t i = 0; i < trials; i++)
		fp += contam_index_contains(ix, splitmix(&s2) ^ 0x5555);
	double rate = (double)fp / (double)trials;
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	fprintf(stderr, "fpr: predicted %.3g, measured by fill %.3g, observed %.3g\n",
		pred, st.fpr, rate);
	CHECK(rate < 3 * pred && rate > pred / 3);
	CHECK(st.fpr < 2 * pred && st.fpr > pred / 2);
	CHECK(fabs(contam_predict_fpr(&ix->params, n) - pred) < 1e-12);
	contam_index_free(ix);
}

/* Bits do not depend on the order or the threads that inserted them. */
static void test_order_independent(void)
{
	double pred;
	contam_index *a = filled_index(50000, 7, &pred);
	contam_index *b = NULL;
	contam_index_new(&b, &a->params, NULL);
	uint64_t *keys = malloc(50000 * sizeof(uint64_t)), s = 7;
	for (int i = 0; i < 50000; i++)
		keys[i] = splitmix(&s);
	/* reversed, in batches, from several threads through the queue */
	cbloom_queue *q = cbloom_queue_new(&b->filter, NULL, 0);
	#pragma omp parallel
	{
		uint64_t scratch[1000];
		#pragma omp for schedule(dynamic, 1)
		for (int i = 49; i >= 0; i--)
			cbloom_queue_add(q, keys + i * 1000, 1000, scratch);
	}
	cbloom_queue_free(q);
	CHECK(memcmp(a->filter.bits, b->filter.bits, cbloom_bytes(&a->params)) == 0);
	free(keys);
	contam_index_free(a);
	contam_index_free(b);
}

/* Filled through a write queue of `room` keys by several threads, in
 * batches of `batch` keys (draining midway once), a filter has exactly
 * the bits of direct insertion: on a filter of 32 MiB (16 regions), whole
 * and as partition 1 of 3 (whose regions do not start at block 0). */
static void test_queue_same_bits(void)
{
	const size_t n = 300000;
	uint64_t *keys = malloc(n * sizeof(uint64_t)), s = 11;
	for (size_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	contam_params p;
	contam_plan_filter(n, 0, 32u << 20, 8, &p, NULL, NULL);
	const int64_t rooms[] = { -1, 0, 1, 7, 5000, 1 << 20 };
	const size_t batches[] = { 1, 333, 4096, 65536 };
	for (int part = 0; part < 2; part++) {
		contam_index *want = NULL;
		if (part)
			contam_index_new_partition(&want, &p, 1, 3, NULL);
		else
			contam_index_new(&want, &p, NULL);
		cbloom_insert_batch(&want->filter, NULL, keys, n);
		for (size_t r = 0; r < sizeof rooms / sizeof *rooms; r++) {
			size_t batch = batches[r % (sizeof batches / sizeof *batches)];
			contam_index *got = NULL;
			if (part)
				contam_index_new_partition(&got, &p, 1, 3, NULL);
			else
				contam_index_new(&got, &p, NULL);
			/* queueing asked for whatever the environment says
			 * (CONTAM_QUEUE=off narrows only the default) */
			cfast queued = *cfast_default();
			queued.queue = 1;
			cbloom_queue *q = cbloom_queue_new(&got->filter, &queued, rooms[r]);
			CHECK(q != NULL);
			if (!q)
				continue;
			CHECK(cbloom_queue_is_buffered(q) == (rooms[r] != 0));
			if (rooms[r] < 0) {
				/* sized from the filter: the configuration's
				 * queue field decides */
				cfast direct = queued;
				direct.queue = 0;
				cbloom_queue *d = cbloom_queue_new(&got->filter, &direct, -1);
				CHECK(d && !cbloom_queue_is_buffered(d));
				cbloom_queue_free(d);
			}
			size_t nb = (n + batch - 1) / batch;
			#pragma omp parallel
			{
				uint64_t *scratch = malloc(batch * sizeof(uint64_t));
				#pragma omp for schedule(dynamic, 1)
				for (size_t i = 0; i < nb; i++) {
					size_t m = i + 1 < nb ? batch : n - i * batch;
					cbloom_queue_add(q, keys + i * batch, m, scratch);
					if (i == nb / 2)
						cbloom_queue_drain(q);
				}
				free(scratch);
			}
			cbloom_queue_drain(q);
			cbloom_queue_free(q);
			int same = memcmp(want->filter.bits, got->filter.bits,
					  cbloom_held_bytes(&want->filter)) == 0;
			if (!same)
				fprintf(stderr, "queue room %lld, batch %zu, part %d: bits differ\n",
					(long long)rooms[r], batch, part);
			CHECK(same);
			contam_index_free(got);
		}
		/* and nothing inserted is missing */
		uint64_t missing = 0;
		for (size_t i = 0; i < n; i++)
			missing += cbloom_contains(&want->filter, keys[i]) == 0;
		CHECK_EQ_U64(missing, 0);
		contam_index_free(want);
	}
	free(keys);
}

/* The AVX-512 insertion sets exactly the scalar loop's bits, for every k,
 * also in a partition (keys of other partitions dropped by both). */
static void test_simd_insert_agrees(void)
{
	cfast off;
	contam_fast_limit(&off, NULL, CFAST_SCALAR);
	fprintf(stderr, "insertion: %s against %s\n", cbloom_simd_name(NULL),
		cbloom_simd_name(&off));
	CHECK(strcmp(cbloom_simd_name(&off), "scalar") == 0);
	const size_t n = 20000;
	uint64_t *keys = malloc(n * sizeof(uint64_t)), s = 5;
	for (size_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	for (uint32_t k = 1; k <= CBLOOM_K_MAX; k++) {
		for (uint32_t part = 0; part < 2; part++) {
			contam_params p;
			contam_plan_filter(n, 1e-3, 0, 8, &p, NULL, NULL);
			p.k = k;
			contam_index *a = NULL, *b = NULL;
			if (part) {
				contam_index_new_partition(&a, &p, 1, 3, NULL);
				contam_index_new_partition(&b, &p, 1, 3, NULL);
			} else {
				contam_index_new(&a, &p, NULL);
				contam_index_new(&b, &p, NULL);
			}
			CHECK(a && b);
			if (!a || !b)
				break;
			cbloom_insert_batch(&a->filter, NULL, keys, n);
			cbloom_insert_batch(&b->filter, &off, keys, n);
			CHECK(memcmp(a->filter.bits, b->filter.bits,
				     cbloom_held_bytes(&a->filter)) == 0);
			contam_index_free(a);
			contam_index_free(b);
		}
	}
	free(keys);
}

static int load_fails(const char *path, const char *needle)
{
	contam_index *ix = NULL;
	contam_error err;
	int rc = contam_index_load(&ix, path, &err);
	int ok = rc != CONTAM_OK && !ix && err.code == rc;
	if (ok && needle && !strstr(err.msg, needle)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, needle);
		ok = 0;
	}
	contam_index_free(ix);
	return ok;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *p = malloc(*n);
	if (fread(p, 1, *n, f) != *n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static void spit(const char *path, const unsigned char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(p, 1, n, f);
	fclose(f);
}

/* A save stopped by its flag (a signal) leaves nothing: no file at the
 * path, no temporary beside it; with the flag clear it saves. */
/* cbloom_measure against its definition, block by block: bit count, and
 * the product over words of fill^(bits the word receives), summed in
 * block order; equal to the bit, for every k and for a count of blocks
 * that is not a multiple of its batch. */
static void test_measure_exact(void)
{
	const uint64_t n = 1031;
	uint64_t *blocks = malloc(n * 64), s = 11;
	for (uint64_t i = 0; i < n * 8; i++) {
		/* fills from empty to full, mostly in between */
		uint64_t v = splitmix(&s), m = splitmix(&s);
		blocks[i] = i % 97 == 0 ? 0 : i % 89 == 0 ? ~0ull : v & (m | (m >> 3));
	}
	for (uint32_t k = 1; k <= CBLOOM_K_MAX; k++) {
		double want = 0;
		uint64_t want_set = 0, set = 0;
		for (uint64_t b = 0; b < n; b++) {
			double f = 1;
			for (uint32_t j = 0; j < 8; j++) {
				uint32_t pc = (uint32_t)__builtin_popcountll(blocks[b * 8 + j]);
				uint32_t share = k / 8 + (j < k % 8);
				want_set += pc;
				for (uint32_t r = 0; r < share; r++)
					f *= pc / 64.0;
			}
			want += f;
		}
		double got = cbloom_measure(blocks, n, k, &set);
		CHECK(set == want_set);
		CHECK(memcmp(&got, &want, sizeof(got)) == 0);
	}
	free(blocks);
}

static void test_save_interrupted(void)
{
	double pred;
	contam_index *ix = filled_index(300000, 9, &pred);
	char path[512], cmd[700];
	snprintf(path, sizeof(path), "%s/stopped.cidx", tmpdir);
	volatile int stop = 1;
	contam_index_set_stop(ix, &stop);
	CHECK(contam_index_save(ix, path) == CONTAM_E_INTERRUPTED);
	CHECK(access(path, F_OK) != 0);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q stopped", tmpdir);
	CHECK(system(cmd) != 0); /* no stopped.cidx.tmp.* either */
	stop = 0;
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	CHECK(access(path, F_OK) == 0);
	unlink(path);
	contam_index_free(ix);
}

static void test_file_roundtrip_and_damage(void)
{
	double pred;
	contam_index *ix = filled_index(300000, 3, &pred);
	contam_manifest_entry e = { .path = "corpus/a.jsonl.gz", .kind = CONTAM_INPUT_JSONL,
		.size = 123, .bytes_text = 456, .documents = 7, .ngrams = 300000, .errors = 2 };
	CHECK(cindex_manifest_add(ix, &e) == CONTAM_OK);
	char path[512], bad[512];
	snprintf(path, sizeof(path), "%s/a.cidx", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.cidx", tmpdir);
	CHECK(contam_index_save(ix, path) == CONTAM_OK);

	contam_index *ld = NULL;
	CHECK(contam_index_load(&ld, path, NULL) == CONTAM_OK);
	if (!ld) {
		contam_index_free(ix);
		return;
	}
	CHECK(ld->params.ngram == ix->params.ngram && ld->params.k == ix->params.k &&
	      ld->params.nblocks == ix->params.nblocks &&
	      ld->params.seed == ix->params.seed &&
	      ld->params.recipe_version == ix->params.recipe_version);
	CHECK(ld->filter.bits && memcmp(ld->filter.bits, ix->filter.bits, cbloom_bytes(&ix->params)) == 0);
	CHECK_EQ_U64(ld->ngrams_inserted, 300000);
	CHECK_EQ_U64(contam_index_manifest_count(ld), 1);
	const contam_manifest_entry *m = contam_index_manifest_get(ld, 0);
	CHECK(m && strcmp(m->path, e.path) == 0 && m->documents == 7 &&
	      m->errors == 2 && m->kind == CONTAM_INPUT_JSONL && m->bytes_text == 456);
	contam_index_free(ld);

	size_t n;
	unsigned char *img = slurp(path, &n);
	CHECK(img != NULL && n > 200);
	if (!img) {
		contam_index_free(ix);
		return;
	}
	/* A flipped bit anywhere -- header, section table, manifest, chunk
	 * table, chunk data, trailer -- is refused. */
	size_t offsets[] = { 0, 9, 17, 25, 64, 100, 170, 200, n / 3, n / 2, n - 20,
			     n - 9, n - 1 };
	int refused = 0, tried = 0;
	for (size_t i = 0; i < sizeof(offsets) / sizeof(*offsets); i++) {
		if (offsets[i] >= n)
			continue;
		img[offsets[i]] ^= 0x10;
		spit(bad, img, n);
		img[offsets[i]] ^= 0x10;
		tried++;
		if (load_fails(bad, NULL))
			refused++;
		else
			fprintf(stderr, "flip at %zu of %zu accepted\n", offsets[i], n);
	}
	CHECK_EQ_U64(refused, tried);
	/* truncation */
	spit(bad, img, n - 100);
	CHECK(load_fails(bad, "truncated") || load_fails(bad, NULL));
	spit(bad, img, 50);
	CHECK(load_fails(bad, "not a contam index"));
	/* wrong version */
	img[8] = 99;
	spit(bad, img, n);
	CHECK(load_fails(bad, "version 99"));
	img[8] = 1;
	/* not an index */
	spit(bad, (const unsigned char *)"hello world, this is not an index file at all....", 50);
	CHECK(load_fails(bad, "not a contam index"));
	CHECK(load_fails("/nonexistent/x.cidx", "cannot open"));
	free(img);

	/* a failed save leaves nothing behind */
	CHECK(contam_index_save(ix, "/nonexistent-dir/x.cidx") != CONTAM_OK);
	contam_index_free(ix);
}

/* An all-zero filter is stored sparsely and still loads. */
static void test_sparse(void)
{
	contam_params p;
	double f;
	contam_plan_filter(1, 1e-3, 32 << 20, 8, &p, &f, NULL);
	contam_index *ix;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	uint64_t key = 12345;
	cbloom_insert_batch(&ix->filter, NULL, &key, 1);
	char path[512];
	snprintf(path, sizeof(path), "%s/sparse.cidx", tmpdir);
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	struct stat sb;
	CHECK(stat(path, &sb) == 0 && sb.st_size < 64 * 1024);
	contam_index *ld = NULL;
	CHECK(contam_index_load(&ld, path, NULL) == CONTAM_OK);
	CHECK(ld && contam_index_contains(ld, key));
	contam_index_free(ld);
	contam_index_free(ix);
}

static contam_index *index_with(const contam_params *p, uint32_t part,
				uint32_t P, uint64_t seed, uint64_t n,
				const char *name)
{
	contam_index *ix = NULL;
	if (contam_index_new_partition(&ix, p, part, P, NULL))
		return NULL;
	uint64_t *keys = malloc(n * sizeof(uint64_t)), s = seed;
	for (uint64_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	cbloom_insert_batch(&ix->filter, NULL, keys, n);
	ix->ngrams_inserted = n;
	free(keys);
	if (name) {
		contam_manifest_entry e = { .path = (char *)name, .kind = CONTAM_INPUT_TEXT,
			.documents = 1, .ngrams = n };
		cindex_manifest_add(ix, &e);
	}
	return ix;
}

static int same_file(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char *pa = slurp(a, &na), *pb = slurp(b, &nb);
	int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return same;
}

/* merge(index(A), index(B)) is byte-identical to index(A + B). */
static void test_merge(void)
{
	contam_params p;
	double f;
	contam_plan_filter(100000, 1e-3, 0, 8, &p, &f, NULL);
	char pa[512], pb[512], pab[512], pm[512], pbad[512];
	snprintf(pa, sizeof(pa), "%s/a.cidx", tmpdir);
	snprintf(pb, sizeof(pb), "%s/b.cidx", tmpdir);
	snprintf(pab, sizeof(pab), "%s/ab.cidx", tmpdir);
	snprintf(pm, sizeof(pm), "%s/merged.cidx", tmpdir);
	snprintf(pbad, sizeof(pbad), "%s/refused.cidx", tmpdir);
	contam_index *a = index_with(&p, 0, 1, 11, 40000, "b-shard");
	contam_index *b = index_with(&p, 0, 1, 22, 40000, "a-shard");
	contam_index *ab = index_with(&p, 0, 1, 11, 40000, "b-shard");
	uint64_t s = 22, keys[1000];
	for (int r = 0; r < 40; r++) {
		for (int i = 0; i < 1000; i++)
			keys[i] = splitmix(&s);
		cbloom_insert_batch(&ab->filter, NULL, keys, 1000);
	}
	ab->ngrams_inserted += 40000;
	contam_manifest_entry e = { .path = "a-shard", .kind = CONTAM_INPUT_TEXT,
		.documents = 1, .ngrams = 40000 };
	cindex_manifest_add(ab, &e);
	CHECK(contam_index_save(a, pa) == 0 && contam_index_save(b, pb) == 0 &&
	      contam_index_save(ab, pab) == 0);
	const char *parts[2] = { pa, pb };
	contam_error msg;
	CHECK(contam_index_merge(pm, parts, 2, &msg) == CONTAM_OK);
	CHECK(same_file(pm, pab));
	/* the same input twice is refused */
	const char *twice[2] = { pa, pa };
	CHECK(contam_index_merge(pbad, twice, 2, &msg) == CONTAM_E_PARAM);
	CHECK(strstr(msg.msg, "more than one part") != NULL);
	/* a different geometry is refused, naming the parameter */
	contam_params q = p;
	q.k = p.k + 1;
	contam_index *c = index_with(&q, 0, 1, 33, 100, "c-shard");
	char pc[512];
	snprintf(pc, sizeof(pc), "%s/c.cidx", tmpdir);
	CHECK(contam_index_save(c, pc) == 0);
	const char *mism[2] = { pa, pc };
	CHECK(contam_index_merge(pbad, mism, 2, &msg) == CONTAM_E_PARAM);
	CHECK(strstr(msg.msg, "bits per key") != NULL);
	struct stat sb;
	CHECK(stat(pbad, &sb) != 0); /* nothing written */
	contam_index_free(a);
	contam_index_free(b);
	contam_index_free(ab);
	contam_index_free(c);
}

/* Partitions together hold exactly the unpartitioned filter. */
static void test_partitions(void)
{
	contam_params p;
	double f;
	contam_plan_filter(50000, 1e-3, 0, 8, &p, &f, NULL);
	contam_index *full = index_with(&p, 0, 1, 5, 50000, "x");
	char paths[3][512];
	const char *pp[3];
	for (uint32_t i = 0; i < 3; i++) {
		contam_index *part = index_with(&p, i, 3, 5, 50000, "x");
		snprintf(paths[i], sizeof(paths[i]), "%s/part%u.cidx", tmpdir, i);
		CHECK(part && contam_index_save(part, paths[i]) == 0);
		pp[2 - i] = paths[i]; /* any order */
		contam_index_free(part);
	}
	contam_index *all = NULL;
	CHECK(contam_index_load_parts(&all, pp, 3, NULL) == CONTAM_OK);
	CHECK(all && memcmp(all->filter.bits, full->filter.bits,
			    cbloom_bytes(&p)) == 0);
	contam_index_free(all);
	contam_index *some = NULL;
	CHECK(contam_index_load_parts(&some, pp, 2, NULL) == CONTAM_E_PARAM);
	contam_index_free(some);
	contam_index_free(full);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/contam-test-index-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_plan();
	test_no_false_negatives_and_fpr();
	test_order_independent();
	test_queue_same_bits();
	test_simd_insert_agrees();
	test_measure_exact();
	test_file_roundtrip_and_damage();
	test_save_interrupted();
	test_sparse();
	test_merge();
	test_partitions();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return tu_finish("index");
}
