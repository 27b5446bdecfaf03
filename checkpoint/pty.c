// SPDX-License-Identifier: GPL-2.0
/*
 * Pseudo-terminals: Unix98 ptys, a master from /dev/ptmx and its slave
 * /dev/pts/N.
 *
 * A pty is an object of its own named by the FILE records of both its
 * ends, like a pipe: the first FILE naming it is followed by its PTY
 * record - the slave's index, termios and window size, the modes of
 * either end, the session it is the controlling terminal of, and what
 * is queued both ways, in each end's line discipline and in the flip
 * buffer before it.
 *
 * Nothing is read out of the pty: the state of its line is pty_ldisc.c's,
 * its session pty_ctty.c's.  Restart opens /dev/ptmx until devpts hands
 * out the saved index - the masters opened on the way are kept until the
 * restart ends, for any other pty of the image that wants one of their
 * indices - and gives the line its state back (pty_ldisc.c).
 *
 * What cannot come back exactly is refused by name: a slave whose master
 * is outside the tree (at fds 0-2 it is the caller's, INHERIT), slave
 * files open outside the tree or as /dev/tty, a master not open
 * read-write, another line discipline than N_TTY, EXTPROC, locked
 * termios, echoes not output yet, an erase under way (ECHOPRT), flow
 * control characters waiting in the flip buffer, and a session not all
 * of whose processes have the pty as controlling terminal.
 *
 * LOCKING: rstr_ptys_lock guards the list of the ptys being restored
 * (rstr_ptys, each pty's list) and the spare masters each keeps
 * (nr_spares, spares[]), which another pty of the same restart may take;
 * a pty's other fields are set before it is listed, and only its own
 * restart writes them after.  The slave's files_lock guards its
 * tty_files list, which opens and closes change; the inode lock of
 * /dev/pts/N is the one notify_change() wants, and its owner and mode
 * are read under it; a file's f_lock guards its f_flags.
 */
#include <linux/bitops.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>
#include <checkpoint/tty.h>

/* status flags set on the master after open, as fcntl(F_SETFL) would */
#define CKPT_PTY_STATUS		(O_APPEND | O_NONBLOCK | O_LARGEFILE)
#define CKPT_PTY_FILE_FLAGS	(O_ACCMODE | CKPT_PTY_STATUS)
#define CKPT_PTY_MASTER_DEV	MKDEV(TTYAUX_MAJOR, 2)	/* /dev/ptmx */
#define CKPT_PTY_DEV_TTY	MKDEV(TTYAUX_MAJOR, 0)	/* /dev/tty */

static_assert(CKPT_PTY_FILE_FLAGS == CKPT_PTY_FILE_FLAGS_ALL);
static_assert(CKPT_PTY_NCCS == NCCS);
static_assert(CKPT_PTY_BUF_SIZE == N_TTY_BUF_SIZE);

/* The tty of a live Unix98 pty file, master or slave; NULL for others. */
static struct tty_struct *ckpt_pty_tty(struct file *file)
{
	bool master = kapi_file_is(file, KAPI_FOPS_PTMX);
	struct tty_struct *tty;

	if (!master && !kapi_file_is(file, KAPI_FOPS_TTY))
		return NULL;
	tty = ((struct tty_file_private *)file->private_data)->tty;
	if (tty->driver->type != TTY_DRIVER_TYPE_PTY ||
	    !(tty->driver->flags & TTY_DRIVER_DEVPTS_MEM) || !tty->link ||
	    master != (tty->driver->subtype == PTY_TYPE_MASTER))
		return NULL;
	return tty;
}

static struct tty_struct *ckpt_pty_master_of(struct tty_struct *tty)
{
	return ckpt_pty_is_master(tty) ? tty : tty->link;
}

/* A pty slave opened as /dev/tty, the opener's controlling terminal. */
static bool ckpt_pty_dev_tty(struct file *file)
{
	return file_inode(file)->i_rdev == CKPT_PTY_DEV_TTY;
}

