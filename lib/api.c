// SPDX-License-Identifier: MIT
/*
 * The public calls: argument and role checks, dispatch to the SPSC or the
 * sequence-numbered algorithm, and the wait loop when an attempt finds the
 * ring full or empty.  The first attempt is made inline (for SPSC copies,
 * the whole of it): no clock read and no system call unless the ring is
 * full or empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "futex.h"
#include "internal.h"
#include "spsc.h"

#define SPIN_START 1024

/* Tokens carry the position and a per-handle tag, so a foreign message is refused. */
static uint64_t token_of(const struct shmring *r, uint64_t pos)
{
	return pos ^ r->token_tag;
}

static long run(struct shmring *r, struct shr_op *op, int64_t timeout_ns)
{
	long ret;

	if (shr_unlikely(timeout_ns < SHMRING_FOREVER))
		return -EINVAL;
	ret = op->attempt(r, op);
	if (shr_likely(ret != -EAGAIN))
		return ret;
	return shr_wait(r, op, timeout_ns);
}

static int check(const struct shmring *r, int role)
{
	if (shr_unlikely(!r))
		return -EINVAL;
	return shr_likely(r->role & role) ? 0 : -EPERM;
}

SHMRING_API int shmring_open(const char *name, int role, struct shmring **ringp)
{
	struct shmring *r;
	int ret;

	if (!ringp)
		return -EINVAL;
	*ringp = NULL;
	if (role <= 0 || (role & ~SHR_ROLES))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = shr_region_map(name, true, &r->hdr, &r->g);
	if (ret)
		goto err;
	r->slots = (struct shr_slot *)(void *)(r->hdr + 1);
	r->payloads = (unsigned char *)r->hdr + r->g.payload_off;
	r->spsc = !(r->g.flags & (SHMRING_MP | SHMRING_MC));
	r->role = role;
	r->pid = getpid();
	r->fenceless = shr_membarrier_register() == 0;
	r->spin_limit = SPIN_START;
	r->token_tag = (uint64_t)(uintptr_t)r * 0x9e3779b97f4a7c15ull;
	ret = shr_attach(r);
	if (ret)
		goto err;
	*ringp = r;
	return 0;
err:
	shr_region_unmap(r->hdr, &r->g);
	free(r);
	return ret;
}

static void give_up_claim(struct shmring *r)
{
	if (r->spsc)
		return;        /* never published, never visible */
	/* Consumers skip it; it was claimed and will never carry a message. */
	atomic_fetch_add_explicit(&r->hdr->ctl.discarded, 1, memory_order_relaxed);
	shr_mpmc_publish(r, SHR_LEN_DISCARD);
}

SHMRING_API void shmring_close(struct shmring *r)
{
	if (!r)
		return;
	/* A handle inherited across fork() belongs to the parent: just unmap. */
	if (r->pid == getpid() && r->att) {
		if (r->claim_out)
			give_up_claim(r);
		if (r->peek_out)
			r->spsc ? shr_spsc_release(r) : shr_mpmc_release(r);
		shr_detach(r);
	}
	shr_region_unmap(r->hdr, &r->g);
	free(r);
}

/* An SPSC copy whose inline attempt found the ring full or empty: wait. */
static __attribute__((noinline)) long spsc_wait(struct shmring *r, enum shr_kind kind,
						void *p, size_t len, int64_t timeout_ns)
{
	struct shr_op op = { .kind = kind };

	if (kind == SHR_SEND) {
		op.side = SHR_SIDE_PRODUCER;
		op.attempt = shr_spsc_send;
		op.u.send.msg = p;
		op.u.send.len = len;
	} else {
		op.side = SHR_SIDE_CONSUMER;
		op.attempt = shr_spsc_recv;
		op.u.recv.buf = p;
		op.u.recv.cap = len;
	}
	return shr_wait(r, &op, timeout_ns);
}

SHMRING_API int shmring_send(struct shmring *r, const void *msg, size_t len,
			     int64_t timeout_ns)
{
	int ret = check(r, SHMRING_PRODUCER);
	long n;

	if (ret)
		return ret;
	if (len > r->g.msg_size)
		return -EMSGSIZE;
	if (!msg && len)
		return -EINVAL;
	if (shr_unlikely(timeout_ns < SHMRING_FOREVER))
		return -EINVAL;
	if (shr_likely(r->spsc)) {
		n = shr_spsc_send_now(r, msg, len);
		if (shr_likely(n != -EAGAIN))
			return (int)n;
		return (int)spsc_wait(r, SHR_SEND, (void *)(uintptr_t)msg, len, timeout_ns);
	} else {
		struct shr_op op = {
			.kind = SHR_SEND, .side = SHR_SIDE_PRODUCER,
			.attempt = shr_mpmc_send, .u.send = { msg, len },
		};

		return (int)run(r, &op, timeout_ns);
	}
}

