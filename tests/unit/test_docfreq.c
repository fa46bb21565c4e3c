/*
 * test_docfreq.c -- the document-frequency sketch.
 *
 * Properties: an estimate is never below the true number of documents
 * (exact counts from a hash map over a generated corpus), a document
 * counts once per n-gram, merging equals one build, any thread count
 * gives the same bytes, partitions loaded together answer as the whole
 * index, counters saturate at 65535, and a file without the section (or
 * with a damaged one) is told apart.
 */
#include "index/index.h"
#include "index/index_docfreq.h"
#include "ngram/winnow.h"
#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>

/* tu_path keeps only its last 8 names: these stay until the end */
static char *kept_paths[64];
static int nkept;

static const char *path_of(const char *name)
{
	char *p = strdup(tu_path(name));
	if (p && nkept < 64)
		kept_paths[nkept++] = p;
	return p;
}

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- exact counts: an open-addressing map hash -> documents ---------- */

typedef struct exact {
	uint64_t *keys;
	uint32_t *count;
	uint32_t *last_doc;   /* the last document that counted the key */
	size_t cap, n;
	int has_zero;
} exact;

static void exact_init(exact *m, size_t cap)
{
	m->cap = cap;
	m->n = 0;
	m->keys = calloc(cap, sizeof(uint64_t));
	m->count = calloc(cap, sizeof(uint32_t));
	m->last_doc = calloc(cap, sizeof(uint32_t));
}

static void exact_free(exact *m)
{
	free(m->keys);
	free(m->count);
	free(m->last_doc);
}

/* Count key for document doc (1-based), once per document. */
static void exact_add(exact *m, uint64_t key, uint32_t doc)
{
	if (key == 0)
		key = 1; /* never happens with 64-bit hashes; keeps 0 free */
	size_t at = (size_t)(key % m->cap);
	while (m->keys[at] && m->keys[at] != key)
		at = (at + 1) % m->cap;
	if (!m->keys[at]) {
		m->keys[at] = key;
		m->n++;
	}
	if (m->last_doc[at] != doc) {
		m->last_doc[at] = doc;
		m->count[at]++;
	}
}

/* ---- a generated corpus ------------------------------------------- */

static const char *const WORDS[] = {
	"river", "stone", "light", "winter", "house", "garden", "music", "paper",
	"north", "silver", "market", "window", "letter", "forest", "engine",
	"harbor", "little", "yellow", "bridge", "castle", "mirror", "island",
	"pocket", "ticket", "valley", "orange", "planet", "rocket", "shadow",
	"spring", "summer", "thunder", "village", "wonder", "anchor", "basket",
	"candle", "desert", "falcon", "ginger", "hollow", "jacket", "kettle",
	"lantern", "meadow", "needle", "oyster", "pepper", "quartz", "saddle",
};
#define NWORDS (sizeof(WORDS) / sizeof(WORDS[0]))
#define NPHRASES 40

/* docs documents as JSONL: random words, shared phrases (each in a few
 * to many documents, some twice in one document) and one boilerplate
 * sentence in every third document. */
static void write_corpus(const char *path, uint64_t seed, int docs)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	char phrases[NPHRASES][256];
	uint64_t ps = 77;
	for (int p = 0; p < NPHRASES; p++) {
		size_t at = 0;
		for (int w = 0; w < 14; w++)
			at += (size_t)snprintf(phrases[p] + at, sizeof(phrases[p]) - at, "%s%s",
					       w ? " " : "", WORDS[rng(&ps) % NWORDS]);
	}
	uint64_t s = seed;
	for (int d = 0; d < docs; d++) {
		fputs("{\"text\": \"", f);
		int words = 20 + (int)(rng(&s) % 80);
		for (int w = 0; w < words; w++) {
			fprintf(f, "%s ", WORDS[rng(&s) % NWORDS]);
			if (rng(&s) % 40 == 0) {
				/* phrase p is picked with weight ~1/(p+1): a
				 * few very frequent ones, many rare ones */
				int p = (int)(NPHRASES / (1 + rng(&s) % NPHRASES)) - 1;
				fprintf(f, "%s ", phrases[p]);
				if (rng(&s) % 4 == 0)
					fprintf(f, "%s ", phrases[p]); /* twice in one doc */
			}
		}
		if (d % 3 == 0)
			fputs("the census counted the people of the town in the year of the survey ", f);
		fputs("end\"}\n", f);
	}
	fclose(f);
}