/* The objhash's references: a master tty (checkpoint), a pty (restart). */
static void ckpt_tty_grab(void *ptr)
{
	tty_kref_get(ptr);
}

static void ckpt_tty_drop(void *ptr)
{
	tty_kref_put(ptr);
}

const struct ckpt_obj_ops ckpt_tty_obj_ops = {
	CKPT_OBJ_TTY, "tty", ckpt_tty_grab, ckpt_tty_drop
};

/* ---------------------------------------------------------------------- */
/* checkpoint */

static bool ckpt_pty_match_master(struct file *file, void *arg)
{
	return ckpt_pty_tty(file) == arg;
}

/* The file of @master, if a task of the tree has it open: referenced. */
struct file *ckpt_pty_master_file(struct ckpt_ctx *ctx,
				  struct tty_struct *master)
{
	return ckpt_tree_file(ctx, -1, ckpt_pty_match_master, master);
}

/**
 * ckpt_pty_kind - what to make of @file, at @fd of the target
 *
 * Returns 0 if @file is no pty end, CKPT_FILE_PTY, CKPT_FILE_INHERIT for
 * a slave at fds 0-2 whose master no task of the tree has (the caller's,
 * like a shell job's terminal), or a negative errno.
 */
static int ckpt_pty_kind(struct ckpt_ctx *ctx, struct file *file, int fd)
{
	struct tty_struct *tty = ckpt_pty_tty(file);
	pid_t pid = task_pid_vnr(ctx->target);
	struct file *master;

	if (!tty)
		return 0;
	if (!ckpt_pty_is_master(tty)) {
		master = ckpt_pty_master_file(ctx, tty->link);
		if (!master && fd <= 2)
			return CKPT_FILE_INHERIT;
		if (!master)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: pty slave /dev/pts/%d: its master is held by a process outside the tree: not supported",
					pid, fd, tty->index);
		fput(master);
		if (ckpt_pty_dev_tty(file))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d fd %d: /dev/pts/%d opened as /dev/tty: not supported",
					pid, fd, tty->index);
	} else if ((file->f_flags & O_ACCMODE) != O_RDWR) {
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: the master of pty %d is not open read-write: not supported",
				pid, fd, tty->index);
	}
	if (file->f_flags & CKPT_FILE_FLAGS_ALL & ~CKPT_PTY_FILE_FLAGS)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: a file of pty %d with flags %#o: not supported",
				pid, fd, tty->index, file->f_flags);
	return CKPT_FILE_PTY;
}

/* The objref of @file's pty, *@first when first met. */
static int ckpt_pty_obj(struct ckpt_ctx *ctx, struct file *file, bool *first)
{
	return ckpt_obj_lookup_add(ctx, ckpt_pty_master_of(ckpt_pty_tty(file)),
				   CKPT_OBJ_TTY, first);
}

static bool ckpt_pty_match_ptr(struct file *file, void *arg)
{
	return file == arg;
}

/*
 * The open files of @slave, as its tty lists them: pointers only, to be
 * compared with the tree's, never followed (a process outside may be
 * closing one).
 */
static int ckpt_pty_slave_files(struct tty_struct *slave,
				struct file ***pfiles, unsigned int *pnr)
{
	struct tty_file_private *priv;
	unsigned int nr, i, tries;
	struct file **files;

	for (tries = 0; tries < 8; tries++) {
		nr = 0;
		spin_lock(&slave->files_lock);
		list_for_each_entry(priv, &slave->tty_files, list)
			nr++;
		spin_unlock(&slave->files_lock);
		files = kvcalloc(nr ?: 1, sizeof(*files), GFP_KERNEL);
		if (!files)
			return -ENOMEM;
		i = 0;
		spin_lock(&slave->files_lock);
		list_for_each_entry(priv, &slave->tty_files, list) {
			if (i < nr)
				files[i] = priv->file;
			i++;
		}
		spin_unlock(&slave->files_lock);
		if (i == nr) {
			*pfiles = files;
			*pnr = nr;
			return 0;
		}
		kvfree(files);
	}
	return -EAGAIN;
}

