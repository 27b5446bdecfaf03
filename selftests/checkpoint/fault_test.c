// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures (issue 14): the main operations run again and
 * again with /proc/self/task/TID/fail-nth set to 1, 2, 3, ... - the Nth
 * slab or page allocation of the task fails - until one runs to its end
 * without reaching the injected failure.  Every injected failure must end
 * cleanly:
 *   - a checkpoint fails with an errno (or copes and succeeds), and the
 *     target tree runs on unharmed: it is not left frozen or stopped, and
 *     once released it finds all its files as it left them;
 *   - a restart fails with an errno, or the restoring task is killed: no
 *     task of it is left; or it copes, and the restored process is whole;
 * the kernel log must stay clean (make check-debug fails the run on any
 * KASAN, lockdep, UBSAN or WARN report, and on a kmemleak report naming
 * the module).  Each operation prints how many injection points it has.
 *
 * Operations: the checkpoint of a tree holding a file of every kind
 * (fault_target tree), the restart of a process holding them (fault_target
 * one) and the same restart as pid 1 of a new pid namespace.  Restarts
 * that rstr spreads over several tasks are not swept: fail-nth is per
 * task and not inherited, so only the task that writes it is injected.
 *
 * Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC
 * and debugfs (the debug kernel of make check-debug): skips without.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"

#define OUT_SIZE	256
#define MAX_POINTS	100000	/* a runaway sweep is a failure too */
#define SWEEP_TIMEOUT	3000	/* seconds, for a kernel with KASAN in TCG */
#define DEBUGFS		"/sys/kernel/debug"

/*
 * fail-nth only counts allocations that the failslab and fail_page_alloc
 * filters let through: by default they skip the ones that may sleep
 * (nearly all of ours) and order-0 pages, and report each failure with a
 * stack dump.  Set for the sweep, put back after it.
 */
