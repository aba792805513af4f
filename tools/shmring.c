/* SPDX-License-Identifier: MIT */
/*
 * shmring - command-line tool: dispatch, errors and option parsing shared by
 * the subcommands.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

volatile sig_atomic_t cli_stop;

/*
 * The stop flag reaches a command only through -EINTR from a blocking call.
 * A signal that lands while the library spins, or between two of its
 * sleeps, interrupts nothing, and a wait without a timeout would then
 * sleep on.  So after a stop signal this timer raises SIGALRM every 20 ms:
 * the next one finds the process asleep and ends the wait.
 */
static timer_t nudge_timer;
static bool have_nudge_timer;

static void on_nudge(int sig)
{
	(void)sig;
}

static void on_stop(int sig)
{
	static const struct itimerspec every_20ms = {
		.it_value = { 0, 20000000 }, .it_interval = { 0, 20000000 },
	};
	int saved_errno = errno;

	/*
	 * The first signal asks the current command to finish cleanly: the
	 * library returns -EINTR from its wait and the command detaches.  A
	 * second one means the user does not want to wait for that.
	 */
	if (cli_stop) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cli_stop = sig;
	if (have_nudge_timer)
		timer_settime(nudge_timer, 0, &every_20ms, NULL);
	errno = saved_errno;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

void cli_install_stop_handlers(void)
{
	struct sigevent sev;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking read(2) and futex waits must return EINTR. */
	sa.sa_flags = 0;
	sa.sa_handler = on_nudge;
	sigaction(SIGALRM, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	have_nudge_timer = timer_create(CLOCK_MONOTONIC, &sev, &nudge_timer) == 0;

	sa.sa_handler = on_stop;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction old;

		/*
		 * A signal ignored from the start stays ignored: nohup, and
		 * the background jobs of a script, rely on that.
		 */
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
}

int cli_signal_status(void)
{
	static const struct itimerspec off;

	/* The command has seen the stop: no more nudges needed. */
	if (have_nudge_timer)
		timer_settime(nudge_timer, 0, &off, NULL);
	return 128 + cli_stop;
}

int cli_fail(const char *name, int err)
{
	fprintf(stderr, "shmring: %s: %s\n", name, shmring_strerror(err));
	return EXIT_RUNTIME;
}

int cli_failf(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shmring: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("shmring: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'shmring %s%s--help')\n", cmd ? cmd : "",
		cmd ? " " : "");
	exit(EXIT_USAGE);
}

/*
 * getopt_long runs with opterr = 0 so that every usage error has the same
 * one-line shape; this rebuilds the message getopt would have printed.
 */
void cli_bad_option(const char *cmd, int c, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	bool is_long = arg && strncmp(arg, "--", 2) == 0;

	if (c == ':') {
		if (is_long)
			cli_usage_error(cmd, "option '%s' needs a value", arg);
		cli_usage_error(cmd, "option '-%c' needs a value", optopt);
	}
	if (is_long || optopt == 0 || optopt >= 256)
		cli_usage_error(cmd, "unrecognized option '%s'", arg);
	if (optopt > ' ' && optopt < 127)
		cli_usage_error(cmd, "invalid option '-%c'", optopt);
	cli_usage_error(cmd, "invalid option");
}

/*
 * A size is a decimal count with an optional binary suffix: K, M or G,
 * optionally followed by "iB" (64K = 64KiB = 65536).
 */
uint64_t cli_parse_size(const char *cmd, const char *opt, const char *arg,
			uint64_t min, uint64_t max)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		cli_usage_error(cmd, "%s '%s' is not a number", opt, arg);
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno == ERANGE)
		cli_usage_error(cmd, "%s '%s' is too large", opt, arg);
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift) {
		end++;
		if (strcmp(end, "iB") == 0)
			end += 2;
	}
	if (*end)
		cli_usage_error(cmd, "%s '%s' is not a size (use digits and an optional K, M or G)",
				opt, arg);
	if (v > (UINT64_MAX >> shift))
		cli_usage_error(cmd, "%s '%s' is too large", opt, arg);
	v <<= shift;
	if (v < min || v > max)
		cli_usage_error(cmd, "%s %s is out of range (%" PRIu64 "..%" PRIu64 ")",
				opt, arg, min, max);
	return v;
}

uint32_t cli_parse_capacity(const char *cmd, const char *arg)
{
	uint64_t v = cli_parse_size(cmd, "--capacity", arg, SHMRING_CAPACITY_MIN,
				    SHMRING_CAPACITY_MAX);
	uint64_t below;

	if (v & (v - 1)) {
		below = UINT64_C(1) << (63 - __builtin_clzll(v));
		cli_usage_error(cmd, "--capacity %s is not a power of two; use %" PRIu64 " or %" PRIu64,
				arg, below, below * 2 <= SHMRING_CAPACITY_MAX ? below * 2 : below);
	}
	return (uint32_t)v;
}

uint32_t cli_parse_mode(const char *cmd, const char *arg)
{
	unsigned long v;
	char *end;

	if (arg[0] < '0' || arg[0] > '7')
		cli_usage_error(cmd, "--mode '%s' is not an octal number", arg);
	errno = 0;
	v = strtoul(arg, &end, 8);
	if (*end || errno)
		cli_usage_error(cmd, "--mode '%s' is not an octal number", arg);
	if (v > 0777)
		cli_usage_error(cmd, "--mode %s: only permission bits (at most 0777) are allowed", arg);
	/* The library reads 0 as "default"; refuse rather than surprise. */
	if (v == 0)
		cli_usage_error(cmd, "--mode 0 would make the ring unusable; give at least 0600");
	return (uint32_t)v;
}

