// SPDX-License-Identifier: MIT
/*
 * Single producer, single consumer.  Each side keeps its own index
 * privately.  The producer stamps each slot with its position + 1 after
 * writing it; the consumer knows a message is there from the stamp in the
 * slot itself, so a message it receives costs it only the slot's own cache
 * lines, never the producer's index line.  A burst receive is the
 * exception: when the producer's line says the messages are all full-length
 * (spsc_full_run()), that one line replaces their stamps.  The producer
 * keeps a cached copy of the consumer's index and reads the consumer's line
 * only when that copy says full.  Bursts publish their index once.
 *
 * Ordering (every acquire names its release):
 *   P1  producer  release store slot.seq = p + 1  publishes len + payload -> C0
 *   C0  consumer  acquire load  slot.seq == p + 1 sees them
 *   P2  producer  release store prod.pos          after the stamps: counts,
 *                                                 bursts and a later producer
 *                                                 -> C2, L0
 *   C2  consumer  acquire load  prod.pos          a burst of full-length
 *                                                 messages without stamps
 *   C1  consumer  release store cons.pos          its reads of slots are done -> P0
 *   P0  producer  acquire load  cons.pos          may overwrite those slots
 *   L0  attach    acquire load  prod.pos, cons.pos, stamps past prod.pos
 *   W1/W2 in wait.c keep sleepers from missing P1/C1.
 * A slot's stamp is p + 1 only from the publication of p until the producer
 * rewrites it a lap later, so a stale stamp never passes for a new message.
 * Positions are free-running: they wrap at 2^64 and are compared only by
 * difference (stamps by equality).
 */
#include <errno.h>
#include <string.h>

#include "spsc.h"

long shr_spsc_send(struct shmring *r, struct shr_op *op)
{
	return shr_spsc_send_now(r, op->u.send.msg, op->u.send.len);
}

long shr_spsc_recv(struct shmring *r, struct shr_op *op)
{
	return shr_spsc_recv_now(r, op->u.recv.buf, op->u.recv.cap);
}

long shr_spsc_send_burst(struct shmring *r, struct shr_op *op)
{
	const struct iovec *v = op->u.send_burst.v;
	long n, i;

	if (shr_unlikely(r->claim_out))
		return -EBUSY;
	n = shr_spsc_room(r, op->u.send_burst.n);
	if (n < 0)
		return n;
	for (i = 0; i < n && v[i].iov_len <= r->g.msg_size; i++)
		shr_spsc_write(r, r->tail + i, v[i].iov_base, v[i].iov_len);
	shr_spsc_set_tail(r, r->tail + i);   /* i >= 1: the API checked v[0] */
	return i;
}

/*
 * How many of the messages from head on are known, from the producer's
 * line alone, to be published and msg_size long: up to @want; -EAGAIN when
 * that line shows nothing new; 0 when the stamps must decide.  Taking a
 * run this way leaves the stamps' lines in the producer's cache: a burst
 * costs one line more than its payloads, not a quarter line per message.
 */
static long spsc_full_run(struct shmring *r, long want)
{
	uint64_t tail = ld_acquire(&r->hdr->prod.pos);                 /* C2 */
	/* Relaxed: C2 ordered it, and a newer value only sends us to the stamps. */
	uint64_t full_from = ld_relaxed(&r->hdr->prod.full_from);
	uint64_t n = tail - r->head;

	if (n == 0)
		return -EAGAIN;
	/* prod.pos behind our head, short messages in the run, or nonsense. */
	if (n > r->g.capacity || (int64_t)(r->head - full_from) < 0)
		return 0;
	return n < (uint64_t)want ? (long)n : want;
}

long shr_spsc_recv_burst(struct shmring *r, struct shr_op *op)
{
	struct iovec *v = op->u.recv_burst.v;
	/* No more than a lap: a slot carries one position's stamp at a time. */
	long want = op->u.recv_burst.n < r->g.capacity ? op->u.recv_burst.n : r->g.capacity;
	long i, len = -EAGAIN, run;

	if (shr_unlikely(r->peek_out))
		return -EBUSY;
	run = spsc_full_run(r, want);
	if (run > 0) {
		for (i = 0; i < run && r->g.msg_size <= v[i].iov_len; i++) {
			shr_copy(v[i].iov_base, shr_payload(r, r->head + i), r->g.msg_size);
			v[i].iov_len = r->g.msg_size;
		}
		if (i == 0)
			return -EMSGSIZE;
		shr_spsc_set_head(r, r->head + i);
		return i;
	}
	/*
	 * Nothing new by prod.pos.  The stamps can be ahead of it only while
	 * the producer is publishing, and reading them then takes their line
	 * from under its pen: wait for prod.pos, unless the producer is gone.
	 */
	if (run == -EAGAIN && !op->peer_gone)
		return -EAGAIN;
	for (i = 0; i < want && (i ? shr_spsc_ready(r, r->head + i) : shr_spsc_poll(r, r->head));
	     i++) {
		len = shr_spsc_len(r, r->head + i);
		if (len < 0 || (size_t)len > v[i].iov_len)
			break;
		shr_copy(v[i].iov_base, shr_payload(r, r->head + i), (size_t)len);
		v[i].iov_len = (size_t)len;
	}
	if (i == 0) {
		if (len == -EAGAIN)
			return len;
		if (len < 0)
			shr_spsc_set_head(r, r->head + 1);
		return len < 0 ? len : -EMSGSIZE;
	}
	shr_spsc_set_head(r, r->head + i);
	return i;
}

