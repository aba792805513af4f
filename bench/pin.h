/* SPDX-License-Identifier: MIT */
#ifndef BENCH_PIN_H
#define BENCH_PIN_H

#include <stdbool.h>

#define PIN_MAX_CPUS 1024

/* The CPUs this process may use, or those of list ("0,2-3") if given. */
int pin_init(const char *list);
unsigned pin_ncpus(void);
int pin_cpu(unsigned i);            /* the i-th usable CPU, wrapping */
/* Pin the calling thread to the CPU of worker index i (wraps). */
int pin_self(unsigned i);
/* "0,1" or "0-3", for the report. */
const char *pin_describe(void);

#endif /* BENCH_PIN_H */
