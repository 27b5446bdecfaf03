// SPDX-License-Identifier: GPL-2.0
/*
 * Images are hostile input (issue 13): valid images of many kinds, each
 * mutated many times, are restarted as root and as an unprivileged user,
 * by restart(2) into a process and by rstr --pidns.
 * Each mutant must be refused or restored - never hang the restart,
 * leave tasks behind, or make the kernel report anything (run.sh's
 * harness fails the run on any oops, WARN or slab report in dmesg).
 *
 *	fuzz_test [MUTANTS]	per image (default: ckpt_fuzz=N on the
 *				kernel command line, else FUZZ_DEFAULT)
 *
 * Mutations, one per mutant, on the top-level records and the whole
 * image: a bit flipped; a record's type or length changed; a payload
 * word set to 0, -1, INT_MAX, or off by one; the image cut at a record
 * boundary; a record duplicated, dropped, or swapped with the next.
 * The TAIL's xxh64 is computed again so that the kernel parses on past
 * the checksum.  Printed per image: how many were refused, restored,
 * hung, and left tasks behind, and the Slab before and after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "util.h"

#define FUZZ_DEFAULT	100
#define NOBODY		65534
#define FUZZ_WAIT_MS	10000
#define MAX_RECS	4096

/* The targets' modes that make the broken-image tests' images. */
static const struct {
	const char *target, *mode;
} kinds[] = {
	{ "pipe_target", "image" }, { "unix_target", "image" },
	{ "identity_target", "plain" }, { "epoll_target", "image" },
	{ "anonfd_target", "image" }, { "inotify_target", "image" },
	{ "locks_target", "image" }, { "stop_target", "self" },
};

struct outcome {
	unsigned int refused, restored, hung, left;
};

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

/* Offsets of the top-level records, the TAIL last; their number. */
static int records(const unsigned char *buf, size_t len, size_t *off)
{
	const struct ckpt_hdr *h;
	size_t at = 0;
	int nr = 0;

	while (at + sizeof(*h) <= len && nr < MAX_RECS) {
		h = (const struct ckpt_hdr *)(buf + at);
		if (h->len < sizeof(*h) || h->len > len - at)
			break;
		off[nr++] = at;
		at += h->len;
	}
	return nr;
}

/*
 * One mutant of @img (@len bytes, @nr records at @off, the last the
 * TAIL) into @buf; its length.  The TAIL is kept last and resealed.
 */
static size_t mutate(const unsigned char *img, size_t len, const size_t *off,
		     int nr, unsigned char *buf)
{
	static const __u32 words[] = { 0, 0xffffffff, 0x7fffffff, 1 };
	size_t tail = off[nr - 1], body = tail, at, rl, n;
	struct ckpt_hdr *h;
	int r = nr > 1 ? rnd(nr - 1) : 0;
	__u32 *w;

	memcpy(buf, img, len);
	rl = (r + 1 < nr ? off[r + 1] : tail) - off[r];
	h = (struct ckpt_hdr *)(buf + off[r]);
	switch (rnd(9)) {
	case 0:		/* a bit flipped anywhere before the TAIL */
		at = rnd(body);
		buf[at] ^= 1U << rnd(8);
		break;
	case 1:		/* a record's type */
		h->type = rnd(2) ? rnd(CKPT_HDR_MAX_TYPE + 2) : h->type ^ 1;
		break;
	case 2:		/* a record's length */
		h->len = rnd(2) ? h->len + CKPT_ALIGN * (rnd(3) ? 1 : -1) :
			 words[rnd(4)];
		break;
	case 3:		/* a payload word: 0, -1, INT_MAX, or off by one */
	case 4:
		if (rl <= sizeof(*h) + 4)
			break;
		w = (__u32 *)(buf + off[r] + sizeof(*h) +
			      4 * rnd((rl - sizeof(*h)) / 4));
		*w = rnd(2) ? words[rnd(4)] : *w + (rnd(2) ? 1 : -1);
		break;
	case 5:		/* cut at a record boundary: the TAIL follows */
		body = off[r];
		break;
	case 6:		/* a record twice */
		memcpy(buf + off[r] + rl, img + off[r], body - off[r]);
		body += rl;
		break;
	case 7:		/* a record dropped */
		memmove(buf + off[r], img + off[r] + rl, body - off[r] - rl);
		body -= rl;
		break;
	case 8:		/* a record swapped with the next */
		if (r + 2 >= nr)
			break;
		n = off[r + 2] - off[r + 1];
		memcpy(buf + off[r], img + off[r + 1], n);
		memcpy(buf + off[r] + n, img + off[r], rl);
		break;
	}
	memcpy(buf + body, img + tail, len - tail);
	n = body + len - tail;
	image_reseal(buf, n);
	return n;
}

/* Is a task of @root's tree still in an ioctl() (the restart's)? */
static int in_restart(pid_t root)
{
	pid_t pids[TREE_MAX_TASKS];
	char buf[256];
	int nr, i;

	nr = tree_pids(root, pids, TREE_MAX_TASKS);
	for (i = 0; i < nr; i++) {
		if (read_proc(pids[i], "syscall", buf, sizeof(buf)))
			continue;
		if (!strncmp(buf, "16 ", 3)) {
			ksft_print_msg("hung: pid %d in ioctl(): %s", pids[i],
				       buf);
			return 1;
		}
	}
	return 0;
}

