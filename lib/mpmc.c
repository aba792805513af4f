// SPDX-License-Identifier: MIT
/*
 * Rings with many producers and/or many consumers: every slot carries a
 * sequence number (after D. Vyukov's bounded queue).  For position p:
 *   seq == p          free for the producer of p
 *   seq == p + 1      full, for the consumer of p
 *   seq == p + cap    free again, for the producer of the next lap
 * A side claims positions with one CAS on its index; slots are then filled
 * or emptied independently, so a slow peer holds back only its own slots.
 *
 * Before each CAS a handle records the positions it is about to claim in its
 * attachment entry (a hold).  If it dies holding them, whoever is held back
 * finds no live entry covering the stuck position and gives it up.
 *
 * Ordering (every acquire names its release):
 *   P0  producer  acquire load  slot.seq == p     pairs with C2 (or R2)
 *   P1  producer  release CAS   prod.pos          orders the hold before the claim -> R0
 *   P2  producer  release store slot.seq = p + 1  publishes len + payload -> C0
 *   C0  consumer  acquire load  slot.seq == p + 1 pairs with P2
 *   C1  consumer  release CAS   cons.pos          orders the hold before the claim -> R0
 *   C2  consumer  release store slot.seq = p + cap its reads are done -> P0
 *   R0  recovery  acquire load of the other side's index, then of holds
 *   R1/R2 recovery CASes of slot.seq, like C2 / P0's partner
 * Positions are free-running: wrap at 2^64, compared only by difference.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/*
 * Retries of a claim or take that lost a race, or skipped a given-up slot,
 * before the attempt reports -EAGAIN and lets the caller's wait decide.
 * Honest rivals cannot make one handle lose this often; a peer rewriting
 * the index or the slots as fast as it can could, and must not keep a call
 * past its timeout.
 */
#define ROUNDS_MAX (1u << 16)

static uint64_t hold_of(uint64_t pos, uint64_t n)
{
	return (pos & ((1ull << SHR_HOLD_POS_BITS) - 1)) << 16 | n;
}

static uint64_t slot_seq(struct shmring *r, uint64_t pos)
{
	return ld_acquire(&shr_slot_at(r, pos)->seq);   /* P0 / C0 */
}

/*
 * Claim up to @want free positions for writing.  Return: how many (from
 * *posp), -EAGAIN when full, -EPROTO when the slots contradict the index.
 */
static long claim_slots(struct shmring *r, unsigned want, _Atomic uint64_t *hold,
			uint64_t *posp)
{
	_Atomic uint64_t *index = &r->hdr->prod.pos;
	uint64_t pos = ld_relaxed(index);

	if (want > SHR_HOLD_MAX_N)
		want = SHR_HOLD_MAX_N;
	for (unsigned round = 0;; round++) {
		int64_t dif = (int64_t)(slot_seq(r, pos) - pos);
		unsigned n = 1;
		uint64_t now;

		if (shr_unlikely(round == ROUNDS_MAX))
			break;
		if (dif == 0) {
			while (n < want && slot_seq(r, pos + n) == pos + n)
				n++;
			/* Relaxed: P1 below orders it before the claim. */
			st_relaxed(hold, hold_of(pos, n));
			if (atomic_compare_exchange_weak_explicit(index, &pos, pos + n,
								  memory_order_release,
								  memory_order_relaxed)) {
				*posp = pos;
				return n;
			}
			continue;
		}
		/* Relaxed: a stale value only costs another round. */
		now = ld_relaxed(index);
		if (now != pos) {
			pos = now;
			continue;
		}
		st_relaxed(hold, 0);   /* hold nothing while not claiming */
		/* Behind: the previous lap is not consumed yet.  Ahead: corrupt. */
		return dif < 0 ? -EAGAIN : -EPROTO;
	}
	st_relaxed(hold, 0);
	return -EAGAIN;
}

