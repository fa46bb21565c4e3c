/*
 * scan_purify.c -- the decontaminated copy: every corpus file rewritten
 * under the purify directory in the same format and compression, with
 * matched documents dropped (drop) or their matched regions cut out
 * (cut), plus purify-manifest.jsonl saying what was removed and why.
 *
 * Why a second pass per file rather than writing during the scan: a
 * match is only known to count once every n-gram's document frequency is
 * known (--max-doc-freq), and hit documents are rare, so the second pass
 * mostly copies.  Documents are found again by their provenance, in the
 * reader's order: (archive entry number, decompressed offset of the
 * record) -- the entry number, not the member name, as two members may
 * share a name.  Records without a match are copied byte for byte (a
 * JSONL line, a WARC record with its header); only matched documents are
 * re-encoded.  A file with nothing to remove is copied as it is; in a
 * gzip WARC/WET file (one member per record, as Common Crawl ships them)
 * members holding one sound record without a match keep even their
 * compressed bytes, and a rewritten record is a member of its own.  Other
 * compressed files are compressed again (same codec; archives with the
 * same libarchive format and filter, or refused when it cannot be
 * written back).
 *
 * The copy holds only what the scan read.  A record the reader skipped
 * as damaged -- a JSONL line longer than --max-record, a WARC record
 * whose header block is too long or whose Content-Length is missing, bad
 * or given twice with different values, bytes between WARC records -- is
 * left out of the copy and listed in the manifest ("action": "drop",
 * "reason" says why), counted as unread.  WARC records are walked by the
 * reader's own walker (cwarc_next) and JSON lines split by its own
 * splitter (cjsonl_next_line), both through the reader's look-ahead, so
 * the two sides cannot disagree on where a record starts or ends.
 *
 * Memory is bounded: bodies and lines are streamed; only a record to be
 * cut is held whole, and one over --max-record is dropped rather than
 * cut ("too large to cut").  Archive members are streamed from
 * libarchive and their purified data spooled to an unlinked file in the
 * purify directory (a tar header needs the size first).
 *
 * Cut mode follows GPT-3: each kept match plus `cut_margin` characters
 * on each side is removed; the remaining pieces are joined by newlines
 * (so no token forms across a cut), and a document cut into more than
 * `cut_max_pieces` pieces is dropped whole.  A match ignored by
 * --max-doc-freq is not a match here either.
 *
 * This file is the driver: the hit documents met in order, the
 * decisions (drop, cut), the manifest, the checks before anything is
 * written and the table of writers.  Each format's writer sits beside
 * its reader and walks the input with the reader's own walker:
 * purify_warc.c (WARC/WET, plain, gzip -- one member per record -- or
 * zstd), purify_jsonl.c (JSONL, plain, gzip, zstd), purify_text.c (plain
 * text) and purify_archive.c (tar/zip archives of those, same format and
 * filter).  They are registered in purify_writers, one line per input
 * kind; a kind without one is refused before anything is written, never
 * rewritten as plain text.
 */
#include "purify.h"
#include "../common/stream.h"
#include "../reader/reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>


/* The next hit document not met yet, or NULL. */
const cscan_hitdoc *cpurify_peek(const purifier *p)
{
	return p->have_next ? &p->slot[p->next_slot] : NULL;
}

static void load_next(purifier *p)
{
	cscan_hitdoc *n = &p->slot[p->next_slot];
	int rc = p->iter_rc ? 0 : cscan_hits_next(&p->it, n, p->err);
	p->have_next = rc == 1;
	if (rc < 0)
		p->iter_rc = rc;
}

static void hits_start(purifier *p)
{
	cscan_hits_open(&p->it, p->s, p->f);
	p->next_slot = 0;
	p->cursor = 0;
	load_next(p);
}

static void hits_end(purifier *p)
{
	if (p->have_next)
		cscan_hitdoc_release(&p->slot[p->next_slot]);
	if (p->have_cur)
		cscan_hitdoc_release(&p->slot[p->next_slot ^ 1]);
	p->have_next = p->have_cur = 0;
	cscan_hits_close(&p->it);
}