/* Every open file of the slave is one the tree has, none as /dev/tty. */
static int ckpt_pty_check_slaves(struct ckpt_ctx *ctx,
				 const struct ckpt_pty_where *w,
				 struct tty_struct *slave)
{
	struct file **files, *f;
	unsigned int nr, i;
	int ret;

	ret = ckpt_pty_slave_files(slave, &files, &nr);
	if (ret < 0)
		return ckpt_pty_err(ctx, w, ret, "cannot list the open files of its slave");
	for (i = 0; i < nr && !ret; i++) {
		f = ckpt_tree_file(ctx, -1, ckpt_pty_match_ptr, files[i]);
		if (!f)
			ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					   "its slave is open in a process outside the tree: not supported");
		else if (ckpt_pty_dev_tty(f))
			ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					   "its slave is open as /dev/tty: not supported");
		if (f)
			fput(f);
	}
	kvfree(files);
	return ret;
}

/*
 * The owner and mode of /dev/pts/N: its devpts inode, which the slave's
 * driver_data names (ptmx_open() puts the dentry there).
 */
static int ckpt_pty_owner(struct ckpt_ctx *ctx,
			  const struct ckpt_pty_where *w,
			  struct tty_struct *slave, struct ckpt_hdr_pty *h)
{
	struct user_namespace *ns = current_user_ns();
	struct dentry *dentry = slave->driver_data;
	struct inode *inode = dentry ? d_inode(dentry) : NULL;
	uid_t uid;
	gid_t gid;

	if (!inode)
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "its /dev/pts entry is gone");
	uid = from_kuid(ns, inode->i_uid);
	gid = from_kgid(ns, inode->i_gid);
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "its owner has no id in the checkpointer's user namespace");
	h->slave_uid = uid;
	h->slave_gid = gid;
	h->slave_mode = inode->i_mode & 07777;
	ckpt_inode_times(inode, &h->slave_atime_sec, &h->slave_atime_nsec,
			 &h->slave_mtime_sec, &h->slave_mtime_nsec);
	return 0;
}

/**
 * ckpt_pty - the PTY record of @file's pty, first named by @file at @fd
 * @objref: the pty's objref (ckpt_pty_obj())
 */
