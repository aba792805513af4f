# tools: the shmring command-line tool, its man page and its tests.
bin_PROGRAMS += tools/shmring
tools_shmring_SOURCES = \
	tools/cli.h tools/shmring.c tools/cmd_admin.c tools/cmd_stream.c \
	tools/cmd_watch.c
tools_shmring_LDADD = lib/libshmring.la

dist_man_MANS += man/shmring.1

# Shell tests run from the top build directory and find the tool as
# ./tools/shmring (or $SHMRING); they share tests/cli-lib.sh.
shr_cli_tests = \
	tests/cli-pipeline.sh tests/cli-mpmc.sh tests/cli-errors.sh \
	tests/cli-json.sh tests/cli-watch.sh tests/cli-demo.sh tests/cli-man.sh \
	tests/cli-stale.sh
TESTS += $(shr_cli_tests)
EXTRA_DIST += $(shr_cli_tests) tests/cli-lib.sh tools/demo.sh
