/*
 * purify.h -- the purified copy's writers and the services they share.
 * scan_purify.c holds the driver and the table of writers by input kind
 * (purify_writers); each format's writer is a file of its own, paired
 * by name with the reader whose walker it uses (purify_warc.c and
 * reader_warc.c, purify_jsonl.c, purify_text.c, purify_archive.c).  For
 * src/lib/scan only (the writers need the scan's hit documents).
 *
 * A writer gets the decompressed input and the copy's sink, walks the
 * input as its reader does, and for every record asks cpurify_meet
 * whether the scan found a match there, cpurify_decide what to do with
 * it, and cpurify_manifest_unread to list what the reader skipped.  The
 * table of writers by input kind is in scan_purify.c (purify_writers); a
 * kind without one is refused.
 *
 * Adding a writer for a new kind: purify_<kind>.c with a stream writer
 * (and optionally a whole-file one and a check of an input before
 * anything is written), declared below, one line in purify_writers, one
 * line in meson.build.
 */
#ifndef CONTAM_SCAN_PURIFY_H
#define CONTAM_SCAN_PURIFY_H

#include "scan.h"
#include "../common/stream.h"
#include "../reader/reader.h"

typedef struct purifier {
	contam_scan *s;
	const cscan_file *f;
	size_t cursor;           /* next hit document of f to meet */
	cscan_hits it;           /* f's hit documents, read back in order */
	cscan_hitdoc slot[2];    /* the one met last (valid until the next
				    meet) and the next one */
	int next_slot, have_next, have_cur;
	int iter_rc;             /* reading them back failed */
	uint64_t missed;         /* hit documents not met again */
	FILE *manifest;          /* this file's lines (to the manifest spill) */
	struct mspill *mspill;
	uint64_t base;           /* decompressed offset of what is parsed */
	int in_member;           /* parsing one gzip member: a record cut
				    by its end means PURIFY_FALLBACK */
	uint64_t entry;          /* archive entry being purified */
	size_t max_record;       /* longest line / header / text held whole */
	uint64_t dropped, cut, regions, unread;
	const char *out_path;
	cbuf cut_text;           /* scratch: the text after cutting */
	cerr *err;
} purifier;

enum { KEEP = 0, DROP = 1, CUT = 2 };

/* A writer's "start again the general way": a gzip WARC member path
 * that met something it cannot do in one member. */
#define PURIFY_FALLBACK 1

/* Stop requested (SIGTERM/SIGINT), and the error that says so. */
int cpurify_stopped(const purifier *p);
int cpurify_interrupted(purifier *p);
/* A write to the copy failed: the error, with the sink's reason. */
int cpurify_write_failed(purifier *p, const cscan_sink *k);
/* The hit document at (member, offset), if it is the next one. */
const cscan_hitdoc *cpurify_meet(purifier *p, const char *member, uint64_t offset);
/* What to do with a hit document whose text is text[0..len) (NULL when
 * the writer cannot cut it: then cut mode drops, saying `nocut`); for
 * CUT, p->cut_text holds the new text.  The manifest line is written. */
int cpurify_decide(purifier *p, const cscan_hitdoc *hd, const char *text,
		   uint64_t len, const char *nocut, int *action);
/* Bytes the reader skipped as damaged: left out, listed, counted. */
int cpurify_manifest_unread(purifier *p, const char *member, uint64_t offset,
			    uint64_t bytes, const char *why);

/* The next hit document not met yet (in offset order), or NULL. */
const cscan_hitdoc *cpurify_peek(const purifier *p);
/* A record left out of the copy: one manifest line; unread: the reader
 * skipped it too (counted, "unread: " before why). */
int cpurify_manifest_left_out(purifier *p, const char *member, uint64_t offset,
			      uint64_t bytes, int unread, const char *why);
/* Start the file again (a whole-file writer that answers
 * PURIFY_FALLBACK): the hit documents from the first, the counts and
 * this file's manifest lines forgotten, the error cleared. */
void cpurify_restart(purifier *p);
/* The decompressed stream s of kind `kind` (member: the archive member,
 * or NULL) through that kind's stream writer, or refused when it has
 * none. */
int cpurify_stream(purifier *p, contam_input_kind kind, cstream *s,
		   cscan_sink *out, const char *member);

/* ---- the writers, registered in purify_writers (scan_purify.c) ----- */

/* A stream writer: the decompressed input s in, the copy to out;
 * member is the archive member's name, or NULL.  A whole-file writer
 * reads p->f->path and writes p->out_path itself. */

/* WARC/WET (purify_warc.c): the stream writer, the whole-file fast path
 * for a gzip file of one member per record (PURIFY_FALLBACK when the
 * file is not such), and its test for a member that holds one sound
 * record, to be copied compressed as it is. */
int cpurify_warc(purifier *p, cstream *s, cscan_sink *out, const char *member);
int cpurify_warc_members(purifier *p);
int cpurify_warc_sound_member(const purifier *p, const char *d, size_t n);
/* JSON lines (purify_jsonl.c), and its check: a whole-file JSON or a
 * --text-field path is refused. */
int cpurify_jsonl(purifier *p, cstream *s, cscan_sink *out, const char *member);
int cpurify_jsonl_check(const contam_scan *s, const char *path, cerr *err);
/* Plain text, one document (purify_text.c). */
int cpurify_text(purifier *p, cstream *s, cscan_sink *out, const char *member);
/* tar, zip, ... through libarchive (purify_archive.c): whole-file. */
int cpurify_archive(purifier *p);

#endif
