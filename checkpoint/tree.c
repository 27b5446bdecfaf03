// SPDX-License-Identifier: GPL-2.0
/*
 * The tree: which tasks an image holds and how they relate.
 *
 * Checkpoint walks the target and its descendants, process by process,
 * each process's threads right after it, a parent always before its
 * children (breadth first).  Pids, process groups and sessions are taken
 * as the root's pid namespace sees them.  Restart creates the tasks from
 * this list before anything else is read (rstr, in user space: clone3()
 * with set_tid), so the list alone must say how: the rules a tree must
 * follow to be rebuilt that way are the image format's (format.c), and
 * checkpoint runs them on what it found too, refusing a tree it could
 * not bring back.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/sort.h>
#include <linux/bsearch.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>

#include "format.h"

/* pid -> TREE index, open addressing; sized for the tree */
struct ckpt_pidmap {
	u32 mask;
	u32 *slot;		/* index + 1, 0 for empty */
};

static int ckpt_pidmap_init(struct ckpt_pidmap *m, u32 nr)
{
	u32 size = roundup_pow_of_two(max(2 * nr, 16U));

	m->slot = kvcalloc(size, sizeof(*m->slot), GFP_KERNEL);
	if (!m->slot)
		return -ENOMEM;
	m->mask = size - 1;
	return 0;
}

static u32 *ckpt_pidmap_slot(const struct ckpt_pidmap *m,
			     const struct ckpt_tree_task *e, pid_t pid)
{
	u32 i = hash_32(pid, 31) & m->mask;

	while (m->slot[i] && e[m->slot[i] - 1].pid != pid)
		i = (i + 1) & m->mask;
	return &m->slot[i];
}

/* The TREE index of @pid, or -1. */
static int ckpt_pidmap_find(const struct ckpt_pidmap *m,
			    const struct ckpt_tree_task *e, pid_t pid)
{
	return (int)*ckpt_pidmap_slot(m, e, pid) - 1;
}

static bool ckpt_tree_is_process(const struct ckpt_tree_task *e)
{
	return e->pid == e->tgid;
}

/**
 * ckpt_tree_check - can the tree @t be rebuilt as the image says?
 * @err: the errno to fail with (EINVAL for an image, EOPNOTSUPP for a
 *	 tree being checkpointed)
 *
 * The rules are the image format's (format.c), which ckptinfo and rstr
 * check with the same code.
 */
