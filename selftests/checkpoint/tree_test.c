// SPDX-License-Identifier: GPL-2.0
/*
 * Process trees across checkpoint and restart (issue 4), checked from
 * what the processes of tree_target report: a subtree is frozen and saved
 * as one, its processes run on after a checkpoint or all die with
 * CHECKPOINT_KILL; rstr brings it back with the same pids, parents,
 * groups, sessions, zombies, subreaper flag, exit signals, shared open
 * files and pid namespace, every process counting on from where it was
 * and reaping its children with the right statuses.  A restart that
 * fails leaves nothing behind and names the task; a tree that forks and
 * exits all the time checkpoints consistently or fails cleanly.  The
 * context switches of restarts of 1, 10 and 100 tasks are printed.
 *
 * The processes talk through regular files in a temporary directory and
 * their exit statuses (see tree_target.h): pipes beyond stdio cannot be
 * checkpointed yet.  rstr is $RSTR or /usr/bin/rstr (see rstr_path()),
 * ckptinfo $CKPTINFO or the one in $PATH.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"
#include "tree_target.h"

#define WAIT_MS		60000	/* 100 processes under emulation */
#define STEP_MS		10
#define CHURN_ROUNDS	5	/* checkpoints of a churning tree */
#define CHURN_KILL_TRIES 5	/* with kill, at full speed; then */
#define CHURN_SLOW_TRIES 10	/* with the spawners napping */
#define CHURN_PAUSE_MS	200	/* for the spawners to fork some more */

/* Linear growth with room for noise: 15 times the size below, plus. */
#define SWITCH_FACTOR	15
#define SWITCH_SLACK	200

struct rep {
	int idx, pid, ppid, pgid, sid;
	unsigned long long token, count;
	int n, sub, state, opid;
	long xa, xb, xc;
};

struct restored {
	unsigned int nr_tasks, switches;
	unsigned long long usecs;
};

FIXTURE(tree) {
	char dir[256];
	char img[PATH_MAX];
	int n;				/* nodes */
	unsigned char zombie[TREE_MAX];	/* nodes that never report */
	pid_t pid[TREE_MAX];		/* each node's pid, as /proc says */
	struct rep rep[TREE_MAX];	/* its last report */
	pid_t spawned;			/* the root, or the pidns launcher */
	int spawned_status;		/* once reaped */
	pid_t rstr;
	int rstr_status;
};

