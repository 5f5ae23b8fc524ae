#!/usr/bin/env bash
# vfpath never starts another program: no shell, no exec, so no user-provided string (config,
# CLI argument, sysfs value, packet) can ever become a command line. This fails (exit 1) on any
# call that runs one in app/, lib/ or drivers-glue/: system(), popen(), the exec*() family,
# posix_spawn(), wordexp() (it runs a shell for $(...)), or a /bin/sh path. Comment lines are
# skipped. Usage: scripts/lint-no-shell.sh [DIR...]   (default: app lib drivers-glue)
#                 scripts/lint-no-shell.sh --self-test   (proves each construct is caught)
set -u
cd "$(dirname "$0")/.."
calls='system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|execveat|fexecve|posix_spawnp?|wordexp'
pattern="(^|[^A-Za-z0-9_.>])(std::|::)?($calls)[[:space:]]*\(|/bin/(ba|da|z|k)?sh\b"

scan() {
  grep -rnE --include='*.cpp' --include='*.h' --include='*.hpp' --include='*.cc' --include='*.in' \
      "$pattern" "$@" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|\*|/\*)' | grep -v 'lint-ok'
}

if [ "${1:-}" = "--self-test" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bad=('std::system("ls");' 'system(cmd);' '::system(cmd.c_str());' 'FILE* p = popen(c, "r");'
       'execl("/usr/bin/ip", "ip", nullptr);' 'execvp(argv[0], argv);' 'execve(p, a, e);'
       'execv (path, args);' 'posix_spawn(&pid, p, nullptr, nullptr, a, e);'
       'posix_spawnp(&pid, "ip", nullptr, nullptr, a, e);' 'wordexp(s, &w, 0);'
       'const char* sh = "/bin/sh";' 'run("/bin/bash -c x");' 'fexecve(fd, a, e);')
  good=('// never calls system() or popen()' 'file_system(x);' 'obj.system(x);'
        'p->popen(x);' 'executor(x);' 'execution_policy p;' 'const char* d = "/bin/shallow";')
  fail=0
  for s in "${bad[@]}"; do
    printf '%s\n' "$s" > "$tmp/t.cpp"
    if [ -z "$(scan "$tmp")" ]; then echo "not caught: $s"; fail=1; fi
  done
  for s in "${good[@]}"; do
    printf '%s\n' "$s" > "$tmp/t.cpp"
    if [ -n "$(scan "$tmp")" ]; then echo "false alarm: $s"; fail=1; fi
  done
  [ $fail = 0 ] && echo "self-test: ${#bad[@]} constructs caught, ${#good[@]} look-alikes passed"
  exit $fail
fi

dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(app lib drivers-glue)
hits=$(scan "${dirs[@]}")
if [ -n "$hits" ]; then
  echo "a program would be started (no shell or exec is allowed in ${dirs[*]}):"
  echo "$hits"
  exit 1
fi
echo "no shell or exec: $(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.h' \) | wc -l) files checked in ${dirs[*]}"
