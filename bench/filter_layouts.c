/*
 * filter_layouts.c -- which filter layout gives the smallest index at a
 * false-positive rate of 1e-3, and at what cost.  Not a
 * test: a measurement, in one run on one machine, of
 *
 *   1. contam's blocked Bloom filter as the index builds it (the library's
 *      own plan, contam_plan_filter at 1e-3, and its insertion and lookup),
 *      on disk as index_file.c stores it: 1 MiB chunks, each one zstd
 *      level-1 frame, plus the 24-byte chunk table entry per chunk;
 *   2. a classic (unblocked) Bloom filter at its optimal k;
 *   3. sparse Bloom filters (k = 1, 2, 3, blocked in 512 bits and
 *      unblocked) sized for 1e-3 and then compressed (Mitzenmacher's
 *      "compressed Bloom filters", 2002): zstd levels 1 and 19 per 1 MiB
 *      chunk, and the zeroth-order entropy bound m * H(fill).  Small on
 *      disk, large in memory when probed;
 *   4. a 3-wise binary fuse filter (Graf and Lemire, 2022) with 10-bit
 *      fingerprints packed into a bit array (rate 2^-10), written here from
 *      the paper's description (Debian has no xor/fuse filter library);
 *   5. a Golomb-Rice coded set of sorted hashes (GCS: the hashes reduced
 *      to [0, n/fpr), sorted, their gaps Rice-coded, with a directory of
 *      bit offsets every 128 keys expected), the static layout that stays
 *      mergeable: a sorted union of two sets of one range.
 *
 * For each: bits per key in memory at probe time, bytes per key on disk,
 * the measured rate on absent keys, insertion (build) and lookup cost.
 * Every filter is checked to hold every inserted key: a false negative
 * is exit 1.  Times are thread CPU time (the bench is one thread), so
 * other load on the machine matters less; sizes are exact, except zstd
 * level 19 on filters over 256 MiB, which is measured on every 16th chunk
 * (--l19-every S: every S-th chunk of every filter) and scaled ("sampled"
 * in the output; the bits are i.i.d., so chunks compress alike).
 *
 *   build/filter_layouts [--keys N] [--absent M] [--l19-every S] [--no-k1]
 *
 * Keys are splitmix64 outputs (distinct with overwhelming probability; the
 * fuse filter would fail to build on a repeat, and says so); absent keys
 * come from another seed.  --no-k1 skips the k = 1 sparse filters (about
 * 1000 bits per key: 2.5 GB at 20M keys).
 */
#include "index/index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#define TARGET_FPR 1e-3
#define CHUNK (1u << 20)          /* index_file.c's CIFILE_CHUNK_BYTES */
#define TABLE_ENTRY 24            /* offset, length, hash per chunk */
#define BATCH 65536

