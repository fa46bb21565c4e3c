#!/usr/bin/env python3
"""test_cli_scan.py -- `contam scan` end to end on a generated corpus with
planted benchmark items in every input format (scripts/gen_testdata.py).

Checks: every planted item is found in the document it was planted in;
hit offsets read back out of the decompressed corpus file hold exactly the
matched example tokens; scan metrics equal the exact Python reference and
are <= the Bloom probe's; the report keeps the probe schema; output does
not depend on --threads; the hash-only look-ahead gives what the full path
gives; --max-doc-freq on planted boilerplate; --purify in
drop and cut modes rescans clean with unplanted documents byte-identical;
usage and input errors.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import io
import json
import os
import sys
import tarfile
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contam_ref as ref  # noqa: E402
from clitest import Suite, check, contam, load_generator  # noqa: E402

S = Suite("test_cli_scan")
N = 8


class Ctx:
    pass


def bench_args(c):
    return ["--name", "demo", "--field", "question", "--field", "answer",
            "--id-field", "id", "--bench", c.bench]


def scan(c, corpus, *extra, hits=None, report=None):
    hits = hits or os.path.join(c.tmp, "hits.jsonl")
    args = ["scan", "-q", *bench_args(c), "-o", hits]
    if report:
        args += ["--report", report]
    r = contam(*args, *extra, corpus).expect(0)
    with open(hits, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    rep = None
    if report:
        with open(report, encoding="utf-8") as f:
            rep = json.load(f)
    return recs, rep, r


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    c.td = os.path.join(tmp, "td")
    c.gen = load_generator()
    c.summary = c.gen.build(c.td, seed=11, ndocs=120)
    c.expected = c.summary["expected"]
    c.corpus = os.path.join(c.td, "corpus")
    c.bench = os.path.join(c.td, "bench", "demo.jsonl")
    with open(c.bench, encoding="utf-8") as f:
        c.items = [json.loads(line) for line in f if line.strip()]
    c.by_id = {it["id"]: i for i, it in enumerate(c.items)}
    c.hits, c.report, _ = scan(c, c.corpus, report=os.path.join(tmp, "scan.json"))
    return c


def item_text(it):
    return it["question"] + "\n" + it["answer"]


# ---------------------------------------------------------------------------
# The corpus as documents with provenance: (member, offset) -> document

def load_docs(path, field="text"):
    """{(member, offset): {"text": bytes, "raw": bytes, "key": str}} for one
    corpus file; offsets as the scan reports them (decompressed)."""
    with open(path, "rb") as f:
        data = f.read()
    kind = ref.kind_of(os.path.basename(path))
    out = {}
    if kind == "archive":
        members = []
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [(zi.filename, zf.read(zi)) for zi in zf.infolist()
                           if not zi.is_dir()]
        else:
            with tarfile.open(fileobj=io.BytesIO(ref.decompress(data)), mode="r:") as tf:
                members = [(ti.name, tf.extractfile(ti).read()) for ti in tf if ti.isreg()]
        for name, mdata in members:
            for k, v in docs_of(ref.kind_of(name), ref.decompress(mdata), field, name).items():
                out[k] = v
        return out
    return docs_of(kind, ref.decompress(data), field, None)


def docs_of(kind, data, field, member):
    out = {}
    if kind == "jsonl":
        pos = 0
        while pos < len(data):
            nl = data.find(b"\n", pos)
            end = len(data) if nl < 0 else nl + 1
            line = data[pos:end]
            if line.strip():
                obj = json.loads(line)
                out[(member, pos)] = {"text": obj[field].encode("utf-8"), "raw": line,
                                      "key": (member, obj.get("id"))}
            pos = end
    elif kind == "warc":
        pos = 0
        while True:
            start = data.find(b"WARC/", pos)
            if start < 0:
                break
            he = data.find(b"\r\n\r\n", start)
            head = data[start:he].decode("latin-1")
            hd = {}
            for line in head.split("\r\n")[1:]:
                k, _, v = line.partition(":")
                hd[k.strip().lower()] = v.strip()
            length = int(hd.get("content-length", "0"))
            body = data[he + 4:he + 4 + length]
            pos = he + 4 + length
            if hd.get("warc-type") in ("conversion", "resource"):
                out[(member, start)] = {"text": body, "raw": data[start:pos],
                                        "key": (member, hd.get("warc-record-id"))}
    else:
        out[(member, 0)] = {"text": data, "raw": data, "key": (member, None)}
    return out


def doc_of_hit(c, h, cache):
    if h["file"] not in cache:
        cache[h["file"]] = load_docs(h["file"])
    return cache[h["file"]].get((h["member"], h["offset"]))


# ---------------------------------------------------------------------------

@S.test
def test_planted_found_in_their_document(c):
    """Every planted item has a hit in the document it was planted in;
    absent items have none."""
    found = {}
    for h in c.hits:
        for e in h["examples"]:
            found.setdefault(e["id"], []).append(h)
    bad = []
    for item_id, exp in c.expected.items():
        hs = found.get(item_id, [])
        if exp["mode"] == "absent":
            if hs:
                bad.append(f"{item_id}: absent but found in {hs[0]['file']}")
            continue
        doc = exp["doc"]
        num = int(doc.rsplit("-", 1)[1])
        ok = False
        for h in hs:
            if not h["file"].endswith(exp["file"]):
                continue
            if h["id"] == doc or (h["member"] or "").endswith(doc + ".txt"):
                ok = True
            elif exp["target"] == "wet" and (h["url"] or "").endswith(f"/{num}"):
                ok = True
            elif exp["target"] in ("txt", "txt_gz"):
                ok = True
        if not ok:
            bad.append(f"{item_id} ({exp['mode']}, {exp['target']}, doc {doc}): "
                       f"hits {[(h['file'], h['member'], h['id'], h['url']) for h in hs]}")
    check(not bad, "; ".join(bad[:5]))


@S.test
def test_offsets_read_back(c):
    """Bytes [start, end) of each match, read back out of the decompressed
    corpus file, tokenize to exactly the example's matched tokens; regions
    contain their matches; snippets are the region's first bytes."""
    cache = {}
    checked = 0
    for h in c.hits:
        doc = doc_of_hit(c, h, cache)
        check(doc is not None, f"no document at {h['file']} {h['member']} offset {h['offset']}")
        text = doc["text"]
        check(h["doc_bytes"] == len(text), f"{h['file']}@{h['offset']}: doc_bytes "
              f"{h['doc_bytes']} != {len(text)}")
        for r in h["regions"]:
            check(0 <= r["start"] < r["end"] <= len(text), f"bad region {r}")
            check(r["snippet"] is not None and
                  text[r["start"]:r["end"]].decode("utf-8", "replace").startswith(
                      r["snippet"].rstrip("\ufffd")), f"snippet of {r}")
            for m in r["matches"]:
                check(r["start"] <= m["start"] < m["end"] <= r["end"], f"match {m} outside {r}")
                got = ref.tokenize(text[m["start"]:m["end"]])
                toks = ref.tokenize(item_text(c.items[m["record"]]))
                et = m["example_token"]
                want = toks[et:et + m["tokens"]]
                check(m["tokens"] == m["ngrams"] + N - 1, f"tokens of {m}")
                check(got == want, f"{h['file']}@{h['offset']} [{m['start']}:{m['end']}]: "
                      f"{got[:6]}... != {want[:6]}...")
                checked += 1
    check(checked >= 40, f"only {checked} matches checked")


