/* SPDX-License-Identifier: MIT */
/*
 * Soak: an MPMC ring streams between 2 producer and 2 consumer processes
 * for SOAK_SECONDS (else STRESS_SECONDS, else 10) while a controller, the
 * test process, SIGKILLs random peers at random moments and restarts them,
 * or SIGSTOPs them for a random time and continues them, or both.
 *
 * Checked at the end of each round:
 *  - no message duplicated, corrupted, out of its producer's order, or
 *    delivered that was never published;
 *  - every message a producer published is received, unless a consumer
 *    died holding it;
 *  - info.abandoned equals the number of slots the dead held, read from
 *    their records (see the accounting before soak_verify());
 *  - with peers only stopped, nothing is abandoned and nothing is lost;
 *  - no dequeue stall longer than GAP_LIMIT_NS while no peer is stopped.
 *
 * Test bookkeeping in shared memory uses seq_cst atomics throughout: it is
 * not the code under test, and the controller reads a peer's record only
 * while that peer is stopped or dead.
 */
#include "helpers.h"

#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(soak, .fini = t_cleanup);

enum {
	NPROD = 2, NCONS = 2, NPEER = NPROD + NCONS,
	MSG = 128,                      /* msg_size of the ring */
	MAX_INC = 4096,                 /* processes started in one round */
	CHUNK_SHIFT = 12,               /* producers take seqs 4096 at a time */
	SEQ_BITS = 30,                  /* seqs of one round: 2^30 */
	ROUND_MAX_S = 60,               /* longer soaks repeat rounds (bounded tables) */
	REDRAWS = 50,                   /* see kill_one() */
	AIM_TRIES = 50,
};

#define CHUNK  (1ull << CHUNK_SHIFT)
#define NCHUNK (1u << (SEQ_BITS - CHUNK_SHIFT))

/*
 * The longest no-dequeue gap allowed while every peer runs.  A dead
 * holder's slot is given up within about a second (SPEC), in practice
 * within one 100 ms wait slice plus a liveness check; the rest is margin
 * for a loaded 2-core machine where five busy processes share the CPUs.
 */
#define GAP_LIMIT_NS (2 * T_S)
/* Hang guard of every wait of a peer: a ring stuck this long is a failure. */
#define HANG_NS (20 * T_S)

/*
 * Where a peer is in its loop.  A producer only claims and publishes, a
 * consumer only peeks and releases, and each says what it is about to do
 * before each call, so a stopped peer's record tells what it holds.
 */
enum phase {
	PH_IDLE,        /* holds nothing the test does not know about */
	PH_CLAIMING,    /* producer: inside shmring_claim() for msg */
	PH_CLAIMED,     /* producer: holds the claim of msg, not published */
	PH_PUBLISHING,  /* producer: inside shmring_publish() of msg, or just after */
	PH_GOT,         /* consumer: holds the peek of msg; marks it seen */
	PH_RELEASING,   /* consumer: inside shmring_release() of msg */
};

static const char *const phase_name[] = {
	"idle", "claiming", "claimed", "publishing", "got", "releasing",
};

/* One incarnation: one process, never reused within a round. */
struct inc {
	_Atomic uint32_t phase;
	_Atomic uint64_t msg;           /* the seq its phase is about */
	_Atomic uint64_t committed;     /* producer: 1 + last seq published (0: none) */
	_Atomic uint32_t attached;
	_Atomic uint64_t moved;         /* messages published or released */
	_Atomic uint32_t eintr;
};

struct soak_shared {
	_Atomic uint32_t go, stop;
	_Atomic int64_t last_deq_ns;            /* last peek that returned a message */
	_Atomic uint32_t next_chunk;
	_Atomic uint16_t owner[NCHUNK];         /* producer incarnation + 1; 0: unused */
	struct inc inc[MAX_INC];
	_Atomic uint64_t seen[(1u << SEQ_BITS) / 64];   /* one bit per seq delivered */
};

static bool seen_bit(struct soak_shared *sh, uint64_t seq)
{
	return atomic_load(&sh->seen[seq >> 6]) >> (seq & 63) & 1;
}

/* Wait for the controller's go, with a hang guard. */
static void wait_go(struct soak_shared *sh)
{
	int64_t deadline = t_now_ns() + HANG_NS;

	while (!atomic_load(&sh->go)) {
		CHILD_CHECK(t_now_ns() < deadline, "no go from the controller");
		t_sleep_ms(1);
	}
}

