/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX socketpair(2) of type SOCK_SEQPACKET: message boundaries are kept,
 * so several producers and consumers may share the two ends.  The send
 * buffer is raised towards capacity messages (SO_SNDBUFFORCE when
 * privileged, else SO_SNDBUF within the system limit).  Spin mode passes
 * MSG_DONTWAIT and polls; block mode uses blocking calls.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

/* Per-message accounting overhead of a unix socket buffer, roughly. */
#define UNIX_SKB_OVERHEAD 1024

struct unix_shared {
	int fd[2];
};

struct unix_ep {
	int fd;
	int flags;
};

static int unix_create(const struct chan_spec *s, void **shared)
{
	struct unix_shared *p = calloc(1, sizeof(*p));
	int sz;

	if (!p)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->fd)) {
		int ret = -errno;

		free(p);
		return ret;
	}
	/* The kernel doubles the value it is given. */
	sz = (int)((size_t)s->capacity * (s->msg_size + UNIX_SKB_OVERHEAD) / 2);
	if (setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		(void)setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(p->fd[1], SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		(void)setsockopt(p->fd[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*shared = p;
	return 0;
}

static void unix_destroy(const struct chan_spec *s, void *shared)
{
	struct unix_shared *p = shared;

	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static int unix_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct unix_shared *p = shared;
	struct unix_ep *e = malloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fd = role == ROLE_TX ? p->fd[0] : p->fd[1];
	e->flags = s->block ? 0 : MSG_DONTWAIT;
	*ep = e;
	return 0;
}

static void unix_detach(void *ep)
{
	free(ep);
}

static int unix_send(void *ep, const void *msg, size_t len, bool block)
{
	struct unix_ep *e = ep;
	ssize_t n = send(e->fd, msg, len, e->flags | MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return -EIO;
}

static ssize_t unix_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct unix_ep *e = ep;
	ssize_t n = recv(e->fd, buf, cap, e->flags);

	if (n > 0)
		return n;
	if (n == 0)
		return -EPIPE;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

const struct transport transport_unix = {
	.name = "unix",
	.caps = TC_CHANNEL | TC_BLOCK | TC_SPIN | TC_MULTI | TC_PROCESS,
	.create = unix_create,
	.destroy = unix_destroy,
	.attach = unix_attach,
	.detach = unix_detach,
	.send = unix_send,
	.recv = unix_recv,
};
