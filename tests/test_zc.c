/* SPDX-License-Identifier: MIT */
/* Zero-copy: shmring_claim/publish and shmring_peek/release. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(zc, .fini = t_cleanup);

T_MODE_PARAMS(zc, in_place_round_trip)
ParameterizedTest(unsigned *mode, zc, in_place_round_trip, .timeout = 20)
{
	enum { MSG = 100 };
	const char *name = t_ring("rt-%s", t_mode_str(*mode));
	struct shmring *r;
	struct shmring_msg w, m;
	struct shmring_info info;
	char buf[MSG];
	int i;

	t_create(name, 4, MSG, *mode);
	/* One handle, one mapping: the claimed and the peeked slot coincide. */
	r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
	for (i = 0; i < 10; i++) {
		size_t len = (size_t)(i * 11) % (MSG + 1);

		memset(&w, 0, sizeof(w));
		T_EXPECT(shmring_claim(r, &w, SHMRING_NOWAIT), 0);
		cr_assert(w.data != NULL);
		cr_assert(w.len == MSG, "claim gave len %zu, expected msg_size", w.len);
		/* Every byte of the slot is writable. */
		memset(w.data, 0x5a, MSG);
		t_pattern_fill(w.data, len, 21, (uint64_t)i);
		w.len = len;
		info = t_info(r);
		cr_assert(info.count == 0 || info.count == 1,
			  "a claimed slot is not a message yet");
		T_EXPECT(shmring_publish(r, &w), 0);

		memset(&m, 0, sizeof(m));
		T_EXPECT(shmring_peek(r, &m, SHMRING_NOWAIT), 0);
		cr_assert(m.data == w.data, "peek does not point at the claimed slot");
		cr_assert(m.len == len, "peek len %zu, published %zu", m.len, len);
		cr_assert(t_pattern_check(m.data, len, 21, (uint64_t)i) < 0);
		T_EXPECT(shmring_release(r, &m), 0);
		info = t_info(r);
		cr_assert(info.count == 0 && info.received == (uint64_t)i + 1);
	}
	/* And mixed with the copying calls. */
	T_EXPECT(shmring_claim(r, &w, SHMRING_NOWAIT), 0);
	memcpy(w.data, "zc", 2);
	w.len = 2;
	T_EXPECT(shmring_publish(r, &w), 0);
	T_EXPECT(shmring_recv(r, buf, sizeof(buf), SHMRING_NOWAIT), 2);
	cr_assert(memcmp(buf, "zc", 2) == 0);
	T_EXPECT(shmring_send(r, "copy", 4, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_peek(r, &m, SHMRING_NOWAIT), 0);
	cr_assert(m.len == 4 && memcmp(m.data, "copy", 4) == 0);
	T_EXPECT(shmring_release(r, &m), 0);
	shmring_close(r);
}

