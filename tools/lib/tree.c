// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: HEADER and TREE, read and checked before anything is forked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* the tree, read and checked before anything is forked */

#define PID_MAX_LIMIT	(4L << 20)	/* the kernel's highest pid_max */

long ckpt_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long max = 0;

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 ? max : PID_MAX_LIMIT;
}

/* What the checks below need of the tree: the entry of a pid. */
struct tree_ctx {
	const struct ckpt_tree_task *tasks;
	__u32 nr;
	__u32 *by_pid;		/* entry indexes sorted by pid */
	__s32 *fork_pgid;	/* per process: its group when created */
	char *err;
	size_t errlen;
};

static const struct ckpt_tree_task *sort_tasks;

static int cmp_pid(const void *a, const void *b)
{
	__s32 x = sort_tasks[*(const __u32 *)a].pid;
	__s32 y = sort_tasks[*(const __u32 *)b].pid;

	return x < y ? -1 : x > y;
}

/* The indexes of @nr @tasks, sorted by pid (malloc'd), or NULL. */
static __u32 *tree_index(const struct ckpt_tree_task *tasks, __u32 nr)
{
	__u32 *by_pid = malloc((nr ? nr : 1) * sizeof(*by_pid));
	__u32 i;

	if (!by_pid)
		return NULL;
	for (i = 0; i < nr; i++)
		by_pid[i] = i;
	sort_tasks = tasks;
	qsort(by_pid, nr, sizeof(*by_pid), cmp_pid);
	return by_pid;
}

/* The entry whose pid is @pid, or -1. */
static long tree_lookup(const struct ckpt_tree_task *tasks,
			const __u32 *by_pid, __u32 nr, __s32 pid)
{
	size_t lo = 0, hi = nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tasks[by_pid[mid]].pid < pid)
			lo = mid + 1;
		else if (tasks[by_pid[mid]].pid > pid)
			hi = mid;
		else
			return by_pid[mid];
	}
	return -1;
}

static long tree_find(const struct tree_ctx *c, __s32 pid)
{
	return tree_lookup(c->tasks, c->by_pid, c->nr, pid);
}

long ckpt_tree_find(const struct ckpt_tree *t, __s32 pid)
{
	return tree_lookup(t->tasks, t->by_pid, t->tree->nr_tasks, pid);
}

static int __printf(3, 4)
tree_err(const struct tree_ctx *c, long i, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "TREE entry %ld (pid %d): ", i,
			 c->tasks[i].pid);
	va_list ap;

	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int is_process(const struct ckpt_tree_task *t)
{
	return t->pid == t->tgid;
}

/* Rule 8: a wait status, of an exit or of a signal. */
/* A zombie's name ends within its field; the others have none. */
static int comm_ok(const struct ckpt_tree_task *t)
{
	size_t i;

	if (t->flags & CKPT_TREE_ZOMBIE)
		return memchr(t->comm, '\0', sizeof(t->comm)) != NULL;
	for (i = 0; i < sizeof(t->comm); i++)
		if (t->comm[i])
			return 0;
	return 1;
}

static int exit_code_ok(__s32 code)
{
	int sig = code & 0x7f;

	if (!(code & ~0xff00))
		return 1;
	return !(code & ~0xff) && sig >= 1 && sig <= CKPT_NSIG;
}

/* Rule 4: @i is a thread of the process at @proc. */
static int check_thread(const struct tree_ctx *c, long i, long proc)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p;

	if (proc < 0 || t->tgid != c->tasks[proc].pid)
		return tree_err(c, i,
				"thread of tgid %d does not follow its process",
				t->tgid);
	p = &c->tasks[proc];
	if (t->ppid != p->ppid || t->pgid != p->pgid || t->sid != p->sid)
		return tree_err(c, i,
				"thread's ppid %d pgid %d sid %d differ from its process's %d %d %d",
				t->ppid, t->pgid, t->sid, p->ppid, p->pgid,
				p->sid);
	if (t->exit_signal || t->flags & (CKPT_TREE_ZOMBIE |
					  CKPT_TREE_SUBREAPER))
		return tree_err(c, i,
				"thread with exit signal %d or flags %#x",
				t->exit_signal, t->flags);
	return 0;
}

/* Rule 6: the session. */
static int check_sid(const struct tree_ctx *c, long i, __s32 parent_sid)
{
	const struct ckpt_tree_task *t = &c->tasks[i];
	long l = t->sid ? tree_find(c, t->sid) : -1;

	if (t->sid && (l < 0 || !is_process(&c->tasks[l]) ||
		       c->tasks[l].sid != t->sid))
		return tree_err(c, i,
				"session %d has no leader in the tree", t->sid);
	if (t->sid != t->pid && t->sid != parent_sid)
		return tree_err(c, i,
				"session %d is neither its own nor its parent's (%d)",
				t->sid, parent_sid);
	if (t->sid == t->pid && t->pgid != t->pid)
		return tree_err(c, i, "session leader in process group %d",
				t->pgid);
	return 0;
}

