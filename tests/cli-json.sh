#!/bin/sh
# info --json and ls --json parse with jq and carry the ring's real values.
. "$(dirname "$0")/cli-lib.sh"

command -v jq >/dev/null 2>&1 || { echo "jq not installed: skipped"; exit 77; }

r=$(ring json); use_ring "$r"
junk=$(ring json-junk); use_ring "$junk"
printf 'not a ring\n' >"/dev/shm/$junk"
"$SHMRING" create "$r" --capacity 64 --msg-size 128 --mp --mode 0640 || fail "create"
"$SHMRING" send "$r" --count 10 || fail "send"
[ "$(timeout "$T" "$SHMRING" recv "$r" -n 4 | tr '\n' ' ')" = "1 2 3 4 " ] || fail "recv -n 4"

# jq -e fails unless the expression is true.
check() {
	jq -e "$1" "$cli_tmp/json" >/dev/null || {
		cat "$cli_tmp/json" >&2
		fail "$2: jq '$1' is not true"
	}
}

"$SHMRING" info --json "$r" >"$cli_tmp/json" || fail "info --json"
check 'type == "object"' "info"
[ "$(tail -c 1 "$cli_tmp/json" | od -An -c | tr -d ' ')" = '\n' ] || fail "info --json: no final newline"
check ".name == \"$r\" and .path == \"/dev/shm/$r\"" "info: name and path"
check '.capacity == 64 and .msg_size == 128' "info: geometry"
check '.type == "MPSC" and .flags.mp == true and .flags.mc == false and .flags.huge == false and .flags.value == 1' "info: flags"
check '.mode == "0640"' "info: mode"
check '.sent == 10 and .received == 4 and .count == 6' "info: counters"
check '.producers == 0 and .consumers == 0 and .abandoned == 0' "info: peers"
check '.page_size > 0 and .region_size >= 64 * 128' "info: sizes"
check '(.producer_sleeps | type) == "number" and (.consumer_sleeps | type) == "number"' "info: sleeps"
check "(.owner | type) == \"string\" and .uid == $(id -u)" "info: owner"
ok "info --json"

"$SHMRING" ls --json >"$cli_tmp/json" || fail "ls --json"
check 'type == "array"' "ls"
check "map(select(.name == \"$r\")) | length == 1" "ls: the ring once"
check "map(select(.name == \"$junk\")) | length == 0" "ls: no non-ring"
check "map(select(.name == \"$r\"))[0] | .capacity == 64 and .msg_size == 128 and .type == \"MPSC\" and .count == 6 and .mode == \"0640\"" "ls: values"
check 'map(.name) == (map(.name) | sort)' "ls: sorted"
# The same fields as info --json.
"$SHMRING" info --json "$r" >"$cli_tmp/info"
[ "$(jq -c keys "$cli_tmp/info")" = "$(jq -c "map(select(.name == \"$r\"))[0] | keys" "$cli_tmp/json")" ] ||
	fail "ls --json and info --json have different fields"
ok "ls --json"

# The text table carries the same row.
"$SHMRING" ls >"$cli_tmp/out" || fail "ls"
head -n 1 "$cli_tmp/out" | grep -q '^NAME  *OWNER  *MODE  *TYPE  *CAPACITY  *MSG_SIZE  *PAGE  *USED  *PRODUCERS  *CONSUMERS  *ABANDONED$' ||
	fail "ls: header"
grep -Eq "^$r +[^ ]+ +0640 +MPSC +64 +128 +[0-9]+[KM]? +6 +0 +0 +0\$" "$cli_tmp/out" || {
	cat "$cli_tmp/out" >&2
	fail "ls: row of $r"
}
ok "ls table"

# A sender waiting for input is counted as a producer, and stops being one
# when it is terminated.
mkfifo "$cli_tmp/fifo"
"$SHMRING" send "$r" <"$cli_tmp/fifo" &
spid=$!
exec 3>"$cli_tmp/fifo"
wait_for 10 field_is "$r" producers 1 || fail "producer not counted"
"$SHMRING" info -j "$r" >"$cli_tmp/json"
check '.producers == 1' "info while a sender is attached"
kill -TERM $spid
wait $spid
st=$?
exec 3>&-
[ $st = 143 ] || fail "send after SIGTERM exited $st, expected 143"
"$SHMRING" info -j "$r" >"$cli_tmp/json"
check '.producers == 0' "after the sender's SIGTERM"
ok "live counters"
exit 0
