/*
 * html_text.c -- the visible text of an HTML payload, streaming.
 *
 * WARC `response` records holding text/html (or application/xhtml+xml)
 * are filtered through this before tokenizing, so that markup does not
 * become tokens and words broken by inline tags are seen as the browser
 * shows them.  The rule, kept modest (no DOM, no tree building):
 *
 *   - tags are removed.  A block-level tag (p div br li tr td th h1-h6
 *     table section article header footer blockquote pre hr title option
 *     ul ol dl dt dd nav aside main form figure ... see block_tags[];
 *     start, end or self-closing) becomes one '\n'; any other tag (a span
 *     b i em strong code small sup sub font abbr img, unknown names)
 *     becomes nothing: "<b>bold</b>text" -> "boldtext".
 *   - a tag name is what follows '<' or '</' up to white space, '/' or
 *     '>' (ASCII case-insensitive); a '<' not followed by a letter, '/',
 *     '!' or '?' is text.  Attributes are dropped; a value quoted right
 *     after '=' may hold '>'.
 *   - dropped: the contents of <script> and <style> (raw text up to
 *     "</script" / "</style" followed by white space, '/' or '>'),
 *     of <noscript>, <template> and <svg> (nested same-name elements
 *     counted), text inside <head> except in <title> (the head ends at
 *     </head>, <body>, any start tag that does not belong in a head, or
 *     text that is not white space, where a browser starts the body),
 *     comments <!-- ... -->, <!doctype ...> and other <!...> / <?...?>
 *     declarations up to '>'.  <![CDATA[ ... ]]> is kept as text.
 *   - entities: &#N; and &#xH; become UTF-8 (0, surrogates and values
 *     over U+10FFFF become U+FFFD; the ';' may be missing); the named
 *     ones in entities[] (amp lt gt quot apos nbsp ndash mdash lsquo
 *     rsquo ldquo rdquo hellip bull trade euro, and the HTML 4 Latin-1
 *     set: copy reg eacute ...) are decoded with or without ';'; any
 *     other name is kept as written.
 *   - charset: when the caller says the payload is windows-1252 (HTTP
 *     charset= iso-8859-1, latin1, windows-1252, cp1252, us-ascii --
 *     which browsers all read as windows-1252; or, without an HTTP
 *     charset, the first <meta ... charset=X> of the first 1024 bytes:
 *     reader_warc.c decides), text bytes >= 0x80 are transcoded to UTF-8.
 *     Other legacy charsets are not transcoded.
 *   - white space is kept as it is (tokens do not depend on it).
 *
 * Streaming: the input comes in pieces of any size; all state (the
 * current tag name, a partial entity, the position in "</script", ...)
 * is carried across pieces in chtml, which is a few dozen bytes, so a
 * 2 GiB body costs bounded memory.  Each chtml_feed() call's output is at
 * most 3 * n + 64 bytes.  tests/cli/contam_ref.py holds an independent
 * implementation of this rule on Python's html.parser.
 */
#include "reader.h"

#include <string.h>
#include <stdlib.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum {
	S_TEXT, S_LT, S_NAME, S_ATTRS, S_EQ, S_UNQ, S_DQ, S_SQ,
	S_BANG, S_COMMENT, S_CDATA, S_BOGUS, S_RAW,
	S_AMP, S_NAMED, S_HASH, S_NUM
};

/* elements whose text is dropped (index + 1 in chtml.skip) */
static const char *const skip_tags[] = { "noscript", "template", "svg" };

static const char *const block_tags[] = {  /* sorted (bsearch) */
	"address", "article", "aside", "blockquote", "body", "br", "button",
	"caption", "center", "dd", "details", "dialog", "dir", "div", "dl",
	"dt", "fieldset", "figcaption", "figure", "footer", "form", "frame",
	"frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
	"hgroup", "hr", "html", "iframe", "input", "li", "main", "menu",
	"nav", "ol", "optgroup", "option", "p", "pre", "section", "select",
	"summary", "table", "tbody", "td", "textarea", "tfoot", "th",
	"thead", "title", "tr", "ul"
};

