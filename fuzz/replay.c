// SPDX-License-Identifier: MIT
/*
 * Runs fuzz inputs without libFuzzer: every file named, or every file in a
 * directory named, in name order.  Built by make check with the project's
 * compiler and flags, so --enable-asan replays the corpus under the
 * sanitizers.  A broken promise aborts, naming the file first.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "one_input.h"

static unsigned long replayed;
static double slowest_ms, total_ms;
static char slowest[512];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int replay_file(const char *path)
{
	unsigned char *buf;
	struct stat st;
	double t0, ms;
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp || fstat(fileno(fp), &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		return -1;
	}
	/* Printed first: if the input aborts, the log says which one. */
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	t0 = now_ms();
	fuzz_one_input(buf, n);
	ms = now_ms() - t0;
	free(buf);
	replayed++;
	total_ms += ms;
	if (ms > slowest_ms) {
		slowest_ms = ms;
		snprintf(slowest, sizeof(slowest), "%s", path);
	}
	return 0;
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_entry, alphasort), ret = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
		char *path = malloc(len);
		struct stat st;

		if (path) {
			snprintf(path, len, "%s/%s", dir, names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path))
				ret = -1;
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			ret = 1;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i])) {
			ret = 1;
		}
	}
	printf("replay: %lu inputs replayed in %.0f ms", replayed, total_ms);
	if (replayed)
		printf(", slowest %.1f ms (%s)", slowest_ms, slowest);
	putchar('\n');
	return ret;
}
