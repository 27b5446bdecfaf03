// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/checkpoint: argument checks and the targets that
 * must be refused, each with an otherwise valid request so that only the
 * one thing under test is wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"

/* A ckpt_args with room past what the kernel knows. */
struct big_args {
	struct ckpt_args a;
	__u64 extra[2];
};

static int dev_ioctl(unsigned long cmd, void *args)
{
	int dev, ret, err;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -1;
	ret = ioctl(dev, cmd, args);
	err = errno;
	close(dev);
	errno = err;
	return ret;
}

static void fill_args(struct big_args *b, __u32 size, pid_t pid, int fd,
		      __u64 flags)
{
	memset(b, 0, sizeof(*b));
	b->a.size = size;
	b->a.pid = pid;
	b->a.fd = fd;
	b->a.logfd = -1;
	b->a.flags = flags;
}

/* A ckpt_target of ours, with pipes to its stdin and from its stdout. */
struct target {
	pid_t pid;
	int in, out;
	int waits;		/* it exits at end of file on stdin */
	struct lines lines;
};

FIXTURE(abi) {
	struct target t;
	int img;		/* a read-write temporary image file */
};

FIXTURE_SETUP(abi)
{
	self->t.pid = 0;
	self->t.in = -1;
	self->t.out = -1;
	self->t.waits = 0;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

FIXTURE_TEARDOWN(abi)
{
	struct target *t = &self->t;
	int status;

	/* let it reap its own clone child, if any, rather than orphan it */
	close(t->in);
	if (t->waits && !wait_timeout(t->pid, &status, TIMEOUT_MS))
		t->pid = 0;
	kill_reap(t->pid);
	close(t->out);
	close(self->img);
}

/* Start ckpt_target @mode; wait for its first line, and for it to block. */
static int start(struct target *t, const char *mode)
{
	int in[2], out[2];
	long n;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	t->pid = spawn_target(mode, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	t->out = out[0];
	lines_init(&t->lines, t->out);
	if (t->pid < 0)
		return -1;
	if (!strcmp(mode, "counter") || !strcmp(mode, "threads") ||
	    !strcmp(mode, "inet"))
		return lines_next(&t->lines, &n, TIMEOUT_MS) == 1 &&
		       n == 1 ? 0 : -1;
	t->waits = 1;
	if (wait_ready(t->out, TIMEOUT_MS))
		return -1;
	return wait_blocked(t->pid, TIMEOUT_MS);
}

static off_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

TEST_F(abi, args_too_small)
{
	struct big_args b;

	ASSERT_EQ(0, start(&self->t, "wait"));
	fill_args(&b, CKPT_ARGS_SIZE_VER0 - 8, self->t.pid, self->img, 0);
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_CHECKPOINT, &b));
	EXPECT_EQ(EINVAL, errno);
	fill_args(&b, 0, self->t.pid, self->img, 0);
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_CHECKPOINT, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, file_size(self->img));
}

TEST_F(abi, unknown_flags)
{
	struct big_args b;

	ASSERT_EQ(0, start(&self->t, "wait"));
	fill_args(&b, sizeof(b.a), self->t.pid, self->img,
		  CHECKPOINT_KILL | (1ULL << 7));
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_CHECKPOINT, &b));
	EXPECT_EQ(EINVAL, errno);
	fill_args(&b, sizeof(b.a), self->t.pid, self->img, 1ULL << 63);
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_CHECKPOINT, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(is_alive(self->t.pid));
	EXPECT_EQ(0, file_size(self->img));
}

TEST_F(abi, args_nonzero_tail)
{
	struct big_args b;

	ASSERT_EQ(0, start(&self->t, "wait"));
	fill_args(&b, sizeof(b), self->t.pid, self->img, 0);
	b.extra[1] = 1;
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_CHECKPOINT, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, file_size(self->img));
}

TEST_F(abi, args_zero_tail_accepted)
{
	struct big_args b;

	ASSERT_EQ(0, start(&self->t, "wait"));
	fill_args(&b, sizeof(b), self->t.pid, self->img, 0);
	ASSERT_EQ(0, dev_ioctl(CKPT_IOC_CHECKPOINT, &b)) {
		TH_LOG("checkpoint with a zero-padded larger struct: %s",
		       strerror(errno));
	}
	EXPECT_LT(0, file_size(self->img));
	EXPECT_TRUE(is_alive(self->t.pid));
}

