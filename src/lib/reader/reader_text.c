/*
 * reader_text.c -- plain text: one file (or archive member) is one
 * document, read through the stream in pieces of CREADER_PIECE bytes,
 * so .txt.gz and .txt.zst work and a file of any size costs one buffer.
 *
 * The file is always one document, even when empty.  Damage skipped by
 * the stream (a corrupt gzip member) is reported and counted; the text
 * after it is still delivered, as the same document.
 */
#include "reader.h"

#include <inttypes.h>
#include <stdlib.h>

typedef struct textr {
	cstream *in;
	const creader_ctx *cx;
	char *buf;
	int delivered;   /* the one document was handed out */
	int doc_open;
} textr;

static int text_next_doc(void *state, creader_doc *doc, cerr *err)
{
	textr *t = state;

	(void)err;
	if (t->delivered)
		return 0;
	t->delivered = 1;
	t->doc_open = 1;
	doc->member = NULL;
	doc->record = 0;
	doc->offset = 0;
	doc->url = NULL;
	doc->id = NULL;
	return 1;
}

static int text_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	textr *t = state;
	char msg[CERR_MSG_MAX];

	if (!t->doc_open)
		return 0;
	long got = cstream_read(t->in, t->buf, CREADER_PIECE, err);
	if (got < 0)
		return (int)got;
	int damaged = cstream_take_damage(t->in, msg, sizeof msg);
	if (damaged > 0) {
		int rc = creader_damage(t->cx, err, (uint64_t)damaged,
					"%s, data skipped", msg);
		if (rc < 0)
			return rc;
	}
	if (got == 0) {
		t->doc_open = 0;
		return 0;
	}
	*p = t->buf;
	*n = (size_t)got;
	return 1;
}

static uint64_t text_bytes_in(const void *state)
{
	const textr *t = state;
	return cstream_bytes_in(t->in);
}

static void text_close(void *state)
{
	textr *t = state;
	if (!t)
		return;
	cstream_free(t->in);
	free(t->buf);
	free(t);
}

static int text_open(void **state, const char *path, cstream *in,
		     const creader_ctx *cx, cerr *err)
{
	textr *t = NULL;
	int rc = CONTAM_OK;

	(void)path;
	*state = NULL;
	t = calloc(1, sizeof *t);
	if (!t) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	t->in = in;
	in = NULL;
	t->cx = cx;
	t->buf = malloc(CREADER_PIECE);
	if (!t->buf) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	*state = t;
	t = NULL;
out:
	cstream_free(in);
	text_close(t);
	return rc;
}

/* Named .txt (compressed or not); by content, whatever text no other
 * format's rule claims. */
static int text_by_name(const char *name, const char *bare)
{
	static const char *const suffixes[] = { ".txt", NULL };
	(void)name;
	return creader_name_ends(bare, suffixes);
}

const creader_ops creader_text_ops = {
	"text", text_open, text_next_doc, text_read_text, text_bytes_in,
	text_close, CONTAM_INPUT_TEXT, "text", text_by_name, NULL
};
