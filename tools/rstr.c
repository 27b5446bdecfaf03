// SPDX-License-Identifier: GPL-2.0
/*
 * rstr: restart a tree of processes from an image.
 *
 *	rstr [-i FILE] [--pidns] [--wait [--copy-status] | --detach] [-v]
 *
 * rstr reads the HEADER and TREE records itself and checks the tree (a
 * bad one fails here, before any task exists), then hands those bytes to
 * the kernel with CKPT_IOC_RESTART_PREPARE on its /dev/checkpoint, so a
 * pipe still works.  It then builds the tree as the image describes it,
 * like linux-cr's mktree: every process and thread is created with its
 * pid by clone3() with set_tid (which needs CAP_CHECKPOINT_RESTORE), by
 * its own parent, and makes its session or process group before its
 * children inherit them.  Each task then issues CKPT_IOC_RESTART on the
 * inherited device file and becomes its task of the image (a zombie
 * takes its identity and exits with its wait status); rstr, the
 * coordinator, waits for the restart to end with CKPT_IOC_RESTART_WAIT.
 *
 * The root of the tree is a child of rstr and inherits its standard
 * input, output and error (standard input is /dev/null when the image
 * comes through it).  By default rstr waits for it and exits with its
 * status; with --copy-status it dies of the same signal when the root was
 * killed; with --detach it exits once the restart is done.
 *
 * Pids are the image's.  A tree that was a whole pid namespace (its root
 * was pid 1 there) is restarted as a new pid namespace.  Otherwise the
 * tree's pids must be free in rstr's namespace; with --pidns, rstr forks
 * the init (pid 1) of a new pid namespace, where they are; that init
 * forks the root, forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to it,
 * reaps orphans and passes its wait status on to rstr.  A one-task image
 * whose pid is taken is restored with another pid, as a plain restart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "libckpt.h"

#define RSTR_EXIT_FAIL	1
#define THREAD_STACK	(16U << 10)	/* runs one raw ioctl */

struct rstr_opts {
	const char *input;	/* NULL: standard input */
	int detach;
	int wait;
	int copy_status;
	int pidns;
	int verbose;
};

/*
 * The restart: what every task rstr creates needs.  Each process of the
 * tree runs on its own copy; threads share their process's.
 */
static struct {
	int img;			/* the image */
	int dev;			/* /dev/checkpoint, restart prepared */
	struct ckpt_tree tree;
	const struct ckpt_tree_task *tasks;
	long nr;
	long *first_child;		/* per entry: its first child process */
	long *next_sibling;		/* the next child of its parent */
	struct ckpt_args args;		/* CKPT_IOC_RESTART of a task */
	int log[2];			/* --detach, one task: its log */
} rs = { .log = { -1, -1 } };

/* pidns init: where to forward signals */
static pid_t forward_pid;	/* set before the handlers are */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: rstr [-i FILE] [--pidns] [--wait [--copy-status] | --detach] [-v]\n"
		"Restart a tree of processes from an image read from standard\n"
		"input (never a terminal) or from FILE.  The root of the tree\n"
		"runs as a child of rstr, with rstr's standard input (/dev/null\n"
		"when the image comes on it), output and error.  Every process\n"
		"and thread gets its original pid (rstr needs\n"
		"CAP_CHECKPOINT_RESTORE), its parent, session and process\n"
		"group; zombies come back as zombies.  An image of a whole pid\n"
		"namespace is restarted in a new one.  Otherwise the pids must\n"
		"be free, but a single process whose pid is taken gets another\n"
		"one (-v tells).\n"
		"\n"
		"  -i, --input FILE  read the image from FILE\n"
		"  -w, --wait        wait for the root and exit with its status,\n"
		"                    128+N if killed by signal N (the default)\n"
		"  -c, --copy-status with --wait: exit with the root's exit\n"
		"                    code, or die of the signal that killed it\n"
		"                    (without a core dump)\n"
		"  -d, --detach      exit as soon as the tree is restored\n"
		"  -p, --pidns       restore into a new pid namespace (needs\n"
		"                    CAP_SYS_ADMIN), where the original pids are\n"
		"                    always free; its init, a child of rstr,\n"
		"                    forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2\n"
		"                    to the root\n"
		"  -v, --verbose     say what was done, and how fast\n"
		"  -h, --help        show this help\n");
}