int ckpt_tree_check(struct ckpt_ctx *ctx, u32 flags,
		    const struct ckpt_tree_task *t, u32 nr, int err)
{
	char why[160];
	u32 *scratch;
	int ret = 0;

	/* bounded by the count rule, which comes first: not allocated */
	if (ckpt_tree_count_rule(nr, kapi_pid_max(), why,
				 sizeof(why)))
		return ckpt_err(ctx, err, "%s", why);
	scratch = kvmalloc_array(ckpt_tree_scratch_len(nr), sizeof(*scratch),
				 GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;
	if (ckpt_tree_rules(flags, t, nr, kapi_pid_max(),
			    scratch, why, sizeof(why)))
		ret = ckpt_err(ctx, err, "%s", why);
	kvfree(scratch);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ckpt_tree_check, CHECKPOINT);

/* ---------------------------------------------------------------------- */
/* checkpoint: find the tree */

struct ckpt_walk {
	struct ckpt_tnode *n;
	u32 cap, nr;
	struct pid_namespace *ns;
	struct task_struct *root;
	struct task_struct *bad;	/* a task the tree cannot hold */
	const char *why;
};

static s32 ckpt_zombie_status(struct task_struct *p)
{
	struct signal_struct *sig = p->signal;

	return (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code :
						  p->exit_code;
}

/*
 * The wait status a restored zombie may end with: an exit code, or a
 * signal whose default action ends a process (a core dump only of one
 * that dumps core), as a task could end itself.
 */
int rstr_zombie_status_check(struct ckpt_ctx *ctx, s32 status)
{
	if (ckpt_zombie_status_ok(status))
		return 0;
	return ckpt_err(ctx, -EINVAL,
			"zombie %d: a process cannot end with wait status %#x",
			ctx->ts.task.pid, status);
}

/*
 * End the current task, a restored zombie (one thread, its process's
 * only), with wait status @status, as a group exit does: the status is
 * the group's exit code, which exit_group() then takes for the task's
 * (what wait() reports and /proc's exit_code shows, the core-dump bit
 * included).  @pf: PF_SIGNALED and PF_DUMPCORE as the image's zombie had
 * them.  Called on the way out to user mode, from task work: no
 * reference of the system call is held any more.
 */
void rstr_zombie_exit(s32 status, unsigned int pf)
{
	struct sighand_struct *sighand =
		rcu_dereference_protected(current->sighand, 1);
	struct signal_struct *sig = current->signal;

	/* siglock: the group exit state */
	spin_lock_irq(&sighand->siglock);
	/* unless killed meanwhile: a failed restart's SIGKILL */
	if (!(sig->flags & SIGNAL_GROUP_EXIT)) {
		sig->group_exit_code = status;
		sig->flags = SIGNAL_GROUP_EXIT;
	}
	spin_unlock_irq(&sighand->siglock);
	current->flags |= pf & (PF_SIGNALED | PF_DUMPCORE);
	kapi_exit_group(0);
	BUG();	/* exit_group() does not return */
}

static void ckpt_walk_entry(struct ckpt_walk *w, struct task_struct *t,
			    struct ckpt_tree_task *e)
{
	struct pid_namespace *ns = w->ns;

	e->pid = task_pid_nr_ns(t, ns);
	e->tgid = task_tgid_nr_ns(t, ns);
	e->ppid = same_thread_group(t, w->root) ? 0 :
		  task_tgid_nr_ns(rcu_dereference(t->real_parent), ns);
	e->pgid = task_pgrp_nr_ns(t, ns);
	e->sid = task_session_nr_ns(t, ns);
	if (!thread_group_leader(t))
		return;
	e->exit_signal = t->exit_signal;
	if (t->signal->is_child_subreaper)
		e->flags |= CKPT_TREE_SUBREAPER;
	if (t->exit_state == EXIT_ZOMBIE) {
		e->flags |= CKPT_TREE_ZOMBIE;
		e->exit_code = ckpt_zombie_status(t);
		/* what ps shows of it; rstr names its zombie so */
		strscpy_pad(e->comm, t->comm, sizeof(e->comm));
	}
}

/* Under tasklist_lock: @t, then its other threads.  -ENOSPC: grow. */
static int ckpt_walk_add(struct ckpt_walk *w, struct task_struct *p)
{
	struct task_struct *t;

	if (task_active_pid_ns(p) != w->ns && !w->bad) {
		w->bad = p;
		w->why = "is in a nested pid namespace";
	}
	if (p->exit_state && !thread_group_empty(p) && !w->bad) {
		w->bad = p;
		w->why = "has exited while its other threads run";
	}
	if (w->nr + get_nr_threads(p) > w->cap)
		return -ENOSPC;
	w->n[w->nr++].task = p;
	for_each_thread(p, t)
		if (t != p && !t->exit_state)
			w->n[w->nr++].task = t;
	return 0;
}

static int ckpt_walk_locked(struct ckpt_walk *w)
{
	struct task_struct *t, *c;
	u32 i;
	int ret;

	w->nr = 0;
	w->bad = NULL;
	ret = ckpt_walk_add(w, w->root);
	for (i = 0; i < w->nr && !ret; i++) {
		struct task_struct *p = w->n[i].task;

		if (!thread_group_leader(p))
			continue;
		for_each_thread(p, t) {
			list_for_each_entry(c, &t->children, sibling) {
				if (c->exit_state == EXIT_DEAD)
					continue;
				ret = ckpt_walk_add(w, c);
				if (ret)
					break;
			}
			if (ret)
				break;
		}
	}
	return ret;
}

/* Walk the tree under tasklist_lock, into an array that is big enough. */
static int ckpt_walk(struct ckpt_ctx *ctx, struct ckpt_walk *w)
{
	int ret;

	for (w->cap = 64;; w->cap *= 2) {
		if (w->cap > CKPT_TREE_MAX_TASKS)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"the tree of pid %d has more than %u tasks",
					task_pid_vnr(w->root),
					CKPT_TREE_MAX_TASKS);
		w->n = kvcalloc(w->cap, sizeof(*w->n), GFP_KERNEL);
		if (!w->n)
			return -ENOMEM;
		/* tasklist_lock: parents, children and thread lists hold still */
		kapi_tasklist_read_lock();
		ret = ckpt_walk_locked(w);
		kapi_tasklist_read_unlock();
		if (ret != -ENOSPC)
			return 0;
		kvfree(w->n);
	}
}

/* An outside pgid or sid is 0: restart inherits the coordinator's. */
static int ckpt_tree_ids(struct ckpt_tnode *n, u32 nr)
{
	struct ckpt_tree_task *e = kvcalloc(nr, sizeof(*e), GFP_KERNEL);
	struct ckpt_pidmap m;
	int ret, j;
	u32 i;

	if (!e)
		return -ENOMEM;
	ret = ckpt_pidmap_init(&m, nr);
	if (ret < 0)
		goto out;
	for (i = 0; i < nr; i++) {
		e[i] = n[i].e;
		*ckpt_pidmap_slot(&m, e, e[i].pid) = i + 1;
	}
	for (i = 0; i < nr; i++) {
		j = ckpt_pidmap_find(&m, e, n[i].e.pgid);
		if (j < 0 || !ckpt_tree_is_process(&e[j]))
			n[i].e.pgid = 0;
		j = ckpt_pidmap_find(&m, e, n[i].e.sid);
		if (j < 0 || !ckpt_tree_is_process(&e[j]))
			n[i].e.sid = 0;
	}
	kvfree(m.slot);
out:
	kvfree(e);
	return ret;
}

/**
 * ckpt_tree_collect - find @root's tree: ctx->tree, ctx->nr_tree
 *
 * Each task is referenced; nothing is frozen yet.
 */
int ckpt_tree_collect(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w = { .root = root };
	u32 i;
	int ret;

	w.ns = task_active_pid_ns(root);
	ret = ckpt_walk(ctx, &w);
	if (ret < 0)
		return ret;
	for (i = 0; i < w.nr; i++)
		get_task_struct(w.n[i].task);
	ctx->tree = w.n;
	ctx->nr_tree = w.nr;
	for (i = 0; i < w.nr; i++)	/* zombies are told apart by this */
		if (w.n[i].task->exit_state)
			w.n[i].e.flags = CKPT_TREE_ZOMBIE;
	if (w.bad)
		return ckpt_err(ctx, -EOPNOTSUPP, "pid %d %s: not supported yet",
				task_pid_vnr(w.bad), w.why);
	return 0;
}

/*
 * Once frozen: the TREE entries.  Only now do pids, groups and sessions
 * stay put (but for a parent outside moving the root to another group).
 */
int ckpt_tree_describe(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w = { .root = root, .n = ctx->tree };
	u32 i;

	w.ns = task_active_pid_ns(root);
	/* RCU: the parents, pids and groups each entry reads */
	rcu_read_lock();
	for (i = 0; i < ctx->nr_tree; i++) {
		memset(&w.n[i].e, 0, sizeof(w.n[i].e));
		ckpt_walk_entry(&w, w.n[i].task, &w.n[i].e);
	}
	rcu_read_unlock();
	ctx->tree_flags = task_pid_nr_ns(root, w.ns) == 1 ?
			  CKPT_TREE_PIDNS : 0;
	return ckpt_tree_ids(ctx->tree, ctx->nr_tree);
}

/* Once all are frozen: is the tree still the one collected? */
bool ckpt_tree_same(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w = { .root = root };
	bool same;
	u32 i;

	w.ns = task_active_pid_ns(root);
	if (ckpt_walk(ctx, &w) < 0)
		return false;
	same = w.nr == ctx->nr_tree;
	for (i = 0; same && i < w.nr; i++)
		same = w.n[i].task == ctx->tree[i].task &&
		       !w.n[i].task->exit_state ==
		       !(ctx->tree[i].e.flags & CKPT_TREE_ZOMBIE);
	kvfree(w.n);
	return same;
}

void ckpt_tree_free(struct ckpt_ctx *ctx)
{
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		if (ctx->tree[i].ctx)
			ckpt_ctx_put(ctx->tree[i].ctx);
		put_task_struct(ctx->tree[i].task);
	}
	kvfree(ctx->tree);
	ctx->tree = NULL;
	ctx->nr_tree = 0;
}