#define TREE	FIXTURE_DATA(tree)
#define META	struct __test_metadata *_metadata

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void path_in(TREE *t, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

/* A file of the test directory, NUL-terminated, cut to @size. */
static int slurp(TREE *t, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	unsigned char *data;
	size_t len;
	int fd;

	path_in(t, path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read_file(fd, &data);
	close(fd);
	if (!data)
		return -1;
	len = len < size ? len : size - 1;
	memcpy(buf, data, len);
	buf[len] = '\0';
	free(data);
	return 0;
}

static int read_rep(TREE *t, int idx, struct rep *r)
{
	char name[16], path[PATH_MAX];
	FILE *f;
	int n;

	snprintf(name, sizeof(name), "r%d", idx);
	path_in(t, path, sizeof(path), name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fscanf(f, TREE_REPORT_FMT, &r->idx, &r->pid, &r->ppid, &r->pgid,
		   &r->sid, &r->token, &r->count, &r->n, &r->sub, &r->state,
		   &r->opid, &r->xa, &r->xb, &r->xc);
	fclose(f);
	return n == 14 && r->idx == idx ? 0 : -1;
}

/* Until node @idx reports at least @n times and reaches @state. */
static int wait_rep(TREE *t, int idx, int n, int state)
{
	struct rep r;
	int ms;

	for (ms = 0; ms < WAIT_MS; ms += STEP_MS) {
		if (!read_rep(t, idx, &r) && r.n >= n && r.state >= state) {
			t->rep[idx] = r;
			return 0;
		}
		sleep_ms(STEP_MS);
	}
	return -1;
}

static void show_file(TREE *t, const char *name)
{
	char buf[4096], *line, *save;

	if (slurp(t, name, buf, sizeof(buf)) || !buf[0])
		return;
	fprintf(stderr, "# %s:\n", name);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   %s\n", line);
}

/* Reap whatever children we have until there are none. */
static int reap_all(TREE *t, int *status, int ms)
{
	int st, i;
	pid_t pid;

	for (; ms > 0; ms -= STEP_MS) {
		while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
			for (i = 0; status && i < t->n; i++)
				if (t->pid[i] == pid)
					status[i] = st;
			if (pid == t->spawned) {
				t->spawned = 0;
				t->spawned_status = st;
			}
			if (pid == t->rstr) {
				t->rstr = 0;
				t->rstr_status = st;
			}
		}
		if (pid < 0 && errno == ECHILD)
			return 0;
		sleep_ms(STEP_MS);
	}
	return -1;
}

/* None of the tree's pids is in use any more. */
static int all_gone(TREE *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->pid[i] > 0 && task_exists(t->pid[i]))
			return 0;
	return 1;
}

FIXTURE_SETUP(tree)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	use_target("tree_target");
	/* orphans of the trees come to us, so that we can reap them */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	snprintf(self->dir, sizeof(self->dir), "%s/ckpt-tree.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	path_in(self, self->img, sizeof(self->img), "image");
	ASSERT_EQ(0, setenv(TREE_DIR_ENV, self->dir, 1));
}

static void rm_dir(const char *path)
{
	char file[PATH_MAX + 512];
	struct dirent *e;
	DIR *d = opendir(path);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

FIXTURE_TEARDOWN(tree)
{
	int i;

	if (!_metadata->passed) {
		show_file(self, "target.log");
		show_file(self, "rstr.log");
	}
	for (i = 0; i < self->n; i++)
		if (self->pid[i] > 0 && is_alive(self->pid[i]))
			kill(self->pid[i], SIGKILL);
	if (self->rstr > 0)
		kill(self->rstr, SIGKILL);
	if (self->spawned > 0)
		kill(self->spawned, SIGKILL);
	reap_all(self, NULL, 5000);
	rm_dir(self->dir);
}

/* Start tree_target @mode with @n nodes; wait for every first report. */
static void start(META, TREE *t, const char *mode, int n)
{
	char name[16], path[PATH_MAX];
	int i;

	for (i = 0; i < TREE_MAX; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		path_in(t, path, sizeof(path), name);
		unlink(path);
	}
	memset(t->pid, 0, sizeof(t->pid));
	memset(t->rep, 0, sizeof(t->rep));
	t->n = n;
	t->spawned = spawn_target(mode, -1, -1);
	ASSERT_LT(0, t->spawned);
	for (i = 0; i < n; i++) {
		if (t->zombie[i])
			continue;
		ASSERT_EQ(0, wait_rep(t, i, 0, 0))
			TH_LOG("%s: node %d never reported", mode, i);
		t->pid[i] = t->rep[i].opid;
	}
}

/* SIGUSR1 to node @idx; its next report. */
static void ask(META, TREE *t, int idx)
{
	ASSERT_EQ(0, kill(t->pid[idx], SIGUSR1))
		TH_LOG("node %d, pid %d: %s", idx, t->pid[idx], strerror(errno));
	ASSERT_EQ(0, wait_rep(t, idx, t->rep[idx].n + 1, 0))
		TH_LOG("node %d, pid %d: no report %d", idx, t->pid[idx],
		       t->rep[idx].n + 1);
}

/* A report from every live node, asked of all at once. */
static void ask_all(META, TREE *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		ASSERT_EQ(0, kill(t->pid[i], SIGUSR1))
			TH_LOG("node %d, pid %d: %s", i, t->pid[i],
			       strerror(errno));
	}
	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		ASSERT_EQ(0, wait_rep(t, i, t->rep[i].n + 1, 0))
			TH_LOG("node %d, pid %d: no report %d", i, t->pid[i],
			       t->rep[i].n + 1);
	}
}

static int do_checkpoint(TREE *t, unsigned long flags)
{
	int fd, ret, err;

	fd = open(t->img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	ret = checkpoint(t->pid[0], fd, flags, STDERR_FILENO);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/*
 * Checkpoint the tree with CHECKPOINT_KILL and reap what is left of it:
 * @status gets each node's wait status as we saw it (-1: not ours).
 */
static void ckpt_kill(META, TREE *t, int *status)
{
	int i;

	for (i = 0; i < TREE_MAX; i++)
		status[i] = -1;
	ASSERT_EQ(0, do_checkpoint(t, CHECKPOINT_KILL))
		TH_LOG("checkpoint of pid %d: %s", t->pid[0], strerror(errno));
	ASSERT_EQ(0, reap_all(t, status, WAIT_MS))
		TH_LOG("the tree did not die");
	ASSERT_TRUE(all_gone(t));
}

/* Every node that was alive died of SIGKILL (and came to us). */
static void check_killed(META, TREE *t, const int *status)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		EXPECT_TRUE(KILLED_BY(status[i], SIGKILL))
			TH_LOG("node %d, pid %d: status %#x", i, t->pid[i],
			       status[i]);
	}
}

/* exec_rstr(), its standard error (the kernel's log) with its output */
static int exec_rstr_logged(int img_fd, void *arg)
{
	if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
		return -1;
	return exec_rstr(img_fd, arg);
}

