// SPDX-License-Identifier: GPL-2.0
/*
 * rstr: restart a process from an image.
 *
 *	rstr [-i FILE] [--pidns] [--wait [--copy-status] | --detach] [-v]
 *
 * A child is forked and becomes the restored process, inheriting rstr's
 * standard input, output and error (standard input is /dev/null when the
 * image comes through it).  By default rstr waits for it and
 * exits with its status; with --copy-status it dies of the same signal
 * when the restored process was killed; with --detach it exits at once.
 *
 * The child gets the image's pid when it is free (clone3() with set_tid,
 * which needs CAP_CHECKPOINT_RESTORE), any pid otherwise.  To learn that
 * pid before forking, rstr reads the HEADER and TASK records itself and
 * hands those bytes to the kernel with the rest of the stream, so a pipe
 * still works.  With --pidns, rstr forks the init (pid 1) of a new pid
 * namespace, where the pid is always free; that init forks the restored
 * process, forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to it, reaps
 * orphans and passes its wait status on to rstr.
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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "libckpt.h"

#define RSTR_EXIT_FAIL	1

struct rstr_opts {
	const char *input;	/* NULL: standard input */
	int detach;
	int wait;
	int copy_status;
	int pidns;
	int verbose;
};

/* The image, and the records rstr read from it to learn the pid. */
struct rstr_image {
	int fd;
	pid_t pid;		/* 0 if unknown */
	size_t len;
	unsigned char prefix[CKPT_PREFIX_MAX];
};

/* pidns init: where to forward signals */
static pid_t forward_pid;	/* set before the handlers are */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: rstr [-i FILE] [--pidns] [--wait [--copy-status] | --detach] [-v]\n"
		"Restart a process from an image read from standard input\n"
		"(never a terminal) or from FILE.  The restored process runs\n"
		"as a child of rstr, with rstr's standard input (/dev/null\n"
		"when the image comes on it), output and error.  It gets its\n"
		"original pid if that is free and rstr\n"
		"may choose pids (CAP_CHECKPOINT_RESTORE), another one if not\n"
		"(-v tells).\n"
		"\n"
		"  -i, --input FILE  read the image from FILE\n"
		"  -w, --wait        wait for the restored process and exit with\n"
		"                    its status, 128+N if killed by signal N\n"
		"                    (the default)\n"
		"  -c, --copy-status with --wait: exit with the restored\n"
		"                    process's exit code, or die of the signal\n"
		"                    that killed it (without a core dump)\n"
		"  -d, --detach      exit as soon as the restart is under way\n"
		"  -p, --pidns       restore into a new pid namespace (needs\n"
		"                    CAP_SYS_ADMIN), where the original pid is\n"
		"                    always free; its init, a child of rstr,\n"
		"                    forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2\n"
		"                    to the restored process\n"
		"  -v, --verbose     say what was done\n"
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

/* ENOENT from libckpt may mean there is no device at all. */
static void hint_no_device(int err)
{
	if (err == ENOENT && access(CKPT_DEVICE, F_OK))
		fprintf(stderr, "rstr: no %s: is the checkpoint module loaded?\n",
			CKPT_DEVICE);
}

static void __noreturn do_restart(const struct rstr_image *img)
{
	ckpt_reset_signals();
	restart_prefix(img->fd, 0, STDERR_FILENO, img->prefix, img->len);
	fprintf(stderr, "rstr: restart failed: %s\n", strerror(errno));
	hint_no_device(errno);
	_exit(RSTR_EXIT_FAIL);
}

/* Die of @sig as the restored process did, leaving no core behind. */
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

/* fork(), with @pid (if not 0) as the child's pid in its namespace. */
static pid_t clone_pid(pid_t pid, unsigned long long flags)
{
	struct clone_args ca = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};

	if (pid) {
		ca.set_tid = (uintptr_t)&pid;
		ca.set_tid_size = 1;
	}
	fflush(NULL);
	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/* A child restores @img: with its pid if possible, else any. */
