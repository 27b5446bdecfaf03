// SPDX-License-Identifier: GPL-2.0
/*
 * A checkpoint or a restart gives nobody what the kernel would not
 * (issue 13).  Each test plays the hostile unprivileged user (uid
 * 65534) against root's files and the module:
 *
 * - an image holds only bytes the checkpointer could read: the contents
 *   of an unlinked root-owned file that the target holds write-only are
 *   refused, by pid and fd;
 * - an unprivileged restart sets no more than prctl(PR_SET_DUMPABLE)
 *   could: an image saying dumpable 2 (SUID_DUMP_ROOT) is refused;
 * - a TASK record's stop state and flags are checked: a stop signal
 *   that is not one, STOPPED without it, unknown bits are refused;
 * - root restarting nobody's image gives the restored process no cwd
 *   that nobody could not chdir() to, and opens its paths as nobody: a
 *   directory of nobody's swapped for a symlink into root's leads to
 *   nothing;
 * - a zombie's identity is checked as a live task's: nobody's rstr
 *   (with CAP_CHECKPOINT_RESTORE, for the pids) restores nobody's tree
 *   with its zombie, but not a zombie the image says is root's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"

#define NOBODY		65534
#define SECRET		"/tmp/ckpt-security-secret"
#define SECRET_DATA	"root's secret, not nobody's"
#define PRIVATE_DIR	"/tmp/ckpt-security-dir"
#define NOBODY_DIR	"/tmp/ckpt-security-nobody"
#define ROOT_DIR	"/tmp/ckpt-security-root"	/* 0700 */

FIXTURE(sec) {
	int img;
	pid_t target;
	int go[2];		/* the target waits for its end of file */
	char log[512];
};

FIXTURE_SETUP(sec)
{
	self->target = 0;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
	ASSERT_EQ(0, fchown(self->img, NOBODY, NOBODY));
	if (getuid())
		SKIP(return, "needs root, to become nobody");
}

FIXTURE_TEARDOWN(sec)
{
	kill_reap(self->target);
	close(self->img);
	close(self->go[0]);
	close(self->go[1]);
	unlink(SECRET);
	rmdir(PRIVATE_DIR);
	unlink(NOBODY_DIR "/dir/shadow");
	unlink(NOBODY_DIR "/dir");
	unlink(NOBODY_DIR "/old/shadow");
	rmdir(NOBODY_DIR "/old");
	rmdir(NOBODY_DIR "/dir");
	rmdir(NOBODY_DIR);
	unlink(ROOT_DIR "/shadow");
	rmdir(ROOT_DIR);
}

/* nobody, and dumpable again as a process of nobody's own would be */
static int become_nobody(void)
{
	return setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(NOBODY, NOBODY, NOBODY) ||
	       prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/*
 * A target of nobody's holding @path open with @flags at fd 5 (NULL:
 * no file), waiting in read(0) for the end of file of @self->go.
 */
static pid_t nobody_target_in(struct _test_data_sec *self, const char *path,
			      int flags, const char *cwd)
{
	pid_t pid = fork();
	char c;

	if (pid)
		return pid;
	close(self->go[1]);
	if (become_nobody() || (cwd && chdir(cwd)))
		_exit(10);
	if (path && dup2(open(path, flags), 5) != 5)
		_exit(11);
	if (dup2(self->go[0], 0))
		_exit(12);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static pid_t nobody_target(struct _test_data_sec *self, const char *path,
			   int flags)
{
	return nobody_target_in(self, path, flags, NULL);
}

/* As @uid, restart @img in a child: its wait status. */
static int restart_as(uid_t uid, int img)
{
	int status;
	pid_t r;

	r = fork();
	if (r < 0)
		return -1;
	if (!r) {
		if (uid && become_nobody())
			_exit(200);
		if (restart(0, img, 0, STDERR_FILENO))
			_exit(RESTART_EXIT_BASE + errno);
		_exit(RESTART_EXIT_RETURNED);
	}
	if (wait_timeout(r, &status, TIMEOUT_MS))
		return -1;
	return status;
}

/* As nobody, checkpoint @pid into @img: the call's result, 0 or errno. */
static int nobody_checkpoint(pid_t pid, int img, char *log, size_t size)
{
	int logp[2], status, err = 0;
	ssize_t n;
	pid_t c;

	if (pipe2(logp, O_CLOEXEC))
		return -1;
	c = fork();
	if (!c) {
		close(logp[0]);
		if (become_nobody())
			_exit(200);
		_exit(checkpoint(pid, img, 0, logp[1]) ? errno : 0);
	}
	close(logp[1]);
	n = read(logp[0], log, size - 1);
	log[n > 0 ? n : 0] = '\0';
	close(logp[0]);
	if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status))
		return -1;
	err = WEXITSTATUS(status);
	return err;
}

