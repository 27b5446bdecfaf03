// SPDX-License-Identifier: GPL-2.0
/*
 * thread_target: multithreaded processes and small trees for thread_test
 * and tree_input_test.  Each prints "ready" once it is set up, then waits
 * for the release: a byte (or end of file) on stdin.  What it finds after
 * that it prints, one number a line, and tells by its exit status: 0 all
 * as expected, 3 not, 5 a call failed.  thread_target.h has the details.
 *
 *	thread_target MODE
 *
 * compute	50 threads compute a known sum, across the release
 * state	per-thread masks, TLS, alternate stacks and pending signals
 * share	what threads share: memory, fd table, cwd, umask, handlers
 * clone	children sharing the fd table (CLONE_FILES) or cwd and umask
 *		(CLONE_FS) with the root, and one sharing neither
 * family	a session of four processes in two groups, and a thread
 * timer_pending	a thread with its POSIX timer's signal pending (blocked)
 *
 * share and clone work in their cwd.  Output goes through write(2) only:
 * nothing sits in a stdio buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "thread_target.h"
#include "target.h"

#define EXIT_MISMATCH	3
#define EXIT_ERROR	5

#define STACK_SIZE	(256 << 10)	/* of each compute thread */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int say(const char *s)
{
	size_t len = strlen(s);

	return write(STDOUT_FILENO, s, len) == (ssize_t)len ? 0 : -1;
}

static int say_num(long n)
{
	char line[32];

	snprintf(line, sizeof(line), "%ld\n", n);
	return say(line);
}


