/*
 * test_purify_safety.c -- unit tests for the pieces the purified copy
 * shares with the reader or relies on for honest errors:
 *
 * - cwarc_parse_header(), the one WARC header parser of the reader and
 *   of purify: Content-Length given once, twice alike, twice different
 *   (damaged: conflicting_length), malformed, missing;
 * - the reader skips a record with two different Content-Length headers
 *   as damaged and goes on with the next record;
 * - the output sink keeps the errno of a failed write: a sink on
 *   /dev/full fails with "No space left on device" in its message, for
 *   each codec;
 * - a scan with --purify over a tar holding two members of one name drops
 *   the contaminated one and keeps the clean one (by entry number).
 */
#include "reader/reader.h"
#include "scan/scan.h"
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void parse(const char *block, cwarc_header *h)
{
	cwarc_parse_header(block, strlen(block), h);
}

static void test_header_parser(void)
{
	cwarc_header h;
	parse("WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 42\r\n\r\n", &h);
	CHECK(h.has_length && !h.bad_length && !h.conflicting_length);
	CHECK_EQ_U64(h.length, 42);
	CHECK(h.type && h.type_len == 10 && !strncmp(h.type, "conversion", 10));

	parse("WARC/1.0\r\nContent-Length: 42\r\ncontent-length:   42  \r\n\r\n", &h);
	CHECK(h.has_length && !h.bad_length && !h.conflicting_length);
	CHECK_EQ_U64(h.length, 42);

	/* r09: the first said 5, the last the true length */
	parse("WARC/1.0\r\nContent-Length: 5\r\nContent-Length: 142\r\n\r\n", &h);
	CHECK(h.has_length && h.bad_length && h.conflicting_length);
	parse("WARC/1.0\r\nContent-Length: 142\r\nContent-Length: 5\r\n\r\n", &h);
	CHECK(h.has_length && h.bad_length && h.conflicting_length);
	parse("WARC/1.0\nContent-Length: 1\nContent-Length: 1\nContent-Length: 2\n\n", &h);
	CHECK(h.bad_length && h.conflicting_length);

	parse("WARC/1.0\r\nContent-Length: 12x\r\n\r\n", &h);
	CHECK(h.has_length && h.bad_length && !h.conflicting_length);
	parse("WARC/1.0\r\nContent-Length: 12\r\nContent-Length: -3\r\n\r\n", &h);
	CHECK(h.has_length && h.bad_length);
	parse("WARC/1.0\r\nWARC-Type: resource\r\n\r\n", &h);
	CHECK(!h.has_length);

	const char *v;
	size_t vn;
	CHECK(cwarc_header_is("Content-Length:  7 \r", 20, "content-length", &v, &vn));
	CHECK(vn == 1 && v[0] == '7');
	CHECK(!cwarc_header_is("Content-Lengthy: 7", 18, "Content-Length", &v, &vn));
}

static void on_warning(void *ctx, const char *msg)
{
	if (strstr(msg, "two different Content-Length"))
		(*(int *)ctx)++;
}

static void test_reader_skips_conflicting_record(void)
{
	const char *body = "hidden text that must not be read";
	const char *clean = "clean record text";
	char w[2048];
	int n = snprintf(w, sizeof w,
			 "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 5\r\n"
			 "Content-Length: %zu\r\n\r\n%s\r\n\r\n"
			 "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: %zu\r\n\r\n%s\r\n\r\n",
			 strlen(body), body, strlen(clean), clean);
	tu_write_file(tu_path("dupcl.warc"), w, (size_t)n);
	int warned = 0;
	creader_options o = { .on_warning = on_warning, .ctx = &warned };
	creader *r = NULL;
	cerr err;
	cerr_clear(&err);
	CHECK(creader_open(&r, tu_path("dupcl.warc"), &o, &err) == CONTAM_OK);
	if (!r)
		return;
	creader_doc doc;
	int docs = 0, rc;
	char text[256] = "";
	size_t tl = 0;
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t k;
		docs++;
		while (creader_read_text(r, &p, &k, &err) == 1)
			if (tl + k < sizeof text) {
				memcpy(text + tl, p, k);
				tl += k;
			}
	}
	text[tl] = '\0';
	CHECK(rc == 0);
	CHECK_EQ_U64(docs, 1);
	CHECK_STR(text, clean);
	CHECK_EQ_U64(creader_errors(r), 1);
	CHECK(warned == 1);
	creader_free(r);
}