static int ckpt_pty(struct ckpt_ctx *ctx, struct file *file, int fd,
		    int objref)
{
	struct tty_struct *master = ckpt_pty_master_of(ckpt_pty_tty(file));
	struct tty_struct *slave = master->link;
	struct ckpt_pty_where w = {
		.pid = task_pid_vnr(ctx->target),
		.fd = fd,
		.index = master->index,
	};
	struct ckpt_pty_state *st;
	struct file *mfile;
	int ret;

	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->h.objref = objref;
	st->h.index = master->index;
	mfile = ckpt_pty_master_file(ctx, master);
	if (!mfile) {
		ret = ckpt_pty_err(ctx, &w, -EOPNOTSUPP,
				   "no task of the tree has its master");
		goto out;
	}
	st->h.master_flags = mfile->f_flags & CKPT_PTY_FILE_FLAGS;
	fput(mfile);
	ret = ckpt_pty_check_slaves(ctx, &w, slave);
	if (ret)
		goto out;
	ret = ckpt_pty_modes(ctx, &w, master, slave, &st->h);
	if (ret)
		goto out;
	ret = ckpt_pty_termios(ctx, &w, master, slave, &st->h);
	if (ret)
		goto out;
	ret = ckpt_pty_queue(ctx, &w, slave, &st->in);
	if (ret)
		goto out;
	ret = ckpt_pty_queue(ctx, &w, master, &st->out);
	if (ret)
		goto out;
	if (st->out.canon || st->out.lnext) {
		ret = ckpt_pty_err(ctx, &w, -EOPNOTSUPP,
				   "its master reads lines: not supported");
		goto out;
	}
	ret = ckpt_pty_session(ctx, &w, slave, &st->h);
	if (ret)
		goto out;
	ret = ckpt_pty_owner(ctx, &w, slave, &st->h);
	if (ret)
		goto out;
	ret = ckpt_pty_write(ctx, st);
out:
	kvfree(st);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

static LIST_HEAD(rstr_ptys);
static DEFINE_MUTEX(rstr_ptys_lock);

static void rstr_pty_release(struct kref *ref)
{
	struct rstr_pty *p = container_of(ref, struct rstr_pty, ref);
	unsigned int i;

	mutex_lock(&rstr_ptys_lock);
	list_del_init(&p->list);
	mutex_unlock(&rstr_ptys_lock);
	if (p->master)
		fput(p->master);
	for (i = 0; i < p->nr_spares; i++)
		if (p->spares[i])
			fput(p->spares[i]);
	kfree(p->spares);
	kfree(p);
}

static void rstr_pty_grab(void *ptr)
{
	struct rstr_pty *p = ptr;

	kref_get(&p->ref);
}

static void rstr_pty_drop(void *ptr)
{
	struct rstr_pty *p = ptr;

	kref_put(&p->ref, rstr_pty_release);
}

const struct ckpt_obj_ops rstr_pty_obj_ops = {
	CKPT_OBJ_PTY, "pty", rstr_pty_grab, rstr_pty_drop
};

static u64 rstr_pty_len(const struct ckpt_hdr_pty *h)
{
	return sizeof(*h) + ALIGN((u64)h->in_bytes, CKPT_ALIGN) +
	       ALIGN(DIV_ROUND_UP((u64)h->in_canon, BITS_PER_BYTE), CKPT_ALIGN) +
	       ALIGN((u64)h->in_pending, CKPT_ALIGN) +
	       ALIGN((u64)h->out_bytes, CKPT_ALIGN) +
	       ALIGN((u64)h->out_pending, CKPT_ALIGN);
}

/* Every field of a PTY record that its queues do not say. */
static int rstr_pty_check(struct ckpt_ctx *ctx, const struct ckpt_hdr_pty *h,
			  int objref)
{
	const u32 stop_m = CKPT_PTY_MASTER_STOPPED | CKPT_PTY_MASTER_TCOOFF;
	const u32 stop_s = CKPT_PTY_SLAVE_STOPPED | CKPT_PTY_SLAVE_TCOOFF;
	bool canon = h->termios.lflag & ICANON;
	int pid_max = kapi_pid_max();

	if (h->objref != objref || h->index >= CKPT_PTY_INDEX_MAX ||
	    h->flags & ~CKPT_PTY_FLAGS_ALL ||
	    (h->flags & stop_m) == CKPT_PTY_MASTER_TCOOFF ||
	    (h->flags & stop_s) == CKPT_PTY_SLAVE_TCOOFF ||
	    (!canon && h->flags & CKPT_PTY_LNEXT) ||
	    h->master_flags & ~CKPT_PTY_FILE_FLAGS ||
	    (h->master_flags & O_ACCMODE) != O_RDWR ||
	    h->pktstatus & ~CKPT_PTY_PKTSTATUS_ALL ||
	    (h->sid ? h->sid < 0 || h->sid >= pid_max || h->pgrp <= 0 ||
		      h->pgrp >= pid_max : h->pgrp))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: objref %d (the FILE names %d), index %u, flags %#x, master flags %#o, packet events %#x, session %d, group %d",
				ctx->hdr_pos, h->objref, objref, h->index,
				h->flags, h->master_flags, h->pktstatus, h->sid,
				h->pgrp);
	if (!rstr_pty_termios_ok(&h->termios))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: termios iflag %#o oflag %#o cflag %#o lflag %#o line %u",
				ctx->hdr_pos, h->termios.iflag, h->termios.oflag,
				h->termios.cflag, h->termios.lflag,
				h->termios.line);
	if (h->in_bytes > (canon ? CKPT_PTY_BUF_SIZE : CKPT_PTY_BUF_SIZE - 1) ||
	    h->in_canon > h->in_bytes || (!canon && h->in_canon) ||
	    h->in_pending > CKPT_PTY_PENDING_MAX ||
	    h->out_bytes >= CKPT_PTY_BUF_SIZE ||
	    h->out_pending > CKPT_PTY_PENDING_MAX ||
	    h->h.len != rstr_pty_len(h))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: length %u; to the slave %u bytes, %u in lines, %u pending; to the master %u, %u pending",
				ctx->hdr_pos, h->h.len, h->in_bytes, h->in_canon,
				h->in_pending, h->out_bytes, h->out_pending);
	if (h->slave_mode & ~07777 || h->pad ||
	    h->slave_atime_nsec >= NSEC_PER_SEC ||
	    h->slave_mtime_nsec >= NSEC_PER_SEC ||
	    !uid_valid(make_kuid(current_user_ns(), h->slave_uid)) ||
	    !gid_valid(make_kgid(current_user_ns(), h->slave_gid)))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: /dev/pts/%u owner %u:%u mode %#o",
				ctx->hdr_pos, h->index, h->slave_uid,
				h->slave_gid, h->slave_mode);
	return 0;
}