/* The next one becomes the one met. */
static const cscan_hitdoc *advance(purifier *p)
{
	if (p->have_cur)
		cscan_hitdoc_release(&p->slot[p->next_slot ^ 1]);
	p->have_cur = p->have_next;
	p->next_slot ^= 1;
	p->cursor++;
	load_next(p);
	return &p->slot[p->next_slot ^ 1];
}

/* The hit document at (member, offset), if it is the next one; in an
 * archive, of the entry being purified (p->entry). */
const cscan_hitdoc *cpurify_meet(purifier *p, const char *member, uint64_t offset)
{
	const cscan_hitdoc *hd = cpurify_peek(p);
	if (!hd || hd->offset != p->base + offset)
		return NULL;
	if ((hd->member == NULL) != (member == NULL) ||
	    (member && hd->entry != p->entry))
		return NULL;
	return advance(p);
}

int cpurify_stopped(const purifier *p)
{
	return p->s->opt.stop && *p->s->opt.stop;
}

int cpurify_interrupted(purifier *p)
{
	return cerr_set(p->err, CONTAM_E_INTERRUPTED, "interrupted");
}

int cpurify_write_failed(purifier *p, const cscan_sink *k)
{
	return cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s", p->out_path,
			cscan_sink_strerror(k));
}

static int mkdirs(const char *path)
{
	char *d = cstrdup(path);
	if (!d)
		return -1;
	for (char *q = d + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(d, 0777) && errno != EEXIST) {
			free(d);
			return -1;
		}
		*q = '/';
	}
	free(d);
	return 0;
}

/* OUTDIR/path, with a leading '/' dropped and ".." made harmless. */
static char *out_name(const char *dir, const char *path)
{
	cbuf b = CBUF_INIT;
	int rc = cbuf_printf(&b, "%s/", dir);
	const char *s = path;
	while (*s == '/')
		s++;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			rc |= cbuf_append(&b, "__", 2);
		else if (!(n == 1 && s[0] == '.') && n)
			rc |= cbuf_append(&b, s, n);
		if (e && n && !(n == 1 && s[0] == '.'))
			rc |= cbuf_putc(&b, '/');
		s = e ? e + 1 : s + n;
	}
	if (rc) {
		cbuf_release(&b);
		return NULL;
	}
	return cbuf_detach(&b, NULL);
}

/* ---- the manifest, spilled ------------------------------------------ */

/* Each file's manifest lines go, through a stdio FILE, to chunks of one
 * unlinked file in the purify directory (space for them reserved with an
 * atomic add, so files purified in parallel write without a lock);
 * cscan_purify_finish() copies them out in input order.  Memory: one
 * chunk per file in flight, whatever the number of matches. */
typedef struct mspill {
	contam_scan *s;
	cscan_purified *res;
	cbuf buf;
	int errnum;
} mspill;

