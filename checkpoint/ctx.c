// SPDX-License-Identifier: GPL-2.0
/*
 * The context of one checkpoint or restart operation, and its log.
 */
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/module.h>

#include <checkpoint/checkpoint.h>

struct ckpt_ctx *ckpt_ctx_alloc(enum ckpt_ctx_kind kind, u64 flags,
				struct file *file, struct file *logfile)
{
	struct ckpt_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	kref_init(&ctx->ref);
	ctx->kind = kind;
	ctx->flags = flags;
	ctx->limit = U64_MAX;
	spin_lock_init(&ctx->defer_lock);
	INIT_LIST_HEAD(&ctx->deferqueue);
	init_completion(&ctx->frozen);
	init_completion(&ctx->thaw);
	ctx->hasher = ckpt_hasher_alloc();
	if (!ctx->hasher)
		goto out_ctx;
	if (ckpt_objhash_alloc(ctx) < 0)
		goto out_hasher;
	if (file)
		ctx->file = get_file(file);
	if (logfile)
		ctx->logfile = get_file(logfile);
	/* a queued task_work may outlive the ioctl: keep the code around */
	__module_get(THIS_MODULE);
	return ctx;

out_hasher:
	ckpt_hasher_free(ctx->hasher);
out_ctx:
	kfree(ctx);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_NS_GPL(ckpt_ctx_alloc, CHECKPOINT);

/*
 * The context of one task @t of the operation @parent: its own records,
 * the operation's objhash, image and log.
 */
struct ckpt_ctx *ckpt_ctx_alloc_task(struct ckpt_ctx *parent,
				     struct task_struct *t)
{
	struct ckpt_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	kref_init(&ctx->ref);
	ctx->kind = parent->kind;
	ctx->flags = parent->flags;
	ctx->limit = U64_MAX;
	spin_lock_init(&ctx->defer_lock);
	INIT_LIST_HEAD(&ctx->deferqueue);
	init_completion(&ctx->frozen);
	init_completion(&ctx->thaw);
	ckpt_ctx_get(parent);
	ctx->parent = parent;
	ctx->objhash = parent->objhash;
	if (parent->file)
		ctx->file = get_file(parent->file);
	if (parent->logfile)
		ctx->logfile = get_file(parent->logfile);
	if (t)
		ctx->target = get_task_struct(t);
	__module_get(THIS_MODULE);
	return ctx;
}

/**
 * ckpt_state_set - hang @ptr off @ctx in @slot, freed by @free
 * @ctx: a task's context
 * @slot: the subsystem's slot
 * @ptr: its state; what the slot held before is freed
 * @free: frees @ptr when the slot is cleared or @ctx freed; may be NULL
 */
void ckpt_state_set(struct ckpt_ctx *ctx, enum ckpt_state_slot slot,
		    void *ptr, void (*free)(void *ptr))
{
	ckpt_state_free(ctx, slot);
	ctx->state[slot].ptr = ptr;
	ctx->state[slot].free = free;
}

/* Free the state in @slot of @ctx, if any, and empty the slot. */
void ckpt_state_free(struct ckpt_ctx *ctx, enum ckpt_state_slot slot)
{
	struct ckpt_state *st = &ctx->state[slot];

	if (st->ptr && st->free)
		st->free(st->ptr);
	st->ptr = NULL;
	st->free = NULL;
}

/* The state in @slot of @ctx, now the caller's: the slot is emptied. */
void *ckpt_state_take(struct ckpt_ctx *ctx, enum ckpt_state_slot slot)
{
	void *ptr = ctx->state[slot].ptr;

	ctx->state[slot].ptr = NULL;
	ctx->state[slot].free = NULL;
	return ptr;
}

static void ckpt_ctx_release(struct kref *ref)
{
	struct ckpt_ctx *ctx = container_of(ref, struct ckpt_ctx, ref);
	int slot;

	/* work queued by a failed operation still runs, exactly once */
	ckpt_deferqueue_run(ctx);
	if (ctx->parent)
		ckpt_ctx_put(ctx->parent);
	else
		ckpt_objhash_free(ctx);
	ckpt_tree_free(ctx);
	if (ctx->mm)
		mmput(ctx->mm);
	for (slot = 0; slot < CKPT_STATE_MAX; slot++)
		ckpt_state_free(ctx, slot);
	kvfree(ctx->prefix);
	kvfree(ctx->wbuf);
	ckpt_hasher_free(ctx->hasher);
	kfree(ctx->ts.xstate);
	if (ctx->target)
		put_task_struct(ctx->target);
	if (ctx->logfile)
		fput(ctx->logfile);
	if (ctx->file)
		fput(ctx->file);
	kfree(ctx);
	module_put(THIS_MODULE);
}

void ckpt_ctx_get(struct ckpt_ctx *ctx)
{
	kref_get(&ctx->ref);
}
EXPORT_SYMBOL_NS_GPL(ckpt_ctx_get, CHECKPOINT);

void ckpt_ctx_put(struct ckpt_ctx *ctx)
{
	kref_put(&ctx->ref, ckpt_ctx_release);
}
EXPORT_SYMBOL_NS_GPL(ckpt_ctx_put, CHECKPOINT);

/*
 * One human line to the caller's log fd (and the kernel's debug log):
 * what went wrong and where.  Logging is best effort by nature.
 */
void ckpt_log(struct ckpt_ctx *ctx, const char *fmt, ...)
{
	const char *op = ctx->kind == CKPT_CTX_RESTART ? "restart" : "checkpoint";
	va_list args;
	char *line;
	int len;

	va_start(args, fmt);
	line = kvasprintf(GFP_KERNEL, fmt, args);
	va_end(args);
	if (!line)
		return;
	pr_debug("%s: %s\n", op, line);
	if (ctx->logfile) {
		char *out = kasprintf(GFP_KERNEL, "%s%s: %s\n",
				      ctx->log_pending ?: "", op, line);

		if (out && ctx->log_held) {
			kfree(ctx->log_pending);
			ctx->log_pending = out;
		} else if (out) {
			len = strlen(out);
			kernel_write(ctx->logfile, out, len,
				     &ctx->logfile->f_pos);
			kfree(out);
		}
	}
	kfree(line);
}

/* Until ckpt_log_release(), keep log lines instead of writing them. */
void ckpt_log_hold(struct ckpt_ctx *ctx)
{
	ctx->log_held = true;
}

/* Write what was kept since ckpt_log_hold(): no lock held any more. */
void ckpt_log_release(struct ckpt_ctx *ctx)
{
	char *out = ctx->log_pending;

	ctx->log_held = false;
	ctx->log_pending = NULL;
	if (out && ctx->logfile)
		kernel_write(ctx->logfile, out, strlen(out),
			     &ctx->logfile->f_pos);
	kfree(out);
}
