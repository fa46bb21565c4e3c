/*
 * fuzz_mediawiki.c -- libFuzzer target: the MediaWiki XML dump reader,
 * and the --text-field path walk of the JSON reader.
 *
 * 1. The input as a MediaWiki dump (named *pages-articles.xml), read
 *    skipping damage and strict, and once without reading the text: no
 *    piece may exceed CREADER_PIECE, every title / id must be a C string.
 * 2. cjson_select_path on the input as one JSON value with a few paths
 *    (plain, dotted, numeric, empty) and cjson_key_list: nothing may read
 *    outside the input, and what is selected is counted.
 * 3. The input as a .json corpus file read with --text-field paths
 *    (JSON lines, a whole-file array, or a pretty-printed object).
 */
#include "fuzz_util.h"
#include "reader/reader.h"

static void walk(const char *path, int strict, int read_text,
		 const char *const *fields, size_t nfields)
{
	creader *r = NULL;
	creader_doc doc;
	cerr err;
	creader_options opt = { .strict = strict, .max_record = 4096,
				 .text_fields = fields, .ntext_fields = nfields };

	cerr_clear(&err);
	if (creader_open(&r, path, &opt, &err) < 0) {
		creader_free(r);
		return;
	}
	int rc;
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		const char *p;
		size_t n;
		if ((doc.title && strlen(doc.title) > 65536) ||
		    (doc.id && strlen(doc.id) > 65536))
			abort();
		if (!read_text)
			continue;
		while ((rc = creader_read_text(r, &p, &n, &err)) == 1)
			if (n == 0 || n > CREADER_PIECE)
				abort();
		if (rc < 0)
			break;
	}
	creader_free(r);
}

static void paths(const uint8_t *data, size_t size)
{
	static const char *const ps[] = { "text", "a.b", "paragraphs", "0",
					  "c.0.d", "" };
	cbuf out = CBUF_INIT;
	cerr err;
	char keys[256];
	size_t nkeys;

	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		size_t pieces = 0;
		cbuf_reset(&out);
		cerr_clear(&err);
		int rc = cjson_select_path((const char *)data, size, ps[i], &out,
					   &pieces, &err);
		if (rc == CONTAM_OK && out.len && pieces == 0)
			abort();
	}
	cbuf_release(&out);
	cjson_key_list((const char *)data, size, keys, sizeof keys, &nkeys);
	if (strlen(keys) >= sizeof keys)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields[] = { "paragraphs", "a.b", "c.0" };
	const char *path = fuzz_write("-pages-articles.xml", data, size);
	walk(path, 0, 1, NULL, 0);
	walk(path, 1, 1, NULL, 0);
	walk(path, 0, 0, NULL, 0);
	paths(data, size);
	/* the JSON reader with --text-field paths (arrays, objects) */
	path = fuzz_write(".json", data, size);
	walk(path, 0, 1, fields, 3);
	walk(path, 1, 1, fields, 1);
	return 0;
}
