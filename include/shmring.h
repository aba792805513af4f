/* SPDX-License-Identifier: MIT */
/*
 * shmring - lock-free message rings between processes in POSIX shared memory.
 *
 * Every function that can fail returns a negative errno value; nothing here
 * prints, exits, aborts or raises a signal.  See shmring(7) for the model.
 */
#ifndef SHMRING_H
#define SHMRING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SHMRING_API __attribute__((visibility("default")))
#else
#define SHMRING_API
#endif

struct shmring;                         /* opaque handle, one per attachment */

#define SHMRING_MP        (1u << 0)     /* many producers may attach */
#define SHMRING_MC        (1u << 1)     /* many consumers may attach */
#define SHMRING_HUGEPAGES (1u << 2)     /* back the region with 2 MiB pages */

#define SHMRING_PRODUCER  1             /* roles for shmring_open, may be OR-ed */
#define SHMRING_CONSUMER  2

#define SHMRING_NOWAIT    0             /* timeout_ns values */
#define SHMRING_FOREVER   (-1)

/* Limits of struct shmring_config and of names. */
#define SHMRING_CAPACITY_MIN 2u
#define SHMRING_CAPACITY_MAX (1u << 30)
#define SHMRING_MSG_SIZE_MAX (1u << 24)
#define SHMRING_NAME_MAX     200

struct shmring_config {
	uint32_t capacity;   /* slots: a power of two, 2 .. 2^30 */
	uint32_t msg_size;   /* largest message in bytes: 1 .. 2^24 */
	uint32_t flags;      /* SHMRING_MP | SHMRING_MC | SHMRING_HUGEPAGES */
	uint32_t mode;       /* permission bits of the region; 0 means 0600 */
};

/**
 * shmring_create() - make a new ring in shared memory
 * @name: 1..200 characters of [A-Za-z0-9._-], optionally after one '/'
 * @cfg:  geometry, mode flags and permission bits
 *
 * The region is fully built under a private name and then published
 * atomically, so a concurrent shmring_open() sees either nothing (-ENOENT)
 * or a complete ring.  All pages are reserved up front.  Does not attach.
 *
 * Concurrency: any thread, any time.
 * With SHMRING_HUGEPAGES the slots live in a hugetlbfs mount or a System V
 * SHM_HUGETLB segment (environment: SHMRING_HUGE_BACKEND=hugetlbfs|sysv,
 * SHMRING_HUGETLBFS=DIR); every huge page is allocated here.
 *
 * Return: 0, or -EINVAL (bad name or config), -EEXIST (name taken),
 * -ENOSPC or -ENOMEM (memory or huge pages short, kernel.shmmax too small),
 * -EACCES, -EPERM (huge pages need CAP_IPC_LOCK or vm.hugetlb_shm_group),
 * -EOPNOTSUPP (huge pages not available).
 */
SHMRING_API int shmring_create(const char *name, const struct shmring_config *cfg);

/**
 * shmring_open() - attach to a ring by name
 * @name:  as for shmring_create()
 * @role:  SHMRING_PRODUCER, SHMRING_CONSUMER or both OR-ed
 * @ringp: receives the handle; set to NULL on failure
 *
 * The header is validated against the object's size before any slot is
 * touched.  A single-producer or single-consumer role held by a process that
 * has died is taken over, along with anything the dead holder left behind.
 *
 * Concurrency: any thread, any time.  A handle belongs to the process that
 * opened it; a forked child must open its own.
 * Return: 0, or -EINVAL (bad name or role), -ENOENT (no such ring),
 * -EACCES (no permission), -EPROTO (not a ring of this layout version, or
 * its header disagrees with its size), -EBUSY (single role held by a live
 * process), -EMFILE (attachment table full), -ENOMEM, -ENOSYS (/proc is
 * not mounted: peers could not be judged alive or dead).
 */
SHMRING_API int shmring_open(const char *name, int role, struct shmring **ringp);

