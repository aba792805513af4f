/* SPDX-License-Identifier: MIT */
/*
 * shmring create, rm, info and ls.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const char *cli_ring_type(uint32_t flags)
{
	static const char *const types[] = { "SPSC", "MPSC", "SPMC", "MPMC" };

	return types[flags & (SHMRING_MP | SHMRING_MC)];
}

char *cli_owner(char *buf, size_t len, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
	return buf;
}

static const char *ring_base(const char *name)
{
	return name[0] == '/' ? name + 1 : name;
}

void cli_stat_file(struct cli_ring *r)
{
	/*
	 * Every ring has its name in /dev/shm; a huge-page ring keeps a
	 * reference to its pages there, so owner and mode are read here too.
	 */
	r->have_stat = false;
	if ((size_t)snprintf(r->path, sizeof(r->path), "%s/%s", CLI_SHM_DIR,
			     ring_base(r->name)) < sizeof(r->path) &&
	    stat(r->path, &r->st) == 0)
		r->have_stat = true;
	else
		r->path[0] = '\0';
}

/*
 * 1234567 "msgs/s" -> "1.23M msgs/s"; 1234567 "B/s" -> "1.23 MB/s".  SI
 * prefixes: these are rates, not sizes of memory.
 */
char *cli_human(char *buf, size_t len, double v, const char *unit)
{
	static const char prefixes[] = " kMGTP";
	bool bytes = unit[0] == 'B';
	unsigned i = 0;

	while (v >= 999.5 && i < sizeof(prefixes) - 2) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f%s%s", v, unit[0] ? " " : "", unit);
	else
		snprintf(buf, len, "%.*f%s%c%s%s", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v,
			 bytes ? " " : "", prefixes[i], !bytes && unit[0] ? " " : "", unit);
	return buf;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

void cli_print_json_ring(const struct cli_ring *r, bool pretty)
{
	const struct shmring_info *in = &r->info;
	const char *sep = pretty ? ",\n  " : ", ";
	char owner[64];

	printf("{%s\"name\": ", pretty ? "\n  " : "");
	json_string(ring_base(r->name));
	printf("%s\"path\": ", sep);
	if (r->path[0])
		json_string(r->path);
	else
		fputs("null", stdout);
	if (r->have_stat) {
		printf("%s\"owner\": ", sep);
		json_string(cli_owner(owner, sizeof(owner), r->st.st_uid));
		printf("%s\"uid\": %u%s\"gid\": %u%s\"mode\": \"%04o\"", sep,
		       (unsigned)r->st.st_uid, sep, (unsigned)r->st.st_gid, sep,
		       (unsigned)(r->st.st_mode & 07777));
	} else {
		printf("%s\"owner\": null%s\"uid\": null%s\"gid\": null%s\"mode\": null",
		       sep, sep, sep, sep);
	}
	printf("%s\"type\": \"%s\"", sep, cli_ring_type(in->flags));
	printf("%s\"flags\": {\"mp\": %s, \"mc\": %s, \"huge\": %s, \"value\": %" PRIu32 "}",
	       sep, in->flags & SHMRING_MP ? "true" : "false",
	       in->flags & SHMRING_MC ? "true" : "false",
	       in->flags & SHMRING_HUGEPAGES ? "true" : "false", in->flags);
	printf("%s\"capacity\": %" PRIu32 "%s\"msg_size\": %" PRIu32
	       "%s\"page_size\": %" PRIu32 "%s\"region_size\": %" PRIu64,
	       sep, in->capacity, sep, in->msg_size, sep, in->page_size, sep,
	       in->region_size);
	printf("%s\"count\": %" PRIu64 "%s\"sent\": %" PRIu64 "%s\"received\": %" PRIu64,
	       sep, in->count, sep, in->sent, sep, in->received);
	printf("%s\"producer_sleeps\": %" PRIu64 "%s\"consumer_sleeps\": %" PRIu64,
	       sep, in->producer_sleeps, sep, in->consumer_sleeps);
	printf("%s\"producers\": %" PRIu32 "%s\"consumers\": %" PRIu32
	       "%s\"abandoned\": %" PRIu64 "%s",
	       sep, in->producers, sep, in->consumers, sep, in->abandoned,
	       pretty ? "\n}\n" : "}");
}

/* ---- create ------------------------------------------------------------ */

static const char create_help[] =
	"Usage: shmring create NAME [OPTION]...\n"
	"Make a new ring named NAME in /dev/shm.  The ring is empty and nobody is\n"
	"attached; 'send' and 'recv' attach to it.\n"
	"\n"
	CLI_CREATE_HELP
	"  -h, --help           show this help and exit\n"
	"\n"
	"Sizes take an optional K, M or G suffix (binary).  Without --mp or --mc\n"
	"the ring is SPSC: one producer and one consumer at a time.\n";

int cmd_create(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_CREATE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmring_config cfg;
	const char *name;
	int c, ret;

	cli_config_init(&cfg);
	while ((c = getopt_long(argc, argv, ":c:s:m:h", longopts, NULL)) != -1) {
		if (cli_create_option("create", &cfg, c, optarg))
			continue;
		if (c == 'h') {
			fputs(create_help, stdout);
			return EXIT_OK;
		}
		cli_bad_option("create", c, argv);
	}
	name = cli_one_name("create", argc, argv);

	ret = shmring_create(name, &cfg);
	if (ret < 0)
		return cli_fail(name, ret);
	return EXIT_OK;
}

/* ---- rm ---------------------------------------------------------------- */

static const char rm_help[] =
	"Usage: shmring rm [OPTION]... NAME...\n"
	"Remove the named rings.  Processes still attached keep working; the\n"
	"memory is freed when the last one detaches.  Only objects that are rings\n"
	"are removed.\n"
	"\n"
	"  -f, --force   remove the object even if it is not a readable ring, and\n"
	"                do not complain about names that do not exist\n"
	"  -h, --help    show this help and exit\n";

int cmd_rm(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help",  no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmring_info info;
	bool force = false;
	int c, ret, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, ":fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(rm_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("rm", c, argv);
		}
	}
	if (optind >= argc)
		cli_usage_error("rm", "missing ring NAME");
	for (int i = optind; i < argc; i++)
		cli_check_name("rm", argv[i]);

	for (int i = optind; i < argc; i++) {
		const char *name = argv[i];

		/*
		 * A typo must not delete another program's shared memory, so
		 * only rings are removed unless --force says otherwise.
		 */
		if (!force) {
			ret = shmring_stat(name, &info);
			if (ret < 0) {
				status = cli_fail(name, ret);
				continue;
			}
		}
		ret = shmring_unlink(name);
		if (ret == -ENOENT && force)
			continue;
		if (ret < 0)
			status = cli_fail(name, ret);
	}
	return status;
}

