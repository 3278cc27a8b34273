# shellcheck shell=dash # busybox ash: POSIX sh plus local
# What the test VM's QEMU runs share (busybox sh), sourced by
# testvm/qemu-mshv.sh and testvm/linux-guest.sh (testvm/mkinitramfs.sh
# installs it next to each): the QEMU root filesystem (testvm/qemu-rootfs.sh,
# shared read-only over virtio-9p with mount tag "qemuroot") mounted for a
# chroot, and the end of a QEMU run.
# shellcheck disable=SC2034 # qemuroot_why and rc are the sourcing script's

qemuroot_mounted=""
qemuroot_why=""

# qemuroot_umount: unmount what qemuroot_mount mounted, innermost first
qemuroot_umount() {
	local mnt
	for mnt in $qemuroot_mounted; do
		umount "$mnt" 2>/dev/null || umount -l "$mnt"
	done
	qemuroot_mounted=""
}

# qemuroot_fail WHY: undo the mounts, keep WHY in qemuroot_why, return 1
qemuroot_fail() {
	qemuroot_umount
	qemuroot_why=$1
	return 1
}

# qemuroot_mount ROOT: the root filesystem at ROOT, with the VM's /dev,
# /proc and /sys bound into it and a tmpfs on its /tmp; on failure nothing
# stays mounted, qemuroot_why says why and the return value is 1
qemuroot_mount() {
	local root=$1 mod d
	# Stock kernels build 9p as modules: /modules holds them (in load order).
	for mod in netfs 9pnet 9pnet_virtio 9p; do
		[ -f "/modules/$mod.ko" ] && insmod "/modules/$mod.ko" 2>/dev/null
	done
	mkdir -p "$root"
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose qemuroot "$root" ||
		qemuroot_fail "cannot mount the QEMU root filesystem (virtio-9p tag qemuroot)" || return
	qemuroot_mounted=$root
	[ -x "$root/usr/bin/qemu-system-x86_64" ] ||
		qemuroot_fail "no usr/bin/qemu-system-x86_64 in the QEMU root filesystem" || return
	for d in dev proc sys; do
		mount --bind "/$d" "$root/$d" || qemuroot_fail "cannot bind-mount /$d" || return
		qemuroot_mounted="$root/$d $qemuroot_mounted"
	done
	mount -t tmpfs tmpfs "$root/tmp" || qemuroot_fail "cannot mount a tmpfs on /tmp" || return
	qemuroot_mounted="$root/tmp $qemuroot_mounted"
}

# qemu_end PID [KILL]: reap QEMU (PID), killed first when KILL is given;
# sets rc to its exit status (137 when killed)
qemu_end() {
	if [ -n "${2:-}" ]; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		rc=137
	else
		wait "$1"
		rc=$?
	fi
}
