#!/usr/bin/env python3
"""test_cli_report.py -- the report end to end: every definition with Wilson
intervals, expected false verdicts, --null-control, the question/answer
split, evidence spans, --write-clean, and `contam report` in every format
(md, latex, csv, html, conda; one report and a benchmark x corpus grid).

Runs on the synthetic corpus of scripts/gen_testdata.py; the GSM8K
write-clean check uses ../shared/data when it exists (skipped otherwise);
the HTML is screenshotted in headless Chromium when /usr/bin/chromium
exists (skipped otherwise).
"""
import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from clitest import SHARED, Suite, check, contam, load_generator

suite = Suite("test_cli_report")


def setup(tmp):
    gen = load_generator()
    summary = gen.build(tmp, seed=7, ndocs=160)
    ctx = {"tmp": tmp, "bench": os.path.join(tmp, "bench"), "expected": summary["expected"]}
    ctx["ix8"] = os.path.join(tmp, "c8.cidx")
    ctx["ix13"] = os.path.join(tmp, "c13.cidx")
    contam("index", "-o", ctx["ix8"], os.path.join(tmp, "corpus")).expect(0)
    contam("index", "--ngram", "13", "-o", ctx["ix13"], os.path.join(tmp, "corpus")).expect(0)
    ctx["r8"] = os.path.join(tmp, "r8.json")
    ctx["clean"] = os.path.join(tmp, "clean")
    # demo.jsonl and demo.csv are one benchmark on purpose (--name): files
    # named alike are no longer merged by default
    contam("probe", ctx["ix8"], "--name", "demo", "--id-field", "id", "--question-field", "question",
           "--answer-field", "answer", "--null-control", "--write-clean", ctx["clean"],
           "-q", "-o", ctx["r8"], os.path.join(ctx["bench"], "demo.jsonl"),
           os.path.join(ctx["bench"], "demo.csv")).expect(0)
    ctx["r13"] = os.path.join(tmp, "r13.json")
    contam("probe", ctx["ix13"], "--id-field", "id", "-q", "-o", ctx["r13"],
           os.path.join(ctx["bench"], "demo.jsonl")).expect(0)
    return ctx


def is_rate(r):
    return (isinstance(r, dict) and set(r) >= {"count", "n", "rate", "ci95"}
            and len(r["ci95"]) == 2 and 0 <= r["ci95"][0] <= r["rate"] + 1e-9
            and r["rate"] <= r["ci95"][1] + 1e-9 <= 1 + 1e-9)


def rates_in(obj, path=""):
    """Every rate object inside obj, with its path."""
    out = []
    if isinstance(obj, dict):
        if {"count", "n", "rate"} <= set(obj):
            out.append((path, obj))
        else:
            for k, v in obj.items():
                out += rates_in(v, path + "." + k)
    return out


@suite.test
def definitions_and_intervals(ctx):
    r = json.load(open(ctx["r8"]))
    check(r["report_version"] == 1, "report_version")
    b = r["benchmarks"][0]
    for key in ("name", "sources", "examples", "contaminated", "partial", "clean",
                "too_short", "contaminated_rate"):
        check(key in b, f"contract field {key} missing")
    d = b["definitions"]
    for name in ("contam", "gpt3", "palm", "llama2", "longest"):
        check(d[name]["available"] is True, f"{name} available with 8-grams")
    for path, rate in rates_in(b):
        check(is_rate(rate), f"bad rate at {path}: {rate}")
    check(len(rates_in(b)) >= 14, "rates missing")
    for m in ("clean", "not_clean", "not_dirty", "dirty"):
        check(is_rate(d["llama2"][m]), f"llama2 {m}")
    check(d["llama2"]["clean"]["count"] + d["llama2"]["not_clean"]["count"] +
          d["llama2"]["too_short"] == b["examples"], "llama2 clean + not_clean + too_short = all")
    check(d["llama2"]["too_short"] == b["too_short"], "llama2 too_short = the benchmark's")
    check(d["gpt3"]["run_of_hits"] == 6, "13 tokens = 6 8-gram hits")
    # the verbatim items are contaminated under every definition
    ex = {e["id"]: e for e in r["examples"] if e["source"].endswith(".jsonl")}
    for eid, exp in ctx["expected"].items():
        e = ex[eid]
        defs = e["definitions"]
        check(defs["contam"] == e["verdict"], "definitions.contam = verdict")
        check(defs["longest"] == e["longest"], "definitions.longest")
        if exp["mode"] == "verbatim":
            check(defs["gpt3"] and defs["palm"] and defs["llama2"]["bucket"] == "dirty",
                  f"{eid} verbatim: {defs}")
        if exp["mode"] == "absent":
            check(not defs["gpt3"] and not defs["palm"] and defs["llama2"]["bucket"] == "clean",
                  f"{eid} absent: {defs}")
    # hand check of the Wilson interval of the contaminated rate
    k, n = b["contaminated"], b["examples"]
    z = 1.959963984540054
    c = (k + z * z / 2) / (n + z * z)
    h = z / (n + z * z) * ((k * (n - k) / n + z * z / 4) ** 0.5)
    lo, hi = d["contam"]["contaminated"]["ci95"]
    check(abs(lo - (c - h)) < 1e-5 and abs(hi - (c + h)) < 1e-5, "Wilson interval")
    ef = d["contam"]["expected_false_contaminated"]
    check(0 <= ef < 1e-3 and ef == b["expected_false_contaminated"], f"expected false {ef}")
    check(d["contam"]["expected_false_flagged"] >= ef, "flagged >= contaminated")
    check(sum(b["coverage_histogram"]) == b["scored"], "histogram sums to scored")