/* The PTY record of @objref, which must come now, and its queues. */
static int rstr_pty_read(struct ckpt_ctx *ctx, struct rstr_pty_img *img,
			 int objref)
{
	struct ckpt_hdr_pty *h = &img->h;
	int ret;

	ret = ckpt_read_obj(ctx, &h->h, CKPT_HDR_PTY, sizeof(*h));
	if (ret)
		return ret;
	ret = rstr_pty_check(ctx, h, objref);
	if (ret)
		return ret;
	return rstr_pty_read_queues(ctx, img);
}

/* A master of index @index opened by an earlier pty of this restart. */
static struct file *rstr_pty_spare(const struct ckpt_ctx *op, u32 index)
{
	struct file *file = NULL;
	struct rstr_pty *p;
	unsigned int i;

	mutex_lock(&rstr_ptys_lock);
	list_for_each_entry(p, &rstr_ptys, list) {
		if (p->op != op)
			continue;
		for (i = 0; i < p->nr_spares && !file; i++) {
			if (p->spares[i] &&
			    ckpt_pty_tty(p->spares[i])->index == index) {
				file = p->spares[i];
				p->spares[i] = NULL;
			}
		}
		if (file)
			break;
	}
	mutex_unlock(&rstr_ptys_lock);
	return file;
}

static int rstr_pty_keep(struct rstr_pty *p, struct file *file)
{
	struct file **spares;

	spares = krealloc_array(p->spares, p->nr_spares + 1, sizeof(*spares),
				GFP_KERNEL);
	if (!spares)
		return -ENOMEM;
	spares[p->nr_spares++] = file;
	p->spares = spares;
	return 0;
}

/*
 * The master of index p->index: devpts gives the lowest free index, so
 * /dev/ptmx is opened until it hands that one out; the masters of lower
 * indices are kept until the restart ends, and are there for any other
 * pty of the image that wants one of them.
 */
