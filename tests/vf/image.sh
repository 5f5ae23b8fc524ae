#!/usr/bin/env bash
# Builds (or reuses) what the VF lane boots: a Debian backports kernel, extracted and never
# installed on this host, and a busybox initramfs whose /init mounts this host's root read-only
# over virtio-9p and runs one guest test in a chroot of it. The guest thus uses this host's own
# vfpath build, DPDK libraries, iproute2 and python3 unchanged.
# Usage: tests/vf/image.sh CACHE_DIR   -> prints "KERNEL INITRD MODULES_ROOT" on its last line.
# Rebuilt when an input changes: the kernel package version, this script, tests/vf/init.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: image.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
export DEBIAN_FRONTEND=noninteractive

log() { echo "vf-image: $*" >&2; }

# --- Packages (Debian only). QEMU's igb device needs QEMU >= 8.0: bookworm-backports has 10.0.
backports_list=/etc/apt/sources.list.d/vfpath-bookworm-backports.sources
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = bookworm ] &&
   ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  log "adding bookworm-backports ($mirror) to $backports_list"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" > "$backports_list"
  apt-get update -qq
fi
need=()
qemu_ok() {
  command -v qemu-system-x86_64 >/dev/null &&
    qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}
qemu_ok || need+=(qemu-system-x86)
for p in busybox-static kmod xz-utils cpio; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  target=()
  [ "${VERSION_CODENAME:-}" = bookworm ] && target=(-t bookworm-backports)
  apt-get install -y -qq --no-install-recommends "${target[@]}" "${need[@]}" >&2
  qemu_ok || { log "error: qemu-system-x86_64 has no igb device after install"; exit 1; }
fi

# --- Kernel: the version bookworm-backports' linux-image-amd64 points to (the host's own
# release on later Debian releases).
pick_kernel() {
  local t=()
  [ "${VERSION_CODENAME:-}" = bookworm ] && t=(-t bookworm-backports)
  apt-cache depends "${t[@]}" linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
pkg=$(pick_kernel)
if [ -z "$pkg" ]; then apt-get update -qq; pkg=$(pick_kernel); fi
[ -n "$pkg" ] || { log "error: no linux-image package found"; exit 1; }
kdir=$cache/kernel-$pkg
if [ ! -f "$kdir/.done" ]; then
  log "fetching $pkg (extracted into $kdir, not installed)"
  rm -rf "$kdir" "$cache/dl"; mkdir -p "$kdir" "$cache/dl"
  (cd "$cache/dl" && apt-get download "${pkg}" >&2 2>/dev/null) ||
    { [ "${VERSION_CODENAME:-}" = bookworm ] &&
      (cd "$cache/dl" && apt-get download -t bookworm-backports "$pkg" >&2); }
  dpkg-deb -x "$cache"/dl/*.deb "$kdir"
  rm -rf "$cache/dl"
  kver=$(ls "$kdir/lib/modules")
  depmod -b "$kdir" "$kver"
  touch "$kdir/.done"
fi
kver=$(ls "$kdir/lib/modules")
kernel=$kdir/boot/vmlinuz-$kver

# --- Initramfs: busybox, the 9p modules (decompressed: busybox insmod reads plain ELF) and /init.
sum=$( (echo "$pkg"; cat "$0" "$here/init") | sha256sum | cut -c1-16)
initrd=$cache/initrd-$sum.cpio.gz
if [ ! -f "$initrd" ]; then
  log "building $initrd"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,sbin,proc,sys,dev,host,mod}
  cp /bin/busybox "$root/bin/busybox"
  for a in sh mount umount insmod mkdir cat echo sleep poweroff chroot ls; do
    ln -s busybox "$root/bin/$a"
  done
  for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
    f=$kdir/lib/modules/$kver/kernel/$m.ko
    if [ -f "$f.xz" ]; then xz -dc "$f.xz" > "$root/mod/$(basename "$m").ko"
    elif [ -f "$f" ]; then cp "$f" "$root/mod/"
    elif ! grep -q "/$(basename "$m").ko" "$kdir/lib/modules/$kver/modules.builtin"; then
      log "error: module $m not in $pkg"; exit 1
    fi
  done
  install -m 0755 "$here/init" "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  # Older images of other inputs are of no further use.
  find "$cache" -maxdepth 1 -name 'initrd-*.cpio.gz' ! -name "$(basename "$initrd")" -delete
fi
echo "$kernel $initrd $kdir"
