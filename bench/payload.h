/* SPDX-License-Identifier: MIT */
/*
 * Every message carries a stamp that the receiver checks:
 *   word 0: producer id (bits 63..56), stop flag (bit 55), sequence (54..0)
 *   word 1: (16 bytes and up) mix(word 0) XOR the sum of words 2..n-1
 *   word i: (i >= 2) word0 * PL_K + i, so the body changes with every
 *           message and a torn or stale slot fails the checksum.
 * Sizes are multiples of 8.
 */
#ifndef BENCH_PAYLOAD_H
#define BENCH_PAYLOAD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL_SEQ_MASK  ((UINT64_C(1) << 55) - 1)
#define PL_STOP      (UINT64_C(1) << 55)
#define PL_K         UINT64_C(0x9e3779b97f4a7c15)

static inline uint64_t pl_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static inline uint64_t pl_word0(unsigned prod, uint64_t seq, bool stop)
{
	return ((uint64_t)prod << 56) | (stop ? PL_STOP : 0) | (seq & PL_SEQ_MASK);
}

static inline void pl_stamp(void *buf, uint32_t size, unsigned prod, uint64_t seq,
			    bool stop)
{
	uint64_t *w = buf, w0 = pl_word0(prod, seq, stop), sum = 0, base;
	uint32_t i, n = size / 8;

	w[0] = w0;
	if (n < 2)
		return;
	base = w0 * PL_K;
	for (i = 2; i < n; i++) {
		w[i] = base + i;
		sum += base + i;
	}
	w[1] = pl_mix(w0) ^ sum;
}

/*
 * Check a received message of @len bytes (expected @size).  Returns 0 and
 * fills prod/seq/stop, or -EBADMSG.
 */
static inline int pl_check(const void *buf, uint32_t size, size_t len,
			   unsigned *prod, uint64_t *seq, bool *stop)
{
	const uint64_t *w = buf;
	uint64_t sum = 0, base;
	uint32_t i, n = size / 8;

	if (len != size)
		return -EBADMSG;
	*prod = (unsigned)(w[0] >> 56);
	*stop = (w[0] & PL_STOP) != 0;
	*seq = w[0] & PL_SEQ_MASK;
	if (n < 2)
		return 0;
	base = w[0] * PL_K;
	for (i = 2; i < n; i++)
		sum += w[i];
	/* The body must be this message's, not only add up. */
	if (n > 2 && (w[2] != base + 2 || w[n - 1] != base + n - 1))
		return -EBADMSG;
	return w[1] == (pl_mix(w[0]) ^ sum) ? 0 : -EBADMSG;
}

#endif /* BENCH_PAYLOAD_H */
