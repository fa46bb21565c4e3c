#!/usr/bin/env python3
"""test_pass.py -- the one corpus pass (src/lib/pass/) under the index
build and the scan.

- Big documents (over the pass's 8 MiB streaming bound) between runs of
  small ones, two of them back to back, in a corpus of several 2 MiB
  batches: the scan finds the benchmark text in a big document's head
  (the part copied before streaming starts) and in its tail, and the
  hit records come in reader order (record numbers rising), with the
  same bytes at --threads 1, 2 and 4.  (Before the one pass, the scan
  lost the head when the batch before the big document was matched
  inline, with the matcher that held the head: --threads 1 missed ex1.)
- The index of the same corpus has the same bytes at --threads 1, 2
  and 4 (also with --doc-freq and --winnow), and a probe finds the
  examples planted in the big documents.
- The index module and the scan's sink include no reader: only the pass
  (src/lib/pass/) opens files (a source-tree check).
- A JSONL record without text is counted on the manifest with its
  message (the pass hands reader messages to the index sink), a file
  with no documents is marked empty, and an unreadable walked file is a
  counted skip with its reason.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, Suite, check, contam  # noqa: E402

S = Suite("test_pass")

WORDS = ("river stone light winter house garden music paper north silver market "
         "window letter forest engine harbor little yellow bridge castle mirror "
         "island pocket ticket valley orange planet rocket shadow spring").split()

EXAMPLES = [
    {"id": f"ex{i}", "question": q}
    for i, q in enumerate([
        "zorbly quintessential marmalade navigates the obsidian lighthouse beyond seventeen crooked umbrellas tonight",
        "a vermilion accordion hums beneath twelve sleepy walruses while the archivist counts forgotten thimbles",
        "nine clockwork herons debate the velvet equation under a pale saffron moon near the quarry",
        "the cartographer misplaced forty brass compasses inside the humming greenhouse of rotating ferns",
        "quietly the glacier librarian stamps every overdue comet with indigo wax and a tiny silver hammer",
    ])
]


def filler(rnd, nbytes):
    out, size = [], 0
    while size < nbytes:
        w = rnd.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def setup(tmp):
    rnd = random.Random(14)
    bench = os.path.join(tmp, "bench.jsonl")
    with open(bench, "w") as f:
        for ex in EXAMPLES:
            f.write(json.dumps(ex) + "\n")
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    docs = []
    # 12 MiB of small documents (6 batches: at --threads 1 the batch
    # tasks wait, so the file task has CPASS_INFLIGHT of them queued when
    # the big document comes), ex0 in one of them
    for i in range(6000):
        docs.append(filler(rnd, 2000))
    docs[1234] += " " + EXAMPLES[0]["question"] + " " + filler(rnd, 300)
    # a big document: ex1 in its first MiB (the copied head), ex2 at its end
    big = filler(rnd, 1 << 20) + " " + EXAMPLES[1]["question"] + " " + \
        filler(rnd, 8 << 20) + " " + EXAMPLES[2]["question"] + " the end"
    docs.append(big)
    # a second big document right after, ex3 in the middle
    docs.append(filler(rnd, 5 << 20) + " " + EXAMPLES[3]["question"] + " " +
                filler(rnd, 4 << 20))
    # more small ones, ex4 among them
    for i in range(1500):
        docs.append(filler(rnd, 2000))
    docs[-700] += " " + EXAMPLES[4]["question"]
    path = os.path.join(corpus, "big.jsonl")
    with open(path, "w") as f:
        for d in docs:
            f.write(json.dumps({"text": d}) + "\n")
    # a second file of small documents, so that two file tasks run
    with open(os.path.join(corpus, "small.jsonl"), "w") as f:
        for i in range(300):
            t = filler(rnd, 1500)
            if i == 150:
                t += " " + EXAMPLES[0]["question"]
            f.write(json.dumps({"text": t}) + "\n")
    return {"tmp": tmp, "bench": bench, "corpus": corpus, "big": path,
            "nbig": len(docs)}


def scan(ctx, threads, tag):
    out = os.path.join(ctx["tmp"], f"hits-{tag}.jsonl")
    rep = os.path.join(ctx["tmp"], f"scan-{tag}.json")
    contam("scan", "-q", "--threads", threads, "--field", "question",
           "--bench", ctx["bench"], "-o", out, "--report", rep,
           ctx["corpus"]).expect(0)
    with open(out, "rb") as f:
        return f.read()


@S.test
def scan_big_documents_in_order(ctx):
    ref = scan(ctx, 1, "t1")
    recs = [json.loads(line) for line in ref.decode().splitlines()]
    big = [r for r in recs if r["file"].endswith("big.jsonl")]
    found = {}
    for r in big:
        for e in r["examples"]:
            found.setdefault(e["id"] if e["id"] else e["record"], []).append(r["record"])
    check([r["record"] for r in big] == sorted(r["record"] for r in big),
          f"hit records out of reader order: {[r['record'] for r in big]}")
    want = {0: 1234, 1: 6000, 2: 6000, 3: 6001, 4: ctx["nbig"] - 700}
    for ex, rec in want.items():
        recs_of = found.get(f"ex{ex}") or found.get(ex)
        check(recs_of == [rec], f"ex{ex}: hit in records {recs_of}, expected [{rec}]")
    bigdoc = next(r for r in big if r["record"] == 6000)
    check(bigdoc["doc_bytes"] > 9 << 20, f"big document bytes {bigdoc['doc_bytes']}")
    check(len(bigdoc["examples"]) == 2, "the big document's head and tail both match")
    for t in (2, 4):
        check(scan(ctx, t, f"t{t}") == ref, f"scan --threads {t} differs from --threads 1")


@S.test
def index_same_bytes_any_threads(ctx):
    for extra, tag in (([], "plain"), (["--doc-freq", "--winnow", "4"], "dfw")):
        outs = []
        for t in (1, 2, 4):
            o = os.path.join(ctx["tmp"], f"ix-{tag}-{t}.cidx")
            contam("index", "-q", "--threads", t, *extra, "-o", o,
                   ctx["corpus"]).expect(0)
            with open(o, "rb") as f:
                outs.append(f.read())
        check(outs[0] == outs[1] == outs[2], f"index {tag}: bytes depend on --threads")
    rep = contam("probe", "-q", os.path.join(ctx["tmp"], "ix-plain-1.cidx"),
                 "--field", "question", "--id-field", "id", ctx["bench"]).expect(0).json()
    exs = rep["examples"]
    flagged = {e["id"] for e in exs if e["verdict"] == "contaminated"}
    check(flagged == {e["id"] for e in EXAMPLES}, f"probe flagged {sorted(flagged)}")


@S.test
def manifest_counts_through_the_pass(ctx):
    d = os.path.join(ctx["tmp"], "odd")
    os.makedirs(d)
    with open(os.path.join(d, "a.jsonl"), "w") as f:
        f.write(json.dumps({"text": filler(random.Random(1), 3000)}) + "\n")
        f.write(json.dumps({"body": "no text field here"}) + "\n")
    open(os.path.join(d, "empty.jsonl"), "w").close()
    with open(os.path.join(d, "bin.jsonl"), "wb") as f:
        f.write(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)
    o = os.path.join(ctx["tmp"], "odd.cidx")
    r = contam("index", "-q", "-o", o, d).expect(0)
    info = contam("info", "--json", o).expect(0).json()
    files = {os.path.basename(e["path"]): e for e in info["inputs"]}
    check(sorted(files) == ["a.jsonl", "bin.jsonl", "empty.jsonl"],
          f"inputs {sorted(files)}; stderr {r.err[-400:]}")
    a = files["a.jsonl"]
    check(a["documents"] == 1 and a["errors"] == 1, f"a.jsonl {a}")
    check(a["problems"]["no_text_field"] == 1 and "try --text-field body" in a["messages"][0],
          f"a.jsonl problems {a['problems']} {a['messages']}")
    check(files["empty.jsonl"]["problems"]["empty"] == 1,
          f"empty.jsonl problems {files['empty.jsonl']['problems']}")
    b = files["bin.jsonl"]
    check(b["problems"]["unreadable"] == 1 and b["errors"] == 1 and b["documents"] == 0 and
          "ELF" in b["messages"][0], f"bin.jsonl {b}")
    check(info["errors"] == 2 and info["documents"] == 1, f"totals {info['errors']} {info['documents']}")

@S.test
def sinks_include_no_reader(ctx):
    lib = os.path.join(ROOT, "src", "lib")
    sinks = [os.path.join("index", f) for f in sorted(os.listdir(os.path.join(lib, "index")))
             if f.endswith((".c", ".h"))]
    sinks += [os.path.join("scan", f) for f in ("scan_run.c", "scan_table.c", "scan_match.c",
                                                "scan.h")]
    check(len(sinks) > 10 and "index/index_build.c" in sinks, f"the listing is wrong: {sinks}")
    bad = []
    for rel in sinks:
        with open(os.path.join(lib, rel), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("#include") and "reader/" in line:
                    bad.append(f"src/lib/{rel}:{n}: {line.strip()}")
    check(not bad, "a sink includes a reader: " + "; ".join(bad))


if __name__ == "__main__":
    sys.exit(S.run(setup))
