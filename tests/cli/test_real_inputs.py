#!/usr/bin/env python3
"""test_real_inputs.py -- every corpus file in
../shared/data/corpus yields the documents an independent reading of it
says it holds, or is refused with the true reason; and a walked directory
of mixed real and junk files is read without a silent skip.

The oracles are written here, apart from contam's readers: Python's gzip,
bz2, json and xml modules, a small WARC record splitter, a WikiExtractor
<doc> splitter.  Every file of the corpus directory must be listed in
EXPECT (a new file there fails the test until someone says what it holds).
Skips cleanly without ../shared.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import bz2
import gzip
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SHARED, Suite, check, contam  # noqa: E402

S = Suite("test_real_inputs")
CORPUS = os.path.join(SHARED, "corpus")
SMALL = ["--memory", "4M"]


# ------------------------------------------------------------- oracles

def raw_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        out, rest = [], data
        while rest:                      # every gzip member
            d = zlib.decompressobj(31)
            try:
                out.append(d.decompress(rest))
            except zlib.error:
                break
            if not d.eof:
                break
            rest = d.unused_data
        return b"".join(out)
    if data[:3] == b"BZh":
        return bz2.decompress(data)
    return data


def warc_docs(path):
    """conversion and resource records, and response records whose HTTP
    payload is text (Content-Type text/... or none)."""
    data, pos, docs = raw_bytes(path), 0, 0
    while True:
        i = data.find(b"WARC/", pos)
        he = data.find(b"\r\n\r\n", i) if i >= 0 else -1
        if he < 0:
            return docs
        h = {}
        for line in data[i:he].decode("latin-1").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            h[k.strip().lower()] = v.strip()
        n = int(h.get("content-length", "0"))
        body = data[he + 4:he + 4 + n]
        if len(body) < n:
            return docs
        t = h.get("warc-type", "")
        if t in ("conversion", "resource"):
            docs += 1
        elif t == "response":
            head = body[:body.find(b"\r\n\r\n")].decode("latin-1").lower()
            ct = [x.split(":", 1)[1].strip() for x in head.split("\r\n")[1:]
                  if x.startswith("content-type:")]
            docs += not ct or ct[0].startswith(("text/", "application/xhtml+xml"))
        pos = he + 4 + n


def jsonl_docs(path, field="text"):
    good = bad = 0
    for line in raw_bytes(path).splitlines():
        if not line.strip():
            continue
        try:
            ok = isinstance(json.loads(line).get(field), str)
        except (ValueError, AttributeError):
            ok = False
        good += ok
        bad += not ok
    return good, bad


def wikidoc_docs(path):
    return sum(1 for line in raw_bytes(path).splitlines() if line.startswith(b'<doc id="'))


def mediawiki_docs(path):
    text = raw_bytes(path)
    if text[:2] == b"\xff\xfe":
        text = text.decode("utf-16").encode("utf-8").replace(b'encoding="utf-16"', b"")
    root = ET.fromstring(text)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    pages = 0
    for page in root.iter(ns + "page"):
        t = page.find(f"{ns}revision/{ns}text")
        body = (t.text or "") if t is not None else ""
        pages += not (page.find(ns + "redirect") is not None or
                      body.lstrip().lower().startswith("#redirect"))
    return pages


def zip_members(path):
    with zipfile.ZipFile(path) as z:
        return sum(1 for i in z.infolist() if not i.is_dir())


def json_array_records(path):
    with open(path, encoding="utf-8") as f:
        v = json.load(f)
    return len(v) if isinstance(v, list) else 1


# What each real corpus file is: (how contam must take it, oracle).
#   ("docs", kind, fn)      read as `kind`, documents == fn(path), no errors
#   ("text", None)          plain text: one document
#   ("damaged", kind)       read, with damage counted (errors >= 1)
#   ("empty", reason)       no documents: exit 2 naming the file and `reason`
#   ("field", field, fn)    no `text` field: exit 2 listing the record's keys;
#                           with --text-field `field`, fn(path) documents
EXPECT = {
    "aozora/neko.txt": ("text", None),
    "c4/c4_sample.jsonl.gz": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "chinese_novels/sanguoyanyi_ch001.txt": ("text", None),
    "chinese_novels/shuihuzhuan_ch001.txt": ("text", None),
    "chinese_novels/xiyouji_ch001.txt": ("text", None),
    "chinese_web/chinesewebtext_2021-43_cleared1.jsonl":
        ("field", "raw_content", lambda p: jsonl_docs(p, "raw_content")[0]),
    "chinese_web/chinesewebtext_fasttext_clean.jsonl": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "chinese_web/chinesewebtext_fasttext_dirty.jsonl": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "commoncrawl_resiliparse_tests/clipped.warc.gz": ("damaged", "warc"),
    "commoncrawl_resiliparse_tests/clueweb-quirk.warc.gz": ("docs", "warc", warc_docs),
    "commoncrawl_resiliparse_tests/warcfile.warc.gz": ("docs", "warc", warc_docs),
    "commoncrawl_whirlwind/CC-MAIN-2024-22.warc.paths.gz": ("text", None),
    "commoncrawl_whirlwind/whirlwind.warc.gz": ("docs", "warc", warc_docs),
    "commoncrawl_whirlwind/whirlwind.warc.wat.gz": ("empty", "none with text to read"),
    "commoncrawl_whirlwind/whirlwind.warc.wet.gz": ("docs", "warc", warc_docs),
    "dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz":
        ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "dolma_tests/cc_en_head-0091.jsonl.gz": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "dolma_tests/cc_en_head-0174.jsonl.gz": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "dolma_tests/provided_documents_000.json.gz": ("docs", "jsonl", lambda p: jsonl_docs(p)[0]),
    "dolma_tests/sample-0000.warc.gz": ("docs", "warc", warc_docs),
    "dolma_tests/sample-0001.warc.gz": ("docs", "warc", warc_docs),
    "jawiki/ai.ja.zip": ("docs", "archive", zip_members),
    "jawiki/wiki_00": ("docs", "wikiextractor", wikidoc_docs),
    "kowiki/wiki_00": ("text", None),
    "simplebooks/simplebooks-92_test.txt": ("text", None),
    "simplebooks/simplebooks-92_valid.txt": ("text", None),
    "wikipedia_dump_samples/bgwiki-latest-pages-articles-shortened.xml.bz2":
        ("docs", "mediawiki", mediawiki_docs),
    "wikipedia_dump_samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2":
        ("docs", "mediawiki", mediawiki_docs),
    "wikitext-2/README": ("text", None),
    "wikitext-2/test.txt": ("text", None),
    "wikitext-2/valid.txt": ("text", None),
    "zhwiki/wiki_00": ("docs", "wikiextractor", wikidoc_docs),
}
for _g in ("pg1342", "pg2641", "pg2701", "pg37106", "pg64317", "pg84"):
    EXPECT[f"gutenberg/{_g}.txt"] = ("text", None)
for _c in ("chuci", "daxue", "guwenguanzhi", "lunyu", "mengzi", "poet.tang.0", "qianziwen",
           "sanzijing-new", "shijing", "tangshisanbaishou", "zhongyong"):
    # chinese-poetry: arrays of records whose text is an array of lines
    EXPECT[f"classical_chinese/{_c}.json"] = ("field", None, json_array_records)


def info(path):
    return contam("info", "--json", path).expect(0).json()


def index_one(tmp, rel, extra=()):
    out = os.path.join(tmp, rel.replace("/", "_") + ".cidx")
    return contam("index", "-q", *SMALL, "-o", out, *extra, os.path.join(CORPUS, rel)), out


@S.test
def every_corpus_file(tmp):
    """Each file alone: the documents the oracle counts, or the true
    refusal; never exit 0 with nothing read."""
    if not os.path.isdir(CORPUS):
        return "skip"
    found = sorted(os.path.relpath(os.path.join(r, f), CORPUS)
                   for r, _, fs in os.walk(CORPUS) for f in fs)
    unknown = [f for f in found if f not in EXPECT]
    check(not unknown, f"corpus files nobody described (add them to EXPECT): {unknown}")
    bad = []
    for rel in found:
        if rel not in EXPECT:
            continue
        how = EXPECT[rel]
        path = os.path.join(CORPUS, rel)
        r, out = index_one(tmp, rel)
        if how[0] in ("docs", "text", "damaged"):
            if r.rc != 0:
                bad.append(f"{rel}: exit {r.rc}: {r.err[-200:]}")
                continue
            e = info(out)["inputs"][0]
            if how[0] == "text":
                want = (1, "text", 0)
            elif how[0] == "damaged":
                want = (e["documents"], how[1], max(1, e["errors"]))
            else:
                want = (how[2](path), how[1], 0)
            got = (e["documents"], e["kind"], e["errors"])
            if got != want:
                bad.append(f"{rel}: documents/kind/errors {got}, expected {want}")
        elif how[0] == "empty":
            if not (r.rc == 2 and rel in r.err and "0 documents" in r.err and how[1] in r.err
                    and not os.path.exists(out)):
                bad.append(f"{rel}: exit {r.rc}, expected 2 with '{how[1]}': {r.err[-200:]}")
        else:  # field
            if not (r.rc == 2 and "0 documents" in r.err and "key(s)" in r.err and
                    not os.path.exists(out)):
                bad.append(f"{rel}: exit {r.rc}, expected 2 listing the keys: {r.err[-300:]}")
            fields = ["--text-field", how[1]] if how[1] else \
                ["--text-field", "paragraphs", "--text-field", "content"]
            r, out = index_one(tmp, rel, fields)
            if r.rc != 0:
                bad.append(f"{rel} {fields}: exit {r.rc}: {r.err[-200:]}")
                continue
            e = info(out)["inputs"][0]
            if (e["documents"], e["errors"]) != (how[2](path), 0):
                bad.append(f"{rel} {fields}: documents/errors {e['documents']}/{e['errors']},"
                           f" expected {how[2](path)}/0")
    check(not bad, "\n    ".join(bad))


@S.test
def corpus_directory_walk(tmp):
    """The whole corpus directory, walked: every file read, none skipped
    (they are all corpus kinds), the directory's documents the sum of the
    files' (the files that give none are named, not fatal)."""
    if not os.path.isdir(CORPUS):
        return "skip"
    out = os.path.join(tmp, "all.cidx")
    r = contam("index", "-q", "--memory", "64M", "-o", out, CORPUS).expect(0)
    inf = info(out)
    check(len(inf["inputs"]) == len(EXPECT), f"{len(inf['inputs'])} inputs, {len(EXPECT)} files")
    check(not inf.get("skipped"), f"skipped: {inf.get('skipped')}")
    empty = [e["path"] for e in inf["inputs"] if e["documents"] == 0]
    want_empty = sorted(os.path.join(CORPUS, k) for k, v in EXPECT.items()
                        if v[0] in ("empty", "field"))
    check(sorted(empty) == want_empty, f"inputs without documents {empty}")
    del r


