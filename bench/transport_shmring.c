/* SPDX-License-Identifier: MIT */
/*
 * shmring through its public API only.  Spin mode polls with SHMRING_NOWAIT,
 * block mode passes SHMRING_FOREVER and lets the library spin and sleep.
 * SPSC rings are made with no flags, MPMC rings with SHMRING_MP | SHMRING_MC.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include <shmring.h>

#include "bench.h"
#include "shm.h"

struct sr_ep {
	struct shmring *r;
	struct shmring_msg claim, peek;
};

static int64_t tmo(bool block)
{
	return block ? SHMRING_FOREVER : SHMRING_NOWAIT;
}

static int sr_create(const struct chan_spec *s, void **shared)
{
	struct shmring_config cfg = {
		.capacity = s->capacity,
		.msg_size = s->msg_size,
		.flags = (s->multi ? SHMRING_MP | SHMRING_MC : 0) |
			 (s->huge ? SHMRING_HUGEPAGES : 0),
	};
	int ret = shmring_create(s->name, &cfg);

	if (ret)
		return ret;
	names_add(NAME_RING, s->name);
	*shared = NULL;
	return 0;
}

static void sr_destroy(const struct chan_spec *s, void *shared)
{
	shmring_unlink(s->name);
	names_del(s->name);
}

static int sr_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct sr_ep *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = shmring_open(s->name, role == ROLE_TX ? SHMRING_PRODUCER : SHMRING_CONSUMER,
			   &e->r);
	if (ret) {
		free(e);
		return ret;
	}
	*ep = e;
	return 0;
}

static void sr_detach(void *ep)
{
	struct sr_ep *e = ep;

	shmring_close(e->r);
	free(e);
}

static int sr_send(void *ep, const void *msg, size_t len, bool block)
{
	struct sr_ep *e = ep;

	return shmring_send(e->r, msg, len, tmo(block));
}

static ssize_t sr_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct sr_ep *e = ep;

	return shmring_recv(e->r, buf, cap, tmo(block));
}

static int sr_send_burst(void *ep, const struct iovec *iov, unsigned n, bool block)
{
	struct sr_ep *e = ep;

	return shmring_send_burst(e->r, iov, n, tmo(block));
}

static int sr_recv_burst(void *ep, struct iovec *iov, unsigned n, bool block)
{
	struct sr_ep *e = ep;

	return shmring_recv_burst(e->r, iov, n, tmo(block));
}

static int sr_claim(void *ep, void **data, bool block)
{
	struct sr_ep *e = ep;
	int ret = shmring_claim(e->r, &e->claim, tmo(block));

	if (ret)
		return ret;
	*data = e->claim.data;
	return 0;
}

static int sr_publish(void *ep, size_t len)
{
	struct sr_ep *e = ep;

	e->claim.len = len;
	return shmring_publish(e->r, &e->claim);
}

static int sr_peek(void *ep, const void **data, size_t *len, bool block)
{
	struct sr_ep *e = ep;
	int ret = shmring_peek(e->r, &e->peek, tmo(block));

	if (ret)
		return ret;
	*data = e->peek.data;
	*len = e->peek.len;
	return 0;
}

static int sr_release(void *ep)
{
	struct sr_ep *e = ep;

	return shmring_release(e->r, &e->peek);
}

const struct transport transport_shmring = {
	.name = "shmring",
	.caps = TC_CHANNEL | TC_BURST | TC_ZC | TC_BLOCK | TC_SPIN | TC_MULTI | TC_PROCESS,
	.create = sr_create,
	.destroy = sr_destroy,
	.attach = sr_attach,
	.detach = sr_detach,
	.send = sr_send,
	.recv = sr_recv,
	.send_burst = sr_send_burst,
	.recv_burst = sr_recv_burst,
	.claim = sr_claim,
	.publish = sr_publish,
	.peek = sr_peek,
	.release = sr_release,
};
