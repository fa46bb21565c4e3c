/*
 * test_bench.c -- benchmark readers: every format, field paths, record
 * and line numbers, compression, and every error naming file:line.
 *
 * Small files are written into a temporary directory; when the shared
 * benchmark data sits next to the source tree, real files are read too
 * and their record counts checked (skipped when absent).
 */
#include "probe/bench.h"
#include "probe/bench_int.h"
#include "testutil.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define KEEP 16

/* What reading one benchmark file gave. */
typedef struct got {
	int rc;            /* open or last next() result */
	int open_failed;
	bench_format format;
	size_t n;          /* examples read */
	char *text[KEEP];
	char *id[KEEP];
	size_t len[KEEP];
	uint64_t record[KEEP], line[KEEP];
	char msg[CERR_MSG_MAX];
} got;

static char tmpdir[PATH_MAX];

static void got_release(got *g)
{
	for (size_t i = 0; i < KEEP; i++) {
		free(g->text[i]);
		free(g->id[i]);
	}
	memset(g, 0, sizeof(*g));
}

static const char *tpath(const char *name)
{
	static char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *name, const char *s)
{
	FILE *f = fopen(tpath(name), "wb");
	if (!f) {
		perror(name);
		exit(2);
	}
	fwrite(s, 1, strlen(s), f);
	fclose(f);
}

static void write_gz(const char *name, const char *s)
{
	gzFile f = gzopen(tpath(name), "wb");
	if (!f) {
		perror(name);
		exit(2);
	}
	gzwrite(f, s, (unsigned)strlen(s));
	gzclose(f);
}

static void write_zst(const char *name, const char *s)
{
	size_t n = strlen(s), cap = ZSTD_compressBound(n);
	char *z = malloc(cap);
	size_t zn = z ? ZSTD_compress(z, cap, s, n, 3) : 0;
	FILE *f = fopen(tpath(name), "wb");
	if (!z || ZSTD_isError(zn) || !f) {
		fprintf(stderr, "cannot write %s\n", name);
		exit(2);
	}
	fwrite(z, 1, zn, f);
	fclose(f);
	free(z);
}

/* Read every example of `path` (a name in tmpdir unless absolute). */
static void read_bench(const char *path, const char *const *fields,
		       size_t nfields, const char *id_field, int no_header,
		       got *g)
{
	bench_options opt = { .fields = fields, .nfields = nfields,
			      .id_field = id_field, .no_header = no_header };
	bench_reader *r = NULL;
	bench_example ex;
	cerr err;
	cerr_clear(&err);
	memset(g, 0, sizeof(*g));
	if (path[0] != '/')
		path = tpath(path);
	g->rc = bench_reader_open(&r, path, &opt, &err);
	if (g->rc < 0) {
		g->open_failed = 1;
		snprintf(g->msg, sizeof(g->msg), "%s", err.msg);
		return;
	}
	g->format = bench_reader_format(r);
	while ((g->rc = bench_reader_next(r, &ex, &err)) == 1) {
		if (g->n < KEEP) {
			g->text[g->n] = malloc(ex.len + 1);
			if (g->text[g->n]) {
				memcpy(g->text[g->n], ex.text, ex.len);
				g->text[g->n][ex.len] = '\0';
			}
			g->len[g->n] = ex.len;
			g->id[g->n] = ex.id ? strdup(ex.id) : NULL;
			g->record[g->n] = ex.record;
			g->line[g->n] = ex.line;
		}
		g->n++;
	}
	if (g->rc < 0) {
		snprintf(g->msg, sizeof(g->msg), "%s", err.msg);
		/* Errors are sticky. */
		cerr err2;
		cerr_clear(&err2);
		CHECK(bench_reader_next(r, &ex, &err2) == g->rc);
		CHECK_STR(err2.msg, err.msg);
	} else {
		/* End is sticky too. */
		CHECK(bench_reader_next(r, &ex, &err) == 0);
	}
	bench_reader_free(r);
}

