#!/usr/bin/env bash
# Set up a fresh Debian machine, build contam, index the tiny committed
# corpus of testdata/ (one small file in every input format, benchmark
# items planted in it: testdata/README.md), probe the committed benchmark,
# print the table and check every verdict against the planting.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
out=build/demo
rm -rf "$out"
mkdir -p "$out"
echo "== contam index -o $out/demo.cidx testdata/corpus" >&2
build/src/cli/contam index -o "$out/demo.cidx" testdata/corpus
echo "== contam probe $out/demo.cidx --name demo --field question --field answer --id-field id testdata/bench/demo.jsonl -o $out/report.json" >&2
build/src/cli/contam probe "$out/demo.cidx" --name demo --field question \
  --field answer --id-field id testdata/bench/demo.jsonl -o "$out/report.json"
python3 - "$out/report.json" testdata/expected.json <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))["expected"]
bad = [e["id"] for e in rep["examples"] if e["verdict"] != exp[e["id"]]["expected"]]
n = len(rep["examples"])
print(f"verdicts as planted: {n - len(bad)} of {n} (testdata/expected.json)"
      + (f"; differ: {', '.join(bad)}" if bad else ""))
sys.exit(1 if bad else 0)
EOF
echo "== report: $out/report.json (per-example verdicts), expected: testdata/expected.json" >&2
