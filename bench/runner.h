/* SPDX-License-Identifier: MIT */
/*
 * Running one cell: the parent builds the channels, starts the workers
 * (processes by default, threads with --threads), releases them together,
 * watches the clock and checks what they report.
 */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include <stdalign.h>

#include "bench.h"
#include "hist.h"

#define GAP_MAX 16384   /* recorded gaps per consumer */
#define RTT_MIN_SAMPLES 200  /* round trips wanted after the warm-up */

struct gap {
	uint64_t from, to;      /* ticks */
};

/* Control block shared by the parent and its workers (anonymous MAP_SHARED). */
struct ctl {
	alignas(64) _Atomic uint32_t ready;     /* futex: workers attached */
	_Atomic uint32_t go;                    /* futex: 1 = start, 2 = abort */
	alignas(64) _Atomic uint32_t producers_done;
	alignas(64) uint64_t t_go, t_warm, t_deadline;  /* ticks */
	uint64_t t_hard_end;    /* round trips: stop here even without enough samples */
	uint64_t t_data_end;    /* the last producer finished its data */
	uint64_t gap_ticks;     /* gaps shorter than this are not recorded */
	struct worker_result w[BENCH_MAX_WORKERS];
	struct hist hist;       /* the pinger's round trips */
	struct gap gaps[BENCH_MAX_CONSUMERS][GAP_MAX];
};

/* What one worker needs to know. */
struct wctx {
	const struct transport *t;
	const struct group *g;
	const struct chan_spec *spec;   /* [2] for channel round trips, else [1] */
	void *const *shared;
	unsigned idx;                   /* worker index */
	unsigned nworkers;
	bool track_gaps;
	struct ctl *ctl;
};

/*
 * CELL_NODATA: the run verified but too little happened after the warm-up
 * to give a figure (a badly overloaded machine); the repetition is left out.
 */
enum cell_state { CELL_OK, CELL_FAIL, CELL_NA, CELL_NODATA };

struct cell_result {
	enum cell_state state;
	char err[BENCH_ERR_LEN + 64];
	double rtt[5];          /* ns: p50 p90 p99 p99.9 max */
	double tput;            /* data messages per second */
	double gap_ns;          /* longest time with no dequeue; -1 if not tracked */
	double gap_at_ns;       /* where it began, from the end of the warm-up */
	double window_ns;       /* end of the warm-up to the end of the data */
	bool gap_overflow;
	uint64_t count;         /* round trips measured / messages moved */
};

int runner_init(void);
/* Run @t in configuration @g once.  @h receives the round trips (may be NULL). */
void cell_run(const struct transport *t, const struct group *g, struct cell_result *res,
	      struct hist *h);
/* Does @t take part in @g at all, and if not, why (for the table)? */
bool cell_applies(const struct transport *t, const struct group *g, const char **why);
bool cell_in_threads(const struct transport *t);
/* CPUs the group's workers are spread over. */
unsigned group_cpus(const struct group *g);

/* worker.c */
int worker_main(struct wctx *w);

#endif /* BENCH_RUNNER_H */
