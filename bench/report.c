/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "hist.h"
#include "pin.h"
#include "report.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stat3 summarise(double *v, unsigned n)
{
	struct stat3 s = { NAN, NAN, NAN, n };

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static double metric_of(const struct cell_result *c, enum metric m)
{
	switch (m) {
	case M_P50: return c->rtt[0];
	case M_P90: return c->rtt[1];
	case M_P99: return c->rtt[2];
	case M_P999: return c->rtt[3];
	case M_MAX: return c->rtt[4];
	case M_TPUT: return c->tput;
	case M_GAP: return c->gap_ns;
	}
	return NAN;
}

struct stat3 tres_stat(const struct tres *r, enum metric m)
{
	double v[MAX_REPS];
	unsigned i, n = 0;

	if (!r || r->state != TS_OK)
		return summarise(v, 0);
	for (i = 0; i < r->nreps; i++)
		if (r->rep[i].state == CELL_OK && !(m == M_GAP && r->rep[i].gap_ns < 0))
			v[n++] = metric_of(&r->rep[i], m);
	return summarise(v, n);
}

struct stat3 ratio_stat(const struct tres *num, const struct tres *den, enum metric m)
{
	double v[MAX_REPS];
	unsigned i, n = 0;

	if (!num || !den || num->state != TS_OK || den->state != TS_OK)
		return summarise(v, 0);
	for (i = 0; i < num->nreps && i < den->nreps; i++) {
		double a = metric_of(&num->rep[i], m), b = metric_of(&den->rep[i], m);

		if (num->rep[i].state == CELL_OK && den->rep[i].state == CELL_OK && b > 0)
			v[n++] = a / b;
	}
	return summarise(v, n);
}

const struct tres *gres_find(const struct gres *gr, const struct transport *t)
{
	unsigned i;

	for (i = 0; i < ntransports; i++)
		if (gr->tr[i].t == t)
			return &gr->tr[i];
	return NULL;
}

const struct tres *best_peer(const struct gres *gr)
{
	const struct tres *best = NULL;
	double bv = 0;
	unsigned i;
	bool rtt = gr->g.test == TEST_RTT;

	for (i = 0; i < ntransports; i++) {
		const struct tres *r = &gr->tr[i];
		struct stat3 s;

		if (!r->t || !(r->t->caps & TC_PEER) || r->state != TS_OK)
			continue;
		s = tres_stat(r, rtt ? M_P50 : M_TPUT);
		if (!s.n)
			continue;
		if (!best || (rtt ? s.med < bv : s.med > bv)) {
			best = r;
			bv = s.med;
		}
	}
	return best;
}

const char *wait_name(const struct group *g)
{
	return g->block ? "block" : "spin";
}

const char *batch_name(const struct group *g, char *buf, size_t len)
{
	if (g->api == API_ZC)
		snprintf(buf, len, "zc");
	else
		snprintf(buf, len, "%u", g->api == API_BURST ? g->batch : 1);
	return buf;
}

const char *group_label(const struct group *g, char *buf, size_t len)
{
	char api[32], layout[32] = "";

	if (g->api == API_SINGLE)
		snprintf(api, sizeof(api), "single");
	else if (g->api == API_BURST)
		snprintf(api, sizeof(api), "burst %u", g->batch);
	else
		snprintf(api, sizeof(api), "zero-copy");
	if (g->pattern == PAT_MPMC)
		snprintf(layout, sizeof(layout), " %uP+%uC", g->producers, g->consumers);
	snprintf(buf, len, "%s%s %s, %u B, %s, %s",
		 g->pattern == PAT_SPSC ? "spsc" : "mpmc", layout,
		 g->test == TEST_RTT ? "round trip" : "throughput",
		 g->msg_size, api, wait_name(g));
	return buf;
}

const char *fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (fabs(v) >= 0.1 || v == 0)
		snprintf(buf, len, "%.2f", v);
	else if (fabs(v) >= 0.001)
		snprintf(buf, len, "%.2g", v);  /* small ratios keep two digits */
	else
		snprintf(buf, len, "%.1e", v);
	return buf;
}

