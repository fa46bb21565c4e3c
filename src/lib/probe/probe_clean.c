/*
 * probe_clean.c -- the published definitions of a flagged example, and
 * the clean subsets of `probe --write-clean`.
 *
 * The subsets are written in a pass of their own, after scoring and
 * after any exact scan (--confirm): every benchmark file is read again
 * with the options it was scored with, and each record goes to the clean
 * or the flagged file by the final verdict of its example (found by
 * source and record number).  Writing while scoring cannot honour a
 * verdict that the exact scan changes later.  A file that cannot be read
 * twice (a pipe) is refused: keeping every record's bytes in memory
 * would cost as much as the benchmark, for a case that a temporary file
 * serves.
 */
#include "../index/index.h"
#include "bench.h"
#include "probe_clean.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const def_names[] = { "contam", "gpt3", "palm", "llama2" };

int contam_definition_parse(const char *name, contam_definition *out)
{
	for (int i = 0; i < 4; i++)
		if (name && !strcmp(name, def_names[i])) {
			*out = (contam_definition)i;
			return CONTAM_OK;
		}
	return CONTAM_E_PARAM;
}

const char *contam_definition_name(contam_definition d)
{
	return (unsigned)d < 4 ? def_names[d] : "unknown";
}

const char *contam_definition_unavailable(contam_definition d, uint32_t ngram)
{
	switch (d) {
	case CONTAM_DEF_CONTAM: return NULL;
	case CONTAM_DEF_GPT3:
		return ngram > 13 ? "a 13-token match cannot be seen with n-grams "
				    "longer than 13" : NULL;
	case CONTAM_DEF_PALM:
		return ngram != 8 ? "PaLM counts 8-grams; the index holds "
				    "other n-grams" : NULL;
	case CONTAM_DEF_LLAMA2:
		return ngram > 10 ? "a 10-token span cannot be seen with n-grams "
				    "longer than 10" : NULL;
	}
	return "unknown definition";
}

int contam_example_flagged(const contam_example *e, contam_definition d)
{
	switch (d) {
	case CONTAM_DEF_CONTAM:
		return e->verdict == CONTAM_PARTIAL || e->verdict == CONTAM_CONTAMINATED;
	case CONTAM_DEF_GPT3:
		return e->gpt3 != 0;
	case CONTAM_DEF_PALM:
		return e->palm != 0;
	case CONTAM_DEF_LLAMA2:
		/* "not clean": the report's llama2 bucket other than clean */
		return e->tokens && (double)e->covered10 / (double)e->tokens >= 0.2;
	}
	return 0;
}

void contam_clean_options_init(contam_clean_options *o)
{
	memset(o, 0, sizeof(*o));
	o->definition = CONTAM_DEF_CONTAM;
}

enum { OUT_CLEAN, OUT_FLAGGED, OUT_LIST, NOUT };

/* The outputs of one benchmark file: final and temporary names, and the
 * examples [lo, hi) of the probe that came from it. */
typedef struct clean_job {
	const char *benchmark, *source;
	size_t lo, hi;
	char *path[NOUT], *tmp[NOUT];
	FILE *f[NOUT];
	int wrote_head;
	int json;                /* JSON array: records re-serialized */
	uint64_t count[2];       /* records written to clean, flagged */
} clean_job;

typedef struct clean_run {
	contam_probe *p;
	cerr *err;
	const contam_clean_options *o;
	const contam_result *res;
	clean_job *jobs;
	size_t njobs;
} clean_run;

/* DIR/<file name without .gz/.zst, ext moved after .clean/.flagged>;
 * the k-th file of the run with that name gets "-k" after its stem. */
static char *clean_name(const char *dir, const char *path, const char *kind,
			unsigned k)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	static const char *const comp[] = { ".gz", ".zst", ".zstd", ".bz2", ".xz",
					    ".zip", NULL };
	for (int i = 0; comp[i]; i++) {
		size_t cl = strlen(comp[i]);
		if (bl > cl && strcmp(base + bl - cl, comp[i]) == 0) {
			bl -= cl;
			break;
		}
	}
	size_t stem = bl;
	for (size_t i = bl; i > 0; i--) {
		if (base[i - 1] == '.') {
			stem = i - 1;
			break;
		}
	}
	if (stem == 0)
		stem = bl;
	char num[16] = "";
	if (k > 1)
		snprintf(num, sizeof(num), "-%u", k);
	size_t n = strlen(dir) + bl + strlen(kind) + strlen(num) + 4;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%.*s%s.%s%.*s", dir, (int)stem, base, num,
			 kind, (int)(bl - stem), base + stem);
	return out;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Names for job j, unique among the jobs before it; refused when an
 * output would replace an input of the run or the file itself. */
