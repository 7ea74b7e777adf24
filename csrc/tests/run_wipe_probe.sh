#!/bin/sh
# Secret hygiene probe: build csrc/*.c + wipe_probe.c (plain -O2, no sanitizers) and run it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
csrc=$(dirname "$here")
out=${TMPDIR:-/tmp}/seqvrf_wipe_probe.$$
gcc -O2 -std=gnu99 -Wall -Wextra -I"$csrc" "$here/wipe_probe.c" "$csrc"/*.c -o "$out"
rc=0
"$out" || rc=$?
rm -f "$out"
exit $rc
