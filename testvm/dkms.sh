#!/usr/bin/env bash
# The DKMS test of make check: the mshv-root-dkms package installed with
# dpkg into a throwaway Debian 12 root filesystem (an overlay of the cached
# testvm/dkms-root.sh tree), then used from a VM, then purged.
#
#   dkms.sh DEB ROOT WORK VM_KERNEL_ENV INITRD KERNEL...
#
#   DEB            the package (make deb)
#   ROOT           the cached root filesystem (testvm/dkms-root.sh)
#   WORK           scratch directory (the overlay's upper layer, logs)
#   VM_KERNEL_ENV  the kernel (testvm/kernels.sh) the VM boots: the modules
#                  it loads are the ones DKMS built for it in ROOT; "-": no
#                  VM
#   INITRD         the VM's initramfs (testvm/mkinitramfs.sh: the demo and
#                  the kernel's 9p modules; /init runs testvm/dkms-vm.sh)
#   KERNEL...      NAME=RELEASE of every kernel DKMS must build and install
#                  for (NAME as in the results)
#
# Steps, one result line each ("PASS|FAIL dkms ...", in WORK/results.txt):
# dpkg -i; per kernel, DKMS built and installed both modules (dkms status,
# vermagic); a kernel with its own CONFIG_MSHV_ROOT is skipped
# (BUILD_EXCLUSIVE_CONFIG); the VM's checks (testvm/dkms-vm.sh: modprobe
# loads hvsim first, udev gives /dev/mshv its mode and group, the demo
# guest runs for the group and not for others, modprobe -r) and no kernel
# splat; dpkg --purge, after which none of the package's files, no DKMS
# tree and no module are left, and the overlay's upper layer holds nothing
# but dpkg's and depmod's own records.
# Environment: DKMS_LABEL (the root filesystem's name in the results, e.g.
# bookworm), VM_ACCEL, VM_TIMEOUT (default 300) as for testvm/run-vm.sh.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deb=${1:?usage: dkms.sh DEB ROOT WORK VM_KERNEL_ENV INITRD KERNEL...}
lower=${2:?missing ROOT}
work=${3:?missing WORK}
vm_env=${4:?missing VM_KERNEL_ENV}
initrd=${5:?missing INITRD}
shift 5
kernels=("$@")

PKG=$(dpkg-deb -f "$deb" Package)
DKMS_NAME=mshv-root
RESULTS=$work/results.txt
LABEL=${DKMS_LABEL:+ $DKMS_LABEL:}
root=$work/root

say() { printf '[dkms] %s\n' "$*"; }
result() { # result OK NAME: PASS if OK is 0
	if [[ $1 -eq 0 ]]; then
		printf 'PASS dkms%s %s\n' "$LABEL" "$2" >>"$RESULTS"
	else
		printf 'FAIL dkms%s %s\n' "$LABEL" "$2" >>"$RESULTS"
	fi
	say "$([[ $1 -eq 0 ]] && echo PASS || echo FAIL) dkms$LABEL $2"
}