static contam_params params_for(uint64_t ngrams, uint32_t winnow)
{
	contam_params p;
	double f;
	contam_plan_filter(ngrams, 1e-3, 0, 8, &p, &f, NULL);
	p.winnow = winnow;
	return p;
}

/* An index of the files, built with `threads` and a sketch of
 * `counters`; partition part of P. */
static contam_index *build(const contam_params *p, uint32_t part, uint32_t P,
			   const char *const *files, size_t n, int threads,
			   uint64_t counters)
{
	contam_index *ix = NULL;
	contam_inputs in;
	contam_error err;
	if (contam_index_new_partition(&ix, p, part, P, NULL) ||
	    contam_inputs_expand(&in, files, n, &err)) {
		CHECK(!"cannot start a build");
		contam_index_free(ix);
		return NULL;
	}
	contam_build_options opt;
	contam_build_options_init(&opt);
	opt.threads = threads;
	opt.doc_freq_counters = counters;
	int rc = contam_index_build(ix, &in, &opt);
	CHECK(rc == CONTAM_OK);
	if (rc)
		fprintf(stderr, "build: %s\n", contam_index_errmsg(ix));
	contam_inputs_free(&in);
	return ix;
}

/* Exact document counts of the corpus at path, hashed as the index
 * hashes (winnowed when p->winnow > 1). */
static void exact_counts(const contam_index *ix, const char *path, exact *m,
			 uint32_t *docno)
{
	FILE *f = fopen(path, "r");
	char line[1 << 16];
	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *t = strstr(line, "\"text\": \"");
		char *e = t ? strrchr(line, '"') : NULL;
		if (!t || !e)
			continue;
		t += 9;
		uint64_t *h = NULL;
		size_t nh = 0, tokens = 0;
		CHECK(contam_index_hash_text(ix, t, (size_t)(e - t), &h, &nh, &tokens) == 0);
		++*docno;
		if (ix->params.winnow > 1) {
			cwinnow w;
			uint64_t kept;
			cwinnow_init(&w, ix->params.winnow);
			cwinnow_reset(&w);
			for (size_t i = 0; i < nh; i++)
				if (cwinnow_push(&w, cwinnow_order(h[i]), &kept))
					exact_add(m, cwinnow_key(kept), *docno);
			if (cwinnow_finish(&w, &kept))
				exact_add(m, cwinnow_key(kept), *docno);
		} else {
			for (size_t i = 0; i < nh; i++)
				exact_add(m, h[i], *docno);
		}
		free(h);
	}
	fclose(f);
}

/* Every key of m: estimate >= exact; returns how many are exact, and the
 * sum of exact counts in *pairs. */
static uint64_t check_upper_bound(const contam_index *ix, const exact *m,
				  uint64_t *pairs, uint32_t *maxc)
{
	uint64_t exact_hits = 0, under = 0;
	*pairs = 0;
	*maxc = 0;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		int64_t est = contam_index_doc_freq(ix, m->keys[i]);
		*pairs += m->count[i];
		if (m->count[i] > *maxc)
			*maxc = m->count[i];
		if (est < (int64_t)m->count[i])
			under++;
		exact_hits += est == (int64_t)m->count[i];
	}
	CHECK_EQ_U64(under, 0);
	return exact_hits;
}

