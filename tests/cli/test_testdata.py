#!/usr/bin/env python3
"""test_testdata.py -- the committed tiny corpus and benchmark of testdata/
(testdata/README.md): what the README demo indexes and probes.

- testdata/ is what `scripts/gen_testdata.py --testdata` writes: the
  generator run again gives the same files (compressed ones compared
  decompressed: another zlib, bzip2 or zstd may compress the same bytes
  differently);
- every input format the readers take is there, and each file is read
  as its kind (WET, WARC with HTML responses, JSONL plain/.gz/.zst, text
  plain/.gz, tar.gz, zip, a MediaWiki dump, WikiExtractor <doc> blocks),
  with at least one document each;
- `index` of testdata/corpus and `probe` of testdata/bench (JSONL and
  CSV) give every example the verdict testdata/expected.json plants;
- `scan` finds every planted item in the file it was planted in.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import bz2
import gzip
import json
import os
import shutil
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, Suite, check, contam, load_generator  # noqa: E402

S = Suite("test_testdata")
TD = os.path.join(ROOT, "testdata")
CORPUS = os.path.join(TD, "corpus")
BENCH = os.path.join(TD, "bench")
PROBE = ["--name", "demo", "--field", "question", "--field", "answer", "--id-field", "id"]

# the kind the scan reports for each corpus file (hit records' "kind")
KINDS = {
    "web.warc.wet.gz": "warc", "crawl.warc.gz": "warc", "plain.jsonl": "jsonl",
    "shard.jsonl.gz": "jsonl", "shard.jsonl.zst": "jsonl", "essay.txt": "text",
    "essay.txt.gz": "text", "books.tar.gz": "archive", "pages.zip": "archive",
    "tinywiki-20240101-pages-articles.xml.bz2": "mediawiki",
    "wiki/AA/wiki_00": "wikiextractor",
}


def expected():
    with open(os.path.join(TD, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def files_under(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names]
    return sorted(out)


def content(path):
    """What a file holds, decompressed: another zlib (zlib-ng), bzip2 or
    zstd may compress the same bytes differently."""
    if path.endswith(".zst"):
        if not shutil.which("zstd"):
            return None
        return subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE,
                              check=True).stdout
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".bz2"):
        return bz2.decompress(data)
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            return [(i.filename, i.date_time, i.external_attr, z.read(i)) for i in z.infolist()]
    return data


@S.test
def test_regenerated_same_content(tmp):
    out = os.path.join(tmp, "regen")
    os.makedirs(out)
    load_generator().build_testdata(out)
    for sub in ("corpus", "bench"):
        mine, theirs = files_under(os.path.join(out, sub)), files_under(os.path.join(TD, sub))
        check(mine == theirs, f"{sub}: generated {mine}, committed {theirs}")
    for rel in ["expected.json"] + ["corpus/" + f for f in files_under(CORPUS)] + \
               ["bench/" + f for f in files_under(BENCH)]:
        a, b = os.path.join(out, rel), os.path.join(TD, rel)
        check(content(a) == content(b),
              f"{rel}: the regenerated file differs from the committed one "
              "(run scripts/gen_testdata.py --testdata and commit)")


@S.test
def test_tiny(tmp):
    for d in (CORPUS, BENCH):
        for rel in files_under(d):
            size = os.path.getsize(os.path.join(d, rel))
            check(0 < size <= 16 * 1024, f"{rel}: {size} bytes (testdata files stay a few KB)")


@S.test
def test_every_format_read_as_its_kind(tmp):
    check(sorted(KINDS) == files_under(CORPUS),
          f"testdata/corpus holds {files_under(CORPUS)}, this test knows {sorted(KINDS)}")
    hits = os.path.join(tmp, "hits.jsonl")
    rep = os.path.join(tmp, "scan.json")
    contam("scan", "-q", *PROBE, "--bench", os.path.join(BENCH, "demo.jsonl"), "-o", hits,
           "--report", rep, CORPUS).expect(0)
    with open(hits, encoding="utf-8") as f:
        recs = [json.loads(x) for x in f if x.strip()]
    seen = {}
    for r in recs:
        rel = os.path.relpath(r["file"], CORPUS)
        seen.setdefault(rel, set()).add(r["kind"])
    for rel, kind in KINDS.items():
        check(seen.get(rel) == {kind}, f"{rel}: scanned as {seen.get(rel)}, expected {kind!r}")
    # every document read, nothing damaged (--strict: the first damaged
    # record is fatal); the dump's redirect page is skipped by design
    idx = os.path.join(tmp, "t.cidx")
    r = contam("index", "--strict", "-o", idx, CORPUS).expect(0)
    docs = sum(expected()["documents"].values()) + 2  # + the tar's catalog.jsonl lines
    check(f"{docs} documents" in r.err, f"index: expected {docs} documents: {r.err}")
    check("1 redirect page(s)" in r.err, f"index: the redirect page: {r.err}")


@S.test
def test_probe_verdicts_as_planted(tmp):
    exp = expected()["expected"]
    idx = os.path.join(tmp, "t.cidx")
    contam("index", "-q", "-o", idx, CORPUS).expect(0)
    for bench in ("demo.jsonl", "demo.csv"):
        out = os.path.join(tmp, bench + ".json")
        contam("probe", "-q", idx, *PROBE, os.path.join(BENCH, bench), "-o", out).expect(0)
        with open(out, encoding="utf-8") as f:
            rep = json.load(f)
        got = {e["id"]: e["verdict"] for e in rep["examples"]}
        check(sorted(got) == sorted(exp), f"{bench}: examples {sorted(got)}")
        bad = {i: (got[i], exp[i]["expected"], exp[i]["mode"]) for i in exp
               if got[i] != exp[i]["expected"]}
        check(not bad, f"{bench}: verdicts not as planted: {bad}")
        b = rep["benchmarks"][0]
        want = {k: sum(1 for v in exp.values() if v["expected"] == k)
                for k in ("contaminated", "partial", "clean")}
        check({k: b[k] for k in want} == want, f"{bench}: counts {b}, expected {want}")
        check(want["contaminated"] and want["partial"] and want["clean"],
              f"every verdict class is planted: {want}")


@S.test
def test_scan_finds_each_plant_in_its_file(tmp):
    exp = expected()["expected"]
    hits = os.path.join(tmp, "hits.jsonl")
    contam("scan", "-q", *PROBE, "--bench", os.path.join(BENCH, "demo.jsonl"), "-o", hits,
           CORPUS).expect(0)
    found = {}
    with open(hits, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            for e in r["examples"]:
                found.setdefault(e["record"], set()).add(os.path.relpath(r["file"], CORPUS))
    for item, v in exp.items():
        rec = int(item.split("-")[1])
        if v["mode"] == "absent":
            check(rec not in found, f"{item} (not planted) found in {found.get(rec)}")
        else:
            check(v["file"] in found.get(rec, ()), f"{item} ({v['mode']}) planted in "
                  f"{v['file']}, found in {found.get(rec)}")


if __name__ == "__main__":
    sys.exit(S.run())
