/*
 * test_index_sections.c -- the index file's sections: the header's one
 * encode/decode, the rule for a section type this contam does not know
 * (refused, never dropped), the chunk table's bounds, the manifest codec
 * shared with contam-mpi, and the one max_record default.
 */
#include "index/index.h"
#include "index/index_file.h"
#include "index/index_minhash.h"
#include "ngram/minhash.h"
#include "ngram/ngram.h"
#include "reader/reader.h"
#include "text/text.h"
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>
#include <xxhash.h>

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

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	/* one byte more, a NUL: mh_reference reads the text with strstr */
	unsigned char *b = malloc(n > 0 ? (size_t)n + 1 : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n > 0 ? n : 0] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* A small saved index with two inputs (one with a message): its path. */
static const char *small_index(const char *name, uint64_t nblocks)
{
	contam_params p = geometry(nblocks);
	contam_index *ix = NULL;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	if (!ix)
		return NULL;
	for (uint64_t i = 0; i < nblocks * 8; i += 7)
		ix->filter.bits[i] = 0x9e3779b97f4a7c15ULL * (i + 1);
	contam_manifest_entry e;
	memset(&e, 0, sizeof(e));
	e.path = (char *)"b.jsonl";
	e.kind = CONTAM_INPUT_JSONL;
	e.size = 1234;
	e.documents = 5;
	e.ngrams = 77;
	CHECK(contam_index_add_manifest(ix, &e) == CONTAM_OK);
	char *msgs[1] = { (char *)"b.jsonl: line 3: not JSON" };
	e.path = (char *)"a.txt";
	e.kind = CONTAM_INPUT_TEXT;
	e.messages = msgs;
	e.nmessages = 1;
	e.problems[0] = 1;
	e.fingerprint = 0xabcdef;
	CHECK(contam_index_add_manifest(ix, &e) == CONTAM_OK);
	const char *path = tu_path(name);
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	contam_index_free(ix);
	return path;
}

/* The header's fields sit at the offsets the format names, and decode
 * gives back what encode wrote; a written file's header decodes and
 * encodes to its own bytes. */
