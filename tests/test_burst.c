/* SPDX-License-Identifier: MIT */
/* shmring_send_burst() and shmring_recv_burst(), alone and mixed with the rest. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(burst, .fini = t_cleanup);

enum { MSG = 64 };

struct bufs {
	unsigned char data[32][MSG + 8];
	struct iovec iov[32];
};

static void reset_bufs(struct bufs *b, unsigned n, size_t cap)
{
	for (unsigned i = 0; i < n; i++) {
		memset(b->data[i], 0xee, sizeof(b->data[i]));
		b->iov[i].iov_base = b->data[i];
		b->iov[i].iov_len = cap;
	}
}

/* Messages first..first+n-1 of pattern @key into @b as a send burst. */
static void make_msgs(struct bufs *b, unsigned n, uint64_t key, uint64_t first)
{
	for (unsigned i = 0; i < n; i++) {
		size_t len = t_pattern_len(key, first + i, MSG);

		t_pattern_fill(b->data[i], len, key, first + i);
		b->iov[i].iov_base = b->data[i];
		b->iov[i].iov_len = len;
	}
}

static void check_msgs(const struct bufs *b, unsigned n, uint64_t key, uint64_t first)
{
	for (unsigned i = 0; i < n; i++) {
		size_t len = t_pattern_len(key, first + i, MSG);

		cr_assert(b->iov[i].iov_len == len, "message %llu: iov_len %zu, want %zu",
			  (unsigned long long)(first + i), b->iov[i].iov_len, len);
		cr_assert(t_pattern_check(b->data[i], len, key, first + i) < 0,
			  "message %llu corrupted", (unsigned long long)(first + i));
		cr_assert(b->data[i][len] == 0xee, "wrote past message %llu",
			  (unsigned long long)(first + i));
	}
}

