#!/usr/bin/env python3
# scripts/plot-report on the fixture reports in tests/fixtures/reports: the charts each report
# supports are written as valid, non-empty PNGs and their paths printed; bad files exit 2 with a
# message naming the problem. Standard library only (plot-report itself needs matplotlib).
#   plot_report_test.py PLOT_REPORT FIXTURE_DIR
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def png_ok(path):
    """A PNG signature, an IHDR with a non-zero size and a good CRC, IEND last."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 57 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        return "first chunk is not IHDR"
    width, height = struct.unpack(">II", data[16:24])
    crc = struct.unpack(">I", data[29:33])[0]
    if zlib.crc32(data[12:29]) != crc:
        return "IHDR CRC mismatch"
    if width == 0 or height == 0:
        return f"empty image {width}x{height}"
    if data[-12:-8] != b"\x00\x00\x00\x00" or data[-8:-4] != b"IEND":
        return "does not end with IEND"
    return None


def run(script, args):
    return subprocess.run([script] + args, capture_output=True, text=True, timeout=120)


def main():
    script, fixtures = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="vfpath-plot-")
    try:
        expected = {
            "run-latency.json": ["latency-p0.png", "latency-p1.png", "throughput-time.png"],
            "gen-streams.json": ["latency-streams.png"],
            "rfc2544.json": ["throughput-frame-size.png"],
            # Real output of `vfpath bench mlrsearch` on the policed tap path (docs/mlrsearch.md).
            "mlrsearch.json": ["mlrsearch-64B.png"],
        }
        for report, files in expected.items():
            out = os.path.join(tmp, report + ".d")
            r = run(script, [os.path.join(fixtures, report), "-o", out])
            check(r.returncode == 0, f"{report}: exit {r.returncode}, stderr: {r.stderr}")
            printed = r.stdout.split()
            check(printed == [os.path.join(out, f) for f in files],
                  f"{report}: printed {printed}, expected {files} in {out}")
            for f in files:
                path = os.path.join(out, f)
                check(os.path.isfile(path), f"{report}: {path} missing")
                if os.path.isfile(path):
                    check(os.path.getsize(path) > 0, f"{path}: empty")
                    bad = png_ok(path)
                    check(bad is None, f"{path}: not a valid PNG: {bad}")
            check(sorted(os.listdir(out)) == sorted(files),
                  f"{report}: {out} holds {sorted(os.listdir(out))}")

        # The same run report with each queue's latency nested under "latency", in both shapes
        # plot-report accepts: histogram_json() as it is, and {"latency_ns", "latency_hist"}.
        with open(os.path.join(fixtures, "run-latency.json")) as f:
            rep = json.load(f)
        q0, q1 = rep["ports"][0]["queues"]
        q0["latency"] = dict(q0.pop("latency_ns"), buckets=q0.pop("latency_hist")["buckets"])
        q1["latency"] = {"latency_ns": q1.pop("latency_ns"), "latency_hist": q1.pop("latency_hist")}
        nested = os.path.join(tmp, "nested.json")
        with open(nested, "w") as f:
            json.dump(rep, f)
        out = os.path.join(tmp, "nested.d")
        r = run(script, [nested, "-o", out])
        check(r.returncode == 0 and r.stdout.split()[0] == os.path.join(out, "latency-p0.png"),
              f"nested latency: exit {r.returncode}, printed {r.stdout!r}, stderr {r.stderr}")

        # An mlrsearch report whose trials lack a load: exit 2 naming the key, nothing written.
        with open(os.path.join(fixtures, "mlrsearch.json")) as f:
            rep = json.load(f)
        del rep["results"][0]["trials"][1]["trial_load_pps"]
        broken = os.path.join(tmp, "broken-mlr.json")
        with open(broken, "w") as f:
            json.dump(rep, f)
        out = os.path.join(tmp, "broken-mlr.d")
        r = run(script, [broken, "-o", out])
        check(r.returncode == 2 and "results[0].trials[1].trial_load_pps" in r.stderr
              and not os.path.exists(out),
              f"broken mlrsearch report: exit {r.returncode}, stderr {r.stderr!r}")

        # Without -o: <report without .json>-plots beside the report.
        copy = os.path.join(tmp, "copy.json")
        shutil.copy(os.path.join(fixtures, "rfc2544.json"), copy)
        r = run(script, [copy])
        want = os.path.join(tmp, "copy-plots", "throughput-frame-size.png")
        check(r.returncode == 0 and r.stdout.strip() == want,
              f"default dir: exit {r.returncode}, printed {r.stdout!r}, expected {want}")

        # What the charts are drawn from (plot-report as a module): the histogram `vfpath gen`
        # writes (streams[].latency_histogram; the fixture is real gen output), and for RFC 2544
        # the generator-limited flag and the latency at the NDR.
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader("plot_report", script)
        spec = importlib.util.spec_from_loader("plot_report", loader)
        mod = importlib.util.module_from_spec(spec)
        loader.exec_module(mod)
        with open(os.path.join(fixtures, "gen-streams.json")) as f:
            gen = json.load(f)
        check(all("latency_histogram" in st for st in gen["streams"]),
              "gen-streams.json is not what vfpath gen writes (streams[].latency_histogram)")
        charts = dict((n, d) for n, _, d in mod.find_charts(gen))
        series = charts.get("latency-streams.png", ("", []))[1]
        check(series and all("buckets" in s for s in series),
              f"gen's latency_histogram is not used: {[sorted(s) for s in series]}")
        with open(os.path.join(fixtures, "rfc2544.json")) as f:
            rfc = json.load(f)
        rfc["results"][0]["ndr"]["limited_by_generator"] = True
        rows = dict((n, d) for n, _, d in mod.find_charts(rfc))["throughput-frame-size.png"]
        check([r[4] for r in rows][:2] == ["g", ""], f"generator-limited flags: {rows}")
        check(all(r[5] is not None and r[6] is not None for r in rows),
              f"latency at the NDR missing: {rows}")
        limited = os.path.join(tmp, "limited.json")
        with open(limited, "w") as f:
            json.dump(rfc, f)
        r = run(script, [limited, "-o", os.path.join(tmp, "limited.d")])
        check(r.returncode == 0, f"limited.json: exit {r.returncode}, stderr {r.stderr}")

        bad = {
            "bad-not-json.json": "not a JSON report",
            "bad-nothing-to-plot.json": "nothing to plot",
            "bad-buckets.json": "ports[0].queues[1].latency_hist.buckets: expected a list",
            "no-such-report.json": "cannot read",
        }
        for report, needle in bad.items():
            out = os.path.join(tmp, report + ".d")
            r = run(script, [os.path.join(fixtures, report), "-o", out])
            check(r.returncode == 2, f"{report}: exit {r.returncode}, expected 2")
            check(needle in r.stderr and report in r.stderr,
                  f"{report}: stderr {r.stderr!r} lacks {needle!r}")
            check("Traceback" not in r.stderr, f"{report}: crashed: {r.stderr}")
            check(not os.path.exists(out), f"{report}: wrote {out} anyway")
    finally:
        shutil.rmtree(tmp)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
