/*
 * reader_archive.c -- tar (plain, gzip, zstd, xz, bzip2 ...), zip and 7z
 * archives through libarchive (not cpio: libarchive allocates the name
 * size a cpio header states, up to 4 GiB).  Every regular member is read as the
 * kind its name says: a .jsonl/.json(.gz/.zst) member yields one document
 * per line, a .warc/.wet(.gz) member one per record, anything else is one
 * plain-text document (decompressed if it is gzip or zstd).
 *
 * How members are read: rather than loading a member into memory (a
 * member can be a multi-GB WET file), its data is streamed.  A stdio FILE
 * is opened over archive_read_data() with fopencookie(), a cstream is put
 * on that FILE (so compressed members are decoded and damage in them is
 * localized exactly as for files), and the member is handed to the
 * ordinary plugin for its kind.  Documents from members carry the member
 * name; `record` is the record within the member for JSONL/WARC members
 * and the index of the entry in the archive for plain-text members.
 *
 * An error from libarchive itself (a truncated or corrupt archive): the
 * member is read up to it (member_read hands out the bytes before the
 * error first), it is reported once with the member name and counted,
 * and the archive goes on at its next member when libarchive can (a
 * zip's central directory), else it is closed, what was read kept.
 * fopencookie() is a GNU extension (glibc, musl); the build defines
 * _GNU_SOURCE.
 */
#include "reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>


typedef struct arch {
	struct archive *a;
	cstream *raw;           /* the input, when it is not a regular file */
	unsigned char *rawbuf;
	const creader_ctx *cx;
	char *path;
	int done;
	uint64_t entry;         /* index of the current entry */
	cbuf member;            /* name of the current member */
	cbuf label;             /* "path: member", prefix of its messages */
	creader_ctx sub_cx;
	const creader_ops *sub_ops;
	void *sub;
	contam_input_kind sub_kind;
	creader_member_src src;
	int member_failed;      /* its data broke off (src.msg): said when the
				   next member is looked for */
} arch;

/* A member's bytes, block by block.  Not archive_read_data: asked for
 * more than a damaged member still holds, it returns the error and drops
 * the bytes it had copied (a tar member cut at half its size gave none of
 * its first half).  Here the bytes before the damage are handed out first
 * and the error comes on the next call.  Holes of a sparse member read as
 * zeros, as archive_read_data gives them. */
