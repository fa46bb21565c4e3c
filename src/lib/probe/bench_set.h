/*
 * bench_set.h -- the benchmark set that probe (probe.c) and the exact scan
 * (scan_table.c) share: benchmarks by name with their sources, examples
 * with their texts and tokenized items, the question/answer split, the
 * per-file transaction (a file is scored whole or not at all) and the
 * verdict tally.
 *
 * A file is added in three steps:
 *   cbench_set_read    read every record (files or bytes in memory,
 *                      through the readers of bench.h), tokenize each
 *                      with the recipe; on failure nothing stays;
 *   (the caller scores examples [first, first + n) of the file)
 *   cbench_set_commit  fold the file's field statistics into its
 *                      benchmark and recount the benchmark's verdicts;
 *   cbench_set_abort   or drop the file: its examples, its source, a
 *                      benchmark it created, and whatever the caller
 *                      added to the benchmark's counters since the read.
 */
#ifndef CONTAM_BENCH_SET_H
#define CONTAM_BENCH_SET_H

#include "bench.h"
#include "probe_item.h"

typedef struct cbench_set_options {
	const char *const *fields; /* NULL/0: all strings */
	size_t nfields;
	const char *id_field;
	int no_header;
	int force_header;
	const char *records;
	uint32_t lines_per_record;
	/* Question/answer split: both or neither, and then no `fields`.
	 * The file is read twice, once per field group, and records are
	 * zipped by number; an example's text is question '\n' answer, its
	 * values stay pieces, and split[i] is its first answer token. */
	const char *const *question_fields;
	size_t nquestion_fields;
	const char *const *answer_fields;
	size_t nanswer_fields;
	void (*on_warning)(void *ctx, const char *msg);
	void *ctx;
	cprobe_recipe recipe;
	/* keep every example's item and text after its file is committed
	 * (the scan scores at the end); 0: released at commit (the probe
	 * scores a file as it is read) */
	int keep_items;
	/* once set (a signal, a binding's Ctrl-C), reading stops between
	 * two records with CONTAM_E_INTERRUPTED; NULL: never */
	volatile int *stop;
} cbench_set_options;

/* Bytes given in memory instead of a path (contam_probe_add_buffer). */
typedef struct cbench_mem {
	const void *data;
	size_t len;
	bench_format format;       /* 0: by content */
} cbench_mem;

typedef struct cbench_set {
	cbench_set_options opt;    /* its strings are the copies below */
	char **fields, **qfields, **afields;
	char *id_field, *records;
	int qa;                    /* question/answer split */
	contam_benchmark *benchmarks;
	size_t nbenchmarks;
	/* per example */
	contam_example *examples;
	cprobe_item *items;
	char **texts;              /* NUL-terminated */
	size_t *text_len;
	size_t *split;             /* first answer token (qa), else 0 */
	unsigned char *selected;   /* 1 unless narrowed (cbench_set_select) */
	size_t nexamples, cap;
	/* the file being added (between read and commit/abort); cur: its
	 * layout (&opt, or cbench_set_read_with's, borrowed till then) */
	int pending;
	const cbench_set_options *cur;
	int cur_qa;
	size_t cur_bench, cur_first;
	int cur_new_bench;         /* the benchmark was created by this file */
	contam_benchmark cur_before;
	bench_reader *r, *ra;
	cbuf joined;
	size_t *segs, segcap;
} cbench_set;

/* The benchmark side of contam_probe_options and contam_scan_options
 * (the same member names in both): set options from `o`, and `o`'s
 * strings pointed at the set's copies once it is made. */
#define CBENCH_SET_OPTIONS_OF(o) {                                          \
	.fields = (o).fields, .nfields = (o).nfields,                       \
	.id_field = (o).id_field, .no_header = (o).no_header,              \
	.force_header = (o).force_header, .records = (o).records,          \
	.lines_per_record = (o).lines_per_record,                          \
	.question_fields = (o).question_fields,                            \
	.nquestion_fields = (o).nquestion_fields,                          \
	.answer_fields = (o).answer_fields,                                \
	.nanswer_fields = (o).nanswer_fields,                              \
	.on_warning = (o).on_warning, .stop = (o).stop }
#define CBENCH_SET_BORROW(o, set) do {                                      \
	(o).fields = (set).opt.fields;                                      \
	(o).id_field = (set).opt.id_field;                                  \
	(o).question_fields = (set).opt.question_fields;                    \
	(o).answer_fields = (set).opt.answer_fields;                        \
	(o).records = (set).opt.records;                                    \
} while (0)

/* Copies the options' strings; CONTAM_E_PARAM for a half or mixed
 * question/answer split. */
int cbench_set_init(cbench_set *s, const cbench_set_options *o, cerr *err);
void cbench_set_release(cbench_set *s);

/* Read `path` (or mem's bytes, named `path` in messages and as the
 * examples' source) under benchmark `name`. */
int cbench_set_read(cbench_set *s, const char *name, const char *path,
		    const cbench_mem *mem, cerr *err);
/* cbench_set_read with `layout`'s fields, id field, header, records
 * and lines per record for this one file instead of the set's (probe
 * --suite --confirm: each benchmark read as its probe read it); borrowed
 * until the file is committed or aborted.  A half or mixed
 * question/answer split is CONTAM_E_PARAM.  s->qa is set once any
 * file had a split. */
int cbench_set_read_with(cbench_set *s, const char *name, const char *path,
			 const cbench_mem *mem, const cbench_set_options *layout,
			 cerr *err);
/* The file being added: its benchmark and its examples [*first, +*n). */
contam_benchmark *cbench_set_current(cbench_set *s, size_t *first, size_t *n);
int cbench_set_commit(cbench_set *s, cerr *err);
/* Returns rc; err says "cannot read 'path': ..." when nothing said more. */
int cbench_set_abort(cbench_set *s, int rc, cerr *err);

/* The template n-grams of examples [first, first + n) (one file):
 * cprobe_templates over their items; *tmpl malloc'd (NULL when none). */
int cbench_set_templates(const cbench_set *s, size_t first, size_t n,
			 double share, uint32_t min, uint64_t **tmpl,
			 size_t *ntmpl);

/* Keep only the examples of `source` whose record is in records[0..n). */
void cbench_set_select(cbench_set *s, const char *source,
		       const uint64_t *records, size_t n);

/* Recount the verdicts of every benchmark from the selected examples. */
void cbench_set_tally(cbench_set *s);
/* The same for other arrays (a merged result): bms[0..nb) from
 * ex[0..n) (selected NULL: all). */
void cbench_tally(contam_benchmark *bms, size_t nb, const contam_example *ex,
		  size_t n, const unsigned char *selected);

#endif
