/*
 * purify_archive.c -- the purified copy of a tar or zip archive (any
 * format and filter libarchive reads and can write back), beside
 * reader_archive.c.
 *
 * The archive is rewritten with the same libarchive format and filter
 * (an archive compressed twice, or a format libarchive cannot write, is
 * refused).  A member without a match is copied entry and data as read;
 * a member with matches -- or any member of an archive in which the
 * reader skipped damage -- is read through creader_member_open as the
 * kind the reader read it as (creader_member_kind: name, then content)
 * and written by that kind's stream writer (cpurify_stream), spooled to
 * an unlinked file next to the output because a tar header needs the
 * member's size first.  A plain-text member dropped whole is left out,
 * and so are hard links to it; an archive inside the archive is not read
 * by the reader and is left out, listed as unread.
 */
#include "purify.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int archive_write_failed(purifier *p, struct archive *w)
{
	int e = archive_errno(w);
	const char *msg = archive_error_string(w);
	return cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s%s%s", p->out_path,
			msg ? msg : "write error", e > 0 ? ": " : "", e > 0 ? strerror(e) : "");
}

/* Copy n bytes of f (from its start) into the archive being written. */
static int spool_out(purifier *p, FILE *f, struct archive *w)
{
	char buf[1 << 16];
	size_t n;
	rewind(f);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (archive_write_data(w, buf, n) != (la_ssize_t)n)
			return archive_write_failed(p, w);
		if (cpurify_stopped(p))
			return cpurify_interrupted(p);
	}
	if (ferror(f))
		return cerr_set(p->err, CONTAM_E_IO, "cannot read back a purified member "
				"of '%s': %s", p->out_path, strerror(errno));
	return CONTAM_OK;
}

/* The spool of purified members: an unlinked file next to the output
 * (not in memory, not in a tmpfs /tmp), one per archive, reused. */
static int open_spool(purifier *p, FILE **of)
{
	size_t n = strlen(p->out_path) + 32;
	char *name = malloc(n);
	int fd = -1, rc = CONTAM_OK;
	if (!name)
		return cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
	snprintf(name, n, "%s.member.XXXXXX", p->out_path);
	if ((fd = mkstemp(name)) < 0 || !(*of = fdopen(fd, "w+b"))) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot create '%s': %s", name,
			      strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (fd >= 0)
		unlink(name);
	free(name);
	return rc;
}

/* One regular member with matches: through the plugin of its kind into
 * the spool file `of`, then into the archive with its new size. */
static int purify_member(purifier *p, struct archive *r, struct archive *w,
			 struct archive_entry *e, const char *name, FILE *of, int *left_out)
{
	creader_member_src src;
	FILE *mf = NULL;
	cstream *cs = NULL;
	cscan_sink *k = NULL;
	int rc = CONTAM_OK;

	rewind(of);
	if (ftruncate(fileno(of), 0)) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s", p->out_path,
			      strerror(errno));
		goto out;
	}
	if (!(mf = creader_member_open(&src, r))) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	rc = cstream_open_file(&cs, mf, name, 1, p->s->opt.fast, p->err);
	mf = NULL;
	if (rc)
		goto out;
	/* the kind the reader read it as (by name and content) */
	contam_input_kind kind = CONTAM_INPUT_TEXT;
	char note[CERR_MSG_MAX];
	rc = creader_member_kind(cs, name, name, &kind, note, sizeof note, p->err);
	if (rc == 1 || rc == CONTAM_E_FORMAT) {
		/* the reader skipped it: it held no match */
		rc = cerr_set(p->err, CONTAM_E_FORMAT, "purify: '%s': member '%s' "
			      "has matches but the reader skips it", p->f->path, name);
		goto out;
	}
	if (rc)
		goto out;
	if (cscan_sink_open_stream(&k, of, cstream_get_codec(cs))) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	uint64_t dropped = p->dropped;
	rc = cpurify_stream(p, kind, cs, k, name);
	if (!rc && src.failed)
		rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': member '%s': %s", p->f->path,
			      name, archive_error_string(r));
	if (!rc)
		rc = cscan_sink_close(k, p->err);
	else
		cscan_sink_abort(k);
	k = NULL;
	if (rc)
		goto out;
	/* a plain-text member dropped whole is left out */
	if (kind == CONTAM_INPUT_TEXT && p->dropped > dropped) {
		*left_out = 1;
		goto out;
	}
	off_t size = ftello(of);
	if (size < 0) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s", p->out_path,
			      strerror(errno));
		goto out;
	}
	archive_entry_set_size(e, (la_int64_t)size);
	if (archive_write_header(w, e) != ARCHIVE_OK) {
		rc = archive_write_failed(p, w);
		goto out;
	}
	rc = spool_out(p, of, w);
