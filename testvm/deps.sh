#!/usr/bin/env bash
# Install the host packages the mshv_root test pipeline needs.
# Idempotent: on a machine that already has everything it costs ~1 s.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi

PACKAGES=(
	build-essential bc flex bison libelf-dev libssl-dev cpio xz-utils zstd
	kmod qemu-system-x86 busybox-static sparse python3 git rsync
	dwarves perl gzip
	clang-14 libclang-rt-14-dev
	ca-certificates debian-archive-keyring dpkg-dev util-linux
	debhelper dh-dkms
)

need_update=0

# bookworm-backports: Debian's 6.12 kernel lives there.
bp_suite=bookworm-backports
if ! grep -rqs -- "$bp_suite" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deps.sh: adding the $bp_suite apt source"
	cat >/etc/apt/sources.list.d/mshv-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $bp_suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ $status != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

# linux-source-6.12 and the stock kernels are fetched with apt-get download,
# which needs package lists that know the backports suite.
if [[ $need_update -eq 0 ]] && ! compgen -G "/var/lib/apt/lists/*${bp_suite}*Packages*" >/dev/null; then
	need_update=1
fi

if [[ ${#missing[@]} -gt 0 || $need_update -eq 1 ]]; then
	echo "deps.sh: apt-get update"
	apt-get update -q </dev/null
fi

if [[ ${#missing[@]} -gt 0 ]]; then
	echo "deps.sh: installing: ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
