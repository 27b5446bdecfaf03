// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint: freeze the target, write its image, let it go.
 *
 * Freezing uses a task_work queued with TWA_SIGNAL: the target is kicked
 * out of user mode or out of an interruptible sleep the way a signal
 * would, but no signal exists, so nothing is delivered, no handler runs
 * and an interrupted system call restarts by itself.  In the callback the
 * target saves what only it can read consistently (its registers and
 * xsave area), reports itself frozen and waits.  The checkpointer then
 * reads the address space of the stopped task and writes the image.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/ptrace.h>
#include <linux/pid.h>
#include <linux/fdtable.h>
#include <linux/task_work.h>
#include <linux/rcupdate.h>
#include <linux/ktime.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/symbols.h>

static void ckpt_freeze_fn(struct callback_head *work)
{
	struct ckpt_ctx *ctx = container_of(work, struct ckpt_ctx, freeze_work);

	if (current->flags & PF_EXITING) {
		/* run from exit_task_work(): the target is going away */
		ctx->freeze_err = -ESRCH;
		complete(&ctx->frozen);
	} else {
		ckpt_save_task_self(ctx);
		complete(&ctx->frozen);
		/* only SIGKILL ends the freeze early: the image stays sane */
		wait_for_completion_killable(&ctx->thaw);
	}
	ckpt_ctx_put(ctx);
}

static int ckpt_freeze(struct ckpt_ctx *ctx)
{
	struct task_struct *t = ctx->target;
	int ret;

	ckpt_ctx_get(ctx);	/* the callback's */
	init_task_work(&ctx->freeze_work, ckpt_freeze_fn);
	ret = task_work_add(t, &ctx->freeze_work, TWA_SIGNAL);
	if (ret < 0) {
		ckpt_ctx_put(ctx);
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting",
				task_pid_vnr(t));
	}
	ret = wait_for_completion_killable(&ctx->frozen);
	if (ret < 0) {
		if (ckpt_syms.task_work_cancel(t, &ctx->freeze_work)) {
			ckpt_ctx_put(ctx);
			return -EINTR;
		}
		/* already running: let it freeze, then release it */
		wait_for_completion(&ctx->frozen);
		complete_all(&ctx->thaw);
		return -EINTR;
	}
	if (ctx->freeze_err) {
		complete_all(&ctx->thaw);
		return ckpt_err(ctx, ctx->freeze_err,
				"pid %d could not save its CPU state",
				task_pid_vnr(t));
	}
	return 0;
}

/* Another process using @t's mm or fd table would change under us. */
static int ckpt_check_sharing(struct ckpt_ctx *ctx, struct task_struct *t,
			      struct mm_struct *mm)
{
	struct files_struct *files;
	struct task_struct *p;
	pid_t other = 0;
	bool mm_shared = false;

	task_lock(t);
	files = t->files;
	task_unlock(t);

	rcu_read_lock();
	for_each_process(p) {
		if (p == t)
			continue;
		task_lock(p);
		if (p->mm == mm)
			mm_shared = true;
		if (p->files == files)
			other = task_pid_vnr(p);
		task_unlock(p);
		if (mm_shared || other) {
			other = task_pid_vnr(p);
			break;
		}
	}
	rcu_read_unlock();
	if (mm_shared)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d shares its address space with pid %d: not supported yet",
				task_pid_vnr(t), other);
	if (other)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d shares its file table with pid %d: not supported yet",
				task_pid_vnr(t), other);
	return 0;
}

static int ckpt_check_target(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);
	int nr;

	if (same_thread_group(t, current))
		return ckpt_err(ctx, -EINVAL,
				"pid %d is the caller: a process cannot checkpoint itself",
				pid);
	if (t->flags & PF_KTHREAD)
		return ckpt_err(ctx, -EOPNOTSUPP, "pid %d is a kernel thread",
				pid);
	if (!ckpt_syms.ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return ckpt_err(ctx, -EPERM, "no permission to checkpoint pid %d",
				pid);
	nr = get_nr_threads(t);
	if (nr > 1)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has %d threads: multi-threaded processes are not supported yet",
				pid, nr);
	if (t->flags & PF_EXITING)
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting", pid);
	return 0;
}

