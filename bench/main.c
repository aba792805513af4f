/* SPDX-License-Identifier: MIT */
/*
 * shmring-bench: options, the matrix of groups, and the interleaved run.
 * Within a group every repetition runs each transport once, in the same
 * order (A B C A B C ...), so that drifting machine conditions hit all of
 * them alike; the cache-line probe is one of them.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "hist.h"
#include "pin.h"
#include "report.h"
#include "runner.h"
#include "shm.h"

#define MAX_GROUPS 256

struct options opt;

static struct {
	int pattern;            /* -1 any */
	int test;
	int wait;               /* -1 any, 0 spin, 1 block */
	unsigned apis;          /* bit per enum api_kind; 0 = all */
	const char *cpus;
	bool sizes_given;
} filt = { -1, -1, -1, 0, NULL, false };

static void usage(FILE *f)
{
	fprintf(f,
"Usage: shmring-bench [OPTION]...\n"
"Compare shmring with the hardware limit, kernel transports and peer rings.\n"
"\n"
"  --quick               the standard matrix in about a minute\n"
"  --goals               only the groups behind the performance goals, and the verdicts\n"
"  --csv FILE            one row per figure:\n"
"                        transport,pattern,msg_size,batch,wait,metric,value,unit\n"
"  --json FILE           everything, repetitions included ('-' for stdout)\n"
"  --plot FILE.png       throughput bars and latency CDFs, drawn with gnuplot\n"
"  --threads             run every transport's sides as threads of one process\n"
"  --producers P --consumers C   MPMC layout instead of the standard ones\n"
"  --only LIST           transports, e.g. shmring,cacheline,rte_ring\n"
"  --sizes LIST          message sizes in bytes, multiples of 8 (default 8,64,256,1024,4096)\n"
"  --pattern spsc|mpmc   --test rtt|throughput   --wait spin|block\n"
"  --api LIST            single,burst,zc\n"
"  --reps N              repetitions per group (default 5, quick 3)\n"
"  --duration S          seconds per throughput cell (default 1, quick 0.1)\n"
"  --rtt-duration S      seconds per round-trip cell (default 0.5, quick 0.1)\n"
"  --warmup S            unmeasured seconds before each cell (default 0.1, quick 0.02)\n"
"  --capacity N          ring depth in messages (default 1024)\n"
"  --huge[=hugetlbfs|sysv] shmring rings on 2 MiB pages (needs vm.nr_hugepages)\n"
"  --cpus LIST           use these CPUs (default: all allowed)\n"
"  --no-pin              do not pin workers to CPUs\n"
"  --clock tsc|monotonic time source (default: the TSC if the kernel trusts it)\n"
"  --gap-threshold US    shortest no-dequeue gap recorded (default 50)\n"
"  --inject-fault        corrupt one received message per run (tests that FAIL works)\n"
"  -v, --verbose         print every cell as it completes\n"
"  -h, --help            this text\n"
"  -V, --version\n"
"\n"
"Exit status: 0 when every run verified, 1 when any failed, 2 on a usage error.\n");
}

static int parse_sizes(const char *s)
{
	opt.nsizes = 0;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v < 8 || v % 8 || v > (1u << 20) ||
		    opt.nsizes == sizeof(opt.sizes) / sizeof(opt.sizes[0]))
			return -1;
		opt.sizes[opt.nsizes++] = (uint32_t)v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return opt.nsizes ? 0 : -1;
}

