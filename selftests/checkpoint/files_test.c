// SPDX-License-Identifier: GPL-2.0
/*
 * The fd table across checkpoint and restart: same numbers and flags,
 * shared offsets, unlinked files with their data, devices, directories,
 * cwd and umask - checked by the restored process itself (files_target).
 * A file gone before restart, or a kind not supported yet, is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"

#define DUP_FILE	"/tmp/ckpt_files_dup"
#define UNLINKED_FILE	"/tmp/ckpt_files_unlinked"
#define FOREIGN_USER	1000	/* files_target's "foreign" runs as it */
#define SMALL_DIR	"/tmp/ckpt_files_small"	/* files_target's "small" */
#define SMALL_FILLER	SMALL_DIR "/filler"
#define SMALL_SIZE	(512 << 10)	/* its unlinked file's data */

FIXTURE(files) {
	int img;
	pid_t target, restored;
	int in[2], out[2];	/* the target's stdin and stdout */
	int rin[2], rout[2];	/* the restored process's */
};

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* files_target sits beside this test. */
static void use_files_target(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/files_target", dirname(exe));
	setenv("CKPT_TARGET", path, 1);
}

FIXTURE_SETUP(files)
{
	signal(SIGPIPE, SIG_IGN);
	use_files_target();
	self->target = self->restored = 0;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->out, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rin, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rout, O_CLOEXEC));
}

FIXTURE_TEARDOWN(files)
{
	kill_reap(self->target);
	kill_reap(self->restored);
	close(self->img);
	close_pair(self->in);
	close_pair(self->out);
	close_pair(self->rin);
	close_pair(self->rout);
	unlink(DUP_FILE);
	unlink(UNLINKED_FILE);	/* unlinked_name_taken's */
	/* what the "small" tests mounted, if they got that far */
	unlink(SMALL_FILLER);
	umount(SMALL_DIR);
}

/* Start files_target @mode and wait until its state is set up. */
static int start_mode(struct _test_data_files *self, const char *mode)
{
	self->target = spawn_target(mode, self->in[0], self->out[1]);
	if (self->target < 0)
		return -1;
	return wait_ready(self->out[0], TIMEOUT_MS);
}

/* Checkpoint with --kill, restart from the image in a child of ours. */
static int checkpoint_restart(struct _test_data_files *self)
{
	if (checkpoint(self->target, self->img, CHECKPOINT_KILL, 2))
		return -1;
	if (reap_killed(&self->target))
		return -1;
	if (lseek(self->img, 0, SEEK_SET))
		return -1;
	self->restored = fork_restart(self->img, self->rin[0], self->rout[1]);
	return self->restored > 0 ? 0 : -1;
}

