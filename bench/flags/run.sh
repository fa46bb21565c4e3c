#!/bin/sh
# bench/flags/run.sh -- the planted-item harness: build the
# corpora with plant.py, index them, probe the benchmarks they were planted
# from, confirm the flags with the exact scan (probe --confirm), and print
# planted items flagged / planted, unplanted flags, and unplanted flags the
# exact scan confirms.
#
#   CONTAM=build/src/cli/contam bench/flags/run.sh [OUT_DIR] [plant.py options]
#
# Needs python3 and ../shared/data (or CONTAM_SHARED_DATA).  About a minute
# on 2 cores.  PROBE_OPTS is passed to every probe (PROBE_OPTS="--min-span 13",
# or a flag that turns a new rule off, to compare); INDEX_OPTS to every index
# (INDEX_OPTS="-n 13"); THREADS (default 2) to index.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CONTAM=${CONTAM:-$ROOT/build/src/cli/contam}
SHARED=${CONTAM_SHARED_DATA:-$(cd "$ROOT/.." && pwd)/shared/data}
B=$SHARED/benchmarks
OUT=${1:-${TMPDIR:-/tmp}/contam-flags}
[ $# -gt 0 ] && shift
PROBE_OPTS=${PROBE_OPTS:-}
INDEX_OPTS=${INDEX_OPTS:-}
THREADS=${THREADS:-2}
[ -x "$CONTAM" ] || { echo "run.sh: no contam at '$CONTAM' (set CONTAM=)" >&2; exit 2; }
[ -d "$B" ] || { echo "run.sh: no benchmarks under '$SHARED'" >&2; exit 2; }
mkdir -p "$OUT"
CONTAM_SHARED_DATA=$SHARED python3 "$HERE/plant.py" --out "$OUT" "$@"
echo "contam: $("$CONTAM" --version 2>&1 | head -1)"

for c in en cjk; do
	# shellcheck disable=SC2086
	"$CONTAM" index -q -t "$THREADS" $INDEX_OPTS -o "$OUT/$c.cidx" "$OUT/$c"
done

# shellcheck disable=SC2086
probe() { # corpus report [options] bench...
	c=$1 r=$2
	shift 2
	"$CONTAM" probe "$OUT/$c.cidx" -q $PROBE_OPTS -o "$OUT/$r.json" "$@" --confirm "$OUT/$c"
}
probe en mmlu --no-header "$B/mmlu/data/test"
probe en arc "$B/arc/ARC-Challenge-Test.jsonl" "$B/arc/ARC-Easy-Test.jsonl"
probe en gsm8k "$B/gsm8k/test.jsonl"
probe cjk ceval "$B/ceval/val"
probe cjk cmmlu "$B/cmmlu/test"
probe cjk jcqa "$B/jglue/jcommonsenseqa-v1.3_valid-v1.3.json"

echo
echo "== English: C4 sample + wikitext-2 (Wikipedia), MMLU test / ARC test / GSM8K test"
python3 "$HERE/evaluate.py" "$OUT/manifest.jsonl" en "$OUT/mmlu.json" "$OUT/arc.json" "$OUT/gsm8k.json"
echo
echo "== CJK: zh/ja Wikipedia + Chinese web, C-Eval val / CMMLU test / JCommonsenseQA valid"
python3 "$HERE/evaluate.py" "$OUT/manifest.jsonl" cjk "$OUT/ceval.json" "$OUT/cmmlu.json" "$OUT/jcqa.json"