static int __printf(1, 2)
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rstr: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'rstr --help' for more information.\n");
	return -1;
}

static int parse_args(int argc, char **argv, struct rstr_opts *o)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "wait", no_argument, NULL, 'w' },
		{ "detach", no_argument, NULL, 'd' },
		{ "copy-status", no_argument, NULL, 'c' },
		{ "pidns", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char opt[3] = "-?";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:wdcpvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'w':
			o->wait = 1;
			break;
		case 'd':
			o->detach = 1;
			break;
		case 'c':
			o->copy_status = 1;
			break;
		case 'p':
			o->pidns = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			opt[1] = optopt;
			return bad_usage("option '%s' needs an argument",
					 optopt ? opt : argv[optind - 1]);
		default:
			opt[1] = optopt;
			return bad_usage("unknown option '%s'",
					 optopt ? opt : argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (o->wait && o->detach)
		return bad_usage("--wait and --detach exclude each other");
	if (o->copy_status && o->detach)
		return bad_usage("--copy-status needs --wait");
	return 0;
}

/*
 * An image on standard input is moved off fd 0, which becomes /dev/null:
 * a restored process whose stdin is inherited must not get the rest of
 * the image stream.
 */
static int move_stdin(void)
{
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY);

	if (fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0) {
		fprintf(stderr, "rstr: cannot move the image off stdin: %s\n",
			strerror(errno));
		return -1;
	}
	if (null != STDIN_FILENO)
		close(null);
	return fd;
}

static int open_input(const struct rstr_opts *o)
{
	int fd = STDIN_FILENO;

	if (!o->input && !isatty(fd))
		return move_stdin();
	if (o->input) {
		fd = open(o->input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "rstr: cannot open %s: %s\n",
				o->input, strerror(errno));
			return -1;
		}
	}
	if (isatty(fd)) {
		fprintf(stderr,
			"rstr: refusing to read an image from a terminal; use -i FILE or a redirection\n");
		return -1;
	}
	return fd;
}

/* ENOENT may mean there is no device at all. */
static void hint_no_device(int err)
{
	if (err == ENOENT && access(CKPT_DEVICE, F_OK))
		fprintf(stderr, "rstr: no %s: is the checkpoint module loaded?\n",
			CKPT_DEVICE);
}

/* ---------------------------------------------------------------------- */
/* the tree's shape */

static int is_process(long i)
{
	return rs.tasks[i].pid == rs.tasks[i].tgid;
}

