/*
 * test_html.c -- unit tests for the streaming HTML-to-text filter
 * (src/lib/reader/html_text.c) and its use by the WARC reader.
 *
 * Every case is run whole and again cut into pieces of random sizes
 * (1 byte up): the output must not depend on where the pieces end.
 *
 * `test_html --dump FILE` prints the documents the reader gives for
 * FILE, each followed by "\n\x01\n" (for comparing with contam_ref.py).
 */
#include "reader/reader.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned rng = 12345;
static unsigned next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 16) & 0x7fff;
}

/* The filter's output for s, in pieces of at most `maxpiece` bytes
 * (0: one piece). */
static char *filter(const char *s, size_t n, int cp1252, size_t maxpiece)
{
	chtml h;
	cbuf out = CBUF_INIT;
	cerr err;
	chtml_init(&h, cp1252);
	size_t i = 0;
	while (i < n) {
		size_t k = maxpiece ? 1 + next_rand() % maxpiece : n;
		if (k > n - i)
			k = n - i;
		if (chtml_feed(&h, s + i, k, &out, &err) < 0)
			abort();
		i += k;
	}
	if (chtml_finish(&h, &out, &err) < 0)
		abort();
	if (cbuf_reserve(&out, 0) < 0)
		abort();
	return cbuf_detach(&out, NULL);
}

static void check_one(const char *in, const char *want, int cp1252)
{
	char *got = filter(in, strlen(in), cp1252, 0);
	CHECK_STR(got, want);
	free(got);
	for (size_t maxp = 1; maxp <= 9; maxp += 2) {
		for (int rep = 0; rep < 20; rep++) {
			char *g = filter(in, strlen(in), cp1252, maxp);
			if (strcmp(g, want) != 0) {
				CHECK_STR(g, want);
				free(g);
				return;
			}
			free(g);
		}
	}
	CHECK(1);
}

#define T(in, want) check_one(in, want, 0)

static void test_tags(void)
{
	T("<b>bold</b>text", "boldtext");
	T("enjoy <a href=x>brewing</a>,", "enjoy brewing,");
	T("enjoy <a href=\"https://twitter.com/x?a=1&b=2\">brewing espresso</a>, sailing",
	  "enjoy brewing espresso, sailing");
	T("a<p>b</p>c", "a\nb\nc");
	T("a<br>b<br/>c<BR />d", "a\nb\nc\nd");
	T("<div class=x><span>one</span><em>two</em></div>", "\nonetwo\n");
	T("x<td>1</td><td>2</td>", "x\n1\n\n2\n");
	T("<h1>Title</h1><h6>six</h6>", "\nTitle\n\nsix\n");
	T("<li>a<li>b", "\na\nb");
	/* attribute values may hold '>' inside quotes */
	T("<a title=\"x > y\" href='p>q'>link</a>", "link");
	T("<img alt=\"a>b\" src=x.png>after", "after");
	T("<a href=x>y</a>", "y");
	T("<a b=\"c'd\">e</a>", "e");
	T("<a b = 'c\"d' >e</a>", "e");
	T("<a href=/x/>y", "y");
	/* '<' not starting a tag is text */
	T("1 < 2 and 3<4", "1 < 2 and 3<4");
	T("a <= b", "a <= b");
	T("</ >x", "x");
	/* unknown tags are inline */
	T("foo<custom-tag attr=1>bar</custom-tag>baz", "foobarbaz");
	T("<SPAN>Up</SPAN><P>per", "Up\nper");
	T("<verylongtagnamethatisnotknown>x</verylongtagnamethatisnotknown>", "x");
}

