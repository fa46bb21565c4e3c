#!/usr/bin/env python3
"""label_recall.py -- how many items of a benchmark a labelled human copy
can be found from, by the reference rules (tests/cli/contam_ref.py
score_fields), per CJK weight w (--cjk-chars-per-word), and with the
benchmark's label rule applied to the copy's lines too (a corpus-side
label rule, not implemented in contam).

    python3 bench/flags/label_recall.py     (about a minute)

Each item is written as plant.human_copy ("A. x" and "(A) x" styles, no
answer line) and scored against that copy alone, as fields are read by
default (benchload.py).  No template rule: an upper bound.
"""
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "cli"))
import benchload  # noqa: E402
import plant  # noqa: E402
import contam_ref as ref  # noqa: E402


def strip(doc):
    return "\n".join(l[ref.label_len(l):] for l in doc.split("\n"))


def main():
    S = plant.SHARED
    sets = {"C-Eval val": plant.csv_header_items("ceval/val", "question", S),
            "CMMLU test": plant.csv_header_items("cmmlu/test", "Question", S),
            "JCommonsenseQA valid": plant.jcqa_items(S),
            "MMLU test": plant.mmlu_items(S), "ARC test": plant.arc_items(S)}
    cache = {}
    print("| benchmark | w = 1 | w = 2 | w = 3 | w = 3, labels dropped in the copy too |")
    print("|---|---|---|---|---|")
    for name, items in sets.items():
        c = collections.Counter()
        for rel, rec, item in items:
            if rel not in cache:
                cache[rel] = benchload.load(rel)
            vals = cache[rel][rec]
            for style in (0, 1):
                doc = plant.human_copy(item, style)
                s = ref.NgramSet()
                s.add_document(doc)
                for w in (1, 2, 3):
                    c[w] += ref.score_fields(vals, s.keys, cjk=w)["verdict"] in ("partial", "contaminated")
                s = ref.NgramSet()
                s.add_document(strip(doc))
                c["strip"] += ref.score_fields(vals, s.keys)["verdict"] in ("partial", "contaminated")
                c["n"] += 1
        pct = {k: f"{100 * c[k] / c['n']:.1f} %" for k in (1, 2, 3, "strip")}
        print(f"| {name} ({len(items)}) | {pct[1]} | {pct[2]} | {pct[3]} | {pct['strip']} |", flush=True)


if __name__ == "__main__":
    main()
