/*
 * stream.c -- decompressed byte streams: plain, gzip (multi-member),
 * zstd (multi-frame), bzip2 and xz (multi-stream, as pbzip2 and pixz
 * write them), codec sniffed from the first bytes; optionally UTF-16
 * transcoded to UTF-8 on the way out.
 *
 * Why it is hand-rolled over zlib/libzstd rather than gzread() or
 * libarchive's raw filters: corpora are large and sometimes damaged, and
 * one bad gzip member (Common Crawl writes one member per WARC record)
 * must cost one record, not the rest of the file.  So the stream decodes
 * one "unit" (gzip member, zstd frame, bzip2 or xz stream) at a time and
 * remembers where it started in the compressed file.  When a unit is
 * corrupt the damage is recorded with that offset and decoding restarts
 * at the next plausible unit header after the unit's start (1f 8b 08 for
 * gzip, 28 b5 2f fd for zstd, "BZh" and a block magic for bzip2, fd 37
 * 7a 58 5a 00 for xz), unless the stream is strict.  (bzip2 blocks are
 * not byte-aligned and xz blocks need their stream's header, so damage
 * inside a bzip2/xz stream costs the rest of that stream.)  A unit cut short by the end of the
 * file is damage too, and so are bytes after the last unit that are not
 * a unit header ("trailing garbage").
 *
 * How damage lines up with the bytes returned: one cstream_read() call
 * never returns bytes from both sides of a damaged region.  When damage
 * is met after some bytes were produced in a call, the call returns those
 * bytes and the damage is recorded at the start of the next call.  So a
 * caller that checks cstream_take_damage() after every read knows that
 * the damage lies just before the bytes of that read, which is what lets
 * record parsers drop exactly the record that was cut.
 *
 * The input buffer keeps the start of the current unit while the unit is
 * small (at most half the buffer), so that resynchronization can rescan
 * from just after it; for a bigger unit it rescans from the point where
 * the error was found.
 *
 * gzip members are inflated by isa-l when it is available (about 3x
 * zlib's speed on WET files here) and by zlib otherwise; both run the same
 * loop around them (unit_step), so damage is handled alike, and tests
 * compare their output and damage on every gzip test file.  isa-l only
 * gets a member whose whole header is in the input buffer (a valid
 * member may carry a 1 MiB file name, which isa-l calls corrupt); zlib
 * inflates the others, so what is read never depends on the fast path.
 *
 * Look-ahead without loss: cstream_peek() decodes the first bytes into
 * a side buffer that the following reads hand out first, so a caller can
 * sniff what the data is on a pipe or FIFO (which cannot be reopened)
 * and then read it all.  Damage met while peeking is held back and
 * reported with the peeked bytes, keeping the invariant above.
 *
 * A regular file is checked against its size at open: reaching the end
 * early is "file shrank while being read", an I/O error, not damage.
 */
#include "stream.h"
#include "sniff.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>

/* Memory an xz/lzma decoder may take.  The header says how big a
 * dictionary the data needs; xz -9 needs 65 MiB, and lzma_alone headers
 * can ask for 4 GiB, which a crafted 80-byte file would then allocate. */
#define CSTREAM_XZ_MEMLIMIT (512ULL << 20)
#include <zlib.h>
#include <zstd.h>
#ifdef CONTAM_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define CSTREAM_INBUF (256u * 1024u)
/* Bytes a unit header check looks at (bzip2: "BZh9" + 6-byte magic). */
#define UNIT_LOOK 10
/* A gzip header longer than this goes to zlib, not isa-l. */
#define ISAL_MAX_HEADER 4096
/* zstd frames may need windows up to 2 GiB (zstd --long=31). */
#define ZSTD_WINDOWLOG_READ 31
#define U16_IN (32u * 1024u)
/* Zeroed bytes kept after the buffered input: a decoder that reads a
 * word past the end of corrupt input sees zeros, not leftovers. */
#define IN_SLACK 16

struct cstream {
	FILE *f;
	int own;
	char *name;
	cstream_codec codec;
	int strict;
	int eof;          /* the file has no more bytes */
	int read_errno;   /* a read error kept until the bytes read before
			     it are handed out (0: none) */
	int done;         /* the decoded stream has ended */
	int failed;       /* a fatal error was returned; err is in fail */
	cerr fail;

	unsigned char *in;
	size_t in_cap, in_pos, in_len;
	uint64_t in_off;      /* file offset of in[0] */

	int in_unit;          /* inside a gzip member / zstd frame ... */
	uint64_t unit_start;  /* its compressed offset */
	uint64_t bytes_out;

	/* FIFOs: the descriptor, read with poll (fifo_read), and the flag
	 * that stops a wait; poll_fd is -1 for everything else. */
	int poll_fd;
	volatile int *stop;
	/* Regular files: size at open, bytes read from the file so far. */
	int size_known;
	uint64_t size_at_open, raw_total;

	z_stream z;
	int z_ready;
#ifdef CONTAM_HAVE_ISAL
	struct inflate_state *isal;  /* NULL: zlib inflates */
	int member_isal;             /* isa-l inflates the current member */
#endif
	ZSTD_DCtx *zd;
	bz_stream bz;
	int bz_ready;
	lzma_stream xz;
	int xz_ready;
	int xz_alone;         /* CSTREAM_XZ reading one .lzma (lzma_alone) */

	/* cstream_peek(): decoded bytes handed out before the codec's */
	unsigned char *peek;
	size_t peek_len, peek_pos;
	int peeked;
	int peek_damage;
	char peek_damage_msg[CERR_MSG_MAX];

