#!/usr/bin/env python3
"""test_mpi.py -- `mpirun -np R contam-mpi index` writes the same bytes as
`contam index` on the same inputs and sizing flags.

That is the whole contract of the MPI mode: the filter of a union of inputs
is the OR of the ranks' filters, the manifest is the union of theirs, so the
file must not depend on R.  Checked for 2 and 3 ranks, with the automatic
size estimate, with a filter of several 16 MiB reduction chunks (rank 0's
peak memory must grow by one filter, not two), for one --partition, with
more ranks than inputs (empty shares); a damaged input on one rank must
fail the whole job with exit 2 and write nothing.

Environment: CONTAM_BIN (contam), CONTAM_MPI_BIN (contam-mpi; set by
tests/meson.build when meson found MPI).  Without MPI or mpirun the test is
skipped (exit 77, meson's SKIP).
"""
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time

from clitest import ROOT, Suite, check, contam, load_generator

# under meson, CONTAM_BIN is set and CONTAM_MPI_BIN only when MPI was found;
# by hand, look next to the default build
MPI_BIN = os.environ.get("CONTAM_MPI_BIN") or (
    "" if os.environ.get("CONTAM_BIN") else
    os.path.join(ROOT, "build", "src", "mpi", "contam-mpi"))
MPIRUN = shutil.which("mpirun")
SIZE = ["--expected-ngrams", "100k"]

suite = Suite("mpi")


def mpi(ranks, *args, timeout=180):
    cmd = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", str(ranks),
           MPI_BIN] + [str(a) for a in args]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stderr.decode("utf-8", "replace"), time.time() - t0


def setup(tmp):
    gen = load_generator()
    out = os.path.join(tmp, "data")
    gen.main([out])
    corpus = os.path.join(out, "corpus")
    one = os.path.join(tmp, "one.cidx")
    contam("index", "-q", *SIZE, "-o", one, corpus).expect(0)
    return {"tmp": tmp, "corpus": corpus, "one": one}


def same_as_single(c, ranks, name, size, inputs=None):
    inputs = inputs or [c["corpus"]]
    single = os.path.join(c["tmp"], name + ".single.cidx")
    multi = os.path.join(c["tmp"], name + ".mpi.cidx")
    contam("index", "-q", *size, "-o", single, *inputs).expect(0)
    rc, err, secs = mpi(ranks, "index", "-q", *size, "-o", multi, *inputs)
    check(rc == 0, f"contam-mpi on {ranks} ranks: exit {rc}\n  stderr: {err[-800:]}")
    check(filecmp.cmp(single, multi, shallow=False),
          f"{ranks} ranks ({' '.join(size)}): index differs from the single-process run")
    contam("verify", multi).expect(0)
    suite.note(f"{name}: {ranks} ranks {secs:.2f}s")


@suite.test
def two_ranks_equal_one_process(c):
    same_as_single(c, 2, "np2", SIZE)


@suite.test
def three_ranks_equal_one_process(c):
    same_as_single(c, 3, "np3", SIZE)


@suite.test
def estimated_size_is_the_same_plan(c):
    # no sizing flag: rank 0 estimates over ALL inputs, as contam index does
    same_as_single(c, 2, "auto", [])


PEAK = re.compile(r"peak memory (\d+) bytes .* filter (\d+) bytes")


def rank0_peak(c, size):
    out = os.path.join(c["tmp"], "peak.cidx")
    rc, err, _ = mpi(2, "index", *size, "-o", out, c["corpus"])
    check(rc == 0, f"contam-mpi {' '.join(size)}: exit {rc}: {err[-500:]}")
    m = PEAK.search(err)
    check(m, f"no peak memory line in the summary: {err[-500:]}")
    return int(m.group(1)), int(m.group(2))


@suite.test
def several_reduction_chunks_in_bounded_memory(c):
    # 60M n-grams at 1e-3 is ~112 MiB of filter: seven 16 MiB MPI_Reduce calls
    size = ["--expected-ngrams", "60M"]
    same_as_single(c, 2, "chunks", size)
    # rank 0 reduces in place: its peak grows by the filter plus one chunk's
    # worth of MPI buffers, not by two filters.  (Under AddressSanitizer the
    # shadow memory and quarantine inflate RSS: the bound is meaningless.)
    if os.environ.get("ASAN_OPTIONS"):
        suite.note("memory bound not checked under AddressSanitizer")
        return
    base, _ = rank0_peak(c, SIZE)
    peak, filt = rank0_peak(c, size)
    extra = peak - base
    check(extra < filt + (48 << 20),
          f"rank 0 peak grew by {extra >> 20} MiB for a {filt >> 20} MiB filter")
    suite.note(f"rank 0 peak: {base >> 20} MiB at a tiny filter, {peak >> 20} MiB "
               f"with a {filt >> 20} MiB filter")


