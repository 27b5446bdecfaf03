// SPDX-License-Identifier: GPL-2.0
/*
 * anonfd_target: eventfd, signalfd and timerfd files for anonfd_test.
 * Each mode sets its files up at ANON_FD0 and on, prints "ready" and
 * blocks in read(0) until released (a byte or end of file on stdin);
 * then it uses its files and prints what it finds, one fact a line, for
 * the test to compare with what the same mode prints when it was never
 * checkpointed.  Output goes through write(2) only: nothing sits in a
 * stdio buffer to be printed twice by a fork or lost by a kill.  A
 * failed call exits 3 with a line on stderr.
 *
 *	anonfd_target MODE
 *
 * eventfd	counts of 2^32 + 12 and 2^64 - 2, a semaphore, an empty one
 *		(O_NONBLOCK on some)
 * signalfd	two signalfds of blocked signals, a signal pending for one;
 *		after the release a signal for the other
 * timerfd	seven timers: armed, disarmed, expired, fired many times,
 *		absolute, cancelled on a clock change, ticks set by ioctl
 * fork		an eventfd, a signalfd and a timerfd shared with a child:
 *		what the child does to them, the parent sees
 * image	one of each, for the broken images
 * alarm	a timerfd on CLOCK_BOOTTIME_ALARM, which cannot be saved
 * cancelticks	a TFD_TIMER_CANCEL_ON_SET timerfd with ticks, neither
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "anonfd_target.h"
#define TARGET_NAME "anonfd_target"
#include "target.h"

/* the kernel's, which glibc's O_LARGEFILE (0 on x86-64) does not show */
#define KERNEL_O_LARGEFILE	0100000
#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS	_IOW('T', 0, uint64_t)
#endif

static void set_fl(int fd, int flags)
{
	CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags) == 0);
}

/* Access mode and status flags, as F_GETFL tells them. */
static const char *flags(int fd)
{
	static char s[4][64];
	static int i;
	int f = fcntl(fd, F_GETFL), rest;
	char *p = s[i++ % 4];

	if (f < 0)
		return strerror(errno);
	rest = f & ~(O_ACCMODE | O_NONBLOCK | KERNEL_O_LARGEFILE);
	snprintf(p, sizeof(s[0]), "%s%s",
		 (f & O_ACCMODE) == O_RDONLY ? "r" :
		 (f & O_ACCMODE) == O_WRONLY ? "w" : "rw",
		 f & O_NONBLOCK ? ",nonblock" : "");
	if (rest)
		snprintf(p + strlen(p), sizeof(s[0]) - strlen(p), ",%#o", rest);
	return p;
}

static const char *err_name(int err)
{
	switch (err) {
	case EAGAIN: return "EAGAIN";
	case ECANCELED: return "ECANCELED";
	}
	return strerror(err);
}

