/*
 * test_text.c -- the tokenizer against testdata/tokenizer_cases.txt, the
 * ASCII fast path against the Unicode path, and the streaming property:
 * any split of the input into pieces gives the same tokens and offsets.
 */
#include "common/stream.h"
#include "text/text.h"
#include "testutil.h"

#include <stdlib.h>
#include <utf8proc.h>

typedef struct toklist {
	cbuf text;            /* tokens joined by ' ' */
	uint64_t hashes[4096];
	uint64_t starts[4096], ends[4096];
	size_t n;
} toklist;

static void collect(void *ctx, const ctok_token *t)
{
	toklist *l = ctx;
	if (l->text.len)
		cbuf_putc(&l->text, ' ');
	cbuf_append(&l->text, t->bytes, t->len);
	if (l->n < 4096) {
		l->hashes[l->n] = t->hash;
		l->starts[l->n] = t->start;
		l->ends[l->n] = t->end;
	}
	l->n++;
}

/* Tokenize with the loops of `fast` (NULL: the default), in pieces. */
static void tokenize_with(const cfast *fast, const char *s, size_t n,
			  size_t piece, toklist *out)
{
	ctok t;
	memset(out, 0, sizeof(*out));
	ctok_init(&t, fast, 42, collect, out);
	for (size_t i = 0; i < n; i += piece)
		ctok_feed(&t, s + i, (n - i) < piece ? n - i : piece);
	ctok_finish(&t);
	ctok_release(&t);
	if (!out->text.data)
		cbuf_reserve(&out->text, 0);
}

static void tokenize(const char *s, size_t n, size_t piece, toklist *out)
{
	tokenize_with(NULL, s, n, piece, out);
}

/* Decode the escapes of the case file into raw bytes. */
static void unescape(const char *s, cbuf *out)
{
	cbuf_reset(out);
	while (*s) {
		if (s[0] == '\\' && s[1] == 'n') { cbuf_putc(out, '\n'); s += 2; }
		else if (s[0] == '\\' && s[1] == 'r') { cbuf_putc(out, '\r'); s += 2; }
		else if (s[0] == '\\' && s[1] == 't') { cbuf_putc(out, '\t'); s += 2; }
		else if (s[0] == '\\' && s[1] == '\\') { cbuf_putc(out, '\\'); s += 2; }
		else if (s[0] == '\\' && s[1] == 'x') {
			char hex[3] = { s[2], s[3], 0 };
			cbuf_putc(out, (char)strtol(hex, NULL, 16));
			s += 4;
		} else if (s[0] == '\\' && s[1] == 'u' && s[2] == '{') {
			char *end;
			long cp = strtol(s + 3, &end, 16);
			unsigned char enc[4];
			utf8proc_ssize_t l = utf8proc_encode_char((utf8proc_int32_t)cp, enc);
			cbuf_append(out, enc, (size_t)l);
			s = end + 1;
		} else {
			cbuf_putc(out, *s++);
		}
	}
	if (!out->data)
		cbuf_reserve(out, 0);
}

static void test_cases(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tokenizer_cases.txt", dir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char line[4096];
	int lineno = 0, cases = 0;
	cbuf in = CBUF_INIT, want = CBUF_INIT;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *tab = strchr(line, '\t');
		CHECK(tab != NULL);
		if (!tab)
			continue;
		*tab = '\0';
		unescape(line, &in);
		unescape(tab + 1, &want);
		for (size_t piece = 1; piece <= in.len + 1; piece = piece * 2 + 1) {
			toklist got;
			tokenize(in.data, in.len, piece, &got);
			if (strcmp(got.text.data, want.data) != 0) {
				fprintf(stderr, "%s:%d: piece %zu: got '%s' want '%s'\n",
					path, lineno, piece, got.text.data, want.data);
				tu_failed++;
			} else {
				tu_passed++;
			}
			cbuf_release(&got.text);
		}
		cases++;
	}
	fclose(f);
	CHECK(cases >= 30);
	cbuf_release(&in);
	cbuf_release(&want);
}

