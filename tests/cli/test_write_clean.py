#!/usr/bin/env python3
"""test_write_clean.py -- `contam probe --write-clean` subsets that match the
report.

A generated corpus of random words, with benchmark items planted in it, is
indexed into a small filter (a false-positive rate of about 0.3 per n-gram),
so that the Bloom probe flags unplanted items by chance and the exact scan
(--confirm) overturns them.  Item kinds:
  full     copied whole: flagged by every definition
  span15   one 15-token run copied into a 100-token item: gpt3 only
  two11    two separate 11-token runs of a 40-token item: contam and
           llama2, not gpt3
  random   not in the corpus: clean, unless the filter says otherwise
  short    3 words, too_short: always clean
Checks: line counts of the clean / flagged files equal the report's counts
with and without --confirm and under each --definition; the flagged list
(.ids.json) names exactly the flagged records; the definitions differ as
the report's figures say; the old behaviour (no --confirm: partial +
contaminated held out, byte for byte) holds; pipes, unknown or unavailable
definitions and --definition without --write-clean are refused; a failure
or SIGINT while writing leaves nothing.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import random
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402

S = Suite("test_write_clean")


class Ctx:
    pass


def words(rng, n):
    return [rng.choice(VOCAB) for _ in range(n)]


rng0 = random.Random(13)
VOCAB = ["".join(rng0.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7))
         for _ in range(5000)]


def setup(tmp):
    c = Ctx()
    c.tmp = tmp
    rng = random.Random(6)
    docs, items = [], []
    for i in range(60):
        docs.append(words(rng, 300))
    d = 0
    for i in range(8):                       # full copies
        t = words(rng, 30)
        docs[d] = docs[d][:100] + t + docs[d][100:]
        d += 1
        items.append(("full", t))
    for i in range(6):                       # one 15-token run in 100 tokens
        t = words(rng, 100)
        docs[d] = docs[d][:50] + t[40:55] + docs[d][50:]
        d += 1
        items.append(("span15", t))
    for i in range(6):                       # two 11-token runs in 40 tokens
        t = words(rng, 40)
        docs[d] = docs[d][:20] + t[2:13] + docs[d][20:]
        docs[d + 1] = docs[d + 1][:20] + t[25:36] + docs[d + 1][20:]
        d += 2
        items.append(("two11", t))
    for i in range(60):
        items.append(("random", words(rng, 25)))
    for i in range(3):
        items.append(("short", words(rng, 3)))
    rng.shuffle(items)
    c.kinds = [k for k, _ in items]
    c.corpus = os.path.join(tmp, "corpus.jsonl")
    with open(c.corpus, "w") as f:
        for doc in docs:
            f.write(json.dumps({"text": " ".join(doc)}) + "\n")
    c.bench = os.path.join(tmp, "bench.jsonl")
    with open(c.bench, "w") as f:
        for i, (k, t) in enumerate(items):
            f.write(json.dumps({"id": f"{k}-{i}", "text": " ".join(t)}) + "\n")
    c.ix = os.path.join(tmp, "c.cidx")
    contam("index", "-q", "-t", "1", "--fpr", "0.3", "-o", c.ix, c.corpus).expect(0)
    c.ix13 = os.path.join(tmp, "c13.cidx")
    contam("index", "-q", "-t", "1", "-n", "13", "-o", c.ix13, c.corpus).expect(0)
    return c


def lines(path):
    with open(path, "rb") as f:
        return [l for l in f.read().split(b"\n") if l.strip()]


def run(c, name, *extra, confirm=False, ix=None):
    out = os.path.join(c.tmp, name)
    rep = os.path.join(c.tmp, name + ".json")
    args = ["probe", ix or c.ix, "-q", "--id-field", "id", "--field", "text",
            "--write-clean", out, "-o", rep, *extra, c.bench]
    if confirm:
        args += ["--confirm", c.corpus]
    contam(*args).expect(0)
    with open(rep) as f:
        r = json.load(f)
    with open(os.path.join(out, "bench.flagged.jsonl.ids.json")) as f:
        ids = json.load(f)
    return r, out, ids


def flagged_by(e, definition):
    d = e["definitions"]
    if definition == "contam":
        return e["verdict"] in ("partial", "contaminated")
    if definition == "llama2":
        return d["llama2"]["bucket"] in ("dirty", "not_clean")
    return bool(d[definition])


def check_subset(c, r, out, ids, definition):
    """The files and the list hold exactly what the report flags."""
    clean = lines(os.path.join(out, "bench.clean.jsonl"))
    flagged = lines(os.path.join(out, "bench.flagged.jsonl"))
    check(sorted(clean + flagged) == sorted(lines(c.bench)), "clean + flagged = the benchmark")
    want = [e for e in r["examples"] if flagged_by(e, definition)]
    got = [json.loads(l)["id"] for l in flagged]
    check(sorted(got) == sorted(e["id"] for e in want),
          f"{definition}: flagged file = the report's flagged examples "
          f"({len(got)} against {len(want)})")
    check([x["id"] for x in ids["flagged_records"]] == got, "the list names the flagged file's records")
    check([x["record"] for x in ids["flagged_records"]] == [e["record"] for e in want],
          "record numbers")
    check([x["line"] for x in ids["flagged_records"]] == [e["record"] + 1 for e in want],
          "line numbers")
    check(ids["definition"] == definition and ids["source"] == c.bench, f"list header: {ids}")
    check(ids["clean"] == len(clean) and ids["flagged"] == len(flagged), "list counts")
    b = r["benchmarks"][0]
    if definition == "contam":
        check(len(clean) == b["clean"] + b["too_short"], f"clean file {len(clean)} = report's "
              f"clean {b['clean']} + too_short {b['too_short']}")
        check(len(flagged) == b["partial"] + b["contaminated"], "flagged file = partial + contaminated")
    elif definition == "llama2":
        check(len(flagged) == b["definitions"]["llama2"]["not_clean"]["count"], "llama2 not_clean count")
    else:
        check(len(flagged) == b["definitions"][definition]["contaminated"]["count"],
              f"{definition} count {len(flagged)} = report's "
              f"{b['definitions'][definition]['contaminated']['count']}")
    return clean, flagged


@S.test
def without_confirm_as_before(c):
    r, out, ids = run(c, "plain")
    clean, flagged = check_subset(c, r, out, ids, "contam")
    check(ids["confirmed"] is False and ids["overturned"] == 0, "not confirmed")
    # chance flags: the small filter flags random items (the construction)
    fl = {e["id"] for e in r["examples"] if flagged_by(e, "contam")}
    check(sum(i.startswith("random") for i in fl) >= 3, f"chance flags: {sorted(fl)}")
    check(all(not i.startswith("short") for i in fl), "too_short is clean")
    # byte for byte, in the benchmark's order
    orig = lines(c.bench)
    check(clean == [l for l in orig if l in set(clean)], "clean keeps the order")
    check(sorted(os.listdir(out)) == ["bench.clean.jsonl", "bench.flagged.jsonl",
                                      "bench.flagged.jsonl.ids.json"], f"{os.listdir(out)}")


@S.test
def confirm_overturned_flags_are_clean(c):
    rp, _, _ = run(c, "plain_again")
    r, out, ids = run(c, "confirmed", confirm=True)
    over = r["confirm"]["overturned"]
    check(over >= 3, f"the exact scan overturns chance flags: {r['confirm']}")
    clean, flagged = check_subset(c, r, out, ids, "contam")
    b, bp = r["benchmarks"][0], rp["benchmarks"][0]
    check(len(clean) == bp["clean"] + bp["too_short"] + over,
          "clean file = the Bloom clean + the overturned")
    check(ids["confirmed"] is True and ids["overturned"] == over, f"list: {ids['overturned']}")
    # what is left flagged is what was planted
    got = {json.loads(l)["id"].split("-")[0] for l in flagged}
    check(got == {"full", "two11"}, f"after the exact scan: {got}")
    check(b["contaminated"] + b["partial"] == 14, f"{b['contaminated']} + {b['partial']}")


@S.test
def definition_gpt3(c):
    rc_, outc, _ = run(c, "contam_def", confirm=True)
    r, out, ids = run(c, "gpt3", "--definition", "gpt3", confirm=True)
    _, flagged = check_subset(c, r, out, ids, "gpt3")
    kinds = {json.loads(l)["id"].split("-")[0] for l in flagged}
    check(kinds == {"full", "span15"}, f"gpt3 holds out full copies and 15-token runs: {kinds}")
    check(len(flagged) == 14, f"{len(flagged)} gpt3 flags")
    # the report's contam counts do not depend on --definition
    check(r["confirm"]["flagged"] == rc_["confirm"]["flagged"] and
          r["confirm"]["overturned"] == rc_["confirm"]["overturned"], "confirm counts")
    check(r["benchmarks"][0]["partial"] == rc_["benchmarks"][0]["partial"], "verdicts")
    # the subsets differ exactly where the definitions do
    cf = {json.loads(l)["id"] for l in lines(os.path.join(outc, "bench.flagged.jsonl"))}
    gf = {json.loads(l)["id"] for l in flagged}
    check({i.split("-")[0] for i in cf - gf} == {"two11"} and
          {i.split("-")[0] for i in gf - cf} == {"span15"}, f"{cf ^ gf}")
    # without --confirm: the Bloom gpt3 figure
    r2, out2, ids2 = run(c, "gpt3_bloom", "--definition", "gpt3")
    check_subset(c, r2, out2, ids2, "gpt3")
    # every Bloom gpt3 flag was scanned exactly, not only contam's flags
    bloom = {e["id"] for e in r2["examples"] if flagged_by(e, "gpt3")}
    scanned = {e["id"] for e in r["examples"] if e.get("confirmed")}
    check(bloom <= scanned, f"gpt3 flags not scanned: {bloom - scanned}")
    contam_scanned = {e["id"] for e in rc_["examples"] if e.get("confirmed")}
    check(contam_scanned == {e["id"] for e in r2["examples"] if flagged_by(e, "contam")},
          "the default scans contam's flags")


@S.test
def definitions_llama2_palm(c):
    for d in ("llama2", "palm"):
        r, out, ids = run(c, d + "_c", "--definition", d, confirm=True)
        _, flagged = check_subset(c, r, out, ids, d)
        kinds = {json.loads(l)["id"].split("-")[0] for l in flagged}
        want = {"full", "two11"} if d == "llama2" else {"full"}
        check(kinds == want, f"{d}: {kinds}")
        r, out, ids = run(c, d + "_b", "--definition", d)
        check_subset(c, r, out, ids, d)


@S.test
def refusals(c):
    out = os.path.join(c.tmp, "refused")
    r = contam("probe", c.ix, "-q", "--definition", "gpt3", "-o", os.devnull, c.bench)
    check(r.rc == 1 and "--write-clean" in r.err, f"--definition alone: {r.rc} {r.err}")
    r = contam("probe", c.ix, "-q", "--write-clean", out, "--definition", "gpt4", "-o",
               os.devnull, c.bench)
    check(r.rc == 1 and "gpt4" in r.err, f"unknown definition: {r.rc} {r.err}")
    r = contam("probe", c.ix13, "-q", "--write-clean", out, "--definition", "palm", "-o",
               os.devnull, c.bench)
    check(r.rc == 1 and "palm" in r.err and "13-grams" in r.err, f"palm on 13-grams: {r.rc} {r.err}")
    check(not os.path.exists(out), "nothing written")
    # a pipe is read once: refused before scoring, nothing written
    fifo = os.path.join(c.tmp, "b.jsonl")
    os.mkfifo(fifo)
    r = contam("probe", c.ix, "-q", "--write-clean", out, "-o", os.devnull, fifo, timeout=20)
    check(r.rc == 1 and "b.jsonl" in r.err and "regular file" in r.err, f"pipe: {r.rc} {r.err}")
    check(not os.path.exists(out), "nothing written for the pipe")
    # -n 13 with gpt3 is fine
    run(c, "gpt3_13", "--definition", "gpt3", ix=c.ix13)


@S.test
def failure_leaves_nothing(c):
    # two files; the second one's list cannot take its final name (a
    # directory is there): neither file's subsets may be left
    out = os.path.join(c.tmp, "fail")
    os.makedirs(os.path.join(out, "z.flagged.jsonl.ids.json"))
    z = os.path.join(c.tmp, "z.jsonl")
    with open(c.bench) as f, open(z, "w") as g:
        g.write(f.read())
    rep = os.path.join(c.tmp, "fail.json")
    r = contam("probe", c.ix, "-q", "--write-clean", out, "-o", rep, c.bench, z)
    check(r.rc == 2 and "z.flagged.jsonl.ids.json" in r.err, f"{r.rc} {r.err}")
    check(os.listdir(out) == ["z.flagged.jsonl.ids.json"], f"left: {os.listdir(out)}")
    check(not os.path.exists(rep), "no report either")


@S.test
def signal_leaves_nothing(c):
    # SIGINT while the subsets are being written (their temporaries are
    # there): exit 2, no subset, no temporary, no report
    import signal
    import subprocess
    import time
    from clitest import BIN
    big = os.path.join(c.tmp, "big.jsonl")
    rng = random.Random(2)
    with open(big, "w") as f:
        for i in range(100000):
            f.write(json.dumps({"text": " ".join(words(rng, 12))}) + "\n")
    out = os.path.join(c.tmp, "sig")
    rep = os.path.join(c.tmp, "sig.json")
    p = subprocess.Popen([BIN, "probe", c.ix, "-q", "--write-clean", out, "-o", rep, big],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = False
    t0 = time.time()
    while p.poll() is None and time.time() - t0 < 60:
        if os.path.isdir(out) and any(".tmp." in n for n in os.listdir(out)):
            seen = True
            break
        time.sleep(0.001)
    time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=60)[1].decode()
    check(seen, f"the temporaries were never seen (exit {p.returncode})")
    check(p.returncode == 2 and "interrupted" in err, f"{p.returncode} {err}")
    check(os.listdir(out) == [], f"left: {os.listdir(out)}")
    check(not [n for n in os.listdir(c.tmp) if n.startswith("sig.json")], "no report")


if __name__ == "__main__":
    sys.exit(S.run(setup))