__extension__ typedef unsigned __int128 u128;

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* An independent 64-bit hash of a key (the layouts below that need one
 * more than contam's remix). */
static inline uint64_t mix2(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t reduce(uint64_t h, uint64_t range)
{
	return (uint64_t)(((u128)h * range) >> 64);
}

static double entropy2(double p)
{
	if (p <= 0 || p >= 1)
		return 0;
	return -(p * log2(p) + (1 - p) * log2(1 - p));
}

static void die(const char *what)
{
	fprintf(stderr, "filter_layouts: %s\n", what);
	exit(1);
}

/* ------------------------------------------------------------------ */
/* One result row                                                      */

typedef struct row {
	char layout[64];
	char params[64];
	double mem_bits;     /* bits per key held in memory at probe time */
	double disk_l1;      /* bytes per key on disk, zstd 1 per chunk; < 0: n/a */
	double disk_l19;     /* zstd 19 per chunk; < 0: n/a */
	double entropy;      /* m * H(fill) in bits per key; < 0: n/a */
	int l19_sampled;
	double fpr;          /* measured on the absent keys */
	double fpr_model;    /* the layout's own prediction */
	double insert_ns, query_ns, present_ns;
	double load_ns;      /* decompressing the level-1 file, per key */
	double build_bytes;  /* peak memory of the build beyond the keys, per key */
	const char *merge, *stream;
} row;

#define MAX_ROWS 16
static row rows[MAX_ROWS];
static int nrows;

static row *new_row(const char *layout, const char *params)
{
	if (nrows == MAX_ROWS)
		die("too many rows");
	row *r = &rows[nrows++];
	memset(r, 0, sizeof *r);
	snprintf(r->layout, sizeof r->layout, "%s", layout);
	snprintf(r->params, sizeof r->params, "%s", params);
	r->disk_l1 = r->disk_l19 = r->entropy = r->load_ns = -1;
	return r;
}

/* ------------------------------------------------------------------ */
/* Chunked zstd, as index_file.c stores a filter                       */

typedef struct zsize {
	double bytes;     /* compressed payload + chunk table */
	double seconds;   /* decompressing it all (level 1 only) */
	int sampled;
} zsize;

/* Bytes of `buf` stored in CHUNK-sized zstd frames at `level` (all-zero
 * chunks stored as nothing), every chunk decompressed again and compared
 * (exit 1 if one differs).  With `every` > 1 only every `every`-th chunk
 * is compressed and the total is scaled. */
static zsize chunked_zstd(const void *buf, uint64_t bytes, int level, uint64_t every)
{
	const uint64_t nchunks = (bytes + CHUNK - 1) / CHUNK;
	size_t bound = ZSTD_compressBound(CHUNK);
	unsigned char *comp = malloc(bound), *back = malloc(CHUNK);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	if (!comp || !back || !cc || !dc)
		die("out of memory");
	double total = 0, dsec = 0, done = 0;
	for (uint64_t c = 0; c < nchunks; c += every) {
		const unsigned char *raw = (const unsigned char *)buf + c * CHUNK;
		size_t n = (size_t)(bytes - c * CHUNK < CHUNK ? bytes - c * CHUNK : CHUNK);
		done += (double)n;
		size_t z = 0;
		while (z < n && raw[z] == 0)
			z++;
		if (z == n)
			continue; /* all zero: stored as nothing */
		size_t len = ZSTD_compressCCtx(cc, comp, bound, raw, n, level);
		if (ZSTD_isError(len))
			die(ZSTD_getErrorName(len));
		double t0 = cpu_now();
		size_t got = ZSTD_decompressDCtx(dc, back, CHUNK, comp, len);
		dsec += cpu_now() - t0;
		if (ZSTD_isError(got) || got != n || memcmp(back, raw, n))
			die("a zstd chunk did not decompress to its bytes");
		total += (double)len;
	}
	zsize r = { .sampled = every > 1 };
	/* scaled by the raw bytes sampled (the last chunk may be short) */
	r.bytes = total * (double)bytes / done + 16 + TABLE_ENTRY * (double)nchunks;
	r.seconds = dsec * (double)bytes / done;
	ZSTD_freeCCtx(cc);
	ZSTD_freeDCtx(dc);
	free(comp);
	free(back);
	return r;
}

static uint64_t popcount_words(const uint64_t *w, uint64_t nwords)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < nwords; i++)
		s += (uint64_t)__builtin_popcountll(w[i]);
	return s;
}

/* Disk columns of a bit array of `bytes` holding n keys. */
/* zstd 19 on every l19_every-th chunk; 0: every 16th over 256 MiB, else all */
static uint64_t l19_every;

static void disk_columns(row *r, const uint64_t *bits, uint64_t bytes, uint64_t n,
			 int with_l19)
{
	zsize l1 = chunked_zstd(bits, bytes, 1, 1);
	r->disk_l1 = l1.bytes / (double)n;
	if (with_l19) {
		uint64_t every = l19_every ? l19_every : bytes > (256ull << 20) ? 16 : 1;
		zsize l19 = chunked_zstd(bits, bytes, 19, every);
		r->disk_l19 = l19.bytes / (double)n;
		r->l19_sampled = l19.sampled;
	}
	r->load_ns = l1.seconds / (double)n * 1e9;
	double m = (double)bytes * 8;
	double fill = (double)popcount_words(bits, bytes / 8) / m;
	r->entropy = m * entropy2(fill) / (double)n;
}

/* ------------------------------------------------------------------ */
/* 1. contam's blocked Bloom filter                                    */

static void run_contam(const uint64_t *keys, uint64_t n, const uint64_t *absent, uint64_t na)
{
	contam_params p;
	double predicted;
	contam_error err;
	if (contam_plan_filter(n, TARGET_FPR, 0, 8, &p, &predicted, &err) != CONTAM_OK)
		die("contam_plan_filter failed");
	cbloom f = { .nblocks = p.nblocks, .k = p.k, .lo = 0, .hi = p.nblocks };
	if (!(f.bits = cbloom_alloc(p.nblocks)))
		die("out of memory");
	char params[64];
	snprintf(params, sizeof params, "k=%u, %s insertion", p.k, cbloom_simd_name(cfast_default()));
	row *r = new_row("contam blocked Bloom (today)", params);
	double t0 = cpu_now();
	for (uint64_t i = 0; i < n; i += BATCH)
		cbloom_insert_batch(&f, cfast_default(), keys + i, n - i < BATCH ? n - i : BATCH);
	r->insert_ns = (cpu_now() - t0) / (double)n * 1e9;
	t0 = cpu_now();
	uint64_t hits = 0;
	for (uint64_t i = 0; i < n; i++)
		hits += cbloom_contains(&f, keys[i]) == 1;
	r->present_ns = (cpu_now() - t0) / (double)n * 1e9;
	if (hits != n)
		die("contam blocked Bloom: a false negative");
	t0 = cpu_now();
	hits = 0;
	for (uint64_t i = 0; i < na; i++)
		hits += cbloom_contains(&f, absent[i]) == 1;
	r->query_ns = (cpu_now() - t0) / (double)na * 1e9;
	r->fpr = (double)hits / (double)na;
	uint64_t set;
	r->fpr_model = cbloom_measure(f.bits, f.nblocks, f.k, &set) / (double)f.nblocks;
	r->mem_bits = (double)p.nblocks * 512 / (double)n;
	disk_columns(r, f.bits, p.nblocks * 64, n, 0);
	r->merge = "yes (OR)";
	r->stream = "yes";
	cbloom_free(f.bits, f.nblocks);
}

