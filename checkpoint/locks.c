// SPDX-License-Identifier: GPL-2.0
/*
 * File locks: POSIX (fcntl F_SETLK, lockf), OFD (F_OFD_SETLK) and flock().
 *
 * A lock lives on an inode, owned by an fd table (POSIX) or by an open
 * file (OFD, flock).  Checkpoint saves every lock whose owner is the
 * tree's: a POSIX lock after the FILES record of the table owning it, an
 * OFD or flock lock after the FILE record of the file owning it - once,
 * however many descriptors share that file.  A lock of a process outside
 * the tree is not ours and stays out; a lease, or a lock whose owner
 * cannot be named, fails the checkpoint by name.
 *
 * Restart takes each lock again through the kernel's own calls, as
 * F_SETLK and flock(LOCK_NB) do, with the same checks (the file's mode,
 * the LSM): the kernel keeps the accounting and finds the conflicts.  A
 * conflicting lock someone else took meanwhile fails the restart with
 * a line naming the file and the range: the restored process never runs
 * believing it holds a lock it does not.  OFD and flock locks are taken
 * as their FILE is read: if the restart fails, the file's last close
 * drops them.  POSIX locks are taken once the fd table is installed, so
 * that a failure's exit closes them with the table.
 *
 * A task waiting in F_SETLKW or F_OFD_SETLKW was woken by the freeze as
 * by a signal: its call returned -ERESTARTSYS, and restart issues it
 * again (cpu_x86.c), so it waits again for the restored holder.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

static const char *const ckpt_lock_names[] = {
	[CKPT_LOCK_POSIX] = "POSIX",
	[CKPT_LOCK_OFD] = "OFD",
	[CKPT_LOCK_FLOCK] = "flock",
};

/* ---------------------------------------------------------------------- */
/* checkpoint */

/* A lock as found on the inode, copied out under its context's lock. */
struct ckpt_lock_found {
	struct file *file;	/* not referenced: its owner keeps it open */
	fl_owner_t owner;
	unsigned int flags;
	unsigned char type;
	pid_t pid;
	loff_t start, end;
};

typedef bool (*ckpt_lock_match_t)(struct file_lock *fl, void *arg);

/*
 * The locks of @head that @match takes, in a new array (*@out, *@nr).
 * The tree is frozen: its own locks cannot change while they are read;
 * another process's can, which only moves the count on a second look.
 */
static int ckpt_lock_collect(struct file_lock_context *flctx,
			     struct list_head *head, ckpt_lock_match_t match,
			     void *arg, struct ckpt_lock_found **out,
			     unsigned int *nr)
{
	struct ckpt_lock_found *found = NULL;
	unsigned int n, max = 0;
	struct file_lock *fl;

	for (;;) {
		n = 0;
		/* flc_lock: the inode's lists of locks and leases */
		spin_lock(&flctx->flc_lock);
		ckpt_for_each_lock(fl, head) {
			if (!match(fl, arg))
				continue;
			if (n < max) {
				found[n].file = CKPT_FL(fl, file);
				found[n].owner = CKPT_FL(fl, owner);
				found[n].flags = CKPT_FL(fl, flags);
				found[n].type = CKPT_FL(fl, type);
				found[n].pid = CKPT_FL(fl, pid);
				found[n].start = fl->fl_start;
				found[n].end = fl->fl_end;
			}
			n++;
		}
		spin_unlock(&flctx->flc_lock);
		if (n <= max)
			break;
		kvfree(found);
		max = n;
		found = kvcalloc(max, sizeof(*found), GFP_KERNEL);
		if (!found)
			return -ENOMEM;
	}
	*out = found;
	*nr = n;
	return 0;
}

static bool ckpt_lock_by_file(struct file_lock *fl, void *file)
{
	return CKPT_FL(fl, file) == file;
}

static bool ckpt_lock_ofd(struct file_lock *fl, void *file)
{
	return (CKPT_FL(fl, flags) & FL_OFDLCK) && CKPT_FL(fl, file) == file;
}

static bool ckpt_file_has_lease(struct file_lock_context *flctx,
				struct file *file)
{
	struct ckpt_lease *fl;
	bool found = false;

