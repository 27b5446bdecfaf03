// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup of each process, in the default (v2) hierarchy.
 *
 * Checkpoint saves the path of a process's cgroup as the checkpointer
 * sees it (relative to its cgroup namespace, as /proc/PID/cgroup shows
 * it); a thread in another cgroup than its process (threaded mode) and
 * a cgroup out of the checkpointer's namespace fail the checkpoint.
 *
 * Restart leaves the process where it is if that is the same cgroup
 * (rstr's, usually); else the process joins it the way a process
 * would, by writing to its cgroup.procs under /sys/fs/cgroup with the
 * credentials it restores - with the kernel's delegation checks, so a
 * restart moves a process nowhere its own ids could not.  A cgroup that
 * does not exist fails the restart, naming it, before anything is lost.
 * The v1 hierarchies are not saved: a process in a cgroup of a v1
 * controller's hierarchy other than its root fails the checkpoint by
 * name.  (A v1 hierarchy without controllers, such as a hybrid system's
 * name=systemd, controls no resource, and the kernel gives modules no
 * view of it.)
 */
#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sched.h>

#include <checkpoint/checkpoint.h>

#include "format.h"

#define CKPT_CGROUP_MOUNT	"/sys/fs/cgroup"

/* @t's cgroup path, relative to the caller's cgroup namespace. */
static int ckpt_cgroup_path(struct task_struct *t, char *buf, size_t size)
{
	struct cgroup *cgrp;
	int ret;

	/* RCU: the task's css_set, which a migration may free */
	rcu_read_lock();
	cgrp = task_dfl_cgroup(t);
	cgroup_get(cgrp);
	rcu_read_unlock();
	ret = cgroup_path_ns(cgrp, buf, size, current->nsproxy->cgroup_ns);
	cgroup_put(cgrp);
	if (ret >= (int)size)
		return -ENAMETOOLONG;
	return ret < 0 ? ret : 0;
}

/* A thread's cgroup must be its process's: the one record is for both. */
static bool ckpt_cgroup_same_as_leader(struct task_struct *t)
{
	bool same;

	/* RCU: the two css_sets, compared, not kept */
	rcu_read_lock();
	same = task_dfl_cgroup(t) == task_dfl_cgroup(t->group_leader);
	rcu_read_unlock();
	return same;
}

/* The first v1 controller @t is below the root of, referenced; or NULL. */
static struct cgroup *ckpt_cgroup_v1(struct task_struct *t,
				     const char **name)
{
	struct cgroup_subsys_state *css;
	struct cgroup *cgrp = NULL;
	int i;

	/* RCU: the task's css_set; the cgroup found is referenced */
	rcu_read_lock();
	for (i = 0; i < CGROUP_SUBSYS_COUNT && !cgrp; i++) {
		css = task_css(t, i);
		if (css && css->cgroup->root != &cgrp_dfl_root &&
		    cgroup_parent(css->cgroup)) {
			cgrp = css->cgroup;
			cgroup_get(cgrp);
			*name = css->ss->name;
		}
	}
	rcu_read_unlock();
	return cgrp;
}

/* A v1 membership restart could not give back fails the checkpoint. */
static int ckpt_cgroup_v1_check(struct ckpt_ctx *ctx, struct task_struct *t,
				char *path)
{
	const char *name = NULL;
	struct cgroup *cgrp;
	int ret;

	cgrp = ckpt_cgroup_v1(t, &name);
	if (!cgrp)
		return 0;
	ret = cgroup_path_ns(cgrp, path, CKPT_PATH_MAX,
			     current->nsproxy->cgroup_ns);
	cgroup_put(cgrp);
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d: in cgroup %s of the v1 %s hierarchy: not supported",
			task_pid_vnr(t), ret < 0 ? "?" : path, name);
}

/* The CGROUP record of @t's process; a thread's cgroup is checked. */
int ckpt_cgroup(struct ckpt_ctx *ctx, struct task_struct *t, bool first)
{
	struct ckpt_hdr_cgroup hc = {};
	char *path;
	int ret;

	if (!ckpt_cgroup_same_as_leader(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: a thread in another cgroup than its process (threaded cgroups): not supported",
				task_pid_vnr(t));
	path = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	ret = ckpt_cgroup_v1_check(ctx, t, path);
	if (ret < 0 || !first)
		goto out;
	ret = ckpt_cgroup_path(t, path, CKPT_PATH_MAX);
	if (ret < 0) {
		ret = ckpt_err(ctx, ret, "pid %d: no path for its cgroup",
			       task_pid_vnr(t));
		goto out;
	}
	/* cgroup_path_ns() climbs with "/.." out of our namespace */
	if (path[0] != '/' || strstr(path, "/..")) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: its cgroup %s is outside the checkpointer's cgroup namespace",
			       task_pid_vnr(t), path);
		goto out;
	}
	hc.path_len = strlen(path) + 1;
	ret = ckpt_write_obj(ctx, &hc.h, CKPT_HDR_CGROUP, sizeof(hc),
			     hc.path_len);
	if (ret)
		goto out;
	ret = ckpt_write_string(ctx, path, hc.path_len);
