#!/usr/bin/env bash
# Installs what vfpath needs to build, test and benchmark on Debian 12 (bookworm, DPDK 22.11),
# Debian 13 (trixie, DPDK 24.11) or sid (DPDK 25.11) (run as root), then configures the build
# directory and builds. Idempotent: installs only what is missing. docs/dpdk-versions.md.
# Usage: scripts/setup.sh [--hugepages N]   (N 2 MiB hugepages; the default job needs none)
#        scripts/setup.sh --werror         (the build fails on any compiler warning: CI lanes)
#        scripts/setup.sh --list-packages   (what this release needs; installs nothing)
#        scripts/setup.sh --packages-only   (installs what is missing; configures and builds nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

# The release decides the DPDK ABI, and so the names of the PMD packages (librte-net-tap23 in
# 22.11, librte-net-tap25 in 24.11, librte-net-tap26 in 25.11). The PMDs are plugins EAL loads
# from its driver directory: nothing links them, so they are named here.
codename=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
case "$codename" in
  bookworm) abi=23 ;;
  trixie) abi=25 ;;
  *)  # sid/forky and later: the ABI that the release's libdpdk-dev is built on.
    eal_abi() {
      apt-cache depends libdpdk-dev 2>/dev/null |
        sed -n 's/.*Depends: librte-eal\([0-9]*\)$/\1/p' | head -n1
    }
    abi=$(eal_abi)
    if [ -z "$abi" ] && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && abi=$(eal_abi)
    fi
    if [ -z "$abi" ]; then
      echo "setup: cannot tell which DPDK this system has: release '${codename:-unknown}'" \
           "(/etc/os-release) is not bookworm or trixie, and apt knows no libdpdk-dev" \
           "(run apt-get update?). Supported: Debian 12, Debian 13, sid." >&2
      exit 1
    fi ;;
esac
# Which PMDs vfpath and its tests use: vdevs (null, ring, tap, pcap, memif) and the SR-IOV
# drivers (ixgbe, i40e PFs; iavf VFs), with the vdev bus and the ring mempool driver.
PMDS=()
for d in bus-vdev bus-pci mempool-ring net-null net-ring net-tap net-pcap net-memif net-ixgbe \
         net-i40e net-iavf; do
  PMDS+=("librte-$d$abi")
done

PKGS=(build-essential meson ninja-build pkg-config python3
      dpdk dpdk-dev libdpdk-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libnuma-dev
      libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev libpcap-dev
      libmnl-dev iproute2 python3-matplotlib
      # /metrics server; promtool (prometheus: ~19 MB download, ~96 MB installed, ~15 s) checks it
      libcivetweb-dev prometheus)

# Packet capture test (tshark reads dpdk-dumpcap's files); deploy/ test (python3-yaml).
PKGS+=(tshark python3-yaml)
PKGS+=("${PMDS[@]}")
if [ "${1:-}" = "--list-packages" ]; then
  printf '%s\n' "${PKGS[@]}"
  exit 0
fi
echo "setup: Debian ${codename:-unknown}, DPDK ABI $abi (librte-*$abi packages)"
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark's wireshark-common asks whether non-root users may capture; answer before installing.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Only promtool is wanted from the prometheus package: do not leave its server running (it
  # listens on :9090 on every interface) on a machine where the package starts it.
  if printf '%s\n' "${missing[@]}" | grep -qx prometheus && command -v systemctl >/dev/null; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

if [ "${1:-}" = "--packages-only" ]; then
  exit 0
fi

if [ "${1:-}" = "--hugepages" ]; then
  n="${2:?--hugepages needs a count}"
  # Only ever raise the count: other DPDK processes on this machine may hold what is reserved.
  # A machine that refuses (a container without the privilege) is reported, not fatal: the
  # tests that need hugepages say why they are skipped.
  if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$n" ]; then
    echo "$n" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
  fi
  mkdir -p /dev/hugepages 2>/dev/null || true
  mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null ||
    echo "setup: warning: could not mount hugetlbfs on /dev/hugepages"
  echo "setup: $(cat /proc/sys/vm/nr_hugepages) hugepages of 2 MiB reserved," \
       "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo) free"
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
if [ "${1:-}" = "--werror" ]; then
  meson configure build -Dwerror=true >/dev/null
fi
ninja -C build