static int has(const char *msg, const char *part)
{
	if (strstr(msg, part))
		return 1;
	fprintf(stderr, "  message '%s' lacks '%s'\n", msg, part);
	return 0;
}

static const char arc[] =
	"{\"id\":\"q1\",\"question\":{\"stem\":\"Which is a planet?\","
	"\"choices\":[{\"text\":\"Mars\",\"label\":\"A\"},"
	"{\"text\":\"Moon\",\"label\":\"B\"}]},\"answerKey\":\"A\"}\n"
	"\n"
	"  \r\n"
	"{\"id\":\"q2\",\"question\":{\"stem\":\"Second?\",\"choices\":"
	"[{\"text\":\"Yes\",\"label\":\"A\"}]},\"answerKey\":\"A\"}\r\n";

static void test_jsonl(void)
{
	got g;
	const char *f2[] = { "question.stem", "question.choices.text" };
	write_file("arc.jsonl", arc);

	read_bench("arc.jsonl", f2, 2, "id", 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_JSONL);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "Which is a planet?\nMars\nMoon");
	CHECK_STR(g.text[1], "Second?\nYes");
	CHECK_STR(g.id[0], "q1");
	CHECK_STR(g.id[1], "q2");
	CHECK_EQ_U64(g.record[0], 0);
	CHECK_EQ_U64(g.line[0], 1);
	CHECK_EQ_U64(g.record[1], 1);
	CHECK_EQ_U64(g.line[1], 4);
	got_release(&g);

	/* All strings in document order, numbers skipped; the "id" key is
	 * the id, not text; an option {"text", "label"} reads "A. text",
	 * as a copy writes it. */
	read_bench("arc.jsonl", NULL, 0, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "Which is a planet?\nA. Mars\nB. Moon\nA");
	CHECK_STR(g.id[0], "q1");
	got_release(&g);
	/* an --id-field keeps every other key as text */
	read_bench("arc.jsonl", NULL, 0, "question.stem", 0, &g);
	CHECK_STR(g.text[0], "q1\nWhich is a planet?\nA. Mars\nB. Moon\nA");
	CHECK_STR(g.id[0], "Which is a planet?");
	got_release(&g);

	/* The Hub's layout of options, label and text in parallel arrays;
	 * a "label" that is no option label (long, or arrays that do not
	 * pair) is read as it stands; "questionId" is an id name */
	write_file("hub.jsonl",
		   "{\"questionId\":7,\"question\":\"Where?\",\"choices\":"
		   "{\"label\":[\"A\",\"B\"],\"text\":[\"bank\",\"mall\"]}}\n"
		   "{\"questionId\":8,\"question\":\"Who?\",\"choices\":"
		   "{\"label\":[\"A\"],\"text\":[\"me\",\"you\"]},"
		   "\"x\":{\"label\":\"a long label\",\"text\":\"t\"}}\n");
	read_bench("hub.jsonl", NULL, 0, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "Where?\nA. bank\nB. mall");
	CHECK_STR(g.id[0], "7");
	CHECK_STR(g.text[1], "Who?\nA\nme\nyou\na long label\nt");
	CHECK_STR(g.id[1], "8");
	got_release(&g);
	/* answers stored as keys mapped to 1 or 0 (TruthfulQA's mc targets)
	 * are its text; keys that are names (no space) are not */
	write_file("tqa.json",
		   "[{\"question\":\"Why?\",\"mc1_targets\":{\"Because it rains\":1,"
		   "\"It does not\":0},\"scores\":{\"bleu\":0.5,\"rouge\":1}}]");
	read_bench("tqa.json", NULL, 0, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 1);
	CHECK_STR(g.text[0], "Why?\nBecause it rains\nIt does not");
	got_release(&g);
	CHECK(bench_is_id_name("id") && bench_is_id_name("ID") &&
	      bench_is_id_name("task_id") && bench_is_id_name("sampleId") &&
	      bench_is_id_name("uuid") && bench_is_id_name("example-id") &&
	      bench_is_id_name("Id"));
	CHECK(!bench_is_id_name("idea") && !bench_is_id_name("valid") &&
	      !bench_is_id_name("paid") &&
	      !bench_is_id_name("android") && !bench_is_id_name("I"));

	/* An object at the end of a path gives all its strings (options
	 * label first); a numeric step indexes an array. */
	const char *fobj[] = { "question" };
	read_bench("arc.jsonl", fobj, 1, "question.choices.0.label", 0, &g);
	CHECK_STR(g.text[0], "Which is a planet?\nA. Mars\nB. Moon");
	CHECK_STR(g.id[0], "A");
	got_release(&g);
	const char *fidx[] = { "question.choices.1.text", "answerKey" };
	read_bench("arc.jsonl", fidx, 2, NULL, 0, &g);
	CHECK(g.rc == 0); /* q2 has no second choice, but has answerKey */
	CHECK_STR(g.text[0], "Moon\nA");
	CHECK_STR(g.text[1], "A");
	got_release(&g);

	/* Numbers, booleans and big integers; null selects nothing. */
	write_file("num.jsonl",
		   "{\"q\":\"What is 6*7?\",\"answer\":42,\"score\":0.1,"
		   "\"ok\":true,\"none\":null,\"big\":100000000000000000000000,"
		   "\"neg\":-3,\"list\":[1,\"two\",{\"x\":3,\"y\":\"four\"}]}\n");
	const char *fnum[] = { "q", "answer", "score", "ok", "none", "neg" };
	read_bench("num.jsonl", fnum, 6, "answer", 0, &g);
	CHECK_EQ_U64(g.n, 1);
	CHECK_STR(g.text[0], "What is 6*7?\n42\n0.1\ntrue\n-3");
	CHECK_STR(g.id[0], "42");
	got_release(&g);
	const char *fbig[] = { "big", "list" };
	read_bench("num.jsonl", fbig, 2, "missing", 0, &g);
	CHECK_STR(g.text[0], "1e+23\n1\ntwo\nfour");
	CHECK(g.id[0] == NULL);
	got_release(&g);
	read_bench("num.jsonl", NULL, 0, NULL, 0, &g);
	CHECK_STR(g.text[0], "What is 6*7?\ntwo\nfour");
	got_release(&g);

	/* Keys holding dots; bare string records; empty strings count. */
	write_file("dots.ndjson",
		   "{\"meta.src\":{\"a.b\":\"deep\"},\"t\":\"\"}\n\"bare\"\n");
	const char *fdot[] = { "meta.src.a.b" };
	read_bench("dots.ndjson", fdot, 1, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "deep");
	CHECK_STR(g.text[1], "bare");
	CHECK_EQ_U64(g.line[1], 2);
	got_release(&g);
	const char *fempty[] = { "t" };
	read_bench("dots.ndjson", fempty, 1, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK_STR(g.text[0], "");
	CHECK_EQ_U64(g.len[0], 0);
	got_release(&g);
}

