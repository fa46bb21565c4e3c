#!/usr/bin/env python3
"""templates.py -- how many benchmark n-grams would the
template rule mark, on every benchmark file of ../shared/data?

Rule measured: an n-gram that occurs in more than a share S of a file's
examples (each example counted once) and in at least M examples is
template.  Each field is tokenized on its own (contam_ref.tokenize), so
n-grams never bridge two fields.  Two ways of counting are measured:

  plain  - an n-gram's count is the number of examples it occurs in;
  dedup  - a field value that is identical (same tokens) in several
           examples is one text, counted once: an example adds nothing for
           a value an earlier example had (SQuAD's shared context
           paragraph counts once, not once per question);
  dedup2n - the same, but only values of at least 2n tokens are collapsed
           (passages); a short value repeated verbatim is a prompt.

For every (S, M) of the grid: the share of n-gram occurrences and of
tokens marked template, and the examples that lose more than half their
n-grams.  Per file: the top template n-grams as text.

usage: bench/flags/templates.py [-n 8] [--pattern GLOB] [--out FILE.md] [--json FILE]
"""
import argparse
import collections
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "cli"))
import benchload  # noqa: E402
from contam_ref import tokenize  # noqa: E402

MODES = ("plain", "dedup", "dedup2n")
SHARES = [0.005, 0.01, 0.02, 0.05, 0.10, 0.20]
MINS = [2, 3, 5, 10]


def threshold(E, S, M):
    """Smallest count c with c > S*E and c >= M."""
    return max(M, int(S * E) + 1)