/*
 * Producer incarnation @id: stamps (id, seq) with seqs from chunks it takes
 * from a shared counter, so a restarted producer never repeats a seq.
 */
static _Noreturn void producer(struct soak_shared *sh, const char *name, uint64_t seed,
			       uint32_t id)
{
	struct inc *me = &sh->inc[id];
	struct shmring *p = NULL;
	uint64_t seq = 0, end = 0;
	int ret = shmring_open(name, SHMRING_PRODUCER, &p);

	CHILD_CHECK(ret == 0, "producer %u open = %s", id, t_errname(ret));
	atomic_store(&me->attached, 1);
	wait_go(sh);
	while (!atomic_load(&sh->stop)) {
		struct shmring_msg m;

		if (seq == end) {
			uint32_t c = atomic_fetch_add(&sh->next_chunk, 1);

			CHILD_CHECK(c < NCHUNK, "producer %u: seqs of the round used up", id);
			atomic_store(&sh->owner[c], (uint16_t)(id + 1));
			seq = (uint64_t)c << CHUNK_SHIFT;
			end = seq + CHUNK;
		}
		atomic_store(&me->msg, seq);
		atomic_store(&me->phase, PH_CLAIMING);
		ret = shmring_claim(p, &m, HANG_NS);
		if (ret == -EINTR) {
			atomic_fetch_add(&me->eintr, 1);
			continue;
		}
		CHILD_CHECK(ret == 0, "producer %u claim of seq %llu = %s", id,
			    (unsigned long long)seq, t_errname(ret));
		atomic_store(&me->phase, PH_CLAIMED);
		CHILD_CHECK(m.len == MSG, "claim len %zu", m.len);
		m.len = t_stamp_make(m.data, MSG, seed, id, seq);
		atomic_store(&me->phase, PH_PUBLISHING);
		ret = shmring_publish(p, &m);
		CHILD_CHECK(ret == 0, "producer %u publish = %s", id, t_errname(ret));
		atomic_store(&me->committed, seq + 1);
		atomic_fetch_add(&me->moved, 1);
		atomic_store(&me->phase, PH_IDLE);
		seq++;
	}
	shmring_close(p);
	_exit(0);
}

static _Noreturn void consumer(struct soak_shared *sh, const char *name, uint64_t seed,
			       uint32_t id)
{
	struct inc *me = &sh->inc[id];
	uint64_t *last = calloc(MAX_INC, sizeof(*last));  /* 1 + last seq per producer */
	struct shmring *c = NULL;
	int ret = shmring_open(name, SHMRING_CONSUMER, &c);

	CHILD_CHECK(ret == 0 && last, "consumer %u open = %s", id, t_errname(ret));
	atomic_store(&me->attached, 1);
	for (;;) {
		struct shmring_msg m;
		struct t_stamp st;
		const char *why;
		uint64_t bit, old;

		ret = shmring_peek(c, &m, HANG_NS);
		if (ret == -EINTR) {
			atomic_fetch_add(&me->eintr, 1);
			continue;
		}
		if (ret == -EPIPE && atomic_load(&sh->stop))
			break;
		CHILD_CHECK(ret == 0, "consumer %u peek = %s", id, t_errname(ret));
		atomic_store(&sh->last_deq_ns, t_now_ns());
		why = t_stamp_check(m.data, m.len, seed, &st);
		CHILD_CHECK(why == NULL, "consumer %u: %s", id, why);
		CHILD_CHECK(st.producer < MAX_INC && st.seq < (1ull << SEQ_BITS) &&
			    atomic_load(&sh->owner[st.seq >> CHUNK_SHIFT]) == st.producer + 1,
			    "consumer %u: stamp (%u, %llu) outside its producer's seqs", id,
			    st.producer, (unsigned long long)st.seq);
		CHILD_CHECK(st.seq >= last[st.producer],
			    "consumer %u: producer %u seq %llu after %llu (order)", id,
			    st.producer, (unsigned long long)st.seq,
			    (unsigned long long)last[st.producer] - 1);
		last[st.producer] = st.seq + 1;
		atomic_store(&me->msg, st.seq);
		atomic_store(&me->phase, PH_GOT);
		bit = 1ull << (st.seq & 63);
		old = atomic_fetch_or(&sh->seen[st.seq >> 6], bit);
		CHILD_CHECK(!(old & bit), "consumer %u: producer %u seq %llu delivered twice", id,
			    st.producer, (unsigned long long)st.seq);
		atomic_store(&me->phase, PH_RELEASING);
		ret = shmring_release(c, &m);
		CHILD_CHECK(ret == 0, "consumer %u release = %s", id, t_errname(ret));
		atomic_store(&me->phase, PH_IDLE);
		atomic_fetch_add(&me->moved, 1);
	}
	shmring_close(c);
	free(last);
	_exit(0);
}

