/* SPDX-License-Identifier: MIT */
/*
 * End of stream: -EPIPE for consumers once every producer that attached has
 * gone (closed or died) and the ring is drained, and for a producer waiting
 * on a full ring once every consumer that attached has gone.
 */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(eos, .fini = t_cleanup);

T_MODE_PARAMS(eos, consumer_drains_then_epipe_on_close)
ParameterizedTest(unsigned *mode, eos, consumer_drains_then_epipe_on_close, .timeout = 30)
{
	const char *name = t_ring("close-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct shmring_msg m;
	struct iovec iov = { 0 };
	char buf[16];
	int i;

	t_create(name, 8, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (i = 0; i < 5; i++)
		T_EXPECT(shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT), 0);
	shmring_close(p);
	for (i = 0; i < 5; i++) {
		int v = -1;

		T_EXPECT(shmring_recv(c, &v, sizeof(v), i & 1 ? SHMRING_FOREVER : SHMRING_NOWAIT),
			 sizeof(v));
		cr_assert(v == i);
	}
	before = t_info(c);
	/* Every wait kind and every consuming call reports the end. */
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EPIPE);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 10 * T_MS), -EPIPE);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_FOREVER), -EPIPE);
	T_EXPECT(shmring_peek(c, &m, SHMRING_FOREVER), -EPIPE);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	T_EXPECT(shmring_recv_burst(c, &iov, 1, SHMRING_FOREVER), -EPIPE);
	after = t_info(c);
	t_assert_same(&before, &after);
	shmring_close(c);
}

/* The end comes only when the last of several producers leaves. */
ParameterizedTestParameters(eos, last_of_many_producers)
{
	static unsigned modes[] = { SHMRING_MP, SHMRING_MP | SHMRING_MC };

	return cr_make_param_array(unsigned, modes, 2);
}

ParameterizedTest(unsigned *mode, eos, last_of_many_producers, .timeout = 30)
{
	const char *name = t_ring("many-%s", t_mode_str(*mode));
	struct shmring *p1, *p2, *c;
	char buf[16];

	t_create(name, 8, 16, *mode);
	c = t_open(name, SHMRING_CONSUMER);
	p1 = t_open(name, SHMRING_PRODUCER);
	p2 = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p1, "a", 1, SHMRING_NOWAIT), 0);
	shmring_close(p1);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 20 * T_MS), -ETIMEDOUT);
	T_EXPECT(shmring_send(p2, "b", 1, SHMRING_NOWAIT), 0);
	shmring_close(p2);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	cr_assert(buf[0] == 'b');
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_FOREVER), -EPIPE);
	shmring_close(c);
}

/* A ring no producer has attached to yet just waits. */
T_MODE_PARAMS(eos, no_producer_yet_waits)
ParameterizedTest(unsigned *mode, eos, no_producer_yet_waits, .timeout = 30)
{
	const char *name = t_ring("never-%s", t_mode_str(*mode));
	struct shmring *c, *p;
	char buf[16];
	int64_t t0;

	t_create(name, 8, 16, *mode);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	t0 = t_now_ns();
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 100 * T_MS), -ETIMEDOUT);
	cr_assert(t_now_ns() - t0 >= 100 * T_MS);
	/* Nor does a consumer that never saw a producer leave end the stream. */
	p = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p, "x", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	shmring_close(p);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EPIPE);
	shmring_close(c);
}

