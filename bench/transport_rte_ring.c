/* SPDX-License-Identifier: MIT */
/*
 * DPDK rte_ring placed in a named shared memory region, without the EAL:
 * rte_ring_init() only lays out the header, and the enqueue/dequeue paths
 * are inline code on that memory.
 *
 * Element size: the ring carries the messages themselves, through the
 * element API (rte_ring_*_elem) with esize = msg_size, so it copies in and
 * out exactly like shmring_send()/shmring_recv().  For 8-byte messages this
 * is the very code behind rte_ring_sp_enqueue()/rte_ring_sc_dequeue(), which
 * wrap the element API with esize = sizeof(void *).  (Passing pointers into
 * a payload pool instead would need a second ring to recycle the buffers,
 * or would race once a consumer lags by a ring's worth of messages.)
 *
 * SPSC uses the sp/sc functions, MPMC the mp/mc ones; bursts use the
 * *_burst_elem forms; zero-copy uses rte_ring_enqueue_zc_bulk_elem_start()
 * and _finish() (and the dequeue pair), which need a single-producer and
 * single-consumer ring, as the zero-copy groups are.
 *
 * rte_ring cannot block: in block mode the harness's common policy (spin,
 * then sched_yield) applies.  The ring is made with RING_F_EXACT_SZ so that
 * it holds exactly capacity messages, like shmring.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_DPDK
/* DPDK's headers test macros that only some compilers define. */
/* The zero-copy calls (rte_ring_peek_zc.h) are still marked experimental. */
#define ALLOW_EXPERIMENTAL_API 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_ring_peek_zc.h>
#pragma GCC diagnostic pop

#include "shm.h"

struct rte_ep {
	struct rte_ring *r;
	size_t len;
	unsigned esize;
	bool multi;
};

static size_t region_size(const struct chan_spec *s)
{
	ssize_t n = rte_ring_get_memsize_elem(s->msg_size,
					      2 * s->capacity);

	if (n < 0)
		return 0;
	return ((size_t)n + 4095) & ~(size_t)4095;
}

static int rte_create(const struct chan_spec *s, void **shared)
{
	size_t len = region_size(s);
	struct rte_ring *r;
	unsigned flags = RING_F_EXACT_SZ;
	int ret;

	if (!len || s->msg_size % 4)
		return -EINVAL;
	r = shm_region_create(s->name, len);
	if (!r)
		return -errno;
	if (!s->multi)
		flags |= RING_F_SP_ENQ | RING_F_SC_DEQ;
	ret = rte_ring_init(r, "shmring-bench", s->capacity, flags);
	shm_region_unmap(r, len);
	if (ret) {
		shm_region_unlink(s->name);
		return ret;
	}
	*shared = NULL;
	return 0;
}

static void rte_destroy(const struct chan_spec *s, void *shared)
{
	shm_region_unlink(s->name);
}

static int rte_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct rte_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->len = region_size(s);
	e->r = shm_region_attach(s->name, e->len);
	if (!e->r) {
		free(e);
		return -errno;
	}
	e->esize = s->msg_size;
	e->multi = s->multi;
	*ep = e;
	return 0;
}

static void rte_detach(void *ep)
{
	struct rte_ep *e = ep;

	shm_region_unmap(e->r, e->len);
	free(e);
}

/*
 * The element size is a run-time value here; spelling out the sizes of the
 * standard matrix lets the inline copy loops specialise, as an application
 * with a fixed element type would get.
 */
#define RTE_BY_SIZE(esize, call)				\
	switch (esize) {					\
	case 8: call(8); break;					\
	case 64: call(64); break;				\
	case 256: call(256); break;				\
	case 1024: call(1024); break;				\
	case 4096: call(4096); break;				\
	default: call(esize); break;				\
	}

static int rte_send(void *ep, const void *msg, size_t len, bool block)
{
	struct rte_ep *e = ep;
	void *obj = (void *)msg;
	int ret = 0;

	if (len != e->esize)
		return -EMSGSIZE;
	if (e->multi) {
#define ENQ(sz) ret = rte_ring_mp_enqueue_elem(e->r, obj, sz)
		RTE_BY_SIZE(e->esize, ENQ)
#undef ENQ
	} else {
#define ENQ(sz) ret = rte_ring_sp_enqueue_elem(e->r, obj, sz)
		RTE_BY_SIZE(e->esize, ENQ)
#undef ENQ
	}
	return ret ? -EAGAIN : 0;
}

