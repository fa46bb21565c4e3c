/*
 * index_file.c -- the index object's life cycle and its on-disk format.
 *
 * File layout, version 1.  All integers little-endian.
 *
 *   offset  size  field
 *   0       8     magic "CONTAMIX"
 *   8       4     format version (1)
 *   12      4     header size in bytes (HEADER_SIZE, section table included)
 *   16      4     n (words per n-gram)
 *   20      4     k (bits per key)
 *   24      8     nblocks (512-bit blocks)
 *   32      8     hash seed
 *   40      4     recipe version
 *   44      4     block size in bits (512)
 *   48      8     n-grams inserted (with repeats)
 *   56      4     number of sections (S <= MAX_SECTIONS)
 *   60      4     flags (0)
 *   64      32    recipe name, NUL padded
 *   96      32*S  section table: type u32, flags u32, offset u64,
 *                 length u64, reserved u64
 *   ...           sections, in table order
 *   end-16  8     XXH3-64 of the header, the manifest section and the
 *                 filter section's chunk table (see below)
 *   end-8   8     magic "CONTAMND"
 *
 * Section 1, manifest: one zstd frame holding
 *   u32 entries; per entry: u32 kind, u64 size, u64 bytes_text,
 *   u64 documents, u64 ngrams, u64 errors, u32 path length, path bytes;
 *   then u64 reserved (0).
 *
 * Section 2, n-gram Bloom filter:
 *   u64 chunk size (raw bytes, a multiple of 64), u64 chunk count C,
 *   C x { u64 offset from section start, u64 compressed length,
 *         u64 XXH3-64 of the raw chunk }, then the chunks.
 *   A compressed length of 0 marks an all-zero chunk (nothing stored), so
 *   sparse partial filters are small; each chunk is its own zstd frame so
 *   damage stays local and merging can stream chunk by chunk.
 *
 * Every chunk is covered by its own hash and the chunk table by the file
 * hash, so the trailer checks everything without re-reading the chunks.
 * Room is left for more sections (MinHash/LSH) with new type numbers.
 *
 * Saving writes to "<path>.tmp.<pid>", fsyncs, then renames.  Loading
 * treats the file as untrusted: every offset and length is checked before
 * use, and any mismatch is an error, never an answer.
 */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define MAGIC "CONTAMIX"
#define MAGIC_END "CONTAMND"
#define FORMAT_VERSION 1
#define MAX_SECTIONS 8
#define HEADER_FIXED 96
#define SECTION_ENTRY 32
#define NSECTIONS 2
#define HEADER_SIZE (HEADER_FIXED + SECTION_ENTRY * NSECTIONS)
#define SECTION_MANIFEST 1
#define SECTION_NGRAM_BLOOM 2
#define CHUNK_BYTES (1u << 20)
#define MANIFEST_MAX (256u << 20)

/* ---- the object -------------------------------------------------- */

int contam_index_new(contam_index **out, const contam_params *p)
{
	*out = NULL;
	contam_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return CONTAM_E_NOMEM;
	*out = ix;
	ix->format_version = FORMAT_VERSION;
	snprintf(ix->recipe, sizeof(ix->recipe), "%s", contam_recipe());
	if (!p || p->ngram == 0 || p->ngram > CONTAM_MAX_NGRAM || p->k == 0 ||
	    p->k > CBLOOM_K_MAX || p->nblocks == 0)
		return cerr_set(&ix->err, CONTAM_E_PARAM, "invalid filter parameters");
	ix->params = *p;
	ix->bits = cbloom_alloc(p->nblocks);
	if (!ix->bits)
		return cerr_set(&ix->err, CONTAM_E_NOMEM,
				"cannot allocate a %llu MiB filter",
				(unsigned long long)(cbloom_bytes(p) >> 20));
	return CONTAM_OK;
}

void contam_index_free(contam_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nmanifest; i++)
		free(ix->manifest[i].path);
	free(ix->manifest);
	cbloom_free(ix->bits, ix->params.nblocks);
	free(ix);
}

const char *contam_index_errmsg(const contam_index *ix)
{
	if (!ix)
		return "out of memory";
	return ix->err.msg[0] ? ix->err.msg : contam_strerror(ix->err.code);
}

