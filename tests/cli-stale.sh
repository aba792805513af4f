#!/bin/sh
# Rings whose processes were killed with SIGKILL: ls and info count no one
# attached, a new receiver drains what a dead sender left and sees the end
# of the stream, and rm removes them.
. "$(dirname "$0")/cli-lib.sh"

a=$(ring stale-sender); use_ring "$a"
b=$(ring stale-receiver); use_ring "$b"
"$SHMRING" create "$a" --capacity 64 --msg-size 32 || fail "create $a"
"$SHMRING" create "$b" --capacity 64 --msg-size 32 || fail "create $b"

# A column of the ring's ls line:
# NAME OWNER MODE TYPE CAPACITY MSG_SIZE PAGE USED PRODUCERS CONSUMERS ABANDONED
ls_field() {
	"$SHMRING" ls | awk -v r="$1" -v f="$2" '$1 == r { print $f }'
}

# $a: a sender killed after queueing two messages the receiver never took.
mkfifo "$cli_tmp/in"
exec 3<>"$cli_tmp/in"        # held open here: the sender never sees EOF
"$SHMRING" send "$a" <&3 &
spid=$!
wait_for 20 field_is "$a" producers 1 || fail "sender did not attach"
printf 'a\nb\nleft1\nleft2\n' >&3
expect 0 "recv -n 2" "$SHMRING" recv "$a" -n 2
wait_for 20 field_is "$a" count 2 || fail "the last two lines were not queued"
# $b: a receiver killed while it waits on an empty ring.
"$SHMRING" recv "$b" >/dev/null &
rpid=$!
wait_for 20 field_is "$b" consumers 1 || fail "receiver did not attach"

kill -9 $spid $rpid
wait $spid $rpid 2>/dev/null
exec 3>&-

[ "$(ls_field "$a" 9)" = 0 ] || fail "ls counts $(ls_field "$a" 9) producers after kill -9"
[ "$(ls_field "$a" 8)" = 2 ] || fail "ls shows $(ls_field "$a" 8) queued, expected 2"
[ "$(ls_field "$b" 10)" = 0 ] || fail "ls counts $(ls_field "$b" 10) consumers after kill -9"
field_is "$a" producers 0 || fail "info counts a dead producer"
field_is "$b" consumers 0 || fail "info counts a dead consumer"
ok "ls and info count no one attached after kill -9"

# The sender is dead: a receiver gets what is left, then the end of stream.
expect 0 "recv from a ring whose sender was killed" "$SHMRING" recv "$a"
[ "$(cat "$cli_tmp/out")" = "$(printf 'left1\nleft2')" ] || fail "drained '$(cat "$cli_tmp/out")'"
ok "a new receiver drains the ring and sees the end of the stream"

expect 0 "rm of stale rings" "$SHMRING" rm "$a" "$b"
[ -z "$("$SHMRING" ls | awk -v a="$a" -v b="$b" '$1 == a || $1 == b')" ] ||
	fail "ls still lists them after rm"
[ ! -e "/dev/shm/$a" ] && [ ! -e "/dev/shm/$b" ] || fail "left behind in /dev/shm"
ok "rm removes them"
