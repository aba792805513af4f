#!/bin/sh
# The first program of README.md must be examples/readme_example.c, byte for
# byte, so that the README shows code that is built and run by make check.
readme="${srcdir:-.}/README.md"
example="${srcdir:-.}/examples/readme_example.c"
[ -f "$readme" ] || { echo "no $readme: skipped"; exit 77; }

block=$(mktemp) || exit 1
trap 'rm -f "$block"' EXIT

# The first ```c fence in the section "## A first program", up to its end.
awk '
	/^## / { insec = ($0 == "## A first program") ; next }
	insec && !inblk && /^```c[ \t]*$/ { inblk = 1; found = 1; next }
	inblk && /^```[ \t]*$/ { exit }
	inblk { print }
	END { exit !found }
' "$readme" >"$block" || {
	echo "README.md has no \`\`\`c block under \"## A first program\": skipped"
	exit 77
}

if ! cmp -s "$block" "$example"; then
	echo "README.md's first program differs from examples/readme_example.c:" >&2
	diff -u "$example" "$block" >&2
	exit 1
fi
echo "README.md's first program is examples/readme_example.c"
