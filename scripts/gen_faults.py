#!/usr/bin/env python3
"""Generate the fault corpus: damaged corpus files with text planted on
both sides of every damage, and a manifest saying what must be found.

usage: gen_faults.py [OUTDIR] [--seed N]      (OUTDIR default: testdata/faults)

Needs python3 (stdlib) and the zstd command.  Same seed, same bytes.

Every case is one file.  Around its damage the generator plants marker
sentences (24 invented words each, unique to the corpus) and records in
OUTDIR/faults.json which of them an index of that file

  must_find      -- text that is readable: before the damage, after it,
                    or in a record the damage does not touch;
  must_not_find  -- text that must never be indexed (a JSON line that is
                    not an object, a text field that is not a string,
                    words spelled with overlong UTF-8);
  may_find       -- text inside the damaged region (whatever a reader
                    recovers of it is fine).

and how many damaged records the index must count (min_errors, and
max_errors when the count is exact; 0 for repairs such as invalid UTF-8,
which the normalizer turns into U+FFFD and is not damage).

faults.json: {"version": 1, "seed": N,
              "markers": {marker_id: sentence, ...},
              "cases": [{"name", "file", "damage", "description",
                         "must_find": [...], "must_not_find": [...],
                         "may_find": [...], "min_errors": N,
                         "max_errors": N or null}, ...]}
"""
import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys

SYLLABLES = ["ka", "lo", "mi", "ta", "ren", "vos", "dil", "pra", "uth", "zen",
             "bo", "qui", "sar", "mel", "tor", "fin", "gal", "hex", "jun", "wex",
             "ny", "os", "pel", "rud", "sko", "tam", "ul", "vy", "zor", "eb"]
MARKER_WORDS = 24