static int rstr_pty_master(struct ckpt_ctx *ctx, struct rstr_pty *p)
{
	struct tty_struct *tty;
	struct file *file;
	int ret;

	file = rstr_pty_spare(p->op, p->index);
	while (!file) {
		if (fatal_signal_pending(current))
			return -EINTR;
		file = filp_open("/dev/ptmx", O_RDWR | O_NOCTTY | O_LARGEFILE, 0);
		if (IS_ERR(file))
			return ckpt_err(ctx, (int)PTR_ERR(file),
					"PTY record at offset %llu: cannot open /dev/ptmx",
					ctx->hdr_pos);
		tty = ckpt_pty_tty(file);
		if (!tty || !ckpt_pty_is_master(tty)) {
			fput(file);
			return ckpt_err(ctx, -ENODEV,
					"/dev/ptmx is not the Unix98 pty multiplexer");
		}
		if (tty->index == p->index)
			break;
		ret = rstr_pty_keep(p, file);
		if (ret < 0) {
			fput(file);
			return ret;
		}
		if (tty->index > p->index)
			return ckpt_err(ctx, -EBUSY,
					"PTY record at offset %llu: /dev/pts/%u is in use",
					ctx->hdr_pos, p->index);
		file = NULL;
	}
	p->master = file;
	return 0;
}

/*
 * /dev/pts/N's owner and mode, as chown() and chmod() on it would set
 * them: devpts' setattr checks the restarting task's rights (its own
 * pty, CAP_CHOWN, CAP_FOWNER).  What it may not give fails the restart.
 */
static int rstr_pty_owner(struct ckpt_ctx *ctx, struct tty_struct *slave,
			  const struct ckpt_hdr_pty *h)
{
	struct user_namespace *ns = current_user_ns();
	struct dentry *dentry = slave->driver_data;
	struct inode *inode = d_inode(dentry);
	struct iattr owner = {
		.ia_valid = ATTR_UID | ATTR_GID | ATTR_CTIME,
		.ia_vfsuid = VFSUIDT_INIT(make_kuid(ns, h->slave_uid)),
		.ia_vfsgid = VFSGIDT_INIT(make_kgid(ns, h->slave_gid)),
	};
	struct iattr mode = {
		.ia_valid = ATTR_MODE | ATTR_CTIME,
		.ia_mode = (inode->i_mode & S_IFMT) | h->slave_mode,
	};
	int ret = 0;

	/* notify_change() wants it; the owner and mode are read under it */
	inode_lock(inode);
	if (!uid_eq(inode->i_uid, make_kuid(ns, h->slave_uid)) ||
	    !gid_eq(inode->i_gid, make_kgid(ns, h->slave_gid))) {
		ret = notify_change(ckpt_nop_idmap, dentry, &owner, NULL);
		if (ret)
			goto unlock;
	}
	if ((inode->i_mode & 07777) != h->slave_mode) {
		ret = notify_change(ckpt_nop_idmap, dentry, &mode, NULL);
		if (ret)
			goto unlock;
	}
	if ((inode->i_mode & 07777) != h->slave_mode)
		ret = -EPERM;	/* a setgid bit the kernel dropped */
unlock:
	inode_unlock(inode);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"cannot give /dev/pts/%u owner %u:%u and mode %#o",
				h->index, h->slave_uid, h->slave_gid,
				h->slave_mode);
	return 0;
}

/* Its times, last: restoring its queues and modes counts as no I/O. */
static int rstr_pty_times(struct ckpt_ctx *ctx, struct tty_struct *slave,
			  const struct ckpt_hdr_pty *h)
{
	struct dentry *dentry = slave->driver_data;
	struct inode *inode = d_inode(dentry);
	struct iattr times = {
		.ia_valid = ATTR_ATIME | ATTR_MTIME | ATTR_ATIME_SET |
			    ATTR_MTIME_SET | ATTR_CTIME,
		.ia_atime = { .tv_sec = h->slave_atime_sec,
			      .tv_nsec = h->slave_atime_nsec },
		.ia_mtime = { .tv_sec = h->slave_mtime_sec,
			      .tv_nsec = h->slave_mtime_nsec },
	};
	int ret;

	inode_lock(inode);
	ret = notify_change(ckpt_nop_idmap, dentry, &times, NULL);
	inode_unlock(inode);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot set the times of /dev/pts/%u",
				h->index);
	return 0;
}

