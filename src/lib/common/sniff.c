/*
 * sniff.c -- classify a file from its first bytes (see sniff.h).
 *
 * How it decides, in order:
 *   1. byte order marks: UTF-32 (FF FE 00 00, 00 00 FE FF) before
 *      UTF-16 (FF FE, FE FF), then UTF-8 (EF BB BF, text);
 *   2. magic numbers, longest and least ambiguous first (table below);
 *      a tar is recognized by "ustar" at offset 257 or, for old v7
 *      tars without it, by a valid header checksum;
 *   3. no magic: UTF-16 without a byte order mark when at least 30% of
 *      the odd bytes (LE) or even bytes (BE) are NUL and at most 2% of
 *      the others (ASCII-range UTF-16: "a\0b\0"); then text unless more
 *      than 1% of the bytes are NUL or more than 10% are control bytes
 *      other than tab, line breaks, form feed and escape (at least two
 *      of either: one stray byte does not make a short file binary).  "MZ" (PE
 *      executables), "ORC", Arrow's stream marker ff ff ff ff and a
 *      pickle's 80 0N are weak magics and only count when the bytes are
 *      not text.
 * The thresholds leave real text alone (one stray NUL in a 4 KiB head
 * is still text) and catch every binary format tried, compressed or
 * not: binary data is dense in NULs and control bytes.
 */
#include "sniff.h"
#include "stream.h"

#include <stdio.h>

typedef struct magic {
	size_t off;
	const char *bytes;
	size_t len;
	csniff_kind kind;
	const char *what;   /* completes "'x' is ..." */
} magic;

#define M(off, s, kind, what) { off, s, sizeof(s) - 1, kind, what }