static void test_json(void)
{
	got g;
	const char *ft[] = { "text" };

	write_file("strings.json", "[\"first example\",\n \"second\"]\n");
	read_bench("strings.json", NULL, 0, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_JSON);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[1], "second");
	CHECK_EQ_U64(g.record[1], 1);
	CHECK_EQ_U64(g.line[1], 0);
	got_release(&g);

	/* The first non-empty array under the top-level object. */
	write_file("obj.json",
		   "{\"version\":\"1.0\",\"tags\":[],\"data\":[{\"text\":\"a b c\","
		   "\"id\":7},{\"text\":\"d e\",\"id\":8}],\"more\":[1]}");
	read_bench("obj.json", ft, 1, "id", 0, &g);
	CHECK(g.rc < 0); /* "data" and "more": which are the records? */
	got_release(&g);
	write_file("obj.json",
		   "{\"version\":\"1.0\",\"tags\":[],\"data\":[{\"text\":\"a b c\","
		   "\"id\":7},{\"text\":\"d e\",\"id\":8}],\"more\":{}}");
	read_bench("obj.json", ft, 1, "id", 0, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "a b c");
	CHECK_STR(g.id[1], "8");
	got_release(&g);

	/* One level deeper. */
	write_file("deep.json",
		   "{\n \"meta\": {\"n\": 2},\n \"split\": {\"name\": \"test\","
		   " \"rows\": [{\"text\": \"x\"}, {\"text\": \"y\"}]}\n}\n");
	read_bench("deep.json", ft, 1, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[1], "y");
	got_release(&g);

	/* A single-line object with nothing after it is still JSON. */
	write_file("oneline.json", "{\"data\":[{\"text\":\"only\"}]}\n\n");
	read_bench("oneline.json", ft, 1, NULL, 0, &g);
	CHECK(g.format == BENCH_JSON);
	CHECK_EQ_U64(g.n, 1);
	got_release(&g);

	/* A .json file that holds JSON lines. */
	write_file("lines.json",
		   "{\"text\":\"one\"}\n{\"text\":\"two\"}\n\n{\"text\":\"three\"}\n");
	read_bench("lines.json", ft, 1, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_JSONL);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[2], "three");
	CHECK_EQ_U64(g.record[2], 2);
	CHECK_EQ_U64(g.line[2], 4);
	got_release(&g);

	/* An array pretty-printed one record per line is JSON. */
	write_file("pretty.json", "[\n{\"text\":\"p\"},\n{\"text\":\"q\"}\n]\n");
	read_bench("pretty.json", ft, 1, NULL, 0, &g);
	CHECK(g.format == BENCH_JSON);
	CHECK_EQ_U64(g.n, 2);
	got_release(&g);
}

