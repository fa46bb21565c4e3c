/*
 * json_scan.c -- pull a few string fields out of one JSON object (a JSONL
 * line) without building a tree.
 *
 * Why: a corpus shard is millions of lines of which we want one or three
 * fields; a DOM parser spends most of its time allocating nodes for
 * metadata we throw away.  This scanner walks the line once, validates
 * it as it goes (it must be exactly one JSON object, with nothing but
 * whitespace after it), unescapes only the values of the wanted
 * top-level keys, and skips everything else, nested arrays and objects
 * included, with an explicit stack (no recursion, bounded depth).
 *
 * Semantics follow jansson's defaults, against which the unit tests
 * compare it: when a key repeats, the last value wins; control bytes
 * inside strings are errors.  Two deliberate differences: bytes are not
 * checked for valid UTF-8 (the text module repairs it later), and an
 * unpaired surrogate escape (\ud800) becomes U+FFFD instead of failing
 * the whole line.
 */
#include "reader.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 2048

typedef struct jscan {
	const unsigned char *p, *end, *start;
	cerr *err;
} jscan;

static int fail(jscan *j, const char *what)
{
	return cerr_set(j->err, CONTAM_E_FORMAT, "byte %zu: %s",
			(size_t)(j->p - j->start), what);
}

static void skip_ws(jscan *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* After a member or an element: 1 on ',' (another follows), 0 on
 * `close` (consumed: the container ends), < 0 otherwise, `what` the
 * message. */
static int next_or_close(jscan *j, unsigned char close, const char *what)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == ',') {
		j->p++;
		return 1;
	}
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	return fail(j, what);
}

