#!/usr/bin/env python3
"""The classic 13-gram contamination check, as people write it (stdlib only).

Benchmark text is lowercased, punctuation becomes space, words are split on
whitespace, and every 13-gram (a tuple of words) goes into a Python set.  The
corpus (plain text; documents separated by an empty line) is streamed line by
line; each document's 13-grams are looked up in the set.  This is the approach
of the GPT-3 paper and of lm-eval-harness's decontamination script, minus the
bookkeeping; the benchmark for contam's bench/run.py.

Prints one JSON object on stdout: corpus n-grams checked, matches, the number
of distinct benchmark n-grams found, and which benchmark examples were hit.

usage: baseline_hashset.py [-n 13] --corpus corpus.txt BENCH...
BENCH: .csv (every field of a row, joined: one example per row) or .txt (one
example per line).
"""

import argparse
import csv
import json
import string
import sys
import time

_PUNCT = str.maketrans({c: " " for c in string.punctuation})


def words(text):
    return text.lower().translate(_PUNCT).split()


def ngrams(ws, n):
    return zip(*[ws[i:] for i in range(n)])


def load_benchmark(paths, n):
    """Set of n-gram tuples -> first example (file, index) that has it."""
    grams = {}
    examples = 0
    for path in paths:
        if path.endswith(".csv"):
            with open(path, newline="", encoding="utf-8") as f:
                items = [" ".join(row) for row in csv.reader(f)]
        else:
            with open(path, encoding="utf-8") as f:
                items = [line for line in f if line.strip()]
        for i, text in enumerate(items):
            for g in ngrams(words(text), n):
                grams.setdefault(g, (path, i))
        examples += len(items)
    return grams, examples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=13)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("bench", nargs="+")
    args = ap.parse_args()
    n = args.n

    t0 = time.perf_counter()
    bench, examples = load_benchmark(args.bench, n)
    t1 = time.perf_counter()

    checked = 0
    matches = 0
    found = set()
    carry = []  # last n-1 words of the current document: n-grams span lines
    with open(args.corpus, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line == "\n":  # document boundary
                carry = []
                continue
            ws = carry + words(line)
            if len(ws) >= n:
                checked += len(ws) - n + 1
                for g in ngrams(ws, n):
                    if g in bench:
                        matches += 1
                        found.add(g)
            carry = ws[-(n - 1):]
    t2 = time.perf_counter()

    hit_examples = sorted({bench[g] for g in found})
    json.dump({
        "n": n, "examples": examples, "benchmark_ngrams": len(bench),
        "corpus_ngrams": checked, "matches": matches,
        "distinct_found": len(found), "examples_hit": len(hit_examples),
        "examples_hit_list": [[p, i] for p, i in hit_examples[:100]],
        "load_seconds": round(t1 - t0, 3), "scan_seconds": round(t2 - t1, 3),
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
