// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint a live ckpt_target, restart it in a forked child of the
 * test (so the restored process is ours to wait for), and check that it
 * carries on exactly where it was: counters, vector registers, a sparse
 * address space, task state; from a file and from a pipe.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"

#define MAX_IMAGE_SPARSE	(1 << 20)
#define MASKED_SIGS		((1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGUSR2 - 1)))

FIXTURE(rt) {
	int img;
	struct proc t;		/* the checkpointed target */
	struct proc r[2];	/* restored processes */
};

FIXTURE_SETUP(rt)
{
	signal(SIGPIPE, SIG_IGN);
	proc_init(&self->t);
	proc_init(&self->r[0]);
	proc_init(&self->r[1]);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

FIXTURE_TEARDOWN(rt)
{
	proc_fini(&self->t);
	proc_fini(&self->r[0]);
	proc_fini(&self->r[1]);
	close(self->img);
}

/* As proc_pipes(); @in_pipe says whether @p's stdin is a pipe at all. */
static int rt_pipes(struct proc *p, int in_pipe, int *in_rd, int *out_wr)
{
	int in[2] = { -1, -1 }, out[2];

	if (in_pipe && pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC))
		return -1;
	p->in = in[1];
	p->out = out[0];
	lines_init(&p->lines, p->out);
	*in_rd = in[0];
	*out_wr = out[1];
	return 0;
}

static int start_target(struct proc *p, const char *mode, int in_pipe)
{
	int in, out;

	if (rt_pipes(p, in_pipe, &in, &out))
		return -1;
	p->pid = spawn_target(mode, in, out);
	if (in >= 0)
		close(in);
	close(out);
	return p->pid > 0 ? 0 : -1;
}

/* Start a target that prints "ready" and blocks; wait for that. */
static int start_waiting(struct proc *p, const char *mode)
{
	if (start_target(p, mode, 1) || wait_ready(p->out, TIMEOUT_MS))
		return -1;
	return wait_blocked(p->pid, TIMEOUT_MS);
}

/* Restart from @img_fd in a child whose stdout is a pipe to us. */
static int start_restored(struct proc *p, int img_fd, int in_pipe)
{
	int in, out;

	if (rt_pipes(p, in_pipe, &in, &out))
		return -1;
	lseek(img_fd, 0, SEEK_SET);	/* fails harmlessly on a pipe */
	p->pid = fork_restart(img_fd, in, out);
	if (in >= 0)
		close(in);
	close(out);
	return p->pid > 0 ? 0 : -1;
}

/* The next @count numbers continue from *@last; update it. */
static int read_seq(struct proc *p, int count, long *last)
{
	long n;

	while (count--) {
		if (lines_next(&p->lines, &n, TIMEOUT_MS) != 1)
			return -1;
		if (n != *last + 1)
			return -1;
		*last = n;
	}
	return 0;
}

/* Read to end of file, the numbers continuing from *@last. */
static int drain(struct proc *p, long *last)
{
	long n;
	int ret;

	while ((ret = lines_next(&p->lines, &n, TIMEOUT_MS)) == 1) {
		if (n != *last + 1)
			return -1;
		*last = n;
	}
	return ret;
}

/* Whatever numbers are there now, without waiting; the last or *@last. */
static int drain_now(struct proc *p, long *last)
{
	long n;

	while (lines_next(&p->lines, &n, 0) == 1) {
		if (n != *last + 1)
			return -1;
		*last = n;
	}
	return 0;
}

/* Write one byte to @p's stdin and collect its exit status. */
static int release(struct proc *p, int *status)
{
	if (write(p->in, "x", 1) != 1)
		return -1;
	if (wait_timeout(p->pid, status, TIMEOUT_MS))
		return -1;
	p->pid = 0;
	return 0;
}

TEST_F(rt, counter_continues)
{
	long last = 0, first;

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 3, &last));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2)) {
		TH_LOG("checkpoint: %s", strerror(errno));
	}
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, drain(&self->t, &last));
	TH_LOG("the target printed up to %ld", last);

	ASSERT_EQ(0, start_restored(&self->r[0], self->img, 0));
	first = last;
	ASSERT_EQ(0, read_seq(&self->r[0], 1, &first)) {
		TH_LOG("the restored counter did not print %ld first",
		       last + 1);
	}
	ASSERT_EQ(0, read_seq(&self->r[0], 10, &first));
}

TEST_F(rt, same_image_twice)
{
	long last = 0, n;
	int i;

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 2, &last));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, drain(&self->t, &last));

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, start_restored(&self->r[i], self->img, 0));
		n = last;
		ASSERT_EQ(0, read_seq(&self->r[i], 5, &n));
	}
}

