#!/usr/bin/env python3
"""Soak: the real vfpath on a net_null io pair at full rate for a long time (default 10 minutes),
with an injected INTR_RESET on p0 and a link flap on p1 at fixed periods. While it runs, the
process's RSS (VmRSS of /proc/PID/status) is sampled, and `--stats-json` gives the mempool's
in-use count once per stats interval. At the end it checks:

  - the run exits 0 with a clean shutdown and no mbuf in use at exit;
  - every reset the control thread fired (counted in the --journal file) was seen and recovered
    (failed == 0), and every flap gave a link change down and up (link_changes == 2 x flaps);
    both ports end `running`. A loaded machine stretches the fault schedule, so the last planned
    faults may not fire before the end: planned and fired are both printed;
  - no packet is unaccounted: rx(p0) == tx(p1) + drops(p1) and rx(p1) == tx(p0) + drops(p0);
  - RSS and pool in-use stay flat: the samples are cut into thirds, and the largest value of the
    last third may exceed the largest of the first third by at most TOL (relative) + SLACK
    (absolute). A leak grows without bound, so over a long run its last-third peak climbs past any
    fixed slack. What may legitimately grow is bounded and inside the defaults: pages first
    touched at start-up are in the first third's peak; the journal keeps its newest 4096 entries
    in memory (measured 1.1 MiB when full, within the 2 MiB RSS slack); frames in flight make the
    pool's in-use count swing between 0 and about one burst per polled queue (64 mbufs of slack).

Prints a summary and exits 1 when any check fails (2 for bad arguments).

Usage: perf/soak.py --self-test   (checks the flatness rule on made-up series)
       perf/soak.py [--duration 600] [--reset-every 5] [--flap-every 7] [--flap-for 0.5]
                    [--interval 1] [--binary build/app/vfpath] [--keep DIR] [--json OUT]
"""
import argparse, json, math, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.environ.get("VFPATH_BIN", os.path.join(ROOT, "build", "app", "vfpath"))

CONFIG = """# soak: two net_null ports cross-connected in io mode, one worker lcore
eal: {lcores: "0-1", main_lcore: 0, memory_mb: 256, hugepages: false}
ports:
  - {name: p0, device: net_null0}
  - {name: p1, device: net_null1}
forward: {mode: io, pairs: [[p0, p1]]}
# Resets every few seconds are the point here: storm detection would hold the port instead of
# recovering each one.
recovery: {storm_resets: 0}
"""


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def thirds(values):
    n = len(values) // 3
    return values[:n], values[-n:]


def flat(name, values, tol, slack, unit):
    """(ok, line): last-third max <= first-third max * (1 + tol) + slack."""
    if len(values) < 6:
        return False, f"{name}: only {len(values)} samples, need 6 or more (run longer)"
    first, last = thirds(values)
    a, b = max(first), max(last)
    limit = a * (1 + tol) + slack
    ok = b <= limit
    return ok, (f"{name}: first-third max {a} {unit}, last-third max {b} {unit}, limit {limit:.0f} "
                f"{unit} (+{tol:.0%} +{slack} {unit}), min {min(values)} max {max(values)} "
                f"over {len(values)} samples: {'flat' if ok else 'GROWING'}")


def fault_count(start, every, last_end):
    """How many events at start, start+every, ... begin at or before last_end."""
    return 0 if last_end < start else int(math.floor((last_end - start) / every)) + 1


