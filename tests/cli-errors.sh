#!/bin/sh
# Exit statuses and error lines: 1 and "shmring: NAME: reason" for runtime
# errors, 2 and one line pointing to --help for usage errors, for every
# subcommand; files in /dev/shm that are not rings are never mistaken for one.
. "$(dirname "$0")/cli-lib.sh"

S=$SHMRING
missing=$(ring missing)
junk=$(ring junk); use_ring "$junk"
good=$(ring good); use_ring "$good"
"$S" create "$good" || fail "create"
printf 'not a ring, just bytes\n' >"/dev/shm/$junk"

# Top level.
expect 0 "--help" "$S" --help
grep -q '^Usage: shmring COMMAND' "$cli_tmp/out" || fail "--help: no usage line"
expect 0 "--version" "$S" --version
grep -Eq '^shmring [0-9]+\.[0-9]+\.[0-9]+' "$cli_tmp/out" || fail "--version output"
expect 2 "no command" "$S"
one_error_line "^shmring: missing command .*--help"
expect 2 "unknown command" "$S" frobnicate
one_error_line "^shmring: unknown command 'frobnicate'.*--help"
expect 2 "bad top-level option" "$S" --bogus
one_error_line "^shmring: unrecognized option '--bogus'.*--help"
ok "top level"

for cmd in create ls info rm send recv watch; do
	expect 0 "$cmd --help" "$S" "$cmd" --help
	grep -q "^Usage: shmring $cmd" "$cli_tmp/out" || fail "$cmd --help: no usage line"
	expect 2 "$cmd --bogus" "$S" "$cmd" --bogus "$good"
	one_error_line "^shmring: $cmd: unrecognized option '--bogus'.*'shmring $cmd --help'"
	expect 2 "$cmd -Q" "$S" "$cmd" -Q "$good"
	one_error_line "^shmring: $cmd: invalid option '-Q'"
	[ "$cmd" = ls ] && continue
	expect 2 "$cmd without NAME" "$S" "$cmd"
	one_error_line "^shmring: $cmd: missing ring NAME"
	for bad in 'a~b' 'x/y' '..' "$(printf '%0201d' 0)"; do
		expect 2 "$cmd '$bad'" "$S" "$cmd" "$bad"
		one_error_line "^shmring: $cmd: '.*' is not a valid ring name"
	done
done
expect 2 "ls with an argument" "$S" ls "$good"
one_error_line "^shmring: ls: unexpected argument"
ok "--help, bad options, missing and bad names for every command"

# A ring that does not exist: runtime error naming it.
for cmd in info rm send recv watch; do
	expect 1 "$cmd of a missing ring" "$S" "$cmd" "$missing"
	one_error_line "^shmring: $missing: ."
done
expect 0 "rm -f of a missing ring" "$S" rm -f "$missing"
[ -s "$cli_tmp/err" ] && fail "rm -f complained"
expect 1 "create of an existing ring" "$S" create "$good"
one_error_line "^shmring: $good: ."
ok "missing and existing rings"

# A file in /dev/shm that is not a ring.
for cmd in create info rm send recv watch; do
	expect 1 "$cmd of a non-ring" "$S" "$cmd" "$junk"
	one_error_line "^shmring: $junk: ."
done
[ -f "/dev/shm/$junk" ] || fail "rm removed a file that is not a ring"
expect 0 "ls with a non-ring present" "$S" ls
[ -s "$cli_tmp/err" ] && fail "ls complained: $(cat "$cli_tmp/err")"
grep -q "^$good " "$cli_tmp/out" || fail "ls: $good missing"
grep -q "$junk" "$cli_tmp/out" && fail "ls lists a file that is not a ring"
# Names the library would refuse (such as rings still being created, which
# carry a '~') are skipped, not reported.
tilde="$(ring tilde)~x"
use_ring "$tilde"
cp "/dev/shm/$junk" "/dev/shm/$tilde"
expect 0 "ls with an invalid name present" "$S" ls
[ -s "$cli_tmp/err" ] && fail "ls complained about $tilde"
expect 0 "rm -f of a non-ring" "$S" rm -f "$junk"
[ -f "/dev/shm/$junk" ] && fail "rm -f left the non-ring"
ok "objects that are not rings"

