#!/usr/bin/env python3
"""test_docfreq.py -- `contam index --doc-freq` (docs/FORMAT.md, the doc-freq section).

- index --doc-freq writes a doc-freq section; info (text and --json) shows
  its counters, bytes, d, the (document, n-gram) pairs counted and the
  noise; verify checks it.  A document counts once per n-gram: the pairs
  are the distinct n-grams per document, summed (computed here with the
  same tokenizer through contam-free Python for ASCII words).
- An index built without it has none: info says "no doc-freq section"
  (JSON null), and --add --doc-freq on it is refused (exit 1).
- merge of two --doc-freq indexes is byte-identical to one build of both
  inputs; a merge with an index without the section is refused (exit 2
  or 1, nothing written); a sketch of another size too.
- --add continues the counts: index(A) --add B == index(A + B).
- --threads 1 and 2 give identical bytes.
- Partitions each carry a share of the sketch (info shows it per
  partition), and --resume from a checkpoint keeps counting.
- A damaged doc-freq section is refused by verify and info (exit 2).
- contam-mpi --doc-freq with 2 and 3 ranks writes the bytes of contam
  index --doc-freq (skipped without mpirun or contam-mpi).

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, Suite, check, contam, mpi_env  # noqa: E402

S = Suite("test_docfreq")

WORDS = ("river stone light winter house garden music paper north silver market "
         "window letter forest engine harbor little yellow bridge castle mirror "
         "island pocket ticket valley orange planet rocket shadow spring").split()
BOILER = "the census counted the people of the town in the year of the survey"


def write_corpus(path, seed, docs):
    rnd = random.Random(seed)
    texts = []
    with open(path, "w") as f:
        for d in range(docs):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(20, 80))]
            text = " ".join(words)
            if d % 4 == 0:
                text += " " + BOILER + " " + BOILER  # twice: counts once
            texts.append(text)
            f.write(json.dumps({"text": text}) + "\n")
    return texts


def distinct_ngrams(text, n=8):
    # ASCII lowercase words: the recipe's tokens are the words themselves
    toks = text.split()
    return len({tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)})


def info(path):
    return contam("info", "--json", path).expect(0).json()


def setup(tmp):
    a, b = os.path.join(tmp, "a.jsonl"), os.path.join(tmp, "b.jsonl")
    ta = write_corpus(a, 1, 600)
    tb = write_corpus(b, 2, 600)
    return {"tmp": tmp, "a": a, "b": b, "ta": ta, "tb": tb,
            "opts": ["--expected-ngrams", "100000", "-q"]}


def same_bytes(x, y):
    with open(x, "rb") as f, open(y, "rb") as g:
        return f.read() == g.read()


@S.test
def index_info_verify(d):
    out = os.path.join(d["tmp"], "a.cidx")
    r = contam("index", "-o", out, "--doc-freq", "--expected-ngrams", "100000", d["a"])
    r.expect(0)
    check("doc-freq sketch" in r.err and "(document, n-gram) pairs" in r.err, r.err[-600:])
    j = info(out)
    df = j.get("doc_freq")
    check(df is not None, f"no doc_freq in info: {j}")
    want = sum(distinct_ngrams(t) for t in d["ta"])
    check(df["pairs"] == want, f"pairs {df['pairs']}, distinct n-grams per document {want}")
    check(df["d"] == 2 and df["counters"] == df["lines"] * 32 and df["bytes"] == df["lines"] * 64,
          str(df))
    # 1 counter per planned n-gram: 100000 counters
    check(abs(df["counters"] - 100000) < 64, str(df))
    check(abs(df["noise"] - 2 * df["pairs"] / df["counters"]) < 1e-3, str(df))
    t = contam("info", out).expect(0).out
    check("doc-freq   " in t and "counters of 16 bits, d=2" in t, t)
    v = contam("verify", out).expect(0).out
    check("doc-freq sketch" in v, v)


@S.test
def without_section(d):
    out = os.path.join(d["tmp"], "plain.cidx")
    contam("index", "-o", out, *d["opts"], d["a"]).expect(0)
    j = info(out)
    check(j["doc_freq"] is None, str(j.get("doc_freq")))
    t = contam("info", out).expect(0).out
    check("no doc-freq section" in t, t)
    check("doc-freq" not in contam("verify", out).expect(0).out, "verify names a sketch")
    r = contam("index", "--add", out, "--doc-freq", "-q", d["b"])
    r.expect(1)
    check("no doc-freq section" in r.err, r.err)


@S.test
def merge_add_threads(d):
    tmp = d["tmp"]
    a, b, ab = (os.path.join(tmp, n) for n in ("ma.cidx", "mb.cidx", "mab.cidx"))
    contam("index", "-o", a, "--doc-freq", *d["opts"], d["a"]).expect(0)
    contam("index", "-o", b, "--doc-freq", *d["opts"], d["b"]).expect(0)
    contam("index", "-o", ab, "--doc-freq", "-t", "1", *d["opts"], d["a"], d["b"]).expect(0)
    ab2 = os.path.join(tmp, "mab2.cidx")
    contam("index", "-o", ab2, "--doc-freq", "-t", "2", *d["opts"], d["a"], d["b"]).expect(0)
    check(same_bytes(ab, ab2), "--threads 1 and 2 differ")
    m = os.path.join(tmp, "merged.cidx")
    contam("merge", "-o", m, b, a).expect(0)
    check(same_bytes(m, ab), "merge differs from one build")
    # --add continues the counts
    added = os.path.join(tmp, "added.cidx")
    contam("index", "--add", a, "-o", added, "-q", d["b"]).expect(0)
    check(info(added)["doc_freq"] == info(ab)["doc_freq"],
          f"{info(added)['doc_freq']} vs {info(ab)['doc_freq']}")
    check(same_bytes(added, ab), "--add differs from one build")
    # --add keeps the sketch it continues: another size is refused
    r = contam("index", "--add", a, "-o", os.path.join(tmp, "added2.cidx"), "-q",
               "--doc-freq-memory", "1M", d["b"])
    check(r.rc == 1 and "--doc-freq-memory" in r.err, f"exit {r.rc}: {r.err}")
    # refused merges write nothing
    plain = os.path.join(tmp, "mplain.cidx")
    contam("index", "-o", plain, *d["opts"], d["b"]).expect(0)
    bad = os.path.join(tmp, "bad.cidx")
    r = contam("merge", "-o", bad, a, plain)
    check(r.rc != 0 and "no doc-freq section" in r.err, f"exit {r.rc}: {r.err}")
    other = os.path.join(tmp, "mother.cidx")
    contam("index", "-o", other, "--doc-freq-memory", "64K", *d["opts"], d["b"]).expect(0)
    r = contam("merge", "-o", bad, a, other)
    check(r.rc != 0 and "doc-freq sketch size" in r.err, f"exit {r.rc}: {r.err}")
    check(not os.path.exists(bad), "a refused merge wrote a file")


@S.test
def partitions_and_resume(d):
    tmp = d["tmp"]
    whole = info_path = os.path.join(tmp, "whole.cidx")
    contam("index", "-o", whole, "--doc-freq", *d["opts"], d["a"], d["b"]).expect(0)
    wj = info(info_path)
    pairs = 0
    for i in range(3):
        p = os.path.join(tmp, f"part{i}.cidx")
        contam("index", "-o", p, "--doc-freq", "--partition", f"{i}/3", *d["opts"],
               d["a"], d["b"]).expect(0)
        j = info(p)
        check(j["doc_freq"] is not None and j["doc_freq"]["lines"] == wj["doc_freq"]["lines"],
              str(j["doc_freq"]))
        check(j["doc_freq"]["counters"] < wj["doc_freq"]["counters"] * 0.5,
              f"partition {i} holds {j['doc_freq']['counters']} of "
              f"{wj['doc_freq']['counters']} counters")
        pairs += j["doc_freq"]["pairs"]
        t = contam("info", p).expect(0).out
        check("(this partition)" in t, t)
    check(pairs == wj["doc_freq"]["pairs"], f"partitions {pairs}, whole {wj['doc_freq']['pairs']}")
    # a checkpointed run, resumed, still counts every document: never
    # fewer pairs than one run (files in progress at a checkpoint may
    # count twice)
    out = os.path.join(tmp, "ck.cidx")
    contam("index", "-o", out, "--doc-freq", "--checkpoint-every", "1", *d["opts"],
           d["a"], d["b"]).expect(0)
    check(info(out)["doc_freq"]["pairs"] == wj["doc_freq"]["pairs"], "checkpointed run")
    ck = out + ".checkpoint"
    contam("index", "-o", out + ".1", "--doc-freq", *d["opts"], d["a"]).expect(0)
    os.rename(out + ".1", ck)  # as if the run stopped after a.jsonl
    r = contam("index", "-o", out, "--resume", *d["opts"], d["a"], d["b"])
    r.expect(0)
    check(same_bytes(out, whole), "resumed run differs from one run")


@S.test
def damaged_section(d):
    out = os.path.join(d["tmp"], "dmg.cidx")
    contam("index", "-o", out, "--doc-freq", *d["opts"], d["a"]).expect(0)
    with open(out, "rb") as f:
        data = bytearray(f.read())
    bad = os.path.join(d["tmp"], "dmg2.cidx")
    data[-40] ^= 0x20  # in the doc-freq section, the last one before the trailer
    with open(bad, "wb") as f:
        f.write(data)
    r = contam("verify", bad)
    check(r.rc == 2 and "doc-freq" in r.err, f"exit {r.rc}: {r.err}")
    r = contam("info", bad)
    check(r.rc == 2 and "doc-freq" in r.err, f"exit {r.rc}: {r.err}")


MPI_BIN = os.environ.get("CONTAM_MPI_BIN") or (
    "" if os.environ.get("CONTAM_BIN") else os.path.join(ROOT, "build", "src", "mpi", "contam-mpi"))
MPIRUN = shutil.which("mpirun")


@S.test
def mpi_same_bytes(d):
    if not MPIRUN or not MPI_BIN or not os.path.exists(MPI_BIN):
        return "skip"
    one = os.path.join(d["tmp"], "one.cidx")
    contam("index", "-o", one, "--doc-freq", *d["opts"], d["a"], d["b"]).expect(0)
    for ranks in (2, 3):
        out = os.path.join(d["tmp"], f"mpi{ranks}.cidx")
        p = subprocess.run([MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", str(ranks),
                            MPI_BIN, "index", "-o", out, "--doc-freq", *d["opts"], d["a"], d["b"]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=180, env=mpi_env())
        check(p.returncode == 0, f"contam-mpi -np {ranks}: exit {p.returncode}: {p.stderr[-600:]}")
        check(same_bytes(out, one), f"contam-mpi -np {ranks} differs from contam index "
              f"({info(out)['doc_freq']} vs {info(one)['doc_freq']})")


if __name__ == "__main__":
    sys.exit(S.run(setup))
