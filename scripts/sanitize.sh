#!/usr/bin/env bash
# Build contam with gcc under AddressSanitizer + UndefinedBehaviorSanitizer
# (a separate build directory) and run the whole test suite but the 'slow'
# suite.  Any sanitizer report fails the test that triggered it: UB aborts
# (no recovery), and the binary's exit status on a report (86) is one no
# test ever expects.
#
# usage: scripts/sanitize.sh [meson test args...]
# env:   SANITIZE_BUILD_DIR (default build-sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SANITIZE_BUILD_DIR:-build-sanitize}
scripts/deps.sh
t0=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  CC=gcc meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized -Dc_args=-fno-sanitize-recover=undefined >/dev/null
fi
ninja -C "$build" >/dev/null
echo "sanitize: built in $(( $(date +%s) - t0 ))s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
rc=0
meson test -C "$build" --no-suite slow --print-errorlogs --timeout-multiplier 4 "$@" || rc=$?
echo "sanitize: total $(( $(date +%s) - t0 ))s"
exit $rc
