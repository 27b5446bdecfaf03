// SPDX-License-Identifier: GPL-2.0
/*
 * epoll across checkpoint and restart (issue 5).  Each mode of
 * epoll_target is checkpointed without kill while it sleeps, released,
 * and must then print exactly what is written here: the events and data
 * of every epoll_wait() it makes as it drives the watched pipes and
 * FIFOs (the checkpoint changed nothing).  Its image is then restored by
 * rstr, and the copy must print exactly the same again.  Before each
 * release the test compares, for every process and every fd from 3 on:
 * the fdinfo (pos, flags, and of an epoll each watch's fd, events and
 * data), which fds are one open file (kcmp) and which are files of one
 * inode (both ends of a pipe, opens of a FIFO), before the checkpoint,
 * after it, and after the restart.
 *
 * Covered: ready and unready pipe ends and a FIFO; edge-triggered and
 * one-shot watches, fired or not; epolls watching epolls; watches whose
 * fd was closed or reused since epoll_ctl(); three processes sharing
 * pipes, a FIFO and epolls, one of them asleep in epoll_wait(); and an
 * epoll watching a file no process of the tree has open, which the
 * checkpoint refuses by fd, leaving the process running.  Broken EPOLL
 * and EPOLL_ITEM records fail the restart with EINVAL.
 *
 * rstr is $RSTR or /usr/bin/rstr (see rstr_path()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "epoll_target.h"

#define WAIT_MS		60000	/* emulated, and rstr on top */
#define STEP_MS		20
#define MAX_TASKS	4
#define MAX_ENTRIES	96	/* (process, fd) pairs */
#define INFO_SIZE	2048
#define OUT_SIZE	4096
#define MAX_WATCHES	8

static const char expect_ready[] =
	"w1: p1=1 fifo=5 p2w=4 p4r=1\n"
	"w2: p1=1 fifo=5 p2w=4 p3=1 p4r=1\n"
	"p4 data ok\n"
	"w3: p1=1 fifo=5 p2w=4 p3=1 p4w=4\n"
	"p1 read 5 hello\n"
	"fifo read 5 fifo!\n"
	"w4: fifo=4 p2w=4 p3=1 p4w=4\n"
	"w5: fifo=4 p2w=4 p3=1 p4r=10\n";

static const char expect_flags[] =
	"w1: -\n"
	"w2: -\n"
	"w3: et1=1\n"
	"w4: -\n"
	"w5: os3=1\n"
	"w6: -\n"
	"w7: -\n"
	"w8: os1=1\n"
	"w9: -\n"
	"w10: os2=11\n"
	"w11: et2=1\n"
	"w12: -\n";

static const char expect_nested[] =
	"w1: n4=1\n"
	"w2: n2a=1\n"
	"w3: n1=1\n"
	"w4: -\n"
	"w5: n2a=1 n2b=1\n"
	"w6: n3=1\n"
	"w7: n2b=1\n"
	"w8: n4=1\n"
	"w9: -\n";

static const char expect_moved[] =
	"w1: -\n"
	"w2: gone=1\n"
	"w3: other=1\n"
	"w4: k1=1 k2=1\n"
	"w5: q1=1\n"
	"w6: q1=1 q2=1\n"
	"fd 11 EBADF\n"
	"fd 13 null cloexec\n"
	"fd 23 EBADF\n"
	"del gone ok\n"
	"del q2 ok\n"
	"w7: q1=1\n";

/* regrouped by process: A's lines, B's, C's */
static const char expect_mix[] =
	"A p2 go\n"
	"A w1: ma1=1 maf=1\n"
	"A p1 nonblock\n"
	"A p1 read 8 p1-data!\n"
	"A p1 read EAGAIN\n"
	"A fifo read 16 C-fifo!!B-fifo!!\n"
	"A b status 0\n"
	"A w2: ma2=10 maf=10\n"
	"B c status 0\n"
	"B w1: mb1=1\n"
	"C w1: mb1=1\n";

static const char expect_outside[] =
	"w1: out=1\n"
	"own read 3 own\n";

/* One fd of one process. */
struct entry {
	int task;		/* index in snap.pid */
	int fd;
	dev_t dev;		/* of its inode */
	ino_t ino;
	char info[INFO_SIZE];	/* its fdinfo, inode numbers left out */
};

/* The processes of a tree and their fds from 3 on. */
struct snap {
	int nr_tasks;
	pid_t pid[MAX_TASKS];	/* the root, then breadth first by pid */
	int nr;
	struct entry e[MAX_ENTRIES];
	unsigned char same_file[MAX_ENTRIES][MAX_ENTRIES];
	unsigned char same_inode[MAX_ENTRIES][MAX_ENTRIES];
};

