// SPDX-License-Identifier: MIT
/*
 * Single producer, single consumer.  Each side keeps its own index privately
 * and a cached copy of the other's; it reads the other side's line only when
 * the cache says full (producer) or empty (consumer).  Bursts publish their
 * index once.
 *
 * Ordering (every acquire names its release):
 *   P1  producer  release store prod.pos   publishes slot len + payload  -> C0
 *   C0  consumer  acquire load  prod.pos   sees them
 *   C1  consumer  release store cons.pos   its reads of slots are done   -> P0
 *   P0  producer  acquire load  cons.pos   may overwrite those slots
 *   W1/W2 in wait.c keep sleepers from missing P1/C1.
 * Positions are free-running: they wrap at 2^64 and are compared only by
 * difference.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* Free slots for up to @want messages: a count, -EAGAIN or -EPROTO. */
static long room(struct shmring *r, uint32_t want)
{
	uint64_t used = r->tail - r->head_cache;

	if (shr_likely(r->g.capacity - used >= want))
		return want;
	r->head_cache = ld_acquire(&r->hdr->cons.pos);      /* P0 */
	used = r->tail - r->head_cache;
	if (shr_unlikely(used > r->g.capacity))
		return -EPROTO;      /* consumer index not within one lap of ours */
	if (used == r->g.capacity)
		return -EAGAIN;
	return r->g.capacity - used < want ? (long)(r->g.capacity - used) : want;
}

/* Published messages, up to @want: a count, -EAGAIN or -EPROTO. */
static long avail(struct shmring *r, uint32_t want)
{
	uint64_t n = r->tail_cache - r->head;

	if (shr_likely(n >= want))
		return want;
	r->tail_cache = ld_acquire(&r->hdr->prod.pos);      /* C0 */
	n = r->tail_cache - r->head;
	if (shr_unlikely(n > r->g.capacity))
		return -EPROTO;
	if (n == 0)
		return -EAGAIN;
	return n < want ? (long)n : want;
}

static void publish(struct shmring *r, uint64_t tail)
{
	r->tail = tail;
	st_release(&r->hdr->prod.pos, tail);                  /* P1 */
	shr_wake_consumers(r);
}

static void consume(struct shmring *r, uint64_t head)
{
	r->head = head;
	st_release(&r->hdr->cons.pos, head);                  /* C1 */
	shr_wake_producers(r);
}

static void write_slot(struct shmring *r, uint64_t pos, const void *msg, size_t len)
{
	struct shr_slot *s = shr_slot_at(r, pos);

	/* Relaxed: P1 publishes it. */
	st_relaxed(&s->len, (uint32_t)len);
	shr_copy(shr_payload(s), msg, len);
}

/* Length of the message at @pos, or -EPROTO if the producer wrote nonsense. */
static long slot_len(struct shmring *r, uint64_t pos)
{
	/* Relaxed: C0 ordered it; read once so the checked value is the used one. */
	uint32_t len = ld_relaxed(&shr_slot_at(r, pos)->len);

	return len > r->g.msg_size ? -EPROTO : (long)len;
}

long shr_spsc_send(struct shmring *r, struct shr_op *op)
{
	long n;

	if (shr_unlikely(r->claim_out))
		return -EBUSY;       /* the claimed slot is the next to publish */
	n = room(r, 1);
	if (n < 0)
		return n;
	write_slot(r, r->tail, op->u.send.msg, op->u.send.len);
	publish(r, r->tail + 1);
	return 0;
}

long shr_spsc_send_burst(struct shmring *r, struct shr_op *op)
{
	const struct iovec *v = op->u.send_burst.v;
	long n, i;

	if (shr_unlikely(r->claim_out))
		return -EBUSY;
	n = room(r, op->u.send_burst.n);
	if (n < 0)
		return n;
	for (i = 0; i < n && v[i].iov_len <= r->g.msg_size; i++)
		write_slot(r, r->tail + i, v[i].iov_base, v[i].iov_len);
	publish(r, r->tail + i);   /* i >= 1: the API checked v[0] */
	return i;
}

