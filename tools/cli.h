/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the shmring command-line tool.  Everything here uses only
 * the public <shmring.h>: the tool is the first user of the library.
 */
#ifndef SHMRING_CLI_H
#define SHMRING_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <shmring.h>

/* Exit statuses (SPEC §3); signals exit with 128 + the signal number. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/*
 * Defaults for a ring made by the tool: 4096 slots of 1 KiB hold a few
 * milliseconds of a fast line stream and any ordinary text line, in 4 MiB.
 */
#define CLI_DEFAULT_CAPACITY	4096u
#define CLI_DEFAULT_MSG_SIZE	1024u

/* Where POSIX shared memory objects live on Linux. */
#define CLI_SHM_DIR		"/dev/shm"

/* Set by the SIGINT/SIGTERM/SIGHUP handler: the signal number, or 0. */
extern volatile sig_atomic_t cli_stop;

void cli_install_stop_handlers(void);
int cli_signal_status(void);

/* Errors.  cli_fail() prints "shmring: NAME: reason" and returns 1. */
int cli_fail(const char *name, int err);
int cli_failf(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void cli_bad_option(const char *cmd, int c, char *const argv[]);

/* Parsing of option values; each exits with status 2 on a bad value. */
uint64_t cli_parse_size(const char *cmd, const char *opt, const char *arg,
			uint64_t min, uint64_t max);
uint32_t cli_parse_capacity(const char *cmd, const char *arg);
uint32_t cli_parse_mode(const char *cmd, const char *arg);
int64_t cli_parse_duration(const char *cmd, const char *opt, const char *arg);
bool cli_name_valid(const char *name);
void cli_check_name(const char *cmd, const char *name);
/* After getopt: the one ring NAME left in argv, checked; else a usage error. */
const char *cli_one_name(const char *cmd, int argc, char **argv);

/*
 * getopt_long values.  The first six describe a ring to create and are
 * shared by create, send --create and recv --create: cli_create_option()
 * returns true if it consumed @c.
 */
enum {
	OPT_CAPACITY = 'c',
	OPT_MSG_SIZE = 's',
	OPT_MODE = 'm',
	OPT_MP = 256,		/* long-only options */
	OPT_MC,
	OPT_HUGE,
	OPT_CREATE,
	OPT_SIZE,
	OPT_STATS,
};

#define CLI_CREATE_LONGOPTS						\
	{ "capacity", required_argument, NULL, OPT_CAPACITY },		\
	{ "msg-size", required_argument, NULL, OPT_MSG_SIZE },		\
	{ "mp",       no_argument,       NULL, OPT_MP },		\
	{ "mc",       no_argument,       NULL, OPT_MC },		\
	{ "huge",     optional_argument, NULL, OPT_HUGE },		\
	{ "mode",     required_argument, NULL, OPT_MODE }

#define CLI_CREATE_HELP							\
	"  -c, --capacity N     slots, a power of two (default 4096; 64K, 1M ...)\n" \
	"  -s, --msg-size B     largest message in bytes (default 1024; 64K ...)\n" \
	"      --mp             allow several producers\n"		\
	"      --mc             allow several consumers\n"		\
	"      --huge[=BACKEND] back the ring with 2 MiB huge pages; BACKEND\n" \
	"                       hugetlbfs or sysv (default: hugetlbfs if mounted)\n" \
	"  -m, --mode OCTAL     permission bits (default 0600)\n"

void cli_config_init(struct shmring_config *cfg);
bool cli_create_option(const char *cmd, struct shmring_config *cfg, int c,
		       const char *arg);

/* Ring description shared by ls and info. */
struct cli_ring {
	char name[SHMRING_NAME_MAX + 1];
	char path[512];		/* its name in /dev/shm, "" if not found */
	bool have_stat;		/* st below is valid */
	struct stat st;
	struct shmring_info info;
};

const char *cli_ring_type(uint32_t flags);
void cli_stat_file(struct cli_ring *r);
void cli_print_json_ring(const struct cli_ring *r, bool pretty);
char *cli_human(char *buf, size_t len, double v, const char *unit);
char *cli_owner(char *buf, size_t len, uid_t uid);

/* Subcommands: each returns the process exit status. */
int cmd_create(int argc, char *argv[]);
int cmd_ls(int argc, char *argv[]);
int cmd_info(int argc, char *argv[]);
int cmd_rm(int argc, char *argv[]);
int cmd_send(int argc, char *argv[]);
int cmd_recv(int argc, char *argv[]);
int cmd_watch(int argc, char *argv[]);

#endif /* SHMRING_CLI_H */
