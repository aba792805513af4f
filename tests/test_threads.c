/* SPDX-License-Identifier: MIT */
/*
 * The stress tests again with threads in one process, one handle each, so
 * that ThreadSanitizer sees every access to the ring and checks the memory
 * ordering that cross-process runs can only test by luck.  Criterion cannot
 * run under TSan, so --enable-tsan builds run the same engine (threads.c)
 * through the standalone tests/threads-tap instead of this suite.
 */
#include "helpers.h"

#include "threads.h"

TestSuite(threads, .fini = t_cleanup);

ParameterizedTestParameters(threads, exactly_once)
{
	return cr_make_param_array(struct t_thread_case, (struct t_thread_case *)t_thread_cases,
				   t_thread_ncases);
}

ParameterizedTest(struct t_thread_case *tc, threads, exactly_once, .timeout = T_STRESS_TIMEOUT)
{
	uint64_t seed = t_seed();
	unsigned secs = t_stress_seconds();
	int64_t end = t_now_ns() + (int64_t)secs * T_S;
	const char *name = t_ring("thr-%s-%dx%d-c%u", t_mode_str(tc->mode), tc->producers,
				  tc->consumers, tc->capacity);
	unsigned round = 0;
	char why[300];

	do {
		int ret = t_threads_run(tc, t_sanitized() ? 5 : 1, name, seed + round, why,
					sizeof(why));

		cr_assert(ret == 0, "[%s] round %u: %s", t_ctx, round, why);
		round++;
	} while (t_now_ns() < end);
}

T_ONE_TEST_AT_A_TIME_MAIN
