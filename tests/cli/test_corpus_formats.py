#!/usr/bin/env python3
"""test_corpus_formats.py -- the corpus formats real pipelines feed:
MediaWiki XML dumps, JSON files holding an array of
records (or an object holding one), --text-field paths given once or more,
and purify's refusal of what it cannot write back.

The oracle for the dumps is Python's own XML parser (pages, redirects);
for the JSON files, Python's json module and the selection rule of the
README.  Real files in ../shared/data are used when present (skipped
otherwise); generated files cover the rest.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import bz2
import collections
import gzip
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_corpus_formats")
WIKI = os.path.join(SHARED, "corpus", "wikipedia_dump_samples")
ENWIKI = os.path.join(WIKI, "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
BGWIKI = os.path.join(WIKI, "bgwiki-latest-pages-articles-shortened.xml.bz2")
CHINESE = os.path.join(SHARED, "corpus", "classical_chinese")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def dump_oracle(xml_bytes):
    """(pages, redirects) by Python's XML parser."""
    root = ET.fromstring(xml_bytes)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    pages = red = 0
    for page in root.iter(ns + "page"):
        pages += 1
        t = page.find(f"{ns}revision/{ns}text")
        text = (t.text or "") if t is not None else ""
        if page.find(ns + "redirect") is not None or text.lstrip().lower().startswith("#redirect"):
            red += 1
    return pages, red


def info(path):
    return contam("info", "--json", path).expect(0).json()


def index(tmp, name, *inputs, extra=()):
    out = os.path.join(tmp, name + ".cidx")
    r = contam("index", "-o", out, *extra, *inputs)
    return r, out


class Ctx:
    pass


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.enwiki_xml = None
    if os.path.exists(ENWIKI):
        with bz2.open(ENWIKI) as f:
            c.enwiki_xml = f.read()
    return c


@S.test
def generated_dump_plain_gz_zst(c):
    """A generated dump, plain, gzip and zstd, named or found by content."""
    head = (b'<?xml version="1.0"?>\n<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">\n'
            b'<siteinfo><sitename>T</sitename></siteinfo>\n')
    pages = []
    for i in range(30):
        words = " ".join(f"w{(i * 7 + j) % 101}" for j in range(40))
        if i % 5 == 0:
            pages.append(f'<page><title>R{i}</title><ns>0</ns><id>{i}</id><redirect title="x" />'
                         f'<revision><text>#REDIRECT [[x]]</text></revision></page>\n'.encode())
        else:
            pages.append(f"<page><title>P{i} &amp; co</title><ns>0</ns><id>{i}</id><revision>"
                         f"<text>'''P{i}''' {words} {{{{tmpl|drop}}}} [[a|b]]</text></revision></page>\n"
                         .encode())
    xml = head + b"".join(pages) + b"</mediawiki>\n"
    n_pages, n_red = dump_oracle(xml)
    check((n_pages, n_red) == (30, 6), f"oracle {n_pages} {n_red}")
    d = os.path.join(c.tmp, "gen")
    os.makedirs(d)
    files = {
        "x-pages-articles.xml": xml,
        "x-pages-articles.xml.gz": gzip.compress(xml),
        "plain-name.xml": xml,           # found by content
        "noext": xml,                    # found by content
    }
    for name, data in files.items():
        write(os.path.join(d, name), data)
    if shutil.which("zstd"):
        subprocess.run(["zstd", "-q", "-f", os.path.join(d, "x-pages-articles.xml"),
                        "-o", os.path.join(d, "x-pages-articles.xml.zst")], check=True)
        files["x-pages-articles.xml.zst"] = None
    for name in files:
        r, out = index(c.tmp, "gen_" + name.replace(".", "_"), os.path.join(d, name))
        r.expect(0)
        check("6 redirect page(s)" in r.err, f"{name}: redirects not reported: {r.err[-400:]!r}")
        inf = info(out)
        e = inf["inputs"][0]
        check(e["kind"] == "mediawiki", f"{name}: kind {e['kind']}")
        check(e["documents"] == n_pages - n_red, f"{name}: {e['documents']} documents, "
              f"expected {n_pages - n_red}")
        check(e["errors"] == 0, f"{name}: {e['errors']} errors")


