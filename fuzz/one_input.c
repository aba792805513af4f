// SPDX-License-Identifier: MIT
/*
 * One fuzz input: lay an object of hostile bytes (or a real ring) in
 * /dev/shm, then let the script attach to it and call into the library,
 * scribbling on the region between calls like a hostile peer would.
 *
 * The library promises (SPEC, "Hostile peers") that whatever the region
 * holds, no call crashes, touches memory outside the region or the
 * caller's buffers, or outlives its timeout; errors are documented ones.
 * Crashes and out-of-bounds accesses are caught by the sanitizers; the rest
 * is checked here, and a broken promise aborts so that the fuzzer keeps the
 * input.  Nothing in the region is assumed: only what the library's own
 * state makes certain (roles, claims and peeks held) is asserted exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmring.h>

#include "layout.h"      /* lib/layout.h: where the words a peer would poke live */
#include "one_input.h"

#define MAX_OPS     64
#define MAX_TIMED   4            /* 1 ms waits per input: executions stay short */
#define MS          ((int64_t)1000000)
#define HDR_SIZE    sizeof(struct shr_hdr)
#define MAX_RANGES  8

struct fz_handle {
	struct shmring *r;
	int role;
	uint32_t capacity, msg_size;   /* as shmring_info() said at open */
	uint32_t slot_size;            /* their payload stride */
	bool claim, peek;
	struct shmring_msg cm, pm;
};

struct fz_range {
	uintptr_t lo, hi;
};

struct fz_racer {
	pthread_t thread;
	atomic_bool stop, flipping;
	unsigned char *word;
	unsigned width;
	uint64_t a, b;
	bool running;
};