TEST_F(abi, no_such_pid)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(-1, checkpoint(pid, self->img, 0, -1));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(abi, image_fd_not_writable)
{
	int ro = reopen_fd(self->img, O_RDONLY);

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, start(&self->t, "wait"));
	EXPECT_EQ(-1, checkpoint(self->t.pid, ro, 0, -1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, checkpoint(self->t.pid, 1000, 0, -1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_TRUE(is_alive(self->t.pid));
	close(ro);
}

TEST_F(abi, log_fd_not_writable)
{
	int ro = reopen_fd(self->img, O_RDONLY);

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, start(&self->t, "wait"));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, 0, ro));
	EXPECT_EQ(EBADF, errno);
	EXPECT_TRUE(is_alive(self->t.pid));
	close(ro);
}

TEST_F(abi, checkpoint_self)
{
	EXPECT_EQ(-1, checkpoint(getpid(), self->img, 0, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, checkpoint(getpid(), self->img, CHECKPOINT_KILL, -1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(abi, kernel_thread)
{
	char comm[32] = "";
	int fd = open("/proc/2/comm", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, comm, sizeof(comm) - 1) < 0)
			comm[0] = '\0';
		close(fd);
	}
	if (strcmp(comm, "kthreadd\n"))
		SKIP(return, "pid 2 is not kthreadd here");
	EXPECT_EQ(-1, checkpoint(2, self->img, 0, -1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, file_size(self->img));
}

/* Every thread is saved; without CHECKPOINT_KILL all go on running. */
TEST_F(abi, multi_threaded)
{
	ASSERT_EQ(0, start(&self->t, "threads"));
	ASSERT_EQ(2, nr_threads(self->t.pid));
	EXPECT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2));
	EXPECT_LT(0, file_size(self->img));
	EXPECT_EQ(2, nr_threads(self->t.pid));
}

/* The refusal is explained on logfd, in one line. */
TEST_F(abi, error_is_logged)
{
	char buf[512];
	int log[2];
	ssize_t n;

	ASSERT_EQ(0, pipe2(log, O_CLOEXEC | O_NONBLOCK));
	ASSERT_EQ(0, start(&self->t, "inet"));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, 0, log[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	n = read(log[0], buf, sizeof(buf) - 1);
	ASSERT_LT(1, n) {
		TH_LOG("nothing was written to logfd");
	}
	buf[n] = '\0';
	TH_LOG("logged: %s", buf);
	EXPECT_EQ('\n', buf[n - 1]);
	close(log[0]);
	close(log[1]);
}

/* A refused target goes on running, untouched. */
TEST_F(abi, failed_target_survives)
{
	long n, prev = 1;
	int i;

	ASSERT_EQ(0, start(&self->t, "inet"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, lines_next(&self->t.lines, &n, TIMEOUT_MS));
		ASSERT_EQ(++prev, n);
	}
	ASSERT_EQ(-1, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, -1));
	ASSERT_EQ(EOPNOTSUPP, errno);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(1, lines_next(&self->t.lines, &n, TIMEOUT_MS));
		ASSERT_EQ(++prev, n);
	}
}

TEST_F(abi, shared_mm)
{
	ASSERT_EQ(0, start(&self->t, "sharedmm"));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, -1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_TRUE(is_alive(self->t.pid));
}

/* A CLONE_FILES child shares its parent's table: saved once, the tree. */
TEST_F(abi, shared_files)
{
	ASSERT_EQ(0, start(&self->t, "sharedfiles"));
	EXPECT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2));
	EXPECT_TRUE(is_alive(self->t.pid));
}

/* Shared anonymous memory is saved (memory_test restores it). */
/* Children would be lost: process trees are not supported yet. */
/* Children are part of the checkpoint, and go on running after it. */
TEST_F(abi, has_children)
{
	ASSERT_EQ(0, start(&self->t, "child"));
	EXPECT_EQ(0, checkpoint(self->t.pid, self->img, 0, 2));
	EXPECT_TRUE(is_alive(self->t.pid));
}

TEST_F(abi, shared_mapping)
{
	ASSERT_EQ(0, start(&self->t, "shmem"));
	EXPECT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, 2));
	EXPECT_EQ(0, reap_killed(&self->t.pid));
}

/* With /dev/checkpoint opened while still root: the ioctl must check. */
static int checkpoint_as_nobody(int img_fd, void *arg)
{
	struct big_args b;
	gid_t gid = 65534;
	int dev;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		_exit(RESTART_EXIT_RETURNED);
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(65534, 65534, 65534))
		_exit(RESTART_EXIT_RETURNED);
	fill_args(&b, sizeof(b.a), *(pid_t *)arg, img_fd, CHECKPOINT_KILL);
	return ioctl(dev, CKPT_IOC_CHECKPOINT, &b);
}

