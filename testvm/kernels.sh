#!/usr/bin/env bash
# Fetch / build the kernels the mshv_root tests run against, with a cache
# outside the repository.
#
#   kernels.sh debug           debug test kernel built from linux-source-6.12
#   kernels.sh stock 6.1       Debian 12's stock kernel (bookworm[-security])
#   kernels.sh stock 6.12      Debian's 6.12 kernel from bookworm-backports
#   kernels.sh source          linux-source-6.12 only unpacked (KSRC only)
#   kernels.sh guest           the small Linux guest of `make linux-guest`:
#                              linux-source-6.12 (the `source` entry) with
#                              tinyconfig + testvm/linux-guest.config, PVH
#                              vmlinux (KIMAGE) and its System.map (KMAP)
#   kernels.sh mainline        the ABI check's mainline 7.x source
#                              (testvm/mainline.sh), configured without its
#                              own mshv driver and prepared for external
#                              modules (KDIR only: never booted)
#
# Each command prints, as its last stdout line, the path of an env file
# (shell syntax, KEY='value') describing the kernel:
#   KNAME     short name (debug-6.12, stock-6.1, stock-6.12)
#   KDIR      directory for `make -C $KDIR M=... modules`
#   KIMAGE    bootable bzImage / vmlinuz
#   KRELEASE  `uname -r` of that kernel
#   KSRC      full kernel source tree (debug kernel only; empty otherwise)
#   KUNIT     y if the kernel has CONFIG_KUNIT
#
# With KERNELS_CACHED_ONLY=1 a cache miss exits 3 instead of building.
#
# Cache: ${MSHV_CACHE:-/var/cache/mshv-root}. Every entry is built in a
# temporary directory and renamed into place, under flock, so concurrent or
# interrupted runs never see half-built kernels.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${MSHV_CACHE:-/var/cache/mshv-root}
JOBS=${JOBS:-$(nproc)}
export DEBIAN_FRONTEND=noninteractive
# A calling make's flags (jobserver, command-line variables) must not leak
# into the kernel build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

log() { printf '[kernels] %s\n' "$*" >&2; }
die() { printf '[kernels] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE/downloads"
# apt-get download drops privileges to _apt: let it write there.
chmod 755 "$CACHE" "$CACHE/downloads"
if id _apt >/dev/null 2>&1; then
	chown _apt "$CACHE/downloads" 2>/dev/null || true
fi

# On a cache miss we are about to download: make sure the package lists are
# not so old that the mirror no longer has their versions (security updates
# replace old kernel packages).
refresh_lists_if_stale() {
	local newest
	newest=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -360 2>/dev/null | head -n1)
	if [[ -z $newest ]]; then
		log "apt package lists are older than 6 h: apt-get update"
		apt-get update -q </dev/null >&2 || log "apt-get update failed; trying the old lists"
		APTQ_DIR=""
	fi
}

# apt-cache, memoized per state of /var/lib/apt/lists (there is no
# pkgcache.bin on these machines, so each apt-cache call costs ~1 s).
APTQ_DIR=""
aptq() {
	if [[ -z $APTQ_DIR ]]; then
		local stamp
		stamp=$(find /var/lib/apt/lists /etc/apt/sources.list.d -maxdepth 1 -type f \
			-printf '%p %s %T@\n' 2>/dev/null | sort | sha256sum | cut -c1-16)
		APTQ_DIR="$CACHE/aptq/$stamp"
		if [[ ! -d $APTQ_DIR ]]; then
			rm -rf "$CACHE/aptq"
			mkdir -p "$APTQ_DIR"
		fi
	fi
	local f
	f="$APTQ_DIR/$(printf '%s\n' "$@" | sha256sum | cut -c1-16)"
	if [[ ! -f $f ]]; then
		apt-cache "$@" >"$f.tmp.$$" || { rm -f "$f.tmp.$$"; return 1; }
		mv "$f.tmp.$$" "$f"
	fi
	cat "$f"
}

