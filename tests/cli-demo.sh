#!/bin/sh
# The demo of README.md and shmring(1) runs as shown: four lines, then recv
# ends at end of stream, and the ring is gone afterwards.
. "$(dirname "$0")/cli-lib.sh"

demo="${srcdir:-.}/tools/demo.sh"
r=$(ring demo); use_ring "$r"
tools=$(dirname "$SHMRING")
PATH="$tools:$PATH" timeout "$T" "$demo" "$r" >"$cli_tmp/out" 2>"$cli_tmp/err" ||
	fail "demo exited $?: $(cat "$cli_tmp/err")"
printf 'hello\nfrom\nanother\nprocess\n' >"$cli_tmp/want"
cmp -s "$cli_tmp/out" "$cli_tmp/want" || {
	diff -u "$cli_tmp/want" "$cli_tmp/out" >&2
	fail "demo output differs"
}
[ -s "$cli_tmp/err" ] && fail "demo wrote to stderr: $(cat "$cli_tmp/err")"
expect 1 "info after the demo" "$SHMRING" info "$r"
ok "demo"
exit 0
