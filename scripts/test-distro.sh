#!/usr/bin/env bash
# Builds vfpath in a chroot of another Debian release, with that release's DPDK, and (unless
# --build-only) runs the unit and integration suites there: the CI lanes of docs/dpdk-versions.md.
# Usage: scripts/test-distro.sh --release trixie|sid [--build-only | --prepare]   (as root)
#   --prepare: only make (or check) the chroot and install its packages, then stop: CI runs it
#   in the background while other passes run, so the lane itself only builds and tests.
#   trixie: Debian 13, DPDK 24.11; sid: Debian unstable, DPDK 25.11.
# The chroot is made once with mmdebstrap from deb.debian.org and kept in
# $VFPATH_CHROOT_CACHE/chroot-RELEASE (default /var/cache/vfpath); it is made again when
# `scripts/setup.sh --list-packages` names other packages than those it was made with. The
# source tree is copied in (rsync of what changed: the chroot's build directory stays and builds
# incrementally)
# and the chroot's own scripts/setup.sh installs the packages and builds, with -Dwerror (any
# compiler warning fails the lane), so setup.sh's release detection runs on that release too.
# ccache's directory is kept next to the chroot. /proc, /sys and /dev (with /dev/net/tun for
# net_tap and /dev/hugepages) come from the host and are unmounted on exit, even on failure.
# Everything the chroot prints is indented; the last line reads
# "RELEASE: N passed, N failed, N skipped" (--build-only: "RELEASE-build: ...", the build
# counting as one test).
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD

release="" build_only=0 prepare=0
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="${2:-}"; shift 2 || shift ;;
    --build-only) build_only=1; shift ;;
    --prepare) prepare=1; shift ;;
    *) echo "test-distro: unknown argument '$1' (--release trixie|sid [--build-only | --prepare])" >&2
       exit 2 ;;
  esac
done
case "$release" in
  trixie | sid) ;;
  *) echo "test-distro: --release must be trixie or sid, not '$release'" >&2; exit 2 ;;
esac
label=$release
[ "$build_only" = 1 ] && label="$release-build"

summary() { echo "$label: $1 passed, $2 failed, $3 skipped"; }
die() {
  echo "test-distro: $*" >&2
  summary 0 1 0
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mounts)"

cache=${VFPATH_CHROOT_CACHE:-/var/cache/vfpath}
root=$cache/chroot-$release
ccache_dir=$cache/ccache-$release
mkdir -p "$cache" "$ccache_dir" || die "cannot create $cache"

mounted=()  # mount points, in mounting order
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" ||
      echo "test-distro: warning: cannot unmount ${mounted[i]}" >&2
  done
  mounted=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM
mount_all() {
  mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/var/cache/ccache"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc") || return 1
  # rslave: unmounting the chroot's copies never unmounts the host's.
  mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" && mounted+=("$root/sys") ||
    return 1
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounted+=("$root/dev") ||
    return 1
  mount --bind "$ccache_dir" "$root/var/cache/ccache" && mounted+=("$root/var/cache/ccache")
}
# Nothing of the host may be mounted below the chroot when it is deleted.
remove_chroot() {
  if grep -q " $root/" /proc/mounts; then
    die "$root still has mounts (see /proc/mounts): not deleting it"
  fi
  rm -rf --one-file-system "$root"
}
in_chroot() {  # COMMAND (a bash command line, run in the copied source tree)
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb CCACHE_DIR=/var/cache/ccache \
    bash -c "cd /src/vfpath && $1" 2>&1 | sed -u 's/^/  /'
  return "${PIPESTATUS[0]}"
}
# Only files whose content changed are written, and they get the time of the copy, not the
# source's: a file edited before the chroot's last build would otherwise look older than it,
# and ninja would not rebuild (or re-run meson for) it.
copy_source() {
  mkdir -p "$root/src/vfpath"
  rsync -rlp --checksum --delete --exclude=/.git --exclude='/build*' "$src/" "$root/src/vfpath/"
}

start=$SECONDS
command -v mmdebstrap >/dev/null || {
  echo "test-distro: installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap ||
    die "cannot install mmdebstrap"
}
command -v rsync >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rsync ||
  die "cannot install rsync"

