#!/usr/bin/env python3
"""test_purify_kinds.py -- one reader and one writer per format:
purify walks WARC records with the reader's own walker and bound,
and writes back only the kinds it has a writer for.

- a kind with no purify writer (a MediaWiki dump, a WikiExtractor file)
  is refused: exit 2, the message names the file and the kind, nothing
  is written -- never rewritten as plain text;
- a WARC record whose Content-Length the reader refuses is skipped and
  counted by the scan, and left out by purify at the same offset, with
  every other record met at the offset the scan gave it (plain, gzip one
  member per record, and gzip damage cutting a record in two);
- --max-record bounds purify as it bounds the reader: a WARC header block
  over it is skipped by both; a record or a text over it is not held to
  be cut (dropped whole, "too large to cut") and purify's peak memory
  stays near the bound;
- a JSONL line cut by gzip damage: the reader's line splitter and
  look-ahead on both sides (the next line met where the scan found it);
- an archive member is purified as the kind the reader read it as (by
  content, not only by name);
- a UTF-16 text is purified in the UTF-8 text the reader read (the cut
  lands where the scan's offsets say).

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402
# the fixture helpers of the purify safety tests (their suite is not run here)
from test_purify_safety import PL, manifest, mkdir, read, run_rss, sanitized, setup, write  # noqa: E402

S = Suite("test_purify_kinds")
CLEAN = " ".join(f"clean{i} filler words here" for i in range(120))


def hits(path):
    with open(path) as f:
        return [json.loads(x) for x in f if x.strip()]


def rec(body, typ="conversion", extra=b"", length=None):
    b = body.encode() if isinstance(body, str) else body
    n = str(len(b)).encode() if length is None else length
    return (b"WARC/1.0\r\nWARC-Type: " + typ.encode() + b"\r\nWARC-Target-URI: http://x/"
            + str(len(b)).encode() + b"\r\n" + extra + b"Content-Length: " + n +
            b"\r\n\r\n" + b + b"\r\n\r\n")


def scan_and_purify(c, d, name, mode="drop", extra=()):
    """The scan (warnings kept) and the purify of one input; returns
    (scan result, hit records, report, purify result, manifest)."""
    hp = os.path.join(d, "hits.jsonl")
    rp = os.path.join(d, "report.json")
    s = contam("scan", "--threads", "1", "--bench", c.bench, *extra, "-o", hp,
               "--report", rp, name, cwd=d).expect(0)
    h = hits(hp)
    with open(rp) as f:
        rep = json.load(f)
    pdir = os.path.join(d, "p-" + mode)
    p = contam("scan", "-q", "--threads", "1", "--bench", c.bench, *extra, "--purify",
               pdir, "--purify-mode", mode, "-o", os.path.join(d, "h2.jsonl"), name, cwd=d)
    m = manifest(pdir) if os.path.exists(os.path.join(pdir, "purify-manifest.jsonl")) else []
    return s, h, rep, p, m


def warn_offsets(err, what):
    return [int(x) for x in re.findall(r"offset (\d+): (?:record \d+: )?" + what, err)]


def agree(h, m, rep, tag):
    """Every hit met at the scan's offset; one unread line per skip."""
    met = sorted(x["offset"] for x in m if x["record"] is not None)
    check(met == sorted(x["offset"] for x in h), f"{tag}: met {met}, hits "
          f"{[x['offset'] for x in h]}")
    unread = [x for x in m if x["reason"].startswith("unread")]
    check(len(unread) == rep["scan"]["errors"], f"{tag}: {len(unread)} left out, "
          f"the scan counted {rep['scan']['errors']}: {unread}")
    return unread


