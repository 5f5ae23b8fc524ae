#!/usr/bin/env bash
# Builds if needed, then runs the built-in default job (two net_null ports, io) for 10 s.
# Extra arguments go to `vfpath run` (e.g. --duration 0 to run until Ctrl-C).
# Setup's own output (package installation, the build) is kept in build-setup.log and shown only
# when it fails, with the cause.
set -euo pipefail
cd "$(dirname "$0")/.."
log=build-setup.log
if ! scripts/setup.sh >"$log" 2>&1; then
  # The cause: from the first failed build step or apt error on, else the end of the log.
  first=$(grep -n -m1 -E '^FAILED: |^E: |^setup: cannot' "$log" | cut -d: -f1 || true)
  echo "run-default: scripts/setup.sh failed (full output: $log):" >&2
  if [ -n "$first" ]; then tail -n "+$first" "$log" | head -n 60 >&2; else tail -n 40 "$log" >&2; fi
  exit 1
fi
exec build/app/vfpath run --duration 10 "$@"
