#!/usr/bin/env python3
"""mh_model.py -- a pure-Python model of the near-duplicate method of docs/NEARDUP.md
(docs/NEARDUP.md), for choosing its parameters before and beside the C code.

usage: mh_model.py DATADIR [--config NAME=b,r,shingle,W1/W2/..,stride_div]...

DATADIR is what tests/cli/neardup_data.py writes.  For each configuration:
every corpus document's windows (the placement rule of docs/NEARDUP.md), their
one-permutation signatures with optimal densification, their b band keys in
an exact set (no Bloom: the filter's false-positive rate is added on top,
analytically); every item's shingle set (segments: sentence ends and
newlines; shingles inside a segment only) and its bands looked up.  Prints
recall on planted items (by mode and placement), the share of absent items
flagged, the best-window Jaccard distribution, and the cost: windows and band
keys per corpus token (the n-gram section holds about one key per token).

The hashes differ from the C core's (Python's own), the statistics do not.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "cli"))
import contam_ref as ref  # noqa: E402

M64 = (1 << 64) - 1


def mix64(x):
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9 & M64
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb & M64
    return x ^ (x >> 31)


_tokh = {}


def tok_hash(t):
    h = _tokh.get(t)
    if h is None:
        h = struct.unpack("<Q", hashlib.blake2b(t.encode(), digest_size=8).digest())[0]
        _tokh[t] = h
    return h


def shingles(toks, k):
    hs = [tok_hash(t) for t in toks]
    out = []
    for i in range(len(hs) - k + 1):
        h = 0x9e3779b97f4a7c15
        for v in hs[i:i + k]:
            h = mix64(h ^ v)
        out.append(h)
    return out


_SEG_RE = re.compile(r"(?<=[.!?])(?=\s|$)|\n")


def item_set(values, k):
    s = set()
    for v in values:
        for seg in _SEG_RE.split(v):
            s.update(shingles(ref.tokenize(seg), k))
    return s


class Config:
    def __init__(self, name, b, r, k, windows, div, seed=0x5eed):
        self.name, self.b, self.r, self.k = name, b, r, k
        self.windows, self.div, self.seed = sorted(windows), div, seed
        self.K = b * r
        # densification probe order per empty bin: fixed by the seed
        self.probe = [[(mix64(seed ^ (i << 32 | a)) * self.K) >> 64 for a in range(1, 64)]
                      for i in range(self.K)]

    @staticmethod
    def parse(text):
        name, spec = text.split("=")
        b, r, k, ws, div = spec.split(",")
        return Config(name, int(b), int(r), int(k), [int(w) for w in ws.split("/")], int(div))

    def desc(self):
        return (f"b={self.b} r={self.r} shingle={self.k} windows={'/'.join(map(str, self.windows))}"
                f" stride=W/{self.div}")

    def xs(self, hs):
        K, seed = self.K, self.seed
        out = []
        for h in hs:
            x = mix64(h ^ seed)
            out.append((x, (x * K) >> 64))
        return out

    def sig(self, xb):
        K = self.K
        sig = [None] * K
        for x, bn in xb:
            v = sig[bn]
            if v is None or x < v:
                sig[bn] = x
        if None in sig:
            full = list(sig)
            for i in range(K):
                if full[i] is None:
                    for j in self.probe[i]:
                        if full[j] is not None:
                            sig[i] = full[j]
                            break
                    else:
                        sig[i] = min(v for v in full if v is not None)
        return sig

    def bands(self, sig):
        r = self.r
        return [(i, tuple(sig[i * r:i * r + r])) for i in range(self.b)]

    def window_spans(self, n):
        spans = []
        whole = False
        for W in self.windows:
            if n <= W:
                whole = True
                continue
            s = max(1, W // self.div)
            j = 0
            while j * s + W <= n:
                spans.append((j * s, j * s + W))
                j += 1
            if (n - W) % s:
                spans.append((n - W, n))
        if whole and n > 0:
            spans.append((0, n))
        return spans


def load(datadir):
    exp = json.load(open(os.path.join(datadir, "expected.json")))
    docs = []
    for name in sorted(os.listdir(os.path.join(datadir, "corpus"))):
        with open(os.path.join(datadir, "corpus", name), encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                docs.append((o["id"], ref.tokenize(o["text"])))
    items = []
    for bname, meta in sorted(exp["benches"].items()):
        with open(meta["path"], encoding="utf-8") as f:
            for line in f:
                o = json.loads(line)
                vals = []
                for fld in meta["fields"]:
                    v = o[fld]
                    vals += v if isinstance(v, list) else [v]
                items.append((o["id"], vals, exp["items"][o["id"]]))
    return docs, items


def template_shingles(cfg, items, share=0.05, least=5):
    """Shingles in more than share of a benchmark's items (and in at least
    least of them): the benchmark's own template, as probe's n-gram rule."""
    df, n = {}, {}
    for _, vals, e in items:
        b = e["bench"]
        n[b] = n.get(b, 0) + 1
        for h in item_set(vals, cfg.k):
            df[(b, h)] = df.get((b, h), 0) + 1
    return {k for k, c in df.items() if c > share * n[k[0]] and c >= least}


def run(cfg, docs, items, jaccard=False, template=False):
    t0 = time.time()
    drop = template_shingles(cfg, items) if template else set()
    keys = set()
    nwin = ntok = 0
    wsets = {}  # doc id -> list of window shingle sets (for Jaccard)
    need_j = {e["doc"] for _, _, e in items if e["status"] == "planted"} if jaccard else set()
    for did, toks in docs:
        ntok += len(toks)
        hs = shingles(toks, cfg.k)
        xb = cfg.xs(hs)
        spans = cfg.window_spans(len(hs))
        nwin += len(spans)
        for a, e in spans:
            keys.update(cfg.bands(cfg.sig(xb[a:e])))
        if did in need_j:
            wsets[did] = [set(hs[a:e]) for a, e in spans]
    res = {"planted": {}, "absent": [0, 0], "unscored": 0, "jbest": []}
    for iid, vals, e in items:
        A = {h for h in item_set(vals, cfg.k) if (e["bench"], h) not in drop}
        if not A:
            res["unscored"] += 1
            continue
        c = sum(1 for bk in cfg.bands(cfg.sig(cfg.xs(sorted(A))))
                if bk in keys)
        if e["status"] == "absent":
            res["absent"][0] += c > 0
            res["absent"][1] += 1
            continue
        key = (e["bench"], e["mode"], e["where"] + ("+edits" if e.get("edited") else ""))
        hit = res["planted"].setdefault(key, [0, 0])
        hit[0] += c > 0
        hit[1] += 1
        if jaccard:
            best = max((len(A & w) / len(A | w) for w in wsets[e["doc"]]), default=0)
            res["jbest"].append((best, c > 0, key))
    res["windows"], res["tokens"], res["keys"] = nwin, ntok, len(keys)
    res["seconds"] = time.time() - t0
    return res


DEFAULT_CONFIGS = [
    "design=8,3,5,24/48/96/192,2",
]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("datadir")
    ap.add_argument("--config", action="append")
    ap.add_argument("--jaccard", action="store_true", help="best-window Jaccard of planted items")
    ap.add_argument("--template", action="store_true",
                    help="drop shingles in > 5%% (and >= 5) of a benchmark's items")
    ap.add_argument("--json", help="append results as JSON lines to this file")
    a = ap.parse_args(argv)
    docs, items = load(a.datadir)
    for spec in a.config or DEFAULT_CONFIGS:
        cfg = Config.parse(spec)
        res = run(cfg, docs, items, a.jaccard, a.template)
        hit = sum(v[0] for v in res["planted"].values())
        tot = sum(v[1] for v in res["planted"].values())
        fa, na = res["absent"]
        wpt = res["windows"] / res["tokens"]
        print(f"{cfg.name}: {cfg.desc()}: recall {hit}/{tot} = {hit / max(tot, 1):.3f}, "
              f"absent flagged {fa}/{na} = {fa / max(na, 1):.4f}, unscored {res['unscored']}, "
              f"windows/token {wpt:.4f}, band keys/token {wpt * cfg.b:.3f} "
              f"(distinct {res['keys'] / res['tokens']:.3f}) [{res['seconds']:.1f}s]", flush=True)
        groups = {}
        for (bench, mode, where), (h, t) in sorted(res["planted"].items()):
            for g in (bench, f"{bench}/{where}", f"{bench}/{mode}", where):
                x = groups.setdefault(g, [0, 0])
                x[0] += h
                x[1] += t
        print("   " + "  ".join(f"{g} {h}/{t}" for g, (h, t) in sorted(groups.items())))
        if a.jaccard and res["jbest"]:
            js = sorted(j for j, _, _ in res["jbest"])
            q = [js[int(p * (len(js) - 1))] for p in (0.01, 0.05, 0.1, 0.25, 0.5)]
            print("   best-window Jaccard quantiles 1/5/10/25/50%: " + " ".join(f"{v:.2f}" for v in q))
            miss = sorted((j, k) for j, h, k in res["jbest"] if not h)[:8]
            print("   misses (J, item kind): " + ", ".join(f"{j:.2f} {'/'.join(k)}" for j, k in miss))
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps({"config": spec, "recall": hit / max(tot, 1), "planted": tot,
                                    "absent_flagged": fa, "absent": na,
                                    "windows_per_token": wpt, "keys_per_token": wpt * cfg.b,
                                    "groups": groups}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
