#!/usr/bin/env bash
# A Debian root filesystem that the DKMS test (testvm/dkms.sh) installs the
# mshv-root-dkms package into, with dkms, kmod and udev of its release:
#
#   dkms-root.sh bookworm KERNEL_ENV...
#       Debian 12 with the stock kernels' packages the test VMs boot
#       (testvm/kernels.sh; KERNEL_ENV: their env files): the 6.1 headers,
#       and the 6.12 bookworm-backports headers with their image (the
#       headers depend on it)
#   dkms-root.sh trixie
#       Debian 13 with its stock kernel headers (linux-headers-amd64)
#
# Each prints (last stdout line) the root directory, building it on a cache
# miss.
#
# Cache: ${MSHV_CACHE:-/var/cache/mshv-root}/dkms-root-<suite>-<key>/root,
# key = the kernel packages, the release's candidates of the packages
# (bookworm: the host's apt lists; trixie: its own apt state directory,
# dkms-apt-trixie/, refreshed daily), debootstrap's version and the recipe
# below. Built in
# .tmp-dkms-root-* and renamed into place under flock (as
# testvm/qemu-rootfs.sh does). The kernel packages come from the download
# cache that testvm/kernels.sh filled; everything else from the mirror.
# The test never changes this tree: it works on an overlay of it.
# With KERNELS_CACHED_ONLY=1 a cache miss exits 3 instead of building.
set -euo pipefail

CACHE=${MSHV_CACHE:-/var/cache/mshv-root}
MIRROR=${DKMS_ROOT_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SUITE=${1:-}
shift || true
export DEBIAN_FRONTEND=noninteractive

log() { printf '[dkms-root] %s\n' "$*" >&2; }
die() { printf '[dkms-root] ERROR: %s\n' "$*" >&2; exit 1; }

# The recipe (hashed into the key)
PACKAGES=(dkms kmod udev)
BACKPORTED=()
case $SUITE in
bookworm)
	[[ $# -gt 0 ]] || die "usage: dkms-root.sh bookworm KERNEL_ENV..."
	BACKPORTED=(linux-base)
	;;
trixie) PACKAGES+=(linux-headers-amd64) ;;
*) die "usage: dkms-root.sh bookworm KERNEL_ENV... | trixie" ;;
esac
NO_UNPACK=(/usr/share/doc /usr/share/man /usr/share/info /usr/share/locale /usr/share/lintian)

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot)"

# deb_of PKG: the one .deb of PKG in the download cache (newest version)
deb_of() {
	local f
	f=$(find "$CACHE/downloads" -maxdepth 1 -name "${1}_*.deb" | sort -V | tail -n 1)
	[[ -n $f ]] || die "no $1 in $CACHE/downloads (run testvm/kernels.sh stock ...)"
	printf '%s\n' "$f"
}

# debs_of_kernel ENV: the headers package of that kernel and what it needs
# of the kernel's own packages (-common, kbuild, and the image when the
# headers depend on it)
debs_of_kernel() {
	local krel headers dep
	# shellcheck source=/dev/null
	krel=$(. "$1" && printf '%s' "$KRELEASE")
	[[ -n $krel ]] || die "$1 names no KRELEASE"
	headers=$(deb_of "linux-headers-$krel")
	printf '%s\n' "$headers"
	while read -r dep; do
		case $dep in
		linux-headers-*-common | linux-kbuild-* | "linux-image-$krel") deb_of "$dep" ;;
		esac
	done < <(dpkg-deb -f "$headers" Depends | tr ',|' '\n\n' | sed -e 's/^ *//' -e 's/ .*//')
}

debs=()
for env in "$@"; do
	mapfile -t -O "${#debs[@]}" debs < <(debs_of_kernel "$env")
done

# shellcheck source=testvm/debootstrap.sh
. "$(dirname "${BASH_SOURCE[0]}")/debootstrap.sh"

# apt-cache on the release's lists: the host's for bookworm, else a private
# apt state (testvm/private-apt.sh)
if [[ $SUITE == bookworm ]]; then
	sapt() { "$@"; }
