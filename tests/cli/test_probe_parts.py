#!/usr/bin/env python3
"""test_probe_parts.py -- partition sets and large indexes at probe time.

- A partition set probed one partition at a time gives the report of the
  unpartitioned index and of the whole set loaded as one
  (CONTAM_PROBE_PARTS=whole), in any order of the files, with
  --null-control and --max-doc-freq (the doc-freq sketch's boundary lines
  are shared by neighbouring partitions).
- A lone partition is refused (exit 2, naming what is missing), and so is
  a set with one given twice; a pipe as benchmark of a set (which cannot
  be read twice) loads the set whole, with a warning, as before.
- index --uncompressed-filter: probe maps it and reports what the
  compressed index reports; verify reads it whole and finds a flipped bit
  in a chunk; --add keeps it uncompressed, and so does a merge of
  uncompressed indexes (a merge with a compressed part is compressed); its
  partitions probe as a set.
- Memory: probing a 4-partition set of a 256 MiB filter whose every chunk
  holds bits needs less than one partition (each is streamed chunk by
  chunk), loading the set whole needs the whole filter; a lone
  uncompressed 256 MiB index (mapped) and a lone compressed one streamed
  (CONTAM_PROBE_PARTS=stream; the default from 1 GiB) are probed in less
  than half its size too (peak RSS of the child process).

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN, Suite, check, contam  # noqa: E402

S = Suite("test_probe_parts")

WORDS = ("river stone light winter house garden music paper north silver market "
         "window letter forest engine harbor little yellow bridge castle mirror "
         "island pocket ticket valley orange planet rocket shadow spring cloud "
         "candle meadow thunder velvet anchor lantern copper dragon ember").split()
BOILER = "the census counted the people of the town in the year of the survey"


def write_corpus(path, seed, docs):
    rnd = random.Random(seed)
    texts = []
    with open(path, "w") as f:
        for d in range(docs):
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(30, 90)))
            if d % 3 == 0:
                text += " " + BOILER
            texts.append(text)
            f.write(json.dumps({"text": text}) + "\n")
    return texts


def write_bench(path, texts, seed):
    rnd = random.Random(seed)
    with open(path, "w") as f:
        for i in range(120):
            if i % 3 == 0:  # copied: contaminated
                q = texts[rnd.randrange(len(texts))]
            elif i % 3 == 1:  # half copied: partial
                t = texts[rnd.randrange(len(texts))].split()
                q = " ".join(t[:20] + [rnd.choice(WORDS) for _ in range(30)])
            else:  # fresh
                q = " ".join(rnd.choice(WORDS) for _ in range(40)) + " " + BOILER
            f.write(json.dumps({"id": f"q{i}", "question": q, "answer": "yes"}) + "\n")


def setup(tmp):
    corpus = os.path.join(tmp, "corpus.jsonl")
    texts = write_corpus(corpus, 7, 900)
    bench = os.path.join(tmp, "bench.jsonl")
    write_bench(bench, texts, 8)
    d = {"tmp": tmp, "corpus": corpus, "bench": bench}
    opts = ["-q", "--doc-freq", "--memory", "4M"]
    d["whole"] = p("whole.cidx", d)
    contam("index", *opts, "-o", d["whole"], corpus).expect(0)
    d["raw"] = p("raw.cidx", d)
    contam("index", *opts, "--uncompressed-filter", "-o", d["raw"], corpus).expect(0)
    d["parts"] = [p(f"p{i}.cidx", d) for i in range(4)]
    d["rawparts"] = [p(f"r{i}.cidx", d) for i in range(4)]
    for i in range(4):
        contam("index", *opts, "--partition", f"{i}/4", "-o", d["parts"][i], corpus).expect(0)
        contam("index", *opts, "--uncompressed-filter", "--partition", f"{i}/4", "-o",
               d["rawparts"][i], corpus).expect(0)
    return d


def p(name, d):
    return os.path.join(d["tmp"], name)


PROBE = ["--null-control", "--max-doc-freq", "3", "--field", "question", "--id-field", "id"]


def report(index, d, env=None, extra=(), plain=False):
    args = PROBE[:1] + PROBE[3:] if plain else PROBE  # plain: no --max-doc-freq
    r = contam("probe", "-q", index, *args, *extra, d["bench"], env=env).expect(0)
    j = r.json()
    check(j["index"]["path"] == index, f"index path {j['index']['path']!r}")
    j["index"]["path"] = "INDEX"
    j.pop("seconds", None)
    return json.dumps(j, sort_keys=True)


@S.test
def parts_equal_whole(d):
    want = report(d["whole"], d)
    j = json.loads(want)
    verdicts = {e["verdict"] for e in j["examples"]}
    check({"contaminated", "partial", "clean"} <= verdicts, f"a trivial benchmark: {verdicts}")
    check(any(e.get("frequent_ngrams") for e in j["examples"]) or
          any(b.get("frequent_ngrams") for b in j["benchmarks"]),
          "--max-doc-freq set nothing aside: the doc-freq answers are not exercised")
    # a lone compressed index streamed chunk by chunk (the default from 1 GiB)
    check(report(d["whole"], d, env={"CONTAM_PROBE_PARTS": "stream"}) == want,
          "the index streamed reports differently")
    sets = [",".join(d["parts"]), ",".join(reversed(d["parts"])),
            ",".join(d["parts"][2:] + d["parts"][:2])]
    for s in sets:
        got = report(s, d)
        check(got == want, f"{s}: the report differs from the unpartitioned index's")
        old = report(s, d, env={"CONTAM_PROBE_PARTS": "whole"})
        check(old == got, f"{s}: one at a time differs from the set loaded whole")


@S.test
def shared_sketch_lines(d):
    # a sketch of 16 lines in 5 partitions: most keys lie on a line two
    # partitions share, whose counts are the sum of both
    opts = ["-q", "--memory", "4M", "--doc-freq-memory", "1024"]
    parts = [p(f"t{i}.cidx", d) for i in range(5)]
    for i, out in enumerate(parts):
        contam("index", *opts, "--partition", f"{i}/5", "-o", out, d["corpus"]).expect(0)
    whole = p("t.cidx", d)
    contam("index", *opts, "-o", whole, d["corpus"]).expect(0)
    for mdf in ("40", "150"):
        extra = ["--max-doc-freq", mdf]
        args = ["--null-control", "--field", "question", *extra]
        got = []
        for ix, env in ((whole, None), (",".join(parts), None),
                        (",".join(reversed(parts)), {"CONTAM_PROBE_PARTS": "whole"})):
            j = contam("probe", "-q", ix, *args, d["bench"], env=env).expect(0).json()
            j["index"]["path"] = "INDEX"
            got.append(json.dumps(j, sort_keys=True))
        check(got[0] == got[1] == got[2], f"--max-doc-freq {mdf}: the reports differ")
        j = json.loads(got[0])
        n = sum(e.get("frequent_ngrams", 0) for e in j["examples"])
        check(n > 0, f"--max-doc-freq {mdf} set nothing aside")


@S.test
def lone_partition_refused(d):
    out = p("lone.json", d)
    for ix in (d["parts"][1], d["rawparts"][1]):
        r = contam("probe", "-q", ix, "--field", "question", d["bench"], "-o", out)
        r.expect(2)
        check("partition 2 of 4" in r.err and "missing 1, 3 and 4 of 4" in r.err, r.err)
        check(not os.path.exists(out), "a report was written for a lone partition")
    r = contam("probe", "-q", ",".join(d["parts"][:3] + d["parts"][1:2]), "--field",
               "question", d["bench"])
    r.expect(2)
    check("given twice" in r.err, r.err)


@S.test
def set_from_pipe(d):
    with open(d["bench"], "rb") as f:
        data = f.read()
    # read twice it cannot be: the set is loaded whole, as before, and said so
    args = ["probe", "-q", *PROBE, "--name", "b", "/dev/stdin"]
    r = contam(args[0], args[1], ",".join(d["parts"]), *args[2:], input=data).expect(0)
    check("not a regular file" in r.err and "loaded at once" in r.err, r.err)
    w = contam(args[0], args[1], d["whole"], *args[2:], input=data).expect(0)
    a, b = r.json(), w.json()
    a["index"]["path"] = b["index"]["path"] = "INDEX"
    check(a == b, "a piped benchmark against the set reports differently")
    # a lone uncompressed index reads a pipe once, mapped
    a = contam("probe", "-q", d["raw"], *PROBE, "--name", "b", "/dev/stdin",
               input=data).expect(0).json()
    b = contam("probe", "-q", d["whole"], *PROBE, "--name", "b", "/dev/stdin",
               input=data).expect(0).json()
    check([e["verdict"] for e in a["examples"]] == [e["verdict"] for e in b["examples"]] and
          a["benchmarks"] == b["benchmarks"], "a piped benchmark scores differently mapped")


@S.test
def uncompressed_same_report(d):
    want = report(d["whole"], d)
    check(report(d["raw"], d) == want, "the uncompressed index reports differently")
    check(report(",".join(d["rawparts"]), d) == want,
          "the uncompressed partitions report differently")
    check(report(",".join(d["rawparts"]), d, env={"CONTAM_PROBE_PARTS": "whole"}) == want,
          "the uncompressed partitions loaded whole report differently")
    iw = contam("info", "--json", d["whole"]).expect(0).json()
    ir = contam("info", "--json", d["raw"]).expect(0).json()
    for k in ("fill", "fpr", "ngrams_inserted", "doc_freq"):
        check(iw.get(k) == ir.get(k), f"info {k}: {iw.get(k)} vs {ir.get(k)}")
    # info says how the filter is stored, in JSON and in the text
    check(iw.get("filter_uncompressed") is False and ir.get("filter_uncompressed") is True,
          f"info filter_uncompressed: {iw.get('filter_uncompressed')} / {ir.get('filter_uncompressed')}")
    tw = contam("info", d["whole"]).expect(0).out
    tr = contam("info", d["raw"]).expect(0).out
    check("storage    filter uncompressed" in tr and "uncompressed" not in tw,
          f"info text: {tr!r} / {tw!r}")
    contam("verify", d["raw"]).expect(0)
    # the filter's chunks start on a page of the file, stored as they are
    # (their bytes are the compressed index's filter)
    size = os.path.getsize(d["raw"])
    check(size > 4 << 20, f"uncompressed file of {size} bytes holds a 4 MiB filter?")


@S.test
def uncompressed_damage_and_add(d):
    with open(d["raw"], "rb") as f:
        data = bytearray(f.read())
    at = 64 << 10
    while data[at] == 0:
        at += 1
    data[at] ^= 0x10
    bad = p("bad.cidx", d)
    with open(bad, "wb") as f:
        f.write(data)
    r = contam("verify", bad)
    r.expect(2)
    check("checksum mismatch" in r.err, r.err)
    # --add keeps the filter uncompressed
    more = p("more.jsonl", d)
    write_corpus(more, 9, 50)
    added = p("added.cidx", d)
    contam("index", "-q", "--add", d["raw"], "-o", added, more).expect(0)
    check(os.path.getsize(added) > 4 << 20, "--add compressed an uncompressed index")
    ref = p("ref.cidx", d)
    contam("index", "-q", "--add", d["whole"], "-o", ref, more).expect(0)
    check(report(added, d) == report(ref, d), "--add on the uncompressed index differs")


@S.test
def merge_keeps_uncompressed(d):
    more = p("more2.jsonl", d)
    write_corpus(more, 12, 80)
    opts = ["-q", "--memory", "4M"]
    az, ar, mz, mr = (p(n, d) for n in ("az.cidx", "ar.cidx", "mz.cidx", "mr.cidx"))
    contam("index", *opts, "-o", az, d["corpus"]).expect(0)
    contam("index", *opts, "--uncompressed-filter", "-o", ar, d["corpus"]).expect(0)
    contam("index", *opts, "-o", mz, more).expect(0)
    contam("index", *opts, "--uncompressed-filter", "-o", mr, more).expect(0)
    oz, orr, mixed = p("oz.cidx", d), p("or.cidx", d), p("omixed.cidx", d)
    contam("merge", "-o", oz, az, mz).expect(0)
    contam("merge", "-o", orr, ar, mr).expect(0)
    contam("merge", "-o", mixed, ar, mz).expect(0)
    check(os.path.getsize(orr) > 4 << 20, "a merge of uncompressed indexes was compressed")
    check(os.path.getsize(mixed) < 4 << 20, "a merge with a compressed part was not compressed")
    contam("verify", orr).expect(0)
    want = report(oz, d, plain=True)
    check(report(orr, d, plain=True) == want and report(mixed, d, plain=True) == want,
          "merges of uncompressed parts report differently")


def peak_rss_kib(args, env=None):
    """Peak RSS of one contam run, measured in a fresh process so that
    earlier children do not count."""
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
            " stderr=subprocess.PIPE)\n"
            "sys.stderr.write(r.stderr.decode(errors='replace'))\n"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    full = dict(os.environ)
    full.update(env or {})
    out = subprocess.run([sys.executable, "-c", code, BIN] + list(args), env=full,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    rc, kib = out.stdout.decode().split()
    check(rc == "0", f"contam {' '.join(args)}: exit {rc}: {out.stderr.decode()[-500:]}")
    return int(kib)


@S.test
def memory_of_one_partition(d):
    # 256 MiB of filter, 256 chunks of 1 MiB, every one holding bits (about
    # 300 keys each), so that loading a chunk commits its pages
    big = p("big.jsonl", d)
    write_corpus(big, 11, 1500)
    opts = ["-q", "--memory", "256M", "-n", "4"]
    parts = [p(f"big{i}.cidx", d) for i in range(4)]
    for i, out in enumerate(parts):
        contam("index", *opts, "--partition", f"{i}/4", "-o", out, big).expect(0)
    raw = p("bigraw.cidx", d)
    contam("index", *opts, "--uncompressed-filter", "-o", raw, big).expect(0)
    whole = p("bigwhole.cidx", d)
    contam("index", *opts, "-o", whole, big).expect(0)
    filt = 256 << 10  # KiB
    args = ["probe", "-q", ",".join(parts), "--field", "question", d["bench"]]
    one = peak_rss_kib(args)
    mapped = peak_rss_kib(["probe", "-q", raw, "--field", "question", d["bench"]])
    lone = ["probe", "-q", whole, "--field", "question", d["bench"]]
    loaded = peak_rss_kib(lone)
    streamed = peak_rss_kib(lone, env={"CONTAM_PROBE_PARTS": "stream"})
    whole = peak_rss_kib(args, env={"CONTAM_PROBE_PARTS": "whole"})
    S.note(f"peak RSS: set one at a time {one} KiB, set whole {whole} KiB, "
           f"uncompressed mapped {mapped} KiB, lone index loaded {loaded} KiB, "
           f"streamed {streamed} KiB (filter {filt} KiB)")
    check(whole > filt and loaded > filt, f"the whole set took {whole} KiB, the loaded "
          f"index {loaded} KiB, less than the filter: the measure cannot tell them apart")
    check(streamed < filt // 2, f"the streamed index took {streamed} KiB of a {filt} KiB filter")
    check(one < filt // 2, f"one partition at a time took {one} KiB of a {filt} KiB filter")
    check(mapped < filt // 2, f"the mapped index took {mapped} KiB of a {filt} KiB filter")


if __name__ == "__main__":
    sys.exit(S.run(setup))
