// SPDX-License-Identifier: GPL-2.0
/*
 * Threads across checkpoint and restart, restored by rstr: 50 threads
 * blocked in every way a pthread program blocks compute the right sum
 * across a restart, with the same tids, their joins ending as the joined
 * threads exit; each thread keeps its own blocked mask, TLS, alternate
 * signal stack, pending signal and robust futex list; threads share
 * memory, the fd table, cwd, umask and signal handlers again; and a child
 * made with CLONE_FILES or CLONE_FS shares that with its parent again.
 * What each target finds it reports (thread_target.h); what the outside
 * sees - tids, parents, /proc masks, kcmp() - the test checks itself.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "util.h"
#include "thread_target.h"

#define LONG_MS		120000	/* 50 threads, emulated */
#define SNAP_MS		30000	/* for the restored tasks to show */
#define MAX_TASKS	64

/* What restoring must bring back: the tasks and what they share. */
struct snap {
	pid_t root;
	int nr;
	pid_t pid[MAX_TASKS];	/* the root's threads, then its children */
	int shares[MAX_TASKS];	/* SHARES_* bits, with the root */
};

enum {
	SHARES_VM = 1 << 0,
	SHARES_FILES = 1 << 1,
	SHARES_FS = 1 << 2,
	SHARES_SIGHAND = 1 << 3,
	SHARES_ALL = 0xf,
};

/* Which of @a's mm, fd table, fs and handlers @b shares; -1 on error. */
static int shares(pid_t a, pid_t b)
{
	static const int types[] = {
		KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND,
	};
	int bits = 0, ret;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ret = syscall(SYS_kcmp, a, b, types[i], 0, 0);
		if (ret < 0)
			return -1;
		if (!ret)
			bits |= 1 << i;
	}
	return bits;
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* Append to @s the numeric entries of @dir: children of @parent if not 0. */
static int add_pids(struct snap *s, const char *dir, pid_t parent)
{
	struct dirent *d;
	int first = s->nr;
	pid_t pid;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		pid = atoi(d->d_name);
		if (pid <= 0 || (parent && proc_ppid(pid) != parent))
			continue;
		if (s->nr == MAX_TASKS) {
			closedir(dp);
			return -1;
		}
		s->pid[s->nr++] = pid;
	}
	closedir(dp);
	qsort(s->pid + first, s->nr - first, sizeof(pid_t), cmp_pid);
	return 0;
}

/* @root's threads and children, and what each shares with @root. */
static int take_snap(pid_t root, struct snap *s)
{
	char dir[64];
	int i;

	s->root = root;
	s->nr = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/task", root);
	if (add_pids(s, dir, 0) || add_pids(s, "/proc", root) || !s->nr)
		return -1;
	for (i = 0; i < s->nr; i++) {
		s->shares[i] = shares(root, s->pid[i]);
		if (s->shares[i] < 0)
			return -1;
	}
	return 0;
}

static int same_snap(const struct snap *a, const struct snap *b)
{
	return a->root == b->root && a->nr == b->nr &&
	       !memcmp(a->pid, b->pid, a->nr * sizeof(pid_t)) &&
	       !memcmp(a->shares, b->shares, a->nr * sizeof(int));
}

static void log_snap(struct __test_metadata *_metadata, const char *what,
		     const struct snap *s)
{
	char line[MAX_TASKS * 16] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < s->nr && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %d/%x",
				s->pid[i], s->shares[i]);
	TH_LOG("%s: root %d, task/shares:%s", what, s->root, line);
}

/*
 * Wait until @want's root is back with the same tasks sharing the same;
 * @got is the last look.  -1 if not, or if @rstr exits (its status in
 * *@status) before that.
 */
static int wait_snap(const struct snap *want, struct snap *got, pid_t rstr,
		     int *status, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (!take_snap(want->root, got) && same_snap(want, got))
			return 0;
		if (waitpid(rstr, status, WNOHANG) == rstr)
			return -1;
		usleep(20000);
	}
	*status = -1;
	return -1;
}

