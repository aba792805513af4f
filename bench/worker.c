/* SPDX-License-Identifier: MIT */
/*
 * The timed loops.  Everything a loop needs (buffers, endpoints, histogram,
 * gap array) is set up before the start signal; inside the loops there is
 * no allocation and no system call of the harness's own (a transport's
 * system calls, and the sched_yield() of the common wait policy, are part
 * of what is measured).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "payload.h"
#include "pin.h"
#include "runner.h"
#include "wait.h"

/* With --inject-fault, this message of every stream arrives corrupted. */
#define FAULT_AT 1000

struct wstate {
	struct wctx *w;
	struct worker_result *res;
	void *ep[2];
	uint32_t size;
	bool block;
};

static int fail(struct wstate *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* code 2: the data did not verify; 1: anything else (often a consequence). */
static int fail(struct wstate *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->res->err, sizeof(s->res->err), fmt, ap);
	va_end(ap);
	s->res->status = code ? code : 1;
	return s->res->status;
}

static const char *errstr(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* Send one message, applying the wait policy to -EAGAIN and -EINTR. */
static inline int xsend(struct wstate *s, void *ep, const void *msg, size_t len)
{
	struct poll_state ps = { 0 };
	int ret;

	while ((ret = s->w->t->send(ep, msg, len, s->block)) == -EAGAIN || ret == -EINTR)
		poll_wait(&ps, s->block);
	return ret;
}

static inline ssize_t xrecv(struct wstate *s, void *ep, void *buf, size_t cap)
{
	struct poll_state ps = { 0 };
	ssize_t ret;

	while ((ret = s->w->t->recv(ep, buf, cap, s->block)) == -EAGAIN || ret == -EINTR)
		poll_wait(&ps, s->block);
	return ret;
}

static void *alloc_buf(size_t len)
{
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	/* Touch it now, not in the timed loop. */
	if (p)
		memset(p, 0, (len + 63) & ~(size_t)63);
	return p;
}

/* ---- round trips ---- */

static int rtt_pinger(struct wstate *s)
{
	const struct transport *t = s->w->t;
	struct ctl *ctl = s->w->ctl;
	struct hist *h = &ctl->hist;
	uint64_t seq = 0, t0, t1, warm = ctl->t_warm, end = ctl->t_deadline, got = 0;
	uint64_t hard = ctl->t_hard_end;
	void *tx = NULL, *rx = NULL;
	unsigned prod;
	bool stop;
	ssize_t n;
	int ret;

	if (t->caps & TC_PINGPONG) {
		for (;;) {
			t0 = clk_now();
			ret = t->ping(s->ep[0], (uint32_t)seq, s->block);
			t1 = clk_now();
			if (ret)
				return fail(s, 2, "round trip %" PRIu64 ": unexpected value in the shared word",
					    seq);
			if (t0 >= warm)
				hist_add(h, t1 - t0);
			seq++;
			if (t1 >= end && (h->count >= RTT_MIN_SAMPLES || t1 >= hard))
				break;
		}
		t->stop(s->ep[0]);
		s->res->sent = seq;
		return 0;
	}

	tx = alloc_buf(s->size);
	rx = alloc_buf(s->size);
	if (!tx || !rx) {
		ret = fail(s, 1, "out of memory");
		goto out;
	}
	for (;;) {
		pl_stamp(tx, s->size, 0, seq, false);
		t0 = clk_now();
		ret = xsend(s, s->ep[0], tx, s->size);
		if (ret) {
			ret = fail(s, 1, "send: %s", errstr(ret));
			goto out;
		}
		n = xrecv(s, s->ep[1], rx, s->size);
		t1 = clk_now();
		if (n < 0) {
			ret = fail(s, 1, "receive: %s", errstr((int)n));
			goto out;
		}
		if (pl_check(rx, s->size, (size_t)n, &prod, &got, &stop) || stop || prod ||
		    got != seq) {
			ret = fail(s, 2, "echo %" PRIu64 " came back wrong (length %zd, seq %" PRIu64 ")",
				   seq, n, got);
			goto out;
		}
		if (t0 >= warm)
			hist_add(h, t1 - t0);
		seq++;
		if (t1 >= end && (h->count >= RTT_MIN_SAMPLES || t1 >= hard))
			break;
	}
	pl_stamp(tx, s->size, 0, seq, true);
	ret = xsend(s, s->ep[0], tx, s->size);
	if (ret)
		ret = fail(s, 1, "send stop: %s", errstr(ret));
	s->res->sent = seq;
out:
	free(tx);
	free(rx);
	return ret;
}

static int rtt_ponger(struct wstate *s)
{
	const struct transport *t = s->w->t;
	uint64_t expect = 0, got = 0;
	unsigned prod;
	void *buf;
	bool stop;
	ssize_t n;
	int ret = 0;

	if (t->caps & TC_PINGPONG) {
		for (;;) {
			ret = t->pong(s->ep[0], (uint32_t)expect, s->block);
			if (opt.inject_fault && expect == FAULT_AT && ret == 0)
				ret = -EBADMSG;     /* the word carries nothing to corrupt */
			if (ret == 1)
				break;
			if (ret)
				return fail(s, 2, "round trip %" PRIu64 ": unexpected value in the shared word",
					    expect);
			expect++;
		}
		s->res->received = expect;
		return 0;
	}

	buf = alloc_buf(s->size);
	if (!buf)
		return fail(s, 1, "out of memory");
	for (;;) {
		n = xrecv(s, s->ep[0], buf, s->size);
		if (n < 0) {
			ret = fail(s, 1, "receive: %s", errstr((int)n));
			break;
		}
		if (opt.inject_fault && expect == FAULT_AT)
			((unsigned char *)buf)[0] ^= 0x10;
		if (pl_check(buf, s->size, (size_t)n, &prod, &got, &stop) || prod) {
			ret = fail(s, 2, "message %" PRIu64 " failed its checksum (length %zd)",
				   expect, n);
			break;
		}
		if (stop)
			break;
		if (got != expect) {
			ret = fail(s, 2, "expected seq %" PRIu64 ", got %" PRIu64, expect, got);
			break;
		}
		ret = xsend(s, s->ep[1], buf, (size_t)n);
		if (ret) {
			ret = fail(s, 1, "send: %s", errstr(ret));
			break;
		}
		expect++;
	}
	s->res->received = expect;
	free(buf);
	return ret;
}

/* ---- one-way throughput ---- */

/* After its data, the last producer to finish sends one stop per consumer. */
static int producer_finish(struct wstate *s, unsigned pid, uint64_t seq, void *buf)
{
	struct ctl *ctl = s->w->ctl;
	unsigned c, P = s->w->g->producers, C = s->w->g->consumers;
	int ret;

	s->res->sent = seq;
	if (atomic_fetch_add_explicit(&ctl->producers_done, 1, memory_order_acq_rel) + 1 != P)
		return 0;
	ctl->t_data_end = clk_now();
	for (c = 0; c < C; c++) {
		pl_stamp(buf, s->size, pid, seq, true);
		ret = xsend(s, s->ep[0], buf, s->size);
		if (ret)
			return fail(s, 1, "send stop: %s", errstr(ret));
	}
	return 0;
}

static int producer(struct wstate *s)
{
	const struct transport *t = s->w->t;
	const struct group *g = s->w->g;
	unsigned pid = s->w->idx, B = g->batch, k, i;
	uint64_t seq = 0, end = s->w->ctl->t_deadline;
	struct iovec iov[BENCH_MAX_BATCH];
	struct poll_state ps;
	char *buf;
	int ret = 0;

	buf = alloc_buf((size_t)s->size * (B ? B : 1));
	if (!buf)
		return fail(s, 1, "out of memory");
	for (i = 0; i < B && i < BENCH_MAX_BATCH; i++) {
		iov[i].iov_base = buf + (size_t)i * s->size;
		iov[i].iov_len = s->size;
	}

	switch (g->api) {
	case API_SINGLE:
		for (;; seq++) {
			if (!(seq & 15) && clk_now() >= end)
				break;
			pl_stamp(buf, s->size, pid, seq, false);
			ret = xsend(s, s->ep[0], buf, s->size);
			if (ret) {
				ret = fail(s, 1, "send: %s", errstr(ret));
				goto out;
			}
		}
		break;
	case API_BURST:
		for (;; seq += B) {
			if (clk_now() >= end)
				break;
			for (i = 0; i < B; i++)
				pl_stamp(iov[i].iov_base, s->size, pid, seq + i, false);
			for (k = 0; k < B;) {
				memset(&ps, 0, sizeof(ps));
				while ((ret = t->send_burst(s->ep[0], iov + k, B - k, s->block)) == -EAGAIN ||
				       ret == -EINTR)
					poll_wait(&ps, s->block);
				if (ret <= 0 || (unsigned)ret > B - k) {
					ret = fail(s, 1, "send burst: %s", ret ? errstr(ret) : "sent nothing");
					goto out;
				}
				k += (unsigned)ret;
			}
		}
		ret = 0;
		break;
	case API_ZC:
		for (;; seq++) {
			void *data;

			if (!(seq & 15) && clk_now() >= end)
				break;
			memset(&ps, 0, sizeof(ps));
			while ((ret = t->claim(s->ep[0], &data, s->block)) == -EAGAIN || ret == -EINTR)
				poll_wait(&ps, s->block);
			if (ret) {
				ret = fail(s, 1, "claim: %s", errstr(ret));
				goto out;
			}
			pl_stamp(data, s->size, pid, seq, false);
			ret = t->publish(s->ep[0], s->size);
			if (ret) {
				ret = fail(s, 1, "publish: %s", errstr(ret));
				goto out;
			}
		}
		break;
	}
	ret = producer_finish(s, pid, seq, buf);
out:
	free(buf);
	return ret;
}

struct cstate {
	struct wstate *s;
	bool strict;            /* one producer: seq must be exactly next[0] */
	bool warm_done;
	bool gaps;
	unsigned P;
	uint64_t received;
	uint64_t warm, last, gap_ticks;
	struct gap *gap;
	uint32_t ngaps;
	void *scratch;          /* for --inject-fault */
	uint64_t next[BENCH_MAX_PRODUCERS];
};

/* Check one message: 0 for data, 1 for a stop message, -1 (recorded) if bad. */
static inline int consume(struct cstate *c, const void *buf, size_t len)
{
	struct worker_result *r = c->s->res;
	unsigned prod;
	uint64_t seq, now;
	bool stop;

	if (opt.inject_fault && c->received == FAULT_AT && c->scratch && len >= 8) {
		/* A private copy with one flipped bit: the check below must catch it. */
		memcpy(c->scratch, buf, len < c->s->size ? len : c->s->size);
		((unsigned char *)c->scratch)[len > 8 ? 8 + (len - 8) / 2 : 0] ^= 0x10;
		buf = c->scratch;
	}
	if (pl_check(buf, c->s->size, len, &prod, &seq, &stop)) {
		fail(c->s, 2, "message %" PRIu64 " failed its checksum (length %zu)",
		     c->received, len);
		return -1;
	}
	if (stop)
		return 1;
	if (prod >= c->P) {
		fail(c->s, 2, "message from unknown producer %u", prod);
		return -1;
	}
	if (c->strict ? seq != c->next[prod] : seq < c->next[prod]) {
		fail(c->s, 2, "producer %u: expected seq %s%" PRIu64 ", got %" PRIu64,
		     prod, c->strict ? "" : ">= ", c->next[prod], seq);
		return -1;
	}
	c->next[prod] = seq + 1;
	if (!c->strict) {
		r->cnt[prod]++;
		r->sum[prod] += seq;
		r->mix[prod] += pl_mix(seq);
	}
	c->received++;
	if (c->gaps) {
		now = clk_now();
		if (now - c->last >= c->gap_ticks) {
			if (c->ngaps < GAP_MAX) {
				c->gap[c->ngaps].from = c->last;
				c->gap[c->ngaps].to = now;
				c->ngaps++;
			} else {
				r->gaps_overflow = true;
			}
		}
		c->last = now;
	} else if (!(c->received & 63)) {
		if (c->warm_done)
			return 0;
		now = clk_now();
	} else {
		return 0;
	}
	if (!c->warm_done && now >= c->warm) {
		c->warm_done = true;
		r->recv_at_warm = c->received;
		r->t_warm = now;
	}
	return 0;
}

static int consumer(struct wstate *s)
{
	const struct transport *t = s->w->t;
	const struct group *g = s->w->g;
	struct ctl *ctl = s->w->ctl;
	struct worker_result *r = s->res;
	unsigned B = g->batch, i, ci = s->w->idx - g->producers;
	struct iovec iov[BENCH_MAX_BATCH];
	struct cstate c = {
		.s = s,
		.strict = g->producers == 1,
		.gaps = s->w->track_gaps,
		.P = g->producers,
		.warm = ctl->t_warm,
		.last = ctl->t_go,
		.gap_ticks = ctl->gap_ticks,
		.gap = ctl->gaps[ci < BENCH_MAX_CONSUMERS ? ci : 0],
	};
	struct poll_state ps;
	char *buf;
	int ret = 0;
	ssize_t n;

	buf = alloc_buf((size_t)s->size * (B ? B : 1));
	c.scratch = opt.inject_fault ? alloc_buf(s->size) : NULL;
	if (!buf || (opt.inject_fault && !c.scratch)) {
		free(buf);
		return fail(s, 1, "out of memory");
	}

	switch (g->api) {
	case API_SINGLE:
		for (;;) {
			n = xrecv(s, s->ep[0], buf, s->size);
			if (n < 0) {
				ret = fail(s, 1, "receive: %s", errstr((int)n));
				goto out;
			}
			ret = consume(&c, buf, (size_t)n);
			if (ret)
				break;
		}
		break;
	case API_BURST:
		for (;;) {
			for (i = 0; i < B; i++) {
				iov[i].iov_base = buf + (size_t)i * s->size;
				iov[i].iov_len = s->size;
			}
			memset(&ps, 0, sizeof(ps));
			while ((ret = t->recv_burst(s->ep[0], iov, B, s->block)) == -EAGAIN ||
			       ret == -EINTR)
				poll_wait(&ps, s->block);
			if (ret <= 0 || (unsigned)ret > B) {
				ret = fail(s, 1, "receive burst: %s", ret ? errstr(ret) : "got nothing");
				goto out;
			}
			n = ret;
			ret = 0;
			for (i = 0; i < (unsigned)n && !ret; i++)
				ret = consume(&c, iov[i].iov_base, iov[i].iov_len);
			/* A stop ends the stream: nothing may follow it in the burst. */
			if (ret > 0 && i != (unsigned)n) {
				ret = fail(s, 2, "%zd messages after the stop message", n - (ssize_t)i);
				goto out;
			}
			if (ret)
				break;
		}
		break;
	case API_ZC:
		for (;;) {
			const void *data;
			size_t len;

			memset(&ps, 0, sizeof(ps));
			while ((ret = t->peek(s->ep[0], &data, &len, s->block)) == -EAGAIN ||
			       ret == -EINTR)
				poll_wait(&ps, s->block);
			if (ret) {
				ret = fail(s, 1, "peek: %s", errstr(ret));
				goto out;
			}
			ret = consume(&c, data, len);
			if (ret < 0)
				break;
			if (t->release(s->ep[0])) {
				ret = fail(s, 1, "release failed");
				goto out;
			}
			if (ret)
				break;
		}
		break;
	}
	if (ret < 0) {
		ret = r->status;
		goto out;
	}
	ret = 0;
	r->t_end = clk_now();
	r->t_last = c.gaps ? c.last : r->t_end;
	r->received = c.received;
	r->ngaps = c.ngaps;
	if (!c.warm_done) {
		r->recv_at_warm = c.received;
		r->t_warm = r->t_end;
	}
	if (c.strict)
		r->cnt[0] = c.received;
out:
	free(c.scratch);
	free(buf);
	return ret;
}

/* ---- start-up ---- */

static long futex(_Atomic uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)w, op, val, NULL, NULL, 0);
}

