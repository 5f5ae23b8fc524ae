#!/usr/bin/env python3
"""Recovery-time benchmark: N injected INTR_RESETs on p0 of a net_null pair under full-rate io
forwarding, for each recovery ladder, with the median/min/max time from the event to the first
frame received again, and the throughput of the other port meanwhile.

Usage: perf/recovery.py [--resets 1000] [--every-ms 4] [--ladders reset,restart,reattach:reattach]
"""
import argparse, json, os, sys, tempfile

from vfreport import VFPATH, config_path, run_report


def run(ladder, resets, every_ms, tmp):
    duration = round(0.5 + resets * every_ms / 1000 * 1.5 + 1, 1)
    # Every reset is measured: storm detection (storm_resets) would hold the port instead.
    cfg = os.path.join(tmp, "io-no-storm.yaml")
    with open(config_path("io")) as src, open(cfg, "w") as dst:
        dst.write(src.read() + "recovery: {storm_resets: 0}\n")
    r = run_report("run", cfg, duration, tmp,
                   extra=["--recovery-ladder", ladder,
                          "--fault", f"reset:p0@500ms,every={every_ms}ms,count={resets}"])
    p0 = next(p for p in r["ports"] if p["name"] == "p0")
    p1 = next(p for p in r["ports"] if p["name"] == "p1")
    rec = p0["recovery"]
    return {"ladder": ladder, "resets": rec["resets"], "recovered": rec["recovered"],
            "failed": rec["failed"], "recovery_ms": rec["recovery_ms"],
            "p1_rx_mpps": p1["rx_packets"] / r["duration_s"] / 1e6,
            "leak": sum(m["in_use_at_exit"] for m in r["mempools"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resets", type=int, default=1000)
    ap.add_argument("--every-ms", type=float, default=4)
    ap.add_argument("--ladders", default="reset,restart,reattach:reattach")
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(VFPATH):
        sys.exit(f"recovery: {VFPATH} missing: build first (scripts/setup.sh)")
    out = []
    with tempfile.TemporaryDirectory(prefix="vfpath-rec-") as tmp:
        for ladder in a.ladders.split(":"):
            res = run(ladder, a.resets, a.every_ms, tmp)
            out.append(res)
            ms = res["recovery_ms"] or {}
            print(f"ladder {ladder:24s} resets {res['resets']:5d} recovered {res['recovered']:5d} "
                  f"failed {res['failed']}  recovery ms: median {ms.get('median', 0):.3f} "
                  f"min {ms.get('min', 0):.3f} max {ms.get('max', 0):.3f}  "
                  f"p1 rx {res['p1_rx_mpps']:.1f} Mpps  leak {res['leak']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
