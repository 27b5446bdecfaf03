// SPDX-License-Identifier: GPL-2.0
/*
 * One task: identity, blocked signals and the user pointers the kernel
 * keeps per task (rseq area, robust futex list, child tid addresses).
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/futex.h>
#include <linux/rseq.h>
#include <linux/signal.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>

/* In the checkpointed task's own context, while it freezes. */
void ckpt_save_task_self(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;

	th->pid = task_pid_vnr(current);
	th->tgid = task_tgid_vnr(current);
	th->personality = current->personality;
	th->blocked = current->blocked.sig[0];
	th->set_child_tid = (unsigned long)current->set_child_tid;
	th->clear_child_tid = (unsigned long)current->clear_child_tid;
	th->robust_list = (unsigned long)current->robust_list;
	if (th->robust_list)
		th->robust_list_len = sizeof(struct robust_list_head);
#ifdef CONFIG_RSEQ
	th->rseq = (unsigned long)current->rseq;
	th->rseq_len = ckpt_rseq_len(current);
	th->rseq_sig = current->rseq_sig;
#endif
	get_task_comm(th->comm, current);
	ctx->freeze_err = ckpt_cpu_self(ctx);
}

int ckpt_task(struct ckpt_ctx *ctx, struct task_struct *t, int mm_objref)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;

	th->mm_objref = mm_objref;
	return ckpt_write_obj(ctx, &th->h, CKPT_HDR_TASK, sizeof(*th), 0);
}

static bool rstr_user_ptr_ok(u64 addr)
{
	return addr < TASK_SIZE;
}

int rstr_task_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;
	int ret;

	th->h = *h;
	ret = ckpt_read_payload(ctx, &th->h, sizeof(*th));
	if (ret < 0)
		return ret;
	if (th->h.len != sizeof(*th))
		return ckpt_err(ctx, -EINVAL, "TASK record has length %u",
				th->h.len);
	if (!rstr_user_ptr_ok(th->set_child_tid) ||
	    !rstr_user_ptr_ok(th->clear_child_tid) ||
	    !rstr_user_ptr_ok(th->robust_list) ||
	    !rstr_user_ptr_ok(th->rseq))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: a user pointer is outside user space");
	if (th->robust_list &&
	    th->robust_list_len != sizeof(struct robust_list_head))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: robust list length %llu",
				th->robust_list_len);
	if (th->rseq && (!ckpt_rseq_len_ok(th->rseq_len) ||
			 !IS_ALIGNED(th->rseq, CKPT_RSEQ_ORIG_LEN)))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: rseq area %#llx length %u",
				th->rseq, th->rseq_len);
	if (th->personality == 0xffffffff)
		return ckpt_err(ctx, -EINVAL, "TASK record: bad personality");
	th->comm[sizeof(th->comm) - 1] = '\0';
	return 0;
}

/* Apply the TASK record to the current task, once its memory is back. */
int rstr_task(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;
	sigset_t blocked;

	siginitset(&blocked, th->blocked);
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	sigprocmask(SIG_SETMASK, &blocked, NULL);

	current->personality = th->personality;
	current->set_child_tid = (int __user *)(unsigned long)th->set_child_tid;
	current->clear_child_tid =
		(int __user *)(unsigned long)th->clear_child_tid;
	current->robust_list =
		(struct robust_list_head __user *)(unsigned long)th->robust_list;
#ifdef CONFIG_RSEQ
	current->rseq = (struct rseq __user *)(unsigned long)th->rseq;
	ckpt_set_rseq_len(current, th->rseq_len);
	current->rseq_sig = th->rseq_sig;
	/* the kernel refreshes the area's cpu fields before user mode */
	rseq_set_notify_resume(current);
#endif
	task_lock(current);
	strscpy_pad(current->comm, th->comm, sizeof(current->comm));
	task_unlock(current);
	return 0;
}
