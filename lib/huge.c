// SPDX-License-Identifier: MIT
/*
 * Rings on 2 MiB pages.  Two backends, chosen by SHMRING_HUGE_BACKEND
 * ("hugetlbfs" or "sysv"; default: hugetlbfs when a mount exists, else sysv):
 *   hugetlbfs  a file named like the ring in a hugetlbfs mount (the first
 *              writable one in /proc/self/mounts, or SHMRING_HUGETLBFS);
 *   sysv       a System V segment made with SHM_HUGETLB, its key derived
 *              from the name.
 * Either way the name in /dev/shm holds a struct shr_ref, so open, stat,
 * unlink and listings find the ring by name like any other.  All pages are
 * allocated at create time (fallocate, or the SysV reservation), so running
 * out of huge pages later never raises SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

static bool is_hugetlbfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && sf.f_type == (typeof(sf.f_type))HUGETLBFS_MAGIC;
}

/* A writable hugetlbfs mount of 2 MiB pages. */
static int find_mount(char *dir, size_t size)
{
	const char *env = getenv("SHMRING_HUGETLBFS");
	struct mntent ent;
	char buf[4096];
	int ret = -ENOENT;
	FILE *f;

	if (env && *env) {
		if (strlen(env) >= size || !is_hugetlbfs(env))
			return -ENOENT;
		strcpy(dir, env);
		return 0;
	}
	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -ENOENT;
	while (ret && getmntent_r(f, &ent, buf, sizeof(buf))) {
		char *ps = hasmntopt(&ent, "pagesize");

		if (strcmp(ent.mnt_type, "hugetlbfs") || strlen(ent.mnt_dir) >= size)
			continue;
		/* No pagesize option: the default huge page, 2 MiB on x86-64/aarch64. */
		if (ps && strncmp(ps, "pagesize=2M", 11) && strncmp(ps, "pagesize=2048k", 14))
			continue;
		if (access(ent.mnt_dir, W_OK) == 0 && is_hugetlbfs(ent.mnt_dir)) {
			strcpy(dir, ent.mnt_dir);
			ret = 0;
		}
	}
	endmntent(f);
	return ret;
}

/* FNV-1a of the name: the same key for the same ring in every process. */
static key_t name_key(const char *shm)
{
	uint32_t h = 2166136261u;

	for (const char *p = shm; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h &= 0x7fffffff;
	return (key_t)(h ? h : 1);      /* never IPC_PRIVATE */
}

static int build_ref(int fd, const void *arg)
{
	return pwrite(fd, arg, sizeof(struct shr_ref), 0) == (ssize_t)sizeof(struct shr_ref) ?
	       0 : -ENOSPC;
}

static int create_hugetlbfs(const char *shm, mode_t mode, const struct shr_geometry *g,
			    struct shr_ref *ref)
{
	static _Atomic unsigned seq;
	char tmp[sizeof(ref->dir) + 64], path[sizeof(ref->dir) + SHMRING_NAME_MAX + 2];
	int fd, ret;
	void *p;

	ret = find_mount(ref->dir, sizeof(ref->dir));
	if (ret)
		return ret;
	shr_reap_stale(ref->dir);
	snprintf(tmp, sizeof(tmp), "%s/shmring~%ld~%u", ref->dir, (long)getpid(),
		 atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed));
	snprintf(path, sizeof(path), "%s%s", ref->dir, shm);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, mode) < 0 || ftruncate(fd, (off_t)g->region_size) < 0 ? -errno : 0;
	/* Allocate every huge page now: a short pool fails here, not later. */
	if (!ret && fallocate(fd, 0, 0, (off_t)g->region_size) < 0)
		ret = -errno;
	if (!ret) {
		p = mmap(NULL, g->region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			ret = -errno;
		} else {
			shr_region_init(p, g);
			munmap(p, g->region_size);
		}
	}
	if (!ret && link(tmp, path) < 0)
		ret = -errno;
	unlink(tmp);
	close(fd);
	ref->backend = SHR_BACKEND_HUGETLBFS;
	return ret;
}

static int create_sysv(const char *shm, mode_t mode, const struct shr_geometry *g,
		       struct shr_ref *ref)
{
	key_t key = name_key(shm);
	int id = shmget(key, g->region_size, IPC_CREAT | IPC_EXCL | SHM_HUGETLB | (int)mode);
	void *p;

	if (id < 0)
		return errno == EINVAL ? -ENOMEM : -errno;   /* EINVAL: above shmmax */
	p = shmat(id, NULL, 0);
	if (p == (void *)-1) {
		int ret = -errno;

		shmctl(id, IPC_RMID, NULL);
		return ret;
	}
	shr_region_init(p, g);
	shmdt(p);
	ref->backend = SHR_BACKEND_SYSV;
	ref->sysv_key = key;
	ref->sysv_id = id;
	return 0;
}

