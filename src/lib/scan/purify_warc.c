/*
 * purify_warc.c -- the purified copy of a WARC/WET stream.
 *
 * Records are walked by the reader's own walker (cwarc_next in
 * reader_warc.c): the same header bound from --max-record, the same
 * Content-Length rules, the same resync after damage and the same
 * look-ahead buffer, which sees where the stream skipped a corrupt gzip
 * member.  So a record is met at the offset the scan gave it, and what
 * the reader skipped is what is left out here (listed as unread).
 * Records without a match are copied byte for byte, header and trailer
 * included; a conversion or resource record is cut (held whole, up to
 * --max-record), any other matched record is dropped.
 *
 * A gzip file of one member per record (as Common Crawl ships WET) goes
 * first through cpurify_warc_members, which keeps the compressed bytes
 * of every member without a match and rewrites only matched members.
 */
#include "purify.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The header block with every Content-Length set to the cut text's
 * length, the new body and the same trailer. */
static int write_record_cut(purifier *p, cscan_sink *out, const char *rec,
			    size_t hlen, const char *tail, size_t ntail)
{
	char num[32];
	int rc = 0;
	snprintf(num, sizeof num, "%zu", p->cut_text.len);
	const char *q = rec, *end = rec + hlen;
	while (q < end && !rc) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *e = nl ? nl + 1 : end;
		const char *v;
		size_t vn;
		if (cwarc_header_is(q, (size_t)((nl ? nl : end) - q), "Content-Length", &v, &vn)) {
			rc |= cscan_sink_write(out, q, (size_t)(v - q));
			rc |= cscan_sink_write(out, num, strlen(num));
			rc |= cscan_sink_write(out, v + vn, (size_t)(e - (v + vn)));
		} else {
			rc |= cscan_sink_write(out, q, (size_t)(e - q));
		}
		q = e;
	}
	rc |= cscan_sink_write(out, p->cut_text.data ? p->cut_text.data : "", p->cut_text.len);
	rc |= cscan_sink_write(out, tail, ntail);
	return rc ? cpurify_write_failed(p, out) : CONTAM_OK;
}

/* Why the reader skipped a run of bytes, as the manifest says it. */
static const char *warc_why(int why)
{
	switch (why) {
	case CWARC_WHY_NOT_RECORD: return "not a WARC record";
	case CWARC_WHY_HEADER: return "WARC header block too long or cut short";
	case CWARC_WHY_NO_LENGTH: return "missing Content-Length";
	case CWARC_WHY_TWO_LENGTHS: return "two different Content-Length headers";
	case CWARC_WHY_BAD_LENGTH: return "bad Content-Length";
	case CWARC_WHY_NO_TYPE: return "missing WARC-Type";
	case CWARC_WHY_DAMAGE: return "a record cut by damaged compressed data";
	default: return "bytes after damaged compressed data, up to the next record";
	}
}

/* A run of skipped bytes being gathered into one manifest line. */
typedef struct skip_run {
	int open, why;
	uint64_t offset, bytes;
} skip_run;

static int skip_flush(purifier *p, skip_run *r, const char *member)
{
	if (!r->open)
		return CONTAM_OK;
	r->open = 0;
	return cpurify_manifest_unread(p, member, r->offset, r->bytes, warc_why(r->why));
}

/* Up to four CR/LF after a record's body: its trailer, kept with it. */
static int record_tail(crin *in, size_t from, size_t *tail, cerr *err)
{
	int rc = 1;
	while (crin_avail(in) < from + 4 && rc == 1)
		if ((rc = crin_more(in, from + 4, err)) < 0)
			return rc;
	const char *t = in->buf + in->pos + from;
	*tail = 0;
	while (*tail < 4 && from + *tail < crin_avail(in) &&
	       (t[*tail] == '\r' || t[*tail] == '\n'))
		(*tail)++;
	return CONTAM_OK;
}

/* The records are walked by the reader's walker (cwarc_next): the same
 * header bound, Content-Length rules, resync and look-ahead, so a record
 * is met at the offset the scan gave it and what the reader skipped is
 * what is left out here. */
