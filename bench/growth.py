#!/usr/bin/env python3
"""growth.py -- how contam's time and memory grow with the work:
index time and peak RSS per input size, probe time per number of
benchmark examples, merge time per number of parts.

usage: bench/growth.py [--sizes 256M,512M,1G,2G] [--examples 1k,14k,100k]
                       [--parts 2,8,32] [--threads 2] [--repeat N] [--data DIR]
                       [--bin PATH] [--out FILE] [--note TEXT]

Input: bench/gen_corpus.py's corpus.jsonl.zst, generated once at the
largest size into DIR (default bench/data/growth-SIZE, reused when its
corpus.json says the same size); every smaller size is the prefix of its
JSONL lines holding that many bytes, recompressed with `zstd -3`, so each
step is the same kind of text.  SIZE counts uncompressed JSONL bytes.

- index: `contam index -q -t T -o X SIZE.jsonl.zst` (automatic sizing, as a
  user runs it); wall time, CPU time (user + sys) and peak RSS of that
  child (os.wait4's rusage), index file / text, bits per distinct n-gram
  (`contam info --json`).
- probe: benchmark files of N examples ({"question": ...}, half of them
  spans of the corpus, half invented words) against the smallest size's
  index: `contam probe -q -o report.json X bench.jsonl`; an index load is
  in every run, so a 10-example run is timed too and the marginal time
  per 1k examples is reported.
- merge: the smallest size split into P shards (by lines), each indexed
  with the same --expected-ngrams (the whole's n-grams: same geometry),
  then `contam merge -q -o M parts...`; the merge reads P filters of the
  same size, so its time should grow as P.

Every row prints the step ratio: (time ratio) / (work ratio) against the
previous row; 1.0 is linear, below is better than linear.  Writes a
markdown table to --out (default bench/results/<date>-growth.md) with the
machine (CPU model, ISA path from `contam --version`, load average) and
the note given.  Only the standard library and the zstd CLI are needed.
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_size(s):
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgG]?)\s*", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r} (e.g. 256M, 1G)")
    return int(float(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20,
                                    "g": 1 << 30}[m.group(2).lower()])


def parse_count(s):
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmM]?)\s*", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad count {s!r} (e.g. 14k)")
    return int(float(m.group(1)) * {"": 1, "k": 1000, "m": 1000000}[m.group(2).lower()])


def human(n):
    for unit, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= div:
            v = n / div
            return f"{v:.0f}{unit}" if v == int(v) else f"{v:.2f}{unit}"
    return str(n)


def run(cmd, **kw):
    """Run cmd; (wall s, cpu s, peak RSS bytes) of that child alone."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=kw.get("stdout", subprocess.DEVNULL),
                         stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"growth.py: {' '.join(cmd)}: exit {p.returncode}\n"
                 f"{err.decode(errors='replace')[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def rounds(cmds, repeat):
    """Run every command once per round (interleaved); per command the
    median wall and CPU time and the largest peak RSS."""
    got = [[] for _ in cmds]
    for _ in range(repeat):
        for i, c in enumerate(cmds):
            if callable(c):
                got[i].append(c())
            else:
                got[i].append(run(c))
    return [(median([g[0] for g in gs]), median([g[1] for g in gs]), max(g[2] for g in gs))
            for gs in got]


def info(binary, path):
    out = subprocess.run([binary, "info", "--json", path], check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)


def corpus(data, size, zstd):
    """DIR/corpus.jsonl.zst of `size` (generated once)."""
    man = os.path.join(data, "corpus.json")
    try:
        if json.load(open(man))["size"] == size:
            return os.path.join(data, "corpus.jsonl.zst")
    except (OSError, ValueError, KeyError):
        pass
    print(f"generating {human(size)} with bench/gen_corpus.py into {data} ...", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), "-o", data,
                    "--size", str(size), "-q", "--zstd", zstd], check=True)
    return os.path.join(data, "corpus.jsonl.zst")