/*
 * The new pty as the image had it: its /dev/pts entry's owner, its line
 * (pty_ldisc.c), the master's status flags, then its times.
 */
static int rstr_pty_setup(struct ckpt_ctx *ctx, struct rstr_pty *p,
			  const struct rstr_pty_img *img)
{
	const struct ckpt_hdr_pty *h = &img->h;
	struct tty_struct *master = rstr_pty_master_tty(p);
	struct tty_struct *slave = master->link;
	int ret;

	ret = rstr_pty_owner(ctx, slave, h);
	if (ret)
		return ret;
	ret = rstr_pty_line(ctx, master, slave, img);
	if (ret)
		return ret;
	spin_lock(&p->master->f_lock);
	p->master->f_flags = (p->master->f_flags & ~CKPT_PTY_STATUS) |
			     (h->master_flags & CKPT_PTY_STATUS);
	spin_unlock(&p->master->f_lock);
	return rstr_pty_times(ctx, slave, h);
}

/* The pty @objref, first named now: its PTY record comes next. */
static int rstr_pty_new(struct ckpt_ctx *ctx, int objref)
{
	struct rstr_pty_img *img;
	struct rstr_pty *p;
	int ret;

	img = kvzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return -ENOMEM;
	ret = rstr_pty_read(ctx, img, objref);
	if (ret < 0)
		goto out;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	kref_init(&p->ref);
	INIT_LIST_HEAD(&p->list);
	p->op = ctx->parent ?: ctx;
	p->index = img->h.index;
	p->flags = img->h.flags;
	p->master_flags = img->h.master_flags;
	p->sid = img->h.sid;
	p->pgrp = img->h.pgrp;
	ret = rstr_pty_master(ctx, p);
	if (ret)
		goto put;
	ret = rstr_pty_setup(ctx, p, img);
	if (ret)
		goto put;
	mutex_lock(&rstr_ptys_lock);
	list_add(&p->list, &rstr_ptys);
	mutex_unlock(&rstr_ptys_lock);
	ret = ckpt_obj_insert(ctx, p, objref, CKPT_OBJ_PTY);
	if (ret < 0)
		ckpt_err(ctx, ret, "PTY record at offset %llu: objref %d is taken",
			 ctx->hdr_pos, objref);
put:
	kref_put(&p->ref, rstr_pty_release);	/* the objhash's, if any, stays */
out:
	kvfree(img);
	return ret;
}

/*
 * A new file of the slave with @f_flags, opened as TIOCGPTPEER does -
 * through the master, in the devpts instance the master belongs to -
 * for the time of which the pty is neither locked nor exclusive.
 */
static struct file *rstr_pty_slave(struct ckpt_ctx *ctx, struct rstr_pty *p,
				   u32 f_flags)
{
	struct tty_struct *master = rstr_pty_master_tty(p);
	struct tty_struct *slave = master->link;
	struct file *file;
	bool locked, excl;
	long fd;

	locked = test_and_clear_bit(TTY_PTY_LOCK, &master->flags);
	excl = test_and_clear_bit(TTY_EXCLUSIVE, &slave->flags);
	fd = kapi_file_ioctl(p->master, TIOCGPTPEER, f_flags | O_NOCTTY, NULL, 0);
	if (excl)
		set_bit(TTY_EXCLUSIVE, &slave->flags);
	if (locked)
		set_bit(TTY_PTY_LOCK, &master->flags);
	if (fd < 0)
		return ERR_PTR(ckpt_err(ctx, (int)fd, "cannot open /dev/pts/%u",
					p->index));
	file = fget(fd);
	close_fd(fd);
	return file ?: ERR_PTR(-EBADF);
}

/* What a FILE of a pty may say of itself, whatever pty it names. */
static bool rstr_pty_file_ok(const struct ckpt_hdr_file *hf)
{
	return S_ISCHR(hf->mode) && !hf->pos && !hf->size &&
	       !(hf->f_flags & ~CKPT_PTY_FILE_FLAGS) &&
	       (hf->f_flags & O_ACCMODE) != O_ACCMODE;
}

