/*
 * test_bench_set.c -- the benchmark set probe and scan share
 * (src/lib/probe/bench_set.c) and benchmarks given in memory:
 *   - contam_probe_add_buffer gives the examples, verdicts, evidence, null
 *     control, question/answer split and field statistics that
 *     contam_probe_add_file gives for the same bytes in a file, in every
 *     format (and gzip-compressed, undone by content);
 *   - a file that fails half-way leaves nothing: no examples, no source,
 *     no benchmark it created, the counters of one it joined as before;
 *   - the scan reads buffers the same way, and its question/answer split
 *     agrees with the probe's on an exact index;
 *   - contam_probe_write_clean refuses a probe given buffers, and an
 *     unknown format is refused.
 */
#include "contam.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static const char *COPIED = "the quick brown fox jumps over the lazy dog while "
			    "seven patient herons watch the river bend slowly";
static const char *ANSWER = "because every heron knows the river bends twice "
			    "before the old mill near town";

static contam_index *ix;

static void build_index(void)
{
	char doc[1024], corpus_path[512];
	snprintf(doc, sizeof doc, "{\"text\": \"some words before %s and after. "
		 "%s.\"}\n{\"text\": \"an unrelated second document about "
		 "nothing in particular at all\"}\n", COPIED, ANSWER);
	snprintf(corpus_path, sizeof corpus_path, "%s", tu_path("corpus.jsonl"));
	tu_write_file(corpus_path, doc, strlen(doc));
	contam_params par = { .ngram = 8, .k = 7, .nblocks = 64, .seed = 1,
			      .recipe_version = CONTAM_RECIPE_VERSION };
	contam_inputs in = { 0 };
	contam_build_options bopt;
	contam_error err;
	const char *corpus = corpus_path;
	contam_build_options_init(&bopt);
	CHECK(contam_index_new(&ix, &par, NULL) == CONTAM_OK);
	CHECK(contam_inputs_expand(&in, &corpus, 1, &err) == CONTAM_OK);
	CHECK(contam_index_build(ix, &in, &bopt) == CONTAM_OK);
	contam_inputs_free(&in);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Every field the report prints of an example, but its source. */
static int same_example(const contam_example *a, const contam_example *b)
{
	int same = same_str(a->benchmark, b->benchmark) && same_str(a->id, b->id) &&
		   a->record == b->record && a->line == b->line &&
		   a->tokens == b->tokens && a->ngrams == b->ngrams &&
		   a->hits == b->hits && a->longest == b->longest &&
		   a->covered == b->covered && a->coverage == b->coverage &&
		   a->overlap == b->overlap && a->verdict == b->verdict &&
		   a->covered10 == b->covered10 && a->gpt3 == b->gpt3 &&
		   a->palm == b->palm && a->has_qa == b->has_qa &&
		   a->q_tokens == b->q_tokens && a->q_covered == b->q_covered &&
		   a->a_tokens == b->a_tokens && a->a_covered == b->a_covered &&
		   a->unscored_tokens == b->unscored_tokens &&
		   a->template_ngrams == b->template_ngrams &&
		   a->chance_hits == b->chance_hits && a->chance == b->chance &&
		   a->has_null == b->has_null && a->null_verdict == b->null_verdict &&
		   a->null_coverage == b->null_coverage && a->nspans == b->nspans;
	for (uint32_t k = 0; same && k < a->nspans; k++)
		same = same_str(a->spans[k].text, b->spans[k].text) &&
		       a->spans[k].byte_start == b->spans[k].byte_start &&
		       a->spans[k].byte_end == b->spans[k].byte_end;
	return same;
}

static int same_benchmark(const contam_benchmark *a, const contam_benchmark *b)
{
	int same = same_str(a->name, b->name) && a->nsources == b->nsources &&
		   a->examples == b->examples && a->contaminated == b->contaminated &&
		   a->partial == b->partial && a->clean == b->clean &&
		   a->too_short == b->too_short && a->null_examples == b->null_examples &&
		   a->null_contaminated == b->null_contaminated &&
		   a->template_distinct == b->template_distinct &&
		   a->records_read == b->records_read && a->nfields == b->nfields &&
		   a->fields_auto == b->fields_auto && a->id_missing == b->id_missing;
	for (size_t i = 0; same && i < a->nfields; i++)
		same = same_str(a->fields[i], b->fields[i]) &&
		       a->field_missing[i] == b->field_missing[i];
	return same;
}

/* Probe `bytes` once from a file named NAME and once as a buffer of
 * `format`; both must give the same result, with `want` examples and
 * `want_flagged` of them partial or contaminated. */
static void probe_both(const char *name, const void *bytes, size_t len,
		       contam_bench_format format, const contam_probe_options *po,
		       size_t want, size_t want_flagged)
{
	char path[512];
	snprintf(path, sizeof path, "%s", tu_path(name));
	tu_write_file(path, bytes, len);
	contam_probe *pf = NULL, *pm = NULL;
	CHECK(contam_probe_new(&pf, ix, "x.cidx", po, NULL) == CONTAM_OK);
	CHECK(contam_probe_new(&pm, ix, "x.cidx", po, NULL) == CONTAM_OK);
	int rf = contam_probe_add_file(pf, "b", path);
	int rm = contam_probe_add_buffer(pm, "b", path, bytes, len, format);
	CHECK_EQ_U64(rf, CONTAM_OK);
	CHECK_EQ_U64(rm, CONTAM_OK);
	if (rf || rm)
		fprintf(stderr, "%s: file: %s; buffer: %s\n", name,
			contam_probe_errmsg(pf), contam_probe_errmsg(pm));
	contam_result a, b;
	contam_probe_result(pf, &a);
	contam_probe_result(pm, &b);
	CHECK_EQ_U64(a.nexamples, want);
	CHECK_EQ_U64(b.nexamples, want);
	CHECK_EQ_U64(a.nbenchmarks, 1);
	CHECK_EQ_U64(b.nbenchmarks, 1);
	CHECK(a.qa_split == b.qa_split);
	size_t flagged = 0;
	for (size_t i = 0; i < a.nexamples && i < b.nexamples; i++) {
		CHECK(same_example(&a.examples[i], &b.examples[i]));
		CHECK_STR(b.examples[i].source, path);
		flagged += contam_example_flagged(&a.examples[i], CONTAM_DEF_CONTAM);
	}
	CHECK_EQ_U64(flagged, want_flagged);
	if (a.nbenchmarks == 1 && b.nbenchmarks == 1)
		CHECK(same_benchmark(&a.benchmarks[0], &b.benchmarks[0]));
	contam_probe_free(pf);
	contam_probe_free(pm);
}

static void test_formats(void)
{
	char buf[2048];
	contam_probe_options po;
	contam_probe_options_init(&po);
	po.null_control = 1;

	/* JSONL with ids and fields, one record flagged, one clean, one
	 * too short */
	snprintf(buf, sizeof buf,
		 "{\"id\": \"a\", \"q\": \"%s\", \"a\": \"%s\"}\n"
		 "{\"id\": \"b\", \"q\": \"nothing of this sentence was ever written "
		 "into the corpus file\", \"a\": \"nor this answer of many words\"}\n"
		 "\n{\"id\": \"c\", \"q\": \"too short\", \"a\": \"x\"}\n", COPIED, ANSWER);
	const char *fields[] = { "q", "a" };
	po.fields = fields;
	po.nfields = 2;
	po.id_field = "id";
	probe_both("b.jsonl", buf, strlen(buf), CONTAM_BENCH_JSONL, &po, 3, 1);
	/* the same by content (a name with no benchmark extension) */
	probe_both("b-noext", buf, strlen(buf), CONTAM_BENCH_BY_CONTENT, &po, 3, 1);

	/* question/answer split */
	contam_probe_options qa = po;
	const char *qf[] = { "q" }, *af[] = { "a" };
	qa.fields = NULL;
	qa.nfields = 0;
	qa.question_fields = qf;
	qa.nquestion_fields = 1;
	qa.answer_fields = af;
	qa.nanswer_fields = 1;
	probe_both("qa.jsonl", buf, strlen(buf), CONTAM_BENCH_JSONL, &qa, 3, 1);

	/* a JSON array */
	snprintf(buf, sizeof buf, "[{\"q\": \"%s\"}, {\"q\": \"an unrelated question of "
		 "enough words to be scored here\"}]", COPIED);
	po.fields = fields;
	po.nfields = 1;
	po.id_field = NULL;
	probe_both("b.json", buf, strlen(buf), CONTAM_BENCH_JSON, &po, 2, 1);

	/* CSV and TSV with a header, txt one example per line */
	snprintf(buf, sizeof buf, "q,a\n\"%s\",\"%s\"\nshort,one\n", COPIED, ANSWER);
	probe_both("b.csv", buf, strlen(buf), CONTAM_BENCH_CSV, &po, 2, 1);
	snprintf(buf, sizeof buf, "q\ta\n%s\t%s\nshort\tone\n", COPIED, ANSWER);
	probe_both("b.tsv", buf, strlen(buf), CONTAM_BENCH_TSV, &po, 2, 1);
	po.fields = NULL;
	po.nfields = 0;
	snprintf(buf, sizeof buf, "%s\n\nnot in the corpus at all, not one of these "
		 "words\n%s\n", COPIED, ANSWER);
	probe_both("b.txt", buf, strlen(buf), CONTAM_BENCH_TXT, &po, 3, 2);

	/* gzip, undone by content for the buffer as for the file: a gzip of
	 * "<COPIED>\n" made by Python's gzip.compress(mtime=0) would do; build
	 * one with the gzip tool instead when it is there */
	char cmd[1024], gz[512];
	snprintf(gz, sizeof gz, "%s", tu_path("g.txt.gz"));
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | gzip -c > '%s'", COPIED, gz);
	if (system(cmd) == 0) {
		FILE *f = fopen(gz, "rb");
		size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
		if (f)
			fclose(f);
		CHECK(n > 18 && (unsigned char)buf[0] == 0x1f);
		probe_both("g.txt.gz", buf, n, CONTAM_BENCH_TXT, &po, 1, 1);
	}
}

/* A failure half-way leaves the set as it was. */
static void test_rollback(void)
{
	char good[1024], bad[1024];
	snprintf(good, sizeof good, "{\"q\": \"%s\"}\n{\"q\": \"an unrelated question "
		 "of enough words to be scored here\"}\n", COPIED);
	snprintf(bad, sizeof bad, "{\"q\": \"%s\"}\n{\"q\": broken\n", COPIED);
	contam_probe_options po;
	contam_probe_options_init(&po);
	po.null_control = 1;
	contam_probe *p = NULL;
	CHECK(contam_probe_new(&p, ix, "x.cidx", &po, NULL) == CONTAM_OK);
	/* a new benchmark: gone again */
	CHECK(contam_probe_add_buffer(p, "new", "bad.jsonl", bad, strlen(bad),
				      CONTAM_BENCH_JSONL) == CONTAM_E_FORMAT);
	CHECK(strstr(contam_probe_errmsg(p), "bad.jsonl:2") != NULL);
	contam_result r;
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 0);
	CHECK_EQ_U64(r.nbenchmarks, 0);
	/* one that has a file already: its examples, sources and counters
	 * stay those of the first file */
	CHECK(contam_probe_add_buffer(p, "b", "good.jsonl", good, strlen(good),
				      CONTAM_BENCH_JSONL) == CONTAM_OK);
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 2);
	contam_benchmark before = r.benchmarks[0];
	CHECK_EQ_U64(before.null_examples, 2);
	CHECK_EQ_U64(before.contaminated, 1);
	CHECK(contam_probe_add_buffer(p, "b", "bad.jsonl", bad, strlen(bad),
				      CONTAM_BENCH_JSONL) == CONTAM_E_FORMAT);
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 2);
	CHECK_EQ_U64(r.nbenchmarks, 1);
	CHECK_EQ_U64(r.benchmarks[0].nsources, 1);
	CHECK(same_benchmark(&r.benchmarks[0], &before));
	CHECK_EQ_U64(r.benchmarks[0].null_examples, 2);
	CHECK_EQ_U64(r.benchmarks[0].template_distinct, before.template_distinct);
	/* and the set goes on: a second good file joins */
	CHECK(contam_probe_add_buffer(p, "b", "good2.jsonl", good, strlen(good),
				      CONTAM_BENCH_JSONL) == CONTAM_OK);
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 4);
	CHECK_EQ_U64(r.benchmarks[0].examples, 4);
	CHECK_EQ_U64(r.benchmarks[0].contaminated, 2);
	CHECK_EQ_U64(r.benchmarks[0].null_examples, 4);
	CHECK_STR(r.examples[3].source, "good2.jsonl");

	/* refusals */
	CHECK(contam_probe_add_buffer(p, "b", "x", good, strlen(good),
				      (contam_bench_format)9) == CONTAM_E_PARAM);
	CHECK(contam_probe_add_buffer(p, "b", NULL, good, strlen(good),
				      CONTAM_BENCH_JSONL) == CONTAM_E_PARAM);
	CHECK(contam_probe_add_buffer(p, "b", "empty.jsonl", "", 0,
				      CONTAM_BENCH_JSONL) == CONTAM_E_FORMAT);
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 4);
	contam_clean_options co;
	contam_clean_options_init(&co);
	co.dir = tu_path("clean");
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_E_PARAM);
	CHECK(strstr(contam_probe_errmsg(p), "in memory") != NULL);
	contam_probe_free(p);
}

