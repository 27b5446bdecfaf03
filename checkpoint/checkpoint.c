// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint: freeze the tree, write its image, let it go.
 *
 * Freezing uses a task_work queued with TWA_SIGNAL on every task: each is
 * kicked out of user mode or out of an interruptible sleep the way a
 * signal would, but no signal exists, so nothing is delivered, no handler
 * runs and an interrupted system call restarts by itself.  In the
 * callback the task saves what only it can read consistently (its
 * registers and xsave area), reports itself frozen and waits.  Only once
 * every task is frozen - and the tree is found unchanged: nobody forked
 * or exited in between - does the checkpointer read them and write the
 * image: one instant for the whole tree.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/ptrace.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/fdtable.h>
#include <linux/task_work.h>
#include <linux/rcupdate.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/jiffies.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/signal.h>
#include <checkpoint/kapi.h>

static void ckpt_freeze_fn(struct callback_head *work)
{
	struct ckpt_ctx *ctx = container_of(work, struct ckpt_ctx, freeze_work);

	if (current->flags & PF_EXITING) {
		/* run from exit_task_work(): the task is going away */
		ctx->freeze_err = -ESRCH;
		complete(&ctx->frozen);
	} else {
		ckpt_save_task_state(ctx, current);
		complete(&ctx->frozen);
		/* only SIGKILL ends the freeze early: the image stays sane */
		wait_for_completion_killable(&ctx->thaw);
	}
	ckpt_ctx_put(ctx);
}

/* Queue the freeze; a task already exiting fails it with -ESRCH. */
static void ckpt_freeze_start(struct ckpt_ctx *ctx)
{
	ckpt_ctx_get(ctx);	/* the callback's */
	init_task_work(&ctx->freeze_work, ckpt_freeze_fn);
	if (task_work_add(ctx->target, &ctx->freeze_work, TWA_SIGNAL) < 0) {
		ckpt_ctx_put(ctx);
		ctx->freeze_err = -ESRCH;
		complete(&ctx->frozen);
		complete_all(&ctx->thaw);	/* nothing to thaw */
	}
}

/* How long a freeze may take, in all, before the checkpoint gives up. */
static unsigned int freeze_timeout_ms = 10000;
module_param(freeze_timeout_ms, uint, 0644);
MODULE_PARM_DESC(freeze_timeout_ms,
		 "how long freezing a tree may take before the checkpoint fails with EAGAIN (ms)");

#define CKPT_FREEZE_POLL	msecs_to_jiffies(10)

/* Take the freeze work back: true if the task never ran it. */
static bool ckpt_freeze_cancel(struct ckpt_ctx *ctx)
{
	if (!kapi_task_work_cancel(ctx->target, &ctx->freeze_work))
		return false;
	ckpt_ctx_put(ctx);			/* the callback's */
	complete_all(&ctx->thaw);		/* nothing to thaw */
	return true;
}

/*
 * A task in a group stop (SIGSTOP, Ctrl-Z) runs no task_work until it is
 * continued, but it cannot run at all: it is as good as frozen.  Once it
 * is off its CPU and its freeze work is taken back, its state is read
 * from outside, as ptrace reads a stopped tracee's.  Its switch count
 * tells at the end whether a SIGCONT let it run meanwhile.
 */
static bool ckpt_freeze_stopped(struct ckpt_ctx *ctx)
{
	struct task_struct *t = ctx->target;
	unsigned long ncsw;

	if (!(READ_ONCE(t->jobctl) & JOBCTL_STOPPED))
		return false;
	ncsw = kapi_wait_task_inactive(t, __TASK_STOPPED);
	if (!ncsw || !ckpt_freeze_cancel(ctx))
		return false;	/* woken, or running its freeze: wait */
	ctx->stopped_ncsw = ncsw;
	ckpt_save_task_state(ctx, t);
	return true;
}

/* Did the stopped task run since it was found stopped? */
static bool ckpt_stopped_ran(struct ckpt_ctx *ctx)
{
	struct task_struct *t = ctx->target;

	return !(READ_ONCE(t->jobctl) & JOBCTL_STOPPED) ||
	       (READ_ONCE(t->nvcsw) | LONG_MIN) != ctx->stopped_ncsw;
}

