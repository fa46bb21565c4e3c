#!/usr/bin/env python3
"""templates_report.py -- markdown tables from templates.py's JSON.

usage: bench/flags/templates_report.py T8.json [T13.json] [--S 0.05 --M 5] > out.md
"""
import argparse
import collections
import json

SH = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
MI = [2, 3, 5, 10]


def pct(a, b):
    return f"{100 * a / b:.2f}%" if b else "-"


def top_family(rel):
    p = rel.split("/")
    if p[0] == "mmlu":
        return "mmlu-prerelease" if "hendrycks" in rel else "mmlu/" + p[2]
    if p[0] in ("ceval", "cmmlu"):
        return p[0] + "/" + p[1]
    return p[0]


def grid_table(d, mode):
    out = [f"| S \\ M | " + " | ".join(f"M={m}" for m in MI) + " |",
           "|---|" + "---|" * len(MI)]
    for S in SH:
        cells = []
        for M in MI:
            v = d["grid"][mode][f"{S} {M}"]
            cells.append(f"{pct(v['occ_tpl'], v['occ_all'])} / {pct(v['tok_tpl'], v['tok_all'])} / "
                         f"{v['ex_half']}")
        out.append(f"| {S * 100:g}% | " + " | ".join(cells) + " |")
    return "\n".join(out)


def family_table(d, M, mode):
    fam = collections.defaultdict(lambda: collections.Counter())
    exs = collections.Counter()
    for r in d["perfile"]:
        f = top_family(r["file"])
        exs[f] += r["examples"]
        for S in SH:
            fam[(f, S)][mode] += r["grid"][f"{mode} {S} {M}"]["ex_half"]
    out = ["| benchmark | examples | " + " | ".join(f"S={S * 100:g}%" for S in SH) + " |",
           "|---|---:|" + "---:|" * len(SH)]
    for f in sorted(exs):
        row = [fam[(f, S)][mode] for S in SH]
        if not any(row):
            continue
        out.append(f"| {f} | {exs[f]} | " + " | ".join(str(x) for x in row) + " |")
    quiet = [f for f in sorted(exs) if not any(fam[(f, S)][mode] for S in SH)]
    out.append(f"\nNo example loses half its n-grams at any S (M={M}, {mode}) in: " + ", ".join(quiet) + ".")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json", nargs="+")
    ap.add_argument("--S", type=float, default=0.05)
    ap.add_argument("--M", type=int, default=5)
    a = ap.parse_args()
    ds = [json.load(open(p)) for p in a.json]
    d = ds[0]
    key = f"{a.S} {a.M}"
    print(f"### Pooled over all {d['files']} benchmark files\n")
    print("Each cell: share of n-gram occurrences marked template / share of tokens "
          "marked (inside a template n-gram) / examples that lose more than half "
          "their n-grams.\n")
    for dd in ds:
        tot_ex = sum(r["examples"] for r in dd["perfile"])
        with_ng = dd["grid"]["plain"][key]["ex_ngrams"]
        print(f"#### n = {dd['n']} ({tot_ex} examples, {with_ng} with at least one n-gram)\n")
        for mode in ("plain", "dedup", "dedup2n"):
            print(f"{mode}:\n")
            print(grid_table(dd, mode))
            print()
    print(f"### Examples losing more than half their n-grams, per benchmark (n = {d['n']}, M = {a.M})\n")
    for mode in ("plain", "dedup", "dedup2n"):
        print(f"{mode}:\n")
        print(family_table(d, a.M, mode))
        print()
    # files where something is marked at the chosen S, M
    print(f"### Files with template n-grams at S = {a.S * 100:g}%, M = {a.M} (n = {d['n']}, dedup2n)\n")
    print("| file | examples | threshold | distinct template n-grams | occurrences marked | "
          "examples losing > half | top template n-grams (examples holding it) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    rows = sorted(d["perfile"], key=lambda r: -r["grid"]["dedup2n " + key]["occ_tpl"])
    for r in rows:
        g = r["grid"]["dedup2n " + key]
        if not g["distinct_tpl"]:
            continue
        tops = "; ".join(f"\"{t}\" ({k})" for t, k in r["top_dedup"][:3] if k >= g["t"])
        print(f"| {r['file']} | {r['examples']} | {g['t']} | {g['distinct_tpl']} | "
              f"{pct(g['occ_tpl'], g['occ_all'])} | {g['ex_half']} | {tops} |")
    print()
    # what the lower shares add
    print(f"### What a lower share adds (n = {d['n']}, M = 3, dedup2n): the most frequent n-grams "
          "marked at S but not at the next share up\n")
    print("| file | S | n-grams (examples) |")
    print("|---|---|---|")
    for r in sorted(d["perfile"], key=lambda r: -r["examples"]):
        for S in SH[:4]:
            b = r["bands"]["dedup2n"][str(S)]
            if b and r["examples"] >= 100:
                print(f"| {r['file']} | {S * 100:g}% | " + "; ".join(f"\"{t}\" ({k})" for t, k in b[:2]) + " |")
    print()
    print(f"### Field values shared by several examples (n = {d['n']}): plain vs dedup\n")
    print("A shared value is a field (of at least n tokens) whose tokens are identical in "
          "two or more examples: a context paragraph several questions are asked about.\n")
    print("| file | examples | examples with a shared value | distinct shared values | "
          + " | ".join(f"lose > half at S={S * 100:g}% plain / dedup / dedup2n" for S in (0.01, 0.02, 0.05)) +
          " | largest (examples: start of text) |")
    print("|---|---:|---:|---:|" + "---:|" * 3 + "---|")
    for r in sorted(d["perfile"], key=lambda r: -r["examples_with_shared_value"]):
        if r["examples_with_shared_value"] < 5:
            continue
        cells = []
        for S in (0.01, 0.02, 0.05):
            cells.append(f"{r['grid'][f'plain {S} {a.M}']['ex_half']} / {r['grid'][f'dedup {S} {a.M}']['ex_half']} / {r['grid'][f'dedup2n {S} {a.M}']['ex_half']}")
        sv = r["shared_values"][0] if r["shared_values"] else (0, "")
        print(f"| {r['file']} | {r['examples']} | {r['examples_with_shared_value']} | "
              f"{r['n_shared_values']} | " + " | ".join(cells) + f" | {sv[0]}: {sv[1][:80]} |")


if __name__ == "__main__":
    main()