@S.test
def test_planted_text_within_offsets(c):
    """For each planted item, bytes [start, end) of its example entry in the
    hit record hold the planted text as written (verbatim, embedded,
    rewrapped), or exactly its tokens (perturbed), or its first and last
    words (one word in twenty replaced), or its first half (half)."""
    cache = {}
    bad, checked = [], 0
    for h in c.hits:
        doc = doc_of_hit(c, h, cache)["text"]
        for e in h["examples"]:
            exp = c.expected[e["id"]]
            it = c.items[e["record"]]
            text = item_text(it)
            got = doc[e["start"]:e["end"]]
            toks, want = ref.tokenize(got), ref.tokenize(text)
            mode = exp["mode"]
            if mode in ("verbatim", "embedded", "rewrapped"):
                forms = [text, text.replace("\n", " "), c.gen.rewrap(text)]
                forms += [f.replace("\n", " ") for f in forms]
                ok = any(f.encode("utf-8") in got for f in forms)
                ok = ok and got.decode("utf-8").strip() in forms
            elif mode == "perturbed":
                ok = toks == want
            elif mode == "one_in_20":
                ok = len(toks) == len(want) and toks[:3] == want[:3] and toks[-3:] == want[-3:]
            else:  # half
                ok = toks == ref.tokenize(c.gen.first_half(text))
            checked += 1
            if not ok:
                bad.append(f"{e['id']} ({mode}) in {h['file']}: {got[:80]!r}...")
    check(checked >= 40 and not bad, f"{checked} checked; " + "; ".join(bad[:4]))