static int attach_all(struct wstate *s)
{
	struct wctx *w = s->w;
	const struct transport *t = w->t;
	int ret;

	if (w->g->test == TEST_RTT && (t->caps & TC_CHANNEL)) {
		bool pinger = w->idx == 0;

		ret = t->attach(&w->spec[0], w->shared[0], pinger ? ROLE_TX : ROLE_RX, &s->ep[0]);
		if (ret)
			return fail(s, 1, "attach: %s", errstr(ret));
		ret = t->attach(&w->spec[1], w->shared[1], pinger ? ROLE_RX : ROLE_TX, &s->ep[1]);
		if (ret)
			return fail(s, 1, "attach: %s", errstr(ret));
		return 0;
	}
	ret = t->attach(&w->spec[0], w->shared[0],
			w->idx < w->g->producers ? ROLE_TX : ROLE_RX, &s->ep[0]);
	if (ret)
		return fail(s, 1, "attach: %s", errstr(ret));
	return 0;
}

int worker_main(struct wctx *w)
{
	struct wstate s = {
		.w = w,
		.res = &w->ctl->w[w->idx],
		.size = w->spec[0].msg_size,
		.block = w->g->block,
	};
	struct ctl *ctl = w->ctl;
	uint32_t go;
	int ret = 0;

	if (opt.pin && pin_self(w->g->max_cpus ? w->idx % w->g->max_cpus : w->idx))
		ret = fail(&s, 1, "cannot pin to cpu %d", pin_cpu(w->idx));
	if (!ret)
		ret = attach_all(&s);
	/*
	 * A forked child maps the shared control block lazily: fault in what
	 * the timed loop will write now, not in the middle of a measurement.
	 */
	if (w->g->test == TEST_RTT && w->idx == 0)
		hist_reset(&ctl->hist);
	if (w->track_gaps && w->idx >= w->g->producers)
		memset(ctl->gaps[w->idx - w->g->producers], 0, sizeof(ctl->gaps[0]));

	atomic_fetch_add_explicit(&ctl->ready, 1, memory_order_release);
	futex(&ctl->ready, FUTEX_WAKE, INT_MAX);
	while ((go = atomic_load_explicit(&ctl->go, memory_order_acquire)) == 0)
		futex(&ctl->go, FUTEX_WAIT, 0);
	if (go != 1 || ret)
		goto out;
	/* All workers leave the gate at the same instant, not as woken. */
	while (clk_now() < ctl->t_go)
		cpu_relax();

	if (w->g->test == TEST_RTT)
		ret = w->idx == 0 ? rtt_pinger(&s) : rtt_ponger(&s);
	else if (w->idx < w->g->producers)
		ret = producer(&s);
	else
		ret = consumer(&s);
out:
	if (s.ep[0])
		w->t->detach(s.ep[0]);
	if (s.ep[1])
		w->t->detach(s.ep[1]);
	return ret;
}
