// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpus of the fuzz target: real rings of every mode caught
 * in interesting states (empty, holding messages, full, wrapped, with a
 * claim or a peek held, with attachments left behind), each paired with a
 * script that exercises them, plus built rings, huge-page references and
 * broken sizes.  Usage: make-seeds DIR.  The rings are small (4 slots of
 * 64 bytes: one 20 KiB region), so the whole corpus stays small.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <shmring.h>

#include "layout.h"
#include "one_input.h"

#define CAPACITY 4
#define MSG_SIZE 64

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static const char *outdir;
static char ring[64];
static unsigned written;

static void die(const char *what, int err)
{
	fprintf(stderr, "make-seeds: %s: %s\n", what, err < 0 ? shmring_strerror(err) :
		strerror(errno));
	if (ring[0])
		shmring_unlink(ring);
	exit(1);
}

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("realloc", 0);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v & 0xff);
	put8(b, v >> 8);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/* Script pieces.  Handles: 0 both roles, 1 producer, 2 consumer. */
enum { T_NOWAIT = 0, T_MS = 2, T_US = 3 };
enum { R_PROD = 0, R_CONS = 1, R_BOTH = 2 };

static void s_open(struct buf *s, unsigned h, unsigned role)
{
	put8(s, FZ_OP_OPEN);
	put8(s, h | role << 2);
}

static void s_h(struct buf *s, unsigned op, unsigned h)
{
	put8(s, op);
	put8(s, h);
}

static void s_io(struct buf *s, unsigned op, unsigned h, unsigned len, unsigned t)
{
	s_h(s, op, h);
	put8(s, len);
	put8(s, t);
}

static void s_zc(struct buf *s, unsigned op, unsigned h, unsigned t)
{
	s_h(s, op, h);
	put8(s, t);
}

static void s_burst(struct buf *s, unsigned op, unsigned h, unsigned n, unsigned len, unsigned t)
{
	s_h(s, op, h);
	put8(s, n - 1);
	for (unsigned i = 0; i < n; i++)
		put8(s, len);
	put8(s, t);
}

static void s_publish(struct buf *s, unsigned h, unsigned how, unsigned len)
{
	s_h(s, FZ_OP_PUBLISH, h);
	put8(s, how);
	put8(s, len);
}

static void s_poke(struct buf *s, unsigned field, unsigned idx, unsigned vmode, unsigned arg)
{
	put8(s, FZ_OP_POKE);
	put8(s, field);
	put16(s, idx);
	put8(s, vmode);
	put8(s, arg);
	if (vmode == FZ_V_HOLD)
		put8(s, 3);
}

/* One handle with both roles through every call. */
static void script_basic(struct buf *s)
{
	put8(s, FZ_OP_STAT);
	s_open(s, 0, R_BOTH);
	s_h(s, FZ_OP_INFO, 0);
	s_io(s, FZ_OP_RECV, 0, 200, T_NOWAIT);
	s_zc(s, FZ_OP_PEEK, 0, T_NOWAIT);
	s_h(s, FZ_OP_RELEASE, 0);
	put8(s, 0);
	s_io(s, FZ_OP_SEND, 0, 16, T_NOWAIT);
	s_burst(s, FZ_OP_SEND_BURST, 0, 3, 24, T_NOWAIT);
	s_burst(s, FZ_OP_RECV_BURST, 0, 4, 64, T_NOWAIT);
	s_zc(s, FZ_OP_CLAIM, 0, T_NOWAIT);
	s_publish(s, 0, 0, 10);
	s_io(s, FZ_OP_RECV, 0, 64, T_US);
	s_io(s, FZ_OP_SEND, 0, 65, T_NOWAIT);        /* above msg_size */
	s_h(s, FZ_OP_INFO, 0);
	s_h(s, FZ_OP_CLOSE, 0);
}

