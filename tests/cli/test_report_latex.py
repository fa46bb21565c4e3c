#!/usr/bin/env python3
"""test_report_latex.py -- `contam report --format latex` prints in a
two-column paper: 20 benchmarks x 3 corpora (reports in the published
schema, tests/cli/report_fixtures.py) rendered compact (table, fits
\\columnwidth) and wide (table*), with one and several definitions,
wrapped in \\documentclass[twocolumn]{article} and compiled with pdflatex;
any "Overfull \\hbox" in the log fails.  Skips when pdflatex is absent
(scripts/deps.sh installs it)."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402
import report_fixtures  # noqa: E402

suite = Suite("test_report_latex")

DOC = r"""\documentclass[twocolumn]{article}
\usepackage[T1]{fontenc}
\usepackage{booktabs,tabularx}
\begin{document}
\section{Contamination}
Some text of the paper, in a column.
%s
\end{document}
"""


def setup(tmp):
    paths, benches = report_fixtures.write_set(tmp, 20, 3)
    split, _ = report_fixtures.write_set(os.path.join(tmp), 20, 3, split=True)
    return {"tmp": tmp, "paths": paths, "split": split, "benches": benches}


def compile_tex(ctx, name, body):
    pdflatex = shutil.which("pdflatex")
    d = os.path.join(ctx["tmp"], name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "paper.tex"), "w") as f:
        f.write(DOC % body)
    p = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                       cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    log = open(os.path.join(d, "paper.log"), errors="replace").read()
    check(p.returncode == 0, f"{name}: pdflatex failed: {log[-1500:]}")
    over = [l for l in log.splitlines() if "Overfull \\hbox" in l]
    check(not over, f"{name}: overfull boxes: {over[:5]}")
    tall = [l for l in log.splitlines() if "Float too large" in l]
    check(not tall, f"{name}: a table taller than the page: {tall[:3]}")
    check(os.path.exists(os.path.join(d, "paper.pdf")), f"{name}: no pdf")
    return log


def latex(ctx, *args, paths=None):
    r = contam("report", "--format", "latex", *args, *(paths or ctx["paths"])).expect(0)
    return r.out


@suite.test
def compact_fits_column(ctx):
    if not shutil.which("pdflatex"):
        return "skip"
    body = latex(ctx)
    check("\\begin{table}[t]" in body and "\\columnwidth" in body, "a column-wide table")
    check(body.count("\\begin{tabular}[t]") == 20 * 3, "20 benchmark rows x 3 corpora")
    for label in report_fixtures.LABELS:
        check(label.split()[0] in body, f"corpus label {label} in the header")
    check("corpus0.cidx" not in body, "index file name not shown when labelled")
    compile_tex(ctx, "compact", body)


@suite.test
def compact_several_definitions(ctx):
    if not shutil.which("pdflatex"):
        return "skip"
    # reports of a suite run: the 64-digit suite hash and a long report
    # path must wrap in the column (they overfilled it by 65 pt)
    import json
    d = os.path.join(ctx["tmp"], "suite-run", "reports", "common-crawl-2025-05-full-suite")
    os.makedirs(d, exist_ok=True)
    paths = []
    for p in ctx["paths"]:
        r = json.load(open(p))
        r["suite"] = {"path": "/data/suites/shared-data.json", "sha256": "a57c3cbd" * 8, "split": None}
        r["confirm"] = {"flagged": 3, "overturned": 1}
        q = os.path.join(d, os.path.basename(p))
        json.dump(r, open(q, "w"))
        paths.append(q)
    body = latex(ctx, "--definition", "contam,gpt3", "--definition", "llama2", "--provenance",
                 paths=paths)
    # contam: contaminated and partial+; gpt3; llama2: dirty and not clean
    # (each maybe split into "(continued)" parts)
    first = body.count("\\begin{table}") - body.count("(continued)")
    check(first == 5, f"5 tables, got {first}")
    plain = body.replace("\\allowbreak{}", "")
    check("\\item" in body and "0123456789abcdef" in plain, "provenance with the inputs digest")
    check("a57c3cbd" * 8 in plain, "the suite's whole hash in the provenance")
    prov = plain.split("\\begin{itemize}")[1]
    check("-{}-confirm: 3 flags" in prov and "--" not in prov.replace("-{}-", ""),
          "--confirm in the provenance as two hyphens (TeX prints -- as an en dash)")
    compile_tex(ctx, "defs", body)


@suite.test
def wide_fits_page(ctx):
    if not shutil.which("pdflatex"):
        return "skip"
    body = latex(ctx, "--latex-wide", "--definition", "contam,palm")
    check("\\begin{table*}" in body and "\\textwidth" in body, "table* across the page")
    check("E[f]" in body, "expected false column in the wide table")
    compile_tex(ctx, "wide", body)


@suite.test
def wide_five_corpora(ctx):
    """--latex-wide takes 5 corpora of 20 benchmarks on \\textwidth."""
    if not shutil.which("pdflatex"):
        return "skip"
    d = os.path.join(ctx["tmp"], "five")
    os.makedirs(d)
    paths, _ = report_fixtures.write_set(d, 20, 5)
    body = latex(ctx, "--latex-wide", paths=paths)
    check(body.count("\\cmidrule") == 5, "five corpus column groups")
    compile_tex(ctx, "wide5", body)


@suite.test
def long_label_words_fit(ctx):
    """Corpus labels whose words TeX cannot hyphenate ("(sample+planted)":
    patterns stop at '+'; a 15-character run of letters and digits) still
    fit the 4.6em corpus column and the table* header, and read the same
    once the break hints are removed."""
    if not shutil.which("pdflatex"):
        return "skip"
    import json
    labels = ["C4 en (sample+planted)", "OpenWebText2019x", "RedPajama+SlimPajama,dedup"]
    d = os.path.join(ctx["tmp"], "labels")
    os.makedirs(d, exist_ok=True)
    paths = []
    for c, label in enumerate(labels):
        p = os.path.join(d, f"l{c}.json")
        r = report_fixtures.report(label, f"/x/l{c}.cidx", [("gsm8k", 1319), ("mmlu", 14042)], seed=c)
        json.dump(r, open(p, "w"))
        paths.append(p)
    for name, args in (("labels", ()), ("labels-wide", ("--latex-wide",))):
        body = latex(ctx, *args, paths=paths)
        head = next(l for l in body.splitlines() if "Benchmark" in l or "multicolumn" in l)
        plain = re.sub(r"\\allowbreak\\hspace\{0pt\}|\\-", "", body)
        for label in labels:
            check(label in plain, f"{name}: label {label!r} in the header: {head}")
        compile_tex(ctx, name, body)


@suite.test
def merged_reports_one_column_per_corpus(ctx):
    """60 reports (one per benchmark and corpus) make the same 3 columns."""
    a = latex(ctx)
    b = latex(ctx, paths=ctx["split"])
    head = lambda s: [l for l in s.splitlines() if l.startswith("Benchmark &")]
    check(head(a) == head(b), f"same header: {head(a)} vs {head(b)}")
    check(all(len(re.findall(r"\\parbox", h)) == 3 for h in head(b)), "three corpus columns")
    rows = lambda s: [l for l in s.splitlines() if "tabular}[t]" in l or l.endswith("\\\\") and "&" in l]
    check(len(rows(b)) == len(rows(a)), "same rows")


@suite.test
def precision_from_interval(ctx):
    """1 of 1000 prints as 0.10 [0.02, 0.56], never 0.1 [0.0, 0.1]; a
    rate is never printed with an interval whose ends read as the rate."""
    import json
    p = os.path.join(ctx["tmp"], "small.json")
    r = report_fixtures.report("small", "/x/s.cidx", [("tiny", 1000)])
    b = r["benchmarks"][0]
    b["definitions"]["contam"]["contaminated"] = report_fixtures.rate(1, 1000)
    json.dump(r, open(p, "w"))
    out = latex(ctx, paths=[p])
    m = re.search(r"\}1 \(([0-9.]+)\)\\\\\{\\scriptsize \[([0-9.]+), ([0-9.]+)\]\}", out)
    check(m, f"cell of 1/1000 not found: {out}")
    rate_, lo, hi = m.groups()
    check(rate_ == "0.10" and lo == "0.02" and hi == "0.56", f"got {m.group(0)}")
    for cell in re.findall(r"\(([0-9.]+)\)\\\\\{\\scriptsize \[([0-9.]+), ([0-9.]+)\]", latex(ctx)):
        r_, l_, h_ = (float(x) for x in cell)
        check(l_ <= r_ <= h_, f"interval {cell}")
        check(not (l_ == r_ == h_ and r_ > 0), f"interval reads as the rate: {cell}")



@suite.test
def one_precision_per_column(ctx):
    """A column's rates and intervals share one number of decimals (the
    most any of its cells needs): 0 of 1319 and 0 of 14042 in one column
    print 0.000 and 0.000, not 0.00 and 0.000."""
    import json
    p = os.path.join(ctx["tmp"], "cols.json")
    r = report_fixtures.report("cols", "/x/c.cidx", [("gsm", 1319), ("mmlu", 14042)])
    for b in r["benchmarks"]:
        b["definitions"]["contam"]["contaminated"] = report_fixtures.rate(0, b["examples"])
    json.dump(r, open(p, "w"))
    out = latex(ctx, paths=[p])
    cells = re.findall(r"\}0 \(([0-9.]+)\)\\\\\{\\scriptsize \[([0-9.]+), ([0-9.]+)\]", out)
    check(len(cells) == 2, f"cells: {cells} in {out}")
    decimals = {len(x.split(".")[1]) for c in cells for x in c}
    check(decimals == {3}, f"decimals per cell {cells}")
    # the interval of the larger n still shows its own digits
    check(any(c[2] != "0.000" for c in cells), f"intervals {cells}")


if __name__ == "__main__":
    sys.exit(suite.run(setup))
