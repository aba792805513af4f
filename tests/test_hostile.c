/* SPDX-License-Identifier: MIT */
/*
 * Hostile and broken regions: objects that are not rings, truncated or
 * resized rings, insane header fields, and peers scribbling on a live ring.
 * Every probe runs in a forked child so that a SIGBUS or SIGSEGV shows as a
 * failure of the test, not a crash of the suite; the library must answer
 * -EPROTO (or, for a scribbled live ring, anything) and never die.
 */
#include "helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "layout.h"     /* lib/layout.h: the on-shm header to corrupt */

TestSuite(hostile, .fini = t_cleanup);

static int shm_fd(const char *name, int flags)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "/%s", name[0] == '/' ? name + 1 : name);
	fd = shm_open(path, flags, 0600);
	cr_assert(fd >= 0, "shm_open(%s): %s", path, strerror(errno));
	return fd;
}

/* A raw object of @len bytes of @fill (or random bytes when @fill < 0). */
static void make_object(const char *name, size_t len, int fill, uint64_t seed)
{
	int fd = shm_fd(name, O_RDWR | O_CREAT | O_EXCL);
	unsigned char *buf = malloc(len ? len : 1);

	cr_assert(buf);
	if (fill < 0)
		t_pattern_fill(buf, len, seed, len);
	else
		memset(buf, fill, len);
	cr_assert(ftruncate(fd, (off_t)len) == 0);
	cr_assert(len == 0 || pwrite(fd, buf, len, 0) == (ssize_t)len);
	close(fd);
	free(buf);
}

/*
 * open (both roles) and stat of @name in a child: both must give -EPROTO,
 * and the child must exit normally.
 */
static void expect_eproto(const char *name, const char *what)
{
	pid_t pid = t_fork();
	int status;

	if (pid == 0) {
		static const int roles[] = { SHMRING_PRODUCER, SHMRING_CONSUMER,
					     SHMRING_PRODUCER | SHMRING_CONSUMER };
		struct shmring_info info;
		struct shmring *r;
		int ret;

		for (size_t i = 0; i < 3; i++) {
			r = (struct shmring *)&info;
			ret = shmring_open(name, roles[i], &r);
			CHILD_CHECK(ret == -EPROTO, "%s: open(role %d) = %s, expected -EPROTO", what,
				    roles[i], t_errname(ret));
			CHILD_CHECK(r == NULL, "%s: ringp not NULL", what);
		}
		ret = shmring_stat(name, &info);
		CHILD_CHECK(ret == -EPROTO, "%s: stat = %s, expected -EPROTO", what,
			    t_errname(ret));
		_exit(0);
	}
	status = t_wait_status(pid, 20);
	cr_assert(status != -1, "[%s] %s: open/stat hung", t_ctx, what);
	cr_assert(!WIFSIGNALED(status), "[%s] %s: open/stat died by signal %d", t_ctx, what,
		  WTERMSIG(status));
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "[%s] %s: %s", t_ctx, what, t_child_msg());
}

Test(hostile, empty_object, .timeout = 30)
{
	const char *name = t_ring("empty");

	make_object(name, 0, 0, 0);
	expect_eproto(name, "empty object");
}

Test(hostile, garbage_objects, .timeout = 60)
{
	static const size_t sizes[] = { 1, 7, 64, 512, 4096, 4097, 65536, 1 << 20 };
	uint64_t seed = t_seed();

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char what[64];
		const char *name = t_ring("garbage%zu", sizes[i]);

		snprintf(what, sizeof(what), "%zu random bytes", sizes[i]);
		make_object(name, sizes[i], -1, seed);
		expect_eproto(name, what);
		name = t_ring("zeros%zu", sizes[i]);
		snprintf(what, sizeof(what), "%zu zero bytes", sizes[i]);
		make_object(name, sizes[i], 0, 0);
		expect_eproto(name, what);
		name = t_ring("ones%zu", sizes[i]);
		snprintf(what, sizeof(what), "%zu 0xff bytes", sizes[i]);
		make_object(name, sizes[i], 0xff, 0);
		expect_eproto(name, what);
	}
}

