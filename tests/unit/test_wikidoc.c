/*
 * test_wikidoc.c -- WikiExtractor output (reader_wikidoc.c): one document
 * per <doc> block, id and url from its attributes, text between the tag
 * lines, damage outside blocks and at a cut end counted, a block longer
 * than one piece streamed, and detection by content (no name to go by).
 */
#include "testutil.h"

#include "../../src/lib/reader/reader.h"

#include <unistd.h>
#include <zlib.h>

#define MAX_DOCS 8

typedef struct run {
	int ndocs;
	cbuf text[MAX_DOCS];
	char id[MAX_DOCS][64];
	char url[MAX_DOCS][128];
	size_t max_piece;
	uint64_t errors;
	int warnings;
	int rc;
	contam_input_kind kind;
} run;

static void on_warning(void *ctx, const char *msg)
{
	run *r = ctx;
	(void)msg;
	r->warnings++;
}

static void read_all(run *r, const char *path)
{
	creader_options opt = { .on_warning = on_warning, .ctx = r };
	creader *rd = NULL;
	creader_doc d;
	cerr err;
	const char *p;
	size_t n;

	memset(r, 0, sizeof *r);
	cerr_clear(&err);
	r->rc = creader_open(&rd, path, &opt, &err);
	if (r->rc < 0)
		return;
	r->kind = creader_kind(rd);
	while ((r->rc = creader_next_doc(rd, &d, &err)) == 1) {
		int i = r->ndocs < MAX_DOCS ? r->ndocs : MAX_DOCS - 1;
		r->ndocs++;
		snprintf(r->id[i], sizeof r->id[i], "%s", d.id ? d.id : "");
		snprintf(r->url[i], sizeof r->url[i], "%s", d.url ? d.url : "");
		while ((r->rc = creader_read_text(rd, &p, &n, &err)) == 1) {
			if (n > r->max_piece)
				r->max_piece = n;
			cbuf_append(&r->text[i], p, n);
		}
		if (r->rc < 0)
			break;
	}
	r->errors = creader_errors(rd);
	creader_free(rd);
}

static void run_release(run *r)
{
	for (int i = 0; i < MAX_DOCS; i++)
		cbuf_release(&r->text[i]);
}

static int text_is(const run *r, int i, const char *s)
{
	size_t n = strlen(s);
	return r->text[i].len == n && (n == 0 || memcmp(r->text[i].data, s, n) == 0);
}

static const char THREE[] =
	"<doc id=\"1\" url=\"https://ja.wikipedia.org/wiki?curid=1\" title=\"A\">\n"
	"A\n"
	"\n"
	"first article text\n"
	"</doc>\n"
	"<doc id=\"5\" url=\"https://x.org/?a=1&amp;b=&quot;2&quot;\" title=\"B &amp; C\">\n"
	"B\n"
	"second</doc> is not a tag here\n"
	"</doc>\n"
	"\n"
	"<doc id=\"9\" url=\"u\" title=\"C\">\n"
	"</doc>\n";

static void test_blocks(void)
{
	run r;
	const char *p = tu_path("wiki_00");
	tu_write_file(p, THREE, sizeof THREE - 1);
	read_all(&r, p);
	CHECK(r.rc == 0);
	CHECK(r.kind == CONTAM_INPUT_WIKIDOC);
	CHECK_EQ_U64(r.ndocs, 3);
	CHECK_EQ_U64(r.errors, 0);
	CHECK_STR(r.id[0], "1");
	CHECK_STR(r.url[0], "https://ja.wikipedia.org/wiki?curid=1");
	CHECK(text_is(&r, 0, "A\n\nfirst article text\n"));
	CHECK_STR(r.id[1], "5");
	CHECK_STR(r.url[1], "https://x.org/?a=1&b=\"2\"");
	CHECK(text_is(&r, 1, "B\nsecond</doc> is not a tag here\n"));
	CHECK(text_is(&r, 2, ""));
	run_release(&r);

	/* the same, gzip-compressed, still found by content */
	const char *gz = tu_path("wiki_01");
	gzFile g = gzopen(gz, "wb");
	CHECK(g != NULL);
	if (g) {
		gzwrite(g, THREE, sizeof THREE - 1);
		gzclose(g);
	}
	read_all(&r, gz);
	CHECK(r.rc == 0 && r.kind == CONTAM_INPUT_WIKIDOC);
	CHECK_EQ_U64(r.ndocs, 3);
	CHECK(text_is(&r, 0, "A\n\nfirst article text\n"));
	run_release(&r);
}