/* A producer and a consumer handle, waits with a timeout, end of stream. */
static void script_pair(struct buf *s)
{
	s_open(s, 1, R_PROD);
	s_open(s, 2, R_CONS);
	s_io(s, FZ_OP_RECV, 2, 64, T_MS);
	s_io(s, FZ_OP_SEND, 1, 40, T_NOWAIT);
	s_zc(s, FZ_OP_CLAIM, 1, T_MS);
	s_zc(s, FZ_OP_PEEK, 2, T_NOWAIT);
	s_publish(s, 1, 0, 64);
	s_zc(s, FZ_OP_PEEK, 2, T_NOWAIT);
	s_h(s, FZ_OP_RELEASE, 2);
	put8(s, 0);
	s_burst(s, FZ_OP_SEND_BURST, 1, 8, 8, T_MS);
	s_burst(s, FZ_OP_RECV_BURST, 2, 2, 4, T_NOWAIT);   /* too small buffers */
	s_h(s, FZ_OP_INFO, 1);
	put8(s, FZ_OP_STAT);
	s_h(s, FZ_OP_CLOSE, 1);
	s_burst(s, FZ_OP_RECV_BURST, 2, 8, 64, T_NOWAIT);
	s_io(s, FZ_OP_RECV, 2, 64, T_MS);
	s_h(s, FZ_OP_CLOSE, 2);
}

/* A peer scribbling on indices and slots between calls. */
static void script_scribble(struct buf *s)
{
	s_open(s, 0, R_BOTH);
	s_io(s, FZ_OP_SEND, 0, 32, T_NOWAIT);
	s_io(s, FZ_OP_SEND, 0, 32, T_NOWAIT);
	s_poke(s, FZ_F_SLOT_LEN, 0, FZ_V_CONST, 7);       /* msg_size + 1 */
	s_io(s, FZ_OP_RECV, 0, 200, T_NOWAIT);
	s_poke(s, FZ_F_SLOT_LEN, 1, FZ_V_CONST, 8);       /* a discarded claim's length */
	s_zc(s, FZ_OP_PEEK, 0, T_NOWAIT);
	s_poke(s, FZ_F_CONS_POS, 0, FZ_V_PROD_REL, 5);    /* consumer ahead of producer */
	s_io(s, FZ_OP_RECV, 0, 200, T_US);
	/* Full-length messages that a burst receive may take on prod.pos alone. */
	s_burst(s, FZ_OP_SEND_BURST, 0, 2, MSG_SIZE, T_NOWAIT);
	s_poke(s, FZ_F_PROD_FULL_FROM, 0, FZ_V_CONST, 13);   /* 2^63 */
	s_burst(s, FZ_OP_RECV_BURST, 0, 4, MSG_SIZE, T_NOWAIT);
	s_io(s, FZ_OP_SEND, 0, 8, T_NOWAIT);
	s_poke(s, FZ_F_PROD_FULL_FROM, 0, FZ_V_CONS_REL, (uint8_t)-3);
	s_burst(s, FZ_OP_RECV_BURST, 0, 4, MSG_SIZE, T_NOWAIT);
	s_io(s, FZ_OP_SEND, 0, 8, T_NOWAIT);
	s_poke(s, FZ_F_PROD_POS, 0, FZ_V_CONS_REL, CAPACITY + 1);
	s_io(s, FZ_OP_SEND, 0, 8, T_US);
	s_poke(s, FZ_F_SLOT_SEQ, 2, FZ_V_CONST, 14);
	s_poke(s, FZ_F_ATT_PROD_HOLD, 5, FZ_V_HOLD, 0);
	s_poke(s, FZ_F_ATT_OWNER, 5, FZ_V_CONST, 22);     /* a dead owner */
	s_zc(s, FZ_OP_CLAIM, 0, T_MS);
	s_h(s, FZ_OP_INFO, 0);
	put8(s, FZ_OP_STAT);
	/* A garbage owner for the single roles, then attach again. */
	s_poke(s, FZ_F_SP_OWNER, 0, FZ_V_CONST, 21);
	s_poke(s, FZ_F_SC_OWNER, 0, FZ_V_CONST, 23);
	s_h(s, FZ_OP_CLOSE, 0);
	s_open(s, 1, R_PROD);
	s_open(s, 2, R_CONS);
	s_io(s, FZ_OP_RECV, 2, 64, T_NOWAIT);
	/* And the header itself, under open handles and for the next open. */
	s_poke(s, FZ_F_CAPACITY, 0, FZ_V_CONST, 14);
	s_h(s, FZ_OP_INFO, 2);
	put8(s, FZ_OP_WRITE);
	put32(s, 0);
	put8(s, 4);
	put32(s, 0xdeadbeef);
	s_open(s, 0, R_BOTH);
	put8(s, FZ_OP_STAT);
}

