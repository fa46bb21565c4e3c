#!/usr/bin/env python3
"""test_slurm.py -- contrib/slurm/contam-index-array.sh without a cluster.

No Slurm is available, so the script is checked through what it would do:
its --dry-run splits the inputs into shard lists (every input in exactly one
list, shard byte sizes within one file's size of each other, the same split
every time) and prints the exact commands; those commands, run here one
after the other, must give the same bytes as a one-shot `contam index`.
Then the real mode runs against a fake `sbatch` that records its arguments:
the batch scripts it wrote are executed as Slurm would (SLURM_ARRAY_TASK_ID
per task, then the merge) and must give the same bytes too.
"""
import filecmp
import json
import os
import shutil
import random
import shlex
import stat
import subprocess
import sys

from clitest import BIN, ROOT, Suite, check, contam, load_generator

SCRIPT = os.path.join(ROOT, "contrib", "slurm", "contam-index-array.sh")
SIZE = ["--expected-ngrams", "100k"]
SHARDS = 4

suite = Suite("slurm")


def run_script(*args, env=None, cwd=None):
    p = subprocess.run(["bash", SCRIPT] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def setup(tmp):
    gen = load_generator()
    data = os.path.join(tmp, "data")
    gen.main([data])
    corpus = os.path.join(data, "corpus")
    # files of uneven sizes (and a name that needs quoting) so the split has
    # something to balance; a hidden file that the walk must skip
    rnd = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    extra = os.path.join(corpus, "extra")
    os.makedirs(extra)
    for i, kb in enumerate([3, 70, 9, 41, 120, 1, 25, 18]):
        name = "with space.txt" if i == 3 else f"t{i}.txt"
        with open(os.path.join(extra, name), "w") as fh:
            n = 0
            while n < kb * 1024:
                line = " ".join(rnd.choice(words) for _ in range(12)) + "\n"
                fh.write(line)
                n += len(line)
    with open(os.path.join(extra, ".partial"), "w") as fh:
        fh.write("not an input\n")
    one = os.path.join(tmp, "one.cidx")
    contam("index", "-q", *SIZE, "-o", one, corpus).expect(0)
    info = contam("info", "--json", one).expect(0).json()
    sizes = {e["path"]: e["size"] for e in info["inputs"]}
    return {"tmp": tmp, "corpus": corpus, "one": one, "sizes": sizes}


def dry_run(c, workdir, shards=SHARDS):
    rc, out, err = run_script("--dry-run", "-o", os.path.join(c["tmp"], "merged.cidx"),
                              "-s", shards, *SIZE, "--workdir", workdir,
                              "--contam", BIN, c["corpus"])
    check(rc == 0, f"dry run: exit {rc}: {err}")
    shard_files, tasks, submits, merge = {}, {}, [], None
    for line in out.splitlines():
        if line.startswith("shard "):
            head, path = line.split(": ", 1)
            shard_files.setdefault(int(head.split()[1]), []).append(path)
        elif line.startswith("task "):
            head, cmd = line.split(": ", 1)
            tasks[int(head.split()[1])] = shlex.split(cmd)
        elif line.startswith("submit: "):
            submits.append(shlex.split(line[len("submit: "):]))
        elif line.startswith("merge: "):
            merge = shlex.split(line[len("merge: "):])
    return out, shard_files, tasks, submits, merge


@suite.test
def shard_lists_cover_every_input_once_balanced(c):
    out, shards, _, _, _ = dry_run(c, os.path.join(c["tmp"], "w1"))
    check(sorted(shards) == list(range(SHARDS)), f"shards {sorted(shards)}: {out}")
    listed = [p for s in shards.values() for p in s]
    check(len(listed) == len(set(listed)), "an input is in two shard lists")
    check(set(listed) == set(c["sizes"]),
          f"shard lists != contam's inputs: extra {set(listed) - set(c['sizes'])}, "
          f"missing {set(c['sizes']) - set(listed)}")
    loads = [sum(c["sizes"][p] for p in shards[s]) for s in range(SHARDS)]
    largest = max(c["sizes"].values())
    check(max(loads) - min(loads) <= largest,
          f"shard sizes {loads} differ by more than the largest file ({largest})")
    for s in range(SHARDS):
        check(f"# shard {s}: {len(shards[s])} file(s), {loads[s]} bytes" in out,
              f"shard {s} header does not state its files and bytes")
    again = dry_run(c, os.path.join(c["tmp"], "w1"))[0]
    check(again == out, "two dry runs on the same inputs split differently")
    suite.note(f"{len(listed)} inputs into {SHARDS} shards of {loads} bytes "
               f"(largest file {largest})")


@suite.test
def dry_run_prints_the_exact_commands(c):
    w = os.path.join(c["tmp"], "w2")
    merged = os.path.join(c["tmp"], "merged.cidx")
    out, shards, tasks, submits, merge = dry_run(c, w)
    check(sorted(tasks) == list(range(SHARDS)), f"task lines: {sorted(tasks)}")
    for s in range(SHARDS):
        # a shard may hold only files that give nothing: --allow-empty
        want = [BIN, "index", "-q", "--allow-empty", "--walked", *SIZE,
                "-o", f"{w}/part-{s}.cidx"] + shards[s]
        check(tasks[s] == want, f"task {s}:\n  got  {tasks[s]}\n  want {want}")
    check(len(submits) == 2, f"expected two sbatch lines: {submits}")
    arr, dep = submits
    check(arr[0] == "sbatch" and f"--array=0-{SHARDS - 1}" in arr and
          arr[-1] == f"{w}/index.sbatch", f"array submission: {arr}")
    check(dep[0] == "sbatch" and "--dependency=afterok:JOBID" in dep and
          dep[-1] == f"{w}/merge.sbatch", f"merge submission: {dep}")
    want = [BIN, "merge", "-q", "-o", merged] + [f"{w}/part-{s}.cidx" for s in range(SHARDS)]
    check(merge == want, f"merge:\n  got  {merge}\n  want {want}")
    check(not os.path.exists(w), "--dry-run wrote its work directory")


@suite.test
def printed_commands_give_the_one_shot_index(c):
    w = os.path.join(c["tmp"], "w3")
    os.makedirs(w)
    _, _, tasks, _, merge = dry_run(c, w)
    for s in range(SHARDS):
        p = subprocess.run(tasks[s], stderr=subprocess.PIPE, timeout=120)
        check(p.returncode == 0, f"task {s}: exit {p.returncode}: {p.stderr.decode()[-400:]}")
    p = subprocess.run(merge, stderr=subprocess.PIPE, timeout=120)
    check(p.returncode == 0, f"merge: exit {p.returncode}: {p.stderr.decode()[-400:]}")
    check(filecmp.cmp(merge[4], c["one"], shallow=False),
          "tasks + merge differ from the one-shot contam index")


FAKE_SBATCH = """#!/usr/bin/env bash
# records its arguments, answers like sbatch --parsable
echo "$*" >> "$FAKE_SBATCH_LOG"
n=$(wc -l < "$FAKE_SBATCH_LOG")
echo "$((4000 + n));testcluster"
"""


def fake_sbatch_env(tmp, name):
    """The environment of a run with the fake sbatch first on PATH, and
    the log it writes its calls to."""
    bindir = os.path.join(tmp, name)
    os.makedirs(bindir)
    sb = os.path.join(bindir, "sbatch")
    with open(sb, "w") as fh:
        fh.write(FAKE_SBATCH)
    os.chmod(sb, os.stat(sb).st_mode | stat.S_IXUSR)
    log = os.path.join(tmp, name + ".log")
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
                FAKE_SBATCH_LOG=log), log