static void test_header_round_trip(void)
{
	cihdr x, y;
	memset(&x, 0, sizeof(x));
	x.version = CIFILE_FORMAT_VERSION;
	x.hsize = 224;
	x.nsec = 3;
	x.flags = 1;
	x.block_bits = 512;
	x.params = geometry(1000);
	x.params.winnow = 9;
	x.ngrams_inserted = 0x1122334455667788ULL;
	snprintf(x.recipe, sizeof(x.recipe), "%s", CONTAM_RECIPE_NAME);
	x.part_index = 2;
	x.part_count = 5;
	x.lo = 400;
	x.hi = 600;
	unsigned char h[CIFILE_HEADER_FIXED];
	memset(h, 0xee, sizeof(h));
	cihdr_encode(h, &x);
	CHECK(memcmp(h, "CONTAMIX", 8) == 0);
	CHECK_EQ_U64(get_le32(h + 8), CIFILE_FORMAT_VERSION);
	CHECK_EQ_U64(get_le32(h + 12), 224);
	CHECK_EQ_U64(get_le32(h + 16), 8);
	CHECK_EQ_U64(get_le32(h + 20), 6);
	CHECK_EQ_U64(get_le64(h + 24), 1000);
	CHECK_EQ_U64(get_le64(h + 32), 0x636f6e74616d3031ULL);
	CHECK_EQ_U64(get_le32(h + 40), CONTAM_RECIPE_VERSION);
	CHECK_EQ_U64(get_le32(h + 44), 512);
	CHECK_EQ_U64(get_le64(h + 48), 0x1122334455667788ULL);
	CHECK_EQ_U64(get_le32(h + 56), 3);
	CHECK_EQ_U64(get_le32(h + 60), 1);
	CHECK(strcmp((const char *)h + 64, CONTAM_RECIPE_NAME) == 0);
	CHECK_EQ_U64(get_le32(h + 96), 2);
	CHECK_EQ_U64(get_le32(h + 100), 5);
	CHECK_EQ_U64(get_le64(h + 104), 400);
	CHECK_EQ_U64(get_le64(h + 112), 600);
	CHECK_EQ_U64(get_le32(h + 120), 9);
	CHECK_EQ_U64(get_le32(h + 124), 0); /* reserved: written as zero */
	cihdr_decode(h, &y);
	CHECK(memcmp(&x.params, &y.params, sizeof(x.params)) == 0);
	CHECK(x.version == y.version && x.hsize == y.hsize && x.nsec == y.nsec &&
	      x.flags == y.flags && x.block_bits == y.block_bits &&
	      x.ngrams_inserted == y.ngrams_inserted && x.part_index == y.part_index &&
	      x.part_count == y.part_count && x.lo == y.lo && x.hi == y.hi);
	CHECK_STR(y.recipe, CONTAM_RECIPE_NAME);

	const char *path = small_index("hdr.cidx", 64);
	size_t len = 0;
	unsigned char *b = path ? slurp(path, &len) : NULL;
	CHECK(b && len > CIFILE_HEADER_FIXED);
	if (b) {
		cihdr_decode(b, &y);
		cihdr_encode(h, &y);
		CHECK(memcmp(h, b, CIFILE_HEADER_FIXED) == 0);
		CHECK_EQ_U64(y.params.nblocks, 64);
		CHECK_EQ_U64(y.nsec, 3); /* manifest, notes, filter */
	}
	free(b);

	/* the one parameter check: each difference named, recipe too */
	contam_params a = geometry(64), c = a;
	uint64_t va = 0, vb = 0;
	CHECK(cifile_params_differ(&a, &c, &va, &vb) == NULL);
	c.recipe_version = a.recipe_version + 1;
	CHECK_STR(cifile_params_differ(&a, &c, &va, &vb), "recipe version");
	CHECK_EQ_U64(vb, a.recipe_version + 1);
	c = a;
	c.winnow = 4;
	CHECK_STR(cifile_params_differ(&a, &c, &va, &vb), "winnowing window");
	CHECK(cifile_params_valid(&a));
	c = a;
	c.k = 0;
	CHECK(!cifile_params_valid(&c));
}

/* Section i's type set to `type` in the file at path, and the trailer
 * recomputed, so that nothing but the type is wrong. */
static void set_section_type(const char *path, uint32_t i, uint32_t type)
{
	size_t len = 0;
	unsigned char *b = slurp(path, &len);
	CHECK(b != NULL);
	if (!b)
		return;
	uint32_t hsize = get_le32(b + 12), nsec = get_le32(b + 56);
	uint64_t moff = 0, mlen = 0, foff = 0;
	for (uint32_t s = 0; s < nsec; s++) {
		const unsigned char *e = b + 128 + 32 * s;
		if (get_le32(e) == 1) { moff = get_le64(e + 8); mlen = get_le64(e + 16); }
		if (get_le32(e) == 2) foff = get_le64(e + 8);
	}
	CHECK(moff && foff);
	put_le32(b + 128 + 32 * i, type);
	uint64_t nchunks = get_le64(b + foff + 8);
	XXH3_state_t *st = XXH3_createState();
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, b, hsize);
	XXH3_64bits_update(st, b + moff, mlen);
	XXH3_64bits_update(st, b + foff, 16 + nchunks * 24);
	put_le64(b + len - 16, XXH3_64bits_digest(st));
	XXH3_freeState(st);
	tu_write_file(path, b, len);
	free(b);
}

/* A section type this contam does not know is refused, by load, by
 * merge and by the streaming reader, with a message naming it: never
 * skipped (merge and --add would then drop it from what they write). */