enum soak_mode { SOAK_KILL = 1, SOAK_STOP = 2, SOAK_MIXED = SOAK_KILL | SOAK_STOP };

/* What the controller remembers of each incarnation. */
struct inc_ctl {
	pid_t pid;
	bool producer, dead;
	uint32_t death_phase;
	uint64_t death_msg;
};

/* A peer slot: P0, P1, C0, C1, each run by one incarnation at a time. */
struct peer {
	uint32_t id;
	int64_t stopped_until;          /* 0: running */
};

struct soak {
	enum soak_mode mode;
	const char *name;
	uint64_t seed, rng;
	struct soak_shared *sh;
	struct inc_ctl inc[MAX_INC];
	uint32_t ninc;
	struct peer peer[NPEER];
	unsigned nstopped;
	int64_t clear_since;            /* no peer stopped since then */
	int64_t max_gap, max_gap_any;
	/* Counts for the report and the final check. */
	unsigned kills, aimed, kills_by_phase[6], redraws_by_phase[6], postponed, stops,
		 long_stops;
	uint64_t known_abandoned;       /* slots the dead held, from their records */
};

static uint64_t rnd(struct soak *s, uint64_t n)
{
	return t_mix(s->seed ^ t_mix(++s->rng)) % n;
}

static bool is_producer(unsigned slot)
{
	return slot < NPROD;
}

/* Start a fresh incarnation in @slot (a restart opens the ring by name again). */
static void start_peer(struct soak *s, unsigned slot)
{
	uint32_t id = s->ninc++;
	int64_t deadline;
	pid_t pid;

	cr_assert(id < MAX_INC, "[%s] more than %d processes in one round", t_ctx, MAX_INC);
	s->inc[id] = (struct inc_ctl){ .producer = is_producer(slot) };
	s->peer[slot] = (struct peer){ .id = id };
	pid = t_fork();
	if (pid == 0) {
		if (is_producer(slot))
			producer(s->sh, s->name, s->seed, id);
		consumer(s->sh, s->name, s->seed, id);
	}
	s->inc[id].pid = pid;
	/*
	 * Attached before anything else happens: every role then always has
	 * a live attached peer, so no one may rightly see end of stream.
	 */
	deadline = t_now_ns() + HANG_NS;
	while (!atomic_load(&s->sh->inc[id].attached)) {
		int st;

		cr_assert(waitpid(pid, &st, WNOHANG) == 0, "[%s] peer %u died at start: %s",
			  t_ctx, id, t_child_msg());
		cr_assert(t_now_ns() < deadline, "[%s] peer %u did not attach", t_ctx, id);
		t_sleep_ms(1);
	}
}

/* Fail at once if a peer exited on its own (a failed check, or a crash). */
static void check_peers(struct soak *s)
{
	for (unsigned i = 0; i < NPEER; i++) {
		pid_t pid = s->inc[s->peer[i].id].pid;
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid)
			cr_assert_fail("[%s] peer %u (%s) ended during the run (%s %d): %s", t_ctx,
				       s->peer[i].id, is_producer(i) ? "producer" : "consumer",
				       WIFSIGNALED(st) ? "signal" : "exit",
				       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
				       t_child_msg());
	}
}

/*
 * The no-dequeue gap: measured only while no peer is stopped.  A stopped
 * producer holding a claim, or a stopped consumer holding a peek once the
 * producers have lapped it, rightly holds everyone back for as long as it
 * is stopped: a live holder is waited for.
 */
static void sample_gap(struct soak *s)
{
	int64_t now = t_now_ns();
	int64_t deq = atomic_load(&s->sh->last_deq_ns);
	int64_t gap = now - (deq > s->clear_since ? deq : s->clear_since);

	if (now - deq > s->max_gap_any)
		s->max_gap_any = now - deq;
	if (s->nstopped == 0 && gap > s->max_gap)
		s->max_gap = gap;
	cr_assert(s->nstopped > 0 || gap < HANG_NS,
		  "[%s] round seed %llu: no message dequeued for %.1f s with every peer running",
		  t_ctx, (unsigned long long)s->seed, (double)gap / T_S);
}

