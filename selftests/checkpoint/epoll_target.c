// SPDX-License-Identifier: GPL-2.0
/*
 * epoll_target: processes with epolls, for epoll_test.  Each mode sets up
 * its epolls and the files they watch at fixed fds (epoll_target.h),
 * prints "ready" and blocks in read(0) until the release; then it drives
 * the watched files step by step and prints what each epoll_wait()
 * returned, one line a call:
 *
 *	TAG: NAME=EVENTS ...
 *
 * the events sorted by watch, EVENTS in hex, "-" for none; and a line for
 * each other finding.  Everything is printed at the end with one write():
 * the processes of "mix" share their stdout, each line of theirs starts
 * with the letter of the process.  Exit 0, or 5 when a call failed (its
 * "error" line says which).
 *
 *	epoll_target MODE	(in a directory of its own: "fifo" is made)
 *
 * ready	one epoll on pipe ends and a FIFO, some ready, some not
 * flags	edge-triggered and one-shot watches, some that fired
 * nested	epolls watching epolls, three deep
 * moved	watches whose fd was closed or reused after epoll_ctl()
 * mix		three processes sharing pipes, a FIFO and epolls
 * outside	fd 3 is an epoll watching a file outside the process
 * image	one epoll on both ends of a pipe, for the broken images
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "epoll_target.h"
#include "target.h"

#define EXIT_ERROR	5
#define MAX_EVENTS	16
#define WAIT_MS		30000	/* for another process, emulated */
#define HIGH_FD		200	/* where fds wait to be put in place */
#define PAGE		4096
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char * const names[W_NR] = {
	[W_P1] = "p1", [W_FIFO] = "fifo", [W_P2W] = "p2w", [W_P3] = "p3",
	[W_P4W] = "p4w", [W_P4R] = "p4r",
	[W_ET1] = "et1", [W_ET2] = "et2", [W_ET3] = "et3",
	[W_OS1] = "os1", [W_OS2] = "os2", [W_OS3] = "os3",
	[W_N1] = "n1", [W_N2A] = "n2a", [W_N2B] = "n2b", [W_N3] = "n3",
	[W_N4] = "n4",
	[W_GONE] = "gone", [W_OTHER] = "other", [W_K1] = "k1", [W_K2] = "k2",
	[W_Q1] = "q1", [W_Q2] = "q2",
	[W_MA1] = "ma1", [W_MA2] = "ma2", [W_MAF] = "maf", [W_MB1] = "mb1",
	[W_OUT] = "out",
	[W_I1] = "i1", [W_I2] = "i2",
};

static char out[PAGE];		/* what we print, at the end */
static size_t out_len;
static char letter;		/* "mix": ours, before each line */

