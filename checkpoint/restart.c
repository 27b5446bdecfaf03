// SPDX-License-Identifier: GPL-2.0
/*
 * Restart: the calling process becomes the one in the image.
 *
 * Everything small (task, CPU state, the whole address-space layout) is
 * read and checked while the caller is still intact; a bad image then
 * fails with nothing lost.  Only after that is the caller's address space
 * torn down and rebuilt; an error from there on kills the caller, so it
 * never returns into a half-built process.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/rcupdate.h>

#include <checkpoint/checkpoint.h>

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
	return 0;
}

/* The records that follow the layout: PAGES, up to the TAIL. */
static int rstr_contents(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr h;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &h);
		if (ret < 0)
			return ret;
		if (h.type == CKPT_HDR_TAIL)
			return ckpt_read_tail(ctx, &h);
		if (h.type != CKPT_HDR_PAGES)
			return ckpt_err(ctx, -EINVAL,
					"unexpected %s record at offset %llu",
					ckpt_hdr_name(h.type), ctx->hdr_pos);
		ret = rstr_pages(ctx, &h);
		if (ret < 0)
			return ret;
	}
}

static int rstr_read_layout(struct ckpt_ctx *ctx)
{
	void *mm;
	int ret;

	ret = ckpt_read_header(ctx);
	if (!ret)
		ret = rstr_task_read(ctx);
	if (!ret)
		ret = rstr_mm_read(ctx);
	if (!ret)
		ret = rstr_cpu_read(ctx);
	if (ret < 0)
		return ret;
	mm = ckpt_obj_fetch(ctx, ctx->ts.task.mm_objref, CKPT_OBJ_MM);
	if (IS_ERR(mm))
		return ckpt_err(ctx, (int)PTR_ERR(mm),
				"TASK record names mm objref %d, which the image lacks",
				ctx->ts.task.mm_objref);
	return 0;
}

int ckpt_do_restart(struct ckpt_ctx *ctx)
{
	int ret;

	ret = rstr_check_caller(ctx);
	if (!ret)
		ret = rstr_read_layout(ctx);
	if (ret < 0)
		return ret;

	/* point of no return */
	ret = rstr_mm(ctx);
	if (!ret)
		ret = rstr_contents(ctx);
	if (!ret)
		ret = rstr_task(ctx);
	if (!ret)
		ret = rstr_cpu(ctx);
	if (!ret)
		ret = ckpt_deferqueue_run(ctx);
	if (ret < 0) {
		ckpt_log(ctx, "pid %d killed: its address space is gone",
			 task_pid_vnr(current));
		send_sig(SIGKILL, current, 1);
		return ret;
	}
	return 0;
}
