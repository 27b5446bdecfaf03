// SPDX-License-Identifier: GPL-2.0
/*
 * Images are hostile input (issue 13): valid images of many kinds, each
 * mutated many times, are restarted as root and as an unprivileged user,
 * by restart(2) into a process and by rstr (--pidns for root).
 * Each mutant must be refused or restored - never hang the restart,
 * leave tasks behind, or make the kernel report anything (run.sh's
 * harness fails the run on any oops, WARN or slab report in dmesg).
 *
 *	fuzz_test [MUTANTS [TARGET...]]
 *
 * MUTANTS per image (default: ckpt_fuzz=N on the kernel command line,
 * else FUZZ_DEFAULT), of the kinds whose targets are named (default:
 * ckpt_fuzz_kinds=A,B on the kernel command line, else all).
 *
 * Mutations, one per mutant, on the top-level records and the whole
 * image: a bit flipped; a record's type or length changed; a payload
 * word set to 0, -1, INT_MAX, or off by one; the image cut at a record
 * boundary; a record duplicated, dropped, or swapped with the next.
 * And one level down (a third of the mutants): a record nested in
 * another (VMAs in MM, FDs in FILES, PIPE_BUFs, EPOLL_ITEMs, UNIX_SKBs
 * and pending connections, inotify EVENTs and WATCHes) or an entry of
 * a record's array (CRED's gids, TREE's tasks) duplicated, dropped, or
 * swapped with a sibling, the parent's length following, its count
 * following or not.  The TAIL's xxh64 is computed again so that the
 * kernel parses on past the checksum, and mostly its count of records
 * too.  Printed per image: how many were refused, restored, hung, and
 * left tasks behind, and the Slab before and after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "util.h"
#include "exact_target.h"

#define FUZZ_DEFAULT	100
#define NOBODY		65534
#define FUZZ_WAIT_MS	10000
#define MAX_RECS	4096
#define MAX_SITES	4096

/*
 * The targets' modes that make the broken-image tests' images; exact_test's
 * tree (threads, a zombie, a stopped child, a pty, sockets, locks...); and
 * tree_input_test's family (a session, groups, a thread) as the init of a
 * pid namespace.
 */
static const struct {
	const char *target, *mode;
	int pidns;
} kinds[] = {
	{ "pipe_target", "image", 0 }, { "unix_target", "image", 0 },
	{ "identity_target", "plain", 0 }, { "epoll_target", "image", 0 },
	{ "anonfd_target", "image", 0 }, { "inotify_target", "image", 0 },
	{ "locks_target", "image", 0 }, { "stop_target", "self", 0 },
	{ "pty_target", "image", 0 }, { "exact_target", "tree", 0 },
	{ "thread_target", "family", 1 },
};

/*
 * Records nested in a record (child), or an array of elem-byte entries
 * after its fixed part; count is the offset of the parent's count of them.
 */
struct nest {
	__u32 parent, child;
	size_t fixed, count, elem;
};

