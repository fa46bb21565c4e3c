/*
 * scan_report.c -- after the corpus pass: exact metrics, hit records and
 * the report.
 *
 * An example n-gram counts as hit when some corpus document contains it
 * (the Bloom probe's definition without its false positives), unless it
 * is in more than max_doc_freq documents; the hit vector then goes
 * through the probe's own cprobe_score, so the metrics cannot drift from
 * the probe's.  An example's doc_count is the number of documents whose
 * own matches (its kept chains) make it partial or contaminated.
 *
 * The report is the probe report (contam_report_json, same writer),
 * re-read with jansson to add the scan's fields: fields are only ever
 * added to the version 1 schema, never renamed. *
 * A hit record (one JSON line per corpus document with a match, files in
 * input order, documents in reader order):
 *
 *   file, kind, member       the corpus file, its kind, the archive member
 *   record, offset           record number and decompressed byte offset
 *                            of the record (in the member for archives)
 *   url, id                  WARC-Target-URI / JSON "url"; WARC-Record-ID
 *                            / JSON "id" (null when absent)
 *   doc_bytes, doc_tokens    size of the document text as the reader gave it
 *   ignored                  every match is of n-grams over --max-doc-freq
 *   examples[]               per example matched: benchmark, source,
 *                            record, id, start and end (bytes from its
 *                            first match to its last) and its metrics from this
 *                            document alone (tokens, ngrams, hits,
 *                            coverage, longest, verdict)
 *   regions[]                overlapping matches merged: start, end (byte
 *                            offsets in the document text, end exclusive),
 *                            token_start, token_end, tokens, ignored,
 *                            snippet (first 300 bytes), matches[]:
 *                            benchmark, source, record, id,
 *                            example_ngram (first n-gram of the example
 *                            matched), example_token (its first token:
 *                            fields are scored apart, so n-gram and token
 *                            numbers differ), ngrams, tokens, start, end,
 *                            ignored
 */
#include "scan.h"
#include "../probe/probe_metrics.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>
#include "../reader/reader.h"

int cscan_chain_kept(const contam_scan *s, const cscan_chain *c)
{
	if (!s->ignored)
		return 1;
	const uint32_t *ent = s->ex_entry + s->ex_first[c->ex];
	for (uint32_t p = c->pos; p < c->pos + c->npos; p++)
		if (!s->ignored[ent[p]])
			return 1;
	return 0;
}

static int put_str(cbuf *b, const char *s)
{
	if (!s)
		return cbuf_append(b, "null", 4);
	return cbuf_json_string(b, s, strlen(s));
}

static int put_example_ref(cbuf *b, const contam_example *e)
{
	int rc = cbuf_printf(b, "\"benchmark\": ");
	rc |= put_str(b, e->benchmark);
	rc |= cbuf_printf(b, ", \"source\": ");
	rc |= put_str(b, e->source);
	rc |= cbuf_printf(b, ", \"record\": %" PRIu64 ", \"id\": ", e->record);
	rc |= put_str(b, e->id);
	return rc;
}

/* Per example in one document: its metrics from this document alone. */
typedef struct doc_example {
	uint32_t ex;
	contam_example m;
	uint64_t lo, hi; /* the span of its chains in the document */
	uint64_t klo, khi; /* of its chains not ignored (--max-doc-freq) */
} doc_example;

static int cmp_by_ex(const void *a, const void *b, void *ctx)
{
	const cscan_chain *ch = ctx;
	uint32_t x = ch[*(const uint32_t *)a].ex, y = ch[*(const uint32_t *)b].ex;
	return x < y ? -1 : x > y;
}

/* Score every example of a hit document; fills out[0..*nout). */
static int score_doc(contam_scan *s, const cscan_hitdoc *hd, unsigned char *hit,
		     uint32_t *order, doc_example *out, size_t *nout)
{
	size_t k = 0;
	for (size_t i = 0; i < hd->nchains; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, hd->nchains, sizeof(*order), cmp_by_ex, hd->chains);
	for (size_t i = 0; i < hd->nchains;) {
		uint32_t ex = hd->chains[order[i]].ex;
		size_t G = s->set.items[ex].ngrams;
		const uint32_t *ent = s->ex_entry + s->ex_first[ex];
		const unsigned char *tmpl = s->ex_tmpl + s->ex_first[ex];
		uint64_t lo = UINT64_MAX, hi = 0, klo = UINT64_MAX, khi = 0;
		for (size_t p = 0; p < G; p++)
			hit[p] = tmpl[p] ? CPROBE_TEMPLATE : CPROBE_MISS;
		for (; i < hd->nchains && hd->chains[order[i]].ex == ex; i++) {
			const cscan_chain *c = &hd->chains[order[i]];
			for (uint32_t p = c->pos; p < c->pos + c->npos && p < G; p++)
				if (!tmpl[p])
					hit[p] = s->ignored && s->ignored[ent[p]]
						 ? CPROBE_FREQUENT : CPROBE_HIT;
			if (c->start < lo)
				lo = c->start;
			if (c->end > hi)
				hi = c->end;
			if (cscan_chain_kept(s, c)) {
				if (c->start < klo)
					klo = c->start;
				if (c->end > khi)
					khi = c->end;
			}
		}
		out[k].lo = lo;
		out[k].hi = hi;
		out[k].klo = klo;
		out[k].khi = khi;
		out[k].ex = ex;
		out[k].m = s->set.examples[ex];
		cprobe_item_score(&out[k].m, &s->set.items[ex], hit, &s->rule,
				  s->set.split[ex]);
		k++;
	}
	*nout = k;
	return CONTAM_OK;
}

