/*
 * fuzz_bench.c -- libFuzzer target: the benchmark readers (CSV, TSV,
 * JSON, JSONL, txt).
 *
 * The first byte is a control byte: its value modulo 5 picks the format
 * (the one a file name's suffix would pick), the bits above pick the
 * options (field paths, an id field, no header).  The rest is the file,
 * handed to the readers from memory (bench_reader_open_mem: the same
 * sniffing, decompression and format rules as a file, no temporary
 * file).  Every example
 * is read to the end or to the first error (bits 16 and 32: --records
 * paths with ^ and @keys, or text records of 3 lines); an error must come with a
 * message, and every example's text must be readable to its length.
 */
#include "fuzz_util.h"
#include "probe/bench.h"
#include "probe/probe_item.h"

static volatile unsigned sink; /* keeps the reads of example text */

static const bench_format formats[] = { BENCH_CSV, BENCH_TSV, BENCH_JSON, BENCH_JSONL,
					BENCH_TXT };
static const char *const labels[] = { "fuzz.csv", "fuzz.tsv", "fuzz.json", "fuzz.jsonl",
				      "fuzz.txt" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fields_a[] = { "question", "answer" };
	static const char *const fields_b[] = { "question.choices.text", "0", "a.b.c" };
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	unsigned opts = ctl / 5;
	bench_options opt;
	memset(&opt, 0, sizeof opt);
	if (opts & 1) {
		opt.fields = fields_a;
		opt.nfields = 2;
	} else if (opts & 2) {
		opt.fields = fields_b;
		opt.nfields = 3;
	}
	if (opts & 4)
		opt.id_field = "id";
	opt.no_header = (opts & 8) != 0;
	/* Record paths with ^ and @keys; records of 3 text lines */
	static const char *const fields_c[] = { "question", "^context", "^^x.@keys" };
	if (opts & 16) {
		opt.records = (opts & 32) ? "*.1" : "data.paragraphs.qas";
		if (opts & 1) {
			opt.fields = fields_c;
			opt.nfields = 3;
		}
	} else if (opts & 32) {
		static const char *const lines[] = { "0", "2" };
		opt.lines_per_record = 3;
		if (opts & 1) {
			opt.fields = lines;
			opt.nfields = 2;
		}
	}

	bench_reader *r = NULL;
	cerr err;
	cerr_clear(&err);
	if (bench_reader_open_mem(&r, labels[ctl % 5], data + 1, size - 1, formats[ctl % 5],
				  &opt, &err) < 0) {
		if (!err.msg[0])
			abort();
		bench_reader_free(r);
		return 0;
	}
	bench_example ex;
	cprobe_item item;
	int rc;
	uint64_t last = 0;
	memset(&item, 0, sizeof(item));
	int first = 1;
	while ((rc = bench_reader_next(r, &ex, &err)) == 1) {
		if (!ex.text && ex.len)
			abort();
		for (size_t i = 0; i < ex.len; i++) /* ASan checks the bounds */
			sink += (unsigned char)ex.text[i];
		if (!first && ex.record <= last)
			abort(); /* records are numbered in order */
		last = ex.record;
		first = 0;
		/* the value ends lie inside the text, in order */
		for (size_t i = 0; i < ex.nseg; i++)
			if (ex.seg_end[i] > ex.len || (i && ex.seg_end[i] <= ex.seg_end[i - 1]))
				abort();
		/* pieces, labels and scoring on whatever the reader gave: every
		 * token inside the text, states taken from the input's bytes */
		cprobe_recipe rc3 = { .n = 3, .seed = 1 };
		if (cprobe_item_build(&item, ex.text, ex.len, ex.seg_end, ex.nseg, &rc3) == 0) {
			for (size_t t = 0; t < item.ntok; t++)
				if (item.tok_start[t] > item.tok_end[t] || item.tok_end[t] > ex.len)
					abort();
			unsigned char *st = malloc(item.ngrams + 1);
			if (st) {
				for (size_t g = 0; g < item.ngrams; g++)
					st[g] = (unsigned char)(data[g % size] & 3);
				contam_example ce;
				cprobe_rule rule = { 3, 1 + data[0] % 12, 1 + data[size - 1] % 4 };
				memset(&ce, 0, sizeof(ce));
				cprobe_item_score(&ce, &item, st, &rule, item.ntok / 2);
				if (ce.coverage < 0 || ce.coverage > 1 || ce.covered > ce.tokens)
					abort();
				free(st);
			}
		}
	}
	cprobe_item_release(&item);
	if (rc < 0 && !err.msg[0])
		abort();
	bench_reader_free(r);
	return 0;
}
