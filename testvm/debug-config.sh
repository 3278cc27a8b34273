#!/usr/bin/env bash
# Generate and verify the debug test kernel's .config in kernel tree $1:
#   make tinyconfig + kernel/configs/kvm_guest.config + testvm/debug.config,
#   make olddefconfig, then check that every symbol of the fragment ended up
#   exactly as requested (hidden or dependency-blocked symbols silently
#   vanish otherwise). Exits non-zero listing the mismatches.
# testvm/kernels.sh hashes this file into the debug kernel's cache key.
set -euo pipefail

src=${1:?usage: debug-config.sh <kernel source dir> [fragment]}
fragment=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debug.config}

[[ -f $src/Makefile && -f $src/kernel/configs/kvm_guest.config ]] ||
	{ echo "debug-config.sh: $src is not a kernel source tree" >&2; exit 1; }
[[ -f $fragment ]] || { echo "debug-config.sh: missing $fragment" >&2; exit 1; }

make -C "$src" -s tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" \
	"$src/kernel/configs/kvm_guest.config" "$fragment"
make -C "$src" -s olddefconfig

bad=0
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		sym=${BASH_REMATCH[1]}
		want=${BASH_REMATCH[2]}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		sym=${BASH_REMATCH[1]}
		want=n
	else
		continue
	fi
	have=$(sed -n -e "s/^$sym=//p" "$src/.config")
	[[ -n $have ]] || have=n
	if [[ $have != "$want" ]]; then
		printf 'debug-config.sh: %s: wanted %s, got %s\n' "$sym" "$want" "$have" >&2
		bad=1
	fi
done <"$fragment"
if [[ $bad -ne 0 ]]; then
	echo "debug-config.sh: the symbols above did not survive olddefconfig (hidden symbol or unmet dependency; see its Kconfig)" >&2
	exit 1
fi
echo "debug-config.sh: all $(grep -cE '^(CONFIG_|# CONFIG_)' "$fragment") fragment symbols verified"