/* Reap @pid: 0 if it exited 0. */
static int reap_ok(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* One mutex and one condition variable serve each mode. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int released;

static void release(void)
{
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void wait_released(void)
{
	pthread_mutex_lock(&lock);
	while (!released)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

/* Count one more thread set up and wake whoever waits for that. */
static void count_up(int *counter)
{
	pthread_mutex_lock(&lock);
	(*counter)++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void wait_count(const int *counter, int n)
{
	pthread_mutex_lock(&lock);
	while (*counter < n)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

/* ---------------------------------------------------------------------- */
/* compute */

#define FIRST_WAITER	(NR_ADDERS + 1)
#define FIRST_SLEEPER	(NR_ADDERS + 11)
#define JOINEE		(NR_THREADS - 3)
#define JOINER		(NR_THREADS - 2)
#define READER		(NR_THREADS - 1)

static struct {
	int started;		/* workers set up */
	int going;		/* adders past their first step */
	pid_t ppid;		/* our parent when we started */
	long slot[NR_THREADS];
	pid_t tid[NR_THREADS];
	int restart_at[NR_THREADS];	/* adder's first step with a new
					 * parent, -1 for none
					 */
	int bad_tids;
	pthread_t thread[NR_THREADS];
} cp;

/* A worker's last act: its value, and whether its tid is still its. */
static void *worker_end(int w, long value)
{
	pthread_mutex_lock(&lock);
	cp.slot[w] += value;
	if (gettid() != cp.tid[w])
		cp.bad_tids++;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *adder(int w)
{
	struct timespec ts = { 0, ADD_SLEEP_US * 1000L };
	int i;

	cp.restart_at[w] = -1;
	count_up(&cp.started);
	for (i = 0; i < NR_ITERS; i++) {
		if (cp.restart_at[w] < 0 && getppid() != cp.ppid)
			cp.restart_at[w] = i;
		pthread_mutex_lock(&lock);
		cp.slot[w] += compute_value(w, i);
		if (!i) {
			cp.going++;
			pthread_cond_broadcast(&cond);
		}
		pthread_mutex_unlock(&lock);
		nanosleep(&ts, NULL);
	}
	wait_released();
	return worker_end(w, 0);
}

/* Sleeps of three kinds until the release. */
static void *sleeper(int w)
{
	struct timespec ts = { 0, 20 * 1000 * 1000L };
	int done;

	count_up(&cp.started);
	for (;;) {
		pthread_mutex_lock(&lock);
		done = released;
		pthread_mutex_unlock(&lock);
		if (done)
			break;
		if (w % 3 == 0)
			nanosleep(&ts, NULL);
		else if (w % 3 == 1)
			usleep(20000);
		else
			clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
	return worker_end(w, compute_value(w, 0));
}

static void *compute_worker(void *arg)
{
	int w = (long)arg;

	cp.tid[w] = gettid();
	if (w <= NR_ADDERS)
		return adder(w);
	if (w >= FIRST_SLEEPER && w < JOINEE)
		return sleeper(w);
	count_up(&cp.started);
	if (w == JOINER && pthread_join(cp.thread[JOINEE], NULL))
		return worker_end(w, 0);	/* the sum comes out wrong */
	if (w == READER) {
		block();
		release();
	}
	if (w < FIRST_SLEEPER || w == JOINEE)
		wait_released();
	return worker_end(w, compute_value(w, 0));
}

static int compute(void)
{
	pthread_attr_t attr;
	long sum = 0;
	int w, spanned = 0;

	cp.ppid = getppid();
	cp.tid[0] = gettid();
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, STACK_SIZE))
		return EXIT_ERROR;
	for (w = 1; w < NR_THREADS; w++) {
		if (pthread_create(&cp.thread[w], &attr, compute_worker,
				   (void *)(long)w))
			return EXIT_ERROR;
	}
	wait_count(&cp.started, NR_THREADS - 1);
	wait_count(&cp.going, NR_ADDERS);
	if (say("ready\n"))
		return EXIT_ERROR;
	for (w = 1; w < NR_THREADS; w++) {
		if (w != JOINEE && pthread_join(cp.thread[w], NULL))
			return EXIT_ERROR;
	}
	if (gettid() != cp.tid[0])
		cp.bad_tids++;
	for (w = 1; w < NR_THREADS; w++) {
		sum += cp.slot[w];
		if (w <= NR_ADDERS && cp.restart_at[w] > 0)
			spanned++;
	}
	if (say_num(sum) || say_num(compute_expected()) ||
	    say_num(spanned) || say_num(cp.bad_tids))
		return EXIT_ERROR;
	return sum == compute_expected() && !cp.bad_tids ? 0 : EXIT_MISMATCH;
}

/* ---------------------------------------------------------------------- */
/* state */

#define ALTSTACK_SIZE	(64 << 10)
#define TLS_BASE	0x7e57000L
#define TLS_INIT	0x5eed5eedL

static char altstack[STATE_THREADS][ALTSTACK_SIZE] __attribute__((aligned(16)));
static __thread long tls_value;
static __thread long tls_init = TLS_INIT;

static pthread_mutex_t robust;	/* thread ROBUST_OWNER dies holding it */

static struct {
	int ready;
	pid_t tid[STATE_THREADS];
	pid_t handler_tid[STATE_THREADS];	/* set by the handler */
	int handler_onstack[STATE_THREADS];
	timer_t timer[STATE_THREADS];	/* each notifies its thread */
} st;

/* Thread @i's blocked mask: its own signal and a pattern of others. */
static void state_mask(int i, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGRTMIN + i);
	sigaddset(set, SIGRTMAX - i);
	if (i & 1)
		sigaddset(set, SIGUSR1);
	if (i & 2)
		sigaddset(set, SIGUSR2);
	if (i & 4)
		sigaddset(set, SIGWINCH);
}

static int on_altstack(int i, const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)altstack[i];

	return a >= base && a < base + ALTSTACK_SIZE;
}

static void state_handler(int sig, siginfo_t *si, void *uc)
{
	int i = sig - SIGRTMIN;
	char here;

	(void)si;
	(void)uc;
	if (i < 0 || i >= STATE_THREADS)
		return;
	__atomic_store_n(&st.handler_onstack[i], on_altstack(i, &here),
			 __ATOMIC_SEQ_CST);
	__atomic_store_n(&st.handler_tid[i], gettid(), __ATOMIC_SEQ_CST);
}

/* Thread @i's timer, to itself, far off: it never fires in the test. */
static int state_timer(int i)
{
	struct itimerspec its = { .it_value = { STATE_TIMER_S, 0 } };
	struct sigevent ev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGRTMAX - i,
	};

	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &st.timer[i]))
		return -1;
	return timer_settime(st.timer[i], 0, &its, NULL);
}