	/* UTF-16 to UTF-8 (cstream_set_utf16): 0 off, 1 LE, 2 BE */
	int u16;
	int u16_first;                /* no code unit seen yet: drop a BOM */
	unsigned char *u16_in;        /* U16_IN + 4 bytes */
	size_t u16_carry;             /* undecoded bytes at u16_in[0] */
	unsigned char *u16_out;       /* 2 * U16_IN + 8 bytes */
	size_t u16_out_len, u16_out_pos;

	/* Damage met after bytes were produced: handled by the next call. */
	int pending;
	int pending_truncated;
	char pending_what[256];

	int damage_count;     /* since the last cstream_take_damage() */
	char damage_msg[CERR_MSG_MAX];
};

const char *cstream_inflater(const cfast *fast)
{
#ifdef CONTAM_HAVE_ISAL
	return cfast_or_default(fast)->isal ? "isa-l" : "zlib";
#else
	(void)fast;
	return "zlib";
#endif
}

static uint64_t cur_off(const cstream *s) { return s->in_off + s->in_pos; }

static const char *codec_unit(cstream_codec c)
{
	switch (c) {
	case CSTREAM_GZIP: return "gzip member";
	case CSTREAM_ZSTD: return "zstd frame";
	case CSTREAM_BZIP2: return "bzip2 stream";
	case CSTREAM_XZ: return "xz stream";
	default: return "data";
	}
}

const char *cstream_codec_name(cstream_codec c)
{
	switch (c) {
	case CSTREAM_GZIP: return "gzip";
	case CSTREAM_ZSTD: return "zstd";
	case CSTREAM_BZIP2: return "bzip2";
	case CSTREAM_XZ: return "xz";
	default: return "plain";
	}
}

/* A FIFO is read without blocking, polling for data every 0.2 s and
 * for the stop flag in between, so that a signal stops a read that waits
 * for a silent writer whichever thread the signal lands on.  Fills the
 * whole request unless the writer closes (fread's contract). */
static long fifo_read(cstream *s, unsigned char *buf, size_t n, cerr *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(s->poll_fd, buf + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			s->eof = 1;
			break;
		}
		if (errno != EAGAIN && errno != EINTR)
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					s->name, strerror(errno));
		if ((s->stop && *s->stop) || (errno == EINTR && !s->stop))
			return cerr_set(err, CONTAM_E_INTERRUPTED, "'%s': "
					"interrupted while waiting for data",
					s->name);
		struct pollfd pfd = { s->poll_fd, POLLIN, 0 };
		if (poll(&pfd, 1, 200) < 0 && errno == EINTR && !s->stop)
			return cerr_set(err, CONTAM_E_INTERRUPTED, "'%s': "
					"interrupted while waiting for data",
					s->name);
	}
	s->raw_total += got;
	return (long)got;
}

/* fread from the file; a short read is the end of the file, which for a
 * regular file must not come before the size it had at open. */
static long raw_read(cstream *s, void *buf, size_t n, cerr *err)
{
	if (s->poll_fd >= 0)
		return fifo_read(s, buf, n, err);
	if (s->read_errno)
		return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s", s->name,
				strerror(s->read_errno));
	size_t got = fread(buf, 1, n, s->f);
	s->raw_total += got;
	if (got < n) {
		/* the bytes before the error first (an archive member cut
		 * short: its readable part is read), the error next time */
		if (ferror(s->f) && got > 0) {
			s->read_errno = errno ? errno : EIO;
			return (long)got;
		}
		if (ferror(s->f))
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					s->name, strerror(errno));
		s->eof = 1;
		if (s->size_known && s->raw_total < s->size_at_open)
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': file "
					"shrank while being read (ended after %"
					PRIu64 " of the %" PRIu64 " bytes it had "
					"when opened)", s->name, s->raw_total,
					s->size_at_open);
	}
	return (long)got;
}

/* Read more of the file into the input buffer.  Returns the number of
 * bytes added, 0 at end of file, or CONTAM_E_IO. */
static long refill(cstream *s, cerr *err)
{
	size_t keep = s->in_pos;

	if (s->eof)
		return 0;
	if (s->in_unit && s->unit_start >= s->in_off &&
	    s->unit_start <= s->in_off + s->in_pos) {
		size_t us = (size_t)(s->unit_start - s->in_off);
		if (s->in_len - us <= s->in_cap / 2)
			keep = us;
	}
	if (keep > 0) {
		memmove(s->in, s->in + keep, s->in_len - keep);
		s->in_len -= keep;
		s->in_pos -= keep;
		s->in_off += keep;
	}
	if (s->in_len == s->in_cap) {
		/* Cannot happen: at most half the buffer is kept. */
		return cerr_set(err, CONTAM_E_IO, "'%s': input buffer full",
				s->name);
	}
	long got = raw_read(s, s->in + s->in_len, s->in_cap - s->in_len, err);
	if (got <= 0)
		return got;
	s->in_len += (size_t)got;
	memset(s->in + s->in_len, 0, IN_SLACK);
	return got;
}

/* Make at least `need` unread bytes available unless the file ends
 * first.  Returns CONTAM_OK or CONTAM_E_IO. */
static int want(cstream *s, size_t need, cerr *err)
{
	while (s->in_len - s->in_pos < need && !s->eof) {
		long rc = refill(s, err);
		if (rc < 0)
			return (int)rc;
	}
	return CONTAM_OK;
}

static int is_gzip_header(const unsigned char *p, size_t n)
{
	/* magic, deflate, reserved flag bits clear */
	return n >= 4 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 &&
	       (p[3] & 0xe0) == 0;
}

static int is_zstd_header(const unsigned char *p, size_t n)
{
	/* magic, then a frame header descriptor whose reserved bit is 0 */
	return n >= 5 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
	       p[3] == 0xfd && (p[4] & 0x08) == 0;
}

