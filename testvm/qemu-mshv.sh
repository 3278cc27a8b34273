#!/bin/sh
# shellcheck shell=dash # busybox ash: POSIX sh plus local
# The QEMU cases of the test VM (busybox sh): Debian's qemu-system-x86_64
# with -accel mshv, run in a chroot of the trixie root filesystem
# (testvm/qemu-rootfs.sh) that the host shares read-only over virtio-9p
# with mount tag "qemuroot", on mshv_root + hvsim (both loaded by /init).
#
#   qemu-mshv.sh IMAGES_DIR [TIMEOUT_S [ONLY]]
#
# IMAGES_DIR holds fw.bin, fw-reset.bin, fw-wait.bin, boot.img and
# sercon-port (testvm/qemu-fw). TIMEOUT_S bounds every QEMU run (default
# 60 s, five times that for SeaBIOS, whose POST runs millions of
# interpreted instructions; QEMU is killed past it). ONLY: comma-separated prefixes of
# "<machine>:<firmware>:<smp>" (e.g. "q35:seabios,pc:fw:2"): run only the
# cases that match one (for iterating; default: all).
#
# Output: between "@@MSHVTEST QEMU-BEGIN cases=N" and "@@MSHVTEST QEMU-END"
# one line per case, "qemu-mshv <machine> <firmware> smp<N>: ok" or
# "...: FAIL <why>" followed by indented diagnostics (QEMU's stderr, the
# guest's COM1 output, the monitor's and SeaBIOS's debug output, the kernel
# messages of the run and, after a timeout, the kernel stacks of QEMU's
# threads). testvm/parse-results.py counts them. Cases:
#   <m> fw smp<N>       m = q35, pc, microvm; N = 1, 2: the project's
#                       firmware prints its lines, passes its CPUID and MSR
#                       checks, reads N from fw_cfg and, with N = 2, starts
#                       the application processor with INIT-SIPI-SIPI (it
#                       prints a line with its APIC id, 1) and waits for
#                       it; reads fw_cfg's signature with rep insb into a
#                       page the guest never touched; then exits through
#                       isa-debug-exit: status 33
#   <m> seabios smp1    m = q35, pc: SeaBIOS prints its banner on COM1
#                       (sercon), boots boot.img, whose line follows: 65
#   q35 fw-reset smp1   the guest requests a reset: with -no-reboot QEMU
#                       shuts down and exits 0
#   q35 fw-wait smp1    `stop` on QEMU's monitor freezes the guest (a byte
#                       sent to COM1 stays unread for 2 s), `cont` resumes
#                       it: COM1's receive interrupt, through QEMU's I/O
#                       APIC, wakes it from its halt; it reads the byte and
#                       exits (33)
# After every case hvsim must have no partition left (debugfs
# hvsim/partitions); kmemleak is checked by /init after the modules unload.

M='@@MSHVTEST'
images=${1:?usage: qemu-mshv.sh IMAGES_DIR [TIMEOUT_S [ONLY]]}
timeout_s=${2:-60}
only=$(echo "${3:-}" | tr ',' ' ')
root=/qemuroot
work=$root/tmp/q		# /tmp/q inside the chroot
parts=/sys/kernel/debug/hvsim/partitions
# shellcheck source=testvm/qemu-lib.sh
. "$(dirname "$0")/qemu-lib.sh"

ALL_CASES="q35:fw:1 q35:fw:2 pc:fw:1 pc:fw:2 microvm:fw:1 microvm:fw:2
q35:seabios:1 pc:seabios:1 q35:fw-reset:1 q35:fw-wait:1"

CASES=""
ncases=0
for c in $ALL_CASES; do
	pick=1
	if [ -n "$only" ]; then
		pick=0
		for p in $only; do
			case "$c" in
			"$p"*) pick=1 ;;
			esac
		done
	fi
	[ $pick = 1 ] || continue
	CASES="$CASES $c"
	ncases=$((ncases + 1))
done
echo "$M QEMU-BEGIN cases=$ncases"