T_MODE_PARAMS(zc, one_claim_one_peek_per_handle)
ParameterizedTest(unsigned *mode, zc, one_claim_one_peek_per_handle, .timeout = 20)
{
	const char *name = t_ring("busy-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_msg a, b;
	struct shmring_info before, after;

	t_create(name, 8, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_claim(p, &a, SHMRING_NOWAIT), 0);
	before = t_info(p);
	T_EXPECT(shmring_claim(p, &b, SHMRING_NOWAIT), -EBUSY);
	T_EXPECT(shmring_claim(p, &b, 10 * T_MS), -EBUSY);
	after = t_info(p);
	t_assert_same(&before, &after);
	memcpy(a.data, "A", 1);
	a.len = 1;
	T_EXPECT(shmring_publish(p, &a), 0);
	/* Published: the same message cannot be published again. */
	T_EXPECT(shmring_publish(p, &a), -EINVAL);
	T_EXPECT(shmring_claim(p, &b, SHMRING_NOWAIT), 0);
	memcpy(b.data, "B", 1);
	b.len = 1;
	T_EXPECT(shmring_publish(p, &b), 0);

	T_EXPECT(shmring_peek(c, &a, SHMRING_NOWAIT), 0);
	cr_assert(a.len == 1 && *(char *)a.data == 'A');
	before = t_info(c);
	T_EXPECT(shmring_peek(c, &b, SHMRING_NOWAIT), -EBUSY);
	T_EXPECT(shmring_peek(c, &b, 10 * T_MS), -EBUSY);
	after = t_info(c);
	t_assert_same(&before, &after);
	T_EXPECT(shmring_release(c, &a), 0);
	T_EXPECT(shmring_release(c, &a), -EINVAL);
	T_EXPECT(shmring_peek(c, &b, SHMRING_NOWAIT), 0);
	cr_assert(b.len == 1 && *(char *)b.data == 'B');
	T_EXPECT(shmring_release(c, &b), 0);
	shmring_close(p);
	shmring_close(c);
}

T_MODE_PARAMS(zc, foreign_messages_rejected)
ParameterizedTest(unsigned *mode, zc, foreign_messages_rejected, .timeout = 20)
{
	const char *name = t_ring("foreign-%s", t_mode_str(*mode));
	struct shmring *p, *c;
	struct shmring_msg m, fake, peeked;
	struct shmring_info before, after;
	char buf[16];

	t_create(name, 8, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);

	/* Nothing claimed yet. */
	memset(&fake, 0, sizeof(fake));
	T_EXPECT(shmring_publish(p, &fake), -EINVAL);
	T_EXPECT(shmring_release(c, &fake), -EINVAL);
	T_EXPECT(shmring_publish(p, NULL), -EINVAL);
	T_EXPECT(shmring_release(c, NULL), -EINVAL);

	T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), 0);
	before = t_info(p);
	/* A made-up message, and the real one with its token changed. */
	fake = m;
	fake.token ^= 0x5555;
	T_EXPECT(shmring_publish(p, &fake), -EINVAL);
	fake = m;
	fake.token += 1;
	T_EXPECT(shmring_publish(p, &fake), -EINVAL);
	fake.token = ~0ull;
	T_EXPECT(shmring_publish(p, &fake), -EINVAL);
	after = t_info(p);
	t_assert_same(&before, &after);
	/* Too long: -EMSGSIZE and the claim stays held. */
	m.len = 17;
	T_EXPECT(shmring_publish(p, &m), -EMSGSIZE);
	T_EXPECT(shmring_claim(p, &fake, SHMRING_NOWAIT), -EBUSY);
	memcpy(m.data, "real", 4);
	m.len = 4;
	T_EXPECT(shmring_publish(p, &m), 0);

	/* Another producer handle's claim cannot be published here. */
	if (*mode & SHMRING_MP) {
		struct shmring *p2 = t_open(name, SHMRING_PRODUCER);
		struct shmring_msg m2;

		T_EXPECT(shmring_claim(p2, &m2, SHMRING_NOWAIT), 0);
		T_EXPECT(shmring_publish(p, &m2), -EINVAL);
		memcpy(m2.data, "p2", 2);
		m2.len = 2;
		T_EXPECT(shmring_publish(p2, &m2), 0);
		shmring_close(p2);
	} else {
		T_EXPECT(shmring_send(p, "p2", 2, SHMRING_NOWAIT), 0);
	}

	T_EXPECT(shmring_peek(c, &peeked, SHMRING_NOWAIT), 0);
	cr_assert(peeked.len == 4 && memcmp(peeked.data, "real", 4) == 0);
	before = t_info(c);
	fake = peeked;
	fake.token ^= 0xaaaa;
	T_EXPECT(shmring_release(c, &fake), -EINVAL);
	after = t_info(c);
	t_assert_same(&before, &after);
	if (*mode & SHMRING_MC) {
		/* Another consumer handle's peek cannot be released here. */
		struct shmring *c2 = t_open(name, SHMRING_CONSUMER);
		struct shmring_msg m2;

		T_EXPECT(shmring_peek(c2, &m2, SHMRING_NOWAIT), 0);
		cr_assert(m2.len == 2 && memcmp(m2.data, "p2", 2) == 0);
		T_EXPECT(shmring_release(c, &m2), -EINVAL);
		T_EXPECT(shmring_release(c2, &m2), 0);
		shmring_close(c2);
		T_EXPECT(shmring_release(c, &peeked), 0);
	} else {
		T_EXPECT(shmring_release(c, &peeked), 0);
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 2);
		cr_assert(memcmp(buf, "p2", 2) == 0);
	}
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	after = t_info(c);
	cr_assert(after.received == 2 && after.sent == 2 && after.count == 0);
	shmring_close(p);
	shmring_close(c);
}

