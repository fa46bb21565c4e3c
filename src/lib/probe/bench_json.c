/*
 * bench_json.c -- JSON and JSONL benchmark records, and the field paths
 * that pick text out of them.
 *
 * jansson parses (one line at a time for JSONL, the whole file for JSON)
 * and keeps object keys in insertion order, which is document order, so
 * "every string of the record, in order" is a plain walk of the tree.
 *
 * How a --field path selects values.  The path is split at dots and
 * walked from the record:
 *   - on an object, the step is a key.  A key may itself contain dots: if
 *     "a" is not a key, "a.b" is tried, and so on, shortest first;
 *   - on an array, a step made only of digits indexes the array
 *     ("choices.0"); any other step applies to every element in turn, so
 *     "question.choices.text" yields the text of each choice;
 *   - at the end of the path, a string is taken as is, a number or a
 *     boolean as its JSON text ("answer": 42 gives "42"), each element of
 *     an array is taken the same way, and an object gives all of its
 *     strings in document order.  null gives nothing.
 *   - "*" takes every element of an array or every value of an object
 *     ("@values" is the same on an object), "@keys" as the last step
 *     takes an object's keys as text (TruthfulQA's mc1_targets);
 *   - a leading '^' per level starts at the containers the record sits
 *     in (see --records below): "^context" is the paragraph's context.
 * Values from all --field paths, in the order given, are joined with
 * '\n'.  A record from which no path selects anything is an error; an
 * empty string counts as selected (the probe reports it as too short).
 * A record missing some of the paths is counted per path
 * (bench_reader_fields), and a path that selects nothing in any record of
 * the file is an error at the end, naming what the path found on its way
 * ("'question' has keys 'stem', 'choices'") and the records' keys.
 * --id-field uses the same paths and keeps the first value selected; it
 * too must be found in some record.  A record that is a bare string is
 * its own text, whatever --field says.
 *
 * Where the records are.  Without --records: each JSONL line, or the
 * elements of the top-level array, or of the one array found in the
 * top-level object.  A file whose records hold records that hold records
 * (SQuAD), an object with several arrays, and an object of many keyed
 * arrays are refused with the --records that would read them: reading
 * them at the wrong grain would score 48 articles for 10,570 questions.
 * --records PATH walks like a field path (arrays fan out, digits index,
 * "*" / "@values"), from the document (each JSONL line, or the JSON file)
 * and pushes every container it steps into on a chain; at the end, an
 * array's elements (or the value itself) are the records, each with its
 * chain for '^'.  The records of a document are listed once (bench_item:
 * the record and its slice of the chain), then handed out in order.
 */
#include "bench_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define JSON_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* Where selected values go: at most `max` of them (0: no limit).  When a
 * path finds nothing, stop_len/stop_val say how far it got: the longest
 * prefix of the path that resolved, and the value found there. */
typedef struct emit_ctx {
	cbuf *out;
	bench_segs *segs; /* value ends of an example's text, or NULL */
	cbuf *key;   /* scratch for NUL-terminated keys */
	size_t pieces;
	size_t max;
	const char *path;
	size_t stop_len;
	json_t *stop_val;
	bool keys_as_text;   /* without --field: see keys_are_text */
} emit_ctx;

static bool emit_full(const emit_ctx *e)
{
	return e->max && e->pieces >= e->max;
}

/* Parse with jansson; integers too large for json_int_t are read as reals
 * rather than rejected (ids and numbers in the wild do that). */
static json_t *parse(const char *s, size_t n, size_t flags, json_error_t *je)
{
	json_t *v = json_loadb(s, n, flags, je);
	if (!v && strstr(je->text, "too big integer"))
		v = json_loadb(s, n, flags | JSON_DECODE_INT_AS_REAL, je);
	return v;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* A scalar picked explicitly by a path: strings as is, numbers and
 * booleans as their JSON text, null as nothing. */
static int emit_scalar(emit_ctx *e, const json_t *v)
{
	char num[64];
	int n;
	if (emit_full(e))
		return CONTAM_OK;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return bench_join(e->out, e->segs, json_string_value(v),
				  json_string_length(v), &e->pieces);
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v));
		break;
	case JSON_REAL: {
		/* Shortest text that reads back as the same double. */
		double d = json_real_value(v);
		n = 0;
		for (int prec = 1; prec <= 17; prec++) {
			n = snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
		break;
	}
	case JSON_TRUE:
		n = snprintf(num, sizeof(num), "true");
		break;
	case JSON_FALSE:
		n = snprintf(num, sizeof(num), "false");
		break;
	default:
		return CONTAM_OK;
	}
	if (n < 0 || (size_t)n >= sizeof(num))
		return CONTAM_OK;
	return bench_join(e->out, e->segs, num, (size_t)n, &e->pieces);
}