@S.test
def damaged_gzip_dump_resumes(c):
    """A corrupt gzip member in the middle of a dump: its pages are lost
    and counted, reading resumes at the next <page>."""
    def pages(a, b):
        return b"".join(f"<page><title>P{i}</title><ns>0</ns><id>{i}</id><revision><text>"
                        f"{' '.join(f'v{i}x{j}' for j in range(30))}</text></revision></page>\n"
                        .encode() for i in range(a, b))
    head = b'<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">\n'
    m1 = gzip.compress(head + pages(0, 10), mtime=0)
    m2 = bytearray(gzip.compress(pages(10, 20), mtime=0))
    for k in range(20, 60):
        m2[k] ^= 0x5A
    m3 = gzip.compress(pages(20, 30) + b"</mediawiki>\n", mtime=0)
    p = os.path.join(c.tmp, "dmg-pages-articles.xml.gz")
    write(p, m1 + bytes(m2) + m3)
    r, out = index(c.tmp, "dmg", p)
    r.expect(0)
    e = info(out)["inputs"][0]
    check(20 <= e["documents"] <= 21 and e["errors"] >= 1, f"{e}")
    check(p in r.err, r.err[-300:])
    r, out = index(c.tmp, "dmgs", p, extra=["--strict"])
    check(r.rc == 2 and not os.path.exists(out), f"--strict: exit {r.rc}")


@S.test
def enwiki_sample_counts(c):
    """The real enwiki sample, decompressed by Python: pages - redirects
    documents, in plain, gzip and by-content-only names."""
    if c.enwiki_xml is None:
        return "skip"
    pages, red = dump_oracle(c.enwiki_xml)
    check(pages > 100 and red > 0, f"oracle: {pages} pages, {red} redirects")
    d = os.path.join(c.tmp, "en")
    os.makedirs(d)
    write(os.path.join(d, "enwiki-pages-articles.xml"), c.enwiki_xml)
    write(os.path.join(d, "enwiki-pages-articles.xml.gz"), gzip.compress(c.enwiki_xml, 1))
    write(os.path.join(d, "en.xml"), c.enwiki_xml)
    for name in sorted(os.listdir(d)):
        r, out = index(c.tmp, "en_" + name.replace(".", "_"), os.path.join(d, name))
        r.expect(0)
        e = info(out)["inputs"][0]
        check(e["kind"] == "mediawiki", f"{name}: kind {e['kind']}")
        check(e["documents"] == pages - red,
              f"{name}: {e['documents']} documents, oracle {pages} pages - {red} redirects")
        check(e["errors"] == 0, f"{name}: errors {e['errors']}")
        check(f"{red} redirect page(s)" in r.err, f"{name}: {r.err[-300:]!r}")


@S.test
def enwiki_bz2_direct(c):
    """The real .bz2 read directly (skipped while the build has no bzip2)."""
    if c.enwiki_xml is None:
        return "skip"
    pages, red = dump_oracle(c.enwiki_xml)
    r, out = index(c.tmp, "enbz2", ENWIKI)
    if "bzip2" in r.err and "cannot decompress" in r.err:
        return "skip"  # this build does not read bzip2 yet
    r.expect(0)
    e = info(out)["inputs"][0]
    check(e["kind"] == "mediawiki", f"kind {e['kind']}")
    check(e["documents"] == pages - red, f"{e['documents']} documents, expected {pages - red}")


@S.test
def bgwiki_utf16_read(c):
    """The bgwiki sample is a UTF-16 dump (bzip2-compressed): the stream
    turns it into UTF-8, and its pages are read, as many as Python's XML
    parser finds (redirects left out), from the .bz2 and from the plain
    UTF-16 file alike."""
    if not os.path.exists(BGWIKI):
        return "skip"
    p = os.path.join(c.tmp, "bgwiki-pages-articles.xml")
    with bz2.open(BGWIKI) as f:
        raw = f.read()
    write(p, raw)
    pages, red = dump_oracle(raw.decode("utf-16").encode("utf-8").replace(
        b"encoding=\"utf-16\"", b""))
    check(pages > 0, f"oracle: {pages} pages")
    for path in (BGWIKI, p):
        r, out = index(c.tmp, "bg", path)
        check(r.rc == 0, f"exit {r.rc}: {r.err[-400:]!r}")
        if r.rc == 0:
            e = info(out)["inputs"][0]
            check(e["documents"] == pages - red and e["errors"] == 0,
                  f"{path}: {e}, oracle {pages} pages - {red} redirects")


@S.test
def wiki_scan_hit_names_the_page(c):
    """scan finds a passage of a page: the hit carries title and page id."""
    if c.enwiki_xml is None:
        return "skip"
    p = os.path.join(c.tmp, "enwiki-pages-articles-scan.xml")
    write(p, c.enwiki_xml)
    passage = ("Anarchism is a political philosophy that advocates self-governed societies "
               "based on voluntary institutions. These are often described as stateless societies")
    bench = os.path.join(c.tmp, "wb.jsonl")
    write(bench, (json.dumps({"text": passage}) + "\n").encode())
    hits = os.path.join(c.tmp, "wb_hits.jsonl")
    contam("scan", "-q", "-b", bench, "-o", hits, p).expect(0)
    rows = [json.loads(x) for x in open(hits, encoding="utf-8") if x.strip()]
    check(any(h.get("url") == "Anarchism" and h.get("id") == "12" for h in rows),
          f"no hit with url 'Anarchism', id '12': {rows[:2]}")