struct fz {
	char path[32];              /* "/" and the ring name */
	const char *name;
	int fd;
	unsigned char *map;          /* our own view of the object: the hostile peer's */
	size_t size;
	dev_t dev;
	ino_t ino;
	struct fz_handle h[FZ_HANDLES];
	struct fz_range ranges[MAX_RANGES];   /* the library's mappings of the object */
	unsigned nranges;
	bool ranges_valid;
	unsigned timed;
	bool trusted;                /* a real ring nobody has scribbled on yet */
	struct fz_racer racer;
	const uint8_t *p;            /* the script */
	size_t n, off;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static __attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: broken promise: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* How late a call may return beyond its timeout: a loaded machine preempts. */
static int64_t slack_ns(void)
{
	static int64_t slack = -1;

	if (slack < 0) {
		const char *env = getenv("SHR_FUZZ_SLACK_MS");

		slack = (env && *env ? atoll(env) : 2000) * MS;
	}
	return slack;
}

/* Racing scribbles make results depend on timing: off unless asked for. */
static bool racing_enabled(void)
{
	static int on = -1;

	if (on < 0) {
		const char *env = getenv("SHR_FUZZ_RACE");

		on = env && *env && strcmp(env, "0");
	}
	return on;
}

/*
 * SHR_FUZZ_AVOID lists known findings, comma-separated, that inputs should
 * stop provoking, so that a long run looks past them until they are fixed:
 * "null" never passes a NULL buffer with a zero length; "identity" does not
 * check that a single role held by this process is refused.
 */
static bool avoiding(const char *what)
{
	const char *env = getenv("SHR_FUZZ_AVOID");
	size_t n = strlen(what);

	for (const char *p = env; p && *p; p += strcspn(p, ","), p += !!*p)
		if (!strncmp(p, what, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * Our identity as peer.c defines it for owner words: the pid, and the low
 * 32 bits of the start time (field 22 of /proc/self/stat).
 */
static uint64_t self_identity(void)
{
	static uint64_t ident;
	char buf[512], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	if (ident)
		return ident;
	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		p = strrchr(buf, ')');
		/* starttime is field 22, 20 fields after the one that ends with ')'. */
		for (int field = 2; p && field < 22; field++)
			p = strchr(p + 1, ' ');
		if (p)
			start = strtoull(p + 1, NULL, 10);
	}
	ident = (uint64_t)getpid() << 32 | (uint32_t)start;
	return ident;
}

/* The script: reading past its end gives zeros. */
static unsigned get8(struct fz *f)
{
	unsigned v = f->off < f->n ? f->p[f->off] : 0;

	if (f->off <= f->n)
		f->off++;
	return v;
}

static unsigned get16(struct fz *f)
{
	unsigned lo = get8(f);

	return lo | get8(f) << 8;
}

static uint32_t get32(struct fz *f)
{
	uint32_t lo = get16(f);

	return lo | (uint32_t)get16(f) << 16;
}

static uint64_t get64(struct fz *f)
{
	uint64_t lo = get32(f);

	return lo | (uint64_t)get32(f) << 32;
}

/*
 * A length: a byte below 240, else the u16 that follows.  The byte 0 also
 * asks for a NULL buffer, which the API allows with a zero length.
 */
static size_t get_len(struct fz *f, bool *null)
{
	unsigned b = get8(f);

	*null = b == 0 && !avoiding("null");
	return b < 240 ? b : get16(f);
}

#define BAD_TIMEOUT (-2)

static int64_t get_timeout(struct fz *f)
{
	switch (get8(f) % 8) {
	case 2:
		if (f->timed < MAX_TIMED) {
			f->timed++;
			return MS;
		}
		return 1000;
	case 3:
	case 7:
		return 1000;
	case 6:
		return BAD_TIMEOUT;
	default:
		return SHMRING_NOWAIT;
	}
}

static struct fz_handle *get_handle(struct fz *f)
{
	return &f->h[get8(f) % FZ_HANDLES];
}

static bool in_set(long err, const int *set)
{
	for (; *set; set++)
		if (err == -*set)
			return true;
	return false;
}

/* The errors each call documents in shmring.h. */
static const int e_open[] = { EINVAL, ENOENT, EACCES, EPROTO, EBUSY, EMFILE, ENOMEM, ENOSYS, 0 };
static const int e_stat[] = { EINVAL, ENOENT, EACCES, EPROTO, ENOMEM, 0 };
/*
 * -EBUSY from send/recv and their bursts is not in their documentation: it
 * is what an SPSC handle answers while its own claim (peek) holds the next
 * slot.  Accepted, since the handle's state alone causes it.
 */
static const int e_io[] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE, EPERM, EPIPE, EINVAL, EPROTO,
			    EBUSY, 0 };
static const int e_zc[] = { EAGAIN, ETIMEDOUT, EINTR, EPERM, EPIPE, EBUSY, EINVAL, EPROTO, 0 };

/* SHR_FUZZ_TRACE=1: every call and its result on stderr, to read an input. */
static __attribute__((format(printf, 1, 2))) void trace(const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	if (on < 0) {
		const char *env = getenv("SHR_FUZZ_TRACE");

		on = env && *env && strcmp(env, "0");
	}
	if (!on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void check_err(const char *what, long ret, const int *set)
{
	trace("  %s -> %ld", what, ret);
	if (ret < 0 && !in_set(ret, set))
		fail("%s returned %ld (%s), not a documented error", what, ret,
		     shmring_strerror((int)ret));
}

/*
 * Time the thread running the input spent runnable but waiting for a CPU
 * (schedstat's run_delay), or -1.  On a loaded machine preemption alone can
 * stretch a call by a second; that is not the call's fault.  The file is
 * opened by that thread, and then read by the watchdog too.
 */
static int sched_fd = -2;

static int64_t run_delay_ns(void)
{
	char buf[128];
	unsigned long long run, delay;
	ssize_t n;

	if (sched_fd < 0)
		return -1;
	n = pread(sched_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &delay) != 2)
		return -1;
	return (int64_t)delay;
}

/*
 * The call in progress, for the watchdog: a hang is reported while it
 * lasts, so a call that would take minutes fails in about the slack.  seq
 * is odd while the fields change.
 */
static struct {
	atomic_uint seq;
	_Atomic bool active;
	const char *_Atomic what;
	_Atomic int64_t t0, delay0, timeout;
} watch;

/* Time the call that runs on from @t0 for itself, without waiting for a CPU. */
static int64_t own_time(int64_t t0, int64_t delay0, int64_t *took)
{
	int64_t delay = run_delay_ns();

	*took = now_ns() - t0;
	if (delay >= 0 && delay0 >= 0 && delay >= delay0)
		return *took - (delay - delay0);
	return *took;
}

static void *watchdog(void *arg)
{
	for (;;) {
		unsigned seq = atomic_load(&watch.seq);
		bool active = atomic_load(&watch.active);
		const char *what = atomic_load(&watch.what);
		int64_t t0 = atomic_load(&watch.t0), delay0 = atomic_load(&watch.delay0);
		int64_t timeout = atomic_load(&watch.timeout), took, own;

		if (!(seq & 1) && active && now_ns() - t0 > timeout + slack_ns()) {
			own = own_time(t0, delay0, &took);
			if (own > timeout + slack_ns() && atomic_load(&watch.seq) == seq)
				fail("%s with timeout %" PRId64 " ns still running after %" PRId64
				     " ms (%" PRId64 " ms of it not waiting for a CPU)", what,
				     timeout, took / MS, own / MS);
		}
		usleep(50000);
	}
	return NULL;
}

static void call_start(const char *what, int64_t timeout)
{
	static bool started;
	pthread_t t;

	if (!started) {
		started = true;
		slack_ns();          /* read before the watchdog shares it */
		sched_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
		if (!pthread_create(&t, NULL, watchdog, NULL))
			pthread_detach(t);
	}
	atomic_fetch_add(&watch.seq, 1);
	atomic_store(&watch.what, what);
	atomic_store(&watch.timeout, timeout);
	atomic_store(&watch.delay0, run_delay_ns());
	atomic_store(&watch.t0, now_ns());
	atomic_store(&watch.active, true);
	atomic_fetch_add(&watch.seq, 1);
}

/* A call that ran (or slept) past its timeout by more than the slack: a hang. */
static void call_end(void)
{
	int64_t took, own = own_time(atomic_load(&watch.t0), atomic_load(&watch.delay0), &took);
	int64_t timeout = atomic_load(&watch.timeout);

	atomic_store(&watch.active, false);
	if (own > timeout + slack_ns())
		fail("%s with timeout %" PRId64 " ns took %" PRId64 " ms (%" PRId64
		     " ms of it not waiting for a CPU)", atomic_load(&watch.what), timeout,
		     took / MS, own / MS);
}

/* The library's own mappings of our object, from /proc/self/maps. */
static void load_ranges(struct fz *f)
{
	FILE *m = fopen("/proc/self/maps", "re");
	char line[4096];

	f->nranges = 0;
	f->ranges_valid = true;
	while (m && fgets(line, sizeof(line), m)) {
		unsigned long lo, hi, off, ino;
		unsigned maj, mnr;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &lo, &hi, perms, &off, &maj,
			   &mnr, &ino) != 7)
			continue;
		if (ino != f->ino || (dev_t)makedev(maj, mnr) != f->dev || off != 0 ||
		    lo == (uintptr_t)f->map || f->nranges == MAX_RANGES)
			continue;
		f->ranges[f->nranges].lo = lo;
		f->ranges[f->nranges].hi = hi;
		f->nranges++;
	}
	if (m)
		fclose(m);
}

/*
 * A payload pointer handed out by claim or peek: inside a mapping of the
 * object, at the payload of a slot, with room for msg_size bytes.
 */
static void check_payload(struct fz *f, const struct fz_handle *h, const char *what,
			  const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (f->size == sizeof(struct shr_ref))
		return;           /* a huge-page reference: mapped from elsewhere */
	if (!f->ranges_valid)
		load_ranges(f);
	for (unsigned i = 0; i < f->nranges; i++) {
		const struct fz_range *g = &f->ranges[i];
		uint64_t first = shr_payload_offset(h->capacity);

		if (a < g->lo + first || a > g->hi)
			continue;
		if (g->hi - a < h->msg_size)
			fail("%s: payload %p has %zu bytes left in its mapping, msg_size is %u",
			     what, p, (size_t)(g->hi - a), h->msg_size);
		if ((a - g->lo - first) % h->slot_size != 0)
			fail("%s: payload %p is not at a slot's payload", what, p);
		return;
	}
	fail("%s: payload %p is outside every mapping of the region", what, p);
}

static uint64_t load_word(const unsigned char *p, unsigned width)
{
	if (width == 4)
		return __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_RELAXED);
	return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
}