@S.test
def test_metrics_exact_and_le_probe(c):
    """Scan metrics equal the exact Python reference; coverage <= probe's."""
    exact = ref.corpus_ngrams([c.corpus])
    idx = os.path.join(c.tmp, "x.cidx")
    contam("index", "-q", "-o", idx, c.corpus).expect(0)
    probe = contam("probe", idx, "--name", "demo", "--field", "question", "--field",
                   "answer", "--id-field", "id", c.bench).expect(0).json()
    pr = {(e["source"], e["record"]): e for e in probe["examples"]}
    check(len(c.report["examples"]) == len(c.items) == len(pr), "example counts")
    bad = []
    for e in c.report["examples"]:
        p = pr[(e["source"], e["record"])]
        it = c.items[e["record"]]
        r = exact.score_fields([it["question"], it["answer"]])
        for k in ("tokens", "ngrams", "hits", "longest", "verdict"):
            if e[k] != r[k]:
                bad.append(f"record {e['record']}: {k} {e[k]} != exact {r[k]}")
        if abs(e["coverage"] - r["coverage"]) > 1e-5:
            bad.append(f"record {e['record']}: coverage {e['coverage']} != {r['coverage']}")
        if e["coverage"] > p["coverage"] + 1e-9 or e["hits"] > p["hits"]:
            bad.append(f"record {e['record']}: scan {e['coverage']} > probe {p['coverage']}")
        want = c.expected[e["id"]]["expected"]
        if e["verdict"] != want:
            bad.append(f"{e['id']}: verdict {e['verdict']} != expected {want}")
    check(not bad, "; ".join(bad[:5]))


@S.test
def test_report_schema(c):
    """The scan report is the probe report plus fields (none renamed)."""
    rep = c.report
    check(rep["report_version"] == 1 and rep["tool"]["name"] == "contam", "header")
    for k in ("path", "ngram", "recipe", "fpr", "ngrams_inserted"):
        check(k in rep["index"], f"index.{k} missing")
    check(rep["index"]["ngram"] == 8 and rep["index"]["fpr"] == 0, "index fields")
    b = rep["benchmarks"][0]
    for k in ("name", "sources", "examples", "contaminated", "partial", "clean",
              "too_short", "contaminated_rate"):
        check(k in b, f"benchmarks.{k} missing")
    for e in rep["examples"]:
        for k in ("benchmark", "source", "record", "id", "tokens", "ngrams", "hits",
                  "overlap", "coverage", "longest", "verdict", "doc_count"):
            check(k in e, f"examples.{k} missing")
        if e["verdict"] in ("contaminated", "partial"):
            check(e["doc_count"] >= 1, f"{e['id']}: doc_count {e['doc_count']}")
            check(max(e["ngram_docs"]) >= 1, f"{e['id']}: ngram_docs")
        else:
            check(e["doc_count"] == 0, f"{e['id']}: clean with doc_count {e['doc_count']}")
    s = rep["scan"]
    check(s["exact"] is True and s["hit_documents"] == len(c.hits), "scan object")


@S.test
def test_threads_do_not_change_output(c):
    h1 = os.path.join(c.tmp, "t1.jsonl")
    h4 = os.path.join(c.tmp, "t4.jsonl")
    scan(c, c.corpus, "--threads", "1", hits=h1)
    scan(c, c.corpus, "--threads", "4", hits=h4)
    with open(h1, "rb") as a, open(h4, "rb") as b:
        check(a.read() == b.read(), "hit records differ between 1 and 4 threads")