/* What a consumer can do with the message in a slot. */
static long deliverable(struct shmring *r, uint32_t len, size_t cap)
{
	if (len == SHR_LEN_DISCARD)
		return -ENOMSG;          /* given up by its producer: skip */
	if (len > r->g.msg_size)
		return -EPROTO;          /* corrupt: drop */
	return len > cap ? -EMSGSIZE : (long)len;
}

static size_t op_cap(struct shmring *r, struct shr_op *op, unsigned i)
{
	switch (op->kind) {
	case SHR_RECV:
		return op->u.recv.cap;
	case SHR_RECV_BURST:
		return op->u.recv_burst.v[i].iov_len;
	default:
		return r->g.msg_size;    /* peek: the slot itself */
	}
}

/*
 * Take up to @want full positions for reading; the first must fit its
 * buffer, later ones end the batch where one does not fit or is not a plain
 * message.  Return: how many, -EAGAIN when empty, -EMSGSIZE (nothing taken),
 * -ENOMSG/-EPROTO (one slot taken, to be dropped), -EPROTO (corrupt index).
 */
static long take_slots(struct shmring *r, struct shr_op *op, unsigned want,
		       _Atomic uint64_t *hold, uint64_t *posp)
{
	_Atomic uint64_t *index = &r->hdr->cons.pos;
	uint64_t pos = ld_relaxed(index);

	if (want > SHR_HOLD_MAX_N)
		want = SHR_HOLD_MAX_N;
	for (unsigned round = 0;; round++) {
		int64_t dif = (int64_t)(slot_seq(r, pos) - (pos + 1));
		unsigned n = 1;
		uint64_t now;
		long first;

		if (shr_unlikely(round == ROUNDS_MAX))
			break;
		if (dif == 0) {
			/* Relaxed: C0 ordered it; a stale read fails the CAS below. */
			first = deliverable(r, ld_relaxed(&shr_slot_at(r, pos)->len),
					    op_cap(r, op, 0));
			if (first == -EMSGSIZE) {
				st_relaxed(hold, 0);
				return first;
			}
			while (first >= 0 && n < want && slot_seq(r, pos + n) == pos + n + 1 &&
			       deliverable(r, ld_relaxed(&shr_slot_at(r, pos + n)->len),
					   op_cap(r, op, n)) >= 0)
				n++;
			/* Relaxed: C1 below orders it before the claim. */
			st_relaxed(hold, hold_of(pos, n));
			if (atomic_compare_exchange_weak_explicit(index, &pos, pos + n,
								  memory_order_release,
								  memory_order_relaxed)) {
				*posp = pos;
				return first < 0 ? first : (long)n;
			}
			continue;
		}
		now = ld_relaxed(index);
		if (now != pos) {
			pos = now;
			continue;
		}
		st_relaxed(hold, 0);
		return dif < 0 ? -EAGAIN : -EPROTO;
	}
	st_relaxed(hold, 0);
	return -EAGAIN;
}

static void fill(struct shmring *r, uint64_t pos, const void *msg, size_t len)
{
	struct shr_slot *s = shr_slot_at(r, pos);

	st_relaxed(&s->len, (uint32_t)len);          /* P2 publishes it */
	shr_copy(shr_payload(r, pos), msg, len);
	st_release(&s->seq, pos + 1);                 /* P2 */
}

static void empty(struct shmring *r, uint64_t pos)
{
	st_release(&shr_slot_at(r, pos)->seq, pos + r->g.capacity);   /* C2 */
}

/* A slot taken but not deliverable: free it; a -ENOMSG one is skipped quietly. */
static long drop_taken(struct shmring *r, uint64_t pos, long why)
{
	empty(r, pos);
	shr_wake_producers(r);
	return why == -ENOMSG ? -EAGAIN : why;
}

long shr_mpmc_send(struct shmring *r, struct shr_op *op)
{
	uint64_t pos;
	long n = claim_slots(r, 1, &r->att->prod_hold, &pos);

	if (n < 0)
		return n;
	fill(r, pos, op->u.send.msg, op->u.send.len);
	shr_wake_consumers(r);
	return 0;
}

