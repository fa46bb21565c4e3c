/*
 * reader_estimate.c -- how many n-grams the inputs hold, measured on a
 * sample of their content (filter sizing).
 *
 * The size-only guess (contam_estimate_ngrams: one n-gram per 6 bytes)
 * is right for English prose and wrong by 2-3x for CJK text, where every
 * ideograph or kana is a token of its own (3 bytes in UTF-8), and by 20x
 * and more for lists of short tokens (a file of paths).  So each sampled
 * input is opened through the real reader (JSON fields, WARC records and
 * wiki markup are what is measured), its first SAMPLE_TEXT bytes of text
 * (more when few files are read: SAMPLE_BUDGET over all of them) are
 * tokenized by the project's tokenizer and its n-grams counted per
 * document, exactly as the index counts them (for a winnowed index, the
 * keys each document keeps).  A file read to its end gives its exact
 * count; for a bigger one the count is scaled by the compressed bytes the
 * sampled documents came from (measured by decompressing the file again,
 * where the decoder takes input: see compressed_for), so the codec ratio
 * is measured, not assumed.
 *
 * With many inputs, SAMPLE_SPREAD files spread over the list and the
 * SAMPLE_BIGGEST biggest ones are read; every other file gets its
 * size-only guess times the correction its class (codec by name) showed
 * on the spread files, plus SIGMAS standard errors of that correction
 * (see the end of contam_estimate_keys_content).  Deterministic: the same inputs give the same estimate,
 * whatever the thread count (files are measured independently and summed
 * in input order).  Only regular files are opened: a FIFO is never read
 * here.  When nothing could be sampled, the size-only guess is returned.
 */
#include "reader.h"
#include "../text/text.h"
#include "../common/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLE_TEXT (256u * 1024u)   /* text bytes tokenized per file, at least */
/* ... or this much over all the files read.  The sample is read before
 * the pass, on one thread per file: 16 MiB was 6% of the CPU time of a
 * 256 MB JSONL.zst build and twice that of its -t 2 wall time; 4 MiB
 * estimates that corpus (and its 64 MB sibling) within 0.5%, and the
 * shared CJK, wiki and winnowed cases of test_sizing_cjk within 1.1x. */
#define SAMPLE_BUDGET (4u << 20)
#define SAMPLE_SPREAD 128
#define SAMPLE_BIGGEST 16
#define NCLASS 3
#define SIGMAS 2.0           /* margin on the files not read (see below) */

typedef struct sample {
	size_t file;
	int spread;         /* one of the files spread over the list */
	int ok;
	int whole;          /* read to the end: ngrams is exact */
	double ngrams;      /* for the whole file */
	uint64_t text;      /* text bytes tokenized */
} sample;

static void count_tokens(void *ctx, const uint64_t *hashes, size_t n)
{
	(void)hashes;
	*(uint64_t *)ctx += n;
}

/* The codec the name says, as the size-only guess reads it. */
static int name_class(const char *p)
{
	if (cends_with(p, ".gz") || cends_with(p, ".tgz") ||
	    cends_with(p, ".bz2") || cends_with(p, ".zip"))
		return 1;
	if (cends_with(p, ".zst") || cends_with(p, ".tzst") ||
	    cends_with(p, ".xz") || cends_with(p, ".txz"))
		return 2;
	return 0;
}

static double size_guess(const char *path, uint64_t size)
{
	static const double ratio[NCLASS] = { 1.0, 3.5, 4.0 };
	return (double)size * ratio[name_class(path)] / 6.0;
}

/* Compressed bytes that decode to the first `want` bytes of `path`
 * (*codec says which codec; CSTREAM_PLAIN: nothing is measured).
 *
 * A decoder takes input ahead of the bytes it hands out: isa-l keeps
 * about 32 kB of decoded text in hand, zstd and bzip2 take a whole block
 * (bzip2: up to 900 kB of text).  So the input consumed when `want`
 * bytes are out overstates the prefix (measured on a 1.1 MiB CJK JSONL,
 * 268 kB sampled: isa-l 186,695 bytes where zlib takes 169,956; zstd
 * 251,769; bzip2 439,959 of an 869 kB file), and the n-grams came out 9%
 * (gzip: a false-positive rate of 0.0017 for 0.001), 32% (zstd: 0.0075)
 * and 70% short (bzip2: 0.21).  So the ratio is read where the decoder
 * is about to take input: the stream is read in small steps, and at a
 * step that makes it take more, the input taken before that step is what
 * the text handed out so far was decoded from (exact for block codecs,
 * over by isa-l's look-ahead otherwise).  The last such point within the
 * first MEASURE_RATIO bytes of text (or past `want`, if more) gives the
 * ratio: over that length isa-l's look-ahead is under 1%, and an
 * adaptive codec's slow start (xz: 4% on the first 256 kB) weighs less.
 * At the end of the file the ratio is exact. */
