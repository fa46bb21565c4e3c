/*
 * reader_parquet.c -- Parquet corpus shards (FineWeb-style): one row is
 * one document, its text the string column `text` (or the --text-field
 * paths: dotted names reach struct fields, a list column gives all its
 * strings, several values joined with '\n', field by field and, within a
 * field, in record order as its JSON rendering lists them; the keys of a
 * map are left out, as a JSON object's are).  The record number is the
 * row index in the file.  Columns `id` and `url`, when they are flat
 * string columns, give the document's id and URL.
 *
 * A row whose text columns are all null (or empty lists) is no document:
 * such rows are skipped, counted, and told once at the end of the file
 * as a note.  The decoding itself is parquet.c, one row group at a time,
 * bounded by --max-record per page, column chunk and decoded chunk.
 */
#include "reader.h"
#include "parquet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define PQR_MAX_COLS 256

typedef struct pqr {
	const creader_ctx *cx;
	cpq *f;
	cpq_rows *rows;
	size_t ntext;            /* the first ntext selected columns are text */
	size_t nfield;           /* text fields: fstart[i], fcount[i] columns */
	size_t fstart[PQR_MAX_COLS], fcount[PQR_MAX_COLS];
	long id_k, url_k;        /* selected column of id / url, or -1 */
	cbuf text, id, url;
	size_t given;            /* bytes of text handed out */
	int doc_open;
	uint64_t empty_rows;
	int noted;
	char fields[256];        /* the field names, for the note */
	size_t pieces;           /* values in the current document */
} pqr;

static int pqr_piece(void *arg, size_t k, const char *p, size_t n)
{
	pqr *q = arg;
	(void)k;
	if ((q->pieces++ && cbuf_putc(&q->text, '\n') < 0) ||
	    cbuf_append(&q->text, p, n) < 0)
		return -1;
	return 0;
}

static int pqr_next_doc(void *state, creader_doc *doc, cerr *err)
{
	pqr *q = state;
	uint64_t row;
	int rc;

	q->doc_open = 0;
	for (;;) {
		rc = cpq_rows_next(q->rows, &row, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (q->empty_rows && !q->noted) {
				char msg[CERR_MSG_MAX];
				snprintf(msg, sizeof msg, "%s: %" PRIu64 " rows "
					 "with no text in %s (null) skipped",
					 q->cx->label, q->empty_rows, q->fields);
				creader_note(q->cx->opt, msg);
				q->noted = 1;
			}
			return 0;
		}
		cbuf_reset(&q->text);
		q->pieces = 0;
		for (size_t i = 0; i < q->nfield; i++)
			if (cpq_rows_each(q->rows, q->fstart[i], q->fcount[i],
					  pqr_piece, q))
				return cerr_set(err, CONTAM_E_NOMEM,
						"out of memory");
		if (q->pieces == 0) {
			q->empty_rows++;
			continue;
		}
		break;
	}
	doc->member = NULL;
	doc->record = row;
	doc->offset = 0;
	doc->url = NULL;
	doc->id = NULL;
	long ks[2] = { q->id_k, q->url_k };
	cbuf *bs[2] = { &q->id, &q->url };
	for (int i = 0; i < 2; i++) {
		if (ks[i] < 0 || cpq_rows_count(q->rows, (size_t)ks[i]) != 1)
			continue;
		const char *p;
		size_t n;
		cpq_rows_value(q->rows, (size_t)ks[i], 0, &p, &n);
		cbuf_reset(bs[i]);
		if (cbuf_append(bs[i], p, n) < 0 || cbuf_reserve(bs[i], 1) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (i == 0)
			doc->id = q->id.data;
		else
			doc->url = q->url.data;
	}
	q->given = 0;
	q->doc_open = 1;
	return 1;
}

static int pqr_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	pqr *q = state;
	(void)err;
	if (!q->doc_open || q->given >= q->text.len) {
		q->doc_open = 0;
		return 0;
	}
	size_t k = q->text.len - q->given;
	if (k > CREADER_PIECE)
		k = CREADER_PIECE;
	*p = q->text.data + q->given;
	*n = k;
	q->given += k;
	return 1;
}

static uint64_t pqr_bytes_in(const void *state)
{
	const pqr *q = state;
	return q->rows ? cpq_bytes_in(q->rows) : 0;
}

static void pqr_close(void *state)
{
	pqr *q = state;
	if (!q)
		return;
	cpq_rows_free(q->rows);
	cpq_free(q->f);
	cbuf_release(&q->text);
	cbuf_release(&q->id);
	cbuf_release(&q->url);
	free(q);
}

