/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <string.h>

#include "bench.h"

/* Table order is the order of every group's rotation and of the report. */
const struct transport *const transports[] = {
	&transport_cacheline,
	&transport_shmring,
	&transport_rte_ring,
	&transport_ck_ring,
	&transport_wfcqueue,
	&transport_futex,
	&transport_pipe,
	&transport_unix,
	&transport_mq,
};
const unsigned ntransports = sizeof(transports) / sizeof(transports[0]);

const struct transport *transport_find(const char *name)
{
	unsigned i;

	for (i = 0; i < ntransports; i++)
		if (!strcmp(transports[i]->name, name))
			return transports[i];
	return NULL;
}

bool transport_selected(const struct transport *t)
{
	const char *p = opt.only;
	size_t n = strlen(t->name);

	if (!p)
		return true;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, t->name, n))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}
