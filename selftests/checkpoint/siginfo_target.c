// SPDX-License-Identifier: GPL-2.0
/*
 * siginfo_target: a process of two threads with pending signals of every
 * kind of siginfo a user can make or cause, all blocked, for signal_test
 * siginfo_*.  It prints "ready", blocks in read(0), and at a byte on
 * stdin takes them all with sigtimedwait() - the first thread its own
 * queue's and the process's, then the second thread its own - printing
 * one line per signal: "M|T SIG CODE ERRNO" and the 128 bytes of the
 * siginfo in hex.  signal_test compares what a process checkpointed (but
 * left running) takes with what its restored copy takes.
 *
 *	siginfo_target exit|stop|cont|zombie
 *
 * The argument says what the one pending SIGCHLD reports: a child that
 * exited (with its CPU times), stopped, or was continued; "zombie" is
 * "exit" with the child of SIGRTMIN + 2 left unreaped, in the tree.
 *
 * Runs as root with saved uid 1000.  Process-wide: SIGUSR1 (kill()) and
 * SIGRTMIN (sigqueue(), sival_ptr) from a child running as uid 1000; SIGRTMIN twice more from itself
 * (sival_int); SIGCHLD; SIGRTMIN + 2 and + 3, the exit signals of a child
 * that exited with status 7 and of one killed by SIGTERM; SIGRTMIN + 5,
 * the exit signal of a child in a pid namespace of its own (its pid as
 * seen here);
 * SIGRTMIN + 6 with an si_errno; SIGALRM of ITIMER_REAL (SI_KERNEL);
 * SIGIO of an O_ASYNC pipe without F_SETSIG (SI_KERNEL); SIGBUS, SIGSYS,
 * SIGTRAP with the fields of a fault, of seccomp and of a perf event,
 * queued by itself.  The second thread's: SIGUSR2 (tgkill()), SIGRTMIN
 * + 1 twice (rt_tgsigqueueinfo(), one with an si_errno, one with
 * SI_MESGQ), SIGPIPE of a write to a pipe without readers, SIGRTMIN + 4
 * of an O_ASYNC pipe with F_SETSIG and F_OWNER_TID (POLL_IN, si_band,
 * si_fd).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "target.h"

#define OTHER_UID	1000
#define EXIT_ERROR	5

static pid_t me, thread_tid;
static int to_thread[2], from_thread[2];

static int say(const char *s)
{
	size_t len = strlen(s);

	return write(STDOUT_FILENO, s, len) == (ssize_t)len ? 0 : -1;
}

/* A child whose exit sends the signal in @flags (0: none), like fork(). */
static pid_t fork_sig(unsigned long flags)
{
	return syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static int reap(pid_t pid, int *status)
{
	return waitpid(pid, status, __WALL) == pid ? 0 : -1;
}

/* A siginfo of @code to @tid of ours (0: the process), as the kernel's. */
static int queue_raw(pid_t tid, int sig, siginfo_t *si)
{
	si->si_signo = sig;
	if (tid)
		return syscall(SYS_rt_tgsigqueueinfo, me, tid, sig, si);
	return syscall(SYS_rt_sigqueueinfo, me, sig, si);
}

static int queue_value(pid_t tid, int sig, int code, int err, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_code = code;
	si.si_errno = err;
	si.si_pid = me;
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return queue_raw(tid, sig, &si);
}

/* kill() and sigqueue() from a child running as another user. */
static int from_other_user(void)
{
	union sigval v = { .sival_ptr = (void *)0x123456789abcdef0ULL };
	pid_t pid = fork_sig(0);
	int status;

	if (!pid) {
		/* the system calls: not the C library's, for all threads */
		if (syscall(SYS_setresgid, OTHER_UID, OTHER_UID, OTHER_UID) ||
		    syscall(SYS_setresuid, OTHER_UID, OTHER_UID, OTHER_UID) ||
		    kill(me, SIGUSR1) || sigqueue(me, SIGRTMIN, v))
			_exit(1);
		_exit(0);
	}
	return pid > 0 && !reap(pid, &status) && status == 0 ? 0 : -1;
}

/*
 * SIGRTMIN + 5, the exit signal of a child that is the first process of
 * a pid namespace of its own: its si_pid is the child's pid here.
 */
static int from_other_pidns(void)
{
	pid_t pid = fork_sig(CLONE_NEWPID | (SIGRTMIN + 5));
	int status;

	if (!pid)
		_exit(getpid() == 1 ? 5 : 1);
	return pid > 0 && !reap(pid, &status) && WEXITSTATUS(status) == 5 ?
	       0 : -1;
}

static int wait_pending(int sig);

static void burn_cpu(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000
	       < 30);
}

