#!/bin/sh
# watch shows a live rate: in a pseudo-terminal the frame is redrawn in
# place, otherwise one key=value line per refresh.
. "$(dirname "$0")/cli-lib.sh"

r=$(ring watch); use_ring "$r"
"$SHMRING" create "$r" --capacity 1024 --msg-size 16 || fail "create"

# A steady load for the duration of the test; stopped with SIGINT below.
$sigint_env "$SHMRING" send "$r" --count 1000000000000 &
spid=$!
"$SHMRING" recv "$r" >/dev/null &
rpid=$!
wait_for 10 field_is "$r" producers 1 || fail "sender did not attach"
wait_for 10 field_is "$r" consumers 1 || fail "receiver did not attach"

# Not a terminal: one line per refresh.
expect 0 "watch --count 2" "$SHMRING" watch "$r" --count 2 --interval 500ms
[ "$(wc -l <"$cli_tmp/out")" -eq 2 ] || fail "watch: expected 2 lines, got $(cat "$cli_tmp/out")"
grep -Eq " msgs/s=[1-9][0-9]* sent/s=[1-9][0-9]* max_bytes/s=[1-9][0-9]* .* producers=1 consumers=1 " "$cli_tmp/out" || {
	cat "$cli_tmp/out" >&2
	fail "watch: no rate in line mode"
}
ok "line mode: $(tail -n 1 "$cli_tmp/out")"

# A terminal, for two seconds.
if command -v script >/dev/null 2>&1; then
	TERM=xterm timeout "$T" script -qec "'$SHMRING' watch '$r' --count 2" /dev/null \
		</dev/null >"$cli_tmp/tty" 2>&1 || fail "watch in a pty exited $?: $(cat "$cli_tmp/tty")"
	tr -d '\r' <"$cli_tmp/tty" >"$cli_tmp/out"
	grep -Eq "msgs/s +[1-9][0-9.]*[kMG]? received" "$cli_tmp/out" || {
		cat -v "$cli_tmp/out" >&2
		fail "watch: no rate on the terminal"
	}
	grep -q "fill  *\[[#.]*\]" "$cli_tmp/out" || fail "watch: no fill bar"
	grep -q "$(printf '\033')\\[[0-9]*A" "$cli_tmp/out" || fail "watch: the frame is not redrawn in place"
	ok "terminal: $(grep -E 'msgs/s +[1-9]' "$cli_tmp/out" | tail -n 1 | sed 's/^.*\(msgs\/s\)/\1/')"
else
	echo "script(1) not installed: terminal mode not tested"
fi

# Ctrl-C on send: exit 130, and recv sees end of stream.
kill -$sigint $spid
wait $spid
st=$?
[ $st = $sigint_status ] || fail "send after SIG$sigint exited $st, expected $sigint_status"
wait $rpid || fail "recv after the sender's SIGINT exited $?, expected 0"
expect 0 "watch of an idle ring" "$SHMRING" watch "$r" -n 1 -i 100ms
grep -q " msgs/s=0 .* producers=0 consumers=0 " "$cli_tmp/out" || fail "idle ring: $(cat "$cli_tmp/out")"
ok "SIGINT on send ends the stream"
exit 0