TEST_F(rt, no_kill_target_keeps_running)
{
	long last = 0;

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 3, &last));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2)) {
		TH_LOG("checkpoint: %s", strerror(errno));
	}
	EXPECT_TRUE(is_alive(self->t.pid));
	/* no gap, no repetition, no stall */
	ASSERT_EQ(0, read_seq(&self->t, 20, &last));
	EXPECT_LT(0, lseek(self->img, 0, SEEK_CUR));
}

/* An image of a target left running restarts as a second copy. */
/* The /proc/PID/status lines a checkpoint must leave as they were. */
static const char * const stable_status[] = {
	"State:", "Uid:", "Gid:", "Groups:", "Threads:", "SigPnd:",
	"ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:", "CapInh:", "CapPrm:",
	"CapEff:", "NoNewPrivs:", "Seccomp:", "TracerPid:", "VmLck:",
	"VmSize:",
};

static int status_lines(pid_t pid, char *buf, size_t size)
{
	char path[64], line[256];
	size_t i, len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < ARRAY_SIZE(stable_status); i++) {
			if (strncmp(line, stable_status[i],
				    strlen(stable_status[i])))
				continue;
			/* sleeping or running: both are the counter's own */
			if (i == 0)
				snprintf(line, sizeof(line), "State: alive\n");
			if (len + strlen(line) < size)
				len += snprintf(buf + len, size - len, "%s", line);
		}
	}
	fclose(f);
	return 0;
}

static volatile sig_atomic_t nr_sigchld;

static void count_sigchld(int sig)
{
	(void)sig;
	nr_sigchld++;
}

/*
 * The checkpointed process and its parent see nothing: no SIGCHLD, no
 * stop or continue for wait(), no change in /proc/PID/status, and the
 * counter neither stalls nor skips.
 */
TEST_F(rt, checkpoint_is_invisible)
{
	char before[2048], after[2048];
	struct sigaction sa = { .sa_handler = count_sigchld };
	long last = 0;
	int status;

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 3, &last));
	ASSERT_EQ(0, sigaction(SIGCHLD, &sa, NULL));
	nr_sigchld = 0;
	ASSERT_EQ(0, status_lines(self->t.pid, before, sizeof(before)));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2));
	ASSERT_EQ(0, status_lines(self->t.pid, after, sizeof(after)));
	EXPECT_STREQ(before, after);
	EXPECT_EQ(0, waitpid(self->t.pid, &status,
			     WNOHANG | WUNTRACED | WCONTINUED));
	ASSERT_EQ(0, read_seq(&self->t, 10, &last));
	EXPECT_EQ(0, nr_sigchld);
	signal(SIGCHLD, SIG_DFL);
}

TEST_F(rt, no_kill_image_restarts)
{
	long before = 0, after, first, n;

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 3, &before));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2));
	after = before;
	ASSERT_EQ(0, drain_now(&self->t, &after));

	ASSERT_EQ(0, start_restored(&self->r[0], self->img, 0));
	ASSERT_EQ(1, lines_next(&self->r[0].lines, &first, TIMEOUT_MS));
	TH_LOG("read %ld before, %ld right after; the copy starts at %ld",
	       before, after, first);
	EXPECT_LE(before + 1, first);
	EXPECT_GE(after + 1, first);
	n = first;
	ASSERT_EQ(0, read_seq(&self->r[0], 5, &n));
	/* and the original still counts on its own pipe */
	ASSERT_EQ(0, read_seq(&self->t, 5, &after));
}

TEST_F(rt, restart_from_pipe)
{
	long last = 0, first;
	int p[2];

	ASSERT_EQ(0, start_target(&self->t, "counter", 0));
	ASSERT_EQ(0, read_seq(&self->t, 3, &last));

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, start_restored(&self->r[0], p[0], 0));
	close(p[0]);
	ASSERT_EQ(0, checkpoint(self->t.pid, p[1], CHECKPOINT_KILL, 2)) {
		TH_LOG("checkpoint into a pipe: %s", strerror(errno));
	}
	close(p[1]);
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, drain(&self->t, &last));

	first = last;
	ASSERT_EQ(0, read_seq(&self->r[0], 1, &first)) {
		TH_LOG("the restored counter did not print %ld first",
		       last + 1);
	}
	ASSERT_EQ(0, read_seq(&self->r[0], 10, &first));
}

/* Blocked signals, comm and pid: the restored task is the caller. */
/* How many of @pid's descriptors lead to @target. */
static int fds_to(pid_t pid, const char *target)
{
	char dir[64], path[320], link[256];
	struct dirent *d;
	int nr = 0;
	ssize_t n;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	if (!fds)
		return -1;
	while ((d = readdir(fds))) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		nr += !strcmp(link, target);
	}
	closedir(fds);
	return nr;
}

