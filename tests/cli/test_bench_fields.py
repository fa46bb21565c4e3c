#!/usr/bin/env python3
"""test_bench_fields.py -- the benchmark side of "nothing unread": fields that exist,
record paths for nested files, several benchmark files and directories.

- every --field / --id-field must select text in at least one record
  (else exit 2 with the keys the file has); a record missing one of several
  fields is counted (report benchmarks[].missing_fields, stderr note);
  --field on txt is refused; a probe without --field says what it took;
- --records PATH (SQuAD data.paragraphs.qas with ^context, c3 '*.1'),
  @keys (TruthfulQA mc_task.json), --lines-per-record (HellaSwag);
  nested records without --records are refused;
- probe and scan take directories; a shell glob after scan --bench is
  refused instead of becoming corpus; benchmark names are unique and the
  same file twice is refused; --write-clean never overwrites
  an input; duplicate CSV column names are refused; scan
  --max-record has index's minimum;
- the expected-counts table: every file under ../shared/data/benchmarks,
  read with the options in RULES, gives the number of examples an
  independent Python count (json/csv/bz2/zipfile modules) gives, the
  .bz2 and .zip files included.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import bz2
import csv
import fnmatch
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_bench_fields")
BENCH = os.path.join(SHARED, "benchmarks")
PL = ("the quick brown fox jumps over the lazy dog while seven purple "
      "elephants dance quietly beneath the silver moon tonight")


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w") as f:
        f.write(PL + "\n")
    c.corpus = corpus
    c.ix = os.path.join(tmp, "c.cidx")
    contam("index", "-q", "-o", c.ix, corpus).expect(0)
    return c


def write(c, name, text):
    path = os.path.join(c.tmp, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def jsonl(c, name, records):
    return write(c, name, "".join(json.dumps(r) + "\n" for r in records))


def probe(c, *args):
    return contam("probe", c.ix, *args)


def report(c, *args):
    r = probe(c, "-q", *args).expect(0)
    return r.json()


def have_shared():
    return os.path.isdir(BENCH)


# ---------------------------------------------------------------- item 5


@S.test
def misspelt_field_is_an_error(c):
    p = jsonl(c, "boolq.jsonl", [{"question": f"q{i} {PL}", "passage": "p", "idx": i}
                                 for i in range(4)])
    r = probe(c, "--field", "question", "--field", "pasage", p)
    check(r.rc == 2, f"misspelt field: exit {r.rc}")
    check("'pasage'" in r.err and "'passage'" in r.err and "'idx'" in r.err,
          f"message names the field and the keys: {r.err}")
    check(r.out == "", "no report")
    if have_shared():
        real = os.path.join(BENCH, "boolq", "superglue_BoolQ_val.jsonl")
        r = probe(c, "--field", "question", "--field", "pasage", real)
        check(r.rc == 2 and "pasage" in r.err and "'passage'" in r.err, f"BoolQ: {r.rc} {r.err}")


@S.test
def missing_fields_are_counted(c):
    recs = [{"question": f"question {i}", "context": f"context {i}"} for i in range(5)]
    del recs[1]["context"]
    del recs[3]["context"]
    p = jsonl(c, "partial.jsonl", recs)
    r = probe(c, "--field", "question", "--field", "context", "-o",
              os.path.join(c.tmp, "partial.json"), p).expect(0)
    b = json.load(open(os.path.join(c.tmp, "partial.json")))["benchmarks"][0]
    check(b["examples"] == 5, f"5 examples: {b['examples']}")
    check(b["missing_fields"] == {"question": 0, "context": 2}, f"missing: {b['missing_fields']}")
    check(b["fields"] == ["question", "context"] and b["fields_auto"] is False, f"fields: {b}")
    check("'context' missing in 2 of 5 records" in r.err, f"stderr note: {r.err}")
    # a nested path that stops part of the way says where
    q = jsonl(c, "arc.jsonl", [{"id": "a", "question": {"stem": "s", "choices": []}}])
    r = probe(c, "--field", "question.stm", q)
    check(r.rc == 2 and "'question' has keys 'stem', 'choices'" in r.err, f"nested: {r.err}")
    # the id field too
    r = probe(c, "--field", "question", "--id-field", "uid", p)
    check(r.rc == 2 and "--id-field 'uid'" in r.err and "'question'" in r.err, f"id: {r.err}")
    b = report(c, "--field", "question", "--id-field", "context", p)["benchmarks"][0]
    check(b["id_missing"] == 2, f"id_missing: {b}")


@S.test
def field_on_txt_is_refused(c):
    p = write(c, "lines.txt", "first example line here\nsecond example line\n")
    r = probe(c, "--field", "question", p)
    check(r.rc in (1, 2) and "lines.txt" in r.err and "no fields" in r.err, f"txt --field: {r.rc} {r.err}")
    r = probe(c, "--id-field", "id", p)
    check(r.rc in (1, 2) and "no fields" in r.err, f"txt --id-field: {r.rc} {r.err}")
    report(c, p)  # without --field it reads


@S.test
def fields_taken_are_named(c):
    p = jsonl(c, "test.jsonl", [{"question": "what is it", "answer": "this", "n": 3}])
    r = probe(c, "-o", os.path.join(c.tmp, "auto.json"), p).expect(0)
    check("no --field: using every string value: 'question', 'answer'" in r.err, f"note: {r.err}")
    b = json.load(open(os.path.join(c.tmp, "auto.json")))["benchmarks"][0]
    check(b["fields_auto"] is True and b["fields"] == ["question", "answer"], f"report: {b}")
    csvp = write(c, "t.csv", "q,a\nwhat is it,this\n")
    b = report(c, csvp)["benchmarks"][0]
    check(b["fields"] == ["q", "a"] and b["fields_auto"], f"csv auto: {b}")


@S.test
def default_reading_finds_verbatim_copies(c):
    """Without --field, a benchmark in ARC's layout (an "id", options as
    {"text", "label"}) or the Hub's (label and text arrays) is read as a copy
    writes it: the id is the example's id, not text, and each option is
    "A. text".  Read as the values stand (the id first, each label after its
    text) a verbatim copy scored partial, not contaminated."""
    words = ("amber basil cedar delta ember fable garnet harbor indigo juniper "
             "kettle lantern meadow nectar orchid pepper quartz raven saffron "
             "thistle umber velvet willow yarrow zephyr").split()

    def phrase(i, n):
        return " ".join(words[(i * 7 + j * 3) % len(words)] + str(i) for j in range(n))

    arc, hub, copies = [], [], []
    for i in range(12):
        stem = phrase(i, 9) + "?"
        opts = [phrase(i * 5 + k + 100, 2) for k in range(4)]
        labels = ["A", "B", "C", "D"]
        arc.append({"id": f"Mercury_{7000 + i}", "question": {
            "stem": stem, "choices": [{"text": t, "label": l} for t, l in zip(opts, labels)]},
            "answerKey": "B"})
        hub.append({"id": f"q{i}", "question": stem,
                    "choices": {"label": labels, "text": opts}, "answerKey": "B"})
        copies.append("Question: " + stem + "\n" +
                      "\n".join(f"{l}. {t}" for l, t in zip(labels, opts)) + "\nAnswer: B\n")
    corpus = write(c, "opts/corpus.txt", "\n\n".join(copies))
    ix = os.path.join(c.tmp, "opts.cidx")
    contam("index", "-q", "-o", ix, corpus).expect(0)
    for name, recs in (("arc", arc), ("hub", hub)):
        bench = jsonl(c, f"opts/{name}.jsonl", recs)
        out = os.path.join(c.tmp, f"opts-{name}.json")
        r = contam("probe", ix, "-o", out, bench).expect(0)
        check("ids from 'id', not read as text" in r.err, f"{name}: note: {r.err}")
        rep = json.load(open(out))
        verdicts = [e["verdict"] for e in rep["examples"]]
        check(verdicts == ["contaminated"] * 12, f"{name}: verdicts {verdicts}")
        ids = [e["id"] for e in rep["examples"]]
        check(ids == [x["id"] for x in recs], f"{name}: ids {ids[:3]}")
        check(rep["benchmarks"][0]["id_field"] == "id", f"{name}: {rep['benchmarks'][0]}")


@S.test
def headerless_csv_is_not_read_as_header(c):
    """MMLU's CSV files have no header: without --no-header the first
    question became the column names and one example was lost silently."""
    rows = "".join(f'"Which of the following is true about item {i}?",a,b,c,d,A\n' for i in range(3))
    p = write(c, "mmlu_like.csv", rows)
    r = probe(c, p)
    check(r.rc == 2 and "looks like data" in r.err and "--no-header" in r.err, f"{r.rc} {r.err}")
    check(report(c, "--no-header", p)["benchmarks"][0]["examples"] == 3, "--no-header")
    check(report(c, "--header", p)["benchmarks"][0]["examples"] == 2, "--header forces it")
    if have_shared():
        real = os.path.join(BENCH, "mmlu", "data", "test", "anatomy_test.csv")
        r = probe(c, real)
        check(r.rc == 2 and "--no-header" in r.err, f"MMLU without --no-header: {r.rc}")


@S.test
def several_arrays_at_the_top(c):
    p = write(c, "splits.json", json.dumps({"train": [{"q": "a"}], "test": [{"q": "b"}, {"q": "c"}]}))
    r = probe(c, p)
    check(r.rc == 2 and "more than one array" in r.err and "--records train" in r.err, r.err)
    check(report(c, "--records", "test", p)["benchmarks"][0]["examples"] == 2, "--records test")


@S.test
def duplicate_csv_columns(c):
    p = write(c, "dup.csv", "q,x,q\nfirst,1,second\n")
    r = probe(c, "--field", "q", p)
    check(r.rc == 2 and "ambiguous" in r.err and "0 and 2" in r.err, f"ambiguous: {r.rc} {r.err}")
    out = os.path.join(c.tmp, "dup.json")
    probe(c, "--field", "q#2", "--write-clean", os.path.join(c.tmp, "dupclean"), "-q",
          "-o", out, p).expect(0)
    # the text scored is the second q column: 1 token, too short, clean
    ex = json.load(open(out))["examples"][0]
    check(ex["tokens"] == 1, f"q#2 is one word: {ex}")
    b = report(c, "--field", "0", p)["benchmarks"][0]
    check(b["examples"] == 1, "by number")


# ---------------------------------------------------------------- item 6


SQUAD = {"version": "1.1", "data": [
    {"title": "A", "paragraphs": [
        {"context": "alpha context words", "qas": [
            {"id": "a1", "question": "first question", "answers": [{"text": "x", "answer_start": 0}]},
            {"id": "a2", "question": "second question", "answers": [{"text": "y", "answer_start": 1}]}]},
        {"context": "beta context words", "qas": [
            {"id": "b1", "question": "third question", "answers": [{"text": "z", "answer_start": 2}]}]}]},
    {"title": "B", "paragraphs": [
        {"context": "gamma context words", "qas": [
            {"id": "c1", "question": "fourth question", "answers": []}]}]}]}


@S.test
def records_path_squad(c):
    p = write(c, "squad.json", json.dumps(SQUAD))
    r = probe(c, p)
    check(r.rc == 2 and "--records data.paragraphs.qas" in r.err, f"nested refused: {r.rc} {r.err}")
    out = os.path.join(c.tmp, "sq.json")
    probe(c, "--records", "data.paragraphs.qas", "--field", "question", "--field", "^context",
          "--field", "^^title", "--id-field", "id", "-q", "-o", out, p).expect(0)
    rep = json.load(open(out))
    b = rep["benchmarks"][0]
    check(b["examples"] == 4, f"4 questions: {b['examples']}")
    ids = [e["id"] for e in rep["examples"]]
    check(ids == ["a1", "a2", "b1", "c1"], f"ids in order: {ids}")
    check([e["record"] for e in rep["examples"]] == [0, 1, 2, 3], "records numbered")
    # question + its own paragraph + its article: 2 + 3 + 1 tokens
    check(all(e["tokens"] == 6 for e in rep["examples"]), f"tokens: {[e['tokens'] for e in rep['examples']]}")
    # the records as they are, explicitly
    b = report(c, "--records", "data", p)["benchmarks"][0]
    check(b["examples"] == 2, f"--records data: {b['examples']}")
    # --confirm reads the files again with the same layout
    r = probe(c, "-q", "--records", "data.paragraphs.qas", "--field", "question", "--field",
              "^context", p, "--confirm", c.corpus).expect(0)
    check(r.json()["benchmarks"][0]["examples"] == 4, "confirm with --records")
    r = probe(c, "--records", "data.paragraphs.qaz", p)
    check(r.rc == 2 and "qaz" in r.err and "'qas'" in r.err, f"bad --records: {r.err}")
    # an ^ field missing everywhere is an error too
    r = probe(c, "--records", "data.paragraphs.qas", "--field", "question", "--field", "^contxt", p)
    check(r.rc == 2 and "^contxt" in r.err, f"bad ^ field: {r.err}")
    if not have_shared() or not shutil.which("unzip"):
        return
    real = os.path.join(c.tmp, "dev-v1.1.json")
    with open(real, "wb") as f:
        subprocess.run(["unzip", "-p", os.path.join(BENCH, "squad", "dev-v1.1.json.zip")],
                       stdout=f, check=True)
    b = report(c, "--records", "data.paragraphs.qas", "--field", "question", "--field",
               "^context", real)["benchmarks"][0]
    check(b["examples"] == 10570, f"SQuAD v1.1 dev: {b['examples']} questions")


@S.test
def records_path_c3_and_star(c):
    doc = [[["para one", "para two"], [{"question": "q1", "choice": ["a", "b"]},
                                       {"question": "q2", "choice": ["c"]}], "id0"],
           [["para three"], [{"question": "q3", "choice": ["d"]}], "id1"]]
    p = write(c, "c3.json", json.dumps(doc))
    r = probe(c, p)
    check(r.rc == 2 and "--records" in r.err, f"arrays as records: {r.err}")
    out = os.path.join(c.tmp, "c3.out.json")
    probe(c, "--records", "*.1", "--field", "question", "--field", "^0", "-q", "-o", out,
          p).expect(0)
    rep = json.load(open(out))
    check(rep["benchmarks"][0]["examples"] == 3, f"3 questions: {rep['benchmarks'][0]}")
    check([e["tokens"] for e in rep["examples"]] == [5, 5, 3], f"tokens {[e['tokens'] for e in rep['examples']]}")
    # an object of records keyed by id: @values
    obj = {"p1": {"passage": "one", "qa": [{"q": "x"}, {"q": "y"}]},
           "p2": {"passage": "two", "qa": [{"q": "z"}]}}
    p = write(c, "drop.json", json.dumps(obj))
    r = probe(c, p)
    check(r.rc == 2 and "--records" in r.err, f"object of passages refused: {r.err}")
    b = report(c, "--records", "@values.qa", "--field", "q", "--field", "^passage", p)["benchmarks"][0]
    check(b["examples"] == 3, f"@values.qa: {b}")
    # JSONL with --records: each line's records
    p = jsonl(c, "multirc.jsonl", [{"passage": {"text": "t1", "questions": [
        {"question": "qa", "answers": [{"text": "a"}]}, {"question": "qb", "answers": [{"text": "b"}]}]}},
        {"passage": {"text": "t2", "questions": [{"question": "qc", "answers": [{"text": "c"}]}]}}])
    r = probe(c, p)
    check(r.rc == 2 and "--records passage.questions" in r.err, f"MultiRC-like: {r.err}")
    b = report(c, "--records", "passage.questions", "--field", "question", "--field",
               "answers.text", "--field", "^text", p)["benchmarks"][0]
    check(b["examples"] == 3 and b["missing_fields"]["^text"] == 0, f"jsonl records: {b}")


@S.test
def object_keys(c):
    recs = [{"question": "which one", "mc1_targets": {"choice alpha": 1, "choice beta": 0}}]
    p = write(c, "mc.json", json.dumps(recs))
    out = os.path.join(c.tmp, "mc.out.json")
    probe(c, "--field", "question", "--field", "mc1_targets.@keys", "-q", "-o", out, p).expect(0)
    ex = json.load(open(out))["examples"][0]
    check(ex["tokens"] == 6, f"question + both keys: {ex['tokens']}")
    r = probe(c, "--field", "mc1_targets", p)
    check(r.rc == 2, "values are numbers: nothing selected without @keys")
    if have_shared():
        real = os.path.join(BENCH, "truthfulqa", "mc_task.json")
        d = json.load(open(real))
        b = report(c, "--field", "question", "--field", "mc1_targets.@keys", real)["benchmarks"][0]
        check(b["examples"] == len(d) and b["missing_fields"]["mc1_targets.@keys"] == 0,
              f"TruthfulQA mc_task: {b['examples']} of {len(d)}, {b['missing_fields']}")


HS_ARGS = ["--lines-per-record", "6", "--field", "0", "--field", "2", "--field", "3",
           "--field", "4", "--field", "5", "--id-field", "1"]


@S.test
def lines_per_record(c):
    text = "".join(f"Label {i}: context {i}\n{i % 4}\nend a\nend b\nend c\nend d\n" for i in range(5))
    p = write(c, "hs.txt", text)
    out = os.path.join(c.tmp, "hs.json")
    probe(c, *HS_ARGS, "-q", "-o", out, p).expect(0)
    rep = json.load(open(out))
    check(rep["benchmarks"][0]["examples"] == 5, "5 records of 6 lines")
    check([e["id"] for e in rep["examples"]] == ["0", "1", "2", "3", "0"], "ids from line 1")
    check([e["line"] for e in rep["examples"]] == [1, 7, 13, 19, 25], "first lines")
    # "Label 0: context 0" is 4 tokens, the four endings 8; line 1 is the id
    # (each value is scored on its own: the 2-token endings are read but
    # too short to score)
    e0 = rep["examples"][0]
    check(e0["tokens"] + e0["unscored_tokens"] == 4 + 8, f"tokens {e0}")
    p2 = write(c, "hs_short.txt", text + "one more\n")
    r = probe(c, *HS_ARGS, p2)
    check(r.rc == 2 and "ends inside" in r.err and ":31:" in r.err, f"incomplete record: {r.err}")
    r = probe(c, "--lines-per-record", "6", "--field", "6", p)
    check(r.rc in (1, 2) and "0..5" in r.err, f"line out of range: {r.err}")
    if not have_shared():
        return
    real = os.path.join(BENCH, "hellaswag", "hellaswag_val_full.txt.bz2")
    plain = os.path.join(c.tmp, "hellaswag_val_full.txt")
    with open(plain, "wb") as f:
        f.write(bz2.decompress(open(real, "rb").read()))
    b = report(c, *HS_ARGS, plain)["benchmarks"][0]
    check(b["examples"] == 10042, f"HellaSwag: {b['examples']}")


@S.test
def hellaswag_bz2(c):
    """The real .bz2, read directly: 10,042 records of 6 lines."""
    if not have_shared():
        return "skip"
    probe_file = os.path.join(c.tmp, "cap.txt.bz2")
    with open(probe_file, "wb") as f:
        f.write(bz2.compress(b"a b c\nd e f\n"))
    r = probe(c, "-q", probe_file)
    check(r.rc == 0 and json.loads(r.out)["benchmarks"][0]["examples"] == 2, r.err[-300:])
    real = os.path.join(BENCH, "hellaswag", "hellaswag_val_full.txt.bz2")
    b = report(c, *HS_ARGS, real)["benchmarks"][0]
    check(b["examples"] == 10042, f"HellaSwag .bz2: {b['examples']}")


# ---------------------------------------------------------------- item 7


@S.test
def scan_glob_never_becomes_corpus(c):
    d = os.path.join(c.tmp, "cm")
    for i in range(3):
        write(c, f"cm/s{i}.csv", f"Question,Answer\nsubject {i} question words here,A\n")
    files = sorted(os.path.join(d, n) for n in os.listdir(d))
    r = contam("scan", "-q", "--bench", *files, c.corpus)
    check(r.rc == 1 and "looks like a benchmark" in r.err and "--bench" in r.err,
          f"glob after --bench: {r.rc} {r.err}")
    # a jsonl glob: siblings with the same extension
    for i in range(2):
        jsonl(c, f"gj/t{i}.jsonl", [{"text": f"bench {i} text"}])
    gj = sorted(os.path.join(c.tmp, "gj", n) for n in os.listdir(os.path.join(c.tmp, "gj")))
    r = contam("scan", "-q", "--bench", *gj, c.corpus)
    check(r.rc == 1 and "beside a --bench file" in r.err, f"jsonl glob: {r.rc} {r.err}")
    # */test.jsonl: the same file name in other directories
    t1 = jsonl(c, "g1/test.jsonl", [{"text": "one"}])
    t2 = jsonl(c, "g2/test.jsonl", [{"text": "two"}])
    r = contam("scan", "-q", "--bench", t1, t2, c.corpus)
    check(r.rc == 1 and "looks like a benchmark" in r.err, f"*/test.jsonl glob: {r.rc} {r.err}")
    # after "--" they are corpus on purpose
    rep = os.path.join(c.tmp, "gj.json")
    contam("scan", "-q", "--bench", gj[0], "--report", rep, "-o", os.devnull, "--", gj[1],
           c.corpus).expect(0)
    # the directory: every file its own benchmark
    rep = os.path.join(c.tmp, "cm.json")
    contam("scan", "-q", "--bench", d, "--report", rep, "-o", os.devnull, c.corpus).expect(0)
    names = [b["name"] for b in json.load(open(rep))["benchmarks"]]
    check(names == ["cm/s0", "cm/s1", "cm/s2"], f"names: {names}")
    # repeated --bench works as before
    contam("scan", "-q", "--bench", files[0], "--bench", files[1], "-o", os.devnull,
           c.corpus).expect(0)
    r = contam("scan", "-q", "--bench", files[0], "--max-record", "10", c.corpus)
    check(r.rc == 1 and "max-record" in r.err, f"--max-record 10: {r.rc}")
    contam("scan", "-q", "--bench", files[0], "--max-record", "1K", "-o", os.devnull,
           c.corpus).expect(0)
    if have_shared():
        cm = os.path.join(BENCH, "cmmlu", "test")
        real = sorted(os.path.join(cm, n) for n in os.listdir(cm))
        r = contam("scan", "-q", "--bench", *real, c.corpus)
        check(r.rc == 1 and "looks like a benchmark" in r.err, f"CMMLU glob: {r.rc}")


@S.test
def probe_directories(c):
    write(c, "bd/README.md", "# about\n")
    jsonl(c, "bd/gsm/test.jsonl", [{"question": "q one"}])
    jsonl(c, "bd/math/test.jsonl", [{"question": "q two"}, {"question": "q three"}])
    write(c, "bd/x.csv", "question\nq four\n")
    r = probe(c, "-o", os.path.join(c.tmp, "bd.json"), os.path.join(c.tmp, "bd")).expect(0)
    rep = json.load(open(os.path.join(c.tmp, "bd.json")))
    got = [(b["name"], b["examples"]) for b in rep["benchmarks"]]
    check(got == [("bd/gsm/test", 1), ("bd/math/test", 2), ("bd/x", 1)], f"walk: {got}")
    check("README.md" in r.err and "skipped" in r.err, f"skipped file named: {r.err}")


@S.test
def same_name_and_same_file(c):
    a = jsonl(c, "m1/test/algebra_test.jsonl", [{"q": "one"}] * 3)
    b = jsonl(c, "m2/test/algebra_test.jsonl", [{"q": "two"}] * 2)
    got = [(x["name"], x["examples"]) for x in report(c, a, b)["benchmarks"]]
    check(got == [("m1/test/algebra_test", 3), ("m2/test/algebra_test", 2)], f"unique: {got}")
    r = probe(c, a, os.path.join(c.tmp, "m2", "..", "m1", "test", "algebra_test.jsonl"))
    check(r.rc == 1 and "same file" in r.err, f"same file twice: {r.rc} {r.err}")
    r = probe(c, os.path.join(c.tmp, "m1"), a)
    check(r.rc == 1 and "same file" in r.err, f"file and its directory: {r.rc}")
    got = [(x["name"], x["examples"]) for x in report(c, "--name", "alg", a, b)["benchmarks"]]
    check(got == [("alg", 5)], f"--name merges on purpose: {got}")
    if have_shared():
        m = os.path.join(BENCH, "mmlu")
        x = report(c, "--no-header", os.path.join(m, "data", "test", "abstract_algebra_test.csv"),
                   os.path.join(m, "hendrycks_git_prerelease_2020-09-08", "test",
                                "abstract_algebra_test.csv"))["benchmarks"]
        check([b["examples"] for b in x] == [100, 100], f"two MMLU copies: {x}")


@S.test
def write_clean_never_overwrites_an_input(c):
    d = os.path.join(c.tmp, "wc")
    x = jsonl(c, "wc/x.jsonl", [{"text": PL}, {"text": "unrelated words never in the corpus at all"}])
    y = jsonl(c, "wc/x.clean.jsonl", [{"text": f"precious benchmark record {i}"} for i in range(3)])
    before = open(y).read()
    r = probe(c, "-q", x, y, "--write-clean", d, "-o", os.path.join(c.tmp, "wc.json"))
    check(r.rc in (1, 2) and "x.clean.jsonl" in r.err and "input" in r.err, f"refused: {r.rc} {r.err}")
    check(open(y).read() == before, "the input is intact")
    check(not os.path.exists(os.path.join(c.tmp, "wc.json")), "no report")
    check(sorted(os.listdir(d)) == ["x.clean.jsonl", "x.jsonl"], f"nothing written: {os.listdir(d)}")
    out = os.path.join(c.tmp, "wc_out")
    probe(c, "-q", x, y, "--write-clean", out, "-o", os.devnull).expect(0)
    check(sorted(os.listdir(out)) == ["x.clean.clean.jsonl", "x.clean.flagged.jsonl",
                                      "x.clean.flagged.jsonl.ids.json",
                                      "x.clean.jsonl", "x.flagged.jsonl",
                                      "x.flagged.jsonl.ids.json"], f"{os.listdir(out)}")


# ------------------------------------------- contam report: memory, messages


def run_rss(args):
    """(exit status, stderr, peak RSS in bytes) of one contam run, started
    from a small Python process: a child forked from this one would count
    this process's pages (the report parsed here) in its peak."""
    from clitest import BIN
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
            "sys.stderr.buffer.write(p.stderr)\n"
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    p = subprocess.run([sys.executable, "-c", code, BIN] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    rc, kb = p.stdout.split()
    return int(rc), p.stderr.decode("utf-8", "replace"), int(kb) * 1024


@S.test
def report_memory_and_messages(c):
    """contam report needed ~10x its input (a jansson tree of every
    example); now the examples are skipped unless the HTML shows them."""
    # a real report of 8,000 examples, then a 20 MB field in one of them
    bench = write(c, "many.txt", "".join(f"line {i} {PL}\n" for i in range(8000)))
    rep = os.path.join(c.tmp, "many.json")
    # every line holds the same text: without --no-templates it would all
    # be the file's own template, and nothing would be flagged
    probe(c, "-q", "--no-templates", "-o", rep, bench).expect(0)
    doc = json.load(open(rep))
    doc["examples"][5]["id"] = "x" * (20 << 20)
    big = os.path.join(c.tmp, "big.json")
    with open(big, "w") as f:
        json.dump(doc, f)
    size = os.path.getsize(big)
    for fmt in ("md", "csv", "html"):
        out = os.path.join(c.tmp, "big." + fmt)
        rc, err, rss = run_rss(["report", big, "--format", fmt, "-o", out])
        check(rc == 0, f"report {fmt}: {rc} {err}")
        # the file is mapped (its pages count); md/csv parse no example,
        # html parses and prints the flagged ones it shows (the big field
        # is in one of them)
        limit = (size if fmt != "html" else size * 5 // 2) + (30 << 20)
        # (under AddressSanitizer shadow memory makes the bound meaningless)
        check(rss < limit or os.environ.get("ASAN_OPTIONS"), f"report {fmt}: peak RSS {rss >> 20} MiB for a "
              f"{size >> 20} MiB report")
    html = open(os.path.join(c.tmp, "big.html")).read()
    flagged = sum(1 for e in doc["examples"] if e.get("evidence"))
    check(flagged > 200 and f"200 of {flagged} flagged examples shown" in html,
          f"evidence count with the rest skipped ({flagged})")
    # a damaged report: the message names the file and the line
    with open(big, "rb") as f:
        data = f.read()
    cut = os.path.join(c.tmp, "cut.json")
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 2])
    r = contam("report", cut, "--format", "md")
    check(r.rc == 2 and "cut.json" in r.err and "line" in r.err, f"truncated: {r.rc} {r.err}")
    bad = os.path.join(c.tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"report_version": 1,\n "benchmarks": [{"name": tru}]}')
    r = contam("report", bad, "--format", "md")
    check(r.rc == 2 and "bad.json" in r.err and "line 2" in r.err, f"bad value: {r.rc} {r.err}")