@suite.test
def one_partition_equals_contam_index_partition(c):
    same_as_single(c, 2, "part1of3", SIZE + ["--partition", "1/3"])


@suite.test
def more_ranks_than_inputs(c):
    files = sorted(os.path.join(c["corpus"], f) for f in os.listdir(c["corpus"])
                   if os.path.isfile(os.path.join(c["corpus"], f)))[:2]
    same_as_single(c, 4, "empty-shares", SIZE, files)


@suite.test
def damaged_input_fails_every_rank(c):
    bad = os.path.join(c["tmp"], "bad")
    shutil.copytree(c["corpus"], bad)
    src = os.path.join(bad, "shard.jsonl.gz")
    with open(src, "rb") as fh:
        data = fh.read()
    with open(os.path.join(bad, "cut.jsonl.gz"), "wb") as fh:
        fh.write(data[:len(data) // 2])
    out = os.path.join(c["tmp"], "bad.cidx")
    rc, err, _ = mpi(3, "index", "-q", "--strict", *SIZE, "-o", out, bad)
    check(rc == 2, f"damaged input with --strict: exit {rc}, expected 2\n  {err[-500:]}")
    check("cut.jsonl.gz" in err, f"the error does not name the damaged file: {err[-500:]}")
    check(not os.path.exists(out), "an index was written although a rank failed")
    # without --strict the damaged record is skipped and counted, as in contam index
    same_as_single(c, 3, "damaged", SIZE, [bad])


@suite.test
def unreadable_walked_files_are_counted_as_in_contam_index(c):
    """A walked file contam index counts as unreadable (an executable named
    .jsonl) is counted on its rank too: the ranks read their shares as the
    walk found them (the rank stopped the run on it, exit 2)."""
    d = os.path.join(c["tmp"], "unreadable")
    shutil.copytree(c["corpus"], d)
    shutil.copy("/bin/true", os.path.join(d, "bin.jsonl"))
    same_as_single(c, 2, "unreadable", SIZE, [d])


@suite.test
def usage_and_input_errors(c):
    rc, err, _ = mpi(2, "index", c["corpus"])
    check(rc == 1 and "no output" in err, f"missing -o: exit {rc}: {err[-300:]}")
    # a file named twice (here: also inside its directory) would be read by
    # two ranks; the manifest is a set, so it is refused
    rc, err, _ = mpi(2, "index", "-o", os.path.join(c["tmp"], "x"), *SIZE, c["corpus"],
                     os.path.join(c["corpus"], "essay.txt"))
    check(rc == 2 and "more than once" in err, f"duplicate input: exit {rc}: {err[-300:]}")
    rc, err, _ = mpi(2, "index", "-o", os.path.join(c["tmp"], "x"),
                     os.path.join(c["tmp"], "missing"))
    check(rc == 2 and "missing" in err, f"missing input: exit {rc}: {err[-300:]}")



# ---- index --minhash --------------------------------------------------

MH_SUMMARY = re.compile(r"^contam(?:-mpi)?: (minhash: \d+ windows, .*)$", re.M)


def minhash_same_as_single(c, ranks, name, flags, inputs=None):
    """contam-mpi index --minhash on `ranks` ranks writes contam index's bytes,
    and its summary gives the minhash fill and band rate of the whole
    reduced filter (rank 0's build measured its share only)."""
    inputs = inputs or [c["corpus"]]
    single = os.path.join(c["tmp"], name + ".single.cidx")
    multi = os.path.join(c["tmp"], name + ".mpi.cidx")
    one = contam("index", *flags, "-o", single, *inputs).expect(0)
    rc, err, secs = mpi(ranks, "index", *flags, "-o", multi, *inputs)
    check(rc == 0, f"contam-mpi {' '.join(flags)} on {ranks} ranks: exit {rc}\n"
                   f"  stderr: {err[-800:]}")
    check(filecmp.cmp(single, multi, shallow=False),
          f"{ranks} ranks ({' '.join(flags)}): index differs from contam index")
    info = contam("info", multi).expect(0)
    check(re.search(r"^minhash\s+b=", info.out, re.M),
          f"no minhash section in 'contam info' of the contam-mpi index:\n{info.out[-800:]}")
    contam("verify", multi).expect(0)
    a, b = MH_SUMMARY.search(one.err), MH_SUMMARY.search(err)
    check(a and b, f"no minhash summary line: contam: {one.err[-400:]}\n"
                   f"contam-mpi: {err[-400:]}")
    check(a.group(1) == b.group(1),
          f"{ranks} ranks: the minhash summary is not that of the whole filter:\n"
          f"  contam index: {a.group(1)}\n  contam-mpi:   {b.group(1)}")
    suite.note(f"{name}: {ranks} ranks {secs:.2f}s; {b.group(1)}")


@suite.test
def minhash_one_rank_equals_contam_index(c):
    minhash_same_as_single(c, 1, "mh-np1", ["--minhash"] + SIZE)


@suite.test
def minhash_two_ranks_equal_contam_index(c):
    minhash_same_as_single(c, 2, "mh-np2", ["--minhash"] + SIZE)


@suite.test
def minhash_options_and_estimate_two_ranks(c):
    # every --minhash-* option (each implies --minhash), and no sizing flag:
    # the minhash filter is sized from rank 0's estimate over all inputs
    minhash_same_as_single(c, 2, "mh-opts", [
        "--minhash-bands", "8", "--minhash-rows", "3", "--minhash-windows", "16,40,100",
        "--minhash-shingle", "4", "--minhash-stride-div", "3", "--minhash-fpr", "1e-2"])


@suite.test
def minhash_winnow_partition_doc_freq_two_ranks(c):
    minhash_same_as_single(c, 2, "mh-winnow", ["--minhash", "--winnow", "4"])
    minhash_same_as_single(c, 2, "mh-part", ["--minhash", "--partition", "1/3"] + SIZE)
    minhash_same_as_single(c, 2, "mh-df", ["--minhash", "--doc-freq", "--memory", "1M"])


@suite.test
def minhash_option_errors_as_contam_index(c):
    out = os.path.join(c["tmp"], "mh-bad.cidx")
    for bad in (["--minhash-bands", "0"], ["--minhash-rows", "x"],
                ["--minhash-windows", "24,,48"], ["--minhash-windows", "48,24"],
                ["--minhash-fpr", "0.7"], ["--minhash-shingle", "99"],
                ["--minhash-bands", "300", "--minhash-rows", "2"]):
        want = contam("index", *bad, *SIZE, "-o", out, c["corpus"]).expect(1)
        rc, err, _ = mpi(2, "index", *bad, *SIZE, "-o", out, c["corpus"])
        msg = want.err.strip().splitlines()[0].replace("contam: ", "contam-mpi: ", 1)
        check(rc == 1 and msg in err, f"{' '.join(bad)}: exit {rc}, expected 1 and "
                                      f"{msg!r}\n  stderr: {err[-400:]}")
        check(not os.path.exists(out), f"{' '.join(bad)}: an index was written")
    # b and r given: the threshold they mean is said, as contam index says it
    rc, err, _ = mpi(1, "index", "-q", "--minhash-bands", "8", "--minhash-rows", "3",
                     *SIZE, "-o", out, c["corpus"])
    check(rc == 0 and "near-dup threshold Jaccard 0.50 (b=8 bands of r=3 rows)" in err,
          f"--minhash-bands 8 --minhash-rows 3: exit {rc}: {err[-400:]}")


@suite.test
def minhash_options_in_help(c):
    p = subprocess.run([MPIRUN, "--allow-run-as-root", "-np", "1", MPI_BIN, "index",
                        "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    check(p.returncode == 0, f"contam-mpi index --help: exit {p.returncode}")
    text = p.stdout.decode()
    for opt in ("--minhash ", "--minhash-bands", "--minhash-rows", "--minhash-windows",
                "--minhash-shingle", "--minhash-stride-div", "--minhash-fpr"):
        check(opt in text, f"contam-mpi index --help does not list {opt.strip()}:\n{text[-600:]}")

if __name__ == "__main__":
    if not MPIRUN or not MPI_BIN or not os.path.exists(MPI_BIN):
        why = ("no mpirun on PATH" if not MPIRUN else
               f"no contam-mpi at {MPI_BIN}" if MPI_BIN else "meson did not find MPI")
        print(f"mpi: skipped ({why}; contam-mpi is built when meson finds MPI)")
        print("0 passed, 0 failed, 1 skipped")
        sys.exit(77)
    sys.exit(suite.run(setup))
