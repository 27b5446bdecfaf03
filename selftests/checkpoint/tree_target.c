// SPDX-License-Identifier: GPL-2.0
/*
 * tree_target: trees of processes for tree_test.  Every process (node)
 * counts in a loop; on SIGUSR1 it writes a report (see tree_target.h) to
 * $TREE_DIR/rINDEX, on SIGUSR2 it reaps its children, checks their wait
 * statuses, writes a last report and exits with tree_exit_code(INDEX)
 * (the root: 0), or TREE_EXIT_BAD (the root: 1) if a status was wrong.
 * Its standard error is appended to $TREE_DIR/target.log.
 *
 *	TREE_DIR=DIR tree_target MODE
 *
 * tree:N:F:NAP	N nodes, node i > 0 a child of node (i - 1) / F; each
 *		sleeps NAP ms every 1024 counts (0: never)
 * relations	sessions, groups, a subreaper, an exit signal (REL_*)
 * zombie	two unreaped children, exited with 42 and killed by SIGTERM
 * shared	three nodes sharing one open file and its offset (SH_*)
 * pidns	the init of a new pid namespace and its descendants (NS_*)
 * fail		node FAIL_VICTIM holds $TREE_DIR/victim open
 * churn	spawners forking short-lived children all the time; after
 *		a SIGHUP, they nap between children
 * exit5	exit with CHURN_STATUS at once (what churn children exec)
 *
 * A node's first report (nreports 0) is written once its children are
 * made (and its zombies have exited): when all N exist, the tree is
 * ready.  Reports are written only from the main loop, never while a
 * file of ours is open otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tree_target.h"

#define SPIN_MASK	1023	/* nap and churn every 1024 counts */

/* node flags */
#define N_SETSID	(1U << 0)	/* setsid() */
#define N_OWN_PGRP	(1U << 1)	/* leads a group (parent sets it too) */
#define N_JOIN_PGRP	(1U << 2)	/* joins node arg's group */
#define N_SUBREAPER	(1U << 3)	/* PR_SET_CHILD_SUBREAPER */
#define N_EXITSIG	(1U << 4)	/* made with SIGUSR1 as exit signal */
#define N_ZOMBIE_42	(1U << 5)	/* exits with ZOMBIE_STATUS at once */
#define N_ZOMBIE_TERM	(1U << 6)	/* dies of SIGTERM at once */
#define N_VICTIM	(1U << 7)	/* holds $TREE_DIR/victim open */
#define N_SHARED	(1U << 8)	/* reads the shared file on SIGUSR1 */
#define N_SPAWNER	(1U << 9)	/* forks short-lived children */

struct node {
	int parent;
	unsigned int flags;
	int arg;
};

static const char *dir;
static struct node nodes[TREE_MAX];
static int nr_nodes;
static unsigned int nap_ms;

/* this process */
static int me;
static pid_t pid_of[TREE_MAX];	/* of the nodes forked before it */
static pid_t kid_pid[TREE_MAX];
static int kid_idx[TREE_MAX];
static int nr_kids;
static unsigned long long token, count;
static int nreports;
static int shared_fd = -1, victim_fd = -1;
static long churned, churn_bad;
static pid_t zombie_pid[2];

static volatile sig_atomic_t want_report, want_quit, got_exitsig, slow;
static volatile pid_t exitsig_pid;
static volatile int exitsig_status, exitsig_code;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "tree_target pid %d node %d: ", getpid(), me);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	_exit(me ? TREE_EXIT_BAD : 1);
}

static void path_of(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size) {
		errno = ENAMETOOLONG;
		die("path %s/%s", dir, name);
	}
}

/* Our pid as /proc (the outer pid namespace) sees it. */
static int outer_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static void report(int state, long xa, long xb, long xc)
{
	char name[32], path[PATH_MAX], tmp[PATH_MAX], line[256];
	int len, fd, sub = -1;

	if (prctl(PR_GET_CHILD_SUBREAPER, &sub))
		sub = -1;
	len = snprintf(line, sizeof(line), TREE_REPORT_FMT, me, getpid(),
		       getppid(), getpgid(0), getsid(0), token, count,
		       nreports, sub, state, outer_pid(), xa, xb, xc);
	snprintf(name, sizeof(name), "r%d", me);
	path_of(path, sizeof(path), name);
	snprintf(name, sizeof(name), "r%d.tmp", me);
	path_of(tmp, sizeof(tmp), name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open %s", tmp);
	if (write(fd, line, len) != len)
		die("write %s", tmp);
	if (close(fd))
		die("close %s", tmp);
	if (rename(tmp, path))
		die("rename %s", tmp);
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == CLD_EXITED || si->si_code == CLD_KILLED ||
	    si->si_code == CLD_DUMPED) {
		/* a child's exit signal */
		exitsig_pid = si->si_pid;
		exitsig_status = si->si_status;
		exitsig_code = si->si_code;
		got_exitsig = 1;
	} else {
		want_report = 1;
	}
}