long shr_spsc_claim(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	long n = shr_spsc_room(r, 1);

	if (n < 0)
		return n;
	/*
	 * The claim takes no position; it is recorded only so that a producer
	 * taking over after we died can count it as abandoned.  Relaxed: read
	 * only once this process is gone.
	 */
	st_relaxed(&r->hdr->prod.claim_hold, r->tail + 1);
	r->claim_pos = r->tail;
	m->data = shr_payload(r, r->tail);
	m->len = r->g.msg_size;
	return 0;
}

void shr_spsc_publish(struct shmring *r, uint32_t len)
{
	struct shr_slot *s = shr_slot_at(r, r->tail);

	shr_spsc_note_len(r, r->tail, len);
	st_relaxed(&s->len, len);                 /* Relaxed: P1 publishes it. */
	st_release(&s->seq, r->tail + 1);         /* P1 */
	shr_spsc_set_tail(r, r->tail + 1);
}

long shr_spsc_peek(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	long len;

	if (!shr_spsc_poll(r, r->head))
		return -EAGAIN;
	len = shr_spsc_len(r, r->head);
	if (shr_unlikely(len < 0)) {
		shr_spsc_set_head(r, r->head + 1);
		return len;
	}
	/*
	 * Record the peek for a consumer that takes over if we die holding it
	 * (shr_spsc_takeover()).  Relaxed: it is read only after this process
	 * is gone, and C1 orders it before the release that ends it.
	 */
	st_relaxed(&r->hdr->cons.peek_hold, r->head + 1);
	r->peek_pos = r->head;
	m->data = shr_payload(r, r->head);
	m->len = (size_t)len;
	return 0;
}

void shr_spsc_release(struct shmring *r)
{
	/* peek_hold (head + 1) now equals head: stale without another store. */
	shr_spsc_set_head(r, r->head + 1);
}

int shr_spsc_load_indices(struct shmring *r)
{
	/* L0, acquire: pairs with P2/C1 of the previous holders of the roles. */
	uint64_t tail = ld_acquire(&r->hdr->prod.pos);
	uint64_t head = ld_acquire(&r->hdr->cons.pos);

	/*
	 * A producer that died between stamping slots and storing its index
	 * left messages published past prod.pos (the consumer may have taken
	 * them already): the stamps, read with acquire (pairs with P1), are
	 * the truth.  At most a lap of them.
	 */
	for (uint32_t i = 0; i < r->g.capacity && shr_spsc_ready(r, tail); i++)
		tail++;
	if (tail - head > r->g.capacity)
		return -EPROTO;
	r->tail = tail;
	r->head = r->head_cache = head;
	return 0;
}

/* A dead holder's claim or peek (its hold equals index + 1) is given up. */
void shr_spsc_takeover(struct shmring *r, bool producer, bool consumer)
{
	struct shr_hdr *h = r->hdr;

	if (producer) {
		/* Our index may be past the dead producer's: keep the count true. */
		if (ld_relaxed(&h->prod.pos) != r->tail)
			st_release(&h->prod.pos, r->tail);            /* P2 */
		if (ld_relaxed(&h->prod.claim_hold) == r->tail + 1) {
			st_relaxed(&h->prod.claim_hold, 0);
			atomic_fetch_add_explicit(&h->ctl.abandoned_prod, 1, memory_order_relaxed);
		}
	}
	if (consumer && ld_relaxed(&h->cons.peek_hold) == r->head + 1 &&
	    shr_spsc_ready(r, r->head)) {
		atomic_fetch_add_explicit(&h->ctl.abandoned_cons, 1, memory_order_relaxed);
		shr_spsc_set_head(r, r->head + 1);
	}
}
