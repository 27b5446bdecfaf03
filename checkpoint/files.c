// SPDX-License-Identifier: GPL-2.0
/*
 * Open files and the fd table.
 *
 * Each open file is saved once, as a FILE record keyed by its objref,
 * however many descriptors share it; the FILES record then lists the
 * descriptors by number, each naming a FILE.  Restart opens every file
 * before the point of no return - a file that is gone fails the restart
 * with nothing lost - and installs one struct file at every descriptor
 * that shared it, so dup()ed descriptors share one offset again.
 *
 * Regular files and directories are opened again by path, an unlinked
 * file is recreated from its saved contents, memory devices (/dev/null,
 * /dev/zero...) by path, pipes and FIFOs by pipe.c, ptys whose master
 * the tree holds by pty.c.  Other terminals, pipes and sockets at fds
 * 0-2 are the caller's business: they are taken from the restarting
 * caller, like a shell job's stdio.  Any other kind fails
 * the checkpoint, by name.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/major.h>
#include <linux/magic.h>
#include <linux/kdev_t.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/kapi.h>

/* status flags a file keeps after open, and we know how to restore */
#define CKPT_FILE_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | \
			 __O_SYNC | O_DIRECT | O_LARGEFILE | O_NOATIME | \
			 O_PATH | O_DIRECTORY | O_NOFOLLOW)
static_assert(CKPT_FILE_FLAGS == CKPT_FILE_FLAGS_ALL);

#define CKPT_MEMFD	"/memfd:"

/* ---------------------------------------------------------------------- */
/* checkpoint */

/* /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom */
static bool ckpt_chr_supported(dev_t rdev)
{
	if (MAJOR(rdev) != MEM_MAJOR)
		return false;
	switch (MINOR(rdev)) {
	case 3: case 5: case 7: case 8: case 9:
		return true;
	}
	return false;
}

static const char *ckpt_file_type(umode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "pipe or FIFO";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case 0: return "anonymous inode";
	}
	return "file";
}

/*
 * A pipe or a connected socket whose other end a process outside the
 * tree holds: at fds 0-2 it is the caller's to connect, as a shell's
 * job's stdio is (INHERIT); elsewhere the tree cannot have it back.
 * With every end in the tree it is the tree's own, even at stdio: the
 * two sides of "a | b" in a checkpointed shell, with what is in between.
 * The kinds ask here whether their file is at stdio.
 */
bool ckpt_file_stdio(const struct ckpt_file_desc *d)
{
	return d->fd >= 0 && d->fd <= 2;
}

/* A pipe's or a socket's: an inode, not a file; each end is a file. */
int ckpt_file_inode_obj(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d,
			bool *first)
{
	return ckpt_obj_lookup_add(ctx, file_inode(d->file), CKPT_OBJ_INODE,
				   first);
}

/*
 * Regular files, directories and memory devices: opened again by path.
 * A deleted directory or device node has none, and neither can be made
 * again without a name; a deleted regular file is unlinked.c's.
 */
static int ckpt_path_match(struct ckpt_ctx *ctx,
			   const struct ckpt_file_desc *d)
{
	struct inode *inode = file_inode(d->file);
	umode_t mode = inode->i_mode;

	if (!S_ISREG(mode) && !S_ISDIR(mode) && !S_ISCHR(mode))
		return 0;
	if (d_unlinked(d->file->f_path.dentry)) {
		if (S_ISREG(mode))
			return 0;
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: %s is a deleted %s: not supported",
				task_pid_vnr(ctx->target), d->fd, d->name,
				S_ISDIR(mode) ? "directory" : "device node");
	}
	if (S_ISREG(mode))
		return CKPT_FILE_REG;
	if (S_ISDIR(mode))
		return CKPT_FILE_DIR;
	return ckpt_chr_supported(inode->i_rdev) ? CKPT_FILE_CHR : 0;
}

/* Another terminal or socket at stdio: the caller's, as a shell's. */
static int ckpt_inherit_match(struct ckpt_ctx *ctx,
			      const struct ckpt_file_desc *d)
{
	return ckpt_file_stdio(d) ? CKPT_FILE_INHERIT : 0;
}

