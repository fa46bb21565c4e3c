#!/usr/bin/env python3
"""test_flags_real.py -- flags that survive a reviewer, on real data
(the scoring rules of docs/SCORING.md).

Corpora of real text from ../shared/data with benchmark items planted as a
person copies them (bench/flags/plant.py: "A. x" / "(A) x" option lines,
own document, embedded between two paragraphs, or the first half only):

  planted_english   MMLU, ARC and GSM8K items in the C4 sample + wikitext-2.
                    Every planted whole item that has a field of >= n tokens
                    is flagged (the ones without one cannot be: the copy's
                    labels sit between the short fields, so no n-gram of the
                    example is in the corpus; they are counted and printed);
                    every other flag is kept by the exact scan (--confirm)
                    and the reference (contam_ref.score_fields, with the
                    template rule recomputed here) finds it in the document
                    the exact scan names.  Each one is printed with its
                    class: shared with a planted item (a near-duplicate
                    benchmark item) or real text of the corpus.
  moral_scenarios   40 planted MMLU items, 4 of them moral_scenarios: the
                    flags are the planted ones plus confirmed copies, not the
                    ~900 the shared prompt gave (--no-templates gives them
                    back, so the corpus does reproduce the 938 first seen).
  cjk_nothing_planted  zh/ja/ko Wikipedia + Chinese web text: C-Eval val+test,
                    CMMLU test, JCommonsenseQA valid+test, KLUE nli+sts dev
                    give at most CJK_MAX_FLAGS flags (measured 1 of 31,026:
                    a 28-character official formula quoted in zhwiki); the
                    earlier rules (--join-fields --keep-labels
                    --cjk-chars-per-word 1 --no-templates) give more than
                    that on the same index (measured 26), so the bound tells
                    the rules apart.
  cjk_planted       C-Eval, CMMLU and JCommonsenseQA items planted in zh/ja
                    Wikipedia + Chinese web: recall bounds (see CJK_RECALL);
                    unplanted flags checked as in planted_english; copies
                    written without labels (question and options one per
                    line) are all found.
  null_control      one index of the English and CJK corpora: the null
                    control's flagged rate is <= NULL_MAX on the English and
                    on the CJK benchmarks, far under the CJK flag rate of the
                    planted items (the whitespace shuffle reproduced them).
  write_clean_gsm8k `--write-clean --confirm` line counts equal the report's
                    counts on real GSM8K (tests/cli/test_write_clean.py has
                    the mechanics).

The earlier accuracy cases (verbatim, perturbed, wrapped, embedded, half,
edited copies) are tests/cli/test_shared_data.py planted_accuracy; nothing
of them is repeated here.  Skips cleanly without ../shared/data.  About
15 s on 2 shared cores.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import collections
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, SHARED, Suite, check, contam  # noqa: E402
import contam_ref as ref  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "bench", "flags"))

S = Suite("test_flags_real")
B = os.path.join(SHARED, "benchmarks")
N = 8
MIN_SPAN = 10

# CJK planted recall (own_doc + embedded; half copies), measured with the
# defaults (--cjk-chars-per-word 3): 20 of 60 and 8 of 30 before a
# question copied whole counted from n tokens (a CJK question under 24
# characters copied with its labelled options had no counted span), 52 of
# 60 and 24 of 30 after (the main piece whole from n + 1 characters;
# bench/results/2026-12-02-flags-harness.md).  The bound is that, with a
# margin of 3 items.
CJK_RECALL = (49, 21)
CJK_MAX_FLAGS = 5       # of 31,026 items (0.016 %); measured 1
NULL_MAX = 0.001        # null-control flagged rate, English and CJK; measured 1/18,908 and 0/17,566


class Ctx:
    pass


def need(*paths):
    return all(os.path.exists(p) for p in paths)


def bench_rel(source):
    s = source.replace("\\", "/")
    i = s.find("benchmarks/")
    return s[i + len("benchmarks/"):] if i >= 0 else s


def flagged(v):
    return v in ("partial", "contaminated")


def index(c, name, corpus):
    ix = os.path.join(c.tmp, name + ".cidx")
    contam("index", "-q", "-t", "2", "-o", ix, corpus, timeout=300).expect(0)
    return ix


def probe(ix, *args, timeout=300):
    return contam("probe", ix, "-q", *args, timeout=timeout).expect(0).json()


def setup(tmp):
    import plant
    c = Ctx()
    c.tmp = tmp
    c.plant = plant
    c.dir = os.path.join(tmp, "plant")
    c.manifest = plant.build(c.dir, seed=13, mmlu=40, arc=20, gsm8k=20, cjk=30)
    c.en = index(c, "en", os.path.join(c.dir, "en"))
    c.cjk = index(c, "cjk", os.path.join(c.dir, "cjk"))
    c.docs = {}
    c.bench = {}
    c.templates = {}
    return c


# ------------------------------------------------------------------ helpers

def corpus_doc(c, path, record):
    if path not in c.docs:
        with open(path, encoding="utf-8") as f:
            c.docs[path] = [json.loads(l)["text"] for l in f if l.strip()]
    return c.docs[path][record]


def bench_examples(c, rel):
    """The example's field values as contam reads the file by default
    (bench/flags/benchload.py, a reader of its own)."""
    import benchload
    if rel not in c.bench:
        c.bench[rel] = benchload.load(rel, B)
    return c.bench[rel]


def template_keys(c, rel, share=0.05, min_count=5):
    """The template rule, recomputed: n-grams in more than share of the
    file's examples and in >= min_count of them; a field value of >= 2n
    tokens that an earlier example had counts once."""
    if rel in c.templates:
        return c.templates[rel]
    exs = bench_examples(c, rel)
    cnt = collections.Counter()
    seen = set()
    for vals in exs:
        toks, grams, bounds = ref.field_ngrams(vals)
        # token ranges of values of >= 2n tokens already seen
        skip = []
        at = 0
        for v in vals:
            vt = [t for p in ref.value_pieces(v) for t in ref.tokenize(p)]
            key = tuple(vt)
            if len(vt) >= 2 * N:
                if key in seen:
                    skip.append((at, at + len(vt)))
                seen.add(key)
            at += len(vt)
        keys = {k for f, k in grams if not any(a <= f and f + N <= b for a, b in skip)}
        cnt.update(keys)
    lim = share * len(exs)
    c.templates[rel] = {k for k, m in cnt.items() if m > lim and m >= min_count}
    return c.templates[rel]


def doc_set(text):
    s = ref.NgramSet()
    s.add_document(text)
    return s.keys


def planted_hosts(c, corpus):
    out = set()
    for r in c.manifest:
        if r["corpus"] == corpus:
            out.add((os.path.basename(r["file"]), r["doc"] if r["file"].endswith("planted.jsonl")
                     or r["how"] == "embedded" else None))
    return out


def classify_unplanted(c, corpus, e):
    """(ok, class, text): an unplanted flag is genuine when the exact scan
    kept it and the reference, scoring the example against the document
    the exact scan names, flags it too.  class: 'shared with a planted
    item' (the document holds a planted copy) or 'real corpus text'."""
    if not e.get("confirmed") or not flagged(e["verdict"]):
        return False, "overturned or not confirmed", ""
    rel = bench_rel(e["source"])
    vals = bench_examples(c, rel)[e["record"]]
    tpl = template_keys(c, rel)
    hosts = planted_hosts(c, corpus)
    best = None
    for p in e.get("provenance") or []:
        text = corpus_doc(c, p["file"], p["record"])
        r = ref.score_fields(vals, doc_set(text), templates=tpl)
        if flagged(r["verdict"]):
            snip = text.encode("utf-8")[p["start"]:p["end"]].decode("utf-8", "replace")
            planted = (os.path.basename(p["file"]), p["record"]) in hosts
            best = ("shared with a planted item" if planted else "real corpus text",
                    r, snip.replace("\n", " / ")[:140])
            break
    if best is None:
        return False, "reference finds no flag in the provenance documents", ""
    return True, best[0], f"longest {best[1]['longest']} tokens, coverage {best[1]['coverage']:.2f}: {best[2]}"


