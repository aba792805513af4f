#!/bin/sh
# Run the program of every page's EXAMPLE (built by make check from the page
# text itself) on a ring of its own: it must exit 0 and leave no ring behind.
srcdir=${srcdir:-.}
status=0
ran=0
for page in "$srcdir"/man/shmring_*.3; do
	grep -q '^\.SH EXAMPLE' "$page" || continue
	base=${page##*/}
	prog=./man/ex-${base%.3}
	name="shr-t-$$-man-${base%.3}"
	if [ ! -x "$prog" ]; then
		echo "FAIL: $base has an EXAMPLE but $prog was not built" >&2
		status=1
		continue
	fi
	if command -v timeout >/dev/null 2>&1; then
		out=$(timeout 30 "$prog" "$name" 2>&1)
	else
		out=$("$prog" "$name" 2>&1)
	fi
	rc=$?
	ran=$((ran + 1))
	printf '%s %s:\n%s\n' "$prog" "$name" "$out" | sed 's/^/  /'
	if [ $rc -ne 0 ]; then
		echo "FAIL: $prog exited with status $rc" >&2
		status=1
	fi
	if ls /dev/shm 2>/dev/null | grep -F -q -e "$name"; then
		echo "FAIL: $prog left $name behind in /dev/shm" >&2
		shm_dir=/dev/shm
		rm -f "$shm_dir/$name"
		status=1
	fi
done
[ $ran -gt 0 ] || { echo "FAIL: no example found" >&2; status=1; }
exit $status
