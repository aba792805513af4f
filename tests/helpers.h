/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the Criterion suites: unique ring names, forked peers
 * with a parent-side watchdog, the run's seed (patterns and stamps are in
 * util.h).
 *
 * Rules every suite follows: a child process never calls cr_assert (it
 * reports through _exit() and a line on stderr, the parent asserts on the
 * status); every ring name comes from t_ring() so parallel runs never
 * collide and t_cleanup() (the suites' .fini) removes it.
 */
#ifndef SHR_TEST_HELPERS_H
#define SHR_TEST_HELPERS_H

#include <config.h>             /* _GNU_SOURCE: first, before any system header */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <criterion/criterion.h>
#include <criterion/options.h>
#include <criterion/parameterized.h>

#include <shmring.h>

#include "util.h"

/* Hang guard of stress tests whose length STRESS_SECONDS may stretch. */
#define T_STRESS_TIMEOUT 7200

/* The four ring modes, for ParameterizedTest. */
#define T_MODE_PARAMS(suite, test)						\
	ParameterizedTestParameters(suite, test)				\
	{									\
		static unsigned t_modes[] = {					\
			0, SHMRING_MP, SHMRING_MC, SHMRING_MP | SHMRING_MC,	\
		};								\
		return cr_make_param_array(unsigned, t_modes,			\
					   sizeof(t_modes) / sizeof(t_modes[0])); \
	}

/*
 * main() for suites whose tests each fork or spawn several busy peers: run
 * one test at a time, or spinning peers of parallel tests would starve each
 * other on small machines.  CRITERION_JOBS or -j still override it.
 */
#define T_ONE_TEST_AT_A_TIME_MAIN						\
	int main(int argc, char *argv[])					\
	{									\
		struct criterion_test_set *tests = criterion_initialize();	\
		int result = 0;							\
										\
		criterion_options.jobs = 1;					\
		if (criterion_handle_args(argc, argv, true))			\
			result = !criterion_run_all_tests(tests);		\
		criterion_finalize(tests);					\
		return result;							\
	}

/*
 * What the current test works on, for assertion messages (the only output
 * Criterion keeps in TAP mode): the last name t_ring() made, which spells
 * out the parameters of parameterized tests, and the seed once drawn.
 */
extern char t_ctx[];

/* Assert that an API call returned exactly @want (0, a count or -Exxx). */
#define T_EXPECT(expr, want)							\
	do {									\
		long t_got_ = (long)(expr);					\
		long t_want_ = (long)(want);					\
		cr_assert(t_got_ == t_want_, "[%s] %s returned %s, expected %s", \
			  t_ctx, #expr, t_errname(t_got_), t_errname(t_want_));	\
	} while (0)

/*
 * Assert that nothing observable changed between two snapshots of a ring:
 * the proof that a failed call left it untouched.
 */
void t_assert_same(const struct shmring_info *before, const struct shmring_info *after);

/*
 * A ring name unique to this process and @what ("shr-t-<pid>-<what>"),
 * registered for t_cleanup().  A stale object of that name (left by a
 * crashed run whose pid was reused) is removed first.  The string lives
 * until the process ends.
 */
const char *t_ring(const char *what, ...) __attribute__((format(printf, 1, 2)));
/* Register an exact name (no prefix) for t_cleanup(); returns a copy. */
const char *t_ring_raw(const char *name);
/* "/dev/shm/<name without its leading slash>" into @buf. */
void t_shm_path(const char *name, char *buf, size_t len);
bool t_shm_exists(const char *name);
/* Unlink every registered name; the .fini of every suite. */
void t_cleanup(void);

/* Create and open, asserting success (parent side only). */
void t_create(const char *name, uint32_t capacity, uint32_t msg_size, uint32_t flags);
struct shmring *t_open(const char *name, int role);
struct shmring_info t_info(struct shmring *r);
struct shmring_info t_stat(const char *name);

/* The run's random seed: SHR_TEST_SEED or fresh, logged once. */
uint64_t t_seed(void);

/* Anonymous shared memory for children to report into; zeroed. */
void *t_shared(size_t len);

/*
 * Forked peers.  t_fork() returns 0 in the child, which is killed if the
 * test process dies (a Criterion timeout must not leave peers behind).
 */
pid_t t_fork(void);
/*
 * Wait for @pid at most @timeout_s seconds; on timeout SIGKILL it, reap it
 * and return -1.  Otherwise the raw wait status.
 */
int t_wait_status(pid_t pid, double timeout_s);
/* Assert that @pid exits 0 within @timeout_s. */
#define t_wait_ok(pid, timeout_s, what)						\
	do {									\
		int t_st_ = t_wait_status((pid), (timeout_s));			\
		cr_assert(t_st_ != -1, "[%s] %s: still running after %.1f s (hang)", \
			  t_ctx, (what), (double)(timeout_s));			\
		cr_assert(WIFEXITED(t_st_), "[%s] %s: killed by signal %d",	\
			  t_ctx, (what), WIFSIGNALED(t_st_) ? WTERMSIG(t_st_) : -1); \
		cr_assert(WEXITSTATUS(t_st_) == 0,				\
			  "[%s] %s: child failed with exit code %d: %s",		\
			  t_ctx, (what), WEXITSTATUS(t_st_), t_child_msg());	\
	} while (0)
/* The first failure a child reported with t_child_fail(), or "". */
const char *t_child_msg(void);
/* SIGKILL and reap. */
void t_kill(pid_t pid);
/*
 * A producer peer that claims a slot (holding @text, if not NULL) and keeps
 * the claim until it is killed.  Returns once the claim is out.
 */
pid_t t_fork_claim_holder(const char *name, const char *text);
/* In a child run as root: become user and group nobody (65534), no groups. */
void t_drop_to_nobody(void);

/*
 * In a child: report a failed check (on stderr and where t_child_msg() of
 * the parent finds it) and _exit(1).
 */
_Noreturn void t_child_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define CHILD_CHECK(cond, ...)							\
	do {									\
		if (!(cond))							\
			t_child_fail(__FILE__, __LINE__, __VA_ARGS__);		\
	} while (0)

/* One-way byte channel between a parent and its children (a pipe). */
struct t_chan {
	int fd[2];
};
void t_chan_init(struct t_chan *c);
void t_chan_put(struct t_chan *c, char b);
/* The next byte, or -1 after @timeout_ms without one. */
int t_chan_get(struct t_chan *c, int timeout_ms);
/* In a child: tell the parent @b, then wait to be killed. */
_Noreturn void t_chan_put_and_hang(struct t_chan *c, char b);


#endif /* SHR_TEST_HELPERS_H */