long shr_mpmc_send_burst(struct shmring *r, struct shr_op *op)
{
	const struct iovec *v = op->u.send_burst.v;
	unsigned want = 1;
	uint64_t pos;
	long n;

	/* Claim only what can be sent: stop before the first too-long message. */
	while (want < op->u.send_burst.n && v[want].iov_len <= r->g.msg_size)
		want++;
	n = claim_slots(r, want, &r->att->prod_hold, &pos);
	if (n < 0)
		return n;
	for (long i = 0; i < n; i++)
		fill(r, pos + i, v[i].iov_base, v[i].iov_len);
	shr_wake_consumers(r);
	return n;
}

static long take_one(struct shmring *r, struct shr_op *op, _Atomic uint64_t *hold,
		     uint64_t *posp, uint32_t *lenp)
{
	for (unsigned round = 0; round < ROUNDS_MAX; round++) {
		long n = take_slots(r, op, 1, hold, posp);

		if (n == -ENOMSG || (n == -EPROTO && ld_relaxed(hold))) {
			n = drop_taken(r, *posp, n);
			if (n == -EAGAIN)
				continue;      /* skipped a given-up slot: look again */
		}
		if (n < 0)
			return n;
		/*
		 * Read once more from our own taken slot and check again: a
		 * peer may have changed it since take_slots() looked.
		 */
		*lenp = ld_relaxed(&shr_slot_at(r, *posp)->len);
		if (deliverable(r, *lenp, op_cap(r, op, 0)) < 0)
			return drop_taken(r, *posp, -EPROTO);
		return n;
	}
	return -EAGAIN;
}

long shr_mpmc_recv(struct shmring *r, struct shr_op *op)
{
	uint64_t pos;
	uint32_t len;
	long n = take_one(r, op, &r->att->cons_hold, &pos, &len);

	if (n < 0)
		return n;
	shr_copy(op->u.recv.buf, shr_payload(r, pos), len);
	empty(r, pos);
	shr_wake_producers(r);
	return len;
}

long shr_mpmc_recv_burst(struct shmring *r, struct shr_op *op)
{
	struct iovec *v = op->u.recv_burst.v;
	uint64_t pos;
	long n;

	for (unsigned round = 0;; round++) {
		n = take_slots(r, op, op->u.recv_burst.n, &r->att->cons_hold, &pos);
		if (n == -ENOMSG || (n == -EPROTO && ld_relaxed(&r->att->cons_hold))) {
			n = drop_taken(r, pos, n);
			if (n == -EAGAIN && round + 1 < ROUNDS_MAX)
				continue;
		}
		break;
	}
	if (n < 0)
		return n;
	for (long i = 0; i < n; i++) {
		struct shr_slot *s = shr_slot_at(r, pos + i);
		/* Checked by take_slots(); re-read only from our own taken slot. */
		uint32_t len = ld_relaxed(&s->len);

		/* Changed under us by a corrupt peer: stay inside both buffers. */
		if (len > r->g.msg_size)
			len = r->g.msg_size;
		if (len > v[i].iov_len)
			len = (uint32_t)v[i].iov_len;
		shr_copy(v[i].iov_base, shr_payload(r, pos + i), len);
		v[i].iov_len = len;
		empty(r, pos + i);
	}
	shr_wake_producers(r);
	return n;
}

long shr_mpmc_claim(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	uint64_t pos;
	long n = claim_slots(r, 1, &r->att->claim_hold, &pos);

	if (n < 0)
		return n;
	r->claim_pos = pos;
	m->data = shr_payload(r, pos);
	m->len = r->g.msg_size;
	return 0;
}

void shr_mpmc_publish(struct shmring *r, uint32_t len)
{
	struct shr_slot *s = shr_slot_at(r, r->claim_pos);

	st_relaxed(&s->len, len);
	st_release(&s->seq, r->claim_pos + 1);        /* P2 */
	shr_wake_consumers(r);
}