static int state_setup(int i)
{
	stack_t ss = { .ss_sp = altstack[i], .ss_size = ALTSTACK_SIZE };
	sigset_t set;

	st.tid[i] = gettid();
	tls_value = TLS_BASE + i;
	state_mask(i, &set);
	if (sigaltstack(&ss, NULL) ||
	    pthread_sigmask(SIG_SETMASK, &set, NULL) ||
	    tgkill(getpid(), gettid(), SIGRTMIN + i) || state_timer(i))
		return -1;
	return 0;
}

/* Signals a mask can hold: glibc keeps 32 and 33 to itself. */
static int user_signal(int sig)
{
	return sig < 32 || sig >= SIGRTMIN;
}

static int state_compare(int i)
{
	sigset_t want, cur, pend;
	struct itimerspec its;
	stack_t ss;
	int bits = 0, sig, j;

	state_mask(i, &want);
	if (pthread_sigmask(SIG_SETMASK, NULL, &cur) || sigpending(&pend) ||
	    sigaltstack(NULL, &ss))
		return STATE_ERROR;
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (user_signal(sig) &&
		    sigismember(&want, sig) != sigismember(&cur, sig))
			bits |= STATE_MASK;
	}
	if (tls_value != TLS_BASE + i)
		bits |= STATE_TLS;
	if (tls_init != TLS_INIT)
		bits |= STATE_TLS_INIT;
	if (ss.ss_sp != altstack[i] || ss.ss_size != ALTSTACK_SIZE ||
	    ss.ss_flags)
		bits |= STATE_ALTSTACK;
	if (sigismember(&pend, SIGRTMIN + i) != 1)
		bits |= STATE_PENDING;
	for (j = 0; j < STATE_THREADS; j++) {
		if (j != i && sigismember(&pend, SIGRTMIN + j))
			bits |= STATE_FOREIGN;
	}
	if (gettid() != st.tid[i])
		bits |= STATE_TID;
	if (timer_gettime(st.timer[i], &its) || !its.it_value.tv_sec ||
	    its.it_value.tv_sec > STATE_TIMER_S)
		bits |= STATE_TIMER;
	return bits;
}

/* Check thread @i's state, then take its signal: its failed checks. */
static int state_check(int i)
{
	int bits = state_compare(i);
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + i);
	if (pthread_sigmask(SIG_UNBLOCK, &set, NULL))
		return bits | STATE_ERROR;
	/* delivered on the way out of the unblocking call */
	if (__atomic_load_n(&st.handler_tid[i], __ATOMIC_SEQ_CST) != gettid())
		bits |= STATE_HANDLER;
	if (!__atomic_load_n(&st.handler_onstack[i], __ATOMIC_SEQ_CST))
		bits |= STATE_ONSTACK;
	return bits;
}

static void *state_worker(void *arg)
{
	int i = (long)arg;

	if (state_setup(i) ||
	    (i == ROBUST_OWNER && pthread_mutex_lock(&robust)))
		return (void *)(long)STATE_ERROR;
	count_up(&st.ready);
	wait_released();
	return (void *)(long)state_check(i);
}

/* Main, once the owner is gone: the robust mutex says it died. */
static int robust_check(void)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	ret = pthread_mutex_timedlock(&robust, &ts);
	if (ret != EOWNERDEAD)
		return STATE_ROBUST;
	pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);
	return 0;
}

static int robust_init(void)
{
	pthread_mutexattr_t attr;

	return pthread_mutexattr_init(&attr) ||
	       pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) ||
	       pthread_mutex_init(&robust, &attr);
}