#define MEASURE_STEP 1024u
#define MEASURE_RATIO (4u << 20)
#define MEASURE_PAST (16u << 20)

static int compressed_for(const char *path, const cfast *fast, uint64_t want,
			  uint64_t *in, cstream_codec *codec)
{
	cstream *s = NULL;
	cerr err;
	char *buf = malloc(MEASURE_STEP);
	uint64_t out = 0, po = 0, pi = 0;
	uint64_t upto = want > MEASURE_RATIO ? want : MEASURE_RATIO;
	int rc = -1;
	cerr_clear(&err);
	*codec = CSTREAM_PLAIN;
	if (!buf || cstream_open_wait(&s, path, fast, NULL, &err) < 0)
		goto out;
	*codec = cstream_get_codec(s);
	if (*codec == CSTREAM_PLAIN)
		goto out;
	/* the reader's offsets count UTF-8 bytes: so do these (a byte
	 * order mark is enough here, the sample is a ratio) */
	const unsigned char *head;
	size_t hlen;
	if (cstream_peek(s, 2, &head, &hlen, &err) < 0)
		goto out;
	if (hlen == 2 && ((head[0] == 0xff && head[1] == 0xfe) ||
			  (head[0] == 0xfe && head[1] == 0xff)) &&
	    cstream_set_utf16(s, head[0] == 0xfe, &err) < 0)
		goto out;
	for (;;) {
		uint64_t before = cstream_bytes_in(s);
		long got = cstream_read(s, buf, MEASURE_STEP, &err);
		if (got < 0)
			goto out;
		if (got == 0) {
			/* the end: everything taken decoded to `out` */
			po = out;
			pi = cstream_bytes_in(s);
			break;
		}
		if (cstream_bytes_in(s) > before && before > 0 && out > 0) {
			if (out > upto && po > 0)
				break;
			po = out;
			pi = before;
		}
		out += (uint64_t)got;
		if (out > upto + MEASURE_PAST)
			break;
	}
	if (po == 0 || pi == 0)
		goto out;
	*in = (uint64_t)((double)pi * (double)want / (double)po);
	rc = 0;
out:
	cstream_free(s);
	free(buf);
	return rc;
}

/* Keys a document of g n-grams leaves in the index (see contam.h). */
static double doc_keys(uint64_t g, uint32_t w)
{
	if (w <= 1)
		return (double)g;
	if (g == 0)
		return 0;
	if (g < w)
		return 1;
	return 1 + (double)(g - w) * 2.0 / (double)(w + 1);
}

static void sample_file(sample *sm, const contam_inputs *in,
			const contam_build_options *opt, uint32_t n, uint32_t w,
			uint64_t want_text)
{
	const char *path = in->paths[sm->file];
	creader_options ropt = {
		.text_field = opt && opt->text_field ? opt->text_field : "text",
		.text_fields = opt ? opt->text_fields : NULL,
		.ntext_fields = opt ? opt->ntext_fields : 0,
		.max_record = opt ? opt->max_record : 0,
		.fast = opt ? opt->fast : NULL,
	};
	struct stat st;
	creader *r = NULL;
	creader_doc doc;
	ctok tok;
	uint64_t tokens = 0, text = 0, covered = 0;
	double ngrams = 0;
	int rc, cut = 0, at_doc = 0, whole = 0;
	cerr err;

	cerr_clear(&err);
	sm->ok = 0;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (creader_open(&r, path, &ropt, &err) < 0) {
		creader_free(r);
		return;
	}
	contam_input_kind kind = creader_kind(r);
	ctok_init_hashes(&tok, ropt.fast, 0, count_tokens, &tokens);
	while ((rc = creader_next_doc(r, &doc, &err)) == 1) {
		if (text >= want_text) {
			/* where the sampled documents end */
			covered = doc.offset;
			at_doc = !doc.member && kind != CONTAM_INPUT_ARCHIVE;
			break;
		}
		uint64_t before = tokens, doc_text = 0;
		const char *p;
		size_t len;
		/* a document longer than 4x the sample is cut */
		uint64_t limit = kind == CONTAM_INPUT_TEXT ? want_text : 4 * want_text;
		while ((rc = creader_read_text(r, &p, &len, &err)) == 1) {
			if (ctok_feed(&tok, p, len))
				break;
			text += len;
			doc_text += len;
			if (doc_text >= limit) {
				cut = 1;
				break;
			}
		}
		if (ctok_finish(&tok) || tok.oom || rc < 0)
			goto out;
		uint64_t t = tokens - before;
		ngrams += doc_keys(t >= n ? t - n + 1 : 0, w);
		if (cut) {
			/* inside a document: its text stands for its bytes
			 * (exact for plain text) */
			covered = doc.offset + doc_text;
			at_doc = !doc.member && kind != CONTAM_INPUT_ARCHIVE;
			break;
		}
	}
	if (rc == 0 && !cut) {
		whole = 1;
	} else if (rc < 0) {
		goto out;
	}
	if (whole) {
		sm->ngrams = ngrams;
	} else {
		uint64_t c = 0;
		cstream_codec codec = CSTREAM_PLAIN;
		if (kind == CONTAM_INPUT_TEXT &&
		    (compressed_for(path, ropt.fast, covered, &c, &codec) || c == 0)) {
			if (codec != CSTREAM_PLAIN)
				goto out;
			/* uncompressed: the text reader holds no look-ahead,
			 * the file bytes consumed are those of the text
			 * (UTF-16 included) */
			c = creader_bytes_in(r);
			if (!c)
				goto out;
		} else if (kind == CONTAM_INPUT_TEXT) {
			/* measured above */
		} else if (at_doc && covered > 0) {
			if (compressed_for(path, ropt.fast, covered, &c, &codec) || c == 0) {
				if (codec != CSTREAM_PLAIN)
					goto out;
				c = covered; /* uncompressed: the offset is the bytes */
			}
		} else {
			/* archives: the file bytes read so far (over by the
			 * reader's look-ahead: an underestimate) */
			c = creader_bytes_in(r);
			if (!c)
				goto out;
		}
		sm->ngrams = ngrams * (double)in->sizes[sm->file] / (double)c;
	}
	sm->whole = whole;
	sm->text = text;
	sm->ok = 1;
out:
	ctok_release(&tok);
	creader_free(r);
}

