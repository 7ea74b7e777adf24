#!/bin/sh
# Constant-time check: build csrc/*.c + ctime_test.c and run under valgrind memcheck.
# Any branch or memory index depending on the (undefined-marked) seed is an error.
# Needs gcc and valgrind (Debian: apt-get install -y valgrind).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
csrc=$(dirname "$here")
out=${TMPDIR:-/tmp}/seqvrf_ctime_test.$$
gcc -O2 -g -std=c99 -Wall -Wextra -DSEQVRF_CTIME_CHECK -I"$csrc" "$here/ctime_test.c" "$csrc"/*.c -o "$out"
rc=0
valgrind -q --error-exitcode=1 --track-origins=yes "$out" || rc=$?
rm -f "$out"
exit $rc