static void test_unknown_section(void)
{
	const char *path = small_index("unknown.cidx", 64);
	const char *other = small_index("other.cidx", 64);
	if (!path || !other)
		return;
	/* the notes section (entry 1) becomes a type from the future */
	set_section_type(path, 1, 99);
	contam_index *ix = NULL;
	contam_error lerr;
	int rc = contam_index_load(&ix, path, &lerr);
	CHECK(rc == CONTAM_E_FORMAT && !ix);
	CHECK(strstr(lerr.msg, "unknown type 99") != NULL);
	CHECK(strstr(lerr.msg, "unknown.cidx") != NULL);
	contam_index_free(ix);

	cifile *f = NULL;
	cerr err;
	cerr_clear(&err);
	CHECK(cifile_open(&f, path, &err) == CONTAM_E_FORMAT && f == NULL);
	CHECK(strstr(err.msg, "section 1 is of unknown type 99") != NULL);

	contam_error msg;
	const char *parts[2] = { other, path };
	CHECK(contam_index_merge(tu_path("merged.cidx"), parts, 2, &msg) ==
	      CONTAM_E_FORMAT);
	CHECK(strstr(msg.msg, "unknown type 99") != NULL);
	struct stat sb;
	CHECK(stat(tu_path("merged.cidx"), &sb) != 0); /* nothing written */

	/* the same edit back to the notes' type loads again: only the type
	 * was refused */
	set_section_type(path, 1, 3);
	CHECK(contam_index_load(&ix, path, NULL) == CONTAM_OK);
	CHECK(ix && contam_index_manifest_count(ix) == 2);
	contam_index_free(ix);

	/* two sections of one type: damaged, not the later one silently */
	set_section_type(path, 1, 1);
	CHECK(contam_index_load(&ix, path, NULL) == CONTAM_E_CORRUPT);
	contam_index_free(ix);
}

/* Chunks past the table's end are refused before any table entry is
 * read (c * 24 would overflow for the largest c), and their size is 0,
 * not an underflow. */
static void test_chunk_bounds(void)
{
	const char *path = small_index("bounds.cidx", 64);
	cifile *f = NULL;
	cerr err;
	cerr_clear(&err);
	CHECK(path && cifile_open(&f, path, &err) == CONTAM_OK);
	if (!f)
		return;
	CHECK_EQ_U64(f->nchunks, 1);
	unsigned char *dst = malloc(64 * 64);
	cbuf scratch = CBUF_INIT;
	CHECK(dst && cifile_read_chunk(f, 0, dst, &scratch, &err) == CONTAM_OK);
	uint64_t bad[] = { 1, 2, UINT64_MAX / 24 + 1, UINT64_MAX };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cerr_clear(&err);
		CHECK(cifile_read_chunk(f, bad[i], dst, &scratch, &err) == CONTAM_E_PARAM);
		CHECK(strstr(err.msg, "no chunk") != NULL);
		CHECK(cifile_read_df_chunk(f, bad[i], dst, 0, &scratch, &err) != CONTAM_OK);
		CHECK(cifile_chunk_is_zero(f, bad[i]) == 0);
		CHECK_EQ_U64(cifile_chunk_size(f, bad[i]), 0);
	}
	CHECK_EQ_U64(cifile_chunk_size(f, 0), 64 * 64);
	cbuf_release(&scratch);
	free(dst);
	cifile_close(f);
}

/* contam-mpi ships a part's manifest in the file's own encoding: what
 * pack writes, unpack gives back; damaged or repeated, it is refused. */