static int is_zstd_skippable(const unsigned char *p, size_t n)
{
	return n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a &&
	       p[2] == 0x4d && p[3] == 0x18;
}

/* "BZh", block size, then a block magic (pi) or end of stream (sqrt pi) */
static int is_bzip2_header(const unsigned char *p, size_t n)
{
	return n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' &&
	       p[3] <= '9' &&
	       (memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
		memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0);
}

static int is_xz_header(const unsigned char *p, size_t n)
{
	return n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0;
}

/* A unit header of the stream's codec at p[0..n)?  At the end of the
 * input (n < UNIT_LOOK) a cut header counts: it is then truncated. */
static int unit_header(const cstream *s, const unsigned char *p, size_t n,
		       int resyncing)
{
	int cut = !resyncing && n < UNIT_LOOK;
	switch (s->codec) {
	case CSTREAM_GZIP:
		return is_gzip_header(p, n) ||
		       (cut && n >= 2 && n < 4 && p[0] == 0x1f && p[1] == 0x8b);
	case CSTREAM_ZSTD:
		if (resyncing)
			return is_zstd_header(p, n);
		return is_zstd_header(p, n) || is_zstd_skippable(p, n) ||
		       (n == 4 && p[0] == 0x28 && p[1] == 0xb5);
	case CSTREAM_BZIP2:
		return is_bzip2_header(p, n) ||
		       (cut && n >= 3 && memcmp(p, "BZh", 3) == 0);
	case CSTREAM_XZ:
		if (s->xz_alone) /* one stream, at the start, no resync */
			return !resyncing && cur_off(s) == 0 && n > 0;
		return is_xz_header(p, n) ||
		       (cut && n >= 2 && p[0] == 0xfd && p[1] == '7');
	default:
		return 0;
	}
}

static unsigned char unit_first_byte(cstream_codec c)
{
	switch (c) {
	case CSTREAM_GZIP: return 0x1f;
	case CSTREAM_ZSTD: return 0x28;
	case CSTREAM_BZIP2: return 'B';
	default: return 0xfd;
	}
}

/* Record one damaged region.  Fatal (CONTAM_E_CORRUPT) when strict. */
static int note_damage(cstream *s, const char *what, cerr *err)
{
	if (s->damage_count == 0)
		snprintf(s->damage_msg, sizeof s->damage_msg, "%s", what);
	s->damage_count++;
	if (s->strict) {
		cerr_set(&s->fail, CONTAM_E_CORRUPT, "%s: %s", s->name, what);
		s->failed = 1;
		if (err)
			*err = s->fail;
		return CONTAM_E_CORRUPT;
	}
	return CONTAM_OK;
}

/* Scan forward from compressed offset `from` (or the current position if
 * `from` has left the buffer) for the next unit header. */
static int resync(cstream *s, uint64_t from, cerr *err)
{
	const size_t look = UNIT_LOOK;

	s->in_unit = 0;
	if (from >= s->in_off && from <= s->in_off + s->in_len)
		s->in_pos = (size_t)(from - s->in_off);
	for (;;) {
		int rc = want(s, look, err);
		if (rc < 0)
			return rc;
		size_t avail = s->in_len - s->in_pos;
		if (avail < look) {
			/* Too short to hold a header: the stream ends here. */
			s->in_pos = s->in_len;
			return CONTAM_OK;
		}
		const unsigned char *p = s->in + s->in_pos;
		const unsigned char *end = s->in + s->in_len - look + 1;
		unsigned char first = unit_first_byte(s->codec);
		while (p < end) {
			const unsigned char *q = memchr(p, first, (size_t)(end - p));
			if (!q)
				break;
			if (unit_header(s, q, look, 1)) {
				s->in_pos = (size_t)(q - s->in);
				return CONTAM_OK;
			}
			p = q + 1;
		}
		s->in_pos = s->in_len - look + 1;
		if (s->eof) {
			s->in_pos = s->in_len;
			return CONTAM_OK;
		}
		long got = refill(s, err);
		if (got < 0)
			return (int)got;
	}
}

/* Handle damage in the current unit: record it, then skip to the next
 * unit header (corruption) or to the end (truncation). */
static int unit_damage(cstream *s, int truncated, const char *what, cerr *err)
{
	uint64_t start = s->unit_start;
	int rc = note_damage(s, what, err);
	if (rc < 0)
		return rc;
	if (truncated) {
		s->in_unit = 0;
		s->in_pos = s->in_len;
		return CONTAM_OK;
	}
	return resync(s, start + 1, err);
}

/* Damage found while decoding: deferred to the next call if this call
 * already produced bytes (see the file comment). */
static int defer_or_damage(cstream *s, size_t produced, int truncated,
			   const char *what, cerr *err)
{
	if (produced > 0) {
		s->pending = 1;
		s->pending_truncated = truncated;
		snprintf(s->pending_what, sizeof s->pending_what, "%s", what);
		return CONTAM_OK;
	}
	return unit_damage(s, truncated, what, err);
}

/* At a unit boundary: is there another unit, the clean end, or garbage?
 * Returns 1 when a unit starts at the current position, 0 at the end or
 * when garbage was found after `produced` > 0 bytes (it is handled by the
 * next call), or < 0 on a fatal error. */