	/* flc_lock: the inode's lists of locks and leases */
	spin_lock(&flctx->flc_lock);
	ckpt_for_each_lock(fl, &flctx->flc_lease)
		found |= CKPT_FL(fl, file) == file;
	spin_unlock(&flctx->flc_lock);
	return found;
}

/**
 * ckpt_lease_check - refuse a file with a lease, by name
 *
 * Called before anything else looks at the file: a lease also makes it
 * O_ASYNC, which would be refused under another name.
 */
int ckpt_lease_check(struct ckpt_ctx *ctx, struct file *file, int fd)
{
	struct file_lock_context *flctx;

	flctx = locks_inode_context(file_inode(file));
	if (flctx && ckpt_file_has_lease(flctx, file))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a lease (F_SETLEASE) on its file is not supported",
				task_pid_vnr(ctx->target), fd);
	return 0;
}

static int ckpt_lock_write(struct ckpt_ctx *ctx, u32 kind,
			   const struct ckpt_lock_found *lf, int owner_objref,
			   int file_objref, pid_t pid)
{
	struct ckpt_hdr_lock hl = {
		.kind = kind,
		.type = lf->type,
		.owner_objref = owner_objref,
		.file_objref = file_objref,
		.pid = pid,
		.start = lf->start,
		.end = lf->end,
	};

	return ckpt_write_obj(ctx, &hl.h, CKPT_HDR_LOCK, sizeof(hl), 0);
}

/*
 * The OFD or flock locks @file owns, from @head.  A stdio file the
 * restart takes from its caller (@inherit) is the caller's: a lock the
 * restart put on it would be one the restored process never had.
 */
static int ckpt_file_locks_of(struct ckpt_ctx *ctx, struct file *file,
			      int fd, int objref, u32 kind, bool inherit,
			      struct file_lock_context *flctx,
			      struct list_head *head, ckpt_lock_match_t match)
{
	struct ckpt_lock_found *lf;
	unsigned int nr, i;
	int ret;

	ret = ckpt_lock_collect(flctx, head, match, file, &lf, &nr);
	if (ret < 0)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		if (lf[i].owner != file || (lf[i].flags & FL_POSIX &&
					    !(lf[i].flags & FL_OFDLCK)))
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d fd %d: a %s lock on its file, owned by something that is not the file: not supported",
				       task_pid_vnr(ctx->target), fd,
				       ckpt_lock_names[kind]);
		else if (inherit)
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d fd %d: a %s lock on a stdio file the restart takes from its caller: not supported",
				       task_pid_vnr(ctx->target), fd,
				       ckpt_lock_names[kind]);
		else
			ret = ckpt_lock_write(ctx, kind, &lf[i], objref,
					      objref, 0);
	}
	kvfree(lf);
	return ret;
}

/**
 * ckpt_file_locks - the OFD and flock locks @file owns, after its FILE
 * @ctx: the task's checkpoint context
 * @file: the file whose FILE record (objref @objref) was just written
 * @fd: the descriptor it is known by, for messages; -1 if none
 * @inherit: the file is CKPT_FILE_INHERIT, the restarting caller's
 */
int ckpt_file_locks(struct ckpt_ctx *ctx, struct file *file, int fd,
		    int objref, bool inherit)
{
	struct file_lock_context *flctx;
	int ret;

	flctx = locks_inode_context(file_inode(file));
	if (!flctx)
		return 0;
	ret = ckpt_file_locks_of(ctx, file, fd, objref, CKPT_LOCK_OFD,
				 inherit, flctx, &flctx->flc_posix,
				 ckpt_lock_ofd);
	if (ret)
		return ret;
	return ckpt_file_locks_of(ctx, file, fd, objref, CKPT_LOCK_FLOCK,
				  inherit, flctx, &flctx->flc_flock,
				  ckpt_lock_by_file);
}

static bool ckpt_lock_posix_owned(struct file_lock *fl, void *files)
{
	return !(CKPT_FL(fl, flags) & FL_OFDLCK) &&
	       (CKPT_FL(fl, flags) & FL_POSIX) && CKPT_FL(fl, owner) == files;
}

/*
 * The TREE pid of the process that took a POSIX lock of @files: a
 * process of the tree using that table.  0 if none.
 */