/**
 * rstr_pty_open - the file of a FILE record of kind PTY
 *
 * The first FILE naming a pty makes it from the PTY record that follows;
 * each names one end by its rdev: the master, whose file is the pty's
 * own and comes once, or a slave, for which a new file is opened.
 */
static struct file *rstr_pty_open(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *hf, char *name)
{
	dev_t dev = new_decode_dev(hf->rdev);
	bool master = dev == CKPT_PTY_MASTER_DEV;
	u64 pos = ctx->hdr_pos;
	struct rstr_pty *p;
	int ret;

	if (!rstr_pty_file_ok(hf) || hf->obj_objref <= 0 ||
	    (!master && MAJOR(dev) != UNIX98_PTY_SLAVE_MAJOR)) {
		ckpt_err(ctx, -EINVAL,
			 "FILE record at offset %llu: pty %d, mode %#o, flags %#o, rdev %#x, offset %llu, size %llu",
			 pos, hf->obj_objref, hf->mode, hf->f_flags, hf->rdev,
			 hf->pos, hf->size);
		return ERR_PTR(-EINVAL);
	}
	p = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_PTY);
	if (IS_ERR(p)) {
		ret = rstr_pty_new(ctx, hf->obj_objref);
		if (ret < 0)
			return ERR_PTR(ret);
		p = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_PTY);
		if (IS_ERR(p))
			return ERR_CAST(p);
	}
	if (master ? p->master_taken || hf->f_flags != p->master_flags :
		     MINOR(dev) != p->index || p->flags & CKPT_PTY_SLAVE_CLOSED) {
		ckpt_err(ctx, -EINVAL,
			 "FILE record at offset %llu: %s of pty %d (/dev/pts/%u), flags %#o, rdev %#x: %s",
			 pos, master ? "the master" : "a slave", hf->obj_objref,
			 p->index, hf->f_flags, hf->rdev,
			 master ? "a second master, or other flags than its PTY record's" :
				  "not its slave, or a slave the PTY record says is closed");
		return ERR_PTR(-EINVAL);
	}
	if (!master)
		return rstr_pty_slave(ctx, p, hf->f_flags);
	p->master_taken = true;
	return get_file(p->master);
}

/*
 * The pty of restart @op whose slave is the controlling terminal of
 * session @sid, referenced (rstr_pty_put()), or NULL.
 */
struct rstr_pty *rstr_pty_session_get(const struct ckpt_ctx *op, pid_t sid)
{
	struct rstr_pty *p;

	mutex_lock(&rstr_ptys_lock);
	list_for_each_entry(p, &rstr_ptys, list) {
		if (p->op == op && p->sid && p->sid == sid) {
			kref_get(&p->ref);
			mutex_unlock(&rstr_ptys_lock);
			return p;
		}
	}
	mutex_unlock(&rstr_ptys_lock);
	return NULL;
}

void rstr_pty_put(struct rstr_pty *p)
{
	kref_put(&p->ref, rstr_pty_release);
}

static int ckpt_pty_match(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_pty_kind(ctx, d->file, d->fd);
}

static int ckpt_pty_file_obj(struct ckpt_ctx *ctx,
			     const struct ckpt_file_desc *d, bool *first)
{
	return ckpt_pty_obj(ctx, d->file, first);
}

static int ckpt_pty_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_pty(ctx, d->file, d->fd, d->hf->obj_objref);
}

const struct ckpt_file_ops ckpt_pty_file_ops = {
	.name = "pty",
	.kinds = BIT(CKPT_FILE_PTY),
	.rdev = BIT(CKPT_FILE_PTY),
	.match = ckpt_pty_match,
	.obj = ckpt_pty_file_obj,
	.checkpoint = ckpt_pty_file,
	.restart = rstr_pty_open,
};