/* One 8-byte read of @fd: its value, or errno's name, as text. */
static const char *read_u64(int fd)
{
	static char s[4][32];
	static int i;
	char *p = s[i++ % 4];
	uint64_t v;
	ssize_t n;

	do {
		n = read(fd, &v, sizeof(v));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_name(errno);
	CHECK(n == sizeof(v));
	snprintf(p, sizeof(s[0]), "%llu", (unsigned long long)v);
	return p;
}

static void write_u64(int fd, uint64_t v)
{
	CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
}

/* The value of @key in /proc/self/fdinfo/@fd, up to the end of its line. */
static const char *fdinfo_value(int fd, const char *key)
{
	static char buf[1024], val[128];
	char path[64], *p, *nl;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(f >= 0);
	n = read(f, buf, sizeof(buf) - 1);
	CHECK(n > 0);
	close(f);
	buf[n] = '\0';
	p = strstr(buf, key);
	CHECK(p);
	p += strlen(key);
	p += strspn(p, " \t");
	nl = strchr(p, '\n');
	if (nl)
		*nl = '\0';
	snprintf(val, sizeof(val), "%s", p);
	return val;
}

/* ---------------------------------------------------------------------- */

static void mode_eventfd(void)
{
	const int e = ANON_FD0;
	int i;

	move_fd(eventfd(5, 0), e);
	write_u64(e, EFD_BIG - 5);
	move_fd(eventfd(EFD_SEM, EFD_SEMAPHORE | EFD_NONBLOCK), e + 1);
	move_fd(eventfd(0, EFD_NONBLOCK), e + 2);
	move_fd(eventfd(0, 0), e + 3);
	write_u64(e + 3, EFD_MAX);
	ready_and_wait();

	say("e0 %s read %s\n", flags(e), read_u64(e));
	say("e1 %s reads", flags(e + 1));
	for (i = 0; i <= EFD_SEM; i++)
		say(" %s", read_u64(e + 1));
	say("\n");
	say("e2 %s read %s", flags(e + 2), read_u64(e + 2));
	write_u64(e + 2, 9);
	say(", then %s\n", read_u64(e + 2));
	say("e3 %s read %s\n", flags(e + 3), read_u64(e + 3));
}

/* one signalfd read: signal, code, value; or errno's name */
static void read_sig(const char *name, int fd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	do {
		n = read(fd, &si, sizeof(si));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		say("%s read %s\n", name, err_name(errno));
		return;
	}
	CHECK(n == sizeof(si));
	say("%s read signal %u code %d value %d\n", name, si.ssi_signo,
	    si.ssi_code, si.ssi_int);
}

static void mode_signalfd(void)
{
	const int s = ANON_FD0;
	union sigval val = { .sival_int = 42 };
	sigset_t blocked, m0, m1;

	sigemptyset(&m0);
	sigaddset(&m0, SIGUSR1);
	sigaddset(&m0, SIGRTMIN + 1);
	sigemptyset(&m1);
	sigaddset(&m1, SIGUSR2);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	sigaddset(&blocked, SIGUSR2);
	sigaddset(&blocked, SIGRTMIN + 1);
	CHECK(sigprocmask(SIG_BLOCK, &blocked, NULL) == 0);
	move_fd(signalfd(-1, &m0, SFD_NONBLOCK), s);
	move_fd(signalfd(-1, &m1, 0), s + 1);
	/* pending when checkpointed: one for the thread, one for all */
	CHECK(raise(SIGUSR1) == 0);
	CHECK(sigqueue(getpid(), SIGRTMIN + 1, val) == 0);
	ready_and_wait();

	say("s0 %s mask %s\n", flags(s), fdinfo_value(s, "sigmask:"));
	read_sig("s0", s);
	read_sig("s0", s);
	read_sig("s0", s);
	say("s1 %s mask %s\n", flags(s + 1), fdinfo_value(s + 1, "sigmask:"));
	CHECK(kill(getpid(), SIGUSR2) == 0);
	read_sig("s1", s + 1);
}

static void timer_at(int fd, int clock, int flags, int set_flags,
		     time_t sec, long nsec, long period_ms)
{
	struct itimerspec its = {
		.it_value = { sec, nsec },
		.it_interval = { period_ms / 1000, period_ms % 1000 * 1000000L },
	};

	move_fd(timerfd_create(clock, flags), fd);
	CHECK(timerfd_settime(fd, set_flags, &its, NULL) == 0);
}

static time_t realtime_s(void)
{
	struct timespec now;

	CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
	return now.tv_sec;
}

static void set_ticks(int fd, uint64_t ticks)
{
	CHECK(ioctl(fd, TFD_IOC_SET_TICKS, &ticks) == 0);
}

static struct itimerspec gettime(int fd)
{
	struct itimerspec its;

	CHECK(timerfd_gettime(fd, &its) == 0);
	return its;
}

static void mode_timerfd(void)
{
	const int abs = TFD_TIMER_ABSTIME;
	const int t = ANON_FD0;
	struct itimerspec its;
	const char *r;

	timer_at(t + TFD_ARMED, CLOCK_MONOTONIC, 0, 0, TFD_ARMED_S, 0,
		 TFD_ARMED_PERIOD_MS);
	timer_at(t + TFD_DISARMED, CLOCK_MONOTONIC, TFD_NONBLOCK, 0, 0, 0,
		 TFD_DISARMED_PERIOD_MS);
	timer_at(t + TFD_ONESHOT, CLOCK_MONOTONIC, 0, 0, 0, 1000000, 0);
	timer_at(t + TFD_MANY, CLOCK_REALTIME, 0, 0, 0, TFD_MANY_MS * 1000000L,
		 TFD_MANY_MS);
	timer_at(t + TFD_ABS, CLOCK_REALTIME, 0, abs,
		 realtime_s() + TFD_LATER_S, 0, 0);
	timer_at(t + TFD_CANCEL, CLOCK_REALTIME, 0,
		 abs | TFD_TIMER_CANCEL_ON_SET, realtime_s() + TFD_LATER_S, 0,
		 0);
	move_fd(timerfd_create(CLOCK_BOOTTIME, 0), t + TFD_SET);
	set_ticks(t + TFD_SET, TFD_SET_TICKS);
	sleep_ms(TFD_MANY_WAIT_MS);
	ready_and_wait();

	its = gettime(t + TFD_DISARMED);
	say("disarmed %s value %ld.%09ld period %ld.%09ld read %s\n",
	    flags(t + TFD_DISARMED), (long)its.it_value.tv_sec,
	    its.it_value.tv_nsec, (long)its.it_interval.tv_sec,
	    its.it_interval.tv_nsec, read_u64(t + TFD_DISARMED));
	its = gettime(t + TFD_ONESHOT);
	say("oneshot value %ld.%09ld read %s\n", (long)its.it_value.tv_sec,
	    its.it_value.tv_nsec, read_u64(t + TFD_ONESHOT));
	r = read_u64(t + TFD_MANY);
	if (strtoull(r, NULL, 10) >= TFD_MANY_MIN)
		r = "enough";
	say("many read %s\n", r);
	its = gettime(t + TFD_ABS);
	say("abs %s\n", its.it_value.tv_sec > 0 &&
	    its.it_value.tv_sec <= TFD_LATER_S ? "armed" : "wrong");
	its = gettime(t + TFD_CANCEL);
	say("cancel %s flags %s\n", its.it_value.tv_sec > 0 &&
	    its.it_value.tv_sec <= TFD_LATER_S ? "armed" : "wrong",
	    fdinfo_value(t + TFD_CANCEL, "settime flags:"));
	say("set read %s\n", read_u64(t + TFD_SET));
	/* last: it takes seconds */
	its = gettime(t + TFD_ARMED);
	r = read_u64(t + TFD_ARMED);
	if (strtoull(r, NULL, 10) >= 1)
		r = "ok";
	say("armed %s period %ld.%09ld read %s\n", flags(t + TFD_ARMED),
	    (long)its.it_interval.tv_sec, its.it_interval.tv_nsec, r);
}

/*
 * After the release the child adds 5 to the eventfd, sets O_NONBLOCK on
 * the signalfd, reads a signal of its own from it and takes the timer's
 * tick; the parent then finds 12 in the eventfd, the signalfd
 * non-blocking (and no signal of the child's), the tick gone.
 */
static void mode_fork(void)
{
	const int f = ANON_FD0;
	sigset_t usr1;
	pid_t pid;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	move_fd(eventfd(7, 0), f);
	move_fd(signalfd(-1, &usr1, 0), f + 1);
	timer_at(f + 2, CLOCK_MONOTONIC, 0, 0, 0, 1000000, 0);
	sleep_ms(20);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		struct signalfd_siginfo si;

		sync_done();
		CHECK(block() == 0);
		write_u64(f, 5);
		set_fl(f + 1, O_NONBLOCK);
		CHECK(raise(SIGUSR1) == 0);
		CHECK(read(f + 1, &si, sizeof(si)) == sizeof(si));
		CHECK(si.ssi_signo == SIGUSR1);
		CHECK(!strcmp(read_u64(f + 2), "1"));
		_exit(0);
	}
	sync_wait();
	ready_and_wait();
	say("child exit %d\n", reap(pid));
	say("eventfd read %s\n", read_u64(f));
	/* not shared, it would block: the flags tell */
	say("signalfd %s\n", flags(f + 1));
	set_fl(f + 1, O_NONBLOCK);
	read_sig("signalfd", f + 1);
	set_fl(f + 2, O_NONBLOCK);
	say("timerfd read %s\n", read_u64(f + 2));
}