const char *fmt_stat(char *buf, size_t len, struct stat3 s, double scale)
{
	char a[32], b[32], c[32];

	if (!s.n) {
		snprintf(buf, len, "-");
		return buf;
	}
	fmt_num(a, sizeof(a), s.med * scale);
	if (s.n == 1) {
		snprintf(buf, len, "%s", a);
		return buf;
	}
	snprintf(buf, len, "%s [%s-%s]", a, fmt_num(b, sizeof(b), s.min * scale),
		 fmt_num(c, sizeof(c), s.max * scale));
	return buf;
}

void report_header(FILE *f, const char *clock_desc, unsigned ngroups, unsigned ncells,
		   double seconds)
{
	fprintf(f, "shmring-bench %s: %u groups, %u repetitions, %s, %s\n", PACKAGE_VERSION,
		ngroups, opt.reps, opt.threads ? "threads in one process" : "two or more processes",
		opt.quick ? "quick" : "full");
	fprintf(f, "plan: %u runs, about %.0f s on an idle machine\n", ncells, seconds);
	fprintf(f, "clock: %s\n", clock_desc);
	if (pin_ncpus() < 2)
		fprintf(f, "note: only one CPU is usable (cpu %s): every side shares it, "
			"so figures show scheduling, not transfer\n", pin_describe());
	else
		fprintf(f, "cpus: %s (%s)\n", pin_describe(),
			opt.pin ? "worker i pinned to the i-th" : "not pinned");
	fprintf(f, "per cell: %.2f s throughput, %.2f s round trip, after %.2f s warm-up; "
		"capacity %u messages%s\n", opt.duration, opt.rtt_duration, opt.warmup, opt.capacity,
		opt.huge ? ", shmring on 2 MiB pages" : "");
	fprintf(f, "figures: median [min-max] of the repetitions; ratios per repetition, "
		"then median [min-max]\n");
}

static const char *tname(const struct tres *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", r->t->name,
		 r->threads && !opt.threads ? " (thr)" : "");
	return buf;
}

/*
 * A small text table: cells are filled first, then every column is as wide
 * as its widest cell.  A row with a note prints the note after the name.
 */
#define TBL_COLS 10
#define TBL_ROWS (MAX_TRANSPORTS + 1)
#define TBL_CELL 48

struct table {
	unsigned ncols, nrows;
	char cell[TBL_ROWS][TBL_COLS][TBL_CELL];
	char note[TBL_ROWS][BENCH_ERR_LEN + 128];
};

static void tbl_print(FILE *f, const struct table *t)
{
	size_t w[TBL_COLS] = { 0 };
	unsigned r, c;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if (!t->note[r][0] || c == 0) {
				size_t n = strlen(t->cell[r][c]);

				if (n > w[c])
					w[c] = n;
			}
	for (r = 0; r < t->nrows; r++) {
		fputs("  ", f);
		if (t->note[r][0]) {
			fprintf(f, "%-*s  %s\n", (int)w[0], t->cell[r][0], t->note[r]);
			continue;
		}
		for (c = 0; c < t->ncols; c++)
			fprintf(f, c + 1 < t->ncols ? "%-*s  " : "%-*s", c + 1 < t->ncols ? (int)w[c] : 0,
				t->cell[r][c]);
		fputc('\n', f);
	}
}

