// SPDX-License-Identifier: GPL-2.0
/*
 * Bad TREE records: take a real image of a small tree (thread_target
 * "family": a session leader with a thread, two children, a grandchild),
 * rewrite its TREE entries - a parent that does not exist, a pid twice, a
 * cycle, a thread without its process, a missing session leader, more
 * tasks than pid_max allows, a zombie root, unknown flags and more - and
 * check that every layer refuses it before any task exists:
 * CKPT_IOC_RESTART_PREPARE fails with EINVAL (image from the fd or
 * handed over as a prefix) and logs why, libckpt's reader says EINVAL,
 * and rstr exits 1 without creating a task (a seccomp filter kills it if
 * it tries).  The image as it was must pass all three.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "util.h"
#include "thread_target.h"

/*
 * The family's image, made by the first test that needs it and shared
 * by the rest: a temporary file opened before the tests fork.
 */
static int cache_fd = -1;

static void __attribute__((constructor)) open_cache(void)
{
	cache_fd = tmp_image();
}

/* The TREE being edited. */
struct tree {
	__u32 flags;
	__u32 nr;
	struct ckpt_tree_task *task;
	__u32 extra;		/* bytes added to the record past the entries */
	int idx[FAM_NR];	/* entry of each FAM_* task */
	pid_t unused;		/* a pid neither in the tree nor in use */
	long pid_max;
};

#define T(role)		(&t->task[t->idx[role]])

static void swap_entries(struct tree *t, int a, int b)
{
	struct ckpt_tree_task tmp = t->task[t->idx[a]];

	t->task[t->idx[a]] = t->task[t->idx[b]];
	t->task[t->idx[b]] = tmp;
}

static void edit_none(struct tree *t)
{
	(void)t;
}

static void edit_no_tasks(struct tree *t)
{
	t->nr = 0;
}

/*
 * One more than CKPT_TREE_MAX_TASKS, which is also more than the
 * default pid_max: the root, and children of it with pids 2, 3, ...
 */
static void edit_too_many(struct tree *t)
{
	struct ckpt_tree_task *root = T(FAM_ROOT), *c;
	pid_t pid = 2;
	__u32 i;

	t->nr = CKPT_TREE_MAX_TASKS + 1;
	for (i = 1; i < t->nr; i++, pid++) {
		if (pid == root->pid)
			pid++;
		c = &t->task[i];
		*c = t->task[t->idx[FAM_C1]];
		c->pid = c->tgid = pid;
		c->ppid = root->pid;
	}
}

static void edit_tree_flags(struct tree *t)
{
	t->flags |= ~CKPT_TREE_FLAGS_ALL & (CKPT_TREE_FLAGS_ALL + 1);
}

static void edit_task_flags(struct tree *t)
{
	T(FAM_C2)->flags |= CKPT_TREE_TASK_FLAGS_ALL + 1;
}

static void edit_len(struct tree *t)
{
	t->extra = CKPT_ALIGN;
}

static void edit_parent_missing(struct tree *t)
{
	T(FAM_G)->ppid = t->unused;
}

static void edit_pid_twice(struct tree *t)
{
	struct ckpt_tree_task *c2 = T(FAM_C2);

	/* C2 led its own group: it still does, under the new pid */
	c2->pid = c2->tgid = c2->pgid = T(FAM_C1)->pid;
}

static void edit_cycle(struct tree *t)
{
	T(FAM_C1)->ppid = T(FAM_G)->pid;
}

static void edit_parent_after_child(struct tree *t)
{
	swap_entries(t, FAM_C1, FAM_G);
}

static void edit_thread_without_process(struct tree *t)
{
	T(FAM_THREAD)->tgid = t->unused;
}

/* R, C1, R's thread, G, C2: the thread no longer follows R. */
static void edit_thread_astray(struct tree *t)
{
	swap_entries(t, FAM_THREAD, FAM_C1);
}

/* R leaves the session its descendants are still in. */
static void edit_session_leader_missing(struct tree *t)
{
	T(FAM_ROOT)->sid = 0;
	T(FAM_THREAD)->sid = 0;
}

static void edit_session_outside(struct tree *t)
{
	T(FAM_C1)->sid = t->unused;
	T(FAM_G)->sid = t->unused;
}

