# tests: Criterion suites of libshmring, the header and the symbol checks.
#
# Criterion binaries print TAP when CRITERION_ENABLE_TAP=1, so every test
# inside them shows as one PASS/SKIP/FAIL line of make check.  Shell tests
# (*.sh) use the plain driver: exit 0 pass, 77 skip, anything else fail.
#
# tests/sanitizers.mk adds make check-asan and make check-tsan (this suite
# in sanitized sub-builds, san-asan/ and san-tsan/) and make check-valgrind
# (the unit suites under valgrind memcheck, through tests/valgrind.sh).
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = CRITERION_ENABLE_TAP=1; export CRITERION_ENABLE_TAP; \
	LSAN_OPTIONS="suppressions=$(abs_top_srcdir)/tests/lsan.supp:print_suppressions=0$${LSAN_OPTIONS:+:$$LSAN_OPTIONS}"; \
	export LSAN_OPTIONS;
SH_LOG_DRIVER = $(SHELL) $(top_srcdir)/build-aux/test-driver
TEST_EXTENSIONS = .sh

TESTS += tests/check-symbols.sh tests/check-ci.sh
EXTRA_DIST += tests/check-symbols.sh tests/check-ci.sh tests/lsan.supp

# Criterion-free helpers and the threaded stress engine, shared by the
# Criterion suites and by tests/threads-tap.
check_LIBRARIES = tests/libshrutil.a
tests_libshrutil_a_SOURCES = tests/util.c tests/util.h tests/threads.c tests/threads.h

# The threaded stress cases without Criterion, printing TAP themselves:
# Criterion's runner crashes under ThreadSanitizer, so this is what
# --enable-tsan builds (make check-tsan) run.  Built always, so it never rots.
check_PROGRAMS += tests/threads-tap
tests_threads_tap_SOURCES = tests/threads-tap.c
tests_threads_tap_LDADD = tests/libshrutil.a lib/libshmring.la

# The public header on its own: strict C11, and C++.
check_PROGRAMS += tests/header-c tests/header-cxx
TESTS += tests/header-c tests/header-cxx
tests_header_c_SOURCES = tests/header.c
tests_header_c_CFLAGS = -std=c11 -pedantic-errors $(WARN_CFLAGS) $(SAN_CFLAGS)
tests_header_c_LDADD = lib/libshmring.la
tests_header_cxx_SOURCES = tests/header.cc
tests_header_cxx_CXXFLAGS = -std=c++11 -pedantic-errors -Wall -Wextra $(SAN_CFLAGS)
tests_header_cxx_LDADD = lib/libshmring.la

if ENABLE_TSAN

SHR_STRESS_TESTS = tests/threads-tap
TESTS += tests/threads-tap

else !ENABLE_TSAN
if HAVE_CRITERION

# Suites whose stress, random-kill and scribbling tests repeat rounds for
# STRESS_SECONDS under make check-stress.  test_soak streams through an
# MPMC ring for SOAK_SECONDS per variant (kills, stops, both), else for
# STRESS_SECONDS, else for 10 s: 30 s of make check.
SHR_STRESS_TESTS = tests/test_soak tests/test_stress tests/test_threads tests/test_crash tests/test_hostile

# Longest first, so that make -j spreads them out.
SHR_CRITERION_TESTS = $(SHR_STRESS_TESTS) \
	tests/test_io tests/test_eos tests/test_info tests/test_create \
	tests/test_open tests/test_zc tests/test_burst tests/test_name tests/test_huge \
	tests/test_pidreuse

check_PROGRAMS += $(SHR_CRITERION_TESTS)
TESTS += $(SHR_CRITERION_TESTS)

check_LIBRARIES += tests/libshrtest.a
tests_libshrtest_a_SOURCES = tests/helpers.c tests/helpers.h
tests_libshrtest_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRITERION_CFLAGS)

SHR_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CRITERION_CFLAGS)
SHR_TEST_LDADD = tests/libshrtest.a tests/libshrutil.a lib/libshmring.la $(CRITERION_LIBS)

tests_test_huge_SOURCES = tests/test_huge.c
tests_test_huge_CPPFLAGS = $(SHR_TEST_CPPFLAGS) -I$(top_srcdir)/lib
tests_test_huge_LDADD = $(SHR_TEST_LDADD)

tests_test_pidreuse_SOURCES = tests/test_pidreuse.c
tests_test_pidreuse_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_pidreuse_LDADD = $(SHR_TEST_LDADD)

tests_test_name_SOURCES = tests/test_name.c
tests_test_name_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_name_LDADD = $(SHR_TEST_LDADD)

tests_test_create_SOURCES = tests/test_create.c
tests_test_create_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_create_LDADD = $(SHR_TEST_LDADD)

tests_test_open_SOURCES = tests/test_open.c
tests_test_open_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_open_LDADD = $(SHR_TEST_LDADD)

tests_test_io_SOURCES = tests/test_io.c
tests_test_io_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_io_LDADD = $(SHR_TEST_LDADD)

tests_test_burst_SOURCES = tests/test_burst.c
tests_test_burst_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_burst_LDADD = $(SHR_TEST_LDADD)

tests_test_zc_SOURCES = tests/test_zc.c
tests_test_zc_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_zc_LDADD = $(SHR_TEST_LDADD)

tests_test_eos_SOURCES = tests/test_eos.c
tests_test_eos_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_eos_LDADD = $(SHR_TEST_LDADD)

tests_test_crash_SOURCES = tests/test_crash.c
tests_test_crash_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_crash_LDADD = $(SHR_TEST_LDADD)

# Crafts bad headers, so it needs the private layout (lib/layout.h).
tests_test_hostile_SOURCES = tests/test_hostile.c
tests_test_hostile_CPPFLAGS = $(SHR_TEST_CPPFLAGS) -I$(top_srcdir)/lib
tests_test_hostile_LDADD = $(SHR_TEST_LDADD)

tests_test_info_SOURCES = tests/test_info.c
tests_test_info_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_info_LDADD = $(SHR_TEST_LDADD)

tests_test_stress_SOURCES = tests/test_stress.c
tests_test_stress_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_stress_LDADD = $(SHR_TEST_LDADD)

tests_test_soak_SOURCES = tests/test_soak.c
tests_test_soak_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_soak_LDADD = $(SHR_TEST_LDADD)

tests_test_threads_SOURCES = tests/test_threads.c
tests_test_threads_CPPFLAGS = $(SHR_TEST_CPPFLAGS)
tests_test_threads_LDADD = $(SHR_TEST_LDADD)

else !HAVE_CRITERION

SHR_STRESS_TESTS =

endif !HAVE_CRITERION
endif !ENABLE_TSAN

# make check-stress [STRESS_SECONDS=N]: the stress suites, each repeating
# test running about N seconds (default 60).
check-stress:
	@test -n '$(SHR_STRESS_TESTS)' || { \
	  echo "check-stress needs Criterion (apt-get install libcriterion-dev)" >&2; exit 1; }
	STRESS_SECONDS=$${STRESS_SECONDS:-60}; export STRESS_SECONDS; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SHR_STRESS_TESTS)'

# make check-loop: make check over and over until it fails (flaky tests).
check-loop:
	@n=0; while :; do \
	  n=$$((n + 1)); echo "check-loop: round $$n"; \
	  $(MAKE) $(AM_MAKEFLAGS) check || { echo "check-loop: failed in round $$n"; exit 1; }; \
	done

.PHONY: check-stress check-loop
