#!/usr/bin/env python3
"""test_suite.py -- probe --suite and --fail-above.

  shipped_suites    every entry of suites/shared-data.json and
                    llmfoundry.json resolves and probes on
                    ../shared/data/benchmarks (every directory covered): exit 0,
                    examples > 0 per entry, the fields it names reported,
                    and "suite" holds the file's path and sha256 (skipped
                    when ../shared/data is absent)
  same_as_single    a generated suite of 3 differently shaped benchmarks
                    (JSONL with nested records, CSV without header, a
                    question/answer split) gives per benchmark what three
                    single probe runs give
  original_layout   suites/original.json on the shared files laid out as
                    released (symlinks), minus hellaswag (not there)
  hf_layout         suites/hf.json on ../shared/data/parquet: the Parquet
                    splits give the verdicts of the JSONL test split
  confirm           --suite --confirm: per benchmark, the entry's single
                    --confirm run's counts and examples
  partitions        a partition set and a streamed index give the whole
                    index's report
  write_clean       --write-clean DIR: DIR/ENTRY holds what the entry's
                    single run writes, byte for byte
  missing_entry     an entry whose glob matches nothing: exit 2 naming it
  only_entries      --only NAME,...: those entries alone; an unknown name is
                    exit 1 listing the suite's entries
  suite_and_field   --suite with --field: exit 1
  fail_above        exit 3 above the rate (report still written), 0 at or
                    below, "5%" as 0.05, 2 on an input error even with it;
                    with --confirm, on the confirmed rates

Ends with "N passed, N failed".
"""
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_suite")
rng = random.Random(1515)
VOCAB = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(3000)]


def words(n):
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def setup(tmp):
    d = os.path.join(tmp, "bench")
    os.makedirs(os.path.join(d, "nested"))
    os.makedirs(os.path.join(d, "csv"))
    os.makedirs(os.path.join(d, "qa"))
    copied = []
    with open(os.path.join(d, "nested", "data.jsonl"), "w") as f:
        for i in range(6):
            qs = [{"q": words(20), "id": f"n{i}-{j}"} for j in range(3)]
            copied.append(qs[0]["q"])
            f.write(json.dumps({"ctx": words(15), "items": qs}) + "\n")
    with open(os.path.join(d, "csv", "test.csv"), "w") as f:
        for i in range(8):
            a, b = words(18), words(5)
            if i < 3:
                copied.append(a)
            f.write(f"{a},{b},x{i}\n")
    with open(os.path.join(d, "qa", "test.jsonl"), "w") as f:
        for i in range(10):
            q, a = words(16), words(14)
            if i < 4:
                copied.append(q + " " + a)
            elif i < 6:
                copied.append(q)
            f.write(json.dumps({"question": q, "answer": a}) + "\n")
    with open(os.path.join(d, "qa", "validation.jsonl"), "w") as f:
        f.write(json.dumps({"question": words(16), "answer": words(14)}) + "\n")
    os.makedirs(os.path.join(tmp, "corpus"))
    with open(os.path.join(tmp, "corpus", "c.txt"), "w") as f:
        for t in copied:
            f.write(words(30) + " " + t + " " + words(30) + "\n")
    contam("index", "-q", "-o", os.path.join(tmp, "c.cidx"), os.path.join(tmp, "corpus")).expect(0)

    class Ctx:
        pass
    c = Ctx()
    c.tmp = tmp
    return c


def write_suite(path, entries):
    with open(path, "w") as f:
        json.dump({"benchmarks": entries}, f)


GEN = [
    {"name": "nested", "paths": ["nested/*.jsonl"], "records": "items",
     "fields": ["q"], "id_field": "id"},
    {"name": "csvnh", "paths": "csv/test.csv", "no_header": True, "fields": ["0", "1"]},
    {"name": "qa", "paths": {"test": "qa/test.jsonl", "validation": "qa/validation.jsonl"},
     "split": "test", "question_fields": ["question"], "answer_fields": ["answer"]},
]
SINGLE = {
    "nested": ["--records", "items", "--field", "q", "--id-field", "id", "bench/nested/data.jsonl"],
    "csvnh": ["--no-header", "--field", "0", "--field", "1", "bench/csv/test.csv"],
    "qa": ["--question-field", "question", "--answer-field", "answer", "bench/qa/test.jsonl"],
}
KEYS = ["examples", "contaminated", "partial", "clean", "too_short", "contaminated_rate",
        "definitions", "fields", "question_answer"]


