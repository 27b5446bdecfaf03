// SPDX-License-Identifier: GPL-2.0
/*
 * Restart: each task of the tree becomes the one in the image.
 *
 * The coordinator prepares the restart (HEADER and TREE read and
 * checked) and creates the tasks; each joins it with its own ioctl and
 * restores itself, in stages the tasks synchronise among themselves:
 *
 *  1. join: the last task to join opens the next stage for all;
 *  2. read: the stream is sequential, so sections are read one task
 *     at a time, in TREE order; each task reads its own section (its
 *     address space built and filled on the way) and hands the stream
 *     straight to the next task - one wake-up, no coordinator between;
 *  3. apply: with its section read, a task applies it (files, identity,
 *     signals, registers) while the following tasks read theirs;
 *  4. done: the last task to finish releases all of them at once.
 *
 * Within a section everything small is read and checked before the
 * task's address space is torn down.  Any failure kills every task of
 * the restart: none returns into a half-built process.  A one-task
 * restart without a coordinator (the legacy call) fails before its point
 * of no return with nothing lost.
 */
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/fdtable.h>
#include <linux/task_work.h>
#include <linux/pid_namespace.h>
#include <linux/ktime.h>
#include <linux/ptrace.h>
#include <linux/syscalls.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>
#include <checkpoint/restart.h>

struct rstr_finish_work {
	struct callback_head work;
	u64 ax, orig_ax;
	int stop_signal, stop_code;	/* saved stopped: stop again */
	s32 status;			/* a zombie's wait status */
	unsigned int pf;		/* PF_FORKNOEXEC, PF_SUPERPRIV; a
					 * zombie's PF_SIGNALED, PF_DUMPCORE
					 */
};

static int rstr_check_caller(struct ckpt_ctx *ctx)
{
	struct task_struct *p;
	bool shared = false;

	if (get_nr_threads(current) > 1)
		return ckpt_err(ctx, -EINVAL,
				"the restarting process must be single-threaded");
	rcu_read_lock();
	for_each_process(p) {
		if (p != current && READ_ONCE(p->mm) == current->mm) {
			shared = true;
			break;
		}
	}
	rcu_read_unlock();
	if (shared)
		return ckpt_err(ctx, -EINVAL,
				"the restarting process shares its address space");
	if (atomic_read(&current->files->count) > 1)
		return ckpt_err(ctx, -EINVAL,
				"the restarting process shares its file table");
	return 0;
}

/* The task's history as the TASK record tells it. */
static unsigned int rstr_pf(const struct ckpt_hdr_task *th)
{
	unsigned int pf = 0;

	if (th->flags & CKPT_TASK_FORKNOEXEC)
		pf |= PF_FORKNOEXEC;
	if (th->flags & CKPT_TASK_SUPERPRIV)
		pf |= PF_SUPERPRIV;
	/* a zombie's only */
	if (th->flags & CKPT_TASK_SIGNALED)
		pf |= PF_SIGNALED;
	if (th->flags & CKPT_TASK_DUMPCORE)
		pf |= PF_DUMPCORE;
	return pf;
}

/*
 * Whether the task was forked without an exec since and whether it used
 * root's privileges are its history, not rstr's: set last, as every
 * capable() of the restart marked it.
 */
static void rstr_set_pf(unsigned int pf)
{
	current->flags = (current->flags & ~(PF_FORKNOEXEC | PF_SUPERPRIV)) |
			 (pf & (PF_FORKNOEXEC | PF_SUPERPRIV));
}

/* After the ioctl returned, on the way to the restored user code. */
static void rstr_finish_fn(struct callback_head *head)
{
	struct rstr_finish_work *w =
		container_of(head, struct rstr_finish_work, work);

	rstr_cpu_finish(w->ax, w->orig_ax);
	rstr_set_pf(w->pf);
	if (w->stop_signal)
		rstr_stop(w->stop_signal, w->stop_code);
	kfree(w);
}