/*
 * Wait for one task to be frozen, or found stopped, until @deadline.
 * Once the checkpointer is interrupted (@stop) or out of time, a freeze
 * not yet begun is cancelled; one under way is waited for, to be thawed
 * with the others.
 */
static int ckpt_freeze_wait(struct ckpt_ctx *ctx, bool stop,
			    unsigned long deadline)
{
	int ret = -EINTR;
	long left;

	while (!stop) {
		left = wait_for_completion_killable_timeout(&ctx->frozen,
							    CKPT_FREEZE_POLL);
		if (left > 0)
			return ctx->freeze_err;
		if (left < 0)
			break;
		if (ckpt_freeze_stopped(ctx))
			return ctx->freeze_err;
		if (time_after(jiffies, deadline)) {
			ret = ckpt_err(ctx, -EAGAIN,
				       "pid %d could not be frozen within %u ms: it sleeps where it cannot be interrupted (in vfork(), or on a device)",
				       task_pid_vnr(ctx->target),
				       freeze_timeout_ms);
			break;
		}
	}
	if (!ckpt_freeze_cancel(ctx))
		wait_for_completion(&ctx->frozen);
	return ret;
}

static void ckpt_thaw_tree(struct ckpt_ctx *ctx, bool kill)
{
	struct ckpt_ctx *tctx;
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		tctx = ctx->tree[i].ctx;
		if (!tctx)
			continue;
		if (kill)	/* before it runs again */
			send_sig(SIGKILL, tctx->target, 1);
		complete_all(&tctx->thaw);
	}
}

static int ckpt_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);

	if (same_thread_group(t, current))
		return ckpt_err(ctx, -EINVAL,
				"pid %d is the caller: a process cannot checkpoint itself",
				pid);
	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EOPNOTSUPP, "pid %d is a kernel thread",
				pid);
	if (!kapi_ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "no permission to checkpoint pid %d",
				pid);
	/* its tracer could not have it back, nor let go of it unseen */
	if (READ_ONCE(t->ptrace))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is traced (ptrace): not supported", pid);
	return 0;
}

/* A context per live task, its mm taken, then every freeze queued. */
static int ckpt_freeze_tree(struct ckpt_ctx *ctx)
{
	unsigned long deadline;
	struct ckpt_tnode *n;
	bool stop = false;
	int ret = 0, err;
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		n = &ctx->tree[i];
		if (n->e.flags & CKPT_TREE_ZOMBIE)
			continue;
		ret = ckpt_check_task(ctx, n->task);
		if (ret < 0)
			return ret;
		n->ctx = ckpt_ctx_alloc_task(ctx, n->task);
		if (IS_ERR(n->ctx)) {
			ret = PTR_ERR(n->ctx);
			n->ctx = NULL;
			return ret;
		}
		n->ctx->mm = get_task_mm(n->task);
		if (!n->ctx->mm)
			return -ESRCH;	/* exiting: try again */
	}
	for (i = 0; i < ctx->nr_tree; i++)
		if (ctx->tree[i].ctx)
			ckpt_freeze_start(ctx->tree[i].ctx);
	deadline = jiffies + msecs_to_jiffies(freeze_timeout_ms);
	for (i = 0; i < ctx->nr_tree; i++) {
		if (!ctx->tree[i].ctx)
			continue;
		err = ckpt_freeze_wait(ctx->tree[i].ctx, stop, deadline);
		/* interrupted or out of time: the rest are only cancelled */
		if (!stop && (err == -EINTR || err == -EAGAIN)) {
			stop = true;
			ret = err;
		} else if (err && !ret) {
			ret = err;
		}
	}
	return ret;
}

/*
 * Frozen, no task can clone, exec or change its mappings: what is
 * checked now holds until they are thawed.
 */