# Bad option values are usage errors that say what is wrong.
r=$(ring values); use_ring "$r"
expect 2 "capacity 1000" "$S" create "$r" --capacity 1000
one_error_line "1000 is not a power of two.* 512 or 1024"
expect 2 "capacity 1" "$S" create "$r" -c 1
one_error_line "out of range"
expect 2 "capacity 2G" "$S" create "$r" -c 2G
one_error_line "out of range"
expect 2 "capacity abc" "$S" create "$r" --capacity abc
one_error_line "not a number"
expect 2 "capacity 12Q" "$S" create "$r" --capacity 12Q
one_error_line "not a size"
expect 2 "msg-size 0" "$S" create "$r" --msg-size 0
one_error_line "out of range"
expect 2 "mode 9" "$S" create "$r" --mode 9
one_error_line "not an octal number"
expect 2 "mode 4755" "$S" create "$r" --mode 4755
one_error_line "only permission bits"
expect 2 "capacity without value" "$S" create "$r" --capacity
one_error_line "option '--capacity' needs a value"
expect 2 "send --capacity without --create" "$S" send "$r" --capacity 64
one_error_line "need --create"
expect 2 "recv --timeout 5x" "$S" recv "$r" --timeout 5x
one_error_line "unknown unit"
expect 2 "send --size without --count" "$S" send "$r" --size 8
one_error_line "needs --count"
expect 2 "send --size too small" "$S" send "$r" --count 1000 --size 3
one_error_line "cannot hold"
expect 2 "watch --interval 1ms" "$S" watch "$r" --interval 1ms
one_error_line "shorter than 10ms"
[ -e "/dev/shm/$r" ] && fail "a usage error created the ring"
ok "bad option values"

# Sizes with suffixes, modes and flags reach the ring.
expect 0 "create with suffixes" "$S" create "$r" --capacity 64K -s 1K --mp --mc -m 640
[ "$(info_field "$r" capacity)" = 65536 ] || fail "64K slots"
[ "$(info_field "$r" msg_size)" = 1024 ] || fail "1K bytes"
[ "$(info_field "$r" type)" = MPMC ] || fail "type MPMC"
[ "$(info_field "$r" mode)" = 0640 ] || fail "mode 0640"
[ "$(stat -c %a "/dev/shm/$r")" = 640 ] || fail "file mode"
ok "create options"

# Runtime errors while streaming.
s=$(ring small); use_ring "$s"
"$S" create "$s" --msg-size 8 --capacity 4 || fail "create small"
printf '12345678\n123456789\n' >"$cli_tmp/in"
timeout "$T" "$S" send "$s" <"$cli_tmp/in" 2>"$cli_tmp/err"
[ $? = 1 ] || fail "a too long line must fail with 1"
one_error_line "^shmring: $s: message 2 is longer than the ring's 8-byte messages"
expect 0 "recv the line that fitted" "$S" recv "$s"
[ "$(cat "$cli_tmp/out")" = 12345678 ] || fail "the fitting line was not sent"
expect 1 "send --raw above msg_size" "$S" send "$s" --raw 16
one_error_line "larger than the ring's 8-byte messages"
expect 1 "recv --timeout on a silent ring" "$S" recv "$good" --timeout 200ms
one_error_line "^shmring: $good: ."
expect 1 "recv --timeout 0 on an empty ring" "$S" recv "$good" -t 0
one_error_line "^shmring: $good: ."
seq 1 10 | timeout "$T" "$S" send "$s" -t 300ms 2>"$cli_tmp/err"
[ $? = 1 ] || fail "send into a full ring with --timeout must fail with 1"
one_error_line "^shmring: $s: ."
ok "too long lines and timeouts"

# SPSC: a second consumer is refused while the first is alive.
"$S" recv "$good" >/dev/null &
rpid=$!
wait_for 10 field_is "$good" consumers 1 || fail "first consumer did not attach"
expect 1 "second consumer on SPSC" "$S" recv "$good"
one_error_line "^shmring: $good: ."
kill -TERM $rpid
wait $rpid
[ $? = 143 ] || fail "recv after SIGTERM must exit 143"
ok "second SPSC consumer refused"

# Huge pages may be unavailable: then create fails with one line.
h=$(ring huge); use_ring "$h"
timeout "$T" "$S" create "$h" --huge --capacity 2 --msg-size 8 2>"$cli_tmp/err"
case $? in
0) ok "--huge: created ($(info_field "$h" page_size)-byte pages)" ;;
1) one_error_line "^shmring: $h: ."; ok "--huge: $(cat "$cli_tmp/err")" ;;
*) fail "create --huge: unexpected status" ;;
esac

# Output that cannot be written is an error.
if [ -w /dev/full ]; then
	"$S" ls >/dev/full 2>"$cli_tmp/err"
	[ $? = 1 ] || fail "ls >/dev/full must fail"
	one_error_line "^shmring: standard output: "
	ok "write errors"
fi
exit 0
