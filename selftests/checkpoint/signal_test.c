// SPDX-License-Identifier: GPL-2.0
/*
 * Signals, timers and interrupted system calls across checkpoint and
 * restart, checked from what the restored sig_target sees: its handler
 * runs on its alternate stack with the right siginfo and mask; signals
 * pending when it was saved arrive after restart, in order, with their
 * values, each siginfo byte for byte what it was (siginfo_target); ITIMER_REAL goes on with the time it had left; a sleep sleeps
 * only what was left of it; sigsuspend() keeps its masks.  State that
 * cannot be saved yet makes the checkpoint fail; broken signal records
 * make the restart fail before anything is lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "util.h"
#include "sig_target.h"

#define CKPT_AT_MS	1500	/* into a sleep, when it is checkpointed */
#define LATE_MS		1200	/* a restart's slack under emulation */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* Wait until @pid sleeps in system call @nr, from /proc/PID/syscall. */
static int wait_syscall(pid_t pid, long nr, int ms)
{
	char path[64], buf[128], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (; ms > 0; ms -= 5) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		/* "running" while it runs: not a number */
		if (n > 0) {
			buf[n] = '\0';
			if (strtol(buf, &end, 10) == nr && *end == ' ')
				return 0;
		}
		sleep_ms(5);
	}
	return -1;
}

/* One line from @fd within @ms, newline dropped. */
static int read_line(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;

	while (len < size - 1) {
		if (poll(&p, 1, ms) <= 0 || read(fd, buf + len, 1) != 1)
			return -1;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

/* @restore_fd < 0: start sig_target @mode; else restart from that image. */
static int proc_start(struct proc *p, const char *mode, int restore_fd)
{
	int in, out;

	if (proc_pipes(p, &in, &out))
		return -1;
	if (restore_fd < 0) {
		p->pid = spawn_target(mode, in, out);
	} else {
		lseek(restore_fd, 0, SEEK_SET);
		p->pid = fork_restart(restore_fd, in, out);
	}
	close(in);
	close(out);
	return p->pid > 0 ? 0 : -1;
}

/* Start @mode, wait until it sleeps in @nr, checkpoint and kill it. */
static int save_target(struct proc *p, const char *mode, long nr, int img,
		       long *ready_ms)
{
	if (proc_start(p, mode, -1) || wait_ready(p->out, TIMEOUT_MS))
		return -1;
	if (ready_ms)
		*ready_ms = now_ms();
	if (wait_syscall(p->pid, nr, TIMEOUT_MS))
		return -1;
	if (ready_ms)
		sleep_ms(*ready_ms + CKPT_AT_MS - now_ms());
	if (checkpoint(p->pid, img, CHECKPOINT_KILL, STDERR_FILENO))
		return -1;
	return reap_killed(&p->pid);
}

/* Write a byte to @p's stdin and collect its exit status. */
static int release(struct proc *p, int *status)
{
	if (write(p->in, "x", 1) != 1 ||
	    wait_timeout(p->pid, status, TIMEOUT_MS))
		return -1;
	p->pid = 0;
	return 0;
}

#define BIT(sig)	(1ULL << ((sig) - 1))

FIXTURE(sig) {
	int img;
	struct proc t, r;
};

FIXTURE_SETUP(sig)
{
	signal(SIGPIPE, SIG_IGN);
	use_target("sig_target");
	proc_init(&self->t);
	proc_init(&self->r);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

FIXTURE_TEARDOWN(sig)
{
	proc_fini(&self->t);
	proc_fini(&self->r);
	close(self->img);
}

TEST_F(sig, handler_altstack_ignored)
{
	union sigval v = { .sival_int = 42 };
	char line[64];
	int status;

	ASSERT_EQ(0, save_target(&self->t, "handler", SYS_read, self->img,
				 NULL));
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_read, TIMEOUT_MS));

	ASSERT_EQ(0, sigqueue(self->r.pid, SIGUSR1, v));
	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line), TIMEOUT_MS)) {
		TH_LOG("the handler did not run");
	}
	/* value, SI_QUEUE, on the alternate stack, SIGUSR2 masked */
	EXPECT_STREQ("usr1 42 -1 1 1", line);

	/* SIGTERM stays ignored; the read goes on (SA_RESTART) */
	ASSERT_EQ(0, kill(self->r.pid, SIGTERM));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_read, TIMEOUT_MS));
	EXPECT_TRUE(is_alive(self->r.pid));
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 3: altstack or SIGTERM lost)", status);
	}
}