/* Checkpoint asks them in this order: the first kind that takes a file. */
static const struct ckpt_file_ops *const ckpt_file_kinds[] = {
	&ckpt_unlinked_file_ops,
	&ckpt_path_file_ops,
	&ckpt_eventfd_file_ops,
	&ckpt_signalfd_file_ops,
	&ckpt_timerfd_file_ops,
	&ckpt_epoll_file_ops,
	&ckpt_inotify_file_ops,
	&ckpt_pipe_file_ops,
	/* a pty whose master the tree has is saved, even at stdio */
	&ckpt_pty_file_ops,
	&ckpt_unix_file_ops,
	&ckpt_inherit_file_ops,
};

/* The kind of FILE records of kind @kind, NULL if none (from an image). */
static const struct ckpt_file_ops *ckpt_file_ops_of(u32 kind)
{
	unsigned int i;

	if (kind >= 32)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (ckpt_file_kinds[i]->kinds & BIT(kind))
			return ckpt_file_kinds[i];
	return NULL;
}

static int ckpt_file_match(struct ckpt_ctx *ctx,
			   const struct ckpt_file_ops *ops,
			   const struct ckpt_file_desc *d)
{
	if (ops->fops)
		return kapi_file_is(d->file, ops->fops) ? __ffs(ops->kinds) : 0;
	return ops->match(ctx, d);
}

static int ckpt_file_kind(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	struct inode *inode = file_inode(d->file);
	umode_t mode = inode->i_mode;
	unsigned int i;
	int kind;

	kind = ckpt_lease_check(ctx, d->file, d->fd);
	if (kind < 0)
		return kind;
	if (d->file->f_flags & FASYNC)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d (%s): O_ASYNC is not supported yet",
				task_pid_vnr(ctx->target), d->fd, d->name);
	/* reopened by name, a /proc file would be another process's */
	if (inode->i_sb->s_magic == PROC_SUPER_MAGIC)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: %s is a /proc file: not supported yet",
				task_pid_vnr(ctx->target), d->fd, d->name);
	if (S_ISREG(mode) &&
	    !strncmp(d->name, CKPT_MEMFD, strlen(CKPT_MEMFD)))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: %s is a memfd: not supported yet",
				task_pid_vnr(ctx->target), d->fd, d->name);
	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++) {
		kind = ckpt_file_match(ctx, ckpt_file_kinds[i], d);
		if (kind)
			return kind;
	}
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d fd %d: %s (%s) is not supported yet",
			task_pid_vnr(ctx->target), d->fd, d->name,
			ckpt_file_type(mode));
}

static int ckpt_file(struct ckpt_ctx *ctx, struct ckpt_fd_info *fi, int objref)
{
	struct inode *inode = file_inode(fi->file);
	struct ckpt_hdr_file hf = {};
	struct ckpt_file_desc d = { .file = fi->file, .fd = fi->fd, .hf = &hf };
	const struct ckpt_file_ops *ops;
	bool first_obj = false;
	char *name;
	int ret;

	name = ckpt_path_name(&fi->file->f_path, &hf.path_len);
	if (IS_ERR(name))
		return ckpt_err(ctx, (int)PTR_ERR(name),
				"pid %d fd %d: no path for its file",
				task_pid_vnr(ctx->target), fi->fd);
	d.name = name;
	ret = ckpt_file_kind(ctx, &d);
	if (ret < 0)
		goto out;
	hf.kind = ret;
	/* the kind it is saved as: an end held outside is INHERIT's */
	ops = ckpt_file_ops_of(hf.kind);
	if (WARN_ON_ONCE(!ops)) {
		ret = -EINVAL;
		goto out;
	}
	/* a regular file with no path ("time:[4026531834]", an nsfs file) */
	if (ops->by_path & BIT(hf.kind) && name[0] != '/') {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d fd %d: %s has no path to open it again by: not supported",
			       task_pid_vnr(ctx->target), fi->fd, name);
		goto out;
	}
	if (ops->deps) {
		ret = ops->deps(ctx, &d);
		if (ret < 0)
			goto out;
	}
	hf.objref = objref;
	hf.f_flags = fi->file->f_flags & CKPT_FILE_FLAGS;
	hf.mode = inode->i_mode;
	hf.pos = fi->file->f_pos;
	hf.size = i_size_read(inode);
	hf.inherit_fd = hf.kind == CKPT_FILE_INHERIT ? fi->fd : -1;
	if (ops->rdev & BIT(hf.kind))
		hf.rdev = new_encode_dev(inode->i_rdev);
	if (ops->obj) {
		ret = ops->obj(ctx, &d, &first_obj);
		if (ret < 0)
			goto out;
		hf.obj_objref = ret;
	}
	ret = ckpt_write_obj(ctx, &hf.h, CKPT_HDR_FILE, sizeof(hf),
			     hf.path_len);
	if (ret)
		goto out;
	ret = ckpt_write_string(ctx, name, hf.path_len);
	if (ret)
		goto out;
	/* a shared object's records follow its first FILE only */
	if (ops->checkpoint && (!ops->obj || first_obj)) {
		ret = ops->checkpoint(ctx, &d);
		if (ret)
			goto out;
	}
	ret = ckpt_file_locks(ctx, fi->file, fi->fd, objref,
			      hf.kind == CKPT_FILE_INHERIT);
