/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shmring.h>

#include "bench.h"
#include "shm.h"

#define NAMES_MAX 16

static struct {
	volatile sig_atomic_t used;
	enum name_kind kind;
	char name[80];
} names[NAMES_MAX];

void bench_name(char *buf, size_t len, const char *what)
{
	static unsigned n;

	snprintf(buf, len, "shrb-%ld-%u-%s", (long)getpid(), n++, what);
}

static void slash(char *dst, size_t len, const char *name)
{
	snprintf(dst, len, "/%s", name);
}

void *shm_region_create(const char *name, size_t size)
{
	char path[96];
	void *p;
	int fd, ret;

	slash(path, sizeof(path), name);
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return NULL;
	names_add(NAME_SHM, name);
	if (ftruncate(fd, (off_t)size))
		goto err;
	ret = posix_fallocate(fd, 0, (off_t)size);
	if (ret) {
		errno = ret;
		goto err;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		goto err;
	close(fd);
	return p;
err:
	ret = errno;
	close(fd);
	shm_unlink(path);
	names_del(name);
	errno = ret;
	return NULL;
}

void *shm_region_attach(const char *name, size_t size)
{
	char path[96];
	void *p;
	int fd, ret;

	slash(path, sizeof(path), name);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	ret = errno;
	close(fd);
	if (p == MAP_FAILED) {
		errno = ret;
		return NULL;
	}
	return p;
}

void shm_region_unmap(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

void shm_region_unlink(const char *name)
{
	char path[96];

	slash(path, sizeof(path), name);
	shm_unlink(path);
	names_del(name);
}

void names_add(enum name_kind kind, const char *name)
{
	unsigned i;

	for (i = 0; i < NAMES_MAX; i++) {
		if (names[i].used)
			continue;
		names[i].kind = kind;
		snprintf(names[i].name, sizeof(names[i].name), "%s", name);
		names[i].used = 1;
		return;
	}
}

void names_del(const char *name)
{
	unsigned i;

	for (i = 0; i < NAMES_MAX; i++)
		if (names[i].used && !strcmp(names[i].name, name))
			names[i].used = 0;
}

void names_cleanup(void)
{
	char path[96];
	unsigned i;

	for (i = 0; i < NAMES_MAX; i++) {
		if (!names[i].used)
			continue;
		names[i].used = 0;
		switch (names[i].kind) {
		case NAME_SHM:
			slash(path, sizeof(path), names[i].name);
			shm_unlink(path);
			break;
		case NAME_RING:
			shmring_unlink(names[i].name);
			break;
		case NAME_MQ:
			slash(path, sizeof(path), names[i].name);
			mq_unlink(path);
			break;
		}
	}
}