TEST_F(sig, pending_in_order)
{
	unsigned long long own, shared;
	char line[64];
	int status;

	ASSERT_EQ(0, save_target(&self->t, "pending", SYS_read, self->img,
				 NULL));
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_read, TIMEOUT_MS));

	own = proc_mask(self->r.pid, "SigPnd");
	shared = proc_mask(self->r.pid, "ShdPnd");
	EXPECT_EQ(BIT(SIGUSR1) | BIT(SIGRTMIN), own);
	EXPECT_EQ(BIT(SIGUSR2) | BIT(SIGRTMIN + 1), shared);

	ASSERT_EQ(0, release(&self->r, &status));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		while (!read_line(self->r.out, line, sizeof(line), 0))
			TH_LOG("received %s", line);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 3: wrong order, value or queue)",
		       status);
	}
}

TEST_F(sig, itimer_real_time_left)
{
	long value, interval, ready;
	char line[64];
	int status;

	/* saved CKPT_AT_MS after it was armed */
	ASSERT_EQ(0, save_target(&self->t, "itimer", SYS_read, self->img,
				 &ready));
	/* however long the image waits: the time left is kept */
	sleep_ms(1000);
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_read, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r, &status));
	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line), 0));
	ASSERT_EQ(2, sscanf(line, "itimer %ld %ld", &value, &interval)) {
		TH_LOG("the restored process said: %s", line);
	}
	TH_LOG("ITIMER_REAL after restart: %ld ms left, period %ld ms",
	       value, interval);
	/* what was left when saved: not the whole of it again, nor less */
	EXPECT_LT(ITIMER_VALUE_S * 1000 - CKPT_AT_MS - LATE_MS, value);
	EXPECT_GE(ITIMER_VALUE_S * 1000 - CKPT_AT_MS + 100, value);
	EXPECT_EQ(ITIMER_INTERVAL_S * 1000, interval);
}

TEST_F(sig, sigsuspend_masks)
{
	char line[64];
	int status;

	ASSERT_EQ(0, save_target(&self->t, "sigsuspend", SYS_rt_sigsuspend,
				 self->img, NULL));
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_rt_sigsuspend, TIMEOUT_MS));
	/* asleep with nothing blocked, its own mask saved */
	EXPECT_EQ(0, proc_mask(self->r.pid, "SigBlk"));
	ASSERT_EQ(0, kill(self->r.pid, SIGUSR1));
	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line), TIMEOUT_MS));
	/* EINTR after the handler, SIGUSR1 blocked again */
	EXPECT_STREQ("suspend 1 1 1", line);
	ASSERT_EQ(0, wait_timeout(self->r.pid, &status, TIMEOUT_MS));
	self->r.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Blocked in @nr when saved; after restart, in @nr again till SIGUSR1. */