static void edit_zombie_root(struct tree *t)
{
	T(FAM_ROOT)->flags |= CKPT_TREE_ZOMBIE;
}

static void edit_zombie_thread(struct tree *t)
{
	T(FAM_THREAD)->flags |= CKPT_TREE_ZOMBIE;
}

/* C1 exited, yet G, its child, was not reparented. */
static void edit_zombie_parent(struct tree *t)
{
	T(FAM_C1)->flags |= CKPT_TREE_ZOMBIE;
}

static void edit_zombie_status(struct tree *t)
{
	T(FAM_C2)->flags |= CKPT_TREE_ZOMBIE;
	T(FAM_C2)->exit_code = 256 << 8;
}

static void edit_root_has_parent(struct tree *t)
{
	T(FAM_ROOT)->ppid = T(FAM_C2)->pid;
	T(FAM_THREAD)->ppid = T(FAM_C2)->pid;
}

static void edit_root_is_thread(struct tree *t)
{
	swap_entries(t, FAM_ROOT, FAM_THREAD);
}

static void edit_orphan(struct tree *t)
{
	T(FAM_C2)->ppid = 0;
}

static void edit_pid_negative(struct tree *t)
{
	T(FAM_G)->pid = T(FAM_G)->tgid = -T(FAM_G)->pid;
}

static void edit_pid_above_max(struct tree *t)
{
	T(FAM_G)->pid = T(FAM_G)->tgid = t->pid_max + 1;
}

/* Pids are below pid_max: clone3() refuses set_tid == pid_max. */
static void edit_pid_max(struct tree *t)
{
	T(FAM_G)->pid = T(FAM_G)->tgid = t->pid_max;
}

/* The root of a whole pid namespace is its pid 1. */
static void edit_pidns_root(struct tree *t)
{
	t->flags |= CKPT_TREE_PIDNS;
}

static void edit_thread_exit_signal(struct tree *t)
{
	T(FAM_THREAD)->exit_signal = SIGCHLD;
}

static void edit_exit_signal(struct tree *t)
{
	T(FAM_C2)->exit_signal = 65;
}

static void edit_root_shares(struct tree *t)
{
	T(FAM_ROOT)->flags |= CKPT_TREE_SHARE_FILES;
}

static void edit_thread_subreaper(struct tree *t)
{
	T(FAM_THREAD)->flags |= CKPT_TREE_SUBREAPER;
}

static void edit_thread_group(struct tree *t)
{
	T(FAM_THREAD)->pgid = T(FAM_C2)->pid;
}

/* G does not lead a group. */
static void edit_group_no_leader(struct tree *t)
{
	T(FAM_C1)->pgid = T(FAM_G)->pid;
}

/* A session leader in another process's group. */
static void edit_leader_group(struct tree *t)
{
	T(FAM_C2)->sid = T(FAM_C2)->pid;
	T(FAM_C2)->pgid = T(FAM_ROOT)->pid;
}

/* C2 its own parent: a parent comes before its child, never at it. */
static void edit_own_parent(struct tree *t)
{
	T(FAM_C2)->ppid = T(FAM_C2)->pid;
}

/* Only a zombie's entry has a name: a thread's too is all zeroes. */
static void edit_thread_name(struct tree *t)
{
	T(FAM_THREAD)->comm[0] = 'x';
}

FIXTURE(tree) {
	unsigned char *orig;	/* the image as the kernel wrote it */
	size_t orig_len;
	unsigned char *buf;	/* with the edited TREE */
	size_t len;
	size_t prefix_len;	/* HEADER and TREE in @buf */
	int fd;			/* @buf */
	pid_t pids[FAM_NR];	/* the tree's tasks */
	pid_t pid;		/* rstr */
};

FIXTURE_VARIANT(tree) {
	void (*edit)(struct tree *t);
	int valid;
};

FIXTURE_VARIANT_ADD(tree, valid) {
	.edit = edit_none, .valid = 1,
};

FIXTURE_VARIANT_ADD(tree, no_tasks) {
	.edit = edit_no_tasks,
};

FIXTURE_VARIANT_ADD(tree, too_many) {
	.edit = edit_too_many,
};

FIXTURE_VARIANT_ADD(tree, tree_flags) {
	.edit = edit_tree_flags,
};

