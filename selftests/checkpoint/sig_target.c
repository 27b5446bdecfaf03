// SPDX-License-Identifier: GPL-2.0
/*
 * sig_target: processes with signal and timer state, for signal_test.
 * Each prints "ready" once its state is set up, then sleeps in a known
 * system call; what it sees after that (after a restart) it prints, or
 * tells by its exit status: 0 all as expected, 3 not, 5 error.
 *
 *	sig_target MODE
 *
 * handler	SIGUSR1 handler (SA_SIGINFO|SA_RESTART|SA_ONSTACK, SIGUSR2 in
 *		its mask) on an alternate stack, SIGTERM ignored; blocks in
 *		read(0).  The handler prints "usr1 VALUE CODE ONSTACK MASKED";
 *		at a byte (or end of file) on stdin, exit 0 if the alternate
 *		stack and SIGTERM's disposition are still the same
 * pending	signals queued to itself while blocked, in both queues, then
 *		read(0); then exit 0 if they arrive in order with their values
 * itimer	ITIMER_REAL 5 s, period 3 s (SIGALRM blocked), then read(0);
 *		then print "itimer VALUE_MS INTERVAL_MS"
 * nanosleep, clock_rel, clock_abs, poll, select
 *		sleep SLEEP_MS in that call, then print "done RET ERRNO"
 * sigsuspend	SIGUSR1 blocked, with a handler; sigsuspend() with nothing
 *		blocked; then print "suspend EINTR HANDLED MASK_BACK"
 * pause	as sigsuspend, with pause(); prints "pause EINTR HANDLED"
 * futex	FUTEX_WAIT on a word a SIGUSR1 handler (SA_RESTART) sets;
 *		then print "futex RET ERRNO WORD"
 * futex_timeout	as a sleeping mode: FUTEX_WAIT with a SLEEP_MS timeout
 * cpu_sleep	sleeps 100 s of its own CPU time: for ever
 * cpu_timer	a POSIX timer on the process's CPU clock; then read(0)
 * timer_pending	a POSIX timer's signal pending (blocked); then read(0)
 * timers	POSIX timers (the first one made deleted again): on
 *		CLOCK_MONOTONIC to SIGRTMIN with value 77, TIMER_FIRE_MS;
 *		CLOCK_REALTIME, SIGEV_NONE, 100 s period 7 s; CLOCK_BOOTTIME
 *		to the thread, SIGRTMIN + 1, disarmed; ITIMER_VIRTUAL 100 s
 *		period 5 s, ITIMER_PROF 200 s period 6 s; then read(0); then
 *		print "timers ID1 ID2 ID3 LEFT1 LEFT2 PERIOD2 LEFT3 NEWID
 *		VIRT VIRT_PERIOD PROF PROF_PERIOD" (times in ms, -1: no
 *		such timer; NEWID the id of a timer made now), and "fired
 *		CODE VALUE TIMERID CODE3" once the first timer and then the
 *		third, armed for 10 ms, have fired
 *
 * Output goes through write(2) only: nothing sits in a stdio buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "sig_target.h"
#include "target.h"

/* glibc before 2.41 does not name it */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

#define EXIT_MISMATCH	3
#define EXIT_ERROR	5

static char altstack[ALTSTACK_SIZE] __attribute__((aligned(16)));
static volatile sig_atomic_t handled;

static int say(const char *s)
{
	size_t len = strlen(s);

	return write(STDOUT_FILENO, s, len) == (ssize_t)len ? 0 : -1;
}


static int set_action(int sig, void (*fn)(int, siginfo_t *, void *),
		      int flags, int masked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	return sigaction(sig, &sa, NULL);
}