static void resumes(struct __test_metadata *_metadata, struct proc *t,
		    struct proc *r, const char *mode, long nr, int img,
		    const char *said)
{
	char line[64];
	int status;

	ASSERT_EQ(0, save_target(t, mode, nr, img, NULL));
	ASSERT_EQ(0, proc_start(r, NULL, img));
	ASSERT_EQ(0, wait_syscall(r->pid, nr, TIMEOUT_MS)) {
		TH_LOG("the restored %s is not in system call %ld", mode, nr);
	}
	ASSERT_EQ(0, kill(r->pid, SIGUSR1));
	ASSERT_EQ(0, read_line(r->out, line, sizeof(line), TIMEOUT_MS));
	EXPECT_STREQ(said, line);
	ASSERT_EQ(0, wait_timeout(r->pid, &status, TIMEOUT_MS));
	r->pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(sig, pause_resumes)
{
	/* EINTR, after the handler ran: only the signal ends a pause() */
	resumes(_metadata, &self->t, &self->r, "pause", SYS_pause, self->img,
		"pause 1 1");
}

TEST_F(sig, futex_wait_resumes)
{
	/* restarted after the handler, the word changed: EAGAIN */
	resumes(_metadata, &self->t, &self->r, "futex", SYS_futex, self->img,
		"futex -1 11 1");
}

/* State not saved yet: the checkpoint fails, the target runs on. */
static void refused(struct __test_metadata *_metadata, struct proc *t,
		    const char *mode, long nr, int img)
{
	ASSERT_EQ(0, proc_start(t, mode, -1));
	ASSERT_EQ(0, wait_ready(t->out, TIMEOUT_MS));
	ASSERT_EQ(0, wait_syscall(t->pid, nr, TIMEOUT_MS));
	EXPECT_EQ(-1, checkpoint(t->pid, img, CHECKPOINT_KILL, STDERR_FILENO));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_TRUE(is_alive(t->pid));
}

/* Timers of every kind come back with their ids, times and signals. */
TEST_F(sig, timers_round_trip)
{
	long left1, left2, period2, left3, virt, viv, prof, piv, ready;
	int id1, id2, id3, newid, code, value, timerid, code3, status;
	char line[192];

	/* saved CKPT_AT_MS after they were armed */
	ASSERT_EQ(0, save_target(&self->t, "timers", SYS_read, self->img,
				 &ready));
	sleep_ms(1000);
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, wait_syscall(self->r.pid, SYS_read, TIMEOUT_MS));
	ASSERT_EQ(1, write(self->r.in, "x", 1));
	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line), TIMEOUT_MS));
	TH_LOG("after restart: %s", line);
	ASSERT_EQ(12, sscanf(line,
			     "timers %d %d %d %ld %ld %ld %ld %d %ld %ld %ld %ld",
			     &id1, &id2, &id3, &left1, &left2, &period2, &left3,
			     &newid, &virt, &viv, &prof, &piv));
	/* the first timer made (0) was deleted: the ids go on from there */
	EXPECT_EQ(1, id1);
	EXPECT_EQ(2, id2);
	EXPECT_EQ(3, id3);
	EXPECT_EQ(4, newid);
	EXPECT_LT(TIMER_FIRE_MS - CKPT_AT_MS - LATE_MS, left1);
	EXPECT_GE(TIMER_FIRE_MS - CKPT_AT_MS + 100, left1);
	EXPECT_LT(100000 - CKPT_AT_MS - LATE_MS, left2);
	EXPECT_GE(100000 - CKPT_AT_MS + 100, left2);
	EXPECT_EQ(7000, period2);
	EXPECT_EQ(0, left3);
	/* CPU time: the target hardly runs; the tick setitimer() adds */
	EXPECT_LT(100000 - LATE_MS, virt);
	EXPECT_GE(100000 + 20, virt);
	EXPECT_EQ(5000, viv);
	EXPECT_LT(200000 - LATE_MS, prof);
	EXPECT_GE(200000 + 20, prof);
	EXPECT_EQ(6000, piv);

	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line), TIMEOUT_MS));
	ASSERT_EQ(4, sscanf(line, "fired %d %d %d %d", &code, &value,
			    &timerid, &code3)) {
		TH_LOG("the restored process said: %s", line);
	}
	EXPECT_EQ(SI_TIMER, code);
	EXPECT_EQ(77, value);
	EXPECT_EQ(id1, timerid);
	EXPECT_EQ(SI_TIMER, code3);
	ASSERT_EQ(0, wait_timeout(self->r.pid, &status, TIMEOUT_MS));
	self->r.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Release @p and collect its lines (one per signal it took) into @buf. */
