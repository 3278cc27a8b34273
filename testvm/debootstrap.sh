# shellcheck shell=bash
# Sourced by qemu-rootfs.sh and dkms-root.sh: a cached Debian root
# filesystem built with debootstrap in a temporary directory of the cache.
# The caller defines log, die, CACHE, KEYRING, MIRROR and NO_UNPACK (the
# paths dpkg does not unpack).
#
#   rootfs_lookup ENV LOCK     if ENV (the env file of the cache entry)
#                              exists, print the entry's root and exit;
#                              else exit 3 with KERNELS_CACHED_ONLY=1, or
#                              take the flock LOCK and look again
#   debootstrap_version        print the debootstrap version to use: the
#                              newest the host's apt knows (bookworm-backports
#                              is in its sources, see deps.sh)
#   rootfs_start NAME          remove what killed builds of NAME left, make
#                              $tmp (.tmp-NAME-* in the cache) and set
#                              $root=$tmp/root; an EXIT trap undoes mounts
#   rootfs_debootstrap SUITE VERSION DEBS
#                              debootstrap --variant=minbase SUITE into $root
#                              with debootstrap VERSION (unpacked, never
#                              installed), packages cached in $CACHE/DEBS;
#                              then dpkg is told not to unpack NO_UNPACK
#   rootfs_mount_system        bind-mount /proc, /sys and /dev into $root
#   rootfs_unmount             undo rootfs_mount_system

rootfs_lookup() {
	if [[ ! -f $1 ]]; then
		[[ ${KERNELS_CACHED_ONLY:-0} == 1 ]] && exit 3
		exec 9>"$2"
		flock 9
	fi
	if [[ -f $1 ]]; then
		printf '%s\n' "$(dirname "$1")/root"
		exit 0
	fi
}

debootstrap_version() {
	local v
	v=$(apt-cache policy -t bookworm-backports debootstrap | awk '/Candidate:/ {print $2}')
	[[ -n $v && $v != "(none)" ]] || die "apt knows no debootstrap (run testvm/deps.sh)"
	printf '%s\n' "$v"
}

mounted=()
rootfs_unmount() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	mounted=()
}

rootfs_start() {
	local old
	# A killed build may have left its bind mounts: undo them before
	# removing the directory (--one-file-system as a second guard).
	for old in "$CACHE/.tmp-$1-"*; do
		[[ -d $old ]] || continue
		awk -v p="$old/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r |
			while read -r mnt; do umount -l "$mnt"; done
		rm -rf --one-file-system "$old"
	done
	tmp=$(mktemp -d "$CACHE/.tmp-$1-XXXXXX")
	root=$tmp/root
	trap rootfs_unmount EXIT
}

rootfs_debootstrap() {
	local suite=$1 ver=$2 debs=$CACHE/$3 name p
	name="debootstrap_${ver//:/%3a}_all.deb"
	if [[ ! -s $CACHE/downloads/$name ]]; then
		log "downloading debootstrap=$ver"
		(cd "$CACHE/downloads" && apt-get download -q "debootstrap=$ver" >&2) ||
			die "apt-get download debootstrap=$ver failed"
	fi
	dpkg-deb -x "$CACHE/downloads/$name" "$tmp/debootstrap"
	mkdir -p "$debs"
	log "debootstrap --variant=minbase $suite"
	DEBOOTSTRAP_DIR=$tmp/debootstrap/usr/share/debootstrap \
		"$tmp/debootstrap/usr/sbin/debootstrap" --variant=minbase --keyring="$KEYRING" \
		--cache-dir="$debs" "$suite" "$root" "$MIRROR" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$tmp/debootstrap.log" >&2; die "debootstrap failed (log: $tmp/debootstrap.log)"; }
	rm -rf "$tmp/debootstrap"
	# Nothing of the documentation is needed: do not even unpack it.
	for p in "${NO_UNPACK[@]}"; do
		printf 'path-exclude %s/*\n' "$p"
	done >"$root/etc/dpkg/dpkg.cfg.d/01-mshv-nodoc"
}

rootfs_mount_system() {
	local m
	for m in proc sys dev; do
		mount --bind "/$m" "$root/$m"
		mounted+=("$root/$m")
	done
}
