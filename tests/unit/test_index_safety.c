/*
 * test_index_safety.c -- index files the library did not write itself,
 * and index sets that are not one whole index.
 *
 * Properties: a file with any chunk size the format allows (a multiple of
 * 64 up to 1 GiB) merges to exactly its bits, alone or with files of other
 * chunk sizes; a partition is never loaded as a whole index (alone, with
 * one missing, twice, with another index's partition, or none at all); a
 * duplicate input is found among many; a stopped merge leaves nothing; a
 * sparse index is verified and loaded without committing its zero chunks.
 */
#include "index/index.h"
#include "index/index_file.h"
#include "index/index_minhash.h"
#include "testutil.h"

#include <dirent.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int i;
	char *b = buf[i++ % 8];
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static int exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

/* Files in tmpdir whose name contains `part` (left-over temporaries). */
static int count_named(const char *part)
{
	DIR *d = opendir(tmpdir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strstr(e->d_name, part) != NULL;
	if (d)
		closedir(d);
	return n;
}

static contam_params geometry(uint64_t nblocks)
{
	contam_params p;
	memset(&p, 0, sizeof(p));
	p.ngram = 8;
	p.k = 6;
	p.nblocks = nblocks;
	p.seed = 0x636f6e74616d3031ULL;
	p.recipe_version = CONTAM_RECIPE_VERSION;
	return p;
}

/* A filter's bytes: a pseudo-random pattern (sparse: one word in
 * `every` nonzero), the same for every chunk size it is written with. */
typedef struct pattern {
	uint64_t seed;
	unsigned every;
	uint64_t chunk; /* the chunk size the writer asks with */
} pattern;

static uint64_t pattern_word(const pattern *pt, uint64_t w)
{
	uint64_t s = pt->seed ^ (w * 0x9e3779b97f4a7c15ULL);
	uint64_t v = splitmix(&s);
	return (v % pt->every) == 0 ? splitmix(&s) : 0;
}

static int pattern_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			  cerr *err)
{
	const pattern *pt = ctx;
	(void)err;
	uint64_t *d = (uint64_t *)(void *)dst, w0 = c * pt->chunk / 8;
	for (size_t i = 0; i < n / 8; i++)
		d[i] = pattern_word(pt, w0 + i);
	return CONTAM_OK;
}

static int write_crafted(const char *path, uint64_t nblocks, uint64_t chunk,
			 pattern *pt, const char *input)
{
	contam_manifest_entry e;
	memset(&e, 0, sizeof(e));
	e.path = (char *)input;
	e.kind = CONTAM_INPUT_TEXT;
	e.size = e.documents = e.ngrams = 1;
	cifile_meta m;
	memset(&m, 0, sizeof(m));
	m.params = geometry(nblocks);
	m.ngrams_inserted = 1;
	m.part_count = 1;
	m.lo = 0;
	m.hi = nblocks;
	m.manifest = &e;
	m.nmanifest = 1;
	m.chunk_bytes = chunk;
	pt->chunk = chunk ? chunk : CIFILE_CHUNK_BYTES;
	cerr err;
	cerr_clear(&err);
	int rc = cifile_write(path, &m, pattern_source, pt, &err);
	if (rc)
		fprintf(stderr, "write %s: %s\n", path, err.msg);
	return rc;
}

/* Whether the loaded index at path holds exactly the OR of the patterns. */
static int holds(const char *path, const pattern *a, const pattern *b)
{
	contam_index *ix = NULL;
	contam_error err;
	int ok = contam_index_load(&ix, path, &err) == CONTAM_OK;
	if (!ok)
		fprintf(stderr, "load %s: %s\n", path, err.msg);
	uint64_t nw = ok ? (ix->filter.hi - ix->filter.lo) * 8 : 0;
	for (uint64_t w = 0; ok && w < nw; w++) {
		uint64_t want = pattern_word(a, w) | (b ? pattern_word(b, w) : 0);
		if (ix->filter.bits[w] != want) {
			fprintf(stderr, "%s: word %llu differs\n", path, (unsigned long long)w);
			ok = 0;
		}
	}
	contam_index_free(ix);
	return ok;
}

