// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt: checkpoint a process, its threads and its descendants into an
 * image.
 *
 *	ckpt [-o FILE] [--kill] [-v] PID
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "libckpt.h"

struct ckpt_opts {
	const char *output;	/* NULL: standard output */
	unsigned long flags;
	int verbose;
	pid_t pid;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ckpt [-o FILE] [--kill] [-v] PID\n"
		"Checkpoint process PID with all its threads and descendants\n"
		"(zombies included, the whole pid namespace if PID is its\n"
		"init) into an image, written to standard output (never a\n"
		"terminal) or to FILE.  The tasks are frozen together and saved\n"
		"as one instant; then they go on.\n"
		"\n"
		"  -o, --output FILE  write the image to FILE (created mode 0600)\n"
		"  -k, --kill         kill every task of the tree once it is saved\n"
		"  -v, --verbose      say what was done\n"
		"  -h, --help         show this help\n"
		"\n"
		"Errors from the kernel are logged to standard error.\n");
}

static int __printf(1, 2)
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ckpt: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ckpt --help' for more information.\n");
	return -1;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*pid = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct ckpt_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kill", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char opt[3] = "-?";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:kvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'k':
			o->flags |= CHECKPOINT_KILL;
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
	if (optind >= argc)
		return bad_usage("missing PID");
	if (optind + 1 < argc)
		return bad_usage("unexpected argument '%s'", argv[optind + 1]);
	if (parse_pid(argv[optind], &o->pid))
		return bad_usage("invalid PID '%s'", argv[optind]);
	return 0;
}

static int open_output(const struct ckpt_opts *o)
{
	int fd = STDOUT_FILENO;

	if (o->output) {
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			fprintf(stderr, "ckpt: cannot open %s: %s\n",
				o->output, strerror(errno));
			return -1;
		}
	}
	if (isatty(fd)) {
		fprintf(stderr,
			"ckpt: refusing to write the image to a terminal; use -o FILE or a redirection\n");
		return -1;
	}
	return fd;
}

/* Don't leave a partial image behind under the name the user gave. */
static void discard_output(const struct ckpt_opts *o, int fd)
{
	struct stat st;

	if (o->output && !fstat(fd, &st) && S_ISREG(st.st_mode))
		unlink(o->output);
}

static void report(const struct ckpt_opts *o, off_t start, int fd)
{
	off_t end = lseek(fd, 0, SEEK_CUR);

	fprintf(stderr, "ckpt: saved process %d", o->pid);
	if (start >= 0 && end >= start)
		fprintf(stderr, " (%lld bytes)", (long long)(end - start));
	if (o->flags & CHECKPOINT_KILL)
		fprintf(stderr, " and killed it");
	fprintf(stderr, "\n");
}

/* ENOENT from libckpt may mean there is no device at all. */
static void hint_no_device(int err)
{
	if (err == ENOENT && access(CKPT_DEVICE, F_OK))
		fprintf(stderr, "ckpt: no %s: is the checkpoint module loaded?\n",
			CKPT_DEVICE);
}

int main(int argc, char **argv)
{
	struct ckpt_opts o = { 0 };
	off_t start;
	int fd;

	if (parse_args(argc, argv, &o))
		return 1;
	fd = open_output(&o);
	if (fd < 0)
		return 1;
	start = lseek(fd, 0, SEEK_CUR);
	if (o.verbose)
		o.flags |= CHECKPOINT_VERBOSE;	/* the kernel says how long */
	if (checkpoint(o.pid, fd, o.flags, STDERR_FILENO)) {
		fprintf(stderr, "ckpt: checkpoint of %d failed: %s\n", o.pid,
			strerror(errno));
		hint_no_device(errno);
		discard_output(&o, fd);
		return 1;
	}
	if (o.verbose)
		report(&o, start, fd);
	if (o.output && close(fd)) {
		fprintf(stderr, "ckpt: error writing %s: %s\n", o.output,
			strerror(errno));
		return 1;
	}
	return 0;
}