/* Read the 4 hex digits after "\u" at j->p; -1 if malformed. */
static long read_hex4(jscan *j)
{
	if (j->end - j->p < 4)
		return -1;
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = chex_value(j->p[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	j->p += 4;
	return v;
}

static size_t put_utf8(unsigned char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* First byte of p[0..end) that ends a plain run of a JSON string: '"',
 * '\\' or a control byte (< 0x20); end if none.  Eight bytes at a time:
 * in each test below a byte's high bit is set when it matches, and a
 * borrow only ever runs from a matching byte into the bytes above it, so
 * the lowest flagged byte is the first match.  (Measured: the byte loop
 * was 8% of indexing JSONL; see bench/PROFILE.md.) */
static const unsigned char *plain_run_end(const unsigned char *p,
					  const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	while (end - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		x = __builtin_bswap64(x); /* byte i at bits 8i, as below */
#endif
		uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
		uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) |
			       ((x - ones * 0x20) & ~x);
		hit &= highs;
		if (hit)
			return p + __builtin_ctzll(hit) / 8;
		p += 8;
	}
	while (p < end && *p != '"' && *p != '\\' && *p >= 0x20)
		p++;
	return p;
}

/* Scan a string whose opening quote is at j->p.  With `out`, append its
 * unescaped value.  Leaves j->p after the closing quote.  *raw_plain is
 * set when the string holds no escapes (so the raw bytes are its value). */
static int scan_string(jscan *j, cbuf *out, int *raw_plain)
{
	j->p++; /* opening quote */
	if (raw_plain)
		*raw_plain = 1;
	if (out && cbuf_reserve(out, 64) < 0)
		return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
	for (;;) {
		const unsigned char *run = j->p;
		j->p = plain_run_end(j->p, j->end);
		if (out && j->p > run &&
		    cbuf_append(out, run, (size_t)(j->p - run)) < 0)
			return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
		if (j->p >= j->end)
			return fail(j, "unterminated string");
		if (*j->p == '"') {
			j->p++;
			return CONTAM_OK;
		}
		if (*j->p < 0x20)
			return fail(j, "control character in string");
		/* backslash */
		if (raw_plain)
			*raw_plain = 0;
		j->p++;
		if (j->p >= j->end)
			return fail(j, "unterminated string");
		unsigned char c = *j->p++;
		unsigned char u[4];
		size_t ulen = 1;
		switch (c) {
		case '"': u[0] = '"'; break;
		case '\\': u[0] = '\\'; break;
		case '/': u[0] = '/'; break;
		case 'b': u[0] = '\b'; break;
		case 'f': u[0] = '\f'; break;
		case 'n': u[0] = '\n'; break;
		case 'r': u[0] = '\r'; break;
		case 't': u[0] = '\t'; break;
		case 'u': {
			long cp = read_hex4(j);
			if (cp < 0)
				return fail(j, "bad \\u escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* High surrogate: pair it with a following
				 * low one, else it is lone. */
				if (j->end - j->p >= 6 && j->p[0] == '\\' &&
				    j->p[1] == 'u') {
					const unsigned char *save = j->p;
					j->p += 2;
					long lo = read_hex4(j);
					if (lo < 0)
						return fail(j, "bad \\u escape");
					if (lo >= 0xdc00 && lo <= 0xdfff)
						cp = 0x10000 + ((cp - 0xd800) << 10) +
						     (lo - 0xdc00);
					else {
						cp = 0xfffd;
						j->p = save; /* rescan it */
					}
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			ulen = put_utf8(u, (unsigned long)cp);
			break;
		}
		default:
			j->p -= 1;
			return fail(j, "bad escape in string");
		}
		if (out && cbuf_append(out, u, ulen) < 0)
			return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
	}
}

static int scan_literal(jscan *j, const char *word);

static int scan_number(jscan *j)
{
	const unsigned char *p = j->p;
	if (p < j->end && *p == '-')
		p++;
	if (p < j->end && *p == 'I') {
		/* -Infinity: Python's json.dumps writes it (and NaN,
		 * Infinity), and a float field of metadata must not cost
		 * the record its text */
		j->p = p;
		return scan_literal(j, "Infinity");
	}
	if (p < j->end && *p == '0')
		p++;
	else if (p < j->end && *p >= '1' && *p <= '9')
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	else
		return fail(j, "bad number");
	if (p < j->end && *p == '.') {
		p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return fail(j, "bad number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || *p < '0' || *p > '9')
			return fail(j, "bad number");
		while (p < j->end && *p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return CONTAM_OK;
}

static int scan_literal(jscan *j, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, "unexpected character");
	j->p += n;
	return CONTAM_OK;
}

/* After '{' or ',' in an object: the key string and the colon. */
static int scan_key_colon(jscan *j)
{
	skip_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return fail(j, "expected a key");
	int rc = scan_string(j, NULL, NULL);
	if (rc < 0)
		return rc;
	skip_ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j, "expected ':'");
	j->p++;
	return CONTAM_OK;
}

/* Skip one value of any type at j->p (after whitespace).  Iterative:
 * `stack` holds the open containers, so hostile nesting costs a bounded
 * array, not the C stack. */
static int skip_value(jscan *j)
{
	unsigned char stack[JSON_MAX_DEPTH];
	size_t depth = 0;
	int rc = CONTAM_OK;

	for (;;) {
		/* Read one value, or open a container. */
		skip_ws(j);
		if (j->p >= j->end)
			return fail(j, "unexpected end of line");
		unsigned char c = *j->p;
		int have_value = 1;
		rc = CONTAM_OK;
		if (c == '{' || c == '[') {
			if (depth == JSON_MAX_DEPTH)
				return fail(j, "nested too deeply");
			j->p++;
			skip_ws(j);
			if (j->p < j->end && *j->p == (c == '{' ? '}' : ']')) {
				j->p++; /* empty container: a whole value */
			} else {
				stack[depth++] = c;
				have_value = 0;
				if (c == '{' && (rc = scan_key_colon(j)) < 0)
					return rc;
			}
		} else if (c == '"') {
			rc = scan_string(j, NULL, NULL);
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			rc = scan_number(j);
		} else if (c == 't') {
			rc = scan_literal(j, "true");
		} else if (c == 'f') {
			rc = scan_literal(j, "false");
		} else if (c == 'n') {
			rc = scan_literal(j, "null");
		} else if (c == 'N') {
			rc = scan_literal(j, "NaN");
		} else if (c == 'I') {
			rc = scan_literal(j, "Infinity");
		} else {
			rc = fail(j, "unexpected character");
		}
		if (rc < 0)
			return rc;
		if (!have_value)
			continue;
		/* After a value: close containers, or go on to the next
		 * item of the innermost one. */
		for (;;) {
			if (depth == 0)
				return CONTAM_OK;
			skip_ws(j);
			if (j->p >= j->end)
				return fail(j, "unexpected end of line");
			unsigned char top = stack[depth - 1];
			if (*j->p == (top == '{' ? '}' : ']')) {
				j->p++;
				depth--;
				continue;
			}
			if (*j->p != ',')
				return fail(j, "expected ',' or a closing bracket");
			j->p++;
			if (top == '{' && (rc = scan_key_colon(j)) < 0)
				return rc;
			break;
		}
	}
}

/* Which of keys[] does the key string at j->p name (the first match, if
 * keys repeat)?  Leaves j->p after it; *which = index or -1. */
static int match_key(jscan *j, const char *const *keys, size_t nkeys,
		     cbuf *scratch, long *which)
{
	const unsigned char *start = j->p + 1;
	int plain = 0;
	int rc;

	*which = -1;
	cbuf_reset(scratch);
	/* Unescape only when needed: keys almost never hold escapes. */
	const unsigned char *q = start;
	while (q < j->end && *q != '"' && *q != '\\')
		q++;
	if (q < j->end && *q == '"') {
		rc = scan_string(j, NULL, &plain);
		if (rc < 0)
			return rc;
		size_t klen = (size_t)(q - start);
		for (size_t i = 0; i < nkeys && *which < 0; i++)
			if (strlen(keys[i]) == klen &&
			    memcmp(keys[i], start, klen) == 0)
				*which = (long)i;
		return CONTAM_OK;
	}
	rc = scan_string(j, scratch, &plain);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nkeys && *which < 0; i++)
		if (strlen(keys[i]) == scratch->len &&
		    memcmp(keys[i], scratch->data ? scratch->data : "",
			   scratch->len) == 0)
			*which = (long)i;
	return CONTAM_OK;
}

int cjson_extract_fields(const char *line, size_t len,
			 const char *const *keys, size_t nkeys,
			 cbuf *outs, int *found, cerr *err)
{
	jscan j = { (const unsigned char *)line,
		    (const unsigned char *)line + len,
		    (const unsigned char *)line, err };
	cbuf scratch = CBUF_INIT;
	int rc = CONTAM_OK;

	for (size_t i = 0; i < nkeys; i++) {
		found[i] = 0;
		cbuf_reset(&outs[i]);
	}
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '{') {
		rc = fail(&j, "not a JSON object");
		goto out;
	}
	j.p++;
	skip_ws(&j);
	int empty = j.p < j.end && *j.p == '}';
	if (empty)
		j.p++;
	while (!empty) {
		long which;
		skip_ws(&j);
		if (j.p >= j.end || *j.p != '"') {
			rc = fail(&j, "expected a key");
			goto out;
		}
		rc = match_key(&j, keys, nkeys, &scratch, &which);
		if (rc < 0)
			goto out;
		skip_ws(&j);
		if (j.p >= j.end || *j.p != ':') {
			rc = fail(&j, "expected ':'");
			goto out;
		}
		j.p++;
		skip_ws(&j);
		if (which >= 0 && j.p < j.end && *j.p == '"') {
			cbuf_reset(&outs[which]);
			rc = scan_string(&j, &outs[which], NULL);
			if (rc < 0)
				goto out;
			found[which] = 1;
		} else {
			if (which >= 0) {
				found[which] = 0; /* last value wins */
				cbuf_reset(&outs[which]);
			}
			rc = skip_value(&j);
			if (rc < 0)
				goto out;
		}
		if ((rc = next_or_close(&j, '}', "expected ',' or '}'")) < 0)
			goto out;
		if (rc == 0)
			break;
	}
	skip_ws(&j);
	if (j.p != j.end) {
		rc = fail(&j, "text after the JSON object");
		goto out;
	}
	rc = CONTAM_OK;
out:
	if (rc < 0)
		for (size_t i = 0; i < nkeys; i++) {
			found[i] = 0;
			cbuf_reset(&outs[i]);
		}
	cbuf_release(&scratch);
	return rc;
}

int cjson_skip_value(const char *s, size_t len, size_t *end, cerr *err)
{
	jscan j = { (const unsigned char *)s, (const unsigned char *)s + len,
		    (const unsigned char *)s, err };
	int rc = skip_value(&j);
	*end = (size_t)(j.p - j.start);
	return rc;
}

/* ------------------------------------------------------------------ */
/* --text-field paths                                                   */

/* Append one selected piece, joined to the previous ones by '\n'. */
static int emit_piece(jscan *j, cbuf *out, size_t *pieces,
		      const unsigned char *s, size_t n)
{
	if (*pieces && cbuf_putc(out, '\n') < 0)
		return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
	if (n && cbuf_append(out, s, n) < 0)
		return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
	(*pieces)++;
	return CONTAM_OK;
}

static int emit_string(jscan *j, cbuf *out, size_t *pieces)
{
	if (*pieces && cbuf_putc(out, '\n') < 0)
		return cerr_set(j->err, CONTAM_E_NOMEM, "out of memory");
	(*pieces)++;
	return scan_string(j, out, NULL);
}

/* Every string under the value at j->p, in document order (numbers,
 * booleans and null are not text); `scalars` also takes a top-level
 * number or boolean as its JSON text. */
static int emit_all(jscan *j, cbuf *out, size_t *pieces, int scalars,
		    int depth)
{
	int rc;

	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end of value");
	if (depth > JSON_MAX_DEPTH)
		return fail(j, "nested too deeply");
	unsigned char c = *j->p;
	if (c == '"')
		return emit_string(j, out, pieces);
	if (c == '[' || c == '{') {
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == (c == '{' ? '}' : ']')) {
			j->p++;
			return CONTAM_OK;
		}
		for (;;) {
			if (c == '{' && (rc = scan_key_colon(j)) < 0)
				return rc;
			/* array elements keep the scalar rule of the end of
			 * a path; object members give their strings only */
			rc = emit_all(j, out, pieces, c == '[' && scalars,
				      depth + 1);
			if (rc < 0)
				return rc;
			if ((rc = next_or_close(j, c == '{' ? '}' : ']',
						"expected ',' or a closing bracket")) <= 0)
				return rc;
		}
	}
	const unsigned char *start = j->p;
	rc = skip_value(j);
	if (rc < 0 || !scalars || c == 'n')
		return rc;
	return emit_piece(j, out, pieces, start, (size_t)(j->p - start));
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Length k of the path prefix that the key at j->p names (the key equals
 * path[0..k) and k ends a step), or 0; leaves j->p after the key. */
static int key_match(jscan *j, const char *path, size_t n, cbuf *scratch,
		     size_t *k)
{
	*k = 0;
	cbuf_reset(scratch);
	int rc = scan_string(j, scratch, NULL);
	if (rc < 0)
		return rc;
	size_t klen = scratch->len;
	if (klen > 0 && klen <= n && (klen == n || path[klen] == '.') &&
	    memcmp(path, scratch->data, klen) == 0)
		*k = klen;
	return CONTAM_OK;
}

static int select_path(jscan *j, const char *path, size_t n, cbuf *out,
		       size_t *pieces, cbuf *scratch, int depth)
{
	int rc;

	if (n == 0)
		return emit_all(j, out, pieces, 1, depth);
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end of value");
	if (depth > JSON_MAX_DEPTH)
		return fail(j, "nested too deeply");
	unsigned char c = *j->p;
	if (c == '[') {
		const char *dot = memchr(path, '.', n);
		size_t step = dot ? (size_t)(dot - path) : n;
		long want = all_digits(path, step) ? atol(path) : -1;
		long idx = 0;
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return CONTAM_OK;
		}
		for (;; idx++) {
			if (want < 0)
				rc = select_path(j, path, n, out, pieces, scratch,
						 depth + 1);
			else if (idx == want)
				rc = select_path(j, dot ? dot + 1 : path + n,
						 dot ? n - step - 1 : 0, out,
						 pieces, scratch, depth + 1);
			else
				rc = skip_value(j);
			if (rc < 0)
				return rc;
			if ((rc = next_or_close(j, ']', "expected ',' or ']'")) <= 0)
				return rc;
		}
	}
	if (c != '{')
		return skip_value(j);
	/* The shortest key that names a prefix of the path wins ("a" before
	 * "a.b"); among equal keys the last one, as in the JSON readers. */
	const unsigned char *best = NULL;
	size_t best_k = 0;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return CONTAM_OK;
	}
	for (;;) {
		size_t k;
		skip_ws(j);
		if (j->p >= j->end || *j->p != '"')
			return fail(j, "expected a key");
		rc = key_match(j, path, n, scratch, &k);
		if (rc < 0)
			return rc;
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':')
			return fail(j, "expected ':'");
		j->p++;
		skip_ws(j);
		if (k && (!best || k <= best_k)) {
			best = j->p;
			best_k = k;
		}
		if ((rc = skip_value(j)) < 0)
			return rc;
		if ((rc = next_or_close(j, '}', "expected ',' or '}'")) < 0)
			return rc;
		if (rc == 0)
			break;
	}
	if (!best)
		return CONTAM_OK;
	const unsigned char *after = j->p;
	j->p = best;
	rc = best_k == n ? select_path(j, path + n, 0, out, pieces, scratch,
				       depth + 1)
			 : select_path(j, path + best_k + 1, n - best_k - 1,
				       out, pieces, scratch, depth + 1);
	j->p = after;
	return rc;
}

