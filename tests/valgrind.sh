#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tests/valgrind.sh PROGRAM [ARGS]: run one test program of the build tree
# under valgrind memcheck; make check-valgrind uses it as LOG_COMPILER.
#
# Criterion runs every test in a worker it starts with exec, and takes the
# worker's verdict from its own protocol, not from the worker's exit status:
# --error-exitcode alone would let a worker's invalid read or leak pass.  So
# every process valgrind follows (--trace-children=yes) writes its report to
# a file of its own, and any non-empty report fails the program: it is
# copied into the test's log as TAP comments.
#
# Environment: VALGRIND (default valgrind), LIBTOOL (the build tree's
# libtool, to run the real binary behind a libtool wrapper script),
# VALGRIND_FLAGS (more valgrind options).
set -u

valgrind=${VALGRIND:-valgrind}
libtool=${LIBTOOL:-./libtool}
logs=$(mktemp -d "${TMPDIR:-/tmp}/shr-vg.XXXXXX") || exit 99

# Memcheck errors and definite leaks count; "still reachable" and
# "possibly lost" memory belongs to Criterion's runner and to exiting
# workers.  Peers forked by tests/helpers.c turn their leak check off.
# --vgdb=no: no debugger pipes in /tmp, which a test that drops its
# privileges could not remove.  --track-origins=yes (in VALGRIND_FLAGS)
# says where an uninitialised value came from, at twice the cost.
# shellcheck disable=SC2086
$libtool --mode=execute "$valgrind" --tool=memcheck -q --trace-children=yes \
	--vgdb=no --log-file="$logs/vg.%p" --error-exitcode=101 \
	--leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
	--num-callers=30 ${VALGRIND_FLAGS:-} "$@"
rc=$?

bad=0
for f in "$logs"/vg.*; do
	[ -s "$f" ] || continue
	bad=1
	echo "# valgrind report of process ${f##*/vg.}:"
	sed 's/^/# /' "$f"
done
rm -rf "$logs"
if [ "$bad" = 1 ]; then
	echo "# valgrind found errors (see above): failing $1"
	[ "$rc" -ne 0 ] || rc=101
fi
exit "$rc"
