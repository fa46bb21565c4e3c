/*
 * test_bench_fields.c -- the benchmark readers: fields that
 * must exist, per-field record counts, fields taken without --field,
 * --records paths (fan-out, '*', '@values', ^ to the enclosing objects),
 * @keys, records of several text lines, CSV names repeated in the header,
 * and the benchmark-level merge of field statistics.
 */
#include "probe/bench.h"
#include "testutil.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KEEP 16

static char tmpdir[PATH_MAX];

typedef struct got {
	int rc;
	int open_failed;
	size_t n;
	char *text[KEEP];
	char *id[KEEP];
	uint64_t record[KEEP], line[KEEP];
	char msg[CERR_MSG_MAX];
	/* field statistics once read to the end */
	size_t nf;
	char *fname[8];
	uint64_t fhits[8];
	int is_auto;
	uint64_t more, records, id_records;
	contam_benchmark bm;
} got;

static void got_release(got *g)
{
	for (size_t i = 0; i < KEEP; i++) {
		free(g->text[i]);
		free(g->id[i]);
	}
	for (size_t i = 0; i < 8; i++)
		free(g->fname[i]);
	bench_benchmark_fields_free(&g->bm);
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

typedef struct opts {
	const char *fields[8];
	const char *id;
	const char *records;
	uint32_t lines;
	int no_header;
} opts;

static void read_bench(const char *name, const opts *o, got *g)
{
	size_t nf = 0;
	while (nf < 8 && o->fields[nf])
		nf++;
	bench_options opt = { .fields = o->fields, .nfields = nf,
			      .id_field = o->id, .no_header = o->no_header,
			      .records = o->records, .lines_per_record = o->lines };
	bench_reader *r = NULL;
	bench_example ex;
	cerr err;
	cerr_clear(&err);
	memset(g, 0, sizeof(*g));
	g->rc = bench_reader_open(&r, tpath(name), &opt, &err);
	if (g->rc < 0) {
		g->open_failed = 1;
		snprintf(g->msg, sizeof(g->msg), "%s", err.msg);
		return;
	}
	while ((g->rc = bench_reader_next(r, &ex, &err)) == 1) {
		if (g->n < KEEP) {
			g->text[g->n] = strndup(ex.text, ex.len);
			g->id[g->n] = ex.id ? strdup(ex.id) : NULL;
			g->record[g->n] = ex.record;
			g->line[g->n] = ex.line;
		}
		g->n++;
	}
	if (g->rc < 0)
		snprintf(g->msg, sizeof(g->msg), "%s", err.msg);
	if (g->rc == 0) {
		const bench_field_stat *f;
		size_t n;
		bench_reader_fields(r, &f, &n, &g->is_auto, &g->more);
		for (size_t i = 0; i < n && i < 8; i++) {
			g->fname[i] = strdup(f[i].name);
			g->fhits[i] = f[i].records;
		}
		g->nf = n;
		g->records = bench_reader_records(r);
		g->id_records = bench_reader_id_records(r);
		CHECK(bench_merge_fields(&g->bm, 0, r, o->id, 0) == 0);
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

static void test_fields_must_exist(void)
{
	got g;
	write_file("boolq.jsonl",
		   "{\"question\": \"q0\", \"passage\": \"p0\", \"idx\": 0}\n"
		   "{\"question\": \"q1\", \"idx\": 1}\n"
		   "{\"question\": \"q2\", \"passage\": \"p2\", \"idx\": 2}\n");
	opts typo = { .fields = { "question", "pasage" } };
	read_bench("boolq.jsonl", &typo, &g);
	CHECK(g.rc == CONTAM_E_FORMAT);
	CHECK(has(g.msg, "--field 'pasage' selects nothing in any of the 3 records"));
	CHECK(has(g.msg, "'question', 'passage', 'idx'"));
	got_release(&g);

	/* one of two missing in one record: counted, not an error */
	opts both = { .fields = { "question", "passage" } };
	read_bench("boolq.jsonl", &both, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[1], "q1");
	CHECK_EQ_U64(g.nf, 2);
	CHECK_EQ_U64(g.fhits[0], 3);
	CHECK_EQ_U64(g.fhits[1], 2);
	CHECK(!g.is_auto);
	CHECK_EQ_U64(g.bm.nfields, 2);
	CHECK_STR(g.bm.fields[1], "passage");
	CHECK_EQ_U64(g.bm.field_missing[0], 0);
	CHECK_EQ_U64(g.bm.field_missing[1], 1);
	got_release(&g);

	/* every string without --field: the keys that gave text */
	opts none = { .fields = { NULL } };
	read_bench("boolq.jsonl", &none, &g);
	CHECK(g.rc == 0);
	CHECK(g.is_auto);
	CHECK_EQ_U64(g.nf, 2); /* idx is a number: not text */
	CHECK_STR(g.fname[0], "question");
	CHECK_STR(g.fname[1], "passage");
	CHECK_EQ_U64(g.bm.field_missing[1], 1);
	CHECK(g.bm.fields_auto);
	got_release(&g);

	/* --id-field found nowhere is an error; found in some is counted */
	opts id_typo = { .fields = { "question" }, .id = "idz" };
	read_bench("boolq.jsonl", &id_typo, &g);
	CHECK(g.rc < 0 && has(g.msg, "--id-field 'idz'"));
	got_release(&g);
	opts id_some = { .fields = { "question" }, .id = "passage" };
	read_bench("boolq.jsonl", &id_some, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.id_records, 2);
	CHECK_EQ_U64(g.bm.id_missing, 1);
	CHECK(g.id[1] == NULL);
	got_release(&g);

	/* a dotted path that stops part of the way says where */
	write_file("arc.jsonl",
		   "{\"id\": \"a\", \"question\": {\"stem\": \"s\", \"choices\": "
		   "[{\"text\": \"t\", \"label\": \"A\"}]}}\n");
	opts stm = { .fields = { "question.stm" } };
	read_bench("arc.jsonl", &stm, &g);
	CHECK(g.rc < 0 && has(g.msg, "'question' has keys 'stem', 'choices'"));
	got_release(&g);
	opts stm2 = { .fields = { "question.stem", "question.choices.txt" } };
	read_bench("arc.jsonl", &stm2, &g);
	CHECK(g.rc < 0 && has(g.msg, "'question.choices.txt'") &&
	      has(g.msg, "'question.choices' has keys 'text', 'label'"));
	got_release(&g);
}

static void test_txt(void)
{
	got g;
	write_file("l.txt", "one\ntwo\n");
	opts f = { .fields = { "0" } };
	read_bench("l.txt", &f, &g);
	CHECK(g.open_failed && g.rc == CONTAM_E_PARAM && has(g.msg, "no fields"));
	got_release(&g);

	/* records of 3 lines; fields are line numbers; blank lines inside a
	 * record count, blank lines between records do not */
	write_file("g.txt", "ctx a\n1\nend a\n\nctx b\n\nend b\n");
	opts g3 = { .fields = { "0", "2" }, .id = "1", .lines = 3 };
	read_bench("g.txt", &g3, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_STR(g.text[0], "ctx a\nend a");
	CHECK_STR(g.id[0], "1");
	CHECK_STR(g.text[1], "ctx b\nend b");
	CHECK_STR(g.id[1], "");
	CHECK_EQ_U64(g.line[1], 5);
	got_release(&g);
	opts all3 = { .fields = { NULL }, .lines = 3 };
	read_bench("g.txt", &all3, &g);
	CHECK_STR(g.text[0], "ctx a\n1\nend a");
	got_release(&g);
	opts g4 = { .fields = { NULL }, .lines = 4 };
	read_bench("g.txt", &g4, &g);
	CHECK(g.rc < 0 && has(g.msg, "ends inside"));
	got_release(&g);
	opts bad = { .fields = { "3" }, .lines = 3 };
	read_bench("g.txt", &bad, &g);
	CHECK(g.open_failed && has(g.msg, "0..2"));
	got_release(&g);
	/* --lines-per-record on JSON is refused */
	write_file("x.jsonl", "{\"a\": \"b\"}\n");
	read_bench("x.jsonl", &g3, &g);
	CHECK(g.open_failed && has(g.msg, "--lines-per-record"));
	got_release(&g);
}

static void test_records(void)
{
	got g;
	write_file("squad.json",
		   "{\"version\": \"1\", \"data\": ["
		   "{\"title\": \"T1\", \"paragraphs\": ["
		   "{\"context\": \"C1\", \"qas\": [{\"id\": \"a\", \"question\": \"Q1\"},"
		   "{\"id\": \"b\", \"question\": \"Q2\"}]},"
		   "{\"context\": \"C2\", \"qas\": [{\"id\": \"c\", \"question\": \"Q3\"}]}]},"
		   "{\"title\": \"T2\", \"paragraphs\": [{\"context\": \"C3\", \"qas\": ["
		   "{\"id\": \"d\", \"question\": \"Q4\"}]}]}]}");
	opts plain = { .fields = { NULL } };
	read_bench("squad.json", &plain, &g);
	CHECK(g.open_failed && has(g.msg, "--records data.paragraphs.qas"));
	got_release(&g);

	opts sq = { .fields = { "question", "^context", "^^title", "^^^version" },
		    .id = "id", .records = "data.paragraphs.qas" };
	read_bench("squad.json", &sq, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 4);
	CHECK_STR(g.text[0], "Q1\nC1\nT1\n1");
	CHECK_STR(g.text[2], "Q3\nC2\nT1\n1");
	CHECK_STR(g.text[3], "Q4\nC3\nT2\n1");
	CHECK_STR(g.id[3], "d");
	CHECK_EQ_U64(g.record[3], 3);
	CHECK_EQ_U64(g.fhits[1], 4);
	got_release(&g);

	/* too many ^: nothing there, an error when it is so everywhere */
	opts up = { .fields = { "question", "^^^^x" }, .records = "data.paragraphs.qas" };
	read_bench("squad.json", &up, &g);
	CHECK(g.rc < 0 && has(g.msg, "'^^^^x'"));
	got_release(&g);

	opts wrong = { .fields = { NULL }, .records = "data.paragraph.qas" };
	read_bench("squad.json", &wrong, &g);
	CHECK(g.rc < 0 && has(g.msg, "--records 'data.paragraph.qas' selects nothing"));
	got_release(&g);

	opts as_is = { .fields = { "title" }, .records = "data" };
	read_bench("squad.json", &as_is, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 2);
	got_release(&g);

	/* an array of arrays: '*' then an index; ^ is the enclosing array */
	write_file("c3.json", "[[[\"p1\", \"p2\"], [{\"question\": \"q1\"}, "
		   "{\"question\": \"q2\"}], \"id1\"], [[\"p3\"], "
		   "[{\"question\": \"q3\"}], \"id2\"]]");
	opts c3 = { .fields = { "question", "^0", "^2" }, .records = "*.1" };
	read_bench("c3.json", &c3, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[0], "q1\np1\np2\nid1");
	CHECK_STR(g.text[2], "q3\np3\nid2");
	got_release(&g);

	/* an object keyed by id: @values */
	write_file("drop.json", "{\"p1\": {\"passage\": \"P1\", \"qa\": [{\"q\": \"x\"}]},"
		   " \"p2\": {\"passage\": \"P2\", \"qa\": [{\"q\": \"y\"}, {\"q\": \"z\"}]}}");
	read_bench("drop.json", &plain, &g);
	CHECK(g.open_failed && has(g.msg, "several"));
	got_release(&g);
	opts dv = { .fields = { "q", "^passage" }, .records = "@values.qa" };
	read_bench("drop.json", &dv, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[2], "z\nP2");
	got_release(&g);

	/* JSONL: --records applies to each line */
	write_file("m.jsonl",
		   "{\"passage\": {\"text\": \"T1\", \"questions\": [{\"question\": \"a\"}, {\"question\": \"b\"}]}}\n"
		   "\n"
		   "{\"passage\": {\"text\": \"T2\", \"questions\": [{\"question\": \"c\"}]}}\n");
	opts m = { .fields = { "question", "^text" }, .records = "passage.questions" };
	read_bench("m.jsonl", &m, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.n, 3);
	CHECK_STR(g.text[1], "b\nT1");
	CHECK_STR(g.text[2], "c\nT2");
	CHECK_EQ_U64(g.line[2], 3);
	got_release(&g);

	/* a line the path does not fit would go unread: refused; a line
	 * whose array is empty has no records */
	write_file("m2.jsonl",
		   "{\"passage\": {\"text\": \"T1\", \"questions\": [{\"question\": \"a\"}]}}\n"
		   "{\"passage\": {\"text\": \"T2\", \"questions\": []}}\n"
		   "{\"other\": 1}\n");
	read_bench("m2.jsonl", &m, &g);
	CHECK(g.rc < 0 && has(g.msg, "m2.jsonl:3:") &&
	      has(g.msg, "the document has keys 'other'"));
	CHECK_EQ_U64(g.n, 1);
	got_release(&g);

	/* --records on CSV is refused */
	write_file("r.csv", "a\nb\n");
	read_bench("r.csv", &m, &g);
	CHECK(g.open_failed && has(g.msg, "--records"));
	got_release(&g);
}

static void test_keys(void)
{
	got g;
	write_file("mc.json", "[{\"question\": \"Q\", \"mc1_targets\": "
		   "{\"right one\": 1, \"wrong one\": 0}, \"x\": {\"k\": \"v\"}}]");
	opts k = { .fields = { "question", "mc1_targets.@keys" } };
	read_bench("mc.json", &k, &g);
	CHECK(g.rc == 0);
	CHECK_STR(g.text[0], "Q\nright one\nwrong one");
	got_release(&g);
	opts v = { .fields = { "mc1_targets" } };
	read_bench("mc.json", &v, &g);
	CHECK(g.rc < 0); /* numbers under it: no text */
	got_release(&g);
	opts star = { .fields = { "x.*" } };
	read_bench("mc.json", &star, &g);
	CHECK(g.rc == 0);
	CHECK_STR(g.text[0], "v");
	got_release(&g);
}

static void test_csv_names(void)
{
	got g;
	write_file("dup.csv", "q,a,q\nfirst,A,second\n");
	opts q = { .fields = { "q" } };
	read_bench("dup.csv", &q, &g);
	CHECK(g.open_failed && has(g.msg, "ambiguous") && has(g.msg, "0 and 2"));
	got_release(&g);
	opts q2 = { .fields = { "q#2", "q#1" } };
	read_bench("dup.csv", &q2, &g);
	CHECK(g.rc == 0);
	CHECK_STR(g.text[0], "second\nfirst");
	got_release(&g);
	opts q3 = { .fields = { "q#3" } };
	read_bench("dup.csv", &q3, &g);
	CHECK(g.open_failed && has(g.msg, "no such column"));
	got_release(&g);
	/* an empty cell counts as missing, and a column empty everywhere
	 * selects nothing */
	write_file("e.csv", "q,note\none,\ntwo,x\n");
	opts qn = { .fields = { "q", "note" } };
	read_bench("e.csv", &qn, &g);
	CHECK(g.rc == 0);
	CHECK_EQ_U64(g.bm.field_missing[1], 1);
	got_release(&g);
	write_file("e2.csv", "q,note\none,\ntwo,\n");
	read_bench("e2.csv", &qn, &g);
	CHECK(g.rc < 0 && has(g.msg, "'note' selects nothing"));
	got_release(&g);
}

static void test_merge(void)
{
	/* two files under one name: a field only the second has is missing
	 * in all of the first's records */
	contam_benchmark b;
	memset(&b, 0, sizeof(b));
	write_file("f1.jsonl", "{\"a\": \"x\"}\n{\"a\": \"y\"}\n");
	write_file("f2.jsonl", "{\"a\": \"z\", \"b\": \"w\"}\n");
	bench_options o = { 0 };
	bench_reader *r = NULL;
	bench_example ex;
	cerr err;
	const char *names[2] = { "f1.jsonl", "f2.jsonl" };
	for (int f = 0; f < 2; f++) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s", tpath(names[f]));
		CHECK(bench_reader_open(&r, path, &o, &err) == 0);
		while (bench_reader_next(r, &ex, &err) == 1)
			;
		CHECK(bench_merge_fields(&b, b.records_read, r, NULL, 0) == 0);
		bench_reader_free(r);
	}
	CHECK_EQ_U64(b.records_read, 3);
	CHECK_EQ_U64(b.nfields, 2);
	CHECK_STR(b.fields[1], "b");
	CHECK_EQ_U64(b.field_missing[0], 0);
	CHECK_EQ_U64(b.field_missing[1], 2);
	bench_benchmark_fields_free(&b);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tmpdir, sizeof(tmpdir), "%s/contam-bf-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_fields_must_exist();
	test_txt();
	test_records();
	test_keys();
	test_csv_names();
	test_merge();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tu_finish("bench_fields");
}