long shr_mpmc_peek(struct shmring *r, struct shr_op *op)
{
	struct shmring_msg *m = op->u.m;
	uint64_t pos;
	uint32_t len;
	long n = take_one(r, op, &r->att->peek_hold, &pos, &len);

	if (n < 0)
		return n;
	r->peek_pos = pos;
	m->data = shr_payload(r, pos);
	m->len = len;
	return 0;
}

void shr_mpmc_release(struct shmring *r)
{
	empty(r, r->peek_pos);
	shr_wake_producers(r);
}

/*
 * Free slot q that a claim given up left unfilled (seq == q), for the
 * producer of the next lap; the one whose CAS wins counts it.  The CAS, not
 * a store, lets a recoverer that dies between its two steps be finished by
 * recover_take() without a late store ever undoing a later lap.
 * R1, like C2: pairs with P0 of the producer that reuses the slot.
 */
static void free_given_up(struct shmring *r, struct shr_slot *s, uint64_t q)
{
	uint64_t expect = q;

	if (atomic_compare_exchange_strong_explicit(&s->seq, &expect, q + r->g.capacity,
						    memory_order_acq_rel,
						    memory_order_relaxed)) {
		atomic_fetch_add_explicit(&r->hdr->ctl.abandoned_prod, 1, memory_order_relaxed);
		shr_wake_producers(r);
	}
}

/*
 * Consumers wait at q = cons.pos: a producer claimed it (q < prod.pos) and
 * never published.  Anyone may give it up: take position q as a consumer
 * would, then free the slot.  Producers need this too when the ring is full
 * behind it.
 */
static bool recover_claim(struct shmring *r)
{
	struct shr_hdr *h = r->hdr;
	uint64_t q = ld_acquire(&h->cons.pos);
	uint64_t enq = ld_acquire(&h->prod.pos);                  /* R0, pairs with P1 */
	struct shr_slot *s = shr_slot_at(r, q);

	if (ld_acquire(&s->seq) != q || enq - q - 1 >= r->g.capacity)
		return false;
	if (shr_hold_covered_by_live(h, true, q))
		return false;
	if (!atomic_compare_exchange_strong_explicit(&h->cons.pos, &q, q + 1,
						     memory_order_acq_rel,
						     memory_order_relaxed))
		return true;
	free_given_up(r, s, q);
	return true;
}

/*
 * Producers wait at p = prod.pos: the previous lap q = p - cap was taken by
 * a consumer (q < cons.pos) and never freed.  Free it.
 */
static bool recover_take(struct shmring *r)
{
	struct shr_hdr *h = r->hdr;
	uint64_t q = ld_acquire(&h->prod.pos) - r->g.capacity;
	uint64_t deq = ld_acquire(&h->cons.pos);                  /* R0, pairs with C1 */
	struct shr_slot *s = shr_slot_at(r, q);
	uint64_t expect = q + 1;
	uint64_t seq = ld_acquire(&s->seq);

	if (deq - q - 1 >= r->g.capacity)
		return false;
	/*
	 * Never filled, yet consumers are past it: only recover_claim() moves
	 * them past an unpublished slot, so its recoverer died (or stalls)
	 * before freeing the slot.  Finish its work, or the ring stops here.
	 */
	if (seq == q) {
		free_given_up(r, s, q);
		return true;
	}
	if (seq != expect)
		return false;
	if (shr_hold_covered_by_live(h, false, q))
		return false;
	/* R2, like C2: pairs with P0 of the producer that reuses the slot. */
	if (atomic_compare_exchange_strong_explicit(&s->seq, &expect, q + r->g.capacity,
						    memory_order_acq_rel,
						    memory_order_relaxed)) {
		atomic_fetch_add_explicit(&h->ctl.abandoned_cons, 1, memory_order_relaxed);
		shr_wake_producers(r);
	}
	return true;
}

/* Give up a slot held back by a dead peer.  Return: true if the ring moved. */
bool shr_mpmc_recover(struct shmring *r)
{
	bool claim = recover_claim(r);

	return recover_take(r) || claim;
}
