/* SPDX-License-Identifier: MIT */
/*
 * Crashed peers: a process SIGKILLed while it holds a claimed or peeked slot
 * stalls the others for about a second at most; its slot is given up
 * (never delivered, counted in info.abandoned) and the ring goes on.  A live
 * holder, even a stopped one, is waited for.
 */
#include "helpers.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(crash, .fini = t_cleanup);

/* The ring must move again within this long after a holder died. */
#define RECOVERY_NS (3 * T_S)

struct crash_case {
	unsigned mode;
	bool poll;              /* recover by NOWAIT polling instead of a waiting call */
	bool reap;              /* reap the dead holder before recovering */
};

/* recv one message, either waiting or by polling with NOWAIT. */
static ssize_t recv_within(struct shmring *c, void *buf, size_t cap, bool poll, int64_t ns)
{
	int64_t deadline = t_now_ns() + ns;
	ssize_t n;

	if (!poll)
		return shmring_recv(c, buf, cap, ns);
	do
		n = shmring_recv(c, buf, cap, SHMRING_NOWAIT);
	while (n == -EAGAIN && t_now_ns() < deadline);
	return n;
}

static int send_within(struct shmring *p, const void *msg, size_t len, bool poll, int64_t ns)
{
	int64_t deadline = t_now_ns() + ns;
	int ret;

	if (!poll)
		return shmring_send(p, msg, len, ns);
	do
		ret = shmring_send(p, msg, len, SHMRING_NOWAIT);
	while (ret == -EAGAIN && t_now_ns() < deadline);
	return ret;
}

static void kill_holder(pid_t pid, bool reap)
{
	siginfo_t si;

	cr_assert(kill(pid, SIGKILL) == 0);
	if (reap) {
		int status;

		cr_assert(waitpid(pid, &status, 0) == pid);
		return;
	}
	/* Dead but left a zombie: that is dead too. */
	memset(&si, 0, sizeof(si));
	cr_assert(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0);
}

ParameterizedTestParameters(crash, producer_dies_holding_claim)
{
	static struct crash_case p[] = {
		{ SHMRING_MP, false, false }, { SHMRING_MP, true, true },
		{ SHMRING_MP | SHMRING_MC, false, true }, { SHMRING_MP | SHMRING_MC, true, false },
	};

	return cr_make_param_array(struct crash_case, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct crash_case *cc, crash, producer_dies_holding_claim, .timeout = 30)
{
	const char *name = t_ring("claim-%s-%d-%d", t_mode_str(cc->mode), cc->poll, cc->reap);
	struct shmring *p, *c;
	struct shmring_info info;
	char buf[32];
	int64_t t0;
	pid_t pid;
	int i;

	t_create(name, 8, 32, cc->mode);
	c = t_open(name, SHMRING_CONSUMER);
	p = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p, "m0", 2, SHMRING_NOWAIT), 0);
	pid = t_fork_claim_holder(name, "ghost");
	T_EXPECT(shmring_send(p, "m1", 2, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "m2", 2, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 5 * T_S), 2);
	cr_assert(memcmp(buf, "m0", 2) == 0);

	kill_holder(pid, cc->reap);
	t0 = t_now_ns();
	for (i = 1; i <= 2; i++) {
		char want[3] = { 'm', (char)('0' + i), 0 };
		ssize_t n = recv_within(c, buf, sizeof(buf), cc->poll, RECOVERY_NS);

		cr_assert(n == 2 && memcmp(buf, want, 2) == 0,
			  "%s after the claim holder died: %s (%.*s)", want, t_errname(n),
			  n > 0 ? (int)n : 0, buf);
	}
	cr_log_info("ring moved again %.3f s after the kill", (double)(t_now_ns() - t0) / T_S);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 100 * T_MS), -ETIMEDOUT);
	info = t_info(c);
	cr_assert(info.abandoned == 1, "[%s] abandoned %llu, expected 1", t_ctx,
		  (unsigned long long)info.abandoned);
	cr_assert(info.count == 0 && info.received == 3,
		  "count %llu received %llu", (unsigned long long)info.count,
		  (unsigned long long)info.received);
	/* Every slot is usable again. */
	for (i = 0; i < 8; i++)
		T_EXPECT(shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT), -EAGAIN);
	for (i = 0; i < 8; i++) {
		int v = -1;

		T_EXPECT(shmring_recv(c, &v, sizeof(v), SHMRING_NOWAIT), sizeof(v));
		cr_assert(v == i);
	}
	info = t_info(c);
	cr_assert(info.abandoned == 1);
	shmring_close(p);
	shmring_close(c);
	if (!cc->reap)
		t_kill(pid);
}

