/*
 * test_avx2.c -- the four-lane AVX2 paths (word hashing, n-gram window
 * hashing, Bloom insertion) give exactly the scalar paths' results, and
 * CONTAM_SIMD=avx2 (the AVX2 path, even on an AVX-512 CPU) writes the
 * same index bytes as CONTAM_SIMD=off and as the default.
 *
 * argv[1]: testdata directory (unused); argv[2]: the contam binary, for
 * the CLI check (skipped without it).  Each path is a configuration
 * passed to the code under test (AVX2, scalar, the default); on a CPU
 * without AVX2 the AVX2 one falls back to scalar and the comparisons
 * still hold.
 */
#include "text/text.h"
#include "ngram/ngram.h"
#include "index/index.h"
#include "testutil.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every SIMD path of the default at `level`: CFAST_AVX2 also asks for
 * the four-lane windows loop, which nothing takes by itself. */
static cfast at_level(int level)
{
	cfast f = *cfast_default();
	f.tok = f.insert = f.windows = level;
	return f;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* --- word hashing -------------------------------------------------- */

typedef struct hashes {
	uint64_t *v;
	size_t n, cap;
} hashes;

static void take(void *ctx, const uint64_t *h, size_t n)
{
	hashes *l = ctx;
	if (l->n + n > l->cap) {
		l->cap = (l->n + n) * 2;
		l->v = realloc(l->v, l->cap * sizeof(uint64_t));
	}
	memcpy(l->v + l->n, h, n * sizeof(uint64_t));
	l->n += n;
}

/* Token hashes of buf from a hash-only tokenizer (the index's path) with
 * the word loops of `fast` and `seed`, fed in pieces of `piece` bytes. */
static void sink_seeded(const unsigned char *buf, size_t n, size_t piece,
			const cfast *fast, uint64_t seed, hashes *out)
{
	out->n = 0;
	ctok t;
	ctok_init_hashes(&t, fast, seed, take, out);
	for (size_t i = 0; i < n; i += piece)
		ctok_feed(&t, (const char *)buf + i, n - i < piece ? n - i : piece);
	ctok_finish(&t);
	ctok_release(&t);
}

static void sink(const unsigned char *buf, size_t n, size_t piece,
		 const cfast *fast, hashes *out)
{
	sink_seeded(buf, n, piece, fast, 42, out);
}

static int same(const hashes *a, const hashes *b)
{
	return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof(uint64_t)) == 0;
}

/* Words of 1..maxlen letters/digits (mixed case), separated by 1..3
 * separators; now and then a CJK character, an accented letter, a curly
 * quote or a stray byte >= 0x80. */
static size_t gen_text(unsigned char *buf, size_t want, size_t maxlen, int mixed, uint64_t *s)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static const char seps[] = " \n\t.,;:-_'\"()[]!?/@#%&*+=<>|";
	static const char *const odd[] = {
		"\xE6\x97\xA5\xE6\x9C\xAC", "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97", "\xC3\xA9",
		"\xE2\x80\x99", "\xE2\x80\x9C", "\xFF", "\xE3\x81\x82\xE3\x81\x84",
		"\xEF\xBC\xA1", "\xE2\x80\x94",
	};
	size_t n = 0;
	while (n + maxlen + 16 < want) {
		uint64_t r = splitmix(s);
		if (mixed && r % 11 == 0) {
			const char *o = odd[(r >> 8) % (sizeof(odd) / sizeof(*odd))];
			memcpy(buf + n, o, strlen(o));
			n += strlen(o);
		} else {
			size_t len = 1 + (size_t)((r >> 8) % maxlen);
			for (size_t j = 0; j < len; j++)
				buf[n++] = (unsigned char)alnum[splitmix(s) % (sizeof(alnum) - 1)];
		}
		size_t ns = 1 + (size_t)((r >> 20) % 3);
		for (size_t j = 0; j < ns; j++)
			buf[n++] = (unsigned char)seps[splitmix(s) % (sizeof(seps) - 1)];
	}
	/* every tail size: end on a word cut anywhere */
	size_t tail = (size_t)(splitmix(s) % 20);
	for (size_t j = 0; j < tail; j++)
		buf[n++] = (unsigned char)alnum[splitmix(s) % 26];
	return n;
}