static pid_t fork_restored(const struct rstr_image *img, int verbose)
{
	pid_t pid = -1;

	if (img->pid > 0) {
		pid = clone_pid(img->pid, 0);
		if (pid < 0 && verbose)
			fprintf(stderr,
				"rstr: cannot restore pid %d (%s): it gets another\n",
				img->pid, strerror(errno));
	}
	if (pid < 0)
		pid = clone_pid(0, 0);
	if (pid < 0)
		fprintf(stderr, "rstr: fork: %s\n", strerror(errno));
	if (!pid)
		do_restart(img);
	return pid;
}

/* Wait for @pid, whatever signals interrupt; its status or -1. */
static int wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
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
 * Pid 1 of the new namespace: fork the restored process, forward it the
 * signals a user sends to stop it (the terminal's reach it directly),
 * reap every orphan, and write its wait status to @status_fd.
 */
static int pidns_init(const struct rstr_image *img, int status_fd)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };
	pid_t pid, w;
	size_t i;
	int status;

	/* pid 1 itself: the init is the restored process */
	if (img->pid == 1)
		do_restart(img);
	pid = fork_restored(img, 1);
	if (pid < 0)
		return RSTR_EXIT_FAIL;
	forward_pid = pid;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], forward_signal);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	do {
		w = waitpid(-1, &status, 0);
		if (w < 0 && errno != EINTR)
			return RSTR_EXIT_FAIL;
	} while (w != pid);
	if (write(status_fd, &status, sizeof(status)) != sizeof(status))
		return RSTR_EXIT_FAIL;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/* rstr --pidns: the init's child is the restored process. */
static int run_pidns(const struct rstr_image *img, const struct rstr_opts *o)
{
	int sp[2], status;
	pid_t init;

	if (pipe2(sp, O_CLOEXEC)) {
		fprintf(stderr, "rstr: pipe: %s\n", strerror(errno));
		return RSTR_EXIT_FAIL;
	}
	init = clone_pid(0, CLONE_NEWPID);
	if (init < 0) {
		fprintf(stderr, "rstr: cannot make a pid namespace: %s\n",
			strerror(errno));
		return RSTR_EXIT_FAIL;
	}
	if (!init) {
		close(sp[0]);
		_exit(pidns_init(img, sp[1]));
	}
	close(sp[1]);
	if (o->verbose)
		fprintf(stderr,
			"rstr: restoring in a new pid namespace whose init is pid %d\n",
			init);
	if (o->detach)
		return 0;
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (wait_for(init, &status))
		return RSTR_EXIT_FAIL;
	/* the restored process's status, unless the init itself was it */
	if (read(sp[0], &status, sizeof(status)) < 0)
		return RSTR_EXIT_FAIL;
	return exit_code(status, o->copy_status);
}

int main(int argc, char **argv)
{
	static struct rstr_image img;
	struct rstr_opts o = { 0 };
	ssize_t len;
	pid_t pid;

	if (parse_args(argc, argv, &o))
		return RSTR_EXIT_FAIL;
	img.fd = open_input(&o);
	if (img.fd < 0)
		return RSTR_EXIT_FAIL;
	len = ckpt_read_task_prefix(img.fd, img.prefix, &img.pid);
	if (len < 0) {
		fprintf(stderr, "rstr: cannot read the image: %s\n",
			strerror(errno));
		return RSTR_EXIT_FAIL;
	}
	img.len = len;
	if (o.pidns)
		return run_pidns(&img, &o);

	pid = fork_restored(&img, o.verbose);
	if (pid < 0)
		return RSTR_EXIT_FAIL;
	if (o.verbose)
		fprintf(stderr, "rstr: restoring as pid %d\n", pid);
	if (o.detach)
		return 0;
	if (o.input)
		close(img.fd);
	return wait_restored(pid, o.copy_status);
}
