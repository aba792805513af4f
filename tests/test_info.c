/* SPDX-License-Identifier: MIT */
/*
 * shmring_info(), shmring_stat() and shmring_strerror(): geometry, counters,
 * attachments, sleep counters, and the promise that a side that never sleeps
 * causes no futex system call.
 */
#include "helpers.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(info, .fini = t_cleanup);

T_MODE_PARAMS(info, geometry)
ParameterizedTest(unsigned *mode, info, geometry, .timeout = 20)
{
	static const uint32_t geo[][2] = { { 2, 1 }, { 8, 100 }, { 1024, 64 }, { 16, 65536 } };

	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		const char *name = t_ring("geo%zu-%s", i, t_mode_str(*mode));
		struct shmring_info a, b;
		struct shmring *r;
		struct stat st;
		char path[400];

		t_create(name, geo[i][0], geo[i][1], *mode);
		a = t_stat(name);
		cr_assert(a.capacity == geo[i][0] && a.msg_size == geo[i][1] && a.flags == *mode,
			  "[%s] stat geometry %u/%u/%#x", name, a.capacity, a.msg_size, a.flags);
		cr_assert(a.page_size == (uint32_t)sysconf(_SC_PAGESIZE), "page_size %u",
			  a.page_size);
		t_shm_path(name, path, sizeof(path));
		cr_assert(stat(path, &st) == 0);
		cr_assert(a.region_size == (uint64_t)st.st_size,
			  "region_size %llu, object has %lld bytes",
			  (unsigned long long)a.region_size, (long long)st.st_size);
		cr_assert(a.region_size >= (uint64_t)geo[i][0] * geo[i][1]);
		cr_assert(a.region_size % a.page_size == 0);
		cr_assert(a.count == 0 && a.sent == 0 && a.received == 0 && a.abandoned == 0);
		cr_assert(a.producers == 0 && a.consumers == 0);
		cr_assert(a.producer_sleeps == 0 && a.consumer_sleeps == 0);
		r = t_open(name, SHMRING_CONSUMER);
		b = t_info(r);
		cr_assert(b.capacity == a.capacity && b.msg_size == a.msg_size &&
			  b.flags == a.flags && b.page_size == a.page_size &&
			  b.region_size == a.region_size);
		cr_assert(b.consumers == 1 && b.producers == 0);
		shmring_close(r);
		T_EXPECT(shmring_unlink(name), 0);
	}
}

static void expect_counts(struct shmring *r, const char *name, uint64_t count, uint64_t sent,
			  uint64_t received, uint32_t producers, uint32_t consumers)
{
	struct shmring_info a = t_info(r), b = t_stat(name);

	cr_assert(a.count == count && a.sent == sent && a.received == received,
		  "[%s] info count/sent/received %llu/%llu/%llu, expected %llu/%llu/%llu", name,
		  (unsigned long long)a.count, (unsigned long long)a.sent,
		  (unsigned long long)a.received, (unsigned long long)count,
		  (unsigned long long)sent, (unsigned long long)received);
	cr_assert(a.producers == producers && a.consumers == consumers,
		  "[%s] info producers/consumers %u/%u, expected %u/%u", name, a.producers,
		  a.consumers, producers, consumers);
	cr_assert(b.count == count && b.sent == sent && b.received == received,
		  "[%s] stat count/sent/received %llu/%llu/%llu", name, (unsigned long long)b.count,
		  (unsigned long long)b.sent, (unsigned long long)b.received);
	cr_assert(b.producers == producers && b.consumers == consumers,
		  "[%s] stat producers/consumers %u/%u", name, b.producers, b.consumers);
}