static void test_never_undercounts(void)
{
	const char *path = path_of("corpus.jsonl");
	write_corpus(path, 1, 3000);
	const char *files[1] = { path };
	for (uint32_t winnow = 0; winnow <= 4; winnow += 4) {
		contam_params p = params_for(200000, winnow);
		/* a roomy sketch and a crowded one (noise ~ 25 per counter) */
		uint64_t sizes[2] = { 4000000, 4000 };
		for (int s = 0; s < 2; s++) {
			contam_index *ix = build(&p, 0, 1, files, 1, 2, sizes[s]);
			if (!ix)
				return;
			exact m;
			uint32_t docs = 0, maxc = 0;
			uint64_t pairs = 0;
			exact_init(&m, 1u << 20);
			exact_counts(ix, path, &m, &docs);
			CHECK_EQ_U64(docs, 3000);
			uint64_t hits = check_upper_bound(ix, &m, &pairs, &maxc);
			/* the build counted each n-gram once per document */
			CHECK_EQ_U64(ix->df->pairs, pairs);
			CHECK(maxc >= 1000); /* the census sentence */
			if (s == 0)
				CHECK(hits > m.n * 95 / 100); /* roomy: mostly exact */
			else
				CHECK(hits < m.n / 2);        /* crowded: noisy, still >= */
			contam_index_stats st;
			contam_index_stats_get(ix, &st);
			CHECK(st.has_doc_freq && st.doc_freq_d == CDF_D_DEFAULT);
			CHECK_EQ_U64(st.doc_freq_pairs, pairs);
			CHECK(st.doc_freq_noise > 0);
			exact_free(&m);
			contam_index_free(ix);
		}
	}
}

/* One document repeating a sentence: each of its n-grams counts once. */
static void test_dedup_in_document(void)
{
	const char *path = path_of("repeat.txt");
	char text[8192];
	size_t at = 0;
	for (int r = 0; r < 60; r++)
		at += (size_t)snprintf(text + at, sizeof(text) - at,
				       "one two three four five six seven eight nine ten eleven twelve ");
	tu_write_file(path, text, at);
	const char *files[1] = { path };
	contam_params p = params_for(10000, 0);
	contam_index *ix = build(&p, 0, 1, files, 1, 1, 100000);
	if (!ix)
		return;
	int64_t *est = NULL;
	size_t n = 0;
	CHECK(contam_index_doc_freq_text(ix, text, at, &est, &n) == CONTAM_OK);
	CHECK(n > 600);
	int all_one = 1;
	for (size_t i = 0; i < n; i++)
		all_one &= est[i] == 1;
	CHECK(all_one);
	/* 12 distinct 8-grams in the cycle: 12 pairs, not 700 */
	CHECK_EQ_U64(ix->df->pairs, 12);
	free(est);
	contam_index_free(ix);

	/* the rule for pieces: a document longer than CDF_PIECE n-grams
	 * counts once per piece; checked on the de-duplication itself */
	cdf_dedup dd = { 0 };
	uint64_t keys[10] = { 5, 0, 7, 5, 5, 0, 9, 7, 1, 9 };
	size_t m = cdf_dedup_run(&dd, keys, 10);
	CHECK_EQ_U64(m, 5);
	CHECK(keys[0] == 5 && keys[1] == 0 && keys[2] == 7 && keys[3] == 9 && keys[4] == 1);
	cdf_dedup_release(&dd);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *p = malloc((size_t)len + 1);
	*n = fread(p, 1, (size_t)len, f);
	fclose(f);
	return p;
}

static int same_file(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	unsigned char *pa = slurp(a, &na), *pb = slurp(b, &nb);
	int same = pa && pb && na == nb && memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return same;
}

/* merge(A, B) == index(A + B), byte for byte; threads 1 and 2 give the
 * same bytes; a part without a sketch, or of another size, is refused. */
