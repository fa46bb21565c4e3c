#!/usr/bin/env python3
"""neardup_data.py -- planted near-duplicates for `contam probe --near-dup`.

usage: neardup_data.py OUTDIR [--seed N] [--planted N] [--absent N]
       neardup_data.py OUTDIR --real [--shared DIR] [--seed N] ...

Benchmark items whose words survive a copy but whose order does not: the
case n-gram coverage misses and MinHash is for (docs/NEARDUP.md).  Deterministic:
the same seed gives the same bytes.

Synthetic (default): invented words (scripts/gen_testdata.py's lexicon and
grammar, so no shingle is shared by chance), two kinds of item, each a
question of 2-4 sentences and 4 options:
  mc       a multiple-choice question, options of 2-8 words
  word     a word problem with numbers, options "N units"
Real (--real): items from ../shared/data benchmarks -- MMLU test CSVs and
ARC-Challenge (question + 4 options), GSM8K (question + worked answer) --
planted into real text: C4 documents and Wikipedia (wikitext-2) articles,
and with --dump the enwiki MediaWiki dump sample too (.xml.bz2).

Every planted item is copied with one of these modes, half of them with
light word edits too (about one word in 25 replaced):
  shuffle          sentences of the question in another order (a GSM8K
                   answer: its lines in another order)
  reorder          options in another order, unlabelled, one a line
  relabel          options in another order, freshly labelled A) B) C) D)
  both             shuffle + relabel, options inline on one line
and placed either as a whole document of its own ("whole": a quiz page of
the item and an answer line) or in the middle of a long generated/real
document ("middle": after a paragraph break or inside a paragraph).
Absent items are never planted, and no text of theirs is in the corpus.

Writes OUTDIR/corpus/*.jsonl ({"id","text"}), OUTDIR/bench/<name>.jsonl
({"id","question","choices",...}: probe with --field question --field
choices; GSM8K: --field question --field answer) and OUTDIR/expected.json
{"items": {id: {"bench","status": "planted"|"absent","mode","where","doc",
 "edited"; absent: "related" = the largest share of its shingles one planted
 item has too}}, "benches": {name: {"path","fields"}}}.  RELATED (0.2) is
 where an absent item stops being unrelated: it shares a passage or a
 template with a planted one (MMLU moral_scenarios, history passages).
"""
import argparse
import bz2
import csv
import glob
import gzip
import html
import importlib.util
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MODES = ["shuffle", "reorder", "relabel", "both"]
RELATED = 0.2
LABELS = ["A", "B", "C", "D"]
_SENT_RE = re.compile(r"(?<=[.!?])\s+")


