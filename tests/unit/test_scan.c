/*
 * test_scan.c -- the exact scan through its public API on small files
 * written here: chaining per example and in order, offsets, shared
 * n-grams, document counts, --max-doc-freq, and purify cut/drop on text
 * and JSONL; the exact table's lookup finds every benchmark n-gram.
 */
#include "testutil.h"

#include "contam.h"
#include "scan/scan.h"

#include <jansson.h>
#include <unistd.h>

static char dir[] = "/tmp/contam-test-scan-XXXXXX";

static const char *path_in(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_in(name), "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	if (s)
		s[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

#define EX_A "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike"
#define EX_B "one two three four five six seven eight nine ten eleven twelve"
#define SHARED "papa quebec romeo sierra tango uniform victor whiskey"

typedef struct run {
	contam_scan *s;
	json_t **hits;
	size_t nhits;
} run;

static int do_scan(run *r, const char *corpus, contam_scan_options *o)
{
	const char *hp = path_in("hits.jsonl");
	FILE *h = fopen(hp, "w+");
	CHECK(h != NULL);
	o->hits = h;
	o->threads = 2;
	int rc = contam_scan_new(&r->s, o, NULL);
	CHECK_EQ_U64(rc, 0);
	rc = contam_scan_add_file(r->s, "t", path_in("bench.jsonl"));
	CHECK_EQ_U64(rc, 0);
	contam_inputs in = { 0 };
	contam_error eb;
	const char *args[] = { corpus };
	CHECK_EQ_U64(contam_inputs_expand(&in, args, 1, &eb), 0);
	rc = contam_scan_run(r->s, &in);
	if (rc)
		fprintf(stderr, "scan: %s\n", contam_scan_errmsg(r->s));
	CHECK_EQ_U64(rc, 0);
	contam_inputs_free(&in);
	fclose(h);
	size_t len;
	char *text = read_file(hp, &len);
	r->nhits = 0;
	r->hits = calloc(64, sizeof(json_t *));
	for (char *line = text; line && *line && r->nhits < 64;) {
		char *nl = strchr(line, '\n');
		json_error_t je;
		r->hits[r->nhits] = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &je);
		CHECK(r->hits[r->nhits] != NULL);
		r->nhits++;
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(text);
	return rc;
}

/* A scan of the benchmark's field "q" with default options. */
static void scan_field_q(run *r, const char *corpus)
{
	contam_scan_options o;
	contam_scan_options_init(&o);
	const char *fields[] = { "q" };
	o.fields = fields;
	o.nfields = 1;
	do_scan(r, corpus, &o);
}

static void run_free(run *r)
{
	for (size_t i = 0; i < r->nhits; i++)
		json_decref(r->hits[i]);
	free(r->hits);
	contam_scan_free(r->s);
	memset(r, 0, sizeof(*r));
}

static json_int_t geti(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void test_chains_and_offsets(void)
{
	write_file("bench.jsonl",
		   "{\"q\": \"" EX_A "\"}\n{\"q\": \"" EX_B " " SHARED "\"}\n"
		   "{\"q\": \"" SHARED " zulu\"}\n");
	/* doc 0: A verbatim inside other words (offset checked);
	 * doc 1: A's two halves swapped: two chains, never one;
	 * doc 2: nothing;
	 * doc 3: the shared 8-gram: one region, matches of B and C */
	write_file("corpus.jsonl",
		   "{\"id\": \"d0\", \"text\": \"Zero words, then ALPHA bravo\\ncharlie delta echo foxtrot golf hotel india juliet kilo lima mike. Done.\"}\n"
		   "{\"id\": \"d1\", \"text\": \"foxtrot golf hotel india juliet kilo lima mike xx alpha bravo charlie delta echo foxtrot golf hotel\"}\n"
		   "{\"id\": \"d2\", \"text\": \"nothing to see here at all today my friend\"}\n"
		   "\n"
		   "{\"id\": \"d3\", \"url\": \"http://x/3\", \"text\": \"" SHARED "\"}\n");
	run r;
	scan_field_q(&r, path_in("corpus.jsonl"));
	CHECK_EQ_U64(r.nhits, 3);
	if (r.nhits != 3)
		goto out;
	json_t *h0 = r.hits[0], *h1 = r.hits[1], *h3 = r.hits[2];
	CHECK_STR(json_string_value(json_object_get(h0, "id")), "d0");
	json_t *reg = json_array_get(json_object_get(h0, "regions"), 0);
	const char *doc0 = "Zero words, then ALPHA bravo\ncharlie delta echo foxtrot golf hotel india juliet kilo lima mike. Done.";
	CHECK_EQ_U64(geti(reg, "start"), strstr(doc0, "ALPHA") - doc0);
	/* widened over the full stop touching the last token */
	CHECK_EQ_U64(geti(reg, "end"), strstr(doc0, " Done") - doc0);
	CHECK_EQ_U64(geti(reg, "tokens"), 13);
	CHECK_STR(json_string_value(json_object_get(reg, "snippet")),
		  "ALPHA bravo\ncharlie delta echo foxtrot golf hotel india juliet kilo lima mike.");
	CHECK_EQ_U64(geti(h0, "offset"), 0);
	/* d1: the second half comes first: two chains of example 0, in
	 * example order each, overlapping nowhere -> two regions */
	json_t *regs = json_object_get(h1, "regions");
	CHECK_EQ_U64(json_array_size(regs), 2);
	json_t *m0 = json_array_get(json_object_get(json_array_get(regs, 0), "matches"), 0);
	json_t *m1 = json_array_get(json_object_get(json_array_get(regs, 1), "matches"), 0);
	CHECK_EQ_U64(geti(m0, "example_ngram"), 5);  /* foxtrot .. mike */
	CHECK_EQ_U64(geti(m0, "ngrams"), 1);
	CHECK_EQ_U64(geti(m1, "example_ngram"), 0);  /* alpha .. hotel */
	CHECK_EQ_U64(geti(m1, "ngrams"), 1);
	/* d3: one region, two examples */
	CHECK_STR(json_string_value(json_object_get(h3, "url")), "http://x/3");
	CHECK_EQ_U64(geti(h3, "record"), 3);
	reg = json_array_get(json_object_get(h3, "regions"), 0);
	CHECK_EQ_U64(json_array_size(json_object_get(reg, "matches")), 2);
	CHECK_EQ_U64(geti(reg, "start"), 0);
	CHECK_EQ_U64(geti(reg, "end"), strlen(SHARED));

	contam_result res;
	contam_scan_result(r.s, &res);
	CHECK_EQ_U64(res.nexamples, 3);
	CHECK_EQ_U64(res.examples[0].verdict, CONTAM_CONTAMINATED);
	CHECK_EQ_U64(res.examples[0].hits, 6);
	CHECK_EQ_U64(contam_scan_doc_count(r.s, 0), 1); /* d1 alone: 2 runs < min_span */
	CHECK_EQ_U64(res.examples[1].hits, 1);
	CHECK_EQ_U64(res.examples[2].hits, 1);
	/* one 8-gram of a 9-token example: a span shorter than the example */
	CHECK_EQ_U64(res.examples[2].verdict, CONTAM_CLEAN);
	contam_scan_stats st;
	contam_scan_stats_get(r.s, &st);
	CHECK_EQ_U64(st.documents, 4);
	CHECK_EQ_U64(st.hit_documents, 3);
out:
	run_free(&r);
}

static void test_max_doc_freq_and_purify(void)
{
	write_file("bench.jsonl", "{\"q\": \"" EX_A "\"}\n{\"q\": \"" SHARED " zulu yankee\"}\n");
	char cdir[600];
	snprintf(cdir, sizeof cdir, "mkdir -p %s/c", dir);
	CHECK(system(cdir) == 0);
	write_file("c/a.txt", "0123456789 " EX_A " 0123456789abcdef and the rest\n");
	write_file("c/b.txt", "boiler " SHARED " plate\n");
	write_file("c/c.txt", "more " SHARED " plate\n");
	contam_scan_options o;
	contam_scan_options_init(&o);
	const char *fields[] = { "q" };
	o.fields = fields;
	o.nfields = 1;
	o.max_doc_freq = 1;
	o.purify_dir = path_in("out");
	o.purify_mode = CONTAM_PURIFY_CUT;
	o.cut_margin = 5;
	run r;
	do_scan(&r, path_in("c"), &o);
	CHECK_EQ_U64(r.nhits, 3);
	contam_result res;
	contam_scan_result(r.s, &res);
	CHECK_EQ_U64(res.examples[0].verdict, CONTAM_CONTAMINATED);
	CHECK_EQ_U64(res.examples[1].hits, 0);     /* in 2 docs > 1: ignored */
	CHECK_EQ_U64(contam_scan_doc_count(r.s, 1), 0);
	contam_scan_stats st;
	contam_scan_stats_get(r.s, &st);
	CHECK_EQ_U64(st.ignored_ngrams, 1);
	CHECK_EQ_U64(st.cut_documents, 1);
	CHECK_EQ_U64(st.dropped_documents, 0);
	run_free(&r);
	/* the match and 5 characters each side are gone; the boilerplate
	 * files are copied as they were */
	char p[700];
	snprintf(p, sizeof p, "%s/%s/c/a.txt", path_in("out"), dir + 1);
	char *a = read_file(p, NULL);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(a, "012345\n456789abcdef and the rest\n");
	free(a);
	snprintf(p, sizeof p, "%s/%s/c/b.txt", path_in("out"), dir + 1);
	char *b = read_file(p, NULL);
	if (b)
		CHECK_STR(b, "boiler " SHARED " plate\n");
	CHECK(b != NULL);
	free(b);
}

/* A WARC file: the conversion record is cut (its Content-Length
 * rewritten), the response record (text offsets are in its HTTP payload)
 * is dropped, the clean record is copied; a rescan finds nothing. */
static void test_purify_warc(void)
{
	write_file("bench.jsonl", "{\"q\": \"" EX_A "\"}\n");
	const char *conv = "Intro words here. " EX_A ". And the end of it all.\n";
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" EX_A "\n";
	const char *clean = "Nothing to see in this record at all.\n";
	char w[4096];
	snprintf(w, sizeof w,
		 "WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 4\r\n\r\ninfo\r\n\r\n"
		 "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://a/\r\n"
		 "Content-Length: %zu\r\n\r\n%s\r\n\r\n"
		 "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://b/\r\n"
		 "Content-Type: application/http; msgtype=response\r\n"
		 "Content-Length: %zu\r\n\r\n%s\r\n\r\n"
		 "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://c/\r\n"
		 "Content-Length: %zu\r\n\r\n%s\r\n\r\n",
		 strlen(conv), conv, strlen(resp), resp, strlen(clean), clean);
	write_file("w.warc", w);
	contam_scan_options o;
	contam_scan_options_init(&o);
	const char *fields[] = { "q" };
	o.fields = fields;
	o.nfields = 1;
	o.purify_dir = path_in("wout");
	o.purify_mode = CONTAM_PURIFY_CUT;
	o.cut_margin = 3;
	run r;
	do_scan(&r, path_in("w.warc"), &o);
	CHECK_EQ_U64(r.nhits, 2);
	contam_scan_stats st;
	contam_scan_stats_get(r.s, &st);
	CHECK_EQ_U64(st.cut_documents, 1);
	CHECK_EQ_U64(st.dropped_documents, 1);
	run_free(&r);
	char p[700];
	snprintf(p, sizeof p, "%s/%s/w.warc", path_in("wout"), dir + 1);
	char *out = read_file(p, NULL);
	CHECK(out != NULL);
	if (!out)
		return;
	const char *cut = "Intro words her\nd the end of it all.\n";
	char want[256];
	snprintf(want, sizeof want, "Content-Length: %zu\r\n\r\n%s\r\n\r\n", strlen(cut), cut);
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "http://b/") == NULL);
	CHECK(strstr(out, clean) != NULL);
	CHECK(strstr(out, "WARC-Type: warcinfo") == out + 10);
	free(out);
	/* rescan: nothing */
	contam_scan_options_init(&o);
	o.fields = fields;
	o.nfields = 1;
	do_scan(&r, p, &o);
	CHECK_EQ_U64(r.nhits, 0);
	contam_scan_stats_get(r.s, &st);
	CHECK_EQ_U64(st.documents, 2);
	run_free(&r);
}

/* Every benchmark n-gram is found as its own entry, past the presence
 * bitmap in front of the slots, and any other hash is either absent or
 * an entry of that very hash: the bitmap may only let absent hashes
 * through to the slots, never turn a present one away. */
static void test_table_lookup(void)
{
	FILE *f = fopen(path_in("bench.jsonl"), "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	uint64_t x = 12345;
	for (int e = 0; e < 300; e++) {
		fputs("{\"q\": \"", f);
		for (int w = 0; w < 40; w++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			fprintf(f, "%sw%u", w ? " " : "", (unsigned)(x >> 40) % 5000);
		}
		fputs("\"}\n", f);
	}
	fclose(f);
	write_file("c1.txt", "nothing of it here\n");
	run r;
	scan_field_q(&r, path_in("c1.txt"));
	const cscan_table *t = &r.s->table;
	CHECK(t->nentries > 9000);
	size_t found = 0;
	for (size_t e = 0; e < t->nentries; e++)
		found += cscan_lookup(t, t->hash[e]) == (uint32_t)e;
	CHECK_EQ_U64(found, t->nentries);
	size_t passed = 0, wrong = 0;
	for (int i = 0; i < 100000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		uint64_t h = x ^ (x >> 31);
		uint64_t b = h >> t->present_shift;
		uint32_t e = cscan_lookup(t, h);
		passed += (t->present[b >> 6] >> (b & 63)) & 1;
		wrong += e != CSCAN_NONE && t->hash[e] != h;
	}
	CHECK_EQ_U64(wrong, 0);
	/* 16-32 bits per entry: at most about one random hash in 16 gets
	 * through to the slots */
	CHECK(passed < 100000 / 12);
	run_free(&r);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_chains_and_offsets();
	test_max_doc_freq_and_purify();
	test_purify_warc();
	test_table_lookup();
	char cmd[600];
	if (getenv("CONTAM_KEEP")) {
		fprintf(stderr, "kept %s\n", dir);
		return tu_finish("test_scan");
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return tu_finish("test_scan");
}