FIXTURE_VARIANT_ADD(tree, task_flags) {
	.edit = edit_task_flags,
};

FIXTURE_VARIANT_ADD(tree, len) {
	.edit = edit_len,
};

FIXTURE_VARIANT_ADD(tree, parent_missing) {
	.edit = edit_parent_missing,
};

FIXTURE_VARIANT_ADD(tree, pid_twice) {
	.edit = edit_pid_twice,
};

FIXTURE_VARIANT_ADD(tree, cycle) {
	.edit = edit_cycle,
};

FIXTURE_VARIANT_ADD(tree, parent_after_child) {
	.edit = edit_parent_after_child,
};

FIXTURE_VARIANT_ADD(tree, thread_without_process) {
	.edit = edit_thread_without_process,
};

FIXTURE_VARIANT_ADD(tree, thread_astray) {
	.edit = edit_thread_astray,
};

FIXTURE_VARIANT_ADD(tree, session_leader_missing) {
	.edit = edit_session_leader_missing,
};

FIXTURE_VARIANT_ADD(tree, session_outside) {
	.edit = edit_session_outside,
};

FIXTURE_VARIANT_ADD(tree, zombie_root) {
	.edit = edit_zombie_root,
};

FIXTURE_VARIANT_ADD(tree, zombie_thread) {
	.edit = edit_zombie_thread,
};

FIXTURE_VARIANT_ADD(tree, zombie_parent) {
	.edit = edit_zombie_parent,
};

FIXTURE_VARIANT_ADD(tree, zombie_status) {
	.edit = edit_zombie_status,
};

FIXTURE_VARIANT_ADD(tree, root_has_parent) {
	.edit = edit_root_has_parent,
};

FIXTURE_VARIANT_ADD(tree, root_is_thread) {
	.edit = edit_root_is_thread,
};

FIXTURE_VARIANT_ADD(tree, orphan) {
	.edit = edit_orphan,
};

FIXTURE_VARIANT_ADD(tree, pid_negative) {
	.edit = edit_pid_negative,
};

FIXTURE_VARIANT_ADD(tree, pid_above_max) {
	.edit = edit_pid_above_max,
};

FIXTURE_VARIANT_ADD(tree, pid_max) {
	.edit = edit_pid_max,
};

FIXTURE_VARIANT_ADD(tree, pidns_root) {
	.edit = edit_pidns_root,
};

FIXTURE_VARIANT_ADD(tree, thread_exit_signal) {
	.edit = edit_thread_exit_signal,
};

FIXTURE_VARIANT_ADD(tree, exit_signal) {
	.edit = edit_exit_signal,
};

FIXTURE_VARIANT_ADD(tree, root_shares) {
	.edit = edit_root_shares,
};

FIXTURE_VARIANT_ADD(tree, thread_subreaper) {
	.edit = edit_thread_subreaper,
};

FIXTURE_VARIANT_ADD(tree, thread_group) {
	.edit = edit_thread_group,
};

FIXTURE_VARIANT_ADD(tree, group_no_leader) {
	.edit = edit_group_no_leader,
};

FIXTURE_VARIANT_ADD(tree, leader_group) {
	.edit = edit_leader_group,
};

FIXTURE_VARIANT_ADD(tree, own_parent) {
	.edit = edit_own_parent,
};

FIXTURE_VARIANT_ADD(tree, thread_name) {
	.edit = edit_thread_name,
};

/* The TREE record right after HEADER in @buf; NULL if there is none. */
static const struct ckpt_hdr_tree *find_tree(const unsigned char *buf,
					     size_t len)
{
	const struct ckpt_hdr_header *h = (const void *)buf;
	const struct ckpt_hdr_tree *tree;
	size_t size;

	if (len < sizeof(*h) || h->h.type != CKPT_HDR_HEADER ||
	    h->h.len > len - sizeof(*tree))
		return NULL;
	tree = (const void *)(buf + h->h.len);
	size = sizeof(*tree) + tree->nr_tasks * sizeof(struct ckpt_tree_task);
	if (tree->h.type != CKPT_HDR_TREE || tree->h.len != size ||
	    size > len - h->h.len)
		return NULL;
	return tree;
}

