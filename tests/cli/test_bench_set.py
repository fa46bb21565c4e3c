#!/usr/bin/env python3
"""test_bench_set.py -- probe and scan share one benchmark set: the same names, the same question/answer split.

  names_agree       the same BENCH arguments give probe and scan the same
                    benchmark names (report benchmarks, examples, hit
                    records), for: a generic file name (gsm8k/test), a
                    walked directory, two files of one name in two
                    directories, demo.jsonl beside demo.csv, --name; and
                    `contam report` puts the probe's and the scan's rows on
                    the same benchmarks
  scan_qa_split     scan --question-field/--answer-field: the report has
                    question_answer per benchmark and qa per example, with
                    the probe's labels and token counts on an exact index
                    (the corpus holds only the copied texts); an answer
                    field matching nothing, a half split and --field with
                    a split are refused as in probe
  confirm_qa_split  probe --question-field/--answer-field --confirm: the
                    exact metrics keep the split
  scoring_agrees    a file whose examples share a template: the scan
                    report's "scoring" says what the probe's says (rules,
                    template n-grams found and excluded), not zeros

Generated data only (no ../shared).  Ends with "N passed, N failed".
"""
import csv
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402

S = Suite("test_bench_set")
rng = random.Random(1414)
VOCAB = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(3000)]


def words(n):
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.items = [{"question": words(30), "answer": words(12)} for _ in range(8)]
    docs = []
    # 0-2: question and answer copied; 3-4: the question only; rest: clean
    for i, it in enumerate(c.items[:5]):
        text = words(20) + " " + it["question"] + " " + words(10)
        if i < 3:
            text += " " + it["answer"] + " " + words(5)
        docs.append({"text": text})
    docs += [{"text": words(80)} for _ in range(5)]
    write(os.path.join(tmp, "corpus", "c.jsonl"), "".join(json.dumps(d) + "\n" for d in docs))
    jl = "".join(json.dumps(it) + "\n" for it in c.items)
    cs = "question,answer\n" + "".join(f'"{it["question"]}","{it["answer"]}"\n' for it in c.items)
    for rel in ["gsm8k/test.jsonl", "suite/a/test.jsonl", "suite/b/test.jsonl",
                "x/abstract_test.jsonl", "y/abstract_test.jsonl", "d/demo.jsonl"]:
        write(os.path.join(tmp, rel), jl)
    write(os.path.join(tmp, "suite", "c.csv"), cs)
    write(os.path.join(tmp, "d", "demo.csv"), cs)
    contam("index", "-q", "-o", os.path.join(tmp, "c.cidx"), os.path.join(tmp, "corpus"),
           cwd=tmp).expect(0)
    return c


def probe(c, *args):
    return contam("probe", "-q", "c.cidx", *args, cwd=c.tmp).expect(0).json()


def scan(c, benches, *args):
    hits = os.path.join(c.tmp, "hits.jsonl")
    rep = os.path.join(c.tmp, "scan.json")
    bargs = []
    for b in benches:
        bargs += ["--bench", b]
    contam("scan", "-q", *bargs, *args, "-o", hits, "--report", rep, "corpus",
           cwd=c.tmp).expect(0)
    with open(rep, encoding="utf-8") as f:
        r = json.load(f)
    with open(hits, encoding="utf-8") as f:
        hl = [json.loads(line) for line in f]
    return r, hl


def names(report):
    return [b["name"] for b in report["benchmarks"]]


@S.test
def names_agree(c):
    cases = [
        (["gsm8k/test.jsonl"], [], ["gsm8k/test"]),
        ([os.path.join(c.tmp, "gsm8k", "test.jsonl")], [], ["gsm8k/test"]),
        (["suite"], ["--field", "question"], ["suite/a/test", "suite/b/test", "suite/c"]),
        (["x/abstract_test.jsonl", "y/abstract_test.jsonl"], [],
         ["x/abstract_test", "y/abstract_test"]),
        (["d/demo.jsonl", "d/demo.csv"], ["--field", "question"], ["demo.jsonl", "demo.csv"]),
        (["gsm8k/test.jsonl", "d/demo.jsonl"], ["--name", "one"], ["one"]),
    ]
    for benches, opts, want in cases:
        p = probe(c, *opts, *benches)
        s, hits = scan(c, benches, *opts)
        check(names(p) == want, f"probe {benches}: names {names(p)}, expected {want}")
        check(names(s) == names(p), f"scan {benches}: names {names(s)}, probe {names(p)}")
        check([e["benchmark"] for e in s["examples"]] == [e["benchmark"] for e in p["examples"]],
              f"{benches}: the examples' benchmark names differ")
        check([e["source"] for e in s["examples"]] == [e["source"] for e in p["examples"]],
              f"{benches}: the examples' sources differ")
        check(hits, f"{benches}: no hit records")
        got = {m["benchmark"] for h in hits for m in h["examples"]}
        check(got <= set(want), f"{benches}: hit records name {sorted(got - set(want))}")
    # one grid: the probe's and the scan's rows on the same benchmarks
    p_path = os.path.join(c.tmp, "p.json")
    contam("probe", "-q", "c.cidx", "suite", "--field", "question", "-o", p_path,
           cwd=c.tmp).expect(0)
    scan(c, ["suite"], "--field", "question")
    out = contam("report", "--format", "csv", p_path, os.path.join(c.tmp, "scan.json"),
                 cwd=c.tmp).expect(0).out
    rows = list(csv.DictReader(io.StringIO(out)))
    by_corpus = {}
    for r in rows:
        by_corpus.setdefault(r["corpus"], set()).add(r["benchmark"])
    check(len(by_corpus) == 2, f"report: corpora {sorted(by_corpus)}")
    sets = list(by_corpus.values())
    check(sets[0] == sets[1] == {"suite/a/test", "suite/b/test", "suite/c"},
          f"report: benchmarks per corpus {by_corpus}")


