/* SPDX-License-Identifier: MIT */
/*
 * Cross-process stress: forked producers and consumers, every byte of every
 * message checked.  make check runs one round of each; make check-stress
 * repeats rounds with fresh seeds and geometries for STRESS_SECONDS.
 */
#include "helpers.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(stress, .fini = t_cleanup);

/* One round must finish within this long; only a hang guard. */
#define ROUND_LIMIT_S 240

enum { BURST_MAX = 16 };

/* A varied way to send: copy, burst, zero-copy; spin, timed or FOREVER. */
static int64_t pick_timeout(uint64_t r)
{
	switch (r % 4) {
	case 0:
		return SHMRING_NOWAIT;
	case 1:
		return SHMRING_FOREVER;
	case 2:
		return 1 + (int64_t)(r >> 8) % (50 * T_US);
	default:
		return 5 * T_S;
	}
}

struct spsc_geo {
	uint32_t capacity, msg_size;
	uint64_t n;
};

/* Producer of pattern messages 0..n-1 of @seed; _exit()s. */
static void spsc_producer(const char *name, uint64_t seed, const struct spsc_geo *g)
{
	struct shmring *p = NULL;
	unsigned char *buf = malloc((size_t)g->msg_size * BURST_MAX);
	struct iovec iov[BURST_MAX];
	uint64_t seq = 0;
	int ret = shmring_open(name, SHMRING_PRODUCER, &p);

	CHILD_CHECK(ret == 0 && buf, "producer open = %s", t_errname(ret));
	while (seq < g->n) {
		uint64_t r = t_mix(seed ^ (seq * 0x9e3779b97f4a7c15ull) ^ 0xabcdef);
		int64_t tmo = pick_timeout(r >> 4);

		switch (r % 8) {
		case 0: {       /* burst */
			unsigned k, n = 1 + (unsigned)((r >> 20) % BURST_MAX);

			if (n > g->n - seq)
				n = (unsigned)(g->n - seq);
			for (k = 0; k < n; k++) {
				unsigned char *b = buf + (size_t)k * g->msg_size;

				iov[k].iov_base = b;
				iov[k].iov_len = t_stream_len(seed, seq + k, g->msg_size);
				t_pattern_fill(b, iov[k].iov_len, seed, seq + k);
			}
			ret = shmring_send_burst(p, iov, n, tmo);
			if (ret > 0) {
				CHILD_CHECK((unsigned)ret <= n, "send_burst returned %d > %u", ret, n);
				seq += (unsigned)ret;
				continue;
			}
			break;
		}
		case 1: {       /* zero-copy */
			struct shmring_msg m;

			ret = shmring_claim(p, &m, tmo);
			if (ret == 0) {
				CHILD_CHECK(m.len == g->msg_size, "claim len %zu", m.len);
				m.len = t_stream_len(seed, seq, g->msg_size);
				t_pattern_fill(m.data, m.len, seed, seq);
				ret = shmring_publish(p, &m);
				CHILD_CHECK(ret == 0, "publish = %s", t_errname(ret));
				seq++;
				continue;
			}
			break;
		}
		default: {
			size_t len = t_stream_len(seed, seq, g->msg_size);

			t_pattern_fill(buf, len, seed, seq);
			ret = shmring_send(p, buf, len, tmo);
			if (ret == 0) {
				seq++;
				continue;
			}
			break;
		}
		}
		CHILD_CHECK(ret == -EAGAIN || ret == -ETIMEDOUT, "send of %llu = %s",
			    (unsigned long long)seq, t_errname(ret));
	}
	shmring_close(p);
	free(buf);
	_exit(0);
}

