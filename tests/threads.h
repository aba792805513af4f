/* SPDX-License-Identifier: MIT */
/*
 * Threaded stress engine: producer and consumer threads in one process, one
 * handle each, every message stamped and checked, exactly-once proven by a
 * table.  Free of Criterion so that it also runs under ThreadSanitizer.
 */
#ifndef SHR_TEST_THREADS_H
#define SHR_TEST_THREADS_H

#include "util.h"

#define T_THREADS_MAX 4

struct t_thread_case {
	unsigned mode;
	int producers, consumers;       /* 1..T_THREADS_MAX each */
	uint64_t per_producer;
	uint32_t capacity;
};

extern const struct t_thread_case t_thread_cases[];
extern const size_t t_thread_ncases;

/*
 * Create @name, run @tc once with @seed, check everything, unlink @name.
 * @per_producer_div divides the message count (sanitized builds).
 * Return: 0, or -1 with the reason in @why.
 */
int t_threads_run(const struct t_thread_case *tc, unsigned per_producer_div, const char *name,
		  uint64_t seed, char *why, size_t whylen);

#endif /* SHR_TEST_THREADS_H */