binds=()
bind_system() {
	local d
	for d in proc sys dev; do
		mount --bind "/$d" "$root/$d" && binds+=("$root/$d")
	done
}
unbind_system() {
	local i
	for ((i = ${#binds[@]} - 1; i >= 0; i--)); do
		umount "${binds[i]}" 2>/dev/null || umount -l "${binds[i]}"
	done
	binds=()
}
cleanup() {
	unbind_system
	if mountpoint -q "$root"; then
		umount "$root" 2>/dev/null || umount -l "$root"
	fi
}
trap cleanup EXIT

in_root() {
	chroot "$root" "$@"
}

cleanup
rm -rf "$work"
mkdir -p "$work/upper" "$work/ovl" "$root"
: >"$RESULTS"
if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/ovl" "$root"; then
	result 1 "root filesystem: cannot mount an overlay of $lower"
	exit 1
fi
bind_system

# --- install -------------------------------------------------------------
cp "$deb" "$root/tmp/"
rc=0
in_root dpkg -i "/tmp/${deb##*/}" >"$work/dpkg-i.log" 2>&1 || rc=$?
sed 's/^/    /' "$work/dpkg-i.log"
rm -f "$root/tmp/${deb##*/}"
result "$rc" "dpkg -i ${deb##*/} (dkms $(in_root dpkg-query -W -f '${Version}' dkms))"
in_root dpkg-query -L "$PKG" >"$work/files.txt" 2>/dev/null
version=$(dpkg-deb -f "$deb" Version)

for k in "${kernels[@]}"; do
	kname=${k%%=*}
	krel=${k#*=}
	status=$(in_root dkms status -m "$DKMS_NAME" -v "$version" -k "$krel" 2>/dev/null)
	say "dkms status ($krel): $status"
	ok=0
	[[ $status == *": installed"* ]] || ok=1
	magic=""
	for m in mshv_root hvsim; do
		# DKMS compresses them as the kernel's own modules are
		f=$(cd "$root" && ls "lib/modules/$krel/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
		v=$(in_root modinfo -F vermagic "/$f" 2>/dev/null)
		[[ -n $f && $v == "$krel "* ]] || ok=1
		magic+=" ${f##*/} ${v%% *}"
	done
	result "$ok" "build and install for $kname ($krel): ${status##*: }, vermagic:$magic"
done

# BUILD_EXCLUSIVE_CONFIG: the .config of a kernel that has its own
# mshv_root (a copy of the first kernel's with CONFIG_MSHV_ROOT=m) must be
# skipped (dkms exit status 77), not built.
krel0=${kernels[0]#*=}
fake=0.0.0-mshv-in-tree
mkdir -p "$root/lib/modules/$fake/build/include"
{
	in_root grep -v 'CONFIG_MSHV_ROOT' "/lib/modules/$krel0/build/.config"
	echo CONFIG_MSHV_ROOT=m
} >"$root/lib/modules/$fake/build/.config"
rc=0
in_root dkms build -m "$DKMS_NAME" -v "$version" -k "$fake" >"$work/exclusive.log" 2>&1 || rc=$?
sed 's/^/    /' "$work/exclusive.log"
skipped=$([[ $rc -eq 77 ]] && grep -q 'BUILD_EXCLUSIVE' "$work/exclusive.log" && echo 0 || echo 1)
result "$skipped" "skips a kernel with CONFIG_MSHV_ROOT=m (dkms build exit $rc)"
in_root dkms remove -m "$DKMS_NAME" -v "$version" -k "$fake" >/dev/null 2>&1
rm -rf "$root/lib/modules/$fake"

# --- the VM --------------------------------------------------------------
unbind_system
if [[ $vm_env != - ]]; then
	vm_log=$work/vm.log
	t0=$SECONDS
	VM_DKMS_ROOT=$root VM_TIMEOUT=${VM_TIMEOUT:-300} "$HERE/run-vm.sh" "$vm_env" "$initrd" dkms "$vm_log"
	# shellcheck source=/dev/null
	say "VM $(. "$vm_env" && printf '%s' "$KNAME") finished in $((SECONDS - t0)) s; console: $vm_log"
	n=0
	while read -r status name; do
		n=$((n + 1))
		result "$([[ $status == ok ]] && echo 0 || echo 1)" "$name"
	done < <(tr -d '\r' <"$vm_log" | sed -n 's/^.*@@MSHVTEST DKMS \(ok\|FAIL\) /\1 /p')
	# testvm/dkms-vm.sh checks 6 things
	result "$([[ $n -eq 6 ]] && echo 0 || echo 1)" "VM ran $n of 6 checks"
	splat=$(grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|hung_task|INFO: task' "$vm_log" | head -n 3)
	result "$([[ -z $splat ]] && echo 0 || echo 1)" "VM: no kernel splat${splat:+: $splat}"
fi

# --- purge ---------------------------------------------------------------
bind_system
rc=0
in_root dpkg --purge "$PKG" >"$work/dpkg-purge.log" 2>&1 || rc=$?
sed 's/^/    /' "$work/dpkg-purge.log"
result "$rc" "dpkg --purge $PKG"
unbind_system

left=()
# The package's files (directories only when the base system lacks them)
while read -r f; do
	[[ -z $f || $f == /. ]] && continue
	if [[ -d $root$f && ! -L $root$f ]]; then
		[[ -d $lower$f ]] || left+=("$f")
	elif [[ -e $root$f || -L $root$f ]]; then
		left+=("$f")
	fi
done <"$work/files.txt"
# The DKMS tree and the modules
[[ ! -e $root/var/lib/dkms/$DKMS_NAME ]] || left+=("/var/lib/dkms/$DKMS_NAME")
while read -r f; do
	left+=("${f#"$root"}")
done < <(find "$root/usr/src" -maxdepth 1 -name "$DKMS_NAME-*"
	find "$root/usr/lib/modules/" \( -name 'mshv_root.ko*' -o -name 'hvsim.ko*' \))
status=$(in_root dpkg-query -W -f '${db:Status-Abbrev}' "$PKG" 2>/dev/null)
[[ -z $status || $status == "un "* || $status == "pn "* ]] || left+=("dpkg status '$status'")
# Anything else the upper layer holds beyond the records of dpkg, depmod
# and the group kvm (which the package adds when udev has not)
while read -r f; do
	left+=("$f")
done < <(cd "$work/upper" && find . ! -type d ! -type c | sed 's#^\.##' |
	grep -vE '^/(var/lib/dpkg/|var/log/|var/cache/debconf/|etc/(group|gshadow|passwd|shadow|subgid|subuid)-?$|usr/lib/modules/[^/]+/modules\.[a-z.]+$)')
files=$(grep -c . "$work/files.txt")
if [[ ${#left[@]} -eq 0 ]]; then
	result 0 "purge leaves nothing ($files package paths, dkms tree, modules, overlay upper layer)"
else
	result 1 "purge leaves ${#left[@]}: ${left[*]:0:5}"
fi