/*
 * Rule 7: the process group.  A process is created in its parent's
 * group as it was then (@parent_pgid: the group the parent was created
 * in or made), or makes its own; it may join another one during the
 * restart, which a zombie cannot.
 */
static int check_pgid(const struct tree_ctx *c, long i, __s32 parent_pgid)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *l;
	long li;

	c->fork_pgid[i] = t->pgid == t->pid ? t->pid : parent_pgid;
	if (t->pgid == c->fork_pgid[i])
		return 0;
	if (t->flags & CKPT_TREE_ZOMBIE)
		return tree_err(c, i,
				"zombie in process group %d, neither its own nor its parent's (%d)",
				t->pgid, parent_pgid);
	li = t->pgid ? tree_find(c, t->pgid) : -1;
	l = li < 0 ? NULL : &c->tasks[li];
	if (!l || !is_process(l) || l->flags & CKPT_TREE_ZOMBIE ||
	    l->pgid != l->pid || l->sid != t->sid)
		return tree_err(c, i,
				"process group %d has no live leader in the tree and session %d",
				t->pgid, t->sid);
	return 0;
}

/* Rules 3, 5, 6, 7 and 8 for a process; @i 0 is the root. */
static int check_process(const struct tree_ctx *c, long i, __u32 tree_flags)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p = NULL;
	long pi = -1;
	int ret;

	if (t->exit_signal < 0 || t->exit_signal > CKPT_NSIG)
		return tree_err(c, i, "bad exit signal %d", t->exit_signal);
	if (!i && (t->ppid || t->flags & (CKPT_TREE_ZOMBIE |
					   CKPT_TREE_SHARE_FILES |
					   CKPT_TREE_SHARE_FS)))
		return tree_err(c, i, "root with parent %d or flags %#x",
				t->ppid, t->flags);
	if (!i && tree_flags & CKPT_TREE_PIDNS && t->pid != 1)
		return tree_err(c, i, "root of a pid namespace is not pid 1");
	if (i) {
		pi = tree_find(c, t->ppid);
		if (pi < 0 || pi >= i)
			return tree_err(c, i, "parent %d %s", t->ppid,
					pi < 0 ? "is not in the tree" :
						 "comes after its child");
		p = &c->tasks[pi];
		if (!is_process(p) || p->flags & CKPT_TREE_ZOMBIE)
			return tree_err(c, i, "parent %d is a %s", t->ppid,
					is_process(p) ? "zombie" : "thread");
	}
	ret = check_sid(c, i, p ? p->sid : 0);
	if (!ret)
		ret = check_pgid(c, i, p ? c->fork_pgid[pi] : 0);
	if (!ret && t->flags & CKPT_TREE_ZOMBIE && !exit_code_ok(t->exit_code))
		ret = tree_err(c, i, "zombie with bad exit status %#x",
			       t->exit_code);
	if (!ret && !comm_ok(t))
		ret = tree_err(c, i, "bad name");
	return ret;
}