/* Every string under v, in document order; numbers, booleans and null
 * are not text and are skipped. */
static int emit_strings(emit_ctx *e, json_t *v);

/* An option's label: "A", "b", "1", "(C)" -- short, no space. */
static bool is_label_value(const json_t *v)
{
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
			return false;
	return true;
}

/* One "LABEL. TEXT" value: an option as a copy would write it, so the
 * label reading (probe_item.c) can drop or keep "LABEL." as it does for
 * an option written that way in one string. */
static int emit_labelled(emit_ctx *e, const json_t *label, const json_t *text)
{
	cbuf *b = e->key;
	cbuf_reset(b);
	if (cbuf_append(b, json_string_value(label), json_string_length(label)) ||
	    cbuf_append(b, ". ", 2) ||
	    cbuf_append(b, json_string_value(text), json_string_length(text)))
		return CONTAM_E_NOMEM;
	return bench_join(e->out, e->segs, b->data, b->len, &e->pieces);
}

/* Options stored as {"label": "A", "text": "..."} (ARC's choices) or as
 * {"label": ["A", ...], "text": ["...", ...]} (the Hub's layout of them):
 * read label before text, "A. ...", not the text and then a stray "A"
 * after it, which no copy has.  Whether v was such an object (*done). */
static int emit_options(emit_ctx *e, json_t *v, bool *done)
{
	json_t *label = json_object_get(v, "label");
	json_t *text = json_object_get(v, "text");
	*done = false;
	if (!label || !text)
		return CONTAM_OK;
	if (is_label_value(label) && json_is_string(text)) {
		*done = true;
		if (emit_labelled(e, label, text))
			return CONTAM_E_NOMEM;
	} else if (json_is_array(label) && json_is_array(text) &&
		   json_array_size(label) == json_array_size(text) &&
		   json_array_size(label) > 0) {
		for (size_t i = 0; i < json_array_size(label); i++)
			if (!is_label_value(json_array_get(label, i)) ||
			    !json_is_string(json_array_get(text, i)))
				return CONTAM_OK;
		*done = true;
		for (size_t i = 0; i < json_array_size(label) && !emit_full(e); i++)
			if (emit_labelled(e, json_array_get(label, i),
					  json_array_get(text, i)))
				return CONTAM_E_NOMEM;
	} else {
		return CONTAM_OK;
	}
	/* the object's other values, in order */
	const char *k;
	json_t *child;
	json_object_foreach(v, k, child) {
		if (child == label || child == text)
			continue;
		int rc = emit_strings(e, child);
		if (rc < 0)
			return rc;
	}
	return CONTAM_OK;
}

/* An object whose values are all numbers or booleans and whose keys
 * are words, not names (one holds a space): its text is its keys (the
 * answers of TruthfulQA's mc1_targets, each mapped to 1 or 0).  Read
 * as values, it had none, and without --field the answers were left out
 * unsaid.  (A --field path to it still wants .@keys, as documented.) */
static bool keys_are_text(json_t *v)
{
	const char *k;
	json_t *child;
	bool spaced = false;
	if (json_object_size(v) == 0)
		return false;
	json_object_foreach(v, k, child) {
		if (!json_is_number(child) && !json_is_boolean(child))
			return false;
		spaced |= strchr(k, ' ') != NULL;
	}
	return spaced;
}

static int emit_strings(emit_ctx *e, json_t *v)
{
	int rc = CONTAM_OK;
	if (emit_full(e))
		return CONTAM_OK;
	if (json_is_string(v))
		return emit_scalar(e, v);
	if (json_is_object(v)) {
		const char *k;
		json_t *child;
		bool done;
		if (emit_options(e, v, &done) < 0)
			return CONTAM_E_NOMEM;
		if (done)
			return CONTAM_OK;
		if (e->keys_as_text && keys_are_text(v)) {
			/* TruthfulQA's {"answer text": 1, "another": 0} */
			json_object_foreach(v, k, child) {
				rc = bench_join(e->out, e->segs, k, strlen(k), &e->pieces);
				if (rc < 0 || emit_full(e))
					return rc;
			}
			return CONTAM_OK;
		}
		json_object_foreach(v, k, child) {
			rc = emit_strings(e, child);
			if (rc < 0)
				return rc;
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			rc = emit_strings(e, json_array_get(v, i));
			if (rc < 0)
				return rc;
		}
	}
	return rc;
}