#define NEST(p, c, s, f)						\
	{ CKPT_HDR_##p, CKPT_HDR_##c, sizeof(struct s), offsetof(struct s, f), 0 }
#define ARRAY(p, s, f, e)						\
	{ CKPT_HDR_##p, 0, sizeof(struct s), offsetof(struct s, f), e }

static const struct nest nests[] = {
	NEST(MM, VMA, ckpt_hdr_mm, nr_vmas),
	NEST(FILES, FD, ckpt_hdr_files, nr_fds),
	NEST(PIPE, PIPE_BUF, ckpt_hdr_pipe, nr_bufs),
	NEST(EPOLL, EPOLL_ITEM, ckpt_hdr_epoll, nr_items),
	NEST(UNIX, UNIX_SKB, ckpt_hdr_unix, nr_skbs),
	NEST(UNIX, UNIX, ckpt_hdr_unix, nr_pending),
	NEST(INOTIFY, INOTIFY_EVENT, ckpt_hdr_inotify, nr_events),
	NEST(INOTIFY, INOTIFY_WATCH, ckpt_hdr_inotify, nr_watches),
	ARRAY(CRED, ckpt_hdr_cred, ngroups, sizeof(__u32)),
	ARRAY(TREE, ckpt_hdr_tree, nr_tasks, sizeof(struct ckpt_tree_task)),
};

/* A nested record or array entry; its siblings are sites[first..+nr). */
struct site {
	int rec;		/* the top-level record it is in */
	const struct nest *n;
	size_t at, len;		/* in the image */
	int first, nr;
};

/* A valid image: its records, and what is nested in them. */
struct image {
	unsigned char *buf;
	size_t len;
	size_t off[MAX_RECS];	/* of the top-level records, the TAIL last */
	int nr;
	int cnt[MAX_RECS];	/* records in each, nested included */
	struct site sites[MAX_SITES];
	int nr_sites;
	__u32 nr_records;	/* the TAIL's */
};

struct outcome {
	unsigned int refused, restored, hung, left;
};

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

struct tops {
	size_t *off;
	int nr;
};

static int top_rec(void *arg, size_t off, const struct ckpt_hdr *h,
		   int parent)
{
	struct tops *t = arg;

	(void)h;
	if (parent >= 0)
		return 0;
	if (t->nr == MAX_RECS)
		return 1;
	t->off[t->nr++] = off;
	return 0;
}

/* Offsets of the top-level records, the TAIL last; their number. */
static int records(const unsigned char *buf, size_t len, size_t *off)
{
	struct tops t = { .off = off };

	ckpt_image_walk(buf, len, top_rec, &t);
	return t.nr;
}

static const struct nest *nest_of(__u32 parent, __u32 child, int array)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nests); i++)
		if (nests[i].parent == parent && !nests[i].elem == !array &&
		    (array || nests[i].child == child))
			return &nests[i];
	return NULL;
}

/* Records a @type record may nest, running from @at to exactly @end. */
static int chain_ok(const unsigned char *buf, __u32 type, size_t at,
		    size_t end)
{
	const struct ckpt_hdr *h;

	if (at >= end)
		return 0;
	for (; at < end; at += h->len) {
		h = (const struct ckpt_hdr *)(buf + at);
		if (end - at < sizeof(*h) || !nest_of(type, h->type, 0) ||
		    h->len < sizeof(*h) || h->len % CKPT_ALIGN ||
		    h->len > end - at)
			return 0;
	}
	return 1;
}

static void add_site(struct image *im, int rec, const struct nest *n,
		     size_t at, size_t len, int first)
{
	struct site *s = &im->sites[im->nr_sites++];

	s->rec = rec;
	s->n = n;
	s->at = at;
	s->len = len;
	s->first = first;
}

/*
 * The sites of top-level record @r: its array entries, or the records
 * nested in it - from the first offset past its fixed part from which
 * records it may nest run to its end.  Returns the records among them.
 */
static int find_sites(struct image *im, int r)
{
	const struct ckpt_hdr *h = (const struct ckpt_hdr *)(im->buf +
							     im->off[r]);
	size_t p = im->off[r], end = p + h->len, at;
	const struct nest *n = nest_of(h->type, 0, 1);
	__u32 type = h->type, count, i;
	int first = im->nr_sites;

	if (n) {
		count = *(const __u32 *)(im->buf + p + n->count);
		if (h->len < n->fixed || count > (h->len - n->fixed) / n->elem)
			return 0;
		for (i = 0; i < count && im->nr_sites < MAX_SITES; i++)
			add_site(im, r, n, p + n->fixed + i * n->elem, n->elem,
				 first);
	} else {
		for (i = 0; i < ARRAY_SIZE(nests) && !n; i++)
			if (nests[i].parent == type && !nests[i].elem)
				n = &nests[i];
		if (!n)
			return 0;
		at = p + (n->fixed + CKPT_ALIGN - 1) / CKPT_ALIGN * CKPT_ALIGN;
		for (; at < end && !chain_ok(im->buf, type, at, end);
		     at += CKPT_ALIGN)
			;
		for (; at < end && im->nr_sites < MAX_SITES; at += h->len) {
			h = (const struct ckpt_hdr *)(im->buf + at);
			add_site(im, r, nest_of(type, h->type, 0), at, h->len,
				 first);
		}
	}
	for (i = first; i < (__u32)im->nr_sites; i++)
		im->sites[i].nr = im->nr_sites - first;
	return n->elem ? 0 : im->nr_sites - first;
}

