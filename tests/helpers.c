/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#define MAX_NAMES 64

static char *names[MAX_NAMES];
static unsigned nnames;

char t_ctx[400];
static char ctx_name[300];
static uint64_t ctx_seed;
static bool ctx_have_seed;

/* Failure text of children, in memory shared with them. */
struct child_report {
	_Atomic int used;
	char msg[1000];
};
static struct child_report *report;

static void update_ctx(void)
{
	if (ctx_have_seed)
		snprintf(t_ctx, sizeof(t_ctx), "%s seed %" PRIu64, ctx_name, ctx_seed);
	else
		snprintf(t_ctx, sizeof(t_ctx), "%s", ctx_name);
}

void t_assert_same(const struct shmring_info *a, const struct shmring_info *b)
{
	cr_assert(a->capacity == b->capacity && a->msg_size == b->msg_size &&
		  a->flags == b->flags && a->region_size == b->region_size,
		  "geometry changed");
	cr_assert(a->count == b->count, "count changed: %" PRIu64 " -> %" PRIu64,
		  a->count, b->count);
	cr_assert(a->sent == b->sent, "sent changed: %" PRIu64 " -> %" PRIu64,
		  a->sent, b->sent);
	cr_assert(a->received == b->received, "received changed: %" PRIu64 " -> %" PRIu64,
		  a->received, b->received);
	cr_assert(a->producers == b->producers && a->consumers == b->consumers,
		  "attachments changed: %u/%u -> %u/%u", a->producers, a->consumers,
		  b->producers, b->consumers);
	cr_assert(a->abandoned == b->abandoned, "abandoned changed");
}

void t_shm_path(const char *name, char *buf, size_t len)
{
	while (*name == '/')
		name++;
	snprintf(buf, len, "/dev/shm/%s", name);
}

bool t_shm_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	t_shm_path(name, path, sizeof(path));
	return lstat(path, &st) == 0;
}

static void remove_name(const char *name)
{
	char path[PATH_MAX];

	shmring_unlink(name);
	/* Not through the library alone: a broken unlink must not leave junk. */
	snprintf(path, sizeof(path), "/%s", name);
	shm_unlink(path);
}

const char *t_ring_raw(const char *name)
{
	char *s = strdup(name);

	cr_assert(s != NULL);
	cr_assert(nnames < MAX_NAMES, "too many ring names in one test");
	names[nnames++] = s;
	remove_name(s);
	snprintf(ctx_name, sizeof(ctx_name), "%s", s);
	update_ctx();
	return s;
}

const char *t_ring(const char *what, ...)
{
	char suffix[256], buf[320];
	va_list ap;

	va_start(ap, what);
	vsnprintf(suffix, sizeof(suffix), what, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "shr-t-%ld-%s", (long)getpid(), suffix);
	return t_ring_raw(buf);
}

void t_cleanup(void)
{
	while (nnames) {
		char *s = names[--nnames];

		remove_name(s);
		free(s);
	}
}

void t_create(const char *name, uint32_t capacity, uint32_t msg_size, uint32_t flags)
{
	struct shmring_config cfg = {
		.capacity = capacity, .msg_size = msg_size, .flags = flags,
	};
	int ret = shmring_create(name, &cfg);

	cr_assert(ret == 0, "shmring_create(%s, cap %u, msg %u, flags %#x) = %d (%s)",
		  name, capacity, msg_size, flags, ret, shmring_strerror(ret));
}

struct shmring *t_open(const char *name, int role)
{
	struct shmring *r = NULL;
	int ret = shmring_open(name, role, &r);

	cr_assert(ret == 0, "shmring_open(%s, role %d) = %d (%s)", name, role, ret,
		  shmring_strerror(ret));
	cr_assert(r != NULL);
	return r;
}

struct shmring_info t_info(struct shmring *r)
{
	struct shmring_info info;
	int ret;

	memset(&info, 0xa5, sizeof(info));
	ret = shmring_info(r, &info);
	cr_assert(ret == 0, "shmring_info = %d", ret);
	return info;
}

struct shmring_info t_stat(const char *name)
{
	struct shmring_info info;
	int ret;

	memset(&info, 0xa5, sizeof(info));
	ret = shmring_stat(name, &info);
	cr_assert(ret == 0, "shmring_stat(%s) = %d", name, ret);
	return info;
}