out:
	kfree(name);
	return ret;
}

/**
 * ckpt_file_obj - the objref of @file, its FILE record written if first
 * @ctx: the task's checkpoint context
 * @file: an open file the task uses
 * @fd: the descriptor it is known by, for messages and stdio; -1 if none
 * (a file in flight)
 *
 * Files that refer to others (an epoll) write those first: a FILE record
 * only ever names files before it in the image.
 */
/* A FILE record being written: its objref is out, its record not yet. */
struct ckpt_file_wip {
	struct ckpt_file_wip *next;
	struct file *file;
};

/**
 * ckpt_file_writing - is @file's FILE record being written still?
 * @ctx: the task's checkpoint context
 * @file: a file that has an objref
 *
 * Its dependencies are written first; one of them that names @file (a
 * socket holding in flight the epoll that watches it) would name a FILE
 * that comes after it in the image, which restart cannot have.
 */
bool ckpt_file_writing(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_file_wip *w;

	for (w = ckpt_state(ctx, CKPT_STATE_FILES_WIP); w; w = w->next)
		if (w->file == file)
			return true;
	return false;
}

int ckpt_file_obj(struct ckpt_ctx *ctx, struct file *file, int fd)
{
	struct ckpt_fd_info fi = { .fd = fd, .file = file };
	struct ckpt_file_wip wip = { .file = file };
	bool first;
	int ret;

	ret = ckpt_obj_lookup_add(ctx, file, CKPT_OBJ_FILE, &first);
	/* the same struct file is already an object of another kind */
	if (ret == -EINVAL)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: its file is also mapped as shared memory: not supported yet",
				task_pid_vnr(ctx->target), fd);
	if (ret > 0 && first) {
		int err;

		/* on the stack: nothing to free */
		wip.next = ckpt_state(ctx, CKPT_STATE_FILES_WIP);
		ckpt_state_set(ctx, CKPT_STATE_FILES_WIP, &wip, NULL);
		err = ckpt_file(ctx, &fi, ret);
		ckpt_state_set(ctx, CKPT_STATE_FILES_WIP, wip.next, NULL);
		if (err < 0)
			return err;
	}
	return ret;
}

/* The first file of @files that @match takes, at @fd if @fd >= 0. */
static struct file *ckpt_table_file(struct files_struct *files, int fd,
				    bool (*match)(struct file *, void *),
				    void *arg)
{
	struct file *found = NULL, *f;
	struct fdtable *fdt;
	unsigned int i, lo, hi;

	/* file_lock: the fd table and its files */
	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	lo = fd >= 0 && fd < fdt->max_fds ? fd : 0;
	hi = fd >= 0 ? min_t(unsigned int, fd + 1, fdt->max_fds) :
		       fdt->max_fds;
	for (i = lo; i < hi && !found; i++) {
		f = rcu_dereference_protected(fdt->fd[i],
				lockdep_is_held(&files->file_lock));
		if (f && match(f, arg))
			found = get_file(f);
	}
	spin_unlock(&files->file_lock);
	return found;
}

/**
 * ckpt_tree_file - a file some task of the tree has open, referenced
 * @ctx: the task's checkpoint context
 * @fd: where to look first, in every table; -1: anywhere
 * @match: what the file must be, called under the table's spinlock
 * @arg: for @match
 *
 * Files that refer to others (an epoll's watches, a connection waiting
 * for its listener) find them here.  NULL: no task of the tree has it.
 */