static void tick(struct soak *s)
{
	check_peers(s);
	sample_gap(s);
}

/* SIGSTOP @pid and wait until it is stopped. */
static void stop_wait(struct soak *s, pid_t pid)
{
	int64_t deadline = t_now_ns() + HANG_NS;

	cr_assert(kill(pid, SIGSTOP) == 0);
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG | WUNTRACED);

		if (w == pid && WIFSTOPPED(st))
			return;
		cr_assert(w == 0, "[%s] peer pid %ld ended while being stopped: %s", t_ctx,
			  (long)pid, t_child_msg());
		cr_assert(t_now_ns() < deadline, "[%s] pid %ld did not stop", t_ctx, (long)pid);
		sched_yield();
	}
}

static void cont(struct soak *s, unsigned slot)
{
	cr_assert(kill(s->inc[s->peer[slot].id].pid, SIGCONT) == 0);
	if (s->peer[slot].stopped_until) {
		s->peer[slot].stopped_until = 0;
		if (--s->nstopped == 0)
			s->clear_since = t_now_ns();
	}
}

/*
 * What the stopped incarnation @id will leave to be given up when it dies:
 * 1 slot, 0, or -1 when its record cannot tell.
 *  - claimed: it holds a claim that will never be published: 1.
 *  - got: it holds a peek; if it marked the message seen, the message is not
 *    lost but the slot is abandoned: 1; if not, the message counts as lost
 *    and the lost count accounts for the slot: 0.
 *  - idle, publishing: 0 (a peek taken but not yet marked "got", or a
 *    publish that never happened, shows as a lost message instead).
 *  - claiming, releasing: the call may or may not have taken effect.
 */
static int death_cost(struct soak *s, uint32_t id)
{
	struct inc *v = &s->sh->inc[id];

	switch (atomic_load(&v->phase)) {
	case PH_CLAIMED:
		return 1;
	case PH_GOT:
		return seen_bit(s->sh, atomic_load(&v->msg)) ? 1 : 0;
	case PH_CLAIMING:
	case PH_RELEASING:
		return -1;
	default:
		return 0;
	}
}

/*
 * SIGKILL a random peer at a random moment and restart it.  The victim is
 * stopped first, so its record and what it holds are frozen together, then
 * killed where it stands.  A victim inside one of the two calls whose
 * effect its record cannot tell (see death_cost()) is let go, and another
 * victim and moment are drawn, at most REDRAWS times; after that the kill
 * is put off to the controller's next round.  Peers waiting in a claim are
 * the usual ones let go: they hold nothing, and so are not what a kill is
 * after.
 *
 * Holders are rarely hit by chance (a producer holds a claim only while it
 * writes the stamp), so one kill in three is aimed: it redraws up to
 * AIM_TRIES times more until the victim holds a claim or a peek.
 *
 * Return: whether a peer was killed.
 */
static bool kill_one(struct soak *s)
{
	bool aim = rnd(s, 3) == 0;
	unsigned limit = REDRAWS + (aim ? AIM_TRIES : 0);
	unsigned slot;
	uint32_t id;
	struct inc_ctl *ic;
	int cost;

	for (unsigned tries = 0;; tries++) {
		bool was_stopped;
		uint32_t ph;

		slot = (unsigned)rnd(s, NPEER);
		id = s->peer[slot].id;
		ic = &s->inc[id];
		was_stopped = s->peer[slot].stopped_until != 0;
		if (!was_stopped)
			stop_wait(s, ic->pid);
		cost = death_cost(s, id);
		ph = atomic_load(&s->sh->inc[id].phase);
		if (cost >= 0 && (!aim || tries >= AIM_TRIES || ph == PH_CLAIMED || ph == PH_GOT))
			break;
		if (cost < 0)
			s->redraws_by_phase[ph]++;
		if (!was_stopped)
			cr_assert(kill(ic->pid, SIGCONT) == 0);
		if (cost < 0 && tries == limit) {
			s->postponed++;
			return false;
		}
		t_sleep_ms((long)rnd(s, 3));
		tick(s);
	}
	s->aimed += aim;
	ic->death_phase = atomic_load(&s->sh->inc[id].phase);
	ic->death_msg = atomic_load(&s->sh->inc[id].msg);
	s->known_abandoned += (uint64_t)cost;
	t_kill(ic->pid);
	ic->dead = true;
	if (s->peer[slot].stopped_until) {
		s->peer[slot].stopped_until = 0;
		if (--s->nstopped == 0)
			s->clear_since = t_now_ns();
	}
	s->kills++;
	s->kills_by_phase[ic->death_phase]++;
	start_peer(s, slot);
	return true;
}

