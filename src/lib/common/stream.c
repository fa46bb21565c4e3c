/*
 * stream.c -- decompressed byte streams: plain, gzip (multi-member) and
 * zstd (multi-frame), codec sniffed from the first bytes.
 *
 * Why it is hand-rolled over zlib/libzstd rather than gzread() or
 * libarchive's raw filters: corpora are large and sometimes damaged, and
 * one bad gzip member (Common Crawl writes one member per WARC record)
 * must cost one record, not the rest of the file.  So the stream decodes
 * one "unit" (gzip member or zstd frame) at a time and remembers where it
 * started in the compressed file.  When a unit is corrupt the damage is
 * recorded with that offset and decoding restarts at the next plausible
 * unit header after the unit's start (1f 8b 08 for gzip, 28 b5 2f fd for
 * zstd), unless the stream is strict.  A unit cut short by the end of the
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
 * loop around them (gzip_step), so damage is handled alike, and tests
 * compare their output and damage on every gzip test file.
 */
#include "stream.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>
#ifdef CONTAM_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define CSTREAM_INBUF (256u * 1024u)

struct cstream {
	FILE *f;
	int own;
	char *name;
	cstream_codec codec;
	int strict;
	int eof;          /* the file has no more bytes */
	int done;         /* the decoded stream has ended */
	int failed;       /* a fatal error was returned; err is in fail */
	cerr fail;

	unsigned char *in;
	size_t in_cap, in_pos, in_len;
	uint64_t in_off;      /* file offset of in[0] */

	int in_unit;          /* inside a gzip member / zstd frame */
	uint64_t unit_start;  /* its compressed offset */
	uint64_t bytes_out;

	z_stream z;
	int z_ready;
#ifdef CONTAM_HAVE_ISAL
	struct inflate_state *isal;  /* NULL: zlib inflates */
#endif
	ZSTD_DCtx *zd;

	/* Damage met after bytes were produced: handled by the next call. */
	int pending;
	int pending_truncated;
	char pending_what[256];

	int damage_count;     /* since the last cstream_take_damage() */
	char damage_msg[CERR_MSG_MAX];
};

#ifdef CONTAM_HAVE_ISAL
static int use_isal = 1;

/* Streams opened now inflate gzip with isa-l. */
static int isal_chosen(void)
{
	return use_isal && !cenv_is("CONTAM_INFLATE", "zlib");
}
#endif

const char *cstream_inflater(void)
{
#ifdef CONTAM_HAVE_ISAL
	return isal_chosen() ? "isa-l" : "zlib";
#else
	return "zlib";
#endif
}

const char *cstream_use_isal(int enable)
{
#ifdef CONTAM_HAVE_ISAL
	use_isal = enable;
#else
	(void)enable;
#endif
	return cstream_inflater();
}

static uint64_t cur_off(const cstream *s) { return s->in_off + s->in_pos; }

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
	size_t got = fread(s->in + s->in_len, 1, s->in_cap - s->in_len, s->f);
	if (got == 0) {
		if (ferror(s->f))
			return cerr_set(err, CONTAM_E_IO, "cannot read '%s': %s",
					s->name, strerror(errno));
		s->eof = 1;
		return 0;
	}
	s->in_len += got;
	return (long)got;
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
	const size_t look = 5;

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
		unsigned char first = s->codec == CSTREAM_GZIP ? 0x1f : 0x28;
		while (p < end) {
			const unsigned char *q = memchr(p, first, (size_t)(end - p));
			if (!q)
				break;
			int ok = s->codec == CSTREAM_GZIP ? is_gzip_header(q, look)
							  : is_zstd_header(q, look);
			if (ok) {
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
		int rc = want(s, 5, err);
		if (rc < 0)
			return rc;
		size_t avail = s->in_len - s->in_pos;
		const unsigned char *p = s->in + s->in_pos;
		if (avail == 0) {
			s->done = 1;
			return 0;
		}
		int ok;
		if (s->codec == CSTREAM_GZIP)
			ok = is_gzip_header(p, avail) ||
			     (avail >= 2 && avail < 4 && p[0] == 0x1f && p[1] == 0x8b);
		else
			ok = is_zstd_header(p, avail) || is_zstd_skippable(p, avail) ||
			     (avail == 4 && p[0] == 0x28 && p[1] == 0xb5);
		if (ok) {
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
			 PRIu64,
			 s->codec == CSTREAM_GZIP ? "gzip" : "zstd", at);
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
		size_t got = fread(out + produced, 1, n - produced, s->f);
		if (got == 0) {
			if (ferror(s->f)) {
				cerr_set(&s->fail, CONTAM_E_IO, "cannot read '%s': %s",
					 s->name, strerror(errno));
				s->failed = 1;
				*err = s->fail;
				return CONTAM_E_IO;
			}
			s->eof = 1;
		}
		s->in_off += got;
		produced += got;
	}
	if (produced == 0)
		s->done = 1;
	return (long)produced;
}

/* One step of inflating the current member: consume from the input
 * buffer, produce into out[0..room), room <= UINT32_MAX.  Sets *used and
 * *made; returns GZ_MORE (no error, member not done), GZ_END (member
 * ended, trailer checked; *used stops right after it), GZ_NOMEM or
 * GZ_BAD (with a reason in *why). */
enum { GZ_MORE, GZ_END, GZ_NOMEM, GZ_BAD };

