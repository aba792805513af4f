/* SPDX-License-Identifier: MIT */
/*
 * shmring watch: a ring's rates and fill level, refreshed in place on a
 * terminal, one line per refresh otherwise.
 *
 * It reads the ring with shmring_stat() and never attaches, so watching
 * changes nothing for the producers and consumers (end of stream, -EBUSY).
 * The ring counts messages, not bytes: bytes/s is shown only as the bound
 * msgs/s x msg_size, and labelled as such.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define BAR_WIDTH	40
#define FRAME_LINES	7

static const char watch_help[] =
	"Usage: shmring watch NAME [OPTION]...\n"
	"Show the ring's message rates, fill level, futex sleeps and peers, once\n"
	"per interval, until interrupted.  On a terminal the display is redrawn\n"
	"in place; otherwise one line is printed per interval.  The ring counts\n"
	"messages, not bytes, so bytes/s is an upper bound (msgs/s x msg_size).\n"
	"Watching does not attach to the ring.\n"
	"\n"
	"  -n, --count N        stop after N refreshes\n"
	"  -i, --interval DUR   time between refreshes (default 1s)\n"
	"  -h, --help           show this help and exit\n";

struct sample {
	struct shmring_info in;
	struct timespec t;
};

struct rates {
	bool valid;		/* false on the first frame or after a reset */
	double recv, sent, psleep, csleep;
};

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) * 1e-9;
}

static int take(const char *name, struct sample *s)
{
	int ret = shmring_stat(name, &s->in);

	clock_gettime(CLOCK_MONOTONIC, &s->t);
	return ret;
}

static struct rates rates_of(const struct sample *cur, const struct sample *prev)
{
	struct rates r = { 0 };
	double dt = ts_diff(&cur->t, &prev->t);

	/* Counters going backwards mean the name now holds a new ring. */
	if (dt <= 0 || cur->in.sent < prev->in.sent || cur->in.received < prev->in.received ||
	    cur->in.producer_sleeps < prev->in.producer_sleeps ||
	    cur->in.consumer_sleeps < prev->in.consumer_sleeps)
		return r;
	r.valid = true;
	r.recv = (double)(cur->in.received - prev->in.received) / dt;
	r.sent = (double)(cur->in.sent - prev->in.sent) / dt;
	r.psleep = (double)(cur->in.producer_sleeps - prev->in.producer_sleeps) / dt;
	r.csleep = (double)(cur->in.consumer_sleeps - prev->in.consumer_sleeps) / dt;
	return r;
}

static unsigned fill_pct(const struct shmring_info *in)
{
	if (!in->capacity)
		return 0;
	return (unsigned)((in->count * 100 + in->capacity / 2) / in->capacity);
}

static void print_line(const char *name, const struct sample *s, const struct rates *r)
{
	const struct shmring_info *in = &s->in;
	struct tm tm;
	time_t now = time(NULL);
	char when[16];

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s %s", when, name);
	if (r->valid)
		printf(" msgs/s=%.0f sent/s=%.0f max_bytes/s=%.0f sleeps/s=%.0f/%.0f",
		       r->recv, r->sent, r->recv * in->msg_size, r->psleep, r->csleep);
	else
		printf(" msgs/s=- sent/s=- max_bytes/s=- sleeps/s=-/-");
	printf(" used=%" PRIu64 "/%" PRIu32 " (%u%%) producers=%" PRIu32
	       " consumers=%" PRIu32 " abandoned=%" PRIu64 "\n",
	       in->count, in->capacity, fill_pct(in), in->producers, in->consumers,
	       in->abandoned);
	fflush(stdout);
}

static unsigned term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/*
 * Redraws the frame in place: cursor up over the previous frame, then every
 * line is cleared before it is written.  Lines are cut to the terminal width
 * because a wrapped line would make the cursor-up count wrong.
 */
