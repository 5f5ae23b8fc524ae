#!/usr/bin/env python3
"""A/B of vfpath builds: runs each BIN:MODE in turn, round after round, on the benchmark configs
(perf/configs/MODE.yaml: two net_null ports, one worker lcore), and prints per-run Mpps, medians,
and for every entry against the first entry of its mode (io-lat and io-obs: the first vfpath io
entry) the median of the per-round ratios and the rounds it was ahead. Build the variants first
(edit, ninja, copy build/app/vfpath elsewhere, undo).

Two entries run the references of perf/bench.py in the same rounds: `bare` (the bare loop of
../shared/bench, mode io) and `testpmd:MODE` (dpdk-testpmd in MODE's peer mode). Put one first
to compare every build of that mode with it.

Because the entries alternate within each round, a slow spell of the machine weighs on all of
them. perf/RESULTS.md (sets 5 and 6) reports A/B figures made this way.

Usage: perf/ab.py [--rounds 8] [--seconds 3] [--memory 4k|huge] BIN:MODE BIN:MODE [...]
  e.g. perf/ab.py --memory huge /tmp/vf-old:macswap build/app/vfpath:macswap
       perf/ab.py --memory huge bare /tmp/vf-old:io build/app/vfpath:io
"""
import argparse, os, statistics, sys, tempfile

import bench
from vfreport import TESTPMD_MODE, build_bareloop, paired


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--memory", choices=["4k", "huge"], default="4k")
    ap.add_argument("entries", nargs="+", metavar="BIN:MODE")
    a = ap.parse_args()
    bench.MEMORY = a.memory
    if a.memory == "huge":
        bench.require_hugepages(260, "ab")  # one program at a time, 512 MB each
    entries = []
    for e in a.entries:
        if e == "bare":
            entries.append((e, "bare", "io"))
            continue
        exe, sep, mode = e.rpartition(":")
        if not sep or not exe or not mode:
            sys.exit(f"ab: {e!r}: expected BIN:MODE, bare or testpmd:MODE, e.g. build/app/vfpath:macswap")
        if exe == "testpmd":
            if mode not in TESTPMD_MODE:
                sys.exit(f"ab: {e!r}: testpmd has no peer for mode {mode!r} "
                         f"(one of {', '.join(TESTPMD_MODE)})")
            entries.append((e, exe, mode))
            continue
        if not os.access(exe, os.X_OK):
            sys.exit(f"ab: {e!r}: {exe} is not an executable")
        if not os.path.exists(bench.config_path(mode)):
            sys.exit(f"ab: {e!r}: no perf/configs/{mode}.yaml")
        entries.append((e, exe, mode))
    if len(entries) < 2:
        sys.exit("ab: give at least two BIN:MODE entries")
    tmp = tempfile.mkdtemp(prefix="vfpath-ab-")
    bare = build_bareloop(tmp) if any(exe == "bare" for _, exe, _ in entries) else None
    runs = {e: [] for e, _, _ in entries}
    for i in range(a.rounds):
        line = []
        for e, exe, mode in entries:
            if exe == "bare":
                runs[e].append(bench.run_bareloop(bare, a.seconds, i))
            elif exe == "testpmd":
                runs[e].append(bench.run_testpmd(mode, a.seconds, i))
            else:  # as perf/bench.py runs the mode (io-obs: live table and /metrics scraped)
                runs[e].append(bench.run_mode(mode, a.seconds, tmp, exe=exe)[0])
            line.append(f"{e} {runs[e][-1]:.2f}")
        print(f"round {i + 1}: " + " | ".join(line), flush=True)
    # Each entry is compared with the first entry of the same mode (io-lat and io-obs, which have
    # no build of their own mode before them, with the first vfpath io entry).
    first, first_vfpath_io = {}, None
    for e, exe, mode in entries:
        first.setdefault(mode, e)
        if mode == "io" and exe not in ("bare", "testpmd") and first_vfpath_io is None:
            first_vfpath_io = e
    print("\nmedian Mpps; against the first entry of the same mode: median of per-round ratios, "
          "rounds ahead")
    for e, _, mode in entries:
        base = first[mode]
        if base == e and mode in ("io-lat", "io-obs") and first_vfpath_io:
            base = first_vfpath_io
        m, ahead = paired(runs[e], runs[base])
        rel = "" if e == base else f"   {m:.3f}, {ahead} of {a.rounds} against {base}"
        print(f"  {e:40s} {statistics.median(runs[e]):7.2f}{rel}")


if __name__ == "__main__":
    main()