/* rstr restores the image in @img; @r's pipes are its stdin/stdout. */
static int restore(struct proc *r, int img)
{
	int in, out;
	pid_t pid;

	if (proc_pipes(r, &in, &out))
		return -1;
	pid = fork_rstr(img, in, out);
	close(in);
	close(out);
	r->pid = pid > 0 ? pid : 0;
	return r->pid ? 0 : -1;
}

/*
 * Release @p with @bytes bytes on its stdin, read its @nr numbers into
 * @v and reap it (rstr exits as the restored root does).
 */
static int finish(struct proc *p, const char *bytes, long *v, int nr,
		  int *status)
{
	size_t len = strlen(bytes);
	int i;

	if (write(p->in, bytes, len) != (ssize_t)len)
		return -1;
	for (i = 0; i < nr; i++) {
		if (lines_next(&p->lines, &v[i], LONG_MS) != 1)
			return -1;
	}
	if (wait_timeout(p->pid, status, LONG_MS))
		return -1;
	p->pid = 0;
	return 0;
}

FIXTURE(thr) {
	int img;
	struct proc t, r;	/* the target, then rstr */
	struct snap before;	/* the target when it was saved */
	char dir[PATH_MAX];	/* the targets' cwd */
};

FIXTURE_SETUP(thr)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	use_target("thread_target");
	proc_init(&self->t);
	proc_init(&self->r);
	self->before.nr = 0;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	/* killed targets' orphans come to us, to be reaped */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	snprintf(self->dir, sizeof(self->dir), "%s/ckpt-thread.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chdir(self->dir));
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(thr)
{
	int i;

	proc_fini(&self->t);
	/* a restored tree left behind when a check failed */
	for (i = 0; i < self->before.nr; i++)
		kill(self->before.pid[i], SIGKILL);
	proc_fini(&self->r);
	wait_gone(self->before.pid, self->before.nr, TIMEOUT_MS);
	close(self->img);
	if (remove_tree(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* Start @mode and note its tasks. */
static int begin(struct __test_metadata *_metadata,
		 struct _test_data_thr *self, const char *mode)
{
	if (proc_spawn(&self->t, mode)) {
		TH_LOG("%s did not get ready", mode);
		return -1;
	}
	if (take_snap(self->t.pid, &self->before)) {
		TH_LOG("cannot see the tasks of %d", self->t.pid);
		return -1;
	}
	return 0;
}

/* Checkpoint the target with @flags. */
static int save(struct __test_metadata *_metadata,
		struct _test_data_thr *self, unsigned long flags)
{
	if (checkpoint(self->t.pid, self->img, flags, STDERR_FILENO)) {
		TH_LOG("checkpoint of %d: %s", self->t.pid, strerror(errno));
		return -1;
	}
	if ((flags & CHECKPOINT_KILL) && reap_killed(&self->t.pid)) {
		TH_LOG("%d not killed by the checkpoint", self->t.pid);
		return -1;
	}
	return 0;
}

/* Restore what save() saved, once its tasks are gone: all back? */
static int restore_same(struct __test_metadata *_metadata,
			struct _test_data_thr *self)
{
	struct snap got;
	int status;
	pid_t left;

	left = wait_gone(self->before.pid, self->before.nr, TIMEOUT_MS);
	if (left) {
		TH_LOG("task %d of the target is still there", left);
		return -1;
	}
	if (restore(&self->r, self->img)) {
		TH_LOG("cannot run %s", rstr_path());
		return -1;
	}
	if (wait_snap(&self->before, &got, self->r.pid, &status, SNAP_MS)) {
		if (status != -1) {
			self->r.pid = 0;
			TH_LOG("rstr exited with status %#x", status);
		}
		log_snap(_metadata, "saved", &self->before);
		log_snap(_metadata, "restored", &got);
		return -1;
	}
	if (proc_ppid(self->before.root) != self->r.pid) {
		TH_LOG("the restored root's parent is %d, not rstr %d",
		       proc_ppid(self->before.root), self->r.pid);
		return -1;
	}
	return 0;
}

/* Exit status 0 (rstr's is the restored root's). */
static void expect_exit_0(struct __test_metadata *_metadata, int status)
{
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("status %#x (exit 3: a check failed, 5: a call)",
		       status);
	}
}

/*
 * 50 threads, checkpointed while they compute; the original goes on to
 * the right sum, and so does the restored copy, with the same tids, each
 * adder having worked both before and after the restart; and its joins
 * end when the joined thread exits (clear_child_tid).
 */
TEST_F_TIMEOUT(thr, compute, 400)
{
	long v[4];
	int status, i;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "compute"));
	ASSERT_EQ(0, save(_metadata, self, 0));
	ASSERT_EQ(NR_THREADS, self->before.nr);
	for (i = 0; i < self->before.nr; i++)
		ASSERT_EQ(SHARES_ALL, self->before.shares[i]);

	/* sum, expected sum, adders across a restart, tids changed */
	ASSERT_EQ(0, finish(&self->t, "x", v, 4, &status)) {
		TH_LOG("the checkpointed original did not finish");
	}
	EXPECT_EQ(compute_expected(), v[0]);
	EXPECT_EQ(compute_expected(), v[1]);
	EXPECT_EQ(0, v[2]);
	EXPECT_EQ(0, v[3]);
	expect_exit_0(_metadata, status);

	ASSERT_EQ(0, restore_same(_metadata, self));
	ASSERT_EQ(0, finish(&self->r, "x", v, 4, &status)) {
		TH_LOG("the restored copy did not finish");
	}
	EXPECT_EQ(compute_expected(), v[0]);
	EXPECT_EQ(NR_ADDERS, v[2]) {
		TH_LOG("adders that ran before and after the restart");
	}
	EXPECT_EQ(0, v[3]) {
		TH_LOG("threads whose gettid() changed");
	}
	expect_exit_0(_metadata, status);
}

/* @tid's SigBlk and SigPnd. */
static void task_masks(pid_t tid, unsigned long long m[2])
{
	m[0] = proc_mask(tid, "SigBlk");
	m[1] = proc_mask(tid, "SigPnd");
}

/*
 * Each thread's mask, TLS, alternate stack, pending signal and robust
 * list: /proc shows the same masks per tid, each thread finds its own
 * state, and a thread dying with a robust mutex leaves it EOWNERDEAD.
 */
TEST_F_TIMEOUT(thr, per_thread_state, 120)
{
	unsigned long long before[MAX_TASKS][2], after[2];
	long v[STATE_THREADS];
	int status, i, ms;
	pid_t tid;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "state"));
	ASSERT_EQ(STATE_THREADS, self->before.nr);
	for (i = 0; i < self->before.nr; i++) {
		task_masks(self->before.pid[i], before[i]);
		/* its own signal pending, and blocked */
		ASSERT_EQ(1, __builtin_popcountll(before[i][1]));
		ASSERT_NE(0, before[i][0] & before[i][1]);
	}
	ASSERT_EQ(0, proc_mask(self->before.root, "ShdPnd"));
	ASSERT_EQ(0, save(_metadata, self, CHECKPOINT_KILL));
	ASSERT_EQ(0, restore_same(_metadata, self));
	for (i = 0; i < self->before.nr; i++) {
		tid = self->before.pid[i];
		/* the kernel may still be restoring it */
		for (ms = SNAP_MS; ms > 0; ms -= 20) {
			task_masks(tid, after);
			if (!memcmp(before[i], after, sizeof(after)))
				break;
			usleep(20000);
		}
		EXPECT_TRUE(before[i][0] == after[0] &&
			    before[i][1] == after[1]) {
			TH_LOG("tid %d: SigBlk %llx SigPnd %llx, was %llx %llx",
			       tid, after[0], after[1], before[i][0],
			       before[i][1]);
		}
	}
	EXPECT_EQ(0, proc_mask(self->before.root, "ShdPnd"));
	ASSERT_EQ(0, finish(&self->r, "x", v, STATE_THREADS, &status));
	for (i = 0; i < STATE_THREADS; i++) {
		EXPECT_EQ(0, v[i]) {
			TH_LOG("thread %d: failed checks %#lx (STATE_*)", i,
			       v[i]);
		}
	}
	expect_exit_0(_metadata, status);
}

