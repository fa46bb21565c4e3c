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
 * Values from all --field paths, in the order given, are joined with
 * '\n'.  A record from which no path selects anything is an error; an
 * empty string counts as selected (the probe reports it as too short).
 * --id-field uses the same paths and keeps the first value selected; a
 * missing id is not an error.  A record that is a bare string is its own
 * text, whatever --field says.
 */
#include "bench_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define JSON_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* Where selected values go: at most `max` of them (0: no limit). */
typedef struct emit_ctx {
	cbuf *out;
	cbuf *key;   /* scratch for NUL-terminated keys */
	size_t pieces;
	size_t max;
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
		return bench_join(e->out, json_string_value(v),
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
	return bench_join(e->out, num, (size_t)n, &e->pieces);
}

/* Every string under v, in document order; numbers, booleans and null
 * are not text and are skipped. */
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

static bool all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
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
	if (json_is_array(v)) {
		const char *dot = memchr(path, '.', n);
		size_t step = dot ? (size_t)(dot - path) : n;
		if (all_digits(path, step)) {
			size_t idx = (size_t)strtoull(path, NULL, 10);
			size_t rest = dot ? n - step - 1 : 0;
			if (idx >= json_array_size(v))
				return CONTAM_OK;
			return select_path(e, json_array_get(v, idx),
					   dot ? dot + 1 : path + n, rest);
		}
		for (size_t i = 0; i < json_array_size(v) && rc == CONTAM_OK; i++)
			rc = select_path(e, json_array_get(v, i), path, n);
		return rc;
	}
	if (!json_is_object(v))
		return CONTAM_OK;
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
	return CONTAM_OK;
}

/* Turn one parsed record into *ex. */
static int take_record(bench_reader *r, json_t *rec, uint64_t line,
		       bench_example *ex, cerr *err)
{
	uint64_t record = r->records;
	emit_ctx e = { &r->text, &r->scratch, 0, 0 };
	int rc = CONTAM_OK;
	cbuf_reset(&r->text);
	cbuf_reset(&r->id);
	if (!json_is_object(rec) && !json_is_string(rec))
		return bench_fail(r, err, line,
				  "expected a JSON object or string, got %s "
				  "(record %llu)", type_name(rec),
				  (unsigned long long)record);
	if (json_is_string(rec) || r->nfields == 0) {
		rc = emit_strings(&e, rec);
	} else {
		for (size_t i = 0; i < r->nfields && rc == CONTAM_OK; i++)
			rc = select_path(&e, rec, r->fields[i],
					 strlen(r->fields[i]));
	}
	if (rc < 0)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (e.pieces == 0) {
		char list[512];
		if (r->nfields == 0)
			return bench_fail(r, err, line,
					  "no string values in the record "
					  "(record %llu)",
					  (unsigned long long)record);
		bench_fields_list(r, list, sizeof(list));
		return bench_fail(r, err, line, "no text at --field %s "
				  "(record %llu)", list,
				  (unsigned long long)record);
	}
	if (cbuf_reserve(&r->text, 0))
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");

	ex->id = NULL;
	if (r->id_field && json_is_object(rec)) {
		emit_ctx ide = { &r->id, &r->scratch, 0, 1 };
		if (select_path(&ide, rec, r->id_field, strlen(r->id_field)))
			return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
		if (ide.pieces)
			ex->id = r->id.data;
	}
	ex->text = r->text.data;
	ex->len = r->text.len;
	ex->record = record;
	ex->line = line;
	r->records++;
	return 1;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\f' && s[i] != '\v')
			return false;
	return true;
}

int bench_jsonl_next(bench_reader *r, bench_example *ex, cerr *err)
{
	while (r->pos < r->len) {
		const char *s = r->data + r->pos;
		const char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		uint64_t line = r->line++;
		json_error_t je;
		r->pos += n + (nl ? 1 : 0);
		if (blank(s, n))
			continue;
		json_t *rec = parse(s, n, JSON_FLAGS, &je);
		if (!rec)
			return bench_fail(r, err, line,
					  "invalid JSON: %s (column %d)",
					  je.text, je.column);
		int rc = take_record(r, rec, line, ex, err);
		json_decref(rec);
		return rc;
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
 * (empty) array seen, so the file reads as having no examples. */
static json_t *find_records(json_t *obj)
{
	const char *k, *k2;
	json_t *v, *v2, *empty = NULL;
	json_object_foreach(obj, k, v) {
		if (json_is_array(v)) {
			if (json_array_size(v))
				return v;
			if (!empty)
				empty = v;
		}
	}
	json_object_foreach(obj, k, v) {
		if (!json_is_object(v))
			continue;
		json_object_foreach(v, k2, v2) {
			if (json_is_array(v2)) {
				if (json_array_size(v2))
					return v2;
				if (!empty)
					empty = v2;
			}
		}
	}
	return empty;
}

int bench_json_open(bench_reader *r, cerr *err)
{
	json_error_t je;
	r->root = parse(r->data + r->pos, r->len - r->pos, JSON_FLAGS, &je);
	if (!r->root)
		return bench_fail(r, err, (uint64_t)(je.line > 0 ? je.line : 0),
				  "invalid JSON: %s (column %d)", je.text,
				  je.column);
	/* The tree holds copies of every string; the text is not needed. */
	free(r->data);
	r->data = NULL;
	r->len = r->pos = 0;
	if (json_is_array(r->root))
		r->array = r->root;
	else if (json_is_object(r->root))
		r->array = find_records(r->root);
	else
		return bench_fail(r, err, 0, "expected a JSON array or object "
				  "at the top level, got %s",
				  type_name(r->root));
	if (!r->array)
		return bench_fail(r, err, 0, "no array of records in the "
				  "top-level JSON object");
	return CONTAM_OK;
}

int bench_json_next(bench_reader *r, bench_example *ex, cerr *err)
{
	if (r->index >= json_array_size(r->array))
		return bench_end(r, err);
	json_t *rec = json_array_get(r->array, r->index++);
	return take_record(r, rec, 0, ex, err);
}

char *bench_json_dump(const bench_reader *r, size_t i)
{
	return json_dumps(json_array_get(r->array, i),
			  JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

void bench_json_release(bench_reader *r)
{
	json_decref(r->root);
	r->root = NULL;
	r->array = NULL;
}
