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
 * Nothing is read out of the pty.  N_TTY keeps its buffer to itself:
 * checkpoint looks at it through a mirror of its state
 * (checkpoint/kapi/private.c), with the flip buffer worker held off,
 * and trusts the mirror only once it agrees with the termios it derives
 * from and with TIOCINQ.  Restart
 * opens /dev/ptmx until devpts hands out the saved index - the masters
 * opened on the way are kept until the restart ends, for any other pty
 * of the image that wants one of their indices - and feeds each queue
 * back through its line discipline's receive path: the slave's under a
 * termios of its own that stores every byte as it was (each literal byte
 * that would be special escaped with VLNEXT, each line end made by '\n',
 * VEOL or VEOF as the buffer had it), then under its saved termios.  Once
 * the mirror is seen to hold exactly the bytes fed, the output column
 * goes back into it.  The controlling terminal comes back as each
 * process of its session applies its fd table: the leader with
 * TIOCSCTTY and TIOCSPGRP, the others inherit it as from fork().
 *
 * What cannot come back exactly is refused by name: a slave whose master
 * is outside the tree (at fds 0-2 it is the caller's, INHERIT), slave
 * files open outside the tree or as /dev/tty, a master not open
 * read-write, another line discipline than N_TTY, EXTPROC, locked
 * termios, echoes not output yet, an erase under way (ECHOPRT), flow
 * control characters waiting in the flip buffer, and a session not all
 * of whose processes have the pty as controlling terminal.
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
#include <linux/tty_flip.h>
#include <linux/tty_ldisc.h>
#include <linux/workqueue.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/signal.h>
#include <checkpoint/kapi.h>

/* status flags set on the master after open, as fcntl(F_SETFL) would */
#define CKPT_PTY_STATUS		(O_APPEND | O_NONBLOCK | O_LARGEFILE)
#define CKPT_PTY_FILE_FLAGS	(O_ACCMODE | CKPT_PTY_STATUS)
#define CKPT_PTY_MASTER_DEV	MKDEV(TTYAUX_MAJOR, 2)	/* /dev/ptmx */
#define CKPT_PTY_DEV_TTY	MKDEV(TTYAUX_MAJOR, 0)	/* /dev/tty */
#define CKPT_PTY_EOL_BYTES	(CKPT_PTY_BUF_SIZE / BITS_PER_BYTE)
#define CKPT_PTY_MASK(x)	((x) & (N_TTY_BUF_SIZE - 1))

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

static bool ckpt_pty_is_master(const struct tty_struct *tty)
{
	return tty->driver->subtype == PTY_TYPE_MASTER;
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
static struct file *ckpt_pty_master_file(struct ckpt_ctx *ctx,
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

/* What one direction holds: a line discipline's buffer, a flip buffer. */
struct ckpt_pty_queue {
	u32 len;			/* bytes in the line discipline */
	u32 canon;			/* of them, in complete lines */
	u32 pending;			/* bytes in the flip buffer */
	bool lnext;
	unsigned int column, canon_column;
	u8 data[CKPT_PTY_BUF_SIZE];
	u8 eol[CKPT_PTY_EOL_BYTES];	/* line ends among the canon bytes */
	u8 flip[CKPT_PTY_PENDING_MAX];
};

struct ckpt_pty_state {
	struct ckpt_hdr_pty h;
	struct ckpt_pty_queue in;	/* to the slave */
	struct ckpt_pty_queue out;	/* to the master */
};

/* Where messages point: the end being saved, and the pty's index. */
struct ckpt_pty_where {
	pid_t pid;
	int fd;
	int index;
};

#define ckpt_pty_err(ctx, w, err, fmt, ...)				\
	ckpt_err(ctx, err, "pid %d fd %d: pty %d: " fmt, (w)->pid,	\
		 (w)->fd, (w)->index, ##__VA_ARGS__)

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

static bool ckpt_pty_ldisc_ok(struct tty_struct *tty)
{
	struct tty_ldisc *ld = tty_ldisc_ref(tty);
	bool ok = ld && ld->ops->num == N_TTY;

	if (ld)
		tty_ldisc_deref(ld);
	return ok;
}

/* Modes of either end, and the packet events not read yet. */
static int ckpt_pty_modes(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
			  struct tty_struct *master, struct tty_struct *slave,
			  struct ckpt_hdr_pty *h)
{
	unsigned long flags;
	bool stopped, tco;

	if (test_bit(TTY_HUPPING, &master->flags) ||
	    test_bit(TTY_HUPPING, &slave->flags) ||
	    test_bit(TTY_LDISC_CHANGING, &master->flags) ||
	    test_bit(TTY_LDISC_CHANGING, &slave->flags) ||
	    !ckpt_pty_ldisc_ok(master) || !ckpt_pty_ldisc_ok(slave))
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "hung up, or a line discipline other than N_TTY: not supported");
	if (test_bit(TTY_PTY_LOCK, &master->flags))
		h->flags |= CKPT_PTY_LOCKED;
	if (test_bit(TTY_EXCLUSIVE, &master->flags))
		h->flags |= CKPT_PTY_MASTER_EXCL;
	if (test_bit(TTY_EXCLUSIVE, &slave->flags))
		h->flags |= CKPT_PTY_SLAVE_EXCL;
	/* pty_close() of the last slave file sets both */
	if (test_bit(TTY_OTHER_CLOSED, &master->flags)) {
		if (READ_ONCE(slave->count) != 1)
			return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					    "its slave is closed and open at once: not supported");
		h->flags |= CKPT_PTY_SLAVE_CLOSED;
	}

	spin_lock_irqsave(&master->flow.lock, flags);
	stopped = master->flow.stopped;
	tco = master->flow.tco_stopped;
	spin_unlock_irqrestore(&master->flow.lock, flags);
	h->flags |= (stopped ? CKPT_PTY_MASTER_STOPPED : 0) |
		    (tco ? CKPT_PTY_MASTER_TCOOFF : 0);
	spin_lock_irqsave(&slave->flow.lock, flags);
	stopped = slave->flow.stopped;
	tco = slave->flow.tco_stopped;
	spin_unlock_irqrestore(&slave->flow.lock, flags);
	h->flags |= (stopped ? CKPT_PTY_SLAVE_STOPPED : 0) |
		    (tco ? CKPT_PTY_SLAVE_TCOOFF : 0);

	/* only the master reads packets; the slave keeps their events */
	spin_lock_irqsave(&master->ctrl.lock, flags);
	if (master->ctrl.packet)
		h->flags |= CKPT_PTY_PACKET;
	stopped = master->ctrl.session || master->ctrl.pgrp;
	spin_unlock_irqrestore(&master->ctrl.lock, flags);
	spin_lock_irqsave(&slave->ctrl.lock, flags);
	h->pktstatus = slave->ctrl.pktstatus;
	tco = slave->ctrl.packet;
	spin_unlock_irqrestore(&slave->ctrl.lock, flags);
	if (stopped || tco || h->pktstatus & ~CKPT_PTY_PKTSTATUS_ALL ||
	    ((h->flags & CKPT_PTY_MASTER_TCOOFF) &&
	     !(h->flags & CKPT_PTY_MASTER_STOPPED)) ||
	    ((h->flags & CKPT_PTY_SLAVE_TCOOFF) &&
	     !(h->flags & CKPT_PTY_SLAVE_STOPPED)))
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "a state no pty reaches through its calls (packet events %#x): not supported",
				    h->pktstatus);
	return 0;
}

/* The slave's termios and window size; the master's must be the driver's. */
static int ckpt_pty_termios(struct ckpt_ctx *ctx,
			    const struct ckpt_pty_where *w,
			    struct tty_struct *master, struct tty_struct *slave,
			    struct ckpt_hdr_pty *h)
{
	struct ckpt_termios *ct = &h->termios;
	struct ktermios t;
	bool locked, raw;

	down_read(&master->termios_rwsem);
	raw = !master->termios.c_iflag && !master->termios.c_lflag &&
	      master->termios.c_line == N_TTY;
	up_read(&master->termios_rwsem);
	down_read(&slave->termios_rwsem);
	t = slave->termios;
	locked = memchr_inv(&slave->termios_locked, 0,
			    sizeof(slave->termios_locked));
	up_read(&slave->termios_rwsem);
	if (!raw || locked)
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "termios locked (TIOCSLCKTRMIOS) or the master's changed: not supported");
	if (t.c_line != N_TTY || t.c_lflag & EXTPROC)
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "line discipline %u, lflag %#o (EXTPROC): not supported",
				    t.c_line, t.c_lflag);
	if (t.c_iflag & ~CKPT_PTY_IFLAGS || t.c_oflag & ~CKPT_PTY_OFLAGS ||
	    t.c_lflag & ~CKPT_PTY_LFLAGS || t.c_cflag & ~CKPT_PTY_CFLAGS ||
	    (t.c_cflag & (CSIZE | CREAD | PARENB)) != (CS8 | CREAD))
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "termios iflag %#o oflag %#o cflag %#o lflag %#o hold bits no pty has: not supported",
				    t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
	ct->iflag = t.c_iflag;
	ct->oflag = t.c_oflag;
	ct->cflag = t.c_cflag;
	ct->lflag = t.c_lflag;
	ct->ispeed = t.c_ispeed;
	ct->ospeed = t.c_ospeed;
	ct->line = t.c_line;
	memcpy(ct->cc, t.c_cc, sizeof(ct->cc));

	mutex_lock(&slave->winsize_mutex);
	h->ws_row = slave->winsize.ws_row;
	h->ws_col = slave->winsize.ws_col;
	h->ws_xpixel = slave->winsize.ws_xpixel;
	h->ws_ypixel = slave->winsize.ws_ypixel;
	mutex_unlock(&slave->winsize_mutex);
	return 0;
}

