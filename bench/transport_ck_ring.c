/* SPDX-License-Identifier: MIT */
/*
 * Concurrency Kit ck_ring placed in a named shared memory region.  struct
 * ck_ring holds only counters; the slot buffer is passed on every call, so
 * each process passes the address of the buffer in its own mapping.
 *
 * Element size: the ring carries the messages themselves, through the
 * type-safe interface (CK_RING_PROTOTYPE) with one struct per message size,
 * so every call copies msg_size bytes like shmring_send()/shmring_recv().
 * Sizes outside the standard matrix are not offered.  A ring of size N holds
 * N - 1 messages.  SPSC uses ck_ring_*_spsc, MPMC ck_ring_*_mpmc.  ck_ring
 * has no burst calls and cannot block: in block mode the harness's common
 * policy (spin, then sched_yield) applies.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "bench.h"

#ifdef HAVE_CK
#include <ck_ring.h>

#include "shm.h"

struct ckm8 { uint64_t w[1]; };
struct ckm64 { uint64_t w[8]; };
struct ckm256 { uint64_t w[32]; };
struct ckm1024 { uint64_t w[128]; };
struct ckm4096 { uint64_t w[512]; };

CK_RING_PROTOTYPE(m8, ckm8)
CK_RING_PROTOTYPE(m64, ckm64)
CK_RING_PROTOTYPE(m256, ckm256)
CK_RING_PROTOTYPE(m1024, ckm1024)
CK_RING_PROTOTYPE(m4096, ckm4096)

/* The ring header gets its own page; the buffer follows. */
#define CK_BUF_OFF 4096

struct ck_ep {
	struct ck_ring *r;
	void *buf;
	size_t len;
	unsigned esize;
	bool multi;
};

static bool size_ok(uint32_t size)
{
	return size == 8 || size == 64 || size == 256 || size == 1024 || size == 4096;
}

static size_t region_size(const struct chan_spec *s)
{
	return CK_BUF_OFF + (((size_t)s->capacity * s->msg_size + 4095) & ~(size_t)4095);
}

static int ckt_create(const struct chan_spec *s, void **shared)
{
	size_t len = region_size(s);
	struct ck_ring *r;

	if (!size_ok(s->msg_size))
		return -EOPNOTSUPP;
	r = shm_region_create(s->name, len);
	if (!r)
		return -errno;
	ck_ring_init(r, s->capacity);
	shm_region_unmap(r, len);
	*shared = NULL;
	return 0;
}

static void ckt_destroy(const struct chan_spec *s, void *shared)
{
	shm_region_unlink(s->name);
}

static int ckt_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct ck_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->len = region_size(s);
	e->r = shm_region_attach(s->name, e->len);
	if (!e->r) {
		free(e);
		return -errno;
	}
	e->buf = (char *)e->r + CK_BUF_OFF;
	e->esize = s->msg_size;
	e->multi = s->multi;
	*ep = e;
	return 0;
}

static void ckt_detach(void *ep)
{
	struct ck_ep *e = ep;

	shm_region_unmap(e->r, e->len);
	free(e);
}

#define CK_BY_SIZE(e, call)					\
	switch ((e)->esize) {					\
	case 8: call(m8, ckm8); break;				\
	case 64: call(m64, ckm64); break;			\
	case 256: call(m256, ckm256); break;			\
	case 1024: call(m1024, ckm1024); break;			\
	default: call(m4096, ckm4096); break;			\
	}

static int ckt_send(void *ep, const void *msg, size_t len, bool block)
{
	struct ck_ep *e = ep;
	bool ok = false;

	if (len != e->esize)
		return -EMSGSIZE;
	if (e->multi) {
#define ENQ(n, t) ok = ck_ring_enqueue_mpmc_##n(e->r, e->buf, (struct t *)(void *)msg)
		CK_BY_SIZE(e, ENQ)
#undef ENQ
	} else {
#define ENQ(n, t) ok = ck_ring_enqueue_spsc_##n(e->r, e->buf, (struct t *)(void *)msg)
		CK_BY_SIZE(e, ENQ)
#undef ENQ
	}
	return ok ? 0 : -EAGAIN;
}

static ssize_t ckt_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct ck_ep *e = ep;
	bool ok = false;

	if (cap < e->esize)
		return -EMSGSIZE;
	if (e->multi) {
#define DEQ(n, t) ok = ck_ring_dequeue_mpmc_##n(e->r, e->buf, buf)
		CK_BY_SIZE(e, DEQ)
#undef DEQ
	} else {
#define DEQ(n, t) ok = ck_ring_dequeue_spsc_##n(e->r, e->buf, buf)
		CK_BY_SIZE(e, DEQ)
#undef DEQ
	}
	return ok ? (ssize_t)e->esize : -EAGAIN;
}

const struct transport transport_ck_ring = {
	.name = "ck_ring",
	.caps = TC_CHANNEL | TC_SPIN | TC_MULTI | TC_PROCESS | TC_PEER,
	.create = ckt_create,
	.destroy = ckt_destroy,
	.attach = ckt_attach,
	.detach = ckt_detach,
	.send = ckt_send,
	.recv = ckt_recv,
};
#else
const struct transport transport_ck_ring = {
	.name = "ck_ring",
	.skip = "skipped (not found at configure time)",
	.caps = TC_PEER,
};
#endif