static void test_word_hashing(void)
{
	const cfast avx2 = at_level(CFAST_AVX2), scalar = at_level(CFAST_SCALAR);
	fprintf(stderr, "word loops: %s (AVX2) against %s\n", ctok_simd_name(&avx2),
		ctok_simd_name(&scalar));
	CHECK(strcmp(ctok_simd_name(&scalar), "scalar") == 0);
	static unsigned char buf[70000];
	hashes a = { 0 }, o = { 0 }, b = { 0 };
	uint64_t s = 19;
	int all = 1, best = 1;
	for (int round = 0; round < 300; round++) {
		size_t maxlen = round % 3 == 0 ? 8 : round % 3 == 1 ? 20 : 90;
		size_t n = gen_text(buf, 100 + (size_t)(splitmix(&s) % 60000), maxlen, round % 4 != 0, &s);
		size_t piece = round % 2 ? n + 1 : 1 + (size_t)(splitmix(&s) % 500);
		sink(buf, n, piece, &avx2, &a);
		sink(buf, n, piece, &scalar, &o);
		sink(buf, n, piece, NULL, &b);
		all &= same(&a, &o) && o.n > 0;
		best &= same(&b, &o);
	}
	/* every length 1..40 at every offset of a 64-byte block, under a
	 * seed of 42 and one with every 32-bit half busy (the 4-8 byte
	 * formula mixes the seed's byte-swapped low half into its high) */
	for (size_t len = 1; len <= 40; len++)
		for (size_t off = 0; off < 64; off++) {
			const uint64_t seed = off % 2 ? 42 : 0x9E3779B97F4A7C15ULL + len;
			size_t n = 0;
			memset(buf, ' ', off);
			n = off;
			for (int w = 0; w < 11; w++) {
				for (size_t j = 0; j < len; j++)
					buf[n++] = (unsigned char)('a' + (j * 7 + w) % 26);
				buf[n++] = ' ';
			}
			sink_seeded(buf, n, n + 1, &avx2, seed, &a);
			sink_seeded(buf, n, n + 1, &scalar, seed, &o);
			all &= same(&a, &o) && o.n == 11;
		}
	CHECK(all);
	CHECK(best);
	free(a.v);
	free(o.v);
	free(b.v);
}

/* --- n-gram windows ------------------------------------------------ */

static void test_windows(void)
{
	const cfast avx2 = at_level(CFAST_AVX2), scalar = at_level(CFAST_SCALAR);
	fprintf(stderr, "windows: %s against %s\n", cngram_simd_name(&avx2),
		cngram_simd_name(&scalar));
	enum { MAXT = 300 };
	uint64_t toks[MAXT], a[MAXT], o[MAXT], b[MAXT];
	uint64_t s = 7;
	int all = 1;
	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < MAXT; i++)
			toks[i] = cngram_le64(splitmix(&s));
		uint64_t seed = round % 2 ? splitmix(&s) : 0;
		for (uint32_t n = 1; n <= CONTAM_MAX_NGRAM; n++) {
			/* every count below 40 (all tails of 4 and 8), then random */
			size_t count = round < 20 ? (size_t)round * 2 + (n & 1) : (size_t)(splitmix(&s) % MAXT);
			size_t ma = cngram_hash_windows(&avx2, toks, count, n, seed, a);
			size_t mo = cngram_hash_windows(&scalar, toks, count, n, seed, o);
			size_t mb = cngram_hash_windows(NULL, toks, count, n, seed, b);
			all &= ma == mo && mb == mo;
			for (size_t j = 0; all && j < mo; j++)
				all &= a[j] == o[j] && b[j] == o[j] &&
				       o[j] == cngram_hash_window(toks + j, n, seed);
		}
	}
	CHECK(all);
	CHECK(strcmp(cngram_simd_name(&scalar), "scalar") == 0);
}

/* --- Bloom insertion ----------------------------------------------- */