/* The ASCII fast path and the Unicode path must hash a word identically. */
static void test_fast_path_agrees(void)
{
	toklist a, b;
	tokenize("Hello World", 11, 64, &a);
	/* the NBSP forces the whole run through the Unicode path */
	tokenize("Hello\xC2\xA0World", 12, 64, &b);
	CHECK_EQ_U64(a.n, 2);
	CHECK_EQ_U64(b.n, 2);
	CHECK_EQ_U64(a.hashes[0], b.hashes[0]);
	CHECK_EQ_U64(a.hashes[1], b.hashes[1]);
	CHECK_EQ_U64(a.hashes[0], ctok_hash("hello", 5, 42));
	cbuf_release(&a.text);
	cbuf_release(&b.text);
}

static void test_offsets(void)
{
	toklist l;
	const char *s = "  Caf\xC3\xA9 au lait, \xE6\x97\xA5\xE6\x9C\xAC!";
	tokenize(s, strlen(s), 3, &l);
	CHECK_EQ_U64(l.n, 5);
	CHECK_EQ_U64(l.starts[0], 2);
	CHECK_EQ_U64(l.ends[0], 7);   /* "Café" is 5 bytes */
	CHECK_EQ_U64(l.starts[1], 8);
	CHECK_EQ_U64(l.starts[3], 17); /* 日 */
	CHECK_EQ_U64(l.ends[3], 20);
	CHECK_EQ_U64(l.starts[4], 20); /* 本 */
	cbuf_release(&l.text);
}

/* Random text of ASCII, Latin, CJK, combining marks and broken bytes. */
static size_t random_text(unsigned char *buf, size_t cap, unsigned *seed)
{
	static const char *const parts[] = {
		"the ", "Quick", " brown", "\xC3\xA9", "e\xCC\x81", "\xE6\x97\xA5",
		"\xE3\x81\x82", ", ", "\n", "\xFF", "\xE2\x82", "\xC2\xA0", "42",
		"\xEF\xBC\xA1", "\xF0\x9F\x98\x80", "_", "\xE2\x80\x99", "x",
		/* general punctuation: taken by the vector loop (U+2010-2027)
		 * or not (U+200F, U+2028, a cut sequence) */
		"\xE2\x80\x9C", "\xE2\x80\x94", "\xE2\x80\xA6", "\xE2\x80\x90",
		"\xE2\x80\xA7", "\xE2\x80\xA8", "\xE2\x80\x8F", "\xE2\x80",
		"\xE2\x80\x99\xCC\x81", "don\xE2\x80\x99t",
	};
	size_t n = 0;
	while (n + 8 < cap) {
		const char *p = parts[rand_r(seed) % (sizeof(parts) / sizeof(*parts))];
		size_t l = strlen(p);
		memcpy(buf + n, p, l);
		n += l;
	}
	return n;
}

static void test_streaming_property(void)
{
	unsigned seed = 12345;
	static unsigned char buf[20000];
	for (int round = 0; round < 40; round++) {
		size_t n = random_text(buf, 200 + (size_t)(rand_r(&seed) % 19000), &seed);
		toklist whole, pieces;
		tokenize((const char *)buf, n, n + 1, &whole);
		/* random-sized pieces */
		ctok t;
		memset(&pieces, 0, sizeof(pieces));
		ctok_init(&t, NULL, 42, collect, &pieces);
		for (size_t i = 0; i < n;) {
			size_t k = 1 + (size_t)(rand_r(&seed) % 37);
			if (k > n - i)
				k = n - i;
			ctok_feed(&t, (const char *)buf + i, k);
			i += k;
		}
		ctok_finish(&t);
		ctok_release(&t);
		int same = whole.n == pieces.n &&
			   strcmp(whole.text.data ? whole.text.data : "",
				  pieces.text.data ? pieces.text.data : "") == 0;
		for (size_t i = 0; same && i < whole.n && i < 4096; i++)
			same = whole.hashes[i] == pieces.hashes[i] &&
			       whole.starts[i] == pieces.starts[i] &&
			       whole.ends[i] == pieces.ends[i];
		CHECK(same);
		cbuf_release(&whole.text);
		cbuf_release(&pieces.text);
	}
}

