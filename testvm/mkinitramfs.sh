#!/usr/bin/env bash
# Build the test VM's initramfs (gzip'ed newc cpio).
#   mkinitramfs.sh OUT.cpio.gz MODULES_DIR SELFTESTS_DIR DEMO_DIR [BENCH_DIR [QEMU_IMAGES_DIR [LINUX_GUEST_DIR]]]
# MODULES_DIR: *.ko for the target kernel (copied to /modules/)
# SELFTESTS_DIR: static test binaries (/selftests/), may be empty/missing
# DEMO_DIR: mshv_demo + hello.bin (/demo/), may be empty/missing
# BENCH_DIR: static benchmark binaries (/bench/), optional
# QEMU_IMAGES_DIR: guest images of the QEMU cases (testvm/qemu-fw), copied
#   to /qemu/images/ with testvm/qemu-mshv.sh as /qemu/qemu-mshv.sh (and
#   the testvm/qemu-lib.sh it sources beside it); optional
# LINUX_GUEST_DIR: the Linux guest of `make linux-guest` (vmlinux,
#   initrd.cpio.gz, System.map, release), copied to /linux-guest/ with
#   testvm/linux-guest.sh and testvm/qemu-lib.sh; optional
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: mkinitramfs.sh OUT MODULES_DIR SELFTESTS_DIR DEMO_DIR}
modules=${2:?missing MODULES_DIR}
selftests=${3:-}
demo=${4:-}
bench=${5:-}
qemu_images=${6:-}
linux_guest=${7:-}

busybox=$(command -v busybox || true)
[[ -n $busybox ]] || { echo "mkinitramfs.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ! file_out=$(LC_ALL=C readelf -d "$busybox" 2>&1) || grep -q NEEDED <<<"$file_out"; then
	echo "mkinitramfs.sh: $busybox is not statically linked (install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,modules,selftests,demo,bench,root,etc}
cp "$busybox" "$stage/bin/busybox"
while IFS= read -r applet; do
	[[ $applet == bin/busybox ]] && continue
	[[ -e $stage/$applet ]] || ln -s /bin/busybox "$stage/$applet"
done < <("$busybox" --list-full)
install -m 0755 "$HERE/init" "$stage/init"
install -m 0755 "$HERE/dkms-vm.sh" "$stage/dkms-vm.sh"

shopt -s nullglob
for f in "$modules"/*.ko; do
	cp "$f" "$stage/modules/"
done
if [[ -n $selftests && -d $selftests ]]; then
	for f in "$selftests"/*; do
		[[ -f $f && -x $f ]] && cp "$f" "$stage/selftests/"
	done
fi
if [[ -n $demo && -d $demo ]]; then
	for f in "$demo"/*; do
		[[ -f $f ]] && cp "$f" "$stage/demo/"
	done
fi
if [[ -n $bench && -d $bench ]]; then
	for f in "$bench"/*; do
		[[ -f $f && -x $f ]] && cp "$f" "$stage/bench/"
	done
fi

if [[ -n $qemu_images && -d $qemu_images ]]; then
	mkdir -p "$stage/qemu/images"
	install -m 0755 "$HERE/qemu-mshv.sh" "$stage/qemu/qemu-mshv.sh"
	install -m 0644 "$HERE/qemu-lib.sh" "$stage/qemu/qemu-lib.sh"
	for f in "$qemu_images"/*; do
		[[ -f $f ]] && cp "$f" "$stage/qemu/images/"
	done
fi

if [[ -n $linux_guest && -d $linux_guest ]]; then
	mkdir -p "$stage/linux-guest"
	install -m 0755 "$HERE/linux-guest.sh" "$stage/linux-guest/linux-guest.sh"
	install -m 0644 "$HERE/qemu-lib.sh" "$stage/linux-guest/qemu-lib.sh"
	for f in "$linux_guest"/*; do
		[[ -f $f ]] && cp "$f" "$stage/linux-guest/"
	done
fi

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
