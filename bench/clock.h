/* SPDX-License-Identifier: MIT */
/*
 * Time stamps for the timed loops: the TSC (x86-64) or the virtual counter
 * (aarch64), calibrated against CLOCK_MONOTONIC, or CLOCK_MONOTONIC itself
 * through the vDSO.  Either way reading the clock is no system call.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

extern bool clk_counter;        /* true: ticks of the CPU counter; false: ns */
extern double clk_ns_per_tick;

/* mode: 0 auto, 1 counter, 2 CLOCK_MONOTONIC.  Returns a short description. */
const char *clk_init(int mode, double calib_seconds);

static inline uint64_t clk_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t clk_counter_read(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;

	/* lfence keeps earlier loads from drifting past the read. */
	__asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
	uint64_t v;

	__asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
#else
	return clk_mono_ns();
#endif
}

static inline uint64_t clk_now(void)
{
	return clk_counter ? clk_counter_read() : clk_mono_ns();
}

static inline double clk_to_ns(uint64_t ticks)
{
	return (double)ticks * clk_ns_per_tick;
}

static inline uint64_t clk_from_ns(double ns)
{
	return (uint64_t)(ns / clk_ns_per_tick);
}

#endif /* BENCH_CLOCK_H */