# -- JSON files of records -------------------------------------------------

def records_of(doc, fields):
    """The README's rule: a top-level array's elements; an object with a
    text field at its top level is one record; else the elements of every
    array of objects among its members or their members, in document
    order; else the object itself."""
    if isinstance(doc, list):
        return doc
    if any(f.split(".")[0] in doc or f in doc for f in fields):
        return [doc]
    out = []
    for v in doc.values():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            out += v
        elif isinstance(v, dict):
            for w in v.values():
                if isinstance(w, list) and w and isinstance(w[0], dict):
                    out += w
    return out or [doc]


def select(v, path):
    """--text-field path selection (the probe --field rule)."""
    if not path:
        if isinstance(v, str):
            return [v]
        if isinstance(v, bool):
            return ["true" if v else "false"]
        if isinstance(v, (int, float)):
            return [json.dumps(v)]
        if isinstance(v, list):
            return [x for e in v for x in select(e, "")]
        if isinstance(v, dict):
            return [x for e in v.values() for x in strings(e)]
        return []
    step, _, rest = path.partition(".")
    if isinstance(v, list):
        if step.isdigit():
            i = int(step)
            return select(v[i], rest) if i < len(v) else []
        return [x for e in v for x in select(e, path)]
    if isinstance(v, dict):
        parts = path.split(".")
        for k in range(1, len(parts) + 1):
            key = ".".join(parts[:k])
            if key in v:
                return select(v[key], ".".join(parts[k:]))
    return []


def strings(v):
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [x for e in v for x in strings(e)]
    if isinstance(v, dict):
        return [x for e in v.values() for x in strings(e)]
    return []


@S.test
def classical_chinese_text_fields(c):
    """Every record of the real JSON-array files is a document with the
    field that holds its text; counts from Python's json module."""
    if not os.path.isdir(CHINESE):
        return "skip"
    files = sorted(os.path.join(CHINESE, f) for f in os.listdir(CHINESE) if f.endswith(".json"))
    loaded = {f: json.load(open(f, encoding="utf-8")) for f in files}
    fields = ["paragraphs", "content", "content.paragraphs"]
    for field in fields + [None]:
        flags = ["--text-field", field] if field else sum((["--text-field", x] for x in fields[:2]), [])
        name = "cc_" + (field or "both").replace(".", "_")
        r, out = index(c.tmp, name, CHINESE, extra=flags + ["--allow-empty"])
        r.expect(0)
        total = sum(e["documents"] for e in info(out)["inputs"])
        if total == 0:  # without --allow-empty, nothing read is an error
            r2, out2 = index(c.tmp, name + "_strict", CHINESE, extra=flags)
            check(r2.rc == 2 and "0 documents" in r2.err and not os.path.exists(out2),
                  f"--text-field {field}: 0 documents, exit {r2.rc}")
        by = {e["path"]: e for e in info(out)["inputs"]}
        use = [field] if field else fields[:2]
        for f in files:
            recs = records_of(loaded[f], use)
            want = sum(1 for rec in recs if any(select(rec, u) for u in use))
            e = by[f]
            check(e["kind"] == "jsonl", f"{f}: kind {e['kind']}")
            check(e["documents"] == want, f"--text-field {field}: {os.path.basename(f)}: "
                  f"{e['documents']} documents, expected {want}")
            check(e["documents"] + e["errors"] == len(recs),
                  f"{os.path.basename(f)}: {e['documents']} + {e['errors']} != {len(recs)} records")
    # with both fields every record is read
    by = {e["path"]: e for e in info(os.path.join(c.tmp, "cc_both.cidx"))["inputs"]}
    check(sum(e["documents"] for e in by.values()) ==
          sum(len(records_of(d, fields[:2])) for d in loaded.values()),
          "not every record read with both fields")


