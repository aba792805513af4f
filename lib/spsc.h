/* SPDX-License-Identifier: MIT */
/*
 * The SPSC hit paths, inline so that a send or a receive that finds room or
 * a message makes no call into another file.  The protocol and its ordering
 * are described at the top of spsc.c.
 */
#ifndef SHR_SPSC_H
#define SHR_SPSC_H

#include <errno.h>

#include "internal.h"

/* Free slots for up to @want messages: a count, -EAGAIN or -EPROTO. */
static inline long shr_spsc_room(struct shmring *r, uint32_t want)
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

/* Does the slot of @pos hold the message published for @pos? */
static inline bool shr_spsc_ready(struct shmring *r, uint64_t pos)
{
	return ld_acquire(&shr_slot_at(r, pos)->seq) == pos + 1;   /* C0 */
}

/*
 * shr_spsc_ready() for a consumer about to read the slot: the payload's
 * line is asked for together with the stamp's, so that a message costs the
 * wait for one transfer, not two in a row.
 */
static inline bool shr_spsc_poll(struct shmring *r, uint64_t pos)
{
	__builtin_prefetch(shr_payload(r, pos));
	return shr_spsc_ready(r, pos);
}

/*
 * A message shorter than msg_size at @pos moves full_from past it, before
 * its stamp: a consumer that sees the stamp or a later prod.pos (P1, P2)
 * sees this too, even if we die before storing prod.pos.
 */
static inline void shr_spsc_note_len(struct shmring *r, uint64_t pos, size_t len)
{
	if (shr_unlikely(len != r->g.msg_size))
		st_relaxed(&r->hdr->prod.full_from, pos + 1);
}

static inline void shr_spsc_write(struct shmring *r, uint64_t pos, const void *msg, size_t len)
{
	struct shr_slot *s = shr_slot_at(r, pos);

	shr_spsc_note_len(r, pos, len);
	st_relaxed(&s->len, (uint32_t)len);     /* Relaxed: P1 publishes it. */
	shr_copy(shr_payload(r, pos), msg, len);
	st_release(&s->seq, pos + 1);            /* P1 */
}

/* The producer's index: after the stamps, for counts and a later producer. */
static inline void shr_spsc_set_tail(struct shmring *r, uint64_t tail)
{
	r->tail = tail;
	st_release(&r->hdr->prod.pos, tail);    /* P2 */
	shr_wake_consumers(r);
}

static inline void shr_spsc_set_head(struct shmring *r, uint64_t head)
{
	r->head = head;
	st_release(&r->hdr->cons.pos, head);    /* C1 */
	shr_wake_producers(r);
}

/* Length of the published message at @pos, or -EPROTO if it is nonsense. */
static inline long shr_spsc_len(struct shmring *r, uint64_t pos)
{
	/* Relaxed: C0 ordered it; read once so the checked value is the used one. */
	uint32_t len = ld_relaxed(&shr_slot_at(r, pos)->len);

	return len > r->g.msg_size ? -EPROTO : (long)len;
}

static inline long shr_spsc_send_now(struct shmring *r, const void *msg, size_t len)
{
	long n;

	if (shr_unlikely(r->claim_out))
		return -EBUSY;       /* the claimed slot is the next to publish */
	n = shr_spsc_room(r, 1);
	if (shr_unlikely(n < 0))
		return n;
	shr_spsc_write(r, r->tail, msg, len);
	shr_spsc_set_tail(r, r->tail + 1);
	return 0;
}

static inline long shr_spsc_recv_now(struct shmring *r, void *buf, size_t cap)
{
	long len;

	if (shr_unlikely(r->peek_out))
		return -EBUSY;       /* the peeked message is the oldest */
	if (!shr_spsc_poll(r, r->head))
		return -EAGAIN;
	len = shr_spsc_len(r, r->head);
	if (shr_unlikely(len < 0)) {
		shr_spsc_set_head(r, r->head + 1);   /* drop it, or the ring stops here */
		return len;
	}
	if (shr_unlikely((size_t)len > cap))
		return -EMSGSIZE;
	shr_copy(buf, shr_payload(r, r->head), (size_t)len);
	shr_spsc_set_head(r, r->head + 1);
	return len;
}

#endif /* SHR_SPSC_H */