def self_test():
    """The flatness rule on made-up series: noise and start-up growth pass, leaks fail."""
    cases = [  # (series, tol, slack, expected)
        ([2556] + [51352 + (i % 3) * 4 for i in range(60)], 0.02, 2048, True),   # noise
        ([1000 * min(i, 10) for i in range(60)], 0.0, 0, True),         # growth during warm-up
        ([32, 0, 32, 11, 27, 0] * 10, 0.0, 64, True),                   # frames in flight
        ([51352 + 100 * i for i in range(60)], 0.02, 2048, False),      # 100 KiB per sample
        ([32 + i * 3 for i in range(60)], 0.0, 64, False),              # mbufs stuck in flight
        ([1, 2, 3], 0.0, 64, False),                                    # too few samples
    ]
    bad = [c for c in cases if flat("t", c[0], c[1], c[2], "u")[0] != c[3]]
    for c in bad:
        print("self-test: wrong verdict:", flat("t", c[0], c[1], c[2], "u")[1])
    print(f"soak self-test: {len(cases) - len(bad)} of {len(cases)} verdicts right")
    return 1 if bad else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    ap.add_argument("--reset-every", type=float, default=5, help="INTR_RESET on p0, seconds")
    ap.add_argument("--flap-every", type=float, default=7, help="link down on p1, seconds")
    ap.add_argument("--flap-for", type=float, default=0.5, help="link down for, seconds")
    ap.add_argument("--interval", type=float, default=1, help="stats/RSS sampling, seconds")
    ap.add_argument("--rss-tol", type=float, default=0.02, help="RSS: relative tolerance")
    ap.add_argument("--rss-slack-kib", type=int, default=2048, help="RSS: absolute slack, KiB")
    ap.add_argument("--pool-slack", type=int, default=64, help="pool in-use: absolute slack")
    ap.add_argument("--binary", default=DEFAULT_BIN)
    ap.add_argument("--keep", help="keep the run's files (config, report, stats) in DIR")
    ap.add_argument("--json", help="write the summary as JSON here")
    a = ap.parse_args()
    if a.duration < 10 or a.interval <= 0 or a.reset_every <= 0 or a.flap_every <= 0 \
            or not 0 < a.flap_for < a.flap_every:
        ap.error("need --duration >= 10, positive periods, 0 < --flap-for < --flap-every")
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"soak: {a.binary} missing: build first (scripts/setup.sh)")

    # Faults start at 1 s; the last one ends 2 s before the run does, so every recovery and every
    # link-up is complete (and counted) when the report is taken.
    last = a.duration - 2
    resets = fault_count(1.0, a.reset_every, last)
    flaps = fault_count(1.5, a.flap_every, last - a.flap_for)
    tmp_ctx = tempfile.TemporaryDirectory(prefix="vfpath-soak-")
    work = a.keep or tmp_ctx.name
    os.makedirs(work, exist_ok=True)
    cfg, report = os.path.join(work, "soak.yaml"), os.path.join(work, "report.json")
    journal = os.path.join(work, "journal.jsonl")
    stats, out, err = (os.path.join(work, n) for n in ("stats.jsonl", "stdout.txt", "stderr.txt"))
    with open(cfg, "w") as f:
        f.write(CONFIG)
    cmd = [a.binary, "run", "-c", cfg, "--duration", str(a.duration), "--stats-interval",
           str(a.interval), "--stats-json", stats, "--report", report, "--journal", journal,
           "--log-level", "warn",
           "--fault", f"reset:p0@1s,every={a.reset_every}s,count={resets}",
           "--fault", f"link-down:p1@1.5s,every={a.flap_every}s,count={flaps},for={a.flap_for}s"]
    print("soak: " + " ".join(cmd), flush=True)

    rss = []
    t0 = time.monotonic()
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        while proc.poll() is None:
            v = rss_kib(proc.pid)
            # Only while forwarding: after --duration the process builds its report (the journal
            # as JSON, several MiB for a while), which is shutdown, not steady state.
            if v is not None and proc.poll() is None and time.monotonic() - t0 < a.duration:
                rss.append(v)
            time.sleep(a.interval)
            if time.monotonic() - t0 > a.duration + 120:
                proc.kill()
                break
        rc = proc.wait()
    elapsed = time.monotonic() - t0

    checks = []  # (ok, text)
    checks.append((rc == 0, f"exit code {rc}"))
    r = {}
    try:
        with open(report) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        checks.append((False, f"report {report}: {e}"))
    lines = []
    try:
        with open(stats) as f:
            lines = [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError) as e:
        checks.append((False, f"stats {stats}: {e}"))

    # What the control thread actually fired: on a loaded machine the schedule stretches (it never
    # fires a backlog in a burst), so the last planned faults may fall after the end of the run.
    fired = {"reset": 0, "down": 0, "up": 0}
    try:
        with open(journal) as f:
            for l in f:
                e = json.loads(l)
                if e.get("kind") != "fault":
                    continue
                d = e.get("detail", "")
                if e.get("port") == "p0" and d == "injected INTR_RESET":
                    fired["reset"] += 1
                elif e.get("port") == "p1" and d in ("link set down", "link set up"):
                    fired["down" if d.endswith("down") else "up"] += 1
    except (OSError, ValueError) as e:
        checks.append((False, f"journal {journal}: {e}"))

    ports = {p["name"]: p for p in r.get("ports", [])}
    summary = {"duration_s": r.get("duration_s"), "elapsed_s": round(elapsed, 1),
               "resets_injected": resets, "flaps_injected": flaps}
    if r:
        checks.append((r.get("clean_exit") is True, f"clean_exit {r.get('clean_exit')}"))
        leak = sum(m["in_use_at_exit"] for m in r.get("mempools", []))
        checks.append((leak == 0, f"mbufs in use at exit: {leak}"))
    if "p0" in ports and "p1" in ports:
        p0, p1 = ports["p0"], ports["p1"]
        rec = p0["recovery"]
        n = fired["reset"]
        checks.append((n > 0 and rec["resets"] == n and rec["recovered"] == n
                       and rec["failed"] == 0,
                       f"p0 resets: planned {resets}, fired {n}, seen {rec['resets']}, recovered "
                       f"{rec['recovered']}, failed {rec['failed']}"))
        ms = rec.get("recovery_ms") or {}
        down, up = fired["down"], fired["up"]
        checks.append((down > 0 and up == down and p1["link_changes"] == 2 * down,
                       f"p1 link flaps: planned {flaps}, fired {down} down / {up} up, link "
                       f"changes {p1['link_changes']} (expected {2 * down})"))
        checks.append((p0["state"] == "running" and p1["state"] == "running",
                       f"final states: p0 {p0['state']}, p1 {p1['state']}"))
        for rx, tx in (("p0", "p1"), ("p1", "p0")):
            lhs = ports[rx]["rx_packets"]
            rhs = ports[tx]["tx_packets"] + ports[tx]["drops"]
            checks.append((lhs == rhs, f"rx({rx}) {lhs} == tx({tx}) + drops({tx}) {rhs}"))
        d = r["duration_s"] or 1
        summary.update({
            "p0_rx_packets": p0["rx_packets"], "p1_rx_packets": p1["rx_packets"],
            "mpps_per_port": round((p0["rx_packets"] + p1["rx_packets"]) / 2 / d / 1e6, 2),
            "drops": p0["drops"] + p1["drops"],
            "not_ready_drops": p0.get("not_ready_drops", 0) + p1.get("not_ready_drops", 0),
            "recovery_ms": ms})
    ok, line = flat("RSS", rss, a.rss_tol, a.rss_slack_kib, "KiB")
    checks.append((ok, line))
    in_use = [l["pools"][0]["in_use"] for l in lines if l.get("pools")]
    ok, line = flat("pool in-use", in_use, 0.0, a.pool_slack, "mbufs")
    checks.append((ok, line))
    summary.update({"rss_kib": {"first": rss[:1], "max": max(rss, default=0),
                                "last": rss[-1:], "samples": len(rss)},
                    "pool_in_use": {"max": max(in_use, default=0), "samples": len(in_use)}})

    summary.update({"resets_fired": fired["reset"], "flaps_fired": fired["down"]})
    print(f"soak: {summary.get('duration_s')} s, {fired['reset']} resets on p0 and "
          f"{fired['down']} link flaps on p1 (planned {resets} and {flaps}), {summary.get('mpps_per_port', 0)} Mpps per port, drops "
          f"{summary.get('drops', 0)} (not ready {summary.get('not_ready_drops', 0)})")
    if summary.get("recovery_ms"):
        m = summary["recovery_ms"]
        print(f"soak: recovery ms median {m['median']:.3f} min {m['min']:.3f} max {m['max']:.3f}")
    for ok, text in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    failed = sum(1 for ok, _ in checks if not ok)
    summary["checks"] = [{"ok": ok, "check": t} for ok, t in checks]
    summary["rss_samples_kib"] = rss
    summary["pool_in_use_samples"] = in_use
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=2)
    if failed:
        print(f"soak: FAILED ({failed} of {len(checks)} checks); files in {work}"
              + ("" if a.keep else " (pass --keep DIR to keep them)"))
        if not a.keep:
            with open(err) as f:
                sys.stdout.write("stderr (last 20 lines):\n" + "".join(f.readlines()[-20:]))
        return 1
    print(f"soak: passed ({len(checks)} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