def score_planted(c, corpus, reports):
    """planted, found, half, half found, missed [(key, e)], unplanted [e]."""
    planted = {(r["benchmark"], r["record"]): r for r in c.manifest if r["corpus"] == corpus}
    st = collections.Counter()
    missed, unplanted = [], []
    seen = set()
    for rep in reports:
        for e in rep["examples"]:
            key = (bench_rel(e["source"]), e["record"])
            seen.add(key)
            v = e.get("bloom", {}).get("verdict", e["verdict"])
            p = planted.get(key)
            if p and p["how"] == "half":
                st["half"] += 1
                st["half_found"] += flagged(v)
            elif p:
                st["planted"] += 1
                st["found"] += flagged(v)
                if not flagged(v):
                    missed.append((key, e))
            elif flagged(v):
                unplanted.append(e)
    check(len(seen & set(planted)) == len(planted),
          f"{len(set(planted) - seen)} planted items not in any report")
    return st, missed, unplanted


def check_unplanted(c, corpus, unplanted, label):
    bad = []
    kinds = collections.Counter()
    for e in unplanted:
        ok, kind, why = classify_unplanted(c, corpus, e)
        key = f"{bench_rel(e['source'])}#{e['record']}"
        kinds[kind] += 1
        print(f"    {label} unplanted flag {key}: {kind}; {why}")
        print(f"      why: {e.get('why')}")
        if not ok:
            bad.append(f"{key}: {kind}")
    return bad, kinds