@S.test
def same_as_single(c):
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", cwd=c.tmp)
    r.expect(0)
    rep = r.json()
    check([b["name"] for b in rep["benchmarks"]] == ["nested", "csvnh", "qa"],
          f"benchmarks: {[b['name'] for b in rep['benchmarks']]}")
    ex_suite = {}
    for e in rep["examples"]:
        ex_suite.setdefault(e["benchmark"], []).append(e)
    flagged = 0
    for b in rep["benchmarks"]:
        one = contam("probe", "c.cidx", "-q", "--name", b["name"], *SINGLE[b["name"]], cwd=c.tmp)
        one.expect(0)
        ob = one.json()["benchmarks"]
        check(len(ob) == 1, f"{b['name']}: single run has {len(ob)} benchmarks")
        for k in KEYS:
            if k == "question_answer" and k not in ob[0]:
                # a suite with a qa entry gives every benchmark the
                # object (n 0 where there is no split)
                check(b[k]["clean"]["n"] == 0, f"{b['name']}: {k}: {b[k]}")
                continue
            check(b.get(k) == ob[0].get(k), f"{b['name']}: {k}: suite {b.get(k)} single {ob[0].get(k)}")
        check(b["examples"] > 0, f"{b['name']}: no examples")
        flagged += b["contaminated"] + b["partial"]
        se = [{k: v for k, v in e.items()} for e in one.json()["examples"]]
        check(se == ex_suite[b["name"]], f"{b['name']}: examples differ from the single run")
    check(flagged > 0, "nothing found: the comparison would be of zeros")
    check(rep["benchmarks"][2]["examples"] == 10, "qa: the test split is taken")
    # the suite's digest
    sha = hashlib.sha256(open(os.path.join(c.tmp, "gen.json"), "rb").read()).hexdigest()
    check(rep["suite"] == {"path": "gen.json", "sha256": sha, "split": None}, f"suite: {rep.get('suite')}")
    single = contam("probe", "c.cidx", "-q", "bench/csv/test.csv", "--no-header", cwd=c.tmp)
    check("suite" not in single.json(), "a run without --suite has no suite field")
    # --split validation takes the other file
    r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--split", "validation", "bench", cwd=c.tmp)
    r.expect(0)
    check(r.json()["benchmarks"][2]["examples"] == 1, "--split validation: the validation file")
    # ... and the report says so: the suite's hash alone cannot tell the split
    check(r.json()["suite"]["split"] == "validation", f"suite: {r.json()['suite']}")
    with open(os.path.join(c.tmp, "val.json"), "w") as f:
        f.write(r.out)
    prov = contam("report", "--provenance", "val.json", cwd=c.tmp).expect(0).out
    check(f"suite sha256 {sha} --split validation" in prov, f"provenance: {prov[-400:]}")
    # relative to the suite file when no BENCH_DIR is given
    write_suite(os.path.join(c.tmp, "bench", "here.json"), GEN)
    r = contam("probe", "c.cidx", "-q", "--suite", "bench/here.json", cwd=c.tmp)
    r.expect(0)
    check([b["examples"] for b in r.json()["benchmarks"]] == [b["examples"] for b in rep["benchmarks"]],
          "paths next to the suite file")


@S.test
def confirm(c):
    """--suite --confirm: each file scanned as its entry reads it; per
    benchmark what the entry's single --confirm run gives."""
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", "--confirm", "corpus", cwd=c.tmp)
    r.expect(0)
    rep = r.json()
    check(rep.get("suite", {}).get("path") == "gen.json", f"suite: {rep.get('suite')}")
    got = {b["name"]: b for b in rep["benchmarks"]}
    check(sorted(got) == ["csvnh", "nested", "qa"], f"{sorted(got)}")
    confirmed = 0
    for name, args in SINGLE.items():
        one = contam("probe", "c.cidx", "-q", "--name", name, *args, "--confirm", "corpus", cwd=c.tmp)
        one.expect(0)
        ob = one.json()["benchmarks"][0]
        for k in KEYS:
            if k == "question_answer" and k not in ob:
                continue
            check(got[name].get(k) == ob.get(k), f"{name}: {k}: suite {got[name].get(k)} single {ob.get(k)}")
        confirmed += ob["contaminated"]
        ex = [e for e in rep["examples"] if e["benchmark"] == name]
        check(ex == one.json()["examples"], f"{name}: confirmed examples differ")
    check(confirmed > 0, "nothing confirmed")