@S.test
def json_array_streams_past_max_record(c):
    """A JSON array far larger than --max-record is read element by
    element; an element larger than it is counted damage."""
    d = os.path.join(c.tmp, "big")
    os.makedirs(d)
    recs = [{"id": str(i), "text": f"record {i} " + " ".join(f"w{(i * 13 + j) % 997}" for j in range(20))}
            for i in range(3000)]
    p = os.path.join(d, "recs.json")
    write(p, json.dumps(recs, indent=1).encode())
    check(os.path.getsize(p) > 200_000, "file too small")
    r, out = index(c.tmp, "bigarr", p, extra=["--max-record", "4K"])
    r.expect(0)
    e = info(out)["inputs"][0]
    check(e["documents"] == 3000 and e["errors"] == 0, f"{e}")
    recs[10]["text"] = "x " * 5000
    write(p, json.dumps(recs).encode())
    r, out = index(c.tmp, "bigarr2", p, extra=["--max-record", "4K"])
    e = info(out)["inputs"][0]
    check(e["documents"] == 10 and e["errors"] == 1, f"{e}")
    check("record 10" in r.err and "larger than" in r.err, r.err[-300:])


@S.test
def every_array_of_records_in_an_object(c):
    """An object holding several arrays of records ({"train": [...],
    "test": [...]}, one level down or at the top) gives the records of
    every one of them, in document order: the arrays after the first were
    not read, and nothing said so."""
    doc = {"meta": {"name": "x", "n": [1, 2]},
           "data": {"train": [{"text": f"train record {i} alpha"} for i in range(3)],
                    "size": 3, "test": [{"text": "test record beta"}]},
           "extra": [{"text": "extra record gamma"}, {"text": "extra record delta"}],
           "tail": "not a record"}
    want = [r["text"] for r in records_of(doc, ["text"])]
    check(len(want) == 6, f"reference: {want}")
    os.makedirs(os.path.join(c.tmp, "arrays"))
    for name, indent in (("pretty.json", 1), ("wide.json", 4)):
        p = os.path.join(c.tmp, "arrays", name)
        write(p, json.dumps(doc, indent=indent).encode())
        got = [json.loads(line)["text"] for line in contam("cat", p).expect(0).out.splitlines()]
        check(got == want, f"{name}: {got}")
    r, out = index(c.tmp, "arrays", os.path.join(c.tmp, "arrays", "pretty.json"))
    r.expect(0)
    e = info(out)["inputs"][0]
    check(e["documents"] == 6 and e["errors"] == 0, f"{e}")


