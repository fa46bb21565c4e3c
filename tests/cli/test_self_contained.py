#!/usr/bin/env python3
"""test_self_contained.py -- the repository explains itself (docs/README.md):

- no comment, doc or test cites a tracker number ("issue 17", "issue-13"):
  the reason goes in the text, or in the docs/ file that holds it;
- every document a file cites exists: a bare NAME.md is a file of the
  repository, a path under src/, include/, tests/, docs/, bench/,
  scripts/, testdata/, suites/, contrib/ or python/ is a tracked file.
  (or one beside the citing file, as meson.build names them).  The only
  citations of files outside are the shared data's SOURCES.md and
  docs/README.md's note on the former DESIGN.md.

Dated run records (bench/results/) and fixtures (testdata/, the fuzz
seeds) are left as they were written.  Both rules are first run on a
planted text, so a check that finds nothing is known to look.

Ends with "N passed, N failed"; exit status 1 on any failure.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import ROOT, Suite, check  # noqa: E402

S = Suite("test_self_contained")

TRACKER = re.compile(r"(?i)\bissues?(?:[ -]#?|#)\d+\b")
BARE_DOC = re.compile(r"(?<![\w/.-])([A-Z][A-Z0-9_]*\.md)\b")
PATH = re.compile(r"(?<![\w/.-])((?:src|include|tests|docs|bench|scripts|testdata|suites|"
                  r"contrib|python)/[\w./-]*\w\.(?:md|c|h|py|sh|mjs))\b")
# (citing file or None for any, name): citations of files kept outside
OUTSIDE = {(None, "SOURCES.md"), ("docs/README.md", "DESIGN.md"),
           (None, "FILE.md")}  # FILE.md: a usage line's placeholder
SKIP = ("bench/results/", "testdata/", "tests/fuzz/corpus/",
        "tests/cli/test_self_contained.py")  # its planted cases
TEXT = re.compile(r"\.(c|h|py|sh|md|build|txt|mjs|options)$|(^|/)meson_options\.txt$")


def tracked():
    r = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        return r.stdout.split()
    out = []  # not a checkout (a release tarball): every file but builds
    for d, dirs, names in os.walk(ROOT):
        dirs[:] = [x for x in dirs if not x.startswith(("build", "."))]
        out += [os.path.relpath(os.path.join(d, n), ROOT) for n in names]
    return out


def problems(name, text, files, bases):
    """(line, what) for each tracker number and missing citation."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in TRACKER.finditer(line):
            out.append((n, f"tracker number '{m.group(0)}'"))
        for m in BARE_DOC.finditer(line):
            doc = m.group(1)
            if doc not in bases and (None, doc) not in OUTSIDE and (name, doc) not in OUTSIDE:
                out.append((n, f"cites {doc}, which is not in the repository"))
        for m in PATH.finditer(line):
            # from the top, or (meson.build, relative paths) from its folder
            here = os.path.normpath(os.path.join(os.path.dirname(name), m.group(1)))
            if m.group(1) not in files and here not in files:
                out.append((n, f"cites {m.group(1)}, which is not in the repository"))
    return out


def sources():
    files = tracked()
    keep = [f for f in files if TEXT.search(f) and not f.startswith(SKIP)]
    return set(files), {os.path.basename(f) for f in files}, keep


@S.test
def rules_find_what_they_look_for(d):
    files, bases, _ = sources()
    planted = ("/* see issue 3 and MINHASH.md */\n"
               "# (issue-13) docs/NOPE.md\n"
               "ok: docs/FORMAT.md, ARCHITECTURE.md, tests/fuzz/corpus/x.bin, issue22325.parquet\n")
    got = problems("x.c", planted, files, bases)
    check([n for n, _ in got] == [1, 1, 2, 2], f"planted: {got}")
    check(problems("docs/README.md", "the former DESIGN.md", files, bases) == [] and
          problems("src/x.c", "the former DESIGN.md", files, bases) != [],
          "DESIGN.md is allowed only where docs/README.md says what it was")


@S.test
def no_tracker_numbers_no_missing_files(d):
    files, bases, keep = sources()
    check(len(keep) > 100, f"only {len(keep)} files to read: the listing is wrong")
    bad = []
    for f in keep:
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as h:
            bad += [f"{f}:{n}: {what}" for n, what in problems(f, h.read(), files, bases)]
    check(not bad, f"{len(bad)} places:\n  " + "\n  ".join(bad[:40]))


if __name__ == "__main__":
    sys.exit(S.run())