@S.test
def test_lookahead_same_as_full_path(c):
    # A whole document is first read by the index's hash-only path and
    # given to the tokenizer with offsets only when one of its n-grams is
    # a benchmark's (scan_match.c cscan_matcher_whole); --near-dup reads
    # every document on the full path.  The n-gram hits and the report
    # outside near_dup must be the same either way, and the look-ahead
    # must have skipped documents (the corpus is mostly unplanted).
    check(c.hits, "no hits: the comparison would be of nothing")
    full = os.path.join(c.tmp, "full.jsonl")
    rep_full = os.path.join(c.tmp, "full.json")
    recs, rep, _ = scan(c, c.corpus, "--near-dup", hits=full, report=rep_full)
    with open(full, "rb") as a, open(os.path.join(c.tmp, "hits.jsonl"), "rb") as b:
        check(a.read() == b.read(), "hit records differ between the look-ahead and the full path")

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()
                    if k not in ("near_dup", "near_dup_scan", "seconds")}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    check(strip(rep) == strip(c.report), "reports differ outside near_dup")
    hit_docs = {(h.get("file"), h.get("record"), h.get("member")) for h in c.hits}
    check(rep["scan"].get("documents", 0) > len(hit_docs),
          f"every document has a hit ({len(hit_docs)}): nothing to skip")


