#!/usr/bin/env python3
"""test_report_agree.py -- one meaning per column: md, LaTeX, CSV and HTML
rendered from one report set carry the same numbers, and those are the
JSON's: per corpus x benchmark x definition the count, n, rate, Wilson
interval, the expected false verdicts of THAT definition and its null
control; "partial" is partial only and "partial+" partial or
contaminated everywhere; corpora are named by their label.

Report set: reports in the published schema (report_fixtures.py), some
split one per benchmark (merged into their corpus's column), and real
probe runs on the generated corpus (8-grams with --null-control, and
13-grams, where PaLM and Llama 2 are n/a)."""
import csv
import html
import io
import json
import math
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam, load_generator  # noqa: E402
import report_fixtures  # noqa: E402

suite = Suite("test_report_agree")

# title in md/html, CSV definition and measure, JSON place
MEASURES = [
    ("contaminated", "contam", "contaminated", "contam", "contaminated", "expected_false_contaminated", "contaminated"),
    ("partial", "contam", "partial", "contam", "partial", None, "partial"),
    ("partial+", "contam", "partial+", "contam", "flagged", "expected_false_flagged", "flagged"),
    ("GPT-3 (13-token span)", "gpt3", "contaminated", "gpt3", "contaminated", "expected_false", "gpt3"),
    ("PaLM (70% of 8-grams)", "palm", "contaminated", "palm", "contaminated", "expected_false", "palm"),
    ("Llama 2 dirty", "llama2", "dirty", "llama2", "dirty", "expected_false_dirty", "llama2_dirty"),
    ("Llama 2 not clean", "llama2", "not_clean", "llama2", "not_clean", "expected_false_not_clean", "llama2_not_clean"),
]


def setup(tmp):
    fx = os.path.join(tmp, "fx")
    os.makedirs(fx)
    paths, _ = report_fixtures.write_set(fx, 6, 2, split=True)
    gen = load_generator()
    gen.build(os.path.join(tmp, "gen"), seed=11, ndocs=120)
    g = os.path.join(tmp, "gen")
    contam("index", "-q", "-o", os.path.join(tmp, "g8.cidx"), os.path.join(g, "corpus")).expect(0)
    contam("index", "-q", "--ngram", "13", "-o", os.path.join(tmp, "g13.cidx"),
           os.path.join(g, "corpus")).expect(0)
    r8, r13 = os.path.join(tmp, "r8.json"), os.path.join(tmp, "r13.json")
    contam("probe", "-q", os.path.join(tmp, "g8.cidx"), "--label", "generated, 8-grams",
           "--null-control", "--field", "question", "--field", "answer",
           os.path.join(g, "bench", "demo.jsonl"), "-o", r8).expect(0)
    contam("probe", "-q", os.path.join(tmp, "g13.cidx"), "--field", "question",
           os.path.join(g, "bench", "demo.jsonl"), "-o", r13).expect(0)
    paths += [r8, r13]
    return {"tmp": tmp, "paths": paths}


def expected(ctx):
    """{(corpus, bench, title): dict} from the JSON files."""
    want = {}
    for p in ctx["paths"]:
        r = json.load(open(p))
        corpus = r.get("label") or os.path.basename(r["index"]["path"])
        for b in r["benchmarks"]:
            for title, _, _, obj, key, ef, nk in MEASURES:
                d = b["definitions"][obj]
                if d.get("available") is False:
                    want[(corpus, b["name"], title)] = None
                    continue
                e = dict(d[key])
                e["ef"] = d.get(ef) if ef else None
                nc = b.get("null_control")
                e["null"] = nc.get(nk) if nc else None
                want[(corpus, b["name"], title)] = e
    return want


def pct_matches(text, value):
    """'12.34' is value (a fraction) in percent, rounded at the printed
    decimals."""
    dec = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - round(100 * value, dec)) < 10 ** -dec / 2 + 1e-9


def check_rate(where, text, e, pct=""):
    m = re.fullmatch(r"([0-9.]+)%s \[([0-9.]+), ([0-9.]+)\]" % re.escape(pct), text.strip())
    check(m, f"{where}: not a rate with interval: {text!r}")
    r, lo, hi = m.groups()
    check(pct_matches(r, e["rate"]) and pct_matches(lo, e["ci95"][0]) and pct_matches(hi, e["ci95"][1]),
          f"{where}: {text!r} vs JSON {e['rate']} {e['ci95']}")
    dec = {len(x.split(".")[1]) for x in (r, lo, hi)}
    check(len(dec) == 1, f"{where}: one precision in {text!r}")
    return text.strip()


def check_ef(where, text, e):
    text = text.strip().strip("$")
    if e["ef"] is None:
        check(text in ("-", "&ndash;", "–", "--"), f"{where}: no expected false for partial only: {text!r}")
    elif e["ef"] < 0.01:
        check(text == "<0.01", f"{where}: {text!r} vs {e['ef']}")
    else:
        check(text == "%.2f" % e["ef"], f"{where}: {text!r} vs {e['ef']}")


