#!/bin/sh
# shmring send | ring | shmring recv moves every line, byte for byte, in
# order, through back-pressure and end of stream.
. "$(dirname "$0")/cli-lib.sh"

N=1000000
seq 1 $N >"$cli_tmp/in"
want=$(cksum <"$cli_tmp/in")

# 1. A million lines through a fresh ring while recv runs; the ring is far
#    smaller than the input, so send must wait for room many times.
r=$(ring pipe); use_ring "$r"
"$SHMRING" create "$r" --capacity 1024 --msg-size 64 || fail "create"
timeout "$T" "$SHMRING" recv "$r" >"$cli_tmp/out" &
rpid=$!
timeout "$T" "$SHMRING" send "$r" <"$cli_tmp/in" || fail "send exited $?"
wait $rpid || fail "recv exited $? (expected 0 at end of stream)"
[ "$(cksum <"$cli_tmp/out")" = "$want" ] || fail "recv output differs from send input"
[ "$(info_field "$r" sent)" = $N ] || fail "info: sent is not $N"
[ "$(info_field "$r" received)" = $N ] || fail "info: received is not $N"
ok "1M lines, checksum equal"

# 2. The producer finishes before the consumer attaches: the ring holds the
#    messages, then recv drains them and sees end of stream.
r=$(ring late); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
printf 'a\nb\n\nlast line without newline' | timeout "$T" "$SHMRING" send "$r" || fail "send"
printf 'a\nb\n\nlast line without newline\n' >"$cli_tmp/want"
timeout "$T" "$SHMRING" recv "$r" >"$cli_tmp/out" || fail "late recv exited $?"
cmp -s "$cli_tmp/out" "$cli_tmp/want" || fail "late recv: wrong output"
ok "consumer after producer, empty line and unterminated last line"

# 3. The built-in load generator is 'seq 1 N'; --size pads with zeros.
r=$(ring count); use_ring "$r"
timeout "$T" "$SHMRING" send --create "$r" --capacity 256 --count $N &
spid=$!
# Either side may come first: both create the ring if it is missing.
timeout "$T" "$SHMRING" recv --create "$r" --capacity 256 >"$cli_tmp/out" ||
	fail "recv exited $?"
wait $spid || fail "send --count exited $?"
[ "$(cksum <"$cli_tmp/out")" = "$want" ] || fail "send --count differs from seq"
"$SHMRING" rm "$r"
"$SHMRING" send --create "$r" --count 3 --size 6 || fail "send --size"
[ "$(timeout "$T" "$SHMRING" recv "$r" | tr '\n' ' ')" = "000001 000002 000003 " ] ||
	fail "send --size: wrong padding"
ok "send --count and --size"

# 4. Binary data in fixed records, the last one short, comes back whole.
r=$(ring raw); use_ring "$r"
head -c 1000003 /dev/urandom >"$cli_tmp/bin"
"$SHMRING" create "$r" --msg-size 4K --capacity 64 || fail "create"
timeout "$T" "$SHMRING" recv --raw "$r" >"$cli_tmp/out" &
rpid=$!
timeout "$T" "$SHMRING" send --raw 4096 "$r" <"$cli_tmp/bin" || fail "send --raw"
wait $rpid || fail "recv --raw exited $?"
cmp -s "$cli_tmp/bin" "$cli_tmp/out" || fail "--raw round trip differs"
[ "$(info_field "$r" sent)" = 245 ] || fail "--raw: expected 245 records"
ok "--raw round trip"

# 5. NUL-separated records may contain newlines.
r=$(ring null); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
printf 'one\ntwo\000three\000' | "$SHMRING" send -z "$r" || fail "send -z"
[ "$("$SHMRING" recv -n 1 "$r")" = "$(printf 'one\ntwo')" ] || fail "-z: first record"
[ "$("$SHMRING" recv -z "$r" | tr '\000' '|')" = "three|" ] || fail "-z: second record"
ok "-z"

# 6. -n stops early and leaves the rest queued; --timeout 0 drains.
r=$(ring count-n); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
seq 1 10 | "$SHMRING" send "$r" || fail "send"
[ "$(timeout "$T" "$SHMRING" recv -n 3 "$r" | tr '\n' ' ')" = "1 2 3 " ] || fail "recv -n 3"
[ "$(info_field "$r" count)" = 7 ] || fail "recv -n 3 took more than 3"
[ "$(timeout "$T" "$SHMRING" recv -t 0 "$r" | tr '\n' ' ')" = "4 5 6 7 8 9 10 " ] ||
	fail "recv -t 0 after end of stream"
ok "-n and -t 0"

# 7. Ctrl-C on a waiting recv: exit 130, detached, ring still usable.
r=$(ring intr); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
$sigint_env "$SHMRING" recv "$r" >"$cli_tmp/out" &
rpid=$!
wait_for 10 field_is "$r" consumers 1 ||
	fail "recv never attached"
kill -$sigint $rpid
wait $rpid
st=$?
[ $st = $sigint_status ] || fail "recv after SIG$sigint exited $st, expected $sigint_status"
[ "$(info_field "$r" consumers)" = 0 ] || fail "recv still attached after SIGINT"
echo x | "$SHMRING" send "$r" || fail "send after interrupted recv"
[ "$(timeout "$T" "$SHMRING" recv "$r")" = x ] || fail "second consumer"
# A signal ignored at start (nohup, background jobs) stays ignored.
r=$(ring intr-ign); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
sh -c "trap '' INT; exec '$SHMRING' recv '$r'" >/dev/null &
rpid=$!
wait_for 10 field_is "$r" consumers 1 || fail "recv never attached"
kill -INT $rpid
sleep 0.2
field_is "$r" consumers 1 || fail "an ignored SIGINT stopped recv"
kill -TERM $rpid
wait $rpid
st=$?
[ $st = 143 ] || fail "recv after SIGTERM exited $st, expected 143"
ok "SIGINT detaches recv; an ignored SIGINT stays ignored"

# 8. A reader that goes away ends recv like any filter, without an error line.
r=$(ring head); use_ring "$r"
"$SHMRING" create "$r" || fail "create"
# Once recv has gone, send may fail with "end of stream": that is expected.
timeout "$T" "$SHMRING" send "$r" --count 100000 2>/dev/null &
spid=$!
[ "$(timeout "$T" "$SHMRING" recv "$r" 2>"$cli_tmp/err" | head -n 2 | tr '\n' ' ')" = "1 2 " ] ||
	fail "recv | head"
[ -s "$cli_tmp/err" ] && fail "recv | head printed: $(cat "$cli_tmp/err")"
kill $spid 2>/dev/null
wait $spid
ok "recv | head"
exit 0