struct watch {
	int tfd;
	unsigned int events;
	unsigned long long data;
};

/* Milliseconds on a clock that counts the time our checks take too. */
static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* @s->pid[0]'s descendants, breadth first, each generation by pid. */
static int find_tasks(struct snap *s)
{
	int i, first;
	struct dirent *d;
	pid_t pid;
	DIR *dp;

	s->nr_tasks = 1;
	for (i = 0; i < s->nr_tasks; i++) {
		dp = opendir("/proc");
		if (!dp)
			return -1;
		first = s->nr_tasks;
		while ((d = readdir(dp))) {
			pid = atoi(d->d_name);
			if (pid <= 0 || proc_ppid(pid) != s->pid[i])
				continue;
			if (s->nr_tasks == MAX_TASKS) {
				closedir(dp);
				return -1;
			}
			s->pid[s->nr_tasks++] = pid;
		}
		closedir(dp);
		qsort(s->pid + first, s->nr_tasks - first, sizeof(pid_t),
		      cmp_int);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/*
 * The lines of @s sorted: an epoll lists its watches in the order of
 * their struct files in memory, which a restart does not keep.
 */
static void sort_lines(char *s)
{
	char copy[INFO_SIZE], *line[INFO_SIZE / 4], *p;
	size_t n = 0, i, len = 0;

	snprintf(copy, sizeof(copy), "%s", s);
	for (p = strtok(copy, "\n"); p && n < ARRAY_SIZE(line);
	     p = strtok(NULL, "\n"))
		line[n++] = p;
	qsort(line, n, sizeof(line[0]), cmp_str);
	for (i = 0; i < n && len < INFO_SIZE; i++)
		len += snprintf(s + len, INFO_SIZE - len, "%s\n", line[i]);
}

/*
 * Inode numbers of pipes and epolls are new after a restart: drop the
 * "ino:" line and the "ino:" field of each watch.
 */
static void strip_ino(char *s)
{
	char *p = s, *q = s, *end;

	while (*p) {
		if (!strncmp(p, "ino:", 4) && (p == s || p[-1] == '\n' ||
					      p[-1] == ' ' || p[-1] == '\t')) {
			end = p + strcspn(p, "\n ");
			if (*end == '\n' && (p == s || p[-1] == '\n'))
				end++;	/* the whole line */
			else if (q > s && q[-1] == ' ')
				q--;
			p = end;
			continue;
		}
		*q++ = *p++;
	}
	*q = '\0';
}

static int add_entries(struct snap *s, int task)
{
	char path[64], name[32];
	int fds[MAX_ENTRIES], nr, i;
	struct entry *e;
	struct stat st;

	nr = task_fds(s->pid[task], fds, MAX_ENTRIES);
	if (nr < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		if (s->nr == MAX_ENTRIES)
			return -1;
		e = &s->e[s->nr++];
		e->task = task;
		e->fd = fds[i];
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", s->pid[task],
			 e->fd);
		if (stat(path, &st))
			return -1;
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		snprintf(name, sizeof(name), "fdinfo/%d", e->fd);
		if (read_proc(s->pid[task], name, e->info, sizeof(e->info)))
			return -1;
		strip_ino(e->info);
		sort_lines(e->info);
	}
	return 0;
}

/* The tree of @root as it is now: its processes, fds, what they share. */
static int take_snap(pid_t root, struct snap *s)
{
	struct entry *a, *b;
	int i, j, ret;

	memset(s, 0, sizeof(*s));
	s->pid[0] = root;
	if (find_tasks(s))
		return -1;
	for (i = 0; i < s->nr_tasks; i++)
		if (add_entries(s, i))
			return -1;
	for (i = 0; i < s->nr; i++) {
		for (j = 0; j < s->nr; j++) {
			a = &s->e[i];
			b = &s->e[j];
			ret = syscall(SYS_kcmp, s->pid[a->task], s->pid[b->task],
				      KCMP_FILE, a->fd, b->fd);
			if (ret < 0)
				return -1;
			s->same_file[i][j] = !ret;
			s->same_inode[i][j] = a->dev == b->dev &&
					      a->ino == b->ino;
		}
	}
	return 0;
}

static void log_entry(struct __test_metadata *_metadata, const char *what,
		      const struct snap *s, int i)
{
	char info[INFO_SIZE], *p;

	if (i < 0 || i >= s->nr)
		return;
	snprintf(info, sizeof(info), "%s", s->e[i].info);
	for (p = info; (p = strchr(p, '\n'));)
		*p = '|';
	TH_LOG("  %s: process %d fd %d: %s", what, s->e[i].task, s->e[i].fd,
	       info);
}

#define MAX_DIFFS	8	/* logged */

/* 0 if @got is @want; else log how it differs. */
static int check_same(struct __test_metadata *_metadata, const char *when,
		      const struct snap *want, const struct snap *got)
{
	int i, j, n = 0;

	if (want->nr_tasks != got->nr_tasks ||
	    memcmp(want->pid, got->pid, sizeof(want->pid))) {
		TH_LOG("%s: processes differ", when);
		for (i = 0; i < want->nr_tasks || i < got->nr_tasks; i++)
			TH_LOG("  process %d: pid %d, was %d", i,
			       i < got->nr_tasks ? got->pid[i] : 0,
			       i < want->nr_tasks ? want->pid[i] : 0);
		return -1;
	}
	if (want->nr != got->nr)
		TH_LOG("%s: %d fds, not %d", when, got->nr, want->nr);
	for (i = 0; i < want->nr || i < got->nr; i++) {
		if (i < want->nr && i < got->nr &&
		    want->e[i].task == got->e[i].task &&
		    want->e[i].fd == got->e[i].fd &&
		    !strcmp(want->e[i].info, got->e[i].info))
			continue;
		if (n++ < MAX_DIFFS) {
			TH_LOG("%s: fd or fdinfo differs", when);
			log_entry(_metadata, "was", want, i);
			log_entry(_metadata, "now", got, i);
		}
	}
	if (n || want->nr != got->nr)
		return -1;
	for (i = 0; i < want->nr; i++) {
		for (j = i + 1; j < want->nr; j++) {
			if (want->same_file[i][j] == got->same_file[i][j] &&
			    want->same_inode[i][j] == got->same_inode[i][j])
				continue;
			if (n++ >= MAX_DIFFS)
				continue;
			TH_LOG("%s: process %d fd %d and process %d fd %d: one file %d, was %d; one inode %d, was %d",
			       when, want->e[i].task, want->e[i].fd,
			       want->e[j].task, want->e[j].fd,
			       got->same_file[i][j], want->same_file[i][j],
			       got->same_inode[i][j], want->same_inode[i][j]);
		}
	}
	return n ? -1 : 0;
}

/* The entry of fd @fd of process @task in @s, or -1. */
static int entry_of(const struct snap *s, int task, int fd)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (s->e[i].task == task && s->e[i].fd == fd)
			return i;
	return -1;
}

