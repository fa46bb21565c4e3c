#!/usr/bin/env python3
"""test_cli_scale.py -- merge, --add, partitions, checkpoint/resume and
plan, end to end on the binary.

The properties: merging per-shard indexes gives the same bytes as one run;
adding shards to an index gives the same bytes as one run; the P partition
files probed together give the same report as the whole index; a run killed
at a random point and resumed gives the same bytes as an uninterrupted one;
and a mismatch or a duplicate is refused with a message that says why.
"""
import filecmp
import json
import os
import shutil
import random
import signal
import subprocess
import sys
import time

from clitest import BIN, Suite, check, contam, load_generator

suite = Suite("scale")
SIZE = ["--expected-ngrams", "100k"]


def setup(tmp):
    gen = load_generator()
    out = os.path.join(tmp, "data")
    gen.main([out])  # corpus/, bench/demo.jsonl, expected.json
    corpus = os.path.join(out, "corpus")
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(corpus) for f in fs)
    one = os.path.join(tmp, "one.cidx")
    contam("index", "-q", *SIZE, "-o", one, corpus).expect(0)
    return {"tmp": tmp, "data": out, "corpus": corpus, "files": files, "one": one}


def probe(index, data):
    r = contam("probe", "-q", index, "--field", "question", "--field", "answer",
               "--id-field", "id", os.path.join(data, "bench", "demo.jsonl")).expect(0)
    return r.json()


@suite.test
def fast_paths_give_the_same_index(c):
    """The vectorized tokenizer (AVX-512 or AVX2), the AVX-512 Bloom
    insertion, the filter's write queue and isa-l inflation are
    optimizations only: with each taken out (CONTAM_SIMD, CONTAM_QUEUE,
    CONTAM_INFLATE), the index file is the same, byte for byte, on every
    input kind of the test corpus (gzip among them)."""
    tmp = c["tmp"]
    variants = {
        "scalar-zlib": {"CONTAM_SIMD": "off", "CONTAM_INFLATE": "zlib", "CONTAM_QUEUE": "off"},
        "noqueue": {"CONTAM_QUEUE": "off"},
        "avx2": {"CONTAM_SIMD": "avx2"},
        "zlib": {"CONTAM_INFLATE": "zlib"},
    }
    v = contam("--version", env=variants["scalar-zlib"]).expect(0).out
    check("tokenizer scalar, Bloom insertion scalar, write queue off, gzip zlib" in v,
          f"--version does not show the fast paths taken out: {v!r}")
    gz = [f for f in c["files"] if f.endswith(".gz")]
    check(gz, "the test corpus has gzip files")
    for name, env in variants.items():
        for threads in ("1", "2"):
            out = os.path.join(tmp, f"fast-{name}-{threads}.cidx")
            contam("index", "-q", *SIZE, "--threads", threads, "-o", out, c["corpus"],
                   env=env).expect(0)
            check(filecmp.cmp(out, c["one"], shallow=False),
                  f"index with {env}, {threads} threads differs from the default one")


@suite.test
def merge_equals_one_run(c):
    files, tmp = c["files"], c["tmp"]
    half = len(files) // 2
    a, b, m = (os.path.join(tmp, n) for n in ("a.cidx", "b.cidx", "m.cidx"))
    contam("index", "-q", *SIZE, "-o", a, *files[:half]).expect(0)
    contam("index", "-q", *SIZE, "-o", b, *files[half:]).expect(0)
    contam("merge", "-q", "-o", m, b, a).expect(0)
    check(filecmp.cmp(m, c["one"], shallow=False), "merged index differs from the one-shot index")


@suite.test
def merge_refuses_mismatch_and_duplicates(c):
    tmp, files = c["tmp"], c["files"]
    small = os.path.join(tmp, "small.cidx")
    contam("index", "-q", "--memory", "64k", "-o", small, files[0]).expect(0)
    out = os.path.join(tmp, "x.cidx")
    r = contam("merge", "-o", out, c["one"], small).expect(2)
    check("filter size" in r.err and "vs" in r.err, f"mismatch not named: {r.err}")
    check(not os.path.exists(out), "a refused merge left a file")
    r = contam("merge", "-o", out, c["one"], c["one"]).expect(2)
    check("more than one part" in r.err, f"duplicate not named: {r.err}")
    # one file under two spellings (relative and absolute, ./x): refused,
    # its documents would count twice; two files of one content are merged
    rel = os.path.relpath(files[0], tmp)
    p1, p2, p3 = (os.path.join(tmp, n) for n in ("sp1.cidx", "sp2.cidx", "sp3.cidx"))
    contam("index", "-q", *SIZE, "-o", p1, rel, cwd=tmp).expect(0)
    contam("index", "-q", *SIZE, "-o", p2, os.path.abspath(files[0])).expect(0)
    contam("index", "-q", *SIZE, "-o", p3, "./" + rel, cwd=tmp).expect(0)
    for x, y in ((p1, p2), (p1, p3)):
        r = contam("merge", "-o", out, x, y).expect(2)
        check("one file under two spellings" in r.err, f"two spellings merged: {r.err}")
    check(not os.path.exists(out), "a refused merge left a file")
    twin = os.path.join(tmp, "twin", os.path.basename(files[0]))
    os.makedirs(os.path.dirname(twin), exist_ok=True)
    shutil.copyfile(files[0], twin)
    p4 = os.path.join(tmp, "sp4.cidx")
    contam("index", "-q", *SIZE, "-o", p4, twin).expect(0)
    contam("merge", "-q", "-o", out, p2, p4).expect(0)


