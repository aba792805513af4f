/* SPDX-License-Identifier: MIT */
/*
 * POSIX message queue.  The queue is asked for capacity messages; when the
 * system refuses (fs.mqueue.msg_max, RLIMIT_MSGQUEUE) the depth is halved
 * until it is accepted.  Each side opens the queue by name; spin mode opens
 * it O_NONBLOCK and polls.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "shm.h"

struct mq_ep {
	mqd_t q;
};

static void mq_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/%s", name);
}

static int mqt_create(const struct chan_spec *s, void **shared)
{
	struct mq_attr attr = { .mq_msgsize = s->msg_size };
	char path[96];
	long depth;
	mqd_t q = (mqd_t)-1;

	mq_path(path, sizeof(path), s->name);
	for (depth = s->capacity; depth >= 1; depth /= 2) {
		attr.mq_maxmsg = depth;
		q = mq_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
		if (q != (mqd_t)-1 || (errno != EINVAL && errno != EMFILE && errno != ENOMEM))
			break;
	}
	if (q == (mqd_t)-1)
		return -errno;
	names_add(NAME_MQ, s->name);
	mq_close(q);
	*shared = NULL;
	return 0;
}

static void mqt_destroy(const struct chan_spec *s, void *shared)
{
	char path[96];

	mq_path(path, sizeof(path), s->name);
	mq_unlink(path);
	names_del(s->name);
}

static int mqt_attach(const struct chan_spec *s, void *shared, int role, void **ep)
{
	struct mq_ep *e = malloc(sizeof(*e));
	char path[96];
	int flags = (role == ROLE_TX ? O_WRONLY : O_RDONLY) | O_CLOEXEC;

	if (!e)
		return -ENOMEM;
	if (!s->block)
		flags |= O_NONBLOCK;
	mq_path(path, sizeof(path), s->name);
	e->q = mq_open(path, flags);
	if (e->q == (mqd_t)-1) {
		int ret = -errno;

		free(e);
		return ret;
	}
	*ep = e;
	return 0;
}

static void mqt_detach(void *ep)
{
	struct mq_ep *e = ep;

	mq_close(e->q);
	free(e);
}

static int mqt_send(void *ep, const void *msg, size_t len, bool block)
{
	struct mq_ep *e = ep;

	if (mq_send(e->q, msg, len, 0))
		return -errno;
	return 0;
}

static ssize_t mqt_recv(void *ep, void *buf, size_t cap, bool block)
{
	struct mq_ep *e = ep;
	ssize_t n = mq_receive(e->q, buf, cap, NULL);

	return n < 0 ? -errno : n;
}

const struct transport transport_mq = {
	.name = "mq",
	.caps = TC_CHANNEL | TC_BLOCK | TC_SPIN | TC_MULTI | TC_PROCESS,
	.create = mqt_create,
	.destroy = mqt_destroy,
	.attach = mqt_attach,
	.detach = mqt_detach,
	.send = mqt_send,
	.recv = mqt_recv,
};
