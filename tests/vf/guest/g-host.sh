# Host tools on a real PF driver (igb) and real VFs: list, create-vfs, set-vf, bind/unbind/restore,
# check. Every change is verified through the kernel's own view (sysfs, `ip link show`).
numvfs() { cat "/sys/bus/pci/devices/$1/sriov_numvfs"; }
virtfns() { ls -d "/sys/bus/pci/devices/$1"/virtfn* 2>/dev/null | wc -l; }

ensure_vfs() {  # PF N: exactly N VFs (a precondition, written straight to sysfs)
  [ "$(numvfs "$1")" = "$2" ] && return
  echo 0 > "/sys/bus/pci/devices/$1/sriov_numvfs"
  echo "$2" > "/sys/bus/pci/devices/$1/sriov_numvfs" || setup_error "sriov_numvfs $2 on $1"
}
ensure_vfio() {  # BDF: on vfio-pci (a precondition)
  [ "$(driver_of "$1")" = vfio-pci ] && return
  "$VFPATH" host bind "$1" >>"$W/precondition.txt" 2>&1 || setup_error "host bind $1: $(tail -1 "$W/precondition.txt")"
}

t_host_create_vfs() {
  echo 0 > "/sys/bus/pci/devices/$PF_A/sriov_numvfs"
  "$VFPATH" host create-vfs "$PF_A" --count 4 --no-autoprobe >"$W/c1.txt" 2>&1; rc=$?
  verdict create-0-to-4 $([ $rc = 0 ] && [ "$(numvfs "$PF_A")" = 4 ] && [ "$(virtfns "$PF_A")" = 4 ]; echo $?) \
    "exit $rc, sriov_numvfs $(numvfs "$PF_A"), $(virtfns "$PF_A") virtfn links"
  before=$(stat -c %Z "/sys/bus/pci/devices/$(vf_bdf "$PF_A" 0)")
  "$VFPATH" host create-vfs "$PF_A" --count 4 --no-autoprobe >"$W/c2.txt" 2>&1; rc=$?
  verdict idempotent $([ $rc = 0 ] && [ "$(numvfs "$PF_A")" = 4 ] && ! grep -q "^write '0'" "$W/c2.txt"; echo $?) \
    "second run: exit $rc, sriov_numvfs $(numvfs "$PF_A"), wrote: $(grep -c '^write' "$W/c2.txt") sysfs values"
  VF0=$(vf_bdf "$PF_A" 0)
  "$VFPATH" host bind "$VF0" >"$W/bind.txt" 2>&1 || setup_error "host bind $VF0: $(tail -1 "$W/bind.txt")"
  "$VFPATH" host create-vfs "$PF_A" --count 2 >"$W/c3.txt" 2>&1; rc=$?
  verdict lower-refused-while-bound $([ $rc = 3 ] && [ "$(numvfs "$PF_A")" = 4 ] && grep -q refused "$W/c3.txt"; echo $?) \
    "exit $rc (3 expected), sriov_numvfs $(numvfs "$PF_A"): $(grep -m1 refused "$W/c3.txt")"
  [ "$(driver_of "$VF0")" = vfio-pci ]; verdict vf-still-bound $? "VF0 driver $(driver_of "$VF0")"
}