ParameterizedTestParameters(crash, consumer_dies_holding_peek)
{
	static struct crash_case p[] = {
		{ SHMRING_MC, false, true }, { SHMRING_MC, true, false },
		{ SHMRING_MP | SHMRING_MC, false, false }, { SHMRING_MP | SHMRING_MC, true, true },
	};

	return cr_make_param_array(struct crash_case, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct crash_case *cc, crash, consumer_dies_holding_peek, .timeout = 30)
{
	const char *name = t_ring("peek-%s-%d-%d", t_mode_str(cc->mode), cc->poll, cc->reap);
	struct t_chan up;
	struct shmring *p, *c;
	struct shmring_info info;
	int64_t t0;
	pid_t pid;
	int i, v;

	t_create(name, 4, 16, cc->mode);
	t_chan_init(&up);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (i = 0; i < 4; i++)
		T_EXPECT(shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT), 0);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		struct shmring_msg m;
		int ret = shmring_open(name, SHMRING_CONSUMER, &h);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		ret = shmring_peek(h, &m, SHMRING_NOWAIT);
		CHILD_CHECK(ret == 0, "peek = %s", t_errname(ret));
		CHILD_CHECK(m.len == sizeof(int) && *(int *)m.data == 0, "peeked the wrong one");
		t_chan_put_and_hang(&up, 'p');
	}
	cr_assert(t_chan_get(&up, 10000) == 'p');
	/* The others were not taken by the peek. */
	for (i = 1; i < 4; i++) {
		T_EXPECT(shmring_recv(c, &v, sizeof(v), 5 * T_S), sizeof(v));
		cr_assert(v == i, "got %d, expected %d", v, i);
	}

	kill_holder(pid, cc->reap);
	t0 = t_now_ns();
	/* Producers get the whole ring back once the peeked slot is given up. */
	for (i = 4; i < 8; i++) {
		int ret = send_within(p, &i, sizeof(i), cc->poll, RECOVERY_NS);

		cr_assert(ret == 0, "send %d after the peek holder died: %s", i, t_errname(ret));
	}
	cr_log_info("ring moved again %.3f s after the kill", (double)(t_now_ns() - t0) / T_S);
	for (i = 4; i < 8; i++) {
		T_EXPECT(shmring_recv(c, &v, sizeof(v), SHMRING_NOWAIT), sizeof(v));
		cr_assert(v == i, "got %d, expected %d: the peeked one delivered again?", v, i);
	}
	T_EXPECT(shmring_recv(c, &v, sizeof(v), 100 * T_MS), -ETIMEDOUT);
	info = t_info(c);
	cr_assert(info.abandoned == 1, "[%s] abandoned %llu, expected 1", t_ctx,
		  (unsigned long long)info.abandoned);
	cr_assert(info.count == 0 && info.sent == 8);
	shmring_close(p);
	shmring_close(c);
	if (!cc->reap)
		t_kill(pid);
}

/* A stopped holder is alive: nothing it holds is given up. */
ParameterizedTestParameters(crash, stopped_holder_is_waited_for)
{
	static unsigned modes[] = { SHMRING_MP, SHMRING_MC, SHMRING_MP | SHMRING_MC };

	return cr_make_param_array(unsigned, modes, 3);
}

