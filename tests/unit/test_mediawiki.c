/*
 * test_mediawiki.c -- the MediaWiki XML dump reader (reader_mediawiki.c)
 * and the JSON reader's --text-field paths and whole-file records
 * (json_scan.c cjson_select_path, reader_jsonl.c).
 */
#include "testutil.h"
#include "reader/reader.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run {
	int ndocs;
	char text[8][4096];   /* first bytes of each doc's text */
	char title[8][256];
	char id[8][64];
	size_t len[8];
	size_t total;         /* all text bytes */
	size_t max_piece;
	uint64_t errors;
	int warnings;
	char last_warning[1024];
	int rc;
	char err[1024];
	contam_input_kind kind;
} run;

static void on_warning(void *ctx, const char *msg)
{
	run *r = ctx;
	r->warnings++;
	snprintf(r->last_warning, sizeof r->last_warning, "%s", msg);
}

static void read_all(run *r, const char *path, const char *const *fields,
		     size_t nfields, int strict)
{
	creader_options opt = { .strict = strict, .on_warning = on_warning, .ctx = r,
				 .text_fields = fields, .ntext_fields = nfields };
	creader *rd = NULL;
	creader_doc d;
	cerr err;
	int rc;

	memset(r, 0, sizeof *r);
	cerr_clear(&err);
	rc = creader_open(&rd, path, &opt, &err);
	if (rc < 0) {
		r->rc = rc;
		snprintf(r->err, sizeof r->err, "%s", err.msg);
		return;
	}
	r->kind = creader_kind(rd);
	while ((rc = creader_next_doc(rd, &d, &err)) == 1) {
		int i = r->ndocs++;
		const char *p;
		size_t n;
		if (i < 8) {
			snprintf(r->title[i], sizeof r->title[i], "%s", d.title ? d.title : "");
			snprintf(r->id[i], sizeof r->id[i], "%s", d.id ? d.id : "");
		}
		while ((rc = creader_read_text(rd, &p, &n, &err)) == 1) {
			if (n > r->max_piece)
				r->max_piece = n;
			if (i < 8 && r->len[i] < sizeof r->text[i] - 1) {
				size_t k = sizeof r->text[i] - 1 - r->len[i];
				memcpy(r->text[i] + r->len[i], p, n < k ? n : k);
			}
			if (i < 8)
				r->len[i] += n;
			r->total += n;
		}
		if (rc < 0)
			break;
	}
	r->rc = rc;
	if (rc < 0)
		snprintf(r->err, sizeof r->err, "%s", err.msg);
	r->errors = creader_errors(rd);
	creader_free(rd);
}

#define HEAD "<?xml version=\"1.0\"?>\n<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.10/\" version=\"0.10\">\n" \
	"  <siteinfo><sitename>T</sitename><namespaces><namespace key=\"0\" /></namespaces></siteinfo>\n"