/* A consumer asleep on an empty ring is woken by the last producer's close. */
T_MODE_PARAMS(eos, sleeping_consumer_woken_by_close)
ParameterizedTest(unsigned *mode, eos, sleeping_consumer_woken_by_close, .timeout = 30)
{
	const char *name = t_ring("wakeclose-%s", t_mode_str(*mode));
	struct t_chan up;
	struct shmring *p;
	pid_t pid;

	t_create(name, 8, 16, *mode);
	t_chan_init(&up);
	p = t_open(name, SHMRING_PRODUCER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *c = NULL;
		char buf[16];
		ssize_t n;
		int ret = shmring_open(name, SHMRING_CONSUMER, &c);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_chan_put(&up, 'o');
		n = shmring_recv(c, buf, sizeof(buf), SHMRING_FOREVER);
		CHILD_CHECK(n == 2 && memcmp(buf, "hi", 2) == 0, "recv = %s", t_errname(n));
		n = shmring_recv(c, buf, sizeof(buf), SHMRING_FOREVER);
		CHILD_CHECK(n == -EPIPE, "recv after close = %s", t_errname(n));
		_exit(0);
	}
	cr_assert(t_chan_get(&up, 10000) == 'o');
	t_sleep_ms(200);
	T_EXPECT(shmring_send(p, "hi", 2, SHMRING_NOWAIT), 0);
	t_sleep_ms(200);
	shmring_close(p);
	t_wait_ok(pid, 10, "consumer waiting FOREVER");
}

/* The producer dies by SIGKILL: the consumer drains, then -EPIPE. */
T_MODE_PARAMS(eos, producer_sigkilled)
ParameterizedTest(unsigned *mode, eos, producer_sigkilled, .timeout = 30)
{
	const char *name = t_ring("kill-%s", t_mode_str(*mode));
	struct t_chan up;
	struct shmring *c;
	struct shmring_info info;
	char buf[16];
	int64_t t0;
	pid_t pid;
	int i;

	t_create(name, 8, 16, *mode);
	t_chan_init(&up);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL;
		int ret = shmring_open(name, SHMRING_PRODUCER, &p);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		for (i = 0; i < 3; i++) {
			ret = shmring_send(p, &i, sizeof(i), SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
		}
		t_chan_put_and_hang(&up, 's');
	}
	cr_assert(t_chan_get(&up, 10000) == 's');
	t_kill(pid);
	for (i = 0; i < 3; i++) {
		int v = -1;

		T_EXPECT(shmring_recv(c, &v, sizeof(v), 5 * T_S), sizeof(v));
		cr_assert(v == i);
	}
	t0 = t_now_ns();
	/* Bounded, so a missed end shows as -ETIMEDOUT instead of a hang. */
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 10 * T_S), -EPIPE);
	cr_log_info("end of stream seen %.3f s after the kill drain",
		    (double)(t_now_ns() - t0) / T_S);
	info = t_info(c);
	cr_assert(info.received == 3);
	shmring_close(c);
}

/* Same, with the consumer already asleep when the producer dies. */
T_MODE_PARAMS(eos, sleeping_consumer_sees_producer_death)
ParameterizedTest(unsigned *mode, eos, sleeping_consumer_sees_producer_death, .timeout = 30)
{
	const char *name = t_ring("killsleep-%s", t_mode_str(*mode));
	struct t_chan up;
	struct shmring *c;
	char buf[16];
	pid_t pid;
	ssize_t n;

	t_create(name, 8, 16, *mode);
	t_chan_init(&up);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL;
		int ret = shmring_open(name, SHMRING_PRODUCER, &p);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_chan_put(&up, 'o');
		t_sleep_ms(300);
		for (;;)
			pause();
	}
	cr_assert(t_chan_get(&up, 10000) == 'o');
	/* Kill it while this side sleeps in recv. */
	{
		pid_t killer = t_fork();

		if (killer == 0) {
			t_sleep_ms(300);
			kill(pid, SIGKILL);
			_exit(0);
		}
		n = shmring_recv(c, buf, sizeof(buf), 10 * T_S);
		t_wait_ok(killer, 10, "killer");
	}
	t_kill(pid);
	cr_assert(n == -EPIPE, "recv while the only producer died = %s", t_errname(n));
	shmring_close(c);
}

struct prod_side {
	unsigned mode;
	bool kill;              /* the consumer dies instead of closing */
	bool sleeping;          /* the producer is already waiting when it goes */
};

ParameterizedTestParameters(eos, producer_epipe_when_consumers_gone)
{
	static struct prod_side p[] = {
		{ 0, false, false }, { 0, true, false }, { 0, false, true }, { 0, true, true },
		{ SHMRING_MC, false, true }, { SHMRING_MC, true, true },
		{ SHMRING_MP | SHMRING_MC, false, false }, { SHMRING_MP | SHMRING_MC, true, true },
		{ SHMRING_MP, true, false },
	};

	return cr_make_param_array(struct prod_side, p, sizeof(p) / sizeof(p[0]));
}