/* Closing with a claim outstanding gives it up: consumers never see it. */
T_MODE_PARAMS(zc, close_gives_up_claim)
ParameterizedTest(unsigned *mode, zc, close_gives_up_claim, .timeout = 30)
{
	const char *name = t_ring("closeclaim-%s", t_mode_str(*mode));
	struct shmring *p, *p2 = NULL, *c;
	struct shmring_msg m;
	struct shmring_info info;
	char buf[16];

	t_create(name, 4, 16, *mode);
	c = t_open(name, SHMRING_CONSUMER);
	p = t_open(name, SHMRING_PRODUCER);
	if (*mode & SHMRING_MP)
		p2 = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p, "before", 6, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_claim(p, &m, SHMRING_NOWAIT), 0);
	memcpy(m.data, "ghost", 5);
	m.len = 5;
	if (p2)
		T_EXPECT(shmring_send(p2, "during", 6, SHMRING_NOWAIT), 0);
	shmring_close(p);
	if (!p2)
		p2 = t_open(name, SHMRING_PRODUCER);
	T_EXPECT(shmring_send(p2, "after", 5, SHMRING_NOWAIT), 0);

	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 5 * T_S), 6);
	cr_assert(memcmp(buf, "before", 6) == 0);
	if (*mode & SHMRING_MP) {
		T_EXPECT(shmring_recv(c, buf, sizeof(buf), 5 * T_S), 6);
		cr_assert(memcmp(buf, "during", 6) == 0, "the given-up claim was delivered");
	}
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 5 * T_S), 5);
	cr_assert(memcmp(buf, "after", 5) == 0, "the given-up claim was delivered");
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), 50 * T_MS), -ETIMEDOUT);
	info = t_info(c);
	cr_assert(info.count == 0);
	/* The slot went back to producers: the whole ring is usable. */
	for (int i = 0; i < 4; i++)
		T_EXPECT(shmring_send(p2, "fill", 4, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p2, "fill", 4, SHMRING_NOWAIT), -EAGAIN);
	shmring_close(p2);
	shmring_close(c);
}

/* Closing with a peek outstanding releases it: consumed, slot free again. */
T_MODE_PARAMS(zc, close_releases_peek)
ParameterizedTest(unsigned *mode, zc, close_releases_peek, .timeout = 30)
{
	const char *name = t_ring("closepeek-%s", t_mode_str(*mode));
	struct shmring *p, *c, *c2;
	struct shmring_msg m;
	struct shmring_info info;
	char buf[16];

	t_create(name, 2, 16, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "one", 3, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(p, "two", 3, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_peek(c, &m, SHMRING_NOWAIT), 0);
	cr_assert(m.len == 3 && memcmp(m.data, "one", 3) == 0);
	shmring_close(c);
	T_EXPECT(shmring_send(p, "three", 5, SHMRING_NOWAIT), 0);
	c2 = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_recv(c2, buf, sizeof(buf), SHMRING_NOWAIT), 3);
	cr_assert(memcmp(buf, "two", 3) == 0, "a released peek was delivered again");
	T_EXPECT(shmring_recv(c2, buf, sizeof(buf), SHMRING_NOWAIT), 5);
	cr_assert(memcmp(buf, "three", 5) == 0);
	T_EXPECT(shmring_recv(c2, buf, sizeof(buf), SHMRING_NOWAIT), -EAGAIN);
	info = t_info(c2);
	cr_assert(info.received == 3 && info.sent == 3 && info.count == 0,
		  "received %llu sent %llu count %llu", (unsigned long long)info.received,
		  (unsigned long long)info.sent, (unsigned long long)info.count);
	cr_assert(info.abandoned == 0, "a closed peek counted as abandoned");
	shmring_close(p);
	shmring_close(c2);
}