/* Merge of files whose chunks are not 1 MiB. */
static void test_merge_any_chunk_size(void)
{
	/* larger than the writer's, smaller, not dividing 1 MiB (on a filter
	 * of several output chunks: 2 MiB + 192 bytes), tiny (on a small
	 * filter: thousands of chunks go through an ordered loop), larger
	 * than the whole filter, the format's largest (no buffer of its size) */
	static const struct { uint64_t chunk, nblocks; } sizes[] = {
		{ 2u << 20, 32768 + 3 }, { 512u << 10, 32768 + 3 }, { 64000, 32768 + 3 },
		{ 192, 1024 + 3 }, { 3u << 20, 32768 + 3 }, { CIFILE_CHUNK_MAX, 32768 + 3 },
	};
	contam_error err;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const uint64_t nblocks = sizes[i].nblocks;
		pattern a = { 11 + i, 3, 0 };
		const char *in = tpath("crafted.cidx"), *out = tpath("merged.cidx");
		CHECK(write_crafted(in, nblocks, sizes[i].chunk, &a, "x.txt") == CONTAM_OK);
		/* the format allows it, so loading (verify) accepts it ... */
		CHECK(holds(in, &a, NULL));
		/* ... and merging keeps every bit */
		const char *one[] = { in };
		CHECK(contam_index_merge(out, one, 1, &err) == CONTAM_OK);
		CHECK(holds(out, &a, NULL));
		unlink(out);
		/* with a standard (1 MiB) file of other bits: the OR of both */
		pattern b = { 101 + i, 5, 0 };
		const char *std = tpath("standard.cidx");
		CHECK(write_crafted(std, nblocks, 0, &b, "y.txt") == CONTAM_OK);
		const char *two[] = { std, in };
		CHECK(contam_index_merge(out, two, 2, &err) == CONTAM_OK);
		CHECK(holds(out, &a, &b));
		const char *rev[] = { in, std };
		unlink(out);
		CHECK(contam_index_merge(out, rev, 2, &err) == CONTAM_OK);
		CHECK(holds(out, &a, &b));
		unlink(out);
		unlink(in);
		unlink(std);
	}
	/* the format's limits stand: a chunk size not a multiple of 64 is no
	 * file the writer makes */
	pattern c = { 7, 2, 0 };
	CHECK(write_crafted(tpath("bad.cidx"), 1024, 100, &c, "z.txt") == CONTAM_E_PARAM);
	CHECK(!exists(tpath("bad.cidx")));
}

/* Partitions of one build: P files saved from in-memory partitions, all
 * with the same manifest (every partition reads every input). */
static void save_parts(const char *prefix, uint32_t P, const char *input,
		       uint64_t docs, uint64_t seed)
{
	contam_params p = geometry(4096);
	contam_manifest_entry e;
	memset(&e, 0, sizeof(e));
	e.path = (char *)input;
	e.kind = CONTAM_INPUT_TEXT;
	e.size = 100;
	e.documents = docs;
	e.ngrams = 40;
	for (uint32_t i = 0; i < P; i++) {
		contam_index *ix = NULL;
		CHECK(contam_index_new_partition(&ix, &p, i, P, NULL) == CONTAM_OK);
		uint64_t *w;
		size_t nw;
		CHECK(contam_index_filter_words(ix, &w, &nw) == CONTAM_OK);
		uint64_t s = seed + i;
		for (size_t j = 0; j < nw; j++)
			w[j] = splitmix(&s) & splitmix(&s);
		CHECK(contam_index_add_manifest(ix, &e) == CONTAM_OK);
		char name[64];
		snprintf(name, sizeof(name), "%s%u.cidx", prefix, i);
		CHECK(contam_index_save(ix, tpath(name)) == CONTAM_OK);
		contam_index_free(ix);
	}
}

static int load_refused(const char *const *paths, size_t n, const char *says)
{
	contam_index *ix = NULL;
	contam_error err;
	int rc = contam_index_load_parts(&ix, paths, n, &err);
	const char *msg = err.msg;
	int ok = rc == CONTAM_E_PARAM && !ix && strstr(msg, says) != NULL;
	if (!ok)
		fprintf(stderr, "load_parts: rc %d, '%s' (wanted '%s')\n", rc, msg, says);
	contam_index_free(ix);
	return ok;
}

