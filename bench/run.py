#!/usr/bin/env python3
"""contam benchmark suite: one command, every baseline in the same invocation.

Builds contam (ninja), generates (or reuses) a deterministic corpus with
bench/gen_corpus.py, then times on the same files, back to back:

  zstd -dc                 JSONL.zst  -> /dev/null   (decompression baseline)
  gzip -dc, igzip -dc,     WET.gz     -> /dev/null   (igzip and libdeflate only
  libdeflate-gunzip -c                                when installed)
  contam index -t 1, -t 2  on the JSONL.zst and on the WET.gz
  contam probe             all 57 MMLU test CSVs, index load included
  rg -F -c -f              1,000 benchmark lines against corpus.txt (exact scan)
  baseline_hashset.py      the classic Python 13-gram set check

and prints one table (wall, MB/s of text, MB/s per core, core-ns per n-gram,
peak RSS, ratios to zstd -dc and gzip -dc), the performance targets, and the
machine, compiler and flags.  Results go to bench/results/<date>-<host>.md and
.json.  The run verifies itself: decompressors agree on the byte count, both
indexes hold the same n-grams, threads 1 and 2 give the same filter, corpus
paragraphs probe as contaminated, MMLU has 14,042 examples, and rg and the
hash-set script find the planted corpus lines.

usage: bench/run.sh [--quick] [--size SIZE] [--repeat N] [--perf] ...
"""