/* Does @ld hold echoes not output yet, or other state we cannot make? */
static const char *ckpt_pty_busy(const struct kapi_n_tty *ld,
				 size_t pending)
{
	if (ld->echo_head != ld->echo_tail || ld->echo_commit != ld->echo_tail ||
	    ld->echo_mark != ld->echo_tail)
		return "echoes not output yet";
	if (ld->erasing)
		return "an erase under way (ECHOPRT)";
	if (ld->lookahead_count > pending)
		return "more input looked ahead than is pending";
	if (!ld->icanon && ld->commit_head != ld->read_head)
		return "input not committed yet";
	return NULL;
}

/*
 * The line discipline's buffer of @tty, through the mirror, which must
 * agree with @inq (TIOCINQ).  The flip buffer worker is held off.
 */
static int ckpt_pty_ldisc(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
			  struct tty_struct *tty, unsigned int inq,
			  struct ckpt_pty_queue *q, size_t pending)
{
	struct kapi_n_tty n, *ld = &n;
	size_t tail, len, canon, count, i;
	const char *why = NULL;
	bool eol;
	int ret = 0;

	down_read(&tty->termios_rwsem);
	if (kapi_n_tty(tty, ld)) {
		why = "its line discipline is not laid out as this kernel's N_TTY";
		goto out;
	}
	tail = ld->read_tail;
	len = ld->read_head - tail;
	canon = ld->icanon ? ld->canon_head - tail : 0;
	count = ld->icanon ? canon : len;
	for (i = 0; i < len; i++) {
		q->data[i] = ld->read_buf[CKPT_PTY_MASK(tail + i)];
		eol = test_bit(CKPT_PTY_MASK(tail + i), ld->read_flags);
		if (i >= canon && ld->icanon && eol) {
			why = "a line end past the last complete line";
			goto out;
		}
		if (i >= canon || !eol)
			continue;
		q->eol[i / BITS_PER_BYTE] |= 1U << (i % BITS_PER_BYTE);
		if (q->data[i] == __DISABLED_CHAR)
			count--;	/* an end of file, which read() drops */
	}
	if (count != inq)
		why = "its line discipline holds other bytes than TIOCINQ says";
	else if (canon && !(q->eol[(canon - 1) / BITS_PER_BYTE] &
			    BIT((canon - 1) % BITS_PER_BYTE)))
		why = "complete lines that do not end a line";
	else if (!ld->icanon && len >= N_TTY_BUF_SIZE)
		why = "a full buffer left over from canonical mode";
	else
		why = ckpt_pty_busy(ld, pending);
	q->len = len;
	q->canon = canon;
	q->lnext = ld->lnext;
	q->column = ld->column;
	q->canon_column = ld->canon_column;
out:
	up_read(&tty->termios_rwsem);
	if (why)
		ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP, "the %s: %s: not supported",
				   ckpt_pty_is_master(tty) ? "master" : "slave",
				   why);
	return ret;
}

