/*
 * test_index_sections.c -- the index file's sections: the header's one
 * encode/decode, the rule for a section type this contam does not know
 * (refused, never dropped), the chunk table's bounds, the manifest codec
 * shared with contam-mpi, and the one max_record default.
 */
#include "index/index.h"
#include "index/index_file.h"
#include "reader/reader.h"
#include "testutil.h"

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
	unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
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

/* One max_record default: the readers' and the build options'. */
static void test_max_record_default(void)
{
	contam_build_options o;
	contam_build_options_init(&o);
	CHECK_EQ_U64(o.max_record, CREADER_DEFAULT_MAX_RECORD);
	CHECK_EQ_U64(CREADER_DEFAULT_MAX_RECORD, 256u << 20); /* as --help says */
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
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("index_sections");
}
