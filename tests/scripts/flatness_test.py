#!/usr/bin/env python3
# perf/flatness.py's configs are what `vfpath check` plans: for both layouts and every N of
# issue 8 (1, 2, 4, 8, 16), one lcore polls exactly the N (port, queue) pairs the script means, in
# its order, each sending where the layout says. Its bootstrap interval brackets the median and is
# repeatable. Standard library only; runs no traffic.
#   flatness_test.py VFPATH PERF_DIR
import os
import re
import subprocess
import sys
import tempfile

vfpath, perf_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, perf_dir)
import flatness  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def expected_slots(n, layout):
    """pP:Q->pT:0 for every pair, as the planner prints them."""
    ports, queues = flatness.shape(n, layout)
    peer = lambda p: p ^ 1 if (p ^ 1) < ports else p  # noqa: E731 (odd last port reflects)
    return [f"p{p}:{q}->p{peer(p)}:0" for q in range(queues) for p in range(ports)]


with tempfile.TemporaryDirectory() as tmp:
    for layout in ("ports", "queues"):
        for n in (1, 2, 4, 8, 16):
            cfg = os.path.join(tmp, f"{layout}{n}.yaml")
            with open(cfg, "w") as f:
                f.write(flatness.config(n, "io", False, layout))
            r = subprocess.run([vfpath, "check", "-c", cfg], capture_output=True, text=True)
            where = f"{layout} N={n}"
            check(r.returncode == 0, f"{where}: vfpath check exit {r.returncode}: {r.stderr[-500:]}")
            m = re.search(r"lcore 1 \(node \d+\): (.*)", r.stdout)
            check(m is not None, f"{where}: no worker line in:\n{r.stdout}")
            if m:
                got = m.group(1).split()
                check(got == expected_slots(n, layout), f"{where}: slots {got}")
            ports, queues = flatness.shape(n, layout)
            check(ports * queues == n, f"{where}: {ports} ports x {queues} queues")
            rxq = re.findall(r"rxq (\d+)x", r.stdout)
            check(rxq == [str(queues)] * ports, f"{where}: rx queues per port {rxq}")
    check(flatness.shape(16, "queues") == (2, 8), "queues layout: 16 pairs are 2 ports x 8 queues")
    check(flatness.shape(16, "ports") == (16, 1), "ports layout: 16 pairs are 16 ports")

# The interval: ordered, holds the median, the same on every call, degenerate on equal rounds.
rounds = [0.93, 0.95, 0.96, 0.97, 0.97, 0.98, 0.99, 1.01]
lo, hi = flatness.interval(rounds)
check(lo <= 0.97 <= hi and lo < hi, f"interval {lo}-{hi} holds the median 0.97")
check(min(rounds) <= lo and hi <= max(rounds), f"interval {lo}-{hi} within the rounds")
check(flatness.interval(rounds) == (lo, hi), "interval is repeatable (fixed seed)")
check(flatness.interval([1.0] * 5) == (1.0, 1.0), "equal rounds give a zero-width interval")

print(f"flatness_test: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
