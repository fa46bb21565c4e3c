#!/usr/bin/env python3
"""bench/docfreq.py -- what `contam index --doc-freq` costs and how far its
estimates are off.

  bench/docfreq.py [--size 128M] [--err-size 32M] [--repeat 3] [--threads 2]

1. Cost.  On the generated English corpus of bench/run.sh (bench/data/<size>,
   made by bench/gen_corpus.py when missing), `contam index` with and without
   --doc-freq, in interleaved rounds (median wall time), same command
   otherwise (--expected-ngrams = the corpus's word count, as bench/run.py).
   Reported: wall time, peak RSS and file size of each, and the ratios.
2. Accuracy.  A smaller corpus of documents: the generated corpus of
   --err-size (almost every 8-gram unique), boilerplate planted in 30% of its
   documents (2,000 template sentences drawn with Zipf weights, so some are
   in thousands of documents), and the real C4 sample and Gutenberg books (in
   chunks of 40 lines; the licence is boilerplate) of ../shared/data when
   present.  build/docfreq_err builds the sketch and counts every n-gram's
   documents exactly; for d = 2 and 3 and 0.5, 1 and 2 counters per n-gram it
   reports the over-count (estimate - exact) distribution and, for n-grams in
   one document, how often the estimate exceeds K (what probe --max-doc-freq
   K would set aside wrongly).

Writes bench/results/<date>-docfreq-<isa>.md and .json.  Not a test.
"""
import argparse
import datetime
import gzip
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gen_corpus import parse_size  # noqa: E402


def log(msg):
    print(f"docfreq: {msg}", file=sys.stderr, flush=True)


def isa():
    flags, model = "", "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags") and not flags:
                    flags = line
                elif line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    tag = "avx512" if " avx512f" in flags else "avx2" if " avx2" in flags else "scalar"
    return tag, model


def ensure_corpus(data, size, shared):
    man = os.path.join(data, "corpus.json")
    if os.path.exists(man):
        with open(man) as f:
            m = json.load(f)
        if m.get("size") == size and all(os.path.exists(os.path.join(data, n)) for n in m["files"]):
            return m
    cmd = [sys.executable, os.path.join(HERE, "gen_corpus.py"), "-o", data, "--size", str(size),
           "--data-dir", shared, "-q"]
    log("generating: " + " ".join(cmd))
    subprocess.run(cmd, check=True)
    with open(man) as f:
        return json.load(f)