T_MODE_PARAMS(info, counters)
ParameterizedTest(unsigned *mode, info, counters, .timeout = 20)
{
	const char *name = t_ring("cnt-%s", t_mode_str(*mode));
	struct shmring *p, *c, *p2 = NULL, *c2 = NULL;
	struct shmring_msg m;
	struct iovec iov[4];
	char buf[4][16];
	uint32_t np = 1, nc = 1;
	int i;

	t_create(name, 8, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	expect_counts(p, name, 0, 0, 0, 1, 0);
	c = t_open(name, SHMRING_CONSUMER);
	expect_counts(c, name, 0, 0, 0, 1, 1);
	if (*mode & SHMRING_MP) {
		p2 = t_open(name, SHMRING_PRODUCER);
		np = 2;
	}
	if (*mode & SHMRING_MC) {
		c2 = t_open(name, SHMRING_CONSUMER);
		nc = 2;
	}
	expect_counts(p, name, 0, 0, 0, np, nc);
	for (i = 0; i < 5; i++)
		T_EXPECT(shmring_send(p2 ? p2 : p, "m", 1, SHMRING_NOWAIT), 0);
	expect_counts(p, name, 5, 5, 0, np, nc);
	T_EXPECT(shmring_recv(c, buf[0], 16, SHMRING_NOWAIT), 1);
	T_EXPECT(shmring_recv(c2 ? c2 : c, buf[0], 16, SHMRING_NOWAIT), 1);
	expect_counts(c, name, 3, 5, 2, np, nc);
	for (i = 0; i < 4; i++)
		iov[i] = (struct iovec){ .iov_base = (void *)"bb", .iov_len = 2 };
	T_EXPECT(shmring_send_burst(p, iov, 4, SHMRING_NOWAIT), 4);
	expect_counts(c, name, 7, 9, 2, np, nc);
	T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), 0);
	m.len = 0;
	T_EXPECT(shmring_publish(p, &m), 0);
	expect_counts(c, name, 8, 10, 2, np, nc);
	for (i = 0; i < 4; i++)
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = 16 };
	T_EXPECT(shmring_recv_burst(c, iov, 4, SHMRING_NOWAIT), 4);
	expect_counts(c, name, 4, 10, 6, np, nc);
	T_EXPECT(shmring_peek(c, &m, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_release(c, &m), 0);
	expect_counts(c, name, 3, 10, 7, np, nc);
	if (p2) {
		shmring_close(p2);
		np--;
	}
	if (c2) {
		shmring_close(c2);
		nc--;
	}
	expect_counts(c, name, 3, 10, 7, np, nc);
	shmring_close(p);
	expect_counts(c, name, 3, 10, 7, 0, 1);
	shmring_close(c);
	{
		struct shmring_info s = t_stat(name);

		cr_assert(s.producers == 0 && s.consumers == 0 && s.count == 3 && s.sent == 10);
	}
}

/* stat does not count attachments of dead processes. */
T_MODE_PARAMS(info, stat_skips_dead_attachments)
ParameterizedTest(unsigned *mode, info, stat_skips_dead_attachments, .timeout = 20)
{
	const char *name = t_ring("dead-%s", t_mode_str(*mode));
	struct shmring_info s;
	struct t_chan up;
	pid_t pid;

	t_create(name, 8, 16, *mode);
	t_chan_init(&up);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL, *c = NULL;
		int ret = shmring_open(name, SHMRING_PRODUCER, &p);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_chan_put_and_hang(&up, 'o');
	}
	cr_assert(t_chan_get(&up, 10000) == 'o');
	s = t_stat(name);
	cr_assert(s.producers == 1 && s.consumers == 1);
	t_kill(pid);
	s = t_stat(name);
	cr_assert(s.producers == 0 && s.consumers == 0,
		  "[%s] stat counts %u producers, %u consumers after they were SIGKILLed", name,
		  s.producers, s.consumers);
}

