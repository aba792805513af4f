/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory format.  This is the real ABI: processes built at
 * different times map the same bytes.  Any change here bumps
 * SHR_LAYOUT_VERSION.  Everything read from a region is untrusted; readers
 * validate before use (region.c) and mask every index.
 *
 * Region:  [struct shr_hdr][struct shr_slot x capacity][pad to SHR_LINE]
 *          [payload 0][payload 1]...[payload capacity-1][pad to page]
 * A slot's stamp and length live apart from its payload, so that payloads
 * sit on cache lines (shr_payload_stride()).
 */
#ifndef SHR_LAYOUT_H
#define SHR_LAYOUT_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SHR_MAGIC          0x31474e4952524853ull   /* "SHRRING1" */
#define SHR_LAYOUT_VERSION 4u
#define SHR_LINE           128   /* two 64-byte lines: adjacent-line prefetch */
#define SHR_CACHE_LINE     64    /* payloads are packed on these */
#define SHR_MAX_ATTACH     128   /* attachments at once */

/* A hold record: [position mod 2^48][count 1..65535], 0 = nothing held. */
#define SHR_HOLD_POS_BITS  48
#define SHR_HOLD_MAX_N     0xffffu

/* shr_slot.len of a slot given up by a live producer that closed. */
#define SHR_LEN_DISCARD    UINT32_MAX

/*
 * An attachment's owner word: identity (peer.c: pid < 2^22 in bits 32..53,
 * start time in bits 0..31) with the roles in bits 62..63.  One word, so an
 * entry is claimed, released or reclaimed from a dead owner by one CAS.
 */
#define SHR_OWNER_ROLE_SHIFT 62
#define SHR_IDENT_MASK       ((1ull << 54) - 1)

/* ctl.ever bits: a role has been attached at least once since create. */
#define SHR_EVER_PRODUCER  1u
#define SHR_EVER_CONSUMER  2u

/* Written once at create, read-only afterwards. */
struct shr_geom {
	uint64_t magic;
	uint32_t layout_version;
	uint32_t hdr_size;         /* == sizeof(struct shr_hdr) == slots offset */
	uint64_t region_size;      /* == object size (fstat) */
	uint32_t capacity;         /* power of two */
	uint32_t msg_size;
	uint32_t slot_size;        /* payload stride (see the top of this file) */
	uint32_t flags;            /* SHMRING_MP | SHMRING_MC | SHMRING_HUGEPAGES */
	uint32_t max_attach;       /* == SHR_MAX_ATTACH */
	uint32_t _pad0;
	uint64_t create_time_ns;   /* CLOCK_REALTIME, informational */
	uint8_t  _pad[SHR_LINE - 56];
};

/* Producer-owned line.  Consumers read pos (SPSC: in bursts) and mark data_seq to sleep. */
struct shr_prod {
	/*
	 * SPSC: tail, the next position to publish, stored after the slots'
	 * stamps (so a consumer may briefly be past it).
	 * Otherwise: the next position to claim (Vyukov enqueue position).
	 * Free-running: wraps at 2^64; compared only by difference.
	 */
	_Atomic uint64_t pos;
	_Atomic uint32_t data_seq;      /* futex word consumers sleep on (wait.c) */
	uint32_t _pad0;
	_Atomic uint64_t claim_hold;    /* SPSC: tail + 1 while a claim is out */
	/*
	 * SPSC: every message from full_from up to pos is msg_size bytes long,
	 * so a burst receive may take them on pos alone, reading no stamp.
	 */
	_Atomic uint64_t full_from;
	uint8_t _pad[SHR_LINE - 32];
};

/* Consumer-owned line.  Producers read pos and mark space_seq before sleeping. */
struct shr_cons {
	_Atomic uint64_t pos;           /* SPSC: head.  Otherwise: dequeue position */
	_Atomic uint64_t peek_hold;     /* SPSC: head + 1 while a peek is out */
	_Atomic uint32_t space_seq;     /* futex word producers sleep on (wait.c) */
	uint32_t _pad0;
	uint8_t _pad[SHR_LINE - 24];
};

/* Attachment bookkeeping and statistics: written on slow paths only. */
struct shr_ctl {
	_Atomic uint64_t sp_owner;      /* identity holding the single-producer role */
	_Atomic uint64_t sc_owner;      /* identity holding the single-consumer role */
	_Atomic uint32_t nprod;         /* hint: producers attached (see peer.c) */
	_Atomic uint32_t ncons;         /* hint: consumers attached */
	_Atomic uint32_t ever;          /* SHR_EVER_* */
	uint32_t _pad0;
	_Atomic uint64_t abandoned_prod;   /* claims given up (never delivered) */
	_Atomic uint64_t abandoned_cons;   /* taken slots given up (holder died) */
	_Atomic uint64_t producer_sleeps;
	_Atomic uint64_t consumer_sleeps;
	_Atomic uint64_t discarded;        /* claims a live producer closed on */
	uint8_t _pad[SHR_LINE - 72];
};