@S.test
def mixed_junk_directory(tmp):
    """Real corpus files beside junk (an executable, a PNG, an ELF named
    .jsonl, contam's own index) and a Parquet split without a 'text'
    column: the corpus files are read, the junk is skipped and listed by
    name, the Parquet file is opened (a corpus kind),
    refused and counted, and each of them named on the command line is
    refused with exit 2."""
    d = os.path.join(tmp, "mixed")
    os.makedirs(d)
    parquet = os.path.join(SHARED, "parquet", "huggingface", "gsm8k", "main",
                           "test-00000-of-00001.parquet")
    if not os.path.exists(parquet):
        parquet = None
    c4 = os.path.join(CORPUS, "c4", "c4_sample.jsonl.gz")
    if not parquet or not os.path.exists(c4):
        return "skip"
    shutil.copy(c4, os.path.join(d, "c4.jsonl.gz"))
    shutil.copy(parquet, os.path.join(d, "table.parquet"))
    shutil.copy("/bin/ls", os.path.join(d, "ls"))
    shutil.copy("/bin/ls", os.path.join(d, "fake.jsonl"))
    with open(os.path.join(d, "pic.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    own = os.path.join(d, "old.cidx")
    contam("index", "-q", *SMALL, "-o", own, c4).expect(0)
    out = os.path.join(tmp, "mixed.cidx")
    r = contam("index", *SMALL, "-o", out, d).expect(0)
    for name in ("table.parquet", "ls", "pic.png", "old.cidx", "fake.jsonl"):
        check(name in r.err, f"{name} not named in the run's messages: {r.err[-600:]}")
    inf = info(out)
    by = {os.path.basename(e["path"]): e for e in inf["inputs"]}
    check(by.get("c4.jsonl.gz", {}).get("documents") == 1000, f"c4: {by.get('c4.jsonl.gz')}")
    # the ELF named .jsonl was opened (its name says corpus), refused, counted
    fake = by.get("fake.jsonl")
    check(fake is not None and fake["documents"] == 0 and fake["errors"] >= 1, f"fake: {fake}")
    # the Parquet split has no 'text' column: opened, refused, counted
    table = by.get("table.parquet")
    check(table is not None and table["documents"] == 0 and table["errors"] >= 1,
          f"table: {table}")
    skipped = {n for s in inf.get("skipped", []) for n in s.get("names", [])}
    check({"ls", "pic.png", "old.cidx"} <= skipped and "table.parquet" not in skipped,
          f"skipped {skipped}")
    for name in ("table.parquet", "ls", "pic.png", "fake.jsonl", "old.cidx"):
        r = contam("index", "-q", *SMALL, "-o", os.path.join(tmp, "x.cidx"), os.path.join(d, name))
        check(r.rc == 2 and name in r.err and not os.path.exists(os.path.join(tmp, "x.cidx")),
              f"{name} named: exit {r.rc}: {r.err[-300:]}")


@S.test
def parquet_benchmarks_read_or_refused(tmp):
    """Every real Parquet file, given as a benchmark, is read as Parquet
    (one row one example, never lines of bytes) or refused with
    exit 2 naming the file (the damaged ones, those without a string
    column, and those with a row whose strings are all null)."""
    root = os.path.join(SHARED, "parquet")
    files = sorted(os.path.join(r_, f) for r_, _, fs in os.walk(root) for f in fs
                   if f.endswith(".parquet"))
    c4 = os.path.join(CORPUS, "c4", "c4_sample.jsonl.gz")
    if not files or not os.path.exists(c4):
        return "skip"
    ix = os.path.join(tmp, "c4.cidx")
    contam("index", "-q", *SMALL, "-o", ix, c4).expect(0)
    bad = []
    read = nulls = 0
    for f in files:
        out = os.path.join(tmp, "pq.json")
        if os.path.exists(out):
            os.unlink(out)
        r = contam("probe", "-q", ix, f, "-o", out)
        name = os.path.basename(f)
        if r.rc == 0:
            rep = json.load(open(out))
            # read as Parquet: no example has a line number
            if any(e.get("line") for e in rep["examples"]):
                bad.append(f"{os.path.relpath(f, root)}: read as lines")
            read += 1
        elif r.rc != 2 or name not in r.err:
            bad.append(f"{os.path.relpath(f, root)}: exit {r.rc}: {r.err[-200:]}")
        elif "no string values in the record" in r.err:
            nulls += 1  # a row of nulls only: refused, as a JSON record without text
    check(read >= 50 and read + nulls >= 70,
          f"only {read} of {len(files)} read ({nulls} refused for a row of nulls)")
    check(not bad, f"{len(bad)} of {len(files)}:\n    " + "\n    ".join(bad[:10]))


@S.test
def confirm_needs_the_indexed_corpus(tmp):
    """probe --confirm over part of the indexed corpus would overturn the
    hits in the rest and report them clean: refused (exit 2, naming the
    missing input); the whole corpus, or a copy of it elsewhere, is taken."""
    d = os.path.join(tmp, "conf", "c")
    os.makedirs(d)
    items = [f"item {i} asks how many marbles the {i} children share when each of them "
             f"brings {i + 3} bags to the fair" for i in range(20)]
    with open(os.path.join(d, "a.jsonl"), "w") as f:
        f.writelines(json.dumps({"text": "filler words " + q}) + "\n" for q in items[:10])
    with open(os.path.join(d, "b.jsonl"), "w") as f:
        f.writelines(json.dumps({"text": "other filler " + q}) + "\n" for q in items[10:])
    bench = os.path.join(tmp, "conf", "bench.jsonl")
    with open(bench, "w") as f:
        f.writelines(json.dumps({"q": q}) + "\n" for q in items)
    ix = os.path.join(tmp, "conf", "i.cidx")
    rep = os.path.join(tmp, "conf", "r.json")
    contam("index", "-q", *SMALL, "-o", ix, d).expect(0)
    r = contam("probe", "-q", ix, "--field", "q", bench, "-o", rep, "--confirm",
               os.path.join(d, "a.jsonl"))
    check(r.rc == 2 and "b.jsonl" in r.err and "--confirm" in r.err and not os.path.exists(rep),
          f"part of the corpus: exit {r.rc}: {r.err[-300:]}")
    contam("probe", "-q", ix, "--field", "q", bench, "-o", rep, "--confirm", d).expect(0)
    with open(rep) as f:
        check(json.load(f)["benchmarks"][0]["contaminated"] == 20, "not all 20 confirmed")
    copy = os.path.join(tmp, "conf", "copy")
    shutil.copytree(d, copy)
    contam("probe", "-q", ix, "--field", "q", bench, "-o", rep, "--confirm", copy).expect(0)


if __name__ == "__main__":
    sys.exit(S.run())
