#!/usr/bin/env python3
"""test_nothing_unread.py -- nothing read becomes nothing reported,
and the hostile-input review's cases of it, --threads 1024
and `-o -`.

- an input named on the command line that yields no documents: exit 2, the
  message names it and why, no index written; --allow-empty writes it
  (index, scan, contam-mpi when built)
- walks skip files of unknown kind and contam's own outputs (counted and
  listed at the end and in `info`), --include/--exclude, contam outputs
  named as input are refused
- every problem message is kept in the manifest (bounded per input, counts
  per kind) and shown by `info` and `info --json`; the end-of-run summary
  names each input with problems
- --resume: a changed file makes the checkpoint unusable, changed
  --ngram/--winnow/--memory are refused, an unreadable file is not "done"
- symlinked directories and spellings of one path are one input; --add
  sees the same identity
- a missing output directory fails before reading; `-o -` for the index is
  a usage error, for scan hits it is stdout; --threads 1024 is capped
- control bytes in names never reach the terminal raw; `info --json` is
  valid UTF-8
- per-input memory before reading stays well under 1 KB (r17)
- what the index did not read reaches the probe report (index.unread),
  its table, and every `contam report` format
- text in a legacy CJK encoding (Shift-JIS, GBK) is refused by index, scan
  and probe, where it was read as replacement characters and found clean
- Latin-1 text is read (its bytes cannot be told from damage), but every
  byte that is not UTF-8 is counted and said: per file at index and scan
  time, in `info`, in the probe report (index.unread.not_utf8_bytes) and
  its table ("misread:"), in the scan report, and for a Latin-1 benchmark
  file in its benchmark's entry; a UTF-8 copy says nothing

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import mpi_env, Suite, check, contam, write  # noqa: E402

S = Suite("test_nothing_unread")
MPI_BIN = os.environ.get("CONTAM_MPI_BIN", "")
MPIRUN = shutil.which("mpirun")
SMALL = ["--memory", "64K"]
PL = ("the quick brown fox jumps over the lazy dog while seven purple "
      "elephants dance quietly beneath the silver moon tonight")


def info(ix):
    return contam("info", "--json", ix).expect(0).json()


def entry(inf, suffix):
    es = [e for e in inf["inputs"] if e["path"].endswith(suffix)]
    check(len(es) == 1, f"{suffix}: {len(es)} entries in {[e['path'] for e in inf['inputs']]}")
    return es[0]


@S.test
def no_documents_is_an_error(tmp):
    d = os.path.join(tmp, "empty")
    arr = write(os.path.join(d, "nofield.jsonl"),
                "".join(json.dumps({"body": f"record {i} {PL}"}) + "\n" for i in range(1513)))
    good = write(os.path.join(d, "good.txt"), PL + "\n")
    out = os.path.join(d, "x.cidx")
    r = contam("index", *SMALL, "-o", out, arr, good).expect(2)
    check("'" + arr + "': 0 documents read (1513 records skipped" in r.err,
          f"the error does not name the file and why: {r.err[-600:]}")
    check("text" in r.err.split("0 documents read")[1], f"no reason given: {r.err[-400:]}")
    check(not os.path.exists(out), "an index was written although an input gave nothing")
    check(not [f for f in os.listdir(d) if f.startswith("x.cidx")], "files left behind")
    # the summary names the input with problems
    check("inputs with problems" in r.err and f"'{arr}': 0 documents" in r.err,
          f"the summary does not name the input: {r.err[-600:]}")
    r = contam("index", *SMALL, "--allow-empty", "-o", out, arr, good).expect(0)
    inf = info(out)
    e = entry(inf, "nofield.jsonl")
    check(e["documents"] == 0 and e["problems"]["no_text_field"] == 1513,
          f"problem counts: {e}")
    check(e["problems"]["empty"] == 1, f"empty not counted: {e}")
    check(len(e["messages"]) == 20, f"{len(e['messages'])} messages kept, want the first 20")
    check("line 1)" in e["messages"][0] and arr in e["messages"][0], e["messages"][0])
    check(entry(inf, "good.txt")["messages"] == [], "messages on a clean input")
    # the terminal stays bounded and says where the rest is
    check(r.err.count("is missing or not a string") <= 20, "more than 20 warnings shown")
    check(f"contam info {out}" in r.err, f"no pointer to 'contam info': {r.err[-500:]}")
    t = contam("info", out).expect(0).out
    check("problems" in t and "1513 records without the text field" in t, t[-800:])
    check("(1493 more messages were counted, not kept)" in t, t[-800:])
    # an empty file named alone, and a directory giving nothing
    empty = write(os.path.join(d, "e", "empty.jsonl"), "")
    r = contam("index", *SMALL, "-o", out, empty).expect(2)
    check(f"'{empty}': 0 documents read" in r.err, r.err[-300:])
    r = contam("index", *SMALL, "-o", out, os.path.dirname(empty)).expect(2)
    check("0 documents read from its 1 file(s)" in r.err, r.err[-300:])
    # an empty text file is one document without text: nothing read either
    etxt = write(os.path.join(d, "e2", "empty.txt"), "")
    r = contam("index", *SMALL, "-o", out, etxt).expect(2)
    check(f"'{etxt}': 0 documents read (only 1 empty document, no text in it)" in r.err,
          r.err[-300:])
    # in a directory beside a file with text, it is indexed, listed as one
    # document and counted as an input without text
    write(os.path.join(d, "e2", "full.txt"), PL + "\n")
    contam("index", *SMALL, "-o", out, os.path.dirname(etxt)).expect(0)
    e = entry(info(out), "empty.txt")
    check(e["documents"] == 1 and e["text_bytes"] == 0 and e["problems"]["empty"] == 1, f"entry {e}")
    check("1 empty (no document with text)" in contam("info", out).expect(0).out, "info: empty")


@S.test
def scan_no_documents_is_an_error(tmp):
    d = os.path.join(tmp, "scan")
    bench = write(os.path.join(d, "bench.jsonl"), json.dumps({"text": PL}) + "\n")
    bad = write(os.path.join(d, "corpus", "bad.jsonl"),
                "".join(json.dumps({"body": PL}) + "\n" for _ in range(5)))
    hits = os.path.join(d, "hits.jsonl")
    r = contam("scan", "-q", "--bench", bench, "-o", hits, bad).expect(2)
    check(f"'{bad}': 0 documents read (5 records skipped" in r.err, r.err[-400:])
    check(not os.path.exists(hits), "hits written for an unread corpus")
    contam("scan", "-q", "--allow-empty", "--bench", bench, "-o", hits, bad).expect(0)
    # '-o -' is stdout for hits
    good = write(os.path.join(d, "corpus2", "good.txt"), PL + "\n")
    r = contam("scan", "-q", "--bench", bench, "-o", "-", good).expect(0)
    check('"file": ' in r.out and not os.path.exists(os.path.join(tmp, "-")),
          "scan -o - did not write hits to stdout")


@S.test
def mpi_no_documents_is_an_error(tmp):
    if not (MPI_BIN and MPIRUN):
        return "skip"
    d = os.path.join(tmp, "mpi")
    bad = write(os.path.join(d, "bad.jsonl"), json.dumps({"body": PL}) + "\n")
    good = write(os.path.join(d, "good.txt"), PL + "\n")
    out = os.path.join(d, "m.cidx")
    p = subprocess.run([MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", "2", MPI_BIN,
                        "index", "-q", *SMALL, "-o", out, bad, good],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, env=mpi_env())
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 2, f"contam-mpi exit {p.returncode}: {err[-400:]}")
    check(f"'{bad}': 0 documents read" in err, err[-400:])
    check(not os.path.exists(out), "contam-mpi wrote an index")
    # the skips of the walk are in the index, as with contam index: same bytes
    w = os.path.join(d, "walk")
    write(os.path.join(w, "a.txt"), PL + "\n")
    write(os.path.join(w, "b.txt"), PL + " b\n")
    write(os.path.join(w, "c.pdf"), b"%PDF-1.4" + b"\0" * 32)
    one = os.path.join(d, "one.cidx")
    contam("index", "-q", *SMALL, "-o", one, w).expect(0)
    p = subprocess.run([MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", "2", MPI_BIN,
                        "index", "-q", *SMALL, "-o", out, w],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, env=mpi_env())
    check(p.returncode == 0, p.stderr.decode()[-300:])
    check(info(out)["skipped"] == info(one)["skipped"] != [], "skips differ")
    with open(one, "rb") as f1, open(out, "rb") as f2:
        check(f1.read() == f2.read(), "contam-mpi and contam index differ")


@S.test
def walks_skip_and_list(tmp):
    d = os.path.join(tmp, "walk")
    write(os.path.join(d, "a.txt"), PL + "\n")
    write(os.path.join(d, "b.pdf"), b"%PDF-1.4" + b"\0" * 64)
    write(os.path.join(d, "c.png"), b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    write(os.path.join(d, "d.bin"), bytes(range(256)) * 4)
    out = os.path.join(tmp, "walk.cidx")
    contam("index", *SMALL, "-o", os.path.join(d, "inside.cidx"), d).expect(0)
    bench = write(os.path.join(tmp, "wb.jsonl"), json.dumps({"text": PL}) + "\n")
    contam("scan", "-q", "--bench", bench, "-o", os.path.join(d, "hits.jsonl"),
           "--report", os.path.join(d, "rep.json"), "--purify", os.path.join(d, "clean"),
           os.path.join(d, "a.txt")).expect(0)
    contam("probe", "-q", "-o", os.path.join(d, "probe.json"),
           os.path.join(d, "inside.cidx"), bench).expect(0)
    check(os.path.exists(os.path.join(d, "clean", "purify-manifest.jsonl")), "no purify manifest")
    with open(os.path.join(d, "manifest.json"), "w") as f:
        f.write(contam("info", "--json", os.path.join(d, "inside.cidx")).expect(0).out)
    r = contam("index", *SMALL, "-o", out, d).expect(0)
    check("skipped 3 files of unknown kind under '" + d + "': b.pdf, c.png, d.bin" in r.err,
          r.err[-800:])
    m = [ln for ln in r.err.splitlines() if "written by contam" in ln]
    check(m and all(x in m[0] for x in ("inside.cidx", "hits.jsonl", "rep.json", "probe.json",
                                        "purify-manifest.jsonl", "manifest.json")),
          f"own outputs: {m}")
    inf = info(out)
    paths = [e["path"] for e in inf["inputs"]]
    # a.txt and its purified copy (a corpus file, not a contam output)
    check(len(paths) == 2 and paths[0] == os.path.join(d, "a.txt") and
          paths[1].startswith(os.path.join(d, "clean")) and paths[1].endswith("a.txt"),
          f"inputs: {paths}")
    sk = {s["reason"]: s for s in inf["skipped"]}
    check(sk["unknown_kind"]["count"] == 3 and sk["unknown_kind"]["names"] ==
          ["b.pdf", "c.png", "d.bin"], f"skips in the manifest: {inf['skipped']}")
    check(sk["contam_output"]["count"] == 6, f"own outputs in the manifest: {sk}")
    t = contam("info", out).expect(0).out
    check("3 files of unknown kind under" in t, t[-500:])
    # named: refused
    for own in ("inside.cidx", "hits.jsonl", "rep.json", "probe.json", "manifest.json"):
        r = contam("index", *SMALL, "-o", out + "2", os.path.join(d, own)).expect(2)
        check("never reads its own outputs" in r.err, f"{own}: {r.err[-300:]}")
    # a directory holding nothing readable
    nd = os.path.join(tmp, "nothing")
    write(os.path.join(nd, "x.pdf"), b"%PDF-1.4" + b"\0" * 32)
    r = contam("index", *SMALL, "-o", out + "3", nd).expect(2)
    check("no input files found (1 skipped" in r.err, r.err[-300:])


@S.test
def dangling_links_are_counted_skips(tmp):
    """A dangling symlink or a link loop inside a walked directory is a
    counted skip of the walk, not the end of the run (it stopped every
    index of a mirror with one stale link)."""
    d = os.path.join(tmp, "links")
    write(os.path.join(d, "a.txt"), PL + "\n")
    os.symlink("/nonexistent/x.jsonl.gz", os.path.join(d, "dangling.jsonl.gz"))
    os.symlink("self.jsonl", os.path.join(d, "self.jsonl"))
    out = os.path.join(tmp, "links.cidx")
    r = contam("index", *SMALL, "-o", out, d).expect(0)
    check("dangling.jsonl.gz, self.jsonl" in r.err, r.err[-400:])
    sk = {s["reason"]: s for s in info(out)["skipped"]}
    check(sk["unknown_kind"]["count"] == 2, f"skips: {sk}")


@S.test
def partition_set_keeps_walk_skips(tmp):
    """A probe of a set of partitions says the files the walks skipped, as
    a probe of the whole index does (the set's skips were dropped: a
    benchmark that was only in a skipped file read clean, silently)."""
    d = os.path.join(tmp, "pwalk")
    write(os.path.join(d, "a.txt"), PL + "\n")
    write(os.path.join(d, "leak.dat"), (PL + "\n").encode("utf-16-le"))
    parts = []
    for i in range(2):
        parts.append(os.path.join(tmp, f"pw{i}.cidx"))
        contam("index", *SMALL, "--partition", f"{i}/2", "-o", parts[-1], d).expect(0)
    bench = write(os.path.join(tmp, "pwb.jsonl"), json.dumps({"text": PL}) + "\n")
    for mode in ("", "whole"):
        r = contam("probe", "-o", os.path.join(tmp, "pw.json"), ",".join(parts), bench,
                   env={"CONTAM_PROBE_PARTS": mode} if mode else None).expect(0)
        check("not indexed: 1 file skipped by the walks" in r.err, f"{mode}: {r.err[-400:]}")
        u = json.load(open(os.path.join(tmp, "pw.json")))["index"]["unread"]
        check(u["skipped_files"]["unknown_kind"] == 1, f"{mode}: unread {u}")


@S.test
def include_exclude(tmp):
    d = os.path.join(tmp, "globs")
    write(os.path.join(d, "keep", "a.jsonl"), json.dumps({"text": PL}) + "\n")
    write(os.path.join(d, "keep", "b.txt"), PL + " b\n")
    write(os.path.join(d, "out", "c.jsonl"), json.dumps({"text": PL + " c"}) + "\n")
    out = os.path.join(tmp, "g.cidx")
    contam("index", "-q", *SMALL, "--include", "*.jsonl", "--exclude", "out", "-o", out,
           d).expect(0)
    check([e["path"] for e in info(out)["inputs"]] == [os.path.join(d, "keep", "a.jsonl")],
          f"{[e['path'] for e in info(out)['inputs']]}")
    contam("index", "-q", *SMALL, "--include", "keep/*", "-o", out, d).expect(0)
    check(len(info(out)["inputs"]) == 2, "relative-path glob")
    # --list-inputs: what a walk takes, in order, nothing written
    write(os.path.join(d, "keep", "z.pdf"), b"%PDF-1.4" + b"\0" * 16)
    r = contam("index", "--list-inputs", "--exclude", "out", d).expect(0)
    lines = [ln.split("\t") for ln in r.out.splitlines()]
    check([p for _, p in lines] == [os.path.join(d, "keep", "a.jsonl"),
                                    os.path.join(d, "keep", "b.txt")], f"listed: {lines}")
    check(lines[0][0] == str(os.path.getsize(os.path.join(d, "keep", "a.jsonl"))), "size")
    check("z.pdf" in r.err and "out" in r.err, f"skips not listed: {r.err}")


@S.test
def resume_stale_r05(tmp):
    d = os.path.join(tmp, "r05")
    a = write(os.path.join(d, "a.txt"), "alpha bravo charlie delta echo foxtrot golf hotel "
              "india juliet kilo lima\n")
    b = write(os.path.join(d, "b.txt"), PL + "\n")
    out = os.path.join(d, "idx.cidx")
    ck = out + ".checkpoint"
    # a checkpoint holding a.txt only: an --add build written as the checkpoint
    contam("index", "-q", "--memory", "16M", "-o", ck, a).expect(0)
    for bad in (["--ngram", "13"], ["--winnow", "4"], ["--memory", "64M"]):
        r = contam("index", "-q", *bad, "--resume", "--checkpoint-every", "1", "-o", out,
                   a, b)
        check(r.rc == 1, f"{bad} on resume: exit {r.rc}: {r.err[-300:]}")
        check("differ" in r.err or "give a" in r.err, f"{bad}: {r.err[-300:]}")
    write(a, "completely different text zulu yankee whiskey victor uniform tango sierra romeo\n")
    r = contam("index", "--memory", "16M", "--resume", "-o", out, a, b).expect(0)
    check("changed since the checkpoint" in r.err and "starting from the beginning" in r.err,
          r.err[-500:])
    q = write(os.path.join(d, "q.jsonl"),
              json.dumps({"text": "completely different text zulu yankee whiskey victor "
                                  "uniform tango sierra romeo"}) + "\n" +
              json.dumps({"text": "alpha bravo charlie delta echo foxtrot golf hotel india "
                                  "juliet kilo lima"}) + "\n")
    rep = contam("probe", "-q", out, q).expect(0).json()
    v = [e["verdict"] for e in rep["examples"]]
    check(v == ["contaminated", "clean"], f"verdicts after resume: {v}")
    check(entry(info(out), "a.txt")["size"] == os.path.getsize(a), "stale size in the manifest")
    # a directory whose done file gave documents is not "unread" when the
    # file left to read gives none
    rd = os.path.join(d, "rd")
    ra = write(os.path.join(rd, "a.txt"), PL + "\n")
    write(os.path.join(rd, "e.jsonl"), '{"body": "no text field"}\n')
    rout = os.path.join(d, "rd.cidx")
    contam("index", "-q", "--memory", "16M", "-o", rout + ".checkpoint", ra).expect(0)
    r = contam("index", "-q", "--memory", "16M", "--resume", "-o", rout, rd)
    check(r.rc == 0, f"resume with only an unreadable file left: {r.rc} {r.err[-300:]}")
    # an input that could not be read is not "done"
    u = write(os.path.join(d, "u.txt"), PL + " u\n")
    os.chmod(u, 0)
    if os.access(u, os.R_OK):  # root reads anything: this part cannot run
        os.chmod(u, 0o644)
        S.note("resume_stale_r05: running as root, the unreadable-file case is not tried")
        return
    contam("index", "-q", "--memory", "16M", "--allow-empty", "-o", ck, u, b).expect(0)
    os.chmod(u, 0o644)
    r = contam("index", "--memory", "16M", "--resume", "-o", out, u, b).expect(0)
    check("could not be read before" in r.err, r.err[-300:])
    check(entry(info(out), "u.txt")["documents"] == 1, "unreadable file stayed done")


@S.test
def symlinks_and_spellings_r14(tmp):
    d = os.path.join(tmp, "r14")
    for i in range(19):
        os.makedirs(os.path.join(d, f"d{i}"))
    for i in range(18):
        os.symlink(f"../d{i + 1}", os.path.join(d, f"d{i}", "a"))
        os.symlink(f"../d{i + 1}", os.path.join(d, f"d{i}", "b"))
    write(os.path.join(d, "d18", "x.txt"), PL + "\n")
    out = os.path.join(tmp, "s.cidx")
    t0 = time.time()
    contam("index", "-q", *SMALL, "-o", out, os.path.join(d, "d0")).expect(0)
    check(time.time() - t0 < 10, "the symlink DAG took too long")
    check(len(info(out)["inputs"]) == 1, "one file became several inputs")
    c = os.path.join(tmp, "c")
    x = write(os.path.join(c, "2024-05", "x.txt"), PL + "\n")
    os.symlink("2024-05", os.path.join(c, "latest"))
    contam("index", "-q", *SMALL, "-o", out, c).expect(0)
    check(len(info(out)["inputs"]) == 1, "a 'latest' symlink doubled the input")
    r = contam("index", "-q", *SMALL, "-o", out, x, "./" + os.path.relpath(x), x)
    check(r.rc == 2 and "more than once" in r.err, f"spellings: {r.rc} {r.err[-300:]}")
    t = os.path.join(tmp, "t.cidx")
    contam("index", "-q", *SMALL, "-o", t, x).expect(0)
    r = contam("index", "-q", "--add", t, x.replace("/2024-05/", "//2024-05/"))
    check(r.rc == 2 and "already in" in r.err, f"--add under another spelling: {r.rc} {r.err}")


@S.test
def output_checked_first_r15(tmp):
    d = os.path.join(tmp, "r15")
    big = write(os.path.join(d, "big.jsonl"),
                "".join(json.dumps({"text": f"record {i} {PL}"}) + "\n" for i in range(20000)))
    r = contam("index", "--memory", "1M", "-o", os.path.join(tmp, "no", "such", "x.cidx"), big)
    check(r.rc == 2 and "no/such" in r.err, f"{r.rc} {r.err[-300:]}")
    check("documents" not in r.err and "input file(s)" not in r.err,
          f"the corpus was read before the output was checked: {r.err[-300:]}")
    bench = write(os.path.join(d, "b.jsonl"), json.dumps({"text": PL}) + "\n")
    r = contam("scan", "-q", "--bench", bench, "--report",
               os.path.join(tmp, "no", "such", "r.json"), "--", big)
    check(r.rc == 2 and "no/such" in r.err, f"scan --report: {r.rc} {r.err[-300:]}")
    # a checkpoint that cannot be written is an error
    ro = os.path.join(tmp, "ro")
    os.makedirs(ro)
    ckdir = os.path.join(ro, "x.cidx.checkpoint.tmp.dir")
    out = os.path.join(ro, "x.cidx")
    os.makedirs(out + ".checkpoint")  # a directory where the checkpoint goes
    r = contam("index", "-q", "--memory", "1M", "--checkpoint-every", "1", "-o", out, big)
    check(r.rc == 2 and "checkpoint not written" in r.err, f"{r.rc} {r.err[-300:]}")
    check(not os.path.exists(out), "index written although its checkpoints failed")
    del ckdir


@S.test
def stdout_and_threads(tmp):
    d = os.path.join(tmp, "misc")
    a = write(os.path.join(d, "a.txt"), PL + "\n")
    r = contam("index", "-q", *SMALL, "-o", "-", a, cwd=d)
    check(r.rc == 1 and not os.path.exists(os.path.join(d, "-")), f"-o -: {r.rc} {r.err}")
    out = os.path.join(d, "t.cidx")
    r = contam("index", "-q", *SMALL, "--threads", "1024", "-o", out, a).expect(0)
    r2 = contam("merge", "-o", "-", out, cwd=d)
    check(r2.rc == 1 and not os.path.exists(os.path.join(d, "-")), f"merge -o -: {r2.rc} {r2.err}")
    check("--threads 1024" in r.err and "using" in r.err, r.err[-300:])
    bench = write(os.path.join(d, "b.jsonl"), json.dumps({"text": PL}) + "\n")
    r = contam("probe", "-q", "-o", "-", out, bench, cwd=d).expect(0)
    check(not os.path.exists(os.path.join(d, "-")) and '"report_version"' in r.out,
          "probe -o - did not write to stdout")


@S.test
def terminal_escapes_r23(tmp):
    d = os.path.join(tmp, "r23")
    os.makedirs(d)
    name = os.path.join(d, "x\x1b]0;PWNED\x07\x1b[2J\x1b[31m.txt")
    write(name, PL + "\n")
    bad = write(os.path.join(d, "y\x1b[31m.jsonl"), '{"text": 1}\n' + json.dumps({"text": PL}) + "\n")
    out = os.path.join(d, "i.cidx")
    r = contam("index", *SMALL, "-o", out, name, bad).expect(0)
    check("\x1b" not in r.err and "\\x1b" in r.err, f"raw escapes on stderr: {r.err!r}"[-400:])
    t = contam("info", out).expect(0)
    check("\x1b" not in t.out and "\x07" not in t.out and "\\x1b]0;PWNED" in t.out,
          f"raw escapes in info: {t.out!r}"[-400:])
    # the probe table names the benchmark (from its file name)
    bench = write(os.path.join(d, "b\x1b[2Jx.jsonl"), json.dumps({"text": PL}) + "\n")
    r = contam("probe", out, bench).expect(0)
    check("\x1b" not in r.err and "b?[2Jx" in r.err, f"raw escapes in the probe table: {r.err!r}"[-400:])
    yname = os.fsencode(d) + b"/y\xff.txt"
    with open(yname, "w") as f:
        f.write(PL + "\n")
    y = os.path.join(d, "y.cidx")
    subprocess.run([os.environ.get("CONTAM_BIN", "contam"), "index", "-q", *SMALL, "-o", y,
                    yname], check=True)
    p = subprocess.run([os.environ.get("CONTAM_BIN", "contam"), "info", "--json", y],
                       stdout=subprocess.PIPE, check=True)
    doc = json.loads(p.stdout.decode("utf-8"))  # raises on invalid UTF-8
    check(doc["inputs"][0]["path"].endswith("y\ufffd.txt"), doc["inputs"][0]["path"])


@S.test
def per_input_memory_r17(tmp):
    """100k tiny files: peak RSS per input must stay well under 1 KB
    (was ~9 KB for index, ~5 KB for scan)."""
    if not shutil.which("/usr/bin/time") and not os.path.exists("/usr/bin/time"):
        return "skip"
    d = os.path.join(tmp, "r17", "f")
    os.makedirs(d)
    n = 10000
    for i in range(n):
        with open(os.path.join(d, "f%06d.txt" % i), "w") as f:
            f.write("w%d a\n" % i)
    bin_ = os.environ.get("CONTAM_BIN", "contam")

    def peak(args):
        p = subprocess.run(["/usr/bin/time", "-f", "%M", bin_] + args, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=300)
        check(p.returncode == 0, f"{args}: exit {p.returncode} {p.stderr[-300:]}")
        return int(p.stderr.decode().strip().splitlines()[-1])

    base = peak(["index", "-q", "--memory", "1M", "-o", os.path.join(tmp, "one.cidx"),
                 os.path.join(d, "f000000.txt")])
    kb = peak(["index", "-q", "--memory", "1M", "-o", os.path.join(tmp, "f.cidx"), d])
    per = (kb - base) * 1024 / n
    S.note(f"index: {per:.0f} bytes per input over {n} files (peak {kb} kB, one file {base} kB)")
    asan = bool(os.environ.get("ASAN_OPTIONS"))  # ASan's own bookkeeping
    check(per < 1024 or asan, f"index holds {per:.0f} bytes per input")
    bench = write(os.path.join(tmp, "r17", "b.jsonl"), '{"text":"a b c d e f g h i j"}\n')
    kb = peak(["scan", "-q", "--bench", bench, "-o", "/dev/null", d])
    per = (kb - base) * 1024 / n
    S.note(f"scan: {per:.0f} bytes per input (peak {kb} kB)")
    check(per < 1024 or asan, f"scan holds {per:.0f} bytes per input")


@S.test
def unread_inputs_reach_the_report(tmp):
    d = os.path.join(tmp, "unread")
    write(os.path.join(d, "good.txt"), PL + "\n")
    write(os.path.join(d, "blob.bin"), bytes(range(256)) * 16)
    write(os.path.join(d, "recs.jsonl"), json.dumps({"text": PL}) + "\n{broken\n"
          + json.dumps({"body": "no text field"}) + "\n")
    ix = os.path.join(tmp, "unread.cidx")
    contam("index", "-q", "-t", "1", "-o", ix, d).expect(0)
    bench = write(os.path.join(tmp, "ub.jsonl"), json.dumps({"q": PL}) + "\n")
    rep = os.path.join(tmp, "unread.json")
    r = contam("probe", ix, "--field", "q", bench, "-o", rep).expect(0)
    u = json.load(open(rep))["index"]["unread"]
    check(u["damaged_records"] == 1 and u["records_without_text"] == 1
          and u["skipped_files"]["unknown_kind"] == 1 and u["inputs_with_problems"] == 1, f"unread {u}")
    check("not indexed: 1 damaged record, 1 record without the text field, 1 file skipped"
          in r.out + r.err, f"probe table: {(r.out + r.err)[-600:]}")
    for fmt in ("md", "latex", "html", "csv", "conda"):
        out = contam("report", "--format", fmt, rep).expect(0).out
        check("ot indexed" in out and "1 damaged" in out, f"report {fmt}: {out[-500:]}")
    # CSV and CONDA rows travel alone: each one says it
    rows = [ln for ln in contam("report", "--format", "csv", rep).expect(0).out.splitlines()[1:] if ln]
    check(rows and all("not indexed" in ln for ln in rows), f"csv rows: {rows[:2]}")
    conda = contam("report", "--format", "conda", rep).expect(0).out.splitlines()
    check(all(len(ln.split(";")) == 10 for ln in conda), f"conda columns: {conda}")
    # the exact scan of the same directory says it too, in its table and report
    srep = os.path.join(tmp, "unread-scan.json")
    r = contam("scan", "--bench", bench, "--field", "q", "--report", srep,
               "-o", os.path.join(tmp, "uh.jsonl"), d).expect(0)
    check("not scanned: 1 damaged record, 1 record without the text field, 1 file skipped"
          in r.out + r.err, f"scan table: {(r.out + r.err)[-600:]}")
    u = json.load(open(srep))["index"]["unread"]
    check(u["damaged_records"] == 1 and u["records_without_text"] == 1
          and u["skipped_files"]["unknown_kind"] == 1 and u["inputs_with_problems"] == 1,
          f"scan unread {u}")
    check("ot indexed" in contam("report", srep).expect(0).out, "scan report: no note")
    # what is built from the report says it too: --write-clean, contam impact
    r = contam("probe", "-q", ix, "--field", "q", bench, "-o", rep,
               "--write-clean", os.path.join(tmp, "uclean")).expect(0)
    check("did not read all of its inputs" in r.err, f"--write-clean: {r.err[-300:]}")
    samples = write(os.path.join(tmp, "samples_t_2024-01-01T00-00-00.jsonl"),
                    json.dumps({"doc_id": 0, "doc": {"q": PL}, "target": "x", "exact_match": 1.0,
                                "filter": "none", "metrics": ["exact_match"]}) + "\n")
    irep = os.path.join(tmp, "uimpact.json")
    contam("probe", "-q", ix, "--field", "doc.q", "--id-field", "doc_id", samples,
           "-o", irep).expect(0)
    r = contam("impact", irep, samples, "--write-samples",
               os.path.join(tmp, "uclean.json")).expect(0)
    check("not indexed: the report's index did not read 1 damaged_records" in r.out
          and "did not read all of its inputs" in r.err, f"impact: {r.out[-400:]} {r.err[-300:]}")
    ij = json.loads(contam("impact", irep, samples, "--format", "json").expect(0).out)
    check(ij.get("index_unread", {}).get("damaged_records") == 1, f"impact json: {ij.keys()}")
    # a clean index says nothing
    clean = os.path.join(tmp, "clean.cidx")
    contam("index", "-q", "-t", "1", "-o", clean, os.path.join(d, "good.txt")).expect(0)
    r = contam("probe", clean, "--field", "q", bench, "-o", rep).expect(0)
    check("not indexed" not in r.out + r.err, "a clean index reported unread inputs")
    check(json.load(open(rep))["index"]["unread"]["inputs_with_problems"] == 0, "clean: unread counted")
    check("ot indexed" not in contam("report", rep).expect(0).out, "clean: report says not indexed")


@S.test
def legacy_encodings_are_refused(tmp):
    ja = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。" * 40
    zh = "话说天下大势，分久必合，合久必分。周末七国分争，并入于秦。" * 40
    sj = write(os.path.join(tmp, "enc", "neko_sjis.txt"), ja.encode("shift_jis"))
    gb = write(os.path.join(tmp, "enc", "sanguo_gbk.txt"), zh.encode("gbk"))
    ok = write(os.path.join(tmp, "enc", "neko.txt"), ja)
    out = os.path.join(tmp, "enc.cidx")
    for f, enc in ((sj, "SHIFT_JIS"), (gb, "GBK")):
        r = contam("index", "-q", "-t", "1", "-o", out, f).expect(2)
        check(f"'{f}' is text in a legacy CJK encoding" in r.err and
              f"most likely {enc}: iconv -f {enc} -t UTF-8" in r.err, f"{enc}: {r.err[-300:]}")
        check(not os.path.exists(out), f"{enc}: an index was written")
        bench = write(os.path.join(tmp, "enc", "b.jsonl"), json.dumps({"text": ja[:60]}) + "\n")
        r = contam("scan", "-q", "--bench", bench, "-o", os.path.join(tmp, "h.jsonl"), f).expect(2)
        check("legacy CJK encoding" in r.err, f"scan of {enc}: {r.err[-300:]}")
    contam("index", "-q", "-t", "1", "-o", out, ok).expect(0)
    r = contam("probe", out, gb, "-o", os.path.join(tmp, "p.json")).expect(2)
    check(f"'{gb}' is text in a legacy CJK encoding" in r.err, f"probe of a GBK benchmark: {r.err[-300:]}")



@S.test
def latin1_is_said(tmp):
    fr = ("le café était fermé à midi, mais la façade rénovée de l'hôtel "
          "près du théâtre attirait les élèves et leurs maîtres ")
    lat = write(os.path.join(tmp, "l1", "fr_latin1.txt"), (fr * 3 + "\n").encode("latin-1"))
    utf = write(os.path.join(tmp, "l1", "fr_utf8.txt"), fr * 3 + "\n")
    nbad = sum(b >= 0x80 for b in (fr * 3).encode("latin-1"))
    check(nbad > 20, f"the text has {nbad} accented letters")
    ix = os.path.join(tmp, "l1.cidx")
    r = contam("index", "-t", "1", "-o", ix, lat).expect(0)
    check(f"{lat}: {nbad} bytes of" in r.err and "not UTF-8" in r.err and "iconv" in r.err,
          f"index says nothing of the Latin-1 file: {r.err[-600:]}")
    e = entry(info(ix), "fr_latin1.txt")
    check(e["problems"]["not_utf8_bytes"] == nbad, f"info problems {e['problems']}")
    check(any("not UTF-8" in m for m in e["messages"]), f"info messages {e['messages']}")
    check(f"{nbad} bytes not UTF-8" in contam("info", ix).expect(0).out, "info text says nothing")
    # the UTF-8 benchmark of the same words is not found (its accented
    # words were cut in the index): the report says why it may be clean
    bench = write(os.path.join(tmp, "l1", "b.jsonl"), json.dumps({"q": fr}) + "\n")
    rep = os.path.join(tmp, "l1.json")
    r = contam("probe", ix, "--field", "q", bench, "-o", rep).expect(0)
    u = json.load(open(rep))["index"]["unread"]
    check(u["not_utf8_bytes"] == nbad and u["inputs_with_problems"] == 1, f"unread {u}")
    check(f"misread: {nbad} bytes of the indexed text are not UTF-8" in r.err,
          f"probe table: {r.err[-600:]}")
    check("not indexed" not in r.err, f"misread text called not indexed: {r.err[-400:]}")
    for fmt in ("md", "latex", "html"):
        out = contam("report", "--format", fmt, rep).expect(0).out
        check(f"{nbad} bytes not UTF-8 (read as word" in out,
              f"report {fmt}: {out[-500:]}")
    # the exact scan says it too
    srep = os.path.join(tmp, "l1scan.json")
    r = contam("scan", "--bench", bench, "--report", srep, "-o", os.path.join(tmp, "h.jsonl"),
               lat).expect(0)
    check(f"{lat}: {nbad} bytes of" in r.err and "misread" in r.err, f"scan: {r.err[-600:]}")
    check(json.load(open(srep))["scan"]["not_utf8_bytes"] == nbad, "scan report: no count")
    # a Latin-1 benchmark file (CSV: JSON refuses such bytes)
    bcsv = write(os.path.join(tmp, "l1", "b1.csv"), ('q\n"' + fr + '"\n').encode("latin-1"))
    nb = sum(b >= 0x80 for b in fr.encode("latin-1"))
    clean = os.path.join(tmp, "l1u.cidx")
    contam("index", "-q", "-t", "1", "-o", clean, utf).expect(0)
    r = contam("probe", clean, "--field", "q", bcsv, "-o", rep).expect(0)
    bm = json.load(open(rep))["benchmarks"][0]
    check(bm.get("not_utf8_bytes") == nb, f"benchmark entry: {bm.get('not_utf8_bytes')} of {nb}")
    check(f"'{bcsv}': {nb} bytes are not UTF-8 (the first on line 2)" in r.err,
          f"probe of a Latin-1 benchmark: {r.err[-600:]}")
    # UTF-8 on both sides: found, and nothing said
    r = contam("probe", clean, "--field", "q", bench, "-o", rep).expect(0)
    j = json.load(open(rep))
    check(j["benchmarks"][0]["contaminated"] == 1, "the UTF-8 copy is not found")
    check(j["index"]["unread"]["not_utf8_bytes"] == 0 and "not_utf8_bytes" not in j["benchmarks"][0]
          and "not UTF-8" not in r.err and "misread" not in r.err, f"UTF-8 said to be misread: {r.err[-400:]}")


if __name__ == "__main__":
    sys.exit(S.run())