static int parse_apis(const char *s)
{
	filt.apis = 0;
	while (*s) {
		size_t n = strcspn(s, ",");

		if (n == 6 && !strncmp(s, "single", n))
			filt.apis |= 1u << API_SINGLE;
		else if (n == 5 && !strncmp(s, "burst", n))
			filt.apis |= 1u << API_BURST;
		else if (n == 2 && !strncmp(s, "zc", n))
			filt.apis |= 1u << API_ZC;
		else
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return filt.apis ? 0 : -1;
}

static int parse_double(const char *s, double *out, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned *out, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void die_usage(const char *what, const char *arg)
{
	fprintf(stderr, "shmring-bench: invalid %s: '%s'\n", what, arg);
	fprintf(stderr, "Try 'shmring-bench --help'.\n");
	exit(2);
}

enum {
	O_QUICK = 256, O_GOALS, O_CSV, O_JSON, O_PLOT, O_THREADS, O_PRODUCERS, O_CONSUMERS,
	O_ONLY, O_SIZES, O_PATTERN, O_TEST, O_WAIT, O_API, O_REPS, O_DURATION, O_RTT_DURATION,
	O_WARMUP, O_CAPACITY, O_HUGE, O_CPUS, O_NO_PIN, O_CLOCK, O_GAP, O_INJECT,
};

static void parse_options(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, O_QUICK },
		{ "goals", no_argument, NULL, O_GOALS },
		{ "csv", required_argument, NULL, O_CSV },
		{ "json", required_argument, NULL, O_JSON },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "threads", no_argument, NULL, O_THREADS },
		{ "producers", required_argument, NULL, O_PRODUCERS },
		{ "consumers", required_argument, NULL, O_CONSUMERS },
		{ "only", required_argument, NULL, O_ONLY },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "pattern", required_argument, NULL, O_PATTERN },
		{ "test", required_argument, NULL, O_TEST },
		{ "wait", required_argument, NULL, O_WAIT },
		{ "api", required_argument, NULL, O_API },
		{ "reps", required_argument, NULL, O_REPS },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rtt-duration", required_argument, NULL, O_RTT_DURATION },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "capacity", required_argument, NULL, O_CAPACITY },
		{ "huge", optional_argument, NULL, O_HUGE },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "no-pin", no_argument, NULL, O_NO_PIN },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "gap-threshold", required_argument, NULL, O_GAP },
		{ "inject-fault", no_argument, NULL, O_INJECT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	double duration = -1, rtt_duration = -1, warmup = -1;
	unsigned reps = 0;
	int c;

	opt.pin = true;
	opt.capacity = 1024;
	opt.gap_threshold_us = 50;
	while ((c = getopt_long(argc, argv, "vhV", lo, NULL)) != -1) {
		switch (c) {
		case O_QUICK: opt.quick = true; break;
		case O_GOALS: opt.goals_only = true; break;
		case O_CSV: opt.csv = optarg; break;
		case O_JSON: opt.json = optarg; break;
		case O_PLOT: opt.plot = optarg; break;
		case O_THREADS: opt.threads = true; break;
		case O_PRODUCERS:
			if (parse_uint(optarg, &opt.producers, 1, BENCH_MAX_PRODUCERS))
				die_usage("producer count", optarg);
			break;
		case O_CONSUMERS:
			if (parse_uint(optarg, &opt.consumers, 1, BENCH_MAX_CONSUMERS))
				die_usage("consumer count", optarg);
			break;
		case O_ONLY: {
			const char *p = optarg;

			while (*p) {
				char name[32];
				size_t n = strcspn(p, ",");

				snprintf(name, sizeof(name), "%.*s", (int)(n < 31 ? n : 31), p);
				if (!transport_find(name))
					die_usage("transport", name);
				p += n;
				if (*p == ',')
					p++;
			}
			opt.only = optarg;
			break;
		}
		case O_SIZES:
			if (parse_sizes(optarg))
				die_usage("size list (multiples of 8, 8..1048576)", optarg);
			filt.sizes_given = true;
			break;
		case O_PATTERN:
			if (!strcmp(optarg, "spsc"))
				filt.pattern = PAT_SPSC;
			else if (!strcmp(optarg, "mpmc"))
				filt.pattern = PAT_MPMC;
			else
				die_usage("pattern", optarg);
			break;
		case O_TEST:
			if (!strcmp(optarg, "rtt"))
				filt.test = TEST_RTT;
			else if (!strcmp(optarg, "throughput") || !strcmp(optarg, "tput"))
				filt.test = TEST_TPUT;
			else
				die_usage("test", optarg);
			break;
		case O_WAIT:
			if (!strcmp(optarg, "spin"))
				filt.wait = 0;
			else if (!strcmp(optarg, "block"))
				filt.wait = 1;
			else
				die_usage("wait", optarg);
			break;
		case O_API:
			if (parse_apis(optarg))
				die_usage("API list", optarg);
			break;
		case O_REPS:
			if (parse_uint(optarg, &reps, 1, MAX_REPS))
				die_usage("repetition count (1..21)", optarg);
			break;
		case O_DURATION:
			if (parse_double(optarg, &duration, 0.001, 3600))
				die_usage("duration", optarg);
			break;
		case O_RTT_DURATION:
			if (parse_double(optarg, &rtt_duration, 0.001, 3600))
				die_usage("duration", optarg);
			break;
		case O_WARMUP:
			if (parse_double(optarg, &warmup, 0, 60))
				die_usage("warm-up", optarg);
			break;
		case O_CAPACITY:
			if (parse_uint(optarg, &opt.capacity, 2, 1u << 24) ||
			    (opt.capacity & (opt.capacity - 1)))
				die_usage("capacity (a power of two)", optarg);
			break;
		case O_HUGE:
			opt.huge = true;
			/* The library reads its backend choice from the environment. */
			if (optarg && strcmp(optarg, "hugetlbfs") && strcmp(optarg, "sysv"))
				die_usage("huge-page backend (hugetlbfs or sysv)", optarg);
			if (optarg)
				setenv("SHMRING_HUGE_BACKEND", optarg, 1);
			break;
		case O_CPUS: filt.cpus = optarg; break;
		case O_NO_PIN: opt.pin = false; break;
		case O_CLOCK:
			if (!strcmp(optarg, "tsc"))
				opt.clock = 1;
			else if (!strcmp(optarg, "monotonic"))
				opt.clock = 2;
			else if (!strcmp(optarg, "auto"))
				opt.clock = 0;
			else
				die_usage("clock", optarg);
			break;
		case O_GAP:
			if (parse_double(optarg, &opt.gap_threshold_us, 1, 1e6))
				die_usage("gap threshold", optarg);
			break;
		case O_INJECT: opt.inject_fault = true; break;
		case 'v': opt.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("shmring-bench %s\n", PACKAGE_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die_usage("argument", argv[optind]);
	if (!opt.producers != !opt.consumers) {
		fprintf(stderr, "shmring-bench: --producers and --consumers go together\n");
		exit(2);
	}
	opt.reps = reps ? reps : opt.quick ? 3 : 5;
	opt.duration = duration > 0 ? duration : opt.quick ? 0.1 : 1.0;
	opt.rtt_duration = rtt_duration > 0 ? rtt_duration :
			   duration > 0 ? duration : opt.quick ? 0.1 : 0.5;
	opt.warmup = warmup >= 0 ? warmup : opt.quick ? 0.02 : 0.1;
	if (!opt.nsizes) {
		static const uint32_t def[] = { 8, 64, 256, 1024, 4096 };

		memcpy(opt.sizes, def, sizeof(def));
		opt.nsizes = sizeof(def) / sizeof(def[0]);
	}
}

/* ---- the matrix ---- */

static bool keep(const struct group *g)
{
	if (filt.pattern >= 0 && (int)g->pattern != filt.pattern)
		return false;
	if (filt.test >= 0 && (int)g->test != filt.test)
		return false;
	if (filt.wait >= 0 && (int)g->block != filt.wait)
		return false;
	if (filt.apis && !(filt.apis & (1u << g->api)))
		return false;
	return true;
}

static void add(struct group *gs, unsigned *n, struct group g)
{
	if (*n < MAX_GROUPS && keep(&g))
		gs[(*n)++] = g;
}

static bool in_list(uint32_t v, const uint32_t *l, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/*
 * The standard matrix.  Round trips and single-message throughput at every
 * size; blocking, bursts and zero-copy at the sizes that matter most; MPMC
 * at 64 B with 1P+1C spinning and 2P+2C blocking on two CPUs
 * (oversubscribed).  With --sizes, every kind of group uses every size.
 */
static unsigned build_matrix(struct group *gs)
{
	static const uint32_t sub_full[] = { 8, 64, 1024 }, sub_quick[] = { 64 };
	const uint32_t *sub = opt.quick ? sub_quick : sub_full;
	unsigned nsub = opt.quick ? 1 : 3, n = 0, i, b;
	uint32_t mp_size = in_list(64, opt.sizes, opt.nsizes) ? 64 : opt.sizes[0];
	static const unsigned bursts[] = { 8, 32 };

#define G(pat, tst, a, bt, blk, sz, p, c, mc) \
	(struct group){ .pattern = pat, .test = tst, .api = a, .batch = bt, .block = blk, \
			.msg_size = sz, .producers = p, .consumers = c, .max_cpus = mc }
	if (opt.goals_only) {
		goals_groups(gs, &n);
		for (i = 0; i < n;) {
			if (keep(&gs[i]))
				i++;
			else
				gs[i] = gs[--n];
		}
		return n;
	}
	for (i = 0; i < opt.nsizes; i++)
		add(gs, &n, G(PAT_SPSC, TEST_RTT, API_SINGLE, 1, false, opt.sizes[i], 1, 1, 0));
	for (i = 0; i < opt.nsizes; i++)
		if (filt.sizes_given || in_list(opt.sizes[i], sub, nsub))
			add(gs, &n, G(PAT_SPSC, TEST_RTT, API_SINGLE, 1, true, opt.sizes[i], 1, 1, 0));
	for (i = 0; i < opt.nsizes; i++)
		add(gs, &n, G(PAT_SPSC, TEST_TPUT, API_SINGLE, 1, false, opt.sizes[i], 1, 1, 0));
	for (i = 0; i < opt.nsizes; i++)
		if (filt.sizes_given || in_list(opt.sizes[i], sub, nsub))
			add(gs, &n, G(PAT_SPSC, TEST_TPUT, API_SINGLE, 1, true, opt.sizes[i], 1, 1, 0));
	for (b = 0; b < 2; b++)
		for (i = 0; i < opt.nsizes; i++)
			if (filt.sizes_given || in_list(opt.sizes[i], sub, nsub))
				add(gs, &n, G(PAT_SPSC, TEST_TPUT, API_BURST, bursts[b], false,
					      opt.sizes[i], 1, 1, 0));
	for (i = 0; i < opt.nsizes; i++)
		if (filt.sizes_given || in_list(opt.sizes[i], sub, nsub))
			add(gs, &n, G(PAT_SPSC, TEST_TPUT, API_ZC, 1, false, opt.sizes[i], 1, 1, 0));
	for (i = 0; i < opt.nsizes; i++) {
		if (!filt.sizes_given && opt.sizes[i] != mp_size)
			continue;
		if (opt.producers) {
			add(gs, &n, G(PAT_MPMC, TEST_TPUT, API_SINGLE, 1, false, opt.sizes[i],
				      opt.producers, opt.consumers, 0));
			add(gs, &n, G(PAT_MPMC, TEST_TPUT, API_SINGLE, 1, true, opt.sizes[i],
				      opt.producers, opt.consumers, 0));
		} else {
			add(gs, &n, G(PAT_MPMC, TEST_TPUT, API_SINGLE, 1, false, opt.sizes[i],
				      1, 1, 0));
			add(gs, &n, G(PAT_MPMC, TEST_TPUT, API_SINGLE, 1, true, opt.sizes[i],
				      2, 2, 2));
		}
	}
#undef G
	return n;
}

/* Which transports take part in --goals: the ones a goal compares. */
static bool goal_transport(const struct transport *t)
{
	return t == &transport_shmring || t == &transport_cacheline || t == &transport_futex ||
	       t == &transport_rte_ring || t == &transport_ck_ring;
}

/* ---- running ---- */

static void on_signal(int sig)
{
	names_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void raise_limits(void)
{
	struct rlimit rl;

	/* Deep POSIX message queues need more than the default 800 KiB. */
	if (!getrlimit(RLIMIT_MSGQUEUE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
		rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
	}
}

/* The group the cache-line probe runs in, next to a throughput group. */
static struct group probe_group(const struct group *g)
{
	struct group p = *g;

	p.test = TEST_RTT;
	p.pattern = PAT_SPSC;
	p.api = API_SINGLE;
	p.batch = 1;
	p.producers = p.consumers = 1;
	p.block = false;
	p.max_cpus = 0;
	return p;
}

static void init_group(struct gres *gr, const struct group *g)
{
	unsigned i;

	memset(gr, 0, sizeof(*gr));
	gr->g = *g;
	for (i = 0; i < ntransports && i < MAX_TRANSPORTS; i++) {
		struct tres *r = &gr->tr[i];
		const struct transport *t = transports[i];
		const char *why;

		r->t = t;
		r->threads = !t->skip && cell_in_threads(t);
		if (!transport_selected(t) || (opt.goals_only && !goal_transport(t)) ||
		    !cell_applies(t, g, &why)) {
			r->state = TS_OFF;
			continue;
		}
		if (t->skip) {
			r->state = TS_SKIP;
			snprintf(r->note, sizeof(r->note), "%s", t->skip);
		} else if (why) {
			r->state = TS_NA;
			snprintf(r->note, sizeof(r->note), "%s", why);
		}
		if (r->state == TS_OK && (g->test == TEST_RTT || t == &transport_cacheline)) {
			r->hist = malloc(sizeof(*r->hist));
			if (!r->hist) {
				fprintf(stderr, "shmring-bench: out of memory\n");
				exit(1);
			}
			hist_reset(r->hist);
		}
	}
}

static bool run_group(struct gres *gr, unsigned gi, unsigned ng)
{
	const struct group *g = &gr->g;
	struct group pg = probe_group(g);
	char label[128];
	bool ok = true;
	unsigned rep, i;

	group_label(g, label, sizeof(label));
	for (rep = 0; rep < opt.reps; rep++) {
		for (i = 0; i < ntransports; i++) {
			struct tres *r = &gr->tr[i];
			struct cell_result *c = &r->rep[rep];
			bool probe = r->t == &transport_cacheline;

			if (r->state != TS_OK)
				continue;
			if (isatty(STDERR_FILENO) && !opt.verbose)
				fprintf(stderr, "\r[%u/%u] %-48s rep %u/%u %-10s", gi + 1, ng, label,
					rep + 1, opt.reps, r->t->name);
			cell_run(r->t, probe ? &pg : g, c, r->hist);
			r->nreps = rep + 1;
			if (opt.verbose) {
				char a[32];

				fprintf(stderr, "[%u/%u] %s rep %u %s: ", gi + 1, ng, label, rep + 1,
					r->t->name);
				if (c->state != CELL_OK)
					fprintf(stderr, "%s\n", c->err);
				else if (g->test == TEST_RTT || probe)
					fprintf(stderr, "p50 %s ns\n", fmt_num(a, sizeof(a), c->rtt[0]));
				else if (c->gap_ns >= 0)
					fprintf(stderr, "%s Mmsg/s, longest gap %.3f ms at %.3f of %.3f ms\n",
						fmt_num(a, sizeof(a), c->tput / 1e6), c->gap_ns / 1e6,
						c->gap_at_ns / 1e6, c->window_ns / 1e6);
				else
					fprintf(stderr, "%s Mmsg/s\n", fmt_num(a, sizeof(a), c->tput / 1e6));
			}
			if (c->state == CELL_NODATA) {
				fprintf(stderr, "note: %s: %s: repetition %u left out: %s\n", label,
					r->t->name, rep + 1, c->err);
			} else if (c->state == CELL_NA) {
				r->state = TS_NA;
				snprintf(r->note, sizeof(r->note), "%s", c->err);
			} else if (c->state == CELL_FAIL) {
				/* No figure from a transport that failed to verify. */
				r->state = TS_FAIL;
				snprintf(r->note, sizeof(r->note), "repetition %u: %s", rep + 1, c->err);
				if (isatty(STDERR_FILENO) && !opt.verbose)
					fputc('\n', stderr);
				fprintf(stderr, "FAIL: %s: %s: %s\n", label, r->t->name, r->note);
				ok = false;
			}
		}
	}
	for (i = 0; i < ntransports; i++) {
		struct tres *r = &gr->tr[i];
		unsigned k, good = 0;

		for (k = 0; k < r->nreps; k++)
			good += r->rep[k].state == CELL_OK;
		if (r->state == TS_OK && !good) {
			r->state = TS_NA;
			snprintf(r->note, sizeof(r->note), "no figure: %s",
				 r->nreps ? r->rep[0].err : "not run");
		}
	}
	if (isatty(STDERR_FILENO) && !opt.verbose)
		fprintf(stderr, "\r%*s\r", 100, "");
	return ok;
}

int main(int argc, char **argv)
{
	static struct group groups[MAX_GROUPS];
	struct gres *res;
	const char *clock_desc;
	unsigned ng, i, ncells = 0;
	double seconds = 0;
	bool ok = true;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	ret = pin_init(filt.cpus);
	if (ret) {
		fprintf(stderr, "shmring-bench: no usable CPU%s%s\n", filt.cpus ? " in " : "",
			filt.cpus ? filt.cpus : "");
		return 2;
	}
	ng = build_matrix(groups);
	if (!ng) {
		fprintf(stderr, "shmring-bench: the filters leave nothing to run\n");
		return 2;
	}
	if (opt.producers + opt.consumers > BENCH_MAX_WORKERS) {
		fprintf(stderr, "shmring-bench: too many workers\n");
		return 2;
	}
	raise_limits();
	clock_desc = clk_init(opt.clock, opt.quick ? 0.05 : 0.2);
	if (runner_init()) {
		fprintf(stderr, "shmring-bench: cannot map the control block\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, on_signal);

	res = calloc(ng, sizeof(*res));
	if (!res) {
		fprintf(stderr, "shmring-bench: out of memory\n");
		return 1;
	}
	for (i = 0; i < ng; i++) {
		unsigned k;

		init_group(&res[i], &groups[i]);
		for (k = 0; k < ntransports; k++) {
			if (res[i].tr[k].state != TS_OK)
				continue;
			ncells += opt.reps;
			/* Start-up and tear-down add about 10 ms per run. */
			seconds += opt.reps * (opt.warmup + 0.011 +
				   (groups[i].test == TEST_RTT || transports[k] == &transport_cacheline ?
				    opt.rtt_duration : opt.duration));
		}
	}
	report_header(stdout, clock_desc, ng, ncells, seconds);
	for (i = 0; i < ng; i++) {
		if (!run_group(&res[i], i, ng))
			ok = false;
		report_group(stdout, &res[i]);
	}
	goals_print(stdout, res, ng);

	if (opt.csv && (ret = csv_write(opt.csv, res, ng))) {
		fprintf(stderr, "shmring-bench: %s: %s\n", opt.csv, strerror(-ret));
		ok = false;
	}
	if (opt.json && (ret = json_write(opt.json, res, ng, clock_desc))) {
		fprintf(stderr, "shmring-bench: %s: %s\n", opt.json, strerror(-ret));
		ok = false;
	}
	if (opt.plot && (ret = plot_write(opt.plot, res, ng))) {
		fprintf(stderr, "shmring-bench: %s: cannot draw the plot (%s); is gnuplot installed?\n",
			opt.plot, strerror(-ret));
		ok = false;
	}
	if (!ok)
		printf("\nFAIL: at least one run did not verify or could not be written; "
		       "see the messages above\n");
	names_cleanup();
	/* Freed so that LeakSanitizer (make check-asan) sees no leak. */
	for (i = 0; i < ng; i++) {
		unsigned k;

		for (k = 0; k < MAX_TRANSPORTS; k++)
			free(res[i].tr[k].hist);
	}
	free(res);
	return ok ? 0 : 1;
}