def all_docs(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for f in files:
            if f.endswith(".jsonl") and f.startswith("purify-manifest"):
                continue
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            for (member, off), d in load_docs(p).items():
                out[(rel,) + d["key"] if d["key"][1] is not None
                    else (rel, member)] = d
    return out


def check_purified(c, mode):
    out = os.path.join(c.tmp, "pur-" + mode)
    _, _, r = scan(c, c.corpus, "--purify", out, "--purify-mode", mode,
                   hits=os.path.join(c.tmp, "p.jsonl"))
    with open(os.path.join(out, "purify-manifest.jsonl"), encoding="utf-8") as f:
        manifest = [json.loads(line) for line in f if line.strip()]
    check(len(manifest) == len(c.hits), f"manifest {len(manifest)} lines, hits {len(c.hits)}")
    again, rep, _ = scan(c, out, hits=os.path.join(c.tmp, "again.jsonl"),
                         report=os.path.join(c.tmp, "again.json"))
    check(again == [], f"rescan of the {mode} copy found {len(again)} documents: "
          f"{[(h['file'], h['member'], h['offset']) for h in again[:3]]}")
    check(all(e["verdict"] in ("clean", "too_short") for e in rep["examples"]),
          "rescan verdicts not all clean")
    # unplanted documents byte-identical, planted ones gone or changed
    orig = all_docs(c.corpus)
    new = all_docs(os.path.join(out, os.path.relpath(c.corpus, "/")) if os.path.isabs(c.corpus)
                   else os.path.join(out, c.corpus))
    hit_keys = set()
    for h in c.hits:
        rel = os.path.relpath(h["file"], c.corpus)
        hit_keys.add((rel, h["member"], h["id"]) if h["id"] else (rel, h["member"]))
    same = changed = 0
    for k, d in orig.items():
        if k in hit_keys:
            if k in new and new[k]["text"]:
                check(mode == "cut" and new[k]["text"] != d["text"], f"{k} kept as is")
                changed += 1
            continue
        check(k in new, f"unplanted document {k} missing from the {mode} copy")
        check(new[k]["raw"] == d["raw"], f"unplanted document {k} changed")
        same += 1
    check(same > 80, f"only {same} unplanted documents compared")
    if mode == "cut":
        check(changed > 0, "cut mode cut nothing")
    return manifest


@S.test
def test_purify_drop(c):
    m = check_purified(c, "drop")
    check(all(x["action"] == "drop" for x in m), "drop mode: actions")


def gzip_members(data):
    out = []
    while data:
        z = zlib.decompressobj(31)
        z.decompress(data)
        out.append(data[:len(data) - len(z.unused_data)])
        data = z.unused_data
    return out


@S.test
def test_purify_cut(c):
    m = check_purified(c, "cut")
    # WET: one gzip member per record; members without a match are copied
    # compressed bytes and all
    wet = os.path.join(c.corpus, "web.warc.wet.gz")
    out = os.path.join(c.tmp, "pur-cut", os.path.relpath(wet, "/"))
    with open(wet, "rb") as f:
        a = gzip_members(f.read())
    with open(out, "rb") as f:
        b = gzip_members(f.read())
    nhit = sum(1 for h in c.hits if h["file"] == wet)
    same = sum(1 for x in b if x in set(a))
    check(nhit > 0 and len(a) == len(b) and same == len(a) - nhit,
          f"WET members: {len(a)} in, {len(b)} out, {same} copied, {nhit} hit")
    check(any(x["action"] == "cut" for x in m), "cut mode: nothing cut")
    for x in m:
        if x["action"] == "cut":
            check(1 <= x["pieces"] <= 10 and x["removed"], f"cut entry {x}")


@S.test
def test_max_doc_freq_boilerplate(c):
    """A phrase of one example planted in 6 documents (boilerplate) and a
    whole other example in one: with --max-doc-freq 3 the boilerplate
    n-grams are ignored and listed, the real plant still counts."""
    d = os.path.join(c.tmp, "boiler")
    os.makedirs(d, exist_ok=True)
    plain = [it for it in c.items if it["question"].isascii()]
    boiler_item, real_item = plain[0], plain[1]
    phrase = " ".join(item_text(boiler_item).split()[:14])
    lines = []
    for i in range(6):
        lines.append({"id": f"b{i}", "text": f"Header {i}.\n{phrase}\nFooter words {i}."})
    lines.append({"id": "real", "text": "Intro.\n" + item_text(real_item) + "\nOutro."})
    corpus = os.path.join(d, "boiler.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for obj in lines:
            f.write(json.dumps(obj) + "\n")
    b_rec = c.items.index(boiler_item)
    r_rec = c.items.index(real_item)
    _, rep0, _ = scan(c, corpus, report=os.path.join(d, "r0.json"),
                      hits=os.path.join(d, "h0.jsonl"))
    hits, rep, _ = scan(c, corpus, "--max-doc-freq", "3", report=os.path.join(d, "r.json"),
                        hits=os.path.join(d, "h.jsonl"))
    e0, e = rep0["examples"][b_rec], rep["examples"][b_rec]
    check(e0["hits"] > 0 and e0["doc_count"] == 6, f"without filter: {e0['hits']} hits, "
          f"doc_count {e0['doc_count']}")
    check(max(e0["ngram_docs"]) == 6, "per n-gram document count")
    check(e["hits"] == 0 and e["doc_count"] == 0 and e["verdict"] == "clean",
          f"with filter: {e['hits']} hits, doc_count {e['doc_count']}, {e['verdict']}")
    G = len(ref.tokenize(phrase)) - N + 1
    check(e["ignored_ngrams"] == G, f"ignored_ngrams {e['ignored_ngrams']}")
    r = rep["examples"][r_rec]
    check(r["verdict"] == "contaminated" and r["doc_count"] == 1, f"real plant: {r}")
    s = rep["scan"]
    check(s["max_doc_freq"] == 3 and s["ignored_ngrams"] == G, f"scan {s}")
    top = s["frequent_ngrams"][0]
    check(top["documents"] == 6 and top["ignored"] is True, f"frequent list {top}")
    check(ref.tokenize(top["ngram"]) == ref.tokenize(phrase)[:N] or
          " ".join(ref.tokenize(top["ngram"])) in " ".join(ref.tokenize(phrase)),
          f"frequent n-gram text {top['ngram']!r}")
    boiler_hits = [h for h in hits if h["id"].startswith("b")]
    check(len(boiler_hits) == 6 and all(h["ignored"] for h in boiler_hits),
          "boilerplate hit records not marked ignored")
    # purify with the filter keeps the boilerplate documents, drops the real one
    out = os.path.join(d, "pur")
    scan(c, corpus, "--max-doc-freq", "3", "--purify", out, hits=os.path.join(d, "p.jsonl"))
    with open(os.path.join(out, os.path.relpath(corpus, "/")), encoding="utf-8") as f:
        ids = [json.loads(line)["id"] for line in f if line.strip()]
    check(ids == [f"b{i}" for i in range(6)], f"purified ids {ids}")


@S.test
def test_probe_confirm(c):
    """probe --confirm over a deliberately tiny (high false-positive) index:
    every example is flagged; the exact rescan overturns the absent ones
    and gives the confirmed ones the scan's exact metrics, with provenance."""
    idx = os.path.join(c.tmp, "tiny.cidx")
    contam("index", "-q", "--memory", "8K", "-o", idx, c.corpus).expect(0)
    args = ["probe", idx, "--name", "demo", "--field", "question", "--field", "answer",
            "--id-field", "id"]
    bloom = contam(*args, c.bench).expect(0).json()
    flagged = [e for e in bloom["examples"] if e["verdict"] in ("partial", "contaminated")]
    out = os.path.join(c.tmp, "confirm.json")
    r = contam(*args, "-o", out, c.bench, "--confirm", c.corpus).expect(0)
    check("overturned" in r.err, f"no confirm summary on stderr: {r.err[-300:]}")
    with open(out, encoding="utf-8") as f:
        rep = json.load(f)
    conf = rep["confirm"]
    absent = sum(1 for e in flagged if c.expected[e["id"]]["mode"] == "absent")
    check(conf["flagged"] == len(flagged) and absent > 0,
          f"flagged {conf['flagged']} vs {len(flagged)} ({absent} absent)")
    check(conf["overturned"] == absent, f"overturned {conf['overturned']} != {absent}")
    exact = {e["record"]: e for e in c.report["examples"]}
    for e in rep["examples"]:
        if not e["confirmed"]:
            check(e["verdict"] == "clean" and "bloom" not in e,
                  f"{e['id']}: not flagged, yet {e['verdict']}")
            continue
        x = exact[e["record"]]
        check(e["verdict"] == x["verdict"] and e["coverage"] == x["coverage"],
              f"{e['id']}: confirmed {e['verdict']} {e['coverage']} != scan "
              f"{x['verdict']} {x['coverage']}")
        check("bloom" in e and e["bloom"]["verdict"] in ("partial", "contaminated"),
              f"{e['id']}: bloom metrics missing")
        if x["doc_count"]:
            p = e["provenance"][0]
            check(p["file"].startswith(c.corpus) and p["end"] > p["start"],
                  f"{e['id']}: provenance {p}")
    b = rep["benchmarks"][0]
    check(b["clean"] >= absent, f"benchmark counts not recomputed: {b}")


@S.test
def test_big_document_and_batches(c):
    """A shard of many small documents around one 9 MiB document (streamed,
    not batched): plants in all of them are found, in record order, with
    offsets that read back, and 1 and 2 threads agree byte for byte."""
    d = os.path.join(c.tmp, "big")
    os.makedirs(d, exist_ok=True)
    items = [it for it in c.items if it["question"].isascii()][:4]
    filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do. "
    big = (item_text(items[0]) + "\n" + filler * 75000 + item_text(items[1]) + "\n" +
           filler * 75000 + item_text(items[2]))
    check(len(big) > 9 << 20, "big document too small")
    lines, planted = [], {}
    for i in range(6000):
        text = f"small document {i}. " + filler * 10
        if i == 3000:
            text = big
        elif i % 1000 == 7:
            text += item_text(items[3])
            planted[i] = 3
        lines.append(json.dumps({"id": f"s{i}", "text": text}))
    corpus = os.path.join(d, "shard.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    h1 = os.path.join(d, "h1.jsonl")
    h2 = os.path.join(d, "h2.jsonl")
    hits, _, _ = scan(c, corpus, "--threads", "1", hits=h1)
    scan(c, corpus, "--threads", "2", hits=h2)
    with open(h1, "rb") as a, open(h2, "rb") as b:
        check(a.read() == b.read(), "1 and 2 threads differ")
    recs = [h["record"] for h in hits]
    check(recs == sorted(planted) [:3] + [3000] + sorted(planted)[3:],
          f"records {recs}")
    bigh = [h for h in hits if h["record"] == 3000][0]
    found = sorted(e["record"] for e in bigh["examples"])
    want = sorted(c.items.index(it) for it in items[:3])
    check(found == want, f"big document examples {found} != {want}")
    raw = big.encode("utf-8")
    for e in bigh["examples"]:
        check(raw[e["start"]:e["end"]].decode("utf-8").strip() ==
              item_text(c.items[e["record"]]), f"big document offsets {e}")


@S.test
def test_damaged_corpus(c):
    """Truncated and corrupt shards: damaged records are skipped with a
    warning naming file and offset; what can be read is scanned, purified
    (WET falls back from member copying) and rescans clean."""
    d = os.path.join(c.tmp, "damaged")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(c.corpus, "web.warc.wet.gz"), "rb") as f:
        wet = bytearray(f.read())
    with open(os.path.join(c.corpus, "shard.jsonl.gz"), "rb") as f:
        shard = f.read()
    wet[len(wet) // 3:len(wet) // 3 + 16] = b"\0" * 16
    with open(os.path.join(d, "corrupt.warc.wet.gz"), "wb") as f:
        f.write(wet)
    with open(os.path.join(d, "cut.jsonl.gz"), "wb") as f:
        f.write(shard[:len(shard) * 2 // 3])
    with open(os.path.join(d, "junk.jsonl"), "w") as f:
        f.write('not json\n{"text": 5}\n')
    out = os.path.join(c.tmp, "damaged-pur")
    hits = os.path.join(c.tmp, "damaged.jsonl")
    r = contam("scan", *bench_args(c), "-o", hits, "--purify", out, "--purify-mode", "cut", d)
    r.expect(0)
    check("offset" in r.err and "corrupt.warc.wet.gz" in r.err and "junk.jsonl" in r.err,
          f"warnings: {r.err[-600:]}")
    with open(hits, encoding="utf-8") as f:
        check(sum(1 for _ in f) > 0, "nothing found in the readable part")
    again, _, _ = scan(c, out, hits=os.path.join(c.tmp, "damaged-again.jsonl"))
    check(again == [], f"rescan found {len(again)} documents")


@S.test
def test_errors(c):
    r = contam("scan", c.corpus)
    check(r.rc == 1 and "no benchmark" in r.err, f"no --bench: {r.rc} {r.err}")
    r = contam("scan", "--bench", c.bench)
    check(r.rc == 1 and "no corpus" in r.err, f"no corpus: {r.rc} {r.err}")
    r = contam("scan", "--bench", os.path.join(c.tmp, "nope.jsonl"), c.corpus)
    check(r.rc == 2 and "nope.jsonl" in r.err, f"missing bench: {r.rc} {r.err}")
    r = contam("scan", "--bench", c.bench, os.path.join(c.tmp, "nope"))
    check(r.rc == 2 and "nope" in r.err, f"missing corpus: {r.rc} {r.err}")
    r = contam("scan", "--bench", c.bench, "--purify-mode", "cut", c.corpus)
    check(r.rc == 1, f"--purify-mode without --purify: {r.rc}")
    r = contam("scan", "--bench", c.bench, "--purify", "x", "--purify-mode", "zap", c.corpus)
    check(r.rc == 1, f"bad --purify-mode: {r.rc}")
    plain = os.path.join(c.corpus, "plain.jsonl")
    with open(plain, "rb") as f:
        before = f.read()
    r = contam("scan", "--bench", c.bench, "--purify", "/", plain)
    check(r.rc == 2 and "overwrite" in r.err, f"purify onto the input: {r.rc} {r.err}")
    with open(plain, "rb") as f:
        check(f.read() == before, "the input was changed")
    r = contam("scan", "--bench", c.bench, "-o", os.path.join(c.tmp, "x.jsonl"), "--purify",
               os.path.join(c.tmp, "twice"), plain, plain)
    check(r.rc == 2 and ("twice" in r.err or "more than once" in r.err),
          f"same input twice: {r.rc} {r.err}")


if __name__ == "__main__":
    sys.exit(S.run(setup))