static void store_word(unsigned char *p, unsigned width, uint64_t v)
{
	if (width == 4)
		__atomic_store_n((uint32_t *)(void *)p, (uint32_t)v, __ATOMIC_RELAXED);
	else
		__atomic_store_n((uint64_t *)(void *)p, v, __ATOMIC_RELAXED);
}

/* Capacity and message size to address slots with: the library's, else the header's. */
static bool slot_geometry(struct fz *f, uint64_t *cap, uint64_t *msg_size)
{
	const struct shr_geom *g = (const struct shr_geom *)(const void *)f->map;

	for (unsigned i = 0; i < FZ_HANDLES; i++) {
		if (f->h[i].r) {
			*cap = f->h[i].capacity;
			*msg_size = f->h[i].msg_size;
			return true;
		}
	}
	if (f->size < HDR_SIZE)
		return false;
	*cap = g->capacity;
	*msg_size = g->msg_size;
	return *cap && !(*cap & (*cap - 1));
}

#define HF(member) { offsetof(struct shr_hdr, member), sizeof(((struct shr_hdr *)0)->member) }

static const struct {
	uint16_t off, width;
} hdr_fields[] = {
	[FZ_F_MAGIC] = HF(geom.magic),
	[FZ_F_VERSION] = HF(geom.layout_version),
	[FZ_F_HDR_SIZE] = HF(geom.hdr_size),
	[FZ_F_REGION_SIZE] = HF(geom.region_size),
	[FZ_F_CAPACITY] = HF(geom.capacity),
	[FZ_F_MSG_SIZE] = HF(geom.msg_size),
	[FZ_F_SLOT_SIZE] = HF(geom.slot_size),
	[FZ_F_FLAGS] = HF(geom.flags),
	[FZ_F_MAX_ATTACH] = HF(geom.max_attach),
	[FZ_F_PROD_POS] = HF(prod.pos),
	[FZ_F_DATA_SEQ] = HF(prod.data_seq),
	[FZ_F_PROD_CLAIM_HOLD] = HF(prod.claim_hold),
	[FZ_F_CONS_POS] = HF(cons.pos),
	[FZ_F_CONS_PEEK_HOLD] = HF(cons.peek_hold),
	[FZ_F_SPACE_SEQ] = HF(cons.space_seq),
	[FZ_F_SP_OWNER] = HF(ctl.sp_owner),
	[FZ_F_SC_OWNER] = HF(ctl.sc_owner),
	[FZ_F_NPROD] = HF(ctl.nprod),
	[FZ_F_NCONS] = HF(ctl.ncons),
	[FZ_F_EVER] = HF(ctl.ever),
	[FZ_F_ABANDONED_PROD] = HF(ctl.abandoned_prod),
	[FZ_F_ABANDONED_CONS] = HF(ctl.abandoned_cons),
	[FZ_F_PRODUCER_SLEEPS] = HF(ctl.producer_sleeps),
	[FZ_F_CONSUMER_SLEEPS] = HF(ctl.consumer_sleeps),
	[FZ_F_DISCARDED] = HF(ctl.discarded),
	[FZ_F_ATT_OWNER] = HF(att[0].owner),
	[FZ_F_ATT_PROD_HOLD] = HF(att[0].prod_hold),
	[FZ_F_ATT_CONS_HOLD] = HF(att[0].cons_hold),
	[FZ_F_ATT_CLAIM_HOLD] = HF(att[0].claim_hold),
	[FZ_F_ATT_PEEK_HOLD] = HF(att[0].peek_hold),
	[FZ_F_SLOT_SEQ] = { offsetof(struct shr_slot, seq), 8 },
	[FZ_F_SLOT_LEN] = { offsetof(struct shr_slot, len), 4 },
	[FZ_F_PROD_FULL_FROM] = HF(prod.full_from),
};

_Static_assert(sizeof(hdr_fields) / sizeof(hdr_fields[0]) == FZ_NFIELDS, "a width per field");

/* The word a poke or a race aims at, or NULL when it lies outside the object. */
static unsigned char *field_at(struct fz *f, unsigned field, unsigned idx, unsigned *width)
{
	uint64_t off, cap, msg_size;

	field %= FZ_NFIELDS;
	*width = hdr_fields[field].width;
	off = hdr_fields[field].off;
	if (field == FZ_F_SLOT_SEQ || field == FZ_F_SLOT_LEN) {
		if (!slot_geometry(f, &cap, &msg_size))
			return NULL;
		off += HDR_SIZE + (idx & (cap - 1)) * sizeof(struct shr_slot);
	} else if (field >= FZ_F_ATT_OWNER && field < FZ_F_SLOT_SEQ) {
		off += (uint64_t)(idx % SHR_MAX_ATTACH) * sizeof(struct shr_attach);
	}
	return f->map && off + *width <= f->size ? f->map + off : NULL;
}

static uint64_t hdr_word(struct fz *f, unsigned field)
{
	unsigned width;
	unsigned char *p = field_at(f, field, 0, &width);

	return p ? load_word(p, width) : 0;
}