def analyse(examples, n, top=8, dshare=None, dmin=None):
    """Per-file statistics: for each counting mode, the per-occurrence
    counts, per-token max counts, per-example 'half' counts."""
    E = len(examples)
    fields = [[tuple(tokenize(f)) for f in ex] for ex in examples]
    cnt = {m: collections.Counter() for m in MODES}
    seen_values = set()
    for ex in fields:
        ex_keys, new_keys, long_keys, new_vals = set(), set(), set(), set()
        for toks in ex:
            if len(toks) < n:
                continue
            keys = {toks[i:i + n] for i in range(len(toks) - n + 1)}
            ex_keys |= keys
            if toks not in seen_values:
                new_vals.add(toks)
                new_keys |= keys
                long_keys |= keys
            elif len(toks) < 2 * n:
                long_keys |= keys
        # dedup: a field value seen in an earlier example adds nothing; each
        # example still counts once.  dedup2n: only values of >= 2n tokens
        # are collapsed (a passage); a short value repeated verbatim
        # ("下列各句中没有语病的一句是", BBH dyck's instruction) is a prompt
        seen_values |= new_vals
        cnt["plain"].update(ex_keys)
        cnt["dedup"].update(new_keys)
        cnt["dedup2n"].update(long_keys)
    # identical field values shared by several examples (context paragraphs)
    vals = collections.Counter()
    for ex in fields:
        for toks in set(ex):
            if len(toks) >= n:
                vals[toks] += 1
    shared_vals = sorted(((c, v) for v, c in vals.items() if c > 1), reverse=True)
    res = {"examples": E, "modes": {}}
    for mode, c in cnt.items():
        occ = []      # count of each n-gram occurrence
        tok = []      # max count over the n-grams covering each token
        half = []     # per example with n-grams: the (G//2+1)-th largest count
        ntok_all = 0
        for ex in fields:
            ex_occ = []
            for toks in ex:
                T = len(toks)
                ntok_all += T
                if T < n:
                    tok.extend([0] * T)
                    continue
                oc = [c[toks[i:i + n]] for i in range(T - n + 1)]
                ex_occ.extend(oc)
                tm = [0] * T
                for i, v in enumerate(oc):
                    for k in range(i, i + n):
                        if v > tm[k]:
                            tm[k] = v
                tok.extend(tm)
            occ.extend(ex_occ)
            if ex_occ:
                ex_occ.sort(reverse=True)
                half.append(ex_occ[len(ex_occ) // 2])
        res["modes"][mode] = {"occ": collections.Counter(occ), "tok": collections.Counter(tok),
                              "half": collections.Counter(half), "counter": c}
    res["tokens"] = ntok_all
    res["shared_values"] = shared_vals[:5]
    res["n_shared_values"] = len(shared_vals)
    res["examples_with_shared_value"] = sum(1 for ex in fields
                                            if any(vals.get(t, 0) > 1 for t in ex if len(t) >= n))
    # top n-grams by example count (plain), for the reader
    res["top"] = [(" ".join(g), k) for g, k in cnt["plain"].most_common(top)]
    res["top_dedup"] = [(" ".join(g), k) for g, k in cnt["dedup2n"].most_common(top)]
    # what each share adds: the most frequent n-grams with t(S) <= count < t(next S), M = 3
    res["bands"] = {}
    for mode in MODES:
        items = sorted(cnt[mode].items(), key=lambda kv: -kv[1])
        ts = [threshold(E, S, 3) for S in SHARES] + [E + 1]
        res["bands"][mode] = {str(S): [(" ".join(g), k) for g, k in items if ts[i] <= k < ts[i + 1]][:3]
                              for i, S in enumerate(SHARES)}
    return res


def at_least(counter, t):
    return sum(v for k, v in counter.items() if k >= t)


def summarize(res, S, M, mode):
    E = res["examples"]
    t = threshold(E, S, M)
    m = res["modes"][mode]
    occ_all = sum(m["occ"].values())
    tok_all = sum(m["tok"].values())
    return {"t": t, "occ_all": occ_all, "occ_tpl": at_least(m["occ"], t),
            "tok_all": tok_all, "tok_tpl": at_least(m["tok"], t),
            "ex_ngrams": sum(m["half"].values()), "ex_half": at_least(m["half"], t),
            "distinct_tpl": sum(1 for k, v in m["counter"].items() if v >= t)}


def family(rel):
    if rel.startswith("mmlu/hendrycks"):
        return "mmlu-prerelease"
    parts = rel.split("/")
    if parts[0] in ("mmlu", "ceval", "cmmlu"):
        return parts[0] + "/" + parts[-2] if parts[0] != "mmlu" else "mmlu/" + parts[2]
    return parts[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("--pattern", default="*")
    ap.add_argument("--json", help="write the per-file summary here")
    ap.add_argument("--S", type=float, default=0.05, help="share for the per-file table")
    ap.add_argument("--M", type=int, default=5, help="minimum for the per-file table")
    a = ap.parse_args()
    t0 = time.time()
    files = benchload.benchmark_files(pattern=a.pattern)
    grid = {mode: {(S, M): collections.Counter() for S in SHARES for M in MINS}
            for mode in MODES}
    perfile = []
    fam_grid = {}
    for rel in files:
        exs = benchload.load(rel)
        if not exs:
            continue
        r = analyse(exs, a.n)
        row = {"file": rel, "examples": r["examples"], "tokens": r["tokens"],
               "n_shared_values": r["n_shared_values"],
               "examples_with_shared_value": r["examples_with_shared_value"],
               "shared_values": [(c, " ".join(v[:20])) for c, v in r["shared_values"]],
               "top": r["top"], "top_dedup": r["top_dedup"], "bands": r["bands"], "grid": {}}
        fam = family(rel)
        for mode in MODES:
            for S in SHARES:
                for M in MINS:
                    s = summarize(r, S, M, mode)
                    grid[mode][(S, M)].update(s)
                    fam_grid.setdefault((fam, mode, S, M), collections.Counter()).update(s)
                    row["grid"][f"{mode} {S} {M}"] = s
        perfile.append(row)
        print(f"{rel}: {r['examples']} ex, {time.time() - t0:.0f}s", file=sys.stderr)
    out = {"n": a.n, "files": len(perfile), "grid": {
        mode: {f"{S} {M}": dict(v) for (S, M), v in g.items()} for mode, g in grid.items()},
        "families": {f"{f}|{mo}|{S}|{M}": dict(v) for (f, mo, S, M), v in fam_grid.items()},
        "perfile": perfile}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, ensure_ascii=False)
    print(f"{len(perfile)} files, {time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