ParameterizedTest(unsigned *mode, crash, stopped_holder_is_waited_for, .timeout = 30)
{
	const char *name = t_ring("stop-%s", t_mode_str(*mode));
	bool claim = *mode & SHMRING_MP;     /* else a peek */
	struct t_chan up, down;
	struct shmring *p, *c;
	struct shmring_info info;
	int64_t end;
	pid_t pid;
	int status, v, i, got = 0;

	t_create(name, 4, 16, *mode);
	t_chan_init(&up);
	t_chan_init(&down);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	if (!claim)
		T_EXPECT(shmring_send(p, &got, sizeof(got), SHMRING_NOWAIT), 0);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		struct shmring_msg m;
		int ret = shmring_open(name, claim ? SHMRING_PRODUCER : SHMRING_CONSUMER, &h);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		ret = claim ? shmring_claim(h, &m, SHMRING_NOWAIT)
			    : shmring_peek(h, &m, SHMRING_NOWAIT);
		CHILD_CHECK(ret == 0, "claim/peek = %s", t_errname(ret));
		t_chan_put(&up, 'h');
		CHILD_CHECK(t_chan_get(&down, 20000) == 'g', "no go");
		if (claim) {
			v = 100;
			memcpy(m.data, &v, sizeof(v));
			m.len = sizeof(v);
			ret = shmring_publish(h, &m);
		} else {
			ret = shmring_release(h, &m);
		}
		CHILD_CHECK(ret == 0, "publish/release after SIGCONT = %s", t_errname(ret));
		shmring_close(h);
		_exit(0);
	}
	cr_assert(t_chan_get(&up, 10000) == 'h');
	cr_assert(kill(pid, SIGSTOP) == 0);
	cr_assert(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));

	/* Push on the held-back ring for well over the recovery time. */
	end = t_now_ns() + 2500 * T_MS;
	i = 1;
	while (t_now_ns() < end) {
		if (shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT) == 0)
			i++;
		if (shmring_recv(c, &v, sizeof(v), 20 * T_MS) == sizeof(v))
			got++;
	}
	info = t_info(c);
	cr_assert(info.abandoned == 0, "a stopped process's %s was given up",
		  claim ? "claim" : "peek");

	cr_assert(kill(pid, SIGCONT) == 0);
	t_chan_put(&down, 'g');
	t_wait_ok(pid, 10, "holder after SIGCONT");
	/* Everything arrives: the stopped producer's message too. */
	for (;;) {
		ssize_t n = shmring_recv(c, &v, sizeof(v), 500 * T_MS);

		if (n == -ETIMEDOUT || n == -EPIPE)
			break;
		cr_assert(n == sizeof(v), "recv = %s", t_errname(n));
		got++;
	}
	info = t_info(c);
	cr_assert(info.abandoned == 0);
	if (claim)
		cr_assert(got == i, "received %d of %d messages", got, i);
	else
		cr_assert(got == i - 1, "received %d of %d messages", got, i - 1);
	shmring_close(p);
	shmring_close(c);
}

/* Single-role rings: the dead holder's claim or peek goes with the takeover. */
struct spsc_case {
	unsigned mode;
	bool producer;          /* the dead holder was the producer (claim) */
};

ParameterizedTestParameters(crash, single_role_holder_dies)
{
	static struct spsc_case p[] = {
		{ 0, true }, { 0, false }, { SHMRING_MC, true }, { SHMRING_MP, false },
	};

	return cr_make_param_array(struct spsc_case, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct spsc_case *sc, crash, single_role_holder_dies, .timeout = 30)
{
	const char *name = t_ring("single-%s-%d", t_mode_str(sc->mode), sc->producer);
	struct t_chan up;
	struct shmring *p = NULL, *c = NULL, *r;
	struct shmring_info info;
	pid_t pid;
	int v, i, ret;

	t_create(name, 2, 16, sc->mode);
	t_chan_init(&up);
	if (sc->producer)
		c = t_open(name, SHMRING_CONSUMER);
	else
		p = t_open(name, SHMRING_PRODUCER);
	if (p) {
		for (i = 0; i < 2; i++)
			T_EXPECT(shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT), 0);
	}
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		struct shmring_msg m;

		ret = shmring_open(name, sc->producer ? SHMRING_PRODUCER : SHMRING_CONSUMER, &h);
		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		if (sc->producer) {
			v = 0;
			ret = shmring_send(h, &v, sizeof(v), SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
			ret = shmring_claim(h, &m, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "claim = %s", t_errname(ret));
			v = -1;
			memcpy(m.data, &v, sizeof(v));
			m.len = sizeof(v);
		} else {
			ret = shmring_peek(h, &m, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "peek = %s", t_errname(ret));
		}
		t_chan_put_and_hang(&up, 'h');
	}
	cr_assert(t_chan_get(&up, 10000) == 'h');
	t_kill(pid);
	r = t_open(name, sc->producer ? SHMRING_PRODUCER : SHMRING_CONSUMER);
	if (sc->producer) {
		p = r;
		T_EXPECT(shmring_recv(c, &v, sizeof(v), RECOVERY_NS), sizeof(v));
		cr_assert(v == 0);
		for (i = 1; i < 3; i++)
			T_EXPECT(shmring_send(p, &i, sizeof(i), RECOVERY_NS), 0);
		for (i = 1; i < 3; i++) {
			T_EXPECT(shmring_recv(c, &v, sizeof(v), RECOVERY_NS), sizeof(v));
			cr_assert(v == i, "got %d, expected %d (-1 is the dead claim)", v, i);
		}
	} else {
		c = r;
		T_EXPECT(shmring_recv(c, &v, sizeof(v), RECOVERY_NS), sizeof(v));
		cr_assert(v == 1, "got %d, expected 1: the dead peek delivered again?", v);
		/* Both slots free again. */
		for (i = 2; i < 4; i++)
			T_EXPECT(shmring_send(p, &i, sizeof(i), RECOVERY_NS), 0);
		for (i = 2; i < 4; i++) {
			T_EXPECT(shmring_recv(c, &v, sizeof(v), RECOVERY_NS), sizeof(v));
			cr_assert(v == i);
		}
	}
	T_EXPECT(shmring_recv(c, &v, sizeof(v), SHMRING_NOWAIT), -EAGAIN);
	info = t_info(c);
	cr_assert(info.abandoned == 1, "[%s] abandoned %llu, expected 1", t_ctx,
		  (unsigned long long)info.abandoned);
	shmring_close(p);
	shmring_close(c);
}

