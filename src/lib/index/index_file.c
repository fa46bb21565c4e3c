/*
 * index_file.c -- the on-disk format of an index: writing, verifying,
 * loading, and streaming access to chunks (for merge and verify).
 *
 * File layout, version 1.  All integers little-endian.
 *
 *   offset  size  field
 *   0       8     magic "CONTAMIX"
 *   8       4     format version (1)
 *   12      4     header size in bytes (fixed part + section table)
 *   16      4     n (words per n-gram)
 *   20      4     k (bits per key)
 *   24      8     nblocks: 512-bit blocks of the whole filter
 *   32      8     hash seed
 *   40      4     recipe version
 *   44      4     block size in bits (512)
 *   48      8     n-grams inserted (with repeats)
 *   56      4     number of sections S (1..MAX_SECTIONS)
 *   60      4     flags: bit 0 (FLAG_STORED_HASH) set by every writer
 *                 since it was added; bit 1 (FLAG_RAW_FILTER): the filter
 *                 is stored uncompressed (section 2); other bits must be 0
 *   64      32    recipe name, NUL padded
 *   96      4     partition index i
 *   100     4     partition count P (1 = not partitioned)
 *   104     8     first block held (lo)
 *   112     8     end of blocks held (hi); the file holds blocks [lo, hi)
 *   120     4     winnowing window W (0: every n-gram is inserted)
 *   124     4     reserved (0)
 *   128     32*S  section table: type u32, flags u32 (0), offset u64,
 *                 length u64, checksum u64 (0 when the section has
 *                 none; "reserved" below); the H_* and S_* offsets
 *   ...           sections, in table order
 *   end-16  8     XXH3-64 of the header, the manifest section and the
 *                 filter section's chunk table (see below)
 *   end-8   8     magic "CONTAMND"
 *
 * Section 1, manifest: one zstd frame holding
 *   u32 entries; per entry (sorted by path): u32 kind, u64 size,
 *   u64 bytes_text, u64 documents, u64 ngrams, u64 errors, u32 path
 *   length, path bytes; then u64 reserved (0).
 *
 * Section 3, input notes (optional; a file
 * without it loads with no notes, and older readers skip it): one zstd
 * frame holding
 *   u32 notes version (1), u32 entries E (those of the manifest, in its
 *   order); per entry: u64 fingerprint (contam_input_fingerprint, 0:
 *   unknown),
 *   u32 P (problem kinds), P x u64 counts (contam_problem order), u32 M
 *   messages (at most CONTAM_MANIFEST_MESSAGES), M x { u32 length,
 *   bytes };
 *   u32 skip records K; per record: u32 reason (contam_skip_reason), u64
 *   count, u32 length + the walked directory, u32 N names (at most
 *   CONTAM_SKIP_NAMES), N x { u32 length, bytes }; then u64 reserved (0).
 *   The reserved u64 of its section-table entry holds the XXH3-64 of the
 *   stored (compressed) section, so the trailer, which covers the header,
 *   covers the notes too.  Sections are written in the order manifest,
 *   notes, filter.
 *
 * Section 2, n-gram Bloom filter, blocks [lo, hi):
 *   u64 chunk size (raw bytes, a multiple of 64, at most 1 GiB; this
 *   contam writes 1 MiB, except that a merge of files with larger chunks
 *   writes the largest of theirs), u64 chunk count C,
 *   C x { u64 offset from section start, u64 compressed length,
 *         u64 XXH3-64 }, then the chunks.  The hash is of the stored
 *   (compressed) bytes when FLAG_STORED_HASH is set, so that every bit
 *   of the file is covered (a flipped bit in a zstd frame can decode to
 *   the same raw bytes); of the raw chunk otherwise (older files), and
 *   always of the raw (zero) chunk when nothing is stored.
 *   A compressed length of 0 marks an all-zero chunk (nothing stored), so
 *   sparse partial filters are small; each chunk is its own zstd frame so
 *   damage stays local and merging streams chunk by chunk.
 *   With FLAG_RAW_FILTER (index --uncompressed-filter), so that a probe
 *   can map the file and read only the blocks it asks about: the table
 *   is followed by u64 bits set and the sum of the blocks' false-positive
 *   probabilities (a double's bits; the trailer covers both with the
 *   table), zero padding to the next multiple of RAW_ALIGN in the file,
 *   then every chunk's raw bytes back to back; entry c is { its offset,
 *   its raw length, XXH3-64 of its raw bytes }.  All-zero chunks are not
 *   written (holes).  docs/FORMAT.md says what each load verifies.
 *
 * Section 4, document-frequency sketch (optional, written by
 * `index --doc-freq`; older readers skip it), counters of lines [lo, hi)
 * of a sketch of L lines (index_docfreq.c):
 *   u32 sketch version (1), u32 d (counters per key, 1..4), u64 L, u64
 *   lo, u64 hi, u64 pairs counted (document, n-gram) in this file, u64
 *   reserved (0); then a chunk table and chunks as in section 2, of the
 *   raw counters (32 little-endian u16 per line).  lo and hi must be the
 *   lines the filter's blocks [lo, hi) map to (cdf_part_lines).  The
 *   reserved u64 of its section-table entry holds the XXH3-64 of the
 *   sketch header and chunk table, so the trailer covers them through
 *   the header, and each chunk is covered by its own hash.  Written after
 *   the filter.
 *
 * Every chunk is covered by its own hash and the chunk table by the file
 * hash, so the trailer checks everything without re-reading the chunks.
 *
 * Section types.  The writer takes a list of sections (cifile_write's
 * secs[]: type, flags, a function that writes the section where the one
 * before it ended and sets its length and checksum); the reader a table
 * of the types it knows (sec_kinds[]), each saying how two files' copies
 * combine: the filter by OR, the doc-freq sketch by saturating add, the
 * manifest by union (an input in two parts refused), the notes by
 * concatenation.  A section of a type not in the table is refused with
 * an error that names it ("written by a newer contam?"), never skipped:
 * merge, --add and checkpoints write every section they know again, so a
 * skipped one would vanish from their output.  (Contam before this rule
 * skipped them; no contam has written one.)  A chunked section (a
 * header of its own, a chunk table and chunks: the doc-freq sketch, the
 * minhash filter) is one generic record (cisec, cisec_out) read, written,
 * loaded and merged by loops over sec_kinds[]; what only its kind knows
 * (its header, checks, counters, handle) is its cisec_ops, in its own
 * file.  A new one is that file and one entry in sec_kinds[]
 * (docs/ARCHITECTURE.md, "A new index section").
 * Nothing time- or machine-dependent is stored, so the same inputs and
 * parameters give the same bytes.
 *
 * Saving writes to "<path>.tmp.<pid>", fsyncs, then renames.  Loading
 * treats the file as untrusted: every offset and length is checked before
 * use, and any mismatch is an error, never an answer.
 */
#include "index.h"
#include "index_file.h"
#include "../common/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#define MAGIC "CONTAMIX"
#define MAGIC_END "CONTAMND"
#define MAX_SECTIONS 8
#define HEADER_FIXED CIFILE_HEADER_FIXED
#define SECTION_ENTRY 32
#define SECTION_MANIFEST CISEC_TYPE_MANIFEST
#define SECTION_NGRAM_BLOOM CISEC_TYPE_FILTER
#define SECTION_INPUT_NOTES CISEC_TYPE_NOTES
#define NOTES_VERSION 1
#define CHUNK_BYTES CIFILE_CHUNK_BYTES
#define MANIFEST_MAX (256u << 20)
#define FLAG_STORED_HASH 1u
/* the filter's chunks stored as they are, page aligned (index
 * --uncompressed-filter), so that a probe can map the file */
#define FLAG_RAW_FILTER 2u
#define FLAGS_KNOWN (FLAG_STORED_HASH | FLAG_RAW_FILTER)
/* where an uncompressed filter's chunks start: a multiple of this in the
 * file (a page on every machine contam runs on, and a huge page's
 * divisor) */
#define RAW_ALIGN 4096u

/* Byte offsets of the fixed header's fields (the layout above), the one
 * place they are written out: cihdr_encode and cihdr_decode use them. */
enum {
	H_MAGIC = 0, H_VERSION = 8, H_HSIZE = 12, H_NGRAM = 16, H_K = 20,
	H_NBLOCKS = 24, H_SEED = 32, H_RECIPE_VERSION = 40, H_BLOCK_BITS = 44,
	H_NGRAMS = 48, H_NSEC = 56, H_FLAGS = 60, H_RECIPE = 64,
	H_RECIPE_LEN = 32, H_PART_INDEX = 96, H_PART_COUNT = 100, H_LO = 104,
	H_HI = 112, H_WINNOW = 120, H_RESERVED = 124
};
/* ... and of a section-table entry's. */
enum { S_TYPE = 0, S_FLAGS = 4, S_OFF = 8, S_LEN = 16, S_SUM = 24 };

/* The section types this contam knows, and how each combines when two
 * files of one index become one.  A file with a type not in this table
 * is refused (cifile_open): merge, --add and checkpoints rewrite every
 * section they know, so a section they could not combine would be
 * dropped without a word.  A chunked section (a header of its own, a
 * chunk table and chunks) names its kind's hooks (ops, in its own file):
 * cifile_parse, cifile_write, cindex_load_file, merge and partition
 * sets iterate over these entries, so a new chunked section is one file
 * with its cisec_ops and one entry here (its slot in cifile::sec and
 * cifile_meta::sec is the entry's index; chunked sections are written
 * after the filter, in this order). */
static const struct sec_kind {
	uint32_t type;
	const char *name;
	cisec_combine combine;
	int required;
	const cisec_ops *ops;    /* chunked sections only */
} sec_kinds[] = {
	{ SECTION_MANIFEST, "manifest", CISEC_UNION, 1, NULL },
	{ SECTION_NGRAM_BLOOM, "filter", CISEC_OR, 1, NULL },
	{ SECTION_INPUT_NOTES, "input notes", CISEC_CONCAT, 0, NULL },
	{ CISEC_TYPE_DOC_FREQ, "doc-freq", CISEC_SAT_ADD, 0, &cdf_sec_ops },
	{ CISEC_TYPE_MINHASH, "minhash", CISEC_OR, 0, &cmh_sec_ops },
};
#define NKINDS (sizeof(sec_kinds) / sizeof(sec_kinds[0]))
_Static_assert(NKINDS <= CISEC_SLOTS && NKINDS <= MAX_SECTIONS, "too many kinds");

static const struct sec_kind *sec_kind_of(uint32_t type)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (sec_kinds[i].type == type)
			return &sec_kinds[i];
	return NULL;
}

