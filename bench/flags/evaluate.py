#!/usr/bin/env python3
"""evaluate.py -- score probe reports against plant.py's manifest.

    python3 bench/flags/evaluate.py DIR/manifest.jsonl CORPUS REPORT.json...

CORPUS is the manifest's corpus (en or cjk).  A report made with
`contam probe --confirm` carries, for each example the index flagged, the
exact metrics (and the index's own under "bloom").  Printed per
benchmark group and in total:
  planted        items planted (own_doc + embedded; half copies apart)
  found          of those, flagged (partial or contaminated) by the index
  half found     half copies flagged (partial or contaminated)
  unplanted      other examples the index flagged
  after confirm  of those, still flagged by the exact scan (the rest were
                 Bloom false positives or span artefacts of the filter)
  copy-like      of those, exact coverage >= 0.8 (the whole item is in
                 the corpus: a genuine copy, listed for the reader)
  via planted    of those, matched in a planted copy (or the document an
                 item was embedded in): text the item shares with a planted
                 item -- a benchmark template or a near-duplicate item
The unplanted flags that survive confirmation are listed with their
longest span and provenance, so a reader can judge them.
"""
import collections
import json
import os
import sys


def bench_rel(source):
    s = source.replace("\\", "/")
    i = s.find("benchmarks/")
    return s[i + len("benchmarks/"):] if i >= 0 else s


def flagged(v):
    return v in ("partial", "contaminated")


def group_of(rel):
    return "jcqa" if "jcommonsenseqa" in rel else rel.split("/")[0]


_docs = {}


def snippet(prov, width=160):
    """The matched text of a provenance entry (JSONL corpora: record = line)."""
    f = prov.get("file")
    if not f or prov.get("start") is None:
        return ""
    if f not in _docs:
        try:
            with open(f, encoding="utf-8") as fh:
                _docs[f] = [json.loads(l)["text"] for l in fh if l.strip()]
        except (OSError, ValueError, KeyError):
            _docs[f] = None
    docs = _docs[f]
    if not docs or prov["record"] is None or prov["record"] >= len(docs):
        return ""
    b = docs[prov["record"]].encode("utf-8")[prov["start"]:prov["end"]]
    t = b.decode("utf-8", "replace").replace("\n", " / ")
    return t if len(t) <= width else t[:width] + "..."


def main(argv):
    man, corpus, reports = argv[0], argv[1], argv[2:]
    planted = {}
    hosts = set()   # corpus documents that hold an embedded item
    for line in open(man, encoding="utf-8"):
        r = json.loads(line)
        if r["corpus"] == corpus:
            planted[(r["benchmark"], r["record"])] = r
            if r["how"] == "embedded":
                hosts.add((os.path.basename(r["file"]), r["doc"]))
    examples = []
    for rp in reports:
        examples.extend(json.load(open(rp))["examples"])
    seen = set()
    g = collections.defaultdict(collections.Counter)
    unplanted = []
    for e in examples:
        key = (bench_rel(e["source"]), e["record"])
        seen.add(key)
        bloom_v = e.get("bloom", {}).get("verdict", e["verdict"])
        exact_v = e["verdict"] if e.get("confirmed") else None
        p = planted.get(key)
        if p:
            grp = p["group"]
            if p["how"] == "half":
                g[grp]["half"] += 1
                g[grp]["half_found"] += flagged(bloom_v)
                g[grp]["half_found_exact"] += flagged(exact_v or bloom_v)
            else:
                g[grp]["planted"] += 1
                g[grp]["found"] += flagged(bloom_v)
                g[grp]["found_exact"] += flagged(exact_v or bloom_v)
                g[grp]["contaminated"] += bloom_v == "contaminated"
                if not flagged(bloom_v):
                    g[grp]["missed"] += 0
                    unplanted.append(("MISSED", grp, key, e))
        elif flagged(bloom_v):
            grp = group_of(key[0])
            g[grp]["unplanted"] += 1
            if exact_v is None or flagged(exact_v):
                g[grp]["after_confirm"] += 1
                if e["coverage"] >= 0.8:
                    g[grp]["copy_like"] += 1
                if any(os.path.basename(str(p.get("file"))) == "planted.jsonl" or
                       (os.path.basename(str(p.get("file"))), p.get("record")) in hosts
                       for p in e.get("provenance") or []):
                    g[grp]["via_planted"] += 1
                unplanted.append(("UNPLANTED", grp, key, e))
    missing = [k for k in planted if k not in seen]
    tot = collections.Counter()
    print(f"{'group':10} {'planted':>7} {'found':>5} {'half':>4} {'half found':>10} "
          f"{'unplanted':>9} {'after confirm':>13} {'copy-like':>9} {'via planted':>11}")
    for grp in sorted(g):
        c = g[grp]
        tot.update(c)
        print(f"{grp:10} {c['planted']:7} {c['found']:5} {c['half']:4} {c['half_found']:10} "
              f"{c['unplanted']:9} {c['after_confirm']:13} {c['copy_like']:9} {c['via_planted']:11}")
    c = tot
    print(f"{'TOTAL':10} {c['planted']:7} {c['found']:5} {c['half']:4} {c['half_found']:10} "
          f"{c['unplanted']:9} {c['after_confirm']:13} {c['copy_like']:9} {c['via_planted']:11}")
    if missing:
        print(f"WARNING: {len(missing)} planted items not in any report: {missing[:5]}")
    print()
    shown = collections.Counter()
    for tag, grp, key, e in sorted(unplanted, key=lambda x: (x[0], -x[3]["coverage"])):
        shown[(tag, key[0])] += 1
        if shown[(tag, key[0])] > 3:   # a template flags hundreds of one file
            continue
        prov = e.get("provenance") or [{}]
        print(f"{tag} {key[0]}#{key[1]} cov={e['coverage']:.2f} longest={e['longest']} "
              f"tokens={e['tokens']} doc={os.path.basename(str(prov[0].get('file')))}:{prov[0].get('record')}"
              + (f"\n    {snippet(prov[0])}" if tag == "UNPLANTED" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