static const magic magics[] = {
	M(0, "\x1f\x8b", CSNIFF_GZIP, "gzip-compressed (magic 1f 8b)"),
	M(0, "\x28\xb5\x2f\xfd", CSNIFF_ZSTD, "zstd-compressed (magic 28 b5 2f fd)"),
	M(0, "\xfd" "7zXZ\0", CSNIFF_XZ, "xz-compressed (magic fd 37 7a 58 5a 00)"),
	M(0, "\x04\x22\x4d\x18", CSNIFF_LZ4, "lz4-compressed (magic 04 22 4d 18)"),
	M(0, "\x02\x21\x4c\x18", CSNIFF_LZ4, "lz4-compressed (legacy magic 02 21 4c 18)"),
	M(0, "LZIP", CSNIFF_LZIP, "lzip-compressed (magic LZIP)"),
	M(0, "\x1f\x9d", CSNIFF_COMPRESS, "compressed with Unix compress (magic 1f 9d)"),
	M(0, "PK\003\004", CSNIFF_ZIP, "a zip archive (magic PK 03 04)"),
	M(0, "PK\005\006", CSNIFF_ZIP, "an empty zip archive (magic PK 05 06)"),
	M(0, "PK\007\010", CSNIFF_ZIP, "a zip archive (magic PK 07 08)"),
	M(0, "7z\xbc\xaf\x27\x1c", CSNIFF_7Z, "a 7z archive (magic 37 7a bc af 27 1c)"),
	M(0, "Rar!\x1a\x07", CSNIFF_RAR, "a RAR archive (magic Rar!)"),
	M(0, "070701", CSNIFF_CPIO, "a cpio archive (magic 070701)"),
	M(0, "070702", CSNIFF_CPIO, "a cpio archive (magic 070702)"),
	M(0, "070707", CSNIFF_CPIO, "a cpio archive (magic 070707)"),
	M(0, "\xc7\x71", CSNIFF_CPIO, "a cpio archive (binary magic c7 71)"),
	M(0, "PAR1", CSNIFF_PARQUET, "a Parquet file (magic PAR1)"),
	M(0, "PARE", CSNIFF_PARQUET, "an encrypted Parquet file (magic PARE)"),
	M(0, "ARROW1", CSNIFF_ARROW, "an Arrow IPC file (magic ARROW1)"),
	M(0, "FEA1", CSNIFF_ARROW, "a Feather v1 file (magic FEA1)"),
	M(0, "GGUF", CSNIFF_NUMPY, "a GGUF model file (magic GGUF)"),
	M(0, "Obj\x01", CSNIFF_AVRO, "an Avro container file (magic Obj 01)"),
	M(0, "SQLite format 3", CSNIFF_SQLITE, "an SQLite database (magic 'SQLite format 3')"),
	M(0, "\x89HDF\r\n\x1a\n", CSNIFF_HDF5, "an HDF5 file (magic 89 HDF)"),
	M(0, "\x93NUMPY", CSNIFF_NUMPY, "a NumPy array file (magic 93 NUMPY)"),
	M(0, "\x7f" "ELF", CSNIFF_ELF, "an ELF executable or object file (magic 7f ELF)"),
	M(0, "\xfe\xed\xfa\xce", CSNIFF_MACHO, "a Mach-O executable (magic fe ed fa ce)"),
	M(0, "\xfe\xed\xfa\xcf", CSNIFF_MACHO, "a Mach-O executable (magic fe ed fa cf)"),
	M(0, "\xce\xfa\xed\xfe", CSNIFF_MACHO, "a Mach-O executable (magic ce fa ed fe)"),
	M(0, "\xcf\xfa\xed\xfe", CSNIFF_MACHO, "a Mach-O executable (magic cf fa ed fe)"),
	M(0, "\xca\xfe\xba\xbe", CSNIFF_MACHO, "a Mach-O universal binary or Java class file (magic ca fe ba be)"),
	M(0, "\x89PNG\r\n\x1a\n", CSNIFF_PNG, "a PNG image (magic 89 PNG)"),
	M(0, "\xff\xd8\xff", CSNIFF_JPEG, "a JPEG image (magic ff d8 ff)"),
	M(0, "GIF87a", CSNIFF_GIF, "a GIF image (magic GIF87a)"),
	M(0, "GIF89a", CSNIFF_GIF, "a GIF image (magic GIF89a)"),
	M(8, "WEBP", CSNIFF_WEBP, "a WebP image (magic RIFF....WEBP)"),
	M(0, "%PDF-", CSNIFF_PDF, "a PDF document (magic %PDF-)"),
	M(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", CSNIFF_OLE, "an OLE2 compound file, such as a .doc or .xls (magic d0 cf 11 e0)"),
};

static const struct {
	csniff_kind kind;
	const char *name;
	csniff_class cls;
} kinds[] = {
	{ CSNIFF_EMPTY, "empty", CSNIFF_IS_TEXT },
	{ CSNIFF_TEXT, "text", CSNIFF_IS_TEXT },
	{ CSNIFF_UTF16LE, "UTF-16LE text", CSNIFF_IS_TEXT },
	{ CSNIFF_UTF16BE, "UTF-16BE text", CSNIFF_IS_TEXT },
	{ CSNIFF_UTF32, "UTF-32 text", CSNIFF_IS_REFUSED },
	{ CSNIFF_GZIP, "gzip", CSNIFF_IS_CODEC },
	{ CSNIFF_ZSTD, "zstd", CSNIFF_IS_CODEC },
	{ CSNIFF_BZIP2, "bzip2", CSNIFF_IS_CODEC },
	{ CSNIFF_XZ, "xz", CSNIFF_IS_CODEC },
	{ CSNIFF_LZ4, "lz4", CSNIFF_IS_REFUSED },
	{ CSNIFF_LZIP, "lzip", CSNIFF_IS_REFUSED },
	{ CSNIFF_COMPRESS, "compress (.Z)", CSNIFF_IS_REFUSED },
	{ CSNIFF_LZMA, "lzma", CSNIFF_IS_CODEC },
	{ CSNIFF_ZIP, "zip", CSNIFF_IS_ARCHIVE },
	{ CSNIFF_7Z, "7z", CSNIFF_IS_ARCHIVE },
	{ CSNIFF_TAR, "tar", CSNIFF_IS_ARCHIVE },
	/* refused: libarchive allocates a cpio header's name size as given
	 * (8 hex digits: 4 GiB from a 126-byte file, found by fuzz_jsonl) */
	{ CSNIFF_CPIO, "cpio", CSNIFF_IS_REFUSED },
	{ CSNIFF_RAR, "RAR", CSNIFF_IS_REFUSED },
	{ CSNIFF_PARQUET, "Parquet", CSNIFF_IS_REFUSED },
	{ CSNIFF_ARROW, "Arrow", CSNIFF_IS_REFUSED },
	{ CSNIFF_ORC, "ORC", CSNIFF_IS_REFUSED },
	{ CSNIFF_AVRO, "Avro", CSNIFF_IS_REFUSED },
	{ CSNIFF_SQLITE, "SQLite", CSNIFF_IS_REFUSED },
	{ CSNIFF_HDF5, "HDF5", CSNIFF_IS_REFUSED },
	{ CSNIFF_NUMPY, "array or model", CSNIFF_IS_REFUSED },
	{ CSNIFF_PICKLE, "Python pickle", CSNIFF_IS_REFUSED },
	{ CSNIFF_ELF, "ELF executable", CSNIFF_IS_REFUSED },
	{ CSNIFF_MACHO, "Mach-O executable", CSNIFF_IS_REFUSED },
	{ CSNIFF_PE, "Windows executable", CSNIFF_IS_REFUSED },
	{ CSNIFF_PNG, "PNG image", CSNIFF_IS_REFUSED },
	{ CSNIFF_JPEG, "JPEG image", CSNIFF_IS_REFUSED },
	{ CSNIFF_GIF, "GIF image", CSNIFF_IS_REFUSED },
	{ CSNIFF_WEBP, "WebP image", CSNIFF_IS_REFUSED },
	{ CSNIFF_PDF, "PDF", CSNIFF_IS_REFUSED },
	{ CSNIFF_OLE, "OLE2 document", CSNIFF_IS_REFUSED },
	{ CSNIFF_NOT_UTF8, "non-UTF-8 text", CSNIFF_IS_REFUSED },
	{ CSNIFF_BINARY, "binary data", CSNIFF_IS_REFUSED },
};

csniff_class csniff_class_of(csniff_kind kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].cls;
	return CSNIFF_IS_REFUSED;
}