/* @im's records and sites, from its buf and len.  0, or -1 if unreadable. */
static int load_image(struct image *im)
{
	const struct ckpt_hdr_tail *tail;
	int r;

	im->nr = records(im->buf, im->len, im->off);
	im->nr_sites = 0;
	if (im->nr < 2)
		return -1;
	tail = (const struct ckpt_hdr_tail *)(im->buf + im->off[im->nr - 1]);
	if (tail->h.type != CKPT_HDR_TAIL || tail->h.len != sizeof(*tail))
		return -1;
	im->nr_records = tail->nr_records;
	for (r = 0; r < im->nr - 1; r++)
		im->cnt[r] = 1 + find_sites(im, r);
	return 0;
}

/* @from's @n bytes at @out; past them. */
static unsigned char *put(unsigned char *out, const void *from, size_t n)
{
	memcpy(out, from, n);
	return out + n;
}

/*
 * Site @s's parent into @out, @s duplicated, dropped or swapped with a
 * sibling; the parent's length follows, its count too if @fix.  Its new
 * length; *@drec, the records it gained.
 */
static size_t mutate_site(const struct image *im, const struct site *s,
			  unsigned char *out, int fix, int *drec)
{
	const unsigned char *p = im->buf + im->off[s->rec];
	const struct ckpt_hdr *ph = (const struct ckpt_hdr *)p;
	const struct site *o = &im->sites[s->first + rnd(s->nr - 1)], *a, *b;
	size_t end = ph->len, len;
	unsigned char *q = out;
	int delta = 0, op = rnd(3);
	__u32 *count;

	/* a sibling other than itself, if it has one */
	if (o >= s && o + 1 < &im->sites[s->first + s->nr])
		o++;
	a = s < o ? s : o;
	b = s < o ? o : s;
	if (op == 2 && a == b)
		op = 0;

	/* an array ends at its last entry; the padding is made anew */
	if (s->n->elem)
		end = im->sites[s->first + s->nr - 1].at + s->len -
		      im->off[s->rec];
	switch (op) {
	case 0:		/* twice */
		q = put(q, p, s->at + s->len - im->off[s->rec]);
		q = put(q, im->buf + s->at, s->len);
		q = put(q, im->buf + s->at + s->len,
			p + end - (im->buf + s->at + s->len));
		delta = 1;
		break;
	case 1:		/* dropped */
		q = put(q, p, s->at - im->off[s->rec]);
		q = put(q, im->buf + s->at + s->len,
			p + end - (im->buf + s->at + s->len));
		delta = -1;
		break;
	case 2:		/* swapped with a sibling */
		q = put(q, p, a->at - im->off[s->rec]);
		q = put(q, im->buf + b->at, b->len);
		q = put(q, im->buf + a->at + a->len, b->at - a->at - a->len);
		q = put(q, im->buf + a->at, a->len);
		q = put(q, im->buf + b->at + b->len,
			p + end - (im->buf + b->at + b->len));
		break;
	}
	len = q - out;
	while (len % CKPT_ALIGN)
		out[len++] = 0;
	((struct ckpt_hdr *)out)->len = len;
	count = (__u32 *)(out + s->n->count);
	if (fix)
		*count += delta;
	*drec = s->n->elem ? 0 : delta;
	return len;
}

/*
 * One mutant of @im into @buf; its length.  The TAIL is kept last and
 * resealed, its count of records mostly made right again.  *@nested
 * counts the mutants made one level down.
 */