def longest_piece(vals):
    toks, grams, bounds = ref.field_ngrams(vals)
    return max((b - a for a, b in bounds), default=0)


# ------------------------------------------------------------------ tests

EN = {"mmlu": ["--no-header", os.path.join(B, "mmlu", "data", "test")],
      "arc": [os.path.join(B, "arc", "ARC-Challenge-Test.jsonl"),
              os.path.join(B, "arc", "ARC-Easy-Test.jsonl")],
      "gsm8k": [os.path.join(B, "gsm8k", "test.jsonl")]}
CJK = {"ceval": [os.path.join(B, "ceval", "val")],
       "cmmlu": [os.path.join(B, "cmmlu", "test")],
       "jcqa": [os.path.join(B, "jglue", "jcommonsenseqa-v1.3_valid-v1.3.json")]}


@S.test
def planted_english(c):
    reports = [probe(c.en, *args, "--confirm", os.path.join(c.dir, "en")) for args in EN.values()]
    st, missed, unplanted = score_planted(c, "en", reports)
    print(f"  English: planted found {st['found']}/{st['planted']}, half {st['half_found']}/"
          f"{st['half']}, unplanted flags {len(unplanted)}")
    unfindable = []
    for key, e in missed:
        lp = longest_piece(bench_examples(c, key[0])[key[1]])
        print(f"    missed {key[0]}#{key[1]}: longest field {lp} tokens")
        # a field of n + 1 tokens copied whole is two hits; a field of n
        # tokens is one n-gram, which a false positive could make, so it
        # does not count alone (README "Scoring rules", 3)
        if lp >= N + 1:
            unfindable.append(f"{key[0]}#{key[1]} (a field of {lp} tokens)")
    check(st["planted"] == 54 and st["half"] == 26, f"plant.py wrote {st['planted']} + {st['half']} items")
    check(not unfindable, "planted items with a field of >= n + 1 tokens missed: " + ", ".join(unfindable))
    # the ones without a field of n tokens: at most those of the sample
    # (3 with seed 13: MMLU virology #152, elementary_mathematics #338,
    # ARC-Easy #590)
    # (4 with seed 13: MMLU virology #152, elementary_mathematics #338,
    # ARC-Easy #590, and college_mathematics #64, whose question is one
    # 8-gram)
    check(len(missed) <= 4, f"{len(missed)} planted items missed")
    check(st["half_found"] >= 19, f"half copies found {st['half_found']}/{st['half']} (measured 21)")
    bad, kinds = check_unplanted(c, "en", unplanted, "en")
    print(f"  English unplanted flags by class: {dict(kinds)}")
    check(not bad, "unplanted flags the exact scan does not explain: " + "; ".join(bad[:5]))
    check(len(unplanted) <= 5, f"{len(unplanted)} unplanted flags (measured 1)")


