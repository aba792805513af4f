#!/bin/sh
# The shmring demo, as README.md and the EXAMPLES of shmring(1) show it:
# four messages go from a background process through a ring to
# 'shmring recv', which prints them as they arrive and exits at the end of
# the stream.
#
# Usage: tools/demo.sh [RING]
# Runs the demo with the shmring found in PATH; RING replaces the name
# "demo" (the tests use a unique one).
demo='shmring create demo && (for m in hello from another process; do sleep 0.3; echo $m; done | shmring send demo &) && shmring recv demo && shmring rm demo'

if [ "$1" = --print ]; then
	printf '%s\n' "$demo"
	exit 0
fi
name=${1:-demo}
case $name in
'' | *[!A-Za-z0-9._-]*)
	echo "usage: $0 [--print | RING]" >&2
	exit 2
	;;
esac
eval "$(printf '%s\n' "$demo" | sed "s/ demo / $name /g; s/ demo\$/ $name/")"
