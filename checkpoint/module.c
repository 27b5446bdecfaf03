// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint.ko: /dev/checkpoint and its ioctls.
 *
 * A module cannot add system calls, so linux-cr's checkpoint(2) and
 * restart(2) become ioctls on a misc device.  The device itself grants
 * nothing: every permission check happens in the operations.  An open
 * device file may hold one prepared restart of a tree, which the tasks
 * created for it join through the same (inherited) file.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>

static int ckpt_copy_args(struct ckpt_args *args, void __user *uarg)
{
	u32 size;
	int ret;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size < CKPT_ARGS_SIZE_VER0 || size > PAGE_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(args, sizeof(*args), uarg, size);
	/* unknown trailing fields that are set: an ABI the caller expects */
	return ret == -E2BIG ? -EINVAL : ret;
}

/* The image bytes a restarting caller read before the ioctl. */
static int ckpt_copy_prefix(struct ckpt_ctx *ctx, struct ckpt_args *args)
{
	void *prefix;

	if (!args->prefix_len)
		return 0;
	prefix = vmemdup_user(u64_to_user_ptr(args->prefix), args->prefix_len);
	if (IS_ERR(prefix))
		return PTR_ERR(prefix);
	ctx->prefix = prefix;
	ctx->prefix_len = args->prefix_len;
	return 0;
}

/* fget() @fd and require @mode; -1 means "none" where @optional. */
static struct file *ckpt_fget(int fd, fmode_t mode, bool optional)
{
	struct file *file;

	if (optional && fd == -1)
		return NULL;
	file = fd >= 0 ? fget(fd) : NULL;
	if (!file)
		return ERR_PTR(-EBADF);
	if (!(file->f_mode & mode)) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	return file;
}

static DEFINE_MUTEX(ckpt_prepare_lock);

/* The restart prepared on @filp, referenced; NULL if none. */
static struct ckpt_rstr_op *ckpt_prepared(struct file *filp)
{
	struct ckpt_rstr_op *op;

	mutex_lock(&ckpt_prepare_lock);
	op = filp->private_data;
	if (op)
		rstr_op_get(op);
	mutex_unlock(&ckpt_prepare_lock);
	return op;
}

static int ckpt_prepare(struct file *filp, struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_op *op;
	int ret;

	ret = rstr_prepare(ctx, &op);
	if (ret < 0)
		return ret;
	mutex_lock(&ckpt_prepare_lock);
	if (filp->private_data) {
		ret = -EBUSY;
	} else {
		filp->private_data = op;
		op = NULL;
	}
	mutex_unlock(&ckpt_prepare_lock);
	if (op)
		rstr_op_put(op);
	return ret;
}

/* The stream has moved on: an interrupted operation cannot restart. */
static long ckpt_no_restart(long ret)
{
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return ret;
}

static long ckpt_run(struct ckpt_args *args, enum ckpt_ctx_kind kind,
		     struct file *filp)
{
	fmode_t mode = kind == CKPT_CTX_CHECKPOINT ? FMODE_WRITE : FMODE_READ;
	struct file *file, *logfile;
	struct ckpt_ctx *ctx;
	long ret;

	file = ckpt_fget(args->fd, mode, false);
	if (IS_ERR(file))
		return PTR_ERR(file);
	logfile = ckpt_fget(args->logfd, FMODE_WRITE, true);
	if (IS_ERR(logfile)) {
		ret = PTR_ERR(logfile);
		goto out_file;
	}
	ctx = ckpt_ctx_alloc(kind, args->flags, file, logfile);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_log;
	}
	ret = ckpt_copy_prefix(ctx, args);
	if (ret < 0)
		goto out_ctx;
	if (kind == CKPT_CTX_CHECKPOINT)
		ret = ckpt_do_checkpoint(ctx, args->pid);
	else if (filp)
		ret = ckpt_prepare(filp, ctx);
	else
		ret = ckpt_do_restart(ctx);
out_ctx:
	ckpt_ctx_put(ctx);
	ret = ckpt_no_restart(ret);
out_log:
	if (logfile)
		fput(logfile);
out_file:
	fput(file);
	return ret;
}

static int ckpt_restart_args(struct ckpt_args *args, void __user *uarg)
{
	int ret = ckpt_copy_args(args, uarg);

	if (ret)
		return ret;
	if (args->flags & ~RESTART_FLAGS_ALL || args->pid != 0 ||
	    args->prefix_len > CKPT_PREFIX_MAX || args->pad ||
	    (args->prefix && !args->prefix_len))
		return -EINVAL;
	return 0;
}

/* A task of a prepared restart joins it: args.fd must be -1. */
static long ckpt_join(struct ckpt_rstr_op *op, struct ckpt_args *args)
{
	long ret;

	if (args->fd != -1 || args->prefix_len)
		ret = -EINVAL;
	else
		ret = ckpt_no_restart(rstr_join(op));
	rstr_op_put(op);
	return ret;
}