out:
	cscan_sink_abort(k);
	cstream_free(cs);
	return rc;
}

/* The names of members left out, to leave out the hard links to them
 * too (a link to a missing entry would fail to extract, or be filled
 * from another file of that name): open addressing, FNV-1a. */
typedef struct name_set {
	char **slot;
	size_t cap, n;
} name_set;

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int name_set_add(name_set *ns, const char *name)
{
	if (2 * (ns->n + 1) > ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return CONTAM_E_NOMEM;
		for (size_t i = 0; i < ns->cap; i++) {
			if (!ns->slot[i])
				continue;
			size_t j = name_hash(ns->slot[i]) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = ns->slot[i];
		}
		free(ns->slot);
		ns->slot = slot;
		ns->cap = cap;
	}
	size_t j = name_hash(name) & (ns->cap - 1);
	while (ns->slot[j]) {
		if (!strcmp(ns->slot[j], name))
			return CONTAM_OK;
		j = (j + 1) & (ns->cap - 1);
	}
	if (!(ns->slot[j] = cstrdup(name)))
		return CONTAM_E_NOMEM;
	ns->n++;
	return CONTAM_OK;
}

static int name_set_has(const name_set *ns, const char *name)
{
	if (!ns->cap)
		return 0;
	size_t j = name_hash(name) & (ns->cap - 1);
	for (; ns->slot[j]; j = (j + 1) & (ns->cap - 1))
		if (!strcmp(ns->slot[j], name))
			return 1;
	return 0;
}

static void name_set_release(name_set *ns)
{
	for (size_t i = 0; i < ns->cap; i++)
		free(ns->slot[i]);
	free(ns->slot);
}

static const char *filter_name(struct archive *r, int i)
{
	const char *n = archive_filter_name(r, i);
	return n ? n : "?";
}