cisec_combine cifile_chunk_rule(uint32_t type)
{
	const struct sec_kind *k = sec_kind_of(type);
	return k ? k->combine : CISEC_OR;
}

const cisec *cifile_sec(const cifile *f, uint32_t type)
{
	const struct sec_kind *k = sec_kind_of(type);
	const cisec *s = k ? &f->sec[k - sec_kinds] : NULL;
	return s && s->ops ? s : NULL;
}

const void *cifile_sec_dec(const cifile *f, uint32_t type)
{
	const cisec *s = cifile_sec(f, type);
	return s ? s->dec : NULL;
}

size_t cisec_slot(uint32_t type)
{
	const struct sec_kind *k = sec_kind_of(type);
	return k ? (size_t)(k - sec_kinds) : CISEC_SLOTS;
}

void cindex_free_sec_data(contam_index *ix)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (ix->sec_data[k] && sec_kinds[k].ops && sec_kinds[k].ops->free_data) {
			sec_kinds[k].ops->free_data(ix->sec_data[k]);
			ix->sec_data[k] = NULL;
		}
}

int contam_index_section_get(contam_index *ix, size_t i, contam_index_section *out)
{
	if (!ix || !out)
		return CONTAM_E_PARAM;
	size_t seen = 0;
	for (size_t k = 0; k < NKINDS; k++) {
		const cisec_ops *ops = sec_kinds[k].ops;
		memset(out, 0, sizeof(*out));
		if (!ops || !ops->words ||
		    !ops->words(ix, &out->data, &out->bytes, out->counters, &out->ncounters))
			continue;
		if (seen++ < i)
			continue;
		out->type = sec_kinds[k].type;
		out->name = sec_kinds[k].name;
		out->combine = sec_kinds[k].combine == CISEC_SAT_ADD ? CONTAM_COMBINE_SAT_ADD16
								     : CONTAM_COMBINE_OR;
		return CONTAM_OK;
	}
	memset(out, 0, sizeof(*out));
	return cerr_set(&ix->err, CONTAM_E_PARAM, "the index holds %zu section%s besides "
			"its filter, not %zu", seen, seen == 1 ? "" : "s", i + 1);
}

cisec_out *cifile_meta_sec(cifile_meta *m, uint32_t type)
{
	const struct sec_kind *k = sec_kind_of(type);
	return k && k->ops ? &m->sec[k - sec_kinds] : NULL;
}

void cifile_combine(cisec_combine rule, unsigned char *dst,
		    const unsigned char *src, size_t n)
{
	if (rule == CISEC_SAT_ADD) {
		cdf_sat_add((uint16_t *)(void *)dst, (const uint16_t *)(const void *)src,
			    n / 2);
		return;
	}
	uint64_t *d = (uint64_t *)(void *)dst;
	const uint64_t *s = (const uint64_t *)(const void *)src;
	for (size_t w = 0; w < n / 8; w++)
		d[w] |= s[w];
}

void cihdr_encode(unsigned char *h, const cihdr *x)
{
	memset(h, 0, HEADER_FIXED);
	memcpy(h + H_MAGIC, MAGIC, 8);
	put_le32(h + H_VERSION, x->version);
	put_le32(h + H_HSIZE, x->hsize);
	put_le32(h + H_NGRAM, x->params.ngram);
	put_le32(h + H_K, x->params.k);
	put_le64(h + H_NBLOCKS, x->params.nblocks);
	put_le64(h + H_SEED, x->params.seed);
	put_le32(h + H_RECIPE_VERSION, x->params.recipe_version);
	put_le32(h + H_BLOCK_BITS, x->block_bits);
	put_le64(h + H_NGRAMS, x->ngrams_inserted);
	put_le32(h + H_NSEC, x->nsec);
	put_le32(h + H_FLAGS, x->flags);
	/* NUL padded, at most H_RECIPE_LEN - 1 bytes of name */
	memcpy(h + H_RECIPE, x->recipe, strnlen(x->recipe, H_RECIPE_LEN - 1));
	put_le32(h + H_PART_INDEX, x->part_index);
	put_le32(h + H_PART_COUNT, x->part_count);
	put_le64(h + H_LO, x->lo);
	put_le64(h + H_HI, x->hi);
	put_le32(h + H_WINNOW, x->params.winnow);
}

void cihdr_decode(const unsigned char *h, cihdr *x)
{
	memset(x, 0, sizeof(*x));
	x->version = get_le32(h + H_VERSION);
	x->hsize = get_le32(h + H_HSIZE);
	x->params.ngram = get_le32(h + H_NGRAM);
	x->params.k = get_le32(h + H_K);
	x->params.nblocks = get_le64(h + H_NBLOCKS);
	x->params.seed = get_le64(h + H_SEED);
	x->params.recipe_version = get_le32(h + H_RECIPE_VERSION);
	x->block_bits = get_le32(h + H_BLOCK_BITS);
	x->ngrams_inserted = get_le64(h + H_NGRAMS);
	x->nsec = get_le32(h + H_NSEC);
	x->flags = get_le32(h + H_FLAGS);
	memcpy(x->recipe, h + H_RECIPE, H_RECIPE_LEN);
	x->recipe[H_RECIPE_LEN] = '\0';
	x->part_index = get_le32(h + H_PART_INDEX);
	x->part_count = get_le32(h + H_PART_COUNT);
	x->lo = get_le64(h + H_LO);
	x->hi = get_le64(h + H_HI);
	x->params.winnow = get_le32(h + H_WINNOW);
}

int cifile_params_valid(const contam_params *p)
{
	return p && p->ngram >= 1 && p->ngram <= CONTAM_MAX_NGRAM && p->k >= 1 &&
	       p->k <= CBLOOM_K_MAX && p->nblocks >= 1 && p->nblocks <= (1ULL << 40) &&
	       p->winnow <= 64;
}

const char *cifile_params_differ(const contam_params *a, const contam_params *b,
				 uint64_t *va, uint64_t *vb)
{
#define DIFF(field, what)                                                      \
	if (a->field != b->field) {                                            \
		*va = a->field;                                                \
		*vb = b->field;                                                \
		return what;                                                   \
	}
	DIFF(ngram, "n-gram length");
	DIFF(recipe_version, "recipe version");
	DIFF(seed, "hash seed");
	DIFF(nblocks, "filter size in blocks");
	DIFF(k, "bits per key (k)");
	DIFF(winnow, "winnowing window");
#undef DIFF
	return NULL;
}

/* ---- small helpers ----------------------------------------------- */

static int put_u32(cbuf *b, uint32_t v)
{
	unsigned char t[4];
	put_le32(t, v);
	return cbuf_append(b, t, 4);
}

static int put_u64(cbuf *b, uint64_t v)
{
	unsigned char t[8];
	put_le64(t, v);
	return cbuf_append(b, t, 8);
}

