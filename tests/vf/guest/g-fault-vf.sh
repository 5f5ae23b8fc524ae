# Faults of one VF while vfpath forwards on it: FLR of each port, and the PF setting its MAC.
RATE=${VF_RATE:-2kpps}
guest_setup() { vf_topology; }
flr_p0() { echo 1 > "/sys/bus/pci/devices/$P0/reset"; }
flr_p1() { echo 1 > "/sys/bus/pci/devices/$P1/reset"; }
t_fault_flr_p0() { fault_test p0 p1 io flr_p0; }
t_fault_flr_p1() { fault_test p1 p0 io flr_p1; }

NEW_MAC=02:00:00:00:00:20
pf_mac() { ip link set "$NET_A" vf 0 mac $NEW_MAC; }
t_fault_pf_mac() {
# l2: p1 sends to g1 by next_hop whatever p0's MAC is; gen2 sends to p0's new MAC.
fault_test p0 p1 l2 pf_mac $NEW_MAC
mac=$(json "$W/run.json" '[p["mac"] for p in j["ports"] if p["name"] == "p0"][0]')
verdict mac-refreshed $([ "$mac" = $NEW_MAC ]; echo $?) "p0's MAC in the report: $mac (PF set $NEW_MAC)"
n=$(grep '"port": *"p0"' "$W/journal.jsonl" | grep -c '"kind": *"\(recovery\|watchdog\)"')
verdict no-restart-loop $([ "$n" -le 6 ]; echo $?) "$n recovery/watchdog entries on p0 after the MAC change"
}