@S.test
def partitions(c):
    """A partition set (and a streamed lone index) answers a suite as the
    whole index does: the recording pass reads each entry with its own
    layout, so no n-gram of a nested or qa entry is left unasked."""
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    want = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", cwd=c.tmp).expect(0).json()
    parts = []
    for i in range(3):
        parts.append(f"p{i}.cidx")
        contam("index", "-q", "--partition", f"{i}/3", "-o", parts[-1], "corpus", cwd=c.tmp).expect(0)
    got = contam("probe", ",".join(parts), "-q", "--suite", "gen.json", "bench", cwd=c.tmp).expect(0).json()
    strip = lambda r: (r["benchmarks"], r["examples"])  # noqa: E731
    check(strip(got) == strip(want), "a partition set answers the suite otherwise")
    got = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", cwd=c.tmp,
                 env={"CONTAM_PROBE_PARTS": "stream"}).expect(0).json()
    check(strip(got) == strip(want), "a streamed index answers the suite otherwise")


@S.test
def write_clean(c):
    """--write-clean DIR with a suite: each entry's subsets in DIR/ENTRY,
    byte for byte those of the entry's single run."""
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    out = os.path.join(c.tmp, "wc-suite")
    contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--write-clean", out, "bench",
           "-o", "wc.json", cwd=c.tmp).expect(0)
    check(sorted(os.listdir(out)) == ["csvnh", "nested", "qa"], f"{os.listdir(out)}")
    nfiles = 0
    for name, args in SINGLE.items():
        one = os.path.join(c.tmp, "wc-" + name)
        contam("probe", "c.cidx", "-q", "--name", name, *args, "--write-clean", one, cwd=c.tmp).expect(0)
        got, want = sorted(os.listdir(os.path.join(out, name))), sorted(os.listdir(one))
        check(got == want and got, f"{name}: {got} vs {want}")
        for f in want:
            nfiles += 1
            a = open(os.path.join(out, name, f), "rb").read()
            b = open(os.path.join(one, f), "rb").read()
            if f.endswith(".ids.json"):  # names its own directory
                a = a.replace(os.path.join(out, name).encode(), b"DIR")
                b = b.replace(one.encode(), b"DIR")
            check(a == b, f"{name}/{f} differs from the single run's")
    check(nfiles >= 9, f"{nfiles} files")
    # two entries whose directories meet: refused before writing
    write_suite(os.path.join(c.tmp, "meet.json"), [dict(GEN[0], name="a/b"), dict(GEN[0], name="a_b")])
    r = contam("probe", "c.cidx", "-q", "--suite", "meet.json", "--write-clean", "wc-meet", "bench", cwd=c.tmp)
    r.expect(1)
    check("'a/b'" in r.err and "'a_b'" in r.err, r.err)


