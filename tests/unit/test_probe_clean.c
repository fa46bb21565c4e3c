/*
 * test_probe_clean.c -- contam_probe_write_clean and the definitions:
 * records go by the final verdict (an overturned
 * flag is clean), the list names the flagged records, a file that reads
 * differently the second time or a stop request leaves nothing.
 */
#include "contam.h"
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *COPIED = "the quick brown fox jumps over the lazy dog while "
			    "seven patient herons watch the river bend slowly";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_definitions(void)
{
	contam_definition d;
	CHECK(contam_definition_parse("gpt3", &d) == CONTAM_OK && d == CONTAM_DEF_GPT3);
	CHECK(contam_definition_parse("llama2", &d) == CONTAM_OK && d == CONTAM_DEF_LLAMA2);
	CHECK(contam_definition_parse("GPT3", &d) == CONTAM_E_PARAM);
	CHECK(contam_definition_parse(NULL, &d) == CONTAM_E_PARAM);
	CHECK_STR(contam_definition_name(CONTAM_DEF_PALM), "palm");
	CHECK(contam_definition_unavailable(CONTAM_DEF_PALM, 8) == NULL);
	CHECK(contam_definition_unavailable(CONTAM_DEF_PALM, 13) != NULL);
	CHECK(contam_definition_unavailable(CONTAM_DEF_GPT3, 13) == NULL);
	CHECK(contam_definition_unavailable(CONTAM_DEF_GPT3, 14) != NULL);
	CHECK(contam_definition_unavailable(CONTAM_DEF_LLAMA2, 11) != NULL);
	contam_example e;
	memset(&e, 0, sizeof e);
	e.verdict = CONTAM_PARTIAL;
	CHECK(contam_example_flagged(&e, CONTAM_DEF_CONTAM));
	CHECK(!contam_example_flagged(&e, CONTAM_DEF_GPT3));
	e.verdict = CONTAM_TOO_SHORT;
	CHECK(!contam_example_flagged(&e, CONTAM_DEF_CONTAM));
	/* Llama 2 "not clean" at exactly 20% of the tokens */
	e.tokens = 50;
	e.covered10 = 10;
	CHECK(contam_example_flagged(&e, CONTAM_DEF_LLAMA2));
	e.covered10 = 9;
	CHECK(!contam_example_flagged(&e, CONTAM_DEF_LLAMA2));
	e.gpt3 = 1;
	CHECK(contam_example_flagged(&e, CONTAM_DEF_GPT3));
}