static int write_at(int fd, const void *p, size_t n, uint64_t off)
{
	const char *c = p;
	while (n) {
		ssize_t w = pwrite(fd, c, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* n bytes at off of the file: from memory when it is held there (a
 * buffer, a mapping), else by pread.  -1 with errno 0 when it is short. */
static int f_read(const cifile *f, void *p, size_t n, uint64_t off)
{
	if (!f->mem)
		return read_at(f->fd, p, n, off);
	if (off > f->mem_len || n > f->mem_len - off) {
		errno = 0;
		return -1;
	}
	memcpy(p, f->mem + off, n);
	return 0;
}

/* Offset of an uncompressed filter's chunk data from the section start
 * at foff, whose table (and the two statistics after it) take head
 * bytes: the next multiple of RAW_ALIGN in the file. */
static uint64_t raw_data_at(uint64_t foff, uint64_t head)
{
	uint64_t end = foff + head;
	return (end + RAW_ALIGN - 1) / RAW_ALIGN * RAW_ALIGN - foff;
}

static int all_zero(const unsigned char *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	for (size_t i = 0; i < n / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

/* The zstd level for a filter chunk of n bytes, from its share of set
 * bits.  Bloom bits are close to random, so the only thing zstd finds in
 * them is the bias of the bytes, which its Huffman stage codes: at most
 * 1 - H(fill) of the size (H the binary entropy).  At the fill a build
 * aims at (about 40%) that is 2.6% (measured: zstd -1 gives x1.026 on a
 * real 85 MiB filter), for which level 1 costs 240 MB/s to write and
 * 740 MB/s to read back, against 1230 and 5200 MB/s for level -1
 * (--fast=1), which stores the bytes as they are (`zstd -b1 [--fast=1]
 * -B1M`, AMD EPYC Zen 3): 0.35 s of a 3.5 s build of 256 MB of text for
 * 2.3 MB.  So level 1 only where the bias can pay (fill under 0.30 or
 * over 0.70, where 1 - H(fill) is over a tenth: e.g. sparse partial
 * filters, doc-freq chunks); the bytes stored decode the same either way.  (popcnt where
 * the CPU has it, as in cbloom_measure.) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static int chunk_level(const unsigned char *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t set = 0;
	for (size_t i = 0; i < n / 8; i++)
		set += (uint64_t)__builtin_popcountll(w[i]);
	const double bits = (double)(n / 8) * 64;
	const double fill = bits > 0 ? (double)set / bits : 0;
	return fill > 0.30 && fill < 0.70 ? -1 : 1;
}

static int by_path(const void *a, const void *b)
{
	const contam_manifest_entry *x = a, *y = b;
	return strcmp(x->path, y->path);
}

/* ---- writing ----------------------------------------------------- */

static int put_str(cbuf *b, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	return put_u32(b, (uint32_t)len) | cbuf_append(b, s ? s : "", len);
}

/* The input notes of one entry (section 3). */
static int notes_encode_entry(cbuf *b, const contam_manifest_entry *e)
{
	int rc = put_u64(b, e->fingerprint) | put_u32(b, CONTAM_PROBLEMS);
	for (int k = 0; k < CONTAM_PROBLEMS; k++)
		rc |= put_u64(b, e->problems[k]);
	uint32_t nm = e->messages ? e->nmessages : 0;
	if (nm > CONTAM_MANIFEST_MESSAGES)
		nm = CONTAM_MANIFEST_MESSAGES;
	rc |= put_u32(b, nm);
	for (uint32_t i = 0; i < nm; i++)
		rc |= put_str(b, e->messages[i]);
	return rc;
}

static int notes_encode_skips(cbuf *b, const contam_input_skip *k, size_t n)
{
	int rc = put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t nn = k[i].nnames < CONTAM_SKIP_NAMES ? k[i].nnames : CONTAM_SKIP_NAMES;
		rc |= put_u32(b, (uint32_t)k[i].reason) | put_u64(b, k[i].count) |
		      put_str(b, k[i].dir) | put_u32(b, (uint32_t)nn);
		for (size_t j = 0; j < nn; j++)
			rc |= put_str(b, k[i].names[j]);
	}
	return rc | put_u64(b, 0); /* reserved */
}

int cimanifest_encode(const contam_manifest_entry *m, size_t n,
		      const contam_input_skip *skips, size_t nskips, cbuf *raw,
		      cbuf *notes)
{
	contam_manifest_entry *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return CONTAM_E_NOMEM;
	if (n) /* m may be NULL when empty; memcpy(NULL) is UB even for 0 */
		memcpy(sorted, m, n * sizeof(*sorted));
	/* sorted, so a merge of parts equals a one-shot build */
	qsort(sorted, n, sizeof(*sorted), by_path);
	int rc = put_u32(raw, (uint32_t)n) | put_u32(notes, NOTES_VERSION) |
		 put_u32(notes, (uint32_t)n);
	for (size_t i = 0; i < n && !rc; i++) {
		const contam_manifest_entry *e = &sorted[i];
		size_t plen = strlen(e->path);
		rc = put_u32(raw, (uint32_t)e->kind) | put_u64(raw, e->size) |
		     put_u64(raw, e->bytes_text) | put_u64(raw, e->documents) |
		     put_u64(raw, e->ngrams) | put_u64(raw, e->errors) |
		     put_u32(raw, (uint32_t)plen) | cbuf_append(raw, e->path, plen) |
		     notes_encode_entry(notes, e);
	}
	rc |= put_u64(raw, 0); /* reserved */
	rc |= notes_encode_skips(notes, skips, nskips);
	free(sorted);
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* The filter section's chunks, in order from offset filter_off +
 * *data_off on: each fetched from `source`, hashed and compressed by any
 * thread, then written in chunk order (an ordered loop: one thread writes
 * chunk c while the others compress the next ones), its table entry
 * appended to `table`.  Memory is two chunks per thread.  (Starting the
 * writeback early with sync_file_range was tried: the final fsync got
 * shorter by as much as the writes got longer.) */
static int write_chunks(int fd, const char *tmp, uint64_t filter_off,
			uint64_t held_bytes, uint64_t cb, cichunk_source source,
			void *ctx, volatile int *stop, cbuf *table, uint64_t *data_off,
			cerr *err)
{
	const uint64_t nchunks = (held_bytes + cb - 1) / cb;
	const size_t most = (size_t)(cb < held_bytes ? cb : held_bytes);
	const size_t bound = ZSTD_compressBound(most);
	int rc = CONTAM_OK;
	#pragma omp parallel num_threads(crun_threads(0))
	{
		unsigned char *raw = malloc(most), *comp = malloc(bound);
		cerr e;
		cerr_clear(&e);
		#pragma omp for ordered schedule(static, 1)
		for (uint64_t c = 0; c < nchunks; c++) {
			int crc = CONTAM_OK;
			size_t n = (size_t)((held_bytes - c * cb) < cb ?
					    held_bytes - c * cb : cb);
			size_t clen = 0;
			uint64_t hash = 0;
			if (__atomic_load_n(&rc, __ATOMIC_RELAXED))
				crc = rc; /* an earlier chunk failed: skip the work */
			else if (stop && *stop)
				crc = cerr_set(&e, CONTAM_E_INTERRUPTED, "interrupted");
			else if (!raw || !comp)
				crc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
			else if (!(crc = source(ctx, c, raw, n, &e))) {
				/* an all-zero chunk is stored as nothing, with
				 * the hash of its raw bytes; any other as its
				 * compressed bytes and their hash */
				if (all_zero(raw, n)) {
					hash = XXH3_64bits(raw, n);
				} else {
					clen = ZSTD_compress(comp, bound, raw, n,
							     chunk_level(raw, n));
					if (ZSTD_isError(clen)) {
						crc = cerr_set(&e, CONTAM_E_NOMEM,
							       "cannot compress filter chunks: %s",
							       ZSTD_getErrorName(clen));
						clen = 0;
					} else
						hash = XXH3_64bits(comp, clen);
				}
			}
			#pragma omp ordered
			{
				if (rc)
					; /* an earlier chunk failed: its error stands */
				else if (crc)
					*err = e;
				else if (put_u64(table, clen ? *data_off : 0) ||
					 put_u64(table, clen) || put_u64(table, hash))
					crc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				else if (clen && write_at(fd, comp, clen, filter_off + *data_off))
					crc = cerr_set(err, CONTAM_E_IO, "cannot write '%s': %s",
						       tmp, strerror(errno));
				if (crc && !rc)
					__atomic_store_n(&rc, crc, __ATOMIC_RELAXED);
				*data_off += clen;
			}
		}
		free(raw);
		free(comp);
	}
	return rc;
}

/* The writer's section list, in the manner of git's chunk-format: each
 * section is written by its own function at the offset the one before
 * it ended, which sets its length, the checksum its table entry holds
 * (the reserved u64, 0 when it has none) and which of its bytes the
 * trailer covers; the header and its table go in last, when every
 * offset is known.  Sizes are not known beforehand (chunks are
 * compressed as they stream), hence a function per section, not a
 * size. */
typedef struct wfile {
	int fd;
	const char *tmp;
	const cifile_meta *meta;
	cichunk_source source;
	void *ctx;
	cbuf notes;              /* the notes, encoded with the manifest */
} wfile;

typedef struct wsection {
	uint32_t type, flags;
	int (*write)(wfile *w, struct wsection *s, cerr *err);
	size_t slot;             /* a chunked section's (sec_kinds[]) */
	uint64_t off, len, sum;
	cbuf covered;            /* bytes the trailer's hash covers */
	void *hold;              /* what write kept for the file (freed) */
} wsection;

static int write_fail(wfile *w, cerr *err)
{
	return cerr_set(err, CONTAM_E_IO, "cannot write '%s': %s", w->tmp,
			strerror(errno));
}

/* A zstd frame of raw at s->off. */
static int write_frame(wfile *w, wsection *s, const cbuf *raw, const char *what,
		       int covered, int summed, cerr *err)
{
	size_t bound = ZSTD_compressBound(raw->len);
	unsigned char *comp = malloc(bound);
	if (!comp)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	s->hold = comp;
	size_t len = ZSTD_compress(comp, bound, raw->data, raw->len, 3);
	if (ZSTD_isError(len))
		return cerr_set(err, CONTAM_E_IO, "cannot compress the %s: %s", what,
				ZSTD_getErrorName(len));
	s->len = len;
	if (summed)
		s->sum = XXH3_64bits(comp, len);
	if (covered && cbuf_append(&s->covered, comp, len))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (write_at(w->fd, comp, len, s->off))
		return write_fail(w, err);
	return CONTAM_OK;
}

/* The manifest: its entries and their notes are encoded together
 * (cimanifest_encode), so the notes wait in w->notes for their own
 * section. */
static int write_manifest(wfile *w, wsection *s, cerr *err)
{
	cbuf raw = CBUF_INIT;
	int rc = cimanifest_encode(w->meta->manifest, w->meta->nmanifest, w->meta->skips,
				   w->meta->nskips, &raw, &w->notes);
	if (rc)
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	else
		rc = write_frame(w, s, &raw, "manifest", 1, 0, err);
	cbuf_release(&raw);
	return rc;
}

/* The notes: the trailer covers them through their entry's checksum. */
static int write_notes(wfile *w, wsection *s, cerr *err)
{
	return write_frame(w, s, &w->notes, "input notes", 0, 1, err);
}

/* A chunk table and its chunks at s->off + head_len (a section header
 * of head_len bytes, in head, in front of them): the trailer covers the
 * filter's table, the doc-freq's is covered by its entry's checksum. */
static int write_chunk_section(wfile *w, wsection *s, const unsigned char *head,
			       size_t head_len, uint64_t held, uint64_t cb,
			       cichunk_source source, void *ctx, int covered,
			       cerr *err)
{
	const uint64_t n = (held + cb - 1) / cb;
	cbuf *table = &s->covered;
	if (cb % 64 || cb > CIFILE_CHUNK_MAX)
		return cerr_set(err, CONTAM_E_PARAM, "invalid chunk size %llu",
				(unsigned long long)cb);
	if ((head_len && cbuf_append(table, head, head_len)) || put_u64(table, cb) ||
	    put_u64(table, n))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	uint64_t data = head_len + 16 + n * 24; /* relative to the section */
	int rc = write_chunks(w->fd, w->tmp, s->off, held, cb, source, ctx,
			      w->meta->stop, table, &data, err);
	if (rc)
		return rc;
	s->len = data;
	if (write_at(w->fd, table->data, table->len, s->off))
		return write_fail(w, err);
	if (!covered) {
		s->sum = XXH3_64bits(table->data, table->len);
		cbuf_reset(table);
	}
	return CONTAM_OK;
}

/* An uncompressed filter (FLAG_RAW_FILTER): the chunk table, the bits
 * set and the sum of the blocks' false-positive probabilities (so that a
 * mapped load need not read the filter to report them; summed in chunk
 * order, as cifile_read_all sums them), zero padding to a page of the
 * file, then every chunk as it is, back to back.  All-zero chunks are
 * not written: the file has a hole there, which reads as zeros and takes
 * no disk.  Each table entry: the chunk's offset, its raw length and the
 * XXH3-64 of its raw bytes. */
static int write_raw_filter(wfile *w, wsection *s, cerr *err)
{
	const cifile_meta *m = w->meta;
	const uint64_t held = (m->hi - m->lo) * 64;
	const uint64_t cb = m->chunk_bytes ? m->chunk_bytes : CHUNK_BYTES;
	const uint64_t nchunks = (held + cb - 1) / cb;
	const size_t most = (size_t)(cb < held ? cb : held);
	const uint64_t data = raw_data_at(s->off, 16 + nchunks * 24 + 16);
	cbuf *table = &s->covered;
	uint64_t set = 0;
	double fpr = 0;
	int rc = CONTAM_OK;
	if (put_u64(table, cb) || put_u64(table, nchunks))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	#pragma omp parallel num_threads(crun_threads(0))
	{
		unsigned char *raw = malloc(most);
		cerr e;
		cerr_clear(&e);
		#pragma omp for ordered schedule(static, 1)
		for (uint64_t c = 0; c < nchunks; c++) {
			int crc = CONTAM_OK, zero = 1;
			size_t n = (size_t)((held - c * cb) < cb ? held - c * cb : cb);
			uint64_t hash = 0, cset = 0;
			double cfpr = 0;
			if (__atomic_load_n(&rc, __ATOMIC_RELAXED))
				crc = rc;
			else if (m->stop && *m->stop)
				crc = cerr_set(&e, CONTAM_E_INTERRUPTED, "interrupted");
			else if (!raw)
				crc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
			else if (!(crc = w->source(w->ctx, c, raw, n, &e))) {
				hash = XXH3_64bits(raw, n);
				if (!(zero = all_zero(raw, n))) {
					cfpr = cbloom_measure((const uint64_t *)(const void *)raw,
							      n / 64, m->params.k, &cset);
					if (write_at(w->fd, raw, n, s->off + data + c * cb))
						crc = write_fail(w, &e);
				}
			}
			#pragma omp ordered
			{
				if (rc)
					;
				else if (crc)
					*err = e;
				else if (put_u64(table, data + c * cb) || put_u64(table, n) ||
					 put_u64(table, hash))
					crc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				if (crc && !rc)
					__atomic_store_n(&rc, crc, __ATOMIC_RELAXED);
				if (!crc && !zero) {
					set += cset;
					fpr += cfpr;
				}
			}
		}
		free(raw);
	}
	if (rc)
		return rc;
	uint64_t fbits;
	memcpy(&fbits, &fpr, 8);
	if (put_u64(table, set) || put_u64(table, fbits))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	s->len = data + held;
	if (write_at(w->fd, table->data, table->len, s->off))
		return write_fail(w, err);
	return CONTAM_OK;
}

static int write_filter(wfile *w, wsection *s, cerr *err)
{
	const cifile_meta *m = w->meta;
	if (m->raw_filter)
		return write_raw_filter(w, s, err);
	return write_chunk_section(w, s, NULL, 0, (m->hi - m->lo) * 64,
				   m->chunk_bytes ? m->chunk_bytes : CHUNK_BYTES,
				   w->source, w->ctx, 1, err);
}

/* A chunked section (sec_kinds[] with ops): its kind's header, then a
 * chunk table and chunks, covered by its entry's checksum. */
static int write_chunked(wfile *w, wsection *s, cerr *err)
{
	const cisec_ops *ops = sec_kinds[s->slot].ops;
	const cisec_out *o = &w->meta->sec[s->slot];
	unsigned char head[CISEC_HEAD_MAX];
	memset(head, 0, sizeof(head));
	ops->encode(head, o->dec);
	return write_chunk_section(w, s, head, ops->head, ops->held(o->dec),
				   o->chunk_bytes ? o->chunk_bytes : CHUNK_BYTES, o->source,
				   o->ctx, 0, err);
}

int cifile_write(const char *path, const cifile_meta *meta,
		 cichunk_source source, void *ctx, cerr *err)
{
	int rc = CONTAM_OK, fd = -1;
	char *tmp = NULL;
	bool direct = false;
	wfile w = { .fd = -1 };
	/* the sections, in file and table order: the chunked ones after
	 * the filter, in sec_kinds[] order */
	wsection secs[3 + NKINDS] = {
		{ .type = SECTION_MANIFEST, .write = write_manifest },
		{ .type = SECTION_INPUT_NOTES, .write = write_notes },
		{ .type = SECTION_NGRAM_BLOOM, .write = write_filter },
	};
	size_t nall = 3;
	for (size_t k = 0; k < NKINDS; k++)
		if (sec_kinds[k].ops && meta->sec[k].on)
			secs[nall++] = (wsection){ .type = sec_kinds[k].type,
						   .write = write_chunked, .slot = k };
	uint32_t nsec = 0;
	for (size_t i = 0; i < nall; i++) {
		secs[i].covered = (cbuf)CBUF_INIT;
		nsec += secs[i].write != NULL;
	}
	const uint64_t cb = meta->chunk_bytes ? meta->chunk_bytes : CHUNK_BYTES;
	if (cb % 64 || cb > CIFILE_CHUNK_MAX)
		return cerr_set(err, CONTAM_E_PARAM, "invalid chunk size %llu",
				(unsigned long long)cb);

	size_t tlen = strlen(path) + 32;
	if (!(tmp = malloc(tlen))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	/* an existing device (/dev/null) is written in place: renaming a
	 * file over it would replace the device node (as root) */
	struct stat pst;
	direct = stat(path, &pst) == 0 && S_ISCHR(pst.st_mode);
	snprintf(tmp, tlen, "%s%s", path, direct ? "" : ".tmp.");
	if (!direct)
		snprintf(tmp + strlen(tmp), tlen - strlen(tmp), "%ld", (long)getpid());

	fd = direct ? open(tmp, O_WRONLY) : open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s", tmp,
			      strerror(errno));
		goto out;
	}
	w = (wfile){ fd, tmp, meta, source, ctx, CBUF_INIT };
	const uint32_t hsize = HEADER_FIXED + SECTION_ENTRY * nsec;
	uint64_t at = hsize;
	for (size_t i = 0; i < nall; i++) {
		if (!secs[i].write)
			continue;
		secs[i].off = at;
		if ((rc = secs[i].write(&w, &secs[i], err)))
			goto out;
		at += secs[i].len;
	}

	/* header and section table */
	unsigned char h[HEADER_FIXED + SECTION_ENTRY * MAX_SECTIONS];
	memset(h, 0, sizeof(h));
	cihdr x = {
		.version = CIFILE_FORMAT_VERSION, .hsize = hsize, .nsec = nsec,
		.flags = FLAG_STORED_HASH | (meta->raw_filter ? FLAG_RAW_FILTER : 0),
		.block_bits = CBLOOM_BLOCK_BITS,
		.params = meta->params, .ngrams_inserted = meta->ngrams_inserted,
		.part_index = meta->part_index, .part_count = meta->part_count,
		.lo = meta->lo, .hi = meta->hi,
	};
	snprintf(x.recipe, sizeof(x.recipe), "%s", CONTAM_RECIPE_NAME);
	cihdr_encode(h, &x);
	unsigned char *e = h + HEADER_FIXED;
	for (size_t i = 0; i < nall; i++) {
		if (!secs[i].write)
			continue;
		put_le32(e + S_TYPE, secs[i].type);
		put_le32(e + S_FLAGS, secs[i].flags);
		put_le64(e + S_OFF, secs[i].off);
		put_le64(e + S_LEN, secs[i].len);
		put_le64(e + S_SUM, secs[i].sum);
		e += SECTION_ENTRY;
	}

	XXH3_state_t *st = XXH3_createState();
	if (!st) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, h, hsize);
	for (size_t i = 0; i < nall; i++)
		if (secs[i].write && secs[i].covered.len)
			XXH3_64bits_update(st, secs[i].covered.data, secs[i].covered.len);
	unsigned char trailer[16];
	put_le64(trailer, XXH3_64bits_digest(st));
	XXH3_freeState(st);
	memcpy(trailer + 8, MAGIC_END, 8);

	if (write_at(fd, h, hsize, 0) || write_at(fd, trailer, 16, at) ||
	    (!direct && fsync(fd) != 0)) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot write '%s': %s", tmp,
			      strerror(errno));
		goto out;
	}
	int crc = close(fd);
	fd = -1;
	if (crc != 0) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot write '%s': %s", tmp,
			      strerror(errno));
		goto out;
	}
	if (meta->stop && *meta->stop) {
		/* the last moment to leave nothing behind */
		rc = cerr_set(err, CONTAM_E_INTERRUPTED, "interrupted");
		goto out;
	}
	if (!direct && rename(tmp, path) != 0) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot rename '%s' to '%s': %s",
			      tmp, path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp && !direct)
		unlink(tmp);
	free(tmp);
	cbuf_release(&w.notes);
	for (size_t i = 0; i < nall; i++) {
		free(secs[i].hold);
		cbuf_release(&secs[i].covered);
	}
	return rc;
}

