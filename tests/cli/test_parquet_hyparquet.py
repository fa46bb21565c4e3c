#!/usr/bin/env python3
"""test_parquet_hyparquet.py -- a differential test of contam's Parquet
reader against hyparquet (pure JavaScript, npm), an independent reader.

For every file in ../shared/data/parquet that contam reads
(test_parquet_files.EXPECT_FAIL lists those it rejects), tests/cli/
parquet_dump.mjs dumps each row's strings with hyparquet, and
`contam cat --text-field '*'` prints the same row's string columns: every
string hyparquet gives must be one contam gives, and every string contam
gives must be one hyparquet gives (a string value or a map key).  Strings
with U+FFFD (invalid UTF-8, which the two print differently) and
timestamps (strings in hyparquet only) are left out.

hyparquet is installed by .ci/run (npm install --prefix /opt/contam-npm
hyparquet hyparquet-compressors); the test looks in $CONTAM_NPM_DIR, else
/opt/contam-npm, and skips cleanly without node, hyparquet or the data.
"""
import json
import os
import re
import shutil
import subprocess
import sys

from clitest import HERE, SHARED, Suite, check, contam
from test_parquet_files import EXPECT_FAIL

S = Suite("test_parquet_hyparquet")
PQ = os.path.join(SHARED, "parquet")
NPM = os.environ.get("CONTAM_NPM_DIR") or "/opt/contam-npm"
DUMP = os.path.join(HERE, "parquet_dump.mjs")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def usable():
    return (shutil.which("node") and os.path.isdir(PQ) and
            os.path.exists(os.path.join(NPM, "node_modules", "hyparquet", "package.json")))


def pieces(texts):
    out = []
    for t in texts:
        out.extend(t.split("\n"))
    return out


@S.test
def same_strings_as_hyparquet(c):
    if not usable():
        return "skip"
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    compared, unread, bad = [], [], []
    rels = []
    for d, _, names in os.walk(PQ):
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(d, n), PQ)
            if n.endswith(".parquet") and rel not in EXPECT_FAIL:
                rels.append(rel)
    rels.sort()
    p = subprocess.run(["node", DUMP] + [os.path.join(PQ, r) for r in rels],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, env=env)
    check(p.returncode == 0, f"node: {p.stderr.decode()[-300:]}")
    hyp_all = {}
    for l in p.stdout.decode().split("\n"):
        if l.strip():
            h = json.loads(l)
            hyp_all.setdefault(os.path.relpath(h["file"], PQ), []).append(h)
    for rel in rels:
        path = os.path.join(PQ, rel)
        hyp = hyp_all.get(rel, [])
        if hyp and "error" in hyp[0]:
            unread.append(rel)
            continue
        r = contam("cat", "--text-field", "*", path, timeout=60)
        check(r.rc == 0, f"{rel}: {r.err}")
        got = {}
        for l in r.out.split("\n"):
            if l.strip():
                doc = json.loads(l)
                got[doc["record"]] = pieces([doc["text"]])
        check(max(got, default=-1) < len(hyp),
              f"{rel}: contam has rows past hyparquet's {len(hyp)}")
        for h in hyp:
            want = [s for s in pieces(h["strings"])
                    if "\ufffd" not in s and not ISO_TIME.match(s)]
            # TextDecoder drops a leading byte order mark; contam keeps bytes
            have = [s.lstrip("\ufeff") for s in got.get(h["row"], [])
                    if "\ufffd" not in s]
            want = [s.lstrip("\ufeff") for s in want]
            miss = [s for s in want if s not in have]
            extra = [s for s in have if s not in want and s not in h["keys"]
                     and not any(s in w for w in h["strings"])]
            if miss or extra:
                bad.append(f"{rel} row {h['row']}: hyparquet only {miss[:3]}, "
                           f"contam only {extra[:3]}")
                break
        compared.append(rel)
    S.note(f"{len(compared)} files equal to hyparquet's strings; "
           f"{len(unread)} hyparquet could not read: {', '.join(unread[:8])}")
    check(len(compared) >= 50, f"only {len(compared)} files compared")
    check(not bad, "\n".join(bad))


@S.test
def hyparquet_on_rejected_files(c):
    """What hyparquet does with the files contam rejects (a note, so that a
    reader that is stricter than hyparquet is visible, not a failure)."""
    if not usable():
        return "skip"
    env = dict(os.environ, CONTAM_NPM_DIR=NPM)
    rels = [r for r in sorted(EXPECT_FAIL)
            if os.path.exists(os.path.join(PQ, r)) and "stress/" not in r]
    # stress/: hyparquet has no memory ceiling
    p = subprocess.run(["node", DUMP] + [os.path.join(PQ, r) for r in rels],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, env=env)
    errs = set()
    seen = set()
    for l in p.stdout.decode().split("\n"):
        if l.strip():
            h = json.loads(l)
            f = os.path.relpath(h["file"], PQ)
            seen.add(f)
            if "error" in h:
                errs.add(f)
    read = [r for r in rels if r in seen and r not in errs]
    S.note(f"hyparquet reads {len(read)} of the files contam rejects: {', '.join(read)}")
    check(len(read) < len(EXPECT_FAIL), "hyparquet reads every rejected file")


if __name__ == "__main__":
    sys.exit(S.run())