/* ---- info -------------------------------------------------------------- */

static const char info_help[] =
	"Usage: shmring info NAME [OPTION]...\n"
	"Show a ring's settings and counters without attaching to it (read\n"
	"permission is enough).\n"
	"\n"
	"  -j, --json    print one JSON object\n"
	"  -h, --help    show this help and exit\n";

static void print_info_text(const struct cli_ring *r)
{
	const struct shmring_info *in = &r->info;
	char owner[64];
	uint32_t f = in->flags;

	printf("name:             %s\n", ring_base(r->name));
	printf("path:             %s\n", r->path[0] ? r->path : "(not found)");
	if (r->have_stat) {
		struct group *gr = getgrgid(r->st.st_gid);

		printf("owner:            %s", cli_owner(owner, sizeof(owner), r->st.st_uid));
		if (gr)
			printf(":%s", gr->gr_name);
		else
			printf(":%u", (unsigned)r->st.st_gid);
		printf("\nmode:             %04o\n", (unsigned)(r->st.st_mode & 07777));
	}
	printf("type:             %s\n", cli_ring_type(f));
	printf("flags:            %s%s%s%s\n", f & SHMRING_MP ? "mp " : "",
	       f & SHMRING_MC ? "mc " : "", f & SHMRING_HUGEPAGES ? "huge " : "",
	       f & (SHMRING_MP | SHMRING_MC | SHMRING_HUGEPAGES) ? "" : "none");
	printf("capacity:         %" PRIu32 " messages\n", in->capacity);
	printf("msg_size:         %" PRIu32 " bytes\n", in->msg_size);
	printf("page_size:        %" PRIu32 " bytes\n", in->page_size);
	printf("region_size:      %" PRIu64 " bytes (%.1f MiB)\n", in->region_size,
	       (double)in->region_size / (1 << 20));
	printf("count:            %" PRIu64 " (%.0f%% full)\n", in->count,
	       in->capacity ? 100.0 * (double)in->count / in->capacity : 0.0);
	printf("sent:             %" PRIu64 "\n", in->sent);
	printf("received:         %" PRIu64 "\n", in->received);
	printf("producer_sleeps:  %" PRIu64 "\n", in->producer_sleeps);
	printf("consumer_sleeps:  %" PRIu64 "\n", in->consumer_sleeps);
	printf("producers:        %" PRIu32 "\n", in->producers);
	printf("consumers:        %" PRIu32 "\n", in->consumers);
	printf("abandoned:        %" PRIu64 "\n", in->abandoned);
}

int cmd_info(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_ring r;
	const char *name;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(info_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("info", c, argv);
		}
	}
	name = cli_one_name("info", argc, argv);

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	ret = shmring_stat(r.name, &r.info);
	if (ret < 0)
		return cli_fail(name, ret);
	cli_stat_file(&r);
	if (json)
		cli_print_json_ring(&r, true);
	else
		print_info_text(&r);
	return EXIT_OK;
}

/* ---- ls ---------------------------------------------------------------- */

static const char ls_help[] =
	"Usage: shmring ls [OPTION]...\n"
	"List every ring in /dev/shm, one per line.\n"
	"Other files there, and objects the caller cannot read, are skipped.\n"
	"\n"
	"  -j, --json    print a JSON array of objects (the fields of 'info --json')\n"
	"  -h, --help    show this help and exit\n";