static void test_csv(void)
{
	got g;
	const char *fq[] = { "question" };

	write_file("q.csv",
		   "\xEF\xBB\xBFid,question,answer,a.b\r\n"
		   "1,\"Hello, \"\"world\"\"\",A,x\r\n"
		   "\r\n"
		   "2,\"multi\r\nline\",B,y\r\n"
		   "3,plain \"quoted\" word,C,z");
	read_bench("q.csv", fq, 1, "id", 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_CSV);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[0], "Hello, \"world\"");
	CHECK_STR(g.text[1], "multi\r\nline");
	CHECK_STR(g.text[2], "plain \"quoted\" word");
	CHECK_STR(g.id[0], "1");
	CHECK_STR(g.id[2], "3");
	CHECK_EQ_U64(g.record[0], 0);
	CHECK_EQ_U64(g.line[0], 2);
	CHECK_EQ_U64(g.record[1], 1);
	CHECK_EQ_U64(g.line[1], 4);
	CHECK_EQ_U64(g.record[2], 2);
	CHECK_EQ_U64(g.line[2], 6);
	got_release(&g);

	/* A column name with a dot, two fields, all fields, by position. */
	const char *fdot[] = { "a.b", "answer" };
	read_bench("q.csv", fdot, 2, NULL, 0, &g);
	CHECK_STR(g.text[0], "x\nA");
	got_release(&g);
	read_bench("q.csv", NULL, 0, NULL, 0, &g);
	CHECK_STR(g.text[0], "Hello, \"world\"\nA\nx");
	CHECK_STR(g.id[0], "1");
	got_release(&g);
	/* an --id-field that is no column is an error */
	read_bench("q.csv", NULL, 0, "nope", 0, &g);
	CHECK(g.rc < 0);
	got_release(&g);
	const char *fpos[] = { "1" };
	read_bench("q.csv", fpos, 1, NULL, 0, &g);
	CHECK_STR(g.text[2], "plain \"quoted\" word");
	got_release(&g);

	/* MMLU: no header, columns 0..5. */
	write_file("mmlu_test.csv",
		   "What is 2+2?,3,4,5,6,B\n"
		   "\"Find x, if x^2 = 4.\",1,2,\"0,1\",-2,B\n");
	const char *fm[] = { "0", "1", "2", "3", "4" };
	read_bench("mmlu_test.csv", fm, 5, "5", 1, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "What is 2+2?\n3\n4\n5\n6");
	CHECK_STR(g.text[1], "Find x, if x^2 = 4.\n1\n2\n0,1\n-2");
	CHECK_STR(g.id[1], "B");
	CHECK_EQ_U64(g.record[0], 0);
	CHECK_EQ_U64(g.line[0], 1);
	CHECK_EQ_U64(g.line[1], 2);
	got_release(&g);
	read_bench("mmlu_test.csv", NULL, 0, NULL, 1, &g);
	CHECK_STR(g.text[0], "What is 2+2?\n3\n4\n5\n6\nB");
	got_release(&g);
	/* Without --no-header the first row is the header. */
	read_bench("mmlu_test.csv", NULL, 0, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.line[0], 2);
	got_release(&g);

	/* TSV: tabs delimit, commas are data, quotes work the same. */
	write_file("t.tsv", "question\tanswer\nWhat, then?\tyes\n"
		   "\"tab\there\"\tno\n");
	read_bench("t.tsv", fq, 1, "answer", 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_TSV);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "What, then?");
	CHECK_STR(g.text[1], "tab\there");
	CHECK_STR(g.id[1], "no");
	got_release(&g);

	/* Empty fields and a trailing delimiter. */
	write_file("empty_fields.csv", "a,b,c\n,x,\n");
	read_bench("empty_fields.csv", NULL, 0, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK_STR(g.text[0], "\nx\n");
	got_release(&g);
}

