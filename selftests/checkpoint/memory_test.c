// SPDX-License-Identifier: GPL-2.0
/*
 * The memory of a whole, dynamically linked process: mem_target is
 * checkpointed, killed and restarted, and what the restored process sees
 * is checked - its own computation going on, its data, the protections
 * of its mappings, and /proc/PID/{maps,auxv,cmdline,environ,exe}.  A
 * mapped file that is gone or shorter at restart must fail the restart
 * with a log line naming it, the caller untouched.
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
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "util.h"

#define PROC_MAX	(64 << 10)
#define FILE_PAGES	2
#define PAGE		4096

/* mem_target sits next to the test binary. */
static const char *mem_target_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "./mem_target";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/mem_target", dirname(exe));
	return path;
}

/* Run mem_target with @argv (argv[0] included) and @envp, pipes to us. */
static int start_mem(struct proc *p, char *const argv[], char *const envp[])
{
	int in, out;

	if (proc_pipes(p, &in, &out))
		return -1;
	fflush(NULL);
	p->pid = fork();
	if (!p->pid) {
		dup2(in, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		close_range(3, ~0U, 0);
		ckpt_reset_signals();
		execve(mem_target_path(), argv, envp);
		_exit(127);
	}
	close(in);
	close(out);
	return p->pid > 0 ? 0 : -1;
}

/* Start a target that prints "ready" and blocks; wait for that. */
static int start_waiting(struct proc *p, char *const argv[])
{
	static char *const env[] = { "CKPT_MEM_TEST=1", NULL };

	if (start_mem(p, argv, env) || wait_ready(p->out, TIMEOUT_MS))
		return -1;
	return wait_blocked(p->pid, TIMEOUT_MS);
}

static int start_restored(struct proc *p, int img_fd)
{
	int in, out;

	if (proc_pipes(p, &in, &out))
		return -1;
	lseek(img_fd, 0, SEEK_SET);
	p->pid = fork_restart(img_fd, in, out);
	close(in);
	close(out);
	return p->pid > 0 ? 0 : -1;
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

/* /proc/@pid/@name, whole; its length, or -1. */
static ssize_t proc_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size &&
	       (n = read(fd, buf + len, size - len)) > 0)
		len += n;
	close(fd);
	return (size_t)len < size ? len : -1;
}

/* What the target shows in /proc, taken before and after. */
struct procview {
	char maps[PROC_MAX], auxv[4096], cmdline[4096], environ[4096];
	char exe[PATH_MAX];
	ssize_t maps_len, auxv_len, cmdline_len, environ_len;
	char smaps[4 * PROC_MAX];
	ssize_t smaps_len;
};

/*
 * Of /proc/PID/smaps, each mapping's line and its VmFlags (locked, huge
 * page advice, dontfork...): not the sizes, which differ by nature, nor
 * the kernel's bookkeeping flags "ac" (charged to the commit limit while
 * writable, which a mapping written and then made read-only stays) and
 * "sd" (soft-dirty, which a fresh mapping is).
 */
static void drop_flags(char *line)
{
	static const char * const drop[] = { " ac", " sd" };
	char *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(drop); i++) {
		p = strstr(line, drop[i]);
		if (p && (p[3] == ' ' || !p[3]))
			memmove(p, p + 3, strlen(p + 3) + 1);
	}
}

static int smaps_flags(pid_t pid, struct procview *v)
{
	char *in = malloc(sizeof(v->smaps)), *line, *save;
	ssize_t n = in ? proc_read(pid, "smaps", in, sizeof(v->smaps) - 1) : -1;

	v->smaps_len = 0;
	if (n < 0) {
		free(in);
		return -1;
	}
	in[n] = '\0';
	for (line = strtok_r(in, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strchr(line, ':') && strncmp(line, "VmFlags:", 8))
			continue;	/* "Rss:  12 kB" and the like */
		if (!strncmp(line, "VmFlags:", 8))
			drop_flags(line);
		v->smaps_len += snprintf(v->smaps + v->smaps_len,
					 sizeof(v->smaps) - v->smaps_len,
					 "%s\n", line);
	}
	free(in);
	return 0;
}

