/*
 * reader.h -- corpus readers: one file in, documents out.
 *
 * Each source kind (WARC/WET, JSONL, archive, plain text, MediaWiki,
 * WikiExtractor, Parquet) is a plugin behind creader_ops, one file per
 * kind (reader_warc.c, reader_jsonl.c, ...) holding its reader and the
 * rules that recognize it, listed once in reader.c's formats[]; the
 * kind is chosen by creader_detect() from the file's name and first
 * bytes.
 *
 * A document is delivered as a sequence of text pieces, so that a 2 GiB
 * document never has to sit in memory:
 *
 *     while ((rc = creader_next_doc(r, &doc)) == 1)
 *         while ((rc = creader_read_text(r, &p, &n)) == 1)
 *             feed(p, n);
 *
 * Damaged records are skipped and counted (creader_errors()), each one
 * described through the on_warning callback with file and offset; in
 * strict mode the first one is fatal.  Readers never see the index.
 */
#ifndef CONTAM_READER_H
#define CONTAM_READER_H

#include "../common/common.h"

typedef struct creader creader;

typedef struct creader_options {
	const char *text_field;   /* JSONL text field, default "text" */
	int strict;
	uint64_t max_record;      /* longest JSONL line / WARC header block */
	void (*on_warning)(void *ctx, const char *msg);
	void *ctx;
	volatile int *stop;       /* polled while a FIFO waits for a writer */
	/* Several --text-field paths (dotted, through arrays; see
	 * cjson_select_path); when ntext_fields > 0 they replace
	 * text_field, and their values are joined with '\n'.  Without
	 * them, text_field must name a top-level string (a "text" holding
	 * an array is a damaged record: the default is a guess). */
	const char *const *text_fields;
	size_t ntext_fields;
	/* Notes that are not damage: how an input was read (by its content,
	 * transcoded), what a format skips by design (redirect pages).  NULL:
	 * they go to on_warning. */
	void (*on_note)(void *ctx, const char *msg);
	/* The fast paths (the gzip inflater), or NULL: the default. */
	const cfast *fast;
} creader_options;

/* Deliver a note (see on_note). */
void creader_note(const creader_options *opt, const char *msg);

/* Provenance of the current document; strings are borrowed and valid
 * until the next creader_next_doc(). */
typedef struct creader_doc {
	const char *path;    /* the input file */
	const char *member;  /* archive member name, or NULL */
	uint64_t entry;      /* the member's entry number in the archive
				(every entry counts, from 0; 0 outside
				archives): two members may share a name */
	uint64_t record;     /* 0-based record / line / member number */
	uint64_t offset;     /* byte offset of the record in the decompressed
				stream (in the member, for archives) */
	const char *url;     /* WARC-Target-URI or JSON "url", or NULL */
	const char *id;      /* WARC-Record-ID or JSON "id", or MediaWiki
				page id, or NULL */
	const char *title;   /* MediaWiki page title, or NULL */
} creader_doc;

/* The kind of input from its name and first bytes (the same decision
 * creader_open makes; see creader_sniff).  Pipes and FIFOs are not
 * opened: only their name is looked at. */
contam_input_kind creader_detect(const char *path);

/* Open `path` and decide what it holds, as creader_open will: the kind,
 * or CONTAM_E_FORMAT when contam refuses the content, with the reason
 * in err ("'x.parquet' is an encrypted Parquet file (magic PARE) ...",
 * "'ls' is an ELF executable ..., not text"),
 * or CONTAM_E_IO when it cannot be opened.  creader_open fails with the
 * same code and message, so a directory walk can count such a file as
 * skipped and a file named on the command line can be refused. */
int creader_sniff(const char *path, contam_input_kind *kind, cerr *err);
/* For a JSON input: 1 when it is one JSON array, 2 one pretty-printed
 * object (both read whole-file, as records), 0 JSON lines (or unreadable). */
int creader_jsonl_whole(const char *path, const cfast *fast);

int creader_open(creader **out, const char *path, const creader_options *opt,
		 cerr *err);
/* 1: a document is ready; 0: end of input; < 0: fatal error (in err). */
int creader_next_doc(creader *r, creader_doc *doc, cerr *err);
/* 1: (*p, *n) is the next piece of the current document's text (borrowed,
 * valid until the next call); 0: end of the document; < 0: fatal error. */
int creader_read_text(creader *r, const char **p, size_t *n, cerr *err);

