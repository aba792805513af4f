/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "hist.h"
#include "payload.h"
#include "pin.h"
#include "runner.h"
#include "shm.h"

/* How long past its planned end a cell may run before it is called stalled. */
#define WATCHDOG_SLACK_S 10.0
/* After one worker failed, how long the others get to finish. */
#define FAIL_GRACE_S 1.0

static struct ctl *ctl;

int runner_init(void)
{
	sigset_t set;

	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED)
		return -errno;
	/* The parent sleeps in sigtimedwait() for its children. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return 0;
}

unsigned group_cpus(const struct group *g)
{
	unsigned n = pin_ncpus();

	return g->max_cpus && g->max_cpus < n ? g->max_cpus : n;
}

bool cell_in_threads(const struct transport *t)
{
	return opt.threads || !(t->caps & TC_PROCESS);
}

bool cell_applies(const struct transport *t, const struct group *g, const char **why)
{
	*why = NULL;
	if (t == &transport_cacheline)
		return true;    /* the probe runs next to every group */
	if (t == &transport_futex) {
		/* A wake-up primitive, not a queue: the blocking round-trip floor. */
		return g->test == TEST_RTT && g->block && g->pattern == PAT_SPSC;
	}
	if (t->skip)
		return true;    /* listed as skipped */
	if (g->api == API_BURST && !(t->caps & TC_BURST)) {
		*why = "n/a (no burst API)";
		return (t->caps & TC_PEER) != 0;
	}
	if (g->api == API_ZC && !(t->caps & TC_ZC)) {
		*why = "n/a (no zero-copy API)";
		return (t->caps & TC_PEER) != 0;
	}
	if (g->pattern == PAT_MPMC && !(t->caps & TC_MULTI)) {
		*why = "n/a (single producer only)";
		return true;
	}
	return true;
}

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, (uint32_t *)w, op, val, ts, NULL, 0);
}

static void set_err(struct cell_result *res, enum cell_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct cell_result *res, enum cell_state st, const char *fmt, ...)
{
	va_list ap;

	if (res->state != CELL_OK)
		return;         /* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(res->err, sizeof(res->err), fmt, ap);
	va_end(ap);
	res->state = st;
}

/* ---- workers as processes or threads ---- */

struct thread_arg {
	struct wctx w;
	pthread_t tid;
	int ret;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;

	a->ret = worker_main(&a->w);
	return NULL;
}

static double mono_s(void)
{
	return (double)clk_mono_ns() / 1e9;
}

/* Wait for every child; kill them all if one fails or the deadline passes. */
static void wait_processes(pid_t *pids, unsigned n, double deadline, struct cell_result *res)
{
	unsigned alive = 0, i;
	sigset_t set;
	bool killed = false;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			alive++;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	while (alive) {
		int st;
		pid_t pid;
		double left;

		while (alive && (pid = waitpid(-1, &st, WNOHANG)) > 0) {
			for (i = 0; i < n; i++)
				if (pids[i] == pid)
					break;
			if (i == n)
				continue;
			pids[i] = 0;
			alive--;
			if (WIFSIGNALED(st) && !killed) {
				set_err(res, CELL_FAIL, "worker %u killed by signal %d", i, WTERMSIG(st));
			} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
				/* The reason is picked once all are done: see pick_error(). */
				if (!ctl->w[i].status)
					set_err(res, CELL_FAIL, "worker %u exited with %d", i,
						WEXITSTATUS(st));
				if (deadline > mono_s() + FAIL_GRACE_S)
					deadline = mono_s() + FAIL_GRACE_S;
			}
		}
		if (!alive)
			break;
		left = deadline - mono_s();
		if (left <= 0) {
			if (!killed) {
				set_err(res, CELL_FAIL, "stalled: %u worker(s) still running past the deadline",
					alive);
				for (i = 0; i < n; i++)
					if (pids[i] > 0)
						kill(pids[i], SIGKILL);
				killed = true;
			}
			deadline = mono_s() + 5.0;
			left = 5.0;
		}
		{
			struct timespec ts = { .tv_sec = (time_t)left,
					       .tv_nsec = (long)((left - (double)(time_t)left) * 1e9) };

			sigtimedwait(&set, NULL, &ts);
		}
	}
}

