// SPDX-License-Identifier: MIT
/* Counters and geometry, from a handle or by name without attaching. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void fill(const struct shr_hdr *hv, const struct shr_geometry *g, bool check_alive,
		 struct shmring_info *info)
{
	struct shr_hdr *h = (struct shr_hdr *)hv;
	const struct shr_ctl *c = &h->ctl;
	/* Relaxed throughout: each counter is exact at some moment of the call. */
	uint64_t deq = ld_relaxed(&h->cons.pos);
	uint64_t enq = ld_relaxed(&h->prod.pos);
	uint64_t ab_prod = ld_relaxed(&c->abandoned_prod);
	uint64_t ab_cons = ld_relaxed(&c->abandoned_cons);
	/* Positions that never carried a message (SPSC claims take none). */
	uint64_t skipped = (g->flags & (SHMRING_MP | SHMRING_MC)) ?
			   ab_prod + ld_relaxed(&c->discarded) : 0;

	/*
	 * An SPSC consumer may take a message in the moment between its
	 * stamp and the store of prod.pos: then it was sent too.
	 */
	if (!(g->flags & (SHMRING_MP | SHMRING_MC)) && deq - enq - 1 < g->capacity)
		enq = deq;

	memset(info, 0, sizeof(*info));
	info->capacity = g->capacity;
	info->msg_size = g->msg_size;
	info->flags = g->flags;
	info->page_size = g->page_size;
	info->region_size = g->region_size;
	/* Counters come from a region any peer may write: keep them sane. */
	info->count = enq - deq > g->capacity ? 0 : enq - deq;
	info->sent = enq >= skipped ? enq - skipped : 0;
	info->received = deq >= skipped + ab_cons ? deq - skipped - ab_cons : 0;
	info->producer_sleeps = ld_relaxed(&c->producer_sleeps);
	info->consumer_sleeps = ld_relaxed(&c->consumer_sleeps);
	info->abandoned = ab_prod + ab_cons;
	shr_count_attached(h, check_alive, &info->producers, &info->consumers);
}

SHMRING_API int shmring_info(struct shmring *r, struct shmring_info *info)
{
	if (!r || !info)
		return -EINVAL;
	fill(r->hdr, &r->g, false, info);
	return 0;
}

SHMRING_API int shmring_stat(const char *name, struct shmring_info *info)
{
	struct shr_geometry g;
	struct shr_hdr *h;
	int ret;

	if (!info)
		return -EINVAL;
	ret = shr_region_map(name, false, &h, &g);
	if (ret)
		return ret;
	fill(h, &g, true, info);
	shr_region_unmap(h, &g);
	return 0;
}
