/* SPDX-License-Identifier: MIT */
/*
 * Test helpers that do not depend on Criterion: payload patterns, stamps,
 * clocks, names of errors.  The standalone ThreadSanitizer harness links
 * only these, since Criterion's runner cannot work under TSan.
 */
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *t_mode_str(unsigned flags)
{
	switch (flags & (SHMRING_MP | SHMRING_MC)) {
	case 0:
		return "spsc";
	case SHMRING_MP:
		return "mpsc";
	case SHMRING_MC:
		return "spmc";
	default:
		return "mpmc";
	}
}

const char *t_errname(long ret)
{
	static const struct {
		int err;
		const char *name;
	} tab[] = {
#define E(x) { x, #x }
		E(EINVAL), E(EEXIST), E(ENOENT), E(EACCES), E(EPROTO), E(EBUSY),
		E(EPERM), E(EMSGSIZE), E(EAGAIN), E(ETIMEDOUT), E(EINTR), E(EPIPE),
		E(ENOSPC), E(ENOMEM), E(EMFILE), E(EOPNOTSUPP), E(EFAULT), E(EBADF),
		E(ENOSYS), E(EFBIG), E(EOVERFLOW), E(ESRCH), E(ENAMETOOLONG),
#undef E
	};
	/* Several calls may feed one message: rotate through buffers. */
	static __thread char bufs[8][32];
	static __thread unsigned next;
	char *buf = bufs[next++ % 8];
	size_t i;

	if (ret < 0)
		for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (ret == -tab[i].err) {
				snprintf(buf, sizeof(bufs[0]), "-%s", tab[i].name);
				return buf;
			}
	snprintf(buf, sizeof(bufs[0]), "%ld", ret);
	return buf;
}

int64_t t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * T_S + ts.tv_nsec;
}

void t_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * T_MS };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t t_mix(uint64_t x)
{
	/* splitmix64 finaliser: every input bit reaches every output bit. */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

unsigned t_stress_seconds(void)
{
	const char *env = getenv("STRESS_SECONDS");
	unsigned long v;

	if (!env || !*env)
		return 0;
	v = strtoul(env, NULL, 10);
	return v > 86400 ? 86400 : (unsigned)v;
}

bool t_sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
	return true;
#else
	return false;
#endif
#else
	return false;
#endif
}

size_t t_pattern_len(uint64_t key, uint64_t seq, size_t max)
{
	uint64_t r = t_mix(key ^ t_mix(seq));

	/* Favour the edges: empty and full-size messages are where bugs live. */
	switch (r & 15) {
	case 0:
		return 0;
	case 1:
		return max;
	default:
		return (size_t)((r >> 8) % ((uint64_t)max + 1));
	}
}

/*
 * Every other stretch of 32 messages is all full-length: the runs an SPSC
 * burst receive takes without reading stamps, and their ends.
 */
size_t t_stream_len(uint64_t key, uint64_t seq, size_t max)
{
	return (seq >> 5) & 1 ? max : t_pattern_len(key, seq, max);
}

static uint64_t pattern_word(uint64_t key, uint64_t seq, size_t i)
{
	return t_mix(key + seq * 0xd1342543de82ef95ull + i * 0x9e3779b97f4a7c15ull);
}

void t_pattern_fill(void *buf, size_t len, uint64_t key, uint64_t seq)
{
	unsigned char *p = buf;
	size_t i, j;

	for (i = 0; i * 8 < len; i++) {
		uint64_t w = pattern_word(key, seq, i);

		for (j = 0; j < 8 && i * 8 + j < len; j++)
			p[i * 8 + j] = (unsigned char)(w >> (8 * j));
	}
}

ssize_t t_pattern_check(const void *buf, size_t len, uint64_t key, uint64_t seq)
{
	const unsigned char *p = buf;
	size_t i, j;

	for (i = 0; i * 8 < len; i++) {
		uint64_t w = pattern_word(key, seq, i);

		for (j = 0; j < 8 && i * 8 + j < len; j++)
			if (p[i * 8 + j] != (unsigned char)(w >> (8 * j)))
				return (ssize_t)(i * 8 + j);
	}
	return -1;
}

static uint64_t fnv1a(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t stamp_key(uint64_t seed, uint32_t producer)
{
	return t_mix(seed ^ ((uint64_t)producer << 40));
}

static uint64_t stamp_sum(const struct t_stamp *h, const void *payload, size_t plen)
{
	struct t_stamp c = *h;

	c.sum = 0;
	return fnv1a(fnv1a(0xcbf29ce484222325ull, &c, sizeof(c)), payload, plen);
}

size_t t_stamp_make(void *buf, size_t max, uint64_t seed, uint32_t producer, uint64_t seq)
{
	struct t_stamp h = { .producer = producer, .seq = seq };
	unsigned char *p = buf;
	size_t len = t_stream_len(stamp_key(seed, producer), seq, max);

	if (len < sizeof(h))
		len = sizeof(h);
	h.len = (uint32_t)len;
	t_pattern_fill(p + sizeof(h), len - sizeof(h), stamp_key(seed, producer), seq);
	h.sum = stamp_sum(&h, p + sizeof(h), len - sizeof(h));
	memcpy(p, &h, sizeof(h));
	return len;
}

const char *t_stamp_check(const void *buf, size_t len, uint64_t seed, struct t_stamp *out)
{
	const unsigned char *p = buf;
	struct t_stamp h;

	if (len < sizeof(h))
		return "message shorter than its stamp";
	memcpy(&h, p, sizeof(h));
	if (h.len != len)
		return "length differs from the stamped length";
	if (h.sum != stamp_sum(&h, p + sizeof(h), len - sizeof(h)))
		return "checksum mismatch";
	if (t_pattern_check(p + sizeof(h), len - sizeof(h), stamp_key(seed, h.producer), h.seq) >= 0)
		return "payload differs from the pattern of its seq";
	if (out)
		*out = h;
	return NULL;
}