static ssize_t member_read(void *cookie, char *buf, size_t size)
{
	creader_member_src *m = cookie;
	size_t n = 0;
	while (n < size) {
		if (m->gap > 0) {
			size_t k = (uint64_t)m->gap < size - n ? (size_t)m->gap : size - n;
			memset(buf + n, 0, k);
			n += k;
			m->gap -= (int64_t)k;
			m->pos += (int64_t)k;
			continue;
		}
		if (m->blk_len == 0) {
			if (m->eof || m->pending)
				break;
			const void *b;
			size_t len;
			la_int64_t off;
			int r = archive_read_data_block(m->a, &b, &len, &off);
			if (r == ARCHIVE_EOF) {
				m->eof = 1;
				break;
			}
			if (r < ARCHIVE_OK) {
				/* a failure, or a warning (a zip entry's bad
				 * CRC): damage, said after the bytes before it */
				const char *e = archive_error_string(m->a);
				snprintf(m->msg, sizeof m->msg, "%s", e ? e : "read error");
				/* libarchive ends some with a newline */
				size_t l = strlen(m->msg);
				while (l && (m->msg[l - 1] == '\n' || m->msg[l - 1] == ' '))
					m->msg[--l] = '\0';
				m->pending = 1;
				if (r < ARCHIVE_WARN || !len)
					break;
			}
			m->blk = b;
			m->blk_len = len;
			if (off > m->pos)
				m->gap = off - m->pos;
			continue;
		}
		size_t k = m->blk_len < size - n ? m->blk_len : size - n;
		memcpy(buf + n, m->blk, k);
		m->blk += k;
		m->blk_len -= k;
		m->pos += (int64_t)k;
		n += k;
	}
	if (n == 0 && m->pending) {
		m->failed = 1;
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

static int member_close(void *cookie)
{
	(void)cookie;
	return 0;
}

FILE *creader_member_open(creader_member_src *m, struct archive *a)
{
	cookie_io_functions_t io = { member_read, NULL, NULL, member_close };
	memset(m, 0, sizeof(*m));
	m->a = a;
	return fopencookie(m, "r", io);
}

static void close_sub(arch *ar)
{
	if (ar->sub)
		ar->sub_ops->close(ar->sub);
	ar->sub = NULL;
	ar->sub_ops = NULL;
}

/* libarchive failed: report it, stop reading the archive. */
static int archive_failed(arch *ar, const char *msg, cerr *err)
{
	int rc;

	close_sub(ar);
	ar->done = 1;
	if (ar->member.len)
		rc = creader_damage(ar->cx, err, 1,
				    "member '%s': %s; the rest of the archive "
				    "is skipped", ar->member.data, msg);
	else
		rc = creader_damage(ar->cx, err, 1,
				    "%s; the rest of the archive is skipped",
				    msg);
	return rc;
}

static const char *archive_msg(struct archive *a)
{
	static _Thread_local char buf[512];
	const char *e = archive_error_string(a);
	snprintf(buf, sizeof buf, "%s", e ? e : "archive error");
	/* libarchive ends some with a newline */
	size_t l = strlen(buf);
	while (l && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
		buf[--l] = '\0';
	return buf;
}

int creader_member_kind(cstream *cs, const char *label, const char *name,
			contam_input_kind *kind, char *note, size_t notelen,
			cerr *err)
{
	contam_input_kind nk = creader_detect_name(name), ck;
	note[0] = '\0';
	if (nk == CONTAM_INPUT_ARCHIVE)
		return 1;
	*kind = nk == CONTAM_INPUT_WARC || nk == CONTAM_INPUT_JSONL ? nk
								    : CONTAM_INPUT_TEXT;
	int rc = creader_sniff_stream(cs, label, nk, &ck, note, notelen, err);
	if (rc < 0)
		return rc;
	if (ck == CONTAM_INPUT_ARCHIVE)
		return 1;
	/* Parquet is read by offset from a file (footer first), never as
	 * a member's stream: a binary member, never text */
	if (ck == CONTAM_INPUT_PARQUET)
		return cerr_set(err, CONTAM_E_FORMAT, "'%s' is a Parquet file: "
				"contam reads Parquet files, not Parquet inside "
				"an archive (extract it)", label);
	if (ck == CONTAM_INPUT_WARC || ck == CONTAM_INPUT_JSONL)
		*kind = ck;
	return CONTAM_OK;
}

/* Open the plugin for the member the archive is positioned on.
 * Returns 1 when a sub-reader is ready, 0 when the member is skipped. */
static int open_member(arch *ar, cerr *err)
{
	contam_input_kind kind = creader_detect_name(ar->member.data);
	cstream *cs = NULL;
	int rc;

	if (kind == CONTAM_INPUT_ARCHIVE) {
		rc = creader_damage(ar->cx, err, 1,
				    "member '%s': archives inside archives are "
				    "not read, skipped", ar->member.data);
		return rc < 0 ? rc : 0;
	}
	if (kind != CONTAM_INPUT_WARC && kind != CONTAM_INPUT_JSONL)
		kind = CONTAM_INPUT_TEXT;

	cbuf_reset(&ar->label);
	if (cbuf_printf(&ar->label, "%s: %s", ar->path, ar->member.data) < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	ar->sub_cx = *ar->cx;
	ar->sub_cx.label = ar->label.data;

	FILE *f = creader_member_open(&ar->src, ar->a);
	if (!f)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	rc = cstream_open_file(&cs, f, ar->label.data, 1, ar->cx->opt->fast, err);
	if (rc < 0) {
		if (ar->src.failed) {
			ar->member_failed = 1;
			return 0;
		}
		return rc;
	}
	cstream_set_strict(cs, ar->cx->opt->strict);
	{
		char note[CERR_MSG_MAX];
		rc = creader_member_kind(cs, ar->label.data, ar->member.data,
					 &kind, note, sizeof note, err);
		if (rc == CONTAM_E_FORMAT) {
			/* a binary member: counted and skipped, not indexed */
			cstream_free(cs);
			rc = creader_damage(ar->cx, err, 1, "member '%s' skipped: "
					    "%s", ar->member.data, err->msg);
			return rc < 0 ? rc : 0;
		}
		if (rc < 0) {
			cstream_free(cs);
			if (ar->src.failed) {
				ar->member_failed = 1;
				return 0;
			}
			return rc;
		}
		if (rc == 1) {
			cstream_free(cs);
			rc = creader_damage(ar->cx, err, 1,
					    "member '%s': archives inside archives "
					    "are not read, skipped", ar->member.data);
			return rc < 0 ? rc : 0;
		}
		if (note[0])
			creader_note(ar->cx->opt, note);
	}
	switch (kind) {
	case CONTAM_INPUT_WARC: ar->sub_ops = &creader_warc_ops; break;
	case CONTAM_INPUT_JSONL: ar->sub_ops = &creader_jsonl_ops; break;
	default: ar->sub_ops = &creader_text_ops; break;
	}
	ar->sub_kind = kind;
	rc = ar->sub_ops->open(&ar->sub, ar->label.data, cs, &ar->sub_cx, err);
	if (rc < 0) {
		ar->sub = NULL;
		ar->sub_ops = NULL;
		return rc;
	}
	return 1;
}

static int arch_next_doc(void *state, creader_doc *doc, cerr *err)
{
	arch *ar = state;
	struct archive_entry *e;
	int rc;

	for (;;) {
		if (ar->sub) {
			rc = ar->sub_ops->next_doc(ar->sub, doc, err);
			if (rc == 1) {
				doc->member = ar->member.data;
				doc->entry = ar->entry;
				if (ar->sub_kind == CONTAM_INPUT_TEXT)
					doc->record = ar->entry;
				return 1;
			}
			if (rc < 0 && !ar->src.failed)
				return rc;
			close_sub(ar);
			if (rc < 0)
				ar->member_failed = 1; /* said below */
		}
		if (ar->done)
			return 0;
		int r = archive_read_next_header(ar->a, &e);
		if (ar->member_failed) {
			/* a member's data broke off: read up to there; with a
			 * way on (a zip's central directory), the next member
			 * is read, else the rest of the archive is lost */
			ar->member_failed = 0;
			if (r >= ARCHIVE_WARN || r == ARCHIVE_EOF) {
				rc = creader_damage(ar->cx, err, 1, "member '%s': %s; the "
						    "rest of that member is skipped",
						    ar->member.data, ar->src.msg);
				if (rc < 0)
					return rc;
			} else {
				rc = archive_failed(ar, ar->src.msg, err);
				return rc < 0 ? rc : 0;
			}
		}
		cbuf_reset(&ar->member);
		if (r == ARCHIVE_EOF) {
			ar->done = 1;
			return 0;
		}
		if (r < ARCHIVE_WARN) {
			rc = archive_failed(ar, archive_msg(ar->a), err);
			return rc < 0 ? rc : 0;
		}
		ar->entry = (uint64_t)archive_file_count(ar->a) - 1;
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		if (!name)
			name = "";
		if (cbuf_append(&ar->member, name, strlen(name)) < 0 ||
		    cbuf_reserve(&ar->member, 0) < 0)
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		rc = open_member(ar, err);
		if (rc < 0)
			return rc;
	}
}

static int arch_read_text(void *state, const char **p, size_t *n, cerr *err)
{
	arch *ar = state;

	if (!ar->sub)
		return 0;
	int rc = ar->sub_ops->read_text(ar->sub, p, n, err);
	if (rc < 0 && ar->src.failed) {
		/* the document ends where the member broke off; the next
		 * arch_next_doc says it */
		close_sub(ar);
		ar->member_failed = 1;
		return 0;
	}
	return rc;
}

static uint64_t arch_bytes_in(const void *state)
{
	const arch *ar = state;
	la_int64_t n = archive_filter_bytes(ar->a, -1);
	return n > 0 ? (uint64_t)n : 0;
}

static void arch_close(void *state)
{
	arch *ar = state;
	if (!ar)
		return;
	close_sub(ar);
	if (ar->a)
		archive_read_free(ar->a);
	cstream_free(ar->raw);
	free(ar->rawbuf);
	cbuf_release(&ar->member);
	cbuf_release(&ar->label);
	free(ar->path);
	free(ar);
}

/* libarchive's read callback over a stream (a pipe or FIFO). */
static la_ssize_t raw_read_cb(struct archive *a, void *cookie,
			      const void **buf)
{
	arch *ar = cookie;
	cerr e;
	long got = cstream_read(ar->raw, ar->rawbuf, 64 * 1024, &e);
	if (got < 0) {
		archive_set_error(a, EIO, "%s", e.msg);
		return -1;
	}
	*buf = ar->rawbuf;
	return (la_ssize_t)got;
}

static int arch_open(void **state, const char *path, cstream *in,
		     const creader_ctx *cx, cerr *err)
{
	arch *ar = NULL;
	int rc = CONTAM_OK;

	*state = NULL;
	ar = calloc(1, sizeof *ar);
	if (!ar) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		cstream_free(in);
		goto out;
	}
	/* `in` (raw bytes) for a pipe or FIFO; else libarchive reads the
	 * file itself, seeking where the format wants to */
	ar->raw = in;
	ar->cx = cx;
	ar->path = cstrdup(path);
	ar->a = archive_read_new();
	if (!ar->path || !ar->a) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(ar->a);
	archive_read_support_format_tar(ar->a);
	archive_read_support_format_gnutar(ar->a);
	archive_read_support_format_zip(ar->a);
	archive_read_support_format_7zip(ar->a);
	int opened;
	if (ar->raw) {
		ar->rawbuf = malloc(64 * 1024);
		if (!ar->rawbuf) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		opened = archive_read_open(ar->a, ar, NULL, raw_read_cb, NULL);
	} else {
		/* Tell "cannot open" (an I/O error) from "not an archive"
		 * (damage: reported and counted like a bad record). */
		FILE *f = fopen(path, "rb");
		if (!f) {
			rc = cerr_set(err, CONTAM_E_IO, "cannot open '%s': %s",
				      path, strerror(errno));
			goto out;
		}
		fclose(f);
		opened = archive_read_open_filename(ar->a, path, 64 * 1024);
	}
	if (opened != ARCHIVE_OK) {
		rc = creader_damage(cx, err, 1, "not a readable archive: %s",
				    archive_msg(ar->a));
		if (rc < 0)
			goto out;
		ar->done = 1;
	}
	*state = ar;
	ar = NULL;
out:
	arch_close(ar);
	return rc;
}

/* Named as a tar (compressed or not), zip or 7z archive; by content,
 * the magic numbers of common/sniff.c, asked before any text rule. */
static int arch_by_name(const char *name, const char *bare)
{
	static const char *const suffixes[] = {
		".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tzst",
		".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz", ".tar.lzma",
		".tlz", ".tar.lz4", ".tar.lz", ".tar.Z", ".taz", ".zip", ".7z", NULL
	};
	(void)bare;
	return creader_name_ends(name, suffixes);
}

const creader_ops creader_archive_ops = {
	"archive", arch_open, arch_next_doc, arch_read_text, arch_bytes_in,
	arch_close, CONTAM_INPUT_ARCHIVE, "an archive", arch_by_name, NULL
};