class Corpus:
    """Deterministic invented text and the manifest being built."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.markers = {}
        self.cases = []
        self.seen_words = set()

    def word(self):
        return "".join(self.rng.choice(SYLLABLES)
                       for _ in range(self.rng.randint(2, 4)))

    def sentence(self, nwords):
        words = [self.word() for _ in range(nwords)]
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def filler(self, nsent=3):
        return " ".join(self.sentence(self.rng.randint(8, 14)) for _ in range(nsent))

    def marker(self, case, label):
        """A new marker sentence; its id is case.label."""
        mid = f"{case}.{label}"
        assert mid not in self.markers, mid
        self.markers[mid] = self.sentence(MARKER_WORDS)
        return mid, self.markers[mid]

    def para(self, case, label):
        """Filler, a marker, filler: (marker id, text)."""
        mid, s = self.marker(case, label)
        return mid, f"{self.filler(2)} {s} {self.filler(2)}"

    def add(self, name, file, damage, description, must=(), must_not=(),
            may=(), min_errors=1, max_errors=None):
        self.cases.append({
            "name": name, "file": file, "damage": damage,
            "description": description, "must_find": list(must),
            "must_not_find": list(must_not), "may_find": list(may),
            "min_errors": min_errors, "max_errors": max_errors})


# ---- encoders ---------------------------------------------------------

def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def zstd(data):
    exe = shutil.which("zstd")
    if not exe:
        sys.exit("gen_faults.py: the zstd command is needed")
    return subprocess.run([exe, "-q", "-c", "-3"], input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def warc_record(rtype, body, num, length=None, omit=(), version=True):
    """One WARC record; `length` overrides Content-Length, `omit` drops
    headers by name, version=False drops the "WARC/1.0" line."""
    headers = [
        ("WARC-Type", rtype),
        ("WARC-Target-URI", f"http://faults.example/{num}"),
        ("WARC-Date", "2024-01-01T00:00:00Z"),
        ("WARC-Record-ID", f"<urn:uuid:00000000-0000-0000-0000-{num:012d}>"),
        ("Content-Type", "text/plain" if rtype == "conversion" else "application/warc-fields"),
        ("Content-Length", str(len(body) if length is None else length)),
    ]
    head = b"WARC/1.0\r\n" if version else b""
    for k, v in headers:
        if k not in omit:
            head += f"{k}: {v}\r\n".encode()
    return head + b"\r\n" + body + b"\r\n\r\n"


def warcinfo(num=0):
    return warc_record("warcinfo", b"software: gen_faults.py\r\nformat: WARC\r\n", num)


def jline(obj):
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def write(outdir, name, data):
    path = os.path.join(outdir, name)
    with open(path, "wb") as f:
        f.write(data)


# ---- cases ------------------------------------------------------------

def wet_docs(c, case, labels):
    """Conversion records, one per label: [(marker id, record bytes)]."""
    out = []
    for i, label in enumerate(labels, 1):
        mid, text = c.para(case, label)
        out.append((mid, warc_record("conversion", text.encode(), i)))
    return out


def case_gzip_truncated_member(c, out):
    name = "gzip_truncated_member"
    docs = wet_docs(c, name, ["before1", "before2", "cut", "after1", "after2"])
    members = [gz(warcinfo())] + [gz(rec) for _, rec in docs]
    cut = members[3]
    members[3] = cut[:len(cut) // 2]  # cut mid-record, then the next member
    write(out, "gzip_truncated_member.warc.wet.gz", b"".join(members))
    ids = [m for m, _ in docs]
    c.add(name, "gzip_truncated_member.warc.wet.gz", "gzip member truncated mid-record",
          "multi-member WET.gz (one member per record); the member of record 3 "
          "is cut in half and followed by the intact members of records 4 and 5",
          must=ids[:2] + ids[3:], may=[ids[2]])


def case_gzip_truncated_end(c, out):
    name = "gzip_truncated_end"
    docs = wet_docs(c, name, ["before1", "before2", "cut"])
    members = [gz(warcinfo())] + [gz(rec) for _, rec in docs]
    data = b"".join(members)
    data = data[:len(data) - len(members[-1]) // 2]
    write(out, "gzip_truncated_end.warc.wet.gz", data)
    ids = [m for m, _ in docs]
    c.add(name, "gzip_truncated_end.warc.wet.gz", "gzip file truncated mid-record",
          "multi-member WET.gz whose last member (record 3) is cut in half "
          "by the end of the file (an interrupted download)",
          must=ids[:2], may=[ids[2]])


def case_gzip_corrupt_member(c, out):
    name = "gzip_corrupt_member"
    ids, members = [], []
    for i in range(5):
        lines = b""
        for j in range(3):
            mid, text = c.para(name, f"m{i}l{j}")
            ids.append(mid)
            lines += jline({"id": f"{i}-{j}", "text": text})
        members.append(bytearray(gz(lines)))
    bad = members[2]
    for k in range(len(bad) // 2, len(bad) // 2 + 12):
        bad[k] ^= 0x5a
    write(out, "gzip_corrupt_member.jsonl.gz", b"".join(bytes(m) for m in members))
    c.add(name, "gzip_corrupt_member.jsonl.gz", "corrupt gzip member",
          "multi-member JSONL.gz, 3 lines per member; 12 bytes in the middle "
          "of member 3 are flipped",
          must=ids[:6] + ids[9:], may=ids[6:9])


def case_gzip_trailing_garbage(c, out):
    name = "gzip_trailing_garbage"
    ids, data = [], b""
    for i in range(3):
        mid, text = c.para(name, f"m{i}")
        ids.append(mid)
        data += gz(jline({"id": str(i), "text": text}))
    garbage = bytes(c.rng.randrange(256) for _ in range(300))
    garbage = b"\x00" + garbage.replace(b"\x1f", b"\x20")
    write(out, "gzip_trailing_garbage.jsonl.gz", data + garbage)
    c.add(name, "gzip_trailing_garbage.jsonl.gz", "gzip trailing garbage",
          "three intact gzip members followed by 301 bytes of garbage",
          must=ids)


def case_gzip_spliced_garbage(c, out):
    name = "gzip_spliced_garbage"
    docs = wet_docs(c, name, ["before1", "before2", "after1", "after2"])
    members = [gz(warcinfo())] + [gz(rec) for _, rec in docs]
    garbage = bytes(c.rng.randrange(256) for _ in range(500)).replace(b"\x1f", b"\x20")
    data = b"".join(members[:3]) + garbage + b"".join(members[3:])
    write(out, "gzip_spliced_garbage.warc.wet.gz", data)
    c.add(name, "gzip_spliced_garbage.warc.wet.gz", "garbage spliced between gzip members",
          "multi-member WET.gz with 500 bytes of garbage between the members "
          "of records 2 and 3; every record is intact",
          must=[m for m, _ in docs])


def zstd_frames(c, name, nframes, lines_per_frame):
    ids, frames = [], []
    for i in range(nframes):
        lines = b""
        group = []
        for j in range(lines_per_frame):
            mid, text = c.para(name, f"f{i}l{j}")
            group.append(mid)
            lines += jline({"id": f"{i}-{j}", "url": f"http://faults.example/{i}/{j}",
                            "text": text})
        ids.append(group)
        frames.append(bytearray(zstd(lines)))
    return ids, frames


def case_zstd_corrupt_frame(c, out):
    name = "zstd_corrupt_frame"
    ids, frames = zstd_frames(c, name, 5, 4)
    bad = frames[2]
    for k in range(len(bad) // 2, len(bad) // 2 + 16):
        bad[k] = 0xff
    write(out, "zstd_corrupt_frame.jsonl.zst", b"".join(bytes(f) for f in frames))
    c.add(name, "zstd_corrupt_frame.jsonl.zst", "corrupt zstd frame",
          "multi-frame JSONL.zst, 4 lines per frame; 16 bytes in the middle of "
          "frame 3 of 5 are overwritten",
          must=ids[0] + ids[1] + ids[3] + ids[4], may=ids[2])


def case_zstd_truncated(c, out):
    name = "zstd_truncated"
    ids, frames = zstd_frames(c, name, 3, 3)
    data = b"".join(bytes(f) for f in frames)
    data = data[:len(data) - len(frames[2]) // 2]
    write(out, "zstd_truncated.jsonl.zst", data)
    c.add(name, "zstd_truncated.jsonl.zst", "zstd file truncated mid-frame",
          "three-frame JSONL.zst cut in the middle of the last frame",
          must=ids[0] + ids[1], may=ids[2])


def case_warc_length_short(c, out):
    name = "warc_length_short"
    m1, t1 = c.para(name, "before")
    m2a, s2a = c.marker(name, "short_head")
    m2b, s2b = c.marker(name, "short_tail")
    m3, t3 = c.para(name, "after")
    body2 = f"{s2a} {c.filler(2)} {s2b}".encode()
    keep = len(s2a) + 10
    data = (warcinfo() + warc_record("conversion", t1.encode(), 1) +
            warc_record("conversion", body2, 2, length=keep) +
            warc_record("conversion", t3.encode(), 3))
    write(out, "warc_length_short.warc", data)
    c.add(name, "warc_length_short.warc", "WARC Content-Length too short",
          "record 2 declares a Content-Length that ends early in its body; "
          "the rest of the body is not a record",
          must=[m1, m2a, m3], may=[m2b])


def case_warc_length_long(c, out):
    name = "warc_length_long"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "long")
    m3, t3 = c.para(name, "swallowed")
    m4, t4 = c.para(name, "after")
    b2 = t2.encode()
    data = (warcinfo() + warc_record("conversion", t1.encode(), 1) +
            warc_record("conversion", b2, 2, length=len(b2) + 60) +
            warc_record("conversion", t3.encode(), 3) +
            warc_record("conversion", t4.encode(), 4))
    write(out, "warc_length_long.warc", data)
    c.add(name, "warc_length_long.warc", "WARC Content-Length too long",
          "record 2 declares 60 bytes more than its body, so it swallows the "
          "start of record 3's header",
          must=[m1, m2, m4], may=[m3])


def case_warc_length_past_eof(c, out):
    name = "warc_length_past_eof"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "last")
    b2 = t2.encode()
    data = (warcinfo() + warc_record("conversion", t1.encode(), 1) +
            warc_record("conversion", b2, 2, length=len(b2) + 100000))
    write(out, "warc_length_past_eof.warc.gz", gz(data))
    c.add(name, "warc_length_past_eof.warc.gz", "WARC Content-Length past the end",
          "the last record declares 100000 bytes more than the file holds",
          must=[m1], may=[m2])


def case_warc_missing_headers(c, out):
    name = "warc_missing_headers"
    ok, may = [], []
    recs = [warcinfo()]
    mid, t = c.para(name, "ok1")
    ok.append(mid)
    recs.append(warc_record("conversion", t.encode(), 1))
    mid, t = c.para(name, "no_length")
    may.append(mid)
    recs.append(warc_record("conversion", t.encode(), 2, omit=("Content-Length",)))
    mid, t = c.para(name, "ok2")
    ok.append(mid)
    recs.append(warc_record("conversion", t.encode(), 3))
    mid, t = c.para(name, "no_type")
    may.append(mid)
    recs.append(warc_record("conversion", t.encode(), 4, omit=("WARC-Type",)))
    mid, t = c.para(name, "ok3")
    ok.append(mid)
    recs.append(warc_record("conversion", t.encode(), 5))
    mid, t = c.para(name, "no_version")
    may.append(mid)
    recs.append(warc_record("conversion", t.encode(), 6, version=False))
    mid, t = c.para(name, "ok4")
    ok.append(mid)
    recs.append(warc_record("conversion", t.encode(), 7))
    mid, t = c.para(name, "bad_length")
    may.append(mid)
    recs.append(warc_record("conversion", t.encode(), 8, length="12abc"))
    mid, t = c.para(name, "ok5")
    ok.append(mid)
    recs.append(warc_record("conversion", t.encode(), 9))
    write(out, "warc_missing_headers.warc", b"".join(recs))
    c.add(name, "warc_missing_headers.warc", "WARC records with missing headers",
          "records without Content-Length, without WARC-Type, without the "
          "WARC/1.0 line, and with a non-numeric Content-Length, each between "
          "intact records", must=ok, may=may, min_errors=4)


def overlong(word):
    """The word with every ASCII letter after the first written as an
    overlong 2-byte UTF-8 sequence (which must decode to U+FFFD)."""
    out = bytearray(word[0].encode())
    for ch in word[1:]:
        o = ord(ch)
        out += bytes([0xc0 | (o >> 6), 0x80 | (o & 0x3f)])
    return bytes(out)


INVALID_UTF8 = [
    b"\xff\xfe", b"\x80\xbf\x80", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
    b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xc0\x80",
    b"\xfe", b"\xc3", b"\xe6\x97",
]


def case_invalid_utf8_txt(c, out):
    name = "invalid_utf8_txt"
    ids = []
    data = b""
    for i in range(4):
        mid, t = c.para(name, f"p{i}")
        ids.append(mid)
        data += t.encode() + b" " + b" ".join(INVALID_UTF8) + b"\n"
    om, os_ = c.marker(name, "overlong")
    data += b" ".join(overlong(w) for w in os_.split()) + b"\n"
    mid, t = c.para(name, "end")
    ids.append(mid)
    data += t.encode() + b"\n"
    write(out, "invalid_utf8.txt", data)
    c.add(name, "invalid_utf8.txt", "invalid UTF-8 and overlong encodings",
          "plain text with invalid bytes, surrogates, truncated and overlong "
          "sequences between marker sentences; one sentence spelled with "
          "overlong letters (must not decode to the letters)",
          must=ids, must_not=[om], min_errors=0, max_errors=0)


def case_invalid_utf8_jsonl(c, out):
    name = "invalid_utf8_jsonl"
    ids = []
    data = b""
    for i in range(3):
        ma, ta = c.marker(name, f"l{i}a")
        mb, tb = c.marker(name, f"l{i}b")
        ids += [ma, mb]
        bad = b" ".join(INVALID_UTF8[i * 4:(i + 1) * 4 + 1])
        data += (b'{"id": "' + str(i).encode() + b'", "text": "' + ta.encode() +
                 b" " + bad + b" " + tb.encode() + b'"}\n')
    om, os_ = c.marker(name, "overlong")
    data += b'{"text": "' + b" ".join(overlong(w) for w in os_.split()) + b'"}\n'
    mid, t = c.para(name, "end")
    ids.append(mid)
    data += jline({"text": t})
    write(out, "invalid_utf8.jsonl", data)
    c.add(name, "invalid_utf8.jsonl", "invalid UTF-8 inside JSON strings",
          "JSONL whose text strings hold raw invalid and overlong UTF-8 "
          "between two marker sentences",
          must=ids, must_not=[om], min_errors=0, max_errors=0)


def case_nul_txt(c, out):
    name = "nul_bytes_txt"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    m3, t3 = c.para(name, "end")
    data = (t1.encode() + b"\x00" * 5000 + t2.encode() + b"\x00\x00 \x00" +
            t3.encode() + b"\x00")
    write(out, "nul_bytes.txt", data)
    c.add(name, "nul_bytes.txt", "NUL bytes",
          "plain text with runs of NUL bytes between marker paragraphs",
          must=[m1, m2, m3], min_errors=0, max_errors=0)


def case_nul_jsonl(c, out):
    name = "nul_bytes_jsonl"
    m1, t1 = c.para(name, "before")
    m2a, t2a = c.marker(name, "escaped_a")
    m2b, t2b = c.marker(name, "escaped_b")
    m3, t3 = c.marker(name, "raw")
    m4, t4 = c.para(name, "after")
    data = (jline({"text": t1}) +
            jline({"text": t2a + "\u0000\u0000" + t2b}) +
            b'{"text": "' + t3.encode() + b'\x00\x00"}\n' +
            b"\x00" * 64 + b"\n" +
            jline({"text": t4}))
    write(out, "nul_bytes.jsonl", data)
    c.add(name, "nul_bytes.jsonl", "NUL bytes in JSON lines",
          "a text with escaped NULs (valid), a string with raw NULs (invalid "
          "JSON), and a line of NUL bytes",
          must=[m1, m2a, m2b, m4], may=[m3])


def case_nul_warc(c, out):
    name = "nul_bytes_warc"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    body = t1.encode() + b"\x00" * 1000 + t2.encode()
    write(out, "nul_bytes.warc.wet.gz", gz(warcinfo()) + gz(warc_record("conversion", body, 1)))
    c.add(name, "nul_bytes.warc.wet.gz", "NUL bytes in a WET record",
          "one conversion record whose body has 1000 NUL bytes between two "
          "marker paragraphs", must=[m1, m2], min_errors=0, max_errors=0)


def case_empty(c, out):
    for fname in ["empty.txt", "empty.jsonl", "empty.warc.wet.gz", "empty.jsonl.zst"]:
        write(out, fname, b"")
        c.add("empty_" + fname.replace(".", "_"), fname, "0-byte file",
              "an empty file", min_errors=0, max_errors=0)


def case_json_not_object(c, out):
    name = "json_not_object"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    bad = []
    data = jline({"text": t1})
    for label, make in [("array", lambda s: [s]), ("string", lambda s: s),
                        ("nested_array", lambda s: [{"text": s}])]:
        mid, s = c.marker(name, label)
        bad.append(mid)
        data += jline(make(s))
    data += b"42\nnull\ntrue\n"
    data += jline({"text": t2})
    write(out, "json_not_object.jsonl", data)
    c.add(name, "json_not_object.jsonl", "JSON line that is not an object",
          "lines holding an array, a string, a number, null and true between "
          "two good lines", must=[m1, m2], must_not=bad, min_errors=6,
          max_errors=6)


def case_json_text_missing(c, out):
    name = "json_text_missing"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    mc, sc = c.marker(name, "content_field")
    mn, sn = c.marker(name, "nested_text")
    data = (jline({"text": t1}) + jline({"id": "x", "content": sc}) +
            jline({"meta": {"text": sn}}) + jline({}) + jline({"text": t2}))
    write(out, "json_text_missing.jsonl", data)
    c.add(name, "json_text_missing.jsonl", "JSON text field missing",
          "objects without a top-level \"text\" (the text is in another "
          "field, or nested) between two good lines",
          must=[m1, m2], must_not=[mc, mn], min_errors=3, max_errors=3)


def case_json_text_not_string(c, out):
    name = "json_text_not_string"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    ma, sa = c.marker(name, "array")
    mo, so = c.marker(name, "object")
    data = (jline({"text": t1}) + jline({"text": [sa]}) + jline({"text": {"t": so}}) +
            jline({"text": 42}) + jline({"text": None}) + jline({"text": True}) +
            jline({"text": t2}))
    write(out, "json_text_not_string.jsonl", data)
    c.add(name, "json_text_not_string.jsonl", "JSON text field not a string",
          "\"text\" holding an array, an object, a number, null and true",
          must=[m1, m2], must_not=[ma, mo], min_errors=5, max_errors=5)


def case_json_truncated_line(c, out):
    name = "jsonl_truncated_line"
    m1, t1 = c.para(name, "before")
    mc, tc = c.para(name, "cut")
    line = jline({"text": tc})
    write(out, "jsonl_truncated_line.jsonl", jline({"text": t1}) + line[:len(line) * 2 // 3])
    c.add(name, "jsonl_truncated_line.jsonl", "JSON line cut by the end of the file",
          "the last line stops in the middle of its text string",
          must=[m1], may=[mc], min_errors=1, max_errors=1)


def case_json_garbage_line(c, out):
    name = "jsonl_garbage_line"
    m1, t1 = c.para(name, "before")
    m2, t2 = c.para(name, "after")
    garbage = bytes(c.rng.randrange(256) for _ in range(2000)).replace(b"\n", b"\r")
    write(out, "jsonl_garbage_line.jsonl", jline({"text": t1}) + garbage + b"\n" +
          b'{"text": "unterminated \n' + jline({"text": t2}))
    c.add(name, "jsonl_garbage_line.jsonl", "binary garbage line in JSONL",
          "2000 random bytes as one line and an unterminated string between "
          "two good lines", must=[m1, m2], min_errors=2, max_errors=2)


CASES = [
    case_gzip_truncated_member, case_gzip_truncated_end, case_gzip_corrupt_member,
    case_gzip_trailing_garbage, case_gzip_spliced_garbage, case_zstd_corrupt_frame,
    case_zstd_truncated, case_warc_length_short, case_warc_length_long,
    case_warc_length_past_eof, case_warc_missing_headers, case_invalid_utf8_txt,
    case_invalid_utf8_jsonl, case_nul_txt, case_nul_jsonl, case_nul_warc, case_empty,
    case_json_not_object, case_json_text_missing, case_json_text_not_string,
    case_json_truncated_line, case_json_garbage_line,
]


def build(outdir, seed=6):
    os.makedirs(outdir, exist_ok=True)
    c = Corpus(seed)
    for make in CASES:
        make(c, outdir)
    manifest = {"version": 1, "seed": seed, "markers": c.markers, "cases": c.cases}
    with open(os.path.join(outdir, "faults.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    return manifest


def main(argv=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", default=os.path.join(root, "testdata", "faults"))
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args(argv)
    m = build(args.outdir, args.seed)
    print(f"{len(m['cases'])} fault cases, {len(m['markers'])} markers in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