static void draw_frame(const char *name, const struct sample *s, const struct rates *r,
		       bool redraw, const char *interval)
{
	const struct shmring_info *in = &s->in;
	char lines[FRAME_LINES][256], a[32], b[32], bar[BAR_WIDTH + 1];
	unsigned cols = term_cols();
	unsigned fill = in->capacity ?
		(unsigned)((in->count * BAR_WIDTH + in->capacity - 1) / in->capacity) : 0;

	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';

	snprintf(lines[0], sizeof(lines[0]), "%s  %s, %" PRIu32 " x %" PRIu32 " B, every %s (Ctrl-C to stop)",
		 name, cli_ring_type(in->flags), in->capacity, in->msg_size, interval);
	if (r->valid) {
		snprintf(lines[1], sizeof(lines[1]), "  msgs/s     %s received, %s sent",
			 cli_human(a, sizeof(a), r->recv, ""), cli_human(b, sizeof(b), r->sent, ""));
		snprintf(lines[2], sizeof(lines[2]), "  bytes/s    at most %s (the ring counts messages, not bytes)",
			 cli_human(a, sizeof(a), r->recv * in->msg_size, "B/s"));
		snprintf(lines[4], sizeof(lines[4]), "  sleeps/s   producers %.0f, consumers %.0f",
			 r->psleep, r->csleep);
	} else {
		snprintf(lines[1], sizeof(lines[1]), "  msgs/s     (measuring)");
		snprintf(lines[2], sizeof(lines[2]), "  bytes/s    (measuring)");
		snprintf(lines[4], sizeof(lines[4]), "  sleeps/s   (measuring)");
	}
	snprintf(lines[3], sizeof(lines[3]), "  fill       [%s] %3u%%  %" PRIu64 "/%" PRIu32,
		 bar, fill_pct(in), in->count, in->capacity);
	snprintf(lines[5], sizeof(lines[5]), "  peers      %" PRIu32 " producer%s, %" PRIu32
		 " consumer%s, %" PRIu64 " slot%s abandoned",
		 in->producers, in->producers == 1 ? "" : "s", in->consumers,
		 in->consumers == 1 ? "" : "s", in->abandoned, in->abandoned == 1 ? "" : "s");
	snprintf(lines[6], sizeof(lines[6]), "  totals     %" PRIu64 " sent, %" PRIu64 " received",
		 in->sent, in->received);

	if (redraw)
		printf("\033[%dA", FRAME_LINES);
	for (int i = 0; i < FRAME_LINES; i++)
		printf("\r\033[K%.*s\n", (int)(cols - 1), lines[i]);
	fflush(stdout);
}

int cmd_watch(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count",    required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *term = getenv("TERM");
	const char *interval_arg = "1s";
	int64_t interval = 1000000000;
	struct sample prev, cur;
	struct rates r = { 0 };
	struct timespec next;
	uint64_t count = 0, done = 0;
	const char *name;
	bool tty;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":n:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = cli_parse_size("watch", "--count", optarg, 1, UINT64_MAX);
			break;
		case 'i':
			interval = cli_parse_duration("watch", "--interval", optarg);
			interval_arg = optarg;
			if (interval < 10000000)
				cli_usage_error("watch", "--interval %s is shorter than 10ms", optarg);
			break;
		case 'h':
			fputs(watch_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("watch", c, argv);
		}
	}
	name = cli_one_name("watch", argc, argv);

	ret = take(name, &prev);
	if (ret < 0)
		return cli_fail(name, ret);
	tty = isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
	cli_install_stop_handlers();
	if (tty)
		draw_frame(name, &prev, &r, false, interval_arg);

	next = prev.t;
	while (!count || done < count) {
		next.tv_sec += interval / 1000000000;
		next.tv_nsec += interval % 1000000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		/* An absolute deadline keeps the refreshes from drifting. */
		while ((ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)) == EINTR)
			if (cli_stop)
				return EXIT_OK;
		if (cli_stop)
			return EXIT_OK;
		ret = take(name, &cur);
		if (ret < 0)
			return cli_fail(name, ret);
		r = rates_of(&cur, &prev);
		if (tty)
			draw_frame(name, &cur, &r, true, interval_arg);
		else
			print_line(name, &cur, &r);
		/* After a stall (suspended, overloaded) restart the cadence. */
		if (ts_diff(&cur.t, &next) > (double)interval * 1e-9)
			next = cur.t;
		prev = cur;
		done++;
	}
	return EXIT_OK;
}