/* Let the restored target run its checks; its exit status says how. */
static int run_checks(struct _test_data_files *self)
{
	int status;

	if (write(self->rin[1], "go", 1) != 1)
		return -1;
	if (wait_timeout(self->restored, &status, TIMEOUT_MS))
		return -1;
	self->restored = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void round_trip(struct __test_metadata *_metadata,
		       struct _test_data_files *self, const char *mode)
{
	ASSERT_EQ(0, start_mode(self, mode));
	ASSERT_EQ(0, checkpoint_restart(self));
	EXPECT_EQ(0, run_checks(self));
}

TEST_F(files, dup_shares_offset)
{
	round_trip(_metadata, self, "dup");
}

TEST_F(files, status_flags)
{
	round_trip(_metadata, self, "flags");
}

TEST_F(files, unlinked_keeps_data)
{
	round_trip(_metadata, self, "unlinked");
}

/* Holes stay holes, even in a 1 TiB file: SEEK_DATA finds the same. */
TEST_F(files, unlinked_sparse)
{
	round_trip(_metadata, self, "sparse");
}

/* Owner, mode and times come back, whatever the restarter's umask. */
TEST_F(files, unlinked_attrs)
{
	mode_t old;

	ASSERT_EQ(0, start_mode(self, "attrs"));
	old = umask(077);
	ASSERT_EQ(0, checkpoint_restart(self));
	umask(old);
	EXPECT_EQ(0, run_checks(self));
}

/* One inode open three times comes back once, each file its own. */
TEST_F(files, unlinked_open_twice)
{
	round_trip(_metadata, self, "twice");
}

TEST_F(files, unlinked_truncated)
{
	round_trip(_metadata, self, "truncated");
}

/*
 * The unlinked file's name is another file's at restart: the file comes
 * back nameless ("#ino", as O_TMPFILE makes it), the other one is left
 * as it was - never replaced, not even for a moment.
 */
TEST_F(files, unlinked_name_taken)
{
	static const char other[] = "someone else's file";
	struct stat before, after;
	char buf[64] = "";
	int fd;

	ASSERT_EQ(0, start_mode(self, "taken"));
	ASSERT_EQ(0, checkpoint(self->target, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->target));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	fd = open(UNLINKED_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(other), write(fd, other, sizeof(other)));
	ASSERT_EQ(0, fstat(fd, &before));
	close(fd);
	self->restored = fork_restart(self->img, self->rin[0], self->rout[1]);
	ASSERT_LT(0, self->restored);
	EXPECT_EQ(0, run_checks(self));
	ASSERT_EQ(0, stat(UNLINKED_FILE, &after));
	EXPECT_EQ(before.st_ino, after.st_ino);
	EXPECT_EQ(1, after.st_nlink);
	EXPECT_EQ(sizeof(other), after.st_size);
	EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	EXPECT_EQ(before.st_ctim.tv_nsec, after.st_ctim.tv_nsec);
	fd = open(UNLINKED_FILE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(other), read(fd, buf, sizeof(buf)));
	close(fd);
	EXPECT_STREQ(other, buf);
}

static int restart_as_user(int img_fd, void *arg)
{
	gid_t gid = FOREIGN_USER;

	(void)arg;
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(FOREIGN_USER, FOREIGN_USER, FOREIGN_USER))
		_exit(RESTART_EXIT_RETURNED);
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

/*
 * The image's unlinked file belongs to someone the unprivileged user
 * restarting it cannot give it to: EPERM, naming the file.
 */
TEST_F(files, unlinked_foreign_owner_refused)
{
	char log[1024] = "";
	int logp[2], status;
	ssize_t n;

	if (geteuid())
		SKIP(return, "needs root to drop privileges");
	ASSERT_EQ(0, start_mode(self, "foreign"));
	ASSERT_EQ(0, checkpoint(self->target, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->target));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	self->restored = fork_call(self->img, self->rin[0], logp[1],
				   restart_as_user, NULL);
	ASSERT_LT(0, self->restored);
	ASSERT_EQ(0, wait_timeout(self->restored, &status, TIMEOUT_MS));
	self->restored = 0;
	n = read(logp[0], log, sizeof(log) - 1);
	close_pair(logp);
	log[n > 0 ? n : 0] = '\0';
	EXPECT_TRUE(CALL_FAILED_WITH(status, EPERM)) {
		TH_LOG("status %#x, log: %s", status, log);
	}
	EXPECT_NE(NULL, strstr(log, UNLINKED_FILE)) {
		TH_LOG("log: %s", log);
	}
	EXPECT_NE(NULL, strstr(log, "owner")) {
		TH_LOG("log: %s", log);
	}
}

/* Mapped through a file of its own too: refused, the target untouched. */
TEST_F(files, unlinked_mapped_refused)
{
	char log[256] = "";
	int logp[2], status;
	ssize_t n;

	ASSERT_EQ(0, start_mode(self, "mapped"));
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-1, checkpoint(self->target, self->img, 0, logp[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	n = read(logp[0], log, sizeof(log) - 1);
	close_pair(logp);
	log[n > 0 ? n : 0] = '\0';
	EXPECT_NE(NULL, strstr(log, "fd 3")) {
		TH_LOG("log: %s", log);
	}
	EXPECT_NE(NULL, strstr(log, "also mapped")) {
		TH_LOG("log: %s", log);
	}
	ASSERT_EQ(1, write(self->in[1], "x", 1));
	ASSERT_EQ(0, wait_timeout(self->target, &status, TIMEOUT_MS));
	self->target = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int restart_small_fsize(int img_fd, void *arg)
{
	struct rlimit rl = { SMALL_SIZE / 2, SMALL_SIZE / 2 };

	(void)arg;
	/* a size past RLIMIT_FSIZE is EFBIG, and SIGXFSZ */
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		_exit(RESTART_EXIT_RETURNED);
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

static int restart_to_log(int img_fd, void *arg)
{
	(void)arg;
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

/*
 * "small"'s unlinked file in a 1 MiB tmpfs, restarted where it no longer
 * fits: no room left (@err ENOSPC), or a file size limit below its size
 * (EFBIG).  The restart fails with that errno, and says what and where.
 */
static void small_restart(struct __test_metadata *_metadata,
			  struct _test_data_files *self, int err,
			  const char *what)
{
	char log[1024] = "";
	int logp[2], status, fd;
	ssize_t n;

	if (geteuid())
		SKIP(return, "needs root to mount a tmpfs");
	ASSERT_EQ(0, mkdir(SMALL_DIR, 0755) && errno != EEXIST);
	ASSERT_EQ(0, mount("tmpfs", SMALL_DIR, "tmpfs", 0, "size=1m"));
	ASSERT_EQ(0, start_mode(self, "small"));
	ASSERT_EQ(0, checkpoint(self->target, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->target));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	if (err == ENOSPC) {
		fd = open(SMALL_FILLER, O_WRONLY | O_CREAT, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, posix_fallocate(fd, 0, 3 * SMALL_SIZE / 2));
		close(fd);
	}
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	self->restored = fork_call(self->img, self->rin[0], logp[1],
				   err == EFBIG ? restart_small_fsize :
						  restart_to_log, NULL);
	ASSERT_LT(0, self->restored);
	ASSERT_EQ(0, wait_timeout(self->restored, &status, TIMEOUT_MS));
	self->restored = 0;
	n = read(logp[0], log, sizeof(log) - 1);
	close_pair(logp);
	log[n > 0 ? n : 0] = '\0';
	EXPECT_TRUE(CALL_FAILED_WITH(status, err)) {
		TH_LOG("status %#x, log: %s", status, log);
	}
	EXPECT_NE(NULL, strstr(log, SMALL_DIR "/unlinked")) {
		TH_LOG("log: %s", log);
	}
	EXPECT_NE(NULL, strstr(log, what)) {
		TH_LOG("log: %s", log);
	}
}

TEST_F(files, unlinked_no_space_reported)
{
	small_restart(_metadata, self, ENOSPC, "cannot write");
}

TEST_F(files, unlinked_too_big_reported)
{
	small_restart(_metadata, self, EFBIG, "cannot make it 524288 bytes");
}

/* The @nth record of @type among the top-level records of @buf, or NULL. */
static struct ckpt_hdr *image_record(unsigned char *buf, size_t len,
				     __u32 type, int nth)
{
	size_t off = image_top_record(buf, len, type, nth, NULL);

	return off ? (struct ckpt_hdr *)(buf + off) : NULL;
}

enum unlinked_edit { EXTENT_OVERLAP, EXTENT_PAST_SIZE, INODE_MODE };

/*
 * A broken record of the "sparse" image's first unlinked file: restart
 * fails with EINVAL.  Its FILE_DATA records are its three extents.
 */
static void broken_unlinked(struct __test_metadata *_metadata,
			    struct _test_data_files *self,
			    enum unlinked_edit edit)
{
	struct ckpt_hdr_file_data *d1, *d2;
	struct ckpt_hdr_unlinked *u;
	unsigned char *buf;
	int fd, status;
	size_t len;

	ASSERT_EQ(0, start_mode(self, "sparse"));
	ASSERT_EQ(0, checkpoint(self->target, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->target));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	len = read_file(self->img, &buf);
	ASSERT_LT(0, len);
	u = (void *)image_record(buf, len, CKPT_HDR_UNLINKED, 0);
	d1 = (void *)image_record(buf, len, CKPT_HDR_FILE_DATA, 0);
	d2 = (void *)image_record(buf, len, CKPT_HDR_FILE_DATA, 1);
	ASSERT_TRUE(u && d1 && d2);
	ASSERT_TRUE(d1->objref == d2->objref && d2->offset > d1->offset);
	switch (edit) {
	case EXTENT_OVERLAP:
		d2->offset = d1->offset + d1->len - 1;
		break;
	case EXTENT_PAST_SIZE:
		d2->offset = u->size - d2->len + 1;
		break;
	case INODE_MODE:
		u->mode = S_IFDIR | 0755;
		break;
	}
	ASSERT_EQ(0, image_reseal(buf, len));
	fd = image_file(buf, len);
	free(buf);
	ASSERT_LE(0, fd);
	self->restored = fork_restart(fd, self->rin[0], self->rout[1]);
	close(fd);
	ASSERT_LT(0, self->restored);
	ASSERT_EQ(0, wait_timeout(self->restored, &status, TIMEOUT_MS));
	self->restored = 0;
	EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL)) {
		TH_LOG("status %#x", status);
	}
}

TEST_F(files, unlinked_extent_overlap_refused)
{
	broken_unlinked(_metadata, self, EXTENT_OVERLAP);
}

TEST_F(files, unlinked_extent_past_size_refused)
{
	broken_unlinked(_metadata, self, EXTENT_PAST_SIZE);
}

TEST_F(files, unlinked_bad_mode_refused)
{
	broken_unlinked(_metadata, self, INODE_MODE);
}

TEST_F(files, devices_and_dirs)
{
	round_trip(_metadata, self, "devs");
}

TEST_F(files, cwd_and_umask)
{
	round_trip(_metadata, self, "cwd");
}

/* The file is gone: refused before anything is destroyed. */
TEST_F(files, missing_file_refused)
{
	int status;

	ASSERT_EQ(0, start_mode(self, "dup"));
	ASSERT_EQ(0, checkpoint(self->target, self->img, CHECKPOINT_KILL, 2));
	ASSERT_EQ(0, reap_killed(&self->target));
	ASSERT_EQ(0, unlink(DUP_FILE));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	self->restored = fork_restart(self->img, self->rin[0], self->rout[1]);
	ASSERT_LT(0, self->restored);
	ASSERT_EQ(0, wait_timeout(self->restored, &status, TIMEOUT_MS));
	self->restored = 0;
	EXPECT_TRUE(CALL_FAILED_WITH(status, ENOENT)) {
		TH_LOG("status %#x", status);
	}
}

/*
 * @mode's fd 3 is refused at checkpoint, the log naming it and @what; the
 * target goes on untouched.
 */
static void refused_fd3(struct __test_metadata *_metadata,
			struct _test_data_files *self, const char *mode,
			const char *what)
{
	char log[256] = "";
	int logp[2], status;
	ssize_t n;

	ASSERT_EQ(0, start_mode(self, mode));
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-1, checkpoint(self->target, self->img, 0, logp[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	n = read(logp[0], log, sizeof(log) - 1);
	close_pair(logp);
	ASSERT_LT(0, n);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "fd 3")) {
		TH_LOG("log: %s", log);
	}
	EXPECT_NE(NULL, strstr(log, what)) {
		TH_LOG("log: %s", log);
	}
	ASSERT_EQ(1, write(self->in[1], "x", 1));
	ASSERT_EQ(0, wait_timeout(self->target, &status, TIMEOUT_MS));
	self->target = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A socket at fd 3 is not supported yet. */
TEST_F(files, unsupported_kind_refused)
{
	refused_fd3(_metadata, self, "socket", "socket");
}

/*
 * A regular file restart could not open again by path ("uts:[...]"):
 * refused at checkpoint, not an image that rstr would reject.
 */
TEST_F(files, pathless_file_refused)
{
	refused_fd3(_metadata, self, "nsfs", "has no path to open it again");
}

/*
 * A directory and a device node held open after their names were
 * removed: restart would open them by a path that is gone.  Refused at
 * checkpoint, naming the fd and what it is.
 */
TEST_F(files, deleted_dir_refused)
{
	refused_fd3(_metadata, self, "deldir", "is a deleted directory");
}

TEST_F(files, deleted_device_refused)
{
	refused_fd3(_metadata, self, "delchr", "is a deleted device node");
}

/* A deleted working directory: refused by pid, the target untouched. */
TEST_F(files, deleted_cwd_refused)
{
	char log[256] = "";
	int logp[2], status;
	ssize_t n;

	ASSERT_EQ(0, start_mode(self, "delcwd"));
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-1, checkpoint(self->target, self->img, 0, logp[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	n = read(logp[0], log, sizeof(log) - 1);
	close_pair(logp);
	ASSERT_LT(0, n);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "cwd /tmp/ckpt_files_deleted")) {
		TH_LOG("log: %s", log);
	}
	EXPECT_NE(NULL, strstr(log, "was deleted")) {
		TH_LOG("log: %s", log);
	}
	ASSERT_EQ(1, write(self->in[1], "x", 1));
	ASSERT_EQ(0, wait_timeout(self->target, &status, TIMEOUT_MS));
	self->target = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_HARNESS_MAIN
