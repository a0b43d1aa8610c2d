#!/usr/bin/env bash
# `make test-vfio`: a Linux guest under QEMU (TCG) with an emulated Intel IOMMU, the simulated
# card attached as vfio-user-pci to card-server on this host. Inside, a static `msm` binds the
# card to vfio-pci and drives it through the VfioPci transport (see the guest's init).
# Usage: run.sh BUILD_DIR CARD_SERVER MSM_STATIC
set -euo pipefail
out=$(realpath -m "$1"); server=$(realpath "$2"); msm=$(realpath "$3")
here=$(dirname "$(realpath "$0")")
root=$out/chroot
kernel_tree=$out/kernel
log=$out/guest.log
step() { echo "== test-vfio: $*"; }

step "initramfs: busybox, vfio modules, the static msm, init"
ird=$out/initramfs
rm -rf "$ird" && mkdir -p "$ird"/{bin,etc,lib/modules,proc,sys,dev,tmp}
printf 'root:x:0:0::/:/bin/sh\nuser:x:1000:1000::/:/bin/sh\n' >"$ird/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$ird/etc/group"
bb=$(mktemp -d) && dpkg-deb -x "$out"/debs/busybox-static_*.deb "$bb"
cp "$bb/usr/bin/busybox" "$ird/bin/" && rm -rf "$bb"
for a in $("$ird/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$ird/bin/$a"; done
mods=$(echo "$kernel_tree"/usr/lib/modules/*/kernel)
for m in virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_iommu_type1 \
         drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci; do
  xz -dc "$mods/$m.ko.xz" >"$ird/lib/modules/$(basename $m).ko"
done
cp "$msm" "$ird/bin/msm"
cp "$here/init" "$ird/init" && chmod +x "$ird/init"
mkdir -p "$root/guest"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$root/guest/initramfs.gz"
cp "$kernel_tree"/boot/vmlinuz-* "$root/guest/vmlinuz"

sock=$root/tmp/card.sock
rm -f "$sock"
step "card-server on $sock"
"$server" --socket "$sock" 2>"$out/card-server.log" &
server_pid=$!
mounted=()
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
for m in dev proc sys; do mount --bind /$m "$root/$m" && mounted+=("$root/$m"); done
while [ ! -S "$sock" ]; do sleep 0.1; done

step "booting the guest (QEMU TCG, intel-iommu, vfio-user-pci); its console follows"
start=$(date +%s)
timeout 1500 chroot "$root" /usr/bin/qemu-system-x86_64 \
  -machine q35,memory-backend=ram -accel tcg -cpu max -smp 2 -m 1G \
  -object memory-backend-memfd,id=ram,size=1G,share=on \
  -device intel-iommu,intremap=on,caching-mode=on \
  -device '{"driver":"vfio-user-pci","socket":{"path":"/tmp/card.sock","type":"unix"}}' \
  -kernel /guest/vmlinuz -initrd /guest/initramfs.gz \
  -append "console=ttyS0 intel_iommu=on iommu.strict=1 panic=-1 quiet loglevel=4" \
  -nographic -no-reboot -serial mon:stdio </dev/null | tee "$log" || true
took=$(( $(date +%s) - start ))

ok=1
for want in "bound to no driver, not vfio-pci" "no PCI device 0000:00:1f.7" "is not our card" \
            "driver vfio-pci" "permission denied: opening /dev/vfio/" "BAR0 id 0x314d534d" \
            "bases loaded by DMA" "equals the CPU's" "blocked: the card reported DmaWrite" \
            "blocked: the card reported DmaRead" "card reset" "all backends agree" "guest: PASS"; do
  grep -q "$want" "$log" || { echo "== test-vfio: missing from the guest's output: $want"; ok=0; }
done
if [ $ok = 1 ]; then
  echo "== test-vfio: PASS (guest run ${took}s)"
else
  echo "== test-vfio: FAIL (guest run ${took}s; console in $log, server in $out/card-server.log)"
  exit 1
fi