static const struct knob {
	const char *path, *value;
} knobs[] = {
	{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
	{ DEBUGFS "/failslab/verbose", "0" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
	{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	{ DEBUGFS "/fail_page_alloc/verbose", "0" },
};
#define NR_KNOBS	ARRAY_SIZE(knobs)

FIXTURE(fault) {
	int img;
	char saved[NR_KNOBS][32];
	bool set;
	struct proc t;
	char out[OUT_SIZE];
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* The first line of a small file, without its newline. */
static int read_str(const char *path, char *buf, size_t size)
{
	if (read_small_file(path, buf, size))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

FIXTURE_SETUP(fault)
{
	char path[64];
	size_t i;

	use_target("fault_target");
	proc_init(&self->t);
	self->img = -1;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(path, W_OK))
		SKIP(return, "no %s: a kernel without fault injection", path);
	if (access(DEBUGFS "/failslab", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < NR_KNOBS; i++) {
		if (read_str(knobs[i].path, self->saved[i], sizeof(self->saved[i])))
			SKIP(return, "no %s", knobs[i].path);
	}
	self->set = true;
	for (i = 0; i < NR_KNOBS; i++)
		ASSERT_EQ(0, write_str(knobs[i].path, knobs[i].value))
			TH_LOG("cannot set %s", knobs[i].path);
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}

FIXTURE_TEARDOWN(fault)
{
	size_t i;

	proc_fini(&self->t);
	if (self->img >= 0)
		close(self->img);
	for (i = 0; self->set && i < NR_KNOBS; i++)
		write_str(knobs[i].path, self->saved[i]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * The fail-nth file of task @tid (0: the caller, by thread-self, which
 * works in a pid namespace of its own too), open read-write.
 */
static int open_fail_nth(pid_t tid)
{
	char path[64];

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/fail-nth", tid,
			 tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/fail-nth");
	return open(path, O_RDWR | O_CLOEXEC);
}

static int set_nth(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

/* What is left of the countdown: 0 once the failure was injected. */
static long get_nth(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

struct sweep {
	const char *name;
	unsigned int points;	/* injection points: the last n reached */
	unsigned int failed;	/* ended in a clean failure */
	unsigned int coped;	/* succeeded all the same */
};

static void report(struct __test_metadata *_metadata, struct sweep *s)
{
	ksft_print_msg("%s: %u injection points, all %u covered (%u failed cleanly, %u coped)\n",
		       s->name, s->points, s->failed + s->coped, s->failed,
		       s->coped);
	EXPECT_LT(0, s->points);
}

/* Every task of a tree of @nr sleeps, none frozen or stopped. */
static int tree_runs(const pid_t *pids, int nr)
{
	int i, ppid, sig, ms;
	char state;

	for (ms = 0; ms < TIMEOUT_MS; ms += 10) {
		for (i = 0; i < nr; i++) {
			if (proc_stat(pids[i], &state, &ppid, &sig) ||
			    state != 'S')
				break;
		}
		if (i == nr)
			return 0;
		sleep_for_ms(10);
	}
	return -1;
}

/*
 * The checkpoint of a tree holding a file of every kind, by this task.
 * The image file is rewound, not truncated: after the first run, writing
 * it allocates no page cache, and the checkpoint's own allocations are
 * what is counted.
 */
TEST_F_TIMEOUT(fault, checkpoint_tree, SWEEP_TIMEOUT)
{
	struct sweep s = { .name = "checkpoint of a tree of every file kind" };
	pid_t pids[TREE_MAX_TASKS];
	int nth, nr, ret, err, status;
	unsigned int n;
	long left;

	if (!self->set)
		return;	/* skipped by the setup */
	ASSERT_EQ(0, proc_spawn(&self->t, "tree"));
	ASSERT_EQ(0, settle_tree(self->t.pid, pids, &nr, TIMEOUT_MS));
	ASSERT_EQ(2, nr);
	nth = open_fail_nth(0);
	ASSERT_LE(0, nth);
	for (n = 1; n <= MAX_POINTS; n++) {
		ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
		ASSERT_EQ(0, set_nth(nth, n));
		ret = checkpoint(self->t.pid, self->img, 0, -1);
		err = errno;
		left = get_nth(nth);
		ASSERT_EQ(0, set_nth(nth, 0));
		ASSERT_LE(0, left);
		if (left) {
			ASSERT_EQ(0, ret) TH_LOG("uninjected checkpoint: %s",
						 strerror(err));
			break;
		}
		s.points = n;
		if (ret) {
			s.failed++;
			ASSERT_NE(0, err);
		} else {
			s.coped++;
		}
		ASSERT_EQ(0, tree_runs(pids, nr))
			TH_LOG("failure %u (%s): the tree does not run on",
			       n, strerror(err));
	}
	ASSERT_GE(MAX_POINTS, n);
	report(_metadata, &s);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  TIMEOUT_MS));
	EXPECT_STREQ("ok\n", self->out);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(nth);
}

/* How the restoring child is told to restart. */
struct restore {
	int newpidns;		/* as pid 1 of a new pid namespace */
	unsigned int nth;	/* fail-nth for the restoring task */
};

static int restore_nth(int img_fd, struct restore *r)
{
	int fd = open_fail_nth(0);

	if (fd < 0 || set_nth(fd, r->nth))
		return -1;
	return restart(0, img_fd, 0, -1);
}

/*
 * A child restores (a grandchild, as pid 1 of a new pid namespace, with
 * @newpidns), with fail-nth @nth.
 */
static int do_restore(int img_fd, void *arg)
{
	struct restore *r = arg;
	int status;
	pid_t pid;

	if (!r->newpidns)
		return restore_nth(img_fd, r);
	if (unshare(CLONE_NEWPID))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(restore_nth(img_fd, r) ? RESTART_EXIT_BASE + errno :
					       RESTART_EXIT_RETURNED);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(RESTART_EXIT_BASE + errno);
	if (WIFSIGNALED(status))
		kill(getpid(), WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

/* The restoring task: @child, or with @newpidns its child; 0 if none. */
static pid_t restoring_task(pid_t child, int newpidns)
{
	char name[64], buf[64];

	if (!newpidns)
		return child;
	snprintf(name, sizeof(name), "task/%d/children", child);
	if (read_proc(child, name, buf, sizeof(buf)))
		return 0;
	return atoi(buf);
}

/*
 * Until the restoring task sleeps in the restored read(0) (1, the task
 * in *@pid) or the child that restores is gone (0, its status in
 * *@status).
 */
static int restore_end(pid_t child, int newpidns, pid_t *pid, int *status)
{
	char buf[64];
	int ms;

	for (ms = 0; ms < 10 * TIMEOUT_MS; ms += 5) {
		if (waitpid(child, status, WNOHANG) == child)
			return 0;
		*pid = restoring_task(child, newpidns);
		if (*pid > 0 && !read_proc(*pid, "syscall", buf, sizeof(buf)) &&
		    !strncmp(buf, "0 0x0 ", 6))
			return 1;
		sleep_for_ms(5);
	}
	return -1;
}

static void sweep_restart(struct __test_metadata *_metadata,
			  struct _test_data_fault *self, struct sweep *s,
			  int newpidns)
{
	struct restore r = { .newpidns = newpidns };
	int status, ended, nth;
	unsigned int n;
	pid_t pid;
	long left;

	if (!self->set)
		return;	/* skipped by the setup */
	ASSERT_EQ(0, make_image("one", self->img));
	for (n = 1; n <= MAX_POINTS; n++) {
		r.nth = n;
		pid = 0;
		ASSERT_EQ(0, proc_restore(&self->t, self->img, do_restore, &r));
		ended = restore_end(self->t.pid, newpidns, &pid, &status);
		ASSERT_LE(0, ended) TH_LOG("failure %u: restart hangs", n);
		if (!ended) {
			/* failed: the child returned an errno, or was killed */
			self->t.pid = 0;
			proc_fini(&self->t);
			ASSERT_TRUE((WIFEXITED(status) &&
				     WEXITSTATUS(status) > RESTART_EXIT_BASE) ||
				    KILLED_BY(status, SIGKILL))
				TH_LOG("failure %u: status %#x", n, status);
			ASSERT_FALSE(pid > 0 && task_exists(pid))
				TH_LOG("failure %u: task %d left", n, pid);
			s->points = n;
			s->failed++;
			continue;
		}
		/* restored: stop the countdown before the target goes on */
		nth = open_fail_nth(pid);
		ASSERT_LE(0, nth);
		left = get_nth(nth);
		ASSERT_EQ(0, set_nth(nth, 0));
		close(nth);
		ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE,
					  &status, TIMEOUT_MS));
		EXPECT_STREQ("ok\n", self->out) TH_LOG("failure %u", n);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("failure %u: status %#x", n, status);
		if (left)
			break;
		s->points = n;
		s->coped++;
	}
	ASSERT_GE(MAX_POINTS, n);
	report(_metadata, s);
}

/* A restart of a process holding a file of every kind, into the caller. */
TEST_F_TIMEOUT(fault, restart, SWEEP_TIMEOUT)
{
	struct sweep s = { .name = "restart of a process of every file kind" };

	sweep_restart(_metadata, self, &s, 0);
}

/* The same as pid 1 of a new pid namespace. */
TEST_F_TIMEOUT(fault, restart_pidns, SWEEP_TIMEOUT)
{
	struct sweep s = { .name = "restart into a new pid namespace" };

	sweep_restart(_metadata, self, &s, 1);
}

TEST_HARNESS_MAIN