int cindex_manifest_add(contam_index *ix, const contam_manifest_entry *e)
{
	contam_manifest_entry *m = realloc(ix->manifest,
		(ix->nmanifest + 1) * sizeof(*m));
	if (!m)
		return CONTAM_E_NOMEM;
	ix->manifest = m;
	m[ix->nmanifest] = *e;
	m[ix->nmanifest].path = cstrdup(e->path ? e->path : "");
	if (!m[ix->nmanifest].path)
		return CONTAM_E_NOMEM;
	ix->nmanifest++;
	return CONTAM_OK;
}

size_t contam_index_manifest_count(const contam_index *ix)
{
	return ix ? ix->nmanifest : 0;
}

const contam_manifest_entry *contam_index_manifest_get(const contam_index *ix,
						       size_t i)
{
	return (ix && i < ix->nmanifest) ? &ix->manifest[i] : NULL;
}

int contam_index_contains(const contam_index *ix, uint64_t hash)
{
	return cbloom_contains(ix->bits, &ix->params, hash);
}

int contam_index_stats_get(contam_index *ix, contam_index_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!ix->stats_valid) {
		uint64_t set = 0;
		double sum = 0;
		uint64_t nb = ix->params.nblocks;
		/* a query is a false positive when all its bits are set in
		 * the one block it lands in */
		#pragma omp parallel for reduction(+:set, sum) schedule(static)
		for (uint64_t b = 0; b < nb; b++) {
			const uint64_t *w = ix->bits + b * 8;
			for (int j = 0; j < 8; j++)
				set += (uint64_t)__builtin_popcountll(w[j]);
			sum += cbloom_block_fpr(w, ix->params.k);
		}
		ix->bits_set = set;
		ix->fpr_measured = nb ? sum / (double)nb : 0;
		ix->stats_valid = 1;
	}
	out->params = ix->params;
	out->recipe = ix->recipe;
	out->filter_bytes = cbloom_bytes(&ix->params);
	out->ngrams_inserted = ix->ngrams_inserted;
	for (size_t i = 0; i < ix->nmanifest; i++) {
		out->documents += ix->manifest[i].documents;
		out->errors += ix->manifest[i].errors;
	}
	out->bits_set = ix->bits_set;
	out->fill = (double)ix->bits_set /
		    ((double)ix->params.nblocks * CBLOOM_BLOCK_BITS);
	out->fpr = ix->fpr_measured;
	out->format_version = ix->format_version;
	return CONTAM_OK;
}

/* ---- writing ----------------------------------------------------- */

static int put_bytes(cbuf *b, const void *p, size_t n) { return cbuf_append(b, p, n); }
static int put_u32(cbuf *b, uint32_t v)
{
	unsigned char t[4];
	put_le32(t, v);
	return put_bytes(b, t, 4);
}
static int put_u64(cbuf *b, uint64_t v)
{
	unsigned char t[8];
	put_le64(t, v);
	return put_bytes(b, t, 8);
}