static int write_hit(contam_scan *s, const cscan_file *f, const cscan_hitdoc *hd,
		     const doc_example *de, size_t nde, cbuf *b)
{
	int rc = 0, any_kept = 0;
	for (size_t i = 0; i < hd->nchains; i++)
		any_kept |= cscan_chain_kept(s, &hd->chains[i]);
	cbuf_reset(b);
	rc |= cbuf_printf(b, "{\"file\": ");
	rc |= put_str(b, f->path);
	rc |= cbuf_printf(b, ", \"kind\": \"%s\", \"member\": ",
			  contam_input_kind_name(f->kind));
	rc |= put_str(b, hd->member);
	rc |= cbuf_printf(b, ", \"record\": %" PRIu64 ", \"offset\": %" PRIu64
			  ", \"url\": ", hd->record, hd->offset);
	rc |= put_str(b, hd->url);
	rc |= cbuf_printf(b, ", \"id\": ");
	rc |= put_str(b, hd->id);
	rc |= cbuf_printf(b, ", \"doc_bytes\": %" PRIu64 ", \"doc_tokens\": %" PRIu64
			  ", \"ignored\": %s, \"examples\": [",
			  hd->bytes, hd->tokens, any_kept ? "false" : "true");
	for (size_t i = 0; i < nde; i++) {
		const contam_example *m = &de[i].m;
		/* from score_doc: a search of every chain per example was
		 * quadratic in a document matching many examples */
		uint64_t lo = de[i].lo, hi = de[i].hi;
		rc |= cbuf_printf(b, "%s{", i ? ", " : "");
		rc |= put_example_ref(b, m);
		rc |= cbuf_printf(b, ", \"start\": %" PRIu64 ", \"end\": %" PRIu64, lo, hi);
		rc |= cbuf_printf(b, ", \"tokens\": %u, \"ngrams\": %u, \"hits\": %u"
				  ", \"coverage\": %.6g, \"longest\": %u, \"verdict\": \"%s\"}",
				  m->tokens, m->ngrams, m->hits, m->coverage,
				  m->longest, contam_verdict_name(m->verdict));
	}
	rc |= cbuf_printf(b, "], \"regions\": [");
	for (size_t i = 0; i < hd->nregions; i++) {
		const cscan_region *r = &hd->regions[i];
		int kept = 0;
		for (uint32_t j = r->first; j < r->first + r->nchains; j++)
			kept |= cscan_chain_kept(s, &hd->chains[j]);
		rc |= cbuf_printf(b, "%s{\"start\": %" PRIu64 ", \"end\": %" PRIu64
				  ", \"token_start\": %" PRIu64 ", \"token_end\": %" PRIu64
				  ", \"tokens\": %" PRIu64 ", \"ignored\": %s, \"snippet\": ",
				  i ? ", " : "", r->start, r->end, r->tok_start,
				  r->tok_end, r->tok_end - r->tok_start,
				  kept ? "false" : "true");
		rc |= put_str(b, r->snippet);
		rc |= cbuf_printf(b, ", \"matches\": [");
		for (uint32_t j = r->first; j < r->first + r->nchains; j++) {
			const cscan_chain *c = &hd->chains[j];
			rc |= cbuf_printf(b, "%s{", j > r->first ? ", " : "");
			rc |= put_example_ref(b, &s->set.examples[c->ex]);
			rc |= cbuf_printf(b, ", \"example_ngram\": %u, \"example_token\": %u"
					  ", \"ngrams\": %u, \"tokens\": %u, \"start\": %" PRIu64
					  ", \"end\": %" PRIu64 ", \"ignored\": %s}",
					  c->pos, s->set.items[c->ex].first[c->pos],
					  c->npos, c->npos + s->opt.ngram - 1,
					  c->start, c->end,
					  cscan_chain_kept(s, c) ? "false" : "true");
		}
		rc |= cbuf_printf(b, "]}");
	}
	rc |= cbuf_printf(b, "]}\n");
	if (rc)
		return CONTAM_E_NOMEM;
	if (fwrite(b->data, 1, b->len, s->opt.hits) != b->len)
		return CONTAM_E_IO;
	return CONTAM_OK;
}

/* Called per hit document with its examples scored (score_doc); < 0
 * stops the walk with that code (err set by the callee). */
typedef int (*doc_fn)(contam_scan *s, const cscan_file *f, const cscan_hitdoc *hd,
		      const doc_example *de, size_t nde, void *ctx, cerr *err);

/* Every hit document of every file, read back from the spill file in
 * input order, its examples scored from its own matches alone. */