/* The scan: a buffer reads as the file does, and its question/answer
 * split agrees with the probe's where the probe's index is exact. */
static void test_scan(void)
{
	char buf[1024], path[512], corpus_path[512];
	snprintf(buf, sizeof buf, "{\"q\": \"%s\", \"a\": \"%s\"}\n"
		 "{\"q\": \"%s\", \"a\": \"an answer that the corpus never saw in "
		 "any of its documents\"}\n", COPIED, ANSWER, COPIED);
	snprintf(path, sizeof path, "%s", tu_path("s.jsonl"));
	tu_write_file(path, buf, strlen(buf));
	snprintf(corpus_path, sizeof corpus_path, "%s", tu_path("corpus.jsonl"));
	const char *qf[] = { "q" }, *af[] = { "a" };
	contam_result res[2];
	contam_scan *sc[2] = { NULL, NULL };
	for (int k = 0; k < 2; k++) {
		contam_scan_options so;
		contam_scan_options_init(&so);
		so.question_fields = qf;
		so.nquestion_fields = 1;
		so.answer_fields = af;
		so.nanswer_fields = 1;
		so.threads = 1;
		CHECK(contam_scan_new(&sc[k], &so, NULL) == CONTAM_OK);
		CHECK((k ? contam_scan_add_buffer(sc[k], "s", path, buf, strlen(buf),
						  CONTAM_BENCH_JSONL)
			 : contam_scan_add_file(sc[k], "s", path)) == CONTAM_OK);
		contam_inputs in = { 0 };
		contam_error eb;
		const char *corpus = corpus_path;
		CHECK(contam_inputs_expand(&in, &corpus, 1, &eb) == CONTAM_OK);
		CHECK(contam_scan_run(sc[k], &in) == CONTAM_OK);
		contam_inputs_free(&in);
		contam_scan_result(sc[k], &res[k]);
	}
	CHECK(res[0].qa_split && res[1].qa_split);
	CHECK_EQ_U64(res[0].nexamples, 2);
	CHECK_EQ_U64(res[1].nexamples, 2);
	for (size_t i = 0; i < res[0].nexamples && i < res[1].nexamples; i++)
		CHECK(same_example(&res[0].examples[i], &res[1].examples[i]));
	if (res[0].nexamples == 2) {
		const contam_example *e = res[0].examples;
		/* question and answer found; then the question only */
		CHECK(e[0].has_qa && e[0].q_tokens > 0 && e[0].a_tokens > 0);
		CHECK(contam_example_qa_label(&e[0]) == CONTAM_QA_QUESTION_ANSWER);
		CHECK(contam_example_qa_label(&e[1]) == CONTAM_QA_QUESTION);
	}
	/* the probe of the same file, by the same split */
	contam_probe_options po;
	contam_probe_options_init(&po);
	po.question_fields = qf;
	po.nquestion_fields = 1;
	po.answer_fields = af;
	po.nanswer_fields = 1;
	contam_probe *p = NULL;
	CHECK(contam_probe_new(&p, ix, "x.cidx", &po, NULL) == CONTAM_OK);
	CHECK(contam_probe_add_file(p, "s", path) == CONTAM_OK);
	contam_result pr;
	contam_probe_result(p, &pr);
	for (size_t i = 0; i < pr.nexamples && i < res[0].nexamples; i++) {
		CHECK_EQ_U64(pr.examples[i].q_tokens, res[0].examples[i].q_tokens);
		CHECK_EQ_U64(pr.examples[i].a_tokens, res[0].examples[i].a_tokens);
		CHECK(contam_example_qa_label(&pr.examples[i]) ==
		      contam_example_qa_label(&res[0].examples[i]));
	}
	contam_probe_free(p);
	/* a half split is refused, as in the probe */
	contam_scan_options so;
	contam_scan *bad = NULL;
	contam_scan_options_init(&so);
	so.question_fields = qf;
	so.nquestion_fields = 1;
	contam_error serr;
	CHECK(contam_scan_new(&bad, &so, &serr) == CONTAM_E_PARAM);
	CHECK(bad == NULL);
	CHECK(strstr(serr.msg, "both question and answer") != NULL);
	contam_scan_free(sc[0]);
	contam_scan_free(sc[1]);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test_bench_set-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	build_index();
	test_formats();
	test_rollback();
	test_scan();
	contam_index_free(ix);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("test_bench_set");
}