static int manifest_encode(const contam_index *ix, cbuf *raw)
{
	int rc = put_u32(raw, (uint32_t)ix->nmanifest);
	for (size_t i = 0; i < ix->nmanifest && !rc; i++) {
		const contam_manifest_entry *e = &ix->manifest[i];
		size_t plen = strlen(e->path);
		rc = put_u32(raw, (uint32_t)e->kind) | put_u64(raw, e->size) |
		     put_u64(raw, e->bytes_text) | put_u64(raw, e->documents) |
		     put_u64(raw, e->ngrams) | put_u64(raw, e->errors) |
		     put_u32(raw, (uint32_t)plen) | put_bytes(raw, e->path, plen);
	}
	/* reserved; 0.  (Timings are not stored: an index must be
	 * bit-identical however and wherever it was built.) */
	rc |= put_u64(raw, 0);
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

static int write_all(int fd, const void *p, size_t n, uint64_t off)
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

static int all_zero(const unsigned char *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	for (size_t i = 0; i < n / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

int contam_index_save(contam_index *ix, const char *path)
{
	int rc = CONTAM_OK, fd = -1;
	char *tmp = NULL;
	cbuf head = CBUF_INIT, raw = CBUF_INIT, table = CBUF_INIT;
	void *mcomp = NULL;
	unsigned char **cbufs = NULL;
	size_t *clens = NULL;
	const uint64_t filter_bytes = cbloom_bytes(&ix->params);
	const uint64_t nchunks = (filter_bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
	const size_t batch = 64;

	size_t tlen = strlen(path) + 32;
	tmp = malloc(tlen);
	if (!tmp) {
		rc = cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());

	/* manifest section */
	if ((rc = manifest_encode(ix, &raw)))
		goto out;
	size_t mbound = ZSTD_compressBound(raw.len);
	mcomp = malloc(mbound);
	if (!mcomp) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	size_t mlen = ZSTD_compress(mcomp, mbound, raw.data, raw.len, 3);
	if (ZSTD_isError(mlen)) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot compress manifest: %s",
			      ZSTD_getErrorName(mlen));
		goto out;
	}

	const uint64_t manifest_off = HEADER_SIZE;
	const uint64_t filter_off = manifest_off + mlen;
	const uint64_t table_len = 16 + nchunks * 24;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot create '%s': %s",
			      tmp, strerror(errno));
		goto out;
	}

	/* chunks, compressed in parallel batches, written in order */
	cbufs = calloc(batch, sizeof(*cbufs));
	clens = calloc(batch, sizeof(*clens));
	if (!cbufs || !clens) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	if (put_u64(&table, CHUNK_BYTES) || put_u64(&table, nchunks)) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	uint64_t data_off = table_len; /* relative to the section start */
	for (uint64_t c0 = 0; c0 < nchunks; c0 += batch) {
		size_t nb = (size_t)((nchunks - c0) < batch ? nchunks - c0 : batch);
		int fail = 0;
		uint64_t hashes[64];
		#pragma omp parallel for schedule(dynamic, 1) reduction(|:fail)
		for (size_t i = 0; i < nb; i++) {
			uint64_t c = c0 + i;
			const unsigned char *src = (const unsigned char *)ix->bits + c * CHUNK_BYTES;
			size_t n = (size_t)((filter_bytes - c * CHUNK_BYTES) < CHUNK_BYTES ?
					    filter_bytes - c * CHUNK_BYTES : CHUNK_BYTES);
			hashes[i] = XXH3_64bits(src, n);
			clens[i] = 0;
			if (all_zero(src, n))
				continue;
			size_t bound = ZSTD_compressBound(n);
			if (!cbufs[i])
				cbufs[i] = malloc(ZSTD_compressBound(CHUNK_BYTES));
			if (!cbufs[i]) {
				fail = 1;
				continue;
			}
			size_t r = ZSTD_compress(cbufs[i], bound, src, n, 1);
			if (ZSTD_isError(r))
				fail = 1;
			else
				clens[i] = r;
		}
		if (fail) {
			rc = cerr_set(&ix->err, CONTAM_E_NOMEM,
				      "cannot compress filter chunks");
			goto out;
		}
		for (size_t i = 0; i < nb; i++) {
			if (put_u64(&table, clens[i] ? data_off : 0) ||
			    put_u64(&table, clens[i]) || put_u64(&table, hashes[i])) {
				rc = CONTAM_E_NOMEM;
				goto out;
			}
			if (clens[i] && write_all(fd, cbufs[i], clens[i],
						  filter_off + data_off)) {
				rc = cerr_set(&ix->err, CONTAM_E_IO,
					      "cannot write '%s': %s", tmp,
					      strerror(errno));
				goto out;
			}
			data_off += clens[i];
		}
	}
	const uint64_t filter_len = data_off;

	/* header and section table */
	{
		unsigned char h[HEADER_SIZE];
		memset(h, 0, sizeof(h));
		memcpy(h, MAGIC, 8);
		put_le32(h + 8, FORMAT_VERSION);
		put_le32(h + 12, HEADER_SIZE);
		put_le32(h + 16, ix->params.ngram);
		put_le32(h + 20, ix->params.k);
		put_le64(h + 24, ix->params.nblocks);
		put_le64(h + 32, ix->params.seed);
		put_le32(h + 40, ix->params.recipe_version);
		put_le32(h + 44, CBLOOM_BLOCK_BITS);
		put_le64(h + 48, ix->ngrams_inserted);
		put_le32(h + 56, NSECTIONS);
		put_le32(h + 60, 0);
		snprintf((char *)h + 64, 32, "%s", CONTAM_RECIPE_NAME);
		unsigned char *s = h + HEADER_FIXED;
		put_le32(s, SECTION_MANIFEST);
		put_le64(s + 8, manifest_off);
		put_le64(s + 16, mlen);
		s += SECTION_ENTRY;
		put_le32(s, SECTION_NGRAM_BLOOM);
		put_le64(s + 8, filter_off);
		put_le64(s + 16, filter_len);
		if (put_bytes(&head, h, sizeof(h))) {
			rc = CONTAM_E_NOMEM;
			goto out;
		}
	}
	XXH3_state_t *st = XXH3_createState();
	if (!st) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, head.data, head.len);
	XXH3_64bits_update(st, mcomp, mlen);
	XXH3_64bits_update(st, table.data, table.len);
	uint64_t sum = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	unsigned char trailer[16];
	put_le64(trailer, sum);
	memcpy(trailer + 8, MAGIC_END, 8);

	if (write_all(fd, head.data, head.len, 0) ||
	    write_all(fd, mcomp, mlen, manifest_off) ||
	    write_all(fd, table.data, table.len, filter_off) ||
	    write_all(fd, trailer, 16, filter_off + filter_len) ||
	    fsync(fd) != 0) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot write '%s': %s",
			      tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot write '%s': %s",
			      tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot rename '%s' to '%s': %s",
			      tmp, path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	if (rc == CONTAM_E_NOMEM && !ix->err.msg[0])
		cerr_set(&ix->err, rc, "out of memory while saving '%s'", path);
	else if (rc)
		ix->err.code = rc;
	if (cbufs)
		for (size_t i = 0; i < batch; i++)
			free(cbufs[i]);
	free(cbufs);
	free(clens);
	free(mcomp);
	free(tmp);
	cbuf_release(&head);
	cbuf_release(&raw);
	cbuf_release(&table);
	return rc;
}

