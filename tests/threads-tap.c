/* SPDX-License-Identifier: MIT */
/*
 * The threaded stress cases of test_threads without Criterion, printing
 * TAP: Criterion's runner does not work under ThreadSanitizer, and this is
 * what --enable-tsan builds run.  STRESS_SECONDS repeats each case.
 */
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "threads.h"

int main(void)
{
	const char *env = getenv("SHR_TEST_SEED");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0)
				    : t_mix((uint64_t)t_now_ns() ^ ((uint64_t)getpid() << 32));
	unsigned secs = t_stress_seconds();
	unsigned div = t_sanitized() ? 5 : 1;
	int failed = 0;

	printf("1..%zu\n# seed %" PRIu64 " (replay with SHR_TEST_SEED=%" PRIu64 ")\n",
	       t_thread_ncases, seed, seed);
	fflush(stdout);
	for (size_t i = 0; i < t_thread_ncases; i++) {
		const struct t_thread_case *tc = &t_thread_cases[i];
		int64_t end = t_now_ns() + (int64_t)secs * T_S;
		char name[64], why[300] = "";
		unsigned round = 0;
		int ret;

		snprintf(name, sizeof(name), "shr-t-%ld-thrtap-%zu", (long)getpid(), i);
		do
			ret = t_threads_run(tc, div, name, seed + round++, why, sizeof(why));
		while (ret == 0 && t_now_ns() < end);
		printf("%s %zu - threads %s %dx%d capacity %u%s%s\n", ret ? "not ok" : "ok", i + 1,
		       t_mode_str(tc->mode), tc->producers, tc->consumers, tc->capacity,
		       ret ? ": " : "", why);
		fflush(stdout);
		failed |= ret != 0;
	}
	return failed;
}
