#!/usr/bin/env python3
"""Flatness: throughput of one worker lcore as it serves 1, 2, 4, 8 and 16 (port, queue) pairs.

--layout ports (the default): N net_null ports with one rx/tx queue each, cross-connected in pairs
(an odd last port, and the one port of N = 1, reflects to itself). --layout queues: two
cross-connected net_null ports with N/2 rx queues each (N even; N = 1 is one port reflecting), every
rx queue sending on its peer's one tx queue. Either way all N (port, queue) pairs are polled by
lcore 1. Runs N = 1, 2, 4, ... alternately for --rounds rounds and prints the median Mpps per N
(summed over all ports) and its ratio to N = 1: of the medians, as the median of the per-round
ratios with a 95% bootstrap interval over the rounds, and by vfpath's busy cycles per packet.
Issue 8's target: every ratio >= 0.95.

References, in the same rounds and on the same N pairs (--peers, default both):
  bare     perf/bareloop_n.c, ../shared/bench's bare loop over the same pairs with vfpath's packed pool
           layout: what the net_null PMD and ethdev themselves lose as pairs are added;
  testpmd  dpdk-testpmd --nb-cores=1 on the same pairs (--rxq/--txq N/2 in the queues layout;
           io mode: io, macswap: macswap, l2: mac).
For each, its own ratio to N = 1 and vfpath's per-round ratio to it at every N are printed.

--memory as in perf/bench.py: 4k (--no-huge, the default) or huge (2 MiB hugepages). On 4k,
testpmd's pool has DPDK's one-mbuf-per-page layout (see perf/RESULTS.md, set 4), so its rate
is not comparable with vfpath's there; its ratio to its own N = 1 still is.

--vfpath A,B,... runs several vfpath builds in the same rounds (an A/B of flatness): each build's
ratios, each against the references, and each later build against the first at every N.

Usage: perf/flatness.py [--rounds 5] [--seconds 4] [--sizes 1,2,4,8,16] [--mode io]
                        [--layout ports|queues] [--memory 4k|huge] [--peers bare,testpmd]
                        [--vfpath BIN[,BIN...]]
                        [--json out.json]
"""
import argparse, json, os, random, shutil, statistics, sys, tempfile, time

import bench
from vfreport import BARELOOP_N_C, VFPATH, build_bareloop, paired, run_report, sent_mpps


def shape(n, layout):
    """(ports, rx queues per port) that make N (port, queue) pairs in a layout."""
    if layout == "ports" or n == 1:
        return n, 1
    return 2, n // 2


def config(n, mode, hugepages=False, layout="ports"):
    ports, queues = shape(n, layout)
    rxq = f", rx_queues: {queues}" if queues > 1 else ""
    port_list = "".join(f"  - {{name: p{i}, device: net_null{i}, next_hop: \"02:00:00:00:00:{i:02x}\"{rxq}}}\n"
                        for i in range(ports))
    # Cross-connected in pairs; an odd last port (N = 1 too) reflects to itself, as in bareloop_n.c.
    pairs = ([[f"p{i}", f"p{i + 1}"] for i in range(0, ports - 1, 2)] +
             ([[f"p{ports - 1}"] * 2] if ports % 2 else []))
    # Queue by queue, as bareloop_n.c polls them: p0:0, p1:0, p0:1, ...
    slots = [f"p{p}:{q}" for q in range(queues) for p in range(ports)]
    return ("eal: {lcores: \"0-1\", main_lcore: 0, memory_mb: 512, "
            f"hugepages: {'true' if hugepages else 'false'}, in_memory: true}}\n"
            f"ports:\n{port_list}"
            f"forward: {{mode: {mode}, pairs: {json.dumps(pairs)}, burst: 32}}\n"
            "workers: [{lcore: 1, queues: [" + ", ".join(slots) + "]}]\n")


def run(n, mode, secs, tmp, exe=None, layout="ports"):
    cfg = os.path.join(tmp, f"flat{n}.yaml")
    with open(cfg, "w") as f:
        f.write(config(n, mode, bench.MEMORY == "huge", layout))
    r = run_report("run", cfg, secs, tmp, exe=exe)
    return sent_mpps(r), r["lcores"][0]["cycles_per_packet"]


def interval(per_round, resamples=2000):
    """95% bootstrap interval of the median of per-round ratios: rounds are drawn with
    replacement (a fixed seed, so a result file reads the same when re-summarized)."""
    rng = random.Random(8)
    meds = sorted(statistics.median(rng.choices(per_round, k=len(per_round)))
                  for _ in range(resamples))
    return meds[int(0.025 * resamples)], meds[int(0.975 * resamples) - 1]


