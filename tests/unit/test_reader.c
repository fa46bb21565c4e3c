/*
 * test_reader.c -- unit tests for the decompressing stream (stream.c),
 * the corpus readers (reader*.c) and the JSON field scanner.
 *
 * Every input is generated here, into a fresh temporary directory, with
 * the zlib / zstd / libarchive write APIs, so the tests show exactly what
 * bytes each case feeds in.  Each reader gets negative cases: truncated,
 * corrupt, wrong format.  The JSON scanner is compared against jansson on
 * hand-picked tricky lines and on random mutations of them.  Finally, if
 * the shared corpus samples exist next to the source tree, they are read
 * too (and skipped quietly when they do not).
 */
#include "common/stream.h"
#include "reader/reader.h"
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* ------------------------------------------------------------------ */
/* Helpers: files and compression                                      */

/* Append one gzip member holding data to b. */
static void gz_member(cbuf *b, const void *data, size_t len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8,
			   Z_DEFAULT_STRATEGY) == Z_OK);
	size_t bound = deflateBound(&z, len) + 64;
	cbuf_reserve(b, bound);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)b->data + b->len;
	z.avail_out = (uInt)bound;
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
	b->len += bound - z.avail_out;
	deflateEnd(&z);
}

static void zst_frame(cbuf *b, const void *data, size_t len)
{
	size_t bound = ZSTD_compressBound(len);
	cbuf_reserve(b, bound);
	size_t n = ZSTD_compress(b->data + b->len, bound, data, len, 3);
	CHECK(!ZSTD_isError(n));
	b->len += n;
}

static void gz_file(const char *path, const void *data, size_t len)
{
	cbuf b = CBUF_INIT;
	gz_member(&b, data, len);
	tu_write_file(path, b.data, b.len);
	cbuf_release(&b);
}

static void zst_file(const char *path, const void *data, size_t len)
{
	cbuf b = CBUF_INIT;
	zst_frame(&b, data, len);
	tu_write_file(path, b.data, b.len);
	cbuf_release(&b);
}

typedef struct member {
	const char *name;
	const char *data;
	size_t len;
} member;

