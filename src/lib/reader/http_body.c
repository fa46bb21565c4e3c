/*
 * http_body.c -- chunked transfer coding and gzip/deflate/brotli content
 * coding undone, piece by piece (see http_body.h).
 *
 * De-chunking is a small state machine over the raw bytes (RFC 9112
 * 7.1: hex size, optional extensions, CRLF, data, CRLF; a zero size ends
 * the body and a trailer follows).  A body whose first line is not a
 * chunk size was already de-chunked by whoever wrote the record while
 * keeping the header: it is passed through as it is.  Framing that
 * breaks later passes the rest through too (nothing is dropped).
 *
 * Decompression is zlib's inflate (gzip, several members one after the
 * other; deflate with or without its zlib wrapper, which servers differ
 * on) and the brotli library's decoder.
 */
#include "http_body.h"

#include <brotli/decode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER, CH_RAW };

/* A coded body is kept from its start until it decodes to a first byte,
 * to be read as it stands if it turns out not to be coded (an error at
 * its first bytes); past this much without output (a gzip header's
 * endless name field) it is not kept: memory stays bounded. */
#define KEEP_UNDECODED (1u << 20)

struct chttp_body {
	chttp_coding coding;
	int chunked, cstate, first_line;
	uint64_t chunk_left;
	cbuf in, mid, out;        /* raw; de-chunked; decoded */
	size_t mid_pos;
	z_stream z;
	int z_ready, z_end, z_full;
	BrotliDecoderState *br;
	int br_end;
	uint64_t produced;        /* decoded bytes handed out */
	int plain;                /* declared coded, but is not: read as it stands */
};

static int word_at(const char *v, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n == k && strncasecmp(v, w, k) == 0;
}

chttp_coding chttp_coding_of(const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n == 0 || word_at(v, n, "identity"))
		return CHTTP_IDENTITY;
	if (word_at(v, n, "gzip") || word_at(v, n, "x-gzip"))
		return CHTTP_GZIP;
	if (word_at(v, n, "deflate"))
		return CHTTP_DEFLATE;
	if (word_at(v, n, "br"))
		return CHTTP_BR;
	return CHTTP_UNKNOWN;
}

int chttp_is_chunked(const char *v, size_t n)
{
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	return n >= 7 && strncasecmp(v + n - 7, "chunked", 7) == 0;
}

chttp_body *chttp_body_new(int chunked, chttp_coding coding)
{
	chttp_body *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->coding = coding;
	b->chunked = chunked;
	b->cstate = chunked ? CH_SIZE : CH_RAW;
	b->first_line = 1;
	/* buffers that are never NULL: their data + pos is always defined */
	if (cbuf_reserve(&b->in, 64) || cbuf_reserve(&b->mid, 64) ||
	    (coding == CHTTP_BR && !(b->br = BrotliDecoderCreateInstance(NULL, NULL, NULL)))) {
		chttp_body_free(b);
		return NULL;
	}
	return b;
}

void chttp_body_free(chttp_body *b)
{
	if (!b)
		return;
	if (b->z_ready)
		inflateEnd(&b->z);
	if (b->br)
		BrotliDecoderDestroyInstance(b->br);
	cbuf_release(&b->in);
	cbuf_release(&b->mid);
	cbuf_release(&b->out);
	free(b);
}

int chttp_body_put(chttp_body *b, const char *p, size_t n)
{
	return cbuf_append(&b->in, p, n) ? -1 : 0;
}

/* Move b->in, de-chunked, to the end of b->mid. */
static int dechunk(chttp_body *b)
{
	const char *s = b->in.data;
	size_t n = b->in.len, i = 0;
	while (i < n) {
		char c = s[i];
		switch (b->cstate) {
		case CH_RAW:
			if (cbuf_append(&b->mid, s + i, n - i))
				return -1;
			i = n;
			break;
		case CH_SIZE: {
			int h = chex_value(c);
			if (h >= 0 && b->chunk_left < (UINT64_C(1) << 56)) {
				b->chunk_left = b->chunk_left * 16 + (uint64_t)h;
				b->first_line = 0;
				i++;
			} else if (!b->first_line && (c == ';' || c == ' ' || c == '\t' ||
						      c == '\r' || c == '\n')) {
				b->cstate = CH_EXT;
			} else {
				/* not chunked framing (any more): the rest as it is */
				b->cstate = CH_RAW;
			}
			break;
		}
		case CH_EXT:
			i++;
			if (c == '\n')
				b->cstate = b->chunk_left ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t k = n - i;
			if (k > b->chunk_left)
				k = (size_t)b->chunk_left;
			if (cbuf_append(&b->mid, s + i, k))
				return -1;
			i += k;
			b->chunk_left -= k;
			if (!b->chunk_left)
				b->cstate = CH_DATA_END;
			break;
		}
		case CH_DATA_END:
			if (c == '\r') {
				i++;
			} else if (c == '\n') {
				i++;
				b->cstate = CH_SIZE;
			} else {
				b->cstate = CH_RAW; /* broken framing */
			}
			break;
		default: /* CH_TRAILER: headers after the body, not text */
			i = n;
			break;
		}
	}
	cbuf_reset(&b->in);
	return 0;
}