static int cmp_watch(const void *a, const void *b)
{
	const struct watch *x = a, *y = b;

	if (x->data != y->data)
		return x->data < y->data ? -1 : 1;
	return x->tfd - y->tfd;
}

/* The watches of the epoll at @fd of process @task, sorted by data. */
static int watches_of(const struct snap *s, int task, int fd,
		      struct watch *w, int max)
{
	const char *p;
	int i = entry_of(s, task, fd), n = 0;

	if (i < 0)
		return -1;
	for (p = s->e[i].info; (p = strstr(p, "tfd:")); p++) {
		if (n == max)
			return -1;
		if (sscanf(p, "tfd: %d events: %x data: %llx", &w[n].tfd,
			   &w[n].events, &w[n].data) != 3)
			return -1;
		n++;
	}
	qsort(w, n, sizeof(*w), cmp_watch);
	return n;
}

/* The epoll at @fd of the root has exactly the watches @want. */
static void check_watches(struct __test_metadata *_metadata, const char *when,
			  const struct snap *s, int fd,
			  const struct watch *want, int nr)
{
	struct watch w[MAX_WATCHES], sorted[MAX_WATCHES];
	int n, i;

	memcpy(sorted, want, nr * sizeof(*want));
	qsort(sorted, nr, sizeof(*sorted), cmp_watch);
	n = watches_of(s, 0, fd, w, MAX_WATCHES);
	EXPECT_EQ(nr, n) {
		TH_LOG("%s: epoll at fd %d has %d watches, not %d", when, fd,
		       n, nr);
		log_entry(_metadata, when, s, entry_of(s, 0, fd));
		return;
	}
	for (i = 0; i < nr; i++) {
		EXPECT_TRUE(w[i].tfd == sorted[i].tfd &&
			    w[i].events == sorted[i].events &&
			    w[i].data == sorted[i].data) {
			TH_LOG("%s: watch tfd %d events %x data %llx, not tfd %d events %x data %llx",
			       when, w[i].tfd, w[i].events, w[i].data,
			       sorted[i].tfd, sorted[i].events,
			       sorted[i].data);
		}
	}
}