/* Which entry is which task of the family; -1 if it is not the family. */
static int find_roles(const struct ckpt_tree_task *e, __u32 nr,
		      int idx[FAM_NR])
{
	int i, child = -1;

	if (nr != FAM_NR)
		return -1;
	for (i = 0; i < FAM_NR; i++)
		idx[i] = -1;
	idx[FAM_ROOT] = 0;
	for (i = 1; i < FAM_NR; i++) {
		if (e[i].pid != e[i].tgid)
			idx[FAM_THREAD] = i;
		else if (e[i].ppid != e[0].pid)
			idx[FAM_G] = i;
		else if (child < 0)
			child = i;
		else
			idx[FAM_C2] = i;
	}
	if (idx[FAM_G] < 0 || idx[FAM_C2] < 0 || idx[FAM_THREAD] < 0)
		return -1;
	/* C1 is the child whose child G is */
	idx[FAM_C1] = child;
	if (e[idx[FAM_G]].ppid == e[idx[FAM_C2]].pid) {
		idx[FAM_C1] = idx[FAM_C2];
		idx[FAM_C2] = child;
	}
	if (e[idx[FAM_G]].ppid != e[idx[FAM_C1]].pid ||
	    e[idx[FAM_THREAD]].tgid != e[0].pid)
		return -1;
	/* the root leads its session, C2 its own group */
	return e[0].sid == e[0].pid && e[idx[FAM_C2]].pgid == e[idx[FAM_C2]].pid ?
	       0 : -1;
}

static void log_tree(struct __test_metadata *_metadata,
		     const struct ckpt_hdr_tree *h)
{
	const struct ckpt_tree_task *e = (const void *)(h + 1);
	__u32 i;

	TH_LOG("TREE: %u tasks, flags %#x", h->nr_tasks, h->flags);
	for (i = 0; i < h->nr_tasks && i < 16; i++)
		TH_LOG("  pid %d tgid %d ppid %d pgid %d sid %d exit_signal %d flags %#x",
		       e[i].pid, e[i].tgid, e[i].ppid, e[i].pgid, e[i].sid,
		       e[i].exit_signal, e[i].flags);
}

/* The family's image: checkpointed by the first test, kept for the rest. */
static int load_family(struct __test_metadata *_metadata,
		       struct _test_data_tree *self)
{
	struct stat st;
	int ret;

	if (cache_fd < 0 || fstat(cache_fd, &st)) {
		TH_LOG("no temporary file for the image");
		return -1;
	}
	if (!st.st_size) {
		ret = make_image("family", cache_fd);
		if (ret) {
			TH_LOG("cannot checkpoint thread_target family: %s",
			       strerror(-ret));
			if (ftruncate(cache_fd, 0))
				TH_LOG("and cannot throw the image away");
			return -1;
		}
	}
	if (lseek(cache_fd, 0, SEEK_SET)) {
		TH_LOG("cannot rewind the image");
		return -1;
	}
	self->orig_len = read_file(cache_fd, &self->orig);
	return self->orig_len ? 0 : -1;
}

/* A pid that is neither in the tree nor in use. */
static pid_t unused_pid(const pid_t *pids, long pid_max)
{
	pid_t pid;
	int i;

	for (pid = pid_max - 1; pid > 1; pid--) {
		for (i = 0; i < FAM_NR && pids[i] != pid; i++)
			;
		if (i == FAM_NR && !task_exists(pid))
			return pid;
	}
	return 0;
}

/*
 * @self->buf: the original image with the TREE @t instead, written by
 * libckpt's writer after the original HEADER.
 */
static int build(struct _test_data_tree *self, const struct tree *t)
{
	const struct ckpt_hdr_header *hh = (const void *)self->orig;
	const struct ckpt_hdr_tree *old = find_tree(self->orig, self->orig_len);
	size_t rest = hh->h.len + old->h.len;
	struct ckpt_hdr_tree *h;
	struct ckpt_writer w;

	self->len = hh->h.len + sizeof(*h) + t->nr * sizeof(*t->task) +
		    t->extra + self->orig_len - rest;
	self->buf = malloc(self->len);
	if (!self->buf)
		return -1;
	ckpt_writer_init(&w, self->buf, self->len);
	ckpt_writer_put(&w, self->orig, hh->h.len);
	h = ckpt_writer_begin(&w, CKPT_HDR_TREE, NULL);
	if (!h)
		return -1;
	h->nr_tasks = t->nr;
	h->flags = t->flags;
	ckpt_writer_put(&w, t->task, t->nr * sizeof(*t->task));
	ckpt_writer_put(&w, NULL, t->extra);
	ckpt_writer_end(&w);
	self->prefix_len = w.len;
	ckpt_writer_put(&w, self->orig + rest, self->orig_len - rest);
	if (w.error || w.len != self->len)
		return -1;
	return image_reseal(self->buf, self->len);
}