static int procview_take(pid_t pid, struct procview *v)
{
	char path[64];
	ssize_t n;

	v->maps_len = proc_read(pid, "maps", v->maps, sizeof(v->maps));
	v->auxv_len = proc_read(pid, "auxv", v->auxv, sizeof(v->auxv));
	v->cmdline_len = proc_read(pid, "cmdline", v->cmdline,
				   sizeof(v->cmdline));
	v->environ_len = proc_read(pid, "environ", v->environ,
				   sizeof(v->environ));
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, v->exe, sizeof(v->exe) - 1);
	v->exe[n > 0 ? n : 0] = '\0';
	return v->maps_len > 0 && v->auxv_len > 0 && v->cmdline_len > 0 &&
	       v->environ_len > 0 && n > 0 ? 0 : -1;
}

#define SAME_BYTES(a, b, field)						\
	((a)->field##_len == (b)->field##_len &&			\
	 !memcmp((a)->field, (b)->field, (a)->field##_len))

FIXTURE(mem) {
	int img;
	struct proc t;		/* the checkpointed target */
	struct proc r;		/* the restored one */
	struct procview *before, *after;
	char file[PATH_MAX];	/* a file the target maps, if any */
};

FIXTURE_SETUP(mem)
{
	signal(SIGPIPE, SIG_IGN);
	proc_init(&self->t);
	proc_init(&self->r);
	self->file[0] = '\0';
	self->before = calloc(1, sizeof(*self->before));
	self->after = calloc(1, sizeof(*self->after));
	ASSERT_NE(NULL, self->before);
	ASSERT_NE(NULL, self->after);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
}

FIXTURE_TEARDOWN(mem)
{
	proc_fini(&self->t);
	proc_fini(&self->r);
	if (self->file[0])
		unlink(self->file);
	free(self->before);
	free(self->after);
	close(self->img);
}

/* Checkpoint-and-kill the target into the image. */
static int save_and_kill(struct proc *t, int img)
{
	if (checkpoint(t->pid, img, CHECKPOINT_KILL, STDERR_FILENO))
		return -errno;
	return reap_killed(&t->pid);
}

/* The next @count numbers continue from *@last; update it. */
static int read_seq(struct proc *p, int count, long *last)
{
	long n;

	while (count--) {
		if (lines_next(&p->lines, &n, TIMEOUT_MS) != 1 ||
		    n != *last + 1)
			return -1;
		*last = n;
	}
	return 0;
}

/* mem_target dyn adds this for each signal its handler caught. */
#define DYN_SIGNALED	1000000

/*
 * After a SIGUSR1, the numbers go on DYN_SIGNALED higher: its handler
 * ran (the default action would end the process).
 */
static int read_signaled(struct proc *p, long *last)
{
	long n, hit;

	while (lines_next(&p->lines, &n, TIMEOUT_MS) == 1) {
		hit = n >= DYN_SIGNALED ? DYN_SIGNALED : 0;
		if (n - hit != *last + 1)
			return -1;
		*last = n - hit;
		if (hit)
			return 0;
	}
	return -1;
}

/*
 * printf, malloc, setjmp/longjmp and a signal handler; ld.so and libc
 * mapped from their files.
 */
TEST_F(mem, dynamic_counter)
{
	static char *const argv[] = { "mem_target", "dyn", NULL };
	long last = 0, n;
	int ret;

	ASSERT_EQ(0, start_mem(&self->t, argv, NULL));
	ASSERT_EQ(0, read_seq(&self->t, 3, &last));
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	while ((ret = lines_next(&self->t.lines, &n, TIMEOUT_MS)) == 1) {
		ASSERT_EQ(last + 1, n);
		last = n;
	}
	ASSERT_EQ(0, ret);
	TH_LOG("the target printed up to %ld", last);

	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, read_seq(&self->r, 20, &last)) {
		TH_LOG("the restored counter did not go on from %ld", last);
	}
	ASSERT_EQ(0, kill(self->r.pid, SIGUSR1));
	ASSERT_EQ(0, read_signaled(&self->r, &last)) {
		TH_LOG("the restored handler did not count SIGUSR1 after %ld",
		       last);
	}
}

/* auxv, exe, arguments and environment: the same in /proc. */
TEST_F(mem, proc_files)
{
	static char *const argv[] = { "mem_target", "wait", "one", "two",
				      NULL };
	int status;

	ASSERT_EQ(0, start_waiting(&self->t, argv));
	ASSERT_EQ(0, procview_take(self->t.pid, self->before));
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, wait_blocked(self->r.pid, TIMEOUT_MS));
	ASSERT_EQ(0, procview_take(self->r.pid, self->after));

	EXPECT_TRUE(SAME_BYTES(self->before, self->after, auxv));
	EXPECT_TRUE(SAME_BYTES(self->before, self->after, cmdline));
	EXPECT_TRUE(SAME_BYTES(self->before, self->after, environ));
	EXPECT_STREQ(self->before->exe, self->after->exe);
	EXPECT_TRUE(SAME_BYTES(self->before, self->after, maps)) {
		TH_LOG("maps before:\n%s\nafter:\n%s", self->before->maps,
		       self->after->maps);
	}
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Data written and then protected, PROT_NONE guards, a grows-down region
 * and a THP region: data, protections and growth survive.
 */
TEST_F(mem, layout)
{
	static char *const argv[] = { "mem_target", "layout", NULL };
	int status;

	ASSERT_EQ(0, start_waiting(&self->t, argv));
	ASSERT_EQ(0, smaps_flags(self->t.pid, self->before));
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, wait_blocked(self->r.pid, TIMEOUT_MS));
	ASSERT_EQ(0, smaps_flags(self->r.pid, self->after));
	EXPECT_TRUE(SAME_BYTES(self->before, self->after, smaps)) {
		TH_LOG("smaps before:\n%s\nafter:\n%s", self->before->smaps,
		       self->after->smaps);
	}
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 10-13, 16, 17: read-only, PROT_NONE, grows-down, THP, locked, advised data lost; 19: MCL_FUTURE lost; 22: THP disable lost; SIGSEGV: no longer grows down)",
		       status);
	}
}