static int block_sigs(const int *sigs, int n)
{
	sigset_t set;
	int i;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

static void usr1_handler(int sig, siginfo_t *si, void *uc)
{
	char line[64];
	sigset_t now;
	int onstack, masked;

	(void)sig;
	(void)uc;
	onstack = (char *)&line >= altstack &&
		  (char *)&line < altstack + sizeof(altstack);
	sigprocmask(SIG_BLOCK, NULL, &now);
	masked = sigismember(&now, SIGUSR2) == 1;
	snprintf(line, sizeof(line), "usr1 %d %d %d %d\n",
		 si->si_value.sival_int, si->si_code, onstack, masked);
	say(line);
}

static int handler_mode(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction term;

	if (sigaltstack(&ss, NULL) ||
	    set_action(SIGUSR1, usr1_handler, SA_RESTART | SA_ONSTACK,
		       SIGUSR2) ||
	    signal(SIGTERM, SIG_IGN) == SIG_ERR)
		return EXIT_ERROR;
	if (say("ready\n") || block())
		return EXIT_ERROR;
	if (sigaltstack(NULL, &ss) || sigaction(SIGTERM, NULL, &term))
		return EXIT_ERROR;
	if (ss.ss_sp != altstack || ss.ss_size != sizeof(altstack) ||
	    ss.ss_flags || term.sa_handler != SIG_IGN)
		return EXIT_MISMATCH;
	return 0;
}

/* What "pending" queues, and the order sigtimedwait() returns it in. */
struct queued {
	int sig;	/* 0: SIGRTMIN + rt */
	int rt;
	int value;
	int code;
};

static const struct queued expected[] = {
	/* the thread's queue first, lowest signal first, FIFO within;
	 * the C library reports tgkill()'s SI_TKILL as SI_USER
	 */
	{ SIGUSR1, 0, 0, SI_USER },
	{ 0, 0, 1, SI_QUEUE }, { 0, 0, 2, SI_QUEUE }, { 0, 0, 3, SI_QUEUE },
	/* then the process's */
	{ SIGUSR2, 0, 0, SI_USER },
	{ 0, 1, 10, SI_QUEUE }, { 0, 1, 11, SI_QUEUE },
};

static int sig_of(const struct queued *q)
{
	return q->sig ? q->sig : SIGRTMIN + q->rt;
}

static int queue_thread(int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), sig, &si);
}

static int queue_all(void)
{
	const union sigval v10 = { .sival_int = 10 }, v11 = { .sival_int = 11 };
	int sigs[] = { SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1 };

	if (block_sigs(sigs, 4))
		return -1;
	/* interleaved: order must survive within each signal only */
	if (sigqueue(getpid(), SIGRTMIN + 1, v10) ||
	    queue_thread(SIGRTMIN, 1) || kill(getpid(), SIGUSR2) ||
	    queue_thread(SIGRTMIN, 2) || tgkill(getpid(), gettid(), SIGUSR1) ||
	    sigqueue(getpid(), SIGRTMIN + 1, v11) || queue_thread(SIGRTMIN, 3))
		return -1;
	return 0;
}

/* Print each signal sigtimedwait() returns; 0 if all as expected. */
static int pending_mode(void)
{
	const struct timespec zero = { 0, 0 };
	const size_t n = sizeof(expected) / sizeof(expected[0]);
	int ret = 0, sig;
	char line[96];
	siginfo_t si;
	sigset_t all;
	size_t i;

	if (queue_all() || say("ready\n") || block())
		return EXIT_ERROR;
	sigfillset(&all);
	for (i = 0; (sig = sigtimedwait(&all, &si, &zero)) > 0; i++) {
		snprintf(line, sizeof(line), "got %d value %d code %d\n", sig,
			 si.si_value.sival_int, si.si_code);
		say(line);
		if (i >= n || sig != sig_of(&expected[i]) ||
		    si.si_code != expected[i].code ||
		    (si.si_code == SI_QUEUE &&
		     si.si_value.sival_int != expected[i].value))
			ret = EXIT_MISMATCH;
	}
	return i == n ? ret : EXIT_MISMATCH;
}

static int itimer_mode(void)
{
	struct itimerval it = { { ITIMER_INTERVAL_S, 0 }, { ITIMER_VALUE_S, 0 } };
	int sigs[] = { SIGALRM };
	char line[64];

	if (block_sigs(sigs, 1) || setitimer(ITIMER_REAL, &it, NULL))
		return EXIT_ERROR;
	if (say("ready\n") || block() || getitimer(ITIMER_REAL, &it))
		return EXIT_ERROR;
	snprintf(line, sizeof(line), "itimer %ld %ld\n",
		 it.it_value.tv_sec * 1000 + it.it_value.tv_usec / 1000,
		 it.it_interval.tv_sec * 1000 + it.it_interval.tv_usec / 1000);
	return say(line) ? EXIT_ERROR : 0;
}

static int do_sleep(const char *how)
{
	struct timespec ts = { SLEEP_MS / 1000, (SLEEP_MS % 1000) * 1000000L };
	struct timeval tv = { SLEEP_MS / 1000, (SLEEP_MS % 1000) * 1000L };
	struct timespec end;

	/* the C library makes nanosleep() and select() other calls */
	if (!strcmp(how, "nanosleep"))
		return syscall(SYS_nanosleep, &ts, NULL);
	if (!strcmp(how, "clock_rel"))
		return -clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	if (!strcmp(how, "clock_abs")) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += ts.tv_sec;
		return -clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end,
					NULL);
	}
	if (!strcmp(how, "poll"))
		return poll(NULL, 0, SLEEP_MS);
	return syscall(SYS_select, 0, NULL, NULL, NULL, &tv);
}

