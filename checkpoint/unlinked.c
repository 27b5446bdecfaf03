// SPDX-License-Identifier: GPL-2.0
/*
 * Unlinked files: a regular file whose last name is gone lives on only in
 * the open files that refer to it, so its inode is saved whole and made
 * again at restart.
 *
 * The inode is an object of its own (an inode at checkpoint, a file of
 * ours open on the new inode at restart): the first FILE naming it is
 * followed by its UNLINKED record - size, owner, mode, times - and by
 * FILE_DATA records of the extents SEEK_DATA and SEEK_HOLE find, so that
 * holes stay holes and a 1 TiB sparse file costs nothing.  Every other
 * FILE of the inode (opened twice by name, or again through
 * /proc/PID/fd) only names it: restart opens it on the same new inode,
 * with its own flags and offset.
 *
 * Restart makes a nameless file (O_TMPFILE) in the directory the old one
 * was in, sets its size, writes the extents and only then gives it its
 * owner, mode and times, through notify_change() with the restarting
 * task's rights: a restart grants nothing, and an owner or mode the
 * caller could not give is EPERM, naming the file.  Then it is linked
 * under its old name and unlinked again at once, so that its fd links
 * say that name, not O_TMPFILE's "#ino".
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/cred.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>

#define CKPT_DELETED	" (deleted)"

/* ---------------------------------------------------------------------- */
/* checkpoint */

/* Where the data of an unlinked file is, read through a file of our own. */
struct ckpt_extents {
	struct file *rd;
	u64 size;		/* no extent goes past it */
	loff_t next;		/* where to look for the next one */
};

/*
 * The next data extent at or after @ex->next, into [*start, *end): 1, 0
 * when there is none, or an errno.  A filesystem that knows no holes
 * (SEEK_DATA fails with EINVAL) has data everywhere.
 */
static int ckpt_next_extent(struct ckpt_extents *ex, loff_t *start,
			    loff_t *end)
{
	loff_t data, hole;

	if (ex->next >= ex->size)
		return 0;
	data = vfs_llseek(ex->rd, ex->next, SEEK_DATA);
	if (data == -ENXIO)
		return 0;
	if (data == -EINVAL) {
		data = ex->next;
		hole = ex->size;
	} else if (data >= 0) {
		hole = vfs_llseek(ex->rd, data, SEEK_HOLE);
	} else {
		return (int)data;
	}
	if (hole < 0)
		return (int)hole;
	if (data >= ex->size)
		return 0;
	/* changed under us by someone outside the tree */
	if (hole <= data)
		return -EAGAIN;
	*start = data;
	*end = min_t(u64, hole, ex->size);
	ex->next = *end;
	return 1;
}

/* Bytes in the data extents below @ex->size. */
static int ckpt_count_data(struct ckpt_extents *ex, u64 *bytes)
{
	loff_t start, end;
	int ret;

	ex->next = 0;
	*bytes = 0;
	while ((ret = ckpt_next_extent(ex, &start, &end)) > 0)
		*bytes += end - start;
	return ret;
}