/* A flat string column named `name` that is not a text column: its
 * number among the selected ones (appended), or -1. */
static long extra_col(pqr *q, const char *name, size_t *cols, size_t *n)
{
	size_t c;
	if (*n >= PQR_MAX_COLS || cpq_select(q->f, name, &c, 1) != 1 ||
	    strcmp(cpq_column_path(q->f, c), name) != 0 ||
	    cpq_column_type(q->f, c) != CPQ_BYTE_ARRAY)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (cols[i] == c)
			return -1;
	cols[*n] = c;
	return (long)(*n)++;
}

static int pqr_open(void **state, const char *path, cstream *in,
		    const creader_ctx *cx, cerr *err)
{
	const creader_options *opt = cx->opt;
	size_t cols[PQR_MAX_COLS], n = 0;
	pqr *q = NULL;
	int rc;

	cstream_free(in);
	*state = NULL;
	q = calloc(1, sizeof *q);
	if (!q)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	q->cx = cx;
	q->id_k = q->url_k = -1;
	rc = cpq_open(&q->f, path, NULL, 0, creader_max_record(opt->max_record),
		      err);
	if (rc < 0)
		goto out;
	const char *one = opt->text_field && opt->text_field[0]
			  ? opt->text_field : "text";
	size_t nf = opt->ntext_fields ? opt->ntext_fields : 1;
	size_t used = 0;
	for (size_t i = 0; i < nf; i++) {
		const char *fld = opt->ntext_fields ? opt->text_fields[i] : one;
		/* several paths: one the file lacks gives nothing, as a JSON
		 * path that selects nothing; none at all is an error (below) */
		size_t got = cpq_select(q->f, fld, cols + n, PQR_MAX_COLS - n);
		/* a group gives its strings, as a JSON object does: not its
		 * numbers, nor a map's keys (object keys) */
		size_t kept = 0;
		for (size_t j = 0; j < got; j++)
			if (got == 1 ||
			    (!cpq_column_map_key(q->f, cols[n + j]) &&
			     cpq_column_type(q->f, cols[n + j]) == CPQ_BYTE_ARRAY))
				cols[n + kept++] = cols[n + j];
		if (kept && q->nfield < PQR_MAX_COLS) {
			q->fstart[q->nfield] = n;
			q->fcount[q->nfield++] = kept;
		}
		n += kept;
		int k = snprintf(q->fields + used, sizeof q->fields - used,
				 "%s'%s'", i ? ", " : "", fld);
		if (k > 0 && (size_t)k < sizeof q->fields - used)
			used += (size_t)k;
	}
	if (n == 0) {
		char names[512];
		cpq_names(q->f, names, sizeof names);
		rc = cerr_set(err, CONTAM_E_FORMAT, "'%s': no column %s "
			      "(columns: %s); name the text column with "
			      "--text-field", path, q->fields,
			      names[0] ? names : "none");
		goto out;
	}
	/* a corpus text is strings: a number column is no text (as a JSON
	 * number is not) */
	for (size_t i = 0; i < n; i++)
		if (cpq_column_type(q->f, cols[i]) != CPQ_BYTE_ARRAY) {
			rc = cerr_set(err, CONTAM_E_FORMAT, "'%s': column '%s' "
				      "is %s, not a string column (only "
				      "BYTE_ARRAY columns are read)", path,
				      cpq_column_path(q->f, cols[i]),
				      cpq_type_name(cpq_column_type(q->f, cols[i])));
			goto out;
		}
	q->ntext = n;
	q->id_k = extra_col(q, "id", cols, &n);
	q->url_k = extra_col(q, "url", cols, &n);
	if ((rc = cpq_rows_open(&q->rows, q->f, cols, n, err)) < 0)
		goto out;
	*state = q;
	q = NULL;
out:
	pqr_close(q);
	return rc;
}

/* Named .parquet; its content (the magic PAR1) is told apart before
 * any text rule, by creader_sniff_stream, and checked by this reader. */
static int pqr_by_name(const char *name, const char *bare)
{
	(void)bare;
	return cends_with(name, ".parquet");
}

const creader_ops creader_parquet_ops = {
	"parquet", pqr_open, pqr_next_doc, pqr_read_text, pqr_bytes_in,
	pqr_close, CONTAM_INPUT_PARQUET, "Parquet", pqr_by_name, NULL
};