/* ------------------------------------------------------------------ */
/* 2 and 3. Bloom filters of any k, blocked (one 512-bit block, k      */
/* positions of 9 bits from one hash) or not (k positions anywhere,    */
/* by double hashing)                                                  */

static double classic_model(double bits_per_key, uint32_t k)
{
	return pow(1 - exp(-(double)k / bits_per_key), k);
}

static double blocked_model(double lambda, uint32_t k)
{
	double sum = 0, hi = lambda + 12 * sqrt(lambda) + 30;
	for (double j = 0; j <= hi; j++) {
		double pj = exp(-lambda + j * log(lambda) - lgamma(j + 1));
		sum += pj * pow(1 - pow(1 - 1.0 / 512, (double)k * j), k);
	}
	return sum;
}

/* Bits per key for which the model gives TARGET_FPR. */
static double bits_for(int blocked, uint32_t k)
{
	double lo = 1, hi = 4096;
	for (int it = 0; it < 100; it++) {
		double mid = sqrt(lo * hi);
		double f = blocked ? blocked_model(512 / mid, k) : classic_model(mid, k);
		if (f > TARGET_FPR)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

typedef struct bloom {
	uint64_t *bits;
	uint64_t m;        /* bits; a multiple of 512 */
	uint32_t k;
	int blocked;
} bloom;

static inline void bloom_insert(bloom *b, uint64_t key)
{
	if (b->blocked) {
		uint64_t *w = b->bits + cbloom_block(key, b->m / 512) * 8;
		uint64_t h = cbloom_remix(key);
		for (uint32_t i = 0; i < b->k; i++) {
			uint32_t bit = (uint32_t)(h >> (9 * i)) & 511;
			w[bit >> 6] |= 1ULL << (bit & 63);
		}
	} else {
		uint64_t h1 = cbloom_remix(key), h2 = mix2(key) | 1;
		for (uint32_t i = 0; i < b->k; i++) {
			uint64_t bit = reduce(h1 + i * h2, b->m);
			b->bits[bit >> 6] |= 1ULL << (bit & 63);
		}
	}
}

static inline int bloom_has(const bloom *b, uint64_t key)
{
	if (b->blocked) {
		const uint64_t *w = b->bits + cbloom_block(key, b->m / 512) * 8;
		uint64_t h = cbloom_remix(key);
		for (uint32_t i = 0; i < b->k; i++) {
			uint32_t bit = (uint32_t)(h >> (9 * i)) & 511;
			if (!(w[bit >> 6] >> (bit & 63) & 1))
				return 0;
		}
		return 1;
	}
	uint64_t h1 = cbloom_remix(key), h2 = mix2(key) | 1;
	for (uint32_t i = 0; i < b->k; i++) {
		uint64_t bit = reduce(h1 + i * h2, b->m);
		if (!(b->bits[bit >> 6] >> (bit & 63) & 1))
			return 0;
	}
	return 1;
}

static void run_bloom(const char *layout, int blocked, uint32_t k, int compressed,
		      const uint64_t *keys, uint64_t n, const uint64_t *absent, uint64_t na)
{
	double bpk = bits_for(blocked, k);
	uint64_t nblocks = (uint64_t)ceil(bpk * (double)n / 512);
	bloom b = { .m = nblocks * 512, .k = k, .blocked = blocked };
	if (!(b.bits = cbloom_alloc(nblocks)))
		die("out of memory (try --no-k1)");
	char params[64];
	snprintf(params, sizeof params, "k=%u", k);
	row *r = new_row(layout, params);
	double t0 = cpu_now();
	for (uint64_t i = 0; i < n; i++)
		bloom_insert(&b, keys[i]);
	r->insert_ns = (cpu_now() - t0) / (double)n * 1e9;
	t0 = cpu_now();
	uint64_t hits = 0;
	for (uint64_t i = 0; i < n; i++)
		hits += (uint64_t)bloom_has(&b, keys[i]);
	r->present_ns = (cpu_now() - t0) / (double)n * 1e9;
	if (hits != n) {
		fprintf(stderr, "%s k=%u: ", layout, k);
		die("a false negative");
	}
	t0 = cpu_now();
	hits = 0;
	for (uint64_t i = 0; i < na; i++)
		hits += (uint64_t)bloom_has(&b, absent[i]);
	r->query_ns = (cpu_now() - t0) / (double)na * 1e9;
	r->fpr = (double)hits / (double)na;
	r->fpr_model = blocked ? blocked_model((double)n / (double)nblocks, k)
			       : classic_model((double)b.m / (double)n, k);
	r->mem_bits = (double)b.m / (double)n;
	disk_columns(r, b.bits, nblocks * 64, n, compressed);
	r->merge = "yes (OR)";
	r->stream = "yes";
	cbloom_free(b.bits, nblocks);
}

/* ------------------------------------------------------------------ */
/* 4. Binary fuse filter, 3-wise (Graf and Lemire 2022)                */
/*
 * How it works.  The array of fingerprints is cut into segments of a
 * power-of-two length L; a key's hash picks a start segment s and one slot
 * in each of segments s, s + 1, s + 2, and the filter stores fingerprints
 * such that the XOR of the three slots is the key's fingerprint.  Building
 * is peeling: count the keys of every slot, repeatedly take a slot with
 * one key (that key's XOR of hashes is the slot's XOR), push the key and
 * remove it from its other two slots; if every key is pushed, assign the
 * fingerprints in reverse order (each key owns the slot it was peeled
 * from).  If peeling stalls, start over with another seed.  The segment
 * length and the array's size factor (1.125 for large n) are the paper's.
 * A lookup is three reads and two XORs; an absent key passes with rate
 * 2^-w for w-bit fingerprints.
 */

#define FUSE_W 10

typedef struct fuse {
	uint64_t seed;
	uint32_t seg_len, seg_mask, seg_count_len, arr_len;
	unsigned char *packed; /* arr_len w-bit fields, little-endian bit order, padded */
} fuse;

static inline uint64_t fuse_hash(const fuse *f, uint64_t key)
{
	return mix2(key + f->seed);
}

static inline void fuse_slots(const fuse *f, uint64_t h, uint32_t s[3])
{
	uint32_t h0 = (uint32_t)reduce(h, f->seg_count_len);
	s[0] = h0;
	s[1] = (h0 + f->seg_len) ^ (uint32_t)((h >> 18) & f->seg_mask);
	s[2] = (h0 + 2 * f->seg_len) ^ (uint32_t)(h & f->seg_mask);
}

static inline uint32_t fuse_fp(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32)) & ((1u << FUSE_W) - 1);
}

