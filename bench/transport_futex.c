/* SPDX-License-Identifier: MIT */
/*
 * Raw futex ping-pong: one 32-bit word in shared memory, no spinning.  The
 * pinger stores 2k+1 and wakes, then sleeps until it reads 2k+2; the ponger
 * mirrors it.  Every hand-over costs a FUTEX_WAKE and usually a sleep: the
 * floor for any transport that really blocks.  Shared futexes (no
 * FUTEX_PRIVATE_FLAG), as they must be across processes.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdalign.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "shm.h"
#include "wait.h"

#define FX_STOP UINT32_MAX

struct fx_word {
	alignas(64) _Atomic uint32_t v;
};

struct fx_ep {
	struct fx_word *w;
};

static long fx_wait(_Atomic uint32_t *w, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void fx_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static int fx_create(const struct chan_spec *s, void **shared)
{
	void *p = shm_region_create(s->name, 4096);

	if (!p)
		return -errno;
	shm_region_unmap(p, 4096);
	*shared = NULL;
	return 0;
}

static void fx_destroy(const struct chan_spec *s, void *shared)
{
	shm_region_unlink(s->name);
}

static int fx_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct fx_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->w = shm_region_attach(s->name, 4096);
	if (!e->w) {
		free(e);
		return -errno;
	}
	*ep = e;
	return 0;
}

static void fx_detach(void *ep)
{
	struct fx_ep *e = ep;

	shm_region_unmap(e->w, 4096);
	free(e);
}

/* Wait until the word is @want; @prev is the only other value allowed. */
static int fx_await(struct fx_ep *e, uint32_t want, uint32_t prev, bool block)
{
	struct poll_state ps = { 0 };
	uint32_t v;

	while ((v = atomic_load_explicit(&e->w->v, memory_order_acquire)) != want) {
		if (v == FX_STOP)
			return 1;
		if (v != prev)
			return -EBADMSG;
		if (block)
			fx_wait(&e->w->v, v);   /* returns at once if v changed */
		else
			poll_wait(&ps, false);
	}
	return 0;
}

static int fx_ping(void *ep, uint32_t seq, bool block)
{
	struct fx_ep *e = ep;
	uint32_t want = 2 * seq + 2;

	/* Release: pairs with the ponger's acquire load in fx_await(). */
	atomic_store_explicit(&e->w->v, want - 1, memory_order_release);
	if (block)
		fx_wake(&e->w->v);
	return fx_await(e, want, want - 1, block) ? -EBADMSG : 0;
}

static int fx_pong(void *ep, uint32_t expect, bool block)
{
	struct fx_ep *e = ep;
	uint32_t want = 2 * expect + 1;
	int ret = fx_await(e, want, want - 1, block);

	if (ret)
		return ret;
	atomic_store_explicit(&e->w->v, want + 1, memory_order_release);
	if (block)
		fx_wake(&e->w->v);
	return 0;
}

static void fx_stop(void *ep)
{
	struct fx_ep *e = ep;

	atomic_store_explicit(&e->w->v, FX_STOP, memory_order_release);
	fx_wake(&e->w->v);
}

const struct transport transport_futex = {
	.name = "futex",
	.caps = TC_PINGPONG | TC_PROCESS | TC_BLOCK,
	.create = fx_create,
	.destroy = fx_destroy,
	.attach = fx_attach,
	.detach = fx_detach,
	.ping = fx_ping,
	.pong = fx_pong,
	.stop = fx_stop,
};
