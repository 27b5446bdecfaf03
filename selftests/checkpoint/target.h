/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every test target shares.  Targets are small static programs
 * linked without util.c, so these are inline.
 */
#ifndef CKPT_SELFTEST_TARGET_H
#define CKPT_SELFTEST_TARGET_H

#include <errno.h>
#include <unistd.h>

/*
 * Wait for the test's release: the byte read from stdin, 0 at end of
 * file, -1 on error.  Interrupted reads (a restart, a handled signal)
 * are issued again.
 */
static inline int target_wait_byte(void)
{
	ssize_t n;
	char c = 0;

	do {
		n = read(STDIN_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : c;
}

/* Block until released: 0, or -1 on error. */
static inline int block(void)
{
	return target_wait_byte() < 0 ? -1 : 0;
}

/*
 * The checking targets (pipe, unix, anonfd) define TARGET_NAME before
 * including this to get what follows; other targets have a say() or
 * CHECK() of their own.  Output goes through write(2) only: nothing sits
 * in a stdio buffer to be printed twice by a fork or lost by a kill.
 */
#ifdef TARGET_NAME

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>

/* The exit status of a target (or a child of it) whose check failed. */
#define EXIT_CHECK	3

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* One line (or part of one) of the transcript, on stdout. */
static inline void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	if (write(STDOUT_FILENO, line, len) != len)
		_exit(EXIT_CHECK);
}

static inline void __attribute__((noreturn))
check_failed(int line, const char *what)
{
	char msg[256];
	int len;

	len = snprintf(msg, sizeof(msg), TARGET_NAME " pid %d: line %d: %s (%s)\n",
		       getpid(), line, what, strerror(errno));
	if (write(STDERR_FILENO, msg, len) < 0)
		_exit(EXIT_CHECK);
	_exit(EXIT_CHECK);
}

/* die with a line on stderr, exit EXIT_CHECK, unless @cond holds */
#define CHECK(cond) do {					\
	if (!(cond))						\
		check_failed(__LINE__, #cond);			\
} while (0)

/* Sleep @ms in full, whatever signals come. */
static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Move the new fd @from (checked) to fd @to. */
static inline void move_fd(int from, int to)
{
	CHECK(from >= 0);
	if (from == to)
		return;
	CHECK(dup2(from, to) == to);
	CHECK(close(from) == 0);
}

/* Reap @pid; its exit status, or 128 + the signal that killed it. */
static inline int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		CHECK(errno == EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	       128 + WTERMSIG(status);
}

/* Tell the test the mode is set up, and wait for its release. */
static inline void ready_and_wait(void)
{
	say("ready\n");
	CHECK(block() == 0);
}

/*
 * The sync pipe, at fixed fds: children tell their parent that they are
 * set up by closing their ends of it (sync_done()), the parent sees end
 * of file once all did, and none keeps it open (sync_wait()).
 */
#define SYNC_RD		20
#define SYNC_WR		21

static inline void sync_open(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	move_fd(p[0], SYNC_RD);
	move_fd(p[1], SYNC_WR);
}

static inline void sync_done(void)
{
	CHECK(close(SYNC_RD) == 0 && close(SYNC_WR) == 0);
}

static inline void sync_wait(void)
{
	ssize_t n;
	char c;

	CHECK(close(SYNC_WR) == 0);
	do {
		n = read(SYNC_RD, &c, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
	CHECK(n == 0 && close(SYNC_RD) == 0);
}

#endif /* TARGET_NAME */

#endif
