/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"

static int cpus[PIN_MAX_CPUS];
static unsigned ncpus;

static int parse_list(const char *list, cpu_set_t *set)
{
	const char *p = list;

	CPU_ZERO(set);
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0 || a >= PIN_MAX_CPUS)
			return -EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b >= PIN_MAX_CPUS)
				return -EINVAL;
			p = end;
		}
		for (; a <= b; a++)
			CPU_SET((int)a, set);
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return 0;
}

int pin_init(const char *list)
{
	cpu_set_t allowed, want;
	int i;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	if (list) {
		int ret = parse_list(list, &want);

		if (ret)
			return ret;
		CPU_AND(&allowed, &allowed, &want);
	}
	ncpus = 0;
	for (i = 0; i < CPU_SETSIZE && i < PIN_MAX_CPUS; i++)
		if (CPU_ISSET(i, &allowed))
			cpus[ncpus++] = i;
	return ncpus ? 0 : -ESRCH;
}

unsigned pin_ncpus(void)
{
	return ncpus;
}

int pin_cpu(unsigned i)
{
	return ncpus ? cpus[i % ncpus] : -1;
}

int pin_self(unsigned i)
{
	cpu_set_t set;

	if (!ncpus)
		return -ESRCH;
	CPU_ZERO(&set);
	CPU_SET(cpus[i % ncpus], &set);
	/* pid 0 is the calling thread, so this works for threads too. */
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

const char *pin_describe(void)
{
	static char buf[256];
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < ncpus && off + 16 < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d",
					i ? "," : "", cpus[i]);
	if (i < ncpus)
		snprintf(buf + off, sizeof(buf) - off, ",...");
	return buf;
}
