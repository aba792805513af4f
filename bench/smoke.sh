#!/bin/sh
# SPDX-License-Identifier: MIT
# Smoke test of shmring-bench: one tiny configuration must run, verify,
# exit 0 and write a CSV with the fixed header and shmring's figures.
set -u
bench=${SHMRING_BENCH:-bench/shmring-bench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shmring-bench-smoke.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

fail() {
	echo "FAIL: $*"
	sed 's/^/  | /' "$tmp/out.txt"
	exit 1
}

# On a loaded machine a spinning pair can be descheduled for a whole 50 ms
# window and move nothing (no figure, not a failure to verify): try again.
for try in 1 2 3; do
	"$bench" --quick --only shmring,cacheline --sizes 64 --pattern spsc --api single \
		--reps 1 --duration 0.05 --rtt-duration 0.05 --warmup 0.01 \
		--csv "$tmp/out.csv" >"$tmp/out.txt" 2>&1
	st=$?
	grep -q "no messages moved after the warm-up" "$tmp/out.txt" || break
	echo "try $try: a cell moved no messages after the warm-up"
done
[ $st -eq 0 ] || fail "exit status $st"
[ "$(head -n 1 "$tmp/out.csv")" = "transport,pattern,msg_size,batch,wait,metric,value,unit" ] ||
	fail "wrong CSV header: $(head -n 1 "$tmp/out.csv")"
for row in "shmring,spsc,64,1,spin,rtt_p50," "shmring,spsc,64,1,block,rtt_p99," \
	   "shmring,spsc,64,1,spin,throughput," "cacheline,spsc,64,1,spin,rtt_p50,"; do
	grep -q "^$row" "$tmp/out.csv" || fail "no row $row in the CSV"
done
grep -q FAIL "$tmp/out.txt" && fail "FAIL in the output"

# A run that does not verify prints FAIL, gives no figure, exits 1.
"$bench" --only shmring --sizes 64 --pattern spsc --api single --wait spin --test throughput \
	--reps 1 --duration 0.05 --warmup 0.01 --inject-fault \
	--csv "$tmp/bad.csv" >"$tmp/out.txt" 2>&1
st=$?
[ $st -eq 1 ] || fail "a corrupted run gave exit status $st, not 1"
grep -q "FAIL" "$tmp/out.txt" || fail "a corrupted run did not print FAIL"
grep -q "^shmring," "$tmp/bad.csv" && fail "a corrupted run still has a figure in the CSV"

# A usage error is exit status 2.
"$bench" --sizes 7 >/dev/null 2>&1
st=$?
[ $st -eq 2 ] || { echo "FAIL: bad --sizes gave exit status $st, not 2"; exit 1; }
echo "PASS: shmring-bench smoke"
exit 0