/* @path with SECRET_DATA, owned by @uid, @mode whatever the umask. */
static int make_file(const char *path, mode_t mode, uid_t uid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, SECRET_DATA, strlen(SECRET_DATA)) < 0 ||
	    fchown(fd, uid, uid) || fchmod(fd, mode)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Root's 0622 file, opened write-only by nobody, then unlinked: its
 * contents are no bytes nobody could read, so no image of nobody's
 * holds them.
 */
TEST_F(sec, unreadable_unlinked_refused)
{
	unsigned char *buf = NULL;
	size_t len;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, make_file(SECRET, 0622, 0));
	self->target = nobody_target(self, SECRET, O_WRONLY);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(0, unlink(SECRET));
	EXPECT_EQ(EACCES, nobody_checkpoint(self->target, self->img,
					    self->log, sizeof(self->log)));
	EXPECT_NE(NULL, strstr(self->log, "fd 5")) TH_LOG("log: %s", self->log);
	/* whatever was written, the secret is not in it */
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	len = read_file(self->img, &buf);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(NULL, memmem(buf, len, SECRET_DATA, strlen(SECRET_DATA)));
	free(buf);
	/* and the target runs on */
	close(self->go[1]);
	self->go[1] = -1;
	EXPECT_EQ(0, wait_gone(&self->target, 1, TIMEOUT_MS));
	self->target = 0;
}

/* A file nobody may read too (0666): its contents are saved. */
TEST_F(sec, readable_unlinked_saved)
{
	if (_metadata->skip)
		return;
	ASSERT_EQ(0, make_file(SECRET, 0666, 0));
	self->target = nobody_target(self, SECRET, O_WRONLY);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(0, unlink(SECRET));
	EXPECT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
}

/* The offset of the first record of @type in @buf, or 0. */
static size_t record_at(unsigned char *buf, size_t len, __u32 type)
{
	size_t off = 0;
	struct ckpt_hdr *h;

	while (off + sizeof(*h) <= len) {
		h = (struct ckpt_hdr *)(buf + off);
		if (h->len < sizeof(*h) || off + h->len > len)
			return 0;
		if (h->type == type)
			return off;
		off += h->len;
	}
	return 0;
}

/*
 * nobody's own image of a target of nobody's in its read(0), into *@buf
 * (@len bytes): the offset of its TASK record.
 */
static size_t nobody_task_image(struct __test_metadata *_metadata,
				struct _test_data_sec *self,
				unsigned char **buf, size_t *len)
{
	size_t at;

	self->target = nobody_target(self, NULL, 0);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	*len = read_file(self->img, buf);
	ASSERT_NE(NULL, *buf);
	at = record_at(*buf, *len, CKPT_HDR_TASK);
	ASSERT_LT(0, at);
	return at;
}

/*
 * nobody's own image, edited to say dumpable 2 (SUID_DUMP_ROOT, which
 * only exec of a set-id program under suid_dumpable=2 gives): nobody's
 * restart of it is refused with EPERM before anything is touched.
 */
TEST_F(sec, dumpable_root_refused)
{
	unsigned char *buf = NULL;
	int status, img;
	size_t len, at;

	if (_metadata->skip)
		return;
	at = nobody_task_image(_metadata, self, &buf, &len);
	((struct ckpt_hdr_task *)(buf + at))->dumpable = 2;
	ASSERT_EQ(0, image_reseal(buf, len));
	img = image_file(buf, len);
	free(buf);
	ASSERT_LE(0, img);
	status = restart_as(NOBODY, img);
	close(img);
	EXPECT_TRUE(CALL_FAILED_WITH(status, EPERM)) {
		TH_LOG("status %#x", status);
	}
}

/*
 * As root, restart @img in a child whose stdin is /dev/null (a restored
 * target reads its end of file and exits 0): its wait status, or -1 if
 * it did not end; the restart's log in @log.
 */
static int restart_logged(int img, char *log, size_t size)
{
	int logp[2], status = -1, null;
	ssize_t n;
	pid_t r;

	if (pipe2(logp, O_CLOEXEC | O_NONBLOCK))
		return -1;
	r = fork();
	if (!r) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO))
			_exit(200);
		if (restart(0, img, 0, logp[1]))
			_exit(RESTART_EXIT_BASE + errno);
		_exit(RESTART_EXIT_RETURNED);
	}
	close(logp[1]);
	if (r > 0 && wait_timeout(r, &status, TIMEOUT_MS)) {
		kill_reap(r);
		status = -1;
	}
	n = read(logp[0], log, size - 1);
	log[n > 0 ? n : 0] = '\0';
	close(logp[0]);
	return status;
}

