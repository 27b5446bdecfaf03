// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the checkpoint selftests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "util.h"

#define POLL_STEP_MS	5
#define BASE_TIMEOUT_MS	10000
#define MAX_TIMEOUT_SCALE	20

int test_timeout_ms(void)
{
	static int ms;
	const char *env;
	int scale;

	if (ms)
		return ms;
	env = getenv("CKPT_TIMEOUT_SCALE");
	scale = env ? atoi(env) : 1;
	if (scale < 1 || scale > MAX_TIMEOUT_SCALE)
		scale = 1;
	ms = BASE_TIMEOUT_MS * scale;
	return ms;
}

void sleep_for_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* @name in the test binary's directory, into @path; -1 if unknown. */
static int sibling_path(const char *name, char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(path, size, "%s/%s", dirname(exe), name);
	return 0;
}

/* ckpt_target sits next to the test binary, unless $CKPT_TARGET says. */
const char *target_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("CKPT_TARGET");

	if (env && *env)
		return env;
	if (path[0])
		return path;
	if (sibling_path("ckpt_target", path, sizeof(path)))
		return "./ckpt_target";
	return path;
}

/* spawn_target() and make_image() run @name, next to the test binary. */
void use_target(const char *name)
{
	char path[PATH_MAX];

	if (!sibling_path(name, path, sizeof(path)))
		setenv("CKPT_TARGET", path, 1);
}

/*
 * What a test of @target's trees starts with: @t empty, the orphans of
 * the targets it kills reparented to it (to be reaped), and a temporary
 * image file: its fd, or -1.
 */
int target_fixture(const char *target, struct proc *t)
{
	use_target(target);
	proc_init(t);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -1;
	return tmp_image();
}

/* An unlinked temporary file under $TMPDIR or /tmp, open read-write. */
int tmp_image(void)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/ckpt-selftest.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* A new open file description of @fd's file, with other access flags. */
int reopen_fd(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

static int open_null(int fd, int flags)
{
	return fd >= 0 ? fd : open("/dev/null", flags);
}

/*
 * In a fresh child: stdin/stdout from @in_fd/@out_fd (or /dev/null),
 * stderr kept, @keep_fd (if any) moved to 3, everything else closed.
 */
static void child_fds(int in_fd, int out_fd, int keep_fd)
{
	int keep = -1, fd;

	if (keep_fd >= 0)
		keep = fcntl(keep_fd, F_DUPFD, 10);
	in_fd = open_null(in_fd, O_RDONLY);
	out_fd = open_null(out_fd, O_WRONLY);
	dup2(in_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	if (keep >= 0)
		dup2(keep, 3);
	fd = keep >= 0 ? 4 : 3;
	if (close_range(fd, ~0U, 0)) {
		for (; fd < 1024; fd++)
			close(fd);
	}
}

pid_t spawn_target(const char *mode, int in_fd, int out_fd)
{
	const char *path = target_path();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	child_fds(in_fd, out_fd, -1);
	ckpt_reset_signals();
	execl(path, "ckpt_target", mode, (char *)NULL);
	fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Reap @pid within @ms; 0 if reaped, -1 if not. */
int wait_timeout(pid_t pid, int *status, int ms)
{
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -1;
		if (ms <= 0)
			return -1;
		sleep_for_ms(POLL_STEP_MS);
		ms -= POLL_STEP_MS;
	}
}

void kill_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	wait_timeout(pid, &status, TIMEOUT_MS);
}

/* The process exists and is not a zombie. */
int is_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int nr_threads(pid_t pid)
{
	char path[64], line[256];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

/* Wait until @fd is readable; 1 if so, 0 on timeout. */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, ms);
	} while (ret < 0 && errno == EINTR);
	return ret > 0;
}

/* Read the "ready" line a target prints before it blocks. */
int wait_ready(int fd, int ms)
{
	char buf[16];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf)) {
		if (!wait_readable(fd, ms))
			return -1;
		n = read(fd, buf + len, 1);
		if (n <= 0)
			return -1;
		if (buf[len++] == '\n')
			break;
	}
	return len == 6 && !memcmp(buf, "ready\n", 6) ? 0 : -1;
}

/* Read a whole small file (one read, as /proc and sysfs files give it). */
int read_small_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Read a whole small /proc file of @pid. */
int read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	return read_small_file(path, buf, size);
}

