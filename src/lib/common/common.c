/*
 * common.c -- error records, growable buffers, JSON string escaping and
 * small helpers shared by every module.  Nothing here knows about corpora
 * or indexes.
 */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int cerr_set(cerr *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

int cerr_export(const cerr *e, contam_error *out)
{
	_Static_assert(CONTAM_ERROR_MSG_MAX == CERR_MSG_MAX,
		       "public and internal messages are the same size");
	if (out) {
		out->code = e->code;
		if (e->code == CONTAM_OK)
			out->msg[0] = '\0';
		else if (e->msg[0])
			memcpy(out->msg, e->msg, sizeof(out->msg));
		else
			snprintf(out->msg, sizeof(out->msg), "%s", contam_strerror(e->code));
	}
	return e->code;
}

int cerr_export_rc(int rc, const cerr *h, contam_error *out)
{
	cerr e;
	cerr_clear(&e);
	if (rc != CONTAM_OK) {
		if (!h)
			cerr_set(&e, rc, "out of memory");
		else if (h->msg[0])
			e = *h;
		else /* the text the handle's errmsg gave */
			cerr_set(&e, rc, "%s", contam_strerror(h->code ? h->code : rc));
		e.code = rc;
	}
	return cerr_export(&e, out);
}

int cbuf_reserve(cbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return CONTAM_OK;
	if (extra > SIZE_MAX / 2 - b->len)
		return CONTAM_E_NOMEM;
	size_t want = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return CONTAM_E_NOMEM;
	b->data = p;
	b->cap = cap;
	b->data[b->len] = '\0';
	return CONTAM_OK;
}

int cbuf_append(cbuf *b, const void *p, size_t n)
{
	if (cbuf_reserve(b, n))
		return CONTAM_E_NOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CONTAM_OK;
}

int cbuf_printf(cbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || cbuf_reserve(b, (size_t)n))
		return CONTAM_E_NOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CONTAM_OK;
}

void cbuf_release(cbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *cbuf_detach(cbuf *b, size_t *len)
{
	if (!b->data && cbuf_reserve(b, 0))
		return NULL;
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

int cbuf_json_string(cbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	if (cbuf_reserve(b, n + 2))
		return CONTAM_E_NOMEM;
	b->data[b->len++] = '"';
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		char esc[8];
		size_t elen = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\'; esc[1] = (char)c; elen = 2;
		} else if (c == '\n') {
			memcpy(esc, "\\n", 2); elen = 2;
		} else if (c == '\t') {
			memcpy(esc, "\\t", 2); elen = 2;
		} else if (c == '\r') {
			memcpy(esc, "\\r", 2); elen = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; elen = 6;
		}
		if (elen) {
			if (cbuf_append(b, esc, elen))
				return CONTAM_E_NOMEM;
			i++;
			continue;
		}
		size_t l = utf8_valid_len(p + i, n - i);
		if (l == 0) {
			if (cbuf_append(b, "\xEF\xBF\xBD", 3))
				return CONTAM_E_NOMEM;
			i++;
		} else {
			if (cbuf_append(b, p + i, l))
				return CONTAM_E_NOMEM;
			i += l;
		}
	}
	return cbuf_putc(b, '"');
}

char *cstrdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

double cnow(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool cends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	if (m > n)
		return false;
	for (size_t i = 0; i < m; i++)
		if (tolower((unsigned char)s[n - m + i]) !=
		    tolower((unsigned char)suffix[i]))
			return false;
	return true;
}

const char *contam_version(void) { return CONTAM_VERSION; }

const char *contam_strerror(int code)
{
	switch (code) {
	case CONTAM_OK: return "success";
	case CONTAM_E_NOMEM: return "out of memory";
	case CONTAM_E_IO: return "input/output error";
	case CONTAM_E_CORRUPT: return "corrupt data";
	case CONTAM_E_FORMAT: return "bad format";
	case CONTAM_E_PARAM: return "bad parameter";
	case CONTAM_E_LIMIT: return "size limit exceeded";
	case CONTAM_E_INTERRUPTED: return "interrupted";
	default: return "unknown error";
	}
}

bool cenv_is(const char *name, const char *value)
{
	const char *v = getenv(name);
	return v && strcmp(v, value) == 0;
}

/* The CPU's features and the default configuration: written once, by
 * fast_read under pthread_once, and only read after. */
static ccpu cpu;
static cfast fast;
static pthread_once_t fast_once = PTHREAD_ONCE_INIT;