static int take_lines(struct proc *p, char *buf, size_t size, int *nr)
{
	char line[512];
	size_t len = 0;
	int status;

	if (release(p, &status) || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	for (*nr = 0; !read_line(p->out, line, sizeof(line), 0); (*nr)++)
		len += snprintf(buf + len, size - len, "%s\n", line);
	return len < size ? 0 : -1;
}

/*
 * Every kind of siginfo a user can make or cause, pending in both
 * queues (siginfo_target): the restored process takes each signal with
 * the same 128 bytes of siginfo as the process saved, left running, took
 * itself - as it would have never checkpointed.
 */
static void siginfo_same(struct __test_metadata *_metadata,
			 struct _test_data_sig *self, const char *how)
{
	static char before[16384], after[16384];
	int nr_before, nr_after;
	char *a, *b, *na, *nb;

	int in, out, i;
	pid_t pid;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	use_target("siginfo_target");
	ASSERT_EQ(0, proc_start(&self->t, how, -1));
	pid = self->t.pid;
	ASSERT_EQ(0, wait_ready(self->t.out, TIMEOUT_MS));
	ASSERT_EQ(0, wait_syscall(pid, SYS_read, TIMEOUT_MS));
	ASSERT_EQ(0, checkpoint(pid, self->img, 0, STDERR_FILENO));
	ASSERT_EQ(0, take_lines(&self->t, before, sizeof(before),
				&nr_before));
	/* two threads: rstr restores them, the same pid again */
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	ASSERT_EQ(0, proc_pipes(&self->r, &in, &out));
	self->r.pid = fork_rstr(self->img, in, out);
	close(in);
	close(out);
	ASSERT_LT(0, self->r.pid);
	/* /proc/PID/syscall exists once rstr made the task */
	for (i = 0; i < TIMEOUT_MS && wait_syscall(pid, SYS_read, 5); i += 5)
		sleep_ms(5);
	ASSERT_EQ(0, wait_syscall(pid, SYS_read, TIMEOUT_MS));
	ASSERT_EQ(0, take_lines(&self->r, after, sizeof(after), &nr_after));
	/* 14 of the process's (SIGRTMIN 3 times), 5 of the thread's */
	EXPECT_EQ(19, nr_before);
	EXPECT_EQ(nr_before, nr_after);
	for (a = before, b = after; *a && *b; a = na + 1, b = nb + 1) {
		na = strchr(a, '\n');
		nb = strchr(b, '\n');
		EXPECT_EQ(0, na - a != nb - b || memcmp(a, b, na - a)) {
			TH_LOG("before: %.*s", (int)(na - a), a);
			TH_LOG("after:  %.*s", (int)(nb - b), b);
		}
	}
}

TEST_F(sig, siginfo_child_exited)
{
	siginfo_same(_metadata, self, "exit");
}

TEST_F(sig, siginfo_child_stopped)
{
	siginfo_same(_metadata, self, "stop");
}

TEST_F(sig, siginfo_child_continued)
{
	siginfo_same(_metadata, self, "cont");
}

/* The child of an exit signal pending is a zombie of the tree. */
TEST_F(sig, siginfo_zombie_child)
{
	siginfo_same(_metadata, self, "zombie");
}

TEST_F(sig, cpu_clock_timer_refused)
{
	refused(_metadata, &self->t, "cpu_timer", SYS_read, self->img);
}

/* The timer would queue it again: not saved yet. */
TEST_F(sig, timer_signal_pending_refused)
{
	refused(_metadata, &self->t, "timer_pending", SYS_read, self->img);
}

/* A sleep on a CPU clock resumes through a restart_block not saved yet. */
TEST_F(sig, cpu_clock_sleep_refused)
{
	refused(_metadata, &self->t, "cpu_sleep", SYS_clock_nanosleep,
		self->img);
}


/* Sleeping calls: checkpointed CKPT_AT_MS into a SLEEP_MS sleep. */
FIXTURE(sleep) {
	int img;
	struct proc t, r;
};

FIXTURE_VARIANT(sleep) {
	const char *mode;
	long nr;
	const char *said;	/* when the time is up */
};

FIXTURE_VARIANT_ADD(sleep, nanosleep) {
	"nanosleep", SYS_nanosleep, "done 0 0",
};
FIXTURE_VARIANT_ADD(sleep, clock_rel) {
	"clock_rel", SYS_clock_nanosleep, "done 0 0",
};
FIXTURE_VARIANT_ADD(sleep, clock_abs) {
	"clock_abs", SYS_clock_nanosleep, "done 0 0",
};
FIXTURE_VARIANT_ADD(sleep, poll) { "poll", SYS_poll, "done 0 0" };
FIXTURE_VARIANT_ADD(sleep, select) { "select", SYS_select, "done 0 0" };
/* the word never changes: ETIMEDOUT, the futex's "done" */
FIXTURE_VARIANT_ADD(sleep, futex) {
	"futex_timeout", SYS_futex, "futex -1 110 0",
};

FIXTURE_SETUP(sleep)
{
	signal(SIGPIPE, SIG_IGN);
	use_target("sig_target");
	proc_init(&self->t);
	proc_init(&self->r);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

FIXTURE_TEARDOWN(sleep)
{
	proc_fini(&self->t);
	proc_fini(&self->r);
	close(self->img);
}

TEST_F_TIMEOUT(sleep, time_left, 60)
{
	long ready, elapsed;
	char line[64];

	ASSERT_EQ(0, save_target(&self->t, variant->mode, variant->nr,
				 self->img, &ready));
	ASSERT_EQ(0, proc_start(&self->r, NULL, self->img));
	ASSERT_EQ(0, read_line(self->r.out, line, sizeof(line),
			       SLEEP_MS + TIMEOUT_MS));
	elapsed = now_ms() - ready;
	TH_LOG("%s: woke %ld ms after it began a %d ms sleep", variant->mode,
	       elapsed, SLEEP_MS);
	/* no EINTR, no early wake-up */
	EXPECT_STREQ(variant->said, line);
	EXPECT_LE(SLEEP_MS - 300, elapsed);
	/* not started over: that would be CKPT_AT_MS later */
	EXPECT_GE(SLEEP_MS + LATE_MS, elapsed);
}

/* Broken signal records: EINVAL, with the caller intact. */
FIXTURE(badsig) {
	int fd;
	pid_t pid;
};

FIXTURE_VARIANT(badsig) {
	const char *mode;	/* "pending" or "timers"; for RESTART_BLOCK,
				 * "nanosleep" or "futex_timeout"
				 */
	__u32 type;		/* the first record of this type is hit */
	size_t field;
	int size;		/* 4 or 8 bytes, 1: OR the byte with @val;
				 * 0: leave the image alone
				 */
	__u64 val;
};

#define F(type, member)		offsetof(struct type, member)
#define KERNEL_ADDR		0xffffffff81000000ULL

FIXTURE_VARIANT_ADD(badsig, valid) {
	"pending", CKPT_HDR_SIGHAND, 0, 0, 0,
};

FIXTURE_VARIANT_ADD(badsig, handler_in_kernel) {
	"pending", CKPT_HDR_SIGHAND,
	F(ckpt_hdr_sighand, action[SIGUSR1 - 1].handler), 8, KERNEL_ADDR,
};

FIXTURE_VARIANT_ADD(badsig, restorer_in_kernel) {
	"pending", CKPT_HDR_SIGHAND,
	F(ckpt_hdr_sighand, action[SIGSEGV - 1].restorer), 8, KERNEL_ADDR,
};

FIXTURE_VARIANT_ADD(badsig, unknown_sa_flag) {
	"pending", CKPT_HDR_SIGHAND,
	F(ckpt_hdr_sighand, action[SIGUSR1 - 1].flags), 8, 0x100,
};

FIXTURE_VARIANT_ADD(badsig, sigkill_handled) {
	"pending", CKPT_HDR_SIGHAND,
	F(ckpt_hdr_sighand, action[SIGKILL - 1].handler), 8, 0x401000,
};

FIXTURE_VARIANT_ADD(badsig, altstack_wraps) {
	"pending", CKPT_HDR_SIGNAL, F(ckpt_hdr_signal, altstack_size), 8,
	~0ULL,
};

FIXTURE_VARIANT_ADD(badsig, itimer_negative) {
	"pending", CKPT_HDR_SIGNAL, F(ckpt_hdr_signal, real.value), 8,
	1ULL << 63,
};

FIXTURE_VARIANT_ADD(badsig, signal_flags) {
	"pending", CKPT_HDR_SIGNAL, F(ckpt_hdr_signal, flags), 4, 0x80,
};

FIXTURE_VARIANT_ADD(badsig, signo_zero) {
	"pending", CKPT_HDR_SIGINFO, F(ckpt_hdr_siginfo, signo), 4, 0,
};

FIXTURE_VARIANT_ADD(badsig, signo_too_big) {
	"pending", CKPT_HDR_SIGINFO, F(ckpt_hdr_siginfo, signo), 4, 65,
};

FIXTURE_VARIANT_ADD(badsig, signo_sigkill) {
	"pending", CKPT_HDR_SIGINFO, F(ckpt_hdr_siginfo, signo), 4, SIGKILL,
};

FIXTURE_VARIANT_ADD(badsig, bad_queue) {
	"pending", CKPT_HDR_SIGINFO, F(ckpt_hdr_siginfo, queue), 4, 7,
};

FIXTURE_VARIANT_ADD(badsig, restart_kind) {
	"nanosleep", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, kind), 4, 9,
};

FIXTURE_VARIANT_ADD(badsig, restart_cpu_clock) {
	"nanosleep", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, clockid), 4, CLOCK_PROCESS_CPUTIME_ID,
};

