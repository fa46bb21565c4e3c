#!/usr/bin/env python3
"""test_input_kinds.py -- every input is read as what its content is, or
refused with exit 2 naming the file and what was seen, including the cases a hostile-input
review found.

Covers, for corpora (index) and benchmarks (probe) alike: refusals
(ELF, Parquet, NUL-heavy data, a zip of several files); bzip2 and xz
written by the command-line tools (one stream and concatenated
streams, JSONL, text, WARC, tar.bz2/tar.xz archives); a name that
disagrees with the content (read by content, with a note); a benchmark
zip of one file; UTF-16 (PowerShell's >) benchmarks and corpora; inputs
that cannot be reopened (/dev/stdin, <(...), a named FIFO) and SIGTERM
while a FIFO waits for its writer; zstd --long=31 frames; a gzip member
with a 1 MiB file name under isa-l and zlib.  Real files from
../shared/data are used when present (skipped otherwise): the Parquet
test files, SQuAD's dev-v1.1.json.zip, HellaSwag's .txt.bz2 (60,252
lines), the Wikipedia .bz2 dumps (one UTF-16), /usr/bin/ls.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import bz2
import glob
import gzip
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN, SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_input_kinds")
PL = ("the quick brown fox jumps over the lazy dog while seven purple "
      "elephants dance quietly beneath the silver moon tonight")
WORDS = ("plorn vask tibble murn quenth ardo selvish grane pothic wendle "
         "frasp ulmo kesh boradine trilve yom snark melp dorrow cabble").split()


def sentence(i, k=24):
    return " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] + str((i * 31 + j) % 97)
                    for j in range(k))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def info(index):
    r = contam("info", "--json", index).expect(0)
    return r.json()


def tool(*args, data=None):
    return subprocess.run(list(args), input=data, stdout=subprocess.PIPE,
                          check=True).stdout


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.records = [{"text": sentence(i)} for i in range(200)]
    c.jsonl = "".join(json.dumps(r) + "\n" for r in c.records).encode()
    c.corpus = write(os.path.join(tmp, "c.txt"), (PL + "\n").encode())
    c.index = os.path.join(tmp, "c.cidx")
    contam("index", "-q", "-o", c.index, c.corpus).expect(0)
    return c


def p(c, name):
    return os.path.join(c.tmp, name)


def probe(c, bench, *extra, index=None):
    return contam("probe", index or c.index, *extra, bench)


# ---------------------------------------------------------------- refusals

@S.test
def bench_elf_refused(c):
    elf = write(p(c, "prog"), b"\x7fELF\x02\x01\x01" + bytes(4000))
    r = probe(c, elf).expect(2)
    check("'%s' is an ELF executable" % elf in r.err, r.err)
    check(r.out == "", "a report was written for an unread benchmark")
    if os.path.exists("/usr/bin/ls"):
        r = probe(c, "/usr/bin/ls").expect(2)
        check("'/usr/bin/ls' is an ELF executable" in r.err, r.err)


@S.test
def corpus_elf_refused(c):
    out = p(c, "elf.cidx")
    elf = write(p(c, "prog2"), b"\x7fELF\x02\x01\x01" + bytes(4000))
    r = contam("index", "-q", "-o", out, elf).expect(2)
    check("is an ELF executable" in r.err, r.err)
    check(not os.path.exists(out), "an index was written")


@S.test
def parquet_read_or_refused(c):
    """Parquet is read (by magic and by name); a damaged one is
    refused with exit 2 naming the file and saying Parquet, never a clean
    report of lines of bytes."""
    fake = write(p(c, "t.parquet"), b"PAR1" + bytes(64) + b"PAR1")
    r = probe(c, fake).expect(2)
    check(r.out == "" and "t.parquet" in r.err and "Parquet" in r.err, r.err)
    real = sorted(glob.glob(os.path.join(SHARED, "parquet", "**", "*.parquet"),
                            recursive=True))
    for f in real:
        r = probe(c, f)
        check(r.rc in (0, 2), f"{f}: exit {r.rc}")
        if r.rc == 2:
            check(r.out == "" and os.path.basename(f) in r.err, r.err)
    out = p(c, "pq.cidx")
    r = contam("index", "-q", "-o", out, fake).expect(2)
    check("Parquet" in r.err and not os.path.exists(out), r.err)


@S.test
def nul_heavy_unnamed_refused(c):
    blob = write(p(c, "blob"), bytes(range(256)) * 16)
    r = probe(c, blob).expect(2)
    check("is binary data" in r.err and "not text" in r.err, r.err)
    r = contam("index", "-q", "-o", p(c, "blob.cidx"), blob).expect(2)
    check("is binary data" in r.err, r.err)


@S.test
def zip_of_several_refused(c):
    z = p(c, "two.zip")
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.jsonl", c.jsonl)
        zf.writestr("b.jsonl", c.jsonl)
    r = probe(c, z).expect(2)
    check("holding 2 files ('a.jsonl', 'b.jsonl')" in r.err, r.err)


# ---------------------------------------------------------------- bzip2 / xz

@S.test
def bzip2_xz_tools(c):
    if not shutil.which("bzip2") or not shutil.which("xz"):
        return "skip"
    half = len(c.records) // 2
    a = "".join(json.dumps(r) + "\n" for r in c.records[:half]).encode()
    b = "".join(json.dumps(r) + "\n" for r in c.records[half:]).encode()
    for comp, ext in (("bzip2", "bz2"), ("xz", "xz")):
        one = write(p(c, "one.jsonl." + ext), tool(comp, "-c", data=c.jsonl))
        # concatenated streams, as pbzip2 / parallel xz write them
        cat = write(p(c, "cat.jsonl." + ext),
                    tool(comp, "-c", data=a) + tool(comp, "-c", data=b))
        for f in (one, cat):
            out = f + ".cidx"
            contam("index", "-q", "-o", out, f).expect(0)
            e = info(out)["inputs"][0]
            check(e["documents"] == len(c.records) and e["errors"] == 0,
                  f"{f}: {e}")
            check(e["kind"] == "jsonl", e)
            # as a benchmark: every record is an example
            r = probe(c, f, "--field", "text").expect(0)
            check(r.json()["benchmarks"][0]["examples"] == len(c.records), r.err)
        # text and WARC, and tar archives stay archives
        txt = write(p(c, "t.txt." + ext), tool(comp, "-c", data=(PL + "\n").encode()))
        body = (PL + "\n").encode()
        warc = (b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x/\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body) + body + b"\r\n\r\n")
        wf = write(p(c, "w.warc." + ext), tool(comp, "-c", data=warc))
        os.makedirs(p(c, "tardir"), exist_ok=True)
        write(p(c, "tardir/m.txt"), body)
        tf = p(c, "t.tar." + ext)
        subprocess.run(["tar", "-c", "-a", "-f", tf, "-C", p(c, "tardir"), "m.txt"],
                       check=True)
        for f, kind in ((txt, "text"), (wf, "warc"), (tf, "archive")):
            out = f + ".cidx"
            contam("index", "-q", "-o", out, f).expect(0)
            e = info(out)["inputs"][0]
            check(e["kind"] == kind and e["documents"] == 1, f"{f}: {e}")
            r = probe(c, write(p(c, "pl.txt"), (PL + "\n").encode()), index=out).expect(0)
            check(r.json()["benchmarks"][0]["contaminated"] == 1, f"{f}: not found")


@S.test
def hellaswag_bz2_lines(c):
    f = os.path.join(SHARED, "benchmarks", "hellaswag", "hellaswag_val_full.txt.bz2")
    if not os.path.exists(f):
        return "skip"
    r = probe(c, f).expect(0)
    check(r.json()["benchmarks"][0]["examples"] == 60252,
          r.json()["benchmarks"][0]["examples"])


@S.test
def wikipedia_bz2_dumps(c):
    d = os.path.join(SHARED, "corpus", "wikipedia_dump_samples")
    files = sorted(glob.glob(os.path.join(d, "*.bz2")))
    if not files:
        return "skip"
    for f in files:
        out = p(c, os.path.basename(f) + ".cidx")
        contam("index", "-q", "-o", out, f).expect(0)
        e = info(out)["inputs"][0]
        raw = bz2.open(f).read()
        if raw.startswith(b"\xff\xfe"):      # bgwiki ships as UTF-16
            raw = raw.decode("utf-16").encode()
        # read as MediaWiki pages (test_corpus_formats counts them against
        # Python's XML parser): page text only, markup and XML left out
        check(e["kind"] == "mediawiki" and e["documents"] > 0 and e["errors"] == 0 and
              0 < e["text_bytes"] < len(raw), f"{f}: {e}")


# ---------------------------------------------------------------- names vs content

@S.test
def name_content_disagree(c):
    f = write(p(c, "really_gzip.jsonl"), gzip.compress(c.jsonl))
    out = p(c, "rg.cidx")
    r = contam("index", "-o", out, f).expect(0)
    check("is gzip-compressed although its name does not say so" in r.err, r.err)
    check(info(out)["inputs"][0]["documents"] == len(c.records), "records lost")
    r = probe(c, f, "--field", "text").expect(0)
    check("gzip-compressed although its name" in r.err, r.err)
    check(r.json()["benchmarks"][0]["examples"] == len(c.records), r.err)


@S.test
def bench_zip_one_member(c):
    z = p(c, "one.zip")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner.jsonl", c.jsonl)
    r = probe(c, z, "--field", "text").expect(0)
    check(r.json()["benchmarks"][0]["examples"] == len(c.records), r.err)
    squad = os.path.join(SHARED, "benchmarks", "squad", "dev-v1.1.json.zip")
    if os.path.exists(squad):
        # read as the JSON inside, never as 3,742 lines of zip bytes:
        # without --records the nested layout is refused (exit 2, with the
        # command to use); with it, 10,570 questions
        r = probe(c, squad)
        check(r.rc == 2 and "--records" in r.err, f"exit {r.rc}: {r.err[-300:]}")
        r = probe(c, squad, "--records", "data.paragraphs.qas", "--field", "question",
                  "--field", "^context").expect(0)
        n = r.json()["benchmarks"][0]["examples"]
        check(n == 10570, n)


# ---------------------------------------------------------------- UTF-16 (r10)

@S.test
def utf16_bench_and_corpus(c):
    # PowerShell's `>`: UTF-16LE with a byte order mark and CRLF
    b = write(p(c, "ps.txt"), (PL + "\r\n").encode("utf-16"))
    r = probe(c, b).expect(0)
    rep = r.json()
    check(rep["benchmarks"][0]["examples"] == 1, rep["benchmarks"][0])
    check(rep["examples"][0]["verdict"] == "contaminated", rep["examples"][0])
    for enc in ("utf-16", "utf-16-be"):
        f = write(p(c, "u16c.jsonl"), (json.dumps({"text": PL}) + "\n").encode(enc))
        out = p(c, "u16.cidx")
        contam("index", "-q", "-o", out, f).expect(0)
        r = probe(c, write(p(c, "pl.txt"), (PL + "\n").encode()), index=out).expect(0)
        check(r.json()["examples"][0]["verdict"] == "contaminated", enc)


# ---------------------------------------------------------------- unseekable (r06)

@S.test
def stdin_and_process_substitution(c):
    text = "".join("line %d alpha beta gamma delta epsilon zeta eta theta iota\n" % i
                   for i in range(20000)).encode()
    f = write(p(c, "many.txt"), text)
    contam("index", "-q", "--memory", "1M", "-o", p(c, "file.cidx"), f).expect(0)
    want = info(p(c, "file.cidx"))
    contam("index", "-q", "--memory", "1M", "-o", p(c, "stdin.cidx"), "/dev/stdin",
           input=text).expect(0)
    got = info(p(c, "stdin.cidx"))
    check(got["ngrams_inserted"] == want["ngrams_inserted"],
          f"/dev/stdin lost bytes: {got['ngrams_inserted']} != {want['ngrams_inserted']}")
    q = subprocess.run(["bash", "-c", '"$0" index -q --memory 1M -o "$1" <(gzip -c < "$2")',
                        BIN, p(c, "ps.cidx"), f], stderr=subprocess.PIPE)
    check(q.returncode == 0, q.stderr)
    check(info(p(c, "ps.cidx"))["ngrams_inserted"] == want["ngrams_inserted"],
          "<(gzip -c) lost bytes")
    # a tar.gz through a pipe is still an archive
    os.makedirs(p(c, "pd"), exist_ok=True)
    write(p(c, "pd/a.txt"), text)
    q = subprocess.run(["bash", "-c", 'tar -cz -C "$2" a.txt | "$0" index -q --memory 1M '
                        '-o "$1" /dev/stdin', BIN, p(c, "tarpipe.cidx"), p(c, "pd")],
                       stderr=subprocess.PIPE)
    check(q.returncode == 0, q.stderr)
    e = info(p(c, "tarpipe.cidx"))
    check(e["inputs"][0]["kind"] == "archive" and
          e["ngrams_inserted"] == want["ngrams_inserted"], e["inputs"])
    # a benchmark from a pipe
    r = contam("probe", c.index, "/dev/stdin", input=(PL + "\n").encode())
    r.expect(0)
    check(r.json()["examples"][0]["verdict"] == "contaminated", r.out[:200])


@S.test
def named_fifo(c):
    text = "".join("fifo %d alpha beta gamma delta epsilon zeta eta theta\n" % i
                   for i in range(20000)).encode()
    f = write(p(c, "fifo.txt"), text)
    contam("index", "-q", "--memory", "1M", "-o", p(c, "f.cidx"), f).expect(0)
    want = info(p(c, "f.cidx"))["ngrams_inserted"]
    ff = p(c, "ff")
    os.mkfifo(ff)
    w = subprocess.Popen(["sh", "-c", 'cat "$0" > "$1"', f, ff])
    r = contam("index", "-q", "--memory", "1M", "-o", p(c, "ff.cidx"), ff, timeout=60)
    w.wait(timeout=30)
    r.expect(0)
    check(info(p(c, "ff.cidx"))["ngrams_inserted"] == want, "the FIFO lost bytes")
    # no writer ever comes: SIGTERM must still end it, leaving nothing
    ff2 = p(c, "ff2")
    os.mkfifo(ff2)
    out = p(c, "ff2.cidx")
    proc = subprocess.Popen([BIN, "index", "-q", "--memory", "1M", "-o", out, ff2],
                            stderr=subprocess.PIPE)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    check(proc.returncode not in (0, None), f"exit {proc.returncode}")
    check(not os.path.exists(out), "an index was written")
    # a writer that sends a little and then stalls: SIGTERM still ends it
    ff3 = p(c, "ff3")
    os.mkfifo(ff3)
    out3 = p(c, "ff3.cidx")
    w = subprocess.Popen(["sh", "-c", 'exec 3>"$0"; echo "some words here" >&3; sleep 60',
                          ff3])
    proc = subprocess.Popen([BIN, "index", "-q", "--memory", "1M", "-o", out3, ff3],
                            stderr=subprocess.PIPE)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    finally:
        w.kill()
        w.wait()
    check(proc.returncode not in (0, None), f"exit {proc.returncode}")
    check(not os.path.exists(out3), "an index was written")


# ---------------------------------------------------------------- zstd --long (r07)

@S.test
def zstd_long_window(c):
    if not shutil.which("zstd"):
        return "skip"
    recs = "".join(json.dumps({"text": "record %d with some words to index here" % i}) + "\n"
                   for i in range(3000)).encode()
    z = tool("zstd", "-q", "--long=31", "-1", "-c", data=recs)
    f = write(p(c, "long.jsonl.zst"), z)
    out = p(c, "long.cidx")
    r = contam("index", "-q", "--memory", "8M", "-o", out, f).expect(0)
    e = info(out)["inputs"][0]
    check(e["documents"] == 3000 and e["errors"] == 0, f"{e} {r.err}")


# ---------------------------------------------------------------- gzip FNAME (r21)

@S.test
def gzip_long_fname(c):
    body = b'{"text": "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"}\n'

    def member(data, fname=None):
        hdr = (b"\x1f\x8b\x08" + (b"\x08" if fname else b"\0") + b"\0\0\0\0\0\xff" +
               ((fname + b"\0") if fname else b""))
        co = zlib.compressobj(6, zlib.DEFLATED, -15)
        comp = co.compress(data) + co.flush()
        return hdr + comp + struct.pack("<II", zlib.crc32(data), len(data))
    for size in (1 << 20, 4 << 20):
        f = write(p(c, "fn.jsonl.gz"), member(body, b"a" * size) + member(body))
        outs = []
        for inflater in ("isa-l", "zlib"):
            out = p(c, "fn-%s.cidx" % inflater)
            env = {"CONTAM_INFLATE": "zlib"} if inflater == "zlib" else None
            contam("index", "-q", "--memory", "1M", "-o", out, f, env=env).expect(0)
            e = info(out)["inputs"][0]
            check(e["documents"] == 2 and e["errors"] == 0, f"{inflater}: {e}")
            outs.append(open(out, "rb").read())
        check(outs[0] == outs[1], "the index depends on the inflater")


if __name__ == "__main__":
    sys.exit(S.run(setup))
