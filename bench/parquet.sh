#!/usr/bin/env bash
# bench/parquet.sh -- MB/s of `contam index` on the same text as a Parquet
# shard (SNAPPY, row groups of 10000, written by hyparquet-writer) and as
# JSONL.zst.  Usage: bench/parquet.sh [COPIES] (default 40 copies of the
# C4 sample in ../shared/data/corpus/c4, each document made unique).
# Needs node and hyparquet-writer in $CONTAM_NPM_DIR (default
# /opt/contam-npm: npm install --prefix /opt/contam-npm hyparquet-writer).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONTAM_BIN:-build/src/cli/contam}
COPIES=${1:-40}
SRC=../shared/data/corpus/c4/c4_sample.jsonl.gz
T=$(mktemp -d /tmp/contam-bench-parquet.XXXXXX)
trap 'rm -rf "$T"' EXIT
python3 - "$SRC" "$T/c.jsonl" "$COPIES" <<'PY'
import gzip, json, sys
rows = [json.loads(l) for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for k in range(int(sys.argv[3])):
        for i, r in enumerate(rows):
            f.write(json.dumps({"id": f"{k}-{i}", "text": f"copy {k} {r['text']}"}) + "\n")
PY
node bench/parquet_write.mjs "$T/c.jsonl" "$T/c.parquet"
zstd -q -3 "$T/c.jsonl" -o "$T/c.jsonl.zst"
grep -m1 "model name" /proc/cpuinfo
echo "threads: $(nproc)"
for f in c.parquet c.jsonl.zst; do
  best=""
  for run in 1 2 3; do
    s=$(date +%s.%N)
    "$BIN" index -q --memory 64M -o "$T/x.cidx" "$T/$f"
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  text=$(stat -c %s "$T/c.jsonl")
  size=$(stat -c %s "$T/$f")
  echo "$f: file $(echo "scale=1; $size/1048576" | bc) MiB, JSONL text $(echo "scale=1; $text/1048576" | bc) MiB, best of 3: ${best}s, $(echo "scale=1; $text/1048576/$best" | bc) MB/s of JSONL bytes"
done
"$BIN" cat --text-field text "$T/c.parquet" | wc -l | sed 's/^/parquet documents: /'
