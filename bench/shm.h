/* SPDX-License-Identifier: MIT */
/*
 * Named POSIX shared memory for the transports that do not bring their own
 * (cacheline, futex, rte_ring, ck_ring), and a list of the names a cell has
 * created so that an interrupted run leaves nothing behind.
 */
#ifndef BENCH_SHM_H
#define BENCH_SHM_H

#include <stddef.h>

enum name_kind { NAME_SHM, NAME_RING, NAME_MQ };

/* Creator: a zeroed, fully reserved region, mapped; NULL and errno on failure. */
void *shm_region_create(const char *name, size_t size);
/* Any side: map an existing region by name, page tables populated. */
void *shm_region_attach(const char *name, size_t size);
void shm_region_unmap(void *p, size_t size);
void shm_region_unlink(const char *name);

void names_add(enum name_kind kind, const char *name);
void names_del(const char *name);
/* Unlink everything still listed; safe to call from a signal handler. */
void names_cleanup(void);

#endif /* BENCH_SHM_H */