static int each_hit_doc(contam_scan *s, doc_fn fn, void *ctx, cerr *err)
{
	unsigned char *hit = malloc(s->max_ngrams ? s->max_ngrams : 1);
	uint32_t *order = NULL;
	doc_example *de = NULL;
	size_t cap = 0;
	int rc = CONTAM_OK;

	if (!hit)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	for (size_t fi = 0; fi < s->nfiles; fi++) {
		const cscan_file *f = &s->files[fi];
		cscan_hits it;
		cscan_hitdoc one, *hd = &one;
		cscan_hits_open(&it, s, f);
		while ((rc = cscan_hits_next(&it, hd, err)) == 1) {
			size_t nde = 0;
			if (hd->nchains > cap) {
				size_t c2 = hd->nchains * 2;
				uint32_t *o = realloc(order, c2 * sizeof(*o));
				if (o)
					order = o;
				doc_example *x = realloc(de, c2 * sizeof(*x));
				if (x)
					de = x;
				if (!o || !x) {
					rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
					cscan_hitdoc_release(hd);
					break;
				}
				cap = c2;
			}
			score_doc(s, hd, hit, order, de, &nde);
			rc = fn(s, f, hd, de, nde, ctx, err);
			cscan_hitdoc_release(hd);
			if (rc < 0)
				break;
		}
		cscan_hits_close(&it);
		if (rc < 0)
			break;
		rc = CONTAM_OK;
	}
	free(hit);
	free(order);
	free(de);
	return rc;
}

/* cscan_finish, per hit document: doc counts and the hit record. */
static int count_and_write(contam_scan *s, const cscan_file *f,
			   const cscan_hitdoc *hd, const doc_example *de,
			   size_t nde, void *ctx, cerr *err)
{
	cbuf *b = ctx;
	int rc;
	for (size_t i = 0; i < nde; i++)
		if (de[i].m.verdict == CONTAM_PARTIAL ||
		    de[i].m.verdict == CONTAM_CONTAMINATED)
			s->doc_count[de[i].ex]++;
	if (s->opt.hits && (rc = write_hit(s, f, hd, de, nde, b)))
		return cerr_set(err, rc, rc == CONTAM_E_IO ?
				"cannot write the hit records" : "out of memory");
	return CONTAM_OK;
}