QA = ["--question-field", "question", "--answer-field", "answer"]


@S.test
def scan_qa_split(c):
    p = probe(c, *QA, "gsm8k/test.jsonl")
    s, hits = scan(c, ["gsm8k/test.jsonl"], *QA)
    check(hits, "no hit records")
    qa = s["benchmarks"][0].get("question_answer")
    check(qa is not None, f"scan report: no question_answer in {sorted(s['benchmarks'][0])}")
    check(qa["question_answer_contaminated"]["count"] == 3, f"question_answer {qa}")
    check(qa["question_contaminated"]["count"] == 2, f"question_answer {qa}")
    check(qa["clean"]["count"] == 3, f"question_answer {qa}")
    check(qa == p["benchmarks"][0]["question_answer"],
          f"scan {qa} != probe {p['benchmarks'][0]['question_answer']}")
    for i, (pe, se) in enumerate(zip(p["examples"], s["examples"])):
        check("qa" in se, f"scan example {i}: no qa")
        for k in ("question_tokens", "answer_tokens", "label"):
            check(pe["qa"][k] == se["qa"][k], f"example {i}: {k} probe {pe['qa'][k]} scan {se['qa'][k]}")
    check(len(s["examples"]) == len(p["examples"]) == 8, "examples")
    # without the split: no qa fields (the report as before)
    s2, _ = scan(c, ["gsm8k/test.jsonl"])
    check("question_answer" not in s2["benchmarks"][0], "question_answer without a split")
    check("qa" not in s2["examples"][0], "qa without a split")
    # refusals, as probe's
    r = contam("scan", "-q", "--question-field", "question", "--bench", "gsm8k/test.jsonl",
               "corpus", cwd=c.tmp)
    r.expect(1)
    check("go together" in r.err, r.err)
    r = contam("scan", "-q", *QA, "--field", "question", "--bench", "gsm8k/test.jsonl",
               "corpus", cwd=c.tmp)
    r.expect(1)
    check("cannot be combined" in r.err, r.err)
    r = contam("scan", "-q", "--question-field", "question", "--answer-field", "nothing",
               "--bench", "gsm8k/test.jsonl", "corpus", cwd=c.tmp)
    r.expect(2)
    check("--answer-field" in r.err and "nothing" in r.err, r.err)


@S.test
def confirm_qa_split(c):
    r = contam("probe", "-q", "c.cidx", *QA, "gsm8k/test.jsonl", "--confirm", "corpus",
               cwd=c.tmp).expect(0).json()
    check(r["confirm"]["flagged"] == 5, f"confirm {r['confirm']}")
    qa = r["benchmarks"][0]["question_answer"]
    check(qa["question_answer_contaminated"]["count"] == 3, f"question_answer {qa}")
    check(qa["question_contaminated"]["count"] == 2, f"question_answer {qa}")
    flagged = [e for e in r["examples"] if e.get("confirmed")]
    check(len(flagged) == 5 and all("qa" in e and "bloom" in e for e in flagged),
          "confirmed examples keep their qa")


@S.test
def scoring_agrees(c):
    # every question opens with the same 12-word frame: a template
    frame = "which of the following statements best describes the answer to this"
    rows = [{"question": frame + " " + words(25)} for _ in range(12)]
    write(os.path.join(c.tmp, "tmpl", "t.jsonl"), "".join(json.dumps(r) + "\n" for r in rows))
    write(os.path.join(c.tmp, "corpus2", "d.jsonl"), json.dumps(
        {"text": words(10) + " " + rows[0]["question"] + " " + words(10)}) + "\n")
    contam("index", "-q", "-o", "c2.cidx", "corpus2", cwd=c.tmp).expect(0)
    p = contam("probe", "-q", "c2.cidx", "tmpl/t.jsonl", cwd=c.tmp).expect(0).json()
    rep = os.path.join(c.tmp, "scan2.json")
    contam("scan", "-q", "--bench", "tmpl/t.jsonl", "-o", os.path.join(c.tmp, "h2.jsonl"),
           "--report", rep, "corpus2", cwd=c.tmp).expect(0)
    with open(rep, encoding="utf-8") as f:
        s = json.load(f)
    ps, ss = p["benchmarks"][0]["scoring"], s["benchmarks"][0]["scoring"]
    check(ps["template"]["distinct_ngrams"] > 0 and ps["template"]["ngrams_excluded"] > 0,
          f"the probe finds the frame: {ps}")
    check(ps == ss, f"probe scoring {ps} == scan scoring {ss}")
    check(ss["cjk_chars_per_word"] == 3 and ss["template"]["share"] == 0.05,
          f"the scan says its rules: {ss}")


sys.exit(S.run(setup))
