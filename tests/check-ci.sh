#!/bin/sh
# SPDX-License-Identifier: MIT
# .ci/run is the README's second command, character for character: what the
# README says CI runs is what CI runs.
set -u

srcdir=${srcdir:-.}
readme=$srcdir/README.md
ci=$srcdir/.ci/run

[ -f "$readme" ] && [ -f "$ci" ] || { echo "no README.md or .ci/run: skipped"; exit 77; }

# The first line of the first sh block after the "**2." heading.
want=$(awk '/^\*\*2\./ { sec = 1 } sec && /^```sh/ { getline; print; exit }' "$readme")
got=$(grep '^apt-get ' "$ci")
if [ -z "$want" ] || [ "$want" != "$got" ]; then
	echo "README.md's second command and .ci/run differ:" >&2
	echo "README.md: $want" >&2
	echo ".ci/run:   $got" >&2
	exit 1
fi
echo ".ci/run is the README's second command"