/* A TASK record's stop fields and flags, as an edit sets them. */
struct task_edit {
	const char *what;
	__u32 set_flags;
	__s32 stop_signal, stop_code;
	__u32 pad;
	const char *log;	/* in the TASK record's log line */
};

/*
 * The TASK record's stop state is checked like the rest of it: a stop
 * signal that is not one (SIGTERM, a real-time signal, a negative one),
 * STOPPED without a signal, a signal or code without STOPPED, a code
 * that is not the signal, unknown flag bits and a nonzero pad are each
 * refused with EINVAL and a log line naming the TASK record, before the
 * restart touches anything.  FORKNOEXEC and SUPERPRIV, known bits, pass.
 */
TEST_F(sec, task_stop_fields_checked)
{
	static const struct task_edit bad[] = {
		{ "SIGTERM stop", CKPT_TASK_STOPPED, SIGTERM, 0, 0, "stop" },
		{ "real-time stop", CKPT_TASK_STOPPED, 35, 0, 0, "stop" },
		{ "negative stop", CKPT_TASK_STOPPED, -SIGSTOP, 0, 0, "stop" },
		{ "no stop signal", CKPT_TASK_STOPPED, 0, 0, 0, "stop" },
		{ "code of another", CKPT_TASK_STOPPED, SIGSTOP, SIGTSTP, 0,
		  "stop" },
		{ "not stopped", 0, SIGSTOP, 0, 0, "stop" },
		{ "code, not stopped", 0, 0, SIGSTOP, 0, "stop" },
		{ "unknown flag", CKPT_TASK_FLAGS_ALL + 1, 0, 0, 0, "dumpable" },
		{ "top flag", 1U << 31, 0, 0, 0, "dumpable" },
		{ "pad", 0, 0, 0, 1, "pad" },
	};
	static const struct task_edit good = {
		"forknoexec superpriv",
		CKPT_TASK_FORKNOEXEC | CKPT_TASK_SUPERPRIV, 0, 0, 0, NULL
	};
	unsigned char *orig = NULL, *buf;
	struct ckpt_hdr_task *th;
	size_t len, at, i;
	int status, img;

	if (_metadata->skip)
		return;
	at = nobody_task_image(_metadata, self, &orig, &len);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	for (i = 0; i <= ARRAY_SIZE(bad); i++) {
		const struct task_edit *e = i < ARRAY_SIZE(bad) ? &bad[i] :
								 &good;

		memcpy(buf, orig, len);
		th = (struct ckpt_hdr_task *)(buf + at);
		th->flags |= e->set_flags;
		th->stop_signal = e->stop_signal;
		th->stop_code = e->stop_code;
		th->pad = e->pad;
		ASSERT_EQ(0, image_reseal(buf, len));
		img = image_file(buf, len);
		ASSERT_LE(0, img);
		status = restart_logged(img, self->log, sizeof(self->log));
		close(img);
		if (e == &good) {
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
				TH_LOG("%s: status %#x, log: %s", e->what,
				       status, self->log);
			continue;
		}
		EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL))
			TH_LOG("%s: status %#x, log: %s", e->what, status,
			       self->log);
		EXPECT_TRUE(strstr(self->log, "TASK record: ") &&
			    strstr(self->log, e->log))
			TH_LOG("%s: log: %s", e->what, self->log);
	}
	free(buf);
	free(orig);
}

/*
 * nobody's cwd, a directory root then makes 0700: root restarting
 * nobody's unedited image may not give the restored process that cwd,
 * which chdir() would refuse it.
 */
TEST_F(sec, cwd_checked_as_restored)
{
	int status;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, mkdir(PRIVATE_DIR, 0755));
	self->target = nobody_target_in(self, NULL, 0, PRIVATE_DIR);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
	kill_reap(self->target);
	self->target = 0;
	ASSERT_EQ(0, chmod(PRIVATE_DIR, 0700));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	status = restart_as(0, self->img);
	EXPECT_TRUE(CALL_FAILED_WITH(status, EACCES)) {
		TH_LOG("status %#x", status);
	}
}

/*
 * nobody holds its own file NOBODY_DIR/dir/shadow.  After the checkpoint
 * it swaps dir for a symlink to root's 0700 directory, which holds a
 * "shadow" of root's: root restarting nobody's unedited image opens that
 * path as nobody, who cannot reach it - EACCES, not root's file in a
 * process of nobody's.
 */
