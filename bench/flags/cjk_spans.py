#!/usr/bin/env python3
"""cjk_spans.py -- how long are the matches CJK benchmark
items have in zh/ja/ko Wikipedia and Chinese web text with nothing
planted, and which span rule keeps planted copies while dropping them?

Exact sets (contam_ref tokenizer, n-grams per document, Python set), no
Bloom filter.  Each benchmark field is scored on its own (no n-gram
bridges two fields).  The span rule: a run of consecutive matched
n-grams covers the tokens [i, j+n-1); its length counts a CJK token
(ideograph / kana: one character) as w of a word and any other token
(a Latin word, a number, a Korean word: Hangul is a letter run) as 1.
A span counts towards coverage if that length is >= min(min_span, the
weighted length of the whole example) (the whole-example allowance of
docs/SCORING.md's rule, weighted the same way) -- need mode "example".  Two
other allowances are measured: "scoreable" (min(min_span, the weighted
length of the example's fields that have >= n tokens, the only ones that
can match)), "sum" (all runs of the example count when their weighted
lengths add up to min(min_span, that scoreable length), each distinct
matched text counted once: evidence adds up across fields) and "field" (min(min_span, the weighted length of the run's
own field): a run covering a whole field counts).  coverage = tokens in
qualifying spans / tokens of the example; flagged if coverage >= 0.2.

Corpus read (what contam would read, with the minimal parsing needed):
  zhwiki/wiki_00, jawiki/wiki_00: WikiExtractor <doc> ... </doc> blocks,
    one document each (contam_ref.wikidoc_documents);
  jawiki/ai.ja.zip: each member a document (ai.ja.txt, readme);
  kowiki/wiki_00: one plain-text document (as contam reads a text file);
  chinese_web/*.jsonl: one document per line, field "text", or
    "raw_content" for the CCNet file (contam: --text-field raw_content).
  --extended adds classical_chinese/*.json (every string), chinese_novels,
    aozora/neko.txt.
Planted copies (seeded sample per benchmark file group): the item written
as a person copies it (question, then "A. ..." options; JCommonsenseQA
choices "1. ...", KLUE premise then hypothesis), and
  verbatim  - that text as its own document,
  half      - the first half of its characters as a document,
  embedded  - inside a paragraph of a random corpus document of the same
              language (text before and after).

usage: bench/flags/cjk_spans.py [--extended] [--n 8] [--json OUT] [--seed 13]
"""
import argparse
import collections
import glob
import json
import os
import random
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "cli"))
import benchload  # noqa: E402
from contam_ref import tokenize, is_cjk, wikidoc_documents  # noqa: E402

WS = [1.0, 0.5, 1 / 3, 0.25]
NEED = ("example", "scoreable", "sum", "field")


def key(w, mode):
    return f"w={w:.3g}/{mode}"


KEYS = [key(w, m) for m in NEED for w in WS]
CORPUS = os.path.join(benchload.SHARED, "corpus")


def corpus_docs(extended=False):
    """(language, name, text) of every corpus document read."""
    out = []
    for lang, p in (("zh", "zhwiki/wiki_00"), ("ja", "jawiki/wiki_00")):
        with open(os.path.join(CORPUS, p), "rb") as f:
            for d in wikidoc_documents(f.read()):
                out.append((lang, p, d.decode("utf-8", "replace")))
    with zipfile.ZipFile(os.path.join(CORPUS, "jawiki/ai.ja.zip")) as z:
        for n in z.namelist():
            if not n.endswith("/"):
                out.append(("ja", "jawiki/ai.ja.zip:" + n, z.read(n).decode("utf-8", "replace")))
    with open(os.path.join(CORPUS, "kowiki/wiki_00"), encoding="utf-8", errors="replace") as f:
        out.append(("ko", "kowiki/wiki_00", f.read()))
    for p in sorted(glob.glob(os.path.join(CORPUS, "chinese_web/*.jsonl"))):
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    t = r.get("text", r.get("raw_content"))
                    if isinstance(t, str):
                        out.append(("zh", "chinese_web/" + os.path.basename(p), t))
    if extended:
        for p in sorted(glob.glob(os.path.join(CORPUS, "classical_chinese/*.json"))):
            with open(p, encoding="utf-8") as f:
                data = json.load(f)
            recs = data if isinstance(data, list) else [data]
            for r in recs:
                out.append(("zh", "classical_chinese/" + os.path.basename(p),
                            "\n".join(benchload.strings(r))))
        for p in sorted(glob.glob(os.path.join(CORPUS, "chinese_novels/*.txt"))) + \
                [os.path.join(CORPUS, "aozora/neko.txt")]:
            with open(p, encoding="utf-8", errors="replace") as f:
                out.append(("ja" if "aozora" in p else "zh", os.path.relpath(p, CORPUS), f.read()))
    return out


