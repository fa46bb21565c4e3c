/*
 * scan_hits.c -- the hit documents, kept on disk rather than in memory.
 *
 * Why: hit records can only be written once the scan is over (a match
 * counts only when every n-gram's document frequency is known), and a
 * boilerplate phrase can match millions of documents; kept in memory they
 * cost ~300 bytes each, without bound.  So each file task serializes its
 * hit documents, in reader order, into chunks of about CSCAN_CHUNK bytes
 * appended to one unlinked spill file (in $TMPDIR, else /tmp); the file
 * keeps the list of its chunks.  After the scan, the hit records, the
 * report's provenance and the purified copy read them back, file by file
 * and in order, with cscan_hits_next(): memory is one chunk per reader.
 *
 * A chunk is a sequence of records, native byte order (the file lives
 * only as long as the scan):
 *
 *     u64 entry, record, offset, bytes, tokens
 *     u32 member_len, url_len, id_len     (UINT32_MAX: NULL)
 *     u32 nchains, nregions
 *     member, url, id bytes
 *     nchains x cscan_chain
 *     nregions x { u64 start, end, tok_start, tok_end; u32 first, nchains,
 *                  snippet_len (UINT32_MAX: NULL); snippet bytes }
 */
#include "scan.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define NOSTR UINT32_MAX

static int put_str(cbuf *b, const char *s, size_t *len)
{
	*len = s ? strlen(s) : 0;
	return s ? cbuf_append(b, s, *len) : 0;
}

int cscan_hitdoc_pack(cbuf *b, const cscan_hitdoc *hd)
{
	size_t ml, ul, il;
	uint64_t head[5] = { hd->entry, hd->record, hd->offset, hd->bytes, hd->tokens };
	int rc = cbuf_append(b, head, sizeof head);
	size_t at = b->len;
	uint32_t lens[5] = { 0 };
	rc |= cbuf_append(b, lens, sizeof lens);
	rc |= put_str(b, hd->member, &ml);
	rc |= put_str(b, hd->url, &ul);
	rc |= put_str(b, hd->id, &il);
	if (ml >= NOSTR || ul >= NOSTR || il >= NOSTR || hd->nchains >= NOSTR ||
	    hd->nregions >= NOSTR)
		return CONTAM_E_LIMIT;
	if (rc)
		return CONTAM_E_NOMEM;
	lens[0] = hd->member ? (uint32_t)ml : NOSTR;
	lens[1] = hd->url ? (uint32_t)ul : NOSTR;
	lens[2] = hd->id ? (uint32_t)il : NOSTR;
	lens[3] = (uint32_t)hd->nchains;
	lens[4] = (uint32_t)hd->nregions;
	memcpy(b->data + at, lens, sizeof lens);
	rc |= cbuf_append(b, hd->chains, hd->nchains * sizeof(*hd->chains));
	for (size_t i = 0; i < hd->nregions; i++) {
		const cscan_region *r = &hd->regions[i];
		uint64_t v[4] = { r->start, r->end, r->tok_start, r->tok_end };
		size_t sl = r->snippet ? strlen(r->snippet) : 0;
		uint32_t w[3] = { r->first, r->nchains, r->snippet ? (uint32_t)sl : NOSTR };
		rc |= cbuf_append(b, v, sizeof v);
		rc |= cbuf_append(b, w, sizeof w);
		if (r->snippet)
			rc |= cbuf_append(b, r->snippet, sl);
	}
	return rc ? CONTAM_E_NOMEM : CONTAM_OK;
}

/* Take n bytes from (*p, *left); NULL when they are not there. */
static const char *take(const char **p, size_t *left, size_t n)
{
	if (*left < n)
		return NULL;
	const char *q = *p;
	*p += n;
	*left -= n;
	return q;
}

static char *take_str(const char **p, size_t *left, uint32_t len, int *bad)
{
	if (len == NOSTR)
		return NULL;
	const char *q = take(p, left, len);
	char *s = q ? malloc((size_t)len + 1) : NULL;
	if (!s) {
		*bad = 1;
		return NULL;
	}
	memcpy(s, q, len);
	s[len] = '\0';
	return s;
}