int cpurify_warc(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	creader_options ro = { .max_record = p->s->opt.max_record,
			       .fast = p->s->opt.fast };
	uint64_t errors = 0;
	creader_ctx cx = { p->f->path, &ro, &errors };
	cwarc w;
	cwarc_item it;
	skip_run run = { 0 };
	/* room to hold a record to be cut whole, with its trailer */
	int rc = cwarc_init(&w, s, &cx, p->max_record + 8, p->err);
	crin *in = &w.in;
	while (rc == CONTAM_OK) {
		if (cpurify_stopped(p)) {
			rc = cpurify_interrupted(p);
			break;
		}
		int got = cwarc_next(&w, &it, p->err);
		if (got < 0) {
			rc = got;
			break;
		}
		if (got == 0 || it.kind != CWARC_SKIP || !it.cont)
			if ((rc = skip_flush(p, &run, member)))
				break;
		if (got == 0)
			break;
		if (it.kind == CWARC_GAP) {
			/* the CR/LF between records, as they are */
			if (cscan_sink_write(out, it.p, it.n))
				rc = cpurify_write_failed(p, out);
			continue;
		}
		if (it.kind == CWARC_SKIP) {
			if (!run.open) {
				run.open = 1;
				run.why = it.why;
				run.offset = it.offset;
				run.bytes = 0;
			}
			run.bytes += it.n;
			continue;
		}
		const cwarc_header *h = &it.h;
		size_t hlen = it.hlen;
		const cscan_hitdoc *hd = cpurify_meet(p, member, it.offset);
		int action = KEEP;
		int cuttable = cwarc_type_is(h, "conversion") || cwarc_type_is(h, "resource");
		int held = 0;
		if (hd && p->s->opt.purify_mode == CONTAM_PURIFY_CUT && cuttable &&
		    h->length <= p->max_record) {
			/* held whole to be cut (with up to four CR/LF after it) */
			size_t need = hlen + (size_t)h->length;
			int mr = 1;
			while (crin_avail(in) < need + 4 && mr == 1)
				if ((mr = crin_more(in, need + 4, p->err)) < 0)
					break;
			if (mr < 0) {
				rc = mr;
				break;
			}
			if (crin_avail(in) < need && p->in_member) {
				rc = 1; /* PURIFY_FALLBACK: a record across members */
				break;
			}
			/* a record cut by damage goes the streaming way */
			held = crin_avail(in) >= need || !in->has_damage;
		}
		if (held) {
			const char *rec = in->buf + in->pos;
			size_t avail = crin_avail(in);
			size_t blen = avail - hlen < h->length ? avail - hlen : (size_t)h->length;
			size_t tail = 0;
			if ((rc = record_tail(in, hlen + blen, &tail, p->err)))
				break;
			rec = in->buf + in->pos;
			if ((rc = cpurify_decide(p, hd, rec + hlen, blen, NULL, &action)))
				break;
			if (action == KEEP && cscan_sink_write(out, rec, hlen + blen + tail))
				rc = cpurify_write_failed(p, out);
			else if (action == CUT)
				rc = write_record_cut(p, out, rec, hlen, rec + hlen + blen, tail);
			in->pos += hlen + blen + tail;
		} else {
			/* a response's regions are offsets into the text the
			 * reader extracted (HTTP headers stripped, HTML reduced
			 * to its visible text), not into the record: dropped */
			int response = cwarc_type_is(h, "response");
			if (hd && (rc = cpurify_decide(p, hd, NULL, 0, response ?
					       "match; a response record cannot be cut "
					       "(its offsets are in the extracted text)" :
					       !cuttable ?
					       "match; this record kind cannot be cut" :
					       "match; record too large to cut (over --max-record)",
					       &action)))
				break;
			cscan_sink *to = action == KEEP ? out : NULL;
			if (to && cscan_sink_write(to, it.p, hlen)) {
				rc = cpurify_write_failed(p, out);
				break;
			}
			cwarc_enter_body(&w, &it);
			const char *b;
			size_t n;
			int more;
			while ((more = cwarc_body(&w, &b, &n, 1u << 20, p->err)) == 1) {
				if (to && cscan_sink_write(to, b, n)) {
					more = cpurify_write_failed(p, out);
					break;
				}
				if (cpurify_stopped(p)) {
					more = cpurify_interrupted(p);
					break;
				}
			}
			if ((rc = more))
				break;
			if (w.body_short && p->in_member) {
				rc = 1; /* PURIFY_FALLBACK: a record across members */
				break;
			}
			/* the record's trailer; a body cut short is followed
			 * by what the walker resynchronizes on */
			size_t tail = 0;
			if (!w.body_short && (rc = record_tail(in, 0, &tail, p->err)))
				break;
			if (to && cscan_sink_write(to, in->buf + in->pos, tail))
				rc = cpurify_write_failed(p, out);
			in->pos += tail;
		}
		if (!rc && action != DROP && cscan_sink_end_member(out))
			rc = cpurify_write_failed(p, out);
	}
	w.in.s = NULL; /* the stream is the caller's */
	cwarc_release(&w);
	return rc;
}

int cpurify_warc_sound_member(const purifier *p, const char *d, size_t n)
{
	size_t lim = cwarc_max_header(p->s->opt.max_record), hlen = 0, line = 0;
	if (n < 5 || memcmp(d, "WARC/", 5) != 0)
		return 0;
	if (!cwarc_header_end(d, n < lim ? n : lim, &line, &hlen))
		return 0;
	cwarc_header h;
	cwarc_parse_header(d, hlen, &h);
	if (!h.has_length || h.bad_length || !h.type || h.length > n - hlen)
		return 0;
	for (size_t i = hlen + (size_t)h.length; i < n; i++)
		if (d[i] != '\r' && d[i] != '\n')
			return 0;
	return 1;
}

