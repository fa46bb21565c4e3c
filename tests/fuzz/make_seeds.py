#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target into tests/fuzz/corpus/<target>/.

usage: make_seeds.py [--contam BIN] [--out DIR]

The seeds are committed (they are replayed under `meson test`); rerun this
only to change them.  Needs python3, the zstd command, and a built contam
(for real index files; default build/src/cli/contam).  Deterministic: the
same script writes the same bytes.  Keep the total small (< 200 KB).

Seed formats follow the targets:
  fuzz_warc        the file itself (plain, gzip or zstd WARC/WET)
  fuzz_jsonl       the file itself (also used whole as one JSON line)
  fuzz_bench       1 control byte (format = byte % 5: csv tsv json jsonl
                   txt; options = byte / 5) + the file
  fuzz_normalize   4 bytes of PRNG seed for the piece sizes (first byte 0xa5:
                   repeat the text past CTOK_RUN_MAX) + the text
  fuzz_index_load  the index file
  fuzz_mediawiki   the file itself (a MediaWiki XML dump; also used whole
                   as one JSON value for the --text-field paths)
  fuzz_sniff       1 control byte (file name suffix = byte % 8: none .jsonl
                   .txt .warc .zip .json.gz .csv .bz2) + the file
"""
import argparse
import bz2
import importlib.util
import io
import json
import lzma
import tarfile
import zipfile
import zlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_gen_faults():
    spec = importlib.util.spec_from_file_location(
        "gen_faults", os.path.join(ROOT, "scripts", "gen_faults.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def put(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def warc_seeds(g, c, put):
    rec = g.warc_record
    t1, t2, t3 = (c.filler(2).encode() for _ in range(3))
    plain = g.warcinfo() + rec("conversion", t1, 1) + rec("conversion", t2, 2)
    put("wet.warc", plain)
    put("wet_members.warc.gz", b"".join(g.gz(r) for r in
                                        [g.warcinfo(), rec("conversion", t1, 1),
                                         rec("conversion", t2, 2)]))
    put("wet.warc.zst", g.zstd(plain))
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + t3
    put("response.warc", rec("response", http, 3) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG", 4) +
        rec("request", b"GET / HTTP/1.1\r\n\r\n", 5) + rec("resource", t2, 6))
    put("length_short.warc", rec("conversion", t1, 1, length=10) + rec("conversion", t2, 2))
    put("length_long.warc", rec("conversion", t1, 1, length=len(t1) + 40) +
        rec("conversion", t2, 2) + rec("conversion", t3, 3))
    put("missing.warc", rec("conversion", t1, 1, omit=("Content-Length",)) +
        rec("conversion", t2, 2, omit=("WARC-Type",)) +
        rec("conversion", t3, 3, version=False) + rec("conversion", t1, 4, length="9x"))
    trunc = b"".join(g.gz(r) for r in [rec("conversion", t1, 1), rec("conversion", t2, 2)])
    put("truncated.warc.gz", trunc[:len(trunc) - 30])
    put("clueweb.warc", plain.replace(b"WARC/1.0", b"WARC/0.18"))
    put("lf_only.warc", plain.replace(b"\r\n", b"\n"))
    put("nul.warc", rec("conversion", t1 + b"\x00\x00\xff\xfe" + t2, 1))
    # HTML payloads: the HTML-to-text filter (html_text.c)
    page = (b"<!DOCTYPE html><html><head><title>T &amp; t</title><meta charset=latin1>"
            b"<script>if (a<b) x='</p>';</script><style>p{}</style></head><body>"
            b"<p>caf\xe9 <a href=\"x>y\" title='q'>li<b>nk</b></a>&#8217;&#x41;&eacute;"
            b"&unknown;&#0;<br/><!-- c --><![CDATA[cd]]><svg><g>s</g></svg>"
            b"<noscript>n</noscript></p></body></html>")
    put("html.warc", rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" +
                         page, 7) +
        rec("response", b"HTTP/1.1 200 OK\r\n\r\n" + page, 8) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=cp1252\r\n"
            b"\r\n<p>\x93cut <scr", 9))
    # other charsets: transcoded with iconv (reader_warc.c), a character
    # cut at the end, an invalid byte, a stateful charset, an unknown label
    ja = "吾輩は猫である。名前はまだ無い。"
    put("charsets.warc",
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=euc-jp\r\n\r\n"
            b"<p>" + ja.encode("euc_jp") + b"\xff" + ja.encode("euc_jp")[:-1], 10) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
            b"<meta charset=shift_jis><p>" + ja.encode("shift_jis"), 11) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-2022-jp\r\n"
            b"\r\n<p>" + ja.encode("iso2022_jp"), 12) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=x-nonesuch\r\n"
            b"\r\n<p>" + ja.encode("euc_jp"), 13))
    # HTTP framing and coding (http_body.c): gzip, chunked deflate (zlib
    # wrapper), JSON, a coding not undone
    body = b"<html><body><p>a page of words for the fuzzer to chew on</p></body></html>"
    z = zlib.compress(body)
    chunked = b"".join(b"%x\r\n" % len(z[k:k + 9]) + z[k:k + 9] + b"\r\n"
                       for k in range(0, len(z), 9)) + b"0\r\nX-T: 1\r\n\r\n"
    put("http_coded.warc",
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Content-Encoding: gzip\r\n\r\n" + g.gz(body), 14) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: "
            b"chunked\r\nContent-Encoding: deflate\r\n\r\n" + chunked, 15) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
            b'{"q": "a json answer of several words"}', 16) +
        rec("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Content-Encoding: compress\r\n\r\n\x1f\x9d\x90junk", 17))


def jsonl_seeds(g, c, put):
    lines = [
        {"id": "a", "url": "http://x.example/", "text": c.filler(1)},
        {"text": "caf\u00e9 \u00c5ngstr\u00f6m \u6771\u4eac \U0001F600 tab\tquote\" backslash\\"},
        {"meta": {"text": "nested"}, "text": "after nested", "n": [1, 2.5e3, -0.0, True, None]},
    ]
    put("lines.jsonl", b"".join(g.jline(x) for x in lines))
    put("escapes.jsonl",
        b'{"text": "\\u00e9\\ud83d\\ude00 \\ud800 lone \\u0000 nul \\/ \\b\\f\\n\\r\\t"}\n'
        b'{"text":"x","text":"last wins"}\n'
        b'{ "url" : "u" , "id" : 7 , "text" : "spaced" }\r\n')
    put("bad_lines.jsonl",
        b'[1, 2]\n"str"\n42\n{"text": 1}\n{"text": ["a"]}\n{"text": "unterminated\n'
        b'{"text": "ok"} trailing\n{"a":}\n{\n\x00\x00\n')
    put("array.json", json.dumps([{"text": "one"}, {"text": "two", "id": "2"}, 3]).encode())
    put("pretty.json", b'{\n  "text": "one pretty object",\n  "id": "p"\n}\n')
    put("raw_utf8.jsonl", b'{"text": "bad \xff\xfe \xc0\xaf \xed\xa0\x80 bytes"}\n')
    put("deep.jsonl", b'{"a":' + b'[' * 200 + b']' * 200 + b', "text": "deep"}\n')


def bench_seeds(g, c, put):
    csv_ = b'question,answer,id\n"What is, with a comma?","yes ""quoted""",1\nplain,row,2\n' \
           b'"multi\nline",x,3\n'
    put("csv", bytes([0]) + csv_)
    put("csv_fields_id", bytes([0 + 5 * (1 | 4)]) + csv_)
    put("csv_noheader", bytes([0 + 5 * 8]) + b"a,b\nc,d\n")
    put("csv_unbalanced", bytes([0]) + b'q,a\n"open,x\nmore\n')
    put("tsv", bytes([1 + 5 * 1]) + b"question\tanswer\nwhat\tthis\n\"q\"\tx\n")
    put("json_array", bytes([2 + 5 * 2]) + json.dumps(
        [{"question": {"stem": "s", "choices": [{"text": "a"}, {"text": "b"}]}, "id": 1},
         {"question": "plain"}]).encode())
    put("json_object", bytes([2]) + json.dumps(
        {"version": 1, "data": [{"question": "q1", "answer": "a1"}, {"question": "q2"}]}).encode())
    put("json_lines", bytes([2 + 5 * 1]) + b'{"question": "a", "answer": "b"}\n{"question": "c"}\n')
    put("jsonl", bytes([3 + 5 * 5]) + b'{"question": "q", "answer": "a", "id": "x"}\n\n'
        b'"a string record"\n{"question": ["x", "y"]}\n')
    put("jsonl_bad", bytes([3]) + b'{"question": "q"}\n{"question": \n')
    put("txt", bytes([4]) + b"\xef\xbb\xbfone example per line\n\n  \nsecond one\n")
    # --records with ^ and @keys, "*.1", records of 3 text lines
    put("json_records", bytes([2 + 5 * (16 | 1)]) + json.dumps(
        {"x": {"k1": 1, "k2": 0}, "data": [{"paragraphs": [{"context": "c", "qas": [
            {"question": "q1"}, {"question": "q2"}]}]}]}).encode())
    put("json_records_star", bytes([2 + 5 * (16 | 32)]) + json.dumps(
        [[["p1"], [{"question": "q"}], "id"]]).encode())
    put("txt_lines", bytes([4 + 5 * (32 | 1)]) + b"a\n1\nb\n\nc\n2\nd\n")