int shr_huge_create(const char *shm, mode_t mode, const struct shr_geometry *g)
{
	const char *want = getenv("SHMRING_HUGE_BACKEND");
	struct shr_ref ref;
	int ret;

	memset(&ref, 0, sizeof(ref));
	ref.magic = SHR_REF_MAGIC;
	ref.layout_version = SHR_LAYOUT_VERSION;
	ref.region_size = g->region_size;
	if (want && !strcmp(want, "sysv"))
		ret = create_sysv(shm, mode, g, &ref);
	else if (want && !strcmp(want, "hugetlbfs"))
		ret = create_hugetlbfs(shm, mode, g, &ref);
	else if (want && *want)
		ret = -EOPNOTSUPP;       /* a backend this library does not know */
	else if ((ret = create_hugetlbfs(shm, mode, g, &ref)) == -ENOENT)
		ret = create_sysv(shm, mode, g, &ref);    /* no hugetlbfs mount */
	if (ret)
		return ret == -ENOENT ? -EOPNOTSUPP : ret;
	/* The data is complete: publish the name that leads to it. */
	ret = shr_shm_publish(shm, mode, build_ref, &ref);
	if (ret)
		shr_huge_remove(shm, &ref, geteuid());   /* ours: just made */
	return ret;
}

/*
 * The page size the kernel backs @addr with (KernelPageSize in smaps): the
 * one way to learn it for a System V segment, whose id has no filesystem.
 */
static uint32_t page_size_of(const void *addr)
{
	uintptr_t a = (uintptr_t)addr, lo, hi;
	uint32_t kb = 0;
	bool inside = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "re");

	if (f) {
		while (!kb && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
				inside = a >= lo && a < hi;
			else if (inside)
				sscanf(line, "KernelPageSize: %u kB", &kb);
		}
		fclose(f);
	}
	return kb ? kb * 1024 : (uint32_t)sysconf(_SC_PAGESIZE);
}

/*
 * The hugetlbfs mount a reference names, opened as a directory: the path
 * comes from the region, so it is checked, and never followed if a link.
 */
static int open_data_dir(const struct shr_ref *ref)
{
	struct statfs sf;
	int dfd;

	if (!memchr(ref->dir, '\0', sizeof(ref->dir)) || ref->dir[0] != '/')
		return -EPROTO;
	dfd = open(ref->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -EPROTO;
	if (fstatfs(dfd, &sf) < 0 || sf.f_type != (typeof(sf.f_type))HUGETLBFS_MAGIC) {
		close(dfd);
		return -EPROTO;
	}
	return dfd;
}

/*
 * The data a reference leads to must belong to whoever owns the name in
 * /dev/shm: anyone may plant a name there, and a planted reference must
 * not lead a privileged caller to map or remove somebody else's pages.
 */
static int sysv_segment(const char *shm, uid_t owner, struct shmid_ds *ds)
{
	/* The key comes from the name, never from the region. */
	int id = shmget(name_key(shm), 0, 0);

	if (id < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (shmctl(id, IPC_STAT, ds) < 0)
		return -errno;
	return ds->shm_perm.uid == owner ? id : -EPROTO;
}

static int map_sysv(const char *shm, uid_t owner, bool writable, struct shr_mapping *m)
{
	struct shmid_ds ds;
	int id = sysv_segment(shm, owner, &ds);
	void *p;

	if (id < 0)
		return id;
	p = shmat(id, NULL, writable ? 0 : SHM_RDONLY);
	if (p == (void *)-1)
		return -errno;
	m->region = p;
	m->size = ds.shm_segsz;
	m->backend = SHR_BACKEND_SYSV;
	m->page_size = page_size_of(p);
	return 0;
}

static int map_hugetlbfs(const char *shm, const struct shr_ref *ref, uid_t owner,
			 bool writable, struct shr_mapping *m)
{
	int dfd = open_data_dir(ref), fd, ret = -EPROTO;
	struct statfs sf;
	struct stat st;
	void *p;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, shm + 1, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return errno == ELOOP ? -EPROTO : -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_uid == owner && fstatfs(fd, &sf) == 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ | (writable ? PROT_WRITE : 0),
			 MAP_SHARED, fd, 0);
		ret = p == MAP_FAILED ? -errno : 0;
		m->region = p;
		m->size = (uint64_t)st.st_size;
		m->backend = SHR_BACKEND_HUGETLBFS;
		m->page_size = (uint32_t)sf.f_bsize;
	}
	close(fd);
	return ret;
}

int shr_huge_map(const char *shm, const struct shr_ref *ref, uid_t owner, bool writable,
		 struct shr_mapping *m)
{
	if (ref->magic != SHR_REF_MAGIC || ref->layout_version != SHR_LAYOUT_VERSION)
		return -EPROTO;
	if (ref->backend == SHR_BACKEND_SYSV)
		return map_sysv(shm, owner, writable, m);
	if (ref->backend == SHR_BACKEND_HUGETLBFS)
		return map_hugetlbfs(shm, ref, owner, writable, m);
	return -EPROTO;
}

void shr_huge_remove(const char *shm, const struct shr_ref *ref, uid_t owner)
{
	struct shmid_ds ds;
	struct stat st;
	int id, dfd;

	if (ref->magic != SHR_REF_MAGIC)
		return;
	if (ref->backend == SHR_BACKEND_SYSV) {
		id = sysv_segment(shm, owner, &ds);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	} else if (ref->backend == SHR_BACKEND_HUGETLBFS && (dfd = open_data_dir(ref)) >= 0) {
		if (fstatat(dfd, shm + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == owner)
			unlinkat(dfd, shm + 1, 0);
		close(dfd);
	}
}
