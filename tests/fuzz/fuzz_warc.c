/*
 * fuzz_warc.c -- libFuzzer target: the WARC/WET corpus reader.
 *
 * The input is the file (plain, or gzip/zstd: the stream sniffs the
 * codec), read twice through creader_open: once skipping damage with a
 * small header limit (so the limit paths are reached), once strict.
 * Every document and every piece of text is walked; the pieces must stay
 * within CREADER_PIECE and the reader's byte counts must add up.
 */
#include "fuzz_util.h"
#include "reader/reader.h"

static void count_warning(void *ctx, const char *msg)
{
	(void)msg;
	++*(uint64_t *)ctx;
}

static void count_note(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg; /* how it was read (a charset, no documents): no damage */
}

static void walk(const char *path, int strict, uint64_t max_record)
{
	creader *r = NULL;
	creader_doc doc;
	cerr err;
	uint64_t warnings = 0, text = 0;
	creader_options opt = { .strict = strict, .max_record = max_record,
				 .on_warning = count_warning, .on_note = count_note,
				 .ctx = &warnings };

	cerr_clear(&err);
	if (creader_open(&r, path, &opt, &err) < 0) {
		creader_free(r);
		return;
	}
	int rc;
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		if (!doc.path)
			abort();
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1) {
			if (n > CREADER_PIECE || (n && !p))
				abort();
			text += n;
		}
		if (rc < 0)
			break;
	}
	if (text != creader_bytes_text(r))
		abort();
	/* every warning is counted, but for the one note creader_open may
	 * give on how the file was read (name and content disagree) */
	if (!strict && warnings > creader_errors(r) + 1)
		abort();
	creader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write(".warc", data, size);
	walk(path, 0, 1024);
	walk(path, 1, 0);
	return 0;
}