/*
 * Peers SIGKILLed at random instructions while messages stream through:
 * nothing duplicated or corrupted, every message of a survivor delivered,
 * a dead producer's messages form a gap-free prefix of what it sent, and
 * at most one message is lost per dead consumer.
 */
enum { KP = 3, KC = 3, K_STEADY_N = 40000, K_MAXSEQ = 1 << 22, K_MSG = 64 };

struct kill_shared {
	_Atomic uint64_t sent_ok[KP];          /* sends that returned 0 */
	_Atomic uint64_t got[KC];
	_Atomic uint32_t fail;
	/* When the survivors finished, and what the consumer saw at -EPIPE. */
	_Atomic int64_t producer_closed_ns, consumer_epipe_ns;
	_Atomic uint64_t epipe_count;
	_Atomic uint32_t epipe_producers;
	_Atomic uint32_t attached;
	_Atomic uint8_t seen[KP][K_MAXSEQ];     /* deliveries per (producer, seq) */
};

static void kill_producer(struct kill_shared *ks, const char *name, uint64_t seed, int id,
			  uint64_t n)
{
	struct shmring *p = NULL;
	unsigned char buf[K_MSG];
	int ret = shmring_open(name, SHMRING_PRODUCER, &p);
	uint64_t seq;

	CHILD_CHECK(ret == 0, "producer open = %s", t_errname(ret));
	atomic_fetch_add(&ks->attached, 1);
	for (seq = 0; seq < n; seq++) {
		size_t len = t_stamp_make(buf, K_MSG, seed, (uint32_t)id, seq);

		if (seq % 7 == 3) {
			struct shmring_msg m;

			ret = shmring_claim(p, &m, 30 * T_S);
			if (ret == 0) {
				memcpy(m.data, buf, len);
				m.len = len;
				ret = shmring_publish(p, &m);
			}
		} else {
			ret = shmring_send(p, buf, len, 30 * T_S);
		}
		CHILD_CHECK(ret == 0, "producer %d send %llu = %s", id, (unsigned long long)seq,
			    t_errname(ret));
		atomic_store(&ks->sent_ok[id], seq + 1);
	}
	shmring_close(p);
	atomic_store(&ks->producer_closed_ns, t_now_ns());
	_exit(0);
}