static void test_merge_threads(void)
{
	const char *pa = path_of("a.jsonl"), *pb = path_of("b.jsonl");
	write_corpus(pa, 2, 1500);
	write_corpus(pb, 3, 1500);
	contam_params p = params_for(200000, 0);
	const char *fa[1] = { pa }, *fb[1] = { pb }, *fab[2] = { pa, pb };
	contam_index *a = build(&p, 0, 1, fa, 1, 2, 50000);
	contam_index *b = build(&p, 0, 1, fb, 1, 2, 50000);
	contam_index *ab1 = build(&p, 0, 1, fab, 2, 1, 50000);
	contam_index *ab2 = build(&p, 0, 1, fab, 2, 2, 50000);
	contam_index *plain = build(&p, 0, 1, fb, 1, 2, 0);
	contam_index *other = build(&p, 0, 1, fb, 1, 2, 60000);
	if (!a || !b || !ab1 || !ab2 || !plain || !other)
		return;
	const char *ia = path_of("a.cidx"), *ib = path_of("b.cidx");
	const char *iab1 = path_of("ab1.cidx"), *iab2 = path_of("ab2.cidx");
	const char *im = path_of("m.cidx"), *ip = path_of("plain.cidx");
	CHECK(contam_index_save(a, ia) == 0 && contam_index_save(b, ib) == 0);
	CHECK(contam_index_save(ab1, iab1) == 0 && contam_index_save(ab2, iab2) == 0);
	CHECK(contam_index_save(plain, ip) == 0);
	CHECK(same_file(iab1, iab2));
	const char *parts[2] = { ib, ia };
	contam_error msg;
	CHECK(contam_index_merge(im, parts, 2, &msg) == CONTAM_OK);
	CHECK(same_file(im, iab1));
	/* the merged file answers as the one build */
	contam_index *m = NULL;
	CHECK(contam_index_load(&m, im, NULL) == CONTAM_OK);
	CHECK(m && m->df && memcmp(m->df->c, ab1->df->c, cdf_held_bytes(ab1->df)) == 0);
	CHECK(m && m->df && m->df->pairs == a->df->pairs + b->df->pairs);
	contam_index_free(m);
	/* no sketch in one part: refused, naming it */
	const char *mixed[2] = { ia, ip };
	const char *ibad = path_of("bad.cidx");
	CHECK(contam_index_merge(ibad, mixed, 2, &msg) == CONTAM_E_PARAM);
	CHECK(strstr(msg.msg, "no doc-freq section") != NULL && strstr(msg.msg, "plain.cidx") != NULL);
	const char *io = path_of("other.cidx");
	CHECK(contam_index_save(other, io) == 0);
	const char *diff[2] = { ia, io };
	CHECK(contam_index_merge(ibad, diff, 2, &msg) == CONTAM_E_PARAM);
	CHECK(strstr(msg.msg, "doc-freq sketch size") != NULL);
	struct stat sb;
	CHECK(stat(ibad, &sb) != 0);
	/* a file without the section: -1, and the text helper refuses */
	contam_index *lp = NULL;
	CHECK(contam_index_load(&lp, ip, NULL) == CONTAM_OK);
	CHECK(lp && contam_index_doc_freq(lp, 12345) == -1);
	int64_t *est = NULL;
	size_t n = 0;
	CHECK(lp && contam_index_doc_freq_text(lp, "a b c d e f g h i", 17, &est, &n) ==
	      CONTAM_E_PARAM);
	contam_index_stats st;
	CHECK(lp && contam_index_stats_get(lp, &st) == 0 && !st.has_doc_freq);
	contam_index_free(lp);
	/* a sketch cannot start on an index that holds documents */
	contam_inputs in;
	int erc = contam_inputs_expand(&in, fa, 1, &msg);
	CHECK(erc == 0);
	if (erc)
		fprintf(stderr, "%s\n", msg.msg);
	contam_build_options opt;
	contam_build_options_init(&opt);
	opt.doc_freq_counters = 1000;
	CHECK(contam_index_build(plain, &in, &opt) == CONTAM_E_PARAM);
	CHECK(strstr(contam_index_errmsg(plain), "doc-freq") != NULL);
	/* --add: an index with a sketch keeps counting (option or not) */
	opt.doc_freq_counters = 0;
	CHECK(contam_index_build(b, &in, &opt) == CONTAM_OK);
	CHECK(b->df->pairs == ab1->df->pairs);
	CHECK(memcmp(b->df->c, ab1->df->c, cdf_held_bytes(ab1->df)) == 0);
	contam_inputs_free(&in);
	/* damage in the sketch's chunks is refused on load */
	size_t len = 0;
	unsigned char *bytes = slurp(ia, &len);
	if (bytes && len > 64) {
		bytes[len - 40] ^= 0x10; /* inside the last doc-freq chunk */
		const char *dmg = path_of("damaged.cidx");
		tu_write_file(dmg, bytes, len);
		contam_index *d = NULL;
		contam_error derr;
		CHECK(contam_index_load_summary(&d, dmg, &derr) == CONTAM_E_CORRUPT);
		CHECK(!d && strstr(derr.msg, "doc-freq") != NULL);
		contam_index_free(d);
	}
	free(bytes);
	contam_index_free(a);
	contam_index_free(b);
	contam_index_free(ab1);
	contam_index_free(ab2);
	contam_index_free(plain);
	contam_index_free(other);
}