struct ring_list {
	struct cli_ring *v;
	size_t n, cap;
	int err;
};

static void scan_shm(struct ring_list *l)
{
	struct dirent *de;
	DIR *d = opendir(CLI_SHM_DIR);

	if (!d) {
		l->err = -errno;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct cli_ring *r;

		/*
		 * Names the library would refuse are not rings; that includes
		 * the private names ('~') of rings still being created.
		 */
		if (!cli_name_valid(de->d_name))
			continue;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 16;
			struct cli_ring *v = realloc(l->v, cap * sizeof(*v));

			if (!v) {
				l->err = -ENOMEM;
				break;
			}
			l->v = v;
			l->cap = cap;
		}
		r = &l->v[l->n];
		memset(r, 0, sizeof(*r));
		/* cli_name_valid() bounded the length. */
		memcpy(r->name, de->d_name, strlen(de->d_name) + 1);
		/*
		 * -EPROTO: not a ring; -ENOENT: removed meanwhile; -EACCES:
		 * not ours to look at.  None of these is an error for ls.
		 */
		if (shmring_stat(r->name, &r->info) < 0)
			continue;
		cli_stat_file(r);
		l->n++;
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct cli_ring *)a)->name, ((const struct cli_ring *)b)->name);
}

static void print_ls_table(const struct ring_list *l)
{
	static const char *const hdr[] = {
		"NAME", "OWNER", "MODE", "TYPE", "CAPACITY", "MSG_SIZE", "PAGE",
		"USED", "PRODUCERS", "CONSUMERS", "ABANDONED",
	};
	enum { NCOL = sizeof(hdr) / sizeof(hdr[0]) };
	char (*cells)[NCOL][48];
	size_t w[NCOL];

	cells = calloc(l->n ? l->n : 1, sizeof(*cells));
	if (!cells) {
		cli_fail("ls", -ENOMEM);
		return;
	}
	for (size_t c = 0; c < NCOL; c++)
		w[c] = strlen(hdr[c]);
	for (size_t i = 0; i < l->n; i++) {
		const struct cli_ring *r = &l->v[i];
		const struct shmring_info *in = &r->info;
		char (*row)[48] = cells[i];

		snprintf(row[0], 48, "%.47s", r->name);
		if (r->have_stat) {
			cli_owner(row[1], 48, r->st.st_uid);
			snprintf(row[2], 48, "%04o", (unsigned)(r->st.st_mode & 07777));
		} else {
			snprintf(row[1], 48, "?");
			snprintf(row[2], 48, "?");
		}
		snprintf(row[3], 48, "%s", cli_ring_type(in->flags));
		snprintf(row[4], 48, "%" PRIu32, in->capacity);
		snprintf(row[5], 48, "%" PRIu32, in->msg_size);
		if (in->page_size >= (1u << 20) && !(in->page_size & ((1u << 20) - 1)))
			snprintf(row[6], 48, "%" PRIu32 "M", in->page_size >> 20);
		else if (in->page_size >= 1024 && !(in->page_size & 1023))
			snprintf(row[6], 48, "%" PRIu32 "K", in->page_size >> 10);
		else
			snprintf(row[6], 48, "%" PRIu32, in->page_size);
		snprintf(row[7], 48, "%" PRIu64, in->count);
		snprintf(row[8], 48, "%" PRIu32, in->producers);
		snprintf(row[9], 48, "%" PRIu32, in->consumers);
		snprintf(row[10], 48, "%" PRIu64, in->abandoned);
		for (size_t c = 0; c < NCOL; c++)
			if (strlen(row[c]) > w[c])
				w[c] = strlen(row[c]);
	}
	/* Text columns are left-aligned, numbers right-aligned. */
	for (size_t c = 0; c < NCOL; c++)
		printf(c < 4 ? "%-*s%s" : "%*s%s", (int)w[c], hdr[c], c + 1 < NCOL ? "  " : "\n");
	for (size_t i = 0; i < l->n; i++)
		for (size_t c = 0; c < NCOL; c++)
			printf(c < 4 ? "%-*s%s" : "%*s%s", (int)w[c], cells[i][c],
			       c + 1 < NCOL ? "  " : "\n");
	free(cells);
}

int cmd_ls(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ring_list l = { 0 };
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(ls_help, stdout);
			return EXIT_OK;
		default:
			cli_bad_option("ls", c, argv);
		}
	}
	if (optind < argc)
		cli_usage_error("ls", "unexpected argument '%s'", argv[optind]);

	scan_shm(&l);
	if (l.err) {
		free(l.v);
		return cli_failf(CLI_SHM_DIR, "%s", strerror(-l.err));
	}
	qsort(l.v, l.n, sizeof(*l.v), by_name);
	if (json) {
		fputs("[", stdout);
		for (size_t i = 0; i < l.n; i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			cli_print_json_ring(&l.v[i], false);
		}
		fputs(l.n ? "\n]\n" : "]\n", stdout);
	} else {
		print_ls_table(&l);
	}
	free(l.v);
	return EXIT_OK;
}