static int mspill_flush(mspill *m)
{
	if (!m->buf.len || m->errnum)
		return m->errnum ? -1 : 0;
	cscan_purified *r = m->res;
	if (r->nchunks == r->cap_chunks) {
		size_t cap = r->cap_chunks ? r->cap_chunks * 2 : 4;
		cscan_chunk *c = realloc(r->chunks, cap * sizeof(*c));
		if (!c) {
			m->errnum = ENOMEM;
			return -1;
		}
		r->chunks = c;
		r->cap_chunks = cap;
	}
	uint64_t at = __atomic_fetch_add(&m->s->mspill_end, (uint64_t)m->buf.len,
					 __ATOMIC_RELAXED);
	for (size_t done = 0; done < m->buf.len;) {
		ssize_t n = pwrite(m->s->mspill_fd, m->buf.data + done, m->buf.len - done,
				   (off_t)(at + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			m->errnum = n < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)n;
	}
	r->chunks[r->nchunks++] = (cscan_chunk){ at, m->buf.len, 0 };
	cbuf_reset(&m->buf);
	return 0;
}

static ssize_t mspill_write(void *cookie, const char *data, size_t n)
{
	mspill *m = cookie;
	if (m->errnum)
		return -1;
	if (cbuf_append(&m->buf, data, n)) {
		m->errnum = ENOMEM;
		return -1;
	}
	if (m->buf.len >= CSCAN_CHUNK && mspill_flush(m))
		return -1;
	return (ssize_t)n;
}

static int mspill_close(void *cookie)
{
	mspill *m = cookie;
	int rc = mspill_flush(m);
	cbuf_release(&m->buf);
	return rc;
}

/* Forget what this file wrote so far (its chunks stay unused). */
static void mspill_discard(mspill *m)
{
	cbuf_reset(&m->buf);
	m->res->nchunks = 0;
}

void cpurify_restart(purifier *p)
{
	hits_end(p);
	hits_start(p);
	p->dropped = p->cut = p->regions = p->unread = 0;
	fflush(p->manifest);
	mspill_discard(p->mspill);
	cerr_clear(p->err);
}

/* ---- decisions ---------------------------------------------------- */

typedef struct range { uint64_t start, end; } range;

static int cmp_range(const void *a, const void *b)
{
	const range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Move back / forward by `chars` UTF-8 characters. */
static uint64_t back_chars(const char *t, uint64_t i, uint32_t chars)
{
	while (i > 0 && chars > 0) {
		i--;
		if (((unsigned char)t[i] & 0xC0) != 0x80)
			chars--;
	}
	while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static uint64_t fwd_chars(const char *t, uint64_t len, uint64_t i, uint32_t chars)
{
	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

static int only_space(const char *t, uint64_t a, uint64_t b)
{
	for (uint64_t i = a; i < b; i++)
		if (!strchr(" \t\r\n\f\v", t[i]))
			return 0;
	return 1;
}

static int manifest_line(purifier *p, const cscan_hitdoc *hd, int action,
			 const char *why, const range *rs, size_t nr, size_t pieces)
{
	cbuf b = CBUF_INIT;
	int rc = cbuf_printf(&b, "{\"file\": ");
	rc |= cbuf_json_string(&b, p->f->path, strlen(p->f->path));
	rc |= cbuf_printf(&b, ", \"output\": ");
	rc |= cbuf_json_string(&b, p->out_path, strlen(p->out_path));
	rc |= cbuf_printf(&b, ", \"member\": ");
	rc |= hd->member ? cbuf_json_string(&b, hd->member, strlen(hd->member))
			 : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"record\": %" PRIu64 ", \"offset\": %" PRIu64
			  ", \"url\": ", hd->record, hd->offset);
	rc |= hd->url ? cbuf_json_string(&b, hd->url, strlen(hd->url)) : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"id\": ");
	rc |= hd->id ? cbuf_json_string(&b, hd->id, strlen(hd->id)) : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"action\": \"%s\", \"reason\": \"%s\", \"pieces\": %zu"
			  ", \"removed\": [", action == CUT ? "cut" : "drop", why, pieces);
	for (size_t i = 0; i < nr; i++)
		rc |= cbuf_printf(&b, "%s[%" PRIu64 ", %" PRIu64 "]", i ? ", " : "",
				  rs[i].start, rs[i].end);
	rc |= cbuf_printf(&b, "], \"examples\": [");
	/* the distinct examples of the kept chains (a bit per example when
	 * there are many: a document matching 100k examples was quadratic) */
	size_t shown = 0;
	unsigned char *exbits = NULL;
	if (!rc && hd->nchains > 64 && !(exbits = calloc(p->s->set.nexamples / 8 + 1, 1)))
		rc = CONTAM_E_NOMEM;
	for (size_t i = 0; i < hd->nchains && !rc; i++) {
		const cscan_chain *c = &hd->chains[i];
		if (!cscan_chain_kept(p->s, c))
			continue;
		int seen = 0;
		if (exbits) {
			seen = exbits[c->ex / 8] >> (c->ex % 8) & 1;
			exbits[c->ex / 8] |= (unsigned char)(1u << (c->ex % 8));
		}
		for (size_t j = 0; !exbits && j < i && !seen; j++)
			seen = hd->chains[j].ex == c->ex && cscan_chain_kept(p->s, &hd->chains[j]);
		if (seen)
			continue;
		const contam_example *e = &p->s->set.examples[c->ex];
		rc |= cbuf_printf(&b, "%s{\"benchmark\": ", shown++ ? ", " : "");
		rc |= cbuf_json_string(&b, e->benchmark, strlen(e->benchmark));
		rc |= cbuf_printf(&b, ", \"source\": ");
		rc |= cbuf_json_string(&b, e->source, strlen(e->source));
		rc |= cbuf_printf(&b, ", \"record\": %" PRIu64 "}", e->record);
	}
	free(exbits);
	rc |= cbuf_printf(&b, "]}\n");
	if (!rc && fwrite(b.data, 1, b.len, p->manifest) != b.len)
		rc = CONTAM_E_IO;
	cbuf_release(&b);
	if (rc)
		return cerr_set(p->err, rc == CONTAM_E_IO ? CONTAM_E_IO : CONTAM_E_NOMEM,
				"cannot write the purify manifest");
	return CONTAM_OK;
}

/* A record the scan did not read (the reader skipped it as damaged):
 * left out of the copy, one manifest line, counted. */
int cpurify_manifest_left_out(purifier *p, const char *member, uint64_t offset,
			      uint64_t bytes, int unread, const char *why)
{
	cbuf b = CBUF_INIT;
	int rc = cbuf_printf(&b, "{\"file\": ");
	rc |= cbuf_json_string(&b, p->f->path, strlen(p->f->path));
	rc |= cbuf_printf(&b, ", \"output\": ");
	rc |= cbuf_json_string(&b, p->out_path, strlen(p->out_path));
	rc |= cbuf_printf(&b, ", \"member\": ");
	rc |= member ? cbuf_json_string(&b, member, strlen(member)) : cbuf_printf(&b, "null");
	rc |= cbuf_printf(&b, ", \"record\": null, \"offset\": %" PRIu64
			  ", \"bytes\": %" PRIu64 ", \"action\": \"drop\", \"reason\": "
			  "\"%s%s\"}\n", p->base + offset, bytes, unread ? "unread: " : "", why);
	if (!rc && fwrite(b.data, 1, b.len, p->manifest) != b.len)
		rc = CONTAM_E_IO;
	cbuf_release(&b);
	p->unread += unread != 0;
	if (rc)
		return cerr_set(p->err, CONTAM_E_NOMEM, "cannot write the purify manifest");
	return CONTAM_OK;
}

int cpurify_manifest_unread(purifier *p, const char *member, uint64_t offset,
			   uint64_t bytes, const char *why)
{
	return cpurify_manifest_left_out(p, member, offset, bytes, 1, why);
}

/* What to do with a hit document whose text is text[0..len) (NULL when
 * the caller cannot cut: then cut mode drops, saying `nocut`).  For CUT, p->cut_text holds
 * the new text. */
int cpurify_decide(purifier *p, const cscan_hitdoc *hd, const char *text,
		  uint64_t len, const char *nocut, int *action)
{
	const contam_scan_options *o = &p->s->opt;
	range *rs = NULL;
	size_t nr = 0;
	int rc = CONTAM_OK;

	*action = KEEP;
	if (!hd)
		return CONTAM_OK;
	rs = malloc((hd->nchains ? hd->nchains : 1) * sizeof(*rs));
	if (!rs)
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	for (size_t i = 0; i < hd->nchains; i++)
		if (cscan_chain_kept(p->s, &hd->chains[i]))
			rs[nr++] = (range){ hd->chains[i].start, hd->chains[i].end };
	if (!nr)
		goto out;
	if (o->purify_mode != CONTAM_PURIFY_CUT || !text) {
		*action = DROP;
		p->dropped++;
		rc = manifest_line(p, hd, DROP, o->purify_mode == CONTAM_PURIFY_CUT ?
				   nocut : "match", rs, nr, 0);
		goto out;
	}
	/* widen by the margin, merge */
	for (size_t i = 0; i < nr; i++) {
		if (rs[i].end > len)
			rs[i].end = len;
		if (rs[i].start > rs[i].end)
			rs[i].start = rs[i].end;
		rs[i].start = back_chars(text, rs[i].start, o->cut_margin);
		rs[i].end = fwd_chars(text, len, rs[i].end, o->cut_margin);
	}
	qsort(rs, nr, sizeof(*rs), cmp_range);
	size_t m = 0;
	for (size_t i = 0; i < nr; i++) {
		if (m && rs[i].start <= rs[m - 1].end) {
			if (rs[i].end > rs[m - 1].end)
				rs[m - 1].end = rs[i].end;
		} else {
			rs[m++] = rs[i];
		}
	}
	nr = m;
	size_t pieces = 0;
	uint64_t at = 0;
	cbuf_reset(&p->cut_text);
	for (size_t i = 0; i <= nr; i++) {
		uint64_t e = i < nr ? rs[i].start : len;
		if (e > at && !only_space(text, at, e)) {
			if (pieces && cbuf_putc(&p->cut_text, '\n'))
				rc = CONTAM_E_NOMEM;
			if (cbuf_append(&p->cut_text, text + at, (size_t)(e - at)))
				rc = CONTAM_E_NOMEM;
			pieces++;
		}
		if (i < nr)
			at = rs[i].end;
	}
	if (rc) {
		rc = cerr_set(p->err, rc, "out of memory");
		goto out;
	}
	if (pieces == 0 || pieces > o->cut_max_pieces) {
		*action = DROP;
		p->dropped++;
		rc = manifest_line(p, hd, DROP, pieces ? "cut into too many pieces"
				   : "nothing left after cutting", rs, nr, pieces);
		goto out;
	}
	*action = CUT;
	p->cut++;
	p->regions += nr;
	rc = manifest_line(p, hd, CUT, "match", rs, nr, pieces);
out:
	free(rs);
	return rc;
}

/* ---- the writers, one per input kind -------------------------------- */

/* How each kind is written back, one line per kind: a stream writer
 * (the decompressed input in, the copy out; also what an archive member
 * of that kind goes through) and/or a whole-file one, tried first (it
 * may answer PURIFY_FALLBACK: then the stream writer does the file), and
 * the writer's check of an input before anything is written.
 * Each writer sits beside its reader (purify_<kind>.c next to
 * reader_<kind>.c) and walks the input with the reader's own walker.  A
 * kind without an entry has no writer: purify refuses it (purify_refuse,
 * cpurify_stream) rather than rewrite it as something else. */
typedef struct purify_writer {
	contam_input_kind kind;
	int (*stream)(purifier *p, cstream *s, cscan_sink *out, const char *member);
	int (*file)(purifier *p);
	/* before anything is written: refuse an input of this kind that
	 * the writer cannot write back (NULL: none is refused) */
	int (*check)(const contam_scan *s, const char *path, cerr *err);
} purify_writer;

static const purify_writer purify_writers[] = {
	{ CONTAM_INPUT_WARC, cpurify_warc, cpurify_warc_members, NULL },
	{ CONTAM_INPUT_JSONL, cpurify_jsonl, NULL, cpurify_jsonl_check },
	{ CONTAM_INPUT_TEXT, cpurify_text, NULL, NULL },
	{ CONTAM_INPUT_ARCHIVE, NULL, cpurify_archive, NULL },
};

static const purify_writer *writer_for(contam_input_kind kind)
{
	for (size_t i = 0; i < sizeof purify_writers / sizeof *purify_writers; i++)
		if (purify_writers[i].kind == kind)
			return &purify_writers[i];
	return NULL;
}

/* A kind without a writer, refused: the file, what it holds and its
 * kind name. */
static int no_writer(cerr *err, const char *path, const char *member,
		     contam_input_kind kind)
{
	const char *what = kind == CONTAM_INPUT_MEDIAWIKI ? "a MediaWiki XML dump" :
			   kind == CONTAM_INPUT_WIKIDOC ?
			   "a WikiExtractor file (<doc> blocks)" :
			   kind == CONTAM_INPUT_PARQUET ?
			   "a Parquet file (contam reads Parquet, it writes no "
			   "Parquet)" : "an input";
	return cerr_set(err, CONTAM_E_FORMAT, "purify: '%s'%s%s%s is %s of kind "
			"'%s', which --purify cannot write back (no purify "
			"writer for it); scan it without --purify", path,
			member ? ": member '" : "", member ? member : "",
			member ? "'" : "", what, contam_input_kind_name(kind));
}

int cpurify_stream(purifier *p, contam_input_kind kind, cstream *s,
		   cscan_sink *out, const char *member)
{
	const purify_writer *w = writer_for(kind);
	if (!w || !w->stream)
		return no_writer(p->err, p->f->path, member, kind);
	return w->stream(p, s, out, member);
}

/* ---- driver ----------------------------------------------------------- */

/* A file with nothing to remove is copied byte for byte. */
static int copy_file(purifier *p)
{
	char buf[1 << 16];
	FILE *in = fopen(p->f->path, "rb");
	cscan_sink *k = NULL;
	size_t n;
	int rc;
	if (!in)
		return cerr_set(p->err, CONTAM_E_IO, "cannot open '%s': %s",
				p->f->path, strerror(errno));
	if ((rc = cscan_sink_open(&k, p->out_path, CSTREAM_PLAIN, p->err))) {
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		if (cscan_sink_write(k, buf, n)) {
			rc = cpurify_write_failed(p, k);
			break;
		}
		if (cpurify_stopped(p)) {
			rc = cpurify_interrupted(p);
			break;
		}
	}
	if (!rc && ferror(in))
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot read '%s': %s",
			      p->f->path, strerror(errno));
	if (rc) {
		cscan_sink_abort(k);
	} else {
		rc = cscan_sink_close(k, p->err);
	}
	fclose(in);
	return rc;
}

