#!/usr/bin/env bash
# The whole mshv_root test pipeline (`make check`) or the demo (`make demo`).
#
#   check.sh check   deps, kernels, W=1 builds, sparse, checkpatch, selftests,
#                    VM runs on every kernel, summary
#   check.sh demo    deps, Debian's stock 6.1 kernel, modules + demo, one VM
#                    run in demo mode; prints the demo's output
#   check.sh bench   the region and interpreter benchmarks (bench/; only
#                    BENCHES when set) in one VM of BENCH_KERNEL (default
#                    stock-6.12); prints their lines
#   check.sh fuzz    only the ioctl fuzzer (selftests/mshv_fuzz.c) in one VM
#                    of KERNEL (default debug-6.12) for DURATION seconds
#                    (default 600) with SEED (default: the time); the same
#                    result lines as make check for that VM
#   check.sh stress  only mshv_stress_test, DURATION seconds (default 60),
#                    in one VM of KERNEL (default debug-6.12), with the
#                    same splat, kmemleak and invariant checks as check
#   check.sh 1tib    only mshv_guest_1tib_test at full size: one VM of
#                    KERNEL (default stock-6.12) with TIB_VM_MEM (default
#                    6G) and zram swap, the same checks as check; prints
#                    its "bench: guest_1tib_*" lines
#   check.sh linux-guest
#                    boot the small Linux guest (testvm/kernels.sh guest,
#                    a busybox initramfs) with QEMU -accel mshv inside one
#                    VM of KERNEL (default stock-6.12); prints its progress
#                    samples and the result line (testvm/linux-guest.sh;
#                    Documentation/hvsim.rst, "Booting Linux")
#
# Every phase runs even if an earlier one failed (unless it needs that one's
# output); the exit status is non-zero if anything failed.
# Variables (environment or make command line):
#   MSHV_SRC      source tree to test (default: the repository)
#   MSHV_BUILD    output directory (default: $MSHV_SRC/build)
#   MSHV_CACHE    kernel cache (default: /var/cache/mshv-root)
#   KERNELS       kernels to use (default: "debug-6.12 stock-6.1 stock-6.12")
#   VM_ACCEL      tcg | kvm | auto (default auto: kvm if a probe boot works)
#   VM_TIMEOUT, VM_MEM, VM_SMP, VM_CPU, VM_LOGLEVEL, VM_APPEND, TEST_TIMEOUT:
#                 see testvm/run-vm.sh
#   VM_PARALLEL   1: boot the debug kernel's VM alongside the others (default 1)
#   SELFTESTS     build and run only these selftest binaries (default: all)
#   QUICK         1: skip the in-tree build and the fuzzing (for iterating;
#                 never for a submission)
#   STRESS_DEBUG, STRESS_OTHERS
#                 seconds mshv_stress_test runs in check mode on the debug
#                 kernel (default 60) and on the others (default 5)
#   PINNED_VM     1: boot the debug kernel a second time with
#                 mshv_root.pin_regions=1 and run the region selftests
#                 and the fail-nth sweep
#                 (reported as debug-6.12-pinned; default 1, 0 to skip)
#   QEMU_MSHV     1: run Debian's QEMU with -accel mshv in the VMs of
#                 QEMU_KERNELS (testvm/qemu-mshv.sh; root filesystem from
#                 testvm/qemu-rootfs.sh); 0: skip them (one SKIP result)
#   QEMU_KERNELS  kernels whose VM runs the QEMU cases (default
#                 "debug-6.12 stock-6.12")
#   QEMU_TIMEOUT  seconds per QEMU run inside the VM (default 60, SeaBIOS
#                 runs 5 times that); a VM that runs the QEMU cases gets
#                 28 * QEMU_TIMEOUT more VM_TIMEOUT
#   QEMU_ONLY     run only the QEMU cases starting with one of these
#                 (comma-separated, e.g. "q35:seabios,pc:fw:2"; iterating)
#   DKMS          1: build the Debian package and test it with DKMS in a
#                 Debian 12 root filesystem and the stock 6.12 VM, and in
#                 a Debian 13 one (testvm/dkms.sh; default 1, 0 to skip)
#   MAINLINE_BUILD 1: W=1 build against the mainline 7.x source of the ABI
#                 check, prepared for external modules (testvm/kernels.sh
#                 mainline; default 1, 0 to skip)
#   TIB_LANE      1: run mshv_guest_1tib_test in a VM of its own, the
#                 "1tib" lane, last in the foreground while the debug
#                 kernel's VM runs in the background (default 1, 0 to skip)
#   TIB_KERNEL, TIB_VM_MEM, TIB_ZRAM, TIB_PERCENT, TIB_TIMEOUT
#                 that lane's kernel (default stock-6.12, else the last
#                 of KERNELS), VM memory (default 512M; make 1tib: 6G),
#                 zram swap size (default twice TIB_VM_MEM), the data the
#                 test writes in percent of the VM's MemTotal (default
#                 125) and its timeout in seconds (default 1500; make
#                 1tib: 14400)
#   LG_TIMEOUT, LG_SMP, LG_SAMPLE, LG_APPEND
#                 linux-guest: seconds the guest may take (default 2400),
#                 its -smp (default 2), seconds between progress samples
#                 (default 30), extra guest kernel command line (no "+")
#   ABI_MAINLINE_PKG, ABI_MAINLINE_VER, ABI_MAINLINE_SUITE
#                 the mainline release the ABI is checked against (default:
#                 the pin in testvm/mainline.sh)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SRC=$(cd "${MSHV_SRC:-$REPO}" && pwd)
BUILD=${MSHV_BUILD:-$SRC/build}
LOGS=$BUILD/logs
JOBS=$(nproc)
MODE=${1:-check}
export MSHV_CACHE=${MSHV_CACHE:-/var/cache/mshv-root}

# Our own make invocations must not inherit the top-level make's flags.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

mkdir -p "$LOGS"
HOST_RESULTS=$BUILD/host-results.txt
: >"$HOST_RESULTS"
START=$SECONDS
FAILED_PHASES=()

stamp() { printf '[%s +%4ds]' "$(date +%H:%M:%S)" "$((SECONDS - START))"; }
say() { printf '%s %s\n' "$(stamp)" "$*"; }

# phase NAME LOGFILE CMD...: run CMD with output in LOGFILE; report duration;
# on failure print the log's tail. Returns CMD's status.
phase() {
	local name=$1 log=$2 t0=$SECONDS rc=0
	shift 2
	say "$name ..."
	"$@" >"$log" 2>&1 || rc=$?
	if [[ $rc -eq 0 ]]; then
		say "$name: ok ($((SECONDS - t0)) s)"
	else
		say "$name: FAILED (exit $rc, $((SECONDS - t0)) s); last lines of $log:"
		tail -n "${TAIL_LINES:-25}" "$log" | sed 's/^/    | /'
		FAILED_PHASES+=("$name")
	fi
	return "$rc"
}