/* Threads share memory, fd table, cwd, umask and handlers again. */
TEST_F_TIMEOUT(thr, threads_share, 120)
{
	char buf[8] = "";
	long bits;
	int status, fd;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "share"));
	ASSERT_EQ(0, save(_metadata, self, CHECKPOINT_KILL));
	ASSERT_EQ(3, self->before.nr);
	ASSERT_EQ(0, restore_same(_metadata, self));
	ASSERT_EQ(0, finish(&self->r, "x", &bits, 1, &status));
	EXPECT_EQ(0, bits) {
		TH_LOG("failed checks %#lx (SHARE_*)", bits);
	}
	expect_exit_0(_metadata, status);
	/* what thread B wrote through thread A's fd */
	fd = open("new", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, read(fd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("shared", buf);
	close(fd);
}

/*
 * Children made with CLONE_FILES and CLONE_FS share that with the root
 * again, and one made with neither shares nothing.
 */
TEST_F_TIMEOUT(thr, clone_files_fs, 120)
{
	int status, i, files = 0, fs = 0, none = 0;
	long bits;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "clone"));
	ASSERT_EQ(0, save(_metadata, self, CHECKPOINT_KILL));
	ASSERT_EQ(4, self->before.nr);
	/* the root itself, then its three children */
	for (i = 1; i < self->before.nr; i++) {
		files += self->before.shares[i] == SHARES_FILES;
		fs += self->before.shares[i] == SHARES_FS;
		none += self->before.shares[i] == 0;
	}
	ASSERT_TRUE(files == 1 && fs == 1 && none == 1) {
		log_snap(_metadata, "saved", &self->before);
	}
	ASSERT_EQ(0, restore_same(_metadata, self));
	ASSERT_EQ(0, finish(&self->r, "rfsp", &bits, 1, &status));
	EXPECT_EQ(0, bits) {
		TH_LOG("failed checks %#lx (CLONE_*)", bits);
	}
	expect_exit_0(_metadata, status);
}