def normalize_seeds(g, c, put):
    seed = bytes([0x9d, 0x21, 0x5b, 0x03])
    put("ascii", seed + c.filler(4).encode())
    put("unicode", bytes([1, 2, 3, 4]) + (
        "Caf\u00e9 cafe\u0301 \uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 "
        "\u6771\u4eac\u90fd\u3072\u3089\u304c\u306a\u30ab\u30bf\u30ab\u30ca \ud55c\uad6d\uc5b4 "
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0928\u092e\u0938\u094d\u0924\u0947 "
        "Stra\u00dfe \u0130stanbul \u1e9e \ufb01le \u2460\u2461 x\u00b2 \U0001F600\U0001F1FA\U0001F1F8 "
        "a\u0308\u0301\u0323 \u00a0nbsp\u2003em\u200bzw \u2126 \u212b").encode())
    put("invalid", bytes([7, 7, 7, 7]) + b"ok \xff\xfe \x80 \xe2\x82 \xed\xa0\x80 \xc0\xaf "
        b"\xf4\x90\x80\x80 \xf0\x9f\x98 end\x00\x00 \xe6\x97\xa5\xe6\x9c")
    # first byte 0xa5: the target repeats the text past CTOK_RUN_MAX
    put("long_run_ascii", bytes([0xa5, 0xaa, 0x55, 0xaa]) + b"abcdefghij")
    put("long_run_mixed", bytes([0xa5, 0x13, 0x77, 0x02]) + "x\u00e9\u0301y".encode())
    put("long_run_cjk", bytes([0xa5, 0x01, 0x02, 0x03]) + "\u6771\u4eac".encode())
    put("newlines", bytes([3, 0, 0, 0]) + b"line one\r\nline\ttwo\n\nthree-four_five 3.14 1,000\n")


