/*
 * test_sniff.c -- unit tests for kind detection (common/sniff.c), the
 * bzip2/xz/zstd-long/UTF-16/peek parts of the stream (stream.c), and how
 * the corpus reader and the benchmark reader act on what was detected:
 * read by content with a note, or refuse with what was seen.
 *
 * Every input is generated here, with the libraries' own encoders, into
 * a fresh temporary directory.
 */
#include "common/sniff.h"
#include "common/stream.h"
#include "probe/bench.h"
#include "reader/reader.h"
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <bzlib.h>
#include <errno.h>
#include <ftw.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

static void bz2_append(cbuf *b, const void *data, size_t len)
{
	unsigned int cap = (unsigned int)(len + len / 100 + 700);
	cbuf_reserve(b, cap);
	CHECK(BZ2_bzBuffToBuffCompress(b->data + b->len, &cap, (char *)data,
				       (unsigned int)len, 9, 0, 0) == BZ_OK);
	b->len += cap;
}

static void xz_append(cbuf *b, const void *data, size_t len)
{
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;
	cbuf_reserve(b, cap);
	CHECK(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, data, len,
				      (uint8_t *)b->data + b->len, &pos, cap) ==
	      LZMA_OK);
	b->len += pos;
}

static void gz_append(cbuf *b, const void *data, size_t len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8,
			   Z_DEFAULT_STRATEGY) == Z_OK);
	size_t bound = deflateBound(&z, len) + 64;
	cbuf_reserve(b, bound);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)b->data + b->len;
	z.avail_out = (uInt)bound;
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
	b->len += bound - z.avail_out;
	deflateEnd(&z);
}

/* Read a whole stream in pieces of `piece` bytes; damage counted. */
static char *read_stream(cstream *s, size_t piece, size_t *len, int *damage,
			 int *rc)
{
	cbuf out = CBUF_INIT;
	char *buf = malloc(piece);
	cerr err;
	*damage = 0;
	*rc = 0;
	for (;;) {
		long got = cstream_read(s, buf, piece, &err);
		*damage += cstream_take_damage(s, NULL, 0);
		if (got < 0) {
			*rc = (int)got;
			break;
		}
		if (got == 0)
			break;
		cbuf_append(&out, buf, (size_t)got);
	}
	free(buf);
	cbuf_reserve(&out, 1);
	return cbuf_detach(&out, len);
}

/* Read `path` whole, opened under `fast` (NULL: the default). */
static char *read_path_with(const cfast *fast, const char *path, size_t piece,
			    size_t *len, int *damage, int *rc)
{
	cstream *s = NULL;
	cerr err;
	if (cstream_open_wait(&s, path, fast, NULL, &err) < 0) {
		*rc = err.code;
		*len = 0;
		return NULL;
	}
	char *d = read_stream(s, piece, len, damage, rc);
	cstream_free(s);
	return d;
}

static char *read_path(const char *path, size_t piece, size_t *len,
		       int *damage, int *rc)
{
	return read_path_with(NULL, path, piece, len, damage, rc);
}

/* ------------------------------------------------------------------ */

static csniff_kind kind_of(const void *p, size_t n)
{
	csniff sn;
	return csniff_bytes(p, n, &sn);
}