def prefixes(src, sizes, work, zstd):
    """SIZE -> a .jsonl.zst of the first whole lines of src's JSONL holding
    at most SIZE bytes (the largest size: src itself if it fits)."""
    out = {}
    todo = sorted(sizes)
    dec = subprocess.Popen([zstd, "-dc", "-q", src], stdout=subprocess.PIPE)
    writers = {}
    for s in todo:
        path = os.path.join(work, f"in-{human(s)}.jsonl.zst")
        out[s] = path
        if os.path.exists(path):
            continue
        writers[s] = [subprocess.Popen([zstd, "-3", "-q", "-T2", "-o", path + ".tmp"],
                                       stdin=subprocess.PIPE), 0, path]
    if writers:
        for line in dec.stdout:
            live = False
            for s, w in writers.items():
                if w[0] is None:
                    continue
                if w[1] + len(line) > s:
                    w[0].stdin.close()
                    w[0].wait()
                    os.rename(w[2] + ".tmp", w[2])
                    w[0] = None
                    continue
                w[0].stdin.write(line)
                w[1] += len(line)
                live = True
            if not live:
                break
        for s, w in writers.items():
            if w[0] is not None:
                w[0].stdin.close()
                w[0].wait()
                os.rename(w[2] + ".tmp", w[2])
                if w[1] < s * 0.98:
                    print(f"note: the corpus holds only {human(w[1])} of JSONL for "
                          f"{human(s)}", flush=True)
    dec.stdout.close()
    dec.kill()
    dec.wait()
    return out


