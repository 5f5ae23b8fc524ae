# The VF disappears under vfpath: sriov_numvfs lowered (a real hot-unplug through vfio's device
# request), then the PF driver unbound and bound again. The operator then makes the VFs again;
# vfpath is not touched.
RATE=${VF_RATE:-2kpps}
vf_topology
bg_write() {  # VALUE FILE: in the background, bounded; the kernel waits for vfio users to let go
  ( timeout 30 sh -c "echo $1 > $2"; echo "write $1 > $2: exit $?" > "$W/write.txt" ) &
  WRITE_PID=$!
}
lower() { bg_write 0 "/sys/bus/pci/devices/$PF_A/sriov_numvfs"; }
after_write() { wait $WRITE_PID; say "$(cat "$W/write.txt")"; restore_topology_a; }
begin fault-numvfs
AFTER_FAULT=after_write fault_test p0 p1 io lower

begin fault-pf-rebind
unbind_pf() { bg_write "$PF_A" /sys/bus/pci/drivers/igb/unbind; }
after_unbind() {
  wait $WRITE_PID; say "$(cat "$W/write.txt")"
  echo "$PF_A" > /sys/bus/pci/drivers/igb/bind
  for i in $(seq 1 20); do [ -n "$(pf_netdev "$PF_A")" ] && break; sleep 0.5; done
  NET_A=$(pf_netdev "$PF_A")
  restore_topology_a
}
AFTER_FAULT=after_unbind fault_test p0 p1 io unbind_pf