/* The first step of a dotted path of n bytes: its length in *step, the
 * steps after it in *rest / *nrest (nrest 0: none); whether a dot
 * followed the step. */
static bool path_step(const char *path, size_t n, size_t *step, const char **rest,
		      size_t *nrest)
{
	const char *dot = memchr(path, '.', n);
	*step = dot ? (size_t)(dot - path) : n;
	*rest = dot ? dot + 1 : path + n;
	*nrest = dot ? n - *step - 1 : 0;
	return dot != NULL;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool step_is(const char *path, size_t n, const char *word)
{
	size_t m = strlen(word);
	return n >= m && memcmp(path, word, m) == 0 &&
	       (n == m || path[m] == '.');
}

static void note_stop(emit_ctx *e, const char *at, json_t *v)
{
	size_t len = (size_t)(at - e->path);
	if (len && at[-1] == '.')
		len--;
	if (len > e->stop_len || !e->stop_val) {
		e->stop_len = len;
		e->stop_val = v;
	}
}

/* Apply path[0..n) to v; see the top of the file. */
static int select_path(emit_ctx *e, json_t *v, const char *path, size_t n)
{
	int rc = CONTAM_OK;
	if (emit_full(e))
		return CONTAM_OK;
	if (n == 0) {
		if (json_is_object(v))
			return emit_strings(e, v);
		if (!json_is_array(v))
			return emit_scalar(e, v);
		for (size_t i = 0; i < json_array_size(v) && rc == CONTAM_OK; i++)
			rc = select_path(e, json_array_get(v, i), path, 0);
		return rc;
	}
	size_t step, nrest;
	const char *rest;
	const bool dot = path_step(path, n, &step, &rest, &nrest);
	if (json_is_array(v)) {
		if (all_digits(path, step)) {
			size_t idx = (size_t)strtoull(path, NULL, 10);
			if (idx >= json_array_size(v)) {
				note_stop(e, path, v);
				return CONTAM_OK;
			}
			return select_path(e, json_array_get(v, idx), rest, nrest);
		}
		if (step_is(path, n, "*"))
			path = rest, n = nrest;
		for (size_t i = 0; i < json_array_size(v) && rc == CONTAM_OK; i++)
			rc = select_path(e, json_array_get(v, i), path, n);
		return rc;
	}
	if (!json_is_object(v)) {
		note_stop(e, path, v);
		return CONTAM_OK;
	}
	/* @keys: the object's keys are the text (TruthfulQA's mc1_targets
	 * maps each choice to its label) */
	if (step_is(path, n, "@keys") && nrest == 0 && !dot) {
		const char *k;
		json_t *child;
		json_object_foreach(v, k, child) {
			(void)child;
			if (emit_full(e))
				break;
			if (bench_join(e->out, e->segs, k, strlen(k), &e->pieces))
				return CONTAM_E_NOMEM;
		}
		return CONTAM_OK;
	}
	if (step_is(path, n, "*") || step_is(path, n, "@values")) {
		const char *k;
		json_t *child;
		json_object_foreach(v, k, child) {
			rc = select_path(e, child, rest, nrest);
			if (rc < 0)
				return rc;
		}
		return rc;
	}
	/* Try "a", then "a.b", ... as the key; the first that exists wins. */
	for (size_t k = 0; k <= n; k++) {
		if (k < n && path[k] != '.')
			continue;
		cbuf_reset(e->key);
		if (cbuf_append(e->key, path, k) || cbuf_reserve(e->key, 0))
			return CONTAM_E_NOMEM;
		json_t *child = json_object_get(v, e->key->data);
		if (child)
			return k == n ? select_path(e, child, path + n, 0)
				      : select_path(e, child, path + k + 1,
						    n - k - 1);
	}
	note_stop(e, path, v);
	return CONTAM_OK;
}

/* "'question' has keys 'stem', 'choices'" for a path that stopped part of
 * the way (NULL when it stopped at the record itself: the message lists
 * the record's keys anyway). */
static char *stop_diag(const emit_ctx *e, int carets, bool doc)
{
	char buf[600];
	size_t used;
	if (!e->stop_val || (e->stop_len == 0 && !carets && !doc))
		return NULL;
	int w = e->stop_len == 0 && !carets
		? snprintf(buf, sizeof(buf), "the document ")
		: snprintf(buf, sizeof(buf), "'%.*s%.*s' ", carets,
			   "^^^^^^^^^^^^^^^^", (int)e->stop_len, e->path);
	used = w > 0 ? (size_t)w : 0;
	if (json_is_object(e->stop_val)) {
		const char *k;
		json_t *child;
		size_t nk = 0;
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "has keys ");
		json_object_foreach(e->stop_val, k, child) {
			(void)child;
			if (used >= sizeof(buf) - 1)
				break;
			if (nk++ == 20) {
				snprintf(buf + used, sizeof(buf) - used, ", ...");
				break;
			}
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
						 "%s'%s'", nk > 1 ? ", " : "", k);
		}
		if (!nk)
			snprintf(buf + used, sizeof(buf) - used, "none");
	} else if (json_is_array(e->stop_val)) {
		snprintf(buf + used, sizeof(buf) - used, "is an array of %zu",
			 json_array_size(e->stop_val));
	} else {
		snprintf(buf + used, sizeof(buf) - used, "is %s",
			 type_name(e->stop_val));
	}
	return cstrdup(buf);
}