static void fast_read(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	cpu.avx2 = __builtin_cpu_supports("avx2");
	cpu.bmi = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
	cpu.avx512bw = __builtin_cpu_supports("avx512bw");
	cpu.avx512 = __builtin_cpu_supports("avx512f") &&
		     __builtin_cpu_supports("avx512dq") && cpu.avx512bw;
#endif
	fast.tok = cpu.avx512bw ? CFAST_AVX512 : cpu.avx2 ? CFAST_AVX2 : CFAST_SCALAR;
	fast.insert = cpu.avx512 ? CFAST_AVX512 : cpu.avx2 ? CFAST_AVX2 : CFAST_SCALAR;
	/* the four-lane windows loop is slower than scalar where measured
	 * (ngram.c): never the default */
	fast.windows = cpu.avx512 ? CFAST_AVX512 : CFAST_SCALAR;
	if (cenv_is("CONTAM_SIMD", "off"))
		contam_fast_limit(&fast, &fast, CFAST_SCALAR);
	else if (cenv_is("CONTAM_SIMD", "avx2"))
		contam_fast_limit(&fast, &fast, CFAST_AVX2);
	fast.isal = !cenv_is("CONTAM_INFLATE", "zlib");
	fast.queue = !cenv_is("CONTAM_QUEUE", "off");
}

const ccpu *ccpu_get(void)
{
	pthread_once(&fast_once, fast_read);
	return &cpu;
}

const contam_fast *contam_fast_default(void)
{
	pthread_once(&fast_once, fast_read);
	return &fast;
}

const cfast *cfast_or_default(const cfast *f)
{
	return f ? f : contam_fast_default();
}

static int at_most(int have, int most)
{
	return have < most ? have : most;
}

void contam_fast_limit(contam_fast *out, const contam_fast *base, int simd)
{
	contam_fast f = *cfast_or_default(base);
	f.tok = at_most(f.tok, simd);
	f.insert = at_most(f.insert, simd);
	/* the loop below AVX-512's is scalar: the four-lane one only where
	 * asked for (and allowed) */
	if (f.windows > simd)
		f.windows = CFAST_SCALAR;
	*out = f;
}

int cgrow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return CONTAM_OK;
	size_t c = *cap ? *cap * 2 : 16;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size)
		return CONTAM_E_NOMEM;
	void *q = realloc(*p, c * size);
	if (!q)
		return CONTAM_E_NOMEM;
	*p = q;
	*cap = c;
	return CONTAM_OK;
}

/* ---- sinks ------------------------------------------------------------ */

static int file_write(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? CONTAM_OK : CONTAM_E_IO;
}

contam_sink contam_sink_file(FILE *f)
{
	return (contam_sink){ file_write, f };
}

static int membuf_write(void *ctx, const void *p, size_t n)
{
	contam_membuf *b = ctx;
	if (n >= SIZE_MAX - b->len)
		return CONTAM_E_NOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return CONTAM_E_NOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CONTAM_OK;
}

contam_sink contam_sink_membuf(contam_membuf *b)
{
	return (contam_sink){ membuf_write, b };
}

void contam_membuf_free(contam_membuf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int csink_write(const contam_sink *s, const void *p, size_t n, cerr *e)
{
	if (!n)
		return CONTAM_OK;
	errno = 0;
	int rc = s->write(s->ctx, p, n);
	if (rc == CONTAM_OK)
		return CONTAM_OK;
	int saved = errno;
	if (rc > 0)
		rc = CONTAM_E_IO; /* a writer's positive return is still a failure */
	cerr_set(e, rc, "cannot write the output: %s",
		 rc == CONTAM_E_IO && saved ? strerror(saved) : contam_strerror(rc));
	errno = saved;
	return rc;
}

int csink_flush(const contam_sink *s, cbuf *b, cerr *e)
{
	int rc = csink_write(s, b->data, b->len, e);
	cbuf_reset(b);
	return rc;
}

int cfile_finish(FILE *f, int rc)
{
	if (rc == CONTAM_OK && fflush(f) != 0)
		rc = CONTAM_E_IO;
	return rc;
}

typedef struct sink_cookie {
	const contam_sink *sink;
	int *rc;
	cerr *e;
} sink_cookie;

static ssize_t cookie_write(void *ctx, const char *p, size_t n)
{
	sink_cookie *c = ctx;
	if (*c->rc)
		return -1;
	int rc = csink_write(c->sink, p, n, c->e);
	if (rc) {
		*c->rc = rc;
		return -1;
	}
	return (ssize_t)n;
}

static int cookie_close(void *ctx)
{
	free(ctx);
	return 0;
}

FILE *csink_fopen(const contam_sink *s, int *rc, cerr *e)
{
	sink_cookie *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = (sink_cookie){ s, rc, e };
	*rc = CONTAM_OK;
	FILE *f = fopencookie(c, "w", (cookie_io_functions_t){ .write = cookie_write,
							       .close = cookie_close });
	if (!f)
		free(c);
	return f;
}