static void test_magic(void)
{
	unsigned char tar[512];
	csniff sn;

	CHECK(kind_of("", 0) == CSNIFF_EMPTY);
	CHECK(kind_of("hello world\n", 12) == CSNIFF_TEXT);
	CHECK(kind_of("\x1f\x8b\x08\0", 4) == CSNIFF_GZIP);
	CHECK(kind_of("\x28\xb5\x2f\xfd\0", 5) == CSNIFF_ZSTD);
	CHECK(kind_of("BZh91AY&SY", 10) == CSNIFF_BZIP2);
	CHECK(kind_of("BZh is a word", 13) == CSNIFF_TEXT);
	CHECK(kind_of("\xfd" "7zXZ\0\0\x04", 8) == CSNIFF_XZ);
	CHECK(kind_of("PK\003\004rest", 8) == CSNIFF_ZIP);
	CHECK(kind_of("7z\xbc\xaf\x27\x1c\0\x04", 8) == CSNIFF_7Z);
	CHECK(kind_of("Rar!\x1a\x07\x01\0", 8) == CSNIFF_RAR);
	CHECK(kind_of("\x04\x22\x4d\x18", 4) == CSNIFF_LZ4);
	CHECK(csniff_bytes("PAR1\x15\x04", 6, &sn) == CSNIFF_PARQUET);
	CHECK(strstr(sn.what, "Parquet") && strstr(sn.what, "PAR1"));
	CHECK(csniff_class_of(sn.kind) == CSNIFF_IS_REFUSED);
	CHECK(kind_of("\x7f" "ELF\x02\x01\x01\0\0\0\0\0", 12) == CSNIFF_ELF);
	CHECK(kind_of("\x89PNG\r\n\x1a\n\0\0", 10) == CSNIFF_PNG);
	CHECK(kind_of("%PDF-1.7\n", 9) == CSNIFF_PDF);
	CHECK(kind_of("\xff\xd8\xff\xe0", 4) == CSNIFF_JPEG);
	CHECK(kind_of("SQLite format 3\0", 16) == CSNIFF_SQLITE);
	CHECK(kind_of("GGUF\x03\0\0\0", 8) == CSNIFF_NUMPY);
	CHECK(kind_of("FEA1\0\0\0\0", 8) == CSNIFF_ARROW);
	CHECK(kind_of("RIFF\0\0\0\0WEBPVP8 ", 16) == CSNIFF_WEBP);
	/* weak magics count only on non-text bytes */
	CHECK(kind_of("ORCHARD and more words\n", 23) == CSNIFF_TEXT);
	CHECK(kind_of("MZ is a name\n", 13) == CSNIFF_TEXT);
	CHECK(kind_of("070701 is a number\n", 19) == CSNIFF_TEXT);
	unsigned char mz[256] = "MZ";
	CHECK(kind_of(mz, sizeof mz) == CSNIFF_PE);
	unsigned char arrow[256] = "\xff\xff\xff\xff\x10\x01\0\0";
	CHECK(kind_of(arrow, sizeof arrow) == CSNIFF_ARROW);

	/* tar: ustar and a v7 header with only its checksum */
	memset(tar, 0, sizeof tar);
	memcpy(tar, "a.txt", 5);
	memcpy(tar + 100, "0000644", 7);
	memcpy(tar + 124, "00000000003", 11);
	tar[156] = '0';
	memset(tar + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += tar[i];
	snprintf((char *)tar + 148, 8, "%06o", sum);
	CHECK(kind_of(tar, sizeof tar) == CSNIFF_TAR);
	tar[0] = 'b'; /* checksum no longer matches */
	CHECK(kind_of(tar, sizeof tar) != CSNIFF_TAR);
	memcpy(tar + 257, "ustar", 5);
	CHECK(kind_of(tar, sizeof tar) == CSNIFF_TAR);

	/* byte order marks */
	CHECK(csniff_bytes("\xff\xfe" "a\0", 4, &sn) == CSNIFF_UTF16LE &&
	      sn.bom == 2);
	CHECK(csniff_bytes("\xfe\xff\0a", 4, &sn) == CSNIFF_UTF16BE &&
	      sn.bom == 2);
	CHECK(kind_of("\xff\xfe\0\0a\0\0\0", 8) == CSNIFF_UTF32);
	CHECK(csniff_bytes("\xef\xbb\xbfok", 5, &sn) == CSNIFF_TEXT &&
	      sn.bom == 3);
	/* UTF-16 without a byte order mark: NULs in every other byte */
	const char le[] = "h\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0\n\0";
	CHECK(csniff_bytes(le, sizeof le - 1, &sn) == CSNIFF_UTF16LE &&
	      sn.bom == 0);
	CHECK(kind_of(le + 1, sizeof le - 2) == CSNIFF_UTF16BE);

	/* NUL-heavy and control-heavy data is binary; one NUL is not */
	unsigned char bin[4096];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7 % 251);
	CHECK(csniff_bytes(bin, sizeof bin, &sn) == CSNIFF_BINARY);
	CHECK(strstr(sn.what, "NUL") != NULL);
	CHECK(kind_of("{\"text\":\"x\"}\n\0", 14) == CSNIFF_TEXT);

	/* text in a legacy CJK encoding is refused; UTF-8 with a character cut
	 * by the end of the head, a few cp1252 quotes, and a WARC file
	 * whose payloads have their own charsets are read */
	char legacy[2048];
	for (size_t i = 0; i < sizeof legacy; i += 2) {
		legacy[i] = (char)0x82;           /* Shift-JIS hiragana: 82 a0.. */
		legacy[i + 1] = (char)(0xa0 + i % 80);
	}
	CHECK(csniff_bytes(legacy, sizeof legacy, &sn) == CSNIFF_NOT_UTF8);
	CHECK(strstr(sn.what, "legacy CJK encoding") != NULL);
	CHECK(strstr(sn.advice, "iconv") != NULL);
	CHECK(csniff_class_of(CSNIFF_NOT_UTF8) == CSNIFF_IS_REFUSED);
	char warc[2048];
	memcpy(warc, legacy, sizeof warc);
	memcpy(warc, "WARC/1.0\r\n", 10);
	CHECK(csniff_bytes(warc, sizeof warc, &sn) == CSNIFF_TEXT);
	char utf8[2048];
	for (size_t i = 0; i + 3 <= sizeof utf8; i += 3)
		memcpy(utf8 + i, "\xe7\x8c\xab", 3); /* U+732B */
	utf8[sizeof utf8 - 2] = (char)0xe7;       /* cut by the end */
	utf8[sizeof utf8 - 1] = (char)0x8c;
	CHECK(csniff_bytes(utf8, sizeof utf8, &sn) == CSNIFF_TEXT);
	/* invalid UTF-8 that is not a legacy encoding's pairs (stray and
	 * lone continuation bytes, overlong forms) is damage: read */
	char bad[512];
	for (size_t i = 0; i < sizeof bad; i += 8)
		memcpy(bad + i, i % 16 ? "ab \x80\xbf\x80 c" : "a \xff\xfe\xc0\xaf b", 8);
	CHECK(csniff_bytes(bad, sizeof bad, &sn) == CSNIFF_TEXT);
	char quotes[4096];
	memset(quotes, 'e', sizeof quotes);
	for (size_t i = 0; i < 60; i++)
		quotes[i * 60] = (char)(i % 2 ? 0x94 : 0x93); /* cp1252 curly quotes: 1.5% */
	CHECK(csniff_bytes(quotes, sizeof quotes, &sn) == CSNIFF_TEXT);

	/* the refusal names the file and what was seen */
	char msg[1024];
	csniff_bytes("\x7f" "ELF\x02\x01", 6, &sn);
	csniff_refusal(&sn, "ls", msg, sizeof msg);
	CHECK(strstr(msg, "'ls' is an ELF executable") == msg);
	CHECK(strstr(msg, "not text") != NULL);
	csniff_bytes("PAR1", 4, &sn);
	csniff_refusal(&sn, "x.parquet", msg, sizeof msg);
	CHECK(strstr(msg, "'x.parquet' is a Parquet file (magic PAR1); contam "
		      "cannot read Parquet yet: convert it to JSONL") == msg);
}

