# Shared by the VF lane's guest tests (bash, in the guest's chroot of the host's root).
# Verdict lines are what the host side reads from the serial console:
#   VF-VERDICT <test> <verdict> pass|fail <detail>
# A test's verdicts decide it; anything else it prints is context for a reader.
# begin TEST: the verdicts that follow are TEST's; $W is its work folder (on the host, kept).
begin() {
  VF_TEST=$1 W=$VF_OUT/$1
  rm -rf "$W"; mkdir -p "$W"
  say "begin ($(cut -d' ' -f1 /proc/uptime) s since boot)"
}
VF_TEST=${VF_TEST:-setup} W=$VF_OUT/setup
mkdir -p "$W"

say() { echo "[$VF_TEST] $*"; }
verdict() {  # NAME 0|1(pass if 0) DETAIL...
  local name=$1 ok=$2; shift 2
  if [ "$ok" = 0 ]; then echo "VF-VERDICT $VF_TEST $name pass $*"
  else echo "VF-VERDICT $VF_TEST $name fail $*"; fi
}
check() {  # NAME DETAIL -- COMMAND...: a verdict from a command's exit status
  local name=$1 detail=$2; shift 2; [ "$1" = -- ] && shift
  if "$@"; then verdict "$name" 0 "$detail"; else verdict "$name" 1 "$detail"; fi
}
setup_error() { echo "VF-SETUP-ERROR $VF_TEST $*"; exit 3; }

modload() { modprobe -d "$VF_KDIR" "$@" || setup_error "modprobe $*"; }

# PFs in BDF order: the igb devices (8086:10c9).
pfs() {
  local d
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10c9 ] && basename "$d"
  done
}
pf_netdev() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -1; }
vf_bdf() { basename "$(readlink -f "/sys/bus/pci/devices/$1/virtfn$2")"; }
driver_of() {
  local l=/sys/bus/pci/devices/$1/driver
  if [ -e "$l" ]; then basename "$(readlink -f "$l")"; else echo none; fi
}

# Modules, hugepages and the PFs' netdevs up. igbvf is not loaded: VFs stay driverless until bound.
base_setup() {
  modload igb
  modload vfio_iommu_type1   # busybox-era softdeps aside, load the IOMMU backend explicitly
  modload vfio-pci
  echo 256 > /proc/sys/vm/nr_hugepages  # 128 MiB each for vfpath run and gen
  local pf n
  for pf in $(pfs); do
    n=$(pf_netdev "$pf") || true
    [ -n "$n" ] || setup_error "PF $pf has no netdev"
    ip link set "$n" up
  done
  PF_A=$(pfs | sed -n 1p) PF_B=$(pfs | sed -n 2p)
  [ -n "$PF_A" ] && [ -n "$PF_B" ] || setup_error "expected two igb PFs, found: $(pfs | xargs)"
  NET_A=$(pf_netdev "$PF_A") NET_B=$(pf_netdev "$PF_B")
}

# --- The forwarding topology: two PFs (A, B), two VFs on each, all on vfio-pci.
#   A.vf0 = p0 (vfpath), A.vf1 = g0 (generator); B.vf0 = p1 (vfpath), B.vf1 = g1 (generator).
# Each NIC switches between its own VFs by destination MAC. p0 shares its MAC with g1 (M1), and
# p1 with g0 (M2), so a frame g0 sends to M1 reaches p0, leaves p1 unchanged (io) and reaches
# g1 through B's switch; and the other way round. The two NICs share no wire.
M1=02:00:00:00:00:a1
M2=02:00:00:00:00:b2
vf_topology() {  # [VF_COUNT=2]
  local n=${1:-2}
  "$VFPATH" host create-vfs "$PF_A" --count "$n" --no-autoprobe >"$W/create-a.txt" 2>&1 ||
    setup_error "host create-vfs $PF_A: $(tail -1 "$W/create-a.txt")"
  "$VFPATH" host create-vfs "$PF_B" --count "$n" --no-autoprobe >"$W/create-b.txt" 2>&1 ||
    setup_error "host create-vfs $PF_B: $(tail -1 "$W/create-b.txt")"
  ip link set "$NET_A" vf 0 mac $M1 && ip link set "$NET_A" vf 1 mac $M2 &&
    ip link set "$NET_B" vf 0 mac $M2 && ip link set "$NET_B" vf 1 mac $M1 ||
    setup_error "ip link set vf mac"
  P0=$(vf_bdf "$PF_A" 0) G0=$(vf_bdf "$PF_A" 1) P1=$(vf_bdf "$PF_B" 0) G1=$(vf_bdf "$PF_B" 1)
  HOP_P0=$M2 HOP_P1=$M1 HOP_G0=$M1 HOP_G1=$M2
  local v
  for v in $P0 $G0 $P1 $G1; do
    "$VFPATH" host bind "$v" >>"$W/bind.txt" 2>&1 || setup_error "host bind $v: $(tail -1 "$W/bind.txt")"
  done
}

