// SPDX-License-Identifier: GPL-2.0
/*
 * Targets for files_test: each mode sets up some file state, says
 * "ready", blocks in read(0), and after the restart checks that the state
 * is still there, from the inside.  Exit 0 when it is, 10 + the number of
 * the failed check otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define DUP_FILE	"/tmp/ckpt_files_dup"
#define APPEND_FILE	"/tmp/ckpt_files_append"
#define UNLINKED_FILE	"/tmp/ckpt_files_unlinked"
#define CWD_DIR		"/tmp/ckpt_files_cwd"
#define UNLINKED_SIZE	(3 << 19)	/* 1.5 MiB: two FILE_DATA records */
#define UNLINKED_POS	12345

static int check;

#define CHECK(cond) do {					\
	check++;						\
	if (!(cond)) {						\
		fprintf(stderr, "files_target: check %d failed: %s\n", \
			check, #cond);				\
		exit(10 + check);				\
	}							\
} while (0)

static void ready_and_wait(void)
{
	char c;

	if (write(1, "ready\n", 6) != 6)
		exit(2);
	if (read(0, &c, 1) != 1)
		exit(3);
}

static void mode_dup(void)
{
	char buf[100];

	memset(buf, 'd', sizeof(buf));
	CHECK(open(DUP_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600) == 3);
	CHECK(write(3, buf, sizeof(buf)) == sizeof(buf));
	CHECK(lseek(3, 10, SEEK_SET) == 10);
	CHECK(dup2(3, 7) == 7);
	CHECK(fcntl(7, F_SETFD, FD_CLOEXEC) == 0);
	ready_and_wait();
	CHECK(lseek(7, 0, SEEK_CUR) == 10);
	CHECK(lseek(3, 42, SEEK_SET) == 42);
	CHECK(lseek(7, 0, SEEK_CUR) == 42);	/* one open file again */
	CHECK(fcntl(3, F_GETFD) == 0);
	CHECK(fcntl(7, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(4, F_GETFD) == -1 && errno == EBADF);
}

static void mode_flags(void)
{
	int flags;

	CHECK(open(APPEND_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		   O_NONBLOCK, 0600) == 3);
	CHECK(write(3, "abc", 3) == 3);
	CHECK(dup2(3, 9) == 9 && close(3) == 0);
	ready_and_wait();
	flags = fcntl(9, F_GETFL);
	CHECK((flags & O_ACCMODE) == O_WRONLY);
	CHECK(flags & O_APPEND);
	CHECK(flags & O_NONBLOCK);
	CHECK(lseek(9, 0, SEEK_SET) == 0);
	CHECK(write(9, "de", 2) == 2);		/* appends all the same */
	CHECK(lseek(9, 0, SEEK_CUR) == 5);
}

static void mode_unlinked(void)
{
	static unsigned char buf[UNLINKED_SIZE];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + (i >> 12);
	CHECK(open(UNLINKED_FILE, O_RDWR | O_CREAT | O_TRUNC, 0640) == 3);
	CHECK(write(3, buf, sizeof(buf)) == sizeof(buf));
	CHECK(unlink(UNLINKED_FILE) == 0);
	CHECK(lseek(3, UNLINKED_POS, SEEK_SET) == UNLINKED_POS);
	ready_and_wait();
	CHECK(fstat(3, &st) == 0);
	CHECK(st.st_nlink == 0 && S_ISREG(st.st_mode));
	CHECK(st.st_size == UNLINKED_SIZE && (st.st_mode & 0777) == 0640);
	CHECK(lseek(3, 0, SEEK_CUR) == UNLINKED_POS);
	memset(buf, 0, sizeof(buf));
	CHECK(pread(3, buf, sizeof(buf), 0) == sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (unsigned char)(i * 7 + (i >> 12)))
			break;
	CHECK(i == sizeof(buf));
}

static void mode_devs(void)
{
	char buf[16];
	struct stat st;

	CHECK(open("/dev/null", O_WRONLY) == 3);
	CHECK(open("/dev/zero", O_RDONLY) == 4);
	CHECK(open("/tmp", O_RDONLY | O_DIRECTORY) == 5);
	ready_and_wait();
	CHECK(write(3, "x", 1) == 1);
	memset(buf, 1, sizeof(buf));
	CHECK(read(4, buf, sizeof(buf)) == sizeof(buf) && !buf[0] && !buf[15]);
	CHECK(fstat(5, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(fchdir(5) == 0);
}

static void mode_cwd(void)
{
	char cwd[256];

	CHECK(mkdir(CWD_DIR, 0700) == 0 || errno == EEXIST);
	CHECK(chdir(CWD_DIR) == 0);
	umask(027);
	ready_and_wait();
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, CWD_DIR));
	CHECK(umask(0) == 027);
}

/* A TCP socket: a kind of file checkpoint does not support yet. */
static void mode_socket(void)
{
	CHECK(socket(AF_INET, SOCK_STREAM, 0) == 3);
	ready_and_wait();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "dup", mode_dup }, { "flags", mode_flags },
		{ "unlinked", mode_unlinked }, { "devs", mode_devs },
		{ "cwd", mode_cwd }, { "socket", mode_socket },
	};
	size_t i;

	for (i = 0; argc == 2 && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: files_target dup|flags|unlinked|devs|cwd|socket\n");
	return 2;
}
