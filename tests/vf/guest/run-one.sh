#!/bin/bash
# Runs one guest script, tests/vf/guest/g-NAME.sh, after the shared setup. It reports its tests'
# verdicts on the console; a setup error (not a vfpath verdict) is reported as VF-SETUP-ERROR.
set -uo pipefail
cd "$VF_SRC" || exit 3
VF_TEST=$1
. "$VF_SRC/tests/vf/guest/lib.sh"
g=$VF_SRC/tests/vf/guest/g-$1.sh
[ -f "$g" ] || setup_error "no guest script $g"
base_setup
. "$g"