# Both vfpath ports and both generator ports on PF A (l2 mode only: every frame is switched by
# A to the MAC vfpath writes). A PF event then hits all four at once.
vf_topology_one_pf() {
  "$VFPATH" host create-vfs "$PF_A" --count 4 --no-autoprobe >"$W/create-a.txt" 2>&1 ||
    setup_error "host create-vfs $PF_A: $(tail -1 "$W/create-a.txt")"
  local i v
  for i in 0 1 2 3; do ip link set "$NET_A" vf $i mac 02:00:00:00:0a:0$i || setup_error "vf $i mac"; done
  P0=$(vf_bdf "$PF_A" 0) P1=$(vf_bdf "$PF_A" 1) G0=$(vf_bdf "$PF_A" 2) G1=$(vf_bdf "$PF_A" 3)
  HOP_P0=02:00:00:00:0a:02 HOP_P1=02:00:00:00:0a:03 HOP_G0=02:00:00:00:0a:00 HOP_G1=02:00:00:00:0a:01
  for v in $P0 $G0 $P1 $G1; do
    "$VFPATH" host bind "$v" >>"$W/bind.txt" 2>&1 || setup_error "host bind $v: $(tail -1 "$W/bind.txt")"
  done
}

# run config: MODE [EXTRA_YAML_LINES]
run_config() {
  cat <<YAML
eal: {lcores: "0,1", main_lcore: 0, memory_mb: 128, hugepages: true, file_prefix: vf-run}
ports:
  - {name: p0, device: "$P0", next_hop: "$HOP_P0"}
  - {name: p1, device: "$P1", next_hop: "$HOP_P1"}
forward: {mode: $1, pairs: [[p0, p1]]}
${2:-}
YAML
}
# gen config: RATE [G0_NEXT_HOP]
gen_config() {
  cat <<YAML
eal: {lcores: "0,2", main_lcore: 0, memory_mb: 128, hugepages: true, file_prefix: vf-gen}
ports:
  - {name: g0, device: "$G0", next_hop: "${2:-$HOP_G0}"}
  - {name: g1, device: "$G1", next_hop: "$HOP_G1"}
gen: {tx: [g0, g1], rx: [g0, g1], rate: $1, size: 64, flows: 8, drain_ms: 300}
YAML
}

