// SPDX-License-Identifier: MIT
/*
 * Peers: process identity and liveness, the attachment table, the single
 * producer/consumer roles and end-of-stream bookkeeping.
 *
 * Identity is (pid, start time in clock ticks since boot), read from
 * /proc/PID/stat, so a recycled pid is a different process.  A process is
 * dead when its /proc entry is gone, is a zombie (exited, not reaped), or
 * has another start time.  A stopped process is alive.
 *
 * The table is the truth about who is attached; ctl.nprod/ncons are hints
 * that let the empty/full paths skip a scan.  Hints may lag (a concurrent
 * attach, a death not yet swept), so a decision that ends a stream is always
 * confirmed by a scan.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PID_MAX_LIMIT (1 << 22)   /* kernel ceiling of pid_max on 64-bit */

/* Reads the state letter and the low 32 bits of the start time of @pid. */
static int proc_stat(pid_t pid, char *state, uint32_t *start)
{
	char path[32], buf[512], *p, *end;
	unsigned long long ticks;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and ')': fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	*state = p[2];
	p += 3;
	/* starttime is field 22; each round moves p to the start of @field. */
	for (int field = 4; field <= 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	ticks = strtoull(p, &end, 10);
	if (end == p)
		return -EIO;
	*start = (uint32_t)ticks;
	return 0;
}

/*
 * A process with SIGKILL pending never runs user code again: it is dead
 * already, though /proc may show it running for a moment while it exits.
 */
static bool sigkill_pending(pid_t pid)
{
	char path[32], buf[2048], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* Sent to the whole process (ShdPnd) or, as the kernel does, to each thread. */
	p = strstr(buf, "SigPnd:");
	if (p && (strtoull(p + 7, NULL, 16) & (1ull << (SIGKILL - 1))))
		return true;
	p = strstr(buf, "ShdPnd:");
	if (p && (strtoull(p + 7, NULL, 16) & (1ull << (SIGKILL - 1))))
		return true;
	return false;
}

int shr_self_identity(uint64_t *ident)
{
	pid_t pid = getpid();
	uint32_t start;
	char state;
	int ret = proc_stat(pid, &state, &start);

	if (ret)
		return ret;
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return -ERANGE;
	*ident = (uint64_t)pid << 32 | start;
	return 0;
}

bool shr_ident_alive(uint64_t ident)
{
	pid_t pid = (pid_t)(ident >> 32);
	uint32_t start;
	char state;
	int ret;

	if (pid <= 0 || pid >= PID_MAX_LIMIT || (ident & ~SHR_IDENT_MASK))
		return false;     /* not an identity we write: garbage */
	ret = proc_stat(pid, &state, &start);
	if (ret == -ENOENT || ret == -ESRCH) {
		/* Gone, or hidden from us (hidepid): only kill(0) can tell. */
		return kill(pid, 0) == 0 || errno == EPERM;
	}
	if (ret)
		return true;      /* can't tell: never give up what a live peer holds */
	if (state == 'Z' || state == 'X')
		return false;     /* exited, not yet reaped */
	return start == (uint32_t)ident && !sigkill_pending(pid);
}

static int owner_roles(uint64_t owner)
{
	return (int)(owner >> SHR_OWNER_ROLE_SHIFT);
}

void shr_count_attached(struct shr_hdr *h, bool check_alive,
			uint32_t *producers, uint32_t *consumers)
{
	uint32_t np = 0, nc = 0;

	for (unsigned i = 0; i < SHR_MAX_ATTACH; i++) {
		/* Acquire: pairs with the release in detach(), so a closed
		 * producer's last publish is visible once its entry reads 0. */
		uint64_t w = ld_acquire(&h->att[i].owner);

		if (!w || (check_alive && !shr_ident_alive(w & SHR_IDENT_MASK)))
			continue;
		np += !!(owner_roles(w) & SHMRING_PRODUCER);
		nc += !!(owner_roles(w) & SHMRING_CONSUMER);
	}
	*producers = np;
	*consumers = nc;
}

/* Refresh the hints from the table.  Relaxed: they are only hints. */
static void recount(struct shr_hdr *h)
{
	uint32_t np, nc;

	shr_count_attached(h, false, &np, &nc);
	st_relaxed(&h->ctl.nprod, np);
	st_relaxed(&h->ctl.ncons, nc);
}

void shr_sweep(struct shr_hdr *h)
{
	for (unsigned i = 0; i < SHR_MAX_ATTACH; i++) {
		uint64_t w = ld_relaxed(&h->att[i].owner);

		/*
		 * One CAS frees a dead owner's entry; if the word changed (the
		 * owner closed, or another sweeper won), there is nothing to do.
		 * Its hold words stay behind but are only consulted for live
		 * owners (shr_hold_covered_by_live()).
		 */
		if (w && !shr_ident_alive(w & SHR_IDENT_MASK))
			atomic_compare_exchange_strong_explicit(&h->att[i].owner, &w, 0,
								memory_order_relaxed,
								memory_order_relaxed);
	}
	recount(h);
}

bool shr_side_gone(struct shmring *r, int peer_role)
{
	struct shr_ctl *c = &r->hdr->ctl;
	uint32_t np, nc;

	/* A ring nobody of that role has attached to yet just waits. */
	if (!(ld_relaxed(&c->ever) & (peer_role == SHMRING_PRODUCER ?
				       SHR_EVER_PRODUCER : SHR_EVER_CONSUMER)))
		return false;
	if (ld_relaxed(peer_role == SHMRING_PRODUCER ? &c->nprod : &c->ncons))
		return false;
	shr_count_attached(r->hdr, false, &np, &nc);
	return (peer_role == SHMRING_PRODUCER ? np : nc) == 0;
}

static bool hold_covers(uint64_t hold, uint64_t pos)
{
	uint64_t start = hold >> 16, n = hold & SHR_HOLD_MAX_N;
	uint64_t mask = (1ull << SHR_HOLD_POS_BITS) - 1;

	/* Positions are compared modulo 2^48: far more than any capacity. */
	return hold && ((pos - start) & mask) < n;
}

bool shr_hold_covered_by_live(struct shr_hdr *h, bool producer_hold, uint64_t pos)
{
	for (unsigned i = 0; i < SHR_MAX_ATTACH; i++) {
		struct shr_attach *e = &h->att[i];
		uint64_t w = ld_acquire(&e->owner);
		/*
		 * Relaxed: the caller's acquire load of the position that moved
		 * past @pos pairs with the claimer's release CAS, which was
		 * ordered after this hold store.
		 */
		uint64_t hold = ld_relaxed(producer_hold ? &e->prod_hold : &e->cons_hold);
		uint64_t zc = ld_relaxed(producer_hold ? &e->claim_hold : &e->peek_hold);

		if (w && (hold_covers(hold, pos) || hold_covers(zc, pos)) &&
		    shr_ident_alive(w & SHR_IDENT_MASK))
			return true;
	}
	return false;
}

enum { SHR_ROLE_TRIES = 1000 };

/*
 * Take a single-producer or single-consumer role; a dead holder's is taken
 * over.  Honest rivals make the CAS fail a few times at most (one of them
 * wins and is alive); a word that keeps changing is a peer scribbling on it.
 */
static int take_role(_Atomic uint64_t *word, uint64_t ident, bool *took_over)
{
	uint64_t cur = ld_acquire(word);

	for (unsigned tries = 0;; tries++) {
		if (tries == SHR_ROLE_TRIES)
			return -EPROTO;
		if (cur && shr_ident_alive(cur))
			return -EBUSY;
		/* Acq_rel: the winner sees what the dead holder left (acquire),
		 * and a later taker sees this attach (release). */
		if (atomic_compare_exchange_weak_explicit(word, &cur, ident,
							  memory_order_acq_rel,
							  memory_order_acquire)) {
			*took_over = cur != 0;
			return 0;
		}
	}
}

static void drop_role(_Atomic uint64_t *word, uint64_t ident)
{
	/* Release: a taker's acquire sees everything this holder did. */
	atomic_compare_exchange_strong_explicit(word, &ident, 0, memory_order_release,
						memory_order_relaxed);
}

static int take_roles(struct shmring *r, bool *producer_took_over, bool *consumer_took_over)
{
	struct shr_ctl *c = &r->hdr->ctl;
	bool sp = (r->role & SHMRING_PRODUCER) && !(r->g.flags & SHMRING_MP);
	bool sc = (r->role & SHMRING_CONSUMER) && !(r->g.flags & SHMRING_MC);
	int ret;

	*producer_took_over = *consumer_took_over = false;
	if (sp) {
		ret = take_role(&c->sp_owner, r->ident, producer_took_over);
		if (ret)
			return ret;
	}
	if (sc) {
		ret = take_role(&c->sc_owner, r->ident, consumer_took_over);
		if (ret) {
			if (sp)
				drop_role(&c->sp_owner, r->ident);
			return ret;
		}
	}
	return 0;
}

static void drop_roles(struct shmring *r)
{
	if ((r->role & SHMRING_PRODUCER) && !(r->g.flags & SHMRING_MP))
		drop_role(&r->hdr->ctl.sp_owner, r->ident);
	if ((r->role & SHMRING_CONSUMER) && !(r->g.flags & SHMRING_MC))
		drop_role(&r->hdr->ctl.sc_owner, r->ident);
}

int shr_attach(struct shmring *r)
{
	struct shr_hdr *h = r->hdr;
	bool prod_took_over, cons_took_over;
	uint64_t word;
	int ret;

	/* Without /proc no peer could be judged dead: refuse rather than hang. */
	if (shr_self_identity(&r->ident))
		return -ENOSYS;
	shr_sweep(h);       /* free dead peers' entries before looking for one */
	ret = take_roles(r, &prod_took_over, &cons_took_over);
	if (ret)
		return ret;

	word = r->ident | (uint64_t)r->role << SHR_OWNER_ROLE_SHIFT;
	for (unsigned i = 0; i < SHR_MAX_ATTACH && !r->att; i++) {
		uint64_t expect = 0;

		/* Acq_rel: claim the entry after whoever freed it. */
		if (ld_relaxed(&h->att[i].owner) == 0 &&
		    atomic_compare_exchange_strong_explicit(&h->att[i].owner, &expect, word,
							    memory_order_acq_rel,
							    memory_order_relaxed))
			r->att = &h->att[i];
	}
	if (!r->att) {
		drop_roles(r);
		return -EMFILE;
	}
	/* A previous owner's stale holds would only make others wait: clear. */
	st_relaxed(&r->att->prod_hold, 0);
	st_relaxed(&r->att->cons_hold, 0);
	st_relaxed(&r->att->claim_hold, 0);
	st_relaxed(&r->att->peek_hold, 0);
	atomic_fetch_or_explicit(&h->ctl.ever,
				 ((r->role & SHMRING_PRODUCER) ? SHR_EVER_PRODUCER : 0) |
				 ((r->role & SHMRING_CONSUMER) ? SHR_EVER_CONSUMER : 0),
				 memory_order_relaxed);
	recount(h);

	if (r->spsc) {
		ret = shr_spsc_load_indices(r);
		if (ret) {
			shr_detach(r);
			return ret;
		}
		shr_spsc_takeover(r, prod_took_over, cons_took_over);
	}
	return 0;
}

void shr_detach(struct shmring *r)
{
	struct shr_hdr *h = r->hdr;

	/*
	 * Release: every publish and release this handle made is visible to
	 * whoever reads the entry as free (end of stream, shr_count_attached()).
	 */
	st_release(&r->att->owner, 0);
	drop_roles(r);
	recount(h);
	/* Peers asleep may be waiting for exactly this: end of stream. */
	if (r->role & SHMRING_PRODUCER)
		shr_wake_consumers(r);
	if (r->role & SHMRING_CONSUMER)
		shr_wake_producers(r);
	r->att = NULL;
}