static int purify_file(purifier *p)
{
	cstream *s = NULL;
	cscan_sink *k = NULL;
	int rc, any = 0;

	/* the readers' bound (reader_jsonl.c, reader_warc.c) */
	p->max_record = creader_line_max(p->s->opt.max_record);

	if (mkdirs(p->out_path))
		return cerr_set(p->err, CONTAM_E_IO, "cannot create the directory of '%s': %s",
				p->out_path, strerror(errno));
	cscan_hits it;
	cscan_hitdoc hd;
	cscan_hits_open(&it, p->s, p->f);
	while (!any && (rc = cscan_hits_next(&it, &hd, p->err)) == 1) {
		for (size_t j = 0; j < hd.nchains && !any; j++)
			any = cscan_chain_kept(p->s, &hd.chains[j]);
		cscan_hitdoc_release(&hd);
	}
	cscan_hits_close(&it);
	if (rc < 0)
		return rc;
	if (!any && !p->f->errors) {
		/* every match is ignored: the documents stay, as they are */
		p->cursor = p->f->ndocs;
		return copy_file(p);
	}
	const purify_writer *w = writer_for(p->f->kind);
	if (w && w->file && (rc = w->file(p)) != PURIFY_FALLBACK)
		return rc;
	if ((rc = cstream_open_wait(&s, p->f->path, p->s->opt.fast, NULL, p->err)))
		return rc;
	/* read as the reader read it (reader.c): UTF-16 content is
	 * transcoded to UTF-8, the text whose offsets the scan gave; the
	 * copy is that text */
	const char *base = strrchr(p->f->path, '/');
	contam_input_kind sk;
	char note[CERR_MSG_MAX];
	if ((rc = creader_sniff_stream(s, p->f->path, creader_detect_name(base ? base + 1 : p->f->path),
				       &sk, note, sizeof note, p->err)) < 0)
		goto out;
	if ((rc = cscan_sink_open(&k, p->out_path, cstream_get_codec(s), p->err)))
		goto out;
	rc = cpurify_stream(p, p->f->kind, s, k, NULL);
	if (!rc) {
		rc = cscan_sink_close(k, p->err);
		k = NULL;
	}
out:
	cscan_sink_abort(k);
	cstream_free(s);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct file_id { dev_t dev; ino_t ino; size_t input; } file_id;

static int cmp_file_id(const void *a, const void *b)
{
	const file_id *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The input that is the file at `path` (same device and inode), if any. */
static const file_id *input_at(const file_id *ids, size_t n, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return NULL;
	file_id key = { st.st_dev, st.st_ino, 0 };
	return bsearch(&key, ids, n, sizeof(*ids), cmp_file_id);
}

/* Formats purify cannot write back are refused before anything is
 * written: a kind without a writer (a MediaWiki dump, a WikiExtractor
 * file), and what a writer's own check refuses (purify_jsonl.c: a
 * whole-file JSON, a --text-field path). */
static int purify_refuse(contam_scan *s, cerr *err)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		const char *path = s->files[i].path;
		contam_input_kind kind = creader_detect(path);
		/* what neither name nor content places, the reader reads as
		 * text (creader_open) */
		const purify_writer *w = writer_for(kind == CONTAM_INPUT_UNKNOWN ?
						    CONTAM_INPUT_TEXT : kind);
		if (!w)
			return no_writer(err, path, NULL, kind);
		int rc = w->check ? w->check(s, path, err) : CONTAM_OK;
		if (rc)
			return rc;
	}
	return CONTAM_OK;
}

