/*
 * fuzz_normalize.c -- libFuzzer target: the tokenizer (ctok) must give
 * the same tokens however the text is cut into pieces.
 *
 * The first 4 bytes seed a small PRNG that chooses the piece sizes (from
 * 1 byte to 64 KiB, biased to small ones, so multi-byte characters, long
 * runs and CTOK_RUN_MAX cuts all get split); the rest is the text.  When
 * the first byte is REPEAT_MARK, the text is repeated to just past
 * CTOK_RUN_MAX, so that short inputs reach the cutting of over-long runs
 * (scripts/fuzz.sh keeps this target's inputs short).  It is
 * tokenized whole, then in pieces, then whole again after a reused
 * ctok_finish; hashes, offsets and normalized bytes must match exactly,
 * or the target aborts with the first difference.  The whole text is also
 * tokenized by the scalar loop alone and by the AVX2 loop (the first run
 * uses the CPU's best, AVX-512 where present), and through the hash-only
 * sink the index uses: all must give the same tokens.
 */
#include "fuzz_util.h"
#include "text/text.h"

/* First byte that asks for the text to be repeated (rare, so that most
 * executions stay short and fast). */
#define REPEAT_MARK 0xa5

typedef struct tokens {
	uint64_t *v;      /* hash, start, end, hash of the bytes: 4 per token */
	size_t n, cap;
	int bad;
} tokens;

static void push(tokens *k, uint64_t x)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		uint64_t *v = realloc(k->v, cap * sizeof *v);
		if (!v)
			abort();
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = x;
}

static void emit(void *ctx, const ctok_token *t)
{
	tokens *k = ctx;
	if (t->start > t->end || t->len == 0 || !t->bytes) {
		k->bad = 1;
		return;
	}
	push(k, t->hash);
	push(k, t->start);
	push(k, t->end);
	push(k, ctok_hash(t->bytes, t->len, 0));
}

static void sink(void *ctx, const uint64_t *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		push(ctx, h[i]);
}

/* The whole text through a tokenizer made with the word loop of the
 * default narrowed to `simd` (CFAST_*). */
static void tokenize_with(int simd, const char *text, size_t len, tokens *out)
{
	ctok t;
	cfast fast;
	contam_fast_limit(&fast, NULL, simd);
	ctok_init(&t, &fast, 0x5eed, emit, out);
	if (ctok_feed(&t, text, len) || ctok_finish(&t))
		abort();
	ctok_release(&t);
}

static uint32_t next(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void compare(const tokens *a, const tokens *b, const char *what)
{
	if (a->bad || b->bad) {
		fprintf(stderr, "fuzz_normalize: bad token (%s)\n", what);
		abort();
	}
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		if (a->v[i] != b->v[i]) {
			fprintf(stderr, "fuzz_normalize: %s: token %zu differs "
				"(field %zu: %llu vs %llu)\n", what, i / 4, i % 4,
				(unsigned long long)a->v[i],
				(unsigned long long)b->v[i]);
			abort();
		}
	}
	if (a->n != b->n) {
		fprintf(stderr, "fuzz_normalize: %s: %zu tokens vs %zu\n", what,
			a->n / 4, b->n / 4);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
			(uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	seed |= 1; /* xorshift needs a nonzero state */
	const char *text = (const char *)data + 4;
	size_t len = size - 4;
	char *longer = NULL;
	if (data[0] == REPEAT_MARK && len > 0) {
		/* repeat the text past CTOK_RUN_MAX, so that a short input
		 * still reaches the cut of over-long runs */
		size_t want = CTOK_RUN_MAX + 64;
		size_t n = (want / len + 1) * len;
		if (!(longer = malloc(n)))
			abort();
		for (size_t i = 0; i < n; i += len)
			memcpy(longer + i, text, len);
		text = longer;
		len = n;
	}

	tokens whole = { 0 }, cut = { 0 }, again = { 0 };
	ctok t;

	ctok_init(&t, NULL, 0x5eed, emit, &whole);
	if (ctok_feed(&t, text, len) || ctok_finish(&t))
		abort();

	/* the same ctok, reused after finish, fed in pieces */
	t.ctx = &cut;
	size_t pos = 0;
	while (pos < len) {
		uint32_t r = next(&seed);
		size_t max = (size_t)1 << (r % 17);  /* 1 .. 64 KiB */
		size_t n = 1 + (size_t)(next(&seed) % max);
		if (n > len - pos)
			n = len - pos;
		if (ctok_feed(&t, text + pos, n))
			abort();
		if (r & 0x10000)            /* empty pieces are harmless */
			ctok_feed(&t, text + pos + n, 0);
		pos += n;
	}
	if (ctok_finish(&t))
		abort();
	compare(&whole, &cut, "whole vs pieces");

	t.ctx = &again;
	if (ctok_feed(&t, text, len) || ctok_finish(&t))
		abort();
	compare(&whole, &again, "whole vs whole after reuse");
	ctok_release(&t);

	tokens scalar = { 0 }, avx2 = { 0 }, hashes = { 0 }, only = { 0 };
	tokenize_with(CFAST_SCALAR, text, len, &scalar);
	compare(&whole, &scalar, "best loop vs scalar");
	tokenize_with(CFAST_AVX2, text, len, &avx2);
	compare(&whole, &avx2, "best loop vs avx2");
	ctok_init_hashes(&t, NULL, 0x5eed, sink, &hashes);
	if (ctok_feed(&t, text, len) || ctok_finish(&t))
		abort();
	ctok_release(&t);
	for (size_t i = 0; i < whole.n; i += 4)
		sink(&only, &whole.v[i], 1);
	compare(&only, &hashes, "emitted hashes vs hash sink");
	free(scalar.v);
	free(avx2.v);
	free(hashes.v);
	free(only.v);

	free(longer);
	free(whole.v);
	free(cut.v);
	free(again.v);
	return 0;
}
