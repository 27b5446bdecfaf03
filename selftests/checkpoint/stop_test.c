// SPDX-License-Identifier: GPL-2.0
/*
 * Stopped and unfreezable tasks (issue 12): a task stopped by SIGSTOP or
 * Ctrl-Z is saved stopped and restarted stopped - SIGCONT resumes it and
 * its parent's wait() reports what it would have - and a checkpoint of
 * it returns.  A traced task is refused by name; a task that cannot be
 * frozen (a vfork() parent) fails the checkpoint with EAGAIN in bounded
 * time, the tree running on as before.
 *
 * Each stop_target mode runs three times: never checkpointed, then
 * checkpointed without kill, then checkpointed with kill and restored by
 * rstr; it must print the same each time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"

#define OUT_SIZE	1024
#define PARAM	"/sys/module/checkpoint/parameters/freeze_timeout_ms"

static const char expect_child[] =
	"stopped 1 by 19\n"
	"child state T\n"
	"continued 1\n"
	"child exit 7\n";

static const char expect_reported[] =
	"report 0\n"
	"child state T\n"
	"continued 1\n"
	"child exit 7\n";

FIXTURE(stop) {
	int img;
	struct proc t;		/* the target, or rstr */
	char out[OUT_SIZE];
};

FIXTURE_SETUP(stop)
{
	self->img = target_fixture("stop_target", &self->t);
	ASSERT_LE(0, self->img);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(stop)
{
	proc_fini(&self->t);
	close(self->img);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Within TIMEOUT_MS, until @pid's state is @want. */
static int wait_state(pid_t pid, char want)
{
	int ms, ppid, sig;
	char state;

	for (ms = 0; ms < TIMEOUT_MS; ms += 10) {
		if (!proc_stat(pid, &state, &ppid, &sig) && state == want)
			return 0;
		sleep_for_ms(10);
	}
	return -1;
}

/* The task of @root's tree at @index (0: @root), or -1. */
static pid_t tree_task(pid_t root, int index)
{
	pid_t pids[TREE_MAX_TASKS];

	return tree_pids(root, pids, TREE_MAX_TASKS) > index ? pids[index] :
							       -1;
}

/* Is @pid gone, or a zombie (waiting for us, its subreaper)? */
static bool gone_or_zombie(pid_t pid)
{
	int ppid, sig;
	char state;

	return proc_stat(pid, &state, &ppid, &sig) || state == 'Z';
}

/* Release the target, or the restored tree, and compare its output. */
static void collect(struct __test_metadata *_metadata, struct proc *t,
		    char *out, const char *expect, const char *when)
{
	int status;

	ASSERT_EQ(0, proc_collect(t, out, OUT_SIZE, &status, TIMEOUT_MS))
		TH_LOG("%s: hangs", when);
	EXPECT_STREQ(expect, out) TH_LOG("%s", when);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("%s: status %#x", when, status);
}

/*
 * @mode three times; @root_stopped: the test stops the root itself once
 * it is ready, and continues it before its release.
 */
static void run_mode(struct __test_metadata *_metadata,
		     struct _test_data_stop *self,
		     const char *mode, const char *expect, int root_stopped)
{
	unsigned long flags[] = { 0, 0, CHECKPOINT_KILL };
	const char *when[] = { "never checkpointed", "checkpointed",
			       "restored" };
	pid_t root, child;
	int run;

	for (run = 0; run < 3; run++) {
		ASSERT_EQ(0, proc_spawn(&self->t, mode));
		root = self->t.pid;
		ASSERT_EQ(0, wait_blocked(root, TIMEOUT_MS));
		if (root_stopped) {
			ASSERT_EQ(0, kill(root, SIGSTOP));
			ASSERT_EQ(0, wait_state(root, 'T'));
		}
		child = root_stopped ? 0 : tree_task(root, 1);
		if (run) {
			ASSERT_EQ(0, checkpoint(root, self->img, flags[run],
						STDERR_FILENO))
				TH_LOG("checkpoint: %s", strerror(errno));
		}
		/* --kill returned: the tree is gone, its pids free or zombies */
		if (run == 2 && child > 0)
			EXPECT_TRUE(gone_or_zombie(child));
		if (run == 2) {
			ASSERT_EQ(0, reap_killed(&self->t.pid));
			proc_fini(&self->t);
			ASSERT_EQ(0, proc_restore(&self->t, self->img,
						  exec_rstr, NULL));
			/* rstr, then the restored root */
			for (int ms = 0; (root = tree_task(self->t.pid, 1)) < 0;
			     ms += 10) {
				ASSERT_LT(ms, TIMEOUT_MS);
				sleep_for_ms(10);
			}
		}
		/* what was stopped is stopped again, the rest runs */
		if (root_stopped) {
			EXPECT_EQ(0, wait_state(root, 'T'));
			ASSERT_EQ(0, kill(root, SIGCONT));
		} else {
			child = tree_task(root, 1);
			ASSERT_LT(0, child);
			EXPECT_EQ(0, wait_state(child, 'T'));
		}
		ASSERT_EQ(0, wait_blocked(root, TIMEOUT_MS));
		collect(_metadata, &self->t, self->out, expect, when[run]);
	}
}

/* The stop not waited for yet: wait() reports it after the restart. */
TEST_F_TIMEOUT(stop, child_unreported, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "child", expect_child, 0);
}

/* Already reported: wait() has nothing to say, as before. */
TEST_F_TIMEOUT(stop, child_reported, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "reported", expect_reported, 0);
}