static void rtt_rows(struct table *tb, const struct gres *gr, const struct tres *limit,
		     const struct tres *peer)
{
	static const char *const head[] = { "transport", "p50 ns", "p90 ns", "p99 ns",
					    "p99.9 ns", "max ns", "x limit (p50)",
					    "x best peer (p50)" };
	static const enum metric ms[] = { M_P50, M_P90, M_P99, M_P999, M_MAX };
	unsigned i, k;

	tb->ncols = peer ? 8 : 7;
	for (k = 0; k < tb->ncols; k++)
		snprintf(tb->cell[0][k], TBL_CELL, "%s", head[k]);
	tb->nrows = 1;
	for (i = 0; i < ntransports; i++) {
		const struct tres *r = &gr->tr[i];
		unsigned row = tb->nrows;

		if (!r->t || r->state == TS_OFF)
			continue;
		tb->nrows++;
		tname(r, tb->cell[row][0], TBL_CELL);
		if (r->state != TS_OK) {
			snprintf(tb->note[row], sizeof(tb->note[row]), "%s%s",
				 r->state == TS_FAIL ? "FAIL: " : "", r->note);
			continue;
		}
		for (k = 0; k < 5; k++)
			fmt_stat(tb->cell[row][1 + k], TBL_CELL, tres_stat(r, ms[k]), 1);
		fmt_stat(tb->cell[row][6], TBL_CELL, ratio_stat(r, limit, M_P50), 1);
		if (peer)
			fmt_stat(tb->cell[row][7], TBL_CELL, ratio_stat(r, peer, M_P50), 1);
	}
}

static void tput_rows(struct table *tb, const struct gres *gr, const struct tres *peer,
		      bool gaps)
{
	unsigned i, k, n = 0;

	snprintf(tb->cell[0][n++], TBL_CELL, "transport");
	snprintf(tb->cell[0][n++], TBL_CELL, "Mmsg/s");
	snprintf(tb->cell[0][n++], TBL_CELL, "MB/s");
	if (peer)
		snprintf(tb->cell[0][n++], TBL_CELL, "x best peer");
	if (gaps)
		snprintf(tb->cell[0][n++], TBL_CELL, "longest no-dequeue gap ms");
	tb->ncols = n;
	tb->nrows = 1;
	for (i = 0; i < ntransports; i++) {
		const struct tres *r = &gr->tr[i];
		unsigned row = tb->nrows;
		struct stat3 t;
		bool ovf = false;

		if (!r->t || r->state == TS_OFF || r->t == &transport_cacheline)
			continue;
		tb->nrows++;
		tname(r, tb->cell[row][0], TBL_CELL);
		if (r->state != TS_OK) {
			snprintf(tb->note[row], sizeof(tb->note[row]), "%s%s",
				 r->state == TS_FAIL ? "FAIL: " : "", r->note);
			continue;
		}
		t = tres_stat(r, M_TPUT);
		n = 1;
		fmt_stat(tb->cell[row][n++], TBL_CELL, t, 1e-6);
		fmt_stat(tb->cell[row][n++], TBL_CELL, t, gr->g.msg_size / 1e6);
		if (peer)
			fmt_stat(tb->cell[row][n++], TBL_CELL, ratio_stat(r, peer, M_TPUT), 1);
		if (gaps) {
			for (k = 0; k < r->nreps; k++)
				ovf |= r->rep[k].gap_overflow;
			fmt_stat(tb->cell[row][n], TBL_CELL, tres_stat(r, M_GAP), 1e-6);
			if (ovf)
				strncat(tb->cell[row][n], " or more",
					TBL_CELL - strlen(tb->cell[row][n]) - 1);
		}
	}
}

void report_group(FILE *f, const struct gres *gr)
{
	static struct table tb;
	const struct group *g = &gr->g;
	const struct tres *limit = gres_find(gr, &transport_cacheline);
	const struct tres *peer = best_peer(gr);
	char label[128], a[64];
	bool gaps = false;
	unsigned i;

	for (i = 0; i < ntransports; i++)
		if (tres_stat(&gr->tr[i], M_GAP).n)
			gaps = true;
	memset(&tb, 0, sizeof(tb));
	fprintf(f, "\n== %s\n", group_label(g, label, sizeof(label)));
	if (g->test == TEST_RTT) {
		rtt_rows(&tb, gr, limit, peer);
	} else {
		struct stat3 p = tres_stat(limit, M_P50);

		if (p.n)
			fprintf(f, "  probe: cache-line round trip p50 %s ns\n",
				fmt_stat(a, sizeof(a), p, 1));
		else if (limit && limit->state != TS_OFF && limit->state != TS_OK)
			fprintf(f, "  probe: cache-line round trip %s%s\n",
				limit->state == TS_FAIL ? "FAIL: " : "", limit->note);
		tput_rows(&tb, gr, peer, gaps);
	}
	tbl_print(f, &tb);
	if (peer)
		fprintf(f, "  best peer: %s\n", peer->t->name);
}