static int sleep_mode(const char *how)
{
	char line[64];
	int ret;

	if (say("ready\n"))
		return EXIT_ERROR;
	errno = 0;
	ret = do_sleep(how);
	snprintf(line, sizeof(line), "done %d %d\n", ret, errno);
	return say(line) ? EXIT_ERROR : 0;
}

static void count_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	handled++;
}

static int sigsuspend_mode(void)
{
	int sigs[] = { SIGUSR1 };
	sigset_t none, now;
	char line[64];
	int ret, err;

	if (set_action(SIGUSR1, count_handler, 0, 0) || block_sigs(sigs, 1))
		return EXIT_ERROR;
	sigemptyset(&none);
	if (say("ready\n"))
		return EXIT_ERROR;
	ret = sigsuspend(&none);
	err = errno;
	sigprocmask(SIG_BLOCK, NULL, &now);
	snprintf(line, sizeof(line), "suspend %d %d %d\n",
		 ret == -1 && err == EINTR, handled == 1,
		 sigismember(&now, SIGUSR1) == 1);
	return say(line) ? EXIT_ERROR : 0;
}

static int pause_mode(void)
{
	char line[64];
	int ret, err;

	if (set_action(SIGUSR1, count_handler, 0, 0) || say("ready\n"))
		return EXIT_ERROR;
	ret = pause();
	err = errno;
	snprintf(line, sizeof(line), "pause %d %d\n",
		 ret == -1 && err == EINTR, handled == 1);
	return say(line) ? EXIT_ERROR : 0;
}

static unsigned int futex_word;

static void wake_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
}

static int futex_mode(int timeout)
{
	struct timespec ts = { SLEEP_MS / 1000, (SLEEP_MS % 1000) * 1000000L };
	char line[64];
	long ret;

	if (set_action(SIGUSR1, wake_handler, SA_RESTART, 0) ||
	    say("ready\n"))
		return EXIT_ERROR;
	errno = 0;
	ret = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0,
		      timeout ? &ts : NULL, NULL, 0);
	snprintf(line, sizeof(line), "futex %ld %d %u\n", ret, errno,
		 futex_word);
	return say(line) ? EXIT_ERROR : 0;
}

static int cpu_sleep_mode(void)
{
	struct timespec ts = { 100, 0 };

	if (say("ready\n"))
		return EXIT_ERROR;
	return clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ts, NULL) ?
	       EXIT_ERROR : 0;
}

static int timer_make(clockid_t clock, int notify, int sig, int value,
		      timer_t *id)
{
	struct sigevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = notify;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	if (notify == SIGEV_THREAD_ID)
		ev.sigev_notify_thread_id = gettid();
	return timer_create(clock, &ev, id);
}

static int timer_arm(timer_t id, long value_ms, long period_ms)
{
	struct itimerspec its = {
		{ period_ms / 1000, (period_ms % 1000) * 1000000L },
		{ value_ms / 1000, (value_ms % 1000) * 1000000L },
	};

	return timer_settime(id, 0, &its, NULL);
}

static long ts_ms(const struct timespec *ts)
{
	return ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static long tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

static timer_t posix_ids[3];

static int timers_set(void)
{
	struct itimerval virt = { { 5, 0 }, { 100, 0 } };
	struct itimerval prof = { { 6, 0 }, { 200, 0 } };
	int sigs[] = { SIGRTMIN, SIGRTMIN + 1 };
	timer_t gone;

	if (block_sigs(sigs, 2) ||
	    timer_make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, &gone) ||
	    timer_make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN, 77,
		       &posix_ids[0]) ||
	    timer_make(CLOCK_REALTIME, SIGEV_NONE, 0, 0, &posix_ids[1]) ||
	    timer_make(CLOCK_BOOTTIME, SIGEV_THREAD_ID, SIGRTMIN + 1, 0,
		       &posix_ids[2]) ||
	    timer_delete(gone) ||
	    timer_arm(posix_ids[0], TIMER_FIRE_MS, 0) ||
	    timer_arm(posix_ids[1], 100000, 7000) ||
	    setitimer(ITIMER_VIRTUAL, &virt, NULL) ||
	    setitimer(ITIMER_PROF, &prof, NULL))
		return -1;
	return 0;
}