/* Chunks straight from an in-memory filter. */
int cifile_memory_source(void *ctx, uint64_t c, unsigned char *dst, size_t n,
			 cerr *err)
{
	const contam_index *ix = ctx;
	(void)err;
	memcpy(dst, (const unsigned char *)ix->filter.bits + c * CHUNK_BYTES, n);
	return CONTAM_OK;
}

void cifile_meta_of(const contam_index *ix, cifile_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->params = ix->params;
	m->ngrams_inserted = ix->ngrams_inserted;
	m->part_index = ix->part_index;
	m->part_count = ix->part_count;
	m->lo = ix->filter.lo;
	m->hi = ix->filter.hi;
	m->manifest = ix->manifest;
	m->nmanifest = ix->nmanifest;
	m->skips = ix->skips;
	m->nskips = ix->nskips;
	m->raw_filter = ix->raw_filter;
	for (size_t k = 0; k < NKINDS; k++) {
		cisec_out *o = &m->sec[k];
		if (sec_kinds[k].ops &&
		    (o->on = sec_kinds[k].ops->of_index(ix, o->dec, &o->source)))
			o->ctx = (void *)ix;
	}
}

void contam_index_set_stop(contam_index *ix, volatile int *stop)
{
	ix->save_stop = stop;
}

int contam_index_save(contam_index *ix, const char *path)
{
	cifile_meta m;
	if (!ix->filter.bits) /* a contam_index_load_summary handle */
		return cerr_set(&ix->err, CONTAM_E_PARAM,
				"cannot save '%s': this handle holds no filter", path);
	cifile_meta_of(ix, &m);
	m.stop = ix->save_stop;
	cerr_clear(&ix->err);
	int team = crun_team_enter(ix->threads);
	int rc = cifile_write(path, &m, cifile_memory_source, ix, &ix->err);
	crun_team_leave(team);
	return rc;
}

/* ---- reading ----------------------------------------------------- */

typedef struct cursor {
	const unsigned char *p;
	size_t left;
	int bad;
} cursor;

static uint64_t cur_u64(cursor *c)
{
	if (c->left < 8) { c->bad = 1; return 0; }
	uint64_t v = get_le64(c->p);
	c->p += 8; c->left -= 8;
	return v;
}

static uint32_t cur_u32(cursor *c)
{
	if (c->left < 4) { c->bad = 1; return 0; }
	uint32_t v = get_le32(c->p);
	c->p += 4; c->left -= 4;
	return v;
}

static void manifest_release(cifile *f)
{
	for (size_t i = 0; i < f->nmanifest; i++)
		cmanifest_entry_release(&f->manifest[i]);
	free(f->manifest);
	f->manifest = NULL;
	f->nmanifest = 0;
	cskips_free(f->skips, f->nskips);
	f->skips = NULL;
	f->nskips = 0;
}

