// SPDX-License-Identifier: MIT
/* Ring names: what is valid, and the POSIX shm name it maps to. */
#include <errno.h>
#include <string.h>

#include "internal.h"

static bool name_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * "feed" and "/feed" name the same ring.  The character set keeps names
 * inside the shm directory: no '/', and "." and ".." are refused.
 * Writes "/feed" into @shm_name for shm_open().
 */
int shr_name_path(const char *name, char *shm_name, size_t size)
{
	size_t len;

	if (!name)
		return -EINVAL;
	if (name[0] == '/')
		name++;
	len = strnlen(name, SHMRING_NAME_MAX + 1);
	if (len == 0 || len > SHMRING_NAME_MAX || len + 2 > size)
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(name[i]))
			return -EINVAL;
	shm_name[0] = '/';
	memcpy(shm_name + 1, name, len + 1);
	return 0;
}