static int name_job(clean_run *c, size_t j)
{
	clean_job *job = &c->jobs[j];
	const contam_probe_options *po = cprobe_options(c->p);
	/* two benchmark files with the same name (gsm8k/test.jsonl and
	 * math/test.jsonl) must not overwrite each other's subsets */
	for (unsigned k = 1;; k++) {
		free(job->path[OUT_CLEAN]);
		job->path[OUT_CLEAN] = clean_name(c->o->dir, job->source, "clean", k);
		if (!job->path[OUT_CLEAN])
			return cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
		bool taken = false;
		for (size_t i = 0; i < j && !taken; i++)
			taken = !strcmp(c->jobs[i].path[OUT_CLEAN], job->path[OUT_CLEAN]);
		if (taken)
			continue;
		job->path[OUT_FLAGGED] = clean_name(c->o->dir, job->source, "flagged", k);
		/* the list is named after the flagged file it describes:
		 * unique with it (demo.jsonl and demo.csv of one run) */
		if (job->path[OUT_FLAGGED] &&
		    (job->path[OUT_LIST] = malloc(strlen(job->path[OUT_FLAGGED]) + 10)))
			snprintf(job->path[OUT_LIST], strlen(job->path[OUT_FLAGGED]) + 10,
				 "%s.ids.json", job->path[OUT_FLAGGED]);
		break;
	}
	for (int k = 0; k < NOUT; k++) {
		if (!job->path[k] || !(job->tmp[k] = malloc(strlen(job->path[k]) + 32)))
			return cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
		snprintf(job->tmp[k], strlen(job->path[k]) + 32, "%s.tmp.%ld",
			 job->path[k], (long)getpid());
	}
	/* an output that is an input of this run (x.clean.jsonl given as a
	 * benchmark, or the file being read) would destroy it */
	for (int k = 0; k < NOUT; k++) {
		struct stat so, si;
		if (stat(job->path[k], &so))
			continue;
		for (size_t i = 0; i < po->ninputs; i++)
			if (!stat(po->inputs[i], &si) && same_file(&si, &so))
				return cerr_set(c->err, CONTAM_E_PARAM, "--write-clean "
						"would overwrite '%s', an input of this "
						"run ('%s'): choose another directory",
						job->path[k], po->inputs[i]);
		for (size_t i = 0; i < c->njobs; i++)
			if (!stat(c->jobs[i].source, &si) && same_file(&si, &so))
				return cerr_set(c->err, CONTAM_E_PARAM, "--write-clean would "
						"overwrite '%s', the benchmark being read: "
						"choose another directory", job->path[k]);
	}
	return CONTAM_OK;
}

/* Append the record just read to the clean or the flagged file. */
static int clean_put(clean_run *c, clean_job *job, bench_reader *r, bool flagged)
{
	const char *head, *rec;
	size_t head_len, rec_len;
	int k = flagged ? OUT_FLAGGED : OUT_CLEAN;
	FILE *f = job->f[k];
	uint64_t *count = &job->count[k];
	if (bench_reader_raw(r, &head, &head_len, &rec, &rec_len) == CONTAM_OK) {
		if (!job->wrote_head) {
			job->wrote_head = 1;
			if (fwrite(head, 1, head_len, job->f[OUT_CLEAN]) != head_len ||
			    fwrite(head, 1, head_len, job->f[OUT_FLAGGED]) != head_len)
				goto io;
		}
		if (fwrite(rec, 1, rec_len, f) != rec_len)
			goto io;
		/* the last line of a file may lack its line break */
		if (rec_len && rec[rec_len - 1] != '\n' && fputc('\n', f) == EOF)
			goto io;
	} else {
		char *js = bench_reader_record_json(r);
		if (!js)
			return cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
		/* --records on JSONL: one selected record per line */
		bool lines = bench_reader_format(r) == BENCH_JSONL;
		job->json = !lines;
		int bad = lines ? fputs(js, f) == EOF || fputc('\n', f) == EOF
				: fputs(*count ? ",\n  " : "[\n  ", f) == EOF ||
				  fputs(js, f) == EOF;
		free(js);
		if (bad)
			goto io;
	}
	(*count)++;
	return CONTAM_OK;
io:
	return cerr_set(c->err, CONTAM_E_IO, "cannot write '%s': %s",
			job->tmp[k], strerror(errno));
}

