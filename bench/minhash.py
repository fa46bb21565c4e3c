#!/usr/bin/env python3
"""bench/minhash.py -- what `contam index --minhash` finds and what it costs
(docs/NEARDUP.md, "Cost").

  bench/minhash.py [--size 32M] [--repeat 3] [--threads 1] [--quick]
                   [--config NAME=B,R,SHINGLE,W1/W2/...]... [--out FILE.md]

1. Quality, per configuration (b, r, shingle, window sizes; the index's
   --minhash-* flags): on the planted near-duplicates of
   tests/cli/neardup_data.py -- synthetic (240 planted, 720 never planted)
   and real (MMLU, ARC-Challenge, GSM8K items planted into C4 and
   WikiText-2, 2400 items of which 960 planted, when ../shared/data is
   present) -- `contam index --minhash ...` then `contam probe --near-dup`:
   recall on planted items (all; without word edits; whole documents; in
   the middle of long ones), the share of absent items flagged, the n-gram
   verdict's recall for comparison, and the section's size as % of the
   n-gram filter (contam info --json), windows and keys.
2. Cost, default configuration: `contam index` with and without --minhash on
   the generated corpus of bench/gen_corpus.py (--size) and on the real
   text of ../shared/data (C4 sample, WikiText-2, Gutenberg), in
   interleaved rounds (median wall and CPU time), the same command
   otherwise (--expected-ngrams = the word count); time and size ratios.

Writes FILE.md (default bench/results/<date>-minhash.md) and FILE.json.
The machine is shared: times are from a loaded machine, ratios of the same
round are what to read.  Not a test.
"""
import argparse
import datetime
import glob
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))
import neardup_data as nd  # noqa: E402
from gen_corpus import parse_size  # noqa: E402

CONFIGS = [
    "default=",                                 # cmh_params_default: 16,2,5,24/72
    "design=8,3,5,24/48/96/192",                # the first defaults considered
    "b8r3-w24/72=8,3,5,24/72",
    "b16r3-w24/72=16,3,5,24/72",
    "b16r2-w24/48/96/192=16,2,5,24/48/96/192",
    "b16r2-w32/96=16,2,5,32/96",
    "b16r2-w20/60=16,2,5,20/60",
    "b12r2-w24/72=12,2,5,24/72",
    "b20r2-w24/72=20,2,5,24/72",
    "b16r2k4-w24/72=16,2,4,24/72",
    "b8r2-w64/192=8,2,5,64/192",
    "b8r2-w96=8,2,5,96",                        # the cheapest: under 25% of the filter
]


