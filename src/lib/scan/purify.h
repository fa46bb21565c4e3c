/*
 * purify.h -- the purified copy's writers and the services they share
 * (scan_purify.c holds the driver and the JSONL and text writers;
 * purify_warc.c the WARC writer).  For src/lib/scan only.
 *
 * A writer gets the decompressed input and the copy's sink, walks the
 * input as its reader does, and for every record asks cpurify_meet
 * whether the scan found a match there, cpurify_decide what to do with
 * it, and cpurify_unread to list what the reader skipped.  The table of
 * writers by input kind is in scan_purify.c (purify_writers); a kind
 * without one is refused.
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

/* The WARC writer (purify_warc.c), and its test for a gzip member that
 * holds one sound record, to be copied compressed as it is. */
int cpurify_warc(purifier *p, cstream *s, cscan_sink *out, const char *member);
int cpurify_warc_sound_member(const purifier *p, const char *d, size_t n);

#endif
