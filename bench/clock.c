/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "clock.h"

bool clk_counter;
double clk_ns_per_tick = 1.0;

/* The kernel's verdict on the TSC: only a constant, non-stop one will do. */
static bool tsc_trusted(void)
{
#if defined(__x86_64__)
	char line[4096];
	bool constant = false, nonstop = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	return constant && nonstop;
#elif defined(__aarch64__)
	return true;
#else
	return false;
#endif
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts))
		;
}

const char *clk_init(int mode, double calib_seconds)
{
	static char desc[128];
	uint64_t m0, m1, c0, c1;

	if (mode == 2 || (mode == 0 && !tsc_trusted())) {
		clk_counter = false;
		clk_ns_per_tick = 1.0;
		return "CLOCK_MONOTONIC (vDSO)";
	}
	/*
	 * Bracket each counter read between two CLOCK_MONOTONIC reads and keep
	 * the midpoint, so the skew of one read does not bias the rate.
	 */
	{
		uint64_t a = clk_mono_ns();

		c0 = clk_counter_read();
		m0 = (a + clk_mono_ns()) / 2;
	}
	sleep_ns((uint64_t)(calib_seconds * 1e9));
	{
		uint64_t a = clk_mono_ns();

		c1 = clk_counter_read();
		m1 = (a + clk_mono_ns()) / 2;
	}
	if (c1 <= c0 || m1 <= m0) {
		clk_counter = false;
		clk_ns_per_tick = 1.0;
		return "CLOCK_MONOTONIC (vDSO; counter did not advance)";
	}
	clk_counter = true;
	clk_ns_per_tick = (double)(m1 - m0) / (double)(c1 - c0);
#if defined(__x86_64__)
	snprintf(desc, sizeof(desc), "TSC %.3f GHz (calibrated against CLOCK_MONOTONIC)",
		 1.0 / clk_ns_per_tick);
#else
	snprintf(desc, sizeof(desc), "CNTVCT %.3f MHz (calibrated against CLOCK_MONOTONIC)",
		 1e3 / clk_ns_per_tick);
#endif
	return desc;
}
