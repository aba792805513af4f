#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz/run.sh [SECONDS]: build the libFuzzer target against the library
# sources with clang (-fsanitize=fuzzer,address,undefined) and fuzz for
# SECONDS (default $FUZZ_SECONDS, else 60) over a copy of fuzz/corpus.
#
# Run it from a configured build directory (it needs config.h), or set
# FUZZ_BUILDDIR.  Other knobs: CLANG, FUZZ_WORKDIR (default
# BUILDDIR/fuzz-work: the binary, the grown corpus, crashes and the log),
# FUZZ_TIMEOUT (seconds one input may take, default 10), FUZZ_ARGS (more
# libFuzzer flags), SHR_FUZZ_SLACK_MS (how late past its timeout a call may
# return, default 1000), SHR_FUZZ_RACE=1 (let scripts race a scribbling
# thread against calls: finds races, but results depend on timing).
#
# Exit status: 0 no finding, 1 a finding (its input is saved and named),
# 2 usage or build error, 77 clang cannot build libFuzzer targets here.
set -u

seconds=${1:-${FUZZ_SECONDS:-60}}
case $seconds in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${FUZZ_BUILDDIR:-.}" && pwd)
work=${FUZZ_WORKDIR:-$builddir/fuzz-work}
clang=${CLANG:-clang}
bin=$work/fuzz_region

if [ ! -f "$builddir/config.h" ]; then
	echo "fuzz: no config.h in $builddir: run from a configured build directory" \
	     "or set FUZZ_BUILDDIR" >&2
	exit 2
fi
mkdir -p "$work/corpus" "$work/artifacts" || exit 2

# Rings left in /dev/shm by fuzzers that died (their pid is in the name).
reap() {
	for f in /dev/shm/shr-fz-*; do
		[ -e "$f" ] || continue
		pid=${f##*-}
		kill -0 "$pid" 2>/dev/null || rm -f "$f"
	done
}

probe=$work/probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' \
	> "$probe.c"
if ! "$clang" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2>/dev/null; then
	echo "fuzz: $clang cannot build libFuzzer targets (Debian: apt-get install clang" \
	     "libclang-rt-14-dev)" >&2
	rm -f "$probe" "$probe.c"
	exit 77
fi
rm -f "$probe" "$probe.c"

# Rebuild when a source is newer than the binary.
sources="$srcdir/lib/*.c $srcdir/lib/*.h $srcdir/include/shmring.h $srcdir/fuzz/one_input.c
	$srcdir/fuzz/one_input.h $srcdir/fuzz/fuzz_region.c $builddir/config.h"
stale=1
# shellcheck disable=SC2086
if [ -x "$bin" ] && [ -z "$(find $sources -newer "$bin" 2>/dev/null)" ]; then
	stale=0
fi
if [ $stale = 1 ]; then
	echo "fuzz: building $bin"
	# shellcheck disable=SC2046
	if ! "$clang" -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$srcdir/include" -I"$srcdir/lib" -I"$builddir" -include config.h \
		$(pkg-config --cflags liburcu) \
		"$srcdir"/lib/*.c "$srcdir/fuzz/one_input.c" "$srcdir/fuzz/fuzz_region.c" \
		-o "$bin" -Wl,--wrap=fopen $(pkg-config --libs liburcu) -pthread; then
		echo "fuzz: build failed" >&2
		exit 2
	fi
fi

reap
export SHR_FUZZ_SLACK_MS="${SHR_FUZZ_SLACK_MS:-1000}"

# Regression inputs of findings not fixed yet would end the run at once:
# name them, and fuzz from the rest of the corpus.
rm -rf "$work/seeds"
mkdir -p "$work/seeds" || exit 2
for f in "$srcdir"/fuzz/corpus/*; do
	case ${f##*/} in
	crash-*)
		if ! "$bin" -runs=1 -timeout="${FUZZ_TIMEOUT:-10}" "$f" > "$work/replay.log" 2>&1; then
			echo "fuzz: still a finding, left out: fuzz/corpus/${f##*/}" >&2
			continue
		fi
		;;
	esac
	cp "$f" "$work/seeds/"
done
reap

log=$work/fuzz.log
before=$(find "$work/artifacts" -type f | wc -l)
start=$(date +%s)
echo "fuzz: $seconds s, log in $log, new corpus entries in $work/corpus"
# The first directory receives new inputs; the seeds are only read.
# shellcheck disable=SC2086
"$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -max_len=65536 \
	-rss_limit_mb=4096 -use_value_profile=1 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
	"$work/corpus" "$work/seeds" > "$log" 2>&1
rc=$?
end=$(date +%s)
reap

final_stat() {
	sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}
execs=$(final_stat number_of_executed_units)
new=$(final_stat new_units_added)
rate=$(final_stat average_exec_per_sec)
after=$(find "$work/artifacts" -type f | wc -l)
echo "fuzz: ${execs:-?} execs in $((end - start)) s (${rate:-?}/s)," \
     "${new:-?} new corpus entries, $((after - before)) findings"
if [ "$rc" -eq 72 ] && [ "$after" -eq "$before" ]; then
	echo "fuzz: interrupted" >&2
	exit 1
fi
if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
	grep -E 'ERROR: |broken promise|runtime error|Test unit written' "$log" | head -n 20 >&2
	echo "fuzz: finding (exit $rc): inputs in $work/artifacts; see $log" >&2
	echo "fuzz: minimise with: $bin -minimize_crash=1 -runs=20000 INPUT;" \
	     "replay with: fuzz/replay INPUT" >&2
	exit 1
fi
exit 0