/* @root and what it made, killed and reaped. */
static void kill_tree(pid_t root)
{
	pid_t pids[TREE_MAX_TASKS];
	int nr, i;

	nr = tree_pids(root, pids, TREE_MAX_TASKS);
	for (i = nr - 1; i >= 0; i--)
		kill(pids[i], SIGKILL);
	kill_reap(root);
}

static int become_nobody(void)
{
	return setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(NOBODY, NOBODY, NOBODY);
}

/*
 * Restart @img in a child, as root or as nobody, its stdin /dev/null: a
 * restored target reads end of file and exits.  Through restart(2) into
 * the child (refused: it exits with RESTART_EXIT_BASE + errno), or
 * through rstr --pidns (the tree path: PREPARE, RESTART in each task;
 * refused: rstr exits 1).
 */
static void try_mutant(int img, int as_nobody, int with_rstr,
		       struct outcome *o)
{
	static const char *pidns[] = { "--pidns", NULL };

	pid_t pid, left[TREE_MAX_TASKS];
	int status, devnull, nr, i;

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, 0) != 0 ||
		    dup2(devnull, 1) != 1 || (as_nobody && become_nobody()))
			_exit(1);
		if (with_rstr)
			_exit(exec_rstr(img, pidns) ? 2 : 0);
		if (restart(0, img, 0, -1))
			_exit(RESTART_EXIT_BASE + errno);
		_exit(RESTART_EXIT_RETURNED);
	}
	if (wait_timeout(pid, &status, FUZZ_WAIT_MS)) {
		/* a restored target waiting on what its mutant state says */
		if (in_restart(pid))
			o->hung++;
		else
			o->restored++;
		kill_tree(pid);
		return;
	}
	if (WIFEXITED(status) &&
	    (with_rstr ? WEXITSTATUS(status) == 1 :
			 WEXITSTATUS(status) > RESTART_EXIT_BASE))
		o->refused++;
	else
		o->restored++;
	/*
	 * Anything it left comes to us (a subreaper): dying, it must be
	 * gone within a second; alive, it is a task left behind.
	 */
	for (i = 0; i < 100; i++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		nr = tree_pids(getpid(), left, TREE_MAX_TASKS);
		if (nr <= 1)
			return;
		sleep_for_ms(10);
	}
	o->left++;
	for (i = 1; i < nr; i++) {
		char state = '?';
		int ppid, sig;

		proc_stat(left[i], &state, &ppid, &sig);
		ksft_print_msg("left behind: pid %d (state %c) after %s as %s\n",
			       left[i], state, with_rstr ? "rstr --pidns" :
			       "restart()", as_nobody ? "nobody" : "root");
		kill_reap(left[i]);
	}
}

static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static unsigned int mutants_wanted(int argc, char **argv)
{
	char cmdline[4096] = "", *p;
	ssize_t n;
	int fd;

	if (argc > 1)
		return strtoul(argv[1], NULL, 10);
	fd = open("/proc/cmdline", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (fd >= 0)
		close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
	p = strstr(cmdline, "ckpt_fuzz=");
	return p ? strtoul(p + 10, NULL, 10) : FUZZ_DEFAULT;
}

/* One kind's image, @n mutants of it; the test's verdict. */
static void fuzz_kind(unsigned int k, unsigned int n)
{
	static size_t off[MAX_RECS];
	struct outcome o = { 0 };
	unsigned char *img = NULL, *buf;
	int fd, mfd, nr;
	long slab0, slab1;
	unsigned int i;
	size_t len, mlen;

	use_target(kinds[k].target);
	fd = tmp_image();
	if (fd < 0 || make_image(kinds[k].mode, fd)) {
		ksft_test_result_fail("%s %s: no image\n", kinds[k].target,
				      kinds[k].mode);
		if (fd >= 0)
			close(fd);
		return;
	}
	len = read_file(fd, &img);
	close(fd);
	nr = img ? records(img, len, off) : 0;
	buf = malloc(2 * len + 64);
	if (nr < 2 || !buf) {
		ksft_test_result_fail("%s: unreadable image\n",
				      kinds[k].target);
		free(img);
		free(buf);
		return;
	}
	slab0 = slab_kb();
	for (i = 0; i < n; i++) {
		mlen = mutate(img, len, off, nr, buf);
		mfd = image_file(buf, mlen);
		/* readable by nobody's rstr, which opens /proc/self/fd/N */
		if (mfd < 0 || fchmod(mfd, 0644))
			break;
		try_mutant(mfd, i % 2, (i / 2) % 2, &o);
		close(mfd);
	}
	slab1 = slab_kb();
	ksft_print_msg("%s %s: %u mutants: %u refused, %u restored, %u hung, %u left tasks; Slab %ld -> %ld kB\n",
		       kinds[k].target, kinds[k].mode, i, o.refused,
		       o.restored, o.hung, o.left, slab0, slab1);
	ksft_test_result(i == n && !o.hung && !o.left, "fuzz %s %s\n",
			 kinds[k].target, kinds[k].mode);
	free(img);
	free(buf);
}

int main(int argc, char **argv)
{
	unsigned int n = mutants_wanted(argc, argv), k;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(kinds));
	srandom(12345);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		ksft_exit_fail_msg("PR_SET_CHILD_SUBREAPER: %s\n",
				   strerror(errno));
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		fuzz_kind(k, n);
	ksft_finished();
}