static void test_dropped(void)
{
	T("a<script>var x = '<p>not text</p>'; if (a<b) {}</script>b", "ab");
	T("a<SCRIPT type=text/javascript>x</script >b", "ab");
	T("a<script>x</scripty></script>b", "ab");
	T("a<script>x < /script </scr</script>b", "ab");
	T("a<style>p { color: red; } </style>b", "ab");
	T("a<style>x</STYLE>b", "ab");
	T("a<noscript>enable js<p>please</p></noscript>b", "ab");
	T("a<template><div>t</div></template>b", "ab");
	T("a<svg><text>in svg</text><svg>nested</svg>still</svg>b", "ab");
	T("a<svg/>b", "ab");
	T("a<!-- comment <p> with tags -->b", "ab");
	T("a<!-- x -- y --->b", "ab");
	T("a<!---->b", "ab");
	T("a<!-->still comment-->b", "ab");
	T("<!DOCTYPE html>a", "a");
	T("<?xml version=\"1.0\"?>a", "a");
	T("a<![CDATA[x < y & z]]>b", "ax < y & zb");
	T("a<![CDATA[x]y]]]>b", "ax]y]b");
	/* text in a head starts the body, as a browser shows it (HTML5);
	 * white space does not, nor does the head's <script> */
	T("<html><head><title>T</title><meta charset=utf-8>junk"
	  "<script>s</script></head><body>B</body></html>",
	  "\n\n\nT\njunk\n\nB\n\n");
	T("<html><head> \n <meta charset=utf-8>\n<script>s</script></head>"
	  "<body>B</body></html>", "\n\n\n\nB\n\n");
	/* a head never closed ends at the first body tag, or at its text */
	T("<head><title>T</title>x<p>body text", "\n\nT\nx\nbody text");
	T("<head>shown too<div>shown", "\nshown too\nshown");
	T("a<script>never closed", "a");
	T("a<!-- never closed", "a");
	T("a<b", "a");
}

static void test_entities(void)
{
	T("&amp; &lt; &gt; &quot; &apos;", "& < > \" '");
	T("Tom &amp Jerry", "Tom & Jerry");
	T("&copy 2020 &reg;", "\xC2\xA9 2020 \xC2\xAE");
	T("a&nbsp;b", "a\xC2\xA0" "b");
	T("&ndash;&mdash;&lsquo;&rsquo;&ldquo;&rdquo;&hellip;",
	  "\xE2\x80\x93\xE2\x80\x94\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C"
	  "\xE2\x80\x9D\xE2\x80\xA6");
	T("caf&eacute; &Eacute;t&eacute;", "caf\xC3\xA9 \xC3\x89t\xC3\xA9");
	T("it&#8217;s", "it\xE2\x80\x99s");
	T("&#x2019;&#X41;&#65", "\xE2\x80\x99" "AA");
	T("&#0; &#xD800; &#1114112; &#99999999999;",
	  "\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
	T("&#; &#x; &# x", "&#; &#x; &# x");
	T("&unknown; &foo bar", "&unknown; &foo bar");
	T("& alone &", "& alone &");
	T("&1abc", "&1abc");
	T("AT&T", "AT&T");
	T("x&amp;y", "x&y");
	/* entities in attributes are dropped with them */
	T("<a title=\"&amp;\">t</a>", "t");
	/* an entity inside a dropped element is dropped */
	T("<script>&amp;</script>x", "x");
}

static void test_charset(void)
{
	check_one("caf\xE9 \x93q\x94 \x80", "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D \xE2\x82\xAC", 1);
	check_one("\x81", "\xC2\x81", 1);
	/* UTF-8 passes as it is (invalid bytes too: the tokenizer repairs) */
	check_one("caf\xC3\xA9 \xFF", "caf\xC3\xA9 \xFF", 0);
}

/* Random markup: cut into random pieces it gives what one piece gives. */
static void test_random_pieces(void)
{
	static const char *const bits[] = {
		"<", ">", "&", ";", "#", "x", "a", "p", "/", "\"", "'", "=",
		" ", "-", "!", "[", "]", "<script>", "</script>", "<style>",
		"</style>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#65;",
		"&#x41;", "<p>", "</p>", "<b>", "<svg>", "</svg>", "<head>",
		"<title>", "</head>", "word", "\xE9", "<a href=\"", "&eacute"
	};
	char buf[2048];
	int bad = 0;
	for (int round = 0; round < 2000 && !bad; round++) {
		size_t n = 0;
		int parts = 1 + (int)(next_rand() % 60);
		for (int i = 0; i < parts; i++) {
			const char *b = bits[next_rand() % (sizeof bits / sizeof bits[0])];
			size_t k = strlen(b);
			memcpy(buf + n, b, k);
			n += k;
		}
		buf[n] = '\0';
		int cp = (int)(next_rand() & 1);
		char *whole = filter(buf, n, cp, 0);
		for (size_t maxp = 1; maxp < 40 && !bad; maxp += 7) {
			char *g = filter(buf, n, cp, maxp);
			if (strcmp(g, whole) != 0) {
				fprintf(stderr, "pieces differ on: %s\n", buf);
				bad = 1;
			}
			/* bounded output */
			if (strlen(g) > 3 * n + 64)
				bad = 1;
			free(g);
		}
		free(whole);
	}
	CHECK(!bad);
}

/* The WARC reader filters text/html responses only. */
static char tmpdir[256];

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(s, f);
	fclose(f);
}