/* start tags that may stand in a <head> (any other one ends it) */
static const char *const head_tags[] = {
	"base", "basefont", "bgsound", "head", "link", "meta", "noscript",
	"script", "style", "template", "title", "html"
};

typedef struct entity {
	const char *name;
	unsigned cp;
} entity;

static const entity entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
	{ "ldquo", 0x201C }, { "rdquo", 0x201D }, { "bdquo", 0x201E },
	{ "hellip", 0x2026 }, { "bull", 0x2022 }, { "trade", 0x2122 },
	{ "euro", 0x20AC }, { "dagger", 0x2020 }, { "Dagger", 0x2021 },
	{ "lsaquo", 0x2039 }, { "rsaquo", 0x203A }, { "thinsp", 0x2009 },
	{ "ensp", 0x2002 }, { "emsp", 0x2003 }, { "zwnj", 0x200C },
	{ "zwj", 0x200D }, { "lrm", 0x200E }, { "rlm", 0x200F },
	{ "OElig", 0x152 }, { "oelig", 0x153 }, { "Scaron", 0x160 },
	{ "scaron", 0x161 }, { "Yuml", 0x178 }, { "fnof", 0x192 },
	{ "circ", 0x2C6 }, { "tilde", 0x2DC },
	/* HTML 4 Latin-1: U+00A0 .. U+00FF */
	{ "nbsp", 0xA0 }, { "iexcl", 0xA1 }, { "cent", 0xA2 },
	{ "pound", 0xA3 }, { "curren", 0xA4 }, { "yen", 0xA5 },
	{ "brvbar", 0xA6 }, { "sect", 0xA7 }, { "uml", 0xA8 },
	{ "copy", 0xA9 }, { "ordf", 0xAA }, { "laquo", 0xAB }, { "not", 0xAC },
	{ "shy", 0xAD }, { "reg", 0xAE }, { "macr", 0xAF }, { "deg", 0xB0 },
	{ "plusmn", 0xB1 }, { "sup2", 0xB2 }, { "sup3", 0xB3 },
	{ "acute", 0xB4 }, { "micro", 0xB5 }, { "para", 0xB6 },
	{ "middot", 0xB7 }, { "cedil", 0xB8 }, { "sup1", 0xB9 },
	{ "ordm", 0xBA }, { "raquo", 0xBB }, { "frac14", 0xBC },
	{ "frac12", 0xBD }, { "frac34", 0xBE }, { "iquest", 0xBF },
	{ "Agrave", 0xC0 }, { "Aacute", 0xC1 }, { "Acirc", 0xC2 },
	{ "Atilde", 0xC3 }, { "Auml", 0xC4 }, { "Aring", 0xC5 },
	{ "AElig", 0xC6 }, { "Ccedil", 0xC7 }, { "Egrave", 0xC8 },
	{ "Eacute", 0xC9 }, { "Ecirc", 0xCA }, { "Euml", 0xCB },
	{ "Igrave", 0xCC }, { "Iacute", 0xCD }, { "Icirc", 0xCE },
	{ "Iuml", 0xCF }, { "ETH", 0xD0 }, { "Ntilde", 0xD1 },
	{ "Ograve", 0xD2 }, { "Oacute", 0xD3 }, { "Ocirc", 0xD4 },
	{ "Otilde", 0xD5 }, { "Ouml", 0xD6 }, { "times", 0xD7 },
	{ "Oslash", 0xD8 }, { "Ugrave", 0xD9 }, { "Uacute", 0xDA },
	{ "Ucirc", 0xDB }, { "Uuml", 0xDC }, { "Yacute", 0xDD },
	{ "THORN", 0xDE }, { "szlig", 0xDF }, { "agrave", 0xE0 },
	{ "aacute", 0xE1 }, { "acirc", 0xE2 }, { "atilde", 0xE3 },
	{ "auml", 0xE4 }, { "aring", 0xE5 }, { "aelig", 0xE6 },
	{ "ccedil", 0xE7 }, { "egrave", 0xE8 }, { "eacute", 0xE9 },
	{ "ecirc", 0xEA }, { "euml", 0xEB }, { "igrave", 0xEC },
	{ "iacute", 0xED }, { "icirc", 0xEE }, { "iuml", 0xEF },
	{ "eth", 0xF0 }, { "ntilde", 0xF1 }, { "ograve", 0xF2 },
	{ "oacute", 0xF3 }, { "ocirc", 0xF4 }, { "otilde", 0xF5 },
	{ "ouml", 0xF6 }, { "divide", 0xF7 }, { "oslash", 0xF8 },
	{ "ugrave", 0xF9 }, { "uacute", 0xFA }, { "ucirc", 0xFB },
	{ "uuml", 0xFC }, { "yacute", 0xFD }, { "thorn", 0xFE },
	{ "yuml", 0xFF },
};