/* Is @pid asleep in read(0, ...) or in an epoll_wait()? */
static int asleep(pid_t pid)
{
	char buf[512], *p;
	long nr;

	if (read_proc(pid, "syscall", buf, sizeof(buf))) {
		if (read_proc(pid, "stat", buf, sizeof(buf)))
			return 0;
		p = strrchr(buf, ')');
		return p && p[1] == ' ' && p[2] == 'S';
	}
	if (!strncmp(buf, "0 0x0 ", 6))
		return 1;
	nr = strtol(buf, &p, 10);
	if (p == buf)
		return 0;
	return nr == SYS_epoll_wait || nr == SYS_epoll_pwait ||
	       nr == SYS_epoll_pwait2;
}

/*
 * Until the tree of @root has @nr processes, all asleep (a restored one
 * is not before its restart is over); -1 if not, or if @rstr (if not 0)
 * exits first, its wait status in *@status.
 */
static int wait_asleep(pid_t root, int nr, struct snap *s, pid_t rstr,
		       int *status)
{
	long end = now_ms() + WAIT_MS;
	int i, all;

	do {
		s->pid[0] = root;
		if (!find_tasks(s) && s->nr_tasks == nr) {
			for (i = 0, all = 1; i < nr && all; i++)
				all = asleep(s->pid[i]);
			if (all)
				return 0;
		}
		if (rstr && waitpid(rstr, status, WNOHANG) == rstr)
			return -1;
		sleep_for_ms(STEP_MS);
	} while (now_ms() < end);
	return -1;
}

/* Everything @fd gives until end of file, NUL-terminated. */
static int read_all(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len == size - 1)
			break;
	}
	buf[len] = '\0';
	return n == 0 ? 0 : -1;
}

/*
 * The lines of "mix" grouped by process, A's, then B's, then C's, each
 * process's in its order; any other line first.
 */
static void regroup(char *buf)
{
	static const char order[] = "?ABC";
	char *copy = strdup(buf), *line, *next;
	size_t len = 0;
	int k, who;

	if (!copy)
		return;
	for (k = 0; order[k]; k++) {
		for (line = copy; *line; line = next) {
			next = strchr(line, '\n');
			next = next ? next + 1 : line + strlen(line);
			who = line[1] == ' ' && strchr(order + 1, line[0]) ?
			      line[0] : '?';
			if (who != order[k])
				continue;
			memcpy(buf + len, line, next - line);
			len += next - line;
		}
	}
	buf[len] = '\0';
	free(copy);
}

FIXTURE(ep) {
	int img;
	struct proc t, r;	/* the target, then rstr */
	struct snap *before;	/* the target when it was saved */
	struct snap *now;
	char dir[PATH_MAX];	/* the target's cwd */
};

#define SELF	FIXTURE_DATA(ep)
#define META	struct __test_metadata *_metadata

