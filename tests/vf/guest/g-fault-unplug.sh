# The VF disappears under vfpath: sriov_numvfs lowered (a real hot-unplug through vfio's device
# request), then the PF driver unbound and bound again. The operator then makes the VFs again;
# vfpath is not touched.
RATE=${VF_RATE:-2kpps}
guest_setup() { vf_topology; }
# The kernel's write waits (uninterruptibly) until every vfio user of the removed VFs lets go, so
# it runs in the background and is waited for with a bound.
bg_write() {  # VALUE FILE
  rm -f "$W/write.txt"
  ( sh -c "echo $1 > $2"; echo "write $1 > $2: exit $?" > "$W/write.txt" ) &
  WRITE_PID=$!
}
write_done() {  # [SECONDS]: 0 when the background write has returned
  local i
  for i in $(seq 1 $((${1:-20} * 2))); do [ -s "$W/write.txt" ] && return 0; sleep 0.5; done
  return 1
}
RESTORED=0 RELEASED=0
after_removal() {  # WHAT RESTORE_FUNCTION: the removal returned (vfpath let go), then restore
  RESTORED=0 RELEASED=0
  if write_done 20; then
    RELEASED=1
    say "$(cat "$W/write.txt") (vfpath let the VF go)"
    $2 && RESTORED=1
  else
    say "the $1 is still blocked after 20 s: a vfio user still holds a VF"
  fi
}
after_write() { after_removal "sriov_numvfs write" restore_topology_a; }
lower() { bg_write 0 "/sys/bus/pci/devices/$PF_A/sriov_numvfs"; }
t_fault_numvfs() {
  AFTER_FAULT=after_write fault_test p0 p1 io lower
  verdict released $((1 - RELEASED)) "the kernel's sriov_numvfs write $([ $RELEASED = 1 ] && echo returned within || echo was still blocked) 20 s after the outage: vfpath $([ $RELEASED = 1 ] && echo let || echo did not let) the VF go"
  # vfpath has exited now: the write completes, and the next test gets PF A's VFs back.
  [ $RESTORED = 1 ] || { write_done 30 && restore_topology_a; }
}

unbind_pf() { bg_write "$PF_A" /sys/bus/pci/drivers/igb/unbind; }
rebind_restore() {
  echo "$PF_A" > /sys/bus/pci/drivers/igb/bind
  for i in $(seq 1 20); do [ -n "$(pf_netdev "$PF_A")" ] && break; sleep 0.5; done
  NET_A=$(pf_netdev "$PF_A")
  restore_topology_a
}
after_unbind() { after_removal "igb unbind" rebind_restore; }
t_fault_pf_rebind() {
  AFTER_FAULT=after_unbind fault_test p0 p1 io unbind_pf
  verdict released $((1 - RELEASED)) "the igb unbind $([ $RELEASED = 1 ] && echo returned within || echo was still blocked) 20 s after the outage: vfpath $([ $RELEASED = 1 ] && echo let || echo did not let) the VF go"
  [ $RESTORED = 1 ] || { write_done 30 && rebind_restore; }
}