/* Partition sets: any order, and sets that are not one whole index */
static void test_partition_sets(void)
{
	save_parts("p", 4, "corpus.txt", 6, 1);
	save_parts("o", 4, "other.txt", 6, 50);   /* another index, same geometry */
	save_parts("q", 4, "corpus.txt", 7, 90);  /* same input name, other build */
	char p[4][600], o1[600], q2[600];
	for (int i = 0; i < 4; i++) {
		char name[32];
		snprintf(name, sizeof(name), "p%d.cidx", i);
		snprintf(p[i], sizeof(p[i]), "%s", tpath(name));
	}
	snprintf(o1, sizeof(o1), "%s", tpath("o1.cidx"));
	snprintf(q2, sizeof(q2), "%s", tpath("q2.cidx"));

	const char *all[] = { p[2], p[0], p[3], p[1] }; /* any order */
	contam_index *ix = NULL;
	CHECK(contam_index_load_parts(&ix, all, 4, NULL) == CONTAM_OK);
	CHECK(ix && ix->part_count == 1 && ix->nmanifest == 1);
	/* the statistics measured while loading are the filter's */
	contam_index_stats loaded, fresh;
	CHECK(ix && contam_index_stats_get(ix, &loaded) == CONTAM_OK);
	uint64_t *words;
	size_t nwords;
	CHECK(ix && contam_index_filter_words(ix, &words, &nwords) == CONTAM_OK);
	CHECK(ix && contam_index_stats_get(ix, &fresh) == CONTAM_OK);
	CHECK(loaded.bits_set > 0 && loaded.bits_set == fresh.bits_set);
	CHECK(loaded.fpr > 0 && fabs(loaded.fpr - fresh.fpr) <= 1e-12 * fresh.fpr);
	contam_index_free(ix);

	/* a lone partition names itself and what is missing */
	const char *lone[] = { p[0] };
	CHECK(load_refused(lone, 1, "is partition 1 of 4"));
	CHECK(load_refused(lone, 1, "missing 2, 3 and 4 of 4 (built with --partition 1/4, 2/4, 3/4, which counts from 0)"));
	const char *three[] = { p[0], p[1], p[3] };
	CHECK(load_refused(three, 3, "missing 3 of 4 (built with --partition 2/4, which counts from 0)"));
	const char *twice[] = { p[0], p[1], p[1], p[3] };
	CHECK(load_refused(twice, 4, "partition 2 of 4 is given twice"));
	/* another index's partition, though the geometry matches */
	const char *mixed[] = { p[0], o1, p[2], p[3] };
	CHECK(load_refused(mixed, 4, "partitions of different indexes"));
	CHECK(load_refused(mixed, 4, "other.txt"));
	const char *mixed2[] = { p[0], p[1], q2, p[3] };
	CHECK(load_refused(mixed2, 4, "partitions of different indexes"));
	/* nothing at all (the CLI's ","), and an empty path */
	CHECK(load_refused(NULL, 0, "no index file"));
	const char *empty[] = { p[0], "" };
	CHECK(load_refused(empty, 2, "empty index path"));

	/* a partition loaded by itself (info, verify) is no probe's index */
	CHECK(contam_index_load(&ix, p[1], NULL) == CONTAM_OK);
	contam_probe *probe = NULL;
	contam_error perr;
	CHECK(contam_probe_new(&probe, ix, p[1], NULL, &perr) == CONTAM_E_PARAM);
	CHECK(!probe && strstr(perr.msg, "partition 2 of 4"));
	contam_probe_free(probe);
	contam_index_free(ix);
}

/* The duplicate found wherever it sorts, among 300k inputs,
 * in well under the 400 s the pairwise search took. */
