#!/usr/bin/env python3
# The user docs hold together: every relative link in README.md and docs/*.md points at a file
# or directory that exists, and a link's #anchor at a heading of the page it names (GitHub's
# slugs). The README stays a short entry point (at most 250 lines), and no tracked file speaks of
# a "session N" (perf/RESULTS.md names its measurements "set N"). Standard library only.
#   docs_test.py SOURCE_ROOT
import os
import re
import subprocess
import sys

root = sys.argv[1]
failures = []


def fail(what):
    failures.append(what)
    print("FAIL:", what)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.startswith("#"):
            out.add(slug(line.lstrip("#")))
    return out


def strip_code(text):
    """Links inside code spans and fenced blocks are examples, not links."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


pages = [os.path.join(root, "README.md")] + sorted(
    os.path.join(root, "docs", f) for f in os.listdir(os.path.join(root, "docs"))
    if f.endswith(".md"))
links = 0
for page in pages:
    text = strip_code(open(page, encoding="utf-8").read())
    name = os.path.relpath(page, root)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        links += 1
        path, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(dest):
            fail(f"{name}: link ({target}): {os.path.relpath(dest, root)} does not exist")
        elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
            fail(f"{name}: link ({target}): no heading '#{anchor}' in {os.path.relpath(dest, root)}")

if links < 20:
    fail(f"only {links} relative links found: is the link pattern still right?")

readme_lines = open(os.path.join(root, "README.md"), encoding="utf-8").read().count("\n")
if readme_lines > 250:
    fail(f"README.md has {readme_lines} lines; keep it at most 250 and move detail into docs/")

# "session N" anywhere in the tracked files (the history in perf/RESULTS.md uses dated sets).
try:
    files = subprocess.run(["git", "-C", root, "ls-files"], check=True, capture_output=True,
                           text=True).stdout.split()
except (OSError, subprocess.CalledProcessError):
    files = [os.path.relpath(os.path.join(d, f), root)
             for d, _, fs in os.walk(root) if "/build" not in d and "/.git" not in d for f in fs]
for f in files:
    if f == "perf/RESULTS.md":
        continue
    try:
        text = open(os.path.join(root, f), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError):
        continue
    for n, line in enumerate(text.split("\n"), 1):
        if re.search(r"session [0-9]", line, re.I):
            fail(f"{f}:{n}: speaks of a session: {line.strip()}")

print(f"{len(pages)} pages, {links} relative links, README {readme_lines} lines")
sys.exit(1 if failures else 0)
