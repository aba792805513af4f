#!/bin/sh
# Two senders and two receivers on an --mp --mc ring: every message arrives
# exactly once, each sender's messages in order, and both receivers end at
# end of stream.
. "$(dirname "$0")/cli-lib.sh"

N=1000000
H=$((N / 2))
r=$(ring mpmc); use_ring "$r"
"$SHMRING" create "$r" --mp --mc --capacity 512 --msg-size 32 || fail "create"

timeout "$T" "$SHMRING" recv "$r" >"$cli_tmp/out1" &
r1=$!
timeout "$T" "$SHMRING" recv "$r" >"$cli_tmp/out2" &
r2=$!

# End of stream comes when every producer that attached has gone, so both
# senders attach first and are only then given their input: otherwise the
# first could finish before the second attaches and end the stream early.
mkfifo "$cli_tmp/gate1" "$cli_tmp/gate2"
(read -r _ <"$cli_tmp/gate1"; seq 1 $H) | timeout "$T" "$SHMRING" send "$r" &
s1=$!
(read -r _ <"$cli_tmp/gate2"; seq $((H + 1)) $N) | timeout "$T" "$SHMRING" send "$r" &
s2=$!
wait_for 20 field_is "$r" producers 2 || fail "senders did not attach"
echo go >"$cli_tmp/gate1"
echo go >"$cli_tmp/gate2"

wait $s1 || fail "sender 1 exited $?"
wait $s2 || fail "sender 2 exited $?"
wait $r1 || fail "receiver 1 exited $?"
wait $r2 || fail "receiver 2 exited $?"

[ "$(sort -n "$cli_tmp/out1" "$cli_tmp/out2" | cksum)" = "$(seq 1 $N | cksum)" ] ||
	fail "the union of the receivers is not the input"
for f in out1 out2; do
	awk -v h=$H '$1 <= h' "$cli_tmp/$f" | sort -nc ||
		fail "$f: sender 1's messages out of order"
	awk -v h=$H '$1 > h' "$cli_tmp/$f" | sort -nc ||
		fail "$f: sender 2's messages out of order"
done
ok "2 senders x 2 receivers: $(wc -l <"$cli_tmp/out1") + $(wc -l <"$cli_tmp/out2") messages"

# The ring stays usable: a third sender alone makes the next stream.
seq 1 500 | timeout "$T" "$SHMRING" send "$r" || fail "third sender"
[ "$(timeout "$T" "$SHMRING" recv "$r" | wc -l)" -eq 500 ] || fail "reuse: wrong count"
ok "ring reused for a second stream"
exit 0