@S.test
def moral_scenarios(c):
    plant = c.plant
    rng = random.Random(40)
    items = plant.mmlu_items(SHARED)
    moral = [x for x in items if "moral_scenarios" in x[0]]
    other = [x for x in items if "moral_scenarios" not in x[0]]
    pool = rng.sample(moral, 4) + rng.sample(other, 36)
    bases = {"c4.jsonl": plant.c4_docs(SHARED)[:300], "wiki.jsonl": plant.wikitext_docs(SHARED)[:30]}
    files, rows = plant.plant("en", bases, [("mmlu", pool, 40)], rng, hows=("own_doc", "embedded"))
    d = os.path.join(c.tmp, "moral")
    for fname, docs in files.items():
        plant.write_jsonl(os.path.join(d, fname), docs)
    ix = index(c, "moral", d)
    mdir = os.path.join(B, "mmlu", "data", "test")
    rep = probe(ix, "--no-header", mdir, "--confirm", d)
    planted = {(r["benchmark"], r["record"]) for r in rows}
    flags = [e for e in rep["examples"] if flagged(e["verdict"])]
    found = {(bench_rel(e["source"]), e["record"]) for e in flags} & planted
    others = [e for e in flags if (bench_rel(e["source"]), e["record"]) not in planted]
    ms = [b for b in rep["benchmarks"] if "moral_scenarios" in b["name"]][0]
    print(f"  40 planted (4 moral_scenarios): {len(flags)} flags, {len(found)} planted found, "
          f"{len(others)} others; moral_scenarios template n-grams "
          f"{ms['scoring']['template']['distinct_ngrams']}")
    missed = [k for k in planted - found if longest_piece(bench_examples(c, k[0])[k[1]]) >= N + 1]
    check(not missed, f"planted items with a field of n + 1 tokens not flagged: {missed}")
    saved = c.manifest
    c.manifest = rows
    try:
        bad, kinds = check_unplanted(c, "en", others, "moral")
    finally:
        c.manifest = saved
    check(not bad, "flags the exact scan does not explain: " + "; ".join(bad[:5]))
    # measured 12 others, every one text a planted item shares: MMLU reuses
    # a reading passage across questions (high_school_us/european_history)
    # and a scenario across moral_scenarios items
    check(len(others) <= 30, f"{len(flags)} flags for 40 planted items, {len(others)} others")
    check(ms["scoring"]["template"]["distinct_ngrams"] > 0, "moral_scenarios: no template n-grams")
    # the same probe without the template rule reproduces the old flags
    old = probe(ix, "--no-header", "--no-templates", os.path.join(mdir, "moral_scenarios_test.csv"))
    n_old = sum(flagged(e["verdict"]) for e in old["examples"])
    print(f"  --no-templates: {n_old} moral_scenarios flags (the 938 effect)")
    check(n_old >= 800, f"--no-templates flags {n_old} moral_scenarios items: the corpus does not "
          "reproduce the template effect, so the check above shows nothing")


def cjk_nothing(c):
    if getattr(c, "cjk0", None):
        return c.cjk0
    plant = c.plant
    d = os.path.join(c.tmp, "cjk0")
    plant.write_jsonl(os.path.join(d, "zhwiki.jsonl"),
                      plant.wikidoc(os.path.join(SHARED, "corpus", "zhwiki", "wiki_00")))
    plant.write_jsonl(os.path.join(d, "jawiki.jsonl"),
                      plant.wikidoc(os.path.join(SHARED, "corpus", "jawiki", "wiki_00")))
    with open(os.path.join(SHARED, "corpus", "kowiki", "wiki_00"), encoding="utf-8", errors="replace") as f:
        ko = [b.strip() for b in f.read().split("\n\n") if b.strip()]
    plant.write_jsonl(os.path.join(d, "kowiki.jsonl"), ko)
    plant.write_jsonl(os.path.join(d, "zhweb.jsonl"), plant.zhweb_docs(SHARED))
    c.cjk0 = (d, index(c, "cjk0", d))
    return c.cjk0


CJK_ALL = [os.path.join(B, "ceval", "val"), os.path.join(B, "ceval", "test"),
           os.path.join(B, "cmmlu", "test"),
           os.path.join(B, "jglue", "jcommonsenseqa-v1.3_valid-v1.3.json"),
           os.path.join(B, "jglue", "jcommonsenseqa-v1.3_test-v1.3.json"),
           os.path.join(B, "klue", "klue-nli-v1.1_dev.json"),
           os.path.join(B, "klue", "klue-sts-v1.1_dev.json")]


def family(b):
    return bench_rel(b["sources"][0]).split("/")[0]