const char *csniff_name(csniff_kind kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "unknown";
}

/* bzip2: "BZh", a block size digit, then the first block's magic (pi)
 * or, for an empty stream, the end-of-stream magic (sqrt(pi)). */
static int is_bzip2(const unsigned char *p, size_t n)
{
	if (n < 4 || memcmp(p, "BZh", 3) != 0 || p[3] < '1' || p[3] > '9')
		return 0;
	if (n < 10)
		return 1;
	return memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
	       memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0;
}

/* A tar header block: "ustar" at 257, or a valid checksum (v7 tar). */
static int is_tar(const unsigned char *p, size_t n)
{
	if (n < 512)
		return 0;
	if (memcmp(p + 257, "ustar", 5) == 0)
		return 1;
	/* checksum: octal at 148..155, computed with that field as spaces */
	unsigned long want = 0;
	int digits = 0;
	for (size_t i = 148; i < 156; i++) {
		if (p[i] >= '0' && p[i] <= '7') {
			want = want * 8 + (unsigned long)(p[i] - '0');
			digits++;
		} else if (p[i] != ' ' && p[i] != '\0') {
			return 0;
		} else if (digits) {
			break;
		}
	}
	if (digits == 0 || p[0] == '\0')
		return 0;
	unsigned long sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : p[i];
	return sum == want;
}

