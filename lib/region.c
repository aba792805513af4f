// SPDX-License-Identifier: MIT
/*
 * The region: geometry, create (built under a private name, then published
 * with link(2) so nobody sees it half-built), map and validate, unlink.
 * Rings on huge pages keep their data elsewhere (huge.c) and a reference
 * under the same name in /dev/shm.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "internal.h"

#define SHM_DIR "/dev/shm"
#define SHR_REGION_MAX (1ull << 46)   /* 64 TiB: beyond any machine's memory */

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) & ~(to - 1);
}

static uint64_t base_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

int shr_geometry_make(uint32_t capacity, uint32_t msg_size, uint32_t flags,
		      struct shr_geometry *g)
{
	uint64_t size;

	if (capacity < SHMRING_CAPACITY_MIN || capacity > SHMRING_CAPACITY_MAX ||
	    (capacity & (capacity - 1)))
		return -EINVAL;
	if (msg_size < 1 || msg_size > SHMRING_MSG_SIZE_MAX || (flags & ~SHR_FLAGS))
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->capacity = capacity;
	g->msg_size = msg_size;
	g->flags = flags;
	g->mask = capacity - 1;
	g->slot_size = shr_payload_stride(msg_size);
	g->payload_off = shr_payload_offset(capacity);
	/* At most 2^30 * (2^24 + 16) and a header: no overflow in 64 bits. */
	size = g->payload_off + (uint64_t)capacity * g->slot_size;
	size = round_up(size, (flags & SHMRING_HUGEPAGES) ? SHR_HUGE_PAGE : base_page_size());
	if (size > SHR_REGION_MAX || size > SIZE_MAX)
		return -ENOMEM;
	g->region_size = size;
	return 0;
}

void shr_region_init(void *region, const struct shr_geometry *g)
{
	struct shr_hdr *h = region;
	struct shr_slot *slots = (struct shr_slot *)(void *)(h + 1);
	struct timespec now;

	/* The memory is fresh and zero-filled: only non-zero fields are set. */
	clock_gettime(CLOCK_REALTIME, &now);
	h->geom.magic = SHR_MAGIC;
	h->geom.layout_version = SHR_LAYOUT_VERSION;
	h->geom.hdr_size = sizeof(*h);
	h->geom.region_size = g->region_size;
	h->geom.capacity = g->capacity;
	h->geom.msg_size = g->msg_size;
	h->geom.slot_size = g->slot_size;
	h->geom.flags = g->flags;
	h->geom.max_attach = SHR_MAX_ATTACH;
	h->geom.create_time_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	/*
	 * Every slot starts free for position i (sequence-numbered rings) and
	 * stamped for no position (SPSC waits for i + 1).  Relaxed is enough:
	 * the region reaches other processes only through the link(2) that
	 * publishes its name, after this.
	 */
	for (uint64_t i = 0; i < g->capacity; i++)
		st_relaxed(&slots[i].seq, i);
}

void shr_reap_stale(const char *dir)
{
	struct dirent *d;
	unsigned n;
	DIR *dp = opendir(dir);
	int pid;

	/* A create killed half-way leaves its private name behind: remove it. */
	while (dp && (d = readdir(dp))) {
		if (sscanf(d->d_name, "shmring~%d~%u", &pid, &n) == 2 && pid > 0 &&
		    kill(pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(dp), d->d_name, 0);
	}
	if (dp)
		closedir(dp);
}

int shr_shm_publish(const char *shm, mode_t mode, int (*build)(int fd, const void *arg),
		    const void *arg)
{
	static _Atomic unsigned seq;   /* tells concurrent creates in one process apart */
	char tmp[64], from[96], to[SHMRING_NAME_MAX + 16];
	int fd, ret;

	shr_reap_stale(SHM_DIR);
	/* '~' is not a name character: the private name can't clash with a ring. */
	snprintf(tmp, sizeof(tmp), "/shmring~%ld~%u", (long)getpid(),
		 atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed));
	fd = shm_open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* Exactly @mode: shm_open() applied the umask, which may have narrowed it. */
	ret = fchmod(fd, mode) < 0 ? -errno : build(fd, arg);
	if (!ret) {
		snprintf(from, sizeof(from), SHM_DIR "%s", tmp);
		snprintf(to, sizeof(to), SHM_DIR "%s", shm);
		/* Publish: link(2) fails with EEXIST rather than replace a ring. */
		if (link(from, to) < 0)
			ret = -errno;
	}
	shm_unlink(tmp);
	close(fd);
	return ret;
}

