/*
 * docfreq_err -- the doc-freq sketch's over-count, measured (run by bench/docfreq.py, not a test).
 *
 *   docfreq_err DOCS.jsonl DOCS.txt COUNTERS [D]
 *
 * Builds an index of DOCS.jsonl with a sketch of COUNTERS counters (d = D,
 * default 2; through CONTAM_DOC_FREQ_D), then counts every n-gram's
 * documents exactly from DOCS.txt (the same texts, one document per line)
 * with a hash map, and prints as JSON the distribution of estimate - exact
 * over the distinct n-grams, and for n-grams in exactly one document how
 * often the estimate exceeds K (what `probe --max-doc-freq K` would wrongly
 * set aside).
 */
#include "index/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct map {
	uint64_t *keys;
	uint32_t *count, *last;
	size_t cap, n;
} map;

static int map_add(map *m, uint64_t k, uint32_t doc)
{
	if (k == 0)
		k = 1;
	if (2 * (m->n + 1) > m->cap) {
		map g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 1u << 20;
		g.keys = calloc(g.cap, 8);
		g.count = calloc(g.cap, 4);
		g.last = calloc(g.cap, 4);
		if (!g.keys || !g.count || !g.last)
			return -1;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t at = (size_t)((m->keys[i] * 0x9e3779b97f4a7c15ULL) >> 20) & (g.cap - 1);
			while (g.keys[at])
				at = (at + 1) & (g.cap - 1);
			g.keys[at] = m->keys[i];
			g.count[at] = m->count[i];
			g.last[at] = m->last[i];
		}
		g.n = m->n;
		free(m->keys);
		free(m->count);
		free(m->last);
		*m = g;
	}
	size_t at = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (m->cap - 1);
	while (m->keys[at] && m->keys[at] != k)
		at = (at + 1) & (m->cap - 1);
	if (!m->keys[at]) {
		m->keys[at] = k;
		m->n++;
	}
	if (m->last[at] != doc) {
		m->last[at] = doc;
		m->count[at]++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: docfreq_err DOCS.jsonl DOCS.txt COUNTERS [D]\n");
		return 1;
	}
	if (argc > 4)
		setenv("CONTAM_DOC_FREQ_D", argv[4], 1);
	uint64_t counters = strtoull(argv[3], NULL, 10);
	contam_inputs in;
	contam_error err;
	const char *files[1] = { argv[1] };
	if (contam_inputs_expand(&in, files, 1, &err)) {
		fprintf(stderr, "docfreq_err: %s\n", err.msg);
		return 2;
	}
	contam_params p;
	double fpr;
	contam_plan_filter(counters, 1e-3, 0, 8, &p, &fpr, NULL);
	contam_index *ix = NULL;
	contam_build_options opt;
	contam_build_options_init(&opt);
	opt.doc_freq_counters = counters;
	if (contam_index_new(&ix, &p, &err)) {
		fprintf(stderr, "docfreq_err: %s\n", err.msg);
		return 2;
	}
	if (contam_index_build(ix, &in, &opt)) {
		fprintf(stderr, "docfreq_err: %s\n", contam_index_errmsg(ix));
		return 2;
	}
	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 2;
	}
	map m = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint32_t doc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		uint64_t *h = NULL;
		size_t nh = 0, tokens = 0;
		doc++;
		if (contam_index_hash_text(ix, line, (size_t)len, &h, &nh, &tokens))
			return 2;
		for (size_t i = 0; i < nh; i++)
			if (map_add(&m, h[i], doc))
				return 2;
		free(h);
	}
	fclose(f);
	free(line);
	/* over-count histogram: 0, 1, 2, 3, 4-7, 8-15, 16-31, 32+ */
	static const int64_t edges[] = { 0, 1, 2, 3, 4, 8, 16, 32 };
	enum { NB = 8 };
	uint64_t hist[NB] = { 0 }, under = 0, pairs = 0, once = 0;
	static const int ks[] = { 1, 2, 5, 10, 20, 50, 100 };
	enum { NK = 7 };
	uint64_t over_k[NK] = { 0 };
	double sum_err = 0, sum_err_once = 0;
	int64_t max_err = 0;
	for (size_t i = 0; i < m.cap; i++) {
		if (!m.keys[i])
			continue;
		int64_t est = contam_index_doc_freq(ix, m.keys[i]);
		int64_t e = est - (int64_t)m.count[i];
		pairs += m.count[i];
		if (e < 0 && est < 65535)
			under++;
		if (e < 0)
			e = 0;
		sum_err += (double)e;
		if (e > max_err)
			max_err = e;
		int b = NB - 1;
		while (b > 0 && e < edges[b])
			b--;
		hist[b]++;
		if (m.count[i] == 1) {
			once++;
			sum_err_once += (double)e;
			for (int k = 0; k < NK; k++)
				over_k[k] += est > ks[k];
		}
	}
	contam_index_stats st;
	contam_index_stats_get(ix, &st);
	printf("{\"documents\": %u, \"distinct_ngrams\": %zu, \"pairs\": %llu, "
	       "\"sketch_pairs\": %llu, \"counters\": %llu, \"d\": %u, \"noise\": %.4g, "
	       "\"counters_per_distinct\": %.4g, \"undercounts\": %llu, "
	       "\"mean_over\": %.4g, \"mean_over_once\": %.4g, \"max_over\": %lld, "
	       "\"hist_edges\": [0, 1, 2, 3, 4, 8, 16, 32], \"hist\": [",
	       doc, m.n, (unsigned long long)pairs,
	       (unsigned long long)st.doc_freq_pairs, (unsigned long long)st.doc_freq_counters,
	       st.doc_freq_d, st.doc_freq_noise, (double)st.doc_freq_counters / (double)m.n,
	       (unsigned long long)under, sum_err / (double)m.n,
	       once ? sum_err_once / (double)once : 0, (long long)max_err);
	for (int b = 0; b < NB; b++)
		printf("%s%.6g", b ? ", " : "", (double)hist[b] / (double)m.n);
	printf("], \"once\": %llu, \"once_over_k\": {", (unsigned long long)once);
	for (int k = 0; k < NK; k++)
		printf("%s\"%d\": %.6g", k ? ", " : "", ks[k],
		       once ? (double)over_k[k] / (double)once : 0);
	printf("}}\n");
	contam_index_free(ix);
	contam_inputs_free(&in);
	free(m.keys);
	free(m.count);
	free(m.last);
	return under ? 1 : 0;
}
