#!/usr/bin/env python3
"""simulate.py -- the planted harness scored in Python with exact sets and
the proposed rules, to check the defaults before the C code has them.

    python3 bench/flags/simulate.py DIR     (DIR written by plant.py / run.sh)

Rules simulated (per-field scoring: each field tokenized on its own, no
n-gram bridges two fields; n = 8, min_span = 10, coverage >= 0.2 flags):
  template rule: an n-gram in more than S of a file's examples and in at
    least M of them is template: it is not a hit (counting dedup2n: an
    identical field value of >= 2n tokens counts once);
  CJK span rule: a CJK token counts w of a word in a span's length; the
    "sum" allowance: the runs of an example qualify together when their
    distinct texts weigh min(min_span, weighted length of the example's
    fields of >= n tokens) or more.
Prints, per corpus and setting: planted items (own_doc + embedded) found,
half copies found, unplanted flags.
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "cli"))
import benchload  # noqa: E402
from contam_ref import tokenize, is_cjk  # noqa: E402

N = 8
MIN_SPAN = 10


def corpus_set(d, n=N):
    s = set()
    for f in sorted(os.listdir(d)):
        if f.endswith(".jsonl"):
            for line in open(os.path.join(d, f), encoding="utf-8"):
                t = tokenize(json.loads(line)["text"])
                s.update(tuple(t[i:i + n]) for i in range(len(t) - n + 1))
    return s


def template_counts(fields_of_examples, n=N):
    cnt = collections.Counter()
    seen = set()
    for ex in fields_of_examples:
        keys, new = set(), set()
        for toks in ex:
            if len(toks) < n:
                continue
            if toks in seen and len(toks) >= 2 * n:
                continue
            new.add(toks)
            keys |= {toks[i:i + n] for i in range(len(toks) - n + 1)}
        seen |= new
        cnt.update(keys)
    return cnt


def wlen(toks, w):
    return sum(w if is_cjk(x[0]) else 1 for x in toks)


def score(ex, corpus, tpl, w=1.0, rule="sum", n=N):
    T = sum(len(t) for t in ex)
    runs = []
    for fi, t in enumerate(ex):
        if len(t) < n:
            continue
        hit = [(g := tuple(t[i:i + n])) in corpus and g not in tpl for i in range(len(t) - n + 1)]
        i = 0
        while i < len(hit):
            if hit[i]:
                j = i
                while j < len(hit) and hit[j]:
                    j += 1
                runs.append(t[i:j - 1 + n])
                i = j
            else:
                i += 1
    if not T or not runs:
        return 0.0
    scoreable = sum(wlen(t, w) for t in ex if len(t) >= n)
    need = min(MIN_SPAN, scoreable)
    if rule == "sum":
        if sum(wlen(r, w) for r in set(runs)) >= need - 1e-9:
            return sum(len(r) for r in runs) / T
        return 0.0
    return sum(len(r) for r in runs if wlen(r, w) >= min(MIN_SPAN, sum(wlen(t, w) for t in ex)) - 1e-9) / T


def load(rels):
    out = {}
    for rel in rels:
        out[rel] = [[tuple(tokenize(f)) for f in ex] for ex in benchload.load(rel)]
    return out


def run(d, corpus, rels, settings):
    man = [json.loads(l) for l in open(os.path.join(d, "manifest.jsonl"))]
    man = {(r["benchmark"], r["record"]): r for r in man if r["corpus"] == corpus}
    cset = corpus_set(os.path.join(d, corpus))
    bench = load(rels)
    counts = {rel: template_counts(exs) for rel, exs in bench.items()}
    for name, S, M, w, rule in settings:
        st = collections.Counter()
        flags = []
        for rel, exs in bench.items():
            E = len(exs)
            t = max(M, int(S * E) + 1) if S is not None else None
            tpl = {g for g, c in counts[rel].items() if c >= t} if t else set()
            st["template_ngrams"] += len(tpl)
            for i, ex in enumerate(exs):
                c = score(ex, cset, tpl, w, rule)
                p = man.get((rel, i))
                fl = c >= 0.2
                if p and p["how"] == "half":
                    st["half"] += 1
                    st["half_found"] += fl
                elif p:
                    st["planted"] += 1
                    st["found"] += fl
                elif fl:
                    st["unplanted"] += 1
                    flags.append((rel, i, round(c, 2)))
        print(f"{corpus:4} {name:34} planted found {st['found']}/{st['planted']}, half {st['half_found']}/"
              f"{st['half']}, unplanted flags {st['unplanted']}, template n-grams {st['template_ngrams']}")
        for f in flags[:8]:
            print("       ", *f)
        sys.stdout.flush()


def main():
    d = sys.argv[1]
    en = sorted(benchload.benchmark_files(pattern="mmlu/data/test/*")) + \
        ["arc/ARC-Challenge-Test.jsonl", "arc/ARC-Easy-Test.jsonl", "gsm8k/test.jsonl"]
    S = [("per-field, no template rule", None, 0, 1.0, "span"),
         ("template S=1% M=5", 0.01, 5, 1.0, "span"),
         ("template S=2% M=5", 0.02, 5, 1.0, "span"),
         ("template S=5% M=5", 0.05, 5, 1.0, "span"),
         ("template S=10% M=5", 0.10, 5, 1.0, "span"),
         ("template S=5% M=5, sum allowance", 0.05, 5, 1.0, "sum")]
    run(d, "en", en, S)
    cjk = sorted(benchload.benchmark_files(pattern="ceval/val/*")) + \
        sorted(benchload.benchmark_files(pattern="cmmlu/test/*")) + ["jglue/jcommonsenseqa-v1.3_valid-v1.3.json"]
    S = [("w=1, span, no template", None, 0, 1.0, "span"),
         ("w=1, span, S=5% M=5", 0.05, 5, 1.0, "span"),
         ("w=1/2, sum, S=5% M=5", 0.05, 5, 0.5, "sum"),
         ("w=1/3, sum, S=5% M=5", 0.05, 5, 1 / 3, "sum"),
         ("w=1/4, sum, S=5% M=5", 0.05, 5, 0.25, "sum"),
         ("w=1/2, sum, no template", None, 0, 0.5, "sum")]
    run(d, "cjk", cjk, S)


if __name__ == "__main__":
    main()
