// SPDX-License-Identifier: GPL-2.0
/*
 * What eventfd.c, signalfd.c and timerfd.c share.
 *
 * Their state is read from their fdinfo, the view /proc/PID/fdinfo gives
 * of it, and at restart the files are made by their own system calls, as
 * the process made them: the new descriptor is only the way the calls
 * hand the file over, and is closed at once.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/kapi.h>

/*
 * Status flags fcntl(F_SETFL) could have given such a file; it is made
 * O_RDWR, and some kernels add O_LARGEFILE themselves.
 */
#define RSTR_ANON_SETFL		(O_APPEND | O_NONBLOCK | O_NOATIME)
#define RSTR_ANON_FLAGS		(O_ACCMODE | O_LARGEFILE | RSTR_ANON_SETFL)

/* The FILE record's f_flags are those a file of this kind can have. */
bool rstr_anon_flags_ok(const struct ckpt_hdr_file *hf)
{
	return (hf->f_flags & O_ACCMODE) == O_RDWR &&
	       !(hf->f_flags & ~RSTR_ANON_FLAGS);
}

/**
 * rstr_anon_take - the file a system call made at @fd, out of the table
 * @ctx: the restart context
 * @hf: the file's FILE record
 * @fd: the descriptor the call returned, or -errno
 * @what: the kind of file, for messages
 *
 * The file gets the status flags of @hf through fcntl(), with the checks
 * the process's own call would have had.  @fd is closed in any case.
 * Returns the file, referenced, or an ERR_PTR.
 */
struct file *rstr_anon_take(struct ckpt_ctx *ctx,
			    const struct ckpt_hdr_file *hf, long fd,
			    const char *what)
{
	struct file *file;
	long ret;

	if (fd < 0)
		return ERR_PTR(ckpt_err(ctx, (int)fd,
					"cannot make %s objref %d again", what,
					hf->objref));
	ret = kapi_fcntl(fd, F_SETFL, hf->f_flags & RSTR_ANON_SETFL);
	file = ret < 0 ? ERR_PTR(ret) : fget(fd);
	close_fd(fd);
	if (!file)
		file = ERR_PTR(-EBADF);	/* closed under us by a thread */
	if (IS_ERR(file))
		ckpt_err(ctx, (int)PTR_ERR(file),
			 "cannot set flags %#x on %s objref %d", hf->f_flags,
			 what, hf->objref);
	return file;
}
