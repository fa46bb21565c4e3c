#!/usr/bin/env python3
"""test_cli_near_dup_probe.py -- contam probe --near-dup end to end (docs/NEARDUP.md).

A generated corpus (fixed seed) holds, as documents of their own, exact
copies of some benchmark passages and copies of others with their
sentences in another order; the rest of the benchmark is nowhere in it.
The index is built with --ngram 20 and --minhash: a passage's sentences are
19 words, so a copy whose sentences are reordered has no 20-gram inside a
sentence and the n-gram verdict misses most of it, while the shingles
inside its sentences (5 words) all survive.

  finds_shuffled      probe --near-dup: the reordered copies are near_dup
                      with bands > 0 and a Jaccard range (at least 90% of
                      them; measured: all), the unrelated passages are not
                      (none), the exact copies are near_dup and marked
                      contaminated by n-grams; per benchmark near_dup_only
                      counts the near-dups the n-gram verdict did not call
                      contaminated, the rates carry Wilson intervals, the
                      expected false near-dups follow the band rate
  unscored            an example with no 5-word sentence is
                      near_dup_unscored (null, not false) and counted
  refused             an index built without --minhash: exit 1, a message
                      naming --minhash, nothing on stdout
  unchanged           probe without --near-dup on the --minhash index: no
                      near-dup key, and the same report as on an index
                      built without --minhash (the index path apart)
  report_round_trip   contam report reads the keys back: md has the
                      near-dup columns, csv its rows, latex its table,
                      html its column and the list of near-dups with their
                      n-gram verdicts; a report without near-dup has none
  stderr_table        the table on stderr has the near-dup block
  suite               probe --suite --near-dup: the entry's examples carry
                      the near-dup keys, as a single probe's
  confirm             --confirm keeps the bands and recounts near_dup_only
                      with the exact verdicts
  template            shingles in most of a file's items (a shared stem) are
                      left out of the item sets: the items sharing only the
                      stem with a planted one are not near-dup (they are
                      with --no-templates)
  partitions          a --minhash partition set, and a streamed index, give
                      the whole index's near-dup answers
  python_binding      Index.probe(near_dup=True) when the binding is built
  min_bands           --near-dup-bands 2 on items sharing one or two of
                      four sentences with a corpus document (some match
                      exactly one band): an example with one band is not
                      near_dup and is counted in near_dup_one_band, those
                      with >= 2 keep their verdict; the rule is in
                      options, the benchmark's near_dup, the stderr table
                      and contam report's md; expected_false is
                      scored x P(Binomial(b, p) >= 2); --suite passes it on
  min_bands_default   without the option the rule is 1 (any band):
                      near_dup == bands > 0, near_dup_one_band counted
  min_bands_refused   N larger than b, 0, or without --near-dup: exit 1,
                      nothing written
  min_bands_python    Index.probe(near_dup=True, near_dup_bands=2) when
                      the binding is built: the CLI's verdicts

Ends with "N passed, N failed".
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN, Suite, check, contam  # noqa: E402

S = Suite("test_cli_near_dup_probe")
rng = random.Random(1717)
VOCAB = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
         for _ in range(4000)]
SENT = 19            # words per sentence: < the index's n (20)
NSENT = 6
N_EXACT, N_SHUF, N_UNREL = 8, 16, 24


def sentence(n=SENT):
    w = [rng.choice(VOCAB) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def setup(tmp):
    items = []
    for i in range(N_EXACT + N_SHUF + N_UNREL):
        items.append([sentence() for _ in range(NSENT)])
    bench = os.path.join(tmp, "passages.jsonl")
    with open(bench, "w") as f:
        for i, ss in enumerate(items):
            f.write(json.dumps({"id": f"p{i}", "passage": " ".join(ss)}) + "\n")
        # no sentence of 5 words: no shingle, no signature
        f.write(json.dumps({"id": "short", "passage": "Tiny one. Two words. Yes no."}) + "\n")
    os.makedirs(os.path.join(tmp, "corpus"))
    docs = []
    for i in range(N_EXACT):
        docs.append(" ".join(items[i]))
    for i in range(N_EXACT, N_EXACT + N_SHUF):
        ss = items[i][:]
        while ss == items[i]:
            rng.shuffle(ss)
        docs.append(" ".join(ss))
    for _ in range(120):
        docs.append(" ".join(sentence(rng.randint(8, 25)) for _ in range(rng.randint(5, 30))))
    rng.shuffle(docs)
    with open(os.path.join(tmp, "corpus", "c.jsonl"), "w") as f:
        for d in docs:
            f.write(json.dumps({"text": d}) + "\n")
    ctx = {"tmp": tmp, "bench": bench}
    ctx["mh"] = os.path.join(tmp, "mh.cidx")
    ctx["plain"] = os.path.join(tmp, "plain", "mh.cidx")
    os.makedirs(os.path.dirname(ctx["plain"]))
    contam("index", "-q", "--ngram", "20", "--minhash", "-o", ctx["mh"],
           os.path.join(tmp, "corpus")).expect(0)
    contam("index", "-q", "--ngram", "20", "-o", ctx["plain"],
           os.path.join(tmp, "corpus")).expect(0)
    ctx["r_nd"] = os.path.join(tmp, "nd.json")
    r = contam("probe", ctx["mh"], "--near-dup", "--field", "passage", "--id-field", "id",
               "-o", ctx["r_nd"], bench).expect(0)
    ctx["table"] = r.err
    with open(ctx["r_nd"]) as f:
        ctx["nd"] = json.load(f)
    return ctx


def by_id(report):
    return {e["id"]: e for e in report["examples"]}


@S.test
def finds_shuffled(c):
    rep = c["nd"]
    ex = by_id(rep)
    shuf = [ex[f"p{i}"] for i in range(N_EXACT, N_EXACT + N_SHUF)]
    exact = [ex[f"p{i}"] for i in range(N_EXACT)]
    unrel = [ex[f"p{i}"] for i in range(N_EXACT + N_SHUF, N_EXACT + N_SHUF + N_UNREL)]
    found = [e for e in shuf if e["near_dup"] is True and e["near_dup_bands"] > 0]
    S.note(f"reordered copies near-dup: {len(found)}/{len(shuf)}; n-gram contaminated: "
           f"{sum(e['verdict'] == 'contaminated' for e in shuf)}/{len(shuf)}; bands "
           f"{sorted(e['near_dup_bands'] for e in shuf)}")
    check(len(found) >= 0.9 * len(shuf), f"only {len(found)} of {len(shuf)} reordered copies found")
    # the n-gram verdict misses the reordered copies (what near-dup adds)
    missed = [e for e in found if e["verdict"] != "contaminated"]
    check(len(missed) >= len(found) // 2,
          f"the n-gram verdict called {len(found) - len(missed)} of {len(found)} "
          "reordered copies contaminated: the test's premise is gone")
    flagged_unrel = [e["id"] for e in unrel if e["near_dup"]]
    check(not flagged_unrel, f"unrelated passages flagged near-dup: {flagged_unrel}")
    for e in unrel:
        check(e["near_dup"] is False and e["near_dup_bands"] == 0, f"{e['id']}: {e}")
        check(e["near_dup_jaccard"][0] == 0, f"{e['id']}: no band, yet {e['near_dup_jaccard']}")
    for e in exact:
        check(e["verdict"] == "contaminated", f"exact copy {e['id']} is {e['verdict']}")
        check(e["near_dup"] is True and e["near_dup_bands"] > 0, f"exact copy {e['id']}: {e}")
    b = rep["index"]["minhash"]["bands"]
    rows = rep["index"]["minhash"]["rows"]
    for e in found + exact:
        lo, hi = e["near_dup_jaccard"]
        check(0 < lo <= hi <= 1, f"{e['id']}: Jaccard range {lo}, {hi}")
        sh = rep["index"]["minhash"]["shingle"]
        check(e["near_dup_shingles"] == NSENT * (SENT - sh + 1),
              f"{e['id']}: {e['near_dup_shingles']} shingles, expected "
              f"{NSENT * (SENT - sh + 1)} (inside sentences only)")
        check(1 <= e["near_dup_bands"] <= b, e)
        check(0 <= e["near_dup_chance"] < 1e-3, e)
    # more bands, a higher range
    full = [e for e in found + exact if e["near_dup_bands"] == b]
    one = [e for e in found + exact if e["near_dup_bands"] == 1]
    if full and one:
        check(full[0]["near_dup_jaccard"][0] > one[0]["near_dup_jaccard"][0], (full[0], one[0]))
    # the benchmark's counts are the examples'
    bm = rep["benchmarks"][0]
    nd = bm["near_dup"]
    exs = rep["examples"]
    scored = [e for e in exs if not e.get("near_dup_unscored")]
    check(nd["scored"] == len(scored) == len(exs) - 1, nd)
    check(nd["unscored"] == 1, nd)
    k = sum(1 for e in exs if e["near_dup"])
    only = sum(1 for e in exs if e["near_dup"] and e["verdict"] != "contaminated")
    unfl = sum(1 for e in exs if e["near_dup"] and e["verdict"] not in ("contaminated", "partial"))
    check(nd["near_dup"]["count"] == k and nd["near_dup"]["n"] == len(scored), nd)
    check(nd["near_dup_only"]["count"] == only and only >= len(missed), nd)
    check(nd["near_dup_unflagged"]["count"] == unfl, nd)
    for key in ("near_dup", "near_dup_only", "near_dup_unflagged"):
        r = nd[key]
        check(abs(r["rate"] - r["count"] / r["n"]) < 1e-5, r)
        check(0 <= r["ci95"][0] <= r["rate"] <= r["ci95"][1] <= 1 and r["ci95"][1] > r["ci95"][0], r)
    p = rep["index"]["minhash"]["band_fpr"]
    check(0 <= p < 0.01, f"band false-positive rate {p}")
    want = len(scored) * (1 - (1 - p) ** b)
    check(abs(nd["expected_false"] - want) <= 1e-6 + 1e-4 * want, (nd["expected_false"], want))
    check(nd["bands"] == b and nd["rows"] == rows, nd)
    check(rep["options"]["near_dup"] is True, rep["options"])
    mh = rep["index"]["minhash"]
    check(1 <= mh["shingle"] < SENT and mh["windows"] and mh["stride_div"] >= 1, mh)
    check(abs(mh["threshold"] - (1 / b) ** (1 / rows)) < 1e-5, mh)


@S.test
def unscored(c):
    e = by_id(c["nd"])["short"]
    check(e["near_dup"] is None and e["near_dup_unscored"] is True, e)
    check(e["near_dup_shingles"] == 0 and e["near_dup_jaccard"] is None, e)
    check("near_dup_unscored" in c["table"], c["table"])


@S.test
def refused(c):
    r = contam("probe", c["plain"], "--near-dup", "--field", "passage", c["bench"])
    r.expect(1)
    check("--minhash" in r.err and "minhash section" in r.err, r.err)
    check(r.out == "", r.out[:200])
    # the same through a suite
    suite = os.path.join(c["tmp"], "s.json")
    with open(suite, "w") as f:
        json.dump({"benchmarks": [{"name": "p", "paths": ["passages.jsonl"],
                                   "fields": ["passage"]}]}, f)
    r = contam("probe", c["plain"], "--near-dup", "--suite", suite, c["tmp"])
    r.expect(1)
    check("--minhash" in r.err, r.err)


def strip_path(rep, path):
    s = json.dumps(rep, sort_keys=True)
    return s.replace(json.dumps(path)[1:-1], "INDEX")


@S.test
def unchanged(c):
    a = os.path.join(c["tmp"], "a.json")
    b = os.path.join(c["tmp"], "b.json")
    contam("probe", "-q", c["mh"], "--field", "passage", "--id-field", "id", "-o", a,
           c["bench"]).expect(0)
    contam("probe", "-q", c["plain"], "--field", "passage", "--id-field", "id", "-o", b,
           c["bench"]).expect(0)
    ja, jb = json.load(open(a)), json.load(open(b))
    keys = set(ja["index"]) | set(ja["options"])
    for o in ja["benchmarks"] + ja["examples"]:
        keys |= set(o)
    check(not [k for k in keys if "near_dup" in k or "minhash" in k],
          "near-dup keys without --near-dup")
    # the n-gram filter is the same: every number but the index's path
    for rep in (ja, jb):
        rep["index"].pop("path")
    check(ja == jb, "a --minhash index probed without --near-dup reports otherwise")
    # and --near-dup changes no n-gram number
    nd = json.loads(json.dumps(c["nd"]))
    nd["index"].pop("path")
    nd["index"].pop("minhash")
    nd["options"].pop("near_dup")
    nd["options"].pop("near_dup_bands")  # the near_dup rule (--near-dup-bands)
    for bm in nd["benchmarks"]:
        bm.pop("near_dup")
    for e in nd["examples"]:
        for k in ("near_dup", "near_dup_bands", "near_dup_jaccard", "near_dup_shingles",
                  "near_dup_unscored", "near_dup_chance", "near_dup_template_shingles"):
            e.pop(k, None)
    check(nd == ja, "--near-dup changed the n-gram part of the report")
    c["plain_report"] = a


@S.test
def report_round_trip(c):
    md = contam("report", c["r_nd"]).expect(0).out
    head = md.splitlines()[0]
    check("| near-dup | near-dup only |" in head, head)
    row = [ln for ln in md.splitlines() if ln.startswith("| mh.cidx | passages |")]
    check(row, md[:600])
    bm = c["nd"]["benchmarks"][0]["near_dup"]
    check(f"| {bm['near_dup']['count']} (" in row[0], (row[0], bm["near_dup"]))
    check("near-dup (probe --near-dup)" in md, md[-800:])
    csv = contam("report", "--format", "csv", c["r_nd"]).expect(0).out
    lines = [ln for ln in csv.splitlines() if ",near_dup," in ln]
    check(len(lines) == 2, lines)
    check(lines[0].split(",")[5] == str(bm["near_dup"]["count"]), lines[0])
    check("1 of 49 examples have no shingle" in lines[0], lines[0])
    tex = contam("report", "--format", "latex", c["r_nd"]).expect(0).out
    check("tab:contam-near_dup-near-dup" in tex, tex[-400:])
    html = contam("report", "--format", "html", c["r_nd"]).expect(0).out
    check("<th>near-dup</th>" in html and "near_dup/near_dup" in html, "html without near-dup")
    k = bm["near_dup"]["count"]
    check(f"{k} near-dup examples listed, {bm['near_dup_only']['count']} of them not "
          "contaminated by n-grams" in html, "html: the near-dup list")
    prov = contam("report", "--provenance", c["r_nd"]).expect(0).out
    mh = c["nd"]["index"]["minhash"]
    check(f"; minhash b {mh['bands']}, r {mh['rows']}, shingle {mh['shingle']}, band fpr"
          in prov and "near_dup=true" in prov, prov[-600:])
    grid = contam("report", "--definition", "near_dup", c["r_nd"]).expect(0).out
    check("near-dup only: near-dup and not contaminated" in grid, grid[:400])
    # a report without near-dup results shows none of it
    plain = c.get("plain_report")
    if plain:
        for fmt in ("md", "csv", "latex", "html"):
            out = contam("report", "--format", fmt, plain).expect(0).out
            out = out.replace(c["tmp"], "TMP")  # its name has near_dup in it
            check("near-dup" not in out and "near_dup" not in out, f"{fmt}: near-dup shown")
    # mixed: a corpus without near-dup shows '-' in the near-dup columns
    if plain:
        mixed = contam("report", c["r_nd"], plain).expect(0).out
        check("near-dup" in mixed.splitlines()[0], mixed[:300])


@S.test
def stderr_table(c):
    t = c["table"]
    check("near-dup" in t and "near_dup_only" in t and "false-positive rate" in t, t)
    bm = c["nd"]["benchmarks"][0]
    line = [ln for ln in t.splitlines() if ln.startswith("passages") and "%" in ln]
    check(any(str(bm["near_dup"]["near_dup"]["count"]) in ln for ln in line), t)


@S.test
def suite(c):
    s = os.path.join(c["tmp"], "suite.json")
    with open(s, "w") as f:
        json.dump({"benchmarks": [{"name": "passages", "paths": ["passages.jsonl"],
                                   "fields": ["passage"], "id_field": "id"}]}, f)
    out = os.path.join(c["tmp"], "suite-nd.json")
    contam("probe", "-q", c["mh"], "--near-dup", "--suite", s, "-o", out, c["tmp"]).expect(0)
    with open(out) as f:
        rep = json.load(f)
    got = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in rep["examples"]}
    want = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in c["nd"]["examples"]}
    check(got == want, "the suite's near-dup verdicts differ from a single probe's")
    check(rep["benchmarks"][0]["near_dup"] == c["nd"]["benchmarks"][0]["near_dup"],
          rep["benchmarks"][0].get("near_dup"))


@S.test
def partitions(c):
    # a partition set (probed one partition at a time) and a streamed
    # index give the whole index's near-dup answers
    parts = []
    for i in range(2):
        parts.append(os.path.join(c["tmp"], f"p{i}.cidx"))
        contam("index", "-q", "--ngram", "20", "--minhash", "--partition", f"{i}/2", "-o",
               parts[-1], os.path.join(c["tmp"], "corpus")).expect(0)
    want = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in c["nd"]["examples"]}
    for args, env in (([",".join(parts)], None), ([c["mh"]], {"CONTAM_PROBE_PARTS": "stream"})):
        out = os.path.join(c["tmp"], "parts.json")
        contam("probe", "-q", *args, "--near-dup", "--field", "passage", "--id-field", "id",
               "-o", out, c["bench"], env=env).expect(0)
        with open(out) as f:
            rep = json.load(f)
        got = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in rep["examples"]}
        check(got == want, f"{args} {env}: near-dup answers differ from the whole index's")


@S.test
def confirm(c):
    # --confirm: the n-gram flags are checked exactly, the bands stay the
    # probe's, near_dup_only is recounted with the exact verdicts
    out = os.path.join(c["tmp"], "confirm.json")
    contam("probe", "-q", c["mh"], "--near-dup", "--field", "passage", "--id-field", "id",
           "-o", out, c["bench"], "--confirm", os.path.join(c["tmp"], "corpus")).expect(0)
    with open(out) as f:
        rep = json.load(f)
    got = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in rep["examples"]}
    want = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in c["nd"]["examples"]}
    check(got == want, "--confirm lost or changed near-dup answers")
    nd = rep["benchmarks"][0]["near_dup"]
    only = sum(1 for e in rep["examples"] if e["near_dup"] and e["verdict"] != "contaminated")
    check(nd["near_dup_only"]["count"] == only, (nd, only))
    check(rep["confirm"]["flagged"] > 0, rep["confirm"])


@S.test
def template(c):
    # 30 items share a long stem (the benchmark's template); one of them
    # is in the corpus.  The stem's shingles are in every item: they are
    # left out of the item sets, so the 29 absent items are not near-dup
    # for sharing the stem with the planted one.
    stem = " ".join(sentence() for _ in range(3))
    items = [stem + " " + sentence() for _ in range(30)]
    d = os.path.join(c["tmp"], "tmpl")
    os.makedirs(os.path.join(d, "corpus"))
    bench = os.path.join(d, "stems.jsonl")
    with open(bench, "w") as f:
        for i, t in enumerate(items):
            f.write(json.dumps({"id": f"s{i}", "text": t}) + "\n")
    with open(os.path.join(d, "corpus", "c.jsonl"), "w") as f:
        f.write(json.dumps({"text": items[0]}) + "\n")
        for _ in range(20):
            f.write(json.dumps({"text": " ".join(sentence() for _ in range(10))}) + "\n")
    ix = os.path.join(d, "t.cidx")
    contam("index", "-q", "--ngram", "20", "--minhash", "-o", ix, os.path.join(d, "corpus")).expect(0)
    out = os.path.join(d, "r.json")
    contam("probe", "-q", ix, "--near-dup", "--field", "text", "--id-field", "id", "-o", out,
           bench).expect(0)
    with open(out) as f:
        rep = json.load(f)
    nd = rep["benchmarks"][0]["near_dup"]
    sh = rep["index"]["minhash"]["shingle"]
    per_stem = 3 * (SENT - sh + 1)
    check(nd["template"]["distinct_shingles"] == per_stem, nd["template"])
    check(nd["template"]["shingles_excluded"] == 30 * per_stem, nd["template"])
    ex = by_id(rep)
    flagged = [e["id"] for e in rep["examples"] if e["near_dup"] and e["id"] != "s0"]
    check(not flagged, f"items sharing only the template flagged: {flagged}")
    for e in rep["examples"]:
        check(e["near_dup_template_shingles"] == per_stem, e)
        check(e["near_dup_shingles"] == SENT - sh + 1, e)
    S.note(f"template: planted item near-dup {ex['s0']['near_dup']} "
           f"({ex['s0']['near_dup_bands']} bands); absent ones flagged: {len(flagged)}/29")
    # --no-templates keeps the stem: then the absent items match the planted one
    contam("probe", "-q", ix, "--near-dup", "--no-templates", "--field", "text", "--id-field", "id",
           "-o", out, bench).expect(0)
    with open(out) as f:
        rep = json.load(f)
    flagged = [e["id"] for e in rep["examples"] if e["near_dup"] and e["id"] != "s0"]
    check(rep["benchmarks"][0]["near_dup"]["template"]["distinct_shingles"] == 0, rep["benchmarks"][0]["near_dup"])
    S.note(f"--no-templates: absent items flagged {len(flagged)}/29")
    check(len(flagged) > 0, "the template case does not test the rule: no absent item "
          "matches even with the stem")


@S.test
def python_binding(c):
    build = os.environ.get("MESON_BUILD_ROOT") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(BIN))))
    pydir = os.path.join(build, "python")
    # the binding is built only in some builds (not the sanitized one)
    pkg = os.path.join(pydir, "contam")
    if not os.path.isdir(pkg) or not any(
            f.startswith("_contam") and f.endswith(".so") and os.path.isfile(os.path.join(pkg, f))
            for f in os.listdir(pkg)):
        return "skip"
    code = ("import sys, json; sys.path[:0] = [%r]\n"
            "import contam\n"
            "out = []\n"
            "for path in (%r, %r):\n"
            "    if path.endswith('py.cidx'):\n"
            "        contam.build(path, [%r], ngram=20, minhash=True)\n"
            "    ix = contam.Index.open(path)\n"
            "    r = ix.probe(%r, fields=['passage'], id_field='id', near_dup=True)\n"
            "    out.append([[e['id'], e['near_dup'], e['near_dup_bands']] for e in r.examples])\n"
            "print(json.dumps(out))\n"
            % (pydir, c["mh"], os.path.join(c["tmp"], "py.cidx"),
               os.path.join(c["tmp"], "corpus"), c["bench"]))
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode and b"No module named" in p.stderr:
        return "skip"
    check(p.returncode == 0, p.stderr.decode()[-800:])
    runs = json.loads(p.stdout)
    want = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in c["nd"]["examples"]}
    got = {i: (nd, k) for i, nd, k in runs[0]}
    check(got == want, "the binding's near-dup verdicts differ from the CLI's")
    # contam.build(minhash=True) builds the section `index --minhash` builds
    got = {i: (nd, k) for i, nd, k in runs[1]}
    check(got == want, "near-dup verdicts on contam.build(minhash=True)'s index differ "
          "from those on `contam index --minhash`'s")
    check(any(nd for nd, _ in want.values()), "no near-dup to compare")


def python_dir():
    build = os.environ.get("MESON_BUILD_ROOT") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(BIN))))
    pydir = os.path.join(build, "python")
    pkg = os.path.join(pydir, "contam")
    if not os.path.isdir(pkg) or not any(
            f.startswith("_contam") and f.endswith(".so") and os.path.isfile(os.path.join(pkg, f))
            for f in os.listdir(pkg)):
        return None
    return pydir


def bands_case(c):
    """Items of 4 sentences whose corpus document holds 1 or 2 of them
    (the rest unrelated): partial overlaps, so some items match exactly
    one band (fixed seed; measured: 22 of 60 with one band, 22 with 2+)."""
    if "bands" in c:
        return c["bands"]
    r = random.Random(4242)
    sent = lambda: " ".join(r.choice(VOCAB) for _ in range(SENT)).capitalize() + "."  # noqa: E731
    items = [[sent() for _ in range(4)] for _ in range(60)]
    d = os.path.join(c["tmp"], "bands")
    os.makedirs(os.path.join(d, "corpus"))
    bench = os.path.join(d, "parts.jsonl")
    with open(bench, "w") as f:
        for i, it in enumerate(items):
            f.write(json.dumps({"id": f"b{i}", "text": " ".join(it)}) + "\n")
    with open(os.path.join(d, "corpus", "c.jsonl"), "w") as f:
        for i, it in enumerate(items):
            k = 1 + i % 2
            f.write(json.dumps({"text": " ".join(it[:k] + [sent() for _ in range(4 - k)])}) + "\n")
    ix = os.path.join(d, "b.cidx")
    contam("index", "-q", "--ngram", "20", "--minhash", "-o", ix, os.path.join(d, "corpus")).expect(0)
    outs = {}
    for n in (None, 2):
        out = os.path.join(d, f"r{n or 1}.json")
        r = contam("probe", ix, "--near-dup", *(["--near-dup-bands", str(n)] if n else []),
                   "--field", "text", "--id-field", "id", "-o", out, bench).expect(0)
        with open(out) as f:
            outs[n or 1] = (json.load(f), r.err, out)
    c["bands"] = {"dir": d, "bench": bench, "ix": ix, "r": outs}
    return c["bands"]


@S.test
def min_bands(c):
    bc = bands_case(c)
    rep1, _, _ = bc["r"][1]
    rep2, table2, path2 = bc["r"][2]
    e1, e2 = by_id(rep1), by_id(rep2)
    one = [i for i, e in e1.items() if e["near_dup_bands"] == 1]
    more = [i for i, e in e1.items() if e["near_dup_bands"] >= 2]
    S.note(f"--near-dup-bands 2: {len(one)} one-band examples, {len(more)} with 2+ of {len(e1)}")
    check(one and more, f"the case does not test the rule: one band {len(one)}, 2+ {len(more)}")
    for i in one:
        check(e1[i]["near_dup"] is True, e1[i])
        check(e2[i]["near_dup"] is False and e2[i]["near_dup_bands"] == 1, e2[i])
        check("near_dup_chance" not in e2[i], e2[i])
    for i in more:
        check(e2[i]["near_dup"] is True and e2[i]["near_dup_bands"] == e1[i]["near_dup_bands"], e2[i])
    for i, e in e2.items():
        check(e["near_dup"] == (e["near_dup_bands"] >= 2), e)
        # everything but the near-dup verdict is the default run's
        check(e["verdict"] == e1[i]["verdict"] and e["coverage"] == e1[i]["coverage"], (e, e1[i]))
    nd1, nd2 = rep1["benchmarks"][0]["near_dup"], rep2["benchmarks"][0]["near_dup"]
    check(nd2["near_dup"]["count"] == len(more), nd2["near_dup"])
    check(nd1["near_dup"]["count"] == len(more) + len(one), nd1["near_dup"])
    # the single-band examples stay visible whatever the rule
    for nd in (nd1, nd2):
        check(nd["near_dup_one_band"]["count"] == len(one) and
              nd["near_dup_one_band"]["n"] == nd["scored"], nd["near_dup_one_band"])
    only = sum(1 for e in e2.values() if e["near_dup"] and e["verdict"] != "contaminated")
    check(nd2["near_dup_only"]["count"] == only, nd2)
    check(nd2["min_bands"] == 2 and nd1["min_bands"] == 1, (nd1["min_bands"], nd2["min_bands"]))
    check("at least 2 of the 16" in nd2["rule"] or "at least 2 of the" in nd2["rule"], nd2["rule"])
    check(rep2["options"]["near_dup_bands"] == 2 and rep1["options"]["near_dup_bands"] == 1,
          (rep1["options"], rep2["options"]))
    # expected false near-dups for the rule: P(Binomial(b, p) >= 2)
    b = rep2["index"]["minhash"]["bands"]
    p = rep2["index"]["minhash"]["band_fpr"]
    tail = 1 - (1 - p) ** b - b * p * (1 - p) ** (b - 1)
    want = nd2["scored"] * tail
    check(want > 0 and abs(nd2["expected_false"] - want) <= 1e-3 * want + 1e-12,
          (nd2["expected_false"], want))
    check(nd2["expected_false"] < nd1["expected_false"] * 0.01, (nd1["expected_false"], nd2["expected_false"]))
    # the stderr table states the rule and the one-band count
    check("near_dup when at least 2 of the %d bands" % b in table2, table2)
    check(f"{len(one)} of {nd2['scored']} scored examples matched exactly one band" in table2, table2)
    # contam report: the md states the rule and the one-band count
    md = contam("report", path2).expect(0).out
    check("at least 2 of the example's MinHash bands" in md, md[-1500:])
    check(f"near-dup on exactly one band" in md and f": {len(one)} of {nd2['scored']}" in md, md[-1500:])
    # --suite passes it on
    s = os.path.join(bc["dir"], "suite.json")
    with open(s, "w") as f:
        json.dump({"benchmarks": [{"name": "parts", "paths": ["parts.jsonl"],
                                   "fields": ["text"], "id_field": "id"}]}, f)
    out = os.path.join(bc["dir"], "suite2.json")
    contam("probe", "-q", bc["ix"], "--near-dup", "--near-dup-bands", "2", "--suite", s,
           "-o", out, bc["dir"]).expect(0)
    with open(out) as f:
        rs = json.load(f)
    got = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in rs["examples"]}
    check(got == {i: (e["near_dup"], e["near_dup_bands"]) for i, e in e2.items()},
          "--suite --near-dup-bands 2 differs from a single probe's")
    check(rs["benchmarks"][0]["near_dup"]["min_bands"] == 2 and rs["options"]["near_dup_bands"] == 2,
          rs["options"])


@S.test
def min_bands_default(c):
    # the default rule is any band, in the main fixture and the bands case
    for rep in (c["nd"], bands_case(c)["r"][1][0]):
        for e in rep["examples"]:
            if not e.get("near_dup_unscored"):
                check(e["near_dup"] == (e["near_dup_bands"] > 0), e)
        nd = rep["benchmarks"][0]["near_dup"]
        ones = sum(1 for e in rep["examples"] if e["near_dup_bands"] == 1)
        check(nd["near_dup_one_band"]["count"] == ones and nd["min_bands"] == 1, nd)
        check(rep["options"]["near_dup_bands"] == 1, rep["options"])
    check("near_dup when at least 1 of the" in c["table"] and "any band" in c["table"], c["table"])


@S.test
def min_bands_refused(c):
    bc = bands_case(c)
    out = os.path.join(bc["dir"], "refused.json")
    for args, msg in ((["--near-dup", "--near-dup-bands", "17"], "only 16 bands"),
                      (["--near-dup", "--near-dup-bands", "0"], "positive number"),
                      (["--near-dup", "--near-dup-bands", "x"], "positive number"),
                      (["--near-dup-bands", "2"], "give --near-dup")):
        r = contam("probe", bc["ix"], *args, "--field", "text", "-o", out, bc["bench"])
        r.expect(1)
        check(msg in r.err, (args, r.err))
        check(not os.path.exists(out), f"{args}: {out} written")


@S.test
def min_bands_python(c):
    pydir = python_dir()
    if not pydir:
        return "skip"
    bc = bands_case(c)
    code = ("import sys, json; sys.path[:0] = [%r]\n"
            "import contam\n"
            "ix = contam.Index.open(%r)\n"
            "r = ix.probe(%r, fields=['text'], id_field='id', near_dup=True, near_dup_bands=2)\n"
            "print(json.dumps([[e['id'], e['near_dup'], e['near_dup_bands']] for e in r.examples]))\n"
            "try:\n"
            "    ix.probe(%r, fields=['text'], near_dup=True, near_dup_bands=17)\n"
            "    print('accepted')\n"
            "except contam.ParamError as e:\n"
            "    print('refused', e)\n"
            % (pydir, bc["ix"], bc["bench"], bc["bench"]))
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode and b"No module named" in p.stderr:
        return "skip"
    check(p.returncode == 0, p.stderr.decode()[-800:])
    lines = p.stdout.decode().splitlines()
    got = {i: (nd, k) for i, nd, k in json.loads(lines[0])}
    want = {e["id"]: (e["near_dup"], e["near_dup_bands"]) for e in bc["r"][2][0]["examples"]}
    check(got == want, "the binding's --near-dup-bands 2 verdicts differ from the CLI's")
    check(lines[1].startswith("refused") and "16 bands" in lines[1], lines[1:])


if __name__ == "__main__":
    sys.exit(S.run(setup))
