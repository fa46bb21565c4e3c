/*
 * reader_mediawiki.c -- MediaWiki XML dumps (pages-articles*.xml, plain,
 * gzip or zstd, and whatever else the stream decodes): each <page> is one
 * document, its text the <text> of its latest (last) <revision> (a
 * pages-articles dump holds exactly one), with the page's <title> as
 * doc->title and doc->url (so scan hit records show it as "url") and its
 * page <id> as doc->id.
 *
 * Skipped, and counted in one note at the end of the file (not errors):
 * redirect pages (a <redirect/> element, or a latest text that starts
 * with "#REDIRECT", any case), and the older revisions of a page (history
 * dumps).  Pages with an empty <text/> are documents with no text.
 *
 * A revision's filtered text is held (up to MW_HOLD_MAX) until </page>
 * says it was the last; a text longer than that is delivered at once,
 * streaming, and any later revision of that page is skipped (counted).
 *
 * The XML is read as a stream of tags over the look-ahead buffer; a
 * page text is never held beyond MW_HOLD_MAX: it is decoded (the XML entities &lt;
 * &gt; &amp; &quot; &apos; &#N; &#xH;) and filtered piece by piece, so a
 * 2 GiB page costs the hold buffer and one piece.  The markup rule (README: "MediaWiki
 * dumps") is applied by a small state machine on the decoded text:
 *   - templates {{...}} (nested) are dropped, with what is inside them;
 *   - <ref>...</ref> and <!-- comments --> are dropped with their
 *     content; <ref .../> and any other tag (<br/>, <small>, </div> ...)
 *     is dropped, the text between tags is kept;
 *   - [[target|label]] becomes label, [[target]] becomes target (a
 *     target longer than 255 bytes is kept as written);
 *   - runs of two or more apostrophes ('' italic, ''' bold) are dropped;
 *   - everything else (tables, headings, lists, external links, the
 *     wikitext's own HTML entities like &nbsp;) is kept as text.
 * A construct still open when the page text ends is closed there, so
 * an unclosed {{ or <ref> drops the rest of that page only.
 *
 * The stream below undoes gzip, zstd, bzip2 and xz and turns a UTF-16
 * file (as re-encoded samples are) into UTF-8, so the parser sees UTF-8
 * only; a UTF-16 byte order mark that still reaches it (a stream opened
 * without sniffing) or another root element fails the open (the caller
 * counts and reports it, or stops with --strict).
 * Damage skipped by the stream (a corrupt gzip member) ends the page it
 * falls in; reading resumes at the next <page>.
 */
#include "reader.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MW_TAG_MAX (64u * 1024u)   /* longest tag, <...> */
#define MW_FIELD_MAX 4096u         /* longest title / id kept */
#define MW_TARGET_MAX 255u         /* longest link target buffered */
#define MW_HTAG_MAX 256u           /* longest tag inside the text */
#define MW_HOLD_MAX (4u << 20)     /* a revision's text held until </page> */

typedef struct wfilter {
	int pend;            /* a '{', '}', '[', ']', '<' waiting for the next
				byte, or 0 */
	int quotes;          /* run of apostrophes so far */
	int tmpl;            /* {{ depth */
	int ref;             /* inside <ref>...</ref> */
	int comment;         /* inside <!-- -->; dashes seen in a row */
	int comment_dash;
	int link;            /* 0 none, 1 target, 2 label */
	int link_nest;       /* [[ ]] pairs open inside a label */
	char target[MW_TARGET_MAX];
	size_t target_len;
	int target_full;
	int htag;            /* buffering a tag of the text */
	char hbuf[MW_HTAG_MAX];
	size_t hlen;
} wfilter;

typedef struct mwiki {
	crin in;
	const creader_ctx *cx;
	int started, done;
	int in_page, in_rev, redirect;
	int held;                /* a revision's text is held in hold */
	int held_redirect;       /* ... and it starts with #REDIRECT */
	int page_streamed;       /* this page was too big to hold: delivered */
	cbuf hold;               /* the filtered text of the latest revision */
	size_t hold_pos;         /* handed out so far */
	int serving;             /* the current document is being read */
	cbuf *dst;               /* where the filter writes */
	cbuf title, id, tag;
	uint64_t pages;          /* documents delivered */
	uint64_t page_no;        /* <page> elements seen */
	uint64_t redirects, extra_revs;
	uint64_t page_off;
	int doc_open;            /* inside a <text> element being filtered */
	cbuf out;
	wfilter f;
} mwiki;