static void test_manifest_pack(void)
{
	const char *path = small_index("pack.cidx", 64);
	contam_index *ix = NULL, *to = NULL;
	CHECK(path && contam_index_load(&ix, path, NULL) == CONTAM_OK);
	if (!ix)
		return;
	unsigned char *p = NULL;
	size_t len = 0;
	CHECK(contam_index_manifest_pack(ix, &p, &len) == CONTAM_OK && p && len > 8);
	contam_params g = geometry(64);
	CHECK(contam_index_new(&to, &g, NULL) == CONTAM_OK);
	CHECK(to && contam_index_manifest_unpack(to, p, len) == CONTAM_OK);
	CHECK(to && contam_index_manifest_count(to) == 2);
	for (size_t i = 0; to && i < 2; i++) {
		const contam_manifest_entry *a = contam_index_manifest_get(ix, i);
		const contam_manifest_entry *b = contam_index_manifest_get(to, i);
		CHECK(a && b && strcmp(a->path, b->path) == 0 && a->kind == b->kind &&
		      a->size == b->size && a->documents == b->documents &&
		      a->ngrams == b->ngrams && a->fingerprint == b->fingerprint &&
		      a->nmessages == b->nmessages && a->problems[0] == b->problems[0]);
	}
	const contam_manifest_entry *a = contam_index_manifest_get(to, 0);
	CHECK(a && a->nmessages == 1 && strcmp(a->messages[0], "b.jsonl: line 3: not JSON") == 0);
	/* again: the same inputs twice are refused */
	CHECK(to && contam_index_manifest_unpack(to, p, len) == CONTAM_E_PARAM);
	contam_index_free(to);
	to = NULL;
	CHECK(contam_index_new(&to, &g, NULL) == CONTAM_OK);
	CHECK(to && contam_index_manifest_unpack(to, p, len - 9) == CONTAM_E_CORRUPT);
	CHECK(to && contam_index_manifest_unpack(to, p, 4) == CONTAM_E_CORRUPT);
	contam_index_free(to);
	free(p);
	contam_index_free(ix);
}

/* ---- the minhash section (index --minhash) ---- */

/* A JSONL corpus of ndocs documents of random words: its path. */
static const char *mh_corpus(const char *name, int ndocs, uint64_t seed)
{
	cbuf b = CBUF_INIT;
	uint64_t s = seed;
	for (int d = 0; d < ndocs; d++) {
		s = cmix64(s + 1);
		int n = 20 + (int)(s % 700);  /* under and over every window */
		cbuf_append(&b, "{\"text\": \"", 10);
		for (int i = 0; i < n; i++) {
			s = cmix64(s + 1);
			cbuf_printf(&b, "%sw%u", i ? " " : "", (unsigned)(s % 3000));
		}
		cbuf_append(&b, "\"}\n", 3);
	}
	const char *path = tu_path(name);
	tu_write_file(path, b.data, b.len);
	cbuf_release(&b);
	return path;
}

typedef struct keyset {
	uint64_t *k;
	size_t n, cap;
	cmh_doc *doc;
} keyset;

static void ks_add(void *ctx, const uint64_t *keys, size_t n)
{
	keyset *ks = ctx;
	CHECK(cgrow((void **)&ks->k, &ks->cap, ks->n + n, sizeof(uint64_t)) == CONTAM_OK);
	memcpy(ks->k + ks->n, keys, n * sizeof(uint64_t));
	ks->n += n;
}

static void ks_tokens(void *ctx, const uint64_t *h, size_t n)
{
	keyset *ks = ctx;
	uint64_t le[CTOK_HASH_BUF];
	for (size_t i = 0; i < n; i++)
		le[i] = cngram_le64(h[i]);
	cmh_doc_tokens(ks->doc, le, n);
}

/* The band keys of every document of a corpus written by mh_corpus,
 * computed apart from the index (the tokenizer and cmh_doc directly). */
