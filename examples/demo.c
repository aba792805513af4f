/* SPDX-License-Identifier: MIT */
/*
 * demo - one producer and one consumer in two processes.
 *
 * The parent creates a ring and forks.  The child attaches as consumer and
 * prints what it receives; the parent attaches as producer, sends a few
 * greetings, then a silent run of stamped messages that the child checks
 * one by one.  Closing the producer is the end of stream: the child drains
 * the ring, sees -EPIPE and exits.  The rate is printed only when every
 * message of the silent run arrived intact and in order.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <shmring.h>

#define STAMP_SIZE 64
#define STAMP_WORDS (STAMP_SIZE / sizeof(uint64_t))

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: demo [-n N] [-r M]\n"
		"  -n N  greetings to send and print (default 10)\n"
		"  -r M  stamped %d-byte messages in the timed run (default 1000000, 0 skips it)\n",
		STAMP_SIZE);
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && end != s && !*end && s[0] != '-';
}

/* splitmix64: every word of a stamp is a function of its sequence number. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void stamp(uint64_t *w, uint64_t seq)
{
	w[0] = seq;
	for (size_t i = 1; i < STAMP_WORDS; i++)
		w[i] = mix(seq * STAMP_WORDS + i);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The child's whole life.  The result of the attach goes up the pipe so the
 * parent never sends into a ring nobody will ever read: a producer blocked
 * on a full ring is released only by a consumer that once attached.
 */
static int consumer(const char *name, int ready, unsigned long shown,
		    unsigned long quiet)
{
	struct shmring *rx;
	uint64_t buf[STAMP_WORDS], want[STAMP_WORDS];
	unsigned long got = 0;
	int pid = (int)getpid();
	ssize_t n;
	int err;

	err = shmring_open(name, SHMRING_CONSUMER, &rx);
	if (write(ready, &err, sizeof(err)) != sizeof(err) && !err) {
		/* The parent is gone: nobody will send, nobody will read. */
		shmring_close(rx);
		return 1;
	}
	close(ready);
	if (err) {
		fprintf(stderr, "demo: consumer %d: open '%s': %s\n", pid, name,
			shmring_strerror(err));
		return 1;
	}

	for (;;) {
		n = shmring_recv(rx, buf, sizeof(buf), SHMRING_FOREVER);
		if (n == -EPIPE)
			break;
		if (n < 0) {
			fprintf(stderr, "demo: consumer %d: recv from '%s': %s\n",
				pid, name, shmring_strerror((int)n));
			goto fail;
		}
		if (got < shown) {
			printf("consumer %d: got '%.*s'\n", pid, (int)n,
			       (const char *)buf);
		} else {
			stamp(want, got - shown);
			if (n != STAMP_SIZE || memcmp(buf, want, STAMP_SIZE)) {
				fprintf(stderr, "demo: consumer %d: message %lu of the timed run is wrong (%zd bytes, seq %" PRIu64 ")\n",
					pid, got - shown, n, n >= 8 ? buf[0] : 0);
				goto fail;
			}
		}
		got++;
	}
	shmring_close(rx);
	if (got != shown + quiet) {
		fprintf(stderr, "demo: consumer %d: end of stream after %lu of %lu messages\n",
			pid, got, shown + quiet);
		return 1;
	}
	return 0;
fail:
	shmring_close(rx);
	return 1;
}

/* Returns 0, or a negative error from the library. */
static int produce(struct shmring *tx, unsigned long shown, unsigned long quiet)
{
	uint64_t msg[STAMP_WORDS];
	int err;

	for (unsigned long i = 1; i <= shown && !stop; i++) {
		int len = snprintf((char *)msg, sizeof(msg), "hello %lu", i);

		err = shmring_send(tx, msg, (size_t)len, SHMRING_FOREVER);
		if (err)
			return err;
	}
	for (unsigned long i = 0; i < quiet && !stop; i++) {
		stamp(msg, i);
		err = shmring_send(tx, msg, sizeof(msg), SHMRING_FOREVER);
		if (err)
			return err;
	}
	return stop ? -EINTR : 0;
}

int main(int argc, char **argv)
{
	struct shmring_config cfg = { .capacity = 1024, .msg_size = STAMP_SIZE };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long shown = 10, quiet = 1000000;
	struct shmring *tx = NULL;
	char name[64];
	int ready[2], status, child_err, opt, err;
	ssize_t r;
	double t0 = 0, t1;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_count(optarg, &shown))
				goto bad_usage;
			break;
		case 'r':
			if (!parse_count(optarg, &quiet))
				goto bad_usage;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;

	/*
	 * Without SA_RESTART a blocked send or recv returns -EINTR, so ^C
	 * still gets the ring unlinked.
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	snprintf(name, sizeof(name), "shmring-demo-%d", (int)getpid());
	err = shmring_create(name, &cfg);
	if (err) {
		fprintf(stderr, "demo: create '%s': %s\n", name, shmring_strerror(err));
		return 1;
	}
	if (pipe(ready)) {
		perror("demo: pipe");
		goto out_unlink;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("demo: fork");
		goto out_unlink;
	}
	if (pid == 0) {
		close(ready[0]);
		_exit(consumer(name, ready[1], shown, quiet));
	}
	close(ready[1]);

	printf("producer %d: ring '%s', sending %lu message%s to consumer %d\n",
	       (int)getpid(), name, shown, shown == 1 ? "" : "s", (int)pid);
	err = shmring_open(name, SHMRING_PRODUCER, &tx);
	if (err) {
		fprintf(stderr, "demo: open '%s' as producer: %s\n", name,
			shmring_strerror(err));
		goto out_kill;
	}
	do
		r = read(ready[0], &child_err, sizeof(child_err));
	while (r < 0 && errno == EINTR && !stop);
	close(ready[0]);
	if (r != sizeof(child_err) || child_err)
		goto out_kill;		/* the child has said why */

	err = produce(tx, shown, 0);
	if (!err && quiet) {
		t0 = now();
		err = produce(tx, 0, quiet);
	}
	shmring_close(tx);
	tx = NULL;
	if (err) {
		fprintf(stderr, "demo: send to '%s': %s\n", name, shmring_strerror(err));
		goto out_kill;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("demo: waitpid");
			goto out_unlink;
		}
	}
	t1 = now();
	err = shmring_unlink(name);
	if (err) {
		fprintf(stderr, "demo: unlink '%s': %s\n", name, shmring_strerror(err));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "demo: consumer %d failed\n", (int)pid);
		return 1;
	}
	printf("producer %d: %lu message%s sent and received", (int)getpid(), shown,
	       shown == 1 ? "" : "s");
	if (quiet)
		printf("; timed run: %lu x %d-byte messages verified in %.3f s, %.2f M msgs/s",
		       quiet, STAMP_SIZE, t1 - t0, (double)quiet / (t1 - t0) / 1e6);
	printf("\n");
	return 0;

out_kill:
	/*
	 * The child may be waiting for a producer that never came, and a
	 * catchable signal could land just before it sleeps.
	 */
	shmring_close(tx);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out_unlink:
	shmring_unlink(name);
	return 1;

bad_usage:
	usage(stderr);
	return 2;
}
