#!/bin/sh
# Build fuzz/c/fuzz_vrf.c with clang (libFuzzer + ASan + UBSan) and run it for $1 seconds
# (default 60) from a scratch copy of fuzz/corpus/c_vrf.  Extra args go to libFuzzer.
# Exit status non-zero on any crash, sanitizer report or failed check.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
CC=${CC:-clang}
work=$(mktemp -d)
$CC -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root/csrc" "$here/fuzz_vrf.c" "$root"/csrc/*.c -o "$work/fuzz_vrf"
mkdir "$work/corpus"
rc=0
ASAN_OPTIONS=detect_leaks=1 "$work/fuzz_vrf" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$work/" "$@" "$work/corpus" "$root/fuzz/corpus/c_vrf" >"$work/log.txt" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log.txt")
crashes=$(ls "$work" | grep -c -E '^(crash|leak|timeout|oom)-' || true)
printf '%-18s %10s %8s %7s %7s  %s\n' c_vrf "${execs:-?}" "" "$(ls "$work/corpus" | wc -l)" "$crashes" \
    "$([ $rc -eq 0 ] && echo ok || echo "FAIL (rc=$rc)")"
if [ $rc -ne 0 ]; then
    tail -40 "$work/log.txt"
    echo "work dir kept: $work"
    exit $rc
fi
rm -rf "$work"