TEST_F(sec, paths_opened_as_restored)
{
	int status;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, mkdir(ROOT_DIR, 0700));
	ASSERT_EQ(0, make_file(ROOT_DIR "/shadow", 0600, 0));
	ASSERT_EQ(0, mkdir(NOBODY_DIR, 0755));
	ASSERT_EQ(0, chown(NOBODY_DIR, NOBODY, NOBODY));
	ASSERT_EQ(0, mkdir(NOBODY_DIR "/dir", 0755));
	ASSERT_EQ(0, chown(NOBODY_DIR "/dir", NOBODY, NOBODY));
	ASSERT_EQ(0, make_file(NOBODY_DIR "/dir/shadow", 0644, NOBODY));
	self->target = nobody_target(self, NOBODY_DIR "/dir/shadow",
				     O_RDONLY);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
	kill_reap(self->target);
	self->target = 0;
	/* what nobody may do in its own directory */
	ASSERT_EQ(0, rename(NOBODY_DIR "/dir", NOBODY_DIR "/old"));
	ASSERT_EQ(0, symlink(ROOT_DIR, NOBODY_DIR "/dir"));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	status = restart_as(0, self->img);
	EXPECT_TRUE(CALL_FAILED_WITH(status, EACCES)) {
		TH_LOG("status %#x", status);
	}
}

/* "Max processes" of /proc/@pid/limits: soft if @soft, else hard; or 0. */
static unsigned long long nproc_of(pid_t pid, int soft)
{
	unsigned long long cur = 0, max = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Max processes %llu %llu", &cur, &max) == 2)
			break;
	fclose(f);
	return soft ? cur : max;
}

/*
 * nobody's image from a boot whose RLIMIT_NPROC default was higher (more
 * memory): its limit, that boot's default, is this boot's at restart -
 * not refused as a raise nobody may not make.
 */
TEST_F(sec, boot_default_nproc)
{
	unsigned long long want;
	struct ckpt_hdr_rlimits *rl;
	unsigned char *buf = NULL;
	struct rlimit lower;
	int img, hold[2];
	size_t len, at;
	pid_t r;

	if (_metadata->skip)
		return;
	self->target = nobody_target(self, NULL, 0);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	want = nproc_of(self->target, 0);
	ASSERT_LT(0, want);
	ASSERT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
	kill_reap(self->target);
	self->target = 0;
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	len = read_file(self->img, &buf);
	ASSERT_NE(NULL, buf);
	at = record_at(buf, len, CKPT_HDR_RLIMITS);
	ASSERT_LT(0, at);
	rl = (struct ckpt_hdr_rlimits *)(buf + at);
	if (rl->boot_nproc != want || rl->rlim[RLIMIT_NPROC].max != want)
		SKIP(free(buf); return,
		     "the target's NPROC limit is not this boot's default");
	rl->boot_nproc += 1000;
	rl->rlim[RLIMIT_NPROC].cur = rl->rlim[RLIMIT_NPROC].max =
		rl->boot_nproc;
	ASSERT_EQ(0, image_reseal(buf, len));
	img = image_file(buf, len);
	free(buf);
	ASSERT_LE(0, img);
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	/* the restarting process's own soft limit: not the image's */
	lower.rlim_cur = want - 1;
	lower.rlim_max = want;
	r = fork();
	ASSERT_LE(0, r);
	if (!r) {
		/* the restored target's stdin: it waits there */
		if (become_nobody() || dup2(hold[0], 0) ||
		    setrlimit(RLIMIT_NPROC, &lower))
			_exit(200);
		restart(0, img, 0, STDERR_FILENO);
		_exit(RESTART_EXIT_BASE + errno);
	}
	close(hold[0]);
	close(img);
	/* restored: back in its read(0), of the hold pipe */
	if (wait_blocked(r, 3 * TIMEOUT_MS)) {
		int status = -1;

		TH_LOG("not restored: %s",
		       waitpid(r, &status, WNOHANG) == r ? "it exited" :
							  "still restarting");
		TH_LOG("status %#x", status);
	}
	EXPECT_EQ(want, nproc_of(r, 1));
	EXPECT_EQ(want, nproc_of(r, 0));
	close(hold[1]);
	kill_reap(r);
}

/*
 * A target of nobody's with a zombie child (exited 3, not reaped),
 * waiting in read(0) for the end of file of @self->go.
 */