static void test_txt(void)
{
	got g;
	write_file("lines.txt", "first line\n\n   \nsecond line\r\nthird");
	read_bench("lines.txt", NULL, 0, "id", 0, &g);
	CHECK(g.rc < 0); /* txt has no fields */
	got_release(&g);
	read_bench("lines.txt", NULL, 0, NULL, 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_TXT);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[1], "second line");
	CHECK_STR(g.text[2], "third");
	CHECK(g.id[0] == NULL);
	CHECK_EQ_U64(g.record[1], 1);
	CHECK_EQ_U64(g.line[1], 4);
	CHECK_EQ_U64(g.line[2], 5);
	got_release(&g);

	write_file("noext", "x y z\n");
	read_bench("noext", NULL, 0, NULL, 0, &g);
	CHECK(g.format == BENCH_TXT);
	CHECK_EQ_U64(g.n, 1);
	got_release(&g);
}

static void test_compressed(void)
{
	got g;
	const char *f2[] = { "question.stem", "question.choices.text" };
	const char csv[] = "question,answer\n\"a,b\",c\nd,e\n";
	const char *fq[] = { "question" };

	write_gz("arc.jsonl.gz", arc);
	write_zst("arc.jsonl.zst", arc);
	write_gz("q.CSV.GZ", csv);
	write_zst("q.csv.zst", csv);
	write_zst("s.json.zst", "[\"a\",\"b\",\"c\"]");
	write_gz("l.txt.gz", "one\ntwo\n");

	read_bench("arc.jsonl.gz", f2, 2, "id", 0, &g);
	CHECK(g.rc == 0);
	CHECK(g.format == BENCH_JSONL);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "Which is a planet?\nMars\nMoon");
	CHECK_EQ_U64(g.line[1], 4);
	got_release(&g);
	read_bench("arc.jsonl.zst", f2, 2, "id", 0, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.id[1], "q2");
	got_release(&g);
	read_bench("q.CSV.GZ", fq, 1, NULL, 0, &g);
	CHECK(g.format == BENCH_CSV);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "a,b");
	got_release(&g);
	read_bench("q.csv.zst", fq, 1, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[1], "d");
	got_release(&g);
	read_bench("s.json.zst", NULL, 0, NULL, 0, &g);
	CHECK(g.format == BENCH_JSON);
	CHECK_EQ_U64(g.n, 3);
	got_release(&g);
	read_bench("l.txt.gz", NULL, 0, NULL, 0, &g);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[1], "two");
	got_release(&g);
}