/* ------------------------------------------------------------------ */

static void make_text(cbuf *t, size_t lines, const char *tag)
{
	for (size_t i = 0; i < lines; i++)
		cbuf_printf(t, "%s line %zu alpha beta gamma delta epsilon\n",
			    tag, i);
}

static void test_bzip2_xz(void)
{
	cbuf a = CBUF_INIT, b = CBUF_INIT, z = CBUF_INIT, whole = CBUF_INIT;
	size_t len;
	int damage, rc;

	make_text(&a, 20000, "first");
	make_text(&b, 5000, "second");
	cbuf_append(&whole, a.data, a.len);
	cbuf_append(&whole, b.data, b.len);
	for (int codec = 0; codec < 2; codec++) {
		void (*enc)(cbuf *, const void *, size_t) =
			codec ? xz_append : bz2_append;
		const char *name = codec ? "two.xz" : "two.bz2";
		/* two streams back to back (pbzip2, pixz): both read */
		cbuf_reset(&z);
		enc(&z, a.data, a.len);
		size_t first_len = z.len;
		enc(&z, b.data, b.len);
		if (codec) /* xz stream padding between streams */
			cbuf_append(&z, "\0\0\0\0", 4);
		tu_write_file(tu_path(name), z.data, z.len);
		for (size_t piece = 1; piece <= 65536; piece *= 64) {
			char *d = read_path(tu_path(name), piece, &len, &damage, &rc);
			CHECK(rc == 0 && damage == 0);
			CHECK(len == whole.len && d && memcmp(d, whole.data, len) == 0);
			free(d);
		}
		cstream *s = NULL;
		cerr err;
		CHECK(cstream_open(&s, tu_path(name), &err) == 0);
		CHECK(cstream_get_codec(s) == (codec ? CSTREAM_XZ : CSTREAM_BZIP2));
		cstream_free(s);

		/* the first stream corrupt: reported, the second one read */
		cbuf bad = CBUF_INIT;
		cbuf_append(&bad, z.data, z.len);
		bad.data[first_len / 2] ^= 0x55;
		tu_write_file(tu_path("bad"), bad.data, bad.len);
		char *d = read_path(tu_path("bad"), 4096, &len, &damage, &rc);
		CHECK(rc == 0 && damage >= 1);
		CHECK(len >= b.len && memcmp(d + len - b.len, b.data, b.len) == 0);
		free(d);
		/* strict: the damage is fatal */
		CHECK(cstream_open(&s, tu_path("bad"), &err) == 0);
		cstream_set_strict(s, 1);
		d = read_stream(s, 4096, &len, &damage, &rc);
		CHECK(rc == CONTAM_E_CORRUPT);
		free(d);
		cstream_free(s);
		/* cut short: truncated, named */
		tu_write_file(tu_path("cut"), z.data, first_len + (z.len - first_len) / 2);
		CHECK(cstream_open(&s, tu_path("cut"), &err) == 0);
		d = read_stream(s, 4096, &len, &damage, &rc);
		CHECK(rc == 0 && damage == 1);
		CHECK(len >= a.len && memcmp(d, a.data, a.len) == 0);
		free(d);
		cstream_free(s);
		cbuf_release(&bad);
	}
	/* .lzma (lzma_alone), through the xz decoder */
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_options_lzma lo;
	lzma_lzma_preset(&lo, 6);
	CHECK(lzma_alone_encoder(&ls, &lo) == LZMA_OK);
	cbuf_reset(&z);
	cbuf_reserve(&z, a.len + 4096);
	ls.next_in = (const uint8_t *)a.data;
	ls.avail_in = a.len;
	ls.next_out = (uint8_t *)z.data;
	ls.avail_out = z.cap;
	CHECK(lzma_code(&ls, LZMA_FINISH) == LZMA_STREAM_END);
	z.len = z.cap - ls.avail_out;
	lzma_end(&ls);
	tu_write_file(tu_path("a.txt.lzma"), z.data, z.len);
	char *d = read_path(tu_path("a.txt.lzma"), 4096, &len, &damage, &rc);
	CHECK(rc == 0 && damage == 0 && len == a.len && d &&
	      memcmp(d, a.data, len) == 0);
	free(d);
	CHECK(creader_detect_name("a.txt.lzma") == CONTAM_INPUT_TEXT);
	cbuf_release(&a);
	cbuf_release(&b);
	cbuf_release(&z);
	cbuf_release(&whole);
}

