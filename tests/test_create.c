/* SPDX-License-Identifier: MIT */
/* shmring_create(): config validation, permissions, -EEXIST, failure cleanup. */
#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(create, .fini = t_cleanup);

/* No object in /dev/shm mentions @name: a failed create left nothing. */
static void assert_nothing_left(const char *name)
{
	const char *bare = name[0] == '/' ? name + 1 : name;
	struct dirent *de;
	DIR *d = opendir("/dev/shm");

	cr_assert(d != NULL);
	while ((de = readdir(d)) != NULL)
		cr_assert(strstr(de->d_name, bare) == NULL,
			  "failed create left /dev/shm/%s behind", de->d_name);
	closedir(d);
}

static void expect_einval(const char *name, uint32_t cap, uint32_t msg, uint32_t flags,
			  uint32_t mode)
{
	struct shmring_config cfg = { .capacity = cap, .msg_size = msg, .flags = flags,
				      .mode = mode };
	int ret = shmring_create(name, &cfg);

	cr_assert(ret == -EINVAL,
		  "create(cap %u, msg %u, flags %#x, mode %#o) = %s, expected -EINVAL",
		  cap, msg, flags, mode, t_errname(ret));
	assert_nothing_left(name);
}

Test(create, bad_capacity, .timeout = 20)
{
	static const uint32_t bad[] = {
		0, 1, 3, 5, 6, 12, 1000, (1u << 30) + 1, 3u << 29, 1u << 31, UINT32_MAX,
	};
	const char *name = t_ring("cap");
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_einval(name, bad[i], 64, 0, 0);
}

Test(create, bad_msg_size, .timeout = 20)
{
	const char *name = t_ring("msg");

	expect_einval(name, 4, 0, 0, 0);
	expect_einval(name, 4, SHMRING_MSG_SIZE_MAX + 1, 0, 0);
	expect_einval(name, 4, UINT32_MAX, 0, 0);
}

Test(create, unknown_flags, .timeout = 20)
{
	const char *name = t_ring("flags");
	unsigned bit;

	for (bit = 3; bit < 32; bit++)
		expect_einval(name, 4, 64, 1u << bit, 0);
	expect_einval(name, 4, 64, SHMRING_MP | SHMRING_MC | (1u << 3), 0);
}

Test(create, mode_beyond_permission_bits, .timeout = 20)
{
	static const uint32_t bad[] = { 01000, 02000, 04000, 04600, 010000, 0100600, 0170000,
					UINT32_MAX };
	const char *name = t_ring("mode");
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_einval(name, 4, 64, 0, bad[i]);
}

Test(create, null_config, .timeout = 20)
{
	const char *name = t_ring("nullcfg");

	T_EXPECT(shmring_create(name, NULL), -EINVAL);
	cr_assert(!t_shm_exists(name));
}

