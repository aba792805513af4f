// SPDX-License-Identifier: MIT
/*
 * Huge-page rings, for real: as root each test reserves a few 2 MiB pages
 * (vm.nr_hugepages, restored afterwards) and, for the hugetlbfs backend,
 * mounts a private hugetlbfs in its own mount namespace.  It checks the page
 * size from a second process, moves a million messages, and that the pool
 * is whole again after unlink.  Without pages, every backend must fail
 * cleanly and leave nothing behind.  The pool is global: tests take a lock.
 */
#include "helpers.h"
#include "layout.h"          /* struct shr_ref, to plant one */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define HUGE_PAGE    (2u << 20)
#define MESSAGES     1000000

static int lock_fd = -1;
static long saved_pages = -1;
static char mnt[64];

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

static long meminfo(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Serialise with other huge-page tests and set the pool to @pages. */
static void pool_setup(long pages)
{
	if (geteuid() != 0)
		cr_skip_test("huge-page tests need root (vm.nr_hugepages, mount)");
	if (access(NR_HUGEPAGES, W_OK) != 0 || meminfo("Hugepagesize:") != 2048)
		cr_skip_test("no 2 MiB huge pages on this kernel");
	lock_fd = open("/tmp/shmring-test-hugepages.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert(lock_fd >= 0 && flock(lock_fd, LOCK_EX) == 0, "huge-page test lock");
	saved_pages = read_long(NR_HUGEPAGES);
	cr_assert(write_long(NR_HUGEPAGES, pages), "write %s", NR_HUGEPAGES);
	if (read_long(NR_HUGEPAGES) < pages)
		cr_skip_test("could reserve only %ld of %ld huge pages", read_long(NR_HUGEPAGES), pages);
}

/* A private hugetlbfs, seen by this test process and its children only. */
static void mount_hugetlbfs(void)
{
	cr_assert(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	cr_assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private");
	snprintf(mnt, sizeof(mnt), "/tmp/shr-t-huge-%d", (int)getpid());
	cr_assert(mkdir(mnt, 0700) == 0 || errno == EEXIST);
	cr_assert(mount("none", mnt, "hugetlbfs", 0, "pagesize=2M") == 0,
		  "mount hugetlbfs: %s", strerror(errno));
	setenv("SHMRING_HUGETLBFS", mnt, 1);
}

/* Pages nobody has allocated or reserved. */
static long pool_available(void)
{
	return meminfo("HugePages_Free:") - meminfo("HugePages_Rsvd:");
}

static void fini(void)
{
	t_cleanup();
	if (mnt[0]) {
		umount(mnt);
		rmdir(mnt);
	}
	if (saved_pages >= 0)
		write_long(NR_HUGEPAGES, saved_pages);
	if (lock_fd >= 0)
		close(lock_fd);
}

TestSuite(huge, .fini = fini);

static void use_backend(const char *backend)
{
	if (!strcmp(backend, "hugetlbfs"))
		mount_hugetlbfs();
	setenv("SHMRING_HUGE_BACKEND", backend, 1);
}

/* Nothing of @name anywhere: /dev/shm, the mount, a SysV segment of its key. */
static void assert_nothing_left(const char *name)
{
	char path[128];
	struct shmid_ds ds;
	int max = shmctl(0, SHM_INFO, &ds);

	cr_assert(!t_shm_exists(name), "[%s] /dev/shm entry left behind", t_ctx);
	if (mnt[0]) {
		snprintf(path, sizeof(path), "%s/%s", mnt, name);
		cr_assert(access(path, F_OK) != 0, "[%s] hugetlbfs file left behind", t_ctx);
	}
	for (int i = 0; i <= max; i++) {
		int id = shmctl(i, SHM_STAT, &ds);

		cr_assert(id < 0 || ds.shm_nattch > 0 || ds.shm_segsz % HUGE_PAGE,
			  "[%s] an unattached huge-page-sized SysV segment is left (id %d)", t_ctx, id);
	}
}

static void stream(const char *name)
{
	struct shmring *p = t_open(name, SHMRING_PRODUCER);
	pid_t pid = t_fork();

	if (pid == 0) {
		struct shmring *c = NULL;
		struct shmring_info info;
		uint64_t v, want = 0;
		int ret = shmring_open(name, SHMRING_CONSUMER, &c);

		CHILD_CHECK(ret == 0, "open = %s", t_errname(ret));
		CHILD_CHECK(shmring_info(c, &info) == 0 && info.page_size == HUGE_PAGE,
			    "page size seen by the consumer: %u", info.page_size);
		for (;;) {
			ssize_t n = shmring_recv(c, &v, sizeof(v), 30 * T_S);

			if (n == -EPIPE)
				break;
			CHILD_CHECK(n == sizeof(v), "recv = %s", t_errname(n));
			CHILD_CHECK(v == want, "got %llu, expected %llu",
				    (unsigned long long)v, (unsigned long long)want);
			want++;
		}
		CHILD_CHECK(want == MESSAGES, "received %llu", (unsigned long long)want);
		shmring_close(c);
		_exit(0);
	}
	for (uint64_t v = 0; v < MESSAGES; v++)
		T_EXPECT(shmring_send(p, &v, sizeof(v), 30 * T_S), 0);
	shmring_close(p);
	t_wait_ok(pid, 60, "consumer");
}

static void round_trip(const char *backend, unsigned mode)
{
	const char *name;
	struct shmring_info info;
	long free_before;

	pool_setup(8);
	use_backend(backend);
	name = t_ring("huge-%s-%s", backend, t_mode_str(mode));
	free_before = pool_available();
	t_create(name, 1u << 16, 64, SHMRING_HUGEPAGES | mode);     /* 5 MiB: 3 pages */
	info = t_stat(name);
	cr_assert(info.page_size == HUGE_PAGE, "[%s] page size %u", t_ctx, info.page_size);
	cr_assert(info.region_size % HUGE_PAGE == 0, "[%s] region %llu", t_ctx,
		  (unsigned long long)info.region_size);
	cr_assert(info.flags & SHMRING_HUGEPAGES);
	cr_assert(pool_available() == free_before - (long)(info.region_size / HUGE_PAGE),
		  "[%s] pages allocated or reserved at create", t_ctx);
	stream(name);
	T_EXPECT(shmring_unlink(name), 0);
	assert_nothing_left(name);
	cr_assert(pool_available() == free_before, "[%s] pool not returned: %ld of %ld",
		  t_ctx, pool_available(), free_before);
}

Test(huge, hugetlbfs_spsc, .timeout = 120) { round_trip("hugetlbfs", 0); }
Test(huge, hugetlbfs_mpmc, .timeout = 120) { round_trip("hugetlbfs", SHMRING_MP | SHMRING_MC); }
Test(huge, sysv_spsc, .timeout = 120) { round_trip("sysv", 0); }
Test(huge, sysv_mpmc, .timeout = 120) { round_trip("sysv", SHMRING_MP | SHMRING_MC); }

static void no_pages(const char *backend)
{
	const char *name;
	struct shmring_config cfg = { .capacity = 1u << 16, .msg_size = 64,
				      .flags = SHMRING_HUGEPAGES };
	int ret;

	pool_setup(0);
	use_backend(backend);
	name = t_ring("huge-none-%s", backend);
	ret = shmring_create(name, &cfg);
	cr_assert(ret == -ENOMEM || ret == -ENOSPC, "[%s] create = %s", t_ctx, t_errname(ret));
	cr_assert(strstr(shmring_strerror(ret), "nr_hugepages"), "the error says what to configure");
	assert_nothing_left(name);
	T_EXPECT(shmring_stat(name, &(struct shmring_info){ 0 }), -ENOENT);
}

Test(huge, hugetlbfs_without_pages_fails_cleanly, .timeout = 60) { no_pages("hugetlbfs"); }
Test(huge, sysv_without_pages_fails_cleanly, .timeout = 60) { no_pages("sysv"); }

/* The pool running dry after create does not hurt a ring: its pages are its own. */
Test(huge, pages_are_reserved_at_create, .timeout = 120)
{
	const char *name;
	struct shmring *r;
	struct shmring_msg m;

	pool_setup(3);
	use_backend("hugetlbfs");
	name = t_ring("huge-reserved");
	t_create(name, 1u << 16, 64, SHMRING_HUGEPAGES);
	cr_assert(pool_available() == 0, "[%s] all three pages taken at create", t_ctx);
	r = t_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER);
	/* Touch every slot: would SIGBUS if a page were still to be found. */
	for (unsigned i = 0; i < (1u << 16); i++) {
		T_EXPECT(shmring_claim(r, &m, SHMRING_NOWAIT), 0);
		memset(m.data, 0xa5, 64);
		m.len = 64;
		T_EXPECT(shmring_publish(r, &m), 0);
	}
	T_EXPECT(shmring_send(r, "x", 1, SHMRING_NOWAIT), -EAGAIN);
	shmring_close(r);
	T_EXPECT(shmring_unlink(name), 0);
}

Test(huge, unknown_backend_is_refused, .timeout = 30)
{
	struct shmring_config cfg = { .capacity = 2, .msg_size = 8, .flags = SHMRING_HUGEPAGES };
	const char *name = t_ring("huge-badbackend");

	setenv("SHMRING_HUGE_BACKEND", "tmpfs", 1);
	T_EXPECT(shmring_create(name, &cfg), -EOPNOTSUPP);
	cr_assert(!t_shm_exists(name));
}

/*
 * /dev/shm is writable by everyone: another user may plant a name there
 * whose reference leads to root's huge pages.  Root's open must refuse it
 * and root's unlink must remove the planted name only, never the pages.
 */
static void planted_reference(const char *backend)
{
	char shm_path[256], data[256];
	const char *name;
	struct shr_ref ref;
	int fd, id = -1;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root to plant a name as another user");
	pool_setup(4);
	use_backend(backend);
	name = t_ring("huge-planted-%s", backend);
	t_create(name, 1u << 16, 64, SHMRING_HUGEPAGES);
	t_shm_path(name, shm_path, sizeof(shm_path));
	fd = open(shm_path, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0 && read(fd, &ref, sizeof(ref)) == (ssize_t)sizeof(ref));
	close(fd);
	/* Root's pages stay; their name goes, as if root had lost the race for it. */
	cr_assert(unlink(shm_path) == 0);
	if (ref.backend == SHR_BACKEND_SYSV)
		id = shmget((key_t)ref.sysv_key, 0, 0);
	snprintf(data, sizeof(data), "%s/%s", mnt, name);

	pid = t_fork();
	if (pid == 0) {
		t_drop_to_nobody();
		fd = open(shm_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		CHILD_CHECK(fd >= 0, "plant %s: %s", shm_path, strerror(errno));
		CHILD_CHECK(write(fd, &ref, sizeof(ref)) == (ssize_t)sizeof(ref), "write");
		_exit(0);
	}
	t_wait_ok(pid, 20, "planting child");

	T_EXPECT(shmring_open(name, SHMRING_CONSUMER, &(struct shmring *){ NULL }), -EPROTO);
	T_EXPECT(shmring_stat(name, &(struct shmring_info){ 0 }), -EPROTO);
	T_EXPECT(shmring_unlink(name), 0);
	cr_assert(!t_shm_exists(name), "[%s] the planted name is removed", t_ctx);
	if (ref.backend == SHR_BACKEND_SYSV) {
		cr_assert(id >= 0 && shmget((key_t)ref.sysv_key, 0, 0) == id,
			  "[%s] root's segment survived the planted unlink", t_ctx);
		shmctl(id, IPC_RMID, NULL);
	} else {
		cr_assert(access(data, F_OK) == 0, "[%s] root's pages survived the planted unlink",
			  t_ctx);
		unlink(data);
	}
}

Test(huge, planted_hugetlbfs_reference_is_refused, .timeout = 60) { planted_reference("hugetlbfs"); }
Test(huge, planted_sysv_reference_is_refused, .timeout = 60) { planted_reference("sysv"); }
