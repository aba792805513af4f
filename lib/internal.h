/* SPDX-License-Identifier: MIT */
/* The handle and the cross-file internals of libshmring. */
#ifndef SHR_INTERNAL_H
#define SHR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "shmring.h"
#include "atomics.h"
#include "layout.h"

#define SHR_HIDDEN __attribute__((visibility("hidden")))

#define SHR_ROLES (SHMRING_PRODUCER | SHMRING_CONSUMER)
#define SHR_FLAGS (SHMRING_MP | SHMRING_MC | SHMRING_HUGEPAGES)

/* Geometry, validated once and kept privately: never re-read from the region. */
struct shr_geometry {
	uint32_t capacity;
	uint32_t msg_size;
	uint32_t slot_size;            /* payload stride */
	uint32_t flags;
	uint64_t mask;
	uint64_t payload_off;          /* offset of the payload array in the region */
	uint64_t region_size;
	uint32_t page_size;            /* of the mapping, as the kernel reports it */
	int backend;                   /* enum shr_backend */
};

/* Waiting side of an operation: which futex word and waiter count. */
enum shr_side { SHR_SIDE_PRODUCER, SHR_SIDE_CONSUMER };

/* One attachment: process-private state.  Used by one thread at a time. */
struct shmring {
	struct shr_hdr *hdr;
	struct shr_slot *slots;        /* stamps and lengths */
	unsigned char *payloads;
	struct shr_attach *att;        /* this handle's entry in hdr->att */
	struct shr_geometry g;
	bool spsc;                     /* neither SHMRING_MP nor SHMRING_MC */
	int role;
	pid_t pid;                     /* process that opened the handle */
	bool fenceless;                /* registered for sleepers' membarrier (wait.c) */
	uint64_t ident;                /* its identity (peer.c) */

	/* SPSC: own index kept privately; the producer caches the consumer's. */
	uint64_t tail, head_cache;     /* producer */
	uint64_t head;                 /* consumer */

	/* Zero-copy state: at most one claim and one peek out. */
	bool claim_out, peek_out;
	uint64_t claim_pos, peek_pos;
	uint64_t token_tag;            /* tells this handle's tokens from others' */

	/* Waiting. */
	uint32_t spin_limit;           /* adaptive spin budget, in polls */
	uint32_t idle_polls;           /* NOWAIT misses since the last slow check */
	int64_t next_check_ns;         /* next liveness sweep while stalled */
};

enum shr_kind { SHR_SEND, SHR_RECV, SHR_SEND_BURST, SHR_RECV_BURST, SHR_CLAIM, SHR_PEEK };

/* An operation as the wait loop sees it: one attempt, retried until done. */
struct shr_op {
	enum shr_kind kind;
	enum shr_side side;
	bool peer_gone;        /* the other side has left: take all it published */
	long (*attempt)(struct shmring *r, struct shr_op *op);
	union {
		struct { const void *msg; size_t len; } send;
		struct { void *buf; size_t cap; } recv;
		struct { const struct iovec *v; unsigned n; } send_burst;
		struct { struct iovec *v; unsigned n; } recv_burst;
		struct shmring_msg *m;
	} u;
};

static inline struct shr_slot *shr_slot_at(const struct shmring *r, uint64_t pos)
{
	/* Masked: a position read from the region can never index outside it. */
	return &r->slots[pos & r->g.mask];
}

static inline void *shr_payload(const struct shmring *r, uint64_t pos)
{
	return r->payloads + (size_t)(pos & r->g.mask) * r->g.slot_size;
}

/*
 * memcpy() that allows NULL with length 0, as the API does.  Up to 64 bytes
 * it is a few overlapping fixed-size moves inline: no call for the small
 * messages this library is made for.
 */
static inline void shr_copy(void *dst, const void *src, size_t len)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (len > 64) {
		__builtin_memcpy(d, s, len);
	} else if (len > 16) {
		__builtin_memcpy(d, s, 16);
		__builtin_memcpy(d + len - 16, s + len - 16, 16);
		if (len > 32) {
			__builtin_memcpy(d + 16, s + 16, 16);
			__builtin_memcpy(d + len - 32, s + len - 32, 16);
		}
	} else if (len >= 8) {
		__builtin_memcpy(d, s, 8);
		__builtin_memcpy(d + len - 8, s + len - 8, 8);
	} else if (len >= 4) {
		__builtin_memcpy(d, s, 4);
		__builtin_memcpy(d + len - 4, s + len - 4, 4);
	} else if (len) {
		d[0] = s[0];
		if (len > 1)
			__builtin_memcpy(d + len - 2, s + len - 2, 2);
	}
}

/* name.c */
SHR_HIDDEN int shr_name_path(const char *name, char *shm_name, size_t size);

/* region.c */
SHR_HIDDEN int shr_geometry_make(uint32_t capacity, uint32_t msg_size, uint32_t flags,
				 struct shr_geometry *g);
