// SPDX-License-Identifier: GPL-2.0
/*
 * The controlling terminal of a session, when it is a pty of the tree.
 * Checkpoint saves the session and foreground group in the pty's PTY
 * record (pty.c) and has the session leader's section bring the pty.
 * Restart gives it back as each process of its session applies its fd
 * table: the leader with TIOCSCTTY and TIOCSPGRP, the others inherit it
 * as from fork().
 *
 * LOCKING: a task's siglock guards its signal->tty (ckpt_under_siglock()
 * takes it), a tty's ctrl.lock its session and foreground group; the
 * pids of a task are looked at under rcu_read_lock().
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>
#include <checkpoint/signal.h>
#include <checkpoint/tty.h>

/* ---------------------------------------------------------------------- */
/* checkpoint */

static void ckpt_task_tty_locked(struct task_struct *t,
				 struct sighand_struct *sighand, void *arg)
{
	struct tty_struct **tty = arg;

	lockdep_assert_held(&sighand->siglock);
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
int ckpt_pty_session(struct ckpt_ctx *ctx, const struct ckpt_pty_where *w,
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
	if (ret)
		goto out;
	if (session && !h->sid)
		ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				   "the controlling terminal of session %d, whose leader is no running process of the tree: not supported",
				   pid_vnr(session));
	else if (session && !h->pgrp)
		ret = ckpt_pty_err(ctx, w, -EOPNOTSUPP,
				   "its foreground process group %d is no group of the tree: not supported",
				   pgrp ? pid_vnr(pgrp) : 0);
out:
	put_pid(session);
	put_pid(pgrp);
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

/* The leader takes its terminal as TIOCSCTTY does, then sets its group. */
static int rstr_pty_acquire(struct ckpt_ctx *ctx, struct rstr_pty *p)
{
	pid_t pgrp = p->pgrp;
	long ret;

	ret = kapi_file_ioctl(p->master, TIOCSCTTY, 0, NULL, 0);
	if (ret)
		goto out;
	ret = kapi_file_ioctl(p->master, TIOCSPGRP, 0, &pgrp, sizeof(pgrp));
out:
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

	lockdep_assert_held(&sighand->siglock);
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
	struct rstr_pty *found;
	int ret;

	/*
	 * Not in a session of the tree (0: none of the image's ptys is a
	 * terminal), or restored as another pid (one task, no coordinator)
	 */
	if (!sid || ctx->ts.task.pid != pid)
		return 0;
	found = rstr_pty_session_get(op, sid);
	if (!found)
		return 0;
	if (pid == sid)
		ret = rstr_pty_acquire(ctx, found);
	else
		ret = rstr_pty_inherit(ctx, found);
	rstr_pty_put(found);
	return ret;
}
