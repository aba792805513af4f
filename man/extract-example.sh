#!/bin/sh
# Print the C program of a page's EXAMPLE section (its first .EX/.EE block)
# as a reader sees it: the few roff escapes allowed in it are undone, and any
# other escape is an error, so that what is compiled is what is shown.
[ $# -eq 1 ] || { echo "usage: $0 PAGE" >&2; exit 2; }
exec awk '
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
	exit 1
}
function unescape(s,    out, c, i, name) {
	out = ""
	while ((i = index(s, "\\")) > 0) {
		out = out substr(s, 1, i - 1)
		c = substr(s, i + 1, 1)
		s = substr(s, i + 2)
		if (c == "e") {
			out = out "\\"
		} else if (c == "-") {
			out = out "-"
		} else if (c == "&") {
			;
		} else if (c == "(" || c == "[") {
			if (c == "(") {
				name = substr(s, 1, 2)
				s = substr(s, 3)
			} else {
				if (!(i = index(s, "]")))
					fail("unterminated \\[ escape")
				name = substr(s, 1, i - 1)
				s = substr(s, i + 1)
			}
			if (name == "aq")
				out = out "\047"
			else if (name == "dq")
				out = out "\""
			else if (name == "ti")
				out = out "~"
			else if (name == "ha")
				out = out "^"
			else
				fail("escape \\(" name " not allowed in an example")
		} else {
			fail("escape \\" c " not allowed in an example")
		}
	}
	return out s
}
/^\.SH/ {
	if (inex)
		fail(".SH inside .EX")
	insec = ($0 ~ /^\.SH +"?EXAMPLES?"? *$/)
	next
}
insec && !inex && /^\.EX/ { inex = 1; found = 1; next }
inex && /^\.EE/ { done = 1; exit }
inex && /^[.\047]/ { fail("request inside an example: " $0) }
inex { print unescape($0) }
END {
	if (bad)
		exit 1
	if (!done) {
		printf "%s: no complete .EX/.EE block under EXAMPLE\n", FILENAME > "/dev/stderr"
		exit 1
	}
}
' "$1"