static uint64_t const_value(struct fz *f, unsigned i, uint64_t cur)
{
	uint64_t cap = 2, msg = 16, ident = self_identity();

	slot_geometry(f, &cap, &msg);
	switch (i % 26) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2;
	case 3: return cap - 1;
	case 4: return cap;
	case 5: return cap + 1;
	case 6: return msg;
	case 7: return msg + 1;
	case 8: return UINT32_MAX;           /* also the length of a discarded claim */
	case 9: return UINT32_MAX - 1;
	case 10: return INT32_MAX;
	case 11: return 1ull << 32;
	case 12: return INT64_MAX;
	case 13: return 1ull << 63;
	case 14: return UINT64_MAX;
	case 15: return (1ull << 48) - 1;
	case 16: return 1ull << 48;
	case 17: return ident;
	case 18: return ident | 1ull << SHR_OWNER_ROLE_SHIFT;
	case 19: return ident | 2ull << SHR_OWNER_ROLE_SHIFT;
	case 20: return ident | 3ull << SHR_OWNER_ROLE_SHIFT;
	case 21: return ident ^ 1;          /* our pid, another start time: dead */
	case 22: return (ident ^ 1) | 3ull << SHR_OWNER_ROLE_SHIFT;
	case 23: return 1ull << 32 | 3ull << SHR_OWNER_ROLE_SHIFT;   /* init, start time 0 */
	case 24: return ~cur;
	default: return cur ^ (1ull << 63);
	}
}

static uint64_t make_value(struct fz *f, uint64_t cur)
{
	unsigned mode = get8(f) % FZ_NVMODES;
	uint64_t pos;
	unsigned n;

	switch (mode) {
	case FZ_V_RAW:
		return get64(f);
	case FZ_V_DELTA:
		return cur + (uint64_t)(int64_t)(int8_t)get8(f);
	case FZ_V_CONST:
		return const_value(f, get8(f), cur);
	case FZ_V_PROD_REL:
		return hdr_word(f, FZ_F_PROD_POS) + (uint64_t)(int64_t)(int8_t)get8(f);
	case FZ_V_CONS_REL:
		return hdr_word(f, FZ_F_CONS_POS) + (uint64_t)(int64_t)(int8_t)get8(f);
	default:
		pos = hdr_word(f, FZ_F_CONS_POS) + (uint64_t)(int64_t)(int8_t)get8(f);
		n = 1 + get8(f);
		return (pos & ((1ull << SHR_HOLD_POS_BITS) - 1)) << 16 | n;
	}
}

static void op_poke(struct fz *f)
{
	unsigned field = get8(f), idx = get16(f), width;
	unsigned char *p = field_at(f, field, idx, &width);
	uint64_t v = make_value(f, p ? load_word(p, width) : 0);

	f->trusted = false;
	trace("  poke field %u [%u] = %#" PRIx64 "%s", field % FZ_NFIELDS, idx, v,
	      p ? "" : " (outside the object)");
	if (p)
		store_word(p, width, v);
}

/* One value into the same word of consecutive attachment entries or slots. */
static void op_poke_many(struct fz *f)
{
	unsigned field = get8(f), idx = get16(f), n = 1 + get8(f), width;
	unsigned char *p = field_at(f, field, idx, &width);
	uint64_t v = make_value(f, p ? load_word(p, width) : 0);

	f->trusted = false;
	trace("  poke field %u [%u..%u] = %#" PRIx64, field % FZ_NFIELDS, idx, idx + n - 1, v);
	for (unsigned i = 0; i < n; i++) {
		p = field_at(f, field, idx + i, &width);
		if (p)
			store_word(p, width, v);
	}
}

static void op_write(struct fz *f)
{
	uint32_t off = get32(f);
	size_t n = get8(f);

	f->trusted = false;
	for (size_t i = 0; i < n; i++) {
		unsigned b = get8(f);

		if (f->size)
			__atomic_store_n(&f->map[(off + i) % f->size], (unsigned char)b,
					 __ATOMIC_RELAXED);
	}
}

static void op_fill(struct fz *f)
{
	uint32_t off = get32(f);
	size_t n = get16(f);
	unsigned b = get8(f);

	f->trusted = false;
	if (!f->size)
		return;
	off %= f->size;
	if (n > f->size - off)
		n = f->size - off;
	memset(f->map + off, (int)b, n);
}

static void *race_main(void *arg)
{
	struct fz_racer *x = arg;

	while (!atomic_load_explicit(&x->stop, memory_order_relaxed)) {
		store_word(x->word, x->width, x->a);
		store_word(x->word, x->width, x->b);
		atomic_store_explicit(&x->flipping, true, memory_order_relaxed);
	}
	return NULL;
}

/* A peer that keeps flipping one word while the next operation runs. */
static void op_race(struct fz *f)
{
	struct fz_racer *x = &f->racer;
	unsigned field = get8(f), idx = get16(f);
	unsigned char *p = field_at(f, field, idx, &x->width);
	uint64_t cur = p ? load_word(p, x->width) : 0;

	f->trusted = false;
	x->a = make_value(f, cur);
	x->b = make_value(f, cur);
	if (!p || x->running || !racing_enabled())
		return;
	x->word = p;
	atomic_store_explicit(&x->stop, false, memory_order_relaxed);
	atomic_store_explicit(&x->flipping, false, memory_order_relaxed);
	x->running = pthread_create(&x->thread, NULL, race_main, x) == 0;
	/* The next call is short: start it only once the word is moving. */
	for (int i = 0; x->running && i < 1000000; i++)
		if (atomic_load_explicit(&x->flipping, memory_order_relaxed))
			break;
}

static void race_stop(struct fz *f)
{
	struct fz_racer *x = &f->racer;

	if (!x->running)
		return;
	atomic_store_explicit(&x->stop, true, memory_order_relaxed);
	pthread_join(x->thread, NULL);
	x->running = false;
}