/* The bytes in @tty's flip buffer its line discipline has not taken. */
static int ckpt_pty_flip(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
			 struct tty_struct *tty, struct ckpt_pty_queue *q)
{
	struct tty_buffer *b;
	unsigned int n;

	/*
	 * As flush_to_ldisc() reads them: paired with the releases of
	 * __tty_buffer_request_room() and tty_flip_buffer_commit(), they
	 * make the data up to commit visible.
	 */
	for (b = tty->port->buf.head; b; b = smp_load_acquire(&b->next)) {
		/* what was committed, the data before it written */
		n = smp_load_acquire(&b->commit) - b->read;
		if (!n)
			continue;
		if (n > CKPT_PTY_PENDING_MAX - q->pending)
			return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					    "more than %u bytes not taken by a line discipline: not supported",
					    CKPT_PTY_PENDING_MAX);
		if (ckpt_ttyb_flagged(b, b->read, n))
			return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					    "a break or parity error queued: not supported");
		memcpy(q->flip + q->pending, char_buf_ptr(b, b->read), n);
		q->pending += n;
	}
	return 0;
}

/*
 * Both queues of @tty: the worker that moves the flip buffer into the
 * line discipline is let finish (it leaves what finds no room) and then
 * held off while both are looked at.
 */
static int ckpt_pty_queue(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
			  struct tty_struct *tty, struct ckpt_pty_queue *q)
{
	struct tty_port *port = tty->port;
	unsigned int inq = 0;
	int ret;

	flush_work(&port->buf.work);
	tty_buffer_lock_exclusive(port);
	ret = kapi_tty_inq(tty, &inq);
	if (ret < 0)
		ckpt_pty_err(ctx, w, ret, "cannot ask its line discipline for TIOCINQ");
	if (!ret)
		ret = ckpt_pty_flip(ctx, w, tty, q);
	if (!ret)
		ret = ckpt_pty_ldisc(ctx, w, tty, inq, q, q->pending);
	tty_buffer_unlock_exclusive(port);
	if (ret < 0 || !q->pending || !I_IXON(tty))
		return ret;
	/* the worker has acted on these already (lookahead_bufs()) */
	if (memchr(q->flip, START_CHAR(tty), q->pending) ||
	    memchr(q->flip, STOP_CHAR(tty), q->pending))
		return ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				    "VSTART or VSTOP in input no line discipline took yet: not supported");
	return 0;
}

static void ckpt_task_tty_locked(struct task_struct *t,
				 struct sighand_struct *sighand, void *arg)
{
	struct tty_struct **tty = arg;

	*tty = tty_kref_get(t->signal->tty);
}

/* @t's controlling terminal, referenced, or NULL. */
static struct tty_struct *ckpt_task_tty(struct task_struct *t)
{
	struct tty_struct *tty = NULL;

	ckpt_under_siglock(t, ckpt_task_tty_locked, &tty);
	return tty;
}