FIXTURE_SETUP(ep)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	use_target("epoll_target");
	proc_init(&self->t);
	proc_init(&self->r);
	self->before = calloc(1, sizeof(*self->before));
	self->now = calloc(1, sizeof(*self->now));
	ASSERT_TRUE(self->before && self->now);
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	/* killed targets' orphans come to us, to be reaped */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	snprintf(self->dir, sizeof(self->dir), "%s/ckpt-epoll.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chdir(self->dir));
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(ep)
{
	int i;

	proc_fini(&self->t);
	/* a restored tree left behind when a check failed */
	for (i = 0; self->before && i < self->before->nr_tasks; i++)
		kill(self->before->pid[i], SIGKILL);
	proc_fini(&self->r);
	if (self->before)
		wait_gone(self->before->pid, self->before->nr_tasks,
			  TIMEOUT_MS);
	free(self->before);
	free(self->now);
	close(self->img);
	if (remove_tree(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* Start @mode: ready, its @nr processes asleep, their files noted. */
static int begin(META, SELF *self, const char *mode, int nr)
{
	int in, out;

	if (proc_pipes(&self->t, &in, &out))
		return -1;
	self->t.pid = spawn_target(mode, in, out);
	close(in);
	close(out);
	if (self->t.pid < 0 || wait_ready(self->t.out, WAIT_MS)) {
		TH_LOG("%s did not get ready", mode);
		return -1;
	}
	if (wait_asleep(self->t.pid, nr, self->before, 0, NULL)) {
		TH_LOG("%s: %d processes of %d, not all asleep", mode,
		       self->before->nr_tasks, nr);
		return -1;
	}
	if (take_snap(self->t.pid, self->before)) {
		TH_LOG("cannot see the fds of %s", mode);
		return -1;
	}
	return 0;
}

/*
 * Release @p (@bytes bytes, one for each process asleep in read(0)) and
 * check what it prints until all its processes are gone, and that it
 * (rstr: the restored root) exits 0.
 */
static void finish(META, struct proc *p, int bytes, const char *expect,
		   int grouped, const char *who)
{
	char buf[OUT_SIZE];
	int status = -1;

	ASSERT_EQ(bytes, write(p->in, "xxxx", bytes));
	EXPECT_EQ(0, read_all(p->out, buf, sizeof(buf), WAIT_MS)) {
		TH_LOG("%s: no end of output", who);
	}
	if (grouped)
		regroup(buf);
	EXPECT_STREQ(expect, buf) {
		TH_LOG("%s printed something else", who);
	}
	ASSERT_EQ(0, wait_timeout(p->pid, &status, WAIT_MS)) {
		TH_LOG("%s did not exit", who);
	}
	p->pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("%s: status %#x", who, status);
	}
}

/* Checkpoint without kill: the files are as they were. */
static void save(META, SELF *self)
{
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, 0, STDERR_FILENO)) {
		TH_LOG("checkpoint of %d: %s", self->t.pid, strerror(errno));
	}
	ASSERT_EQ(0, take_snap(self->t.pid, self->now));
	EXPECT_EQ(0, check_same(_metadata, "after the checkpoint",
				self->before, self->now));
}

/*
 * rstr restores the image: once the processes are back and asleep again,
 * they have the files they had.
 */
static void restore(META, SELF *self)
{
	int in, out, status = -1;
	pid_t left;

	left = wait_gone(self->before->pid, self->before->nr_tasks, WAIT_MS);
	ASSERT_EQ(0, left) {
		TH_LOG("process %d of the target is still there", left);
	}
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	ASSERT_EQ(0, proc_pipes(&self->r, &in, &out));
	self->r.pid = fork_rstr(self->img, in, out);
	close(in);
	close(out);
	ASSERT_LT(0, self->r.pid);
	if (wait_asleep(self->before->pid[0], self->before->nr_tasks,
			self->now, self->r.pid, &status)) {
		if (status != -1)
			self->r.pid = 0;
		ASSERT_TRUE(0) {
			TH_LOG("not restored: %d processes of %d, rstr status %#x",
			       self->now->nr_tasks, self->before->nr_tasks,
			       status);
		}
	}
	ASSERT_EQ(0, take_snap(self->before->pid[0], self->now));
	EXPECT_EQ(0, check_same(_metadata, "after the restart", self->before,
				self->now));
}

/*
 * @mode's @nr processes, @bytes of them in read(0), checkpointed: the
 * original and then the restored copy print @expect.
 */
static void roundtrip(META, SELF *self, const char *mode, int nr, int bytes,
		      const char *expect)
{
	int grouped = nr > 1;

	ASSERT_EQ(0, begin(_metadata, self, mode, nr));
	save(_metadata, self);
	finish(_metadata, &self->t, bytes, expect, grouped, "the original");
	restore(_metadata, self);
	finish(_metadata, &self->r, bytes, expect, grouped, "the restored copy");
}

/*
 * 1. A pipe read end with data, a FIFO with data (read and write), an
 * empty pipe's write end, an empty read end, both ends of a full pipe:
 * exactly the ready ones are reported, with their data, and become ready
 * or not as data is written and read.
 */
TEST_F_TIMEOUT(ep, ready, 180)
{
	if (_metadata->skip)
		return;
	roundtrip(_metadata, self, "ready", 1, 1, expect_ready);
}

/*
 * 2. Edge-triggered and one-shot watches keep their flags and data
 * (fdinfo); a one-shot that fired stays disarmed, even for a hangup,
 * until EPOLL_CTL_MOD re-arms it; an edge-triggered one reports once per
 * edge.
 */
TEST_F_TIMEOUT(ep, et_oneshot, 180)
{
	/* the fired one-shot watches keep only their flag */
	const struct watch want[] = {
		{ FL_ET1, EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP,
		  ep_data(W_ET1) },
		{ FL_ET2, EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP,
		  ep_data(W_ET2) },
		{ FL_ET3, EPOLLOUT | EPOLLET | EPOLLERR | EPOLLHUP,
		  ep_data(W_ET3) },
		{ FL_OS1, EPOLLONESHOT, ep_data(W_OS1) },
		{ FL_OS2, EPOLLONESHOT, ep_data(W_OS2) },
		{ FL_OS3, EPOLLIN | EPOLLONESHOT | EPOLLERR | EPOLLHUP,
		  ep_data(W_OS3) },
	};
	int nr = ARRAY_SIZE(want);

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "flags", 1));
	check_watches(_metadata, "before", self->before, FL_EPOLL, want, nr);
	save(_metadata, self);
	finish(_metadata, &self->t, 1, expect_flags, 0, "the original");
	restore(_metadata, self);
	check_watches(_metadata, "restored", self->now, FL_EPOLL, want, nr);
	finish(_metadata, &self->r, 1, expect_flags, 0, "the restored copy");
}

