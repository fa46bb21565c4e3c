#!/usr/bin/env python3
"""test_sizing.py -- the filter contam sizes by itself.

- Without --expected-ngrams/--memory the n-grams are measured on the
  inputs' content (read through the reader, tokenized): CJK text (every
  ideograph a token, 3 bytes each), a gzipped list of paths (short tokens,
  compressing 20x) and the CJK files of ../shared/data get a filter whose
  false-positive rate is within 1.25x of --fpr (it was 2x), with
  no OVERFULL or too-full warning.
- English corpora get about the filter their real n-gram count asks for
  (not a much bigger one); the estimate is the same for --threads 1 and 2
  (the index bytes are identical), also when only a sample of many files
  is read.
- An input of unknown size (a pipe, a FIFO) without --expected-ngrams or
  --memory is refused before anything is read (exit 1, nothing written);
  with --memory it is indexed.
- The "rebuild with --expected-ngrams N" of an overfull filter is at
  least the n-grams inserted.
- probe warns loudly about a saturated index.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import mpi_env, BIN, SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_sizing")
CORPUS = os.path.join(SHARED, "corpus")
RATE = re.compile(r"false-positive rate ([0-9.e+-]+) \(target ([0-9.e+-]+)\)")


def cjk_text(rnd, chars):
    # common ideographs and kana, with CJK punctuation between sentences
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)] + \
           [chr(c) for c in range(0x3041, 0x3094)]
    out = []
    while len(out) < chars:
        out.extend(rnd.choice(pool) for _ in range(rnd.randint(8, 40)))
        out.append(rnd.choice("。、！？\n"))
    return "".join(out)


def setup(tmp):
    rnd = random.Random(12)
    d = {"tmp": tmp}
    # 400k CJK characters (1.2 MB): more than the 256 KiB sampled
    d["zh"] = os.path.join(tmp, "zh.txt")
    with open(d["zh"], "w", encoding="utf-8") as f:
        f.write(cjk_text(rnd, 400000))
    d["zhjsonl"] = os.path.join(tmp, "zh.jsonl.gz")
    with gzip.open(d["zhjsonl"], "wt", encoding="utf-8") as f:
        for i in range(400):
            f.write(json.dumps({"id": i, "text": cjk_text(rnd, 1500)},
                               ensure_ascii=False) + "\n")
    d["paths"] = os.path.join(tmp, "warc.paths.gz")
    with gzip.open(d["paths"], "wt") as f:
        for i in range(3000):
            f.write("crawl-data/CC-MAIN-2024-22/segments/1715971%06d.%d/warc/"
                    "CC-MAIN-20240517%06d-20240518%06d-%05d.warc.gz\n"
                    % (rnd.randrange(10**6), i % 97, rnd.randrange(10**6),
                       rnd.randrange(10**6), i))
    words = ("the of and to in a is that for it as was with be by on not he "
             "this are or his from at which but have an they you were her she "
             "there had been one all we their river stone light").split()
    d["many"] = os.path.join(tmp, "many")
    for i in range(300):
        sub = os.path.join(d["many"], "%02d" % (i // 100))
        os.makedirs(sub, exist_ok=True)
        n = rnd.randint(20, 3000) if i % 37 else 60000
        with open(os.path.join(sub, "f%04d.txt" % i), "w") as f:
            f.write(" ".join(rnd.choice(words) for _ in range(n)) + "\n")
    return d


def index(out, *inputs, extra=(), **kw):
    return contam("index", "-o", out, *extra, *inputs, **kw)


def rate(r):
    m = RATE.search(r.err)
    check(m, f"{r.cmdline()}: no false-positive rate line:\n{r.err[-600:]}")
    return float(m.group(1)), float(m.group(2))


def within_target(r, what):
    r.expect(0)
    fpr, target = rate(r)
    check("OVERFULL" not in r.err and "too full" not in r.err,
          f"{what}: OVERFULL or too-full warning:\n{r.err[-600:]}")
    # within the 1.25x the build warns at (was 2x)
    check(fpr <= 1.25 * target,
          f"{what}: false-positive rate {fpr} is {fpr / target:.2f}x the target {target}")
    return fpr


def info(path):
    r = contam("info", "--json", path).expect(0)
    return r.json()


@S.test
def cjk_generated_sized_to_target(d):
    for name in ("zh", "zhjsonl"):
        out = os.path.join(d["tmp"], name + ".cidx")
        r = index(out, d[name])
        within_target(r, name)
        check("file(s) sampled" in r.err, f"no sampling note:\n{r.err[-400:]}")


@S.test
def paths_list_sized_to_target(d):
    out = os.path.join(d["tmp"], "paths.cidx")
    within_target(index(out, d["paths"]), "a gzipped list of paths")


@S.test
def shared_cjk_sized_to_target(d):
    names = ["zhwiki/wiki_00", "jawiki/wiki_00", "aozora/neko.txt", "chinese_novels",
             "commoncrawl_whirlwind/CC-MAIN-2024-22.warc.paths.gz"]
    todo = [n for n in names if os.path.exists(os.path.join(CORPUS, n))]
    if not todo:
        return "skip"
    for n in todo:
        out = os.path.join(d["tmp"], "shared.cidx")
        within_target(index(out, os.path.join(CORPUS, n)), n)


@S.test
def english_not_oversized(d):
    # the filter is about the one the true count asks for (0.8x .. 1.25x)
    cases = [("many", d["many"])]
    for n in ("c4/c4_sample.jsonl.gz", "gutenberg"):
        if os.path.exists(os.path.join(CORPUS, n)):
            cases.append((n, os.path.join(CORPUS, n)))
    for name, path in cases:
        auto = os.path.join(d["tmp"], "auto.cidx")
        r = index(auto, path)
        within_target(r, name)
        a = info(auto)
        exact = os.path.join(d["tmp"], "exact.cidx")
        index(exact, path, extra=("--expected-ngrams", a["ngrams_inserted"])).expect(0)
        e = info(exact)
        ratio = a["filter_bytes"] / e["filter_bytes"]
        check(0.8 <= ratio <= 1.25,
              f"{name}: automatic filter {a['filter_bytes']} B is {ratio:.2f}x the "
              f"{e['filter_bytes']} B that {a['ngrams_inserted']} n-grams need")


@S.test
def sampled_estimate_deterministic(d):
    # 300 files: a sample is read; --threads must not change it
    outs = []
    for t in ("1", "2"):
        out = os.path.join(d["tmp"], "det%s.cidx" % t)
        r = index(out, d["many"], extra=("--threads", t))
        r.expect(0)
        m = re.search(r"\((\d+) file\(s\) sampled\)", r.err)
        check(m and int(m.group(1)) < 300, f"not a sample of the 300 files:\n{r.err[-400:]}")
        outs.append(open(out, "rb").read())
    check(outs[0] == outs[1], "--threads 1 and 2 gave different index bytes")


@S.test
def pipe_refused_without_size(d):
    out = os.path.join(d["tmp"], "stdin.cidx")
    data = open(d["zh"], "rb").read()[:20000]
    r = index(out, "/dev/stdin", input=data, timeout=30)
    r.expect(1)
    check("cannot size the filter: '/dev/stdin' is a pipe of unknown size; give "
          "--expected-ngrams N or --memory SIZE" in r.err, f"message:\n{r.err}")
    check(not os.path.exists(out), "an index was written")
    # a FIFO is refused without being opened (no writer: would block)
    fifo = os.path.join(d["tmp"], "fifo")
    os.mkfifo(fifo)
    r = index(out, fifo, timeout=30)
    r.expect(1)
    check("is a pipe of unknown size" in r.err, f"fifo message:\n{r.err}")
    check(not os.path.exists(out), "an index was written (fifo)")
    # with --memory it is read, and the filter is not called overfull
    r = index(out, "/dev/stdin", extra=("--memory", "1M"), input=data, timeout=30)
    r.expect(0)
    fpr, target = rate(r)
    check(fpr < 0.01 and "OVERFULL" not in r.err, f"--memory 1M of a pipe:\n{r.err[-600:]}")
    check(info(out)["ngrams_inserted"] > 1000, "the pipe's n-grams are not in the index")
    # --expected-ngrams too
    os.unlink(out)
    index(out, "/dev/stdin", extra=("--expected-ngrams", "1e5"), input=data,
          timeout=30).expect(0)


@S.test
def rebuild_suggestion_covers_inserted(d):
    out = os.path.join(d["tmp"], "over.cidx")
    r = index(out, d["zh"], extra=("--expected-ngrams", "100"))
    r.expect(0)
    m = re.search(r"rebuild with --expected-ngrams (\d+) or more", r.err)
    check(m, f"no rebuild suggestion:\n{r.err[-600:]}")
    inserted = info(out)["ngrams_inserted"]
    check(int(m.group(1)) >= inserted,
          f"suggests --expected-ngrams {m.group(1)} for {inserted} n-grams inserted")


@S.test
def probe_warns_on_saturated_index(d):
    bench = os.path.join(d["tmp"], "bench.jsonl")
    with open(bench, "w", encoding="utf-8") as f:
        f.write(json.dumps({"question": open(d["zh"], encoding="utf-8").read(200)},
                           ensure_ascii=False) + "\n")
    sat = os.path.join(d["tmp"], "sat.cidx")
    index(sat, d["zh"], extra=("--memory", "1K")).expect(0)
    r = contam("probe", "--quiet", sat, bench)
    check(r.rc in (0, 3) or r.rc == 0, f"probe exit {r.rc}: {r.err[-300:]}")
    check(re.search(r"WARNING: index .*sat\.cidx has a false-positive rate of [0-9.]+ per "
                    r"n-gram: its verdicts are meaningless; rebuild it with a bigger filter",
                    r.err), f"no saturation warning:\n{r.err[-600:]}")
    good = os.path.join(d["tmp"], "good.cidx")
    index(good, d["zh"]).expect(0)
    r = contam("probe", good, bench)
    check("meaningless" not in r.err, f"warning on a well-sized index:\n{r.err[-400:]}")


MPI_BIN = os.environ.get("CONTAM_MPI_BIN") or (
    "" if os.environ.get("CONTAM_BIN") else
    os.path.join(os.path.dirname(os.path.dirname(BIN)), "mpi", "contam-mpi"))
MPIRUN = shutil.which("mpirun")


def mpi(*args):
    p = subprocess.run([MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", "2",
                        MPI_BIN] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                       env=mpi_env())
    return p.returncode, p.stderr.decode("utf-8", "replace")


@S.test
def mpi_sizes_like_index(d):
    if not MPIRUN or not MPI_BIN or not os.path.exists(MPI_BIN):
        return "skip"
    one = os.path.join(d["tmp"], "one.cidx")
    index(one, d["zh"], d["paths"]).expect(0)
    out = os.path.join(d["tmp"], "mpi.cidx")
    rc, err = mpi("index", "-o", out, d["zh"], d["paths"])
    check(rc == 0, f"contam-mpi exit {rc}: {err[-600:]}")
    a, b = info(one), info(out)
    check((a["nblocks"], a["k"]) == (b["nblocks"], b["k"]),
          f"contam-mpi filter {b['nblocks']} blocks k={b['k']}, contam index "
          f"{a['nblocks']} k={a['k']}")
    check("OVERFULL" not in err, err[-400:])
    fifo = os.path.join(d["tmp"], "mpififo")
    os.mkfifo(fifo)
    out2 = os.path.join(d["tmp"], "mpi2.cidx")
    rc, err = mpi("index", "-o", out2, fifo)
    check(rc == 1 and "is a pipe of unknown size" in err, f"exit {rc}: {err[-400:]}")
    check(not os.path.exists(out2), "contam-mpi wrote an index of a FIFO")


if __name__ == "__main__":
    sys.exit(S.run(setup))
