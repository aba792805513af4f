/* SPDX-License-Identifier: MIT */
/*
 * The public header alone, as strict C11: self-contained, no extensions.
 * Built with -std=c11 -pedantic-errors; prints TAP so make check runs it.
 */
#include <shmring.h>

#include <stdio.h>

int main(void)
{
	struct shmring_config cfg = { 4, 64, SHMRING_MP | SHMRING_MC, 0 };
	struct shmring_info info = { 0 };
	struct shmring_msg m = { 0, 0, 0 };
	struct shmring *r = NULL;
	/* Every prototype, to catch a mismatch at link time. */
	int (*cr)(const char *, const struct shmring_config *) = shmring_create;
	int (*op)(const char *, int, struct shmring **) = shmring_open;
	void (*cl)(struct shmring *) = shmring_close;
	int (*ul)(const char *) = shmring_unlink;
	int (*sd)(struct shmring *, const void *, size_t, int64_t) = shmring_send;
	ssize_t (*rv)(struct shmring *, void *, size_t, int64_t) = shmring_recv;
	int (*sb)(struct shmring *, const struct iovec *, unsigned, int64_t) = shmring_send_burst;
	int (*rb)(struct shmring *, struct iovec *, unsigned, int64_t) = shmring_recv_burst;
	int (*zc[4])(struct shmring *, struct shmring_msg *, int64_t) = {
		shmring_claim, shmring_peek, 0, 0,
	};
	int (*pub)(struct shmring *, struct shmring_msg *) = shmring_publish;
	int (*rel)(struct shmring *, struct shmring_msg *) = shmring_release;
	int (*in)(struct shmring *, struct shmring_info *) = shmring_info;
	int (*st)(const char *, struct shmring_info *) = shmring_stat;
	const char *(*se)(int) = shmring_strerror;
	int ok = cr && op && cl && ul && sd && rv && sb && rb && zc[0] && zc[1] && pub &&
		 rel && in && st && se;

	ok = ok && SHMRING_NOWAIT == 0 && SHMRING_FOREVER < 0 && SHMRING_PRODUCER != SHMRING_CONSUMER;
	ok = ok && SHMRING_CAPACITY_MIN == 2 && SHMRING_CAPACITY_MAX == 1u << 30;
	ok = ok && SHMRING_MSG_SIZE_MAX == 1u << 24 && SHMRING_NAME_MAX == 200;
	ok = ok && cfg.capacity == 4 && info.count == 0 && m.len == 0 && r == NULL;
	shmring_close(NULL);
	printf("1..1\n%s 1 - shmring.h compiles and links as C11 -pedantic\n", ok ? "ok" : "not ok");
	return 0;
}
