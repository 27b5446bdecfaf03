// SPDX-License-Identifier: GPL-2.0
/*
 * The deferqueue: work postponed to the end of a checkpoint or restart.
 *
 * Some actions cannot happen where the image meets them: a SysV segment
 * that was deleted while attached must be created, attached by every task
 * that had it, and only then deleted.  Such work is queued with a copy of
 * its data and run once, in FIFO order, at the end of the operation - or
 * at teardown if the operation failed, so nothing queued is ever lost.
 * A kernel workqueue would not do: the work must run before the operation
 * returns, in the context of the task that performs it.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>

struct ckpt_deferred {
	struct list_head list;
	ckpt_deferqueue_func_t func;
	unsigned int flags;
	char data[];
};

/**
 * ckpt_deferqueue_add - queue @func(@data) for the end of the operation
 * @flags: none defined yet; must be 0
 * @data: copied, @size bytes; the function gets the copy
 */
int ckpt_deferqueue_add(struct ckpt_ctx *ctx, ckpt_deferqueue_func_t func,
			unsigned int flags, const void *data, size_t size)
{
	struct ckpt_deferred *work;

	if (!func || flags)
		return -EINVAL;
	work = kmalloc(struct_size(work, data, size), GFP_KERNEL);
	if (!work)
		return -ENOMEM;
	work->func = func;
	work->flags = flags;
	if (size)
		memcpy(work->data, data, size);

	spin_lock(&ctx->defer_lock);
	list_add_tail(&work->list, &ctx->deferqueue);
	spin_unlock(&ctx->defer_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ckpt_deferqueue_add, CHECKPOINT);

/**
 * ckpt_deferqueue_run - run and free every queued work, oldest first
 *
 * Work queued by a running work is run too, after the rest.  Every work
 * runs even if an earlier one fails.  Returns the number of works run, or
 * the first error.
 */
int ckpt_deferqueue_run(struct ckpt_ctx *ctx)
{
	struct ckpt_deferred *work;
	int nr = 0, err = 0, ret;

	for (;;) {
		spin_lock(&ctx->defer_lock);
		work = list_first_entry_or_null(&ctx->deferqueue,
						struct ckpt_deferred, list);
		if (work)
			list_del(&work->list);
		spin_unlock(&ctx->defer_lock);
		if (!work)
			break;

		ret = work->func(work->data);
		if (ret < 0 && !err)
			err = ret;
		kfree(work);
		nr++;
	}
	return err ? err : nr;
}
EXPORT_SYMBOL_NS_GPL(ckpt_deferqueue_run, CHECKPOINT);