static void mh_reference(const char *path, const cmh_params *p, keyset *ks)
{
	size_t len;
	unsigned char *data = slurp(path, &len);
	CHECK(data != NULL);
	CHECK(cmh_doc_new(&ks->doc, p, NULL, ks_add, ks) == CONTAM_OK);
	ctok t;
	ctok_init_hashes(&t, NULL, p->seed, ks_tokens, ks);
	for (size_t i = 0; data && i < len;) {
		const char *q = strstr((const char *)data + i, "\"text\": \"");
		if (!q)
			break;
		q += 9;
		const char *e = strchr(q, '"');
		cmh_doc_begin(ks->doc);
		ctok_feed(&t, q, (size_t)(e - q));
		ctok_finish(&t);
		cmh_doc_end(ks->doc);
		i = (size_t)(e - (const char *)data) + 1;
	}
	ctok_release(&t);
	cmh_doc_free(ks->doc);
	free(data);
}

/* An index of the corpora with a minhash section, partition i of P. */
static contam_index *mh_build(const char *const *corpora, size_t n, uint32_t i, uint32_t P,
			      int threads)
{
	contam_params p = geometry(2048);
	contam_index *ix = NULL;
	CHECK(contam_index_new_partition(&ix, &p, i, P, NULL) == CONTAM_OK);
	/* fixed here: the defaults are tuned by measurement */
	contam_minhash_params mp = { .shingle = 5, .bands = 8, .rows = 3, .nwindows = 4,
				     .windows = { 24, 48, 96, 192 }, .stride_div = 2 };
	contam_error err;
	CHECK(contam_index_minhash_enable(ix, &mp, 60000, 1e-4, &err) == CONTAM_OK);
	contam_inputs in;
	CHECK(contam_inputs_expand(&in, corpora, n, &err) == CONTAM_OK);
	contam_build_options o;
	contam_build_options_init(&o);
	o.threads = threads;
	CHECK(contam_index_build(ix, &in, &o) == CONTAM_OK);
	contam_inputs_free(&in);
	return ix;
}

static size_t mh_count(const contam_index *ix, const keyset *ks, int answer)
{
	size_t c = 0;
	for (size_t i = 0; i < ks->n; i++)
		c += cindex_mh_contains(ix, ks->k[i]) == answer;
	return c;
}

static int mh_same(const contam_index *a, const contam_index *b)
{
	const cmh_filter *x = a->mh, *y = b->mh;
	return x && y && !cmh_params_differ(&x->p, &y->p) && !cmh_filter_differ(x, y) &&
	       x->keys == y->keys && x->windows == y->windows && x->shingles == y->shingles &&
	       x->f.lo == y->f.lo && x->f.hi == y->f.hi && x->f.bits && y->f.bits &&
	       memcmp(x->f.bits, y->f.bits, (x->f.hi - x->f.lo) * 64) == 0;
}

/* Built, saved and loaded every way: the same section; every key the
 * corpus gives is found (the Bloom property), in the built handle, the
 * loaded ones, each partition (or -1 there: never "absent") and the
 * partition set; a key never inserted is mostly absent. */