static inline uint32_t fuse_get(const fuse *f, uint32_t i)
{
	uint64_t bit = (uint64_t)i * FUSE_W, w;
	memcpy(&w, f->packed + (bit >> 3), 8);
	return (uint32_t)(w >> (bit & 7)) & ((1u << FUSE_W) - 1);
}

static inline int fuse_has(const fuse *f, uint64_t key)
{
	uint64_t h = fuse_hash(f, key);
	uint32_t s[3];
	fuse_slots(f, h, s);
	return fuse_fp(h) == (fuse_get(f, s[0]) ^ fuse_get(f, s[1]) ^ fuse_get(f, s[2]));
}

/* Builds f over the n distinct keys; returns the bytes it allocated at
 * its peak (beyond the keys), or 0 when peeling failed 50 times. */
static double fuse_build(fuse *f, const uint64_t *keys, uint64_t n, int *tries)
{
	double dn = (double)n;
	int lg = (int)floor(log(dn) / log(3.33) + 2.25);
	if (lg > 18)
		lg = 18;
	if (lg < 1)
		lg = 1;
	f->seg_len = 1u << lg;
	f->seg_mask = f->seg_len - 1;
	double factor = fmax(1.125, 0.875 + 0.25 * log(1e6) / log(dn));
	uint64_t capacity = (uint64_t)round(dn * factor);
	uint64_t segs = (capacity + f->seg_len - 1) / f->seg_len;
	segs = segs > 2 ? segs - 2 : 1;
	f->seg_count_len = (uint32_t)(segs * f->seg_len);
	f->arr_len = (uint32_t)((segs + 2) * f->seg_len);
	const uint32_t len = f->arr_len;
	unsigned char *count = malloc(len);
	uint64_t *xorh = malloc((size_t)len * 8);
	uint32_t *queue = malloc((size_t)len * 4);
	uint64_t *stack_h = malloc(n * 8);
	unsigned char *stack_which = malloc(n);
	uint16_t *fp = malloc((size_t)len * 2);
	if (!count || !xorh || !queue || !stack_h || !stack_which || !fp)
		die("out of memory");
	double peak = (double)len * (1 + 8 + 4 + 2) + (double)n * 9;
	uint64_t seedstate = 0x66757365ULL; /* "fuse" */
	uint64_t pushed = 0;
	for (*tries = 1; *tries <= 50; ++*tries) {
		f->seed = splitmix(&seedstate);
		memset(count, 0, len);
		memset(xorh, 0, (size_t)len * 8);
		int overflow = 0;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t h = fuse_hash(f, keys[i]);
			uint32_t s[3];
			fuse_slots(f, h, s);
			for (int j = 0; j < 3; j++) {
				overflow |= count[s[j]] == 255;
				count[s[j]]++;
				xorh[s[j]] ^= h;
			}
		}
		if (overflow)
			continue;
		uint32_t qn = 0;
		for (uint32_t i = 0; i < len; i++)
			if (count[i] == 1)
				queue[qn++] = i;
		pushed = 0;
		while (qn) {
			uint32_t i = queue[--qn];
			if (count[i] != 1)
				continue;
			uint64_t h = xorh[i];
			uint32_t s[3];
			fuse_slots(f, h, s);
			stack_h[pushed] = h;
			stack_which[pushed] = (unsigned char)(s[0] == i ? 0 : s[1] == i ? 1 : 2);
			pushed++;
			for (int j = 0; j < 3; j++) {
				count[s[j]]--;
				xorh[s[j]] ^= h;
				if (count[s[j]] == 1)
					queue[qn++] = s[j];
			}
		}
		if (pushed == n)
			break;
	}
	if (pushed != n) {
		peak = 0;
		goto out;
	}
	memset(fp, 0, (size_t)len * 2);
	for (uint64_t t = n; t-- > 0;) {
		uint64_t h = stack_h[t];
		uint32_t s[3];
		fuse_slots(f, h, s);
		uint32_t own = s[stack_which[t]];
		fp[own] = (uint16_t)(fuse_fp(h) ^ fp[s[0]] ^ fp[s[1]] ^ fp[s[2]]);
	}
	/* pack: w bits per slot, 8 bytes of padding for the unaligned reads */
	size_t pbytes = ((uint64_t)len * FUSE_W + 7) / 8 + 8;
	if (!(f->packed = calloc(pbytes, 1)))
		die("out of memory");
	for (uint32_t i = 0; i < len; i++) {
		uint64_t bit = (uint64_t)i * FUSE_W, w;
		memcpy(&w, f->packed + (bit >> 3), 8);
		w |= (uint64_t)fp[i] << (bit & 7);
		memcpy(f->packed + (bit >> 3), &w, 8);
	}
