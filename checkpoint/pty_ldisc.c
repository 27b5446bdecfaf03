// SPDX-License-Identifier: GPL-2.0
/*
 * The state of a pty's line, as pty.c saves and makes it with the pair:
 * the modes of either end, the slave's termios and window size, and what
 * is queued both ways, in each end's line discipline and in the flip
 * buffer before it.
 *
 * N_TTY keeps its buffer to itself: checkpoint looks at it through a
 * mirror of its state (checkpoint/kapi/private.c), with the flip buffer
 * worker held off, and trusts the mirror only once it agrees with the
 * termios it derives from and with TIOCINQ.  Restart feeds each queue
 * back through its line discipline's receive path: the slave's under a
 * termios of its own that stores every byte as it was (each literal byte
 * that would be special escaped with VLNEXT, each line end made by '\n',
 * VEOL or VEOF as the buffer had it), then under its saved termios.  Once
 * the mirror is seen to hold exactly the bytes fed, the output column
 * goes back into it.
 *
 * LOCKING, the tty layer's: an end's flow.lock guards its stopped and
 * tco_stopped, its ctrl.lock its packet mode, session, pgrp and packet
 * events; its termios_rwsem, read, keeps its termios and the N_TTY
 * state derived from them from changing (n_tty_set_termios() runs under
 * the write side), and the buffer's other writers are the flip buffer
 * worker, held off by the buffer's lock (tty_buffer_lock_exclusive()),
 * and the tree's readers, frozen.  winsize_mutex guards the window size;
 * port->lock serialises what is put in the flip buffer, as a driver's
 * receive path does.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/tty_ldisc.h>
#include <linux/workqueue.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>
#include <checkpoint/tty.h>

#define CKPT_PTY_MASK(x)	((x) & (N_TTY_BUF_SIZE - 1))

/* ---------------------------------------------------------------------- */
/* checkpoint */

static bool ckpt_pty_ldisc_ok(struct tty_struct *tty)
{
	struct tty_ldisc *ld = tty_ldisc_ref(tty);
	bool ok = ld && ld->ops->num == N_TTY;

	if (ld)
		tty_ldisc_deref(ld);
	return ok;
}

/* Modes of either end, and the packet events not read yet. */
int ckpt_pty_modes(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
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
int ckpt_pty_termios(struct ckpt_ctx *ctx,
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

	/* the worker that feeds the line discipline is held off */
	lockdep_assert_held(&tty->port->buf.lock);
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

	/* no flush_to_ldisc() frees a buffer or moves its read mark */
	lockdep_assert_held(&tty->port->buf.lock);
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
int ckpt_pty_queue(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
		   struct tty_struct *tty, struct ckpt_pty_queue *q)
{
	struct tty_port *port = tty->port;
	unsigned int inq = 0;
	int ret;

	flush_work(&port->buf.work);
	/* keeps flush_to_ldisc() off both buffers while they are read */
	tty_buffer_lock_exclusive(port);
	ret = kapi_tty_inq(tty, &inq);
	if (ret < 0) {
		ckpt_pty_err(ctx, w, ret, "cannot ask its line discipline for TIOCINQ");
		goto unlock;
	}
	ret = ckpt_pty_flip(ctx, w, tty, q);
	if (ret)
		goto unlock;
	ret = ckpt_pty_ldisc(ctx, w, tty, inq, q, q->pending);
unlock:
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

static int ckpt_pty_write_queue(struct ckpt_ctx *ctx,
				const struct ckpt_pty_queue *q, bool eol)
{
	int ret;

	if (q->len) {
		ret = ckpt_write_string(ctx, q->data, q->len);
		if (ret)
			return ret;
	}
	if (eol && q->canon) {
		ret = ckpt_write_string(ctx, q->eol,
					DIV_ROUND_UP(q->canon, BITS_PER_BYTE));
		if (ret)
			return ret;
	}
	return q->pending ? ckpt_write_string(ctx, q->flip, q->pending) : 0;
}

int ckpt_pty_write(struct ckpt_ctx *ctx, struct ckpt_pty_state *st)
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
	if (ret)
		return ret;
	ret = ckpt_pty_write_queue(ctx, &st->in, true);
	if (ret)
		return ret;
	return ckpt_pty_write_queue(ctx, &st->out, false);
}

/* ---------------------------------------------------------------------- */
/* restart */

bool rstr_pty_termios_ok(const struct ckpt_termios *t)
{
	return !(t->iflag & ~CKPT_PTY_IFLAGS) && !(t->oflag & ~CKPT_PTY_OFLAGS) &&
	       !(t->lflag & ~CKPT_PTY_LFLAGS) && !(t->cflag & ~CKPT_PTY_CFLAGS) &&
	       (t->cflag & (CSIZE | CREAD | PARENB)) == (CS8 | CREAD) &&
	       t->line == N_TTY && !t->pad;
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

/* The queues that follow a PTY record's fields, checked. */
int rstr_pty_read_queues(struct ckpt_ctx *ctx, struct rstr_pty_img *img)
{
	struct ckpt_hdr_pty *h = &img->h;
	int ret;

	ret = rstr_pty_read_data(ctx, img->in, h->in_bytes);
	if (ret)
		return ret;
	ret = rstr_pty_read_data(ctx, img->eol,
				 DIV_ROUND_UP(h->in_canon, BITS_PER_BYTE));
	if (ret)
		return ret;
	ret = rstr_pty_check_eol(ctx, img);
	if (ret)
		return ret;
	ret = rstr_pty_read_data(ctx, img->in_pending, h->in_pending);
	if (ret)
		return ret;
	ret = rstr_pty_read_data(ctx, img->out, h->out_bytes);
	if (ret)
		return ret;
	return rstr_pty_read_data(ctx, img->out_pending, h->out_pending);
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
 * The line of the new pty as the image had it: the master's queue, the
 * slave's in its termios, the window size, the modes, then what the line
 * disciplines had not taken.
 */
int rstr_pty_line(struct ckpt_ctx *ctx, struct tty_struct *master,
		  struct tty_struct *slave, const struct rstr_pty_img *img)
{
	const struct ckpt_hdr_pty *h = &img->h;
	struct winsize ws = {
		.ws_row = h->ws_row,
		.ws_col = h->ws_col,
		.ws_xpixel = h->ws_xpixel,
		.ws_ypixel = h->ws_ypixel,
	};
	int ret;

	ret = rstr_pty_feed(ctx, master, img->out, h->out_bytes);
	if (ret)
		return ret;
	ret = rstr_pty_verify(ctx, master, img->out, h->out_bytes, 0, NULL,
			      false);
	if (ret)
		return ret;
	ret = rstr_pty_fill_slave(ctx, slave, img);
	if (ret)
		return ret;
	rstr_pty_column(slave, h);
	tty_do_resize(slave, &ws);
	rstr_pty_modes(master, slave, h);
	ret = rstr_pty_push(ctx, master, img->out_pending, h->out_pending);
	if (ret)
		return ret;
	return rstr_pty_push(ctx, slave, img->in_pending, h->in_pending);
}
