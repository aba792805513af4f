/* SPDX-License-Identifier: MIT */
#include "threads.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_MSG = 96, T_BURST = 8 };

const struct t_thread_case t_thread_cases[] = {
	{ SHMRING_MP | SHMRING_MC, 3, 3, 100000, 64 },
	{ SHMRING_MP | SHMRING_MC, 3, 3, 30000, 2 },
	{ SHMRING_MP, 3, 1, 100000, 16 },
	{ SHMRING_MC, 1, 3, 200000, 16 },
	{ 0, 1, 1, 300000, 256 },
	{ 0, 1, 1, 50000, 2 },
};
const size_t t_thread_ncases = sizeof(t_thread_cases) / sizeof(t_thread_cases[0]);

struct trun {
	const struct t_thread_case *tc;
	uint64_t per_producer;
	const char *name;
	uint64_t seed;
	_Atomic uint8_t *seen;
	_Atomic uint64_t got;
	_Atomic int failed;
	_Atomic int ready;
	char why[256];
	pthread_mutex_t lock;
};

struct targ {
	struct trun *run;
	int id;
};

/* Record the first failure; the caller reports it after the join. */
static void tfail(struct trun *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tfail(struct trun *run, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&run->lock);
	if (!atomic_load(&run->failed)) {
		va_start(ap, fmt);
		vsnprintf(run->why, sizeof(run->why), fmt, ap);
		va_end(ap);
		atomic_store(&run->failed, 1);
	}
	pthread_mutex_unlock(&run->lock);
}

static int64_t tmo_of(uint64_t r)
{
	switch (r % 3) {
	case 0:
		return SHMRING_NOWAIT;
	case 1:
		return SHMRING_FOREVER;
	default:
		return 1 + (int64_t)(r >> 8) % (200 * T_US);
	}
}

static void *producer(void *arg)
{
	struct targ *a = arg;
	struct trun *run = a->run;
	struct shmring *p = NULL;
	unsigned char buf[T_BURST][T_MSG];
	struct iovec iov[T_BURST];
	uint64_t seq = 0, n = run->per_producer;
	int ret = shmring_open(run->name, SHMRING_PRODUCER, &p);

	atomic_fetch_add(&run->ready, 1);
	if (ret) {
		tfail(run, "producer %d open = %s", a->id, t_errname(ret));
		return NULL;
	}
	/*
	 * Nobody sends before every peer attached: a producer done before
	 * another attached would otherwise end the stream early, rightly.
	 */
	while (atomic_load(&run->ready) < run->tc->producers + run->tc->consumers)
		t_sleep_ms(1);
	while (seq < n && !atomic_load(&run->failed)) {
		uint64_t r = t_mix(run->seed ^ ((uint64_t)a->id << 40) ^ seq);
		int64_t tmo = tmo_of(r >> 3);

		if (r % 6 == 0) {
			unsigned k, cnt = 1 + (unsigned)((r >> 20) % T_BURST);

			if (cnt > n - seq)
				cnt = (unsigned)(n - seq);
			for (k = 0; k < cnt; k++) {
				iov[k].iov_base = buf[k];
				iov[k].iov_len = t_stamp_make(buf[k], T_MSG, run->seed,
							      (uint32_t)a->id, seq + k);
			}
			ret = shmring_send_burst(p, iov, cnt, tmo);
			if (ret > 0) {
				seq += (unsigned)ret;
				continue;
			}
		} else if (r % 6 == 1) {
			struct shmring_msg m;

			ret = shmring_claim(p, &m, tmo);
			if (ret == 0) {
				m.len = t_stamp_make(m.data, T_MSG, run->seed, (uint32_t)a->id, seq);
				ret = shmring_publish(p, &m);
				if (ret) {
					tfail(run, "publish = %s", t_errname(ret));
					break;
				}
				seq++;
				continue;
			}
		} else {
			size_t len = t_stamp_make(buf[0], T_MSG, run->seed, (uint32_t)a->id, seq);

			ret = shmring_send(p, buf[0], len, tmo);
			if (ret == 0) {
				seq++;
				continue;
			}
		}
		if (ret != -EAGAIN && ret != -ETIMEDOUT) {
			tfail(run, "producer %d send %llu = %s", a->id, (unsigned long long)seq,
			      t_errname(ret));
			break;
		}
	}
	shmring_close(p);
	return NULL;
}

static bool take(struct trun *run, int id, uint64_t *last, const void *msg, size_t len)
{
	struct t_stamp st;
	const char *why = t_stamp_check(msg, len, run->seed, &st);

	if (why) {
		tfail(run, "consumer %d: %s", id, why);
		return false;
	}
	if (st.producer >= (uint32_t)run->tc->producers || st.seq >= run->per_producer) {
		tfail(run, "consumer %d: stamp (%u, %llu) out of range", id, st.producer,
		      (unsigned long long)st.seq);
		return false;
	}
	if (last[st.producer] != UINT64_MAX && st.seq <= last[st.producer]) {
		tfail(run, "consumer %d: producer %u seq %llu after %llu", id, st.producer,
		      (unsigned long long)st.seq, (unsigned long long)last[st.producer]);
		return false;
	}
	last[st.producer] = st.seq;
	if (atomic_fetch_add(&run->seen[st.producer * run->per_producer + st.seq], 1) != 0) {
		tfail(run, "consumer %d: producer %u seq %llu delivered twice", id, st.producer,
		      (unsigned long long)st.seq);
		return false;
	}
	atomic_fetch_add(&run->got, 1);
	return true;
}

