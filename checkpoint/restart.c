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
#include <linux/slab.h>
#include <linux/fdtable.h>
#include <linux/task_work.h>

#include <checkpoint/checkpoint.h>

struct rstr_finish_work {
	struct callback_head work;
	u64 ax;
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

/* After the ioctl returned, on the way to the restored user code. */
static void rstr_finish_fn(struct callback_head *head)
{
	struct rstr_finish_work *w =
		container_of(head, struct rstr_finish_work, work);

	rstr_cpu_finish(w->ax);
	kfree(w);
}

static int rstr_queue_finish(struct ckpt_ctx *ctx,
			     struct rstr_finish_work *w)
{
	w->ax = ctx->ts.cpu.rax;
	init_task_work(&w->work, rstr_finish_fn);
	return task_work_add(current, &w->work, TWA_RESUME);
}

/*
 * What restart does with each record before the point of no return: read
 * it, check it, and keep what it says in the context.  Nothing is applied
 * here.  Records may come in any order up to the first PAGES record.
 */
struct rstr_handler {
	int (*read)(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
	bool once;		/* at most one such record */
	bool required;		/* an image without one is refused */
};

static const struct rstr_handler rstr_handlers[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_TASK] = { rstr_task_read, true, true },
	[CKPT_HDR_MM] = { rstr_mm_read, true, true },
	[CKPT_HDR_CPU] = { rstr_cpu_read, true, true },
	[CKPT_HDR_SIGHAND] = { rstr_sighand_read, true, true },
	[CKPT_HDR_SIGNAL] = { rstr_signal_read, true, true },
	[CKPT_HDR_SIGINFO] = { rstr_siginfo_read, false, false },
	[CKPT_HDR_POSIX_TIMER] = { rstr_posix_timer_read, false, false },
	[CKPT_HDR_RESTART_BLOCK] = { rstr_restart_block_read, true, false },
	[CKPT_HDR_CRED] = { rstr_cred_read, true, true },
	[CKPT_HDR_RLIMITS] = { rstr_rlimits_read, true, true },
	[CKPT_HDR_FS] = { rstr_fs_read, true, true },
	[CKPT_HDR_FILE] = { rstr_file_read, false, false },
	[CKPT_HDR_FILE_DATA] = { rstr_file_data_read, false, false },
	[CKPT_HDR_FILES] = { rstr_files_read, true, true },
};

static int rstr_read_record(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	const struct rstr_handler *rh = &rstr_handlers[h->type];

	if (!rh->read)
		return ckpt_err(ctx, -EINVAL,
				"unexpected %s record at offset %llu",
				ckpt_hdr_name(h->type), ctx->hdr_pos);
	if (rh->once && test_bit(h->type, ctx->seen))
		return ckpt_err(ctx, -EINVAL,
				"second %s record at offset %llu",
				ckpt_hdr_name(h->type), ctx->hdr_pos);
	__set_bit(h->type, ctx->seen);
	return rh->read(ctx, h);
}

/*
 * Everything before the contents: read, checked, nothing applied.  On
 * return @h holds the header of the first PAGES record, or of the TAIL.
 */
static int rstr_read_layout(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	unsigned int type;
	void *mm;
	int ret;

	ret = ckpt_read_header(ctx);
	for (;;) {
		if (ret < 0)
			return ret;
		ret = ckpt_read_hdr(ctx, h);
		if (ret < 0)
			return ret;
		if (h->type == CKPT_HDR_PAGES || h->type == CKPT_HDR_TAIL)
			break;
		ret = rstr_read_record(ctx, h);
	}
	for (type = 0; type < CKPT_HDR_MAX_TYPE; type++)
		if (rstr_handlers[type].required && !test_bit(type, ctx->seen))
			return ckpt_err(ctx, -EINVAL,
					"image has no %s record before offset %llu",
					ckpt_hdr_name(type), ctx->hdr_pos);
	mm = ckpt_obj_fetch(ctx, ctx->ts.task.mm_objref, CKPT_OBJ_MM);
	if (IS_ERR(mm))
		return ckpt_err(ctx, (int)PTR_ERR(mm),
				"TASK record names mm objref %d, which the image lacks",
				ctx->ts.task.mm_objref);
	return 0;
}

/* The contents: PAGES records, from the one in @h up to the TAIL. */
static int rstr_contents(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	int ret;

	for (;;) {
		if (h->type == CKPT_HDR_TAIL)
			return ckpt_read_tail(ctx, h);
		if (h->type != CKPT_HDR_PAGES)
			return ckpt_err(ctx, -EINVAL,
					"unexpected %s record at offset %llu",
					ckpt_hdr_name(h->type), ctx->hdr_pos);
		ret = rstr_pages(ctx, h);
		if (!ret)
			ret = ckpt_read_hdr(ctx, h);
		if (ret < 0)
			return ret;
	}
}

int ckpt_do_restart(struct ckpt_ctx *ctx)
{
	struct rstr_finish_work *w;
	struct ckpt_hdr h;
	int ret;

	ret = rstr_check_caller(ctx);
	if (!ret)
		ret = rstr_read_layout(ctx, &h);
	if (ret < 0)
		return ret;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;

	/* point of no return */
	ret = rstr_mm(ctx);
	if (!ret)
		ret = rstr_contents(ctx, &h);
	/* apply what the records before the contents staged */
	if (!ret)
		ret = rstr_files(ctx);
	if (!ret)
		ret = rstr_fs(ctx);
	if (!ret)
		ret = rstr_rlimits(ctx);
	if (!ret)
		ret = rstr_cred(ctx);	/* before rstr_task(): see there */
	if (!ret)
		ret = rstr_task(ctx);
	if (!ret)
		ret = rstr_signal(ctx);
	if (!ret)
		ret = rstr_cpu(ctx);
	if (!ret)
		ret = ckpt_deferqueue_run(ctx);
	if (ret >= 0)
		ret = rstr_queue_finish(ctx, w);
	if (ret < 0) {
		kfree(w);
		ckpt_log(ctx, "pid %d killed: its address space is gone",
			 task_pid_vnr(current));
		send_sig(SIGKILL, current, 1);
		return ret;
	}
	return 0;
}