/* SIGSTOP a random running peer for up to 300 ms, one time in five for 1-1.5 s. */
static void stop_one(struct soak *s)
{
	unsigned slot = (unsigned)rnd(s, NPEER);
	int64_t ms;

	if (s->peer[slot].stopped_until || s->nstopped >= 2)
		return;
	ms = rnd(s, 5) == 0 ? 1000 + (int64_t)rnd(s, 501) : 1 + (int64_t)rnd(s, 300);
	stop_wait(s, s->inc[s->peer[slot].id].pid);
	s->peer[slot].stopped_until = t_now_ns() + ms * T_MS;
	s->nstopped++;
	s->stops++;
	s->long_stops += ms >= 1000;
}

static void cont_expired(struct soak *s)
{
	int64_t now = t_now_ns();

	for (unsigned i = 0; i < NPEER; i++)
		if (s->peer[i].stopped_until && now >= s->peer[i].stopped_until)
			cont(s, i);
}

/*
 * After the run: a producer pushes one lap of messages through while a
 * consumer takes each.  Every slot a dead consumer still held is then
 * reached by a producer and given up, so abandoned is final.
 */
static void flush_lap(struct soak *s, uint32_t cap)
{
	struct shmring *c = t_open(s->name, SHMRING_CONSUMER);
	struct shmring *p = t_open(s->name, SHMRING_PRODUCER);
	char buf[MSG];

	for (uint32_t i = 0; i < cap; i++) {
		uint32_t v = ~i;

		T_EXPECT(shmring_send(p, &v, sizeof(v), HANG_NS), 0);
		T_EXPECT(shmring_recv(c, &v, sizeof(v), HANG_NS), sizeof(v));
		cr_assert(v == ~i, "[%s] flush message %u came back as %#x", t_ctx, i, v);
	}
	shmring_close(p);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), HANG_NS), -EPIPE);
	shmring_close(c);
}

/*
 * The accounting.  Each abandoned slot was held by a dead process (no kill
 * lands in "claiming" or "releasing", see kill_one()):
 *  (a) a claim never published: the producer died in "claimed" (known), or
 *      in "publishing" before the publish took effect (then its message is
 *      unreceived: lost, below);
 *  (b) a peek never released: the consumer died between the peek and
 *      "got", or in "got" before marking the message seen (the message is
 *      lost, below), or in "got" after marking it (known: the seen bit was
 *      read while it was stopped).
 * Lost: a message published, by the producer's record (committed, or in
 * flight when it died in "publishing"), that no consumer marked.  After the
 * drain to end of stream and flush_lap() nothing is left in the ring and
 * every dead holder's slot has been given up, so each lost message is
 * either (a) publishing or (b) unmarked: exactly one abandoned slot each.
 * Hence abandoned == known + lost, where known counts the slots read from
 * the stopped victims' records.  One kill loses at most one message.
 *
 * One window is beyond the records: a victim killed while it gives up a
 * dead peer's slot, between the CAS that frees the slot and the increment
 * that counts it (adjacent instructions), leaves abandoned one short.
 */