def run_batch_scripts(w):
    """Every task of WORKDIR/index.sbatch, then merge.sbatch, as Slurm
    would run them."""
    for s in range(SHARDS):
        e = dict(os.environ, SLURM_ARRAY_TASK_ID=str(s))
        p = subprocess.run(["bash", os.path.join(w, "index.sbatch")], env=e,
                           stderr=subprocess.PIPE, timeout=120)
        check(p.returncode == 0, f"index.sbatch task {s}: {p.stderr.decode()[-400:]}")
    p = subprocess.run(["bash", os.path.join(w, "merge.sbatch")], stderr=subprocess.PIPE,
                       timeout=120)
    check(p.returncode == 0, f"merge.sbatch: {p.stderr.decode()[-400:]}")


@suite.test
def submission_with_a_fake_sbatch(c):
    tmp = c["tmp"]
    env, log = fake_sbatch_env(tmp, "fakebin")
    w = os.path.join(tmp, "w4")
    merged = os.path.join(tmp, "submitted.cidx")
    rc, out, err = run_script("-o", merged, "-s", SHARDS, *SIZE, "--workdir", w,
                              "--contam", BIN, "--max-parallel", "2",
                              "--sbatch-arg=--time=1:00:00", c["corpus"], env=env)
    check(rc == 0, f"submission: exit {rc}: {err}")
    with open(log) as fh:
        calls = fh.read().splitlines()
    check(len(calls) == 2, f"sbatch called {len(calls)} times: {calls}")
    check(f"--array=0-{SHARDS - 1}%2" in calls[0] and "--time=1:00:00" in calls[0], calls[0])
    check("--dependency=afterok:4001" in calls[1] and "--time=1:00:00" in calls[1], calls[1])
    check("4001" in out and "4002" in out, f"job ids not reported: {out}")
    run_batch_scripts(w)
    check(filecmp.cmp(merged, c["one"], shallow=False),
          "the submitted batch scripts give an index that differs from the one-shot run")


