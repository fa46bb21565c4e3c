#!/usr/bin/env python3
"""plant.py -- corpora of real text with benchmark items planted in them,
as a person would have copied them, and a manifest of what went where.

    python3 bench/flags/plant.py --out DIR [--seed 13] [--mmlu 40 --arc 20 --gsm8k 20 --cjk 30]

writes
    DIR/en/c4.jsonl      the C4 sample (1000 documents), some with an item inside
    DIR/en/wiki.jsonl    wikitext-2 test + valid articles (Wikipedia text, 124)
    DIR/en/planted.jsonl items planted as documents of their own
    DIR/cjk/zhwiki.jsonl, jawiki.jsonl, zhweb.jsonl  zh/ja Wikipedia and
                         Chinese web documents, some with an item inside
    DIR/cjk/planted.jsonl
    DIR/manifest.jsonl   one line per planted item: corpus, file, doc (0-based
                         line in that file), benchmark (path under
                         benchmarks/), record (0-based, as contam numbers it),
                         how (own_doc | embedded | half), style (the label form)
Every corpus file is JSONL {"text": ...}.  The same seed gives the same
bytes.  Importable: build(out, seed=..., ...) returns the manifest rows;
human_copy() and the loaders are plain functions, so a test can plant a
handful of items in a small corpus.

How an item is written (a human copy, not the benchmark's JSON):
  MMLU / C-Eval / CMMLU: the question, then one line per option,
      "A. text" or "(A) text" (alternating), then "Answer: X" for MMLU
      style 0 (a solution page);
  ARC: the stem, then its choices with ARC's own labels in the same forms;
  GSM8K: the question, a blank line, the answer (with its #### line);
  JCommonsenseQA: the question, then "1. choice" ... "5. choice".
how: own_doc (the copy is the whole document), embedded (inserted between
two paragraphs of a real document), half (first half of the copy's
characters, as its own document; these should come out partial).
"""
import argparse
import csv
import glob
import gzip
import io
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("CONTAM_SHARED_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))

# benchmark files planted from, and probed, per corpus
EN_BENCH = {"mmlu": "mmlu/data/test", "arc": ["arc/ARC-Challenge-Test.jsonl", "arc/ARC-Easy-Test.jsonl"],
            "gsm8k": "gsm8k/test.jsonl"}
CJK_BENCH = {"ceval": "ceval/val", "cmmlu": "cmmlu/test",
             "jcqa": "jglue/jcommonsenseqa-v1.3_valid-v1.3.json"}


def bpath(rel, shared=SHARED):
    return os.path.join(shared, "benchmarks", rel)


# ----------------------------------------------------------- benchmark items

def mmlu_items(shared=SHARED):
    """(benchmark file, record, item) of every MMLU test row."""
    out = []
    for p in sorted(glob.glob(os.path.join(bpath(EN_BENCH["mmlu"], shared), "*.csv"))):
        with open(p, encoding="utf-8", newline="") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
        for i, r in enumerate(rows):
            out.append((os.path.relpath(p, os.path.join(shared, "benchmarks")), i,
                        {"kind": "mc", "question": r[0], "options": list(zip("ABCD", r[1:5])),
                         "answer": r[5]}))
    return out


def jsonl_items(rel, shared=SHARED):
    with open(bpath(rel, shared), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def arc_items(shared=SHARED):
    out = []
    for rel in EN_BENCH["arc"]:
        for i, r in enumerate(jsonl_items(rel, shared)):
            q = r["question"]
            out.append((rel, i, {"kind": "mc", "question": q["stem"],
                                 "options": [(c["label"], c["text"]) for c in q["choices"]],
                                 "answer": r.get("answerKey", "")}))
    return out


def gsm8k_items(shared=SHARED):
    rel = EN_BENCH["gsm8k"]
    return [(rel, i, {"kind": "qa", "question": r["question"], "answer": r["answer"]})
            for i, r in enumerate(jsonl_items(rel, shared))]


def csv_header_items(rel_dir, qcol, shared=SHARED):
    out = []
    for p in sorted(glob.glob(os.path.join(bpath(rel_dir, shared), "*.csv"))):
        with open(p, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        for i, r in enumerate(rows):
            out.append((os.path.relpath(p, os.path.join(shared, "benchmarks")), i,
                        {"kind": "mc", "question": r[qcol],
                         "options": [(k, r[k]) for k in "ABCD"], "answer": ""}))
    return out


def jcqa_items(shared=SHARED):
    rel = CJK_BENCH["jcqa"]
    return [(rel, i, {"kind": "mc", "question": r["question"],
                      "options": [(str(k + 1), r[f"choice{k}"]) for k in range(5)], "answer": ""})
            for i, r in enumerate(jsonl_items(rel, shared))]


def human_copy(item, style=0, answer_line=False):
    """The item as a person pastes it into a web page.  style 0: "A. x",
    style 1: "(A) x"."""
    if item["kind"] == "qa":
        return item["question"] + "\n\n" + item["answer"]
    lines = [item["question"]]
    for lab, text in item["options"]:
        lines.append(f"{lab}. {text}" if style == 0 else f"({lab}) {text}")
    if answer_line and item.get("answer"):
        lines.append(f"Answer: {item['answer']}")
    return "\n".join(lines)


# ----------------------------------------------------------- corpus documents

def c4_docs(shared=SHARED):
    with gzip.open(os.path.join(shared, "corpus", "c4", "c4_sample.jsonl.gz"), "rt", encoding="utf-8") as f:
        return [json.loads(l)["text"] for l in f if l.strip()]


def wikitext_docs(shared=SHARED):
    """wikitext-2 test + valid, one document per article (a line ' = Title = ')."""
    docs = []
    for name in ("test.txt", "valid.txt"):
        cur = []
        with open(os.path.join(shared, "corpus", "wikitext-2", name), encoding="utf-8") as f:
            for line in f:
                if line.startswith(" = ") and not line.startswith(" = = ") and cur:
                    docs.append("".join(cur).strip())
                    cur = []
                cur.append(line)
        if cur:
            docs.append("".join(cur).strip())
    return [d for d in docs if d]


def wikidoc(path):
    docs, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("<doc "):
                cur = []
            elif line.rstrip() == "</doc>":
                docs.append("".join(cur))
                cur = None
            elif cur is not None:
                cur.append(line)
    return docs


def zhweb_docs(shared=SHARED):
    docs = []
    for p in sorted(glob.glob(os.path.join(shared, "corpus", "chinese_web", "*.jsonl"))):
        with open(p, encoding="utf-8") as f:
            for l in f:
                if l.strip():
                    r = json.loads(l)
                    t = r.get("text", r.get("raw_content"))
                    if isinstance(t, str):
                        docs.append(t)
    return docs


def insert_between_paragraphs(doc, text, rng):
    paras = doc.split("\n")
    at = rng.randrange(1, len(paras) + 1) if len(paras) > 1 else 1
    return "\n".join(paras[:at] + [text] + paras[at:])


# ----------------------------------------------------------- build

def write_jsonl(path, docs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"text": d}, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def plant(corpus_name, bases, pools, rng, hows=("own_doc", "embedded", "half")):
    """bases: {file name: [docs]}; pools: [(bench name, items, count)].
    Returns ({file: docs}, manifest rows).  Items are picked without
    replacement; the how cycles own_doc, embedded, half; the label style
    alternates."""
    files = {k: list(v) for k, v in bases.items()}
    files["planted.jsonl"] = []
    used = {k: set() for k in bases}   # a host document takes one item
    rows = []
    k = 0
    for name, items, count in pools:
        for rel, rec, item in rng.sample(items, min(count, len(items))):
            how = hows[k % len(hows)]
            style = (k // len(hows)) % 2
            copy = human_copy(item, style, answer_line=(name == "mmlu" and style == 0))
            if how == "half":
                copy = copy[:len(copy) // 2]
            if how == "embedded":
                fname = rng.choice(sorted(bases))
                free = [i for i in range(len(files[fname])) if i not in used[fname]]
                doc = rng.choice(free)
                used[fname].add(doc)
                files[fname][doc] = insert_between_paragraphs(files[fname][doc], copy, rng)
            else:
                fname = "planted.jsonl"
                doc = len(files[fname])
                files[fname].append(copy)
            rows.append({"corpus": corpus_name, "file": f"{corpus_name}/{fname}", "doc": doc,
                         "benchmark": rel, "record": rec, "how": how,
                         "style": "A. x" if style == 0 else "(A) x", "group": name})
            k += 1
    return files, rows


def build(out, seed=13, mmlu=40, arc=20, gsm8k=20, cjk=30, c4=1000, wiki=None, shared=SHARED,
          with_cjk=True):
    """Write the corpora and DIR/manifest.jsonl; return the manifest rows."""
    rng = random.Random(seed)
    wdocs = wikitext_docs(shared)
    bases = {"c4.jsonl": c4_docs(shared)[:c4], "wiki.jsonl": wdocs[:wiki] if wiki else wdocs}
    pools = [("mmlu", mmlu_items(shared), mmlu), ("arc", arc_items(shared), arc),
             ("gsm8k", gsm8k_items(shared), gsm8k)]
    files, rows = plant("en", bases, pools, rng)
    for fname, docs in files.items():
        write_jsonl(os.path.join(out, "en", fname), docs)
    if with_cjk and cjk:
        bases = {"zhwiki.jsonl": wikidoc(os.path.join(shared, "corpus", "zhwiki", "wiki_00")),
                 "jawiki.jsonl": wikidoc(os.path.join(shared, "corpus", "jawiki", "wiki_00")),
                 "zhweb.jsonl": zhweb_docs(shared)}
        pools = [("ceval", csv_header_items(CJK_BENCH["ceval"], "question", shared), cjk),
                 ("cmmlu", csv_header_items(CJK_BENCH["cmmlu"], "Question", shared), cjk),
                 ("jcqa", jcqa_items(shared), cjk)]
        files, crows = plant("cjk", bases, pools, rng)
        for fname, docs in files.items():
            write_jsonl(os.path.join(out, "cjk", fname), docs)
        rows += crows
    tmp = os.path.join(out, "manifest.jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, os.path.join(out, "manifest.jsonl"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--mmlu", type=int, default=40)
    ap.add_argument("--arc", type=int, default=20)
    ap.add_argument("--gsm8k", type=int, default=20)
    ap.add_argument("--cjk", type=int, default=30, help="items per CJK benchmark")
    ap.add_argument("--c4", type=int, default=1000, help="C4 documents")
    ap.add_argument("--shared", default=SHARED)
    a = ap.parse_args()
    rows = build(a.out, a.seed, a.mmlu, a.arc, a.gsm8k, a.cjk, a.c4, shared=a.shared)
    print(f"{len(rows)} items planted; manifest {os.path.join(a.out, 'manifest.jsonl')}", file=sys.stderr)


if __name__ == "__main__":
    main()
