/* SPDX-License-Identifier: MIT */
/*
 * Log-linear histogram of clock ticks.  Values below 2^HIST_SUB_BITS are
 * counted exactly; above, each power of two is split into 2^HIST_SUB_BITS
 * equal buckets, so a bucket is at most 1/128 (0.78 %) of its values wide.
 * Adding a value is a few instructions and touches one counter: no
 * allocation, no system call.
 */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	uint64_t b[HIST_BUCKETS];
};

static inline unsigned hist_index(uint64_t v)
{
	unsigned shift;

	if (v < HIST_SUB)
		return (unsigned)v;
	shift = (unsigned)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned)(v >> shift) - HIST_SUB;
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
}

void hist_reset(struct hist *h);
void hist_merge(struct hist *dst, const struct hist *src);
/* Value at quantile q (0..1), the midpoint of its bucket, in ticks. */
double hist_quantile(const struct hist *h, double q);
/* Lower edge and width of bucket i, in ticks. */
void hist_bucket(unsigned i, uint64_t *lo, uint64_t *width);

#endif /* BENCH_HIST_H */
