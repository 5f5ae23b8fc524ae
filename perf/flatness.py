#!/usr/bin/env python3
"""Flatness: throughput of one worker lcore as it serves 1, 2, 4, 8 and 16 (port, queue) pairs.

N net_null ports with one rx/tx queue each, cross-connected in pairs (N = 1: the port reflects to
itself), all polled by lcore 1. Runs N = 1, 2, 4, ... alternately for --rounds rounds and prints the
median Mpps per N (summed over all ports) and its ratio to N = 1: of the medians, as the median of
the per-round ratios, and by vfpath's busy cycles per packet. Issue 8's target: every ratio
>= 0.95.

Usage: perf/flatness.py [--rounds 5] [--seconds 4] [--sizes 1,2,4,8,16] [--mode io] [--json out.json]
"""
import argparse, json, os, statistics, sys, tempfile, time

from vfreport import VFPATH, paired, run_report, sent_mpps


def config(n, mode):
    ports = "".join(f"  - {{name: p{i}, device: net_null{i}, next_hop: \"02:00:00:00:00:{i:02x}\"}}\n"
                    for i in range(n))
    pairs = [[f"p{i}", f"p{i + 1}"] for i in range(0, n - 1, 2)] if n > 1 else [["p0", "p0"]]
    return ("eal: {lcores: \"0-1\", main_lcore: 0, memory_mb: 512, hugepages: false, in_memory: true}\n"
            f"ports:\n{ports}"
            f"forward: {{mode: {mode}, pairs: {json.dumps(pairs)}, burst: 32}}\n"
            "workers: [{lcore: 1, queues: [" + ", ".join(f"p{i}" for i in range(n)) + "]}]\n")


def run(n, mode, secs, tmp):
    cfg = os.path.join(tmp, f"flat{n}.yaml")
    with open(cfg, "w") as f:
        f.write(config(n, mode))
    r = run_report("run", cfg, secs, tmp)
    return sent_mpps(r), r["lcores"][0]["cycles_per_packet"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--sizes", default="1,2,4,8,16")
    ap.add_argument("--mode", default="io")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(VFPATH):
        sys.exit(f"flatness: {VFPATH} missing: build first (scripts/setup.sh)")
    sizes = [int(x) for x in a.sizes.split(",")]
    tmp = tempfile.mkdtemp(prefix="vfpath-flat-")
    mpps = {n: [] for n in sizes}
    cpp = {n: [] for n in sizes}
    for r in range(a.rounds):
        print(f"round {r + 1}:", end="", flush=True)
        for n in sizes:
            m, c = run(n, a.mode, a.seconds, tmp)
            mpps[n].append(m)
            cpp[n].append(c)
            print(f"  N={n} {m:.2f}", end="", flush=True)
        print()
    base = statistics.median(mpps[sizes[0]])
    print(f"\n{a.mode}: one lcore, N (port, queue) pairs; median Mpps (all ports), ratio to N={sizes[0]}")
    out = {}
    base_cpp = statistics.median(cpp[sizes[0]])
    print("  (ratio: of medians; per round: median of each round's ratio; by cycles: N=1's cycles per"
          " packet over N's)")
    for n in sizes:
        med = statistics.median(mpps[n])
        per_round, _ = paired(mpps[n], mpps[sizes[0]])
        c = statistics.median(cpp[n])
        out[n] = {"median_mpps": med, "ratio": med / base, "ratio_per_round": per_round,
                  "ratio_by_cycles": base_cpp / c, "runs": mpps[n], "cycles_per_packet": c}
        print(f"  N={n:2d}  {med:7.2f} Mpps  ratio {med / base:.3f}  per round {per_round:.3f}  "
              f"{c:6.1f} cycles/pkt (by cycles {base_cpp / c:.3f})   "
              f"runs: {', '.join(f'{x:.2f}' for x in mpps[n])}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"mode": a.mode, "rounds": a.rounds, "seconds": a.seconds, "sizes": out,
                       "date": time.strftime("%Y-%m-%d"), "nproc": os.cpu_count()}, f, indent=2)


if __name__ == "__main__":
    main()