/* 3. Epolls watching epolls, three deep, down to two pipes. */
TEST_F_TIMEOUT(ep, nested, 180)
{
	if (_metadata->skip)
		return;
	roundtrip(_metadata, self, "nested", 1, 1, expect_nested);
}

/*
 * 4. Watches whose fd was closed after epoll_ctl(), the file open at
 * another fd, or with another file there now, one file watched at two
 * fds, two files watched at one fd: the watches keep their fds (fdinfo
 * tfd, EPOLL_CTL_DEL by that fd) and report; the fds keep their files.
 */
TEST_F_TIMEOUT(ep, moved_fds, 180)
{
	const struct watch want[] = {
		{ 11, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_GONE) },
		{ 13, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_OTHER) },
		{ 15, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_K1) },
		{ 23, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_K2) },
		{ 17, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_Q1) },
		{ 17, EPOLLIN | EPOLLERR | EPOLLHUP, ep_data(W_Q2) },
	};
	int nr = ARRAY_SIZE(want);

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "moved", 1));
	check_watches(_metadata, "before", self->before, 10, want, nr);
	save(_metadata, self);
	finish(_metadata, &self->t, 1, expect_moved, 0, "the original");
	restore(_metadata, self);
	check_watches(_metadata, "restored", self->now, 10, want, nr);
	finish(_metadata, &self->r, 1, expect_moved, 0, "the restored copy");
}

/* fd @fa of process @a and fd @fb of @b: one open file, one inode. */
static void check_pair(META, const char *when, const struct snap *s, int a,
		       int fa, int b, int fb, int file, int inode)
{
	int i = entry_of(s, a, fa), j = entry_of(s, b, fb);

	ASSERT_TRUE(i >= 0 && j >= 0) {
		TH_LOG("%s: process %d fd %d or process %d fd %d missing",
		       when, a, fa, b, fb);
	}
	EXPECT_EQ(file, s->same_file[i][j]) {
		TH_LOG("%s: process %d fd %d, process %d fd %d: one file?",
		       when, a, fa, b, fb);
	}
	EXPECT_EQ(inode, s->same_inode[i][j]) {
		TH_LOG("%s: process %d fd %d, process %d fd %d: one inode?",
		       when, a, fa, b, fb);
	}
}

/* What "mix" shares, as epoll_target.c describes it. */
static void check_mix(META, const char *when, const struct snap *s)
{
	int t;

	ASSERT_EQ(MIX_NR, s->nr_tasks);
	for (t = MIX_B; t <= MIX_C; t++) {
		check_pair(_metadata, when, s, MIX_A, 10, t, 10, 1, 1);
		check_pair(_metadata, when, s, MIX_A, 11, t, 11, 1, 1);
		check_pair(_metadata, when, s, MIX_A, 12, t, 12, 1, 1);
	}
	check_pair(_metadata, when, s, MIX_A, 11, MIX_A, 12, 0, 1);
	check_pair(_metadata, when, s, MIX_B, 13, MIX_C, 13, 1, 1);
	check_pair(_metadata, when, s, MIX_B, 14, MIX_C, 14, 1, 1);
	check_pair(_metadata, when, s, MIX_A, 13, MIX_B, 14, 0, 1);
	/* the FIFO: three opens of one inode */
	check_pair(_metadata, when, s, MIX_A, 15, MIX_B, 15, 0, 1);
	check_pair(_metadata, when, s, MIX_A, 15, MIX_C, 16, 0, 1);
	check_pair(_metadata, when, s, MIX_B, 15, MIX_C, 16, 0, 1);
}

/*
 * 5. The nastiest mix: A, its child B and B's child C share an epoll
 * (EA) and both ends of a pipe (P1); B and C share B's epoll EB, which
 * watches P1's read end too; pipe P2 goes from B to A only; a FIFO is
 * open in A for reading, in B for writing, in C for both.  A and B sleep
 * in read(0), C in epoll_wait(EB).  Released, B writes into P1, which
 * wakes C, and both EA and EB report it with their own data; the FIFO
 * brings C's and B's data to A; P2 B's; the non-blocking mode B sets on
 * P1's read end is A's; and A sees the hangups of P2 and the FIFO when
 * B and C are gone.
 */
TEST_F_TIMEOUT(ep, mix, 240)
{
	if (_metadata->skip)
		return;
	ASSERT_EQ(0, begin(_metadata, self, "mix", MIX_NR));
	check_mix(_metadata, "before", self->before);
	save(_metadata, self);
	finish(_metadata, &self->t, 2, expect_mix, 1, "the original");
	restore(_metadata, self);
	check_mix(_metadata, "restored", self->now);
	finish(_metadata, &self->r, 2, expect_mix, 1, "the restored copy");
}