static uint64_t object_size(const char *name)
{
	int fd = shm_fd(name, O_RDONLY);
	struct stat st;

	cr_assert(fstat(fd, &st) == 0);
	close(fd);
	return (uint64_t)st.st_size;
}

static void resize(const char *name, uint64_t size)
{
	int fd = shm_fd(name, O_RDWR);

	cr_assert(ftruncate(fd, (off_t)size) == 0, "ftruncate: %s", strerror(errno));
	close(fd);
}

T_MODE_PARAMS(hostile, truncated_or_resized_ring)
ParameterizedTest(unsigned *mode, hostile, truncated_or_resized_ring, .timeout = 60)
{
	const char *name = t_ring("trunc-%s", t_mode_str(*mode));
	uint64_t full, sizes[12];
	unsigned char *snapshot;
	size_t n = 0;
	int fd;

	t_create(name, 64, 1000, *mode);
	full = object_size(name);
	cr_assert(full > sizeof(struct shr_hdr));
	sizes[n++] = 8;
	sizes[n++] = 64;
	sizes[n++] = offsetof(struct shr_hdr, att);
	sizes[n++] = sizeof(struct shr_hdr) - 1;
	sizes[n++] = sizeof(struct shr_hdr);
	sizes[n++] = full / 2;
	sizes[n++] = full - 4096;
	sizes[n++] = full - 1;
	sizes[n++] = full + 1;
	sizes[n++] = full + 4096;
	sizes[n++] = full * 2;
	snapshot = malloc(full);
	cr_assert(snapshot);
	fd = shm_fd(name, O_RDWR);
	cr_assert(pread(fd, snapshot, full, 0) == (ssize_t)full);
	for (size_t i = 0; i < n; i++) {
		char what[96];

		/* Intact contents each time: only the size disagrees. */
		cr_assert(ftruncate(fd, (off_t)full) == 0);
		cr_assert(pwrite(fd, snapshot, full, 0) == (ssize_t)full);
		resize(name, sizes[i]);
		snprintf(what, sizeof(what), "%s ring of %llu bytes resized to %llu",
			 t_mode_str(*mode), (unsigned long long)full,
			 (unsigned long long)sizes[i]);
		expect_eproto(name, what);
	}
	/* Restored, it is a ring again: the probes above changed nothing else. */
	cr_assert(ftruncate(fd, (off_t)full) == 0);
	cr_assert(pwrite(fd, snapshot, full, 0) == (ssize_t)full);
	close(fd);
	free(snapshot);
	{
		struct shmring_info info = t_stat(name);
		struct shmring *r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
		char b[8];

		cr_assert(info.capacity == 64 && info.msg_size == 1000);
		T_EXPECT(shmring_send(r, "ok", 2, SHMRING_NOWAIT), 0);
		T_EXPECT(shmring_recv(r, b, sizeof(b), SHMRING_NOWAIT), 2);
		shmring_close(r);
	}
}

struct field_case {
	char field[16];         /* no pointers: parameters cross an exec */
	int op;                 /* see corrupt() */
	uint64_t value;
};

enum { SET, ADD, XOR, MUL, DIV };

static uint64_t apply(uint64_t old, int op, uint64_t v)
{
	switch (op) {
	case SET:
		return v;
	case ADD:
		return old + v;
	case XOR:
		return old ^ v;
	case MUL:
		return old * v;
	default:
		return old / v;
	}
}