# ------------------------------------------------- the expected-counts table


def nonblank_lines(data):
    return sum(1 for line in data.decode("utf-8", "replace").split("\n") if line.strip())


def csv_rows(data, delim=",", header=True):
    text = data.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)
            if any(f.strip() for f in r) or (r and len(r) > 1)]
    return len(rows) - (1 if header else 0)


def json_records(data):
    try:
        doc = json.loads(data)
    except ValueError:
        return nonblank_lines(data)  # JSON lines in a .json file
    if isinstance(doc, list):
        return len(doc)
    for v in doc.values():
        if isinstance(v, list) and v:
            return len(v)
    raise ValueError("no array of records")


def squad_questions(data):
    doc = json.loads(data)
    return sum(len(p["qas"]) for a in doc["data"] for p in a["paragraphs"])


def c3_questions(data):
    return sum(len(item[1]) for item in json.loads(data))


def multirc_questions(data):
    return sum(len(json.loads(line)["passage"]["questions"])
               for line in data.decode().split("\n") if line.strip())


def unzip_member(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    (name,) = z.namelist()
    return z.read(name)


# (pattern under benchmarks/, contam options, how Python counts the
# records, a kind the build may not read yet).  The first match wins.
RULES = [
    ("squad/dev-v1.1.json.zip", ["--records", "data.paragraphs.qas", "--field", "question",
                                 "--field", "^context"],
     lambda d: squad_questions(unzip_member(d)), "zip"),
    ("hellaswag/*.txt.bz2", HS_ARGS, lambda d: nonblank_lines(bz2.decompress(d)) // 6, "bz2"),
    ("humaneval/*.jsonl.gz", [], lambda d: nonblank_lines(gzip.decompress(d)), None),
    ("jglue/jsquad-*.json", ["--records", "data.paragraphs.qas", "--field", "question",
                             "--field", "^context"], squad_questions, None),
    ("c3/*.json", ["--records", "*.1", "--field", "question", "--field", "choice",
                   "--field", "^0"], c3_questions, None),
    ("superglue/MultiRC_val.jsonl", ["--records", "passage.questions", "--field", "question",
                                     "--field", "answers.text", "--field", "^text"],
     multirc_questions, None),
    ("truthfulqa/mc_task.json", ["--field", "question", "--field", "mc1_targets.@keys",
                                 "--field", "mc2_targets.@keys"], json_records, None),
    ("mmlu/*.csv", ["--no-header"], lambda d: csv_rows(d, header=False), None),
    ("*.csv", [], csv_rows, None),
    ("*.tsv", [], lambda d: csv_rows(d, "\t"), None),
    ("*.jsonl", [], nonblank_lines, None),
    ("*.json", [], json_records, None),
    ("*", [], nonblank_lines, None),  # .txt, .md, .lst: one example per line
]

# Counts known from the datasets' papers and cards: the Python counter is
# checked against them.
KNOWN = {"gsm8k/test.jsonl": 1319, "squad/dev-v1.1.json.zip": 10570,
         "hellaswag/hellaswag_val_full.txt.bz2": 10042, "humaneval/HumanEval.jsonl.gz": 164,
         "boolq/superglue_BoolQ_val.jsonl": 3270,
         "arc/ARC-Challenge-Test.jsonl": 1172, "piqa/dev.jsonl": 1838}


def rule_for(rel):
    for pat, opts, count, kind in RULES:
        if fnmatch.fnmatch(rel, pat):
            return opts, count, kind
    raise AssertionError(rel)


@S.test
def expected_counts_table(c):
    if not have_shared():
        return "skip"
    files = []
    for root, dirs, names in os.walk(BENCH):
        dirs.sort()
        for n in sorted(names):
            files.append(os.path.relpath(os.path.join(root, n), BENCH))
    check(len(files) > 100, f"benchmarks found: {len(files)}")
    groups, problems = {}, []
    expected = {}
    for rel in files:
        opts, count, kind = rule_for(rel)
        with open(os.path.join(BENCH, rel), "rb") as f:
            expected[rel] = count(f.read())
        if rel in KNOWN:
            check(expected[rel] == KNOWN[rel], f"python count of {rel}: {expected[rel]}, "
                  f"known {KNOWN[rel]}")
        groups.setdefault((tuple(opts), kind), []).append(rel)
    checked = 0
    for (opts, kind), rels in sorted(groups.items(), key=lambda g: (g[0][1] or "", g[0][0])):
        # compressed and zipped files go one by one (a wrong read shows
        # by name)
        batches = [rels] if kind is None else [[r] for r in rels]
        for batch in batches:
            r = contam("probe", c.ix, "-q", *opts, *[os.path.join(BENCH, x) for x in batch],
                       timeout=300)
            if r.rc != 0:
                problems.append(f"{batch[:3]}: exit {r.rc}: {r.err.strip()[:300]}")
                continue
            rep = r.json()
            got = {}
            for b in rep["benchmarks"]:
                for s in b["sources"]:
                    got[os.path.relpath(s, BENCH)] = b["examples"]
            for rel in batch:
                checked += 1
                if got.get(rel) != expected[rel]:
                    problems.append(f"{rel}: contam read {got.get(rel)} examples, "
                                    f"python counts {expected[rel]} (options {list(opts)})")
    check(not problems, f"{len(problems)} file(s) wrong:\n  " + "\n  ".join(problems[:20]))
    S.note(f"{checked} benchmark files read with the expected number of examples")


if __name__ == "__main__":
    sys.exit(S.run(setup))