/* The files to read: all of them when few, else SAMPLE_SPREAD spread
 * over the list (bit 1) and the SAMPLE_BIGGEST biggest (bit 2; ties:
 * the first).  A file can be both. */
static size_t pick(const contam_inputs *in, sample *out)
{
	size_t m = 0;
	if (in->count <= SAMPLE_SPREAD + SAMPLE_BIGGEST) {
		for (size_t i = 0; i < in->count; i++) {
			out[m].spread = 1;
			out[m++].file = i;
		}
		return m;
	}
	unsigned char *taken = calloc(in->count, 1);
	if (!taken)
		return 0;
	for (size_t j = 0; j < SAMPLE_SPREAD; j++)
		taken[(2 * j + 1) * in->count / (2 * SAMPLE_SPREAD)] = 1;
	for (size_t b = 0; b < SAMPLE_BIGGEST; b++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < in->count; i++)
			if (!(taken[i] & 2) && (best == SIZE_MAX || in->sizes[i] > in->sizes[best]))
				best = i;
		if (best == SIZE_MAX)
			break;
		taken[best] |= 2;
	}
	for (size_t i = 0; i < in->count; i++)
		if (taken[i]) {
			out[m].spread = taken[i] & 1;
			out[m++].file = i;
		}
	free(taken);
	return m;
}

uint64_t contam_estimate_ngrams_content(const contam_inputs *in,
					const contam_build_options *opt,
					uint32_t ngram, contam_estimate *info)
{
	return contam_estimate_keys_content(in, opt, ngram, 0, info);
}