@S.test
def kind_without_writer_refused(c):
    """A MediaWiki dump and a WikiExtractor file: the reader reads them,
    purify has no writer: exit 2 naming file and kind, nothing written."""
    d = mkdir(c, "nowriter")
    wiki = "w-pages-articles.xml"
    write(os.path.join(d, wiki), (
        '<mediawiki><page><title>T</title><id>1</id><revision><text>' + PL +
        '</text></revision></page></mediawiki>\n').encode())
    wdoc = "wiki_00"
    write(os.path.join(d, wdoc), ('<doc id="1" url="https://x/?curid=1" title="T">\nT\n\n'
                                  + PL + '\n</doc>\n').encode())
    for name, kind in [(wiki, "mediawiki"), (wdoc, "wikiextractor")]:
        # the scan reads it (there is a reader) ...
        r = contam("scan", "-q", "--bench", c.bench, name, cwd=d).expect(0)
        check(len([x for x in r.out.splitlines() if x.strip()]) == 1,
              f"{name}: the scan did not read it as {kind}: {r.out[:300]!r}")
        # ... purify refuses it (there is no writer)
        out = os.path.join(d, "p-" + kind)
        r = contam("scan", "-q", "--bench", c.bench, "--purify", out, name, cwd=d)
        check(r.rc == 2, f"{name}: exit {r.rc}: {r.err[-300:]!r}")
        check(name in r.err and f"'{kind}'" in r.err and "no purify writer" in r.err,
              f"{name}: message {r.err[-300:]!r}")
        check(not os.path.exists(out), f"{name}: {out} was created")
    # in a directory with a kind purify can write: still refused, whole
    os.makedirs(os.path.join(d, "dir"))
    write(os.path.join(d, "dir", "a.jsonl"), (json.dumps({"text": PL}) + "\n").encode())
    write(os.path.join(d, "dir", wdoc), read(os.path.join(d, wdoc)))
    r = contam("scan", "-q", "--bench", c.bench, "--purify", "pd", "dir", cwd=d)
    check(r.rc == 2 and wdoc in r.err and "'wikiextractor'" in r.err,
          f"directory: exit {r.rc}: {r.err[-300:]!r}")
    check(not os.path.exists(os.path.join(d, "pd")), "directory: pd was created")


def damaged_warc():
    good = rec(CLEAN)
    return [good, rec("before. " + PL + " after.", length=b"12x"), good,
            rec("hit one. " + PL + " end.", extra=b"Content-Length: 5\r\n"),
            rec("second hit. " + PL + " end of it."),
            rec("no type. " + PL, typ="X").replace(b"WARC-Type: X\r\n", b""),
            b"stray bytes between records\r\n",
            rec("third hit here. " + PL + " done."), good]


@S.test
def refused_length_same_for_scan_and_purify(c):
    """A bad and a conflicting Content-Length, a record without WARC-Type
    and stray bytes: skipped and counted by the scan, left out by purify
    at the offsets the reader reported; the hits are met where the scan
    found them; the copy reads clean."""
    d = mkdir(c, "length")
    parts = damaged_warc()
    write(os.path.join(d, "d.warc"), b"".join(parts))
    for mode in ("drop", "cut"):
        s, h, rep, p, m = scan_and_purify(c, d, "d.warc", mode)
        p.expect(0)
        check(len(h) == 2, f"{mode}: {len(h)} hit documents")
        unread = agree(h, m, rep, mode)
        bad = warn_offsets(s.err, "bad Content-Length")
        two = warn_offsets(s.err, "two different Content-Length")
        check(len(bad) == 1 and len(two) == 1, f"scan warnings {s.err[-600:]!r}")
        by = {x["offset"]: x["reason"] for x in unread}
        check(by.get(bad[0]) == "unread: bad Content-Length" and
              by.get(two[0]) == "unread: two different Content-Length headers",
              f"{mode}: manifest {unread} against reader offsets {bad} {two}")
        out = read(os.path.join(d, "p-" + mode, "d.warc"))
        check(b"purple elephants" not in out and out.count(CLEAN.encode()) == 3,
              f"{mode}: copy {out[:300]!r}")
        r = contam("scan", "--bench", c.bench, "p-" + mode + "/d.warc", cwd=d).expect(0)
        check(r.out.strip() == "" and "warning" not in r.err, f"{mode}: rescan {r.err[-300:]!r}")
    # one gzip member per record: the member fast path agrees too
    write(os.path.join(d, "d.warc.gz"), b"".join(gzip.compress(x) for x in parts))
    s, h, rep, p, m = scan_and_purify(c, d, "d.warc.gz")
    p.expect(0)
    agree(h, m, rep, "gzip members")
    out = gzip.decompress(read(os.path.join(d, "p-drop", "d.warc.gz")))
    check(b"purple elephants" not in out and out.count(CLEAN.encode()) == 3,
          f"gzip copy {out[:300]!r}")


def split_by_damage(before, cut, after):
    """gzip members: `before` and the first half of `cut`; the second
    half, its deflate data corrupted; then `after`."""
    half = len(cut) // 2
    m2 = bytearray(gzip.compress(cut[half:]))
    for i in (12, 13, 14):
        m2[i] ^= 0x55
    return gzip.compress(before + cut[:half]) + bytes(m2) + gzip.compress(after)