static void kill_consumer(struct kill_shared *ks, const char *name, uint64_t seed, int id)
{
	struct shmring *c = NULL;
	unsigned char buf[K_MSG];
	uint64_t last[KP];
	int ret = shmring_open(name, SHMRING_CONSUMER, &c);

	CHILD_CHECK(ret == 0, "consumer open = %s", t_errname(ret));
	atomic_fetch_add(&ks->attached, 1);
	for (int i = 0; i < KP; i++)
		last[i] = UINT64_MAX;
	for (;;) {
		struct t_stamp st;
		const char *why;
		ssize_t n;

		if (atomic_load(&ks->got[id]) % 5 == 2) {
			struct shmring_msg m;

			ret = shmring_peek(c, &m, 30 * T_S);
			n = ret ? ret : (ssize_t)m.len;
			if (ret == 0) {
				memcpy(buf, m.data, m.len <= K_MSG ? m.len : K_MSG);
				ret = shmring_release(c, &m);
				CHILD_CHECK(ret == 0, "release = %s", t_errname(ret));
			}
		} else {
			n = shmring_recv(c, buf, sizeof(buf), 30 * T_S);
		}
		if (n == -EPIPE) {
			struct shmring_info info;

			atomic_store(&ks->consumer_epipe_ns, t_now_ns());
			if (shmring_info(c, &info) == 0) {
				atomic_store(&ks->epipe_count, info.count);
				atomic_store(&ks->epipe_producers, info.producers);
			}
			break;
		}
		CHILD_CHECK(n >= 0, "consumer %d recv = %s", id, t_errname(n));
		why = t_stamp_check(buf, (size_t)n, seed, &st);
		if (why) {
			atomic_store(&ks->fail, 1);
			t_child_fail(__FILE__, __LINE__, "consumer %d: %s", id, why);
		}
		CHILD_CHECK(st.producer < KP && st.seq < K_MAXSEQ, "stamp out of range");
		CHILD_CHECK(last[st.producer] == UINT64_MAX || st.seq > last[st.producer],
			    "consumer %d: producer %u seq %llu after %llu", id, st.producer,
			    (unsigned long long)st.seq, (unsigned long long)last[st.producer]);
		last[st.producer] = st.seq;
		atomic_fetch_add(&ks->seen[st.producer][st.seq], 1);
		atomic_fetch_add(&ks->got[id], 1);
	}
	shmring_close(c);
	_exit(0);
}

ParameterizedTestParameters(crash, random_kills_while_streaming)
{
	static unsigned modes[] = { SHMRING_MP | SHMRING_MC, SHMRING_MP, SHMRING_MC };

	return cr_make_param_array(unsigned, modes, 3);
}

static void wait_attached(struct kill_shared *ks, unsigned n)
{
	int64_t deadline = t_now_ns() + 20 * T_S;

	while (atomic_load(&ks->attached) < n) {
		cr_assert(t_now_ns() < deadline, "[%s] peers did not attach", t_ctx);
		t_sleep_ms(1);
	}
}

static void random_kills_round(const char *name, unsigned mode, uint64_t seed, uint32_t cap,
			       struct kill_shared *ks)
{
	int nprod = (mode & SHMRING_MP) ? KP : 1;
	int ncons = (mode & SHMRING_MC) ? KC : 1;
	pid_t prod[KP], cons[KC];
	unsigned lost_allowed = 0, kills = 0;
	struct shmring_info info;
	int i;