int cjson_select_path(const char *s, size_t len, const char *path,
		      cbuf *out, size_t *pieces, cerr *err)
{
	jscan j = { (const unsigned char *)s, (const unsigned char *)s + len,
		    (const unsigned char *)s, err };
	cbuf scratch = CBUF_INIT;
	int rc = select_path(&j, path, strlen(path), out, pieces, &scratch, 0);
	cbuf_release(&scratch);
	return rc;
}

int cjson_key_list(const char *s, size_t len, char *out, size_t outlen,
		   size_t *nkeys)
{
	jscan j = { (const unsigned char *)s, (const unsigned char *)s + len,
		    (const unsigned char *)s, NULL };
	cerr err;
	cbuf key = CBUF_INIT;
	size_t used = 0, count = 0;
	int rc = CONTAM_OK;

	j.err = &err;
	if (outlen)
		out[0] = '\0';
	*nkeys = 0;
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return CONTAM_E_FORMAT;
	j.p++;
	skip_ws(&j);
	if (j.p < j.end && *j.p == '}')
		goto out;
	for (;;) {
		skip_ws(&j);
		if (j.p >= j.end || *j.p != '"') {
			rc = CONTAM_E_FORMAT;
			goto out;
		}
		cbuf_reset(&key);
		if ((rc = scan_string(&j, &key, NULL)) < 0)
			goto out;
		if (count < CJSON_KEY_LIST_MAX && used + 1 < outlen) {
			int w = snprintf(out + used, outlen - used, "%s'%.*s'",
					 count ? ", " : "", (int)key.len,
					 key.data ? key.data : "");
			if (w < 0 || (size_t)w >= outlen - used) {
				out[used] = '\0';
				used = outlen; /* full: count the rest only */
			} else {
				used += (size_t)w;
			}
		}
		count++;
		skip_ws(&j);
		if (j.p >= j.end || *j.p != ':') {
			rc = CONTAM_E_FORMAT;
			goto out;
		}
		j.p++;
		if ((rc = skip_value(&j)) < 0)
			goto out;
		skip_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		break;
	}
out:
	*nkeys = count;
	cbuf_release(&key);
	return rc;
}

int cjson_has_key(const char *s, size_t len, const char *key, size_t klen)
{
	jscan j = { (const unsigned char *)s, (const unsigned char *)s + len,
		    (const unsigned char *)s, NULL };
	cerr err;
	cbuf k = CBUF_INIT;
	int found = 0;

	j.err = &err;
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return 0;
	j.p++;
	skip_ws(&j);
	if (j.p < j.end && *j.p == '}')
		return 0;
	for (;;) {
		skip_ws(&j);
		if (j.p >= j.end || *j.p != '"')
			break;
		cbuf_reset(&k);
		if (scan_string(&j, &k, NULL) < 0)
			break;
		if (k.len == klen && (klen == 0 || memcmp(k.data, key, klen) == 0)) {
			found = 1;
			break;
		}
		skip_ws(&j);
		if (j.p >= j.end || *j.p != ':')
			break;
		j.p++;
		if (skip_value(&j) < 0)
			break;
		skip_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		break;
	}
	cbuf_release(&k);
	return found;
}
