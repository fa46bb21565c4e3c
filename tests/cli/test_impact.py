#!/usr/bin/env python3
"""test_impact.py -- `contam impact`: scores on clean and contaminated
examples of lm-evaluation-harness --log_samples files.

Three samples files are written in lm-eval's own layout (one line per
document and filter: doc_id, doc, target, arguments, resps,
filtered_resps, filter, metrics, the hashes, then each metric's value):
  gsm8k                   12 docs x 2 filters, exact_match (0.0/1.0)
  arc_easy                60 docs, acc (0.0/1.0), acc_norm (0..1 by 1/4),
                          bleu (a list per line: not a number)
  mmlu_abstract_algebra   16 docs, acc as booleans, f1 (by 1/8)
Some questions are copied whole into a corpus of random words (they must
come out contaminated), some by their first half (partial).  The corpus is
indexed, the files probed with --field doc.question --id-field doc_id, and
impact's numbers are checked against a direct computation here: the
groups (from the planting and from the report), the means and n, the
difference, the bootstrap interval and the permutation p-value recomputed
step by step with the same splitmix64 draws (equal to 1e-12), the Monte
Carlo p-value also against the exact hypergeometric one (binary metric),
the md and LaTeX tables carrying the JSON's numbers, the skipped metric
listed, --write-samples, --definition gpt3 / llama2, and the join
errors: a samples file left out, a line the report has not seen, a doc_id
changed since the probe (exit 2; --allow-missing counts them).

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import hashlib
import itertools
import json
import math
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import Suite, check, contam  # noqa: E402

S = Suite("test_impact")
STAMP = "2026-01-01T00-00-00.123456"
M64 = (1 << 64) - 1


class Ctx:
    pass


def words(rng, n):
    return [rng.choice(VOCAB) for _ in range(n)]


VOCAB = None


def sha(x):
    return hashlib.sha256(x.encode()).hexdigest()


def sample_line(doc_id, doc, target, args, resps, filt, metrics):
    """One line as lm-eval's evaluator writes it (log_samples)."""
    line = {
        "doc_id": doc_id,
        "doc": doc,
        "target": target,
        "arguments": {f"gen_args_{i}": {"arg_0": a[0], "arg_1": a[1]} for i, a in enumerate(args)},
        "resps": resps,
        "filtered_resps": [r[0] for r in resps],
        "filter": filt,
        "metrics": list(metrics.keys()),
        "doc_hash": sha(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": sha(args[0][0]),
        "target_hash": sha(str(target)),
    }
    line.update(metrics)
    return line


def setup(tmp):
    global VOCAB
    c = Ctx()
    c.tmp = tmp
    rng = random.Random(15)
    VOCAB = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou")
                     for _ in range(3)) for _ in range(5000)]
    corpus = []
    c.planted = {}   # task -> doc_id -> "contaminated" | "partial" | "clean"
    c.lines = {}     # task -> list of dicts (the lines, in order)
    c.files = {}

    def plant(task, doc_id, question, kind):
        c.planted.setdefault(task, {})[doc_id] = kind
        ws = question.split()
        if kind == "contaminated":
            corpus.append(" ".join(words(rng, 40) + ws + words(rng, 40)))
        elif kind == "partial":
            corpus.append(" ".join(words(rng, 40) + ws[:len(ws) // 2] + words(rng, 40)))

    # gsm8k: generate_until, two filters, exact_match
    kinds = ["contaminated"] * 3 + ["partial"] * 2 + ["clean"] * 7
    rng.shuffle(kinds)
    lines = []
    docs = []
    for i, kind in enumerate(kinds):
        q = " ".join(words(rng, 30))
        doc = {"question": q, "answer": f"so the answer is #### {i * 7}"}
        docs.append(doc)
        plant("gsm8k", i, q, kind)
    for filt in ["strict-match", "flexible-extract"]:
        for i, doc in enumerate(docs):
            em = float(rng.random() < (0.9 if kinds[i] == "contaminated" else 0.4))
            lines.append(sample_line(i, doc, str(i * 7), [("Question: " + doc["question"] + "\nAnswer:",
                                                            {"until": ["Question:"]})],
                                     [[f"the answer is {i * 7}"]], filt, {"exact_match": em}))
    c.lines["gsm8k"] = lines

    # arc_easy: multiple_choice, acc / acc_norm and a metric that is not a number
    kinds = ["contaminated"] * 20 + ["partial"] * 5 + ["clean"] * 35
    rng.shuffle(kinds)
    lines = []
    for i, kind in enumerate(kinds):
        q = " ".join(words(rng, 26))
        choices = [" ".join(words(rng, 3)) for _ in range(4)]
        doc = {"id": f"Mercury_{7000000 + i}", "question": q,
               "choices": {"text": choices, "label": ["A", "B", "C", "D"]}, "answerKey": "B"}
        plant("arc_easy", i, q, kind)
        acc = float(rng.random() < (0.85 if kind == "contaminated" else 0.5))
        norm = rng.randrange(5) / 4
        args = [("Question: " + q + "\nAnswer:", " " + ch) for ch in choices]
        resps = [[[str(-rng.random() * 10), "False"]] for _ in choices]
        lines.append(sample_line(i, doc, 1, args, resps, "none",
                                 {"acc": acc, "acc_norm": norm, "bleu": [[choices[1]], choices[0]]}))
    c.lines["arc_easy"] = lines

    # mmlu_abstract_algebra: booleans and a graded metric
    kinds = ["contaminated"] * 4 + ["partial"] * 2 + ["clean"] * 10
    rng.shuffle(kinds)
    lines = []
    for i, kind in enumerate(kinds):
        q = " ".join(words(rng, 24))
        doc = {"question": q, "subject": "abstract_algebra",
               "choices": ["0", "1", "2", "3"], "answer": i % 4}
        plant("mmlu_abstract_algebra", i, q, kind)
        lines.append(sample_line(i, doc, i % 4, [(q + "\nAnswer:", " A")], [[["-1.5", "False"]]],
                                 "none", {"acc": rng.random() < 0.6, "f1": rng.randrange(9) / 8}))
    c.lines["mmlu_abstract_algebra"] = lines

    for task, ls in c.lines.items():
        path = os.path.join(tmp, f"samples_{task}_{STAMP}.jsonl")
        with open(path, "w") as f:
            for ln in ls:
                f.write(json.dumps(ln, ensure_ascii=False) + "\n")
        c.files[task] = path
    for _ in range(200):
        corpus.append(" ".join(words(rng, 120)))
    rng.shuffle(corpus)
    cpath = os.path.join(tmp, "corpus.jsonl")
    with open(cpath, "w") as f:
        for d in corpus:
            f.write(json.dumps({"text": d}) + "\n")
    c.ix = os.path.join(tmp, "c.cidx")
    contam("index", "-o", c.ix, cpath).expect(0)
    c.report = os.path.join(tmp, "report.json")
    contam("probe", c.ix, "-q", "--field", "doc.question", "--id-field", "doc_id",
           "-o", c.report, *c.files.values()).expect(0)
    with open(c.report) as f:
        c.rep = json.load(f)
    return c


# ---- the direct computation -------------------------------------------

def splitmix(state):
    state = (state + 0x9e3779b97f4a7c15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return state, z ^ (z >> 31)


def bootstrap(a, b, resamples, seed):
    st = seed
    d = []
    for _ in range(resamples):
        sa = 0.0
        for _ in range(len(a)):
            st, r = splitmix(st)
            sa += a[(r * len(a)) >> 64]
        sb = 0.0
        for _ in range(len(b)):
            st, r = splitmix(st)
            sb += b[(r * len(b)) >> 64]
        d.append(sa / len(a) - sb / len(b))
    d.sort()
    hi = (resamples * 975 + 999) // 1000
    return d[resamples * 25 // 1000], d[max(hi - 1, 0)]


def permutation(a, b, permutations, seed):
    v = a + b
    n = len(v)
    total = 0.0
    for x in v:
        total += x
    sa = 0.0
    for x in a:
        sa += x
    observed = abs(sa - len(a) * total / n)
    eps = 1e-9 * (sum(abs(x) for x in v) + 1)
    if math.comb(n, len(a)) <= permutations:
        k = min(len(a), len(b))
        expect = k * total / n
        extreme = 0
        for comb in itertools.combinations(range(n), k):
            s = 0.0
            for i in comb:
                s += v[i]
            extreme += abs(s - expect) >= observed - eps
        return extreme / math.comb(n, len(a)), True
    expect = len(a) * total / n
    idx = list(range(n))
    st = seed
    extreme = 0
    for _ in range(permutations):
        s = 0.0
        for i in range(len(a)):
            st, r = splitmix(st)
            j = i + ((r * (n - i)) >> 64)
            idx[i], idx[j] = idx[j], idx[i]
            s += v[idx[i]]
        extreme += abs(s - expect) >= observed - eps
    return (1 + extreme) / (1 + permutations), False


def hypergeom_p(a, b):
    """Exact two-sided permutation p of a 0/1 metric: the number of ones
    in the first group is hypergeometric."""
    n, k, ones = len(a) + len(b), len(a), int(sum(a) + sum(b))
    obs = abs(sum(a) - k * ones / n)
    tot = math.comb(n, k)
    p = 0
    for s in range(max(0, k - (n - ones)), min(k, ones) + 1):
        if abs(s - k * ones / n) >= obs - 1e-9:
            p += math.comb(ones, s) * math.comb(n - ones, k - s)
    return p / tot


def groups_from_report(c, task, definition="contam"):
    """record -> group of the task's file, from the report."""
    out = {}
    for e in c.rep["examples"]:
        if e["source"] != c.files[task]:
            continue
        if definition == "contam":
            v = e["verdict"]
            g = v if v in ("contaminated", "partial") else "clean"
        elif definition == "llama2":
            g = {"dirty": "contaminated", "not_clean": "partial",
                 "clean": "clean", "too_short": "clean"}[e["definitions"]["llama2"]["bucket"]]
        else:
            g = "contaminated" if e["definitions"][definition] else "clean"
        out[e["record"]] = g
    return out


def expected_rows(c, task, definition="contam"):
    """(metric, filter) -> {group: [values]} in line order."""
    grp = groups_from_report(c, task, definition)
    rows = {}
    for rec, ln in enumerate(c.lines[task]):
        for m in ln["metrics"]:
            v = ln[m]
            if isinstance(v, bool):
                v = float(v)
            key = (m, ln.get("filter"))
            d = rows.setdefault(key, {"clean": [], "partial": [], "contaminated": [], "bad": 0})
            if not isinstance(v, (int, float)):
                d["bad"] += 1
                continue
            d[grp[rec]].append(float(v))
    return rows


def run_json(c, *extra):
    r = contam("impact", c.report, *c.files.values(), "--format", "json", *extra).expect(0)
    return r.json()


def check_numbers(c, j, definition, resamples, permutations, seed, strict_p=True):
    check(j["definition"] == definition, j["definition"])
    tasks = {t["task"]: t for t in j["tasks"]}
    check(sorted(tasks) == sorted(c.files), f"tasks {sorted(tasks)}")
    for task in c.files:
        t = tasks[task]
        check(t["lines"] == len(c.lines[task]) and t["matched"] == len(c.lines[task]),
              f"{task}: lines {t['lines']} matched {t['matched']}")
        rows = expected_rows(c, task, definition)
        got = {(m["metric"], m["filter"]): m for m in t["metrics"]}
        skipped = {(m["metric"], m["filter"]): m for m in t["skipped"]}
        for key, d in rows.items():
            if d["bad"]:
                check(key in skipped and key not in got, f"{task} {key}: not skipped")
                s = skipped[key]
                check(s["not_numbers"] == d["bad"] and s["first_kind"] == "a list"
                      and s["first_line"] == 1, f"{task} {key}: skipped {s}")
                continue
            check(key in got, f"{task} {key}: missing from {list(got)}")
            m = got[key]
            allv = d["clean"] + d["partial"] + d["contaminated"]
            for g, vals in [("all", allv), ("clean", d["clean"]), ("partial", d["partial"]),
                            ("contaminated", d["contaminated"])]:
                check(m[g]["n"] == len(vals), f"{task} {key} {g}: n {m[g]['n']} != {len(vals)}")
                want = sum(vals) / len(vals) if vals else None
                check((m[g]["mean"] is None) == (want is None) and
                      (want is None or abs(m[g]["mean"] - want) < 1e-9),
                      f"{task} {key} {g}: mean {m[g]['mean']} != {want}")
            a, b = d["contaminated"], d["clean"]
            if not a or not b:
                check(m["difference"] is None, f"{task} {key}: a difference without groups")
                continue
            diff = m["difference"]
            want = sum(a) / len(a) - sum(b) / len(b)
            check(abs(diff["value"] - want) < 1e-9, f"{task} {key}: diff {diff['value']} != {want}")
            lo, hi = bootstrap(a, b, resamples, seed)
            check(abs(diff["ci95"][0] - lo) < 1e-9 and abs(diff["ci95"][1] - hi) < 1e-9,
                  f"{task} {key}: ci {diff['ci95']} != [{lo}, {hi}]")
            check(lo <= want <= hi or len(a) < 3, f"{task} {key}: {want} outside [{lo}, {hi}]")
            p, exact = permutation(a, b, permutations, seed)
            check(diff["p_method"] == ("exact" if exact else "monte_carlo"),
                  f"{task} {key}: {diff['p_method']}, expected exact={exact}")
            if strict_p:
                check(abs(diff["p_value"] - p) < 1e-12, f"{task} {key}: p {diff['p_value']} != {p}")
            if all(x in (0.0, 1.0) for x in a + b):
                hp = hypergeom_p(a, b)
                tol = 1e-12 if exact else 4 * math.sqrt(hp * (1 - hp) / permutations) + 2 / permutations
                check(abs(diff["p_value"] - hp) <= tol,
                      f"{task} {key}: p {diff['p_value']} vs exact {hp} (tolerance {tol})")


@S.test
def planted_verdicts(c):
    """The join's premise: the report flags exactly what was planted."""
    for task in c.files:
        grp = groups_from_report(c, task)
        for rec, ln in enumerate(c.lines[task]):
            want = c.planted[task][ln["doc_id"]]
            check(grp[rec] == want, f"{task} record {rec}: {grp[rec]}, planted {want}")


@S.test
def numbers_default(c):
    j = run_json(c)
    check(j["interval"]["resamples"] == 10000 and j["test"]["permutations"] == 10000
          and j["interval"]["seed"] == "0x1", f"defaults {j['interval']} {j['test']}")
    check(j["missing"]["examples"] == 0 and j["missing"]["lines"] == 0, j["missing"])
    # the bootstrap in Python is slow: check the defaults on the small tasks
    c.files_all = c.files
    small = {k: v for k, v in c.files.items() if k != "arc_easy"}
    c.files = small
    try:
        j["tasks"] = [t for t in j["tasks"] if t["task"] in small]
        check_numbers(c, j, "contam", 10000, 10000, 1)
    finally:
        c.files = c.files_all


@S.test
def numbers_options(c):
    j = run_json(c, "--resamples", "2000", "--permutations", "3000", "--seed", "7")
    check(j["interval"]["resamples"] == 2000 and j["test"]["permutations"] == 3000
          and j["interval"]["seed"] == "0x7", f"options {j['interval']} {j['test']}")
    check_numbers(c, j, "contam", 2000, 3000, 7)
    arc = [t for t in j["tasks"] if t["task"] == "arc_easy"][0]
    acc = [m for m in arc["metrics"] if m["metric"] == "acc"][0]
    check(acc["difference"]["p_method"] == "monte_carlo", "arc_easy acc should be Monte Carlo")


@S.test
def definitions(c):
    for d in ["llama2", "gpt3", "palm"]:
        j = run_json(c, "--definition", d, "--resamples", "500", "--permutations", "500")
        check_numbers(c, j, d, 500, 500, 1)
        if d != "llama2":
            for t in j["tasks"]:
                for m in t["metrics"]:
                    check(m["partial"]["n"] == 0, f"{d}: a partial group")
    r = contam("impact", c.report, *c.files.values(), "--definition", "nope")
    check(r.rc == 1 and "unknown definition" in r.err, r.err)


@S.test
def md_and_latex(c):
    j = run_json(c)
    md = contam("impact", c.report, *c.files.values()).expect(0).out
    tex = contam("impact", c.report, *c.files.values(), "--format", "latex").expect(0).out
    check("\\begin{tabular}" in tex and "\\bottomrule" in tex and "mmlu\\_abstract\\_algebra" in tex,
          tex[:400])
    num = re.compile(r"n/a|\(\d+\)|[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

    def numbers(text):
        """The row's values in order: means and (n)s, difference, ci, p."""
        out = []
        for x in num.findall(text):
            out.append(None if x == "n/a" else int(x[1:-1]) if x.startswith("(") else float(x))
        return out

    def expected(m):
        out = []
        for g in ("all", "clean", "partial", "contaminated"):
            out += [m[g]["mean"], m[g]["n"]]
        d = m["difference"]
        return out + [d["value"], d["ci95"][0], d["ci95"][1], d["p_value"]]

    def same(got, want, places, where):
        check(len(got) == len(want), f"{where}: {got} != {want}")
        for a, b in zip(got, want):
            check((a is None) == (b is None) and
                  (a is None or abs(a - b) <= 0.5 * 10 ** -places + 1e-9 or
                   (isinstance(b, float) and b < 1e-4)),
                  f"{where}: {got} != {want}")

    md_rows = {}
    for line in md.splitlines():
        cells = [x.strip() for x in line.strip("|").split("|")]
        if len(cells) == 9 and cells[0] in c.files:
            md_rows[(cells[0], cells[1], cells[2])] = numbers(" ".join(cells[3:]))
    tex_rows = {}
    task = None
    for line in tex.splitlines():
        mt = re.match(r"\\multicolumn\{7\}\{@\{\}l\}\{\\textit\{(.*)\}\} \\\\$", line)
        if mt:
            task = mt.group(1).replace("\\_", "_")
        elif line.startswith("\\quad "):
            name, rest = line[6:].split(" & ", 1)
            tex_rows[(task, name.replace("\\_", "_"))] = numbers(rest)
    n = 0
    for t in j["tasks"]:
        for m in t["metrics"]:
            want = expected(m)
            key = (t["task"], m["metric"], m["filter"])
            check(key in md_rows, f"md lacks {key}:\n{md}")
            same(md_rows[key], want, 4, f"md {key}")
            name = m["metric"] + (f" ({m['filter']})" if m["filter"] != "none" else "")
            check((t["task"], name) in tex_rows, f"latex lacks {(t['task'], name)}: {list(tex_rows)}")
            same(tex_rows[(t["task"], name)], want, 3, f"latex {key}")
            n += 1
    check(n == len(md_rows) == len(tex_rows) == 6, f"{n} metrics, md {len(md_rows)}, latex {len(tex_rows)}")
    check("skipped: task arc_easy, metric bleu (filter none): 60 of 60 values are not numbers"
          in md, md)
    check("percentile bootstrap, 10000 resamples" in md and "permutation" in md, md)


@S.test
def latex_compiles(c):
    """The LaTeX table compiles and fits a table* of a two-column article."""
    import shutil
    import subprocess
    if not shutil.which("pdflatex"):
        S.note("pdflatex not installed")
        return "skip"
    d = os.path.join(c.tmp, "tex")
    os.makedirs(d, exist_ok=True)
    contam("impact", c.report, *c.files.values(), "--format", "latex", "-o",
           os.path.join(d, "impact.tex")).expect(0)
    head = open(os.path.join(d, "impact.tex")).read().split("\\begin{tabular}")[0]
    check("\\begin{table*}" in head, f"the file says it wants a table*: {head}")
    with open(os.path.join(d, "doc.tex"), "w") as f:
        f.write("\\documentclass[twocolumn]{article}\\usepackage{booktabs}\n"
                "\\begin{document}\\begin{table*}\\small\\input{impact.tex}\\end{table*}\n"
                "\\end{document}\n")
    p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                       cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    with open(os.path.join(d, "doc.log"), errors="replace") as f:
        log = f.read()
    check(p.returncode == 0, f"pdflatex: exit {p.returncode}: {log[-1500:]}")
    check("Overfull \\hbox" not in log, "overfull hbox: " + log[log.find("Overfull"):][:300])


@S.test
def write_samples(c):
    out = os.path.join(c.tmp, "clean.json")
    contam("impact", c.report, *c.files.values(), "--write-samples", out).expect(0)
    with open(out) as f:
        got = json.load(f)
    want = {}
    for task in c.files:
        ids = []
        for ln in c.lines[task]:
            if c.planted[task][ln["doc_id"]] == "clean" and ln["doc_id"] not in ids:
                ids.append(ln["doc_id"])
        want[task] = ids
    check(got == want, f"--write-samples {got} != {want}")
    check(list(got) == list(c.files), f"order {list(got)}")


@S.test
def missing_file(c):
    files = list(c.files.values())
    out = os.path.join(c.tmp, "x.md")
    r = contam("impact", c.report, *files[:2], "-o", out)
    check(r.rc == 2 and files[2] in r.err and "match no sample line" in r.err, r.err)
    check(not os.path.exists(out), "an output after an error")
    r = contam("impact", c.report, *files[:2], "--allow-missing", "--format", "json").expect(0)
    j = r.json()
    check(j["missing"]["examples"] == len(c.lines["mmlu_abstract_algebra"]) and
          j["missing"]["lines"] == 0, j["missing"])
    check("left out" in r.err, r.err)


@S.test
def extra_line_and_changed_id(c):
    src = c.files["gsm8k"]
    extra = os.path.join(c.tmp, f"extra/samples_gsm8k_{STAMP}.jsonl")
    os.makedirs(os.path.dirname(extra), exist_ok=True)
    with open(src) as f:
        text = f.read()
    with open(extra, "w") as f:
        f.write(text + json.dumps(c.lines["gsm8k"][0]) + "\n")
    # the report's source is the original path: the copy under another
    # directory is the same name but another file, so nothing joins
    files = [extra if p == src else p for p in c.files.values()]
    r = contam("impact", c.report, *files)
    check(r.rc == 2, f"{r.rc} {r.err}")
    # the probed file itself, one line longer
    with open(src, "a") as f:
        f.write(json.dumps(c.lines["gsm8k"][0]) + "\n")
    try:
        r = contam("impact", c.report, *c.files.values())
        n = len(c.lines["gsm8k"]) + 1
        check(r.rc == 2 and f"'{src}' line {n}: no report example" in r.err, r.err)
        j = contam("impact", c.report, *c.files.values(), "--allow-missing",
                   "--format", "json").expect(0).json()
        check(j["missing"]["lines"] == 1 and j["missing"]["examples"] == 0, j["missing"])
        check(any(f"line {n}" in s for s in j["missing"]["named"]), j["missing"])
        # a doc_id changed since the probe
        lines = text.splitlines()
        ln = json.loads(lines[3])
        ln["doc_id"] = 99
        lines[3] = json.dumps(ln)
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = contam("impact", c.report, *c.files.values())
        check(r.rc == 2 and "doc_id 99" in r.err and "line 4" in r.err, r.err)
        # not a samples file
        with open(src, "w") as f:
            f.write('{"question": "x"}\n')
        r = contam("impact", c.report, *c.files.values())
        check(r.rc == 2 and "not an lm-evaluation-harness samples line" in r.err, r.err)
    finally:
        with open(src, "w") as f:
            f.write(text)


@S.test
def report_from_another_directory(c):
    """A report made with relative paths joins files named from elsewhere
    (by base name, when the report's source is no file from here)."""
    name = os.path.basename(c.files["gsm8k"])
    rel = os.path.join(c.tmp, "rel.json")
    contam("probe", c.ix, "-q", "--field", "doc.question", "--id-field", "doc_id",
           "-o", rel, name, cwd=c.tmp).expect(0)
    sub = os.path.join(c.tmp, "sub")
    os.makedirs(sub, exist_ok=True)
    j = contam("impact", rel, c.files["gsm8k"], "--format", "json", cwd=sub).expect(0).json()
    want = run_json(c)["tasks"][0]
    check(j["tasks"][0]["metrics"] == want["metrics"], f"{j['tasks'][0]} != {want}")


@S.test
def older_lines(c):
    """Lines of older lm-eval versions (no 'metrics' list, no 'filter'):
    the metrics are the fields lm-eval does not write itself, and the k-th
    line of a doc_id is filter #k, never mixed with the others."""
    d = os.path.join(c.tmp, "old")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"samples_gsm8k_{STAMP}.jsonl")
    want = {}
    with open(path, "w") as f:
        for k in (1, 2):
            for ln in c.lines["gsm8k"][:12]:
                old = {key: v for key, v in ln.items() if key not in ("metrics", "filter")}
                old["exact_match"] = float((ln["doc_id"] + k) % 3 == 0)
                want.setdefault(f"#{k}", []).append((ln["doc_id"], old["exact_match"]))
                f.write(json.dumps(old) + "\n")
    rep = os.path.join(d, "r.json")
    contam("probe", c.ix, "-q", "--field", "doc.question", "--id-field", "doc_id",
           "-o", rep, path).expect(0)
    j = contam("impact", rep, path, "--format", "json").expect(0).json()
    ms = {(m["metric"], m["filter"]): m for m in j["tasks"][0]["metrics"]}
    check(sorted(ms) == [("exact_match", "#1"), ("exact_match", "#2")], f"{sorted(ms)}")
    for k in (1, 2):
        m = ms[("exact_match", f"#{k}")]
        clean = [v for i, v in want[f"#{k}"] if c.planted["gsm8k"][i] == "clean"]
        dirty = [v for i, v in want[f"#{k}"] if c.planted["gsm8k"][i] == "contaminated"]
        check(m["all"]["n"] == 12 and m["clean"]["n"] == len(clean) and
              abs(m["clean"]["mean"] - sum(clean) / len(clean)) < 1e-9 and
              abs(m["contaminated"]["mean"] - sum(dirty) / len(dirty)) < 1e-9, f"#{k}: {m}")


@S.test
def usage_errors(c):
    r = contam("impact", c.report)
    check(r.rc == 1, r.err)
    r = contam("impact", c.report, *c.files.values(), "--format", "html")
    check(r.rc == 1 and "unknown format" in r.err, r.err)
    r = contam("impact", c.report, c.files["gsm8k"], c.files["gsm8k"])
    check(r.rc == 1 and "both samples of task 'gsm8k'" in r.err, r.err)
    r = contam("impact", os.path.join(c.tmp, "nope.json"), c.files["gsm8k"])
    check(r.rc == 2 and "nope.json" in r.err, r.err)
    h = contam("impact", "--help").expect(0).out
    check("percentile bootstrap" in h and "permutation" in h and "--write-samples" in h, h)
    top = contam("--help").expect(0).out
    check("impact" in top, top)


if __name__ == "__main__":
    sys.exit(S.run(setup))