static void soak_verify(struct soak *s, struct shmring_info *info, uint64_t *lost,
			uint64_t *moved)
{
	uint32_t nchunk = atomic_load(&s->sh->next_chunk);
	unsigned may_lose = 0;

	*lost = 0;
	*moved = 0;
	for (uint32_t i = 0; i < s->ninc; i++) {
		struct inc_ctl *ic = &s->inc[i];

		if (!ic->producer)
			*moved += atomic_load(&s->sh->inc[i].moved);
		if (ic->dead && (!ic->producer || ic->death_phase == PH_PUBLISHING))
			may_lose++;
	}
	if (nchunk > NCHUNK)
		nchunk = NCHUNK;
	for (uint32_t c = 0; c < nchunk; c++) {
		uint16_t o = atomic_load(&s->sh->owner[c]);
		struct inc_ctl *ic = o ? &s->inc[o - 1] : NULL;
		uint64_t committed = o ? atomic_load(&s->sh->inc[o - 1].committed) : 0;

		for (uint64_t q = (uint64_t)c << CHUNK_SHIFT; q < ((uint64_t)c + 1) << CHUNK_SHIFT;
		     q++) {
			bool seen = seen_bit(s->sh, q);
			bool published = ic && (q < committed ||
				(ic->dead && ic->death_phase == PH_PUBLISHING && q == ic->death_msg));

			cr_assert(!seen || published,
				  "[%s] round seed %llu: seq %llu of producer %d delivered but never "
				  "published (it died %s of seq %llu)", t_ctx,
				  (unsigned long long)s->seed, (unsigned long long)q, o - 1,
				  ic && ic->dead ? phase_name[ic->death_phase] : "-",
				  ic ? (unsigned long long)ic->death_msg : 0ull);
			*lost += published && !seen;
		}
	}
	cr_assert(*lost <= may_lose,
		  "[%s] round seed %llu: %llu messages lost, but only %u kills could lose one",
		  t_ctx, (unsigned long long)s->seed, (unsigned long long)*lost, may_lose);
	cr_assert(info->abandoned == s->known_abandoned + *lost,
		  "[%s] round seed %llu: abandoned %llu, expected %llu (%llu slots held by the "
		  "dead + %llu lost)", t_ctx,
		  (unsigned long long)s->seed, (unsigned long long)info->abandoned,
		  (unsigned long long)(s->known_abandoned + *lost),
		  (unsigned long long)s->known_abandoned, (unsigned long long)*lost);
	cr_assert(info->count == 0, "[%s] %llu messages left in the ring", t_ctx,
		  (unsigned long long)info->count);
	cr_assert(info->producers == 0 && info->consumers == 0);
}

