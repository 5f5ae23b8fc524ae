#!/usr/bin/env python3
"""The four verdicts of a VF lane fault test, from what vfpath wrote and what the generator saw.

  noticed       vfpath acted on the faulted port after the fault: a watchdog, recovery, failover
                or storm entry, a reset/removal event, or a state change into a recovery state
                (link changes alone do not count: they were seen before and nothing was done).
  recovered     a fresh generator started after the settle time gets its frames through both
                directions (at least 99% of what it sent), with nobody touching vfpath.
  other-port    the port that was not faulted kept receiving in every stats interval from the
                fault until the first generator stopped ("where it could": n/a if the fault hit
                both ports).
  no-leak       vfpath's pools had nothing in use at exit, and it exited cleanly.

Usage: fault_verdicts.py DIR FAULTED_PORT OTHER_PORT|- FAULT_LINE END_LINE RUN_RC
  DIR holds journal.jsonl, stats.jsonl, run.json and gen2.json; FAULT_LINE and END_LINE are the
  number of stats lines written when the fault was made and when the first generator stopped.
Prints one "NAME 0|1 DETAIL" line per verdict (0 = pass).
"""
import json
import os
import re
import sys

d, faulted, other, fault_line, end_line, run_rc = sys.argv[1:7]
fault_line, end_line = int(fault_line), int(end_line)


def load_lines(name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return []
    out = []
    for line in open(p):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def load(name):
    try:
        return json.load(open(os.path.join(d, name)))
    except (OSError, ValueError):
        return None


def say(name, ok, detail):
    print(f"{name} {0 if ok else 1} {detail}")


stats = load_lines("stats.jsonl")
journal = load_lines("journal.jsonl")
# The fault's run time: the t_s of the stats line written just before it.
t_fault = stats[fault_line - 1]["t_s"] if 0 < fault_line <= len(stats) else 0.0

RECOVERY_STATE = re.compile(r"quiesc|resetting|restart|reconfigur|reattach|driver_recovering|"
                            r"failed|degraded|storm")
acts = []
for e in journal:
    if e.get("port") != faulted or e.get("t_s", 0) < t_fault:
        continue
    k, det = e.get("kind", ""), e.get("detail", "")
    if (k in ("watchdog", "recovery", "failover", "storm", "mac")
            or (k == "event" and det not in ("LSC",))
            or (k == "state" and RECOVERY_STATE.search(det))):
        acts.append(f"{e['t_s']:.2f}s {k}: {det}")
say("noticed", bool(acts),
    (f"{len(acts)} journal entries on {faulted} after the fault at {t_fault:.1f}s; first: "
     f"{acts[0]}") if acts else f"no recovery entry on {faulted} after the fault at {t_fault:.1f}s")

gen2 = load("gen2.json")
if not gen2:
    say("recovered", False, "the second generator wrote no report")
else:
    parts, ok = [], True
    for port in ("g0", "g1"):
        sent = sum(s["sent"] or 0 for s in gen2["streams"] if s["port"] == port)
        got = sum(s["received"] or 0 for s in gen2["streams"] if s["port"] == port)
        ok = ok and sent > 0 and got >= 0.99 * sent
        parts.append(f"from {port}: {got}/{sent}")
    say("recovered", ok, "fresh generator after the fault, " + ", ".join(parts))

if other == "-":
    say("other-port", True, "n/a: the fault hits both ports")
else:
    window = stats[max(fault_line - 1, 0):end_line]
    rx = [next(p["rx_packets"] for p in s["ports"] if p["name"] == other) for s in window]
    steps = [b - a for a, b in zip(rx, rx[1:])]
    stalls = sum(1 for s in steps if s <= 0)
    say("other-port", len(steps) > 0 and stalls == 0,
        f"{other} rx grew in {len(steps) - stalls} of {len(steps)} intervals during the outage")

run = load("run.json")
if not run:
    say("no-leak", False, f"no report from vfpath run (exit {run_rc})")
else:
    inuse = sum(m["in_use_at_exit"] for m in run["mempools"])
    say("no-leak", inuse == 0 and run.get("clean_exit") is True and run_rc == "0",
        f"run exit {run_rc}, clean_exit {run.get('clean_exit')}, in use at exit {inuse}")