def bench_file(path, n, src_jsonl, zstd, seed):
    """n examples: half 40-word spans of the corpus, half invented words."""
    if os.path.exists(path):
        return path
    rnd = random.Random(seed)
    spans = []
    dec = subprocess.Popen([zstd, "-dc", "-q", src_jsonl], stdout=subprocess.PIPE)
    want = (n + 1) // 2
    for line in dec.stdout:
        words = json.loads(line)["text"].split()
        for i in range(0, max(0, len(words) - 40), 400):
            spans.append(" ".join(words[i:i + 40]))
        if len(spans) >= want:
            break
    dec.stdout.close()
    dec.kill()
    dec.wait()
    syl = ["ka", "to", "ri", "mon", "sel", "va", "dre", "lu", "pin", "oth", "ne", "qua"]
    with open(path + ".tmp", "w") as f:
        for i in range(n):
            if i % 2 == 0 and spans:
                q = spans[(i // 2) % len(spans)]
            else:
                q = " ".join("".join(rnd.choice(syl) for _ in range(rnd.randint(1, 4)))
                             for _ in range(40))
            f.write(json.dumps({"id": i, "question": q}) + "\n")
    os.rename(path + ".tmp", path)
    return path


def shards(src, n, work, zstd):
    """src split into n plain JSONL shards, lines dealt in turn."""
    d = os.path.join(work, f"shards-{n}")
    done = os.path.join(d, ".done")
    paths = [os.path.join(d, f"s{i:03d}.jsonl") for i in range(n)]
    if os.path.exists(done):
        return paths
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    fs = [open(p, "wb") for p in paths]
    dec = subprocess.Popen([zstd, "-dc", "-q", src], stdout=subprocess.PIPE)
    for i, line in enumerate(dec.stdout):
        fs[i % n].write(line)
    dec.wait()
    for f in fs:
        f.close()
    open(done, "w").close()
    return paths


NOISE_S = 0.03  # a time below this is the machine's noise, not a base for a ratio


def ratio_col(rows, work_key, time_key):
    """Per row: (time / previous time) / (work / previous work); a row
    whose time is within the noise is marked and skipped as a base."""
    out = []
    prev = None
    for r in rows:
        if r[time_key] < NOISE_S:
            out.append("(noise)")
            continue
        if prev is None:
            out.append("")
        else:
            wr = r[work_key] / prev[work_key]
            out.append(f"{r[time_key] / prev[time_key] / wr:.2f}")
        prev = r
    return out


def machine(binary):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ver = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT).stdout.decode().strip().splitlines()
    isa = next((v for v in ver if "tokenizer" in v or "Bloom" in v), " ".join(ver)[:200])
    return cpu, isa.strip(), os.cpu_count()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="256M,512M,1G,2G")
    ap.add_argument("--examples", default="1k,14k,100k")
    ap.add_argument("--parts", default="2,8,32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds: every timed command once per round, the median reported")
    ap.add_argument("--data", default=None, help="corpus dir (default bench/data/growth-MAX)")
    ap.add_argument("--work", default=None, help="scratch dir (default DATA/work)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "src", "cli", "contam"))
    ap.add_argument("--zstd", default="zstd")
    ap.add_argument("--out", default=None)
    ap.add_argument("--note", default="")
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    sizes = sorted(parse_size(s) for s in a.sizes.split(","))
    examples = sorted(parse_count(s) for s in a.examples.split(","))
    parts = sorted(int(s) for s in a.parts.split(","))
    binary = os.path.abspath(a.bin)
    if not os.path.exists(binary):
        sys.exit(f"growth.py: no contam binary at {binary} (ninja -C build, or --bin)")
    if not shutil.which(a.zstd):
        sys.exit(f"growth.py: no {a.zstd} CLI (apt-get install zstd)")
    data = a.data or os.path.join(HERE, "data", f"growth-{human(sizes[-1])}")
    work = a.work or os.path.join(data, "work")
    os.makedirs(work, exist_ok=True)
    t_start = time.time()
    load0 = os.getloadavg()
    src = corpus(data, sizes[-1], a.zstd)
    inputs = prefixes(src, sizes, work, a.zstd)
    T = str(a.threads)

    # -- index
    idx_rows = []
    outs = {s: os.path.join(work, f"ix-{human(s)}.cidx") for s in sizes}
    timed = rounds([[binary, "index", "-q", "--force", "-t", T, "-o", outs[s], inputs[s]]
                    for s in sizes], a.repeat)
    for s, (wall, cpu, rss) in zip(sizes, timed):
        out = outs[s]
        j = info(binary, out)
        text = j.get("text_bytes") or sum(e["text_bytes"] for e in j["inputs"])
        r = {"size": s, "text": text, "wall": wall, "cpu": cpu, "rss": rss,
             "filter": j["filter_bytes"], "file_text": j.get("file_per_text"),
             "bits": j.get("bits_per_distinct_key"), "fpr": j["fpr"],
             "ngrams": j["ngrams_inserted"], "path": out}
        idx_rows.append(r)
        print(f"index {human(s)}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"{rss / 2**20:.0f} MiB peak RSS, filter {j['filter_bytes'] / 2**20:.1f} MiB",
              flush=True)

    # -- probe (against the smallest index)
    ix0 = idx_rows[0]
    probe_rows = []
    base_n = 10
    rep = os.path.join(work, "probe-report.json")
    cmds = [[binary, "probe", "-q", "-o", rep, ix0["path"],
             bench_file(os.path.join(work, f"bench-{n}.jsonl"), n, inputs[sizes[0]],
                        a.zstd, a.seed)] for n in [base_n] + examples]
    for n, (wall, cpu, rss) in zip([base_n] + examples, rounds(cmds, a.repeat)):
        probe_rows.append({"n": n, "wall": wall, "cpu": cpu, "rss": rss})
        print(f"probe {n} examples: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    base = probe_rows.pop(0)
    for r in probe_rows:
        r["marginal"] = max(r["wall"] - base["wall"], 1e-9)
        r["marginal_cpu"] = max(r["cpu"] - base["cpu"], 1e-9)

    # -- merge (shards of the smallest size, same geometry)
    merge_rows = []
    expected = str(ix0["ngrams"])
    for p in parts:
        ps = shards(inputs[sizes[0]], p, work, a.zstd)
        outs = []
        t_build = 0
        for i, sp in enumerate(ps):
            o = os.path.join(work, f"part-{p}-{i:03d}.cidx")
            w, _, _ = run([binary, "index", "-q", "--force", "-t", T, "--expected-ngrams",
                           expected, "-o", o, sp])
            t_build += w
            outs.append(o)
        m = os.path.join(work, f"merged-{p}.cidx")
        if os.path.exists(m):
            os.unlink(m)
        def merge_once(m=m, outs=outs):
            r = run([binary, "merge", "-q", "-o", m] + outs)
            os.unlink(m)
            return r
        wall, cpu, rss = rounds([merge_once], a.repeat)[0]
        merge_rows.append({"p": p, "wall": wall, "cpu": cpu, "rss": rss,
                           "bytes": sum(os.path.getsize(o) for o in outs),
                           "build": t_build})
        print(f"merge {p} parts: {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"{rss / 2**20:.0f} MiB peak RSS", flush=True)
        for o in outs:
            os.unlink(o)

    load1 = os.getloadavg()
    cpu_model, isa, ncpu = machine(binary)
    lines = []
    P = lines.append
    P(f"# contam growth: index, probe and merge as the work grows "
      f"({datetime.date.today().isoformat()})")
    P("")
    P(f"`bench/growth.py --sizes {a.sizes} --examples {a.examples} --parts {a.parts} "
      f"--threads {a.threads} --repeat {a.repeat}` (median of {a.repeat} interleaved "
      f"round(s)); machine: {cpu_model}, {ncpu} CPUs; `contam --version`: "
      f"{isa}; load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end; "
      f"{time.time() - t_start:.0f} s in all.")
    if a.note:
        P("")
        P(a.note)
    P("")
    P("Step ratio: (time / previous row's) / (work / previous row's work); "
      "1.00 is linear, below 1 better than linear.")
    P("")
    P("## Index (`contam index -q -t %s`, automatic sizing; input: gen_corpus JSONL.zst)" % T)
    P("")
    P("| JSONL | text | wall s | CPU s | s per GiB of text (wall) | step ratio (wall) "
      "| step ratio (CPU) | peak RSS MiB | RSS / filter | filter MiB | file / text "
      "| bits per distinct n-gram | fpr |")
    P("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rw = ratio_col(idx_rows, "text", "wall")
    rc = ratio_col(idx_rows, "text", "cpu")
    for r, x, y in zip(idx_rows, rw, rc):
        P(f"| {human(r['size'])} | {r['text'] / 2**20:.0f} MiB | {r['wall']:.2f} | "
          f"{r['cpu']:.2f} | {r['wall'] / (r['text'] / 2**30):.2f} | {x} | {y} | "
          f"{r['rss'] / 2**20:.0f} | {r['rss'] / r['filter']:.2f} | "
          f"{r['filter'] / 2**20:.1f} | "
          f"{r['file_text']:.3f} | {r['bits']:.1f} | {r['fpr']:.2g} |"
          if r["file_text"] is not None and r["bits"] else
          f"| {human(r['size'])} | {r['text'] / 2**20:.0f} MiB | {r['wall']:.2f} | "
          f"{r['cpu']:.2f} | {r['wall'] / (r['text'] / 2**30):.2f} | {x} | {y} | "
          f"{r['rss'] / 2**20:.0f} | {r['rss'] / r['filter']:.2f} | "
          f"{r['filter'] / 2**20:.1f} | ? | ? | {r['fpr']:.2g} |")
    P("")
    P(f"## Probe (`contam probe -q` against the {human(sizes[0])} index, "
      f"{ix0['filter'] / 2**20:.1f} MiB filter)")
    P("")
    P(f"A {base_n}-example run (the index load and start-up): {base['wall']:.2f} s wall, "
      f"{base['cpu']:.2f} s CPU; marginal = wall - that.")
    P("")
    P("| examples | wall s | CPU s | marginal wall s | marginal CPU s "
      "| marginal CPU ms per 1k examples | step ratio (marginal wall) "
      "| step ratio (marginal CPU) | peak RSS MiB |")
    P("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rm = ratio_col(probe_rows, "n", "marginal")
    rmc = ratio_col(probe_rows, "n", "marginal_cpu")
    for r, x, y in zip(probe_rows, rm, rmc):
        P(f"| {r['n']:,} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['marginal']:.2f} | "
          f"{r['marginal_cpu']:.2f} | {1000 * r['marginal_cpu'] / (r['n'] / 1000):.1f} | "
          f"{x} | {y} | {r['rss'] / 2**20:.0f} |")
    P("")
    P(f"## Merge (`contam merge -q`; the {human(sizes[0])} input split into P shards, "
      f"each indexed with --expected-ngrams {expected})")
    P("")
    P("Each part holds the whole filter's geometry (%.1f MiB uncompressed), so the "
      "work is P filters; the part files shrink with P as sparser chunks compress "
      "better." % (ix0["filter"] / 2**20))
    P("")
    P("| parts | part files MiB | wall s | CPU s | CPU s per part | step ratio (wall, per part) "
      "| step ratio (CPU, per part) | CPU ms per MiB of part files | peak RSS MiB "
      "| building the parts s |")
    P("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rg = ratio_col(merge_rows, "p", "wall")
    rc = ratio_col(merge_rows, "p", "cpu")
    for r, x, y in zip(merge_rows, rg, rc):
        P(f"| {r['p']} | {r['bytes'] / 2**20:.0f} | {r['wall']:.2f} | {r['cpu']:.2f} | "
          f"{r['cpu'] / r['p']:.3f} | {x} | {y} | {1000 * r['cpu'] / (r['bytes'] / 2**20):.2f} | "
          f"{r['rss'] / 2**20:.0f} | {r['build']:.1f} |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = a.out or os.path.join(HERE, "results",
                                f"{datetime.date.today().isoformat()}-growth.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.rename(out + ".tmp", out)
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump({"index": idx_rows, "probe": probe_rows, "probe_base": base,
                   "merge": merge_rows, "machine": [cpu_model, isa, ncpu],
                   "load": [load0, load1]}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