static int gzip_begin_member(cstream *s)
{
#ifdef CONTAM_HAVE_ISAL
	if (s->isal) {
		isal_inflate_reset(s->isal);
		s->isal->crc_flag = ISAL_GZIP;
		return CONTAM_OK;
	}
#endif
	return inflateReset(&s->z) == Z_OK ? CONTAM_OK : CONTAM_E_NOMEM;
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

static int gzip_step(cstream *s, unsigned char *out, size_t room,
		     size_t *used, size_t *made, const char **why)
{
	unsigned char *in = s->in + s->in_pos;
	size_t avail = s->in_len - s->in_pos;
#ifdef CONTAM_HAVE_ISAL
	if (s->isal) {
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
			return GZ_BAD;
		}
		/* At the end of a member isa-l has handed back the bytes its
		 * bit buffer read past the trailer (next_in stops right
		 * after it): the agreement test reads members back to back. */
		if (st->block_state == ISAL_BLOCK_FINISH)
			return GZ_END;
		return GZ_MORE;
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
		return GZ_END;
	if (zr == Z_MEM_ERROR)
		return GZ_NOMEM;
	if (zr == Z_OK || zr == Z_BUF_ERROR)
		return GZ_MORE;
	*why = s->z.msg ? s->z.msg : "invalid data";
	return GZ_BAD;
}

static long read_gzip(cstream *s, unsigned char *out, size_t n, cerr *err)
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
			if (gzip_begin_member(s))
				return cerr_set(err, CONTAM_E_NOMEM, "inflate reset failed");
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
		int st = gzip_step(s, out + produced, room, &used, &made, &why);
		s->in_pos += used;
		produced += made;
		if (st == GZ_END) {
			s->in_unit = 0;
			continue;
		}
		if (st == GZ_NOMEM)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory inflating");
		if (st == GZ_MORE) {
			if (made == room)
				break; /* output full; pending output stays in the inflater */
			if (s->in_pos < s->in_len && (used > 0 || made > 0))
				continue;
			if (s->in_pos == s->in_len && !s->eof)
				continue; /* refill at the top of the loop */
			if (s->in_pos == s->in_len) {
				snprintf(what, sizeof what, "truncated gzip member "
					 "at compressed offset %" PRIu64,
					 s->unit_start);
				int rc = defer_or_damage(s, produced, 1, what, err);
				if (rc < 0)
					return rc;
				continue;
			}
			/* No progress with input left: cannot happen, but
			 * treat it as damage rather than loop. */
		}
		snprintf(what, sizeof what,
			 "corrupt gzip member at compressed offset %" PRIu64 ": %s",
			 s->unit_start, why);
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
			 "truncated zstd frame at compressed offset %" PRIu64,
			 s->unit_start);
		int rc = defer_or_damage(s, produced, 1, what, err);
		if (rc < 0)
			return rc;
	}
	return (long)produced;
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
	long got;
	switch (s->codec) {
	case CSTREAM_GZIP:
		got = read_gzip(s, buf, n, err);
		break;
	case CSTREAM_ZSTD:
		got = read_zstd(s, buf, n, err);
		break;
	default:
		got = read_plain(s, buf, n, err);
		break;
	}
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
	if (s->own && s->f)
		fclose(s->f);
	free(s->in);
	free(s->name);
	free(s);
}

int cstream_open_file(cstream **out, FILE *f, const char *name, int own,
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
	s->f = f;
	s->own = own;
	own = 0; /* from here on, cstream_free() closes it */
	s->name = cstrdup(name ? name : "(stream)");
	s->in_cap = CSTREAM_INBUF;
	s->in = malloc(s->in_cap);
	if (!s->name || !s->in) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	long got = refill(s, err);
	if (got < 0) {
		rc = (int)got;
		goto out;
	}
	rc = want(s, 5, err);
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
		if (isal_chosen()) {
			s->isal = malloc(sizeof *s->isal);
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

int cstream_open(cstream **out, const char *path, cerr *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s", path,
				strerror(errno));
	return cstream_open_file(out, f, path, 1, err);
}

int cstream_read_all(const char *path, uint64_t limit, char **data,
		     size_t *len, cerr *err)
{
	cstream *s = NULL;
	cbuf b = CBUF_INIT;
	int rc;

	*data = NULL;
	*len = 0;
	rc = cstream_open(&s, path, err);
	if (rc < 0)
		goto out;
	cstream_set_strict(s, 1);
	for (;;) {
		rc = cbuf_reserve(&b, 64 * 1024);
		if (rc < 0) {
			cerr_set(err, rc, "out of memory reading '%s'", path);
			goto out;
		}
		long got = cstream_read(s, b.data + b.len, b.cap - b.len - 1, err);
		if (got < 0) {
			rc = (int)got;
			goto out;
		}
		if (got == 0)
			break;
		b.len += (size_t)got;
		if ((uint64_t)b.len > limit) {
			rc = cerr_set(err, CONTAM_E_LIMIT,
				      "'%s' is larger than %" PRIu64
				      " bytes when decompressed", path, limit);
			goto out;
		}
	}
	rc = cbuf_reserve(&b, 1);
	if (rc < 0) {
		cerr_set(err, rc, "out of memory reading '%s'", path);
		goto out;
	}
	b.data[b.len] = '\0';
	*data = cbuf_detach(&b, len);
	rc = CONTAM_OK;
out:
	cbuf_release(&b);
	cstream_free(s);
	return rc;
}