FIXTURE_VARIANT_ADD(badsig, restart_rmtp_in_kernel) {
	"nanosleep", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, uaddr), 8, KERNEL_ADDR,
};

FIXTURE_VARIANT_ADD(badsig, restart_forever) {
	"nanosleep", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, remaining), 8, ~0ULL,
};

FIXTURE_VARIANT_ADD(badsig, futex_misaligned) {
	"futex_timeout", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, uaddr), 1, 0x3,
};

FIXTURE_VARIANT_ADD(badsig, futex_no_bitset) {
	"futex_timeout", CKPT_HDR_RESTART_BLOCK,
	F(ckpt_hdr_restart_block, bitset), 4, 0,
};

FIXTURE_VARIANT_ADD(badsig, itimer_virt_negative) {
	"timers", CKPT_HDR_SIGNAL, F(ckpt_hdr_signal, virt.value), 8,
	1ULL << 63,
};

FIXTURE_VARIANT_ADD(badsig, next_timer_id_negative) {
	"timers", CKPT_HDR_SIGNAL, F(ckpt_hdr_signal, next_timer_id), 4,
	0x80000000U,
};

FIXTURE_VARIANT_ADD(badsig, timer_id_negative) {
	"timers", CKPT_HDR_POSIX_TIMER, F(ckpt_hdr_posix_timer, id), 4, ~0U,
};