static void s_poke_many(struct buf *s, unsigned field, unsigned idx, unsigned n,
			unsigned vmode, unsigned arg)
{
	put8(s, FZ_OP_POKE_MANY);
	put8(s, field);
	put16(s, idx);
	put8(s, n - 1);
	put8(s, vmode);
	put8(s, arg);
	if (vmode == FZ_V_HOLD)
		put8(s, 3);
}

static void s_poll(struct buf *s, unsigned h, bool recv, unsigned n4)
{
	s_h(s, FZ_OP_POLL, h);
	put8(s, recv);
	put8(s, n4);
}

/* The attachment table: full of live owners, of dead ones, and pollers that sweep it. */
static void script_table(struct buf *s)
{
	s_h(s, FZ_OP_CLOSE, 0);
	s_poke_many(s, FZ_F_ATT_OWNER, 0, SHR_MAX_ATTACH, FZ_V_CONST, 20);   /* us, alive */
	s_open(s, 0, R_BOTH);                                                /* -EMFILE */
	s_poke_many(s, FZ_F_ATT_OWNER, 0, SHR_MAX_ATTACH, FZ_V_CONST, 22);   /* dead */
	s_open(s, 0, R_BOTH);
	s_poke_many(s, FZ_F_ATT_PROD_HOLD, 1, SHR_MAX_ATTACH - 1, FZ_V_HOLD, 0);
	s_poll(s, 0, true, 255);
	s_poll(s, 0, false, 255);
	s_io(s, FZ_OP_SEND, 0, 8, 6);                                      /* bad timeout */
}

/* Peers that die holding a claim or a peek, then the survivors wait them out. */
static void script_dead(struct buf *s)
{
	s_open(s, 2, R_CONS);
	put8(s, FZ_OP_DIE);
	put8(s, 2);                 /* a producer: sends 3, dies holding a claim */
	put8(s, 3);
	put8(s, FZ_OP_DIE);
	put8(s, 3);                 /* a consumer: receives 1, dies holding a peek */
	put8(s, 1);
	s_open(s, 1, R_PROD);
	s_io(s, FZ_OP_SEND, 1, 8, T_NOWAIT);
	s_h(s, FZ_OP_CLOSE, 1);
	s_poll(s, 2, true, 255);
	s_io(s, FZ_OP_RECV, 2, 64, T_MS);
	s_io(s, FZ_OP_RECV, 2, 64, T_MS);
	s_io(s, FZ_OP_RECV, 2, 64, T_NOWAIT);
	s_h(s, FZ_OP_INFO, 2);
	s_h(s, FZ_OP_CLOSE, 2);
}

