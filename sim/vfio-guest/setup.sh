#!/usr/bin/env bash
# Tools for `make test-vfio`, cached under $1 (build/vfio): QEMU >= 10.1 (its vfio-user-pci
# client; Debian 12 ships 7.2) from trixie-backports in a debootstrap chroot, and the guest's
# kernel and busybox from Debian trixie. Each step runs once; delete the folder to redo.
set -euo pipefail
out=$(realpath -m "$1")
root=$out/chroot
mirror=http://deb.debian.org/debian
mkdir -p "$out"

step() { echo "== setup: $*"; }

missing=()
for tool in debootstrap cpio; do command -v $tool >/dev/null || missing+=($tool); done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (Debian packages)"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -e "$root/.base" ]; then
  step "debootstrap trixie into $root (a few minutes, once)"
  rm -rf "$root"
  debootstrap --variant=minbase trixie "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    { tail -20 "$out/debootstrap.log"; exit 1; }
  touch "$root/.base"
fi

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

if [ ! -e "$root/.qemu" ]; then
  step "QEMU from trixie-backports into the chroot (once)"
  echo "deb $mirror trixie-backports main" >"$root/etc/apt/sources.list.d/backports.list"
  in_root apt-get update -qq
  in_root apt-get install -y -qq --no-install-recommends -t trixie-backports \
    qemu-system-x86 >"$out/qemu-install.log" 2>&1 || { tail -20 "$out/qemu-install.log"; exit 1; }
  touch "$root/.qemu"
fi

if [ ! -e "$out/.guest" ]; then
  step "guest kernel (Debian linux-image-amd64) and busybox-static (once)"
  rm -rf "$out/debs" "$out/kernel"
  mkdir -p "$root/debs"
  in_root sh -c 'cd /debs && apt-get download -qq busybox-static $(apt-cache depends linux-image-amd64 | sed -n "s/.*Depends: \(linux-image-[0-9].*\)/\1/p" | head -1)'
  mv "$root/debs" "$out/debs"
  mkdir -p "$out/kernel"
  for d in "$out"/debs/*.deb; do dpkg-deb -x "$d" "$out/kernel"; done
  touch "$out/.guest"
fi

qemu_version=$(in_root qemu-system-x86_64 --version | head -1)
step "ready: $qemu_version; kernel $(ls "$out"/kernel/boot/vmlinuz-* | xargs -n1 basename)"
