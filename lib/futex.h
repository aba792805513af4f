/* SPDX-License-Identifier: MIT */
#ifndef SHR_FUTEX_H
#define SHR_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/*
 * Sleep while *word == val, until woken or until the absolute
 * CLOCK_MONOTONIC @deadline (NULL: no limit).  Shared futexes: the word lives
 * in memory mapped by several processes.
 * Return: 0 (woken, changed or spurious: re-check), -ETIMEDOUT, -EINTR, -errno.
 */
int shr_futex_wait(_Atomic uint32_t *word, uint32_t val, const struct timespec *deadline)
	__attribute__((visibility("hidden")));

/* Wake every sleeper on @word. */
void shr_futex_wake_all(_Atomic uint32_t *word) __attribute__((visibility("hidden")));

/*
 * Asymmetric fence (membarrier(2), global expedited): a process registered
 * with shr_membarrier_register() may publish and then test a sleeper's mark
 * with only a compiler barrier, because a sleeper runs shr_membarrier(),
 * which makes every registered thread execute a full barrier.
 * Return: 0, or -errno (not available: fall back to fences).
 */
int shr_membarrier_register(void) __attribute__((visibility("hidden")));
int shr_membarrier(void) __attribute__((visibility("hidden")));

#endif /* SHR_FUTEX_H */
