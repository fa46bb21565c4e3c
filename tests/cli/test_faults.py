#!/usr/bin/env python3
"""test_faults.py -- hostile and broken input, end to end on the binary.

usage: test_faults.py            the fault corpus, bad benchmarks, damaged
                                 index files, SIGTERM (suite 'cli')
       test_faults.py --huge     one 2 GiB single-line document, peak RSS
                                 (suite 'slow')

The properties:
  - every case of scripts/gen_faults.py: `contam index` exits 0, names the
    file and an offset on stderr, `contam info --json` counts the damage,
    every marker planted where it is readable is found (contaminated), no
    marker that must not be indexed is; with --strict, exit 2 and nothing
    at the output path;
  - a benchmark that cannot be read whole is exit 2 with file:line;
  - a truncated index, a flipped bit in any chunk (or the header, the
    manifest, the chunk table), a wrong version: `verify` and `probe`
    exit 2;
  - SIGTERM during `index` leaves nothing at the final path;
  - a 2 GiB line is indexed in bounded memory (filter + 256 MB).
"""
import glob
import importlib.util
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from clitest import BIN, ROOT, Failure, Suite, check, contam

SIZE = ["--expected-ngrams", "200k"]
RSS_SLACK = 256 << 20


def load_gen_faults():
    path = os.path.join(ROOT, "scripts", "gen_faults.py")
    spec = importlib.util.spec_from_file_location("gen_faults", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_bench(path, markers, ids):
    with open(path, "w", encoding="utf-8") as f:
        for mid in ids:
            f.write(json.dumps({"id": mid, "text": markers[mid]}) + "\n")


def verdicts(index, bench):
    r = contam("probe", "-q", index, "--field", "text", "--id-field", "id", bench)
    r.expect(0)
    return {e["id"]: e["verdict"] for e in r.json()["examples"]}


def no_crash(r):
    """Exit by signal, or a sanitizer report, is a crash whatever the code."""
    check(r.rc >= 0, f"{r.cmdline()}: killed by signal {-r.rc}")
    for bad in ("Sanitizer", "runtime error:", "Segmentation", "Aborted"):
        check(bad not in r.err, f"{r.cmdline()}: {bad} on stderr:\n{r.err[-1500:]}")


def leftovers(path):
    return [p for p in glob.glob(path + "*") if p != path or os.path.exists(path)]


# ---- the fault corpus -------------------------------------------------

def fault_test(case, ctx):
    markers, tmp, fdir = ctx["markers"], ctx["tmp"], ctx["faults"]
    path = os.path.join(fdir, case["file"])
    name = case["name"]
    ix = os.path.join(tmp, name + ".cidx")
    r = contam("index", *SIZE, "-o", ix, path)
    no_crash(r)
    allow = []
    if r.rc == 2 and "0 documents read" in r.err:
        # nothing read is an error, not an empty index: the
        # message names the file and nothing is written; --allow-empty
        # writes it
        check(path in r.err, f"{name}: the no-documents error does not name {path}: {r.err[-400:]}")
        check(not os.path.exists(ix), f"{name}: an index was written for an input with no documents")
        allow = ["--allow-empty"]
        r = contam("index", *allow, *SIZE, "-o", ix, path)
        no_crash(r)
    r.expect(0)
    lo, hi = case["min_errors"], case["max_errors"]
    if lo > 0:
        check(path in r.err, f"{name}: stderr does not name {path}:\n{r.err[-800:]}")
        check(re.search(r"offset \d+", r.err),
              f"{name}: stderr gives no offset:\n{r.err[-800:]}")
    info = contam("info", "--json", ix).expect(0).json()
    errors = info["errors"]
    check(errors >= lo and (hi is None or errors <= hi),
          f"{name}: info counts {errors} errors, expected "
          f"{lo}..{'' if hi is None else hi}")
    entries = [e for e in info.get("inputs", info.get("manifest", []))
               if e.get("path") == path]
    check(len(entries) == 1, f"{name}: {path} is not once in the manifest: {info}")
    check(entries[0]["errors"] == errors,
          f"{name}: manifest entry counts {entries[0]['errors']} errors, total {errors}")

    ids = case["must_find"] + case["must_not_find"] + case["may_find"]
    if ids:
        bench = os.path.join(tmp, name + ".bench.jsonl")
        write_bench(bench, markers, ids)
        v = verdicts(ix, bench)
        lost = [m for m in case["must_find"] if v.get(m) != "contaminated"]
        wrong = [m for m in case["must_not_find"] if v.get(m) != "clean"]
        check(not lost, f"{name}: readable text not found: " +
              ", ".join(f"{m} ({v.get(m)})" for m in lost))
        check(not wrong, f"{name}: text that must not be indexed was: " +
              ", ".join(f"{m} ({v.get(m)})" for m in wrong))

    six = os.path.join(tmp, name + ".strict.cidx")
    r = contam("index", "--strict", *allow, *SIZE, "-o", six, path)
    no_crash(r)
    if lo > 0:
        r.expect(2)
        check(path in r.err, f"{name}: --strict error does not name {path}: {r.err[-400:]}")
        check(not os.path.exists(six), f"{name}: --strict left an index at {six}")
        left = glob.glob(six + ".*")
        check(not left, f"{name}: --strict left files behind: {left}")
    else:
        r.expect(0)


def all_at_once(ctx):
    """The whole fault directory in one run: same answers, errors add up."""
    markers, tmp, fdir, m = ctx["markers"], ctx["tmp"], ctx["faults"], ctx["manifest"]
    ix = os.path.join(tmp, "all.cidx")
    r = contam("index", *SIZE, "-o", ix, fdir)
    no_crash(r)
    r.expect(0)
    info = contam("info", "--json", ix).expect(0).json()
    want = sum(c["min_errors"] for c in m["cases"])
    check(info["errors"] >= want, f"{info['errors']} errors counted, at least {want} expected")
    must = [x for c in m["cases"] for x in c["must_find"]]
    must_not = [x for c in m["cases"] for x in c["must_not_find"]]
    bench = os.path.join(tmp, "all.bench.jsonl")
    write_bench(bench, markers, must + must_not)
    v = verdicts(ix, bench)
    lost = [x for x in must if v.get(x) != "contaminated"]
    wrong = [x for x in must_not if v.get(x) != "clean"]
    check(not lost and not wrong, f"lost {lost}, wrongly indexed {wrong}")


def random_damage(ctx):
    """Random damage to multi-member WET.gz and multi-frame JSONL.zst files
    (bytes flipped in one unit, a cut inside one unit, garbage spliced
    between units or into one, a zeroed range): every record whose unit
    the damage did not touch must still be found, and some damage must be
    reported.  A failure names the trial's seed to reproduce it.
    CONTAM_FAULT_TRIALS sets the number of trials (default 40; 400 pass)."""
    import random
    tmp = ctx["tmp"]
    gen = load_gen_faults()
    problems = []
    trials = 0
    for seed in range(1, 1 + int(os.environ.get("CONTAM_FAULT_TRIALS", "40"))):
        rng = random.Random(seed)
        c = gen.Corpus(1000 + seed)
        zst = seed % 2 == 0
        ids, units = [], []
        for i in range(8):
            mid, text = c.para(f"rnd{seed}", f"u{i}")
            ids.append(mid)
            if zst:
                units.append(gen.zstd(gen.jline({"id": str(i), "text": text})))
            else:
                units.append(gen.gz(gen.warc_record("conversion", text.encode(), i + 1)))
        kind = rng.choice(["flip", "cut", "splice_between", "splice_inside", "zero"])
        i = rng.randrange(1, 7)
        starts = [sum(len(u) for u in units[:k]) for k in range(len(units) + 1)]
        data = bytearray(b"".join(units))
        touched = set()
        garbage = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))
        if kind == "flip":
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(starts[i], starts[i + 1])] ^= 1 << rng.randrange(8)
            touched = {i}
        elif kind == "cut":
            data = data[:rng.randrange(starts[i] + 1, starts[i + 1])]
            touched = set(range(i, 8))
        elif kind == "splice_between":
            data[starts[i]:starts[i]] = garbage
        elif kind == "splice_inside":
            at = rng.randrange(starts[i] + 1, starts[i + 1])
            data[at:at] = garbage
            touched = {i}
        else:
            a = rng.randrange(starts[i], starts[i + 1])
            b = min(len(data), a + rng.randint(1, 3000))
            data[a:b] = bytes(b - a)
            touched = {k for k in range(8) if starts[k] < b and starts[k + 1] > a}
        name = f"rnd{seed}.{'jsonl.zst' if zst else 'warc.wet.gz'}"
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(bytes(data))
        what = f"seed {seed}: {kind} in unit {i} of {name}"
        ix = os.path.join(tmp, f"rnd{seed}.cidx")
        r = contam("index", *SIZE, "-o", ix, path)
        no_crash(r)
        trials += 1
        if r.rc != 0:
            problems.append(f"{what}: exit {r.rc}: {r.err[-300:]}")
            continue
        if bytes(data) != b"".join(units) and kind != "flip":
            if path not in r.err:
                problems.append(f"{what}: damage not reported")
        bench = os.path.join(tmp, f"rnd{seed}.bench.jsonl")
        write_bench(bench, c.markers, ids)
        v = verdicts(ix, bench)
        lost = [k for k in range(8) if k not in touched and v.get(ids[k]) != "contaminated"]
        if lost:
            problems.append(f"{what}: records {lost} of untouched units not found")
        os.unlink(ix)
    check(not problems, f"{len(problems)} of {trials} trials:\n  " + "\n  ".join(problems))