/*
 * The session @slave is the controlling terminal of and its foreground
 * process group, as TREE pids.  Every process of that session must have
 * it as its controlling terminal and restore its own fd table (restart
 * sets the terminal there), every other process must not have it.
 */
static int ckpt_pty_session(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
			    struct tty_struct *slave, struct ckpt_hdr_pty *h)
{
	struct ckpt_ctx *op = ctx->parent ?: ctx;
	struct pid *session, *pgrp;
	struct tty_struct *tty;
	struct ckpt_tnode *n;
	bool in, has;
	unsigned long flags;
	int ret = 0;
	u32 i;

	spin_lock_irqsave(&slave->ctrl.lock, flags);
	session = get_pid(slave->ctrl.session);
	pgrp = get_pid(slave->ctrl.pgrp);
	spin_unlock_irqrestore(&slave->ctrl.lock, flags);
	for (i = 0; i < op->nr_tree && !ret; i++) {
		n = &op->tree[i];
		if (!n->ctx || n->e.pid != n->e.tgid)
			continue;
		tty = ckpt_task_tty(n->task);
		has = tty == slave;
		tty_kref_put(tty);
		rcu_read_lock();
		in = session && task_session(n->task) == session;
		if (in && task_pid(n->task) == session)
			h->sid = n->e.pid;
		if (pgrp && task_pgrp(n->task) == pgrp && n->e.pgid)
			h->pgrp = n->e.pgid;
		rcu_read_unlock();
		if (has != in)
			ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					   "pid %d %s it as controlling terminal, in %s session: not supported",
					   task_pid_vnr(n->task),
					   has ? "has" : "has not",
					   in ? "its" : "another");
		else if (has && !(n->ctx->first & CKPT_FIRST_FILES))
			ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
					   "pid %d, of the session it is the controlling terminal of, shares the fd table of an earlier process: not supported",
					   task_pid_vnr(n->task));
	}
	if (!ret && session && !h->sid)
		ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				   "the controlling terminal of session %d, whose leader is no running process of the tree: not supported",
				   pid_vnr(session));
	else if (!ret && session && !h->pgrp)
		ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				   "its foreground process group %d is no group of the tree: not supported",
				   pgrp ? pid_vnr(pgrp) : 0);
	put_pid(session);
	put_pid(pgrp);
	return ret;
}

static int ckpt_pty_write_queue(struct ckpt_ctx *ctx,
				const struct ckpt_pty_queue *q, bool eol)
{
	int ret = 0;

	if (q->len)
		ret = ckpt_write_string(ctx, q->data, q->len);
	if (!ret && eol && q->canon)
		ret = ckpt_write_string(ctx, q->eol,
					DIV_ROUND_UP(q->canon, BITS_PER_BYTE));
	if (!ret && q->pending)
		ret = ckpt_write_string(ctx, q->flip, q->pending);
	return ret;
}

static int ckpt_pty_write(struct ckpt_ctx *ctx, struct ckpt_pty_state *st)
{
	struct ckpt_hdr_pty *h = &st->h;
	size_t extra;
	int ret;

	h->in_bytes = st->in.len;
	h->in_canon = st->in.canon;
	h->in_pending = st->in.pending;
	h->out_bytes = st->out.len;
	h->out_pending = st->out.pending;
	h->column = st->in.column;
	h->canon_column = st->in.canon_column;
	if (st->in.lnext)
		h->flags |= CKPT_PTY_LNEXT;
	extra = ALIGN(h->in_bytes, CKPT_ALIGN) +
		ALIGN(DIV_ROUND_UP(h->in_canon, BITS_PER_BYTE), CKPT_ALIGN) +
		ALIGN(h->in_pending, CKPT_ALIGN) +
		ALIGN(h->out_bytes, CKPT_ALIGN) +
		ALIGN(h->out_pending, CKPT_ALIGN);
	ret = ckpt_write_obj(ctx, &h->h, CKPT_HDR_PTY, sizeof(*h), extra);
	if (!ret)
		ret = ckpt_pty_write_queue(ctx, &st->in, true);
	if (!ret)
		ret = ckpt_pty_write_queue(ctx, &st->out, false);
	return ret;
}

/**
 * ckpt_pty - the PTY record of @file's pty, first named by @file at @fd
 * @objref: the pty's objref (ckpt_pty_obj())
 */
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
	if (!ret)
		ret = ckpt_pty_modes(ctx, &w, master, slave, &st->h);
	if (!ret)
		ret = ckpt_pty_termios(ctx, &w, master, slave, &st->h);
	if (!ret)
		ret = ckpt_pty_queue(ctx, &w, slave, &st->in);
	if (!ret)
		ret = ckpt_pty_queue(ctx, &w, master, &st->out);
	if (!ret && (st->out.canon || st->out.lnext))
		ret = ckpt_pty_err(ctx, &w, -EOPNOTSUPP,
				   "its master reads lines: not supported");
	if (!ret)
		ret = ckpt_pty_session(ctx, &w, slave, &st->h);
	if (!ret)
		ret = ckpt_pty_owner(ctx, &w, slave, &st->h);
	if (!ret)
		ret = ckpt_pty_write(ctx, st);
out:
	kvfree(st);
	return ret;
}

