// SPDX-License-Identifier: GPL-2.0
/*
 * signalfd files: the mask of the signals they read.
 *
 * That is all a signalfd holds: the signals it reads are those pending
 * for the task that reads it, which the task's own records bring back.
 * The mask comes from the signalfd's fdinfo; restart makes the signalfd
 * with signalfd4().
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/signal.h>
#include <linux/signalfd.h>
#include <linux/slab.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/kapi.h>

/* signals a signalfd never reads: signalfd4() drops them */
#define CKPT_SIGNALFD_NEVER	(sigmask(SIGKILL) | sigmask(SIGSTOP))

static int ckpt_signalfd_mask(struct file *file, u64 *mask)
{
	const char *p;
	char *info;
	int ret = 0;

	info = kapi_fdinfo(file);
	if (IS_ERR(info))
		return PTR_ERR(info);
	p = kapi_fdinfo_field(info, "sigmask:");
	if (!p || sscanf(p, "%llx", mask) != 1)
		ret = -EINVAL;
	kvfree(info);
	return ret;
}

static int ckpt_signalfd(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct ckpt_hdr_signalfd h = { .objref = objref };
	int ret;

	BUILD_BUG_ON(sizeof(sigset_t) != sizeof(h.sigmask));
	ret = ckpt_signalfd_mask(file, &h.sigmask);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"pid %d: cannot read the mask of signalfd objref %d",
				task_pid_vnr(ctx->target), objref);
	h.sigmask &= ~(u64)CKPT_SIGNALFD_NEVER;
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_SIGNALFD, sizeof(h), 0);
}

static struct file *rstr_signalfd(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *hf, char *name)
{
	struct ckpt_hdr_signalfd h;
	sigset_t mask;
	long fd;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_SIGNALFD, sizeof(h));
	if (ret < 0)
		return ERR_PTR(ret);
	if (h.h.len != sizeof(h) || h.objref != hf->objref || h.pad ||
	    h.sigmask & CKPT_SIGNALFD_NEVER || !rstr_anon_flags_ok(hf))
		return ERR_PTR(ckpt_err(ctx, -EINVAL,
					"SIGNALFD record at offset %llu: objref %d (FILE %d), mask %#llx, file flags %#x",
					ctx->hdr_pos, h.objref, hf->objref,
					h.sigmask, hf->f_flags));
	mask.sig[0] = h.sigmask;
	fd = kapi_signalfd4(&mask, SFD_CLOEXEC);
	return rstr_anon_take(ctx, hf, fd, "signalfd");
}

static int ckpt_signalfd_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_signalfd(ctx, d->file, d->hf->objref);
}

const struct ckpt_file_ops ckpt_signalfd_file_ops = {
	.name = "signalfd",
	.kinds = BIT(CKPT_FILE_SIGNALFD),
	.fops = KAPI_FOPS_SIGNALFD,
	.checkpoint = ckpt_signalfd_file,
	.restart = rstr_signalfd,
};