@S.test
def gzip_damage_cutting_a_record(c):
    """A record split across two gzip members, the second corrupt: the
    reader's body is cut by the damage and it resyncs on the next member;
    purify, reading through the same look-ahead, meets the next record
    (with a match) at the scan's offset instead of reading past it."""
    d = mkdir(c, "split")
    a, b = rec(CLEAN), rec(CLEAN + " bee")
    hit, tail = rec("intro words. " + PL + " outro words."), rec(CLEAN + " dee")
    write(os.path.join(d, "s.warc.gz"), split_by_damage(a, b, hit + tail))
    s, h, rep, p, m = scan_and_purify(c, d, "s.warc.gz")
    check(p.rc == 0, f"purify exit {p.rc}: {p.err[-300:]!r}")
    check("corrupt gzip member" in s.err, f"scan warnings {s.err[-400:]!r}")
    check(len(h) == 1, f"{len(h)} hit documents")
    met = [x for x in m if x["reason"] == "match"]
    check(len(met) == 1 and met[0]["offset"] == h[0]["offset"],
          f"manifest {m} against hit at {h[0]['offset'] if h else None}")
    out = gzip.decompress(read(os.path.join(d, "p-drop", "s.warc.gz")))
    check(b"purple elephants" not in out and out.endswith(tail), f"copy ends {out[-200:]!r}")


@S.test
def max_record_bounds_purify_as_the_reader(c):
    """--max-record 2K: a header block over it is skipped by both at one
    offset; in cut mode a record or a text over it is dropped whole,
    one under it is cut."""
    d = mkdir(c, "maxrec")
    long_hdr = rec("header too long. " + PL, extra=b"X-Long: " + b"y" * 3000 + b"\r\n")
    small = rec(CLEAN[:400] + " " + PL + " " + CLEAN[:400])
    big = rec(CLEAN[:1500] + " " + PL + " " + CLEAN[:1500])
    write(os.path.join(d, "m.warc"), rec(CLEAN[:500]) + long_hdr + small + big)
    s, h, rep, p, m = scan_and_purify(c, d, "m.warc", "cut", ("--max-record", "2K"))
    p.expect(0)
    unread = agree(h, m, rep, "warc")
    long_at = warn_offsets(s.err, "WARC header longer than 2048 bytes")
    check(len(long_at) == 1 and [x["offset"] for x in unread] == long_at and
          "too long" in unread[0]["reason"], f"reader {long_at}, manifest {unread}")
    acts = {x["offset"]: (x["action"], x["reason"]) for x in m if x["reason"] != unread[0]["reason"]}
    check(len(h) == 2, f"{len(h)} hit documents")
    small_at, big_at = sorted(x["offset"] for x in h)
    check(acts[small_at] == ("cut", "match"), f"small record: {acts}")
    check(acts[big_at][0] == "drop" and "too large to cut" in acts[big_at][1],
          f"big record: {acts}")
    # plain text: held to be cut up to --max-record, no further
    write(os.path.join(d, "small.txt"), (CLEAN[:400] + " " + PL + " " + CLEAN[:400] +
                                         "\n").encode())
    write(os.path.join(d, "big.txt"), (CLEAN + " " + PL + " " + CLEAN + "\n").encode())
    for name, want in [("small.txt", "cut"), ("big.txt", "drop")]:
        s, h, rep, p, m = scan_and_purify(c, d, name, "cut", ("--max-record", "2K"))
        p.expect(0)
        check(len(m) == 1 and m[0]["action"] == want and
              (want == "cut" or "too large to cut" in m[0]["reason"]), f"{name}: {m}")


@S.test
def purify_memory_bounded_by_max_record(c):
    """A 48 MiB text and a 48 MiB WARC record with a match, cut mode,
    --max-record 1M: neither is held whole (peak RSS well under 48 MiB)."""
    if sanitized():
        S.note("sanitized build: RSS not measured")
        return
    if not os.path.exists("/usr/bin/time"):
        S.note("/usr/bin/time missing: RSS not measured")
        return
    d = mkdir(c, "rss")
    filler = (CLEAN + "\n").encode()
    n = (48 << 20) // len(filler)
    body = PL.encode() + b"\n" + filler * n
    write(os.path.join(d, "big.txt"), body)
    write(os.path.join(d, "big.warc"), rec(body))
    for name in ("big.txt", "big.warc"):
        rc, _, rss = run_rss(["scan", "-q", "--threads", "1", "--bench", c.bench,
                            "--max-record", "1M", "--purify-mode", "cut",
                            "--purify", "p-" + name, "-o", "h.jsonl", name], d)
        check(rc == 0, f"{name}: exit {rc}")
        # the process alone peaks near 32 MiB here (libraries, the
        # pass's batch pool, MALLOC_PERTURB_ touching every page); held
        # whole, the document would add its 48 MiB on top
        check(rss < 40 * 1024, f"{name}: peak RSS {rss} kB for a 48 MiB document")
        m = manifest(os.path.join(d, "p-" + name))
        check(len(m) == 1 and "too large to cut" in m[0]["reason"], f"{name}: {m}")