FIXTURE_VARIANT_ADD(badsig, timer_cpu_clock) {
	"timers", CKPT_HDR_POSIX_TIMER, F(ckpt_hdr_posix_timer, clockid), 4,
	CLOCK_PROCESS_CPUTIME_ID,
};

FIXTURE_VARIANT_ADD(badsig, timer_notify) {
	"timers", CKPT_HDR_POSIX_TIMER, F(ckpt_hdr_posix_timer, notify), 4, 3,
};

FIXTURE_VARIANT_ADD(badsig, timer_signo_too_big) {
	"timers", CKPT_HDR_POSIX_TIMER, F(ckpt_hdr_posix_timer, signo), 4, 65,
};

FIXTURE_VARIANT_ADD(badsig, timer_forever) {
	"timers", CKPT_HDR_POSIX_TIMER, F(ckpt_hdr_posix_timer, it.value), 8,
	~0ULL,
};

FIXTURE_VARIANT_ADD(badsig, siginfo_si_timer) {
	"pending", CKPT_HDR_SIGINFO, F(ckpt_hdr_siginfo, si_code), 4,
	(__u32)SI_TIMER,
};

/*
 * Patch @size bytes at @off to @val, then fix the tail's checksum: the
 * record itself must be what restart refuses.
 */
static int patch(unsigned char *buf, size_t len, size_t off, int size,
		 __u64 val)
{
	__u32 v32 = val;

	if (size == 1)
		buf[off] |= val;
	else if (size == 4)
		memcpy(buf + off, &v32, 4);
	else
		memcpy(buf + off, &val, 8);
	return image_reseal(buf, len);
}

FIXTURE_SETUP(badsig)
{
	long nr = !strcmp(variant->mode, "pending") ||
		  !strcmp(variant->mode, "timers") ? SYS_read :
		  !strcmp(variant->mode, "nanosleep") ? SYS_nanosleep : SYS_futex;
	unsigned char *buf;
	struct proc t;
	size_t len, off;
	int img;

	signal(SIGPIPE, SIG_IGN);
	use_target("sig_target");
	self->fd = -1;
	self->pid = 0;
	proc_init(&t);
	img = tmp_image();
	ASSERT_LE(0, img);
	ASSERT_EQ(0, save_target(&t, variant->mode, nr, img, NULL)) {
		proc_fini(&t);
		close(img);
	}
	proc_fini(&t);
	lseek(img, 0, SEEK_SET);
	len = read_file(img, &buf);
	close(img);
	ASSERT_LT(sizeof(struct ckpt_hdr_tail), len);
	off = image_top_record(buf, len, variant->type, 0, NULL);
	ASSERT_NE(0, off) {
		TH_LOG("no %s record in the image", ckpt_type_name(variant->type));
		free(buf);
	}
	if (variant->size)
		ASSERT_EQ(0, patch(buf, len, off + variant->field,
				   variant->size, variant->val))
			free(buf);
	self->fd = tmp_image();
	if (self->fd >= 0 && (write(self->fd, buf, len) != (ssize_t)len ||
			      lseek(self->fd, 0, SEEK_SET))) {
		close(self->fd);
		self->fd = -1;
	}
	free(buf);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(badsig)
{
	kill_reap(self->pid);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(badsig, restart)
{
	int status;

	self->pid = fork_restart(self->fd, -1, -1);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, wait_timeout(self->pid, &status, TIMEOUT_MS));
	self->pid = 0;
	if (!variant->size) {
		/* "pending" reads end of file, finds its signals, exits 0 */
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("status %#x", status);
		}
		return;
	}
	EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL)) {
		TH_LOG("status %#x (exit %d: EINVAL)", status,
		       RESTART_EXIT_BASE + EINVAL);
	}
}

TEST_HARNESS_MAIN
