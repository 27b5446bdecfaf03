/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pseudo-terminals, shared by pty.c (the pair, its FILE kind, its
 * /dev/pts entry), pty_ldisc.c (the state of the line: modes, termios,
 * window size, what is queued either way) and pty_ctty.c (the
 * controlling terminal of a session).
 */
#ifndef _CHECKPOINT_TTY_H
#define _CHECKPOINT_TTY_H

#include <linux/bitops.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <checkpoint/checkpoint.h>

#define CKPT_PTY_EOL_BYTES	(CKPT_PTY_BUF_SIZE / BITS_PER_BYTE)

static inline bool ckpt_pty_is_master(const struct tty_struct *tty)
{
	return tty->driver->subtype == PTY_TYPE_MASTER;
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

/* pty.c */
struct file *ckpt_pty_master_file(struct ckpt_ctx *ctx,
				  struct tty_struct *master);

/* pty_ldisc.c: checkpoint */
int ckpt_pty_modes(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
		   struct tty_struct *master, struct tty_struct *slave,
		   struct ckpt_hdr_pty *h);
int ckpt_pty_termios(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
		     struct tty_struct *master, struct tty_struct *slave,
		     struct ckpt_hdr_pty *h);
int ckpt_pty_queue(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
		   struct tty_struct *tty, struct ckpt_pty_queue *q);
int ckpt_pty_write(struct ckpt_ctx *ctx, struct ckpt_pty_state *st);

/* pty_ctty.c: checkpoint */
int ckpt_pty_session(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
		     struct tty_struct *slave, struct ckpt_hdr_pty *h);

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
/* The record and its queues, as read. */
struct rstr_pty_img {
	struct ckpt_hdr_pty h;
	u8 in[CKPT_PTY_BUF_SIZE];
	u8 eol[CKPT_PTY_EOL_BYTES];
	u8 in_pending[CKPT_PTY_PENDING_MAX];
	u8 out[CKPT_PTY_BUF_SIZE];
	u8 out_pending[CKPT_PTY_PENDING_MAX];
};

static inline struct tty_struct *rstr_pty_master_tty(const struct rstr_pty *p)
{
	return ((struct tty_file_private *)p->master->private_data)->tty;
}

/* pty.c: restart */
struct rstr_pty *rstr_pty_session_get(const struct ckpt_ctx *op, pid_t sid);
void rstr_pty_put(struct rstr_pty *p);

/* pty_ldisc.c: restart */
bool rstr_pty_termios_ok(const struct ckpt_termios *t);
int rstr_pty_read_queues(struct ckpt_ctx *ctx, struct rstr_pty_img *img);
int rstr_pty_line(struct ckpt_ctx *ctx, struct tty_struct *master,
		  struct tty_struct *slave, const struct rstr_pty_img *img);

#endif /* _CHECKPOINT_TTY_H */