/* lzma_alone: properties byte 0x5d (the xz/lzma default), a dictionary
 * size, then an uncompressed size that is either unknown (all ff) or
 * plausible. */
int csniff_lzma_alone(const unsigned char *p, size_t n)
{
	if (n < 13 || p[0] != 0x5d || p[1] != 0 || p[2] != 0)
		return 0;
	int unknown = 1;
	for (size_t i = 5; i < 13; i++)
		unknown &= p[i] == 0xff;
	return unknown || p[12] == 0;
}

/* ASCII cpio: the magic is followed by 8 hex digits (the inode). */
static int is_hex8(const unsigned char *p, size_t n)
{
	if (n < 8)
		return 0;
	for (size_t i = 0; i < 8; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return 0;
	return 1;
}

/* Bytes of p[0..n) that are not part of a well-formed UTF-8 sequence
 * (overlong forms, surrogates and code points over U+10FFFF included).
 * A sequence cut by the end of p is not counted unless `whole` (p is all
 * of the data, not a file's head); *first gets the offset of the first
 * bad byte when there is one. */
static size_t invalid_utf8_bytes(const unsigned char *p, size_t n, int whole,
				 size_t *first)
{
	size_t bad = 0, i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
			   : c >= 0xe0 && c <= 0xef ? 3
			   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (len == 1) {
			i++;
			continue;
		}
		/* the second byte's range narrows for these leads */
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		size_t j = 1;
		while (len && j < len && i + j < n) {
			unsigned char d = p[i + j];
			if (d < (j == 1 ? lo : 0x80) || d > (j == 1 ? hi : 0xbf))
				break;
			j++;
		}
		if (len && j == len) {
			i += len;
		} else if (len && i + j == n && !whole) {
			break; /* cut by the end of the head */
		} else {
			if (!bad && first)
				*first = i;
			bad++;
			i++;
		}
	}
	return bad;
}

/* Whether the non-ASCII bytes of p[0..n) are, almost all (98%), the
 * double-byte characters of a legacy CJK encoding: GBK (lead 81-fe,
 * trail 40-7e or 80-fe), Shift-JIS (lead 81-9f or e0-fc, trail 40-7e or
 * 80-fc; a1-df alone are half-width katakana) or EUC (a1-fe twice).
 * Text in one of them is what a legacy encoding looks like; invalid
 * UTF-8 that does not fit (stray bytes, a damaged line, lone
 * continuation bytes) is damage in UTF-8 text, which is read, each bad
 * byte a separator. */
/* Which legacy encoding the pairs most likely are: Japanese text is a
 * third or more kana (Shift-JIS leads 82/83, EUC-JP a4/a5 with trails
 * a1-fe, as all of EUC's), Korean mostly hangul syllables (EUC-KR leads
 * b0-c8); Big5's frequent characters have trails 40-7e in a fifth or
 * more of its pairs, and no lead under a1; else Chinese, read as GBK (a
 * superset of GB2312).  A guess for the advice only: the file is refused
 * anyway. */
static const char *likely_legacy_cjk(const unsigned char *p, size_t n)
{
	size_t pairs = 0, sjis_kana = 0, euc_kana = 0, hangul = 0, low_trail = 0,
	       low_lead = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] < 0x81)
			continue;
		pairs++;
		sjis_kana += p[i] == 0x82 || p[i] == 0x83;
		euc_kana += p[i] == 0xa4 || p[i] == 0xa5;
		hangul += p[i] >= 0xb0 && p[i] <= 0xc8 && p[i + 1] >= 0xa1;
		low_trail += p[i + 1] < 0xa1;
		low_lead += p[i] < 0xa1;
		i++;
	}
	if (!pairs)
		return "GBK";
	if (3 * sjis_kana >= pairs)
		return "SHIFT_JIS";
	if (3 * euc_kana >= pairs && 50 * low_trail <= pairs)
		return "EUC-JP";
	if (10 * hangul >= 9 * pairs && 50 * low_trail <= pairs)
		return "EUC-KR";
	if (5 * low_trail >= pairs && !low_lead)
		return "BIG5";
	return "GBK";
}

