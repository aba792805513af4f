/* SPDX-License-Identifier: MIT */
/*
 * --plot FILE.png: four panels drawn by gnuplot from data files written to a
 * private temporary directory:
 *   1. spsc throughput (single message, spin) per message size, bars;
 *   2. and 3. round-trip latency CDFs per transport at 64 B (or the first
 *      size measured), spin and block;
 *   4. throughput of every API and layout at that size, bars: spsc single
 *      message spin and block, burst 8 and 32, zero-copy, then the two
 *      MPMC layouts (spin, block).
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "hist.h"
#include "report.h"

extern char **environ;

#ifndef GNUPLOT_PATH
#define GNUPLOT_PATH ""
#endif

/* One colour per transport, the same in every panel; shmring stands out. */
static const char *colour(const struct transport *t)
{
	static const struct { const struct transport *t; const char *rgb; } tab[] = {
		{ &transport_cacheline, "#555555" }, { &transport_shmring, "#d62728" },
		{ &transport_rte_ring, "#1f77b4" }, { &transport_ck_ring, "#2ca02c" },
		{ &transport_wfcqueue, "#9467bd" }, { &transport_futex, "#8c564b" },
		{ &transport_pipe, "#ff7f0e" }, { &transport_unix, "#e377c2" },
		{ &transport_mq, "#17becf" },
	};
	unsigned i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].t == t)
			return tab[i].rgb;
	return "#000000";
}

static const struct gres *find(const struct gres *gr, unsigned n, enum pattern p,
			       enum test_kind t, enum api_kind a, unsigned batch, bool block,
			       uint32_t size)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct group *g = &gr[i].g;

		if (g->pattern == p && g->test == t && g->api == a && g->block == block &&
		    (size == 0 || g->msg_size == size) && (a != API_BURST || g->batch == batch))
			return &gr[i];
	}
	return NULL;
}

/* The size the detail panels show: 64 B if measured, else the first one. */
static uint32_t focus_size(const struct gres *gr, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (gr[i].g.msg_size == 64)
			return 64;
	return n ? gr[0].g.msg_size : 64;
}

static bool shown(const struct tres *r, bool probe)
{
	return r->t && r->state == TS_OK && (probe || r->t != &transport_cacheline);
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return fopen(path, "w");
}

/* Throughput bars: one row per x category, one column per transport. */
static int write_bars(const char *dir, const char *name, const struct gres *rows[],
		      const char *labels[], unsigned nrows, bool col[MAX_TRANSPORTS])
{
	char path[512];
	FILE *f = open_in(dir, name, path, sizeof(path));
	unsigned r, i;

	if (!f)
		return -errno;
	for (r = 0; r < nrows; r++)
		for (i = 0; rows[r] && i < ntransports; i++)
			if (shown(&rows[r]->tr[i], false))
				col[i] = true;
	fputs("# x", f);
	for (i = 0; i < ntransports; i++)
		if (col[i])
			fprintf(f, " %s", transports[i]->name);
	fputc('\n', f);
	for (r = 0; r < nrows; r++) {
		fprintf(f, "\"%s\"", labels[r]);
		for (i = 0; i < ntransports; i++) {
			struct stat3 s;

			if (!col[i])
				continue;
			s = rows[r] ? tres_stat(&rows[r]->tr[i], M_TPUT) : (struct stat3){ 0 };
			if (rows[r] && shown(&rows[r]->tr[i], false) && s.n)
				fprintf(f, " %.4g", s.med / 1e6);
			else
				fputs(" ?", f);
		}
		fputc('\n', f);
	}
	return fclose(f) ? -errno : 0;
}