static void check_geometry(struct fz *f, const char *what, const struct shmring_info *in)
{
	uint64_t slot_size = shr_payload_stride(in->msg_size);

	if (in->capacity < SHMRING_CAPACITY_MIN || in->capacity > SHMRING_CAPACITY_MAX ||
	    (in->capacity & (in->capacity - 1)))
		fail("%s: capacity %u", what, in->capacity);
	if (in->msg_size < 1 || in->msg_size > SHMRING_MSG_SIZE_MAX)
		fail("%s: msg_size %u", what, in->msg_size);
	if (in->flags & ~(SHMRING_MP | SHMRING_MC | SHMRING_HUGEPAGES))
		fail("%s: flags %#x", what, in->flags);
	if (f->size != sizeof(struct shr_ref) && in->region_size != f->size)
		fail("%s: region_size %" PRIu64 ", but the object has %zu bytes", what,
		     in->region_size, f->size);
	if (shr_payload_offset(in->capacity) + in->capacity * slot_size > in->region_size)
		fail("%s: %u slots of %" PRIu64 " bytes do not fit %" PRIu64 " bytes", what,
		     in->capacity, slot_size, in->region_size);
	if (in->count > in->capacity)
		fail("%s: count %" PRIu64 " above capacity %u", what, in->count, in->capacity);
	if (in->producers > SHR_MAX_ATTACH || in->consumers > SHR_MAX_ATTACH)
		fail("%s: %u producers, %u consumers attached", what, in->producers,
		     in->consumers);
	if (!in->page_size)
		fail("%s: page_size 0", what);
}

static void op_stat(struct fz *f)
{
	struct shmring_info in;
	int ret;

	call_start("stat", 0);
	ret = shmring_stat(f->name, &in);
	call_end();
	check_err("stat", ret, e_stat);
	if (!ret)
		check_geometry(f, "stat", &in);
}

static void op_info(struct fz *f, struct fz_handle *h)
{
	struct shmring_info in;
	int ret;

	call_start("info", 0);
	ret = shmring_info(h->r, &in);
	call_end();
	if (!h->r) {
		if (ret != -EINVAL)
			fail("info(NULL) returned %d", ret);
		return;
	}
	if (ret)
		fail("info on an open handle returned %d", ret);
	check_geometry(f, "info", &in);
	/* The geometry was validated once and is kept privately: pokes can't move it. */
	if (in.capacity != h->capacity || in.msg_size != h->msg_size)
		fail("info: geometry changed under an open handle (%u x %u, was %u x %u)",
		     in.capacity, in.msg_size, h->capacity, h->msg_size);
}

static void op_open(struct fz *f, unsigned b)
{
	struct fz_handle *h = &f->h[(b & 3) % FZ_HANDLES];
	int role = 1 + (int)((b >> 2) % 3);
	struct shmring *r = (struct shmring *)(void *)f;   /* must come back NULL on failure */
	struct shmring_info in;
	uint64_t sp = hdr_word(f, FZ_F_SP_OWNER), sc = hdr_word(f, FZ_F_SC_OWNER);
	int ret;

	if (h->r)
		return;
	call_start("open", 0);
	ret = shmring_open(f->name, role, &r);
	call_end();
	check_err("open", ret, e_open);
	if (ret) {
		if (r)
			fail("open failed with %d but left the handle %p", ret, (void *)r);
		return;
	}
	memset(h, 0, sizeof(*h));
	h->r = r;
	h->role = role;
	f->ranges_valid = false;
	ret = shmring_info(r, &in);
	if (ret)
		fail("info right after open returned %d", ret);
	check_geometry(f, "open", &in);
	/*
	 * A single role held by this very process (its identity as peer.c
	 * defines it: pid and start time) is held by a live process: -EBUSY.
	 */
	if (avoiding("identity"))
		sp = sc = 0;
	if ((role & SHMRING_PRODUCER) && !(in.flags & SHMRING_MP) && sp == self_identity())
		fail("open took over the single-producer role held by this live process "
		     "(owner %#" PRIx64 ")", sp);
	if ((role & SHMRING_CONSUMER) && !(in.flags & SHMRING_MC) && sc == self_identity())
		fail("open took over the single-consumer role held by this live process "
		     "(owner %#" PRIx64 ")", sc);
	h->capacity = in.capacity;
	h->msg_size = in.msg_size;
	h->slot_size = shr_payload_stride(in.msg_size);
}

static void op_close(struct fz *f, struct fz_handle *h)
{
	call_start("close", 0);
	shmring_close(h->r);
	call_end();
	memset(h, 0, sizeof(*h));
	f->ranges_valid = false;
}

/*
 * End of stream comes only once the ring is drained (SPEC): a -EPIPE while a
 * published message waits at a position not yet taken is an early one.  Only
 * asserted on a real ring nobody scribbled on, whose slots tell the truth.
 */
static void check_epipe(struct fz *f, const struct fz_handle *h, const char *what, long ret)
{
	uint64_t deq, enq, cap, msg_size;
	bool spsc;

	if (ret != -EPIPE || !f->trusted || !h->r || !slot_geometry(f, &cap, &msg_size))
		return;
	spsc = !(hdr_word(f, FZ_F_FLAGS) & (SHMRING_MP | SHMRING_MC));
	deq = hdr_word(f, FZ_F_CONS_POS);
	enq = hdr_word(f, FZ_F_PROD_POS);
	if (enq - deq > cap)
		return;
	for (uint64_t p = deq; p != enq; p++) {
		unsigned width;
		unsigned char *seq = field_at(f, FZ_F_SLOT_SEQ, (unsigned)(p & (cap - 1)), &width);
		unsigned char *len = field_at(f, FZ_F_SLOT_LEN, (unsigned)(p & (cap - 1)), &width);

		if (!seq || !len)
			return;
		if ((spsc || load_word(seq, 8) == p + 1) && load_word(len, 4) <= h->msg_size)
			fail("%s returned -EPIPE while the message at position %" PRIu64
			     " (%" PRIu64 " .. %" PRIu64 ") is still queued", what, p, deq, enq);
	}
}

/* A timeout below SHMRING_FOREVER can only fail. */
static void check_bad_timeout(const char *what, int64_t timeout, long ret)
{
	if (timeout < SHMRING_FOREVER && ret >= 0)
		fail("%s with timeout %" PRId64 " returned %ld", what, timeout, ret);
}

