/* SPDX-License-Identifier: MIT */
/*
 * pipe(2).  Writes of at most PIPE_BUF bytes are atomic, and every message
 * here is exactly msg_size <= PIPE_BUF bytes, so a read of msg_size bytes
 * returns exactly one message even with several readers.  The pipe is grown
 * towards capacity * msg_size (F_SETPIPE_SZ, as far as the system allows).
 * Spin mode sets O_NONBLOCK and polls; block mode uses blocking calls.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

struct pipe_shared {
	int fd[2];
};

struct pipe_ep {
	int fd;
};

static int pipe_create(const struct chan_spec *s, void **shared)
{
	struct pipe_shared *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	if (s->msg_size > PIPE_BUF) {
		free(p);
		return -EMSGSIZE;
	}
	if (pipe2(p->fd, O_CLOEXEC | (s->block ? 0 : O_NONBLOCK))) {
		int ret = -errno;

		free(p);
		return ret;
	}
	/* Best effort: a smaller pipe is still a valid pipe. */
	(void)fcntl(p->fd[1], F_SETPIPE_SZ, (int)((size_t)s->capacity * s->msg_size));
	*shared = p;
	return 0;
}

static void pipe_destroy(const struct chan_spec *s, void *shared)
{
	struct pipe_shared *p = shared;

	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static int pipe_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct pipe_shared *p = shared;
	struct pipe_ep *e = malloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->fd = role == ROLE_TX ? p->fd[1] : p->fd[0];
	*ep = e;
	return 0;
}

static void pipe_detach(void *ep)
{
	free(ep);
}

static int pipe_send(void *ep, const void *msg, size_t len, bool block)
{
	struct pipe_ep *e = ep;
	ssize_t n = write(e->fd, msg, len);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return -EIO;    /* a torn write: cannot happen below PIPE_BUF */
}

static ssize_t pipe_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct pipe_ep *e = ep;
	ssize_t n = read(e->fd, buf, cap);

	if (n > 0)
		return n;
	if (n == 0)
		return -EPIPE;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

const struct transport transport_pipe = {
	.name = "pipe",
	.caps = TC_CHANNEL | TC_BLOCK | TC_SPIN | TC_MULTI | TC_PROCESS,
	.create = pipe_create,
	.destroy = pipe_destroy,
	.attach = pipe_attach,
	.detach = pipe_detach,
	.send = pipe_send,
	.recv = pipe_recv,
};