def summarize(name, runs, sizes, cpp=None):
    """Prints one program's median per N and its ratio to the first N; returns them."""
    base = statistics.median(runs[sizes[0]])
    out = {}
    print(f"  {name}:")
    for n in sizes:
        med = statistics.median(runs[n])
        ratios = [x / y for x, y in zip(runs[n], runs[sizes[0]])]
        per_round = statistics.median(ratios)
        lo, hi = interval(ratios)
        out[n] = {"median_mpps": med, "ratio": med / base, "ratio_per_round": per_round,
                  "ratio_per_round_95": [lo, hi], "runs": runs[n]}
        line = (f"    N={n:2d}  {med:7.2f} Mpps  ratio {med / base:.3f}  per round {per_round:.3f}"
                f" [{lo:.3f}-{hi:.3f}]")
        if cpp is not None:
            c, c0 = statistics.median(cpp[n]), statistics.median(cpp[sizes[0]])
            out[n].update(cycles_per_packet=c, ratio_by_cycles=c0 / c)
            line += f"  {c:6.1f} cycles/pkt (by cycles {c0 / c:.3f})"
        print(line + f"   runs: {', '.join(f'{x:.2f}' for x in runs[n])}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--sizes", default="1,2,4,8,16")
    ap.add_argument("--mode", default="io", choices=["io", "macswap", "l2"])
    ap.add_argument("--memory", choices=["4k", "huge"], default="4k")
    ap.add_argument("--layout", choices=["ports", "queues"], default="ports",
                    help="N pairs as N ports, or as 2 ports with N/2 rx queues each")
    ap.add_argument("--peers", default="bare,testpmd",
                    help="references run in the same rounds: bare, testpmd, both, or '' for none")
    ap.add_argument("--vfpath", default=VFPATH,
                    help="vfpath binaries, comma-separated: several are compared in the same rounds")
    ap.add_argument("--json")
    a = ap.parse_args()
    bench.MEMORY = a.memory
    if a.memory == "huge":
        bench.require_hugepages(260, "flatness")  # one program at a time, 512 MB each
    builds = [b for b in a.vfpath.split(",") if b]
    for b in builds:
        if not os.path.exists(b):
            sys.exit(f"flatness: --vfpath: {b} missing: build first (scripts/setup.sh)")
    if not builds:
        sys.exit("flatness: --vfpath: no binary given")
    # One build is "vfpath" in the output; several are named by their paths.
    names = ["vfpath"] if len(builds) == 1 else builds
    try:
        sizes = [int(x) for x in a.sizes.split(",")]
    except ValueError:
        sys.exit(f"flatness: --sizes {a.sizes!r}: want numbers separated by commas, e.g. 1,2,16")
    if not sizes or min(sizes) < 1 or max(sizes) > 16:
        sys.exit(f"flatness: --sizes {a.sizes!r}: each N must be 1-16 (the worker's ports)")
    if a.layout == "queues" and any(n > 1 and n % 2 for n in sizes):
        sys.exit(f"flatness: --sizes {a.sizes!r}: --layout queues splits N over two ports, so each "
                 "N must be 1 or even")
    peers = [p for p in a.peers.split(",") if p]
    for p in peers:
        if p not in ("bare", "testpmd"):
            sys.exit(f"flatness: --peers: unknown reference {p!r} (bare, testpmd)")
    if "testpmd" in peers and not shutil.which("dpdk-testpmd"):
        sys.exit("flatness: dpdk-testpmd missing (apt-get install dpdk), or pass --peers bare")
    tmp = tempfile.mkdtemp(prefix="vfpath-flat-")
    bare = build_bareloop(tmp, src=BARELOOP_N_C) if "bare" in peers else None
    progs = names + peers
    mpps = {p: {n: [] for n in sizes} for p in progs}
    cpp = {b: {n: [] for n in sizes} for b in names}
    print(f"memory: {a.memory}, layout: {a.layout}")
    for r in range(a.rounds):
        print(f"round {r + 1}:", end="", flush=True)
        for n in sizes:
            print(f"  N={n}", end="", flush=True)
            for name, exe in zip(names, builds):
                m, c = run(n, a.mode, a.seconds, tmp, exe, a.layout)
                mpps[name][n].append(m)
                cpp[name][n].append(c)
                print(f" {'' if len(names) == 1 else name + ' '}{m:.2f}", end="", flush=True)
            if bare:
                mpps["bare"][n].append(bench.run_bareloop(bare, a.seconds, f"f{r}", *shape(n, a.layout)))
                print(f" bare {mpps['bare'][n][-1]:.2f}", end="", flush=True)
            if "testpmd" in peers:
                mpps["testpmd"][n].append(bench.run_testpmd(a.mode, a.seconds, f"f{r}", *shape(n, a.layout)))
                print(f" testpmd {mpps['testpmd'][n][-1]:.2f}", end="", flush=True)
        print()
    print(f"\n{a.mode}: one lcore, N (port, queue) pairs; median Mpps (all ports), ratio to N={sizes[0]}")
    print("  (ratio: of medians; per round: median of each round's ratio [95% bootstrap interval];"
          " by cycles: N=1's cycles per packet over N's)")
    out = {b: summarize(b, mpps[b], sizes, cpp[b]) for b in names}
    for p in peers:
        out[p] = summarize(p if p == "testpmd" else "bare loop (perf/bareloop_n.c)", mpps[p], sizes)
    # Each build against each reference, and every later build against the first, at each N.
    against = {}
    for b in names:
        for p in peers + [x for x in names[:1] if x != b]:
            ratios = {n: paired(mpps[b][n], mpps[p][n]) for n in sizes}
            print(f"  {b} / {p}, per round (rounds ahead):  " +
                  "  ".join(f"N={n} {r[0]:.3f} ({r[1]})" for n, r in ratios.items()))
            against.setdefault(b, {})[p] = {n: r[0] for n, r in ratios.items()}
    if a.json:
        doc = {"mode": a.mode, "rounds": a.rounds, "seconds": a.seconds, "memory": a.memory,
               "layout": a.layout,
               "sizes": out[names[0]], "peers": {p: out[p] for p in peers},
               "date": time.strftime("%Y-%m-%d"), "nproc": os.cpu_count()}
        if len(names) == 1:
            doc["vfpath_over_peer"] = against.get("vfpath", {})
        else:
            doc["builds"] = {b: out[b] for b in names}
            doc["ratios"] = against
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=2)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