/* One CDF file per transport; returns the plot clause for them. */
static int write_cdfs(const char *dir, const char *tag, const struct gres *g, char *clause,
		      size_t len)
{
	size_t off = 0;
	unsigned i, k;

	clause[0] = '\0';
	for (i = 0; g && i < ntransports; i++) {
		const struct tres *r = &g->tr[i];
		char name[64], path[512];
		uint64_t seen = 0, lo, width;
		FILE *f;

		if (!shown(r, true) || !r->hist || !r->hist->count)
			continue;
		snprintf(name, sizeof(name), "cdf-%s-%s.dat", tag, r->t->name);
		f = open_in(dir, name, path, sizeof(path));
		if (!f)
			return -errno;
		for (k = 0; k < HIST_BUCKETS; k++) {
			if (!r->hist->b[k])
				continue;
			seen += r->hist->b[k];
			hist_bucket(k, &lo, &width);
			fprintf(f, "%.1f %.6f\n", clk_to_ns(lo + width), (double)seen /
				(double)r->hist->count);
		}
		if (fclose(f))
			return -errno;
		off += (size_t)snprintf(clause + off, len - off,
					"%s'%s' using 1:2 with steps lw 2 lc rgb '%s' title '%s'",
					off ? ", " : "", path, colour(r->t), r->t->name);
		if (off >= len)
			return -ENAMETOOLONG;
	}
	return 0;
}

static void bars_plot(FILE *gp, const char *dir, const char *file, const bool col[],
		      const char *title, const char *xlabel)
{
	unsigned i, k = 0;

	fprintf(gp, "set title '%s'\nset xlabel '%s'\nset ylabel 'million msgs/s (log)'\n"
		"set logscale y\nunset logscale x\nset format x '%%g'\nset yrange [*:*]\n"
		"set xrange [*:*]\n"
		"set style data histograms\nset style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\nset boxwidth 0.9\nset key outside right top\n",
		title, xlabel);
	for (i = 0; i < ntransports; i++) {
		if (!col[i])
			continue;
		fprintf(gp, "%s'%s/%s' using %u%s title '%s' lc rgb '%s'", k ? ", " : "plot ",
			dir, file, k + 2, k ? "" : ":xtic(1)", transports[i]->name,
			colour(transports[i]));
		k++;
	}
	if (!k)
		fputs("set label 1 'no data' at graph 0.45, graph 0.5\nplot NaN notitle\n"
		      "unset label 1", gp);
	fputc('\n', gp);
}

static void cdf_plot(FILE *gp, const char *clause, const char *title)
{
	fprintf(gp, "set title '%s'\nset xlabel 'round trip, ns (log)'\nset format x '%%.0s%%c'\n"
		"set ylabel 'fraction of round trips'\nset logscale x\nunset logscale y\n"
		"set yrange [0:1.02]\nset xrange [*:*]\nset key outside right top\n"
		"set style data lines\n", title);
	if (!clause[0]) {
		fputs("set label 1 'no data' at graph 0.45, graph 0.5\nplot NaN notitle\n"
		      "unset label 1\n", gp);
		return;
	}
	fprintf(gp, "plot %s\n", clause);
}

