#!/usr/bin/env python3
"""test_hostile_inputs.py -- the hostile-input review, checked
item by item after the merge: the gaps the other tests left.

- OMP_NUM_THREADS=100000 (no --threads) does not make libgomp abort: every
  parallel region's team is capped (item 27, env form);
- a scan or an index of a corpus whose documents are empty runs clean
  under clang's UBSan (no arithmetic on a NULL batch text);
- scan -o and --report spelled differently but naming one new file are
  refused before anything is read or written;
- --resume reads again an input the checkpoint could not read (item 6),
  tried as root too: the unreadable input is a link to /proc/self/mem
  (EIO), then a real file;
- one corpus document matching 60k examples costs no more than 60k
  documents matching one each (hit records, --report provenance and the
  purify manifest searched every chain per example: quadratic);
- an output on a character device (-o /dev/null) is written in place: a
  temporary renamed over it replaced the device node with a regular file
  when run as root (and failed as any other user); tried on a private
  null device (mknod) as root, on /dev/null otherwise;
- -o /dev/null --report /dev/null is no clash;
- merge keeps the walk skips of its parts ("skipped" in info --json);

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import random
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402

S = Suite("test_hostile_inputs")
PL = ("the quick brown fox jumps over the lazy dog while seven purple "
      "elephants dance quietly beneath the silver moon tonight")


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    return path


@S.test
def test_omp_num_threads_env_capped(tmp):
    c = write(os.path.join(tmp, "omp.txt"), PL + "\n")
    b = write(os.path.join(tmp, "omp_b.jsonl"), json.dumps({"text": PL}) + "\n")
    env = {"OMP_NUM_THREADS": "100000"}
    ix = os.path.join(tmp, "omp.cidx")
    contam("index", "-q", "-o", ix, c, env=env).expect(0)
    contam("info", ix, env=env).expect(0)
    contam("verify", ix, env=env).expect(0)
    r = contam("probe", "-q", ix, b, env=env).expect(0)
    check('"contaminated"' in r.out, "probe under OMP_NUM_THREADS lost the hit")
    r = contam("scan", "-q", "--bench", b, "-o", "-", "--", c, env=env).expect(0)
    check(r.out.count("\n") == 1, f"scan under OMP_NUM_THREADS: {r.out!r}")
    m = os.path.join(tmp, "omp_m.cidx")
    contam("merge", "-q", "-o", m, ix, env=env).expect(0)


@S.test
def test_scan_empty_documents(tmp):
    c = write(os.path.join(tmp, "empty_docs.jsonl"),
              "".join(json.dumps({"text": ""}) + "\n" for _ in range(5)) +
              json.dumps({"text": PL}) + "\n")
    b = write(os.path.join(tmp, "empty_b.jsonl"), json.dumps({"text": PL}) + "\n")
    r = contam("scan", "-q", "--bench", b, "-o", "-", "--", c)
    check(r.rc == 0, f"scan of empty documents: exit {r.rc}: {r.err[-400:]}")
    check(r.out.count("\n") == 1, f"one hit expected: {r.out!r}")
    e = write(os.path.join(tmp, "empty_only.jsonl"), json.dumps({"text": ""}) + "\n")
    for corpus in (c, e):
        r = contam("index", "-q", "--allow-empty", "-o", os.path.join(tmp, "empty.cidx"), corpus)
        check(r.rc == 0, f"index of empty documents: exit {r.rc}: {r.err[-400:]}")


@S.test
def test_merge_keeps_walk_skips(tmp):
    parts = []
    for i in range(2):
        d = os.path.join(tmp, f"walk{i}")
        os.makedirs(d)
        write(os.path.join(d, "t.txt"), PL + f" {i}\n")
        write(os.path.join(d, f"blob{i}.bin"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200))
        ix = os.path.join(tmp, f"walk{i}.cidx")
        contam("index", "-q", "-o", ix, d).expect(0)
        parts.append(ix)
    m = os.path.join(tmp, "walk_m.cidx")
    contam("merge", "-q", "-o", m, *parts).expect(0)
    got = contam("info", "--json", m).expect(0).json().get("skipped") or []
    names = sorted(n for k in got for n in k.get("names", []))
    check(names == ["blob0.bin", "blob1.bin"], f"merged index lost the walk skips: {got}")
    check(sum(k.get("count", 0) for k in got) == 2, f"skip counts: {got}")


@S.test
def test_scan_output_report_same_new_file(tmp):
    c = write(os.path.join(tmp, "orc.txt"), PL + "\n")
    b = write(os.path.join(tmp, "orc_b.jsonl"), json.dumps({"text": PL}) + "\n")
    os.makedirs(os.path.join(tmp, "orsub"))
    for o, rep in (("orsub/../or.json", "./or.json"), ("or.json", tmp + "/or.json")):
        r = contam("scan", "-q", "--bench", b, "-o", o, "--report", rep, "--", c, cwd=tmp)
        check(r.rc == 1 and "same file" in r.err, f"-o {o} --report {rep}: exit {r.rc}: {r.err}")
        check(not os.path.exists(os.path.join(tmp, "or.json")), "a file was written")
    r = contam("scan", "-q", "--bench", b, "-o", "orsub/or.json", "--report", "or.json",
               "--", c, cwd=tmp).expect(0)


@S.test
def test_resume_rereads_unreadable(tmp):
    if not os.path.exists("/proc/self/mem"):
        return "skip"
    d = os.path.join(tmp, "resume_u")
    os.makedirs(d)
    b = write(os.path.join(d, "b.txt"), PL + " b\n")
    u = os.path.join(d, "u.txt")
    os.symlink("/proc/self/mem", u)
    out = os.path.join(d, "idx.cidx")
    r = contam("index", "-q", "--memory", "16M", "--allow-empty", "-o",
               out + ".checkpoint", u, b).expect(0)
    probs = contam("info", out + ".checkpoint").expect(0).out
    check("unreadable" in probs, f"the link was read: {probs[-300:]}")
    os.unlink(u)
    write(u, "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima\n")
    r = contam("index", "--memory", "16M", "--resume", "-o", out, u, b).expect(0)
    check("could not be read before" in r.err, r.err[-300:])
    q = write(os.path.join(d, "q.jsonl"), json.dumps(
        {"text": "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"}) + "\n")
    rep = contam("probe", "-q", out, q).expect(0).json()
    v = [e["verdict"] for e in rep["examples"]]
    check(v == ["contaminated"], f"the re-read input is not in the index: {v}")


@S.test
def test_one_document_many_examples_linear(tmp):
    r = random.Random(7)
    words = ["".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7))
             for _ in range(50000)]
    lines = [" ".join(r.choice(words) for _ in range(12)) for _ in range(60000)]
    b = write(os.path.join(tmp, "many_b.jsonl"),
              "".join(json.dumps({"text": t}) + "\n" for t in lines))
    one = write(os.path.join(tmp, "many_one.txt"), "\n".join(lines) + "\n")
    each = write(os.path.join(tmp, "many_each.jsonl"),
                 "".join(json.dumps({"text": t}) + "\n" for t in lines))
    secs = {}
    for name, corpus in (("one", one), ("each", each)):
        t0 = time.time()
        r = contam("scan", "-q", "--bench", b, "-o", os.path.join(tmp, "many_h"), "--report",
                   os.path.join(tmp, f"many_{name}.json"), "--purify",
                   os.path.join(tmp, f"many_p_{name}"), "--", corpus, timeout=300)
        secs[name] = time.time() - t0
        check(r.rc == 0, f"{name}: exit {r.rc}: {r.err[-300:]}")
        rep = json.load(open(os.path.join(tmp, f"many_{name}.json")))
        n = sum(1 for e in rep["examples"] if e["verdict"] == "contaminated")
        check(n == 60000, f"{name}: {n} contaminated examples")
    S.note(f"60k examples in one document {secs['one']:.2f} s, in 60k documents "
           f"{secs['each']:.2f} s")
    check(secs["one"] < 2 * secs["each"] + 1,
          f"one document matching 60k examples took {secs['one']:.1f} s "
          f"against {secs['each']:.1f} s for 60k documents")


def null_device(tmp):
    if os.geteuid() != 0:
        return "/dev/null"  # no rename over it can succeed: still a test
    dev = os.path.join(tmp, "null")
    if not os.path.exists(dev):
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return dev


@S.test
def test_output_on_device_in_place(tmp):
    try:
        dev = null_device(tmp)
    except OSError:
        return "skip"
    c = write(os.path.join(tmp, "dev.txt"), PL + "\n")
    b = write(os.path.join(tmp, "dev_b.jsonl"), json.dumps({"text": PL}) + "\n")
    ix = os.path.join(tmp, "dev.cidx")
    contam("index", "-q", "-o", ix, c).expect(0)
    rep = os.path.join(tmp, "dev_r.json")
    contam("probe", "-q", "-o", rep, ix, b).expect(0)
    runs = [("index", "-q", "-o", dev, c),
            ("merge", "-q", "-o", dev, ix),
            ("probe", "-q", "-o", dev, ix, b),
            ("probe", "-q", "-o", dev, ix, b, "--confirm", c),
            ("report", rep, "--format", "md", "-o", dev),
            ("scan", "-q", "--bench", b, "-o", dev, "--", c),
            ("scan", "-q", "--bench", b, "-o", dev, "--report", dev, "--", c)]
    for args in runs:
        r = contam(*args)
        check(r.rc == 0, f"contam {' '.join(args)}: exit {r.rc}: {r.err[-300:]}")
        check(stat.S_ISCHR(os.stat(dev).st_mode),
              f"contam {' '.join(args)} replaced the device with a regular file")
    left = [x for x in os.listdir(os.path.dirname(dev)) if ".tmp." in x]
    check(not left, f"temporaries left: {left}")


if __name__ == "__main__":
    sys.exit(S.run())