@S.test
def damaged_archive_members_lose_only_the_damage(c):
    """A tar member cut short gives its documents up to the cut (it gave
    none: libarchive's read dropped the bytes it had copied), and a zip
    member whose data is corrupt costs that member alone: the members after
    it are read through the central directory (the rest of the archive was
    skipped).  Each is one counted damaged record."""
    import io
    import tarfile
    import zipfile
    d = os.path.join(c.tmp, "damaged-archives")
    os.makedirs(d)
    lines = {m: "".join(json.dumps({"text": f"member {m} record {i} " + " ".join(
        f"w{(i * 7 + j) % 501}" for j in range(40))}) + "\n" for i in range(120))
        for m in "abc"}
    tpath = os.path.join(d, "cut.tar")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for m in "ab":
            data = lines[m].encode()
            ti = tarfile.TarInfo(m + ".jsonl")
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    a_len = len(lines["a"].encode())
    b_start = 512 + a_len + (-a_len % 512) + 512
    keep = len(lines["b"].encode()) // 2
    write(tpath, raw[:b_start + keep])
    want_b = lines["b"].encode()[:keep].count(b"\n")
    docs = [json.loads(x) for x in contam("cat", tpath).expect(0).out.splitlines()]
    got_b = sum(1 for x in docs if x["member"] == "b.jsonl")
    check(len(docs) - got_b == 120 and got_b == want_b,
          f"cut tar: {len(docs) - got_b} of a, {got_b} of b (want 120, {want_b})")
    zpath = os.path.join(d, "corrupt.zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for m in "abc":
            z.writestr(m + ".jsonl", lines[m])
    zraw = bytearray(open(zpath, "rb").read())
    zi = zipfile.ZipFile(zpath).getinfo("b.jsonl")
    zraw[zi.header_offset + 30 + len("b.jsonl") + zi.compress_size // 2] ^= 0xFF
    write(zpath, bytes(zraw))
    r = contam("cat", zpath).expect(0)
    members = [json.loads(x)["member"] for x in r.out.splitlines()]
    check(members.count("a.jsonl") == 120 and members.count("c.jsonl") == 120,
          f"corrupt zip: {collections.Counter(members)}")
    check("the rest of that member is skipped" in r.err, r.err[-300:])
    for p in (tpath, zpath):
        rr, out = index(c.tmp, os.path.basename(p), p)
        rr.expect(0)
        e = info(out)["inputs"][0]
        check(e["errors"] == 1, f"{p}: {e}")


@S.test
def missing_field_names_the_keys(c):
    d = os.path.join(c.tmp, "miss")
    os.makedirs(d)
    p = os.path.join(d, "recs.json")
    write(p, json.dumps([{"chapter": "a", "paragraphs": ["x y z"]}, {"title": "t"}], indent=2).encode())
    r, out = index(c.tmp, "miss", p, extra=["--text-field", "body"])
    check("--text-field 'body' is missing" in r.err, f"message: {r.err[-500:]!r}")
    check("'chapter', 'paragraphs'" in r.err, f"keys not named: {r.err[-500:]!r}")
    check("not a readable archive" not in r.err, r.err[-300:])
    r, out = index(c.tmp, "miss2", p, extra=["--text-field", "paragraphs"])
    r.expect(0)
    e = info(out)["inputs"][0]
    check(e["documents"] == 1 and e["errors"] == 1, f"{e}")


@S.test
def jsonl_paths_and_repeats(c):
    """JSON lines: dotted paths, numeric steps, repeats; a plain name still
    the default."""
    p = os.path.join(c.tmp, "p.jsonl")
    rows = [{"text": "alpha beta gamma delta epsilon zeta eta theta iota kappa",
             "meta": {"body": "one two three four five six seven eight nine ten"},
             "turns": [{"t": "a1 a2 a3 a4 a5 a6 a7 a8 a9 a10"}, {"t": "b1 b2 b3 b4 b5 b6 b7 b8 b9"}]}]
    write(p, "".join(json.dumps(x) + "\n" for x in rows).encode())
    for flags, docs in [([], 1), (["--text-field", "meta.body"], 1), (["--text-field", "turns.t"], 1),
                        (["--text-field", "turns.1.t"], 1), (["--text-field", "nope"], 0),
                        (["--text-field", "text", "--text-field", "meta.body"], 1)]:
        r, out = index(c.tmp, "jp", p, extra=flags + (["--allow-empty"] if docs == 0 else []))
        r.expect(0)
        if docs == 0:
            r2, _ = index(c.tmp, "jp0", p, extra=flags)
            check(r2.rc == 2 and "0 documents" in r2.err, f"{flags}: exit {r2.rc}: {r2.err[-300:]!r}")
        e = info(out)["inputs"][0]
        check(e["documents"] == docs, f"{flags}: {e['documents']} documents")
    r = contam("index", "-o", os.path.join(c.tmp, "e.cidx"), "--text-field", "", p)
    check(r.rc == 1, f"empty --text-field: exit {r.rc}")
    h = contam("index", "--help")
    check("dotted path" in h.out, "index --help does not describe paths")
    h = contam("scan", "--help")
    check("dotted path" in h.out, "scan --help does not describe paths")


@S.test
def purify_refuses_what_it_cannot_write(c):
    d = os.path.join(c.tmp, "pur")
    os.makedirs(d)
    text = "the quick brown fox jumps over the lazy dog near the river bank today"
    bench = os.path.join(d, "b.jsonl")
    write(bench, (json.dumps({"text": text}) + "\n").encode())
    wiki = os.path.join(d, "w-pages-articles.xml")
    write(wiki, (f'<mediawiki><page><title>T</title><id>1</id><revision><text>{text}</text>'
                 f'</revision></page></mediawiki>\n').encode())
    arr = os.path.join(d, "arr.json")
    write(arr, json.dumps([{"text": text}]).encode())
    lines = os.path.join(d, "l.jsonl")
    write(lines, (json.dumps({"text": text, "m": {"b": text}}) + "\n").encode())
    for corpus, flags, what in [(wiki, [], "MediaWiki"), (arr, [], "JSON array"),
                                (lines, ["--text-field", "m.b"], "--text-field path")]:
        outdir = os.path.join(c.tmp, "purified_" + os.path.basename(corpus))
        r = contam("scan", "-q", "-b", bench, "--purify", outdir, *flags, "--", corpus)
        check(r.rc == 2, f"{corpus}: exit {r.rc}: {r.err[-300:]!r}")
        check(corpus in r.err and what.split()[0] in r.err, f"{corpus}: message {r.err[-300:]!r}")
        check(not os.path.exists(outdir), f"{corpus}: {outdir} was created")
    # the formats purify supports still work
    outdir = os.path.join(c.tmp, "purified_ok")
    contam("scan", "-q", "-b", bench, "--purify", outdir, "--", lines).expect(0)
    check(os.path.exists(os.path.join(outdir, "l.jsonl")) or
          any(f.endswith("l.jsonl") for _, _, fs in os.walk(outdir) for f in fs),
          f"no purified copy in {outdir}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
