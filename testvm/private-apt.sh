# shellcheck shell=bash
# Sourced by qemu-rootfs.sh and mainline.sh: apt on package lists of
# another Debian suite, with their own apt state under the cache (the
# host's sources, lists and installed packages are not touched).
#
#   private_apt_init DIR SOURCES   create DIR's apt state, write its
#                                  sources.list (SOURCES: its lines)
#   private_apt DIR TOOL ARGS...   run apt-get / apt-cache on DIR's lists
#
# Downloads go to $CACHE/downloads (as for testvm/kernels.sh).

private_apt_init() {
	local dir=$1
	mkdir -p "$CACHE/downloads" "$dir/lists/partial" "$dir/cache/archives/partial" \
		"$dir/etc/preferences.d" "$dir/etc/sources.list.d"
	chmod 755 "$CACHE" "$CACHE/downloads"
	# apt-get download drops privileges to _apt: let it write there.
	if id _apt >/dev/null 2>&1; then
		chown _apt "$CACHE/downloads" "$dir/lists/partial" "$dir/cache/archives/partial" \
			2>/dev/null || true
	fi
	printf '%s\n' "$2" >"$dir/etc/sources.list.new"
	mv "$dir/etc/sources.list.new" "$dir/etc/sources.list"
	: >>"$dir/status"
}

private_apt() {
	local dir=$1 tool=$2
	shift 2
	"$tool" -q -o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts="$dir/etc/sources.list.d" \
		-o Dir::Etc::Preferences="$dir/etc/preferences" \
		-o Dir::Etc::PreferencesParts="$dir/etc/preferences.d" \
		-o Dir::State::Lists="$dir/lists" -o Dir::State::status="$dir/status" \
		-o Dir::Cache="$dir/cache" -o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
		-o APT::Default-Release="" -o Acquire::Languages=none "$@"
}