/* Run rstr -v on the image, its output to rstr.log. */
static void run_rstr(META, TREE *t)
{
	static const char * const opts[] = { "-v", NULL };
	char path[PATH_MAX];
	int log, img;

	path_in(t, path, sizeof(path), "rstr.log");
	log = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, log);
	img = open(t->img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, img);
	t->rstr = fork_call(img, -1, log, exec_rstr_logged, (void *)opts);
	close(img);
	close(log);
	ASSERT_LT(0, t->rstr);
}

/* rstr's "restored N tasks in U us, S context switches", if it said so. */
static int parse_restored(TREE *t, struct restored *r)
{
	char buf[4096], *p;

	if (slurp(t, "rstr.log", buf, sizeof(buf)))
		return -1;
	for (p = buf; (p = strstr(p, "restored ")); p++)
		if (sscanf(p, "restored %u tasks in %llu us, %u context switches",
			   &r->nr_tasks, &r->usecs, &r->switches) == 3)
			return 0;
	return -1;
}

/* Restart the image with rstr and wait until it says it is done. */
static void restore(META, TREE *t, struct restored *r)
{
	int ms, st;

	run_rstr(_metadata, t);
	for (ms = 0; ms < WAIT_MS; ms += STEP_MS) {
		if (!parse_restored(t, r))
			return;
		if (waitpid(t->rstr, &st, WNOHANG) == t->rstr) {
			t->rstr = 0;
			t->rstr_status = st;
			ASSERT_EQ(0, parse_restored(t, r))
				TH_LOG("rstr ended with status %#x before the tree was restored",
				       st);
			return;
		}
		sleep_ms(STEP_MS);
	}
	ASSERT_TRUE(0) TH_LOG("rstr did not finish the restart");
}

/*
 * SIGUSR2 to every live node: each reaps its children, checks their
 * statuses and reports; the root's status comes back through rstr.
 */
static void quit_all(META, TREE *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->zombie[i] || !kill(t->pid[i], SIGUSR2))
			continue;
		/* gone already: only if it had quit (and was reaped) */
		ASSERT_EQ(0, read_rep(t, i, &t->rep[i]));
		ASSERT_EQ(1, t->rep[i].state)
			TH_LOG("node %d, pid %d vanished", i, t->pid[i]);
	}
	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		ASSERT_EQ(0, wait_rep(t, i, 0, 1))
			TH_LOG("node %d, pid %d: no last report", i, t->pid[i]);
	}
	if (t->rstr) {
		ASSERT_EQ(0, wait_timeout(t->rstr, &t->rstr_status, WAIT_MS));
		t->rstr = 0;
	}
	EXPECT_TRUE(WIFEXITED(t->rstr_status) && !WEXITSTATUS(t->rstr_status))
		TH_LOG("rstr: status %#x (the root reaped its children wrong?)",
		       t->rstr_status);
	EXPECT_EQ(0, reap_all(t, NULL, WAIT_MS));
	EXPECT_TRUE(all_gone(t));
}

/* The last reports: node i reaped @kids[i] children, each as expected. */
static void check_reaped(META, TREE *t, const int *kids)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		EXPECT_EQ(kids[i], t->rep[i].xa) TH_LOG("node %d", i);
		EXPECT_EQ(0, t->rep[i].xb) TH_LOG("node %d", i);
	}
}

/*
 * After a restart: every live node is the same process (pid, token) and
 * counted on from at least where @before says; its report count goes on.
 */
static void check_continues(META, TREE *t, const struct rep *before)
{
	int i;

	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		EXPECT_EQ(before[i].pid, t->rep[i].pid) TH_LOG("node %d", i);
		EXPECT_EQ(before[i].token, t->rep[i].token)
			TH_LOG("node %d: another process", i);
		EXPECT_EQ(before[i].n + 1, t->rep[i].n) TH_LOG("node %d", i);
		EXPECT_LE(before[i].count, t->rep[i].count)
			TH_LOG("node %d counted back", i);
	}
}

/* Two more reports: everyone still counts. */
static void check_counting(META, TREE *t)
{
	struct rep prev[TREE_MAX];
	int i;

	memcpy(prev, t->rep, sizeof(prev));
	ask_all(_metadata, t);
	for (i = 0; i < t->n; i++) {
		if (t->zombie[i])
			continue;
		EXPECT_LT(prev[i].count, t->rep[i].count)
			TH_LOG("node %d stopped counting", i);
		EXPECT_EQ(prev[i].token, t->rep[i].token) TH_LOG("node %d", i);
	}
}

/* "tree:N:F": pids, parents, and (outside the tree) group and session. */
static void check_shape(META, TREE *t, int fanout, pid_t root_ppid)
{
	int i;

	for (i = 0; i < t->n; i++) {
		EXPECT_EQ(t->pid[i], t->rep[i].pid) TH_LOG("node %d", i);
		EXPECT_EQ(i ? t->pid[tree_parent(i, fanout)] : root_ppid,
			  t->rep[i].ppid) TH_LOG("node %d", i);
		EXPECT_EQ(getpgid(0), t->rep[i].pgid) TH_LOG("node %d", i);
		EXPECT_EQ(getsid(0), t->rep[i].sid) TH_LOG("node %d", i);
	}
}