# ---- bad benchmark input ----------------------------------------------

BAD_BENCH = [
    # name, file name, bytes, extra probe args, line the error must name
    ("malformed_json_line", "bad.jsonl",
     b'{"text": "one two three four five six seven eight nine ten"}\n'
     b'{"text": "broken\n', [], 2),
    ("json_line_not_object", "arr.jsonl",
     b'{"text": "a b c d e f g h i j"}\n{"text": "x y z w v u t s r q"}\n[1, 2]\n', [], 3),
    ("csv_unbalanced_quote", "bad.csv",
     b'question,answer\n"a b c d e f g h",yes\n"unclosed quote,no\nlast,row\n', [], 3),
    ("missing_field", "miss.jsonl",
     b'{"question": "a b c d e f g h i j k"}\n{"answer": "no question here at all"}\n',
     ["--field", "question"], 2),
    ("field_matches_nothing", "nothing.jsonl",
     b'{"question": "a b c d e f g h i j k"}\n{"question": "l m n o p q r s t u"}\n',
     ["--field", "no.such.path"], 1),
    ("csv_missing_column", "cols.csv",
     b'question,answer\n"a b c d e f g h",yes\n', ["--field", "nosuchcolumn"], 1),
    ("empty_jsonl", "empty.jsonl", b"", [], 0),
    ("empty_csv", "empty.csv", b"", [], 0),
    ("empty_txt", "empty.txt", b"", [], 0),
    ("blank_json", "blank.json", b"\n\n  \n", [], 0),
]


