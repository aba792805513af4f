/* SPDX-License-Identifier: MIT */
/*
 * Thin layer over <stdatomic.h>: short names for the explicit orders and the
 * spin-wait hint.  Every call site states its order and why it is enough.
 */
#ifndef SHR_ATOMICS_H
#define SHR_ATOMICS_H

#include <stdatomic.h>
#include <urcu/arch.h>          /* caa_cpu_relax(): pause / yield hint */

#define shr_likely(x)   __builtin_expect(!!(x), 1)
#define shr_unlikely(x) __builtin_expect(!!(x), 0)

#define shr_cpu_relax() caa_cpu_relax()

#define ld_relaxed(p)      atomic_load_explicit((p), memory_order_relaxed)
#define ld_acquire(p)      atomic_load_explicit((p), memory_order_acquire)
#define st_relaxed(p, v)   atomic_store_explicit((p), (v), memory_order_relaxed)
#define st_release(p, v)   atomic_store_explicit((p), (v), memory_order_release)
#define smp_mb()           atomic_thread_fence(memory_order_seq_cst)

#ifdef SHR_DEBUG
#include <stdlib.h>
#define SHR_BUG_ON(c) do { if (c) abort(); } while (0)
#else
#define SHR_BUG_ON(c) do { (void)sizeof(c); } while (0)
#endif

#endif /* SHR_ATOMICS_H */