/* Select `path` for a record: leading '^'s climb to the enclosing
 * containers of the record (--records), one per '^'. */
static int select_field(bench_reader *r, emit_ctx *e, json_t *rec,
			const bench_item *it, const char *path, int *carets)
{
	size_t up = 0;
	while (path[up] == '^')
		up++;
	*carets = (int)up;
	json_t *base = rec;
	if (up) {
		if (!it || up > it->chain_len) {
			e->stop_val = NULL;
			return CONTAM_OK;
		}
		base = r->chain[it->chain_first + it->chain_len - up];
	}
	e->path = path + up;
	e->stop_len = 0;
	e->stop_val = NULL;
	return select_path(e, base, path + up, strlen(path + up));
}

/* Without --field and --id-field: record's id-named key k (a string or
 * an integer; null: none) is its id if it is the reader's
 * (bench_take_auto_id). */
static int take_auto_id(bench_reader *r, const char *k, json_t *v)
{
	bool is_it;
	if (bench_take_auto_id(r, k, &is_it))
		return CONTAM_E_NOMEM;
	if (!is_it || r->id.len)
		return CONTAM_OK;
	emit_ctx ide = { &r->id, NULL, &r->scratch, 0, 1, "", 0, NULL, false };
	if (emit_scalar(&ide, v) || cbuf_reserve(&r->id, 0))
		return CONTAM_E_NOMEM;
	if (ide.pieces)
		r->id_records++;
	return CONTAM_OK;
}