static void wait_threads(struct thread_arg *ta, unsigned n, double deadline,
			 struct cell_result *res)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct timespec ts;
		double left = deadline - mono_s();

		clock_gettime(CLOCK_REALTIME, &ts);
		if (left < 0)
			left = 0;
		ts.tv_sec += (time_t)left;
		ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(ta[i].tid, NULL, &ts)) {
			/* Threads cannot be killed: give up the whole run. */
			fprintf(stderr, "FAIL: worker thread %u stalled; stopping\n", i);
			names_cleanup();
			_exit(1);
		}
		if (ta[i].ret) {
			if (deadline > mono_s() + FAIL_GRACE_S)
				deadline = mono_s() + FAIL_GRACE_S;
		}
	}
}

/*
 * When one side fails, the other usually fails too (a closed peer, a
 * missing message); report the data that did not verify, if any, first.
 */
static void pick_error(struct cell_result *res, unsigned nw)
{
	unsigned i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nw; i++)
			if (ctl->w[i].status == (pass ? 1 : 2) || (pass && ctl->w[i].status)) {
				res->state = CELL_OK;   /* this reason outranks a stall */
				set_err(res, CELL_FAIL, "worker %u: %s", i, ctl->w[i].err);
				return;
			}
}

/* ---- checking and figures ---- */

static void check_tput(const struct group *g, struct cell_result *res)
{
	unsigned P = g->producers, C = g->consumers, p, c;
	uint64_t t_end = 0, t_start = UINT64_MAX, moved = 0, total = 0;

	for (p = 0; p < P; p++) {
		uint64_t n = ctl->w[p].sent, cnt = 0, sum = 0, mix = 0, want_mix = 0, s;

		for (c = 0; c < C; c++) {
			cnt += ctl->w[P + c].cnt[p];
			sum += ctl->w[P + c].sum[p];
			mix += ctl->w[P + c].mix[p];
		}
		if (cnt != n) {
			set_err(res, CELL_FAIL, "producer %u sent %" PRIu64 " messages, %" PRIu64
				" arrived", p, n, cnt);
			return;
		}
		if (P == 1)
			continue;   /* the consumer checked every sequence number */
		for (s = 0; s < n; s++)
			want_mix += pl_mix(s);
		/* Unsigned arithmetic wraps alike on both sides. */
		if (sum != n * (n - 1) / 2 || mix != want_mix) {
			set_err(res, CELL_FAIL, "producer %u: messages duplicated or lost "
				"(count right, contents wrong)", p);
			return;
		}
	}
	/*
	 * Each consumer took its count when it first saw the clock past the
	 * warm-up (within 64 messages of it): the window starts at the earliest
	 * of those readings and ends with the last stop message.
	 */
	for (c = 0; c < C; c++) {
		struct worker_result *r = &ctl->w[P + c];

		if (r->t_end > t_end)
			t_end = r->t_end;
		if (r->received > r->recv_at_warm && r->t_warm < t_start)
			t_start = r->t_warm;
		moved += r->received - r->recv_at_warm;
		total += r->received;
	}
	res->count = total;
	if (!moved || t_end <= t_start) {
		set_err(res, CELL_NODATA, "no messages moved after the warm-up");
		return;
	}
	res->tput = (double)moved / (clk_to_ns(t_end - t_start) / 1e9);
}

