// SPDX-License-Identifier: GPL-2.0
/*
 * rstr: restart a process from an image.
 *
 *	rstr [-i FILE] [--wait | --detach] [-v]
 *
 * A child is forked and becomes the restored process, inheriting rstr's
 * standard input, output and error.  By default rstr waits for it and
 * exits with its status; with --detach it exits at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "libckpt.h"

#define RSTR_EXIT_FAIL	1

struct rstr_opts {
	const char *input;	/* NULL: standard input */
	int detach;
	int wait;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: rstr [-i FILE] [--wait | --detach] [-v]\n"
		"Restart a process from an image read from standard input\n"
		"(never a terminal) or from FILE.  The restored process runs\n"
		"as a child of rstr, with rstr's standard input, output and\n"
		"error.\n"
		"\n"
		"  -i, --input FILE  read the image from FILE\n"
		"  -w, --wait        wait for the restored process and exit with\n"
		"                    its status, 128+N if killed by signal N\n"
		"                    (the default)\n"
		"  -d, --detach      exit as soon as the restart is under way\n"
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char opt[3] = "-?";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:wdvh", longopts, NULL)) != -1) {
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
	return 0;
}

static int open_input(const struct rstr_opts *o)
{
	int fd = STDIN_FILENO;

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

static void __noreturn do_restart(int fd)
{
	ckpt_reset_signals();
	restart(0, fd, 0, STDERR_FILENO);
	fprintf(stderr, "rstr: restart failed: %s\n", strerror(errno));
	hint_no_device(errno);
	_exit(RSTR_EXIT_FAIL);
}

static int wait_restored(pid_t pid)
{
	int status;

	/* Like system(3): a ^C is for the restored process to handle. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rstr: waitpid: %s\n",
				strerror(errno));
			return RSTR_EXIT_FAIL;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "rstr: restored process killed by signal %d\n",
		WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct rstr_opts o = { 0 };
	pid_t pid;
	int fd;

	if (parse_args(argc, argv, &o))
		return RSTR_EXIT_FAIL;
	fd = open_input(&o);
	if (fd < 0)
		return RSTR_EXIT_FAIL;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rstr: fork: %s\n", strerror(errno));
		return RSTR_EXIT_FAIL;
	}
	if (!pid)
		do_restart(fd);

	if (o.verbose)
		fprintf(stderr, "rstr: restoring as pid %d\n", pid);
	if (o.detach)
		return 0;
	if (o.input)
		close(fd);
	return wait_restored(pid);
}