long shr_spsc_recv(struct shmring *r, struct shr_op *op)
{
	long n, len;

	if (shr_unlikely(r->peek_out))
		return -EBUSY;       /* the peeked message is the oldest */
	n = avail(r, 1);
	if (n < 0)
		return n;
	len = slot_len(r, r->head);
	if (shr_unlikely(len < 0)) {
		consume(r, r->head + 1);   /* drop it, or the ring stops here */
		return len;
	}
	if ((size_t)len > op->u.recv.cap)
		return -EMSGSIZE;
	shr_copy(op->u.recv.buf, shr_payload(shr_slot_at(r, r->head)), (size_t)len);
	consume(r, r->head + 1);
	return len;
}

long shr_spsc_recv_burst(struct shmring *r, struct shr_op *op)
{
	struct iovec *v = op->u.recv_burst.v;
	long n, i, len = 0;

	if (shr_unlikely(r->peek_out))
		return -EBUSY;
	n = avail(r, op->u.recv_burst.n);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		len = slot_len(r, r->head + i);
		if (len < 0 || (size_t)len > v[i].iov_len)
			break;
		shr_copy(v[i].iov_base, shr_payload(shr_slot_at(r, r->head + i)), (size_t)len);
		v[i].iov_len = (size_t)len;
	}
	if (i == 0) {
		if (len < 0)
			consume(r, r->head + 1);
		return len < 0 ? len : -EMSGSIZE;
	}
	consume(r, r->head + i);
	return i;
}

long shr_spsc_claim(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	long n = room(r, 1);

	if (n < 0)
		return n;
	/*
	 * The claim takes no position; it is recorded only so that a producer
	 * taking over after we died can count it as abandoned.  Relaxed: read
	 * only once this process is gone.
	 */
	st_relaxed(&r->hdr->prod.claim_hold, r->tail + 1);
	r->claim_pos = r->tail;
	m->data = shr_payload(shr_slot_at(r, r->tail));
	m->len = r->g.msg_size;
	return 0;
}

void shr_spsc_publish(struct shmring *r, uint32_t len)
{
	st_relaxed(&shr_slot_at(r, r->tail)->len, len);
	publish(r, r->tail + 1);
}

long shr_spsc_peek(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	long n = avail(r, 1), len;

	if (n < 0)
		return n;
	len = slot_len(r, r->head);
	if (shr_unlikely(len < 0)) {
		consume(r, r->head + 1);
		return len;
	}
	/*
	 * Record the peek for a consumer that takes over if we die holding it
	 * (shr_spsc_takeover_consumer()).  Relaxed: it is read only after this
	 * process is gone, and C1 orders it before the release that ends it.
	 */
	st_relaxed(&r->hdr->cons.peek_hold, r->head + 1);
	r->peek_pos = r->head;
	m->data = shr_payload(shr_slot_at(r, r->head));
	m->len = (size_t)len;
	return 0;
}

void shr_spsc_release(struct shmring *r)
{
	/* peek_hold (head + 1) now equals head: stale without another store. */
	consume(r, r->head + 1);
}

int shr_spsc_load_indices(struct shmring *r)
{
	/* Acquire: pair with P1/C1 of the previous holders of the roles. */
	uint64_t tail = ld_acquire(&r->hdr->prod.pos);
	uint64_t head = ld_acquire(&r->hdr->cons.pos);

	if (tail - head > r->g.capacity)
		return -EPROTO;
	r->tail = r->tail_cache = tail;
	r->head = r->head_cache = head;
	return 0;
}

/* A dead holder's claim or peek (its hold equals index + 1) is given up. */
void shr_spsc_takeover(struct shmring *r, bool producer, bool consumer)
{
	struct shr_hdr *h = r->hdr;

	if (producer && ld_relaxed(&h->prod.claim_hold) == r->tail + 1) {
		st_relaxed(&h->prod.claim_hold, 0);
		atomic_fetch_add_explicit(&h->ctl.abandoned_prod, 1, memory_order_relaxed);
	}
	if (consumer && ld_relaxed(&h->cons.peek_hold) == r->head + 1 && r->tail_cache != r->head) {
		atomic_fetch_add_explicit(&h->ctl.abandoned_cons, 1, memory_order_relaxed);
		consume(r, r->head + 1);
	}
}