TEST_F(rt, task_state)
{
	char buf[64] = "";
	unsigned long long blocked = 0;
	char path[64], line[256];
	int status, fd;
	FILE *f;

	ASSERT_EQ(0, start_waiting(&self->t, "masked"));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, start_restored(&self->r[0], self->img, 1));
	ASSERT_EQ(0, wait_blocked(self->r[0].pid, TIMEOUT_MS));

	snprintf(path, sizeof(path), "/proc/%d/comm", self->r[0].pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	EXPECT_STREQ("ckpt_target\n", buf);

	snprintf(path, sizeof(path), "/proc/%d/status", self->r[0].pid);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "SigBlk: %llx", &blocked);
	fclose(f);
	EXPECT_EQ(MASKED_SIGS, blocked);

	/* like execve(), restart closed the caller's close-on-exec fds */
	EXPECT_EQ(0, fds_to(self->r[0].pid, CKPT_DEVICE));

	ASSERT_EQ(0, release(&self->r[0], &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
	}
}

TEST_F(rt, avx_registers)
{
	int status;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		SKIP(return, "no AVX on this CPU");
	ASSERT_EQ(0, start_waiting(&self->t, "avx"));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, start_restored(&self->r[0], self->img, 1));
	ASSERT_EQ(0, wait_blocked(self->r[0].pid, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r[0], &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 3: ymm8-15 lost, 5: read failed)",
		       status);
	}
}

TEST_F_TIMEOUT(rt, sparse_mapping, 60)
{
	struct stat st;
	int status;

	ASSERT_EQ(0, start_waiting(&self->t, "sparse"));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	ASSERT_EQ(0, fstat(self->img, &st));
	TH_LOG("image of a 1 GiB mapping with one page written: %lld bytes",
	       (long long)st.st_size);
	EXPECT_GT(MAX_IMAGE_SPARSE, st.st_size);

	ASSERT_EQ(0, start_restored(&self->r[0], self->img, 1));
	ASSERT_EQ(0, wait_blocked(self->r[0].pid, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r[0], &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 3: pages differ)", status);
	}
}

/* The pages of the image in @fd, as its PAGES records count them, or -1. */
static long image_pages(int fd)
{
	struct ckpt_reader r;
	struct ckpt_rec rec;
	long nr = 0;
	int ret;

	if (lseek(fd, 0, SEEK_SET) || ckpt_reader_init(&r, fd))
		return -1;
	while ((ret = ckpt_reader_next(&r, &rec)) == 1)
		if (rec.u.h.type == CKPT_HDR_PAGES)
			nr += rec.u.pages.nr_pages;
	ckpt_reader_fini(&r);
	return ret ? -1 : nr;
}

/*
 * The "N pages: A us ..., B us ..., C us checksum" of the verbose line
 * that starts with @prefix in the log @fd: N, or -1.
 */
static long logged_pages(int fd, const char *prefix)
{
	unsigned long long nr, a, b, c;
	char buf[4096], *p;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, prefix);
	p = p ? strstr(p, "records") : NULL;
	p = p ? strchr(p, ';') : NULL;
	if (!p || sscanf(p, "; %llu pages: %llu us %*[a-z ], %llu us %*[a-z], %llu us checksum",
			 &nr, &a, &b, &c) != 4)
		return -1;
	return nr;
}

static const char *verbose_log;

static int restart_verbose(int img_fd, void *arg)
{
	int fd = open(verbose_log, O_WRONLY | O_APPEND);

	(void)arg;
	if (fd < 0)
		return -1;
	return restart(0, img_fd, RESTART_VERBOSE, fd);
}

/*
 * CHECKPOINT_VERBOSE and RESTART_VERBOSE say where the page path's time
 * went, for the pages the image really holds.
 */
TEST_F_TIMEOUT(rt, verbose_page_counts, 60)
{
	char path[] = "/tmp/rt_verbose_XXXXXX";
	int logfd, in, out, status;
	long pages;

	logfd = mkstemp(path);
	ASSERT_LE(0, logfd);
	verbose_log = path;
	ASSERT_EQ(0, start_waiting(&self->t, "sparse"));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img,
				CHECKPOINT_KILL | CHECKPOINT_VERBOSE, logfd));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	pages = image_pages(self->img);
	ASSERT_LT(0, pages);
	EXPECT_EQ(pages, logged_pages(logfd, "was frozen for")) {
		TH_LOG("the image holds %ld pages", pages);
	}

	ASSERT_EQ(0, rt_pipes(&self->r[0], 1, &in, &out));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	self->r[0].pid = fork_call(self->img, in, out, restart_verbose, NULL);
	close(in);
	close(out);
	ASSERT_LT(0, self->r[0].pid);
	ASSERT_EQ(0, wait_blocked(self->r[0].pid, TIMEOUT_MS));
	EXPECT_EQ(pages, logged_pages(logfd, "records read"));
	ASSERT_EQ(0, release(&self->r[0], &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(path);
	close(logfd);
}

TEST_HARNESS_MAIN