@S.test
def cjk_nothing_planted(c):
    if not need(*CJK_ALL, os.path.join(SHARED, "corpus", "kowiki", "wiki_00")):
        return "skip"
    d, ix = cjk_nothing(c)
    rep = probe(ix, *CJK_ALL, "--confirm", d)
    per = collections.Counter()
    n = collections.Counter()
    for b in rep["benchmarks"]:
        per[family(b)] += b["partial"] + b["contaminated"]
        n[family(b)] += b["records"]
    total, items = sum(per.values()), sum(n.values())
    print(f"  nothing planted: {total} flags of {items} items; per benchmark "
          + ", ".join(f"{k} {per[k]}/{n[k]}" for k in sorted(n)))
    check(set(n) == {"ceval", "cmmlu", "jglue", "klue"} and items > 30000, f"read {dict(n)}")
    flags = [e for e in rep["examples"] if flagged(e["verdict"])]
    c.manifest, saved = [], c.manifest
    try:
        bad, kinds = check_unplanted(c, "cjk0", flags, "cjk0")
    finally:
        c.manifest = saved
    check(not bad, "flags the exact scan does not explain: " + "; ".join(bad[:5]))
    check(total <= CJK_MAX_FLAGS, f"{total} flags with nothing planted (bound {CJK_MAX_FLAGS})")
    old = probe(ix, "--join-fields", "--keep-labels", "--cjk-chars-per-word", "1", "--no-templates",
                *CJK_ALL)
    n_old = sum(b["partial"] + b["contaminated"] for b in old["benchmarks"])
    print(f"  the earlier rules on the same index: {n_old} flags")
    check(n_old > CJK_MAX_FLAGS, f"the old rules give {n_old} flags: the bound tells nothing apart")


@S.test
def cjk_planted(c):
    reports = [probe(c.cjk, *args, "--confirm", os.path.join(c.dir, "cjk")) for args in CJK.values()]
    st, missed, unplanted = score_planted(c, "cjk", reports)
    print(f"  CJK: planted found {st['found']}/{st['planted']}, half {st['half_found']}/{st['half']}, "
          f"unplanted flags {len(unplanted)}")
    check(st["planted"] == 60 and st["half"] == 30, f"plant.py wrote {st['planted']} + {st['half']} items")
    check(st["found"] >= CJK_RECALL[0], f"planted found {st['found']}/60 < {CJK_RECALL[0]}")
    check(st["half_found"] >= CJK_RECALL[1], f"half found {st['half_found']}/30 < {CJK_RECALL[1]}")
    # a planted item whose question alone weighs min_span words (30 CJK
    # characters) is always found
    long_missed = []
    for key, e in missed:
        vals = bench_examples(c, key[0])[key[1]]
        toks, grams, bounds = ref.field_ngrams(vals)
        w = max(sum(ref.token_weight(t, 3) for t in toks[a:b]) for a, b in bounds) / 3
        if w >= MIN_SPAN:
            long_missed.append(f"{key[0]}#{key[1]} ({w:.1f} words)")
    check(not long_missed, "planted items with a field of >= 10 words missed: " + ", ".join(long_missed))
    bad, kinds = check_unplanted(c, "cjk", unplanted, "cjk")
    print(f"  CJK unplanted flags by class: {dict(kinds)}")
    check(not bad, "unplanted flags the exact scan does not explain: " + "; ".join(bad[:5]))
    check(len(unplanted) <= 4, f"{len(unplanted)} unplanted CJK flags (measured 1)")
    # the same items copied without labels (question, then one option a
    # line): the n-grams run on across the fields, so every copy is found
    plant = c.plant
    picked = [(r["benchmark"], r["record"]) for r in c.manifest if r["corpus"] == "cjk"][:45]
    d = os.path.join(c.tmp, "cjk_plain")
    docs = []
    for rel, rec in picked:
        vals = bench_examples(c, rel)[rec]
        docs.append("\n".join(v for v in vals if v.strip()))
    plant.write_jsonl(os.path.join(d, "plain.jsonl"), docs)
    ix = index(c, "cjk_plain", d)
    rels = sorted({rel for rel, _ in picked})
    rep = probe(ix, *[os.path.join(B, r) for r in rels])
    got = {(bench_rel(e["source"]), e["record"]): e for e in rep["examples"]}
    lost = [f"{k[0]}#{k[1]}" for k in picked if not flagged(got[k]["verdict"])]
    print(f"  CJK copies without labels: {len(picked) - len(lost)}/{len(picked)} found")
    check(len(lost) <= 2, f"unlabelled verbatim copies missed: {lost}")


