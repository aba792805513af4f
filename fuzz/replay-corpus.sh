#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays the fuzz corpus (seeds and every regression input) through the
# fuzz target's one-input function; under --enable-asan with the sanitizers.
# Run from the top build directory by make check ($srcdir set by automake).
# The log names each input before running it: the last one named failed.
set -u
srcdir=${srcdir:-.}
corpus=$srcdir/fuzz/corpus
replay=./fuzz/replay

[ -x "$replay" ] || { echo "replay-corpus: $replay not built" >&2; exit 99; }
[ -d "$corpus" ] || { echo "replay-corpus: no $corpus" >&2; exit 99; }

# Every corpus file must be listed for make dist, or a tarball loses it.
listed=$(sed -n 's|^[[:space:]]*\(fuzz/corpus/[^[:space:]\\]*\).*|\1|p' "$srcdir/fuzz/corpus.mk")
for f in "$corpus"/*; do
	name=fuzz/corpus/${f##*/}
	if ! printf '%s\n' "$listed" | grep -qxF "$name"; then
		echo "replay-corpus: $name is not in fuzz/corpus.mk (make fuzz-corpus-list)" >&2
		exit 1
	fi
done

# Time spent waiting for a CPU is not counted; a hang is far beyond this.
SHR_FUZZ_SLACK_MS=${SHR_FUZZ_SLACK_MS:-2000}
export SHR_FUZZ_SLACK_MS
"$replay" "$corpus" &
pid=$!
wait $pid
rc=$?
# An input that aborts leaves its object behind (named after the pid).
rm -f "/dev/shm/shr-fz-$pid"
exit $rc