/* A duration: a decimal number and an optional unit ns, us, ms, s (default), m, h. */
int64_t cli_parse_duration(const char *cmd, const char *opt, const char *arg)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 },
		{ "ns", 1 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	double v;
	char *end;

	if ((arg[0] < '0' || arg[0] > '9') && arg[0] != '.')
		cli_usage_error(cmd, "%s '%s' is not a duration", opt, arg);
	errno = 0;
	v = strtod(arg, &end);
	if (errno || !isfinite(v))
		cli_usage_error(cmd, "%s '%s' is not a duration", opt, arg);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			v *= units[i].ns;
			if (v >= 9.2e18)
				cli_usage_error(cmd, "%s '%s' is too long", opt, arg);
			return (int64_t)v;
		}
	}
	cli_usage_error(cmd, "%s '%s': unknown unit (use ns, us, ms, s, m or h)", opt, arg);
}

/* SPEC §2: 1..200 of [A-Za-z0-9._-] after an optional '/'; not . or .. */
bool cli_name_valid(const char *name)
{
	size_t n;

	if (name[0] == '/')
		name++;
	n = strlen(name);
	if (n == 0 || n > SHMRING_NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._-") == n;
}

void cli_check_name(const char *cmd, const char *name)
{
	if (!cli_name_valid(name))
		cli_usage_error(cmd, "'%s' is not a valid ring name: use 1 to 200 of A-Z a-z 0-9 . _ - after an optional /",
				name);
}

const char *cli_one_name(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		cli_usage_error(cmd, "missing ring NAME");
	if (argc - optind > 1)
		cli_usage_error(cmd, "one ring NAME at a time ('%s' is extra)", argv[optind + 1]);
	cli_check_name(cmd, argv[optind]);
	return argv[optind];
}

void cli_config_init(struct shmring_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = CLI_DEFAULT_CAPACITY;
	cfg->msg_size = CLI_DEFAULT_MSG_SIZE;
}

bool cli_create_option(const char *cmd, struct shmring_config *cfg, int c,
		       const char *arg)
{
	switch (c) {
	case OPT_CAPACITY:
		cfg->capacity = cli_parse_capacity(cmd, arg);
		return true;
	case OPT_MSG_SIZE:
		cfg->msg_size = (uint32_t)cli_parse_size(cmd, "--msg-size", arg, 1,
							 SHMRING_MSG_SIZE_MAX);
		return true;
	case OPT_MP:
		cfg->flags |= SHMRING_MP;
		return true;
	case OPT_MC:
		cfg->flags |= SHMRING_MC;
		return true;
	case OPT_HUGE:
		cfg->flags |= SHMRING_HUGEPAGES;
		/* The library takes the backend from the environment. */
		if (arg && strcmp(arg, "hugetlbfs") && strcmp(arg, "sysv"))
			cli_usage_error(cmd, "--huge=%s: the backend is hugetlbfs or sysv", arg);
		if (arg)
			setenv("SHMRING_HUGE_BACKEND", arg, 1);
		return true;
	case OPT_MODE:
		cfg->mode = cli_parse_mode(cmd, arg);
		return true;
	}
	return false;
}

static const char main_help[] =
	"Usage: shmring COMMAND [ARG]...\n"
	"Move messages between processes through lock-free rings in shared memory.\n"
	"\n"
	"Commands:\n"
	"  create NAME     make a new ring\n"
	"  ls              list the rings in /dev/shm\n"
	"  info NAME       show a ring's settings and counters\n"
	"  rm NAME...      remove rings\n"
	"  send NAME       send standard input to a ring, one message per line\n"
	"  recv NAME       print a ring's messages, one per line\n"
	"  watch NAME      show live message rates and fill level\n"
	"\n"
	"Options:\n"
	"  -h, --help      show this help and exit\n"
	"  -V, --version   show the version and exit\n"
	"\n"
	"Run 'shmring COMMAND --help' for the options of a command.\n"
	"Exit status: 0 success, 1 runtime error, 2 usage error.\n"
	"\n"
	"Example: four messages from a background process, printed as they arrive\n"
	"  shmring create demo && (for m in hello from another process; do sleep 0.3; echo $m; done | shmring send demo &) && shmring recv demo && shmring rm demo\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} commands[] = {
	{ "create", cmd_create },
	{ "ls",     cmd_ls },
	{ "info",   cmd_info },
	{ "rm",     cmd_rm },
	{ "send",   cmd_send },
	{ "recv",   cmd_recv },
	{ "watch",  cmd_watch },
};

/* Output that could not be written is a runtime error, not a success. */
static int finish(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (errno == EPIPE)
		return status ? status : EXIT_RUNTIME;
	fprintf(stderr, "shmring: standard output: %s\n", strerror(errno));
	return EXIT_RUNTIME;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* A closed reader is handled as EPIPE where output is written. */
	signal(SIGPIPE, SIG_IGN);

	opterr = 0;
	/* '+': stop at the command name; its options belong to the command. */
	while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(main_help, stdout);
			return EXIT_OK;
		case 'V':
			printf("shmring %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			cli_bad_option(NULL, c, argv);
		}
	}
	if (optind >= argc)
		cli_usage_error(NULL, "missing command");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argc -= optind;
			argv += optind;
			/* Each command parses its own argv from the start. */
			optind = 0;
			return finish(commands[i].fn(argc, argv));
		}
	}
	cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
}