static long ckpt_wait(struct file *filp, void __user *uarg)
{
	struct ckpt_restart_status st = {};
	struct ckpt_rstr_op *op = ckpt_prepared(filp);
	long ret;

	if (!op)
		return -ENOENT;
	ret = rstr_wait(op, &st);
	rstr_op_put(op);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return ret;
}

static long ckpt_abort(struct file *filp, unsigned long err)
{
	struct ckpt_rstr_op *op;

	if (!err || err > MAX_ERRNO)
		return -EINVAL;
	op = ckpt_prepared(filp);
	if (!op)
		return -ENOENT;
	rstr_abort(op, -(int)err);
	rstr_op_put(op);
	return 0;
}

/*
 * The commands as uapi/linux/checkpoint.h defines them.  A struct
 * ckpt_args is versioned by its own size field, not by the size bits of
 * the command, which are those of whichever version the caller was built
 * with: any from the first one's up.  The others' sizes are fixed.
 */
static const struct ckpt_ioc_def {
	unsigned int cmd;
	unsigned int min_size;	/* 0: exactly _IOC_SIZE(cmd) */
} ckpt_ioc_defs[] = {
	{ CKPT_IOC_CHECKPOINT, CKPT_ARGS_SIZE_VER0 },
	{ CKPT_IOC_RESTART, CKPT_ARGS_SIZE_VER0 },
	{ CKPT_IOC_RESTART_PREPARE, CKPT_ARGS_SIZE_VER0 },
	{ CKPT_IOC_RESTART_WAIT, 0 },
	{ CKPT_IOC_RESTART_ABORT, 0 },
};

/*
 * The uapi command @cmd stands for, once its type, number, direction and
 * size bits are checked against the definition; 0 if none.
 */
static unsigned int ckpt_ioc_cmd(unsigned int cmd)
{
	const struct ckpt_ioc_def *def;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ckpt_ioc_defs); i++) {
		def = &ckpt_ioc_defs[i];
		if (_IOC_TYPE(cmd) != _IOC_TYPE(def->cmd) ||
		    _IOC_NR(cmd) != _IOC_NR(def->cmd))
			continue;
		if (_IOC_DIR(cmd) != _IOC_DIR(def->cmd))
			return 0;
		if (def->min_size)
			return _IOC_SIZE(cmd) >= def->min_size ? def->cmd : 0;
		return _IOC_SIZE(cmd) == _IOC_SIZE(def->cmd) ? def->cmd : 0;
	}
	return 0;
}

static long ckpt_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct ckpt_rstr_op *op;
	struct ckpt_args args;
	long ret;

	switch (ckpt_ioc_cmd(cmd)) {
	case CKPT_IOC_CHECKPOINT:
		ret = ckpt_copy_args(&args, (void __user *)arg);
		if (ret)
			return ret;
		if (args.flags & ~CHECKPOINT_FLAGS_ALL || args.prefix ||
		    args.prefix_len || args.pad)
			return -EINVAL;
		if (args.pid <= 0)
			return -ESRCH;
		return ckpt_run(&args, CKPT_CTX_CHECKPOINT, NULL);
	case CKPT_IOC_RESTART:
		ret = ckpt_restart_args(&args, (void __user *)arg);
		if (ret)
			return ret;
		op = ckpt_prepared(filp);
		if (op)
			return ckpt_join(op, &args);
		return ckpt_run(&args, CKPT_CTX_RESTART, NULL);
	case CKPT_IOC_RESTART_PREPARE:
		ret = ckpt_restart_args(&args, (void __user *)arg);
		if (ret)
			return ret;
		return ckpt_run(&args, CKPT_CTX_RESTART, filp);
	case CKPT_IOC_RESTART_WAIT:
		return ckpt_wait(filp, (void __user *)arg);
	case CKPT_IOC_RESTART_ABORT:
		return ckpt_abort(filp, arg);
	default:
		return -ENOTTY;
	}
}

static int ckpt_open(struct inode *inode, struct file *filp)
{
	filp->private_data = NULL;	/* misc_open() put the device here */
	return 0;
}

static int ckpt_release(struct inode *inode, struct file *filp)
{
	if (filp->private_data)
		rstr_op_put(filp->private_data);
	return 0;
}

static const struct file_operations ckpt_fops = {
	.owner = THIS_MODULE,
	.open = ckpt_open,
	.release = ckpt_release,
	.unlocked_ioctl = ckpt_ioctl,
	.compat_ioctl = NULL,	/* 32-bit callers are not supported */
	.llseek = noop_llseek,
};

static struct miscdevice ckpt_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "checkpoint",
	.fops = &ckpt_fops,
	.mode = 0666,
};

static int __init ckpt_init(void)
{
	int ret;

	ret = kapi_init();
	if (ret)
		return ret;
	ret = ckpt_cpu_init();
	if (ret)
		return ret;
	ret = misc_register(&ckpt_miscdev);
	if (ret)
		pr_err("cannot register /dev/checkpoint: %d\n", ret);
	return ret;
}

static void __exit ckpt_exit(void)
{
	misc_deregister(&ckpt_miscdev);
}

module_init(ckpt_init);
module_exit(ckpt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel checkpoint/restart of processes");
