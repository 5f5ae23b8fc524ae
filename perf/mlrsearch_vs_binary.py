#!/usr/bin/env python3
"""MLRsearch (RFC 9971, `vfpath bench mlrsearch`) against RFC 2544's binary search (`vfpath bench
rfc2544`): the same generator on the same path in the same run, searches alternating
(binary, MLR, binary, MLR, ...), so drift on the shared machine hits both alike.

Paths (root needed: taps, a kernel bridge and tc):
  clean  two taps bridged by the kernel, a tc tbf of 500 kbit/s (burst 1600, limit 3000) on the
         egress towards the receiving tap: 64-byte frames are 60 bytes to the kernel, so the path
         carries 5e5 / (8 * 60) = 1042 frames/s. Every trial has 0.5 s of uncounted warm-up at its
         rate (both methods), which empties the bucket and fills the queue above the capacity, so
         the burst and queue do not let more through. Known capacity: 1042 pps. (A low rate,
         because on the shared 2-core machine the generator's lcore is descheduled often.)
  noisy  the same path with a queue of 1600 bytes (about 26 frames) and a CPU hog: two busy
         processes, each running 30 ms then sleeping 70 ms, one pinned to each core. The kernel's
         softirq work (the tap -> bridge -> tbf path) and the generator's lcores are then delayed
         now and then, and the small queue turns those delays into loss. Same capacity.

Figures per method (NDR: zero-loss throughput; MLRsearch's is the NDR goal's relevant lower bound,
its conditional throughput is printed too): min / median / max over the repeated searches, their
spread (max - min), the median error against the capacity, and the wall-clock time per search
(the whole vfpath process, EAL start-up included) and the trials' own time.

Usage: perf/mlrsearch_vs_binary.py --vfpath build/app/vfpath [--reps 10] [--paths clean,noisy]
           [--json out.json]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

RATE_BPS = 500e3
CAPACITY = RATE_BPS / (8 * 60)

# Settings, chosen so that both methods aim at the same precision (0.5% of ~1042 pps ~ 5 pps)
# with 1 s trials at the end; MLRsearch's duration sum is short (5 s) to keep runs affordable.
COMMON = ["--sizes", "64", "--min-rate", "200pps", "--max-rate", "2000pps", "--probe-share", "1",
          "--tx-tolerance", "0.03", "--warmup", "0.5"]
BINARY = ["--trial", "1", "--verify-trial", "1", "--latency-trial", "0.2", "--resolution", "5pps"]
def mlr_goals(sum_s):
    return ["--goal", f"name=ndr,loss=0,exceed=0.5,initial=0.5,final=1,sum={sum_s:g},width=0.005",
            "--goal", f"name=pdr,loss=0.005,exceed=0.5,initial=0.5,final=1,sum={sum_s:g},width=0.005"]


MLR = mlr_goals(5)


def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stderr.strip()}")
    return r.returncode == 0


def make_path(tag, limit):
    t0, t1, br = f"mlr{tag}a", f"mlr{tag}b", f"mlr{tag}br"
    for l in (t0, t1, br):
        sh(f"ip link del {l}", check=False)
    sh(f"ip link add {br} type bridge")
    for t in (t0, t1):
        sh(f"ip tuntap add dev {t} mode tap multi_queue")
        sh(f"ip link set {t} master {br}")
    for l in (t0, t1, br):
        sh(f"sysctl -w net.ipv6.conf.{l}.disable_ipv6=1", check=False)
        sh(f"ip link set {l} up")
    sh(f"tc qdisc add dev {t1} root tbf rate {int(RATE_BPS)}bit burst 1600 limit {limit}")
    return (t0, t1, br)


def drop_path(links):
    for l in links:
        sh(f"ip link del {l}", check=False)


HOG = r"""
import os, sys, time
os.sched_setaffinity(0, {int(sys.argv[1])})
while True:
    end = time.monotonic() + 0.030
    while time.monotonic() < end:
        pass
    time.sleep(0.070)