/* Time left, -1 when there is no such timer. */
static long timer_left(timer_t id, long *period)
{
	struct itimerspec its;

	if (timer_gettime(id, &its))
		return -1;
	if (period)
		*period = ts_ms(&its.it_interval);
	return ts_ms(&its.it_value);
}

static int timers_said(void)
{
	struct itimerval virt, prof;
	long left[3], period;
	char line[192];
	timer_t id;

	left[0] = timer_left(posix_ids[0], NULL);
	left[1] = timer_left(posix_ids[1], &period);
	left[2] = timer_left(posix_ids[2], NULL);
	if (timer_make(CLOCK_MONOTONIC, SIGEV_NONE, 0, 0, &id) ||
	    getitimer(ITIMER_VIRTUAL, &virt) || getitimer(ITIMER_PROF, &prof))
		return -1;
	snprintf(line, sizeof(line),
		 "timers %d %d %d %ld %ld %ld %ld %d %ld %ld %ld %ld\n",
		 (int)(long)posix_ids[0], (int)(long)posix_ids[1],
		 (int)(long)posix_ids[2], left[0], left[1], period, left[2],
		 (int)(long)id, tv_ms(&virt.it_value),
		 tv_ms(&virt.it_interval), tv_ms(&prof.it_value),
		 tv_ms(&prof.it_interval));
	return say(line);
}

/* The signal @sig, waited for up to 10 s. */
static int timer_wait(int sig, siginfo_t *si)
{
	const struct timespec limit = { 10, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &limit) == sig ? 0 : -1;
}

/* Until @sig is pending, up to 10 s. */
static int timer_wait_pending(int sig)
{
	sigset_t set;
	int i;

	for (i = 0; i < 1000; i++) {
		if (sigpending(&set))
			return -1;
		if (sigismember(&set, sig))
			return 0;
		usleep(10000);
	}
	return -1;
}

/* @cpu: the timer is on the CPU clock; else its SIGRTMIN is pending. */
static int one_timer_mode(int cpu)
{
	int sigs[] = { SIGRTMIN };
	timer_t id;

	if (cpu) {
		if (timer_make(CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, 0, 0, &id))
			return EXIT_ERROR;
	} else if (block_sigs(sigs, 1) ||
		   timer_make(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIGRTMIN, 0, &id) ||
		   timer_arm(id, 1, 0) || timer_wait_pending(SIGRTMIN)) {
		return EXIT_ERROR;
	}
	if (say("ready\n") || block())
		return EXIT_ERROR;
	return 0;
}

static int timers_mode(void)
{
	siginfo_t si, si3;
	char line[96];

	if (timers_set() || say("ready\n") || block() || timers_said())
		return EXIT_ERROR;
	if (timer_wait(SIGRTMIN, &si) || timer_arm(posix_ids[2], 10, 0) ||
	    timer_wait(SIGRTMIN + 1, &si3))
		return EXIT_ERROR;
	snprintf(line, sizeof(line), "fired %d %d %d %d\n", si.si_code,
		 si.si_value.sival_int, si.si_timerid, si3.si_code);
	return say(line) ? EXIT_ERROR : 0;
}

static int run(const char *mode)
{
	if (!strcmp(mode, "handler"))
		return handler_mode();
	if (!strcmp(mode, "pending"))
		return pending_mode();
	if (!strcmp(mode, "itimer"))
		return itimer_mode();
	if (!strcmp(mode, "nanosleep") || !strcmp(mode, "clock_rel") ||
	    !strcmp(mode, "clock_abs") || !strcmp(mode, "poll") ||
	    !strcmp(mode, "select"))
		return sleep_mode(mode);
	if (!strcmp(mode, "sigsuspend"))
		return sigsuspend_mode();
	if (!strcmp(mode, "pause"))
		return pause_mode();
	if (!strcmp(mode, "futex") || !strcmp(mode, "futex_timeout"))
		return futex_mode(!strcmp(mode, "futex_timeout"));
	if (!strcmp(mode, "cpu_sleep"))
		return cpu_sleep_mode();
	if (!strcmp(mode, "timers"))
		return timers_mode();
	if (!strcmp(mode, "cpu_timer") || !strcmp(mode, "timer_pending"))
		return one_timer_mode(!strcmp(mode, "cpu_timer"));
	return -1;
}

int main(int argc, char **argv)
{
	int ret = argc == 2 ? run(argv[1]) : -1;

	if (ret < 0) {
		fprintf(stderr, "usage: sig_target MODE (see the source)\n");
		return 2;
	}
	return ret;
}
