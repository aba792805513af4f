/* SPDX-License-Identifier: MIT */
/*
 * liburcu's wait-free concurrent queue (cds_wfcq, liburcu-cds), in one
 * process: its nodes are linked by pointers, so it runs only with threads.
 *
 * The queue is unbounded and carries nodes, not bytes; to compare it with
 * rings of the same depth, messages live in a pool of capacity nodes of
 * msg_size bytes each.  A producer takes a node from a free queue (empty
 * free queue = "full"), copies the message in and enqueues it; a consumer
 * dequeues, copies out and gives the node back to the free queue.  So every
 * message costs two enqueues and two dequeues, as it would for any user of
 * wfcqueue with bounded memory.  The library calls are used (no
 * _LGPL_SOURCE inlining), as shmring's are.
 *
 * One consumer (or one producer on the free queue) dequeues without the
 * queue's lock (__cds_wfcq_dequeue_nonblocking); several use
 * cds_wfcq_dequeue_blocking(), which takes it.  wfcqueue cannot block when
 * empty: in block mode the harness's common policy applies.
 */
#include <config.h>

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifdef HAVE_URCU_CDS
#include <urcu/wfcqueue.h>

struct wq_node {
	struct cds_wfcq_node node;
	uint32_t len;
	alignas(16) unsigned char data[];
};

struct wq_queue {
	alignas(64) struct cds_wfcq_head head;  /* dequeuers */
	alignas(64) struct cds_wfcq_tail tail;  /* enqueuers */
};

struct wq_shared {
	struct wq_queue q, freeq;
	void *pool;
	size_t stride;
	bool multi;
};

struct wq_ep {
	struct wq_shared *s;
};

static struct wq_node *node_at(struct wq_shared *s, size_t i)
{
	return (struct wq_node *)(void *)((char *)s->pool + i * s->stride);
}

static int wq_create(const struct chan_spec *s, void **shared)
{
	struct wq_shared *w;
	size_t i;

	if (!s->threads)
		return -EOPNOTSUPP;
	w = aligned_alloc(64, sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	w->stride = (sizeof(struct wq_node) + s->msg_size + 63) & ~(size_t)63;
	w->pool = aligned_alloc(64, w->stride * s->capacity);
	if (!w->pool) {
		free(w);
		return -ENOMEM;
	}
	memset(w->pool, 0, w->stride * s->capacity);
	w->multi = s->multi;
	cds_wfcq_init(&w->q.head, &w->q.tail);
	cds_wfcq_init(&w->freeq.head, &w->freeq.tail);
	for (i = 0; i < s->capacity; i++) {
		cds_wfcq_node_init(&node_at(w, i)->node);
		cds_wfcq_enqueue(&w->freeq.head, &w->freeq.tail, &node_at(w, i)->node);
	}
	*shared = w;
	return 0;
}

static void wq_destroy(const struct chan_spec *s, void *shared)
{
	struct wq_shared *w = shared;

	cds_wfcq_destroy(&w->q.head, &w->q.tail);
	cds_wfcq_destroy(&w->freeq.head, &w->freeq.tail);
	free(w->pool);
	free(w);
}

static int wq_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct wq_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->s = shared;
	*ep = e;
	return 0;
}

static void wq_detach(void *ep)
{
	free(ep);
}

static struct wq_node *take(struct wq_shared *s, struct wq_queue *q)
{
	struct cds_wfcq_node *n;

	if (s->multi)
		n = cds_wfcq_dequeue_blocking(&q->head, &q->tail);
	else
		n = __cds_wfcq_dequeue_nonblocking(&q->head, &q->tail);
	if (!n || n == CDS_WFCQ_WOULDBLOCK)
		return NULL;
	return (struct wq_node *)(void *)((char *)n - offsetof(struct wq_node, node));
}

static void put(struct wq_queue *q, struct wq_node *n)
{
	cds_wfcq_node_init(&n->node);
	cds_wfcq_enqueue(&q->head, &q->tail, &n->node);
}

static int wq_send(void *ep, const void *msg, size_t len, bool block)
{
	struct wq_ep *e = ep;
	struct wq_node *n = take(e->s, &e->s->freeq);

	if (!n)
		return -EAGAIN;
	memcpy(n->data, msg, len);
	n->len = (uint32_t)len;
	put(&e->s->q, n);
	return 0;
}

static ssize_t wq_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct wq_ep *e = ep;
	struct wq_node *n = take(e->s, &e->s->q);
	size_t len;

	if (!n)
		return -EAGAIN;
	len = n->len;
	if (len > cap)
		len = cap;
	memcpy(buf, n->data, len);
	put(&e->s->freeq, n);
	return (ssize_t)len;
}

const struct transport transport_wfcqueue = {
	.name = "wfcqueue",
	.caps = TC_CHANNEL | TC_SPIN | TC_MULTI | TC_PEER,
	.create = wq_create,
	.destroy = wq_destroy,
	.attach = wq_attach,
	.detach = wq_detach,
	.send = wq_send,
	.recv = wq_recv,
};
#else
const struct transport transport_wfcqueue = {
	.name = "wfcqueue",
	.skip = "skipped (not found at configure time)",
	.caps = TC_PEER,
};
#endif
