# tests/sanitizers.mk: the suite under the sanitizers and under valgrind.
#
# Run from any configured build tree (in the source tree, out of it, or the
# one make distcheck makes); CI runs all of them (README, second command).
#
#   make check-asan      configures san-asan/ with --enable-asan (AddressSanitizer,
#                        LeakSanitizer and UBSan, any report aborts the test),
#                        builds it and runs the whole make check there.
#   make check-tsan      the same in san-tsan/ with --enable-tsan, built with clang
#                        (gcc refuses the seq_cst fence of lib/wait.c under TSan):
#                        the threaded stress cases run as tests/threads-tap, since
#                        Criterion's runner crashes under TSan, plus every test
#                        that needs no Criterion.
#   make check-valgrind  the unit suites of this build tree under valgrind
#                        memcheck (tests/valgrind.sh): memory errors and definite
#                        leaks, in the Criterion workers too, fail the suite.
#   make fuzz            fuzz/local.mk: libFuzzer for FUZZ_SECONDS (60).
#
# The sub-builds are configured once with SAN_CONFIGURE_FLAGS and remade on
# every run, so after an edit only what changed is rebuilt; anything given
# on the command line reaches their make check, e.g.
#   make check-asan TESTS=tests/test_io
# They use this tree's sources when it is built out of the source tree.  A
# source tree configured in place cannot serve a second build (configure
# refuses, and its objects would be found through VPATH), so then they use a
# copy of the distributed files, san-asan.src/ (make distdir), refreshed on
# every run: its files keep their times, so nothing unchanged is rebuilt.
#
# Workload: the sanitized suites scale their stress rounds down themselves
# (t_sanitized() in tests/util.c: a fifth of the messages in the threaded
# cases, fewer scribbles in test_hostile), which keeps make check-asan about
# as long as the plain make check.  make check-valgrind leaves out the
# fork-and-kill stress suites (test_stress, test_threads, test_crash,
# test_hostile): under valgrind every Criterion worker costs a second or two
# of start-up, their rounds would take tens of minutes, and what they add,
# races between processes, is the sanitizers' and the stress runs' ground.

SAN_CONFIGURE_FLAGS = --enable-Werror --disable-maintainer-mode
TSAN_CC = clang
TSAN_CXX = clang++

# The recipe of both; the shell sets san, cc and cxx first.
shr_san_check = \
	set -e; dir=san-$$san; \
	if test -f '$(srcdir)/config.status'; then \
	  src='$(abs_top_builddir)'/$$dir.src; \
	  echo "$$dir: the source tree is configured in place: using a copy, $$dir.src"; \
	  $(MAKE) $(AM_MAKEFLAGS) distdir distdir=$$dir.src >/dev/null; \
	else \
	  src='$(abs_top_srcdir)'; \
	fi; \
	$(MKDIR_P) $$dir; \
	if test ! -f $$dir/config.status || \
	   test "`cat $$dir/shr-srcdir 2>/dev/null`" != "$$src"; then \
	  echo "$$dir: configuring with --enable-$$san CC=$$cc"; \
	  (cd $$dir && "$$src/configure" --enable-$$san $(SAN_CONFIGURE_FLAGS) \
	     CC="$$cc" CXX="$$cxx" >configure.log) || \
	    { tail -n 30 $$dir/configure.log >&2; exit 1; }; \
	  echo "$$src" >$$dir/shr-srcdir; \
	fi; \
	echo "$$dir: make check"; \
	cd $$dir && $(MAKE) check

# '+': the sub-make hides inside a variable, so tell make it is one and
# share the -j job slots with it (otherwise it runs one job at a time).
check-asan:
	+@san=asan; cc='$(CC)'; cxx='$(CXX)'; $(shr_san_check)

check-tsan:
	+@san=tsan; cc='$(TSAN_CC)'; cxx='$(TSAN_CXX)'; $(shr_san_check)

# The suites check-valgrind runs: those without fork-and-kill stress rounds
# (see above), and not test_huge: valgrind ignores SHM_HUGETLB, so the
# System V backend gets no huge pages there, and its hugetlbfs cases make
# private mounts valgrind misreads (mount(2) with a NULL type).
SHR_VALGRIND_TESTS = \
	tests/test_io tests/test_eos tests/test_info tests/test_create \
	tests/test_open tests/test_zc tests/test_burst tests/test_name
# Criterion tests left out under valgrind (CRITERION_TEST_PATTERN):
# create/hugepages asks for SysV huge pages, which valgrind ignores.
SHR_VALGRIND_SKIP = create/hugepages

check-valgrind:
	@test -n '$(VALGRIND)' || { \
	  echo "check-valgrind needs valgrind (apt-get install valgrind); reconfigure" >&2; exit 1; }
	@test -n '$(SHR_STRESS_TESTS)' && test -z '$(SAN_CFLAGS)' || { \
	  echo "check-valgrind needs Criterion and a build without sanitizers" >&2; exit 1; }
	CRITERION_TEST_PATTERN='!($(SHR_VALGRIND_SKIP))'; export CRITERION_TEST_PATTERN; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SHR_VALGRIND_TESTS)' \
	  TEST_SUITE_LOG=tests/valgrind-suite.log \
	  LOG_COMPILER="env VALGRIND='$(VALGRIND)' LIBTOOL='$(LIBTOOL)' $(SHELL) $(abs_top_srcdir)/tests/valgrind.sh"

clean-local: clean-sanitizers
clean-sanitizers:
	-rm -rf san-asan san-tsan san-asan.src san-tsan.src

CLEANFILES += tests/valgrind-suite.log
EXTRA_DIST += tests/valgrind.sh

.PHONY: check-asan check-tsan check-valgrind clean-sanitizers