/* Is @pid asleep in read(0, ...)?  1 yes, 0 no, -1 cannot tell. */
static int blocked_in_read(pid_t pid)
{
	char buf[512], *p;

	if (!read_proc(pid, "syscall", buf, sizeof(buf)))
		return !strncmp(buf, "0 0x0 ", 6);
	if (read_proc(pid, "stat", buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/* Wait until the target sleeps in its read(0, ...). */
int wait_blocked(pid_t pid, int ms)
{
	for (; ms > 0; ms -= POLL_STEP_MS) {
		if (blocked_in_read(pid) > 0)
			return 0;
		sleep_for_ms(POLL_STEP_MS);
	}
	return -1;
}

void lines_init(struct lines *l, int fd)
{
	l->fd = fd;
	l->len = 0;
}

/* The next number: 1, 0 at end of file, -1 on timeout or garbage. */
int lines_next(struct lines *l, long *val, int ms)
{
	char *nl, *end;
	ssize_t n;

	while (!(nl = memchr(l->buf, '\n', l->len))) {
		if (l->len == sizeof(l->buf) || !wait_readable(l->fd, ms))
			return -1;
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n < 0)
			return -1;
		if (n == 0)
			return l->len ? -1 : 0;
		l->len += n;
	}
	*nl = '\0';
	errno = 0;
	*val = strtol(l->buf, &end, 10);
	if (errno || end == l->buf || *end)
		return -1;
	l->len -= nl + 1 - l->buf;
	memmove(l->buf, nl + 1, l->len);
	return 1;
}

pid_t fork_call(int img_fd, int in_fd, int out_fd, call_fn fn, void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	child_fds(in_fd, out_fd, img_fd);
	ckpt_reset_signals();
	if (fn(img_fd >= 0 ? 3 : -1, arg))
		_exit(RESTART_EXIT_BASE + errno);
	_exit(RESTART_EXIT_RETURNED);
}

static int do_restart(int img_fd, void *arg)
{
	(void)arg;
	return restart(0, img_fd, 0, STDERR_FILENO);
}

/* A child restarts from @img_fd, becoming the restored process. */
pid_t fork_restart(int img_fd, int in_fd, int out_fd)
{
	return fork_call(img_fd, in_fd, out_fd, do_restart, NULL);
}

/*
 * After CHECKPOINT_KILL the target must die of SIGKILL: reap it, and
 * clear *@pid once reaped.  0, -ETIMEDOUT or -ECHILD.
 */
int reap_killed(pid_t *pid)
{
	int status;

	if (wait_timeout(*pid, &status, TIMEOUT_MS))
		return -ETIMEDOUT;
	*pid = 0;
	return KILLED_BY(status, SIGKILL) ? 0 : -ECHILD;
}

/*
 * Checkpoint-and-kill a fresh target of @mode, once it blocks in its
 * read(0), into @img_fd, which is then rewound.  0 or -errno.
 */
int make_image(const char *mode, int img_fd)
{
	int in[2], out[2], ret = -EIO;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		ret = -errno;
		goto out_in;
	}
	pid = spawn_target(mode, in[0], out[1]);
	if (pid < 0)
		goto out;
	if (wait_ready(out[0], TIMEOUT_MS) || wait_blocked(pid, TIMEOUT_MS))
		goto out_kill;
	ret = checkpoint(pid, img_fd, CHECKPOINT_KILL, STDERR_FILENO);
	ret = ret ? -errno : 0;
	if (!ret)
		ret = reap_killed(&pid);
out_kill:
	kill_reap(pid);
out:
	close(out[0]);
	close(out[1]);
out_in:
	close(in[0]);
	close(in[1]);
	if (lseek(img_fd, 0, SEEK_SET) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* Slurp @fd from its current offset; returns the size, *buf malloc'ed. */
size_t read_file(int fd, unsigned char **buf)
{
	size_t len = 0, size = 1 << 20;
	unsigned char *p = malloc(size), *q;
	ssize_t n;

	while (p) {
		if (len == size) {
			size *= 2;
			q = realloc(p, size);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
		}
		n = read(fd, p + len, size - len);
		if (n <= 0)
			break;
		len += n;
	}
	*buf = p;
	return p ? len : 0;
}

void proc_init(struct proc *p)
{
	p->pid = 0;
	p->in = -1;
	p->out = -1;
}

void proc_fini(struct proc *p)
{
	kill_reap(p->pid);
	if (p->in >= 0)
		close(p->in);
	if (p->out >= 0)
		close(p->out);
	proc_init(p);
}

/*
 * Pipes to a new process: its stdin's write end @in_wr and its stdout's
 * read end @out_rd are ours, @in_rd and @out_wr the child's.
 */
int stdio_pipes(int *in_wr, int *out_rd, int *in_rd, int *out_wr)
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	*in_wr = in[1];
	*in_rd = in[0];
	*out_rd = out[0];
	*out_wr = out[1];
	return 0;
}

/* Pipes for @p's stdin and stdout; the child's ends go to @in_rd, @out_wr. */
int proc_pipes(struct proc *p, int *in_rd, int *out_wr)
{
	if (stdio_pipes(&p->in, &p->out, in_rd, out_wr))
		return -1;
	lines_init(&p->lines, p->out);
	return 0;
}

/* Write @len bytes of @buf into a fresh temporary file, rewound. */
int image_file(const unsigned char *buf, size_t len)
{
	int fd = tmp_image();

	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * After an edit of an image in @buf: the TAIL that ends it gets the
 * xxh64 of every byte before it again, so restart gets past the checksum
 * to the edit.  0, or -1 if no TAIL ends it.
 */
int image_reseal(unsigned char *buf, size_t len)
{
	return ckpt_image_reseal(buf, len);
}

struct top_record {
	__u32 type;
	int nth;
	long last;		/* the top-level record before, -1: none */
	long prev;
	size_t off;
};

static int top_record(void *arg, size_t off, const struct ckpt_hdr *h,
		      int parent)
{
	struct top_record *t = arg;

	if (parent >= 0)
		return 0;
	if (h->type == t->type && !t->nth--) {
		t->off = off;
		t->prev = t->last;
		return 1;
	}
	t->last = off;
	return 0;
}

size_t image_top_record(const unsigned char *buf, size_t len, __u32 type,
			int nth, long *prev)
{
	struct top_record t = { .type = type, .nth = nth, .last = -1 };

	if (ckpt_image_walk(buf, len, top_record, &t) != 1)
		return 0;
	if (prev)
		*prev = t.prev;
	return t.off;
}

/* The rstr to run: $RSTR, else /usr/bin/rstr. */
const char *rstr_path(void)
{
	const char *path = getenv("RSTR");

	return path && *path ? path : "/usr/bin/rstr";
}

#define RSTR_ARGS	4

/*
 * A call_fn for fork_call(): become "rstr -i" of the image at @img_fd,
 * with the options in @arg (NULL-terminated, at most RSTR_ARGS; or NULL).
 */
int exec_rstr(int img_fd, void *arg)
{
	const char **opts = arg;
	char input[32];
	char *argv[RSTR_ARGS + 4] = { "rstr", "-i", input };
	int i;

	snprintf(input, sizeof(input), "/proc/self/fd/%d", img_fd);
	for (i = 0; opts && i < RSTR_ARGS && opts[i]; i++)
		argv[3 + i] = (char *)opts[i];
	execv(rstr_path(), argv);
	fprintf(stderr, "cannot run %s: %s\n", rstr_path(), strerror(errno));
	return -1;
}

/*
 * A child runs rstr on @img_fd with stdin/stdout @in_fd/@out_fd: it exits
 * as the restored tree's root does, or 1 if the restart failed.
 */
pid_t fork_rstr(int img_fd, int in_fd, int out_fd)
{
	return fork_call(img_fd, in_fd, out_fd, exec_rstr, NULL);
}

/* Does task @pid exist (a zombie does)? */
int task_exists(pid_t pid)
{
	return !kill(pid, 0) || errno != ESRCH;
}

/*
 * Within @ms, reap whichever of the @nr tasks @pids are our children
 * (orphans come to a PR_SET_CHILD_SUBREAPER) until none exists.  0 if
 * they are all gone, else the first one left.
 */
pid_t wait_gone(const pid_t *pids, size_t nr, int ms)
{
	pid_t left;
	size_t i;
	int status;

	for (;;) {
		left = 0;
		for (i = nr; i-- > 0;) {
			waitpid(pids[i], &status, WNOHANG);
			if (task_exists(pids[i]))
				left = pids[i];
		}
		if (!left || ms <= 0)
			return left;
		sleep_for_ms(POLL_STEP_MS);
		ms -= POLL_STEP_MS;
	}
}

/*
 * A hex mask field ("SigBlk") of /proc/PID/status; a thread's own with
 * its tid for @pid.  ~0 if there is none.
 */
unsigned long long proc_mask(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long mask = ~0ULL;
	size_t len = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return mask;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':')
			mask = strtoull(line + len + 1, NULL, 16);
	}
	fclose(f);
	return mask;
}

/*
 * @pid's state letter, parent and exit signal (fields 3, 4 and 38) from
 * /proc/PID/stat.
 */
int proc_stat(pid_t pid, char *state, int *ppid, int *exit_signal)
{
	char buf[1024], *p;
	int i;

	if (read_proc(pid, "stat", buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", state, ppid) != 2)
		return -1;
	for (i = 2; i < 38 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*exit_signal = strtol(p, NULL, 10);
	return 0;
}

/* The parent of process @pid, from /proc/PID/stat; -1 if unknown. */
pid_t proc_ppid(pid_t pid)
{
	int ppid, sig;
	char state;

	return proc_stat(pid, &state, &ppid, &sig) ? -1 : ppid;
}

int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* @root, then its descendants, parents before children. */
int tree_pids(pid_t root, pid_t *pids, int max)
{
	int nr = 1, i, first;
	struct dirent *d;
	pid_t pid;
	DIR *dp;

	pids[0] = root;
	for (i = 0; i < nr; i++) {
		dp = opendir("/proc");
		if (!dp)
			return -1;
		first = nr;
		while ((d = readdir(dp))) {
			pid = atoi(d->d_name);
			if (pid <= 0 || proc_ppid(pid) != pids[i])
				continue;
			if (nr == max) {
				closedir(dp);
				return -1;
			}
			pids[nr++] = pid;
		}
		closedir(dp);
		qsort(pids + first, nr - first, sizeof(pid_t), cmp_int);
	}
	return nr;
}

/* The open fds of @pid from 3 on, sorted. */
int task_fds(pid_t pid, int *fds, int max)
{
	char path[64];
	struct dirent *d;
	int nr = 0, fd;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		if (fd < 3)
			continue;
		if (nr == max) {
			closedir(dp);
			return -1;
		}
		fds[nr++] = fd;
	}
	closedir(dp);
	qsort(fds, nr, sizeof(int), cmp_int);
	return nr;
}

/* The text after @key in /proc/@pid/fdinfo/@fd, or NULL. */
const char *fdinfo_field(pid_t pid, int fd, const char *key, char *buf,
			 size_t size)
{
	char name[32], *p;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	if (read_proc(pid, name, buf, size))
		return NULL;
	p = strstr(buf, key);
	return p ? p + strlen(key) : NULL;
}

/* The "flags:" of /proc/@pid/fdinfo/@fd, or -1. */
long fd_flags(pid_t pid, int fd)
{
	char buf[1024];
	const char *p = fdinfo_field(pid, fd, "flags:", buf, sizeof(buf));

	return p ? strtol(p, NULL, 8) : -1;
}

/*
 * Which of the first @nr fds in @refs is the same open file as @pid's
 * @fd: its index, @nr if none is, -1 if kcmp() cannot tell.
 */
int same_file(const struct fd_ref *refs, int nr, pid_t pid, int fd)
{
	int i, ret;

	for (i = 0; i < nr; i++) {
		ret = syscall(SYS_kcmp, pid, refs[i].pid, KCMP_FILE, fd,
			      refs[i].fd);
		if (ret < 0)
			return -1;
		if (!ret)
			return i;
	}
	return nr;
}

/* @ino's number in @l, added if new (@l has room: one per fd at most). */
int ino_index(struct ino_list *l, unsigned long ino)
{
	int i;

	for (i = 0; i < l->nr && l->ino[i] != ino; i++)
		;
	if (i == l->nr)
		l->ino[l->nr++] = ino;
	return i;
}

/*
 * The fds of @root's tree as text, one line each: task, fd, flags, what
 * it is - @what_fn's word for its /proc link, or the link itself if
 * @what_fn is NULL - and which open file it is, numbered in order of
 * appearance.  0, or -1 if the tree could not be read.
 */
int fd_signature(pid_t root, char *out, size_t size, fd_what_fn what_fn,
		 void *arg)
{
	struct fd_ref refs[TREE_MAX_FDS];
	struct ino_list inos = { .nr = 0 };
	int fds[TREE_MAX_FDS], nr_refs = 0, nr_pids, nr_fds, i, j, file;
	pid_t pids[TREE_MAX_TASKS];
	char path[64], link[PATH_MAX], what[PATH_MAX + 320];
	size_t len = 0;
	ssize_t n;
	long fl;

	nr_pids = tree_pids(root, pids, TREE_MAX_TASKS);
	if (nr_pids < 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < nr_pids; i++) {
		nr_fds = task_fds(pids[i], fds, TREE_MAX_FDS);
		if (nr_fds < 0)
			return -1;
		for (j = 0; j < nr_fds; j++) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%d", pids[i],
				 fds[j]);
			n = readlink(path, link, sizeof(link) - 1);
			fl = fd_flags(pids[i], fds[j]);
			if (n <= 0 || fl < 0 || nr_refs == TREE_MAX_FDS)
				return -1;
			link[n] = '\0';
			if (what_fn)
				what_fn(link, &inos, arg, what, sizeof(what));
			else
				snprintf(what, sizeof(what), "%s", link);
			file = same_file(refs, nr_refs, pids[i], fds[j]);
			if (file < 0)
				return -1;
			if (file == nr_refs) {
				refs[nr_refs].pid = pids[i];
				refs[nr_refs++].fd = fds[j];
			}
			len += snprintf(out + len, size - len,
					"pid %d fd %d flags 0%lo %s file %d\n",
					pids[i], fds[j], fl, what, file);
			if (len >= size)
				return -1;
		}
	}
	return 0;
}

/* Start target @mode with pipes of @t's; 0 once it said it is ready. */
int proc_spawn(struct proc *t, const char *mode)
{
	int in, out;

	if (proc_pipes(t, &in, &out))
		return -1;
	t->pid = spawn_target(mode, in, out);
	close(in);
	close(out);
	if (t->pid < 0)
		return -1;
	return wait_ready(t->out, TIMEOUT_MS);
}

/*
 * @fn (exec_rstr, or a variant) restores @img in a child: the root's
 * stdin and stdout are @t's pipes.
 */
int proc_restore(struct proc *t, int img, call_fn fn, void *arg)
{
	int in, out;
	pid_t pid;

	if (lseek(img, 0, SEEK_SET) || proc_pipes(t, &in, &out))
		return -1;
	pid = fork_call(img, in, out, fn, arg);
	close(in);
	close(out);
	t->pid = pid > 0 ? pid : 0;
	return t->pid ? 0 : -1;
}

/*
 * Within @ms, until @root sleeps in its read(0) and every other task of
 * its tree sleeps too (in its own read(0), in a write, in a wait): set
 * up and still.  Notes the tree in @pids (TREE_MAX_TASKS) and *@nr.
 */
int settle_tree(pid_t root, pid_t *pids, int *nr, int ms)
{
	int waited, i, ppid, sig;
	char state;

	if (wait_blocked(root, ms))
		return -1;
	for (waited = 0; waited < ms; waited += 10) {
		*nr = tree_pids(root, pids, TREE_MAX_TASKS);
		for (i = 1; i < *nr; i++) {
			if (proc_stat(pids[i], &state, &ppid, &sig) ||
			    state != 'S')
				break;
		}
		if (*nr > 0 && i == *nr)
			return 0;
		sleep_for_ms(10);
	}
	return -1;
}

/*
 * Release @t (end of file on its stdin), read all it prints into @out
 * until every task of it is gone, and reap it (rstr exits as the
 * restored root does).  0, or -1 if any step took more than @ms.
 */
int proc_collect(struct proc *t, char *out, size_t size, int *status,
		 int ms)
{
	struct pollfd p = { .fd = t->out, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	close(t->in);
	t->in = -1;
	out[0] = '\0';
	while (len < size - 1) {
		if (poll(&p, 1, ms) <= 0)
			return -1;
		n = read(t->out, out + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	out[len] = '\0';
	if (wait_timeout(t->pid, status, ms))
		return -1;
	t->pid = 0;
	proc_fini(t);
	return 0;
}

/*
 * Wait until the restored tree of @root has the fds it was saved with
 * (@sig of it is @before; @now is for the one taken).  -1 if it does not
 * within @ms, or if rstr (@t) exits first: its status in *@status, and
 * t->pid 0.
 */
int wait_restored(struct proc *t, pid_t root, sig_fn sig,
		  const char *before, char *now, size_t size, int *status,
		  int ms)
{
	int waited;

	*status = -1;
	for (waited = 0; waited < ms; waited += 20) {
		if (!sig(root, now, size) && !strcmp(before, now))
			return 0;
		if (waitpid(t->pid, status, WNOHANG) == t->pid) {
			t->pid = 0;
			return -1;
		}
		sleep_for_ms(20);
	}
	return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove @dir and all below it, from / (it may be our cwd). */
int remove_tree(const char *dir)
{
	if (chdir("/") || nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS))
		return -1;
	return 0;
}

/* The test guest has devtmpfs only: /dev/ptmx needs a devpts at /dev/pts. */
int mount_devpts(void)
{
	struct statfs sf;

	if (!statfs("/dev/pts", &sf) && sf.f_type == DEVPTS_SUPER_MAGIC)
		return 0;
	if (mkdir("/dev/pts", 0755) && errno != EEXIST)
		return -1;
	return mount("devpts", "/dev/pts", "devpts", 0,
		     "mode=0620,ptmxmode=0666");
}
