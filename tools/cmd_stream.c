/* SPDX-License-Identifier: MIT */
/*
 * shmring send and recv: standard input to a ring, a ring to standard output.
 *
 * Both sides move messages in bursts and do their own buffering with
 * read(2)/write(2) in large blocks, so that a pipeline through a ring is
 * limited by the ring and the programs at either end, not by this tool.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define IO_BLOCK	(1u << 20)	/* read/write granularity */
#define STAGE_MAX	(4u << 20)	/* bound on burst x msg_size buffers */
#define DEFAULT_BURST	256u
#define MAX_BURST	4096u

struct stream {
	const char *name;
	struct shmring *ring;
	uint32_t msg_size;
	unsigned burst;
	int64_t timeout;
	bool stats;
	uint64_t msgs, bytes;
	struct timespec t0;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void print_stats(const struct stream *s, const char *verb)
{
	double dt = elapsed(&s->t0);
	char rate[32], bw[32];

	if (!s->stats)
		return;
	if (dt <= 0)
		dt = 1e-9;
	fprintf(stderr, "shmring: %s: %s %" PRIu64 " messages, %" PRIu64 " bytes in %.3f s (%s, %s)\n",
		s->name, verb, s->msgs, s->bytes, dt,
		cli_human(rate, sizeof(rate), (double)s->msgs / dt, "msgs/s"),
		cli_human(bw, sizeof(bw), (double)s->bytes / dt, "B/s"));
}

/*
 * A bigger pipe means fewer wakeups of the process at the other end; this is
 * only a hint, so failure (not a pipe, or over the system limit) is ignored.
 */
static void grow_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, IO_BLOCK);
}