@suite.test
def add_equals_one_run(c):
    files, tmp = c["files"], c["tmp"]
    base = os.path.join(tmp, "base.cidx")
    contam("index", "-q", *SIZE, "-o", base, *files[:3]).expect(0)
    r = contam("index", "-q", "--add", base, files[0])
    check(r.rc == 2 and "already in" in r.err, f"re-adding was not refused: {r.rc} {r.err}")
    contam("index", "-q", "--add", base, *files[3:]).expect(0)
    check(filecmp.cmp(base, c["one"], shallow=False), "--add result differs from one run")
    # --force re-adds without changing the bits or double counting
    contam("index", "-q", "--add", base, "--force", files[0]).expect(0)
    check(filecmp.cmp(base, c["one"], shallow=False), "--add --force changed the index")


@suite.test
def partitions_probe_like_the_whole(c):
    tmp, data = c["tmp"], c["data"]
    parts = []
    for i in range(3):
        p = os.path.join(tmp, f"part{i}.cidx")
        contam("index", "-q", *SIZE, "--partition", f"{i}/3", "-o", p, c["corpus"]).expect(0)
        parts.append(p)
    whole = probe(c["one"], data)["examples"]
    together = probe(",".join(reversed(parts)), data)["examples"]
    check(whole == together, "partitioned probe differs from the whole index")
    r = contam("probe", "-q", ",".join(parts[:2]), os.path.join(data, "bench", "demo.jsonl"))
    check(r.rc == 2 and "partitions" in r.err, f"a missing partition was not refused: {r.err}")


