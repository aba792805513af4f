// SPDX-License-Identifier: MIT
// The public header alone, as C++: extern "C" linkage and no C-only syntax.
#include <shmring.h>

#include <cstdio>

int main()
{
	shmring_config cfg = { 4, 64, SHMRING_MP | SHMRING_MC, 0 };
	// The struct and the function of one name need the tag, as in C.
	struct shmring_info info = {};
	struct shmring_msg m = {};
	shmring *r = nullptr;
	// Every function, so a C++-mangled declaration fails to link.
	int (*cr)(const char *, const shmring_config *) = shmring_create;
	int (*op)(const char *, int, shmring **) = shmring_open;
	void (*cl)(shmring *) = shmring_close;
	int (*ul)(const char *) = shmring_unlink;
	int (*sd)(shmring *, const void *, size_t, int64_t) = shmring_send;
	ssize_t (*rv)(shmring *, void *, size_t, int64_t) = shmring_recv;
	int (*sb)(shmring *, const iovec *, unsigned, int64_t) = shmring_send_burst;
	int (*rb)(shmring *, iovec *, unsigned, int64_t) = shmring_recv_burst;
	int (*cl2)(shmring *, shmring_msg *, int64_t) = shmring_claim;
	int (*pk)(shmring *, shmring_msg *, int64_t) = shmring_peek;
	int (*pub)(shmring *, shmring_msg *) = shmring_publish;
	int (*rel)(shmring *, shmring_msg *) = shmring_release;
	int (*in)(shmring *, struct shmring_info *) = shmring_info;
	int (*st)(const char *, struct shmring_info *) = shmring_stat;
	const char *(*se)(int) = shmring_strerror;
	bool ok = cr && op && cl && ul && sd && rv && sb && rb && cl2 && pk && pub && rel &&
		  in && st && se;

	ok = ok && SHMRING_NOWAIT == 0 && SHMRING_FOREVER < 0;
	ok = ok && cfg.capacity == 4 && info.count == 0 && m.len == 0 && r == nullptr;
	shmring_close(nullptr);
	std::printf("1..1\n%s 1 - shmring.h compiles and links as C++\n", ok ? "ok" : "not ok");
	return 0;
}