static void test_merge_duplicates(void)
{
	const size_t N = 150000;
	contam_manifest_entry *man = calloc(N, sizeof(*man));
	char *names = malloc(N * 16);
	contam_error err;
	if (!man || !names) {
		CHECK(!"out of memory");
		free(man);
		free(names);
		return;
	}
	pattern z = { 1, 1000000, 0 };
	for (int where = 0; where < 3; where++) {
		size_t dup = where == 0 ? 0 : where == 1 ? N / 2 : N - 1;
		for (int part = 0; part < 2; part++) {
			/* part 1's names are disjoint from part 0's but for
			 * one: first, middle or last in sort order */
			for (size_t i = 0; i < N; i++) {
				man[i].path = names + i * 16;
				man[i].kind = CONTAM_INPUT_TEXT;
				snprintf(man[i].path, 16, "in/%07zu",
					 part == 1 && i == dup ? 2 * i : 2 * i + (size_t)part);
			}
			cifile_meta m;
			memset(&m, 0, sizeof(m));
			m.params = geometry(1024);
			m.part_count = 1;
			m.hi = 1024;
			m.manifest = man;
			m.nmanifest = N;
			z.chunk = CIFILE_CHUNK_BYTES;
			cerr e;
			cerr_clear(&e);
			CHECK(cifile_write(tpath(part ? "d1.cidx" : "d0.cidx"), &m, pattern_source,
					   &z, &e) == CONTAM_OK);
		}
		const char *two[] = { tpath("d0.cidx"), tpath("d1.cidx") };
		char want[64];
		snprintf(want, sizeof(want), "input 'in/%07zu' is in more than one part", 2 * dup);
		time_t t0 = time(NULL);
		CHECK(contam_index_merge(tpath("dm.cidx"), two, 2, &err) == CONTAM_E_PARAM);
		CHECK(time(NULL) - t0 < 30);
		CHECK(strstr(err.msg, want) != NULL);
		CHECK(!exists(tpath("dm.cidx")));
	}
	/* no duplicate: merged, every input once */
	const char *one[] = { tpath("d0.cidx") };
	CHECK(contam_index_merge(tpath("dm.cidx"), one, 1, &err) == CONTAM_OK);
	contam_index *ix = NULL;
	CHECK(contam_index_load_summary(&ix, tpath("dm.cidx"), NULL) == CONTAM_OK);
	CHECK(contam_index_manifest_count(ix) == N);
	contam_index_free(ix);
	unlink(tpath("dm.cidx"));
	unlink(tpath("d0.cidx"));
	unlink(tpath("d1.cidx"));
	free(man);
	free(names);
}

