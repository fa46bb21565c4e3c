#!/usr/bin/env python3
"""test_index_safety.py -- index sets that are not one whole index, outputs
that are inputs, crafted chunk sizes, signals during merge, and the memory
of sparse indexes (found by a hostile-input review).

- A partition is never probed as the whole index: alone, with one missing,
  given twice, with another index's partition (same geometry), or written
  with a trailing comma ('p0.cidx,'); ',' is a usage error, not SIGSEGV.
  All partitions together find what the whole index finds; `info` says
  "partition i of P".
- An output equal to an input (same name, another spelling, a symlink, a
  hard link) is refused before anything is read or written, in index -o,
  probe -o, scan -o/--report, report -o, merge -o (and contam-mpi -o when
  MPI is there); the input is left byte for byte.
- An index whose chunks are not 1 MiB (written here by hand, with raw zstd
  blocks) is verified, merged and probed with all its bits.
- SIGTERM during a merge leaves neither OUT nor OUT.tmp.PID.
- info, verify and probe of a sparse 1 GiB index stay far below 1 GiB RSS.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import ctypes
import ctypes.util
import glob
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import mpi_env, BIN, Suite, check, contam  # noqa: E402

S = Suite("test_index_safety")
FAST = {"OMP_WAIT_POLICY": "passive"}
# the six benchmark items share PL, the file's own template by the rule
# of the template rule: probes here use --no-templates
PL = ("the quick brown fox jumps over the lazy dog while seven purple elephants "
      "dance quietly beneath the silver moon tonight")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def contaminated(res):
    return sum(1 for e in res.json()["examples"] if e["verdict"] == "contaminated")


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.corpus = os.path.join(tmp, "corpus.txt")
    c.other = os.path.join(tmp, "other.txt")
    c.bench = os.path.join(tmp, "bench.jsonl")
    write(c.corpus, "".join(f"document {i}: {PL} number {i}\n" for i in range(1, 7)))
    write(c.other, "".join(f"unrelated text {i} about zebras marmalade quantum "
                           f"factories and many other words {i}\n" for i in range(1, 7)))
    write(c.bench, "".join(json.dumps({"text": f"document {i}: {PL} number {i}"}) + "\n"
                           for i in range(1, 7)))
    c.p = [os.path.join(tmp, f"p{i}.cidx") for i in range(3)]
    c.o = [os.path.join(tmp, f"o{i}.cidx") for i in range(3)]
    for i in range(3):
        contam("index", "-q", "--memory", "3M", "--partition", f"{i}/3", "-o", c.p[i],
               c.corpus, env=FAST).expect(0)
        contam("index", "-q", "--memory", "3M", "--partition", f"{i}/3", "-o", c.o[i],
               c.other, env=FAST).expect(0)
    c.whole = os.path.join(tmp, "whole.cidx")
    contam("index", "-q", "--memory", "3M", "-o", c.whole, c.corpus, env=FAST).expect(0)
    return c


# ---- partitions ------------------------------------------------------------

@S.test
def all_partitions_find_what_the_whole_finds(c):
    whole = contaminated(contam("probe", "-q", "--no-templates", c.whole, c.bench, env=FAST).expect(0))
    check(whole == 6, f"whole index: {whole} contaminated, expected 6")
    for order in ([0, 1, 2], [2, 0, 1]):
        r = contam("probe", "-q", "--no-templates", ",".join(c.p[i] for i in order), c.bench, env=FAST)
        check(contaminated(r.expect(0)) == 6, f"all partitions {order}: {r.out[:200]}")


@S.test
def lone_partition_is_refused(c):
    for i in range(3):
        r = contam("probe", "-q", "--no-templates", c.p[i], c.bench, env=FAST).expect(2)
        check(f"partition {i + 1} of 3" in r.err, r.err)
        missing = [j for j in range(3) if j != i]
        want = " and ".join(str(j + 1) for j in missing) + " of 3"
        check(f"missing {want}" in r.err, f"missing not named: {r.err}")
        check(f"--partition {missing[0]}/3" in r.err, r.err)
        check(r.out == "", f"a report was written: {r.out[:200]}")


@S.test
def incomplete_or_doubled_sets_are_refused(c):
    r = contam("probe", "-q", "--no-templates", f"{c.p[0]},{c.p[2]}", c.bench, env=FAST).expect(2)
    check("missing 2 of 3 (built with --partition 1/3, which counts from 0)" in r.err, r.err)
    r = contam("probe", "-q", "--no-templates", f"{c.p[0]},{c.p[1]},{c.p[1]}", c.bench, env=FAST).expect(2)
    check("partition 2 of 3 is given twice" in r.err, r.err)
    r = contam("probe", "-q", "--no-templates", f"{c.whole},{c.p[1]}", c.bench, env=FAST).expect(2)
    check("not partitions of one index" in r.err or "whole index" in r.err, r.err)


@S.test
def partitions_of_another_index_are_refused(c):
    # same geometry, other corpus: bits from two indexes are no index
    r = contam("probe", "-q", "--no-templates", f"{c.p[0]},{c.o[1]},{c.p[2]}", c.bench, env=FAST).expect(2)
    check("partitions of different indexes" in r.err, r.err)
    check("other.txt" in r.err and "corpus.txt" in r.err, r.err)
    check(r.out == "", r.out[:200])


@S.test
def empty_entries_are_usage_errors(c):
    for arg in (c.p[0] + ",", "," + c.p[0], f"{c.p[0]},,{c.p[1]},{c.p[2]}", ",", ",,"):
        r = contam("probe", "-q", "--no-templates", arg, c.bench, env=FAST)
        check(r.rc == 1, f"probe {arg!r}: exit {r.rc} (-11 = SIGSEGV), expected 1: {r.err}")
        check("empty index path" in r.err, r.err)
    # the whole index with a trailing comma is refused too: the rule is one
    r = contam("probe", "-q", "--no-templates", c.whole + ",", c.bench, env=FAST).expect(1)


@S.test
def info_names_the_partition(c):
    r = contam("info", c.p[1], env=FAST).expect(0)
    check("partition  2 of 3" in r.out and "--partition 1/3" in r.out, r.out)
    j = json.loads(contam("info", "--json", c.p[1], env=FAST).expect(0).out)
    check(j["partition"] == [1, 3], j["partition"])
    r = contam("info", c.whole, env=FAST).expect(0)
    check("partition" not in r.out, r.out)


# ---- an output that is an input -------------------------------------------

def spellings(c, path, tag):
    """The same file under other names: ./-relative, a symlink, a hard link."""
    d = os.path.dirname(path)
    link = os.path.join(d, f"link-{tag}")
    hard = os.path.join(d, f"hard-{tag}")
    for p in (link, hard):
        if os.path.lexists(p):
            os.unlink(p)
    os.symlink(os.path.basename(path), link)
    os.link(path, hard)
    return [path, os.path.join(d, ".", os.path.basename(path)), link, hard]


def refused(c, args, victim, what="output"):
    before = read(victim)
    r = contam(*args, cwd=c.tmp, env=FAST)
    check(r.rc in (1, 2), f"{r.cmdline()}: exit {r.rc}, expected a refusal")
    check(f"the {what} '" in r.err and "is the input" in r.err,
          f"{r.cmdline()}: message does not name both: {r.err}")
    check(read(victim) == before, f"{r.cmdline()}: the input was changed")
    check(not glob.glob(victim + ".tmp.*"), f"{r.cmdline()}: a temporary was left")


@S.test
def output_that_is_a_directory_is_refused_first(c):
    """-o naming a directory (or ending in '/') is refused before anything
    is read: the run used to build everything and fail at the rename."""
    d = os.path.join(c.tmp, "outdir")
    os.makedirs(d, exist_ok=True)
    for out in (d, d + "/"):
        for args in (["index", "-q", "-o", out, c.corpus],
                     ["merge", "-o", out, c.p[0], c.o[0]],
                     ["scan", "-q", "--bench", c.bench, "-o", out, c.corpus]):
            r = contam(*args).expect(2)
            check("it is a directory" in r.err, f"{args[0]} -o {out}: {r.err[-300:]}")
            check("wrote" not in r.err and "scanned" not in r.err,
                  f"{args[0]}: ran before refusing: {r.err[-300:]}")
    check(os.listdir(d) == [], f"left in the directory: {os.listdir(d)}")


@S.test
def index_output_is_input(c):
    corpus = os.path.join(c.tmp, "oi-corpus.jsonl")
    write(corpus, "".join(json.dumps({"text": f"corpus record {i} with words"}) + "\n"
                          for i in range(100)))
    for out in spellings(c, corpus, "ix"):
        refused(c, ["index", "-q", "-o", out, corpus], corpus)
    # a directory walk that would read the output
    d = os.path.join(c.tmp, "oi-dir")
    os.makedirs(d, exist_ok=True)
    shutil.copy(corpus, os.path.join(d, "a.jsonl"))
    refused(c, ["index", "-q", "-o", os.path.join(d, "a.jsonl"), d],
            os.path.join(d, "a.jsonl"))
    # a new output is fine; --add rewrites its own index on purpose
    out = os.path.join(c.tmp, "oi.cidx")
    contam("index", "-q", "-o", out, corpus, env=FAST).expect(0)
    other = os.path.join(c.tmp, "oi-other.txt")
    write(other, "other words for the added input file\n")
    contam("index", "-q", "--add", out, other, env=FAST).expect(0)


@S.test
def probe_output_is_input(c):
    bench = os.path.join(c.tmp, "oi-bench.jsonl")
    shutil.copy(c.bench, bench)
    for out in spellings(c, bench, "pb"):
        refused(c, ["probe", "-q", c.whole, bench, "-o", out], bench)
    for out in spellings(c, c.whole, "pi"):
        refused(c, ["probe", "-q", c.whole, bench, "-o", out], c.whole)
    # a partition of the set
    refused(c, ["probe", "-q", ",".join(c.p), bench, "-o", c.p[1]], c.p[1])
    # a --confirm corpus file
    refused(c, ["probe", "-q", c.whole, bench, "-o", c.corpus, "--confirm", c.corpus],
            c.corpus)


@S.test
def scan_outputs_are_inputs(c):
    bench = os.path.join(c.tmp, "oi-sbench.jsonl")
    shutil.copy(c.bench, bench)
    corpus = os.path.join(c.tmp, "oi-scorpus.txt")
    shutil.copy(c.corpus, corpus)
    for out in spellings(c, corpus, "sc"):
        refused(c, ["scan", "-q", "--bench", bench, "-o", out, corpus], corpus)
        refused(c, ["scan", "-q", "--bench", bench, "--report", out, corpus], corpus,
                what="report")
    refused(c, ["scan", "-q", "--bench", bench, "--report", bench, corpus], bench,
            what="report")
    refused(c, ["scan", "-q", "--bench", bench, "-o", bench, corpus], bench)
    r = contam("scan", "-q", "--bench", bench, "-o", "same.json", "--report", "same.json",
               corpus, cwd=c.tmp, env=FAST)
    check(r.rc == 1 and not os.path.exists(os.path.join(c.tmp, "same.json")), r.err)


@S.test
def report_output_is_input(c):
    rep = os.path.join(c.tmp, "oi-report.json")
    contam("probe", "-q", "--no-templates", c.whole, c.bench, "-o", rep, env=FAST).expect(0)
    for out in spellings(c, rep, "rp"):
        refused(c, ["report", rep, "--format", "md", "-o", out], rep)
    contam("report", rep, "--format", "md", env=FAST).expect(0)


@S.test
def merge_output_is_input(c):
    part = os.path.join(c.tmp, "oi-m.cidx")
    shutil.copy(c.whole, part)
    for out in spellings(c, part, "mg")[1:]:
        refused(c, ["merge", "-q", "-o", out, part], part)


@S.test
def mpi_output_is_input(c):
    mpi_bin = os.environ.get("CONTAM_MPI_BIN")
    mpirun = shutil.which("mpirun")
    if not mpi_bin or not mpirun or not os.path.exists(mpi_bin):
        return "skip"
    corpus = os.path.join(c.tmp, "oi-mpi.txt")
    shutil.copy(c.corpus, corpus)
    link = os.path.join(c.tmp, "oi-mpi-link")
    os.symlink(corpus, link)
    before = read(corpus)
    p = subprocess.run([mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2",
                        mpi_bin, "index", "-q", "-o", link, corpus],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, env=mpi_env())
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode != 0, f"contam-mpi -o INPUT: exit 0: {err}")
    check("is the input" in err, err)
    check(read(corpus) == before, "contam-mpi replaced its input")


# ---- chunk sizes other than 1 MiB ------------------------------------------

def crafted_index(path, nblocks, chunk, fill_byte, xxh3, name=b"x.txt"):
    """An index file (format v1) with `chunk`-byte chunks, each chunk a zstd
    frame of raw blocks (no compressor needed), every hash valid."""
    def frame(raw):
        # single-segment frame with a 4-byte content size, raw blocks of
        # at most 128 KiB
        out = bytearray(struct.pack("<IB", 0xFD2FB528, 0xA0) + struct.pack("<I", len(raw)))
        pos = 0
        while True:
            blk = raw[pos:pos + (128 << 10)]
            pos += len(blk)
            last = pos >= len(raw)
            hdr = (len(blk) << 3) | (0 << 1) | (1 if last else 0)
            out += struct.pack("<I", hdr)[:3] + blk
            if last:
                return bytes(out)

    held = nblocks * 64
    nch = (held + chunk - 1) // chunk
    entry = struct.pack("<IQQQQQI", 4, 1, 1, 1, 1, 0, len(name)) + name
    man_raw = struct.pack("<I", 1) + entry + struct.pack("<Q", 0)
    man = frame(man_raw)
    hsize = 128 + 2 * 32
    table = bytearray(struct.pack("<QQ", chunk, nch))
    data = bytearray()
    base = 16 + nch * 24
    for c in range(nch):
        n = min(chunk, held - c * chunk)
        f = frame(bytes([fill_byte]) * n)
        table += struct.pack("<QQQ", base + len(data), len(f), xxh3(f))
        data += f
    h = bytearray(hsize)
    h[0:8] = b"CONTAMIX"
    struct.pack_into("<IIIIQQII", h, 8, 1, hsize, 8, 6, nblocks, 0x636f6e74616d3031, 1, 512)
    struct.pack_into("<QII", h, 48, 1, 2, 1)
    h[64:64 + 23] = b"nfkc-casefold-alnum-cjk"
    struct.pack_into("<IIQQI", h, 96, 0, 1, 0, nblocks, 0)
    struct.pack_into("<IIQQ", h, 128, 1, 0, hsize, len(man))
    struct.pack_into("<IIQQ", h, 160, 2, 0, hsize + len(man), len(table) + len(data))
    trailer = struct.pack("<Q", xxh3(bytes(h) + man + bytes(table))) + b"CONTAMND"
    with open(path, "wb") as f:
        f.write(bytes(h) + man + bytes(table) + bytes(data) + trailer)


def load_xxh3():
    name = ctypes.util.find_library("xxhash") or "libxxhash.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.XXH3_64bits.restype = ctypes.c_uint64
    lib.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    return lambda b: lib.XXH3_64bits(b, len(b))


@S.test
def merge_of_any_chunk_size_keeps_every_bit(c):
    xxh3 = load_xxh3()
    if not xxh3:
        S.note("no libxxhash for ctypes: crafted chunk sizes not tested here "
               "(test_index_safety.c covers them)")
        return "skip"
    for chunk, fill in ((2 << 20, 0x41), (512 << 10, 0xff), (192, 0x0f)):
        src = os.path.join(c.tmp, f"cs{chunk}.cidx")
        out = os.path.join(c.tmp, f"cs{chunk}-m.cidx")
        crafted_index(src, 65536 + 3, chunk, fill, xxh3)
        contam("verify", src, env=FAST).expect(0)
        want = json.loads(contam("info", "--json", src, env=FAST).expect(0).out)
        check(want["fill"] == bin(fill).count("1") / 8, f"crafted fill {want['fill']}")
        r = contam("merge", "-q", "-o", out, src, env=FAST)
        check(r.rc == 0, f"merge of {chunk}-byte chunks: exit {r.rc}: {r.err[-500:]}")
        contam("verify", out, env=FAST).expect(0)
        got = json.loads(contam("info", "--json", out, env=FAST).expect(0).out)
        check(got["bits_set"] == want["bits_set"],
              f"{chunk}-byte chunks: merged {got['bits_set']} bits, had {want['bits_set']}")
        os.unlink(out)
        # with a standard 1 MiB index of the same geometry: the OR of both
        std = os.path.join(c.tmp, "cs-std.cidx")
        crafted_index(std, 65536 + 3, 1 << 20, 0x80, xxh3, name=b"y.txt")
        r = contam("merge", "-q", "-o", out, std, src, env=FAST)
        check(r.rc == 0, r.err[-500:])
        both = json.loads(contam("info", "--json", out, env=FAST).expect(0).out)
        bits = bin(fill | 0x80).count("1") * (65536 + 3) * 64
        check(both["bits_set"] == bits, f"OR: {both['bits_set']} bits, expected {bits}")
        os.unlink(out)


# ---- SIGTERM during merge -------------------------------------------------

@S.test
def sigterm_during_merge_leaves_nothing(c):
    a, b = os.path.join(c.tmp, "sa.cidx"), os.path.join(c.tmp, "sb.cidx")
    contam("index", "-q", "--memory", "2G", "-o", a, c.corpus, env=FAST).expect(0)
    contam("index", "-q", "--memory", "2G", "-o", b, c.other, env=FAST).expect(0)
    out = os.path.join(c.tmp, "sm.cidx")
    landed = 0
    for attempt in range(5):
        p = subprocess.Popen([BIN, "merge", "-q", "-o", out, a, b],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        t0 = time.time()
        # signal it while its temporary file is being written
        while p.poll() is None and not glob.glob(out + ".tmp.*") and time.time() - t0 < 30:
            time.sleep(0.0005)
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        err = err.decode("utf-8", "replace")
        left = glob.glob(out + ".tmp.*")
        check(not left, f"SIGTERM during merge left {left} (exit {p.returncode})")
        if p.returncode == 0:   # finished before the signal: a whole index
            contam("verify", out, env=FAST).expect(0)
            os.unlink(out)
            continue
        landed += 1
        check(p.returncode == 2, f"interrupted merge: exit {p.returncode}: {err}")
        check("interrupted" in err and "nothing written" in err, err)
        check(not os.path.exists(out), "an interrupted merge left its output")
    check(landed > 0, "the signal never landed during the merge")


# ---- sparse indexes are not held whole -------------------------------------

def peak_rss_kb(args):
    p = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=dict(os.environ, **FAST))
    _, status, ru = os.wait4(p.pid, 0)
    p.stderr.read()
    p.stderr.close()
    return os.waitstatus_to_exitcode(status), ru.ru_maxrss


@S.test
def sparse_index_is_not_committed(c):
    sparse = os.path.join(c.tmp, "sparse.cidx")
    contam("index", "-q", "--memory", "1G", "-o", sparse, c.corpus, env=FAST).expect(0)
    check(os.path.getsize(sparse) < 1 << 20, "the sparse index is not small")
    for args in (["info", sparse], ["verify", sparse], ["probe", "-q", sparse, c.bench]):
        rc, kb = peak_rss_kb(args)
        check(rc == 0, f"{args}: exit {rc}")
        check(kb < 200 * 1024, f"contam {' '.join(args[:1])} of a sparse 1 GiB index: "
              f"peak RSS {kb} kB")
    # and the probe still finds everything
    check(contaminated(contam("probe", "-q", "--no-templates", sparse, c.bench, env=FAST).expect(0)) == 6,
          "the sparse index lost its n-grams")


if __name__ == "__main__":
    sys.exit(S.run(setup))