static int start_inflate(chttp_body *b)
{
	const unsigned char *m = (const unsigned char *)b->mid.data + b->mid_pos;
	size_t avail = b->mid.len - b->mid_pos;
	int bits = 15 + 16; /* gzip */
	if (b->coding == CHTTP_DEFLATE) {
		if (avail < 2)
			return 0; /* wait for the wrapper's two bytes */
		int zlib = (m[0] & 0x0f) == 8 && ((m[0] << 8) | m[1]) % 31 == 0;
		bits = zlib ? 15 : -15;
	}
	memset(&b->z, 0, sizeof(b->z));
	if (inflateInit2(&b->z, bits) != Z_OK)
		return -1;
	b->z_ready = 1;
	return 1;
}

/* Decode from b->mid into b->out, at most `most` bytes. */
static int decode(chttp_body *b, size_t most, cerr *err)
{
	cbuf_reset(&b->out);
	if (cbuf_reserve(&b->out, most))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (b->z_end || b->br_end) {
		/* the coded stream is over: what follows it is no page (and
		 * must not pile up in memory) */
		b->mid_pos = b->mid.len;
		return 0;
	}
	const uint8_t *in = (const uint8_t *)b->mid.data + b->mid_pos;
	size_t avail = b->mid.len - b->mid_pos;
	if (b->coding == CHTTP_BR) {
		size_t out_left = most;
		uint8_t *o = (uint8_t *)b->out.data;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(b->br, &avail, &in,
								       &out_left, &o, NULL);
		b->mid_pos = b->mid.len - avail;
		b->out.len = most - out_left;
		if (r == BROTLI_DECODER_RESULT_ERROR)
			return cerr_set(err, CONTAM_E_FORMAT, "brotli: %s",
					BrotliDecoderErrorString(BrotliDecoderGetErrorCode(b->br)));
		b->br_end = r == BROTLI_DECODER_RESULT_SUCCESS;
		b->z_full = out_left == 0;
		return 0;
	}
	if (!b->z_ready) {
		int rc = start_inflate(b);
		if (rc < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (rc == 0)
			return 0;
	}
	b->z.next_in = (Bytef *)(uintptr_t)in;
	b->z.avail_in = (uInt)(avail > UINT32_MAX ? UINT32_MAX : avail);
	b->z.next_out = (Bytef *)b->out.data;
	b->z.avail_out = (uInt)most;
	while (b->z.avail_out && (b->z.avail_in || b->z_full) && !b->z_end) {
		int r = inflate(&b->z, Z_NO_FLUSH);
		b->z_full = b->z.avail_out == 0;
		if (r == Z_STREAM_END) {
			/* another gzip member may follow */
			if (b->coding == CHTTP_GZIP && b->z.avail_in && inflateReset(&b->z) == Z_OK)
				continue;
			b->z_end = 1;
		} else if (r == Z_BUF_ERROR) {
			break; /* needs more input */
		} else if (r != Z_OK) {
			b->mid_pos = b->mid.len - b->z.avail_in;
			b->out.len = most - b->z.avail_out;
			return cerr_set(err, CONTAM_E_FORMAT, "%s: %s",
					b->coding == CHTTP_GZIP ? "gzip" : "deflate",
					b->z.msg ? b->z.msg : "damaged data");
		}
	}
	b->mid_pos = (size_t)((const char *)b->z.next_in - b->mid.data);
	b->out.len = most - b->z.avail_out;
	return 0;
}

static int read_plain(chttp_body *b, int last, size_t most, const char **p,
		      size_t *n, cerr *err)
{
	b->plain = 1;
	b->coding = CHTTP_IDENTITY;
	b->mid_pos = 0;
	return chttp_body_get(b, last, most, p, n, err);
}

int chttp_body_get(chttp_body *b, int last, size_t most, const char **p,
		   size_t *n, cerr *err)
{
	/* what was handed out or taken by the decoder is done with (the
	 * decoder keeps its own window); until a coded body gave its first
	 * byte it is kept, to be read as it stands if it is not coded */
	if (b->mid_pos == b->mid.len &&
	    (b->produced || b->coding == CHTTP_IDENTITY || b->mid.len > KEEP_UNDECODED)) {
		cbuf_reset(&b->mid);
		b->mid_pos = 0;
	}
	if (dechunk(b))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (b->coding == CHTTP_IDENTITY) {
		size_t k = b->mid.len - b->mid_pos;
		if (k > most)
			k = most;
		*p = b->mid.data + b->mid_pos;
		*n = k;
		b->mid_pos += k;
		return k ? 1 : 0;
	}
	/* a body whose server said gzip but sent the page (ClueWeb09 does
	 * that) does not start with gzip's magic */
	if (b->coding == CHTTP_GZIP && !b->produced && !b->z_ready &&
	    b->mid.len - b->mid_pos >= 2 &&
	    ((unsigned char)b->mid.data[b->mid_pos] != 0x1f ||
	     (unsigned char)b->mid.data[b->mid_pos + 1] != 0x8b))
		return read_plain(b, last, most, p, n, err);
	int rc = decode(b, most, err);
	*p = b->out.data;
	*n = b->out.len;
	b->produced += b->out.len;
	if (rc < 0 && !b->produced && b->out.len == 0 && err->code != CONTAM_E_NOMEM) {
		/* not coded as declared: the bytes are the page */
		cerr_clear(err);
		return read_plain(b, last, most, p, n, err);
	}
	if (rc < 0)
		return b->out.len ? 1 : rc; /* what came before the damage first */
	return b->out.len ? 1 : 0;
}

int chttp_body_plain(const chttp_body *b)
{
	return b->plain;
}
