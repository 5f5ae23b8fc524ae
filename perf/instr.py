#!/usr/bin/env python3
"""Instructions per packet under valgrind --tool=callgrind: vfpath vs dpdk-testpmd vs the bare loop,
on two net_null ports with one worker lcore (the shape of perf/bench.py). Instruction counts do not
depend on machine load, so they back up per-packet claims where wall-clock ratios are within noise.

Each program runs under callgrind with one profile per thread; the forwarding lcore is the thread
with the most instructions (the others sleep). Its instructions are split into those inside the
net_null PMD (rx/tx burst functions, identical for every program) and the rest, which is the
forwarder's own per-packet work. Packets:
  vfpath    the --report's tx_packets (ports' sum for run, the total for gen);
  testpmd   its exit statistics (TX-packets, all ports);
  bareloop  (calls into net_null) / 2 * 32: every net_null rx returns a full burst, and tx takes
            it (checked on vfpath io, where both figures are known: the script warns on mismatch).

valgrind 3.19 cannot decode AVX-512, so vfpath is built for this (build-instr/, -mno-avx512f) and the
bare loop likewise; DPDK's own libraries are Debian's (baseline ISA) in every program.

Modes: io, macswap, l2 (testpmd "mac"), gen (every frame a probe) and gen-plain (no probes, one
flow), both against testpmd "txonly".

Usage: perf/instr.py [--seconds 3] [--modes io,macswap,l2,gen,gen-plain] [--json out.json]
"""
import argparse, glob, json, os, re, shutil, subprocess, sys, tempfile, time

from vfreport import ROOT, TESTPMD_MODE, build_bareloop, config_path

BURST = 32
PMD = "librte_net_null"