@suite.test
def killed_and_resumed_equals_uninterrupted(c):
    tmp = c["tmp"]
    # inputs big enough that a run lasts a while: 12 files of generated text
    big = os.path.join(tmp, "big")
    os.makedirs(big, exist_ok=True)
    rnd = random.Random(7)
    words = [f"w{i}" for i in range(20000)]
    for f in range(12):
        with open(os.path.join(big, f"s{f:02d}.txt"), "w") as fh:
            fh.write(" ".join(rnd.choice(words) for _ in range(400000)))
    ref = os.path.join(tmp, "ref.cidx")
    contam("index", "-q", "-t", "2", "--expected-ngrams", "6M", "-o", ref, big).expect(0)
    out = os.path.join(tmp, "resumed.cidx")
    args = [BIN, "index", "-q", "-t", "2", "--expected-ngrams", "6M",
            "--checkpoint-every", "2M", "-o", out, big]
    t0 = time.time()
    subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
    full = time.time() - t0
    os.unlink(out)
    # kill -9 at a random point after the first checkpoint, then resume
    # until it completes.  A fixed fraction of a timed run is no point at
    # all on a shared machine (a run can take half or twice as long as the
    # last one), so the kill follows the checkpoint file's appearance, and
    # a run that still finished first is simply run again.
    for attempt in range(5):
        p = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while (not os.path.exists(out + ".checkpoint") and p.poll() is None
               and time.time() < deadline):
            time.sleep(0.005)
        time.sleep(rnd.uniform(0.0, 0.2) * full)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            break
        for leftover in (out, out + ".checkpoint"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    else:
        check(False, "every run finished before it could be killed")
    check(not os.path.exists(out), "a killed run left the final index")
    subprocess.run(args + ["--resume"], check=True, stderr=subprocess.DEVNULL)
    check(filecmp.cmp(out, ref, shallow=False), "resumed index differs from an uninterrupted run")
    check(not os.path.exists(out + ".checkpoint"), "checkpoint left behind after success")


@suite.test
def sigterm_leaves_nothing(c):
    tmp = c["tmp"]
    out = os.path.join(tmp, "term.cidx")
    big = os.path.join(tmp, "big")
    if not os.path.isdir(big):
        return "skip"
    # the signal must come while the run works: sooner on each try, as a
    # fast machine may finish before the first
    delays, i, early = [0.12, 0.06, 0.03, 0.015, 0.005], 0, 0
    while True:
        if i == len(delays):
            return "skip"  # every run finished before the signal
        p = subprocess.Popen([BIN, "index", "-q", "-t", "1", "--expected-ngrams", "6M",
                              "-o", out, big], stderr=subprocess.PIPE)
        time.sleep(delays[i])
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate()
        if p.returncode == -signal.SIGTERM and early < 5:
            # killed before contam installed its handlers (a slow start: a
            # sanitized build, a loaded machine): nothing was begun, so
            # nothing may be there; signal later
            check(not os.path.exists(out), "an index after a SIGTERM at start")
            delays[i] *= 2
            early += 1
            continue
        if p.returncode != 0:
            break
        os.unlink(out)
        i += 1
    check(p.returncode == 2, f"exit {p.returncode} after SIGTERM")
    check(b"nothing written" in err, f"no explanation: {err!r}")
    check(not os.path.exists(out), "SIGTERM left an index at the final path")
    check(not any(n.startswith("term.cidx.tmp") for n in os.listdir(tmp)), "temporary file left")


@suite.test
def winnow_guarantee_and_size(c):
    """Every span of >= W+n-1 tokens copied from the corpus is found in a
    winnowed index; the index holds about 2/(W+1) of the n-grams."""
    tmp = c["tmp"]
    rnd = random.Random(11)
    words = [f"t{i}" for i in range(5000)]
    docs = [[rnd.choice(words) for _ in range(rnd.randint(50, 400))] for _ in range(60)]
    corpus = os.path.join(tmp, "winnow.jsonl")
    with open(corpus, "w") as fh:
        for d in docs:
            fh.write(json.dumps({"text": " ".join(d)}) + "\n")
    n, w = 8, 6
    plain, winn = os.path.join(tmp, "plain.cidx"), os.path.join(tmp, "winn.cidx")
    contam("index", "-q", "--expected-ngrams", "40k", "-o", plain, corpus).expect(0)
    contam("index", "-q", "--expected-ngrams", "40k", "--winnow", str(w), "-o", winn,
           corpus).expect(0)
    ip = contam("info", "--json", plain).expect(0).json()
    iw = contam("info", "--json", winn).expect(0).json()
    check(iw["winnow"] == w, f"winnow not recorded: {iw.get('winnow')}")
    ratio = ip["ngrams_inserted"] / iw["ngrams_inserted"]
    check(2.5 < ratio < 4.5, f"winnowing kept 1/{ratio:.2f} of the n-grams, expected about 1/{(w + 1) / 2}")
    # probe random spans of exactly W+n-1 tokens: each must hit
    bench = os.path.join(tmp, "spans.txt")
    with open(bench, "w") as fh:
        for _ in range(300):
            d = rnd.choice(docs)
            a = rnd.randint(0, len(d) - (w + n - 1))
            fh.write(" ".join(d[a:a + w + n - 1]) + "\n")
    r = contam("probe", "-q", winn, bench).expect(0).json()
    missed = [e for e in r["examples"] if e["hits"] == 0]
    check(not missed, f"{len(missed)} of 300 guaranteed spans found no hit")
    # whole documents probed against the winnowed index are still contaminated
    docs_bench = os.path.join(tmp, "docs.txt")
    with open(docs_bench, "w") as fh:
        for d in docs[:30]:
            fh.write(" ".join(d) + "\n")
    r = contam("probe", "-q", winn, docs_bench).expect(0).json()
    bad = [e for e in r["examples"] if e["verdict"] != "contaminated"]
    check(not bad, f"{len(bad)} copied documents not contaminated under winnowing: {bad[:1]}")
    suite.note(f"winnow W={w}: index holds 1/{ratio:.2f} of the n-grams "
               f"({iw['filter_bytes']} vs {ip['filter_bytes']} filter bytes at equal --expected-ngrams)")


@suite.test
def plan_prints_a_plan(c):
    r = contam("plan", "--text-bytes", "9T", "--node-memory", "256G", "--cores", "64").expect(0)
    for word in ("filter", "partitions", "disk", "core-hours", "bits per n-gram"):
        check(word in r.out, f"plan lacks '{word}': {r.out}")
    r = contam("plan", "--text-bytes", "1G").expect(0)
    check("fits one node" in r.out, r.out)
    contam("plan").expect(1)


sys.exit(suite.run(setup))