T_MODE_PARAMS(burst, counts_and_lengths)
ParameterizedTest(unsigned *mode, burst, counts_and_lengths, .timeout = 30)
{
	const char *name = t_ring("counts-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info info;
	struct bufs *b = calloc(1, sizeof(*b));
	uint64_t next_out = 0, next_in = 0;
	unsigned n;

	cr_assert(b);
	t_create(name, 16, MSG, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	/* Full bursts of every size that fits. */
	for (n = 1; n <= 16; n++) {
		make_msgs(b, n, 11, next_out);
		T_EXPECT(shmring_send_burst(p, b->iov, n, SHMRING_NOWAIT), n);
		next_out += n;
		info = t_info(p);
		cr_assert(info.count == n);
		reset_bufs(b, 32, MSG + 8);
		T_EXPECT(shmring_recv_burst(c, b->iov, 32, SHMRING_NOWAIT), n);
		check_msgs(b, n, 11, next_in);
		next_in += n;
	}
	/* Partial bursts: only as many as there is room or data for. */
	make_msgs(b, 5, 11, next_out);
	T_EXPECT(shmring_send_burst(p, b->iov, 5, SHMRING_NOWAIT), 5);
	next_out += 5;
	make_msgs(b, 20, 11, next_out);
	T_EXPECT(shmring_send_burst(p, b->iov, 20, SHMRING_NOWAIT), 11);
	next_out += 11;
	T_EXPECT(shmring_send_burst(p, b->iov, 20, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_send_burst(p, b->iov, 20, 5 * T_MS), -ETIMEDOUT);
	reset_bufs(b, 32, MSG + 8);
	T_EXPECT(shmring_recv_burst(c, b->iov, 3, SHMRING_NOWAIT), 3);
	check_msgs(b, 3, 11, next_in);
	next_in += 3;
	/* Only three slots came free. */
	make_msgs(b, 8, 11, next_out);
	T_EXPECT(shmring_send_burst(p, b->iov, 8, 10 * T_MS), 3);
	next_out += 3;
	reset_bufs(b, 32, MSG + 8);
	T_EXPECT(shmring_recv_burst(c, b->iov, 32, 10 * T_MS), 16);
	check_msgs(b, 16, 11, next_in);
	next_in += 16;
	T_EXPECT(shmring_recv_burst(c, b->iov, 32, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_recv_burst(c, b->iov, 32, 5 * T_MS), -ETIMEDOUT);
	info = t_info(c);
	cr_assert(info.sent == next_out && info.received == next_in && info.count == 0);
	shmring_close(p);
	shmring_close(c);
	free(b);
}

T_MODE_PARAMS(burst, oversized_entries)
ParameterizedTest(unsigned *mode, burst, oversized_entries, .timeout = 30)
{
	const char *name = t_ring("big-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_info before, after;
	struct bufs *b = calloc(1, sizeof(*b));

	cr_assert(b);
	t_create(name, 16, MSG, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);

	/* A too-long first message: -EMSGSIZE, nothing sent. */
	make_msgs(b, 4, 12, 0);
	b->iov[0].iov_len = MSG + 1;
	before = t_info(p);
	T_EXPECT(shmring_send_burst(p, b->iov, 4, SHMRING_NOWAIT), -EMSGSIZE);
	after = t_info(p);
	t_assert_same(&before, &after);
	/* A too-long later message ends the burst before it. */
	make_msgs(b, 4, 12, 0);
	b->iov[2].iov_len = MSG + 1;
	T_EXPECT(shmring_send_burst(p, b->iov, 4, SHMRING_NOWAIT), 2);
	after = t_info(p);
	cr_assert(after.count == 2 && after.sent == 2);

	make_msgs(b, 3, 12, 2);
	for (int i = 0; i < 3; i++)
		b->iov[i].iov_len = 10 + i;     /* messages of 10, 11, 12 bytes */
	T_EXPECT(shmring_send_burst(p, b->iov, 3, SHMRING_NOWAIT), 3);

	/* The first buffer too small: -EMSGSIZE, the message stays. */
	reset_bufs(b, 8, MSG + 8);
	b->iov[0].iov_len = t_pattern_len(12, 0, MSG) ? t_pattern_len(12, 0, MSG) - 1 : 0;
	before = t_info(c);
	if (t_pattern_len(12, 0, MSG) > 0) {
		T_EXPECT(shmring_recv_burst(c, b->iov, 8, SHMRING_NOWAIT), -EMSGSIZE);
		after = t_info(c);
		t_assert_same(&before, &after);
	}
	reset_bufs(b, 8, MSG + 8);
	T_EXPECT(shmring_recv_burst(c, b->iov, 2, SHMRING_NOWAIT), 2);
	check_msgs(b, 2, 12, 0);
	/* A later buffer too small ends the burst before it; that message stays. */
	reset_bufs(b, 8, MSG + 8);
	b->iov[1].iov_len = 10;         /* the 11-byte message does not fit */
	T_EXPECT(shmring_recv_burst(c, b->iov, 3, SHMRING_NOWAIT), 1);
	cr_assert(b->iov[0].iov_len == 10);
	reset_bufs(b, 8, MSG + 8);
	T_EXPECT(shmring_recv_burst(c, b->iov, 8, SHMRING_NOWAIT), 2);
	cr_assert(b->iov[0].iov_len == 11 && b->iov[1].iov_len == 12);
	after = t_info(c);
	cr_assert(after.count == 0 && after.received == 5);
	shmring_close(p);
	shmring_close(c);
	free(b);
}

/* Copy, burst and zero-copy calls interleaved on one ring keep FIFO order. */
T_MODE_PARAMS(burst, mixed_with_single_and_zero_copy)
ParameterizedTest(unsigned *mode, burst, mixed_with_single_and_zero_copy, .timeout = 30)
{
	const char *name = t_ring("mix-%s", t_mode_str(*mode));
	uint64_t seed = t_seed();
	struct shmring *p, *c;
	struct bufs *b = calloc(1, sizeof(*b));
	uint64_t out = 0, in = 0;
	unsigned round;

	cr_assert(b);
	t_create(name, 8, MSG, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (round = 0; round < 3000; round++) {
		uint64_t r = t_mix(seed + round);
		unsigned room = 8 - (unsigned)(out - in);

		if (room && (r & 1)) {
			switch ((r >> 1) % 3) {
			case 0: {
				size_t len = t_pattern_len(seed, out, MSG);

				t_pattern_fill(b->data[0], len, seed, out);
				T_EXPECT(shmring_send(p, b->data[0], len, SHMRING_NOWAIT), 0);
				out++;
				break;
			}
			case 1: {
				unsigned n = 1 + (unsigned)((r >> 8) % 8);
				int ret;

				make_msgs(b, n, seed, out);
				ret = shmring_send_burst(p, b->iov, n, SHMRING_NOWAIT);
				cr_assert(ret == (int)(n < room ? n : room),
					  "send_burst(%u) with room %u = %s", n, room, t_errname(ret));
				out += (unsigned)ret;
				break;
			}
			default: {
				struct shmring_msg m;
				size_t len = t_pattern_len(seed, out, MSG);

				T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), 0);
				cr_assert(m.data != NULL && m.len == MSG);
				t_pattern_fill(m.data, len, seed, out);
				m.len = len;
				T_EXPECT(shmring_publish(p, &m), 0);
				out++;
				break;
			}
			}
		} else if (out != in) {
			switch ((r >> 1) % 3) {
			case 0: {
				ssize_t n = shmring_recv(c, b->data[0], MSG, SHMRING_NOWAIT);

				cr_assert(n == (ssize_t)t_pattern_len(seed, in, MSG));
				cr_assert(t_pattern_check(b->data[0], (size_t)n, seed, in) < 0);
				in++;
				break;
			}
			case 1: {
				unsigned n = 1 + (unsigned)((r >> 8) % 8);
				unsigned avail = (unsigned)(out - in);
				int ret;

				reset_bufs(b, n, MSG + 8);
				ret = shmring_recv_burst(c, b->iov, n, SHMRING_NOWAIT);
				cr_assert(ret == (int)(n < avail ? n : avail),
					  "recv_burst(%u) with %u queued = %s", n, avail,
					  t_errname(ret));
				check_msgs(b, (unsigned)ret, seed, in);
				in += (unsigned)ret;
				break;
			}
			default: {
				struct shmring_msg m;

				T_EXPECT(shmring_peek(c, &m, SHMRING_NOWAIT), 0);
				cr_assert(m.len == t_pattern_len(seed, in, MSG));
				cr_assert(t_pattern_check(m.data, m.len, seed, in) < 0);
				T_EXPECT(shmring_release(c, &m), 0);
				in++;
				break;
			}
			}
		}
	}
	cr_assert(out > 1000 && in > 1000);
	shmring_close(p);
	shmring_close(c);
	free(b);
}

/*
 * One short message among full-length ones, published by each API: every
 * burst receive gives each message its own length, before the short one,
 * at it and after it.
 */
T_MODE_PARAMS(burst, short_among_full)
ParameterizedTest(unsigned *mode, burst, short_among_full, .timeout = 30)
{
	const char *name = t_ring("short-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct bufs *b = calloc(1, sizeof(*b));
	uint64_t seq = 0;

	cr_assert(b);
	t_create(name, 16, MSG, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	for (unsigned api = 0; api < 3; api++) {
		for (unsigned at = 0; at <= 8; at++) {      /* 8: none short */
			unsigned takes[] = { 8, 3, 1 };

			for (unsigned i = 0; i < 8; i++) {
				size_t len = i == at ? 5 : MSG;
				struct shmring_msg m;

				t_pattern_fill(b->data[i], len, 3, seq + i);
				b->iov[i] = (struct iovec){ .iov_base = b->data[i], .iov_len = len };
				if (api == 1) {
					T_EXPECT(shmring_send(p, b->data[i], len, SHMRING_NOWAIT), 0);
				} else if (api == 2) {
					T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), 0);
					memcpy(m.data, b->data[i], len);
					m.len = len;
					T_EXPECT(shmring_publish(p, &m), 0);
				}
			}
			if (api == 0)
				T_EXPECT(shmring_send_burst(p, b->iov, 8, SHMRING_NOWAIT), 8);
			/* Then received in bursts of every length the split allows. */
			for (unsigned k = 0, got = 0; got < 8; k++) {
				unsigned n = takes[k % 3] < 8 - got ? takes[k % 3] : 8 - got;

				reset_bufs(b, n, MSG + 8);
				T_EXPECT(shmring_recv_burst(c, b->iov, n, SHMRING_NOWAIT), (int)n);
				for (unsigned i = 0; i < n; i++) {
					size_t len = got + i == at ? 5 : MSG;

					cr_assert(b->iov[i].iov_len == len,
						  "api %u, short at %u: message %u has length %zu",
						  api, at, got + i, b->iov[i].iov_len);
					cr_assert(t_pattern_check(b->data[i], len, 3, seq + got + i) < 0,
						  "api %u, short at %u: message %u corrupted", api, at,
						  got + i);
				}
				got += n;
			}
			seq += 8;
		}
	}
	T_EXPECT(shmring_recv_burst(c, b->iov, 8, SHMRING_NOWAIT), -EAGAIN);
	shmring_close(p);
	shmring_close(c);
	free(b);
}

/* A burst waits up to its timeout for the first message, not for all. */
T_MODE_PARAMS(burst, waits_for_first_only)
ParameterizedTest(unsigned *mode, burst, waits_for_first_only, .timeout = 30)
{
	const char *name = t_ring("wait-%s", t_mode_str(*mode));
	struct shmring *c;
	struct bufs *b = calloc(1, sizeof(*b));
	struct t_chan down;
	pid_t pid;
	int ret;

	cr_assert(b);
	t_chan_init(&down);
	t_create(name, 4, MSG, *mode);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL;
		struct iovec iov[6];
		char one[] = "x";

		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		t_sleep_ms(100);
		ret = shmring_send(p, one, 1, SHMRING_NOWAIT);
		CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
		CHILD_CHECK(t_chan_get(&down, 20000) == 'r', "parent did not receive");
		/* A blocked burst on a full ring gets going after one recv. */
		for (int i = 0; i < 6; i++)
			iov[i] = (struct iovec){ .iov_base = one, .iov_len = 1 };
		ret = shmring_send_burst(p, iov, 4, SHMRING_NOWAIT);
		CHILD_CHECK(ret == 4, "fill = %s", t_errname(ret));
		ret = shmring_send_burst(p, iov, 6, 20 * T_S);
		CHILD_CHECK(ret == 1, "blocked send_burst with room for one = %s", t_errname(ret));
		shmring_close(p);
		_exit(0);
	}
	reset_bufs(b, 32, MSG);
	T_EXPECT(shmring_recv_burst(c, b->iov, 32, 20 * T_S), 1);
	t_chan_put(&down, 'r');
	/* Let the producer fill the ring and block in its burst. */
	t_sleep_ms(200);
	reset_bufs(b, 32, MSG);
	T_EXPECT(shmring_recv_burst(c, b->iov, 1, SHMRING_FOREVER), 1);
	t_wait_ok(pid, 20, "producer");
	reset_bufs(b, 32, MSG);
	ret = shmring_recv_burst(c, b->iov, 32, SHMRING_NOWAIT);
	cr_assert(ret == 4, "after the blocked burst: %s queued, expected 4", t_errname(ret));
	T_EXPECT(shmring_recv_burst(c, b->iov, 32, SHMRING_FOREVER), -EPIPE);
	shmring_close(c);
	free(b);
}
