/* SPDX-License-Identifier: MIT */
/*
 * How the harness waits when a transport says "not now" (-EAGAIN).  Every
 * transport goes through the same two policies:
 *   spin:  poll again after a pause instruction; after BENCH_LIVELOCK_BOUND
 *          fruitless polls in a row, one sched_yield(), so that a peer
 *          preempted on the same CPU can run (oversubscribed layouts).
 *   block: for transports that cannot block: poll BENCH_SPIN_BOUND times,
 *          then sched_yield() before every further poll.  Transports that
 *          block natively never return -EAGAIN in block mode.
 */
#ifndef BENCH_WAIT_H
#define BENCH_WAIT_H

#include <sched.h>
#include <stdbool.h>

#include "bench.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

struct poll_state {
	unsigned n;
};

static inline void poll_wait(struct poll_state *ps, bool block)
{
	ps->n++;
	if (block) {
		if (ps->n > BENCH_SPIN_BOUND)
			sched_yield();
		else
			cpu_relax();
		return;
	}
	if (ps->n % BENCH_LIVELOCK_BOUND == 0)
		sched_yield();
	else
		cpu_relax();
}

#endif /* BENCH_WAIT_H */