/* Before anything is written: refuse when a copy (or the manifest)
 * would be written over any input -- its own or another one that lives
 * under the purify directory, by name or through a link -- or two
 * inputs would be written to one output (the same file given twice,
 * "a/x" and "./a/x"). */
int cscan_purify_prepare(contam_scan *s, cerr *err)
{
	size_t nf = s->nfiles;
	char **names = calloc(nf ? nf : 1, sizeof(*names));
	file_id *ids = calloc(nf ? nf : 1, sizeof(*ids));
	char *mpath = NULL;
	size_t nids = 0;
	int rc = CONTAM_OK;
	if (!names || !ids) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = purify_refuse(s, err)))
		goto out;
	if (mkdir(s->opt.purify_dir, 0777) && errno != EEXIST) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s",
			      s->opt.purify_dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < nf; i++) {
		struct stat st;
		if (stat(s->files[i].path, &st) == 0)
			ids[nids++] = (file_id){ st.st_dev, st.st_ino, i };
	}
	qsort(ids, nids, sizeof(*ids), cmp_file_id);
	for (size_t i = 0; i < nf; i++) {
		if (!(names[i] = out_name(s->opt.purify_dir, s->files[i].path))) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		const file_id *in = input_at(ids, nids, names[i]);
		if (in && in->input == i) {
			rc = cerr_set(err, CONTAM_E_PARAM, "purify: the copy of '%s' would "
				      "overwrite it; choose another --purify directory",
				      s->files[i].path);
			goto out;
		}
		if (in) {
			int same = !strcmp(names[i], s->files[in->input].path);
			rc = cerr_set(err, CONTAM_E_PARAM, "purify: the copy of '%s' would be "
				      "written over the input '%s'%s%s%s; choose a --purify "
				      "directory that holds no input", s->files[i].path,
				      s->files[in->input].path, same ? "" : " (as '",
				      same ? "" : names[i], same ? "" : "')");
			goto out;
		}
	}
	size_t n = strlen(s->opt.purify_dir) + 32;
	if (!(mpath = malloc(n))) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(mpath, n, "%s/purify-manifest.jsonl", s->opt.purify_dir);
	const file_id *in = input_at(ids, nids, mpath);
	if (in) {
		rc = cerr_set(err, CONTAM_E_PARAM, "purify: the manifest '%s' would be "
			      "written over the input '%s'; choose another --purify "
			      "directory", mpath, s->files[in->input].path);
		goto out;
	}
	qsort(names, nf, sizeof(*names), cmp_str);
	for (size_t i = 1; i < nf; i++)
		if (!strcmp(names[i], names[i - 1])) {
			rc = cerr_set(err, CONTAM_E_PARAM, "purify: two inputs would both be "
				      "written to '%s' (an input given twice?)", names[i]);
			goto out;
		}
	/* the manifest's spill, unlinked at once */
	snprintf(mpath, n, "%s/.purify-manifest.XXXXXX", s->opt.purify_dir);
	if ((s->mspill_fd = mkstemp(mpath)) < 0) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create a file in '%s': %s",
			      s->opt.purify_dir, strerror(errno));
		goto out;
	}
	unlink(mpath);
