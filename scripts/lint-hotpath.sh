#!/usr/bin/env bash
# The hot path (lib/*/dp/) may not allocate, lock, dispatch virtually, or use std::string,
# std::function, shared_ptr, iostreams or spdlog (STYLE §2). The compiler already rejects throw
# and RTTI there (cpp_eh=none, cpp_rtti=false); this catches the rest. Exit 1 on any hit.
set -u
cd "$(dirname "$0")/.."
pattern='\bnew [A-Za-z_]|\bdelete\b|\bvirtual\b|std::(string|function|shared_ptr|unique_ptr|mutex|lock_guard|unique_lock|vector|map)\b|\bmalloc\(|\bspdlog\b|<iostream>|\bthrow\b|dynamic_cast'
hits=$(grep -rnE "$pattern" lib/*/dp/ | grep -vE '^\S+:\s*//' | grep -v 'lint-ok')
if [ -n "$hits" ]; then
  echo "hot-path rule broken (lib/*/dp/):"
  echo "$hits"
  exit 1
fi
echo "hot path clean: $(ls lib/*/dp/* | wc -l) files checked"