result() { # result PASS|FAIL NAME
	printf '%s %s\n' "$1" "$2" >>"$HOST_RESULTS"
}

# --- kernels ------------------------------------------------------------------

declare -A KENV=()

get_kernel() { # get_kernel NAME -> sets KENV[NAME]
	local k=$1 out
	local -a cmd
	case $k in
	debug-6.12) cmd=("$HERE/kernels.sh" debug) ;;
	stock-6.1) cmd=("$HERE/kernels.sh" stock 6.1) ;;
	stock-6.12) cmd=("$HERE/kernels.sh" stock 6.12) ;;
	source-6.12) cmd=("$HERE/kernels.sh" source) ;;
	*)
		say "unknown kernel '$k' in KERNELS (want debug-6.12 stock-6.1 stock-6.12)"
		result FAIL "kernel ready ($k)"
		return 1
		;;
	esac
	if [[ $k == debug-* ]] && ! KERNELS_CACHED_ONLY=1 "${cmd[@]}" >/dev/null 2>&1; then
		say "debug kernel not cached: building it (~7-12 min on 2 cores; log: $MSHV_CACHE/.tmp-debug-*/build.log)"
	fi
	if phase "kernel $k" "$LOGS/kernel-$k.log" "${cmd[@]}"; then
		out=$(tail -n 1 "$LOGS/kernel-$k.log")
		if [[ -f $out ]]; then
			KENV[$k]=$out
			return 0
		fi
		say "kernel $k: kernels.sh printed no env file"
	fi
	result FAIL "kernel ready ($k)"
	return 1
}

kvar() { # kvar KERNEL VAR: print VAR from the kernel's env file
	(
		# shellcheck source=/dev/null
		. "${KENV[$1]}"
		printf '%s\n' "${!2}"
	)
}

# --- module builds ----------------------------------------------------------------

copy_tree() { # copy_tree DEST: fresh copy of the sources (no build output)
	rm -rf "$1"
	mkdir -p "$1"
	rsync -a --delete \
		--exclude=/.git --exclude=/build --exclude=/selftests/out --exclude=/demo/out \
		--exclude=/testvm/qemu-fw/out \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.symvers' --exclude='*.order' --exclude='*.a' \
		"$SRC/" "$1/"
}

copy_and_build() { # copy_and_build DIR KDIR (and W1_MAKE_ARGS, if set)
	# shellcheck disable=SC2086 # words of make arguments
	copy_tree "$1" && make -C "$2" M="$1" W=1 -j"$JOBS" ${W1_MAKE_ARGS:-} modules
}

# w1_build NAME DIR KDIR LOG [EXPECTED]: copy_and_build as a phase with one
# result "W=1 build (NAME)"; any compiler or modpost warning fails it but
# those matching the regular expression EXPECTED
w1_build() {
	local name=$1 log=$4 expected=${5:-} rc=0
	phase "W=1 build ($name)" "$log" copy_and_build "$2" "$3" || rc=$?
	if [[ $rc -eq 0 ]] && grep -iE '(^|[^a-z])warning:' "$log" |
		grep -qvE "${expected:-^\$}"; then
		say "W=1 build ($name): compiler/modpost warnings:"
		grep -iE '(^|[^a-z])warning:' "$log" | head -n 30 | sed 's/^/    | /'
		rc=1
	fi
	if [[ $rc -eq 0 ]]; then
		result PASS "W=1 build ($name)"
	else
		result FAIL "W=1 build ($name)"
	fi
	return "$rc"
}

build_modules() { # build_modules KERNEL
	local k=$1 kdir dir log
	kdir=$(kvar "$k" KDIR)
	dir=$BUILD/k/$k
	log=$LOGS/w1-$k.log
	rm -rf "$dir/modules"
	mkdir -p "$dir/modules"
	local rc=0
	w1_build "$k" "$dir/src" "$kdir" "$log" || rc=$?
	find "$dir/src" -name '*.ko' -exec cp {} "$dir/modules/" \;
	copy_mm_modules "$k" "$dir/modules"
	local m missing=0
	for m in hvsim mshv_root; do
		[[ -f $dir/modules/$m.ko ]] || { say "  $k: $m.ko was not built"; missing=1; }
	done
	return $((rc | missing))
}

# copy_mm_modules KERNEL DIR: a stock kernel builds zram (swap for the
# region tests) and 9p (the QEMU root filesystem) as modules: copy them and
# what they need, uncompressed, next to ours; the guest's /init and
# qemu-mshv.sh load them. The debug kernel has them built in.
copy_mm_modules() {
	local moddir m f
	moddir=$(kvar "$1" KDIR)/../../../lib/modules/$(kvar "$1" KRELEASE)/kernel
	[[ -d $moddir ]] || return 0
	for m in mm/zsmalloc lib/lz4/lz4_compress lib/lz4/lz4hc_compress drivers/block/zram/zram \
		fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
		f=$moddir/$m.ko
		if [[ -f $f ]]; then
			cp "$f" "$2/"
		elif [[ -f $f.xz ]]; then
			xz -dc "$f.xz" >"$2/${m##*/}.ko"
		fi
	done
}

sparse_check() {
	local k=debug-6.12 kdir log rc=0
	kdir=$(kvar "$k" KDIR)
	log=$LOGS/sparse-$k.log
	phase "sparse ($k)" "$log" \
		make -C "$kdir" M="$BUILD/k/$k/src" C=2 CHECK=sparse -j"$JOBS" modules || rc=$?
	if [[ $rc -eq 0 ]] && grep -qE '(warning|error):' "$log"; then
		say "sparse ($k): sparse reported:"
		grep -E '(warning|error):' "$log" | head -n 30 | sed 's/^/    | /'
		rc=1
	fi
	if [[ $rc -eq 0 ]]; then result PASS "sparse ($k)"; else result FAIL "sparse ($k)"; fi
}

in_dir() { (cd "$1" && shift && "$@"); }

