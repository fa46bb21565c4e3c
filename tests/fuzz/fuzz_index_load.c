/*
 * fuzz_index_load.c -- libFuzzer target: loading an index file.
 *
 * The input is the file.  It is loaded as is (random bytes almost never
 * get past the header checks and the file checksum), then once more with
 * the trailer checksum recomputed over the mutated header, manifest and
 * chunk table (and the hashes the section table holds for the input
 * notes, the doc-freq sketch and the minhash band filter), so that
 * the fuzzer reaches the manifest and notes decoders, the
 * chunk table checks and the chunk decompression behind the checksum.
 * The recomputed copy is skipped when its header asks for a filter over
 * 64 MiB: a valid file may describe a large, empty (all chunks absent)
 * filter, and allocating it is correct, just not interesting here.
 * A loaded index must answer queries and give consistent statistics,
 * and the streamed summary load (info, verify) must agree with the load.
 * Both read the input from memory (contam_index_load_memory, and the
 * summary through the library's in-memory file), never a temporary file.
 */
#include "fuzz_util.h"

#include "contam.h"
#include "common/common.h"
#include "index/index_file.h"

#include <xxhash.h>

#define FILTER_LIMIT (64u << 20)

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void load(const uint8_t *data, size_t size)
{
	contam_index *ix = NULL;
	contam_error err;
	int rc = contam_index_load_memory(&ix, data, size, &err);
	if ((rc == CONTAM_OK) != (ix != NULL) || err.code != rc)
		abort(); /* a handle exactly on success */
	if (rc == CONTAM_OK) {
		contam_index_stats st;
		if (contam_index_stats_get(ix, &st) != CONTAM_OK)
			abort();
		if (st.fill < 0 || st.fill > 1 || st.bits_set > st.filter_bytes * 8)
			abort();
		for (uint64_t h = 1; h < 64; h++) {
			(void)contam_index_contains(ix, h * 0x9e3779b97f4a7c15ULL);
			/* An estimate, or -1 without a sketch */
			int64_t df = contam_index_doc_freq(ix, h * 0x9e3779b97f4a7c15ULL);
			if (df < -1 || df > 65535 || (df == -1 && st.has_doc_freq &&
						      st.part_count == 1))
				abort();
		}
		size_t n = contam_index_manifest_count(ix);
		for (size_t i = 0; i < n; i++) {
			const contam_manifest_entry *e = contam_index_manifest_get(ix, i);
			if (!e->path || e->nmessages > CONTAM_MANIFEST_MESSAGES)
				abort();
			for (uint32_t m = 0; m < e->nmessages; m++)
				if (!e->messages[m])
					abort();
		}
		for (size_t i = 0; i < contam_index_skip_count(ix); i++) {
			const contam_input_skip *k = contam_index_skip_get(ix, i);
			if (!k->dir || k->nnames > CONTAM_SKIP_NAMES ||
			    (unsigned)k->reason >= CONTAM_SKIP_REASONS)
				abort();
		}
	} else if (ix || err.code != rc || !err.msg[0]) {
		abort(); /* no handle on failure, and an error always says why */
	}
	/* the streamed summary (info, verify) accepts exactly what the
	 * load accepts, and measures the same bits */
	contam_index *sum = NULL;
	cifile *f = NULL;
	cerr e;
	cerr_clear(&e);
	int src = cifile_open_mem(&f, "<fuzz>", data, size, &e);
	if (src == CONTAM_OK)
		src = cindex_load_file(&sum, f, CILOAD_SUMMARY, NULL, NULL, &e);
	cifile_close(f);
	if ((src == CONTAM_OK) != (rc == CONTAM_OK) || (src && !e.msg[0]))
		abort();
	if (src == CONTAM_OK) {
		contam_index_stats a, b;
		contam_index_stats_get(ix, &a);
		contam_index_stats_get(sum, &b);
		if (a.bits_set != b.bits_set || a.filter_bytes != b.filter_bytes ||
		    contam_index_manifest_count(ix) != contam_index_manifest_count(sum) ||
		    a.has_doc_freq != b.has_doc_freq || a.doc_freq_pairs != b.doc_freq_pairs ||
		    a.doc_freq_saturated != b.doc_freq_saturated)
			abort();
	}
	contam_index_free(sum);
	contam_index_free(ix);
}

/* Recompute the trailer hash of a copy; 0 if the layout is too broken
 * to say where the hashed parts are, or the filter is too large. */
static int fix_checksum(uint8_t *d, size_t size)
{
	if (size < 128 + 16 || memcmp(d, "CONTAMIX", 8) != 0)
		return 0;
	uint64_t hsize = le(d + 12, 4), nsec = le(d + 56, 4);
	if (nsec == 0 || nsec > 8 || hsize != 128 + 32 * nsec || hsize + 16 > size)
		return 0;
	if (le(d + 24, 8) > FILTER_LIMIT / 64)
		return 0;
	uint64_t moff = 0, mlen = 0, foff = 0;
	for (uint64_t i = 0; i < nsec; i++) {
		const uint8_t *s = d + 128 + 32 * i;
		uint64_t off = le(s + 8, 8), len = le(s + 16, 8);
		if (off > size - 16 || len > size - 16 - off)
			return 0;
		if (le(s, 4) == 1) {
			moff = off;
			mlen = len;
		} else if (le(s, 4) == 2) {
			foff = off;
		} else if (le(s, 4) == 3) {
			/* the input notes: their hash lives in the table entry */
			put_le64(d + 128 + 32 * i + 24, XXH3_64bits(d + off, (size_t)len));
		} else if (le(s, 4) == 4 && len >= 64) {
			/* the doc-freq sketch: its header and chunk
			 * table's hash lives in the table entry */
			uint64_t n = le(d + off + 56, 8);
			if (n <= (len - 64) / 24)
				put_le64(d + 128 + 32 * i + 24,
					 XXH3_64bits(d + off, (size_t)(64 + n * 24)));
		} else if (le(s, 4) == 5 && len >= 144) {
			/* the minhash band filter: the same, over its 144-byte
			 * header and chunk table; a filter over the limit is
			 * skipped as the n-gram filter is */
			if (le(d + off + 64, 8) > FILTER_LIMIT / 64)
				return 0;
			uint64_t n = le(d + off + 136, 8);
			if (n <= (len - 144) / 24)
				put_le64(d + 128 + 32 * i + 24,
					 XXH3_64bits(d + off, (size_t)(144 + n * 24)));
		}
	}
	if (!moff || !foff || foff + 16 > size - 16)
		return 0;
	uint64_t nchunks = le(d + foff + 8, 8);
	if (nchunks > (size - 16 - foff - 16) / 24)
		return 0;
	uint64_t tlen = 16 + nchunks * 24;
	/* an uncompressed filter (header flag 2): its two statistics after
	 * the table are covered too */
	if ((le(d + 60, 4) & 2) && foff + tlen + 16 <= size - 16)
		tlen += 16;
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		abort();
	XXH3_64bits_reset(st);
	XXH3_64bits_update(st, d, (size_t)hsize);
	XXH3_64bits_update(st, d + moff, (size_t)mlen);
	XXH3_64bits_update(st, d + foff, (size_t)tlen);
	uint64_t h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	put_le64(d + size - 16, h);
	memcpy(d + size - 8, "CONTAMND", 8);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (fix_checksum(copy, size) && memcmp(copy, data, size) != 0)
		load(copy, size);
	free(copy);
	return 0;
}
