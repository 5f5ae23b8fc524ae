#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite (unit, then integration).
# Prints "N passed, N failed" as its last line; exits non-zero when anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
# 64 hugepages of 2 MiB (128 MiB) for the packet capture test (dpdk-dumpcap needs shared memory).
scripts/setup.sh --hugepages 64 || exit 1
rc=0
meson test -C build --print-errorlogs --num-processes 1 || rc=$?
python3 - build/meson-logs/testlog.json <<'PY' || rc=1
import json, sys, re
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout", "") or ""
    # Count GoogleTest cases, not meson entries: each suite binary holds many tests.
    m = re.findall(r"\[  PASSED  \] (\d+) test", out)
    f = re.findall(r"\[  FAILED  \] (\d+) test", out)
    s = re.findall(r"\[  SKIPPED \] (\d+) test", out)
    if m or f:
        passed += sum(map(int, m)); failed += sum(map(int, f)); skipped += sum(map(int, s))
    elif t["result"] == "OK":
        passed += 1
    elif t["result"] == "SKIP":
        skipped += 1
    else:
        failed += 1
    if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and not f:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
exit $rc
