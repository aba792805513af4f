#include <shmring.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "hello";
	struct shmring_config cfg = { .capacity = 64, .msg_size = 256 };
	struct shmring *ring = NULL;
	char buf[256];
	ssize_t n = shmring_create(name, &cfg);

	if (n == 0 &&
	    (n = shmring_open(name, SHMRING_PRODUCER | SHMRING_CONSUMER, &ring)) == 0 &&
	    (n = shmring_unlink(name)) == 0 &&	/* handles outlive the name */
	    (n = shmring_send(ring, "hello, world", 12, SHMRING_FOREVER)) == 0 &&
	    (n = shmring_recv(ring, buf, sizeof(buf), SHMRING_FOREVER)) >= 0)
		printf("received \"%.*s\"\n", (int)n, buf);
	else
		fprintf(stderr, "%s: %s\n", name, shmring_strerror((int)n));
	shmring_close(ring);
	return n < 0;
}