/* Edit the family's TREE as @edit says, into @self->buf and ->fd. */
static int edit_image(struct __test_metadata *_metadata,
		      struct _test_data_tree *self, void (*edit)(struct tree *t))
{
	const struct ckpt_hdr_tree *h = find_tree(self->orig, self->orig_len);
	struct tree t = { .pid_max = ckpt_pid_max() };
	int i, ret;

	if (!h) {
		TH_LOG("no TREE after HEADER in the %zu byte image",
		       self->orig_len);
		return -1;
	}
	if (find_roles((const void *)(h + 1), h->nr_tasks, t.idx)) {
		TH_LOG("not the tree of thread_target family:");
		log_tree(_metadata, h);
		return -1;
	}
	t.flags = h->flags;
	t.nr = h->nr_tasks;
	t.task = calloc(CKPT_TREE_MAX_TASKS + 1, sizeof(*t.task));
	if (!t.task)
		return -1;
	memcpy(t.task, h + 1, t.nr * sizeof(*t.task));
	for (i = 0; i < FAM_NR; i++)
		self->pids[i] = t.task[t.idx[i]].pid;
	t.unused = unused_pid(self->pids, t.pid_max);
	edit(&t);
	ret = build(self, &t);
	free(t.task);
	if (!ret)
		self->fd = image_file(self->buf, self->len);
	return self->fd < 0 ? -1 : 0;
}

FIXTURE_SETUP(tree)
{
	pid_t left;

	signal(SIGPIPE, SIG_IGN);
	self->orig = self->buf = NULL;
	self->fd = -1;
	self->pid = 0;
	memset(self->pids, 0, sizeof(self->pids));
	use_target("thread_target");
	/* the killed family's orphans come to us, to be reaped */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, load_family(_metadata, self));
	ASSERT_EQ(0, edit_image(_metadata, self, variant->edit));
	/* the family as checkpointed, or as a test before restored it */
	left = wait_gone(self->pids, FAM_NR, TIMEOUT_MS);
	ASSERT_EQ(0, left) {
		TH_LOG("task %d of the family is still there", left);
	}
}

FIXTURE_TEARDOWN(tree)
{
	int i;

	kill_reap(self->pid);
	/* what a wrongly accepted tree left running */
	for (i = 0; i < FAM_NR; i++) {
		if (self->pids[i] > 0 && task_exists(self->pids[i]))
			kill(self->pids[i], SIGKILL);
	}
	wait_gone(self->pids, FAM_NR, TIMEOUT_MS);
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
	free(self->orig);
}

/* No task of the family exists: none was made. */
#define EXPECT_NO_TASK()						\
	do {								\
		pid_t left = wait_gone(self->pids, FAM_NR, 0);		\
									\
		EXPECT_EQ(0, left) {					\
			TH_LOG("task %d of the image exists", left);	\
		}							\
	} while (0)

/* A device whose prepared restart nobody joins: abort it. */
static void abort_prepared(struct __test_metadata *_metadata, int dev)
{
	struct ckpt_restart_status st;

	EXPECT_EQ(0, restart_abort(dev, ECANCELED)) {
		TH_LOG("RESTART_ABORT: %s", strerror(errno));
	}
	EXPECT_EQ(-1, restart_wait(dev, &st));
	EXPECT_EQ(ECANCELED, errno) {
		TH_LOG("RESTART_WAIT after RESTART_ABORT(ECANCELED): %s",
		       strerror(errno));
	}
}

/*
 * CKPT_IOC_RESTART_PREPARE of the image, whose HEADER and TREE come
 * from the file or (@prefix) as the caller's prefix: EINVAL with a log
 * line; afterwards the device still prepares the image as it was.
 */