static void test_errors(void)
{
	got g;
	const char *fq[] = { "question" };
	const char *fnope[] = { "nope", "also.nope" };

	write_file("bad.jsonl", "{\"question\":\"a\"}\n\n{\"question\": }\n");
	read_bench("bad.jsonl", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK_EQ_U64(g.n, 1);
	CHECK(has(g.msg, "bad.jsonl:3: invalid JSON: "));
	got_release(&g);

	write_file("trail.jsonl", "{\"question\":\"a\"} {}\n");
	read_bench("trail.jsonl", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "trail.jsonl:1: invalid JSON"));
	got_release(&g);

	write_file("num.jsonl", "{\"question\":\"a\"}\n17\n");
	read_bench("num.jsonl", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "num.jsonl:2: expected a JSON object or string, "
		  "got a number (record 1)"));
	got_release(&g);

	write_file("miss.jsonl", "{\"question\":\"a\"}\n{\"q\":\"b\"}\n");
	read_bench("miss.jsonl", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK_EQ_U64(g.n, 1);
	CHECK(has(g.msg, "miss.jsonl:2: no text at --field 'question' "
		  "(record 1)"));
	got_release(&g);
	read_bench("miss.jsonl", fnope, 2, NULL, 0, &g);
	CHECK(has(g.msg, "miss.jsonl:1: no text at --field 'nope', "
		  "'also.nope' (record 0)"));
	got_release(&g);

	write_file("nostr.jsonl", "{\"a\":1,\"b\":[true]}\n");
	read_bench("nostr.jsonl", NULL, 0, NULL, 0, &g);
	CHECK(has(g.msg, "nostr.jsonl:1: no string values"));
	got_release(&g);

	write_file("missarr.json", "[{\"question\":\"a\"},{\"x\":1}]");
	read_bench("missarr.json", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "missarr.json: no text at --field 'question' "
		  "(record 1)"));
	got_release(&g);

	write_file("badarr.json", "[\"a\", 3]");
	read_bench("badarr.json", NULL, 0, NULL, 0, &g);
	CHECK(has(g.msg, "badarr.json: expected a JSON object or string, "
		  "got a number (record 1)"));
	got_release(&g);

	write_file("bad.json", "[\n{\"question\":\"a\"},\n{\"question\" \"b\"}\n]");
	read_bench("bad.json", fq, 1, NULL, 0, &g);
	CHECK(g.open_failed);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "bad.json:3: invalid JSON: "));
	got_release(&g);

	write_file("scalar.json", "42");
	read_bench("scalar.json", NULL, 0, NULL, 0, &g);
	CHECK(g.open_failed);
	CHECK(has(g.msg, "expected a JSON array or object"));
	got_release(&g);

	write_file("noarr.json", "{\"a\":{\"b\":{\"c\":[1]}}}");
	read_bench("noarr.json", NULL, 0, NULL, 0, &g);
	CHECK(g.open_failed);
	CHECK(has(g.msg, "noarr.json: no array of records"));
	got_release(&g);

	write_file("emptyarr.json", "{\"data\": []}");
	read_bench("emptyarr.json", NULL, 0, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "emptyarr.json: no examples found"));
	got_release(&g);

	write_file("badq.csv", "question,answer\nok,1\n\"open,2\nmore\n");
	read_bench("badq.csv", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK_EQ_U64(g.n, 1);
	CHECK(has(g.msg, "badq.csv:3: unterminated quoted field starting here"));
	got_release(&g);

	write_file("cols.csv", "question,answer\nok,1\n\"x\ny\",2\nshort\n");
	read_bench("cols.csv", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK_EQ_U64(g.n, 2);
	CHECK(has(g.msg, "cols.csv:5: row has 1 fields, the header has 2"));
	got_release(&g);

	read_bench("cols.csv", fnope, 2, NULL, 0, &g);
	CHECK(g.open_failed);
	CHECK(has(g.msg, "cols.csv:1: no text at --field 'nope'"));
	CHECK(has(g.msg, "'question', 'answer'"));
	got_release(&g);

	const char *fbig[] = { "7" };
	read_bench("mmlu_test.csv", fbig, 1, NULL, 1, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "mmlu_test.csv:1: no text at --field '7'"));
	got_release(&g);

	write_file("header_only.csv", "question,answer\r\n\r\n");
	read_bench("header_only.csv", fq, 1, NULL, 0, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "header_only.csv: no examples found"));
	got_release(&g);

	const char *empties[] = { "empty.jsonl", "empty.json", "empty.csv",
				  "empty.tsv", "empty.txt" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(*empties); i++) {
		char want[64];
		write_file(empties[i], i % 2 ? " \n\n" : "");
		read_bench(empties[i], NULL, 0, NULL, 0, &g);
		CHECK(g.rc == CONTAM_E_FORMAT);
		snprintf(want, sizeof(want), "%s: no examples found", empties[i]);
		CHECK(has(g.msg, want));
		got_release(&g);
	}
	write_gz("empty.jsonl.gz", "");
	read_bench("empty.jsonl.gz", NULL, 0, NULL, 0, &g);
	CHECK(has(g.msg, "empty.jsonl.gz: no examples found"));
	got_release(&g);

	read_bench("does-not-exist.jsonl", NULL, 0, NULL, 0, &g);
	CHECK(g.open_failed);
	CHECK(g.rc == CONTAM_E_IO);
	got_release(&g);
}