def bad_bench(ctx):
    tmp, ix = ctx["tmp"], ctx["good_index"]
    problems = []
    for name, fname, data, args, line in BAD_BENCH:
        d = os.path.join(tmp, "bench_" + name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, fname)
        with open(path, "wb") as f:
            f.write(data)
        r = contam("probe", ix, *args, path)
        no_crash(r)
        if r.rc != 2:
            problems.append(f"{name}: exit {r.rc}, expected 2 ({r.err.strip()[-300:]})")
            continue
        where = f"{path}:{line}" if line else path
        if where not in r.err:
            problems.append(f"{name}: stderr does not say '{where}': {r.err.strip()[-300:]}")
        if r.out.strip():
            problems.append(f"{name}: a report was written despite the error")
    check(not problems, "\n  ".join(problems))


# ---- damaged index files ----------------------------------------------

def chunk_regions(data):
    """(offset, length) in the file of every stored filter chunk, and the
    offset of the chunk table, parsed from the documented layout."""
    nsec = int.from_bytes(data[56:60], "little")
    for i in range(nsec):
        s = 128 + 32 * i
        typ = int.from_bytes(data[s:s + 4], "little")
        off = int.from_bytes(data[s + 8:s + 16], "little")
        if typ == 2:
            nchunks = int.from_bytes(data[off + 8:off + 16], "little")
            regions = []
            for c in range(nchunks):
                e = off + 16 + 24 * c
                coff = int.from_bytes(data[e:e + 8], "little")
                clen = int.from_bytes(data[e + 8:e + 16], "little")
                regions.append((off + coff, clen, e))
            return regions
    raise Failure("no filter section in the index")