@suite.test
def unavailable_definitions(ctx):
    r = json.load(open(ctx["r13"]))
    d = r["benchmarks"][0]["definitions"]
    check(d["palm"] == {"available": False, "why": d["palm"]["why"]} and "8-gram" in d["palm"]["why"],
          f"palm with 13-grams: {d['palm']}")
    check(d["llama2"]["available"] is False and d["llama2"]["why"], "llama2 with 13-grams")
    check(d["gpt3"]["available"] is True and d["gpt3"]["run_of_hits"] == 1, "gpt3 with 13-grams")
    e = r["examples"][0]["definitions"]
    check(e["palm"] is None and e["llama2"]["bucket"] is None, f"example palm/llama2 null: {e}")


@suite.test
def null_control(ctx):
    r = json.load(open(ctx["r8"]))
    nc = r["benchmarks"][0]["null_control"]
    check(nc["examples"] == r["benchmarks"][0]["scored"], "null examples")
    # shuffled filler-free items are not in the corpus
    check(nc["contaminated"]["count"] == 0 and nc["flagged"]["count"] == 0, f"null {nc}")
    check(is_rate(nc["gpt3"]), "null gpt3 rate")
    # deterministic: the same probe twice gives the same report
    out = os.path.join(ctx["tmp"], "again.json")
    contam("probe", ctx["ix8"], "--name", "demo", "--id-field", "id", "--question-field", "question",
           "--answer-field", "answer", "--null-control", "-q", "-o", out,
           os.path.join(ctx["bench"], "demo.jsonl"), os.path.join(ctx["bench"], "demo.csv")).expect(0)
    check(json.load(open(out))["benchmarks"] == r["benchmarks"], "null control not deterministic")