/* A call_fn for fork_call(): epoll_target "outside", the epoll at 3. */
static int exec_outside(int fd, void *arg)
{
	(void)arg;
	if (fd != OUT_EPOLL)
		return -1;
	execl(target_path(), "epoll_target", "outside", (char *)NULL);
	return -1;
}

/*
 * 6. The target's epoll (made by the test) watches the test's pipe,
 * which no process of the tree has open; the target has a pipe of its
 * own at the fd the watch was added with.  Checkpoint, with or without
 * kill, fails with EOPNOTSUPP and names that fd; the target runs on and
 * gets its event.
 */
TEST_F_TIMEOUT(ep, outside_file, 120)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = ep_data(W_OUT) };
	static const unsigned long flags[] = { 0, CHECKPOINT_KILL };
	char log[4096], name[16], *p;
	int in, out, ep, pfd[2], logfd, i, ret, err;
	unsigned char *text;
	size_t len;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(-1, fcntl(OUT_TFD, F_GETFD));
	ASSERT_EQ(OUT_TFD, dup2(pfd[0], OUT_TFD));
	ep = epoll_create1(O_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, OUT_TFD, &ev));
	close(OUT_TFD);

	ASSERT_EQ(0, proc_pipes(&self->t, &in, &out));
	self->t.pid = fork_call(ep, in, out, exec_outside, NULL);
	close(in);
	close(out);
	close(ep);
	ASSERT_LT(0, self->t.pid);
	ASSERT_EQ(0, wait_ready(self->t.out, WAIT_MS));
	ASSERT_EQ(0, wait_asleep(self->t.pid, 1, self->before, 0, NULL));

	for (i = 0; i < (int)ARRAY_SIZE(flags); i++) {
		logfd = tmp_image();
		ASSERT_LE(0, logfd);
		ret = checkpoint(self->t.pid, self->img, flags[i], logfd);
		err = errno;
		ASSERT_EQ(0, lseek(logfd, 0, SEEK_SET));
		len = read_file(logfd, &text);
		close(logfd);
		ASSERT_NE(NULL, text);
		snprintf(log, sizeof(log), "%.*s", (int)len, (char *)text);
		free(text);
		EXPECT_TRUE(ret == -1 && err == EOPNOTSUPP) {
			TH_LOG("checkpoint (flags %#lx): %d, %s", flags[i],
			       ret, strerror(err));
		}
		snprintf(name, sizeof(name), "fd %d", OUT_TFD);
		p = strstr(log, name);
		EXPECT_TRUE(p && (p[strlen(name)] < '0' ||
				  p[strlen(name)] > '9')) {
			TH_LOG("the log does not name fd %d: %s", OUT_TFD,
			       log);
		}
		EXPECT_TRUE(is_alive(self->t.pid));
		ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
		ASSERT_EQ(0, ftruncate(self->img, 0));
	}
	ASSERT_EQ(1, write(pfd[1], "o", 1));
	finish(_metadata, &self->t, 1, expect_outside, 0, "the target");
	close(pfd[0]);
	close(pfd[1]);
}

/* ---------------------------------------------------------------------- */
/* Broken images */

static const char expect_image[] = "image: i1=1 i2=4\ni1 read 3 img\n";

enum edit {
	VALID,
	BAD_EP_OBJREF,		/* EPOLL: another file's objref */
	BAD_EP_NR_ITEMS,	/* EPOLL: one item more than its length holds */
	BAD_EP_FILE_FLAGS,	/* its FILE: O_APPEND, which no epoll has */
	BAD_ITEM_EVENTS,	/* EPOLL_ITEM: an event bit that does not exist */
	BAD_ITEM_PAD,		/* EPOLL_ITEM: padding not zero */
	BAD_ITEM_FD,		/* EPOLL_ITEM: a negative fd */
	BAD_ITEM_MISSING,	/* EPOLL_ITEM: a file the image does not have */
	BAD_ITEM_NOT_FILE,	/* EPOLL_ITEM: the pipe's objref, not a file's */
};

FIXTURE(image) {
	struct image_case c;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, epoll_objref) { .edit = BAD_EP_OBJREF };
