#!/usr/bin/env python3
"""Alternating throughput benchmark: vfpath vs dpdk-testpmd vs the bare loop, on two net_null ports
with one worker lcore. Runs A B C A B C ... (--pairs rounds), prints per-run Mpps (summed over both
directions), medians and ratios of medians. Absolute Mpps drift +-15% on shared machines; ratios
from the same run are what to quote.

Modes: io, macswap, l2 (testpmd's "mac"), gen (vfpath gen unpaced, 64-byte frames with probes, against
testpmd's "txonly"; Mpps is what was sent), gen-plain (the same without probes and with one flow:
what txonly sends), each compared with testpmd; io-lat (vfpath io with dwell
latency on every burst) and io-obs (vfpath io with the live table every 0.5 s and /metrics scraped
every 100 ms) have no testpmd peer and are compared with vfpath io.

Each ratio is printed as the ratio of the medians, as the median of the per-round ratios, and
with the number of rounds in which vfpath was ahead.

Usage: perf/bench.py [--pairs 5] [--seconds 5] [--modes io,macswap,l2,io-lat] [--memory 4k|huge]
                     [--json out.json]
"""
import argparse, functools, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

from vfreport import TESTPMD_MODE, VFPATH, build_bareloop, config_path, paired, run_report, sent_mpps




# Memory of all three programs: "4k" (--no-huge, 4 KiB pages: DPDK places one mbuf per page, so
# every mbuf header sits at the same page offset and in the same few L1 sets) or "huge" (2 MiB
# hugepages, as DPDK is deployed; needs ~1.1 GiB of free hugepages).
MEMORY = "4k"


def eal_memory(mb):
    return ["--no-huge", "-m", str(mb)] if MEMORY == "4k" else ["-m", str(mb), "--in-memory"]


def require_hugepages(pages, who):
    """Exits unless `pages` 2 MiB hugepages are free (--memory huge)."""
    with open("/proc/meminfo") as f:
        free = int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))
    if free < pages:
        sys.exit(f"{who}: --memory huge needs {pages} free 2 MiB hugepages, {free} are free "
                 f"(echo {pages + 40} > /proc/sys/vm/nr_hugepages)")


def null_vdevs(ports):
    return [f"--vdev=net_null{i}" for i in range(ports)]


def run_bareloop(exe, secs, tag, ports=2, queues=1):
    """One run of a bare loop (../shared/bench's on 2 ports, or perf/bareloop_n.c's on any number
    of ports with `queues` rx queues each)."""
    # bareloop_n.c's arguments are positional: QUEUES comes after POOL_MBUFS (8191, its default).
    more = ["8191", str(queues)] if queues > 1 else []
    out = subprocess.run([exe, *eal_memory(512), "--no-pci", "-l", "0-1", *null_vdevs(ports),
                          f"--file-prefix=bl{tag}", str(secs), *more],
                         capture_output=True, text=True, timeout=secs + 60).stdout
    m = re.search(r"bareloop(?:_n)? Mpps: ([\d.]+)", out)
    if not m:
        raise RuntimeError("bareloop printed no rate:\n" + out[-2000:])
    return float(m.group(1))


def run_testpmd(mode, secs, tag, ports=2, queues=1):
    # testpmd prints Rx-pps per port every period; its start-up (1 GiB --no-huge memory) can take
    # seconds on a loaded machine, so it runs long enough and only full periods are used.
    startup = 8
    cmd = ["timeout", "-s", "INT", str(int(secs + startup)), "dpdk-testpmd", "-l", "0-1",
           *eal_memory(1024 if MEMORY == "4k" else 512), "--no-pci", *null_vdevs(ports),
           f"--file-prefix=tp{tag}",
           "--", f"--forward-mode={TESTPMD_MODE[mode]}", "--total-num-mbufs=16384", "--nb-cores=1",
           "--auto-start", "--stats-period=1", *([f"--rxq={queues}", f"--txq={queues}"] if queues > 1 else [])]
    out = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                         timeout=secs + 60).stdout
    rx = [int(x) for x in re.findall(r"Tx-pps:\s+(\d+)" if mode.startswith("gen") else r"Rx-pps:\s+(\d+)", out)]
    # One Rx-pps (Tx-pps) line per port and period: each period is the sum of `ports` lines.
    sums = [sum(rx[i:i + ports]) for i in range(0, len(rx) - ports + 1, ports)]
    full = [x for x in sums if x > 0][1:]  # the first non-zero period is partial
    if len(full) < 2:
        raise RuntimeError("testpmd printed too few samples:\n" + out[-2000:])
    return statistics.median(full[-int(secs):]) / 1e6


def scrape(url, stop):
    """Fetches url every 100 ms until stop is set (io-obs: a Prometheus server that scrapes hard)."""
    import urllib.request
    while not stop.is_set():
        try:
            urllib.request.urlopen(url, timeout=1).read()
        except OSError:
            pass
        stop.wait(0.1)


@functools.lru_cache(maxsize=None)
def bench_config(mode, tmp):
    """perf/configs/MODE.yaml, with hugepages on in --memory huge (written once per mode)."""
    path = config_path(mode)
    if MEMORY == "4k":
        return path
    with open(path) as f:
        text = f.read()
    if "hugepages: false" not in text:
        raise RuntimeError(f"{path}: no 'hugepages: false' to turn on")
    out = os.path.join(tmp, f"{mode}-huge.yaml")
    with open(out, "w") as f:
        f.write(text.replace("hugepages: false", "hugepages: true"))
    return out