int cscan_finish(contam_scan *s, cerr *err)
{
	const cscan_table *t = &s->table;
	const cbench_set *bs = &s->set;
	unsigned char *hit = malloc(s->max_ngrams ? s->max_ngrams : 1);
	cbuf b = CBUF_INIT;
	int rc = CONTAM_OK;

	if (!hit)
		return cerr_set(err, CONTAM_E_NOMEM, "out of memory");
	if (s->opt.max_doc_freq) {
		s->ignored = calloc(t->nentries ? t->nentries : 1, 1);
		if (!s->ignored) {
			rc = cerr_set(err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
		for (size_t e = 0; e < t->nentries; e++)
			if (t->docs[e] > s->opt.max_doc_freq) {
				s->ignored[e] = 1;
				s->stats.ignored_ngrams++;
			}
	}
	/* per document (read back from the spill file): doc counts and hit
	 * records */
	if ((rc = each_hit_doc(s, count_and_write, &b, err)) < 0)
		goto out;
	if (s->opt.hits && fflush(s->opt.hits)) {
		rc = cerr_set(err, CONTAM_E_IO, "cannot write the hit records");
		goto out;
	}
	/* per example: the corpus-wide hit vector */
	for (size_t i = 0; i < bs->nexamples; i++) {
		contam_example *ex = &bs->examples[i];
		size_t G = bs->items[i].ngrams;
		const uint32_t *ent = s->ex_entry + s->ex_first[i];
		const unsigned char *tmpl = s->ex_tmpl + s->ex_first[i];
		for (size_t p = 0; p < G; p++) {
			uint32_t e = ent[p];
			if (tmpl[p])
				hit[p] = CPROBE_TEMPLATE;
			else if (e == CSCAN_NONE || t->docs[e] == 0)
				hit[p] = CPROBE_MISS;
			else
				hit[p] = s->ignored && s->ignored[e] ? CPROBE_FREQUENT
								     : CPROBE_HIT;
		}
		cprobe_item_score(ex, &bs->items[i], hit, &s->rule, bs->split[i]);
		for (size_t k = 0; k < bs->nbenchmarks; k++)
			if (bs->benchmarks[k].name == ex->benchmark) {
				bs->benchmarks[k].template_ngrams += ex->template_ngrams;
				bs->benchmarks[k].frequent_ngrams += ex->frequent_ngrams;
				break;
			}
	}
	cbench_set_tally(&s->set);
out:
	free(hit);
	cbuf_release(&b);
	return rc;
}

void contam_scan_result(const contam_scan *s, contam_result *out)
{
	memset(out, 0, sizeof(*out));
	out->index_path = NULL;
	out->exact_scan = 1;
	out->index.params.ngram = s->opt.ngram;
	out->index.params.seed = s->seed;
	out->index.params.recipe_version = CONTAM_RECIPE_VERSION;
	out->index.recipe = contam_recipe();
	out->index.fpr = 0;
	out->index.ngrams_inserted = s->stats.ngrams;
	out->index.documents = s->stats.documents;
	out->index.errors = s->stats.errors;
	/* what the scan did not read: the table's "not scanned:" and
	 * "misread:" lines and the report's index.unread, as a probe's */
	for (size_t i = 0; i < s->nfiles; i++) {
		int any = 0;
		for (int k = 0; k < CONTAM_PROBLEMS; k++) {
			out->unread_problems[k] += s->files[i].problems[k];
			any |= s->files[i].problems[k] != 0;
		}
		out->unread_inputs += any;
	}
	memcpy(out->unread_skipped, s->skipped, sizeof out->unread_skipped);
	out->min_span = s->opt.min_span;
	out->benchmarks = s->set.benchmarks;
	out->nbenchmarks = s->set.nbenchmarks;
	out->examples = s->set.examples;
	out->nexamples = s->set.nexamples;
	out->qa_split = s->set.qa;
	out->rules = s->opt.rules;
	out->max_doc_freq = s->opt.max_doc_freq;
}

uint64_t contam_scan_doc_count(const contam_scan *s, size_t i)
{
	return s->doc_count && i < s->set.nexamples ? s->doc_count[i] : 0;
}

/* The text of n-gram `pos` of example `ex`, as it reads in the example. */
static json_t *ngram_text(const contam_scan *s, uint32_t ex, uint32_t pos)
{
	const cprobe_item *it = &s->set.items[ex];
	if (pos >= it->ngrams)
		return json_null();
	uint64_t start = it->tok_start[it->first[pos]];
	uint64_t end = it->tok_end[it->first[pos] + s->opt.ngram - 1];
	if (end <= start || end > s->set.text_len[ex])
		return json_null();
	return json_stringn_nocheck(s->set.texts[ex] + start, (size_t)(end - start));
}

static int cmp_docs_desc(const void *a, const void *b, void *ctx)
{
	const uint64_t *docs = ctx;
	uint64_t x = docs[*(const uint32_t *)a], y = docs[*(const uint32_t *)b];
	if (x != y)
		return x > y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

#define FREQUENT_LISTED 20

static json_t *scan_object(const contam_scan *s)
{
	const cscan_table *t = &s->table;
	const contam_scan_stats *st = &s->stats;
	json_t *o = json_object();
	json_object_set_new(o, "exact", json_true());
	json_object_set_new(o, "seed", json_sprintf("0x%016" PRIx64, s->seed));
	json_object_set_new(o, "files", json_integer((json_int_t)st->files));
	json_object_set_new(o, "documents", json_integer((json_int_t)st->documents));
	json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes_in));
	json_object_set_new(o, "bytes_text", json_integer((json_int_t)st->bytes_text));
	json_object_set_new(o, "ngrams", json_integer((json_int_t)st->ngrams));
	json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
	json_object_set_new(o, "not_utf8_bytes", json_integer((json_int_t)st->not_utf8_bytes));
	json_object_set_new(o, "hit_documents", json_integer((json_int_t)st->hit_documents));
	json_object_set_new(o, "table_ngrams", json_integer((json_int_t)st->table_ngrams));
	json_object_set_new(o, "max_doc_freq", s->opt.max_doc_freq ?
			    json_integer((json_int_t)s->opt.max_doc_freq) : json_null());
	json_object_set_new(o, "ignored_ngrams", json_integer((json_int_t)st->ignored_ngrams));
	/* the most frequent matched n-grams (the ignored ones first, as they
	 * are the most frequent) */
	size_t nm = 0;
	for (size_t e = 0; e < t->nentries; e++)
		nm += t->docs[e] > 0;
	json_t *arr = json_array();
	uint32_t *idx = malloc((nm ? nm : 1) * sizeof(*idx));
	if (idx) {
		size_t k = 0;
		for (size_t e = 0; e < t->nentries; e++)
			if (t->docs[e] > 0)
				idx[k++] = (uint32_t)e;
		qsort_r(idx, nm, sizeof(*idx), cmp_docs_desc, t->docs);
		size_t show = nm < FREQUENT_LISTED ? nm : FREQUENT_LISTED;
		if (st->ignored_ngrams > show)
			show = st->ignored_ngrams < 1000 ? st->ignored_ngrams : 1000;
		for (size_t i = 0; i < show && i < nm; i++) {
			uint32_t e = idx[i];
			const cscan_posting *p = &t->post[t->post_first[e]];
			json_t *g = json_object();
			json_object_set_new(g, "ngram", ngram_text(s, p->ex, p->pos));
			json_object_set_new(g, "hash", json_sprintf("%016" PRIx64, t->hash[e]));
			json_object_set_new(g, "documents", json_integer((json_int_t)t->docs[e]));
			json_object_set_new(g, "examples", json_integer((json_int_t)t->post_count[e]));
			json_object_set_new(g, "ignored", json_boolean(s->ignored && s->ignored[e]));
			json_array_append_new(arr, g);
		}
		free(idx);
	}
	json_object_set_new(o, "frequent_ngrams", arr);
	json_object_set_new(o, "seconds", json_real(st->seconds));
	if (s->opt.purify_dir) {
		json_t *pu = json_object();
		json_object_set_new(pu, "dir", json_string(s->opt.purify_dir));
		json_object_set_new(pu, "mode", json_string(
			s->opt.purify_mode == CONTAM_PURIFY_CUT ? "cut" : "drop"));
		json_object_set_new(pu, "files", json_integer((json_int_t)st->purified_files));
		json_object_set_new(pu, "dropped_documents", json_integer((json_int_t)st->dropped_documents));
		json_object_set_new(pu, "cut_documents", json_integer((json_int_t)st->cut_documents));
		json_object_set_new(pu, "cut_regions", json_integer((json_int_t)st->cut_regions));
		json_object_set_new(pu, "unread_records", json_integer((json_int_t)st->purify_unread));
		json_object_set_new(o, "purify", pu);
	}
	if (s->nd)
		json_object_set_new(o, "near_dup", cscan_nd_json(s));
	return o;
}

#define PROVENANCE_MAX 5

/* Per example, the first PROVENANCE_MAX documents where it is partial or
 * contaminated: file, member, record, offset, url, id and the byte range
 * of its matches there.  An array of json arrays (NULL where none). */
/* provenance, per hit document: where its examples are flagged. */
static int note_provenance(contam_scan *s, const cscan_file *f,
			   const cscan_hitdoc *hd, const doc_example *de,
			   size_t nde, void *ctx, cerr *err)
{
	json_t **pv = ctx;
	(void)s;
	(void)err;
	for (size_t i = 0; i < nde; i++) {
		uint32_t ex = de[i].ex;
		if (de[i].m.verdict != CONTAM_PARTIAL &&
		    de[i].m.verdict != CONTAM_CONTAMINATED)
			continue;
		if (!pv[ex])
			pv[ex] = json_array();
		if (json_array_size(pv[ex]) >= PROVENANCE_MAX)
			continue;
		uint64_t lo = de[i].klo, hi = de[i].khi; /* score_doc's */
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(f->path));
		json_object_set_new(o, "member", hd->member ? json_string(hd->member) : json_null());
		json_object_set_new(o, "record", json_integer((json_int_t)hd->record));
		json_object_set_new(o, "offset", json_integer((json_int_t)hd->offset));
		json_object_set_new(o, "url", hd->url ? json_string(hd->url) : json_null());
		json_object_set_new(o, "id", hd->id ? json_string(hd->id) : json_null());
		json_object_set_new(o, "start", json_integer((json_int_t)lo));
		json_object_set_new(o, "end", json_integer((json_int_t)hi));
		json_object_set_new(o, "coverage", json_real(de[i].m.coverage));
		json_array_append_new(pv[ex], o);
	}
	return CONTAM_OK;
}

