// SPDX-License-Identifier: GPL-2.0
/*
 * exact_target: one tree holding many kinds of state at once, for
 * exact_test, which reads what the kernel shows of every task before a
 * checkpoint and after the restart and compares the two.
 *
 *	exact_target [timers]
 *
 * The root (umask, cwd, nice, rlimits, oom_score_adj and loginuid of its
 * own; a thread; signals pending with their siginfo, one for the process
 * and one for its main thread; a POSIX timer and ITIMER_REAL armed) has
 * four children, in this order:
 *
 *	a	its stdout the pipe of "a | b", data in it; a POSIX read lock
 *	b	its stdin that pipe; one end of a socket pair with data
 *		queued both ways
 *	zombie	exited EXACT_ZOMBIE_EXIT, not reaped, with ids of its own
 *		(and so no capabilities); the root's nice value, limits,
 *		oom_score_adj, login uid and blocked signals
 *	stopped	stopped by SIGSTOP, the stop not waited for
 *
 * and, inherited by all of them, a pty (master and slave, input queued),
 * an unlinked sparse file, a file with a POSIX and an OFD lock, one with
 * a flock() lock, an eventfd, a timerfd, a signalfd and an inotify
 * watch.  Stdin and stdout of the root are the test's pipes.  The root
 * prints "ready" and blocks in read(0), the thread and b in a read of
 * the control pipe, a and stopped in read(0).  Released (end of file on
 * stdin), the root lets the control pipe go, prints the pending
 * signals' siginfo, continues the stopped child, reaps every child and
 * prints how each ended; b checks the pipe's and the socket's data.
 *
 * With "timers", the root alone: the POSIX timer and ITIMER_REAL armed,
 * then EXACT_TIMER_THREADS threads blocked in a read of the control
 * pipe; released, it joins them and prints "done".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "exact_target.h"
#define TARGET_NAME "exact_target"
#include "target.h"

/* The fds every task of the tree starts with (children close some). */
enum {
	FD_PTMX = 30, FD_PTS, FD_SPARSE, FD_LOCK, FD_OFD, FD_FLOCK,
	FD_SOCK_ROOT, FD_SOCK_B, FD_AB_RD, FD_AB_WR, FD_CTL_RD, FD_CTL_WR,
	FD_EVENT, FD_TIMERFD, FD_SIGNALFD, FD_INOTIFY,
};

#define SPARSE_SIZE	(16 << 20)
#define SPARSE_TAIL	(8 << 20)
#define LOCK_FILE_SIZE	200
#define LONG_S		1000	/* every timer: far from firing */

static void proc_self_write(const char *name, const char *val)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	CHECK(write(fd, val, strlen(val)) == (ssize_t)strlen(val));
	CHECK(close(fd) == 0);
}

static void set_identity(void)
{
	struct rlimit rl = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };
	struct rlimit nofile = { .rlim_cur = 512, .rlim_max = 1024 };

	umask(EXACT_UMASK);
	CHECK(chdir(EXACT_DIR) == 0);
	CHECK(setpriority(PRIO_PROCESS, 0, EXACT_NICE) == 0);
	CHECK(setrlimit(RLIMIT_CORE, &rl) == 0);
	CHECK(setrlimit(RLIMIT_NOFILE, &nofile) == 0);
	proc_self_write("oom_score_adj", EXACT_OOM_ADJ);
	proc_self_write("loginuid", EXACT_LOGINUID);
}

static void put_at(int fd, const char *s, off_t off)
{
	CHECK(pwrite(fd, s, strlen(s), off) == (ssize_t)strlen(s));
}

static void open_pty(void)
{
	move_fd(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), FD_PTMX);
	CHECK(grantpt(FD_PTMX) == 0 && unlockpt(FD_PTMX) == 0);
	move_fd(open(ptsname(FD_PTMX), O_RDWR | O_NOCTTY), FD_PTS);
	/* typed, not read yet: it is echoed back to the master too */
	CHECK(write(FD_PTMX, "typed\n", 6) == 6);
}

static void open_files(void)
{
	static char buf[LOCK_FILE_SIZE];
	struct itimerspec its = {
		.it_value = { LONG_S, 0 }, .it_interval = { LONG_S / 10, 0 },
	};
	sigset_t usr2;

	open_pty();
	move_fd(open(EXACT_SPARSE_FILE, O_RDWR | O_CREAT | O_TRUNC, 0640),
		FD_SPARSE);
	put_at(FD_SPARSE, "head", 0);
	put_at(FD_SPARSE, "tail", SPARSE_TAIL);
	CHECK(ftruncate(FD_SPARSE, SPARSE_SIZE) == 0);
	CHECK(unlink(EXACT_SPARSE_FILE) == 0);
	CHECK(lseek(FD_SPARSE, 100, SEEK_SET) == 100);

	move_fd(open(EXACT_LOCK_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644),
		FD_LOCK);
	memset(buf, 'x', sizeof(buf));
	CHECK(write(FD_LOCK, buf, sizeof(buf)) == sizeof(buf));
	CHECK(lseek(FD_LOCK, 5, SEEK_SET) == 5);
	move_fd(open(EXACT_LOCK_FILE, O_RDWR | O_APPEND), FD_OFD);
	move_fd(open(EXACT_FLOCK_FILE, O_RDONLY | O_CREAT, 0600), FD_FLOCK);

	move_fd(eventfd(5, EFD_SEMAPHORE | EFD_NONBLOCK), FD_EVENT);
	move_fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), FD_TIMERFD);
	CHECK(timerfd_settime(FD_TIMERFD, 0, &its, NULL) == 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	move_fd(signalfd(-1, &usr2, SFD_NONBLOCK), FD_SIGNALFD);
	move_fd(inotify_init1(IN_NONBLOCK), FD_INOTIFY);
	CHECK(inotify_add_watch(FD_INOTIFY, EXACT_LOCK_FILE,
				IN_MODIFY | IN_CLOSE_WRITE) == 1);
}