/* ---------------------------------------------------------------------- */
/* checkpoint: what the tasks share */

/* The node rstr creates @i from, to share with: its process or parent. */
static struct ckpt_tnode *ckpt_tree_creator(struct ckpt_ctx *ctx, u32 i)
{
	struct ckpt_tnode *n = ctx->tree;
	const struct ckpt_tree_task *e = &n[i].e;
	pid_t want = ckpt_tree_is_process(e) ? e->ppid : e->tgid;

	while (i--)
		if (n[i].e.pid == want)
			return &n[i];
	return NULL;
}

struct ckpt_share {
	enum ckpt_obj_type type;
	unsigned int first;
	u32 tree_flag;			/* 0: never shared across processes */
	const char *what;
};

static const struct ckpt_share ckpt_shares[] = {
	{ CKPT_OBJ_MM, CKPT_FIRST_MM, 0, "address space" },
	{ CKPT_OBJ_FILES, CKPT_FIRST_FILES, CKPT_TREE_SHARE_FILES, "fd table" },
	{ CKPT_OBJ_FS, CKPT_FIRST_FS, CKPT_TREE_SHARE_FS, "cwd and root" },
	{ CKPT_OBJ_SIGHAND, CKPT_FIRST_SIGHAND, 0, "signal handlers" },
	{ CKPT_OBJ_SIGNAL, CKPT_FIRST_SIGNAL, 0, "signal state" },
};

