/* SPDX-License-Identifier: MIT */
/*
 * The performance goals of the library, each a ratio between two transports
 * measured in the same group, repetition by repetition.  A goal passes when
 * the median ratio meets its bound (and, for the oversubscribed one, when
 * the longest no-dequeue gap of every repetition is within its bound).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report.h"

#define GAP_BOUND_NS 5e6

struct goal {
	const char *id;
	const char *text;
	struct group g;
	const struct transport *den[2];  /* per repetition, the better of the two */
	enum metric m;
	bool at_most;                    /* ratio <= bound (latency) else >= bound */
	double bound;
	bool gap;
};

#define SPSC_G(t, a, b, blk, sz) \
	{ .pattern = PAT_SPSC, .test = t, .api = a, .batch = b, .block = blk, \
	  .msg_size = sz, .producers = 1, .consumers = 1 }
#define MPMC_G(a, b, blk, sz, p, c, cpus) \
	{ .pattern = PAT_MPMC, .test = TEST_TPUT, .api = a, .batch = b, .block = blk, \
	  .msg_size = sz, .producers = p, .consumers = c, .max_cpus = cpus }

static const struct goal goals[] = {
	{ "G1", "spsc 64 B round trip p50 <= 1.15 x cache-line ping-pong",
	  SPSC_G(TEST_RTT, API_SINGLE, 1, false, 64),
	  { &transport_cacheline, NULL }, M_P50, true, 1.15, false },
	{ "G2", "spsc 8 B throughput, single >= 1.5 x best(rte_ring sp/sc, ck_ring spsc)",
	  SPSC_G(TEST_TPUT, API_SINGLE, 1, false, 8),
	  { &transport_rte_ring, &transport_ck_ring }, M_TPUT, false, 1.5, false },
	{ "G3", "spsc 64 B throughput, single >= 1.5 x best(rte_ring sp/sc, ck_ring spsc)",
	  SPSC_G(TEST_TPUT, API_SINGLE, 1, false, 64),
	  { &transport_rte_ring, &transport_ck_ring }, M_TPUT, false, 1.5, false },
	{ "G4", "spsc 64 B throughput, burst 32 >= rte_ring burst 32",
	  SPSC_G(TEST_TPUT, API_BURST, 32, false, 64),
	  { &transport_rte_ring, NULL }, M_TPUT, false, 1.0, false },
	{ "G5", "mpmc 1P+1C 64 B throughput, single >= 1.5 x rte_ring mp/mc",
	  MPMC_G(API_SINGLE, 1, false, 64, 1, 1, 0),
	  { &transport_rte_ring, NULL }, M_TPUT, false, 1.5, false },
	{ "G6", "mpmc 2P+2C on 2 cpus, block, 64 B >= 2 x rte_ring; gap <= 5 ms",
	  MPMC_G(API_SINGLE, 1, true, 64, 2, 2, 2),
	  { &transport_rte_ring, NULL }, M_TPUT, false, 2.0, true },
	{ "G7", "spsc 64 B round trip p50, block <= 1.1 x raw futex ping-pong",
	  SPSC_G(TEST_RTT, API_SINGLE, 1, true, 64),
	  { &transport_futex, NULL }, M_P50, true, 1.1, false },
};
#define NGOALS (sizeof(goals) / sizeof(goals[0]))

static bool same_group(const struct group *a, const struct group *b)
{
	return a->pattern == b->pattern && a->test == b->test && a->api == b->api &&
	       (a->api != API_BURST || a->batch == b->batch) && a->block == b->block &&
	       a->msg_size == b->msg_size && a->producers == b->producers &&
	       a->consumers == b->consumers && a->max_cpus == b->max_cpus;
}

bool goal_group(const struct group *g)
{
	unsigned i;

	for (i = 0; i < NGOALS; i++)
		if (same_group(&goals[i].g, g))
			return true;
	return false;
}

void goals_groups(struct group *out, unsigned *n)
{
	unsigned i, j, k = 0;

	/* In matrix order: round trips first, then throughput. */
	for (j = 0; j < 2; j++)
		for (i = 0; i < NGOALS; i++)
			if ((goals[i].g.test == TEST_RTT) == (j == 0))
				out[k++] = goals[i].g;
	*n = k;
}

struct verdict {
	const char *state;      /* PASS, MISS, SKIP */
	char why[BENCH_ERR_LEN + 200];
	struct stat3 ratio, gap;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void judge(const struct goal *gl, const struct gres *gr, unsigned n, struct verdict *v)
{
	const struct gres *grp = NULL;
	const struct tres *num, *den[2] = { NULL, NULL };
	double r[MAX_REPS];
	unsigned i, k, nr = 0;

