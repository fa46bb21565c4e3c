#!/usr/bin/env python3
"""test_cli_minhash_index.py -- `contam index --minhash` (docs/NEARDUP.md): the
section is written and described by info (b, r, threshold, S-curve), merge
of two --minhash indexes equals the index of both inputs, the bits do not
depend on threads, --add continues the section, partitions split it by
block range, incompatible merges are refused with a clear message, and an
index without --minhash has no section at all."""
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402

S = Suite("test_cli_minhash_index")


class Ctx:
    pass


def write_corpus(path, seed, ndocs, nwords):
    rnd = random.Random(seed)
    vocab = ["w%04d" % i for i in range(4000)]
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(ndocs):
            n = rnd.randint(nwords // 4, nwords)
            f.write(json.dumps({"text": " ".join(rnd.choice(vocab) for _ in range(n))}) + "\n")


def section_types(path):
    with open(path, "rb") as f:
        h = f.read(128 + 32 * 8)
    nsec = struct.unpack_from("<I", h, 56)[0]
    return [struct.unpack_from("<I", h, 128 + 32 * i)[0] for i in range(nsec)]


def section(path, typ):
    """The bytes of the section of type typ."""
    with open(path, "rb") as f:
        data = f.read()
    nsec = struct.unpack_from("<I", data, 56)[0]
    for i in range(nsec):
        t, _, off, ln, _ = struct.unpack_from("<IIQQQ", data, 128 + 32 * i)
        if t == typ:
            return data[off:off + ln]
    return None


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.a = os.path.join(tmp, "a.jsonl")
    c.b = os.path.join(tmp, "b.jsonl")
    write_corpus(c.a, 1, 150, 600)
    write_corpus(c.b, 2, 150, 600)
    return c


def idx(c, name, *args):
    out = os.path.join(c.tmp, name)
    contam("index", "-q", "-o", out, "--expected-ngrams", "200000", *args).expect(0)
    return out


@S.test
def test_info_and_threshold(c):
    out = os.path.join(c.tmp, "br.cidx")
    r = contam("index", "-o", out, "--minhash", "--minhash-bands", "8", "--minhash-rows", "3",
               "--minhash-windows", "24,48,96,192",
               "--expected-ngrams", "200000", c.a).expect(0)
    check("near-dup threshold Jaccard 0.50 (b=8 bands of r=3 rows)" in r.err,
          f"no threshold line: {r.err}")
    # swapped b and r: a warning
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "sw.cidx"), "--minhash-bands", "3",
               "--minhash-rows", "8", "--expected-ngrams", "200000", c.a).expect(0)
    check("threshold Jaccard 0.87" in r.err and "outside [0.2, 0.8]" in r.err,
          f"no warning for swapped b and r: {r.err}")
    # --minhash alone: no threshold line (b and r not given)
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "plain-mh.cidx"), "--minhash",
               "--expected-ngrams", "200000", c.a).expect(0)
    check("threshold" not in r.err, r.err)
    t = contam("info", out).expect(0).out
    check("b=8 bands of r=3 rows" in t and "near-dup threshold Jaccard 0.50" in t, t)
    check("S-curve" in t and "0.5:0.66" in t, t)
    j = contam("info", "--json", out).expect(0).json()
    m = j["minhash"]
    check(m["bands"] == 8 and m["rows"] == 3 and m["shingle"] == 5, m)
    check(m["windows"] == [24, 48, 96, 192] and m["strides"] == [12, 24, 48, 96], m)
    check(abs(m["threshold"] - 0.5) < 1e-9, m)
    check(len(m["s_curve"]) == 8 and abs(m["s_curve"][3][1] - (1 - (1 - 0.125) ** 8)) < 1e-5, m)
    check(m["keys"] == m["corpus_windows"] * 8 and m["keys"] > 0, m)
    check(m["shingles"] > 0 and m["bits_set"] > 0 and 0 < m["fill"] < 1, m)
    check(0 < m["band_fpr"] < 1e-3 and m["item_fpr"] > m["band_fpr"], m)
    check(m["bytes"] == m["nblocks"] * 64 and m["bytes_pct_of_filter"] > 0, m)
    # bad parameters: usage errors naming the problem
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "bad.cidx"), "--minhash-bands", "200",
               "--minhash-rows", "4", c.a)
    check(r.rc == 1 and "512" in r.err, f"b*r > 512: {r.rc} {r.err}")
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "bad.cidx"), "--minhash-windows", "48,24", c.a)
    check(r.rc == 1 and "ascending" in r.err, f"descending windows: {r.rc} {r.err}")
    check(not os.path.exists(os.path.join(c.tmp, "bad.cidx")), "a refused index was written")
    # an overfull minhash filter is said loudly, even with -q
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "full.cidx"), "--minhash",
               "--expected-ngrams", "2000", c.a).expect(0)
    check("minhash filter is OVERFULL" in r.err, f"no overfull warning: {r.err}")
    r = contam("index", "-q", "-o", os.path.join(c.tmp, "ok.cidx"), "--minhash",
               "--expected-ngrams", "200000", c.a).expect(0)
    check("OVERFULL" not in r.err, f"a warning for a well-sized filter: {r.err}")


