/*
 * reader_cat.c -- contam_read_documents (contam.h): one corpus file's
 * documents, whole, through the same readers as the index build.  The
 * debugging view behind `contam cat`, and what the Parquet tests compare
 * against other readers.
 */
#include "reader.h"

#include <stdlib.h>

#define CAT_MAX_DOC (256u * 1024u * 1024u)

int contam_read_documents(const char *path, const contam_build_options *opt,
			  int (*on_doc)(void *ctx, const contam_doc_info *d,
					const char *text, size_t len, int cut),
			  void *ctx, contam_error *err)
{
	creader *r = NULL;
	cbuf text = CBUF_INIT;
	cerr e;
	int rc;

	cerr_clear(&e);
	if (!path || !on_doc) {
		rc = cerr_set(&e, CONTAM_E_PARAM, "no path or no callback");
		goto out;
	}
	creader_options ro = { 0 };
	if (opt) {
		ro.text_field = opt->text_field;
		ro.text_fields = opt->text_fields;
		ro.ntext_fields = opt->ntext_fields;
		ro.strict = opt->strict;
		ro.max_record = opt->max_record;
		ro.on_warning = opt->on_warning;
		ro.ctx = opt->ctx;
		ro.stop = opt->stop;
		ro.fast = opt->fast;
	}
	if ((rc = creader_open(&r, path, &ro, &e)) < 0)
		goto out;
	creader_doc doc;
	while ((rc = creader_next_doc(r, &doc, &e)) == 1) {
		const char *p;
		size_t n;
		int cut = 0;
		cbuf_reset(&text);
		while ((rc = creader_read_text(r, &p, &n, &e)) == 1) {
			if (text.len + n > CAT_MAX_DOC) {
				n = CAT_MAX_DOC - text.len;
				cut = 1;
			}
			if (cbuf_append(&text, p, n) < 0) {
				rc = cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
		}
		if (rc < 0)
			goto out;
		contam_doc_info d = { doc.path, doc.member, doc.entry,
				      doc.record, doc.offset, doc.url, doc.id };
		if ((rc = on_doc(ctx, &d, text.data ? text.data : "", text.len,
				 cut)) != 0) {
			if (rc > 0)
				rc = -rc;
			cerr_set(&e, rc, "stopped");
			goto out;
		}
	}
out:
	creader_free(r);
	cbuf_release(&text);
	if (rc >= 0)
		cerr_clear(&e);
	return cerr_export(&e, err);
}