# checkpatch_parallel KSRC FILE...: checkpatch.pl --strict on the files in
# JOBS processes (it is single-threaded), each on a contiguous share of
# them; their output in file order
checkpatch_parallel() {
	local ksrc=$1 tmp i rc=0
	shift
	local -a all=("$@") pids=()
	local share=$(((${#all[@]} + JOBS - 1) / JOBS))
	tmp=$(mktemp -d)
	for ((i = 0; i * share < ${#all[@]}; i++)); do
		"$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
			-f "${all[@]:i * share:share}" >"$tmp/$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || rc=1
		cat "$tmp/$i"
	done
	rm -rf "$tmp"
	return $rc
}

checkpatch() {
	local ksrc=$1 log=$LOGS/checkpatch.log rc=0
	local -a files=()
	if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t files < <(cd "$SRC" && { git ls-files; git ls-files -o --exclude-standard; } |
			grep -E '\.[ch]$' | sort -u)
	else
		mapfile -t files < <(cd "$SRC" && find . -path ./build -prune -o -name '*.[ch]' -print |
			sed 's#^\./##' | sort)
	fi
	local f existing=()
	for f in "${files[@]}"; do
		[[ -f $SRC/$f ]] && existing+=("$f") # tracked but deleted: skip
	done
	files=("${existing[@]}")
	if [[ ${#files[@]} -eq 0 ]]; then
		say "checkpatch: no .c/.h files found"
		result FAIL "checkpatch"
		return
	fi
	phase "checkpatch (${#files[@]} files)" "$log" \
		in_dir "$SRC" checkpatch_parallel "$ksrc" "${files[@]}" || rc=$?
	if grep -qE ': (ERROR|WARNING|CHECK):' "$log"; then
		say "checkpatch: $(grep -cE ': ERROR:' "$log") errors, $(grep -cE ': WARNING:' "$log") warnings, $(grep -cE ': CHECK:' "$log") checks (see $log)"
		rc=1
	fi
	if [[ $rc -eq 0 ]]; then result PASS "checkpatch"; else result FAIL "checkpatch"; fi
}

userspace_builds() { # userspace_builds KSRC (may be empty for demo only)
	local ksrc=$1 rc=0
	if [[ -n $ksrc ]]; then
		rm -rf "$BUILD/selftests"
		mkdir -p "$BUILD/selftests"
		if [[ -f $SRC/selftests/Makefile ]]; then
			phase "selftests build" "$LOGS/selftests-build.log" \
				make -C "$SRC/selftests" KSRC="$ksrc" OUT="$BUILD/selftests" -j"$JOBS" \
				${SELFTESTS:+TESTS="$SELFTESTS"} || rc=1
		else
			say "selftests build: $SRC/selftests/Makefile is missing"
			rc=1
		fi
		if [[ $rc -eq 0 ]]; then result PASS "selftests build"; else result FAIL "selftests build"; fi
	fi
	rm -rf "$BUILD/demo"
	mkdir -p "$BUILD/demo"
	local drc=0
	if [[ -f $SRC/demo/Makefile ]]; then
		phase "demo build" "$LOGS/demo-build.log" \
			make -C "$SRC/demo" OUT="$BUILD/demo" -j"$JOBS" || drc=1
	else
		say "demo build: $SRC/demo/Makefile is missing"
		drc=1
	fi
	if [[ $drc -eq 0 ]]; then result PASS "demo build"; else result FAIL "demo build"; fi
	return $((rc | drc))
}

# The tree dropped into drivers/hv/ of the debug kernel, configured through
# its Kconfig and built there (testvm/intree.sh)
intree_check() {
	local ksrc rc=0
	ksrc=$(kvar debug-6.12 KSRC)
	phase "in-tree build (debug-6.12)" "$LOGS/intree.log" \
		"$HERE/intree.sh" "$ksrc" "$SRC" "$BUILD/intree" || rc=$?
	if [[ $rc -eq 0 ]]; then result PASS "in-tree build (debug-6.12)"; else result FAIL "in-tree build (debug-6.12)"; fi
}

# hvsim's interpreter built in userspace (ASan + UBSan): one result per case
hvsim_user_tests() {
	local log=$LOGS/hvsim-user.log rc=0 status name
	phase "hvsim interpreter and decoders (userspace)" "$log" \
		make -C "$SRC/hvsim/user" OUT="$BUILD/hvsim-user" test || rc=$?
	while read -r status name; do
		case $status in
		ok) result PASS "hvsim-user $name" ;;
		FAIL) result FAIL "hvsim-user $name" ;;
		esac
	done < <(grep -E '^(ok|FAIL) ' "$log" || true)
	if [[ $rc -ne 0 ]] && ! grep -q '^FAIL ' "$log"; then
		result FAIL "hvsim-user build"
	fi
}

# libFuzzer targets of hvsim/user (hvsim/user/fuzz_*.c), FUZZ_TIME s each:
# one result per target, zero crashes = PASS
hvsim_fuzz() {
	local log=$LOGS/hvsim-fuzz.log rc=0 status name execs
	phase "hvsim fuzzing (${FUZZ_TIME:-60} s per target)" "$log" \
		make -C "$SRC/hvsim/user" OUT="$BUILD/hvsim-user" FUZZ_TIME="${FUZZ_TIME:-60}" fuzz || rc=$?
	while read -r status name execs; do
		case $status in
		fuzz-ok) result PASS "fuzz $name ($execs execs)" ;;
		fuzz-FAIL) result FAIL "fuzz $name ($execs execs)" ;;
		esac
	done < <(grep -E '^fuzz-(ok|FAIL) ' "$log" || true)
	if [[ $rc -ne 0 ]] && ! grep -q '^fuzz-FAIL ' "$log"; then
		result FAIL "fuzz build"
	fi
}

# The ABI against the headers of a pinned mainline release
# (testvm/mainline.sh: Debian's linux-source-7.x, unpacked into the cache):
# structure sizes and member offsets, constants, and the MSHV_ROOT_HVCALL
# allow-lists (testvm/abi-check.py, exceptions in testvm/abi-mainline.map).
# Without the mainline headers (no network on a cold cache) it fails.
abi_check() {
	local log=$LOGS/abi-mainline.log env version abi al rc=0
	if ! phase "mainline headers" "$LOGS/mainline.log" "$HERE/mainline.sh"; then
		result FAIL "abi vs mainline: no mainline headers (see $LOGS/mainline.log)"
		return
	fi
	env=$(tail -n 1 "$LOGS/mainline.log")
	rm -rf "$BUILD/abi"
	phase "abi vs mainline" "$log" python3 "$HERE/abi-check.py" --src "$SRC" \
		--mainline-env "$env" --out "$BUILD/abi" || rc=$?
	version=$(sed -n 's/^mainline: \([^ ]*\).*/\1/p' "$log")
	abi=$(sed -n 's/^abi: //p' "$log")
	al=$(sed -n 's/^allow-list: //p' "$log")
	if [[ $rc -eq 0 && $abi == *" 0 differences" ]]; then
		result PASS "abi vs mainline $version: $abi"
	else
		result FAIL "abi vs mainline ${version:-?}: ${abi:-check failed, see $log}"
	fi
	if [[ $rc -eq 0 && $al == *" 0 differences" ]]; then
		result PASS "ROOT_HVCALL allow-list vs mainline $version: $al"
	else
		result FAIL "ROOT_HVCALL allow-list vs mainline ${version:-?}: ${al:-check failed, see $log}"
	fi
}

# --- the Debian package ----------------------------------------------------------


# dkms_root_start SUITE ARGS...: testvm/dkms-root.sh in the background
# (downloads and dpkg, little CPU: it overlaps the builds of a cold run);
# dkms_root_wait SUITE waits for it and sets DKMS_ROOT to the root
# directory.
declare -A DKMS_ROOT_PID=()
dkms_root_start() {
	local suite=$1
	shift
	say "dkms root filesystem ($suite) ... (in the background; log: $LOGS/dkms-root-$suite.log)"
	(
		t0=$SECONDS rc=0
		"$HERE/dkms-root.sh" "$suite" "$@" >"$LOGS/dkms-root-$suite.log" 2>&1 || rc=$?
		echo "$((SECONDS - t0))" >"$LOGS/dkms-root-$suite.seconds"
		exit "$rc"
	) &
	DKMS_ROOT_PID[$suite]=$!
}
dkms_root_wait() {
	local suite=$1 rc=0 log=$LOGS/dkms-root-$1.log
	DKMS_ROOT=""
	if [[ -n ${DKMS_ROOT_PID[$suite]:-} ]]; then
		wait "${DKMS_ROOT_PID[$suite]}" || rc=$?
	else
		rc=1
		echo "not started" >"$log"
	fi
	if [[ $rc -eq 0 && -d $(tail -n 1 "$log") ]]; then
		say "dkms root filesystem ($suite): ok ($(cat "$LOGS/dkms-root-$suite.seconds") s)"
		DKMS_ROOT=$(tail -n 1 "$log")
		return 0
	fi
	say "dkms root filesystem ($suite): FAILED (exit $rc); last lines of $log:"
	tail -n "${TAIL_LINES:-25}" "$log" | sed 's/^/    | /'
	FAILED_PHASES+=("dkms root filesystem ($suite)")
	result FAIL "dkms $suite: root filesystem (see $log)"
	return 1
}

# dkms_roots_start: both root filesystems of dkms_check, in the background
dkms_roots_start() {
	local k
	local -a envs=()
	dkms_root_start trixie
	for k in stock-6.1 stock-6.12; do
		[[ -n ${KENV[$k]:-} ]] || get_kernel "$k" || return 0
		envs+=("${KENV[$k]}")
	done
	dkms_root_start bookworm "${envs[@]}"
}

# dkms_check: make deb; the package installed with dpkg into a Debian 12
# root filesystem holding the stock kernels' headers (testvm/dkms-root.sh),
# DKMS building for both, the stock 6.12 VM loading what DKMS installed,
# then purged (testvm/dkms.sh); the same without the VM in Debian 13 with
# its stock kernel headers. Needs dkms_roots_start, the demo build and
# ACCEL (or a VM to probe it with).
dkms_check() {
	local k dir=$BUILD/dkms
	local -a dkms_kernels=()
	for k in stock-6.1 stock-6.12; do
		[[ -n ${KENV[$k]:-} ]] || { result FAIL "dkms: no kernel $k"; return; }
		dkms_kernels+=("$k=$(kvar "$k" KRELEASE)")
	done
	rm -rf "$dir"
	mkdir -p "$dir/modules"
	if phase "dkms package (make deb)" "$LOGS/dkms-deb.log" \
		make -C "$SRC" deb DEB_BUILD="$dir/deb" DEB_OUT="$dir"; then
		result PASS "dkms package build (make deb)"
	else
		result FAIL "dkms package build (make deb)"
		return
	fi
	dkms_bookworm "$(ls "$dir"/*.deb)" "$dir" "${dkms_kernels[@]}"
	dkms_trixie "$(ls "$dir"/*.deb)" "$dir"
}

# dkms_bookworm DEB DIR KERNEL...: testvm/dkms.sh in the Debian 12 root,
# with the stock 6.12 VM
dkms_bookworm() {
	local deb=$1 dir=$2 vm=stock-6.12 rc=0
	shift 2
	dkms_root_wait bookworm || return 0
	copy_mm_modules "$vm" "$dir/modules"
	phase "initramfs ($vm, dkms)" "$LOGS/initramfs-dkms.log" \
		"$HERE/mkinitramfs.sh" "$dir/initramfs.cpio.gz" "$dir/modules" "" "$BUILD/demo" ||
		{ result FAIL "dkms bookworm: initramfs"; return 0; }
	[[ -n $ACCEL ]] || pick_accel "$vm" "$dir/initramfs.cpio.gz"
	phase "dkms (bookworm: dpkg -i, DKMS builds, $vm VM, purge)" "$LOGS/dkms-bookworm.log" \
		env VM_ACCEL="$ACCEL" DKMS_LABEL=bookworm "$HERE/dkms.sh" "$deb" "$DKMS_ROOT" \
		"$dir/test-bookworm" "${KENV[$vm]}" "$dir/initramfs.cpio.gz" "$@" || rc=$?
	if [[ -s $dir/test-bookworm/results.txt ]]; then
		cat "$dir/test-bookworm/results.txt" >>"$HOST_RESULTS"
	else
		result FAIL "dkms bookworm: test (exit $rc; see $LOGS/dkms-bookworm.log)"
	fi
}

# dkms_trixie DEB DIR: testvm/dkms.sh in the Debian 13 root, for its stock
# kernel headers (no VM)
dkms_trixie() {
	local deb=$1 dir=$2 k rc=0
	local -a trixie_kernels=()
	dkms_root_wait trixie || return 0
	for k in "$DKMS_ROOT"/lib/modules/*/build; do
		k=${k%/build}
		trixie_kernels+=("stock=${k##*/}")
	done
	phase "dkms (trixie: dpkg -i, DKMS builds, purge)" "$LOGS/dkms-trixie.log" \
		env DKMS_LABEL=trixie "$HERE/dkms.sh" "$deb" "$DKMS_ROOT" "$dir/test-trixie" - - \
		"${trixie_kernels[@]}" || rc=$?
	if [[ -s $dir/test-trixie/results.txt ]]; then
		cat "$dir/test-trixie/results.txt" >>"$HOST_RESULTS"
	else
		result FAIL "dkms trixie: test (exit $rc; see $LOGS/dkms-trixie.log)"
	fi
}

# mainline_build: the modules built with W=1 against the ABI check's
# mainline 7.x source, configured without its own mshv driver and only
# prepared for external modules (testvm/kernels.sh mainline): the compat
# layer against the newest kernel API. Such a tree has no Module.symvers:
# modpost only warns (KBUILD_MODPOST_WARN) that it is missing and that
# every symbol from the kernel is undefined, which is expected.
mainline_build() {
	local env name kdir log=$LOGS/w1-mainline.log
	local W1_MAKE_ARGS=KBUILD_MODPOST_WARN=1
	if ! phase "kernel mainline (source only)" "$LOGS/kernel-mainline.log" \
		"$HERE/kernels.sh" mainline; then
		result FAIL "W=1 build (mainline, source only): no prepared tree (see $LOGS/kernel-mainline.log)"
		return
	fi
	env=$(tail -n 1 "$LOGS/kernel-mainline.log")
	# shellcheck source=/dev/null
	name=$(. "$env" && printf '%s' "$KNAME")
	# shellcheck source=/dev/null
	kdir=$(. "$env" && printf '%s' "$KDIR")
	w1_build "$name, source only" "$BUILD/k/$name/src" "$kdir" "$log" \
		"Module\\.symvers is missing|modpost: .*: symbol '[^']*' undefined!|modpost: suppressed [0-9]+ unresolved symbol warnings" || true
}

# tools/syzkaller/mshv.txt against the headers (tools/syzkaller/check.py):
# ioctls, constants and their .const file, structure sizes
syzkaller_check() {
	local log=$LOGS/syzkaller.log line
	phase "syzkaller description" "$log" python3 "$SRC/tools/syzkaller/check.py" || true
	line=$(tail -n 1 "$log")
	if [[ $line == *" 0 differences" ]]; then
		result PASS "$line"
	else
		result FAIL "${line:-syzkaller description: check failed, see $log}"
	fi
}

# --- QEMU with -accel mshv -------------------------------------------------------

QEMU_ROOT=""
QEMU_ROOTFS_PID=""
# qemu_rootfs_start: testvm/qemu-rootfs.sh in the background (downloads and
# dpkg, little CPU: it overlaps the kernel builds of a cold run)
qemu_rootfs_start() {
	say "QEMU root filesystem ... (in the background; log: $LOGS/qemu-rootfs.log)"
	(
		t0=$SECONDS rc=0
		"$HERE/qemu-rootfs.sh" >"$LOGS/qemu-rootfs.log" 2>&1 || rc=$?
		echo "$((SECONDS - t0))" >"$LOGS/qemu-rootfs.seconds"
		exit "$rc"
	) &
	QEMU_ROOTFS_PID=$!
}

# qemu_prepare: wait for the QEMU root filesystem, build the guest images;
# sets QEMU_ROOT on success
qemu_prepare() {
	local rc=0 log=$LOGS/qemu-rootfs.log
	wait "$QEMU_ROOTFS_PID" || rc=$?
	QEMU_ROOT=$(tail -n 1 "$log")
	if [[ $rc -eq 0 && -x $QEMU_ROOT/usr/bin/qemu-system-x86_64 ]]; then
		say "QEMU root filesystem: ok ($(cat "$LOGS/qemu-rootfs.seconds") s): $QEMU_ROOT ($(grep -h '^QEMU_VERSION=' "$QEMU_ROOT/../rootfs.env"))"
		result PASS "QEMU root filesystem"
	else
		say "QEMU root filesystem: FAILED (exit $rc); last lines of $log:"
		tail -n "${TAIL_LINES:-25}" "$log" | sed 's/^/    | /'
		FAILED_PHASES+=("QEMU root filesystem")
		result FAIL "QEMU root filesystem"
		QEMU_ROOT=""
	fi
	rm -rf "$BUILD/qemu-fw"
	mkdir -p "$BUILD/qemu-fw"
	if phase "QEMU guest images" "$LOGS/qemu-fw-build.log" \
		make -C "$HERE/qemu-fw" OUT="$BUILD/qemu-fw"; then
		result PASS "QEMU guest images build"
		rm -f "$BUILD/qemu-fw"/*.o
	else
		result FAIL "QEMU guest images build"
		QEMU_ROOT=""
	fi
}

# qemu_kernel KERNEL: does KERNEL's VM run the QEMU cases?
qemu_kernel() {
	[[ ${QEMU_MSHV:-1} != 0 && " ${QEMU_KERNELS:-debug-6.12 stock-6.12} " == *" $1 "* ]]
}

# --- VMs -------------------------------------------------------------------------

ACCEL=""
pick_accel() { # pick_accel KERNEL INITRD
	ACCEL=${VM_ACCEL:-auto}
	[[ $ACCEL == auto ]] || return 0
	ACCEL=tcg
	if [[ -r /dev/kvm && -w /dev/kvm ]]; then
		if VM_ACCEL=kvm VM_TIMEOUT=60 "$HERE/run-vm.sh" "${KENV[$1]}" "$2" probe \
			"$LOGS/kvm-probe.log" >/dev/null 2>&1 &&
			grep -q '@@MSHVTEST END' "$LOGS/kvm-probe.log"; then
			ACCEL=kvm
		fi
	fi
	say "VM accelerator: $ACCEL$([[ $ACCEL == tcg ]] && [[ -e /dev/kvm ]] && echo ' (KVM probe boot failed; see logs/kvm-probe.log)')"
}

make_initrd() { # make_initrd KERNEL -> $BUILD/k/KERNEL/initramfs.cpio.gz
	local k=$1 qemu_images=""
	qemu_kernel "$k" && qemu_images=$BUILD/qemu-fw
	phase "initramfs ($k)" "$LOGS/initramfs-$k.log" \
		"$HERE/mkinitramfs.sh" "$BUILD/k/$k/initramfs.cpio.gz" "$BUILD/k/$k/modules" \
		"$BUILD/selftests" "$BUILD/demo" "" "$qemu_images"
}

# stress_seconds KERNEL: how long mshv_stress_test runs in KERNEL's check VM
stress_seconds() {
	if [[ $1 == debug-* ]]; then
		echo "${STRESS_DEBUG:-60}"
	else
		echo "${STRESS_OTHERS:-5}"
	fi
}

run_vm() { # run_vm KERNEL MODE
	local k=$1 mode=$2 t0=$SECONDS rc=0 qemu_root="" vm_timeout=${VM_TIMEOUT:-1200}
	# the debug kernel's VM takes about 1100 s beside the other lane on
	# a 2-core host: give it room on a busier one
	[[ -n ${VM_TIMEOUT:-} || $k != debug-* ]] || vm_timeout=2400
	local qemu_timeout=${QEMU_TIMEOUT:-60} append
	append="${VM_APPEND:-} mshvtest.stress=$(stress_seconds "$k")"
	if [[ $mode == check ]] && qemu_kernel "$k" && [[ -n $QEMU_ROOT ]]; then
		qemu_root=$QEMU_ROOT
		vm_timeout=$((vm_timeout + 28 * qemu_timeout))
	fi
	say "VM $k ($mode, $ACCEL${qemu_root:+, QEMU cases}) booting; console: $LOGS/vm-$k.log"
	VM_ACCEL=$ACCEL VM_QEMU_ROOT=$qemu_root QEMU_TIMEOUT=$qemu_timeout VM_TIMEOUT=$vm_timeout \
		VM_APPEND=$append "$HERE/run-vm.sh" "${KENV[$k]}" \
		"$BUILD/k/$k/initramfs.cpio.gz" "$mode" "$LOGS/vm-$k.log" || rc=$?
	say "VM $k finished in $((SECONDS - t0)) s (qemu exit $rc)"
}

# run_vm_pinned KERNEL: KERNEL again with pinned regions (the
# pin_regions module parameter), running only the region selftests and
# the fail-nth sweep
# (mshvtest.only), with the same KUnit, kmemleak and splat checks; the
# console goes to vm-KERNEL-pinned.log
run_vm_pinned() {
	local k=$1 t0=$SECONDS rc=0
	say "VM $k-pinned (check, pin_regions=1, region selftests, $ACCEL) booting; console: $LOGS/vm-$k-pinned.log"
	VM_ACCEL=$ACCEL VM_APPEND="${VM_APPEND:-} mshv_root.pin_regions=1 mshvtest.only=mshv_region_,mshv_fail_nth_test" \
		"$HERE/run-vm.sh" "${KENV[$k]}" "$BUILD/k/$k/initramfs.cpio.gz" check \
		"$LOGS/vm-$k-pinned.log" || rc=$?
	say "VM $k-pinned finished in $((SECONDS - t0)) s (qemu exit $rc)"
}

# The 1 TiB guest (selftests/mshv_guest_1tib_test.c) writes more than the
# VM's memory into a sparse 1 TiB region: it needs a VM whose size it
# knows and swap (zram) for the rest, so it runs in a VM of its own.

# tib_append MEM: the kernel command line of that VM: zram of TIB_ZRAM
# (default twice MEM), the test's size
tib_append() {
	local mem=$1 mib
	case $mem in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) mib=$((mem >> 20)) ;;
	esac
	printf 'mshvtest.zram=%s mshvtest.tib_percent=%s' "${TIB_ZRAM:-$((2 * mib))M}" \
		"${TIB_PERCENT:-125}"
}

# tib_bench LOG: the test's "bench:" lines from a console log
tib_bench() {
	sed -n 's/^\(\[[ 0-9.]*\] \)\{0,1\}\(bench: guest_1tib_.*\)/\2/p' "$1" | tr -d '\r'
}

# run_vm_tib KERNEL: the check initramfs of KERNEL in a VM of TIB_VM_MEM
# (default 512M) running only mshv_guest_1tib_test; console in
# vm-KERNEL-1tib.log; prints the test's figures
run_vm_tib() {
	local k=$1 mem=${TIB_VM_MEM:-512M} t0=$SECONDS rc=0 log=$LOGS/vm-$1-1tib.log
	say "VM $k-1tib (mshv_guest_1tib_test, $mem, $ACCEL) booting; console: $log"
	VM_ACCEL=$ACCEL VM_MEM=$mem TEST_TIMEOUT=${TIB_TIMEOUT:-1500} \
		VM_TIMEOUT=$((${TIB_TIMEOUT:-1500} + 600)) \
		VM_APPEND="${VM_APPEND:-} mshvtest.only=mshv_guest_1tib_test $(tib_append "$mem")" \
		"$HERE/run-vm.sh" "${KENV[$k]}" "$BUILD/k/$k/initramfs.cpio.gz" check "$log" || rc=$?
	say "VM $k-1tib finished in $((SECONDS - t0)) s (qemu exit $rc); figures:"
	tib_bench "$log" | sed 's/^/    /'
}

# --- main --------------------------------------------------------------------------

main_check() {
	local kernels=${KERNELS:-debug-6.12 stock-6.1 stock-6.12}
	local -a ready=() built=()
	local k ksrc=""

	phase "deps" "$LOGS/deps.log" "$HERE/deps.sh" || {
		say "cannot continue without the host packages"
		exit 1
	}
	[[ ${QEMU_MSHV:-1} == 0 ]] || qemu_rootfs_start
	for k in $kernels; do
		get_kernel "$k" && ready+=("$k")
	done
	[[ ${DKMS:-1} == 0 ]] || dkms_roots_start
	for k in "${ready[@]}"; do
		build_modules "$k" && built+=("$k")
		[[ -n $(kvar "$k" KSRC) ]] && ksrc=$(kvar "$k" KSRC)
	done
	[[ ${MAINLINE_BUILD:-1} == 0 ]] || mainline_build
	if [[ -n ${KENV[debug-6.12]:-} && -d $BUILD/k/debug-6.12/src ]]; then
		sparse_check
		[[ ${QUICK:-0} == 1 ]] || intree_check
	fi
	if [[ -z $ksrc ]] && get_kernel source-6.12; then
		ksrc=$(kvar source-6.12 KSRC)
	fi
	if [[ -z $ksrc ]]; then
		say "no unpacked kernel source available: no checkpatch / selftests"
		result FAIL "checkpatch"
		result FAIL "selftests build"
	else
		checkpatch "$ksrc"
		userspace_builds "$ksrc" || true
	fi
	abi_check
	syzkaller_check
	hvsim_user_tests
	[[ ${QUICK:-0} == 1 ]] || hvsim_fuzz
	if [[ ${QEMU_MSHV:-1} == 0 ]]; then
		say "SKIP qemu-mshv: QEMU_MSHV=0 (no QEMU with -accel mshv in the VMs)"
		printf 'SKIP qemu-mshv (QEMU_MSHV=0)\n' >>"$HOST_RESULTS"
	else
		qemu_prepare
	fi

	local -a vms=()
	for k in "${ready[@]}"; do
		if [[ -f $BUILD/k/$k/modules/hvsim.ko || -f $BUILD/k/$k/modules/mshv_root.ko ]]; then
			make_initrd "$k" && vms+=("$k")
		else
			result FAIL "VM run ($k): no modules were built"
		fi
	done
	# Two lanes: the debug kernel's VM (the longest) in the background,
	# everything else (the other kernels, pinned regions, DKMS, then the
	# 1tib lane) after one another in the foreground
	local -a parse_args=()
	local bg="" tib="" flags
	if [[ ${TIB_LANE:-1} == 1 && ${#vms[@]} -gt 0 ]] &&
		{ [[ -z ${SELFTESTS:-} ]] || [[ " $SELFTESTS " == *" mshv_guest_1tib_test "* ]]; }; then
		tib=${TIB_KERNEL:-}
		if [[ -z $tib ]]; then
			tib=${vms[-1]}
			[[ " ${vms[*]} " != *" stock-6.12 "* ]] || tib=stock-6.12
		fi
		[[ " ${vms[*]} " == *" $tib "* ]] || { result FAIL "VM run ($tib-1tib): no VM for $tib"; tib=""; }
	fi
	if [[ ${#vms[@]} -gt 0 ]]; then
		pick_accel "${vms[-1]}" "$BUILD/k/${vms[-1]}/initramfs.cpio.gz"
		for k in "${vms[@]}"; do
			if [[ $k == debug-* && ${VM_PARALLEL:-1} == 1 && ${#vms[@]} -gt 1 ]]; then
				run_vm "$k" check &
				bg=$!
			else
				run_vm "$k" check
			fi
		done
		if [[ -n $tib ]]; then
			flags=""
			[[ $(kvar "$tib" KUNIT) == y ]] && flags=":kunit"
			parse_args+=(--vm "$tib-1tib=$LOGS/vm-$tib-1tib.log$flags")
		fi
		for k in "${vms[@]}"; do
			flags=""
			[[ $(kvar "$k" KUNIT) == y ]] && flags+=":kunit"
			qemu_kernel "$k" && flags+=":qemu"
			parse_args+=(--vm "$k=$LOGS/vm-$k.log$flags")
		done
		# Pinned regions on the debug kernel (when its region tests exist)
		if [[ ${PINNED_VM:-1} == 1 && " ${vms[*]} " == *" debug-6.12 "* ]] &&
			compgen -G "$BUILD/selftests/mshv_region_*" >/dev/null; then
			run_vm_pinned debug-6.12
			parse_args+=(--vm "debug-6.12-pinned=$LOGS/vm-debug-6.12-pinned.log")
		fi
	fi

	if [[ ${DKMS:-1} == 1 ]]; then
		dkms_check
	else
		printf 'SKIP dkms (DKMS=0)\n' >>"$HOST_RESULTS"
	fi
	[[ -z $tib ]] || run_vm_tib "$tib"
	[[ -z $bg ]] || wait "$bg" || true

	say "total time $((SECONDS - START)) s; results:"
	python3 "$HERE/parse-results.py" --host "$HOST_RESULTS" "${parse_args[@]}"
}

main_demo() {
	local k=stock-6.1
	phase "deps" "$LOGS/deps.log" "$HERE/deps.sh" || exit 1
	get_kernel "$k" || exit 1
	build_modules "$k" || say "continuing with what was built"
	userspace_builds "" || exit 1
	[[ -f $BUILD/demo/mshv_demo ]] || { say "demo build produced no mshv_demo"; exit 1; }
	make_initrd "$k" || exit 1
	pick_accel "$k" "$BUILD/k/$k/initramfs.cpio.gz"
	local t0=$SECONDS
	say "VM $k (demo, $ACCEL) booting; console: $LOGS/demo-$k.log"
	VM_ACCEL=$ACCEL VM_TIMEOUT=${VM_TIMEOUT:-300} "$HERE/run-vm.sh" "${KENV[$k]}" \
		"$BUILD/k/$k/initramfs.cpio.gz" demo "$LOGS/demo-$k.log" || true
	say "VM finished in $((SECONDS - t0)) s; guest output:"
	python3 "$HERE/parse-results.py" --demo "$LOGS/demo-$k.log"
}

# bench: the benchmarks (bench/, or BENCHES) in one VM of BENCH_KERNEL (default
# Debian's stock 6.12: no debug options distorting the ratios); prints the
# "bench: ..." lines and saves them to $BUILD/bench-results.txt
main_bench() {
	local k=${BENCH_KERNEL:-stock-6.12} log rc=0
	phase "deps" "$LOGS/deps.log" "$HERE/deps.sh" || exit 1
	get_kernel "$k" || exit 1
	build_modules "$k" || exit 1
	rm -rf "$BUILD/bench"
	mkdir -p "$BUILD/bench"
	phase "bench build" "$LOGS/bench-build.log" \
		make -C "$SRC/bench" OUT="$BUILD/bench" -j"$JOBS" \
		${BENCHES:+BENCHES="$BENCHES"} || exit 1
	phase "initramfs ($k, bench)" "$LOGS/initramfs-$k.log" \
		"$HERE/mkinitramfs.sh" "$BUILD/k/$k/initramfs-bench.cpio.gz" \
		"$BUILD/k/$k/modules" "" "" "$BUILD/bench" || exit 1
	pick_accel "$k" "$BUILD/k/$k/initramfs-bench.cpio.gz"
	log=$LOGS/bench-$k.log
	say "VM $k (bench, $ACCEL) booting; console: $log"
	VM_ACCEL=$ACCEL VM_MEM=${VM_MEM:-6G} VM_TIMEOUT=${VM_TIMEOUT:-2400} TEST_TIMEOUT=${TEST_TIMEOUT:-1800} \
		"$HERE/run-vm.sh" "${KENV[$k]}" "$BUILD/k/$k/initramfs-bench.cpio.gz" bench \
		"$log" || rc=$?
	sed -n 's/^\(\[[ 0-9.]*\] \)\{0,1\}\(bench: .*\)/\2/p' "$log" | tr -d '\r' >"$BUILD/bench-results.txt"
	say "results ($(uname -n), $(date -u +%Y-%m-%d), kernel $k, $ACCEL):"
	sed 's/^/    /' "$BUILD/bench-results.txt"
	if [[ $rc -ne 0 ]] || ! grep -q '@@MSHVTEST BENCH-END .* rc=0' "$log" ||
		grep -q '@@MSHVTEST BENCH-END .* rc=[1-9]' "$log"; then
		say "bench: a benchmark failed or the VM did not finish; see $log"
		exit 1
	fi
}

# one_selftest_vm NAME TEST SECS APPEND: build selftest TEST alone and boot
# one VM of KERNEL (default debug-6.12) that runs only it, for a test that
# runs about SECS seconds, with APPEND on the kernel command line; the
# console goes to logs/NAME-KERNEL.log, parsed like a check VM's (the test,
# its summary line, splats, kmemleak, hvsim invariants)
one_selftest_vm() {
	local name=$1 test=$2 secs=$3 append=$4
	local k=${KERNEL:-debug-6.12} ksrc log rc=0 flags=""
	[[ $secs =~ ^[1-9][0-9]*$ ]] || { say "DURATION must be a number of seconds"; exit 2; }
	phase "deps" "$LOGS/deps.log" "$HERE/deps.sh" || exit 1
	get_kernel "$k" || exit 1
	build_modules "$k" || exit 1
	ksrc=$(kvar "$k" KSRC)
	if [[ -z $ksrc ]]; then
		get_kernel source-6.12 || exit 1
		ksrc=$(kvar source-6.12 KSRC)
	fi
	rm -rf "${BUILD:?}/$name"
	mkdir -p "$BUILD/$name"
	phase "selftest build ($test)" "$LOGS/$name-build.log" \
		make -C "$SRC/selftests" KSRC="$ksrc" OUT="$BUILD/$name" TESTS="$test" || exit 1
	phase "initramfs ($k, $name)" "$LOGS/initramfs-$k.log" \
		"$HERE/mkinitramfs.sh" "$BUILD/k/$k/initramfs-$name.cpio.gz" \
		"$BUILD/k/$k/modules" "$BUILD/$name" "" || exit 1
	pick_accel "$k" "$BUILD/k/$k/initramfs-$name.cpio.gz"
	log=$LOGS/$name-$k.log
	say "VM $k ($name, $secs s, $ACCEL) booting; console: $log"
	# boot, module loads and the kmemleak scans take a few minutes on TCG
	VM_ACCEL=$ACCEL VM_TIMEOUT=$((secs + 900)) TEST_TIMEOUT=$((secs + 600)) \
		VM_APPEND="${VM_APPEND:-} mshvtest.only=$test $append" \
		"$HERE/run-vm.sh" "${KENV[$k]}" "$BUILD/k/$k/initramfs-$name.cpio.gz" check \
		"$log" || rc=$?
	say "VM $k finished (qemu exit $rc); results:"
	[[ $(kvar "$k" KUNIT) == y ]] && flags=":kunit"
	python3 "$HERE/parse-results.py" --host "$HOST_RESULTS" --vm "$k=$log$flags" || rc=1
	return "$rc"
}

# fuzz: the ioctl fuzzer alone for DURATION seconds (default 600) with SEED
# (default: the time)
main_fuzz() {
	local dur=${DURATION:-600} seed=${SEED:-$(date +%s)}
	say "fuzz: $dur s, seed $seed"
	one_selftest_vm fuzz mshv_fuzz "$dur" \
		"mshvtest.fuzz_duration=$dur mshvtest.fuzz_seed=$seed"
}

# stress: mshv_stress_test alone for DURATION seconds (default 60), then its
# summary line
main_stress() {
	local secs=${DURATION:-60} rc=0
	one_selftest_vm stress mshv_stress_test "$secs" "mshvtest.stress=$secs" || rc=$?
	sed -n 's/^.*# \(stress: [0-9]* operations .*\)/\1/p' \
		"$LOGS/stress-${KERNEL:-debug-6.12}.log" | tr -d '\r'
	return "$rc"
}

# 1tib: mshv_guest_1tib_test alone at full size (TIB_VM_MEM, default 6G)
# on KERNEL (default stock-6.12: the figures without debug options); its
# figures go to $BUILD/1tib-results.txt
main_1tib() {
	local mem=${TIB_VM_MEM:-6G} k=${KERNEL:-stock-6.12} rc=0
	KERNEL=$k VM_MEM=$mem one_selftest_vm 1tib mshv_guest_1tib_test \
		"${TIB_TIMEOUT:-14400}" "$(tib_append "$mem")" || rc=$?
	tib_bench "$LOGS/1tib-$k.log" >"$BUILD/1tib-results.txt"
	say "figures ($(uname -n), kernel $k, VM $mem, $ACCEL):"
	sed 's/^/    /' "$BUILD/1tib-results.txt"
	return "$rc"
}

# linux_guest_initrd OUT: the guest's busybox initramfs, whose /init prints
# one line and powers the guest off
linux_guest_initrd() {
	local out=$1 stage busybox
	busybox=$(command -v busybox) || { echo "no busybox (install busybox-static)"; return 1; }
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys}
	cp "$busybox" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cat >"$stage/init" <<'INIT'
#!/bin/sh
/bin/busybox echo "mshv-linux-guest: init reached"
/bin/busybox poweroff -f
INIT
	chmod 0755 "$stage/init"
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out"
	rm -rf "$stage"
}

# linux-guest: the Linux guest booted by QEMU -accel mshv inside one VM of
# KERNEL (default stock-6.12); its lines go to $BUILD/linux-guest.txt
main_linux_guest() {
	local k=${KERNEL:-stock-6.12} lg=$BUILD/linux-guest genv log rc=0
	local timeout=${LG_TIMEOUT:-2400}
	phase "deps" "$LOGS/deps.log" "$HERE/deps.sh" || exit 1
	qemu_rootfs_start
	get_kernel "$k" || exit 1
	build_modules "$k" || exit 1
	say "Linux guest kernel (cached; a build takes minutes)"
	phase "Linux guest kernel" "$LOGS/kernel-guest.log" "$HERE/kernels.sh" guest || exit 1
	genv=$(tail -n 1 "$LOGS/kernel-guest.log")
	rm -rf "$lg"
	mkdir -p "$lg"
	(
		# shellcheck source=/dev/null
		. "$genv"
		cp "$KIMAGE" "$lg/vmlinux" && cp "$KMAP" "$lg/System.map" &&
			printf '%s (%s)\n' "$KRELEASE" "$KVERSION" >"$lg/release"
	) || exit 1
	phase "Linux guest initramfs" "$LOGS/linux-guest-initrd.log" \
		linux_guest_initrd "$lg/initrd.cpio.gz" || exit 1
	QEMU_MSHV=1 QEMU_KERNELS=$k
	qemu_prepare
	[[ -n $QEMU_ROOT ]] || exit 1
	phase "initramfs ($k, linux-guest)" "$LOGS/initramfs-$k.log" \
		"$HERE/mkinitramfs.sh" "$BUILD/k/$k/initramfs-linux-guest.cpio.gz" \
		"$BUILD/k/$k/modules" "" "" "" "" "$lg" || exit 1
	pick_accel "$k" "$BUILD/k/$k/initramfs-linux-guest.cpio.gz"
	log=$LOGS/linux-guest-$k.log
	say "VM $k (linux-guest, guest timeout $timeout s, $ACCEL) booting; console: $log"
	VM_ACCEL=$ACCEL VM_QEMU_ROOT=$QEMU_ROOT VM_TIMEOUT=$((timeout + 600)) VM_MEM=${VM_MEM:-2G} \
		VM_APPEND="${VM_APPEND:-} mshvtest.lg_timeout=$timeout mshvtest.lg_smp=${LG_SMP:-2} mshvtest.lg_sample=${LG_SAMPLE:-30}${LG_APPEND:+ mshvtest.lg_append=${LG_APPEND// /+}}" \
		"$HERE/run-vm.sh" "${KENV[$k]}" "$BUILD/k/$k/initramfs-linux-guest.cpio.gz" linux-guest \
		"$log" || rc=$?
	sed -n '/@@MSHVTEST LINUX-GUEST-BEGIN/,/@@MSHVTEST LINUX-GUEST-END/p' "$log" | tr -d '\r' |
		sed 's/^\[[ 0-9.]*\] //' >"$BUILD/linux-guest.txt"
	grep -E '^(linux-guest: sample|  last console line)' "$BUILD/linux-guest.txt" | sed 's/^/    /'
	say "result ($(uname -n), kernel $k, $ACCEL):"
	grep -E '^linux-guest: (booted|stopped)' "$BUILD/linux-guest.txt" | sed 's/^/    /' ||
		say "no result line: the VM did not finish (qemu exit $rc); see $log"
	grep -q '^linux-guest: booted' "$BUILD/linux-guest.txt"
}

case $MODE in
check) main_check ;;
linux-guest) main_linux_guest ;;
1tib) main_1tib ;;
demo) main_demo ;;
bench) main_bench ;;
fuzz) main_fuzz ;;
stress) main_stress ;;
*)
	echo "usage: $0 check|demo|bench|fuzz|stress|1tib|linux-guest" >&2
	exit 2
	;;
esac