/* Turn one parsed record into *ex. */
static int take_record(bench_reader *r, json_t *rec, const bench_item *it,
		       uint64_t line, bench_example *ex, cerr *err)
{
	uint64_t record = r->records;
	emit_ctx e = { &r->text, &r->segs, &r->scratch, 0, 0, "", 0, NULL, false };
	int rc = CONTAM_OK, carets;
	cbuf_reset(&r->text);
	r->segs.n = 0;
	cbuf_reset(&r->id);
	if (!json_is_object(rec) && !json_is_string(rec)) {
		/* records that are arrays holding an array of objects (C3:
		 * [dialogue, questions, id]): name the path to those */
		char hint[160] = "";
		for (size_t i = 0; json_is_array(rec) && !r->records_path &&
				   i < json_array_size(rec) && i < 64; i++) {
			json_t *a = json_array_get(rec, i);
			if (json_is_array(a) && json_array_size(a) &&
			    json_is_object(json_array_get(a, 0))) {
				snprintf(hint, sizeof hint, "; --records '*.%zu' "
					 "takes the objects in element %zu of each "
					 "(^N reaches element N of its array)", i, i);
				break;
			}
		}
		if (!hint[0] && json_is_array(rec) && !r->records_path)
			snprintf(hint, sizeof hint, "; --records PATH selects "
				 "records inside nested arrays");
		return bench_fail(r, err, line,
				  "expected a JSON object or string, got %s "
				  "(record %llu)%s", type_name(rec),
				  (unsigned long long)record, hint);
	}
	/* the keys for messages, from the first records (enough to name
	 * what a file holds; noting every record's would cost time) */
	if (json_is_object(rec) && record < 1000) {
		const char *k;
		json_t *child;
		json_object_foreach(rec, k, child) {
			(void)child;
			if (bench_note_key(r, k))
				return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		}
	}
	if (json_is_string(rec)) {
		rc = emit_strings(&e, rec);
	} else if (r->nfields == 0) {
		const char *k;
		json_t *child;
		e.keys_as_text = true;
		json_object_foreach(rec, k, child) {
			size_t before = e.pieces;
			if (!r->id_field && bench_is_id_name(k) &&
			    (json_is_string(child) || json_is_integer(child) ||
			     json_is_null(child))) {
				rc = take_auto_id(r, k, child);
				if (rc < 0)
					break;
				continue;
			}
			rc = emit_strings(&e, child);
			if (rc < 0)
				break;
			if (e.pieces > before && bench_auto_hit(r, k))
				rc = CONTAM_E_NOMEM;
		}
	} else {
		for (size_t i = 0; i < r->nfields && rc == CONTAM_OK; i++) {
			size_t before = e.pieces;
			rc = select_field(r, &e, rec, it, r->fields[i], &carets);
			if (rc < 0)
				break;
			if (e.pieces > before)
				bench_field_hit(r, i);
			else if (!r->fdiag[i])
				r->fdiag[i] = stop_diag(&e, carets, false);
		}
	}
	if (rc < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (e.pieces == 0) {
		char list[512], keys[600];
		const char *flag = r->field_flag ? r->field_flag : "--field";
		bench_keys_list(r, keys, sizeof(keys));
		if (r->nfields == 0)
			return bench_fail(r, err, line,
					  "no string values in the record "
					  "(record %llu)",
					  (unsigned long long)record);
		bench_fields_list(r, list, sizeof(list));
		return bench_fail(r, err, line, "no text at %s %s "
				  "(record %llu)%s%s; the records have keys: %s",
				  flag, list, (unsigned long long)record,
				  r->fdiag[0] ? ": " : "",
				  r->fdiag[0] ? r->fdiag[0] : "", keys);
	}
	if (cbuf_reserve(&r->text, 0))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");

	ex->id = r->id.len ? r->id.data : NULL; /* the auto id, if any */
	if (r->id_field && json_is_object(rec)) {
		emit_ctx ide = { &r->id, NULL, &r->scratch, 0, 1, "", 0, NULL, false };
		if (select_field(r, &ide, rec, it, r->id_field, &carets))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (ide.pieces) {
			ex->id = r->id.data;
			r->id_records++;
		} else if (!r->id_diag) {
			r->id_diag = stop_diag(&ide, carets, false);
		}
	}
	ex->text = r->text.data;
	ex->len = r->text.len;
	ex->record = record;
	ex->line = line;
	r->cur = rec;
	r->records++;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Records inside a document: --records PATH, and the default.          */

static int push_item(bench_reader *r, json_t *rec, json_t *const *stack,
		     size_t depth)
{
	if (r->nitems == r->items_cap) {
		size_t cap = r->items_cap ? r->items_cap * 2 : 64;
		bench_item *it = realloc(r->items, cap * sizeof(*it));
		if (!it)
			return CONTAM_E_NOMEM;
		r->items = it;
		r->items_cap = cap;
	}
	if (r->nchain + depth > r->chain_cap) {
		size_t cap = r->chain_cap ? r->chain_cap * 2 : 64;
		while (cap < r->nchain + depth)
			cap *= 2;
		json_t **c = realloc(r->chain, cap * sizeof(*c));
		if (!c)
			return CONTAM_E_NOMEM;
		r->chain = c;
		r->chain_cap = cap;
	}
	bench_item *it = &r->items[r->nitems++];
	it->rec = rec;
	it->chain_first = r->nchain;
	it->chain_len = depth;
	if (depth)
		memcpy(r->chain + r->nchain, stack, depth * sizeof(*stack));
	r->nchain += depth;
	return CONTAM_OK;
}

#define RECORDS_MAX_DEPTH 64

typedef struct rec_walk {
	bench_reader *r;
	json_t *stack[RECORDS_MAX_DEPTH];
	size_t depth;
	emit_ctx diag;   /* only the stop_* part is used */
	cbuf key;
} rec_walk;

/* Walk --records: arrays fan out (a digit step indexes, "*" is every
 * element), objects are entered by key ("*" / "@values": every value);
 * each container a step goes into is pushed on the chain that ^ climbs.
 * At the end of the path an array's elements are the records, anything
 * else is one record. */
static int walk_records(rec_walk *w, json_t *v, const char *path, size_t n)
{
	int rc = CONTAM_OK;
	if (n == 0) {
		if (!json_is_array(v))
			return push_item(w->r, v, w->stack, w->depth);
		for (size_t i = 0; i < json_array_size(v) && rc == CONTAM_OK; i++)
			rc = push_item(w->r, json_array_get(v, i), w->stack,
				       w->depth);
		return rc;
	}
	if (w->depth >= RECORDS_MAX_DEPTH)
		return CONTAM_E_LIMIT;
	size_t step, nrest;
	const char *rest;
	(void)path_step(path, n, &step, &rest, &nrest);
	if (json_is_array(v)) {
		if (all_digits(path, step)) {
			size_t idx = (size_t)strtoull(path, NULL, 10);
			if (idx >= json_array_size(v)) {
				note_stop(&w->diag, path, v);
				return CONTAM_OK;
			}
			w->stack[w->depth++] = v;
			rc = walk_records(w, json_array_get(v, idx), rest, nrest);
			w->depth--;
			return rc;
		}
		if (step_is(path, n, "*"))
			path = rest, n = nrest;
		for (size_t i = 0; i < json_array_size(v) && rc == CONTAM_OK; i++)
			rc = walk_records(w, json_array_get(v, i), path, n);
		return rc;
	}
	if (!json_is_object(v)) {
		note_stop(&w->diag, path, v);
		return CONTAM_OK;
	}
	w->stack[w->depth++] = v;
	if (step_is(path, n, "*") || step_is(path, n, "@values")) {
		const char *k;
		json_t *child;
		json_object_foreach(v, k, child) {
			rc = walk_records(w, child, rest, nrest);
			if (rc < 0)
				break;
		}
		w->depth--;
		return rc;
	}
	for (size_t k = 0; k <= n; k++) {
		if (k < n && path[k] != '.')
			continue;
		cbuf_reset(&w->key);
		if (cbuf_append(&w->key, path, k) || cbuf_reserve(&w->key, 0)) {
			w->depth--;
			return CONTAM_E_NOMEM;
		}
		json_t *child = json_object_get(v, w->key.data);
		if (child) {
			rc = k == n ? walk_records(w, child, path + n, 0)
				    : walk_records(w, child, path + k + 1,
						   n - k - 1);
			w->depth--;
			return rc;
		}
	}
	w->depth--;
	note_stop(&w->diag, path, v);
	return CONTAM_OK;
}

static void items_reset(bench_reader *r)
{
	r->nitems = r->nchain = r->next_item = 0;
}

/* The records of one document: by --records, else the document itself
 * (JSONL) or `array` (JSON: the top-level array or the one found in the
 * top-level object, whose chain is that object). */
static int expand_records(bench_reader *r, json_t *doc, json_t *array,
			  cerr *err)
{
	int rc = CONTAM_OK;
	items_reset(r);
	free(r->records_diag);
	r->records_diag = NULL;
	if (!r->records_path) {
		if (!array)
			return push_item(r, doc, NULL, 0) ? cerr_set(err,
				CONTAM_E_NOMEM, "out of memory") : CONTAM_OK;
		json_t *up[1] = { doc };
		size_t depth = doc != array ? 1 : 0;
		for (size_t i = 0; i < json_array_size(array) && rc == CONTAM_OK; i++)
			rc = push_item(r, json_array_get(array, i), up, depth);
		return rc ? cerr_set(err, CONTAM_E_NOMEM, "out of memory") : rc;
	}
	rec_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	w->r = r;
	const char *p = r->records_path;
	if (!strcmp(p, "."))
		p = "";
	w->diag.path = p;
	rc = walk_records(w, doc, p, strlen(p));
	if (rc == CONTAM_E_LIMIT)
		rc = bench_fail(r, err, 0, "--records '%s' is more than %d "
				"steps deep", r->records_path, RECORDS_MAX_DEPTH);
	else if (rc < 0)
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (rc >= 0 && r->nitems == 0) {
		char *d = stop_diag(&w->diag, 0, true);
		r->records_diag = d ? d : cstrdup("the arrays on it are empty");
	}
	cbuf_release(&w->key);
	free(w);
	return rc;
}

/* The first array of objects under v, through object keys only; its
 * path (dotted) goes to `path`. */
static json_t *find_object_array(json_t *v, cbuf *path, int depth)
{
	const char *k;
	json_t *child;
	if (!json_is_object(v) || depth > 8)
		return NULL;
	json_object_foreach(v, k, child) {
		size_t mark = path->len;
		if (mark && cbuf_putc(path, '.'))
			return NULL;
		if (cbuf_append(path, k, strlen(k)))
			return NULL;
		if (json_is_array(child) && json_array_size(child) &&
		    json_is_object(json_array_get(child, 0)))
			return child;
		json_t *a = find_object_array(child, path, depth + 1);
		if (a)
			return a;
		path->len = mark;
	}
	return NULL;
}

/* Without --records, a record that holds records that hold records
 * (SQuAD: article -> paragraphs -> qas) is read at the wrong grain: the
 * file is refused with the --records that would read the inner ones. */
static int check_nesting(bench_reader *r, json_t *rec, const char *prefix,
			 cerr *err)
{
	cbuf p1 = CBUF_INIT, p2 = CBUF_INIT;
	int rc = CONTAM_OK;
	if (r->records_path || !json_is_object(rec))
		return CONTAM_OK;
	json_t *a1 = find_object_array(rec, &p1, 0);
	if (a1 && find_object_array(json_array_get(a1, 0), &p2, 0) &&
	    !cbuf_reserve(&p1, 0) && !cbuf_reserve(&p2, 0))
		rc = bench_fail(r, err, 0, "the records hold nested records "
				"('%s' holds objects with an array of objects "
				"at '%s'): say which records to score: "
				"--records %s%s%s.%s (each element of '%s'), "
				"--records %s%s%s (each element of '%s'), with "
				"^FIELD for a field of an enclosing object, or "
				"--records %s for the records as they are",
				p1.data, p2.data,
				prefix, *prefix ? "." : "", p1.data, p2.data, p2.data,
				prefix, *prefix ? "." : "", p1.data, p1.data,
				*prefix ? prefix : ".");
	cbuf_release(&p1);
	cbuf_release(&p2);
	return rc;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\f' && s[i] != '\v')
			return false;
	return true;
}

int bench_jsonl_open(bench_reader *r, cerr *err)
{
	(void)err;
	return CONTAM_OK;
}

int bench_jsonl_next(bench_reader *r, bench_example *ex, cerr *err)
{
	int rc;
	for (;;) {
		if (r->next_item < r->nitems) {
			bench_item *it = &r->items[r->next_item++];
			return take_record(r, it->rec, r->records_path ? it : NULL,
					   r->line - 1, ex, err);
		}
		if (r->pos >= r->len)
			break;
		const char *s = r->data + r->pos;
		const char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		uint64_t line = r->line++;
		json_error_t je;
		r->pos += n + (nl ? 1 : 0);
		if (blank(s, n))
			continue;
		json_decref(r->doc);
		r->cur = NULL;
		items_reset(r);
		r->doc = parse(s, n, JSON_FLAGS, &je);
		if (!r->doc)
			return bench_fail(r, err, line,
					  "invalid JSON: %s (column %d)",
					  je.text, je.column);
		if (!r->records_path) {
			if (r->records == 0 &&
			    (rc = check_nesting(r, r->doc, "", err)) < 0)
				return rc;
			return take_record(r, r->doc, NULL, line, ex, err);
		}
		if ((rc = expand_records(r, r->doc, NULL, err)) < 0)
			return rc;
		/* a line the path does not fit would go unread: refused (a
		 * path that ends at an empty array is a line without records) */
		if (r->nitems == 0 && r->records_diag && strcmp(r->records_diag,
						"the arrays on it are empty"))
			return bench_fail(r, err, line, "--records '%s' selects "
					  "nothing in this line: %s",
					  r->records_path, r->records_diag);
		if (r->nitems == 0)
			r->docs_without++;
	}
	return bench_end(r, err);
}

/* A .json file is really JSON lines when its first line alone is a
 * complete object and something follows it. */
int bench_json_looks_jsonl(const char *data, size_t len)
{
	size_t i = 0;
	json_error_t je;
	while (i < len && (data[i] == ' ' || data[i] == '\t' ||
			   data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i == len || data[i] != '{')
		return 0;
	const char *nl = memchr(data + i, '\n', len - i);
	if (!nl)
		return 0;
	size_t n = (size_t)(nl - (data + i));
	json_t *v = parse(data + i, n, JSON_FLAGS, &je);
	int first_ok = v && json_is_object(v);
	json_decref(v);
	if (!first_ok)
		return 0;
	for (const char *p = nl; p < data + len; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 1;
	return 0;
}

/* The first non-empty array among the object's values; then one level
 * deeper, among the values of its object values; failing that, the first
 * (empty) array seen, so the file reads as having no examples.  `key`
 * gets the path of the array.  Two non-empty arrays at the top (train
 * and test) set *several to 2; one level deeper, arrays under more than
 * one key (an object of passages keyed by id, each with its questions)
 * are not one list of records either: *several is 1. */
static json_t *find_records(json_t *obj, cbuf *key, int *several)
{
	const char *k, *k2;
	json_t *v, *v2, *empty = NULL, *found = NULL;
	*several = 0;
	json_object_foreach(obj, k, v) {
		if (json_is_array(v)) {
			if (json_array_size(v)) {
				if (found) {
					/* {"train": [...], "test": [...]}:
					 * which one is not ours to guess */
					*several = 2;
					return found;
				}
				found = v;
				if (cbuf_append(key, k, strlen(k)))
					return NULL;
				continue;
			}
			if (!empty)
				empty = v;
		}
	}
	if (found)
		return found;
	json_object_foreach(obj, k, v) {
		if (!json_is_object(v))
			continue;
		json_object_foreach(v, k2, v2) {
			if (json_is_array(v2) && json_array_size(v2)) {
				if (found) {
					*several = 1;
					return found;
				}
				found = v2;
				if (cbuf_append(key, k, strlen(k)) ||
				    cbuf_putc(key, '.') ||
				    cbuf_append(key, k2, strlen(k2)))
					return NULL;
				break;
			}
			if (json_is_array(v2) && !empty)
				empty = v2;
		}
	}
	return found ? found : empty;
}

int bench_json_open(bench_reader *r, cerr *err)
{
	json_error_t je;
	cbuf key = CBUF_INIT;
	int several = 0, rc = CONTAM_OK;
	json_t *array = NULL;
	r->root = parse(r->data + r->pos, r->len - r->pos, JSON_FLAGS, &je);
	if (!r->root)
		return bench_fail(r, err, (uint64_t)(je.line > 0 ? je.line : 0),
				  "invalid JSON: %s (column %d)", je.text,
				  je.column);
	/* The tree holds copies of every string; the text is not needed. */
	free(r->data);
	r->data = NULL;
	r->len = r->pos = 0;
	if (r->records_path) {
		if (!json_is_array(r->root) && !json_is_object(r->root))
			return bench_fail(r, err, 0, "expected a JSON array or "
					  "object at the top level, got %s",
					  type_name(r->root));
		return expand_records(r, r->root, NULL, err);
	}
	if (json_is_array(r->root))
		array = r->root;
	else if (json_is_object(r->root))
		array = find_records(r->root, &key, &several);
	else
		return bench_fail(r, err, 0, "expected a JSON array or object "
				  "at the top level, got %s",
				  type_name(r->root));
	if (!array) {
		rc = bench_fail(r, err, 0, "no array of records in the "
				"top-level JSON object; --records PATH says "
				"where they are");
		goto out;
	}
	if (cbuf_reserve(&key, 0)) {
		rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	if (several == 2) {
		rc = bench_fail(r, err, 0, "the top-level object holds more "
				"than one array (the first at '%s'): say which "
				"are the records, e.g. --records %s", key.data,
				key.data);
		goto out;
	}
	if (several) {
		const char *dot = strchr(key.data, '.');
		rc = bench_fail(r, err, 0, "the top-level object holds arrays "
				"under several of its objects (the first at "
				"'%s'): say which records to score, e.g. "
				"--records '*.%s'", key.data, dot ? dot + 1 : "");
		goto out;
	}
	if (json_array_size(array) &&
	    (rc = check_nesting(r, json_array_get(array, 0), key.data, err)) < 0)
		goto out;
	rc = expand_records(r, r->root, array, err);
out:
	cbuf_release(&key);
	return rc;
}

int bench_json_next(bench_reader *r, bench_example *ex, cerr *err)
{
	if (r->next_item >= r->nitems)
		return bench_end(r, err);
	bench_item *it = &r->items[r->next_item++];
	return take_record(r, it->rec, it, 0, ex, err);
}

char *bench_json_dump(const bench_reader *r)
{
	return json_dumps(r->cur, JSON_COMPACT | JSON_PRESERVE_ORDER |
			  JSON_ENCODE_ANY);
}

void bench_json_release(bench_reader *r)
{
	json_decref(r->root);
	json_decref(r->doc);
	r->root = r->doc = r->cur = NULL;
	r->array = NULL;
	free(r->items);
	free(r->chain);
	free(r->records_diag);
	r->items = NULL;
	r->chain = NULL;
	r->records_diag = NULL;
	r->nitems = r->items_cap = r->nchain = r->chain_cap = 0;
}