def _gen_testdata():
    path = os.path.join(ROOT, "scripts", "gen_testdata.py")
    spec = importlib.util.spec_from_file_location("gen_testdata_nd", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sentences(text):
    return [s for s in _SENT_RE.split(text.strip()) if s]


def shuffled(rng, seq):
    """seq in another order (when it has two different elements)."""
    out = list(seq)
    if len(set(out)) < 2:
        return out
    while out == list(seq):
        rng.shuffle(out)
    return out


def edit_words(rng, text, spare, rate=0.04):
    """Light word edits: about one word in 25 replaced by a word of spare."""
    words = text.split(" ")
    for i, w in enumerate(words):
        if w and w[-1:].isalnum() and rng.random() < rate:
            words[i] = rng.choice(spare)
    return " ".join(words)


def render(rng, item, mode, spare, edits=True):
    """The copied text of an item in one planting mode (edits: light word
    edits too)."""
    rate = 0.04 if edits else 0.0
    q = item["question"]
    if mode in ("shuffle", "both"):
        q = " ".join(shuffled(rng, sentences(q)))
    q = edit_words(rng, q, spare, rate)
    if "choices" in item:
        opts = [edit_words(rng, o, spare, rate) for o in item["choices"]]
        if mode != "shuffle":
            opts = shuffled(rng, opts)
        if mode == "reorder":
            return q + "\n" + "\n".join(opts)
        if mode == "shuffle":
            return q + "\n" + "\n".join(f"{LABELS[i]}. {o}" for i, o in enumerate(opts))
        lab = [f"{LABELS[i]}) {o}" for i, o in enumerate(opts)]
        if mode == "both":
            return q + "\n" + " ".join(lab)
        return q + "\n" + "\n".join(lab)
    # GSM8K: question and its worked answer
    lines = item["answer"].split("\n")
    if mode in ("shuffle", "both"):
        lines = shuffled(rng, lines[:-1]) + lines[-1:]
    return q + "\n" + edit_words(rng, "\n".join(lines), spare, rate)


def whole_doc(rng, title, body):
    head = rng.choice(["Practice question", "Quiz", "Question of the day",
                       "Review", "Sample problem"])
    tail = rng.choice(["Answer: see below.", "Show answer", "Posted in Study",
                       "Leave a comment"])
    return f"{head}: {title}\n{body}\n{tail}"


def plant_middle(rng, doc, body):
    """body in the middle of doc: at a paragraph break or inside a
    paragraph, after a sentence."""
    paras = doc.split("\n")
    if len(paras) >= 3 and rng.random() < 0.6:
        k = len(paras) // 2
        return "\n".join(paras[:k] + [body] + paras[k:])
    words = doc.split(" ")
    k = len(words) // 2
    while k < len(words) - 1 and not words[k - 1].endswith("."):
        k += 1
    return " ".join(words[:k]) + "\n" + body + "\n" + " ".join(words[k:])


def plan(rng, items, nplanted):
    """Pick the planted items: a mode, a placement and edits or not each
    (every combination equally often)."""
    order = list(range(len(items)))
    rng.shuffle(order)
    out = {}
    for j, i in enumerate(order[:nplanted]):
        out[i] = (MODES[j % len(MODES)], "whole" if j % 3 == 0 else "middle",
                  (j // len(MODES)) % 2 == 0)
    return out


_WORD_RE = re.compile(r"[a-z0-9]+")
_SEG_RE = re.compile(r"(?<=[.!?])(?=\s|$)|\n")


def item_shingles(item, k=5):
    """The item's shingle set as the core cuts it (segments: sentence ends
    and newlines; ASCII tokens are enough for this)."""
    out = set()
    vals = [item["question"]] + list(item.get("choices") or [item.get("answer", "")])
    for v in vals:
        for seg in _SEG_RE.split(v):
            t = _WORD_RE.findall(seg.lower())
            out.update(tuple(t[i:i + k]) for i in range(len(t) - k + 1))
    return out


def mark_related(benches, expected):
    """expected[id]["related"] for absent items: the largest share of the
    item's shingles that one planted item also has (a shared passage or
    template: such an item is a near-duplicate of corpus text, not an
    unrelated one)."""
    owner = {}
    sets = {}
    for items, _ in benches.values():
        for it in items:
            sets[it["id"]] = item_shingles(it)
            if expected[it["id"]]["status"] == "planted":
                for sh in sets[it["id"]]:
                    owner.setdefault(sh, set()).add(it["id"])
    for items, _ in benches.values():
        for it in items:
            e = expected[it["id"]]
            if e["status"] != "absent":
                continue
            a = sets[it["id"]]
            count = {}
            for sh in a:
                for o in owner.get(sh, ()):
                    count[o] = count.get(o, 0) + 1
            e["related"] = round(max(count.values(), default=0) / max(len(a), 1), 3)


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_out(outdir, corpus_files, benches, expected):
    mark_related(benches, expected)
    os.makedirs(os.path.join(outdir, "corpus"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "bench"), exist_ok=True)
    for name, docs in corpus_files.items():
        with open(os.path.join(outdir, "corpus", name), "w", encoding="utf-8") as f:
            for did, text in docs:
                f.write(json.dumps({"id": did, "text": text}, ensure_ascii=False) + "\n")
    meta = {}
    for name, (items, fields) in benches.items():
        path = os.path.join(outdir, "bench", name + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for it in items:
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
        meta[name] = {"path": path, "fields": fields}
    summary = {"items": expected, "benches": meta}
    with open(os.path.join(outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    return summary


def place(rng, docs, items, planted, spare, bench, expected, prefix, middle=None):
    """Plant items into docs (a list of [id, text], changed in place; whole
    documents appended) and record them in expected.  middle(rng, doc,
    body) puts a plant inside a document (plant_middle)."""
    middle = middle or plant_middle
    long_docs = [k for k, (_, t) in enumerate(docs) if len(t.split()) >= 300]
    rng.shuffle(long_docs)
    used = 0
    for i, it in enumerate(items):
        if i not in planted:
            expected[it["id"]] = {"bench": bench, "status": "absent"}
            continue
        mode, where, edits = planted[i]
        body = render(rng, it, mode, spare, edits)
        if where == "middle" and used < len(long_docs):
            k = long_docs[used]
            used += 1
            docs[k][1] = middle(rng, docs[k][1], body)
            did = docs[k][0]
        else:
            where = "whole"
            did = f"{prefix}-q{len(docs)}"
            title = " ".join(it["question"].split()[:4])
            docs.append([did, whole_doc(rng, title, body)])
        expected[it["id"]] = {"bench": bench, "status": "planted", "mode": mode,
                              "where": where, "doc": did, "edited": edits}


# ---------------------------------------------------------------------------
# Synthetic

def synth_items(rng, gram, lex, n):
    items = []
    for k in range(n):
        if k % 2 == 0:
            sents = [gram.sentence().rstrip(";") for _ in range(rng.randint(1, 3))]
            sents = [s if s[-1] in ".?!" else s + "." for s in sents]
            w = gram.np()
            q = (f"Which {rng.choice(lex.adjs)} {rng.choice(lex.nouns)} "
                 f"{rng.choice(lex.verbs)} {' '.join(w)}?")
            opts = []  # a list, not a set: set order is not the seed's
            while len(opts) < 4:
                o = gram.np() if rng.random() < 0.7 else gram.clause()
                o = " ".join(o[:rng.randint(2, 8)])
                if o not in opts:
                    opts.append(o)
            items.append({"id": f"mc-{k}", "kind": "mc", "question": " ".join(sents + [q]),
                          "choices": opts,
                          "answer": rng.choice(LABELS)})
        else:
            text, a, b, name, thing = gram.question()
            s = sentences(text)
            if len(s) < 2:
                s = [gram.sentence()] + s
            s = s[-4:]
            unit = rng.choice(lex.units)
            vals = []
            while len(vals) < 4:
                v = a + b + rng.randint(-9, 9)
                if v not in vals:
                    vals.append(v)
            opts = [f"{v} {unit}s" for v in vals]
            items.append({"id": f"wp-{k}", "kind": "word", "question": " ".join(s),
                          "choices": opts, "answer": rng.choice(LABELS)})
    return items


def build_synthetic(outdir, seed=17, nplanted=240, nabsent=720, ndocs=None):
    g = _gen_testdata()
    rng = random.Random(seed)
    lex = g.Lexicon(rng)
    gram = g.Grammar(rng, lex)
    items = synth_items(rng, gram, lex, nplanted + nabsent)
    ndocs = ndocs or nplanted
    docs = []
    for d in range(ndocs):
        # most documents long (a plant in the middle), some short
        lo, hi = (5, 12) if d % 4 else (2, 4)
        docs.append([f"syn-{d}", gram.document(lo, hi)])
    planted = plan(rng, items, nplanted)
    expected = {}
    place(rng, docs, items, planted, lex.spare, "synthetic", expected, "syn")
    return write_out(outdir, {"docs.jsonl": docs},
                     {"synthetic": (items, ["question", "choices"])}, expected)


# ---------------------------------------------------------------------------
# Real: ../shared/data

REAL_SPARE = ("the of and to a in that is was he for it with as his on be at by "
              "this had not are but from or have an they which one you were her "
              "all she there would their we him been has when who will more no if "
              "out so said what up its about into than them can only other new some "
              "could time these two may then do first any my now such like our over "
              "man me even most made after also did many before must through back "
              "years where much your way well down should because each just those "
              "people how too little state good very make world still own see men "
              "work long get here between both life being under never day same another "
              "know while last might us great old year off come since against go came "
              "right used take three").split()


def shared_default():
    return os.environ.get("CONTAM_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")


def real_available(shared):
    need = ["benchmarks/mmlu/data/test", "benchmarks/arc/ARC-Challenge-Test.jsonl",
            "benchmarks/gsm8k/test.jsonl", "corpus/c4/c4_sample.jsonl.gz",
            "corpus/wikitext-2/test.txt"]
    return all(os.path.exists(os.path.join(shared, p)) for p in need)


def _ntok(s):
    return len(re.findall(r"[A-Za-z0-9]+", s))


def real_items(rng, shared, per_bench):
    mmlu = []
    for path in sorted(glob.glob(os.path.join(shared, "benchmarks/mmlu/data/test/*.csv"))):
        subj = os.path.basename(path)[:-len("_test.csv")]
        with open(path, encoding="utf-8", newline="") as f:
            for k, row in enumerate(csv.reader(f)):
                if len(row) == 6 and _ntok(row[0]) >= 12:
                    mmlu.append({"id": f"mmlu-{subj}-{k}", "question": row[0],
                                 "choices": row[1:5], "answer": row[5]})
    arc = []
    with open(os.path.join(shared, "benchmarks/arc/ARC-Challenge-Test.jsonl"), encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            ch = [c["text"] for c in o["question"]["choices"]]
            if len(ch) == 4 and _ntok(o["question"]["stem"]) >= 12:
                arc.append({"id": "arc-" + o["id"], "question": o["question"]["stem"],
                            "choices": ch, "answer": o["answerKey"]})
    gsm = []
    with open(os.path.join(shared, "benchmarks/gsm8k/test.jsonl"), encoding="utf-8") as f:
        for k, line in enumerate(f):
            o = json.loads(line)
            gsm.append({"id": f"gsm8k-{k}", "question": o["question"], "answer": o["answer"]})
    out = {}
    for name, pool, fields in (("mmlu", mmlu, ["question", "choices"]),
                               ("arc", arc, ["question", "choices"]),
                               ("gsm8k", gsm, ["question", "answer"])):
        rng.shuffle(pool)
        out[name] = (pool[:per_bench], fields)
    return out


def real_docs(shared):
    c4 = []
    with gzip.open(os.path.join(shared, "corpus/c4/c4_sample.jsonl.gz"), "rt", encoding="utf-8") as f:
        for k, line in enumerate(f):
            c4.append([f"c4-{k}", json.loads(line)["text"]])
    wiki = []
    with open(os.path.join(shared, "corpus/wikitext-2/test.txt"), encoding="utf-8") as f:
        cur = []
        for line in f:
            # " = Title = " starts an article; " = = Section = = " does not
            if re.match(r"^ = [^=].* = $", line) and cur:
                wiki.append(cur)
                cur = []
            if line.strip():
                cur.append(line.strip())
        if cur:
            wiki.append(cur)
    wdocs = [[f"wiki-{k}", "\n".join(p)] for k, p in enumerate(wiki)]
    return c4, wdocs


ENWIKI = "corpus/wikipedia_dump_samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
_PROSE_BAD = tuple("{|!*#:=<[")


def dump_docs(shared):
    """(head, pages, docs) of the enwiki dump sample: docs are [title,
    wikitext] of the articles with 3000+ characters, pages the raw <page>
    blocks in order."""
    with bz2.open(os.path.join(shared, ENWIKI)) as f:
        data = f.read().decode("utf-8")
    first = data.index("<page>")
    head = data[:first]
    pages = re.findall(r"<page>.*?</page>", data, re.S)
    docs = []
    for pg in pages:
        m = re.search(r"<text[^>]*>(.*?)</text>", pg, re.S)
        t = re.search(r"<title>(.*?)</title>", pg)
        if m and t and "<redirect" not in pg and "<ns>0</ns>" in pg and len(m.group(1)) >= 3000:
            docs.append([html.unescape(t.group(1)), html.unescape(m.group(1))])
    return head, pages, docs


def plant_wikitext(rng, doc, body):
    """body as a paragraph of its own in the middle of an article's
    wikitext, where no template or table is open (else the reader would
    strip it with the markup)."""
    lines = doc.split("\n")
    depth, cands = 0, []
    for k, line in enumerate(lines):
        if depth == 0 and k > 0 and len(lines[k - 1]) > 60 and not lines[k - 1].startswith(_PROSE_BAD):
            cands.append(k)
        depth += line.count("{{") + line.count("{|") - line.count("}}") - line.count("|}")
        depth = max(depth, 0)
    if not cands:
        return doc + "\n\n" + body + "\n"
    k = min(cands, key=lambda c: abs(c - len(lines) // 2))
    return "\n".join(lines[:k] + ["", body, ""] + lines[k:])


def write_dump(path, head, pages, docs, orig_titles):
    """The dump with the planted articles' text replaced and whole-document
    plants added as pages of their own."""
    by_title = {t: x for t, x in docs}
    out = [head]
    for pg in pages:
        t = re.search(r"<title>(.*?)</title>", pg)
        title = html.unescape(t.group(1)) if t else None
        if title in orig_titles and title in by_title:
            text = xml_escape(by_title[title])
            pg = re.sub(r"(<text[^>]*>).*?(</text>)", lambda m: m.group(1) + text + m.group(2),
                        pg, count=1, flags=re.S)
        out.append("  " + pg + "\n")
    for n, (title, text) in enumerate(docs):
        if title not in orig_titles:
            out.append(f"  <page>\n    <title>{xml_escape(title)}</title>\n    <ns>0</ns>\n"
                       f"    <id>{900000 + n}</id>\n    <revision>\n      <id>{910000 + n}</id>\n"
                       f"      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
                       f"      <text xml:space=\"preserve\">{xml_escape(text)}</text>\n"
                       f"    </revision>\n  </page>\n")
    out.append("</mediawiki>\n")
    with open(path, "wb") as f:
        f.write(bz2.compress("".join(out).encode("utf-8"), 9))


def build_real(outdir, shared=None, seed=17, per_bench=300, planted_share=0.4, dump=False):
    """dump: a third corpus, the enwiki MediaWiki dump sample (.xml.bz2),
    plants in the middle of its articles' wikitext and as pages of their
    own (the index's MediaWiki reader strips the markup around them)."""
    shared = shared or shared_default()
    if not real_available(shared) or (dump and not os.path.exists(os.path.join(shared, ENWIKI))):
        return None
    rng = random.Random(seed)
    benches = real_items(rng, shared, per_bench)
    c4, wiki = real_docs(shared)
    expected = {}
    files = {"c4.jsonl": c4, "wiki.jsonl": wiki}
    targets = [("c4", c4), ("wiki", wiki)]
    if dump:
        head, pages, edocs = dump_docs(shared)
        orig = {t for t, _ in edocs}
        targets.append(("enwiki", edocs))
    for bi, (name, (items, _)) in enumerate(sorted(benches.items())):
        planted = plan(rng, items, int(len(items) * planted_share))
        # split this bench's plants between the corpora
        for ti, (prefix, docs) in enumerate(targets):
            sub = {i: v for i, v in planted.items() if (i + bi) % len(targets) == ti}
            exp = {}
            place(rng, docs, items, sub, REAL_SPARE, name, exp, f"{prefix}-{name}",
                  middle=plant_wikitext if prefix == "enwiki" else plant_middle)
            for iid, e in exp.items():
                if e["status"] == "planted" or iid not in expected:
                    expected[iid] = e
    summary = write_out(outdir, files, benches, expected)
    if dump:
        write_dump(os.path.join(outdir, "corpus", "enwiki.xml.bz2"), head, pages, edocs, orig)
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--planted", type=int, default=240)
    ap.add_argument("--absent", type=int, default=720)
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--shared", default=None)
    ap.add_argument("--per-bench", type=int, default=300)
    ap.add_argument("--dump", action="store_true",
                    help="--real: also plant into the enwiki MediaWiki dump sample")
    a = ap.parse_args(argv)
    if a.real:
        s = build_real(a.outdir, a.shared, a.seed, a.per_bench, dump=a.dump)
        if s is None:
            print("neardup_data: ../shared/data is absent; nothing written")
            return 77
    else:
        s = build_synthetic(a.outdir, a.seed, a.planted, a.absent)
    n = sum(1 for e in s["items"].values() if e["status"] == "planted")
    print(f"{len(s['items'])} items, {n} planted, in {a.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