@suite.test
def walk_skips_and_unreadable_files_as_one_shot(c):
    """What the walk skipped (a PDF) reaches the merged index through task
    0 (--skips-from), and a walked file that turns out unreadable (an
    executable named .jsonl) is counted by its task (--walked), not the
    end of it: tasks + merge equal the one-shot index again."""
    tmp = c["tmp"]
    corpus = os.path.join(tmp, "skips-corpus")
    shutil.copytree(c["corpus"], corpus)
    with open(os.path.join(corpus, "extra", "paper.pdf"), "wb") as fh:
        fh.write(b"%PDF-1.4" + b"\0" * 64)
    shutil.copy("/bin/true", os.path.join(corpus, "extra", "tool.jsonl"))
    one = os.path.join(tmp, "skips-one.cidx")
    contam("index", "-q", *SIZE, "-o", one, corpus).expect(0)
    env, _ = fake_sbatch_env(tmp, "fakebin5")
    w = os.path.join(tmp, "w5")
    merged = os.path.join(tmp, "skips-merged.cidx")
    rc, out, err = run_script("-o", merged, "-s", SHARDS, *SIZE, "--workdir", w,
                              "--contam", BIN, corpus, env=env)
    check(rc == 0, f"submission: exit {rc}: {err}")
    run_batch_scripts(w)
    info = contam("info", "--json", merged).expect(0).json()
    sk = {s["reason"]: s["count"] for s in info["skipped"]}
    check(sk.get("unknown_kind") == 1, f"walk skips in the merged index: {info['skipped']}")
    check(filecmp.cmp(merged, one, shallow=False),
          "tasks + merge differ from the one-shot index of a walk with skips")


@suite.test
def refuses_what_cannot_work(c):
    o = os.path.join(c["tmp"], "x.cidx")
    rc, _, err = run_script("--dry-run", "-o", o, "-s", "2", c["corpus"])
    check(rc == 1 and "--expected-ngrams" in err, f"no sizing: exit {rc}: {err}")
    rc, _, err = run_script("--dry-run", "-o", o, "-s", "0", *SIZE, c["corpus"])
    check(rc == 1, f"-s 0: exit {rc}: {err}")
    rc, _, err = run_script("--dry-run", "-o", o, "-s", "2", *SIZE,
                            os.path.join(c["tmp"], "missing"))
    check(rc == 2 and "missing" in err, f"missing input: exit {rc}: {err}")
    # contam lists the inputs (--list-inputs) and refuses the duplicate
    rc, _, err = run_script("--dry-run", "-o", o, "-s", "2", *SIZE, "--contam", BIN,
                            c["corpus"], os.path.join(c["corpus"], "essay.txt"))
    check(rc == 2 and "more than once" in err, f"duplicate input: exit {rc}: {err}")
    rc, out, err = run_script("--dry-run", "-o", o, "-s", "1000", *SIZE, "--contam", BIN,
                              c["corpus"])
    n = len(c["sizes"])
    check(rc == 0 and f"using {n}" in err and f"task {n - 1}:" in out and
          f"task {n}:" not in out, f"more shards than files: exit {rc}: {err}")
    rc, out, _ = run_script("--help")
    check(rc == 0 and "usage:" in out, "--help")


sys.exit(suite.run(setup))