def splitmix_shuffle(text, record):
    """The probe's null-control shuffle, recomputed by hand."""
    mask = (1 << 64) - 1
    state = 0x636F6E74616D0001 ^ ((record * 0x9E3779B97F4A7C15) & mask)
    words = text.split()
    for i in range(len(words), 1, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        j = (z ^ (z >> 31)) % i
        words[i - 1], words[j] = words[j], words[i - 1]
    return " ".join(words)


@suite.test
def null_control_hand_computed(ctx):
    """A corpus holding the shuffled copy of record 1 (computed here):
    the null control finds exactly that one, the original finds none."""
    tmp = ctx["tmp"]
    texts = ["alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike",
             "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
             "red orange yellow green blue indigo violet black white grey pink brown gold"]
    bench = os.path.join(tmp, "null.txt")
    with open(bench, "w") as f:
        f.write("\n".join(texts) + "\n")
    corpus = os.path.join(tmp, "null_corpus.txt")
    with open(corpus, "w") as f:
        f.write(splitmix_shuffle(texts[1], 1) + "\n")
    ix = os.path.join(tmp, "null.cidx")
    contam("index", "-o", ix, corpus).expect(0)
    r = contam("probe", ix, "--null-control", "-q", bench).expect(0).json()
    b = r["benchmarks"][0]
    check(b["contaminated"] == 0, f"originals are not in the corpus: {b}")
    check(b["null_control"]["contaminated"]["count"] == 1 and
          b["null_control"]["examples"] == 3, f"null control: {b['null_control']}")


@suite.test
def question_answer(ctx):
    r = json.load(open(ctx["r8"]))
    ex = {e["id"]: e for e in r["examples"] if e["source"].endswith(".jsonl")}
    items = {}
    with open(os.path.join(ctx["bench"], "demo.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                items[o["id"]] = o
    for eid, exp in ctx["expected"].items():
        qa = ex[eid]["qa"]
        check(qa["question_tokens"] + qa["answer_tokens"] == ex[eid]["tokens"], "qa tokens")
        if exp["mode"] == "verbatim":
            check(qa["label"] == "question_answer_contaminated", f"{eid}: {qa}")
        if exp["mode"] == "absent":
            check(qa["label"] == "clean", f"{eid}: {qa}")
        if exp["mode"] == "half":
            # the first half of the words: the question, not the answer
            check(qa["label"] == "question_contaminated" and qa["answer_coverage"] < 0.2,
                  f"{eid}: {qa}")
    qa = r["benchmarks"][0]["question_answer"]
    check(sum(v["count"] for v in qa.values()) == r["benchmarks"][0]["examples"], "qa labels sum")
    res = contam("probe", ctx["ix8"], "--question-field", "question", ctx["bench"] + "/demo.jsonl")
    res.expect(1)
    res = contam("probe", ctx["ix8"], "--field", "question", "--question-field", "question",
                 "--answer-field", "answer", ctx["bench"] + "/demo.jsonl")
    res.expect(1)


@suite.test
def evidence(ctx):
    r = json.load(open(ctx["r8"]))
    items = {}
    with open(os.path.join(ctx["bench"], "demo.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                items[o["id"]] = (o["question"] + "\n" + o["answer"]).encode("utf-8")
    seen = 0
    for e in r["examples"]:
        flagged = e["verdict"] in ("partial", "contaminated")
        check(flagged == bool(e.get("evidence")), f"evidence iff flagged: {e['id']}")
        if not flagged or not e["source"].endswith(".jsonl"):
            continue
        ev = e["evidence"]
        check(1 <= len(ev) <= 3, "up to 3 spans")
        lens = [s["tokens"][1] - s["tokens"][0] for s in ev]
        check(lens == sorted(lens, reverse=True), "longest first")
        check(lens[0] == e["longest"], "first span is the longest match")
        for s in ev:
            b0, b1 = s["bytes"]
            check(items[e["id"]][b0:b1].decode("utf-8") == s["text"], "span text = bytes")
            seen += 1
    check(seen > 10, "evidence spans checked")


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    return [l for l in data.split(b"\n") if l.strip()]


@suite.test
def write_clean_demo(ctx):
    r = json.load(open(ctx["r8"]))
    for ext in ("jsonl", "csv"):
        orig = records(os.path.join(ctx["bench"], "demo." + ext))
        clean = records(os.path.join(ctx["clean"], "demo.clean." + ext))
        flagged = records(os.path.join(ctx["clean"], "demo.flagged." + ext))
        if ext == "csv":
            check(clean[0] == orig[0] and flagged[0] == orig[0], "header kept")
            orig, clean, flagged = orig[1:], clean[1:], flagged[1:]
        check(sorted(clean + flagged) == sorted(orig), f"{ext}: clean + flagged != original")
        src = [e for e in r["examples"] if e["source"].endswith("." + ext)]
        nflag = sum(e["verdict"] in ("partial", "contaminated") for e in src)
        if ext == "jsonl":
            check(len(flagged) == nflag, "flagged count")
            ids = {json.loads(l)["id"] for l in flagged}
            want = {e["id"] for e in src if e["verdict"] in ("partial", "contaminated")}
            check(ids == want, "flagged ids")


@suite.test
def write_clean_gsm8k(ctx):
    test = os.path.join(SHARED, "benchmarks", "gsm8k", "test.jsonl")
    if not os.path.exists(test):
        return "skip"
    tmp = ctx["tmp"]
    with open(test, "rb") as f:
        lines = f.read().split(b"\n")
    lines = [l for l in lines if l.strip()]
    # a corpus holding the first 100 questions
    corpus = os.path.join(tmp, "gsm_corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for l in lines[:100]:
            f.write(json.dumps({"text": json.loads(l)["question"]}) + "\n")
    ix = os.path.join(tmp, "gsm.cidx")
    contam("index", "-o", ix, corpus).expect(0)
    out = os.path.join(tmp, "gsm_clean")
    contam("probe", ix, "--field", "question", "--write-clean", out, "-q", "-o",
           os.path.join(tmp, "gsm.json"), test).expect(0)
    with open(test, "rb") as f:
        orig = f.read()
    with open(os.path.join(out, "test.clean.jsonl"), "rb") as f:
        clean = f.read()
    with open(os.path.join(out, "test.flagged.jsonl"), "rb") as f:
        flagged = f.read()
    check(sorted(clean.splitlines()) + [] and
          sorted(clean.splitlines() + flagged.splitlines()) == sorted(orig.splitlines()),
          "gsm8k: clean + flagged != original")
    check(len(clean) + len(flagged) == len(orig) + (0 if orig.endswith(b"\n") else 1),
          "gsm8k: byte count")
    nflag = len(flagged.splitlines())
    check(100 <= nflag <= 110, f"gsm8k: {nflag} flagged, expected the 100 indexed")
    check(flagged.splitlines()[:100] == orig.splitlines()[:100], "flagged are the indexed ones")


def render(ctx, fmt, *reports):
    out = os.path.join(ctx["tmp"], "out." + fmt)
    contam("report", *reports, "--format", fmt, "-o", out).expect(0)
    with open(out, encoding="utf-8") as f:
        return f.read()


@suite.test
def report_formats(ctx):
    both = (ctx["r8"], ctx["r13"])
    md = render(ctx, "md", *both)
    check(md.startswith("| corpus | benchmark |") and "benchmark x corpus" in md, "md grid")
    check("c8.cidx" in md and "c13.cidx" in md and "n/a" in md, "md cells")
    tex = render(ctx, "latex", *both)
    check("\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex, "booktabs")
    body = re.sub(r"\\[a-zA-Z]+(\{\})?|\\[&%$#_{}]", "", tex)
    body = "\n".join(l for l in body.splitlines() if not l.startswith("%"))
    check(not re.search(r"(?<!\\)[%#_]", body), "unescaped LaTeX special characters")
    text = render(ctx, "csv", *both)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(len({len(r) for r in rows}) == 1 and len(rows) > 20, "CSV column count constant")
    defs = {(r[0], r[2]) for r in rows[1:]}
    for d in ("contam", "gpt3", "palm", "llama2", "longest"):
        check(("c8.cidx", d) in defs and ("c13.cidx", d) in defs, f"csv rows for {d}")
    palm13 = [r for r in rows if r[0] == "c13.cidx" and r[2] == "palm"][0]
    check(palm13[4] == "false" and palm13[7] == "", "unavailable has no number")
    conda = render(ctx, "conda", *both).splitlines()
    check(conda[0] == "Evaluation Dataset;Subset;Contaminated Source;Model or corpus;"
          "Train Split;Development Split;Test Split;Approach;Reference;PR", "conda header")
    check(all(l.count(";") == 9 for l in conda) and len(conda) == 3, "conda rows")
    html = render(ctx, "html", *both)
    check(html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 4, "html charts")
    stripped = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    check(not re.search(r"https?:|src=|href=|@import|url\(", stripped), "html makes no requests")
    check("<script" not in html, "no scripts")


@suite.test
def latex_escaping_names(ctx):
    out = os.path.join(ctx["tmp"], "odd.json")
    contam("probe", ctx["ix8"], "--name", "a_b&c%d$e#f{g}h~i^j\\k", "-q", "-o", out,
           os.path.join(ctx["bench"], "demo.jsonl")).expect(0)
    tex = render(ctx, "latex", out).replace("\\allowbreak\\hspace{0pt}", "")  # break points in names
    check("a\\_b\\&c\\%d\\$e\\#f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j"
          "\\textbackslash{}k" in tex, "benchmark name escaped")
    rows = list(csv.reader(io.StringIO(render(ctx, "csv", out), newline="")))
    check(rows[1][1] == "a_b&c%d$e#f{g}h~i^j\\k", "csv round trip")


@suite.test
def report_errors(ctx):
    contam("report", "--format", "pdf", ctx["r8"]).expect(1)
    contam("report").expect(1)
    contam("report", os.path.join(ctx["tmp"], "missing.json")).expect(2)
    bad = os.path.join(ctx["tmp"], "bad.json")
    with open(bad, "w") as f:
        f.write('{"hello": 1}')
    contam("report", bad).expect(2)
    with open(bad, "w") as f:
        f.write('{"report_version": 1, "benchmarks": [')
    contam("report", bad).expect(2)


def png_nonblank(path):
    """Decode a PNG (stdlib zlib) and tell whether it has >= 2 colours."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, w, h, ct = 8, b"", 0, 0, 0
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ct = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    # distinct filtered bytes are a cheap proxy: a blank page compresses to
    # rows of identical bytes
    rows = {raw[i:i + 1 + w * 3] for i in range(0, min(len(raw), 400 * (1 + w * 4)), 1 + w * 4)}
    return len(set(raw)) > 8 and len(rows) > 2


@suite.test
def html_in_chromium(ctx):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if not chromium:
        return "skip"
    render(ctx, "html", ctx["r8"], ctx["r13"])
    page = os.path.join(ctx["tmp"], "out.html")
    png = os.path.join(ctx["tmp"], "out.png")
    profile = tempfile.mkdtemp(prefix="contam-chromium-")
    try:
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                            f"--screenshot={png}", "--window-size=1200,900",
                            "file://" + page], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    check(os.path.exists(png), f"no screenshot: {p.stderr[-500:]!r}")
    check(png_nonblank(png), "screenshot is blank")


if __name__ == "__main__":
    sys.exit(suite.run(setup))
