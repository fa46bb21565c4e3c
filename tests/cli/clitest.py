"""clitest.py -- the small harness shared by the CLI tests (stdlib only).

Environment (set by tests/meson.build; defaults for running by hand):
  CONTAM_BIN          the contam binary   (default: ROOT/build/src/cli/contam)
  CONTAM_SOURCE_ROOT  the repository root (default: two levels up)
  CONTAM_SHARED_DATA  ../shared/data      (default: ROOT/../shared/data)
  CONTAM_KEEP=1       keep the temporary directory and print its path
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("CONTAM_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CONTAM_BIN") or os.path.join(ROOT, "build", "src", "cli", "contam")
SHARED = os.environ.get("CONTAM_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")

sys.path.insert(0, HERE)


def load_generator():
    path = os.path.join(ROOT, "scripts", "gen_testdata.py")
    spec = importlib.util.spec_from_file_location("gen_testdata", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write(path, data):
    """Write data (str or bytes) to path, making its directories; returns path."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def mpi_env():
    """The environment for running contam-mpi: Open MPI leaks by design
    (scripts/sanitize.sh), so leak checking is off for it under ASan."""
    env = dict(os.environ)
    if env.get("ASAN_OPTIONS"):
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Result:
    def __init__(self, args, rc, out, err, seconds):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise Failure(f"{self.cmdline()}: stdout is not JSON ({e}): {self.out[:300]!r}")

    def cmdline(self):
        return "contam " + " ".join(self.args)

    def expect(self, rc):
        if self.rc != rc:
            raise Failure(f"{self.cmdline()}: exit {self.rc}, expected {rc}\n"
                          f"  stderr: {self.err.strip()[-800:]}")
        return self


def contam(*args, cwd=None, timeout=120, input=None, env=None):
    args = [str(a) for a in args]
    t0 = time.time()
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    p = subprocess.run([BIN] + args, cwd=cwd, input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=full_env)
    return Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), time.time() - t0)


class Suite:
    """Collects test functions; each gets the suite's temp dir."""

    def __init__(self, name):
        self.name = name
        self.tests = []
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.notes = []

    def test(self, fn):
        self.tests.append(fn)
        return fn

    def note(self, msg):
        self.notes.append(msg)
        print(f"  note: {msg}", flush=True)

    def run(self, setup=None):
        if not os.path.exists(BIN):
            print(f"{self.name}: contam binary not found at {BIN}")
            print("0 passed, 1 failed")
            return 1
        tmp = tempfile.mkdtemp(prefix=f"contam-{self.name}-")
        keep = os.environ.get("CONTAM_KEEP") == "1"
        t_all = time.time()
        try:
            ctx = setup(tmp) if setup else tmp
            for fn in self.tests:
                t0 = time.time()
                try:
                    r = fn(ctx)
                    if r == "skip":
                        self.skipped += 1
                        print(f"SKIP {fn.__name__}", flush=True)
                        continue
                    self.passed += 1
                    print(f"PASS {fn.__name__} ({time.time() - t0:.1f}s)", flush=True)
                except Failure as e:
                    self.failed += 1
                    self.failures.append((fn.__name__, str(e)))
                    print(f"FAIL {fn.__name__}: {e}", flush=True)
                except Exception:
                    self.failed += 1
                    tb = traceback.format_exc()
                    self.failures.append((fn.__name__, tb))
                    print(f"FAIL {fn.__name__}: exception\n{tb}", flush=True)
        finally:
            if keep:
                print(f"(kept {tmp})")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        print(f"{self.name}: {time.time() - t_all:.1f}s")
        line = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        print(line)
        return 1 if self.failed else 0
