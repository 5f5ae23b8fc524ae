#!/usr/bin/env python3
"""False-restart check of the rx watchdog over a long one-way run: p0 (net_null) receives at full
rate and forwards to p1 (net_pcap reading an empty capture, writing to /dev/null), which never
receives. With the rx check on (recovery.rx_stall_ms) and the tx check at its default, the run
must end with no watchdog trigger and no restart on either port. Prints the counts and exits 1
if any port was restarted. CI runs a 6 s version
(tests/integration/recovery_test.cpp, OneWayTrafficNeverRestartsTheEgressOnlyPort).

Usage: perf/oneway_watchdog.py [--seconds 600] [--rx-stall-ms 1500] [--json out.json]
"""
import argparse, json, os, struct, sys, tempfile

from vfreport import VFPATH, run_report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--rx-stall-ms", type=int, default=1500)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(VFPATH):
        sys.exit(f"oneway_watchdog: {VFPATH} missing: build first (scripts/setup.sh)")
    with tempfile.TemporaryDirectory(prefix="vfpath-oneway-") as tmp:
        empty = os.path.join(tmp, "empty.pcap")
        with open(empty, "wb") as f:  # a pcap header, no frame
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        cfg = os.path.join(tmp, "oneway.yaml")
        with open(cfg, "w") as f:
            f.write("eal: {lcores: \"0-1\", main_lcore: 0, memory_mb: 512, hugepages: false, in_memory: true}\n"
                    "ports:\n"
                    "  - {name: p0, device: net_null0}\n"
                    f"  - {{name: p1, device: \"net_pcap0,rx_pcap={empty},tx_pcap=/dev/null\"}}\n"
                    "forward: {mode: io, pairs: [[p0, p1]], burst: 32}\n"
                    f"recovery: {{rx_stall_ms: {a.rx_stall_ms}}}\n")
        r = run_report("run", cfg, a.seconds, tmp, timeout=a.seconds + 120)
    out = {"seconds": r["duration_s"], "rx_stall_ms": a.rx_stall_ms, "ports": {}}
    bad = 0
    for p in r["ports"]:
        rec = p["recovery"]
        restarts = rec["recovered"] + rec["restarted_no_traffic"] + rec["failed"] + rec["degraded"]
        out["ports"][p["name"]] = {"rx_packets": p["rx_packets"], "tx_packets": p["tx_packets"],
                                   "watchdog_triggers": rec["watchdog_triggers"],
                                   "recoveries": restarts, "state": p["state"]}
        bad += rec["watchdog_triggers"] + restarts
        print(f"{p['name']}: rx {p['rx_packets']} tx {p['tx_packets']} "
              f"watchdog triggers {rec['watchdog_triggers']} recoveries {restarts} state {p['state']}")
    print(f"{r['duration_s']:.0f} s one-way: {'no restart' if bad == 0 else 'RESTARTS: ' + str(bad)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