/* A handle without @role must be refused with -EPERM before anything else. */
static void check_role(const struct fz_handle *h, int role, const char *what, long ret)
{
	if (!h->r && ret != -EINVAL)
		fail("%s on a NULL handle returned %ld", what, ret);
	if (h->r && !(h->role & role) && ret != -EPERM)
		fail("%s on a handle of role %d returned %ld, not -EPERM", what, h->role, ret);
}

static void op_send(struct fz *f, struct fz_handle *h)
{
	bool null;
	size_t len = get_len(f, &null);
	int64_t timeout = get_timeout(f);
	unsigned char *msg = null ? NULL : malloc(len ? len : 1);   /* exact size: ASan sees over-reads */
	int ret;

	if (!msg && !null)
		return;
	if (msg)
		memset(msg, 0x5a, len);
	call_start("send", timeout);
	ret = shmring_send(h->r, msg, len, timeout);
	call_end();
	check_bad_timeout("send", timeout, ret);
	check_err("send", ret, e_io);
	check_role(h, SHMRING_PRODUCER, "send", ret);
	if (ret > 0)
		fail("send returned %d", ret);
	if (h->r && (h->role & SHMRING_PRODUCER) && len > h->msg_size && ret != -EMSGSIZE)
		fail("send of %zu bytes, msg_size %u, returned %d", len, h->msg_size, ret);
	free(msg);
}

static void op_recv(struct fz *f, struct fz_handle *h)
{
	bool null;
	size_t cap = get_len(f, &null);
	int64_t timeout = get_timeout(f);
	unsigned char *buf = null ? NULL : malloc(cap ? cap : 1);
	ssize_t ret;

	if (!buf && !null)
		return;
	call_start("recv", timeout);
	ret = shmring_recv(h->r, buf, cap, timeout);
	call_end();
	check_bad_timeout("recv", timeout, ret);
	check_err("recv", ret, e_io);
	check_role(h, SHMRING_CONSUMER, "recv", ret);
	check_epipe(f, h, "recv", ret);
	if (ret >= 0 && ((size_t)ret > cap || (size_t)ret > h->msg_size))
		fail("recv into %zu bytes, msg_size %u, returned %zd", cap, h->msg_size, ret);
	free(buf);
}

static void op_send_burst(struct fz *f, struct fz_handle *h)
{
	unsigned n = 1 + get8(f) % FZ_MAX_BURST;
	struct iovec v[FZ_MAX_BURST];
	int64_t timeout;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		bool null;

		v[i].iov_len = get_len(f, &null);
		v[i].iov_base = null ? NULL : malloc(v[i].iov_len ? v[i].iov_len : 1);
		if (v[i].iov_base)
			memset(v[i].iov_base, 0xa5, v[i].iov_len);
		else
			v[i].iov_len = 0;
	}
	timeout = get_timeout(f);
	call_start("send_burst", timeout);
	ret = shmring_send_burst(h->r, v, n, timeout);
	call_end();
	check_bad_timeout("send_burst", timeout, ret);
	check_err("send_burst", ret, e_io);
	check_role(h, SHMRING_PRODUCER, "send_burst", ret);
	if (ret > (int)n || ret == 0)
		fail("send_burst of %u returned %d", n, ret);
	for (unsigned i = 0; i < n; i++)
		free(v[i].iov_base);
}

static void op_recv_burst(struct fz *f, struct fz_handle *h)
{
	unsigned n = 1 + get8(f) % FZ_MAX_BURST;
	struct iovec v[FZ_MAX_BURST], w[FZ_MAX_BURST];
	int64_t timeout;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		bool null;

		v[i].iov_len = get_len(f, &null);
		v[i].iov_base = null ? NULL : malloc(v[i].iov_len ? v[i].iov_len : 1);
		if (!v[i].iov_base)
			v[i].iov_len = 0;
		w[i] = v[i];
	}
	timeout = get_timeout(f);
	call_start("recv_burst", timeout);
	ret = shmring_recv_burst(h->r, v, n, timeout);
	call_end();
	check_bad_timeout("recv_burst", timeout, ret);
	check_err("recv_burst", ret, e_io);
	check_role(h, SHMRING_CONSUMER, "recv_burst", ret);
	check_epipe(f, h, "recv_burst", ret);
	if (ret > (int)n || ret == 0)
		fail("recv_burst of %u returned %d", n, ret);
	for (unsigned i = 0; i < n; i++) {
		if (v[i].iov_base != w[i].iov_base)
			fail("recv_burst moved buffer %u", i);
		if ((int)i < ret && (v[i].iov_len > w[i].iov_len || v[i].iov_len > h->msg_size))
			fail("recv_burst: message %u of %zu bytes in a buffer of %zu, msg_size %u",
			     i, v[i].iov_len, w[i].iov_len, h->msg_size);
		if ((int)i >= ret && v[i].iov_len != w[i].iov_len)
			fail("recv_burst returned %d but changed iov_len of buffer %u", ret, i);
		free(v[i].iov_base);
	}
}

/*
 * A peer that dies: a child process attaches, sends or receives a few
 * messages, maybe takes a claim or a peek, and exits without closing.
 */
static void op_die(struct fz *f)
{
	unsigned how = get8(f), n = get8(f) % 8;
	int role = how & 1 ? SHMRING_CONSUMER : SHMRING_PRODUCER;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct shmring_msg m;
		struct shmring *r;
		char buf[64] = "from a peer about to die";

		if (shmring_open(f->name, role, &r))
			_exit(0);
		for (unsigned i = 0; i < n; i++)
			if (role == SHMRING_PRODUCER)
				shmring_send(r, buf, 1 + i % sizeof(buf), SHMRING_NOWAIT);
			else
				shmring_recv(r, buf, sizeof(buf), SHMRING_NOWAIT);
		if (how & 2)
			role == SHMRING_PRODUCER ? shmring_claim(r, &m, SHMRING_NOWAIT) :
						   shmring_peek(r, &m, SHMRING_NOWAIT);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	trace("  a %s died", role == SHMRING_PRODUCER ? "producer" : "consumer");
}