# Every case fails with the same reason (the setup failed).
fail_all() {
	for c in $CASES; do
		IFS=: read -r m fw n <<EOF
$c
EOF
		echo "qemu-mshv $m $fw smp$n: FAIL $1"
	done
	echo "$M QEMU-END"
	exit 1
}

# --- the root filesystem -----------------------------------------------------
qemuroot_mount "$root" || fail_all "$qemuroot_why"
mkdir -p "$work/img"
cp "$images"/* "$work/img/" || { qemuroot_umount; fail_all "cannot copy the guest images"; }

echo "qemu: $(chroot "$root" /usr/bin/qemu-system-x86_64 --version | head -n 1)"

# --- one case ----------------------------------------------------------------

# partitions_left: hvsim's live partition count once QEMU is gone (closing
# /dev/mshv's files destroys them; give a deferred release 5 s)
partitions_left() {
	local i=0 live
	[ -r "$parts" ] || { echo "unknown (no $parts)"; return; }
	while :; do
		live=$(grep -c '^id=' "$parts")
		[ "$live" -eq 0 ] && { echo 0; return; }
		i=$((i + 1))
		[ $i -ge 50 ] && { echo "$live"; return; }
		sleep 0.1
	done
}

# wait_for FILE TEXT SECONDS: until FILE contains TEXT (fails at once if
# QEMU is gone)
wait_for() {
	local i=0
	while ! grep -qF "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && return 1
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.1
	done
}

qemu_pid=""
# start_qemu MACHINE SMP ARGS...: QEMU in the background; COM1 through the
# pipes $work/ser.{in,out} (its output collected in $work/serial.log)
start_qemu() {
	m=$1
	n=$2
	shift 2
	rm -rf "$work/ser.in" "$work/ser.out" "$work/mon.in" "$work/mon.out" \
		"$work/serial.log" "$work/monitor.log" "$work/stderr" "$work/debugcon.log" \
		"$work/threads.log"
	dmesg_new >/dev/null
	mkfifo "$work/ser.in" "$work/ser.out" "$work/mon.in" "$work/mon.out"
	cat "$work/ser.out" >"$work/serial.log" &
	ser_cat=$!
	cat "$work/mon.out" >"$work/monitor.log" &
	mon_cat=$!
	chroot "$root" /usr/bin/qemu-system-x86_64 \
		-accel mshv -machine "$m" -smp "$n" -m 64M \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial pipe:/tmp/q/ser -monitor pipe:/tmp/q/mon \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		"$@" 2>"$work/stderr" &
	qemu_pid=$!
	qemu_start=$(date +%s)
	case_timeout=$timeout_s
	case_cap=""
	dispatches0=$(dispatch_count)
}

# dispatch_count: DISPATCH_VP calls hvsim served since it was loaded
dispatch_count() {
	local n
	n=$(awk '$2 == "DISPATCH_VP" { print $3 }' /sys/kernel/debug/hvsim/hypercalls 2>/dev/null)
	echo "${n:-0}"
}

dmesg_mark=0
# dmesg_new: the kernel messages since the last call
dmesg_new() {
	local lines
	dmesg >"$work/dmesg.all"
	lines=$(wc -l <"$work/dmesg.all")
	[ "$lines" -ge "$dmesg_mark" ] || dmesg_mark=0	# the ring buffer wrapped
	tail -n +"$((dmesg_mark + 1))" "$work/dmesg.all"
	dmesg_mark=$lines
}

# dump_threads: where QEMU's threads are (for a run that timed out), and
# what hvsim and mshv_root did meanwhile (two samples, a second apart)
dump_threads() {
	local t task sample d=/sys/kernel/debug
	for sample in 1 2; do
		echo "--- sample $sample"
		for f in hvsim/vps hvsim/partitions hvsim/interrupts hvsim/root_synic mshv_root/partitions mshv_root/regions; do
			echo "$f:"
			sed 's/^/  /' "$d/$f" 2>/dev/null
		done
		echo "hvsim/hypercalls (non-zero):"
		awk '$3 != 0 { print "  " $0 }' "$d/hvsim/hypercalls" 2>/dev/null
		# state, utime and stime (fields 3, 14, 15 of stat; comm may
		# hold spaces)
		for task in /proc/"$qemu_pid"/task/*; do
			echo "  task ${task##*/}: $(sed 's/.*) //' "$task/stat" 2>/dev/null | cut -d' ' -f1,12,13)"
		done
		sleep 1
	done
	echo l >/proc/sysrq-trigger 2>/dev/null
	for t in /proc/"$qemu_pid"/task/*; do
		[ -d "$t" ] || continue
		echo "thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)): wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/  /' "$t/stack" 2>/dev/null
	done
}

# progress_mark: what changes while the guest makes progress: its output
# (COM1, SeaBIOS's debug port) and the registers of its VPs
progress_mark() {
	cat "$work/serial.log" "$work/debugcon.log" 2>/dev/null | wc -c
	# without the counters, which a guest spinning in place still advances
	sed "s/ retired=[0-9]* stops=[0-9]*//" /sys/kernel/debug/hvsim/vps 2>/dev/null
}

