#!/bin/bash
# Runs one guest script, tests/vf/guest/g-NAME.sh: the shared setup, the script's guest_setup if
# it has one, then each test named in VF_TESTS (comma-separated), as the function t_TEST. Tests
# report verdicts on the console; a setup error (not a vfpath verdict) is VF-SETUP-ERROR.
set -uo pipefail
cd "$VF_SRC" || exit 3
VF_TEST=$1
. "$VF_SRC/tests/vf/guest/lib.sh"
g=$VF_SRC/tests/vf/guest/g-$1.sh
[ -f "$g" ] || setup_error "no guest script $g"
base_setup
say "setup done ($(cut -d" " -f1 /proc/uptime) s since boot)"
. "$g"
if declare -F guest_setup >/dev/null; then guest_setup; fi
for t in ${VF_TESTS//,/ }; do
  begin "$t"
  "t_${t//-/_}"
  echo "VF-END $t"
done