/**
 * ckpt_pty_ctty - a session leader's section brings its controlling pty
 * @t: the first task of an fd table, about to save it
 *
 * Restart gives the processes of a session their controlling terminal
 * as each installs its fd table; the pty must exist by then.  If @t
 * leads a session whose terminal is a pty the tree saves and no earlier
 * section has, its master's FILE (and the PTY record) come now.
 */
int ckpt_pty_ctty(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct tty_struct *tty;
	struct file *master;
	bool lead;
	int ret = 0;

	rcu_read_lock();
	lead = task_session(t) == task_pid(t);
	rcu_read_unlock();
	if (!lead)
		return 0;
	tty = ckpt_task_tty(t);
	if (!tty)
		return 0;
	if (tty->driver->type != TTY_DRIVER_TYPE_PTY ||
	    !(tty->driver->flags & TTY_DRIVER_DEVPTS_MEM) ||
	    ckpt_pty_is_master(tty) || !tty->link)
		goto out;
	master = ckpt_pty_master_file(ctx, tty->link);
	if (!master)
		goto out;	/* not the tree's: the caller's, like stdio */
	ret = ckpt_obj_lookup(ctx, tty->link, CKPT_OBJ_TTY);
	if (!ret)
		ret = ckpt_file_obj(ctx, master, -1);
	fput(master);
out:
	tty_kref_put(tty);
	return ret < 0 ? ret : 0;
}

/* ---------------------------------------------------------------------- */
/* restart */

/*
 * A pty being restored, the objhash's object for its objref.  The
 * restarts under way list theirs, for the masters opened on the way to
 * an index and for the controlling terminals.
 */
struct rstr_pty {
	struct kref ref;
	struct list_head list;		/* rstr_ptys */
	const struct ckpt_ctx *op;	/* its restart: compared only */
	struct file *master;
	bool master_taken;		/* its FILE was read */
	u32 index;
	u32 flags;			/* CKPT_PTY_* */
	u32 master_flags;
	pid_t sid, pgrp;		/* controlling terminal of */
	unsigned int nr_spares;
	struct file **spares;		/* masters of lower indices */
};

static LIST_HEAD(rstr_ptys);
static DEFINE_MUTEX(rstr_ptys_lock);

/* The record and its queues, as read. */
struct rstr_pty_img {
	struct ckpt_hdr_pty h;
	u8 in[CKPT_PTY_BUF_SIZE];
	u8 eol[CKPT_PTY_EOL_BYTES];
	u8 in_pending[CKPT_PTY_PENDING_MAX];
	u8 out[CKPT_PTY_BUF_SIZE];
	u8 out_pending[CKPT_PTY_PENDING_MAX];
};

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

static struct tty_struct *rstr_pty_master_tty(const struct rstr_pty *p)
{
	return ((struct tty_file_private *)p->master->private_data)->tty;
}

static bool rstr_pty_termios_ok(const struct ckpt_termios *t)
{
	return !(t->iflag & ~CKPT_PTY_IFLAGS) && !(t->oflag & ~CKPT_PTY_OFLAGS) &&
	       !(t->lflag & ~CKPT_PTY_LFLAGS) && !(t->cflag & ~CKPT_PTY_CFLAGS) &&
	       (t->cflag & (CSIZE | CREAD | PARENB)) == (CS8 | CREAD) &&
	       t->line == N_TTY && !t->pad;
}

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

static int rstr_pty_read_data(struct ckpt_ctx *ctx, void *buf, u32 len)
{
	int ret;

	if (!len)
		return 0;
	ret = ckpt_read(ctx, buf, len);
	return ret < 0 ? ret : ckpt_read_pad(ctx, len);
}

/* The line ends are within the complete lines, the last of which ends. */
static int rstr_pty_check_eol(struct ckpt_ctx *ctx, const struct rstr_pty_img *img)
{
	u32 canon = img->h.in_canon, bytes = DIV_ROUND_UP(canon, BITS_PER_BYTE);

	if (!canon)
		return 0;
	if (!(img->eol[(canon - 1) / BITS_PER_BYTE] &
	      BIT((canon - 1) % BITS_PER_BYTE)) ||
	    (canon % BITS_PER_BYTE &&
	     img->eol[bytes - 1] & ~(BIT(canon % BITS_PER_BYTE) - 1)))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: its %u bytes of complete lines do not end a line, or have line ends past them",
				ctx->hdr_pos, canon);
	return 0;
}

/* The PTY record of @objref, which must come now, and its queues. */
static int rstr_pty_read(struct ckpt_ctx *ctx, struct rstr_pty_img *img,
			 int objref)
{
	struct ckpt_hdr_pty *h = &img->h;
	int ret;

	ret = ckpt_read_obj(ctx, &h->h, CKPT_HDR_PTY, sizeof(*h));
	if (!ret)
		ret = rstr_pty_check(ctx, h, objref);
	if (!ret)
		ret = rstr_pty_read_data(ctx, img->in, h->in_bytes);
	if (!ret)
		ret = rstr_pty_read_data(ctx, img->eol,
					 DIV_ROUND_UP(h->in_canon, BITS_PER_BYTE));
	if (!ret)
		ret = rstr_pty_check_eol(ctx, img);
	if (!ret)
		ret = rstr_pty_read_data(ctx, img->in_pending, h->in_pending);
	if (!ret)
		ret = rstr_pty_read_data(ctx, img->out, h->out_bytes);
	if (!ret)
		ret = rstr_pty_read_data(ctx, img->out_pending, h->out_pending);
	return ret;
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

static void rstr_pty_ktermios(struct ktermios *kt, const struct ckpt_termios *t)
{
	memset(kt, 0, sizeof(*kt));
	kt->c_iflag = t->iflag;
	kt->c_oflag = t->oflag;
	kt->c_cflag = t->cflag;
	kt->c_lflag = t->lflag;
	kt->c_line = t->line;
	memcpy(kt->c_cc, t->cc, sizeof(t->cc));
	kt->c_ispeed = t->ispeed;
	kt->c_ospeed = t->ospeed;
}

static bool rstr_pty_same_termios(const struct ktermios *a,
				  const struct ktermios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       a->c_line == b->c_line &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc)) &&
	       a->c_ispeed == b->c_ispeed && a->c_ospeed == b->c_ospeed;
}

