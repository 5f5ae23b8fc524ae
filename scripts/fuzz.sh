#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, ASan and UBSan (build-fuzz/) and runs each
# for a fixed time over its seeds and regression inputs. Installs clang and its runtime when
# missing. Prints one line per target; exits non-zero when any target crashed, leaked, hit
# undefined behaviour or timed out. A failing input is kept in build-fuzz/crashes/<target>/.
# Usage: scripts/fuzz.sh [--seconds N] [target...]   (default: 30 s each, every target)
# Targets: config probe netlink sysfs mailbox
set -uo pipefail
cd "$(dirname "$0")/.."

all=(config probe netlink sysfs mailbox)
seconds=30
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      seconds="${2:-}"
      [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --seconds needs a whole number of seconds, got '${2:-}'" >&2; exit 2; }
      shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz: unknown option $1 (--seconds N, target names)" >&2; exit 2 ;;
    *)
      [[ " ${all[*]} " == *" $1 "* ]] || { echo "fuzz: unknown target '$1' (${all[*]})" >&2; exit 2; }
      targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# The project's own packages first, then the fuzzing toolchain: Debian 12's clang 14 with its
# compiler runtime (libFuzzer, ASan, UBSan) and llvm-symbolizer for readable stacks.
scripts/setup.sh >/dev/null || { echo "fuzz: scripts/setup.sh failed" >&2; exit 1; }
FUZZ_PKGS=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for p in "${FUZZ_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" || exit 1
fi

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang-14 CXX=clang++-14 meson setup build-fuzz -Dfuzz=true -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false -Dnative=false >/dev/null ||
    { echo "fuzz: meson setup build-fuzz failed" >&2; exit 1; }
fi
ninja -C build-fuzz $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") >build-fuzz/fuzz-build.log 2>&1 ||
  { tail -30 build-fuzz/fuzz-build.log; echo "fuzz: build failed (build-fuzz/fuzz-build.log)" >&2; exit 1; }

# A leak, a UBSan finding or a failed check stops the run like a crash does.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
failed=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t log=build-fuzz/fuzz-$t.log
  rm -rf "$crashes" && mkdir -p "$work" "$crashes"  # crashes/: this run's failing input
  dirs=("$work" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # New inputs go to the first directory (build-fuzz/corpus/<target>): the seeds in the tree
  # are only read.
  "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "${dirs[@]}" >"$log" 2>&1 &
  pid=$! start=$SECONDS
  wait $pid
  rc=$? took=$((SECONDS - start))
  rm -rf /dev/shm/vfpath-fuzz-sysfs-"$pid"-* /tmp/vfpath-fuzz-sysfs-"$pid"-*
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  if [ $rc -eq 0 ]; then
    result=ok
  else
    failed=$((failed + 1))
    what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*|check failed: .*' "$log")
    input=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
    result="FAILED (${what:-exit $rc}; input ${input:-none}; log $log)"
  fi
  printf 'fuzz %-8s %9s runs in %3ss, cov %s, ft %s, corpus %s: %s\n' \
    "$t" "${runs:-0}" "$took" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
echo "fuzz: ${#targets[@]} targets, $failed failed"
[ $failed -eq 0 ]