/* @len bytes at @pos, all of them, or zeroes for what the file lost since. */
static int ckpt_read_all(struct file *rd, void *buf, size_t len, loff_t pos)
{
	ssize_t n;

	while (len) {
		n = kernel_read(rd, buf, len, &pos);
		if (n < 0)
			return (int)n;
		if (!n) {
			memset(buf, 0, len);
			break;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* FILE_DATA records of [start, end), at most @left bytes in all. */
static int ckpt_write_extent(struct ckpt_ctx *ctx,
			     struct ckpt_hdr_file_data *hd,
			     struct ckpt_extents *ex, void *buf, loff_t start,
			     loff_t end, u64 *left)
{
	int ret;

	while (start < end) {
		hd->offset = start;
		hd->len = min_t(u64, end - start, CKPT_FILE_DATA_MAX);
		if (hd->len > *left)
			return -EAGAIN;
		ret = ckpt_read_all(ex->rd, buf, hd->len, start);
		if (ret)
			return ret;
		ret = ckpt_write_obj(ctx, &hd->h, CKPT_HDR_FILE_DATA,
				     sizeof(*hd), hd->len);
		if (ret)
			return ret;
		ret = ckpt_write(ctx, buf, hd->len);
		if (ret)
			return ret;
		ret = ckpt_write_pad(ctx, ALIGN(hd->len, CKPT_ALIGN) - hd->len);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		*left -= hd->len;
		start += hd->len;
	}
	return 0;
}

/* The data extents of @ex, @bytes in all, as counted before. */
static int ckpt_write_data(struct ckpt_ctx *ctx, struct ckpt_extents *ex,
			   int objref, u64 bytes)
{
	struct ckpt_hdr_file_data hd = { .objref = objref };
	loff_t start, end;
	void *buf;
	int ret;

	if (!bytes)
		return 0;
	buf = kvmalloc(CKPT_FILE_DATA_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ex->next = 0;
	while ((ret = ckpt_next_extent(ex, &start, &end)) > 0) {
		ret = ckpt_write_extent(ctx, &hd, ex, buf, start, end, &bytes);
		if (ret < 0)
			break;
	}
	kvfree(buf);
	/* the extents found now hold other than the count announced */
	if (!ret && bytes)
		ret = -EAGAIN;
	return ret;
}

static int ckpt_unlinked_attrs(struct file *file, struct ckpt_hdr_unlinked *hu)
{
	struct user_namespace *ns = current_user_ns();
	struct kstat st;
	int ret;

	ret = vfs_getattr(&file->f_path, &st, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	if (ret < 0)
		return ret;
	hu->mode = st.mode;
	hu->uid = from_kuid(ns, st.uid);
	hu->gid = from_kgid(ns, st.gid);
	hu->atime_sec = st.atime.tv_sec;
	hu->atime_nsec = st.atime.tv_nsec;
	hu->mtime_sec = st.mtime.tv_sec;
	hu->mtime_nsec = st.mtime.tv_nsec;
	/* an owner the checkpointer's user namespace cannot name */
	if (hu->uid == (u32)-1 || hu->gid == (u32)-1)
		return -EOVERFLOW;
	return 0;
}

/**
 * ckpt_unlinked_obj - the objref of the inode of unlinked @file
 * @ctx: the task's checkpoint context
 * @file: its open file
 * @fd: the descriptor, for messages
 * @name: its path, for messages
 * @first: set when this is the first file of the inode
 */
static int ckpt_unlinked_obj(struct ckpt_ctx *ctx, struct file *file, int fd,
			     const char *name, bool *first)
{
	struct inode *inode = file_inode(file);

	/* a copy would no longer be the file its other name reaches */
	if (inode->i_nlink)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: %s lost this name but has another: not supported yet",
				task_pid_vnr(ctx->target), fd, name);
	/*
	 * memory.c saves a mapping of it apart (shared memory, or refused):
	 * the file and the mapping would no longer share their pages
	 */
	if (mapping_mapped(inode->i_mapping))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: unlinked file %s is also mapped: not supported yet",
				task_pid_vnr(ctx->target), fd, name);
	return ckpt_obj_lookup_add(ctx, inode, CKPT_OBJ_INODE, first);
}

/**
 * ckpt_unlinked - the UNLINKED and FILE_DATA records of an unlinked inode
 * @ctx: the task's checkpoint context
 * @file: the first open file of the inode
 * @fd: its descriptor, for messages
 * @name: its path, for messages
 * @hf: its FILE record, written just before
 */
static int ckpt_unlinked(struct ckpt_ctx *ctx, struct file *file, int fd,
			 const char *name, const struct ckpt_hdr_file *hf)
{
	struct ckpt_hdr_unlinked hu = {
		.objref = hf->obj_objref,
		.size = hf->size,
	};
	struct ckpt_extents ex = { .size = hf->size };
	const char *what;
	int ret;

	/*
	 * The image holds only what the checkpointer could read itself: the
	 * target may hold the file write-only or O_PATH, and no name is
	 * left to open it by.  The check a fresh open would make.
	 */
	ret = inode_permission(ckpt_file_idmap(file), file_inode(file),
			       MAY_READ);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"pid %d fd %d: unlinked file %s: the checkpointer may not read it, and the image would hold its contents",
				task_pid_vnr(ctx->target), fd, name);
	ex.rd = dentry_open(&file->f_path, O_RDONLY | O_LARGEFILE,
			    current_cred());
	if (IS_ERR(ex.rd))
		return ckpt_err(ctx, (int)PTR_ERR(ex.rd),
				"pid %d fd %d: unlinked file %s: cannot open it to read it",
				task_pid_vnr(ctx->target), fd, name);
	what = "cannot tell its owner, mode and times (an owner the checkpointer's user namespace cannot name?)";
	ret = ckpt_unlinked_attrs(file, &hu);
	if (ret)
		goto out_put;
	what = "cannot find its data (SEEK_DATA, SEEK_HOLE)";
	ret = ckpt_count_data(&ex, &hu.data);
	if (ret)
		goto out_put;
	what = "cannot save its data";
	ret = ckpt_write_obj(ctx, &hu.h, CKPT_HDR_UNLINKED, sizeof(hu), 0);
	if (ret)
		goto out_put;
	ret = ckpt_write_data(ctx, &ex, hf->objref, hu.data);
out_put:
	fput(ex.rd);
	if (ret == -EAGAIN)
		what = "changed while it was saved (written by a process outside the tree?)";
	if (ret < 0 && ret != -EINTR)
		return ckpt_err(ctx, ret, "pid %d fd %d: unlinked file %s: %s",
				task_pid_vnr(ctx->target), fd, name, what);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/* What rebuilding one inode needs, its messages' file name included. */
struct rstr_unlinked {
	struct ckpt_hdr_unlinked hu;
	struct file *holder;	/* ours, read-write, on the new inode */
	const char *path;	/* the name it had */
	int file_objref;	/* the FILE its FILE_DATA records name */
	u64 next;		/* where the next extent may start */
	u64 left;		/* data bytes still to come */
	void *buf;
};

static int rstr_unlinked_check(struct ckpt_ctx *ctx, struct rstr_unlinked *u,
			       const struct ckpt_hdr_file *hf)
{
	const struct ckpt_hdr_unlinked *hu = &u->hu;
	struct user_namespace *ns = current_user_ns();

	if (hu->h.len != sizeof(*hu) || hu->objref != hf->obj_objref ||
	    (hu->mode & S_IFMT) != S_IFREG || hu->mode & ~(S_IFMT | 07777) ||
	    hu->size > MAX_LFS_FILESIZE || hu->data > hu->size ||
	    hu->atime_nsec >= NSEC_PER_SEC || hu->mtime_nsec >= NSEC_PER_SEC ||
	    !uid_valid(make_kuid(ns, hu->uid)) ||
	    !gid_valid(make_kgid(ns, hu->gid)))
		return ckpt_err(ctx, -EINVAL,
				"UNLINKED record at offset %llu (%s): objref %d (FILE names %d), mode %#o, size %llu, %llu bytes of data, owner %u:%u, times' nanoseconds %u %u",
				ctx->hdr_pos, u->path, hu->objref,
				hf->obj_objref, hu->mode, hu->size, hu->data,
				hu->uid, hu->gid, hu->atime_nsec,
				hu->mtime_nsec);
	return 0;
}

/* notify_change() on the new inode, as fchown(), fchmod()... would. */
static int rstr_unlinked_setattr(struct file *file, struct iattr *attr)
{
	struct inode *inode = file_inode(file);
	int ret;

	file_start_write(file);
	inode_lock(inode);
	ret = notify_change(ckpt_file_idmap(file), file->f_path.dentry, attr,
			    NULL);
	inode_unlock(inode);
	file_end_write(file);
	return ret;
}

/* A nameless file in the directory of @u->path. */
static int rstr_unlinked_create(struct ckpt_ctx *ctx, struct rstr_unlinked *u)
{
	const char *slash = strrchr(u->path, '/');
	struct iattr size = { .ia_valid = ATTR_SIZE, .ia_size = u->hu.size };
	char *dir;
	int ret;

	dir = kstrndup(u->path, slash > u->path ? slash - u->path : 1,
		       GFP_KERNEL);
	if (!dir)
		return ckpt_err(ctx, -ENOMEM,
				"unlinked file %s: no memory for its directory's name",
				u->path);
	u->holder = filp_open(dir, O_TMPFILE | O_RDWR | O_LARGEFILE,
			      0600);
	if (IS_ERR(u->holder)) {
		ret = ckpt_err(ctx, (int)PTR_ERR(u->holder),
			       "unlinked file %s: cannot make a file in %s again",
			       u->path, dir);
		u->holder = NULL;
		goto out;
	}
	/* ftruncate() on our own writable file: its holes come with it */
	ret = rstr_unlinked_setattr(u->holder, &size);
	if (ret < 0)
		ckpt_err(ctx, ret,
			 "unlinked file %s: cannot make it %llu bytes long in %s",
			 u->path, u->hu.size, dir);
out:
	kfree(dir);
	return ret;
}

static int rstr_write_all(struct file *file, const void *buf, size_t len,
			  loff_t pos)
{
	ssize_t n;

	while (len) {
		n = kernel_write(file, buf, len, &pos);
		if (n < 0)
			return (int)n;
		if (!n)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

/* One FILE_DATA record: a piece of an extent, after the ones before it. */
static int rstr_unlinked_extent(struct ckpt_ctx *ctx, struct rstr_unlinked *u)
{
	struct ckpt_hdr_file_data hd;
	int ret;

	ret = ckpt_read_obj(ctx, &hd.h, CKPT_HDR_FILE_DATA, sizeof(hd));
	if (ret < 0)
		return ret;
	if (hd.objref != u->file_objref || !hd.len ||
	    hd.len > CKPT_FILE_DATA_MAX || hd.len > u->left ||
	    hd.offset < u->next || hd.offset > u->hu.size ||
	    hd.len > u->hu.size - hd.offset ||
	    hd.h.len != sizeof(hd) + ALIGN(hd.len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"FILE_DATA record at offset %llu: objref %d, %u bytes at %llu: not the next extent of unlinked file %s (FILE objref %d, size %llu, next extent at %llu or later, %llu bytes to come)",
				ctx->hdr_pos, hd.objref, hd.len, hd.offset,
				u->path, u->file_objref, u->hu.size, u->next,
				u->left);
	ret = ckpt_read(ctx, u->buf, hd.len);
	if (ret)
		return ret;
	ret = ckpt_read_pad(ctx, hd.len);
	if (ret)
		return ret;
	ret = rstr_write_all(u->holder, u->buf, hd.len, hd.offset);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unlinked file %s: cannot write %u bytes at %llu (FILE_DATA record at offset %llu)",
				u->path, hd.len, hd.offset, ctx->hdr_pos);
	u->next = hd.offset + hd.len;
	u->left -= hd.len;
	return 0;
}

static int rstr_unlinked_data(struct ckpt_ctx *ctx, struct rstr_unlinked *u)
{
	int ret = 0;

	u->left = u->hu.data;
	if (!u->left)
		return 0;
	u->buf = kvmalloc(CKPT_FILE_DATA_MAX, GFP_KERNEL);
	if (!u->buf)
		return ckpt_err(ctx, -ENOMEM,
				"unlinked file %s: no memory for its data",
				u->path);
	while (!ret && u->left)
		ret = rstr_unlinked_extent(ctx, u);
	kvfree(u->buf);
	u->buf = NULL;
	return ret;
}

/*
 * Owner, then mode (which a chown could change), then times (which
 * both change): each as the caller could set it itself.  A setgid bit
 * setattr_prepare() drops, for a group the caller is not in, is EPERM.
 */
static int rstr_unlinked_attrs(struct ckpt_ctx *ctx, struct rstr_unlinked *u)
{
	struct inode *inode = file_inode(u->holder);
	struct user_namespace *ns = current_user_ns();
	const struct ckpt_hdr_unlinked *hu = &u->hu;
	struct iattr owner = {
		.ia_valid = ATTR_UID | ATTR_GID | ATTR_CTIME,
		.ia_vfsuid = VFSUIDT_INIT(make_kuid(ns, hu->uid)),
		.ia_vfsgid = VFSGIDT_INIT(make_kgid(ns, hu->gid)),
	};
	struct iattr mode = {
		.ia_valid = ATTR_MODE | ATTR_CTIME,
		.ia_mode = hu->mode,
	};
	struct iattr times = {
		.ia_valid = ATTR_ATIME | ATTR_MTIME | ATTR_ATIME_SET |
			    ATTR_MTIME_SET | ATTR_CTIME,
		.ia_atime = { .tv_sec = hu->atime_sec,
			      .tv_nsec = hu->atime_nsec },
		.ia_mtime = { .tv_sec = hu->mtime_sec,
			      .tv_nsec = hu->mtime_nsec },
	};
	int ret;

	ret = rstr_unlinked_setattr(u->holder, &owner);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unlinked file %s: cannot give it owner %u:%u",
				u->path, hu->uid, hu->gid);
	ret = rstr_unlinked_setattr(u->holder, &mode);
	if (!ret && inode->i_mode != hu->mode)	/* set, but not as asked */
		ret = -EPERM;
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unlinked file %s: cannot give it mode %#o (owner %u:%u)",
				u->path, hu->mode & 07777, hu->uid, hu->gid);
	ret = rstr_unlinked_setattr(u->holder, &times);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"unlinked file %s: cannot set its access and modification times",
				u->path);
	return 0;
}

/*
 * The name @base in @dir, taken now by a link to @tmp's inode: the name
 * looked up again, positive on that inode; or an errno, the name left as
 * it was.  The link would be refused its unlink later by a sticky or
 * append-only @dir: then it is not made.  Under @dir's inode lock.
 */
static struct dentry *rstr_unlinked_link(const struct path *dir,
					 struct dentry *tmp, const char *base)
{
	struct inode *dinode = d_inode(dir->dentry), *inode = d_inode(tmp);
	size_t len = strlen(base);
	struct dentry *named;
	int ret;

	if (IS_APPEND(dinode) ||
	    check_sticky(ckpt_path_idmap(dir), dinode, inode))
		return ERR_PTR(-EPERM);
	named = lookup_one(ckpt_path_idmap(dir), base, dir->dentry, len);
	if (IS_ERR(named))
		return named;
	/* never in place of a file that has the name now */
	ret = d_is_negative(named) ?
	      vfs_link(tmp, ckpt_path_idmap(dir), dinode, named, NULL) :
	      -EEXIST;
	dput(named);
	if (ret < 0)
		return ERR_PTR(ret);
	/* the filesystem may have put another dentry in the name's place */
	named = lookup_one(ckpt_path_idmap(dir), base, dir->dentry, len);
	if (!IS_ERR(named) && d_inode(named) != inode) {
		dput(named);
		named = ERR_PTR(-ESTALE);
	}
	return named;
}

/*
 * Give the new inode the name it had: "/tmp/#6 (deleted)" in the fd
 * links and maps of the restored tasks otherwise (O_TMPFILE's), where
 * "/tmp/name (deleted)" was.  Linked under that name with the rights of
 * the restored task, its owner, mode and times already its own, opened
 * there, and unlinked at once, all under the directory's lock: the name
 * is the same dentry d_path() shows, as after the unlink before.  A name
 * taken, a link refused, or an unlink that would be (sticky directory):
 * it keeps O_TMPFILE's.  0, or an errno when the name stays behind.
 */
static int rstr_unlinked_name(struct ckpt_ctx *ctx, struct rstr_unlinked *u)
{
	const char *base = strrchr(u->path, '/');
	struct dentry *tmp = u->holder->f_path.dentry;
	struct path dir = { .mnt = u->holder->f_path.mnt };
	struct path named = { .mnt = dir.mnt };
	struct file *file = ERR_PTR(-ENOENT);
	int ret;

	ret = base && base[1] ? mnt_want_write(dir.mnt) : -EINVAL;
	if (ret < 0)
		goto fallback;
	dir.dentry = dget_parent(tmp);
	inode_lock_nested(d_inode(dir.dentry), I_MUTEX_PARENT);
	named.dentry = rstr_unlinked_link(&dir, tmp, base + 1);
	if (!IS_ERR(named.dentry)) {
		file = dentry_open(&named, O_RDWR | O_LARGEFILE,
				   current_cred());
		ret = vfs_unlink(ckpt_path_idmap(&dir), d_inode(dir.dentry),
				 named.dentry, NULL);
		dput(named.dentry);
	} else {
		ret = (int)PTR_ERR(named.dentry);
	}
	inode_unlock(d_inode(dir.dentry));
	dput(dir.dentry);
	mnt_drop_write(dir.mnt);
	if (!IS_ERR(named.dentry) && ret < 0) {
		if (!IS_ERR(file))
			fput(file);
		return ckpt_err(ctx, ret,
				"unlinked file %s: linked under its name again to be opened there, it cannot be unlinked: the name stays",
				u->path);
	}
	if (IS_ERR(file)) {
		ret = ret < 0 ? ret : (int)PTR_ERR(file);
		goto fallback;
	}
	fput(u->holder);
	u->holder = file;
	return 0;
fallback:
	if (ctx->flags & RESTART_VERBOSE)
		ckpt_log(ctx, "unlinked file %s comes back nameless, as %pd (errno %d)",
			 u->path, u->holder->f_path.dentry, -ret);
	return 0;
}

/* The inode of @hf's first FILE: made, filled and given its attributes. */
static struct file *rstr_unlinked_new(struct ckpt_ctx *ctx,
				      const struct ckpt_hdr_file *hf,
				      const char *path)
{
	struct rstr_unlinked u = { .path = path, .file_objref = hf->objref };
	u64 file_pos = ctx->hdr_pos;
	int ret;

	ret = ckpt_read_obj(ctx, &u.hu.h, CKPT_HDR_UNLINKED, sizeof(u.hu));
	if (ret)
		return ERR_PTR(ret);
	ret = rstr_unlinked_check(ctx, &u, hf);
	if (ret)
		return ERR_PTR(ret);
	ret = rstr_unlinked_create(ctx, &u);
	if (ret)
		goto out_put;
	ret = rstr_unlinked_data(ctx, &u);
	if (ret)
		goto out_put;
	ret = rstr_unlinked_attrs(ctx, &u);
	if (ret)
		goto out_put;
	ret = rstr_unlinked_name(ctx, &u);
	if (ret)
		goto out_put;
	ret = ckpt_obj_insert(ctx, u.holder, hf->obj_objref,
			      CKPT_OBJ_UNLINKED);
	if (ret) {
		ckpt_err(ctx, ret,
			 "FILE record at offset %llu: inode objref %d of unlinked file %s is taken",
			 file_pos, hf->obj_objref, path);
		goto out_put;
	}
	return u.holder;

out_put:
	if (u.holder)
		fput(u.holder);
	return ERR_PTR(ret);
}

/**
 * rstr_unlinked_open - the file of an UNLINKED FILE record
 * @ctx: the task's restart context
 * @hf: the record
 * @name: its path, "/dir/name (deleted)"
 *
 * Its inode is made on the first FILE that names it, from the records
 * that follow; the others open the same inode again.
 */
static struct file *rstr_unlinked_open(struct ckpt_ctx *ctx,
				       const struct ckpt_hdr_file *hf,
				       char *name)
{
	size_t len = strlen(name), dlen = strlen(CKPT_DELETED);
	struct file *holder, *file;

	if (len > dlen && !strcmp(name + len - dlen, CKPT_DELETED))
		name[len - dlen] = '\0';
	holder = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_UNLINKED);
	if (IS_ERR(holder))
		holder = rstr_unlinked_new(ctx, hf, name);
	else
		get_file(holder);
	if (IS_ERR(holder))
		return holder;
	file = dentry_open(&holder->f_path, hf->f_flags, current_cred());
	fput(holder);
	if (IS_ERR(file)) {
		ckpt_err(ctx, (int)PTR_ERR(file),
			 "unlinked file %s: cannot open it again with flags %#o",
			 name, hf->f_flags);
		return file;
	}
	if (!(hf->f_flags & O_PATH) &&
	    vfs_llseek(file, hf->pos, SEEK_SET) != hf->pos) {
		fput(file);
		ckpt_err(ctx, -EINVAL, "unlinked file %s: cannot seek to %llu",
			 name, hf->pos);
		return ERR_PTR(-EINVAL);
	}
	return file;
}

/* A regular file with no name left. */
static int ckpt_unlinked_match(struct ckpt_ctx *ctx,
			       const struct ckpt_file_desc *d)
{
	return S_ISREG(file_inode(d->file)->i_mode) &&
	       d_unlinked(d->file->f_path.dentry) ? CKPT_FILE_UNLINKED : 0;
}

static int ckpt_unlinked_file_obj(struct ckpt_ctx *ctx,
				  const struct ckpt_file_desc *d, bool *first)
{
	return ckpt_unlinked_obj(ctx, d->file, d->fd, d->name, first);
}

static int ckpt_unlinked_file(struct ckpt_ctx *ctx,
			      const struct ckpt_file_desc *d)
{
	return ckpt_unlinked(ctx, d->file, d->fd, d->name, d->hf);
}

const struct ckpt_file_ops ckpt_unlinked_file_ops = {
	.name = "unlinked file",
	.kinds = BIT(CKPT_FILE_UNLINKED),
	.by_path = BIT(CKPT_FILE_UNLINKED),
	.match = ckpt_unlinked_match,
	.obj = ckpt_unlinked_file_obj,
	.checkpoint = ckpt_unlinked_file,
	.restart = rstr_unlinked_open,
};