/* Per example, the first PROVENANCE_MAX documents where it is partial or
 * contaminated: file, member, record, offset, url, id and the byte range
 * of its matches there.  An array of json arrays (NULL where none). */
static json_t **provenance(const contam_scan *cs)
{
	contam_scan *s = (contam_scan *)cs; /* score_doc only reads */
	size_t n = s->set.nexamples;
	json_t **pv = calloc(n ? n : 1, sizeof(*pv));
	cerr err;
	if (!pv)
		return NULL;
	if (each_hit_doc(s, note_provenance, pv, &err) < 0) {
		for (size_t i = 0; i < n; i++)
			json_decref(pv[i]);
		free(pv);
		return NULL;
	}
	return pv;
}

/* ---- the report, streamed --------------------------------------------
 *
 * The probe report (contam_report_json) goes to an unlinked temporary
 * file; it is read back piece by piece: its head (everything before
 * "examples", small) is parsed whole, then each example object alone,
 * given the scan's fields and written out; the result is what dumping
 * the whole document with jansson gives (JSON_INDENT(2)), byte for byte,
 * at the memory of one example rather than ~4 KB per example. */

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* v dumped as at depth `ind` (its inner lines indented by ind spaces) */
static int put_dump(FILE *out, json_t *v, int ind)
{
	char *d = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
	if (!d)
		return CONTAM_E_NOMEM;
	static const char spaces[] = "        ";
	int rc = CONTAM_OK;
	assert(ind < (int)sizeof spaces);
	for (const char *q = d; *q && !rc;) {
		const char *nl = strchr(q, '\n');
		size_t n = nl ? (size_t)(nl - q) + 1 : strlen(q);
		if (fwrite(q, 1, n, out) != n || (nl && fwrite(spaces, 1, (size_t)ind, out) != (size_t)ind))
			rc = CONTAM_E_IO;
		q += n;
	}
	free(d);
	return rc;
}

typedef struct jtext {
	FILE *f;
	char *buf;
	size_t cap, len, pos;
	int eof;
} jtext;

/* Read more of the file, keeping buf[pos..len). */
static int jtext_more(jtext *j)
{
	if (j->eof)
		return 0;
	if (j->pos) {
		memmove(j->buf, j->buf + j->pos, j->len - j->pos);
		j->len -= j->pos;
		j->pos = 0;
	}
	if (j->cap - j->len < (1u << 16)) {
		size_t cap = j->cap ? j->cap * 2 : (1u << 20);
		char *b = realloc(j->buf, cap);
		if (!b)
			return CONTAM_E_NOMEM;
		j->buf = b;
		j->cap = cap;
	}
	size_t n = fread(j->buf + j->len, 1, j->cap - j->len, j->f);
	if (n == 0)
		j->eof = 1;
	j->len += n;
	return ferror(j->f) ? CONTAM_E_IO : 1;
}

typedef void (*example_fn)(const contam_scan *s, size_t k, json_t *o, void *ctx);