def run_vfpath(mode, secs, tmp, exe=None):
    import threading
    observed = mode == "io-obs"  # keeps the config's live table, and /metrics is scraped
    stop = threading.Event()
    t = threading.Thread(target=scrape, args=("http://127.0.0.1:19464/metrics", stop))
    if observed:
        t.start()
    try:
        r = run_report("run", bench_config(mode, tmp), secs, tmp, quiet_table=not observed, exe=exe)
    finally:
        stop.set()
        if t.is_alive():
            t.join()
    return sent_mpps(r), r


def run_gen(mode, secs, tmp, exe=None):
    r = run_report("gen", bench_config(mode, tmp), secs, tmp, exe=exe)
    return r["tx_pps"] / 1e6, r


def run_mode(mode, secs, tmp, exe=None):
    """One vfpath run of a benchmark mode (gen modes through `vfpath gen`): (Mpps, report)."""
    return (run_gen if mode.startswith("gen") else run_vfpath)(mode, secs, tmp, exe=exe)


def rx_nombuf(report):
    """Receive mbuf allocation failures over a report's ports (hw.rx_nombuf), 0 where none report it."""
    return sum(p.get("hw", {}).get("rx_nombuf", 0) for p in report.get("ports", []))


def cycles_per_packet(report):
    """The worker's busy cycles per packet, or None where the report has none (gen)."""
    if "lcores" not in report:
        return None
    return report["lcores"][0].get("cycles_per_packet")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--modes", default="io,macswap")
    ap.add_argument("--json")
    ap.add_argument("--memory", choices=["4k", "huge"], default="4k",
                    help="4k: --no-huge for all three programs (default); huge: 2 MiB hugepages")
    a = ap.parse_args()
    global MEMORY
    MEMORY = a.memory
    if MEMORY == "huge":
        require_hugepages(560, "bench")
    print(f"memory: {MEMORY}")
    if not os.path.exists(VFPATH):
        sys.exit(f"bench: {VFPATH} missing: build first (scripts/setup.sh)")
    if not shutil.which("dpdk-testpmd"):
        sys.exit("bench: dpdk-testpmd missing (apt-get install dpdk)")
    modes = a.modes.split(",")
    tmp = tempfile.mkdtemp(prefix="vfpath-bench-")
    bare = build_bareloop(tmp)
    res = {"bareloop": []}
    for m in modes:
        if m in TESTPMD_MODE:
            res[f"testpmd_{m}"] = []
        res[f"vfpath_{m}"] = []
    pools, cpp, nombuf = {}, {m: [] for m in modes}, {m: [] for m in modes}
    for i in range(a.pairs):
        res["bareloop"].append(run_bareloop(bare, a.seconds, i))
        print(f"round {i + 1}: bareloop {res['bareloop'][-1]:.2f}", end="", flush=True)
        for m in modes:
            if m in TESTPMD_MODE:
                res[f"testpmd_{m}"].append(run_testpmd(m, a.seconds, i))
                print(f" | {m}: testpmd {res[f'testpmd_{m}'][-1]:.2f}", end="", flush=True)
            v, rep = run_mode(m, a.seconds, tmp)
            res[f"vfpath_{m}"].append(v)
            pools[m] = rep["mempools"]
            cpp[m].append(cycles_per_packet(rep))
            nombuf[m].append(rx_nombuf(rep))
            print(f" | vfpath {m} {v:.2f}", end="", flush=True)
        print()
    med = {k: statistics.median(v) for k, v in res.items()}
    print("\nmedian Mpps (both directions summed):")
    for k, v in med.items():
        print(f"  {k:18s} {v:7.2f}   runs: {', '.join(f'{x:.2f}' for x in res[k])}")
    # Each ratio two ways: of the medians, and the median of the per-round ratios (each round runs
    # both programs back to back, so a slow spell of the machine weighs on both); "ahead" counts
    # the rounds where the numerator was the faster.
    pairs = [(f"vfpath_{m}", f"testpmd_{m}") for m in modes if m in TESTPMD_MODE]
    pairs += [(f"vfpath_{x}", "vfpath_io") for x in ("io-lat", "io-obs") if x in modes and "io" in modes]
    if "io" in modes:
        pairs += [("vfpath_io", "bareloop"), ("testpmd_io", "bareloop")]
    ratios, per_round = {}, {}
    print("ratios: of medians | median of per-round ratios | rounds ahead")
    for num, den in pairs:
        key = f"{num}/{den}"
        ratios[key] = med[num] / med[den]
        m, ahead = paired(res[num], res[den])
        per_round[key] = {"median": m, "ahead": ahead, "rounds": len(res[num])}
        print(f"  {key:34s} {ratios[key]:.3f} | {m:.3f} | {ahead} of {len(res[num])}")
    print("vfpath busy cycles per packet (median of runs):")
    for m, v in cpp.items():
        v = [x for x in v if x is not None]
        print(f"  {m:8s} " + (f"{statistics.median(v):7.1f}" if v else "    (not in this command's report)"))
    for m, ps in pools.items():
        mem = sum(p.get("memory_bytes", 0) for p in ps)
        print(f"vfpath {m} mempool: {sum(p['size'] for p in ps)} mbufs, {mem / 1048576:.1f} MiB; "
              f"rx_nombuf {max(nombuf[m])} (most in one run, of {len(nombuf[m])})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": res, "medians": med, "ratios": ratios, "paired_ratios": per_round,
                       "pairs": a.pairs, "rx_nombuf": nombuf,
                       "cycles_per_packet": {m: statistics.median([x for x in v if x is not None])
                                             for m, v in cpp.items() if any(x is not None for x in v)},
                       "seconds": a.seconds, "memory": MEMORY, "date": time.strftime("%Y-%m-%d"),
                       "nproc": os.cpu_count()}, f, indent=2)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
