/*
 * test_pass.c -- the corpus pass (src/lib/pass/) with a small sink of
 * its own, the way a new per-document pass is written: every document
 * once, with its provenance and all its bytes; an ordered sink gets each
 * file's results in reader order at any thread count, big documents
 * (streamed) included; the reader-open policy (a walked unreadable file
 * is a counted skip the sink hears of, a named one fails the run); the
 * stop flag.
 */
#include "testutil.h"
#include "pass/pass.h"

#include <sys/stat.h>

/* ---- a counting sink --------------------------------------------------- */

typedef struct count_worker {
	uint64_t bytes;          /* of the current document */
	int in_doc;
	int misuse;              /* feed/end outside begin..end */
} count_worker;

typedef struct count_file {
	cbuf lines;              /* "record bytes url id" per document, emitted */
	size_t emitted;          /* records emitted */
	int opened;
	uint64_t documents, bytes_text, errors;
	int unreadable_msgs;
	int collected;
} count_file;

typedef struct count_sink {
	count_file files[8];
	uint64_t docs_seen;      /* atomic */
	uint64_t bytes_seen;     /* atomic */
	int misuse;              /* atomic */
} count_sink;

static void *cw_new(void *ctx)
{
	return calloc(1, sizeof(count_worker));
}

static int cw_free(void *ctx, void *w, const cpass_file *f, cerr *err)
{
	count_sink *cs = ctx;
	if (((count_worker *)w)->misuse)
		__atomic_store_n(&cs->misuse, 1, __ATOMIC_RELAXED);
	free(w);
	return CONTAM_OK;
}

static void cw_begin(void *wp, const cpass_doc *doc)
{
	count_worker *w = wp;
	if (w->in_doc)
		w->misuse = 1;
	w->in_doc = 1;
	w->bytes = 0;
}

static int cw_feed(void *wp, const char *p, size_t n, cerr *err)
{
	count_worker *w = wp;
	if (!w->in_doc)
		w->misuse = 1;
	w->bytes += n;
	return CONTAM_OK;
}

static count_sink *sink_of(const cpass_doc *doc)
{
	return doc->file->sink;
}