/* A u32-length string at the cursor, copied (NUL-terminated). */
static char *cur_str(cursor *c)
{
	uint32_t len = cur_u32(c);
	if (c->bad || len > c->left) {
		c->bad = 1;
		return NULL;
	}
	char *s = malloc((size_t)len + 1);
	if (!s) {
		c->bad = 2;
		return NULL;
	}
	memcpy(s, c->p, len);
	s[len] = '\0';
	c->p += len;
	c->left -= len;
	return s;
}

/* Section 3 onto the decoded manifest.  c->bad: 1 damaged, 2 no memory. */
static void notes_decode(cifile *f, cursor *c)
{
	uint32_t version = cur_u32(c), n = cur_u32(c);
	if (c->bad || version != NOTES_VERSION || n != f->nmanifest) {
		c->bad = 1;
		return;
	}
	for (uint32_t i = 0; i < n && !c->bad; i++) {
		contam_manifest_entry *e = &f->manifest[i];
		e->fingerprint = cur_u64(c);
		uint32_t kinds = cur_u32(c);
		if (kinds > 64 || (uint64_t)kinds * 8 > c->left) {
			c->bad = 1;
			return;
		}
		for (uint32_t k = 0; k < kinds; k++) {
			uint64_t v = cur_u64(c);
			if (k < CONTAM_PROBLEMS)
				e->problems[k] = v;
		}
		uint32_t nm = cur_u32(c);
		if (c->bad || nm > CONTAM_MANIFEST_MESSAGES) {
			c->bad = 1;
			return;
		}
		if (nm && !(e->messages = calloc(nm, sizeof(char *)))) {
			c->bad = 2;
			return;
		}
		for (uint32_t m = 0; m < nm && !c->bad; m++)
			if ((e->messages[m] = cur_str(c)))
				e->nmessages = m + 1;
	}
	uint32_t nk = c->bad ? 0 : cur_u32(c);
	if (nk > c->left / 20) {
		c->bad = 1;
		return;
	}
	if (nk && !c->bad && !(f->skips = calloc(nk, sizeof(*f->skips)))) {
		c->bad = 2;
		return;
	}
	for (uint32_t i = 0; i < nk && !c->bad; i++) {
		contam_input_skip *k = &f->skips[i];
		uint32_t reason = cur_u32(c);
		k->count = cur_u64(c);
		k->reason = reason < CONTAM_SKIP_REASONS ? (contam_skip_reason)reason
							: CONTAM_SKIP_UNKNOWN_KIND;
		if (!(k->dir = cur_str(c)))
			return;
		f->nskips = i + 1;
		uint32_t nn = cur_u32(c);
		if (c->bad || nn > CONTAM_SKIP_NAMES) {
			c->bad = 1;
			return;
		}
		for (uint32_t j = 0; j < nn && !c->bad; j++)
			if ((k->names[j] = cur_str(c)))
				k->nnames = j + 1;
	}
	(void)cur_u64(c); /* reserved */
}

/* Read, check and decode the notes section [off, off + len). */
static int notes_load(cifile *f, uint64_t off, uint64_t len, uint64_t want,
		      cerr *err)
{
	int rc = CONTAM_OK;
	unsigned char *comp = malloc(len ? len : 1), *raw = NULL;
	if (!comp)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (f_read(f, comp, len, off)) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot read '%s'", f->path);
		goto out;
	}
	if (XXH3_64bits(comp, len) != want) {
		rc = cerr_set(err, CONTAM_E_CORRUPT,
			      "'%s': the input notes are damaged (checksum mismatch)", f->path);
		goto out;
	}
	unsigned long long rlen = ZSTD_getFrameContentSize(comp, len);
	if (rlen == ZSTD_CONTENTSIZE_ERROR || rlen == ZSTD_CONTENTSIZE_UNKNOWN ||
	    rlen > MANIFEST_MAX) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the input notes are damaged", f->path);
		goto out;
	}
	if (!(raw = malloc(rlen ? rlen : 1))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	size_t got = ZSTD_decompress(raw, rlen, comp, len);
	if (ZSTD_isError(got) || got != rlen) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the input notes are damaged", f->path);
		goto out;
	}
	cursor c = { raw, got, 0 };
	notes_decode(f, &c);
	if (c.bad == 2)
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	else if (c.bad)
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the input notes are damaged", f->path);
out:
	free(comp);
	free(raw);
	return rc;
}

static int manifest_decode(cifile *f, const unsigned char *p, size_t n, cerr *err)
{
	cursor c = { p, n, 0 };
	uint32_t count = cur_u32(&c);
	if (count > n / 48)
		c.bad = 1;
	if (!c.bad && !(f->manifest = calloc(count ? count : 1, sizeof(*f->manifest))))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < count && !c.bad; i++) {
		contam_manifest_entry *e = &f->manifest[i];
		e->kind = (contam_input_kind)cur_u32(&c);
		e->size = cur_u64(&c);
		e->bytes_text = cur_u64(&c);
		e->documents = cur_u64(&c);
		e->ngrams = cur_u64(&c);
		e->errors = cur_u64(&c);
		uint32_t plen = cur_u32(&c);
		if (c.bad || plen > c.left || e->kind >= CONTAM_INPUT_KINDS) {
			c.bad = 1;
			break;
		}
		if (!(e->path = malloc(plen + 1)))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		memcpy(e->path, c.p, plen);
		e->path[plen] = '\0';
		c.p += plen;
		c.left -= plen;
		f->nmanifest++;
	}
	(void)cur_u64(&c); /* reserved */
	if (c.bad)
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': the manifest is damaged",
				f->path);
	return CONTAM_OK;
}

int cimanifest_decode(cifile *f, const unsigned char *raw, size_t rawlen,
		      const unsigned char *notes, size_t noteslen, cerr *err)
{
	int rc = manifest_decode(f, raw, rawlen, err);
	if (rc || !notes)
		return rc;
	cursor c = { notes, noteslen, 0 };
	notes_decode(f, &c);
	if (c.bad == 2)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (c.bad)
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': the input notes are damaged",
				f->path);
	return CONTAM_OK;
}

/* Packed: u64 length of the manifest's raw bytes, those bytes, then the
 * notes' raw bytes; both exactly as the file's sections hold them before
 * compression (cimanifest_encode). */
int contam_index_manifest_pack(const contam_index *ix, unsigned char **out,
			       size_t *len)
{
	cbuf raw = CBUF_INIT, notes = CBUF_INIT, all = CBUF_INIT;
	int rc;
	if (!ix || !out || !len)
		return CONTAM_E_PARAM;
	*out = NULL;
	*len = 0;
	rc = cimanifest_encode(ix->manifest, ix->nmanifest, ix->skips, ix->nskips, &raw,
			       &notes);
	if (!rc && (put_u64(&all, raw.len) || cbuf_append(&all, raw.data, raw.len) ||
		    cbuf_append(&all, notes.data, notes.len)))
		rc = CONTAM_E_NOMEM;
	cbuf_release(&raw);
	cbuf_release(&notes);
	if (rc) {
		cbuf_release(&all);
		return rc;
	}
	*out = (unsigned char *)all.data;
	*len = all.len;
	return CONTAM_OK;
}

int contam_index_manifest_unpack(contam_index *ix, const unsigned char *p,
				 size_t len)
{
	if (!ix || (!p && len))
		return CONTAM_E_PARAM;
	if (len < 8 || get_le64(p) > len - 8)
		return cerr_set(&ix->err, CONTAM_E_CORRUPT, "a packed manifest is damaged");
	const size_t rlen = (size_t)get_le64(p);
	cifile f;
	memset(&f, 0, sizeof(f));
	f.fd = -1;
	f.path = (char *)"a packed manifest";
	int rc = cimanifest_decode(&f, p + 8, rlen, p + 8 + rlen, len - 8 - rlen,
				   &ix->err);
	for (size_t i = 0; i < f.nmanifest && !rc; i++)
		rc = contam_index_add_manifest(ix, &f.manifest[i]);
	if (!rc && cindex_skips_add(ix, f.skips, f.nskips))
		rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
	manifest_release(&f);
	return rc;
}

/* XXH3-64 of n zero bytes, without n bytes of memory (streamed). */
static uint64_t zero_hash(uint64_t n)
{
	static const unsigned char zeros[1u << 16];
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		return 0; /* every all-zero chunk then fails its check: no answer */
	XXH3_64bits_reset(st);
	for (; n; n -= n < sizeof(zeros) ? n : sizeof(zeros))
		XXH3_64bits_update(st, zeros, n < sizeof(zeros) ? (size_t)n : sizeof(zeros));
	uint64_t h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* The chunk tables of the filter and of the doc-freq sketch, checked by
 * one rule: chunks of cb bytes (a multiple of 64, at most
 * CIFILE_CHUNK_MAX), exactly as many as the held bytes need, their
 * 24-byte entries within the `space` bytes after the table's head. */
static int chunk_table_ok(uint64_t cb, uint64_t n, uint64_t held, uint64_t space)
{
	return cb != 0 && cb % 64 == 0 && cb <= CIFILE_CHUNK_MAX &&
	       n == (held + cb - 1) / cb && n <= space / 24;
}

/* The hashes an all-zero chunk (stored as nothing) is checked against,
 * so that it need not be written out to be hashed: a whole chunk and the
 * last (possibly shorter) one. */
static void chunk_zero_hashes(uint64_t held, uint64_t cb, uint64_t n, uint64_t *whole,
			      uint64_t *last)
{
	*last = zero_hash(held - (n - 1) * cb);
	*whole = n > 1 ? zero_hash(cb) : *last;
}

void cifile_close(cifile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->map)
		munmap(f->map, f->map_len);
	manifest_release(f);
	free(f->table);
	for (size_t k = 0; k < CISEC_SLOTS; k++)
		free(f->sec[k].cs.table);
	free(f->path);
	free(f);
}

/* The chunks of a section at [off, off + len) whose first `head` bytes
 * are its own header and whose chunk table (cb bytes a chunk, n chunks,
 * held raw bytes) follows it, `fixed` bytes of header and table counts
 * having been read: the table read, and checked with the header against
 * `want`, the hash in the section table.  The one reader of the chunked
 * sections' tables ("what" names the section in messages). */