static int ckpt_check_frozen(struct ckpt_ctx *ctx)
{
	struct ckpt_tree_task *e;
	struct ckpt_ctx *tctx;
	int ret;
	u32 i;

	ret = ckpt_tree_describe(ctx, ctx->target);
	if (ret < 0)
		return ret;
	ret = ckpt_tree_share(ctx);
	if (ret < 0)
		return ret;
	e = kvcalloc(ctx->nr_tree, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_tree; i++)
		e[i] = ctx->tree[i].e;
	ret = ckpt_tree_check(ctx, ctx->tree_flags, e, ctx->nr_tree,
			      -EOPNOTSUPP);
	kvfree(e);
	for (i = 0; i < ctx->nr_tree && !ret; i++) {
		tctx = ctx->tree[i].ctx;
		if (tctx && (tctx->first & CKPT_FIRST_MM))
			ret = ckpt_mm_check(tctx, tctx->mm);
	}
	return ret;
}

/* One task's section; the records of what it shares only if first. */
static int ckpt_write_task(struct ckpt_ctx *ctx)
{
	struct task_struct *t = ctx->target;
	unsigned int first = ctx->first;
	int ret;

	ret = ckpt_task(ctx, t, ctx->ts.task.mm_objref);
	if (ret)
		return ret;
	/* first: restart opens every path with the credentials it restores */
	ret = ckpt_cred(ctx, t);
	if (ret)
		return ret;
	if (first & CKPT_FIRST_MM) {
		ret = ckpt_mm(ctx, ctx->mm, ctx->ts.task.mm_objref);
		if (ret)
			return ret;
	}
	ret = ckpt_cpu(ctx);
	if (ret)
		return ret;
	/* optional records, between CPU and PAGES, one call per kind */
	if (first & CKPT_FIRST_FS) {
		ret = ckpt_fs(ctx, t);
		if (ret)
			return ret;
	}
	if (first & CKPT_FIRST_FILES) {
		ret = ckpt_files(ctx, t);
		if (ret)
			return ret;
	}
	if (first & CKPT_FIRST_SIGNAL) {
		ret = ckpt_rlimits(ctx, t);
		if (ret)
			return ret;
	}
	ret = ckpt_cgroup(ctx, t, first & CKPT_FIRST_SIGNAL);
	if (ret)
		return ret;
	ret = ckpt_signal(ctx, t);
	if (ret)
		return ret;
	if (first & CKPT_FIRST_MM)
		return ckpt_mm_pages(ctx);
	return 0;
}

/* Was a task found stopped continued before the image was complete? */
static int ckpt_tree_stopped_ran(struct ckpt_ctx *ctx)
{
	struct ckpt_ctx *tctx;
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		tctx = ctx->tree[i].ctx;
		if (tctx && tctx->stopped_ncsw && ckpt_stopped_ran(tctx))
			return ckpt_err(ctx, -EAGAIN,
					"pid %d was continued while being checkpointed: try again",
					task_pid_vnr(tctx->target));
	}
	return 0;
}

/*
 * A zombie's section: what /proc still shows of it, for its restart to
 * set before it exits again (rstr_zombie_read()).  A zombie does not
 * run: no freeze, its state read from here.
 */
/* A zombie's records: TASK, CRED and RLIMITS, as restart reads them. */
static int ckpt_zombie_records(struct ckpt_ctx *zctx, struct task_struct *t)
{
	int ret;

	ret = ckpt_task(zctx, t, 0);
	if (ret)
		return ret;
	ret = ckpt_cred(zctx, t);
	if (ret)
		return ret;
	return ckpt_rlimits(zctx, t);
}

static int ckpt_write_zombie(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_ctx *zctx = ckpt_ctx_alloc_task(ctx, t);
	int ret;

	if (IS_ERR(zctx))
		return PTR_ERR(zctx);
	ckpt_stream_move(zctx, ctx);
	ckpt_save_zombie_state(zctx, t);
	ret = ckpt_zombie_records(zctx, t);
	ckpt_stream_move(ctx, zctx);
	ckpt_ctx_put(zctx);
	return ret;
}

