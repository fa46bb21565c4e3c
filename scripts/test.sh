#!/usr/bin/env bash
# Set up a fresh Debian machine, build, and run the whole test suite.
# Extra arguments go to `meson test` (e.g. --suite unit, --no-suite slow).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
status=0
meson test -C build --print-errorlogs "$@" || status=$?
# One closing line with the counts, for people and CI logs alike.
python3 - <<'PY'
import json
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
with open("build/meson-logs/testlog.json") as f:
    for line in f:
        r = json.loads(line).get("result", "")
        key = {"OK": "OK", "SKIP": "SKIP", "EXPECTEDFAIL": "OK"}.get(r, "FAIL")
        counts[key] += 1
print(f"meson: {counts['OK']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
PY
exit $status