def ngram_set(texts, n):
    s = set()
    for t in texts:
        toks = tokenize(t)
        s.update(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))
    return s


GROUPS = [  # name, glob under benchmarks/, language
    ("ceval/dev", "ceval/dev/*.csv", "zh"),
    ("ceval/val", "ceval/val/*.csv", "zh"),
    ("ceval/test", "ceval/test/*.csv", "zh"),
    ("cmmlu/dev", "cmmlu/dev/*.csv", "zh"),
    ("cmmlu/test", "cmmlu/test/*.csv", "zh"),
    ("jcommonsenseqa/valid", "jglue/jcommonsenseqa-v1.3_valid*.json", "ja"),
    ("jcommonsenseqa/test", "jglue/jcommonsenseqa-v1.3_test*.json", "ja"),
    ("klue/nli", "klue/klue-nli-*.json", "ko"),
    ("klue/sts", "klue/klue-sts-*.json", "ko"),
]


def load_group(pattern):
    items = []  # (file, record, fields, raw record for the human copy)
    for rel in benchload.benchmark_files(pattern=pattern):
        path = os.path.join(benchload.BENCH, rel)
        if rel.endswith(".csv"):
            import csv
            import io
            with open(path, encoding="utf-8-sig") as f:
                rows = list(csv.DictReader(io.StringIO(f.read(), newline="")))
            for i, (row, fields) in enumerate(zip(rows, benchload.load(rel))):
                items.append((rel, i, fields, row))
        else:
            recs = benchload.json_records(benchload.raw(path))
            for i, (r, fields) in enumerate(zip(recs, benchload.load(rel))):
                items.append((rel, i, fields, r))
    return items


def human_copy(rec, style=0):
    """The item as a person would paste it.  style 0: 'A. x', 1: '(A) x'."""
    def lab(k, x):
        return f"{k}. {x}" if style == 0 else f"({k}) {x}"
    if "question" in rec and "A" in rec:
        q = rec["question"]
        return "\n".join([q] + [lab(k, rec[k]) for k in "ABCD" if k in rec])
    if "Question" in rec:
        return "\n".join([rec["Question"]] + [lab(k, rec[k]) for k in "ABCD"])
    if "choice0" in rec:
        return "\n".join([rec["question"]] + [lab(i + 1, rec[f"choice{i}"]) for i in range(5)])
    if "premise" in rec:
        return rec["premise"] + "\n" + rec["hypothesis"]
    if "sentence1" in rec:
        return rec["sentence1"] + "\n" + rec["sentence2"]
    raise KeyError(list(rec))


def embed(copy, host, rng):
    """copy inside a paragraph of host text: about 400 characters on each side."""
    if len(host) < 900:
        return host + "\n" + copy + "\n"
    at = rng.randrange(400, len(host) - 400)
    return host[at - 400:at] + copy + host[at:at + 400]