/*
 * A poller: NOWAIT calls in a loop, as long as they find the ring full or
 * empty.  Enough misses make the library read the clock and sweep for dead
 * peers, which single calls never do.
 */
static void op_poll(struct fz *f, struct fz_handle *h)
{
	bool recv = get8(f) & 1;
	unsigned n = 1 + get8(f) * 4, i;
	unsigned char buf[64] = { 0 };
	long ret = -EAGAIN;

	call_start(recv ? "recv (polling)" : "send (polling)", 0);
	for (i = 0; i < n && ret == -EAGAIN; i++)
		ret = recv ? shmring_recv(h->r, buf, sizeof(buf), SHMRING_NOWAIT) :
			     shmring_send(h->r, buf, 8, SHMRING_NOWAIT);
	call_end();
	check_err(recv ? "recv (polling)" : "send (polling)", ret, e_io);
	check_role(h, recv ? SHMRING_CONSUMER : SHMRING_PRODUCER, "poll", ret);
	if (recv)
		check_epipe(f, h, "recv (polling)", ret);
	if (ret > (long)sizeof(buf) || (!recv && ret > 0))
		fail("polling %s returned %ld", recv ? "recv" : "send", ret);
}

static void op_claim(struct fz *f, struct fz_handle *h)
{
	int64_t timeout = get_timeout(f);
	struct shmring_msg m = { 0 };
	int ret;

	call_start("claim", timeout);
	ret = shmring_claim(h->r, &m, timeout);
	call_end();
	check_bad_timeout("claim", timeout, ret);
	check_err("claim", ret, e_zc);
	check_role(h, SHMRING_PRODUCER, "claim", ret);
	if (h->claim && ret != -EBUSY)
		fail("a second claim on one handle returned %d, not -EBUSY", ret);
	if (ret > 0)
		fail("claim returned %d", ret);
	if (ret)
		return;
	if (m.len != h->msg_size)
		fail("claim: len %zu, msg_size %u", m.len, h->msg_size);
	check_payload(f, h, "claim", m.data);
	/* Every byte of the claim is ours to write. */
	memset(m.data, 0xc3, m.len);
	h->claim = true;
	h->cm = m;
}

static void op_publish(struct fz *f, struct fz_handle *h)
{
	unsigned how = get8(f) % 4;
	bool null;
	size_t len = get_len(f, &null);
	struct shmring_msg m = h->claim ? h->cm : (struct shmring_msg){ .token = len };
	int ret, want;

	if (how == 2)
		len += (size_t)h->msg_size + 1;
	else if (how == 3)
		m.token ^= 1;
	m.len = len;
	ret = shmring_publish(h->r, &m);
	check_role(h, SHMRING_PRODUCER, "publish", ret);
	if (!h->r || !(h->role & SHMRING_PRODUCER))
		return;
	if (!h->claim || how == 3)
		want = -EINVAL;
	else if (len > h->msg_size)
		want = -EMSGSIZE;           /* and the claim stays held */
	else
		want = 0;
	if (ret != want)
		fail("publish (claim held %d, how %u, len %zu, msg_size %u) returned %d, not %d",
		     h->claim, how, len, h->msg_size, ret, want);
	if (!ret)
		h->claim = false;
}

static void op_peek(struct fz *f, struct fz_handle *h)
{
	int64_t timeout = get_timeout(f);
	struct shmring_msg m = { 0 };
	volatile unsigned char sink = 0;
	int ret;

	call_start("peek", timeout);
	ret = shmring_peek(h->r, &m, timeout);
	call_end();
	check_bad_timeout("peek", timeout, ret);
	check_err("peek", ret, e_zc);
	check_role(h, SHMRING_CONSUMER, "peek", ret);
	check_epipe(f, h, "peek", ret);
	if (h->peek && ret != -EBUSY)
		fail("a second peek on one handle returned %d, not -EBUSY", ret);
	if (ret > 0)
		fail("peek returned %d", ret);
	if (ret)
		return;
	if (m.len > h->msg_size)
		fail("peek: len %zu above msg_size %u", m.len, h->msg_size);
	check_payload(f, h, "peek", m.data);
	for (size_t i = 0; i < m.len; i++)
		sink ^= ((const unsigned char *)m.data)[i];
	(void)sink;
	h->peek = true;
	h->pm = m;
}

static void op_release(struct fz *f, struct fz_handle *h)
{
	bool bad = get8(f) % 4 == 3;
	struct shmring_msg m = h->peek ? h->pm : (struct shmring_msg){ .token = 7 };
	int ret, want;

	if (bad)
		m.token ^= 1;
	ret = shmring_release(h->r, &m);
	check_role(h, SHMRING_CONSUMER, "release", ret);
	if (!h->r || !(h->role & SHMRING_CONSUMER))
		return;
	want = h->peek && !bad ? 0 : -EINVAL;
	if (ret != want)
		fail("release (peek held %d, bad token %d) returned %d, not %d", h->peek, bad, ret,
		     want);
	if (!ret)
		h->peek = false;
}