static void test_write_clean(void)
{
	char doc[512], bench[1024];
	snprintf(doc, sizeof doc, "{\"text\": \"some words before %s and after\"}\n", COPIED);
	tu_write_file(tu_path("corpus.jsonl"), doc, strlen(doc));
	char bpath[512]; /* tu_path's slots are reused */
	snprintf(bpath, sizeof bpath, "%s", tu_path("b.jsonl"));
	snprintf(bench, sizeof bench,
		 "{\"id\": \"a\", \"text\": \"%s\"}\n"
		 "{\"id\": \"b\", \"text\": \"nothing of this sentence was ever written "
		 "into the corpus file\"}\n"
		 "{\"id\": \"c\", \"text\": \"too short\"}\n", COPIED);
	tu_write_file(bpath, bench, strlen(bench));

	contam_params par = { .ngram = 8, .k = 7, .nblocks = 64, .seed = 1,
			      .recipe_version = CONTAM_RECIPE_VERSION };
	contam_index *ix = NULL;
	contam_inputs in = { 0 };
	contam_build_options bopt;
	contam_error err;
	char corpus_path[512];
	snprintf(corpus_path, sizeof corpus_path, "%s", tu_path("corpus.jsonl"));
	const char *corpus = corpus_path;
	contam_build_options_init(&bopt);
	CHECK(contam_index_new(&ix, &par, NULL) == CONTAM_OK);
	CHECK(contam_inputs_expand(&in, &corpus, 1, &err) == CONTAM_OK);
	CHECK(contam_index_build(ix, &in, &bopt) == CONTAM_OK);
	contam_inputs_free(&in);

	contam_probe *p = NULL;
	contam_probe_options po;
	contam_probe_options_init(&po);
	po.id_field = "id";
	CHECK(contam_probe_new(&p, ix, "x.cidx", &po, NULL) == CONTAM_OK);
	CHECK(contam_probe_add_file(p, "b", bpath) == CONTAM_OK);
	contam_result r;
	contam_probe_result(p, &r);
	CHECK_EQ_U64(r.nexamples, 3);
	if (r.nexamples != 3)
		goto out;
	CHECK(r.examples[0].verdict == CONTAM_CONTAMINATED);
	CHECK(r.examples[1].verdict == CONTAM_CLEAN);
	CHECK(r.examples[2].verdict == CONTAM_TOO_SHORT);

	contam_clean_options co;
	contam_clean_options_init(&co);
	co.dir = tu_path("out1");
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_OK);
	char *s = slurp(tu_path("out1/b.flagged.jsonl"));
	CHECK(s && strstr(s, "\"a\"") && !strstr(s, "\"b\""));
	s = slurp(tu_path("out1/b.clean.jsonl"));
	CHECK(s && strstr(s, "\"b\"") && strstr(s, "\"c\"") && !strstr(s, "\"a\""));
	s = slurp(tu_path("out1/b.flagged.jsonl.ids.json"));
	CHECK(s && strstr(s, "{\"record\": 0, \"line\": 1, \"id\": \"a\"}"));
	CHECK(s && strstr(s, "\"confirmed\": false") && strstr(s, "\"overturned\": 0"));

	/* the exact scan overturned example 0: clean */
	unsigned char over[3] = { 1, 0, 0 };
	co.dir = tu_path("out2");
	co.overturned = over;
	co.confirmed = 1;
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_OK);
	s = slurp(tu_path("out2/b.flagged.jsonl"));
	CHECK(s && s[0] == '\0');
	s = slurp(tu_path("out2/b.clean.jsonl"));
	CHECK(s && strstr(s, "\"a\"") && strstr(s, "\"b\"") && strstr(s, "\"c\""));
	s = slurp(tu_path("out2/b.flagged.jsonl.ids.json"));
	CHECK(s && strstr(s, "\"overturned\": 1") && strstr(s, "\"flagged_records\": []"));
	CHECK(s && strstr(s, "\"confirmed\": true"));

	/* a stop request: nothing */
	volatile int stop = 1;
	co.stop = &stop;
	co.overturned = NULL;
	co.dir = tu_path("out3");
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_E_INTERRUPTED);
	CHECK(entries(tu_path("out3")) == 0);
	co.stop = NULL;

	/* palm on an 8-gram index is fine; an unknown-to-the-index one not */
	co.definition = CONTAM_DEF_PALM;
	co.dir = tu_path("out4");
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_OK);

	/* the file changed after scoring: refused, nothing left */
	FILE *f = fopen(bpath, "ab");
	CHECK(f != NULL);
	if (f) {
		fputs("{\"id\": \"d\", \"text\": \"one record more than was scored\"}\n", f);
		fclose(f);
	}
	co.definition = CONTAM_DEF_CONTAM;
	co.dir = tu_path("out5");
	CHECK(contam_probe_write_clean(p, &co) == CONTAM_E_PARAM);
	CHECK(strstr(contam_probe_errmsg(p), "read differently") != NULL);
	CHECK(entries(tu_path("out5")) == 0);
out:
	contam_probe_free(p);
	contam_index_free(ix);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	snprintf(tu_tmpdir, sizeof tu_tmpdir, "/tmp/contam-test_probe_clean-XXXXXX");
	if (!mkdtemp(tu_tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_definitions();
	test_write_clean();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tu_tmpdir);
	return tu_finish("test_probe_clean");
}
