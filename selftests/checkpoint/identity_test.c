// SPDX-License-Identifier: GPL-2.0
/*
 * Identity: resource limits, scheduling and prctl() attributes and
 * credentials come back as they were, and only where the restarting
 * process could take them itself; a seccomp filter is refused.  Every
 * check reads what the restored process reports about itself.  Needs
 * root: targets and restarting processes drop to other identities.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "util.h"
#include "identity_target.h"

#define OUT_MAX		4096
#define CAP_BIT(c)	(1ULL << (c))

/* How the restarting child prepares itself before it calls restart(). */
enum as {
	AS_ROOT,		/* as it is */
	AS_USER,		/* set_user_ids() */
	AS_USER_NICE10,		/* that, at nice 10 */
	AS_NO_SYS_ADMIN,	/* root without CAP_SYS_ADMIN */
	AS_NO_RESOURCE,		/* root without CAP_SYS_RESOURCE, NOFILE 1024,
				 * as the "nofile" target
				 */
	AS_NO_NEW_PRIVS,	/* root with no_new_privs */
};

FIXTURE(id) {
	int img;
	pid_t t, r;		/* the target, the restarting child */
	int t_in, t_out, r_in, r_out;
	char out[OUT_MAX];	/* what the restarting child wrote */
};

FIXTURE_SETUP(id)
{
	signal(SIGPIPE, SIG_IGN);
	self->t = self->r = 0;
	self->t_in = self->t_out = self->r_in = self->r_out = -1;
	self->out[0] = '\0';
	if (geteuid())
		SKIP(return, "needs root");
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

FIXTURE_TEARDOWN(id)
{
	kill_reap(self->t);
	kill_reap(self->r);
	close_fd(&self->t_in);
	close_fd(&self->t_out);
	close_fd(&self->r_in);
	close_fd(&self->r_out);
	close_fd(&self->img);
}

static const char *identity_target_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return "./identity_target";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/identity_target", dirname(exe));
	return path;
}

static int run_target(int img_fd, void *arg)
{
	(void)img_fd;
	execl(identity_target_path(), "identity_target", (char *)arg,
	      (char *)NULL);
	return -1;
}

/* Start the target in @mode and wait until it blocks in read(0). */
static int start_target(struct _test_data_id *self, const char *mode)
{
	int in, out;

	if (stdio_pipes(&self->t_in, &self->t_out, &in, &out))
		return -1;
	self->t = fork_call(-1, in, out, run_target, (void *)mode);
	close(in);
	close(out);
	if (self->t < 0 || wait_ready(self->t_out, TIMEOUT_MS))
		return -1;
	return wait_blocked(self->t, TIMEOUT_MS);
}

static int checkpoint_kill(struct _test_data_id *self)
{
	if (checkpoint(self->t, self->img, CHECKPOINT_KILL, STDERR_FILENO))
		return -1;
	if (reap_killed(&self->t))
		return -1;
	return lseek(self->img, 0, SEEK_SET) ? -1 : 0;
}

static int become(enum as as)
{
	struct rlimit rl = { 1024, 1024 };

	switch (as) {
	case AS_ROOT:
		return 0;
	case AS_USER:
		return set_user_ids();
	case AS_USER_NICE10:
		return setpriority(PRIO_PROCESS, 0, 10) || set_user_ids();
	case AS_NO_SYS_ADMIN:
		return drop_cap(CAP_SYS_ADMIN);
	case AS_NO_RESOURCE:
		return setrlimit(RLIMIT_NOFILE, &rl) ||
		       drop_cap(CAP_SYS_RESOURCE);
	case AS_NO_NEW_PRIVS:
		return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	}
	return -1;
}