out:
	kfree(path);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

static void rstr_cgroup_free(void *path)
{
	kfree(path);
}

/* Is @path, under the cgroup2 mount, our own cgroup? */
static int rstr_cgroup_is_ours(const char *path, bool *ours)
{
	char *buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = ckpt_cgroup_path(current, buf, CKPT_PATH_MAX);
	if (!ret)
		*ours = !strcmp(buf, path);
	kfree(buf);
	return ret;
}

/* CKPT_CGROUP_MOUNT followed by @path: a new string. */
static char *rstr_cgroup_file(const char *path, const char *name)
{
	return kasprintf(GFP_KERNEL, "%s%s%s", CKPT_CGROUP_MOUNT,
			 strcmp(path, "/") ? path : "", name);
}

/* The cgroup must be there, a directory of the cgroup2 mount. */
static int rstr_cgroup_exists(struct ckpt_ctx *ctx, const char *path)
{
	char *dir = rstr_cgroup_file(path, "");
	struct path p;
	int ret;

	if (!dir)
		return -ENOMEM;
	ret = kern_path(dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (!ret) {
		if (p.dentry->d_sb->s_magic != CGROUP2_SUPER_MAGIC)
			ret = -ENOENT;
		path_put(&p);
	}
	if (ret < 0)
		ckpt_err(ctx, ret, "CGROUP record at offset %llu: cgroup %s: no such cgroup2 directory %s",
			 ctx->hdr_pos, path, dir);
	kfree(dir);
	return ret;
}

int rstr_cgroup_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_cgroup hc;
	bool ours = false;
	char *path;
	int ret;

	hc.h = *h;
	ret = ckpt_read_payload(ctx, &hc.h, sizeof(hc));
	if (ret < 0)
		return ret;
	if (hc.pad || !hc.path_len || hc.path_len > CKPT_PATH_MAX ||
	    hc.h.len != sizeof(hc) + ALIGN(hc.path_len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"CGROUP record at offset %llu: path length %u, length %u",
				ctx->hdr_pos, hc.path_len, hc.h.len);
	path = ckpt_read_string(ctx, hc.path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (!ckpt_cgroup_path_ok(path)) {
		ret = ckpt_err(ctx, -EINVAL,
			       "CGROUP record at offset %llu: bad cgroup path %s",
			       ctx->hdr_pos, path);
		goto out_free;
	}
	ret = rstr_cgroup_is_ours(path, &ours);
	if (ret)
		goto out_free;
	if (ours) {
		kfree(path);
		return 0;
	}
	ret = rstr_cgroup_exists(ctx, path);
	if (ret)
		goto out_free;
	/* a cgroup to join, not ours */
	ckpt_state_set(ctx, CKPT_STATE_RSTR_CGROUP, path, rstr_cgroup_free);
	return 0;
out_free:
	kfree(path);
	return ret;
}

/*
 * Join the saved cgroup, as "echo 0 > cgroup.procs" by the restored
 * process would: the file is opened with its restored credentials.
 */
int rstr_cgroup(struct ckpt_ctx *ctx)
{
	const char *cgroup = ckpt_state(ctx, CKPT_STATE_RSTR_CGROUP);
	char *name;
	struct file *file;
	loff_t pos = 0;
	ssize_t n;
	int ret = 0;

	if (!cgroup)
		return 0;
	name = rstr_cgroup_file(cgroup, "/cgroup.procs");
	if (!name)
		return -ENOMEM;
	file = filp_open(name, O_WRONLY, 0);
	if (IS_ERR(file)) {
		ret = ckpt_err(ctx, (int)PTR_ERR(file),
			       "pid %d: cannot open %s to join its cgroup",
			       task_pid_vnr(current), name);
		goto out;
	}
	if (file_inode(file)->i_sb->s_magic != CGROUP2_SUPER_MAGIC)
		n = -ENOENT;
	else
		n = kernel_write(file, "0", 1, &pos);
	fput(file);
	if (n != 1)
		ret = ckpt_err(ctx, n < 0 ? (int)n : -EIO,
			       "pid %d: cannot join its cgroup %s",
			       task_pid_vnr(current), cgroup);
out:
	kfree(name);
	return ret;
}
