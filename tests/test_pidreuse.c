/* SPDX-License-Identifier: MIT */
/*
 * Liveness survives pid reuse.  In a pid namespace of its own (root only),
 * a test kills a peer, then makes the next fork take exactly that pid by
 * writing /proc/sys/kernel/ns_last_pid.  A process with the dead peer's pid
 * is now alive, but it is not the peer: the single role the peer held must
 * be taken over and the peek it held must be given up, as if the pid were
 * free.  A library that judged liveness by pid alone fails both.
 */
#define _GNU_SOURCE
#include "helpers.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(pidreuse, .fini = t_cleanup);

enum { RING_CAP = 8 };

/* Runs as pid 1 of a new pid namespace, with a /proc of that namespace. */
typedef void (*ns_body)(const char *name);

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/* A fork that gets exactly @pid: the namespace is ours, nobody else forks in it. */
static pid_t fork_with_pid(pid_t pid)
{
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	pid_t child;

	CHILD_CHECK(f && fprintf(f, "%d", (int)pid - 1) > 0 && fclose(f) == 0,
		    "write ns_last_pid: %s", strerror(errno));
	child = fork();
	CHILD_CHECK(child >= 0, "fork");
	if (child == 0)
		sleep_forever();
	CHILD_CHECK(child == pid, "forced pid %d, got %d", (int)pid, (int)child);
	return child;
}

/*
 * Kill @victim, then fork a stranger onto its pid.  Start times are kept
 * in clock ticks: wait a few so that the two processes differ the way two
 * processes a pid wrap apart always do.
 */
static pid_t reuse_pid_of(pid_t victim)
{
	int status;

	kill(victim, SIGKILL);
	CHILD_CHECK(waitpid(victim, &status, 0) == victim, "reap the victim");
	usleep(50 * 1000);
	return fork_with_pid(victim);
}

static void end_stranger(pid_t stranger)
{
	int status;

	kill(stranger, SIGKILL);
	waitpid(stranger, &status, 0);
}

/* A consumer that attaches, peeks if asked, says so, and waits to be killed. */
static pid_t spawn_victim(const char *name, bool peek)
{
	struct shmring *c = NULL;
	struct shmring_msg m;
	struct t_chan ready;
	pid_t victim;
	int ret;

	t_chan_init(&ready);
	victim = fork();
	CHILD_CHECK(victim >= 0, "fork");
	if (victim == 0) {
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "victim open = %s", t_errname(ret));
		ret = peek ? shmring_peek(c, &m, 10 * T_S) : 0;
		CHILD_CHECK(ret == 0, "victim peek = %s", t_errname(ret));
		t_chan_put(&ready, 'r');
		sleep_forever();
	}
	CHILD_CHECK(t_chan_get(&ready, 20000) == 'r', "victim ready");
	return victim;
}

/* The single consumer dies; a stranger gets its pid; the role is still free. */
static void single_role(const char *name)
{
	struct shmring *c = NULL;
	pid_t victim = spawn_victim(name, false), stranger;
	int ret;

	ret = shmring_open(name, SHMRING_CONSUMER, &c);
	CHILD_CHECK(ret == -EBUSY, "while the victim lives: open = %s", t_errname(ret));
	stranger = reuse_pid_of(victim);
	ret = shmring_open(name, SHMRING_CONSUMER, &c);
	CHILD_CHECK(ret == 0, "role of a dead consumer whose pid lives on: open = %s",
		    t_errname(ret));
	shmring_close(c);
	end_stranger(stranger);
}

/* A consumer dies holding a peek; a stranger gets its pid; the slot is given up. */
static void held_peek(const char *name)
{
	struct shmring *p = NULL, *c = NULL;
	struct shmring_info info;
	pid_t victim, stranger;
	uint64_t v;
	int ret;

	ret = shmring_open(name, SHMRING_PRODUCER, &p);
	CHILD_CHECK(ret == 0, "producer open = %s", t_errname(ret));
	for (v = 0; v < 2; v++)
		CHILD_CHECK(shmring_send(p, &v, sizeof(v), SHMRING_NOWAIT) == 0, "send %d", (int)v);
	victim = spawn_victim(name, true);
	stranger = reuse_pid_of(victim);
	ret = shmring_open(name, SHMRING_CONSUMER, &c);
	CHILD_CHECK(ret == 0, "consumer open = %s", t_errname(ret));
	/*
	 * Message 0 went with the victim.  Filling the ring needs its slot
	 * again: a send that succeeds proves the held slot was given up.
	 */
	for (v = 2; v <= RING_CAP; v++) {       /* v = RING_CAP lands in slot 0 */
		ret = shmring_send(p, &v, sizeof(v), 20 * T_S);
		CHILD_CHECK(ret == 0, "send %llu = %s", (unsigned long long)v, t_errname(ret));
	}
	for (uint64_t want = 1; want <= RING_CAP; want++) {
		ret = (int)shmring_recv(c, &v, sizeof(v), 20 * T_S);
		CHILD_CHECK(ret == sizeof(v) && v == want, "recv = %s, value %llu, expected %llu",
			    t_errname(ret), (unsigned long long)v, (unsigned long long)want);
	}
	CHILD_CHECK(shmring_info(c, &info) == 0 && info.abandoned == 1,
		    "abandoned %llu, expected 1", (unsigned long long)info.abandoned);
	shmring_close(c);
	shmring_close(p);
	end_stranger(stranger);
}

/*
 * A child enters new pid and mount namespaces; its first child is pid 1
 * there, mounts a /proc of its own (the library reads peers' start times
 * from /proc) and runs @body.
 */
static void in_pid_namespace(ns_body body, const char *name)
{
	pid_t outer;

	if (geteuid() != 0)
		cr_skip_test("needs root for a pid namespace and ns_last_pid");
	outer = t_fork();
	if (outer == 0) {
		pid_t init;
		int status;

		CHILD_CHECK(unshare(CLONE_NEWPID | CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
		init = fork();
		CHILD_CHECK(init >= 0, "fork");
		if (init == 0) {
			CHILD_CHECK(getpid() == 1, "pid %d in the new namespace", (int)getpid());
			CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
				    "make / private: %s", strerror(errno));
			CHILD_CHECK(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
					  NULL) == 0, "mount /proc: %s", strerror(errno));
			body(name);
			_exit(0);
		}
		CHILD_CHECK(waitpid(init, &status, 0) == init, "wait for pid 1");
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
	}
	t_wait_ok(outer, 60, "pid namespace");
}

/* Plain values only: Criterion hands parameters to another process. */
struct reuse_case {
	bool peek;              /* held_peek(), else single_role() */
	unsigned mode;
};

ParameterizedTestParameters(pidreuse, dead_peer_with_reused_pid)
{
	static struct reuse_case cases[] = {
		/* A single consumer role: SPSC and MPSC. */
		{ false, 0 },
		{ false, SHMRING_MP },
		{ true, 0 },
		{ true, SHMRING_MP },
		{ true, SHMRING_MC },
		{ true, SHMRING_MP | SHMRING_MC },
	};
	return cr_make_param_array(struct reuse_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct reuse_case *rc, pidreuse, dead_peer_with_reused_pid, .timeout = 90)
{
	const char *name = t_ring("pidreuse-%s-%s", rc->peek ? "peek" : "role",
				  t_mode_str(rc->mode));

	t_create(name, RING_CAP, 8, rc->mode);
	in_pid_namespace(rc->peek ? held_peek : single_role, name);
	T_EXPECT(shmring_unlink(name), 0);
}