static void on_usr2(int sig)
{
	(void)sig;
	want_quit = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	slow = 1;
}

static void handlers(void)
{
	struct sigaction sa = { .sa_flags = SA_SIGINFO | SA_RESTART };

	sa.sa_sigaction = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction SIGUSR1");
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_usr2;
	if (sigaction(SIGUSR2, &sa, NULL))
		die("sigaction SIGUSR2");
	sa.sa_handler = on_hup;
	if (sigaction(SIGHUP, &sa, NULL))
		die("sigaction SIGHUP");
}

static int expected_status(int idx)
{
	if (nodes[idx].flags & N_ZOMBIE_42)
		return ZOMBIE_STATUS << 8;
	if (nodes[idx].flags & N_ZOMBIE_TERM)
		return SIGTERM;
	return tree_exit_code(idx) << 8;
}

/* SIGUSR2: reap every child, check its status, report, exit. */
static void __attribute__((noreturn)) finish(void)
{
	int i, status, ok = 0, bad = 0;
	pid_t ret;

	for (i = 0; i < nr_kids; i++) {
		do {
			ret = waitpid(kid_pid[i], &status, __WALL);
		} while (ret < 0 && errno == EINTR);
		if (ret != kid_pid[i]) {
			fprintf(stderr, "node %d: waitpid(%d) of node %d: %s\n",
				me, kid_pid[i], kid_idx[i], strerror(errno));
			bad++;
		} else if (status != expected_status(kid_idx[i])) {
			fprintf(stderr,
				"node %d: node %d (pid %d) status %#x, expected %#x\n",
				me, kid_idx[i], kid_pid[i], status,
				expected_status(kid_idx[i]));
			bad++;
		} else {
			ok++;
		}
	}
	report(1, ok, bad, churn_bad);
	if (bad || churn_bad)
		_exit(me ? TREE_EXIT_BAD : 1);
	_exit(tree_exit_code(me));
}

/*
 * xa, xb: the pids of our zombie children if we have any; else the pid,
 * status and si_code (xc) of the last child whose exit signal was not
 * SIGCHLD, 0 if none.
 */
static void plain_report(void)
{
	if (zombie_pid[0])
		report(0, zombie_pid[0], zombie_pid[1], 0);
	else
		report(0, exitsig_pid, exitsig_status, exitsig_code);
}

/* SIGUSR1 on a N_SHARED node: read a chunk of the shared file. */
static void read_shared(void)
{
	char buf[SHARED_CHUNK];
	off_t before, after;
	int i, ok;

	before = lseek(shared_fd, 0, SEEK_CUR);
	if (before < 0 || read(shared_fd, buf, sizeof(buf)) != sizeof(buf))
		die("read shared file at %ld", (long)before);
	after = lseek(shared_fd, 0, SEEK_CUR);
	ok = 1;
	for (i = 0; i < SHARED_CHUNK; i++)
		ok &= buf[i] == shared_byte(before + i);
	report(0, before, after, ok);
}

static void on_report(void)
{
	unsigned int f = nodes[me].flags;

	nreports++;
	if (f & N_SHARED)
		read_shared();
	else if (f & N_SPAWNER)
		report(0, churned, churn_bad, 0);
	else
		plain_report();
}

static void churn_once(void)
{
	int status;
	pid_t pid, ret;

	pid = fork();
	if (pid < 0)
		die("fork a short-lived child");
	if (!pid) {
		if (churned & 1)
			execl("/proc/self/exe", "tree_target", "exit5",
			      (char *)NULL);
		_exit(CHURN_STATUS);
	}
	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret != pid || status != CHURN_STATUS << 8) {
		fprintf(stderr, "node %d: short-lived %d: status %#x (%s)\n",
			me, pid, ret == pid ? status : -1,
			ret == pid ? "wrong" : strerror(errno));
		churn_bad++;
	}
	churned++;
}