TEST_F(abi, unprivileged)
{
	pid_t child;
	int status;

	if (geteuid())
		SKIP(return, "needs root to drop privileges");
	ASSERT_EQ(0, start(&self->t, "wait"));
	child = fork_call(self->img, -1, -1, checkpoint_as_nobody,
			  &self->t.pid);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, wait_timeout(child, &status, TIMEOUT_MS)) {
		kill_reap(child);
	}
	EXPECT_TRUE(CALL_FAILED_WITH(status, EPERM) ||
		    CALL_FAILED_WITH(status, EACCES)) {
		TH_LOG("status %#x", status);
	}
	EXPECT_TRUE(is_alive(self->t.pid));
	EXPECT_EQ(0, file_size(self->img));
}

/* restart: a valid image, and one thing wrong in the request. */

struct rstr_req {
	__u32 size;
	pid_t pid;
	__u64 flags;
	int fd_flags;	/* reopen the image with these, if nonzero */
};

static int restart_req(int img_fd, void *arg)
{
	const struct rstr_req *req = arg;
	struct big_args b;
	int fd = img_fd;

	if (req->fd_flags) {
		fd = reopen_fd(img_fd, req->fd_flags);
		if (fd < 0)
			_exit(RESTART_EXIT_RETURNED);
	}
	fill_args(&b, req->size, req->pid, fd, req->flags);
	b.a.logfd = STDERR_FILENO;
	return dev_ioctl(CKPT_IOC_RESTART, &b);
}

static void check_restart_req(struct __test_metadata *_metadata, int img,
			      struct rstr_req *req, int err)
{
	pid_t child;
	int status;

	ASSERT_EQ(0, make_image("wait", img));
	child = fork_call(img, -1, -1, restart_req, req);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, wait_timeout(child, &status, TIMEOUT_MS)) {
		kill_reap(child);
	}
	EXPECT_TRUE(CALL_FAILED_WITH(status, err)) {
		TH_LOG("want errno %d, status %#x", err, status);
	}
}

TEST_F(abi, restart_fd_not_readable)
{
	struct rstr_req req = { sizeof(struct ckpt_args), 0, 0, O_WRONLY };

	check_restart_req(_metadata, self->img, &req, EBADF);
}

TEST_F(abi, restart_pid_nonzero)
{
	struct rstr_req req = { sizeof(struct ckpt_args), 1, 0, 0 };

	check_restart_req(_metadata, self->img, &req, EINVAL);
}

TEST_F(abi, restart_unknown_flags)
{
	struct rstr_req req = { sizeof(struct ckpt_args), 0, 1, 0 };

	check_restart_req(_metadata, self->img, &req, EINVAL);
}

TEST_F(abi, restart_args_too_small)
{
	struct rstr_req req = { CKPT_ARGS_SIZE_VER0 - 8, 0, 0, 0 };

	check_restart_req(_metadata, self->img, &req, EINVAL);
}

/* The image used above really restarts: the refusals were meaningful. */
TEST_F(abi, restart_valid_request)
{
	struct rstr_req req = { sizeof(struct ckpt_args), 0, 0, 0 };
	pid_t child;
	int status;

	ASSERT_EQ(0, make_image("wait", self->img));
	child = fork_call(self->img, -1, -1, restart_req, &req);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, wait_timeout(child, &status, TIMEOUT_MS)) {
		kill_reap(child);
	}
	/* the restored "wait" reads end of file from /dev/null: exit 0 */
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
	}
}

/*
 * A command's direction and size bits are checked against uapi's: with
 * other ones it is not the command (ENOTTY), not run on what the caller
 * meant as something else.  A struct ckpt_args of any version's size
 * passes (args.size versions it); the pid checkpointed, none: fd -1.
 */
TEST(abi_cmd_bits)
{
	struct ckpt_restart_status st;
	struct big_args b;

	fill_args(&b, sizeof(b.a), getpid(), -1, 0);
	EXPECT_EQ(-1, dev_ioctl(_IOR(CKPT_IOC_MAGIC, 1, struct ckpt_args), &b));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dev_ioctl(_IOC(_IOC_WRITE, CKPT_IOC_MAGIC, 1,
				     CKPT_ARGS_SIZE_VER0 - 8), &b));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dev_ioctl(_IOC(_IOC_WRITE, CKPT_IOC_MAGIC, 1,
				     CKPT_ARGS_SIZE_VER0), &b));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, dev_ioctl(_IOW(CKPT_IOC_MAGIC, 1, struct big_args), &b));
	EXPECT_EQ(EBADF, errno);

	EXPECT_EQ(-1, dev_ioctl(_IOC(_IOC_READ, CKPT_IOC_MAGIC, 4, 8), &st));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_RESTART_WAIT, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, dev_ioctl(_IOW(CKPT_IOC_MAGIC, 5, int),
				(void *)(unsigned long)EIO));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, dev_ioctl(CKPT_IOC_RESTART_ABORT,
				(void *)(unsigned long)EIO));
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
