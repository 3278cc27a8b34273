#!/bin/sh
# The VM half of the DKMS test (testvm/dkms.sh), run by /init in
# mshvtest.mode=dkms (busybox sh). The host shares, read-only over
# virtio-9p with mount tag "dkmsroot", the Debian 12 root filesystem that
# mshv-root-dkms was installed into; this script chroots into it and uses
# what the package installed, with that system's own tools:
#
#   1. starts its systemd-udevd (the rules of the package and of udev),
#   2. "modprobe mshv_root" with its kmod, which finds the modules DKMS
#      built for this kernel (/lib/modules/$(uname -r)/updates/dkms) and
#      loads hvsim first (the package's modprobe configuration),
#   3. checks the mode and group udev gave /dev/mshv,
#   4. runs the demo guest (/demo) as an unprivileged user: once with the
#      group of /dev/mshv (it must run), once without (EACCES),
#   5. "modprobe -r mshv_root hvsim".
#
# One marker line per check: "@@MSHVTEST DKMS ok|FAIL NAME: DETAIL".

root=/mnt/dkmsroot
M='@@MSHVTEST'

check() { # check NAME DETAIL CMD...: one result line from CMD's status
	name=$1 detail=$2
	shift 2
	if "$@"; then
		echo "$M DKMS ok $name: $detail"
	else
		echo "$M DKMS FAIL $name: $detail"
	fi
}

# Stock kernels build 9p as modules: /modules holds them (in load order).
for mod in netfs 9pnet 9pnet_virtio 9p; do
	[ -f "/modules/$mod.ko" ] && insmod "/modules/$mod.ko" 2>/dev/null
done
mkdir -p "$root"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 dkmsroot "$root"; then
	echo "$M DKMS FAIL mount: cannot mount the root filesystem (virtio-9p tag dkmsroot)"
	exit 1
fi
for d in proc sys dev; do
	mount --bind "/$d" "$root/$d"
done
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"

# Busybox's chroot runs its own applet when a command has an applet's
# name: the root's tools are named by their paths. systemd's tools ignore
# most requests inside a chroot unless told to.
in_root() {
	chroot "$root" /usr/bin/env SYSTEMD_IGNORE_CHROOT=1 "$@"
}

krel=$(uname -r)
echo "dkms: modules of $krel in the root filesystem:"
ls -l "$root/lib/modules/$krel/updates/dkms/" 2>&1

in_root /lib/systemd/systemd-udevd --daemon 2>&1
in_root /usr/bin/udevadm trigger --action=add --subsystem-match=misc 2>&1
in_root /usr/bin/udevadm settle --timeout=30 2>&1

# 2. modprobe: hvsim first, then mshv_root bound to it
in_root /usr/sbin/modprobe -v mshv_root 2>&1
loaded() {
	[ -d "/sys/module/hvsim" ] && [ -d "/sys/module/mshv_root" ]
}
bound=$(dmesg | sed -n 's/.*\/dev\/mshv ready, hypervisor: //p' | tail -n 1)
check "modprobe mshv_root ($krel)" "hvsim and mshv_root loaded, backend '$bound'" \
	eval 'loaded && [ "$bound" = hvsim ]'
from_dkms() { # the loaded modules are the ones DKMS installed
	for m in hvsim mshv_root; do
		f=$(in_root /usr/sbin/modinfo -n "$m") || return 1
		case $f in
		/lib/modules/"$krel"/updates/dkms/*) ;;
		*) return 1 ;;
		esac
	done
}
check "modules from DKMS ($krel)" \
	"$(in_root /usr/sbin/modinfo -n hvsim 2>&1) $(in_root /usr/sbin/modinfo -n mshv_root 2>&1)" from_dkms

# 3. udev
in_root /usr/bin/udevadm settle --timeout=30 2>&1
node=$(in_root /usr/bin/stat -c '%a %U %G' /dev/mshv 2>&1)
check "/dev/mshv mode and group (udev $(in_root /usr/bin/udevadm --version))" "$node" \
	[ "$node" = "660 root kvm" ]

# 4. the demo guest as nobody, with and without the group of /dev/mshv
gid=$(in_root /usr/bin/getent group kvm | cut -d: -f3)
cp /demo/mshv_demo /demo/hello.bin "$root/tmp/"
out=$(in_root /usr/bin/setpriv --reuid=nobody --regid=nogroup --groups="$gid" \
	/tmp/mshv_demo /tmp/hello.bin 2>&1)
rc=$?
echo "$out"
greeted() {
	[ "$rc" = 0 ] && echo "$out" | grep -q 'Hello from a guest partition'
}
check "demo guest (nobody, group kvm)" "exit $rc, $(echo "$out" | grep -c 'Hello from a guest partition') greeting" greeted
out=$(in_root /usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups \
	/tmp/mshv_demo /tmp/hello.bin 2>&1)
rc=$?
echo "$out"
denied() {
	[ "$rc" != 0 ] && echo "$out" | grep -q 'errno=13 (Permission denied)'
}
check "demo guest (nobody, no group)" "exit $rc, $(echo "$out" | grep -o -m1 'errno=.*')" denied

# 5. unload
in_root /usr/sbin/modprobe -r -v mshv_root hvsim 2>&1
left=$(cd /sys/module && ls -d hvsim mshv_root 2>/dev/null | tr '\n' ' ')
check "modprobe -r mshv_root hvsim" "loaded after it: ${left:-none}" [ -z "$left" ]

in_root /usr/bin/udevadm control --exit 2>&1
i=0
while pidof systemd-udevd >/dev/null && [ $i -lt 10 ]; do
	sleep 1
	i=$((i + 1))
done
for d in tmp run dev sys proc; do
	umount "$root/$d" 2>/dev/null || umount -l "$root/$d"
done
umount "$root"