t_host_list() {
  ensure_vfs "$PF_B" 2
  "$VFPATH" host list --json >"$W/list.json" 2>"$W/list.err"; rc=$?
  "$VFPATH" host list >"$W/list.txt" 2>&1
  verdict exit-0 $([ $rc = 0 ]; echo $?) "exit $rc $(head -c 200 "$W/list.err")"
  python3 - "$W/list.json" "$PF_A" "$PF_B" <<'PY' > "$W/check.txt"
import json, os, sys
j = json.load(open(sys.argv[1]))
pfs = {p["bdf"]: p for p in j["pfs"]}
def say(name, ok, detail): print(f"{name} {0 if ok else 1} {detail}")
say("both-pfs", set(sys.argv[2:4]) <= set(pfs), f"pfs listed: {sorted(pfs)}")
for bdf in sys.argv[2:4]:
    p = pfs.get(bdf, {})
    d = f"/sys/bus/pci/devices/{bdf}"
    vfs = sorted(os.path.basename(os.readlink(f"{d}/{l}")) for l in os.listdir(d) if l.startswith("virtfn"))
    got = sorted(v["bdf"] for v in p.get("vfs", []))
    say(f"pf-{bdf}", p.get("driver") == "igb" and p.get("total_vfs") == 7 and p.get("num_vfs") == len(vfs),
        f"driver {p.get('driver')} total_vfs {p.get('total_vfs')} num_vfs {p.get('num_vfs')} (sysfs {len(vfs)})")
    say(f"vfs-{bdf}", got == vfs, f"listed {got}, sysfs {vfs}")
    ok = True; bad = []
    for v in p.get("vfs", []):
        vd = f"/sys/bus/pci/devices/{v['bdf']}"
        grp = int(os.path.basename(os.readlink(f"{vd}/iommu_group")))
        drv = os.path.basename(os.readlink(f"{vd}/driver")) if os.path.exists(f"{vd}/driver") else None
        if v.get("iommu_group") != grp or v.get("driver") != drv:
            ok = False; bad.append(f"{v['bdf']}: group {v.get('iommu_group')}/{grp} driver {v.get('driver')}/{drv}")
    say(f"vf-groups-drivers-{bdf}", ok, "; ".join(bad) or "iommu groups and drivers match sysfs")
    ids = json.dumps(p)
    say(f"pci-ids-{bdf}", "8086:10c9" in ids and "8086:10ca" in ids,
        "vendor:device ids 8086:10c9 (PF) and 8086:10ca (VF) in the JSON")
PY
  while read -r name ok detail; do verdict "$name" "$ok" "$detail"; done < "$W/check.txt"
  grep -q "8086:10ca" "$W/list.txt"; verdict pci-ids-text $? "8086:10ca in the text listing"
}

t_host_set_vf() {
  ensure_vfs "$PF_A" 4
  VF2=2   # PF A's VF 2 (driverless)
  show() { ip link show "$NET_A" | grep "vf $VF2 "; }
  setvf() {  # NAME EXPECT_IN_IP_LINK ARGS...
    local name=$1 want=$2; shift 2
    "$VFPATH" host set-vf "$PF_A" $VF2 "$@" >"$W/$name.txt" 2>&1; local rc=$?
    show | grep -q -- "$want"
    verdict "$name" $([ $rc = 0 ] && show | grep -q -- "$want"; echo $?) \
      "exit $rc; ip link: $(show | sed 's/^ *//')"
  }
  setvf mac "link/ether 02:00:00:00:00:c3" --mac 02:00:00:00:00:c3
  setvf vlan-qos "vlan 100, qos 3" --vlan 100 --qos 3
  setvf trust "trust on" --trust on
  setvf spoofchk "spoof checking off" --spoofchk off
  setvf max-rate "max_tx_rate 100Mbps" --max-rate 100
}