uint64_t creader_errors(const creader *r);    /* records skipped as damaged */
uint64_t creader_bytes_in(const creader *r);  /* file bytes consumed */
uint64_t creader_bytes_text(const creader *r); /* text bytes delivered */
contam_input_kind creader_kind(const creader *r);
void creader_free(creader *r);

/* Extract the string values of several top-level keys of one JSON object
 * (a JSONL line) in one pass: keys[i]'s value is unescaped into outs[i]
 * (reset first) and found[i] is set to 1 when present and a string, else 0.
 * Returns CONTAM_OK, or CONTAM_E_FORMAT when the line is not one valid
 * JSON object (err says at which byte).  A hand-written scanner because a
 * DOM parser was the bottleneck; tests/unit/test_reader.c checks it
 * against jansson. */
int cjson_extract_fields(const char *line, size_t len,
			 const char *const *keys, size_t nkeys,
			 cbuf *outs, int *found, cerr *err);

/* Length of the one JSON value (any type) that starts at s[0] after
 * optional whitespace, in *end (just past it); CONTAM_E_FORMAT if it is
 * malformed or cut.  Used to walk a file that is one JSON array. */
int cjson_skip_value(const char *s, size_t len, size_t *end, cerr *err);

/* One WARC header block ("WARC/1.0" line, headers, blank line) parsed
 * by the reader's rules; the reader and the purified copy both use it,
 * so they cannot disagree on where a record ends.  Values point into the
 * block.  bad_length: Content-Length missing a plain decimal value, or
 * given twice with different values (conflicting_length): the record is
 * damaged. */
typedef struct cwarc_header {
	const char *type;
	size_t type_len;
	const char *url, *id, *ctype;
	size_t url_len, id_len, ctype_len;
	int has_length;
	int bad_length;
	int conflicting_length;
	uint64_t length;
} cwarc_header;
void cwarc_parse_header(const char *p, size_t n, cwarc_header *h);
/* Does the line [p, p+n) start with header `name` (case-insensitive)?
 * Then (*v, *vn) is its value, trimmed. */
int cwarc_header_is(const char *p, size_t n, const char *name,
		    const char **v, size_t *vn);
/* Append the text that a --text-field path selects in the one JSON value
 * s[0..len) to out, each selected value joined to the previous ones with
 * '\n' and counted in *pieces.  The path is split at dots and walked as
 * the benchmark reader's --field paths are (src/lib/probe/bench_json.c):
 * an object step is a key (a key with dots in it is tried when the
 * shorter one is absent), a numeric step indexes an array, any other step
 * applies to every element of an array; at the end a string is taken as
 * is, a number or boolean as its JSON text, an array element by element,
 * an object as all its strings; null gives nothing.  The empty path
 * selects the value itself.  CONTAM_E_FORMAT if the value is malformed. */
int cjson_select_path(const char *s, size_t len, const char *path,
		      cbuf *out, size_t *pieces, cerr *err);

/* Does the JSON object s[0..len) have the top-level key key[0..klen)? */
int cjson_has_key(const char *s, size_t len, const char *key, size_t klen);

/* The first CJSON_KEY_LIST_MAX keys of the JSON object s, as "'a', 'b'"
 * (for messages), and the number of keys in *nkeys. */
#define CJSON_KEY_LIST_MAX 8
int cjson_key_list(const char *s, size_t len, char *out, size_t outlen,
		   size_t *nkeys);

/* The visible text of an HTML payload, streaming (html_text.c states
 * the rule): feed the payload in pieces of any size, the text is
 * appended to out (at most 3 * n + 64 bytes per call); chtml_finish()
 * flushes a partial entity at the end.  cp1252_input: the payload is
 * windows-1252 / latin-1 (transcoded to UTF-8), else bytes pass as they
 * are. */
typedef struct chtml {
	int state;
	int cp1252;
	int closing, selfclose, name_long;
	int skip, skip_depth;   /* inside noscript/template/svg */
	int in_head, in_title;
	int raw_style;          /* S_RAW: 1 style, 0 script */
	size_t raw_match;       /* bytes of "</script" matched */
	size_t name_len, ent_len, bang_len;
	int dashes;
	char num_hex;
	int num_digits, num_over;
	unsigned num;
	char name[16];
	char ent[33];
	char bang[8];
} chtml;
void chtml_init(chtml *h, int cp1252_input);
int chtml_feed(chtml *h, const char *p, size_t n, cbuf *out, cerr *err);
int chtml_finish(chtml *h, cbuf *out, cerr *err);