@S.test
def test_no_minhash_no_section(c):
    plain = idx(c, "plain.cidx", c.a)
    check(5 not in section_types(plain), f"section 5 without --minhash: {section_types(plain)}")
    check("minhash" not in contam("info", "--json", plain).expect(0).json(), "minhash key")
    check("\nminhash " not in contam("info", plain).expect(0).out, "minhash in info text")
    mh = idx(c, "mh.cidx", "--minhash", c.a)
    check(5 in section_types(mh), f"no section 5 with --minhash: {section_types(mh)}")
    # the n-gram filter is the same with and without --minhash
    check(section(plain, 2) == section(mh, 2), "the n-gram filter changed with --minhash")


@S.test
def test_threads_identical(c):
    one = idx(c, "t1.cidx", "--minhash", "-t", "1", c.a, c.b)
    two = idx(c, "t2.cidx", "--minhash", "-t", "2", c.a, c.b)
    with open(one, "rb") as f1, open(two, "rb") as f2:
        check(f1.read() == f2.read(), "threads 1 and 2 give different files")


@S.test
def test_merge_equals_both(c):
    a = idx(c, "ma.cidx", "--minhash", c.a)
    b = idx(c, "mb.cidx", "--minhash", c.b)
    both = idx(c, "mab.cidx", "--minhash", c.a, c.b)
    m = os.path.join(c.tmp, "merged.cidx")
    contam("merge", "-o", m, a, b).expect(0)
    check(section(m, 5) is not None, "merge dropped the minhash section")
    check(section(m, 5) == section(both, 5), "merged minhash section differs from the index of both")
    with open(m, "rb") as f1, open(both, "rb") as f2:
        check(f1.read() == f2.read(), "merged file differs from the index of both")
    # the section of one input differs from both's (the test can fail)
    check(section(a, 5) != section(both, 5), "one input's section equals both's")


@S.test
def test_merge_refused(c):
    a = idx(c, "ra.cidx", "--minhash", c.a)
    plain = idx(c, "rplain.cidx", c.b)
    out = os.path.join(c.tmp, "refused.cidx")
    r = contam("merge", "-o", out, a, plain)
    check(r.rc != 0 and "has no minhash section" in r.err and "rplain.cidx" in r.err,
          f"merge with a non-minhash index: {r.rc} {r.err}")
    r4 = idx(c, "rr4.cidx", "--minhash-rows", "4", c.b)
    r = contam("merge", "-o", out, a, r4)
    check(r.rc != 0 and "minhash rows (r) differs" in r.err, f"different r: {r.rc} {r.err}")
    w = idx(c, "rw.cidx", "--minhash-windows", "24,48", c.b)
    r = contam("merge", "-o", out, a, w)
    check(r.rc != 0 and "minhash windows differs" in r.err, f"different windows: {r.rc} {r.err}")
    check(not os.path.exists(out), "a refused merge left a file")


@S.test
def test_add(c):
    a = idx(c, "aa.cidx", "--minhash", c.a)
    both = idx(c, "aab.cidx", "--minhash", c.a, c.b)
    contam("index", "-q", "--add", a, c.b).expect(0)
    with open(a, "rb") as f1, open(both, "rb") as f2:
        check(f1.read() == f2.read(), "--add differs from the index of both")
    # --minhash on an index without the section: refused
    plain = idx(c, "aplain.cidx", c.a)
    r = contam("index", "-q", "--add", plain, "--minhash", c.b)
    check(r.rc == 1 and "no minhash section" in r.err, f"--add --minhash: {r.rc} {r.err}")
    # other minhash options than the index's: refused
    a2 = idx(c, "aa2.cidx", "--minhash", c.a)
    r = contam("index", "-q", "--add", a2, "--minhash-rows", "4", c.b)
    check(r.rc == 1 and "differ from the minhash section" in r.err, f"--add other r: {r.rc} {r.err}")