def md_table_rows(md, first_header):
    lines = md.splitlines()
    i = next(i for i, l in enumerate(lines) if l.startswith(first_header))
    header = [c.strip() for c in lines[i].strip("|").split("|")]
    rows = []
    for l in lines[i + 2:]:
        if not l.startswith("|"):
            break
        rows.append([c.strip() for c in l.strip().strip("|").split(" | ")])
    return header, rows


@suite.test
def csv_is_the_json(ctx):
    want = expected(ctx)
    out = contam("report", "--format", "csv", *ctx["paths"]).expect(0).out
    rows = list(csv.DictReader(io.StringIO(out)))
    seen = 0
    for title, d, m, *_ in MEASURES:
        for (corpus, bench, t), e in want.items():
            if t != title:
                continue
            row = [r for r in rows if (r["corpus"], r["benchmark"], r["definition"], r["measure"]) ==
                   (corpus, bench, d, m)]
            check(len(row) == 1, f"csv row {corpus}/{bench}/{d}/{m}: {len(row)}")
            row = row[0]
            if e is None:
                check(row["available"] == "false" and row["rate"] == "", f"n/a row {row}")
                continue
            seen += 1
            for k in ("count", "n", "rate"):
                check(float(row[k]) == float("%.6g" % e[k]), f"csv {k} {row} vs {e}")
            check(float(row["ci95_low"]) == e["ci95"][0] and float(row["ci95_high"]) == e["ci95"][1],
                  f"csv interval {row}")
            if e["ef"] is None:
                check(row["expected_false"] == "", f"partial has no expected false: {row}")
            else:
                check(math.isclose(float(row["expected_false"]), e["ef"], rel_tol=1e-5), f"csv ef {row} vs {e['ef']}")
            if e["null"]:
                check(float(row["null_rate"]) == e["null"]["rate"] and
                      float(row["null_count"]) == e["null"]["count"], f"csv null {row} vs {e['null']}")
            else:
                check(row["null_rate"] == "", f"no null control: {row}")
    check(seen > 50, f"checked {seen} rows")


@suite.test
def md_details_and_summary(ctx):
    want = expected(ctx)
    md = contam("report", *ctx["paths"]).expect(0).out
    header, rows = md_table_rows(md, "| corpus | benchmark | definition |")
    shown = {}
    for r in rows:
        corpus, bench, title, count, n, rate, ef, null = r
        e = want[(corpus, bench, title)]
        where = f"md {corpus}/{bench}/{title}"
        if e is None:
            check(rate == "n/a" and count == "n/a", f"{where}: n/a, got {r}")
            continue
        check(int(count) == e["count"] and int(n) == e["n"], f"{where}: {count}/{n} vs {e}")
        shown[(corpus, bench, title)] = check_rate(where, rate, e)
        check_ef(where, ef, e)
        if e["null"]:
            check_rate(where + " null", null, e["null"])
        else:
            check(null == "-", f"{where}: null not probed: {null}")
    check(set(shown) == {k for k, v in want.items() if v}, "every measure in the md details")
    header, rows = md_table_rows(md, "| corpus | benchmark | examples |")
    titles = header[3:]
    check(titles == [m[0] for m in MEASURES], f"md summary columns {titles}")
    for r in rows:
        for title, cell in zip(titles, r[3:]):
            e = want[(r[0], r[1], title)]
            if e is None:
                check(cell == "n/a", f"md summary n/a {cell}")
                continue
            m = re.fullmatch(r"(\d+) \((.*)\)", cell)
            check(m and int(m.group(1)) == e["count"], f"md summary count {cell} vs {e['count']}")
            check(check_rate("md summary", m.group(2), e, "%") .replace("%", "") ==
                  shown[(r[0], r[1], title)], f"md summary and details agree: {cell}")
    ctx["md_shown"] = shown


def same_rounded(a, b):
    """Do two renderings of one rate and interval ("8.19 [6.83, 9.79]",
    "8.2 [6.8, 9.8]") agree to within half a last digit of each?"""
    xa, xb = re.findall(r"[0-9.]+", a), re.findall(r"[0-9.]+", b)
    if len(xa) != len(xb):
        return False
    def half_ulp(s):
        return 0.5 * 10 ** -(len(s.split(".")[1]) if "." in s else 0)
    return all(abs(float(p) - float(q)) <= half_ulp(p) + half_ulp(q) + 1e-12
               for p, q in zip(xa, xb))


