// SPDX-License-Identifier: MIT
/* Text for the negative errno values this library returns. */
#include <errno.h>

#include "internal.h"

SHMRING_API const char *shmring_strerror(int err)
{
	switch (err) {
	case 0:           return "success";
	case -EINVAL:     return "invalid argument (name, configuration, role or timeout)";
	case -EEXIST:     return "a ring with this name already exists";
	case -ENOENT:     return "no ring with this name";
	case -EACCES:     return "permission denied";
	case -EPERM:      return "not permitted: the handle's role does not allow it, or huge pages need CAP_IPC_LOCK or vm.hugetlb_shm_group";
	case -EPROTO:     return "not a shmring ring of this layout version, or corrupted";
	case -EBUSY:      return "the single producer or consumer role is held by a live process, or a claim or peek is already out";
	case -EMFILE:     return "too many attachments to this ring";
	case -ENOSPC:     return "not enough shared memory for the ring: /dev/shm is full, or too few huge pages are reserved (vm.nr_hugepages)";
	case -ENOMEM:     return "out of memory: too few huge pages reserved (vm.nr_hugepages), kernel.shmmax too small, or the ring is too large";
	case -EOPNOTSUPP: return "huge pages are not available here";
	case -EAGAIN:     return "ring full or empty, and not waiting";
	case -ETIMEDOUT:  return "timed out waiting";
	case -EINTR:      return "wait interrupted by a signal";
	case -EMSGSIZE:   return "message larger than the ring's message size or the buffer";
	case -EPIPE:      return "end of stream: every peer on the other side has gone";
	case -ENOSYS:     return "/proc is not mounted: peers cannot be identified";
	default:          return err < 0 ? "unexpected system error" : "not an error code";
	}
}
