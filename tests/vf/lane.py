#!/usr/bin/env python3
"""The VF lane: vfpath on real SR-IOV VFs, in a QEMU guest with two emulated igb NICs (82576).

Each guest script (tests/vf/guest/g-NAME.sh) runs in a fresh guest and reports one or more tests
through verdict lines on the serial console:
    VF-VERDICT <test> <verdict> pass|fail <detail>
A test passes when all its verdicts pass. A verdict listed in tests/vf/xfail.txt is an expected
failure: it is shown as XFAIL with the reason, and an expected failure that passes is shown as
XPASS. A guest that hangs (no exit line by the timeout) is killed and run once more, and the
output says so; a test is failed only by a vfpath verdict or by a harness setup error, both named.

Usage: tests/vf/lane.py --vfpath BUILD/app/vfpath [--only NAME,...] [--cache DIR] [--out DIR]
The last line is "vf: N passed, N failed, N skipped" (XFAIL counts as skipped, XPASS as passed).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))

# Guest scripts in run order and the tests each runs (functions t_TEST in g-NAME.sh).
GUESTS = [
    ("host", ["host-create-vfs", "host-list", "host-set-vf", "host-bind", "check"]),
    ("fwd", ["fwd-io", "fwd-l2", "rfc2544"]),
    ("fault-vf", ["fault-flr-p0", "fault-flr-p1", "fault-pf-mac"]),
    ("fault-pf", ["fault-pf-bounce"]),
    ("fault-unplug", ["fault-numvfs", "fault-pf-rebind"]),
]
# A guest whose tests print nothing for this long has hung (a test prints a line at least every
# ~30 s; kernel messages do not count: a TCG vCPU stall makes the kernel report RCU stalls every
# ~20 s, seen 2026-12-08 on a loaded host). A guest is also given at most PER_TEST seconds a test.
SILENCE = 180
KERNEL_LINE = re.compile(r"\[\s*\d+\.\d+\]")  # "[   80.094409] rcu: INFO: ..." 
PER_TEST = 240


def load_xfail(path):
    """'test verdict reason...' lines; '#' comments."""
    out = {}
    if not os.path.exists(path):
        return out
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            sys.exit(f"{path}:{n}: expected 'TEST VERDICT REASON', got {line!r}")
        out[(parts[0], parts[1])] = parts[2]
    return out


def qemu_cmd(kernel, initrd, kdir, vfpath, out, name, tests):
    append = (f"console=ttyS0 panic=-1 quiet intel_iommu=on vf.test={name} vf.src={SRC} "
              f"vf.out={out} vf.kdir={kdir} vf.vfpath={vfpath} vf.tests={','.join(tests)}")
    return [
        "qemu-system-x86_64", "-machine", "q35,kernel-irqchip=split",
        "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "3", "-m", "2048",
        # QEMU 10.0 maps 64-bit VF BARs above 4 GiB with the upper dword dropped; without this
        # the VF registers read 0 (../shared/notes/sriov-vm.md).
        "-global", "q35-pcihost.pci-hole64-size=0",
        "-device", "intel-iommu,intremap=on,caching-mode=on",
        # Two igb PFs, each on a hub of its own (a link partner, so the PF link is up). Their VFs
        # sit at devfn PF+0x80, stride 2: slots 3 and 9 keep the two VF ranges apart.
        "-netdev", "hubport,id=n0,hubid=0", "-device", "igb,netdev=n0,addr=0x3",
        "-netdev", "hubport,id=n1,hubid=1", "-device", "igb,netdev=n1,addr=0x9",
        "-virtfs", "local,path=/,mount_tag=host0,security_model=none,readonly=on",
        "-virtfs", f"local,path={out},mount_tag=out0,security_model=none",
        "-kernel", kernel, "-initrd", initrd, "-append", append,
        "-nographic", "-no-reboot", "-display", "none", "-serial", "stdio", "-monitor", "none",
    ]


def boot(cmd, log_path, timeout):
    """Runs one guest. Returns (verdicts, exit_line_seen, setup_errors, seconds, why_killed)."""
    verdicts, setup, exited, why = [], [], False, ""
    ended = []
    t0 = last = time.monotonic()
    with open(log_path, "a") as log:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        os.set_blocking(p.stdout.fileno(), False)
        buf = b""
        while True:
            now = time.monotonic()
            if now - t0 > timeout or now - last > SILENCE:
                why = (f"no output for {now - last:.0f} s" if now - last > SILENCE
                       else f"not done within {timeout} s")
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                break
            chunk = p.stdout.read()
            if chunk:
                log.write(chunk.decode(errors="replace"))
                log.flush()
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for raw in lines:
                    line = raw.decode(errors="replace").strip()
                    # Kernel messages do not show that the guest goes on: a stalled vCPU makes
                    # the kernel print RCU stall reports every ~20 s while the test is stuck.
                    if line and not KERNEL_LINE.match(line):
                        last = now
                    m = re.search(r"VF-VERDICT (\S+) (\S+) (pass|fail) ?(.*)", line)
                    if m:
                        verdicts.append((m[1], m[2], m[3] == "pass", m[4]))
                        print(f"    {m[1]}: {m[2]}: {m[3]} {m[4]}", flush=True)
                    elif "VF-SETUP-ERROR" in line:
                        setup.append(line.split("VF-SETUP-ERROR", 1)[1].strip())
                        print(f"    setup error: {setup[-1]}", flush=True)
                    elif "VF-END " in line:
                        ended.append(line.split("VF-END ", 1)[1].strip())
                    elif "VF-EXIT" in line:
                        exited = True
                    elif "VF-BOOTED" in line:
                        print(f"    booted in {time.monotonic() - t0:.0f} s "
                              f"({line.split('VF-BOOTED', 1)[1].strip()})", flush=True)
                    elif line.startswith("[") and "] " in line and not line.startswith("[ "):
                        print(f"    {line}", flush=True)  # the guest tests' own context lines
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.2)
    return verdicts, exited, setup, time.monotonic() - t0, why, ended


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vfpath", required=True)
    ap.add_argument("--only", default="", help="guest scripts or tests to run (comma-separated)")
    ap.add_argument("--cache", default=os.environ.get("VF_CACHE", os.path.join(SRC, ".cache", "vf")))
    ap.add_argument("--out", default=os.path.join(SRC, "build-vf"))
    args = ap.parse_args()
    vfpath = os.path.abspath(args.vfpath)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    xfail = load_xfail(os.path.join(HERE, "xfail.txt"))

    img = subprocess.run([os.path.join(HERE, "image.sh"), args.cache], stdout=subprocess.PIPE,
                         text=True)
    if img.returncode != 0:
        print("vf: the guest image could not be built (output above)")
        print("vf: 0 passed, 1 failed, 0 skipped")
        return 1
    kernel, initrd, kdir = img.stdout.split()[-3:]

    only = {s for s in args.only.split(",") if s}
    passed = failed = skipped = 0
    lane_t0 = time.monotonic()
    for name, tests in GUESTS:
        if only and name not in only and not only & set(tests):
            continue
        if only and not only & {name}:
            tests = [t for t in tests if t in only]
        print(f"vf: guest {name} ({', '.join(tests)})", flush=True)
        log_path = os.path.join(out, f"{name}.console.log")
        open(log_path, "w").close()
        verdicts, exited, setup, secs, why, ended = boot(
            qemu_cmd(kernel, initrd, kdir, vfpath, out, name, tests), log_path,
            PER_TEST * len(tests) + 120)
        hung_twice = False
        if not exited:
            # Keep the verdicts of the tests that ended; run the others again, once.
            done = [t for t in tests if t in ended]
            again = [t for t in tests if t not in done]
            verdicts = [v for v in verdicts if v[0] in done]
            print(f"vf: guest {name} hung ({why}; console in {log_path}); killed, running "
                  f"{', '.join(again)} once more in a new guest", flush=True)
            v2, exited, setup2, secs2, why, _ = boot(
                qemu_cmd(kernel, initrd, kdir, vfpath, out, name, again), log_path,
                PER_TEST * len(again) + 120)
            verdicts += v2
            setup += setup2
            secs += secs2
            if not exited:
                hung_twice = True
                print(f"vf: guest {name} hung again ({why}); tests without a verdict are "
                      f"skipped, not passed (console in {log_path})", flush=True)
        print(f"vf: guest {name} took {secs:.0f} s", flush=True)
        for t in tests:
            vs = [v for v in verdicts if v[0] == t]
            errs = [e for e in setup if e.split()[0] in (t, name)]
            bad = [v for v in vs if not v[2] and (t, v[1]) not in xfail]
            xf = [v for v in vs if not v[2] and (t, v[1]) in xfail]
            xp = [v for v in vs if v[2] and (t, v[1]) in xfail]
            for v in xp:
                print(f"vf: XPASS {t}: {v[1]} passes, though listed as an expected failure "
                      f"({xfail[(t, v[1])]}); remove it from tests/vf/xfail.txt")
            if errs:
                failed += 1
                print(f"vf: FAIL {t}: harness setup error: {'; '.join(errs)}")
            elif bad:
                failed += 1
                print(f"vf: FAIL {t}: " + "; ".join(f"{v[1]} ({v[3]})" for v in bad))
            elif not vs:
                if hung_twice:
                    skipped += 1
                    print(f"vf: SKIP {t}: the guest hung twice (emulator), no verdict")
                else:
                    failed += 1
                    print(f"vf: FAIL {t}: no verdict (the guest script ended without one)")
            elif xf:
                skipped += 1
                print(f"vf: XFAIL {t}: " + "; ".join(
                    f"{v[1]} ({v[3]}; expected: {xfail[(t, v[1])]})" for v in xf))
            else:
                passed += 1
                print(f"vf: PASS {t} ({len(vs)} verdicts)")
    print(f"vf: lane took {time.monotonic() - lane_t0:.0f} s; logs in {out}")
    print(f"vf: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