/* ------------------------------------------------------------------ */
/* Plugin interface: for reader.c and reader_*.c only.                 */

#include "../common/stream.h"
#include <string.h>
#include <strings.h>

/* Longest JSONL line / WARC header block when max_record is 0, and the
 * build options' default (contam_build_options_init): one constant, the
 * 256 MiB that `index --help` and `scan --help` document. */
#define CREADER_DEFAULT_MAX_RECORD (256u * 1024u * 1024u)
/* Largest piece of text handed out by creader_read_text(). */
#define CREADER_PIECE (256u * 1024u)

/* What a plugin needs to report damage: a label that starts every
 * message (the path, or "path: member" inside archives), the options,
 * and the error counter it adds to (shared with an enclosing archive). */
typedef struct creader_ctx {
	const char *label;
	const creader_options *opt;
	uint64_t *errors;
} creader_ctx;

/* Report a damaged region: "label: what" goes to on_warning and `count`
 * is added to the error counter.  Returns CONTAM_OK, or (strict)
 * CONTAM_E_CORRUPT with the message in err. */
int creader_damage(const creader_ctx *cx, cerr *err, uint64_t count,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One source kind, defined in its reader_<kind>.c with the rules that
 * recognize it, and listed once in reader.c's `formats` (the one
 * registration).  open() gets the decompressed input `in` (the plugin
 * owns it from then on, even when open fails), or NULL for kinds that
 * read `path` themselves (archives).  next_doc/read_text follow
 * creader_next_doc/creader_read_text; doc->path is filled by the
 * caller.
 *
 * Recognition (the bids, as libarchive's): creader_detect_name asks each
 * format's by_name in the order of `formats`, and the first that says 1
 * wins; the content of a text-like stream (after the magic numbers of
 * common/sniff.c: archives, compression, refused binaries, Parquet's
 * PAR1) is asked of each by_content, text being what no rule claims.
 * The content rules of today's formats exclude one another. */
typedef struct creader_ops {
	const char *name;            /* contam_input_kind_name: "warc" */
	int (*open)(void **state, const char *path, cstream *in,
		    const creader_ctx *cx, cerr *err);
	int (*next_doc)(void *state, creader_doc *doc, cerr *err);
	int (*read_text)(void *state, const char **p, size_t *n, cerr *err);
	uint64_t (*bytes_in)(const void *state);
	void (*close)(void *state);
	contam_input_kind kind;
	const char *phrase;          /* in notes: "JSON lines", "an archive" */
	/* 1 when a file name says this kind: `name` is the last path
	 * component, `bare` its last 63 bytes without one compression
	 * suffix (x.jsonl.bz2: x.jsonl).  NULL: no name says it. */
	int (*by_name)(const char *name, const char *bare);
	/* 1 when the start of the decoded text says this kind: head is its
	 * first n (<= 512) bytes, UTF-16 projected to ASCII ('?' for the
	 * rest).  NULL: no content rule. */
	int (*by_content)(const char *head, size_t n);
} creader_ops;

/* Does name end with one of the NULL-terminated suffixes? */
int creader_name_ends(const char *name, const char *const *suffixes);
/* The white space (' ', '\t', '\r', '\n') at the start of s[0..n). */
static inline size_t creader_lead_space(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}
/* The registered format of a kind, or NULL. */
const creader_ops *creader_format_of(contam_input_kind kind);

/* the kinds an archive member is read as (reader_archive.c) */
extern const creader_ops creader_warc_ops;
extern const creader_ops creader_jsonl_ops;
extern const creader_ops creader_text_ops;

/* The kind a name says (no content sniffing); UNKNOWN if it says none.
 * One compression suffix (.gz .zst .zstd .bz2 .xz) is looked through:
 * x.jsonl.bz2 is JSONL; x.tar.bz2 is an archive. */
contam_input_kind creader_detect_name(const char *name);

/* The decision creader_open makes on a just opened stream (see
 * reader.c); `label` names the input in messages.  UTF-16 content
 * switches the stream to UTF-8.  A note about it (name and content
 * disagree, ...) is left in note, else note[0] == '\0'. */
int creader_sniff_stream(cstream *cs, const char *label,
			 contam_input_kind name_kind, contam_input_kind *kind,
			 char *note, size_t notelen, cerr *err);

/* The kind an archive member is read as, by the archive reader's rule
 * (reader_archive.c): its name, then its first bytes (a WARC or JSONL
 * content wins over the name; UTF-16 content switches cs to UTF-8):
 * CONTAM_OK with WARC, JSONL or TEXT in *kind; 1 for an archive inside
 * the archive (not read); CONTAM_E_FORMAT for a binary member (the
 * reason in err); a note as creader_sniff_stream leaves one. */
int creader_member_kind(cstream *cs, const char *label, const char *name,
			contam_input_kind *kind, char *note, size_t notelen,
			cerr *err);

/* The archive member libarchive is positioned on, read through a FILE
 * (fopencookie over archive_read_data), so that a member is streamed,
 * never held whole: by the archive reader and by purify.  A libarchive
 * failure is recorded (failed, msg), to be told apart from damage inside
 * the member.  Close the FILE (or the cstream that owns it) before the
 * archive moves on. */
struct archive;
typedef struct creader_member_src {
	struct archive *a;
	int failed;
	char msg[512];
	/* the data block being handed out (archive_read_data_block), the
	 * member's offset so far, and an error kept until the bytes before
	 * it are read */
	const char *blk;
	size_t blk_len;
	int64_t pos, gap;
	int eof, pending;
} creader_member_src;
FILE *creader_member_open(creader_member_src *m, struct archive *a);

/* A look-ahead buffer over a cstream for record parsers, which keeps
 * track of where damage skipped by the stream lies: bytes before and
 * after a damaged region are never readable as one contiguous run.
 * Readable bytes are buf[pos .. crin_limit()). */
typedef struct crin {
	cstream *s;
	char *buf;
	size_t cap, pos, len;
	size_t max_cap;          /* growth limit */
	uint64_t base;           /* decompressed offset of buf[0] */
	int eof;
	int has_damage;          /* a damaged region lies at buf[damage_at] */
	size_t damage_at;
	int damage_count;
	char damage_msg[CERR_MSG_MAX];
} crin;

#define CRIN_DAMAGE 2

/* Takes ownership of s (freed by crin_release). */
int crin_init(crin *in, cstream *s, size_t max_cap, cerr *err);
void crin_release(crin *in);
static inline size_t crin_limit(const crin *in)
{
	return in->has_damage ? in->damage_at : in->len;
}
static inline size_t crin_avail(const crin *in)
{
	return crin_limit(in) - in->pos;
}
static inline uint64_t crin_offset(const crin *in)
{
	return in->base + in->pos;
}
/* Make more bytes readable, keeping the unread ones and growing the
 * buffer so that at least `want` unread bytes fit (up to max_cap).
 * Returns 1 when bytes were added, 0 at the end of the input,
 * CRIN_DAMAGE when the readable run ends at a damaged region (call
 * crin_pass_damage to go past it), or < 0 on a fatal error. */
int crin_more(crin *in, size_t want, cerr *err);
/* Drop the unread bytes before the damaged region and step over it;
 * returns the number of damaged regions and their description. */
int crin_pass_damage(crin *in, char *msg, size_t msglen);


/* ---- JSON lines: reader_jsonl.c and the purified copy --------------- */

/* The lines of a JSONL stream by the reader's rules: a line longer than
 * max_record is skipped as it streams past (counted, reported through
 * cx), and a damaged region of the stream takes the unread bytes before
 * it (the line it cuts).  on_skip, when set, is told of each run of
 * bytes skipped so (offset in the decompressed stream, bytes). */
enum { CJSONL_SKIP_LONG = 1, CJSONL_SKIP_DAMAGE };
typedef struct cjsonl_lines {
	crin in;
	const creader_ctx *cx;
	size_t max_record;
	uint64_t record;       /* records (non-empty lines) so far */
	uint64_t line_no;      /* 1-based line number of the next line */
	void (*on_skip)(void *ctx, uint64_t offset, uint64_t bytes, int why);
	void *skip_ctx;
} cjsonl_lines;
/* Next line: 1 with *p, *n (without its newline; the newline, when there
 * is one, is consumed too) and *off; 0 at the end; < 0 fatal. */
int cjsonl_next_line(cjsonl_lines *l, const char **p, size_t *n, uint64_t *off,
		     cerr *err);

/* ---- the WARC record walker: reader_warc.c and the purified copy ---- */

/* One record walk over a WARC stream, by the reader's rules: the header
 * bound (cwarc_max_header), Content-Length, the resynchronization after
 * damage and the look-ahead (crin).  The reader and the purified copy
 * (scan_purify.c) both walk records with it, so they cannot disagree on
 * record offsets or on what is skipped.  Every byte of the stream is
 * handed out once: as the CR/LF between records (CWARC_GAP), as a
 * skipped piece (CWARC_SKIP, damage reported through cx), or as a sound
 * record's header (CWARC_RECORD) whose body the caller then takes with
 * cwarc_body (or reads straight from the look-ahead and steps over). */
typedef struct cwarc {
	crin in;
	const creader_ctx *cx;
	size_t max_header;
	uint64_t record;         /* records started so far */
	uint64_t rec_offset, rec_index;
	uint64_t body_left;      /* unread body bytes of the current record */
	int in_body;
	int body_skip;           /* the body is skipped (handed out as SKIP) */
	int body_short;          /* the last body ran out before its length */
	int draining;            /* passing over a body the caller did not take */
	int resync, line_start;  /* looking for a record (line_start: here) */
	int skip_cont, skip_why; /* the skipped run goes on */
	int at_end;
} cwarc;

enum { CWARC_GAP = 1, CWARC_SKIP, CWARC_RECORD };
/* Why a run of bytes was skipped (its first piece says). */
enum {
	CWARC_WHY_RESYNC = 0,    /* bytes up to the next record */
	CWARC_WHY_NOT_RECORD,    /* no "WARC/" where a record must start */
	CWARC_WHY_HEADER,        /* header block too long, cut or damaged */
	CWARC_WHY_NO_LENGTH,
	CWARC_WHY_TWO_LENGTHS,
	CWARC_WHY_BAD_LENGTH,
	CWARC_WHY_NO_TYPE,
	CWARC_WHY_DAMAGE         /* bytes before a damaged region */
};

typedef struct cwarc_item {
	int kind;                /* CWARC_GAP, CWARC_SKIP, CWARC_RECORD */
	const char *p;           /* the bytes (GAP, SKIP) or header block */
	size_t n;                /* GAP, SKIP: bytes (already consumed) */
	uint64_t offset;         /* decompressed offset of p[0] */
	int cont;                /* SKIP: continues the previous skipped run */
	int why;                 /* SKIP: CWARC_WHY_* of the run */
	uint64_t index;          /* RECORD: record number */
	size_t hlen;             /* RECORD: header block length (not consumed) */
	cwarc_header h;          /* RECORD: parsed header */
} cwarc_item;

/* The end of a WARC header block (the blank line after "WARC/1.0" and
 * its headers) in s[0..n), looked for from the line that starts at
 * *line (0 at first; updated, so a caller can go on with more bytes):
 * 1 with the block's length, blank line included, in *len; 0 not in n. */
int cwarc_header_end(const char *s, size_t n, size_t *line, size_t *len);
/* The header-block bound for a max_record option (0: the default). */
size_t cwarc_max_header(uint64_t max_record);
/* The effective --max-record of every reader (0: the default). */
static inline uint64_t creader_max_record(uint64_t max_record)
{
	return max_record ? max_record : CREADER_DEFAULT_MAX_RECORD;
}
/* The longest JSONL line (and purify's record bound) for a max_record
 * option (0: the default), clamped to [16 B, 1 GiB]: the look-ahead
 * holds one such line, so the bound is also its memory. */
static inline size_t creader_line_max(uint64_t max_record)
{
	uint64_t mr = creader_max_record(max_record);
	return mr > (1u << 30) ? (size_t)1 << 30 : mr < 16 ? 16 : (size_t)mr;
}
static inline int cwarc_type_is(const cwarc_header *h, const char *t)
{
	size_t k = strlen(t);
	return h->type && h->type_len == k && strncasecmp(h->type, t, k) == 0;
}
/* Takes s (freed by cwarc_release).  `hold`: extra look-ahead room, for
 * a caller that holds a whole record of up to `hold` bytes. */
int cwarc_init(cwarc *w, cstream *s, const creader_ctx *cx, size_t hold,
	       cerr *err);
void cwarc_release(cwarc *w);
/* 1: the next item in *it (valid until the next call); 0: end; < 0 fatal. */
int cwarc_next(cwarc *w, cwarc_item *it, cerr *err);
/* Step over the header of the RECORD `it` into its body. */
void cwarc_enter_body(cwarc *w, const cwarc_item *it);
/* 1: the next piece of the body (at most max bytes); 0: the body's end
 * (body_short when it ran out: reported, resync set); < 0 fatal. */
int cwarc_body(cwarc *w, const char **p, size_t *n, size_t max, cerr *err);

#endif