static void *ckpt_task_obj(struct task_struct *t, enum ckpt_obj_type type)
{
	void *obj = NULL;

	/* task_lock: ->mm, ->files and ->fs, which exit clears */
	task_lock(t);
	switch (type) {
	case CKPT_OBJ_MM:
		obj = t->mm;
		break;
	case CKPT_OBJ_FILES:
		obj = t->files;
		break;
	case CKPT_OBJ_FS:
		obj = t->fs;
		break;
	case CKPT_OBJ_SIGHAND:
		obj = rcu_dereference_protected(t->sighand, 1);
		break;
	case CKPT_OBJ_SIGNAL:
		obj = t->signal;
		break;
	default:
		break;
	}
	task_unlock(t);
	return obj;
}

static s32 *ckpt_task_objref(struct ckpt_hdr_task *th, enum ckpt_obj_type type)
{
	switch (type) {
	case CKPT_OBJ_MM:
		return &th->mm_objref;
	case CKPT_OBJ_FILES:
		return &th->files_objref;
	case CKPT_OBJ_FS:
		return &th->fs_objref;
	case CKPT_OBJ_SIGHAND:
		return &th->sighand_objref;
	default:
		return &th->signal_objref;
	}
}

/*
 * Give node @i's object of kind @s its objref.  A second user must be
 * the task rstr creates @i from (its process, or for a process its
 * parent, cloned with CLONE_FILES or CLONE_FS); threads of one process
 * share their mm, handlers and signal state and nothing else does.
 */
static int ckpt_share_one(struct ckpt_ctx *ctx, u32 i,
			  const struct ckpt_share *s)
{
	struct ckpt_tnode *n = &ctx->tree[i], *c;
	struct ckpt_ctx *tctx = n->ctx;
	void *obj = ckpt_task_obj(n->task, s->type);
	bool first, ok;
	int ref;

	if (!obj)
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting", n->e.pid);
	ref = ckpt_obj_lookup_add(ctx, obj, s->type, &first);
	if (ref < 0)
		return ref;
	*ckpt_task_objref(&tctx->ts.task, s->type) = ref;
	if (first) {
		tctx->first |= s->first;
		return 0;
	}
	c = ckpt_tree_creator(ctx, i);
	ok = c && ckpt_task_obj(c->task, s->type) == obj;
	if (ok && ckpt_tree_is_process(&n->e) && !s->tree_flag)
		ok = false;
	if (!ok)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d shares its %s with a task other than %s: not supported yet",
				n->e.pid, s->what,
				ckpt_tree_is_process(&n->e) ? "its parent" :
							      "its process");
	if (s->tree_flag)
		n->e.flags |= s->tree_flag;
	return 0;
}

static int ckpt_ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static bool ckpt_ptr_in(const unsigned long *v, u32 nr, const void *p)
{
	unsigned long key = (unsigned long)p;

	return p && bsearch(&key, v, nr, sizeof(*v), ckpt_ptr_cmp);
}

/*
 * Does a process outside the tree use the tree's mm, fd table or fs?
 * The tree's tasks and objects, sorted, against every process.
 */