static void mode_image(void)
{
	const int f = ANON_FD0;
	struct itimerspec its;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
	move_fd(eventfd(0, 0), f + IMG_EVENTFD);
	write_u64(f + IMG_EVENTFD, IMG_COUNT);
	move_fd(signalfd(-1, &usr1, 0), f + IMG_SIGNALFD);
	timer_at(f + IMG_TIMERFD, CLOCK_MONOTONIC, 0, 0, 60, 0, 1000);
	ready_and_wait();

	its = gettime(f + IMG_TIMERFD);
	say("image eventfd %s signalfd %s timerfd %s\n",
	    read_u64(f + IMG_EVENTFD),
	    fdinfo_value(f + IMG_SIGNALFD, "sigmask:"),
	    its.it_value.tv_sec > 0 && its.it_interval.tv_sec == 1 ?
	    "armed" : "wrong");
}

static void mode_alarm(void)
{
	timer_at(ANON_FD0, CLOCK_BOOTTIME_ALARM, 0, 0, 60, 0, 0);
	ready_and_wait();
	say("alarm %s\n", gettime(ANON_FD0).it_value.tv_sec > 0 ?
	    "armed" : "wrong");
}

static void mode_cancelticks(void)
{
	timer_at(ANON_FD0, CLOCK_REALTIME, 0,
		 TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
		 realtime_s() + TFD_LATER_S, 0, 0);
	set_ticks(ANON_FD0, 3);
	ready_and_wait();
	say("cancel read %s\n", read_u64(ANON_FD0));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "eventfd", mode_eventfd }, { "signalfd", mode_signalfd },
		{ "timerfd", mode_timerfd }, { "fork", mode_fork },
		{ "image", mode_image }, { "alarm", mode_alarm },
		{ "cancelticks", mode_cancelticks },
	};
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: anonfd_target eventfd|signalfd|timerfd|fork|image|alarm|cancelticks\n");
	return 2;
}
