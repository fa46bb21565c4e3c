#!/usr/bin/env python3
"""test_trial_messages.py -- what a new user trying contam on real files
met, each said in words that name the file and what to do:

- a truncated gzip or zstd corpus says where the file ends (compressed
  byte N, inside the member/frame that starts at M), not only "offset 0"
- a WAT file (metadata records only) gives 0 documents and says it is
  metadata and to index the WET or WARC file (the whirlwind WAT of
  ../shared/data when present, a generated one always)
- a WARC record cut by damage is read up to the damage and says so
- probe --confirm with a corpus file changed since indexing says it
  changed (a size change, and a same-size change of content), exit 2
- a .csv corpus input and JSONL inside a .txt are read as text, with a
  note saying so
- an empty text file alone: "0 documents read (only 1 empty document,
  no text in it)"
- contam report refuses one report given twice (exit 1) and reads '-';
  probe reads a BENCH of '-'
- the exact scan's table footer gives scan figures, not a filter's fill
- --max-doc-freq on an index without counts is exit 1, as --near-dup on
  one without a minhash section
- an unknown option points at --help (exit 1) instead of printing it all;
  `contam report` names an index given as a report, and '-' twice; a
  report's "Not indexed" note is said once per index in a column
- `contam report --format conda` files a benchmark named law_val (or
  read from .../val/...) under the Development Split, not Test
- a --field or --text-field naming no Parquet column lists the leaf paths
  it could take ('messages.content', not 'messages'); real files of
  ../shared/data, skipped without them

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam, write  # noqa: E402

S = Suite("test_trial_messages")
PL = ("the quick brown fox jumps over the lazy dog while seven purple "
      "elephants dance quietly beneath the silver moon tonight")


def small_index(tmp, name, n=20):
    """A corpus of n generated records and its index: (corpus, index)."""
    corpus = write(os.path.join(tmp, name + ".jsonl"), jsonl(n))
    ix = os.path.join(tmp, name + ".cidx")
    contam("index", "-q", "-t", "1", "-o", ix, corpus).expect(0)
    return corpus, ix


def jsonl(n):
    return "".join(json.dumps({"text": f"record {i} {PL} and {i * 7} more"}) + "\n"
                   for i in range(n))


@S.test
def truncated_compression_says_where(tmp):
    whole = gzip.compress(jsonl(4000).encode())
    cut = write(os.path.join(tmp, "cut.jsonl.gz"), whole[: len(whole) // 2])
    r = contam("index", "-t", "1", "-o", os.path.join(tmp, "g.cidx"), cut)
    check(f"the file ends at compressed byte {len(whole) // 2}, inside the gzip member "
          "that starts at compressed offset 0" in r.err, f"gzip: {r.err[-500:]}")
    zstd = shutil.which("zstd")
    if zstd:
        z = subprocess.run([zstd, "-q", "-c"], input=jsonl(4000).encode(),
                           stdout=subprocess.PIPE, check=True).stdout
        zc = write(os.path.join(tmp, "cut.jsonl.zst"), z[: len(z) // 2])
        r = contam("index", "-t", "1", "-o", os.path.join(tmp, "z.cidx"), zc)
        check(f"the file ends at compressed byte {len(z) // 2}, inside the frame" in r.err,
              f"zstd: {r.err[-500:]}")


def warc_record(wtype, body, ctype, extra=""):
    body = body.encode() if isinstance(body, str) else body
    head = (f"WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:{wtype}>\r\n"
            f"{extra}Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body + b"\r\n\r\n"


@S.test
def wat_says_metadata(tmp):
    meta = json.dumps({"Envelope": {"WARC-Header-Metadata": {"WARC-Type": "response"}}})
    wat = write(os.path.join(tmp, "x.warc.wat.gz"), gzip.compress(
        warc_record("warcinfo", "software: test\r\n", "application/warc-fields")
        + b"".join(warc_record("metadata", meta, "application/json",
                               f"WARC-Target-URI: http://e.com/{i}\r\n") for i in range(3))))
    cands = [wat]
    real = os.path.join(SHARED, "corpus", "commoncrawl_whirlwind", "whirlwind.warc.wat.gz")
    if os.path.exists(real):
        cands.append(real)
    for f in cands:
        r = contam("index", "-t", "1", "-o", os.path.join(tmp, "w.cidx"), f).expect(2)
        check("0 documents read" in r.err and "none with text to read" in r.err
              and "metadata" in r.err and "index the WET file" in r.err, f"{f}: {r.err[-600:]}")
        check(not os.path.exists(os.path.join(tmp, "w.cidx")), "an index was written")


@S.test
def clipped_warc_record_says_so(tmp):
    html = "<html><body><p>" + " ".join([PL] * 400) + "</p></body></html>"
    http = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    rec = warc_record("response", http, "application/http; msgtype=response",
                      "WARC-Target-URI: http://e.com/\r\n")
    whole = gzip.compress(rec)
    f = write(os.path.join(tmp, "clip.warc.gz"), whole[: int(len(whole) * 0.9)])
    ix = os.path.join(tmp, "c.cidx")
    r = contam("index", "-t", "1", "-o", ix, f).expect(0)
    check("inside WARC record 0 (at offset 0), whose last" in r.err
          and "what came before them was read" in r.err, f"clipped: {r.err[-600:]}")
    e = contam("info", "--json", ix).expect(0).json()["inputs"][0]
    check(e["documents"] == 1 and e["problems"]["damaged"] == 1, f"entry {e}")


@S.test
def confirm_with_a_changed_file(tmp):
    corpus = write(os.path.join(tmp, "cc", "c.jsonl"), jsonl(50))
    bench = write(os.path.join(tmp, "b.jsonl"),
                  json.dumps({"q": f"record 3 {PL} and 21 more"}) + "\n")
    ix = os.path.join(tmp, "cc.cidx")
    contam("index", "-q", "-t", "1", "-o", ix, corpus).expect(0)
    rep = os.path.join(tmp, "r.json")
    contam("probe", "-q", "-o", rep, ix, bench, "--confirm", corpus).expect(0)
    with open(corpus, "a") as f:
        f.write(json.dumps({"text": "one more line"}) + "\n")
    r = contam("probe", "-q", "-o", rep, ix, bench, "--confirm", corpus).expect(2)
    check(f"'{corpus}' has changed since it was indexed" in r.err and " now)" in r.err,
          f"size change: {r.err[-500:]}")
    data = jsonl(50)
    write(corpus, data.replace("record 1 ", "RECORD 1 ", 1))
    r = contam("probe", "-q", "-o", rep, ix, bench, "--confirm", corpus).expect(2)
    check("has changed since it was indexed" in r.err and "other content" in r.err,
          f"same-size change: {r.err[-500:]}")


@S.test
def table_and_json_named_as_text(tmp):
    csv = write(os.path.join(tmp, "t.csv"), "q,a\n" + PL + ",yes\n")
    r = contam("index", "-t", "1", "-o", os.path.join(tmp, "t.cidx"), csv).expect(0)
    check(f"'{csv}' is a table (CSV/TSV), which contam reads as a benchmark" in r.err,
          f"csv: {r.err[-400:]}")
    txt = write(os.path.join(tmp, "j.txt"), jsonl(3))
    r = contam("index", "-t", "1", "-o", os.path.join(tmp, "j.cidx"), txt).expect(0)
    check(f"'{txt}' is named like plain text but its lines are JSON objects" in r.err,
          f"jsonl in txt: {r.err[-400:]}")
    plain = write(os.path.join(tmp, "p.txt"), PL + "\n")
    r = contam("index", "-t", "1", "-o", os.path.join(tmp, "p.cidx"), plain).expect(0)
    check("warning" not in r.err, f"plain text warned: {r.err[-400:]}")
    empty = write(os.path.join(tmp, "e", "empty.txt"), "")
    r = contam("index", "-t", "1", "-o", os.path.join(tmp, "e.cidx"), empty).expect(2)
    check(f"'{empty}': 0 documents read (only 1 empty document, no text in it)" in r.err,
          f"empty: {r.err[-400:]}")


@S.test
def stdin_and_twice(tmp):
    corpus, ix = small_index(tmp, "s")
    line = json.dumps({"q": f"record 3 {PL} and 21 more"}) + "\n"
    r = contam("probe", "-q", ix, "--field", "q", "-", input=line.encode()).expect(0)
    rep = r.json()
    check(rep["benchmarks"][0]["name"] == "stdin" and rep["benchmarks"][0]["contaminated"] == 1,
          f"probe of '-': {rep['benchmarks']}")
    p = write(os.path.join(tmp, "r.json"), r.out)
    r = contam("report", p, os.path.join(tmp, ".", "r.json")).expect(1)
    check("is given twice (as report 1 and 2)" in r.err, f"twice: {r.err[-300:]}")
    a = contam("report", p).expect(0).out
    b = contam("report", "-", input=open(p, "rb").read()).expect(0).out
    check(a == b and "| s.cidx |" in a, f"report of '-' differs:\n{a}\n{b}")


@S.test
def scan_footer_and_missing_sections(tmp):
    corpus = write(os.path.join(tmp, "c.jsonl"), jsonl(20))
    bench = write(os.path.join(tmp, "b.jsonl"), json.dumps({"q": f"record 3 {PL}"}) + "\n")
    r = contam("scan", "--bench", bench, "-o", os.path.join(tmp, "h.jsonl"), "--", corpus).expect(0)
    check("exact scan: 8-grams" in r.err and "no false positives" in r.err
          and "fill" not in r.err, f"scan footer: {r.err[-600:]}")
    ix = os.path.join(tmp, "c.cidx")
    contam("index", "-q", "-t", "1", "-o", ix, corpus).expect(0)
    r = contam("probe", "-q", "-o", os.path.join(tmp, "r.json"), ix, bench,
               "--max-doc-freq", "5").expect(1)
    check("has no document counts" in r.err, r.err[-300:])
    r = contam("probe", "-q", "-o", os.path.join(tmp, "r.json"), ix, bench,
               "--near-dup").expect(1)
    check("has no minhash section" in r.err, r.err[-300:])



@S.test
def report_and_option_messages(tmp):
    r = contam("probe", "x.cidx", "--bogus").expect(1)
    check("'contam probe --help' lists the options" in r.err and len(r.err.splitlines()) <= 3,
          f"unknown option: {r.err[-400:]}")
    corpus = write(os.path.join(tmp, "c.jsonl"), jsonl(10) + "{broken\n")
    ix = os.path.join(tmp, "c.cidx")
    contam("index", "-q", "-t", "1", "-o", ix, corpus).expect(0)
    r = contam("report", ix).expect(2)
    check(f"'{ix}' is a contam index, not a report" in r.err, f"index as report: {r.err[-300:]}")
    reps = []
    for i in range(2):
        b = write(os.path.join(tmp, f"b{i}.jsonl"), json.dumps({"q": f"record {i} {PL} and 1 more"}) + "\n")
        reps.append(write(os.path.join(tmp, f"r{i}.json"),
                          contam("probe", "-q", "--field", "q", ix, b).expect(0).out))
    md = contam("report", *reps).expect(0).out
    check(md.count("1 damaged_records") == 1, f"the note is repeated: {md[-400:]}")
    r = contam("report", "-", "-", input=open(reps[0], "rb").read()).expect(1)
    check("'-' (standard input) is given twice" in r.err, f"'-' twice: {r.err[-300:]}")
    # a benchmark directory's other files are named in the report too
    bd = os.path.join(tmp, "bdir")
    write(os.path.join(bd, "b.jsonl"), json.dumps({"q": f"record 1 {PL}"}) + "\n")
    write(os.path.join(bd, "README.md"), "about these files\n")
    rep = contam("probe", "-q", "--field", "q", ix, bd).expect(0).json()
    check(rep.get("bench_skipped") == [os.path.join(bd, "README.md")], f"bench_skipped {rep.get('bench_skipped')}")
    rep = contam("probe", "-q", "--field", "q", ix, os.path.join(bd, "b.jsonl")).expect(0).json()
    check("bench_skipped" not in rep, "bench_skipped without a skip")


@S.test
def conda_split_columns(tmp):
    corpus, ix = small_index(tmp, "c")
    line = json.dumps({"q": f"record 3 {PL} and 21 more"}) + "\n"
    reps = []
    for rel in ("law_val.jsonl", os.path.join("dev", "physics.jsonl"), "gsm8k_test.jsonl",
                "plain.jsonl", "x_train.jsonl"):
        b = write(os.path.join(tmp, "b", rel), line)
        reps.append(write(os.path.join(tmp, "r", rel.replace("/", "_") + ".json"),
                          contam("probe", "-q", "--field", "q", ix, b).expect(0).out))
    rows = contam("report", "--format", "conda", *reps).expect(0).out.splitlines()
    head = rows[0].split(";")
    col = {n: head.index(n) for n in ("Train Split", "Development Split", "Test Split")}
    got = {}
    for r in rows[1:]:
        cells = r.split(";")
        got[cells[0]] = [k for k, i in col.items() if cells[i]]
    want = {"law": ["Development Split"], "physics": ["Development Split"],
            "gsm8k": ["Test Split"], "plain": ["Test Split"], "x": ["Train Split"]}
    check(got == want, f"conda splits {got}")
    # a name's last part that is no split is the subset; a "train"
    # directory far up the source's path is not the split
    b = write(os.path.join(tmp, "train", "deep", "m", "mmlu.jsonl"), line)
    rep = write(os.path.join(tmp, "r", "sub.json"), contam(
        "probe", "-q", "--field", "q", "--name", "mmlu/anatomy", ix, b).expect(0).out)
    row = contam("report", "--format", "conda", rep).expect(0).out.splitlines()[1].split(";")
    check(row[0] == "mmlu" and row[1] == "anatomy" and row[col["Test Split"]], f"subset row {row}")


@S.test
def parquet_columns_are_leaf_paths(tmp):
    ifb = os.path.join(SHARED, "parquet", "huggingface", "ifbench", "test-00000-of-00001.parquet")
    ss = os.path.join(SHARED, "parquet", "hyparquet", "struct_strings.parquet")
    if not (os.path.exists(ifb) and os.path.exists(ss)):
        return "skip"  # ../shared/data absent
    r = contam("index", "-q", "--text-field", "nope", "-o", os.path.join(tmp, "s.cidx"), ss).expect(2)
    check("(columns: 'inner.str_field', 'inner.f64_field')" in r.err, f"struct: {r.err[-300:]}")
    ix = os.path.join(tmp, "i.cidx")
    contam("index", "-q", "--text-field", "messages.content", "-o", ix, ifb).expect(0)
    r = contam("probe", "-q", "-o", os.path.join(tmp, "r.json"), "--field", "messages.nope",
               ix, ifb).expect(2)
    check("'messages.role', 'messages.content'" in r.err and "'prompt'" in r.err
          and "more)" in r.err, f"list of structs: {r.err[-400:]}")


if __name__ == "__main__":
    sys.exit(S.run())