/*
 * A POSIX timer's signal pending in a thread's own queue (SIGEV_THREAD_ID,
 * blocked): refused at checkpoint, naming that thread, and the target
 * goes on untouched; it prints the thread's tid.
 */
TEST_F_TIMEOUT(thr, timer_signal_pending_in_thread_refused, 120)
{
	char log[1024] = "", want[64];
	int logfd, status, i, ret, err;
	ssize_t n;
	long tid;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "timer_pending"));
	ASSERT_EQ(2, self->before.nr);
	logfd = tmp_image();
	ASSERT_LE(0, logfd);
	ret = checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, logfd);
	err = errno;
	n = pread(logfd, log, sizeof(log) - 1, 0);
	close(logfd);
	log[n > 0 ? n : 0] = '\0';
	EXPECT_TRUE(ret == -1 && err == EOPNOTSUPP) {
		TH_LOG("checkpoint: %d, %s", ret, ret ? strerror(err) : "saved");
	}
	EXPECT_NE(NULL, strstr(log, "POSIX timer's signal")) {
		TH_LOG("log: %s", log);
	}
	for (i = 0; i < self->before.nr; i++)
		EXPECT_TRUE(is_alive(self->before.pid[i]));
	ASSERT_EQ(0, finish(&self->t, "x", &tid, 1, &status));
	expect_exit_0(_metadata, status);
	/* the line names the thread, not the process */
	EXPECT_NE(self->before.root, tid);
	snprintf(want, sizeof(want), "pid %ld ", tid);
	EXPECT_NE(NULL, strstr(log, want)) {
		TH_LOG("log: %s", log);
	}
}

TEST_HARNESS_MAIN
