#!/usr/bin/env python3
"""test_parquet_hyparquet.py -- a differential test of contam's Parquet
reader against hyparquet (pure JavaScript, npm), an independent reader.

For every file in ../shared/data/parquet that contam reads
(test_parquet_files.EXPECT_FAIL lists those it rejects), tests/cli/
parquet_dump.mjs dumps each row's strings with hyparquet, and
`contam cat --text-field '*'` prints the same row's string columns: every
string hyparquet gives must be one contam gives, and every string contam
gives must be one hyparquet gives (a string value or a map key).  Strings
with U+FFFD (invalid UTF-8, which the two print differently) and
timestamps (strings in hyparquet only) are left out.

hyparquet is installed by .ci/run (npm install --prefix /opt/contam-npm
hyparquet hyparquet-compressors); the test looks in $CONTAM_NPM_DIR, else
/opt/contam-npm, and skips cleanly without node, hyparquet or the data.

The same conversion is how the issue is checked: every file converted to
JSONL by hyparquet (parquet_to_jsonl.mjs) must give the same probe report
as the .parquet itself (same_report_as_jsonl_conversion).
"""
import json
import os
import re
import shutil
import subprocess
import sys

from clitest import HERE, SHARED, Suite, check, contam
from test_parquet_files import EXPECT_FAIL

S = Suite("test_parquet_hyparquet")
PQ = os.path.join(SHARED, "parquet")
NPM = os.environ.get("CONTAM_NPM_DIR") or "/opt/contam-npm"
DUMP = os.path.join(HERE, "parquet_dump.mjs")
CONVERT = os.path.join(HERE, "parquet_to_jsonl.mjs")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def usable():
    return (shutil.which("node") and os.path.isdir(PQ) and
            os.path.exists(os.path.join(NPM, "node_modules", "hyparquet", "package.json")))


def pieces(texts):
    out = []
    for t in texts:
        out.extend(t.split("\n"))
    return out


@S.test
def same_strings_as_hyparquet(c):
    if not usable():
        return "skip"
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    compared, unread, bad = [], [], []
    rels = []
    for d, _, names in os.walk(PQ):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(d, n), PQ)
            if n.endswith(".parquet") and rel not in EXPECT_FAIL:
                rels.append(rel)
    rels.sort()
    p = subprocess.run(["node", DUMP] + [os.path.join(PQ, r) for r in rels],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, env=env)
    check(p.returncode == 0, f"node: {p.stderr.decode()[-300:]}")
    hyp_all = {}
    for l in p.stdout.decode().split("\n"):
        if l.strip():
            h = json.loads(l)
            hyp_all.setdefault(os.path.relpath(h["file"], PQ), []).append(h)
    for rel in rels:
        path = os.path.join(PQ, rel)
        hyp = hyp_all.get(rel, [])
        if hyp and "error" in hyp[0]:
            unread.append(rel)
            continue
        r = contam("cat", "--text-field", "*", path, timeout=60)
        check(r.rc == 0, f"{rel}: {r.err}")
        got = {}
        for l in r.out.split("\n"):
            if l.strip():
                doc = json.loads(l)
                got[doc["record"]] = pieces([doc["text"]])
        check(max(got, default=-1) < len(hyp),
              f"{rel}: contam has rows past hyparquet's {len(hyp)}")
        for h in hyp:
            want = [s for s in pieces(h["strings"])
                    if "\ufffd" not in s and not ISO_TIME.match(s)]
            # TextDecoder drops a leading byte order mark; contam keeps bytes
            have = [s.lstrip("\ufeff") for s in got.get(h["row"], [])
                    if "\ufffd" not in s]
            want = [s.lstrip("\ufeff") for s in want]
            miss = [s for s in want if s not in have]
            extra = [s for s in have if s not in want and s not in h["keys"]
                     and not any(s in w for w in h["strings"])]
            if miss or extra:
                bad.append(f"{rel} row {h['row']}: hyparquet only {miss[:3]}, "
                           f"contam only {extra[:3]}")
                break
        compared.append(rel)
    S.note(f"{len(compared)} files equal to hyparquet's strings; "
           f"{len(unread)} hyparquet could not read: {', '.join(unread[:8])}")
    check(len(compared) >= 50, f"only {len(compared)} files compared")
    check(not bad, "\n".join(bad))