static int build_region(int fd, const void *arg)
{
	const struct shr_geometry *g = arg;
	void *p;
	int ret;

	if (ftruncate(fd, (off_t)g->region_size) < 0)
		return errno == EFBIG || errno == EINVAL ? -ENOMEM : -errno;
	/* Reserve every page now, so a full /dev/shm fails here, not as SIGBUS. */
	do
		ret = posix_fallocate(fd, 0, (off_t)g->region_size);   /* returns the error */
	while (ret == EINTR);
	if (ret)
		return ret == EFBIG ? -ENOSPC : -ret;
	p = mmap(NULL, g->region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	shr_region_init(p, g);
	munmap(p, g->region_size);
	return 0;
}

SHMRING_API int shmring_create(const char *name, const struct shmring_config *cfg)
{
	char shm[SHMRING_NAME_MAX + 2];
	struct shr_geometry g;
	mode_t mode;
	int ret;

	ret = shr_name_path(name, shm, sizeof(shm));
	if (ret)
		return ret;
	if (!cfg || (cfg->mode & ~0777u))
		return -EINVAL;
	ret = shr_geometry_make(cfg->capacity, cfg->msg_size, cfg->flags, &g);
	if (ret)
		return ret;
	mode = cfg->mode ? cfg->mode : 0600;
	if (cfg->flags & SHMRING_HUGEPAGES)
		return shr_huge_create(shm, mode, &g);
	return shr_shm_publish(shm, mode, build_region, &g);
}

/* Reads the reference a huge-page ring keeps in /dev/shm; 1 if @fd is one. */
static int read_ref(int fd, const struct stat *st, struct shr_ref *ref)
{
	if (!S_ISREG(st->st_mode) || st->st_size != (off_t)sizeof(*ref))
		return 0;
	if (pread(fd, ref, sizeof(*ref), 0) != (ssize_t)sizeof(*ref))
		return -EPROTO;
	return 1;
}

SHMRING_API int shmring_unlink(const char *name)
{
	char shm[SHMRING_NAME_MAX + 2];
	struct shr_ref ref;
	struct stat st;
	int fd, ret = shr_name_path(name, shm, sizeof(shm));

	if (ret)
		return ret;
	/* A huge-page ring: remove its data first, then the name. */
	fd = shm_open(shm, O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && read_ref(fd, &st, &ref) == 1)
			shr_huge_remove(shm, &ref, st.st_uid);
		close(fd);
	}
	return shm_unlink(shm) < 0 ? -errno : 0;
}

/* Everything open() relies on, checked before any slot is touched. */
static int validate(const struct shr_hdr *h, uint64_t size, struct shr_geometry *g)
{
	const struct shr_geom *geom = &h->geom;

	if (geom->magic != SHR_MAGIC || geom->layout_version != SHR_LAYOUT_VERSION ||
	    geom->hdr_size != sizeof(*h) || geom->max_attach != SHR_MAX_ATTACH)
		return -EPROTO;
	if (shr_geometry_make(geom->capacity, geom->msg_size, geom->flags, g))
		return -EPROTO;
	if (geom->slot_size != g->slot_size || geom->region_size != g->region_size ||
	    g->region_size != size)
		return -EPROTO;
	return 0;
}

static void unmap(void *p, uint64_t size, int backend)
{
	if (backend == SHR_BACKEND_SYSV)
		shmdt(p);
	else
		munmap(p, size);
}

/* A plain ring: map exactly what fstat saw, so every access stays inside it. */
static int map_shm(int fd, const struct stat *st, bool writable, struct shr_mapping *m)
{
	struct statfs sf;
	void *p;

	if (!S_ISREG(st->st_mode) || st->st_size < (off_t)sizeof(struct shr_hdr) ||
	    (uint64_t)st->st_size > SHR_REGION_MAX)
		return -EPROTO;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	p = mmap(NULL, (size_t)st->st_size, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED | (writable ? MAP_POPULATE : 0), fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->region = p;
	m->size = (uint64_t)st->st_size;
	m->backend = SHR_BACKEND_SHM;
	m->page_size = (uint32_t)sf.f_bsize;
	return 0;
}

int shr_region_map(const char *name, bool writable, struct shr_hdr **hdrp,
		   struct shr_geometry *g)
{
	char shm[SHMRING_NAME_MAX + 2];
	struct shr_mapping m;
	struct shr_ref ref;
	struct stat st;
	int fd, ret;

	*hdrp = NULL;
	ret = shr_name_path(name, shm, sizeof(shm));
	if (ret)
		return ret;
	fd = shm_open(shm, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0);
	if (fd < 0)
		return errno == ELOOP ? -EPROTO : -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = read_ref(fd, &st, &ref);
	if (ret == 1)
		ret = shr_huge_map(shm, &ref, st.st_uid, writable, &m);
	else if (ret == 0)
		ret = map_shm(fd, &st, writable, &m);
	if (ret)
		goto out;
	ret = m.size < sizeof(struct shr_hdr) ? -EPROTO : validate(m.region, m.size, g);
	if (ret) {
		unmap(m.region, m.size, m.backend);
		goto out;
	}
	g->backend = m.backend;
	g->page_size = m.page_size;
	*hdrp = m.region;
out:
	close(fd);
	return ret;
}

void shr_region_unmap(struct shr_hdr *hdr, const struct shr_geometry *g)
{
	if (hdr)
		unmap(hdr, g->region_size, g->backend);
}
