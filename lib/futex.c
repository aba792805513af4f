// SPDX-License-Identifier: MIT
/*
 * The only file that makes system calls through syscall(): futex (through
 * liburcu's wrapper) and membarrier.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
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

int shr_membarrier_register(void)
{
	/* Per process: a forked child has a new address space to register. */
	static _Atomic pid_t registered;
	pid_t pid = getpid();
	long q;

	if (atomic_load_explicit(&registered, memory_order_relaxed) == pid)
		return 0;
	q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (q < 0)
		return -errno;
	if (!(q & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
	    !(q & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED))
		return -ENOSYS;
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) < 0)
		return -errno;
	atomic_store_explicit(&registered, pid, memory_order_relaxed);
	return 0;
}

int shr_membarrier(void)
{
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) < 0 ? -errno : 0;
}