static void __attribute__((format(printf, 1, 2))) put(const char *fmt, ...)
{
	size_t room = sizeof(out) - out_len;
	va_list ap;
	int n;

	if (letter && room > 2) {
		out[out_len++] = letter;
		out[out_len++] = ' ';
		room -= 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(out + out_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_len += (size_t)n < room ? (size_t)n : room - 1;
}

static void flush(void)
{
	if (write(STDOUT_FILENO, out, out_len) != (ssize_t)out_len)
		_exit(EXIT_ERROR);
	out_len = 0;
}

static void __attribute__((noreturn)) die(const char *what)
{
	put("error %s: %s\n", what, strerror(errno));
	flush();
	_exit(EXIT_ERROR);
}

static void __attribute__((noreturn)) done(void)
{
	flush();
	_exit(0);
}

/* @fd moved out of the way, to be put in place with at() */
static int high(int fd)
{
	int h;

	if (fd < 0)
		die("open");
	h = fcntl(fd, F_DUPFD, HIGH_FD);
	if (h < 0 || close(fd))
		die("F_DUPFD");
	return h;
}

static void at(int h, int fd)
{
	if (dup2(h, fd) != fd || close(h))
		die("dup2");
}

static void mkpipe(int rd, int wr)
{
	int p[2], r, w;

	if (pipe(p))
		die("pipe");
	r = high(p[0]);
	w = high(p[1]);
	at(r, rd);
	at(w, wr);
}

static void mkepoll(int fd)
{
	at(high(epoll_create1(0)), fd);
}

static void watch(int ep, int fd, unsigned int events, int id)
{
	struct epoll_event ev = { .events = events, .data.u64 = ep_data(id) };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("EPOLL_CTL_ADD");
}

static void send(int fd, const char *s)
{
	size_t len = strlen(s);

	if (write(fd, s, len) != (ssize_t)len)
		die("write");
}

/* Exactly @len bytes of @fd, waiting up to WAIT_MS for each part. */
static void recv_exact(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = poll(&p, 1, WAIT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(n ? "poll" : "no data in time");
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(n ? "read" : "end of file");
		got += n;
	}
}

/* What one read() of @fd got, as a line: the data or the error. */
static void show_read(const char *tag, int fd)
{
	char buf[64];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		put("%s read %s\n", tag, strerrorname_np(errno));
	else
		put("%s read %d %.*s\n", tag, (int)n, (int)n, buf);
}

static int watch_of(unsigned long long data)
{
	int i;

	for (i = 0; i < W_NR; i++)
		if (ep_data(i) == data)
			return i;
	return W_NR;
}

static int cmp_event(const void *a, const void *b)
{
	const struct epoll_event *x = a, *y = b;
	int i = watch_of(x->data.u64), j = watch_of(y->data.u64);

	if (i != j)
		return i - j;
	return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

/*
 * One epoll_wait() of @ep for up to @ms, as "NAME=EVENTS ..." in @line,
 * leaving out the watches in @skip (a mask of ep_watch bits).
 */
static void events_line(int ep, int ms, unsigned long long skip, char *line,
			size_t size)
{
	struct epoll_event ev[MAX_EVENTS];
	size_t len = 0;
	int n, i, w;

	do {
		n = epoll_wait(ep, ev, MAX_EVENTS, ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die("epoll_wait");
	qsort(ev, n, sizeof(ev[0]), cmp_event);
	line[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		w = watch_of(ev[i].data.u64);
		if (w < W_NR && (skip & 1ULL << w))
			continue;
		if (w < W_NR)
			len += snprintf(line + len, size - len, " %s=%x",
					names[w], ev[i].events);
		else
			len += snprintf(line + len, size - len, " %llx=%x",
					(unsigned long long)ev[i].data.u64,
					ev[i].events);
	}
	if (!line[0])
		snprintf(line, size, " -");
}

static void show_skip(const char *tag, int ep, int ms, unsigned long long skip)
{
	char line[512];

	events_line(ep, ms, skip, line, sizeof(line));
	put("%s:%s\n", tag, line);
}

static void show(const char *tag, int ep, int ms)
{
	show_skip(tag, ep, ms, 0);
}

/* Before the checkpoint: what an epoll_wait() must return now. */
static void expect_now(int ep, const char *want)
{
	char line[512];

	events_line(ep, 0, 0, line, sizeof(line));
	if (strcmp(line + 1, want)) {
		put("error setup: %s, not %s\n", line + 1, want);
		flush();
		_exit(EXIT_ERROR);
	}
}

static void wait_release(void)
{
	if (write(STDOUT_FILENO, "ready\n", 6) != 6 || block())
		die("stdin");
}

static void reap(const char *tag, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	put("%s status %#x\n", tag, status);
}

static void mkfifo_here(void)
{
	if ((unlink("fifo") && errno != ENOENT) || mkfifo("fifo", 0600))
		die("mkfifo");
}

static char page_byte(int i)
{
	return 'a' + (i * 7 + i / 26) % 26;
}

/*
 * "ready": one epoll watching a pipe with data, a FIFO with data (for
 * reading and writing), an empty pipe's write end, an empty pipe's read
 * end and both ends of a full one-page pipe.
 */
static void mode_ready(void)
{
	char buf[PAGE];
	int i, ok;

	mkepoll(10);
	mkpipe(11, 12);
	send(12, "hello");
	mkfifo_here();
	at(high(open("fifo", O_RDWR)), 13);
	send(13, "fifo!");
	mkpipe(14, 15);
	mkpipe(16, 17);
	mkpipe(18, 19);
	if (fcntl(19, F_SETPIPE_SZ, PAGE) != PAGE)
		die("F_SETPIPE_SZ");
	for (i = 0; i < PAGE; i++)
		buf[i] = page_byte(i);
	if (write(19, buf, PAGE) != PAGE)
		die("fill");
	watch(10, 11, EPOLLIN, W_P1);
	watch(10, 13, EPOLLIN | EPOLLOUT, W_FIFO);
	watch(10, 15, EPOLLOUT, W_P2W);
	watch(10, 16, EPOLLIN, W_P3);
	watch(10, 19, EPOLLOUT, W_P4W);
	watch(10, 18, EPOLLIN | EPOLLRDHUP, W_P4R);
	expect_now(10, "p1=1 fifo=5 p2w=4 p4r=1");
	wait_release();

	show("w1", 10, 0);
	send(17, "x");
	show("w2", 10, 0);
	memset(buf, 0, sizeof(buf));
	recv_exact(18, buf, PAGE);
	for (i = 0, ok = 1; i < PAGE; i++)
		ok &= buf[i] == page_byte(i);
	put("p4 data %s\n", ok ? "ok" : "bad");
	show("w3", 10, 0);
	show_read("p1", 11);
	show_read("fifo", 13);
	show("w4", 10, 0);
	close(19);
	show("w5", 10, 0);
	done();
}

#define BIT(w)	(1ULL << (w))

/*
 * "flags": edge-triggered watches of a read end with data and of an empty
 * pipe's write end, both fired; one of an empty read end.  One-shot
 * watches of two read ends with data, fired (disarmed), and of an empty
 * read end, armed.
 */
static void mode_flags(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT };
	char c;

	mkepoll(FL_EPOLL);
	mkpipe(FL_ET1, 12);
	send(12, "a");
	mkpipe(FL_ET2, 14);
	mkpipe(FL_OS1, 16);
	send(16, "b");
	mkpipe(FL_OS2, 18);
	send(18, "c");
	mkpipe(FL_OS3, 20);
	mkpipe(21, FL_ET3);
	watch(FL_EPOLL, FL_ET1, EPOLLIN | EPOLLET, W_ET1);
	watch(FL_EPOLL, FL_ET2, EPOLLIN | EPOLLET, W_ET2);
	watch(FL_EPOLL, FL_ET3, EPOLLOUT | EPOLLET, W_ET3);
	watch(FL_EPOLL, FL_OS1, EPOLLIN | EPOLLONESHOT, W_OS1);
	watch(FL_EPOLL, FL_OS2, EPOLLIN | EPOLLONESHOT, W_OS2);
	watch(FL_EPOLL, FL_OS3, EPOLLIN | EPOLLONESHOT, W_OS3);
	expect_now(FL_EPOLL, "et1=1 et3=4 os1=1 os2=1");
	expect_now(FL_EPOLL, "-");
	wait_release();

	/*
	 * A restored edge-triggered watch that was ready may report once
	 * more (doc/files.md): only the next call tells whether it is still
	 * edge-triggered.
	 */
	show_skip("w1", FL_EPOLL, 0, BIT(W_ET1) | BIT(W_ET3));
	show("w2", FL_EPOLL, 0);
	if (read(FL_ET1, &c, 1) != 1)
		die("read et1");
	send(12, "d");
	show("w3", FL_EPOLL, 0);
	show("w4", FL_EPOLL, 0);
	send(20, "e");
	show("w5", FL_EPOLL, 0);
	show("w6", FL_EPOLL, 0);
	/* a disarmed one-shot watch reports nothing, not even a hangup */
	close(18);
	show("w7", FL_EPOLL, 0);
	/* re-armed, each reports once */
	ev.data.u64 = ep_data(W_OS1);
	if (epoll_ctl(FL_EPOLL, EPOLL_CTL_MOD, FL_OS1, &ev))
		die("EPOLL_CTL_MOD os1");
	show("w8", FL_EPOLL, 0);
	show("w9", FL_EPOLL, 0);
	ev.data.u64 = ep_data(W_OS2);
	if (epoll_ctl(FL_EPOLL, EPOLL_CTL_MOD, FL_OS2, &ev))
		die("EPOLL_CTL_MOD os2");
	show("w10", FL_EPOLL, 0);
	send(14, "f");
	show("w11", FL_EPOLL, 0);
	show("w12", FL_EPOLL, 0);
	done();
}

/*
 * "nested": E1 (15) watches a pipe with data, E3 (16) an empty pipe, E2
 * (17) watches E1 and E3, and E4 (18) watches E2.
 */
static void mode_nested(void)
{
	char c;

	mkpipe(11, 12);
	send(12, "a");
	mkpipe(13, 14);
	mkepoll(15);
	watch(15, 11, EPOLLIN, W_N1);
	mkepoll(16);
	watch(16, 13, EPOLLIN, W_N3);
	mkepoll(17);
	watch(17, 15, EPOLLIN, W_N2A);
	watch(17, 16, EPOLLIN, W_N2B);
	mkepoll(18);
	watch(18, 17, EPOLLIN, W_N4);
	expect_now(18, "n4=1");
	wait_release();

	show("w1", 18, 0);
	show("w2", 17, 0);
	show("w3", 15, 0);
	show("w4", 16, 0);
	send(14, "b");
	show("w5", 17, 0);
	show("w6", 16, 0);
	if (read(11, &c, 1) != 1)
		die("read");
	show("w7", 17, 0);
	show("w8", 18, 0);
	if (read(13, &c, 1) != 1)
		die("read");
	show("w9", 18, 0);
	done();
}

/* fd @fd: "closed", "null" (/dev/null) or "other", and "cloexec". */
static void show_fd(int fd)
{
	struct stat st;
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0) {
		put("fd %d %s\n", fd, strerrorname_np(errno));
		return;
	}
	if (fstat(fd, &st))
		die("fstat");
	put("fd %d %s%s\n", fd,
	    S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) ? "null" : "other",
	    flags & FD_CLOEXEC ? " cloexec" : "");
}

static void unwatch(const char *tag, int fd)
{
	put("del %s %s\n", tag,
	    epoll_ctl(10, EPOLL_CTL_DEL, fd, NULL) ? strerrorname_np(errno) :
	    "ok");
}

/*
 * "moved": epoll 10 watches a pipe read end added at 11, since moved to
 * 20 (11 closed); one added at 13, moved to 21, /dev/null at 13 now
 * (close-on-exec); one read end at 15 and at 23 (closed since), watched
 * at both; two read ends, each watched at fd 17 in turn: the first then
 * at 24 only, the second at 17 and 26.
 */
static void mode_moved(void)
{
	char buf[8];
	int h;

	mkepoll(10);
	mkpipe(11, 12);
	watch(10, 11, EPOLLIN, W_GONE);
	at(high(dup(11)), 20);
	close(11);
	mkpipe(13, 14);
	watch(10, 13, EPOLLIN, W_OTHER);
	at(high(dup(13)), 21);
	h = high(open("/dev/null", O_RDONLY));
	if (dup3(h, 13, O_CLOEXEC) != 13 || close(h))
		die("dup3");
	mkpipe(15, 16);
	at(high(dup(15)), 23);
	watch(10, 15, EPOLLIN, W_K1);
	watch(10, 23, EPOLLIN, W_K2);
	close(23);
	mkpipe(24, 25);
	mkpipe(26, 27);
	at(high(dup(24)), 17);
	watch(10, 17, EPOLLIN, W_Q1);
	at(high(dup(26)), 17);
	watch(10, 17, EPOLLIN, W_Q2);
	expect_now(10, "-");
	wait_release();

	show("w1", 10, 0);
	send(12, "m");
	show("w2", 10, 0);
	recv_exact(20, buf, 1);
	send(14, "n");
	show("w3", 10, 0);
	recv_exact(21, buf, 1);
	send(16, "k");
	show("w4", 10, 0);
	recv_exact(15, buf, 1);
	send(25, "q");
	show("w5", 10, 0);
	send(27, "r");
	show("w6", 10, 0);
	show_fd(11);
	show_fd(13);
	show_fd(23);
	/* the watches are still keyed by the fds they were added with */
	at(high(dup(20)), 11);
	unwatch("gone", 11);
	close(11);
	unwatch("q2", 17);
	send(12, "m");
	show("w7", 10, 0);
	done();
}

static void __attribute__((noreturn)) mix_c(void)
{
	letter = 'C';
	close(15);
	at(high(open("fifo", O_RDWR)), 16);
	send(31, "c");
	close(30);
	close(31);
	/* asleep in here when checkpointed: B's write wakes it */
	show("w1", 13, -1);
	send(16, "C-fifo!!");
	done();
}

static void __attribute__((noreturn)) mix_b(void)
{
	sigset_t usr1;
	pid_t c;

	letter = 'B';
	close(13);
	close(15);
	mkepoll(13);
	watch(13, 11, EPOLLIN, W_MB1);
	at(high(open("fifo", O_WRONLY)), 15);
	c = fork();
	if (c < 0)
		die("fork C");
	if (!c)
		mix_c();
	/* B stays until A has looked: its exit would add hangups */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL))
		die("sigprocmask");
	send(31, "b");
	close(30);
	close(31);
	if (block())
		die("block");

	send(12, "p1-data!");
	reap("c", c);
	show("w1", 13, 0);
	if (fcntl(11, F_SETFL, O_NONBLOCK))
		die("F_SETFL");
	send(15, "B-fifo!!");
	send(14, "go");
	if (sigwaitinfo(&usr1, NULL) != SIGUSR1)
		die("sigwaitinfo");
	done();
}