SHMRING_API ssize_t shmring_recv(struct shmring *r, void *buf, size_t cap,
				 int64_t timeout_ns)
{
	int ret = check(r, SHMRING_CONSUMER);
	long n;

	if (ret)
		return ret;
	if (!buf && cap)
		return -EINVAL;
	if (shr_unlikely(timeout_ns < SHMRING_FOREVER))
		return -EINVAL;
	if (shr_likely(r->spsc)) {
		n = shr_spsc_recv_now(r, buf, cap);
		if (shr_likely(n != -EAGAIN))
			return n;
		return spsc_wait(r, SHR_RECV, buf, cap, timeout_ns);
	} else {
		struct shr_op op = {
			.kind = SHR_RECV, .side = SHR_SIDE_CONSUMER,
			.attempt = shr_mpmc_recv, .u.recv = { buf, cap },
		};

		return run(r, &op, timeout_ns);
	}
}

SHMRING_API int shmring_send_burst(struct shmring *r, const struct iovec *msgs,
				   unsigned n, int64_t timeout_ns)
{
	struct shr_op op = {
		.kind = SHR_SEND_BURST, .side = SHR_SIDE_PRODUCER,
		.attempt = NULL, .u.send_burst = { msgs, n },
	};
	int ret = check(r, SHMRING_PRODUCER);

	if (ret)
		return ret;
	if (!msgs || !n || n > INT32_MAX)
		return -EINVAL;
	if (msgs[0].iov_len > r->g.msg_size)
		return -EMSGSIZE;
	op.attempt = r->spsc ? shr_spsc_send_burst : shr_mpmc_send_burst;
	return (int)run(r, &op, timeout_ns);
}

SHMRING_API int shmring_recv_burst(struct shmring *r, struct iovec *bufs,
				   unsigned n, int64_t timeout_ns)
{
	struct shr_op op = {
		.kind = SHR_RECV_BURST, .side = SHR_SIDE_CONSUMER,
		.attempt = NULL, .u.recv_burst = { bufs, n },
	};
	int ret = check(r, SHMRING_CONSUMER);

	if (ret)
		return ret;
	if (!bufs || !n || n > INT32_MAX)
		return -EINVAL;
	op.attempt = r->spsc ? shr_spsc_recv_burst : shr_mpmc_recv_burst;
	return (int)run(r, &op, timeout_ns);
}

SHMRING_API int shmring_claim(struct shmring *r, struct shmring_msg *m, int64_t timeout_ns)
{
	struct shr_op op = {
		.kind = SHR_CLAIM, .side = SHR_SIDE_PRODUCER, .attempt = NULL, .u.m = m,
	};
	int ret = check(r, SHMRING_PRODUCER);

	if (ret)
		return ret;
	if (!m)
		return -EINVAL;
	if (r->claim_out)
		return -EBUSY;
	op.attempt = r->spsc ? shr_spsc_claim : shr_mpmc_claim;
	ret = (int)run(r, &op, timeout_ns);
	if (ret == 0) {
		r->claim_out = true;
		m->token = token_of(r, r->claim_pos);
	}
	return ret;
}

SHMRING_API int shmring_publish(struct shmring *r, struct shmring_msg *m)
{
	int ret = check(r, SHMRING_PRODUCER);

	if (ret)
		return ret;
	if (!m || !r->claim_out || m->token != token_of(r, r->claim_pos))
		return -EINVAL;
	if (m->len > r->g.msg_size)
		return -EMSGSIZE;
	r->claim_out = false;
	if (r->spsc)
		shr_spsc_publish(r, (uint32_t)m->len);
	else
		shr_mpmc_publish(r, (uint32_t)m->len);
	m->token = 0;
	return 0;
}

SHMRING_API int shmring_peek(struct shmring *r, struct shmring_msg *m, int64_t timeout_ns)
{
	struct shr_op op = {
		.kind = SHR_PEEK, .side = SHR_SIDE_CONSUMER, .attempt = NULL, .u.m = m,
	};
	int ret = check(r, SHMRING_CONSUMER);

	if (ret)
		return ret;
	if (!m)
		return -EINVAL;
	if (r->peek_out)
		return -EBUSY;
	op.attempt = r->spsc ? shr_spsc_peek : shr_mpmc_peek;
	ret = (int)run(r, &op, timeout_ns);
	if (ret == 0) {
		r->peek_out = true;
		m->token = token_of(r, r->peek_pos);
	}
	return ret;
}

SHMRING_API int shmring_release(struct shmring *r, struct shmring_msg *m)
{
	int ret = check(r, SHMRING_CONSUMER);

	if (ret)
		return ret;
	if (!m || !r->peek_out || m->token != token_of(r, r->peek_pos))
		return -EINVAL;
	r->peek_out = false;
	if (r->spsc)
		shr_spsc_release(r);
	else
		shr_mpmc_release(r);
	m->token = 0;
	return 0;
}