/* The zombies' sections come first: they exit before the rest restarts. */
static int ckpt_write_zombies(struct ckpt_ctx *ctx)
{
	u32 i;
	int ret;

	for (i = 0; i < ctx->nr_tree; i++) {
		if (!(ctx->tree[i].e.flags & CKPT_TREE_ZOMBIE))
			continue;
		ret = ckpt_write_zombie(ctx, ctx->tree[i].task);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int ckpt_write_image(struct ckpt_ctx *ctx)
{
	struct ckpt_ctx *tctx;
	int ret;
	u32 i;

	ret = ckpt_write_header(ctx);
	if (ret)
		goto out;
	ret = ckpt_write_tree(ctx);
	if (ret)
		goto out;
	ret = ckpt_write_zombies(ctx);
	if (ret)
		goto out;
	for (i = 0; i < ctx->nr_tree; i++) {
		tctx = ctx->tree[i].ctx;
		if (!tctx)
			continue;
		tctx->index = i;	/* its parent's mm is found by it */
		ckpt_stream_move(tctx, ctx);
		ret = ckpt_write_task(tctx);
		ckpt_stream_move(ctx, tctx);
		if (ret)
			goto out;
	}
	ret = ckpt_deferqueue_run(ctx);
	if (ret < 0)
		goto out;
	/* no TAIL, no valid image, if a stopped task ran meanwhile */
	ret = ckpt_tree_stopped_ran(ctx);
	if (ret)
		goto out;
	ret = ckpt_write_tail(ctx);
out:
	return ret < 0 ? ret : 0;
}

/*
 * A group stop is saved whole, each thread with its stop signal and the
 * process with what its parent's wait() would still report.  A stop
 * under way (a thread stopping, another frozen before it could) is let
 * to finish: -ESRCH starts the freeze over.
 */
struct ckpt_stop_state {
	bool stopping, stopped;
	int code, signr;
};

static void ckpt_stop_state_locked(struct task_struct *t,
				   struct sighand_struct *sighand, void *arg)
{
	struct ckpt_stop_state *s = arg;

	s->stopping = t->signal->group_stop_count ||
		      (t->jobctl & JOBCTL_STOP_PENDING);
	s->stopped = t->signal->flags & SIGNAL_STOP_STOPPED;
	s->code = t->signal->group_exit_code;
	s->signr = t->jobctl & JOBCTL_STOP_SIGMASK;
}

static int ckpt_tree_stops(struct ckpt_ctx *ctx)
{
	struct ckpt_stop_state s;
	struct ckpt_hdr_task *th;
	struct ckpt_ctx *tctx;
	struct task_struct *t;
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		tctx = ctx->tree[i].ctx;
		if (!tctx)
			continue;
		t = tctx->target;
		if (ckpt_under_siglock(t, ckpt_stop_state_locked, &s) < 0 ||
		    s.stopping || s.stopped != !!tctx->stopped_ncsw)
			return -ESRCH;
		if (!s.stopped)
			continue;
		if (!sig_kernel_stop(s.signr) || (s.code && s.code != s.signr))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d: stopped by signal %d, reporting %d: not supported",
					task_pid_vnr(t), s.signr, s.code);
		th = &tctx->ts.task;
		th->flags |= CKPT_TASK_STOPPED;
		th->stop_signal = s.signr;
		th->stop_code = s.code;
	}
	return 0;
}

/* Did a task exec between taking its mm and being frozen? */
static bool ckpt_tree_execed(struct ckpt_ctx *ctx)
{
	struct ckpt_ctx *tctx;
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		tctx = ctx->tree[i].ctx;
		if (tctx && READ_ONCE(tctx->target->mm) != tctx->mm)
			return true;
	}
	return false;
}

/*
 * Find the tree and freeze it whole.  A task that forks, exits, execs or
 * is still exiting meanwhile changes the tree: everything is thawed and
 * the walk starts over, a few times at most.
 */
#define CKPT_FREEZE_TRIES	8

/* One try: the tree as it is now, frozen, its group stops known. */
static int ckpt_freeze_once(struct ckpt_ctx *ctx, struct task_struct *root)
{
	int ret;

	ret = ckpt_tree_collect(ctx, root);
	if (ret)
		return ret;
	ret = ckpt_freeze_tree(ctx);
	if (ret)
		return ret;
	return ckpt_tree_stops(ctx);
}