static int chunks_open(cifile *f, cichunks *cs, const char *what, uint64_t off,
		       uint64_t len, size_t head, size_t fixed, uint64_t cb, uint64_t n,
		       uint64_t held, uint64_t want, cerr *err)
{
	cs->what = what;
	cs->off = off;
	cs->len = len;
	cs->table_at = head;
	cs->chunk_bytes = cb;
	cs->nchunks = n;
	cs->held_bytes = held;
	if (!chunk_table_ok(cb, n, held, len - fixed))
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': the %s section is damaged "
				"(chunk table)", f->path, what);
	cs->table_len = 16 + n * 24;
	unsigned char *all = malloc(head + cs->table_len);
	if (!all)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (f_read(f, all, head + cs->table_len, off)) {
		free(all);
		return cerr_set(err, CONTAM_E_IO, "cannot read '%s'", f->path);
	}
	if (XXH3_64bits(all, head + cs->table_len) != want) {
		free(all);
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': the %s section is damaged "
				"(checksum mismatch)", f->path, what);
	}
	memmove(all, all + head, cs->table_len);
	cs->table = all;
	chunk_zero_hashes(held, cb, n, &cs->zero_hash, &cs->zero_hash_last);
	return CONTAM_OK;
}

/* The chunked section of kind slot k at [off, off + len), whose table
 * entry holds `want` (the hash of its header and chunk table): its
 * header read and decoded by its kind (which checks it against f's
 * header), then its chunk table read and checked. */
static int sec_open(cifile *f, size_t k, uint64_t off, uint64_t len, uint64_t want,
		    cerr *err)
{
	const struct sec_kind *kind = &sec_kinds[k];
	const cisec_ops *ops = kind->ops;
	cisec *s = &f->sec[k];
	unsigned char head[CISEC_HEAD_MAX + 16];
	char why[300];
	const size_t fixed = ops->head + 16;
	if (len < fixed || f_read(f, head, fixed, off))
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': the %s section is damaged "
				"(truncated header)", f->path, kind->name);
	s->ops = ops;
	s->type = kind->type;
	memset(s->dec, 0, sizeof(s->dec));
	int rc = ops->decode(f, head, s->dec, why, sizeof(why));
	if (rc)
		return cerr_set(err, rc, "'%s': %s", f->path, why);
	uint64_t cb = get_le64(head + ops->head), n = get_le64(head + ops->head + 8);
	return chunks_open(f, &s->cs, kind->name, off, len, ops->head, fixed, cb, n,
			   ops->held(s->dec), want, err);
}

static cifile *cifile_alloc(const char *path, cerr *err)
{
	cifile *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = cstrdup(path))) {
		free(f);
		cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		return NULL;
	}
	f->fd = -1;
	return f;
}

static int cifile_parse(cifile *f, uint64_t fsize, cerr *err);

/* The file opened (and, map, mapped) and its size in *size. */
static int cifile_open_fd(cifile *f, int map, uint64_t *size, cerr *err)
{
	const char *path = f->path;
	f->fd = open(path, O_RDONLY);
	if (f->fd < 0)
		return cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s", path,
				strerror(errno));
	struct stat sb;
	if (fstat(f->fd, &sb) != 0)
		return cerr_set(err, CONTAM_E_IO, "cannot stat '%s': %s", path,
				strerror(errno));
	*size = (uint64_t)sb.st_size;
	if (!map || *size == 0 || !S_ISREG(sb.st_mode))
		return CONTAM_OK; /* nothing to map: read as any file */
	void *m = mmap(NULL, (size_t)*size, PROT_READ, MAP_SHARED, f->fd, 0);
	if (m == MAP_FAILED)
		return cerr_set(err, CONTAM_E_IO, "cannot map '%s': %s", path,
				strerror(errno));
	f->map = m;
	f->map_len = (size_t)*size;
	f->mem = m;
	f->mem_len = *size;
	close(f->fd);
	f->fd = -1;
	return CONTAM_OK;
}

static int cifile_open_how(cifile **out, const char *path, int map, cerr *err)
{
	uint64_t size = 0;
	*out = NULL;
	cifile *f = cifile_alloc(path, err);
	if (!f)
		return CONTAM_E_NOMEM;
	int rc = cifile_open_fd(f, map, &size, err);
	if (!rc)
		rc = cifile_parse(f, size, err);
	if (rc) {
		cifile_close(f);
		return rc;
	}
	*out = f;
	return CONTAM_OK;
}

int cifile_open(cifile **out, const char *path, cerr *err)
{
	return cifile_open_how(out, path, 0, err);
}

int cifile_open_map(cifile **out, const char *path, cerr *err)
{
	return cifile_open_how(out, path, 1, err);
}

int cifile_open_mem(cifile **out, const char *name, const void *buf, size_t len,
		    cerr *err)
{
	*out = NULL;
	cifile *f = cifile_alloc(name, err);
	if (!f)
		return CONTAM_E_NOMEM;
	f->mem = buf;
	f->mem_len = buf ? len : 0;
	int rc = cifile_parse(f, f->mem_len, err);
	if (rc) {
		cifile_close(f);
		return rc;
	}
	*out = f;
	return CONTAM_OK;
}

/* Check that an uncompressed filter's table describes its chunks where
 * they must be, back to back from the first page after the table and
 * statistics (stats: those 16 bytes), that the padding is zero, and
 * take the statistics.  Cheap: no chunk is read. */
static int raw_open(cifile *f, const unsigned char *stats, cerr *err)
{
	unsigned char pad[RAW_ALIGN];
	const uint64_t head = f->table_len + 16;
	f->raw = 1;
	f->data_at = raw_data_at(f->foff, head);
	f->raw_set = get_le64(stats);
	uint64_t fb = get_le64(stats + 8);
	memcpy(&f->raw_fpr, &fb, 8);
	int ok = f->data_at <= f->flen && f->held_bytes == f->flen - f->data_at &&
		 f->raw_set <= f->held_bytes * 8 && f->raw_fpr >= 0 &&
		 f->raw_fpr <= (double)(f->hi - f->lo);
	for (uint64_t c = 0; ok && c < f->nchunks; c++) {
		const unsigned char *e = f->table + 16 + c * 24;
		ok = get_le64(e) == f->data_at + c * f->chunk_bytes &&
		     get_le64(e + 8) == cifile_chunk_size(f, c);
	}
	if (!ok)
		return cerr_set(err, CONTAM_E_CORRUPT,
				"'%s': damaged chunk table (uncompressed filter)", f->path);
	const size_t npad = (size_t)(f->data_at - head);
	if (f_read(f, pad, npad, f->foff + head))
		return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s", f->path,
				errno ? strerror(errno) : "truncated");
	if (!all_zero(pad, npad & ~(size_t)7))
		return cerr_set(err, CONTAM_E_CORRUPT, "'%s': damaged filter padding",
				f->path);
	for (size_t i = npad & ~(size_t)7; i < npad; i++)
		if (pad[i])
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': damaged filter padding", f->path);
	return CONTAM_OK;
}

/* Parse and verify everything but the chunks' contents of a file of
 * fsize bytes (read through f_read). */