static void count_kids(TREE *t, int fanout, int *kids)
{
	int i;

	memset(kids, 0, sizeof(int) * TREE_MAX);
	for (i = 1; i < t->n; i++)
		kids[tree_parent(i, fanout)]++;
}

/* Start a "tree:N:F:NAP" tree; check its pids and parents. */
static void tree_start(META, TREE *t, int n, int fanout, int nap)
{
	char mode[64];

	snprintf(mode, sizeof(mode), "tree:%d:%d:%d", n, fanout, nap);
	start(_metadata, t, mode, n);
	check_shape(_metadata, t, fanout, getpid());
}

/*
 * The tree saved with CHECKPOINT_KILL, all dead, restarted: the same pids
 * and parents, every process counting on, every child reaped with its
 * status.  @r: what rstr said.
 */
static void tree_roundtrip(META, TREE *t, int fanout, struct restored *r)
{
	struct rep before[TREE_MAX];
	int status[TREE_MAX], kids[TREE_MAX];

	ask_all(_metadata, t);
	memcpy(before, t->rep, sizeof(before));

	ckpt_kill(_metadata, t, status);
	check_killed(_metadata, t, status);
	EXPECT_TRUE(KILLED_BY(status[0], SIGKILL)) TH_LOG("the root");

	restore(_metadata, t, r);
	EXPECT_EQ(t->n, (int)r->nr_tasks);
	ask_all(_metadata, t);
	check_continues(_metadata, t, before);
	check_shape(_metadata, t, fanout, t->rstr);
	check_counting(_metadata, t);

	quit_all(_metadata, t);
	count_kids(t, fanout, kids);
	check_reaped(_metadata, t, kids);
}

/*
 * 1. A subtree is checkpointed as one: afterwards all of it runs on; with
 * CHECKPOINT_KILL all of it dies; restarted, it is whole again.
 */
TEST_F_TIMEOUT(tree, subtree, 120)
{
	struct rep before[TREE_MAX];
	struct restored r;
	int i;

	tree_start(_metadata, self, 7, 2, 0);
	ask_all(_metadata, self);
	memcpy(before, self->rep, sizeof(before));

	ASSERT_EQ(0, do_checkpoint(self, 0)) TH_LOG("%s", strerror(errno));
	ask_all(_metadata, self);
	for (i = 0; i < self->n; i++) {
		EXPECT_TRUE(is_alive(self->pid[i])) TH_LOG("node %d", i);
		EXPECT_EQ(before[i].token, self->rep[i].token);
		EXPECT_LT(before[i].count, self->rep[i].count)
			TH_LOG("node %d stopped counting", i);
	}
	check_shape(_metadata, self, 2, getpid());

	tree_roundtrip(_metadata, self, 2, &r);
}

/* 2. A hundred processes, seven levels deep. */
TEST_F_TIMEOUT(tree, hundred, 300)
{
	struct restored r;

	tree_start(_metadata, self, 100, 2, 50);
	tree_roundtrip(_metadata, self, 2, &r);
	TH_LOG("100 processes restored in %llu us", r.usecs);
}

static void rel_expect(const pid_t *p, pid_t root_ppid, int i, int *want)
{
	static const int rel[REL_NR][3] = {
		/* parent, group leader, session leader */
		[REL_R]  = { -1,    REL_R, REL_R },
		[REL_A]  = { REL_R, REL_A, REL_A },
		[REL_A1] = { REL_A, REL_A, REL_A },
		[REL_B]  = { REL_R, REL_B, REL_R },
		[REL_C]  = { REL_R, REL_R, REL_R },
		[REL_C1] = { REL_C, REL_B, REL_R },
		[REL_D]  = { REL_R, REL_R, REL_R },
	};

	want[0] = rel[i][0] < 0 ? root_ppid : p[rel[i][0]];
	want[1] = p[rel[i][1]];
	want[2] = p[rel[i][2]];
}

static void check_relations(META, TREE *t, pid_t root_ppid)
{
	int i, want[3], ppid, sig;
	char state;

	for (i = 0; i < REL_NR; i++) {
		ASSERT_EQ(0, proc_stat(t->pid[i], &state, &ppid, &sig));
		EXPECT_EQ(i == REL_D ? SIGUSR1 : SIGCHLD, sig)
			TH_LOG("node %d: exit signal", i);
		rel_expect(t->pid, root_ppid, i, want);
		EXPECT_EQ(t->pid[i], t->rep[i].pid) TH_LOG("node %d", i);
		EXPECT_EQ(want[0], t->rep[i].ppid) TH_LOG("node %d: parent", i);
		EXPECT_EQ(want[1], t->rep[i].pgid) TH_LOG("node %d: group", i);
		EXPECT_EQ(want[2], t->rep[i].sid) TH_LOG("node %d: session", i);
		EXPECT_EQ(i == REL_R, t->rep[i].sub)
			TH_LOG("node %d: child subreaper flag", i);
	}
}