/**
 * shmring_close() - detach and free the handle
 * @ring: handle, or NULL (no-op)
 *
 * An unpublished claim is given up (consumers skip it); an unreleased peek is
 * released.  When the last producer that attached closes, consumers see end
 * of stream once the ring is drained.
 *
 * Concurrency: not concurrently with any other call on @ring.
 */
SHMRING_API void shmring_close(struct shmring *ring);

/**
 * shmring_unlink() - remove a ring's name
 * @name: as for shmring_create()
 *
 * Attached processes keep working; the memory goes when the last detaches.
 *
 * Concurrency: any thread, any time.
 * Return: 0, or -EINVAL, -ENOENT, -EACCES.
 */
SHMRING_API int shmring_unlink(const char *name);

/**
 * shmring_send() - copy one message into the ring
 * @ring:       handle opened with SHMRING_PRODUCER
 * @msg, @len:  payload; @len may be 0 and at most msg_size
 * @timeout_ns: SHMRING_NOWAIT, SHMRING_FOREVER, or an upper bound
 *
 * Concurrency: one thread per handle; several producer handles only if the
 * ring was created with SHMRING_MP.
 * Progress: lock-free; no system call unless the ring is full and
 * @timeout_ns != 0, or a consumer sleeps and must be woken.
 * Return: 0, or -EAGAIN (full, NOWAIT), -ETIMEDOUT, -EINTR, -EMSGSIZE
 * (ring untouched), -EPERM (not a producer), -EPIPE (full and every
 * consumer that attached has gone), -EBUSY (a ring of one producer and one
 * consumer, and this handle holds a claim: the claimed slot comes first,
 * so publish it first), -EINVAL, -EPROTO (region corrupted).
 */
SHMRING_API int shmring_send(struct shmring *ring, const void *msg, size_t len,
			     int64_t timeout_ns);

/**
 * shmring_recv() - copy the oldest message out of the ring
 * @ring:       handle opened with SHMRING_CONSUMER
 * @buf, @cap:  destination and its size in bytes
 * @timeout_ns: SHMRING_NOWAIT, SHMRING_FOREVER, or an upper bound
 *
 * Concurrency: one thread per handle; several consumer handles only if the
 * ring was created with SHMRING_MC.
 * Progress: lock-free; sleeps on a futex only when empty and @timeout_ns != 0.
 * Return: message length, or -EAGAIN, -ETIMEDOUT, -EINTR, -EMSGSIZE
 * (message stays queued), -EPERM (not a consumer), -EPIPE (empty and every
 * producer that attached has gone), -EBUSY (a ring of one producer and one
 * consumer, and this handle holds a peek: release it first), -EINVAL,
 * -EPROTO (a corrupted message was dropped).
 */
SHMRING_API ssize_t shmring_recv(struct shmring *ring, void *buf, size_t cap,
				 int64_t timeout_ns);

/**
 * shmring_send_burst() - copy up to @n messages into the ring
 * @ring:       producer handle
 * @msgs, @n:   messages; each iov_len at most msg_size
 * @timeout_ns: bound on the wait for room for the first message
 *
 * Sends as many messages as there is room for now, at least one, in order.
 *
 * Concurrency: as shmring_send().
 * Return: number of messages sent (1..@n), or the errors of shmring_send();
 * -EMSGSIZE if msgs[0] is too long (a later too-long message ends the
 * burst before it).
 */
SHMRING_API int shmring_send_burst(struct shmring *ring, const struct iovec *msgs,
				   unsigned n, int64_t timeout_ns);

/**
 * shmring_recv_burst() - copy up to @n messages out of the ring
 * @ring:       consumer handle
 * @bufs, @n:   buffers; each iov_len is set to the message length received
 * @timeout_ns: bound on the wait for the first message
 *
 * Concurrency: as shmring_recv().
 * Return: number of messages received (1..@n), or the errors of
 * shmring_recv(); -EMSGSIZE if the first message does not fit bufs[0] (a
 * later one that does not fit its buffer ends the burst before it).
 */
SHMRING_API int shmring_recv_burst(struct shmring *ring, struct iovec *bufs,
				   unsigned n, int64_t timeout_ns);

