// SPDX-License-Identifier: GPL-2.0
/*
 * stop_target: stopped tasks for stop_test.  Each mode sets up, prints
 * "ready" and blocks in read(0) until released; then it prints what it
 * finds, one fact a line, for the test to compare with what the same
 * mode prints when it was never checkpointed.
 *
 *	stop_target MODE
 *
 * child	a child stopped by SIGSTOP, its stop not waited for yet:
 *		after the release, wait() reports it, SIGCONT resumes it
 * reported	the same, its stop already reported to wait(WUNTRACED)
 * self		no child; the test stops the target itself (Ctrl-Z)
 * vfork	a vfork() child that waits for the release in read(0): its
 *		parent sleeps where it cannot be frozen
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define TARGET_NAME "stop_target"
#include "target.h"

#define CHILD_EXIT	7
#define WAIT_MS		20000

/* The state letter of /proc/PID/stat. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n > 0 && close(fd) == 0);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	CHECK(p && p[1] == ' ');
	return p[2];
}

/*
 * A child that stops itself, then, continued, waits for the end of file
 * of a pipe whose write end its parent closes once it saw it continue
 * (else its exit could come before, and hide, the continue report).
 */
static int go_fd;

static pid_t stopped_child(void)
{
	int ms, go[2];
	pid_t pid;
	char c;

	CHECK(pipe(go) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(go[1]) == 0);
		CHECK(kill(getpid(), SIGSTOP) == 0);
		CHECK(read(go[0], &c, 1) == 0);
		_exit(CHILD_EXIT);
	}
	CHECK(close(go[0]) == 0);
	go_fd = go[1];
	for (ms = 0; state_of(pid) != 'T'; ms++) {
		CHECK(ms < WAIT_MS);
		sleep_ms(1);
	}
	return pid;
}

/* What the parent sees of its stopped child, then of it continued. */
static void resume(pid_t pid)
{
	int status;

	say("child state %c\n", state_of(pid));
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &status, WCONTINUED) == pid);
	say("continued %d\n", WIFCONTINUED(status));
	CHECK(close(go_fd) == 0);
	say("child exit %d\n", reap(pid));
}

static void mode_child(void)
{
	pid_t pid = stopped_child();
	int status;

	ready_and_wait();
	CHECK(waitpid(pid, &status, WUNTRACED) == pid);
	say("stopped %d by %d\n", WIFSTOPPED(status), WSTOPSIG(status));
	resume(pid);
}

static void mode_reported(void)
{
	pid_t pid = stopped_child();
	int status;

	CHECK(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	ready_and_wait();
	say("report %d\n", waitpid(pid, &status, WUNTRACED | WNOHANG));
	resume(pid);
}

static void mode_self(void)
{
	ready_and_wait();
	say("running\n");
}

static void mode_vfork(void)
{
	char c;
	pid_t pid;

	say("ready\n");
	pid = vfork();
	CHECK(pid >= 0);
	if (!pid)
		_exit(syscall(SYS_read, 0, &c, 1) < 0 ? 1 : 0);
	say("vfork child exit %d\n", reap(pid));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "child", mode_child }, { "reported", mode_reported },
		{ "self", mode_self }, { "vfork", mode_vfork },
	};
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: stop_target child|reported|self|vfork\n");
	return 2;
}