import argparse
import csv
import datetime
import glob
import hashlib
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MMLU_EXAMPLES = 14042
RG_LINES = 1000
PLANTED = 10          # corpus paragraphs planted among the rg / hash-set lines
VERIFY_PARAGRAPHS = 20
NGRAM_FACTOR = 1.0    # --expected-ngrams = whitespace words x this (contam finds ~1% more
                      # tokens, splitting on punctuation, and 7 fewer n-grams per document)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def try_sh(cmd):
    try:
        return subprocess.run(cmd, text=True, capture_output=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# ---------------------------------------------------------------- timing

TIME = "/usr/bin/time"
HZ = os.sysconf("SC_CLK_TCK")


def cpu_busy():
    """Seconds of busy CPU time on the machine so far (all CPUs, /proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / HZ


def wait_idle(limit_s, threshold=0.05):
    """Wait (up to limit_s) until other processes use < threshold of the machine for 2 s."""
    t_end = time.monotonic() + limit_s
    while True:
        b0 = cpu_busy()
        time.sleep(2)
        frac = (cpu_busy() - b0) / (2 * os.cpu_count())
        if frac < threshold or time.monotonic() >= t_end:
            return frac


def timed(cmd, stdout=subprocess.DEVNULL):
    """Run cmd under /usr/bin/time -v.  Returns dict(wall, user, sys, rss_kib, rc, out)."""
    tf = os.path.join(WORK, "time.txt")
    full = [TIME, "-v", "-o", tf] + cmd
    b0 = cpu_busy()
    t0 = time.perf_counter()
    if stdout == "capture":
        p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = p.stdout
    else:
        p = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE)
        out = b""
    wall = time.perf_counter() - t0
    busy = cpu_busy() - b0
    info = {}
    with open(tf) as f:
        for line in f:
            k, _, v = line.strip().rpartition(": ")
            info[k] = v
    r = {
        "wall": wall,
        "user": float(info.get("User time (seconds)", 0)),
        "sys": float(info.get("System time (seconds)", 0)),
        "rss_kib": int(info.get("Maximum resident set size (kbytes)", 0)),
        "rc": p.returncode, "out": out,
        # CPU used by other processes during the run, as a fraction of the machine
        "foreign": max(0.0, busy - float(info.get("User time (seconds)", 0))
                       - float(info.get("System time (seconds)", 0))) / (wall * os.cpu_count()), "err": p.stderr.decode(errors="replace"),
    }
    return r


WAIT_IDLE = 0


def measure(name, cmd, repeat, ok_rc=(0,), stdout=subprocess.DEVNULL, cores=1):
    """Repeat a command; keep the run with the median wall time."""
    runs = []
    for i in range(repeat):
        if WAIT_IDLE:
            wait_idle(WAIT_IDLE)
        r = timed(cmd, stdout=stdout)
        if r["rc"] not in ok_rc:
            sys.exit(f"bench: {name}: exit {r['rc']}: {' '.join(cmd)}\n{r['err'][-2000:]}")
        runs.append(r)
        log(f"  {name}: {r['wall']:.3f}s  cpu {r['user'] + r['sys']:.2f}s  "
            f"rss {r['rss_kib'] / 1024:.0f} MiB  other processes {r['foreign']:.0%}")
    walls = [r["wall"] for r in runs]
    med = sorted(runs, key=lambda r: r["wall"])[(len(runs) - 1) // 2]
    return {
        "name": name, "cmd": " ".join(cmd), "cores": cores, "repeat": repeat,
        "walls": [round(w, 4) for w in walls], "wall": med["wall"],
        "wall_min": min(walls), "cpu": med["user"] + med["sys"],
        "rss_kib": max(r["rss_kib"] for r in runs), "out": med["out"],
        "foreign": med["foreign"], "foreign_max": max(r["foreign"] for r in runs),
    }


def remove_output(cmd):
    """Delete a command's -o file before it runs: each run writes a new
    file, as a first run would.  (Replacing the previous round's index
    would add the unlink of a file of hundreds of MB to the timed rename:
    0.1 s for the 1 GB corpus's 331 MiB index.)"""
    if "-o" in cmd:
        out = cmd[cmd.index("-o") + 1]
        if os.path.exists(out):
            os.unlink(out)


def measure_rounds(jobs, repeat):
    """Run every job once per round, `repeat` rounds, jobs in order within a
    round.  A shared machine has slow spells of tens of seconds; run back to
    back, all runs of one command can fall in one, so its ratio to another
    command's runs measured a minute later is off by the spell.  Interleaved,
    a spell slows one round of every command, and the ratios below are
    taken within a round.  jobs: (key, name, cmd, cores).  Returns
    {key: measure dict, with "walls" in round order}."""
    runs = {key: [] for key, _, _, _ in jobs}
    for rnd in range(repeat):
        log(f"round {rnd + 1} of {repeat}")
        for key, name, cmd, cores in jobs:
            if WAIT_IDLE:
                wait_idle(WAIT_IDLE)
            remove_output(cmd)
            r = timed(cmd)
            if r["rc"] != 0:
                sys.exit(f"bench: {name}: exit {r['rc']}: {' '.join(cmd)}\n{r['err'][-2000:]}")
            runs[key].append(r)
            log(f"  {name}: {r['wall']:.3f}s  cpu {r['user'] + r['sys']:.2f}s  "
                f"rss {r['rss_kib'] / 1024:.0f} MiB  other processes {r['foreign']:.0%}")
    out = {}
    for key, name, cmd, cores in jobs:
        rs = runs[key]
        walls = [r["wall"] for r in rs]
        med = sorted(rs, key=lambda r: r["wall"])[(len(rs) - 1) // 2]
        out[key] = {
            "name": name, "cmd": " ".join(cmd), "cores": cores, "repeat": repeat,
            "walls": [round(w, 4) for w in walls], "wall": med["wall"],
            "wall_min": min(walls), "cpu": med["user"] + med["sys"],
            "rss_kib": max(r["rss_kib"] for r in rs), "out": None,
            "foreign": med["foreign"], "foreign_max": max(r["foreign"] for r in rs),
        }
    return out


def round_ratio(a, b):
    """Median over rounds of a's wall / b's wall in the same round."""
    rs = sorted(x / y for x, y in zip(a["walls"], b["walls"]))
    n = len(rs)
    return rs[n // 2] if n % 2 else (rs[n // 2 - 1] + rs[n // 2]) / 2


# ---------------------------------------------------------------- machine

def machine_info(contam):
    lscpu = try_sh(["lscpu"])
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    info = {
        "host": socket.gethostname(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "os": "",
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "thp": "",
    }
    try:
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            info["os"] = m.group(1) if m else ""
    except OSError:
        pass
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            info["thp"] = f.read().strip()
    except OSError:
        pass
    return info


def build_info(build):
    b = {"compiler": "", "buildtype": "", "flags": "", "commit": "", "dirty": []}
    try:
        with open(os.path.join(build, "meson-logs", "meson-log.txt"), errors="replace") as f:
            m = re.search(r"C compiler for the host machine: (.+)", f.read())
            b["compiler"] = m.group(1).strip() if m else ""
    except OSError:
        pass
    try:
        opts = json.loads(sh(["meson", "introspect", "--buildoptions", build]))
        o = {x["name"]: x["value"] for x in opts}
        b["buildtype"] = f"{o.get('buildtype')} (optimization {o.get('optimization')}, " \
                         f"b_lto {o.get('b_lto')}, c_args {o.get('c_args')})"
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    try:
        with open(os.path.join(build, "compile_commands.json")) as f:
            for c in json.load(f):
                if c["file"].endswith("index_build.c") or c["file"].endswith("index.c"):
                    keep = [t for t in c["command"].split()
                            if re.match(r"-(O|m|f(?!diagnostics)|std=|DNDEBUG|g$|flto)", t)]
                    b["flags"] = " ".join(keep)
                    break
    except (OSError, ValueError, KeyError):
        pass
    b["commit"] = try_sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    try:
        st = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "include",
                             "meson.build"], capture_output=True, text=True).stdout
        b["dirty"] = [l[3:] for l in st.splitlines() if len(l) > 3]
    except OSError:
        pass
    return b


def tool_versions(tools):
    v = {}
    for name, cmd in tools.items():
        out = try_sh(cmd)
        v[name] = out.splitlines()[0] if out else ""
    return v


# ---------------------------------------------------------------- inputs

def ensure_build(build, skip):
    if skip:
        return
    if not os.path.isdir(build):
        log("no build directory: meson setup --buildtype=release")
        subprocess.run(["meson", "setup", build, "--buildtype=release"], cwd=ROOT, check=True)
    log("ninja -C build")
    for attempt in range(6):
        p = subprocess.run(["ninja", "-C", build], cwd=ROOT, capture_output=True, text=True)
        if p.returncode == 0 or "already using this build directory" not in p.stdout + p.stderr:
            break
        log("another meson/ninja is using the build directory; retrying in 10 s")
        time.sleep(10)
    if p.returncode != 0:
        sys.exit("bench: build failed:\n" + p.stdout[-3000:] + p.stderr[-3000:])


def ensure_corpus(data, size, seed, shared, regenerate):
    man = os.path.join(data, "corpus.json")
    if not regenerate and os.path.exists(man):
        with open(man) as f:
            m = json.load(f)
        if m.get("size") == size and m.get("seed") == seed and all(
                os.path.exists(os.path.join(data, n)) and os.path.getsize(os.path.join(data, n)) == s
                for n, s in m["files"].items()):
            log(f"reusing corpus in {data} (generated in {m['seconds']}s)")
            return m, False
    cmd = [sys.executable, os.path.join(HERE, "gen_corpus.py"), "-o", data,
           "--size", str(size), "--seed", str(seed), "--data-dir", shared]
    log("generating corpus: " + " ".join(cmd))
    subprocess.run(cmd, check=True)
    with open(man) as f:
        return json.load(f), True


def benchmark_files(shared, work):
    """MMLU test CSVs (no header), or 57 generated CSVs of the same shape."""
    files = sorted(glob.glob(os.path.join(shared, "benchmarks", "mmlu", "data", "test", "*.csv")))
    if len(files) == 57:
        return files, "mmlu"
    d = os.path.join(work, "mmlu-generated")
    os.makedirs(d, exist_ok=True)
    rng = random.Random(57)
    syll = "ka lo mi re su ta ne vo pi da gu fe zo ri".split()

    def word():
        return "".join(rng.choice(syll) for _ in range(1 + int(rng.random() * 3)))

    per = [MMLU_EXAMPLES // 57 + (1 if i < MMLU_EXAMPLES % 57 else 0) for i in range(57)]
    files = []
    for i, n in enumerate(per):
        p = os.path.join(d, f"subject{i:02d}_test.csv")
        with open(p, "w", newline="") as f:
            w = csv.writer(f)
            for _ in range(n):
                q = " ".join(word() for _ in range(10 + int(rng.random() * 40))) + "?"
                w.writerow([q] + [" ".join(word() for _ in range(1 + int(rng.random() * 6)))
                                  for _ in range(4)] + [rng.choice("ABCD")])
        files.append(p)
    return files, "generated (no MMLU in shared data)"


def corpus_paragraphs(txt, count, seed, min_words=20, max_words=80):
    """Deterministic sample of paragraph lines of corpus.txt (read at spread offsets)."""
    rng = random.Random(seed)
    size = os.path.getsize(txt)
    out = []
    seen = set()
    with open(txt, "rb") as f:
        tries = 0
        while len(out) < count and tries < count * 50:
            tries += 1
            f.seek(int(rng.random() * max(1, size - 100000)))
            f.readline()
            line = f.readline().decode("utf-8", errors="strict").strip()
            n = len(line.split())
            if min_words <= n <= max_words and line not in seen:
                seen.add(line)
                out.append(line)
    return out


def rg_patterns(bench_files, planted, path):
    """1,000 lines: benchmark questions (first line, >= 30 chars) plus planted corpus lines."""
    lines = []
    seen = set()
    for p in bench_files:
        with open(p, newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                if not row:
                    continue
                q = row[0].split("\n")[0].strip()
                if len(q) >= 30 and q not in seen:
                    seen.add(q)
                    lines.append(q)
    rng = random.Random(1000)
    rng.shuffle(lines)
    lines = lines[:RG_LINES - len(planted)] + planted
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


# ---------------------------------------------------------------- contam

def contam_info(contam, idx):
    return json.loads(sh([contam, "info", "--json", idx]))


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def filter_digest(contam, idx):
    """Digest of the parameters and bits of an index (the manifest records paths)."""
    i = contam_info(contam, idx)
    return {k: i.get(k) for k in ("ngram", "recipe", "k", "nblocks", "seed", "filter_bytes",
                                   "ngrams_inserted", "documents", "bits_set")}


# ---------------------------------------------------------------- report

def fmt(x, nd=2):
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{nd}f}"


def main():
    global WORK, WAIT_IDLE
    ap = argparse.ArgumentParser(description="contam benchmark suite")
    ap.add_argument("--quick", action="store_true", help="50 MB corpus, 1 repetition")
    ap.add_argument("--size", help="corpus text size (default 1G; --quick: 50M)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, help="repetitions of each fast command; "
                    "the median is reported (default 3; --quick: 1)")
    ap.add_argument("--data", help="corpus directory (default bench/data/<size>)")
    ap.add_argument("--shared", default=os.environ.get("CONTAM_SHARED_DATA",
                    os.path.join(ROOT, "..", "shared", "data")),
                    help="shared data (training text for the generator, MMLU)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--no-build", action="store_true", help="do not run ninja first")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the corpus")
    ap.add_argument("--no-python", action="store_true", help="skip the Python hash-set baseline")
    ap.add_argument("--perf", action="store_true",
                    help="also perf-record contam index -t 1 on the JSONL.zst; top functions to results")
    ap.add_argument("--wait-idle", type=float, default=60, metavar="S",
                    help="before each timed command, wait up to S seconds for other "
                         "processes to leave the machine idle (default %(default)s; 0: don't)")
    ap.add_argument("--results", default=os.path.join(HERE, "results"))
    ap.add_argument("--tag", default="", help="suffix for the results file names")
    args = ap.parse_args()

    size_s = args.size or ("50M" if args.quick else "1G")
    sys.path.insert(0, HERE)
    from gen_corpus import parse_size
    size = parse_size(size_s)
    repeat = args.repeat or (1 if args.quick else 3)
    WAIT_IDLE = args.wait_idle
    data = os.path.abspath(args.data or os.path.join(HERE, "data", size_s))
    WORK = os.path.join(data, "work")
    os.makedirs(WORK, exist_ok=True)
    shared = os.path.abspath(args.shared)

    if not os.path.exists(TIME):
        sys.exit("bench: /usr/bin/time missing (apt-get install time)")
    for t in ("zstd", "gzip", "rg"):
        if not shutil.which(t):
            sys.exit(f"bench: {t} missing (apt-get install {'ripgrep' if t == 'rg' else t})")

    ensure_build(args.build, args.no_build)
    contam = os.path.join(args.build, "src", "cli", "contam")
    if not os.access(contam, os.X_OK):
        sys.exit(f"bench: {contam} not built")
    t_start = time.time()
    man, generated = ensure_corpus(data, size, args.seed, shared, args.regenerate)
    zst = os.path.join(data, "corpus.jsonl.zst")
    wet = os.path.join(data, "corpus.warc.wet.gz")
    txt = os.path.join(data, "corpus.txt")
    text_bytes = man["text_bytes"]
    expected = int(man["words"] * NGRAM_FACTOR)

    checks = []

    def check(name, ok, detail=""):
        checks.append({"check": name, "ok": bool(ok), "detail": detail})
        log(f"check {'ok  ' if ok else 'FAIL'} {name} {detail}")

    # warm the page cache so every tool reads from memory
    for p in (zst, wet, txt):
        with open(p, "rb") as f:
            while f.read(8 << 20):
                pass

    rows = []

    # -------- decompression baselines
    decomp = [("zstd -dc", zst, ["zstd", "-dc", zst])]
    decomp.append(("gzip -dc", wet, ["gzip", "-dc", wet]))
    if shutil.which("igzip"):
        decomp.append(("igzip -dc", wet, ["igzip", "-dc", wet]))
    if shutil.which("libdeflate-gunzip"):
        decomp.append(("libdeflate-gunzip -c", wet, ["libdeflate-gunzip", "-c", wet]))
    if shutil.which("pigz"):
        decomp.append(("pigz -dc", wet, ["pigz", "-dc", wet]))
    out_bytes = {}
    for name, path, cmd in decomp:
        # untimed pass: count the output bytes, so every tool is seen to decompress it all
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        n = 0
        while True:
            b = p.stdout.read(1 << 20)
            if not b:
                break
            n += len(b)
        p.wait()
        out_bytes[name] = n
    ref_wet = out_bytes["gzip -dc"]
    for name, path, cmd in decomp:
        if path == wet and name != "gzip -dc":
            check(f"{name} output = gzip -dc output", out_bytes[name] == ref_wet,
                  f"{out_bytes[name]} bytes")
    check("zstd -dc output = JSONL bytes", out_bytes["zstd -dc"] == man["jsonl_bytes"],
          f"{out_bytes['zstd -dc']} bytes")

    # -------- decompression baselines and contam index, interleaved
    log(f"decompression baselines and contam index, {repeat} interleaved rounds "
        f"(--expected-ngrams {expected}: {man['words']} words x {NGRAM_FACTOR})")
    jobs = [(name, name, cmd, 1) for name, path, cmd in decomp]
    idx_out = {}
    for label, path in (("JSONL.zst", zst), ("WET.gz", wet)):
        for t in (1, 2):
            out = os.path.join(WORK, f"{label.split('.')[0].lower()}-t{t}.cidx")
            idx_out[(label, t)] = out
            jobs.append(((label, t), f"contam index -t {t}",
                         [contam, "index", "-q", "-o", out, "--threads", str(t),
                          "--expected-ngrams", str(expected), path], t))
    measured = measure_rounds(jobs, repeat)
    base = {}
    for name, path, cmd in decomp:
        m = measured[name]
        m.update(kind="decompress", input=os.path.basename(path))
        rows.append(m)
        base[name] = m["wall"]
    idx = {}
    for (label, t), out in idx_out.items():
        m = measured[(label, t)]
        info = contam_info(contam, out)
        m.update(kind="index", input=label, threads=t, index=out,
                 ngrams=info["ngrams_inserted"], filter_bytes=info["filter_bytes"],
                 index_file_bytes=os.path.getsize(out), fill=info["fill"], fpr=info["fpr"],
                 documents=info["documents"], text_bytes_contam=info["inputs"][0].get("text_bytes"))
        rows.append(m)
        idx[(label, t)] = (out, info)
    ngrams = idx[("JSONL.zst", 1)][1]["ngrams_inserted"]
    info1 = idx[("JSONL.zst", 1)][1]

    # -------- index checks
    for key, (out, info) in idx.items():
        check(f"index {key[0]} -t {key[1]}: documents", info["documents"] == man["documents"],
              f"{info['documents']} of {man['documents']}")
        tb = info["inputs"][0].get("text_bytes")
        check(f"index {key[0]} -t {key[1]}: text bytes", tb == text_bytes, f"{tb} of {text_bytes}")
    d = {k: filter_digest(contam, v[0]) for k, v in idx.items()}
    check("same n-grams and bits: JSONL.zst -t1 = -t2", d[("JSONL.zst", 1)] == d[("JSONL.zst", 2)])
    check("same n-grams and bits: WET.gz -t1 = -t2", d[("WET.gz", 1)] == d[("WET.gz", 2)])
    check("same n-grams and bits: JSONL.zst = WET.gz", d[("JSONL.zst", 1)] == d[("WET.gz", 1)],
          f"{d[('JSONL.zst', 1)]['ngrams_inserted']} vs {d[('WET.gz', 1)]['ngrams_inserted']}")
    same_file = file_sha(idx[("JSONL.zst", 1)][0]) == file_sha(idx[("JSONL.zst", 2)][0])
    check("index file bytes identical for -t1 and -t2 (JSONL.zst)", same_file)
    m_bits = info1["nblocks"] * info1["block_bits"]
    import math
    distinct = -m_bits / info1["k"] * math.log(1 - info1["fill"]) if info1["fill"] < 1 else None

    # -------- verification probe: corpus paragraphs must be contaminated
    paras = corpus_paragraphs(txt, VERIFY_PARAGRAPHS + PLANTED, seed=5)
    verify_paras, planted = paras[:VERIFY_PARAGRAPHS], paras[VERIFY_PARAGRAPHS:]
    vfile = os.path.join(WORK, "verify.jsonl")
    with open(vfile, "w", encoding="utf-8") as f:
        for i, p in enumerate(verify_paras):
            f.write(json.dumps({"id": f"v{i}", "q": p, "noise": "not probed"}, ensure_ascii=False) + "\n")
    for label in ("JSONL.zst", "WET.gz"):
        rep = json.loads(sh([contam, "probe", idx[(label, 2)][0], "--field", "q", "-q", vfile]))
        verdicts = [e["verdict"] for e in rep["examples"]]
        check(f"corpus paragraphs probe contaminated ({label} index)",
              verdicts.count("contaminated") == len(verify_paras),
              f"{verdicts.count('contaminated')}/{len(verify_paras)}")

    # -------- probe MMLU
    bench_files, bench_kind = benchmark_files(shared, WORK)
    probe_idx = idx[("JSONL.zst", 2)][0]
    rep_path = os.path.join(WORK, "mmlu-report.json")
    log(f"contam probe: {len(bench_files)} files ({bench_kind})")
    cmd = [contam, "probe", probe_idx, "--no-header", "-q", "-o", rep_path] + bench_files
    m = measure("contam probe", cmd, repeat)
    with open(rep_path) as f:
        rep = json.load(f)
    nex = sum(b["examples"] for b in rep["benchmarks"])
    ncont = sum(b["contaminated"] for b in rep["benchmarks"])
    npart = sum(b["partial"] for b in rep["benchmarks"])
    check("MMLU probe examples", nex == MMLU_EXAMPLES, f"{nex} (expected {MMLU_EXAMPLES})")
    m.update(kind="probe", input=f"{len(bench_files)} CSV, {nex} examples",
             examples=nex, contaminated=ncont, partial=npart,
             index_file_bytes=os.path.getsize(probe_idx))
    rows.append(m)

    # -------- rg exact scan
    pats = os.path.join(WORK, "rg-patterns.txt")
    npat = rg_patterns(bench_files, planted, pats)
    log(f"rg -F -f ({npat} lines, {len(planted)} of them corpus paragraphs)")
    m = measure("rg -F -c -f", ["rg", "-F", "-c", "-f", pats, txt], 1,
                ok_rc=(0, 1), stdout="capture")
    hits = int(m["out"].decode().strip() or 0)
    check("rg finds the planted corpus lines", hits >= len(planted), f"{hits} matching lines")
    m.update(kind="scan", input=f"corpus.txt, {npat} lines", matches=hits)
    rows.append(m)

    # -------- python hash-set 13-gram baseline
    if not args.no_python:
        ptxt = os.path.join(WORK, "planted.txt")
        with open(ptxt, "w", encoding="utf-8") as f:
            f.write("\n".join(planted) + "\n")
        log("python hash-set 13-gram baseline")
        m = measure("python 13-gram set", [sys.executable, os.path.join(HERE, "baseline_hashset.py"),
                    "--corpus", txt] + bench_files + [ptxt], 1, stdout="capture")
        res = json.loads(m["out"])
        planted_hit = sum(1 for p, _ in res["examples_hit_list"] if p == ptxt)
        check("hash-set finds the planted corpus lines", planted_hit == len(planted),
              f"{planted_hit}/{len(planted)}; {res['examples_hit']} examples hit in all")
        m.update(kind="scan", input=f"corpus.txt, {res['examples']} examples",
                 baseline=res)
        rows.append(m)

    # -------- derived numbers
    for r in rows:
        r["out"] = None
        if r["kind"] in ("decompress", "index", "scan"):
            r["mb_s"] = text_bytes / r["wall"] / 1e6
            r["mb_s_core"] = r["mb_s"] / r["cores"]
            r["ns_ngram"] = r["wall"] * r["cores"] * 1e9 / ngrams
        r["x_zstd"] = r["wall"] / base["zstd -dc"]
        r["x_gzip"] = r["wall"] / base["gzip -dc"]

    def row(kind, inp=None, threads=None, name=None):
        for r in rows:
            if r["kind"] == kind and (inp is None or r.get("input") == inp) and \
                    (threads is None or r.get("threads") == threads) and (name is None or r["name"] == name):
                return r
        return None

    targets = []

    def target(name, value, limit, unit="", le=True, note=""):
        ok = value <= limit if le else value >= limit
        targets.append({"target": name, "value": value, "limit": limit, "ok": ok, "unit": unit, "note": note})

    j2, w2 = row("index", "JSONL.zst", 2), row("index", "WET.gz", 2)
    j1, w1 = row("index", "JSONL.zst", 1), row("index", "WET.gz", 1)
    dz, dg = measured["zstd -dc"], measured["gzip -dc"]
    target("index -t 2 JSONL.zst / zstd -dc (moonshot 1.5)", round_ratio(j2, dz), 2.5, "×")
    target("index -t 2 WET.gz / gzip -dc", round_ratio(w2, dg), 1.0, "×")
    if "igzip -dc" in base:
        target("index -t 2 WET.gz / igzip -dc (moonshot)",
               round_ratio(w2, measured["igzip -dc"]), 1.5, "×")
    filt = j2["filter_bytes"] / 2**20
    for r in (j1, j2, w1, w2):
        target(f"peak RSS, index -t {r['threads']} {r['input']} (filter {filt:.0f} MiB + 256)",
               r["rss_kib"] / 1024, filt + 256, "MiB")
    target("MMLU probe wall, load included", row("probe")["wall"], 1.0, "s")
    for a, b in ((j1, j2), (w1, w2)):
        # per-core throughput t2 / t1 = wall1 / (2 wall2), within each round
        drop = 1 - 1 / (2 * round_ratio(b, a))
        target(f"per-core loss 1 -> 2 threads, {a['input']}", drop * 100, 15.0, "%")

    mach = machine_info(contam)
    build = build_info(args.build)
    tools = tool_versions({
        "zstd": ["zstd", "--version"], "gzip": ["gzip", "--version"], "igzip": ["igzip", "--version"],
        "libdeflate-gunzip": ["libdeflate-gunzip", "-V"], "rg": ["rg", "--version"],
        "python": [sys.executable, "--version"], "contam": [contam, "--version"]})

    # -------- perf profile (optional)
    perf_top = {}
    if args.perf and shutil.which("perf"):
        for label, path in (("JSONL.zst", zst), ("WET.gz", wet)):
            pd = os.path.join(WORK, "perf.data")
            out = os.path.join(WORK, "perf.cidx")
            log(f"perf record: contam index -t 1 {label}")
            subprocess.run(["perf", "record", "-q", "-o", pd, "--", contam, "index", "-q", "-o", out,
                            "--threads", "1", "--expected-ngrams", str(expected), path],
                           check=True, stderr=subprocess.DEVNULL)
            rep_txt = try_sh(["perf", "report", "-i", pd, "--no-children", "--stdio", "-g", "none",
                              "--sort", "dso,symbol", "--percent-limit", "0.5"])
            perf_top[label] = [l.rstrip(" -") for l in rep_txt.splitlines()
                               if l.strip() and not l.startswith("#")][:20]
            dso_txt = try_sh(["perf", "report", "-i", pd, "--no-children", "--stdio", "-g", "none",
                              "--sort", "dso", "--percent-limit", "0.5"])
            perf_top[label] += ["", "by library:"] + [l.rstrip() for l in dso_txt.splitlines()
                                                      if l.strip() and not l.startswith("#")][:8]

    # -------- output
    date = datetime.date.today().isoformat()
    stem = f"{date}-{mach['host']}" + ("-quick" if args.quick else "") + (f"-{args.tag}" if args.tag else "")
    head = ["what", "input", "thr", "wall s", "CPU s", "MB/s", "MB/s/core", "ns/n-gram",
            "peak RSS MiB", "× zstd -dc", "× gzip -dc", "others"]
    table = []
    for r in rows:
        table.append([r["name"], r["input"], str(r["cores"]), fmt(r["wall"], 3), fmt(r["cpu"]),
                      fmt(r.get("mb_s")), fmt(r.get("mb_s_core")), fmt(r.get("ns_ngram"), 1),
                      fmt(r["rss_kib"] / 1024, 0), fmt(r["x_zstd"]), fmt(r["x_gzip"]),
                      f"{r['foreign_max']:.0%}"])
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(head)]

    def md_row(cells):
        return "| " + " | ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    lines = [md_row(head), "|" + "|".join(("-" * (w + 2)) if i < 2 else ("-" * (w + 1) + ":")
                                          for i, w in enumerate(widths)) + "|"]
    lines += [md_row(t) for t in table]
    tlines = ["| target | measured | limit | |", "|---|---:|---:|---|"]
    for t in targets:
        tlines.append(f"| {t['target']} | {fmt(t['value'])} {t['unit']} | {fmt(t['limit'])} {t['unit']} | "
                      f"{'PASS' if t['ok'] else 'FAIL'} |")
    clines = [f"- {'ok' if c['ok'] else 'FAIL'}: {c['check']}" + (f" ({c['detail']})" if c["detail"] else "")
              for c in checks]
    cmdline = "bench/run.sh " + " ".join(sys.argv[1:])
    cfg = [
        f"command: `{cmdline.strip()}`  ({date}, suite {time.time() - t_start:.0f} s"
        f"{', corpus generated in %.0f s' % man['seconds'] if generated else ''})",
        f"machine: {mach['cpu']}, {mach['cpus']} CPUs, {mach['memory_gib']} GiB, {mach['os']}, "
        f"kernel {mach['kernel']}, THP {mach['thp']}",
        f"compiler: {build['compiler']}; {build['buildtype']}; flags: {build['flags']}",
        f"contam: commit {build['commit']}" + (f" + uncommitted changes in {', '.join(build['dirty'])}"
                                               if build["dirty"] else ""),
        f"corpus: {man['documents']:,} documents, {man['words']:,} words, {text_bytes / 1e6:,.1f} MB of text "
        f"(JSONL.zst {man['files']['corpus.jsonl.zst'] / 1e6:,.1f} MB, WET.gz "
        f"{man['files']['corpus.warc.wet.gz'] / 1e6:,.1f} MB); seed {man['seed']}, "
        f"Markov chain trained on {man['training']['source']} ({man['training']['words']:,} words)",
        f"index: {ngrams:,} 8-grams inserted (distinct, estimated from fill: "
        f"{distinct:,.0f} = {distinct / ngrams:.1%}); --expected-ngrams {expected:,}; filter "
        f"{info1['filter_bytes'] / 2**20:,.1f} MiB, k={info1['k']}, fill {info1['fill']:.1%}, "
        f"fpr {info1['fpr']:.2g}; index file {j2['index_file_bytes'] / 2**20:,.1f} MiB",
        f"probe: {row('probe')['examples']:,} examples, {row('probe')['contaminated']} contaminated, "
        f"{row('probe')['partial']} partial ({bench_kind})",
        f"decompressors and contam index run in {repeat} interleaved rounds (each command once "
        f"per round; the median run is shown), probe {repeat}× (median); rg and the Python "
        f"baseline once; page cache warm; each index run writes a new file (the previous "
        f"one deleted before the run) and fsyncs it",
        "tools: " + "; ".join(f"{k} {v}" for k, v in tools.items() if v),
        "contam " + (try_sh([contam, "--version"]).splitlines()[1:2] or ["fast paths: ?"])[0],
    ]
    md = [f"# contam bench {stem}", ""] + [f"- {c}" for c in cfg] + ["", "## Targets", "",
        "Ratios are the median over rounds of the ratio within a round (both commands run "
        "minutes apart at most, side by side); the per-core loss is 1 - wall(-t 1) / "
        "(2 × wall(-t 2)), also within rounds.", ""] + \
        tlines + ["", "## Measurements", ""] + lines + [
        "", "MB/s: corpus text bytes (document texts, not JSON/WARC overhead) / wall; "
        "MB/s/core: divided by threads; ns/n-gram: wall × threads / 8-grams inserted; "
        "× zstd -dc, × gzip -dc: wall / that baseline's wall; others: the most CPU that other "
        "processes used during any repetition, as a share of the machine (above a few % the "
        "row is disturbed).", "", "## Checks", ""] + clines
    for label, top in perf_top.items():
        md += ["", f"## perf: contam index -t 1 on the {label}", "", "```"] + top + ["```"]
    disturbed = [r["name"] + " " + r["input"] for r in rows if r["foreign_max"] > 0.05]
    if disturbed:
        md.insert(2, f"**Warning: other processes used more than 5% of the machine during: "
                     f"{'; '.join(disturbed)}. Those numbers are not clean.**\n")
    md_text = "\n".join(md) + "\n"

    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, stem + ".md"), "w") as f:
        f.write(md_text)
    with open(os.path.join(args.results, stem + ".json"), "w") as f:
        json.dump({"command": cmdline.strip(), "date": date, "machine": mach, "build": build,
                   "tools": tools, "corpus": man, "expected_ngrams": expected, "ngrams": ngrams,
                   "distinct_ngrams_estimate": distinct, "index_info": info1,
                   "rows": rows, "targets": targets, "checks": checks, "perf_top": perf_top},
                  f, indent=1, default=str)
        f.write("\n")
    print(md_text)
    log(f"wrote {os.path.join(args.results, stem)}.md and .json")
    if not all(c["ok"] for c in checks):
        log("some checks FAILED")
        sys.exit(3)


if __name__ == "__main__":
    main()
