/*
 * purify_text.c -- the purified copy of a plain text: one file (or
 * archive member) is one document, as reader_text.c reads it.
 *
 * The text is read as the reader reads it: straight from the stream, in
 * pieces of CREADER_PIECE bytes (UTF-16 already transcoded to the UTF-8
 * whose offsets the scan gave).  A text without a match is streamed
 * through.  A matched one is dropped, or in cut mode held whole to be
 * cut -- up to --max-record bytes (p->max_record, the readers' bound),
 * never more: a longer one is dropped, "too large to cut".  Damage the
 * stream skipped (a corrupt gzip member) is where the reader reported
 * it: the text goes on after it, as the same document, and the copy
 * lists the place in the manifest (unread, 0 bytes: the decompressed
 * size of what was lost is not known).
 */
#include "purify.h"

#include <stdlib.h>
#include <string.h>

/* Damage the stream skipped (a corrupt gzip member, a zstd frame) before
 * the text at offset `at`: the reader reported it and read on, so the
 * copy goes on too, but what was lost is listed, never left out
 * silently. */
static int damage_line(purifier *p, const char *member, uint64_t at)
{
	return cpurify_manifest_unread(p, member, at, 0, "damaged compressed data "
				       "skipped here (the text around it is kept)");
}

static int note_damage(purifier *p, cstream *s, const char *member, uint64_t at)
{
	char msg[CERR_MSG_MAX];
	return cstream_take_damage(s, msg, sizeof msg) > 0 ? damage_line(p, member, at)
							     : CONTAM_OK;
}

/* The rest of the stream into the copy, as it is; *at counts the text. */
static int copy_stream(purifier *p, cstream *s, cscan_sink *out, const char *member,
		       uint64_t *at)
{
	char buf[1 << 16];
	long n;
	int rc;
	while ((n = cstream_read(s, buf, sizeof buf, p->err)) > 0) {
		if ((rc = note_damage(p, s, member, *at)))
			return rc;
		*at += (uint64_t)n;
		if (cscan_sink_write(out, buf, (size_t)n))
			return cpurify_write_failed(p, out);
		if (cpurify_stopped(p))
			return cpurify_interrupted(p);
	}
	if (n < 0)
		return (int)n;
	return note_damage(p, s, member, *at);
}

/* The text's start, up to want bytes (fewer only at its end: *eof), in
 * a buffer that grows by doubling but never past want. */
typedef struct held_text {
	char *buf;
	size_t len, cap;
	int eof;
	int damaged;             /* the stream skipped damage in it ... */
	uint64_t damage_at;      /* ... first before this offset */
} held_text;

static int hold(purifier *p, cstream *s, held_text *h, size_t want)
{
	char msg[CERR_MSG_MAX];
	while (h->len < want && !h->eof) {
		if (h->len == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : CREADER_PIECE;
			if (cap > want)
				cap = want;
			char *b = realloc(h->buf, cap);
			if (!b)
				return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
			h->buf = b;
			h->cap = cap;
		}
		size_t room = h->cap - h->len;
		long n = cstream_read(s, h->buf + h->len,
				      room < CREADER_PIECE ? room : CREADER_PIECE, p->err);
		if (n < 0)
			return (int)n;
		if (cstream_take_damage(s, msg, sizeof msg) > 0 && !h->damaged++)
			h->damage_at = h->len;
		if (n == 0)
			h->eof = 1;
		h->len += (size_t)n;
		if (cpurify_stopped(p))
			return cpurify_interrupted(p);
	}
	return CONTAM_OK;
}

int cpurify_text(purifier *p, cstream *s, cscan_sink *out, const char *member)
{
	const cscan_hitdoc *hd = cpurify_meet(p, member, 0);
	held_text h = { 0 };
	uint64_t at = 0;
	int rc = CONTAM_OK, action = KEEP;
	int cut = p->s->opt.purify_mode == CONTAM_PURIFY_CUT;
	if (!hd)
		return copy_stream(p, s, out, member, &at);
	/* held whole to be cut: one byte past the bound tells it is longer */
	if (cut && (rc = hold(p, s, &h, p->max_record + 1)))
		goto out;
	at = h.len;
	if (cut && h.len <= p->max_record && h.eof)
		rc = cpurify_decide(p, hd, h.buf ? h.buf : "", (uint64_t)h.len, NULL, &action);
	else
		rc = cpurify_decide(p, hd, NULL, 0, "match; document too large to cut "
				    "(over --max-record)", &action);
	if (rc)
		goto out;
	/* damage in what is kept (not in a text dropped whole) */
	if (action != DROP && h.damaged && (rc = damage_line(p, member, h.damage_at)))
		goto out;
	if (action == KEEP) {
		/* every match ignored: the text as it is */
		if (h.len && cscan_sink_write(out, h.buf, h.len))
			rc = cpurify_write_failed(p, out);
		else if (!h.eof)
			rc = copy_stream(p, s, out, member, &at);
	} else if (action == CUT && cscan_sink_write(out, p->cut_text.data, p->cut_text.len)) {
		rc = cpurify_write_failed(p, out);
	}
out:
	free(h.buf);
	return rc;
}