# Print the candidate version of package $1 (optionally for target release $2).
candidate() {
	local pkg=$1 rel=${2:-} ver
	if [[ -n $rel ]]; then
		ver=$(aptq policy -t "$rel" "$pkg" | awk '/Candidate:/ {print $2}')
	else
		ver=$(aptq policy "$pkg" | awk '/Candidate:/ {print $2}')
	fi
	if [[ -z $ver || $ver == "(none)" ]]; then
		die "apt knows no candidate for $pkg${rel:+ in $rel} (run testvm/deps.sh / apt-get update?)"
	fi
	printf '%s\n' "$ver"
}

# Print the package names (without version constraint) from the Depends of
# $1=$2 that match the extended regex $3.
depends_matching() {
	local pkg=$1 ver=$2 re=$3
	aptq show "$pkg=$ver" |
		awk -F': ' '/^Depends:/ {print $2; exit}' |
		tr ',' '\n' | sed -e 's/^ *//' -e 's/ *(.*//' -e 's/ *|.*//' |
		grep -E "$re" || true
}

# Download $1=$2 into the download cache (if absent); print the .deb path.
fetch_deb() {
	local pkg=$1 ver=$2 file
	# apt-get download names files with the epoch's ':' encoded as %3a.
	file="$CACHE/downloads/${pkg}_${ver//:/%3a}_$(aptq show "$pkg=$ver" | awk '/^Architecture:/ {print $2; exit}').deb"
	if [[ ! -s $file ]]; then
		log "downloading $pkg=$ver"
		(cd "$CACHE/downloads" && apt-get download -q "$pkg=$ver" >&2) ||
			die "apt-get download $pkg=$ver failed"
	fi
	[[ -s $file ]] || die "expected $file after apt-get download"
	printf '%s\n' "$file"
}

# cache_hit DEST: print the env file of the cache entry DEST if it is built
cache_hit() {
	[[ -f $1/kernel.env ]] && printf '%s\n' "$1/kernel.env"
}

# cache_publish TMP DEST PREFIX: rename the finished entry TMP into place as
# DEST, remove the other entries PREFIX* (older keys: just disk usage now)
# and print DEST's env file
cache_publish() {
	local tmp=$1 dest=$2 prefix=$3 old
	mv "$tmp" "$dest"
	trap - EXIT
	for old in "$prefix"*; do
		[[ $old == "$dest" || ! -d $old ]] || rm -rf "$old"
	done
	printf '%s\n' "$dest/kernel.env"
}

# unpack_linux_source DEB SERIES DIR: the kernel source in DEB (Debian's
# linux-source-SERIES) unpacked as DIR/src
unpack_linux_source() {
	log "unpacking $(basename "$1")"
	dpkg-deb --fsys-tarfile "$1" |
		tar -xO "./usr/src/linux-source-$2.tar.xz" |
		tar -xJ -C "$3"
	mv "$3/linux-source-$2" "$3/src"
}

write_env() {
	local file=$1
	shift
	: >"$file"
	local kv
	for kv in "$@"; do
		printf '%s=%q\n' "${kv%%=*}" "${kv#*=}" >>"$file"
	done
}

# ---------------------------------------------------------------------------
# Debug kernel from linux-source-6.12
# ---------------------------------------------------------------------------

debug_key() { # debug_key PKG VERSION FRAGMENT
	{
		printf '%s\n' "$1=$2"
		# Only the symbol lines: editing comments must not cost a rebuild.
		grep -E '^(CONFIG_|# CONFIG_)' "$3" | sha256sum
		sha256sum <"$HERE/debug-config.sh"
		gcc --version | head -n1
	} | sha256sum | cut -c1-16
}