out:
	for (size_t i = 0; names && i < nf; i++)
		free(names[i]);
	free(names);
	free(ids);
	free(mpath);
	return rc;
}

/* After a failed or interrupted run: the copies already finished are
 * removed, so that a purify directory never holds part of a copy without
 * saying so (the manifest is written last, only after every file). */
void cscan_purify_undo(contam_scan *s, const cscan_purified *res)
{
	const size_t top = strlen(s->opt.purify_dir);
	for (size_t i = 0; i < s->nfiles; i++) {
		char *o = out_name(s->opt.purify_dir, s->files[i].path);
		if (!o)
			continue;
		if (res[i].written)
			unlink(o);
		/* and the directories made for it, now empty (rmdir leaves
		 * one that holds anything), up to the purify directory */
		for (char *q = strrchr(o, '/'); q && (size_t)(q - o) > top; q = strrchr(o, '/')) {
			*q = '\0';
			if (rmdir(o) != 0)
				break;
		}
		free(o);
	}
}

int cscan_purify_one(contam_scan *s, size_t i, cscan_purified *res, cerr *err)
{
	purifier p;
	int rc = CONTAM_OK;

	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	p.s = s;
	p.err = err;
	p.f = &s->files[i];
	char *o = out_name(s->opt.purify_dir, p.f->path);
	mspill ms = { s, res, CBUF_INIT, 0 };
	cookie_io_functions_t io = { NULL, mspill_write, NULL, mspill_close };
	if (!o || !(p.manifest = fopencookie(&ms, "w", io))) {
		free(o);
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	}
	p.mspill = &ms;
	p.out_path = o;
	hits_start(&p);
	rc = purify_file(&p);
	res->written = rc == CONTAM_OK; /* the copy is in place: undo removes it */
	if (!rc && p.iter_rc)
		rc = p.iter_rc;
	if (!rc && p.cursor < p.f->ndocs) {
		/* the reader found documents this pass did not: never claim a
		 * clean copy that is not */
		const cscan_hitdoc *hd = cpurify_peek(&p);
		rc = cerr_set(err, CONTAM_E_FORMAT, "purify: '%s': %zu matched "
			      "documents could not be located (record %" PRIu64
			      " at offset %" PRIu64 ")", p.f->path,
			      p.f->ndocs - p.cursor, hd ? hd->record : 0,
			      hd ? hd->offset : 0);
	}
	hits_end(&p);
	if (fclose(p.manifest) && !rc)
		rc = cerr_set(err, CONTAM_E_IO, "cannot write the purify manifest: %s",
			      strerror(ms.errnum ? ms.errnum : EIO));
	res->dropped = p.dropped;
	res->cut = p.cut;
	res->regions = p.regions;
	res->unread = p.unread;
	cbuf_release(&p.cut_text);
	free(o);
	return rc;
}