static pid_t ckpt_lock_pid(struct ckpt_ctx *ctx, struct files_struct *files,
			   pid_t pid)
{
	struct ckpt_ctx *op = ctx->parent ?: ctx;
	struct task_struct *t;
	bool same;
	u32 i;

	for (i = 0; i < op->nr_tree; i++) {
		t = op->tree[i].task;
		if (!op->tree[i].ctx || task_tgid_nr(t) != pid ||
		    op->tree[i].e.pid != op->tree[i].e.tgid)
			continue;
		/* task_lock: ->files, which exit clears */
		task_lock(t);
		same = t->files == files;
		task_unlock(t);
		if (same)
			return op->tree[i].e.tgid;
	}
	return 0;
}

/* The POSIX locks of @files on the inode @tf's file is open on. */
static int ckpt_posix_locks_inode(struct ckpt_ctx *ctx,
				  struct files_struct *files,
				  const struct ckpt_fd_info *tf)
{
	struct file *file = tf->file;
	struct file_lock_context *flctx;
	struct ckpt_lock_found *lf;
	unsigned int nr, i;
	int objref, ret;
	pid_t pid;

	flctx = locks_inode_context(file_inode(file));
	if (!flctx)
		return 0;
	ret = ckpt_lock_collect(flctx, &flctx->flc_posix,
				ckpt_lock_posix_owned, files, &lf, &nr);
	if (ret < 0)
		return ret;
	for (i = 0; i < nr && !ret; i++) {
		objref = ckpt_obj_lookup(ctx, lf[i].file, CKPT_OBJ_FILE);
		pid = ckpt_lock_pid(ctx, files, lf[i].pid);
		if (objref <= 0 || !pid)
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d fd %d: a POSIX lock on bytes %lld-%lld of its file, taken by pid %d through a file %s: not supported",
				       task_pid_vnr(ctx->target), tf->fd,
				       lf[i].start, lf[i].end, lf[i].pid,
				       objref <= 0 ? "not in its fd table" :
				       "of a process that is gone");
		else
			ret = ckpt_lock_write(ctx, CKPT_LOCK_POSIX, &lf[i],
					      ctx->ts.task.files_objref,
					      objref, pid);
	}
	kvfree(lf);
	return ret;
}

static int ckpt_cmp_inode(const void *a, const void *b)
{
	const struct ckpt_fd_info *fa = a, *fb = b;
	const struct inode *x = file_inode(fa->file);
	const struct inode *y = file_inode(fb->file);

	return x < y ? -1 : x > y;
}

/**
 * ckpt_posix_locks - the POSIX locks @files owns, after its FILES record
 *
 * A POSIX lock goes with its owner's last close of the inode: every lock
 * of the table is on an inode one of its files is open on.  Each inode
 * is looked at once.
 */