struct file *ckpt_tree_file(struct ckpt_ctx *ctx, int fd,
			    bool (*match)(struct file *, void *), void *arg)
{
	struct ckpt_ctx *op = ctx->parent ?: ctx;
	struct files_struct *files;
	struct file *file = NULL;
	int pass;
	u32 t;

	for (pass = fd >= 0 ? 0 : 1; pass < 2 && !file; pass++) {
		for (t = 0; t < op->nr_tree && !file; t++) {
			if (!op->tree[t].ctx)
				continue;
			/* task_lock: ->files, which exit clears */
			task_lock(op->tree[t].task);
			files = op->tree[t].task->files;
			if (files)
				file = ckpt_table_file(files, pass ? -1 : fd,
						       match, arg);
			task_unlock(op->tree[t].task);
		}
	}
	return file;
}

/*
 * Every open descriptor of the frozen target, each with a file reference:
 * the FILES record's, and the tables locks.c looks for POSIX locks in.
 */
int ckpt_collect_fds(struct files_struct *files, struct ckpt_fd_info **pfi,
		     unsigned int *pnr)
{
	struct ckpt_fd_info *fi;
	unsigned int nr, i = 0, fd;
	struct fdtable *fdt;
	struct file *file;

	/* file_lock: the fd table, its size and open bits */
	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	nr = bitmap_weight(fdt->open_fds, fdt->max_fds);
	spin_unlock(&files->file_lock);

	/* the target is frozen and alone with its table: nr holds */
	fi = kvcalloc(nr ?: 1, sizeof(*fi), GFP_KERNEL);
	if (!fi)
		return -ENOMEM;
	/* file_lock: the fd table and its files */
	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	for_each_set_bit(fd, fdt->open_fds, fdt->max_fds) {
		file = rcu_dereference_protected(fdt->fd[fd],
				lockdep_is_held(&files->file_lock));
		if (!file || i == nr)
			continue;	/* reserved by an open in progress */
		fi[i].fd = fd;
		fi[i].cloexec = test_bit(fd, fdt->close_on_exec);
		fi[i].file = get_file(file);
		i++;
	}
	spin_unlock(&files->file_lock);
	*pfi = fi;
	*pnr = i;
	return 0;
}

/* Drop what ckpt_collect_fds() collected. */
void ckpt_put_fds(struct ckpt_fd_info *fi, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		fput(fi[i].file);
	kvfree(fi);
}

static int ckpt_write_fds(struct ckpt_ctx *ctx, struct ckpt_fd_info *fi,
			  unsigned int nr, int *objrefs)
{
	struct ckpt_hdr_files hfs = {
		.objref = ctx->ts.task.files_objref,
		.nr_fds = nr,
	};
	struct ckpt_hdr_fd hfd = {};
	unsigned int i;
	int ret;

	ret = ckpt_write_obj(ctx, &hfs.h, CKPT_HDR_FILES, sizeof(hfs),
			     (size_t)nr * sizeof(hfd));
	for (i = 0; i < nr && !ret; i++) {
		hfd.fd = fi[i].fd;
		hfd.file_objref = objrefs[i];
		hfd.flags = fi[i].cloexec ? CKPT_FD_CLOEXEC : 0;
		ret = ckpt_write_obj(ctx, &hfd.h, CKPT_HDR_FD, sizeof(hfd), 0);
	}
	return ret;
}

/* FILE records for each file first seen, then the FILES table. */
int ckpt_files(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct files_struct *files;
	struct ckpt_fd_info *fi;
	unsigned int nr, i;
	int *objrefs, ret;

	/* task_lock: ->files, which exit clears */
	task_lock(t);
	files = t->files;
	task_unlock(t);
	if (!files)
		return -ESRCH;
	/* a session leader brings its controlling terminal first */
	ret = ckpt_pty_ctty(ctx, t);
	if (ret < 0)
		return ret;
	ret = ckpt_collect_fds(files, &fi, &nr);
	if (ret < 0)
		return ret;
	objrefs = kvcalloc(nr ?: 1, sizeof(*objrefs), GFP_KERNEL);
	if (!objrefs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr && ret >= 0; i++) {
		ret = ckpt_file_obj(ctx, fi[i].file, fi[i].fd);
		objrefs[i] = ret;
	}
	if (ret >= 0)
		ret = ckpt_write_fds(ctx, fi, nr, objrefs);
	if (ret >= 0)
		ret = ckpt_posix_locks(ctx, files);
	kvfree(objrefs);
out:
	ckpt_put_fds(fi, nr);
	return ret < 0 ? ret : 0;
}

