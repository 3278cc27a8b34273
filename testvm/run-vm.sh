#!/usr/bin/env bash
# Boot one test VM and save its serial console to a log file.
#   run-vm.sh KERNEL_ENV INITRD MODE LOG
# KERNEL_ENV: env file printed by testvm/kernels.sh; MODE: check|demo|probe|dkms
# Environment:
#   VM_TIMEOUT   host-side timeout in seconds (default 1200)
#   VM_ACCEL     tcg | kvm (default tcg)
#   VM_MEM       guest memory (default 4G);  VM_SMP  vCPUs (default 2)
#   VM_CPU       -cpu model (default max)
#   VM_LOGLEVEL  console loglevel (default 5: warnings and worse)
#   VM_APPEND    extra kernel command line (e.g. mshv_root.param=1)
#   TEST_TIMEOUT per selftest binary timeout inside the guest (default 300)
#   VM_QEMU_ROOT QEMU root filesystem (testvm/qemu-rootfs.sh) to share
#                read-only over virtio-9p (tag qemuroot); the guest then runs
#                the QEMU cases (mshvtest.qemu=1)
#   QEMU_TIMEOUT seconds per QEMU run inside the guest (default 60)
#   QEMU_ONLY    run only these QEMU cases (mshvtest.qemu_only, see init)
#   VM_DKMS_ROOT root filesystem the DKMS test installed the package into
#                (testvm/dkms.sh), shared read-only over virtio-9p (tag
#                dkmsroot) for mshvtest.mode=dkms
set -euo pipefail

env_file=${1:?usage: run-vm.sh KERNEL_ENV INITRD MODE LOG}
initrd=${2:?missing INITRD}
mode=${3:?missing MODE}
log=${4:?missing LOG}

# shellcheck source=/dev/null
. "$env_file"
[[ -f ${KIMAGE:-} ]] || { echo "run-vm.sh: no kernel image '${KIMAGE:-}' (from $env_file)" >&2; exit 1; }
[[ -f $initrd ]] || { echo "run-vm.sh: no initramfs $initrd" >&2; exit 1; }

accel=${VM_ACCEL:-tcg}
case $accel in
kvm) accel_args=(-accel kvm) ;;
tcg) accel_args=(-accel "tcg,thread=multi") ;;
*) echo "run-vm.sh: VM_ACCEL must be tcg or kvm, not '$accel'" >&2; exit 1 ;;
esac

append="console=ttyS0 panic=-1 loglevel=${VM_LOGLEVEL:-5} mshvtest.mode=$mode"
# Two emulated NUMA nodes and a few 2 MiB huge pages for the region tests
append+=" numa=fake=2 hugepages=16"
# Four-level paging although "-cpu max" offers LA57: on the kernels we
# test, an interrupt that arrives while identify_cpu() rebuilds the boot
# CPU's capabilities sees LA57 cleared, so KASAN takes the 5-level direct
# map for a wild-memory-access (a false positive that failed a debug run
# now and then, before any module was loaded).
append+=" no5lvl"
append+=" mshvtest.timeout=${TEST_TIMEOUT:-300} ${VM_APPEND:-}"
share_args=()
if [[ -n ${VM_QEMU_ROOT:-} ]]; then
	[[ -x $VM_QEMU_ROOT/usr/bin/qemu-system-x86_64 ]] ||
		{ echo "run-vm.sh: $VM_QEMU_ROOT is no QEMU root filesystem" >&2; exit 1; }
	share_args=(-virtfs "local,path=$VM_QEMU_ROOT,mount_tag=qemuroot,security_model=none,readonly=on")
	append+=" mshvtest.qemu=1 mshvtest.qemu_timeout=${QEMU_TIMEOUT:-60}"
	[[ -z ${QEMU_ONLY:-} ]] || append+=" mshvtest.qemu_only=$QEMU_ONLY"
fi

if [[ -n ${VM_DKMS_ROOT:-} ]]; then
	[[ -d $VM_DKMS_ROOT/var/lib/dkms ]] ||
		{ echo "run-vm.sh: $VM_DKMS_ROOT has no DKMS" >&2; exit 1; }
	share_args+=(-virtfs "local,path=$VM_DKMS_ROOT,mount_tag=dkmsroot,security_model=none,readonly=on")
fi

# "-vga std" (QEMU's default, made explicit): the MMIO region tests map
# the standard VGA's video RAM (BAR 0, PCI 1234:1111) as device memory.

mkdir -p "$(dirname "$log")"
rc=0
timeout -k 10 "${VM_TIMEOUT:-1200}" \
	qemu-system-x86_64 "${accel_args[@]}" \
	-machine q35 -cpu "${VM_CPU:-max}" -smp "${VM_SMP:-2}" -m "${VM_MEM:-4G}" \
	-nographic -no-reboot -nic none -vga std \
	-kernel "$KIMAGE" -initrd "$initrd" -append "$append" "${share_args[@]}" \
	</dev/null >"$log" 2>&1 || rc=$?
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
	printf '\n@@HOST VM timed out after %s s\n' "${VM_TIMEOUT:-1200}" >>"$log"
fi
exit "$rc"