/* A frame whose window is 256 MiB (above zstd's default 128 MiB read
 * limit), as zstd --long=28 and up write them: valid, must be read. */
static void test_zstd_long(void)
{
	cbuf t = CBUF_INIT, z = CBUF_INIT;
	make_text(&t, 2000, "long");
	ZSTD_CCtx *c = ZSTD_createCCtx();
	CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 28)));
	CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(
		c, ZSTD_c_enableLongDistanceMatching, 1)));
	cbuf_reserve(&z, ZSTD_compressBound(t.len) + 64);
	ZSTD_outBuffer ob = { z.data, z.cap, 0 };
	ZSTD_inBuffer ib = { t.data, t.len, 0 };
	/* streamed, no size pledged: the frame header keeps the window */
	CHECK(!ZSTD_isError(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_continue)));
	size_t left;
	do {
		left = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
		CHECK(!ZSTD_isError(left));
	} while (left && !ZSTD_isError(left));
	z.len = ob.pos;
	ZSTD_freeCCtx(c);
	ZSTD_frameHeader fh;
	CHECK(ZSTD_getFrameHeader(&fh, z.data, z.len) == 0 &&
	      fh.windowSize > (1ull << 27));
	tu_write_file(tu_path("long.zst"), z.data, z.len);
	size_t len;
	int damage, rc;
	char *d = read_path(tu_path("long.zst"), 65536, &len, &damage, &rc);
	CHECK(rc == 0 && damage == 0 && len == t.len && d &&
	      memcmp(d, t.data, len) == 0);
	free(d);
	cbuf_release(&t);
	cbuf_release(&z);
}

/* A gzip member with a 1 MiB file name is valid; isa-l and zlib must
 * both read it (isa-l is given only members whose header is buffered). */
static void test_gzip_long_name(void)
{
	const char body[] = "alpha beta gamma delta epsilon zeta eta theta\n";
	cbuf g = CBUF_INIT, m = CBUF_INIT;
	gz_append(&m, body, sizeof body - 1);
	/* set FNAME and insert the name after the 10-byte header */
	cbuf_append(&g, m.data, 10);
	g.data[3] |= 8;
	for (size_t i = 0; i < (1u << 20); i++)
		cbuf_putc(&g, 'a');
	cbuf_putc(&g, '\0');
	cbuf_append(&g, m.data + 10, m.len - 10);
	cbuf_append(&g, m.data, m.len); /* a second, ordinary member */
	tu_write_file(tu_path("fname.gz"), g.data, g.len);
	for (int isal = 1; isal >= 0; isal--) {
		cfast fast = *cfast_default();
		fast.isal = isal;
		size_t len;
		int damage, rc;
		char *d = read_path_with(&fast, tu_path("fname.gz"), 4096, &len,
					 &damage, &rc);
		CHECK(rc == 0 && damage == 0);
		CHECK(len == 2 * (sizeof body - 1) && d &&
		      memcmp(d, body, sizeof body - 1) == 0 &&
		      memcmp(d + sizeof body - 1, body, sizeof body - 1) == 0);
		free(d);
	}
	cbuf_release(&g);
	cbuf_release(&m);
}