/* Creates the ring first if asked to; an existing ring is used as it is. */
static int attach(struct stream *s, int role, bool create,
		  const struct shmring_config *cfg)
{
	struct shmring_info info;
	int ret;

	if (create) {
		ret = shmring_create(s->name, cfg);
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	ret = shmring_open(s->name, role, &s->ring);
	if (ret < 0)
		return ret;
	ret = shmring_info(s->ring, &info);
	if (ret < 0) {
		shmring_close(s->ring);
		s->ring = NULL;
		return ret;
	}
	s->msg_size = info.msg_size;
	/* A burst needs burst x msg_size bytes of buffers: keep that bounded. */
	if ((size_t)s->burst * s->msg_size > STAGE_MAX)
		s->burst = STAGE_MAX / s->msg_size ? STAGE_MAX / s->msg_size : 1;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	return 0;
}

/* Exit status after a library error: -EINTR is the user's stop signal. */
static int stream_error(struct stream *s, int err)
{
	if (err == -EINTR && cli_stop)
		return cli_signal_status();
	return cli_fail(s->name, err);
}

static unsigned parse_burst(const char *cmd, const char *arg)
{
	return (unsigned)cli_parse_size(cmd, "--burst", arg, 1, MAX_BURST);
}

/* ---- send -------------------------------------------------------------- */

static const char send_help[] =
	"Usage: shmring send NAME [OPTION]...\n"
	"Send standard input to the ring, one message per line (the newline is\n"
	"not sent; a last line without one is sent too).  Waits while the ring is\n"
	"full; nothing is dropped.  At end of input the tool detaches and the\n"
	"consumers see end of stream once they have drained the ring.\n"
	"\n"
	"  -r, --raw N          send fixed N-byte records instead of lines (the\n"
	"                       last one may be shorter)\n"
	"  -z, --null           lines end with NUL instead of newline\n"
	"  -n, --count N        do not read input: send the numbers 1..N, one per\n"
	"                       message, like 'seq 1 N'\n"
	"      --size B         with --count, pad each number with leading zeros\n"
	"                       to B bytes\n"
	"  -t, --timeout DUR    give up if the ring stays full for DUR (500ms, 2s)\n"
	"  -b, --burst N        messages per library call (default 256)\n"
	"      --stats          print counts and rates on standard error at the end\n"
	"      --create         create the ring first if it does not exist, with:\n"
	CLI_CREATE_HELP
	"  -h, --help           show this help and exit\n"
	"\n"
	"Interrupted by SIGINT, SIGTERM or SIGHUP, send detaches cleanly and exits\n"
	"with 128 + the signal number; input already read but not sent is lost.\n";

enum send_kind { SEND_LINES, SEND_RAW, SEND_COUNT };

/* Sends all @n messages, waiting for room as the timeout allows. */
static int push(struct stream *s, struct iovec *iov, unsigned n)
{
	while (n) {
		int ret;

		/* A signal that came between waits is seen here. */
		if (cli_stop)
			return -EINTR;
		ret = shmring_send_burst(s->ring, iov, n, s->timeout);
		if (ret == -EINTR && !cli_stop)
			continue;
		if (ret < 0)
			return ret;
		for (int i = 0; i < ret; i++)
			s->bytes += iov[i].iov_len;
		s->msgs += (unsigned)ret;
		iov += ret;
		n -= (unsigned)ret;
	}
	return 0;
}

/* Decimal digits of @v written right-aligned at @end; returns the start. */
static char *utoa_end(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static unsigned digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int send_count(struct stream *s, uint64_t count, uint32_t size)
{
	/* 20 digits hold any uint64_t. */
	size_t slot = size > 20 ? size : 20;
	struct iovec *iov = calloc(s->burst, sizeof(*iov));
	char *gen = malloc(s->burst * slot);
	uint64_t seq = 1;
	int ret, status = EXIT_OK;

	if (!iov || !gen) {
		status = cli_fail(s->name, -ENOMEM);
		goto out;
	}
	if (size > s->msg_size) {
		status = cli_failf(s->name, "--size %" PRIu32 " is larger than the ring's %" PRIu32 "-byte messages",
				   size, s->msg_size);
		goto out;
	}
	/*
	 * Numbers only grow, so each new one overwrites every digit of the
	 * last one in its slot and the zero padding stays intact.
	 */
	memset(gen, '0', s->burst * slot);
	while (seq <= count) {
		unsigned n = count - seq + 1 < s->burst ? (unsigned)(count - seq + 1) : s->burst;

		for (unsigned i = 0; i < n; i++, seq++) {
			char *end = gen + i * slot + slot;
			char *p = utoa_end(end, seq);

			if (size)
				p = end - size;
			iov[i].iov_base = p;
			iov[i].iov_len = (size_t)(end - p);
		}
		ret = push(s, iov, n);
		if (ret < 0) {
			status = stream_error(s, ret);
			break;
		}
	}
out:
	free(gen);
	free(iov);
	return status;
}

static int send_input(struct stream *s, enum send_kind kind, size_t rec, char sep)
{
	size_t bufsz = 2 * (rec + 1) > IO_BLOCK ? 2 * (rec + 1) : IO_BLOCK;
	struct iovec *iov = calloc(s->burst, sizeof(*iov));
	char *buf = malloc(bufsz);
	size_t len = 0;
	unsigned n = 0;
	int ret = 0, status = EXIT_OK;
	bool eof = false;

	if (!iov || !buf) {
		status = cli_fail(s->name, -ENOMEM);
		goto out;
	}
	if (kind == SEND_RAW && rec > s->msg_size) {
		status = cli_failf(s->name, "--raw %zu is larger than the ring's %" PRIu32 "-byte messages",
				   rec, s->msg_size);
		goto out;
	}
	grow_pipe(STDIN_FILENO);

	while (!eof) {
		ssize_t got = read(STDIN_FILENO, buf + len, bufsz - len);
		char *p = buf, *end;

		n = 0;
		if (got < 0) {
			if (errno != EINTR) {
				status = cli_failf("standard input", "%s", strerror(errno));
				goto out;
			}
			if (cli_stop) {
				status = cli_signal_status();
				goto out;
			}
			continue;
		}
		eof = got == 0;
		len += (size_t)got;
		end = buf + len;

		for (;;) {
			char *q;

			if (kind == SEND_RAW) {
				if ((size_t)(end - p) < rec)
					break;
				q = p + rec;
			} else {
				q = memchr(p, sep, (size_t)(end - p));
				if (!q)
					break;
				if ((size_t)(q - p) > s->msg_size)
					goto too_long;
			}
			iov[n].iov_base = p;
			iov[n].iov_len = (size_t)(q - p);
			p = kind == SEND_RAW ? q : q + 1;
			if (++n == s->burst) {
				ret = push(s, iov, n);
				if (ret < 0)
					goto lib_error;
				n = 0;
			}
		}
		/* The last record of the input may lack its end. */
		if (eof && p < end) {
			if (kind != SEND_RAW && (size_t)(end - p) > s->msg_size)
				goto too_long;
			iov[n].iov_base = p;
			iov[n].iov_len = (size_t)(end - p);
			n++;
			p = end;
		}
		if (n) {
			ret = push(s, iov, n);
			if (ret < 0)
				goto lib_error;
			n = 0;
		}
		len = (size_t)(end - p);
		/* An unfinished line already longer than a slot can never fit. */
		if (kind != SEND_RAW && len > s->msg_size)
			goto too_long;
		memmove(buf, p, len);
	}
	goto out;

too_long:
	/* What came before the long line still goes out, in order. */
	ret = push(s, iov, n);
	if (ret < 0)
		goto lib_error;
	status = cli_failf(s->name, "message %" PRIu64 " is longer than the ring's %" PRIu32 "-byte messages (see --msg-size)",
			   s->msgs + 1, s->msg_size);
	goto out;
lib_error:
	status = stream_error(s, ret);
out:
	free(buf);
	free(iov);
	return status;
}

int cmd_send(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "raw",     required_argument, NULL, 'r' },
		{ "null",    no_argument,       NULL, 'z' },
		{ "count",   required_argument, NULL, 'n' },
		{ "size",    required_argument, NULL, OPT_SIZE },
		{ "timeout", required_argument, NULL, 't' },
		{ "burst",   required_argument, NULL, 'b' },
		{ "stats",   no_argument,       NULL, OPT_STATS },
		{ "create",  no_argument,       NULL, OPT_CREATE },
		CLI_CREATE_LONGOPTS,
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stream s = { .burst = DEFAULT_BURST, .timeout = SHMRING_FOREVER };
	struct shmring_config cfg;
	enum send_kind kind = SEND_LINES;
	bool create = false, cfg_given = false;
	uint64_t count = 0;
	size_t rec = 0;
	uint32_t size = 0;
	char sep = '\n';
	int c, ret, status;

	cli_config_init(&cfg);
	while ((c = getopt_long(argc, argv, ":r:zn:t:b:c:s:m:h", longopts, NULL)) != -1) {
		if (cli_create_option("send", &cfg, c, optarg)) {
			cfg_given = true;
			continue;
		}
		switch (c) {
		case 'r':
			kind = SEND_RAW;
			rec = cli_parse_size("send", "--raw", optarg, 1, SHMRING_MSG_SIZE_MAX);
			break;
		case 'z':
			sep = '\0';
			break;
		case 'n':
			count = cli_parse_size("send", "--count", optarg, 1, UINT64_MAX);
			break;
		case OPT_SIZE:
			size = (uint32_t)cli_parse_size("send", "--size", optarg, 1,
							SHMRING_MSG_SIZE_MAX);
			break;
		case 't':
			s.timeout = cli_parse_duration("send", "--timeout", optarg);
			break;
		case 'b':
			s.burst = parse_burst("send", optarg);
			break;
		case OPT_STATS:
			s.stats = true;
			break;
		case OPT_CREATE:
			create = true;
			break;
		case 'h':
			fputs(send_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("send", c, argv);
		}
	}
	s.name = cli_one_name("send", argc, argv);
	if (cfg_given && !create)
		cli_usage_error("send", "ring options (--capacity, --mp, ...) need --create");
	if (count && kind == SEND_RAW)
		cli_usage_error("send", "--count and --raw exclude each other");
	if (size && !count)
		cli_usage_error("send", "--size needs --count");
	if (count)
		kind = SEND_COUNT;
	if (size && size < digits(count))
		cli_usage_error("send", "--size %" PRIu32 " cannot hold the number %" PRIu64 " (%u digits)",
				size, count, digits(count));

	cli_install_stop_handlers();
	ret = attach(&s, SHMRING_PRODUCER, create, &cfg);
	if (ret < 0)
		return stream_error(&s, ret);

	if (kind == SEND_COUNT)
		status = send_count(&s, count, size);
	else
		status = send_input(&s, kind, kind == SEND_RAW ? rec : s.msg_size, sep);
	/* Detaching is what tells the consumers that the stream has ended. */
	shmring_close(s.ring);
	print_stats(&s, "sent");
	return status;
}

/* ---- recv -------------------------------------------------------------- */

static const char recv_help[] =
	"Usage: shmring recv NAME [OPTION]...\n"
	"Print the ring's messages on standard output, each followed by a newline.\n"
	"Exits 0 at end of stream: when every producer that attached has gone and\n"
	"the ring is empty.  A ring no producer has attached to yet is waited on.\n"
	"\n"
	"  -n, --count N        stop after N messages\n"
	"  -t, --timeout DUR    give up (exit 1) if no message comes for DUR\n"
	"                       (500ms, 2s; 0 drains what is there)\n"
	"  -r, --raw            write messages back to back, without separators\n"
	"  -z, --null           end each message with NUL instead of newline\n"
	"  -b, --burst N        messages per library call (default 256)\n"
	"      --stats          print counts and rates on standard error at the end\n"
	"      --create         create the ring first if it does not exist, with:\n"
	CLI_CREATE_HELP
	"  -h, --help           show this help and exit\n"
	"\n"
	"Interrupted by SIGINT, SIGTERM or SIGHUP, recv writes out every message\n"
	"it has taken from the ring, detaches and exits with 128 + the signal number.\n";

struct outbuf {
	char *buf;
	size_t len, cap;
};

/* 0, -EPIPE (reader gone) or another -errno of write(2). */
static int write_all(const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0) {
			struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

			/*
			 * Retried even after a stop signal: these messages are
			 * already off the ring and exist nowhere else.
			 */
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				(void)poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush_out(struct outbuf *o)
{
	int ret = write_all(o->buf, o->len);

	o->len = 0;
	return ret;
}

static int recv_loop(struct stream *s, uint64_t limit, bool raw, char sep,
		     int *lib_err)
{
	struct iovec *iov = calloc(s->burst, sizeof(*iov));
	char *stage = malloc((size_t)s->burst * s->msg_size);
	struct outbuf o = { .cap = (size_t)s->msg_size + 1 > IO_BLOCK ? (size_t)s->msg_size + 1 : IO_BLOCK };
	int ret = 0;

	o.buf = malloc(o.cap);
	if (!iov || !stage || !o.buf) {
		*lib_err = -ENOMEM;
		goto out;
	}
	while (!limit || s->msgs < limit) {
		unsigned want = s->burst;
		int n;

		if (cli_stop) {
			*lib_err = -EINTR;
			break;
		}
		if (limit && limit - s->msgs < want)
			want = (unsigned)(limit - s->msgs);
		for (unsigned i = 0; i < want; i++) {
			iov[i].iov_base = stage + (size_t)i * s->msg_size;
			iov[i].iov_len = s->msg_size;
		}
		/*
		 * While output is pending, only take what is ready; the moment
		 * the ring runs dry the output goes out, so a slow stream is
		 * printed at once and a fast one in large blocks.
		 */
		n = shmring_recv_burst(s->ring, iov, want, o.len ? SHMRING_NOWAIT : s->timeout);
		if (n == -EAGAIN && o.len) {
			ret = flush_out(&o);
			if (ret < 0)
				goto out;
			continue;
		}
		if (n == -EINTR && !cli_stop)
			continue;
		if (n < 0) {
			*lib_err = n;
			break;
		}
		for (int i = 0; i < n; i++) {
			size_t len = iov[i].iov_len;

			if (o.len + len + 1 > o.cap) {
				ret = flush_out(&o);
				if (ret < 0)
					goto out;
			}
			memcpy(o.buf + o.len, iov[i].iov_base, len);
			o.len += len;
			if (!raw)
				o.buf[o.len++] = sep;
			s->bytes += len;
		}
		s->msgs += (unsigned)n;
	}
	ret = flush_out(&o);
out:
	free(o.buf);
	free(stage);
	free(iov);
	return ret;
}

int cmd_recv(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count",   required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "raw",     no_argument,       NULL, 'r' },
		{ "null",    no_argument,       NULL, 'z' },
		{ "burst",   required_argument, NULL, 'b' },
		{ "stats",   no_argument,       NULL, OPT_STATS },
		{ "create",  no_argument,       NULL, OPT_CREATE },
		CLI_CREATE_LONGOPTS,
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stream s = { .burst = DEFAULT_BURST, .timeout = SHMRING_FOREVER };
	struct shmring_config cfg;
	bool create = false, cfg_given = false, raw = false;
	uint64_t limit = 0;
	char sep = '\n';
	int c, ret, lib_err = 0, status = EXIT_OK;

	cli_config_init(&cfg);
	while ((c = getopt_long(argc, argv, ":n:t:rzb:c:s:m:h", longopts, NULL)) != -1) {
		if (cli_create_option("recv", &cfg, c, optarg)) {
			cfg_given = true;
			continue;
		}
		switch (c) {
		case 'n':
			limit = cli_parse_size("recv", "--count", optarg, 1, UINT64_MAX);
			break;
		case 't':
			s.timeout = cli_parse_duration("recv", "--timeout", optarg);
			break;
		case 'r':
			raw = true;
			break;
		case 'z':
			sep = '\0';
			break;
		case 'b':
			s.burst = parse_burst("recv", optarg);
			break;
		case OPT_STATS:
			s.stats = true;
			break;
		case OPT_CREATE:
			create = true;
			break;
		case 'h':
			fputs(recv_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("recv", c, argv);
		}
	}
	s.name = cli_one_name("recv", argc, argv);
	if (cfg_given && !create)
		cli_usage_error("recv", "ring options (--capacity, --mp, ...) need --create");

	cli_install_stop_handlers();
	ret = attach(&s, SHMRING_CONSUMER, create, &cfg);
	if (ret < 0)
		return stream_error(&s, ret);
	grow_pipe(STDOUT_FILENO);

	ret = recv_loop(&s, limit, raw, sep, &lib_err);
	shmring_close(s.ring);
	if (ret == -EPIPE) {
		/* The reader has gone: end quietly, as any filter would. */
		print_stats(&s, "received");
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		return EXIT_RUNTIME;
	}
	if (ret < 0)
		status = cli_failf("standard output", "%s", strerror(-ret));
	else if (lib_err == -EPIPE)
		status = EXIT_OK;		/* end of stream */
	else if (lib_err == -EAGAIN)
		status = cli_failf(s.name, "%s (nothing to receive within --timeout 0)",
				   shmring_strerror(lib_err));
	else if (lib_err)
		status = stream_error(&s, lib_err);
	print_stats(&s, "received");
	return status;
}