/* Real benchmark files from the shared data, when present. */
static void test_shared(const char *datadir)
{
	static const struct {
		const char *path;
		const char *fields[3];
		int no_header;
		size_t count;
		bench_format format;
		const char *id; /* must exist in the file */
	} cases[] = {
		{ "gsm8k/test.jsonl", { "question" }, 0, 1319, BENCH_JSONL, NULL },
		{ "mmlu/data/test/abstract_algebra_test.csv", { NULL }, 1, 100,
		  BENCH_CSV, "5" },
		{ "arc/ARC-Challenge-Test.jsonl",
		  { "question.stem", "question.choices.text" }, 0, 1172,
		  BENCH_JSONL, "id" },
		{ "truthfulqa/TruthfulQA.csv", { "Question", "Best Answer" }, 0,
		  790, BENCH_CSV, NULL }, /* current upstream file; v1 had 817 */
		{ "humaneval/HumanEval.jsonl.gz", { "prompt" }, 0, 164,
		  BENCH_JSONL, "task_id" },
		{ "sciq/test.json", { "question", "correct_answer" }, 0, 1000,
		  BENCH_JSON, NULL },
	};
	char root[PATH_MAX], bench[PATH_MAX + 64];
	snprintf(bench, sizeof(bench), "%s/../../../shared/data/benchmarks",
		 datadir);
	if (!realpath(bench, root)) {
		printf("bench: shared data not found, skipping real files\n");
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char path[PATH_MAX * 2];
		size_t nf = 0;
		got g;
		snprintf(path, sizeof(path), "%s/%s", root, cases[i].path);
		if (access(path, R_OK) != 0) {
			printf("bench: %s absent, skipped\n", cases[i].path);
			continue;
		}
		while (nf < 3 && cases[i].fields[nf])
			nf++;
		read_bench(path, cases[i].fields, nf, cases[i].id,
			   cases[i].no_header, &g);
		if (g.rc != 0)
			fprintf(stderr, "  %s: %s\n", cases[i].path, g.msg);
		CHECK(g.rc == 0);
		CHECK(g.format == cases[i].format);
		CHECK_EQ_U64(g.n, cases[i].count);
		CHECK(g.n > 0 && g.len[0] > 0);
		got_release(&g);
	}
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

int main(int argc, char **argv)
{
	const char *datadir = tu_datadir(argc, argv);
	snprintf(tmpdir, sizeof(tmpdir), "%s/contam-bench-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_jsonl();
	test_json();
	test_csv();
	test_txt();
	test_compressed();
	test_errors();
	test_shared(datadir);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tu_finish("bench");
}