static int gap_cmp(const void *a, const void *b)
{
	const struct gap *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * The longest stretch in [t_warm, t_data_end] with no dequeue by any
 * consumer: the intersection of every consumer's own gaps.
 */
static void check_gaps(const struct group *g, struct cell_result *res)
{
	unsigned P = g->producers, C = g->consumers, c, i, j;
	uint64_t lo = ctl->t_warm, hi = ctl->t_data_end, best = 0;
	struct gap *cur = NULL, *next = NULL;
	size_t ncur = 0, nnext, cap = GAP_MAX + 2;

	res->gap_ns = -1;
	if (!hi || hi <= lo)
		return;
	cur = malloc(cap * 2 * sizeof(*cur));
	next = malloc(cap * 2 * sizeof(*next));
	if (!cur || !next)
		goto out;
	for (c = 0; c < C; c++) {
		struct worker_result *r = &ctl->w[P + c];
		struct gap *mine = ctl->gaps[c];
		size_t n = r->ngaps < GAP_MAX ? r->ngaps : GAP_MAX, m = 0;
		struct gap *own = next + cap;   /* scratch: this consumer's list, clipped */

		if (r->gaps_overflow)
			res->gap_overflow = true;
		for (i = 0; i < n; i++) {
			uint64_t a = mine[i].from > lo ? mine[i].from : lo;
			uint64_t b = mine[i].to < hi ? mine[i].to : hi;

			if (a < b)
				own[m++] = (struct gap){ a, b };
		}
		/* After its last message a consumer dequeued nothing more. */
		if (r->t_last < hi)
			own[m++] = (struct gap){ r->t_last > lo ? r->t_last : lo, hi };
		qsort(own, m, sizeof(*own), gap_cmp);
		if (c == 0) {
			memcpy(cur, own, m * sizeof(*own));
			ncur = m;
			continue;
		}
		nnext = 0;
		for (i = 0, j = 0; i < ncur && j < m && nnext < cap;) {
			uint64_t a = cur[i].from > own[j].from ? cur[i].from : own[j].from;
			uint64_t b = cur[i].to < own[j].to ? cur[i].to : own[j].to;

			if (a < b)
				next[nnext++] = (struct gap){ a, b };
			if (cur[i].to < own[j].to)
				i++;
			else
				j++;
		}
		memcpy(cur, next, nnext * sizeof(*next));
		ncur = nnext;
	}
	for (i = 0; i < ncur; i++)
		if (cur[i].to - cur[i].from > best) {
			best = cur[i].to - cur[i].from;
			res->gap_at_ns = clk_to_ns(cur[i].from - lo);
		}
	res->gap_ns = clk_to_ns(best);
	res->window_ns = clk_to_ns(hi - lo);
out:
	free(cur);
	free(next);
}

/* ---- one cell ---- */

void cell_run(const struct transport *t, const struct group *g, struct cell_result *res,
	      struct hist *h)
{
	struct chan_spec spec[2];
	void *shared[2] = { NULL, NULL };
	unsigned nch, nw, i, created = 0;
	bool threads = cell_in_threads(t);
	pid_t pids[BENCH_MAX_WORKERS];
	struct thread_arg *ta = NULL;
	struct wctx w;
	double planned, deadline;
	int ret;

	memset(res, 0, sizeof(*res));
	res->gap_ns = -1;
	nch = (g->test == TEST_RTT && (t->caps & TC_CHANNEL)) ? 2 : 1;
	nw = g->test == TEST_RTT ? 2 : g->producers + g->consumers;

	for (i = 0; i < nch; i++) {
		memset(&spec[i], 0, sizeof(spec[i]));
		bench_name(spec[i].name, sizeof(spec[i].name), i ? "pong" : t->name);
		spec[i].msg_size = g->msg_size;
		spec[i].capacity = opt.capacity;
		spec[i].huge = opt.huge;
		spec[i].producers = g->test == TEST_RTT ? 1 : g->producers;
		spec[i].consumers = g->test == TEST_RTT ? 1 : g->consumers;
		spec[i].multi = g->pattern == PAT_MPMC;
		spec[i].block = g->block;
		spec[i].threads = threads;
	}
	for (i = 0; i < nch; i++) {
		ret = t->create(&spec[i], &shared[i]);
		if (ret == -EOPNOTSUPP) {
			set_err(res, CELL_NA, "n/a (%s)", threads ? "this configuration" :
				"needs --threads");
			goto destroy;
		}
		if (ret) {
			set_err(res, CELL_FAIL, "cannot create the channel: %s", strerror(-ret));
			goto destroy;
		}
		created++;
	}

	memset(ctl->w, 0, sizeof(ctl->w[0]) * nw);
	atomic_store(&ctl->ready, 0);
	atomic_store(&ctl->go, 0);
	atomic_store(&ctl->producers_done, 0);
	ctl->t_data_end = 0;
	ctl->t_go = ctl->t_warm = ctl->t_deadline = ctl->t_hard_end = 0;
	ctl->gap_ticks = clk_from_ns(opt.gap_threshold_us * 1e3);
	hist_reset(&ctl->hist);

	w = (struct wctx){
		.t = t, .g = g, .spec = spec, .shared = shared, .nworkers = nw, .ctl = ctl,
		.track_gaps = g->pattern == PAT_MPMC && g->test == TEST_TPUT &&
			      g->producers + g->consumers > group_cpus(g),
	};
	fflush(NULL);
	if (threads) {
		ta = calloc(nw, sizeof(*ta));
		if (!ta) {
			set_err(res, CELL_FAIL, "out of memory");
			goto destroy;
		}
	}
	for (i = 0; i < nw; i++) {
		if (threads) {
			ta[i].w = w;
			ta[i].w.idx = i;
			if (pthread_create(&ta[i].tid, NULL, thread_main, &ta[i])) {
				fprintf(stderr, "FAIL: cannot start worker threads\n");
				names_cleanup();
				exit(1);
			}
			continue;
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			w.idx = i;
			_exit(worker_main(&w) ? 1 : 0);
		}
		if (pids[i] < 0) {
			set_err(res, CELL_FAIL, "fork: %s", strerror(errno));
			atomic_store(&ctl->go, 2);
			futex(&ctl->go, FUTEX_WAKE, INT_MAX, NULL);
			nw = i;
			break;
		}
	}

	/* Release them together once all are attached. */
	for (;;) {
		uint32_t r = atomic_load_explicit(&ctl->ready, memory_order_acquire);
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };

		if (r >= nw || res->state != CELL_OK)
			break;
		futex(&ctl->ready, FUTEX_WAIT, r, &ts);
		if (!threads) {
			int st;
			pid_t pid = waitpid(-1, &st, WNOHANG);

			if (pid > 0) {
				for (i = 0; i < nw; i++)
					if (pids[i] == pid)
						pids[i] = 0;
				set_err(res, CELL_FAIL, "a worker died while starting");
			}
		}
	}
	for (i = 0; i < nw && res->state == CELL_OK; i++)
		if (ctl->w[i].status)
			set_err(res, CELL_FAIL, "worker %u: %s", i, ctl->w[i].err);
	planned = opt.warmup + (g->test == TEST_RTT ? opt.rtt_duration : opt.duration);
	ctl->t_go = clk_now() + clk_from_ns(1e6);
	ctl->t_warm = ctl->t_go + clk_from_ns(opt.warmup * 1e9);
	ctl->t_deadline = ctl->t_go + clk_from_ns(planned * 1e9);
	ctl->t_hard_end = ctl->t_deadline + clk_from_ns(4 * planned * 1e9);
	atomic_store_explicit(&ctl->go, res->state == CELL_OK ? 1 : 2, memory_order_release);
	futex(&ctl->go, FUTEX_WAKE, INT_MAX, NULL);

	deadline = mono_s() + 6 * planned + WATCHDOG_SLACK_S;
	if (threads) {
		wait_threads(ta, nw, deadline, res);
		free(ta);
	} else {
		for (i = 0; i < nw; i++)
			if (pids[i] == 0)
				pids[i] = -1;
		wait_processes(pids, nw, deadline, res);
	}
	pick_error(res, nw);
	if (res->state != CELL_OK)
		goto destroy;

	if (g->test == TEST_RTT) {
		const struct hist *hh = &ctl->hist;

		if (ctl->w[0].sent != ctl->w[1].received) {
			set_err(res, CELL_FAIL, "%" PRIu64 " pings, %" PRIu64 " answered",
				ctl->w[0].sent, ctl->w[1].received);
			goto destroy;
		}
		if (!hh->count) {
			set_err(res, CELL_NODATA, "no round trip completed after the warm-up");
			goto destroy;
		}
		res->count = hh->count;
		res->rtt[0] = hist_quantile(hh, 0.50) * clk_ns_per_tick;
		res->rtt[1] = hist_quantile(hh, 0.90) * clk_ns_per_tick;
		res->rtt[2] = hist_quantile(hh, 0.99) * clk_ns_per_tick;
		res->rtt[3] = hist_quantile(hh, 0.999) * clk_ns_per_tick;
		res->rtt[4] = clk_to_ns(hh->max);
		if (h)
			hist_merge(h, hh);
	} else {
		check_tput(g, res);
		if (res->state == CELL_OK && w.track_gaps)
			check_gaps(g, res);
	}
destroy:
	for (i = 0; i < created; i++)
		t->destroy(&spec[i], shared[i]);
}
