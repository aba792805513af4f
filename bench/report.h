/* SPDX-License-Identifier: MIT */
/*
 * Results of a group and how they are shown: the aligned table, CSV, JSON.
 * Every figure is a median over the repetitions, printed with its spread
 * (min-max); every ratio is taken repetition by repetition (the two cells
 * ran next to each other) and then summarised the same way.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdio.h>

#include "bench.h"
#include "runner.h"

#define MAX_REPS 21
#define MAX_TRANSPORTS 16

enum tstate { TS_OK, TS_SKIP, TS_NA, TS_FAIL, TS_OFF };

struct tres {
	const struct transport *t;
	enum tstate state;
	char note[BENCH_ERR_LEN + 96];
	bool threads;
	unsigned nreps;
	struct cell_result rep[MAX_REPS];
	struct hist *hist;      /* round trips of all repetitions */
};

struct gres {
	struct group g;
	struct tres tr[MAX_TRANSPORTS];  /* indexed like transports[] */
};

enum metric { M_P50, M_P90, M_P99, M_P999, M_MAX, M_TPUT, M_GAP };

struct stat3 {
	double med, min, max;
	unsigned n;
};

/* Summary of one metric over the repetitions of one transport. */
struct stat3 tres_stat(const struct tres *r, enum metric m);
/* Per-repetition ratio num/den of metric m (den may be NULL-safe). */
struct stat3 ratio_stat(const struct tres *num, const struct tres *den, enum metric m);
/* The peer with the best median for the group's headline metric, or NULL. */
const struct tres *best_peer(const struct gres *gr);
const struct tres *gres_find(const struct gres *gr, const struct transport *t);

const char *group_label(const struct group *g, char *buf, size_t len);
const char *wait_name(const struct group *g);
const char *batch_name(const struct group *g, char *buf, size_t len);

void report_header(FILE *f, const char *clock_desc, unsigned ngroups, unsigned ncells,
		   double seconds);
void report_group(FILE *f, const struct gres *gr);
int csv_write(const char *path, const struct gres *gr, unsigned n);
int json_write(const char *path, const struct gres *gr, unsigned n, const char *clock_desc);

/* goals.c */
void goals_print(FILE *f, const struct gres *gr, unsigned n);
void goals_json(FILE *f, const struct gres *gr, unsigned n);
/* Is this group one that a goal reads? */
bool goal_group(const struct group *g);
void goals_groups(struct group *out, unsigned *n);

/* plot.c */
int plot_write(const char *path, const struct gres *gr, unsigned n);

/* Format helpers shared by the writers. */
const char *fmt_num(char *buf, size_t len, double v);
const char *fmt_stat(char *buf, size_t len, struct stat3 s, double scale);

#endif /* BENCH_REPORT_H */