static int unit_begin(cstream *s, size_t produced, cerr *err)
{
	for (;;) {
		int rc = want(s, UNIT_LOOK, err);
		if (rc < 0)
			return rc;
		if (s->codec == CSTREAM_XZ) {
			/* stream padding: NUL bytes between and after streams */
			while (s->in_pos < s->in_len && s->in[s->in_pos] == 0)
				s->in_pos++;
			if (s->in_pos == s->in_len && !s->eof)
				continue;
			if ((rc = want(s, UNIT_LOOK, err)) < 0)
				return rc;
		}
		size_t avail = s->in_len - s->in_pos;
		const unsigned char *p = s->in + s->in_pos;
		if (avail == 0) {
			s->done = 1;
			return 0;
		}
		if (unit_header(s, p, avail, 0)) {
			s->in_unit = 1;
			s->unit_start = cur_off(s);
			return 1;
		}
		if (produced > 0)
			return 0;
		char what[256];
		uint64_t at = cur_off(s);
		snprintf(what, sizeof what,
			 "trailing garbage after %s data at compressed offset %"
			 PRIu64, cstream_codec_name(s->codec), at);
		rc = note_damage(s, what, err);
		if (rc < 0)
			return rc;
		rc = resync(s, at + 1, err);
		if (rc < 0)
			return rc;
	}
}

static long read_plain(cstream *s, unsigned char *out, size_t n, cerr *err)
{
	size_t produced = 0;

	if (s->in_pos < s->in_len) {
		size_t k = s->in_len - s->in_pos;
		if (k > n)
			k = n;
		memcpy(out, s->in + s->in_pos, k);
		s->in_pos += k;
		produced = k;
	}
	if (s->in_pos == s->in_len) {
		s->in_off += s->in_len;
		s->in_pos = s->in_len = 0;
	}
	if (produced < n && !s->eof) {
		long got = raw_read(s, out + produced, n - produced, err);
		if (got < 0 && produced)
			return (long)produced; /* the error again next time */
		if (got < 0)
			return got;
		s->in_off += (uint64_t)got;
		produced += (size_t)got;
	}
	if (produced == 0)
		s->done = 1;
	return (long)produced;
}

/* One step of decoding the current unit (gzip member, bzip2 or xz
 * stream): consume from the input buffer, produce into out[0..room),
 * room <= UINT32_MAX.  Sets *used and *made; returns STEP_MORE (no
 * error, unit not done), STEP_END (unit ended, trailer checked; *used
 * stops right after it), STEP_NOMEM or STEP_BAD (with a reason in
 * *why). */
enum { STEP_MORE, STEP_END, STEP_NOMEM, STEP_BAD };

#ifdef CONTAM_HAVE_ISAL
/* Length of the gzip header at p[0..n) (RFC 1952: fixed 10 bytes, then
 * the optional extra field, name, comment and header CRC), or 0 when it
 * does not end within n bytes. */
static size_t gzip_header_len(const unsigned char *p, size_t n)
{
	size_t len = 10;
	if (n < len)
		return 0;
	unsigned flg = p[3];
	if (flg & 4) {
		if (n < len + 2)
			return 0;
		len += 2 + (size_t)(p[len] | (p[len + 1] << 8));
	}
	for (unsigned bit = 8; bit <= 16; bit <<= 1) {
		if (!(flg & bit))
			continue;
		if (len >= n)
			return 0;
		const unsigned char *z = memchr(p + len, 0, n - len);
		if (!z)
			return 0;
		len = (size_t)(z - p) + 1;
	}
	if (flg & 2)
		len += 2;
	return len <= n ? len : 0;
}
#endif

/* Get the decoder ready for the unit that starts at the current
 * position. */
static int unit_reset(cstream *s, cerr *err)
{
	switch (s->codec) {
	case CSTREAM_GZIP:
#ifdef CONTAM_HAVE_ISAL
		s->member_isal = 0;
		if (s->isal) {
			int rc = want(s, ISAL_MAX_HEADER, err);
			if (rc < 0)
				return rc;
			if (gzip_header_len(s->in + s->in_pos,
					    s->in_len - s->in_pos) > 0) {
				isal_inflate_reset(s->isal);
				s->isal->crc_flag = ISAL_GZIP;
				s->member_isal = 1;
				return CONTAM_OK;
			}
		}
#endif
		if (inflateReset(&s->z) != Z_OK)
			return cerr_set(err, CONTAM_E_NOMEM, "inflate reset failed");
		return CONTAM_OK;
	case CSTREAM_BZIP2:
		if (s->bz_ready)
			BZ2_bzDecompressEnd(&s->bz);
		memset(&s->bz, 0, sizeof s->bz);
		s->bz_ready = BZ2_bzDecompressInit(&s->bz, 0, 0) == BZ_OK;
		if (!s->bz_ready)
			return cerr_set(err, CONTAM_E_NOMEM, "cannot start bzip2");
		return CONTAM_OK;
	case CSTREAM_XZ:
		if ((s->xz_alone ? lzma_alone_decoder(&s->xz, CSTREAM_XZ_MEMLIMIT)
				 : lzma_stream_decoder(&s->xz, CSTREAM_XZ_MEMLIMIT, 0)) !=
		    LZMA_OK)
			return cerr_set(err, CONTAM_E_NOMEM, "cannot start xz");
		s->xz_ready = 1;
		return CONTAM_OK;
	default:
		return CONTAM_OK;
	}
}

#ifdef CONTAM_HAVE_ISAL
static const char *isal_reason(int r)
{
	switch (r) {
	case ISAL_INVALID_BLOCK: return "invalid deflate block";
	case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER: return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
	default: return "invalid data";
	}
}
#endif

static const char *bzip2_reason(int r)
{
	switch (r) {
	case BZ_DATA_ERROR: return "data integrity (CRC) error";
	case BZ_DATA_ERROR_MAGIC: return "bad stream magic";
	default: return "invalid data";
	}
}

