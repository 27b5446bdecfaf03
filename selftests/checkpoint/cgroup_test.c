// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup of a process (issue 12): a process checkpointed in a cgroup
 * of the default hierarchy is restarted in it, whatever rstr's own; a
 * cgroup gone by then fails the restart, naming it, before anything is
 * lost.  A process in a cgroup of a v1 controller is refused by name.
 * The target is stop_target's "self" mode: ready, then "running".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_NAME		"ckpt-cgroup-test"
#define CG_DIR		CG_ROOT "/" CG_NAME
#define OUT_SIZE	256

FIXTURE(cg) {
	int img;
	struct proc t;
	char out[OUT_SIZE];
};

/* The cgroup2 hierarchy at CG_ROOT, mounted by us if need be. */
static int cgroup2_mounted(void)
{
	struct stat st;

	if (!stat(CG_ROOT "/cgroup.procs", &st))
		return 0;
	return mount("none", CG_ROOT, "cgroup2", 0, NULL);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int move_to(const char *dir, pid_t pid)
{
	char path[256], s[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(s, sizeof(s), "%d", pid);
	return write_str(path, s);
}

/* The "0::PATH" line of /proc/@pid/cgroup, into @buf. */
static int cgroup_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

FIXTURE_SETUP(cg)
{
	use_target("stop_target");
	proc_init(&self->t);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	if (cgroup2_mounted())
		SKIP(return, "no cgroup2 hierarchy at %s: %s", CG_ROOT,
		     strerror(errno));
	ASSERT_TRUE(!mkdir(CG_DIR, 0755) || errno == EEXIST);
}

FIXTURE_TEARDOWN(cg)
{
	proc_fini(&self->t);
	close(self->img);
	rmdir(CG_DIR);
}

/* Start the target in CG_DIR, checkpoint it with kill. */
static void saved_in_cgroup(struct __test_metadata *_metadata,
			    struct _test_data_cg *self)
{
	char cg[256];

	ASSERT_EQ(0, proc_spawn(&self->t, "self"));
	ASSERT_EQ(0, move_to(CG_DIR, self->t.pid));
	ASSERT_EQ(0, cgroup_of(self->t.pid, cg, sizeof(cg)));
	ASSERT_STREQ("0::/" CG_NAME "\n", cg);
	ASSERT_EQ(0, wait_blocked(self->t.pid, TIMEOUT_MS));
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL,
				STDERR_FILENO));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	proc_fini(&self->t);
}

/* rstr in the root cgroup: the restored process joins its own. */
TEST_F_TIMEOUT(cg, joined, 120)
{
	pid_t pids[TREE_MAX_TASKS];
	char cg[256];
	int status, nr = 0;

	if (_metadata->skip)
		return;
	saved_in_cgroup(_metadata, self);
	ASSERT_EQ(0, cgroup_of(getpid(), cg, sizeof(cg)));
	ASSERT_STREQ("0::/\n", cg);
	ASSERT_EQ(0, proc_restore(&self->t, self->img, exec_rstr, NULL));
	for (int ms = 0; (nr = tree_pids(self->t.pid, pids,
					 TREE_MAX_TASKS)) < 2; ms += 10) {
		ASSERT_LT(ms, TIMEOUT_MS);
		sleep_for_ms(10);
	}
	ASSERT_EQ(0, wait_blocked(pids[1], TIMEOUT_MS));
	ASSERT_EQ(0, cgroup_of(pids[1], cg, sizeof(cg)));
	EXPECT_STREQ("0::/" CG_NAME "\n", cg);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  TIMEOUT_MS));
	EXPECT_STREQ("running\n", self->out);
}

/* Its cgroup gone: the restart fails with ENOENT, naming it. */
TEST_F_TIMEOUT(cg, gone_refused, 120)
{
	int status;

	if (_metadata->skip)
		return;
	saved_in_cgroup(_metadata, self);
	ASSERT_EQ(0, rmdir(CG_DIR));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	self->t.pid = fork_restart(self->img, -1, -1);
	ASSERT_LT(0, self->t.pid);
	ASSERT_EQ(0, wait_timeout(self->t.pid, &status, TIMEOUT_MS));
	self->t.pid = 0;
	EXPECT_TRUE(CALL_FAILED_WITH(status, ENOENT)) {
		TH_LOG("status %#x", status);
	}
}

#define V1_DIR		"/tmp/ckpt-cgroup-v1"

/* A v1 hierarchy of a controller the default one lends: its name, or NULL. */
static const char *mount_v1(void)
{
	static const char *const ctrls[] = { "pids", "freezer", "cpuset",
					     "net_cls", "devices" };
	size_t i;

	if (mkdir(V1_DIR, 0755) && errno != EEXIST)
		return NULL;
	for (i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++)
		if (!mount("none", V1_DIR, "cgroup", 0, ctrls[i]))
			return ctrls[i];
	rmdir(V1_DIR);
	return NULL;
}

/*
 * In a cgroup of a v1 controller's hierarchy, which is not saved: the
 * checkpoint fails with EOPNOTSUPP naming it, the process runs on.
 */
TEST_F_TIMEOUT(cg, v1_refused, 120)
{
	const char *ctrl;
	int status, ret;

	if (_metadata->skip)
		return;
	ctrl = mount_v1();
	if (!ctrl)
		SKIP(return, "no v1 controller can be mounted: %s",
		     strerror(errno));
	ASSERT_EQ(0, mkdir(V1_DIR "/g", 0755));
	ASSERT_EQ(0, proc_spawn(&self->t, "self"));
	ASSERT_EQ(0, move_to(V1_DIR "/g", self->t.pid));
	ASSERT_EQ(0, wait_blocked(self->t.pid, TIMEOUT_MS));
	ret = checkpoint(self->t.pid, self->img, 0, STDERR_FILENO);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("v1 %s", ctrl);
	EXPECT_EQ(0, move_to(V1_DIR, self->t.pid));
	EXPECT_EQ(0, rmdir(V1_DIR "/g"));
	EXPECT_EQ(0, umount(V1_DIR));
	rmdir(V1_DIR);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  TIMEOUT_MS));
	EXPECT_STREQ("running\n", self->out);
}

TEST_HARNESS_MAIN
