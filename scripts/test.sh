#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite (unit, then integration).
# Prints "N passed, N failed" as its last line; exits non-zero when anything fails.
# --sanitize: the same suites on an ASan+UBSan build (build-asan/); any sanitizer finding fails
# its test, and the last line reads "sanitizers (ASan+UBSan): N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
build=build label=""
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan label="sanitizers (ASan+UBSan): "
  if [ ! -f build-asan/build.ninja ]; then
    # -fno-sanitize-recover: UBSan stops at the first finding instead of printing and going on.
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dnative=false \
      -Dcpp_args=-fno-sanitize-recover=all || exit 1
  fi
  ninja -C build-asan || exit 1
  # Leaks are not checked: EAL keeps allocations (memzones, the device list, the log streams)
  # until the process exits, so every run would report them.
  export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
elif [ $# -gt 0 ]; then
  echo "test.sh: unknown argument '$1' (--sanitize)" >&2
  exit 2
fi
rc=0
meson test -C "$build" --print-errorlogs --num-processes 1 || rc=$?
python3 - "$build/meson-logs/testlog.json" "$label" <<'PY' || rc=1
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
print(f"{sys.argv[2]}{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
exit $rc