static const char *xz_reason(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR: return "not in xz format";
	case LZMA_OPTIONS_ERROR: return "unsupported compression options";
	case LZMA_DATA_ERROR: return "compressed data is corrupt";
	case LZMA_MEMLIMIT_ERROR: return "its dictionary needs more than the "
					 "512 MiB contam allows an xz/lzma decoder";
	default: return "invalid data";
	}
}

static int unit_step(cstream *s, unsigned char *out, size_t room,
		     size_t *used, size_t *made, const char **why)
{
	unsigned char *in = s->in + s->in_pos;
	size_t avail = s->in_len - s->in_pos;
	if (s->codec == CSTREAM_BZIP2) {
		s->bz.next_in = (char *)in;
		s->bz.avail_in = (unsigned)avail;
		s->bz.next_out = (char *)out;
		s->bz.avail_out = (unsigned)room;
		int r = BZ2_bzDecompress(&s->bz);
		*used = avail - s->bz.avail_in;
		*made = room - s->bz.avail_out;
		if (r == BZ_STREAM_END)
			return STEP_END;
		if (r == BZ_OK)
			return STEP_MORE;
		if (r == BZ_MEM_ERROR)
			return STEP_NOMEM;
		*why = bzip2_reason(r);
		return STEP_BAD;
	}
	if (s->codec == CSTREAM_XZ) {
		s->xz.next_in = in;
		s->xz.avail_in = avail;
		s->xz.next_out = out;
		s->xz.avail_out = room;
		lzma_ret r = lzma_code(&s->xz, LZMA_RUN);
		*used = avail - s->xz.avail_in;
		*made = room - s->xz.avail_out;
		if (r == LZMA_STREAM_END)
			return STEP_END;
		if (r == LZMA_OK || r == LZMA_BUF_ERROR)
			return STEP_MORE;
		if (r == LZMA_MEM_ERROR)
			return STEP_NOMEM;
		*why = xz_reason(r);
		return STEP_BAD;
	}
#ifdef CONTAM_HAVE_ISAL
	if (s->member_isal) {
		struct inflate_state *st = s->isal;
		st->next_in = in;
		st->avail_in = (uint32_t)avail;
		st->next_out = out;
		st->avail_out = (uint32_t)room;
		int r = isal_inflate(st);
		*used = (size_t)(st->next_in - in);
		*made = room - st->avail_out;
		if (r < 0 || r == ISAL_NEED_DICT) {
			*why = isal_reason(r);
			return STEP_BAD;
		}
		/* At the end of a member isa-l has handed back the bytes its
		 * bit buffer read past the trailer (next_in stops right
		 * after it): the agreement test reads members back to back. */
		if (st->block_state == ISAL_BLOCK_FINISH)
			return STEP_END;
		return STEP_MORE;
	}
#endif
	s->z.next_in = in;
	s->z.avail_in = (uInt)avail;
	s->z.next_out = out;
	s->z.avail_out = (uInt)room;
	int zr = inflate(&s->z, Z_NO_FLUSH);
	*used = (size_t)(s->z.next_in - in);
	*made = room - s->z.avail_out;
	if (zr == Z_STREAM_END)
		return STEP_END;
	if (zr == Z_MEM_ERROR)
		return STEP_NOMEM;
	if (zr == Z_OK || zr == Z_BUF_ERROR)
		return STEP_MORE;
	*why = s->z.msg ? s->z.msg : "invalid data";
	return STEP_BAD;
}

/* gzip, bzip2 and xz: one unit after the other, through unit_step. */
static long read_units(cstream *s, unsigned char *out, size_t n, cerr *err)
{
	size_t produced = 0;
	char what[512];

	while (produced < n && !s->pending) {
		if (!s->in_unit) {
			int rc = unit_begin(s, produced, err);
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
			if ((rc = unit_reset(s, err)) < 0)
				return rc;
		}
		if (s->in_pos == s->in_len) {
			long got = refill(s, err);
			if (got < 0)
				return got;
		}
		size_t used = 0, made = 0, room = n - produced;
		if (room > UINT32_MAX)
			room = UINT32_MAX;
		const char *why = "invalid data";
		int st = unit_step(s, out + produced, room, &used, &made, &why);
		s->in_pos += used;
		produced += made;
		if (st == STEP_END) {
			s->in_unit = 0;
			continue;
		}
		if (st == STEP_NOMEM)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory "
					"decompressing '%s'", s->name);
		if (st == STEP_MORE) {
			if (made == room)
				break; /* output full; pending output stays in the decoder */
			if (s->in_pos < s->in_len && (used > 0 || made > 0))
				continue;
			if (s->in_pos == s->in_len && !s->eof)
				continue; /* refill at the top of the loop */
			if (s->in_pos == s->in_len) {
				snprintf(what, sizeof what, "truncated %s: the "
					 "file ends at compressed byte %" PRIu64
					 ", inside the %s that starts at "
					 "compressed offset %" PRIu64 " (the file "
					 "was cut: what followed is lost, how much "
					 "is unknown)",
					 codec_unit(s->codec), cur_off(s),
					 codec_unit(s->codec), s->unit_start);
				int rc = defer_or_damage(s, produced, 1, what, err);
				if (rc < 0)
					return rc;
				continue;
			}
			/* No progress with input left: cannot happen, but
			 * treat it as damage rather than loop. */
		}
		snprintf(what, sizeof what,
			 "corrupt %s at compressed offset %" PRIu64 ": %s",
			 codec_unit(s->codec), s->unit_start, why);
		int rc = defer_or_damage(s, produced, 0, what, err);
		if (rc < 0)
			return rc;
	}
	return (long)produced;
}