@suite.test
def latex_cells(ctx):
    want = expected(ctx)
    shown = ctx.get("md_shown") or {}
    tex = contam("report", "--format", "latex", "--definition", "contam,gpt3,palm,llama2",
                 *ctx["paths"]).expect(0).out
    tables = tex.split("\\begin{table}")[1:]
    # a long grid is split into "(continued)" tables: each names its rule
    rules = [("\\caption{contam contaminated", "contaminated"), ("\\caption{contam partial+", "partial+"),
             ("\\caption{GPT-3", "GPT-3 (13-token span)"), ("\\caption{PaLM", "PaLM (70% of 8-grams)"),
             ("\\caption{Llama 2 dirty", "Llama 2 dirty"), ("\\caption{Llama 2 not clean", "Llama 2 not clean")]
    titles = [next(title for cap, title in rules if cap in t) for t in tables]
    check(set(titles) == {t for _, t in rules}, f"a table for every measure: {titles}")
    checked = 0
    for title, t in zip(titles, tables):
        head = next(l for l in t.splitlines() if l.startswith("Benchmark &"))
        corpora = [re.sub(r"\\allowbreak\\hspace\{0pt\}|\\-|\\", "", c).strip() for c in
                   re.findall(r"\\raggedleft (.*?)\}(?: &| \\\\)", head)]
        for line in t.splitlines():
            if "&" not in line or line.startswith("Benchmark"):
                continue
            cells = [c.strip() for c in line.rstrip("\\").split(" & ")]
            bench = cells[0].replace("\\allowbreak\\hspace{0pt}", "").replace("\\_", "_")
            for corpus, cell in zip(corpora, cells[2:]):
                e = want.get((corpus, bench, title), "absent")
                if e == "absent":
                    check(cell == "--", f"latex not probed {corpus}/{bench}: {cell}")
                    continue
                if e is None:
                    check(cell == "n/a", f"latex n/a {cell}")
                    continue
                m = re.fullmatch(r"\\begin\{tabular\}\[t\]\{@\{\}r@\{\}\}(\d+) \(([0-9.]+)\)\\\\\{\\scriptsize \[([0-9.]+), ([0-9.]+)\]\}\\end\{tabular\}", cell)
                check(m, f"latex cell {cell!r}")
                k, r, lo, hi = m.groups()
                check(int(k) == e["count"], f"latex count {cell} vs {e['count']}")
                txt = check_rate(f"latex {corpus}/{bench}/{title}", f"{r} [{lo}, {hi}]", e)
                if (corpus, bench, title) in shown:
                    # a LaTeX column shares one precision (its cells' most):
                    # the same numbers as md's, to within both roundings
                    md_txt = shown[(corpus, bench, title)]
                    check(same_rounded(txt, md_txt), f"latex {txt} vs md {md_txt}")
                checked += 1
    check(checked > 30, f"checked {checked} latex cells")


@suite.test
def html_details(ctx):
    want = expected(ctx)
    shown = ctx.get("md_shown") or {}
    page = contam("report", "--format", "html", *ctx["paths"]).expect(0).out
    part = page.split("<h2>Per definition</h2>")[1].split("</table>")[0]
    n = 0
    for tr in re.findall(r"<tr>(.*?)</tr>", part)[1:]:
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        corpus, bench, title, count, nn, rate, ef, null = cells
        e = want[(corpus, bench, title)]
        where = f"html {corpus}/{bench}/{title}"
        if e is None:
            check(rate == "n/a", f"{where} n/a")
            continue
        check(int(count) == e["count"] and int(nn) == e["n"], f"{where} count")
        txt = check_rate(where, rate.replace("%", ""), e)
        check(txt == shown.get((corpus, bench, title), txt), f"{where}: html {txt} vs md")
        check_ef(where, ef, e)
        if e["null"]:
            check_rate(where + " null", null.replace("%", ""), e["null"])
        n += 1
    check(n == len([v for v in want.values() if v]), f"html rows {n}")


@suite.test
def merged_and_labelled(ctx):
    md = contam("report", "--definition", "contam", *ctx["paths"]).expect(0).out
    header, rows = md_table_rows(md, "| benchmark | n |")
    check(header[2:] == ["Common Crawl 2025-05", "C4 (en, 2019-04)", "generated, 8-grams", "g13.cidx"],
          f"one column per corpus, by label: {header}")
    check(len(rows) == 7, f"6 fixture benchmarks + demo: {len(rows)}")


