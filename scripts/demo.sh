#!/usr/bin/env bash
# Set up a fresh Debian machine, build contam, generate a small corpus in
# every input format with benchmark items planted in it, index it, probe
# the benchmark, and print the table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
out=build/demo
rm -rf "$out"
python3 scripts/gen_testdata.py "$out" >/dev/null
echo "== contam index -o $out/demo.cidx $out/corpus" >&2
build/src/cli/contam index -o "$out/demo.cidx" "$out/corpus"
echo "== contam probe $out/demo.cidx --name demo --field question --field answer --id-field id $out/bench/demo.jsonl -o $out/report.json" >&2
build/src/cli/contam probe "$out/demo.cidx" --name demo --field question \
  --field answer --id-field id "$out/bench/demo.jsonl" -o "$out/report.json"
echo "== report: $out/report.json (per-example verdicts), expected: $out/expected.json" >&2