static long read_zstd(cstream *s, unsigned char *out, size_t n, cerr *err)
{
	size_t produced = 0;
	char what[512];

	while (produced < n && !s->pending) {
		if (!s->in_unit) {
			int rc = unit_begin(s, produced, err);
			if (rc < 0)
				return rc;
			if (rc == 0)
				break;
			ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
		}
		if (s->in_pos == s->in_len) {
			long got = refill(s, err);
			if (got < 0)
				return got;
		}
		ZSTD_inBuffer ib = { s->in + s->in_pos, s->in_len - s->in_pos, 0 };
		ZSTD_outBuffer ob = { out + produced, n - produced, 0 };
		size_t zr = ZSTD_decompressStream(s->zd, &ob, &ib);
		s->in_pos += ib.pos;
		produced += ob.pos;
		if (ZSTD_isError(zr)) {
			snprintf(what, sizeof what,
				 "corrupt zstd frame at compressed offset %" PRIu64
				 ": %s",
				 s->unit_start, ZSTD_getErrorName(zr));
			int rc = defer_or_damage(s, produced, 0, what, err);
			if (rc < 0)
				return rc;
			if (!s->pending)
				ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
			continue;
		}
		if (zr == 0) {
			s->in_unit = 0;
			continue;
		}
		if (ob.pos == ob.size)
			break; /* output full */
		if (ib.pos < ib.size)
			continue;
		if (!s->eof)
			continue;
		snprintf(what, sizeof what,
			 "truncated zstd frame: the file ends at compressed "
			 "byte %" PRIu64 ", inside the frame that starts at "
			 "compressed offset %" PRIu64 " (the file was cut: what "
			 "followed is lost, how much is unknown)", cur_off(s),
			 s->unit_start);
		int rc = defer_or_damage(s, produced, 1, what, err);
		if (rc < 0)
			return rc;
	}
	return (long)produced;
}

/* The decoded bytes: the peeked ones first, then the codec's. */
static long read_decoded(cstream *s, unsigned char *buf, size_t n, cerr *err)
{
	if (s->peek_damage) {
		/* held back by cstream_peek: it lies before the peeked bytes
		 * (or before the end, if there were none) */
		if (s->damage_count == 0)
			snprintf(s->damage_msg, sizeof s->damage_msg, "%s",
				 s->peek_damage_msg);
		s->damage_count += s->peek_damage;
		s->peek_damage = 0;
	}
	if (s->peek_pos < s->peek_len) {
		size_t k = s->peek_len - s->peek_pos;
		if (k > n)
			k = n;
		memcpy(buf, s->peek + s->peek_pos, k);
		s->peek_pos += k;
		return (long)k;
	}
	if (s->pending) {
		s->pending = 0;
		if (s->codec == CSTREAM_ZSTD)
			ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
		int rc = unit_damage(s, s->pending_truncated, s->pending_what, err);
		if (rc < 0)
			return rc;
	}
	if (s->done)
		return 0;
	switch (s->codec) {
	case CSTREAM_GZIP:
	case CSTREAM_BZIP2:
	case CSTREAM_XZ:
		return read_units(s, buf, n, err);
	case CSTREAM_ZSTD:
		return read_zstd(s, buf, n, err);
	default:
		return read_plain(s, buf, n, err);
	}
}

static size_t put_utf8(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xc0 | (c >> 6));
		o[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (c >> 12));
		o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (c >> 18));
	o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* UTF-16 to UTF-8.  Each refill of u16_out comes from one read of the
 * decoded bytes, so damage still lies just before the bytes of the read
 * that reports it; bytes carried over from before damage are dropped.
 * Unpaired surrogates and an odd last byte become U+FFFD. */
static long read_utf16(cstream *s, unsigned char *buf, size_t n, cerr *err)
{
	while (s->u16_out_pos == s->u16_out_len) {
		int before = s->damage_count;
		long got = read_decoded(s, s->u16_in + s->u16_carry, U16_IN, err);
		if (got < 0)
			return got;
		if (s->damage_count != before && s->u16_carry) {
			memmove(s->u16_in, s->u16_in + s->u16_carry, (size_t)got);
			s->u16_carry = 0;
		}
		size_t len = s->u16_carry + (size_t)got, i = 0, o = 0;
		int be = s->u16 == 2, end = got == 0;
		const unsigned char *p = s->u16_in;
		if (end && len == 0)
			return 0;
		while (i + 2 <= len) {
			uint32_t u = be ? (uint32_t)(p[i] << 8 | p[i + 1])
					: (uint32_t)(p[i] | p[i + 1] << 8);
			size_t step = 2;
			if (u >= 0xd800 && u < 0xdc00) {
				if (i + 4 > len && !end)
					break; /* the low half is still to come */
				uint32_t v = i + 4 <= len
					? (be ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
					      : (uint32_t)(p[i + 2] | p[i + 3] << 8))
					: 0;
				if (v >= 0xdc00 && v < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
					step = 4;
				} else {
					u = 0xfffd;
				}
			} else if (u >= 0xdc00 && u < 0xe000) {
				u = 0xfffd;
			}
			if (!(s->u16_first && u == 0xfeff))
				o += put_utf8(s->u16_out + o, u);
			s->u16_first = 0;
			i += step;
		}
		if (end && i < len) {
			o += put_utf8(s->u16_out + o, 0xfffd); /* odd last byte */
			i = len;
		}
		s->u16_carry = len - i;
		memmove(s->u16_in, s->u16_in + i, s->u16_carry);
		s->u16_out_len = o;
		s->u16_out_pos = 0;
	}
	size_t k = s->u16_out_len - s->u16_out_pos;
	if (k > n)
		k = n;
	memcpy(buf, s->u16_out + s->u16_out_pos, k);
	s->u16_out_pos += k;
	return (long)k;
}