# finish_qemu: wait for QEMU; sets rc (137 for a timeout) and, after a
# timeout, why (stalled or still running) and where QEMU's threads were.
# Up to case_timeout s the guest may do anything; past it, up to case_cap s
# (default: the same), QEMU is given 20 s more at a time as long as the
# guest made progress in the last 20 s: a slow machine slows a guest down,
# only a hung one stops changing.
finish_qemu() {
	local i elapsed mark last="" cap=${case_cap:-$case_timeout}
	timeout_why=""
	while kill -0 "$qemu_pid" 2>/dev/null; do
		elapsed=$(($(date +%s) - qemu_start))
		if [ "$elapsed" -ge "$cap" ]; then
			if [ "$cap" -gt "$case_timeout" ]; then
				timeout_why="still making progress at $cap s"
			else
				timeout_why="after $cap s"
			fi
			break
		fi
		if [ "$elapsed" -ge "$case_timeout" ]; then
			mark=$(progress_mark)
			if [ "$mark" = "$last" ]; then
				timeout_why="no progress for 20 s after $elapsed s"
				break
			fi
			last=$mark
			# 20 s, returning early if QEMU exits
			i=0
			while [ $i -lt 100 ] && kill -0 "$qemu_pid" 2>/dev/null; do
				i=$((i + 1))
				sleep 0.2
			done
			continue
		fi
		sleep 0.2
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		dump_threads >"$work/threads.log"
		qemu_end "$qemu_pid" kill
	else
		qemu_end "$qemu_pid"
	fi
	# QEMU gone: the readers see EOF (kill them if QEMU never opened a pipe)
	sleep 0.2
	kill "$ser_cat" "$mon_cat" 2>/dev/null
	wait "$ser_cat" "$mon_cat" 2>/dev/null
}

# report NAME WHY: WHY empty = ok; else FAIL with diagnostics
report() {
	left=$(partitions_left)
	why=$2
	if [ -z "$why" ] && [ "$left" != 0 ]; then
		why="hvsim has $left partition(s) left after QEMU exited"
	fi
	if [ -z "$why" ]; then
		echo "qemu-mshv $1: ok"
		return
	fi
	echo "qemu-mshv $1: FAIL $why"
	dmesg_new >"$work/dmesg.log"
	for f in stderr serial.log monitor.log debugcon.log dmesg.log threads.log; do
		[ -s "$work/$f" ] || continue
		echo "    --- $f (last 40 lines)"
		tail -n 150 "$work/$f" | tr -d '\r' | sed 's/^/    | /'
	done
	[ -f "$parts" ] && sed 's/^/    | partitions: /' "$parts"
}

rc_why() { # rc_why WANT: why rc is wrong (empty if it is not)
	if [ "$rc" -eq 137 ]; then
		echo "QEMU timed out ($timeout_why; killed)"
	elif [ "$rc" -ne "$1" ]; then
		echo "QEMU exited with $rc, expected $1"
	fi
}

# check_lines: set why to the first of "$@" missing from COM1's output
check_lines() {
	for l in "$@"; do
		if ! grep -qF "$l" "$work/serial.log"; then
			why="no line \"$l\" on COM1"
			return
		fi
	done
}