static int cw_end(void *wp, const cpass_doc *doc, cpass_out *out, cerr *err)
{
	count_worker *w = wp;
	count_sink *cs = sink_of(doc);
	if (!w->in_doc)
		w->misuse = 1;
	w->in_doc = 0;
	__atomic_fetch_add(&cs->docs_seen, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cs->bytes_seen, w->bytes, __ATOMIC_RELAXED);
	if (out) {
		char line[128];
		int n = snprintf(line, sizeof line, "%llu %llu %s %s\n",
				 (unsigned long long)doc->record,
				 (unsigned long long)w->bytes,
				 doc->url ? doc->url : "-", doc->id ? doc->id : "-");
		if (cpass_out_add(out, line, (size_t)n))
			return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

static int cw_file_begin(void *ctx, cpass_file *f, cerr *err)
{
	f->sink = ctx; /* the whole sink: cw_end finds it from the document */
	return CONTAM_OK;
}

static void cw_message(void *ctx, cpass_file *f, int kind, const char *msg)
{
	count_sink *cs = ctx;
	if (kind == CPASS_MSG_UNREADABLE && f->index < 8)
		cs->files[f->index].unreadable_msgs++;
}

static int cw_emit(void *ctx, cpass_file *f, const cpass_out *out, cerr *err)
{
	count_sink *cs = ctx;
	for (const cpass_out_block *b = out->first; b; b = b->next) {
		if (cbuf_append(&cs->files[f->index].lines, b->data, b->len))
			return CONTAM_E_NOMEM;
		cs->files[f->index].emitted += b->records;
	}
	return CONTAM_OK;
}

static void cw_collect(void *ctx, cpass_file *f)
{
	count_sink *cs = ctx;
	count_file *cf = &cs->files[f->index];
	cf->opened = f->opened;
	cf->documents = f->documents;
	cf->bytes_text = f->bytes_text;
	cf->errors = f->errors;
	cf->collected++;
}

static int run_sink(count_sink *cs, const contam_inputs *in, int threads,
		    int ordered, volatile int *stop)
{
	memset(cs, 0, sizeof(*cs));
	crun run;
	crun_init(&run, in, NULL, NULL, NULL, stop);
	cpass_options opt = { .threads = threads, .text_field = "text" };
	cpass_sink sink = {
		.ctx = cs, .ordered = ordered,
		.worker_new = cw_new, .worker_free = cw_free,
		.begin = cw_begin, .feed = cw_feed, .end = cw_end,
		.file_begin = cw_file_begin, .file_message = cw_message,
		.emit = ordered ? cw_emit : NULL, .collect = cw_collect,
	};
	return cpass_run(&run, &opt, &sink);
}

static void release(count_sink *cs)
{
	for (int i = 0; i < 8; i++)
		cbuf_release(&cs->files[i].lines);
}

/* ---- the corpus -------------------------------------------------------- */

/* NDOCS JSONL records of varied sizes (about 11 MiB: several batches),
 * with url and id, record BIGDOC over the streaming bound; `expect` gets
 * the lines an ordered sink must emit. */
#define NDOCS 3000
#define BIGDOC 2100
static uint64_t write_corpus(const char *path, cbuf *expect)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return 0;
	uint64_t total = 0, x = 12345;
	for (int d = 0; d < NDOCS; d++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t len = d == BIGDOC ? CPASS_BIG_DOC + (1u << 20) + 17
			     : d % 97 == 5 ? 0 : 200 + (size_t)(x >> 52);
		fprintf(f, "{\"id\": \"i%d\", \"url\": \"u%d\", \"text\": \"", d, d);
		for (size_t i = 0; i < len; i++)
			fputc(i % 6 == 5 ? ' ' : 'a' + (int)((i + (size_t)d) % 26), f);
		fputs("\"}\n", f);
		total += len;
		cbuf_printf(expect, "%d %zu u%d i%d\n", d, len, d, d);
	}
	fclose(f);
	return total;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test-pass.XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	char dir[300];
	snprintf(dir, sizeof dir, "%s/corpus", tu_tmpdir);
	mkdir(dir, 0755);
	char big[400], small[400], bad[400];
	snprintf(big, sizeof big, "%s/a.jsonl", dir);
	snprintf(small, sizeof small, "%s/b.jsonl", dir);
	snprintf(bad, sizeof bad, "%s/c.jsonl", dir);
	cbuf expect = { 0 };
	uint64_t total = write_corpus(big, &expect);
	tu_write_file(small, "{\"text\": \"one\"}\n{\"text\": \"two words\"}\n", 37);
	/* an ELF executable under a corpus name: refused by content */
	static const char elf[64] = "\x7f" "ELF\x02\x01\x01";
	tu_write_file(bad, elf, sizeof elf);

	contam_error err;
	contam_inputs in;
	const char *args[] = { dir };
	CHECK(contam_inputs_expand(&in, args, 1, &err) == CONTAM_OK);
	CHECK_EQ_U64(in.count, 3);

	count_sink *cs = malloc(sizeof(*cs));
	/* ordered, at several thread counts: the same lines, in reader order */
	for (int threads = 1; threads <= 4; threads *= 2) {
		CHECK(run_sink(cs, &in, threads, 1, NULL) == CONTAM_OK);
		CHECK(!cs->misuse);
		count_file *a = &cs->files[0], *b = &cs->files[1], *c = &cs->files[2];
		CHECK(a->collected == 1 && b->collected == 1 && c->collected == 1);
		CHECK_EQ_U64(a->documents, NDOCS);
		CHECK_EQ_U64(a->emitted, NDOCS);
		CHECK_EQ_U64(a->bytes_text, total);
		CHECK(a->lines.len == expect.len &&
		      memcmp(a->lines.data, expect.data, expect.len) == 0);
		CHECK_STR(b->lines.data, "0 3 - -\n1 9 - -\n");
		CHECK_EQ_U64(cs->docs_seen, NDOCS + 2);
		CHECK_EQ_U64(cs->bytes_seen, total + 12);
		/* the walked ELF file: a counted skip the sink heard of */
		CHECK(!c->opened && c->errors == 1 && c->unreadable_msgs == 1);
		CHECK(c->documents == 0 && c->lines.len == 0);
		release(cs);
	}

	/* unordered: every document once, nothing emitted */
	CHECK(run_sink(cs, &in, 3, 0, NULL) == CONTAM_OK);
	CHECK_EQ_U64(cs->docs_seen, NDOCS + 2);
	CHECK_EQ_U64(cs->bytes_seen, total + 12);
	CHECK(cs->files[0].lines.len == 0 && !cs->misuse);
	release(cs);

	/* the stop flag: no file is read */
	volatile int stop = 1;
	CHECK(run_sink(cs, &in, 2, 1, &stop) == CONTAM_OK);
	CHECK_EQ_U64(cs->docs_seen, 0);
	CHECK(cs->files[0].collected == 0);
	release(cs);
	contam_inputs_free(&in);

	/* the ELF file named itself: the run fails with the reader's reason */
	const char *named[] = { bad };
	CHECK(contam_inputs_expand(&in, named, 1, &err) == CONTAM_OK);
	memset(cs, 0, sizeof(*cs));
	crun run;
	crun_init(&run, &in, NULL, NULL, NULL, NULL);
	cpass_options opt = { .text_field = "text" };
	cpass_sink sink = {
		.ctx = cs, .worker_new = cw_new, .worker_free = cw_free,
		.begin = cw_begin, .feed = cw_feed, .end = cw_end,
		.file_begin = cw_file_begin, .collect = cw_collect,
	};
	CHECK(cpass_run(&run, &opt, &sink) == CONTAM_E_FORMAT);
	CHECK(strstr(run.err.msg, "ELF") != NULL);
	CHECK(cs->files[0].collected == 1 && !cs->files[0].opened);
	contam_inputs_free(&in);

	free(cs);
	cbuf_release(&expect);
	unlink(big);
	unlink(small);
	unlink(bad);
	rmdir(dir);
	rmdir(tu_tmpdir);
	return tu_finish("test_pass");
}