uint64_t contam_estimate_keys_content(const contam_inputs *in,
				      const contam_build_options *opt,
				      uint32_t ngram, uint32_t winnow,
				      contam_estimate *info)
{
	contam_estimate scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	info->ngrams = contam_estimate_ngrams(in);
	if (winnow > 1) /* the size-only guess: 2/(W+1) of the n-grams kept */
		info->ngrams = info->ngrams / (winnow + 1) * 2 + 1;
	if (!in || !in->count)
		return info->ngrams;
	if (ngram == 0)
		ngram = 8;
	size_t cap = in->count < SAMPLE_SPREAD + SAMPLE_BIGGEST ? in->count
							       : SAMPLE_SPREAD + SAMPLE_BIGGEST;
	sample *sm = calloc(cap, sizeof *sm);
	double *est = calloc(in->count, sizeof *est);
	unsigned char *done = calloc(in->count, 1);
	if (!sm || !est || !done)
		goto out;
	size_t m = pick(in, sm);
	/* A few big files are read further than 256 KiB each (the
	 * first 256 KiB of a 6 MB enwiki dump held 21% fewer n-grams per
	 * byte than the whole: a rate of 0.0035 for 0.001) */
	uint64_t want_text = m ? SAMPLE_BUDGET / m : SAMPLE_TEXT;
	if (want_text < SAMPLE_TEXT)
		want_text = SAMPLE_TEXT;
	long i;
	#pragma omp parallel for schedule(dynamic, 1) num_threads(crun_threads(opt ? opt->threads : 0))
	for (i = 0; i < (long)m; i++)
		sample_file(&sm[i], in, opt, ngram, winnow, want_text);
	/* The files not read get the correction the files spread over the
	 * list showed (s: an even sample of the list, so of the files not
	 * read); the biggest files count for themselves only, as they were
	 * not drawn like the rest: with them in the correction, 16 big
	 * English files among 300 files half English, half CJK made it 8%
	 * low (a rate of 0.0015 for 0.001).  Only a class the spread files
	 * miss takes it from every file read (a: all). */
	double sgot[NCLASS] = { 0 }, sguessed[NCLASS] = { 0 };
	double agot[NCLASS] = { 0 }, aguessed[NCLASS] = { 0 };
	double s_all_got = 0, s_all_guessed = 0, all_got = 0, all_guessed = 0;
	for (size_t j = 0; j < m; j++) {
		if (!sm[j].ok)
			continue;
		size_t f = sm[j].file;
		int c = name_class(in->paths[f]);
		double g = size_guess(in->paths[f], in->sizes[f]);
		est[f] = sm[j].ngrams;
		done[f] = 1;
		agot[c] += sm[j].ngrams;
		aguessed[c] += g;
		all_got += sm[j].ngrams;
		all_guessed += g;
		if (sm[j].spread) {
			sgot[c] += sm[j].ngrams;
			sguessed[c] += g;
			s_all_got += sm[j].ngrams;
			s_all_guessed += g;
		}
		info->files_sampled++;
		info->bytes_sampled += sm[j].text;
	}
	if (!info->files_sampled)
		goto out; /* the size-only guess */
	double total = 0, rest[NCLASS] = { 0 };
	size_t nrest[NCLASS] = { 0 };
	for (size_t f = 0; f < in->count; f++) {
		if (done[f]) {
			total += est[f];
			continue;
		}
		int c = name_class(in->paths[f]);
		double corr = sguessed[c] > 0 ? sgot[c] / sguessed[c] :
			      aguessed[c] > 0 ? agot[c] / aguessed[c] :
			      s_all_guessed > 0 ? s_all_got / s_all_guessed :
			      all_guessed > 0 ? all_got / all_guessed : 1.0;
		double g = size_guess(in->paths[f], in->sizes[f]);
		total += g * corr;
		rest[c] += g;
		nrest[c]++;
	}
	/* The files not read are planned for SIGMAS standard errors above
	 * the spread files' ratio (the ratio estimator's variance, from
	 * their residuals; per class): a mixed corpus (English and CJK
	 * files, whose n-grams per byte differ 1.8x) left a few sigmas
	 * short by the luck of the draw misses the rate by 1.5x (a Bloom
	 * filter's rate grows about as the 6th power of its keys), while
	 * one kind of text has small residuals and gets almost nothing
	 * added.  A class the spread files miss gets no margin. */
	double var = 0;
	for (int c = 0; c < NCLASS; c++) {
		size_t ns = 0;
		double r = sguessed[c] > 0 ? sgot[c] / sguessed[c] : 0, ss = 0;
		if (!nrest[c] || r == 0)
			continue;
		for (size_t j = 0; j < m; j++) {
			size_t f = sm[j].file;
			if (!sm[j].ok || !sm[j].spread || name_class(in->paths[f]) != c)
				continue;
			double e = sm[j].ngrams - r * size_guess(in->paths[f], in->sizes[f]);
			ss += e * e;
			ns++;
		}
		if (ns < 2)
			continue;
		double xbar = sguessed[c] / (double)ns;
		double fpc = (double)nrest[c] / (double)(nrest[c] + ns);
		double var_r = fpc * ss / (double)(ns - 1) / ((double)ns * xbar * xbar);
		var += rest[c] * rest[c] * var_r;
	}
	total += SIGMAS * sqrt(var);
	info->from_content = 1;
	info->ngrams = total >= 1.8e19 ? UINT64_MAX : (uint64_t)(total + 0.5);
out:
	free(sm);
	free(est);
	free(done);
	return info->ngrams;
}

long contam_inputs_unsized(const contam_inputs *in, const char **what)
{
	for (size_t i = 0; in && i < in->count; i++) {
		struct stat st;
		if (stat(in->paths[i], &st) == 0 && S_ISREG(st.st_mode))
			continue;
		if (what)
			*what = stat(in->paths[i], &st) != 0 ? "a file of unknown size" :
				S_ISFIFO(st.st_mode) ? "a pipe of unknown size" :
				S_ISSOCK(st.st_mode) ? "a socket of unknown size" :
				S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ?
				"a device of unknown size" : "not a regular file (size unknown)";
		return (long)i;
	}
	return -1;
}