static void open_pipes(void)
{
	int p[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0);
	move_fd(p[0], FD_SOCK_ROOT);
	move_fd(p[1], FD_SOCK_B);
	CHECK(pipe(p) == 0);
	move_fd(p[0], FD_AB_RD);
	move_fd(p[1], FD_AB_WR);
	CHECK(fcntl(FD_AB_WR, F_SETPIPE_SZ, 131072) >= 131072);
	CHECK(pipe(p) == 0);
	move_fd(p[0], FD_CTL_RD);
	move_fd(p[1], FD_CTL_WR);
	CHECK(fcntl(FD_CTL_WR, F_SETFD, FD_CLOEXEC) == 0);
}

/* A POSIX lock of @type on @len bytes from @start, by @cmd. */
static void lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len,
	};

	CHECK(fcntl(fd, cmd, &fl) == 0);
}

/* Read @fd to its end: what it held must be @expect. */
static void expect_data(int fd, const char *expect)
{
	char buf[256];
	size_t len = 0;
	ssize_t n;

	do {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		CHECK(n >= 0 || errno == EINTR);
		if (n > 0)
			len += n;
	} while (n && len < sizeof(buf) - 1);
	buf[len] = '\0';
	CHECK(!strcmp(buf, expect));
}

static void wait_ctl(void)
{
	ssize_t n;
	char c;

	do {
		n = read(FD_CTL_RD, &c, 1);
	} while (n < 0 && errno == EINTR);
	CHECK(n == 0);
}

static void __attribute__((noreturn)) writer(void)
{
	CHECK(prctl(PR_SET_NAME, "exact-a") == 0);
	CHECK(close(FD_CTL_WR) == 0 && close(FD_CTL_RD) == 0);
	CHECK(close(FD_AB_RD) == 0);
	CHECK(close(FD_SOCK_ROOT) == 0 && close(FD_SOCK_B) == 0);
	move_fd(FD_AB_WR, STDOUT_FILENO);
	CHECK(write(STDOUT_FILENO, EXACT_PIPE_DATA, strlen(EXACT_PIPE_DATA)) ==
	      (ssize_t)strlen(EXACT_PIPE_DATA));
	lock(FD_LOCK, F_SETLK, F_RDLCK, 50, 10);
	sync_done();
	CHECK(block() == 0);
	_exit(0);
}

static void __attribute__((noreturn)) reader(void)
{
	CHECK(prctl(PR_SET_NAME, "exact-b") == 0);
	CHECK(close(FD_CTL_WR) == 0 && close(FD_AB_WR) == 0);
	CHECK(close(FD_SOCK_ROOT) == 0);
	move_fd(FD_AB_RD, STDIN_FILENO);
	CHECK(write(FD_SOCK_B, EXACT_SOCK_TO_ROOT,
		    strlen(EXACT_SOCK_TO_ROOT)) ==
	      (ssize_t)strlen(EXACT_SOCK_TO_ROOT));
	sync_done();
	wait_ctl();
	expect_data(STDIN_FILENO, EXACT_PIPE_DATA);
	CHECK(shutdown(FD_SOCK_B, SHUT_WR) == 0);
	expect_data(FD_SOCK_B, EXACT_SOCK_TO_B);
	_exit(0);
}

static void __attribute__((noreturn)) stopped(void)
{
	CHECK(prctl(PR_SET_NAME, "exact-stopped") == 0);
	CHECK(close(FD_CTL_WR) == 0 && close(FD_AB_WR) == 0);
	sync_done();
	CHECK(kill(getpid(), SIGSTOP) == 0);
	CHECK(block() == 0);
	_exit(0);
}

static pid_t child(void (*fn)(void))
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (!pid)
		fn();
	return pid;
}

static void __attribute__((noreturn)) zombie(void)
{
	const gid_t groups[] = { EXACT_ZOMBIE_GID + 1, EXACT_ZOMBIE_GID + 2 };

	CHECK(setgroups(2, groups) == 0);
	CHECK(setresgid(EXACT_ZOMBIE_GID, EXACT_ZOMBIE_GID + 1,
			EXACT_ZOMBIE_GID) == 0);
	CHECK(setresuid(EXACT_ZOMBIE_UID, EXACT_ZOMBIE_UID,
			EXACT_ZOMBIE_UID + 1) == 0);
	_exit(EXACT_ZOMBIE_EXIT);
}