/* Sleep counters move only when a side actually waited on its futex. */
T_MODE_PARAMS(info, sleep_counters)
ParameterizedTest(unsigned *mode, info, sleep_counters, .timeout = 30)
{
	const char *name = t_ring("sleeps-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info i0, i1;
	char buf[16];
	int k;

	t_create(name, 4, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (k = 0; k < 10000; k++) {
		T_EXPECT(shmring_send(p, "x", 1, SHMRING_NOWAIT), 0);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 1);
		/* Waits that never need to wait do not sleep either. */
		T_EXPECT(shmring_send(p, "y", 1, SHMRING_FOREVER), 0);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), T_S), 1);
	}
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	i0 = t_info(c);
	cr_assert(i0.producer_sleeps == 0 && i0.consumer_sleeps == 0,
		  "[%s] sleeps %llu/%llu without any wait", name,
		  (unsigned long long)i0.producer_sleeps, (unsigned long long)i0.consumer_sleeps);

	/* An empty ring and a 50 ms timeout: the consumer has to sleep. */
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 50 * T_MS), -ETIMEDOUT);
	i1 = t_info(c);
	cr_assert(i1.consumer_sleeps >= 1, "[%s] a 50 ms wait did not count a sleep", name);
	cr_assert(i1.producer_sleeps == 0, "[%s] producer sleeps without a producer wait",
		  name);
	/* A full ring: the producer has to. */
	for (k = 0; k < 4; k++)
		T_EXPECT(shmring_send(p, "z", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "z", 1, 50 * T_MS), -ETIMEDOUT);
	i0 = t_info(p);
	cr_assert(i0.producer_sleeps >= 1, "[%s] a 50 ms wait on a full ring did not count", name);
	cr_assert(i0.consumer_sleeps == i1.consumer_sleeps);
	shmring_close(p);
	shmring_close(c);
}

/* Processes whose TracerPid is set, i.e. strace got hold of them. */
static bool traced(pid_t pid)
{
	char path[64], line[256];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0)
			yes = atol(line + 10) != 0;
	fclose(f);
	return yes;
}

static bool have_strace(void)
{
	int st = system("strace -V >/dev/null 2>&1");

	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * A producer and a consumer that only ever poll (NOWAIT) make no futex
 * system call at all, not even to wake each other: counted with strace.
 */
T_MODE_PARAMS(info, no_futex_without_sleepers)
ParameterizedTest(unsigned *mode, info, no_futex_without_sleepers, .timeout = 60)
{
	enum { N = 100000 };
	const char *name = t_ring("futex-%s", t_mode_str(*mode));
	struct t_chan up, down;
	char out[256], line[512];
	pid_t pid[2], tracer;
	unsigned futexes = 0;
	struct shmring_info info;
	int64_t deadline;
	FILE *f;
	int i;

	if (!have_strace())
		cr_skip_test("strace not installed");
	t_create(name, 64, 16, *mode);
	t_chan_init(&up);
	t_chan_init(&down);
	for (i = 0; i < 2; i++) {
		pid[i] = t_fork();
		if (pid[i] == 0) {
			struct shmring *h = NULL;
			char buf[16];
			int ret = shmring_open(name, i ? SHMRING_CONSUMER : SHMRING_PRODUCER, &h);

			CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
			t_chan_put(&up, 'o');
			CHILD_CHECK(t_chan_get(&down, 30000) == 'g', "no go");
			for (uint32_t k = 0; k < N; k++) {
				if (i == 0) {
					while ((ret = shmring_send(h, &k, sizeof(k),
								   SHMRING_NOWAIT)) == -EAGAIN)
						;
					CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
				} else {
					ssize_t n;

					while ((n = shmring_recv(h, buf, sizeof(buf),
								 SHMRING_NOWAIT)) == -EAGAIN)
						;
					CHILD_CHECK(n == sizeof(k) && memcmp(buf, &k, sizeof(k)) == 0,
						    "recv %u = %s", k, t_errname(n));
				}
			}
			shmring_close(h);
			t_chan_put_and_hang(&up, 'd');
		}
	}
	cr_assert(t_chan_get(&up, 10000) == 'o' && t_chan_get(&up, 10000) == 'o');

	snprintf(out, sizeof(out), "/tmp/%s.strace", name);
	tracer = t_fork();
	if (tracer == 0) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "%ld", (long)pid[0]);
		snprintf(b, sizeof(b), "%ld", (long)pid[1]);
		execlp("strace", "strace", "-qq", "-f", "-e", "trace=futex", "-o", out, "-p", a,
		       "-p", b, (char *)NULL);
		_exit(127);
	}
	deadline = t_now_ns() + 10 * T_S;
	while (!(traced(pid[0]) && traced(pid[1])) && t_now_ns() < deadline) {
		int st;

		if (waitpid(tracer, &st, WNOHANG) == tracer) {
			t_kill(pid[0]);
			t_kill(pid[1]);
			unlink(out);
			cr_skip_test("strace cannot attach here (ptrace not permitted?)");
		}
		t_sleep_ms(10);
	}
	if (!(traced(pid[0]) && traced(pid[1]))) {
		t_kill(tracer);
		t_kill(pid[0]);
		t_kill(pid[1]);
		unlink(out);
		cr_skip_test("strace did not attach within 10 s");
	}
	t_chan_put(&down, 'g');
	t_chan_put(&down, 'g');
	cr_assert(t_chan_get(&up, 40000) == 'd' && t_chan_get(&up, 40000) == 'd',
		  "the polling children did not finish");
	/* SIGTERM makes strace detach and flush its log. */
	kill(tracer, SIGTERM);
	t_wait_status(tracer, 10);
	t_kill(pid[0]);
	t_kill(pid[1]);

	f = fopen(out, "r");
	cr_assert(f != NULL, "no strace log %s", out);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "futex(")) {
			if (futexes < 5)
				cr_log_warn("futex call: %s", line);
			futexes++;
		}
	}
	fclose(f);
	unlink(out);
	info = t_stat(name);
	cr_assert(info.sent == N && info.received == N);
	cr_assert(info.producer_sleeps == 0 && info.consumer_sleeps == 0);
	cr_assert(futexes == 0, "[%s] %u futex system calls while neither side ever slept",
		  name, futexes);
}

