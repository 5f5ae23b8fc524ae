#!/usr/bin/env python3
"""Concurrent recovery benchmark: N net_null ports (N/2 io pairs, one worker lcore) forwarding at
full rate; every port gets an INTR_RESET at the same moment, and each port's driver answers
rte_eth_dev_reset with -EAGAIN for SLOW ms first (the fault option reset:P@T,slow=SLOW, a PF
that takes its time). Recovery is a state machine per port, so N ports should take about as long
as one: the script runs 1 port, then N ports, ROUNDS times each, alternating, and prints the
slowest port's recovery time (event to first frame received again) per run and the ratio of
medians. Target: N=8 at most 1.5x N=1.

Usage: perf/recovery_concurrency.py [--ports 8] [--slow-ms 200] [--rounds 5] [--json out.json]
"""
import argparse, json, os, statistics, sys, tempfile

from vfreport import VFPATH, run_report


def config(tmp, n):
    lines = ["eal: {lcores: \"0-1\", main_lcore: 0, memory_mb: 512, hugepages: false, in_memory: true}",
             "ports:"]
    lines += [f"  - {{name: p{i}, device: net_null{i}}}" for i in range(n)]
    pairs = ", ".join(f"[p{i}, p{i + 1}]" for i in range(0, n, 2))
    lines += [f"forward: {{mode: io, pairs: [{pairs}], burst: 32}}", ""]
    path = os.path.join(tmp, f"ports{n}.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def run(tmp, total_ports, faulted, slow_ms):
    """One run with `total_ports` ports, `faulted` of them reset at once; the slowest recovery."""
    extra = ["--stop-after-faults"]
    for i in range(faulted):
        extra += ["--fault", f"reset:p{i}@1s,slow={slow_ms}ms"]
    r = run_report("run", config(tmp, total_ports), 30, tmp, extra=extra)
    worst = 0.0
    for p in r["ports"][:faulted]:
        rec = p["recovery"]
        if rec["recovered"] != 1 or not rec["recovery_ms"]:
            sys.exit(f"recovery_concurrency: {p['name']} did not recover: {rec}")
        worst = max(worst, rec["recovery_ms"]["max"])
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ports", type=int, default=8)
    ap.add_argument("--slow-ms", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.ports < 2 or a.ports % 2:
        sys.exit("recovery_concurrency: --ports must be even and at least 2")
    if not os.path.exists(VFPATH):
        sys.exit(f"recovery_concurrency: {VFPATH} missing: build first (scripts/setup.sh)")
    one, many = [], []
    with tempfile.TemporaryDirectory(prefix="vfpath-reccc-") as tmp:
        for k in range(a.rounds):
            # The same N-port job both times: only how many ports are reset differs.
            one.append(run(tmp, a.ports, 1, a.slow_ms))
            many.append(run(tmp, a.ports, a.ports, a.slow_ms))
            print(f"round {k + 1}: 1 port {one[-1]:8.2f} ms   {a.ports} ports {many[-1]:8.2f} ms "
                  f"(slowest port)", flush=True)
    m1, mn = statistics.median(one), statistics.median(many)
    ratio = mn / m1
    print(f"median: 1 port {m1:.2f} ms, {a.ports} ports {mn:.2f} ms (slowest), ratio {ratio:.3f} "
          f"(target <= 1.5): {'PASS' if ratio <= 1.5 else 'FAIL'}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"ports": a.ports, "slow_ms": a.slow_ms, "one": one, "many": many,
                       "median_one": m1, "median_many": mn, "ratio": ratio}, f, indent=2)
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