static int run_gnuplot(const char *script)
{
	const char *exe = GNUPLOT_PATH[0] && !access(GNUPLOT_PATH, X_OK) ? GNUPLOT_PATH : "gnuplot";
	char *argv[] = { (char *)exe, (char *)script, NULL };
	pid_t pid;
	int st, ret;
	sigset_t none;
	posix_spawnattr_t attr;

	/* The child must not inherit the blocked SIGCHLD of the harness. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	ret = posix_spawnp(&pid, exe, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (ret)
		return -ret;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

/* Remove what write_*() and plot_write() put in the mkdtemp() directory. */
static void remove_dir(const char *dir)
{
	static const char *const files[] = { "plot.gp", "tput-spsc.dat", "tput-api.dat" };
	char path[600];
	unsigned i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	for (i = 0; i < ntransports; i++) {
		snprintf(path, sizeof(path), "%s/cdf-spin-%s.dat", dir, transports[i]->name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/cdf-block-%s.dat", dir, transports[i]->name);
		unlink(path);
	}
	rmdir(dir);
}

int plot_write(const char *path, const struct gres *gr, unsigned n)
{
	static const uint32_t sizes[] = { 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
					  16384, 32768, 65536 };
	char dir[] = "/tmp/shmring-bench-plot-XXXXXX", script[600], title[160];
	char spin_clause[8192], block_clause[8192];
	const struct gres *rows[16], *api_rows[8];
	const char *labels[16], *api_labels[8];
	char size_labels[16][16];
	bool col1[MAX_TRANSPORTS] = { false }, col2[MAX_TRANSPORTS] = { false };
	unsigned nrows = 0, napi = 0, i;
	uint32_t fs = focus_size(gr, n);
	FILE *gp;
	int ret;

	if (!mkdtemp(dir))
		return -errno;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && nrows < 16; i++) {
		const struct gres *g = find(gr, n, PAT_SPSC, TEST_TPUT, API_SINGLE, 1, false, sizes[i]);

		if (!g)
			continue;
		snprintf(size_labels[nrows], sizeof(size_labels[nrows]), "%u B", sizes[i]);
		labels[nrows] = size_labels[nrows];
		rows[nrows++] = g;
	}
#define API_ROW(lbl, p, a, b, blk)						\
	do {									\
		const struct gres *g_ = find(gr, n, p, TEST_TPUT, a, b, blk, fs);	\
		if (g_) {							\
			api_labels[napi] = lbl;					\
			api_rows[napi++] = g_;					\
		}								\
	} while (0)
	API_ROW("spin", PAT_SPSC, API_SINGLE, 1, false);
	API_ROW("block", PAT_SPSC, API_SINGLE, 1, true);
	API_ROW("burst8", PAT_SPSC, API_BURST, 8, false);
	API_ROW("burst32", PAT_SPSC, API_BURST, 32, false);
	API_ROW("zc", PAT_SPSC, API_ZC, 1, false);
	API_ROW("mpmc", PAT_MPMC, API_SINGLE, 1, false);
	API_ROW("mpmc blk", PAT_MPMC, API_SINGLE, 1, true);
#undef API_ROW

	ret = write_bars(dir, "tput-spsc.dat", rows, labels, nrows, col1);
	if (!ret)
		ret = write_bars(dir, "tput-api.dat", api_rows, api_labels, napi, col2);
	if (!ret)
		ret = write_cdfs(dir, "spin", find(gr, n, PAT_SPSC, TEST_RTT, API_SINGLE, 1, false, fs),
				 spin_clause, sizeof(spin_clause));
	if (!ret)
		ret = write_cdfs(dir, "block", find(gr, n, PAT_SPSC, TEST_RTT, API_SINGLE, 1, true, fs),
				 block_clause, sizeof(block_clause));
	if (ret)
		goto out;

	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	gp = fopen(script, "w");
	if (!gp) {
		ret = -errno;
		goto out;
	}
	fprintf(gp, "set terminal pngcairo noenhanced size 1600,1200 font ',10'\n"
		"set output '%s'\nset datafile missing '?'\nset grid ytics\n"
		"set multiplot layout 2,2 title 'shmring-bench %s: median of %u repetitions "
		"(%s)'\n", path, PACKAGE_VERSION, opt.reps,
		opt.threads ? "threads" : "processes");
	bars_plot(gp, dir, "tput-spsc.dat", col1, "spsc throughput, single message, spin",
		  "message size");
	snprintf(title, sizeof(title), "spsc round trip CDF, %u B, spin", fs);
	cdf_plot(gp, spin_clause, title);
	snprintf(title, sizeof(title), "spsc round trip CDF, %u B, block", fs);
	cdf_plot(gp, block_clause, title);
	snprintf(title, sizeof(title), "throughput by API and layout, %u B", fs);
	bars_plot(gp, dir, "tput-api.dat", col2, title, "");
	fputs("unset multiplot\n", gp);
	if (fclose(gp)) {
		ret = -errno;
		goto out;
	}
	ret = run_gnuplot(script);
out:
	remove_dir(dir);
	return ret;
}
