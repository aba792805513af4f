/* SPDX-License-Identifier: MIT */
/* Ring names: the optional slash, the length limit, the character set. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

TestSuite(name, .fini = t_cleanup);

Test(name, leading_slash_is_optional, .timeout = 20)
{
	const char *bare = t_ring("feed");
	char slashed[300];
	struct shmring *p, *c;
	struct shmring_info info;
	struct shmring_config cfg = { .capacity = 4, .msg_size = 16 };
	char buf[16];

	snprintf(slashed, sizeof(slashed), "/%s", bare);
	t_create(bare, 4, 16, 0);
	T_EXPECT(shmring_create(slashed, &cfg), -EEXIST);

	p = t_open(slashed, SHMRING_PRODUCER);
	c = t_open(bare, SHMRING_CONSUMER);
	T_EXPECT(shmring_send(p, "hi", 2, SHMRING_NOWAIT), 0);
	T_EXPECT(shmring_recv(c, buf, sizeof(buf), SHMRING_NOWAIT), 2);
	cr_assert(memcmp(buf, "hi", 2) == 0);
	T_EXPECT(shmring_stat(slashed, &info), 0);
	cr_assert(info.producers == 1 && info.consumers == 1);
	shmring_close(p);
	shmring_close(c);

	T_EXPECT(shmring_unlink(slashed), 0);
	T_EXPECT(shmring_stat(bare, &info), -ENOENT);
	T_EXPECT(shmring_unlink(bare), -ENOENT);

	/* And the other way round. */
	t_create(slashed, 4, 16, 0);
	cr_assert(t_shm_exists(bare));
	T_EXPECT(shmring_create(bare, &cfg), -EEXIST);
	T_EXPECT(shmring_unlink(bare), 0);
	cr_assert(!t_shm_exists(bare));
}

/* A name of exactly @len characters starting with this test's prefix. */
static const char *name_of_length(size_t len)
{
	char prefix[64], buf[400];
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), "shr-t-%ld-len%zu-", (long)getpid(), len);
	cr_assert(n < len);
	memcpy(buf, prefix, n);
	memset(buf + n, 'x', len - n);
	buf[len] = '\0';
	return t_ring_raw(buf);
}

Test(name, length_limit_200, .timeout = 20)
{
	const char *ok = name_of_length(SHMRING_NAME_MAX);
	const char *too_long = name_of_length(SHMRING_NAME_MAX + 1);
	struct shmring_config cfg = { .capacity = 2, .msg_size = 8 };
	struct shmring *r = (struct shmring *)&cfg;
	struct shmring_info info;
	char slashed[400];

	cr_assert(strlen(ok) == 200 && strlen(too_long) == 201);

	T_EXPECT(shmring_create(ok, &cfg), 0);
	T_EXPECT(shmring_stat(ok, &info), 0);
	T_EXPECT(shmring_open(ok, SHMRING_PRODUCER, &r), 0);
	T_EXPECT(shmring_send(r, "x", 1, SHMRING_NOWAIT), 0);
	shmring_close(r);
	/* The slash does not count towards the 200. */
	snprintf(slashed, sizeof(slashed), "/%s", ok);
	T_EXPECT(shmring_stat(slashed, &info), 0);
	cr_assert(info.count == 1);
	T_EXPECT(shmring_unlink(slashed), 0);

	r = (struct shmring *)&cfg;
	T_EXPECT(shmring_create(too_long, &cfg), -EINVAL);
	cr_assert(!t_shm_exists(too_long));
	T_EXPECT(shmring_open(too_long, SHMRING_PRODUCER, &r), -EINVAL);
	cr_assert(r == NULL, "ringp not set to NULL on failure");
	T_EXPECT(shmring_stat(too_long, &info), -EINVAL);
	T_EXPECT(shmring_unlink(too_long), -EINVAL);
}

Test(name, invalid_names_rejected, .timeout = 20)
{
	static const char *const bad[] = {
		"", "/", ".", "..", "/.", "/..", "//x", "a/b", "/a/b", "a/",
		"a b", " a", "a\tb", "a\nb", "x*", "x?", "a\\b", "a:b", "a@b",
		"%s", "~x", "a+b", "a=b", "\xc3\xa9t\xc3\xa9", "\x7f", "a\x01",
	};
	struct shmring_config cfg = { .capacity = 2, .msg_size = 8 };
	struct shmring_info info;
	struct shmring *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		ret = shmring_create(bad[i], &cfg);
		cr_assert(ret == -EINVAL, "create(\"%s\") = %s, expected -EINVAL", bad[i],
			  t_errname(ret));
		r = (struct shmring *)&cfg;
		ret = shmring_open(bad[i], SHMRING_CONSUMER, &r);
		cr_assert(ret == -EINVAL, "open(\"%s\") = %s", bad[i], t_errname(ret));
		cr_assert(r == NULL);
		ret = shmring_stat(bad[i], &info);
		cr_assert(ret == -EINVAL, "stat(\"%s\") = %s", bad[i], t_errname(ret));
		ret = shmring_unlink(bad[i]);
		cr_assert(ret == -EINVAL, "unlink(\"%s\") = %s", bad[i], t_errname(ret));
	}
}

Test(name, unusual_valid_names, .timeout = 20)
{
	char buf[4][64];
	const char *names[4];
	struct shmring_config cfg = { .capacity = 2, .msg_size = 8 };
	struct shmring_info info;
	struct shmring *r;
	size_t i;

	/* '.', '-' and '_' anywhere; only "." and ".." themselves are special. */
	snprintf(buf[0], sizeof(buf[0]), "...%ld", (long)getpid());
	snprintf(buf[1], sizeof(buf[1]), ".shr-t-%ld", (long)getpid());
	snprintf(buf[2], sizeof(buf[2]), "-shr_t_%ld.", (long)getpid());
	snprintf(buf[3], sizeof(buf[3]), "/_Shr-T.%ld-09azAZ", (long)getpid());
	for (i = 0; i < 4; i++) {
		names[i] = t_ring_raw(buf[i]);
		T_EXPECT(shmring_create(names[i], &cfg), 0);
		T_EXPECT(shmring_stat(names[i], &info), 0);
		T_EXPECT(shmring_open(names[i], SHMRING_PRODUCER | SHMRING_CONSUMER, &r), 0);
		shmring_close(r);
		T_EXPECT(shmring_unlink(names[i]), 0);
	}
}

Test(name, null_name, .timeout = 20)
{
	struct shmring_config cfg = { .capacity = 2, .msg_size = 8 };
	struct shmring_info info;
	struct shmring *r = (struct shmring *)&cfg;

	T_EXPECT(shmring_create(NULL, &cfg), -EINVAL);
	T_EXPECT(shmring_open(NULL, SHMRING_PRODUCER, &r), -EINVAL);
	cr_assert(r == NULL);
	T_EXPECT(shmring_stat(NULL, &info), -EINVAL);
	T_EXPECT(shmring_unlink(NULL), -EINVAL);
}
