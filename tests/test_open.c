/* SPDX-License-Identifier: MIT */
/*
 * shmring_open(), shmring_close() and shmring_unlink(): roles, -ENOENT,
 * -EBUSY and takeover from dead holders, -EACCES, -EMFILE, -EPERM.
 */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(open, .fini = t_cleanup);

Test(open, enoent, .timeout = 20)
{
	const char *name = t_ring("nothing");
	struct shmring_info info;
	struct shmring *r = (struct shmring *)&info;

	T_EXPECT(shmring_open(name, SHMRING_PRODUCER, &r), -ENOENT);
	cr_assert(r == NULL, "ringp not set to NULL on failure");
	T_EXPECT(shmring_open(name, SHMRING_CONSUMER, &r), -ENOENT);
	T_EXPECT(shmring_stat(name, &info), -ENOENT);
	T_EXPECT(shmring_unlink(name), -ENOENT);
	cr_assert(!t_shm_exists(name), "open or stat created the object");
}

Test(open, bad_role, .timeout = 20)
{
	static const int bad[] = { 0, 4, 7, 8, -1, SHMRING_PRODUCER | 4, 1 << 30 };
	const char *name = t_ring("role");
	struct shmring_info before, after;
	struct shmring *r;
	size_t i;

	t_create(name, 4, 8, SHMRING_MP | SHMRING_MC);
	before = t_stat(name);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		r = (struct shmring *)&before;
		ret = shmring_open(name, bad[i], &r);
		cr_assert(ret == -EINVAL, "open(role %d) = %s", bad[i], t_errname(ret));
		cr_assert(r == NULL);
	}
	after = t_stat(name);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_open(name, SHMRING_PRODUCER, NULL), -EINVAL);
}

Test(open, close_null_is_noop, .timeout = 10)
{
	shmring_close(NULL);
}

T_MODE_PARAMS(open, both_roles_one_handle)
ParameterizedTest(unsigned *mode, open, both_roles_one_handle, .timeout = 20)
{
	const char *name = t_ring("both-%s", t_mode_str(*mode));
	struct shmring_info info;
	struct shmring *r;
	char buf[8];

	t_create(name, 4, 8, *mode);
	r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
	info = t_info(r);
	cr_assert(info.producers == 1 && info.consumers == 1);
	T_EXPECT(shmring_send(r, "both", 4, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(r, buf, sizeof(buf), SHMRING_NOWAIT), 4);
	cr_assert(memcmp(buf, "both", 4) == 0);
	shmring_close(r);
	info = t_stat(name);
	cr_assert(info.producers == 0 && info.consumers == 0);
}

/*
 * A single role is exclusive while held, and free again after close; the
 * multi roles can be held many times.
 */
T_MODE_PARAMS(open, role_exclusivity)
ParameterizedTest(unsigned *mode, open, role_exclusivity, .timeout = 20)
{
	const char *name = t_ring("excl-%s", t_mode_str(*mode));
	static const int roles[] = { SHMRING_PRODUCER, SHMRING_CONSUMER };
	size_t i;

	t_create(name, 4, 8, *mode);
	for (i = 0; i < 2; i++) {
		bool multi = roles[i] == SHMRING_PRODUCER ? (*mode & SHMRING_MP)
							   : (*mode & SHMRING_MC);
		struct shmring *a = t_open(name, roles[i]), *b = NULL;
		struct shmring_info before = t_stat(name), after;
		int ret = shmring_open(name, roles[i], &b);

		if (multi) {
			cr_assert(ret == 0, "second %s in %s: %s", i ? "consumer" : "producer",
				  t_mode_str(*mode), t_errname(ret));
			shmring_close(b);
		} else {
			cr_assert(ret == -EBUSY, "second %s in %s: %s, expected -EBUSY",
				  i ? "consumer" : "producer", t_mode_str(*mode),
				  t_errname(ret));
			cr_assert(b == NULL);
			after = t_stat(name);
			t_assert_same(&before, &after);
			/* Nor may a two-role handle take it. */
			T_EXPECT(shmring_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER, &b),
				 -EBUSY);
		}
		shmring_close(a);
		/* Released by close. */
		a = t_open(name, roles[i]);
		shmring_close(a);
	}
}