/*
 * Exit signals: of a child that exited 7 after some CPU (left a zombie
 * with @zombie), and of one killed.
 */
static int children_gone(int zombie)
{
	sigset_t none;
	pid_t pid;
	int status;

	pid = fork_sig(SIGRTMIN + 2);
	if (!pid) {
		burn_cpu();
		_exit(7);
	}
	if (pid < 0 || (zombie ? wait_pending(SIGRTMIN + 2) :
			 reap(pid, &status)))
		return -1;
	pid = fork_sig(SIGRTMIN + 3);
	if (!pid) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (;;)
			pause();
	}
	if (pid < 0 || kill(pid, SIGTERM) || reap(pid, &status))
		return -1;
	return 0;
}

/* The one SIGCHLD: of a child that exited, stopped, or was continued. */
static int sigchld(const char *how)
{
	const struct timespec wait = { 5, 0 };
	sigset_t chld, none;
	pid_t pid;
	int status;

	int exited = !strcmp(how, "exit") || !strcmp(how, "zombie");

	pid = fork_sig(exited ? SIGCHLD : 0);
	if (!pid) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (exited) {
			burn_cpu();
			_exit(3);
		}
		for (;;)
			pause();
	}
	if (pid < 0)
		return -1;
	if (exited)
		return reap(pid, &status);
	if (kill(pid, SIGSTOP) ||
	    waitpid(pid, &status, WUNTRACED | __WALL) != pid)
		return -1;
	if (!strcmp(how, "cont")) {
		/* the stop's SIGCHLD taken: the continue's is queued */
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		if (sigtimedwait(&chld, NULL, &wait) != SIGCHLD ||
		    kill(pid, SIGCONT) ||
		    waitpid(pid, &status, WCONTINUED | __WALL) != pid)
			return -1;
	}
	/* the child tells of its continue itself: not killed before */
	if (wait_pending(SIGCHLD))
		return -1;
	return kill(pid, SIGKILL) || reap(pid, &status) ? -1 : 0;
}

/* Wait until @sig is pending for the process (or for us). */
static int wait_pending(int sig)
{
	sigset_t set;
	int i;

	for (i = 0; i < 5000; i++) {
		if (sigpending(&set))
			return -1;
		if (sigismember(&set, sig))
			return 0;
		usleep(1000);
	}
	return -1;
}

/* An O_ASYNC pipe made readable: SIGIO (@sig 0) or @sig to @owner. */
static int async_pipe(int sig, pid_t owner, int thread)
{
	struct f_owner_ex own = { thread ? F_OWNER_TID : F_OWNER_PID, owner };
	int p[2], ret;

	if (pipe(p))
		return -1;
	ret = fcntl(p[0], F_SETOWN_EX, &own) ||
	      fcntl(p[0], F_SETSIG, sig) ||
	      fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) ||
	      write(p[1], "x", 1) != 1 ? -1 : 0;
	/* the fds go: the signal stays, with the number it had */
	close(p[0]);
	close(p[1]);
	return ret;
}

/* The fields of a fault, of seccomp and of a perf event, queued. */
static int layouts(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_code = BUS_MCEERR_AR;
	si.si_addr = (void *)0xdead0000UL;
	si.si_addr_lsb = 12;
	if (queue_raw(0, SIGBUS, &si))
		return -1;
	memset(&si, 0, sizeof(si));
	si.si_code = 1;		/* SYS_SECCOMP */
	si.si_errno = 1234;	/* SECCOMP_RET_DATA */
	si.si_call_addr = (void *)0x401000UL;
	si.si_syscall = 39;
	si.si_arch = 0xc000003e;
	if (queue_raw(0, SIGSYS, &si))
		return -1;
	memset(&si, 0, sizeof(si));
	si.si_code = 6;		/* TRAP_PERF */
	si.si_addr = (void *)0x7000UL;
	((uint64_t *)&si.si_addr)[1] = 0xfeedULL;	/* si_perf_data */
	((uint32_t *)&si.si_addr)[4] = 4;		/* si_perf_type */
	return queue_raw(0, SIGTRAP, &si);
}

