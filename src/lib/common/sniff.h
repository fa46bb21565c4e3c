/*
 * sniff.h -- what a file is, from its first bytes.
 *
 * One classification shared by the corpus reader and the benchmark
 * reader, so that both read an input as what it is or refuse it with the
 * same words.  csniff_bytes() looks at magic numbers (compression,
 * archives, columnar and binary formats), byte order marks, and, for
 * anything else, at how text-like the bytes are (NULs, control bytes,
 * NULs in every other byte for UTF-16 without a byte order mark) and
 * whether they are UTF-8 (text in a legacy encoding such as Shift-JIS
 * or GBK would be read as replacement characters, and found clean).  It
 * never looks at the name.
 *
 * Call it twice: on the raw start of the file (is it compressed? an
 * archive? a format contam refuses?) and, for compressed files, on the
 * start of the decompressed data (cstream_peek), where a .gz can still
 * turn out to be a tar, an ELF file or UTF-16 text.
 */
#ifndef CONTAM_SNIFF_H
#define CONTAM_SNIFF_H

#include "common.h"
#include "stream.h"

typedef enum csniff_kind {
	CSNIFF_EMPTY = 0,    /* no bytes */
	CSNIFF_TEXT,         /* UTF-8 or ASCII (or 8-bit) text */
	CSNIFF_UTF16LE,      /* with or without a byte order mark */
	CSNIFF_UTF16BE,
	CSNIFF_UTF32,        /* refused */
	/* compressed: decoded by cstream */
	CSNIFF_GZIP,
	CSNIFF_ZSTD,
	CSNIFF_BZIP2,
	CSNIFF_XZ,
	CSNIFF_LZMA,         /* lzma_alone, .lzma (by the xz decoder) */
	/* compressed in a way contam does not decode: refused */
	CSNIFF_LZ4,
	CSNIFF_LZIP,
	CSNIFF_COMPRESS,     /* Unix compress, .Z */
	/* archives: read member by member (libarchive) */
	CSNIFF_ZIP,
	CSNIFF_7Z,
	CSNIFF_TAR,
	CSNIFF_CPIO,
	CSNIFF_RAR,          /* refused */
	/* data and binary formats: refused */
	CSNIFF_PARQUET,
	CSNIFF_ARROW,
	CSNIFF_ORC,
	CSNIFF_AVRO,
	CSNIFF_SQLITE,
	CSNIFF_HDF5,
	CSNIFF_NUMPY,        /* .npy, and model weights (GGUF) */
	CSNIFF_PICKLE,
	CSNIFF_ELF,
	CSNIFF_MACHO,
	CSNIFF_PE,
	CSNIFF_PNG,
	CSNIFF_JPEG,
	CSNIFF_GIF,
	CSNIFF_WEBP,
	CSNIFF_PDF,
	CSNIFF_OLE,          /* old MS Office .doc/.xls */
	CSNIFF_NOT_UTF8,     /* text in a legacy CJK encoding: refused */
	CSNIFF_BINARY        /* no known magic, but not text */
} csniff_kind;

typedef enum csniff_class {
	CSNIFF_IS_TEXT = 0,   /* EMPTY, TEXT, UTF16*: read as text */
	CSNIFF_IS_CODEC,      /* GZIP ZSTD BZIP2 XZ LZMA: decode, sniff again */
	CSNIFF_IS_ARCHIVE,    /* ZIP 7Z TAR CPIO */
	CSNIFF_IS_REFUSED     /* everything else */
} csniff_class;

/* What was seen.  `what` is a phrase that completes "'x' is ...", e.g.
 * "a Parquet file (magic PAR1)"; `advice` (may be empty) says what to
 * do instead, e.g. "convert it to JSONL (...)". */
typedef struct csniff {
	csniff_kind kind;
	int bom;              /* bytes of byte order mark at the start */
	char what[160];
	char advice[256];
} csniff;

/* Classify p[0..n): the start of a file (CSNIFF_HEAD bytes of it, or
 * all of a shorter one).  Returns out->kind. */
csniff_kind csniff_bytes(const void *p, size_t n, csniff *out);

csniff_class csniff_class_of(csniff_kind kind);
/* Short name: "gzip", "Parquet", "ELF executable", "UTF-16LE text" ... */
const char *csniff_name(csniff_kind kind);

/* The message for a refused input: "'path' is <what>; contam cannot
 * read it[: advice]" -- written into msg. */
void csniff_refusal(const csniff *sn, const char *path, char *msg,
		    size_t msglen);

/* Bytes of p[0..n) (all of a text) that are not UTF-8, as the
 * tokenizer's repair counts them (ctok not_utf8): each is read as a word
 * separator.  *first (may be NULL) gets the first one's offset. */
size_t csniff_not_utf8(const void *p, size_t n, size_t *first);

/* 1 if p[0..n) holds a whole multibyte UTF-8 character and every byte
 * >= 0x80 is well-formed UTF-8 (whole 0: p is the head of a text, and a
 * sequence cut at its end is allowed): text that is UTF-8, whatever a
 * label says (legacy CJK or Latin-1 text of any length is almost never
 * valid UTF-8 by chance). */
int csniff_is_utf8_text(const void *p, size_t n, int whole);

/* `dn` classified the data inside `codec` compression (a CSNIFF_IS_CODEC
 * kind): say so in its description, "an ELF executable ... once
 * gzip-decompressed" or, for compression inside compression, "gzip data
 * inside bzip2 compression; decompress it once first". */
void csniff_inside(csniff *dn, csniff_kind codec);

/* How many bytes of look-ahead csniff_bytes() wants to see. */
#define CSNIFF_HEAD 4096

/* The stream codec that decodes a compression kind (CSTREAM_PLAIN for
 * any other kind). */
cstream_codec csniff_codec(csniff_kind k);

/* lzma_alone (.lzma, xz --format=lzma): the default properties byte 5d,
 * a dictionary size, then an unknown (all ff) or plausible size. */
int csniff_lzma_alone(const unsigned char *p, size_t n);

#endif