static void spsc_consumer(const char *name, uint64_t seed, const struct spsc_geo *g)
{
	struct shmring *c = NULL;
	size_t cap = (size_t)g->msg_size + 8;
	unsigned char *buf = malloc(cap * BURST_MAX);
	struct iovec iov[BURST_MAX];
	uint64_t seq = 0;
	long ret = shmring_open(name, SHMRING_CONSUMER, &c);

	CHILD_CHECK(ret == 0 && buf, "consumer open = %s", t_errname(ret));
	for (;;) {
		uint64_t r = t_mix(seed ^ (seq * 0xd1342543de82ef95ull) ^ 0x1234);
		int64_t tmo = pick_timeout(r >> 4);
		unsigned k;

		switch (r % 8) {
		case 0: {
			unsigned n = 1 + (unsigned)((r >> 20) % BURST_MAX);

			for (k = 0; k < n; k++)
				iov[k] = (struct iovec){ .iov_base = buf + k * cap, .iov_len = cap };
			ret = shmring_recv_burst(c, iov, n, tmo);
			if (ret <= 0)
				break;
			CHILD_CHECK(ret <= (long)n, "recv_burst returned %ld > %u", ret, n);
			for (k = 0; k < (unsigned)ret; k++, seq++) {
				size_t want = t_stream_len(seed, seq, g->msg_size);
				ssize_t bad = t_pattern_check(iov[k].iov_base, iov[k].iov_len, seed, seq);

				CHILD_CHECK(iov[k].iov_len == want, "message %llu: length %zu, want %zu",
					    (unsigned long long)seq, iov[k].iov_len, want);
				CHILD_CHECK(bad < 0, "message %llu: byte %zd wrong",
					    (unsigned long long)seq, bad);
			}
			continue;
		}
		case 1: {
			struct shmring_msg m;

			ret = shmring_peek(c, &m, tmo);
			if (ret)
				break;
			{
				size_t want = t_stream_len(seed, seq, g->msg_size);
				ssize_t bad = t_pattern_check(m.data, m.len, seed, seq);

				CHILD_CHECK(m.len == want, "message %llu: length %zu, want %zu",
					    (unsigned long long)seq, m.len, want);
				CHILD_CHECK(bad < 0, "message %llu: byte %zd wrong",
					    (unsigned long long)seq, bad);
			}
			ret = shmring_release(c, &m);
			CHILD_CHECK(ret == 0, "release = %s", t_errname(ret));
			seq++;
			continue;
		}
		default:
			ret = shmring_recv(c, buf, cap, tmo);
			if (ret < 0)
				break;
			{
				size_t want = t_stream_len(seed, seq, g->msg_size);
				ssize_t bad = t_pattern_check(buf, (size_t)ret, seed, seq);

				CHILD_CHECK((size_t)ret == want, "message %llu: length %ld, want %zu",
					    (unsigned long long)seq, ret, want);
				CHILD_CHECK(bad < 0, "message %llu: byte %zd wrong",
					    (unsigned long long)seq, bad);
			}
			seq++;
			continue;
		}
		if (ret == -EPIPE)
			break;
		CHILD_CHECK(ret == -EAGAIN || ret == -ETIMEDOUT, "recv of %llu = %s",
			    (unsigned long long)seq, t_errname(ret));
	}
	CHILD_CHECK(seq == g->n, "end of stream after %llu of %llu messages",
		    (unsigned long long)seq, (unsigned long long)g->n);
	shmring_close(c);
	free(buf);
	_exit(0);
}

static void spsc_round(const char *name, uint64_t seed, const struct spsc_geo *g)
{
	struct shmring_info info;
	pid_t prod, cons;

	t_create(name, g->capacity, g->msg_size, 0);
	cons = t_fork();
	if (cons == 0)
		spsc_consumer(name, seed, g);
	prod = t_fork();
	if (prod == 0)
		spsc_producer(name, seed, g);
	t_wait_ok(prod, ROUND_LIMIT_S, "spsc producer");
	t_wait_ok(cons, ROUND_LIMIT_S, "spsc consumer");
	info = t_stat(name);
	cr_assert(info.sent == g->n && info.received == g->n && info.count == 0,
		  "[%s] sent %llu received %llu count %llu", name, (unsigned long long)info.sent,
		  (unsigned long long)info.received, (unsigned long long)info.count);
	cr_assert(info.abandoned == 0);
	T_EXPECT(shmring_unlink(name), 0);
}

