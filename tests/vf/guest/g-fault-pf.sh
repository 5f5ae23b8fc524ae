# The PF's link bounces: the igb PF then holds every VF's rx and tx until the VF redoes its reset
# handshake. Both vfpath ports and both generator ports are VFs of PF A, so every one of them is
# hit at once: no frame is offered to a live port, and nothing keeps receiving.
RATE=${VF_RATE:-2kpps}
guest_setup() { vf_topology_one_pf; }
bounce() { ip link set "$NET_A" down; sleep 1; ip link set "$NET_A" up; }
t_fault_pf_bounce() { fault_test p0 - l2 bounce; }
