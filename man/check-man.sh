#!/bin/sh
# The man pages: every exported symbol has one, each full page has the
# sections the project requires and lists exactly the errors the header
# documents, cross references resolve, and the pages lint clean.
srcdir=${srcdir:-.}
man="$srcdir/man"
header="$srcdir/include/shmring.h"
sym="$srcdir/lib/shmring.sym"
status=0
fail() {
	echo "FAIL: $*" >&2
	status=1
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# A stub is one .so line naming the page that documents it.
stub_target() {
	sed -n '1s|^\.so man\([37]\)/\(.*\)$|\2|p' "$1"
}
is_stub() {
	[ "$(grep -cv '^\.\\"' "$1")" -eq 1 ] && [ -n "$(stub_target "$1")" ]
}
# The names on a page's NAME line, one per line.
page_names() {
	awk '/^\.SH NAME/ { getline; sub(/ *\\-.*/, ""); gsub(/,/, " "); print; exit }' "$1" |
		tr ' ' '\n' | sed '/^$/d'
}

version=$(sed -n "s/^PACKAGE_VERSION='\(.*\)'\$/\1/p" "$srcdir/configure" 2>/dev/null)
[ -n "$version" ] || fail "cannot read PACKAGE_VERSION from $srcdir/configure"

# 1. Every exported symbol has a page, and that page names it.
syms=$(sed -n 's/^[[:space:]]*\(shmring_[a-z_]*\);.*/\1/p' "$sym")
[ -n "$syms" ] || fail "no symbols found in $sym"
for s in $syms; do
	page="$man/$s.3"
	if [ ! -f "$page" ]; then
		fail "$s has no page ($page)"
		continue
	fi
	if is_stub "$page"; then
		page="$man/$(stub_target "$page")"
		[ -f "$page" ] || { fail "$s.3: .so target $page missing"; continue; }
	fi
	page_names "$page" | grep -qx "$s" || fail "$page does not name $s in NAME"
done

# The errors the header documents after "Return:" for function $1, with
# "the errors of shmring_x()" taken from shmring_x's own list.
header_errors() {
	awk -v fn="$1" '
		function collect(f,    s, i, seen) {
			s = ret[f]
			while (match(s, /-E[A-Z0-9]+/)) {
				print substr(s, RSTART + 1, RLENGTH - 1)
				s = substr(s, RSTART + RLENGTH)
			}
			s = ret[f]
			while (match(s, /errors of shmring_[a-z_]+\(\)/)) {
				i = substr(s, RSTART + 10, RLENGTH - 12)
				s = substr(s, RSTART + RLENGTH)
				if (i != f)
					collect(i)
			}
		}
		/^ \* shmring_[a-z_]+\(\) - / {
			cur = $2; sub(/\(\)$/, "", cur); inret = 0; next
		}
		cur && /\*\// { cur = ""; inret = 0; next }
		cur && /^ \* Return:/ { inret = 1 }
		cur && inret { ret[cur] = ret[cur] " " $0 }
		END { collect(fn) }
	' "$header" | sort -u
}

# 2. Full pages: sections, names, errors, examples, cross references, .TH.
for page in "$man"/shmring_*.3 "$man"/shmring.7; do
	base=${page##*/}
	if is_stub "$page"; then
		t="$man/$(stub_target "$page")"
		[ -f "$t" ] || fail "$base: .so target $t missing"
		page_names "$t" | grep -qx "${base%.3}" || fail "$base: $t does not name ${base%.3}"
		continue
	fi
	sect=${base##*.}
	title=$(echo "${base%.*}" | tr '[:lower:]' '[:upper:]')
	th=$(sed -n 's/^\.TH //p' "$page")
	case "$th" in
	"$title $sect "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]" \"shmring $version\" \"shmring Manual\"") ;;
	*) fail "$base: .TH is '$th', want '$title $sect DATE \"shmring $version\" \"shmring Manual\"'" ;;
	esac
	[ "$sect" = 3 ] || continue

	want="NAME|SYNOPSIS|DESCRIPTION|RETURN VALUE|CONCURRENCY|EXAMPLE|SEE ALSO"
	got=$(sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$page" | paste -sd '|' -)
	[ "$got" = "$want" ] || fail "$base: sections are '$got', want '$want'"

	names=$(page_names "$page")
	: >"$tmp/want"
	for n in $names; do
		grep -q "^\.BI* \"[a-z_ ]*[ *]$n(" "$page" ||
			fail "$base: $n is named but not in SYNOPSIS"
		grep -q "^ \* $n() - " "$header" || fail "$base: $n is not in the header"
		header_errors "$n" >>"$tmp/want"
	done
	sort -u "$tmp/want" -o "$tmp/want"
	awk '/^\.SH/ { inrv = ($0 == ".SH RETURN VALUE"); next } inrv' "$page" |
		grep -o '\\-E[A-Z0-9]*' | sed 's/^\\-//' | sort -u >"$tmp/got"
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		fail "$base: RETURN VALUE errors differ from the header's (< header, > page):"
		diff "$tmp/want" "$tmp/got" >&2
	fi

	sh "$man/extract-example.sh" "$page" >/dev/null || fail "$base: EXAMPLE cannot be extracted"
done

# Cross references to this library's pages must resolve.
for page in "$man"/shmring_*.3 "$man"/shmring.7; do
	is_stub "$page" && continue
	for ref in $(sed -n 's/^\.BR \(shmring[a-z_]*\) (\([37]\)).*/\1.\2/p' "$page" | sort -u); do
		[ -f "$man/$ref" ] || fail "${page##*/}: refers to $ref, which does not exist"
	done
done

# 3. Lint.  Stubs are linted through their targets: mandoc calls .so fragile
# by design, and STYLE.md asks for .so stubs rather than symlinks.
mkdir "$tmp/man3" "$tmp/man7"
lint_pages=
for page in "$man"/shmring_*.3 "$man"/shmring.7; do
	is_stub "$page" && continue
	lint_pages="$lint_pages $page"
done
if command -v "${MANDOC:-mandoc}" >/dev/null 2>&1; then
	# -W warning: STYLE-level notes (such as pages of other projects
	# that are not installed here) are not failures.
	out=$("${MANDOC:-mandoc}" -Tlint -W warning $lint_pages 2>&1)
	if [ -n "$out" ]; then
		fail "mandoc -Tlint:"
		printf '%s\n' "$out" >&2
	fi
elif command -v groff >/dev/null 2>&1; then
	for page in $lint_pages; do
		out=$(groff -man -ww -z "$page" 2>&1)
		[ -z "$out" ] || { fail "groff -ww ${page##*/}:"; printf '%s\n' "$out" >&2; }
	done
else
	[ $status -eq 0 ] && { echo "neither mandoc nor groff found: lint skipped"; exit 77; }
fi

[ $status -eq 0 ] && echo "man pages: all checks passed"
exit $status