	memset(v, 0, sizeof(*v));
	v->state = "SKIP";
	for (i = 0; i < n && !grp; i++)
		if (same_group(&gr[i].g, &gl->g))
			grp = &gr[i];
	if (!grp) {
		snprintf(v->why, sizeof(v->why), "not measured in this run");
		return;
	}
	num = gres_find(grp, &transport_shmring);
	if (!num || num->state != TS_OK) {
		snprintf(v->why, sizeof(v->why), "shmring: %s",
			 num && num->state != TS_OFF ? num->note : "not run");
		return;
	}
	for (k = 0; k < 2 && gl->den[k]; k++) {
		const struct tres *d = gres_find(grp, gl->den[k]);

		if (d && d->state == TS_OK)
			den[k] = d;
		else if (!den[0] && (k == 1 || !gl->den[1])) {
			snprintf(v->why, sizeof(v->why), "%s: %s", gl->den[k]->name,
				 d && d->state != TS_OFF ? d->note : "not run");
		}
	}
	if (!den[0] && den[1]) {
		den[0] = den[1];
		den[1] = NULL;
	}
	if (!den[0]) {
		if (!v->why[0])
			snprintf(v->why, sizeof(v->why), "no reference measured");
		return;
	}
	for (i = 0; i < num->nreps; i++) {
		double a, b = NAN;

		if (num->rep[i].state != CELL_OK)
			continue;
		a = gl->m == M_P50 ? num->rep[i].rtt[0] : num->rep[i].tput;
		for (k = 0; k < 2 && den[k]; k++) {
			double x;

			if (i >= den[k]->nreps || den[k]->rep[i].state != CELL_OK)
				continue;
			x = gl->m == M_P50 ? den[k]->rep[i].rtt[0] : den[k]->rep[i].tput;
			/* The better reference: lower latency, higher throughput. */
			if (isnan(b) || (gl->m == M_P50 ? x < b : x > b))
				b = x;
		}
		if (!isnan(b) && b > 0)
			r[nr++] = a / b;
	}
	if (!nr) {
		snprintf(v->why, sizeof(v->why), "no paired repetitions");
		return;
	}
	qsort(r, nr, sizeof(r[0]), cmp_double);
	v->ratio.n = nr;
	v->ratio.min = r[0];
	v->ratio.max = r[nr - 1];
	v->ratio.med = nr % 2 ? r[nr / 2] : (r[nr / 2 - 1] + r[nr / 2]) / 2;
	v->state = (gl->at_most ? v->ratio.med <= gl->bound : v->ratio.med >= gl->bound) ?
		   "PASS" : "MISS";
	snprintf(v->why, sizeof(v->why), "vs %s%s%s", den[0]->t->name,
		 den[1] ? "/" : "", den[1] ? den[1]->t->name : "");
	if (gl->gap) {
		/* Judged on the worst repetition: a stall is a stall. */
		v->gap = tres_stat(num, M_GAP);
		if (!v->gap.n) {
			v->state = "SKIP";
			snprintf(v->why, sizeof(v->why), "gap not tracked (layout not oversubscribed)");
		} else if (v->gap.max > GAP_BOUND_NS) {
			v->state = "MISS";
		}
	}
}

void goals_print(FILE *f, const struct gres *gr, unsigned n)
{
	char a[64], b[64];
	unsigned i;

	fprintf(f, "\n== goals (ratio per repetition, median [min-max]; PASS when the median "
		"meets the bound)\n");
	for (i = 0; i < NGOALS; i++) {
		struct verdict v;

		judge(&goals[i], gr, n, &v);
		if (!v.ratio.n) {
			fprintf(f, "  %-3s %-72s %-22s SKIP (%s)\n", goals[i].id, goals[i].text, "-",
				v.why);
			continue;
		}
		fmt_stat(a, sizeof(a), v.ratio, 1);
		fprintf(f, "  %-3s %-72s %-22s %s  (%s)", goals[i].id, goals[i].text, a, v.state,
			v.why);
		if (goals[i].gap && v.gap.n)
			fprintf(f, "  gap ms %s (bound 5, worst repetition)", fmt_stat(b, sizeof(b), v.gap, 1e-6));
		fputc('\n', f);
	}
}

void goals_json(FILE *f, const struct gres *gr, unsigned n)
{
	unsigned i;

	fputs("  \"goals\": [\n", f);
	for (i = 0; i < NGOALS; i++) {
		struct verdict v;

		judge(&goals[i], gr, n, &v);
		fprintf(f, "    {\"id\": \"%s\", \"text\": \"%s\", \"bound\": %g, \"at_most\": %s, "
			"\"state\": \"%s\"", goals[i].id, goals[i].text, goals[i].bound,
			goals[i].at_most ? "true" : "false", v.state);
		if (v.ratio.n)
			fprintf(f, ", \"ratio\": {\"median\": %.4g, \"min\": %.4g, \"max\": %.4g, "
				"\"n\": %u}", v.ratio.med, v.ratio.min, v.ratio.max, v.ratio.n);
		if (v.gap.n)
			fprintf(f, ", \"gap_ns\": {\"median\": %.4g, \"min\": %.4g, \"max\": %.4g}",
				v.gap.med, v.gap.min, v.gap.max);
		fprintf(f, "}%s\n", i + 1 < NGOALS ? "," : "");
	}
	fputs("  ]\n", f);
}