static int state(void)
{
	struct sigaction sa = {
		.sa_sigaction = state_handler,
		.sa_flags = SA_SIGINFO | SA_ONSTACK,
	};
	pthread_t t[STATE_THREADS];
	long bits[STATE_THREADS];
	void *ret;
	int i, bad = 0;

	for (i = 0; i < STATE_THREADS; i++) {
		if (sigaction(SIGRTMIN + i, &sa, NULL))
			return EXIT_ERROR;
	}
	if (robust_init() || state_setup(0))
		return EXIT_ERROR;
	for (i = 1; i < STATE_THREADS; i++) {
		if (pthread_create(&t[i], NULL, state_worker, (void *)(long)i))
			return EXIT_ERROR;
	}
	wait_count(&st.ready, STATE_THREADS - 1);
	if (say("ready\n") || block())
		return EXIT_ERROR;
	release();
	bits[0] = state_check(0);
	for (i = 1; i < STATE_THREADS; i++) {
		if (pthread_join(t[i], &ret))
			return EXIT_ERROR;
		bits[i] = (long)ret;
	}
	bits[0] |= robust_check();
	for (i = 0; i < STATE_THREADS; i++) {
		if (say_num(bits[i]))
			return EXIT_ERROR;
		bad |= bits[i];
	}
	return bad ? EXIT_MISMATCH : 0;
}

/* ---------------------------------------------------------------------- */
/* share */

/* Open @name at @fd. */
static int open_at(const char *name, int fd)
{
	int tmp = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (tmp < 0 || dup2(tmp, fd) < 0 || close(tmp))
		return -1;
	return 0;
}

/* share and clone: "sub" in the cwd, the cwd in @dir, "pre" at @fd. */
static int setup_dir(char *dir, size_t size, int fd)
{
	if ((mkdir("sub", 0700) && errno != EEXIST) || !getcwd(dir, size))
		return -1;
	return open_at("pre", fd);
}

static int fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/* Is the cwd @dir/sub? */
static int in_sub(const char *dir)
{
	char cwd[PATH_MAX], want[PATH_MAX + 8];

	snprintf(want, sizeof(want), "%s/sub", dir);
	return getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want);
}

static mode_t get_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

#define SHARE_MAGIC	0x5a5a1234L

static struct {
	int step;		/* 1: A is done */
	long *map;
	long word;
	int new_fd;
	pid_t usr2_tid;		/* set by the SIGUSR2 handler */
	char cwd[PATH_MAX];
} sh;

static void share_handler(int sig)
{
	(void)sig;
	__atomic_store_n(&sh.usr2_tid, gettid(), __ATOMIC_SEQ_CST);
}