out:
	free(count);
	free(xorh);
	free(queue);
	free(stack_h);
	free(stack_which);
	free(fp);
	return peak;
}

static void run_fuse(const uint64_t *keys, uint64_t n, const uint64_t *absent, uint64_t na)
{
	fuse f = { 0 };
	row *r = new_row("binary fuse, 3-wise", "10-bit fingerprints, packed");
	int tries;
	double t0 = cpu_now();
	double peak = fuse_build(&f, keys, n, &tries);
	r->insert_ns = (cpu_now() - t0) / (double)n * 1e9;
	if (peak == 0)
		die("binary fuse: peeling failed 50 times (repeated keys?)");
	snprintf(r->params, sizeof r->params, "10-bit fp, packed; %d build%s", tries,
		 tries > 1 ? "s" : "");
	r->build_bytes = peak / (double)n;
	t0 = cpu_now();
	uint64_t hits = 0;
	for (uint64_t i = 0; i < n; i++)
		hits += (uint64_t)fuse_has(&f, keys[i]);
	r->present_ns = (cpu_now() - t0) / (double)n * 1e9;
	if (hits != n)
		die("binary fuse: a false negative");
	t0 = cpu_now();
	hits = 0;
	for (uint64_t i = 0; i < na; i++)
		hits += (uint64_t)fuse_has(&f, absent[i]);
	r->query_ns = (cpu_now() - t0) / (double)na * 1e9;
	r->fpr = (double)hits / (double)na;
	r->fpr_model = ldexp(1, -FUSE_W);
	double bytes = ((double)f.arr_len * FUSE_W + 7) / 8;
	r->mem_bits = bytes * 8 / (double)n;
	zsize l1 = chunked_zstd(f.packed, (uint64_t)bytes, 1, 1);
	r->disk_l1 = l1.bytes / (double)n;
	r->load_ns = l1.seconds / (double)n * 1e9;
	r->merge = "no";
	r->stream = "no";
	free(f.packed);
}

