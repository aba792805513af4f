// SPDX-License-Identifier: MIT
/* The only file that makes futex system calls (through liburcu's wrapper). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <urcu/futex.h>

#include "futex.h"

int shr_futex_wait(_Atomic uint32_t *word, uint32_t val, const struct timespec *deadline)
{
	/*
	 * FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a
	 * retry after a spurious wake never stretches the total wait.  A wait
	 * with a timeout is never restarted after a signal handler: EINTR.
	 */
	if (futex_async((int32_t *)word, FUTEX_WAIT_BITSET, (int32_t)val, deadline,
			NULL, FUTEX_BITSET_MATCH_ANY) == 0)
		return 0;
	if (errno == EAGAIN)
		return 0;       /* the word changed before we slept: re-check */
	return -errno;
}

void shr_futex_wake_all(_Atomic uint32_t *word)
{
	/* Cannot fail on a valid mapped address; nothing useful to report. */
	(void)futex_async((int32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