else
	APTDIR=$CACHE/dkms-apt-$SUITE
	# shellcheck source=testvm/private-apt.sh
	. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
	private_apt_init "$APTDIR" "deb [signed-by=$KEYRING] $MIRROR $SUITE main"
	sapt() { private_apt "$APTDIR" "$@"; }
	if [[ -z $(find "$APTDIR/lists" -maxdepth 1 -name "*${SUITE}_main*Packages*" -mmin -1440 2>/dev/null | head -n1) ]]; then
		log "apt-get update ($SUITE)"
		sapt apt-get update </dev/null >&2 || log "apt-get update failed; trying the old lists"
	fi
fi
# The candidates of PACKAGES, in one apt-cache call (each costs seconds)
declare -A cand=()
while IFS='=' read -r p v; do
	cand[$p]=$v
done < <(sapt apt-cache policy "${PACKAGES[@]}" |
	awk '/^[^ ].*:$/ {p = substr($1, 1, length($1) - 1)} /Candidate:/ {print p "=" $2}')
for p in "${PACKAGES[@]}"; do
	[[ -n ${cand[$p]:-} && ${cand[$p]} != "(none)" ]] ||
		die "apt knows no $p in $SUITE (run testvm/deps.sh)"
done
ds_ver=$(debootstrap_version)

key=$({
	printf '%s\n' "${debs[@]##*/}"
	for p in "${PACKAGES[@]}"; do
		printf '%s=%s\n' "$p" "${cand[$p]}"
	done
	printf 'debootstrap=%s\n' "$ds_ver"
	printf '%s\n' "${BACKPORTED[*]}"
	printf '%s\n' "${NO_UNPACK[*]}"
} | sha256sum | cut -c1-16)
dest=$CACHE/dkms-root-$SUITE-$key

rootfs_lookup "$dest/root.env" "$CACHE/dkms-root-$SUITE.lock"

t0=$SECONDS
log "building $dest (${PACKAGES[*]}, ${debs[*]##*/})"
rootfs_start "dkms-root-$SUITE"
rootfs_debootstrap "$SUITE" "$ds_ver" dkms-debs
cat >"$root/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $MIRROR-security $SUITE-security main
deb $MIRROR $SUITE-backports main
SRC
rootfs_mount_system
mkdir -p "$root/tmp/debs"
[[ ${#debs[@]} -eq 0 ]] || cp "${debs[@]}" "$root/tmp/debs/"

# Everything from bookworm, but what the backports kernel packages need
# from backports (BACKPORTED, installed explicitly from there).
log "apt-get install ${PACKAGES[*]} ${BACKPORTED[*]} and the kernel packages"
if ! { chroot "$root" apt-get update -q &&
	chroot "$root" env INITRD=No sh -c 'apt-get install -y -q --no-install-recommends "$@" $(ls /tmp/debs/*.deb 2>/dev/null)' \
		sh "${PACKAGES[@]}" "${BACKPORTED[@]/%//$SUITE-backports}"; } </dev/null >"$tmp/apt.log" 2>&1; then
	tail -n 30 "$tmp/apt.log" >&2
	die "apt-get install in the chroot failed (log: $tmp/apt.log)"
fi
rootfs_unmount
rm -rf "$root/tmp/debs"
for p in "${NO_UNPACK[@]}" /var/lib/apt/lists /var/cache/apt; do
	find "$root$p" -mindepth 1 -delete 2>/dev/null || true
done
# debootstrap's device nodes: the test bind-mounts the host's /dev.
find "$root/dev" -mindepth 1 -delete

{
	printf 'DKMS_VERSION=%q\n' "$(chroot "$root" dpkg-query -W -f '${Version}' dkms)"
	printf 'UDEV_VERSION=%q\n' "$(chroot "$root" dpkg-query -W -f '${Version}' udev)"
	printf 'KERNELS=%q\n' "$(ls "$root/lib/modules" | tr '\n' ' ')"
} >"$tmp/root.env"
chmod 755 "$tmp"
mv -T "$tmp" "$dest"
log "built $dest in $((SECONDS - t0)) s ($(du -sh "$dest/root" | cut -f1))"
for old in "$CACHE"/dkms-root-"$SUITE"-*; do
	[[ $old == "$dest" || ! -d $old ]] || rm -rf "$old"
done
printf '%s\n' "$dest/root"
