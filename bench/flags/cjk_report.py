#!/usr/bin/env python3
"""cjk_report.py -- markdown tables from cjk_spans.py's JSON.

usage: bench/flags/cjk_report.py RUN.json [--list w=0.25/sum ...] > out.md
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--list", nargs="*", default=[], help="rules whose unplanted flags are listed")
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    d = json.load(open(a.json))
    print(f"#### {a.title}\n")
    print(f"Corpus: {sum(d['corpus'].values())} documents, {d['corpus_chars']:,} characters: " +
          ", ".join(f"{k} ({v})" for k, v in sorted(d["corpus"].items())) + ".\n")
    for n, run in d["runs"].items():
        keys = list(next(iter(run.values()))["flagged"].keys())
        print(f"n = {n}. Unplanted flags (coverage >= 0.2) per rule; columns are "
              "`w=<weight of a CJK token>/<allowance>`.\n")
        print("| benchmark | items | too short | " + " | ".join(keys) + " |")
        print("|---|---:|---:|" + "---:|" * len(keys))
        tot = [0] * len(keys)
        for g, st in run.items():
            print(f"| {g} | {st['items']} | {st['too_short']} | " +
                  " | ".join(str(st["flagged"][k]) for k in keys) + " |")
            tot = [t + st["flagged"][k] for t, k in zip(tot, keys)]
        print(f"| **total** | {sum(s['items'] for s in run.values())} | "
              f"{sum(s['too_short'] for s in run.values())} | " + " | ".join(f"**{t}**" for t in tot) + " |")
        print()
        print("Longest matched run per item, in characters (CJK characters plus the "
              "letters of other tokens), nothing planted: items whose longest run is at least L.\n")
        Ls = [8, 10, 12, 14, 16, 20, 24, 30]
        print("| benchmark | items | max | " + " | ".join(f">= {L}" for L in Ls) + " |")
        print("|---|---:|---:|" + "---:|" * len(Ls))
        for g, st in run.items():
            h = {int(k): v for k, v in st["longest_hist"].items()}
            print(f"| {g} | {st['items']} | {max(h)} | " +
                  " | ".join(str(sum(v for k, v in h.items() if k >= L)) for L in Ls) + " |")
        print()
        print("Planted copies: share flagged (coverage >= 0.2) among planted items that "
              "are not too short (n tokens in some field).\n")
        print("| copy | planted | " + " | ".join(keys) + " |")
        print("|---|---:|" + "---:|" * len(keys))
        for mode in ("verbatim", "half", "embedded"):
            P = sum(s["planted"][mode]["planted"] - s["planted"][mode]["too_short"] for s in run.values())
            f = [sum(s["planted"][mode]["flagged"][k] for s in run.values()) for k in keys]
            print(f"| {mode} | {P} | " + " | ".join(f"{x / P:.3f}" for x in f) + " |")
        print()
        for mode in ("verbatim", "half"):
            print(f"{mode}, per benchmark (flagged / planted not too short):\n")
            print("| benchmark | " + " | ".join(keys) + " |")
            print("|---|" + "---:|" * len(keys))
            for g, st in run.items():
                p = st["planted"][mode]
                P = p["planted"] - p["too_short"]
                print(f"| {g} | " + " | ".join(f"{p['flagged'][k]}/{P}" for k in keys) + " |")
            print()
        for k in a.list:
            print(f"Unplanted flags under `{k}` (n = {n}): matched spans that qualified, and the item.\n")
            any_ = False
            for g, st in run.items():
                for f in st["flags"].get(k, []):
                    any_ = True
                    print(f"- {f['file']} #{f['record']}: coverage {f['coverage']}, longest "
                          f"{f['longest_chars']} chars; spans {' / '.join(f['spans'])} — item: {f['text'][:120]}")
            if not any_:
                print("- none")
            print()


if __name__ == "__main__":
    main()