def plant_corpus(rows, path):
    """A corpus with some of the rows in it: every 6th whole, every 6th
    (from the 4th) the first half of its longest string, filler between."""
    def strs(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, list):
            for x in v:
                yield from strs(x)
        elif isinstance(v, dict):
            for x in v.values():
                yield from strs(x)
    with open(path, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            ss = list(strs(r))
            if i % 6 == 0 and ss:
                t = "Seen on a forum: " + " ".join(ss)
            elif i % 6 == 3 and ss:
                w = max(ss, key=len).split()
                t = "Half: " + " ".join(w[:max(1, len(w) // 2)])
            else:
                t = f"filler document {i} about rain and gardens in spring"
            f.write(json.dumps({"text": t}) + "\n")


def report(path):
    """Per-example and per-benchmark results without file names."""
    r = json.load(open(path))
    ex = [{k: v for k, v in e.items() if k not in ("source", "line", "benchmark")}
          for e in r["examples"]]
    bs = [{k: v for k, v in b.items() if k not in ("name", "sources")}
          for b in r["benchmarks"]]
    return ex, bs


# (file, probe options): --field paths into structs and lists, and several
CONVERSION_CASES = [
    ("huggingface/ifbench/test-00000-of-00001.parquet", ["--field", "messages"]),
    ("huggingface/ifbench/test-00000-of-00001.parquet", ["--field", "messages.content"]),
    ("huggingface/ifbench/test-00000-of-00001.parquet",
     ["--field", "prompt", "--field", "instruction_id_list"]),
    # a list of structs with number leaves: its strings only, as in JSON
    ("huggingface/ifbench/test-00000-of-00001.parquet", ["--field", "prompt", "--field", "kwargs"]),
    ("huggingface/gsm8k/main/test-00000-of-00001.parquet", ["--field", "answer"]),
    # integers and booleans named alone are text, as JSON numbers named
    # by a path are (PLAIN, dictionary, DELTA_BINARY_PACKED, v2 RLE)
    ("huggingface/ifbench/test-00000-of-00001.parquet", ["--id-field", "key"]),
    ("parquet-testing/alltypes_plain.parquet", ["--field", "id", "--field", "bool_col"]),
    ("parquet-testing/alltypes_dictionary.parquet", ["--field", "bigint_col"]),
    ("parquet-testing/alltypes_tiny_pages.parquet", ["--field", "smallint_col"]),
    ("parquet-testing/delta_encoding_optional_column.parquet", ["--field", "c_customer_sk"]),
    ("parquet-testing/datapage_v2.snappy.parquet", ["--field", "b", "--field", "d"]),
    ("hyparquet/struct_offset_index.parquet",
     ["--field", "messages.role", "--field", "messages.content"]),
    ("hyparquet/duckdb3734.parquet", ["--field", "principals.characters"]),
]


@S.test
def same_report_as_jsonl_conversion(c):
    """Every Parquet file contam reads, converted to JSONL by hyparquet:
    a corpus with some of its rows planted is indexed, and `contam probe`
    on the .parquet must give the same report, example by example, as on
    the JSONL (file names aside), or fail at the same record as it."""
    if not usable():
        return "skip"
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    rels = []
    for d, _, names in os.walk(PQ):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(d, n), PQ)
            if n.endswith(".parquet") and rel not in EXPECT_FAIL:
                rels.append(rel)
    rels.sort()
    conv = {rel: os.path.join(c, rel.replace("/", "_")[:-len(".parquet")] + ".jsonl")
            for rel in rels}
    args = []
    for rel in rels:
        args += [os.path.join(PQ, rel), conv[rel]]
    p = subprocess.run(["node", CONVERT] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600, env=env)
    check(p.returncode == 0, f"node: {p.stderr.decode()[-300:]}")
    cases = [(rel, []) for rel in rels] + CONVERSION_CASES
    same, both_fail, bad = 0, 0, []
    for k, (rel, opts) in enumerate(cases):
        jl = conv[rel]
        if not os.path.exists(jl):
            continue  # hyparquet could not read it (told by the other test)
        rows = [json.loads(l) for l in open(jl, encoding="utf-8")]
        work = os.path.join(c, f"case{k}")
        os.makedirs(work)
        corpus = os.path.join(work, "corpus.jsonl")
        plant_corpus(rows, corpus)
        idx = os.path.join(work, "c.cidx")
        contam("index", "-q", "-o", idx, corpus).expect(0)
        res = []
        for b in (os.path.join(PQ, rel), jl):
            out = os.path.join(work, os.path.basename(b) + ".json")
            r = contam("probe", idx, *opts, b, "-o", out, timeout=120)
            res.append((r, out))
        (ra, oa), (rb, ob) = res
        if ra.rc == 0 and rb.rc == 0:
            if report(oa) == report(ob):
                same += 1
            else:
                bad.append(f"{rel} {opts}: reports differ")
        elif ra.rc == 2 and rb.rc == 2:
            # the same record refused: "record N" in JSON, "record N" here
            m = re.search(r"record (\d+)", rb.err)
            if m and f"record {m.group(1)}" in ra.err and os.path.basename(rel) in ra.err:
                both_fail += 1
            elif m and m.group(1) == "0" and "no string column" in ra.err:
                both_fail += 1  # only map keys (object keys in JSON) are strings
            else:
                bad.append(f"{rel} {opts}: both fail, not alike: {ra.err.strip()[-200:]} / "
                           f"{rb.err.strip()[-200:]}")
        else:
            bad.append(f"{rel} {opts}: exit {ra.rc} on Parquet, {rb.rc} on JSONL: "
                       f"{ra.err.strip()[-200:]} / {rb.err.strip()[-200:]}")
    S.note(f"{same} cases give the same report as the JSONL conversion, "
           f"{both_fail} fail at the same record (a row with no text)")
    check(both_fail <= 25, f"{both_fail} cases fail: too few compared")
    check(same >= 50, f"only {same} reports compared")
    check(not bad, "\n".join(bad))


def writer_usable():
    return usable() and os.path.exists(
        os.path.join(NPM, "node_modules", "hyparquet-writer", "package.json"))


@S.test
def fineweb_style_shard(c):
    """A corpus shard laid out as FineWeb's (written by hyparquet-writer
    from the C4 sample: several row groups; SNAPPY, UNCOMPRESSED, and
    DELTA_LENGTH_BYTE_ARRAY text) and its JSONL conversion by hyparquet
    are the same corpus: the same documents, ids and URLs (contam cat),
    the same document and n-gram counts when indexed, and the same probe
    report of a benchmark made of some of the documents."""
    c4 = os.path.join(SHARED, "corpus", "c4", "c4_sample.jsonl.gz")
    if not writer_usable() or not os.path.exists(c4):
        return "skip"
    import gzip
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    src = os.path.join(c, "src.jsonl")
    bench = os.path.join(c, "bench.csv")
    with gzip.open(c4, "rt", encoding="utf-8") as f, open(src, "w", encoding="utf-8") as o, \
            open(bench, "w", encoding="utf-8", newline="") as b:
        b.write("question\n")
        for i, l in enumerate(f):
            r = json.loads(l)
            o.write(json.dumps({
                "text": r["text"], "id": f"<urn:uuid:{i:08d}>", "dump": "CC-MAIN-2019-18",
                "url": r.get("url"), "date": r.get("timestamp"),
                "file_path": "s3://commoncrawl/crawl-data/x.warc.gz", "language": "en",
                "language_score": 0.9 + (i % 10) / 100,
                "token_count": len(r["text"].split())}) + "\n")
            if i % 37 == 0:
                q = " ".join(r["text"].split()[:60]).replace('"', '""')
                b.write(f'"{q}"\n')
    write = os.path.join(HERE, "parquet_write_fineweb.mjs")

    def docs(path):
        r = contam("cat", path, timeout=120).expect(0)
        return [(d["record"], d["text"], d.get("id"), d.get("url"))
                for d in map(json.loads, r.out.splitlines())]

    for name, args in (("snappy", ["SNAPPY", "300"]), ("none", ["UNCOMPRESSED", "250"]),
                       ("dlba", ["SNAPPY", "400", "DELTA_LENGTH_BYTE_ARRAY"])):
        pq = os.path.join(c, f"{name}.parquet")
        jl = os.path.join(c, f"{name}.jsonl")
        p = subprocess.run(["node", write, src, pq] + args, stderr=subprocess.PIPE,
                           timeout=300, env=env)
        check(p.returncode == 0, f"hyparquet-writer: {p.stderr.decode()[-300:]}")
        p = subprocess.run(["node", CONVERT, pq, jl], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300, env=env)
        check(p.returncode == 0 and not p.stdout.strip(), f"hyparquet: {p.stdout[-300:]}")
        a, b = docs(pq), docs(jl)
        check(len(a) == 1000 and a == b, f"{name}: contam cat differs ({len(a)} / {len(b)} docs)")
        reps = []
        for f in (pq, jl):
            idx = f + ".cidx"
            r = contam("index", "-o", idx, f, timeout=120).expect(0)
            wrote = [l.split(":", 2)[2] for l in r.err.splitlines() if "wrote" in l]
            out = f + ".json"
            contam("probe", idx, bench, "-o", out).expect(0)
            reps.append((wrote, json.load(open(out))["examples"]))
        check(reps[0][0] and reps[0][0] == reps[1][0], f"{name}: index {reps[0][0]} / {reps[1][0]}")
        check(reps[0][1] == reps[1][1], f"{name}: the probe reports differ")
        check(sum(e["verdict"] == "contaminated" for e in reps[0][1]) >= 20,
              f"{name}: the planted documents are not found")


@S.test
def hyparquet_on_rejected_files(c):
    """What hyparquet does with the files contam rejects (a note, so that a
    reader that is stricter than hyparquet is visible, not a failure)."""
    if not usable():
        return "skip"
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    rels = [r for r in sorted(EXPECT_FAIL)
            if os.path.exists(os.path.join(PQ, r)) and "stress/" not in r]
    # stress/: hyparquet has no memory ceiling
    p = subprocess.run(["node", DUMP] + [os.path.join(PQ, r) for r in rels],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, env=env)
    errs = set()
    seen = set()
    for l in p.stdout.decode().split("\n"):
        if l.strip():
            h = json.loads(l)
            f = os.path.relpath(h["file"], PQ)
            seen.add(f)
            if "error" in h:
                errs.add(f)
    read = [r for r in rels if r in seen and r not in errs]
    S.note(f"hyparquet reads {len(read)} of the files contam rejects: {', '.join(read)}")
    check(len(read) < len(EXPECT_FAIL), "hyparquet reads every rejected file")


if __name__ == "__main__":
    sys.exit(S.run())
