#!/bin/sh
# Run the README's first program on a ring of our own and check what it says.
name="shr-t-$$-readme"
out=$(./examples/readme_example "$name") || {
	echo "readme_example exited with status $?" >&2
	exit 1
}
if [ "$out" != 'received "hello, world"' ]; then
	printf 'unexpected output: %s\n' "$out" >&2
	exit 1
fi
# The program unlinks its ring: nothing of it may be left behind.
if ls /dev/shm 2>/dev/null | grep -F -q -e "$name"; then
	echo "ring $name left behind in /dev/shm" >&2
	exit 1
fi
echo "$out"
