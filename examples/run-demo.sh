#!/bin/sh
# The demo must show every greeting once, from the consumer's process, and
# verify a short timed run.
out=$(./examples/demo -n 5 -r 20000) || {
	echo "demo exited with status $?" >&2
	exit 1
}
printf '%s\n' "$out"
for i in 1 2 3 4 5; do
	c=$(printf '%s\n' "$out" | grep -c "^consumer [0-9]*: got 'hello $i'\$")
	if [ "$c" -ne 1 ]; then
		echo "greeting $i seen $c times" >&2
		exit 1
	fi
done
printf '%s\n' "$out" | grep -q '20000 x 64-byte messages verified' || {
	echo "no verified timed run in the summary" >&2
	exit 1
}
./examples/demo -n x >/dev/null 2>&1
[ $? -eq 2 ] || { echo "bad usage must exit 2" >&2; exit 1; }
exit 0
