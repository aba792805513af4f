/* SPDX-License-Identifier: MIT */
/* Test helpers free of Criterion (see util.c). */
#ifndef SHR_TEST_UTIL_H
#define SHR_TEST_UTIL_H

#include <config.h>             /* _GNU_SOURCE: first, before any system header */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <shmring.h>

#define T_US 1000LL
#define T_MS 1000000LL
#define T_S  1000000000LL

const char *t_mode_str(unsigned flags);
/* "-EINVAL" for -EINVAL, a number for anything else (assertion messages). */
const char *t_errname(long ret);

int64_t t_now_ns(void);
void t_sleep_ms(long ms);

uint64_t t_mix(uint64_t x);
/* STRESS_SECONDS from the environment, 0 when unset (the fast default). */
unsigned t_stress_seconds(void);
/* True when built with sanitizers (slower): suites scale work down. */
bool t_sanitized(void);

/*
 * Payload patterns derived from (key, seq) so a receiver can check every
 * byte of message seq without seeing the sender's buffer.
 */
size_t t_pattern_len(uint64_t key, uint64_t seq, size_t max);
/* Lengths of a stream: t_pattern_len() with stretches of full-length messages. */
size_t t_stream_len(uint64_t key, uint64_t seq, size_t max);
void t_pattern_fill(void *buf, size_t len, uint64_t key, uint64_t seq);
/* Index of the first wrong byte, or -1 when all @len bytes match. */
ssize_t t_pattern_check(const void *buf, size_t len, uint64_t key, uint64_t seq);

/*
 * Stamped messages of the multi-producer stress tests: a header naming the
 * producer and sequence, a checksum over all of it, then a pattern.
 */
struct t_stamp {
	uint32_t producer;
	uint32_t len;           /* whole message, header included */
	uint64_t seq;
	uint64_t sum;
};
/* Build message (producer, seq) into @buf (>= max bytes); returns its length. */
size_t t_stamp_make(void *buf, size_t max, uint64_t seed, uint32_t producer, uint64_t seq);
/* 0 if @buf of @len bytes is an intact stamped message, else a reason. */
const char *t_stamp_check(const void *buf, size_t len, uint64_t seed, struct t_stamp *out);

#endif /* SHR_TEST_UTIL_H */