/* ------------------------------------------------------------------ */
/* 5. Golomb-Rice coded sorted hashes (GCS)                            */
/*
 * How it works.  Every key's hash is reduced to [0, R), R = n / fpr; an
 * absent key is reported when its value is one of the n values, rate
 * about n / R.  The distinct values are sorted and their gaps (about
 * geometric with mean 1/fpr) written as Rice codes: the gap >> r in
 * unary, then its low r bits, r chosen from the gaps (the best of 7..12).
 * The value range is cut into buckets of 128 keys expected; a directory
 * holds each bucket's first bit (32 bits from a 64-bit base every 4096
 * buckets: 0.25 bits per key), and gaps restart at the bucket's first
 * value, so a lookup decodes one bucket (64 codes on average).  Two sets
 * of one R merge by a streaming sorted union; the rate then grows with
 * the keys, as a Bloom filter's does with its fill.
 */

#define GCS_BUCKET_KEYS 128   /* keys per bucket, expected */
#define GCS_SUPER_SHIFT 12    /* buckets per 64-bit base offset: 4096 */

typedef struct gcs {
	uint64_t range, bucket_width, nbuckets;
	uint32_t r;
	uint32_t *dir;       /* nbuckets + 1 bit offsets, from their base */
	uint64_t *base;      /* every 4096th bucket's bit offset */
	uint64_t *bits;
	uint64_t nbits;
} gcs;

static inline uint64_t gcs_dir(const gcs *g, uint64_t b)
{
	return g->base[b >> GCS_SUPER_SHIFT] + g->dir[b];
}

static uint64_t gcs_dir_bytes(const gcs *g)
{
	return (g->nbuckets + 1) * 4 + ((g->nbuckets >> GCS_SUPER_SHIFT) + 1) * 8;
}

static void radix_sort(uint64_t *a, uint64_t *tmp, uint64_t n)
{
	for (int shift = 0; shift < 64; shift += 16) {
		static uint64_t cnt[65536];
		memset(cnt, 0, sizeof cnt);
		for (uint64_t i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 0xffff]++;
		uint64_t sum = 0;
		for (int b = 0; b < 65536; b++) {
			uint64_t c = cnt[b];
			cnt[b] = sum;
			sum += c;
		}
		for (uint64_t i = 0; i < n; i++)
			tmp[cnt[(a[i] >> shift) & 0xffff]++] = a[i];
		memcpy(a, tmp, n * 8);
	}
}

static inline void put_bits(uint64_t *bits, uint64_t *pos, uint64_t v, uint32_t nb)
{
	/* nb <= 57; bits zeroed beforehand */
	for (uint32_t done = 0; done < nb;) {
		uint64_t p = *pos + done;
		uint32_t room = 64 - (uint32_t)(p & 63), take = nb - done < room ? nb - done : room;
		bits[p >> 6] |= ((v >> done) & ((take == 64) ? ~0ULL : ((1ULL << take) - 1)))
				<< (p & 63);
		done += take;
	}
	*pos += nb;
}

static inline uint64_t get_bits(const uint64_t *bits, uint64_t pos, uint32_t nb)
{
	uint64_t lo = bits[pos >> 6] >> (pos & 63);
	if ((pos & 63) + nb > 64)
		lo |= bits[(pos >> 6) + 1] << (64 - (pos & 63));
	return nb == 64 ? lo : lo & ((1ULL << nb) - 1);
}

static inline uint64_t gcs_value(const gcs *g, uint64_t key)
{
	return reduce(mix2(key ^ 0x676373ULL), g->range); /* "gcs" */
}

static int gcs_has(const gcs *g, uint64_t key)
{
	uint64_t v = gcs_value(g, key);
	uint64_t b = v / g->bucket_width;
	uint64_t pos = gcs_dir(g, b), end = gcs_dir(g, b + 1);
	uint64_t cur = b * g->bucket_width;
	int first = 1;
	while (pos < end) {
		/* unary quotient: count zero bits up to the next one */
		uint64_t q = 0, w;
		while (!(w = get_bits(g->bits, pos, 57))) {
			q += 57;
			pos += 57;
		}
		uint32_t z = (uint32_t)__builtin_ctzll(w);
		q += z;
		pos += z + 1;
		uint64_t gap = (q << g->r) | get_bits(g->bits, pos, g->r);
		pos += g->r;
		cur += gap + (first ? 0 : 1);
		first = 0;
		if (cur >= v)
			return cur == v;
	}
	return 0;
}

