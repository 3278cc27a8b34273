#!/usr/bin/env bash
# A minimal Debian trixie root filesystem with QEMU's mshv accelerator
# (qemu-system-x86 from trixie-backports, >= 10.2) and SeaBIOS, cached
# outside the repository; the test VM mounts it read-only over virtio-9p and
# chroots into it to run `qemu-system-x86_64 -accel mshv` on mshv_root.
#
#   qemu-rootfs.sh        print (last stdout line) the root directory,
#                         building it on a cache miss
#
# Cache: ${MSHV_CACHE:-/var/cache/mshv-root}/qemu-rootfs-<key>/root, key =
# versions of qemu-system-x86, seabios and debootstrap + the recipe below
# (packages, what is not unpacked, what is pruned). Built in .tmp-qemu-rootfs-* and renamed into place under flock
# (like testvm/kernels.sh), so concurrent or interrupted runs never see a
# half-built tree. The trixie package lists live in their own apt state
# directory, qemu-apt/ (the host's apt is not touched).
# With KERNELS_CACHED_ONLY=1 a cache miss exits 3 instead of building.
#
# debootstrap is taken from the archive (the newest bookworm knows of) and
# unpacked into the cache, never installed. A cold build downloads ~90 MB
# and takes 2-4 minutes.
set -euo pipefail

CACHE=${MSHV_CACHE:-/var/cache/mshv-root}
MIRROR=${QEMU_ROOTFS_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SUITE=trixie
BACKPORTS=trixie-backports
export DEBIAN_FRONTEND=noninteractive

# The recipe (hashed into the key): paths dpkg does not
# unpack, paths removed afterwards.
NO_UNPACK=(/usr/share/doc /usr/share/man /usr/share/info /usr/share/locale /usr/share/lintian)
PRUNE=(/var/lib/apt/lists /var/cache/apt /var/log /dev)

log() { printf '[qemu-rootfs] %s\n' "$*" >&2; }
die() { printf '[qemu-rootfs] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot)"
[[ -f $KEYRING ]] || die "missing $KEYRING (apt-get install debian-archive-keyring)"

APTDIR=$CACHE/qemu-apt
# shellcheck source=testvm/private-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
# shellcheck source=testvm/debootstrap.sh
. "$(dirname "${BASH_SOURCE[0]}")/debootstrap.sh"
private_apt_init "$APTDIR" "deb [signed-by=$KEYRING] $MIRROR $SUITE main
deb [signed-by=$KEYRING] $MIRROR $BACKPORTS main"

# apt-get / apt-cache on the trixie lists only (not the host's sources, not
# the host's installed packages).
tapt() {
	private_apt "$APTDIR" "$@"
}

update_lists() {
	log "apt-get update ($SUITE, $BACKPORTS)"
	tapt apt-get update </dev/null >&2
}

# Refresh the lists when they are missing or older than a day.
if [[ -z $(find "$APTDIR/lists" -maxdepth 1 -name "*${BACKPORTS}*Packages*" -mmin -1440 2>/dev/null | head -n1) ]]; then
	update_lists || log "apt-get update failed; trying the old lists"
fi

version() { # version PKG: candidate in trixie-backports (else trixie)
	local v
	v=$(tapt apt-cache policy -t "$BACKPORTS" "$1" | awk '/Candidate:/ {print $2}')
	[[ -n $v && $v != "(none)" ]] || die "no candidate for $1 in $SUITE/$BACKPORTS"
	printf '%s\n' "$v"
}

qemu_ver=$(version qemu-system-x86)
seabios_ver=$(version seabios)
# QEMU's accelerator appeared in 10.2: refuse anything older.
if dpkg --compare-versions "$qemu_ver" lt 1:10.2; then
	die "qemu-system-x86 $qemu_ver in $BACKPORTS has no mshv accelerator (need >= 10.2)"
fi

ds_ver=$(debootstrap_version)

key=$({
	printf 'qemu-system-x86=%s\nseabios=%s\ndebootstrap=%s\n' "$qemu_ver" "$seabios_ver" "$ds_ver"
	printf '%s\n' "${NO_UNPACK[*]}" "${PRUNE[*]}"
} | sha256sum | cut -c1-16)
dest=$CACHE/qemu-rootfs-$key

rootfs_lookup "$dest/rootfs.env" "$CACHE/qemu-rootfs.lock"

t0=$SECONDS
log "building $dest (qemu-system-x86 $qemu_ver, seabios $seabios_ver, debootstrap $ds_ver)"
rootfs_start qemu-rootfs
rootfs_debootstrap "$SUITE" "$ds_ver" qemu-debs
cat >"$root/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
deb $MIRROR $BACKPORTS main
SRC
rootfs_mount_system

log "apt-get install qemu-system-x86=$qemu_ver seabios=$seabios_ver"
if ! { chroot "$root" apt-get update -q &&
	chroot "$root" apt-get install -y -q --no-install-recommends -t "$BACKPORTS" \
		"qemu-system-x86=$qemu_ver" "seabios=$seabios_ver"; } </dev/null >"$tmp/apt.log" 2>&1; then
	tail -n 30 "$tmp/apt.log" >&2
	die "apt-get install in the chroot failed (log: $tmp/apt.log)"
fi
rootfs_unmount

chroot "$root" /usr/bin/qemu-system-x86_64 -accel help >"$tmp/accel.txt" 2>&1 ||
	die "qemu-system-x86_64 does not run in the chroot: $(cat "$tmp/accel.txt")"
grep -qx mshv "$tmp/accel.txt" || die "qemu-system-x86_64 $qemu_ver lists no mshv accelerator"

# Prune: what debootstrap unpacked before the exclusions, apt's lists and
# caches, logs, and the device nodes debootstrap made (the test VM
# bind-mounts its own /dev).
for p in "${NO_UNPACK[@]}" "${PRUNE[@]}"; do
	find "$root$p" -mindepth 1 -delete 2>/dev/null || true
done

write_env() {
	printf 'QEMU_VERSION=%q\nSEABIOS_VERSION=%q\nDEBOOTSTRAP_VERSION=%q\n' \
		"$qemu_ver" "$seabios_ver" "$ds_ver"
	printf 'ROOTFS_SIZE_KB=%q\n' "$(du -sk "$root" | cut -f1)"
}
write_env >"$tmp/rootfs.env"
chmod 755 "$tmp"
mv -T "$tmp" "$dest"
log "built $dest in $((SECONDS - t0)) s ($(du -sh "$dest/root" | cut -f1))"
# Older entries of this cache are no longer used.
for old in "$CACHE"/qemu-rootfs-*; do
	[[ $old == "$dest" || ! -d $old ]] || rm -rf "$old"
done
printf '%s\n' "$dest/root"
