"""benchload.py -- read every benchmark file of ../shared/data/benchmarks
into examples made of fields, the way `contam probe` selects them by
default (bench.c, bench_json.c, bench_csv.c), with the layouts of
tests/cli/test_bench_fields.py RULES for files that need options:

- JSON/JSONL without --field: every string value of the record, in
  document order (numbers, booleans, null are not text);
- CSV/TSV without --field: every column (MMLU: --no-header);
- SQuAD / JSQuAD: --records data.paragraphs.qas --field question --field ^context;
- C3: --records '*.1' --field question --field choice --field ^0;
- MultiRC: --records passage.questions --field question --field answers.text --field ^text;
- TruthfulQA mc_task.json: question, mc1_targets.@keys, mc2_targets.@keys;
- HellaSwag: --lines-per-record 6 --field 0 --field 2..5;
- .txt: one example per non-blank line.

Each example is a list of field values (str); each selected string is
one field (per-field scoring: an array of choices gives one field per
choice).  Only the stdlib is used.
"""
import bz2
import csv
import fnmatch
import gzip
import io
import json
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("CONTAM_SHARED_DATA",
                        os.path.join(os.path.dirname(ROOT), "shared", "data"))
BENCH = os.path.join(SHARED, "benchmarks")

# files that are not benchmarks (dataset cards, label lists, url lists)
NOT_BENCH = ["*.md", "*.lst", "*/readme*.txt", "*/banned_urls.txt"]


def strings(v):
    """Every string under v, in document order."""
    if isinstance(v, str):
        return [v]
    out = []
    if isinstance(v, dict):
        for x in v.values():
            out.extend(strings(x))
    elif isinstance(v, list):
        for x in v:
            out.extend(strings(x))
    return out


def raw(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.endswith(".bz2"):
        data = bz2.decompress(data)
    elif path.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            data = z.read(names[0])
    return data.decode("utf-8-sig", errors="replace")


def json_records(text):
    s = text.lstrip()
    if s.startswith("["):
        return json.loads(s)
    try:
        obj = json.loads(s)
    except json.JSONDecodeError:
        return [json.loads(l) for l in text.split("\n") if l.strip()]
    if isinstance(obj, dict):
        for v in obj.values():
            if isinstance(v, list):
                return v
    return [obj]


def squad(text):
    out = []
    for art in json.loads(text)["data"]:
        for p in art["paragraphs"]:
            for q in p["qas"]:
                out.append([q["question"], p["context"]])
    return out


def c3(text):
    out = []
    for item in json.loads(text):
        for q in item[1]:
            out.append([q["question"]] + list(q["choice"]) + list(item[0]))
    return out


def multirc(text):
    out = []
    for l in text.split("\n"):
        if not l.strip():
            continue
        rec = json.loads(l)
        for q in rec["passage"]["questions"]:
            out.append([q["question"]] + [a["text"] for a in q["answers"]] + [rec["passage"]["text"]])
    return out


def mc_task(text):
    return [[r["question"]] + list(r["mc1_targets"].keys()) + list(r["mc2_targets"].keys())
            for r in json.loads(text)]


def hellaswag(text):
    lines = [l for l in text.split("\n")]
    # records of 6 lines (the file has no blank lines inside records)
    lines = [l for l in lines if l.strip()]
    return [[lines[i], lines[i + 2], lines[i + 3], lines[i + 4], lines[i + 5]]
            for i in range(0, len(lines) - 5, 6)]


def csv_rows(text, header=True, delim=","):
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)
            if any(c.strip() for c in r)]
    return rows[1:] if header else rows


RULES = [
    ("squad/dev-v1.1.json.zip", squad, "--records data.paragraphs.qas --field question --field ^context"),
    ("jglue/jsquad-*.json", squad, "--records data.paragraphs.qas --field question --field ^context"),
    ("hellaswag/*.txt.bz2", hellaswag, "--lines-per-record 6 --field 0 --field 2 --field 3 --field 4 --field 5"),
    ("c3/*.json", c3, "--records '*.1' --field question --field choice --field ^0"),
    ("superglue/MultiRC_val.jsonl", multirc, "--records passage.questions --field question --field answers.text --field ^text"),
    ("truthfulqa/mc_task.json", mc_task, "--field question --field mc1_targets.@keys --field mc2_targets.@keys"),
    ("mmlu/*.csv", lambda t: csv_rows(t, header=False), "--no-header"),
    ("*.csv", csv_rows, ""),
    ("*.tsv", lambda t: csv_rows(t, delim="\t"), ""),
    ("*.jsonl", lambda t: [strings(r) for r in json_records(t)], ""),
    ("*.jsonl.gz", lambda t: [strings(r) for r in json_records(t)], ""),
    ("*.json", lambda t: [strings(r) for r in json_records(t)], ""),
    ("*", lambda t: [[l] for l in t.split("\n") if l.strip()], ""),
]


def rule_for(rel):
    for pat, fn, opts in RULES:
        if fnmatch.fnmatch(rel, pat):
            return fn, opts
    raise KeyError(rel)


def benchmark_files(bench=BENCH, pattern="*"):
    out = []
    for root, dirs, names in os.walk(bench):
        dirs.sort()
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(root, n), bench)
            if any(fnmatch.fnmatch(rel, p) for p in NOT_BENCH):
                continue
            if fnmatch.fnmatch(rel, pattern):
                out.append(rel)
    return out


def load(rel, bench=BENCH):
    """Examples of one benchmark file: a list of lists of field strings."""
    fn, _ = rule_for(rel)
    exs = fn(raw(os.path.join(bench, rel)))
    return [[f for f in ex if isinstance(f, str)] for ex in exs]


def options(rel):
    return rule_for(rel)[1]