	memset(ks, 0, sizeof(*ks));
	t_create(name, cap, K_MSG, mode);
	for (i = 0; i < ncons; i++) {
		cons[i] = t_fork();
		if (cons[i] == 0)
			kill_consumer(ks, name, seed, i);
	}
	/*
	 * Every consumer attached before any producer and every producer
	 * before the first kill: otherwise "every peer that attached has
	 * gone" could be true for a moment, and -EPIPE would be right.
	 */
	wait_attached(ks, (unsigned)ncons);
	for (i = 0; i < nprod; i++) {
		/* Producer 0 is the survivor with a known count; others run until killed. */
		prod[i] = t_fork();
		if (prod[i] == 0)
			kill_producer(ks, name, seed, i, i == 0 ? K_STEADY_N : K_MAXSEQ);
	}
	wait_attached(ks, (unsigned)(ncons + nprod));
	/* Kill every producer but the first, and all consumers but the first. */
	for (i = 1; i < nprod || i < ncons; i++) {
		t_sleep_ms(20 + (long)(t_mix(seed + (uint64_t)i) % 200));
		if (i < nprod) {
			t_kill(prod[i]);
			kills++;
		}
		if (i < ncons) {
			t_kill(cons[i]);
			kills++;
			lost_allowed++;
		}
	}
	t_wait_ok(prod[0], 60, "surviving producer");
	t_wait_ok(cons[0], 60, "surviving consumer");
	cr_assert(atomic_load(&ks->fail) == 0);
	/* The survivor saw the end of stream: nothing may be left behind. */
	{
		struct shmring *c = t_open(name, SHMRING_CONSUMER);
		unsigned char buf[K_MSG];
		unsigned left = 0;
		ssize_t n;

		while ((n = shmring_recv(c, buf, sizeof(buf), 2 * T_S)) >= 0)
			left++;
		shmring_close(c);
		info = t_stat(name);
		cr_assert(left == 0 && n == -EPIPE,
			  "[%s] round seed %llu, capacity %u: -EPIPE with %u messages still "
			  "queued (then %s; abandoned %llu; at -EPIPE: info count %llu, "
			  "producers %u, %.3f ms %s the last producer closed)", t_ctx,
			  (unsigned long long)seed, cap, left, t_errname(n),
			  (unsigned long long)info.abandoned,
			  (unsigned long long)atomic_load(&ks->epipe_count),
			  atomic_load(&ks->epipe_producers),
			  (double)llabs(atomic_load(&ks->consumer_epipe_ns) -
					atomic_load(&ks->producer_closed_ns)) / T_MS,
			  atomic_load(&ks->consumer_epipe_ns) < atomic_load(&ks->producer_closed_ns)
				  ? "before" : "after");
	}

	/* Survivor: each message exactly once. */
	for (uint64_t s = 0; s < K_STEADY_N; s++) {
		unsigned v = atomic_load(&ks->seen[0][s]);

		cr_assert(v <= 1, "[%s] producer 0 seq %llu delivered %u times", t_ctx,
			  (unsigned long long)s, v);
		if (v == 0) {
			cr_assert(lost_allowed > 0, "[%s] round seed %llu: producer 0 seq %llu lost",
				  t_ctx, (unsigned long long)seed, (unsigned long long)s);
			lost_allowed--;
		}
	}
	/* The dead: delivered seqs are 0..k-1 for k = sent_ok or sent_ok + 1. */
	for (i = 1; i < nprod; i++) {
		uint64_t ok = atomic_load(&ks->sent_ok[i]), s;

		for (s = 0; s < K_MAXSEQ; s++) {
			unsigned v = atomic_load(&ks->seen[i][s]);

			cr_assert(v <= 1, "[%s] producer %d seq %llu delivered %u times", t_ctx, i,
				  (unsigned long long)s, v);
			if (s < ok && v == 0) {
				info = t_stat(name);
				cr_assert(lost_allowed > 0,
					  "[%s] round seed %llu: producer %d seq %llu lost (it sent "
					  "%llu; %u kills, abandoned %llu)", t_ctx,
					  (unsigned long long)seed, i, (unsigned long long)s,
					  (unsigned long long)ok, kills,
					  (unsigned long long)info.abandoned);
				lost_allowed--;
			}
			cr_assert(s <= ok || v == 0,
				  "[%s] producer %d seq %llu delivered but never sent", t_ctx, i,
				  (unsigned long long)s);
		}
	}
	info = t_stat(name);
	cr_assert(info.abandoned <= kills, "[%s] abandoned %llu after %u kills", t_ctx,
		  (unsigned long long)info.abandoned, kills);
	cr_assert(info.producers == 0 && info.consumers == 0);
	T_EXPECT(shmring_unlink(name), 0);
}

ParameterizedTest(unsigned *mode, crash, random_kills_while_streaming,
		  .timeout = T_STRESS_TIMEOUT)
{
	const char *name = t_ring("random-%s", t_mode_str(*mode));
	uint64_t seed = t_seed();
	struct kill_shared *ks = t_shared(sizeof(*ks));
	int64_t end = t_now_ns() + (int64_t)t_stress_seconds() * T_S;
	unsigned round = 0;

	/* One round by default; make check-stress repeats with other seeds. */
	do {
		uint32_t cap = round == 0 ? 16 : 2u << (t_mix(seed + round) % 8);

		random_kills_round(name, *mode, seed + round, cap, ks);
		round++;
	} while (t_now_ns() < end);
}