static void add_response(cbuf *b, const char *http_ctype, const char *payload)
{
	cbuf http = CBUF_INIT;
	cbuf_printf(&http, "HTTP/1.1 200 OK\r\n%s%s%sContent-Length: %zu\r\n\r\n%s",
		    http_ctype ? "Content-Type: " : "", http_ctype ? http_ctype : "",
		    http_ctype ? "\r\n" : "", strlen(payload), payload);
	cbuf_printf(b, "WARC/1.0\r\nWARC-Type: response\r\n"
		    "WARC-Target-URI: http://example.com/\r\n"
		    "Content-Type: application/http; msgtype=response\r\n"
		    "Content-Length: %zu\r\n\r\n%s\r\n\r\n", http.len, http.data);
	cbuf_release(&http);
}

static char *read_docs(const char *path)
{
	creader *r = NULL;
	creader_options opt = { 0 };
	cerr err;
	cbuf all = CBUF_INIT;
	creader_doc doc;
	int rc = creader_open(&r, path, &opt, &err);
	CHECK(rc == CONTAM_OK);
	if (rc != CONTAM_OK)
		return NULL;
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1)
			cbuf_append(&all, p, n);
		cbuf_append(&all, "|", 1);
	}
	CHECK(rc == 0);
	creader_free(r);
	cbuf_reserve(&all, 0);
	return cbuf_detach(&all, NULL);
}

static void test_warc(void)
{
	char path[512];
	cbuf w = CBUF_INIT;
	add_response(&w, "text/html; charset=UTF-8", "<p>enjoy <a href=x>brewing</a>,</p>");
	add_response(&w, "text/plain", "<p>kept &amp; raw</p>");
	add_response(&w, "application/xhtml+xml", "<b>x</b>y");
	add_response(&w, NULL, "  <!DOCTYPE HTML><i>n</i>o");
	add_response(&w, NULL, "<HTML><i>h</i>i");
	add_response(&w, NULL, "plain <i>text</i>");
	add_response(&w, "TEXT/HTML;charset=\"windows-1252\"", "caf\xE9");
	add_response(&w, "text/html; charset=ISO-8859-1", "&eacute;\xE9");
	/* a <meta> charset counts when HTTP gives none */
	add_response(&w, "text/html", "<head><META http-equiv=x content=\"text/html; "
		     "charset=ISO-8859-1\"></head>caf\xE9");
	add_response(&w, "text/html", "<meta charset = 'windows-1252' />\x93q\x94");
	add_response(&w, "text/html; charset=utf-8", "<meta charset=latin1>caf\xC3\xA9");
	add_response(&w, "text/html", "<meta charset=utf-8>caf\xC3\xA9");
	add_response(&w, NULL, "<html><meta charset=cp1252>caf\xE9");
	add_response(&w, "image/png", "<p>not text</p>");
	add_response(&w, "text/html", "<script>only script</script>");
	cbuf_reserve(&w, 0);
	snprintf(path, sizeof path, "%s/a.warc", tmpdir);
	write_file(path, w.data);
	cbuf_release(&w);
	char *got = read_docs(path);
	CHECK_STR(got, "\nenjoy brewing,\n|<p>kept &amp; raw</p>|xy|  no|\nhi|plain <i>text</i>|"
		  "caf\xC3\xA9|\xC3\xA9\xC3\xA9|\n\ncaf\xC3\xA9|\xE2\x80\x9Cq\xE2\x80\x9D|"
		  "caf\xC3\xA9|caf\xC3\xA9|\ncaf\xC3\xA9||");
	free(got);
	unlink(path);
}

static int dump(const char *path)
{
	creader *r = NULL;
	creader_options opt = { 0 };
	cerr err;
	creader_doc doc;
	int rc = creader_open(&r, path, &opt, &err);
	if (rc != CONTAM_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1)
			fwrite(p, 1, n, stdout);
		fwrite("\n\x01\n", 1, 3, stdout);
	}
	creader_free(r);
	return rc < 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		return dump(argv[2]);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_html.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	test_tags();
	test_dropped();
	test_entities();
	test_charset();
	test_random_pieces();
	test_warc();
	rmdir(tmpdir);
	return tu_finish("html");
}