static int ckpt_share_outside(struct ckpt_ctx *ctx)
{
	u32 nr = ctx->nr_tree, no = 0, i;
	struct task_struct *p;
	unsigned long *tasks;
	pid_t out = 0;

	tasks = kvcalloc(4 * nr, sizeof(*tasks), GFP_KERNEL);
	if (!tasks)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct task_struct *t = ctx->tree[i].task;

		tasks[i] = (unsigned long)t;
		if (!ctx->tree[i].ctx)
			continue;
		tasks[nr + no++] = (unsigned long)ckpt_task_obj(t, CKPT_OBJ_MM);
		tasks[nr + no++] = (unsigned long)ckpt_task_obj(t, CKPT_OBJ_FILES);
		tasks[nr + no++] = (unsigned long)ckpt_task_obj(t, CKPT_OBJ_FS);
	}
	sort(tasks, nr, sizeof(*tasks), ckpt_ptr_cmp, NULL);
	sort(tasks + nr, no, sizeof(*tasks), ckpt_ptr_cmp, NULL);
	/* RCU: the task list, walked only */
	rcu_read_lock();
	for_each_process(p) {
		if (ckpt_ptr_in(tasks, nr, p))
			continue;
		if (ckpt_ptr_in(tasks + nr, no, READ_ONCE(p->mm)) ||
		    ckpt_ptr_in(tasks + nr, no, READ_ONCE(p->files)) ||
		    ckpt_ptr_in(tasks + nr, no, READ_ONCE(p->fs))) {
			out = task_pid_vnr(p);
			break;
		}
	}
	rcu_read_unlock();
	kvfree(tasks);
	if (out)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d, outside the tree, shares an address space, fd table or cwd with it: not supported",
				out);
	return 0;
}

/**
 * ckpt_tree_share - objrefs of what the frozen tasks share
 *
 * Sets each live task's objrefs and CKPT_FIRST_* bits, the tree's
 * CKPT_TREE_SHARE_* flags, and refuses sharing rstr cannot rebuild.
 */
int ckpt_tree_share(struct ckpt_ctx *ctx)
{
	u32 i, k;
	int ret;

	for (i = 0; i < ctx->nr_tree; i++) {
		if (!ctx->tree[i].ctx)
			continue;	/* a zombie */
		for (k = 0; k < ARRAY_SIZE(ckpt_shares); k++) {
			ret = ckpt_share_one(ctx, i, &ckpt_shares[k]);
			if (ret < 0)
				return ret;
		}
	}
	return ckpt_share_outside(ctx);
}

int ckpt_write_tree(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_tree ht = {
		.nr_tasks = ctx->nr_tree,
		.flags = ctx->tree_flags,
	};
	size_t len = (size_t)ctx->nr_tree * sizeof(struct ckpt_tree_task);
	u32 i;
	int ret;

	ret = ckpt_write_obj(ctx, &ht.h, CKPT_HDR_TREE, sizeof(ht), len);
	if (ret)
		return ret;
	for (i = 0; i < ctx->nr_tree; i++) {
		ret = ckpt_write(ctx, &ctx->tree[i].e, sizeof(ctx->tree[i].e));
		if (ret)
			return ret;
	}
	return ckpt_write_pad(ctx, ALIGN(len, CKPT_ALIGN) - len);
}

/* ---------------------------------------------------------------------- */
/* restart */

/* The TREE record, right after the HEADER: read and checked. */
int rstr_read_tree(struct ckpt_ctx *ctx, struct ckpt_tree_task **tasks,
		   u32 *nr, u32 *flags)
{
	struct ckpt_hdr_tree ht;
	struct ckpt_tree_task *t;
	size_t len;
	int ret;

	ret = ckpt_read_hdr(ctx, &ht.h);
	if (ret < 0)
		return ret;
	if (ht.h.type != CKPT_HDR_TREE)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu: the TREE record must follow the HEADER",
				ckpt_hdr_name(ht.h.type), ctx->hdr_pos);
	ret = ckpt_read(ctx, (char *)&ht + sizeof(ht.h),
			sizeof(ht) - sizeof(ht.h));
	if (ret < 0)
		return ret;
	len = (size_t)ht.nr_tasks * sizeof(*t);
	if (!ht.nr_tasks || ht.nr_tasks > CKPT_TREE_MAX_TASKS ||
	    ht.h.len != sizeof(ht) + ALIGN(len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"TREE record: %u tasks in %u bytes",
				ht.nr_tasks, ht.h.len);
	t = kvmalloc(len, GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = ckpt_read(ctx, t, len);
	if (ret)
		goto out_free;
	ret = ckpt_read_pad(ctx, len);
	if (ret)
		goto out_free;
	ret = ckpt_tree_check(ctx, ht.flags, t, ht.nr_tasks, -EINVAL);
	if (ret)
		goto out_free;
	*tasks = t;
	*nr = ht.nr_tasks;
	*flags = ht.flags;
	return 0;

out_free:
	kvfree(t);
	return ret;
}
