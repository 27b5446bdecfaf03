// SPDX-License-Identifier: GPL-2.0
/*
 * Where a process stands in the file system: its working directory, its
 * root and its umask.
 */
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/cred.h>
#include <linux/mount.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

struct ckpt_rstr_fs {
	struct path pwd;
	char *pwd_name;
	struct path root;
	u32 umask;
	bool same_root;
};

/*
 * A deleted directory has no path to look up again, and none can be
 * made again without a name (its d_path() only looks like one).
 */
static int ckpt_fs_deleted(struct ckpt_ctx *ctx, struct task_struct *t,
			   const struct path *path, const char *name,
			   const char *what)
{
	if (!d_unlinked(path->dentry))
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d: its %s %s was deleted: not supported",
			task_pid_vnr(t), what, IS_ERR(name) ? "?" : name);
}

int ckpt_fs(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_fs hf = { .objref = ctx->ts.task.fs_objref };
	char *cwd = NULL, *root = NULL;
	struct path pwd_path, root_path;
	int ret;

	/* task_lock: t->fs, which exit clears; fs->lock is get_fs_*()'s */
	task_lock(t);
	if (!t->fs) {
		task_unlock(t);
		return -ESRCH;
	}
	get_fs_pwd(t->fs, &pwd_path);
	get_fs_root(t->fs, &root_path);
	hf.umask = t->fs->umask;
	task_unlock(t);

	cwd = ckpt_abs_path_name(&pwd_path, &hf.cwd_len);
	root = ckpt_abs_path_name(&root_path, &hf.root_len);
	ret = ckpt_fs_deleted(ctx, t, &pwd_path, cwd, "cwd") ?:
	      ckpt_fs_deleted(ctx, t, &root_path, root, "root");
	path_put(&pwd_path);
	path_put(&root_path);
	if (ret < 0)
		goto out;
	ret = PTR_ERR_OR_ZERO(cwd) ?: PTR_ERR_OR_ZERO(root);
	if (ret < 0) {
		ret = ckpt_err(ctx, ret,
			       "pid %d: no path from the checkpointer's root to its cwd or root",
			       task_pid_vnr(t));
		goto out;
	}
	ret = ckpt_write_obj(ctx, &hf.h, CKPT_HDR_FS, sizeof(hf),
			     ALIGN(hf.cwd_len, CKPT_ALIGN) + hf.root_len);
	if (ret)
		goto out;
	ret = ckpt_write_string(ctx, cwd, hf.cwd_len);
	if (ret)
		goto out;
	ret = ckpt_write_string(ctx, root, hf.root_len);
out:
	if (!IS_ERR(cwd))
		kfree(cwd);
	if (!IS_ERR(root))
		kfree(root);
	return ret;
}

static void rstr_fs_free(void *ptr)
{
	struct ckpt_rstr_fs *rfs = ptr;

	path_put(&rfs->pwd);
	path_put(&rfs->root);
	kfree(rfs->pwd_name);
	kfree(rfs);
}

/* The cwd, root and umask its FS record read, NULL before. */
static struct ckpt_rstr_fs *rstr_fs_state(struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_RSTR_FS);
}

/*
 * Look @name up now, so that a missing directory fails the restart
 * early; *@keep: the name, kept, if asked for.
 */
static int rstr_fs_dir(struct ckpt_ctx *ctx, u32 len, struct path *path,
		       char **keep)
{
	char *name = ckpt_read_path(ctx, len);
	int ret;

	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);
	if (ret < 0)
		ckpt_err(ctx, ret, "FS record: cannot find directory %s", name);
	if (!ret && keep)
		*keep = name;
	else
		kfree(name);
	return ret;
}

/*
 * The caller's fs_struct is changed in place: only tasks of this restart,
 * which the image says share it, may share it.
 * A different root is only taken where chroot() would be allowed.
 */