static int stream_report(const contam_scan *s, const contam_result *r, FILE *out,
			 example_fn each, void *ctx, const char *tail_key, json_t *tail)
{
	static const char mark[] = "\n  \"examples\": [";
	jtext j = { 0 };
	json_t *head = NULL, *o = NULL;
	json_error_t jerr;
	cerr perr;
	int rc = CONTAM_OK;
	const char *dir = getenv("TMPDIR");
	char path[4096];

	snprintf(path, sizeof path, "%s/contam-report-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0 || !(j.f = fdopen(fd, "w+b"))) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		rc = CONTAM_E_IO;
		goto out;
	}
	unlink(path);
	if ((rc = contam_report_json(r, j.f)))
		goto out;
	rewind(j.f);
	/* the head, up to the examples */
	const char *m = NULL;
	while (!m) {
		int mr = jtext_more(&j);
		if (mr < 0) {
			rc = mr;
			goto out;
		}
		m = memmem(j.buf, j.len, mark, sizeof mark - 1);
		if (!m && j.eof) {
			rc = CONTAM_E_FORMAT;
			goto out;
		}
	}
	size_t hlen = (size_t)(m - j.buf);
	cbuf hb = CBUF_INIT;
	if (cbuf_append(&hb, j.buf, hlen) || cbuf_printf(&hb, "%s]}", mark)) {
		cbuf_release(&hb);
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	head = json_loadb(hb.data, hb.len, 0, &jerr);
	cbuf_release(&hb);
	if (!head) {
		rc = CONTAM_E_FORMAT;
		goto out;
	}
	j.pos = hlen + sizeof mark - 1;
	if (fputc('{', out) == EOF)
		rc = CONTAM_E_IO;
	const char *key;
	json_t *v;
	int first = 1;
	json_object_foreach(head, key, v) {
		if (!strcmp(key, "examples"))
			continue;
		if (fprintf(out, "%s\n  \"%s\": ", first ? "" : ",", key) < 0)
			rc = CONTAM_E_IO;
		first = 0;
		if (!rc)
			rc = put_dump(out, v, 2);
	}
	if (!rc && fprintf(out, ",\n  \"examples\": ") < 0)
		rc = CONTAM_E_IO;
	/* the examples, one at a time */
	size_t k = 0;
	while (!rc) {
		while (j.pos < j.len && strchr(" \t\r\n,", j.buf[j.pos]))
			j.pos++;
		if (j.pos == j.len) {
			int mr = jtext_more(&j);
			if (mr < 0)
				rc = mr;
			else if (mr == 0)
				rc = CONTAM_E_FORMAT;
			continue;
		}
		if (j.buf[j.pos] == ']')
			break;
		size_t end;
		cerr_clear(&perr);
		if (cjson_skip_value(j.buf + j.pos, j.len - j.pos, &end, &perr)) {
			int mr = jtext_more(&j); /* cut by the buffer's end */
			if (mr < 0)
				rc = mr;
			else if (mr == 0)
				rc = CONTAM_E_FORMAT;
			continue;
		}
		if (!(o = json_loadb(j.buf + j.pos, end, 0, &jerr))) {
			rc = CONTAM_E_FORMAT;
			break;
		}
		j.pos += end;
		each(s, k, o, ctx);
		if (fprintf(out, "%s\n    ", k ? "," : "[") < 0)
			rc = CONTAM_E_IO;
		if (!rc)
			rc = put_dump(out, o, 4);
		json_decref(o);
		o = NULL;
		k++;
	}
	if (!rc && fputs(k ? "\n  ]" : "[]", out) == EOF)
		rc = CONTAM_E_IO;
	if (!rc && tail) {
		if (fprintf(out, ",\n  \"%s\": ", tail_key) < 0)
			rc = CONTAM_E_IO;
		else
			rc = put_dump(out, tail, 2);
	}
	if (!rc && (fputs("\n}\n", out) == EOF || fflush(out)))
		rc = CONTAM_E_IO;
out:
	json_decref(o);
	json_decref(head);
	json_decref(tail);
	if (j.f)
		fclose(j.f);
	free(j.buf);
	return rc;
}

/* The scan's fields of example i, added to its report object o. */
static void add_example_fields(const contam_scan *s, size_t i, json_t *o, json_t **pv)
{
	json_object_set_new(o, "doc_count", json_integer((json_int_t)s->doc_count[i]));
	const uint32_t *ent = s->ex_entry + s->ex_first[i];
	json_t *nd = json_array();
	int any = 0;
	uint64_t ign = 0;
	size_t g0, g1; /* the reading the score took */
	cprobe_item_reading(&s->set.items[i], cprobe_took_alt(&s->set.examples[i]), &g0, &g1);
	for (size_t p = g0; p < g1; p++) {
		uint64_t d = ent[p] == CSCAN_NONE ? 0 : s->table.docs[ent[p]];
		any |= d > 0;
		ign += s->ignored && ent[p] != CSCAN_NONE && s->ignored[ent[p]];
		json_array_append_new(nd, json_integer((json_int_t)d));
	}
	if (any)
		json_object_set_new(o, "ngram_docs", nd);
	else
		json_decref(nd);
	json_object_set_new(o, "ignored_ngrams", json_integer((json_int_t)ign));
	if (pv && pv[i]) {
		json_object_set_new(o, "provenance", pv[i]);
		pv[i] = NULL;
	}
	if (s->nd)
		json_object_set_new(o, "near_dup_scan", cscan_nd_example_json(s, i));
}

static void free_pv(const contam_scan *s, json_t **pv)
{
	for (size_t i = 0; pv && i < s->set.nexamples; i++)
		json_decref(pv[i]);
	free(pv);
}

typedef struct report_ctx {
	const size_t *map;
	json_t **pv;
	size_t nsel;
} report_ctx;

static void report_example(const contam_scan *s, size_t k, json_t *o, void *ctx)
{
	const report_ctx *c = ctx;
	if (k < c->nsel)
		add_example_fields(s, c->map[k], o, c->pv);
}

int contam_scan_report_json(const contam_scan *s, FILE *out)
{
	json_t **pv = NULL;
	contam_result r;
	int rc = CONTAM_OK;

	contam_scan_result(s, &r);
	/* only the examples the scan looked at (all unless selected) */
	contam_example *sel = malloc((s->set.nexamples ? s->set.nexamples : 1) * sizeof(*sel));
	size_t *map = malloc((s->set.nexamples ? s->set.nexamples : 1) * sizeof(*map)), nsel = 0;
	if (!sel || !map || !(pv = provenance(s))) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->set.nexamples; i++)
		if (s->set.selected[i]) {
			map[nsel] = i;
			sel[nsel++] = s->set.examples[i];
		}
	r.examples = sel;
	r.nexamples = nsel;
	report_ctx c = { map, pv, nsel };
	rc = stream_report(s, &r, out, report_example, &c, "scan", scan_object(s));
out:
	free_pv(s, pv);
	free(sel);
	free(map);
	return rc;
}