/* The vectorized word loop (avx512bw or avx2, whichever this CPU has)
 * gives exactly the scalar loop's tokens, hashes and offsets -- on the
 * case file, on random mixed text, and on ASCII with words of every
 * length placed across every 64-byte boundary. */
static int same_tokens(const toklist *a, const toklist *b)
{
	int same = a->n == b->n && strcmp(a->text.data, b->text.data) == 0;
	for (size_t i = 0; same && i < a->n && i < 4096; i++)
		same = a->hashes[i] == b->hashes[i] &&
		       a->starts[i] == b->starts[i] && a->ends[i] == b->ends[i];
	return same;
}

/* Hashes from a hash-only tokenizer (the index's path). */
typedef struct hash_list {
	uint64_t v[8192];
	size_t n, calls;
} hash_list;

static void take_hashes(void *ctx, const uint64_t *h, size_t n)
{
	hash_list *l = ctx;
	for (size_t i = 0; i < n && l->n < 8192; i++)
		l->v[l->n++] = h[i];
	l->calls++;
}


/* Tokenize with a hash-only tokenizer, in pieces. */
static void sink_tokenize_with(const cfast *fast, const unsigned char *buf,
			       size_t n, size_t piece, hash_list *out)
{
	memset(out, 0, sizeof(*out));
	ctok t;
	ctok_init_hashes(&t, fast, 42, take_hashes, out);
	for (size_t i = 0; i < n; i += piece)
		ctok_feed(&t, (const char *)buf + i, n - i < piece ? n - i : piece);
	ctok_finish(&t);
	ctok_release(&t);
}

static void sink_tokenize(const unsigned char *buf, size_t n, size_t piece, hash_list *out)
{
	sink_tokenize_with(NULL, buf, n, piece, out);
}

static int same_hashes(const hash_list *h, const toklist *l)
{
	int same = h->n == l->n;
	for (size_t i = 0; same && i < h->n && i < 4096; i++)
		same = h->v[i] == l->hashes[i];
	return same;
}

static void compare_simd_scalar(const unsigned char *buf, size_t n, size_t piece)
{
	toklist best, avx2, slow;
	cfast fast_avx2, fast_off;
	contam_fast_limit(&fast_avx2, NULL, CFAST_AVX2);
	contam_fast_limit(&fast_off, NULL, CFAST_SCALAR);
	tokenize_with(cfast_default(), (const char *)buf, n, piece, &best);
	tokenize_with(&fast_avx2, (const char *)buf, n, piece, &avx2);
	tokenize_with(&fast_off, (const char *)buf, n, piece, &slow);
	CHECK(same_tokens(&best, &slow));
	CHECK(same_tokens(&avx2, &slow));
	/* and the hash-only tokenizer's loops (AVX-512: eight words hashed
	 * at once) give the same hashes */
	static hash_list sunk;
	sink_tokenize(buf, n, piece, &sunk);
	CHECK(same_hashes(&sunk, &slow));
	sink_tokenize_with(&fast_avx2, buf, n, piece, &sunk);
	CHECK(same_hashes(&sunk, &slow));
	cbuf_release(&best.text);
	cbuf_release(&avx2.text);
	cbuf_release(&slow.text);
}