static int cifile_parse(cifile *f, uint64_t fsize, cerr *err)
{
	int rc = CONTAM_OK;
	const char *path = f->path;
	unsigned char h[HEADER_FIXED + SECTION_ENTRY * MAX_SECTIONS];
	unsigned char *mcomp = NULL, *mraw = NULL, stats[16];
	XXH3_state_t *st = NULL;
	if (fsize < HEADER_FIXED + 16 || f_read(f, h, HEADER_FIXED, 0) ||
	    memcmp(h, MAGIC, 8) != 0) {
		rc = cerr_set(err, CONTAM_E_FORMAT,
			      "'%s' is not a contam index (bad magic or too short)", path);
		goto out;
	}
	cihdr x;
	cihdr_decode(h, &x);
	f->format_version = x.version;
	if (f->format_version != CIFILE_FORMAT_VERSION) {
		rc = cerr_set(err, CONTAM_E_FORMAT,
			      "'%s': index format version %u is not supported (this contam reads %d)",
			      path, f->format_version, CIFILE_FORMAT_VERSION);
		goto out;
	}
	uint32_t hsize = x.hsize, nsec = x.nsec;
	f->flags = x.flags;
	if (f->flags & ~FLAGS_KNOWN) {
		rc = cerr_set(err, CONTAM_E_FORMAT,
			      "'%s': unknown header flags %#x (written by a newer contam?)",
			      path, f->flags);
		goto out;
	}
	if (nsec == 0 || nsec > MAX_SECTIONS ||
	    hsize != HEADER_FIXED + SECTION_ENTRY * nsec || hsize + 16 > fsize ||
	    f_read(f, h + HEADER_FIXED, hsize - HEADER_FIXED, HEADER_FIXED)) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': damaged header", path);
		goto out;
	}
	contam_params *p = &f->params;
	*p = x.params;
	f->ngrams_inserted = x.ngrams_inserted;
	f->part_index = x.part_index;
	f->part_count = x.part_count;
	f->lo = x.lo;
	f->hi = x.hi;
	uint64_t want_lo = 0, want_hi = 0;
	int geometry_ok = cifile_params_valid(p) && x.block_bits == CBLOOM_BLOCK_BITS &&
		f->part_count >= 1 && f->part_index < f->part_count &&
		f->part_count <= p->nblocks;
	if (geometry_ok)
		cbloom_partition_range(p->nblocks, f->part_index, f->part_count,
				       &want_lo, &want_hi);
	if (!geometry_ok || f->lo != want_lo || f->hi != want_hi) {
		rc = cerr_set(err, CONTAM_E_CORRUPT,
			      "'%s': invalid filter parameters in the header", path);
		goto out;
	}
	if (strcmp(x.recipe, CONTAM_RECIPE_NAME) != 0 ||
	    p->recipe_version != CONTAM_RECIPE_VERSION) {
		rc = cerr_set(err, CONTAM_E_FORMAT,
			      "'%s' was built with recipe %s/v%u; this contam has %s",
			      path, x.recipe, p->recipe_version, contam_recipe());
		goto out;
	}

	/* sections */
	uint64_t moff = 0, mlen = 0, noff = 0, nlen = 0, nhash = 0;
	/* the chunked sections' entries, by kind slot (read once the
	 * manifest is) */
	uint64_t coff[NKINDS] = { 0 }, clen[NKINDS] = { 0 }, csum[NKINDS] = { 0 };
	unsigned seen = 0;
	for (uint32_t i = 0; i < nsec; i++) {
		const unsigned char *s = h + HEADER_FIXED + SECTION_ENTRY * i;
		uint32_t type = get_le32(s + S_TYPE);
		uint64_t off = get_le64(s + S_OFF), len = get_le64(s + S_LEN);
		uint64_t sum = get_le64(s + S_SUM);
		const struct sec_kind *kind = sec_kind_of(type);
		if (off < hsize || off > fsize - 16 || len > fsize - 16 - off) {
			rc = cerr_set(err, CONTAM_E_CORRUPT,
				      "'%s': section %u lies outside the file (truncated?)",
				      path, i);
			goto out;
		}
		if (!kind) {
			/* refused, not skipped: what reads this file may
			 * write it again (merge, --add), and a section it
			 * cannot combine would be lost without a word */
			rc = cerr_set(err, CONTAM_E_FORMAT,
				      "'%s': section %u is of unknown type %u (written by a "
				      "newer contam?); this contam cannot read or carry it, "
				      "so it does not use the file", path, i, type);
			goto out;
		}
		if (seen & (1u << (kind - sec_kinds))) {
			rc = cerr_set(err, CONTAM_E_CORRUPT,
				      "'%s': damaged header (two %s sections)", path, kind->name);
			goto out;
		}
		seen |= 1u << (kind - sec_kinds);
		if (type == SECTION_MANIFEST) { moff = off; mlen = len; }
		else if (type == SECTION_NGRAM_BLOOM) { f->foff = off; f->flen = len; }
		else if (type == SECTION_INPUT_NOTES) {
			noff = off;
			nlen = len;
			nhash = sum;
		} else if (kind->ops) {
			coff[kind - sec_kinds] = off;
			clen[kind - sec_kinds] = len;
			csum[kind - sec_kinds] = sum;
		}
	}
	if (!moff || !f->foff || mlen > MANIFEST_MAX || f->flen < 16) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': missing or oversized section",
			      path);
		goto out;
	}

	unsigned char trailer[16], t16[16];
	if (f_read(f, trailer, 16, fsize - 16) ||
	    memcmp(trailer + 8, MAGIC_END, 8)) {
		rc = cerr_set(err, CONTAM_E_CORRUPT,
			      "'%s': no end marker: the file is truncated", path);
		goto out;
	}
	mcomp = malloc(mlen ? mlen : 1);
	if (!mcomp || f_read(f, mcomp, mlen, moff) ||
	    f_read(f, t16, 16, f->foff)) {
		rc = cerr_set(err, mcomp ? CONTAM_E_IO : CONTAM_E_NOMEM,
			      "cannot read '%s'", path);
		goto out;
	}
	f->chunk_bytes = get_le64(t16);
	f->nchunks = get_le64(t16 + 8);
	f->held_bytes = (f->hi - f->lo) * 64;
	if (!chunk_table_ok(f->chunk_bytes, f->nchunks, f->held_bytes, f->flen - 16)) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': damaged chunk table", path);
		goto out;
	}
	f->table_len = 16 + f->nchunks * 24;
	f->table = malloc(f->table_len);
	if (!f->table || f_read(f, f->table, f->table_len, f->foff)) {
		rc = cerr_set(err, f->table ? CONTAM_E_IO : CONTAM_E_NOMEM,
			      "cannot read '%s'", path);
		goto out;
	}
	/* an uncompressed filter: its statistics follow the table, and the
	 * trailer covers them with it */
	if ((f->flags & FLAG_RAW_FILTER) &&
	    (f->table_len + 16 > f->flen || f_read(f, stats, 16, f->foff + f->table_len))) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': damaged chunk table", path);
		goto out;
	}
	if (!(st = XXH3_createState())) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, h, hsize);
	XXH3_64bits_update(st, mcomp, mlen);
	XXH3_64bits_update(st, f->table, f->table_len);
	if (f->flags & FLAG_RAW_FILTER)
		XXH3_64bits_update(st, stats, 16);
	if (XXH3_64bits_digest(st) != get_le64(trailer)) {
		rc = cerr_set(err, CONTAM_E_CORRUPT,
			      "'%s': checksum mismatch in the header, manifest or chunk table",
			      path);
		goto out;
	}
	if ((f->flags & FLAG_RAW_FILTER) && (rc = raw_open(f, stats, err)))
		goto out;

	/* computed once the table is known to be the writer's */
	chunk_zero_hashes(f->held_bytes, f->chunk_bytes, f->nchunks, &f->zero_hash,
			  &f->zero_hash_last);

	unsigned long long mraw_len = ZSTD_getFrameContentSize(mcomp, mlen);
	if (mraw_len == ZSTD_CONTENTSIZE_ERROR || mraw_len == ZSTD_CONTENTSIZE_UNKNOWN ||
	    mraw_len > MANIFEST_MAX) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the manifest is damaged", path);
		goto out;
	}
	if (!(mraw = malloc(mraw_len ? mraw_len : 1))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	size_t got = ZSTD_decompress(mraw, mraw_len, mcomp, mlen);
	if (ZSTD_isError(got) || got != mraw_len) {
		rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the manifest is damaged", path);
		goto out;
	}
	rc = manifest_decode(f, mraw, got, err);
	for (size_t k = 0; k < NKINDS && !rc; k++)
		if (coff[k])
			rc = sec_open(f, k, coff[k], clen[k], csum[k], err);
	if (!rc && noff) {
		if (nlen > MANIFEST_MAX)
			rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': oversized input notes", path);
		else
			rc = notes_load(f, noff, nlen, nhash, err);
	}
out:
	XXH3_freeState(st);
	free(mcomp);
	free(mraw);
	return rc;
}

size_t cifile_chunk_size(const cifile *f, uint64_t c)
{
	if (c >= f->nchunks) /* no such chunk: not an underflowed size */
		return 0;
	uint64_t off = c * f->chunk_bytes;
	return (size_t)((f->held_bytes - off) < f->chunk_bytes ?
			f->held_bytes - off : f->chunk_bytes);
}

int cifile_chunk_is_zero(const cifile *f, uint64_t c)
{
	return c < f->nchunks && get_le64(f->table + 16 + c * 24 + 8) == 0;
}

int cifile_read_chunk(const cifile *f, uint64_t c, unsigned char *dst,
		      cbuf *scratch, cerr *err)
{
	return cifile_read_chunk_z(f, c, dst, 0, scratch, err);
}

void cifile_filter_chunks(const cifile *f, cichunks *cs)
{
	cs->what = "filter";
	cs->off = f->foff;
	cs->len = f->flen;
	cs->table_at = 0;
	cs->chunk_bytes = f->chunk_bytes;
	cs->nchunks = f->nchunks;
	cs->held_bytes = f->held_bytes;
	cs->table = f->table;
	cs->table_len = f->table_len;
	cs->zero_hash = f->zero_hash;
	cs->zero_hash_last = f->zero_hash_last;
	cs->raw = f->raw;
}

static size_t cs_chunk_size(const cichunks *cs, uint64_t c)
{
	if (c >= cs->nchunks)
		return 0;
	uint64_t off = c * cs->chunk_bytes;
	return (size_t)((cs->held_bytes - off) < cs->chunk_bytes ?
			cs->held_bytes - off : cs->chunk_bytes);
}

int cifile_read_cs_chunk(const cifile *f, const cichunks *cs, uint64_t c,
			 unsigned char *dst, int dst_zeroed, cbuf *scratch, cerr *err)
{
	if (c >= cs->nchunks)
		return cerr_set(err, CONTAM_E_PARAM, "no chunk %llu", (unsigned long long)c);
	const unsigned char *e = cs->table + 16 + c * 24;
	uint64_t off = get_le64(e), len = get_le64(e + 8), want = get_le64(e + 16);
	size_t n = cs_chunk_size(cs, c);
	if (cs->raw) {
		/* stored as it is (where raw_open checked), hashed raw; into a
		 * fresh filter only when not all zero, so that its pages stay
		 * uncommitted as for a compressed file's zero chunks */
		unsigned char *to = dst;
		if (dst_zeroed) {
			cbuf_reset(scratch);
			if (cbuf_reserve(scratch, n))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			to = (unsigned char *)scratch->data;
		}
		if (f_read(f, to, n, cs->off + off))
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					f->path, errno ? strerror(errno) : "truncated");
		if (XXH3_64bits(to, n) != want)
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': %s chunk %llu is damaged (checksum mismatch)",
					f->path, cs->what, (unsigned long long)c);
		if (to != dst && !all_zero(to, n))
			memcpy(dst, to, n);
		return CONTAM_OK;
	}
	if (len == 0) {
		/* stored as nothing: its hash is of n zero bytes, which
		 * dst need not hold to be checked (untouched pages of a
		 * fresh filter stay uncommitted) */
		if (want != (c + 1 == cs->nchunks ? cs->zero_hash_last : cs->zero_hash))
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': %s chunk %llu is damaged (checksum mismatch)",
					f->path, cs->what, (unsigned long long)c);
		if (!dst_zeroed)
			memset(dst, 0, n);
		return CONTAM_OK;
	} else {
		if (off < cs->table_at + cs->table_len || off > cs->len ||
		    len > cs->len - off || len > ZSTD_compressBound(n))
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': %s chunk %llu lies outside its section",
					f->path, cs->what, (unsigned long long)c);
		cbuf_reset(scratch);
		if (cbuf_reserve(scratch, (size_t)len))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (f_read(f, scratch->data, (size_t)len, cs->off + off))
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					f->path, errno ? strerror(errno) : "truncated");
		if ((f->flags & FLAG_STORED_HASH) &&
		    XXH3_64bits(scratch->data, (size_t)len) != want)
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': %s chunk %llu is damaged (checksum mismatch)",
					f->path, cs->what, (unsigned long long)c);
		size_t r = ZSTD_decompress(dst, n, scratch->data, (size_t)len);
		if (ZSTD_isError(r) || r != n)
			return cerr_set(err, CONTAM_E_CORRUPT,
					"'%s': %s chunk %llu is damaged (%s)", f->path,
					cs->what, (unsigned long long)c,
					ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short");
	}
	if (!(f->flags & FLAG_STORED_HASH) && XXH3_64bits(dst, n) != want)
		return cerr_set(err, CONTAM_E_CORRUPT,
				"'%s': %s chunk %llu is damaged (checksum mismatch)",
				f->path, cs->what, (unsigned long long)c);
	return CONTAM_OK;
}

int cifile_read_chunk_z(const cifile *f, uint64_t c, unsigned char *dst,
			int dst_zeroed, cbuf *scratch, cerr *err)
{
	cichunks cs;
	cifile_filter_chunks(f, &cs);
	return cifile_read_cs_chunk(f, &cs, c, dst, dst_zeroed, scratch, err);
}