/* Flush and close one file of a job (its temporary name stays). */
static int finish_file(clean_run *c, clean_job *job, int k)
{
	FILE *f = job->f[k];
	job->f[k] = NULL;
	int bad = (k != OUT_LIST && job->json &&
		   fputs(job->count[k] ? "\n]\n" : "[]\n", f) == EOF);
	bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad)
		return cerr_set(c->err, CONTAM_E_IO, "cannot write '%s': %s",
				job->tmp[k], strerror(errno));
	return CONTAM_OK;
}

/* Read job's benchmark file again and write its three files. */
static int write_job(clean_run *c, clean_job *job)
{
	const contam_probe_options *po = cprobe_options(c->p);
	const contam_result *res = c->res;
	contam_definition def = c->o->definition;
	bool qa = po->nquestion_fields > 0;
	/* as contam_probe_add_file read it: the same records, numbered the
	 * same (the answer fields select no records of their own); notes on
	 * how the file was read were given the first time */
	bench_options bo = {
		.fields = qa ? po->question_fields : po->fields,
		.nfields = qa ? po->nquestion_fields : po->nfields,
		.id_field = po->id_field,
		.no_header = po->no_header,
		.records = po->records,
		.lines_per_record = po->lines_per_record,
		.force_header = po->force_header,
		.field_flag = qa ? "--question-field" : "--field",
		.fast = po->fast,
	};
	bench_reader *r = NULL;
	bench_example bex;
	cbuf list = CBUF_INIT;
	uint64_t too_short = 0, overturned = 0, qa_out = 0;
	size_t next = job->lo;
	int rc;

	for (int k = 0; k < NOUT; k++)
		if (!(job->f[k] = fopen(job->tmp[k], "wb")))
			return cerr_set(c->err, CONTAM_E_IO, "cannot create '%s': %s",
					job->tmp[k], strerror(errno));
	if ((rc = bench_reader_open(&r, job->source, &bo, c->err)) < 0)
		goto out;
	while ((rc = bench_reader_next(r, &bex, c->err)) == 1) {
		if (c->o->stop && *c->o->stop) {
			rc = cerr_set(c->err, CONTAM_E_INTERRUPTED, "interrupted; "
				      "no clean subset written");
			goto out;
		}
		const contam_example *e = next < job->hi ? &res->examples[next] : NULL;
		if (!e || e->record != bex.record) {
			rc = cerr_set(c->err, CONTAM_E_PARAM, "--write-clean: '%s' read "
				      "differently the second time (record %llu): "
				      "was it changed while contam ran?", job->source,
				      (unsigned long long)bex.record);
			goto out;
		}
		bool bloom = contam_example_flagged(e, def) != 0;
		bool over = bloom && c->o->overturned && c->o->overturned[next];
		bool flagged = bloom && !over;
		/* With the question/answer split, a part found (the label) also
		 * keeps the record out of the clean subset: a question copied
		 * whole is diluted below the verdict's threshold by a long
		 * answer, and must not be handed out as clean.  The published
		 * definitions have no such part: theirs is the paper's rule. */
		if (!flagged && def == CONTAM_DEF_CONTAM && !over && e->has_qa &&
		    contam_example_qa_label(e) != CONTAM_QA_CLEAN) {
			flagged = true;
			qa_out++;
		}
		overturned += over;
		too_short += e->verdict == CONTAM_TOO_SHORT;
		next++;
		if ((rc = clean_put(c, job, r, flagged)) < 0)
			goto out;
		if (!flagged)
			continue;
		int bad = cbuf_printf(&list, "%s\n    {\"record\": %llu, \"line\": ",
				      job->count[OUT_FLAGGED] > 1 ? "," : "",
				      (unsigned long long)e->record);
		/* a JSON array's records have no line of their own */
		bad |= e->line ? cbuf_printf(&list, "%llu", (unsigned long long)e->line)
			       : cbuf_printf(&list, "null");
		bad |= cbuf_printf(&list, ", \"id\": ");
		bad |= e->id ? cbuf_json_string(&list, e->id, strlen(e->id))
			     : cbuf_printf(&list, "null");
		bad |= cbuf_putc(&list, '}');
		if (bad) {
			rc = cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
			goto out;
		}
	}
	if (rc < 0)
		goto out;
	if (next != job->hi) {
		rc = cerr_set(c->err, CONTAM_E_PARAM, "--write-clean: '%s' read "
			      "differently the second time (%llu records, %llu "
			      "before): was it changed while contam ran?", job->source,
			      (unsigned long long)(next - job->lo),
			      (unsigned long long)(job->hi - job->lo));
		goto out;
	}
	/* the list: which records were held out, and by which rule */
	cbuf head = CBUF_INIT;
	int bad = cbuf_printf(&head, "{\n  \"benchmark\": ");
	bad |= cbuf_json_string(&head, job->benchmark, strlen(job->benchmark));
	bad |= cbuf_printf(&head, ",\n  \"source\": ");
	bad |= cbuf_json_string(&head, job->source, strlen(job->source));
	bad |= cbuf_printf(&head, ",\n  \"definition\": \"%s\",\n  \"confirmed\": %s"
			   ",\n  \"clean_file\": ", contam_definition_name(def),
			   c->o->confirmed ? "true" : "false");
	bad |= cbuf_json_string(&head, job->path[OUT_CLEAN], strlen(job->path[OUT_CLEAN]));
	bad |= cbuf_printf(&head, ",\n  \"flagged_file\": ");
	bad |= cbuf_json_string(&head, job->path[OUT_FLAGGED], strlen(job->path[OUT_FLAGGED]));
	bad |= cbuf_printf(&head, ",\n  \"records\": %llu, \"clean\": %llu, \"flagged\": %llu"
			   ", \"too_short\": %llu, \"overturned\": %llu",
			   (unsigned long long)(job->hi - job->lo),
			   (unsigned long long)job->count[OUT_CLEAN],
			   (unsigned long long)job->count[OUT_FLAGGED],
			   (unsigned long long)too_short, (unsigned long long)overturned);
	if (po->nquestion_fields)
		bad |= cbuf_printf(&head, ", \"qa_flagged\": %llu", (unsigned long long)qa_out);
	bad |= cbuf_printf(&head, ",\n  \"flagged_records\": [");
	if (bad) {
		cbuf_release(&head);
		rc = cerr_set(c->err, CONTAM_E_NOMEM, "out of memory");
		goto out;
	}
	FILE *lf = job->f[OUT_LIST];
	bad = fwrite(head.data, 1, head.len, lf) != head.len ||
	      (list.len && fwrite(list.data, 1, list.len, lf) != list.len) ||
	      fputs(list.len ? "\n  ]\n}\n" : "]\n}\n", lf) == EOF;
	cbuf_release(&head);
	if (bad) {
		rc = cerr_set(c->err, CONTAM_E_IO, "cannot write '%s': %s",
			      job->tmp[OUT_LIST], strerror(errno));
		goto out;
	}
	for (int k = 0; k < NOUT; k++)
		if ((rc = finish_file(c, job, k)) < 0)
			goto out;
	rc = CONTAM_OK;
out:
	bench_reader_free(r);
	cbuf_release(&list);
	return rc;
}

