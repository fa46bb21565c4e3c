#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan) and run each one for
# SECONDS (default 60).  Prints the executions per target from libFuzzer's
# final stats; exits 1 if any target crashed, leaked, timed out or hit UB
# (the reproducer is saved under BUILD/fuzz-artifacts/<target>/).
#
# usage: scripts/fuzz.sh [SECONDS]
# env:   FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARGS (extra libFuzzer
#        flags, e.g. "-jobs=2 -workers=2")
#
# New inputs libFuzzer finds go to a temporary directory; the committed
# seeds in tests/fuzz/corpus/ are only read (tests/fuzz/make_seeds.py
# writes those).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=()
for t in fuzz_warc fuzz_jsonl fuzz_bench fuzz_normalize fuzz_index_load fuzz_sniff fuzz_mediawiki fuzz_parquet; do
  [ -f "tests/fuzz/$t.c" ] && targets+=("$t")
done

scripts/deps.sh
need=()
command -v clang >/dev/null || need+=(clang)
[ -n "$(find /usr/lib/llvm-* -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -1)" ] ||
  need+=(libclang-rt-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

t0=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  # no OpenMP: one thread per target keeps runs reproducible
  CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dopenmp=disabled \
    -Dc_args=-fno-sanitize-recover=undefined >/dev/null
fi
ninja -C "$build" "${targets[@]/#/tests/fuzz/}" >/dev/null
echo "fuzz: built in $(( $(date +%s) - t0 ))s; ${secs}s per target"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "$build/fuzz-artifacts/$t"
  log="$build/fuzz-$t.log"
  rc=0
  maxlen=65536
  [ "$t" = fuzz_normalize ] && maxlen=4096 # it repeats inputs itself
  # shellcheck disable=SC2086
  "$build/tests/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
    -timeout=20 -rss_limit_mb=2560 -max_len="$maxlen" \
    -artifact_prefix="$build/fuzz-artifacts/$t/" ${FUZZ_ARGS:-} \
    "$work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "FAIL $t: exit $rc after ${execs:-?} executions; log $log"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|fuzz_normalize:' "$log" | head -8 | sed 's/^/    /'
  else
    printf 'ok   %-16s %10s execs in %ss (%s/s), coverage %s\n' "$t" "${execs:-?}" \
      "$secs" "$(( ${execs:-0} / secs ))" "${cov:-?}"
  fi
done
echo "fuzz: total $(( $(date +%s) - t0 ))s"
exit $failed
