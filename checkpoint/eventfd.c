// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd files: a 64-bit count, and whether reads take it whole or one
 * at a time (EFD_SEMAPHORE).
 *
 * The count comes from the eventfd's fdinfo; the semaphore flag too
 * where the kernel shows it there, else from the eventfd's context,
 * checked against the fdinfo (checkpoint/kapi/private.c).  Restart
 * makes the eventfd with eventfd2(); a count beyond the unsigned int
 * eventfd2() takes is written into it, as the process would add to it.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

/* a count that changes between two looks: another task adds to it */
#define CKPT_EVENTFD_TRIES	3

struct ckpt_eventfd_info {
	u64 count;
	int id;
	int semaphore;		/* 0 or 1; -1: the fdinfo does not say */
};

static int ckpt_eventfd_info(struct file *file, struct ckpt_eventfd_info *ei)
{
	const char *count, *id, *sem;
	char *info;
	int ret = 0;

	info = kapi_fdinfo(file);
	if (IS_ERR(info))
		return PTR_ERR(info);
	count = kapi_fdinfo_field(info, "eventfd-count:");
	id = kapi_fdinfo_field(info, "eventfd-id:");
	sem = kapi_fdinfo_field(info, "eventfd-semaphore:");
	ei->semaphore = -1;
	if (!count || !id || sscanf(count, "%llx", &ei->count) != 1 ||
	    sscanf(id, "%d", &ei->id) != 1 ||
	    (sem && (sscanf(sem, "%d", &ei->semaphore) != 1 ||
		     ei->semaphore < 0 || ei->semaphore > 1)))
		ret = -EINVAL;
	kvfree(info);
	return ret;
}

static int ckpt_eventfd(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct ckpt_hdr_eventfd h = { .objref = objref };
	struct ckpt_eventfd_info ei;
	int i, flags, ret;

	for (i = 0; i < CKPT_EVENTFD_TRIES; i++) {
		ret = ckpt_eventfd_info(file, &ei);
		if (ret < 0)
			return ckpt_err(ctx, ret,
					"pid %d: cannot read the state of eventfd objref %d",
					task_pid_vnr(ctx->target), objref);
		if (ei.semaphore >= 0)
			break;
		flags = kapi_eventfd_flags(file, ei.count, ei.id);
		if (flags >= 0) {
			ei.semaphore = !!(flags & EFD_SEMAPHORE);
			break;
		}
	}
	if (ei.semaphore < 0)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: eventfd objref %d: this kernel does not tell whether it is a semaphore (EFD_SEMAPHORE)",
				task_pid_vnr(ctx->target), objref);
	/* only the kernel's eventfd_signal() gets there; no write can */
	if (ei.count == ULLONG_MAX)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: eventfd objref %d has overflowed (count %#llx): not supported",
				task_pid_vnr(ctx->target), objref, ei.count);
	h.count = ei.count;
	h.flags = ei.semaphore ? CKPT_EVENTFD_SEMAPHORE : 0;
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_EVENTFD, sizeof(h), 0);
}

/* Add @count to the new eventfd at @fd, as write() does. */
static int rstr_eventfd_add(int fd, u64 count)
{
	long n;

	n = kapi_write(fd, &count, sizeof(count));
	if (n < 0)
		return (int)n;
	return n == sizeof(count) ? 0 : -EIO;
}

static struct file *rstr_eventfd(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_file *hf, char *name)
{
	struct ckpt_hdr_eventfd h;
	unsigned int flags;
	long fd;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_EVENTFD, sizeof(h));
	if (ret < 0)
		return ERR_PTR(ret);
	if (h.h.len != sizeof(h) || h.objref != hf->objref ||
	    h.flags & ~CKPT_EVENTFD_SEMAPHORE || h.count == ULLONG_MAX ||
	    !rstr_anon_flags_ok(hf))
		return ERR_PTR(ckpt_err(ctx, -EINVAL,
					"EVENTFD record at offset %llu: objref %d (FILE %d), flags %#x, count %#llx, file flags %#x",
					ctx->hdr_pos, h.objref, hf->objref,
					h.flags, h.count, hf->f_flags));
	flags = EFD_CLOEXEC;
	if (h.flags & CKPT_EVENTFD_SEMAPHORE)
		flags |= EFD_SEMAPHORE;
	/* eventfd2() takes an unsigned int: a larger count is written */
	fd = kapi_eventfd2(h.count <= UINT_MAX ? h.count : 0, flags);
	if (fd >= 0 && h.count > UINT_MAX) {
		ret = rstr_eventfd_add(fd, h.count);
		if (ret < 0) {
			close_fd(fd);
			return ERR_PTR(ckpt_err(ctx, ret,
						"cannot set the count of eventfd objref %d to %#llx",
						hf->objref, h.count));
		}
	}
	return rstr_anon_take(ctx, hf, fd, "eventfd");
}

static int ckpt_eventfd_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_eventfd(ctx, d->file, d->hf->objref);
}

const struct ckpt_file_ops ckpt_eventfd_file_ops = {
	.name = "eventfd",
	.kinds = BIT(CKPT_FILE_EVENTFD),
	.fops = KAPI_FOPS_EVENTFD,
	.checkpoint = ckpt_eventfd_file,
	.restart = rstr_eventfd,
};