static void nap(void)
{
	struct timespec ts = { nap_ms / 1000, (nap_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void __attribute__((noreturn)) loop(void)
{
	unsigned int f = nodes[me].flags;

	for (;;) {
		count++;
		if (!(count & SPIN_MASK)) {
			if (f & N_SPAWNER)
				churn_once();
			if (nap_ms && (!(f & N_SPAWNER) || slow))
				nap();
		}
		if (want_report) {
			want_report = 0;
			on_report();
		}
		if (got_exitsig) {
			got_exitsig = 0;
			plain_report();
		}
		if (want_quit)
			finish();
	}
}

static void open_shared(void)
{
	char path[PATH_MAX], buf[SHARED_SIZE];
	int i;

	for (i = 0; i < SHARED_SIZE; i++)
		buf[i] = shared_byte(i);
	path_of(path, sizeof(path), "shared");
	shared_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (shared_fd < 0)
		die("open %s", path);
	if (write(shared_fd, buf, sizeof(buf)) != sizeof(buf))
		die("write %s", path);
	if (lseek(shared_fd, SHARED_START, SEEK_SET) != SHARED_START)
		die("lseek %s", path);
}

static void setup_self(void)
{
	unsigned int f = nodes[me].flags;
	char path[PATH_MAX];

	if ((f & N_SETSID) && setsid() < 0)
		die("setsid");
	if ((f & N_OWN_PGRP) && setpgid(0, 0))
		die("setpgid(0, 0)");
	if ((f & N_JOIN_PGRP) && setpgid(0, pid_of[nodes[me].arg]))
		die("setpgid(0, %d)", pid_of[nodes[me].arg]);
	if ((f & N_SUBREAPER) && prctl(PR_SET_CHILD_SUBREAPER, 1))
		die("PR_SET_CHILD_SUBREAPER");
	if (f & N_VICTIM) {
		path_of(path, sizeof(path), "victim");
		victim_fd = open(path, O_RDWR | O_CREAT, 0644);
		if (victim_fd < 0)
			die("open %s", path);
	}
	if (!me && (f & N_SHARED))
		open_shared();
}

/* A child whose exit signal is SIGUSR1, fork()-like. */
static pid_t fork_exitsig(void)
{
	struct clone_args ca = { .exit_signal = SIGUSR1 };

	return syscall(SYS_clone3, &ca, sizeof(ca));
}

static void __attribute__((noreturn)) build(int idx);

static void spawn(int idx)
{
	unsigned int f = nodes[idx].flags;
	pid_t pid;

	pid = f & N_EXITSIG ? fork_exitsig() : fork();
	if (pid < 0)
		die("fork node %d", idx);
	if (!pid) {
		if (f & N_ZOMBIE_42)
			_exit(ZOMBIE_STATUS);
		if (f & N_ZOMBIE_TERM) {
			signal(SIGTERM, SIG_DFL);
			kill(getpid(), SIGTERM);
			_exit(TREE_EXIT_BAD);
		}
		build(idx);
	}
	kid_pid[nr_kids] = pid;
	kid_idx[nr_kids++] = idx;
	pid_of[idx] = pid;
	/* as a shell does, so that the group exists when we go on */
	if (f & N_OWN_PGRP)
		setpgid(pid, pid);
}

/* Wait, without reaping, until the zombie children have exited. */
static void wait_zombies(void)
{
	siginfo_t si;
	int i, n = 0;

	for (i = 0; i < nr_kids; i++) {
		if (!(nodes[kid_idx[i]].flags & (N_ZOMBIE_42 | N_ZOMBIE_TERM)))
			continue;
		while (waitid(P_PID, kid_pid[i], &si, WEXITED | WNOWAIT))
			if (errno != EINTR)
				die("waitid node %d", kid_idx[i]);
		if (n < 2)
			zombie_pid[n++] = kid_pid[i];
	}
}

static void build(int idx)
{
	int i;

	me = idx;
	nr_kids = 0;
	zombie_pid[0] = zombie_pid[1] = 0;
	count = 0;
	nreports = 0;
	pid_of[idx] = getpid();
	if (getrandom(&token, sizeof(token), 0) != sizeof(token))
		token = (unsigned long long)time(NULL) << 20 ^ getpid();
	if (!idx)
		handlers();
	setup_self();
	for (i = idx + 1; i < nr_nodes; i++)
		if (nodes[i].parent == idx)
			spawn(i);
	wait_zombies();
	plain_report();
	loop();
}

static void add(int parent, unsigned int flags, int arg)
{
	nodes[nr_nodes].parent = parent;
	nodes[nr_nodes].flags = flags;
	nodes[nr_nodes].arg = arg;
	nr_nodes++;
}

static int setup_mode(const char *mode)
{
	int i, n, fanout;

	nap_ms = 20;
	if (sscanf(mode, "tree:%d:%d:%u", &n, &fanout, &nap_ms) == 3) {
		if (n < 1 || n > TREE_MAX || fanout < 1)
			return -1;
		for (i = 0; i < n; i++)
			add(tree_parent(i, fanout), 0, 0);
	} else if (!strcmp(mode, "relations")) {
		add(-1, N_SETSID | N_SUBREAPER, 0);	/* R */
		add(REL_R, N_SETSID, 0);		/* A */
		add(REL_A, 0, 0);			/* A1 */
		add(REL_R, N_OWN_PGRP, 0);		/* B */
		add(REL_R, 0, 0);			/* C */
		add(REL_C, N_JOIN_PGRP, REL_B);		/* C1 */
		add(REL_R, N_EXITSIG, 0);		/* D */
	} else if (!strcmp(mode, "zombie")) {
		add(-1, 0, 0);
		add(ZOMB_ROOT, N_ZOMBIE_42, 0);
		add(ZOMB_ROOT, N_ZOMBIE_TERM, 0);
		add(ZOMB_ROOT, 0, 0);
	} else if (!strcmp(mode, "shared")) {
		add(-1, N_SHARED, 0);
		add(SH_ROOT, N_SHARED, 0);
		add(SH_CHILD, N_SHARED, 0);
	} else if (!strcmp(mode, "pidns")) {
		add(-1, 0, 0);
		add(NS_INIT, 0, 0);
		add(NS_INIT, 0, 0);
		add(NS_C1, 0, 0);
	} else if (!strcmp(mode, "fail")) {
		add(-1, 0, 0);
		add(FAIL_ROOT, 0, 0);
		add(FAIL_ROOT, 0, 0);
		add(FAIL_C1, N_VICTIM, 0);
		add(FAIL_C2, 0, 0);
	} else if (!strcmp(mode, "churn")) {
		add(-1, 0, 0);
		add(CHURN_ROOT, N_SPAWNER, 0);
		add(CHURN_ROOT, N_SPAWNER, 0);
		add(CHURN_ROOT, N_SPAWNER, 0);
	} else {
		return -1;
	}
	return 0;
}

/* "pidns": fork the init of a new pid namespace and wait for it. */
static void __attribute__((noreturn)) launch_pidns(void)
{
	char path[PATH_MAX], line[32];
	int fd, len, status;
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		die("unshare(CLONE_NEWPID)");
	pid = fork();
	if (pid < 0)
		die("fork the namespace's init");
	if (!pid)
		build(NS_INIT);
	len = snprintf(line, sizeof(line), "%d\n", pid);
	path_of(path, sizeof(path), "launcher.tmp");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, len) != len || close(fd))
		die("write %s", path);
	snprintf(line, sizeof(line), "%s/launcher", dir);
	if (rename(path, line))
		die("rename %s", path);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid %d", pid);
	/* the test kills the namespace when it checkpoints it */
	_exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 1);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: TREE_DIR=DIR tree_target MODE\n");
		return 2;
	}
	if (!strcmp(argv[1], "exit5"))
		return CHURN_STATUS;
	dir = getenv(TREE_DIR_ENV);
	if (!dir || !*dir) {
		fprintf(stderr, "tree_target: $%s not set\n", TREE_DIR_ENV);
		return 2;
	}
	path_of(path, sizeof(path), "target.log");
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		die("open %s", path);
	close(fd);
	if (setup_mode(argv[1])) {
		fprintf(stderr, "tree_target: bad mode %s\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[1], "pidns"))
		launch_pidns();
	build(0);
}