@S.test
def test_partitions(c):
    whole = idx(c, "pw.cidx", "--minhash", c.a, c.b)
    wj = contam("info", "--json", whole).expect(0).json()["minhash"]
    parts = []
    total_bytes = 0
    total_set = 0
    for i in range(3):
        p = idx(c, f"p{i}.cidx", "--minhash", "--partition", f"{i}/3", c.a, c.b)
        parts.append(p)
        j = contam("info", "--json", p).expect(0).json()["minhash"]
        check(j["nblocks"] == wj["nblocks"] and j["keys"] == wj["keys"], (j, wj))
        total_bytes += j["bytes"]
        total_set += j["bits_set"]
    # block ranges: the partitions add up to the whole filter, bit for bit
    check(total_bytes == wj["bytes"], f"partition bytes {total_bytes} != {wj['bytes']}")
    check(total_set == wj["bits_set"], f"partition bits {total_set} != {wj['bits_set']}")
    # a partition merged with a whole index: refused (not a silent union)
    r = contam("merge", "-o", os.path.join(c.tmp, "pm.cidx"), parts[0], whole)
    check(r.rc != 0, f"merge of a partition and a whole index: {r.rc}")
    for p in parts:
        contam("verify", p).expect(0)
    # the set is read as one index (its minhash ranges into one filter):
    # a probe of the set gives the whole index's verdicts
    bench = os.path.join(c.tmp, "pbench.jsonl")
    with open(c.a, encoding="utf-8") as f, open(bench, "w", encoding="utf-8") as o:
        for i, line in enumerate(f):
            if i == 20:
                break
            words = json.loads(line)["text"].split()
            o.write(json.dumps({"id": i, "q": " ".join(words[:60 if i % 2 else 0] or
                                                       ["w9999"] * 60)}) + "\n")
    got = {}
    for name, target in (("set", ",".join(parts)), ("whole", whole)):
        out = os.path.join(c.tmp, f"probe-{name}.json")
        contam("probe", "-q", target, "--field", "q", "--id-field", "id", bench,
               "-o", out).expect(0)
        with open(out, encoding="utf-8") as f:
            rep = json.load(f)
        got[name] = [(e.get("id"), e.get("verdict"), e.get("hits")) for e in rep["examples"]]
    check(got["set"] and got["set"] == got["whole"], f"set {got['set'][:4]} whole {got['whole'][:4]}")
    verdicts = {v for _, v, _ in got["whole"]}
    check("contaminated" in verdicts and len(verdicts) > 1, f"one verdict only: {verdicts}")


@S.test
def test_checkpoint_resume(c):
    out = os.path.join(c.tmp, "ck.cidx")
    both = idx(c, "ckboth.cidx", "--minhash", c.a, c.b)
    # a checkpoint after every file; a finished run equals one without
    contam("index", "-q", "-o", out, "--expected-ngrams", "200000", "--minhash",
           "--checkpoint-every", "1K", c.a, c.b).expect(0)
    with open(out, "rb") as f1, open(both, "rb") as f2:
        check(f1.read() == f2.read(), "a run with checkpoints differs")
    # --resume from a checkpoint holding the first input: the same bytes
    # (the checkpoint is an ordinary index of its finished files)
    out2 = os.path.join(c.tmp, "ck2.cidx")
    idx(c, "ck2.cidx.checkpoint", "--minhash", c.a)
    r = contam("index", "-o", out2, "--expected-ngrams", "200000", "--minhash", "--resume",
               c.a, c.b).expect(0)
    check("resuming from" in r.err, r.err)
    with open(out2, "rb") as f1, open(both, "rb") as f2:
        check(f1.read() == f2.read(), "a resumed run differs from an uninterrupted one")


@S.test
def test_python_info(c):
    """Index.info()["minhash"] is info --json's "minhash" (None without)."""
    from clitest import BIN
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(BIN))))
    sys.path.insert(0, os.path.join(root, "python"))
    try:
        import contam as pc
        pc.Index  # noqa: B018
    except Exception:
        return "skip"  # the binding is not built here
    mh = idx(c, "py-mh.cidx", "--minhash", c.a)
    plain = idx(c, "py-plain.cidx", c.a)
    got = pc.Index.open(mh).info()["minhash"]
    want = contam("info", "--json", mh).expect(0).json()["minhash"]
    for key in ("shingle", "bands", "rows", "windows", "stride_div", "k", "nblocks", "bytes",
                "keys", "corpus_windows", "shingles", "bits_set"):
        check(got[key] == want[key], f"{key}: {got[key]} != {want[key]}")
    check(abs(got["band_fpr"] - want["band_fpr"]) <= 1e-6 * want["band_fpr"], (got, want))
    check(pc.Index.open(plain).info()["minhash"] is None, "minhash on a plain index")


if __name__ == "__main__":
    sys.exit(S.run(setup))