/* Rules 1 and 2: counts, flags, pids. */
static int check_entries(struct tree_ctx *c, __u32 tree_flags, long pid_max)
{
	__u32 i;

	if (tree_flags & ~CKPT_TREE_FLAGS_ALL) {
		snprintf(c->err, c->errlen, "unknown TREE flags %#x",
			 tree_flags);
		return -EINVAL;
	}
	for (i = 0; i < c->nr; i++) {
		if (c->tasks[i].flags & ~CKPT_TREE_TASK_FLAGS_ALL)
			return tree_err(c, i, "unknown flags %#x",
					c->tasks[i].flags);
		if (c->tasks[i].pid < 1 || c->tasks[i].pid >= pid_max ||
		    c->tasks[i].tgid < 1)
			return tree_err(c, i, "tgid %d: pid or tgid outside 1..%ld",
					c->tasks[i].tgid, pid_max - 1);
		/*
		 * a thread has its process's parent: the root's threads
		 * have none either
		 */
		if (i && !c->tasks[i].ppid && is_process(&c->tasks[i]))
			return tree_err(c, i, "a second root (parent 0)");
	}
	c->by_pid = tree_index(c->tasks, c->nr);
	if (!c->by_pid) {
		snprintf(c->err, c->errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 1; i < c->nr; i++) {
		if (c->tasks[c->by_pid[i]].pid == c->tasks[c->by_pid[i - 1]].pid)
			return tree_err(c, c->by_pid[i], "pid twice in the tree");
	}
	return 0;
}

int ckpt_check_tree(const struct ckpt_hdr_tree *h,
		    const struct ckpt_tree_task *tasks, long pid_max,
		    char *err, size_t errlen)
{
	struct tree_ctx c = {
		.tasks = tasks, .nr = h->nr_tasks, .err = err,
		.errlen = errlen,
	};
	long i, proc = -1;
	int ret;

	if (ckpt_tree_count_check(c.nr, pid_max, err, errlen))
		return -EINVAL;
	c.fork_pgid = malloc(c.nr * sizeof(*c.fork_pgid));
	if (!c.fork_pgid) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = check_entries(&c, h->flags, pid_max);
	if (!ret && !is_process(&tasks[0]))
		ret = tree_err(&c, 0, "root is a thread of %d", tasks[0].tgid);
	for (i = 0; !ret && i < (long)c.nr; i++) {
		if (!is_process(&tasks[i])) {
			ret = check_thread(&c, i, proc);
			continue;
		}
		proc = i;
		ret = check_process(&c, i, h->flags);
	}
	free(c.by_pid);
	free(c.fork_pgid);
	return ret;
}

/* Read the record of @type at @off in t->prefix; its length, or < 0. */
static ssize_t read_prefix_record(int fd, struct ckpt_tree *t, size_t off,
				  __u32 type, size_t min)
{
	struct ckpt_hdr h;
	ssize_t n = ckpt_read_full(fd, t->prefix + off, sizeof(h));

	if (n < 0)
		return -errno;
	if (n == 0 && !off) {
		snprintf(t->err, sizeof(t->err), "empty image");
		return -EINVAL;
	}
	if (n < (ssize_t)sizeof(h)) {
		snprintf(t->err, sizeof(t->err), "truncated image: no %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	memcpy(&h, t->prefix + off, sizeof(h));
	if (h.type != type) {
		snprintf(t->err, sizeof(t->err),
			 "unexpected %s record at offset %zu (want %s)",
			 ckpt_type_name(h.type), off, ckpt_type_name(type));
		return -EINVAL;
	}
	if (h.len < min || h.len % CKPT_ALIGN || h.len > CKPT_PREFIX_MAX - off) {
		snprintf(t->err, sizeof(t->err), "bad %s record length %u",
			 ckpt_type_name(type), h.len);
		return -EINVAL;
	}
	n = ckpt_read_full(fd, t->prefix + off + sizeof(h), h.len - sizeof(h));
	if (n < 0)
		return -errno;
	if (n < (ssize_t)(h.len - sizeof(h))) {
		snprintf(t->err, sizeof(t->err), "truncated %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	return h.len;
}

int ckpt_read_tree(int fd, struct ckpt_tree *t)
{
	const size_t hlen = sizeof(struct ckpt_hdr_header);
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->prefix = malloc(CKPT_PREFIX_MAX);
	if (!t->prefix) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -ENOMEM;
	}
	n = read_prefix_record(fd, t, 0, CKPT_HDR_HEADER, hlen);
	if (n >= 0 && n != (ssize_t)hlen) {
		snprintf(t->err, sizeof(t->err),
			 "bad HEADER record length %zd", n);
		n = -EINVAL;
	}
	if (n < 0)
		goto fail;
	t->header = (const struct ckpt_hdr_header *)t->prefix;
	if (ckpt_header_check(t->header, t->err, sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	n = read_prefix_record(fd, t, hlen, CKPT_HDR_TREE,
			       sizeof(struct ckpt_hdr_tree));
	if (n < 0)
		goto fail;
	t->len = hlen + n;
	t->tree = (const struct ckpt_hdr_tree *)(t->prefix + hlen);
	t->tasks = (const struct ckpt_tree_task *)(t->tree + 1);
	if (ckpt_tree_count_check(t->tree->nr_tasks, ckpt_pid_max(), t->err,
			     sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	if ((__u64)t->tree->nr_tasks * sizeof(*t->tasks) !=
	    n - sizeof(*t->tree)) {
		snprintf(t->err, sizeof(t->err),
			 "bad TREE record length %zd (want %zu)", n,
			 sizeof(*t->tree) +
			 t->tree->nr_tasks * sizeof(*t->tasks));
		n = -EINVAL;
		goto fail;
	}
	n = ckpt_check_tree(t->tree, t->tasks, ckpt_pid_max(), t->err,
			    sizeof(t->err));
	if (n)
		goto fail;
	t->by_pid = tree_index(t->tasks, t->tree->nr_tasks);
	if (t->by_pid)
		return 0;
	snprintf(t->err, sizeof(t->err), "out of memory");
	n = -ENOMEM;
fail:
	if (n < 0 && !t->err[0])
		snprintf(t->err, sizeof(t->err), "read error (%s)",
			 strerror(-n));
	return n;
}

void ckpt_tree_free(struct ckpt_tree *t)
{
	free(t->prefix);
	free(t->by_pid);
	memset(t, 0, sizeof(*t));
}