/* ---- CSV ---- */

int csv_write(const char *path, const struct gres *gr, unsigned n)
{
	static const struct { enum metric m; const char *name; } rtt_m[] = {
		{ M_P50, "rtt_p50" }, { M_P99, "rtt_p99" }, { M_P999, "rtt_p999" },
		{ M_MAX, "rtt_max" },
	};
	FILE *f = fopen(path, "w");
	char batch[16];
	unsigned gi, i, k;

	if (!f)
		return -errno;
	fprintf(f, "transport,pattern,msg_size,batch,wait,metric,value,unit\n");
	for (gi = 0; gi < n; gi++) {
		const struct group *g = &gr[gi].g;

		for (i = 0; i < ntransports; i++) {
			const struct tres *r = &gr[gi].tr[i];

			if (!r->t || r->state != TS_OK)
				continue;
			if (g->test == TEST_RTT) {
				for (k = 0; k < sizeof(rtt_m) / sizeof(rtt_m[0]); k++)
					fprintf(f, "%s,%s,%u,%s,%s,%s,%.1f,ns\n", r->t->name,
						g->pattern == PAT_SPSC ? "spsc" : "mpmc", g->msg_size,
						batch_name(g, batch, sizeof(batch)), wait_name(g),
						rtt_m[k].name, tres_stat(r, rtt_m[k].m).med);
			} else if (r->t != &transport_cacheline) {
				fprintf(f, "%s,%s,%u,%s,%s,throughput,%.0f,msgs_per_s\n", r->t->name,
					g->pattern == PAT_SPSC ? "spsc" : "mpmc", g->msg_size,
					batch_name(g, batch, sizeof(batch)), wait_name(g),
					tres_stat(r, M_TPUT).med);
			}
		}
	}
	if (fclose(f))
		return -errno;
	return 0;
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static void json_stat(FILE *f, const char *key, struct stat3 s)
{
	fprintf(f, "\"%s\": {\"median\": ", key);
	json_num(f, s.n ? s.med : NAN);
	fputs(", \"min\": ", f);
	json_num(f, s.n ? s.min : NAN);
	fputs(", \"max\": ", f);
	json_num(f, s.n ? s.max : NAN);
	fprintf(f, ", \"n\": %u}", s.n);
}

static const char *state_name(enum tstate s)
{
	switch (s) {
	case TS_OK: return "ok";
	case TS_SKIP: return "skipped";
	case TS_NA: return "n/a";
	case TS_FAIL: return "fail";
	case TS_OFF: return "off";
	}
	return "?";
}

int json_write(const char *path, const struct gres *gr, unsigned n, const char *clock_desc)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	char batch[16];
	unsigned gi, i, k;

	if (!f)
		return -errno;
	fprintf(f, "{\n  \"version\": \"%s\",\n  \"clock\": ", PACKAGE_VERSION);
	json_str(f, clock_desc);
	fprintf(f, ",\n  \"cpus\": \"%s\",\n  \"pinned\": %s,\n  \"layout\": \"%s\",\n",
		pin_describe(), opt.pin ? "true" : "false", opt.threads ? "threads" : "processes");
	fprintf(f, "  \"reps\": %u,\n  \"duration_s\": %g,\n  \"rtt_duration_s\": %g,\n"
		"  \"warmup_s\": %g,\n  \"capacity\": %u,\n  \"groups\": [\n",
		opt.reps, opt.duration, opt.rtt_duration, opt.warmup, opt.capacity);
	for (gi = 0; gi < n; gi++) {
		const struct group *g = &gr[gi].g;
		const struct tres *limit = gres_find(&gr[gi], &transport_cacheline);
		const struct tres *peer = best_peer(&gr[gi]);
		bool rtt = g->test == TEST_RTT, first = true;

		fprintf(f, "    {\"pattern\": \"%s\", \"test\": \"%s\", \"msg_size\": %u, "
			"\"batch\": \"%s\", \"wait\": \"%s\", \"producers\": %u, \"consumers\": %u,\n"
			"     \"best_peer\": ",
			g->pattern == PAT_SPSC ? "spsc" : "mpmc", rtt ? "rtt" : "throughput",
			g->msg_size, batch_name(g, batch, sizeof(batch)), wait_name(g),
			g->producers, g->consumers);
		if (peer)
			json_str(f, peer->t->name);
		else
			fputs("null", f);
		fputs(",\n     \"results\": [\n", f);
		for (i = 0; i < ntransports; i++) {
			const struct tres *r = &gr[gi].tr[i];

			if (!r->t || r->state == TS_OFF)
				continue;
			fprintf(f, "%s      {\"transport\": \"%s\", \"state\": \"%s\", \"threads\": %s",
				first ? "" : ",\n", r->t->name, state_name(r->state),
				r->threads ? "true" : "false");
			first = false;
			if (r->state != TS_OK) {
				fputs(", \"note\": ", f);
				json_str(f, r->note);
				fputc('}', f);
				continue;
			}
			if (rtt || r->t == &transport_cacheline) {
				fputs(",\n       ", f);
				json_stat(f, "rtt_p50_ns", tres_stat(r, M_P50));
				fputs(", ", f);
				json_stat(f, "rtt_p90_ns", tres_stat(r, M_P90));
				fputs(",\n       ", f);
				json_stat(f, "rtt_p99_ns", tres_stat(r, M_P99));
				fputs(", ", f);
				json_stat(f, "rtt_p999_ns", tres_stat(r, M_P999));
				fputs(",\n       ", f);
				json_stat(f, "rtt_max_ns", tres_stat(r, M_MAX));
				if (limit && rtt) {
					fputs(", ", f);
					json_stat(f, "x_limit_p50", ratio_stat(r, limit, M_P50));
				}
				if (peer && rtt) {
					fputs(", ", f);
					json_stat(f, "x_best_peer_p50", ratio_stat(r, peer, M_P50));
				}
			} else {
				fputs(",\n       ", f);
				json_stat(f, "throughput_msgs_per_s", tres_stat(r, M_TPUT));
				if (peer) {
					fputs(", ", f);
					json_stat(f, "x_best_peer", ratio_stat(r, peer, M_TPUT));
				}
				if (tres_stat(r, M_GAP).n) {
					fputs(", ", f);
					json_stat(f, "max_gap_ns", tres_stat(r, M_GAP));
				}
			}
			fputs(",\n       \"reps\": [", f);
			for (k = 0; k < r->nreps; k++) {
				const struct cell_result *c = &r->rep[k];

				fprintf(f, "%s{", k ? ", " : "");
				if (rtt || r->t == &transport_cacheline) {
					fputs("\"rtt_ns\": [", f);
					json_num(f, c->rtt[0]);
					fputs(", ", f);
					json_num(f, c->rtt[1]);
					fputs(", ", f);
					json_num(f, c->rtt[2]);
					fputs(", ", f);
					json_num(f, c->rtt[3]);
					fputs(", ", f);
					json_num(f, c->rtt[4]);
					fprintf(f, "], \"samples\": %llu}", (unsigned long long)c->count);
				} else {
					fputs("\"msgs_per_s\": ", f);
					json_num(f, c->tput);
					if (c->gap_ns >= 0) {
						fputs(", \"max_gap_ns\": ", f);
						json_num(f, c->gap_ns);
					}
					fprintf(f, ", \"messages\": %llu}", (unsigned long long)c->count);
				}
			}
			fputs("]}", f);
		}
		fprintf(f, "\n     ]}%s\n", gi + 1 < n ? "," : "");
	}
	fputs("  ],\n", f);
	goals_json(f, gr, n);
	fputs("}\n", f);
	if (f != stdout && fclose(f))
		return -errno;
	return 0;
}