ParameterizedTestParameters(stress, spsc_every_byte)
{
	/*
	 * 2M messages through a roomy ring; fewer through the smallest one,
	 * where nearly every message is a cross-core handoff (tens of
	 * microseconds each on small virtual machines).  check-stress runs
	 * both for longer.
	 */
	static struct spsc_geo p[] = {
		{ 1024, 256, 2000000 },
		{ 2, 64, 100000 },
	};

	return cr_make_param_array(struct spsc_geo, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct spsc_geo *g, stress, spsc_every_byte, .timeout = T_STRESS_TIMEOUT)
{
	uint64_t seed = t_seed();
	unsigned secs = t_stress_seconds();
	int64_t end = t_now_ns() + (int64_t)secs * T_S;
	unsigned round = 0;
	const char *name = t_ring("spsc-%u-%u", g->capacity, g->msg_size);

	do {
		struct spsc_geo rg = *g;

		if (round > 0) {
			/* Later rounds: other geometries, fresh content. */
			uint64_t r = t_mix(seed + round);

			if (g->capacity > 2)
				rg.capacity = 2u << (r % 12);
			rg.msg_size = 1 + (uint32_t)((r >> 8) % 2048);
			rg.n = g->capacity > 2 ? 500000 : 100000;
		}
		spsc_round(name, seed + round, &rg);
		round++;
	} while (t_now_ns() < end);
	cr_log_info("%u rounds", round);
}

/*
 * Multi-producer, multi-consumer: each message stamped {producer, seq,
 * checksum}; each consumer checks stamps and per-producer order; a shared
 * table proves every message was delivered exactly once.
 */
enum { MP_MAX = 4, MP_MSG = 128 };

struct mp_case {
	unsigned mode;
	int producers, consumers;
	uint64_t per_producer;
};

struct mp_shared {
	_Atomic uint64_t got[MP_MAX];
	_Atomic uint32_t attached;
	_Atomic uint8_t seen[];         /* [producer * per_producer + seq] */
};

/*
 * Nobody sends before every peer attached: a producer done before another
 * attached would otherwise end the stream early, as the SPEC says it must.
 */
static void mp_attach_barrier(struct mp_shared *sh, const struct mp_case *mc)
{
	int64_t deadline = t_now_ns() + 60 * T_S;

	atomic_fetch_add(&sh->attached, 1);
	while (atomic_load(&sh->attached) < (uint32_t)(mc->producers + mc->consumers)) {
		CHILD_CHECK(t_now_ns() < deadline, "peers did not attach");
		t_sleep_ms(1);
	}
}

static void mp_producer(struct mp_shared *sh, const char *name, uint64_t seed,
			const struct mp_case *mc, int id)
{
	struct shmring *p = NULL;
	unsigned char buf[BURST_MAX][MP_MSG];
	struct iovec iov[BURST_MAX];
	uint64_t seq = 0;
	int ret = shmring_open(name, SHMRING_PRODUCER, &p);

	CHILD_CHECK(ret == 0, "producer %d open = %s", id, t_errname(ret));
	mp_attach_barrier(sh, mc);
	while (seq < mc->per_producer) {
		uint64_t r = t_mix(seed ^ ((uint64_t)id << 48) ^ seq);
		int64_t tmo = pick_timeout(r >> 4);

		if (r % 8 == 0) {
			unsigned k, n = 1 + (unsigned)((r >> 20) % BURST_MAX);

			if (n > mc->per_producer - seq)
				n = (unsigned)(mc->per_producer - seq);
			for (k = 0; k < n; k++) {
				iov[k].iov_base = buf[k];
				iov[k].iov_len = t_stamp_make(buf[k], MP_MSG, seed, (uint32_t)id,
							      seq + k);
			}
			ret = shmring_send_burst(p, iov, n, tmo);
			if (ret > 0) {
				seq += (unsigned)ret;
				continue;
			}
		} else if (r % 8 == 1) {
			struct shmring_msg m;

			ret = shmring_claim(p, &m, tmo);
			if (ret == 0) {
				m.len = t_stamp_make(m.data, MP_MSG, seed, (uint32_t)id, seq);
				ret = shmring_publish(p, &m);
				CHILD_CHECK(ret == 0, "publish = %s", t_errname(ret));
				seq++;
				continue;
			}
		} else {
			size_t len = t_stamp_make(buf[0], MP_MSG, seed, (uint32_t)id, seq);

			ret = shmring_send(p, buf[0], len, tmo);
			if (ret == 0) {
				seq++;
				continue;
			}
		}
		CHILD_CHECK(ret == -EAGAIN || ret == -ETIMEDOUT, "producer %d send %llu = %s", id,
			    (unsigned long long)seq, t_errname(ret));
	}
	shmring_close(p);
	_exit(0);
}

static void mp_take(struct mp_shared *sh, const struct mp_case *mc, uint64_t seed, int id,
		    uint64_t *last, const void *msg, size_t len)
{
	struct t_stamp st;
	const char *why = t_stamp_check(msg, len, seed, &st);
	uint8_t before;

	CHILD_CHECK(why == NULL, "consumer %d: %s", id, why);
	CHILD_CHECK(st.producer < (uint32_t)mc->producers && st.seq < mc->per_producer,
		    "consumer %d: stamp (%u, %llu) out of range", id, st.producer,
		    (unsigned long long)st.seq);
	CHILD_CHECK(last[st.producer] == UINT64_MAX || st.seq > last[st.producer],
		    "consumer %d: producer %u seq %llu after %llu (order)", id, st.producer,
		    (unsigned long long)st.seq, (unsigned long long)last[st.producer]);
	last[st.producer] = st.seq;
	before = atomic_fetch_add(&sh->seen[st.producer * mc->per_producer + st.seq], 1);
	CHILD_CHECK(before == 0, "consumer %d: producer %u seq %llu delivered twice", id,
		    st.producer, (unsigned long long)st.seq);
	atomic_fetch_add(&sh->got[id], 1);
}

static void mp_consumer(struct mp_shared *sh, const char *name, uint64_t seed,
			const struct mp_case *mc, int id)
{
	struct shmring *c = NULL;
	unsigned char buf[BURST_MAX][MP_MSG];
	struct iovec iov[BURST_MAX];
	uint64_t last[MP_MAX], n = 0;
	long ret = shmring_open(name, SHMRING_CONSUMER, &c);

	CHILD_CHECK(ret == 0, "consumer %d open = %s", id, t_errname(ret));
	mp_attach_barrier(sh, mc);
	for (int i = 0; i < MP_MAX; i++)
		last[i] = UINT64_MAX;
	for (;; n++) {
		uint64_t r = t_mix(seed ^ ((uint64_t)(id + 16) << 48) ^ n);
		int64_t tmo = pick_timeout(r >> 4);

		if (r % 8 == 0) {
			unsigned k, cnt = 1 + (unsigned)((r >> 20) % BURST_MAX);

			for (k = 0; k < cnt; k++)
				iov[k] = (struct iovec){ .iov_base = buf[k], .iov_len = MP_MSG };
			ret = shmring_recv_burst(c, iov, cnt, tmo);
			for (k = 0; ret > 0 && k < (unsigned)ret; k++)
				mp_take(sh, mc, seed, id, last, iov[k].iov_base, iov[k].iov_len);
		} else if (r % 8 == 1) {
			struct shmring_msg m;

			ret = shmring_peek(c, &m, tmo);
			if (ret == 0) {
				mp_take(sh, mc, seed, id, last, m.data, m.len);
				ret = shmring_release(c, &m);
				CHILD_CHECK(ret == 0, "release = %s", t_errname(ret));
			}
		} else {
			ret = shmring_recv(c, buf[0], MP_MSG, tmo);
			if (ret >= 0)
				mp_take(sh, mc, seed, id, last, buf[0], (size_t)ret);
		}
		if (ret >= 0)
			continue;
		if (ret == -EPIPE)
			break;
		CHILD_CHECK(ret == -EAGAIN || ret == -ETIMEDOUT, "consumer %d recv = %s", id,
			    t_errname(ret));
	}
	shmring_close(c);
	_exit(0);
}

static void mp_round(const char *name, uint64_t seed, const struct mp_case *mc, uint32_t cap)
{
	size_t total = (size_t)mc->producers * mc->per_producer;
	struct mp_shared *sh = t_shared(sizeof(*sh) + total);
	pid_t prod[MP_MAX], cons[MP_MAX];
	struct shmring_info info;
	uint64_t got = 0;
	int i;

	t_create(name, cap, MP_MSG, mc->mode);
	/* Consumers first, so none can miss the start; then the producers. */
	for (i = 0; i < mc->consumers; i++) {
		cons[i] = t_fork();
		if (cons[i] == 0)
			mp_consumer(sh, name, seed, mc, i);
	}
	for (i = 0; i < mc->producers; i++) {
		prod[i] = t_fork();
		if (prod[i] == 0)
			mp_producer(sh, name, seed, mc, i);
	}
	for (i = 0; i < mc->producers; i++)
		t_wait_ok(prod[i], ROUND_LIMIT_S, "producer");
	for (i = 0; i < mc->consumers; i++)
		t_wait_ok(cons[i], ROUND_LIMIT_S, "consumer");
	for (i = 0; i < mc->consumers; i++)
		got += atomic_load(&sh->got[i]);
	cr_assert(got == total, "[%s] %llu messages received, %zu sent", name,
		  (unsigned long long)got, total);
	for (size_t k = 0; k < total; k++)
		cr_assert(atomic_load(&sh->seen[k]) == 1, "[%s] producer %zu seq %zu delivered %u times",
			  name, k / mc->per_producer, k % mc->per_producer,
			  (unsigned)atomic_load(&sh->seen[k]));
	info = t_stat(name);
	cr_assert(info.sent == total && info.received == total && info.count == 0);
	cr_assert(info.abandoned == 0);
	munmap(sh, sizeof(*sh) + total);
	T_EXPECT(shmring_unlink(name), 0);
}

ParameterizedTestParameters(stress, mpmc_exactly_once)
{
	static struct mp_case p[] = {
		{ SHMRING_MP | SHMRING_MC, 3, 3, 300000 },
		{ SHMRING_MP, 3, 1, 200000 },
		{ SHMRING_MC, 1, 3, 500000 },
	};

	return cr_make_param_array(struct mp_case, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct mp_case *mc, stress, mpmc_exactly_once, .timeout = T_STRESS_TIMEOUT)
{
	uint64_t seed = t_seed();
	unsigned secs = t_stress_seconds();
	int64_t end = t_now_ns() + (int64_t)secs * T_S;
	unsigned round = 0;
	const char *name = t_ring("%s-%dx%d", t_mode_str(mc->mode), mc->producers,
				  mc->consumers);

	do {
		uint32_t cap = round == 0 ? 64 : 2u << (t_mix(seed + round) % 10);

		mp_round(name, seed + round, mc, cap);
		round++;
	} while (t_now_ns() < end);
	cr_log_info("%u rounds", round);
}

T_ONE_TEST_AT_A_TIME_MAIN
