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

static void ckpt_ctx_release(struct kref *ref)
{
	struct ckpt_ctx *ctx = container_of(ref, struct ckpt_ctx, ref);

	/* work queued by a failed operation still runs, exactly once */
	ckpt_deferqueue_run(ctx);
	if (ctx->parent)
		ckpt_ctx_put(ctx->parent);
	else
		ckpt_objhash_free(ctx);
	ckpt_tree_free(ctx);
	if (ctx->mm)
		mmput(ctx->mm);
	ckpt_mm_free(ctx);
	rstr_mm_free(ctx);
	rstr_signal_free(ctx);
	rstr_cred_free(ctx);
	rstr_cgroup_free(ctx);
	kvfree(ctx->prefix);
	kvfree(ctx->wbuf);
	ckpt_hasher_free(ctx->hasher);
	rstr_files_free(ctx);
	rstr_locks_free(ctx);
	rstr_fs_free(ctx);
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