/* Change one geometry field of @name's header in place. */
static void corrupt(const char *name, const struct field_case *fc)
{
	int fd = shm_fd(name, O_RDWR);
	struct shr_geom *g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	cr_assert(g != MAP_FAILED);
	close(fd);
#define FIELD(f)							\
	if (strcmp(fc->field, #f) == 0) {				\
		g->f = (__typeof__(g->f))apply(g->f, fc->op, fc->value);	\
	} else
	FIELD(magic)
	FIELD(layout_version)
	FIELD(hdr_size)
	FIELD(region_size)
	FIELD(capacity)
	FIELD(msg_size)
	FIELD(slot_size)
	FIELD(flags)
	FIELD(max_attach)
		cr_assert_fail("unknown field %s", fc->field);
#undef FIELD
	munmap(g, sizeof(*g));
}

ParameterizedTestParameters(hostile, insane_header_field)
{
	static struct field_case p[] = {
		{ "magic", XOR, 1 }, { "magic", SET, 0 }, { "magic", XOR, 1ull << 63 },
		{ "layout_version", ADD, 1 }, { "layout_version", SET, 0 },
		{ "layout_version", SET, UINT32_MAX },
		{ "hdr_size", SET, 0 }, { "hdr_size", ADD, 128 }, { "hdr_size", ADD, (uint64_t)-128 },
		{ "hdr_size", SET, UINT32_MAX },
		{ "region_size", ADD, 1 }, { "region_size", ADD, (uint64_t)-1 },
		{ "region_size", MUL, 2 }, { "region_size", SET, 0 },
		{ "region_size", SET, UINT64_MAX }, { "region_size", SET, 1ull << 62 },
		{ "capacity", SET, 0 }, { "capacity", SET, 1 }, { "capacity", SET, 3 },
		{ "capacity", MUL, 2 }, { "capacity", DIV, 2 }, { "capacity", ADD, 1 },
		{ "capacity", SET, 1u << 31 }, { "capacity", SET, UINT32_MAX },
		{ "capacity", SET, 1u << 30 },
		{ "msg_size", SET, 0 }, { "msg_size", MUL, 2 }, { "msg_size", ADD, 64 },
		{ "msg_size", SET, (1u << 24) + 1 }, { "msg_size", SET, UINT32_MAX },
		{ "msg_size", SET, 1u << 24 },
		{ "slot_size", SET, 0 }, { "slot_size", SET, 16 }, { "slot_size", ADD, 16 },
		{ "slot_size", ADD, (uint64_t)-16 }, { "slot_size", ADD, 1 },
		{ "slot_size", MUL, 2 }, { "slot_size", SET, UINT32_MAX },
		{ "flags", SET, 1u << 3 }, { "flags", SET, UINT32_MAX },
		{ "flags", SET, 1u << 31 },
		{ "max_attach", SET, 0 }, { "max_attach", ADD, 1 }, { "max_attach", SET, UINT32_MAX },
	};

	return cr_make_param_array(struct field_case, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct field_case *fc, hostile, insane_header_field, .timeout = 30)
{
	static const unsigned modes[] = { 0, SHMRING_MP | SHMRING_MC };
	char what[128];

	for (size_t i = 0; i < 2; i++) {
		const char *name = t_ring("field-%s-%d-%llx-%u", fc->field, fc->op,
					  (unsigned long long)fc->value, modes[i]);

		t_create(name, 64, 1000, modes[i]);
		corrupt(name, fc);
		snprintf(what, sizeof(what), "%s ring with %s %s %#llx", t_mode_str(modes[i]),
			 fc->field, (const char *[]){ "=", "+=", "^=", "*=", "/=" }[fc->op],
			 (unsigned long long)fc->value);
		expect_eproto(name, what);
	}
}

/* The region of an open ring, mapped a second time for scribbling. */
static unsigned char *map_whole(const char *name, size_t *len)
{
	int fd = shm_fd(name, O_RDWR);
	struct stat st;
	void *p;

	CHILD_CHECK(fstat(fd, &st) == 0, "fstat");
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHILD_CHECK(p != MAP_FAILED, "mmap");
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* A corrupted message length: recv and peek report -EPROTO and drop it. */
T_MODE_PARAMS(hostile, corrupted_message_length)
ParameterizedTest(unsigned *mode, hostile, corrupted_message_length, .timeout = 30)
{
	const char *name = t_ring("badlen-%s", t_mode_str(*mode));
	pid_t pid;

	t_create(name, 4, 64, *mode);
	pid = t_fork();
	if (pid == 0) {
		static const uint32_t bad[] = { 65, 1000, 1u << 24, 0x7fffffff };
		struct shmring *p = NULL, *c = NULL;
		struct shr_hdr *h;
		struct shmring_msg m;
		unsigned char buf[64];
		size_t len;
		int ret, k;

		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open producer = %s", t_errname(ret));
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open consumer = %s", t_errname(ret));
		/* mmap returns page-aligned memory: the casts below are aligned. */
		h = (void *)map_whole(name, &len);
		for (k = 0; k < 4; k++) {
			unsigned idx = (unsigned)(2 * k) % 4;
			struct shr_slot *s = (void *)((unsigned char *)h + h->geom.hdr_size +
						       (size_t)idx * sizeof(*s));
			ssize_t n;

			ret = shmring_send(p, "bad", 3, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
			ret = shmring_send(p, "good", 4, SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send = %s", t_errname(ret));
			CHILD_CHECK(s->len == 3, "slot %u does not hold the first message", idx);
			s->len = bad[k];
			if (k & 1) {
				ret = shmring_peek(c, &m, SHMRING_NOWAIT);
				CHILD_CHECK(ret == -EPROTO, "peek of length %u = %s", bad[k],
					    t_errname(ret));
			} else {
				n = shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT);
				CHILD_CHECK(n == -EPROTO, "recv of length %u = %s", bad[k],
					    t_errname(n));
			}
			/* Dropped: the next one comes through intact. */
			n = shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT);
			CHILD_CHECK(n == 4 && memcmp(buf, "good", 4) == 0,
				    "recv after a dropped message = %s", t_errname(n));
		}
		{
			ssize_t n = shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT);

			CHILD_CHECK(n == -EAGAIN, "ring not empty: %s", t_errname(n));
		}
		_exit(0);
	}
	t_wait_ok(pid, 20, "prober");
}

/*
 * The state a recoverer leaves when it is killed between its two steps of
 * giving up a dead producer's claim: consumers moved past the claimed
 * position, the slot never freed.  Written here by hand, since the window
 * is a few instructions wide; the next lap must still get through, and the
 * claim is counted once.
 */
ParameterizedTestParameters(hostile, recoverer_died_midway)
{
	static unsigned modes[] = { SHMRING_MP, SHMRING_MP | SHMRING_MC };

	return cr_make_param_array(unsigned, modes, 2);
}

ParameterizedTest(unsigned *mode, hostile, recoverer_died_midway, .timeout = 30)
{
	const char *name = t_ring("midway-%s", t_mode_str(*mode));
	pid_t pid;

	t_create(name, 4, 16, *mode);
	pid = t_fork_claim_holder(name, NULL);
	t_kill(pid);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL, *c = NULL;
		struct shmring_info info;
		struct shr_hdr *h;
		struct shr_slot *s0;
		uint64_t q = 0;
		size_t len;
		int i, v, ret;

		/* mmap returns page-aligned memory: the casts below are aligned. */
		h = (void *)map_whole(name, &len);
		s0 = (void *)((unsigned char *)h + h->geom.hdr_size);
		CHILD_CHECK(atomic_load(&h->prod.pos) == 1 && atomic_load(&s0->seq) == 0,
			    "not the state of one dead claim at position 0");
		/* The recoverer's first step, then it is gone. */
		CHILD_CHECK(atomic_compare_exchange_strong(&h->cons.pos, &q, 1), "cons.pos moved");
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open consumer = %s", t_errname(ret));
		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open producer = %s", t_errname(ret));
		/* Position 4 reuses slot 0. */
		for (i = 1; i <= 4; i++) {
			ret = shmring_send(p, &i, sizeof(i), 3 * T_S);
			CHILD_CHECK(ret == 0, "send %d = %s", i, t_errname(ret));
			v = 0;
			ret = (int)shmring_recv(c, &v, sizeof(v), 3 * T_S);
			CHILD_CHECK(ret == sizeof(v) && v == i, "recv %d = %s (%d)", i,
				    t_errname(ret), v);
		}
		ret = shmring_info(c, &info);
		CHILD_CHECK(ret == 0 && info.abandoned == 1 && info.count == 0,
			    "abandoned %llu count %llu", (unsigned long long)info.abandoned,
			    (unsigned long long)info.count);
		shmring_close(p);
		shmring_close(c);
		_exit(0);
	}
	t_wait_ok(pid, 20, "lap after a recoverer died midway");
}

/*
 * A producer killed between stamping its messages and storing its index,
 * written here by hand since the window is a few instructions wide.  A
 * burst receive, which otherwise goes by that index, still takes every
 * stamped message once the producer is gone, and only then ends the stream.
 */
Test(hostile, producer_died_before_its_index, .timeout = 30)
{
	const char *name = t_ring("unindexed");
	unsigned char in[3][64], out[3][64];
	struct iovec iov[3];
	struct shmring *c;
	pid_t pid;

	t_create(name, 8, 64, 0);
	c = t_open(name, SHMRING_CONSUMER);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL;
		struct shr_hdr *h;
		size_t len;
		int ret;

		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open producer = %s", t_errname(ret));
		for (int i = 0; i < 3; i++) {
			t_pattern_fill(out[i], sizeof(out[i]), 7, (uint64_t)i);
			ret = shmring_send(p, out[i], sizeof(out[i]), SHMRING_NOWAIT);
			CHILD_CHECK(ret == 0, "send %d = %s", i, t_errname(ret));
		}
		/* mmap returns page-aligned memory: the cast is aligned. */
		h = (void *)map_whole(name, &len);
		CHILD_CHECK(atomic_load(&h->prod.pos) == 3, "not three messages indexed");
		atomic_store(&h->prod.pos, 0);
		_exit(0);          /* without closing: dead, as far as the ring knows */
	}
	t_wait_ok(pid, 20, "producer");
	for (int i = 0; i < 3; i++)
		iov[i] = (struct iovec){ .iov_base = in[i], .iov_len = sizeof(in[i]) };
	T_EXPECT(shmring_recv_burst(c, iov, 3, 10 * T_S), 3);
	for (int i = 0; i < 3; i++)
		cr_assert(iov[i].iov_len == 64 && t_pattern_check(in[i], 64, 7, (uint64_t)i) < 0,
			  "message %d", i);
	T_EXPECT(shmring_recv_burst(c, iov, 3, 10 * T_S), -EPIPE);
	shmring_close(c);
}

