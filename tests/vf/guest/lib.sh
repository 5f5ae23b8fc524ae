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
  echo 384 > /proc/sys/vm/nr_hugepages
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
  local v
  for v in $P0 $G0 $P1 $G1; do
    "$VFPATH" host bind "$v" >>"$W/bind.txt" 2>&1 || setup_error "host bind $v: $(tail -1 "$W/bind.txt")"
  done
}

# run config: MODE [EXTRA_YAML_LINES]
run_config() {
  cat <<YAML
eal: {lcores: "0,1", main_lcore: 0, memory_mb: 128, hugepages: true, file_prefix: vf-run}
ports:
  - {name: p0, device: "$P0", next_hop: "$M2"}
  - {name: p1, device: "$P1", next_hop: "$M1"}
forward: {mode: $1, pairs: [[p0, p1]]}
${2:-}
YAML
}
# gen config: RATE [G0_NEXT_HOP]
gen_config() {
  cat <<YAML
eal: {lcores: "0,2", main_lcore: 0, memory_mb: 128, hugepages: true, file_prefix: vf-gen}
ports:
  - {name: g0, device: "$G0", next_hop: "${2:-$M1}"}
  - {name: g1, device: "$G1", next_hop: "$M2"}
gen: {tx: [g0, g1], rx: [g0, g1], rate: $1, size: 64, flows: 8, drain_ms: 300}
YAML
}

json() {  # FILE PYTHON_EXPR (with j = the loaded JSON): prints the value
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