static void test_utf16(void)
{
	/* "héllo 😀\n" with a BOM, little- and big-endian */
	const char le[] = "\xff\xfe" "h\0\xe9\0l\0l\0o\0 \0\x3d\xd8\x00\xde\n\0";
	const char be[] = "\xfe\xff" "\0h\0\xe9\0l\0l\0o\0 \xd8\x3d\xde\x00\0\n";
	const char want[] = "h\xc3\xa9llo \xf0\x9f\x98\x80\n";
	for (int e = 0; e < 2; e++) {
		tu_write_file(tu_path("u16"), e ? be : le, sizeof le - 1);
		for (size_t piece = 1; piece <= 64; piece *= 4) {
			cstream *s = NULL;
			cerr err;
			CHECK(cstream_open(&s, tu_path("u16"), &err) == 0);
			CHECK(cstream_set_utf16(s, e, &err) == 0);
			size_t len;
			int damage, rc;
			char *d = read_stream(s, piece, &len, &damage, &rc);
			CHECK(rc == 0 && len == sizeof want - 1 &&
			      memcmp(d, want, len) == 0);
			free(d);
			cstream_free(s);
		}
	}
	/* a lone surrogate and an odd last byte become U+FFFD */
	tu_write_file(tu_path("u16bad"), "a\0\x00\xd8" "b\0c", 7);
	cstream *s = NULL;
	cerr err;
	CHECK(cstream_open(&s, tu_path("u16bad"), &err) == 0);
	CHECK(cstream_set_utf16(s, 0, &err) == 0);
	size_t len;
	int damage, rc;
	char *d = read_stream(s, 3, &len, &damage, &rc);
	CHECK(rc == 0 && len == 8 &&
	      memcmp(d, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8) == 0);
	free(d);
	cstream_free(s);
}

/* Peeking returns the same bytes the reads then deliver, on a pipe too,
 * and damage before the peeked bytes is still reported with them. */