/* A Parquet file (by its magic): its records have no bytes of their own
 * to copy into a clean subset. */
static bool is_parquet(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	bool yes = f && fread(m, 1, 4, f) == 4 && memcmp(m, "PAR1", 4) == 0;
	if (f)
		fclose(f);
	return yes;
}

int contam_probe_write_clean(contam_probe *p, const contam_clean_options *o)
{
	contam_result res;
	clean_run c = { .p = p, .err = cprobe_err(p), .o = o, .res = &res };
	int rc = CONTAM_OK;
	size_t renamed = 0;
	const char *why;

	cerr_clear(c.err);
	contam_probe_result(p, &res);
	if (!o || !o->dir || !o->dir[0])
		return cerr_set(c.err, CONTAM_E_PARAM, "--write-clean needs a directory");
	if (cprobe_has_buffers(p))
		return cerr_set(c.err, CONTAM_E_PARAM, "clean subsets are written by "
				"reading the benchmark files again, and some were "
				"given in memory (contam_probe_add_buffer)");
	if ((why = contam_definition_unavailable(o->definition, res.index.params.ngram)))
		return cerr_set(c.err, CONTAM_E_PARAM, "--definition %s: %s (this index "
				"holds %u-grams)", contam_definition_name(o->definition),
				why, res.index.params.ngram);
	/* one job per file added, in the order of the benchmarks and their
	 * sources; a file's examples are contiguous (scored in one call) */
	size_t nsources = 0;
	for (size_t b = 0; b < res.nbenchmarks; b++)
		nsources += res.benchmarks[b].nsources;
	c.jobs = calloc(nsources ? nsources : 1, sizeof(*c.jobs));
	if (!c.jobs)
		return cerr_set(c.err, CONTAM_E_NOMEM, "out of memory");
	for (size_t b = 0; b < res.nbenchmarks; b++) {
		const contam_benchmark *bm = &res.benchmarks[b];
		for (size_t s = 0; s < bm->nsources; s++) {
			clean_job *job = &c.jobs[c.njobs++];
			job->benchmark = bm->name;
			job->source = bm->sources[s];
			job->lo = job->hi = res.nexamples;
			for (size_t i = 0; i < res.nexamples; i++)
				if (res.examples[i].source == job->source) {
					job->lo = i;
					break;
				}
			job->hi = job->lo;
			while (job->hi < res.nexamples &&
			       res.examples[job->hi].source == job->source)
				job->hi++;
		}
	}
	/* everything that can be refused is refused before a byte is
	 * written: a pipe cannot be read a second time */
	for (size_t j = 0; j < c.njobs; j++) {
		struct stat st;
		if (stat(c.jobs[j].source, &st)) {
			rc = cerr_set(c.err, CONTAM_E_IO, "cannot open '%s': %s",
				      c.jobs[j].source, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			rc = cerr_set(c.err, CONTAM_E_PARAM, "--write-clean reads each "
				      "benchmark file again after scoring, and '%s' is not "
				      "a regular file (a pipe?): save it to a file first",
				      c.jobs[j].source);
			goto out;
		}
		if (is_parquet(c.jobs[j].source)) {
			rc = cerr_set(c.err, CONTAM_E_PARAM, "--write-clean writes each "
				      "benchmark's own records back, and '%s' is a Parquet "
				      "file, which contam reads but does not write: convert "
				      "it to JSONL to write its clean subset",
				      c.jobs[j].source);
			goto out;
		}
	}
	if (mkdir(o->dir, 0777) && errno != EEXIST) {
		rc = cerr_set(c.err, CONTAM_E_IO, "cannot create '%s': %s", o->dir,
			      strerror(errno));
		goto out;
	}
	for (size_t j = 0; j < c.njobs; j++)
		if ((rc = name_job(&c, j)) < 0)
			goto out;
	for (size_t j = 0; j < c.njobs; j++)
		if ((rc = write_job(&c, &c.jobs[j])) < 0)
			goto out;
	if (o->stop && *o->stop) {
		rc = cerr_set(c.err, CONTAM_E_INTERRUPTED, "interrupted; no clean "
			      "subset written");
		goto out;
	}
	/* all complete: only now do the final names appear (and, should a
	 * rename fail, those already renamed go again) */
	for (size_t j = 0; j < c.njobs; j++)
		for (int k = 0; k < NOUT; k++) {
			if (rename(c.jobs[j].tmp[k], c.jobs[j].path[k])) {
				rc = cerr_set(c.err, CONTAM_E_IO, "cannot write '%s': %s",
					      c.jobs[j].path[k], strerror(errno));
				goto out;
			}
			renamed++;
		}
out:
	for (size_t j = 0; j < c.njobs; j++) {
		for (int k = 0; k < NOUT; k++) {
			if (c.jobs[j].f[k])
				fclose(c.jobs[j].f[k]);
			if (rc < 0 && c.jobs[j].tmp[k])
				unlink(c.jobs[j].tmp[k]);
			if (rc < 0 && renamed && c.jobs[j].path[k]) {
				unlink(c.jobs[j].path[k]);
				renamed--;
			}
			free(c.jobs[j].path[k]);
			free(c.jobs[j].tmp[k]);
		}
	}
	free(c.jobs);
	if (rc < 0)
		c.err->code = rc;
	return rc;
}