/* Partitions, loaded together, hold the whole sketch. */
static void test_partitions(void)
{
	const char *pa = path_of("p.jsonl");
	write_corpus(pa, 4, 2000);
	const char *fa[1] = { pa };
	contam_params p = params_for(100000, 0);
	contam_index *whole = build(&p, 0, 1, fa, 1, 2, 30000);
	if (!whole)
		return;
	for (uint32_t P = 2; P <= 5; P += 3) {
		const char *paths[5];
		char names[5][64];
		uint64_t pairs = 0;
		for (uint32_t i = 0; i < P; i++) {
			contam_index *part = build(&p, i, P, fa, 1, 2, 30000);
			snprintf(names[i], sizeof(names[i]), "part%u-%u.cidx", i, P);
			paths[P - 1 - i] = path_of(names[i]); /* any order */
			CHECK(part && contam_index_save(part, paths[P - 1 - i]) == 0);
			/* a partition holds fewer lines than the whole */
			CHECK(part && part->df->hi - part->df->lo < whole->df->lines);
			pairs += part ? part->df->pairs : 0;
			contam_index_free(part);
		}
		CHECK_EQ_U64(pairs, whole->df->pairs);
		contam_index *all = NULL;
		CHECK(contam_index_load_parts(&all, paths, P, NULL) == CONTAM_OK);
		CHECK(all && all->df && memcmp(all->df->c, whole->df->c,
					       cdf_held_bytes(whole->df)) == 0);
		contam_index_stats st;
		CHECK(all && contam_index_stats_get(all, &st) == 0 && st.has_doc_freq &&
		      st.doc_freq_pairs == whole->df->pairs);
		contam_index_free(all);
	}
	contam_index_free(whole);
}

static void test_saturation(void)
{
	cdocfreq *s = cdf_new(16, 2, 16, 0, 16);
	CHECK(s != NULL);
	if (!s)
		return;
	uint64_t *keys = malloc(70000 * sizeof(uint64_t));
	uint64_t *scratch = malloc(70000 * sizeof(uint64_t));
	for (int i = 0; i < 70000; i++)
		keys[i] = 0x1234567890abcdefULL;
	CHECK_EQ_U64(cdf_add(s, keys, 70000, scratch), 70000);
	cdf_drain(s);
	CHECK_EQ_U64(cdf_query(s, 0x1234567890abcdefULL), 65535);
	uint16_t a[3] = { 65000, 65535, 7 }, b[3] = { 1000, 1, 8 };
	cdf_sat_add(a, b, 3);
	CHECK(a[0] == 65535 && a[1] == 65535 && a[2] == 15);
	uint64_t sum = 0, sat = 0;
	cdf_measure(s->c, 16 * CDF_LINE_COUNTERS, &sum, &sat);
	CHECK_EQ_U64(sat, 2);
	/* partition line ranges tile the sketch, adjacent ones sharing at
	 * most one line */
	uint64_t lo, hi, prev_hi = 0;
	for (uint32_t i = 0; i < 7; i++) {
		uint64_t blo, bhi;
		cbloom_partition_range(1000, i, 7, &blo, &bhi);
		cdf_part_lines(333, 1000, blo, bhi, &lo, &hi);
		CHECK(i == 0 ? lo == 0 : (lo == prev_hi || lo + 1 == prev_hi));
		prev_hi = hi;
	}
	CHECK_EQ_U64(prev_hi, 333);
	free(keys);
	free(scratch);
	cdf_free(s);
}

int main(void)
{
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/contam_test_docfreq.XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_saturation();
	test_dedup_in_document();
	test_never_undercounts();
	test_merge_threads();
	test_partitions();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	for (int i = 0; i < nkept; i++)
		free(kept_paths[i]);
	return tu_finish("test_docfreq");
}