static void test_peek(void)
{
	cbuf t = CBUF_INIT, z = CBUF_INIT;
	make_text(&t, 3000, "peek");
	gz_append(&z, t.data, t.len);
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		size_t off = 0;
		while (off < z.len) {
			ssize_t w = write(fds[1], z.data + off, z.len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "rb");
	cstream *s = NULL;
	cerr err;
	CHECK(cstream_open_file(&s, f, "pipe", 1, NULL, &err) == 0);
	const unsigned char *p;
	size_t n;
	CHECK(cstream_peek(s, CSNIFF_HEAD, &p, &n, &err) == 0);
	CHECK(n == CSNIFF_HEAD && memcmp(p, t.data, n) == 0);
	size_t len;
	int damage, rc;
	char *d = read_stream(s, 1000, &len, &damage, &rc);
	CHECK(rc == 0 && damage == 0 && len == t.len &&
	      memcmp(d, t.data, len) == 0);
	free(d);
	cstream_free(s);
	int status = 0;
	waitpid(pid, &status, 0);

	/* a corrupt first member: the peek shows the second member's bytes
	 * and the first read reports the damage */
	cbuf two = CBUF_INIT;
	gz_append(&two, "lost\n", 5);
	two.data[10] = 0x07; /* first deflate block: BTYPE 11, invalid */
	gz_append(&two, "kept\n", 5);
	tu_write_file(tu_path("dmg.gz"), two.data, two.len);
	CHECK(cstream_open(&s, tu_path("dmg.gz"), &err) == 0);
	CHECK(cstream_take_damage(s, NULL, 0) == 0);
	CHECK(cstream_peek(s, 64, &p, &n, &err) == 0);
	CHECK(n == 5 && memcmp(p, "kept\n", 5) == 0);
	CHECK(cstream_take_damage(s, NULL, 0) == 0);
	char buf[16];
	CHECK(cstream_read(s, buf, sizeof buf, &err) == 5);
	CHECK(cstream_take_damage(s, NULL, 0) == 1);
	cstream_free(s);
	cbuf_release(&two);
	cbuf_release(&t);
	cbuf_release(&z);
}

/* A regular file that shrinks under the reader is an I/O error. */
static void test_shrink(void)
{
	cbuf t = CBUF_INIT;
	make_text(&t, 30000, "shrink"); /* > the 256 KiB input buffer */
	tu_write_file(tu_path("shrink.txt"), t.data, t.len);
	cstream *s = NULL;
	cerr err;
	CHECK(cstream_open(&s, tu_path("shrink.txt"), &err) == 0);
	CHECK(truncate(tu_path("shrink.txt"), (off_t)(t.len / 2)) == 0);
	size_t len;
	int damage, rc;
	char *d = read_stream(s, 65536, &len, &damage, &rc);
	CHECK(rc == CONTAM_E_IO);
	cerr e2;
	CHECK(cstream_read(s, d, 1, &e2) == CONTAM_E_IO &&
	      strstr(e2.msg, "shrank while being read") != NULL);
	free(d);
	cstream_free(s);
	cbuf_release(&t);
}

/* ------------------------------------------------------------------ */
/* The corpus reader on what was detected                              */

typedef struct seen {
	uint64_t docs;
	cbuf text;
	cbuf notes;
	int rc;
	cerr err;
} seen;

static void note_cb(void *ctx, const char *msg)
{
	seen *v = ctx;
	cbuf_printf(&v->notes, "%s\n", msg);
}

static void read_corpus(const char *path, seen *v)
{
	creader_options o = { .on_warning = note_cb, .ctx = v };
	creader *r = NULL;
	creader_doc doc;
	memset(v, 0, sizeof *v);
	cerr_clear(&v->err);
	v->rc = creader_open(&r, path, &o, &v->err);
	if (v->rc < 0)
		return;
	int rc;
	while ((rc = creader_next_doc(r, &doc, &v->err)) == 1) {
		const char *p;
		size_t n;
		v->docs++;
		while ((rc = creader_read_text(r, &p, &n, &v->err)) == 1)
			cbuf_append(&v->text, p, n);
		if (rc < 0)
			break;
	}
	v->rc = rc;
	cbuf_reserve(&v->text, 1);
	cbuf_reserve(&v->notes, 1);
	creader_free(r);
}

static void seen_release(seen *v)
{
	cbuf_release(&v->text);
	cbuf_release(&v->notes);
}

static void test_corpus(void)
{
	seen v;
	cbuf z = CBUF_INIT;
	const char jl[] = "{\"text\":\"one two three\"}\n{\"text\":\"four five\"}\n";
	contam_input_kind k;
	cerr err;

	CHECK(creader_detect_name("x.jsonl.bz2") == CONTAM_INPUT_JSONL);
	CHECK(creader_detect_name("x.json.xz") == CONTAM_INPUT_JSONL);
	CHECK(creader_detect_name("x.txt.xz") == CONTAM_INPUT_TEXT);
	CHECK(creader_detect_name("x.txt.bz2") == CONTAM_INPUT_TEXT);
	CHECK(creader_detect_name("x.warc.bz2") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("x.wet.xz") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("x.tar.bz2") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.tar.xz") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.bz2") == CONTAM_INPUT_UNKNOWN);
	CHECK(creader_detect_name("x.tar.lzma") == CONTAM_INPUT_ARCHIVE);

	/* bz2 / xz JSONL and text */
	bz2_append(&z, jl, sizeof jl - 1);
	tu_write_file(tu_path("c.jsonl.bz2"), z.data, z.len);
	read_corpus(tu_path("c.jsonl.bz2"), &v);
	CHECK(v.rc == 0 && v.docs == 2 && v.notes.len == 0);
	seen_release(&v);
	cbuf_reset(&z);
	xz_append(&z, "plain words here\n", 17);
	tu_write_file(tu_path("c.txt.xz"), z.data, z.len);
	read_corpus(tu_path("c.txt.xz"), &v);
	CHECK(v.rc == 0 && v.docs == 1 && strcmp(v.text.data, "plain words here\n") == 0);
	seen_release(&v);

	/* a .jsonl that is really gzip: read by content, with a note */
	cbuf_reset(&z);
	gz_append(&z, jl, sizeof jl - 1);
	tu_write_file(tu_path("really_gz.jsonl"), z.data, z.len);
	read_corpus(tu_path("really_gz.jsonl"), &v);
	CHECK(v.rc == 0 && v.docs == 2);
	CHECK(strstr(v.notes.data, "gzip-compressed although its name") != NULL);
	seen_release(&v);
	/* a .txt that holds WARC records: read as WARC, with a note */
	const char warc[] = "WARC/1.0\r\nWARC-Type: conversion\r\n"
			    "Content-Length: 5\r\n\r\nhello\r\n\r\n";
	tu_write_file(tu_path("w.txt"), warc, sizeof warc - 1);
	read_corpus(tu_path("w.txt"), &v);
	CHECK(v.rc == 0 && v.docs == 1 && strcmp(v.text.data, "hello") == 0);
	CHECK(strstr(v.notes.data, "named like text but holds WARC") != NULL);
	seen_release(&v);

	/* UTF-16 corpus text is transcoded, not indexed as garbage */
	tu_write_file(tu_path("u16.txt"), "\xff\xfe" "o\0k\0 \0\xe9\0\n\0", 12);
	read_corpus(tu_path("u16.txt"), &v);
	CHECK(v.rc == 0 && v.docs == 1 && strcmp(v.text.data, "ok \xc3\xa9\n") == 0);
	seen_release(&v);
	const char u16jl[] = "{\0\"\0t\0e\0x\0t\0\"\0:\0\"\0h\0i\0\"\0}\0\n\0";
	tu_write_file(tu_path("u16.jsonl"), u16jl, sizeof u16jl - 1);
	read_corpus(tu_path("u16.jsonl"), &v);
	CHECK(v.rc == 0 && v.docs == 1 && strcmp(v.text.data, "hi") == 0);
	CHECK(strstr(v.notes.data, "without a byte order mark") != NULL);
	seen_release(&v);

	/* refused: the message names the file and what was seen */
	unsigned char elf[2048] = "\x7f" "ELF\x02\x01\x01";
	tu_write_file(tu_path("prog"), elf, sizeof elf);
	read_corpus(tu_path("prog"), &v);
	CHECK(v.rc == CONTAM_E_FORMAT && strstr(v.err.msg, "prog' is an ELF"));
	seen_release(&v);
	CHECK(creader_sniff(tu_path("prog"), &k, &err) == CONTAM_E_FORMAT);
	tu_write_file(tu_path("t.parquet"), "PAR1\x15\x04\x15\x10PAR1", 12);
	read_corpus(tu_path("t.parquet"), &v);
	/* read as Parquet, and this one's footer is refused */
	CHECK(v.rc == CONTAM_E_FORMAT && strstr(v.err.msg, "footer length"));
	seen_release(&v);
	/* an ELF file gzip-compressed and named .jsonl.gz: still refused */
	cbuf_reset(&z);
	gz_append(&z, elf, sizeof elf);
	tu_write_file(tu_path("hidden.jsonl.gz"), z.data, z.len);
	read_corpus(tu_path("hidden.jsonl.gz"), &v);
	CHECK(v.rc == CONTAM_E_FORMAT &&
	      strstr(v.err.msg, "ELF executable or object file (magic 7f ELF) "
		     "once gzip-decompressed"));
	seen_release(&v);
	/* NUL-heavy data with no name: refused; named .txt: read as named */
	unsigned char nul[4096];
	memset(nul, 0, sizeof nul);
	memcpy(nul, "words", 5);
	tu_write_file(tu_path("blob"), nul, sizeof nul);
	CHECK(creader_sniff(tu_path("blob"), &k, &err) == CONTAM_E_FORMAT &&
	      strstr(err.msg, "binary data"));
	tu_write_file(tu_path("blob.txt"), nul, sizeof nul);
	CHECK(creader_sniff(tu_path("blob.txt"), &k, &err) == 0 &&
	      k == CONTAM_INPUT_TEXT);

	/* an archive with an unknown name, xz-compressed tar */
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_xz(a);
	CHECK(archive_write_open_filename(a, tu_path("noname")) == ARCHIVE_OK);
	const char *names[] = { "a.jsonl", "b.png" };
	const char *datas[] = { jl, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR" };
	size_t lens[] = { sizeof jl - 1, 16 };
	for (int i = 0; i < 2; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, datas[i], lens[i]);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	CHECK(creader_detect(tu_path("noname")) == CONTAM_INPUT_ARCHIVE);
	read_corpus(tu_path("noname"), &v);
	/* the PNG member is a counted skip, not a document */
	CHECK(v.rc == 0 && v.docs == 2);
	CHECK(strstr(v.notes.data, "member 'b.png' skipped") != NULL);
	seen_release(&v);
	cbuf_release(&z);
}

/* ------------------------------------------------------------------ */
/* The benchmark reader on what was detected                           */

static uint64_t bench_count(const char *path, cerr *err, seen *notes)
{
	bench_options o = { 0 };
	if (notes) {
		o.on_warning = note_cb;
		o.ctx = notes;
	}
	bench_reader *r = NULL;
	bench_example ex;
	uint64_t n = 0;
	cerr_clear(err);
	if (bench_reader_open(&r, path, &o, err) < 0)
		return UINT64_MAX;
	int rc;
	while ((rc = bench_reader_next(r, &ex, err)) == 1)
		n++;
	bench_reader_free(r);
	return rc < 0 ? UINT64_MAX : n;
}

static void zip_file(const char *path, int nmembers, const char *data,
		     size_t len)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	CHECK(archive_write_open_filename(a, path) == ARCHIVE_OK);
	for (int i = 0; i < nmembers; i++) {
		char name[32];
		snprintf(name, sizeof name, "part%d.jsonl", i);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, name);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, data, len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void test_bench(void)
{
	cerr err;
	cbuf z = CBUF_INIT;
	seen v;
	const char jl[] = "{\"q\":\"one two three\"}\n{\"q\":\"four five\"}\n"
			  "{\"q\":\"six\"}\n";

	memset(&v, 0, sizeof v);
	/* a zip with one member: read as that member */
	zip_file(tu_path("one.zip"), 1, jl, sizeof jl - 1);
	CHECK_EQ_U64(bench_count(tu_path("one.zip"), &err, NULL), 3);
	/* more members: refused, naming them */
	zip_file(tu_path("two.zip"), 2, jl, sizeof jl - 1);
	CHECK(bench_count(tu_path("two.zip"), &err, NULL) == UINT64_MAX);
	CHECK(err.code == CONTAM_E_FORMAT && strstr(err.msg, "2 files") &&
	      strstr(err.msg, "'part0.jsonl', 'part1.jsonl'"));
	/* a gzip-compressed tar of one CSV file, with no telling name */
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	CHECK(archive_write_open_filename(a, tu_path("bench.bin")) == ARCHIVE_OK);
	const char csv[] = "question,answer\nq1,a1\nq2,a2\n";
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "dir/test.csv");
	archive_entry_set_size(e, (la_int64_t)(sizeof csv - 1));
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_write_header(a, e);
	archive_write_data(a, csv, sizeof csv - 1);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	CHECK_EQ_U64(bench_count(tu_path("bench.bin"), &err, NULL), 2);
	/* bzip2 / xz text, one example per line */
	bz2_append(&z, "a b c\nd e f\n\ng h i\n", 19);
	tu_write_file(tu_path("b.txt.bz2"), z.data, z.len);
	CHECK_EQ_U64(bench_count(tu_path("b.txt.bz2"), &err, NULL), 3);
	cbuf_reset(&z);
	xz_append(&z, jl, sizeof jl - 1);
	tu_write_file(tu_path("b.jsonl.xz"), z.data, z.len);
	CHECK_EQ_U64(bench_count(tu_path("b.jsonl.xz"), &err, NULL), 3);
	/* a .jsonl that is gzip: read, with a note */
	cbuf_reset(&z);
	gz_append(&z, jl, sizeof jl - 1);
	tu_write_file(tu_path("gz.jsonl"), z.data, z.len);
	CHECK_EQ_U64(bench_count(tu_path("gz.jsonl"), &err, &v), 3);
	cbuf_reserve(&v.notes, 1);
	CHECK(v.notes.data && strstr(v.notes.data, "gzip-compressed although"));
	/* UTF-16 (PowerShell's >): transcoded, two examples */
	tu_write_file(tu_path("ps.txt"), "\xff\xfe" "a\0 \0b\0\r\0\n\0c\0\r\0\n\0", 18);
	CHECK_EQ_U64(bench_count(tu_path("ps.txt"), &err, NULL), 2);
	/* refused: Parquet, ELF, NUL-heavy data without a known name */
	tu_write_file(tu_path("t.parquet"), "PAR1\x15\x04\x15\x10PAR1", 12);
	CHECK(bench_count(tu_path("t.parquet"), &err, NULL) == UINT64_MAX &&
	      err.code == CONTAM_E_FORMAT && strstr(err.msg, "footer length"));
	unsigned char elf[1024] = "\x7f" "ELF\x02\x01\x01";
	tu_write_file(tu_path("ls"), elf, sizeof elf);
	CHECK(bench_count(tu_path("ls"), &err, NULL) == UINT64_MAX &&
	      err.code == CONTAM_E_FORMAT && strstr(err.msg, "'") &&
	      strstr(err.msg, "ls' is an ELF executable"));
	unsigned char bin[4096];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 13 % 256);
	tu_write_file(tu_path("data.bin"), bin, sizeof bin);
	CHECK(bench_count(tu_path("data.bin"), &err, NULL) == UINT64_MAX &&
	      strstr(err.msg, "binary data"));
	/* no extension: by content, with a note */
	cbuf_reset(&v.notes);
	tu_write_file(tu_path("noext"), jl, sizeof jl - 1);
	CHECK_EQ_U64(bench_count(tu_path("noext"), &err, &v), 3);
	cbuf_reserve(&v.notes, 1);
	CHECK(strstr(v.notes.data, "read as JSON") != NULL);
	cbuf_release(&v.notes);
	cbuf_release(&z);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const char *base = getenv("TMPDIR");
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "%s/contam-sniff-XXXXXX",
		 base && base[0] ? base : "/tmp");
	if (!mkdtemp(tu_tmpdir)) {
		fprintf(stderr, "cannot create a temporary directory: %s\n",
			strerror(errno));
		return 1;
	}
	test_magic();
	test_bzip2_xz();
	test_zstd_long();
	test_gzip_long_name();
	test_utf16();
	test_peek();
	test_shrink();
	test_corpus();
	test_bench();
	nftw(tu_tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tu_finish("sniff");
}