typedef struct confirm_ctx {
	const contam_result *probe;
	json_t **pv;
} confirm_ctx;

static void confirm_example(const contam_scan *s, size_t i, json_t *o, void *ctx)
{
	const confirm_ctx *c = ctx;
	if (i >= s->set.nexamples)
		return;
	const contam_example *pe = &c->probe->examples[i];
	json_object_set_new(o, "confirmed", json_boolean(s->set.selected[i]));
	if (!s->set.selected[i])
		return;
	json_t *bl = json_object();
	json_object_set_new(bl, "verdict", json_string(contam_verdict_name(pe->verdict)));
	json_object_set_new(bl, "coverage", json_real(pe->coverage));
	json_object_set_new(bl, "hits", json_integer(pe->hits));
	json_object_set_new(bl, "longest", json_integer(pe->longest));
	json_object_set_new(o, "bloom", bl);
	add_example_fields(s, i, o, c->pv);
}

/* The probe's examples with the exact metrics of those the scan read (the
 * probe's identity, evidence and null control kept), and the benchmarks
 * recounted; counts[3]: contam's flags scanned, overturned, downgraded. */
static int merge_confirmed(const contam_scan *s, const contam_result *probe,
			   contam_example **exs_out, contam_benchmark **bms_out,
			   uint64_t counts[3])
{
	uint64_t flagged = 0, overturned = 0, downgraded = 0;
	*exs_out = NULL;
	*bms_out = NULL;
	if (probe->nexamples != s->set.nexamples)
		return CONTAM_E_PARAM;
	for (size_t i = 0; i < s->set.nexamples; i++)
		if (probe->examples[i].record != s->set.examples[i].record ||
		    strcmp(probe->examples[i].source, s->set.examples[i].source) != 0)
			return CONTAM_E_PARAM;
	contam_example *exs = malloc((s->set.nexamples ? s->set.nexamples : 1) * sizeof(*exs));
	contam_benchmark *bms = malloc((probe->nbenchmarks ? probe->nbenchmarks : 1) *
				       sizeof(*bms));
	if (!exs || !bms) {
		free(exs);
		free(bms);
		return CONTAM_E_NOMEM;
	}
	for (size_t i = 0; i < s->set.nexamples; i++) {
		const contam_example *pe = &probe->examples[i];
		exs[i] = *pe;
		if (!s->set.selected[i])
			continue;
		/* the exact metrics, the probe's identity */
		exs[i] = s->set.examples[i];
		exs[i].benchmark = pe->benchmark;
		exs[i].source = pe->source;
		exs[i].id = pe->id;
		/* the probe's evidence spans (the exact matches lie inside
		 * them) and its null control stay with a flag that stands */
		if (exs[i].verdict == CONTAM_PARTIAL ||
		    exs[i].verdict == CONTAM_CONTAMINATED) {
			exs[i].spans = pe->spans;
			exs[i].nspans = pe->nspans;
		}
		exs[i].has_null = pe->has_null;
		exs[i].null_verdict = pe->null_verdict;
		exs[i].null_gpt3 = pe->null_gpt3;
		exs[i].null_coverage = pe->null_coverage;
		/* probe --near-dup: the bands are the probe's (no exact
		 * counterpart here); recounted with the exact verdicts */
		exs[i].has_near_dup = pe->has_near_dup;
		exs[i].near_dup = pe->near_dup;
		exs[i].near_dup_unscored = pe->near_dup_unscored;
		exs[i].near_dup_bands = pe->near_dup_bands;
		exs[i].near_dup_shingles = pe->near_dup_shingles;
		exs[i].near_dup_jaccard_lo = pe->near_dup_jaccard_lo;
		exs[i].near_dup_jaccard_hi = pe->near_dup_jaccard_hi;
		exs[i].near_dup_template_shingles = pe->near_dup_template_shingles;
		/* scanned only for another definition's clean subset (probe
		 * --write-clean --definition): not one of contam's flags */
		if (!contam_example_flagged(pe, CONTAM_DEF_CONTAM))
			continue;
		flagged++;
		if (exs[i].verdict == CONTAM_CLEAN)
			overturned++;
		else if (pe->verdict == CONTAM_CONTAMINATED && exs[i].verdict == CONTAM_PARTIAL)
			downgraded++;
	}
	for (size_t b = 0; b < probe->nbenchmarks; b++)
		bms[b] = probe->benchmarks[b];
	cbench_tally(bms, probe->nbenchmarks, exs, s->set.nexamples, NULL);
	counts[0] = flagged;
	counts[1] = overturned;
	counts[2] = downgraded;
	*exs_out = exs;
	*bms_out = bms;
	return CONTAM_OK;
}