static int rstr_fs_check(struct ckpt_ctx *ctx, struct ckpt_rstr_fs *rfs)
{
	struct fs_struct *fs = current->fs;
	struct path cur;
	bool same_root;
	int users;

	/* fs->lock: the count of its users, which fork and exit change */
	spin_lock(&fs->lock);
	users = fs->users;
	spin_unlock(&fs->lock);
	if (users > rstr_fs_sharers(ctx, fs))
		return ckpt_err(ctx, -EINVAL,
				"pid %d shares its cwd and root with a process outside the restart",
				ctx->ts.task.pid);
	get_fs_root(fs, &cur);
	same_root = path_equal(&cur, &rfs->root);
	path_put(&cur);
	if (!same_root && !ns_capable(current_user_ns(), CAP_SYS_CHROOT))
		return ckpt_err(ctx, -EPERM,
				"restoring a different root needs CAP_SYS_CHROOT");
	rfs->same_root = same_root;
	return 0;
}

int rstr_fs_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_fs *rfs;
	struct ckpt_hdr_fs hf;
	int ret;

	hf.h = *h;
	ret = ckpt_read_payload(ctx, &hf.h, sizeof(hf));
	if (ret < 0)
		return ret;
	if (hf.umask & ~0777 || hf.objref != ctx->ts.task.fs_objref ||
	    hf.cwd_len > CKPT_PATH_MAX ||
	    hf.root_len > CKPT_PATH_MAX ||
	    hf.h.len != sizeof(hf) + ALIGN(hf.cwd_len, CKPT_ALIGN) +
			ALIGN(hf.root_len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"FS record at offset %llu: umask %#o, objref %d, lengths %u %u %u",
				ctx->hdr_pos, hf.umask, hf.objref, hf.cwd_len,
				hf.root_len, hf.h.len);
	rfs = kzalloc(sizeof(*rfs), GFP_KERNEL);
	if (!rfs)
		return -ENOMEM;
	ret = rstr_fs_dir(ctx, hf.cwd_len, &rfs->pwd, &rfs->pwd_name);
	if (ret < 0) {
		kfree(rfs);
		return ret;
	}
	ret = rstr_fs_dir(ctx, hf.root_len, &rfs->root, NULL);
	if (ret < 0) {
		path_put(&rfs->pwd);
		kfree(rfs->pwd_name);
		kfree(rfs);
		return ret;
	}
	rfs->umask = hf.umask;
	ckpt_state_set(ctx, CKPT_STATE_RSTR_FS, rfs, rstr_fs_free);
	return rstr_fs_check(ctx, rfs);
}

/**
 * rstr_fs_perm - may the restored task chdir() to its cwd?
 * @ctx: the task's restart context, its whole section read
 *
 * Once the section is read its credentials are known (rstr_cred_of()):
 * the cwd is looked up again with them and checked as chdir(2) checks
 * it, so that a restart by root gives no process a cwd its own ids
 * could not enter.  The same directory must come of it.
 */
int rstr_fs_perm(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_fs *rfs = rstr_fs_state(ctx);
	const struct cred *old;
	struct path p;
	int ret;

	if (!rfs || !rstr_cred_of(ctx))
		return 0;
	old = override_creds(rstr_cred_of(ctx));
	ret = kern_path(rfs->pwd_name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (!ret) {
		ret = inode_permission(ckpt_path_idmap(&p), d_inode(p.dentry),
				       MAY_EXEC | MAY_CHDIR);
		if (!ret && !path_equal(&p, &rfs->pwd))
			ret = -ESTALE;
		path_put(&p);
	}
	revert_creds(old);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"pid %d: its credentials do not let it chdir() to its cwd %s",
				ctx->ts.task.pid, rfs->pwd_name);
	return 0;
}

/* Checked by rstr_fs_check() and rstr_fs_perm() already. */
int rstr_fs(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_fs *rfs = rstr_fs_state(ctx);
	struct fs_struct *fs = current->fs;

	if (!rfs)
		return 0;
	if (!rfs->same_root)
		kapi_set_fs_root(fs, &rfs->root);
	kapi_set_fs_pwd(fs, &rfs->pwd);
	WRITE_ONCE(fs->umask, rfs->umask);
	return 0;
}