int ckpt_posix_locks(struct ckpt_ctx *ctx, struct files_struct *files)
{
	struct ckpt_fd_info *f;
	unsigned int nr, i;
	int ret;

	/* every file of the table with its fd, ordered by inode */
	ret = ckpt_collect_fds(files, &f, &nr);
	if (ret < 0)
		return ret;
	sort(f, nr, sizeof(*f), ckpt_cmp_inode, NULL);
	for (i = 0; i < nr && !ret; i++)
		if (!i || file_inode(f[i].file) != file_inode(f[i - 1].file))
			ret = ckpt_posix_locks_inode(ctx, files, &f[i]);
	ckpt_put_fds(f, nr);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/* A POSIX lock read, taken once the fd table is installed. */
struct ckpt_rstr_lock {
	struct list_head list;
	struct ckpt_hdr_lock hl;
	struct file *file;	/* referenced */
	pid_t pid;		/* the locker's tgid, as the kernel keeps it */
	u64 pos;		/* of the record, for messages */
};

static void rstr_locks_free(void *ptr)
{
	struct list_head *locks = ptr;
	struct ckpt_rstr_lock *rl, *next;

	list_for_each_entry_safe(rl, next, locks, list) {
		fput(rl->file);
		kfree(rl);
	}
	kfree(locks);
}

static int rstr_lock_check(struct ckpt_ctx *ctx, struct ckpt_hdr_lock *hl)
{
	bool posix = hl->kind == CKPT_LOCK_POSIX;
	bool flock = hl->kind == CKPT_LOCK_FLOCK;

	if (hl->h.len != sizeof(*hl) || hl->pad ||
	    hl->kind < CKPT_LOCK_POSIX || hl->kind > CKPT_LOCK_FLOCK ||
	    (hl->type != F_RDLCK && hl->type != F_WRLCK) ||
	    hl->start > hl->end || hl->end > CKPT_LOCK_EOF ||
	    (flock && (hl->start || hl->end != CKPT_LOCK_EOF)) ||
	    (posix ? hl->pid <= 0 : hl->pid) || hl->file_objref <= 0 ||
	    (posix ? hl->owner_objref != ctx->ts.task.files_objref :
		     hl->owner_objref != hl->file_objref))
		return ckpt_err(ctx, -EINVAL,
				"LOCK record at offset %llu: kind %u type %u owner %d file %d pid %d bytes %llu-%llu",
				ctx->hdr_pos, hl->kind, hl->type,
				hl->owner_objref, hl->file_objref, hl->pid,
				hl->start, hl->end);
	return 0;
}

/*
 * The locker's tgid for the kernel: the restoring process itself, or a
 * process of the restart that shares its fd table.  0 if neither.
 */
static pid_t rstr_lock_pid(struct ckpt_ctx *ctx, pid_t pid)
{
	struct task_struct *t;
	struct pid *p;
	pid_t ret = 0;

	if (pid == ctx->ts.task.tgid)
		return current->tgid;
	p = find_get_pid(pid);
	t = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!t)
		return 0;
	if (thread_group_leader(t) && t != current) {
		/* task_lock: ->files, which exit clears */
		task_lock(t);
		if (t->files == current->files)
			ret = t->tgid;
		task_unlock(t);
	}
	put_task_struct(t);
	return ret;
}

static const char *rstr_lock_type(unsigned int type)
{
	return type == F_RDLCK ? "read" : "write";
}

/* The lock @hl says, through @file, taken as F_SETLK or LOCK_NB would. */
static int rstr_lock_take(struct ckpt_ctx *ctx, struct ckpt_hdr_lock *hl,
			  struct file *file, pid_t pid, u64 pos)
{
	struct file_lock *fl, *conf;
	char *name;
	u32 len;
	int ret;

	fl = locks_alloc_lock();
	conf = locks_alloc_lock();
	if (!fl || !conf) {
		ret = -ENOMEM;
		goto out;
	}
	CKPT_FL(fl, file) = file;
	CKPT_FL(fl, type) = hl->type;
	CKPT_FL(fl, pid) = pid;
	fl->fl_start = hl->start;
	fl->fl_end = hl->end;
	if (hl->kind == CKPT_LOCK_POSIX) {
		CKPT_FL(fl, flags) = FL_POSIX;
		CKPT_FL(fl, owner) = current->files;
	} else {
		CKPT_FL(fl, flags) = hl->kind == CKPT_LOCK_OFD ?
				     FL_POSIX | FL_OFDLCK : FL_FLOCK;
		/* an OFD lock's pid is the taker's too, shown as -1 */
		CKPT_FL(fl, owner) = file;
	}
	ret = kapi_security_file_lock(file, hl->type);
	if (ret < 0)
		goto out;
	if (hl->kind != CKPT_LOCK_FLOCK)
		ret = vfs_lock_file(file, F_SETLK, fl, conf);
	else if (file->f_op->flock)
		ret = file->f_op->flock(file, F_SETLK, fl);
	else
		ret = locks_lock_inode_wait(file_inode(file), fl);
out:
	if (ret < 0) {
		name = ckpt_path_name(&file->f_path, &len);
		ckpt_err(ctx, ret,
			 "LOCK record at offset %llu: cannot take the %s %s lock on bytes %llu-%llu of %s%s",
			 pos, ckpt_lock_names[hl->kind],
			 rstr_lock_type(hl->type), hl->start, hl->end,
			 IS_ERR(name) ? "a file" : name,
			 ret == -EAGAIN ? ": another lock holds them" : "");
		if (!IS_ERR(name))
			kfree(name);
	}
	if (conf)
		locks_free_lock(conf);
	if (fl)
		locks_free_lock(fl);
	return ret < 0 ? ret : 0;
}