"""


def start_hogs():
    return [subprocess.Popen([sys.executable, "-c", HOG, str(cpu)]) for cpu in range(os.cpu_count())]


def stop_hogs(hogs):
    for p in hogs:
        p.kill()
        p.wait()


def config(dirname, t0, t1):
    path = os.path.join(dirname, "cfg.yaml")
    with open(path, "w") as f:
        f.write('eal:\n  lcores: "0-1"\n  main_lcore: 0\n  memory_mb: 256\n  hugepages: false\n'
                '  in_memory: true\n'
                f'ports:\n  - {{name: t0, device: "net_tap0,iface={t0}"}}\n'
                f'  - {{name: t1, device: "net_tap1,iface={t1}"}}\n'
                'gen: {tx: [t0], rx: [t1]}\n')
    return path


def run_one(vfpath, method, cfg, report):
    args = [vfpath, "bench", method, "-c", cfg, *COMMON, *(BINARY if method == "rfc2544" else MLR),
            "--report", report]
    t = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - t
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}{r.stderr}")
    with open(report) as f:
        rep = json.load(f)
    res = rep["results"][0]
    if method == "rfc2544":
        trial_s = sum(t["seconds"] for t in res["trial_log"])
        return {"ndr": res["throughput_pps"], "pdr": res["pdr"]["rate_pps"], "wall_s": wall,
                "trial_s": trial_s, "trials": res["trials"]}
    goals = {g["search_goal"]: g for g in res["goal_results"]}
    return {"ndr": goals["ndr"]["relevant_lower_bound_pps"] or 0,
            "ndr_upper": goals["ndr"]["relevant_upper_bound_pps"],
            "ndr_cond": goals["ndr"]["conditional_throughput_pps"] or 0,
            "ndr_regular": goals["ndr"]["regular"],
            "ndr_irregular_reason": goals["ndr"]["irregular_reason"],
            "generator_shortfall_frames": res["frames"]["generator_shortfall"],
            "pdr": goals["pdr"]["relevant_lower_bound_pps"] or 0,
            "pdr_cond": goals["pdr"]["conditional_throughput_pps"] or 0,
            "wall_s": wall, "trial_s": res["trial_time_s"], "trials": res["trial_count"]}


def summary(runs, key):
    v = [r[key] for r in runs]
    return {"min": min(v), "median": statistics.median(v), "max": max(v), "spread": max(v) - min(v)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vfpath", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--paths", default="clean,noisy")
    ap.add_argument("--json")
    ap.add_argument("--mlr-sum", type=float, default=5,
                    help="MLRsearch goals' duration sum, seconds (default 5)")
    args = ap.parse_args()
    global MLR
    MLR = mlr_goals(args.mlr_sum)
    if os.geteuid() != 0:
        sys.exit("needs root (taps, bridge, tc)")
    out = {"capacity_pps": CAPACITY, "settings": {"common": COMMON, "rfc2544": BINARY,
                                                  "mlrsearch": MLR}, "paths": {}}
    with tempfile.TemporaryDirectory(prefix="mlrperf-") as tmp:
        for path in args.paths.split(","):
            links = make_path("c" if path == "clean" else "n", 3000 if path == "clean" else 1600)
            hogs = start_hogs() if path == "noisy" else []
            runs = {"rfc2544": [], "mlrsearch": []}
            try:
                cfg = config(tmp, links[0], links[1])
                for rep in range(args.reps):
                    for method in ("rfc2544", "mlrsearch"):
                        r = run_one(args.vfpath, method, cfg, os.path.join(tmp, "r.json"))
                        runs[method].append(r)
                        print(f"{path} #{rep + 1} {method}: NDR {r['ndr']:.0f} pps"
                              + (f" (upper {r['ndr_upper']}, conditional {r['ndr_cond']:.0f},"
                                 f" regular {r['ndr_regular']})" if method == "mlrsearch" else "")
                              + f", PDR {r['pdr']:.0f}; {r['trials']} trials, {r['trial_s']:.1f} s"
                              f" of trials, {r['wall_s']:.1f} s wall", flush=True)
            finally:
                stop_hogs(hogs)
                drop_path(links)
            res = {}
            for method, rs in runs.items():
                res[method] = {"runs": rs, "ndr": summary(rs, "ndr"), "wall_s": summary(rs, "wall_s"),
                               "trial_s": summary(rs, "trial_s"), "trials": summary(rs, "trials")}
                if method == "mlrsearch":
                    res[method]["ndr_cond"] = summary(rs, "ndr_cond")
                n = res[method]["ndr"]
                print(f"{path} {method}: NDR min {n['min']:.0f} median {n['median']:.0f} max "
                      f"{n['max']:.0f} (spread {n['spread']:.0f} pps, median error "
                      f"{100 * (n['median'] - CAPACITY) / CAPACITY:+.2f}%); wall per search median "
                      f"{res[method]['wall_s']['median']:.1f} s, trials' time median "
                      f"{res[method]['trial_s']['median']:.1f} s", flush=True)
            out["paths"][path] = res
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
