/*
 * fuzz_jsonl.c -- libFuzzer target: JSONL text extraction.
 *
 * 1. cjson_extract_fields on the input as one line, with the reader's keys
 *    and two odd ones (empty, dotted): a found field's value must be
 *    NUL-terminated at its length; cjson_skip_value must stay inside
 *    the input.
 * 2. The JSONL corpus reader on the input as a file (lines, or the
 *    whole-file array/object mode), skipping damage and strict.
 */
#include "fuzz_util.h"
#include "reader/reader.h"

static void extract(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "text", "url", "id", "", "a.b" };
	enum { NKEYS = sizeof keys / sizeof keys[0] };
	cbuf outs[NKEYS];
	int found[NKEYS];
	cerr err;

	for (size_t i = 0; i < NKEYS; i++)
		outs[i] = (cbuf)CBUF_INIT;
	cerr_clear(&err);
	int rc = cjson_extract_fields((const char *)data, size, keys, NKEYS,
				      outs, found, &err);
	if (rc == CONTAM_OK) {
		for (size_t i = 0; i < NKEYS; i++) {
			if (found[i] != 0 && found[i] != 1)
				abort();
			if (found[i] && outs[i].len && outs[i].data[outs[i].len] != '\0')
				abort();
		}
	}
	for (size_t i = 0; i < NKEYS; i++)
		cbuf_release(&outs[i]);

	size_t end = 0;
	cerr_clear(&err);
	if (cjson_skip_value((const char *)data, size, &end, &err) == CONTAM_OK &&
	    end > size)
		abort();
}

static void walk(const char *path, int strict, const char *field)
{
	creader *r = NULL;
	creader_doc doc;
	cerr err;
	creader_options opt = { .text_field = field, .strict = strict, .max_record = 4096 };

	cerr_clear(&err);
	if (creader_open(&r, path, &opt, &err) < 0) {
		creader_free(r);
		return;
	}
	int rc;
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1)
			if (n > CREADER_PIECE)
				abort();
		if (rc < 0)
			break;
	}
	creader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	extract(data, size);
	const char *path = fuzz_write(".jsonl", data, size);
	walk(path, 0, NULL);
	walk(path, 1, "content");
	return 0;
}