/* Peeks released out of order by several consumers free every slot. */
ParameterizedTestParameters(zc, out_of_order_release)
{
	static unsigned modes[] = { SHMRING_MC, SHMRING_MP | SHMRING_MC };

	return cr_make_param_array(unsigned, modes, 2);
}

ParameterizedTest(unsigned *mode, zc, out_of_order_release, .timeout = 30)
{
	const char *name = t_ring("ooo-%s", t_mode_str(*mode));
	struct shmring *p, *c[4];
	struct shmring_msg m[4];
	struct shmring_info info;
	int i, lap;


	t_create(name, 4, 8, *mode);
	p = t_open(name, SHMRING_PRODUCER);
	for (i = 0; i < 4; i++)
		c[i] = t_open(name, SHMRING_CONSUMER);
	for (lap = 0; lap < 5; lap++) {
		for (i = 0; i < 4; i++) {
			char ch = (char)('a' + i);

			T_EXPECT(shmring_send(p, &ch, 1, SHMRING_NOWAIT), 0);
		}
		T_EXPECT(shmring_send(p, "x", 1, SHMRING_NOWAIT), -EAGAIN);
		for (i = 0; i < 4; i++) {
			T_EXPECT(shmring_peek(c[i], &m[i], SHMRING_NOWAIT), 0);
			cr_assert(m[i].len == 1 && *(char *)m[i].data == 'a' + i);
		}
		/* Release the newest first: the oldest still holds the ring. */
		for (i = 3; i >= 1; i--)
			T_EXPECT(shmring_release(c[i], &m[i]), 0);
		T_EXPECT(shmring_release(c[0], &m[0]), 0);
		info = t_info(p);
		cr_assert(info.count == 0 && info.received == (uint64_t)lap * 8 + 4);
		/* Now all four slots are free. */
		for (i = 0; i < 4; i++)
			T_EXPECT(shmring_send(p, "y", 1, 5 * T_S), 0);
		for (i = 0; i < 4; i++) {
			char b[8];

			T_EXPECT(shmring_recv(c[(i + lap) % 4], b, sizeof(b), SHMRING_NOWAIT), 1);
			cr_assert(b[0] == 'y');
		}
	}
	for (i = 0; i < 4; i++)
		shmring_close(c[i]);
	shmring_close(p);
}

/*
 * The layout's promise (lib/layout.h): a payload of up to 64 bytes lies in
 * one 64-byte cache line, and one of over 32 bytes has its lines to itself.
 * Seen through the claimed pointers of every slot, for sizes around a line.
 */
Test(zc, payloads_on_cache_lines, .timeout = 30)
{
	static const uint32_t sizes[] = { 1, 7, 8, 9, 24, 33, 64, 65, 100, 128, 129, 4096 };
	enum { CAP = 8, LINE = 64 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		const char *name = t_ring("lines-%u", sizes[k]);
		uintptr_t first[CAP], last[CAP];
		struct shmring_msg w;
		struct shmring *r;

		t_create(name, CAP, sizes[k], 0);
		r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
		for (int i = 0; i < CAP; i++) {
			T_EXPECT(shmring_claim(r, &w, SHMRING_NOWAIT), 0);
			cr_assert((uintptr_t)w.data % 8 == 0, "payload %p not 8-aligned", w.data);
			first[i] = (uintptr_t)w.data / LINE;
			last[i] = ((uintptr_t)w.data + sizes[k] - 1) / LINE;
			if (sizes[k] <= LINE)
				cr_assert(first[i] == last[i], "%u bytes straddle two lines", sizes[k]);
			for (int j = 0; j < i && sizes[k] > LINE / 2; j++)
				cr_assert(last[i] < first[j] || last[j] < first[i],
					  "msg_size %u: payloads %d and %d share a line", sizes[k],
					  i, j);
			w.len = 0;
			T_EXPECT(shmring_publish(r, &w), 0);
		}
		shmring_close(r);
		T_EXPECT(shmring_unlink(name), 0);
	}
}