static void test_minhash_round_trip(void)
{
	const char *c1 = mh_corpus("mh1.jsonl", 60, 1), *c2 = mh_corpus("mh2.jsonl", 60, 2);
	const char *corpora[] = { c1, c2 };
	contam_index *ix = mh_build(corpora, 2, 0, 1, 2);
	CHECK(ix->mh != NULL);
	if (!ix->mh)
		return;
	keyset ks = { 0 };
	mh_reference(c1, &ix->mh->p, &ks);
	mh_reference(c2, &ix->mh->p, &ks);
	CHECK(ks.n > 1000);
	CHECK_EQ_U64(ix->mh->keys, ks.n);
	CHECK_EQ_U64(ix->mh->windows * ix->mh->p.bands, ks.n);
	CHECK_EQ_U64(mh_count(ix, &ks, 1), ks.n);
	/* one thread: the same bits */
	contam_index *one = mh_build(corpora, 2, 0, 1, 1);
	CHECK(mh_same(ix, one));
	contam_index_free(one);
	/* keys never inserted: mostly absent */
	size_t fp = 0;
	for (uint64_t i = 0; i < 20000; i++)
		fp += cindex_mh_contains(ix, cmix64(i ^ 0x5555)) == 1;
	CHECK(fp < 200);
	double band = cindex_mh_band_fpr(ix);
	CHECK(band > 0 && band < 0.01);
	contam_minhash_info mi;
	CHECK(contam_index_minhash_info(ix, &mi) == CONTAM_OK);
	CHECK_EQ_U64(mi.params.bands, 8);
	CHECK_EQ_U64(mi.keys, ks.n);
	CHECK(mi.bits_set > 0 && mi.fill > 0 && mi.fill < 1);
	CHECK(fabs(mi.threshold - 0.5) < 1e-9);

	const char *path = tu_path("mh.cidx");
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	contam_index *lx = NULL, *mx = NULL, *sx = NULL, *memx = NULL;
	CHECK(contam_index_load(&lx, path, NULL) == CONTAM_OK);
	CHECK(contam_index_load_mmap(&mx, path, NULL) == CONTAM_OK);
	CHECK(contam_index_load_summary(&sx, path, NULL) == CONTAM_OK);
	size_t len;
	unsigned char *bytes = slurp(path, &len);
	CHECK(contam_index_load_memory(&memx, bytes, len, NULL) == CONTAM_OK);
	CHECK(mh_same(ix, lx));
	CHECK(mh_same(ix, mx));
	CHECK(mh_same(ix, memx));
	CHECK_EQ_U64(mh_count(lx, &ks, 1), ks.n);
	/* the summary: statistics, no answers */
	CHECK(sx && sx->mh && !sx->mh->f.bits);
	CHECK_EQ_U64(mh_count(sx, &ks, -1), ks.n);
	contam_minhash_info si;
	CHECK(contam_index_minhash_info(sx, &si) == CONTAM_OK);
	CHECK_EQ_U64(si.bits_set, mi.bits_set);
	CHECK(fabs(si.band_fpr - mi.band_fpr) < 1e-12);
	/* saved again: the same bytes */
	const char *again = tu_path("mh-again.cidx");
	CHECK(contam_index_save(lx, again) == CONTAM_OK);
	size_t len2;
	unsigned char *bytes2 = slurp(again, &len2);
	CHECK(bytes && bytes2 && len == len2 && memcmp(bytes, bytes2, len) == 0);
	free(bytes2);
	contam_index_free(lx);
	contam_index_free(mx);
	contam_index_free(sx);
	contam_index_free(memx);
	free(bytes);

	/* partitions by block range: each key held by exactly one, the
	 * others answer -1 (never 0); the set is the whole section */
	const uint32_t P = 3;
	const char *pp[3];
	size_t held = 0;
	int never_absent = 1;
	for (uint32_t i = 0; i < P; i++) {
		contam_index *px = mh_build(corpora, 2, i, P, 2);
		held += mh_count(px, &ks, 1);
		never_absent &= mh_count(px, &ks, 0) == 0;
		char name[32];
		snprintf(name, sizeof(name), "mhp%u.cidx", i);
		pp[i] = tu_path(name);
		CHECK(contam_index_save(px, pp[i]) == CONTAM_OK);
		contam_index_free(px);
	}
	CHECK_EQ_U64(held, ks.n);
	CHECK(never_absent);
	contam_index *set = NULL, *rs = NULL;
	CHECK(contam_index_load_parts(&set, pp, P, NULL) == CONTAM_OK);
	CHECK(set && mh_same(ix, set));
	CHECK(contam_index_parts_open(&rs, pp, P, NULL) == CONTAM_OK);
	CHECK(rs && mh_same(ix, rs));
	if (rs)
		CHECK_EQ_U64(mh_count(rs, &ks, 1), ks.n);
	contam_index_free(set);
	contam_index_free(rs);
	/* no section: no parameters, no answers */
	contam_params g = geometry(64);
	contam_index *plain = NULL;
	CHECK(contam_index_new(&plain, &g, NULL) == CONTAM_OK);
	CHECK(cindex_mh_params(plain) == NULL);
	CHECK(cindex_mh_contains(plain, 1) == -1);
	CHECK(contam_index_minhash_info(plain, &mi) == CONTAM_E_PARAM);
	contam_index_free(plain);
	/* an index with documents cannot start one */
	contam_minhash_params mp;
	contam_minhash_params_default(&mp);
	contam_error err;
	CHECK(contam_index_minhash_enable(ix, &mp, 1000, 1e-4, &err) == CONTAM_E_PARAM);
	free(ks.k);
	contam_index_free(ix);
}