static void soak_round(struct soak *s, uint64_t seed, int64_t secs)
{
	uint32_t cap = 8u << (t_mix(seed ^ 0x50a6) % 4);
	struct shmring_info info;
	int64_t start, end, next_kill, next_stop, now;
	uint64_t lost, moved;
	unsigned eintr = 0;

	memset(s->inc, 0, sizeof(s->inc));
	memset(s->peer, 0, sizeof(s->peer));
	memset(s->kills_by_phase, 0, sizeof(s->kills_by_phase));
	memset(s->redraws_by_phase, 0, sizeof(s->redraws_by_phase));
	s->seed = seed;
	s->rng = 0;
	s->ninc = 0;
	s->nstopped = 0;
	s->max_gap = s->max_gap_any = 0;
	s->kills = s->aimed = s->postponed = s->stops = s->long_stops = 0;
	s->known_abandoned = 0;
	s->sh = t_shared(sizeof(*s->sh));
	t_create(s->name, cap, MSG, SHMRING_MP | SHMRING_MC);

	/* Consumers first: a producer alone could fill the ring and see -EPIPE. */
	for (unsigned i = NPROD; i < NPEER; i++)
		start_peer(s, i);
	for (unsigned i = 0; i < NPROD; i++)
		start_peer(s, i);
	start = t_now_ns();
	end = start + secs * T_S;
	s->clear_since = start;
	atomic_store(&s->sh->last_deq_ns, start);
	atomic_store(&s->sh->go, 1);
	next_kill = start + 100 * T_MS + (int64_t)rnd(s, 400) * T_MS;
	next_stop = start + 50 * T_MS + (int64_t)rnd(s, 350) * T_MS;
	while ((now = t_now_ns()) < end) {
		tick(s);
		cont_expired(s);
		if ((s->mode & SOAK_KILL) && now >= next_kill && kill_one(s))
			next_kill = t_now_ns() + 100 * T_MS + (int64_t)rnd(s, 400) * T_MS;
		if ((s->mode & SOAK_STOP) && now >= next_stop) {
			stop_one(s);
			next_stop = t_now_ns() + 50 * T_MS + (int64_t)rnd(s, 350) * T_MS;
		}
		t_sleep_ms(2);
	}
	tick(s);
	for (unsigned i = 0; i < NPEER; i++)
		if (s->peer[i].stopped_until)
			cont(s, i);
	/* Producers finish their message and close; consumers drain to -EPIPE. */
	atomic_store(&s->sh->stop, 1);
	for (unsigned i = 0; i < NPEER; i++)
		t_wait_ok(s->inc[s->peer[i].id].pid, HANG_NS / T_S, "peer at the end");
	flush_lap(s, cap);
	info = t_stat(s->name);
	soak_verify(s, &info, &lost, &moved);
	for (uint32_t i = 0; i < s->ninc; i++)
		eintr += atomic_load(&s->sh->inc[i].eintr);
	fprintf(stderr,
		"# soak %s seed %" PRIu64 " cap %u: %.1f s, %" PRIu64 " messages, %u kills "
		"(%u aimed; claimed %u, publishing %u, got %u, other %u; redrawn in claiming %u, "
		"releasing %u; %u put off), "
		"%u stops (%u over 1 s), lost %" PRIu64 ", abandoned %" PRIu64 " (%" PRIu64
		" known + %" PRIu64 " lost), max gap %.0f ms running, %.0f ms any, EINTR %u\n",
		s->mode == SOAK_KILL ? "kill" : s->mode == SOAK_STOP ? "stop" : "mixed", seed, cap,
		(double)(t_now_ns() - start) / T_S, moved, s->kills, s->aimed,
		s->kills_by_phase[PH_CLAIMED], s->kills_by_phase[PH_PUBLISHING],
		s->kills_by_phase[PH_GOT],
		s->kills - s->kills_by_phase[PH_CLAIMED] - s->kills_by_phase[PH_PUBLISHING] -
			s->kills_by_phase[PH_GOT],
		s->redraws_by_phase[PH_CLAIMING], s->redraws_by_phase[PH_RELEASING], s->postponed,
		s->stops, s->long_stops, lost, info.abandoned,
		s->known_abandoned, lost, (double)s->max_gap / T_MS, (double)s->max_gap_any / T_MS,
		eintr);
	cr_assert(s->max_gap < GAP_LIMIT_NS,
		  "[%s] round seed %llu: no message dequeued for %.0f ms with every peer running "
		  "(limit %.0f ms)", t_ctx, (unsigned long long)seed, (double)s->max_gap / T_MS,
		  (double)GAP_LIMIT_NS / T_MS);
	if (!(s->mode & SOAK_KILL))
		cr_assert(info.abandoned == 0 && lost == 0,
			  "[%s] round seed %llu: peers only stopped, yet %llu abandoned and %llu "
			  "lost", t_ctx, (unsigned long long)seed,
			  (unsigned long long)info.abandoned, (unsigned long long)lost);
	munmap(s->sh, sizeof(*s->sh));
	T_EXPECT(shmring_unlink(s->name), 0);
}

/* SOAK_SECONDS, else STRESS_SECONDS (make check-stress), else 10. */
static unsigned soak_seconds(void)
{
	const char *env = getenv("SOAK_SECONDS");
	unsigned long v;

	if (env && *env) {
		v = strtoul(env, NULL, 10);
		return v < 1 ? 1 : v > 86400 ? 86400 : (unsigned)v;
	}
	v = t_stress_seconds();
	return v ? (unsigned)v : 10;
}

static void soak_run(enum soak_mode mode, const char *what)
{
	static struct soak s;
	int64_t left = (int64_t)soak_seconds();
	uint64_t seed;
	unsigned round = 0;

	s.mode = mode;
	s.name = t_ring("soak-%s", what);
	seed = t_seed();
	/* Rounds of at most ROUND_MAX_S keep the tables of one round bounded. */
	while (left > 0) {
		int64_t secs = left > ROUND_MAX_S ? ROUND_MAX_S : left;

		soak_round(&s, seed + round, secs);
		left -= secs;
		round++;
	}
}

/* Peers SIGKILLed and restarted: a dead holder's slot is given up and counted. */
Test(soak, kills, .timeout = T_STRESS_TIMEOUT)
{
	soak_run(SOAK_KILL, "kill");
}

/* Peers SIGSTOPped, some beyond the recovery time: a live holder is waited for. */
Test(soak, stops, .timeout = T_STRESS_TIMEOUT)
{
	soak_run(SOAK_STOP, "stop");
}

/* Both, stopped peers killed too. */
Test(soak, kills_and_stops, .timeout = T_STRESS_TIMEOUT)
{
	soak_run(SOAK_MIXED, "mixed");
}

T_ONE_TEST_AT_A_TIME_MAIN