struct shmring_msg {
	void    *data;       /* the slot's payload, msg_size bytes */
	size_t   len;        /* producer sets it before publish; consumer reads it */
	uint64_t token;      /* private to the library */
};

/**
 * shmring_claim() - reserve a slot to write a message in place
 * @ring:       producer handle
 * @m:          receives data (msg_size writable bytes) and len = msg_size
 * @timeout_ns: bound on the wait for room
 *
 * Concurrency: one claim outstanding per handle.
 * Return: 0, or -EAGAIN, -ETIMEDOUT, -EINTR, -EPERM, -EPIPE, -EBUSY (this
 * handle already holds a claim), -EINVAL, -EPROTO.
 */
SHMRING_API int shmring_claim(struct shmring *ring, struct shmring_msg *m,
			      int64_t timeout_ns);

/**
 * shmring_publish() - make a claimed slot visible to consumers
 * @ring: producer handle
 * @m:    the message from shmring_claim(), with len set
 *
 * Concurrency: as shmring_send().
 * Return: 0, or -EINVAL (@m is not this handle's claim), -EMSGSIZE (len
 * above msg_size; the claim stays held), -EPERM.
 */
SHMRING_API int shmring_publish(struct shmring *ring, struct shmring_msg *m);

/**
 * shmring_peek() - look at the oldest message in place
 * @ring:       consumer handle
 * @m:          receives data and len of the message
 * @timeout_ns: bound on the wait for a message
 *
 * The message is taken off the ring for other consumers; the slot is
 * returned to producers by shmring_release().
 *
 * Concurrency: one peek outstanding per handle.
 * Return: 0, or -EAGAIN, -ETIMEDOUT, -EINTR, -EPERM, -EPIPE, -EBUSY (this
 * handle already holds a peek), -EINVAL, -EPROTO.
 */
SHMRING_API int shmring_peek(struct shmring *ring, struct shmring_msg *m,
			     int64_t timeout_ns);

/**
 * shmring_release() - give a peeked slot back to producers
 * @ring: consumer handle
 * @m:    the message from shmring_peek()
 *
 * Concurrency: as shmring_recv().
 * Return: 0, or -EINVAL (@m is not this handle's peek), -EPERM.
 */
SHMRING_API int shmring_release(struct shmring *ring, struct shmring_msg *m);

struct shmring_info {
	uint32_t capacity, msg_size, flags, page_size;  /* page_size: bytes of the pages backing the region */
	uint64_t region_size;                           /* bytes mapped */
	uint64_t count;                                 /* messages in the ring now */
	uint64_t sent, received;                        /* totals since create */
	uint64_t producer_sleeps, consumer_sleeps;      /* futex waits so far */
	uint32_t producers, consumers;                  /* attached now */
	uint64_t abandoned;                             /* slots given up because their holder died */
};

/**
 * shmring_info() - read a ring's geometry and counters
 * @ring: any handle
 * @info: filled in
 *
 * Counters are read without stopping the ring: each is exact at some moment
 * during the call.  Does no liveness check (see shmring_stat()).
 *
 * Concurrency: as any call on @ring.
 * Return: 0, or -EINVAL, -EPROTO.
 */
SHMRING_API int shmring_info(struct shmring *ring, struct shmring_info *info);

/**
 * shmring_stat() - read a ring's geometry and counters by name
 * @name: as for shmring_create()
 * @info: filled in
 *
 * Needs only read permission and does not attach.  Attachments of dead
 * processes are not counted in producers and consumers.
 *
 * Concurrency: any thread, any time.
 * Return: 0, or -EINVAL, -ENOENT, -EACCES, -EPROTO, -ENOMEM.
 */
SHMRING_API int shmring_stat(const char *name, struct shmring_info *info);

/**
 * shmring_strerror() - text for a negative return of this library
 * @err: a value returned by a shmring function (negative errno)
 *
 * Concurrency: thread-safe; the string is static.
 * Return: a short sentence saying what went wrong in shmring's terms.
 */
SHMRING_API const char *shmring_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SHMRING_H */
