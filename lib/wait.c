// SPDX-License-Identifier: MIT
/*
 * Waiting: an adaptive spin, then a futex sleep in bounded slices.  Between
 * slices the waiter looks for what no wake-up will announce: a peer that
 * died (end of stream, or a slot it held that must be given up).
 *
 * Each futex word is an event count: bit 0 says "someone sleeps on me", the
 * rest counts wake-ups.  Only the first waker after a sleeper marked the word
 * makes a system call; a side that never sleeps costs the other side none.
 *   sleeper: W1 set bit 0 (RMW) ; W1 barrier ; re-check ring ; futex_wait(word, marked)
 *   waker:   publish ; W2 barrier ; if (word & 1) { word += 1 (clears it) ; futex_wake }
 * The barriers order each side's store before its load (store-buffering):
 * either the sleeper's re-check sees the publish, or the waker sees the mark,
 * and then the word no longer equals the value futex_wait expects.
 *
 * The barrier pair is asymmetric when membarrier(2) is available: W1 is a
 * global expedited membarrier, which runs a full barrier on every thread of
 * every registered process, so W2 needs to stop only the compiler and the
 * hot path carries no fence.  A handle that could not register uses a
 * seq_cst fence for W2; a sleeper that cannot issue membarrier sleeps in
 * short slices instead, bounding what a missed wake-up can cost.
 */
#include <errno.h>

#include "futex.h"
#include "internal.h"

#define NSEC            1000000000ll
#define SLICE_NS        (100 * 1000000ll)   /* longest sleep between checks */
#define BLIND_SLICE_NS  (1000000ll)         /* ... when membarrier is refused */
#define STALL_CHECK_NS  (50 * 1000000ll)    /* NOWAIT pollers: check this often */
#define POLLS_PER_CLOCK 256                 /* NOWAIT misses between clock reads */
#define RECOVER_PER_CALL 8
#define SPIN_MIN        64
#define SPIN_MAX        (1u << 14)

int64_t shr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);   /* vDSO: no system call */
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

void shr_wake_sleepers(_Atomic uint32_t *word, uint32_t marked)
{
	/* Relaxed: the kernel orders the word against futex_wait; one winner wakes. */
	if (atomic_compare_exchange_strong_explicit(word, &marked, marked + 1,
						    memory_order_relaxed, memory_order_relaxed))
		shr_futex_wake_all(word);
}

static void deadline_ts(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / NSEC;
	ts->tv_nsec = ns % NSEC;
}

/*
 * What a stalled caller does when no wake-up can be expected: free dead
 * peers' entries, give up slots held by dead peers, notice the end of stream.
 * Return: the operation's result, or -EAGAIN to keep waiting.
 */
static long stalled(struct shmring *r, struct shr_op *op, bool sweep)
{
	int peer = op->side == SHR_SIDE_CONSUMER ? SHMRING_PRODUCER : SHMRING_CONSUMER;
	bool gone;
	long ret;

	if (sweep)
		shr_sweep(r->hdr);
	gone = shr_side_gone(r, peer);
	/*
	 * A slot whose holder died is given up only when no live peer covers
	 * it; with the whole other side gone, every holder is dead.
	 */
	if (!r->spsc && (sweep || gone)) {
		/* A few per call: a scribbled region must not keep one call busy. */
		int i;

		for (i = 0; i < RECOVER_PER_CALL && shr_mpmc_recover(r); i++) {
			ret = op->attempt(r, op);
			if (ret != -EAGAIN)
				return ret;
		}
		if (i == RECOVER_PER_CALL)
			return -EAGAIN;   /* more to give up: not the end of the stream yet */
	}
	if (!gone)
		return -EAGAIN;
	/*
	 * The other side is gone: its last publish (or release) happened
	 * before its entry was freed, which shr_side_gone() read with acquire.
	 * Try once more so nothing published just before it left is missed.
	 */
	op->peer_gone = true;
	ret = op->attempt(r, op);
	return ret == -EAGAIN ? -EPIPE : ret;
}