def sniff_seeds(g, c, put):
    NONE, JSONL, TXT, WARC, ZIP, JSONGZ, CSV, BZ2 = range(8)
    jl = b"".join(json.dumps({"text": c.filler(1)}).encode() + b"\n" for _ in range(3))
    txt = c.filler(2).encode() + b"\n"

    def zipped(members):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members:
                zi = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                z.writestr(zi, data)
        return b.getvalue()

    def tarred(members, mode):
        b = io.BytesIO()
        with tarfile.open(fileobj=b, mode=mode, format=tarfile.USTAR_FORMAT) as t:
            for name, data in members:
                ti = tarfile.TarInfo(name)
                ti.size, ti.mtime = len(data), 0
                t.addfile(ti, io.BytesIO(data))
        return b.getvalue()

    put("text", bytes([NONE]) + txt)
    wd = (b'<doc id="1" url="u?a=1&amp;b" title="T">\nT\n\n' + txt + b"</doc>\n"
          b'<doc id="2" url="v" title="U">\n' + txt)  # the second left open
    put("wikidoc", bytes([NONE]) + wd)
    put("wikidoc_bz2", bytes([BZ2]) + bz2.compress(wd))
    put("jsonl_noext", bytes([NONE]) + jl)
    put("gzip_named_jsonl", bytes([JSONL]) + g.gz(jl))
    put("zstd_txt", bytes([TXT]) + g.zstd(txt))
    put("bz2_two_streams", bytes([BZ2]) + bz2.compress(jl) + bz2.compress(txt))
    put("xz_jsonl", bytes([JSONL]) + lzma.compress(jl) + b"\0\0\0\0" + lzma.compress(jl))
    put("warc_in_txt", bytes([TXT]) + g.warcinfo() + g.warc_record("conversion", txt, 1))
    put("utf16le_bom", bytes([TXT]) + txt.decode().encode("utf-16"))
    put("utf16be_nobom_jsonl", bytes([JSONL]) + jl.decode().encode("utf-16-be"))
    put("utf32", bytes([TXT]) + txt.decode().encode("utf-32"))
    put("zip_one", bytes([ZIP]) + zipped([("a.jsonl", jl)]))
    put("zip_two", bytes([NONE]) + zipped([("a.jsonl", jl), ("b.txt", txt)]))
    put("tar_gz_noext", bytes([NONE]) + g.gz(tarred([("a.txt", txt), ("b.png", b"\x89PNG\r\n\x1a\n" + bytes(8))], "w")))
    put("tar_xz_one", bytes([CSV]) + tarred([("q.csv", b"question,answer\nq,a\n")], "w:xz"))
    put("elf", bytes([NONE]) + b"\x7fELF\x02\x01\x01" + bytes(120))
    put("elf_gz_named_json", bytes([JSONGZ]) + g.gz(b"\x7fELF\x02\x01\x01" + bytes(120)))
    put("parquet", bytes([NONE]) + b"PAR1\x15\x04\x15\x10\x15\x14L\x15\x02" + bytes(16) + b"PAR1")
    put("png", bytes([CSV]) + b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(17))
    put("pdf", bytes([TXT]) + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    put("nul_heavy", bytes([NONE]) + bytes(range(256)))
    put("nul_heavy_named_txt", bytes([TXT]) + b"words " + bytes(300) + b" more words\n")
    put("lz4", bytes([TXT]) + b"\x04\x22\x4d\x18\x64\x40\xa7" + bytes(8))
    put("gzip_long_fname", bytes([JSONL]) + b"\x1f\x8b\x08\x08\0\0\0\0\0\xff" +
        b"n" * 5000 + b"\0" + g.gz(jl)[10:] + g.gz(jl))
    put("bz2_truncated", bytes([BZ2]) + bz2.compress(jl)[:-7])
    put("v7tar_bytes", bytes([NONE]) + tarred([("x.txt", txt)], "w")[:512])


def index_seeds(contam, put):
    tmp = tempfile.mkdtemp(prefix="contam-seeds-")
    try:
        # relative names: the manifest then holds no temporary path
        a = "a.txt"
        b = "b.jsonl"
        with open(os.path.join(tmp, a), "w") as f:
            f.write("the quick brown fox jumps over the lazy dog " * 20)
        with open(os.path.join(tmp, b), "w") as f:
            for i in range(20):
                f.write(json.dumps({"text": f"record {i} has some words in it for the index "
                                            f"number {i * 7} and more"}) + "\n")
        runs = {
            "small.cidx": ["--memory", "64k", a],
            "two_inputs.cidx": ["--memory", "128k", "-n", "5", a, b],
            "part1of2.cidx": ["--memory", "64k", "--partition", "1/2", a, b],
            "empty.cidx": ["--memory", "64k", "--allow-empty", "none.txt"],
            "winnow.cidx": ["--memory", "64k", "--winnow", "4", b],
            # the doc-freq section, whole and one partition
            "docfreq.cidx": ["--memory", "64k", "--doc-freq-memory", "4k", a, b],
            "docfreq_part2of2.cidx": ["--memory", "64k", "--doc-freq-memory", "4k",
                                      "--partition", "1/2", a, b],
            # the input notes section: problem counts, messages, skips
            "notes.cidx": ["--memory", "64k", "--allow-empty", "bad.jsonl", "walked"],
            # an uncompressed, page-aligned filter (index --uncompressed-filter)
            "uncompressed.cidx": ["--memory", "8k", "--uncompressed-filter", a],
            # the minhash section (index --minhash), whole and one partition
            "minhash.cidx": ["--memory", "64k", "--minhash", a, b],
            "minhash_part1of2.cidx": ["--memory", "64k", "--minhash", "--partition", "1/2", a, b],
        }
        open(os.path.join(tmp, "none.txt"), "w").close()
        with open(os.path.join(tmp, "bad.jsonl"), "w") as f:
            f.write('{"text": "kept words here and there"}\n{"body": 1}\nnot json\n')
        os.makedirs(os.path.join(tmp, "walked"))
        with open(os.path.join(tmp, "walked", "x.txt"), "w") as f:
            f.write("walked text file words " * 5)
        with open(os.path.join(tmp, "walked", "y.parquet"), "wb") as f:
            f.write(b"PAR1" + bytes(16))
        for name, args in runs.items():
            out = os.path.join(tmp, name)
            subprocess.run([contam, "index", "-q", "-t", "1", "-o", name] + args,
                           check=True, cwd=tmp)
            with open(out, "rb") as f:
                put(name, f.read())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def mediawiki_seeds(g, c, put):
    head = (b'<?xml version="1.0"?>\n<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">\n'
            b'<siteinfo><sitename>T</sitename></siteinfo>\n')
    page = (b'<page><title>A &amp; B</title><ns>0</ns><id>7</id><revision><id>9</id>'
            b'<text xml:space="preserve">\'\'\'A\'\'\' is [[x|y]] {{t|{{u}}}} &lt;ref&gt;r&lt;/ref&gt;'
            b' &lt;!-- c --&gt; &#65;&#x42; [[z]]</text></revision></page>\n')
    redir = (b'<page><title>R</title><ns>0</ns><id>8</id><redirect title="A" />'
             b'<revision><text>#REDIRECT [[A]]</text></revision></page>\n')
    put("dump.xml", head + page + redir + b'</mediawiki>\n')
    put("cut.xml", head + page[:-40])
    put("history.xml", head + page.replace(b'</revision>', b'</revision><revision><text>old</text></revision>')
        + b'</mediawiki>\n')
    put("unclosed.xml", head + b'<page><title>U</title><id>1</id><revision><text>{{a [[b &lt;ref&gt; c'
        b'</text></revision></page></mediawiki>\n')
    put("notwiki.xml", b'<?xml version="1.0"?><root><page/></root>')
    put("array.json", b'[{"title": "t", "paragraphs": ["a", "b"], "c": [{"d": 1}]}, "s"]')
    put("object.json", b'{\n"a": {"b": "x"}, "text": [1, true, null, {"k": "v"}]}')
    put("deep.json", b'{\n "v": 1,\n "data": {"s": "t", "rows": [{"paragraphs": ["r1"]}, {"c": ["x"]}]}\n}\n')
    put("lines.json", b'{"paragraphs": ["a", "b"]}\n{"a": {"b": "c"}}\n{"c": [[1], "q"]}\n')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contam", default=os.path.join(ROOT, "build", "src", "cli", "contam"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args(argv)
    g = load_gen_faults()
    c = g.Corpus(1234)
    for target, make in [("fuzz_warc", warc_seeds), ("fuzz_jsonl", jsonl_seeds),
                         ("fuzz_bench", bench_seeds), ("fuzz_normalize", normalize_seeds),
                         ("fuzz_mediawiki", mediawiki_seeds), ("fuzz_sniff", sniff_seeds)]:
        # regress-* are inputs the fuzzers found (kept, never regenerated)
        d = os.path.join(args.out, target)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if not f.startswith("regress-"):
                os.unlink(os.path.join(d, f))
        make(g, c, lambda name, data, t=target: put(args.out, t, name, data))
    # legacy_*.cidx are files of older writers (kept, never regenerated)
    d = os.path.join(args.out, "fuzz_index_load")
    for f in os.listdir(d) if os.path.isdir(d) else []:
        if not f.startswith("legacy_"):
            os.unlink(os.path.join(d, f))
    index_seeds(args.contam, lambda name, data: put(args.out, "fuzz_index_load", name, data))
    total = sum(os.path.getsize(os.path.join(dp, f))
                for dp, _, fs in os.walk(args.out) for f in fs)
    count = sum(len(fs) for _, _, fs in os.walk(args.out))
    print(f"{count} seeds, {total} bytes in {args.out}")
    return 0 if total < 200_000 else 1


if __name__ == "__main__":
    sys.exit(main())