/* ---- reading ----------------------------------------------------- */

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

/* Bounds-checked cursor over the decompressed manifest. */
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

static int manifest_decode(contam_index *ix, const unsigned char *p, size_t n,
			   const char *path)
{
	cursor c = { p, n, 0 };
	uint32_t count = cur_u32(&c);
	if (count > n / 48)
		c.bad = 1;
	for (uint32_t i = 0; i < count && !c.bad; i++) {
		contam_manifest_entry e;
		memset(&e, 0, sizeof(e));
		e.kind = (contam_input_kind)cur_u32(&c);
		e.size = cur_u64(&c);
		e.bytes_text = cur_u64(&c);
		e.documents = cur_u64(&c);
		e.ngrams = cur_u64(&c);
		e.errors = cur_u64(&c);
		uint32_t plen = cur_u32(&c);
		if (c.bad || plen > c.left || e.kind > CONTAM_INPUT_TEXT) {
			c.bad = 1;
			break;
		}
		char *s = malloc(plen + 1);
		if (!s)
			return cerr_set(&ix->err, CONTAM_E_NOMEM, "out of memory");
		memcpy(s, c.p, plen);
		s[plen] = '\0';
		c.p += plen;
		c.left -= plen;
		e.path = s;
		int rc = cindex_manifest_add(ix, &e);
		free(s);
		if (rc)
			return cerr_set(&ix->err, rc, "out of memory");
	}
	(void)cur_u64(&c); /* reserved */
	if (c.bad)
		return cerr_set(&ix->err, CONTAM_E_CORRUPT,
				"'%s': manifest is damaged", path);
	return CONTAM_OK;
}