@S.test
def missing_entry(c):
    write_suite(os.path.join(c.tmp, "miss.json"),
                GEN[:1] + [{"name": "ghost", "paths": ["nothere/*.jsonl"]}])
    r = contam("probe", "c.cidx", "-q", "--suite", "miss.json", "bench", cwd=c.tmp)
    r.expect(2)
    check("'ghost'" in r.err and "matches no file" in r.err and not r.out, f"stderr: {r.err}")
    os.makedirs(os.path.join(c.tmp, "locked"), exist_ok=True)
    p = os.path.join(c.tmp, "locked", "x.jsonl")
    with open(p, "w") as f:
        f.write('{"a": "b"}\n')
    os.chmod(p, 0)
    if not os.access(p, os.R_OK):  # not as root
        write_suite(os.path.join(c.tmp, "lock.json"), [{"name": "locked", "paths": ["locked/x.jsonl"]}])
        r = contam("probe", "c.cidx", "-q", "--suite", "lock.json", cwd=c.tmp)
        r.expect(2)
        check("'locked'" in r.err, f"stderr: {r.err}")
    os.chmod(p, 0o644)
    # a file that cannot be opened, as root too (a dangling symlink): the
    # entry and the file's path are named (the path was once printed from
    # freed memory)
    os.makedirs(os.path.join(c.tmp, "dangling"), exist_ok=True)
    link = os.path.join(c.tmp, "dangling", "gone.jsonl")
    if not os.path.lexists(link):
        os.symlink(os.path.join(c.tmp, "no-such-target.jsonl"), link)
    write_suite(os.path.join(c.tmp, "dang.json"), [{"name": "dang", "paths": ["dangling/*.jsonl"]}])
    r = contam("probe", "c.cidx", "-q", "--suite", "dang.json", cwd=c.tmp)
    r.expect(2)
    check("suite entry 'dang': cannot open './dangling/gone.jsonl': " in r.err and not r.out,
          f"stderr: {r.err!r}")
    write_suite(os.path.join(c.tmp, "typo.json"), [{"name": "t", "paths": "qa/test.jsonl", "feilds": ["q"]}])
    r = contam("probe", "c.cidx", "-q", "--suite", "typo.json", "bench", cwd=c.tmp)
    r.expect(2)
    check("'t'" in r.err and "feilds" in r.err, f"stderr: {r.err}")
    # malformed suites: exit 2, with the file (and entry) named
    for body, want in (("{", "gen"), ('{"benchmarks": []}', "benchmarks"), ('[1]', "benchmarks"),
                       ('{"benchmarks": [3]}', "#1"), ('{"benchmarks": [{"paths": "x"}]}', "#1"),
                       ('{"benchmarks": [{"name": "a", "paths": "qa/*.jsonl"}, {"name": "a", "paths": "qa/*.jsonl"}]}', "'a'"),
                       ('{"benchmarks": [{"name": "d", "paths": "qa"}]}', "directory"),
                       ('{"benchmarks": [{"name": "s", "paths": {"dev": "qa/test.jsonl"}}]}', "split 'test'"),
                       ('{"benchmarks": [{"name": "h", "paths": "qa/test.jsonl", "question_fields": ["question"]}]}', "'h'"),
                       ('{"benchmarks": [{"name": "n", "paths": "qa/test.jsonl", "no_header": 1}]}', "'n'"),
                       ('{"benchmarks": [{"name": "l", "paths": "qa/test.jsonl", "lines_per_record": 0}]}', "'l'"),
                       ('{"benchmarks": [{"name": "f", "paths": "qa/test.jsonl", "fields": "nope"}]}', "'f'")):
        with open(os.path.join(c.tmp, "gen-bad.json"), "w") as f:
            f.write(body)
        r = contam("probe", "c.cidx", "-q", "--suite", "gen-bad.json", "bench", cwd=c.tmp)
        r.expect(2)
        check(want in r.err and ("gen-bad.json" in r.err or "suite entry" in r.err) and not r.out,
              f"{body}: {r.err}")
    r = contam("probe", "c.cidx", "-q", "--suite", "nothere.json", "bench", cwd=c.tmp)
    r.expect(2)
    r = contam("probe", "c.cidx", "-q", "--suite", "gen-bad.json", "bench/qa/test.jsonl", cwd=c.tmp)
    r.expect(2)
    check("not a directory" in r.err, r.err)
    write_suite(os.path.join(c.tmp, "badf.json"), [{"name": "badf", "paths": "qa/test.jsonl", "fields": ["nope"]}])
    r = contam("probe", "c.cidx", "-q", "--suite", "badf.json", "bench", cwd=c.tmp)
    r.expect(2)
    check("'badf'" in r.err and "nope" in r.err, f"stderr: {r.err}")


