/*
 * stream.h -- decompressed byte streams over a file.
 *
 * One interface for plain files, gzip (any number of members, as Common
 * Crawl ships WARC/WET: one member per record), zstd (any number of
 * frames, windows up to 2 GiB), bzip2 and xz (any number of streams).
 * The codec is chosen from the first bytes of the file, not its name.
 * Damage is localized: a corrupt gzip member, zstd frame or bzip2/xz
 * stream is reported with its compressed offset and, unless the stream
 * is strict, reading resumes at the next member/frame/stream header.  Callers learn about
 * skipped damage through cstream_take_damage().
 */
#ifndef CONTAM_STREAM_H
#define CONTAM_STREAM_H

#include "common.h"

#include <stdio.h>

typedef enum cstream_codec {
	CSTREAM_PLAIN = 0,
	CSTREAM_GZIP,
	CSTREAM_ZSTD,
	CSTREAM_BZIP2,
	CSTREAM_XZ
} cstream_codec;

typedef struct cstream cstream;

/* Open `path`; sniff the codec from magic bytes.  gzip members are
 * inflated with isa-l when contam was built with it (faster) and the
 * configuration `fast` (NULL: the default) allows it (its isal field),
 * else with zlib: the choice is made at open. */
int cstream_open(cstream **out, const char *path, cerr *err); /* fast NULL */
/* The same; a FIFO is waited for (until it has a writer) without
 * blocking in open(), polling *stop (if not NULL) every 0.2 s: nonzero
 * gives CONTAM_E_INTERRUPTED. */
int cstream_open_wait(cstream **out, const char *path, const cfast *fast,
		      volatile int *stop, cerr *err);
/* Wrap an already open FILE (not closed by the stream unless `own`). */
int cstream_open_file(cstream **out, FILE *f, const char *name, int own,
		      const cfast *fast, cerr *err);

/* The inflater streams opened under `fast` (NULL: the default) use:
 * "isa-l" or "zlib" (tests compare the two by passing two
 * configurations). */
const char *cstream_inflater(const cfast *fast);

/* Read up to n decompressed bytes. Returns bytes read (> 0), 0 at the end,
 * or a negative CONTAM_E_* code with the message in err (fatal: only for
 * I/O errors, or damage when strict).  One call never returns bytes from
 * both sides of a damaged region: damage that cstream_take_damage()
 * reports right after a read lies just before that read's bytes. */
long cstream_read(cstream *s, void *buf, size_t n, cerr *err);

/* Look at the first decoded bytes without consuming them: decodes up to
 * n bytes (fewer at the end, or when damage follows them) into a side
 * buffer that the next reads return first; *p and *len show the bytes not
 * yet read (borrowed, valid until the next read).  Call before the first
 * read.  This is how a pipe or FIFO is sniffed without losing bytes. */
int cstream_peek(cstream *s, size_t n, const unsigned char **p, size_t *len,
		 cerr *err);
/* The raw (undecoded) bytes from offset 0 of the file, while they are
 * all still buffered (right after open): 1 with *p and *len set, else 0. */
int cstream_raw_head(const cstream *s, const unsigned char **p, size_t *len);
/* Make the stream hand out the raw bytes from offset 0 (codec plain),
 * for a reader that decodes itself (libarchive on a pipe); fails with
 * CONTAM_E_PARAM once the start of the file has left the buffer. */
int cstream_restart_raw(cstream *s, cerr *err);
/* Decode UTF-16 (little- or big-endian) to UTF-8 from here on: a byte
 * order mark is dropped, unpaired surrogates become U+FFFD.  Offsets
 * (cstream_bytes_out) count the UTF-8 bytes. */
int cstream_set_utf16(cstream *s, int big_endian, cerr *err);

/* When strict, damage is fatal (CONTAM_E_CORRUPT from cstream_read). */
void cstream_set_strict(cstream *s, int strict);

/* If damage was skipped since the last call, copy its description
 * ("corrupt gzip member at compressed offset 1234: ...", the first one
 * if several) into msg and return the number of damaged regions
 * skipped; 0 if none. */
int cstream_take_damage(cstream *s, char *msg, size_t msglen);

uint64_t cstream_bytes_in(const cstream *s);  /* compressed bytes consumed */
uint64_t cstream_bytes_out(const cstream *s); /* decompressed bytes produced */
cstream_codec cstream_get_codec(const cstream *s);
/* "gzip", "zstd", "bzip2", "xz" or "plain". */
const char *cstream_codec_name(cstream_codec c);
void cstream_free(cstream *s);

/* Read a whole (possibly compressed) file into memory, NUL-terminated;
 * fails with CONTAM_E_LIMIT above `limit` decompressed bytes and with
 * CONTAM_E_CORRUPT on any damage (small files such as benchmarks must be
 * read whole or not at all). *data is malloc'd. */
int cstream_read_all(const char *path, uint64_t limit, char **data,
		     size_t *len, cerr *err);
/* The same on an open stream, from where it is (damage is fatal). */
int cstream_read_rest(cstream *s, uint64_t limit, char **data, size_t *len,
		      cerr *err);

#endif
