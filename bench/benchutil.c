// SPDX-License-Identifier: GPL-2.0
/*
 * benchutil: what the benchmark script cannot do precisely in a shell.
 *
 *	benchutil time [-i IN] [-o OUT] [-e ERR] CMD [ARG]... [| CMD [ARG]...]...
 *		Run the pipeline (each "|" a separate argument), standard
 *		input from IN (default: inherited), the last command's output
 *		to OUT and every command's errors to ERR (default: /dev/null
 *		and inherited).  Print the wall time in microseconds from the
 *		first fork to the end of the last command; fail if any command
 *		did.  The programs are run directly, no shell in between.
 *
 *	benchutil reap CMD [ARG]...
 *		Run CMD as a child subreaper: orphans of the processes it
 *		starts are reaped here, not left as zombies whose pids a
 *		restart would need.  Exits with CMD's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define MAX_CMDS 8

static void usage(void)
{
	fprintf(stderr,
		"usage: benchutil time [-i IN] [-o OUT] [-e ERR] CMD [ARG]... [| CMD [ARG]...]...\n"
		"       benchutil reap CMD [ARG]...\n");
	exit(2);
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "benchutil: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void move_fd(int from, int to)
{
	if (from != to && dup2(from, to) < 0)
		_exit(127);
}

/* A command's exit, as the shell would say it; 0 if it succeeded. */
static int judge(const char *cmd, int status)
{
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "benchutil: %s: exit status %d\n", cmd,
			WEXITSTATUS(status));
	else
		fprintf(stderr, "benchutil: %s: killed by signal %d\n", cmd,
			WTERMSIG(status));
	return 1;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int do_time(int argc, char **argv)
{
	char **cmds[MAX_CMDS];
	pid_t pids[MAX_CMDS];
	int in = -1, out, err = -1, ncmds = 0, prev, p[2], status, bad = 0;
	long long start;
	int c, i, first;

	out = open_or_die("/dev/null", O_WRONLY);
	while ((c = getopt(argc, argv, "+i:o:e:")) != -1) {
		switch (c) {
		case 'i':
			in = open_or_die(optarg, O_RDONLY);
			break;
		case 'o':
			out = open_or_die(optarg, O_WRONLY | O_CREAT | O_TRUNC);
			break;
		case 'e':
			err = open_or_die(optarg, O_WRONLY | O_CREAT | O_TRUNC);
			break;
		default:
			usage();
		}
	}
	/* split at the "|" arguments, which end each command's argv */
	for (i = optind, first = 1; i < argc; i++) {
		if (!strcmp(argv[i], "|")) {
			if (first)
				usage();
			argv[i] = NULL;
			first = 1;
			continue;
		}
		if (first) {
			if (ncmds == MAX_CMDS)
				usage();
			cmds[ncmds++] = &argv[i];
			first = 0;
		}
	}
	if (!ncmds || first)
		usage();

	prev = in;
	start = now_us();
	for (i = 0; i < ncmds; i++) {
		p[0] = -1;
		p[1] = out;
		if (i < ncmds - 1 && pipe2(p, O_CLOEXEC)) {
			perror("benchutil: pipe");
			return 1;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("benchutil: fork");
			return 1;
		}
		if (!pids[i]) {
			if (prev >= 0)
				move_fd(prev, STDIN_FILENO);
			move_fd(p[1], STDOUT_FILENO);
			if (err >= 0)
				move_fd(err, STDERR_FILENO);
			execvp(cmds[i][0], cmds[i]);
			fprintf(stderr, "benchutil: %s: %s\n", cmds[i][0],
				strerror(errno));
			_exit(127);
		}
		if (prev >= 0)
			close(prev);
		if (i < ncmds - 1)
			close(p[1]);
		prev = p[0];
	}
	for (i = 0; i < ncmds; i++) {
		if (waitpid(pids[i], &status, 0) < 0) {
			perror("benchutil: waitpid");
			return 1;
		}
		bad |= judge(cmds[i][0], status);
	}
	printf("%lld\n", now_us() - start);
	return bad;
}

static int do_reap(char **argv)
{
	pid_t pid, w;
	int status;

	if (!argv[0])
		usage();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("benchutil: PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("benchutil: fork");
		return 1;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "benchutil: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	do {
		w = wait(&status);
		if (w < 0 && errno != EINTR) {
			perror("benchutil: wait");
			return 1;
		}
	} while (w != pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "time"))
		return do_time(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reap"))
		return do_reap(argv + 2);
	usage();
	return 2;
}
