/* SPDX-License-Identifier: MIT */
/*
 * shmring-bench: shared types.  One cell is one run of one transport in one
 * configuration; a group is the set of cells that are compared with each
 * other (same pattern, size, API, wait and layout), run interleaved.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <sys/types.h>
#include <sys/uio.h>

#define BENCH_MAX_PRODUCERS 32
#define BENCH_MAX_CONSUMERS 32
#define BENCH_MAX_WORKERS   (BENCH_MAX_PRODUCERS + BENCH_MAX_CONSUMERS)
#define BENCH_MAX_BATCH     64
#define BENCH_ERR_LEN       200

enum test_kind { TEST_RTT, TEST_TPUT };
enum api_kind { API_SINGLE, API_BURST, API_ZC };
enum pattern { PAT_SPSC, PAT_MPMC };

/* Transport capabilities. */
#define TC_CHANNEL  (1u << 0)   /* a message channel (send/recv) */
#define TC_PINGPONG (1u << 1)   /* only a round-trip primitive (cacheline, futex) */
#define TC_BURST    (1u << 2)
#define TC_ZC       (1u << 3)
#define TC_BLOCK    (1u << 4)   /* waits natively; otherwise the harness policy */
#define TC_MULTI    (1u << 5)   /* several producers and consumers */
#define TC_PROCESS  (1u << 6)   /* works across processes (else threads only) */
#define TC_SPIN     (1u << 7)   /* has a spin (poll) form */
#define TC_PEER     (1u << 8)   /* counts as a peer (vs a baseline) */

enum role { ROLE_TX = 1, ROLE_RX = 2 };

/* What a transport is asked to build: one unidirectional channel. */
struct chan_spec {
	char name[64];          /* unique in the system, without a leading '/' */
	uint32_t msg_size;      /* every message is exactly this long */
	uint32_t capacity;      /* messages in flight (power of two) */
	unsigned producers, consumers;
	bool multi;             /* created for MPMC use */
	bool block;             /* blocking waits (else polled) */
	bool threads;           /* all ends in one process */
	bool huge;              /* shmring: SHMRING_HUGEPAGES */
};

struct transport {
	const char *name;       /* as in the CSV */
	const char *skip;       /* non-NULL: why it cannot run in this build */
	unsigned caps;

	/* Parent side, before workers start and after they all stopped. */
	int (*create)(const struct chan_spec *s, void **shared);
	void (*destroy)(const struct chan_spec *s, void *shared);

	/* Worker side.  role is ROLE_TX or ROLE_RX. */
	int (*attach)(const struct chan_spec *s, void *shared, int role, void **ep);
	void (*detach)(void *ep);

	/*
	 * Channels: 0 / length on success, -EAGAIN when the transport would
	 * wait and either block is false or it has no blocking of its own.
	 */
	int (*send)(void *ep, const void *msg, size_t len, bool block);
	ssize_t (*recv)(void *ep, void *buf, size_t cap, bool block);
	int (*send_burst)(void *ep, const struct iovec *iov, unsigned n, bool block);
	int (*recv_burst)(void *ep, struct iovec *iov, unsigned n, bool block);
	int (*claim)(void *ep, void **data, bool block);
	int (*publish)(void *ep, size_t len);
	int (*peek)(void *ep, const void **data, size_t *len, bool block);
	int (*release)(void *ep);

	/*
	 * Ping-pong primitives: ping() hands @seq over and waits for the echo,
	 * pong() waits for the next value and echoes it; a pong that returns 1
	 * saw the stop value.  Both return -EBADMSG on an unexpected value.
	 */
	int (*ping)(void *ep, uint32_t seq, bool block);
	int (*pong)(void *ep, uint32_t expect, bool block);
	void (*stop)(void *ep);
};

/* One figure set for one cell. */
struct worker_result {
	int status;                     /* 0 ok */
	char err[BENCH_ERR_LEN];
	uint64_t sent;                  /* data messages (producer) */
	uint64_t received;              /* data messages (consumer) */
	uint64_t recv_at_warm;          /* received when the warm-up ended */
	uint64_t t_warm;                /* ticks when recv_at_warm was taken */
	uint64_t t_end;                 /* ticks at the stop message */
	uint64_t t_last;                /* ticks of the last data message */
	/* MPMC verification, per producer: count, sum of seq, sum of mix(seq). */
	uint64_t cnt[BENCH_MAX_PRODUCERS];
	uint64_t sum[BENCH_MAX_PRODUCERS];
	uint64_t mix[BENCH_MAX_PRODUCERS];
	/* Gaps longer than the threshold: [gap_off, gap_off + ngaps). */
	uint32_t ngaps;
	bool gaps_overflow;
};

struct cell;
struct hist;

/* The configuration of one group. */
struct group {
	enum pattern pattern;
	enum test_kind test;
	enum api_kind api;
	unsigned batch;         /* 1, or the burst size */
	bool block;
	uint32_t msg_size;
	unsigned producers, consumers;
	unsigned max_cpus;      /* spread workers over at most this many CPUs; 0 = all */
};

struct options {
	bool quick;
	bool threads;
	bool goals_only;
	bool pin;
	bool verbose;
	unsigned reps;
	double duration;        /* seconds per cell (throughput) */
	double rtt_duration;    /* seconds per cell (round trip) */
	double warmup;          /* seconds, not measured, before each cell */
	uint32_t capacity;
	bool huge;              /* shmring rings on 2 MiB pages */
	const char *csv;
	const char *json;
	const char *plot;
	const char *only;       /* comma list of transports, NULL = all */
	uint32_t sizes[16];
	unsigned nsizes;
	unsigned producers, consumers;  /* custom MPMC layout, 0 = standard */
	int clock;              /* 0 auto, 1 tsc, 2 monotonic */
	double gap_threshold_us;
	bool inject_fault;      /* receivers corrupt one message: tests the FAIL path */
};

extern struct options opt;

/* transport.c and transport_*.c */
extern const struct transport transport_shmring, transport_cacheline,
	transport_futex, transport_pipe, transport_unix, transport_mq,
	transport_rte_ring, transport_ck_ring, transport_wfcqueue;
extern const struct transport *const transports[];
extern const unsigned ntransports;
const struct transport *transport_find(const char *name);
bool transport_selected(const struct transport *t);

/* The wait policy for transports without blocking, see wait.h. */
#define BENCH_SPIN_BOUND     1024u      /* polls before sched_yield in block mode */
#define BENCH_LIVELOCK_BOUND (1u << 16) /* polls before one sched_yield in spin mode */

/* Unique object names: "shrb-<pid>-<n>-<what>". */
void bench_name(char *buf, size_t len, const char *what);

#endif /* BENCH_H */