static void *consumer(void *arg)
{
	struct targ *a = arg;
	struct trun *run = a->run;
	struct shmring *c = NULL;
	unsigned char buf[T_BURST][T_MSG];
	struct iovec iov[T_BURST];
	uint64_t last[T_THREADS_MAX], n;
	long ret = shmring_open(run->name, SHMRING_CONSUMER, &c);

	atomic_fetch_add(&run->ready, 1);
	if (ret) {
		tfail(run, "consumer %d open = %s", a->id, t_errname(ret));
		return NULL;
	}
	while (atomic_load(&run->ready) < run->tc->producers + run->tc->consumers)
		t_sleep_ms(1);
	for (int i = 0; i < T_THREADS_MAX; i++)
		last[i] = UINT64_MAX;
	for (n = 0; !atomic_load(&run->failed); n++) {
		uint64_t r = t_mix(run->seed ^ ((uint64_t)(a->id + 8) << 40) ^ n);
		int64_t tmo = tmo_of(r >> 3);
		bool ok = true;

		if (r % 6 == 0) {
			unsigned k, cnt = 1 + (unsigned)((r >> 20) % T_BURST);

			for (k = 0; k < cnt; k++)
				iov[k] = (struct iovec){ .iov_base = buf[k], .iov_len = T_MSG };
			ret = shmring_recv_burst(c, iov, cnt, tmo);
			for (k = 0; ret > 0 && k < (unsigned)ret && ok; k++)
				ok = take(run, a->id, last, iov[k].iov_base, iov[k].iov_len);
		} else if (r % 6 == 1) {
			struct shmring_msg m;

			ret = shmring_peek(c, &m, tmo);
			if (ret == 0) {
				ok = take(run, a->id, last, m.data, m.len);
				ret = shmring_release(c, &m);
				if (ret)
					tfail(run, "release = %s", t_errname(ret));
			}
		} else {
			ret = shmring_recv(c, buf[0], T_MSG, tmo);
			if (ret >= 0)
				ok = take(run, a->id, last, buf[0], (size_t)ret);
		}
		if (!ok || ret == -EPIPE)
			break;
		if (ret < 0 && ret != -EAGAIN && ret != -ETIMEDOUT) {
			tfail(run, "consumer %d recv = %s", a->id, t_errname(ret));
			break;
		}
	}
	shmring_close(c);
	return NULL;
}

static int check(struct trun *run, size_t total, char *why, size_t whylen)
{
	struct shmring_info info;
	int ret;

	if (atomic_load(&run->failed)) {
		snprintf(why, whylen, "%s", run->why);
		return -1;
	}
	if (atomic_load(&run->got) != total) {
		snprintf(why, whylen, "received %llu of %zu",
			 (unsigned long long)atomic_load(&run->got), total);
		return -1;
	}
	for (size_t k = 0; k < total; k++)
		if (atomic_load(&run->seen[k]) != 1) {
			snprintf(why, whylen, "message %zu delivered %u times", k,
				 (unsigned)atomic_load(&run->seen[k]));
			return -1;
		}
	ret = shmring_stat(run->name, &info);
	if (ret) {
		snprintf(why, whylen, "stat = %s", t_errname(ret));
		return -1;
	}
	if (info.sent != total || info.received != total || info.count != 0 ||
	    info.producers != 0 || info.consumers != 0) {
		snprintf(why, whylen, "stat: sent %llu received %llu count %llu attached %u/%u",
			 (unsigned long long)info.sent, (unsigned long long)info.received,
			 (unsigned long long)info.count, info.producers, info.consumers);
		return -1;
	}
	return 0;
}

int t_threads_run(const struct t_thread_case *tc, unsigned per_producer_div, const char *name,
		  uint64_t seed, char *why, size_t whylen)
{
	struct shmring_config cfg = { .capacity = tc->capacity, .msg_size = T_MSG,
				      .flags = tc->mode };
	struct trun *run = calloc(1, sizeof(*run));
	pthread_t th[2 * T_THREADS_MAX];
	struct targ args[2 * T_THREADS_MAX];
	size_t total;
	int i, nth = 0, ret;

	if (!run) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	run->tc = tc;
	run->per_producer = tc->per_producer / (per_producer_div ? per_producer_div : 1);
	run->name = name;
	run->seed = seed;
	total = (size_t)tc->producers * run->per_producer;
	run->seen = calloc(total, 1);
	pthread_mutex_init(&run->lock, NULL);
	shmring_unlink(name);
	ret = run->seen ? shmring_create(name, &cfg) : -ENOMEM;
	if (ret) {
		snprintf(why, whylen, "create = %s", t_errname(ret));
		goto out;
	}
	for (i = 0; i < tc->consumers; i++, nth++) {
		args[nth] = (struct targ){ run, i };
		if (pthread_create(&th[nth], NULL, consumer, &args[nth]))
			abort();
	}
	/* Consumers attached first: the stream cannot end before they came. */
	while (atomic_load(&run->ready) < tc->consumers)
		t_sleep_ms(1);
	for (i = 0; i < tc->producers; i++, nth++) {
		args[nth] = (struct targ){ run, i };
		if (pthread_create(&th[nth], NULL, producer, &args[nth]))
			abort();
	}
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	ret = check(run, total, why, whylen);
	shmring_unlink(name);
out:
	free((void *)run->seen);
	pthread_mutex_destroy(&run->lock);
	free(run);
	return ret ? -1 : 0;
}