int cscan_purify_finish(contam_scan *s, cscan_purified *res, cerr *err)
{
	size_t n = strlen(s->opt.purify_dir) + 32;
	char *mpath = malloc(n);
	int rc = CONTAM_OK;
	if (!mpath)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	snprintf(mpath, n, "%s/purify-manifest.jsonl", s->opt.purify_dir);
	FILE *m = fopen(mpath, "w");
	if (!m) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot create '%s': %s", mpath, strerror(errno));
		goto out;
	}
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		for (size_t c = 0; c < res[i].nchunks && !rc; c++) {
			const cscan_chunk *ch = &res[i].chunks[c];
			if (ch->len > cap) {
				char *b = realloc(buf, ch->len);
				if (!b) {
					rc = CONTAM_E_NOMEM;
					errno = ENOMEM;
					break;
				}
				buf = b;
				cap = ch->len;
			}
			if (pread(s->mspill_fd, buf, ch->len, (off_t)ch->off) != (ssize_t)ch->len ||
			    fwrite(buf, 1, ch->len, m) != ch->len)
				rc = CONTAM_E_IO;
		}
		s->stats.dropped_documents += res[i].dropped;
		s->stats.cut_documents += res[i].cut;
		s->stats.cut_regions += res[i].regions;
		s->stats.purify_unread += res[i].unread;
		s->stats.purified_files++;
	}
	free(buf);
	int e = rc ? errno : 0;
	if (fclose(m) && !rc) {
		rc = CONTAM_E_IO;
		e = errno;
	}
	if (rc) {
		unlink(mpath);
		cerr_set(err, rc, "cannot write '%s': %s", mpath, strerror(e ? e : EIO));
	}
out:
	free(mpath);
	return rc;
}