static ssize_t rte_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct rte_ep *e = ep;
	int ret = 0;

	if (cap < e->esize)
		return -EMSGSIZE;
	if (e->multi) {
#define DEQ(sz) ret = rte_ring_mc_dequeue_elem(e->r, buf, sz)
		RTE_BY_SIZE(e->esize, DEQ)
#undef DEQ
	} else {
#define DEQ(sz) ret = rte_ring_sc_dequeue_elem(e->r, buf, sz)
		RTE_BY_SIZE(e->esize, DEQ)
#undef DEQ
	}
	return ret ? -EAGAIN : (ssize_t)e->esize;
}

/* The harness hands over contiguous messages: iov[i] follows iov[i - 1]. */
static int rte_send_burst(void *ep, const struct iovec *iov, unsigned n, bool block)
{
	struct rte_ep *e = ep;
	unsigned done = 0;

	if (e->multi) {
#define ENQ(sz) done = rte_ring_mp_enqueue_burst_elem(e->r, iov[0].iov_base, sz, n, NULL)
		RTE_BY_SIZE(e->esize, ENQ)
#undef ENQ
	} else {
#define ENQ(sz) done = rte_ring_sp_enqueue_burst_elem(e->r, iov[0].iov_base, sz, n, NULL)
		RTE_BY_SIZE(e->esize, ENQ)
#undef ENQ
	}
	return done ? (int)done : -EAGAIN;
}

static int rte_recv_burst(void *ep, struct iovec *iov, unsigned n, bool block)
{
	struct rte_ep *e = ep;
	unsigned done = 0, i;

	if (e->multi) {
#define DEQ(sz) done = rte_ring_mc_dequeue_burst_elem(e->r, iov[0].iov_base, sz, n, NULL)
		RTE_BY_SIZE(e->esize, DEQ)
#undef DEQ
	} else {
#define DEQ(sz) done = rte_ring_sc_dequeue_burst_elem(e->r, iov[0].iov_base, sz, n, NULL)
		RTE_BY_SIZE(e->esize, DEQ)
#undef DEQ
	}
	for (i = 0; i < done; i++)
		iov[i].iov_len = e->esize;
	return done ? (int)done : -EAGAIN;
}

static int rte_claim(void *ep, void **data, bool block)
{
	struct rte_ep *e = ep;
	struct rte_ring_zc_data zcd;

	if (e->multi)
		return -EOPNOTSUPP;
	if (!rte_ring_enqueue_zc_bulk_elem_start(e->r, e->esize, 1, &zcd, NULL))
		return -EAGAIN;
	*data = zcd.ptr1;
	return 0;
}

static int rte_publish(void *ep, size_t len)
{
	struct rte_ep *e = ep;

	if (len != e->esize)
		return -EMSGSIZE;
	rte_ring_enqueue_zc_elem_finish(e->r, 1);
	return 0;
}

static int rte_peek(void *ep, const void **data, size_t *len, bool block)
{
	struct rte_ep *e = ep;
	struct rte_ring_zc_data zcd;

	if (e->multi)
		return -EOPNOTSUPP;
	if (!rte_ring_dequeue_zc_bulk_elem_start(e->r, e->esize, 1, &zcd, NULL))
		return -EAGAIN;
	*data = zcd.ptr1;
	*len = e->esize;
	return 0;
}

static int rte_release(void *ep)
{
	struct rte_ep *e = ep;

	rte_ring_dequeue_zc_elem_finish(e->r, 1);
	return 0;
}

const struct transport transport_rte_ring = {
	.name = "rte_ring",
	.caps = TC_CHANNEL | TC_BURST | TC_ZC | TC_SPIN | TC_MULTI | TC_PROCESS | TC_PEER,
	.create = rte_create,
	.destroy = rte_destroy,
	.attach = rte_attach,
	.detach = rte_detach,
	.send = rte_send,
	.recv = rte_recv,
	.send_burst = rte_send_burst,
	.recv_burst = rte_recv_burst,
	.claim = rte_claim,
	.publish = rte_publish,
	.peek = rte_peek,
	.release = rte_release,
};
#else
const struct transport transport_rte_ring = {
	.name = "rte_ring",
	.skip = "skipped (not found at configure time)",
	.caps = TC_PEER,
};
#endif
