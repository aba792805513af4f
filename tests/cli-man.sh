#!/bin/sh
# shmring(1) lints clean, shows the demo of tools/demo.sh verbatim, and
# documents every long option that 'shmring CMD --help' lists.
. "$(dirname "$0")/cli-lib.sh"

top=${srcdir:-.}
page="$top/man/shmring.1"
[ -f "$page" ] || fail "no $page"

if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$page" || fail "mandoc -Tlint: $page"
	ok "mandoc -Tlint"
	render() { mandoc -Tascii -Owidth=200 "$page" | sed 's/.\x08//g'; }
elif command -v groff >/dev/null 2>&1; then
	render() { groff -man -Tascii -P-cbou "$page" 2>/dev/null; }
else
	echo "neither mandoc nor groff: skipped"
	exit 77
fi

# The first .EX block under EXAMPLES is the demo line, the second its output.
awk '/^\.SH/ { sec = $2 } sec == "EXAMPLES" && /^\.EX/ { n++; inex = 1; next }
     /^\.EE/ { inex = 0 } inex && n == 1' "$page" >"$cli_tmp/demo"
awk '/^\.SH/ { sec = $2 } sec == "EXAMPLES" && /^\.EX/ { n++; inex = 1; next }
     /^\.EE/ { inex = 0 } inex && n == 2' "$page" >"$cli_tmp/output"
"$top/tools/demo.sh" --print >"$cli_tmp/want" || fail "tools/demo.sh --print"
cmp -s "$cli_tmp/demo" "$cli_tmp/want" || {
	diff -u "$cli_tmp/want" "$cli_tmp/demo" >&2
	fail "EXAMPLES is not the demo of tools/demo.sh"
}
printf 'hello\nfrom\nanother\nprocess\n' >"$cli_tmp/want"
cmp -s "$cli_tmp/output" "$cli_tmp/want" || fail "EXAMPLES shows the wrong output"
ok "EXAMPLES is the demo"

render >"$cli_tmp/page"
for cmd in create ls info rm send recv watch; do
	grep -q "^ *$cmd\$" "$cli_tmp/page" || fail "no section for $cmd"
	"$SHMRING" "$cmd" --help >"$cli_tmp/help" || fail "$cmd --help"
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$cli_tmp/help" | sort -u); do
		grep -q -- "$opt" "$cli_tmp/page" || fail "$cmd: $opt is not in the man page"
	done
done
ok "every option of every --help is documented"
exit 0
