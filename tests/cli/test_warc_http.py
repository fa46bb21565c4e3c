#!/usr/bin/env python3
"""test_warc_http.py -- WARC response bodies are read as the page they
carry, not as the bytes the server framed and compressed them into:

- Content-Encoding gzip (two members too), x-gzip, deflate with and
  without its zlib wrapper: decoded; Transfer-Encoding chunked (small
  chunks, extensions, a trailer): de-chunked, alone and under gzip; a
  body whose header says chunked but which was already de-chunked is
  read as it stands.  Each page's sentence is contaminated (probe and
  scan) and `contam cat` gives the sentence whole.  Read raw, each of
  them was clean.
- JSON and XML responses are read (they were skipped uncounted); XML
  through the HTML filter, its tags dropped.
- A Content-Encoding this reader does not undo, a payload that is not
  text, and a damaged gzip body: counted and named in a note (`info`),
  never read as noise.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam, write  # noqa: E402

S = Suite("test_warc_http")

SENTENCES = [
    f"page {i} tells how the copper kettle of sailor {i} rolled across the deck "
    f"while the gulls of harbor {i} watched the storm clouds gather in the west"
    for i in range(12)
]


def response(i, headers, body):
    http = ("HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) +
            "\r\n").encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:r{i}>\r\n"
            f"WARC-Target-URI: http://e.com/{i}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n")
    return head.encode() + http + b"\r\n\r\n"


def html(text):
    return f"<html><body><p>{text}</p></body></html>".encode()


def chunked(data, size=7):
    out = b""
    for k in range(0, len(data), size):
        piece = data[k:k + size]
        ext = ";name=v" if k == 0 else ""
        out += f"{len(piece):x}{ext}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\nX-Trailer: done\r\n\r\n"


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


HTML = [("Content-Type", "text/html; charset=utf-8")]


def read_pages():
    """(headers, body) of each page whose sentence must be found."""
    s = SENTENCES
    half = len(html(s[1])) // 2
    return [
        (HTML + [("Content-Encoding", "gzip")], gzip.compress(html(s[0]))),
        (HTML + [("Content-Encoding", "gzip")],
         gzip.compress(html(s[1])[:half]) + gzip.compress(html(s[1])[half:])),
        (HTML + [("Content-Encoding", "x-gzip")], gzip.compress(html(s[2]))),
        (HTML + [("Content-Encoding", "deflate")], zlib.compress(html(s[3]))),
        (HTML + [("Content-Encoding", "deflate")], raw_deflate(html(s[4]))),
        (HTML + [("Transfer-Encoding", "chunked")], chunked(html(s[5]))),
        (HTML + [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")],
         chunked(gzip.compress(html(s[6])), 5)),
        (HTML + [("Transfer-Encoding", "chunked")], html(s[7])),  # already de-chunked
        ([("Content-Type", "application/json")],
         json.dumps({"answer": s[8]}).encode()),
        ([("Content-Type", "application/rss+xml")],
         f"<?xml version='1.0'?><rss><item><title>{s[9]}</title></item></rss>".encode()),
    ]


def setup(tmp):
    recs = b"".join(response(i, h, b) for i, (h, b) in enumerate(read_pages()))
    warc = write(os.path.join(tmp, "coded.warc.gz"), gzip.compress(recs))
    bench = write(os.path.join(tmp, "b.jsonl"),
                  "".join(json.dumps({"q": t}) + "\n" for t in SENTENCES[:10]))
    return {"tmp": tmp, "warc": warc, "bench": bench}


@S.test
def coded_and_chunked_pages_are_read(c):
    r = contam("cat", c["warc"]).expect(0)
    docs = [json.loads(line) for line in r.out.splitlines()]
    check(len(docs) == 10, f"{len(docs)} documents: {r.err[-300:]}")
    for i, d in enumerate(docs):
        text = " ".join(d["text"].split())
        check(SENTENCES[i] in text, f"page {i}: {d['text'][:160]!r}")
    ix = os.path.join(c["tmp"], "c.cidx")
    r = contam("index", "-t", "1", "-o", ix, c["warc"]).expect(0)
    check("not UTF-8" not in r.err, f"bytes read raw: {r.err[-300:]}")
    rep = contam("probe", "-q", "--field", "q", ix, c["bench"]).expect(0).json()
    verdicts = [e["verdict"] for e in rep["examples"]]
    check(verdicts == ["contaminated"] * 10, f"probe: {verdicts}")
    srep = os.path.join(c["tmp"], "s.json")
    contam("scan", "-q", "--bench", c["bench"], "--report", srep, "-o",
           os.path.join(c["tmp"], "h.jsonl"), c["warc"]).expect(0)
    s = json.load(open(srep))
    check(s["benchmarks"][0]["contaminated"] == 10, f"scan: {s['benchmarks'][0]}")


@S.test
def what_is_not_read_is_said(c):
    s = SENTENCES
    good = gzip.compress(html(s[10]))
    recs = [
        response(0, HTML + [("Content-Encoding", "compress")], b"\x1f\x9d\x90junk"),
        response(1, [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n" + b"\0" * 40),
        # a gzip body cut and then garbage: read up to the damage
        response(2, HTML + [("Content-Encoding", "gzip")],
                 good[:len(good) // 2] + b"\xff" * 64),
        response(3, HTML, html(s[11])),
    ]
    warc = write(os.path.join(c["tmp"], "odd.warc"), b"".join(recs))
    ix = os.path.join(c["tmp"], "odd.cidx")
    r = contam("index", "-t", "1", "-o", ix, warc).expect(0)
    info = contam("info", ix).expect(0).out
    both = r.err + info
    check("Content-Encoding this reader does not undo (first: 'compress')" in both,
          f"unknown coding not said: {both[-600:]}")
    check("not text (first: 'image/png') were skipped" in both, f"image not said: {both[-600:]}")
    check("damaged and were read up to the damage" in both, f"damage not said: {both[-600:]}")
    docs = [json.loads(line) for line in contam("cat", warc).expect(0).out.splitlines()]
    check(len(docs) == 2 and s[11] in " ".join(docs[-1]["text"].split()),
          f"documents: {[d['text'][:60] for d in docs]}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