static int process_wide(const char *how)
{
	const struct itimerval once = { { 0, 0 }, { 0, 10000 } };

	if (from_other_user() || from_other_pidns() ||
	    queue_value(0, SIGRTMIN, SI_QUEUE, 0, 11) ||
	    queue_value(0, SIGRTMIN, SI_QUEUE, 0, 22) ||
	    children_gone(!strcmp(how, "zombie")) || sigchld(how) ||
	    queue_value(0, SIGRTMIN + 6, SI_QUEUE, EIO, 77) ||
	    setitimer(ITIMER_REAL, &once, NULL) || wait_pending(SIGALRM) ||
	    async_pipe(0, me, 0) || wait_pending(SIGIO) || layouts())
		return -1;
	return 0;
}

/* Each signal @self (M or T) has, by sigtimedwait(), in hex. */
static void take_all(char self)
{
	const struct timespec zero = { 0, 0 };
	char line[400];
	unsigned char *b;
	siginfo_t si;
	sigset_t all;
	size_t i;
	int sig, n;

	sigfillset(&all);
	for (;;) {
		memset(&si, 0xa5, sizeof(si));
		sig = sigtimedwait(&all, &si, &zero);
		if (sig <= 0)
			break;
		n = snprintf(line, sizeof(line), "%c %d %d %d ", self, sig,
			     si.si_code, si.si_errno);
		b = (unsigned char *)&si;
		for (i = 0; i < sizeof(si); i++)
			n += snprintf(line + n, sizeof(line) - n, "%02x", b[i]);
		snprintf(line + n, sizeof(line) - n, "\n");
		say(line);
	}
}

static void *thread_fn(void *arg)
{
	char c;
	int p[2];

	(void)arg;
	thread_tid = gettid();
	/* SIGPIPE of our own write, to this thread */
	if (pipe(p) || close(p[0]) || write(p[1], "x", 1) != -1 ||
	    errno != EPIPE || close(p[1]))
		exit(EXIT_ERROR);
	if (write(from_thread[1], "s", 1) != 1 ||
	    read(to_thread[0], &c, 1) != 1)
		exit(EXIT_ERROR);
	take_all('T');
	return NULL;
}

static int per_thread(void)
{
	char c;

	if (read(from_thread[0], &c, 1) != 1 ||
	    tgkill(me, thread_tid, SIGUSR2) ||
	    queue_value(thread_tid, SIGRTMIN + 1, SI_QUEUE, EBADF, 44) ||
	    queue_value(thread_tid, SIGRTMIN + 1, SI_MESGQ, 0, 45) ||
	    async_pipe(SIGRTMIN + 4, thread_tid, 1))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	sigset_t all;

	if (argc != 2 || (strcmp(argv[1], "exit") && strcmp(argv[1], "stop") &&
			  strcmp(argv[1], "cont") && strcmp(argv[1], "zombie"))) {
		fprintf(stderr, "usage: siginfo_target exit|stop|cont|zombie\n");
		return 2;
	}
	me = getpid();
	/* the other user's child may signal us: our saved uid is its */
	if (setresuid(0, 0, OTHER_UID))
		return EXIT_ERROR;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) || pipe(to_thread) ||
	    pipe(from_thread) ||
	    pthread_create(&thread, NULL, thread_fn, NULL) || per_thread() ||
	    process_wide(argv[1]))
		return EXIT_ERROR;
	if (say("ready\n") || block())
		return EXIT_ERROR;
	take_all('M');
	if (write(to_thread[1], "t", 1) != 1 || pthread_join(thread, NULL))
		return EXIT_ERROR;
	return 0;
}