/* In the child: log lines go to stdout, where the test reads them. */
static int restart_as(int img_fd, void *arg)
{
	if (become(*(enum as *)arg)) {
		errno = ENOTRECOVERABLE;
		return -1;
	}
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

/*
 * Run @fn(@arg) in a child with the image at fd 3, write @byte (if any)
 * to its stdin, close that and read all it writes into self->out.  The
 * child's wait status, or -1.
 */
static int run_child(struct _test_data_id *self, call_fn fn, void *arg,
		     char byte)
{
	int in, out, status = -1;
	size_t len = 0;
	ssize_t n;
	struct pollfd p;

	/* the child shares the image's offset: each run reads it all */
	if (lseek(self->img, 0, SEEK_SET) ||
	    stdio_pipes(&self->r_in, &self->r_out, &in, &out))
		return -1;
	self->r = fork_call(self->img, in, out, fn, arg);
	close(in);
	close(out);
	if (self->r < 0)
		return -1;
	/* the restored process reports once its read(0) returns */
	if (byte && write(self->r_in, &byte, 1) != 1)
		return -1;
	close_fd(&self->r_in);
	p.fd = self->r_out;
	p.events = POLLIN;
	while (len < sizeof(self->out) - 1 && poll(&p, 1, TIMEOUT_MS) > 0) {
		n = read(self->r_out, self->out + len,
			 sizeof(self->out) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	self->out[len] = '\0';
	close_fd(&self->r_out);
	if (wait_timeout(self->r, &status, TIMEOUT_MS))
		return -1;
	self->r = 0;
	return status;
}

/* Restart in a child prepared @as; the restored process exits 0. */
static int restore(struct _test_data_id *self, enum as as)
{
	return run_child(self, restart_as, &as, 0);
}

/* rstr with one or two options, @byte written to the restored process */
static int run_rstr(struct _test_data_id *self, char byte, const char *opt1,
		    const char *opt2)
{
	const char *opts[] = { opt1, opt2, NULL };

	return run_child(self, exec_rstr, opts, byte);
}

/* The pid the restored process reported, or -1. */
static pid_t reported_pid(const char *out)
{
	const char *p = strstr(out, " pid=");

	return p ? atoi(p + 5) : -1;
}

/* The restored process ran to its report and exited 0. */
static void expect_restored(struct __test_metadata *_metadata,
			    const char *out, int status)
{
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("status %#x, output: %s", status, out);
	}
}

#define EXPECT_RESTORED(status)	expect_restored(_metadata, self->out, status)

/* restart() failed with @err in the child, which logged @msg. */
#define EXPECT_REFUSED(status, err, msg)				\
	do {								\
		EXPECT_TRUE(CALL_FAILED_WITH(status, err)) {		\
			TH_LOG("status %#x, output: %s", status,	\
			       self->out);				\
		}							\
		EXPECT_NE(NULL, strstr(self->out, msg)) {		\
			TH_LOG("log: %s", self->out);			\
		}							\
		EXPECT_EQ(NULL, strstr(self->out, "uid="));		\
	} while (0)

TEST_F(id, attributes_restored)
{
	int status;

	ASSERT_EQ(0, start_target(self, "attrs"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	EXPECT_NE(NULL, strstr(self->out,
			       " nofile=100/200 nice=7 policy=0x3 prio=0 nnp=1 dump=0 pdeath=10 oom=500 loginuid=4242 ")) {
		TH_LOG("restored: %s", self->out);
	}
}

TEST_F(id, realtime_policy_restored)
{
	int status;

	ASSERT_EQ(0, start_target(self, "rt"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	EXPECT_NE(NULL, strstr(self->out, " policy=0x40000002 prio=7 ")) {
		TH_LOG("restored: %s", self->out);
	}
}

/*
 * Checkpoint a target of @mode that has state not supported yet: the
 * checkpoint fails with EOPNOTSUPP and a log line holding @msg, and the
 * target is neither killed nor stopped.
 */
static void expect_unsupported(struct __test_metadata *_metadata,
			       struct _test_data_id *self, const char *mode,
			       const char *msg)
{
	char log[512] = "";
	int fd = tmp_image(), status;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_target(self, mode));
	EXPECT_EQ(-1, checkpoint(self->t, self->img, CHECKPOINT_KILL, fd));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_LT(0, pread(fd, log, sizeof(log) - 1, 0));
	close(fd);
	EXPECT_NE(NULL, strstr(log, msg)) {
		TH_LOG("log: %s", log);
	}
	/* not killed, and it runs on */
	ASSERT_EQ(1, write(self->t_in, "x", 1));
	ASSERT_EQ(0, wait_timeout(self->t, &status, TIMEOUT_MS));
	self->t = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

TEST_F(id, seccomp_refused)
{
	expect_unsupported(_metadata, self, "seccomp",
			   "seccomp filters are not supported yet");
}

TEST_F(id, cpu_limit_refused)
{
	expect_unsupported(_metadata, self, "cpulimit",
			   "a finite RLIMIT_CPU soft limit is not supported yet");
}

TEST_F(id, same_user_restores_own)
{
	int status;

	ASSERT_EQ(0, start_target(self, "user"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_USER);
	EXPECT_RESTORED(status);
	EXPECT_EQ(0, strncmp(self->out, USER_IDS, strlen(USER_IDS))) {
		TH_LOG("restored: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, " nice=5 ")) {
		TH_LOG("restored: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, " prm=0 "));
}

TEST_F(id, root_restores_user)
{
	int status;

	ASSERT_EQ(0, start_target(self, "user"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	EXPECT_EQ(0, strncmp(self->out, USER_IDS, strlen(USER_IDS))) {
		TH_LOG("restored: %s", self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, " prm=0 "));
}

TEST_F(id, user_cannot_restore_root)
{
	int status;

	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_USER);
	EXPECT_REFUSED(status, EPERM, "CRED record");
}

TEST_F(id, capability_subset_restored)
{
	unsigned long long prm = 0, bnd = 0;
	char *p;
	int status;

	ASSERT_EQ(0, start_target(self, "nocap"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	p = strstr(self->out, " prm=");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p, " prm=%llx bnd=%llx", &prm, &bnd));
	EXPECT_EQ(0, prm & CAP_BIT(CAP_SYS_ADMIN));
	EXPECT_EQ(0, bnd & CAP_BIT(CAP_SYS_ADMIN));
	EXPECT_NE(0, prm & CAP_BIT(CAP_SYS_RESOURCE));
}

TEST_F(id, capability_not_held)
{
	int status;

	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_NO_SYS_ADMIN);
	EXPECT_REFUSED(status, EPERM, "capabilities");
}

TEST_F(id, hard_limit_not_raised)
{
	int status;

	ASSERT_EQ(0, start_target(self, "nofile"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_NO_RESOURCE);
	EXPECT_REFUSED(status, EPERM, "NOFILE hard limit");
}

/* Below the caller's floor, oom_score_adj needs CAP_SYS_RESOURCE. */
TEST_F(id, oom_score_adj_not_lowered)
{
	int status;

	ASSERT_EQ(0, start_target(self, "oom"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_NO_RESOURCE);
	EXPECT_REFUSED(status, EPERM, "oom_score_adj -500");
}

TEST_F(id, oom_score_adj_restored)
{
	int status;

	ASSERT_EQ(0, start_target(self, "oom"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	EXPECT_NE(NULL, strstr(self->out, " oom=-500 "));
}

TEST_F(id, hard_limit_restored)
{
	int status;

	ASSERT_EQ(0, start_target(self, "nofile"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_ROOT);
	EXPECT_RESTORED(status);
	EXPECT_NE(NULL, strstr(self->out, " nofile=64/4096 "));
}

TEST_F(id, nice_not_lowered)
{
	int status;

	ASSERT_EQ(0, start_target(self, "user"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_USER_NICE10);
	EXPECT_REFUSED(status, EPERM, "nice");
}

TEST_F(id, no_new_privs_kept)
{
	int status;

	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = restore(self, AS_NO_NEW_PRIVS);
	EXPECT_REFUSED(status, EPERM, "no_new_privs");
}

/* rstr --wait --copy-status: the restored process's exit code or signal */
TEST_F(id, rstr_copy_status)
{
	int status;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));

	status = run_rstr(self, 'e', "--copy-status", NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) {
		TH_LOG("status %#x, output: %s", status, self->out);
	}
	EXPECT_EQ(0, strncmp(self->out, "uid=0,0,0 ", 10));

	status = run_rstr(self, 't', "--copy-status", NULL);
	EXPECT_TRUE(KILLED_BY(status, SIGTERM)) {
		TH_LOG("status %#x, output: %s", status, self->out);
	}
	EXPECT_EQ(0, strncmp(self->out, "uid=0,0,0 ", 10));

	/* without it, a signal becomes 128 + its number */
	status = run_rstr(self, 't', "--wait", NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM) {
		TH_LOG("status %#x, output: %s", status, self->out);
	}
}

/* The original pid, free again once the target is reaped. */
TEST_F(id, pid_restored)
{
	pid_t pid;
	int status;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	ASSERT_EQ(0, start_target(self, "plain"));
	pid = self->t;
	ASSERT_EQ(0, checkpoint_kill(self));
	status = run_rstr(self, 0, "-v", NULL);
	EXPECT_RESTORED(status);
	EXPECT_EQ(pid, reported_pid(self->out)) {
		TH_LOG("restored: %s", self->out);
	}
}

/* The original still runs: another pid, or the same in a new pid ns. */
TEST_F(id, pid_taken)
{
	pid_t pid;
	int status;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	ASSERT_EQ(0, start_target(self, "plain"));
	pid = self->t;
	ASSERT_EQ(0, checkpoint(pid, self->img, 0, STDERR_FILENO));

	status = run_rstr(self, 0, "-v", NULL);
	EXPECT_RESTORED(status);
	EXPECT_LT(0, reported_pid(self->out));
	EXPECT_NE(pid, reported_pid(self->out)) {
		TH_LOG("restored: %s", self->out);
	}

	status = run_rstr(self, 0, "--pidns", "-v");
	EXPECT_RESTORED(status);
	EXPECT_EQ(pid, reported_pid(self->out)) {
		TH_LOG("restored: %s", self->out);
	}
	EXPECT_TRUE(is_alive(pid));
}

/* rstr --pidns passes the restored process's status on through its init. */
TEST_F(id, pidns_copy_status)
{
	int status;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));

	status = run_rstr(self, 'e', "--pidns", "--copy-status");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) {
		TH_LOG("status %#x, output: %s", status, self->out);
	}
	status = run_rstr(self, 't', "--pidns", "--copy-status");
	EXPECT_TRUE(KILLED_BY(status, SIGTERM)) {
		TH_LOG("status %#x, output: %s", status, self->out);
	}
	EXPECT_NE(NULL, strstr(self->out, "uid=0,0,0 "));
}

/* How restart_with_prefix() breaks the bytes it read from the image. */
enum prefix_how {
	PREFIX_INTACT,
	PREFIX_BAD_MAGIC,	/* a byte of the magic in the prefix */
	PREFIX_TOO_LONG,	/* prefix_len past CKPT_PREFIX_MAX */
};

static int restart_with_prefix(int img_fd, void *arg)
{
	static unsigned char prefix[CKPT_PREFIX_MAX + 1];
	enum prefix_how how = *(enum prefix_how *)arg;
	struct ckpt_tree tree;
	size_t len;

	/* HEADER and TREE, as rstr reads them */
	if (ckpt_read_tree(img_fd, &tree) || tree.tree->nr_tasks != 1) {
		ckpt_tree_free(&tree);
		errno = ENOTRECOVERABLE;
		return -1;
	}
	len = tree.len;
	memcpy(prefix, tree.prefix, len);
	ckpt_tree_free(&tree);
	if (how == PREFIX_BAD_MAGIC)
		prefix[offsetof(struct ckpt_hdr_header, magic)] ^= 1;
	if (how == PREFIX_TOO_LONG)
		len = CKPT_PREFIX_MAX + 1;
	return restart_prefix(img_fd, 0, STDOUT_FILENO, prefix, len);
}

/* The bytes rstr reads before the ioctl are checked like the rest. */
TEST_F(id, restart_prefix)
{
	enum prefix_how how = PREFIX_INTACT;
	int status;

	ASSERT_EQ(0, start_target(self, "plain"));
	ASSERT_EQ(0, checkpoint_kill(self));
	status = run_child(self, restart_with_prefix, &how, 0);
	EXPECT_RESTORED(status);
	EXPECT_EQ(0, strncmp(self->out, "uid=0,0,0 ", 10));

	how = PREFIX_BAD_MAGIC;
	status = run_child(self, restart_with_prefix, &how, 0);
	EXPECT_REFUSED(status, EINVAL, "bad magic");

	how = PREFIX_TOO_LONG;
	status = run_child(self, restart_with_prefix, &how, 0);
	EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL)) {
		TH_LOG("status %#x", status);
	}
}

/* A prefix is for restart only. */
TEST_F(id, checkpoint_prefix_refused)
{
	struct ckpt_args a = {
		.size = sizeof(a), .fd = self->img, .logfd = -1,
		.prefix_len = 8,
	};
	char buf[8] = "";
	int dev;

	a.prefix = (unsigned long)buf;
	ASSERT_EQ(0, start_target(self, "plain"));
	a.pid = self->t;
	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(-1, ioctl(dev, CKPT_IOC_CHECKPOINT, &a));
	EXPECT_EQ(EINVAL, errno);
	close(dev);
	EXPECT_EQ(0, lseek(self->img, 0, SEEK_END));
	EXPECT_TRUE(is_alive(self->t));
}

TEST_HARNESS_MAIN