@S.test
def only_entries(c):
    # --only keeps the named entries (their files alone are looked for:
    # the ghost entry's missing files are no error then); a name no entry
    # has is exit 1 naming it and listing the suite's entries
    write_suite(os.path.join(c.tmp, "only.json"),
                GEN + [{"name": "ghost", "paths": ["nothere/*.jsonl"]}])
    r = contam("probe", "c.cidx", "-q", "--suite", "only.json", "--only", "qa,nested", "bench", cwd=c.tmp)
    r.expect(0)
    names = [b["name"] for b in r.json()["benchmarks"]]
    check(names == ["nested", "qa"], f"benchmarks {names}")
    full = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", cwd=c.tmp)
    full.expect(0)
    want = {b["name"]: b["examples"] for b in full.json()["benchmarks"]}
    check(all(b["examples"] == want[b["name"]] for b in r.json()["benchmarks"]),
          "an entry probed alone gives its examples of the whole run")
    r = contam("probe", "c.cidx", "-q", "--suite", "only.json", "--only", "qa,nosuch", "bench", cwd=c.tmp)
    r.expect(1)
    check("'nosuch'" in r.err and "ghost" in r.err and "nested" in r.err and not r.out, f"stderr: {r.err}")
    contam("probe", "c.cidx", "-q", "--only", "qa", "bench/qa/test.jsonl", cwd=c.tmp).expect(1)


@S.test
def suite_and_field(c):
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    for extra in (["--field", "q"], ["--name", "x"], ["--no-header"], ["--records", "x"]):
        r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", *extra, "bench", cwd=c.tmp)
        r.expect(1)
        check("--suite" in r.err, f"{extra}: {r.err}")
    r = contam("probe", "c.cidx", "-q", "--split", "test", "bench/qa/test.jsonl", cwd=c.tmp)
    r.expect(1)
    # the report never replaces the suite or a file it names
    before = open(os.path.join(c.tmp, "bench", "qa", "test.jsonl"), "rb").read()
    for victim in ("gen.json", "bench/qa/test.jsonl"):
        r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "-o", victim, "bench", cwd=c.tmp)
        r.expect(1)
    check(open(os.path.join(c.tmp, "bench", "qa", "test.jsonl"), "rb").read() == before, "input replaced")
    json.load(open(os.path.join(c.tmp, "gen.json")))


@S.test
def fail_above(c):
    # the gate's exit status is in both helps
    h = " ".join(contam("probe", "--help").expect(0).out.split())
    check("--fail-above RATE exit 3" in h, "probe --help names exit 3")
    h = " ".join(contam("--help").expect(0).out.split())
    check("3 probe --fail-above" in h, f"contam --help names exit 3: {h[-200:]}")
    write_suite(os.path.join(c.tmp, "gen.json"), GEN)
    base = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "bench", cwd=c.tmp)
    base.expect(0)
    # exact rates from the counts (the report's rates are rounded)
    rates = {b["name"]: b["contaminated"] / b["examples"] for b in base.json()["benchmarks"]}
    top = max(rates.values())
    check(top > 0, f"rates {rates}")
    out = os.path.join(c.tmp, "gate.json")
    r = contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--fail-above", str(top / 2),
               "-o", out, "bench", cwd=c.tmp)
    r.expect(3)
    check(json.load(open(out)) == base.json(), "the report is written in full before exit 3")
    check("above --fail-above" in r.err, f"stderr: {r.err}")
    contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--fail-above", repr(top), "bench",
           cwd=c.tmp).expect(0)
    contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--fail-above", f"{top * 100 / 2}%", "bench",
           cwd=c.tmp).expect(3)
    contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--fail-above", "100%", "bench",
           cwd=c.tmp).expect(0)
    # gpt3: its own rate (count / examples), as the report's definitions
    g = {b["name"]: b["definitions"]["gpt3"]["contaminated"]["count"] / b["examples"]
         for b in base.json()["benchmarks"]}
    gt = max(g.values())
    contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--definition", "gpt3", "--fail-above",
           repr(gt), "bench", cwd=c.tmp).expect(0)
    if gt > 0:
        contam("probe", "c.cidx", "-q", "--suite", "gen.json", "--definition", "gpt3", "--fail-above",
               repr(gt * 0.99), "bench", cwd=c.tmp).expect(3)
    # single benchmark too
    contam("probe", "c.cidx", "-q", "--fail-above", "0", *SINGLE["csvnh"], cwd=c.tmp).expect(
        3 if rates["csvnh"] > 0 else 0)
    for bad in ("x", "-1", "150%", "1.5"):
        contam("probe", "c.cidx", "-q", "--fail-above", bad, "bench/qa/test.jsonl", cwd=c.tmp).expect(1)
    # with --confirm: the confirmed rates (the report's, after the exact scan)
    conf = os.path.join(c.tmp, "conf.json")
    contam("probe", "c.cidx", "-q", "-o", conf, *SINGLE["nested"], "--confirm", "corpus", cwd=c.tmp).expect(0)
    cb = json.load(open(conf))["benchmarks"][0]
    crate = cb["contaminated"] / cb["examples"]
    check(crate > 0, f"confirmed rate {crate}")
    r = contam("probe", "c.cidx", "-q", "-o", conf + "2", "--fail-above", repr(crate * 0.99),
               *SINGLE["nested"], "--confirm", "corpus", cwd=c.tmp)
    r.expect(3)
    a, b = open(conf).read().splitlines(), open(conf + "2").read().splitlines()
    diff = [x for x, y in zip(a, b) if x != y]
    check(len(a) == len(b) and all('"seconds"' in x for x in diff),
          f"confirmed report written in full (differs beyond its timing: {diff[:3]})")
    contam("probe", "c.cidx", "-q", "--fail-above", repr(crate), *SINGLE["nested"], "--confirm", "corpus",
           cwd=c.tmp).expect(0)
    # an input error stays 2
    contam("probe", "c.cidx", "-q", "--fail-above", "0", "bench/missing.jsonl", cwd=c.tmp).expect(2)
    write_suite(os.path.join(c.tmp, "miss.json"), [{"name": "ghost", "paths": "none.jsonl"}])
    contam("probe", "c.cidx", "-q", "--suite", "miss.json", "--fail-above", "0", "bench",
           cwd=c.tmp).expect(2)