@S.test
def utf16_text_cut_in_the_text_the_scan_read(c):
    """A UTF-16 text is read transcoded to UTF-8 by the reader, and its
    regions are offsets into that text: purify reads it the same way, so
    the cut removes the match (the copy is the UTF-8 text, cut)."""
    d = mkdir(c, "utf16")
    text = CLEAN + " " + PL + " " + CLEAN + "\n"
    write(os.path.join(d, "u.txt"), ("\ufeff" + text).encode("utf-16-le"))
    s, h, rep, p, m = scan_and_purify(c, d, "u.txt", "cut")
    p.expect(0)
    check(len(h) == 1 and len(m) == 1 and m[0]["action"] == "cut", f"manifest {m}")
    out = read(os.path.join(d, "p-cut", "u.txt")).decode("utf-8")
    (a, b), = m[0]["removed"]
    check(out == text[:a] + "\n" + text[b:], f"copy {out[:120]!r} ... {out[-120:]!r}")
    check("purple" not in out, "benchmark text left in the copy")


@S.test
def archive_member_kind_is_the_readers(c):
    """A tar member named like text ("records.txt") that holds WARC: the
    reader reads it as WARC by its content, and so does purify (the
    matched record goes, the others stay as records)."""
    import io
    import tarfile
    d = mkdir(c, "member")
    data = rec(CLEAN) + rec("intro words. " + PL + " outro words.") + rec(CLEAN + " two")
    with tarfile.open(os.path.join(d, "a.tar"), "w") as t:
        ti = tarfile.TarInfo("records.txt")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    s, h, rep, p, m = scan_and_purify(c, d, "a.tar")
    check(p.rc == 0, f"purify exit {p.rc}: {p.err[-300:]!r}")
    check(len(h) == 1 and h[0]["offset"] > 0, f"hits {h}")
    check(len(m) == 1 and m[0]["offset"] == h[0]["offset"], f"manifest {m}")
    with tarfile.open(os.path.join(d, "p-drop", "a.tar")) as t:
        out = t.extractfile("records.txt").read()
    check(out == rec(CLEAN) + rec(CLEAN + " two"), f"member copy {out[:200]!r}")


@S.test
def jsonl_gzip_damage_cutting_a_line(c):
    """JSON lines: a line split across two gzip members, the second
    corrupt.  The reader loses the line cut by the damage and reads on
    at the next member; purify splits lines with the reader's splitter
    and look-ahead, so it meets the next line (a match) where the scan
    found it and leaves the cut line out, listed."""
    d = mkdir(c, "jsplit")
    a = (json.dumps({"text": "clean words number one here " * 30}) + "\n").encode()
    b = (json.dumps({"text": "clean words number two here " * 30}) + "\n").encode()
    hit = (json.dumps({"text": "intro " + PL + " outro"}) + "\n").encode()
    write(os.path.join(d, "s.jsonl.gz"), split_by_damage(a, b, hit + a))
    s, h, rep, p, m = scan_and_purify(c, d, "s.jsonl.gz")
    check(p.rc == 0, f"purify exit {p.rc}: {p.err[-300:]!r}")
    check("corrupt gzip member" in s.err and len(h) == 1, f"scan {s.err[-300:]!r}, hits {h}")
    met = [x for x in m if x["record"] is not None]
    check(len(met) == 1 and met[0]["offset"] == h[0]["offset"], f"manifest {m}")
    cut = [x for x in m if x["reason"].startswith("unread")]
    check(len(cut) == 1 and cut[0]["offset"] == len(a), f"the cut line: {cut}")
    out = gzip.decompress(read(os.path.join(d, "p-drop", "s.jsonl.gz")))
    check(out == a + a, f"copy {out[:200]!r}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