/*
 * mem_target @mode checkpointed with kill and restored: it checks itself
 * once released and exits 0, or with a code @codes explains.
 */
static void restored_checks(struct __test_metadata *_metadata,
			    struct _test_data_mem *self, const char *mode,
			    const char *codes)
{
	char *const argv[] = { "mem_target", (char *)mode, NULL };
	int status;

	ASSERT_EQ(0, start_waiting(&self->t, argv));
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, wait_blocked(self->r.pid, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (%s)", status, codes);
	}
}

/*
 * 3000 mappings: an MM record far longer than 64 KiB restarts too.  The
 * harness's 30 s are not enough under KASAN (make check-debug), where
 * making the mappings, the checkpoint and the restart take about that.
 */
TEST_F_TIMEOUT(mem, many_mappings, 180)
{
	restored_checks(_metadata, self, "many",
			"exit 23: a mapping lost its data");
}

/* A membarrier() registration comes back with the address space. */
TEST_F(mem, membarrier_registered)
{
	restored_checks(_metadata, self, "membarrier",
			"exit 24: the registration was lost");
}

/*
 * Shared anonymous memory split by mprotect(), and a memfd mapped twice
 * whose fd was closed: their data, and one object behind both memfd
 * mappings, as the restored process sees them.
 */
TEST_F(mem, shmem)
{
	restored_checks(_metadata, self, "shmem",
			"exit 20: shared anonymous data lost, 21: memfd data or sharing lost");
}

/*
 * /dev/zero mapped shared (shared anonymous memory the kernel names
 * "/dev/zero (deleted)"), shared by a parent and its child: restored as
 * shared anonymous memory, one object for both, with its data.
 */
TEST_F(mem, dev_zero_shared)
{
	static char *const argv[] = { "mem_target", "zero", NULL };
	pid_t root, pids[TREE_MAX_TASKS];
	int status, in, out, nr;

	/* the killed child comes to us, to be reaped before its pid is reused */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, start_waiting(&self->t, argv));
	root = self->t.pid;
	ASSERT_EQ(0, settle_tree(root, pids, &nr, TIMEOUT_MS));
	ASSERT_EQ(2, nr);
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	ASSERT_EQ(0, wait_gone(pids, nr, TIMEOUT_MS));
	/* a tree of two: rstr restores it, and exits as the root does */
	ASSERT_EQ(0, proc_pipes(&self->r, &in, &out));
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	self->r.pid = fork_rstr(self->img, in, out);
	close(in);
	close(out);
	ASSERT_LT(0, self->r.pid);
	ASSERT_EQ(0, wait_blocked(root, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 25: /dev/zero's data or its sharing lost)",
		       status);
	}
}