int cpurify_archive(purifier *p)
{
	struct archive *r = archive_read_new(), *w = archive_write_new();
	struct archive_entry *e;
	char *tmp = NULL;
	FILE *spool = NULL;
	name_set gone = { 0 };
	int rc = CONTAM_OK, opened = 0;
	char buf[1 << 16];

	if (!r || !w) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(r);
	archive_read_support_format_all(r);
	if (archive_read_open_filename(r, p->f->path, 1 << 16) != ARCHIVE_OK) {
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot open '%s': %s", p->f->path,
			      archive_error_string(r));
		goto out;
	}
	size_t n = strlen(p->out_path) + 32;
	if (!(tmp = malloc(n))) {
		rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s.tmp.%ld", p->out_path, (long)getpid());
	int ar;
	while ((ar = archive_read_next_header(r, &e)) == ARCHIVE_OK) {
		if (cpurify_stopped(p)) {
			rc = cpurify_interrupted(p);
			goto out;
		}
		p->entry = (uint64_t)archive_file_count(r) - 1;
		if (!opened) {
			/* same format and filter as the input, or refuse */
			int nf = archive_filter_count(r);
			if (nf > 2) {
				rc = cerr_set(p->err, CONTAM_E_FORMAT, "purify: '%s': %s over %s: "
					      "an archive compressed twice cannot be written back",
					      p->f->path, filter_name(r, 0), filter_name(r, 1));
				goto out;
			}
			if (archive_write_set_format(w, archive_format(r)) != ARCHIVE_OK ||
			    (nf == 2 &&
			     archive_write_add_filter(w, archive_filter_code(r, 0)) != ARCHIVE_OK)) {
				rc = cerr_set(p->err, CONTAM_E_FORMAT, "purify: '%s': cannot write "
					      "%s%s%s: %s", p->f->path, archive_format_name(r),
					      nf == 2 ? " with " : "", nf == 2 ? filter_name(r, 0) : "",
					      archive_error_string(w));
				goto out;
			}
			if (archive_write_open_filename(w, tmp) != ARCHIVE_OK) {
				rc = archive_write_failed(p, w);
				goto out;
			}
			opened = 1;
		}
		const char *name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		int regular = archive_entry_filetype(e) == AE_IFREG;
		const cscan_hitdoc *next = cpurify_peek(p);
		if (regular && name && creader_detect_name(name) == CONTAM_INPUT_ARCHIVE) {
			/* the reader does not open archives in archives */
			if ((rc = cpurify_manifest_unread(p, name, 0, (uint64_t)archive_entry_size(e),
						  "an archive inside an archive")))
				goto out;
			continue;
		}
		/* a member with matches, or any member of an archive where the
		 * reader skipped damage, is parsed; the others are copied */
		if (regular && name && ((next && next->member && next->entry == p->entry) ||
					p->f->errors)) {
			int left_out = 0;
			if ((!spool && (rc = open_spool(p, &spool))) ||
			    (rc = purify_member(p, r, w, e, name, spool, &left_out)))
				goto out;
			if (left_out && name_set_add(&gone, archive_entry_pathname(e) ?
						     archive_entry_pathname(e) : name)) {
				rc = cerr_set(p->err, CONTAM_E_NOMEM, "out of memory");
				goto out;
			}
			continue;
		}
		const char *link = archive_entry_hardlink(e);
		if (link && name_set_has(&gone, link)) {
			if ((rc = cpurify_manifest_left_out(p, name, 0, 0, 0, "hard link "
							     "to a member dropped from the copy")))
				goto out;
			continue;
		}
		/* untouched: the entry as it was read, its data byte for byte */
		if (archive_write_header(w, e) != ARCHIVE_OK) {
			rc = archive_write_failed(p, w);
			goto out;
		}
		la_ssize_t got;
		while ((got = archive_read_data(r, buf, sizeof buf)) > 0) {
			if (archive_write_data(w, buf, (size_t)got) != got) {
				rc = archive_write_failed(p, w);
				goto out;
			}
			if (cpurify_stopped(p)) {
				rc = cpurify_interrupted(p);
				goto out;
			}
		}
		if (got < 0) {
			rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': member '%s': %s",
				      p->f->path, name ? name : "?", archive_error_string(r));
			goto out;
		}
	}
	if (ar != ARCHIVE_EOF) {
		rc = cerr_set(p->err, CONTAM_E_CORRUPT, "'%s': %s", p->f->path,
			      archive_error_string(r));
		goto out;
	}
	if (!opened) {
		/* an empty archive: copy the format of nothing -- write an
		 * empty tar */
		if (archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
		    archive_write_open_filename(w, tmp) != ARCHIVE_OK) {
			rc = archive_write_failed(p, w);
			goto out;
		}
		opened = 1;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		rc = archive_write_failed(p, w);
		goto out;
	}
	if (rename(tmp, p->out_path))
		rc = cerr_set(p->err, CONTAM_E_IO, "cannot write '%s': %s",
			      p->out_path, strerror(errno));
out:
	if (r)
		archive_read_free(r);
	if (w)
		archive_write_free(w);
	if (rc && tmp && opened)
		unlink(tmp);
	if (spool)
		fclose(spool);
	name_set_release(&gone);
	free(tmp);
	return rc;
}