static void test_sink_errno(void)
{
	static const int codecs[] = { CSTREAM_PLAIN, CSTREAM_GZIP, CSTREAM_ZSTD };
	char *junk = malloc(1 << 20);
	CHECK(junk != NULL);
	if (!junk)
		return;
	for (size_t i = 0; i < (1 << 20); i++)
		junk[i] = (char)(i * 2654435761u >> 13);
	for (size_t c = 0; c < sizeof codecs / sizeof *codecs; c++) {
		FILE *f = fopen("/dev/full", "wb");
		if (!f) {
			CHECK(errno == ENOENT); /* no /dev/full here: nothing to test */
			break;
		}
		cscan_sink *k = NULL;
		cerr err;
		cerr_clear(&err);
		CHECK(cscan_sink_open_stream(&k, f, codecs[c]) == CONTAM_OK);
		int wrc = CONTAM_OK;
		for (int j = 0; j < 4 && wrc == CONTAM_OK; j++)
			wrc = cscan_sink_write(k, junk, 1 << 20);
		int rc = cscan_sink_close(k, &err);
		CHECK(rc == CONTAM_E_IO);
		CHECK(strstr(err.msg, strerror(ENOSPC)) != NULL);
		if (!strstr(err.msg, strerror(ENOSPC)))
			fprintf(stderr, "  codec %d: '%s'\n", codecs[c], err.msg);
		fclose(f);
	}
	free(junk);
}

/* A tar with a.txt (clean) then a.txt (contaminated), purified. */
static void add_member(struct archive *a, const char *name, const char *data)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	CHECK(archive_write_data(a, data, strlen(data)) == (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

static const char *PL = "the quick brown fox jumps over the lazy dog while seven "
			"purple elephants dance quietly beneath the silver moon tonight";

static void test_same_name_members(void)
{
	char line[512];
	snprintf(line, sizeof line, "{\"text\": \"%s\"}\n", PL);
	tu_write_file(tu_path("bench.jsonl"), line, strlen(line));
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	CHECK(archive_write_open_filename(a, tu_path("dup.tar")) == ARCHIVE_OK);
	const char *clean = "clean text one two three four five six seven eight nine ten\n";
	char hit[512];
	snprintf(hit, sizeof hit, "intro %s outro\n", PL);
	add_member(a, "a.txt", clean);
	add_member(a, "a.txt", hit);
	archive_write_close(a);
	archive_write_free(a);

	contam_scan_options o;
	contam_scan_options_init(&o);
	o.purify_dir = tu_path("p");
	o.purify_mode = CONTAM_PURIFY_DROP;
	o.threads = 1;
	contam_scan *s = NULL;
	CHECK(contam_scan_new(&s, &o, NULL) == CONTAM_OK);
	CHECK(contam_scan_add_file(s, "bench", tu_path("bench.jsonl")) == CONTAM_OK);
	const char *paths[] = { tu_path("dup.tar") };
	contam_inputs in;
	contam_error eb;
	CHECK(contam_inputs_expand(&in, paths, 1, &eb) == CONTAM_OK);
	int rc = contam_scan_run(s, &in);
	CHECK(rc == CONTAM_OK);
	if (rc)
		fprintf(stderr, "  %s\n", contam_scan_errmsg(s));
	contam_scan_stats st;
	contam_scan_stats_get(s, &st);
	CHECK_EQ_U64(st.dropped_documents, 1);
	contam_inputs_free(&in);
	contam_scan_free(s);

	/* the copy: one member, the clean one */
	char out[700];
	snprintf(out, sizeof out, "%s/%s", tu_path("p"), tu_path("dup.tar") + 1);
	struct archive *r = archive_read_new();
	archive_read_support_format_all(r);
	CHECK(archive_read_open_filename(r, out, 1 << 16) == ARCHIVE_OK);
	struct archive_entry *e;
	int members = 0;
	char data[256];
	while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
		la_ssize_t n = archive_read_data(r, data, sizeof data - 1);
		data[n > 0 ? n : 0] = '\0';
		members++;
		CHECK_STR(data, clean);
	}
	CHECK_EQ_U64(members, 1);
	archive_read_free(r);
}

static int rm_tree(const char *d)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	return system(cmd);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "%s/contam-purify-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_header_parser();
	test_reader_skips_conflicting_record();
	test_sink_errno();
	test_same_name_members();
	rm_tree(tu_tmpdir);
	return tu_finish("test_purify_safety");
}