# suites/original.json names the releases' own paths; ../shared/data holds
# the same files under other names (its SOURCES.md).  The test lays them out
# as released (symlinks) and probes the suite there.
ORIGINAL = {
    "grade_school_math/data/test.jsonl": "gsm8k/test.jsonl",
    "human-eval/data/HumanEval.jsonl.gz": "humaneval/HumanEval.jsonl.gz",
    "TruthfulQA/TruthfulQA.csv": "truthfulqa/TruthfulQA.csv",
    "data/test": "mmlu/data/test",
    "ARC-V1-Feb2018-2/ARC-Challenge/ARC-Challenge-Test.jsonl": "arc/ARC-Challenge-Test.jsonl",
    "ARC-V1-Feb2018-2/ARC-Easy/ARC-Easy-Test.jsonl": "arc/ARC-Easy-Test.jsonl",
    "winogrande_1.1/dev.jsonl": "winogrande/dev.jsonl",
    "physicaliqa-train-dev/dev.jsonl": "piqa/dev.jsonl",
    "lambada_test_plain_text.txt": "lambada/lambada_test_plain_text.txt",
    "dev-v1.1.json.zip": "squad/dev-v1.1.json.zip",
    "BIG-Bench-Hard/bbh": "bigbench_hard",
    "OpenBookQA-V1-Sep2018/Data/Main/test.tsv": "openbookqa/test.tsv",
    "mbpp/mbpp.jsonl": "mbpp/mbpp.jsonl",
    "ceval-exam/test": "ceval/test",
    "cmmlu/test": "cmmlu/test",
    "SciQ dataset-2 3/test.json": "sciq/test.json",
    "c3/data/c3-d-test.json": "c3/c3-d-test.json",
    "c3/data/c3-m-test.json": "c3/c3-m-test.json",
    "OCNLI/data/ocnli/dev.json": "ocnli/dev.json",
    "BoolQ/val.jsonl": "boolq/superglue_BoolQ_val.jsonl",
}
for t in ["CB", "COPA", "MultiRC", "RTE", "WiC", "WSC"]:
    ORIGINAL[t + "/val.jsonl"] = f"superglue/{t}_val.jsonl"
UNTESTED = {"hellaswag"}  # its original jsonl is not in ../shared/data


def check_report(name, path, rep, entries):
    got = {b["name"]: b for b in rep["benchmarks"]}
    check(rep["suite"]["sha256"] == hashlib.sha256(open(path, "rb").read()).hexdigest(), "sha256")
    for e in entries:
        b = got.get(e["name"])
        check(b is not None, f"{name}: entry {e['name']} not in the report")
        check(b["examples"] > 0, f"{name}: {e['name']}: no examples")
        named = e.get("fields", []) + e.get("question_fields", []) + e.get("answer_fields", [])
        reported = b.get("fields")
        check(isinstance(reported, list), f"{name}: {e['name']}: fields {reported}")
        check(all(f in reported for f in named), f"{name}: {e['name']}: fields {reported} lack {named}")
    check(len(got) == len(entries), f"{name}: {len(got)} benchmarks for {len(entries)} entries")
    S.note(f"{name}: {len(entries)} entries, {sum(b['examples'] for b in got.values())} examples")