def timed(cmd):
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system; from
    /usr/bin/time when present)."""
    tv = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else []
    t0 = time.time()
    p = subprocess.run(tv + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    if p.returncode != 0:
        sys.exit(f"docfreq: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    u = re.search(r"User time \(seconds\): ([0-9.]+)", p.stderr)
    s = re.search(r"System time \(seconds\): ([0-9.]+)", p.stderr)
    cpu = float(u.group(1)) + float(s.group(1)) if u and s else None
    return wall, (int(m.group(1)) / 1024 if m else None), cpu


def cost(contam, man, data, work, threads, repeat):
    zst = os.path.join(data, "corpus.jsonl.zst")
    expected = str(man["words"])
    runs = {"plain": [], "doc-freq": []}
    outs = {"plain": os.path.join(work, "plain.cidx"), "doc-freq": os.path.join(work, "df.cidx")}
    for r in range(repeat):
        for name in ("plain", "doc-freq"):
            cmd = [contam, "index", "-q", "-t", str(threads), "-o", outs[name],
                   "--expected-ngrams", expected, zst] + (["--doc-freq"] if name == "doc-freq" else [])
            wall, rss, cpu = timed(cmd)
            runs[name].append((wall, rss, cpu))
            log(f"round {r + 1}: {name} {wall:.2f} s")
    res = {}
    for name, rr in runs.items():
        walls = sorted(w for w, _, _ in rr)
        med = statistics.median(walls)
        rss = [m for w, m, _ in rr if m is not None]
        cpus = [c for _, _, c in rr if c is not None]
        info = json.loads(subprocess.run([contam, "info", "--json", outs[name]], check=True,
                                         stdout=subprocess.PIPE, text=True).stdout)
        res[name] = {"wall_s": med, "walls": walls, "peak_rss_mib": max(rss) if rss else None,
                     "cpu_s": statistics.median(cpus) if cpus else None, "cpus": sorted(cpus),
                     "file_bytes": os.path.getsize(outs[name]), "filter_bytes": info["filter_bytes"],
                     "doc_freq": info.get("doc_freq"), "ngrams": info["ngrams_inserted"]}
    res["command"] = (f"contam index -q -t {threads} -o X --expected-ngrams {expected} "
                      f"corpus.jsonl.zst [--doc-freq]")
    res["time_ratio"] = res["doc-freq"]["wall_s"] / res["plain"]["wall_s"]
    if res["plain"]["cpu_s"] and res["doc-freq"]["cpu_s"]:
        res["cpu_ratio"] = res["doc-freq"]["cpu_s"] / res["plain"]["cpu_s"]
    res["size_ratio"] = res["doc-freq"]["file_bytes"] / res["plain"]["file_bytes"]
    if res["plain"]["peak_rss_mib"] and res["doc-freq"]["peak_rss_mib"]:
        res["rss_ratio"] = res["doc-freq"]["peak_rss_mib"] / res["plain"]["peak_rss_mib"]
    return res


def accuracy_docs(data, shared, work, seed=13):
    """docs.jsonl and docs.txt (the same texts, one per line)."""
    rnd = random.Random(seed)
    docs = []
    with open(os.path.join(data, "corpus.txt"), encoding="utf-8") as f:
        for para in f.read().split("\n\n"):
            if para.strip():
                docs.append(para)
    gen = len(docs)
    # planted boilerplate: 2000 template sentences, Zipf weights
    words = " ".join(docs[:2000]).split()
    templates = [" ".join(rnd.choice(words) for _ in range(rnd.randint(10, 25)))
                 for _ in range(2000)]
    weights = [1 / (i + 1) for i in range(len(templates))]
    for i in range(len(docs)):
        if rnd.random() < 0.3:
            t = rnd.choices(templates, weights)[0]
            s = docs[i].split(". ")
            s.insert(rnd.randint(0, len(s)), t)
            docs[i] = ". ".join(s)
    real = 0
    c4 = os.path.join(shared, "corpus", "c4", "c4_sample.jsonl.gz")
    if os.path.exists(c4):
        with gzip.open(c4, "rt", encoding="utf-8") as f:
            for line in f:
                t = json.loads(line).get("text", "")
                if t.strip():
                    docs.append(t)
                    real += 1
    gdir = os.path.join(shared, "corpus", "gutenberg")
    if os.path.isdir(gdir):
        for n in sorted(os.listdir(gdir)):
            with open(os.path.join(gdir, n), encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            for i in range(0, len(lines), 40):
                t = "\n".join(lines[i:i + 40])
                if t.strip():
                    docs.append(t)
                    real += 1
    jl, txt = os.path.join(work, "docs.jsonl"), os.path.join(work, "docs.txt")
    ngrams = 0
    with open(jl, "w", encoding="utf-8") as a, open(txt, "w", encoding="utf-8") as b:
        for t in docs:
            flat = re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]", " ", t)
            a.write(json.dumps({"text": flat}) + "\n")
            b.write(flat + "\n")
            ngrams += max(0, len(flat.split()) - 7)
    return jl, txt, {"generated_docs": gen, "real_docs": real, "docs": len(docs),
                     "ngrams_approx": ngrams}


def accuracy(errbin, jl, txt, ngrams):
    out = []
    for d in (2, 3):
        for per in (0.5, 1.0, 2.0):
            counters = int(per * ngrams)
            p = subprocess.run([errbin, jl, txt, str(counters), str(d)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            if p.returncode not in (0, 1):
                sys.exit(f"docfreq: docfreq_err failed: {p.stderr[-2000:]}")
            r = json.loads(p.stdout)
            r["per_ngram"] = per
            out.append(r)
            log(f"d={d} {per} counters/n-gram: mean over {r['mean_over']:.3f}, "
                f"P(est>10 | 1 doc) {r['once_over_k']['10']:.2e}, undercounts {r['undercounts']}")
    return out


def report(res, acc, meta, path_md):
    c = res
    lines = [f"# doc-freq sketch: cost and accuracy ({meta['date']}, {meta['cpu']}, {meta['isa']})", "",
             f"Command: `{meta['command']}`", "",
             "## Cost (median of %d interleaved rounds, -t %d)" % (meta["repeat"], meta["threads"]), "",
             f"Corpus: generated English, {meta['size']} of text, {c['plain']['ngrams']:,} n-grams.", "",
             "| | wall s | CPU s | peak RSS MiB | file bytes | all wall s |", "|---|---|---|---|---|---|"]
    for name in ("plain", "doc-freq"):
        r = c[name]
        lines.append(f"| {name} | {r['wall_s']:.2f} | {r['cpu_s'] or 0:.2f} | {r['peak_rss_mib'] or 0:.0f} | "
                     f"{r['file_bytes']:,} | {', '.join(f'{w:.2f}' for w in r['walls'])} |")
    lines += ["", f"Ratios (doc-freq / plain): wall time {c['time_ratio']:.3f}, CPU time "
              f"{c.get('cpu_ratio', 0):.3f}, file size "
              f"{c['size_ratio']:.3f}" + (f", peak RSS {c['rss_ratio']:.3f}" if "rss_ratio" in c else ""),
              "", f"Sketch: {json.dumps(c['doc-freq']['doc_freq'])}", "",
              "## Accuracy (estimate - exact, over distinct n-grams)", "",
              f"Documents: {meta['acc_docs']}", "",
              "| d | counters/n-gram | noise d*N/C | mean over | P(over=0) | P(over>=4) | "
              "P(over>=16) | max over | P(est>2 \\| 1 doc) | P(est>5 \\| 1 doc) | "
              "P(est>10 \\| 1 doc) | P(est>20 \\| 1 doc) | undercounts |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in acc:
        h = r["hist"]
        lines.append(f"| {r['d']} | {r['per_ngram']} | {r['noise']:.2f} | {r['mean_over']:.3f} | "
                     f"{h[0]:.4f} | {sum(h[4:]):.2e} | {sum(h[6:]):.2e} | {r['max_over']} | "
                     f"{r['once_over_k']['2']:.2e} | {r['once_over_k']['5']:.2e} | "
                     f"{r['once_over_k']['10']:.2e} | {r['once_over_k']['20']:.2e} | {r['undercounts']} |")
    with open(path_md, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="128M")
    ap.add_argument("--err-size", default="32M")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shared", default=os.environ.get("CONTAM_SHARED_DATA",
                                                        os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-cost", action="store_true", help="accuracy only")
    ap.add_argument("--no-accuracy", action="store_true", help="cost only")
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    build = os.path.join(ROOT, "build")
    if not a.no_build:
        subprocess.run(["ninja", "-C", build], check=True, stdout=subprocess.DEVNULL)
    contam = os.path.join(build, "src", "cli", "contam")
    errbin = os.path.join(build, "docfreq_err")
    work = os.path.join(HERE, "data", "docfreq-work")
    os.makedirs(work, exist_ok=True)
    tag, cpu = isa()
    date = datetime.date.today().isoformat()
    res = None
    if not a.no_cost:
        size = parse_size(a.size)
        data = os.path.join(HERE, "data", a.size)
        man = ensure_corpus(data, size, a.shared)
        res = cost(contam, man, data, work, a.threads, a.repeat)
        log(f"time ratio {res['time_ratio']:.3f}, size ratio {res['size_ratio']:.3f}")
    acc, dmeta = [], {}
    if not a.no_accuracy:
        esize = parse_size(a.err_size)
        edata = os.path.join(HERE, "data", a.err_size)
        ensure_corpus(edata, esize, a.shared)
        jl, txt, dmeta = accuracy_docs(edata, a.shared, work)
        acc = accuracy(errbin, jl, txt, dmeta["ngrams_approx"])
    meta = {"date": date, "isa": tag, "cpu": cpu, "repeat": a.repeat, "threads": a.threads,
            "size": a.size, "err_size": a.err_size, "acc_docs": dmeta,
            "command": "bench/docfreq.py " + " ".join(sys.argv[1:])}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    base = os.path.join(HERE, "results", f"{date}-docfreq-{tag}{'-' + a.tag if a.tag else ''}")
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "cost": res, "accuracy": acc}, f, indent=1)
    if res:
        report(res, acc, meta, base + ".md")
    else:
        with open(base + ".md", "w") as f:
            f.write(json.dumps(acc, indent=1) + "\n")
    log(f"wrote {base}.md and .json")


if __name__ == "__main__":
    main()