/*
 * A peer scribbles random bytes over a live ring's header and slots while
 * this process keeps calling the API: results may be anything, but no call
 * crashes, touches memory it should not, or outlives its timeout.
 */
static void scribble_round(const char *name, unsigned mode, uint64_t seed, int rounds);

T_MODE_PARAMS(hostile, scribbled_live_ring)
ParameterizedTest(unsigned *mode, hostile, scribbled_live_ring, .timeout = T_STRESS_TIMEOUT)
{
	const char *name = t_ring("scribble-%s", t_mode_str(*mode));
	uint64_t seed = t_seed();
	int rounds = t_sanitized() ? 150 : 400;

	int64_t end = t_now_ns() + (int64_t)t_stress_seconds() * T_S;
	unsigned round = 0;

	/* One round by default; make check-stress repeats with other seeds. */
	do {
		scribble_round(name, *mode, seed + round, rounds);
		round++;
	} while (t_now_ns() < end);
}

static void scribble_round(const char *name, unsigned mode, uint64_t seed, int rounds)
{
	pid_t pid;

	t_create(name, 8, 48, mode);
	pid = t_fork();
	if (pid == 0) {
		struct shmring *p = NULL, *c = NULL;
		unsigned char *base, buf[64];
		size_t len;
		int ret;

		ret = shmring_open(name, SHMRING_PRODUCER, &p);
		CHILD_CHECK(ret == 0, "open producer = %s", t_errname(ret));
		ret = shmring_open(name, SHMRING_CONSUMER, &c);
		CHILD_CHECK(ret == 0, "open consumer = %s", t_errname(ret));
		base = map_whole(name, &len);
		for (int i = 0; i < rounds; i++) {
			uint64_t r = t_mix(seed + (uint64_t)i);
			int64_t tmo = (r >> 60) & 1 ? SHMRING_NOWAIT : 2 * T_MS;
			int64_t t0, el, limit = tmo + 1500 * T_MS;
			struct shmring_msg m;
			struct shmring_info info;
			struct iovec iov[3];
			int writes = 1 + (int)(r % 8), op;

			/* Scribble: anywhere after the fixed geometry, words or bytes. */
			for (int w = 0; w < writes; w++) {
				uint64_t x = t_mix(r + (uint64_t)w);
				size_t off = sizeof(struct shr_geom) +
					     (size_t)(x % (len - sizeof(struct shr_geom) - 8));

				if (x & (1ull << 62)) {
					uint64_t v = t_mix(x);

					if (x & (1ull << 61))
						v &= 0xff;      /* small values hit more checks */
					memcpy(base + (off & ~(size_t)7), &v, 8);
				} else {
					base[off] = (unsigned char)(x >> 40);
				}
			}
			for (op = 0; op < 9; op++) {
				t0 = t_now_ns();
				switch (op) {
				case 0:
					(void)shmring_send(p, "scribble", 8, tmo);
					break;
				case 1:
					(void)shmring_recv(c, buf, sizeof(buf), tmo);
					break;
				case 2:
					if (shmring_claim(p, &m, tmo) == 0) {
						memset(m.data, 0x11, 48);
						m.len = 7;
						(void)shmring_publish(p, &m);
					}
					break;
				case 3:
					if (shmring_peek(c, &m, tmo) == 0) {
						volatile unsigned char sink = 0;

						/* Every byte it claims to have must be readable. */
						for (size_t k = 0; k < m.len && k < 48; k++)
							sink ^= ((unsigned char *)m.data)[k];
						(void)sink;
						CHILD_CHECK(m.len <= 48, "peek len %zu > msg_size",
							    m.len);
						(void)shmring_release(c, &m);
					}
					break;
				case 4:
					iov[0] = (struct iovec){ .iov_base = buf, .iov_len = 8 };
					iov[1] = iov[0];
					iov[2] = iov[0];
					(void)shmring_send_burst(p, iov, 3, tmo);
					break;
				case 5:
					for (int k = 0; k < 3; k++)
						iov[k] = (struct iovec){ .iov_base = buf, .iov_len = 20 };
					ret = shmring_recv_burst(c, iov, 3, tmo);
					for (int k = 0; k < ret && k < 3; k++)
						CHILD_CHECK(iov[k].iov_len <= 20, "iov_len grew");
					break;
				case 6:
					(void)shmring_info(c, &info);
					break;
				case 7:
					(void)shmring_stat(name, &info);
					break;
				default: {
					ssize_t n = shmring_recv(c, buf, 4, tmo);

					CHILD_CHECK(n <= 4, "recv returned %zd for a 4-byte buffer", n);
					break;
				}
				}
				el = t_now_ns() - t0;
				CHILD_CHECK(el < limit, "round %d op %d took %lld ms (timeout %lld ns)",
					    i, op, (long long)(el / T_MS), (long long)tmo);
			}
		}
		/* Closing a handle on a scribbled ring is safe too. */
		shmring_close(p);
		shmring_close(c);
		_exit(0);
	}
	{
		int status = t_wait_status(pid, 100);

		cr_assert(status != -1, "[%s] API calls on a scribbled ring hung", t_ctx);
		cr_assert(!WIFSIGNALED(status),
			  "[%s] API calls on a scribbled ring died by signal %d", t_ctx,
			  WTERMSIG(status));
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "[%s] API misbehaved on a scribbled ring: %s", t_ctx,
			  t_child_msg());
	}
	/* A fresh open of the scribbled ring: any answer, no crash. */
	pid = t_fork();
	if (pid == 0) {
		struct shmring *r = NULL;

		if (shmring_open(name, SHMRING_CONSUMER, &r) == 0) {
			char b[64];

			(void)shmring_recv(r, b, sizeof(b), SHMRING_NOWAIT);
			shmring_close(r);
		}
		_exit(0);
	}
	t_wait_ok(pid, 20, "open of a scribbled ring");
	T_EXPECT(shmring_unlink(name), 0);
}