static int rstr_queue_finish(struct ckpt_ctx *ctx,
			     struct rstr_finish_work *w)
{
	w->ax = ctx->ts.cpu.rax;
	w->orig_ax = ctx->ts.cpu.orig_rax;
	w->stop_signal = 0;
	w->stop_code = 0;
	w->pf = rstr_pf(&ctx->ts.task);
	if (ctx->ts.task.flags & CKPT_TASK_STOPPED) {
		w->stop_signal = ctx->ts.task.stop_signal;
		w->stop_code = ctx->ts.task.stop_code;
	}
	init_task_work(&w->work, rstr_finish_fn);
	return task_work_add(current, &w->work, TWA_RESUME);
}

/* ---------------------------------------------------------------------- */
/* the operation */

struct rstr_slot {
	struct task_struct *task;	/* once joined: referenced */
	struct ckpt_ctx *zombie;	/* a zombie's section, read by PREPARE */
	struct completion turn;		/* its section is next in the stream */
};

struct ckpt_rstr_op {
	struct kref ref;
	struct ckpt_ctx *ctx;		/* stream, objhash, log */
	struct ckpt_tree_task *tasks;	/* the TREE */
	u32 nr_tasks;
	u32 tree_flags;
	u32 nr_live;			/* tasks with a section */
	bool legacy;			/* one task, into the caller, any pid */
	struct rstr_slot *slots;	/* one per TREE entry */
	ktime_t start;

	/*
	 * @lock protects @ns, @nr_joined, @nr_done, @usecs, @err, @err_pid
	 * and each slot's @task (set by the task joining, read by
	 * rstr_fail() to kill it).  A task that only looks whether the
	 * restart failed reads @err without it (READ_ONCE()).  @next and
	 * the stream belong to the task whose turn it is (rstr_slot.turn).
	 */
	spinlock_t lock;
	struct pid_namespace *ns;	/* the tree's: its first task's */
	u32 nr_joined;
	u32 nr_done;
	atomic_t nr_left;		/* tasks not yet out of the last stage */
	int err;			/* the first failure */
	pid_t err_pid;
	struct ckpt_hdr next;		/* the header that ends a section */
	atomic_t switches;
	u64 usecs;
	struct completion all_joined;
	struct completion all_done;	/* every task restored, or failure */
	struct completion all_left;
};

static void rstr_op_release(struct kref *ref)
{
	struct ckpt_rstr_op *op = container_of(ref, struct ckpt_rstr_op, ref);
	u32 i;

	for (i = 0; op->slots && i < op->nr_tasks; i++) {
		if (op->slots[i].task)
			put_task_struct(op->slots[i].task);
		if (op->slots[i].zombie)
			ckpt_ctx_put(op->slots[i].zombie);
	}
	kvfree(op->slots);
	kvfree(op->tasks);
	ckpt_ctx_put(op->ctx);
	kfree(op);
}

void rstr_op_get(struct ckpt_rstr_op *op)
{
	kref_get(&op->ref);
}

void rstr_op_put(struct ckpt_rstr_op *op)
{
	kref_put(&op->ref, rstr_op_release);
}

/*
 * The restart failed: say where, once, and kill every task that joined
 * it.  Tasks yet to join find the error and die too.
 */
static void rstr_fail(struct ckpt_rstr_op *op, pid_t pid, int err)
{
	bool first = false;
	u32 i;

	spin_lock(&op->lock);
	if (!op->err) {
		op->err = err;
		op->err_pid = pid;
		first = true;
	}
	spin_unlock(&op->lock);
	if (!first)
		return;
	if (!op->legacy) {
		ckpt_log(op->ctx, "pid %d failed to restore (errno %d): every task of the restart is killed",
			 pid, -err);
		for (i = 0; i < op->nr_tasks; i++) {
			struct task_struct *t;

			spin_lock(&op->lock);
			t = op->slots[i].task;
			if (t)
				get_task_struct(t);
			spin_unlock(&op->lock);
			if (t) {
				send_sig(SIGKILL, t, 1);
				put_task_struct(t);
			}
		}
	}
	complete_all(&op->all_done);
}