struct takeover {
	unsigned mode;
	int role;
	bool reap_before;
};

ParameterizedTestParameters(open, takeover_after_sigkill)
{
	static struct takeover p[] = {
		{ 0, SHMRING_PRODUCER, false },
		{ 0, SHMRING_CONSUMER, false },
		{ SHMRING_MC, SHMRING_PRODUCER, true },
		{ SHMRING_MP, SHMRING_CONSUMER, true },
		{ 0, SHMRING_PRODUCER | SHMRING_CONSUMER, true },
	};

	return cr_make_param_array(struct takeover, p, sizeof(p) / sizeof(p[0]));
}

/*
 * -EBUSY while the holder lives (also while it is stopped), success once it
 * is SIGKILLed: before it is reaped (a zombie is dead) or after.
 */
ParameterizedTest(struct takeover *tp, open, takeover_after_sigkill, .timeout = 30)
{
	const char *name = t_ring("take-%s-%d-%d", t_mode_str(tp->mode), tp->role,
				  tp->reap_before);
	struct t_chan up;
	struct shmring *r = NULL;
	struct shmring_info info;
	int ret, status;
	pid_t pid;
	char buf[8];

	t_create(name, 4, 8, tp->mode);
	t_chan_init(&up);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;

		ret = shmring_open(name, tp->role, &h);
		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		if (tp->role & SHMRING_PRODUCER) {
			ret = shmring_send(h, "dead", 4, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
		}
		t_chan_put_and_hang(&up, 'o');
	}
	cr_assert(t_chan_get(&up, 10000) == 'o', "child did not open");

	T_EXPECT(shmring_open(name, tp->role, &r), -EBUSY);
	cr_assert(r == NULL);
	/* A stopped process is alive. */
	cr_assert(kill(pid, SIGSTOP) == 0);
	cr_assert(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	T_EXPECT(shmring_open(name, tp->role, &r), -EBUSY);
	cr_assert(kill(pid, SIGCONT) == 0);
	T_EXPECT(shmring_open(name, tp->role, &r), -EBUSY);

	cr_assert(kill(pid, SIGKILL) == 0);
	if (tp->reap_before) {
		cr_assert(waitpid(pid, &status, 0) == pid);
	} else {
		/* Dead but not reaped: wait until the kernel says it is a zombie. */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		cr_assert(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0);
	}
	ret = shmring_open(name, tp->role, &r);
	cr_assert(ret == 0, "open after the holder was SIGKILLed = %s", t_errname(ret));
	info = t_info(r);
	if (tp->role & SHMRING_PRODUCER)
		cr_assert(info.producers == 1, "producers %u", info.producers);
	if (tp->role & SHMRING_CONSUMER)
		cr_assert(info.consumers == 1, "consumers %u", info.consumers);

	/* The new holder works with the other side. */
	{
		int other = (SHMRING_PRODUCER | SHMRING_CONSUMER) & ~tp->role;
		struct shmring *q = other ? t_open(name, other) : NULL;
		struct shmring *wr = (tp->role & SHMRING_PRODUCER) ? r : q;
		struct shmring *rd = (tp->role & SHMRING_CONSUMER) ? r : q;

		T_EXPECT(shmring_send(wr, "next", 4, SHMRING_NOWAIT), 0);
		if (tp->role & SHMRING_PRODUCER) {
			/* What the dead producer published is still there. */
			T_EXPECT(shmring_recv(rd, buf, sizeof(buf), SHMRING_NOWAIT), 4);
			cr_assert(memcmp(buf, "dead", 4) == 0);
		}
		T_EXPECT(shmring_recv(rd, buf, sizeof(buf), SHMRING_NOWAIT), 4);
		cr_assert(memcmp(buf, "next", 4) == 0);
		T_EXPECT(shmring_recv(rd, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
		shmring_close(q);
	}
	shmring_close(r);
	if (!tp->reap_before)
		waitpid(pid, &status, 0);
}

Test(open, eacces, .timeout = 30)
{
	const char *priv = t_ring("priv"), *ro = t_ring("ro");
	struct shmring_config cfg = { .capacity = 4, .msg_size = 8, .mode = 0600 };
	struct shmring_info before, after;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch to another user");
	T_EXPECT(shmring_create(priv, &cfg), 0);
	cfg.mode = 0644;
	T_EXPECT(shmring_create(ro, &cfg), 0);
	before = t_stat(priv);

	pid = t_fork();
	if (pid == 0) {
		struct shmring *r = (struct shmring *)&cfg;
		struct shmring_info info;
		int ret;

		t_drop_to_nobody();
		ret = shmring_open(priv, SHMRING_CONSUMER, &r);
		CHILD_CHECK(ret == -EACCES, "open of a 0600 root ring = %s", t_errname(ret));
		CHILD_CHECK(r == NULL, "ringp not NULL");
		ret = shmring_open(priv, SHMRING_PRODUCER, &r);
		CHILD_CHECK(ret == -EACCES, "open producer = %s", t_errname(ret));
		ret = shmring_stat(priv, &info);
		CHILD_CHECK(ret == -EACCES, "stat of a 0600 root ring = %s", t_errname(ret));
		ret = shmring_unlink(priv);
		CHILD_CHECK(ret == -EACCES, "unlink of a root ring = %s", t_errname(ret));
		/* Read permission is enough for stat, not for open. */
		ret = shmring_stat(ro, &info);
		CHILD_CHECK(ret == 0, "stat of a 0644 ring = %s", t_errname(ret));
		CHILD_CHECK(info.capacity == 4, "capacity %u", info.capacity);
		ret = shmring_open(ro, SHMRING_CONSUMER, &r);
		CHILD_CHECK(ret == -EACCES, "open of a 0644 root ring = %s", t_errname(ret));
		_exit(0);
	}
	t_wait_ok(pid, 20, "unprivileged child");
	after = t_stat(priv);
	t_assert_same(&before, &after);
	cr_assert(t_shm_exists(priv));
}

Test(open, attachment_table_full, .timeout = 60)
{
	enum { LIMIT = 4096 };
	const char *name = t_ring("emfile");
	struct shmring **h = calloc(LIMIT, sizeof(*h));
	struct shmring_info before, after;
	unsigned n;
	int ret = 0;

	cr_assert(h);
	t_create(name, 4, 8, SHMRING_MP | SHMRING_MC);
	for (n = 0; n < LIMIT; n++) {
		ret = shmring_open(name, SHMRING_PRODUCER, &h[n]);
		if (ret)
			break;
	}
	if (n == LIMIT) {
		for (n = 0; n < LIMIT; n++)
			shmring_close(h[n]);
		cr_skip_test("attachment table larger than %d", LIMIT);
	}
	cr_assert(ret == -EMFILE, "open number %u = %s, expected -EMFILE", n + 1,
		  t_errname(ret));
	cr_assert(h[n] == NULL);
	cr_assert(n >= 2);
	before = t_stat(name);
	cr_assert(before.producers == n, "producers %u, opened %u", before.producers, n);
	T_EXPECT(shmring_open(name, SHMRING_CONSUMER, &h[n]), -EMFILE);
	after = t_stat(name);
	t_assert_same(&before, &after);
	/* The full table still works, and a freed entry can be reused. */
	T_EXPECT(shmring_send(h[0], "x", 1, SHMRING_NOWAIT), 0);
	shmring_close(h[n - 1]);
	h[n - 1] = t_open(name, SHMRING_CONSUMER);
	{
		char b[8];

		T_EXPECT(shmring_recv(h[n - 1], b, sizeof(b), SHMRING_NOWAIT), 1);
	}
	for (unsigned i = 0; i < n; i++)
		shmring_close(h[i]);
	after = t_stat(name);
	cr_assert(after.producers == 0 && after.consumers == 0);
	free(h);
}

T_MODE_PARAMS(open, eperm_wrong_role)
ParameterizedTest(unsigned *mode, open, eperm_wrong_role, .timeout = 20)
{
	const char *name = t_ring("eperm-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct shmring_msg m;
	struct iovec iov[2];
	char buf[16];

	t_create(name, 4, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "one", 3, SHMRING_NOWAIT), 0);
	before = t_info(p);

	iov[0] = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
	iov[1] = iov[0];
	T_EXPECT(shmring_recv(p, buf, sizeof(buf), SHMRING_NOWAIT), -EPERM);
	T_EXPECT(shmring_recv(p, buf, sizeof(buf), 10 * T_MS), -EPERM);
	T_EXPECT(shmring_recv_burst(p, iov, 2, SHMRING_NOWAIT), -EPERM);
	memset(&m, 0, sizeof(m));
	T_EXPECT(shmring_peek(p, &m, SHMRING_NOWAIT), -EPERM);
	T_EXPECT(shmring_release(p, &m), -EPERM);

	T_EXPECT(shmring_send(c, "two", 3, SHMRING_NOWAIT), -EPERM);
	T_EXPECT(shmring_send(c, "two", 3, 10 * T_MS), -EPERM);
	iov[0] = (struct iovec){ .iov_base = (void *)"two", .iov_len = 3 };
	T_EXPECT(shmring_send_burst(c, iov, 1, SHMRING_NOWAIT), -EPERM);
	memset(&m, 0, sizeof(m));
	T_EXPECT(shmring_claim(c, &m, SHMRING_NOWAIT), -EPERM);
	T_EXPECT(shmring_publish(c, &m), -EPERM);

	after = t_info(c);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 3);
	cr_assert(memcmp(buf, "one", 3) == 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	shmring_close(p);
	shmring_close(c);
}

/* Unlink removes the name only: both sides keep working, the name is free. */
T_MODE_PARAMS(open, unlink_while_attached)
ParameterizedTest(unsigned *mode, open, unlink_while_attached, .timeout = 30)
{
	const char *name = t_ring("unl-%s", t_mode_str(*mode));
	struct t_chan up, down;
	struct shmring *p, *c, *c2;
	struct shmring_info info;
	char buf[16];
	pid_t pid;
	int i;

	t_create(name, 4, 16, *mode);
	t_chan_init(&up);
	t_chan_init(&down);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		int ret = shmring_open(name, SHMRING_PRODUCER, &h);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_chan_put(&up, 'o');
		CHILD_CHECK(t_chan_get(&down, 10000) == 'u', "no go from the parent");
		for (int k = 0; k < 100; k++) {
			char msg[16];

			snprintf(msg, sizeof(msg), "m%d", k);
			ret = shmring_send(h, msg, strlen(msg), 10 * T_S);
			CHILD_CHECK(ret == 0, "send %d after unlink = %s", k, t_errname(ret));
		}
		shmring_close(h);
		_exit(0);
	}
	cr_assert(t_chan_get(&up, 10000) == 'o');
	T_EXPECT(shmring_unlink(name), 0);
	cr_assert(!t_shm_exists(name));
	T_EXPECT(shmring_stat(name, &info), -ENOENT);
	T_EXPECT(shmring_unlink(name), -ENOENT);
	t_chan_put(&down, 'u');
	for (i = 0; i < 100; i++) {
		char want[16];
		ssize_t n = shmring_recv(c, buf, sizeof(buf), 10 * T_S);

		snprintf(want, sizeof(want), "m%d", i);
		cr_assert(n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0,
			  "message %d after unlink: %s", i, t_errname(n));
	}
	t_wait_ok(pid, 10, "producer");
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 10 * T_S), -EPIPE);
	info = t_info(c);
	cr_assert(info.received == 100 && info.sent == 100);

	/* Re-create: a new, independent ring under the same name. */
	t_create(name, 8, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	info = t_info(p);
	cr_assert(info.capacity == 8 && info.sent == 0 && info.consumers == 0);
	T_EXPECT(shmring_send(p, "new", 3, SHMRING_NOWAIT), 0);
	/* The old handle still sees its own, finished ring. */
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EPIPE);
	info = t_info(c);
	cr_assert(info.capacity == 4 && info.sent == 100);
	c2 = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_recv(c2, buf, sizeof(buf), SHMRING_NOWAIT), 3);
	cr_assert(memcmp(buf, "new", 3) == 0);
	shmring_close(p);
	shmring_close(c);
	shmring_close(c2);
}