/* Unpack one record from (*p, *left) into hd (owned by the caller). */
static int unpack(const char **p, size_t *left, cscan_hitdoc *hd)
{
	uint64_t head[5];
	uint32_t lens[5];
	const char *q;
	int bad = 0;
	memset(hd, 0, sizeof(*hd));
	if (!(q = take(p, left, sizeof head)))
		return CONTAM_E_CORRUPT;
	memcpy(head, q, sizeof head);
	if (!(q = take(p, left, sizeof lens)))
		return CONTAM_E_CORRUPT;
	memcpy(lens, q, sizeof lens);
	hd->entry = head[0];
	hd->record = head[1];
	hd->offset = head[2];
	hd->bytes = head[3];
	hd->tokens = head[4];
	hd->member = take_str(p, left, lens[0], &bad);
	hd->url = take_str(p, left, lens[1], &bad);
	hd->id = take_str(p, left, lens[2], &bad);
	size_t nc = lens[3], nr = lens[4];
	if (!bad && (q = take(p, left, nc * sizeof(*hd->chains))) != NULL) {
		hd->chains = malloc((nc ? nc : 1) * sizeof(*hd->chains));
		if (hd->chains) {
			memcpy(hd->chains, q, nc * sizeof(*hd->chains));
			hd->nchains = nc;
		}
	}
	if (!hd->chains)
		bad = 1;
	if (!bad && !(hd->regions = calloc(nr ? nr : 1, sizeof(*hd->regions))))
		bad = 1;
	for (size_t i = 0; i < nr && !bad; i++) {
		uint64_t v[4];
		uint32_t w[3];
		if (!(q = take(p, left, sizeof v))) {
			bad = 1;
			break;
		}
		memcpy(v, q, sizeof v);
		if (!(q = take(p, left, sizeof w))) {
			bad = 1;
			break;
		}
		memcpy(w, q, sizeof w);
		cscan_region *r = &hd->regions[i];
		r->start = v[0];
		r->end = v[1];
		r->tok_start = v[2];
		r->tok_end = v[3];
		r->first = w[0];
		r->nchains = w[1];
		r->snippet = take_str(p, left, w[2], &bad);
		hd->nregions = i + 1;
	}
	if (bad) {
		cscan_hitdoc_release(hd);
		return CONTAM_E_NOMEM;
	}
	return CONTAM_OK;
}

/* ---- the spill file --------------------------------------------------- */

int cscan_spill_open(contam_scan *s, cerr *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/contam-hits-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return cerr_set(err, CONTAM_E_IO, "cannot create a temporary file for the "
				"hit records in '%s': %s", dir && *dir ? dir : "/tmp",
				strerror(errno));
	unlink(path);
	s->spill_fd = fd;
	s->spill_end = 0;
	return CONTAM_OK;
}

void cscan_spill_close(contam_scan *s)
{
	if (s->spill_fd >= 0)
		close(s->spill_fd);
	s->spill_fd = -1;
}

/* Append b as one chunk of file f (the caller serializes calls). */
int cscan_spill_chunk(contam_scan *s, cscan_file *f, const cbuf *b, size_t ndocs,
		      cerr *err)
{
	if (!b->len)
		return CONTAM_OK;
	if (f->nchunks == f->cap_chunks) {
		size_t cap = f->cap_chunks ? f->cap_chunks * 2 : 4;
		cscan_chunk *c = realloc(f->chunks, cap * sizeof(*c));
		if (!c)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		f->chunks = c;
		f->cap_chunks = cap;
	}
	uint64_t at = s->spill_end;
	for (size_t done = 0; done < b->len;) {
		ssize_t n = pwrite(s->spill_fd, b->data + done, b->len - done,
				   (off_t)(at + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cerr_set(err, CONTAM_E_IO, "cannot write the temporary hit "
					"records: %s", strerror(n < 0 ? errno : EIO));
		done += (size_t)n;
	}
	s->spill_end += b->len;
	f->chunks[f->nchunks++] = (cscan_chunk){ at, b->len, ndocs };
	f->ndocs += ndocs;
	f->mem += b->len;
	return CONTAM_OK;
}

/* ---- reading back ------------------------------------------------------ */

void cscan_hits_open(cscan_hits *it, const contam_scan *s, const cscan_file *f)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->f = f;
}

int cscan_hits_next(cscan_hits *it, cscan_hitdoc *hd, cerr *err)
{
	while (it->left == 0) {
		if (it->chunk >= it->f->nchunks)
			return 0;
		const cscan_chunk *c = &it->f->chunks[it->chunk++];
		if (c->len > it->cap) {
			char *b = realloc(it->buf, c->len);
			if (!b)
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			it->buf = b;
			it->cap = c->len;
		}
		for (size_t done = 0; done < c->len;) {
			ssize_t n = pread(it->s->spill_fd, it->buf + done, c->len - done,
					  (off_t)(c->off + done));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return cerr_set(err, CONTAM_E_IO, "cannot read the temporary hit "
						"records: %s", strerror(n < 0 ? errno : EIO));
			done += (size_t)n;
		}
		it->p = it->buf;
		it->left = c->len;
	}
	int rc = unpack(&it->p, &it->left, hd);
	if (rc == CONTAM_E_CORRUPT)
		return cerr_set(err, rc, "the temporary hit records are damaged");
	if (rc)
		return cerr_set(err, rc, "out of memory");
	return 1;
}

void cscan_hits_close(cscan_hits *it)
{
	free(it->buf);
	memset(it, 0, sizeof(*it));
}