/*
 * 3. Sessions (two, one made by a child's setsid()), a group spanning
 * branches, the subreaper flag, and a child whose exit signal is SIGUSR1.
 */
TEST_F_TIMEOUT(tree, relations, 120)
{
	static const int kids[REL_NR] = {
		[REL_R] = 4, [REL_A] = 1, [REL_C] = 1,
	};
	int status[TREE_MAX], ms;
	struct rep before[TREE_MAX];
	struct restored r;
	struct rep *root = &self->rep[REL_R];

	start(_metadata, self, "relations", REL_NR);
	check_relations(_metadata, self, getpid());
	ask_all(_metadata, self);
	EXPECT_EQ(0, root->xa) TH_LOG("an exit signal before any exit");
	memcpy(before, self->rep, sizeof(before));

	ckpt_kill(_metadata, self, status);
	check_killed(_metadata, self, status);
	restore(_metadata, self, &r);
	EXPECT_EQ(REL_NR, r.nr_tasks);
	ask_all(_metadata, self);
	check_continues(_metadata, self, before);
	check_relations(_metadata, self, self->rstr);

	/* D exits: its parent gets SIGUSR1 for it */
	ASSERT_EQ(0, kill(self->pid[REL_D], SIGUSR2));
	for (ms = 0; ms < WAIT_MS && root->xa != self->pid[REL_D];
	     ms += STEP_MS) {
		sleep_ms(STEP_MS);
		read_rep(self, REL_R, root);
	}
	EXPECT_EQ(self->pid[REL_D], root->xa)
		TH_LOG("no SIGUSR1 from D (pid %d) after it exited",
		       self->pid[REL_D]);
	EXPECT_EQ(tree_exit_code(REL_D), root->xb);
	EXPECT_EQ(CLD_EXITED, root->xc);

	quit_all(_metadata, self);
	check_reaped(_metadata, self, kids);
}