/* @len bytes into @tty's line discipline, as its driver would hand them. */
static int rstr_pty_feed(struct ckpt_ctx *ctx, struct tty_struct *tty,
			 const u8 *buf, size_t len)
{
	struct tty_ldisc *ld;
	size_t n;

	if (!len)
		return 0;
	ld = tty_ldisc_ref(tty);
	if (!ld)
		return ckpt_err(ctx, -EIO, "pty %d: no line discipline",
				tty->index);
	n = tty_ldisc_receive_buf(ld, buf, NULL, len);
	tty_ldisc_deref(ld);
	if (n != len)
		return ckpt_err(ctx, -ENOBUFS,
				"pty %d: its line discipline took %zu of %zu bytes",
				tty->index, n, len);
	return 0;
}

static bool rstr_pty_eol(const u8 *eol, u32 i)
{
	return eol[i / BITS_PER_BYTE] & BIT(i % BITS_PER_BYTE);
}

/*
 * Does @tty's line discipline hold exactly the @len bytes of @data, the
 * first @canon in lines that end where @eol says?  Checked through the
 * mirror, which is trusted for the output column only if so.
 */
static int rstr_pty_verify(struct ckpt_ctx *ctx, struct tty_struct *tty,
			   const u8 *data, u32 len, u32 canon, const u8 *eol,
			   bool lnext)
{
	struct kapi_n_tty n, *ld = &n;
	size_t pos;
	bool ok;
	u32 i;

	down_read(&tty->termios_rwsem);
	ok = !kapi_n_tty(tty, ld) &&
	     ld->read_head - ld->read_tail == len &&
	     (!ld->icanon || ld->canon_head - ld->read_tail == canon) &&
	     ld->lnext == lnext && !ckpt_pty_busy(ld, 0);
	for (i = 0; ok && i < len; i++) {
		pos = CKPT_PTY_MASK(ld->read_tail + i);
		ok = ld->read_buf[pos] == data[i] &&
		     test_bit(pos, ld->read_flags) ==
		     (i < canon && rstr_pty_eol(eol, i));
	}
	up_read(&tty->termios_rwsem);
	if (!ok)
		return ckpt_err(ctx, -EIO,
				"pty %d: its %s's line discipline does not hold the %u bytes it was given",
				tty->index,
				ckpt_pty_is_master(tty) ? "master" : "slave", len);
	return 0;
}

/* VLNEXT and VEOF for the feed: two characters neither 0 nor VEOL. */
static void rstr_pty_feed_chars(struct ktermios *t)
{
	static const u8 chars[] = { 0x16, 0x04, 0x17 };
	unsigned int i, k = 0;
	u8 pick[2];

	for (i = 0; i < ARRAY_SIZE(chars) && k < 2; i++)
		if (chars[i] != t->c_cc[VEOL])
			pick[k++] = chars[i];
	t->c_cc[VLNEXT] = pick[0];
	t->c_cc[VEOF] = pick[1];
}

/* Would the feed termios @t take @c other than as a plain byte? */
static bool rstr_pty_special(const struct ktermios *t, u8 c)
{
	return c == '\n' || c == t->c_cc[VLNEXT] || c == t->c_cc[VEOF] ||
	       (t->c_cc[VEOL] && c == t->c_cc[VEOL]);
}

/*
 * The slave's buffer, fed under a termios that stores each byte as it
 * was: without ICANON raw; with it, VLNEXT before every byte that would
 * be special, each line end made by what makes one - '\n', VEOL set to
 * that character, or VEOF for an end of file, stored as NUL.  Nothing is
 * echoed, no signal raised.  Then the slave's own termios, which keep
 * the lines as they are (ICANON does not change).
 */