static u32 rstr_next_live(struct ckpt_rstr_op *op, u32 i)
{
	while (++i < op->nr_tasks)
		if (!(op->tasks[i].flags & CKPT_TREE_ZOMBIE))
			break;
	return i;
}

static struct ckpt_rstr_op *rstr_op_alloc(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_op *op = kzalloc(sizeof(*op), GFP_KERNEL);

	if (!op)
		return NULL;
	kref_init(&op->ref);
	spin_lock_init(&op->lock);
	init_completion(&op->all_joined);
	init_completion(&op->all_done);
	init_completion(&op->all_left);
	ckpt_ctx_get(ctx);
	op->ctx = ctx;
	op->start = ktime_get();
	return op;
}

/*
 * One record of a zombie's section, of the type @type, read into @ctx.
 * The section holds only what /proc still shows of a zombie.
 */
static int rstr_zombie_record(struct ckpt_ctx *ctx, struct ckpt_hdr *h,
			      u32 type, int (*read)(struct ckpt_ctx *ctx,
						    struct ckpt_hdr *h))
{
	int ret = ckpt_read_hdr(ctx, h);

	if (ret < 0)
		return ret;
	if (h->type != type)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu in the section of zombie %d, where its %s belongs",
				ckpt_hdr_name(h->type), ctx->hdr_pos,
				ctx->op->tasks[ctx->index].pid,
				ckpt_hdr_name(type));
	return read(ctx, h);
}

/* The records of zombie @e's section, from the stream @ctx holds. */
static int rstr_zombie_records(struct ckpt_ctx *ctx,
			       const struct ckpt_tree_task *e)
{
	struct ckpt_hdr h;
	int ret;

	ret = rstr_zombie_record(ctx, &h, CKPT_HDR_TASK, rstr_task_read);
	if (ret)
		return ret;
	ret = rstr_zombie_task_check(ctx);
	if (ret)
		return ret;
	ret = rstr_zombie_status_check(ctx, e->exit_code);
	if (ret)
		return ret;
	if (ctx->ts.task.pid != e->pid || ctx->ts.task.tgid != e->tgid)
		return ckpt_err(ctx, -EINVAL,
				"TASK record at offset %llu is pid %d of %d, the TREE says zombie %d comes next",
				ctx->hdr_pos, ctx->ts.task.pid,
				ctx->ts.task.tgid, e->pid);
	ret = rstr_zombie_record(ctx, &h, CKPT_HDR_CRED, rstr_cred_read);
	if (ret)
		return ret;
	return rstr_zombie_record(ctx, &h, CKPT_HDR_RLIMITS, rstr_rlimits_read);
}

/*
 * The section of zombie @i: TASK, CRED and RLIMITS, read and checked
 * against the caller (the coordinator, whose rights its tasks have)
 * like a live task's, kept for the zombie to apply before it exits.
 * Its credentials are prepared from the coordinator's, as its child's
 * are copied from them at fork (keyrings included: the zombie runs
 * nothing with them).
 */
static int rstr_zombie_read(struct ckpt_rstr_op *op, u32 i)
{
	struct ckpt_ctx *ctx = ckpt_ctx_alloc_task(op->ctx, NULL);
	int ret;

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	op->slots[i].zombie = ctx;
	ctx->op = op;
	ctx->index = i;
	ckpt_stream_move(ctx, op->ctx);
	ret = rstr_zombie_records(ctx, &op->tasks[i]);
	ckpt_stream_move(op->ctx, ctx);
	return ret;
}

/*
 * The zombies' sections follow the TREE, in its order: their tasks exit
 * before their parents join, long before the live sections are read.
 * Nothing past them is read here: the root reads the header of its own
 * section, so that a one-task image that PREPARE read is still whole
 * for the legacy restart rstr falls back to when its pid is taken.
 */