/* windows-1252 0x80..0x9F (the five undefined bytes map to C1, as
 * browsers do) */
static const unsigned short cp1252[32] = {
	0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178
};

void chtml_init(chtml *h, int cp1252_input)
{
	memset(h, 0, sizeof *h);
	h->cp1252 = cp1252_input;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

/* block_tags[] is sorted */
static int is_block(const char *name)
{
	return bsearch(name, block_tags, COUNT(block_tags), sizeof block_tags[0],
		       cmp_name) != NULL;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name[0] == list[i][0] && strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

static char *put_cp(char *o, unsigned c)
{
	if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = 0xFFFD;
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xC0 | (c >> 6));
		*o++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*o++ = (char)(0xE0 | (c >> 12));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (c >> 18));
		*o++ = (char)(0x80 | ((c >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	}
	return o;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text in a <head> outside its <title> ends the head, as a browser
 * starts the body there (HTML5 "in head": anything else): a page without
 * <body> whose text follows its <meta> tags shows that text.  White
 * space does not, and the white space before that text stays hidden
 * (however the input is cut into pieces).  Where the shown text starts. */
static const unsigned char *head_text(chtml *h, const unsigned char *s,
				      const unsigned char *e)
{
	if (!h->in_head || h->in_title || h->skip)
		return s;
	for (; s < e; s++)
		if (!is_space(*s)) {
			h->in_head = 0;
			return s;
		}
	return s;
}

/* Is text being shown here? */
static int visible(const chtml *h)
{
	return h->skip == 0 && (!h->in_head || h->in_title);
}

/* A tag ended: h->name (lowercase, possibly truncated), h->closing,
 * h->selfclose. */
static char *tag_done(chtml *h, char *o)
{
	const char *n = h->name;
	int was_visible = visible(h);

	h->state = S_TEXT;
	if (h->name_long)
		return o;  /* no known tag has a long name: inline */
	if (h->skip) {
		/* inside a dropped element: only its own name counts */
		if (strcmp(n, skip_tags[h->skip - 1]) == 0) {
			if (h->closing) {
				if (--h->skip_depth == 0)
					h->skip = 0;
			} else if (!h->selfclose) {
				h->skip_depth++;
			}
		} else if (!h->closing && !h->selfclose &&
			   (strcmp(n, "script") == 0 || strcmp(n, "style") == 0)) {
			h->state = S_RAW;
			h->raw_match = 0;
			h->raw_style = n[1] == 't';
		}
		return o;
	}
	if (!h->closing) {
		if (strcmp(n, "script") == 0 || strcmp(n, "style") == 0) {
			if (!h->selfclose) {
				h->state = S_RAW;
				h->raw_match = 0;
				h->raw_style = n[1] == 't';
			}
			return o;
		}
		for (size_t i = 0; i < COUNT(skip_tags); i++)
			if (n[0] == skip_tags[i][0] && strcmp(n, skip_tags[i]) == 0) {
				if (!h->selfclose) {
					h->skip = (int)i + 1;
					h->skip_depth = 1;
				}
				return o;
			}
		if (strcmp(n, "head") == 0)
			h->in_head = 1;
		else if (h->in_head && !in_list(n, head_tags, COUNT(head_tags)))
			h->in_head = 0;  /* <body>, <p>, ...: the head is over */
		if (strcmp(n, "title") == 0)
			h->in_title = !h->selfclose;
	} else {
		if (strcmp(n, "head") == 0)
			h->in_head = 0;
		else if (strcmp(n, "title") == 0)
			h->in_title = 0;
	}
	if ((was_visible || visible(h)) &&
	    is_block(n))
		*o++ = '\n';
	return o;
}

/* A named entity ended at a non-name byte (not consumed); `semi`: a ';'
 * was consumed. */
static char *named_done(chtml *h, char *o, int semi)
{
	h->ent[h->ent_len] = '\0';
	h->state = S_TEXT;
	if (!visible(h))
		return o;
	for (size_t i = 0; i < COUNT(entities); i++)
		if (h->ent[0] == entities[i].name[0] &&
		    strcmp(h->ent, entities[i].name) == 0)
			return put_cp(o, entities[i].cp);
	*o++ = '&';
	memcpy(o, h->ent, h->ent_len);
	o += h->ent_len;
	if (semi)
		*o++ = ';';
	return o;
}

static char *num_done(chtml *h, char *o)
{
	h->state = S_TEXT;
	if (!visible(h))
		return o;
	if (h->num_digits == 0) {  /* "&#" or "&#x" with no digits: text */
		*o++ = '&';
		*o++ = '#';
		if (h->num_hex)
			*o++ = h->num_hex;
		return o;
	}
	return put_cp(o, h->num_over ? 0 : h->num);
}

int chtml_feed(chtml *h, const char *p, size_t n, cbuf *out, cerr *err)
{
	if (cbuf_reserve(out, 3 * n + 64) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	char *o0 = out->data + out->len, *o = o0;
	const unsigned char *s = (const unsigned char *)p, *end = s + n;

	while (s < end) {
		int c = *s;
		switch (h->state) {
		case S_TEXT: {
			/* the fast path: a run of plain text */
			const unsigned char *r = s;
			if (h->cp1252) {
				while (r < end && *r != '<' && *r != '&' && *r < 0x80)
					r++;
			} else {
				const unsigned char *lt = memchr(s, '<', (size_t)(end - s));
				if (!lt)
					lt = end;
				r = memchr(s, '&', (size_t)(lt - s));
				if (!r)
					r = lt;
			}
			if (r > s) {
				s = head_text(h, s, r);
				if (visible(h)) {
					memcpy(o, s, (size_t)(r - s));
					o += r - s;
				}
				s = r;
				continue;
			}
			s++;
			if (c == '<') {
				h->state = S_LT;
			} else if (c == '&') {
				h->state = S_AMP;
			} else {  /* cp1252 byte >= 0x80 */
				head_text(h, s - 1, s);
				if (visible(h))
					o = put_cp(o, c < 0xA0 ? cp1252[c - 0x80] : (unsigned)c);
			}
			continue;
		}
		case S_LT:
			if (is_alpha(c) || c == '/') {
				h->closing = c == '/';
				h->name_len = 0;
				h->name_long = 0;
				h->selfclose = 0;
				h->state = S_NAME;
				if (c == '/') {
					s++;
					continue;
				}
				/* the letter is taken by S_NAME */
			} else if (c == '!') {
				h->bang_len = 0;
				h->state = S_BANG;
				s++;
				continue;
			} else if (c == '?') {
				h->state = S_BOGUS;
				s++;
				continue;
			} else {
				if (visible(h))
					*o++ = '<';
				h->state = S_TEXT;  /* c is text */
				continue;
			}
			/* fall through */
		case S_NAME:
			if (h->name_len == 0 && !is_alpha(c)) {
				/* "</" not followed by a letter: a bogus comment */
				h->state = S_BOGUS;
				continue;
			}
			if (is_space(c) || c == '/' || c == '>') {
				h->name[h->name_len] = '\0';
				h->state = S_ATTRS;
				continue;
			}
			if (h->name_len < sizeof h->name - 1)
				h->name[h->name_len++] =
					(char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			else
				h->name_long = 1;
			s++;
			continue;
		case S_ATTRS:
			while (s < end && *s != '>' && *s != '/' && *s != '=' &&
			       !is_space(*s)) {
				h->selfclose = 0;
				s++;
			}
			if (s == end)
				continue;
			c = *s;
			s++;
			if (c == '>') {
				o = tag_done(h, o);
			} else if (c == '/') {
				h->selfclose = 1;
			} else {
				h->selfclose = 0;
				if (c == '=')
					h->state = S_EQ;
			}
			continue;
		case S_EQ:
			if (is_space(c)) {
				s++;
			} else if (c == '"') {
				s++;
				h->state = S_DQ;
			} else if (c == '\'') {
				s++;
				h->state = S_SQ;
			} else if (c == '>') {
				h->state = S_ATTRS;
			} else {
				h->state = S_UNQ;
			}
			continue;
		case S_UNQ:
			while (s < end && *s != '>' && !is_space(*s))
				s++;
			if (s < end)
				h->state = S_ATTRS;
			continue;
		case S_DQ:
		case S_SQ: {
			const void *q = memchr(s, h->state == S_DQ ? '"' : '\'',
					       (size_t)(end - s));
			if (!q) {
				s = end;
				continue;
			}
			s = (const unsigned char *)q + 1;
			h->state = S_ATTRS;
			continue;
		}
		case S_BANG:
			/* decide among "<!--", "<![CDATA[" and the rest */
			if (h->bang_len == 0 && c == '-') {
				h->bang[h->bang_len++] = (char)c;
				s++;
				continue;
			}
			if (h->bang_len == 1 && h->bang[0] == '-') {
				if (c == '-') {
					s++;
					h->state = S_COMMENT;
					h->dashes = 0;
				} else {
					h->state = S_BOGUS;
				}
				continue;
			}
			if (h->bang_len < 7 && ((h->bang_len == 0 && c == '[') ||
			    (h->bang_len > 0 && h->bang[0] == '[' &&
			     (c | 0x20) == ("[cdata["[h->bang_len] | 0x20)))) {
				h->bang[h->bang_len++] = (char)c;
				s++;
				if (h->bang_len == 7) {
					h->state = S_CDATA;
					h->dashes = 0;
				}
				continue;
			}
			h->state = S_BOGUS;
			continue;
		case S_COMMENT:
			s++;
			if (c == '>' && h->dashes >= 2)
				h->state = S_TEXT;
			else
				h->dashes = c == '-' ? h->dashes + 1 : 0;
			continue;
		case S_CDATA:
			/* text up to "]]>"; dashes counts pending ']' */
			s++;
			if (c == ']') {
				h->dashes++;
				continue;
			}
			if (c == '>' && h->dashes >= 2) {
				for (int i = 0; i < h->dashes - 2 && visible(h); i++)
					*o++ = ']';
				h->dashes = 0;
				h->state = S_TEXT;
				continue;
			}
			if (visible(h)) {
				for (int i = 0; i < h->dashes; i++)
					*o++ = ']';
				*o++ = (char)c;
			}
			h->dashes = 0;
			continue;
		case S_BOGUS: {
			const void *q = memchr(s, '>', (size_t)(end - s));
			if (!q) {
				s = end;
				continue;
			}
			s = (const unsigned char *)q + 1;
			h->state = S_TEXT;
			continue;
		}
		case S_RAW: {
			/* skip to "</script" or "</style" and a delimiter */
			const char *pat = h->raw_style ? "</style" : "</script";
			size_t plen = h->raw_style ? 7 : 8;
			if (h->raw_match == 0) {
				const void *q = memchr(s, '<', (size_t)(end - s));
				if (!q) {
					s = end;
					continue;
				}
				s = (const unsigned char *)q + 1;
				h->raw_match = 1;
				continue;
			}
			if (h->raw_match == plen) {
				if (is_space(c) || c == '/' || c == '>') {
					memcpy(h->name, pat + 2, plen - 1);
					h->name_len = plen - 2;
					h->name_long = 0;
					h->closing = 1;
					h->selfclose = 0;
					h->state = S_ATTRS;
				} else {
					h->raw_match = 0;
				}
				continue;
			}
			if ((c | 0x20) == pat[h->raw_match] ||
			    (h->raw_match == 1 && c == '/')) {
				h->raw_match++;
				s++;
			} else {
				h->raw_match = 0;
			}
			continue;
		}
		case S_AMP:
			if (c == '#') {
				s++;
				h->state = S_HASH;
			} else if (is_alpha(c)) {
				h->ent_len = 0;
				h->state = S_NAMED;
			} else {
				if (visible(h))
					*o++ = '&';
				h->state = S_TEXT;
			}
			continue;
		case S_NAMED:
			if (is_alnum(c) && h->ent_len < sizeof h->ent - 1) {
				h->ent[h->ent_len++] = (char)c;
				s++;
				continue;
			}
			if (is_alnum(c)) {  /* too long for any name: text */
				h->ent[h->ent_len] = '\0';
				if (visible(h)) {
					*o++ = '&';
					memcpy(o, h->ent, h->ent_len);
					o += h->ent_len;
				}
				h->state = S_TEXT;
				continue;
			}
			if (c == ';')
				s++;
			o = named_done(h, o, c == ';');
			continue;
		case S_HASH:
			h->num = 0;
			h->num_digits = 0;
			h->num_over = 0;
			h->num_hex = 0;
			h->state = S_NUM;
			if (c == 'x' || c == 'X') {
				h->num_hex = (char)c;
				s++;
			}
			continue;
		case S_NUM: {
			int d = h->num_hex ? chex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
			if (d >= 0) {
				h->num = h->num * (h->num_hex ? 16u : 10u) + (unsigned)d;
				if (h->num > 0x10FFFF) {
					h->num_over = 1;
					h->num = 0x110000;
				}
				h->num_digits = 1;
				s++;
				continue;
			}
			if (c == ';' && h->num_digits)
				s++;
			o = num_done(h, o);
			continue;
		}
		}
	}
	out->len += (size_t)(o - o0);
	out->data[out->len] = '\0';
	return CONTAM_OK;
}

int chtml_finish(chtml *h, cbuf *out, cerr *err)
{
	if (cbuf_reserve(out, 64) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	char *o0 = out->data + out->len, *o = o0;
	switch (h->state) {
	case S_LT:
		if (visible(h))
			*o++ = '<';
		break;
	case S_AMP:
		if (visible(h))
			*o++ = '&';
		break;
	case S_HASH:
		h->num_digits = 0;
		h->num_hex = 0;
		o = num_done(h, o);
		break;
	case S_NAMED:
		o = named_done(h, o, 0);
		break;
	case S_NUM:
		o = num_done(h, o);
		break;
	case S_CDATA:
		for (int i = 0; i < h->dashes && visible(h); i++)
			*o++ = ']';
		break;
	default:
		break;  /* a tag or comment cut by the end: dropped */
	}
	h->state = S_TEXT;
	out->len += (size_t)(o - o0);
	out->data[out->len] = '\0';
	return CONTAM_OK;
}