static int ckpt_freeze_all(struct ckpt_ctx *ctx, struct task_struct *root)
{
	int tries, ret;

	for (tries = 0; tries < CKPT_FREEZE_TRIES; tries++) {
		ret = ckpt_freeze_once(ctx, root);
		if (!ret && ckpt_tree_same(ctx, root) && !ckpt_tree_execed(ctx))
			return 0;
		ckpt_thaw_tree(ctx, false);
		ckpt_tree_free(ctx);
		if (ret && ret != -ESRCH)
			return ret;
		if (root->exit_state || (root->flags & PF_EXITING))
			return ckpt_err(ctx, -ESRCH, "pid %d is exiting",
					task_pid_vnr(root));
		cond_resched();
	}
	return ckpt_err(ctx, -EAGAIN,
			"the tree of pid %d kept changing while being frozen",
			task_pid_vnr(root));
}

/* Is @t one of the tree's tasks? */
static bool ckpt_in_tree(struct ckpt_ctx *ctx, struct task_struct *t)
{
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++)
		if (ctx->tree[i].task == t)
			return true;
	return false;
}

/*
 * A killed task is gone once its pid is free for a restart: released,
 * or a zombie left to a parent outside the tree to reap (the root's, or
 * a subreaper's) - but not to its namespace's init, which reaps it
 * shortly.
 */
static bool ckpt_killed_gone(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct task_struct *parent;
	bool gone;

	if (!pid_alive(t))
		return true;
	if (!READ_ONCE(t->exit_state))
		return false;
	rcu_read_lock();
	parent = rcu_dereference(t->real_parent);
	gone = !ckpt_in_tree(ctx, parent) &&
	       parent != task_active_pid_ns(t)->child_reaper;
	rcu_read_unlock();
	return gone;
}

/*
 * --kill returns once the tree is gone, so that a restart right after
 * finds its pids free; freeze_timeout_ms at most.
 */
static void ckpt_wait_killed(struct ckpt_ctx *ctx)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(freeze_timeout_ms);
	u32 i;

	for (i = 0; i < ctx->nr_tree; i++) {
		while (!ckpt_killed_gone(ctx, ctx->tree[i].task)) {
			if (fatal_signal_pending(current) ||
			    time_after(jiffies, deadline))
				return;
			schedule_timeout_killable(1);
		}
	}
}

int ckpt_do_checkpoint(struct ckpt_ctx *ctx, pid_t pid)
{
	struct task_struct *root;
	ktime_t start, frozen;
	struct pid *p;
	int ret;

	p = find_get_pid(pid);
	root = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!root)
		return ckpt_err(ctx, -ESRCH, "no process %d", pid);
	ctx->target = root;
	if (!thread_group_leader(root))
		return ckpt_err(ctx, -EINVAL,
				"pid %d is a thread of process %d: checkpoint the process",
				pid, task_tgid_vnr(root));
	start = ktime_get();
	ret = ckpt_check_task(ctx, root) ?: ckpt_freeze_all(ctx, root);
	if (ret < 0)
		return ret;
	frozen = ktime_get();
	ret = ckpt_check_frozen(ctx) ?: ckpt_write_image(ctx);
	ckpt_thaw_tree(ctx, !ret && (ctx->flags & CHECKPOINT_KILL));
	if (!ret && (ctx->flags & CHECKPOINT_VERBOSE))
		ckpt_log(ctx, "pid %d was frozen for %lld us (freezing took %lld us) with %u tasks; image of %llu bytes in %u records; %llu pages: %llu us finding, %llu us writing, %llu us checksum (%llu us more beside)",
			 pid, ktime_us_delta(ktime_get(), frozen),
			 ktime_us_delta(frozen, start),
			 ctx->nr_tree, ctx->pos, ctx->nr_records,
			 ctx->pstats.nr, div_u64(ctx->pstats.find_ns, 1000),
			 div_u64(ctx->pstats.io_ns, 1000),
			 div_u64(ctx->pstats.sum_ns, 1000),
			 div_u64(ctx->pstats.bg_ns, 1000));
	if (!ret && (ctx->flags & CHECKPOINT_KILL))
		ckpt_wait_killed(ctx);
	ckpt_tree_free(ctx);
	return ret;
}
