/*
 * fuzz_sniff.c -- libFuzzer target: kind detection (common/sniff.c) and
 * what the readers do with what was detected.
 *
 * The first byte is a control byte: its value modulo 8 picks the file
 * name's suffix (none, .jsonl, .txt, .warc, .zip, .json.gz, .csv, .bz2),
 * so that names agreeing and disagreeing with the content are both
 * tried.  The rest is the file.  Then:
 *   - csniff_bytes() on the bytes gives a kind with a description, and
 *     a refusal message that names the file;
 *   - a stream read with a peek first gives the same bytes as one read
 *     without, when undamaged (the peek loses nothing), and damage is
 *     reported either way;
 *   - creader_sniff() and creader_open() agree: both refuse with
 *     CONTAM_E_FORMAT or both accept, with the same kind, and every
 *     document of the detected reader is read to the end;
 *   - the benchmark reader opens the file (refusing it with a message,
 *     or reading every example).
 */
#include "fuzz_util.h"
#include "common/sniff.h"
#include "common/stream.h"
#include "probe/bench.h"
#include "reader/reader.h"

static volatile unsigned sink;

static const char *const suffixes[] = { "", ".jsonl", ".txt", ".warc",
					".zip", ".json.gz", ".csv", ".bz2" };

/* Everything the stream gives, optionally peeking first. */
static uint64_t stream_sum(const char *path, int peek, int *damage,
			   uint64_t *len, int *rc)
{
	cstream *s = NULL;
	cerr err;
	unsigned char buf[1000];
	uint64_t h = 1469598103934665603ull;
	*damage = 0;
	*len = 0;
	*rc = cstream_open(&s, path, &err);
	if (*rc < 0)
		return 0;
	if (peek) {
		const unsigned char *p;
		size_t n;
		if (cstream_peek(s, CSNIFF_HEAD, &p, &n, &err) < 0)
			abort();
		csniff sn;
		csniff_bytes(p, n, &sn);
		if (!sn.what[0])
			abort();
	}
	for (;;) {
		long got = cstream_read(s, buf, sizeof buf, &err);
		*damage += cstream_take_damage(s, NULL, 0);
		if (got < 0) {
			*rc = (int)got;
			break;
		}
		if (got == 0)
			break;
		for (long i = 0; i < got; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
		*len += (uint64_t)got;
	}
	cstream_free(s);
	return h;
}

static void walk_corpus(const char *path)
{
	contam_input_kind k1;
	cerr e1, e2;
	cerr_clear(&e1);
	cerr_clear(&e2);
	int rc1 = creader_sniff(path, &k1, &e1);
	creader_options opt;
	memset(&opt, 0, sizeof opt);
	creader *r = NULL;
	int rc2 = creader_open(&r, path, &opt, &e2);
	/* a sound Parquet footer without the text column (which depends on
	 * the options, not the content) is refused by open only */
	int pq_column = rc1 == 0 && k1 == CONTAM_INPUT_PARQUET &&
			rc2 == CONTAM_E_FORMAT && (strstr(e2.msg, "no column") ||
						     strstr(e2.msg, "not a string column"));
	if ((rc1 == CONTAM_E_FORMAT) != (rc2 == CONTAM_E_FORMAT) && !pq_column)
		abort(); /* detection and open must agree */
	if (rc1 == CONTAM_E_FORMAT && (!e1.msg[0] || strcmp(e1.msg, e2.msg)))
		abort();
	if (rc2 < 0) {
		creader_free(r);
		return;
	}
	if (rc1 == 0 && creader_kind(r) != (k1 == CONTAM_INPUT_UNKNOWN
					    ? CONTAM_INPUT_TEXT : k1))
		abort();
	creader_doc doc;
	int rc;
	uint64_t text = 0;
	while ((rc = creader_next_doc(r, &doc, &e2)) == 1) {
		const char *p;
		size_t n;
		while ((rc = creader_read_text(r, &p, &n, &e2)) == 1) {
			if (n > CREADER_PIECE || (n && !p))
				abort();
			text += n;
		}
		if (rc < 0)
			break;
	}
	if (rc >= 0 && text != creader_bytes_text(r))
		abort();
	creader_free(r);
}

static void walk_bench(const char *path)
{
	bench_options opt;
	memset(&opt, 0, sizeof opt);
	bench_reader *r = NULL;
	cerr err;
	cerr_clear(&err);
	if (bench_reader_open(&r, path, &opt, &err) < 0) {
		if (!err.msg[0])
			abort();
		bench_reader_free(r);
		return;
	}
	bench_example ex;
	while (bench_reader_next(r, &ex, &err) == 1)
		for (size_t i = 0; i < ex.len; i++)
			sink += (unsigned char)ex.text[i];
	bench_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *suffix = suffixes[data[0] % 8];
	data++;
	size--;

	csniff sn;
	csniff_kind k = csniff_bytes(data, size, &sn);
	if (k != sn.kind || !sn.what[0] || sn.bom < 0 || (size_t)sn.bom > size)
		abort();
	char msg[1024];
	csniff_refusal(&sn, "f", msg, sizeof msg);
	if (strncmp(msg, "'f' is ", 7) != 0)
		abort();
	(void)csniff_name(k);
	(void)csniff_class_of(k);

	const char *path = fuzz_write(*suffix ? suffix : ".input-noext", data, size);
	int d1, d2, rc1, rc2;
	uint64_t l1, l2;
	uint64_t h1 = stream_sum(path, 0, &d1, &l1, &rc1);
	uint64_t h2 = stream_sum(path, 1, &d2, &l2, &rc2);
	/* An undamaged stream reads the same with a peek first.  (Where
	 * there is damage, how much of a unit a decoder hands out before
	 * its check fails depends on the read sizes, so only the count of
	 * damaged regions is compared.) */
	if (rc1 != rc2 || (rc1 == 0 && d1 == 0 && d2 == 0 && (l1 != l2 || h1 != h2)))
		abort();
	if ((d1 == 0) != (d2 == 0))
		abort();
	walk_corpus(path);
	walk_bench(path);
	return 0;
}