/* ------------------------------------------------------------------ */
/* Input                                                               */

static int pass_damage(mwiki *m, cerr *err)
{
	char msg[CERR_MSG_MAX];
	uint64_t at = crin_offset(&m->in);
	int n = crin_pass_damage(&m->in, msg, sizeof msg);
	int was_open = m->doc_open;
	m->doc_open = 0;
	m->in_page = 0;
	m->in_rev = 0;
	return creader_damage(m->cx, err, (uint64_t)n,
			      "offset %" PRIu64 ": %s, data skipped (%s; "
			      "reading resumes at the next <page>)", at, msg,
			      was_open ? "the page there is cut short"
				       : "the page there is lost");
}

/* What more() and next_tag() return when damage was reported and passed:
 * the page state is reset, reading goes on at the next <page>. */
#define MW_RESYNC 2

/* Make at least one more byte readable: 1, 0 at the end, MW_RESYNC, or
 * < 0 fatal. */
static int more(mwiki *m, size_t want, cerr *err)
{
	int rc = crin_more(&m->in, want, err);
	if (rc == CRIN_DAMAGE) {
		rc = pass_damage(m, err);
		return rc < 0 ? rc : MW_RESYNC;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Entities                                                            */

static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the entity that starts at s[0] == '&' (s[0..n) available).
 * Returns its length and puts its UTF-8 in o (*olen); 0 when s does not
 * start a known entity (the '&' is then plain text). */
static size_t entity(const char *s, size_t n, char *o, size_t *olen)
{
	static const struct { const char *name; char c; } named[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t k = strlen(named[i].name);
		if (n >= k && memcmp(s, named[i].name, k) == 0) {
			o[0] = named[i].c;
			*olen = 1;
			return k;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	size_t i = 2;
	int hex = s[2] == 'x' || s[2] == 'X';
	if (hex)
		i++;
	unsigned long cp = 0;
	size_t digits = 0;
	for (; i < n && digits < 8; i++, digits++) {
		int c = (unsigned char)s[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			break;
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
	}
	if (digits == 0 || i >= n || s[i] != ';')
		return 0;
	*olen = put_utf8(o, cp);
	return i + 1;
}

/* Longest entity we decode, with its ';' ("&#x10FFFF;" and spare). */
#define MW_ENTITY_MAX 12u

/* Decode s[0..n) (entities may not be cut: the caller's business) into
 * out. */
static int decode_into(cbuf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t run = amp ? (size_t)(amp - (s + i)) : n - i;
		if (run && cbuf_append(out, s + i, run))
			return CONTAM_E_NOMEM;
		i += run;
		if (!amp)
			break;
		char u[4];
		size_t ulen, k = entity(s + i, n - i, u, &ulen);
		if (k) {
			if (cbuf_append(out, u, ulen))
				return CONTAM_E_NOMEM;
			i += k;
		} else {
			if (cbuf_putc(out, '&'))
				return CONTAM_E_NOMEM;
			i++;
		}
	}
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* The markup filter                                                   */

static int put(mwiki *m, const char *s, size_t n)
{
	wfilter *f = &m->f;
	if (f->link == 1) {
		/* a link target: kept until we know whether a label follows */
		if (!f->target_full && f->target_len + n <= MW_TARGET_MAX) {
			memcpy(f->target + f->target_len, s, n);
			f->target_len += n;
			return CONTAM_OK;
		}
		/* too long for a link: give back "[[" and what was kept */
		f->link = 0;
		if (cbuf_append(m->dst, "[[", 2) ||
		    cbuf_append(m->dst, f->target, f->target_len))
			return CONTAM_E_NOMEM;
		f->target_len = 0;
	}
	return cbuf_append(m->dst, s, n) ? CONTAM_E_NOMEM : CONTAM_OK;
}

static int putc_(mwiki *m, char c)
{
	return put(m, &c, 1);
}

/* A complete tag of the text, hbuf[0..hlen) = "<...>". */
static int end_htag(mwiki *m)
{
	wfilter *f = &m->f;
	const char *t = f->hbuf + 1;
	size_t n = f->hlen - 2; /* between < and > */
	f->htag = 0;
	int closing = t[0] == '/';
	size_t i = closing ? 1 : 0, k = i;
	while (k < n && isalpha((unsigned char)t[k]))
		k++;
	int selfclose = n > 0 && t[n - 1] == '/';
	if (k - i == 3 && strncasecmp(t + i, "ref", 3) == 0 &&
	    (k == n || !isalnum((unsigned char)t[k]))) {
		if (closing)
			f->ref = 0;
		else if (!selfclose)
			f->ref = 1;
	}
	return CONTAM_OK; /* every tag is dropped */
}

/* Give back a pending byte that did not pair. */
static int flush_pend(mwiki *m)
{
	wfilter *f = &m->f;
	int p = f->pend;
	f->pend = 0;
	if (!p || f->tmpl || f->ref)
		return CONTAM_OK;
	if (p == ']' && f->link == 1) /* a ']' inside a target */
		return putc_(m, ']');
	return putc_(m, (char)p);
}

static int flush_quotes(mwiki *m)
{
	wfilter *f = &m->f;
	int q = f->quotes;
	f->quotes = 0;
	if (q == 1 || q == 4)
		return putc_(m, '\'');
	return CONTAM_OK;
}

static int filter_byte(mwiki *m, char c)
{
	wfilter *f = &m->f;
	int rc;

	if (f->comment) {
		if (c == '>' && f->comment_dash >= 2)
			f->comment = 0;
		f->comment_dash = c == '-' ? f->comment_dash + 1 : 0;
		return CONTAM_OK;
	}
	if (f->htag) {
		f->hbuf[f->hlen++] = c;
		if (f->hlen == 4 && memcmp(f->hbuf, "<!--", 4) == 0) {
			/* a comment: dropped up to "-->", however long */
			f->htag = 0;
			f->comment = 1;
			f->comment_dash = 0;
			return CONTAM_OK;
		}
		if (c == '>')
			return end_htag(m);
		if (f->hlen == MW_HTAG_MAX || c == '\n') {
			/* not a tag after all: it is text */
			f->htag = 0;
			if (f->ref || f->tmpl)
				return CONTAM_OK;
			return put(m, f->hbuf, f->hlen);
		}
		return CONTAM_OK;
	}
	if (f->pend) {
		int p = f->pend;
		f->pend = 0;
		if (f->tmpl) {
			if (p == '{' && c == '{') {
				f->tmpl++;
				return CONTAM_OK;
			}
			if (p == '}' && c == '}') {
				f->tmpl--;
				return CONTAM_OK;
			}
		} else if (p == '<') {
			if (isalpha((unsigned char)c) || c == '/' || c == '!') {
				f->htag = 1;
				f->hbuf[0] = '<';
				f->hbuf[1] = c;
				f->hlen = 2;
				return CONTAM_OK;
			}
			if (!f->ref && (rc = putc_(m, '<')))
				return rc;
		} else if (!f->ref && p == '{' && c == '{') {
			f->tmpl = 1;
			return CONTAM_OK;
		} else if (!f->ref && p == '[' && c == '[') {
			if (f->link == 0) {
				f->link = 1;
				f->target_len = 0;
				f->target_full = 0;
			} else if (f->link == 2) {
				f->link_nest++;
			} else if ((rc = put(m, "[[", 2))) {
				return rc;
			}
			return CONTAM_OK;
		} else if (!f->ref && p == ']' && c == ']') {
			if (f->link == 1) {
				f->link = 0;
				rc = cbuf_append(m->dst, f->target, f->target_len)
				     ? CONTAM_E_NOMEM : CONTAM_OK;
				f->target_len = 0;
				return rc;
			}
			if (f->link == 2) {
				if (f->link_nest)
					f->link_nest--;
				else
					f->link = 0;
				return CONTAM_OK;
			}
			return put(m, "]]", 2);
		} else if (!f->ref && !f->tmpl) {
			if ((rc = putc_(m, (char)p)))
				return rc;
		}
	}
	if (c == '\'' && !f->tmpl && !f->ref) {
		f->quotes++;
		return CONTAM_OK;
	}
	if (f->quotes && (rc = flush_quotes(m)))
		return rc;
	if (c == '{' || c == '}' || c == '<' ||
	    (!f->tmpl && (c == '[' || c == ']'))) {
		f->pend = c;
		return CONTAM_OK;
	}
	if (f->tmpl || f->ref)
		return CONTAM_OK;
	if (c == '|' && f->link == 1) {
		f->link = 2; /* the target is dropped, the label follows */
		f->link_nest = 0;
		f->target_len = 0;
		return CONTAM_OK;
	}
	return putc_(m, c);
}

/* The page text ended: close whatever is open. */
static int filter_end(mwiki *m)
{
	wfilter *f = &m->f;
	int rc = CONTAM_OK;
	if (f->htag && !f->ref && !f->tmpl && !f->comment)
		rc = put(m, f->hbuf, f->hlen);
	f->htag = 0;
	if (!rc && f->quotes)
		rc = flush_quotes(m);
	if (!rc && f->pend)
		rc = flush_pend(m);
	if (!rc && f->link == 1)
		rc = cbuf_append(m->dst, f->target, f->target_len)
		     ? CONTAM_E_NOMEM : CONTAM_OK;
	memset(f, 0, sizeof *f);
	return rc;
}

/* Bytes that matter in each state, for the runs skipped in one go. */
static const char *skip_plain(const char *s, const char *e)
{
	/* '{' '}' '[' ']' '<' '\'' '|' */
	static const unsigned char special[256] = {
		['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1, ['<'] = 1,
		['\''] = 1, ['|'] = 1,
	};
	while (s < e && !special[(unsigned char)*s])
		s++;
	return s;
}

static const char *skip_tmpl(const char *s, const char *e)
{
	while (s < e && *s != '{' && *s != '}')
		s++;
	return s;
}

static int filter(mwiki *m, const char *s, size_t n)
{
	wfilter *f = &m->f;
	const char *p = s, *e = s + n;
	while (p < e) {
		/* fast paths: a run that changes no state */
		if (!f->pend && !f->quotes && !f->comment && !f->htag) {
			if (!f->tmpl && !f->ref && f->link != 1) {
				const char *k = skip_plain(p, e);
				if (k > p && cbuf_append(m->dst, p, (size_t)(k - p)))
					return CONTAM_E_NOMEM;
				p = k;
			} else if (f->tmpl) {
				p = skip_tmpl(p, e);
			} else if (f->ref) {
				const char *k = memchr(p, '<', (size_t)(e - p));
				p = k ? k : e;
			}
			if (p == e)
				break;
		} else if (f->comment && f->comment_dash == 0) {
			const char *k = memchr(p, '-', (size_t)(e - p));
			p = k ? k : e;
			if (p == e)
				break;
		}
		int rc = filter_byte(m, *p++);
		if (rc)
			return rc;
	}
	return CONTAM_OK;
}

/* ------------------------------------------------------------------ */
/* Tags                                                                */

/* Skip to the next '<' (appending the bytes before it to `chars` when
 * given, up to MW_FIELD_MAX) and read the tag into m->tag, without the
 * angle brackets.  1: a tag; 0: end of input; MW_RESYNC; < 0 fatal. */
static int next_tag(mwiki *m, cbuf *chars, cerr *err)
{
	crin *in = &m->in;
	int rc;

	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *lt = memchr(s, '<', avail);
		size_t run = lt ? (size_t)(lt - s) : avail;
		if (chars && chars->len < MW_FIELD_MAX) {
			size_t k = run < MW_FIELD_MAX - chars->len
				   ? run : MW_FIELD_MAX - chars->len;
			if (cbuf_append(chars, s, k))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		}
		in->pos += run;
		if (lt)
			break;
		rc = more(m, 1, err);
		if (rc != 1)
			return rc;
	}
	/* in->pos is at '<' */
	size_t scanned = 1;
	for (;;) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *gt = memchr(s + scanned, '>', avail - scanned);
		if (gt) {
			size_t n = (size_t)(gt - s) - 1;
			cbuf_reset(&m->tag);
			if (cbuf_append(&m->tag, s + 1, n) || cbuf_reserve(&m->tag, 0))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			m->tag.data[n] = '\0';
			in->pos += n + 2;
			return 1;
		}
		scanned = avail;
		if (avail > MW_TAG_MAX) {
			rc = creader_damage(m->cx, err, 1, "offset %" PRIu64
					    ": an XML tag longer than %u bytes, "
					    "skipped", crin_offset(in), MW_TAG_MAX);
			if (rc < 0)
				return rc;
			in->pos += avail;
			m->in_page = 0;
			return MW_RESYNC;
		}
		rc = more(m, avail + 1, err);
		if (rc == 0) {
			rc = creader_damage(m->cx, err, 1, "offset %" PRIu64
					    ": the file ends inside an XML tag "
					    "(cut?)", crin_offset(in));
			in->pos += crin_avail(in);
			return rc < 0 ? rc : 0;
		}
		if (rc != 1)
			return rc;
	}
}

/* Is m->tag the element `name` (opening: "name", "name ...", "name/")? */
static int tag_is(const mwiki *m, const char *name)
{
	size_t k = strlen(name);
	const char *t = m->tag.data;
	return m->tag.len >= k && memcmp(t, name, k) == 0 &&
	       (t[k] == '\0' || t[k] == ' ' || t[k] == '/' || t[k] == '\t' ||
		t[k] == '\n' || t[k] == '\r');
}

static int self_closing(const mwiki *m)
{
	return m->tag.len > 0 && m->tag.data[m->tag.len - 1] == '/';
}

/* Read the characters of a small element (title, id) up to its end
 * tag, entity-decoded, into out (NUL-terminated). */
static int read_field(mwiki *m, cbuf *out, cerr *err)
{
	cbuf raw = CBUF_INIT;
	int rc = next_tag(m, &raw, err);
	if (rc == 1) {
		cbuf_reset(out);
		if (decode_into(out, raw.data ? raw.data : "", raw.len) ||
		    cbuf_reserve(out, 0))
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		else
			out->data[out->len] = '\0';
	}
	cbuf_release(&raw);
	return rc;
}

/* Skip the rest of a <text> element, raw. */
static int skip_text(mwiki *m, cerr *err)
{
	int rc;
	while ((rc = next_tag(m, NULL, err)) == 1)
		if (strcmp(m->tag.data, "/text") == 0)
			return 1;
	return rc;
}

/* At the start of page text: does it start with #REDIRECT? */
static int text_is_redirect(mwiki *m, cerr *err)
{
	crin *in = &m->in;
	while (crin_avail(in) < 64 && !in->eof) {
		int rc = crin_more(in, 64, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			break;
	}
	const char *s = in->buf + in->pos;
	size_t n = crin_avail(in), i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ||
			 s[i] == '\r'))
		i++;
	return n - i >= 9 && strncasecmp(s + i, "#redirect", 9) == 0;
}

/* ------------------------------------------------------------------ */
/* Plugin                                                              */

static int start(mwiki *m, cerr *err)
{
	crin *in = &m->in;
	m->started = 1;
	while (crin_avail(in) < 4 && !in->eof) {
		int rc = crin_more(in, 4, err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			break;
	}
	const unsigned char *s = (const unsigned char *)in->buf + in->pos;
	size_t n = crin_avail(in);
	if (n >= 2 && ((s[0] == 0xff && s[1] == 0xfe) ||
		       (s[0] == 0xfe && s[1] == 0xff)))
		return cerr_set(err, CONTAM_E_FORMAT, "%s: a MediaWiki XML dump "
				"in UTF-16 (byte order mark %02X %02X); contam "
				"reads UTF-8 dumps: convert it first, e.g. "
				"iconv -f UTF-16 -t UTF-8", m->cx->label, s[0], s[1]);
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		in->pos += 3;
	/* The root element, after the prolog and comments. */
	int rc;
	while ((rc = next_tag(m, NULL, err)) == 1) {
		const char *t = m->tag.data;
		if (t[0] == '?' || t[0] == '!')
			continue;
		if (tag_is(m, "mediawiki"))
			return CONTAM_OK;
		return cerr_set(err, CONTAM_E_FORMAT, "%s: not a MediaWiki XML "
				"dump: the root element is <%.40s>", m->cx->label,
				t);
	}
	if (rc < 0)
		return rc;
	return cerr_set(err, CONTAM_E_FORMAT, "%s: not a MediaWiki XML dump: "
			"no <mediawiki> root element", m->cx->label);
}

static void note_skips(mwiki *m)
{
	const creader_options *o = m->cx->opt;
	char msg[CERR_MSG_MAX + 256];
	if (!m->redirects && !m->extra_revs)
		return;
	snprintf(msg, sizeof msg, "%s: MediaWiki dump: %" PRIu64 " page(s) "
		 "read; skipped (not errors): %" PRIu64 " redirect page(s), %"
		 PRIu64 " older revision(s)", m->cx->label, m->pages,
		 m->redirects, m->extra_revs);
	creader_note(o, msg);
}

#define MW_PIECE_FILL (CREADER_PIECE - MW_HTAG_MAX - MW_TARGET_MAX - 16)

/* Decode and filter s[0..run) (run <= avail; a '<' or nothing follows
 * within avail); stops before an entity that may be cut at the end of
 * the bytes read so far.  *used says how many bytes were consumed. */
static int decode_run(mwiki *m, const char *s, size_t run, size_t avail,
		      int whole, size_t *used)
{
	size_t i = 0;
	int rc = CONTAM_OK;
	while (i < run) {
		const char *amp = memchr(s + i, '&', run - i);
		size_t k = amp ? (size_t)(amp - (s + i)) : run - i;
		if (k && (rc = filter(m, s + i, k)))
			break;
		i += k;
		if (!amp)
			break;
		if (avail - i < MW_ENTITY_MAX && !whole)
			break; /* the entity may go on past what was read */
		char u[4];
		size_t ulen, e = entity(s + i, avail - i, u, &ulen);
		if (!e) {
			u[0] = '&';
			ulen = 1;
			e = 1;
		}
		if ((rc = filter(m, u, ulen)))
			break;
		i += e;
	}
	*used = i;
	return rc;
}

/* The input ended inside a page's text: the page is cut. */
static int text_cut(mwiki *m, cerr *err)
{
	m->doc_open = 0;
	m->in_page = 0;
	m->in_rev = 0;
	return creader_damage(m->cx, err, 1, "the dump ends inside the text "
			      "of page %" PRIu64 " (cut?)", m->page_no - 1);
}

/* Decode and filter the open <text> into out until out holds `limit`
 * bytes or the text ends.  doc_open is cleared at the end of the text;
 * in_page too when the text was cut (end of input, damage). */
static int pump(mwiki *m, cbuf *out, size_t limit, cerr *err)
{
	crin *in = &m->in;
	int rc;

	m->dst = out;
	while (m->doc_open && out->len < limit) {
		size_t avail = crin_avail(in);
		const char *s = in->buf + in->pos;
		const char *lt = memchr(s, '<', avail);
		size_t run = lt ? (size_t)(lt - s) : avail;
		size_t room = limit - out->len;
		int limited = run > room;
		if (limited)
			run = room;
		size_t i;
		if (decode_run(m, s, run, avail, lt || in->eof, &i))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		in->pos += i;
		if (lt && in->buf + in->pos == lt) {
			/* at '<': the end of the text */
			while (crin_avail(in) < 7 && !in->eof) {
				rc = more(m, crin_avail(in) + 7, err);
				if (rc < 0)
					return rc;
				if (rc != 1)
					break;
			}
			if (!m->doc_open)
				break; /* damage was passed */
			if (crin_avail(in) >= 7 &&
			    memcmp(in->buf + in->pos, "</text>", 7) == 0) {
				in->pos += 7;
			} else {
				rc = creader_damage(m->cx, err, 1, "offset %"
						    PRIu64 ": a '<' inside the text "
						    "of page %" PRIu64 " (not XML?); "
						    "the page's text ends there",
						    crin_offset(in), m->page_no - 1);
				if (rc < 0)
					return rc;
			}
			m->doc_open = 0;
			break;
		}
		if (limited && i >= run)
			continue;
		/* everything read so far is consumed, or an entity is cut */
		if (in->eof) {
			if ((rc = text_cut(m, err)) < 0)
				return rc;
			break;
		}
		rc = more(m, crin_avail(in) + MW_ENTITY_MAX, err);
		if (rc < 0)
			return rc;
		/* MW_RESYNC: damage passed, the page is cut short */
	}
	if (!m->doc_open && filter_end(m))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	return CONTAM_OK;
}

/* Hand out the current page as a document; its text is m->hold (from
 * hold_pos), then, when doc_open, the rest of the open <text>. */
static int deliver(mwiki *m, creader_doc *doc, cerr *err)
{
	if (cbuf_reserve(&m->title, 0) || cbuf_reserve(&m->id, 0))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	m->title.data[m->title.len] = '\0';
	m->id.data[m->id.len] = '\0';
	doc->member = NULL;
	doc->record = m->pages++;
	doc->offset = m->page_off;
	/* the title is the page's provenance: as doc->url too, so scan hit
	 * records carry it in their "url" */
	doc->url = m->title.len ? m->title.data : NULL;
	doc->id = m->id.len ? m->id.data : NULL;
	doc->title = m->title.len ? m->title.data : NULL;
	m->serving = 1;
	m->hold_pos = 0;
	return 1;
}

/* A revision's <text> starts: hold its filtered text (up to
 * MW_HOLD_MAX) until we know it is the page's last revision.  Returns 1
 * when a text too long to hold is delivered now, streaming; 0 when it
 * is held (or dropped: the page was cut); < 0 fatal. */
static int take_text(mwiki *m, int empty, creader_doc *doc, cerr *err)
{
	int rc;

	if (m->held)
		m->extra_revs++; /* an older revision, replaced */
	m->held = 0;
	cbuf_reset(&m->hold);
	if (empty) {
		m->held = 1;
		m->held_redirect = 0;
		return 0;
	}
	if (m->redirect)
		return (rc = skip_text(m, err)) < 0 ? rc : 0;
	rc = text_is_redirect(m, err);
	if (rc < 0)
		return rc;
	m->held_redirect = rc;
	memset(&m->f, 0, sizeof m->f);
	m->doc_open = 1;
	if ((rc = pump(m, &m->hold, MW_HOLD_MAX, err)) < 0)
		return rc;
	if (!m->doc_open) {
		m->held = m->in_page; /* else cut: the damage was reported */
		return 0;
	}
	/* Too long to hold: a page this big is delivered now, and any later
	 * revision of it is skipped. */
	if (m->held_redirect) {
		m->doc_open = 0;
		memset(&m->f, 0, sizeof m->f);
		m->page_streamed = 1;
		m->redirects++;
		return (rc = skip_text(m, err)) < 0 ? rc : 0;
	}
	m->page_streamed = 1;
	return deliver(m, doc, err);
}

static int mw_next_doc(void *state, creader_doc *doc, cerr *err)
{
	mwiki *m = state;
	int rc;

	m->serving = 0;
	if (m->doc_open) {
		/* the caller did not read all of the text */
		m->doc_open = 0;
		memset(&m->f, 0, sizeof m->f);
		if ((rc = skip_text(m, err)) < 0)
			return rc;
	}
	if (m->done)
		return 0;
	for (;;) {
		uint64_t at = crin_offset(&m->in);
		rc = next_tag(m, NULL, err);
		if (rc < 0)
			return rc;
		if (rc == MW_RESYNC)
			continue;
		if (rc == 0) {
			m->done = 1;
			rc = creader_damage(m->cx, err, 1, "the dump ends without "
					    "</mediawiki> (cut?)%s", m->in_page
					    ? "; the last page is lost" : "");
			note_skips(m);
			return rc < 0 ? rc : 0;
		}
		const char *t = m->tag.data;
		if (strcmp(t, "/mediawiki") == 0) {
			m->done = 1;
			note_skips(m);
			return 0;
		}
		if (tag_is(m, "page")) {
			m->in_page = 1;
			m->in_rev = 0;
			m->redirect = 0;
			m->held = 0;
			m->page_streamed = 0;
			m->page_off = at;
			m->page_no++;
			cbuf_reset(&m->title);
			cbuf_reset(&m->id);
			continue;
		}
		if (!m->in_page)
			continue;
		if (strcmp(t, "/page") == 0) {
			m->in_page = 0;
			if (m->page_streamed)
				continue;
			if (m->redirect || (m->held && m->held_redirect)) {
				m->redirects++;
				continue;
			}
			if (m->held) {
				m->held = 0;
				return deliver(m, doc, err);
			}
			/* a page without a revision text: nothing to read */
		} else if (tag_is(m, "revision")) {
			m->in_rev = 1;
		} else if (strcmp(t, "/revision") == 0) {
			m->in_rev = 0;
		} else if (!m->in_rev && tag_is(m, "title") && !self_closing(m)) {
			if ((rc = read_field(m, &m->title, err)) < 0)
				return rc;
		} else if (!m->in_rev && tag_is(m, "id") && !self_closing(m) &&
			   m->id.len == 0) {
			if ((rc = read_field(m, &m->id, err)) < 0)
				return rc;
		} else if (!m->in_rev && tag_is(m, "redirect")) {
			m->redirect = 1;
		} else if (m->in_rev && tag_is(m, "text")) {
			int empty = self_closing(m);
			if (m->page_streamed) {
				m->extra_revs++; /* after a page too big to hold */
				if (!empty && (rc = skip_text(m, err)) < 0)
					return rc;
				continue;
			}
			rc = take_text(m, empty, doc, err);
			if (rc != 0)
				return rc;
		}
	}
}

static int mw_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	mwiki *m = state;
	int rc;

	if (m->serving && m->hold_pos < m->hold.len) {
		size_t k = m->hold.len - m->hold_pos;
		if (k > CREADER_PIECE)
			k = CREADER_PIECE;
		*p = m->hold.data + m->hold_pos;
		*n = k;
		m->hold_pos += k;
		return 1;
	}
	if (!m->serving || !m->doc_open)
		return 0;
	cbuf_reset(&m->out);
	if ((rc = pump(m, &m->out, MW_PIECE_FILL, err)) < 0)
		return rc;
	if (m->out.len == 0)
		return 0;
	*p = m->out.data;
	*n = m->out.len;
	return 1;
}

static uint64_t mw_bytes_in(const void *state)
{
	const mwiki *m = state;
	return cstream_bytes_in(m->in.s);
}

static void mw_close(void *state)
{
	mwiki *m = state;
	if (!m)
		return;
	crin_release(&m->in);
	cbuf_release(&m->title);
	cbuf_release(&m->id);
	cbuf_release(&m->tag);
	cbuf_release(&m->out);
	cbuf_release(&m->hold);
	free(m);
}

static int mw_open(void **state, const char *path, cstream *in,
		   const creader_ctx *cx, cerr *err)
{
	mwiki *m = NULL;
	int rc = CONTAM_OK;

	(void)path;
	*state = NULL;
	m = calloc(1, sizeof *m);
	if (!m) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	m->cx = cx;
	rc = crin_init(&m->in, in, MW_TAG_MAX * 4, err);
	in = NULL;
	if (rc < 0)
		goto out;
	if (cbuf_reserve(&m->out, CREADER_PIECE)) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	/* A file that is not a UTF-8 dump fails to open, as an unreadable
	 * archive does: counted and reported, fatal with --strict. */
	if ((rc = start(m, err)) < 0)
		goto out;
	*state = m;
	m = NULL;
out:
	cstream_free(in);
	mw_close(m);
	return rc;
}

/* Does the decompressed start s[0..n) (at a '<') open a <mediawiki>
 * root element, after an XML declaration and comments? */
static int is_mediawiki(const char *s, size_t n)
{
	size_t i = 0;
	while (i + 1 < n && s[i] == '<' && (s[i + 1] == '?' || s[i + 1] == '!')) {
		const char *gt = memchr(s + i, '>', n - i);
		if (!gt)
			return 0;
		i = (size_t)(gt - s) + 1;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
				 s[i] == '\n'))
			i++;
	}
	return n - i > 10 && memcmp(s + i, "<mediawiki", 10) == 0 &&
	       (s[i + 10] == ' ' || s[i + 10] == '>' || s[i + 10] == '\n' ||
		s[i + 10] == '\t' || s[i + 10] == '\r');
}

/* A MediaWiki dump is named "<wiki>-<date>-pages-articles*.xml*" (or
 * pages-meta-*), compressed or not; the enwiki chunks put the page range
 * after ".xml" ("...articles1.xml-p10p30302.bz2"). */
static int mw_by_name(const char *name, const char *bare)
{
	(void)bare;
	return (strstr(name, "pages-articles") || strstr(name, "pages-meta")) &&
	       strstr(name, ".xml");
}

static int mw_by_content(const char *head, size_t n)
{
	size_t i = creader_lead_space(head, n);
	return i < n && head[i] == '<' && is_mediawiki(head + i, n - i);
}

const creader_ops creader_mediawiki_ops = {
	"mediawiki", mw_open, mw_next_doc, mw_read_text, mw_bytes_in,
	mw_close, CONTAM_INPUT_MEDIAWIKI, "a MediaWiki dump", mw_by_name, mw_by_content
};
