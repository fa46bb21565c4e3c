#!/usr/bin/env python3
"""test_purify_writers.py -- one purify writer per input kind, beside its
reader, over the tiny corpus of testdata/ (every format the readers take).

- each kind with a writer (WARC/WET, JSONL plain/.gz/.zst, text
  plain/.gz, tar.gz and zip archives) gets a copy in the same format and
  compression, in drop and in cut mode, and the copy scans clean: no
  planted item is left in it; every matched document is in the manifest
  with its file, and what had no match is kept (documents without a match
  byte for byte, in JSONL);
- a kind with no writer (the MediaWiki dump, the WikiExtractor file) is
  refused before anything is written, alone or in a directory with
  others: exit 2, the message names the file and its kind, no copy and
  no manifest -- never rewritten as plain text;
- the text writer holds a text to be cut up to --max-record only, as the
  readers bound a record: over it, the document is dropped ("too large to
  cut").

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import sys
import tarfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, Suite, check, contam  # noqa: E402

S = Suite("test_purify_writers")
TD = os.path.join(ROOT, "testdata")
CORPUS = os.path.join(TD, "corpus")
BENCH = os.path.join(TD, "bench", "demo.jsonl")
ARGS = ["--name", "demo", "--field", "question", "--field", "answer", "--bench", BENCH]
NO_WRITER = {"tinywiki-20240101-pages-articles.xml.bz2": "mediawiki",
             "wiki/AA/wiki_00": "wikiextractor"}
WRITABLE = ["books.tar.gz", "crawl.warc.gz", "essay.txt", "essay.txt.gz", "pages.zip",
            "plain.jsonl", "shard.jsonl.gz", "shard.jsonl.zst", "web.warc.wet.gz"]
MAGIC = {".gz": b"\x1f\x8b", ".zst": b"\x28\xb5\x2f\xfd", ".zip": b"PK"}


def expected():
    with open(os.path.join(TD, "expected.json"), encoding="utf-8") as f:
        return json.load(f)["expected"]


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def copy_of(pdir, rel):
    return os.path.join(pdir, CORPUS.lstrip("/"), rel)


def purify(tmp, mode, *inputs, extra=()):
    pdir = os.path.join(tmp, "p-" + mode)
    r = contam("scan", "-q", *ARGS, *extra, "-o", os.path.join(tmp, f"h-{mode}.jsonl"),
               "--purify", pdir, "--purify-mode", mode, *inputs)
    return r, pdir


def writable_inputs():
    return [os.path.join(CORPUS, f) for f in WRITABLE]


@S.test
def test_no_writer_refused(tmp):
    for rel, kind in NO_WRITER.items():
        path = os.path.join(CORPUS, rel)
        for inputs in ([path], [path] + writable_inputs()):
            pdir = os.path.join(tmp, "refused")
            r = contam("scan", "-q", *ARGS, "-o", os.path.join(tmp, "h.jsonl"),
                       "--purify", pdir, *inputs)
            check(r.rc == 2, f"{rel}: purify exit {r.rc}, expected 2")
            check(path in r.err and f"'{kind}'" in r.err and "no purify writer" in r.err,
                  f"{rel}: the message names the file and kind {kind!r}: {r.err}")
            written = []
            for root, _, names in os.walk(pdir):
                written += names
            check(not written, f"{rel}: refused, yet written: {written}")
    # the whole directory (the two kinds without a writer in it): refused
    r = contam("scan", "-q", *ARGS, "-o", os.path.join(tmp, "h.jsonl"),
               "--purify", os.path.join(tmp, "refused-dir"), CORPUS)
    check(r.rc == 2 and "no purify writer" in r.err, f"directory: exit {r.rc}: {r.err}")
    check(not os.path.exists(os.path.join(tmp, "refused-dir", "purify-manifest.jsonl")),
          "directory: a manifest was written")


@S.test
def test_each_writer_drop_and_cut(tmp):
    exp = expected()
    planted = {v["file"] for v in exp.values() if v["file"] in WRITABLE}
    check(planted == set(WRITABLE), f"every writable file holds a plant: {sorted(planted)}")
    for mode in ("drop", "cut"):
        r, pdir = purify(tmp, mode, *writable_inputs())
        r.expect(0)
        man = lines(os.path.join(pdir, "purify-manifest.jsonl"))
        by_file = {}
        for m in man:
            by_file.setdefault(os.path.relpath(m["file"], CORPUS), []).append(m)
        check(sorted(by_file) == sorted(WRITABLE),
              f"{mode}: manifest names {sorted(by_file)}")
        for rel in WRITABLE:
            out = copy_of(pdir, rel)
            check(os.path.isfile(out), f"{mode}: no copy of {rel}")
            for suffix, magic in MAGIC.items():
                if rel.endswith(suffix):
                    with open(out, "rb") as f:
                        check(f.read(len(magic)) == magic,
                              f"{mode}: {rel}: the copy is not {suffix} as its input")
            for m in by_file[rel]:
                want = "drop" if mode == "drop" or rel == "crawl.warc.gz" else "cut"
                check(m["action"] == want, f"{mode}: {rel}: {m['action']} ({m['reason']})")
            if rel == "crawl.warc.gz" and mode == "cut":
                check(all("response record cannot be cut" in m["reason"] for m in by_file[rel]),
                      f"{rel}: {[m['reason'] for m in by_file[rel]]}")
        # the copies scan clean: no planted item is left
        hits = os.path.join(tmp, f"again-{mode}.jsonl")
        contam("scan", "-q", *ARGS, "--allow-empty", "-o", hits,
               *[copy_of(pdir, f) for f in WRITABLE]).expect(0)
        check(not lines(hits), f"{mode}: the purified copy still matches: {lines(hits)[:2]}")
        # what had no match is kept: JSONL lines as they were
        with open(os.path.join(CORPUS, "plain.jsonl"), encoding="utf-8") as f:
            src = f.read().splitlines(keepends=True)
        with open(copy_of(pdir, "plain.jsonl"), encoding="utf-8") as f:
            cp = f.read().splitlines(keepends=True)
        hit_lines = {m["record"] for m in by_file["plain.jsonl"]}
        kept = [x for i, x in enumerate(src) if i not in hit_lines]
        if mode == "drop":
            check(cp == kept, f"{mode}: plain.jsonl: copy {len(cp)} lines, expected the "
                  f"{len(kept)} without a match as they were")
        else:
            check(len(cp) == len(src) and all(x in cp for x in kept),
                  f"cut: plain.jsonl: the lines without a match not kept as they were")
            for i in hit_lines:
                a, b = json.loads(src[i]), json.loads(cp[i])
                check(a["id"] == b["id"] and len(b["text"]) < len(a["text"]),
                      f"cut: plain.jsonl line {i}: not cut in place")
        # archives: the same members, the matched one cut or left out
        with tarfile.open(os.path.join(CORPUS, "books.tar.gz")) as t:
            names = t.getnames()
        with tarfile.open(copy_of(pdir, "books.tar.gz")) as t:
            cnames = t.getnames()
        gone = {m["member"] for m in by_file["books.tar.gz"]}
        want = [n for n in names if mode == "cut" or n not in gone]
        check(cnames == want, f"{mode}: books.tar.gz members {cnames}, expected {want}")
        with zipfile.ZipFile(copy_of(pdir, "pages.zip")) as z:
            check(len(z.namelist()) == 3 - (mode == "drop"), f"{mode}: pages.zip: {z.namelist()}")
        # the one text document: dropped (empty copy) or cut
        with gzip.open(copy_of(pdir, "essay.txt.gz"), "rb") as f:
            txt = f.read()
        with gzip.open(os.path.join(CORPUS, "essay.txt.gz"), "rb") as f:
            orig = f.read()
        check(txt == b"" if mode == "drop" else 0 < len(txt) < len(orig),
              f"{mode}: essay.txt.gz copy of {len(txt)} bytes (input {len(orig)})")


@S.test
def test_text_cut_bounded_by_max_record(tmp):
    # the essay twice (its plant too): a text of about 2 KB, over a 1K
    # --max-record, under 2K (the smallest bound is 1K)
    with open(os.path.join(CORPUS, "essay.txt"), "rb") as f:
        data = f.read() * 2
    check(1024 < len(data) <= 2048, f"essay.txt twice is {len(data)} bytes")
    essay = os.path.join(tmp, "twice.txt")
    with open(essay, "wb") as f:
        f.write(data)
    for bound, action in (("2K", "cut"), ("1K", "drop")):
        pdir = os.path.join(tmp, f"mr-{bound}")
        contam("scan", "-q", *ARGS, "--max-record", bound, "-o",
               os.path.join(tmp, "h.jsonl"), "--purify", pdir, "--purify-mode", "cut",
               essay).expect(0)
        man = lines(os.path.join(pdir, "purify-manifest.jsonl"))
        check(len(man) == 1 and man[0]["action"] == action,
              f"--max-record {bound} (text of {len(data)} bytes): {man}")
        with open(os.path.join(pdir, essay.lstrip("/")), "rb") as f:
            out = f.read()
        if action == "drop":
            check("too large to cut" in man[0]["reason"], f"reason: {man[0]['reason']}")
            check(out == b"", f"dropped text: copy of {len(out)} bytes")
        else:
            check(0 < len(out) < len(data), f"cut text: copy of {len(out)} bytes")


@S.test
def test_text_damage_listed(tmp):
    """A damaged gzip member inside a text: the reader reports it and reads
    on (one document); the copy keeps the text around it and lists the
    place as unread -- in a kept text and in a cut one, not in a text
    dropped whole."""
    with open(os.path.join(CORPUS, "essay.txt"), "rb") as f:
        essay = f.read()
    bad = bytearray(gzip.compress(b"lost words in a damaged member " * 8, mtime=0))
    bad[len(bad) // 2] ^= 0xFF
    bad[len(bad) // 2 + 1] ^= 0xFF
    cases = {"clean.txt.gz": (b"alpha beta gamma " * 40, "keep"),
             "planted.txt.gz": (essay, "cut"), "dropped.txt.gz": (essay, "drop")}
    for name, (text, how) in cases.items():
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(gzip.compress(text[:300], mtime=0) + bytes(bad) +
                    gzip.compress(text[300:], mtime=0))
        pdir = os.path.join(tmp, "dmg-" + name)
        contam("scan", "-q", *ARGS, "--allow-empty", "-o", os.path.join(tmp, "h.jsonl"),
               "--purify", pdir, "--purify-mode", "drop" if how == "drop" else "cut",
               path).expect(0)
        man = lines(os.path.join(pdir, "purify-manifest.jsonl"))
        unread = [m for m in man if m["reason"].startswith("unread: damaged compressed data")]
        want = 0 if how == "drop" else 1
        check(len(unread) == want, f"{name} ({how}): {len(unread)} unread lines, expected "
              f"{want}: {man}")
        with gzip.open(os.path.join(pdir, path.lstrip("/")), "rb") as f:
            out = f.read()
        if how == "keep":
            check(out.startswith(text[:300]) and out.endswith(text[300:]),
                  f"{name}: the text around the damage is not kept")
            check(unread[0]["offset"] >= 300, f"{name}: damage listed at {unread[0]['offset']}")
        elif how == "drop":
            check(out == b"" and [m["action"] for m in man] == ["drop"], f"{name}: {man}")


if __name__ == "__main__":
    sys.exit(S.run())