build_debug() {
	local pkg=linux-source-6.12 ver deb key dest tmp fragment
	fragment="$HERE/debug.config"
	[[ -f $fragment ]] || die "missing $fragment"
	ver=$(candidate "$pkg")
	key=$(debug_key "$pkg" "$ver" "$fragment")
	dest="$CACHE/debug-$key"
	cache_hit "$dest" && return
	[[ -z ${KERNELS_CACHED_ONLY:-} ]] || exit 3
	refresh_lists_if_stale
	ver=$(candidate "$pkg")
	key=$(debug_key "$pkg" "$ver" "$fragment")
	dest="$CACHE/debug-$key"

	exec 9>"$CACHE/debug.lock"
	flock 9
	cache_hit "$dest" && return
	log "building debug kernel $pkg=$ver (cache key $key) -- this takes a while"
	deb=$(fetch_deb "$pkg" "$ver")
	tmp=$(mktemp -d "$CACHE/.tmp-debug-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	unpack_linux_source "$deb" 6.12 "$tmp"
	local src="$tmp/src"

	log "configuring: tinyconfig + kvm_guest.config + testvm/debug.config"
	if ! "$HERE/debug-config.sh" "$src" "$fragment" >"$tmp/config.log" 2>&1; then
		grep -E '^debug-config.sh:' "$tmp/config.log" >&2 || tail -n 20 "$tmp/config.log" >&2
		die "debug kernel configuration failed"
	fi
	log "config verified; compiling bzImage + modules (-j$JOBS)"
	local t0=$SECONDS
	make -C "$src" -j"$JOBS" bzImage modules modules_prepare >"$tmp/build.log" 2>&1 || {
		tail -n 40 "$tmp/build.log" >&2
		die "debug kernel build failed (log above)"
	}
	log "debug kernel built in $((SECONDS - t0)) s"
	local krel
	krel=$(make -C "$src" -s kernelrelease)
	write_env "$tmp/kernel.env" \
		"KNAME=debug-6.12" \
		"KDIR=$dest/src" \
		"KSRC=$dest/src" \
		"KIMAGE=$dest/src/arch/x86/boot/bzImage" \
		"KRELEASE=$krel" \
		"KUNIT=y" \
		"KVERSION=$pkg=$ver"
	cache_publish "$tmp" "$dest" "$CACHE/debug-"
}

# Unpacked (unconfigured, unbuilt) linux-source-6.12 for checkpatch and the
# selftests' kselftest_harness.h when the debug kernel is not wanted.
unpack_source() {
	local pkg=linux-source-6.12 ver dest tmp deb
	ver=$(candidate "$pkg")
	dest="$CACHE/source-$(printf '%s' "$pkg=$ver" | sha256sum | cut -c1-16)"
	cache_hit "$dest" && return
	exec 9>"$CACHE/source.lock"
	flock 9
	cache_hit "$dest" && return
	refresh_lists_if_stale
	ver=$(candidate "$pkg")
	dest="$CACHE/source-$(printf '%s' "$pkg=$ver" | sha256sum | cut -c1-16)"
	deb=$(fetch_deb "$pkg" "$ver")
	tmp=$(mktemp -d "$CACHE/.tmp-source-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	unpack_linux_source "$deb" 6.12 "$tmp"
	write_env "$tmp/kernel.env" "KNAME=source-6.12" "KSRC=$dest/src" "KVERSION=$pkg=$ver"
	rm -rf "$dest"
	cache_publish "$tmp" "$dest" "$CACHE/source-"
}

# ---------------------------------------------------------------------------
# Debian stock kernels (image + headers), unpacked, never installed
# ---------------------------------------------------------------------------

check_symlinks() {
	local root=$1 link target bad=0
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		if [[ $target == /* ]]; then
			# Absolute link: re-point it inside the root.
			ln -sfn "$root$target" "$link"
		fi
		if [[ ! -e $link ]]; then
			log "  dangling symlink $link -> $target"
			bad=1
		fi
	done < <(find "$root/usr/src" "$root/usr/lib/linux-kbuild-"* -type l -print0 2>/dev/null)
	return "$bad"
}

# resolve_stock SERIES: set ver image_pkg headers_pkg common_pkg kbuild_pkg
# kbuild_ver dest for Debian's SERIES kernel (from the current apt lists).
resolve_stock() {
	local series=$1 hver key
	rel=""
	case $series in
	6.1) rel="" ;;
	6.12) rel=bookworm-backports ;;
	*) die "unknown stock kernel series '$series' (want 6.1 or 6.12)" ;;
	esac
	ver=$(candidate linux-image-amd64 "$rel")
	case $ver in
	"$series".*) ;;
	*) die "linux-image-amd64 candidate${rel:+ in $rel} is $ver, not a $series kernel" ;;
	esac
	image_pkg=$(depends_matching linux-image-amd64 "$ver" '^linux-image-.*-amd64(-unsigned)?$' | head -n1)
	hver=$(candidate linux-headers-amd64 "$rel")
	[[ $hver == "$ver" ]] || die "linux-headers-amd64 ($hver) and linux-image-amd64 ($ver) differ${rel:+ in $rel}"
	headers_pkg=$(depends_matching linux-headers-amd64 "$ver" '^linux-headers-.*-amd64$' | head -n1)
	[[ -n $image_pkg && -n $headers_pkg ]] || die "cannot resolve image/headers packages of linux-image-amd64=$ver"
	common_pkg=$(depends_matching "$headers_pkg" "$ver" '^linux-headers-.*-common$' | head -n1)
	kbuild_pkg=$(depends_matching "$headers_pkg" "$ver" '^linux-kbuild-' | head -n1)
	[[ -n $common_pkg && -n $kbuild_pkg ]] || die "cannot resolve -common/kbuild packages of $headers_pkg=$ver"
	kbuild_ver=$(candidate "$kbuild_pkg" "$rel")
	key="$image_pkg=$ver+$kbuild_pkg=$kbuild_ver"
	dest="$CACHE/stock-$series-$(printf '%s' "$key" | sha256sum | cut -c1-16)"
}

build_stock() {
	local series=$1 rel ver image_pkg headers_pkg common_pkg kbuild_pkg kbuild_ver dest tmp
	resolve_stock "$series"
	cache_hit "$dest" && return
	[[ -z ${KERNELS_CACHED_ONLY:-} ]] || exit 3
	refresh_lists_if_stale
	resolve_stock "$series"
	exec 9>"$CACHE/stock-$series.lock"
	flock 9
	cache_hit "$dest" && return
	log "fetching stock $series kernel: $image_pkg $headers_pkg $common_pkg $kbuild_pkg ($ver)"
	tmp=$(mktemp -d "$CACHE/.tmp-stock-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	local p deb
	for p in "$image_pkg=$ver" "$headers_pkg=$ver" "$common_pkg=$ver" "$kbuild_pkg=$kbuild_ver"; do
		deb=$(fetch_deb "${p%%=*}" "${p#*=}")
		dpkg-deb -x "$deb" "$tmp/root"
	done
	local krel="${headers_pkg#linux-headers-}"
	local kimage="$tmp/root/boot/vmlinuz-$krel"
	[[ -f $kimage ]] || die "$image_pkg has no /boot/vmlinuz-$krel"
	[[ -f $tmp/root/usr/src/linux-headers-$krel/Makefile ]] ||
		die "$headers_pkg has no /usr/src/linux-headers-$krel/Makefile"
	# Absolute paths inside the headers (Makefile includes) must point into
	# this root, not at the host's /usr/src.
	local f
	while IFS= read -r -d '' f; do
		sed -i -e "s#\\([ =]\\)/usr/src/#\\1$dest/root/usr/src/#g" \
			-e "s#\\([ =]\\)/usr/lib/linux-kbuild#\\1$dest/root/usr/lib/linux-kbuild#g" "$f"
	done < <(grep -rlZ -E '(^|[ =])/usr/(src|lib/linux-kbuild)' \
		"$tmp/root/usr/src/linux-headers-$krel/Makefile" \
		"$tmp/root/usr/src/linux-headers-$krel"/Makefile* 2>/dev/null || true)
	if ! check_symlinks "$tmp/root"; then
		die "stock $series headers have dangling symlinks (see above)"
	fi
	write_env "$tmp/kernel.env" \
		"KNAME=stock-$series" \
		"KDIR=$dest/root/usr/src/linux-headers-$krel" \
		"KSRC=" \
		"KIMAGE=$dest/root/boot/vmlinuz-$krel" \
		"KRELEASE=$krel" \
		"KUNIT=$(sed -n 's/^CONFIG_KUNIT=//p' "$tmp/root/usr/src/linux-headers-$krel/.config")" \
		"KVERSION=$image_pkg=$ver"
	# Symlinks re-pointed at $tmp must follow the rename.
	while IFS= read -r -d '' f; do
		local t
		t=$(readlink "$f")
		if [[ $t == "$tmp"/* ]]; then
			ln -sfn "$dest${t#"$tmp"}" "$f"
		fi
	done < <(find "$tmp/root" -type l -print0)
	cache_publish "$tmp" "$dest" "$CACHE/stock-$series-"
}

# ---------------------------------------------------------------------------
# Mainline 7.x, source only: prepared for external modules, never booted
# ---------------------------------------------------------------------------

# The pinned mainline release of testvm/mainline.sh (the ABI check's),
# fully unpacked, configured with testvm/kdir-mainline.config (mainline's
# own mshv driver disabled) and modules_prepare'd: the modules' build test
# against the newest kernel API. Key: the package, the fragment (symbol
# lines), debug-config.sh and the compiler.
build_mainline() {
	local env pkgver pkg ver deb key dest tmp fragment="$HERE/kdir-mainline.config"
	env=$("$HERE/mainline.sh" | tail -n 1) || die "testvm/mainline.sh failed"
	pkgver=$(. "$env" && printf '%s' "$MAINLINE_PKG")
	pkg=${pkgver%%=*}
	ver=${pkgver#*=}
	deb=$CACHE/downloads/${pkg}_${ver//:/%3a}_all.deb
	key=$(debug_key "$pkg" "$ver" "$fragment")
	dest="$CACHE/kdir-mainline-$key"
	cache_hit "$dest" && return
	[[ -z ${KERNELS_CACHED_ONLY:-} ]] || exit 3
	exec 9>"$CACHE/kdir-mainline.lock"
	flock 9
	cache_hit "$dest" && return
	[[ -s $deb ]] || die "no $deb (testvm/mainline.sh downloads it)"
	tmp=$(mktemp -d "$CACHE/.tmp-kdir-mainline-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	local series=${pkg#linux-source-}
	unpack_linux_source "$deb" "$series" "$tmp"
	log "configuring: tinyconfig + kvm_guest.config + testvm/kdir-mainline.config"
	if ! "$HERE/debug-config.sh" "$tmp/src" "$fragment" >"$tmp/config.log" 2>&1; then
		grep -E '^debug-config.sh:' "$tmp/config.log" >&2 || tail -n 20 "$tmp/config.log" >&2
		die "mainline configuration failed"
	fi
	make -C "$tmp/src" -j"$JOBS" modules_prepare >"$tmp/build.log" 2>&1 || {
		tail -n 40 "$tmp/build.log" >&2
		die "mainline modules_prepare failed"
	}
	# Dead weight for an external module build
	rm -rf "$tmp/src/Documentation" "$tmp/src/sound" "$tmp/src/samples"
	write_env "$tmp/kernel.env" \
		"KNAME=mainline-${ver%%-*}" \
		"KDIR=$dest/src" \
		"KSRC=" \
		"KIMAGE=" \
		"KRELEASE=$(make -C "$tmp/src" -s kernelrelease)" \
		"KUNIT=y" \
		"KVERSION=$pkgver"
	cache_publish "$tmp" "$dest" "$CACHE/kdir-mainline-"
}

# ---------------------------------------------------------------------------
# The Linux guest of `make linux-guest`: booted inside a VM, through QEMU
# -accel mshv, on hvsim
# ---------------------------------------------------------------------------

# guest_config SRC OBJ FRAGMENT: tinyconfig + FRAGMENT in OBJ, every symbol
# of FRAGMENT verified after olddefconfig.
guest_config() {
	local src=$1 obj=$2 fragment=$3 line sym want have bad=0
	make -C "$src" O="$obj" -s tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment"
	make -C "$src" O="$obj" -s olddefconfig
	while IFS= read -r line; do
		[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
		sym=${BASH_REMATCH[1]}
		want=${BASH_REMATCH[2]}
		have=$(sed -n -e "s/^$sym=//p" "$obj/.config")
		if [[ ${have:-n} != "$want" ]]; then
			printf 'guest config: %s: wanted %s, got %s\n' "$sym" "$want" "${have:-n}"
			bad=1
		fi
	done <"$fragment"
	return "$bad"
}

# The unpacked linux-source-6.12 (unpack_source) built out of tree (O=) with
# tinyconfig + testvm/linux-guest.config. Only vmlinux (PVH entry, loaded by
# QEMU's -kernel), System.map and .config are kept. Key: the source package,
# the fragment's symbol lines, debug-config.sh and the compiler.
build_guest() {
	local env src kver key dest tmp fragment="$HERE/linux-guest.config"
	[[ -f $fragment ]] || die "missing $fragment"
	env=$(unpack_source | tail -n 1)
	# shellcheck source=/dev/null
	src=$(. "$env" && printf '%s' "$KSRC")
	# shellcheck source=/dev/null
	kver=$(. "$env" && printf '%s' "$KVERSION")
	key=$(debug_key "${kver%%=*}" "${kver#*=}" "$fragment")
	dest="$CACHE/guest-$key"
	cache_hit "$dest" && return
	[[ -z ${KERNELS_CACHED_ONLY:-} ]] || exit 3
	exec 8>"$CACHE/guest.lock"
	flock 8
	cache_hit "$dest" && return
	tmp=$(mktemp -d "$CACHE/.tmp-guest-XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	log "configuring the Linux guest: tinyconfig + testvm/linux-guest.config"
	if ! guest_config "$src" "$tmp/build" "$fragment" >"$tmp/config.log" 2>&1; then
		grep -E '^guest config:' "$tmp/config.log" >&2 || tail -n 20 "$tmp/config.log" >&2
		die "Linux guest configuration failed"
	fi
	log "config verified; compiling vmlinux (-j$JOBS)"
	local t0=$SECONDS
	make -C "$src" O="$tmp/build" -j"$JOBS" vmlinux >"$tmp/build.log" 2>&1 || {
		tail -n 40 "$tmp/build.log" >&2
		die "Linux guest build failed (log above)"
	}
	log "Linux guest built in $((SECONDS - t0)) s"
	local krel
	krel=$(make -C "$src" O="$tmp/build" -s kernelrelease)
	mv "$tmp/build/vmlinux" "$tmp/build/System.map" "$tmp/build/.config" "$tmp/" 2>/dev/null ||
		die "Linux guest build left no vmlinux/System.map"
	rm -rf "$tmp/build"
	write_env "$tmp/kernel.env" \
		"KNAME=guest-6.12" \
		"KDIR=" \
		"KSRC=" \
		"KIMAGE=$dest/vmlinux" \
		"KMAP=$dest/System.map" \
		"KRELEASE=$krel" \
		"KUNIT=" \
		"KVERSION=$kver"
	cache_publish "$tmp" "$dest" "$CACHE/guest-"
}

case ${1:-} in
debug) build_debug ;;
guest) build_guest ;;
source) unpack_source ;;
mainline) build_mainline ;;
stock) build_stock "${2:-}" ;;
*)
	echo "usage: $0 debug | guest | source | stock 6.1 | stock 6.12 | mainline" >&2
	exit 2
	;;
esac
