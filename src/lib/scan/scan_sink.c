/*
 * scan_sink.c -- compressed output for the purified copy: plain, gzip
 * (zlib, one member or one member per WARC record, as Common Crawl ships
 * WET files) or zstd.  A file sink writes to PATH.tmp.PID and renames it
 * into place when closed, so a half-written copy never has the real name;
 * a stream sink writes to a FILE the caller owns (archive members).
 */
#include "scan.h"
#include "../common/stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

struct cscan_sink {
	FILE *f;
	int own;                 /* file sink: close and rename */
	char *path, *tmp;
	int codec;
	z_stream z;
	int z_open, member_dirty;
	uint64_t written;          /* compressed bytes out */
	ZSTD_CCtx *zc;
	unsigned char out[1 << 16];
	int failed;
	int errnum;              /* errno of the first failure */
};

static void fail(cscan_sink *k, int e)
{
	if (!k->errnum)
		k->errnum = e ? e : EIO;
	k->failed = 1;
}

static int put(cscan_sink *k, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, k->f) != n)
		fail(k, errno);
	k->written += n;
	return k->failed ? CONTAM_E_IO : CONTAM_OK;
}

static int z_run(cscan_sink *k, const void *p, size_t n, int flush)
{
	k->z.next_in = (Bytef *)(uintptr_t)p;
	k->z.avail_in = (uInt)n;
	int zr;
	do {
		k->z.next_out = k->out;
		k->z.avail_out = sizeof(k->out);
		zr = deflate(&k->z, flush);
		if (zr == Z_STREAM_ERROR)
			return fail(k, EIO), CONTAM_E_IO;
		if (put(k, k->out, sizeof(k->out) - k->z.avail_out))
			return CONTAM_E_IO;
	} while (k->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return CONTAM_OK;
}

static int zstd_run(cscan_sink *k, const void *p, size_t n, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t left;
	do {
		ZSTD_outBuffer o = { k->out, sizeof(k->out), 0 };
		left = ZSTD_compressStream2(k->zc, &o, &in, end);
		if (ZSTD_isError(left))
			return fail(k, EIO), CONTAM_E_IO;
		if (put(k, k->out, o.pos))
			return CONTAM_E_IO;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return CONTAM_OK;
}

static int sink_init(cscan_sink *k, int codec)
{
	k->codec = codec;
	if (codec == CSTREAM_GZIP) {
		if (deflateInit2(&k->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return CONTAM_E_NOMEM;
		k->z_open = 1;
	} else if (codec == CSTREAM_ZSTD) {
		if (!(k->zc = ZSTD_createCCtx()))
			return CONTAM_E_NOMEM;
		ZSTD_CCtx_setParameter(k->zc, ZSTD_c_compressionLevel, 3);
	}
	return CONTAM_OK;
}

int cscan_sink_open(cscan_sink **out, const char *path, int codec, cerr *err)
{
	cscan_sink *k = calloc(1, sizeof(*k));
	*out = NULL;
	if (!k)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	size_t n = strlen(path) + 32;
	k->path = cstrdup(path);
	k->tmp = malloc(n);
	if (!k->path || !k->tmp || sink_init(k, codec)) {
		cscan_sink_abort(k);
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	snprintf(k->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if (!(k->f = fopen(k->tmp, "wb"))) {
		int e = errno;
		cscan_sink_abort(k);
		return cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s", path, strerror(e));
	}
	k->own = 1;
	*out = k;
	return CONTAM_OK;
}

int cscan_sink_open_stream(cscan_sink **out, FILE *f, int codec)
{
	cscan_sink *k = calloc(1, sizeof(*k));
	*out = NULL;
	if (!k)
		return CONTAM_E_NOMEM;
	if (sink_init(k, codec)) {
		cscan_sink_abort(k);
		return CONTAM_E_NOMEM;
	}
	k->f = f;
	*out = k;
	return CONTAM_OK;
}

int cscan_sink_write(cscan_sink *k, const void *p, size_t n)
{
	if (k->failed)
		return CONTAM_E_IO;
	if (!n)
		return CONTAM_OK;
	k->member_dirty = 1;
	if (k->codec == CSTREAM_GZIP)
		return z_run(k, p, n, Z_NO_FLUSH);
	if (k->codec == CSTREAM_ZSTD)
		return zstd_run(k, p, n, ZSTD_e_continue);
	return put(k, p, n);
}

int cscan_sink_end_member(cscan_sink *k)
{
	if (k->codec != CSTREAM_GZIP || !k->member_dirty)
		return k->failed ? CONTAM_E_IO : CONTAM_OK;
	if (z_run(k, NULL, 0, Z_FINISH))
		return CONTAM_E_IO;
	deflateReset(&k->z);
	k->member_dirty = 0;
	return CONTAM_OK;
}

static int finish(cscan_sink *k)
{
	if (k->codec == CSTREAM_GZIP) {
		/* an empty input still gets one (empty) gzip member */
		if (k->member_dirty || k->written == 0)
			z_run(k, NULL, 0, Z_FINISH);
	} else if (k->codec == CSTREAM_ZSTD) {
		zstd_run(k, NULL, 0, ZSTD_e_end);
	}
	return k->failed ? CONTAM_E_IO : CONTAM_OK;
}

const char *cscan_sink_strerror(const cscan_sink *k)
{
	return strerror(k->errnum ? k->errnum : EIO);
}

int cscan_sink_close(cscan_sink *k, cerr *err)
{
	int rc = finish(k);
	if (k->own) {
		if (!rc && fflush(k->f) != 0)
			fail(k, errno);
		if (!k->failed && fsync(fileno(k->f)) != 0)
			fail(k, errno);
		if (fclose(k->f) != 0)
			fail(k, errno);
		k->f = NULL;
		if (!k->failed && rename(k->tmp, k->path))
			fail(k, errno);
		if (k->failed) {
			unlink(k->tmp);
			rc = cerr_set(err, CONTAM_E_IO, "cannot write '%s': %s",
				      k->path, cscan_sink_strerror(k));
		}
	} else {
		if (!rc && fflush(k->f) != 0)
			fail(k, errno);
		if (k->failed)
			rc = cerr_set(err, CONTAM_E_IO, "cannot write a purified "
				      "archive member: %s", cscan_sink_strerror(k));
	}
	k->own = 0;
	cscan_sink_abort(k);
	return rc;
}

void cscan_sink_abort(cscan_sink *k)
{
	if (!k)
		return;
	if (k->own && k->f) {
		fclose(k->f);
		unlink(k->tmp);
	}
	if (k->z_open)
		deflateEnd(&k->z);
	ZSTD_freeCCtx(k->zc);
	free(k->path);
	free(k->tmp);
	free(k);
}