/* ---------------------------------------------------------------------- */
/* restart */

struct ckpt_rstr_fd {
	int fd;
	u32 flags;
	struct file *file;
};

struct ckpt_rstr_files {
	/* the fd table to install */
	bool have_fds;
	unsigned int nr;
	struct ckpt_rstr_fd *fds;
};

static void rstr_files_free(void *ptr)
{
	struct ckpt_rstr_files *rf = ptr;
	unsigned int i;

	for (i = 0; i < rf->nr; i++)
		fput(rf->fds[i].file);
	kvfree(rf->fds);
	kfree(rf);
}

/* The task's files read so far, made on the first record if @make. */
static struct ckpt_rstr_files *rstr_files_state(struct ckpt_ctx *ctx,
						bool make)
{
	struct ckpt_rstr_files *rf = ckpt_state(ctx, CKPT_STATE_RSTR_FILES);

	if (!rf && make) {
		rf = kzalloc(sizeof(*rf), GFP_KERNEL);
		if (rf)
			ckpt_state_set(ctx, CKPT_STATE_RSTR_FILES, rf,
				       rstr_files_free);
	}
	return rf;
}

/* @ops: the kind of @hf, NULL if there is none */
static int rstr_file_check(struct ckpt_ctx *ctx, struct ckpt_hdr_file *hf,
			   const struct ckpt_file_ops *ops)
{
	bool inherit = hf->kind == CKPT_FILE_INHERIT;
	bool shared = ops && ops->obj;

	if (!ops || hf->objref <= 0 ||
	    (shared ? hf->obj_objref <= 0 : hf->obj_objref) ||
	    hf->f_flags & ~CKPT_FILE_FLAGS ||
	    (inherit ? hf->inherit_fd < 0 : hf->inherit_fd != -1) ||
	    hf->pos > MAX_LFS_FILESIZE || hf->size > MAX_LFS_FILESIZE ||
	    hf->path_len > CKPT_PATH_MAX ||
	    hf->h.len != sizeof(*hf) + ALIGN(hf->path_len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"FILE record at offset %llu: objref %d kind %u flags %#x fd %d pos %llu size %llu path length %u object %d",
				ctx->hdr_pos, hf->objref, hf->kind, hf->f_flags,
				hf->inherit_fd, hf->pos, hf->size, hf->path_len,
				hf->obj_objref);
	return 0;
}

/* The file at @name must be what the image says it was. */
static int rstr_file_matches(struct ckpt_ctx *ctx,
			     const struct ckpt_hdr_file *hf,
			     struct file *file, const char *name)
{
	struct inode *inode = file_inode(file);
	umode_t want = hf->kind == CKPT_FILE_DIR ? S_IFDIR :
		       hf->kind == CKPT_FILE_CHR ? S_IFCHR : S_IFREG;

	if ((inode->i_mode & S_IFMT) != want ||
	    (hf->kind == CKPT_FILE_CHR &&
	     (inode->i_rdev != new_decode_dev(hf->rdev) ||
	      !ckpt_chr_supported(inode->i_rdev))))
		return ckpt_err(ctx, -EINVAL, "%s is no longer the %s it was",
				name, ckpt_file_type(want));
	return 0;
}

/*
 * The saved path is the file's own, never a link to follow: it is opened
 * with O_NOFOLLOW, which open() keeps in f_flags, where the process did
 * not put it.
 */
void rstr_file_nofollow(struct file *file, unsigned int f_flags)
{
	if (f_flags & O_NOFOLLOW)
		return;
	/* f_lock: f_flags, as fcntl(F_SETFL) changes them */
	spin_lock(&file->f_lock);
	file->f_flags &= ~O_NOFOLLOW;
	spin_unlock(&file->f_lock);
}

static struct file *rstr_open_named(struct ckpt_ctx *ctx,
				    const struct ckpt_hdr_file *hf, char *name)
{
	struct file *file;
	int ret;

	file = filp_open(name, hf->f_flags | O_NOFOLLOW, 0);
	if (IS_ERR(file)) {
		ckpt_err(ctx, (int)PTR_ERR(file), "cannot open %s", name);
		return file;
	}
	rstr_file_nofollow(file, hf->f_flags);
	ret = rstr_file_matches(ctx, hf, file, name);
	if (!ret && hf->kind == CKPT_FILE_REG && !(hf->f_flags & O_PATH) &&
	    vfs_llseek(file, hf->pos, SEEK_SET) != hf->pos)
		ret = ckpt_err(ctx, -EINVAL, "cannot seek %s to %llu", name,
			       hf->pos);
	if (ret < 0) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

static struct file *rstr_open_inherited(struct ckpt_ctx *ctx,
					const struct ckpt_hdr_file *hf,
					char *name)
{
	struct file *file = fget(hf->inherit_fd);

	if (!file) {
		ckpt_err(ctx, -EINVAL,
			 "fd %d (%s) is inherited from the caller, which has none open",
			 hf->inherit_fd, name);
		return ERR_PTR(-EINVAL);
	}
	if (ctx->flags & RESTART_VERBOSE)
		ckpt_log(ctx, "pid %d fd %d (%s) is the caller's fd %d",
			 task_pid_vnr(current), hf->inherit_fd, name,
			 hf->inherit_fd);
	return file;
}

const struct ckpt_file_ops ckpt_path_file_ops = {
	.name = "path",
	.kinds = BIT(CKPT_FILE_REG) | BIT(CKPT_FILE_DIR) | BIT(CKPT_FILE_CHR),
	.by_path = BIT(CKPT_FILE_REG) | BIT(CKPT_FILE_DIR) | BIT(CKPT_FILE_CHR),
	.rdev = BIT(CKPT_FILE_CHR),
	.match = ckpt_path_match,
	.restart = rstr_open_named,
};

const struct ckpt_file_ops ckpt_inherit_file_ops = {
	.name = "inherited",
	.kinds = BIT(CKPT_FILE_INHERIT),
	.match = ckpt_inherit_match,
	.restart = rstr_open_inherited,
};

/* A FILE record: the file is opened now, before anything is destroyed. */
int rstr_file_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_files *rf = rstr_files_state(ctx, true);
	const struct ckpt_file_ops *ops;
	struct ckpt_hdr_file hf;
	struct file *file;
	char *name;
	int ret;

	if (!rf)
		return -ENOMEM;
	hf.h = *h;
	ret = ckpt_read_payload(ctx, &hf.h, sizeof(hf));
	if (ret < 0)
		return ret;
	ops = ckpt_file_ops_of(hf.kind);
	ret = rstr_file_check(ctx, &hf, ops);
	if (ret < 0)
		return ret;
	name = ops->by_path & BIT(hf.kind) ?
	       ckpt_read_path(ctx, hf.path_len) :
	       ckpt_read_string(ctx, hf.path_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	file = ops->restart(ctx, &hf, name);
	kfree(name);
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = ckpt_obj_insert(ctx, file, hf.objref, CKPT_OBJ_FILE);
	fput(file);	/* the objhash holds it now, or nobody does */
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"FILE record at offset %llu: %s objref %d",
				ctx->hdr_pos, ops->name, hf.objref);
	return 0;
}

static int rstr_fd_read(struct ckpt_ctx *ctx, struct ckpt_rstr_fd *rfd,
			int prev_fd)
{
	struct ckpt_hdr_fd hfd;
	struct file *file;
	int ret;

	ret = ckpt_read_obj(ctx, &hfd.h, CKPT_HDR_FD, sizeof(hfd));
	if (ret < 0)
		return ret;
	if (hfd.h.len != sizeof(hfd) || hfd.fd <= prev_fd ||
	    hfd.fd >= rlimit(RLIMIT_NOFILE) || hfd.flags & ~CKPT_FD_CLOEXEC ||
	    hfd.pad)
		return ckpt_err(ctx, -EINVAL,
				"FD record at offset %llu: fd %d (after %d, limit %lu), flags %#x",
				ctx->hdr_pos, hfd.fd, prev_fd,
				rlimit(RLIMIT_NOFILE), hfd.flags);
	file = ckpt_obj_fetch(ctx, hfd.file_objref, CKPT_OBJ_FILE);
	if (IS_ERR(file))
		return ckpt_err(ctx, (int)PTR_ERR(file),
				"FD record at offset %llu: fd %d names file objref %d, which the image lacks",
				ctx->hdr_pos, hfd.fd, hfd.file_objref);
	rfd->fd = hfd.fd;
	rfd->flags = hfd.flags;
	rfd->file = get_file(file);
	return 0;
}

int rstr_files_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_files *rf = rstr_files_state(ctx, true);
	struct ckpt_hdr_files hfs;
	u64 end, parent;
	int ret, prev = -1;

	if (!rf)
		return -ENOMEM;
	hfs.h = *h;
	ret = ckpt_read_payload(ctx, &hfs.h, sizeof(hfs));
	if (ret < 0)
		return ret;
	if (hfs.objref != ctx->ts.task.files_objref ||
	    hfs.nr_fds > rlimit(RLIMIT_NOFILE) ||
	    hfs.h.len != sizeof(hfs) +
			 (u64)hfs.nr_fds * sizeof(struct ckpt_hdr_fd))
		return ckpt_err(ctx, -EINVAL,
				"FILES record at offset %llu: objref %d, %u fds, length %u",
				ctx->hdr_pos, hfs.objref, hfs.nr_fds, hfs.h.len);
	rf->fds = kvcalloc(hfs.nr_fds ?: 1, sizeof(*rf->fds), GFP_KERNEL);
	if (!rf->fds)
		return -ENOMEM;
	rf->have_fds = true;

	end = ctx->hdr_pos + hfs.h.len;
	parent = ctx->limit;
	ctx->limit = end;
	for (rf->nr = 0; rf->nr < hfs.nr_fds; rf->nr++) {
		ret = rstr_fd_read(ctx, &rf->fds[rf->nr], prev);
		if (ret < 0)
			break;
		prev = rf->fds[rf->nr].fd;
	}
	ctx->limit = parent;
	return ret;
}