/*
 * "mix": A makes its epoll EA (10) watching pipe P1's read end (11),
 * pipe P2's read end (13) and a FIFO it reads (15), then forks B.  B
 * keeps P1 and EA, has only P2's write end (14), and makes its own epoll
 * EB at 13 watching P1's read end, and opens the FIFO for writing at 15;
 * it forks C, who keeps all that but the FIFO, which it opens for reading
 * and writing at 16.  A and B block in read(0), C in epoll_wait(EB).
 *
 * Released, B writes into P1, which wakes C, who writes into the FIFO and
 * exits; B reaps C, sees P1 in EB, makes P1's read end non-blocking,
 * writes into the FIFO, then P2, and exits.  A, woken by P2, sees P1 and
 * the FIFO in EA, P1's read end non-blocking, the data of both, and
 * after reaping B the hangups of P2 and the FIFO.
 */
static void mode_mix(void)
{
	char buf[16];
	int flags;
	pid_t b;

	mkfifo_here();
	mkpipe(30, 31);		/* B and C say they are set up */
	mkpipe(11, 12);
	mkpipe(13, 14);
	at(high(open("fifo", O_RDONLY | O_NONBLOCK)), 15);
	if (fcntl(15, F_SETFL, 0))
		die("F_SETFL");
	mkepoll(10);
	watch(10, 11, EPOLLIN, W_MA1);
	watch(10, 13, EPOLLIN, W_MA2);
	watch(10, 15, EPOLLIN, W_MAF);
	b = fork();
	if (b < 0)
		die("fork B");
	if (!b)
		mix_b();
	close(14);
	close(31);
	recv_exact(30, buf, 2);
	close(30);
	expect_now(10, "-");
	wait_release();

	letter = 'A';
	recv_exact(13, buf, 2);
	put("p2 %.2s\n", buf);
	show("w1", 10, 0);
	if (kill(b, SIGUSR1))
		die("kill B");
	flags = fcntl(11, F_GETFL);
	put("p1 %s\n", flags < 0 ? "?" : flags & O_NONBLOCK ? "nonblock" : "block");
	show_read("p1", 11);
	show_read("p1", 11);
	show_read("fifo", 15);
	reap("b", b);
	show("w2", 10, 0);
	done();
}

