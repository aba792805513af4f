#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the functions named in lib/shmring.sym.
set -u

srcdir=${srcdir:-.}
so=lib/.libs/libshmring.so
sym=$srcdir/lib/shmring.sym

if [ ! -f "$so" ]; then
	echo "no shared library at $so (built with --disable-shared?): skipped"
	exit 77
fi
if ! command -v nm >/dev/null 2>&1; then
	echo "nm not found: skipped"
	exit 77
fi

tmp=${TMPDIR:-/tmp}/shr-symbols.$$
trap 'rm -f "$tmp".*' EXIT INT TERM

# Names listed under global: in the version script.
sed -n '/global:/,/local:/p' "$sym" | sed -e 's/#.*//' |
	tr -d ' \t' | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' | sort -u >"$tmp.want"

# Every defined dynamic symbol, version suffix dropped, except the version
# nodes themselves (absolute symbols named after the node).
nm -D --defined-only "$so" >"$tmp.nm" || { echo "nm failed"; exit 1; }
awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp.nm" | sort -u >"$tmp.have"
awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' "$tmp.nm" | sort -u >"$tmp.func"

status=0
if [ ! -s "$tmp.want" ]; then
	echo "no names found in $sym"
	status=1
fi
if ! cmp -s "$tmp.want" "$tmp.have"; then
	echo "exported symbols differ from $sym (< listed only, > exported only):"
	diff "$tmp.want" "$tmp.have" | grep '^[<>]'
	status=1
fi
notfunc=$(comm -23 "$tmp.want" "$tmp.func")
if [ -n "$notfunc" ]; then
	echo "listed in $sym but not exported as functions:" $notfunc
	status=1
fi
if [ $status -eq 0 ]; then
	echo "$(wc -l <"$tmp.want") exported functions match $sym"
fi
exit $status