static int ckpt_check_frozen(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	struct task_struct *t = ctx->target;
	int nr = get_nr_threads(t), ret;
	bool has_children;

	if (nr > 1)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has %d threads: multi-threaded processes are not supported yet",
				task_pid_vnr(t), nr);
	/* frozen, it cannot fork: its children can only go away */
	rcu_read_lock();
	has_children = !list_empty(&t->children);
	rcu_read_unlock();
	if (has_children)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has children: process trees are not supported yet",
				task_pid_vnr(t));
	if (READ_ONCE(t->mm) != mm)
		return ckpt_err(ctx, -EAGAIN,
				"pid %d executed a new program while being frozen",
				task_pid_vnr(t));
	ret = ckpt_check_sharing(ctx, t, mm);
	if (!ret)
		ret = ckpt_mm_check(ctx, mm);
	return ret;
}

static int ckpt_write_image(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	bool first;
	int objref, ret;

	objref = ckpt_obj_lookup_add(ctx, mm, CKPT_OBJ_MM, &first);
	if (objref < 0)
		return objref;
	ret = ckpt_write_header(ctx);
	if (!ret)
		ret = ckpt_task(ctx, ctx->target, objref);
	if (!ret)
		ret = ckpt_mm(ctx, mm, objref);
	if (!ret)
		ret = ckpt_cpu(ctx);
	/* optional records, between CPU and PAGES, one call per kind */
	if (!ret)
		ret = ckpt_fs(ctx, ctx->target);
	if (!ret)
		ret = ckpt_files(ctx, ctx->target);
	if (!ret)
		ret = ckpt_cred(ctx, ctx->target);
	if (!ret)
		ret = ckpt_rlimits(ctx, ctx->target);
	if (!ret)
		ret = ckpt_signal(ctx, ctx->target);
	if (!ret)
		ret = ckpt_mm_pages(ctx);
	if (!ret)
		ret = ckpt_deferqueue_run(ctx);
	if (ret >= 0)
		ret = ckpt_write_tail(ctx);
	return ret < 0 ? ret : 0;
}

int ckpt_do_checkpoint(struct ckpt_ctx *ctx, pid_t pid)
{
	struct mm_struct *mm;
	ktime_t frozen;
	struct pid *p;
	int ret;

	p = find_get_pid(pid);
	ctx->target = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!ctx->target)
		return ckpt_err(ctx, -ESRCH, "no process %d", pid);
	ret = ckpt_check_target(ctx, ctx->target);
	if (ret < 0)
		return ret;
	mm = get_task_mm(ctx->target);
	if (!mm)
		return ckpt_err(ctx, -ESRCH, "pid %d has no address space", pid);
	ret = ckpt_freeze(ctx);
	if (ret < 0)
		goto out;
	frozen = ktime_get();
	/*
	 * Frozen, the target can no longer clone, exec or change its
	 * mappings: what is checked now holds until it is thawed.
	 */
	ret = ckpt_check_frozen(ctx, mm);
	if (!ret)
		ret = ckpt_write_image(ctx, mm);
	if (!ret && (ctx->flags & CHECKPOINT_KILL))
		send_sig(SIGKILL, ctx->target, 1);	/* before it runs again */
	complete_all(&ctx->thaw);
	if (!ret && (ctx->flags & CHECKPOINT_VERBOSE))
		ckpt_log(ctx, "pid %d was frozen for %lld us; image of %llu bytes in %u records",
			 pid, ktime_us_delta(ktime_get(), frozen), ctx->pos,
			 ctx->nr_records);
out:
	mmput(mm);
	return ret;
}
