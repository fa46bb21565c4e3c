/*
 * http_body.h -- an HTTP response body as the server sent it, decoded to
 * the bytes of the page: chunked transfer coding removed, then gzip,
 * deflate or brotli content coding undone.  A WARC response record holds
 * the body as received (wget, Heritrix, warcprox and browsertrix keep
 * Content-Encoding; some crawls keep chunked framing too); read raw, a
 * compressed page is noise and a chunked one has its chunk sizes inside
 * its words.
 *
 * Streaming: raw pieces go in with chttp_body_put, decoded pieces come
 * out of chttp_body_get, at most `most` bytes each, so a small piece that
 * inflates a thousandfold is handed out a piece at a time.
 */
#ifndef CONTAM_HTTP_BODY_H
#define CONTAM_HTTP_BODY_H

#include "../common/common.h"

#include <stddef.h>

typedef enum chttp_coding {
	CHTTP_IDENTITY = 0,
	CHTTP_GZIP,              /* gzip, x-gzip */
	CHTTP_DEFLATE,           /* zlib-wrapped, or raw deflate as some servers send */
	CHTTP_BR,                /* brotli */
	CHTTP_UNKNOWN            /* a coding this reader cannot undo */
} chttp_coding;

typedef struct chttp_body chttp_body;

/* The coding a Content-Encoding value names ("gzip", "br", "identity"). */
chttp_coding chttp_coding_of(const char *v, size_t n);
/* Whether a Transfer-Encoding value ends in "chunked". */
int chttp_is_chunked(const char *v, size_t n);

/* A decoder for one body; NULL when out of memory. */
chttp_body *chttp_body_new(int chunked, chttp_coding coding);
void chttp_body_free(chttp_body *b);

/* Take the next raw piece (copied; call only when chttp_body_get said it
 * wants input). */
int chttp_body_put(chttp_body *b, const char *p, size_t n);
/* The next decoded piece, at most `most` bytes, in *p / *n: 1 when there
 * is one, 0 when the input given so far is used up (put more, or at the
 * end call with `last` set: then 0 means the body is over), -1 when the
 * bytes cannot be decoded (a message in err; the body ends there). */
int chttp_body_get(chttp_body *b, int last, size_t most, const char **p,
		   size_t *n, cerr *err);

/* Whether the body, declared coded, turned out not to be (its bytes were
 * read as they stand: a server or archiver that decoded it and kept the
 * header). */
int chttp_body_plain(const chttp_body *b);

#endif
