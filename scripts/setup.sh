#!/usr/bin/env bash
# Installs what vfpath needs to build, test and benchmark on Debian 12 (run as root), then
# configures the build directory. Idempotent: installs only what is missing.
# Usage: scripts/setup.sh [--hugepages N]   (N 2 MiB hugepages; the default job needs none)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential meson ninja-build pkg-config python3
      dpdk dpdk-dev libdpdk-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libnuma-dev
      libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev libpcap-dev
      libmnl-dev iproute2 python3-matplotlib
      # /metrics server; promtool (prometheus: ~19 MB download, ~96 MB installed, ~15 s) checks it
      libcivetweb-dev prometheus)

# Packet capture test (tshark reads dpdk-dumpcap's files); deploy/ test (python3-yaml).
PKGS+=(tshark python3-yaml)
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
ninja -C build
