# The PF's link bounces: the igb PF then holds every VF's rx and tx until the VF redoes its
# reset handshake. p0 is on PF A; p1, on PF B, is not touched.
RATE=${VF_RATE:-2kpps}
vf_topology
bounce() { ip link set "$NET_A" down; sleep 1; ip link set "$NET_A" up; }
begin fault-pf-bounce
fault_test p0 p1 io bounce
