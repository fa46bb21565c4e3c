#!/usr/bin/env python3
"""test_cli_errors.py -- exit codes and messages of contam on bad usage and
bad input (docs/REPORT.md: 0 success, 1 usage error, 2 input or I/O error).

Covers: usage errors (no args, unknown command/flag, missing operands, bad
numbers); a missing index / input / benchmark (exit 2, path in stderr);
benchmark files that cannot be read (malformed JSON line -> "file:LINE",
unbalanced CSV quote, --field matching nothing, empty file); damaged index
files (every single-byte corruption and every truncation of a small index
is rejected by `info`, and `probe -o` exits 2 without writing a report);
a corpus with truncated gzip data (default: warning naming the file, exit
0, damage counted in `info --json`; --strict: exit 2, no index written).

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam, load_generator  # noqa: E402

S = Suite("test_cli_errors")
# Thousands of tiny loads: passive OpenMP waiting keeps each run ~0.01 s
# whatever the build's parallel regions do (same code, no spinning).
FAST = {"OMP_WAIT_POLICY": "passive"}

WORDS = ("plorn vask tibble murn quenth ardo selvish grane pothic wendle "
         "frasp ulmo kesh boradine trilve yom snark melp dorrow cabble "
         "hirst oanth bevvle nurr ispen galdric tumb wessel fop lurn").split()


def sentence(i, k=30):
    return " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] + str((i * 31 + j) % 97)
                    for j in range(k))


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    d = os.path.join(tmp, "corpus")
    os.makedirs(d)
    with open(os.path.join(d, "a.jsonl"), "w") as f:
        for i in range(6):
            f.write(json.dumps({"id": f"a{i}", "text": sentence(i)}) + "\n")
    c.corpus = d
    c.index = os.path.join(tmp, "ok.cidx")
    contam("index", "-q", "-o", c.index, d).expect(0)
    c.bench = os.path.join(tmp, "bench.jsonl")
    with open(c.bench, "w") as f:
        for i in range(4):
            f.write(json.dumps({"id": i, "question": sentence(i), "answer": "yes"}) + "\n")
    return c


def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    return path


def expect_fail(r, rc, *needles):
    r.expect(rc)
    for n in needles:
        check(n in r.err, f"{r.cmdline()}: stderr lacks {n!r}: {r.err.strip()[-400:]!r}")
    check(r.err.strip() != "", f"{r.cmdline()}: exit {rc} with nothing on stderr")


# ---------------------------------------------------------------- usage: 1

@S.test
def usage_errors(c):
    expect_fail(contam(), 1)
    expect_fail(contam("frobnicate"), 1, "frobnicate")
    for cmd in ("index", "probe", "info"):
        expect_fail(contam(cmd, "--no-such-flag"), 1)
    expect_fail(contam("index", c.corpus), 1)                       # no -o
    expect_fail(contam("index", "-o", os.path.join(c.tmp, "x.cidx")), 1)  # no input
    expect_fail(contam("probe"), 1)
    expect_fail(contam("probe", c.index), 1)                         # no bench
    expect_fail(contam("info"), 1)
    check(not os.path.exists(os.path.join(c.tmp, "x.cidx")), "usage error left an index")


@S.test
def bad_numbers(c):
    out = os.path.join(c.tmp, "bad.cidx")
    for args in (["--ngram", "0"], ["--ngram", "abc"], ["--ngram", "33"],
                 ["--fpr", "0"], ["--fpr", "1.5"], ["--fpr", "x"],
                 ["--threads", "-1"], ["--threads", "many"],
                 ["--memory", "lots"], ["--expected-ngrams", "-5"]):
        expect_fail(contam("index", "-q", *args, "-o", out, c.corpus), 1)
        check(not os.path.exists(out), f"index {args}: wrote an index after a usage error")
    for args in (["--min-span", "0"], ["--min-span", "ten"]):
        expect_fail(contam("probe", c.index, *args, c.bench), 1)


@S.test
def help_is_success(c):
    for cmd in (["--help"], ["index", "--help"], ["probe", "--help"], ["info", "--help"]):
        r = contam(*cmd).expect(0)
        check("usage" in r.out.lower(), f"contam {' '.join(cmd)}: no usage on stdout")


@S.test
def text_field_hint(c):
    """A JSONL corpus whose text is under another common name (ChineseWebText:
    raw_content) is refused, and the message says which --text-field."""
    d = os.path.join(c.tmp, "rawc")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "web.jsonl")
    with open(path, "w") as f:
        for i in range(3):
            f.write(json.dumps({"url": f"u{i}", "raw_content": f"some page text {i}"}) + "\n")
    out = os.path.join(c.tmp, "rawc.cidx")
    expect_fail(contam("index", "-q", "-o", out, path), 2, "--text-field raw_content")
    check(not os.path.exists(out), "an index was written")
    contam("index", "-q", "--text-field", "raw_content", "-o", out, path).expect(0)


# ------------------------------------------------------- missing files: 2

@S.test
def missing_index(c):
    p = os.path.join(c.tmp, "nope", "missing.cidx")
    expect_fail(contam("probe", p, c.bench), 2, p)
    expect_fail(contam("info", p), 2, p)
    expect_fail(contam("info", "--json", p), 2, p)


@S.test
def missing_inputs(c):
    out = os.path.join(c.tmp, "m.cidx")
    p = os.path.join(c.tmp, "no-such-corpus.jsonl")
    expect_fail(contam("index", "-q", "-o", out, c.corpus, p), 2, p)
    check(not os.path.exists(out), "index written although an input is missing")
    b = os.path.join(c.tmp, "no-such-bench.jsonl")
    rep = os.path.join(c.tmp, "m.json")
    expect_fail(contam("probe", c.index, "-o", rep, b), 2, b)
    check(not os.path.exists(rep), "report written although the bench is missing")


@S.test
def unwritable_outputs(c):
    out = os.path.join(c.tmp, "no", "such", "dir", "x.cidx")
    expect_fail(contam("index", "-q", "-o", out, c.corpus), 2)
    rep = os.path.join(c.tmp, "no", "such", "dir", "r.json")
    expect_fail(contam("probe", c.index, "-o", rep, c.bench), 2)


# ------------------------------------------------- unreadable benchmarks: 2

def probe_fails(c, bench, *extra, needles=()):
    rep = os.path.join(c.tmp, "r.json")
    if os.path.exists(rep):
        os.remove(rep)
    r = contam("probe", c.index, *extra, "-o", rep, bench)
    expect_fail(r, 2, *needles)
    check(not os.path.exists(rep), f"{r.cmdline()}: a report was written")
    return r


@S.test
def malformed_json_line(c):
    lines = [json.dumps({"question": sentence(i)}) for i in range(5)]
    lines[2] = '{"question": "cut short here, no closing'
    b = write(os.path.join(c.tmp, "badline.jsonl"), "\n".join(lines) + "\n")
    probe_fails(c, b, "--field", "question", needles=(f"{b}:3",))
    # an empty line before it: the LINE is still the line in the file
    lines.insert(1, "")
    b2 = write(os.path.join(c.tmp, "badline2.jsonl"), "\n".join(lines) + "\n")
    probe_fails(c, b2, "--field", "question", needles=(f"{b2}:4",))
    # trailing garbage after an object
    lines = [json.dumps({"question": sentence(i)}) for i in range(3)]
    lines[1] += " }"
    b3 = write(os.path.join(c.tmp, "badline3.jsonl"), "\n".join(lines) + "\n")
    probe_fails(c, b3, "--field", "question", needles=(f"{b3}:2",))
    # gzip'd benchmark: same message
    lines = [json.dumps({"question": sentence(i)}) for i in range(4)]
    lines[3] = "{not json}"
    b4 = write(os.path.join(c.tmp, "badline4.jsonl.gz"),
               gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    probe_fails(c, b4, "--field", "question", needles=(f"{b4}:4",))


@S.test
def csv_unbalanced_quote(c):
    # the quote is still open at the end of the file
    rows = ["id,question,answer"] + [f'{i},"{sentence(i)}",yes' for i in range(4)]
    rows[4] = '3,"this quote never closes, ' + sentence(3) + ",yes"
    b = write(os.path.join(c.tmp, "bad.csv"), "\n".join(rows) + "\n")
    probe_fails(c, b, "--field", "question", needles=(f"{b}:5",))
    # TSV likewise
    b2 = write(os.path.join(c.tmp, "bad.tsv"),
               "id\tquestion\n1\t\"open " + sentence(1) + "\n")
    probe_fails(c, b2, "--field", "question", needles=(b2,))


@S.test
def csv_unbalanced_quote_swallows_rows(c):
    """An unbalanced quote in row 2 is "closed" by the opening quote of row 3;
    a parser that keeps text after a closing quote then silently merges the
    two rows (the benchmark loses a record with no error).  Must be exit 2."""
    rows = ["id,question,answer"] + [f'{i},"{sentence(i)}",yes' for i in range(4)]
    rows[2] = '1,"this quote never closes, ' + sentence(1) + ",yes"
    b = write(os.path.join(c.tmp, "swallow.csv"), "\n".join(rows) + "\n")
    r = contam("probe", c.index, "--field", "question", b)
    n = len(r.json()["examples"]) if r.rc == 0 else None
    check(r.rc == 2, f"4 data rows, one with an unbalanced quote: exit {r.rc}, "
          f"{n} examples reported (rows were merged silently)")


@S.test
def field_matches_nothing(c):
    probe_fails(c, c.bench, "--field", "no_such_field", needles=("no_such_field",))
    probe_fails(c, c.bench, "--field", "question.stem")   # question is a string
    b = write(os.path.join(c.tmp, "h.csv"), "id,question\n1,\"" + sentence(1) + "\"\n")
    probe_fails(c, b, "--field", "answer", needles=("answer",))


@S.test
def empty_bench(c):
    probe_fails(c, write(os.path.join(c.tmp, "empty.jsonl"), ""))
    probe_fails(c, write(os.path.join(c.tmp, "blank.jsonl"), "\n\n  \n"))
    probe_fails(c, write(os.path.join(c.tmp, "empty.csv"), ""))
    probe_fails(c, write(os.path.join(c.tmp, "header_only.csv"), "id,question\n"),
                "--field", "question")
    probe_fails(c, write(os.path.join(c.tmp, "empty.json"), "[]"))
    probe_fails(c, write(os.path.join(c.tmp, "empty.txt"), ""))


# ---------------------------------------------------- damaged index files: 2

def _parallel(fn, jobs):
    with ThreadPoolExecutor(max_workers=4) as ex:
        return list(ex.map(fn, jobs))


@S.test
def corrupted_index_every_byte(c):
    """Every single-byte change of a small index is rejected (exit 2)."""
    data = open(c.index, "rb").read()
    check(len(data) < 8192, f"test index unexpectedly large: {len(data)}")
    good = contam("info", "--json", c.index, env=FAST).expect(0).json()
    good.pop("path")
    d = os.path.join(c.tmp, "flips")
    os.makedirs(d, exist_ok=True)
    jobs = [(i, x) for i in range(len(data))
            for x in ((0x01, 0xFF) if i < 128 else (0x01 if i % 2 else 0xFF,))]

    def one(job):
        i, x = job
        p = os.path.join(d, f"flip_{i}_{x}.cidx")
        bad = bytearray(data)
        bad[i] ^= x
        write(p, bytes(bad))
        r = contam("info", "--json", p, env=FAST)
        try:
            if r.rc == 0:
                got = r.json()
                got.pop("path")
                # a bit of a zstd frame that does not change what it decodes
                # to: the filter is intact (chunk hashes are over the raw
                # chunk), so this is not a wrong answer
                if got == good and contam("verify", p, env=FAST).rc == 0:
                    return "harmless"
            if r.rc != 2:
                return (i, hex(x), r.rc)
            if p not in r.err:
                return (i, hex(x), "message lacks the path")
            return None
        finally:
            os.remove(p)

    res = _parallel(one, jobs)
    harmless = [j[0] for j, r in zip(jobs, res) if r == "harmless"]
    accepted = [r for r in res if r and r != "harmless"]
    if harmless:
        S.note(f"{len(harmless)} byte flip(s) at {sorted(set(harmless))[:8]} change the "
               f"file but not the decoded index: accepted by info and verify")
    check(not accepted, f"{len(accepted)} of {len(jobs)} corruptions not rejected "
          f"with exit 2: {accepted[:12]}")


@S.test
def truncated_index_every_length(c):
    data = open(c.index, "rb").read()
    d = os.path.join(c.tmp, "truncs")
    os.makedirs(d, exist_ok=True)

    def one(n):
        p = os.path.join(d, f"trunc_{n}.cidx")
        write(p, data[:n] if n >= 0 else data + b"\0")
        r = contam("info", p, env=FAST)
        os.remove(p)
        return None if r.rc == 2 else (n, r.rc)

    accepted = [r for r in _parallel(one, list(range(len(data))) + [-1]) if r]
    check(not accepted, f"{len(accepted)} truncations (-1: one byte appended) "
          f"accepted: {accepted[:12]}")


@S.test
def probe_damaged_index_writes_no_report(c):
    data = open(c.index, "rb").read()
    variants = {
        "flip_middle": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x10])
        + data[len(data) // 2 + 1:],
        "flip_last": data[:-1] + bytes([data[-1] ^ 0x01]),
        "flip_header": data[:20] + bytes([data[20] ^ 0x04]) + data[21:],
        "truncated_half": data[:len(data) // 2],
        "truncated_1": data[:-1],
        "empty": b"",
        "not_an_index": b"hello, world\n" * 40,
    }
    for name, v in variants.items():
        p = write(os.path.join(c.tmp, f"{name}.cidx"), v)
        rep = os.path.join(c.tmp, f"{name}.report.json")
        r = contam("probe", p, "-o", rep, c.bench)
        check(r.rc == 2, f"probe on {name} index: exit {r.rc}")
        check(p in r.err, f"probe on {name} index: stderr lacks the path: {r.err!r}")
        check(not os.path.exists(rep), f"probe on {name} index wrote a report")
        check(r.out.strip() == "", f"probe on {name} index printed a report")


# --------------------------------------------------- damaged corpus input

def damaged_corpus(c):
    d = os.path.join(c.tmp, "dmg")
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    # multi-member gzip JSONL; the last member is cut in the middle
    members = []
    for m in range(3):
        lines = "".join(json.dumps({"id": f"m{m}l{k}", "text": sentence(100 + 10 * m + k, 60)})
                        + "\n" for k in range(4))
        members.append(gzip.compress(lines.encode(), mtime=0))
    blob = b"".join(members)
    write(os.path.join(d, "bad.jsonl.gz"), blob[:len(blob) - len(members[-1]) // 2])
    write(os.path.join(d, "good.jsonl"),
          json.dumps({"text": sentence(200, 40)}) + "\n")
    # a generated WET file with its last record cut
    gen = load_generator()
    td = os.path.join(c.tmp, "gen")
    gen.build(td, seed=3, ndocs=40)
    wet = open(os.path.join(td, "corpus", "web.warc.wet.gz"), "rb").read()
    write(os.path.join(d, "cut.warc.wet.gz"), wet[:len(wet) - 300])
    return d


@S.test
def truncated_gzip_default_warns(c):
    d = damaged_corpus(c)
    out = os.path.join(c.tmp, "dmg.cidx")
    r = contam("index", "-o", out, d).expect(0)
    bad = os.path.join(d, "bad.jsonl.gz")
    cut = os.path.join(d, "cut.warc.wet.gz")
    check("bad.jsonl.gz" in r.err, f"no warning naming bad.jsonl.gz: {r.err[-600:]!r}")
    check("cut.warc.wet.gz" in r.err, f"no warning naming cut.warc.wet.gz: {r.err[-600:]!r}")
    info = contam("info", "--json", out).expect(0).json()
    by = {e["path"]: e for e in info["inputs"]}
    check(set(by) == {bad, cut, os.path.join(d, "good.jsonl")}, f"inputs {sorted(by)}")
    check(by[bad]["errors"] >= 1, f"bad.jsonl.gz errors = {by[bad]['errors']}")
    check(by[cut]["errors"] >= 1, f"cut.warc.wet.gz errors = {by[cut]['errors']}")
    check(by[os.path.join(d, "good.jsonl")]["errors"] == 0, "good.jsonl has errors")
    check(info["errors"] == sum(e["errors"] for e in info["inputs"]),
          f"total errors {info['errors']}")
    check(8 <= by[bad]["documents"] <= 11,
          f"bad.jsonl.gz: {by[bad]['documents']} documents (8 in the intact members)")
    check(by[cut]["documents"] >= 1, "nothing read from the cut WET file")
    # what was read before the damage is in the index
    b = write(os.path.join(c.tmp, "dmg_bench.txt"),
              sentence(100, 60) + "\n" + sentence(113, 60) + "\n" + sentence(200, 40) + "\n")
    rep = contam("probe", out, b).expect(0).json()
    v = [e["verdict"] for e in rep["examples"]]
    check(v == ["contaminated", "contaminated", "contaminated"],
          f"docs before the damage not found: {v}")


@S.test
def truncated_gzip_strict_fails(c):
    d = damaged_corpus(c)
    out = os.path.join(c.tmp, "strict.cidx")
    r = contam("index", "-q", "--strict", "-o", out, d)
    expect_fail(r, 2)
    check("bad.jsonl.gz" in r.err or "cut.warc.wet.gz" in r.err,
          f"--strict error does not name the file: {r.err!r}")
    check(not os.path.exists(out), "--strict failure left an index")
    left = [f for f in os.listdir(c.tmp) if f.startswith("strict.cidx")]
    check(not left, f"--strict failure left temporary files: {left}")
    # a single truncated .txt.gz alone
    t = os.path.join(c.tmp, "one")
    os.makedirs(t, exist_ok=True)
    z = gzip.compress((sentence(300, 200) + "\n").encode(), mtime=0)
    write(os.path.join(t, "cut.txt.gz"), z[:len(z) * 2 // 3])
    out2 = os.path.join(c.tmp, "txt.cidx")
    r = contam("index", "-o", out2, t).expect(0)
    check("cut.txt.gz" in r.err, f"no warning for cut.txt.gz: {r.err!r}")
    info = contam("info", "--json", out2).expect(0).json()
    check(info["errors"] >= 1, f"cut.txt.gz: errors {info['errors']}")
    r = contam("index", "-q", "--strict", "-o", out2 + ".s", t)
    expect_fail(r, 2, "cut.txt.gz")
    check(not os.path.exists(out2 + ".s"), "--strict left an index")


@S.test
def damage_is_localized(c):
    """Damage in the middle of an input costs only what it hits: a corrupt
    gzip member (JSONL, WET), a corrupt zstd frame (checksummed), a WARC
    record with a wrong Content-Length, an overlong JSONL line, a zip
    member with a bad CRC, a truncated tar.gz.  Default: exit 0, damage
    counted, the intact documents (before and, where the format allows,
    after) are in the index.  --strict: exit 2, no index."""
    import io
    import random
    import subprocess
    import tarfile
    import zipfile
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import contam_ref as ref
    gen = load_generator()
    rng = random.Random(5)
    lex = gen.Lexicon(rng)
    gram = gen.Grammar(rng, lex)
    d = os.path.join(c.tmp, "localized")
    os.makedirs(d, exist_ok=True)

    def docs(n, tag):
        return [{"id": f"{tag}{k}", "url": f"http://d.test/{tag}/{k}",
                 "text": gram.document(2, 3), "score": .5} for k in range(n)]

    def flip(b, frac, x=0x55):
        b = bytearray(b)
        b[int(len(b) * frac)] ^= x
        return bytes(b)

    cases = {}   # file -> (intact docs that must be found, min docs, max docs)
    ds = docs(8, "jl")
    mem = [gzip.compress(gen.jsonl_bytes(ds[i * 2:i * 2 + 2], True), mtime=0) for i in range(4)]
    mem[1] = flip(mem[1], 0.5)
    write(os.path.join(d, "midcorrupt.jsonl.gz"), b"".join(mem))
    # a member whose CRC fails only at its end has already been delivered
    cases["midcorrupt.jsonl.gz"] = (ds[:2] + ds[4:], 6, 8)
    ds = docs(6, "wet")
    mem = [gzip.compress(gen.warc_record([("WARC-Type", "conversion"),
                                          ("WARC-Target-URI", x["url"])],
                                         x["text"].encode()), mtime=0) for x in ds]
    mem[2] = flip(mem[2], 0.5, 0xFF)
    write(os.path.join(d, "midcorrupt.warc.wet.gz"), b"".join(mem))
    cases["midcorrupt.warc.wet.gz"] = (ds[:2] + ds[3:], 5, 6)
    ds = docs(6, "zs")
    fr = [subprocess.run(["zstd", "-q", "-c"], input=gen.jsonl_bytes(ds[i * 2:i * 2 + 2], True),
                         stdout=subprocess.PIPE, check=True).stdout for i in range(3)]
    fr[1] = flip(fr[1], 0.5)
    write(os.path.join(d, "midcorrupt.jsonl.zst"), b"".join(fr))
    cases["midcorrupt.jsonl.zst"] = (ds[:2] + ds[4:], 4, 4)
    ds = docs(4, "cl")
    recs = []
    for i, x in enumerate(ds):
        body = x["text"].encode()
        r = gen.warc_record([("WARC-Type", "conversion"), ("WARC-Target-URI", x["url"])], body)
        if i == 1:
            r = r.replace(b"Content-Length: %d" % len(body), b"Content-Length: %d" % (len(body) - 50))
        recs.append(r)
    write(os.path.join(d, "badlength.warc"), b"".join(recs))
    cases["badlength.warc"] = ([ds[0]] + ds[2:], 3, 4)
    ds = docs(3, "ln")
    lines = gen.jsonl_bytes(ds, True).split(b"\n")
    lines.insert(1, json.dumps({"text": "word " * 300000}).encode())
    write(os.path.join(d, "longline.jsonl"), b"\n".join(lines))
    cases["longline.jsonl"] = (ds, 3, 3)
    ds = docs(3, "zp")
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w", zipfile.ZIP_STORED) as zf:
        for x in ds:
            zf.writestr(x["id"] + ".txt", x["text"])
    zbytes = bytearray(zb.getvalue())
    i = zbytes.find(ds[1]["text"][:30].encode())
    zbytes[i + 5] ^= 0x20
    write(os.path.join(d, "crc.zip"), bytes(zbytes))
    # the bad CRC is found at the member's end: its bytes are read (one
    # flipped), the damage counted, and the member after it read too
    cases["crc.zip"] = ([ds[0], ds[2]], 2, 3)
    ds = docs(300, "tr")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for x in ds:
            b = x["text"].encode()
            ti = tarfile.TarInfo(x["id"] + ".txt")
            ti.size = len(b)
            tf.addfile(ti, io.BytesIO(b))
    z = gzip.compress(buf.getvalue(), mtime=0)
    write(os.path.join(d, "truncated.tar.gz"), z[:len(z) * 2 // 3])
    cases["truncated.tar.gz"] = (ds[:150], 150, 299)

    bad = []
    for name, (must, lo, hi) in sorted(cases.items()):
        p = os.path.join(d, name)
        out = os.path.join(c.tmp, f"loc_{name}.cidx")
        r = contam("index", "--max-record", "1M", "-o", out, p)
        if r.rc != 0:
            bad.append(f"{name}: exit {r.rc}: {r.err[-200:]}")
            continue
        if name not in r.err:
            bad.append(f"{name}: no warning naming the file")
        e = contam("info", "--json", out).expect(0).json()["inputs"][0]
        if e["errors"] < 1:
            bad.append(f"{name}: damage not counted (errors 0, {e['documents']} docs)")
        if not lo <= e["documents"] <= hi:
            bad.append(f"{name}: {e['documents']} documents, expected {lo}..{hi}")
        bench = os.path.join(c.tmp, f"loc_{name}.txt")
        with open(bench, "w") as fh:
            for x in must:
                t = ref.tokenize(x["text"])
                fh.write(" ".join(t[:12]) + "\n" + " ".join(t[-12:]) + "\n")
        rep = contam("probe", out, bench).expect(0).json()
        lost = sum(1 for ex in rep["examples"] if ex["verdict"] != "contaminated")
        if lost:
            bad.append(f"{name}: {lost} of {len(rep['examples'])} windows of intact "
                       f"documents not found")
        r = contam("index", "-q", "--max-record", "1M", "--strict", "-o", out + ".s", p)
        if r.rc != 2 or os.path.exists(out + ".s"):
            bad.append(f"{name}: --strict exit {r.rc}, index left: {os.path.exists(out + '.s')}")
    check(not bad, "\n    ".join(bad))


@S.test
def garbage_inputs_do_not_crash(c):
    """Binary junk under input names: exit 0 or 2, never a crash."""
    d = os.path.join(c.tmp, "junk")
    os.makedirs(d)
    junk = bytes((i * 73 + 11) % 256 for i in range(5000))
    for name in ("x.jsonl", "x.jsonl.gz", "x.jsonl.zst", "x.warc.gz", "x.warc",
                 "x.tar", "x.tar.gz", "x.zip", "x.txt.gz", "x.bin"):
        write(os.path.join(d, name), junk)
    write(os.path.join(d, "gz_header_only.jsonl.gz"), b"\x1f\x8b\x08\x00")
    write(os.path.join(d, "zero.warc.gz"), b"")
    for f in sorted(os.listdir(d)):
        out = os.path.join(c.tmp, "junk.cidx")
        r = contam("index", "-q", "-o", out, os.path.join(d, f))
        check(r.rc in (0, 2), f"index {f}: exit {r.rc} (crash?) {r.err[-300:]!r}")
        r = contam("index", "-q", "--strict", "-o", out + ".s", os.path.join(d, f))
        check(r.rc in (0, 2), f"index --strict {f}: exit {r.rc} {r.err[-300:]!r}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
