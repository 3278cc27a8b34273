#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# run-fuzz.sh OUT TARGET SECONDS [LIBFUZZER-OPTIONS...]
# Runs $OUT/fuzz/TARGET for SECONDS on its corpus and seeds (see Makefile)
# and prints "fuzz-ok NAME EXECS" or "fuzz-FAIL NAME EXECS" (NAME is TARGET
# without "fuzz_"); on a failure the end of the log (the crash) before it.
set -u
out=$1 target=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
log=$out/fuzz/$target.log
corpus=$out/corpus/$target
mkdir -p "$corpus"
set -- "$@" "$corpus"
for d in "$here/corpus/$target" "$out/seeds/$target"; do
	if [ -d "$d" ]; then
		set -- "$@" "$d"
	fi
done
echo "$target: $seconds s"
if "$out/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$out/fuzz/crash-$target-" "$@" >"$log" 2>&1; then
	status=ok
else
	status=FAIL
	tail -n 40 "$log"
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz-$status ${target#fuzz_} ${execs:-0}"
[ "$status" = ok ]