static int rstr_pty_fill_slave(struct ckpt_ctx *ctx, struct tty_struct *slave,
			       const struct rstr_pty_img *img)
{
	const struct ckpt_hdr_pty *h = &img->h;
	bool canon = h->termios.lflag & ICANON;
	struct ktermios final, feed;
	size_t n = 0;
	int ret = 0;
	u32 i;
	u8 c, *buf;

	rstr_pty_ktermios(&final, &h->termios);
	feed = final;
	feed.c_iflag = 0;
	feed.c_lflag = canon ? ICANON | IEXTEN : 0;
	memset(feed.c_cc, __DISABLED_CHAR, sizeof(feed.c_cc));
	rstr_pty_feed_chars(&feed);
	buf = kmalloc(2 * CKPT_PTY_BUF_SIZE + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	tty_set_termios(slave, &feed);
	for (i = 0; i < h->in_bytes && !ret; i++) {
		c = img->in[i];
		if (!canon || i >= h->in_canon || !rstr_pty_eol(img->eol, i)) {
			if (canon && rstr_pty_special(&feed, c))
				buf[n++] = feed.c_cc[VLNEXT];
			buf[n++] = c;
		} else if (c == '\n') {
			buf[n++] = c;
		} else if (c == __DISABLED_CHAR) {
			buf[n++] = feed.c_cc[VEOF];
		} else {
			if (c != feed.c_cc[VEOL]) {
				ret = rstr_pty_feed(ctx, slave, buf, n);
				n = 0;
				feed.c_cc[VEOL] = c;
				rstr_pty_feed_chars(&feed);
				tty_set_termios(slave, &feed);
			}
			buf[n++] = c;
		}
	}
	if (!ret && (h->flags & CKPT_PTY_LNEXT))
		buf[n++] = feed.c_cc[VLNEXT];
	if (!ret)
		ret = rstr_pty_feed(ctx, slave, buf, n);
	kfree(buf);
	if (ret < 0)
		return ret;
	tty_set_termios(slave, &final);
	if (!rstr_pty_same_termios(&slave->termios, &final))
		return ckpt_err(ctx, -EINVAL,
				"PTY record at offset %llu: termios the pty does not keep",
				ctx->hdr_pos);
	return rstr_pty_verify(ctx, slave, img->in, h->in_bytes, h->in_canon,
			       img->eol, h->flags & CKPT_PTY_LNEXT);
}

/* The slave's output column, into the buffer found to be as it was. */
static void rstr_pty_column(struct tty_struct *slave,
			    const struct ckpt_hdr_pty *h)
{
	kapi_n_tty_set_column(slave, h->column, h->canon_column);
}

/*
 * Input no line discipline took, back into @tty's flip buffer, whose
 * worker finds no room for it as it did not.  It goes in one piece: the
 * limit, which counts allocated buffers, not bytes, is lifted meanwhile.
 */
static int rstr_pty_push(struct ckpt_ctx *ctx, struct tty_struct *tty,
			 const u8 *data, u32 len)
{
	struct tty_port *port = tty->port;
	int limit = port->buf.mem_limit;
	unsigned long flags;
	size_t n;

	if (!len)
		return 0;
	tty_buffer_set_limit(port, limit + 2 * CKPT_PTY_PENDING_MAX);
	spin_lock_irqsave(&port->lock, flags);
	n = tty_insert_flip_string(port, data, len);
	spin_unlock_irqrestore(&port->lock, flags);
	tty_buffer_set_limit(port, limit);
	tty_flip_buffer_push(port);
	if (n != len)
		return ckpt_err(ctx, -ENOBUFS,
				"pty %d: its flip buffer took %zu of %u bytes",
				tty->index, n, len);
	return 0;
}

static void rstr_pty_flow(struct tty_struct *tty, bool stopped, bool tco)
{
	unsigned long flags;

	spin_lock_irqsave(&tty->flow.lock, flags);
	tty->flow.stopped = stopped;
	tty->flow.tco_stopped = tco;
	spin_unlock_irqrestore(&tty->flow.lock, flags);
}

/* The modes of either end, as their ioctls leave them. */
static void rstr_pty_modes(struct tty_struct *master, struct tty_struct *slave,
			   const struct ckpt_hdr_pty *h)
{
	unsigned long flags;

	assign_bit(TTY_EXCLUSIVE, &master->flags,
		   h->flags & CKPT_PTY_MASTER_EXCL);
	assign_bit(TTY_EXCLUSIVE, &slave->flags, h->flags & CKPT_PTY_SLAVE_EXCL);
	assign_bit(TTY_PTY_LOCK, &master->flags, h->flags & CKPT_PTY_LOCKED);
	if (h->flags & CKPT_PTY_SLAVE_CLOSED) {
		/* what pty_close() of its last file did */
		set_bit(TTY_IO_ERROR, &slave->flags);
		set_bit(TTY_OTHER_CLOSED, &master->flags);
	}
	rstr_pty_flow(master, h->flags & CKPT_PTY_MASTER_STOPPED,
		      h->flags & CKPT_PTY_MASTER_TCOOFF);
	rstr_pty_flow(slave, h->flags & CKPT_PTY_SLAVE_STOPPED,
		      h->flags & CKPT_PTY_SLAVE_TCOOFF);
	spin_lock_irqsave(&master->ctrl.lock, flags);
	master->ctrl.packet = h->flags & CKPT_PTY_PACKET;
	spin_unlock_irqrestore(&master->ctrl.lock, flags);
	spin_lock_irqsave(&slave->ctrl.lock, flags);
	slave->ctrl.pktstatus = h->pktstatus;
	spin_unlock_irqrestore(&slave->ctrl.lock, flags);
}

/*
 * The new pty as the image had it: the master's queue, the slave's in
 * its termios, the window size, the modes, then what the line
 * disciplines had not taken.
 */
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

	inode_lock(inode);
	if (!uid_eq(inode->i_uid, make_kuid(ns, h->slave_uid)) ||
	    !gid_eq(inode->i_gid, make_kgid(ns, h->slave_gid)))
		ret = notify_change(ckpt_nop_idmap, dentry, &owner, NULL);
	if (!ret && (inode->i_mode & 07777) != h->slave_mode)
		ret = notify_change(ckpt_nop_idmap, dentry, &mode, NULL);
	if (!ret && (inode->i_mode & 07777) != h->slave_mode)
		ret = -EPERM;	/* a setgid bit the kernel dropped */
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

static int rstr_pty_setup(struct ckpt_ctx *ctx, struct rstr_pty *p,
			  const struct rstr_pty_img *img)
{
	const struct ckpt_hdr_pty *h = &img->h;
	struct tty_struct *master = rstr_pty_master_tty(p);
	struct tty_struct *slave = master->link;
	struct winsize ws = {
		.ws_row = h->ws_row,
		.ws_col = h->ws_col,
		.ws_xpixel = h->ws_xpixel,
		.ws_ypixel = h->ws_ypixel,
	};
	int ret;

	ret = rstr_pty_owner(ctx, slave, h);
	if (!ret)
		ret = rstr_pty_feed(ctx, master, img->out, h->out_bytes);
	if (!ret)
		ret = rstr_pty_verify(ctx, master, img->out, h->out_bytes, 0,
				      NULL, false);
	if (!ret)
		ret = rstr_pty_fill_slave(ctx, slave, img);
	if (ret < 0)
		return ret;
	rstr_pty_column(slave, h);
	tty_do_resize(slave, &ws);
	rstr_pty_modes(master, slave, h);
	ret = rstr_pty_push(ctx, master, img->out_pending, h->out_pending);
	if (!ret)
		ret = rstr_pty_push(ctx, slave, img->in_pending, h->in_pending);
	if (ret < 0)
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
	if (!ret)
		ret = rstr_pty_setup(ctx, p, img);
	if (!ret) {
		mutex_lock(&rstr_ptys_lock);
		list_add(&p->list, &rstr_ptys);
		mutex_unlock(&rstr_ptys_lock);
		ret = ckpt_obj_insert(ctx, p, objref, CKPT_OBJ_PTY);
		if (ret < 0)
			ckpt_err(ctx, ret, "PTY record at offset %llu: objref %d is taken",
				 ctx->hdr_pos, objref);
	}
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

/* The leader takes its terminal as TIOCSCTTY does, then sets its group. */
static int rstr_pty_acquire(struct ckpt_ctx *ctx, struct rstr_pty *p)
{
	pid_t pgrp = p->pgrp;
	long ret;

	ret = kapi_file_ioctl(p->master, TIOCSCTTY, 0, NULL, 0);
	if (!ret)
		ret = kapi_file_ioctl(p->master, TIOCSPGRP, 0, &pgrp,
				     sizeof(pgrp));
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"pid %d cannot make /dev/pts/%u its controlling terminal with foreground group %d",
				p->sid, p->index, p->pgrp);
	return 0;
}

struct rstr_pty_inherit {
	struct tty_struct *tty;
	bool had;
};

static void rstr_pty_inherit_locked(struct task_struct *t,
				    struct sighand_struct *sighand, void *arg)
{
	struct rstr_pty_inherit *in = arg;

	in->had = t->signal->tty;
	if (!in->had)
		t->signal->tty = tty_kref_get(in->tty);
}

/* Another process of the session has it, as fork() would have given it. */
static int rstr_pty_inherit(struct ckpt_ctx *ctx, struct rstr_pty *p)
{
	struct rstr_pty_inherit in = { .tty = rstr_pty_master_tty(p)->link };

	ckpt_under_siglock(current, rstr_pty_inherit_locked, &in);
	if (in.had)
		return ckpt_err(ctx, -EINVAL,
				"pid %d already has a controlling terminal, not /dev/pts/%u",
				task_pid_vnr(current), p->index);
	return 0;
}

/**
 * rstr_pty_ctty - the controlling terminal of the restoring process
 *
 * Called once its fd table is installed.  A process of a session whose
 * terminal is a pty of the image gets it back: the session leader with
 * TIOCSCTTY and TIOCSPGRP, the others as inherited at fork.
 */
int rstr_pty_ctty(struct ckpt_ctx *ctx)
{
	const struct ckpt_ctx *op = ctx->parent ?: ctx;
	pid_t pid = task_pid_vnr(current), sid = task_session_vnr(current);
	struct rstr_pty *p, *found = NULL;
	int ret;

	/*
	 * Not in a session of the tree (0: none of the image's ptys is a
	 * terminal), or restored as another pid (one task, no coordinator)
	 */
	if (!sid || ctx->ts.task.pid != pid)
		return 0;
	mutex_lock(&rstr_ptys_lock);
	list_for_each_entry(p, &rstr_ptys, list) {
		if (p->op == op && p->sid && p->sid == sid) {
			found = p;
			kref_get(&found->ref);
			break;
		}
	}
	mutex_unlock(&rstr_ptys_lock);
	if (!found)
		return 0;
	if (pid == sid)
		ret = rstr_pty_acquire(ctx, found);
	else
		ret = rstr_pty_inherit(ctx, found);
	kref_put(&found->ref, rstr_pty_release);
	return ret;
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
