#!/usr/bin/env bash
# The mainline headers the ABI check (testvm/abi-check.sh) compares ours
# with, taken from Debian's linux-source package of a pinned 7.x kernel and
# cached outside the repository.
#
#   mainline.sh        print (last stdout line) the path of an env file:
#                        MAINLINE_VERSION  upstream version (e.g. 7.3.4)
#                        MAINLINE_PKG      package=version it came from
#                        MAINLINE_INC      directory holding include/...
#                        MAINLINE_SRC      directory holding drivers/hv/...
#
# The pin (one place: the three variables below; ABI_MAINLINE_PKG,
# ABI_MAINLINE_VER and ABI_MAINLINE_SUITE override them) makes the result
# reproducible: a newer upload does not change what is compared until the
# pin is moved. Backports suites keep only the newest upload, so when the
# pinned version is no longer in the archive the script takes the suite's
# candidate of the same package (the same upstream series, e.g. 7.3.x),
# says so on stderr, and the result line names the version actually
# compared; it never moves to another series.
#
# Only the files the check reads are unpacked: include/uapi/linux/mshv.h,
# include/hyperv/*.h and drivers/hv/mshv_root_main.c (the ROOT_HVCALL
# allow-list), plus include/linux/stddef.h and include/uapi/linux/stddef.h
# (the flexible-array helpers the hyperv headers use; the rest of what they
# include -- fixed-width types, BIT(), __packed -- abi-check.py provides).
#
# Cache: ${MSHV_CACHE:-/var/cache/mshv-root}/mainline-<key>/ (key = the
# package and version), built in .tmp-mainline-* and renamed into place
# under flock (like testvm/kernels.sh). The package lists of the suite live
# in their own apt state directory, mainline-apt/ (the host's apt is not
# touched). The .deb (~170 MB) stays in downloads/ like the other kernels.
# With KERNELS_CACHED_ONLY=1 a cache miss exits 3 instead of downloading.
set -euo pipefail

PKG=${ABI_MAINLINE_PKG:-linux-source-7.3}
VER=${ABI_MAINLINE_VER:-7.3.4-1~bpo13+1}
SUITE=${ABI_MAINLINE_SUITE:-trixie-backports}

CACHE=${MSHV_CACHE:-/var/cache/mshv-root}
MIRROR=${ABI_MAINLINE_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
export DEBIAN_FRONTEND=noninteractive

# What is unpacked (relative to the source root): hashed into the key.
MEMBERS=(include/uapi/linux/mshv.h include/hyperv drivers/hv/mshv_root_main.c
	include/linux/stddef.h include/uapi/linux/stddef.h)

log() { printf '[mainline] %s\n' "$*" >&2; }
die() { printf '[mainline] ERROR: %s\n' "$*" >&2; exit 1; }

key=$(printf '%s\n' "$PKG=$VER" "${MEMBERS[@]}" | sha256sum | cut -c1-16)
dest=$CACHE/mainline-$key
if [[ -f $dest/mainline.env ]]; then
	printf '%s\n' "$dest/mainline.env"
	exit 0
fi
[[ ${KERNELS_CACHED_ONLY:-0} == 1 ]] && exit 3

[[ $(id -u) -eq 0 ]] || die "must run as root (the cache is root's)"
[[ -f $KEYRING ]] || die "missing $KEYRING (apt-get install debian-archive-keyring)"

mkdir -p "$CACHE"
exec 9>"$CACHE/mainline.lock"
flock 9
if [[ -f $dest/mainline.env ]]; then
	printf '%s\n' "$dest/mainline.env"
	exit 0
fi

APTDIR=$CACHE/mainline-apt
# shellcheck source=testvm/private-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
private_apt_init "$APTDIR" "deb [signed-by=$KEYRING] $MIRROR $SUITE main"

# apt-get / apt-cache on this suite's lists only.
mapt() {
	private_apt "$APTDIR" "$@"
}

deb=$CACHE/downloads/${PKG}_${VER//:/%3a}_all.deb
if [[ ! -s $deb ]]; then
	log "apt-get update ($SUITE)"
	mapt apt-get update --error-on=any </dev/null >&2 ||
		die "apt-get update of $SUITE from $MIRROR failed (no network?): cannot check the ABI against mainline"
	if [[ -z $(mapt apt-cache show "$PKG=$VER" 2>/dev/null) ]]; then
		cand=$(mapt apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
		[[ -n $cand && $cand != "(none)" ]] ||
			die "$PKG is not in $SUITE any more: move the pin in testvm/mainline.sh"
		log "the pin $PKG=$VER is not in $SUITE any more: using its candidate $cand (move the pin)"
		VER=$cand
		key=$(printf '%s\n' "$PKG=$VER" "${MEMBERS[@]}" | sha256sum | cut -c1-16)
		dest=$CACHE/mainline-$key
		if [[ -f $dest/mainline.env ]]; then
			printf '%s\n' "$dest/mainline.env"
			exit 0
		fi
		deb=$CACHE/downloads/${PKG}_${VER//:/%3a}_all.deb
	fi
	log "downloading $PKG=$VER"
	(cd "$CACHE/downloads" && mapt apt-get download "$PKG=$VER" >&2) ||
		die "apt-get download $PKG=$VER failed (no network?)"
	[[ -s $deb ]] || die "expected $deb after apt-get download"
fi

tmp=$(mktemp -d "$CACHE/.tmp-mainline-XXXXXX")
# shellcheck disable=SC2064 # expand $tmp now
trap "rm -rf '$tmp'" EXIT
series=${PKG#linux-source-}
log "unpacking ${MEMBERS[*]} from $(basename "$deb")"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/linux-source-$series.tar.xz" |
	tar -xJ -C "$tmp" --wildcards "${MEMBERS[@]/#/linux-source-$series/}"
mv "$tmp/linux-source-$series" "$tmp/src"
for m in "${MEMBERS[@]}"; do
	[[ -e $tmp/src/$m ]] || die "$PKG=$VER has no $m"
done
upstream=${VER%%-*}
upstream=${upstream#*:}
cat >"$tmp/mainline.env" <<ENV
MAINLINE_VERSION=$upstream
MAINLINE_PKG=$PKG=$VER
MAINLINE_INC=$dest/src/include
MAINLINE_SRC=$dest/src
ENV
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
for old in "$CACHE"/mainline-*; do
	[[ $old == "$dest" || $old == "$APTDIR" || ! -d $old ]] || rm -rf "$old"
done
printf '%s\n' "$dest/mainline.env"