static void *thread_fn(void *arg)
{
	(void)arg;
	wait_ctl();
	return NULL;
}

static void on_usr2(int sig)
{
	(void)sig;
}

static void arm_timers(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2,
		.sigev_value.sival_int = 7,
	};
	struct itimerspec its = {
		.it_value = { LONG_S, 0 }, .it_interval = { LONG_S / 2, 0 },
	};
	struct itimerval itv = { .it_value = { 2 * LONG_S, 0 } };
	struct sigaction sa = { .sa_handler = on_usr2, .sa_flags = SA_RESTART };
	timer_t t;

	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	CHECK(setitimer(ITIMER_REAL, &itv, NULL) == 0);
}

/* One signal for the process, one for the main thread, both blocked. */
static void queue_signals(void)
{
	union sigval v = { .sival_int = EXACT_SIG_PROC_VALUE };
	siginfo_t si = {
		.si_signo = EXACT_SIG_THREAD, .si_code = SI_QUEUE,
	};

	CHECK(sigqueue(getpid(), EXACT_SIG_PROC, v) == 0);
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = EXACT_SIG_THREAD_VALUE;
	CHECK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(),
		      EXACT_SIG_THREAD, &si) == 0);
}

/* Print each pending signal's siginfo, in the order they come. */
static void print_pending(sigset_t *set)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;
	int sig;

	while ((sig = sigtimedwait(set, &si, &zero)) > 0)
		say("sig %d code %d pid %d uid %d value %d\n", sig,
		    si.si_code, si.si_pid, si.si_uid, si.si_value.sival_int);
	CHECK(errno == EAGAIN);
}

/* The timers are still armed, with no more time left than they had. */
static void check_timers(void)
{
	struct itimerval itv;

	CHECK(getitimer(ITIMER_REAL, &itv) == 0);
	CHECK(itv.it_value.tv_sec > 0 && itv.it_value.tv_sec < 2 * LONG_S);
	say("timers armed\n");
}

/* A process with a POSIX timer and many threads. */
static int timers(void)
{
	pthread_t threads[EXACT_TIMER_THREADS];
	int i;

	open_pipes();
	arm_timers();
	for (i = 0; i < EXACT_TIMER_THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, thread_fn, NULL) == 0);
	ready_and_wait();
	CHECK(close(FD_CTL_WR) == 0);
	for (i = 0; i < EXACT_TIMER_THREADS; i++)
		CHECK(pthread_join(threads[i], NULL) == 0);
	check_timers();
	say("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pids[EXACT_NR_PROCS];
	pthread_t thread;
	siginfo_t si;
	sigset_t set;
	int i;

	if (argc > 1 && !strcmp(argv[1], "timers"))
		return timers();
	set_identity();
	open_files();
	open_pipes();
	sigemptyset(&set);
	sigaddset(&set, EXACT_SIG_PROC);
	sigaddset(&set, EXACT_SIG_THREAD);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);

	sync_open();
	pids[EXACT_WRITER] = child(writer);
	pids[EXACT_READER] = child(reader);
	pids[EXACT_ZOMBIE] = child(zombie);
	pids[EXACT_STOPPED] = child(stopped);
	CHECK(close(FD_SOCK_B) == 0);
	CHECK(close(FD_AB_RD) == 0 && close(FD_AB_WR) == 0);
	sync_wait();
	CHECK(waitid(P_PID, pids[EXACT_ZOMBIE], &si, WEXITED | WNOWAIT) == 0);
	CHECK(waitid(P_PID, pids[EXACT_STOPPED], &si,
		     WSTOPPED | WNOWAIT) == 0);

	lock(FD_LOCK, F_SETLK, F_WRLCK, 0, 10);
	lock(FD_OFD, F_OFD_SETLK, F_WRLCK, 100, 10);
	CHECK(flock(FD_FLOCK, LOCK_SH) == 0);
	CHECK(write(FD_SOCK_ROOT, EXACT_SOCK_TO_B, strlen(EXACT_SOCK_TO_B)) ==
	      (ssize_t)strlen(EXACT_SOCK_TO_B));
	CHECK(shutdown(FD_SOCK_ROOT, SHUT_WR) == 0);
	arm_timers();
	queue_signals();
	CHECK(pthread_create(&thread, NULL, thread_fn, NULL) == 0);
	ready_and_wait();

	CHECK(close(FD_CTL_WR) == 0);
	CHECK(pthread_join(thread, NULL) == 0);
	print_pending(&set);
	check_timers();
	expect_data(FD_SOCK_ROOT, EXACT_SOCK_TO_ROOT);
	CHECK(kill(pids[EXACT_STOPPED], SIGCONT) == 0);
	for (i = EXACT_WRITER; i < EXACT_NR_PROCS; i++)
		say("child %d status %d\n", i, reap(pids[i]));
	say("done\n");
	return 0;
}
