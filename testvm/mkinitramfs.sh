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

# copy_files DIR DEST [exec]: DIR's regular files (only the executable
# ones with "exec") into DEST; nothing when DIR is empty or missing
copy_files() {
	local f
	[[ -n $1 && -d $1 ]] || return 0
	mkdir -p "$2"
	for f in "$1"/*; do
		[[ -f $f ]] || continue
		[[ -z ${3:-} || -x $f ]] && cp "$f" "$2/"
	done
	return 0
}

shopt -s nullglob
for f in "$modules"/*.ko; do
	cp "$f" "$stage/modules/"
done
copy_files "$selftests" "$stage/selftests" exec
copy_files "$demo" "$stage/demo"
copy_files "$bench" "$stage/bench" exec

if [[ -n $qemu_images && -d $qemu_images ]]; then
	copy_files "$qemu_images" "$stage/qemu/images"
	install -m 0755 "$HERE/qemu-mshv.sh" "$stage/qemu/qemu-mshv.sh"
	install -m 0644 "$HERE/qemu-lib.sh" "$stage/qemu/qemu-lib.sh"
fi

if [[ -n $linux_guest && -d $linux_guest ]]; then
	copy_files "$linux_guest" "$stage/linux-guest"
	install -m 0755 "$HERE/linux-guest.sh" "$stage/linux-guest/linux-guest.sh"
	install -m 0644 "$HERE/qemu-lib.sh" "$stage/linux-guest/qemu-lib.sh"
fi

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