@suite.test
def unlabelled_reports_of_one_index_merge(ctx):
    """Without --label, reports of one index path are one column (one
    probe run per benchmark); a repeated benchmark makes a column of its
    own, never an overwrite."""
    r13 = ctx["paths"][-1]
    r = json.load(open(r13))
    g13, bench = r["index"]["path"], r["benchmarks"][0]["sources"][0]
    other = os.path.join(ctx["tmp"], "r13-other.json")
    contam("probe", "-q", g13, "--name", "demo-answers", "--field", "answer", bench, "-o", other).expect(0)
    md = contam("report", "--definition", "contam", r13, other).expect(0).out
    header, rows = md_table_rows(md, "| benchmark | n |")
    check(header[2:] == ["g13.cidx"], f"one column: {header}")
    check([x[0] for x in rows] == ["demo", "demo-answers"], f"two rows: {rows}")
    # one report twice is refused (it would be a second column agreeing
    # with the first); a copy of it is another report of the same index
    r = contam("report", "--definition", "contam", r13, r13).expect(1)
    check("is given twice" in r.err, f"twice: {r.err[-300:]}")
    copy = os.path.join(ctx["tmp"], "r13-copy.json")
    shutil.copyfile(r13, copy)
    md = contam("report", "--definition", "contam", r13, copy).expect(0).out
    header, _ = md_table_rows(md, "| benchmark | n |")
    check(header[2:] == ["g13.cidx", "g13.cidx #2"], f"a repeated benchmark: {header}")


@suite.test
def any_is_the_union_of_the_examples(ctx):
    """--definition any counts, per benchmark, the examples flagged by
    any definition (their own verdicts), with the probe's Wilson interval."""
    r8 = ctx["paths"][-2]
    r = json.load(open(r8))
    ex = r["examples"]
    k = sum(1 for e in ex if e["verdict"] in ("partial", "contaminated") or e["definitions"]["gpt3"]
            or e["definitions"]["palm"] or e["definitions"]["llama2"]["bucket"] in ("dirty", "not_clean"))
    n = len(ex)
    check(0 < k < n, f"a test that can fail: {k} of {n}")
    rows = list(csv.DictReader(io.StringIO(contam("report", "--format", "csv", "--definition", "any",
                                                  r8).expect(0).out)))
    row = [x for x in rows if x["definition"] == "any"]
    check(len(row) == 1, f"one any row: {row}")
    row = row[0]
    lo, hi = report_fixtures.wilson(k, n)
    check(int(row["count"]) == k and int(row["n"]) == n, f"any {row['count']}/{row['n']} vs {k}/{n}")
    check(abs(float(row["ci95_low"]) - lo) < 1e-5 and abs(float(row["ci95_high"]) - hi) < 1e-5,
          f"any interval {row['ci95_low']} {row['ci95_high']} vs {lo} {hi}")
    check(not [x for x in rows if x["definition"] == "gpt3"], "--definition picks the rate rows")
    # a report without its examples cannot tell "any": n/a, never 0
    stripped = os.path.join(ctx["tmp"], "no-examples.json")
    r["examples"] = []
    json.dump(r, open(stripped, "w"))
    md = contam("report", "--definition", "any", stripped).expect(0).out
    check("| demo | - | n/a |" in md, f"any without examples is n/a: {md[:400]}")
    contam("report", "--definition", "bogus", r8).expect(1)
    contam("report", "--definition", "gpt3,", r8).expect(1)
    contam("report", "--definition", "", r8).expect(1)
    # options that do not go together: usage errors, never ignored
    contam("report", "--latex-wide", r8).expect(1)
    contam("report", "--format", "csv", "--provenance", r8).expect(1)


@suite.test
def label_and_provenance(ctx):
    r8 = ctx["paths"][-2]
    r = json.load(open(r8))
    check(r["label"] == "generated, 8-grams", "probe --label in the report")
    ix = r["index"]
    check(re.fullmatch(r"[0-9a-f]{16}", ix["inputs_digest"]) and ix["inputs"] > 0, f"inputs digest {ix}")
    check(r["options"]["null_control"] is True and r["options"]["fields"] == ["question", "answer"],
          f"options {r['options']}")
    r13 = json.load(open(ctx["paths"][-1]))
    check("label" not in r13, "no label without --label")
    check(r13["index"]["inputs_digest"] == ix["inputs_digest"], "same inputs, same digest")
    # the suite helper's field, read when present
    withsuite = os.path.join(ctx["tmp"], "suite.json")
    r["suite_sha256"] = "ab" * 32
    json.dump(r, open(withsuite, "w"))
    for fmt in ("md", "latex", "html"):
        out = contam("report", "--format", fmt, "--provenance", withsuite, ctx["paths"][-1]).expect(0).out
        if fmt == "latex":  # break points in hashes and paths
            out = out.replace("\\allowbreak{}", "")
        for needle in (ix["inputs_digest"], "ab" * 32, "nfkc-casefold-alnum-cjk/v1", "null_control=true",
                       os.path.basename(ix["path"]), "g13.cidx"):
            if fmt == "latex":
                needle = needle.replace("_", "\\_")
            check(needle in out, f"{fmt} --provenance lacks {needle}")
    out = contam("report", ctx["paths"][-1]).expect(0).out
    check("Provenance" not in out, "provenance only when asked")


if __name__ == "__main__":
    sys.exit(suite.run(setup))