static size_t mutate(const struct image *im, unsigned char *buf,
		     unsigned int *nested)
{
	static const __u32 words[] = { 0, 0xffffffff, 0x7fffffff, 1 };
	const unsigned char *img = im->buf;
	const size_t *off = im->off;
	int nr = im->nr, r = nr > 1 ? rnd(nr - 1) : 0, drec = 0, i;
	size_t len = im->len, tail = off[nr - 1], body = tail, at, rl, n;
	struct ckpt_hdr_tail *t;
	const struct site *s;
	struct ckpt_hdr *h;
	__u32 *w;

	memcpy(buf, img, len);
	if (im->nr_sites && !rnd(3)) {
		s = &im->sites[rnd(im->nr_sites)];
		rl = off[s->rec + 1] - off[s->rec];
		n = mutate_site(im, s, buf + off[s->rec], rnd(2), &drec);
		memcpy(buf + off[s->rec] + n, img + off[s->rec] + rl,
		       tail - off[s->rec] - rl);
		body = tail - rl + n;
		(*nested)++;
		goto seal;
	}
	rl = off[r + 1] - off[r];
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
		for (i = r; i < nr - 1; i++)
			drec -= im->cnt[i];
		break;
	case 6:		/* a record twice */
		memcpy(buf + off[r] + rl, img + off[r], body - off[r]);
		body += rl;
		drec = im->cnt[r];
		break;
	case 7:		/* a record dropped */
		memmove(buf + off[r], img + off[r] + rl, body - off[r] - rl);
		body -= rl;
		drec = -im->cnt[r];
		break;
	case 8:		/* a record swapped with the next */
		if (r + 2 >= nr)
			break;
		n = off[r + 2] - off[r + 1];
		memcpy(buf + off[r], img + off[r + 1], n);
		memcpy(buf + off[r] + n, img + off[r], rl);
		break;
	}
seal:
	memcpy(buf + body, img + tail, len - tail);
	n = body + len - tail;
	/* a wrong count is refused at the end: mostly, make it right */
	t = (struct ckpt_hdr_tail *)(buf + body);
	if (drec && rnd(4))
		t->nr_records = im->nr_records + drec;
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
 * refused: rstr exits 1).  nobody may not make a pid namespace: its rstr
 * goes without --pidns, its PREPARE still reading the mutant's TREE.
 */
static void try_mutant(int img, int as_nobody, int with_rstr,
		       struct outcome *o)
{
	static const char *pidns[] = { "--pidns", NULL };

	pid_t pid, left[TREE_MAX_TASKS];
	int status, devnull, nr, i;

	/* a child that flushed our buffered TAP would print it twice */
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, 0) != 0 ||
		    dup2(devnull, 1) != 1 || (as_nobody && become_nobody()))
			_exit(1);
		if (with_rstr)
			_exit(exec_rstr(img, as_nobody ? NULL : pidns) ? 2 : 0);
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
			       left[i], state, with_rstr ? "rstr" :
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

/* The VALUE of @name=VALUE on the kernel command line into @val, or "". */
static void boot_param(const char *name, char *val, size_t size)
{
	char cmdline[4096] = "", *p;
	size_t len = strlen(name);
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (fd >= 0)
		close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
	for (p = cmdline; (p = strstr(p, name)); p += len)
		if ((p == cmdline || p[-1] == ' ') && p[len] == '=')
			break;
	val[0] = '\0';
	if (p)
		snprintf(val, size, "%.*s", (int)strcspn(p + len + 1, "\n "),
			 p + len + 1);
}

/* Mutants per image: the argument, else ckpt_fuzz=N, else FUZZ_DEFAULT. */
static unsigned int mutants_wanted(int argc, char **argv)
{
	char val[32];

	if (argc > 1)
		return strtoul(argv[1], NULL, 10);
	boot_param("ckpt_fuzz", val, sizeof(val));
	return val[0] ? strtoul(val, NULL, 10) : FUZZ_DEFAULT;
}

/*
 * Is kind @k wanted: named by its target after MUTANTS on our command
 * line, or in ckpt_fuzz_kinds=A,B on the kernel's; all if neither.
 */