def log(msg):
    print(f"minhash: {msg}", file=sys.stderr, flush=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"minhash: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p


def parse_config(text):
    name, spec = text.split("=")
    if not spec:
        return name, []
    b, r, k, ws = spec.split(",")
    return name, ["--minhash-bands", b, "--minhash-rows", r, "--minhash-shingle", k,
                  "--minhash-windows", ws.replace("/", ",")]


def info(contam, index):
    return json.loads(run([contam, "info", "--json", index]).stdout)


# ---------------------------------------------------------------------------
# 1. Quality

def probe_groups(summary):
    """(bench paths, fields) groups: benchmarks sharing their fields."""
    groups = {}
    for name, meta in sorted(summary["benches"].items()):
        groups.setdefault(tuple(meta["fields"]), []).append(meta["path"])
    return [(paths, list(fields)) for fields, paths in groups.items()]


def quality_one(contam, summary, corpus, flags, work, threads):
    index = os.path.join(work, "q.cidx")
    t0 = time.time()
    run([contam, "index", "-q", "-t", str(threads), "--minhash", *flags, "-o", index, corpus])
    t_index = time.time() - t0
    exp = summary["items"]
    c = {k: [0, 0] for k in ("planted", "plain", "edited", "whole", "middle", "absent", "related",
                             "ngram")}
    for paths, fields in probe_groups(summary):
        out = os.path.join(work, "q.json")
        args = [contam, "probe", index, "--near-dup", "--id-field", "id", "-o", out]
        for f in fields:
            args += ["--field", f]
        run(args + paths)
        with open(out, encoding="utf-8") as f:
            rep = json.load(f)
        for e in rep["examples"]:
            x = exp[e["id"]]
            hit = bool(e.get("near_dup"))
            if x["status"] == "absent":
                k = "related" if x.get("related", 0) >= nd.RELATED else "absent"
                c[k][0] += hit
                c[k][1] += 1
                continue
            keys = ["planted", "edited" if x.get("edited") else "plain", x["where"]]
            for k in keys:
                c[k][0] += hit
                c[k][1] += 1
            c["ngram"][0] += e["verdict"] == "contaminated"
            c["ngram"][1] += 1
    inf = info(contam, index)
    mh = inf["minhash"]
    return {"counts": c, "index_s": t_index, "bytes": mh["bytes"], "filter_bytes": inf["filter_bytes"],
            "pct": mh["bytes_pct_of_filter"], "keys": mh["keys"], "windows": mh["corpus_windows"],
            "shingles": mh["shingles"], "ngrams": inf["ngrams_inserted"], "band_fpr": mh["band_fpr"],
            "threshold": mh["threshold"]}


def quality(contam, configs, work, threads, shared, quick, syn_seeds=(17,), real_seed=17):
    sets = []
    for seed in syn_seeds:
        syn = os.path.join(work, f"syn{seed}")
        sets.append(("synthetic", nd.build_synthetic(syn, seed=seed, nplanted=240, nabsent=720),
                     os.path.join(syn, "corpus")))
    if nd.real_available(shared):
        real = os.path.join(work, "real")
        per = 300 if quick else 800
        sets.append(("real", nd.build_real(real, shared, seed=real_seed, per_bench=per),
                     os.path.join(real, "corpus")))
    else:
        log(f"no shared data at {shared}: real-text set left out")
    res = []
    for spec in configs:
        name, flags = parse_config(spec)
        row = {"name": name, "spec": spec, "flags": " ".join(flags), "sets": {}}
        for sname, summary, corpus in sets:
            one = quality_one(contam, summary, corpus, flags, work, threads)
            if sname in row["sets"]:  # another seed of the same set: add the counts up
                for k, (h, n) in one["counts"].items():
                    row["sets"][sname]["counts"][k][0] += h
                    row["sets"][sname]["counts"][k][1] += n
            else:
                row["sets"][sname] = one
            c = row["sets"][sname]["counts"]
            log(f"{name} {sname}: recall {c['planted'][0]}/{c['planted'][1]}, "
                f"absent {c['absent'][0]}/{c['absent'][1]}, {row['sets'][sname]['pct']:.0f}% of filter")
        res.append(row)
    return res


# ---------------------------------------------------------------------------
# 2. Cost

def timed(cmd):
    tv = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else []
    t0 = time.time()
    p = subprocess.run(tv + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    if p.returncode != 0:
        sys.exit(f"minhash: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    u = re.search(r"User time \(seconds\): ([0-9.]+)", p.stderr)
    s = re.search(r"System time \(seconds\): ([0-9.]+)", p.stderr)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    cpu = float(u.group(1)) + float(s.group(1)) if u and s else None
    return wall, cpu, (int(m.group(1)) / 1024 if m else None)


def real_text(shared, work):
    """The real English text of ../shared/data as one JSONL file."""
    out = os.path.join(work, "realtext.jsonl")
    words = 0
    with open(out, "w", encoding="utf-8") as g:
        with gzip.open(os.path.join(shared, "corpus/c4/c4_sample.jsonl.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                t = json.loads(line)["text"]
                words += len(t.split())
                g.write(json.dumps({"text": t}) + "\n")
        paths = [os.path.join(shared, "corpus/wikitext-2", n) for n in ("test.txt", "valid.txt")]
        paths += sorted(glob.glob(os.path.join(shared, "corpus/gutenberg/*.txt")))
        for p in paths:
            with open(p, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            for i in range(0, len(lines), 200):  # 200-line documents
                t = "\n".join(lines[i:i + 200])
                words += len(t.split())
                g.write(json.dumps({"text": t}) + "\n")
    return out, words


def cost_one(contam, path, words, work, threads, repeat, label, arms):
    """Interleaved rounds of `contam index` without --minhash and with each
    arm's flags (arms: [(name, flags)], the first the defaults)."""
    names = ["plain"] + [n for n, _ in arms]
    flags = {"plain": None, **dict(arms)}
    outs = {n: os.path.join(work, f"c-{i}.cidx") for i, n in enumerate(names)}
    runs = {n: [] for n in names}
    for r in range(repeat):
        for name in names:
            cmd = [contam, "index", "-q", "-t", str(threads), "-o", outs[name],
                   "--expected-ngrams", str(words), path]
            if flags[name] is not None:
                cmd += ["--minhash"] + flags[name]
            runs[name].append(timed(cmd))
            log(f"{label} round {r + 1}: {name} {runs[name][-1][0]:.2f} s")
    res = {"label": label, "words": words, "bytes_in": os.path.getsize(path),
           "command": f"contam index -q -t {threads} -o X --expected-ngrams {words} "
                      f"{os.path.basename(path)} [--minhash [flags]]", "arms": {}}
    for name, rr in runs.items():
        inf = info(contam, outs[name])
        res["arms"][name] = {"wall_s": statistics.median(w for w, _, _ in rr),
                             "walls": sorted(w for w, _, _ in rr),
                             "cpu_s": statistics.median(c for _, c, _ in rr) if rr[0][1] is not None else None,
                             "rss_mib": max(m for _, _, m in rr) if rr[0][2] is not None else None,
                             "file_bytes": os.path.getsize(outs[name]), "filter_bytes": inf["filter_bytes"],
                             "minhash": inf.get("minhash"), "flags": flags[name]}
        os.unlink(outs[name])
    p0 = res["arms"]["plain"]
    for name, x in res["arms"].items():
        x["time_ratio"] = x["wall_s"] / p0["wall_s"]
        x["cpu_ratio"] = x["cpu_s"] / p0["cpu_s"] if x["cpu_s"] and p0["cpu_s"] else None
        x["size_ratio"] = x["file_bytes"] / p0["file_bytes"]
    return res


COST_ARMS = ["default=", "design=8,3,5,24/48/96/192", "b16r2-w32/96=16,2,5,32/96",
             "b8r2-w64/192=8,2,5,64/192", "b8r2-w96=8,2,5,96"]


def cost(contam, work, threads, repeat, size, shared):
    out = []
    arms = [parse_config(a) for a in COST_ARMS]
    data = os.path.join(HERE, "data", size)
    man = os.path.join(data, "corpus.json")
    if not os.path.exists(man):
        cmd = [sys.executable, os.path.join(HERE, "gen_corpus.py"), "-o", data, "--size", size,
               "--data-dir", shared, "-q"]
        log("generating: " + " ".join(cmd))
        subprocess.run(cmd, check=True)
    with open(man) as f:
        m = json.load(f)
    out.append(cost_one(contam, os.path.join(data, "corpus.jsonl.zst"), m["words"], work, threads,
                        repeat, f"generated {size}", arms))
    if os.path.isdir(os.path.join(shared, "corpus")):
        path, words = real_text(shared, work)
        out.append(cost_one(contam, path, words, work, threads, repeat,
                            "real text (C4, WikiText-2, Gutenberg)", arms))
    return out


# ---------------------------------------------------------------------------
# Report

def pct(h, n):
    return f"{h}/{n} = {100.0 * h / n:.1f}%" if n else "-"


def write_md(path, meta, qual, costs):
    L = [f"# `contam index --minhash`: recall, false rate and cost ({meta['date']})", "",
         f"Machine: {meta['cpu']} ({meta['nproc']} cores, shared with other jobs: times are "
         f"from a loaded machine; read the ratios of the same round). contam {meta['commit']}.", "",
         "Command: `" + meta["argv"] + "`", ""]
    if qual:
        L += ["## Recall and false rate by configuration", "",
              f"Planted items: tests/cli/neardup_data.py (synthetic: seeds {meta['syn_seeds']}, 240 "
              f"planted and 720 absent each; real: seed {meta['real_seed']}; sentences shuffled, options reordered "
              "with and without relabelling, both; half with light word edits; whole documents "
              "and in the middle of long ones).  `plain` = planted without word edits (what the "
              "acceptance check plants), `absent` = items never planted and unrelated to every "
              "planted one, `related` = items never planted that share at least 20% of their "
              "shingles with a planted one (an MMLU passage or template: near-duplicates of corpus "
              "text, flagging them is right).  "
              "`% filter` = the minhash section's bytes as % of the n-gram filter's.", ""]
        for sname in ("synthetic", "real"):
            if not any(sname in r["sets"] for r in qual):
                continue
            L += [f"### {sname}", "",
                  "| config | b,r,shingle,windows | threshold | recall | plain | whole | middle | "
                  "absent flagged | related flagged | n-gram recall | % filter | keys/shingle |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for r in qual:
                s = r["sets"].get(sname)
                if not s:
                    continue
                c = s["counts"]
                L.append(f"| {r['name']} | {r['spec'].split('=')[1] or 'defaults'} | {s['threshold']:.2f} | "
                         f"{pct(*c['planted'])} | {pct(*c['plain'])} | {pct(*c['whole'])} | "
                         f"{pct(*c['middle'])} | {pct(*c['absent'])} | {pct(*c['related'])} | {pct(*c['ngram'])} | "
                         f"{s['pct']:.0f}% | {s['keys'] / max(s['shingles'], 1):.2f} |")
            L.append("")
    if costs:
        L += ["## Cost of --minhash", "",
              "Interleaved rounds (every command once a round; median wall and CPU "
              "time); ratios to the same round's index without --minhash.", "",
              "| corpus | words | configuration | index s | wall ratio | CPU ratio | file bytes | "
              "size ratio | section % of n-gram filter | band keys/token |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for c in costs:
            for name, x in c["arms"].items():
                mh = x["minhash"] or {}
                kpt = f"{mh['keys'] / c['words']:.2f}" if mh else "-"
                cr = f"{x['cpu_ratio']:.2f}" if x["cpu_ratio"] else "-"
                sec = f"{mh['bytes_pct_of_filter']:.0f}%" if mh else "-"
                L.append(f"| {c['label']} | {c['words']} | {name} | {x['wall_s']:.2f} | "
                         f"{x['time_ratio']:.2f} | {cr} | {x['file_bytes']} | "
                         f"{x['size_ratio']:.2f} | {sec} | {kpt} |")
        L += ["", "Commands: " + "; ".join(f"`{c['command']}`" for c in costs), ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contam", default=os.path.join(ROOT, "build", "src", "cli", "contam"))
    ap.add_argument("--size", default="32M")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--config", action="append")
    ap.add_argument("--quick", action="store_true", help="smaller real set, one cost round")
    ap.add_argument("--no-cost", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--shared", default=nd.shared_default())
    ap.add_argument("--real-seed", type=int, default=17)
    ap.add_argument("--syn-seeds", default="17,18,19",
                    help="seeds of the synthetic sets (240 planted, 720 absent each)")
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    parse_size(a.size)
    date = datetime.date.today().isoformat()
    out = a.out or os.path.join(HERE, "results", f"{date}-minhash.md")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    meta = {"date": date, "cpu": cpu_model(), "nproc": os.cpu_count(), "commit": commit,
            "argv": "bench/minhash.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "syn_seeds": a.syn_seeds, "real_seed": a.real_seed}
    with tempfile.TemporaryDirectory(prefix="contam-minhash-") as work:
        seeds = [int(x) for x in a.syn_seeds.split(",")]
        qual = [] if a.no_quality else quality(a.contam, a.config or CONFIGS, work, a.threads,
                                               a.shared, a.quick, seeds, a.real_seed)
        costs = [] if a.no_cost else cost(a.contam, work, a.threads, 1 if a.quick else a.repeat,
                                          a.size, a.shared)
    write_md(out, meta, qual, costs)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump({"meta": meta, "quality": qual, "cost": costs}, f, indent=1)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