long cstream_read(cstream *s, void *buf, size_t n, cerr *err)
{
	cerr scratch;
	if (!err)
		err = &scratch;
	if (s->failed) {
		*err = s->fail;
		return s->fail.code;
	}
	if (n == 0)
		return 0;
	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	long got = s->u16 ? read_utf16(s, buf, n, err)
			  : read_decoded(s, buf, n, err);
	if (got < 0) {
		if (!s->failed) {
			s->fail = *err;
			s->failed = 1;
		}
		return got;
	}
	s->bytes_out += (uint64_t)got;
	return got;
}

int cstream_peek(cstream *s, size_t n, const unsigned char **p, size_t *len,
		 cerr *err)
{
	cerr scratch;
	if (!err)
		err = &scratch;
	if (s->failed) {
		*err = s->fail;
		return s->fail.code;
	}
	if (!s->peeked) {
		if (s->bytes_out > 0 || s->u16)
			return cerr_set(err, CONTAM_E_PARAM, "'%s': peek after "
					"reading", s->name);
		s->peek = malloc(n ? n : 1);
		if (!s->peek)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		s->peeked = 1;
		long got = n ? read_decoded(s, s->peek, n, err) : 0;
		if (got < 0) {
			s->fail = *err;
			s->failed = 1;
			return (int)got;
		}
		s->peek_len = (size_t)got;
		s->peek_pos = 0;
		/* damage before the peeked bytes: reported with them */
		s->peek_damage = s->damage_count;
		snprintf(s->peek_damage_msg, sizeof s->peek_damage_msg, "%s",
			 s->damage_msg);
		s->damage_count = 0;
		s->damage_msg[0] = '\0';
	}
	*p = s->peek + s->peek_pos;
	*len = s->peek_len - s->peek_pos;
	return CONTAM_OK;
}

int cstream_raw_head(const cstream *s, const unsigned char **p, size_t *len)
{
	if (s->in_off != 0)
		return 0;
	*p = s->in;
	*len = s->in_len;
	return 1;
}

int cstream_restart_raw(cstream *s, cerr *err)
{
	if (s->in_off != 0 || s->bytes_out != 0 || s->failed)
		return cerr_set(err, CONTAM_E_PARAM, "'%s': the start of the "
				"file is no longer buffered", s->name);
	s->codec = CSTREAM_PLAIN;
	s->in_pos = 0;
	s->in_unit = 0;
	s->done = 0;
	s->pending = 0;
	s->peek_len = s->peek_pos = 0;
	s->peek_damage = 0;
	s->damage_count = 0;
	s->damage_msg[0] = '\0';
	s->u16 = 0;
	return CONTAM_OK;
}

int cstream_set_utf16(cstream *s, int big_endian, cerr *err)
{
	if (!s->u16_in)
		s->u16_in = malloc(U16_IN + 4);
	if (!s->u16_out)
		s->u16_out = malloc(U16_IN * 2 + 8);
	if (!s->u16_in || !s->u16_out)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	s->u16 = big_endian ? 2 : 1;
	s->u16_first = 1;
	s->u16_carry = 0;
	s->u16_out_len = s->u16_out_pos = 0;
	return CONTAM_OK;
}

void cstream_set_strict(cstream *s, int strict) { s->strict = strict; }

int cstream_take_damage(cstream *s, char *msg, size_t msglen)
{
	int n = s->damage_count;
	if (n > 0 && msg && msglen > 0)
		snprintf(msg, msglen, "%s", s->damage_msg);
	s->damage_count = 0;
	s->damage_msg[0] = '\0';
	return n;
}

uint64_t cstream_bytes_in(const cstream *s) { return cur_off(s); }
uint64_t cstream_bytes_out(const cstream *s) { return s->bytes_out; }
cstream_codec cstream_get_codec(const cstream *s) { return s->codec; }

void cstream_free(cstream *s)
{
	if (!s)
		return;
	if (s->z_ready)
		inflateEnd(&s->z);
#ifdef CONTAM_HAVE_ISAL
	free(s->isal);
#endif
	ZSTD_freeDCtx(s->zd);
	if (s->bz_ready)
		BZ2_bzDecompressEnd(&s->bz);
	if (s->xz_ready)
		lzma_end(&s->xz);
	if (s->own && s->f)
		fclose(s->f);
	free(s->peek);
	free(s->u16_in);
	free(s->u16_out);
	free(s->in);
	free(s->name);
	free(s);
}

static int open_file_ex(cstream **out, FILE *f, const char *name, int own,
			const cfast *fast, int poll_fd, volatile int *stop,
			cerr *err)
{
	cstream *s = NULL;
	int rc = CONTAM_OK;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (!s) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	s->poll_fd = poll_fd;
	s->stop = stop;
	s->f = f;
	s->own = own;
	own = 0; /* from here on, cstream_free() closes it */
	s->name = cstrdup(name ? name : "(stream)");
	s->in_cap = CSTREAM_INBUF;
	s->in = malloc(s->in_cap + IN_SLACK);
	if (!s->name || !s->in) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	struct stat st;
	int fd = fileno(f);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftell(f) == 0) {
		s->size_known = 1;
		s->size_at_open = (uint64_t)st.st_size;
	}
	long got = refill(s, err);
	if (got < 0) {
		rc = (int)got;
		goto out;
	}
	rc = want(s, UNIT_LOOK, err);
	if (rc < 0)
		goto out;
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->codec = CSTREAM_GZIP;
		/* 16 + 15: gzip wrapper only, largest window */
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "cannot start zlib");
			goto out;
		}
		s->z_ready = 1;