def score(fields, corpus, n, ws, min_span=10):
    """Per w: (coverage, flagged, spans); plus the longest run in characters."""
    toks = [tokenize(f) for f in fields]
    T = sum(len(t) for t in toks)
    res = {"tokens": T, "longest_chars": 0, "longest_tokens": 0, "runs": [], "too_short": True}
    wlen = {w: sum(sum(w if is_cjk(x[0]) else 1 for x in t) for t in toks) for w in ws}
    swlen = {w: sum(sum(w if is_cjk(x[0]) else 1 for x in t) for t in toks if len(t) >= n)
             for w in ws}
    runs = []  # (field, start token, end token)
    for fi, t in enumerate(toks):
        if len(t) < n:
            continue
        res["too_short"] = False
        hit = [tuple(t[i:i + n]) in corpus for i in range(len(t) - n + 1)]
        i = 0
        while i < len(hit):
            if not hit[i]:
                i += 1
                continue
            j = i
            while j < len(hit) and hit[j]:
                j += 1
            runs.append((fi, i, j - 1 + n))
            i = j
    for fi, a, b in runs:
        ch = sum(len(x) for x in toks[fi][a:b])
        if ch > res["longest_chars"]:
            res["longest_chars"], res["longest_tokens"] = ch, b - a
    res["per_w"] = {}
    for w in ws:
        for mode in NEED:
            cov, spans = 0, []
            for fi, a, b in runs:
                L = sum(w if is_cjk(x[0]) else 1 for x in toks[fi][a:b])
                if mode == "example":
                    need = min(min_span, wlen[w])
                elif mode == "sum":
                    continue
                elif mode == "scoreable":   # the example's fields of >= n tokens
                    need = min(min_span, swlen[w])
                else:   # "field": a run covering its whole field counts too
                    need = min(min_span, sum(w if is_cjk(x[0]) else 1 for x in toks[fi]))
                if L >= need - 1e-9:
                    cov += b - a   # runs of one field never overlap
                    spans.append("".join(x if is_cjk(x[0]) else " " + x + " "
                                         for x in toks[fi][a:b]).strip())
            if mode == "sum":
                # evidence adds up over the example's fields: when the runs
                # together are long enough, every run counts
                # (distinct texts: one phrase repeated in four options counts once)
                tot = sum(sum(w if is_cjk(x[0]) else 1 for x in r)
                          for r in {tuple(toks[fi][a:b]) for fi, a, b in runs})
                if runs and tot >= min(min_span, swlen[w]) - 1e-9:
                    cov = sum(b - a for fi, a, b in runs)
                    spans = ["".join(x if is_cjk(x[0]) else " " + x + " " for x in toks[fi][a:b]).strip()
                             for fi, a, b in runs]
                else:
                    cov, spans = 0, []
            c = cov / T if T else 0.0
            res["per_w"][key(w, mode)] = (c, (not res["too_short"]) and c >= 0.2, spans)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[8])
    ap.add_argument("--extended", action="store_true")
    ap.add_argument("--plant", type=int, default=100, help="planted items per group")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json")
    a = ap.parse_args()
    t0 = time.time()
    docs = corpus_docs(a.extended)
    by_lang = collections.defaultdict(list)
    for lang, name, t in docs:
        by_lang[lang].append(t)
    out = {"corpus": collections.Counter(name for _, name, _ in docs),
           "corpus_chars": sum(len(t) for _, _, t in docs), "runs": {}}
    print(f"corpus: {len(docs)} documents, {out['corpus_chars']} chars", file=sys.stderr)
    groups = [(g, load_group(p), lang) for g, p, lang in GROUPS]
    for n in a.n:
        cset = ngram_set((t for _, _, t in docs), n)
        print(f"n={n}: {len(cset)} corpus n-grams, {time.time() - t0:.0f}s", file=sys.stderr)
        run = {}
        for g, items, lang in groups:
            st = {"items": len(items), "too_short": 0, "flagged": {k: 0 for k in KEYS},
                  "longest_hist": collections.Counter(), "flags": {k: [] for k in KEYS}}
            for rel, rec, fields, raw in items:
                r = score(fields, cset, n, WS)
                if r["too_short"]:
                    st["too_short"] += 1
                st["longest_hist"][r["longest_chars"]] += 1
                for k in KEYS:
                    c, fl, spans = r["per_w"][k]
                    if fl:
                        st["flagged"][k] += 1
                        st["flags"][k].append({"file": rel, "record": rec, "coverage": round(c, 3),
                                                    "longest_chars": r["longest_chars"],
                                                    "spans": spans, "text": " | ".join(fields)[:160]})
            # planted copies
            rng = random.Random(f"{a.seed}:{g}")
            sample = rng.sample(items, min(a.plant, len(items)))
            hosts = by_lang[lang]
            pl = {}
            for mode in ("verbatim", "half", "embedded"):
                texts = []
                for k, (rel, rec, fields, raw) in enumerate(sample):
                    c = human_copy(raw, style=k % 2)
                    if mode == "half":
                        c = c[:len(c) // 2]
                    elif mode == "embedded":
                        c = embed(c, rng.choice(hosts), rng)
                    texts.append(c)
                pset = cset | ngram_set(texts, n)
                found = {k: 0 for k in KEYS}
                contaminated = {k: 0 for k in KEYS}
                short = 0
                for rel, rec, fields, raw in sample:
                    r = score(fields, pset, n, WS)
                    short += r["too_short"]
                    for k in KEYS:
                        c, fl, _ = r["per_w"][k]
                        found[k] += fl
                        contaminated[k] += c >= 0.8
                pl[mode] = {"planted": len(sample), "too_short": short, "flagged": found,
                            "contaminated": contaminated}
            st["planted"] = pl
            st["longest_hist"] = dict(st["longest_hist"])
            run[g] = st
            print(f"n={n} {g}: {len(items)} items, {time.time() - t0:.0f}s", file=sys.stderr)
        out["runs"][str(n)] = run
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