/* Returns the build's peak bytes beyond the keys. */
static double gcs_build(gcs *g, const uint64_t *keys, uint64_t n, uint64_t *distinct)
{
	g->range = (uint64_t)ceil((double)n / TARGET_FPR);
	g->bucket_width = (uint64_t)(GCS_BUCKET_KEYS / TARGET_FPR);
	g->nbuckets = g->range / g->bucket_width + 1;
	uint64_t *v = malloc(n * 8), *tmp = malloc(n * 8);
	if (!v || !tmp)
		die("out of memory");
	for (uint64_t i = 0; i < n; i++)
		v[i] = gcs_value(g, keys[i]);
	radix_sort(v, tmp, n);
	uint64_t m = 0;
	for (uint64_t i = 0; i < n; i++)
		if (m == 0 || v[i] != v[m - 1])
			v[m++] = v[i];
	*distinct = m;
	/* the gap of a bucket's first value is from the bucket's start; the
	 * others are (value - previous - 1) */
	uint64_t best_bits = UINT64_MAX;
	for (uint32_t r = 7; r <= 12; r++) {
		uint64_t total = 0, prev_b = UINT64_MAX, prev = 0;
		for (uint64_t i = 0; i < m; i++) {
			uint64_t b = v[i] / g->bucket_width;
			uint64_t gap = b != prev_b ? v[i] - b * g->bucket_width : v[i] - prev - 1;
			total += (gap >> r) + 1 + r;
			prev_b = b;
			prev = v[i];
		}
		if (total < best_bits) {
			best_bits = total;
			g->r = r;
		}
	}
	g->nbits = best_bits;
	uint64_t words = best_bits / 64 + 2;
	g->bits = calloc(words, 8);
	g->dir = malloc((g->nbuckets + 1) * 4);
	g->base = malloc(((g->nbuckets >> GCS_SUPER_SHIFT) + 1) * 8);
	if (!g->bits || !g->dir || !g->base)
		die("out of memory");
	uint64_t pos = 0, i = 0;
	for (uint64_t b = 0; b <= g->nbuckets; b++) {
		if (!(b & ((1u << GCS_SUPER_SHIFT) - 1)))
			g->base[b >> GCS_SUPER_SHIFT] = pos;
		if (pos - g->base[b >> GCS_SUPER_SHIFT] > UINT32_MAX)
			die("gcs: a directory offset over 32 bits");
		g->dir[b] = (uint32_t)(pos - g->base[b >> GCS_SUPER_SHIFT]);
		if (b == g->nbuckets)
			break;
		uint64_t prev = 0;
		int first = 1;
		for (; i < m && v[i] / g->bucket_width == b; i++) {
			uint64_t gap = first ? v[i] - b * g->bucket_width : v[i] - prev - 1;
			uint64_t q = gap >> g->r;
			pos += q; /* q zero bits */
			put_bits(g->bits, &pos, 1, 1);
			put_bits(g->bits, &pos, gap & ((1ULL << g->r) - 1), g->r);
			prev = v[i];
			first = 0;
		}
	}
	if (pos != best_bits)
		die("gcs: encoded length differs from its count");
	free(v);
	free(tmp);
	return (double)n * 16 + (double)words * 8 + (double)gcs_dir_bytes(g);
}

static void run_gcs(const uint64_t *keys, uint64_t n, const uint64_t *absent, uint64_t na)
{
	gcs g = { 0 };
	uint64_t distinct;
	row *r = new_row("Rice-coded sorted hashes (GCS)", "");
	double t0 = cpu_now();
	double peak = gcs_build(&g, keys, n, &distinct);
	r->insert_ns = (cpu_now() - t0) / (double)n * 1e9;
	snprintf(r->params, sizeof r->params, "r=%u, dir every %d keys", g.r, GCS_BUCKET_KEYS);
	r->build_bytes = peak / (double)n;
	t0 = cpu_now();
	uint64_t hits = 0;
	for (uint64_t i = 0; i < n; i++)
		hits += (uint64_t)gcs_has(&g, keys[i]);
	r->present_ns = (cpu_now() - t0) / (double)n * 1e9;
	if (hits != n)
		die("gcs: a false negative");
	t0 = cpu_now();
	hits = 0;
	for (uint64_t i = 0; i < na; i++)
		hits += (uint64_t)gcs_has(&g, absent[i]);
	r->query_ns = (cpu_now() - t0) / (double)na * 1e9;
	r->fpr = (double)hits / (double)na;
	r->fpr_model = (double)distinct / (double)g.range;
	double bytes = (double)(g.nbits + 7) / 8 + (double)gcs_dir_bytes(&g);
	r->mem_bits = bytes * 8 / (double)n;
	/* the directory is stored as it is; the codes are zstd level 1 as
	 * everything else (they are near incompressible) */
	zsize l1 = chunked_zstd(g.bits, (g.nbits + 7) / 8, 1, 1);
	r->disk_l1 = (l1.bytes + (double)gcs_dir_bytes(&g)) / (double)n;
	r->load_ns = l1.seconds / (double)n * 1e9;
	r->merge = "yes (sorted union)";
	r->stream = "sort of all keys";
	free(g.bits);
	free(g.dir);
	free(g.base);
}