/* gzip WARC/WET, one member per record as Common Crawl ships them:
 * members without a match are copied as they are (compressed bytes
 * untouched), a member with one is decompressed, purified like any WARC
 * stream and compressed again as one member.  Anything unusual (not
 * gzip, damage, a member over MEMBER_MAX) returns PURIFY_FALLBACK before
 * anything is written, and the file goes the general way (cpurify_warc
 * on the decompressed stream).  A member is
 * copied as it is only when it holds one sound record (the header
 * parsed by the reader's rules, the body of its Content-Length, then
 * only CR/LF): anything else is parsed, so that what the reader skips is
 * left out here too. */
#define MEMBER_MAX (64u << 20)  /* this fast path's own memory bound: a
				   longer member goes the general way, which
				   holds at most --max-record */

int cpurify_warc_members(purifier *p)
{
	FILE *in = fopen(p->f->path, "rb");
	cscan_sink *out = NULL;
	cbuf comp = CBUF_INIT, plain = CBUF_INIT;
	unsigned char ibuf[1 << 16], obuf[1 << 16];
	z_stream z;
	int rc = CONTAM_OK, z_open = 0;
	uint64_t dstart = 0;
	assert(p->cursor == 0); /* a fallback starts the file again */

	if (!in)
		return PURIFY_FALLBACK;
	unsigned char magic[2];
	if (fread(magic, 1, 2, in) != 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		fclose(in);
		return PURIFY_FALLBACK;
	}
	rewind(in);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		fclose(in);
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	}
	z_open = 1;
	if ((rc = cscan_sink_open(&out, p->out_path, CSTREAM_PLAIN, p->err)))
		goto out;
	size_t have = 0, used = 0;
	int eof = 0;
	for (;;) {
		if (cpurify_stopped(p)) {
			rc = cpurify_interrupted(p);
			break;
		}
		if (used == have && !eof) {
			have = fread(ibuf, 1, sizeof ibuf, in);
			used = 0;
			eof = have == 0;
		}
		if (used == have && eof) {
			if (comp.len)  /* a member cut short */
				rc = PURIFY_FALLBACK;
			break;
		}
		z.next_in = ibuf + used;
		z.avail_in = (uInt)(have - used);
		z.next_out = obuf;
		z.avail_out = sizeof obuf;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t consumed = (have - used) - z.avail_in;
		if (cbuf_append(&comp, ibuf + used, consumed) ||
		    cbuf_append(&plain, obuf, sizeof obuf - z.avail_out)) {
			rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			break;
		}
		used += consumed;
		if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && !eof)) {
			rc = PURIFY_FALLBACK;
			break;
		}
		if (plain.len > MEMBER_MAX) {
			rc = PURIFY_FALLBACK;
			break;
		}
		if (zr != Z_STREAM_END)
			continue;
		/* one whole member: [dstart, dstart + plain.len) decompressed */
		/* hit documents are in offset order: the next one tells */
		int hit = cpurify_peek(p) && cpurify_peek(p)->offset < dstart + plain.len;
		if (!hit && cpurify_warc_sound_member(p, plain.data, plain.len)) {
			if (cscan_sink_write(out, comp.data, comp.len))
				rc = cpurify_write_failed(p, out);
		} else {
			char *mem = NULL;
			size_t memlen = 0;
			FILE *mf = fmemopen(plain.data, plain.len, "rb");
			FILE *of = open_memstream(&mem, &memlen);
			cstream *cs = NULL;
			cscan_sink *k = NULL;
			p->base = dstart;
			p->in_member = 1;
			if (!mf || !of) {
				if (mf)
					fclose(mf);
				rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			} else if (cstream_open_file(&cs, mf, p->f->path, 1,
						     p->s->opt.fast, p->err) ||
				   cscan_sink_open_stream(&k, of, CSTREAM_GZIP)) {
				rc = p->err->code ? p->err->code
						  : cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			} else {
				rc = cpurify_warc(p, cs, k, NULL);
				rc = rc ? rc : cscan_sink_close(k, p->err);
				if (rc)
					cscan_sink_abort(k);
				k = NULL;
			}
			cstream_free(cs);
			if (of)
				fclose(of);
			if (!rc && memlen && cscan_sink_write(out, mem, memlen))
				rc = cpurify_write_failed(p, out);
			free(mem);
			p->base = 0;
			p->in_member = 0;
		}
		if (rc)
			break;
		dstart += plain.len;
		cbuf_reset(&comp);
		cbuf_reset(&plain);
		inflateReset(&z);
	}
	if (rc == CONTAM_OK && p->cursor < p->f->ndocs)
		rc = PURIFY_FALLBACK;  /* documents where members were not */
out:
	if (rc == PURIFY_FALLBACK) {
		/* nothing written for real yet: undo (the manifest lines too)
		 * and let the caller redo */
		cscan_sink_abort(out);
		cpurify_restart(p);
	} else if (rc == CONTAM_OK) {
		rc = cscan_sink_close(out, p->err);
	} else {
		cscan_sink_abort(out);
	}
	if (z_open)
		inflateEnd(&z);
	cbuf_release(&comp);
	cbuf_release(&plain);
	fclose(in);
	return rc;
}