int contam_index_load(contam_index **out, const char *path)
{
	int rc = CONTAM_OK, fd = -1;
	unsigned char h[HEADER_FIXED + SECTION_ENTRY * MAX_SECTIONS];
	unsigned char *mcomp = NULL, *mraw = NULL, *table = NULL;
	XXH3_state_t *st = NULL;
	contam_index *ix = calloc(1, sizeof(*ix));
	*out = ix;
	if (!ix)
		return CONTAM_E_NOMEM;
	snprintf(ix->recipe, sizeof(ix->recipe), "%s", contam_recipe());

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot open '%s': %s",
			      path, strerror(errno));
		goto out;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot stat '%s': %s",
			      path, strerror(errno));
		goto out;
	}
	const uint64_t fsize = (uint64_t)sb.st_size;
	if (fsize < HEADER_FIXED + 16 || read_at(fd, h, HEADER_FIXED, 0) ||
	    memcmp(h, MAGIC, 8) != 0) {
		rc = cerr_set(&ix->err, CONTAM_E_FORMAT,
			      "'%s' is not a contam index (bad magic or too short)", path);
		goto out;
	}
	uint32_t version = get_le32(h + 8);
	if (version != FORMAT_VERSION) {
		rc = cerr_set(&ix->err, CONTAM_E_FORMAT,
			      "'%s': index format version %u is not supported (this contam reads %d)",
			      path, version, FORMAT_VERSION);
		goto out;
	}
	uint32_t hsize = get_le32(h + 12);
	uint32_t nsec = get_le32(h + 56);
	if (nsec == 0 || nsec > MAX_SECTIONS ||
	    hsize != HEADER_FIXED + SECTION_ENTRY * nsec || hsize + 16 > fsize ||
	    read_at(fd, h + HEADER_FIXED, hsize - HEADER_FIXED, HEADER_FIXED)) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT, "'%s': damaged header", path);
		goto out;
	}
	contam_params p;
	p.ngram = get_le32(h + 16);
	p.k = get_le32(h + 20);
	p.nblocks = get_le64(h + 24);
	p.seed = get_le64(h + 32);
	p.recipe_version = get_le32(h + 40);
	ix->ngrams_inserted = get_le64(h + 48);
	ix->format_version = version;
	char rname[33];
	memcpy(rname, h + 64, 32);
	rname[32] = '\0';
	if (p.ngram == 0 || p.ngram > CONTAM_MAX_NGRAM || p.k == 0 ||
	    p.k > CBLOOM_K_MAX || p.nblocks == 0 || p.nblocks > (1ULL << 40) ||
	    get_le32(h + 44) != CBLOOM_BLOCK_BITS) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': invalid filter parameters in header", path);
		goto out;
	}
	if (strcmp(rname, CONTAM_RECIPE_NAME) != 0 ||
	    p.recipe_version != CONTAM_RECIPE_VERSION) {
		rc = cerr_set(&ix->err, CONTAM_E_FORMAT,
			      "'%s' was built with recipe %s/v%u; this contam has %s",
			      path, rname, p.recipe_version, contam_recipe());
		goto out;
	}
	ix->params = p;

	/* sections */
	uint64_t moff = 0, mlen = 0, foff = 0, flen = 0;
	for (uint32_t i = 0; i < nsec; i++) {
		const unsigned char *s = h + HEADER_FIXED + SECTION_ENTRY * i;
		uint32_t type = get_le32(s);
		uint64_t off = get_le64(s + 8), len = get_le64(s + 16);
		if (off < hsize || off > fsize - 16 || len > fsize - 16 - off) {
			rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
				      "'%s': section %u lies outside the file (truncated?)",
				      path, i);
			goto out;
		}
		if (type == SECTION_MANIFEST) { moff = off; mlen = len; }
		else if (type == SECTION_NGRAM_BLOOM) { foff = off; flen = len; }
		/* unknown section types are skipped: room for later ones */
	}
	if (!moff || !foff || mlen > MANIFEST_MAX || flen < 16) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': missing or oversized section", path);
		goto out;
	}

	/* trailer + checksum over header, manifest, chunk table */
	unsigned char trailer[16], t16[16];
	if (read_at(fd, trailer, 16, fsize - 16) || memcmp(trailer + 8, MAGIC_END, 8)) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': no end marker: the file is truncated", path);
		goto out;
	}
	mcomp = malloc(mlen ? mlen : 1);
	if (!mcomp || read_at(fd, mcomp, mlen, moff) || read_at(fd, t16, 16, foff)) {
		rc = cerr_set(&ix->err, mcomp ? CONTAM_E_IO : CONTAM_E_NOMEM,
			      "cannot read '%s'", path);
		goto out;
	}
	uint64_t chunk_bytes = get_le64(t16), nchunks = get_le64(t16 + 8);
	const uint64_t filter_bytes = cbloom_bytes(&p);
	if (chunk_bytes == 0 || chunk_bytes % 64 || chunk_bytes > (1u << 30) ||
	    nchunks != (filter_bytes + chunk_bytes - 1) / chunk_bytes ||
	    nchunks > (flen - 16) / 24) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': damaged chunk table", path);
		goto out;
	}
	const uint64_t table_len = 16 + nchunks * 24;
	table = malloc(table_len);
	if (!table || read_at(fd, table, table_len, foff)) {
		rc = cerr_set(&ix->err, table ? CONTAM_E_IO : CONTAM_E_NOMEM,
			      "cannot read '%s'", path);
		goto out;
	}
	st = XXH3_createState();
	if (!st) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, h, hsize);
	XXH3_64bits_update(st, mcomp, mlen);
	XXH3_64bits_update(st, table, table_len);
	if (XXH3_64bits_digest(st) != get_le64(trailer)) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': checksum mismatch in header, manifest or chunk table", path);
		goto out;
	}

	/* manifest */
	unsigned long long mraw_len = ZSTD_getFrameContentSize(mcomp, mlen);
	if (mraw_len == ZSTD_CONTENTSIZE_ERROR || mraw_len == ZSTD_CONTENTSIZE_UNKNOWN ||
	    mraw_len > MANIFEST_MAX) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT, "'%s': damaged manifest", path);
		goto out;
	}
	mraw = malloc(mraw_len ? mraw_len : 1);
	if (!mraw) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	size_t got = ZSTD_decompress(mraw, mraw_len, mcomp, mlen);
	if (ZSTD_isError(got) || got != mraw_len) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT, "'%s': damaged manifest", path);
		goto out;
	}
	if ((rc = manifest_decode(ix, mraw, got, path)))
		goto out;

	/* filter chunks */
	ix->bits = cbloom_alloc(p.nblocks);
	if (!ix->bits) {
		rc = cerr_set(&ix->err, CONTAM_E_NOMEM,
			      "cannot allocate a %llu MiB filter for '%s'",
			      (unsigned long long)(filter_bytes >> 20), path);
		goto out;
	}
	int64_t bad_chunk = -1;
	int io_fail = 0;
	#pragma omp parallel
	{
		unsigned char *cbuf_local = NULL;
		size_t cap = 0;
		#pragma omp for schedule(dynamic, 4)
		for (uint64_t c = 0; c < nchunks; c++) {
			const unsigned char *e = table + 16 + c * 24;
			uint64_t off = get_le64(e), len = get_le64(e + 8);
			uint64_t want = get_le64(e + 16);
			unsigned char *dst = (unsigned char *)ix->bits + c * chunk_bytes;
			size_t n = (size_t)((filter_bytes - c * chunk_bytes) < chunk_bytes ?
					    filter_bytes - c * chunk_bytes : chunk_bytes);
			int bad = 0;
			if (len == 0) {
				/* all-zero chunk: already zeroed */
			} else if (off < table_len || off > flen || len > flen - off ||
				   len > ZSTD_compressBound(n)) {
				bad = 1;
			} else {
				if (cap < len) {
					free(cbuf_local);
					cap = (size_t)len;
					cbuf_local = malloc(cap);
				}
				if (!cbuf_local || read_at(fd, cbuf_local, (size_t)len, foff + off)) {
					#pragma omp atomic write
					io_fail = 1;
					cap = 0;
					continue;
				}
				size_t r = ZSTD_decompress(dst, n, cbuf_local, (size_t)len);
				if (ZSTD_isError(r) || r != n)
					bad = 1;
			}
			if (!bad && XXH3_64bits(dst, n) != want)
				bad = 1;
			if (bad) {
				#pragma omp critical(contam_bad_chunk)
				if (bad_chunk < 0 || (int64_t)c < bad_chunk)
					bad_chunk = (int64_t)c;
			}
		}
		free(cbuf_local);
	}
	if (io_fail) {
		rc = cerr_set(&ix->err, CONTAM_E_IO, "cannot read '%s': %s", path,
			      strerror(errno));
		goto out;
	}
	if (bad_chunk >= 0) {
		rc = cerr_set(&ix->err, CONTAM_E_CORRUPT,
			      "'%s': filter chunk %lld is damaged (checksum mismatch)",
			      path, (long long)bad_chunk);
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	XXH3_freeState(st);
	free(mcomp);
	free(mraw);
	free(table);
	if (rc) {
		ix->err.code = rc;
		if (!ix->err.msg[0])
			cerr_set(&ix->err, rc, "cannot load '%s': %s", path,
				 contam_strerror(rc));
	}
	return rc;
}