/* A zombie's name, as ps shows it: its parent's, as fork() left it. */
static void check_zombie_comm(META, pid_t pid)
{
	char comm[32] = "";
	int fd;

	ASSERT_LT(0, snprintf(comm, sizeof(comm), "/proc/%d/comm", pid));
	fd = open(comm, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(comm, 0, sizeof(comm));
	EXPECT_LT(0, read(fd, comm, sizeof(comm) - 1));
	close(fd);
	EXPECT_STREQ("tree_target\n", comm);
}

static void check_zombies(META, TREE *t)
{
	int i, ppid, sig;
	char state;

	for (i = ZOMB_42; i <= ZOMB_TERM; i++) {
		ASSERT_EQ(0, proc_stat(t->pid[i], &state, &ppid, &sig))
			TH_LOG("zombie %d (pid %d) is gone", i, t->pid[i]);
		EXPECT_EQ('Z', state) TH_LOG("node %d", i);
		EXPECT_EQ(t->pid[ZOMB_ROOT], ppid) TH_LOG("node %d", i);
		check_zombie_comm(_metadata, t->pid[i]);
	}
}

/*
 * 4. Two children exited, unreaped (with 42; by SIGTERM): zombies again
 * after the restart, and their parent's waitpid() gets those statuses.
 */
TEST_F_TIMEOUT(tree, zombie, 120)
{
	static const int kids[ZOMB_NR] = { [ZOMB_ROOT] = 3 };
	int status[TREE_MAX];
	struct rep before[TREE_MAX];
	struct restored r;

	self->zombie[ZOMB_42] = self->zombie[ZOMB_TERM] = 1;
	start(_metadata, self, "zombie", ZOMB_NR);
	self->pid[ZOMB_42] = self->rep[ZOMB_ROOT].xa;
	self->pid[ZOMB_TERM] = self->rep[ZOMB_ROOT].xb;
	check_zombies(_metadata, self);
	ask_all(_metadata, self);
	memcpy(before, self->rep, sizeof(before));

	ckpt_kill(_metadata, self, status);
	check_killed(_metadata, self, status);
	EXPECT_EQ(ZOMBIE_STATUS << 8, status[ZOMB_42]);
	EXPECT_TRUE(KILLED_BY(status[ZOMB_TERM], SIGTERM))
		TH_LOG("status %#x", status[ZOMB_TERM]);

	restore(_metadata, self, &r);
	EXPECT_EQ(ZOMB_NR - 2, r.nr_tasks) TH_LOG("zombies are not restored tasks");
	check_zombies(_metadata, self);
	ask_all(_metadata, self);
	check_continues(_metadata, self, before);
	EXPECT_EQ(self->pid[ZOMB_42], self->rep[ZOMB_ROOT].xa);
	EXPECT_EQ(self->pid[ZOMB_TERM], self->rep[ZOMB_ROOT].xb);

	/* the root checks the statuses it reaps: 42 and SIGTERM */
	quit_all(_metadata, self);
	check_reaped(_metadata, self, kids);
}

/* Node @idx reads a chunk of the shared file: it was at @at. */
static void read_chunk(META, TREE *t, int idx, long at)
{
	ask(_metadata, t, idx);
	EXPECT_EQ(at, t->rep[idx].xa) TH_LOG("node %d: offset", idx);
	EXPECT_EQ(at + SHARED_CHUNK, t->rep[idx].xb) TH_LOG("node %d", idx);
	EXPECT_EQ(1, t->rep[idx].xc) TH_LOG("node %d read wrong bytes", idx);
}

/*
 * 5. A parent, child and grandchild share one open file: a read by any
 * of them moves the offset all see, before and after the restart.
 */
TEST_F_TIMEOUT(tree, shared_file, 120)
{
	static const int kids[SH_NR] = { [SH_ROOT] = 1, [SH_CHILD] = 1 };
	int status[TREE_MAX];
	struct restored r;
	long at = SHARED_START;

	start(_metadata, self, "shared", SH_NR);
	read_chunk(_metadata, self, SH_CHILD, at);
	read_chunk(_metadata, self, SH_ROOT, at += SHARED_CHUNK);
	read_chunk(_metadata, self, SH_GRAND, at += SHARED_CHUNK);

	ckpt_kill(_metadata, self, status);
	check_killed(_metadata, self, status);
	restore(_metadata, self, &r);
	EXPECT_EQ(SH_NR, r.nr_tasks);
	read_chunk(_metadata, self, SH_GRAND, at += SHARED_CHUNK);
	read_chunk(_metadata, self, SH_ROOT, at += SHARED_CHUNK);
	read_chunk(_metadata, self, SH_CHILD, at += SHARED_CHUNK);
	read_chunk(_metadata, self, SH_ROOT, at += SHARED_CHUNK);

	quit_all(_metadata, self);
	check_reaped(_metadata, self, kids);
}

/* The pid namespace /proc/@pid is in, as "pid:[N]". */
static int ns_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	n = readlink(path, buf, size - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* @pid's innermost pid and namespace depth, from NSpid. */
static int inner_pid(pid_t pid, int *levels)
{
	char buf[4096], *p, *end;
	int inner = -1;
	long v;

	*levels = 0;
	if (read_proc(pid, "status", buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "\nNSpid:");
	if (!p)
		return -1;
	for (p += 7; (v = strtol(p, &end, 10)), end != p && *p != '\n'; p = end) {
		inner = v;
		++*levels;
	}
	return inner;
}

/*
 * The pid /proc gives the process whose innermost pid is @inner, in the
 * pid namespace @ns, or (@ns NULL) in any nested namespace: 0 if none.
 */
static pid_t find_inner(const char *ns, int inner)
{
	char link[64];
	struct dirent *e;
	pid_t found = 0;
	int levels;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		pid_t pid = atoi(e->d_name);

		if (pid <= 0 || ns_of(pid, link, sizeof(link)))
			continue;
		if (ns && strcmp(ns, link))
			continue;
		if (inner_pid(pid, &levels) == inner && levels >= 2)
			found = pid;
	}
	closedir(d);
	return found;
}

static void check_pidns(META, TREE *t, const struct rep *before)
{
	static const int parent[NS_NR] = {
		[NS_INIT] = -1, [NS_C1] = NS_INIT, [NS_C2] = NS_INIT,
		[NS_G1] = NS_C1,
	};
	char ns[64], ours[64];
	int i, levels;

	ASSERT_EQ(0, ns_of(t->pid[NS_INIT], ns, sizeof(ns)));
	ASSERT_EQ(0, ns_of(getpid(), ours, sizeof(ours)));
	EXPECT_STRNE(ours, ns);
	EXPECT_EQ(1, inner_pid(t->pid[NS_INIT], &levels));
	EXPECT_EQ(1, t->rep[NS_INIT].pid);
	EXPECT_EQ(0, t->rep[NS_INIT].ppid) TH_LOG("init's parent is outside");
	for (i = 0; i < NS_NR; i++) {
		EXPECT_EQ(before[i].pid, t->rep[i].pid) TH_LOG("node %d", i);
		EXPECT_EQ(t->pid[i], t->rep[i].opid) TH_LOG("node %d", i);
		if (!i)
			continue;
		EXPECT_EQ(before[parent[i]].pid, t->rep[i].ppid)
			TH_LOG("node %d", i);
	}
}

/*
 * 6. The init of a pid namespace and its descendants: checkpointing the
 * init saves the namespace, which comes back, new, with the same pids.
 */
TEST_F_TIMEOUT(tree, pid_namespace, 120)
{
	static const int kids[NS_NR] = { [NS_INIT] = 2, [NS_C1] = 1 };
	int status[TREE_MAX], i;
	struct rep before[TREE_MAX];
	struct restored r;
	char buf[32];

	start(_metadata, self, "pidns", NS_NR);
	ASSERT_EQ(0, slurp(self, "launcher", buf, sizeof(buf)));
	EXPECT_EQ(atoi(buf), self->pid[NS_INIT]);
	ask_all(_metadata, self);
	check_pidns(_metadata, self, self->rep);
	memcpy(before, self->rep, sizeof(before));

	ckpt_kill(_metadata, self, status);
	/* the launcher saw its child, the init, die of SIGKILL */
	EXPECT_EQ(0, self->spawned) TH_LOG("the launcher is still there");
	EXPECT_EQ(0, self->spawned_status);

	restore(_metadata, self, &r);
	EXPECT_EQ(NS_NR, r.nr_tasks);
	self->pid[NS_INIT] = find_inner(NULL, 1);
	ASSERT_LT(0, self->pid[NS_INIT]) TH_LOG("no new pid namespace");
	ASSERT_EQ(0, ns_of(self->pid[NS_INIT], buf, sizeof(buf)));
	for (i = 1; i < NS_NR; i++) {
		self->pid[i] = find_inner(buf, before[i].pid);
		ASSERT_LT(0, self->pid[i])
			TH_LOG("no pid %d in the new namespace", before[i].pid);
	}
	ask_all(_metadata, self);
	check_continues(_metadata, self, before);
	check_pidns(_metadata, self, before);

	quit_all(_metadata, self);
	check_reaped(_metadata, self, kids);
}

/*
 * 7. Context switches of the restoring tasks, as the kernel counts them,
 * for trees of 1, 10 and 100 tasks: they grow linearly, not worse.
 */
TEST_F_TIMEOUT(tree, context_switches, 400)
{
	static const int sizes[] = { 1, 10, 100 };
	unsigned int sw[ARRAY_SIZE(sizes)];
	struct restored r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		tree_start(_metadata, self, sizes[i], 3, 50);
		tree_roundtrip(_metadata, self, 3, &r);
		sw[i] = r.switches;
		TH_LOG("%d tasks restored in %llu us", sizes[i], r.usecs);
	}
	ksft_print_msg("ctx switches: 1 task: %u, 10 tasks: %u, 100 tasks: %u\n",
		       sw[0], sw[1], sw[2]);
	EXPECT_LE(sw[1], SWITCH_FACTOR * sw[0] + SWITCH_SLACK);
	EXPECT_LE(sw[2], SWITCH_FACTOR * sw[1] + SWITCH_SLACK);
}

/* A line of @text that starts with @prefix names @pid as a number. */
static int names_pid(const char *text, const char *prefix, pid_t pid)
{
	const char *line, *end, *p;
	char num[16];
	size_t len;

	len = snprintf(num, sizeof(num), "%d", pid);
	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		for (p = line; (p = strstr(p, num)) && p < end; p += len)
			if (!isdigit((unsigned char)p[-1]) &&
			    !isdigit((unsigned char)p[len]))
				return 1;
	}
	return 0;
}