json() {  # FILE PYTHON_EXPR (with j = the loaded JSON): prints the value
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# --- vfpath run in the background, and the generator against it.
RUN_PID=
start_run() {  # MODE [EXTRA_YAML] [RUN ARGS...]: waits until it forwards (its first stats line)
  local mode=$1 extra=${2:-}; shift 2 || shift $#
  run_config "$mode" "$extra" > "$W/run.yaml"
  rm -f "$W/stats.jsonl" "$W/journal.jsonl" "$W/run.json"
  "$VFPATH" run -c "$W/run.yaml" --duration 600 --report "$W/run.json" --stats-interval 1 \
    --stats-json "$W/stats.jsonl" --journal "$W/journal.jsonl" "$@" > "$W/run.out" 2>&1 &
  RUN_PID=$!
  local i t0; t0=$(cut -d' ' -f1 /proc/uptime)
  for i in $(seq 1 240); do
    [ -s "$W/stats.jsonl" ] && { say "vfpath run forwarding (pid $RUN_PID), $(awk -v t="$t0" '{printf "%.1f", $1 - t}' /proc/uptime) s after start"; return 0; }
    kill -0 $RUN_PID 2>/dev/null || break
    sleep 0.5
  done
  tail -5 "$W/run.out"
  setup_error "vfpath run did not start forwarding: $(grep -m1 -i error "$W/run.out")"
}
RUN_RC=
stop_run() {  # SIGINT, then wait (bounded); the exit status goes to RUN_RC
  kill -INT $RUN_PID 2>/dev/null
  local i
  for i in $(seq 1 120); do kill -0 $RUN_PID 2>/dev/null || break; sleep 0.5; done
  if kill -0 $RUN_PID 2>/dev/null; then
    say "vfpath run did not stop within 60 s of SIGINT; killing it"
    kill -KILL $RUN_PID; wait $RUN_PID 2>/dev/null; RUN_RC=137; return
  fi
  wait $RUN_PID; RUN_RC=$?
}
gen() {  # NAME RATE DURATION [G0_NEXT_HOP]: runs vfpath gen to completion, report in $W/NAME.json
  gen_config "$2" "${4:-}" > "$W/$1.yaml"
  "$VFPATH" gen -c "$W/$1.yaml" --duration "$3" --warmup 0 --report "$W/$1.json" \
    --stats-interval 0 > "$W/$1.out" 2>&1
}
# "SENT RECEIVED" of the stream sent on port PORT in a gen report
stream() { json "$1" "' '.join(str(sum(s[k] or 0 for s in j['streams'] if s['port'] == '$2')) for k in ('sent', 'received'))"; }

# --- Fault tests. The generator runs while the fault is made (gen1), then a fresh generator
# (gen2) checks that traffic flows again, with nobody touching vfpath in between.
# rx_packets of the Nth port (1-based) in vfpath's newest stats line (shell only: python starts
# slowly under TCG, and this is polled).
rx_of() { tail -1 "$W/stats.jsonl" | grep -o '"rx_packets": *[0-9]*' | sed -n "${1}p" | grep -o '[0-9]*$'; }
OUTAGE=${VF_OUTAGE:-8}   # seconds gen1 keeps sending after the fault
SETTLE=${VF_SETTLE:-3}    # then this long before gen2
fault_test() {  # FAULTED OTHER|- MODE FAULT_FUNCTION [G0_NEXT_HOP_AFTER]
  local faulted=$1 other=$2 mode=$3 fault=$4 hop=${5:-}
  start_run "$mode"
  gen_config "$RATE" > "$W/gen1.yaml"
  "$VFPATH" gen -c "$W/gen1.yaml" --duration 0 --warmup 0 --report "$W/gen1.json" \
    --stats-interval 0 > "$W/gen1.out" 2>&1 &
  local gpid=$! i t0; t0=$(cut -d' ' -f1 /proc/uptime)
  for i in $(seq 1 240); do
    [ "$(rx_of 1)" -gt 0 ] 2>/dev/null && [ "$(rx_of 2)" -gt 0 ] 2>/dev/null && break
    sleep 0.5
  done
  say "gen1 traffic through both ports after $(awk -v t="$t0" '{printf "%.1f", $1 - t}' /proc/uptime) s: p0 rx $(rx_of 1), p1 rx $(rx_of 2)"
  sleep 2
  local fault_line; fault_line=$(wc -l < "$W/stats.jsonl")
  say "fault: $fault ($(cut -d' ' -f1 /proc/uptime) s since boot)"
  $fault
  sleep "$OUTAGE"
  local end_line; end_line=$(wc -l < "$W/stats.jsonl")
  kill -INT $gpid
  for i in $(seq 1 60); do kill -0 $gpid 2>/dev/null || break; sleep 0.5; done
  kill -KILL $gpid 2>/dev/null; wait $gpid
  ${AFTER_FAULT:-true}
  sleep "$SETTLE"
  gen gen2 "$RATE" 5 "$hop"
  stop_run
  python3 "$VF_SRC/tests/vf/guest/fault_verdicts.py" "$W" "$faulted" "$other" "$fault_line" \
    "$end_line" "$RUN_RC" > "$W/verdicts.txt"
  while read -r name ok detail; do verdict "$name" "$ok" "$detail"; done < "$W/verdicts.txt"
  # What vfpath did, for the record (the lane's own observation of each fault).
  python3 - "$W" "$faulted" <<'PY'
import json, sys
d, port = sys.argv[1:3]
try:
    r = json.load(open(f"{d}/run.json"))
except Exception:
    sys.exit(0)
for p in r["ports"]:
    rec = p.get("recovery") or {}
    print(f"[observed] {p['name']}: state {p.get('state')}, mac {p.get('mac')}, "
          f"recovery {json.dumps({k: rec.get(k) for k in ('events', 'recovered', 'failed', 'recovery_ms')})}, "
          f"not_ready_drops {p.get('not_ready_drops')}")
n = 0
for line in open(f"{d}/journal.jsonl"):
    e = json.loads(line)
    if e.get("port") == port and e.get("kind") != "fault" and n < 12:
        print(f"[observed] journal {e['t_s']:.2f}s {e['port']} {e['kind']}: {e['detail']}")
        n += 1
PY
}
restore_topology_a() {  # after PF A lost its VFs: make them again, MACs and vfio-pci as before
  "$VFPATH" host create-vfs "$PF_A" --count 2 --no-autoprobe >"$W/recreate.txt" 2>&1 ||
    { say "re-creating PF A's VFs failed: $(tail -1 "$W/recreate.txt")"; return 1; }
  ip link set "$NET_A" up
  ip link set "$NET_A" vf 0 mac $M1 && ip link set "$NET_A" vf 1 mac $M2
  "$VFPATH" host bind "$P0" >>"$W/recreate.txt" 2>&1
  "$VFPATH" host bind "$G0" >>"$W/recreate.txt" 2>&1
  say "PF A's VFs made again and bound ($(cut -d' ' -f1 /proc/uptime) s since boot)"
}