@S.test
def null_control(c):
    d = os.path.join(c.tmp, "both")
    os.makedirs(d, exist_ok=True)
    for corpus in ("en", "cjk"):
        src = os.path.join(c.dir, corpus)
        for f in sorted(os.listdir(src)):
            os.symlink(os.path.join(src, f), os.path.join(d, f"{corpus}_{f}"))
    ix = index(c, "both", d)
    fill = contam("info", "--json", ix).expect(0).json()
    rates = {}
    real = {}
    for side, benches in (("en", EN), ("cjk", CJK)):
        k = nn = fl = 0
        for args in benches.values():
            rep = probe(ix, "--null-control", *args)
            for b in rep["benchmarks"]:
                nc = b["null_control"]
                k += nc["flagged"]["count"]
                nn += nc["examples"]
                fl += b["partial"] + b["contaminated"]
        rates[side] = (k, nn)
        real[side] = fl
    print(f"  one index ({fill.get('fill', '?')} fill): null control flagged English "
          f"{rates['en'][0]}/{rates['en'][1]}, CJK {rates['cjk'][0]}/{rates['cjk'][1]}; "
          f"real flags English {real['en']}, CJK {real['cjk']}")
    for side in ("en", "cjk"):
        k, nn = rates[side]
        check(nn > 1000, f"{side}: null control over {nn} examples")
        check(k / nn <= NULL_MAX, f"{side}: null control rate {k}/{nn} > {NULL_MAX}")
    # the planted CJK items are flagged; a shuffle that leaves CJK text
    # alone would flag them again in the control
    check(real["cjk"] >= 15, f"only {real['cjk']} CJK flags: the control has nothing to not reproduce")
    check(rates["cjk"][0] <= real["cjk"] // 10, f"the CJK null control reproduces the flags: "
          f"{rates['cjk'][0]} of {real['cjk']}")


@S.test
def write_clean_gsm8k(c):
    g = os.path.join(B, "gsm8k", "test.jsonl")
    out = os.path.join(c.tmp, "clean")
    rep = probe(c.en, "--write-clean", out, g, "--confirm", os.path.join(c.dir, "en"))
    b = rep["benchmarks"][0]
    with open(os.path.join(out, "test.clean.jsonl"), encoding="utf-8") as f:
        n_clean = sum(1 for _ in f)
    with open(os.path.join(out, "test.flagged.jsonl"), encoding="utf-8") as f:
        n_flag = sum(1 for _ in f)
    ids = json.load(open(os.path.join(out, "test.flagged.jsonl.ids.json")))
    print(f"  GSM8K: report clean {b['clean']} + too_short {b['too_short']}, flagged "
          f"{b['partial'] + b['contaminated']}; files: clean {n_clean}, flagged {n_flag}")
    check(n_clean == b["clean"] + b["too_short"], f"clean file {n_clean} lines, report {b['clean']}")
    check(n_flag == b["partial"] + b["contaminated"], f"flagged file {n_flag}, report "
          f"{b['partial'] + b['contaminated']}")
    check(n_clean + n_flag == 1319, f"{n_clean} + {n_flag} != 1319 GSM8K test records")
    flagged_recs = sorted(e["record"] for e in rep["examples"] if flagged(e["verdict"]))
    check(sorted(r["record"] for r in ids["flagged_records"]) == flagged_recs,
          "ids.json flagged records differ from the report's flagged examples")
    check(n_flag >= 14, f"only {n_flag} GSM8K items flagged of 14 planted")


def main():
    needed = [os.path.join(B, "mmlu", "data", "test"), os.path.join(B, "gsm8k", "test.jsonl"),
              os.path.join(B, "arc", "ARC-Easy-Test.jsonl"), os.path.join(B, "ceval", "val"),
              os.path.join(B, "cmmlu", "test"), os.path.join(SHARED, "corpus", "c4"),
              os.path.join(SHARED, "corpus", "zhwiki", "wiki_00"), os.path.join(ROOT, "bench", "flags", "plant.py")]
    if not need(*needed):
        print(f"test_flags_real: {SHARED} (or bench/flags) not found")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    return S.run(setup)


if __name__ == "__main__":
    sys.exit(main())