/* The target itself stopped (Ctrl-Z): restored stopped, SIGCONT goes on. */
TEST_F_TIMEOUT(stop, root_stopped, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "self", "running\n", 1);
}

/* A checkpoint that fails: -1 with @err, its log line in @log. */
static void refused(struct __test_metadata *_metadata, pid_t pid, int img,
		    int err, char *log, size_t size)
{
	int logp[2];
	ssize_t n;

	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-1, checkpoint(pid, img, 0, logp[1]));
	EXPECT_EQ(err, errno);
	n = read(logp[0], log, size - 1);
	close(logp[0]);
	close(logp[1]);
	ASSERT_LT(0, n);
	log[n] = '\0';
}

/* A traced task: refused by name, the tracer keeps it. */
TEST_F_TIMEOUT(stop, traced_refused, 120)
{
	int go[2], done[2];
	char log[512], c;
	pid_t tracer;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, proc_spawn(&self->t, "self"));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	tracer = fork();
	ASSERT_LE(0, tracer);
	if (!tracer) {
		close(go[0]);
		close(done[1]);
		if (ptrace(PTRACE_SEIZE, self->t.pid, 0, 0))
			_exit(1);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(2);
		_exit(0);	/* and the target is detached */
	}
	close(go[1]);
	ASSERT_EQ(1, read(go[0], &c, 1));
	refused(_metadata, self->t.pid, self->img, EOPNOTSUPP, log,
		sizeof(log));
	EXPECT_NE(NULL, strstr(log, "is traced")) TH_LOG("log: %s", log);
	close(done[1]);
	ASSERT_EQ(tracer, waitpid(tracer, NULL, 0));
	close(go[0]);
	close(done[0]);
	collect(_metadata, &self->t, self->out, "running\n", "traced");
}

static int set_param(const char *val)
{
	int fd = open(PARAM, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * A vfork() parent cannot be frozen until its child execs or exits: the
 * checkpoint gives up after freeze_timeout_ms with EAGAIN, naming it,
 * and both run on untouched.
 */
TEST_F_TIMEOUT(stop, unfreezable_eagain, 120)
{
	char log[512], want[64];
	pid_t child;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, proc_spawn(&self->t, "vfork"));
	for (int ms = 0; (child = tree_task(self->t.pid, 1)) < 0; ms += 10) {
		ASSERT_LT(ms, TIMEOUT_MS);
		sleep_for_ms(10);
	}
	ASSERT_EQ(0, wait_blocked(child, TIMEOUT_MS));
	ASSERT_EQ(0, set_param("1000"));
	refused(_metadata, self->t.pid, self->img, EAGAIN, log, sizeof(log));
	ASSERT_EQ(0, set_param("10000"));
	snprintf(want, sizeof(want), "pid %d could not be frozen within 1000 ms",
		 self->t.pid);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("log: %s", log);
	collect(_metadata, &self->t, self->out, "vfork child exit 0\n",
		"after EAGAIN");
}

TEST_HARNESS_MAIN