static void write_seed(const char *what, unsigned mode, const struct buf *script,
		       const void *region, size_t nregion, int32_t adjust, const uint8_t *built)
{
	uint8_t ctl[FZ_CTL_SIZE] = { (uint8_t)mode };
	char path[512];
	FILE *fp;

	if (built)
		memcpy(ctl + 1, built, 4);
	ctl[6] = script->n & 0xff;
	ctl[7] = (uint8_t)(script->n >> 8);
	for (int i = 0; i < 4; i++)
		ctl[8 + i] = (uint8_t)((uint32_t)adjust >> (8 * i));
	snprintf(path, sizeof(path), "%s/%s", outdir, what);
	fp = fopen(path, "wb");
	if (!fp || fwrite(ctl, 1, sizeof(ctl), fp) != sizeof(ctl) ||
	    fwrite(script->p, 1, script->n, fp) != script->n ||
	    (nregion && fwrite(region, 1, nregion, fp) != nregion) || fclose(fp))
		die(path, 0);
	written++;
}

/* The object's bytes now, with the creation time zeroed so reruns agree. */
static uint8_t *snapshot(size_t *n)
{
	char path[128];
	struct stat st;
	uint8_t *p;
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/%s", ring);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(path, 0);
	p = malloc((size_t)st.st_size);
	if (!p || pread(fd, p, (size_t)st.st_size, 0) != st.st_size)
		die(path, 0);
	close(fd);
	memset(p + offsetof(struct shr_geom, create_time_ns), 0, sizeof(uint64_t));
	*n = (size_t)st.st_size;
	return p;
}

/*
 * Two seeds per state: the whole region with the basic script, and the
 * region without its zero tail (the size rule restores it) with the others.
 */
static void seed_state(const char *mode, const char *state)
{
	struct buf s = { 0 };
	size_t n, trimmed;
	uint8_t *region = snapshot(&n);
	char what[128];

	for (trimmed = n; trimmed && !region[trimmed - 1]; trimmed--)
		;
	script_basic(&s);
	snprintf(what, sizeof(what), "%s-%s", mode, state);
	write_seed(what, FZ_SIZE_EXACT, &s, region, n, 0, NULL);
	s.n = 0;
	script_pair(&s);
	script_table(&s);
	script_scribble(&s);
	snprintf(what, sizeof(what), "%s-%s-trim", mode, state);
	write_seed(what, FZ_SIZE_HEADER, &s, region, trimmed, 0, NULL);
	free(s.p);
	free(region);
}

static struct shmring *open_ring(int role)
{
	struct shmring *r;
	int ret = shmring_open(ring, role, &r);

	if (ret)
		die("open", ret);
	return r;
}

static void send_n(struct shmring *r, unsigned n)
{
	uint8_t msg[MSG_SIZE];

	for (unsigned i = 0; i < n; i++) {
		memset(msg, 'a' + (int)i % 26, sizeof(msg));
		if (shmring_send(r, msg, 8 + i % (MSG_SIZE - 8), SHMRING_NOWAIT))
			break;
	}
}

static void recv_n(struct shmring *r, unsigned n)
{
	uint8_t buf[MSG_SIZE];

	for (unsigned i = 0; i < n; i++)
		if (shmring_recv(r, buf, sizeof(buf), SHMRING_NOWAIT) < 0)
			break;
}

static void seed_mode(const char *mode, uint32_t flags)
{
	struct shmring_config cfg = { .capacity = CAPACITY, .msg_size = MSG_SIZE, .flags = flags };
	struct shmring *p, *c;
	struct shmring_msg m;
	int ret;

	snprintf(ring, sizeof(ring), "shr-seeds-%ld", (long)getpid());
	ret = shmring_create(ring, &cfg);
	if (ret)
		die("create", ret);
	seed_state(mode, "empty");
	p = open_ring(SHMRING_PRODUCER);
	c = open_ring(SHMRING_CONSUMER);
	/* Both attached: the holders are dead by the time a seed is replayed. */
	seed_state(mode, "attached");
	send_n(p, 2);
	seed_state(mode, "two");
	send_n(p, CAPACITY);
	seed_state(mode, "full");
	recv_n(c, CAPACITY);
	send_n(p, CAPACITY + 1);
	recv_n(c, 2);
	seed_state(mode, "wrapped");
	if (shmring_peek(c, &m, SHMRING_NOWAIT) == 0) {
		seed_state(mode, "peeked");
		shmring_release(c, &m);
	}
	recv_n(c, CAPACITY);
	if (shmring_claim(p, &m, SHMRING_NOWAIT) == 0) {
		memset(m.data, 'z', 20);
		seed_state(mode, "claimed");
		m.len = 20;
		shmring_publish(p, &m);
	}
	shmring_close(c);
	/* A claim given up by a producer that closed on it. */
	if (shmring_claim(p, &m, SHMRING_NOWAIT) == 0) {
		shmring_close(p);
		seed_state(mode, "discarded");
	} else {
		shmring_close(p);
	}
	shmring_unlink(ring);
	ring[0] = '\0';
}