static long nowait_miss(struct shmring *r, struct shr_op *op)
{
	bool sweep = false;
	long ret;

	/*
	 * A poller that retries at once keeps pulling the other side's line
	 * away from it and slows the very peer it waits for: pause first.
	 * Then look once more, so that what arrived during the pause is taken
	 * now and not a whole caller's loop (often with a pause of its own)
	 * later: the pause costs the peer's line nothing, and the caller no
	 * latency.
	 */
	shr_cpu_relax();
	ret = op->attempt(r, op);
	if (ret != -EAGAIN)
		return ret;
	/* Pollers recover dead peers too, but read the clock only now and then. */
	if (++r->idle_polls >= POLLS_PER_CLOCK) {
		int64_t now = shr_now_ns();

		r->idle_polls = 0;
		if (now >= r->next_check_ns) {
			r->next_check_ns = now + STALL_CHECK_NS;
			sweep = true;
		}
	}
	return stalled(r, op, sweep);
}

/* Spin before sleeping; never past @deadline (0: none), so short timeouts hold. */
static long spin(struct shmring *r, struct shr_op *op, int64_t deadline)
{
	long ret = -EAGAIN;

	for (uint32_t i = 1; i <= r->spin_limit; i++) {
		shr_cpu_relax();
		if (i % 16)
			continue;
		if (deadline && shr_now_ns() >= deadline)
			return -EAGAIN;
		ret = op->attempt(r, op);
		if (ret != -EAGAIN) {
			/* Worth spinning: allow longer next time. */
			if (r->spin_limit < SPIN_MAX)
				r->spin_limit *= 2;
			return ret;
		}
	}
	if (r->spin_limit > SPIN_MIN)
		r->spin_limit /= 2;
	return ret;
}

static long sleep_once(struct shmring *r, struct shr_op *op, int64_t until, bool *slept)
{
	struct shr_hdr *h = r->hdr;
	bool consumer = op->side == SHR_SIDE_CONSUMER;
	_Atomic uint32_t *word = consumer ? &h->prod.data_seq : &h->cons.space_seq;
	struct timespec ts;
	uint32_t marked;
	long ret;

	/* W1: mark the word; relaxed RMW, ordered by the barrier that follows. */
	marked = atomic_fetch_or_explicit(word, 1, memory_order_relaxed) | 1;
	/* W1 barrier, pairs with W2 in shr_wake(); see the top of the file. */
	smp_mb();
	if (shr_membarrier() < 0 && until - shr_now_ns() > BLIND_SLICE_NS)
		until = shr_now_ns() + BLIND_SLICE_NS;
	ret = op->attempt(r, op);
	if (ret != -EAGAIN)
		return ret;
	if (!*slept) {
		*slept = true;
		atomic_fetch_add_explicit(consumer ? &h->ctl.consumer_sleeps :
					  &h->ctl.producer_sleeps, 1, memory_order_relaxed);
	}
	deadline_ts(until, &ts);
	ret = shr_futex_wait(word, marked, &ts);
	return ret == 0 || ret == -ETIMEDOUT ? -EAGAIN : ret;
}

long shr_wait(struct shmring *r, struct shr_op *op, int64_t timeout_ns)
{
	int64_t deadline = 0, now, until, next_sweep;
	bool slept = false;
	long ret;

	if (timeout_ns == SHMRING_NOWAIT)
		return nowait_miss(r, op);
	ret = stalled(r, op, false);
	if (ret != -EAGAIN)
		return ret;
	if (timeout_ns > 0) {
		now = shr_now_ns();
		deadline = timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
	}
	ret = spin(r, op, deadline);
	if (ret != -EAGAIN)
		return ret;

	now = shr_now_ns();
	if (deadline && now >= deadline)
		return -ETIMEDOUT;
	next_sweep = now + SLICE_NS;
	for (;;) {
		until = now + SLICE_NS;
		if (deadline && deadline < until)
			until = deadline;
		ret = sleep_once(r, op, until, &slept);
		if (ret != -EAGAIN)
			return ret;
		now = shr_now_ns();
		/* Woken or not, look for dead peers once a slice has passed. */
		ret = stalled(r, op, now >= next_sweep);
		if (now >= next_sweep)
			next_sweep = now + SLICE_NS;
		if (ret != -EAGAIN)
			return ret;
		if (deadline && now >= deadline)
			return -ETIMEDOUT;
	}
}