static void test_simd_agrees(const char *dir)
{
	cfast fast_avx2, fast_off;
	contam_fast_limit(&fast_avx2, NULL, CFAST_AVX2);
	contam_fast_limit(&fast_off, NULL, CFAST_SCALAR);
	fprintf(stderr, "word loops: %s and %s against %s\n",
		ctok_simd_name(NULL), ctok_simd_name(&fast_avx2),
		ctok_simd_name(&fast_off));
	CHECK(strcmp(ctok_simd_name(&fast_off), "scalar") == 0);
	unsigned seed = 777;
	static unsigned char buf[20000];
	for (int round = 0; round < 30; round++) {
		size_t n = random_text(buf, 200 + (size_t)(rand_r(&seed) % 19000), &seed);
		compare_simd_scalar(buf, n, n + 1);
		compare_simd_scalar(buf, n, 1 + (size_t)(rand_r(&seed) % 300));
	}
	/* ASCII words of 1..70 letters and digits, separated by 1..3
	 * separators of assorted kinds, with an occasional non-ASCII byte */
	static const char seps[] = " \n\t.,;:-_'\"()[]{}!?/\\@#$%^&*+=<>|~`";
	for (int round = 0; round < 30; round++) {
		size_t n = 0, want = 500 + (size_t)(rand_r(&seed) % 15000);
		while (n + 80 < want) {
			size_t len = 1 + (size_t)(rand_r(&seed) % (round < 10 ? 20 : 70));
			for (size_t j = 0; j < len; j++) {
				int r = rand_r(&seed) % 64;
				buf[n++] = (unsigned char)(r < 26 ? 'a' + r : r < 52 ?
					'A' + r - 26 : r < 62 ? '0' + r - 52 :
					r == 62 ? 0xC3 : 0xA9);
			}
			size_t ns = 1 + (size_t)(rand_r(&seed) % 3);
			for (size_t j = 0; j < ns; j++)
				buf[n++] = (unsigned char)seps[rand_r(&seed) % (sizeof(seps) - 1)];
		}
		compare_simd_scalar(buf, n, n + 1);
		compare_simd_scalar(buf, n, 64 + (size_t)(rand_r(&seed) % 200));
	}
	/* ASCII words joined by curly quotes and dashes, sometimes broken
	 * or followed by a combining mark, in runs of every length */
	static const char *const puncts[] = {
		"\xE2\x80\x99", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x94",
		"\xE2\x80\x90", "\xE2\x80\xA7", "\xE2\x80\xA8", "\xE2\x80\x8F",
		"\xE2\x80", "\xE2\x81\xB1", "\xE2\x80\x99\xCC\x81", "\xC3\xA9",
	};
	for (int round = 0; round < 40; round++) {
		size_t n = 0, want = 500 + (size_t)(rand_r(&seed) % 15000);
		while (n + 100 < want) {
			int pieces = 1 + rand_r(&seed) % (round < 20 ? 4 : 30);
			for (int k = 0; k < pieces; k++) {
				size_t len = (size_t)(rand_r(&seed) % 12);
				for (size_t j = 0; j < len; j++)
					buf[n++] = (unsigned char)("aBz09Qx"[rand_r(&seed) % 7]);
				if (k + 1 < pieces) {
					int r = rand_r(&seed) % 40;
					const char *q = puncts[r < 34 ? r % 6 : 6 + r % 6];
					memcpy(buf + n, q, strlen(q));
					n += strlen(q);
				}
			}
			buf[n++] = (unsigned char)" \n.,"[rand_r(&seed) % 4];
		}
		compare_simd_scalar(buf, n, n + 1);
		compare_simd_scalar(buf, n, 64 + (size_t)(rand_r(&seed) % 200));
	}
	/* the case file, whole */
	char path[4096];
	snprintf(path, sizeof(path), "%s/tokenizer_cases.txt", dir);
	char *data = NULL;
	size_t len = 0;
	cerr e;
	CHECK(cstream_read_all(path, 1 << 20, &data, &len, &e) == CONTAM_OK);
	if (data)
		compare_simd_scalar((const unsigned char *)data, len, len + 1);
	free(data);
}

