#!/usr/bin/env bash
# Build contam with gcc under AddressSanitizer + UndefinedBehaviorSanitizer
# (a separate build directory) and run the whole test suite but the 'slow'
# suite.  Any sanitizer report fails the test that triggered it: UB aborts
# (no recovery), and the binary's exit status on a report (86) is one no
# test ever expects.
#
# usage: scripts/sanitize.sh [meson test args...]   (default: all but 'slow')
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
# an instrumented extension module cannot load into the distribution's
# python (the ASan runtime must come first): the binding is tested in the
# normal build only
meson configure "$build" -Dpython=disabled >/dev/null
ninja -C "$build" >/dev/null
echo "sanitize: built in $(( $(date +%s) - t0 ))s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
rc=0
if [ $# -gt 0 ]; then
  meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "$@" || rc=$?
else
  # Open MPI leaks by design (and from plugins it has unloaded, which no
  # suppression can name): test_mpi runs without leak checking.
  mapfile -t all < <(meson test -C "$build" --list --no-suite slow 2>/dev/null |
                     sed -n 's|^[^ ]* / ||p')
  tests=()
  for t in "${all[@]}"; do [ "$t" = test_mpi ] || tests+=("$t"); done
  meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "${tests[@]}" || rc=$?
  if [ ${#tests[@]} -ne ${#all[@]} ]; then
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
      meson test -C "$build" --print-errorlogs --timeout-multiplier 4 test_mpi || rc=$?
  fi
fi
echo "sanitize: total $(( $(date +%s) - t0 ))s"
exit $rc
