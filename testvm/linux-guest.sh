#!/bin/sh
# shellcheck shell=dash # busybox ash: POSIX sh plus local
# `make linux-guest` inside the test VM (busybox sh): Debian's
# qemu-system-x86_64 with -accel mshv, in a chroot of the QEMU root
# filesystem (testvm/qemu-rootfs.sh, shared read-only over virtio-9p with
# mount tag "qemuroot"), boots the small Linux guest (testvm/kernels.sh
# guest: a PVH vmlinux) with a busybox initramfs whose /init prints
# "mshv-linux-guest: init reached" and powers off, on mshv_root + hvsim
# (both loaded by /init). LINUX_GUEST_APPEND: more guest command line.
#
#   linux-guest.sh DIR [TIMEOUT_S [SMP [SAMPLE_S]]]
#
# DIR holds vmlinux, initrd.cpio.gz and System.map. TIMEOUT_S bounds the
# run (default 2400; QEMU is killed past it), SMP is QEMU's -smp (default
# 2), SAMPLE_S the interval of the progress samples (default 30).
#
# Output, between "@@MSHVTEST LINUX-GUEST-BEGIN" and "@@MSHVTEST
# LINUX-GUEST-END": a "linux-guest: sample" block every SAMPLE_S seconds
# (seconds since QEMU started, bytes of guest console output and its last
# line, per VP hvsim's instructions retired, interpreter stops and last
# stop, RIP and the symbol System.map places it in), then the result line
#   linux-guest: booted in <S> s (<N> instructions)
# or
#   linux-guest: stopped at <what> after <S> s (<N> instructions)
# followed by the last VP state, QEMU's stderr and the guest's console.

M='@@MSHVTEST'
dir=${1:?usage: linux-guest.sh DIR [TIMEOUT_S [SMP [SAMPLE_S]]]}
timeout_s=${2:-2400}
smp=${3:-2}
sample_s=${4:-30}
root=/qemuroot
work=$root/tmp/q		# /tmp/q inside the chroot
dbg=/sys/kernel/debug/hvsim
line='mshv-linux-guest: init reached'
# shellcheck source=testvm/qemu-lib.sh
. "$(dirname "$0")/qemu-lib.sh"

echo "$M LINUX-GUEST-BEGIN"
finish() {
	echo "$M LINUX-GUEST-END"
	exit "$1"
}

# --- the QEMU root filesystem ------------------------------------------------
qemuroot_mount "$root" ||
	{ echo "linux-guest: stopped at setup ($qemuroot_why)"; finish 1; }
mkdir -p "$work"
cp "$dir/vmlinux" "$dir/initrd.cpio.gz" "$work/" ||
	{ echo "linux-guest: stopped at setup (cannot copy the guest kernel)"; finish 1; }
echo "qemu: $(chroot "$root" /usr/bin/qemu-system-x86_64 --version | head -n 1)"
echo "guest: $(cat "$dir/release" 2>/dev/null), -smp $smp, timeout $timeout_s s"

# symbol ADDRESS: the System.map symbol at or below ADDRESS (hex, no 0x)
symbol() {
	awk -v a="$1" 'BEGIN { a = sprintf("%016s", a); gsub(/ /, "0", a) }
		$2 ~ /^[tTwW]$/ && $1 <= a { s = $3 } $1 > a { exit }
		END { print (s == "" ? "?" : s) }' "$dir/System.map"
}

# vp_lines: hvsim's line of each VP of the guest, shortened to what tells
# progress, with the symbol of its RIP
vp_lines() {
	local l rip
	while read -r l; do
		rip=$(echo "$l" | sed -n 's/.* rip=0x\([0-9a-f]*\).*/\1/p')
		echo "  $(echo "$l" | sed 's/ activity=.* retired=/ retired=/') [$(symbol "$rip")]"
	done <"$dbg/vps"
}

# retired: instructions hvsim retired for the guest's VPs
retired() {
	sed -n 's/.* retired=\([0-9]*\).*/\1/p' "$dbg/vps" 2>/dev/null |
		awk '{ n += $1 } END { print n + 0 }'
}

sample() {
	local t=$1
	echo "linux-guest: sample t=${t}s console=$(wc -c <"$work/serial.log")B insns=$(retired)"
	echo "  last console line: $(tail -n 1 "$work/serial.log" | tr -d '\r' | cut -c1-160)"
	vp_lines
}

t0=$(date +%s)
chroot "$root" /usr/bin/qemu-system-x86_64 \
	-accel mshv -machine q35 -smp "$smp" -m 256M \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial file:/tmp/q/serial.log \
	-kernel /tmp/q/vmlinux -initrd /tmp/q/initrd.cpio.gz \
	-append "console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 panic=-1 ${LINUX_GUEST_APPEND:-}" \
	2>"$work/stderr" &
qemu_pid=$!
: >"$work/serial.log"
next=$sample_s
why=""
while kill -0 "$qemu_pid" 2>/dev/null; do
	t=$(($(date +%s) - t0))
	if [ "$t" -ge "$timeout_s" ]; then
		why="timeout"
		break
	fi
	if [ "$t" -ge "$next" ]; then
		sample "$t"
		next=$((next + sample_s))
	fi
	sleep 1
done
t=$(($(date +%s) - t0))
sample "$t"
last_vps=$(cat "$dbg/vps" 2>/dev/null)
insns=$(retired)
qemu_end "$qemu_pid" "$why"

if grep -qF "$line" "$work/serial.log" && [ "$rc" = 0 ]; then
	echo "linux-guest: booted in $t s ($insns instructions)"
	status=0
else
	last=$(grep -v '^[[:space:]]*$' "$work/serial.log" | tail -n 1 | tr -d '\r' | cut -c1-160)
	if [ -n "$why" ]; then
		what="timeout (QEMU still running)"
	else
		what="QEMU exit $rc"
	fi
	grep -qF "$line" "$work/serial.log" && what="$what after init's line"
	echo "linux-guest: stopped at $what after $t s ($insns instructions); last console line: ${last:-none}"
	status=1
fi
echo "  hvsim's VPs at the end:"
echo "$last_vps" | while read -r l; do
	echo "    $l [$(symbol "$(echo "$l" | sed -n 's/.* rip=0x\([0-9a-f]*\).*/\1/p')")]"
done
echo "  hvsim/dispatch: $(cat "$dbg/dispatch" 2>/dev/null)"
echo "  guest hypercalls (non-zero):"
awk '$NF != 0 { print "    " $0 }' "$dbg/guest_hypercalls" 2>/dev/null
echo "  --- QEMU stderr"
tr -d '\r' <"$work/stderr" | tail -n 40 | sed 's/^/  | /'
echo "  --- guest console ($(wc -c <"$work/serial.log") bytes, last 200 lines)"
tr -d '\r' <"$work/serial.log" | tail -n 200 | sed 's/^/  | /'
qemuroot_umount
finish "$status"
