/*
 * common.h -- small pieces every module uses: error records, growable
 * byte buffers, little-endian helpers.  Depends on nothing but libc.
 */
#ifndef CONTAM_COMMON_H
#define CONTAM_COMMON_H

#include "contam.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CERR_MSG_MAX 1024

/* An error record kept on a handle: a code and a message that names the
 * file and the offset or record where there is one. */
typedef struct cerr {
	int code;
	char msg[CERR_MSG_MAX];
} cerr;

static inline void cerr_clear(cerr *e) { e->code = 0; e->msg[0] = '\0'; }

/* Hand an internal error record to the caller's public one (NULL: none
 * wanted); returns e->code, so a failing call can end with
 * `return cerr_export(&err, out_err);`.  A failure always carries a
 * message (contam_strerror() of the code when nothing more was said),
 * a success an empty one. */
int cerr_export(const cerr *e, contam_error *out);
/* A constructor's failure handed over: code rc with the message its
 * half-built handle kept (h; NULL when the handle itself could not be
 * allocated: "out of memory").  The caller then frees the handle and
 * sets *out = NULL: a failed constructor returns no handle. */
int cerr_export_rc(int rc, const cerr *h, contam_error *out);

/* Set code and printf-style message; returns `code` so that callers can
 * write `return cerr_set(err, CONTAM_E_IO, "cannot open '%s'", p);`. */
int cerr_set(cerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Growable byte buffer (git's strbuf, reduced). data is always
 * NUL-terminated when len > 0 or after cbuf_reserve. */
typedef struct cbuf {
	char *data;
	size_t len, cap;
} cbuf;

#define CBUF_INIT { NULL, 0, 0 }

int cbuf_reserve(cbuf *b, size_t extra); /* CONTAM_OK or CONTAM_E_NOMEM */
int cbuf_append(cbuf *b, const void *p, size_t n);
static inline int cbuf_putc(cbuf *b, char c) { return cbuf_append(b, &c, 1); }
int cbuf_printf(cbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void cbuf_reset(cbuf *b) { b->len = 0; if (b->data) b->data[0] = '\0'; }
void cbuf_release(cbuf *b);
/* Hand the data to the caller (free() it) and reset the buffer. */
char *cbuf_detach(cbuf *b, size_t *len);

/* Append `s` as a JSON string literal, quotes included. Invalid UTF-8 is
 * written as U+FFFD so the output is always valid JSON. */
int cbuf_json_string(cbuf *b, const char *s, size_t n);

char *cstrdup(const char *s); /* NULL on NULL or out of memory */

/* Writing reports through a contam_sink.  csink_write writes n bytes
 * (none: nothing) and on failure puts the message in e ("cannot write
 * the output: No space left on device": errno's text when the sink left
 * one, else the code's); returns the sink's code. */
#include <stdio.h>
int csink_write(const contam_sink *s, const void *p, size_t n, cerr *e);
/* Write b's bytes through s and empty b. */
int csink_flush(const contam_sink *s, cbuf *b, cerr *e);
/* The end of a FILE* form: fflush(f) when rc is CONTAM_OK (CONTAM_E_IO
 * if that fails), errno kept as the failing call left it. */
int cfile_finish(FILE *f, int rc);
/* A FILE* whose writes go through s (fopencookie), for code written
 * against stdio; *rc receives the sink's first failure, e its message.
 * NULL when out of memory. */
FILE *csink_fopen(const contam_sink *s, int *rc, cerr *e);

/* splitmix64's finalizer (Steele, Lea, Flood 2014): a bijective mix of
 * 64 bits, for the winnowing order, the doc-freq slots and the null
 * control's generator. */
/* The value of a hex digit (either case), or -1. */
static inline int chex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline uint64_t cmix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Make room for `need` elements of `size` bytes in *p, whose capacity is
 * *cap: doubling from 16, so appends cost O(1) amortized.  CONTAM_OK or
 * CONTAM_E_NOMEM (*p and *cap unchanged). */
int cgrow(void **p, size_t *cap, size_t need, size_t size);

/* Fixed little-endian byte order for everything on disk and hashed. */
static inline void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t get_le32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
	return v;
}
static inline uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
	return v;
}

/* Monotonic clock in seconds. */
double cnow(void);

/* 1 when environment variable `name` is set to `value`. */
bool cenv_is(const char *name, const char *value);

/* The fast paths (contam.h, contam_fast): a configuration that is passed
 * to what uses it (ctok_init, cngram_hash_windows, cbloom_queue_new and
 * cbloom_insert_batch, cstream_open_wait / cstream_open_file), NULL
 * meaning the process's default, cfast_default().  That default is read
 * once (pthread_once) from the CPU and the environment and never written
 * after; the environment takes paths out for a comparison or a bug hunt
 * (the results are the same either way; tests check it):
 *   CONTAM_SIMD=off       scalar tokenizer, hashing and Bloom insertion
 *   CONTAM_SIMD=avx2      at most AVX2 (tokenizer, hashing, insertion): the
 *                         path of an AVX2-only CPU, on an AVX-512 one
 *   CONTAM_INFLATE=zlib   zlib for gzip, not isa-l
 *   CONTAM_QUEUE=off      no write queue in the Bloom insertion
 * A module never goes beyond what the CPU has (ccpu), whatever a
 * configuration asks for; tests that compare two paths pass two
 * configurations (contam_fast_limit). */
typedef contam_fast cfast;
enum {
	CFAST_SCALAR = CONTAM_FAST_SCALAR,
	CFAST_AVX2 = CONTAM_FAST_AVX2,
	CFAST_AVX512 = CONTAM_FAST_AVX512
};
/* `f`, or the default when it is NULL. */
const cfast *cfast_or_default(const cfast *f);
#define cfast_default contam_fast_default

/* What the CPU has (read once, never written after). */
typedef struct ccpu {
	bool avx2;      /* AVX2 */
	bool avx512bw;  /* AVX-512 BW (the tokenizer's 64-byte classifier) */
	bool avx512;    /* AVX-512 F, DQ and BW (eight-lane hashing, insertion) */
	bool bmi;       /* BMI1 and BMI2 (the AVX2 hash-only word loop) */
} ccpu;
const ccpu *ccpu_get(void);

/* Does `s` end with `suffix` (ASCII case-insensitive)? */
bool cends_with(const char *s, const char *suffix);

#endif