/*
 * 8. A task that cannot be restored (its open file was deleted after the
 * checkpoint): rstr fails naming it, and no task of the tree is left.
 */
TEST_F_TIMEOUT(tree, restore_failure, 120)
{
	char path[PATH_MAX], log[4096];
	int status[TREE_MAX];
	struct restored r;

	start(_metadata, self, "fail", FAIL_NR);
	ckpt_kill(_metadata, self, status);
	check_killed(_metadata, self, status);
	path_in(self, path, sizeof(path), "victim");
	ASSERT_EQ(0, unlink(path));

	run_rstr(_metadata, self);
	ASSERT_EQ(0, wait_timeout(self->rstr, &self->rstr_status, WAIT_MS))
		TH_LOG("rstr hangs");
	self->rstr = 0;
	EXPECT_TRUE(WIFEXITED(self->rstr_status) &&
		    WEXITSTATUS(self->rstr_status))
		TH_LOG("rstr: status %#x", self->rstr_status);
	EXPECT_NE(0, parse_restored(self, &r)) TH_LOG("rstr says it restored");
	ASSERT_EQ(0, slurp(self, "rstr.log", log, sizeof(log)));
	show_file(self, "rstr.log");
	/* the kernel's log line, and rstr's own */
	EXPECT_TRUE(names_pid(log, "restart: ", self->pid[FAIL_VICTIM]))
		TH_LOG("the failing task is pid %d", self->pid[FAIL_VICTIM]);
	EXPECT_TRUE(names_pid(log, "rstr: ", self->pid[FAIL_VICTIM]))
		TH_LOG("the failing task is pid %d", self->pid[FAIL_VICTIM]);
	EXPECT_EQ(0, reap_all(self, NULL, WAIT_MS));
	EXPECT_TRUE(all_gone(self)) TH_LOG("a half-restored task survived");
}