static pid_t nobody_zombie_target(struct _test_data_sec *self)
{
	pid_t pid = fork(), z;
	siginfo_t si;
	char c;

	if (pid)
		return pid;
	close(self->go[1]);
	if (become_nobody() || dup2(self->go[0], 0))
		_exit(10);
	z = fork();
	if (!z)
		_exit(3);
	if (z < 0 || waitid(P_PID, z, &si, WEXITED | WNOWAIT))
		_exit(11);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* nobody, with CAP_CHECKPOINT_RESTORE (ambient: rstr keeps it) alone */
static int become_nobody_restorer(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = { 0 };
	const __u32 bit = 1U << (CAP_CHECKPOINT_RESTORE - 32);

	d[1].permitted = d[1].effective = d[1].inheritable = bit;
	return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || become_nobody() ||
	       syscall(SYS_capset, &h, d) ||
	       prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
		     CAP_CHECKPOINT_RESTORE, 0, 0);
}

/*
 * nobody's rstr on @buf, stdin and stdout /dev/null, stderr into @log:
 * its wait status (rstr exits 1 when the restart fails).
 */
static int rstr_as_nobody(const unsigned char *buf, size_t len, char *log,
			  size_t size)
{
	int img = image_file(buf, len), err, devnull, status = -1;
	ssize_t n;
	pid_t r;

	err = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (img < 0 || err < 0 || fchown(img, NOBODY, NOBODY))
		return -1;
	r = fork();
	if (!r) {
		devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, 0) || dup2(devnull, 1) != 1 ||
		    dup2(err, 2) != 2 || become_nobody_restorer())
			_exit(200);
		exec_rstr(img, NULL);
		_exit(201);
	}
	if (r < 0 || wait_timeout(r, &status, 3 * TIMEOUT_MS)) {
		if (r > 0)
			kill_reap(r);
		status = -1;
	}
	n = pread(err, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(err);
	close(img);
	return status;
}

/* Reap what came to us (a subreaper), @zombie within the time. */
static void reap_orphans(pid_t zombie)
{
	int status, ms;

	for (ms = 0; ms < TIMEOUT_MS; ms += 10) {
		while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
			;
		if (!task_exists(zombie))
			return;
		sleep_for_ms(10);
	}
}

/*
 * nobody's tree with a zombie: its image, with the zombie's CRED record
 * (the first: a zombie's section comes right after the TREE) saying
 * uid 0, is refused with EPERM by nobody's restart; as it was, it is
 * restored, zombie and all.
 */
TEST_F_TIMEOUT(sec, zombie_cred_checked, 120)
{
	unsigned char *buf;
	struct ckpt_hdr_cred *c;
	pid_t pids[2];
	size_t len, at;
	char log[1024];
	int status;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	self->target = nobody_zombie_target(self);
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, wait_blocked(self->target, TIMEOUT_MS));
	ASSERT_EQ(2, tree_pids(self->target, pids, 2));
	ASSERT_EQ(0, nobody_checkpoint(self->target, self->img, self->log,
				       sizeof(self->log)))
		TH_LOG("log: %s", self->log);
	kill_reap(self->target);
	self->target = 0;
	reap_orphans(pids[1]);
	ASSERT_EQ(0, task_exists(pids[1]));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	len = read_file(self->img, &buf);
	ASSERT_NE(NULL, buf);

	at = record_at(buf, len, CKPT_HDR_TASK);
	ASSERT_LT(0, at);
	ASSERT_EQ(pids[1], ((struct ckpt_hdr_task *)(buf + at))->pid);
	at = record_at(buf, len, CKPT_HDR_CRED);
	ASSERT_LT(0, at);
	c = (struct ckpt_hdr_cred *)(buf + at);
	ASSERT_EQ(NOBODY, c->uid);
	c->uid = c->euid = c->suid = c->fsuid = 0;
	ASSERT_EQ(0, image_reseal(buf, len));
	status = rstr_as_nobody(buf, len, log, sizeof(log));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("status %#x", status);
	EXPECT_NE(NULL, strstr(log, "may not take these uids or gids"))
		TH_LOG("rstr said: %s", log);
	reap_orphans(pids[1]);

	c->uid = c->euid = c->suid = c->fsuid = NOBODY;
	ASSERT_EQ(0, image_reseal(buf, len));
	status = rstr_as_nobody(buf, len, log, sizeof(log));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("status %#x, rstr said: %s", status, log);
	/* orphaned by the restored root's exit: the zombie, with its status */
	EXPECT_EQ(0, wait_timeout(pids[1], &status, TIMEOUT_MS));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3)
		TH_LOG("zombie status %#x", status);
	reap_orphans(pids[1]);
	free(buf);
}

TEST_HARNESS_MAIN
