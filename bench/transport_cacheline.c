/* SPDX-License-Identifier: MIT */
/*
 * The hardware limit: two sides bounce one 64-byte cache line.  The pinger
 * stores 2k+1, the ponger waits for it and stores 2k+2; each hand-over is
 * one line transfer, the least any shared-memory transport can do.  It
 * always polls, whatever wait the group uses.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <stdalign.h>

#include "bench.h"
#include "shm.h"
#include "wait.h"

#define CL_STOP UINT64_MAX

struct cl_line {
	alignas(64) _Atomic uint64_t v;
};

struct cl_ep {
	struct cl_line *line;
};

static int cl_create(const struct chan_spec *s, void **shared)
{
	struct cl_line *l = shm_region_create(s->name, 4096);

	if (!l)
		return -errno;
	shm_region_unmap(l, 4096);
	*shared = NULL;
	return 0;
}

static void cl_destroy(const struct chan_spec *s, void *shared)
{
	shm_region_unlink(s->name);
}

static int cl_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct cl_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->line = shm_region_attach(s->name, 4096);
	if (!e->line) {
		free(e);
		return -errno;
	}
	*ep = e;
	return 0;
}

static void cl_detach(void *ep)
{
	struct cl_ep *e = ep;

	shm_region_unmap(e->line, 4096);
	free(e);
}

static int cl_ping(void *ep, uint32_t seq, bool block)
{
	struct cl_ep *e = ep;
	uint64_t want = 2 * (uint64_t)seq + 2, v;
	struct poll_state ps = { 0 };

	/* Release: the ponger's acquire load of v sees the hand-over. */
	atomic_store_explicit(&e->line->v, want - 1, memory_order_release);
	while ((v = atomic_load_explicit(&e->line->v, memory_order_acquire)) != want) {
		if (v != want - 1)
			return -EBADMSG;
		poll_wait(&ps, false);
	}
	return 0;
}

static int cl_pong(void *ep, uint32_t expect, bool block)
{
	struct cl_ep *e = ep;
	uint64_t want = 2 * (uint64_t)expect + 1, v;
	struct poll_state ps = { 0 };

	while ((v = atomic_load_explicit(&e->line->v, memory_order_acquire)) != want) {
		if (v == CL_STOP)
			return 1;
		if (v != want - 1)
			return -EBADMSG;
		poll_wait(&ps, false);
	}
	/* Release: pairs with the pinger's acquire load. */
	atomic_store_explicit(&e->line->v, want + 1, memory_order_release);
	return 0;
}

static void cl_stop(void *ep)
{
	struct cl_ep *e = ep;

	atomic_store_explicit(&e->line->v, CL_STOP, memory_order_release);
}

const struct transport transport_cacheline = {
	.name = "cacheline",
	.caps = TC_PINGPONG | TC_PROCESS | TC_SPIN,
	.create = cl_create,
	.destroy = cl_destroy,
	.attach = cl_attach,
	.detach = cl_detach,
	.ping = cl_ping,
	.pong = cl_pong,
	.stop = cl_stop,
};