/* Thread A changes what threads share; 0 or SHARE_ERROR. */
static int share_change(void)
{
	struct sigaction sa = { .sa_handler = share_handler };
	void *map;

	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return SHARE_ERROR;
	sh.map = map;
	sh.map[0] = SHARE_MAGIC;
	sh.word = SHARE_MAGIC + 1;
	sh.new_fd = open("new", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (sh.new_fd < 0 || close(SHARE_PRE_FD) || chdir("sub"))
		return SHARE_ERROR;
	umask(027);
	return sigaction(SIGUSR2, &sa, NULL) ? SHARE_ERROR : 0;
}

static void *share_a(void *arg)
{
	long bits;

	(void)arg;
	wait_released();
	bits = share_change();
	count_up(&sh.step);
	return (void *)bits;
}

/* Thread B: does it see what A did?  Its failed checks. */
static int share_see(void)
{
	int bits = 0;
	char buf[8];

	if (!sh.map || sh.map[0] != SHARE_MAGIC || sh.word != SHARE_MAGIC + 1)
		bits |= SHARE_MEMORY;
	if (pwrite(sh.new_fd, "shared", 6, 0) != 6 ||
	    pread(sh.new_fd, buf, 6, 0) != 6 || memcmp(buf, "shared", 6))
		bits |= SHARE_FD;
	if (!fd_closed(SHARE_PRE_FD))
		bits |= SHARE_CLOSE;
	if (!in_sub(sh.cwd))
		bits |= SHARE_CWD;
	if (get_umask() != 027)
		bits |= SHARE_UMASK;
	if (raise(SIGUSR2) ||
	    __atomic_load_n(&sh.usr2_tid, __ATOMIC_SEQ_CST) != gettid())
		bits |= SHARE_HANDLER;
	return bits;
}

static void *share_b(void *arg)
{
	(void)arg;
	wait_count(&sh.step, 1);
	return (void *)(long)share_see();
}

static int share(void)
{
	pthread_t a, b;
	void *ra, *rb;
	long bits;

	if (setup_dir(sh.cwd, sizeof(sh.cwd), SHARE_PRE_FD))
		return EXIT_ERROR;
	if (pthread_create(&a, NULL, share_a, NULL) ||
	    pthread_create(&b, NULL, share_b, NULL))
		return EXIT_ERROR;
	if (say("ready\n") || block())
		return EXIT_ERROR;
	release();
	if (pthread_join(a, &ra) || pthread_join(b, &rb))
		return EXIT_ERROR;
	bits = (long)ra | (long)rb;
	if (say_num(bits))
		return EXIT_ERROR;
	return bits ? EXIT_MISMATCH : 0;
}

/* ---------------------------------------------------------------------- */
/* clone */

#define CHILD_STACK	(64 << 10)

static char child_stack[2][CHILD_STACK] __attribute__((aligned(16)));
static int sync_pipe[2];

/* F: the root's fd table is its own. */
static int files_child(void *arg)
{
	(void)arg;
	if (write(sync_pipe[1], "f", 1) != 1 || block())
		_exit(EXIT_ERROR);
	if (open_at("files", CLONE_FILES_FD) || close(CLONE_PRE_FD))
		_exit(EXIT_ERROR);
	_exit(0);
}

/* S: the root's cwd and umask are its own. */
static int fs_child(void *arg)
{
	(void)arg;
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	if (block() || chdir("sub"))
		_exit(EXIT_ERROR);
	umask(077);
	_exit(0);
}

/* P shares neither. */
static void plain_child(void)
{
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	if (block() || open_at("plain", CLONE_PLAIN_FD) || chdir("/"))
		_exit(EXIT_ERROR);
	umask(0);
	_exit(0);
}

/* F wrote a byte; S and P closed their ends: the pipe is gone. */
static int clone_sync(void)
{
	char c;

	if (read(sync_pipe[0], &c, 1) != 1 || close(sync_pipe[1]))
		return -1;
	if (read(sync_pipe[0], &c, 1) != 0 || close(sync_pipe[0]))
		return -1;
	return 0;
}

/* What the root sees once the children are done: failed checks. */
static int clone_see(const char *dir)
{
	char path[PATH_MAX + 8];
	struct stat fst, pst;
	int bits = 0;

	snprintf(path, sizeof(path), "%s/files", dir);
	if (fstat(CLONE_FILES_FD, &fst) || stat(path, &pst) ||
	    fst.st_ino != pst.st_ino || fst.st_dev != pst.st_dev)
		bits |= CLONE_FILES_OPEN;
	if (!fd_closed(CLONE_PRE_FD))
		bits |= CLONE_FILES_CLOSE;
	if (!in_sub(dir))
		bits |= CLONE_FS_CWD;
	if (get_umask() != 077)
		bits |= CLONE_FS_UMASK;
	if (!fd_closed(CLONE_PLAIN_FD))
		bits |= CLONE_PLAIN_FD_SEEN;
	return bits;
}

static int clone_mode(void)
{
	char dir[PATH_MAX];
	pid_t f, s, p;
	int bits = 0;

	if (setup_dir(dir, sizeof(dir), CLONE_PRE_FD) || pipe(sync_pipe))
		return EXIT_ERROR;
	f = clone(files_child, child_stack[0] + CHILD_STACK,
		  CLONE_FILES | SIGCHLD, NULL);
	s = clone(fs_child, child_stack[1] + CHILD_STACK,
		  CLONE_FS | SIGCHLD, NULL);
	if (f < 0 || s < 0)
		return EXIT_ERROR;
	p = fork();
	if (!p)
		plain_child();
	if (p < 0 || clone_sync() || say("ready\n") || block())
		return EXIT_ERROR;
	if (reap_ok(f) | reap_ok(s) | reap_ok(p))
		bits |= CLONE_CHILD_STATUS;
	bits |= clone_see(dir);
	if (say_num(bits))
		return EXIT_ERROR;
	return bits ? EXIT_MISMATCH : 0;
}

/* ---------------------------------------------------------------------- */
/* family */

static void *pauser(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* A child: close the sync pipe, wait, reap @child (if any), exit. */
static void __attribute__((noreturn)) family_child(pid_t child)
{
	close(sync_pipe[0]);
	close(sync_pipe[1]);
	if (block())
		_exit(EXIT_ERROR);
	if (child > 0 && reap_ok(child))
		_exit(EXIT_MISMATCH);
	_exit(0);
}

static int family(void)
{
	pthread_t t;
	pid_t c1, c2, g;
	char c;

	if (setsid() < 0 || pipe(sync_pipe) ||
	    pthread_create(&t, NULL, pauser, NULL))
		return EXIT_ERROR;
	c1 = fork();
	if (!c1) {
		g = fork();
		if (!g)
			family_child(0);
		family_child(g);
	}
	c2 = fork();
	if (!c2) {
		if (setpgid(0, 0))
			_exit(EXIT_ERROR);
		family_child(0);
	}
	if (c1 < 0 || c2 < 0 || close(sync_pipe[1]))
		return EXIT_ERROR;
	/* end of file once every process closed its copy */
	if (read(sync_pipe[0], &c, 1) != 0 || close(sync_pipe[0]))
		return EXIT_ERROR;
	if (say("ready\n") || block())
		return EXIT_ERROR;
	return reap_ok(c1) | reap_ok(c2) ? EXIT_MISMATCH : 0;
}

/* ---------------------------------------------------------------------- */
/* timer_pending */

static struct {
	int ready;
	pid_t tid;
} tp;

/*
 * A POSIX timer notifying this thread (SIGEV_THREAD_ID) has fired: its
 * signal, blocked here, is pending in this thread's own queue.
 */
static void *timer_pending_worker(void *arg)
{
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	struct sigevent ev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGRTMIN,
	};
	struct timespec ms = { 0, 1000000 };
	sigset_t set, pend;
	timer_t id;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	ev._sigev_un._tid = gettid();
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &ev, &id) ||
	    timer_settime(id, 0, &its, NULL))
		return (void *)(long)EXIT_ERROR;
	do {
		nanosleep(&ms, NULL);
		if (sigpending(&pend))
			return (void *)(long)EXIT_ERROR;
	} while (!sigismember(&pend, SIGRTMIN));
	tp.tid = gettid();
	count_up(&tp.ready);
	wait_released();
	return NULL;
}

static int timer_pending(void)
{
	sigset_t set;
	pthread_t t;
	void *ret;

	/* the thread's signal stays blocked everywhere: never delivered */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) ||
	    pthread_create(&t, NULL, timer_pending_worker, NULL))
		return EXIT_ERROR;
	wait_count(&tp.ready, 1);
	if (say("ready\n") || block())
		return EXIT_ERROR;
	release();
	if (pthread_join(t, &ret) || ret)
		return EXIT_ERROR;
	return say_num(tp.tid) ? EXIT_ERROR : 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} modes[] = {
	{ "compute", compute },
	{ "state", state },
	{ "share", share },
	{ "clone", clone_mode },
	{ "family", family },
	{ "timer_pending", timer_pending },
};

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name))
			return modes[i].run();
	}
	fprintf(stderr,
		"usage: thread_target compute|state|share|clone|family|timer_pending\n");
	return 2;
}
