# Sourced by the tests/cli-*.sh scripts (POSIX sh).
#
# The tests run from the top build directory, where the tool is
# ./tools/shmring; set SHMRING to test another binary.  Every ring name is
# unique to the test process and removed on exit, so tests may run in
# parallel.

SHMRING=${SHMRING:-./tools/shmring}
case $SHMRING in
/*) ;;
*) SHMRING=$(pwd)/$SHMRING ;;
esac
if [ ! -x "$SHMRING" ]; then
	echo "error: $SHMRING not found (run from the build directory or set SHMRING)" >&2
	exit 99
fi

# In a shared-library build ./tools/shmring is libtool's wrapper script,
# which costs tens of milliseconds per run; these tests run the tool a few
# hundred times, so they call the real binary with the just-built library,
# as the wrapper would, when that works.
cli_bin=${SHMRING%/*}/.libs/${SHMRING##*/}
cli_libs=${SHMRING%/*/*}/lib/.libs
if [ -x "$cli_bin" ] && [ -d "$cli_libs" ] &&
	LD_LIBRARY_PATH="$cli_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
	"$cli_bin" --version >/dev/null 2>&1; then
	LD_LIBRARY_PATH="$cli_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
	SHMRING=$cli_bin
fi

# Bounds every command that could hang on a bug, so a broken build fails
# instead of stalling make check.
T=${CLI_TEST_TIMEOUT:-60}

cli_rings=
cli_tmp=$(mktemp -d "${TMPDIR:-/tmp}/shr-cli.XXXXXX") || exit 99

cli_cleanup() {
	for r in $cli_rings; do
		"$SHMRING" rm -f "$r" 2>/dev/null
		rm -f "/dev/shm/$r"
	done
	rm -rf "$cli_tmp"
}
trap cli_cleanup EXIT
trap 'exit 1' INT TERM HUP

# ring WHAT: prints a fresh ring name and registers it for removal.
ring() {
	echo "shr-t-$$-$1"
}
use_ring() {
	cli_rings="$cli_rings $1"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok: $*"
}

# expect STATUS DESCRIPTION CMD...: runs CMD and checks its exit status;
# stderr is left in $cli_tmp/err, stdout in $cli_tmp/out.
expect() {
	want=$1
	what=$2
	shift 2
	timeout "$T" "$@" >"$cli_tmp/out" 2>"$cli_tmp/err" </dev/null
	got=$?
	if [ "$got" != "$want" ]; then
		echo "--- stderr:" >&2
		cat "$cli_tmp/err" >&2
		fail "$what: exit status $got, expected $want"
	fi
}

# one_error_line PATTERN: stderr of the last expect is exactly one line
# matching the extended regular expression PATTERN.
one_error_line() {
	n=$(wc -l <"$cli_tmp/err")
	if [ "$n" -ne 1 ] || ! grep -Eq -- "$1" "$cli_tmp/err"; then
		echo "--- stderr ($n lines):" >&2
		cat "$cli_tmp/err" >&2
		fail "expected one error line matching /$1/"
	fi
}

# wait_for SECONDS CMD...: retries CMD every 0.05 s until it succeeds.
wait_for() {
	tries=$(($1 * 20))
	shift
	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.05
	done
}

# info_field RING FIELD: a value from 'shmring info' text output.
info_field() {
	"$SHMRING" info "$1" | sed -n "s/^$2: *\\([^ ]*\\).*/\\1/p"
}

# field_is RING FIELD VALUE: for wait_for.
field_is() {
	[ "$(info_field "$1" "$2")" = "$3" ]
}

# Background jobs of a script start with SIGINT ignored, and the tool keeps
# an ignored signal ignored.  "$sigint_env CMD &" starts CMD with SIGINT at
# its default so that "kill -$sigint" acts as Ctrl-C would; where env(1)
# cannot do that, SIGTERM stands in (same clean detach, status 143).
if env --default-signal=INT true 2>/dev/null; then
	sigint_env="env --default-signal=INT"
	sigint=INT
	sigint_status=130
else
	sigint_env=
	sigint=TERM
	sigint_status=143
fi