/* The branch-free hash of 1..16 bytes is XXH3's. */
static void test_short_hash(void)
{
	unsigned seed = 99;
	int same = 1;
	for (int round = 0; round < 20000; round++) {
		unsigned char b[16];
		size_t len = 1 + (size_t)(rand_r(&seed) % 16);
		for (size_t j = 0; j < 16; j++)
			b[j] = (unsigned char)rand_r(&seed);
		uint64_t s = (uint64_t)rand_r(&seed) << 32 | (uint64_t)rand_r(&seed);
		same &= ctok_hash_short_test(b, len, s) == ctok_hash(b, len, s);
	}
	CHECK(same);
}

/* Hash-only delivery (the index's path) gives the hashes emit gives. */
static void test_hash_sink(void)
{
	unsigned seed = 4242;
	static unsigned char buf[20000];
	for (int round = 0; round < 20; round++) {
		size_t n = random_text(buf, 200 + (size_t)(rand_r(&seed) % 19000), &seed);
		toklist emitted;
		tokenize((const char *)buf, n, n + 1, &emitted);
		static hash_list sunk;
		memset(&sunk, 0, sizeof(sunk));
		ctok t;
		ctok_init_hashes(&t, NULL, 42, take_hashes, &sunk);
		for (size_t i = 0; i < n; i += 777)
			ctok_feed(&t, (const char *)buf + i, n - i < 777 ? n - i : 777);
		ctok_finish(&t);
		ctok_release(&t);
		int same = sunk.n == emitted.n;
		for (size_t i = 0; same && i < sunk.n && i < 4096; i++)
			same = sunk.v[i] == emitted.hashes[i];
		CHECK(same);
		CHECK(sunk.calls >= emitted.n / CTOK_HASH_BUF);
		cbuf_release(&emitted.text);
	}
}

/* The sink's buffer filled to the last slot by a group of eight words,
 * then a word delivered singly (here: one with a curly quote): for every
 * count of words around the buffer size.  (An overflow here shows under
 * the sanitizers, scripts/sanitize.sh.) */
static void test_hash_sink_full_buffer(void)
{
	static unsigned char buf[8 * CTOK_HASH_BUF];
	int same = 1;
	for (size_t words = CTOK_HASH_BUF - 24; words <= CTOK_HASH_BUF + 24; words++) {
		size_t n = 0;
		for (size_t k = 0; k < words; k++) {
			buf[n++] = (unsigned char)('a' + k % 26);
			buf[n++] = ' ';
		}
		static const char tail[] = "don\xE2\x80\x99t and 4 more words here now ok";
		memcpy(buf + n, tail, sizeof tail - 1);
		n += sizeof tail - 1;
		toklist emitted;
		tokenize((const char *)buf, n, n + 1, &emitted);
		static hash_list sunk;
		sink_tokenize(buf, n, n + 1, &sunk);
		same &= same_hashes(&sunk, &emitted);
		cbuf_release(&emitted.text);
	}
	CHECK(same);
}

/* A word longer than CTOK_RUN_MAX is cut deterministically. */
static void test_long_run(void)
{
	size_t n = CTOK_RUN_MAX * 2 + 100;
	char *s = malloc(n);
	memset(s, 'a', n);
	toklist a, b;
	tokenize(s, n, n, &a);
	tokenize(s, n, 1000, &b);
	CHECK_EQ_U64(a.n, 3);
	CHECK_EQ_U64(b.n, 3);
	CHECK_EQ_U64(a.hashes[2], b.hashes[2]);
	cbuf_release(&a.text);
	cbuf_release(&b.text);
	free(s);
}

int main(int argc, char **argv)
{
	test_cases(tu_datadir(argc, argv));
	test_fast_path_agrees();
	test_offsets();
	test_streaming_property();
	test_long_run();
	test_simd_agrees(tu_datadir(argc, argv));
	test_short_hash();
	test_hash_sink();
	test_hash_sink_full_buffer();
	CHECK_STR(contam_recipe(), "nfkc-casefold-alnum-cjk/v1");
	return tu_finish("text");
}