static bool rstr_fd_wanted(struct ckpt_rstr_files *rf, unsigned int fd)
{
	unsigned int lo = 0, hi = rf->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rf->fds[mid].fd == fd)
			return true;
		if (rf->fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Is @file at one of the fds the FILES record read says? */
bool rstr_files_holds(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_rstr_files *rf = rstr_files_state(ctx, false);
	unsigned int i;

	for (i = 0; rf && rf->have_fds && i < rf->nr; i++)
		if (rf->fds[i].file == file)
			return true;
	return false;
}

/* Close what the image does not have: the caller's own descriptors. */
static void rstr_close_others(struct ckpt_rstr_files *rf)
{
	struct files_struct *files = current->files;
	struct fdtable *fdt;
	unsigned int fd = 0, max;

	for (;;) {
		/* file_lock: the fd table, which a close or dup2 changes */
		spin_lock(&files->file_lock);
		fdt = files_fdtable(files);
		max = fdt->max_fds;
		fd = find_next_bit(fdt->open_fds, max, fd);
		spin_unlock(&files->file_lock);
		if (fd >= max)
			break;
		if (!rstr_fd_wanted(rf, fd))
			close_fd(fd);
		fd++;
	}
}

/* Install the image's fd table in place of the caller's. */
int rstr_files(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_files *rf = rstr_files_state(ctx, false);
	struct ckpt_rstr_fd *rfd;
	unsigned int i;
	int ret;

	if (!rf || !rf->have_fds)
		return 0;
	rstr_close_others(rf);
	for (i = 0; i < rf->nr; i++) {
		rfd = &rf->fds[i];
		ret = kapi_replace_fd(rfd->fd, rfd->file,
					   rfd->flags & CKPT_FD_CLOEXEC ?
					   O_CLOEXEC : 0);
		if (ret < 0)
			return ckpt_err(ctx, ret, "cannot install fd %d",
					rfd->fd);
	}
	/* the table is the process's own: its controlling terminal now */
	return rstr_pty_ctty(ctx);
}