t_host_bind() {
  ensure_vfs "$PF_A" 4; ensure_vfio "$(vf_bdf "$PF_A" 0)"; ensure_vfs "$PF_B" 2
  # A PF whose interface is up with routes is refused without --force (its VFs have no driver yet).
  ip addr add 192.0.2.1/24 dev "$NET_B"
  "$VFPATH" host bind "$PF_B" >"$W/pf-bind.txt" 2>&1; rc=$?
  verdict pf-with-routes-refused $([ $rc = 3 ] && [ "$(driver_of "$PF_B")" = igb ] && grep -q route "$W/pf-bind.txt"; echo $?) \
    "exit $rc, PF driver $(driver_of "$PF_B"): $(grep -m1 refused "$W/pf-bind.txt")"
  ip addr del 192.0.2.1/24 dev "$NET_B"
  # Safety on the real PF: its VF0 is on vfio-pci, so unbinding the PF is refused, even with --force.
  "$VFPATH" host unbind "$PF_A" --force >"$W/pf-unbind.txt" 2>&1; rc=$?
  verdict pf-unbind-refused $([ $rc = 3 ] && [ "$(driver_of "$PF_A")" = igb ]; echo $?) \
    "exit $rc, PF driver $(driver_of "$PF_A"): $(grep -m1 refused "$W/pf-unbind.txt")"
  # PF B's VFs probe with igbvf when it loads (autoprobe is on there): bind one to vfio-pci and back.
  modload igbvf
  VF=$(vf_bdf "$PF_B" 1)
  for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(driver_of "$VF")" = igbvf ] && break; sleep 0.5; done
  orig=$(driver_of "$VF")
  [ "$orig" = igbvf ] || setup_error "$VF did not probe with igbvf (driver: $orig)"
  "$VFPATH" host bind "$VF" >"$W/bind.txt" 2>&1; rc=$?
  verdict bind $([ $rc = 0 ] && [ "$(driver_of "$VF")" = vfio-pci ]; echo $?) "exit $rc, driver $(driver_of "$VF")"
  "$VFPATH" host unbind "$VF" >"$W/unbind.txt" 2>&1; rc=$?
  verdict unbind $([ $rc = 0 ] && [ "$(driver_of "$VF")" = none ]; echo $?) "exit $rc, driver $(driver_of "$VF")"
  "$VFPATH" host restore "$VF" >"$W/restore.txt" 2>&1; rc=$?
  verdict restore $([ $rc = 0 ] && [ "$(driver_of "$VF")" = igbvf ]; echo $?) "exit $rc, driver $(driver_of "$VF") (was $orig)"
  "$VFPATH" host restore "$VF" >"$W/restore2.txt" 2>&1; rc=$?
  verdict restore-twice-refused $([ $rc = 3 ]; echo $?) "exit $rc: $(grep -m1 refused "$W/restore2.txt")"
}

t_check() {
  ensure_vfs "$PF_A" 4; ensure_vfs "$PF_B" 2
  P0=$(vf_bdf "$PF_A" 0) P1=$(vf_bdf "$PF_B" 0)
  ensure_vfio "$P0"; ensure_vfio "$P1"
  cat > "$W/job.yaml" <<YAML
eal: {lcores: "0,1", main_lcore: 0, memory_mb: 128, hugepages: true}
ports:
  - {name: p0, device: "$P0"}
  - {name: p1, device: "$P1"}
forward: {mode: io}
YAML
  "$VFPATH" check -c "$W/job.yaml" --json >"$W/check.json" 2>"$W/check.err"; rc=$?
  "$VFPATH" check -c "$W/job.yaml" >"$W/check.txt" 2>&1
  verdict exit-0 $([ $rc = 0 ]; echo $?) "exit $rc; $(grep -E '^(error|warning)' "$W/check.txt" | head -3 | tr '\n' ' ')"
  ok=$(json "$W/check.json" 'j["ok"] and sorted(p["device"] for p in j["numa"]) == sorted(["'$P0'", "'$P1'"])')
  verdict plan-ports $([ "$ok" = True ]; echo $?) "ok and both VFs judged: $ok"
  # The same VF on its kernel driver is an error.
  "$VFPATH" host restore "$P1" >/dev/null 2>&1
  "$VFPATH" check -c "$W/job.yaml" >"$W/check-unbound.txt" 2>&1; rc=$?
  verdict kernel-driver-vf-error $([ $rc = 1 ] && grep -q 'port\.driver' "$W/check-unbound.txt"; echo $?) \
    "after restore to $(driver_of "$P1"): exit $rc: $(grep -m1 'port\.' "$W/check-unbound.txt")"
}