SHR_HIDDEN int shr_region_map(const char *name, bool writable, struct shr_hdr **hdrp,
			      struct shr_geometry *g);
SHR_HIDDEN void shr_region_unmap(struct shr_hdr *hdr, const struct shr_geometry *g);
SHR_HIDDEN void shr_reap_stale(const char *dir);
SHR_HIDDEN void shr_region_init(void *region, const struct shr_geometry *g);
SHR_HIDDEN int shr_shm_publish(const char *shm_name, mode_t mode,
			       int (*build)(int fd, const void *arg), const void *arg);

/* huge.c: rings backed by huge pages (hugetlbfs or System V SHM_HUGETLB). */
SHR_HIDDEN int shr_huge_create(const char *shm_name, mode_t mode, const struct shr_geometry *g);
struct shr_mapping {
	void *region;
	uint64_t size;                 /* bytes mapped */
	int backend;                   /* enum shr_backend */
	uint32_t page_size;
};
/* @owner: the uid owning the reference in /dev/shm; the data must be its. */
SHR_HIDDEN int shr_huge_map(const char *shm_name, const struct shr_ref *ref, uid_t owner,
			    bool writable, struct shr_mapping *m);
SHR_HIDDEN void shr_huge_remove(const char *shm_name, const struct shr_ref *ref, uid_t owner);

/* peer.c */
SHR_HIDDEN int shr_self_identity(uint64_t *ident);
SHR_HIDDEN bool shr_ident_alive(uint64_t ident);
SHR_HIDDEN int shr_attach(struct shmring *r);
SHR_HIDDEN void shr_detach(struct shmring *r);
SHR_HIDDEN void shr_sweep(struct shr_hdr *h);
SHR_HIDDEN bool shr_side_gone(struct shmring *r, int peer_role);
SHR_HIDDEN bool shr_hold_covered_by_live(struct shr_hdr *h, bool producer_hold, uint64_t pos);
SHR_HIDDEN void shr_count_attached(struct shr_hdr *h, bool check_alive,
				   uint32_t *producers, uint32_t *consumers);

/* wait.c */
SHR_HIDDEN int64_t shr_now_ns(void);
SHR_HIDDEN void shr_wake_sleepers(_Atomic uint32_t *word, uint32_t marked);
SHR_HIDDEN long shr_wait(struct shmring *r, struct shr_op *op, int64_t timeout_ns);

/*
 * Wake whoever sleeps on @word, after a publish.  Inline: on the hot path
 * it is a compiler barrier, one load of a word on a line the caller writes
 * anyway, and a branch.
 */
static inline void shr_wake(struct shmring *r, _Atomic uint32_t *word)
{
	uint32_t w;

	/*
	 * W2: orders the caller's publish (a release store of a position or
	 * slot sequence) before the load of the mark.  Pairs with W1 in
	 * sleep_once() (wait.c): a compiler barrier when the sleeper's
	 * membarrier does the CPU's part, else a seq_cst fence.
	 */
	if (shr_likely(r->fenceless))
		atomic_signal_fence(memory_order_seq_cst);
	else
		smp_mb();
	w = ld_relaxed(word);    /* Relaxed: W2 above orders it. */
	if (shr_unlikely(w & 1))
		shr_wake_sleepers(word, w);
}

static inline void shr_wake_consumers(struct shmring *r)
{
	shr_wake(r, &r->hdr->prod.data_seq);
}

static inline void shr_wake_producers(struct shmring *r)
{
	shr_wake(r, &r->hdr->cons.space_seq);
}

/* spsc.c: single producer, single consumer, cached opposite indices. */
SHR_HIDDEN long shr_spsc_send(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_spsc_recv(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_spsc_send_burst(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_spsc_recv_burst(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_spsc_claim(struct shmring *r, struct shr_op *op);
SHR_HIDDEN void shr_spsc_publish(struct shmring *r, uint32_t len);
SHR_HIDDEN long shr_spsc_peek(struct shmring *r, struct shr_op *op);
SHR_HIDDEN void shr_spsc_release(struct shmring *r);
SHR_HIDDEN void shr_spsc_takeover(struct shmring *r, bool producer, bool consumer);
SHR_HIDDEN int shr_spsc_load_indices(struct shmring *r);

/* mpmc.c: per-slot sequence numbers; SHMRING_MP and/or SHMRING_MC. */
SHR_HIDDEN long shr_mpmc_send(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_mpmc_recv(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_mpmc_send_burst(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_mpmc_recv_burst(struct shmring *r, struct shr_op *op);
SHR_HIDDEN long shr_mpmc_claim(struct shmring *r, struct shr_op *op);
SHR_HIDDEN void shr_mpmc_publish(struct shmring *r, uint32_t len);
SHR_HIDDEN long shr_mpmc_peek(struct shmring *r, struct shr_op *op);
SHR_HIDDEN void shr_mpmc_release(struct shmring *r);
SHR_HIDDEN bool shr_mpmc_recover(struct shmring *r);

#endif /* SHR_INTERNAL_H */