static int kind_wanted(unsigned int k, int argc, char **argv)
{
	char val[512], *tok, *save;
	int i;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], kinds[k].target))
			return 1;
	if (argc > 2)
		return 0;
	boot_param("ckpt_fuzz_kinds", val, sizeof(val));
	if (!val[0])
		return 1;
	for (tok = strtok_r(val, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, kinds[k].target))
			return 1;
	return 0;
}

/*
 * @mode's image, the target the init (pid 1) of a new pid namespace: a
 * child of ours unshares it and makes the image there.
 */
static int make_pidns_image(const char *mode, int fd)
{
	int status;
	pid_t pid;

	fflush(NULL);	/* make_image() flushes the child's copy */
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(unshare(CLONE_NEWPID) || make_image(mode, fd) ? 1 : 0);
	if (wait_timeout(pid, &status, 2 * TIMEOUT_MS)) {
		kill_reap(pid);
		return -ETIMEDOUT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	return lseek(fd, 0, SEEK_SET) ? -errno : 0;
}

/* Kind @k's image into @im: 0, or -1 (a test failure said). */
static int kind_image(unsigned int k, struct image *im)
{
	int fd, ret;

	use_target(kinds[k].target);
	fd = tmp_image();
	if (fd < 0)
		return -1;
	ret = kinds[k].pidns ? make_pidns_image(kinds[k].mode, fd) :
			       make_image(kinds[k].mode, fd);
	im->buf = NULL;
	if (!ret)
		im->len = read_file(fd, &im->buf);
	close(fd);
	if (ret || !im->buf || load_image(im)) {
		ksft_test_result_fail("fuzz %s %s: %s\n", kinds[k].target,
				      kinds[k].mode, ret ? "no image" :
				      "unreadable image");
		free(im->buf);
		return -1;
	}
	return 0;
}

/* One kind's image, @n mutants of it; the test's verdict. */
static void fuzz_kind(unsigned int k, unsigned int n)
{
	static struct image im;
	struct outcome o = { 0 };
	unsigned int i, nested = 0;
	unsigned char *buf;
	long slab0, slab1;
	size_t mlen;
	int mfd;

	if (kind_image(k, &im))
		return;
	buf = malloc(2 * im.len + 64);
	if (!buf) {
		ksft_test_result_fail("fuzz %s %s: no memory\n",
				      kinds[k].target, kinds[k].mode);
		free(im.buf);
		return;
	}
	slab0 = slab_kb();
	for (i = 0; i < n; i++) {
		mlen = mutate(&im, buf, &nested);
		mfd = image_file(buf, mlen);
		/* readable by nobody's rstr, which opens /proc/self/fd/N */
		if (mfd < 0 || fchmod(mfd, 0644))
			break;
		try_mutant(mfd, i % 2, (i / 2) % 2, &o);
		close(mfd);
	}
	slab1 = slab_kb();
	ksft_print_msg("%s %s%s: %u mutants (%u nested, of %d sites): %u refused, %u restored, %u hung, %u left tasks; Slab %ld -> %ld kB\n",
		       kinds[k].target, kinds[k].mode,
		       kinds[k].pidns ? " in a pid namespace" : "", i, nested,
		       im.nr_sites, o.refused, o.restored, o.hung, o.left,
		       slab0, slab1);
	ksft_test_result(i == n && !o.hung && !o.left, "fuzz %s %s\n",
			 kinds[k].target, kinds[k].mode);
	free(im.buf);
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
	/* pty_target and exact_target open /dev/ptmx */
	if (mount_devpts())
		ksft_exit_fail_msg("no devpts at /dev/pts: %s\n",
				   strerror(errno));
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		if (kind_wanted(k, argc, argv))
			fuzz_kind(k, n);
		else
			ksft_test_result_skip("fuzz %s %s\n", kinds[k].target,
					      kinds[k].mode);
	}
	/* what exact_target's tree and its restored mutants left */
	unlink(EXACT_LOCK_FILE);
	unlink(EXACT_FLOCK_FILE);
	ksft_finished();
}