static void seed_others(void)
{
	static const char *const modes[] = { "spsc", "mpsc", "spmc", "mpmc" };
	struct shr_ref ref = {
		.magic = SHR_REF_MAGIC, .layout_version = SHR_LAYOUT_VERSION,
		.region_size = 2u << 20, .dir = "/dev/hugepages",
	};
	struct buf s = { 0 };
	size_t n;
	uint8_t *region;
	struct shmring_config cfg = { .capacity = CAPACITY, .msg_size = MSG_SIZE };
	char what[64];
	int ret;

	/* Rings made by shmring_create() at fuzz time: only control and script. */
	for (unsigned flags = 0; flags < 4; flags++) {
		/* capacity 8, msg_size 48 */
		const uint8_t built[4] = { 2, 47, 0, (uint8_t)flags };
		struct buf t = { 0 };

		script_basic(&t);
		script_pair(&t);
		script_table(&t);
		script_scribble(&t);
		snprintf(what, sizeof(what), "built-%s", modes[flags]);
		write_seed(what, FZ_BUILT, &t, NULL, 0, 0, built);
		t.n = 0;
		script_dead(&t);
		snprintf(what, sizeof(what), "built-%s-dead", modes[flags]);
		write_seed(what, FZ_BUILT, &t, NULL, 0, 0, built);
		free(t.p);
	}

	/* References to huge-page rings (a 256-byte object). */
	script_basic(&s);
	ref.backend = SHR_BACKEND_HUGETLBFS;
	write_seed("ref-hugetlbfs", FZ_SIZE_EXACT, &s, &ref, sizeof(ref), 0, NULL);
	ref.backend = SHR_BACKEND_SYSV;
	write_seed("ref-sysv", FZ_SIZE_EXACT, &s, &ref, sizeof(ref), 0, NULL);
	ref.backend = 7;
	write_seed("ref-bad-backend", FZ_SIZE_EXACT, &s, &ref, sizeof(ref), 0, NULL);

	/* Wrong sizes around a real ring's header. */
	snprintf(ring, sizeof(ring), "shr-seeds-%ld", (long)getpid());
	ret = shmring_create(ring, &cfg);
	if (ret)
		die("create", ret);
	region = snapshot(&n);
	write_seed("size-truncated", FZ_SIZE_ADJUST, &s, region, n, -4096, NULL);
	write_seed("size-grown", FZ_SIZE_ADJUST, &s, region, n, 4096, NULL);
	write_seed("size-header-only", FZ_SIZE_EXACT, &s, region, sizeof(struct shr_hdr), 0, NULL);
	write_seed("size-one-short", FZ_SIZE_ADJUST, &s, region, n, -1, NULL);
	free(region);
	shmring_unlink(ring);
	ring[0] = '\0';
	free(s.p);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		die(outdir, 0);
	seed_mode("spsc", 0);
	seed_mode("mpsc", SHMRING_MP);
	seed_mode("spmc", SHMRING_MC);
	seed_mode("mpmc", SHMRING_MP | SHMRING_MC);
	seed_others();
	printf("make-seeds: %u seeds in %s\n", written, outdir);
	return 0;
}