/* Every spawner churned on and saw only right statuses. */
static void check_churning(META, TREE *t, const struct rep *prev)
{
	int i;

	sleep_ms(CHURN_PAUSE_MS);
	ask_all(_metadata, t);
	for (i = 0; i < t->n; i++) {
		EXPECT_TRUE(is_alive(t->pid[i])) TH_LOG("node %d", i);
		EXPECT_EQ(prev[i].token, t->rep[i].token) TH_LOG("node %d", i);
		EXPECT_LT(prev[i].count, t->rep[i].count) TH_LOG("node %d", i);
		if (i == CHURN_ROOT)
			continue;
		EXPECT_LT(prev[i].xa, t->rep[i].xa)
			TH_LOG("spawner %d stopped forking", i);
		EXPECT_EQ(0, t->rep[i].xb) TH_LOG("spawner %d", i);
	}
}

/* SIGHUP: the spawners nap between children from now on. */
static void slow_down(META, TREE *t)
{
	int i;

	for (i = CHURN_S1; i < CHURN_NR; i++)
		if (kill(t->pid[i], SIGHUP))
			break;
	ASSERT_EQ(CHURN_NR, i) TH_LOG("spawner %d: %s", i, strerror(errno));
}

static int run_ckptinfo(TREE *t)
{
	const char *info = getenv("CKPTINFO");
	int fd, status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, STDOUT_FILENO);
		execlp(info && *info ? info : "ckptinfo", "ckptinfo", t->img,
		       (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait_timeout(pid, &status, WAIT_MS))
		return -1;
	return status;
}

/*
 * 8. Tasks that fork and exit all the time while being checkpointed: a
 * checkpoint is consistent (ckptinfo accepts it, it restarts) or fails,
 * and either way every task runs on.
 */
TEST_F_TIMEOUT(tree, churn, 240)
{
	static const int kids[CHURN_NR] = { [CHURN_ROOT] = 3 };
	int status[TREE_MAX], i, saved = 0;
	struct rep prev[TREE_MAX];
	struct restored r;

	start(_metadata, self, "churn", CHURN_NR);
	ask_all(_metadata, self);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		memcpy(prev, self->rep, sizeof(prev));
		if (do_checkpoint(self, 0)) {
			TH_LOG("round %d: checkpoint failed: %s", i,
			       strerror(errno));
		} else {
			saved++;
			EXPECT_EQ(0, run_ckptinfo(self))
				TH_LOG("round %d: an inconsistent image", i);
		}
		check_churning(_metadata, self, prev);
	}

	/*
	 * Failing is fine, but one must succeed to show that it is
	 * consistent: if none does, the spawners slow down (and go on).
	 */
	for (i = 0; i < CHURN_KILL_TRIES + CHURN_SLOW_TRIES; i++) {
		if (i == CHURN_KILL_TRIES)
			slow_down(_metadata, self);
		memcpy(prev, self->rep, sizeof(prev));
		if (!do_checkpoint(self, CHECKPOINT_KILL))
			break;
		TH_LOG("try %d: checkpoint failed: %s", i, strerror(errno));
		check_churning(_metadata, self, prev);
	}
	ASSERT_GT(CHURN_KILL_TRIES + CHURN_SLOW_TRIES, i)
		TH_LOG("no checkpoint succeeded");
	TH_LOG("%d of %d checkpoints without kill succeeded", saved,
	       CHURN_ROUNDS);
	ASSERT_EQ(0, reap_all(self, status, WAIT_MS));
	ASSERT_TRUE(all_gone(self));

	restore(_metadata, self, &r);
	TH_LOG("restored %u tasks", r.nr_tasks);
	EXPECT_LE(CHURN_NR, r.nr_tasks);
	ask_all(_metadata, self);
	check_continues(_metadata, self, prev);
	memcpy(prev, self->rep, sizeof(prev));
	check_churning(_metadata, self, prev);
	quit_all(_metadata, self);
	check_reaped(_metadata, self, kids);
	for (i = CHURN_S1; i < CHURN_NR; i++)
		EXPECT_EQ(0, self->rep[i].xc) TH_LOG("spawner %d", i);
}

TEST_HARNESS_MAIN