def damaged_index(ctx):
    tmp, good = ctx["tmp"], ctx["big_index"]
    bench = ctx["small_bench"]
    data = open(good, "rb").read()
    contam("verify", good).expect(0)
    regions = chunk_regions(data)
    stored = [r for r in regions if r[1] > 0]
    check(len(stored) >= 3, f"want an index with several stored chunks, got {len(stored)}")
    variants = []
    for cut in (0, 7, 64, len(data) // 3, len(data) // 2, len(data) - 17, len(data) - 1):
        variants.append((f"truncated to {cut} bytes", data[:cut]))
    for n, (off, clen, entry) in enumerate(regions):
        b = bytearray(data)
        if clen:
            b[off + clen // 2] ^= 0x10
            variants.append((f"bit flipped in chunk {n}", bytes(b)))
        else:
            b[entry + 16] ^= 0x01  # the empty chunk's hash in the table
            variants.append((f"bit flipped in the table entry of empty chunk {n}", bytes(b)))
        if clen > 1:  # the first and last bytes of the chunk too
            for pos in (off, off + clen - 1):
                b = bytearray(data)
                b[pos] ^= 0x80
                variants.append((f"bit flipped at chunk {n} byte {pos - off}", bytes(b)))
    for pos, what in ((20, "k"), (24, "nblocks"), (64, "recipe name"), (140, "section table"),
                      (200, "manifest"), (len(data) - 12, "trailer hash"),
                      (len(data) - 3, "end magic")):
        b = bytearray(data)
        b[pos] ^= 0x04
        variants.append((f"bit flipped in the {what}", bytes(b)))
    b = bytearray(data)
    b[8:12] = (2).to_bytes(4, "little")
    variants.append(("wrong version", bytes(b)))
    b = bytearray(data)
    b[0:8] = b"NOTANIDX"
    variants.append(("bad magic", bytes(b)))

    problems = []
    bad = os.path.join(tmp, "bad.cidx")
    for what, content in variants:
        with open(bad, "wb") as f:
            f.write(content)
        for cmd in (["verify", bad], ["probe", "-q", bad, "--field", "text", bench],
                    ["info", bad]):
            r = contam(*cmd)
            no_crash(r)
            if r.rc != 2:
                problems.append(f"{what}: '{cmd[0]}' exit {r.rc}, expected 2")
            elif bad not in r.err:
                problems.append(f"{what}: '{cmd[0]}' error does not name the file: {r.err[-200:]}")
            elif cmd[0] == "probe" and r.out.strip():
                problems.append(f"{what}: probe wrote a report")
        if what == "wrong version":
            r = contam("verify", bad)
            if "version" not in r.err:
                problems.append(f"wrong version: message does not say so: {r.err.strip()}")
    check(not problems, f"{len(problems)} of {len(variants)} damaged files not refused:\n  "
          + "\n  ".join(problems[:30]))
    ctx["suite"].note(f"{len(variants)} damaged index variants refused by verify, probe and info")


# ---- SIGTERM ------------------------------------------------------------

def write_text(path, nbytes, seed_words):
    """A text file of nbytes of varied words, written in 4 MiB chunks."""
    import random
    rng = random.Random(nbytes)
    words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))))
             for _ in range(seed_words)]
    blocks = []
    for _ in range(8):
        rng.shuffle(words)
        blocks.append((" ".join(words) + "\n").encode())
    with open(path, "wb") as f:
        done = i = 0
        while done < nbytes:
            b = blocks[i % len(blocks)]
            b = b * max(1, (4 << 20) // len(b))
            b = b[:nbytes - done]
            f.write(b)
            done += len(b)
            i += 1


def file_size_limit_is_an_error(ctx):
    """Past `ulimit -f` a write fails with EFBIG: index and merge say
    which file, exit 2 and leave no temporary file (SIGXFSZ killed them
    with 153 and left it)."""
    tmp = ctx["tmp"]
    out = os.path.join(tmp, "limited.cidx")
    for cmd in ([BIN, "index", "-q", "--memory", "4M", "-o", out, ctx["faults"]],
                [BIN, "merge", "-q", "-o", out, ctx["big_index"]]):
        r = subprocess.run(["bash", "-c", 'ulimit -f 64; exec "$@"', "bash", *cmd],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 2 and "File too large" in r.stderr,
              f"{cmd[1]}: exit {r.returncode}: {r.stderr[-300:]}")
        check(not os.path.exists(out) and not glob.glob(out + ".*"),
              f"{cmd[1]}: left {glob.glob(out + '*')}")


def sigterm_leaves_nothing(ctx):
    tmp = ctx["tmp"]
    big = os.path.join(tmp, "stream200m.txt")
    write_text(big, 200 << 20, 50000)
    out = os.path.join(tmp, "killed.cidx")
    for attempt, delay in enumerate((0.5, 0.25, 0.1)):
        p = subprocess.Popen([BIN, "index", "--memory", "64M", "-o", out, big],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        running = p.poll() is None
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        if not running:
            # finished before the signal: try sooner, without the index
            # this run wrote (the next attempt checks that none is left)
            if os.path.exists(out):
                os.unlink(out)
            continue
        if p.returncode == 0:
            # the signal came after the index was renamed into place (its
            # last moment): then the index must be whole; try sooner
            check(subprocess.run([BIN, "verify", out], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode == 0,
                  "index exited 0 after SIGTERM and its file does not verify")
            os.unlink(out)
            continue
        check(p.returncode > 0, f"index died of signal {-p.returncode} instead of stopping")
        check(not os.path.exists(out), "SIGTERM left an index at the final path")
        left = glob.glob(out + ".*")
        check(not left, f"SIGTERM left files behind: {left}")
        ctx["suite"].note(f"SIGTERM after {delay}s: exit {p.returncode}, nothing left")
        os.unlink(big)
        return
    raise Failure("index of 200 MB finished in under 0.1 s: cannot test SIGTERM")


# ---- the 2 GiB line -----------------------------------------------------

def peak_rss_run(args):
    """Run contam; return (returncode, stderr, peak RSS in bytes, seconds)."""
    t0 = time.time()
    if os.path.exists("/usr/bin/time"):  # Debian package `time`
        fd, rssf = tempfile.mkstemp(prefix="contam-rss-")
        os.close(fd)
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rssf, BIN] + args,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with open(rssf) as f:
            kb = int(f.read().strip().splitlines()[-1])
        os.unlink(rssf)
    else:  # ru_maxrss of the children waited for: only contam here
        p = subprocess.run([BIN] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p.returncode, p.stderr.decode("utf-8", "replace"), kb * 1024, time.time() - t0


def huge_line(ctx):
    """A 2 GiB document on one line, streamed through a FIFO (never on
    disk), then probed for text planted at its start, middle and end."""
    tmp = ctx["tmp"]
    total = 2 << 30
    fifo = os.path.join(tmp, "huge-line.txt")
    os.mkfifo(fifo)
    gen = load_gen_faults()
    c = gen.Corpus(2)
    plants = {f"huge.{k}": c.sentence(24) for k in ("start", "middle", "end")}
    import random
    rng = random.Random(7)
    words = [c.word() for _ in range(4000)]
    blocks = []
    for _ in range(16):
        rng.shuffle(words)
        blocks.append((" ".join(words) + " ").encode())
    block = b"".join(blocks)  # ~ 400 KB, no newline anywhere
    pieces = [plants["huge.start"].encode() + b" ", plants["huge.middle"].encode() + b" ",
              plants["huge.end"].encode()]
    written = [0]

    def writer():
        with open(fifo, "wb") as f:
            f.write(pieces[0])
            n = len(pieces[0])
            half = total // 2
            chunk = block * max(1, (8 << 20) // len(block))
            middle_done = False
            while n < total - len(pieces[2]):
                if not middle_done and n >= half:
                    f.write(pieces[1])
                    n += len(pieces[1])
                    middle_done = True
                b = chunk[:total - len(pieces[2]) - n]
                f.write(b)
                n += len(b)
            f.write(pieces[2])
            n += len(pieces[2])
            written[0] = n

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    ix = os.path.join(tmp, "huge.cidx")
    memory = 64 << 20
    rc, err, rss, secs = peak_rss_run(["index", "-q", "--memory", str(memory), "-o", ix, fifo])
    t.join(timeout=60)
    check(rc == 0, f"index of the 2 GiB line: exit {rc}: {err[-500:]}")
    check(written[0] == total, f"writer wrote {written[0]} bytes")
    info = contam("info", "--json", ix).expect(0).json()
    check(info["documents"] == 1, f"{info['documents']} documents, expected 1")
    bench = os.path.join(tmp, "huge.bench.jsonl")
    write_bench(bench, plants, list(plants))
    v = verdicts(ix, bench)
    check(all(x == "contaminated" for x in v.values()), f"planted text not found: {v}")
    limit = memory + RSS_SLACK
    ctx["suite"].note(f"2 GiB line: {secs:.1f}s, {total / secs / 1e6:.0f} MB/s, "
                      f"peak RSS {rss / 2**20:.0f} MiB (limit {limit / 2**20:.0f} MiB)")
    check(rss < limit, f"peak RSS {rss / 2**20:.0f} MiB over {limit / 2**20:.0f} MiB")


# ---- driver -------------------------------------------------------------

def main(argv):
    huge = "--huge" in argv
    suite = Suite("faults-huge" if huge else "faults")
    state = {}

    def setup(tmp):
        ctx = {"tmp": tmp, "suite": suite}
        ctx.update(state)
        if huge:
            return ctx
        ctx["faults"], ctx["manifest"], ctx["markers"] = (
            state["faults"], state["manifest"], state["manifest"]["markers"])
        # a clean index to probe bad benchmarks against
        txt = os.path.join(tmp, "good.txt")
        with open(txt, "w") as f:
            f.write("one two three four five six seven eight nine ten eleven\n")
        ctx["good_index"] = os.path.join(tmp, "good.cidx")
        contam("index", "-q", *SIZE, "-o", ctx["good_index"], txt).expect(0)
        # an index with several stored chunks (4 MiB filter, 1 MiB chunks)
        ctx["big_index"] = os.path.join(tmp, "big.cidx")
        contam("index", "-q", "--memory", "4M", "-o", ctx["big_index"],
               state["faults"]).expect(0)
        ctx["small_bench"] = os.path.join(tmp, "small.jsonl")
        with open(ctx["small_bench"], "w") as f:
            f.write('{"text": "one two three four five six seven eight nine"}\n')
        return ctx

    fdir = None
    if huge:
        suite.test(huge_line)
    else:
        fdir = tempfile.mkdtemp(prefix="contam-faults-")
        state["faults"] = fdir
        state["manifest"] = load_gen_faults().build(fdir)
        for case in state["manifest"]["cases"]:
            fn = (lambda case: lambda ctx: fault_test(case, ctx))(case)
            fn.__name__ = "fault_" + case["name"]
            suite.test(fn)
        print(f"{len(state['manifest']['cases'])} fault cases", flush=True)
        for fn in (all_at_once, random_damage, bad_bench, damaged_index,
                   file_size_limit_is_an_error, sigterm_leaves_nothing):
            suite.test(fn)
    try:
        return suite.run(setup)
    finally:
        if fdir and os.environ.get("CONTAM_KEEP") != "1":
            shutil.rmtree(fdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