fw_case() { # fw_case MACHINE SMP
	start_qemu "$1" "$2" -bios /tmp/q/img/fw.bin
	finish_qemu
	why=$(rc_why 33)
	[ -n "$why" ] || check_lines "mshv-fw: hello from the reset vector" \
		"mshv-fw: cpuid and msr checks ok" \
		"mshv-fw: cpus (fw_cfg) 0x0000000$2" \
		"mshv-fw: fw_cfg signature by rep insb: QEMU" \
		"mshv-fw: exiting through isa-debug-exit"
	if [ -z "$why" ] && [ "$2" -gt 1 ]; then
		check_lines "mshv-fw: hello from an application processor, apic id 0x00000001" \
			"mshv-fw: every application processor is up"
	fi
	report "$1 fw smp$2" "$why"
}

seabios_case() { # seabios_case MACHINE SMP
	cp "$work/img/boot.img" "$work/disk.img"
	start_qemu "$1" "$2" \
		-fw_cfg name=etc/sercon-port,file=/tmp/q/img/sercon-port \
		-chardev file,id=dbg,path=/tmp/q/debugcon.log -device isa-debugcon,iobase=0x402,chardev=dbg \
		-drive file=/tmp/q/disk.img,format=raw,if=ide,file.locking=off
	case_timeout=$((timeout_s * 5))
	case_cap=$((case_timeout * 2))
	finish_qemu
	why=$(rc_why 65)
	[ -n "$why" ] || check_lines "SeaBIOS (version" "Booting from Hard Disk" \
		"mshv-boot: hello from the boot sector"
	report "$1 seabios smp$2" "$why"
}

reset_case() {
	start_qemu q35 1 -bios /tmp/q/img/fw-reset.bin
	finish_qemu
	why=$(rc_why 0)
	[ -n "$why" ] || check_lines "mshv-fw: requesting a reset"
	report "q35 fw-reset smp1" "$why"
}

# to_pipe FIFO TEXT: a line to one of QEMU's input pipes (QEMU holds it
# open; 5 s at most should it not)
to_pipe() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout 5 sh -c 'echo "$2" >"$1"' sh "$1" "$2"
}

monitor() { # monitor COMMAND
	to_pipe "$work/mon.in" "$1"
}

wait_case() {
	why=""
	start_qemu q35 1 -bios /tmp/q/img/fw-wait.bin
	if ! wait_for "$work/serial.log" "mshv-fw: waiting for a byte on COM1" "$timeout_s"; then
		why="the firmware never reached its wait"
	else
		monitor stop
		monitor "info status"
		if ! wait_for "$work/monitor.log" "VM status: paused" 20; then
			why="the monitor never reported \"VM status: paused\" after stop"
		else
			to_pipe "$work/ser.in" x
			sleep 2
			if grep -qF "mshv-fw: got a byte" "$work/serial.log"; then
				why="the guest ran while stopped"
			fi
			monitor cont
		fi
	fi
	if [ -n "$why" ]; then
		dump_threads >"$work/threads.log"
		kill -KILL "$qemu_pid" 2>/dev/null
	fi
	finish_qemu
	[ -n "$why" ] || why=$(rc_why 33)
	[ -n "$why" ] || check_lines "mshv-fw: got a byte, resuming"
	report "q35 fw-wait smp1" "$why"
}

t_all=$(date +%s)
for c in $CASES; do
	IFS=: read -r m fw n <<EOF
$c
EOF
	t0=$(date +%s)
	case $fw in
	fw) fw_case "$m" "$n" ;;
	seabios) seabios_case "$m" "$n" ;;
	fw-reset) reset_case ;;
	fw-wait) wait_case ;;
	esac
	echo "    ($m $fw smp$n: $(($(date +%s) - t0)) s, $(($(dispatch_count) - dispatches0)) dispatches)"
done
echo "qemu: all cases took $(($(date +%s) - t_all)) s"

qemuroot_umount
echo "$M QEMU-END"