FIXTURE_VARIANT_ADD(image, epoll_nr_items) { .edit = BAD_EP_NR_ITEMS };
FIXTURE_VARIANT_ADD(image, epoll_file_flags) { .edit = BAD_EP_FILE_FLAGS };
FIXTURE_VARIANT_ADD(image, item_events) { .edit = BAD_ITEM_EVENTS };
FIXTURE_VARIANT_ADD(image, item_pad) { .edit = BAD_ITEM_PAD };
FIXTURE_VARIANT_ADD(image, item_fd) { .edit = BAD_ITEM_FD };
FIXTURE_VARIANT_ADD(image, item_missing) { .edit = BAD_ITEM_MISSING };
FIXTURE_VARIANT_ADD(image, item_not_file) { .edit = BAD_ITEM_NOT_FILE };

#define IMG	FIXTURE_DATA(image)

/*
 * The EPOLL record, its FILE right before it, its items (nested in it,
 * in the epoll's order: by file, not as added) and the first FILE of a
 * pipe end in the image.
 */
struct ep_recs {
	struct ckpt_hdr_file *ep_file, *pipe_file;
	struct ckpt_hdr_epoll *ep;
	struct ckpt_hdr_epoll_item *item[2];
};

static int find_recs(IMG *self, struct ep_recs *r)
{
	unsigned char *buf = self->c.buf;
	size_t off, f, len = self->c.len;
	struct ckpt_hdr_file *hf;
	long prev = -1;
	int n;

	memset(r, 0, sizeof(*r));
	off = image_top_record(buf, len, CKPT_HDR_EPOLL, 0, &prev);
	/* the first pipe's FILE before it */
	for (n = 0; off && !r->pipe_file; n++) {
		f = image_top_record(buf, len, CKPT_HDR_FILE, n, NULL);
		if (!f || f > off)
			break;
		hf = (struct ckpt_hdr_file *)(buf + f);
		if (hf->kind == CKPT_FILE_PIPE)
			r->pipe_file = hf;
	}
	if (!off || off + sizeof(*r->ep) + 2 * sizeof(*r->item[0]) > len ||
	    prev < 0 || image_hdr(buf, prev)->type != CKPT_HDR_FILE ||
	    !r->pipe_file)
		return -1;
	r->ep_file = (struct ckpt_hdr_file *)(buf + prev);
	r->ep = (struct ckpt_hdr_epoll *)(buf + off);
	r->item[0] = (void *)(buf + off + sizeof(*r->ep));
	r->item[1] = r->item[0] + 1;
	return 0;
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ckpt_hdr_epoll_item *i1, *i2;
	struct ep_recs r;

	if (find_recs(self, &r)) {
		TH_LOG("the image lacks an EPOLL record after its FILE, or a pipe");
		return -1;
	}
	/* i1: the read end's watch, i2: the write end's */
	i1 = r.item[r.item[0]->fd != IMG_RD];
	i2 = r.item[r.item[0]->fd == IMG_RD];
	if (r.ep->nr_items != 2 || r.ep->objref != r.ep_file->objref ||
	    i1->h.type != CKPT_HDR_EPOLL_ITEM || i1->fd != IMG_RD ||
	    !(i1->events & EPOLLIN) || i1->data != ep_data(W_I1) ||
	    i2->h.type != CKPT_HDR_EPOLL_ITEM || i2->fd != IMG_WR ||
	    !(i2->events & EPOLLOUT) || i2->data != ep_data(W_I2)) {
		TH_LOG("EPOLL objref %d, %u items; item 1: fd %d events %#x objref %d; item 2: fd %d events %#x",
		       r.ep->objref, r.ep->nr_items, i1->fd, i1->events,
		       i1->file_objref, i2->fd, i2->events);
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case BAD_EP_OBJREF:
		r.ep->objref = i1->file_objref;
		break;
	case BAD_EP_NR_ITEMS:
		r.ep->nr_items++;
		break;
	case BAD_EP_FILE_FLAGS:
		r.ep_file->f_flags |= O_APPEND;
		break;
	case BAD_ITEM_EVENTS:
		i2->events |= 1U << 20;
		break;
	case BAD_ITEM_PAD:
		i1->pad = 1;
		break;
	case BAD_ITEM_FD:
		i2->fd = -1;
		break;
	case BAD_ITEM_MISSING:
		i1->file_objref = 0x7ffffff0;
		break;
	case BAD_ITEM_NOT_FILE:
		i1->file_objref = r.pipe_file->obj_objref;
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("epoll_target");
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	ASSERT_NE(0, self->c.len);
	ASSERT_EQ(0, edit_image(_metadata, self, variant->edit));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(image)
{
	image_case_fini(&self->c);
}

/* Broken records fail the restart with EINVAL; the valid image runs. */
TEST_F_TIMEOUT(image, restart, 120)
{
	image_case_restart(_metadata, &self->c, restart_logged,
			   variant->edit == VALID, expect_image, "");
}

TEST_HARNESS_MAIN
