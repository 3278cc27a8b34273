#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# intree.sh KSRC SRC OUT: drop the project into drivers/hv/mshv-root of a
# copy of the (already built) kernel tree KSRC, enable it through Kconfig
# and build it there with W=1, so that the in-tree Kconfig/Kbuild path keeps
# working.  OUT is scratch space (the copy of KSRC goes there).
set -euo pipefail

ksrc=$1 src=$2 out=$3
tree=$out/linux
dest=$tree/drivers/hv/mshv-root

rm -rf "$tree"
mkdir -p "$out"
cp -a "$ksrc" "$tree"
mkdir -p "$dest"
# Only what belongs in a kernel tree: the driver, hvsim, KUnit suites.
(cd "$src" && git ls-files -co --exclude-standard -- \
	Kconfig Kbuild '*.c' '*.h' hvsim/Kbuild kunit uapi |
	grep -v -e '^selftests/' -e '^demo/' -e '^bench/' -e '^hvsim/user/' |
	cpio -pdm --quiet "$dest")

echo 'source "drivers/hv/mshv-root/Kconfig"' >>"$tree/drivers/hv/Kconfig"
echo 'obj-y += mshv-root/' >>"$tree/drivers/hv/Makefile"

cd "$tree"
./scripts/config -m MSHV_ROOT -m MSHV_HVSIM -e MSHV_ROOT_KUNIT_TEST
make olddefconfig >/dev/null
for sym in MSHV_ROOT=m MSHV_HVSIM=m MSHV_ROOT_KUNIT_TEST=y; do
	if ! grep -qx "CONFIG_$sym" .config; then
		echo "Kconfig did not give CONFIG_$sym" >&2
		exit 1
	fi
done
make -j"$(nproc)" W=1 drivers/hv/mshv-root/ 2>&1 | tee "$out/build.log"
make -j"$(nproc)" modules 2>&1 | tee -a "$out/build.log" >/dev/null
# Judge our files only: the rest of the kernel is not ours to fix
if grep 'warning:' "$out/build.log" | grep -q 'mshv-root/'; then
	echo "in-tree build: compiler warnings" >&2
	exit 1
fi
for ko in mshv_root.ko hvsim/hvsim.ko; do
	[[ -f $dest/$ko ]] || { echo "in-tree build: $ko missing" >&2; exit 1; }
done
rm -rf "$tree"
echo "in-tree build: ok"
