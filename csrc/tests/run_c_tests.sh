#!/bin/sh
# Build and run the C tests (RFC 9381 vectors + random self-consistency), then the same
# binary under valgrind memcheck if valgrind is installed.  Optional arg: PRNG seed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
csrc=$(dirname "$here")
out=${TMPDIR:-/tmp}/seqvrf_c_tests.$$
gcc -O2 -g -std=c99 -Wall -Wextra -I"$csrc" "$here/c_tests.c" "$csrc"/*.c -o "$out"
rc=0
"$out" "$@" || rc=$?
if [ $rc -eq 0 ] && command -v valgrind >/dev/null 2>&1; then
    valgrind -q --error-exitcode=1 "$out" "$@" >/dev/null || rc=$?
fi
rm -f "$out"
exit $rc