Test(create, boundary_geometry, .timeout = 30)
{
	const char *small = t_ring("small");
	const char *big = t_ring("big");
	struct shmring_info info;
	struct shmring *r;
	unsigned char *msg, *buf;

	/* The smallest ring: two slots of one byte. */
	t_create(small, SHMRING_CAPACITY_MIN, 1, 0);
	r = t_open(small, SHMRING_PRODUCER | SHMRING_CONSUMER);
	T_EXPECT(shmring_send(r, "a", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(r, "b", 1, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(r, "c", 1, SHMRING_NOWAIT), -EAGAIN);
	T_EXPECT(shmring_send(r, "dd", 2, SHMRING_NOWAIT), -EMSGSIZE);
	info = t_info(r);
	cr_assert(info.capacity == 2 && info.msg_size == 1 && info.count == 2);
	shmring_close(r);

	/* The largest message: 2^24 bytes, every byte checked. */
	t_create(big, 2, SHMRING_MSG_SIZE_MAX, SHMRING_MP | SHMRING_MC);
	r = t_open(big, SHMRING_PRODUCER | SHMRING_CONSUMER);
	msg = malloc(SHMRING_MSG_SIZE_MAX);
	buf = malloc(SHMRING_MSG_SIZE_MAX);
	cr_assert(msg && buf);
	t_pattern_fill(msg, SHMRING_MSG_SIZE_MAX, 1, 2);
	T_EXPECT(shmring_send(r, msg, SHMRING_MSG_SIZE_MAX, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_send(r, msg, SHMRING_MSG_SIZE_MAX + 1, SHMRING_NOWAIT), -EMSGSIZE);
	memset(buf, 0, SHMRING_MSG_SIZE_MAX);
	T_EXPECT(shmring_recv(r, buf, SHMRING_MSG_SIZE_MAX, SHMRING_NOWAIT),
		 SHMRING_MSG_SIZE_MAX);
	cr_assert(t_pattern_check(buf, SHMRING_MSG_SIZE_MAX, 1, 2) < 0);
	info = t_info(r);
	cr_assert(info.msg_size == SHMRING_MSG_SIZE_MAX);
	cr_assert(info.region_size >= 2ull * SHMRING_MSG_SIZE_MAX);
	shmring_close(r);
	free(msg);
	free(buf);
}

Test(create, too_big_fails_cleanly, .timeout = 30)
{
	/* 2^30 slots of 2^24 bytes: 16 PiB, valid geometry but no memory. */
	const char *name = t_ring("huge");
	struct shmring_config cfg = { .capacity = SHMRING_CAPACITY_MAX,
				      .msg_size = SHMRING_MSG_SIZE_MAX };
	struct shmring_info info;
	int ret = shmring_create(name, &cfg);

	cr_assert(ret == -ENOSPC || ret == -ENOMEM,
		  "create of a 16 PiB ring = %s, expected -ENOSPC or -ENOMEM", t_errname(ret));
	assert_nothing_left(name);
	T_EXPECT(shmring_stat(name, &info), -ENOENT);
	/* The name is free: a reasonable ring can be made right away. */
	t_create(name, 2, 8, 0);
}

/* st_mode & 07777 of the object behind @name. */
static unsigned object_mode(const char *name)
{
	char path[400];
	struct stat st;

	t_shm_path(name, path, sizeof(path));
	cr_assert(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

static void create_with_mode(const char *name, uint32_t mode)
{
	struct shmring_config cfg = { .capacity = 4, .msg_size = 8, .mode = mode };

	T_EXPECT(shmring_create(name, &cfg), 0);
}

Test(create, mode_exact_whatever_umask, .timeout = 20)
{
	const char *a = t_ring("m0"), *b = t_ring("m644"), *c = t_ring("m640"),
		   *d = t_ring("m666"), *e = t_ring("m400");
	mode_t old;
	unsigned m;

	/* A permissive umask must not widen the default. */
	old = umask(0);
	create_with_mode(a, 0);
	create_with_mode(b, 0644);
	create_with_mode(d, 0666);
	/* A strict umask must not narrow what was asked either. */
	umask(077);
	create_with_mode(c, 0640);
	create_with_mode(e, 0400);
	umask(old);

	m = object_mode(a);
	cr_assert(m == 0600, "mode 0 gave %#o, expected 0600", m);
	m = object_mode(b);
	cr_assert(m == 0644, "mode 0644 gave %#o", m);
	m = object_mode(c);
	cr_assert(m == 0640, "mode 0640 under umask 077 gave %#o", m);
	m = object_mode(d);
	cr_assert(m == 0666, "mode 0666 gave %#o", m);
	m = object_mode(e);
	cr_assert(m == 0400, "mode 0400 gave %#o", m);
}

Test(create, eexist_leaves_ring_untouched, .timeout = 20)
{
	const char *name = t_ring("exist");
	struct shmring_config other = { .capacity = 64, .msg_size = 512,
					.flags = SHMRING_MP | SHMRING_MC, .mode = 0666 };
	struct shmring_info before, after;
	struct shmring *p, *c;
	char buf[32];

	t_create(name, 8, 32, 0);
	p = t_open(name, SHMRING_PRODUCER);
	c = t_open(name, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "kept", 4, SHMRING_NOWAIT), 0);
	before = t_info(p);

	T_EXPECT(shmring_create(name, &other), -EEXIST);
	other.mode = 0;
	T_EXPECT(shmring_create(name, &other), -EEXIST);

	after = t_info(p);
	t_assert_same(&before, &after);
	cr_assert(after.capacity == 8 && after.msg_size == 32 && after.flags == 0);
	cr_assert(object_mode(name) == 0600);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 4);
	cr_assert(memcmp(buf, "kept", 4) == 0);
	T_EXPECT(shmring_send(p, "more", 4, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 4);
	shmring_close(p);
	shmring_close(c);
}

Test(create, does_not_attach, .timeout = 20)
{
	const char *name = t_ring("noattach");
	struct shmring_info info;

	t_create(name, 16, 100, SHMRING_MP);
	info = t_stat(name);
	cr_assert(info.producers == 0 && info.consumers == 0);
	cr_assert(info.capacity == 16 && info.msg_size == 100 && info.flags == SHMRING_MP);
	cr_assert(info.count == 0 && info.sent == 0 && info.received == 0);
	cr_assert(info.abandoned == 0);
	cr_assert(info.producer_sleeps == 0 && info.consumer_sleeps == 0);
}

/*
 * While one process creates and unlinks a ring in a loop, another opens it
 * in a loop: every open sees either nothing or a complete ring.
 */
Test(create, open_never_sees_half_built_ring, .timeout = 60)
{
	const char *name = t_ring("race");
	struct t_chan ready;
	int64_t start, end;
	unsigned long opens = 0, absent = 0;
	pid_t pid;
	int status;

	t_chan_init(&ready);
	pid = t_fork();
	if (pid == 0) {
		/* Big enough that building it takes a while. */
		struct shmring_config cfg = { .capacity = 1024, .msg_size = 1024,
					      .flags = SHMRING_MC };

		t_chan_put(&ready, 1);
		for (;;) {
			int ret = shmring_create(name, &cfg);

			CHILD_CHECK(ret == 0, "create = %s", t_errname(ret));
			ret = shmring_unlink(name);
			CHILD_CHECK(ret == 0, "unlink = %s", t_errname(ret));
		}
	}
	cr_assert(t_chan_get(&ready, 10000) == 1);
	/* At least a second, and until both outcomes were seen (10 s at most). */
	start = t_now_ns();
	end = start + 10 * T_S;
	while (t_now_ns() < end &&
	       (t_now_ns() < start + T_S || opens < 10 || absent < 10)) {
		struct shmring *r = NULL;
		struct shmring_info info;
		int ret = shmring_open(name, SHMRING_CONSUMER, &r);

		if (ret == 0) {
			struct shmring_info i2 = t_info(r);

			cr_assert(i2.capacity == 1024 && i2.msg_size == 1024 &&
				  i2.flags == SHMRING_MC);
			shmring_close(r);
			opens++;
		} else {
			cr_assert(ret == -ENOENT, "open during create/unlink = %s",
				  t_errname(ret));
			absent++;
		}
		ret = shmring_stat(name, &info);
		cr_assert(ret == 0 || ret == -ENOENT, "stat during create/unlink = %s",
			  t_errname(ret));
		if (ret == 0)
			cr_assert(info.capacity == 1024 && info.msg_size == 1024);
	}
	cr_assert(waitpid(pid, &status, WNOHANG) == 0, "the creating child died early");
	t_kill(pid);
	cr_log_info("%lu opens, %lu absent", opens, absent);
	cr_assert(opens > 0 && absent > 0, "the race was not exercised: %lu opens, %lu absent",
		  opens, absent);
}

Test(create, hugepages, .timeout = 30)
{
	const char *name = t_ring("huge2m");
	struct shmring_config cfg = { .capacity = 64, .msg_size = 1000,
				      .flags = SHMRING_HUGEPAGES };
	struct shmring_info info;
	struct shmring *r;
	char buf[1000];
	int ret = shmring_create(name, &cfg);

	if (ret == -ENOMEM || ret == -ENOSPC || ret == -EOPNOTSUPP)
		cr_skip_test("no 2 MiB huge pages (%s)", t_errname(ret));
	cr_assert(ret == 0, "create with SHMRING_HUGEPAGES = %s", t_errname(ret));
	info = t_stat(name);
	cr_assert(info.flags == SHMRING_HUGEPAGES);
	cr_assert(info.page_size == 2u << 20, "page_size %u", info.page_size);
	cr_assert(info.region_size % (2u << 20) == 0);
	r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
	t_pattern_fill(buf, sizeof(buf), 3, 4);
	T_EXPECT(shmring_send(r, buf, sizeof(buf), SHMRING_NOWAIT), 0);
	memset(buf, 0, sizeof(buf));
	T_EXPECT(shmring_recv(r, buf, sizeof(buf), SHMRING_NOWAIT), 1000);
	cr_assert(t_pattern_check(buf, sizeof(buf), 3, 4) < 0);
	shmring_close(r);
	T_EXPECT(shmring_unlink(name), 0);
	T_EXPECT(shmring_stat(name, &info), -ENOENT);
}