#ifdef CONTAM_HAVE_ISAL
		if (cfast_or_default(fast)->isal) {
			/* zeroed: on corrupt data isa-l can copy from history it
			 * never wrote, which must not be leftovers of anything */
			s->isal = calloc(1, sizeof *s->isal);
			if (!s->isal) {
				rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			isal_inflate_init(s->isal);
		}
#endif
	} else if ((s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 &&
		    s->in[2] == 0x2f && s->in[3] == 0xfd) ||
		   is_zstd_skippable(s->in, s->in_len)) {
		s->codec = CSTREAM_ZSTD;
		s->zd = ZSTD_createDCtx();
		if (!s->zd) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "cannot start zstd");
			goto out;
		}
		/* frames written with --long (up to 2 GiB windows) are valid */
		ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax,
				       ZSTD_WINDOWLOG_READ);
	} else if (s->in_len >= UNIT_LOOK
		   ? is_bzip2_header(s->in, s->in_len)
		   : (s->in_len >= 4 && memcmp(s->in, "BZh", 3) == 0 &&
		      s->in[3] >= '1' && s->in[3] <= '9')) {
		s->codec = CSTREAM_BZIP2;
	} else if (is_xz_header(s->in, s->in_len) ||
		   csniff_lzma_alone((const unsigned char *)s->in, s->in_len)) {
		s->codec = CSTREAM_XZ;
		s->xz_alone = !is_xz_header(s->in, s->in_len);
		lzma_stream init = LZMA_STREAM_INIT;
		s->xz = init;
	} else {
		s->codec = CSTREAM_PLAIN;
	}
	*out = s;
	s = NULL;
out:
	if (own && f)
		fclose(f);
	cstream_free(s);
	return rc;
}

int cstream_open_file(cstream **out, FILE *f, const char *name, int own,
		      const cfast *fast, cerr *err)
{
	return open_file_ex(out, f, name, own, fast, -1, NULL, err);
}

/* A FIFO: wait for its writer without blocking in open(), so that a
 * stop request (a signal, handled on whichever thread) is seen within
 * 0.2 s; then it is read through fifo_read. */
static FILE *open_fifo(const char *path, volatile int *stop, cerr *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s", path,
			 strerror(errno));
		return NULL;
	}
	for (;;) {
		if (stop && *stop) {
			close(fd);
			cerr_set(err, CONTAM_E_INTERRUPTED, "'%s': interrupted "
				 "while waiting for a writer", path);
			return NULL;
		}
		struct pollfd pfd = { fd, POLLIN, 0 };
		int n = poll(&pfd, 1, 200);
		if (n > 0)
			break; /* data, or a writer came and went */
		if (n < 0 && errno == EINTR && !stop) {
			/* a handled signal, and no flag to ask: stop */
			close(fd);
			cerr_set(err, CONTAM_E_INTERRUPTED, "'%s': interrupted "
				 "while waiting for a writer", path);
			return NULL;
		}
		if (n < 0 && errno != EINTR) {
			cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s", path,
				 strerror(errno));
			close(fd);
			return NULL;
		}
	}
	FILE *f = fdopen(fd, "rb"); /* still O_NONBLOCK: see fifo_read */
	if (!f) {
		cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		close(fd);
	}
	return f;
}

int cstream_open_wait(cstream **out, const char *path, const cfast *fast,
		      volatile int *stop, cerr *err)
{
	struct stat st;
	FILE *f;

	*out = NULL;
	int fifo = stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
	if (fifo) {
		if (!(f = open_fifo(path, stop, err)))
			return err->code;
	} else if (!(f = fopen(path, "rb"))) {
		return cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s", path,
				strerror(errno));
	}
	return open_file_ex(out, f, path, 1, fast, fifo ? fileno(f) : -1, stop,
			    err);
}

int cstream_open(cstream **out, const char *path, cerr *err)
{
	return cstream_open_wait(out, path, NULL, NULL, err);
}

int cstream_read_rest(cstream *s, uint64_t limit, char **data, size_t *len,
		      cerr *err)
{
	cbuf b = CBUF_INIT;
	int rc;

	*data = NULL;
	*len = 0;
	for (;;) {
		rc = cbuf_reserve(&b, 64 * 1024);
		if (rc < 0) {
			cerr_set(err, rc, "out of memory reading '%s'", s->name);
			goto out;
		}
		long got = cstream_read(s, b.data + b.len, b.cap - b.len - 1, err);
		if (got < 0) {
			rc = (int)got;
			goto out;
		}
		char dmg[CERR_MSG_MAX];
		if (cstream_take_damage(s, dmg, sizeof dmg) > 0) {
			rc = cerr_set(err, CONTAM_E_CORRUPT, "%s: %s", s->name, dmg);
			goto out;
		}
		if (got == 0)
			break;
		b.len += (size_t)got;
		if ((uint64_t)b.len > limit) {
			rc = cerr_set(err, CONTAM_E_LIMIT,
				      "'%s' is larger than %" PRIu64
				      " bytes when decompressed", s->name, limit);
			goto out;
		}
	}
	rc = cbuf_reserve(&b, 1);
	if (rc < 0) {
		cerr_set(err, rc, "out of memory reading '%s'", s->name);
		goto out;
	}
	b.data[b.len] = '\0';
	*data = cbuf_detach(&b, len);
	rc = CONTAM_OK;
out:
	cbuf_release(&b);
	return rc;
}

int cstream_read_all(const char *path, uint64_t limit, char **data,
		     size_t *len, cerr *err)
{
	cstream *s = NULL;
	int rc;

	*data = NULL;
	*len = 0;
	rc = cstream_open(&s, path, err);
	if (rc < 0)
		return rc;
	cstream_set_strict(s, 1);
	rc = cstream_read_rest(s, limit, data, len, err);
	cstream_free(s);
	return rc;
}
