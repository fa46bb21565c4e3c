#!/usr/bin/env python3
"""english_sum.py -- does the "sum" allowance (runs of an example add up) make false
flags in English?  Nothing planted: the C4 sample + wikitext-2 (test+valid) as the
corpus, exact 8-gram sets; benchmarks MMLU test, ARC test, GSM8K test, SQuAD dev
(question + context), BoolQ, HellaSwag, TruthfulQA, per-field scoring, template
rule S = 5 %, M = 5 (dedup2n).  Prints flags per benchmark for the per-run rule
("span") and the sum allowance, and lists the extra flags the sum allowance makes.

usage: bench/flags/english_sum.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import plant  # noqa: E402
import simulate as sm  # noqa: E402
from contam_ref import tokenize  # noqa: E402

N = 8


def main():
    docs = plant.c4_docs() + plant.wikitext_docs()
    cset = set()
    for d in docs:
        t = tokenize(d)
        cset.update(tuple(t[i:i + N]) for i in range(len(t) - N + 1))
    groups = {
        "mmlu/test": sorted(sm.benchload.benchmark_files(pattern="mmlu/data/test/*")),
        "arc": ["arc/ARC-Challenge-Test.jsonl", "arc/ARC-Easy-Test.jsonl"],
        "gsm8k": ["gsm8k/test.jsonl"], "squad": ["squad/dev-v1.1.json.zip"],
        "boolq": ["boolq/superglue_BoolQ_val.jsonl"],
        "hellaswag": ["hellaswag/hellaswag_val_full.txt.bz2"],
        "truthfulqa": ["truthfulqa/TruthfulQA.csv"]}
    print(f"corpus: {len(docs)} documents, {len(cset)} distinct 8-grams")
    for g, rels in groups.items():
        c = {"span": 0, "sum": 0}
        extra = []
        E = 0
        for rel, exs in sm.load(rels).items():
            cnt = sm.template_counts(exs)
            t = max(5, int(0.05 * len(exs)) + 1)
            tpl = {k for k, v in cnt.items() if v >= t}
            for i, ex in enumerate(exs):
                E += 1
                a = sm.score(ex, cset, tpl, 1.0, "span") >= 0.2
                b = sm.score(ex, cset, tpl, 1.0, "sum") >= 0.2
                c["span"] += a
                c["sum"] += b
                if b and not a:
                    extra.append((rel, i, " | ".join(" ".join(f) for f in ex)[:140]))
        print(f"{g:11} {E:6} examples: flagged span {c['span']:5}, sum {c['sum']:5}")
        for e in extra[:5]:
            print("    extra with sum:", *e)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
