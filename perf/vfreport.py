"""Shared by the perf/ scripts: where the vfpath binary is, one run of it to a JSON report, the bare
loop's build and the testpmd mode each vfpath mode is compared with."""
import json, os, statistics, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VFPATH = os.environ.get("VFPATH_BIN", os.path.join(ROOT, "build", "app", "vfpath"))
BARELOOP_C = os.path.join(os.path.dirname(ROOT), "shared", "bench", "bareloop.c")
BARELOOP_N_C = os.path.join(ROOT, "perf", "bareloop_n.c")  # the same loop over N ports
TESTPMD_MODE = {"io": "io", "macswap": "macswap", "l2": "mac", "gen": "txonly", "gen-plain": "txonly"}


def build_bareloop(tmp, extra_flags=(), src=BARELOOP_C):
    """Compiles ../shared/bench/bareloop.c (or src) into tmp (-O3 -march=native, plus extra_flags)."""
    exe = os.path.join(tmp, os.path.splitext(os.path.basename(src))[0])
    flags = subprocess.check_output(["pkg-config", "--cflags", "--libs", "libdpdk"], text=True).split()
    subprocess.check_call(["gcc", "-O3", "-march=native", *extra_flags, "-o", exe, src] + flags)
    return exe


def config_path(name):
    """perf/configs/NAME.yaml"""
    return os.path.join(ROOT, "perf", "configs", f"{name}.yaml")


def run_report(command, cfg, secs, tmp, extra=(), quiet_table=True, timeout=None, exe=None):
    """Runs `vfpath COMMAND -c CFG --duration SECS [EXTRA]` with warn-level logs and returns its
    --report as a dict. quiet_table adds --stats-interval 0 (no live table). exe: another vfpath
    binary than build/app/vfpath (perf/ab.py)."""
    report = os.path.join(tmp, f"{command}.json")
    args = [exe or VFPATH, command, "-c", cfg, "--duration", f"{secs}", "--log-level", "warn",
            "--report", report, *extra]
    if quiet_table:
        args += ["--stats-interval", "0"]
    subprocess.run(args, check=True, capture_output=True,
                   timeout=timeout if timeout is not None else secs + 60)
    with open(report) as f:
        return json.load(f)


def sent_mpps(report):
    """Frames transmitted over all ports of a run report, in Mpps."""
    return sum(p["tx_packets"] for p in report["ports"]) / report["duration_s"] / 1e6


def paired(nums, dens):
    """Runs of two programs made in the same rounds: the median of the per-round ratios and the
    number of rounds in which the numerator was the faster."""
    per_round = [x / y for x, y in zip(nums, dens)]
    return statistics.median(per_round), sum(r > 1 for r in per_round)