static void test_pages(void)
{
	const char *xml = HEAD
		"  <page>\n    <title>Alpha &amp; Beta</title>\n    <ns>0</ns>\n    <id>10</id>\n"
		"    <revision><id>99</id><parentid>98</parentid><text bytes=\"1\" xml:space=\"preserve\">"
		"'''Alpha''' is a [[Greek alphabet|letter]] of the [[alphabet]].{{Infobox|x={{nested|y}}}}"
		" It is ''old''&lt;ref name=&quot;a&quot;&gt;cite {{cite|a}}&lt;/ref&gt; and &lt;b&gt;bold&lt;/b&gt;"
		" &#65;&#x42;&#x4E2D;. Don't.&lt;ref name=x /&gt;&lt;!-- hidden > still --&gt; "
		"{| class=x\n| cell\n|} [http://e.org e] End"
		"&lt;!-- a comment longer than a tag buffer: "
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"- -&gt; --&gt;.</text>\n"
		"    <sha1>x</sha1></revision>\n  </page>\n"
		"  <page><title>Redir</title><ns>0</ns><id>11</id><redirect title=\"Alpha\" />"
		"<revision><id>100</id><text xml:space=\"preserve\">#REDIRECT [[Alpha]]</text></revision></page>\n"
		"  <page><title>Redir2</title><ns>0</ns><id>12</id>"
		"<revision><id>101</id><text xml:space=\"preserve\">  #redirect [[Alpha]]</text></revision></page>\n"
		"  <page><title>Empty</title><ns>0</ns><id>13</id><revision><id>102</id><text bytes=\"0\" /></revision></page>\n"
		"  <page><title>Hist</title><ns>0</ns><id>14</id>"
		"<revision><id>1</id><text>first</text></revision>"
		"<revision><id>2</id><text>second</text></revision></page>\n"
		"</mediawiki>\n";
	const char *path = tu_path("pages.xml");
	run r;

	tu_write_file(path, xml, strlen(xml));
	CHECK(creader_detect(path) == CONTAM_INPUT_MEDIAWIKI);
	read_all(&r, path, NULL, 0, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK(r.kind == CONTAM_INPUT_MEDIAWIKI);
	CHECK_EQ_U64(r.ndocs, 3);
	CHECK_STR(r.title[0], "Alpha & Beta");
	CHECK_STR(r.id[0], "10");
	CHECK_STR(r.text[0], "Alpha is a letter of the alphabet. It is old and bold AB\xe4\xb8\xad. Don't. "
		  "{| class=x\n| cell\n|} [http://e.org e] End.");
	CHECK_STR(r.title[1], "Empty");
	CHECK_STR(r.id[1], "13");
	CHECK_EQ_U64(r.len[1], 0);
	/* history: the latest (last) revision only */
	CHECK_STR(r.title[2], "Hist");
	CHECK_STR(r.text[2], "second");
	CHECK_EQ_U64(r.errors, 0);
	/* the skips are reported, not counted as damage */
	CHECK(r.warnings == 1);
	CHECK(strstr(r.last_warning, "2 redirect page(s)") != NULL);
	CHECK(strstr(r.last_warning, "1 older revision(s)") != NULL);
}

/* A page far larger than a piece: streamed, every entity decoded even
 * where it straddles a buffer boundary, templates spanning pieces. */
static void test_big_page(void)
{
	cbuf b = CBUF_INIT;
	/* "a &amp; b " = 10 bytes of XML, 6 of text: 6 MB, more than a
	 * revision held until </page> (4 MiB), so it streams */
	size_t reps = 1000000;
	CHECK(cbuf_append(&b, HEAD, strlen(HEAD)) == 0);
	cbuf_printf(&b, "<page><title>Big</title><id>1</id><revision><text>");
	for (size_t i = 0; i < reps; i++)
		cbuf_append(&b, "a &amp; b ", 10);
	cbuf_printf(&b, "{{");
	for (size_t i = 0; i < reps; i++)
		cbuf_append(&b, "dropped ", 8);
	cbuf_printf(&b, "}}tail</text></revision>"
		    "<revision><text>a later revision, skipped</text></revision></page>\n");
	/* a history whose latest revision is a redirect is a redirect */
	cbuf_printf(&b, "<page><title>H</title><id>2</id><revision><text>old text</text></revision>"
		    "<revision><text>#REDIRECT [[Big]]</text></revision></page>\n");
	cbuf_printf(&b, "<page><title>H2</title><id>3</id><revision><text>#REDIRECT [[Big]]</text>"
		    "</revision><revision><text>now an article</text></revision></page>\n");
	cbuf_printf(&b, "</mediawiki>\n");
	const char *path = tu_path("big.xml");
	tu_write_file(path, b.data, b.len);
	run r;
	read_all(&r, path, NULL, 0, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK_EQ_U64(r.len[0], reps * 6 + 4); /* "a & b " each, then "tail" */
	CHECK_STR(r.title[1], "H2");
	CHECK_STR(r.text[1], "now an article");
	CHECK(strstr(r.last_warning, "1 redirect page(s), 3 older revision(s)") != NULL);
	CHECK(r.max_piece <= CREADER_PIECE);
	CHECK(r.max_piece > 0);
	CHECK_EQ_U64(r.errors, 0);
	cbuf_release(&b);
}

static void test_refusals(void)
{
	run r;
	const char *p1 = tu_path("x-pages-articles.xml");
	tu_write_file(p1, "<?xml version=\"1.0\"?><root><page/></root>", 41);
	CHECK(creader_detect(p1) == CONTAM_INPUT_MEDIAWIKI);
	read_all(&r, p1, NULL, 0, 0);
	CHECK(r.rc == CONTAM_E_FORMAT);
	CHECK(strstr(r.err, "not a MediaWiki XML dump") != NULL);
	CHECK(strstr(r.err, "<root>") != NULL);

	/* UTF-16 (with a byte order mark): the stream turns it into UTF-8 */
	const char *p2 = tu_path("y-pages-articles.xml");
	const char *u8 = HEAD "<page><title>U</title><id>7</id><revision>"
			 "<text>sixteen bit text</text></revision></page></mediawiki>";
	size_t u8n = strlen(u8);
	char *u16 = malloc(2 * u8n + 2);
	u16[0] = '\xff';
	u16[1] = '\xfe';
	for (size_t i = 0; i < u8n; i++) {
		u16[2 + 2 * i] = u8[i];
		u16[3 + 2 * i] = '\0';
	}
	tu_write_file(p2, u16, 2 * u8n + 2);
	free(u16);
	read_all(&r, p2, NULL, 0, 0);
	CHECK(r.rc == 0);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK(strstr(r.text[0], "sixteen bit text") != NULL);

	/* cut inside a page: counted as damage */
	const char *cut = HEAD "<page><title>C</title><id>1</id><revision><text>some text";
	const char *p3 = tu_path("cut.xml");
	tu_write_file(p3, cut, strlen(cut));
	read_all(&r, p3, NULL, 0, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK(r.errors >= 1);
	read_all(&r, p3, NULL, 0, 1);
	CHECK(r.rc == CONTAM_E_CORRUPT);

	/* the real enwiki chunk name */
	CHECK(creader_detect_name("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
	      == CONTAM_INPUT_MEDIAWIKI);
	CHECK(creader_detect_name("bgwiki-latest-pages-articles-shortened.xml.bz2") == CONTAM_INPUT_MEDIAWIKI);
	CHECK(creader_detect_name("notes.xml") == CONTAM_INPUT_UNKNOWN);
	/* an .xml that is not a dump stays text */
	const char *p4 = tu_path("other.xml");
	tu_write_file(p4, "<?xml version=\"1.0\"?>\n<root/>", 29);
	CHECK(creader_detect(p4) == CONTAM_INPUT_TEXT);
}

static int sel(const char *json, const char *path, const char *want, size_t want_pieces)
{
	cbuf out = CBUF_INIT;
	size_t pieces = 0;
	cerr err;
	cerr_clear(&err);
	int rc = cjson_select_path(json, strlen(json), path, &out, &pieces, &err);
	cbuf_putc(&out, '\0');
	int ok = rc == 0 && pieces == want_pieces && strcmp(out.data, want) == 0;
	if (!ok)
		fprintf(stderr, "select '%s' in %s: rc %d, %zu pieces, '%s'\n", path, json,
			rc, pieces, out.data);
	cbuf_release(&out);
	return ok;
}

static void test_paths(void)
{
	const char *j = "{\"title\": \"T\", \"paragraphs\": [\"a\", \"b\\n\"], "
			"\"meta\": {\"body\": \"mb\", \"n\": 4.5, \"t\": true, \"z\": null}, "
			"\"turns\": [{\"text\": \"t0\"}, {\"text\": \"t1\"}], "
			"\"a.b\": \"dotted\", \"a\": {\"c\": \"ac\"}, \"dup\": \"1\", \"dup\": \"2\"}";
	CHECK(sel(j, "paragraphs", "a\nb\n", 2));
	CHECK(sel(j, "meta.body", "mb", 1));
	CHECK(sel(j, "meta.n", "4.5", 1));
	CHECK(sel(j, "meta.t", "true", 1));
	CHECK(sel(j, "meta.z", "", 0));
	CHECK(sel(j, "meta", "mb", 1));          /* an object: its strings */
	CHECK(sel(j, "turns.text", "t0\nt1", 2));
	CHECK(sel(j, "turns.1.text", "t1", 1));
	CHECK(sel(j, "turns.5.text", "", 0));
	CHECK(sel(j, "a.b", "", 0));             /* "a" wins, as in probe's --field */
	CHECK(sel("{\"a.b\": \"dotted\"}", "a.b", "dotted", 1)); /* no "a": the dotted key */
	CHECK(sel(j, "a.c", "ac", 1));
	CHECK(sel(j, "dup", "2", 1));            /* the last value wins */
	CHECK(sel(j, "missing", "", 0));
	CHECK(sel("\"bare\"", "", "bare", 1));

	char keys[256];
	size_t nkeys;
	CHECK(cjson_key_list("{\"x\": 1, \"y\": [2], \"z\": {}}", 27, keys, sizeof keys, &nkeys) == 0);
	CHECK_STR(keys, "'x', 'y', 'z'");
	CHECK_EQ_U64(nkeys, 3);
}

static void test_json_records(void)
{
	run r;
	/* an array of records, one of them larger than a crin piece */
	cbuf b = CBUF_INIT;
	cbuf_printf(&b, "[\n  {\"title\": \"t0\", \"paragraphs\": [\"p0\", \"p1\"]},\n  {\"paragraphs\": [\"");
	for (int i = 0; i < 100000; i++)
		cbuf_append(&b, "xxxxx", 5);
	cbuf_printf(&b, "\"]},\n  {\"title\": \"no text\", \"author\": \"a\"},\n  \"bare string\"\n]\n");
	const char *p1 = tu_path("arr.json");
	tu_write_file(p1, b.data, b.len);
	const char *f1[] = { "paragraphs" };
	read_all(&r, p1, f1, 1, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK_EQ_U64(r.ndocs, 3);
	CHECK_STR(r.text[0], "p0\np1");
	CHECK_EQ_U64(r.len[1], 500000);
	CHECK_STR(r.text[2], "bare string");
	CHECK_EQ_U64(r.errors, 1);
	CHECK(strstr(r.last_warning, "--text-field 'paragraphs' is missing") != NULL);
	CHECK(strstr(r.last_warning, "'title', 'author'") != NULL);

	/* two fields joined */
	const char *f2[] = { "title", "paragraphs" };
	read_all(&r, p1, f2, 2, 0);
	CHECK_EQ_U64(r.ndocs, 4);
	CHECK_STR(r.text[0], "t0\np0\np1");
	CHECK_STR(r.text[2], "no text");
	CHECK_EQ_U64(r.errors, 0);

	/* a pretty-printed object whose first array of objects holds the
	 * records (an array of strings before it does not) */
	const char *obj = "{\n  \"title\": \"book\",\n  \"abstract\": [\"s1\", \"s2\"],\n"
			  "  \"content\": [\n    {\"title\": \"c1\", \"paragraphs\": [\"x\"]},\n"
			  "    {\"title\": \"c2\", \"paragraphs\": [\"y\", \"z\"]}\n  ],\n  \"tail\": 1\n}\n";
	const char *p2 = tu_path("obj.json");
	tu_write_file(p2, obj, strlen(obj));
	read_all(&r, p2, f1, 1, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK_STR(r.text[1], "y\nz");
	CHECK_EQ_U64(r.errors, 0);

	/* the records one level down, as the benchmark reader finds them */
	const char *deep = "{\n  \"version\": 1,\n  \"meta\": {\"n\": 2},\n"
			   "  \"data\": {\"split\": \"train\", \"rows\": [{\"paragraphs\": [\"r1\"]},"
			   " {\"paragraphs\": \"r2\"}]}\n}\n";
	const char *pd = tu_path("deep.json");
	tu_write_file(pd, deep, strlen(deep));
	read_all(&r, pd, f1, 1, 0);
	CHECK_EQ_U64(r.rc, 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK_STR(r.text[0], "r1");
	CHECK_STR(r.text[1], "r2");
	CHECK_EQ_U64(r.errors, 0);

	/* without an array of objects the object is the one record */
	const char *one = "{\n  \"chapter\": \"c\",\n  \"paragraphs\": [\"p\", \"q\"]\n}\n";
	const char *p3 = tu_path("one.json");
	tu_write_file(p3, one, strlen(one));
	read_all(&r, p3, f1, 1, 0);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK_STR(r.text[0], "p\nq");

	/* a cut array is damage, not a silent end */
	const char *p4 = tu_path("cutarr.json");
	tu_write_file(p4, "[{\"text\": \"a\"}, {\"text\": \"b", 27);
	read_all(&r, p4, NULL, 0, 0);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK_EQ_U64(r.errors, 1);

	/* JSON lines: a --text-field plain name whose value is an array
	 * works too; the default "text" must be a string (a guess that does
	 * not fit is damage, as before) */
	const char *lines = "{\"text\": \"s\"}\n{\"text\": [\"a\", \"b\"]}\n{\"other\": 1}\n";
	const char *p5 = tu_path("l.jsonl");
	tu_write_file(p5, lines, strlen(lines));
	const char *ft[] = { "text" };
	read_all(&r, p5, ft, 1, 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK_STR(r.text[1], "a\nb");
	CHECK_EQ_U64(r.errors, 1);
	CHECK(strstr(r.last_warning, "the record has 1 key(s): 'other'") != NULL);
	read_all(&r, p5, NULL, 0, 0);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK_EQ_U64(r.errors, 2);
	CHECK(strstr(r.last_warning, "field 'text' is missing or not a string") != NULL);
	CHECK(strstr(r.last_warning, "'other'") != NULL);

	/* a pretty-printed object with the text at its top is one record,
	 * even when it holds an array of objects */
	const char *top = "{\n  \"text\": \"the doc\",\n  \"meta\": [{\"k\": \"v\"}]\n}\n";
	const char *p6 = tu_path("top.json");
	tu_write_file(p6, top, strlen(top));
	read_all(&r, p6, NULL, 0, 0);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK_STR(r.text[0], "the doc");
	CHECK_EQ_U64(r.errors, 0);
	cbuf_release(&b);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam_test_mediawiki_XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_pages();
	test_big_page();
	test_refusals();
	test_paths();
	test_json_records();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("mediawiki");
}
