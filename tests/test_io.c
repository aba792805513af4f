/* SPDX-License-Identifier: MIT */
/*
 * shmring_send() and shmring_recv(): lengths, FIFO order, wrap-around,
 * -EMSGSIZE, -EAGAIN, -ETIMEDOUT, -EINTR and wakeups across processes.
 */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(io, .fini = t_cleanup);

T_MODE_PARAMS(io, every_length_in_order)
ParameterizedTest(unsigned *mode, io, every_length_in_order, .timeout = 30)
{
	enum { CAP = 8, MSG = 300 };
	const char *name = t_ring("len-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	unsigned char out[MSG], in[MSG + 16];
	struct shmring_info info;
	uint64_t sent = 0, got = 0;
	size_t len;

	t_create(name, CAP, MSG, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	/* Every length 0..MSG, several laps of the ring, a few in flight. */
	for (len = 0; len <= MSG; len++) {
		t_pattern_fill(out, len, 7, sent);
		T_EXPECT(shmring_send(p, out, len, SHMRING_NOWAIT), 0);
		sent++;
		if (len % 3 == 0)
			continue;
		while (got + 2 < sent) {
			size_t want = got <= MSG ? (size_t)got : 0;
			ssize_t n;

			memset(in, 0xee, sizeof(in));
			n = shmring_recv(c, in, sizeof(in), SHMRING_NOWAIT);
			cr_assert(n == (ssize_t)want, "message %llu: %s, want length %zu",
				  (unsigned long long)got, t_errname(n), want);
			cr_assert(t_pattern_check(in, want, 7, got) < 0,
				  "message %llu corrupted", (unsigned long long)got);
			cr_assert(in[want] == 0xee, "recv wrote past the message");
			got++;
		}
	}
	while (got < sent) {
		ssize_t n = shmring_recv(c, in, sizeof(in), SHMRING_NOWAIT);

		cr_assert(n == (ssize_t)got, "message %llu: %s", (unsigned long long)got,
			  t_errname(n));
		cr_assert(t_pattern_check(in, (size_t)n, 7, got) < 0);
		got++;
	}
	T_EXPECT(shmring_recv(c, in, sizeof(in), SHMRING_NOWAIT), -EAGAIN);
	info = t_info(c);
	cr_assert(info.sent == sent && info.received == sent && info.count == 0);
	shmring_close(p);
	shmring_close(c);
}

T_MODE_PARAMS(io, exactly_capacity_fits)
ParameterizedTest(unsigned *mode, io, exactly_capacity_fits, .timeout = 30)
{
	static const uint32_t caps[] = { 2, 4, 64, 1024 };
	size_t k;

	for (k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		const char *name = t_ring("cap%u-%s", caps[k], t_mode_str(*mode));
		struct shmring *p, *c;
		struct shmring_info before, after;
		uint32_t i;
		uint64_t v;

		t_create(name, caps[k], 8, *mode);
		p = t_open(name, SHMRING_PRODUCER);
		c = t_open(name, SHMRING_CONSUMER);
		for (int lap = 0; lap < 3; lap++) {
			for (i = 0; i < caps[k]; i++) {
				v = (uint64_t)lap << 32 | i;
				T_EXPECT(shmring_send(p, &v, sizeof(v), SHMRING_NOWAIT), 0);
			}
			before = t_info(p);
			cr_assert(before.count == caps[k]);
			v = ~0ull;
			T_EXPECT(shmring_send(p, &v, sizeof(v), SHMRING_NOWAIT), -EAGAIN);
			after = t_info(p);
			t_assert_same(&before, &after);
			for (i = 0; i < caps[k]; i++) {
				T_EXPECT(shmring_recv(c, &v, sizeof(v), SHMRING_NOWAIT), 8);
				cr_assert(v == ((uint64_t)lap << 32 | i), "lap %d message %u", lap, i);
			}
			before = t_info(c);
			T_EXPECT(shmring_recv(c, &v, sizeof(v), SHMRING_NOWAIT), -EAGAIN);
			after = t_info(c);
			t_assert_same(&before, &after);
		}
		shmring_close(p);
		shmring_close(c);
		T_EXPECT(shmring_unlink(name), 0);
	}
}

T_MODE_PARAMS(io, emsgsize_on_send_leaves_ring_untouched)
ParameterizedTest(unsigned *mode, io, emsgsize_on_send_leaves_ring_untouched, .timeout = 20)
{
	const char *name = t_ring("bigsend-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	char big[100] = "too long";
	char buf[100];

	t_create(name, 4, 64, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "first", 5, SHMRING_NOWAIT), 0);
	before = t_info(p);
	T_EXPECT(shmring_send(p, big, 65, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_send(p, big, 65, 10 * T_MS), -EMSGSIZE);
	T_EXPECT(shmring_send(p, big, 65, SHMRING_FOREVER), -EMSGSIZE);
	T_EXPECT(shmring_send(p, big, SIZE_MAX, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_send(p, big, (size_t)UINT32_MAX + 5, SHMRING_NOWAIT), -EMSGSIZE);
	after = t_info(p);
	t_assert_same(&before, &after);
	/* Exactly msg_size is fine. */
	T_EXPECT(shmring_send(p, big, 64, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 5);
	cr_assert(memcmp(buf, "first", 5) == 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 64);
	cr_assert(memcmp(buf, big, 64) == 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	shmring_close(p);
	shmring_close(c);
}

T_MODE_PARAMS(io, emsgsize_on_recv_keeps_message)
ParameterizedTest(unsigned *mode, io, emsgsize_on_recv_keeps_message, .timeout = 20)
{
	const char *name = t_ring("smallbuf-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	char buf[64];

	t_create(name, 4, 64, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "0123456789", 10, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "", 0, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "abc", 3, SHMRING_NOWAIT), 0);
	before = t_info(c);
	memset(buf, 'z', sizeof(buf));
	T_EXPECT(shmring_recv(c, buf, 9, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_recv(c, buf, 0, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_recv(c, NULL, 0, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_recv(c, buf, 9, 10 * T_MS), -EMSGSIZE);
	after = t_info(c);
	t_assert_same(&before, &after);
	/* A big enough buffer then gets it, exactly. */
	T_EXPECT(shmring_recv(c, buf, 10, SHMRING_NOWAIT), 10);
	cr_assert(memcmp(buf, "0123456789", 10) == 0);
	cr_assert(buf[10] == 'z');
	/* An empty message fits any buffer, even none. */
	T_EXPECT(shmring_recv(c, NULL, 0, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, 2, SHMRING_NOWAIT), -EMSGSIZE);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 3);
	cr_assert(memcmp(buf, "abc", 3) == 0);
	after = t_info(c);
	cr_assert(after.received == 3 && after.count == 0);
	shmring_close(p);
	shmring_close(c);
}

static void assert_waited(int64_t t0, int64_t timeout, const char *what)
{
	int64_t el = t_now_ns() - t0;

	cr_assert(el >= timeout, "%s returned after %lld ns, before its %lld ns timeout",
		  what, (long long)el, (long long)timeout);
	/* A hang guard only, not a speed requirement. */
	cr_assert(el < 10 * timeout + T_S, "%s took %lld ns for a %lld ns timeout", what,
		  (long long)el, (long long)timeout);
}

T_MODE_PARAMS(io, timeouts)
ParameterizedTest(unsigned *mode, io, timeouts, .timeout = 30)
{
	static const int64_t tmo[] = { 1, 1000, 20 * T_MS, 150 * T_MS };
	const char *name = t_ring("tmo-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct shmring_msg m;
	char buf[8];
	size_t i;

	t_create(name, 2, 8, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (i = 0; i < sizeof(tmo) / sizeof(tmo[0]); i++) {
		int64_t t0;

		before = t_info(c);
		t0 = t_now_ns();
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), tmo[i]), -ETIMEDOUT);
		assert_waited(t0, tmo[i], "recv on an empty ring");
		t0 = t_now_ns();
		T_EXPECT(shmring_peek(c, &m, tmo[i]), -ETIMEDOUT);
		assert_waited(t0, tmo[i], "peek on an empty ring");
		after = t_info(c);
		cr_assert(after.count == 0 && after.received == before.received);

		T_EXPECT(shmring_send(p, "a", 1, SHMRING_NOWAIT), 0);
		T_EXPECT(shmring_send(p, "b", 1, SHMRING_NOWAIT), 0);
		before = t_info(p);
		t0 = t_now_ns();
		T_EXPECT(shmring_send(p, "c", 1, tmo[i]), -ETIMEDOUT);
		assert_waited(t0, tmo[i], "send on a full ring");
		t0 = t_now_ns();
		T_EXPECT(shmring_claim(p, &m, tmo[i]), -ETIMEDOUT);
		assert_waited(t0, tmo[i], "claim on a full ring");
		after = t_info(p);
		cr_assert(after.count == 2 && after.sent == before.sent);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
		cr_assert(buf[0] == 'a');
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
		cr_assert(buf[0] == 'b');
	}
	shmring_close(p);
	shmring_close(c);
}

T_MODE_PARAMS(io, eagain_nowait)
ParameterizedTest(unsigned *mode, io, eagain_nowait, .timeout = 20)
{
	const char *name = t_ring("eagain-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct shmring_msg m;
	char buf[8];

	t_create(name, 2, 8, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	before = t_info(c);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_peek(c, &m, SHMRING_NOWAIT), -EAGAIN);
	after = t_info(c);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_send(p, "1", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "2", 1, SHMRING_NOWAIT), 0);
	before = t_info(c);
	T_EXPECT(shmring_send(p, "3", 1, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), -EAGAIN);
	after = t_info(c);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	cr_assert(buf[0] == '1');
	T_EXPECT(shmring_send(p, "3", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	cr_assert(buf[0] == '2');
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	cr_assert(buf[0] == '3');
	shmring_close(p);
	shmring_close(c);
}

/* A sleeping consumer is woken by a send, a sleeping producer by a recv. */
T_MODE_PARAMS(io, blocked_sides_are_woken)
ParameterizedTest(unsigned *mode, io, blocked_sides_are_woken, .timeout = 60)
{
	const char *name = t_ring("wake-%s", t_mode_str(*mode));
	struct t_chan up, down;
	struct shmring *p, *c;
	char buf[8];
	pid_t pid;
	int k;

	t_create(name, 2, 8, *mode);
	t_chan_init(&up);
	t_chan_init(&down);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		int ret = shmring_open(name, SHMRING_CONSUMER, &h);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_chan_put(&up, 'o');
		for (k = 0; k < 10; k++) {
			ssize_t n = shmring_recv(h, buf, sizeof(buf), k & 1 ? SHMRING_FOREVER
									     : 30 * T_S);

			CHILD_CHECK(n == 1 && buf[0] == 'a' + k, "recv %d = %s", k, t_errname(n));
			t_chan_put(&up, 'r');
		}
		/* Now let the producer block on a full ring, then drain it. */
		CHILD_CHECK(t_chan_get(&down, 30000) == 'f', "no 'full' from the parent");
		t_sleep_ms(100);
		for (k = 0; k < 3; k++) {
			ssize_t n = shmring_recv(h, buf, sizeof(buf), 30 * T_S);

			CHILD_CHECK(n == 1 && buf[0] == 'x' + k, "recv of %c = %s", 'x' + k,
				    t_errname(n));
		}
		shmring_close(h);
		_exit(0);
	}
	p = t_open(name, SHMRING_PRODUCER);
	cr_assert(t_chan_get(&up, 10000) == 'o');
	for (k = 0; k < 10; k++) {
		char ch = (char)('a' + k);

		/* Give the consumer time to fall asleep first. */
		t_sleep_ms(k < 2 ? 100 : 5);
		T_EXPECT(shmring_send(p, &ch, 1, SHMRING_NOWAIT), 0);
		cr_assert(t_chan_get(&up, 30000) == 'r', "consumer not woken for message %d", k);
	}
	T_EXPECT(shmring_send(p, "x", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "y", 1, SHMRING_NOWAIT), 0);
	t_chan_put(&down, 'f');
	T_EXPECT(shmring_send(p, "z", 1, 30 * T_S), 0);
	t_wait_ok(pid, 30, "consumer");
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	shmring_close(c);
	shmring_close(p);
}

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

struct eintr_case {
	bool restart;           /* SA_RESTART in the handler's flags */
	int op;                 /* 0 recv, 1 send, 2 peek, 3 claim */
	unsigned mode;
};

ParameterizedTestParameters(io, eintr)
{
	static struct eintr_case p[] = {
		{ false, 0, 0 }, { true, 0, 0 }, { false, 1, 0 }, { true, 1, 0 },
		{ false, 0, SHMRING_MP | SHMRING_MC }, { true, 0, SHMRING_MP | SHMRING_MC },
		{ false, 1, SHMRING_MP | SHMRING_MC }, { true, 1, SHMRING_MP | SHMRING_MC },
		{ true, 2, SHMRING_MC }, { true, 3, SHMRING_MP },
		{ false, 2, 0 }, { false, 3, 0 },
	};

	return cr_make_param_array(struct eintr_case, p, sizeof(p) / sizeof(p[0]));
}

/*
 * A signal handler interrupts a SHMRING_FOREVER wait: the call returns
 * -EINTR, whether or not the handler was installed with SA_RESTART.  The
 * parent keeps signalling until the child's call returns, because the
 * first signals may land before the child went to sleep.
 */
ParameterizedTest(struct eintr_case *ec, io, eintr, .timeout = 30)
{
	static const char *const ops[] = { "recv", "send", "peek", "claim" };
	const char *name = t_ring("eintr-%d-%d-%s", ec->op, ec->restart, t_mode_str(ec->mode));
	struct t_chan up;
	int64_t deadline;
	int status = 0;
	pid_t pid;
	bool done = false;

	t_create(name, 2, 8, ec->mode);
	t_chan_init(&up);
	pid = t_fork();
	if (pid == 0) {
		struct sigaction sa;
		struct shmring *p = NULL, *c = NULL;
		struct shmring_info info;
		struct shmring_msg m;
		char buf[8];
		long ret;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = ec->restart ? SA_RESTART : 0;
		sigemptyset(&sa.sa_mask);
		CHILD_CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
		/* Both sides attached, so neither end of stream applies. */
		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open producer = %s", t_errname(ret));
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open consumer = %s", t_errname(ret));
		if (ec->op == 1 || ec->op == 3) {
			CHILD_CHECK(shmring_send(p, "1", 1, SHMRING_NOWAIT) == 0, "fill");
			CHILD_CHECK(shmring_send(p, "2", 1, SHMRING_NOWAIT) == 0, "fill");
		}
		t_chan_put(&up, 'w');
		switch (ec->op) {
		case 0:
			ret = shmring_recv(c, buf, sizeof(buf), SHMRING_FOREVER);
			break;
		case 1:
			ret = shmring_send(p, "3", 1, SHMRING_FOREVER);
			break;
		case 2:
			ret = shmring_peek(c, &m, SHMRING_FOREVER);
			break;
		default:
			ret = shmring_claim(p, &m, SHMRING_FOREVER);
			break;
		}
		CHILD_CHECK(ret == -EINTR, "%s interrupted by a handler = %s", ops[ec->op],
			    t_errname(ret));
		CHILD_CHECK(handled > 0, "returned -EINTR without a signal");
		/* The ring is untouched and still works. */
		info.count = 99;
		CHILD_CHECK(shmring_info(c, &info) == 0, "info");
		CHILD_CHECK(info.count == ((ec->op == 1 || ec->op == 3) ? 2u : 0u),
			    "count %llu after -EINTR", (unsigned long long)info.count);
		if (ec->op == 1 || ec->op == 3) {
			ret = shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT);
			CHILD_CHECK(ret == 1 && buf[0] == '1', "recv after -EINTR = %s",
				    t_errname(ret));
		} else {
			ret = shmring_send(p, "x", 1, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send after -EINTR = %s", t_errname(ret));
			ret = shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT);
			CHILD_CHECK(ret == 1 && buf[0] == 'x', "recv after -EINTR = %s",
				    t_errname(ret));
		}
		_exit(0);
	}
	cr_assert(t_chan_get(&up, 10000) == 'w');
	t_sleep_ms(50);
	deadline = t_now_ns() + 5 * T_S;
	while (!done && t_now_ns() < deadline) {
		kill(pid, SIGUSR1);
		t_sleep_ms(20);
		done = waitpid(pid, &status, WNOHANG) == pid;
	}
	if (!done) {
		t_kill(pid);
		cr_assert_fail("%s (%s, %s) still waiting after 5 s of SIGUSR1: not interrupted",
			       ops[ec->op], ec->restart ? "SA_RESTART" : "no SA_RESTART",
			       t_mode_str(ec->mode));
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "[%s] child failed (status %#x): %s", t_ctx, status,
		  t_child_msg());
}

/* Many laps through a small ring with a peer in another process. */
T_MODE_PARAMS(io, cross_process_small_ring)
ParameterizedTest(unsigned *mode, io, cross_process_small_ring, .timeout = 60)
{
	enum { N = 20000, MSG = 40 };
	const char *name = t_ring("xproc-%s", t_mode_str(*mode));
	uint64_t seed = t_seed();
	struct shmring *c;
	unsigned char buf[MSG];
	pid_t pid;
	uint64_t i;

	t_create(name, 2, MSG, *mode);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL;
		int ret = shmring_open(name, SHMRING_PRODUCER, &p);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		for (i = 0; i < N; i++) {
			size_t len = t_pattern_len(seed, i, MSG);

			t_pattern_fill(buf, len, seed, i);
			/* Alternate the wait kinds to cover spinning and sleeping. */
			do
				ret = shmring_send(p, buf, len, i % 3 == 0 ? SHMRING_NOWAIT
								      : i % 3 == 1 ? SHMRING_FOREVER
										   : 5 * T_S);
			while (ret == -EAGAIN);
			CHILD_CHECK(ret == 0, "send %llu = %s", (unsigned long long)i,
				    t_errname(ret));
		}
		shmring_close(p);
		_exit(0);
	}
	for (i = 0; i < N; i++) {
		ssize_t n;

		do
			n = shmring_recv(c, buf, sizeof(buf), i % 4 == 0 ? SHMRING_NOWAIT
								: i % 4 == 1 ? SHMRING_FOREVER
									     : 5 * T_S);
		while (n == -EAGAIN);
		cr_assert(n == (ssize_t)t_pattern_len(seed, i, MSG), "message %llu: %s",
			  (unsigned long long)i, t_errname(n));
		cr_assert(t_pattern_check(buf, (size_t)n, seed, i) < 0,
			  "message %llu corrupted", (unsigned long long)i);
	}
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 10 * T_S), -EPIPE);
	t_wait_ok(pid, 10, "producer");
	shmring_close(c);
}

Test(io, null_handle_and_buffers, .timeout = 20)
{
	const char *name = t_ring("null");
	struct shmring *r;
	struct shmring_info info;

	T_EXPECT(shmring_send(NULL, "x", 1, SHMRING_NOWAIT), -EINVAL);
	T_EXPECT(shmring_recv(NULL, &info, sizeof(info), SHMRING_NOWAIT), -EINVAL);
	T_EXPECT(shmring_info(NULL, &info), -EINVAL);
	t_create(name, 2, 8, 0);
	r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
	T_EXPECT(shmring_send(r, NULL, 1, SHMRING_NOWAIT), -EINVAL);
	T_EXPECT(shmring_send(r, "", 0, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(r, "y", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(r, NULL, 0, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(r, NULL, 8, SHMRING_NOWAIT), -EINVAL);
	T_EXPECT(shmring_info(r, NULL), -EINVAL);
	T_EXPECT(shmring_stat(name, NULL), -EINVAL);
	info = t_info(r);
	cr_assert(info.count == 1);
	shmring_close(r);
}

/* Timeouts other than NOWAIT, FOREVER or a positive bound are invalid. */
T_MODE_PARAMS(io, invalid_timeouts)
ParameterizedTest(unsigned *mode, io, invalid_timeouts, .timeout = 20)
{
	static const int64_t bad[] = { -2, -1000, INT64_MIN };
	const char *name = t_ring("badtmo-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct shmring_msg m;
	struct iovec iov = { 0 };
	char buf[8];

	t_create(name, 2, 8, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "a", 1, SHMRING_NOWAIT), 0);
	before = t_info(p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_EXPECT(shmring_send(p, "b", 1, bad[i]), -EINVAL);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), bad[i]), -EINVAL);
		T_EXPECT(shmring_claim(p, &m, bad[i]), -EINVAL);
		T_EXPECT(shmring_peek(c, &m, bad[i]), -EINVAL);
		iov = (struct iovec){ .iov_base = (void *)"c", .iov_len = 1 };
		T_EXPECT(shmring_send_burst(p, &iov, 1, bad[i]), -EINVAL);
		iov = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
		T_EXPECT(shmring_recv_burst(c, &iov, 1, bad[i]), -EINVAL);
	}
	after = t_info(p);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
	cr_assert(buf[0] == 'a');
	shmring_close(p);
	shmring_close(c);
}