/* ------------------------------------------------------------------ */

static void print_header(void)
{
	printf("\n| layout | parameters | bits/key in memory | bytes/key on disk (zstd 1) "
	       "| bits/key on disk (zstd 1 / zstd 19 / entropy) | measured fpr | model fpr "
	       "| insert ns/key | query ns/key (absent / present) | load ns/key | build memory B/key "
	       "| mergeable by OR? | streaming build? |\n");
	printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
	fflush(stdout);
}

/* The last row, printed as soon as it is measured. */
static void print_row(void)
{
	const row *r = &rows[nrows - 1];
	char disk[96], build[32], load[32];
	if (r->disk_l19 >= 0)
		snprintf(disk, sizeof disk, "%.2f / %.2f%s / %.2f", r->disk_l1 * 8,
			 r->disk_l19 * 8, r->l19_sampled ? " (sampled)" : "", r->entropy);
	else if (r->entropy >= 0)
		snprintf(disk, sizeof disk, "%.2f / - / %.2f", r->disk_l1 * 8, r->entropy);
	else
		snprintf(disk, sizeof disk, "%.2f", r->disk_l1 * 8);
	if (r->build_bytes > 0)
		snprintf(build, sizeof build, "%.1f + 8 (keys)", r->build_bytes);
	else
		snprintf(build, sizeof build, "%.1f (filter)", r->mem_bits / 8);
	snprintf(load, sizeof load, "%.1f", r->load_ns);
	printf("| %s | %s | %.2f | %.3f | %s | %.3g | %.3g | %.1f | %.1f / %.1f | %s | %s | %s | %s |\n",
	       r->layout, r->params, r->mem_bits, r->disk_l1, disk, r->fpr, r->fpr_model,
	       r->insert_ns, r->query_ns, r->present_ns, load, build, r->merge, r->stream);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint64_t n = 20000000, na = 10000000;
	int k1 = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--absent") && i + 1 < argc)
			na = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--l19-every") && i + 1 < argc)
			l19_every = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--no-k1"))
			k1 = 0;
		else {
			fprintf(stderr, "usage: filter_layouts [--keys N] [--absent M] [--l19-every S] [--no-k1]\n");
			return 2;
		}
	}
	if (n < 1000 || na < 1000) {
		fprintf(stderr, "filter_layouts: --keys and --absent must be at least 1000\n");
		return 2;
	}
	uint64_t *keys = malloc(n * 8), *absent = malloc(na * 8);
	if (!keys || !absent)
		die("out of memory");
	uint64_t s = 0x6b657973ULL; /* "keys" */
	for (uint64_t i = 0; i < n; i++)
		keys[i] = splitmix(&s);
	s = 0x616273656e74ULL; /* "absent" */
	for (uint64_t i = 0; i < na; i++)
		absent[i] = splitmix(&s);
	printf("filter_layouts: %llu keys, %llu absent keys, target fpr %g; "
	       "Bloom insertion %s; times are thread CPU time\n",
	       (unsigned long long)n, (unsigned long long)na, TARGET_FPR, cbloom_simd_name(cfast_default()));
	print_header();
	run_contam(keys, n, absent, na);
	print_row();
	/* the classic filter's best k for the target */
	uint32_t best = 1;
	for (uint32_t k = 2; k <= 16; k++)
		if (bits_for(0, k) < bits_for(0, best))
			best = k;
	run_bloom("classic Bloom (unblocked)", 0, best, 0, keys, n, absent, na);
	print_row();
	for (uint32_t k = 1; k <= 3; k++) {
		if (k == 1 && !k1)
			continue;
		run_bloom("sparse classic Bloom, compressed", 0, k, 1, keys, n, absent, na);
		print_row();
		if (k == 1)
			continue; /* one bit: blocking changes nothing */
		run_bloom("sparse blocked Bloom (512 bits), compressed", 1, k, 1, keys, n, absent, na);
		print_row();
	}
	run_fuse(keys, n, absent, na);
	print_row();
	run_gcs(keys, n, absent, na);
	print_row();
	printf("\n%llu keys inserted, %llu absent keys queried; every filter held every "
	       "inserted key (no false negatives).\n",
	       (unsigned long long)n, (unsigned long long)na);
	free(keys);
	free(absent);
	return 0;
}