/* Every chunk of a chunk section (the filter's, the doc-freq's) read and
 * checked in parallel into dst (when not NULL, all zero on entry: zero
 * chunks are checked, never written, so their pages stay uncommitted;
 * NULL: each chunk is dropped once measured) and measured unless all
 * zero.  The first damaged chunk's error is returned. */
int cifile_read_cs_all(const cifile *f, const cichunks *cs, unsigned char *dst,
		       cichunk_visit measure, void *ctx, cerr *err)
{
	int64_t bad = -1;
	cerr first;
	cerr_clear(&first);
	#pragma omp parallel num_threads(crun_threads(0))
	{
		cbuf scratch = CBUF_INIT;
		unsigned char *buf = NULL;
		cerr e;
		#pragma omp for schedule(dynamic, 4)
		for (uint64_t c = 0; c < cs->nchunks; c++) {
			int crc;
			size_t n = cs_chunk_size(cs, c);
			unsigned char *to = dst ? dst + c * cs->chunk_bytes : buf;
			if (get_le64(cs->table + 16 + c * 24 + 8) == 0)
				crc = cifile_read_cs_chunk(f, cs, c, to, 1, &scratch, &e);
			else if (!to && !(to = buf = malloc(cs_chunk_size(cs, 0))))
				crc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
			else if (!(crc = cifile_read_cs_chunk(f, cs, c, to, dst != NULL, &scratch,
						       &e)))
				measure(ctx, c, to, n);
			if (crc) {
				#pragma omp critical(contam_read_cs_bad)
				if (bad < 0 || (int64_t)c < bad) {
					bad = (int64_t)c;
					first = e;
				}
			}
		}
		free(buf);
		cbuf_release(&scratch);
	}
	if (bad >= 0) {
		*err = first;
		return first.code;
	}
	return CONTAM_OK;
}

/* What f describes besides its chunks, onto ix: the counts, and the
 * manifest and skips taken over (f keeps none). */
static void take_file(contam_index *ix, cifile *f)
{
	ix->ngrams_inserted = f->ngrams_inserted;
	ix->format_version = f->format_version;
	ix->manifest = f->manifest;
	ix->nmanifest = f->nmanifest;
	ix->skips = f->skips;
	ix->nskips = f->nskips;
	f->manifest = NULL;
	f->nmanifest = 0;
	f->skips = NULL;
	f->nskips = 0;
}

/* Every chunk read and checked, in parallel, into dst (when not NULL)
 * and measured as contam_index_stats_get measures a filter: the sum of
 * the blocks' false-positive probabilities (added in chunk order, so the
 * result does not depend on the threads) and the bits set.  Without dst
 * each chunk is dropped once measured (contam_index_load_summary); with
 * it, all-zero chunks are checked against their hash but never written,
 * so that a fresh filter's pages for them are never committed. */
typedef struct filter_measures {
	uint32_t k;
	double *fpr;       /* per chunk */
	uint64_t *set;     /* per chunk */
	cichunk_visit visit;
	void *vctx;
} filter_measures;

static void filter_measure(void *ctx, uint64_t c, const unsigned char *raw, size_t n)
{
	filter_measures *m = ctx;
	m->fpr[c] = cbloom_measure((const uint64_t *)(const void *)raw, n / 64, m->k,
				   &m->set[c]);
	if (m->visit)
		m->visit(m->vctx, c, raw, n);
}

int cifile_read_all(const cifile *f, unsigned char *dst, uint64_t *bits_set,
		    double *fpr_sum, cerr *err)
{
	return cifile_read_all_visit(f, dst, NULL, NULL, bits_set, fpr_sum, err);
}

/* Every chunk of a Bloom section (cs, k bits a key) read and checked
 * into dst (or checked only), each handed to visit, and its bits set and
 * false-positive sum added to *bits_set and *fpr_sum: the n-gram
 * filter's and the minhash filter's one reader. */
static int read_bloom_all(const cifile *f, const cichunks *cs, uint32_t k,
			  unsigned char *dst, cichunk_visit visit, void *vctx,
			  uint64_t *bits_set, double *fpr_sum, cerr *err);

int cifile_read_bloom_all(const cifile *f, const cichunks *cs, uint32_t k,
			  unsigned char *dst, uint64_t *bits_set, double *fpr_sum,
			  cerr *err)
{
	return read_bloom_all(f, cs, k, dst, NULL, NULL, bits_set, fpr_sum, err);
}

static int read_bloom_all(const cifile *f, const cichunks *cs, uint32_t k,
			  unsigned char *dst, cichunk_visit visit, void *vctx,
			  uint64_t *bits_set, double *fpr_sum, cerr *err)
{
	filter_measures m = { k, calloc(cs->nchunks, sizeof(double)),
			      calloc(cs->nchunks, sizeof(uint64_t)), visit, vctx };
	int rc = m.fpr && m.set ? cifile_read_cs_all(f, cs, dst, filter_measure, &m, err)
				: cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	double sum = 0;
	uint64_t set = 0;
	for (uint64_t c = 0; !rc && c < cs->nchunks; c++) {
		sum += m.fpr[c];
		set += m.set[c];
	}
	free(m.fpr);
	free(m.set);
	if (rc)
		return rc;
	if (bits_set)
		*bits_set += set;
	if (fpr_sum)
		*fpr_sum += sum;
	return CONTAM_OK;
}

int cifile_read_all_visit(const cifile *f, unsigned char *dst, cichunk_visit visit,
			  void *vctx, uint64_t *bits_set, double *fpr_sum, cerr *err)
{
	cichunks cs;
	cifile_filter_chunks(f, &cs);
	return read_bloom_all(f, &cs, f->params.k, dst, visit, vctx, bits_set, fpr_sum, err);
}

/* The one loader (load, summary, mapped, from memory, the partitions of
 * a probe): the handle for f, holding its filter as `how` says. */
int cindex_load_file(contam_index **out, cifile *f, int how, uint64_t *set,
		     double *fpr_sum, cerr *err)
{
	contam_index *ix = NULL;
	const int map = (how & ~CILOAD_NO_DF) == CILOAD_MAP && f->raw && f->map;
	*out = NULL;
	const int no_df = how & CILOAD_NO_DF;
	how &= ~CILOAD_NO_DF;
	int rc = cindex_new_shell(&ix, &f->params, f->part_index, f->part_count,
				  how != CILOAD_SUMMARY && !map);
	if (rc) {
		if (ix)
			*err = ix->err;
		else
			cerr_set(err, rc, "out of memory");
		contam_index_free(ix);
		return rc;
	}
	take_file(ix, f);
	ix->raw_filter = f->raw;
	uint64_t s0 = 0;
	double f0 = 0;
	if (map) {
		/* the chunks are not read: the writer's statistics stand
		 * (covered by the trailer); contam verify reads them all */
		ix->map = f->map;
		ix->map_len = f->map_len;
		f->map = NULL; /* the handle unmaps it */
		ix->filter.bits = (uint64_t *)(void *)((unsigned char *)ix->map + f->foff +
						       f->data_at);
#ifdef MADV_RANDOM
		/* a probe touches a few blocks of each page: no read-ahead */
		madvise((unsigned char *)ix->map + f->foff + f->data_at,
			(size_t)f->held_bytes, MADV_RANDOM);
#endif
		s0 = f->raw_set;
		f0 = f->raw_fpr;
	} else {
		/* measured while read: the statistics never touch the zero chunks */
		rc = cifile_read_all(f, (unsigned char *)ix->filter.bits, &s0, &f0, err);
		if (!rc && f->raw && (s0 != f->raw_set || f0 != f->raw_fpr))
			rc = cerr_set(err, CONTAM_E_CORRUPT, "'%s': the filter's stored "
				      "statistics do not match its chunks", f->path);
	}
	/* each chunked section onto the handle by its kind, in
	 * sec_kinds[] order (the minhash filter is read even for a mapped
	 * load: it is small, and stored compressed); CILOAD_NO_DF leaves
	 * the doc-freq sketch to a caller that streams it */
	for (size_t k = 0; k < NKINDS && !rc; k++) {
		const cisec *s = &f->sec[k];
		if (s->ops && !(no_df && s->type == CISEC_TYPE_DOC_FREQ))
			rc = s->ops->load(ix, f, s, how != CILOAD_SUMMARY, err);
	}
	if (rc) {
		contam_index_free(ix);
		return rc;
	}
	cindex_set_stats(ix, s0, f0);
	if (set)
		*set += s0;
	if (fpr_sum)
		*fpr_sum += f0;
	*out = ix;
	return CONTAM_OK;
}

int cindex_from_file(contam_index **out, cifile *f)
{
	cerr err;
	cerr_clear(&err);
	int rc = cindex_load_file(out, f, CILOAD_READ, NULL, NULL, &err);
	if (rc && !*out && (*out = calloc(1, sizeof(**out))))
		(*out)->err = err;
	return rc;
}

/* A path loaded as `how` says; on failure *out holds a handle whose
 * errmsg says why, or NULL when out of memory (the old loaders' rule). */
static int load_path(contam_index **out, const char *path, int how)
{
	cifile *f = NULL;
	cerr err;
	cerr_clear(&err);
	*out = NULL;
	int rc = cifile_open(&f, path, &err);
	if (!rc && how == CILOAD_MAP && f->raw) {
		/* mapped only when the filter is stored as it is: a compressed
		 * one is read (mapping it would only add its pages) */
		cifile_close(f);
		f = NULL;
		rc = cifile_open_map(&f, path, &err);
	}
	if (!rc)
		rc = cindex_load_file(out, f, how, NULL, NULL, &err);
	cifile_close(f);
	if (rc && (*out = calloc(1, sizeof(**out))))
		(*out)->err = err;
	return rc;
}

int contam_index_load(contam_index **out, const char *path, contam_error *err)
{
	return cindex_hand_over(out, load_path(out, path, CILOAD_READ), err);
}

int contam_index_load_summary(contam_index **out, const char *path, contam_error *err)
{
	return cindex_hand_over(out, load_path(out, path, CILOAD_SUMMARY), err);
}

int contam_index_load_mmap(contam_index **out, const char *path, contam_error *err)
{
	return cindex_hand_over(out, load_path(out, path, CILOAD_MAP), err);
}

int contam_index_load_memory(contam_index **out, const void *buf, size_t len,
			     contam_error *err)
{
	cifile *f = NULL;
	cerr e;
	cerr_clear(&e);
	*out = NULL;
	int rc = cifile_open_mem(&f, "<memory>", buf, len, &e);
	if (!rc)
		rc = cindex_load_file(out, f, CILOAD_READ, NULL, NULL, &e);
	cifile_close(f);
	cerr_export(&e, err);
	return rc;
}
