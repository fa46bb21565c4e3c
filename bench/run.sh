#!/bin/sh
# contam benchmark suite: bench/run.sh [--quick] [--size 1G] [--repeat N] [--perf]
# See bench/README.md.  Everything is in bench/run.py (python3, stdlib only).
set -e
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