# The cached chroot is kept when the package list it was made with is still the one setup.sh
# names for that release.
how=cached
if [ -f "$root/.vfpath-packages" ]; then
  copy_source || die "cannot copy the source tree into $root"
  now=$(chroot "$root" bash /src/vfpath/scripts/setup.sh --list-packages 2>&1) ||
    die "setup.sh --list-packages failed in the $release chroot: $now"
  if [ "$now" != "$(cat "$root/.vfpath-packages")" ]; then
    echo "test-distro: the package list changed: making the $release chroot again"
    remove_chroot
  fi
elif [ -e "$root" ]; then
  echo "test-distro: $root is incomplete (no .vfpath-packages): making it again"
  remove_chroot
fi
if [ ! -e "$root" ]; then
  how=created
  echo "test-distro: making a $release chroot in $root (mmdebstrap)"
  rm -rf --one-file-system "$root.new"  # left by an interrupted run (nothing is mounted there)
  # --variant=apt: essential packages and apt; setup.sh installs the rest. ccache speeds up the
  # builds in it; rsync is not needed inside.
  # Check-Valid-Until: sid's Release file is valid for a week only, and apt refuses it once a
  # machine's clock is past that (seen here: "expired (invalid since 31d)"); kept in the chroot.
  mmdebstrap --variant=apt --include=ca-certificates,ccache --skip=cleanup/apt/lists \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    "$release" "$root.new" http://deb.debian.org/debian 2>&1 | tail -n 20 | sed 's/^/  /'
  [ "${PIPESTATUS[0]}" = 0 ] || { rm -rf --one-file-system "$root.new"; die "mmdebstrap failed"; }
  mv "$root.new" "$root"
  copy_source || die "cannot copy the source tree into $root"
fi
mount_all || die "cannot mount /proc, /sys, /dev or the ccache directory in $root"
ready=$SECONDS
echo "test-distro: $release chroot $how in $((ready - start))s;" \
     "DPDK $(chroot "$root" dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null || echo '(not yet installed)')"

# setup.sh installs what the release needs (all of it, in a new chroot), configures the build
# with -Dwerror and builds (--prepare: installs only).
if [ "$prepare" = 1 ]; then
  in_chroot "scripts/setup.sh --packages-only"
else
  in_chroot "scripts/setup.sh --werror"
fi
setup_rc=$?
built=$SECONDS
# A new chroot is complete once every package setup.sh names is installed, even when the build
# then failed: the next run keeps it.
if [ "$how" = created ]; then
  pkgs=$(chroot "$root" bash /src/vfpath/scripts/setup.sh --list-packages 2>/dev/null)
  # shellcheck disable=SC2086
  installed=$(chroot "$root" dpkg-query -W -f='${Status}\n' $pkgs 2>/dev/null |
              grep -c "install ok installed")
  if [ -n "$pkgs" ] && [ "$installed" = "$(echo "$pkgs" | wc -l)" ]; then
    echo "$pkgs" >"$root/.vfpath-packages"
  else
    echo "test-distro: not every package got installed: the chroot will be made again" >&2
  fi
fi
if [ "$prepare" = 1 ]; then
  if [ "$setup_rc" != 0 ]; then
    echo "test-distro: installing the $release packages failed (output above)" >&2
    exit 1
  fi
  echo "test-distro: $release chroot ready in $((SECONDS - start))s (packages installed; not built)"
  exit 0
fi
if [ "$setup_rc" != 0 ]; then
  echo "test-distro: setup or build failed in the $release chroot (output above)" >&2
  summary 0 1 0
  exit 1
fi
echo "test-distro: $release: DPDK $(chroot "$root" dpkg-query -W -f='${Version}' libdpdk-dev)," \
     "setup and build $((built - ready))s"
if [ "$build_only" = 1 ]; then
  summary 1 0 0
  exit 0
fi

out=$(mktemp)
in_chroot "scripts/test.sh" | tee "$out"
rc=${PIPESTATUS[0]}
last=$(grep -E '^  [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1)
rm -f "$out"
echo "test-distro: $release: tests $((SECONDS - built))s, total $((SECONDS - start))s"
if [ -z "$last" ]; then
  summary 0 1 0
  exit 1
fi
echo "$label: ${last#  }"
[ "$rc" = 0 ]