/* One max_record default: the readers' and the build options'. */
static void test_max_record_default(void)
{
	contam_build_options o;
	contam_build_options_init(&o);
	CHECK_EQ_U64(o.max_record, CREADER_DEFAULT_MAX_RECORD);
	CHECK_EQ_U64(CREADER_DEFAULT_MAX_RECORD, 256u << 20); /* as --help says */
}

/* The chunked sections as generic records (cisec): each kind's record is
 * found by type, names its section, holds what its hooks say, and its
 * decoded header encodes back to the stored bytes and to what the loaded
 * handle would write (of_index): the round trip every rewrite (merge,
 * --add, checkpoints) relies on. */
static void test_chunked_records(void)
{
	const char *c1 = mh_corpus("rec.jsonl", 40, 7);
	contam_params p = geometry(2048);
	contam_index *ix = NULL;
	contam_error err;
	CHECK(contam_index_new(&ix, &p, NULL) == CONTAM_OK);
	CHECK(contam_index_enable_doc_freq(ix, 8192) == CONTAM_OK);
	contam_minhash_params mp = { .shingle = 5, .bands = 8, .rows = 3, .nwindows = 2,
				     .windows = { 24, 48 }, .stride_div = 2 };
	CHECK(contam_index_minhash_enable(ix, &mp, 20000, 1e-4, &err) == CONTAM_OK);
	contam_inputs in;
	CHECK(contam_inputs_expand(&in, &c1, 1, &err) == CONTAM_OK);
	contam_build_options o;
	contam_build_options_init(&o);
	CHECK(contam_index_build(ix, &in, &o) == CONTAM_OK);
	contam_inputs_free(&in);
	const char *path = tu_path("rec.cidx");
	CHECK(contam_index_save(ix, path) == CONTAM_OK);
	contam_index_free(ix);

	CHECK(cisec_slot(CISEC_TYPE_DOC_FREQ) < CISEC_SLOTS);
	CHECK(cisec_slot(CISEC_TYPE_MINHASH) < CISEC_SLOTS);
	CHECK(cisec_slot(CISEC_TYPE_DOC_FREQ) != cisec_slot(CISEC_TYPE_MINHASH));
	CHECK(cisec_slot(99) == CISEC_SLOTS);

	size_t len = 0;
	unsigned char *bytes = slurp(path, &len);
	cifile *f = NULL;
	cerr e;
	cerr_clear(&e);
	CHECK(bytes && cifile_open(&f, path, &e) == CONTAM_OK);
	contam_index *lx = NULL;
	CHECK(contam_index_load(&lx, path, NULL) == CONTAM_OK);
	cifile_meta m;
	if (lx)
		cifile_meta_of(lx, &m);
	const uint32_t types[] = { CISEC_TYPE_DOC_FREQ, CISEC_TYPE_MINHASH };
	const char *names[] = { "doc-freq", "minhash" };
	for (int t = 0; f && lx && t < 2; t++) {
		const cisec *s = cifile_sec(f, types[t]);
		CHECK(s != NULL);
		if (!s)
			continue;
		const cisec_ops *ops = s->ops;
		CHECK(s->type == types[t] && strcmp(s->cs.what, names[t]) == 0);
		CHECK(cifile_sec_dec(f, types[t]) == s->dec);
		CHECK_EQ_U64(s->cs.held_bytes, ops->held(s->dec));
		CHECK(s->cs.nchunks >= 1 && ops->head <= CISEC_HEAD_MAX);
		unsigned char a[CISEC_HEAD_MAX], b[CISEC_HEAD_MAX];
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		ops->encode(a, s->dec);
		/* the stored header, byte for byte */
		CHECK(s->cs.off + ops->head <= len &&
		      memcmp(a, bytes + s->cs.off, ops->head) == 0);
		/* what the loaded handle writes again */
		cisec_out *out = cifile_meta_sec(&m, types[t]);
		CHECK(out && out->on && out->source != NULL);
		if (out && out->on) {
			ops->encode(b, out->dec);
			CHECK(memcmp(a, b, ops->head) == 0);
		}
		char what[300];
		CHECK(ops->differ(s->dec, s->dec, what, sizeof(what)) == 0);
		/* counters add, the geometry stays */
		_Alignas(8) unsigned char sum[CISEC_DEC_MAX];
		memcpy(sum, s->dec, sizeof(sum));
		ops->add_counts(sum, s->dec);
		CHECK(ops->differ(s->dec, sum, what, sizeof(what)) == 0);
		ops->encode(b, sum);
		CHECK(memcmp(a, b, ops->head) != 0); /* a counter doubled */
	}
	/* the same sections through the public accessor (contam-mpi's
	 * reduction): in type order, each with its rule and counters */
	contam_index_section ps;
	CHECK(lx && contam_index_section_get(lx, 0, &ps) == CONTAM_OK);
	CHECK(ps.type == CISEC_TYPE_DOC_FREQ && ps.combine == CONTAM_COMBINE_SAT_ADD16);
	CHECK(strcmp(ps.name, "doc-freq") == 0 && ps.ncounters == 1 && ps.data);
	CHECK(f && ps.bytes == cifile_sec(f, CISEC_TYPE_DOC_FREQ)->cs.held_bytes);
	CHECK(lx && contam_index_section_get(lx, 1, &ps) == CONTAM_OK);
	CHECK(ps.type == CISEC_TYPE_MINHASH && ps.combine == CONTAM_COMBINE_OR);
	CHECK(ps.ncounters == 3 && ps.data && *ps.counters[0] == lx->mh->keys);
	CHECK(f && ps.bytes == cifile_sec(f, CISEC_TYPE_MINHASH)->cs.held_bytes);
	CHECK(lx && contam_index_section_get(lx, 2, &ps) == CONTAM_E_PARAM);
	contam_index_free(lx);
	cifile_close(f);
	free(bytes);

	/* a file without them: no records */
	const char *plain = small_index("rec-plain.cidx", 64);
	f = NULL;
	CHECK(plain && cifile_open(&f, plain, &e) == CONTAM_OK);
	if (f) {
		CHECK(cifile_sec(f, CISEC_TYPE_DOC_FREQ) == NULL);
		CHECK(cifile_sec(f, CISEC_TYPE_MINHASH) == NULL);
		CHECK(cifile_sec_dec(f, CISEC_TYPE_MINHASH) == NULL);
	}
	cifile_close(f);
	contam_index *px = NULL;
	CHECK(plain && contam_index_load(&px, plain, NULL) == CONTAM_OK);
	CHECK(px && contam_index_section_get(px, 0, &ps) == CONTAM_E_PARAM);
	contam_index_free(px);
}

int main(void)
{
	snprintf(tu_tmpdir, sizeof(tu_tmpdir), "/tmp/contam-test-sections-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_header_round_trip();
	test_unknown_section();
	test_chunk_bounds();
	test_manifest_pack();
	test_max_record_default();
	test_minhash_round_trip();
	test_chunked_records();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("index_sections");
}