@S.test
def original_layout(c):
    bdir = os.path.join(SHARED, "benchmarks")
    if not os.path.isdir(bdir):
        S.note(f"skipped: {bdir} absent")
        return "skip"
    rel = os.path.join(c.tmp, "releases")
    for dst, src in ORIGINAL.items():
        d = os.path.join(rel, dst)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        os.symlink(os.path.join(bdir, src), d)
    path = os.path.join(ROOT, "suites", "original.json")
    suite = json.load(open(path))
    entries = [e for e in suite["benchmarks"] if e["name"] not in UNTESTED]
    tested = os.path.join(c.tmp, "original-tested.json")
    with open(tested, "w") as f:
        json.dump({"benchmarks": entries}, f)
    contam("index", "-q", "-o", os.path.join(c.tmp, "td.cidx"), os.path.join(ROOT, "testdata", "corpus")).expect(0)
    r = contam("probe", "td.cidx", "-q", "--suite", tested, rel, cwd=c.tmp, timeout=300)
    r.expect(0)
    check_report("original.json", tested, r.json(), entries)
    # the untested entries at least resolve to "matches no file" here
    r = contam("probe", "td.cidx", "-q", "--suite", path, rel, cwd=c.tmp)
    r.expect(2)
    check("'hellaswag'" in r.err and "matches no file" in r.err, r.err)


@S.test
def hf_layout(c):
    hdir = os.path.join(SHARED, "parquet", "huggingface", "gsm8k")
    if not os.path.isdir(hdir):
        S.note(f"skipped: {hdir} absent")
        return "skip"
    # the Hugging Face Parquet split, read natively, gives the examples and
    # verdicts of the JSONL release of the same split
    # the other entries' datasets are not in ../shared/data: --only
    r = contam("probe", "c.cidx", "-q", "--suite", os.path.join(ROOT, "suites", "hf.json"),
               "--only", "gsm8k,gsm8k_socratic", hdir, cwd=c.tmp).expect(0).json()
    b = {x["name"]: x for x in r["benchmarks"]}
    check(b.get("gsm8k", {}).get("examples") == 1319, f"gsm8k from Parquet: {list(b)}")
    jl = os.path.join(SHARED, "benchmarks", "gsm8k", "test.jsonl")
    if os.path.exists(jl):
        j = contam("probe", "c.cidx", "-q", "--question-field", "question", "--answer-field",
                   "answer", jl, cwd=c.tmp).expect(0).json()
        pv = [e["verdict"] for e in r["examples"] if e["benchmark"] == "gsm8k"]
        jv = [e["verdict"] for e in j["examples"]]
        check(pv == jv, "Parquet and JSONL verdicts differ")


@S.test
def shipped_suites(c):
    bdir = os.path.join(SHARED, "benchmarks")
    if not os.path.isdir(bdir):
        S.note(f"skipped: {bdir} absent")
        return "skip"
    contam("index", "-q", "-o", os.path.join(c.tmp, "td.cidx"), os.path.join(ROOT, "testdata", "corpus")).expect(0)
    for name in ("shared-data.json", "llmfoundry.json"):
        path = os.path.join(ROOT, "suites", name)
        suite = json.load(open(path))
        r = contam("probe", "td.cidx", "-q", "--suite", path, bdir, cwd=c.tmp, timeout=300)
        r.expect(0)
        check_report(name, path, r.json(), suite["benchmarks"])
    # every directory of ../shared/data/benchmarks has an entry
    covered = set()
    for e in json.load(open(os.path.join(ROOT, "suites", "shared-data.json")))["benchmarks"]:
        ps = e["paths"].values() if isinstance(e["paths"], dict) else [e["paths"]]
        for p in ps:
            for g in ([p] if isinstance(p, str) else p):
                covered.add(g.split("/")[0])
    missing = sorted(set(os.listdir(bdir)) - covered)
    check(not missing, f"shared-data.json lacks {missing}")


sys.exit(S.run(setup))