Test(info, strerror_texts, .timeout = 10)
{
	static const int errs[] = {
		EINVAL, EEXIST, ENOENT, EACCES, EPROTO, EBUSY, EPERM, EMSGSIZE, EAGAIN,
		ETIMEDOUT, EINTR, EPIPE, ENOSPC, ENOMEM, EMFILE, EOPNOTSUPP,
	};
	enum { N = sizeof(errs) / sizeof(errs[0]) };
	const char *txt[N];
	static const int odd[] = { 0, 1, EINVAL, -1000, -9999, 12345, INT_MIN, INT_MAX, -ENOTSOCK };

	for (size_t i = 0; i < N; i++) {
		txt[i] = shmring_strerror(-errs[i]);
		cr_assert(txt[i] != NULL && txt[i][0] != '\0', "no text for -%d", errs[i]);
		cr_assert(strlen(txt[i]) < 200);
		for (size_t j = 0; j < i; j++)
			cr_assert(strcmp(txt[i], txt[j]) != 0, "%s and %s share the text \"%s\"",
				  t_errname(-errs[i]), t_errname(-errs[j]), txt[i]);
		/* Static and stable. */
		cr_assert(shmring_strerror(-errs[i]) == txt[i] ||
			  strcmp(shmring_strerror(-errs[i]), txt[i]) == 0);
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const char *s = shmring_strerror(odd[i]);

		cr_assert(s != NULL && s[0] != '\0' && strlen(s) < 200, "strerror(%d)", odd[i]);
		/* Not mistaken for one of the library's own errors. */
		for (size_t j = 0; j < N; j++)
				cr_assert(odd[i] == -errs[j] || strcmp(s, txt[j]) != 0,
					  "strerror(%d) reads like %s", odd[i], t_errname(-errs[j]));
	}
}