/* A stop flag set (SIGTERM) leaves neither OUT nor OUT.tmp.PID */
static void test_merge_stopped(void)
{
	pattern a = { 3, 2, 0 };
	const char *in = tpath("s.cidx");
	CHECK(write_crafted(in, 65536, 0, &a, "s.txt") == CONTAM_OK);
	volatile int stop = 1;
	contam_error err;
	const char *one[] = { in };
	CHECK(contam_index_merge_stop(tpath("stopped.cidx"), one, 1, &stop, &err) == CONTAM_E_INTERRUPTED);
	CHECK(!exists(tpath("stopped.cidx")));
	CHECK(count_named("stopped.cidx") == 0);
	stop = 0;
	CHECK(contam_index_merge_stop(tpath("stopped.cidx"), one, 1, &stop, &err) == CONTAM_OK);
	CHECK(holds(tpath("stopped.cidx"), &a, NULL));
	unlink(tpath("stopped.cidx"));
	unlink(in);
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A 512 MiB filter whose chunks are all zero but one is
 * verified, summarized and loaded without its zero chunks in memory. */
static void test_sparse_memory(void)
{
	contam_params p = geometry((512u << 20) / 64);
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	if (!ix || !ix->filter.bits)
		return;
	ix->filter.bits[12345] = 0xff00ff00ff00ff00ULL; /* chunk 0 */
	ix->filter.bits[(300u << 20) / 8] = 1;         /* chunk 300 */
	contam_manifest_entry e;
	memset(&e, 0, sizeof(e));
	e.path = (char *)"sparse.txt";
	CHECK(contam_index_add_manifest(ix, &e) == CONTAM_OK);
	CHECK(contam_index_save(ix, tpath("sparse.cidx")) == CONTAM_OK);
	contam_index_free(ix);

	long before = maxrss_kb();
	contam_index *sum = NULL;
	CHECK(contam_index_load_summary(&sum, tpath("sparse.cidx"), NULL) == CONTAM_OK);
	contam_index_stats st;
	CHECK(sum && contam_index_stats_get(sum, &st) == CONTAM_OK);
	CHECK_EQ_U64(st.bits_set, 33);
	CHECK_EQ_U64(st.filter_bytes, 512u << 20);
	CHECK(contam_index_manifest_count(sum) == 1);
	CHECK(contam_index_contains(sum, 42) == -1); /* no answer, not "absent" */
	CHECK(contam_index_save(sum, tpath("nope.cidx")) == CONTAM_E_PARAM);
	CHECK(!exists(tpath("nope.cidx")));
	contam_index_free(sum);

	contam_index *full = NULL;
	CHECK(contam_index_load(&full, tpath("sparse.cidx"), NULL) == CONTAM_OK);
	CHECK(full && full->filter.bits[12345] == 0xff00ff00ff00ff00ULL &&
	      full->filter.bits[(300u << 20) / 8] == 1);
	CHECK(full && contam_index_stats_get(full, &st) == CONTAM_OK && st.bits_set == 33);
	long grew = maxrss_kb() - before;
	/* two touched chunks, not 512 MiB */
	if (grew >= 64 * 1024)
		fprintf(stderr, "loading a sparse 512 MiB index grew RSS by %ld kB\n", grew);
	CHECK(grew < 64 * 1024);
	contam_index_free(full);
	unlink(tpath("sparse.cidx"));
}

/* ---- the minhash section (index --minhash) ---- */

/* A saved index with a minhash section (partition i of P; with_mh 0:
 * none), its filter bits a pattern; its path. */
static const char *mh_index(const char *name, uint32_t i, uint32_t P, int with_mh)
{
	contam_params p = geometry(256);
	contam_index *ix = NULL;
	CHECK(contam_index_new_partition(&ix, &p, i, P, NULL) == CONTAM_OK);
	contam_minhash_params mp;
	contam_minhash_params_default(&mp);
	if (with_mh) {
		CHECK(contam_index_minhash_enable(ix, &mp, 300, 1e-4, NULL) == CONTAM_OK);
		uint64_t s = 77 + i;
		for (uint64_t w = 0; w < (ix->mh->f.hi - ix->mh->f.lo) * 8; w += 3)
			ix->mh->f.bits[w] = splitmix(&s) & splitmix(&s);
		ix->mh->windows = 100;
		ix->mh->keys = 800;
		ix->mh->shingles = 900;
	}
	contam_manifest_entry e;
	memset(&e, 0, sizeof(e));
	e.path = (char *)"in.txt";
	e.kind = CONTAM_INPUT_TEXT;
	e.documents = 3;
	e.ngrams = 40;
	CHECK(contam_index_add_manifest(ix, &e) == CONTAM_OK);
	const char *path = tpath(name);
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	contam_index_free(ix);
	return path;
}

/* Every bit of the minhash section, and of its section-table entry,
 * flipped: every load refuses the file (none answers from damaged
 * bits); a section that lies about its geometry is refused; a partition
 * set in which one partition has no section is refused. */
static void test_minhash_damage(void)
{
#ifdef _OPENMP
	/* thousands of tiny loads: one thread, so that a loaded machine's
	 * spinning teammates do not make it minutes */
	int threads = omp_get_max_threads();
	omp_set_num_threads(1);
#endif
	const char *path = mh_index("mh.cidx", 0, 1, 1);
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *b = malloc((size_t)n);
	CHECK(b && fread(b, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	uint32_t nsec = get_le32(b + 56);
	uint64_t off = 0, len = 0, entry = 0;
	for (uint32_t i = 0; i < nsec; i++)
		if (get_le32(b + 128 + 32 * i) == 5) {
			entry = 128 + 32 * i;
			off = get_le64(b + entry + 8);
			len = get_le64(b + entry + 16);
		}
	CHECK(entry && len > 128 + 16);
	contam_index *ix = NULL;
	CHECK(contam_index_load(&ix, path, NULL) == CONTAM_OK);
	CHECK(ix && ix->mh && ix->mh->keys == 800);
	contam_index_free(ix);
	const char *bad = tpath("mh-bad.cidx");
	uint64_t flips = 0, loaded = 0, summarized = 0;
	/* the entry's 32 bytes, then every bit of the section */
	for (int region = 0; region < 2; region++) {
		uint64_t from = region ? off : entry, to = region ? off + len : entry + 32;
		for (uint64_t at = from; at < to; at++)
			for (int bit = 0; bit < 8; bit++) {
				b[at] ^= (unsigned char)(1u << bit);
				FILE *o = fopen(bad, "wb");
				fwrite(b, 1, (size_t)n, o);
				fclose(o);
				b[at] ^= (unsigned char)(1u << bit);
				flips++;
				ix = NULL;
				if (contam_index_load(&ix, bad, NULL) == CONTAM_OK)
					loaded++;
				contam_index_free(ix);
				ix = NULL;
				/* verify and info: a summary checks every chunk */
				if (bit == 0 && contam_index_load_summary(&ix, bad, NULL) == CONTAM_OK)
					summarized++;
				contam_index_free(ix);
			}
	}
	CHECK(flips > 2000);
	CHECK_EQ_U64(loaded, 0);
	CHECK_EQ_U64(summarized, 0);
	free(b);

	/* the header decoder refuses what the checksums would not catch
	 * in a crafted file: a geometry that is not the partition's */
	contam_index *src = NULL;
	contam_params p = geometry(256);
	CHECK(contam_index_new(&src, &p, NULL) == CONTAM_OK);
	contam_minhash_params mp;
	contam_minhash_params_default(&mp);
	CHECK(contam_index_minhash_enable(src, &mp, 3000, 1e-4, NULL) == CONTAM_OK);
	unsigned char h[CMH_SEC_HEAD];
	cmh_filter m;
	char why[300];
	cmh_sec_encode(h, src->mh);
	CHECK(cmh_sec_decode(h, p.seed, 0, 1, &m, why, sizeof(why)) == CONTAM_OK);
	CHECK(!cmh_filter_differ(&m, src->mh));
	CHECK(cmh_sec_decode(h, p.seed, 1, 2, &m, why, sizeof(why)) == CONTAM_E_CORRUPT);
	CHECK(strstr(why, "geometry") != NULL);
	put_le32(h + 8, 600);  /* bands: b * r > 512 */
	CHECK(cmh_sec_decode(h, p.seed, 0, 1, &m, why, sizeof(why)) == CONTAM_E_CORRUPT);
	CHECK(strstr(why, "512") != NULL);
	cmh_sec_encode(h, src->mh);
	put_le32(h, 2);  /* version */
	CHECK(cmh_sec_decode(h, p.seed, 0, 1, &m, why, sizeof(why)) == CONTAM_E_FORMAT);
	cmh_sec_encode(h, src->mh);
	put_le64(h + 120, 1);  /* reserved */
	CHECK(cmh_sec_decode(h, p.seed, 0, 1, &m, why, sizeof(why)) == CONTAM_E_CORRUPT);
	contam_index_free(src);

	/* partition sets: one without the section is not of this index */
	const char *p0 = mh_index("mhp0.cidx", 0, 2, 1), *p1 = mh_index("mhp1.cidx", 1, 2, 1);
	const char *p1n = mh_index("mhp1n.cidx", 1, 2, 0);
	const char *good[] = { p0, p1 }, *mixed[] = { p0, p1n };
	contam_index *set = NULL;
	CHECK(contam_index_load_parts(&set, good, 2, NULL) == CONTAM_OK);
	CHECK(set && set->mh && set->mh->f.lo == 0 && set->mh->f.hi == set->mh->f.nblocks);
	contam_index_free(set);
	CHECK(load_refused(mixed, 2, "not partitions of one index"));
	/* merge of a minhash index with one without: refused, nothing written */
	const char *whole = mh_index("mhw.cidx", 0, 1, 1), *plain = mh_index("mhn.cidx", 0, 1, 0);
	const char *both[] = { whole, plain };
	contam_error err;
	CHECK(contam_index_merge(tpath("mhm.cidx"), both, 2, &err) == CONTAM_E_PARAM);
	CHECK(strstr(err.msg, "no minhash section") != NULL);
	CHECK(!exists(tpath("mhm.cidx")));
#ifdef _OPENMP
	omp_set_num_threads(threads);
#endif
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/contam-test-index-safety-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_sparse_memory(); /* first: RSS is a high-water mark */
	test_merge_any_chunk_size();
	test_partition_sets();
	test_merge_duplicates();
	test_merge_stopped();
	test_minhash_damage();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return tu_finish("index_safety");
}
