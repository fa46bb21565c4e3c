#!/usr/bin/env python3
"""test_warc_charsets.py -- HTML pages of a WARC file in charsets other
than UTF-8 and windows-1252 are transcoded to UTF-8 (iconv), as their
HTTP Content-Type or <meta> says, where they were read as bytes that are
not UTF-8 (each a separator) and a UTF-8 benchmark of their text read
clean:

- EUC-JP (HTTP header), Shift_JIS (<meta charset>), GBK labelled gb2312
  (<meta http-equiv>), EUC-KR and Big5: `contam cat` gives the text
  Python's codec gives, the index has no byte that is not UTF-8, and a
  UTF-8 benchmark of each page's sentence is contaminated (probe and
  scan)
- a page of over 256 KiB in EUC-JP (pieces cut inside characters) reads
  as Python decodes it
- a byte invalid in the charset becomes U+FFFD, and the rest is read
- a label iconv does not know: the page is read as its bytes, a note
  names the label, and its bytes that are not UTF-8 are counted
- a page whose label is wrong (Shift_JIS or iso-8859-1 declared, UTF-8
  bytes) is read as UTF-8, with a note; text/plain in a charset is
  transcoded as HTML is (Shift_JIS, and iso-8859-1 as windows-1252)
- the real ClueWeb09-ja excerpt of ../shared/data (EUC-JP pages) has no
  byte that is not UTF-8 left (skipped when absent)

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam, write  # noqa: E402

S = Suite("test_warc_charsets")

JA = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
ZH = "话说天下大势，分久必合，合久必分。周末七国分争，并入于秦。及秦灭之后，楚、汉分争，又并入于汉。汉朝自高祖斩白蛇而起义，一统天下。"
ZHT = "話說天下大勢，分久必合，合久必分。周末七國分爭，併入於秦。及秦滅之後，楚、漢分爭，又併入於漢。漢朝自高祖斬白蛇而起義，一統天下。"
KO = "대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, 모든 권력은 국민으로부터 나온다. 대한민국의 국민이 되는 요건은 법률로 정한다. 국가는 법률이 정하는 바에 의하여 재외국민을 보호할 의무를 진다."


def response(i, url, http_ctype, html_bytes):
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {http_ctype}\r\n\r\n").encode() + html_bytes
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:r{i}>\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n")
    return head.encode() + http + b"\r\n\r\n"


def page(text, enc, meta=""):
    return (f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"
            ).encode(enc)


PAGES = [  # (label in HTTP, meta tag, text, python codec)
    ("text/html; charset=EUC-JP", "", JA, "euc_jp"),
    ("text/html", '<meta charset="Shift_JIS">', JA, "shift_jis"),
    ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
     ZH, "gbk"),
    ("text/html; charset=euc-kr", "", KO, "euc_kr"),
    ("text/html; charset=big5", "", ZHT, "big5"),
]


def setup(tmp):
    recs = b"".join(response(i, f"http://e.com/{i}", ct, page(t, enc, meta))
                    for i, (ct, meta, t, enc) in enumerate(PAGES))
    warc = write(os.path.join(tmp, "pages.warc.gz"), gzip.compress(recs))
    return {"tmp": tmp, "warc": warc}


def cat(path):
    r = contam("cat", path).expect(0)
    return [json.loads(line) for line in r.out.splitlines()], r.err


@S.test
def pages_read_as_their_charset(c):
    docs, _ = cat(c["warc"])
    check(len(docs) == len(PAGES), f"{len(docs)} documents")
    for d, (_, _, text, enc) in zip(docs, PAGES):
        check(text in d["text"], f"{enc}: {d['text'][:200]!r}")
    ix = os.path.join(c["tmp"], "p.cidx")
    r = contam("index", "-t", "1", "-o", ix, c["warc"]).expect(0)
    check("not UTF-8" not in r.err, f"bytes not UTF-8 left: {r.err[-400:]}")
    e = contam("info", "--json", ix).expect(0).json()["inputs"][0]
    check(e["problems"]["not_utf8_bytes"] == 0, f"problems {e['problems']}")
    bench = write(os.path.join(c["tmp"], "b.jsonl"),
                  "".join(json.dumps({"q": t}, ensure_ascii=False) + "\n"
                          for t in (JA, ZH, KO, ZHT)))
    rep = contam("probe", "-q", "--field", "q", ix, bench).expect(0).json()
    check(rep["benchmarks"][0]["contaminated"] == 4, f"probe: {rep['benchmarks'][0]}")
    srep = os.path.join(c["tmp"], "s.json")
    contam("scan", "-q", "--bench", bench, "--report", srep, "-o",
           os.path.join(c["tmp"], "h.jsonl"), c["warc"]).expect(0)
    s = json.load(open(srep))
    check(s["benchmarks"][0]["contaminated"] == 4 and s["scan"]["not_utf8_bytes"] == 0,
          f"scan: {s['benchmarks'][0]['contaminated']}, {s['scan']['not_utf8_bytes']}")


@S.test
def long_page_cut_inside_characters(c):
    text = (JA * 3000)  # about 600 KiB in EUC-JP: several 256 KiB pieces
    raw = page(text, "euc_jp")
    # an odd offset so that piece ends fall inside two-byte characters
    raw = raw.replace(b"<p>", b"<p>x", 1)
    warc = write(os.path.join(c["tmp"], "long.warc.gz"),
                 gzip.compress(response(0, "http://e.com/l", "text/html; charset=euc-jp", raw)))
    docs, err = cat(warc)
    check(len(docs) == 1 and ("x" + text) in docs[0]["text"].replace("\n", ""),
          f"long page differs: {len(docs)} docs, {err[-300:]}")
    check("\ufffd" not in docs[0]["text"], "a replacement character in a valid page")


@S.test
def invalid_bytes_and_unknown_labels(c):
    raw = page(JA, "euc_jp").replace("猫".encode("euc_jp"), b"\xff\xfe", 1)
    bad = response(0, "http://e.com/b", "text/html; charset=euc-jp", raw)
    unk = response(1, "http://e.com/u", "text/html; charset=x-no-such-charset",
                   page(JA, "euc_jp"))
    warc = write(os.path.join(c["tmp"], "bad.warc.gz"), gzip.compress(bad + unk))
    docs, err = cat(warc)
    check(len(docs) == 2, f"{len(docs)} documents")
    check("\ufffd" in docs[0]["text"] and "名前はまだ無い" in docs[0]["text"],
          f"invalid bytes: {docs[0]['text'][:200]!r}")
    ix = os.path.join(c["tmp"], "u.cidx")
    r = contam("index", "-t", "1", "-o", ix, warc).expect(0)
    check("1 record(s) in a charset this system's iconv does not know "
          "(first: 'x-no-such-charset')" in r.err, f"no note: {r.err[-500:]}")
    check("2 byte(s) in 1 record(s) are invalid in the charset their page declares" in r.err,
          f"replaced bytes not said: {r.err[-500:]}")
    e = contam("info", "--json", ix).expect(0).json()["inputs"][0]
    check(e["problems"]["not_utf8_bytes"] > 50, f"untranscoded bytes not counted: {e['problems']}")


def plain_response(i, ctype, body):
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n".encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:p{i}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n")
    return head.encode() + http + b"\r\n\r\n"


@S.test
def wrong_labels_and_plain_text(c):
    fr = "le café était fermé à midi, mais la façade rénovée de l'hôtel attirait les élèves"
    recs = (response(0, "http://e.com/a", "text/html; charset=Shift_JIS", page(JA, "utf-8"))
            + response(1, "http://e.com/b", "text/html; charset=iso-8859-1", page(fr, "utf-8"))
            + plain_response(2, "text/plain; charset=Shift_JIS", JA.encode("shift_jis"))
            + plain_response(3, "text/plain; charset=iso-8859-1", fr.encode("cp1252"))
            + response(4, "http://e.com/c", "text/html; charset=iso-8859-1", page(fr, "cp1252"))
            # a right label says nothing; <meta> UTF-16 on an ASCII page is UTF-8
            + response(5, "http://e.com/d", "text/html; charset=utf-8", page(JA, "utf-8"))
            + response(6, "http://e.com/e", "text/html",
                       page("plain english words here", "utf-8", '<meta charset="utf-16">')))
    # a conversion record after a labelled response is not read by its label
    conv = ("conv " + JA).encode()
    recs += (f"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:c>\r\n"
             f"Content-Type: text/plain\r\nContent-Length: {len(conv)}\r\n\r\n").encode() \
        + conv + b"\r\n\r\n"
    warc = write(os.path.join(c["tmp"], "labels.warc.gz"), gzip.compress(recs))
    docs, err = cat(warc)
    check(len(docs) == 8, f"{len(docs)} documents")
    for i, want in enumerate((JA, fr, JA, fr, fr, JA, "plain english words here", JA)):
        check(want in docs[i]["text"], f"record {i}: {docs[i]['text'][:160]!r}")
    ix = os.path.join(c["tmp"], "l.cidx")
    r = contam("index", "-t", "1", "-o", ix, warc).expect(0)
    check("2 record(s) declare a charset (first: 'Shift_JIS') but their bytes are UTF-8: "
          "read as UTF-8" in r.err, f"no note: {r.err[-500:]}")
    e = contam("info", "--json", ix).expect(0).json()["inputs"][0]
    check(e["problems"]["not_utf8_bytes"] == 0, f"problems {e['problems']}")


@S.test
def clueweb_excerpt(c):
    f = os.path.join(SHARED, "corpus", "commoncrawl_resiliparse_tests", "clueweb-quirk.warc.gz")
    if not os.path.exists(f):
        return "skip"
    ix = os.path.join(c["tmp"], "cw.cidx")
    contam("index", "-q", "-t", "1", "-o", ix, f).expect(0)
    e = contam("info", "--json", ix).expect(0).json()["inputs"][0]
    check(e["problems"]["not_utf8_bytes"] == 0 and e["documents"] > 20, f"clueweb: {e}")
    docs, _ = cat(f)
    check(sum("の" in d["text"] for d in docs) > 10, "the EUC-JP pages do not read as Japanese")


if __name__ == "__main__":
    sys.exit(S.run(setup))
