// SPDX-License-Identifier: MIT
/*
 * The libFuzzer entry point: see one_input.h for what an input is.
 *
 * run.sh links this with -Wl,--wrap=fopen.  shmring_open() and
 * shmring_stat() read /proc/self/smaps to learn the page size of their
 * mapping; under AddressSanitizer that file walks the shadow mappings and
 * costs about 10 ms a read, a dozen times the rest of an execution.  Here
 * it is unreadable, and the library falls back to the base page size,
 * which is what a ring in /dev/shm has anyway.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "one_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
	if (!strcmp(path, "/proc/self/smaps")) {
		errno = ENOENT;
		return NULL;
	}
	return __real_fopen(path, mode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_input(data, size);
	return 0;
}