static void check_prepare(struct __test_metadata *_metadata,
			  struct _test_data_tree *self, int valid, int prefix)
{
	int dev, logfd, ret, err, fd;
	char log[1024];
	ssize_t n;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, dev) {
		TH_LOG("%s: %s", CKPT_DEVICE, strerror(errno));
	}
	logfd = tmp_image();
	ASSERT_LE(0, logfd);
	ASSERT_EQ(prefix ? self->prefix_len : 0,
		  lseek(self->fd, prefix ? self->prefix_len : 0, SEEK_SET));
	ret = restart_prepare(dev, self->fd, 0, logfd,
			      prefix ? self->buf : NULL,
			      prefix ? self->prefix_len : 0);
	err = errno;
	n = pread(logfd, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(logfd);
	if (valid) {
		EXPECT_EQ(0, ret) {
			TH_LOG("RESTART_PREPARE: %s; log: %s", strerror(err),
			       log);
		}
		if (!ret)
			abort_prepared(_metadata, dev);
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, err) {
			TH_LOG("RESTART_PREPARE: %s", strerror(err));
		}
		EXPECT_LT(0, n) {
			TH_LOG("nothing in the log");
		}
		TH_LOG("kernel: %s", strtok(log, "\n") ?: "");
		fd = image_file(self->orig, self->orig_len);
		ASSERT_LE(0, fd);
		ret = restart_prepare(dev, fd, 0, -1, NULL, 0);
		EXPECT_EQ(0, ret) {
			TH_LOG("the intact image after a bad one: %s",
			       strerror(errno));
		}
		if (!ret)
			abort_prepared(_metadata, dev);
		close(fd);
	}
	close(dev);
	EXPECT_NO_TASK();
}

TEST_F(tree, prepare)
{
	check_prepare(_metadata, self, variant->valid, 0);
}

TEST_F(tree, prepare_prefix)
{
	check_prepare(_metadata, self, variant->valid, 1);
}

/* libckpt reads and checks HEADER and TREE as the kernel does. */
TEST_F(tree, libckpt)
{
	struct ckpt_tree t;
	int ret;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ret = ckpt_read_tree(self->fd, &t);
	if (variant->valid) {
		EXPECT_EQ(0, ret) {
			TH_LOG("libckpt: %s", t.err);
		}
	} else {
		EXPECT_EQ(-EINVAL, ret);
		TH_LOG("libckpt: %s", t.err);
	}
	ckpt_tree_free(&t);
}

/* Kill the process that tries to create a task (or an x32 call). */
static int forbid_tasks(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 5, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fork, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vfork, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* rstr with stderr into stdout; if @arg, it may not create a task. */
static int run_rstr(int img_fd, void *arg)
{
	if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0 || (arg && forbid_tasks()))
		return -1;
	return exec_rstr(img_fd, NULL);
}

/*
 * rstr refuses the tree with a message and exit status 1, before it
 * creates any task; the intact tree it restores, and that runs to its
 * end (its stdin is /dev/null): rstr exits 0.
 */
TEST_F_TIMEOUT(tree, rstr, 120)
{
	int out, status;
	char msg[1024];
	ssize_t n;

	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
	out = tmp_image();
	ASSERT_LE(0, out);
	self->pid = fork_call(self->fd, -1, out, run_rstr,
			      variant->valid ? NULL : self);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, wait_timeout(self->pid, &status, 6 * TIMEOUT_MS)) {
		TH_LOG("rstr hangs");
	}
	self->pid = 0;
	n = pread(out, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(out);
	if (variant->valid) {
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("status %#x; rstr said: %s", status, msg);
		}
		EXPECT_EQ(0, wait_gone(self->pids, FAM_NR, TIMEOUT_MS));
		return;
	}
	EXPECT_FALSE(KILLED_BY(status, SIGSYS)) {
		TH_LOG("rstr tried to create a task");
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		TH_LOG("status %#x", status);
	}
	EXPECT_EQ(0, strncmp(msg, "rstr: ", 6));
	TH_LOG("%s", strtok(msg, "\n") ?: "rstr said nothing");
	EXPECT_NO_TASK();
}

TEST_HARNESS_MAIN