static int rstr_zombies_read(struct ckpt_rstr_op *op)
{
	u32 i;
	int ret;

	for (i = 0; i < op->nr_tasks; i++) {
		if (!(op->tasks[i].flags & CKPT_TREE_ZOMBIE))
			continue;
		ret = rstr_zombie_read(op, i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * HEADER, TREE and the zombies' sections, read and checked: the restart
 * waits for its tasks.
 */
static int rstr_op_read(struct ckpt_rstr_op *op)
{
	u32 i;
	int ret;

	ret = ckpt_read_header(op->ctx);
	if (ret < 0)
		return ret;
	ret = rstr_read_tree(op->ctx, &op->tasks, &op->nr_tasks,
			     &op->tree_flags);
	if (ret < 0)
		return ret;
	op->slots = kvcalloc(op->nr_tasks, sizeof(*op->slots), GFP_KERNEL);
	if (!op->slots)
		return -ENOMEM;
	for (i = 0; i < op->nr_tasks; i++) {
		init_completion(&op->slots[i].turn);
		if (!(op->tasks[i].flags & CKPT_TREE_ZOMBIE))
			op->nr_live++;
	}
	ret = rstr_zombies_read(op);
	if (ret < 0)
		return ret;
	atomic_set(&op->nr_left, op->nr_live);
	complete(&op->slots[0].turn);	/* the root is live */
	return 0;
}

/**
 * rstr_prepare - the coordinator's step: read and check HEADER and TREE
 *
 * On success *@opp holds the restart, for the tasks to join.
 */
int rstr_prepare(struct ckpt_ctx *ctx, struct ckpt_rstr_op **opp)
{
	struct ckpt_rstr_op *op = rstr_op_alloc(ctx);
	int ret;

	if (!op)
		return -ENOMEM;
	ret = rstr_op_read(op);
	if (ret < 0) {
		rstr_op_put(op);
		return ret;
	}
	*opp = op;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* joining: which TREE entry the caller is */

static int rstr_find_slot(struct ckpt_rstr_op *op, struct pid_namespace *ns)
{
	pid_t pid = task_pid_nr_ns(current, ns);
	u32 i;

	for (i = 0; i < op->nr_tasks; i++)
		if (op->tasks[i].pid == pid)
			return i;
	return -1;
}

/* Pid, process and parent: what rstr made of the TREE entry. */
static int rstr_check_entry(struct ckpt_rstr_op *op, u32 i,
			    struct pid_namespace *ns)
{
	const struct ckpt_tree_task *e = &op->tasks[i];
	pid_t ppid, sid;

	rcu_read_lock();
	ppid = task_tgid_nr_ns(rcu_dereference(current->real_parent), ns);
	rcu_read_unlock();
	sid = task_session_nr_ns(current, ns);
	if (task_tgid_nr_ns(current, ns) != e->tgid ||
	    (e->ppid && ppid != e->ppid) || (e->sid && sid != e->sid))
		return ckpt_err(op->ctx, -EINVAL,
				"pid %d was created with process %d, parent %d, session %d; the image says %d, %d, %d",
				e->pid, task_tgid_nr_ns(current, ns), ppid, sid,
				e->tgid, e->ppid, e->sid);
	if (e->pid == e->tgid &&
	    (current->exit_signal != e->exit_signal ||
	     !current->signal->is_child_subreaper !=
	     !(e->flags & CKPT_TREE_SUBREAPER)))
		return ckpt_err(op->ctx, -EINVAL,
				"pid %d was created with exit signal %d and subreaper %d; the image says %d and %d",
				e->pid, current->exit_signal,
				current->signal->is_child_subreaper,
				e->exit_signal,
				!!(e->flags & CKPT_TREE_SUBREAPER));
	return 0;
}

/* Register the caller as its TREE entry: its index, or an error. */
static int rstr_claim(struct ckpt_rstr_op *op)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	int i, ret;

	if (op->legacy)
		i = 0;
	else
		i = rstr_find_slot(op, ns);
	if (i < 0)
		return ckpt_err(op->ctx, -EINVAL,
				"pid %d is not a task of the image",
				task_pid_vnr(current));
	if (!op->legacy) {
		ret = rstr_check_entry(op, i, ns);
		if (ret < 0)
			return ret;
	}
	spin_lock(&op->lock);
	ret = op->err;
	if (!ret && (op->slots[i].task || (op->ns && op->ns != ns)))
		ret = -EINVAL;
	if (!ret) {
		op->ns = ns;
		op->slots[i].task = get_task_struct(current);
		/* a zombie exits before its parent joins: no stage waits */
		if (!(op->tasks[i].flags & CKPT_TREE_ZOMBIE) &&
		    ++op->nr_joined == op->nr_live)
			complete_all(&op->all_joined);
	}
	spin_unlock(&op->lock);
	if (ret == -EINVAL)
		return ckpt_err(op->ctx, ret,
				"pid %d joined the restart twice or from another pid namespace",
				op->tasks[i].pid);
	return ret < 0 ? ret : i;
}

/*
 * How many tasks of this restart use @fs.  Every one of them is blocked in
 * the restart, so a fs->users above this count means the fs_struct is
 * shared with a process outside it, which a restore must not change.
 */
int rstr_fs_sharers(struct ckpt_ctx *ctx, struct fs_struct *fs)
{
	struct ckpt_rstr_op *op = ctx->op;
	int n = 0;
	u32 i;

	for (i = 0; i < op->nr_tasks; i++) {
		struct task_struct *t = op->slots[i].task;

		if (!t)
			continue;
		task_lock(t);
		n += t->fs == fs;
		task_unlock(t);
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* reading a section (its records: section.c) */

/* The TASK record opening the section: is it the task expected? */
static int rstr_section_task(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_op *op = ctx->op;
	const struct ckpt_tree_task *e = &op->tasks[ctx->index];
	int ret;

	if (h->type != CKPT_HDR_TASK)
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu: the section of pid %d must open with TASK",
				ckpt_hdr_name(h->type), ctx->hdr_pos, e->pid);
	ret = rstr_task_read(ctx, h);
	if (ret < 0)
		return ret;
	if (ctx->ts.task.flags & CKPT_TASK_ZOMBIE_ONLY)
		return ckpt_err(ctx, -EINVAL,
				"TASK record at offset %llu: flags %#x of a zombie in the section of live pid %d",
				ctx->hdr_pos, ctx->ts.task.flags, e->pid);
	if (!op->legacy &&
	    (ctx->ts.task.pid != e->pid || ctx->ts.task.tgid != e->tgid))
		return ckpt_err(ctx, -EINVAL,
				"TASK record at offset %llu is pid %d of %d, the TREE says pid %d of %d comes next",
				ctx->hdr_pos, ctx->ts.task.pid,
				ctx->ts.task.tgid, e->pid, e->tgid);
	return rstr_share(ctx);
}

/*
 * Everything before the contents: read, checked, nothing applied.  On
 * return @h holds the header after the layout: PAGES, the next TASK or
 * the TAIL.
 */
static int rstr_read_layout(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	int ret;

	ret = rstr_section_task(ctx, h);
	for (;;) {
		if (ret < 0)
			return ret;
		ret = ckpt_read_hdr(ctx, h);
		if (ret < 0)
			return ret;
		if (h->type == CKPT_HDR_PAGES || h->type == CKPT_HDR_TAIL ||
		    h->type == CKPT_HDR_TASK)
			break;
		ret = rstr_read_record(ctx, h);
	}
	ret = rstr_records_required(ctx);
	if (ret < 0)
		return ret;
	/* what needs the credentials the task restores: known now */
	return rstr_fs_perm(ctx);
}

/* The contents: PAGES records, from the one in @h to the section's end. */
static int rstr_contents(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	int ret;

	while (h->type == CKPT_HDR_PAGES) {
		if (!(ctx->first & CKPT_FIRST_MM))
			return ckpt_err(ctx, -EINVAL,
					"PAGES record at offset %llu in the section of pid %d, which builds no address space",
					ctx->hdr_pos, ctx->ts.task.pid);
		ret = rstr_pages(ctx, h);
		if (ret < 0)
			return ret;
		ret = ckpt_read_hdr(ctx, h);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The section ended at @h: the next one's TASK, or the TAIL if last. */
static int rstr_section_end(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_op *op = ctx->op;
	bool last = rstr_next_live(op, ctx->index) >= op->nr_tasks;

	if (h->type == CKPT_HDR_TAIL && last)
		return ckpt_read_tail(ctx, h);
	if (h->type == CKPT_HDR_TASK && !last)
		return 0;
	return ckpt_err(ctx, -EINVAL, "%s record at offset %llu after the section of pid %d, %s",
			ckpt_hdr_name(h->type), ctx->hdr_pos, ctx->ts.task.pid,
			last ? "the last task" : "more tasks to come");
}

/* ---------------------------------------------------------------------- */
/* applying a section */

/* Join a process group another task of the tree leads. */
static int rstr_pgid(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_op *op = ctx->op;
	const struct ckpt_tree_task *e = &op->tasks[ctx->index];
	long ret;

	if (op->legacy || !e->pgid || e->pid != e->tgid ||
	    task_pgrp_nr_ns(current, op->ns) == e->pgid)
		return 0;
	ret = kapi_setpgid(0, e->pgid);
	if (!ret && task_pgrp_nr_ns(current, op->ns) != e->pgid)
		ret = -ESRCH;
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "pid %d cannot join process group %d",
				e->pid, e->pgid);
	return 0;
}

/*
 * Its zombie children must be there, made by rstr before it joined, each
 * through the restart (which gave it its identity), none by exiting on
 * its own.
 */
static int rstr_zombies(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_op *op = ctx->op;
	const struct ckpt_tree_task *e = &op->tasks[ctx->index];
	struct task_struct *c;
	bool ok;
	u32 i;

	if (op->legacy || e->pid != e->tgid)
		return 0;
	for (i = 0; i < op->nr_tasks; i++) {
		const struct ckpt_tree_task *z = &op->tasks[i];

		if (!(z->flags & CKPT_TREE_ZOMBIE) || z->ppid != e->pid)
			continue;
		rcu_read_lock();
		c = pid_task(find_pid_ns(z->pid, op->ns), PIDTYPE_PID);
		ok = c && c->exit_state == EXIT_ZOMBIE &&
		     same_thread_group(rcu_dereference(c->real_parent),
				       current);
		spin_lock(&op->lock);
		ok = ok && op->slots[i].task == c;
		spin_unlock(&op->lock);
		rcu_read_unlock();
		if (!ok)
			return ckpt_err(ctx, -EINVAL,
					"pid %d: its zombie child %d is not there, or did not exit through the restart",
					e->pid, z->pid);
	}
	return 0;
}

static int rstr_apply(struct ckpt_ctx *ctx)
{
	unsigned int first = ctx->first;
	int ret;

	ret = rstr_zombies(ctx);
	if (ret)
		goto out;
	ret = rstr_pgid(ctx);
	if (ret)
		goto out;
	if (first & CKPT_FIRST_FILES) {
		ret = rstr_files(ctx);
		if (ret)
			goto out;
		ret = rstr_locks(ctx);
		if (ret)
			goto out;
	}
	if (first & CKPT_FIRST_FS) {
		ret = rstr_fs(ctx);
		if (ret)
			goto out;
	}
	if (first & CKPT_FIRST_SIGNAL) {
		ret = rstr_rlimits(ctx);
		if (ret)
			goto out;
	}
	ret = rstr_cred(ctx);	/* before rstr_task(): see there */
	if (ret)
		goto out;
	/* with the credentials it restores: its own rights to move */
	if (first & CKPT_FIRST_SIGNAL) {
		ret = rstr_cgroup(ctx);
		if (ret)
			goto out;
	}
	ret = rstr_task(ctx);
	if (ret)
		goto out;
	ret = rstr_signal(ctx);
	if (ret)
		goto out;
	ret = rstr_cpu(ctx);
	if (ret)
		goto out;
	ret = ckpt_deferqueue_run(ctx);
out:
	return ret < 0 ? ret : 0;
}

/* ---------------------------------------------------------------------- */
/* one task's restart */

/* The section, from @h on, with the stream: see rstr_section(). */
static int rstr_section_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h,
			     bool *gone)
{
	int ret;

	if (!ctx->index) {
		ret = ckpt_read_hdr(ctx, h);
		if (ret)
			return ret;
	}
	if (ctx->op->legacy) {
		ret = rstr_check_caller(ctx);
		if (ret)
			return ret;
	}
	ret = rstr_read_layout(ctx, h);
	if (ret)
		return ret;
	if (ctx->first & CKPT_FIRST_MM) {
		*gone = true;
		ret = rstr_mm(ctx);
		if (ret)
			return ret;
	}
	ret = rstr_contents(ctx, h);
	if (ret)
		return ret;
	return rstr_section_end(ctx, h);
}

/*
 * Its turn in the stream: read its section, build and fill its address
 * space if it is the first of its mm, and hand the stream on.  Before
 * its address space is torn down, a legacy caller may still fail
 * cleanly: *@gone tells whether that point was passed.
 */
static int rstr_section(struct ckpt_ctx *ctx, bool *gone)
{
	struct ckpt_rstr_op *op = ctx->op;
	struct ckpt_hdr h;
	u32 next;
	int ret;

	ret = wait_for_completion_killable(&op->slots[ctx->index].turn);
	if (ret < 0)
		return ret;
	ckpt_stream_move(ctx, op->ctx);
	h = op->next;
	ret = rstr_section_read(ctx, &h, gone);
	op->next = h;
	ckpt_stream_move(op->ctx, ctx);
	if (ret < 0)
		return ret;
	next = rstr_next_live(op, ctx->index);
	if (next < op->nr_tasks)
		complete(&op->slots[next].turn);
	return 0;
}

/* The last stage: every task restored, each counts its switches. */
static int rstr_done(struct ckpt_ctx *ctx, unsigned long nsw)
{
	struct ckpt_rstr_op *op = ctx->op;
	bool last;
	int ret;

	spin_lock(&op->lock);
	last = ++op->nr_done == op->nr_live;
	if (last)
		op->usecs = ktime_us_delta(ktime_get(), op->start);
	spin_unlock(&op->lock);
	if (last)
		complete_all(&op->all_done);
	ret = wait_for_completion_killable(&op->all_done);
	atomic_add(current->nvcsw + current->nivcsw - nsw, &op->switches);
	if (atomic_dec_and_test(&op->nr_left)) {
		/* nobody looks objects up any more: let them go now */
		if (!ret && !op->legacy)
			ckpt_objhash_free(op->ctx);
		complete_all(&op->all_left);
	}
	if (ret < 0)
		return ret;
	return READ_ONCE(op->err) ? -EINTR : 0;
}

static int rstr_task_run(struct ckpt_ctx *ctx, bool *gone)
{
	struct ckpt_rstr_op *op = ctx->op;
	int ret;

	ret = wait_for_completion_killable(&op->all_joined);
	if (ret)
		return ret;
	ret = rstr_section(ctx, gone);
	if (ret)
		return ret;
	*gone = true;
	return rstr_apply(ctx);
}

/*
 * A zombie's end, after the ioctl returned (no file or reference of the
 * system call is held any more): its history, then its exit with the
 * image's wait status.
 */
static void rstr_zombie_fn(struct callback_head *head)
{
	struct rstr_finish_work *w =
		container_of(head, struct rstr_finish_work, work);
	unsigned int pf = w->pf;
	s32 status = w->status;

	rstr_set_pf(pf);
	kfree(w);
	rstr_zombie_exit(status, pf);
}

/*
 * A zombie of the image, made by rstr: the identity its section brought
 * (applied in a live task's order: limits, credentials, then the TASK
 * record, which needs its own rights after commit_creds()), and its exit
 * on the way out.
 */
static int rstr_zombie(struct ckpt_rstr_op *op, u32 i,
		       struct rstr_finish_work *w)
{
	struct ckpt_ctx *ctx = op->slots[i].zombie;
	int ret;

	ret = rstr_rlimits(ctx);
	if (ret < 0)
		return ret;
	ret = rstr_cred(ctx);
	if (ret < 0)
		return ret;
	ret = rstr_task(ctx);
	if (ret < 0)
		return ret;
	w->pf = rstr_pf(&ctx->ts.task);
	w->status = op->tasks[i].exit_code;
	init_task_work(&w->work, rstr_zombie_fn);
	return task_work_add(current, &w->work, TWA_RESUME);
}

/**
 * rstr_join - the calling task restores itself as its TREE entry
 *
 * Returns 0 with the task about to return into its restored user code,
 * or an error: then the task was killed, unless it is a legacy caller
 * that failed before its address space was torn down.
 */
int rstr_join(struct ckpt_rstr_op *op)
{
	unsigned long nsw = current->nvcsw + current->nivcsw;
	struct rstr_finish_work *w;
	struct ckpt_ctx *ctx;
	bool gone = !op->legacy;
	int index, ret;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	index = rstr_claim(op);
	if (index < 0) {
		ret = index;
		goto out_fail;
	}
	if (op->tasks[index].flags & CKPT_TREE_ZOMBIE) {
		ret = rstr_zombie(op, index, w);
		if (!ret)
			return 0;
		rstr_fail(op, op->tasks[index].pid, ret);
		gone = true;
		goto out_kill;
	}
	ctx = ckpt_ctx_alloc_task(op->ctx, NULL);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_fail;
	}
	ctx->op = op;
	ctx->index = index;
	ret = rstr_task_run(ctx, &gone);
	if (ret < 0)
		rstr_fail(op, op->tasks[index].pid, ret);
	if (!ret)
		ret = rstr_done(ctx, nsw);
	if (!ret)
		ret = rstr_queue_finish(ctx, w);
	ckpt_ctx_put(ctx);
	if (!ret)
		return 0;
	goto out_kill;
out_fail:
	rstr_fail(op, task_pid_vnr(current), ret);
out_kill:
	kfree(w);
	if (gone) {
		if (op->legacy)
			ckpt_log(op->ctx, "pid %d killed: its address space is gone",
				 task_pid_vnr(current));
		send_sig(SIGKILL, current, 1);
	}
	return ret;
}

/* The coordinator's wait for the whole restart. */
int rstr_wait(struct ckpt_rstr_op *op, struct ckpt_restart_status *st)
{
	int ret;

	ret = wait_for_completion_interruptible(&op->all_done);
	if (ret < 0) {
		rstr_fail(op, 0, -EINTR);
		return -EINTR;
	}
	if (!READ_ONCE(op->err))
		wait_for_completion(&op->all_left);
	spin_lock(&op->lock);
	st->error = op->err;
	st->pid = op->err_pid;
	st->nr_tasks = op->err ? 0 : op->nr_live;
	st->usecs = op->usecs;
	spin_unlock(&op->lock);
	st->nr_switches = atomic_read(&op->switches);
	return st->error;
}

void rstr_abort(struct ckpt_rstr_op *op, int err)
{
	rstr_fail(op, task_pid_vnr(current), err);
}

/* A one-task image restored into the caller, without a coordinator. */
int ckpt_do_restart(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_op *op = rstr_op_alloc(ctx);
	int ret;

	if (!op)
		return -ENOMEM;
	op->legacy = true;
	ret = rstr_op_read(op);
	if (ret)
		goto out;
	if (op->nr_tasks != 1 || op->tree_flags) {
		ret = ckpt_err(ctx, -EINVAL,
			       "image holds a tree of %u tasks: restart it with a coordinator (rstr)",
			       op->nr_tasks);
		goto out;
	}
	ret = rstr_join(op);
out:
	rstr_op_put(op);
	return ret;
}