/*
 * One attachment (one handle).  Its own line: the hold words are written by
 * the owner on every multi-producer/multi-consumer operation.
 */
struct shr_attach {
	_Atomic uint64_t owner;         /* identity | roles << 62, 0 = free */
	_Atomic uint64_t prod_hold;     /* positions claimed by a copy send */
	_Atomic uint64_t cons_hold;     /* positions taken by a copy receive */
	_Atomic uint64_t claim_hold;    /* position of the outstanding claim */
	_Atomic uint64_t peek_hold;     /* position of the outstanding peek */
	uint8_t _pad[SHR_LINE - 40];
};

struct shr_hdr {
	alignas(SHR_LINE) struct shr_geom geom;
	alignas(SHR_LINE) struct shr_prod prod;
	alignas(SHR_LINE) struct shr_cons cons;
	alignas(SHR_LINE) struct shr_ctl  ctl;
	alignas(SHR_LINE) struct shr_attach att[SHR_MAX_ATTACH];
};

/*
 * A ring backed by huge pages keeps its data outside /dev/shm; the name in
 * /dev/shm holds this reference instead, so every ring is found, listed and
 * removed by the same name.  As untrusted as the rest: validated on read.
 */
#define SHR_REF_MAGIC      0x31464552524853ull     /* "SHRREF1" */
#define SHR_HUGE_PAGE      (2u << 20)

enum shr_backend {
	SHR_BACKEND_SHM = 0,          /* the region is the /dev/shm object */
	SHR_BACKEND_HUGETLBFS = 1,    /* a file of the same name in a hugetlbfs mount */
	SHR_BACKEND_SYSV = 2,         /* a System V segment made with SHM_HUGETLB */
};

struct shr_ref {
	uint64_t magic;
	uint32_t layout_version;
	uint32_t backend;             /* enum shr_backend */
	int32_t  sysv_key;
	int32_t  sysv_id;
	uint64_t region_size;
	char     dir[224];            /* hugetlbfs mount point, NUL-terminated */
};

/* A slot's stamp and length.  Its payload is in the payload array. */
struct shr_slot {
	/*
	 * Multi-producer or multi-consumer rings: position + 0 free for the
	 * producer of that position, + 1 full for its consumer, + capacity free
	 * again for the next lap.  SPSC rings: position + 1 once the message of
	 * that position is published (the consumer never reads prod.pos).
	 */
	_Atomic uint64_t seq;
	_Atomic uint32_t len;           /* payload bytes, or SHR_LEN_DISCARD */
	uint32_t _pad;
};

/*
 * Bytes from one payload to the next.  Up to a cache line, a power of two
 * (at least 8), so no payload straddles two lines; beyond, whole lines.  So
 * a payload of over half a line has its lines to itself, and the producer
 * filling it never takes a line the consumer is reading in another slot: a
 * 64-byte message is exactly one line.
 */
static inline uint32_t shr_payload_stride(uint32_t msg_size)
{
	uint32_t stride = 8;

	if (msg_size > SHR_CACHE_LINE)
		return (msg_size + SHR_CACHE_LINE - 1) & ~(uint32_t)(SHR_CACHE_LINE - 1);
	while (stride < msg_size)
		stride <<= 1;
	return stride;
}

/* Offset of payload 0: after the header and the slots' stamps, line-aligned. */
static inline uint64_t shr_payload_offset(uint32_t capacity)
{
	uint64_t end = sizeof(struct shr_hdr) + (uint64_t)capacity * sizeof(struct shr_slot);

	return (end + SHR_LINE - 1) & ~(uint64_t)(SHR_LINE - 1);
}

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
	       "cross-process atomics must be address-free (lock-free)");
_Static_assert(sizeof(struct shr_geom) == SHR_LINE, "geom is one line");
_Static_assert(sizeof(struct shr_prod) == SHR_LINE, "prod is one line");
_Static_assert(sizeof(struct shr_cons) == SHR_LINE, "cons is one line");
_Static_assert(sizeof(struct shr_ctl) == SHR_LINE, "ctl is one line");
_Static_assert(sizeof(struct shr_attach) == SHR_LINE, "attach entry is one line");
_Static_assert(offsetof(struct shr_hdr, prod) == 1 * SHR_LINE, "prod on its own line");
_Static_assert(offsetof(struct shr_hdr, cons) == 2 * SHR_LINE, "cons on its own line");
_Static_assert(offsetof(struct shr_hdr, ctl) == 3 * SHR_LINE, "ctl on its own line");
_Static_assert(offsetof(struct shr_hdr, att) == 4 * SHR_LINE, "table after ctl");
_Static_assert(sizeof(struct shr_hdr) == (4 + SHR_MAX_ATTACH) * SHR_LINE,
	       "layout change: bump SHR_LAYOUT_VERSION");
_Static_assert(sizeof(struct shr_slot) == 16, "four stamps to a cache line");
_Static_assert(sizeof(struct shr_ref) == 256, "reference size");

#endif /* SHR_LAYOUT_H */
