#!/bin/sh
# Secret hygiene probe: build csrc/*.c + wipe_probe.c (no sanitizers) at every optimisation
# level (the stack scrub in vrf.c is sized per level: a build whose frames outgrow it must
# fail here) and run it.  Optional args: the levels to test (default: -O0 -O1 -O2 -O3 -Os).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
csrc=$(dirname "$here")
out=${TMPDIR:-/tmp}/seqvrf_wipe_probe.$$
levels=${*:--O0 -O1 -O2 -O3 -Os}
rc=0
for opt in $levels; do
    echo "== wipe probe at $opt"
    gcc "$opt" -std=gnu99 -Wall -Wextra -I"$csrc" "$here/wipe_probe.c" "$csrc"/*.c -o "$out"
    "$out" || rc=1
done
rm -f "$out"
exit $rc