static int fits_legacy_cjk(const unsigned char *p, size_t n)
{
	for (int scheme = 0; scheme < 3; scheme++) {
		size_t good = 0, bad = 0, i = 0;
		while (i < n) {
			unsigned c = p[i];
			if (c < 0x80) {
				i++;
				continue;
			}
			if (scheme == 1 && c >= 0xa1 && c <= 0xdf) {
				good++;
				i++;
				continue;
			}
			int lead = scheme == 0 ? c >= 0x81 && c <= 0xfe
				 : scheme == 1 ? (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)
				 : c >= 0xa1 && c <= 0xfe;
			if (lead && i + 1 == n)
				break; /* cut by the end of the head */
			unsigned d = i + 1 < n ? p[i + 1] : 0;
			int trail = scheme == 0 ? (d >= 0x40 && d <= 0x7e) || (d >= 0x80 && d <= 0xfe)
				  : scheme == 1 ? (d >= 0x40 && d <= 0x7e) || (d >= 0x80 && d <= 0xfc)
				  : d >= 0xa1 && d <= 0xfe;
			if (lead && trail) {
				good += 2;
				i += 2;
			} else {
				bad++;
				i++;
			}
		}
		if (good >= 32 && bad * 50 <= good)
			return 1;
	}
	return 0;
}

static void set(csniff *out, csniff_kind kind, const char *what)
{
	out->kind = kind;
	snprintf(out->what, sizeof out->what, "%s", what);
}