static void test_insert(void)
{
	const cfast avx2 = at_level(CFAST_AVX2), scalar = at_level(CFAST_SCALAR);
	fprintf(stderr, "insertion: %s against %s\n", cbloom_simd_name(&avx2),
		cbloom_simd_name(&scalar));
	CHECK(strcmp(cbloom_simd_name(&scalar), "scalar") == 0);
	const size_t n = 30000;
	uint64_t *keys = malloc(n * sizeof(uint64_t)), s = 11;
	for (size_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	const uint64_t nblocks = 1000;
	int all = 1;
	for (uint32_t k = 1; k <= CBLOOM_K_MAX; k++)
		for (int part = 0; part < 2; part++) {
			cbloom fa = { 0 }, fo = { 0 };
			fa.nblocks = fo.nblocks = nblocks;
			fa.lo = fo.lo = part ? 300 : 0;
			fa.hi = fo.hi = part ? 700 : nblocks;
			fa.k = fo.k = k;
			fa.bits = cbloom_alloc(fa.hi - fa.lo);
			fo.bits = cbloom_alloc(fo.hi - fo.lo);
			CHECK(fa.bits && fo.bits);
			if (!fa.bits || !fo.bits)
				break;
			/* in two batches of odd sizes: the prefetch ring's ends */
			cbloom_insert_batch(&fa, &avx2, keys, 7);
			cbloom_insert_batch(&fa, &avx2, keys + 7, n - 7);
			cbloom_insert_batch(&fo, &scalar, keys, 7);
			cbloom_insert_batch(&fo, &scalar, keys + 7, n - 7);
			all &= memcmp(fa.bits, fo.bits, (fa.hi - fa.lo) * 64) == 0;
			for (size_t i = 0; i < 200; i++)
				all &= cbloom_contains(&fa, keys[i]) != 0;
			cbloom_free(fa.bits, fa.hi - fa.lo);
			cbloom_free(fo.bits, fo.hi - fo.lo);
		}
	CHECK(all);
	free(keys);
}

/* --- the CLI: CONTAM_SIMD=avx2 / off / default, same index bytes ---- */

static int read_file(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	*data = malloc((size_t)l + 1);
	*len = fread(*data, 1, (size_t)l, f);
	fclose(f);
	return *len == (size_t)l ? 0 : -1;
}

static void test_cli(const char *bin)
{
	if (!bin || access(bin, X_OK) != 0) {
		fprintf(stderr, "no contam binary: CLI check skipped\n");
		return;
	}
	char dir[] = "/tmp/contam-avx2-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[512], cmd[2048];
	/* JSONL of generated documents, ~3 MB: ASCII and mixed */
	snprintf(path, sizeof path, "%s/corpus.jsonl", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	static unsigned char doc[40000];
	uint64_t s = 3;
	for (int d = 0; d < 120; d++) {
		size_t n = gen_text(doc, 200 + (size_t)(splitmix(&s) % 39000), d % 5 ? 12 : 40, d % 3 == 0, &s);
		fputs("{\"text\": \"", f);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = doc[i];
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c == '\n')
				fputs("\\n", f);
			else if (c == '\t')
				fputs("\\t", f);
			else
				fputc(c, f);
		}
		fputs("\"}\n", f);
	}
	fclose(f);
	static const char *const modes[] = { "off", "avx2", "" };
	unsigned char *bytes[3] = { 0 };
	size_t lens[3] = { 0 };
	for (int m = 0; m < 3; m++) {
		snprintf(cmd, sizeof cmd,
			 "CONTAM_SIMD='%s' '%s' index -q -n 8 -o '%s/%d.idx' '%s'",
			 modes[m], bin, dir, m, path);
		CHECK(system(cmd) == 0);
		snprintf(cmd, sizeof cmd, "%s/%d.idx", dir, m);
		CHECK(read_file(cmd, &bytes[m], &lens[m]) == 0);
		unlink(cmd);
	}
	CHECK(lens[0] > 1000);
	CHECK(lens[0] == lens[1] && bytes[0] && bytes[1] &&
	      memcmp(bytes[0], bytes[1], lens[0]) == 0);
	CHECK(lens[0] == lens[2] && bytes[0] && bytes[2] &&
	      memcmp(bytes[0], bytes[2], lens[0]) == 0);
	for (int m = 0; m < 3; m++)
		free(bytes[m]);
	/* and CONTAM_SIMD=avx2 takes the AVX2 insertion, not AVX-512 */
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2")) {
		snprintf(cmd, sizeof cmd, "CONTAM_SIMD=avx2 '%s' --version > '%s/v.txt'", bin, dir);
		CHECK(system(cmd) == 0);
		unsigned char *v = NULL;
		size_t vl = 0;
		snprintf(cmd, sizeof cmd, "%s/v.txt", dir);
		CHECK(read_file(cmd, &v, &vl) == 0);
		if (v) {
			v[vl] = 0;
			CHECK(strstr((char *)v, "tokenizer avx2, Bloom insertion avx2") != NULL);
		}
		free(v);
		unlink(cmd);
	}
#endif
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	test_word_hashing();
	test_windows();
	test_insert();
	test_cli(argc > 2 ? argv[2] : NULL);
	return tu_finish("avx2");
}