/* Not supported yet: a clear refusal, the target untouched. */
TEST_F(mem, sysv_shm_refused)
{
	static char *const argv[] = { "mem_target", "sysv", NULL };

	ASSERT_EQ(0, start_waiting(&self->t, argv));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL,
				 STDERR_FILENO));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_TRUE(is_alive(self->t.pid));
}

/* A file of FILE_PAGES pages of known data, in /tmp. */
static int make_file(char *path, size_t size)
{
	unsigned char buf[PAGE];
	int fd, i, ret = 0;

	snprintf(path, size, "/tmp/ckpt-mem-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	for (i = 0; i < FILE_PAGES && !ret; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ret = write(fd, buf, sizeof(buf)) == sizeof(buf) ? 0 : -1;
	}
	close(fd);
	return ret;
}

/* mem_target maps @path and is checkpointed with --kill. */
static int file_image(struct proc *t, const char *path, int img)
{
	char *const argv[] = { "mem_target", "file", (char *)path, NULL };

	if (start_waiting(t, argv))
		return -1;
	return save_and_kill(t, img);
}

TEST_F(mem, file_cow)
{
	int status;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file)));
	ASSERT_EQ(0, file_image(&self->t, self->file, self->img));
	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, wait_blocked(self->r.pid, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 14: written page lost, 15: file page wrong)",
		       status);
	}
}

/* mem_target's fill pattern */
static unsigned char pattern(unsigned long i, int seed)
{
	return (i * 13 + seed) ^ (i >> 12);
}

/*
 * A shared file mapping comes back shared: what the restored process
 * writes reaches the file, and its other mapping of it.
 */
TEST_F(mem, file_shared)
{
	char *const argv[] = { "mem_target", "shared", self->file, NULL };
	unsigned char buf[FILE_PAGES * PAGE];
	int status, fd, i, bad = 0;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file)));
	ASSERT_EQ(0, start_waiting(&self->t, argv));
	ASSERT_EQ(0, save_and_kill(&self->t, self->img));
	ASSERT_EQ(0, start_restored(&self->r, self->img));
	ASSERT_EQ(0, wait_blocked(self->r.pid, TIMEOUT_MS));
	ASSERT_EQ(0, release(&self->r, &status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit 18: the mappings do not share the file)",
		       status);
	}
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
	close(fd);
	for (i = 0; i < PAGE; i++)
		bad += buf[i] != pattern(i, 9) || buf[PAGE + i] != pattern(i, 10);
	EXPECT_EQ(0, bad);
}

static int restart_log_stdout(int img_fd, void *arg)
{
	(void)arg;
	return restart(0, img_fd, 0, STDOUT_FILENO);
}

/*
 * Restart from the image with the log going to a file; the child's exit
 * status and the log's first line.
 */
static int restart_logged(int img, pid_t *pid, char *log, size_t size)
{
	int fd = tmp_image(), status = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	lseek(img, 0, SEEK_SET);
	*pid = fork_call(img, -1, fd, restart_log_stdout, NULL);
	if (*pid > 0 && !wait_timeout(*pid, &status, TIMEOUT_MS))
		*pid = 0;
	n = pread(fd, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	return status;
}

TEST_F(mem, file_deleted)
{
	char log[512];
	int status;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file)));
	ASSERT_EQ(0, file_image(&self->t, self->file, self->img));
	ASSERT_EQ(0, unlink(self->file));
	status = restart_logged(self->img, &self->r.pid, log, sizeof(log));
	TH_LOG("restart said: %s", log);
	EXPECT_TRUE(CALL_FAILED_WITH(status, ENOENT)) {
		TH_LOG("status %#x", status);
	}
	EXPECT_NE(NULL, strstr(log, self->file));
	self->file[0] = '\0';
}

TEST_F(mem, file_truncated)
{
	char log[512];
	int status;

	ASSERT_EQ(0, make_file(self->file, sizeof(self->file)));
	ASSERT_EQ(0, file_image(&self->t, self->file, self->img));
	ASSERT_EQ(0, truncate(self->file, PAGE));
	status = restart_logged(self->img, &self->r.pid, log, sizeof(log));
	TH_LOG("restart said: %s", log);
	EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL)) {
		TH_LOG("status %#x", status);
	}
	EXPECT_NE(NULL, strstr(log, self->file));
	EXPECT_NE(NULL, strstr(log, "too short"));
}

TEST_HARNESS_MAIN
