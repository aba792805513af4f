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

/*
 * A symlink planted in /dev/shm under a ring's name is never followed:
 * not to another ring, not to a file elsewhere, not when dangling.  Open
 * and stat refuse it, create finds the name taken, unlink removes the link
 * and leaves its target alone.
 */
Test(name, planted_symlinks_are_not_followed, .timeout = 20)
{
	struct shmring_config cfg = { .capacity = 4, .msg_size = 8 };
	const char *real = t_ring("symlink-target"), *names[3];
	char target[3][256], link_path[256], file[64], buf[16];
	struct shmring_info before, after;
	struct shmring *r;
	FILE *f;

	T_EXPECT(shmring_create(real, &cfg), 0);
	before = t_stat(real);
	snprintf(file, sizeof(file), "/tmp/shr-t-symlink-%ld", (long)getpid());
	f = fopen(file, "w");
	cr_assert(f && fputs("precious", f) >= 0 && fclose(f) == 0);
	t_shm_path(real, target[0], sizeof(target[0]));
	snprintf(target[1], sizeof(target[1]), "%s", file);
	snprintf(target[2], sizeof(target[2]), "%s.absent", file);
	names[0] = t_ring("symlink-to-ring");
	names[1] = t_ring("symlink-to-file");
	names[2] = t_ring("symlink-dangling");

	for (int i = 0; i < 3; i++) {
		int ret;

		t_shm_path(names[i], link_path, sizeof(link_path));
		cr_assert(symlink(target[i], link_path) == 0, "symlink %s", link_path);
		r = (struct shmring *)&cfg;
		ret = shmring_open(names[i], SHMRING_PRODUCER, &r);
		cr_assert(ret == -EPROTO, "open through a symlink to %s = %s", target[i],
			  t_errname(ret));
		cr_assert(r == NULL);
		ret = shmring_stat(names[i], &after);
		cr_assert(ret == -EPROTO, "stat through a symlink to %s = %s", target[i],
			  t_errname(ret));
		T_EXPECT(shmring_create(names[i], &cfg), -EEXIST);
		T_EXPECT(shmring_unlink(names[i]), 0);
		cr_assert(!t_shm_exists(names[i]), "the link itself is removed");
	}
	after = t_stat(real);
	t_assert_same(&before, &after);
	f = fopen(file, "r");
	cr_assert(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "precious"),
		  "the file a link pointed to is untouched");
	fclose(f);
	cr_assert(access(target[2], F_OK) != 0, "a dangling link's target is never created");
	unlink(file);
	T_EXPECT(shmring_unlink(real), 0);
}