/* Link every process to its parent's list of children, in tree order. */
static int link_children(void)
{
	long i, p;

	rs.first_child = calloc(rs.nr, sizeof(*rs.first_child));
	rs.next_sibling = calloc(rs.nr, sizeof(*rs.next_sibling));
	if (!rs.first_child || !rs.next_sibling) {
		fprintf(stderr, "rstr: out of memory\n");
		return -1;
	}
	for (i = 0; i < rs.nr; i++)
		rs.first_child[i] = rs.next_sibling[i] = -1;
	/* checked: a process's parent is an earlier process */
	for (i = rs.nr - 1; i > 0; i--) {
		if (!is_process(i))
			continue;
		p = ckpt_tree_find(&rs.tree, rs.tasks[i].ppid);
		rs.next_sibling[i] = rs.first_child[p];
		rs.first_child[p] = i;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* creating the tree: the code every new task runs before it restarts */

/* A task could not be made: the kernel kills every task of the restart. */
static void __noreturn fail(long i, int err, const char *what)
{
	fprintf(stderr, "rstr: task %d: %s: %s\n", rs.tasks[i].pid, what,
		strerror(err));
	restart_abort(rs.dev, err);
	_exit(RSTR_EXIT_FAIL);
}

/* clone3() like fork(), the child with @pid (0: any) and @flags. */
static pid_t clone_process(pid_t pid, unsigned long long flags, int exit_signal)
{
	struct clone_args ca = {
		.flags = flags,
		.exit_signal = exit_signal,
	};

	if (pid) {
		ca.set_tid = (uintptr_t)&pid;
		ca.set_tid_size = 1;
	}
	fflush(NULL);
	return syscall(SYS_clone3, &ca, sizeof(ca));
}

static unsigned long long share_flags(long i)
{
	unsigned long long flags = 0;

	if (rs.tasks[i].flags & CKPT_TREE_SHARE_FILES)
		flags |= CLONE_FILES;
	if (rs.tasks[i].flags & CKPT_TREE_SHARE_FS)
		flags |= CLONE_FS;
	return flags;
}

/*
 * A thread runs on a stack of its own, so clone3() cannot return into C
 * there: rstr_clone3_thread(args, size, fn, arg) makes the thread call
 * fn(arg) on its new stack and exit with its result; the caller gets
 * the thread's tid or a negative errno, as the raw system call returns.
 * Only rcx, r11 and rax change across a syscall, so fn and arg wait in
 * r8 and r9 (the child starts with the parent's registers).
 */
long rstr_clone3_thread(struct clone_args *ca, size_t size,
			int (*fn)(void *), void *arg);
__asm__(".pushsection .text\n"
	".globl rstr_clone3_thread\n"
	".type rstr_clone3_thread, @function\n"
	"rstr_clone3_thread:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"		/* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"		/* the thread: outermost frame */
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"		/* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size rstr_clone3_thread, .-rstr_clone3_thread\n"
	".popsection\n");

static long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * A new thread, in its process's memory but on a bare stack with no libc
 * state of its own: only raw system calls.  A successful restart does
 * not return.
 */
static int thread_restart(void *arg)
{
	long err;

	(void)arg;
	err = raw_syscall3(SYS_ioctl, rs.dev, CKPT_IOC_RESTART,
			   (long)&rs.args);
	raw_syscall3(SYS_ioctl, rs.dev, CKPT_IOC_RESTART_ABORT, -err);
	return 1;
}

static void make_thread(long i)
{
	pid_t tid = rs.tasks[i].pid;
	struct clone_args ca = {
		.flags = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND |
			 CLONE_SYSVSEM | share_flags(i),
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	char *stack = malloc(THREAD_STACK);
	long ret;

	if (!stack)
		fail(i, ENOMEM, "thread stack");
	ca.stack = (uintptr_t)stack;
	ca.stack_size = THREAD_STACK;
	ret = rstr_clone3_thread(&ca, sizeof(ca), thread_restart, NULL);
	if (ret < 0)
		fail(i, -ret, "cannot create the thread");
}

/*
 * A zombie: its restart gives it what its section in the image holds
 * (ids, limits, blocked signals, scheduling, name, login uid) and ends it
 * with its wait status on the way out of the ioctl.
 */
static void __noreturn become_zombie(long i)
{
	ioctl(rs.dev, CKPT_IOC_RESTART, &rs.args);
	fail(i, errno, "restart as a zombie");
}

/* Its session or group, as far as it made them itself. */
static void set_relations(long i)
{
	const struct ckpt_tree_task *t = &rs.tasks[i];

	if (t->sid == t->pid) {
		if (setsid() < 0)
			fail(i, errno, "setsid");
	} else if (t->pgid == t->pid) {
		if (setpgid(0, 0))
			fail(i, errno, "setpgid");
	}
	/* any other group is the kernel's to set, during the restart */
	if (t->flags & CKPT_TREE_SUBREAPER &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		fail(i, errno, "PR_SET_CHILD_SUBREAPER");
}

static void __noreturn become(long i);

static void make_process(long i)
{
	const struct ckpt_tree_task *t = &rs.tasks[i];
	pid_t pid = clone_process(t->pid, share_flags(i), t->exit_signal);

	if (pid < 0)
		fail(i, errno, "cannot create the process");
	if (!pid)
		become(i);
}

/* Until each zombie child of @i is one. */
static void wait_zombies(long i)
{
	siginfo_t si;
	long c;

	for (c = rs.first_child[i]; c >= 0; c = rs.next_sibling[c]) {
		if (!(rs.tasks[c].flags & CKPT_TREE_ZOMBIE))
			continue;
		while (waitid(P_PID, rs.tasks[c].pid, &si,
			      WEXITED | WNOWAIT | __WALL)) {
			if (errno != EINTR)
				fail(i, errno, "waiting for a zombie child");
		}
	}
}

/*
 * The exit signals of its zombie children, blocked in all its threads
 * before they die: one that terminates by default (a real-time signal,
 * SIGUSR1 of clone()) would end the process before its restart.  The
 * restart gives it the mask and the pending signals of the image.
 */
static void block_exit_signals(long i)
{
	__u64 mask = 0;
	long c;
	int sig;

	for (c = rs.first_child[i]; c >= 0; c = rs.next_sibling[c]) {
		sig = rs.tasks[c].exit_signal;
		if (rs.tasks[c].flags & CKPT_TREE_ZOMBIE && sig > 0 && sig <= 64)
			mask |= 1ULL << (sig - 1);
	}
	if (mask && syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL,
			    sizeof(mask)))
		fail(i, errno, "cannot block its zombie children's exit signals");
}

/*
 * The process of entry @i, just created: its relations, its threads,
 * its children (each doing the same), then the restart.
 */
static void __noreturn become(long i)
{
	long j;

	set_relations(i);
	if (rs.tasks[i].flags & CKPT_TREE_ZOMBIE) {
		if (i + 1 < rs.nr && !is_process(i + 1))
			fail(i, EOPNOTSUPP, "a zombie with live threads");
		become_zombie(i);
	}
	block_exit_signals(i);
	for (j = i + 1; j < rs.nr && !is_process(j); j++)
		make_thread(j);
	for (j = rs.first_child[i]; j >= 0; j = rs.next_sibling[j])
		make_process(j);
	wait_zombies(i);
	ioctl(rs.dev, CKPT_IOC_RESTART, &rs.args);
	fail(i, errno, "restart");
}

/* The root, a new process about to make the tree. */
static void __noreturn become_root(void)
{
	ckpt_reset_signals();
	become(0);
}

/* ---------------------------------------------------------------------- */
/* the coordinator */

/* Die of @sig as the root did, leaving no core behind. */
static void copy_signal(int sig)
{
	sigset_t set;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* Wait for @pid, whatever signals interrupt; its status or -1. */
static int wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, __WALL) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rstr: waitpid: %s\n",
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int exit_code(int status, int copy_status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (copy_status)
		copy_signal(WTERMSIG(status));
	fprintf(stderr, "rstr: restored process killed by signal %d\n",
		WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

static int wait_restored(pid_t pid, int copy_status)
{
	int status;

	/* Like system(3): a ^C is for the restored process to handle. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (wait_for(pid, &status))
		return RSTR_EXIT_FAIL;
	return exit_code(status, copy_status);
}

static void forward_signal(int sig)
{
	kill(forward_pid, sig);
}

/*
 * Pid 1 of the new namespace: fork the root, forward it the signals a
 * user sends to stop it (the terminal's reach it directly), reap every
 * orphan, and write its wait status to @status_fd.
 */
static int pidns_init(int status_fd)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	pid_t pid, w;
	size_t i;
	int status;

	/* pid 1 itself: the init is the root */
	if (rs.tasks[0].pid == 1)
		become_root();
	pid = clone_process(rs.tasks[0].pid, 0, rs.tasks[0].exit_signal);
	if (pid < 0)
		fail(0, errno, "cannot create the process");
	if (!pid)
		become_root();
	forward_pid = pid;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], forward_signal);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	do {
		w = waitpid(-1, &status, __WALL);
		if (w < 0 && errno != EINTR)
			return RSTR_EXIT_FAIL;
	} while (w != pid);
	if (write(status_fd, &status, sizeof(status)) != sizeof(status))
		return RSTR_EXIT_FAIL;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/*
 * The restart under way: wait for its end and say how it went.  Done,
 * rstr lets go of the device and the image.
 */
static int wait_restart(const struct rstr_opts *o)
{
	struct ckpt_restart_status st;

	if (restart_wait(rs.dev, &st)) {
		fprintf(stderr, "rstr: restart failed: pid %d: %s\n", st.pid,
			strerror(errno));
		return -1;
	}
	close(rs.dev);
	close(rs.img);
	rs.dev = rs.img = -1;
	if (o->verbose)
		fprintf(stderr,
			"rstr: restored %u tasks in %llu us, %u context switches\n",
			st.nr_tasks, (unsigned long long)st.usecs,
			st.nr_switches);
	return 0;
}

/* rstr --pidns: the init's child is the root. */
static int run_pidns(const struct rstr_opts *o)
{
	int sp[2], status;
	pid_t init;

	if (pipe2(sp, O_CLOEXEC)) {
		fprintf(stderr, "rstr: pipe: %s\n", strerror(errno));
		return RSTR_EXIT_FAIL;
	}
	init = clone_process(0, CLONE_NEWPID, SIGCHLD);
	if (init < 0) {
		fprintf(stderr, "rstr: cannot make a pid namespace: %s\n",
			strerror(errno));
		restart_abort(rs.dev, errno);
		return RSTR_EXIT_FAIL;
	}
	if (!init) {
		close(sp[0]);
		_exit(pidns_init(sp[1]));
	}
	close(sp[1]);
	if (o->verbose)
		fprintf(stderr,
			"rstr: restoring in a new pid namespace whose init is pid %d\n",
			init);
	if (wait_restart(o))
		return RSTR_EXIT_FAIL;
	if (o->detach)
		return 0;
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (wait_for(init, &status))
		return RSTR_EXIT_FAIL;
	/* the root's status, unless the init itself was it */
	if (read(sp[0], &status, sizeof(status)) < 0)
		return RSTR_EXIT_FAIL;
	return exit_code(status, o->copy_status);
}

/*
 * A one-task image whose pid is taken: as before trees, a plain restart
 * (no prepared tree) into a child with any pid.  PREPARE read nothing
 * past the HEADER and TREE bytes it was given, so the image goes on
 * where the child's restart needs it.
 */
static pid_t fork_any_pid(int err, const struct rstr_opts *o)
{
	int logfd = STDERR_FILENO;
	pid_t pid;

	if (o->verbose)
		fprintf(stderr,
			"rstr: cannot restore pid %d (%s): it gets another\n",
			rs.tasks[0].pid, strerror(err));
	close(rs.dev);
	rs.dev = -1;
	/* --detach: the kernel's log tells how it went (detach_result()) */
	if (o->detach) {
		if (pipe2(rs.log, O_CLOEXEC)) {
			fprintf(stderr, "rstr: pipe: %s\n", strerror(errno));
			return -1;
		}
		logfd = rs.log[1];
	}
	pid = clone_process(0, 0, SIGCHLD);
	if (pid < 0) {
		fprintf(stderr, "rstr: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid) {
		if (o->detach)
			close(rs.log[1]);
		return pid;
	}
	ckpt_reset_signals();
	set_relations(0);
	restart_prefix(rs.img, o->verbose ? RESTART_VERBOSE : 0, logfd,
		       rs.tree.prefix, rs.tree.len);
	fprintf(stderr, "rstr: restart failed: %s\n", strerror(errno));
	_exit(RSTR_EXIT_FAIL);
}

/*
 * --detach after fork_any_pid(): the child's restart holds the log pipe
 * until it is over, restored or not; every failure says "(errno N)" in
 * it.  The log goes on to stderr.  0 if restored, else -1.
 */
static int detach_result(void)
{
	char buf[4096];
	int failed = 0;
	ssize_t n;

	while ((n = read(rs.log[0], buf, sizeof(buf) - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			failed = 1;
			break;
		}
		buf[n] = '\0';
		if (strstr(buf, "(errno "))
			failed = 1;
		if (write(STDERR_FILENO, buf, n) < 0)
			break;
	}
	close(rs.log[0]);
	return failed ? -1 : 0;
}

/* The root, a child of rstr; its pid in rstr's namespace, or -1. */
static pid_t start_root(const struct rstr_opts *o)
{
	const struct ckpt_tree_task *root = &rs.tasks[0];
	pid_t pid;

	if (rs.tree.tree->flags & CKPT_TREE_PIDNS)
		/* the init of a new namespace is always pid 1 there */
		pid = clone_process(0, CLONE_NEWPID, root->exit_signal);
	else
		pid = clone_process(root->pid, 0, root->exit_signal);
	if (!pid)
		become_root();
	if (pid > 0)
		return pid;
	if (rs.nr == 1 && !(rs.tree.tree->flags & CKPT_TREE_PIDNS))
		return fork_any_pid(errno, o);
	fprintf(stderr, "rstr: cannot create task %d: %s%s\n", root->pid,
		strerror(errno),
		errno == EEXIST ? " (the pid is taken; try --pidns)" : "");
	restart_abort(rs.dev, errno);
	return -1;
}

static int run(const struct rstr_opts *o)
{
	pid_t pid;

	if (o->pidns && !(rs.tree.tree->flags & CKPT_TREE_PIDNS))
		return run_pidns(o);
	pid = start_root(o);
	if (pid < 0)
		return RSTR_EXIT_FAIL;
	if (o->verbose)
		fprintf(stderr, "rstr: restoring %s %d\n",
			rs.tree.tree->flags & CKPT_TREE_PIDNS ?
			"a pid namespace whose init is pid" : "as pid", pid);
	if (rs.dev >= 0 && wait_restart(o))
		return RSTR_EXIT_FAIL;
	if (o->detach && rs.dev < 0 && rs.log[0] >= 0)
		return detach_result() ? RSTR_EXIT_FAIL : 0;
	if (o->detach)
		return 0;
	if (rs.img >= 0)
		close(rs.img);	/* the one-task restart is done with it */
	return wait_restored(pid, o->copy_status);
}

/* Open the device and hand it the image: the tree is the kernel's now. */
static int prepare(const struct rstr_opts *o)
{
	rs.dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (rs.dev < 0) {
		fprintf(stderr, "rstr: cannot open %s: %s\n", CKPT_DEVICE,
			strerror(errno));
		hint_no_device(errno);
		return -1;
	}
	if (restart_prepare(rs.dev, rs.img, o->verbose ? RESTART_VERBOSE : 0,
			    STDERR_FILENO, rs.tree.prefix, rs.tree.len)) {
		fprintf(stderr, "rstr: restart failed: %s\n", strerror(errno));
		return -1;
	}
	rs.args.size = sizeof(rs.args);
	rs.args.fd = -1;
	rs.args.logfd = STDERR_FILENO;
	return 0;
}

int main(int argc, char **argv)
{
	struct rstr_opts o = { 0 };
	int ret;

	if (parse_args(argc, argv, &o))
		return RSTR_EXIT_FAIL;
	rs.img = open_input(&o);
	if (rs.img < 0)
		return RSTR_EXIT_FAIL;
	ret = ckpt_read_tree(rs.img, &rs.tree);
	if (ret) {
		fprintf(stderr, "rstr: restart failed: %s: %s\n",
			strerror(-ret), rs.tree.err);
		return RSTR_EXIT_FAIL;
	}
	rs.tasks = rs.tree.tasks;
	rs.nr = rs.tree.tree->nr_tasks;
	if (link_children() || prepare(&o))
		return RSTR_EXIT_FAIL;
	return run(&o);
}
