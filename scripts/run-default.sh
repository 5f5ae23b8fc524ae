#!/usr/bin/env bash
# Builds if needed, then runs the built-in default job (two net_null ports, io) for 10 s.
# Extra arguments go to `vfpath run` (e.g. --duration 0 to run until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
exec build/app/vfpath run --duration 10 "$@"