/* Write an archive: format "tar" or "zip", filter "" or "gzip". */
static void write_archive(const char *path, const char *format,
			  const char *filter, const member *m, size_t n)
{
	struct archive *a = archive_write_new();
	if (strcmp(format, "zip") == 0)
		archive_write_set_format_zip(a);
	else
		archive_write_set_format_pax_restricted(a);
	if (strcmp(filter, "gzip") == 0)
		archive_write_add_filter_gzip(a);
	else if (strcmp(filter, "zstd") == 0)
		archive_write_add_filter_zstd(a);
	CHECK(archive_write_open_filename(a, path) == ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		if (!m[i].data) {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)m[i].len);
		}
		CHECK(archive_write_header(a, e) == ARCHIVE_OK);
		if (m[i].data && m[i].len)
			CHECK(archive_write_data(a, m[i].data, m[i].len) ==
			      (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cbuf b = CBUF_INIT;
	char tmp[65536];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		cbuf_append(&b, tmp, n);
	fclose(f);
	return cbuf_detach(&b, len);
}

/* ------------------------------------------------------------------ */
/* Helpers: WARC records                                               */

/* Append one WARC record; content_length < 0 means "the real one". */
static void warc_record(cbuf *b, const char *version, const char *type,
			const char *uri, const char *id, const char *ctype,
			const char *body, long content_length)
{
	size_t blen = strlen(body);
	cbuf_printf(b, "WARC/%s\r\n", version);
	if (type)
		cbuf_printf(b, "WARC-Type: %s\r\n", type);
	cbuf_printf(b, "WARC-Date: 2024-05-18T01:58:10Z\r\n");
	if (uri)
		cbuf_printf(b, "WARC-Target-URI: %s\r\n", uri);
	if (id)
		cbuf_printf(b, "WARC-Record-ID: %s\r\n", id);
	if (ctype)
		cbuf_printf(b, "Content-Type: %s\r\n", ctype);
	if (content_length != -2)
		cbuf_printf(b, "Content-Length: %ld\r\n",
			    content_length >= 0 ? content_length : (long)blen);
	cbuf_printf(b, "\r\n");
	cbuf_append(b, body, blen);
	cbuf_printf(b, "\r\n\r\n");
}

/* ------------------------------------------------------------------ */
/* Helpers: run a reader over a file and collect what comes out        */

#define MAX_DOCS 64

typedef struct got_doc {
	char *url, *id, *member;
	uint64_t record, offset;
	char *text;
	size_t len;
} got_doc;

typedef struct run {
	got_doc docs[MAX_DOCS];
	uint64_t ndocs;
	uint64_t ndocs_with_url;
	uint64_t text_bytes;
	uint64_t errors;
	int rc;            /* last return: 0 at a clean end, < 0 fatal */
	char err[CERR_MSG_MAX];
	cbuf warnings;     /* one per line */
	int nwarnings;
	contam_input_kind kind;
} run;

static void on_warning(void *ctx, const char *msg)
{
	run *r = ctx;
	cbuf_printf(&r->warnings, "%s\n", msg);
	r->nwarnings++;
}

static void run_release(run *r)
{
	for (size_t i = 0; i < MAX_DOCS; i++) {
		free(r->docs[i].url);
		free(r->docs[i].id);
		free(r->docs[i].member);
		free(r->docs[i].text);
	}
	cbuf_release(&r->warnings);
	memset(r, 0, sizeof *r);
}

static void read_file_opts(run *r, const char *path, const char *text_field,
			   int strict, uint64_t max_record)
{
	creader_options opt = { .text_field = text_field, .strict = strict,
				 .max_record = max_record, .on_warning = on_warning,
				 .ctx = r };
	creader *rd = NULL;
	cerr err;

	memset(r, 0, sizeof *r);
	cerr_clear(&err);
	r->rc = creader_open(&rd, path, &opt, &err);
	if (r->rc < 0) {
		snprintf(r->err, sizeof r->err, "%s", err.msg);
		return;
	}
	r->kind = creader_kind(rd);
	creader_doc d;
	while ((r->rc = creader_next_doc(rd, &d, &err)) == 1) {
		CHECK(d.path != NULL && strcmp(d.path, path) == 0);
		got_doc *g = r->ndocs < MAX_DOCS ? &r->docs[r->ndocs] : NULL;
		if (g) {
			g->url = cstrdup(d.url);
			g->id = cstrdup(d.id);
			g->member = cstrdup(d.member);
			g->record = d.record;
			g->offset = d.offset;
		}
		r->ndocs_with_url += d.url && d.url[0];
		cbuf text = CBUF_INIT;
		const char *p;
		size_t n;
		while ((r->rc = creader_read_text(rd, &p, &n, &err)) == 1) {
			CHECK(n > 0);
			r->text_bytes += n;
			if (g)
				cbuf_append(&text, p, n);
		}
		if (g) {
			cbuf_reserve(&text, 0);
			g->text = cbuf_detach(&text, &g->len);
		}
		cbuf_release(&text);
		r->ndocs++;
		if (r->rc < 0)
			break;
	}
	if (r->rc < 0)
		snprintf(r->err, sizeof r->err, "%s", err.msg);
	r->errors = creader_errors(rd);
	CHECK(creader_bytes_text(rd) == r->text_bytes);
	creader_free(rd);
}

static void read_file(run *r, const char *path)
{
	read_file_opts(r, path, NULL, 0, 0);
}

static int has_warning(const run *r, const char *needle)
{
	return r->warnings.data && strstr(r->warnings.data, needle) != NULL;
}

static int doc_text_is(const got_doc *d, const char *s)
{
	return d->text && d->len == strlen(s) && memcmp(d->text, s, d->len) == 0;
}

/* ------------------------------------------------------------------ */
/* cstream                                                             */

/* Read a stream in random-sized pieces, opened under `fast` (NULL: the
 * default); return the bytes and damage. */
static char *stream_all_with(const cfast *fast, const char *path, int strict,
			     size_t *len, int *damage, int *rc_out, unsigned seed)
{
	cstream *s = NULL;
	cerr err;
	cbuf b = CBUF_INIT;
	char buf[1024];
	char msg[CERR_MSG_MAX];

	*damage = 0;
	cerr_clear(&err);
	*rc_out = cstream_open_wait(&s, path, fast, NULL, &err);
	if (*rc_out < 0)
		return NULL;
	cstream_set_strict(s, strict);
	srand(seed);
	for (;;) {
		size_t want = 1 + (size_t)rand() % sizeof buf;
		long got = cstream_read(s, buf, want, &err);
		*damage += cstream_take_damage(s, msg, sizeof msg);
		if (got <= 0) {
			*rc_out = (int)got;
			break;
		}
		CHECK((size_t)got <= want);
		cbuf_append(&b, buf, (size_t)got);
	}
	CHECK(cstream_bytes_out(s) == b.len);
	cstream_free(s);
	cbuf_reserve(&b, 0);
	return cbuf_detach(&b, len);
}

static char *stream_all(const char *path, int strict, size_t *len,
			int *damage, int *rc_out, unsigned seed)
{
	return stream_all_with(NULL, path, strict, len, damage, rc_out, seed);
}

static void make_lines(cbuf *b, const char *tag, int n)
{
	for (int i = 0; i < n; i++)
		cbuf_printf(b, "%s line %d of some text that compresses\n", tag, i);
}

static void test_stream(void)
{
	cbuf p1 = CBUF_INIT, p2 = CBUF_INIT, p3 = CBUF_INIT, all = CBUF_INIT;
	cbuf gz = CBUF_INIT, zs = CBUF_INIT;
	size_t len;
	int damage, rc;
	char *out;

	make_lines(&p1, "alpha", 200);
	make_lines(&p2, "beta", 300);
	make_lines(&p3, "gamma", 100);
	cbuf_append(&all, p1.data, p1.len);
	cbuf_append(&all, p2.data, p2.len);
	cbuf_append(&all, p3.data, p3.len);

	/* plain */
	tu_write_file(tu_path("plain.txt"), all.data, all.len);
	out = stream_all(tu_path("plain.txt"), 1, &len, &damage, &rc, 1);
	CHECK(rc == 0 && damage == 0 && len == all.len &&
	      memcmp(out, all.data, len) == 0);
	free(out);

	/* gzip, three members, read in random pieces */
	gz_member(&gz, p1.data, p1.len);
	size_t m2 = gz.len;
	gz_member(&gz, p2.data, p2.len);
	size_t m3 = gz.len;
	gz_member(&gz, p3.data, p3.len);
	tu_write_file(tu_path("multi.gz"), gz.data, gz.len);
	for (unsigned seed = 1; seed <= 5; seed++) {
		out = stream_all(tu_path("multi.gz"), 1, &len, &damage, &rc, seed);
		CHECK(rc == 0 && damage == 0 && len == all.len &&
		      out && memcmp(out, all.data, len) == 0);
		free(out);
	}
	{
		cstream *s;
		cerr err;
		CHECK(cstream_open(&s, tu_path("multi.gz"), &err) == 0);
		CHECK(cstream_get_codec(s) == CSTREAM_GZIP);
		char buf[4096];
		while (cstream_read(s, buf, sizeof buf, &err) > 0)
			;
		CHECK_EQ_U64(cstream_bytes_in(s), gz.len);
		CHECK_EQ_U64(cstream_bytes_out(s), all.len);
		cstream_free(s);
	}

	/* gzip: corrupt middle member -> damage 1, members 1 and 3 intact */
	{
		cbuf bad = CBUF_INIT;
		cbuf_append(&bad, gz.data, gz.len);
		for (size_t i = m2 + 20; i < m2 + 40; i++)
			bad.data[i] ^= 0x5a;
		tu_write_file(tu_path("corrupt.gz"), bad.data, bad.len);
		for (unsigned seed = 1; seed <= 3; seed++) {
			out = stream_all(tu_path("corrupt.gz"), 0, &len, &damage,
					 &rc, seed);
			CHECK(rc == 0);
			CHECK(damage == 1);
			CHECK(out && len >= p1.len + p3.len &&
			      memcmp(out, p1.data, p1.len) == 0 &&
			      memcmp(out + len - p3.len, p3.data, p3.len) == 0);
			free(out);
		}
		out = stream_all(tu_path("corrupt.gz"), 1, &len, &damage, &rc, 9);
		CHECK(rc == CONTAM_E_CORRUPT);
		free(out);
		char *data = NULL;
		cerr err;
		CHECK(cstream_read_all(tu_path("corrupt.gz"), 1 << 20, &data,
				       &len, &err) == CONTAM_E_CORRUPT);
		CHECK(data == NULL);
		CHECK(strstr(err.msg, "corrupt gzip member at compressed offset") != NULL);
		cbuf_release(&bad);
	}

	/* gzip: truncated in the last member */
	tu_write_file(tu_path("trunc.gz"), gz.data, m3 + (gz.len - m3) / 2);
	out = stream_all(tu_path("trunc.gz"), 0, &len, &damage, &rc, 3);
	CHECK(rc == 0 && damage == 1);
	CHECK(out && len >= p1.len + p2.len &&
	      memcmp(out, all.data, p1.len + p2.len) == 0);
	free(out);

	/* gzip: trailing garbage -> damage reported, data intact */
	{
		cbuf tg = CBUF_INIT;
		cbuf_append(&tg, gz.data, gz.len);
		cbuf_append(&tg, "this is not gzip\n", 17);
		tu_write_file(tu_path("trailing.gz"), tg.data, tg.len);
		out = stream_all(tu_path("trailing.gz"), 0, &len, &damage, &rc, 4);
		CHECK(rc == 0 && damage == 1 && len == all.len &&
		      memcmp(out, all.data, len) == 0);
		free(out);
		char *data = NULL;
		cerr err;
		CHECK(cstream_read_all(tu_path("trailing.gz"), 1 << 20, &data,
				       &len, &err) == CONTAM_E_CORRUPT);
		CHECK(strstr(err.msg, "trailing garbage") != NULL);
		/* Only a stray byte after the last member. */
		cbuf_reset(&tg);
		cbuf_append(&tg, gz.data, gz.len);
		cbuf_append(&tg, "\x1f", 1);
		tu_write_file(tu_path("trailing1.gz"), tg.data, tg.len);
		out = stream_all(tu_path("trailing1.gz"), 0, &len, &damage, &rc, 4);
		CHECK(rc == 0 && damage == 1 && len == all.len);
		free(out);
		cbuf_release(&tg);
	}

	/* zstd, three frames */
	zst_frame(&zs, p1.data, p1.len);
	size_t f2 = zs.len;
	zst_frame(&zs, p2.data, p2.len);
	zst_frame(&zs, p3.data, p3.len);
	tu_write_file(tu_path("multi.zst"), zs.data, zs.len);
	out = stream_all(tu_path("multi.zst"), 1, &len, &damage, &rc, 5);
	CHECK(rc == 0 && damage == 0 && len == all.len &&
	      memcmp(out, all.data, len) == 0);
	free(out);
	{
		cbuf bad = CBUF_INIT;
		cbuf_append(&bad, zs.data, zs.len);
		for (size_t i = f2 + 12; i < f2 + 30; i++)
			bad.data[i] ^= 0xa5;
		tu_write_file(tu_path("corrupt.zst"), bad.data, bad.len);
		out = stream_all(tu_path("corrupt.zst"), 0, &len, &damage, &rc, 6);
		CHECK(rc == 0 && damage == 1);
		CHECK(out && len >= p1.len + p3.len &&
		      memcmp(out, p1.data, p1.len) == 0 &&
		      memcmp(out + len - p3.len, p3.data, p3.len) == 0);
		free(out);
		out = stream_all(tu_path("corrupt.zst"), 1, &len, &damage, &rc, 6);
		CHECK(rc == CONTAM_E_CORRUPT);
		free(out);
		/* truncated final frame */
		tu_write_file(tu_path("trunc.zst"), zs.data, zs.len - 7);
		out = stream_all(tu_path("trunc.zst"), 0, &len, &damage, &rc, 7);
		CHECK(rc == 0 && damage == 1);
		CHECK(out && len >= p1.len + p2.len);
		free(out);
		cbuf_release(&bad);
	}

	/* read_all: limit and missing file */
	{
		char *data = NULL;
		cerr err;
		CHECK(cstream_read_all(tu_path("multi.zst"), 1 << 20, &data, &len,
				       &err) == 0);
		CHECK(len == all.len && data[len] == '\0' &&
		      memcmp(data, all.data, len) == 0);
		free(data);
		CHECK(cstream_read_all(tu_path("multi.zst"), 100, &data, &len,
				       &err) == CONTAM_E_LIMIT);
		CHECK(data == NULL);
		CHECK(cstream_read_all(tu_path("nonexistent"), 100, &data, &len,
				       &err) == CONTAM_E_IO);
		char want[600];
		snprintf(want, sizeof want,
			 "cannot open '%s': No such file or directory",
			 tu_path("nonexistent"));
		CHECK_STR(err.msg, want);
		tu_write_file(tu_path("empty.txt"), "", 0);
		CHECK(cstream_read_all(tu_path("empty.txt"), 100, &data, &len,
				       &err) == 0);
		CHECK(data != NULL && len == 0 && data[0] == '\0');
		free(data);
	}

	cbuf_release(&p1);
	cbuf_release(&p2);
	cbuf_release(&p3);
	cbuf_release(&all);
	cbuf_release(&gz);
	cbuf_release(&zs);
}

/* ------------------------------------------------------------------ */
/* WARC                                                                */

static const char *body_a = "First document.\nIt has two lines.";
static const char *body_b = "Second document, caf\xc3\xa9.";
static const char *body_c = "Third document has WARC/1.0 in it\nWARC/ too.";

/* isa-l and zlib behind the same member loop: on random multi-member gzip
 * files, read in random pieces, they give the same bytes; with one member
 * damaged, both report the same damage and keep every other member. */
static void test_gzip_inflaters_agree(void)
{
	/* isa-l asked for whatever the environment says (the stream still
	 * takes zlib where isa-l is not built in), against zlib */
	cfast isal = *cfast_default(), zlib = isal;
	isal.isal = 1;
	zlib.isal = 0;
	fprintf(stderr, "gzip: %s against %s\n", cstream_inflater(&isal),
		cstream_inflater(&zlib));
	CHECK(strcmp(cstream_inflater(&zlib), "zlib") == 0);
	unsigned seed = 2024;
	int same_clean = 1, same_damage = 1, kept = 1, trials = 0;
	for (int round = 0; round < 60; round++) {
		int nm = 2 + rand_r(&seed) % 5, bad = round % 2 ? rand_r(&seed) % nm : -1;
		cbuf gz = CBUF_INIT, parts[7];
		size_t start[8];
		for (int m = 0; m < nm; m++) {
			parts[m] = (cbuf)CBUF_INIT;
			int lines = rand_r(&seed) % 3 == 0 ? 0 : 1 + rand_r(&seed) % 2000;
			for (int l = 0; l < lines; l++)
				cbuf_printf(&parts[m], "m%d line %d %u\n", m, l,
					    (unsigned)rand_r(&seed) % (l % 7 ? 10 : 100000));
			cbuf_reserve(&parts[m], 0);
			start[m] = gz.len;
			gz_member(&gz, parts[m].data, parts[m].len);
		}
		start[nm] = gz.len;
		if (bad >= 0 && start[bad + 1] - start[bad] > 24) {
			/* flip bytes inside the member's deflate data */
			size_t body = start[bad] + 10, blen = start[bad + 1] - 8 - body;
			for (int k = 0; k < 1 + rand_r(&seed) % 3; k++)
				gz.data[body + (size_t)rand_r(&seed) % blen] ^=
					(char)(1 + rand_r(&seed) % 255);
		} else {
			bad = -1;
		}
		tu_write_file(tu_path("agree.gz"), gz.data, gz.len);
		size_t la, lb;
		int da, db, ra, rb;
		char *a = stream_all_with(&isal, tu_path("agree.gz"), 0, &la, &da,
					  &ra, seed);
		char *b = stream_all_with(&zlib, tu_path("agree.gz"), 0, &lb, &db,
					  &rb, seed + 1);
		trials++;
		if (bad < 0) {
			same_clean &= ra == 0 && rb == 0 && da == 0 && db == 0 &&
				      la == lb && memcmp(a, b, la) == 0;
		} else {
			same_damage &= ra == 0 && rb == 0 && da == db;
			/* members before the damaged one lead both outputs,
			 * members after it end both */
			size_t before = 0, after = 0;
			for (int m = 0; m < bad; m++)
				before += parts[m].len;
			for (int m = bad + 1; m < nm; m++)
				after += parts[m].len;
			for (int v = 0; v < 2; v++) {
				const char *o = v ? b : a;
				size_t lo = v ? lb : la, at = 0;
				for (int m = 0; m < bad; m++) {
					kept &= lo >= at + parts[m].len &&
						memcmp(o + at, parts[m].data, parts[m].len) == 0;
					at += parts[m].len;
				}
				at = lo >= after ? lo - after : 0;
				for (int m = bad + 1; m < nm; m++) {
					kept &= lo >= before + after && at + parts[m].len <= lo &&
						memcmp(o + at, parts[m].data, parts[m].len) == 0;
					at += parts[m].len;
				}
			}
		}
		free(a);
		free(b);
		for (int m = 0; m < nm; m++)
			cbuf_release(&parts[m]);
		cbuf_release(&gz);
	}
	CHECK(trials == 60);
	CHECK(same_clean);
	CHECK(same_damage);
	CHECK(kept);
}

static void test_warc(void)
{
	run r;
	cbuf rec = CBUF_INIT, gz = CBUF_INIT, plain = CBUF_INIT;

	/* A WET file as Common Crawl writes it: one gzip member per record. */
	warc_record(&rec, "1.0", "warcinfo", NULL, "<urn:uuid:info>",
		    "application/warc-fields", "software: test\r\n", -1);
	gz_member(&gz, rec.data, rec.len);
	cbuf_append(&plain, rec.data, rec.len);
	const char *bodies[3] = { body_a, body_b, body_c };
	uint64_t offsets[3];
	for (int i = 0; i < 3; i++) {
		char uri[64], id[64];
		snprintf(uri, sizeof uri, "https://example.org/%d", i);
		snprintf(id, sizeof id, "<urn:uuid:doc-%d>", i);
		cbuf_reset(&rec);
		warc_record(&rec, "1.0", "conversion", uri, id, "text/plain",
			    bodies[i], -1);
		offsets[i] = plain.len;
		gz_member(&gz, rec.data, rec.len);
		cbuf_append(&plain, rec.data, rec.len);
	}
	tu_write_file(tu_path("a.warc.wet.gz"), gz.data, gz.len);
	tu_write_file(tu_path("a.wet"), plain.data, plain.len);
	const char *files[2] = { tu_path("a.warc.wet.gz"), tu_path("a.wet") };
	for (int f = 0; f < 2; f++) {
		read_file(&r, files[f]);
		CHECK(r.kind == CONTAM_INPUT_WARC);
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 3);
		CHECK_EQ_U64(r.errors, 0);
		CHECK(r.nwarnings == 0);
		for (int i = 0; i < 3 && i < (int)r.ndocs; i++) {
			char uri[64];
			snprintf(uri, sizeof uri, "https://example.org/%d", i);
			CHECK_STR(r.docs[i].url, uri);
			CHECK(doc_text_is(&r.docs[i], bodies[i]));
			CHECK_EQ_U64(r.docs[i].record, (uint64_t)i + 1);
			CHECK_EQ_U64(r.docs[i].offset, offsets[i]);
			CHECK(r.docs[i].member == NULL);
		}
		CHECK_STR(r.docs[1].id, "<urn:uuid:doc-1>");
		run_release(&r);
	}

	/* Documents whose text is not read are skipped correctly. */
	for (int f = 0; f < 2; f++) {
		creader_options opt = { 0 };
		creader *rd = NULL;
		creader_doc d;
		cerr err;
		const char *p;
		size_t n;
		uint64_t ndocs = 0;
		int rc;
		CHECK(creader_open(&rd, files[f], &opt, &err) == 0);
		while ((rc = creader_next_doc(rd, &d, &err)) == 1) {
			if (ndocs == 1) /* read one piece of the second only */
				CHECK(creader_read_text(rd, &p, &n, &err) == 1);
			ndocs++;
		}
		CHECK(rc == 0);
		CHECK_EQ_U64(ndocs, 3);
		CHECK_EQ_U64(creader_errors(rd), 0);
		CHECK(creader_bytes_in(rd) > 0);
		creader_free(rd);
	}

	/* Truncated gzip in the middle of the third record. */
	{
		cbuf t = CBUF_INIT;
		size_t cut = gz.len - 30;
		cbuf_append(&t, gz.data, cut);
		tu_write_file(tu_path("trunc.warc.wet.gz"), t.data, t.len);
		read_file(&r, tu_path("trunc.warc.wet.gz"));
		CHECK(r.rc == 0);
		CHECK(r.ndocs >= 2);
		CHECK(doc_text_is(&r.docs[0], body_a));
		CHECK(doc_text_is(&r.docs[1], body_b));
		CHECK_EQ_U64(r.errors, 1);
		CHECK(has_warning(&r, "truncated gzip member"));
		run_release(&r);
		/* strict: the damage is fatal, the first docs still came */
		read_file_opts(&r, tu_path("trunc.warc.wet.gz"), NULL, 1, 0);
		CHECK(r.rc == CONTAM_E_CORRUPT);
		CHECK(r.ndocs >= 2);
		CHECK(strstr(r.err, "trunc.warc.wet.gz") != NULL);
		CHECK(r.nwarnings == 0);
		run_release(&r);
		cbuf_release(&t);
	}

	/* Corrupt member in the middle: that record is lost, others kept. */
	{
		cbuf t = CBUF_INIT;
		cbuf_append(&t, gz.data, gz.len);
		/* find the start of the 3rd member (record index 2 = doc 1) */
		size_t starts[8], ns = 0;
		for (size_t i = 0; i + 3 < t.len && ns < 8; i++)
			if ((unsigned char)t.data[i] == 0x1f &&
			    (unsigned char)t.data[i + 1] == 0x8b &&
			    t.data[i + 2] == 8)
				starts[ns++] = i;
		CHECK(ns == 4);
		if (ns == 4) {
			for (size_t i = starts[2] + 15; i < starts[2] + 25; i++)
				t.data[i] ^= 0x77;
		}
		tu_write_file(tu_path("corrupt.warc.gz"), t.data, t.len);
		read_file(&r, tu_path("corrupt.warc.gz"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(r.ndocs >= 2);
		CHECK(doc_text_is(&r.docs[0], body_a));
		CHECK_STR(r.docs[r.ndocs - 1].url, "https://example.org/2");
		CHECK(doc_text_is(&r.docs[r.ndocs - 1], body_c));
		CHECK(has_warning(&r, "corrupt gzip member"));
		run_release(&r);
		cbuf_release(&t);
	}

	/* Gzip trailing garbage after the last record. */
	{
		cbuf t = CBUF_INIT;
		cbuf_append(&t, gz.data, gz.len);
		cbuf_append(&t, "garbage\n", 8);
		tu_write_file(tu_path("garbage.warc.gz"), t.data, t.len);
		read_file(&r, tu_path("garbage.warc.gz"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 3);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(has_warning(&r, "trailing garbage"));
		run_release(&r);
		cbuf_release(&t);
	}

	/* Record types: response (text and not), request, resource,
	 * metadata; WARC/0.18; HTTP header with bare LF. */
	{
		cbuf w = CBUF_INIT;
		cbuf_reset(&rec);
		warc_record(&w, "1.0", "request", "http://x/", "<r0>",
			    "application/http; msgtype=request",
			    "GET / HTTP/1.1\r\nHost: x\r\n\r\n", -1);
		warc_record(&w, "1.0", "response", "http://x/", "<r1>",
			    "application/http; msgtype=response",
			    "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
			    "charset=utf-8\r\n\r\n<p>hello html</p>", -1);
		warc_record(&w, "1.0", "response", "http://x/img", "<r2>",
			    "application/http; msgtype=response",
			    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n"
			    "\x89PNG....", -1);
		warc_record(&w, "1.0", "metadata", "http://x/", "<r3>",
			    "application/warc-fields", "fetchTimeMs: 12\r\n", -1);
		warc_record(&w, "1.1", "resource", "<http://x/file.txt>",
			    "<r4>", "text/plain", "a resource", -1);
		warc_record(&w, "0.18", "response", "http://clueweb/", "<r5>",
			    "application/http;msgtype=response",
			    "HTTP/1.1 200 OK\nContent-Type: text/html\n"
			    "Content-Length: 9\n\nclueweb!!", -1);
		warc_record(&w, "1.0", "response", "http://x/noct", "<r6>",
			    "application/http; msgtype=response",
			    "HTTP/1.1 200 OK\r\nServer: y\r\n\r\nno type", -1);
		warc_record(&w, "1.0", "revisit", "http://x/", "<r7>",
			    "application/http", "HTTP/1.1 304\r\n\r\n", -1);
		tu_write_file(tu_path("types.warc"), w.data, w.len);
		zst_file(tu_path("types.warc.zst"), w.data, w.len);
		const char *tf[2] = { tu_path("types.warc"), tu_path("types.warc.zst") };
		for (int f = 0; f < 2; f++) {
			read_file(&r, tf[f]);
			CHECK(r.rc == 0);
			CHECK_EQ_U64(r.ndocs, 4);
			CHECK_EQ_U64(r.errors, 0);
			/* text/html: the visible text (html_text.c) */
			CHECK(doc_text_is(&r.docs[0], "\nhello html\n"));
			CHECK_STR(r.docs[0].id, "<r1>");
			CHECK_EQ_U64(r.docs[0].record, 1);
			CHECK(doc_text_is(&r.docs[1], "a resource"));
			CHECK_STR(r.docs[1].url, "http://x/file.txt");
			CHECK(doc_text_is(&r.docs[2], "clueweb!!"));
			CHECK_STR(r.docs[2].url, "http://clueweb/");
			CHECK(doc_text_is(&r.docs[3], "no type"));
			run_release(&r);
		}
		cbuf_release(&w);
	}

	/* Damage in plain WARC: Content-Length too long / too short /
	 * missing / bad, missing WARC-Type, header too long. */
	{
		cbuf w = CBUF_INIT;
		/* too short: body's tail is left where a record should be */
		warc_record(&w, "1.0", "conversion", "u:0", "<0>", "text/plain",
			    "zero", -1);
		warc_record(&w, "1.0", "conversion", "u:1", "<1>", "text/plain",
			    "one is long", 3);
		warc_record(&w, "1.0", "conversion", "u:2", "<2>", "text/plain",
			    "two", -1);
		tu_write_file(tu_path("short.warc"), w.data, w.len);
		read_file(&r, tu_path("short.warc"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 3);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(doc_text_is(&r.docs[1], "one"));
		CHECK(doc_text_is(&r.docs[2], "two"));
		CHECK(has_warning(&r, "expected 'WARC/'"));
		CHECK(has_warning(&r, "short.warc: offset "));
		run_release(&r);
		read_file_opts(&r, tu_path("short.warc"), NULL, 1, 0);
		CHECK(r.rc == CONTAM_E_CORRUPT);
		run_release(&r);

		/* too long, in the middle: it swallows the next header, so
		 * that record is lost; the one after is found again */
		cbuf_reset(&w);
		warc_record(&w, "1.0", "conversion", "u:0", "<0>", "text/plain",
			    "zero", -1);
		warc_record(&w, "1.0", "conversion", "u:1", "<1>", "text/plain",
			    "one", 20);
		warc_record(&w, "1.0", "conversion", "u:2", "<2>", "text/plain",
			    "two", -1);
		warc_record(&w, "1.0", "conversion", "u:3", "<3>", "text/plain",
			    "three", -1);
		tu_write_file(tu_path("long.warc"), w.data, w.len);
		read_file(&r, tu_path("long.warc"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.errors, 1);
		CHECK_EQ_U64(r.ndocs, 3);
		CHECK_STR(r.docs[2].url, "u:3");
		CHECK(doc_text_is(&r.docs[2], "three"));
		run_release(&r);

		/* too long at the end: runs past the end of the file */
		cbuf_reset(&w);
		warc_record(&w, "1.0", "conversion", "u:0", "<0>", "text/plain",
			    "zero", -1);
		warc_record(&w, "1.0", "conversion", "u:1", "<1>", "text/plain",
			    "one", 500);
		tu_write_file(tu_path("pastend.warc"), w.data, w.len);
		read_file(&r, tu_path("pastend.warc"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 2);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(has_warning(&r, "runs past the end"));
		run_release(&r);

		/* missing Content-Length, bad Content-Length, missing type */
		cbuf_reset(&w);
		warc_record(&w, "1.0", "conversion", "u:0", "<0>", "text/plain",
			    "zero", -2);
		warc_record(&w, "1.0", "conversion", "u:1", "<1>", "text/plain",
			    "one", -1);
		cbuf_printf(&w, "WARC/1.0\r\nWARC-Type: conversion\r\n"
			    "Content-Length: 12x\r\n\r\nbad length\r\n\r\n");
		warc_record(&w, "1.0", NULL, "u:3", "<3>", "text/plain",
			    "no type", -1);
		warc_record(&w, "1.0", "conversion", "u:4", "<4>", "text/plain",
			    "four", -1);
		tu_write_file(tu_path("headers.warc"), w.data, w.len);
		read_file(&r, tu_path("headers.warc"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 2);
		CHECK_EQ_U64(r.errors, 3);
		CHECK_STR(r.docs[0].url, "u:1");
		CHECK_STR(r.docs[1].url, "u:4");
		CHECK(has_warning(&r, "missing Content-Length"));
		CHECK(has_warning(&r, "bad Content-Length"));
		CHECK(has_warning(&r, "missing WARC-Type"));
		run_release(&r);

		/* header block longer than max_record */
		cbuf_reset(&w);
		cbuf_printf(&w, "WARC/1.0\r\nWARC-Type: conversion\r\n");
		for (int i = 0; i < 200; i++)
			cbuf_printf(&w, "X-Filler-%d: some value here\r\n", i);
		cbuf_printf(&w, "Content-Length: 3\r\n\r\nbig\r\n\r\n");
		warc_record(&w, "1.0", "conversion", "u:1", "<1>", "text/plain",
			    "after", -1);
		tu_write_file(tu_path("bighdr.warc"), w.data, w.len);
		read_file_opts(&r, tu_path("bighdr.warc"), NULL, 0, 1024);
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 1);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(doc_text_is(&r.docs[0], "after"));
		CHECK(has_warning(&r, "WARC header longer than"));
		run_release(&r);

		/* not a WARC at all, named .warc */
		tu_write_file(tu_path("notwarc.warc"), "hello world\n", 12);
		read_file(&r, tu_path("notwarc.warc"));
		CHECK(r.rc == 0 && r.ndocs == 0 && r.errors == 1);
		run_release(&r);
		cbuf_release(&w);
	}

	/* A large body comes out in pieces, intact. */
	{
		cbuf big = CBUF_INIT, w = CBUF_INIT;
		for (int i = 0; i < 40000; i++)
			cbuf_printf(&big, "word%d ", i);
		warc_record(&w, "1.0", "conversion", "u:big", "<big>",
			    "text/plain", big.data, -1);
		warc_record(&w, "1.0", "conversion", "u:next", "<n>",
			    "text/plain", "next", -1);
		cbuf g = CBUF_INIT;
		gz_member(&g, w.data, w.len);
		tu_write_file(tu_path("big.warc.gz"), g.data, g.len);
		read_file(&r, tu_path("big.warc.gz"));
		CHECK(r.rc == 0 && r.ndocs == 2 && r.errors == 0);
		CHECK(r.docs[0].len == big.len &&
		      memcmp(r.docs[0].text, big.data, big.len) == 0);
		CHECK(doc_text_is(&r.docs[1], "next"));
		run_release(&r);
		cbuf_release(&big);
		cbuf_release(&w);
		cbuf_release(&g);
	}

	cbuf_release(&rec);
	cbuf_release(&gz);
	cbuf_release(&plain);
}

/* ------------------------------------------------------------------ */
/* JSONL                                                               */

static const char *jsonl_good =
	"{\"id\":\"a1\",\"text\":\"Hello \\\"world\\\"\\n\\u00e9\\ud83d\\ude00\","
	"\"url\":\"http://a/\",\"meta\":{\"x\":[1,2,{\"text\":\"nested\"}]}}\n"
	"\n"
	"   \r\n"
	"{\"text\":\"\",\"id\":7}\n"
	"{\"meta\":{\"t\":\"}\"},\"text\":\"second\"}\r\n"
	"{\"text\":\"no newline at end\"}";

static void check_good_jsonl(run *r)
{
	CHECK(r->kind == CONTAM_INPUT_JSONL);
	CHECK(r->rc == 0);
	CHECK_EQ_U64(r->ndocs, 4);
	CHECK_EQ_U64(r->errors, 0);
	CHECK(doc_text_is(&r->docs[0], "Hello \"world\"\n\xc3\xa9\xf0\x9f\x98\x80"));
	CHECK_STR(r->docs[0].url, "http://a/");
	CHECK_STR(r->docs[0].id, "a1");
	CHECK_EQ_U64(r->docs[0].record, 0);
	CHECK_EQ_U64(r->docs[0].offset, 0);
	CHECK(r->docs[1].len == 0);    /* empty text: still a document */
	CHECK(r->docs[1].id == NULL);  /* numeric id */
	CHECK_EQ_U64(r->docs[1].record, 1);
	CHECK(doc_text_is(&r->docs[2], "second"));
	CHECK_EQ_U64(r->docs[2].record, 2);
	CHECK(doc_text_is(&r->docs[3], "no newline at end"));
	CHECK_EQ_U64(r->docs[3].record, 3);
	const char *second = strstr(jsonl_good, "{\"meta\":{\"t\"");
	CHECK_EQ_U64(r->docs[2].offset, (uint64_t)(second - jsonl_good));
}

static void test_jsonl(void)
{
	run r;
	size_t n = strlen(jsonl_good);

	tu_write_file(tu_path("good.jsonl"), jsonl_good, n);
	gz_file(tu_path("good.jsonl.gz"), jsonl_good, n);
	zst_file(tu_path("good.jsonl.zst"), jsonl_good, n);
	tu_write_file(tu_path("good.ndjson"), jsonl_good, n);
	const char *files[] = { tu_path("good.jsonl"), tu_path("good.jsonl.gz"),
				tu_path("good.jsonl.zst"), tu_path("good.ndjson") };
	for (size_t i = 0; i < 4; i++) {
		read_file(&r, files[i]);
		check_good_jsonl(&r);
		run_release(&r);
	}

	/* --text-field */
	tu_write_file(tu_path("field.jsonl"),
		   "{\"content\":\"in content\",\"text\":\"in text\"}\n", 43);
	read_file_opts(&r, tu_path("field.jsonl"), "content", 0, 0);
	CHECK(r.ndocs == 1 && doc_text_is(&r.docs[0], "in content"));
	run_release(&r);

	/* Bad lines: reported with record, line and offset; skipped. */
	const char *bad =
		"{\"text\":\"ok0\"}\n"                 /* record 0 */
		"[1,2,3]\n"                            /* record 1: not object */
		"hello\n"                              /* record 2 */
		"{\"title\":\"no text\"}\n"            /* record 3: missing */
		"{\"text\":42}\n"                      /* record 4: not string */
		"{\"text\":\"truncated\n"              /* record 5: bad */
		"\n"
		"{\"text\":\"ok6\"} trailing\n"        /* record 6: bad */
		"{\"text\":\"ok7\"}\n";                /* record 7 */
	tu_write_file(tu_path("bad.jsonl"), bad, strlen(bad));
	read_file(&r, tu_path("bad.jsonl"));
	CHECK(r.rc == 0);
	CHECK_EQ_U64(r.ndocs, 2);
	CHECK_EQ_U64(r.errors, 6);
	CHECK(r.nwarnings == 6);
	CHECK(doc_text_is(&r.docs[0], "ok0"));
	CHECK(doc_text_is(&r.docs[1], "ok7"));
	CHECK_EQ_U64(r.docs[1].record, 7);
	CHECK(has_warning(&r, "bad.jsonl: offset 15: record 1 (line 2): "));
	CHECK(has_warning(&r, "record 3 (line 4): field 'text' is missing"));
	CHECK(has_warning(&r, "record 4 (line 5)"));
	CHECK(has_warning(&r, "record 6 (line 8)"));
	run_release(&r);
	read_file_opts(&r, tu_path("bad.jsonl"), NULL, 1, 0);
	CHECK(r.rc == CONTAM_E_CORRUPT);
	CHECK_EQ_U64(r.ndocs, 1);
	CHECK(strstr(r.err, "record 1") != NULL);
	run_release(&r);

	/* A line longer than max_record is skipped without buffering it. */
	{
		cbuf b = CBUF_INIT;
		cbuf_printf(&b, "{\"text\":\"short one\"}\n{\"text\":\"");
		for (int i = 0; i < 5000; i++)
			cbuf_printf(&b, "long ");
		cbuf_printf(&b, "\"}\n{\"text\":\"short two\"}\n");
		tu_write_file(tu_path("long.jsonl"), b.data, b.len);
		gz_file(tu_path("long.jsonl.gz"), b.data, b.len);
		const char *lf[2] = { tu_path("long.jsonl"), tu_path("long.jsonl.gz") };
		for (int f = 0; f < 2; f++) {
			read_file_opts(&r, lf[f], NULL, 0, 100);
			CHECK(r.rc == 0);
			CHECK_EQ_U64(r.ndocs, 2);
			CHECK_EQ_U64(r.errors, 1);
			CHECK(doc_text_is(&r.docs[1], "short two"));
			CHECK_EQ_U64(r.docs[1].record, 2);
			CHECK(has_warning(&r, "longer than 100 bytes"));
			run_release(&r);
		}
		/* with a big enough limit the long line is a document */
		read_file(&r, tu_path("long.jsonl"));
		CHECK(r.ndocs == 3 && r.errors == 0);
		CHECK(r.docs[1].len == 5000 * 5);
		run_release(&r);
		cbuf_release(&b);
	}

	/* Corrupt zstd frame in a multi-frame JSONL: lines of the other
	 * frames survive. */
	{
		cbuf z = CBUF_INIT, part = CBUF_INIT;
		size_t starts[3];
		for (int f = 0; f < 3; f++) {
			cbuf_reset(&part);
			for (int i = 0; i < 50; i++)
				cbuf_printf(&part, "{\"text\":\"frame %d line %d\"}\n",
					    f, i);
			starts[f] = z.len;
			zst_frame(&z, part.data, part.len);
		}
		for (size_t i = starts[1] + 14; i < starts[1] + 24; i++)
			z.data[i] ^= 0x3c;
		tu_write_file(tu_path("corrupt.jsonl.zst"), z.data, z.len);
		read_file(&r, tu_path("corrupt.jsonl.zst"));
		CHECK(r.rc == 0);
		CHECK(r.ndocs >= 100);
		CHECK(r.errors >= 1);
		CHECK(doc_text_is(&r.docs[0], "frame 0 line 0"));
		CHECK(has_warning(&r, "corrupt zstd frame"));
		run_release(&r);
		cbuf_release(&z);
		cbuf_release(&part);
	}

	/* Gzip JSONL truncated mid-line: earlier lines delivered. */
	{
		cbuf b = CBUF_INIT, g = CBUF_INIT;
		for (int i = 0; i < 2000; i++)
			cbuf_printf(&b, "{\"text\":\"line %d with a few words\"}\n", i);
		gz_member(&g, b.data, b.len);
		tu_write_file(tu_path("trunc.jsonl.gz"), g.data, g.len / 2);
		read_file(&r, tu_path("trunc.jsonl.gz"));
		CHECK(r.rc == 0);
		CHECK(r.ndocs > 10 && r.ndocs < 2000);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(has_warning(&r, "truncated gzip member"));
		run_release(&r);
		cbuf_release(&b);
		cbuf_release(&g);
	}

	/* A .json file that is one array of records. */
	{
		const char *arr = "[\n {\"text\": \"first\", \"url\": \"u1\"},\n"
				  " {\"text\": \"second\"},\n 5\n]\n";
		tu_write_file(tu_path("array.json"), arr, strlen(arr));
		read_file(&r, tu_path("array.json"));
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 2);
		CHECK_EQ_U64(r.errors, 1);
		CHECK(doc_text_is(&r.docs[1], "second"));
		CHECK_EQ_U64(r.docs[1].record, 1);
		run_release(&r);
	}
}

/* ------------------------------------------------------------------ */
/* Archives and text                                                   */

static void test_archive(void)
{
	run r;
	const char *jl = "{\"text\":\"member line one\",\"url\":\"http://m/1\"}\n"
			 "{\"text\":\"member line two\"}\n";
	cbuf wet = CBUF_INIT, jlgz = CBUF_INIT;
	warc_record(&wet, "1.0", "conversion", "http://w/", "<w>", "text/plain",
		    "warc in tar", -1);
	gz_member(&jlgz, "{\"text\":\"from gz member\"}\n", 26);
	member m[] = {
		{ "dir/", NULL, 0 },
		{ "dir/a.jsonl", jl, strlen(jl) },
		{ "dir/b.txt", "plain text member", 17 },
		{ "c.warc", wet.data, wet.len },
		{ "d.jsonl.gz", jlgz.data, jlgz.len },
		{ "e.txt", "", 0 },
	};
	const char *names[4] = { tu_path("a.tar"), tu_path("a.tar.gz"),
				 tu_path("a.zip"), tu_path("a.tar.zst") };
	write_archive(names[0], "tar", "", m, 6);
	write_archive(names[1], "tar", "gzip", m, 6);
	write_archive(names[2], "zip", "", m, 6);
	write_archive(names[3], "tar", "zstd", m, 6);
	for (int f = 0; f < 4; f++) {
		read_file(&r, names[f]);
		CHECK(r.kind == CONTAM_INPUT_ARCHIVE);
		CHECK(r.rc == 0);
		CHECK_EQ_U64(r.ndocs, 6);
		CHECK_EQ_U64(r.errors, 0);
		if (r.ndocs == 6) {
			CHECK_STR(r.docs[0].member, "dir/a.jsonl");
			CHECK(doc_text_is(&r.docs[0], "member line one"));
			CHECK_STR(r.docs[0].url, "http://m/1");
			CHECK_EQ_U64(r.docs[1].record, 1);
			CHECK(doc_text_is(&r.docs[1], "member line two"));
			CHECK_STR(r.docs[2].member, "dir/b.txt");
			CHECK(doc_text_is(&r.docs[2], "plain text member"));
			CHECK_EQ_U64(r.docs[2].record, 2);
			CHECK_STR(r.docs[3].member, "c.warc");
			CHECK(doc_text_is(&r.docs[3], "warc in tar"));
			CHECK_STR(r.docs[3].url, "http://w/");
			CHECK(doc_text_is(&r.docs[4], "from gz member"));
			CHECK_STR(r.docs[5].member, "e.txt");
			CHECK(r.docs[5].len == 0);
		}
		run_release(&r);
	}

	/* Truncated tar.gz: what was read is kept, one error. */
	{
		cbuf big = CBUF_INIT;
		srand(42);
		for (int i = 0; i < 200000; i++)
			cbuf_putc(&big, (char)('a' + rand() % 26));
		member m2[] = {
			{ "one.txt", "first member", 12 },
			{ "two.txt", big.data, big.len },
			{ "three.txt", "third", 5 },
		};
		write_archive(tu_path("t.tar.gz"), "tar", "gzip", m2, 3);
		size_t len;
		char *data = slurp(tu_path("t.tar.gz"), &len);
		CHECK(data != NULL);
		tu_write_file(tu_path("trunc.tar.gz"), data, len / 2);
		free(data);
		read_file(&r, tu_path("trunc.tar.gz"));
		CHECK(r.rc == 0);
		CHECK(r.ndocs >= 1);
		CHECK(doc_text_is(&r.docs[0], "first member"));
		CHECK_EQ_U64(r.errors, 1);
		CHECK(has_warning(&r, "member 'two.txt'"));
		run_release(&r);
		read_file_opts(&r, tu_path("trunc.tar.gz"), NULL, 1, 0);
		CHECK(r.rc == CONTAM_E_CORRUPT);
		run_release(&r);
		cbuf_release(&big);
	}

	/* Not an archive at all: read by its content, with a note. */
	tu_write_file(tu_path("fake.zip"), "this is no zip file at all", 26);
	read_file(&r, tu_path("fake.zip"));
	CHECK(r.rc == 0 && r.ndocs == 1 && r.errors == 0);
	CHECK(has_warning(&r, "named like an archive but holds text"));
	run_release(&r);

	cbuf_release(&wet);
	cbuf_release(&jlgz);
}

static void test_text(void)
{
	run r;
	cbuf big = CBUF_INIT;
	for (int i = 0; i < 60000; i++)
		cbuf_printf(&big, "token%d ", i);
	gz_file(tu_path("big.txt.gz"), big.data, big.len);
	zst_file(tu_path("big.txt.zst"), big.data, big.len);
	tu_write_file(tu_path("big.txt"), big.data, big.len);
	const char *files[3] = { tu_path("big.txt.gz"), tu_path("big.txt.zst"),
				 tu_path("big.txt") };
	for (int f = 0; f < 3; f++) {
		read_file(&r, files[f]);
		CHECK(r.kind == CONTAM_INPUT_TEXT);
		CHECK(r.rc == 0 && r.ndocs == 1 && r.errors == 0);
		CHECK(r.docs[0].len == big.len &&
		      memcmp(r.docs[0].text, big.data, big.len) == 0);
		CHECK_EQ_U64(r.docs[0].record, 0);
		run_release(&r);
	}
	tu_write_file(tu_path("empty2.txt"), "", 0);
	read_file(&r, tu_path("empty2.txt"));
	CHECK(r.rc == 0 && r.ndocs == 1 && r.docs[0].len == 0);
	run_release(&r);

	/* truncated .txt.gz: the text before the cut, one error */
	{
		size_t len;
		char *data = slurp(tu_path("big.txt.gz"), &len);
		tu_write_file(tu_path("trunc.txt.gz"), data, len - 100);
		free(data);
		read_file(&r, tu_path("trunc.txt.gz"));
		CHECK(r.rc == 0 && r.ndocs == 1 && r.errors == 1);
		CHECK(r.docs[0].len > big.len / 2 &&
		      memcmp(r.docs[0].text, big.data, r.docs[0].len) == 0);
		run_release(&r);
	}

	/* Missing file: open fails with the git-style message. */
	read_file(&r, tu_path("missing.txt"));
	CHECK(r.rc == CONTAM_E_IO);
	char want[600];
	snprintf(want, sizeof want, "cannot open '%s': No such file or directory",
		 tu_path("missing.txt"));
	CHECK_STR(r.err, want);
	run_release(&r);
	cbuf_release(&big);
}

/* ------------------------------------------------------------------ */
/* Detection and inputs                                                */

/* The format table (reader.c's formats[]) registers every kind once:
 * its reader, name and phrase come from it, and each rule claims what it
 * should and nothing of another format's. */
static void test_formats(void)
{
	for (int k = CONTAM_INPUT_UNKNOWN + 1; k < CONTAM_INPUT_KINDS; k++) {
		const creader_ops *f = creader_format_of((contam_input_kind)k);
		CHECK(f && f->kind == (contam_input_kind)k);
		if (!f)
			continue;
		CHECK(f->name && strcmp(contam_input_kind_name(f->kind), f->name) == 0);
		CHECK(f->phrase && f->phrase[0] && f->open && f->next_doc &&
		      f->read_text && f->close);
	}
	CHECK(creader_format_of(CONTAM_INPUT_UNKNOWN) == NULL);
	CHECK(creader_format_of(CONTAM_INPUT_KINDS) == NULL);
	CHECK(strcmp(contam_input_kind_name(CONTAM_INPUT_KINDS), "unknown") == 0);
	/* one head per content rule: only its own format claims it */
	static const struct { contam_input_kind kind; const char *head; } heads[] = {
		{ CONTAM_INPUT_WARC, "WARC/1.0\r\n" },
		{ CONTAM_INPUT_JSONL, " \n{\"text\": 1}" },
		{ CONTAM_INPUT_MEDIAWIKI, "<?xml version=\"1.0\"?>\n<mediawiki xmlns=\"x\">" },
		{ CONTAM_INPUT_WIKIDOC, "\n<doc id=\"12\" url=\"u\" title=\"t\">" },
		{ CONTAM_INPUT_TEXT, "<doc>plain words, not a tag WikiExtractor writes" },
	};
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
		for (int k = CONTAM_INPUT_UNKNOWN + 1; k < CONTAM_INPUT_KINDS; k++) {
			const creader_ops *f = creader_format_of((contam_input_kind)k);
			if (!f || !f->by_content)
				continue;
			int claims = f->by_content(heads[i].head, strlen(heads[i].head));
			CHECK(claims == (f->kind == heads[i].kind));
		}
	/* the name rules, first claim wins: a dump's pattern over its suffix */
	CHECK(creader_detect_name("enwiki-20240101-pages-articles1.xml-p1p30.bz2") ==
	      CONTAM_INPUT_MEDIAWIKI);
	CHECK(creader_detect_name("x.parquet") == CONTAM_INPUT_PARQUET);
	CHECK(creader_detect_name("wiki_00") == CONTAM_INPUT_UNKNOWN);
}

static void test_detect(void)
{
	CHECK(creader_detect_name("x.warc") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("CC-MAIN-1.warc.wet.gz") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("x.wet") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("x.WARC.GZ") == CONTAM_INPUT_WARC);
	CHECK(creader_detect_name("x.jsonl.zst") == CONTAM_INPUT_JSONL);
	CHECK(creader_detect_name("x.json.gz") == CONTAM_INPUT_JSONL);
	CHECK(creader_detect_name("x.ndjson") == CONTAM_INPUT_JSONL);
	CHECK(creader_detect_name("x.tar.bz2") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.tgz") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.jsonl.tar") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.zip") == CONTAM_INPUT_ARCHIVE);
	CHECK(creader_detect_name("x.txt.zst") == CONTAM_INPUT_TEXT);
	CHECK(creader_detect_name("x.gz") == CONTAM_INPUT_UNKNOWN);
	CHECK(creader_detect_name("README") == CONTAM_INPUT_UNKNOWN);

	/* unknown names: sniffed (after decompression) */
	cbuf w = CBUF_INIT;
	warc_record(&w, "1.0", "conversion", "u", "<i>", "text/plain", "x", -1);
	gz_file(tu_path("sniff1"), w.data, w.len);
	CHECK(creader_detect(tu_path("sniff1")) == CONTAM_INPUT_WARC);
	zst_file(tu_path("sniff2.dat"), "\n {\"text\":\"x\"}\n", 16);
	CHECK(creader_detect(tu_path("sniff2.dat")) == CONTAM_INPUT_JSONL);
	member m[] = { { "a.txt", "abc", 3 } };
	write_archive(tu_path("sniff3"), "tar", "gzip", m, 1);
	CHECK(creader_detect(tu_path("sniff3")) == CONTAM_INPUT_ARCHIVE);
	write_archive(tu_path("sniff4"), "zip", "", m, 1);
	CHECK(creader_detect(tu_path("sniff4")) == CONTAM_INPUT_ARCHIVE);
	tu_write_file(tu_path("sniff5"), "just words\n", 11);
	CHECK(creader_detect(tu_path("sniff5")) == CONTAM_INPUT_TEXT);
	/* and read through the detected kind */
	run r;
	read_file(&r, tu_path("sniff1"));
	CHECK(r.kind == CONTAM_INPUT_WARC && r.ndocs == 1);
	run_release(&r);
	read_file(&r, tu_path("sniff3"));
	CHECK(r.kind == CONTAM_INPUT_ARCHIVE && r.ndocs == 1);
	run_release(&r);
	cbuf_release(&w);

	CHECK_STR(contam_input_kind_name(CONTAM_INPUT_WARC), "warc");
	CHECK_STR(contam_input_kind_name(CONTAM_INPUT_JSONL), "jsonl");
	CHECK_STR(contam_input_kind_name(CONTAM_INPUT_ARCHIVE), "archive");
	CHECK_STR(contam_input_kind_name(CONTAM_INPUT_TEXT), "text");
	CHECK_STR(contam_input_kind_name(CONTAM_INPUT_UNKNOWN), "unknown");
}

static void test_inputs(void)
{
	char root[600];
	snprintf(root, sizeof root, "%s/tree", tu_tmpdir);
	CHECK(mkdir(root, 0755) == 0);
	CHECK(mkdir(tu_path("tree/b"), 0755) == 0);
	CHECK(mkdir(tu_path("tree/a"), 0755) == 0);
	CHECK(mkdir(tu_path("tree/.git"), 0755) == 0);
	tu_write_file(tu_path("tree/z.txt"), "zz", 2);
	tu_write_file(tu_path("tree/b/2.jsonl"), "{}", 2);
	tu_write_file(tu_path("tree/b/10.jsonl"), "{}", 2);
	tu_write_file(tu_path("tree/a/x.txt"), "xxxx", 4);
	tu_write_file(tu_path("tree/.hidden"), "h", 1);
	tu_write_file(tu_path("tree/.git/config"), "c", 1);
	tu_write_file(tu_path("tree/a/.swp"), "s", 1);
	tu_write_file(tu_path("single.txt.gz"), "0123456789", 10);
	CHECK(symlink("..", tu_path("tree/a/up")) == 0); /* a cycle */

	contam_inputs in;
	contam_error errbuf;
	const char *args[2] = { root, tu_path("single.txt.gz") };
	CHECK(contam_inputs_expand(&in, args, 2, &errbuf) == 0);
	CHECK_EQ_U64(in.count, 5);
	if (in.count == 5) {
		CHECK_STR(in.paths[0], tu_path("tree/a/x.txt"));
		CHECK_STR(in.paths[1], tu_path("tree/b/10.jsonl"));
		CHECK_STR(in.paths[2], tu_path("tree/b/2.jsonl"));
		CHECK_STR(in.paths[3], tu_path("tree/z.txt"));
		CHECK_STR(in.paths[4], tu_path("single.txt.gz"));
		CHECK_EQ_U64(in.sizes[0], 4);
	}
	CHECK_EQ_U64(in.total_size, 4 + 2 + 2 + 2 + 10);
	uint64_t est = contam_estimate_ngrams(&in);
	CHECK(est > 0 && est < 100);
	contam_inputs_free(&in);
	CHECK(in.count == 0 && in.paths == NULL);
	contam_inputs_free(&in);
	contam_inputs_free(NULL);

	/* a hidden file named explicitly is kept */
	const char *hid[1] = { tu_path("tree/.hidden") };
	CHECK(contam_inputs_expand(&in, hid, 1, &errbuf) == 0);
	CHECK_EQ_U64(in.count, 1);
	contam_inputs_free(&in);

	const char *bad[2] = { root, "no/such/file.warc" };
	CHECK(contam_inputs_expand(&in, bad, 2, &errbuf) ==
	      CONTAM_E_IO);
	CHECK_STR(errbuf.msg, "cannot open 'no/such/file.warc': No such file or directory");
	CHECK(in.count == 0 && in.paths == NULL);

	/* estimate: compressed inputs count for more */
	contam_inputs fake = { 0 };
	char *paths[2] = { "a.jsonl", "b.jsonl.gz" };
	uint64_t sizes[2] = { 6000000, 6000000 };
	fake.paths = paths;
	fake.sizes = sizes;
	fake.count = 2;
	est = contam_estimate_ngrams(&fake);
	CHECK(est > 4000000 && est < 5000000);
}

/* ------------------------------------------------------------------ */
/* JSON scanner vs jansson                                             */

static const char *const scan_keys[] = { "text", "url", "id", "k\"ey" };
#define NSCAN 4

/* Compare our scanner with jansson on one line.  Returns 1 if they
 * agree.  Cases where we deliberately differ are excluded by callers. */
static int compare_json(const char *line, size_t len, int verbose)
{
	cbuf outs[NSCAN] = { CBUF_INIT, CBUF_INIT, CBUF_INIT, CBUF_INIT };
	int found[NSCAN];
	cerr err;
	int ok = 1;

	int rc = cjson_extract_fields(line, len, scan_keys, NSCAN, outs, found,
				      &err);
	json_error_t jerr;
	json_t *root = json_loadb(line, len, 0, &jerr);
	int jok = root && json_is_object(root);
	if ((rc == 0) != jok) {
		ok = 0;
	} else if (jok) {
		for (size_t i = 0; i < NSCAN; i++) {
			json_t *v = json_object_get(root, scan_keys[i]);
			int jfound = v && json_is_string(v);
			if (jfound != found[i]) {
				ok = 0;
				continue;
			}
			if (jfound && (json_string_length(v) != outs[i].len ||
				       memcmp(json_string_value(v), outs[i].data,
					      outs[i].len) != 0))
				ok = 0;
		}
	}
	if (!ok && verbose)
		fprintf(stderr, "json mismatch on [%.*s]: ours rc=%d (%s), "
			"jansson %s (%s)\n", (int)len, line, rc,
			rc ? err.msg : "ok", jok ? "object" : "rejects",
			root ? "" : jerr.text);
	json_decref(root);
	for (size_t i = 0; i < NSCAN; i++)
		cbuf_release(&outs[i]);
	return ok;
}

static const char *const json_cases[] = {
	"{\"text\":\"plain\"}",
	"  {  \"text\"  :  \"spaces\"  ,  \"url\" : \"u\" }  ",
	"{\"text\":\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"}",
	"{\"text\":\"\\u0041\\u00e9\\u4e2d\\ud834\\udd1e\"}",
	"{\"text\":\"\\uD83D\\uDE00 upper hex\"}",
	"{\"text\":\"caf\xc3\xa9 raw utf8 \xe4\xb8\xad\"}",
	"{\"a\":{\"text\":\"nested\"},\"text\":\"top\"}",
	"{\"a\":[{\"text\":\"in array\"},[[[]]],{}],\"b\":{}}",
	"{\"text\":\"first\",\"text\":\"last wins\"}",
	"{\"text\":\"first\",\"text\":5}",
	"{\"text\":5,\"text\":\"string after number\"}",
	"{\"text\":null}",
	"{\"text\":true,\"url\":false,\"id\":null}",
	"{\"text\":[\"not\",\"a string\"]}",
	"{\"text\":{\"nested\":\"object\"}}",
	"{\"n\":-0.5e+10,\"m\":0,\"o\":1E5,\"p\":-12.25,\"text\":\"nums\"}",
	"{\"te\\u0078t\":\"escaped key\"}",
	"{\"k\\\"ey\":\"key with quote\"}",
	"{\"id\":\"\",\"text\":\"\"}",
	"{}",
	"{ }",
	"{\"s\":\"}{][,:\",\"text\":\"brackets in strings\"}",
	"{\"s\":\"\\\\\",\"text\":\"backslash at end of value\"}",
	"{\"deep\":[[[[[[[[[[{\"a\":[1,{\"b\":\"c\"}]}]]]]]]]]]],\"text\":\"x\"}",
	"{\"text\":\"tab\there\"}",   /* raw tab: invalid */
	"{\"text\":\"nl\nhere\"}",    /* raw newline: invalid */
	"{\"text\":\"x\",}",
	"{,\"text\":\"x\"}",
	"{\"text\" \"x\"}",
	"{\"text\":}",
	"{\"text\":\"x\"",
	"{\"text\":\"x\"}}",
	"{\"text\":\"x\"} {}",
	"{\"text\":\"x\"} x",
	"{'text':'x'}",
	"{text:\"x\"}",
	"{\"text\":\"unterminated}",
	"{\"text\":\"bad escape \\x\"}",
	"{\"text\":\"bad unicode \\u12G4\"}",
	"{\"text\":\"short unicode \\u12\"}",
	"{\"n\":01,\"text\":\"x\"}",
	"{\"n\":1.,\"text\":\"x\"}",
	"{\"n\":.5,\"text\":\"x\"}",
	"{\"n\":-,\"text\":\"x\"}",
	"{\"n\":1e,\"text\":\"x\"}",
	"{\"n\":+1,\"text\":\"x\"}",
	"{\"n\":tru,\"text\":\"x\"}",
	"{\"n\":nul,\"text\":\"x\"}",
	"{\"n\":[1,],\"text\":\"x\"}",
	"{\"n\":[1 2],\"text\":\"x\"}",
	"{\"n\":{\"a\"},\"text\":\"x\"}",
	"{\"n\":{\"a\":1,},\"text\":\"x\"}",
	"{\"n\":[},\"text\":\"x\"}",
	"[{\"text\":\"array\"}]",
	"\"just a string\"",
	"42",
	"",
	"   ",
	"{",
	"}",
	"null",
};

/* The string scanner reads 8 bytes at a time: put each byte that ends a
 * plain run (quote, backslash escape, control byte) and a non-ASCII
 * character at every position of strings of 0..40 bytes, and compare
 * with jansson. */
static void test_json_string_positions(void)
{
	static const char *const specials[] = {
		"\\\"", "\\\\", "\\n", "\\u00e9", "\xc3\xa9", "\x01", "\x1f",
		"\"", "~", "\x7f",
	};
	unsigned bad = 0, tried = 0;
	for (size_t len = 0; len <= 40; len++) {
		for (size_t pos = 0; pos <= len; pos++) {
			for (size_t k = 0; k < sizeof specials / sizeof *specials; k++) {
				char line[256];
				int n = snprintf(line, sizeof line, "{\"text\":\"%.*s%s%.*s\",\"id\":\"x\"}",
						 (int)pos, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
						 specials[k], (int)(len - pos),
						 "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvuts");
				tried++;
				bad += !compare_json(line, (size_t)n, 0);
			}
		}
	}
	CHECK(tried > 8000);
	CHECK_EQ_U64(bad, 0);
}

static void test_json_scan(void)
{
	size_t ncases = sizeof json_cases / sizeof json_cases[0];
	for (size_t i = 0; i < ncases; i++)
		CHECK(compare_json(json_cases[i], strlen(json_cases[i]), 1));
	test_json_string_positions();
	/* Python's json.dumps writes NaN, Infinity and -Infinity: a record
	 * with one in a metadata field keeps its text (jansson refuses them,
	 * so not compared) */
	{
		const char *nan_line = "{\"score\":NaN,\"text\":\"kept\",\"w\":-Infinity,"
				       "\"v\":[Infinity,1]}";
		cbuf o[NSCAN] = { CBUF_INIT, CBUF_INIT, CBUF_INIT, CBUF_INIT };
		int f[NSCAN];
		cerr e;
		CHECK(cjson_extract_fields(nan_line, strlen(nan_line), scan_keys, NSCAN, o, f,
					   &e) == 0);
		CHECK(f[0] && o[0].len == 4 && !memcmp(o[0].data, "kept", 4));
		CHECK(cjson_extract_fields("{\"a\":Nan}", 10, scan_keys, NSCAN, o, f, &e) != 0);
		for (size_t i = 0; i < NSCAN; i++)
			cbuf_release(&o[i]);
	}

	/* Random mutations of the valid cases, ASCII only (jansson also
	 * checks UTF-8, which we leave to the text module), avoiding \u
	 * (we turn lone surrogates and NUL into characters, jansson
	 * rejects them) and long digit runs (jansson rejects integers
	 * that overflow). */
	static const char alphabet[] = "{}[]\",:\\ a1e.-tfnrul0";
	unsigned mismatches = 0, tried = 0;
	srand(1234);
	for (int iter = 0; iter < 30000; iter++) {
		const char *base = json_cases[(size_t)rand() % 24];
		char buf[256];
		size_t len = strlen(base);
		if (len >= sizeof buf - 8)
			continue;
		memcpy(buf, base, len);
		int muts = 1 + rand() % 3;
		for (int k = 0; k < muts; k++) {
			size_t pos = len ? (size_t)rand() % len : 0;
			int op = rand() % 3;
			char c = alphabet[(size_t)rand() % (sizeof alphabet - 1)];
			if (op == 0 && len > 0) {
				memmove(buf + pos, buf + pos + 1, len - pos - 1);
				len--;
			} else if (op == 1 && len < sizeof buf - 2) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = c;
				len++;
			} else if (len > 0) {
				buf[pos] = c;
			}
		}
		int skip = 0;
		for (size_t k = 0; k < len; k++) {
			if ((unsigned char)buf[k] >= 0x80)
				skip = 1;
			if (k + 1 < len && buf[k] == '\\' && buf[k + 1] == 'u')
				skip = 1;
		}
		size_t run_digits = 0;
		for (size_t k = 0; k < len; k++) {
			run_digits = (buf[k] >= '0' && buf[k] <= '9') ? run_digits + 1 : 0;
			if (run_digits > 15)
				skip = 1;
		}
		if (skip)
			continue;
		tried++;
		if (!compare_json(buf, len, mismatches < 5))
			mismatches++;
	}
	CHECK(tried > 10000);
	CHECK(mismatches == 0);

	/* Deliberate differences: lone surrogates become U+FFFD. */
	{
		cbuf out[1] = { CBUF_INIT };
		int found[1];
		cerr err;
		const char *keys[1] = { "text" };
		const char *l1 = "{\"text\":\"a\\ud800b\"}";
		CHECK(cjson_extract_fields(l1, strlen(l1), keys, 1, out, found,
					   &err) == 0);
		CHECK(found[0] && out[0].len == 5 &&
		      memcmp(out[0].data, "a\xef\xbf\xbd" "b", 5) == 0);
		const char *l2 = "{\"text\":\"\\udc00\\ud800\\u0041\"}";
		CHECK(cjson_extract_fields(l2, strlen(l2), keys, 1, out, found,
					   &err) == 0);
		CHECK(found[0] && out[0].len == 7 &&
		      memcmp(out[0].data, "\xef\xbf\xbd\xef\xbf\xbd" "A", 7) == 0);
		const char *l3 = "{\"text\":\"x\\ud800\"}";
		CHECK(cjson_extract_fields(l3, strlen(l3), keys, 1, out, found,
					   &err) == 0);
		CHECK(found[0] && out[0].len == 4);
		const char *l4 = "[1]";
		CHECK(cjson_extract_fields(l4, strlen(l4), keys, 1, out, found,
					   &err) == CONTAM_E_FORMAT);
		CHECK(strstr(err.msg, "byte 0") != NULL);
		/* too deep */
		cbuf deep = CBUF_INIT;
		cbuf_printf(&deep, "{\"a\":");
		for (int i = 0; i < 5000; i++)
			cbuf_putc(&deep, '[');
		CHECK(cjson_extract_fields(deep.data, deep.len, keys, 1, out,
					   found, &err) == CONTAM_E_FORMAT);
		cbuf_release(&deep);
		cbuf_release(&out[0]);
	}
}

/* ------------------------------------------------------------------ */
/* Shared corpus samples (skipped when absent)                         */

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void test_shared_data(const char *datadir)
{
	char root[1024], path[1200];
	run r;
	int seen = 0;

	snprintf(root, sizeof root, "%s/../../../shared/data/corpus", datadir);

	snprintf(path, sizeof path,
		 "%s/commoncrawl_whirlwind/whirlwind.warc.wet.gz", root);
	if (exists(path)) {
		seen++;
		read_file(&r, path);
		CHECK(r.rc == 0 && r.errors == 0);
		CHECK(r.ndocs >= 1);
		CHECK(r.ndocs_with_url == r.ndocs);
		CHECK(r.docs[0].url && strncmp(r.docs[0].url, "http", 4) == 0);
		CHECK(r.text_bytes > 1000);
		run_release(&r);
	}

	snprintf(path, sizeof path, "%s/dolma_tests/*.json*.gz", root);
	glob_t g;
	if (glob(path, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			seen++;
			read_file(&r, g.gl_pathv[i]);
			CHECK(r.rc == 0 && r.errors == 0);
			CHECK(r.ndocs >= 1);
			CHECK(r.text_bytes > 0);
			run_release(&r);
		}
		globfree(&g);
	}

	snprintf(path, sizeof path, "%s/c4/c4_sample.jsonl.gz", root);
	if (exists(path)) {
		seen++;
		read_file(&r, path);
		CHECK(r.rc == 0 && r.errors == 0);
		CHECK_EQ_U64(r.ndocs, 1000);
		CHECK_EQ_U64(r.ndocs_with_url, 1000);
		run_release(&r);
	}

	snprintf(path, sizeof path,
		 "%s/commoncrawl_resiliparse_tests/clipped.warc.gz", root);
	if (exists(path)) {
		seen++;
		read_file(&r, path);
		CHECK(r.rc == 0);       /* warns, does not fail */
		CHECK(r.errors >= 1);
		CHECK(r.nwarnings >= 1);
		run_release(&r);
		read_file_opts(&r, path, NULL, 1, 0);
		CHECK(r.rc == CONTAM_E_CORRUPT);
		run_release(&r);
	}

	snprintf(path, sizeof path,
		 "%s/commoncrawl_resiliparse_tests/clueweb-quirk.warc.gz", root);
	if (exists(path)) {
		seen++;
		read_file(&r, path);
		CHECK(r.rc == 0 && r.errors == 0);
		CHECK(r.ndocs >= 1 && r.ndocs_with_url == r.ndocs);
		run_release(&r);
	}
	if (!seen)
		fprintf(stderr, "reader: shared corpus samples not found under "
			"%s, skipped\n", root);
	else
		printf("reader: read %d shared corpus samples\n", seen);
}

/* ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	const char *datadir = tu_datadir(argc, argv);
	const char *base = getenv("TMPDIR");
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "%s/contam-reader-XXXXXX",
		 base && base[0] ? base : "/tmp");
	if (!mkdtemp(tu_tmpdir)) {
		fprintf(stderr, "cannot create a temporary directory: %s\n",
			strerror(errno));
		return 1;
	}

	test_stream();
	test_gzip_inflaters_agree();
	test_warc();
	test_jsonl();
	test_archive();
	test_text();
	test_formats();
	test_detect();
	test_inputs();
	test_json_scan();
	test_shared_data(datadir);

	nftw(tu_tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tu_finish("reader");
}