csniff_kind csniff_bytes(const void *data, size_t n, csniff *out)
{
	const unsigned char *p = data;

	memset(out, 0, sizeof *out);
	if (n == 0) {
		set(out, CSNIFF_EMPTY, "empty");
		return out->kind;
	}
	/* 1. byte order marks */
	if (n >= 4 && (memcmp(p, "\xff\xfe\0\0", 4) == 0 ||
		       memcmp(p, "\0\0\xfe\xff", 4) == 0)) {
		set(out, CSNIFF_UTF32, p[0] ? "UTF-32LE text (byte order mark ff fe 00 00)"
					    : "UTF-32BE text (byte order mark 00 00 fe ff)");
		out->bom = 4;
		snprintf(out->advice, sizeof out->advice,
			 "; contam reads UTF-8 and UTF-16: convert it first "
			 "(iconv -f UTF-32 -t UTF-8)");
		return out->kind;
	}
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		set(out, CSNIFF_UTF16LE, "UTF-16LE text (byte order mark ff fe)");
		out->bom = 2;
		return out->kind;
	}
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		set(out, CSNIFF_UTF16BE, "UTF-16BE text (byte order mark fe ff)");
		out->bom = 2;
		return out->kind;
	}
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		set(out, CSNIFF_TEXT, "UTF-8 text (with a byte order mark)");
		out->bom = 3;
		return out->kind;
	}
	/* 2. magic numbers */
	if (is_bzip2(p, n)) {
		set(out, CSNIFF_BZIP2, "bzip2-compressed (magic BZh)");
		return out->kind;
	}
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
		const magic *m = &magics[i];
		if (n >= m->off + m->len && memcmp(p + m->off, m->bytes, m->len) == 0 &&
		    (m->kind != CSNIFF_WEBP || memcmp(p, "RIFF", 4) == 0) &&
		    (m->kind != CSNIFF_CPIO || m->len != 6 || is_hex8(p + 6, n - 6))) {
			set(out, m->kind, m->what);
			return out->kind;
		}
	}
	if (is_tar(p, n)) {
		set(out, CSNIFF_TAR, memcmp(p + 257, "ustar", 5) == 0
		    ? "a tar archive (magic ustar)" : "a tar archive (v7 header)");
		return out->kind;
	}
	if (csniff_lzma_alone(p, n)) {
		set(out, CSNIFF_LZMA, "lzma-compressed (lzma_alone header 5d 00 00)");
		return out->kind;
	}

	/* 3. text or not */
	size_t pairs = n / 2, z_even = 0, z_odd = 0, nul = 0, ctl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == 0) {
			nul++;
			if (i / 2 < pairs) {
				if (i & 1)
					z_odd++;
				else
					z_even++;
			}
		} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
			   c != '\f' && c != '\v' && c != 0x1b) {
			ctl++;
		} else if (c == 0x7f) {
			ctl++;
		}
	}
	if (pairs >= 4) {
		if (z_odd * 10 >= pairs * 3 && z_even * 50 <= pairs) {
			set(out, CSNIFF_UTF16LE, "UTF-16LE text without a byte order "
			    "mark (NUL in every other byte)");
			return out->kind;
		}
		if (z_even * 10 >= pairs * 3 && z_odd * 50 <= pairs) {
			set(out, CSNIFF_UTF16BE, "UTF-16BE text without a byte order "
			    "mark (NUL in every other byte)");
			return out->kind;
		}
	}
	if ((nul >= 2 && nul * 100 > n) || (ctl >= 2 && ctl * 10 > n)) {
		char what[160];
		if (n >= 2 && p[0] == 'M' && p[1] == 'Z') {
			set(out, CSNIFF_PE, "a Windows executable (magic MZ)");
			return out->kind;
		}
		if (n >= 8 && memcmp(p, "\xff\xff\xff\xff", 4) == 0) {
			set(out, CSNIFF_ARROW, "an Arrow IPC stream, such as a "
			    "Hugging Face datasets .arrow file (continuation "
			    "marker ff ff ff ff)");
			return out->kind;
		}
		if (n >= 3 && memcmp(p, "ORC", 3) == 0) {
			set(out, CSNIFF_ORC, "an ORC file (magic ORC)");
			return out->kind;
		}
		if (n >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5) {
			set(out, CSNIFF_PICKLE, "a Python pickle (magic 80 0N)");
			return out->kind;
		}
		snprintf(what, sizeof what, "binary data (%zu NUL and "
			 "%zu other control bytes in the first %zu)", nul, ctl, n);
		set(out, CSNIFF_BINARY, what);
		return out->kind;
	}
	/* Legacy encodings: Shift-JIS, GBK or EUC-KR text is mostly
	 * invalid UTF-8, and its high bytes pair up as that encoding's
	 * characters; it is refused.  Other invalid UTF-8 is read as
	 * damage (each bad byte a separator): Latin-1 cannot be told from
	 * damage by its bytes, and Project Gutenberg's cp1252 books have a
	 * curly quote in 1-1.5% of them, a separator anyway.  A WARC file
	 * is exempt: each record's payload has its own charset (EUC-JP
	 * pages of a ClueWeb09-ja excerpt in its first 4 KiB). */
	size_t bad = n >= 5 && memcmp(p, "WARC/", 5) == 0 ? 0 : invalid_utf8_bytes(p, n, 0, NULL);
	if (bad >= 8 && bad * 50 > n && fits_legacy_cjk(p, n)) {
		char what[160];
		const char *likely = likely_legacy_cjk(p, n);
		snprintf(what, sizeof what, "text in a legacy CJK encoding (%zu "
			 "of the first %zu bytes are not UTF-8; they pair up as "
			 "GBK, Shift-JIS or EUC)", bad, n);
		set(out, CSNIFF_NOT_UTF8, what);
		snprintf(out->advice, sizeof out->advice,
			 "; contam reads UTF-8 and UTF-16: convert it first "
			 "from its encoding, most likely %s: iconv -f %s -t UTF-8 "
			 "(else one of GBK, GB18030, BIG5, SHIFT_JIS, EUC-JP, "
			 "EUC-KR)", likely, likely);
		return out->kind;
	}
	set(out, CSNIFF_TEXT, "text");
	return out->kind;
}