static void test_damage(void)
{
	run r;
	static const char stray[] =
		"stray line before\n"
		"<doc id=\"1\" url=\"u\" title=\"t\">\n"
		"kept\n"
		"</doc>\n"
		"another stray\n"
		"<doc id=\"2\" url=\"v\" title=\"t\">\n"
		"cut off here";
	const char *p = tu_path("wiki_02");
	tu_write_file(p, stray, sizeof stray - 1);
	/* the first line is not a <doc>: by content this is plain text */
	read_all(&r, p);
	CHECK(r.kind == CONTAM_INPUT_TEXT);
	run_release(&r);

	const char *q = tu_path("wiki_03");
	tu_write_file(q, stray + 18, sizeof stray - 1 - 18);
	read_all(&r, q);
	CHECK(r.rc == 0 && r.kind == CONTAM_INPUT_WIKIDOC);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK(text_is(&r, 0, "kept\n"));
	CHECK(text_is(&r, 1, "cut off here"));
	CHECK_EQ_U64(r.errors, 2); /* the stray line and the unclosed block */
	CHECK(r.warnings == 2);
	run_release(&r);
}

/* A block far longer than one piece is delivered in pieces, whole. */
static void test_long_block(void)
{
	cbuf b = CBUF_INIT;
	cbuf_printf(&b, "<doc id=\"7\" url=\"u\" title=\"long\">\n");
	size_t start = b.len;
	for (int i = 0; i < 40000; i++)
		cbuf_printf(&b, "line %d of a long article with some words\n", i);
	size_t end = b.len;
	cbuf_printf(&b, "</doc>\n<doc id=\"8\" url=\"w\" title=\"x\">\nlast\n</doc>\n");
	const char *p = tu_path("wiki_04");
	tu_write_file(p, b.data, b.len);
	run r;
	read_all(&r, p);
	CHECK(r.rc == 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK(r.max_piece <= CREADER_PIECE + 64);
	CHECK(r.text[0].len == end - start &&
	      memcmp(r.text[0].data, b.data + start, end - start) == 0);
	CHECK(text_is(&r, 1, "last\n"));
	run_release(&r);
	cbuf_release(&b);
}

/* The real WikiExtractor samples: as many documents as <doc> lines. */
static void test_real_files(void)
{
	const char *root = getenv("CONTAM_SHARED_DATA");
	static const char *const files[] = { "corpus/jawiki/wiki_00",
					     "corpus/zhwiki/wiki_00" };
	for (size_t f = 0; root && f < 2; f++) {
		char path[1024], line[8192];
		snprintf(path, sizeof path, "%s/%s", root, files[f]);
		FILE *in = fopen(path, "rb");
		if (!in)
			continue;
		int want = 0;
		while (fgets(line, sizeof line, in))
			want += strncmp(line, "<doc id=\"", 9) == 0;
		fclose(in);
		run r;
		read_all(&r, path);
		CHECK(r.rc == 0 && r.kind == CONTAM_INPUT_WIKIDOC);
		CHECK(want > 0);
		CHECK_EQ_U64(r.ndocs, want);
		CHECK_EQ_U64(r.errors, 0);
		run_release(&r);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test-wikidoc-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_blocks();
	test_damage();
	test_long_block();
	test_real_files();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tu_tmpdir);
	return tu_finish("test_wikidoc");
}