uint64_t t_seed(void)
{
	static uint64_t seed;
	static bool have;
	const char *env;

	if (have)
		return seed;
	env = getenv("SHR_TEST_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = t_mix((uint64_t)t_now_ns() ^ ((uint64_t)getpid() << 32));
	have = true;
	ctx_seed = seed;
	ctx_have_seed = true;
	update_ctx();
	fprintf(stderr, "# random seed %" PRIu64 " (replay with SHR_TEST_SEED=%" PRIu64 ")\n",
		seed, seed);
	return seed;
}

void *t_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	cr_assert(p != MAP_FAILED, "mmap shared %zu: %s", len, strerror(errno));
	return p;
}

pid_t t_fork(void)
{
	pid_t parent = getpid();
	pid_t pid;

	if (!report) {
		report = mmap(NULL, sizeof(*report), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		cr_assert(report != MAP_FAILED, "mmap: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(111);
#ifdef HAVE_VALGRIND_VALGRIND_H
		/*
		 * Under make check-valgrind: a peer's heap is a copy of its
		 * parent's, which is leak-checked when the parent exits.  The
		 * peer must not close the parent's handles (that would detach
		 * the parent's roles), so at its _exit they would all show as
		 * lost.  Its memory errors are still reported.
		 */
		VALGRIND_CLO_CHANGE("--leak-check=no");
#endif
	}
	return pid;
}

int t_wait_status(pid_t pid, double timeout_s)
{
	int64_t deadline = t_now_ns() + (int64_t)(timeout_s * T_S);
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			cr_assert_fail("waitpid(%ld): %s", (long)pid, strerror(errno));
		if (t_now_ns() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		t_sleep_ms(2);
	}
}

void t_kill(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

void t_drop_to_nobody(void)
{
	CHILD_CHECK(setgroups(0, NULL) == 0, "setgroups");
	CHILD_CHECK(setgid(65534) == 0, "setgid");
	CHILD_CHECK(setuid(65534) == 0, "setuid");
}

void t_child_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s:%d: child %ld: %s\n", file, line, (long)getpid(), msg);
	fflush(stderr);
	if (report) {
		int zero = 0;

		if (atomic_compare_exchange_strong(&report->used, &zero, 1))
			snprintf(report->msg, sizeof(report->msg), "%s:%d: %s", file, line, msg);
	}
	_exit(1);
}

const char *t_child_msg(void)
{
	if (!report || !atomic_load(&report->used))
		return "(no message)";
	return report->msg;
}

void t_chan_init(struct t_chan *c)
{
	cr_assert(pipe2(c->fd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
}

void t_chan_put(struct t_chan *c, char b)
{
	while (write(c->fd[1], &b, 1) != 1 && errno == EINTR)
		;
}

void t_chan_put_and_hang(struct t_chan *c, char b)
{
	t_chan_put(c, b);
	for (;;)
		pause();
}

pid_t t_fork_claim_holder(const char *name, const char *text)
{
	struct t_chan up;
	pid_t pid;

	t_chan_init(&up);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *h = NULL;
		struct shmring_msg m;
		int ret = shmring_open(name, SHMRING_PRODUCER, &h);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		ret = shmring_claim(h, &m, SHMRING_NOWAIT);
		CHILD_CHECK(ret == 0, "claim = %s", t_errname(ret));
		if (text) {
			memcpy(m.data, text, strlen(text));
			m.len = strlen(text);
		}
		t_chan_put_and_hang(&up, 'c');
	}
	cr_assert(t_chan_get(&up, 10000) == 'c', "the claim holder did not claim");
	return pid;
}

int t_chan_get(struct t_chan *c, int timeout_ms)
{
	int64_t deadline = t_now_ns() + (int64_t)timeout_ms * T_MS;
	struct pollfd p = { .fd = c->fd[0], .events = POLLIN };
	unsigned char b;

	for (;;) {
		int left = (int)((deadline - t_now_ns()) / T_MS);
		int n;

		if (left < 0)
			left = 0;
		n = poll(&p, 1, left);
		if (n > 0 && read(c->fd[0], &b, 1) == 1)
			return b;
		if (n == 0 || (n < 0 && errno != EINTR) || t_now_ns() > deadline)
			return -1;
	}
}