size_t csniff_not_utf8(const void *p, size_t n, size_t *first)
{
	return invalid_utf8_bytes(p, n, 1, first);
}

int csniff_is_utf8_text(const void *p, size_t n, int whole)
{
	const unsigned char *s = p;
	size_t i = 0;
	while (i < n && s[i] < 0x80)
		i++;
	/* a complete multibyte character first: a lone lead byte cut by
	 * the end proves nothing */
	if (i + 1 >= n || invalid_utf8_bytes(s + i, n - i, whole, NULL) != 0)
		return 0;
	size_t len = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
	return i + len <= n;
}

void csniff_inside(csniff *dn, csniff_kind codec)
{
	char what[sizeof dn->what];
	if (csniff_class_of(dn->kind) == CSNIFF_IS_CODEC) {
		snprintf(what, sizeof what, "%s data inside %s compression",
			 csniff_name(dn->kind), csniff_name(codec));
		snprintf(dn->advice, sizeof dn->advice,
			 "; decompress it once first");
	} else {
		snprintf(what, sizeof what, "%.100s once %s-decompressed",
			 dn->what, csniff_name(codec));
	}
	memcpy(dn->what, what, sizeof what);
}

void csniff_refusal(const csniff *sn, const char *path, char *msg,
		    size_t msglen)
{
	const char *advice = sn->advice;
	char buf[640];

	if (!advice[0]) {
		switch (sn->kind) {
		case CSNIFF_PARQUET:
		case CSNIFF_ARROW:
		case CSNIFF_ORC:
		case CSNIFF_AVRO:
			snprintf(buf, sizeof buf, "; contam cannot read %s yet: "
				 "convert it to JSONL first, e.g. duckdb -c "
				 "\"COPY (FROM '%s') TO 'out.jsonl'\" or python3 "
				 "-c \"import pandas; pandas.read_%s('%s')"
				 ".to_json('out.jsonl', orient='records', "
				 "lines=True, force_ascii=False)\"",
				 csniff_name(sn->kind), path,
				 sn->kind == CSNIFF_ORC ? "orc" :
				 sn->kind == CSNIFF_ARROW ? "feather" : "parquet",
				 path);
			advice = buf;
			break;
		case CSNIFF_LZ4:
		case CSNIFF_LZIP:
		case CSNIFF_COMPRESS:
			advice = "; contam decompresses gzip, zstd, bzip2, xz and "
				 "lzma only: recompress it with one of those";
			break;
		case CSNIFF_RAR:
		case CSNIFF_CPIO:
			advice = "; contam reads tar, zip and 7z archives only: "
				 "extract it (or repack it as tar) first";
			break;
		case CSNIFF_SQLITE:
		case CSNIFF_HDF5:
		case CSNIFF_NUMPY:
		case CSNIFF_PICKLE:
		case CSNIFF_OLE:
			advice = "; contam cannot read it: export the text to "
				 "JSONL or plain text first";
			break;
		default:
			advice = ", not text: contam reads text (UTF-8 or UTF-16), "
				 "JSON/JSONL, CSV/TSV, WARC and archives of them";
			break;
		}
	}
	snprintf(msg, msglen, "'%s' is %s%s", path, sn->what, advice);
}

cstream_codec csniff_codec(csniff_kind k)
{
	switch (k) {
	case CSNIFF_GZIP: return CSTREAM_GZIP;
	case CSNIFF_ZSTD: return CSTREAM_ZSTD;
	case CSNIFF_BZIP2: return CSTREAM_BZIP2;
	case CSNIFF_XZ:
	case CSNIFF_LZMA: return CSTREAM_XZ;
	default: return CSTREAM_PLAIN;
	}
}