def build_vfpath(build_dir):
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.check_call(["meson", "setup", build_dir, "-Dtests=false", "-Dcpp_args=-mno-avx512f"],
                              cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.check_call(["ninja", "-C", build_dir, "app/vfpath"], stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "app", "vfpath")



def parse_profile(path):
    """(total Ir, Ir inside calls into the PMD, number of calls into the PMD) of one thread's file."""
    total = pmd_ir = pmd_calls = 0
    names = {}
    cob = None
    pending_call = None
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                total = max(total, int(line.split()[1]))
            elif line.startswith(("cob=", "ob=")):
                # ob= and cob= share one table of compressed names: "(id) name" defines, "(id)"
                # refers back, whichever of the two wrote it first.
                m = re.match(r"c?ob=\((\d+)\)\s*(.*)", line.strip())
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                cob = names.get(m.group(1), "") if line.startswith("cob=") else None
            elif line.startswith("calls="):
                pending_call = int(line.split("=")[1].split()[0]) if cob and PMD in cob else None
                if pending_call is None:
                    cob = None
            elif pending_call is not None:  # the cost line of that call: "<position> <Ir>"
                pmd_calls += pending_call
                pmd_ir += int(line.split()[1])
                pending_call, cob = None, None
            elif line.startswith(("fn=", "fl=", "fi=", "fe=")):
                cob = None
    return total, pmd_ir, pmd_calls


def worker_thread(outdir):
    """The profile of the thread that ran the most instructions."""
    best = None
    for p in glob.glob(os.path.join(outdir, "cg.*")):
        if os.path.getsize(p) == 0:
            continue
        r = parse_profile(p)
        if best is None or r[0] > best[0]:
            best = r
    if best is None:
        raise RuntimeError(f"no callgrind profile in {outdir}")
    return best


def callgrind(cmd, outdir, timeout, interrupt_after=None):
    """Runs cmd under callgrind; interrupt_after: seconds until SIGINT (programs that run until
    interrupted), delivered by timeout(1) to valgrind, which passes it to the program."""
    os.makedirs(outdir, exist_ok=True)
    stop = ["timeout", "-s", "INT", str(int(interrupt_after))] if interrupt_after else []
    vg = stop + ["valgrind", "--tool=callgrind", "--separate-threads=yes",
          f"--callgrind-out-file={outdir}/cg.%p"]
    return subprocess.run(vg + cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def run_bare(exe, secs, tmp):
    out = os.path.join(tmp, "bare")
    callgrind([exe, "--no-huge", "-m", "512", "--no-pci", "-l", "0-1", "--vdev=net_null0",
               "--vdev=net_null1", "--file-prefix=cgbl", str(secs)], out, secs * 20 + 300)
    total, pmd_ir, calls = worker_thread(out)
    return total, pmd_ir, calls // 2 * BURST, calls


def run_testpmd(mode, secs, tmp):
    out = os.path.join(tmp, f"testpmd-{mode}")
    r = callgrind(["dpdk-testpmd", "-l", "0-1",
                   "--no-huge", "-m", "1024", "--no-pci", "--vdev=net_null0", "--vdev=net_null1",
                   "--file-prefix=cgtp", "--", f"--forward-mode={TESTPMD_MODE[mode]}",
                   "--total-num-mbufs=16384", "--nb-cores=1", "--auto-start", "--stats-period=5"],
                  out, secs * 20 + 400, interrupt_after=secs * 10 + 60)
    total, pmd_ir, calls = worker_thread(out)
    m = re.findall(r"Accumulated forward statistics for all ports.*?TX-packets:\s+(\d+)", r.stdout, re.S)
    if not m:
        raise RuntimeError("testpmd printed no final statistics:\n" + r.stdout[-3000:])
    return total, pmd_ir, int(m[-1]), calls


def run_vfpath(exe, mode, secs, tmp):
    out = os.path.join(tmp, f"vfpath-{mode}")
    report = os.path.join(tmp, f"vfpath-{mode}.json")
    cmd = "gen" if mode.startswith("gen") else "run"
    extra = ["--duration", f"{secs}"] if cmd == "gen" else ["--duration", f"{secs}", "--stats-interval", "0"]
    r = callgrind([exe, cmd, "-c", config_path(mode), "--log-level", "warn", "--report", report, *extra],
                  out, secs * 20 + 400)
    if r.returncode != 0:
        raise RuntimeError(f"vfpath {cmd} failed under callgrind:\n" + r.stdout[-2000:] + r.stderr[-2000:])
    with open(report) as f:
        rep = json.load(f)
    packets = rep["tx_packets"] if cmd == "gen" else sum(p["tx_packets"] for p in rep["ports"])
    total, pmd_ir, calls = worker_thread(out)
    return total, pmd_ir, packets, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--modes", default="io,macswap,l2,gen")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-instr"))
    ap.add_argument("--json")
    a = ap.parse_args()
    for tool in ("valgrind", "dpdk-testpmd"):
        if not shutil.which(tool):
            sys.exit(f"instr: {tool} missing (apt-get install valgrind dpdk)")
    vfpath = build_vfpath(a.build_dir)
    tmp = tempfile.mkdtemp(prefix="vfpath-instr-")
    rows = {}

    def row(name, r):
        total, pmd_ir, packets, calls = r
        if packets == 0:
            raise RuntimeError(f"{name}: no packets")
        rows[name] = {"packets": packets, "ir_per_packet": total / packets,
                      "pmd_ir_per_packet": pmd_ir / packets, "own_ir_per_packet": (total - pmd_ir) / packets,
                      "pmd_calls": calls}
        x = rows[name]
        print(f"  {name:16s} {packets:>10d} pkts  {x['ir_per_packet']:7.1f} Ir/pkt  "
              f"(PMD {x['pmd_ir_per_packet']:6.1f}, own {x['own_ir_per_packet']:6.1f})", flush=True)

    print("instructions per packet (worker lcore), valgrind --tool=callgrind:")
    row("bareloop", run_bare(build_bareloop(tmp, ["-mno-avx512f"]), a.seconds, tmp))
    for m in a.modes.split(","):
        row(f"testpmd_{m}", run_testpmd(m, a.seconds, tmp))
        r = run_vfpath(vfpath, m, a.seconds, tmp)
        row(f"vfpath_{m}", r)
        if m == "io" and r[3] // 2 * BURST != r[2]:
            print(f"  warning: vfpath io sent {r[2]} but made {r[3]} PMD calls: the bare loop's "
                  "packet count (calls / 2 * 32) is not exact", file=sys.stderr)
    print("ratios (own instructions per packet, vfpath / peer):")
    ratios = {}
    for m in a.modes.split(","):
        v, t = rows[f"vfpath_{m}"], rows[f"testpmd_{m}"]
        ratios[f"vfpath_{m}/testpmd_{m}"] = v["ir_per_packet"] / t["ir_per_packet"]
        print(f"  {m:8s} total {v['ir_per_packet'] / t['ir_per_packet']:.3f}  "
              f"own {v['own_ir_per_packet'] / t['own_ir_per_packet']:.3f}")
    if "vfpath_io" in rows:
        b, v = rows["bareloop"], rows["vfpath_io"]
        ratios["vfpath_io/bareloop"] = v["ir_per_packet"] / b["ir_per_packet"]
        print(f"  io vs bareloop: total {ratios['vfpath_io/bareloop']:.3f}  "
              f"(+{v['ir_per_packet'] - b['ir_per_packet']:.1f} Ir/pkt)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": rows, "ratios": ratios, "seconds": a.seconds,
                       "date": time.strftime("%Y-%m-%d"), "nproc": os.cpu_count()}, f, indent=2)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