static void run_op(struct fz *f, unsigned op)
{
	switch (op % FZ_NOPS) {
	case FZ_OP_OPEN:
		op_open(f, get8(f));
		break;
	case FZ_OP_CLOSE:
		op_close(f, get_handle(f));
		break;
	case FZ_OP_SEND:
		op_send(f, get_handle(f));
		break;
	case FZ_OP_RECV:
		op_recv(f, get_handle(f));
		break;
	case FZ_OP_SEND_BURST:
		op_send_burst(f, get_handle(f));
		break;
	case FZ_OP_RECV_BURST:
		op_recv_burst(f, get_handle(f));
		break;
	case FZ_OP_CLAIM:
		op_claim(f, get_handle(f));
		break;
	case FZ_OP_PUBLISH:
		op_publish(f, get_handle(f));
		break;
	case FZ_OP_PEEK:
		op_peek(f, get_handle(f));
		break;
	case FZ_OP_RELEASE:
		op_release(f, get_handle(f));
		break;
	case FZ_OP_INFO:
		op_info(f, get_handle(f));
		break;
	case FZ_OP_STAT:
		op_stat(f);
		break;
	case FZ_OP_WRITE:
		op_write(f);
		break;
	case FZ_OP_FILL:
		op_fill(f);
		break;
	case FZ_OP_POKE:
		op_poke(f);
		break;
	case FZ_OP_POKE_MANY:
		op_poke_many(f);
		break;
	case FZ_OP_POLL:
		op_poll(f, get_handle(f));
		break;
	case FZ_OP_DIE:
		op_die(f);
		break;
	default:
		op_race(f);
		break;
	}
}

/* What an input without a script does: attach with both roles and use it. */
static const uint8_t default_script[] = {
	FZ_OP_STAT,
	FZ_OP_OPEN, 2 << 2,                     /* handle 0, both roles */
	FZ_OP_INFO, 0,
	FZ_OP_RECV, 0, 200, 0,
	FZ_OP_PEEK, 0, 0,
	FZ_OP_RELEASE, 0, 0,
	FZ_OP_SEND, 0, 16, 0,
	FZ_OP_RECV_BURST, 0, 3, 64, 64, 64, 0,
	FZ_OP_CLAIM, 0, 0,
	FZ_OP_PUBLISH, 0, 0, 8,
	FZ_OP_RECV, 0, 200, 3,
	FZ_OP_CLOSE, 0,
};

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Makes the object; its size and the peer's mapping.  0, or -1 to skip the input. */
static int make_object(struct fz *f, const uint8_t *ctl, const uint8_t *region, size_t nregion)
{
	unsigned mode = ctl[0];
	const char *path = f->path;
	uint64_t size = nregion;
	struct stat st;

	shm_unlink(path);       /* left by an earlier input that crashed */
	if (mode & FZ_BUILT) {
		struct shmring_config cfg = {
			.capacity = 2u << (ctl[1] % 16),
			.msg_size = 1 + (uint32_t)(le(ctl + 2, 2) % FZ_BUILT_MSG_MAX),
			.flags = ctl[4] & (SHMRING_MP | SHMRING_MC),
		};

		while (cfg.capacity > 2 && shr_payload_offset(cfg.capacity) + (uint64_t)cfg.capacity *
		       shr_payload_stride(cfg.msg_size) > FZ_MAX_OBJECT)
			cfg.capacity /= 2;
		if (shmring_create(f->name, &cfg))
			return -1;
		f->fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
		f->trusted = true;
	} else {
		switch (mode & 3) {
		case FZ_SIZE_ADJUST:
			size = nregion + (uint64_t)(int64_t)(int32_t)le(ctl + 8, 4);
			break;
		case FZ_SIZE_HEADER:
			if (nregion >= offsetof(struct shr_geom, region_size) + 8)
				size = le(region + offsetof(struct shr_geom, region_size), 8);
			break;
		case FZ_SIZE_PAGE:
			size = (nregion + 4095) & ~(uint64_t)4095;
			break;
		}
		if (size > FZ_MAX_OBJECT)
			size = nregion <= FZ_MAX_OBJECT ? nregion : FZ_MAX_OBJECT;
		if (nregion > size)
			nregion = (size_t)size;
		f->fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (f->fd >= 0 && (ftruncate(f->fd, (off_t)size) < 0 ||
				   (nregion && pwrite(f->fd, region, nregion, 0) != (ssize_t)nregion))) {
			close(f->fd);
			f->fd = -1;
		}
	}
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		shm_unlink(path);
		if (f->fd >= 0)
			close(f->fd);
		return -1;
	}
	f->size = (size_t)st.st_size;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (f->size) {
		f->map = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
		if (f->map == MAP_FAILED) {
			f->map = NULL;
			f->size = 0;
		}
	}
	return 0;
}

int fuzz_one_input(const uint8_t *data, size_t size)
{
	static struct fz fz;
	struct fz *f = &fz;
	uint8_t ctl[FZ_CTL_SIZE] = { 0 };
	size_t nscript;
	unsigned nops = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	memcpy(ctl, data, size < FZ_CTL_SIZE ? size : FZ_CTL_SIZE);
	data += size < FZ_CTL_SIZE ? size : FZ_CTL_SIZE;
	size -= size < FZ_CTL_SIZE ? size : FZ_CTL_SIZE;
	nscript = (size_t)le(ctl + 6, 2);
	if (nscript > size)
		nscript = size;
	f->p = nscript ? data : default_script;
	f->n = nscript ? nscript : sizeof(default_script);
	/* The pid keeps parallel fuzzers and replays apart. */
	snprintf(f->path, sizeof(f->path), "/shr-fz-%ld", (long)getpid());
	f->name = f->path + 1;
	if (make_object(f, ctl, data + nscript, size - nscript))
		return 0;
	trace("object of %zu bytes, script of %zu", f->size, f->n);

	op_stat(f);
	while (f->off < f->n && nops++ < MAX_OPS) {
		unsigned op = get8(f) % FZ_NOPS;

		trace("op %u at script byte %zu", op, f->off - 1);
		run_op(f, op);
		if (op != FZ_OP_RACE)
			race_stop(f);
	}
	race_stop(f);
	for (unsigned i = 0; i < FZ_HANDLES; i++)
		if (f->h[i].r)
			op_close(f, &f->h[i]);
	if (f->map)
		munmap(f->map, f->size);
	close(f->fd);
	ret = shmring_unlink(f->name);
	if (ret && ret != -ENOENT)
		fail("unlink of an existing object returned %d", ret);
	shm_unlink(f->path);    /* in case the library refused it */
	return 0;
}