/* What the record asks of its file: the access fcntl() and flock() need. */
static int rstr_lock_file(struct ckpt_ctx *ctx, struct ckpt_hdr_lock *hl,
			  struct file **filep)
{
	fmode_t need = hl->kind == CKPT_LOCK_FLOCK ? FMODE_READ | FMODE_WRITE :
		       hl->type == F_RDLCK ? FMODE_READ : FMODE_WRITE;
	struct file *file;

	file = ckpt_obj_fetch(ctx, hl->file_objref, CKPT_OBJ_FILE);
	if (IS_ERR(file))
		return ckpt_err(ctx, -EINVAL,
				"LOCK record at offset %llu: file objref %d is not a FILE before it",
				ctx->hdr_pos, hl->file_objref);
	if (!(file->f_mode & need) || (file->f_mode & FMODE_PATH))
		return ckpt_err(ctx, -EINVAL,
				"LOCK record at offset %llu: a %s lock through file objref %d, not open for it",
				ctx->hdr_pos, rstr_lock_type(hl->type),
				hl->file_objref);
	*filep = file;
	return 0;
}

/* A POSIX lock: checked now, kept for rstr_locks(). */
static int rstr_lock_keep(struct ckpt_ctx *ctx, struct ckpt_hdr_lock *hl,
			  struct file *file)
{
	struct list_head *locks = ckpt_state(ctx, CKPT_STATE_RSTR_LOCKS);
	struct ckpt_rstr_lock *rl;
	pid_t pid = rstr_lock_pid(ctx, hl->pid);

	if (!rstr_files_holds(ctx, file) || !pid)
		return ckpt_err(ctx, -EINVAL,
				"LOCK record at offset %llu: a POSIX lock %s",
				ctx->hdr_pos, !pid ?
				"of a pid that is no process sharing the fd table" :
				"through a file not in the fd table before it");
	if (!locks) {
		locks = kmalloc(sizeof(*locks), GFP_KERNEL);
		if (!locks)
			return -ENOMEM;
		INIT_LIST_HEAD(locks);
		ckpt_state_set(ctx, CKPT_STATE_RSTR_LOCKS, locks,
			       rstr_locks_free);
	}
	rl = kmalloc(sizeof(*rl), GFP_KERNEL);
	if (!rl)
		return -ENOMEM;
	rl->hl = *hl;
	rl->file = get_file(file);
	rl->pid = pid;
	rl->pos = ctx->hdr_pos;
	list_add_tail(&rl->list, locks);
	return 0;
}

/*
 * A LOCK record.  An OFD or flock lock is taken now, by its file; a
 * POSIX lock once the table it belongs to is installed.
 */
int rstr_lock_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_lock hl;
	struct file *file;
	int ret;

	hl.h = *h;
	ret = ckpt_read_payload(ctx, &hl.h, sizeof(hl));
	if (ret)
		return ret;
	ret = rstr_lock_check(ctx, &hl);
	if (ret)
		return ret;
	ret = rstr_lock_file(ctx, &hl, &file);
	if (ret)
		return ret;
	if (hl.kind == CKPT_LOCK_POSIX)
		return rstr_lock_keep(ctx, &hl, file);
	return rstr_lock_take(ctx, &hl, file, current->tgid, ctx->hdr_pos);
}

/* The POSIX locks of the fd table just installed, its owner. */
int rstr_locks(struct ckpt_ctx *ctx)
{
	struct list_head *locks = ckpt_state(ctx, CKPT_STATE_RSTR_LOCKS);
	struct ckpt_rstr_lock *rl;
	int ret;

	if (!locks)
		return 0;
	list_for_each_entry(rl, locks, list) {
		ret = rstr_lock_take(ctx, &rl->hl, rl->file, rl->pid, rl->pos);
		if (ret < 0)
			return ret;
	}
	ckpt_state_free(ctx, CKPT_STATE_RSTR_LOCKS);
	return 0;
}