/* "outside": the test's epoll at fd 3, our own pipe at its watch's fd */
static void mode_outside(void)
{
	mkpipe(OUT_TFD, OUT_TFD + 1);
	send(OUT_TFD + 1, "own");
	expect_now(OUT_EPOLL, "-");
	wait_release();

	show("w1", OUT_EPOLL, WAIT_MS);
	show_read("own", OUT_TFD);
	done();
}

/* "image": what epoll_test breaks in its EPOLL and EPOLL_ITEM records */
static void mode_image(void)
{
	mkepoll(IMG_EPOLL);
	mkpipe(IMG_RD, IMG_WR);
	send(IMG_WR, "img");
	watch(IMG_EPOLL, IMG_RD, EPOLLIN, W_I1);
	watch(IMG_EPOLL, IMG_WR, EPOLLOUT, W_I2);
	expect_now(IMG_EPOLL, "i1=1 i2=4");
	wait_release();

	show("image", IMG_EPOLL, 0);
	show_read("i1", IMG_RD);
	done();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "ready", mode_ready },
		{ "flags", mode_flags },
		{ "nested", mode_nested },
		{ "moved", mode_moved },
		{ "mix", mode_mix },
		{ "outside", mode_outside },
		{ "image", mode_image },
	};
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: epoll_target ready|flags|nested|moved|mix|outside|image\n");
	return 2;
}
