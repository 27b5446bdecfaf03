// SPDX-License-Identifier: GPL-2.0
/*
 * Target for fault_test: a process that holds one file of every kind the
 * module saves - a regular file at an offset, a directory, a pipe and a
 * FIFO with data in them, an eventfd, a signalfd, a timerfd, an epoll
 * watching the pipe, an inotify watch, UNIX stream and datagram socket
 * pairs with data queued, a pty pair, an unlinked file, /dev/null - says "ready"
 * and blocks in read(0).  In mode "tree" a child holds the same files
 * (shared with its parent) and sleeps.  Once released (read(0) returns)
 * it checks its files from the inside and prints "ok", or "bad N" and
 * exits 10 + N for the first check that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#define FILE_PATH	"/tmp/ckpt_fault_file"
#define FIFO_PATH	"/tmp/ckpt_fault_fifo"
#define UNLINKED_PATH	"/tmp/ckpt_fault_unlinked"
#define FILE_POS	3
#define EVENT_COUNT	5

static struct {
	int file, dir, pipe[2], fifo, event, sig, timer, epoll, inotify;
	int stream[2], dgram[2], ptm, pts, unlinked, null;
} f;

static int nr_check;

#define CHECK(cond)						\
	do {							\
		nr_check++;					\
		if (!(cond)) {					\
			printf("bad %d\n", nr_check);		\
			exit(10 + nr_check);			\
		}						\
	} while (0)

/* Does reading @fd give exactly @want? */
static int reads(int fd, const char *want)
{
	char buf[32];
	size_t len = strlen(want);

	return read(fd, buf, sizeof(buf)) == (ssize_t)len &&
	       !memcmp(buf, want, len);
}

static void open_files(void)
{
	struct itimerspec its = { .it_value.tv_sec = 1000 };
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;

	unlink(FILE_PATH);
	unlink(FIFO_PATH);
	f.file = open(FILE_PATH, O_RDWR | O_CREAT, 0600);
	CHECK(f.file >= 0 && write(f.file, "hello", 5) == 5 &&
	      lseek(f.file, FILE_POS, SEEK_SET) == FILE_POS);
	f.dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(f.dir >= 0);
	CHECK(!pipe(f.pipe) && write(f.pipe[1], "pipe", 4) == 4);
	CHECK(!mkfifo(FIFO_PATH, 0600));
	f.fifo = open(FIFO_PATH, O_RDWR | O_NONBLOCK);
	CHECK(f.fifo >= 0 && write(f.fifo, "fifo", 4) == 4);
	f.event = eventfd(EVENT_COUNT, 0);
	CHECK(f.event >= 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(!sigprocmask(SIG_BLOCK, &set, NULL));
	f.sig = signalfd(-1, &set, SFD_NONBLOCK);
	CHECK(f.sig >= 0);
	f.timer = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK(f.timer >= 0 && !timerfd_settime(f.timer, 0, &its, NULL));
	f.epoll = epoll_create1(0);
	ev.data.fd = f.pipe[0];
	CHECK(f.epoll >= 0 &&
	      !epoll_ctl(f.epoll, EPOLL_CTL_ADD, f.pipe[0], &ev));
	f.inotify = inotify_init1(IN_NONBLOCK);
	CHECK(f.inotify >= 0 &&
	      inotify_add_watch(f.inotify, "/tmp", IN_CREATE) >= 0);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, f.stream) &&
	      write(f.stream[0], "stream", 6) == 6);
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM, 0, f.dgram) &&
	      write(f.dgram[0], "dgram", 5) == 5);
	f.ptm = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(f.ptm >= 0 && !grantpt(f.ptm) && !unlockpt(f.ptm));
	f.pts = open(ptsname(f.ptm), O_RDWR | O_NOCTTY);
	CHECK(f.pts >= 0);
	f.unlinked = open(UNLINKED_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(f.unlinked >= 0 && write(f.unlinked, "unlinked", 8) == 8 &&
	      !unlink(UNLINKED_PATH));
	f.null = open("/dev/null", O_RDWR);
	CHECK(f.null >= 0);
}

/* After the release: everything is where it was left. */
static void check_files(void)
{
	struct signalfd_siginfo si;
	struct epoll_event ev;
	struct itimerspec its;
	struct stat st;
	char buf[4096];
	uint64_t n;
	ssize_t len;

	CHECK(lseek(f.file, 0, SEEK_CUR) == FILE_POS && reads(f.file, "lo"));
	CHECK(!fstat(f.dir, &st) && S_ISDIR(st.st_mode));
	CHECK(epoll_wait(f.epoll, &ev, 1, 0) == 1 &&
	      ev.data.fd == f.pipe[0]);
	CHECK(reads(f.pipe[0], "pipe"));
	CHECK(reads(f.fifo, "fifo"));
	CHECK(read(f.event, &n, sizeof(n)) == sizeof(n) && n == EVENT_COUNT);
	CHECK(read(f.sig, &si, sizeof(si)) < 0 && errno == EAGAIN);
	CHECK(!timerfd_gettime(f.timer, &its) && its.it_value.tv_sec > 0);
	/* others may create files in /tmp: events, or none yet */
	len = read(f.inotify, buf, sizeof(buf));
	CHECK(len > 0 || (len < 0 && errno == EAGAIN));
	CHECK(reads(f.stream[1], "stream"));
	CHECK(reads(f.dgram[1], "dgram"));
	CHECK(write(f.pts, "x", 1) == 1 && read(f.ptm, buf, 1) == 1 &&
	      buf[0] == 'x');
	CHECK(pread(f.unlinked, buf, 8, 0) == 8 && !memcmp(buf, "unlinked", 8));
	CHECK(write(f.null, "x", 1) == 1);
}

int main(int argc, char **argv)
{
	pid_t child = 0;
	char c;

	if (argc != 2 || (strcmp(argv[1], "one") && strcmp(argv[1], "tree"))) {
		fprintf(stderr, "usage: fault_target one|tree\n");
		return 2;
	}
	open_files();
	if (!strcmp(argv[1], "tree")) {
		child = fork();
		CHECK(child >= 0);
		if (!child) {
			/* the test's EOF comes when the parent exits */
			close(0);
			close(1);
			close(2);
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	CHECK(read(0, &c, 1) >= 0);
	check_files();
	if (child)
		CHECK(!kill(child, SIGKILL) && waitpid(child, NULL, 0) == child);
	printf("ok\n");
	return 0;
}