/*
 * A producer waiting on a full ring gets -EPIPE once every consumer that
 * attached has gone; a send that finds room still succeeds.
 */
ParameterizedTest(struct prod_side *ps, eos, producer_epipe_when_consumers_gone, .timeout = 30)
{
	const char *name = t_ring("pepipe-%s-%d-%d", t_mode_str(ps->mode), ps->kill,
				  ps->sleeping);
	struct t_chan up, down;
	struct shmring *p;
	struct shmring_info info;
	pid_t pid;
	int ret;

	t_create(name, 4, 16, ps->mode);
	t_chan_init(&up);
	t_chan_init(&down);
	p = t_open(name, SHMRING_PRODUCER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *c = NULL;
		char buf[16];
		ssize_t n;

		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		n = shmring_recv(c, buf, sizeof(buf), 10 * T_S);
		CHILD_CHECK(n == 1, "recv = %s", t_errname(n));
		t_chan_put(&up, 'r');
		CHILD_CHECK(t_chan_get(&down, 10000) == 'g', "no go");
		if (ps->sleeping)
			t_sleep_ms(300);
		if (ps->kill)
			raise(SIGKILL);
		shmring_close(c);
		_exit(0);
	}
	T_EXPECT(shmring_send(p, "1", 1, SHMRING_NOWAIT), 0);
	cr_assert(t_chan_get(&up, 10000) == 'r');
	/* Fill the ring while the consumer is still there: -EAGAIN, not -EPIPE. */
	for (int i = 0; i < 4; i++)
		T_EXPECT(shmring_send(p, "f", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "x", 1, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_send(p, "x", 1, 10 * T_MS), -ETIMEDOUT);
	t_chan_put(&down, 'g');
	if (ps->sleeping) {
		/* Already asleep on the full ring when the consumer goes. */
		ret = shmring_send(p, "x", 1, 10 * T_S);
		cr_assert(ret == -EPIPE, "send waiting while the last consumer %s = %s",
			  ps->kill ? "died" : "closed", t_errname(ret));
		t_wait_status(pid, 10);
	} else {
		int st = t_wait_status(pid, 10);

		cr_assert(st != -1);
		ret = shmring_send(p, "x", 1, 10 * T_S);
		cr_assert(ret == -EPIPE, "send on a full ring after the last consumer %s = %s",
			  ps->kill ? "died" : "closed", t_errname(ret));
	}
	T_EXPECT(shmring_send(p, "x", 1, SHMRING_FOREVER), -EPIPE);
	{
		struct shmring_msg m;

		T_EXPECT(shmring_claim(p, &m, SHMRING_FOREVER), -EPIPE);
	}
	info = t_info(p);
	cr_assert(info.count == 4 && info.sent == 5);
	/* Room again (a new consumer drains two): sends succeed regardless. */
	{
		struct shmring *c = t_open(name, SHMRING_CONSUMER);
		char buf[4];

		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
		shmring_close(c);
	}
	T_EXPECT(shmring_send(p, "y", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "z", 1, SHMRING_FOREVER), 0);
	T_EXPECT(shmring_send(p, "w", 1, SHMRING_FOREVER), -EPIPE);
	shmring_close(p);
}

/* With no consumer ever attached, a send that finds room just succeeds. */
T_MODE_PARAMS(eos, send_without_consumer)
ParameterizedTest(unsigned *mode, eos, send_without_consumer, .timeout = 30)
{
	const char *name = t_ring("nocons-%s", t_mode_str(*mode));
	struct shmring *p;

	t_create(name, 2, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p, "a", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "b", 1, SHMRING_FOREVER), 0);
	/* Full, and no consumer ever came: wait (no end of stream yet). */
	T_EXPECT(shmring_send(p, "c", 1, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_send(p, "c", 1, 50 * T_MS), -ETIMEDOUT);
	shmring_close(p);
}
