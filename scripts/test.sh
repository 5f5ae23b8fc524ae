#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite (unit, then integration).
# Prints "N passed, N failed" as its last line; exits non-zero when anything fails.
# --sanitize: the same suites on an ASan+UBSan build (build-asan/); any sanitizer finding fails
# its test, and the last line reads "sanitizers (ASan+UBSan): N passed, N failed, N skipped".
# --vf [--only NAME,...]: the VF lane instead (tests/vf/lane.py): vfpath on real SR-IOV VFs in a
# QEMU guest with two emulated igb NICs; last line "vf: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
# 64 hugepages of 2 MiB (128 MiB) for the packet capture test (dpdk-dumpcap needs shared memory).
scripts/setup.sh --hugepages 64 || exit 1
build=build label=""
if [ "${1:-}" = "--vf" ]; then
  shift
  # The guest's CPU is QEMU's TCG model, which lacks what -march=native may use on this host
  # (AVX-512: the binary dies with "Illegal instruction"). The lane runs a build for a generic
  # x86-64 CPU (build-generic/, only vfpath itself).
  if [ ! -f build-generic/build.ninja ]; then
    meson setup build-generic -Dnative=false >/dev/null || exit 1
  fi
  ninja -C build-generic app/vfpath || exit 1
  exec python3 tests/vf/lane.py --vfpath build-generic/app/vfpath "$@"
fi
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan label="sanitizers (ASan+UBSan): "
  if [ ! -f build-asan/build.ninja ]; then
    # -fno-sanitize-recover: UBSan stops at the first finding instead of printing and going on.
    # _GLIBCXX_ASSERTIONS: libstdc++ checks operator[] and friends against the size. -O1 (the
    # level ASan's authors suggest) compiles in half the time of the default -O3.
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dnative=false \
      -Doptimization=1 \
      -Dcpp_args="['-fno-sanitize-recover=all', '-D_GLIBCXX_ASSERTIONS']" || exit 1
  fi
  ninja -C build-asan || exit 1
  # Leaks are checked too, in the vfpath processes the integration suite starts as well: EAL is
  # cleaned up at exit, so a leak report means our own code lost memory.
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
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
        # A suite binary that failed without a failed case (a crash, a leak report at exit).
        if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and not f:
            failed += 1
    elif t["result"] == "OK":
        passed += 1
    elif t["result"] == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{sys.argv[2]}{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
exit $rc
