/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <math.h>
#include <string.h>

#include "hist.h"

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->min < dst->min)
		dst->min = src->min;
}

void hist_bucket(unsigned i, uint64_t *lo, uint64_t *width)
{
	unsigned shift;

	if (i < HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	shift = i / HIST_SUB - 1;
	*lo = (uint64_t)(HIST_SUB + i % HIST_SUB) << shift;
	*width = (uint64_t)1 << shift;
}

double hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, lo, width;
	double v;
	unsigned i;

	if (!h->count)
		return NAN;
	if (q >= 1.0)
		return (double)h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	hist_bucket(i, &lo, &width);
	v = (double)lo + (double)(width - 1) / 2.0;
	/* The exact extremes are known: never report beyond them. */
	if (v > (double)h->max)
		v = (double)h->max;
	if (v < (double)h->min)
		v = (double)h->min;
	return v;
}
