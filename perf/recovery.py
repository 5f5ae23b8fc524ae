#!/usr/bin/env python3
"""Recovery-time benchmark: N injected INTR_RESETs on p0 of a net_null pair under full-rate io
forwarding, for each recovery ladder, with the median/min/max time from the event to the first
frame received again, and the throughput of the other port meanwhile.

Usage: perf/recovery.py [--resets 1000] [--every-ms 4] [--ladders reset,restart,reattach:reattach]
"""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VFPATH = os.environ.get("VFPATH_BIN", os.path.join(ROOT, "build", "app", "vfpath"))


def run(ladder, resets, every_ms, tmp):
    report = os.path.join(tmp, "r.json")
    duration = 0.5 + resets * every_ms / 1000 * 1.5 + 1
    cmd = [VFPATH, "run", "-c", os.path.join(ROOT, "perf", "configs", "io.yaml"),
           "--duration", f"{duration:.1f}", "--stats-interval", "0", "--log-level", "warn",
           "--report", report, "--recovery-ladder", ladder,
           "--fault", f"reset:p0@500ms,every={every_ms}ms,count={resets}"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=duration + 60)
    with open(report) as f:
        r = json.load(f)
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