#define NOT_LINED_UP "the probe's examples do not line up with the scan's (the " \
	"same benchmark files, read with the same options, in the same order)"

int contam_scan_confirmed(contam_scan *s, const contam_result *probe,
			  contam_result *out)
{
	uint64_t counts[3];
	contam_example *exs;
	contam_benchmark *bms;
	int rc = merge_confirmed(s, probe, &exs, &bms, counts);
	if (rc)
		return cerr_set(&s->err, rc, "%s", rc == CONTAM_E_PARAM ? NOT_LINED_UP
				: "out of memory");
	free(s->confirmed_examples);
	free(s->confirmed_benchmarks);
	s->confirmed_examples = exs;
	s->confirmed_benchmarks = bms;
	*out = *probe;
	out->examples = exs;
	out->benchmarks = bms;
	return CONTAM_OK;
}

int contam_scan_confirm_json(const contam_scan *s, const contam_result *probe,
			     FILE *out, uint64_t *flagged_out,
			     uint64_t *overturned_out)
{
	json_t **pv = NULL;
	contam_result r = *probe;
	contam_example *exs = NULL;
	contam_benchmark *bms = NULL;
	uint64_t counts[3] = { 0, 0, 0 };
	int rc = merge_confirmed(s, probe, &exs, &bms, counts);
	if (rc)
		return rc;
	uint64_t flagged = counts[0], overturned = counts[1], downgraded = counts[2];
	if (!(pv = provenance(s))) {
		rc = CONTAM_E_NOMEM;
		goto out;
	}
	r.examples = exs;
	r.benchmarks = bms;
	confirm_ctx cc = { probe, pv };
	json_t *c = json_object();
	json_object_set_new(c, "exact", json_true());
	json_object_set_new(c, "flagged", json_integer((json_int_t)flagged));
	json_object_set_new(c, "overturned", json_integer((json_int_t)overturned));
	json_object_set_new(c, "downgraded", json_integer((json_int_t)downgraded));
	json_object_set_new(c, "scan", scan_object(s));
	rc = stream_report(s, &r, out, confirm_example, &cc, "confirm", c);
out:
	if (flagged_out)
		*flagged_out = flagged;
	if (overturned_out)
		*overturned_out = overturned;
	free_pv(s, pv);
	free(exs);
	free(bms);
	return rc;
}

/* The sink forms: the streamed writer above, through a FILE* whose writes
 * go to the sink (a full disk stops it with the sink's code). */
static int sink_end(FILE *f, int rc, int src, cerr *e, contam_error *out_err)
{
	if (fclose(f) && !rc) /* the last buffered bytes */
		rc = CONTAM_E_IO;
	if (src) /* the sink's own failure, and its message */
		rc = src;
	else if (rc && !e->msg[0])
		cerr_set(e, rc, "%s%s", rc == CONTAM_E_NOMEM ? "out of memory writing the report"
			 : rc == CONTAM_E_PARAM ? NOT_LINED_UP : "cannot write the output: ",
			 rc == CONTAM_E_NOMEM || rc == CONTAM_E_PARAM ? "" : contam_strerror(rc));
	e->code = rc;
	return cerr_export(e, out_err);
}

int contam_scan_report_json_to(const contam_scan *s, const contam_sink *out,
			       contam_error *out_err)
{
	cerr e;
	cerr_clear(&e);
	int src = CONTAM_OK;
	FILE *f = csink_fopen(out, &src, &e);
	if (!f) {
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		return cerr_export(&e, out_err);
	}
	return sink_end(f, contam_scan_report_json(s, f), src, &e, out_err);
}

int contam_scan_confirm_json_to(const contam_scan *s, const contam_result *probe,
				const contam_sink *out, uint64_t *flagged,
				uint64_t *overturned, contam_error *out_err)
{
	cerr e;
	cerr_clear(&e);
	int src = CONTAM_OK;
	FILE *f = csink_fopen(out, &src, &e);
	if (!f) {
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		return cerr_export(&e, out_err);
	}
	return sink_end(f, contam_scan_confirm_json(s, probe, f, flagged, overturned),
			src, &e, out_err);
}

int contam_scan_near_dup_table_to(const contam_scan *s, const contam_sink *out,
				  contam_error *out_err)
{
	cerr e;
	cerr_clear(&e);
	if (!s || !s->nd) {
		cerr_set(&e, CONTAM_E_PARAM, "no near-dup table: the scan ran without near_dup");
		return cerr_export(&e, out_err);
	}
	int src = CONTAM_OK;
	FILE *f = csink_fopen(out, &src, &e);
	if (!f) {
		cerr_set(&e, CONTAM_E_NOMEM, "out of memory");
		return cerr_export(&e, out_err);
	}
	return sink_end(f, contam_scan_near_dup_table(s, f), src, &e, out_err);
}
