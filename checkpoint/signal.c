// SPDX-License-Identifier: GPL-2.0
/*
 * Signal handlers, the alternate signal stack and the mask a sleeping
 * sigsuspend() goes back to; the SIGHAND and SIGNAL records, and the
 * order in which restart applies all signal state.
 *
 * The checkpointer reads the frozen target's tables under its siglock:
 * frozen, the target changes none of them; only other processes may
 * still queue signals, which the lock keeps consistent.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/signal_types.h>
#include <linux/slab.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/signal.h>

#include "format.h"

#define CKPT_SIG_UNBLOCKABLE	(sigmask(SIGKILL) | sigmask(SIGSTOP))

int ckpt_under_siglock(struct task_struct *t, ckpt_siglock_fn fn, void *arg)
{
	struct sighand_struct *sighand;
	unsigned long flags;
	int ret = -ESRCH;

	/* as lock_task_sighand(): sighands are freed by RCU only */
	rcu_read_lock();
	while ((sighand = rcu_dereference(t->sighand))) {
		/* siglock: the actions, pending queues and signal_struct */
		spin_lock_irqsave(&sighand->siglock, flags);
		if (likely(sighand == rcu_access_pointer(t->sighand))) {
			fn(t, sighand, arg);
			ret = 0;
		}
		spin_unlock_irqrestore(&sighand->siglock, flags);
		if (!ret)
			break;
	}
	rcu_read_unlock();
	return ret;
}

static void ckpt_sighand_copy(struct sighand_struct *sighand,
			      struct ckpt_hdr_sighand *hs)
{
	struct ckpt_sigaction *a;
	struct sigaction *sa;
	int i;

	for (i = 0; i < CKPT_NSIG; i++) {
		sa = &sighand->action[i].sa;
		a = &hs->action[i];
		a->handler = (unsigned long)sa->sa_handler;
		a->flags = sa->sa_flags;
		a->restorer = (unsigned long)sa->sa_restorer;
		a->mask = sa->sa_mask.sig[0];
	}
}

static void ckpt_signal_copy(struct task_struct *t, struct ckpt_hdr_signal *hs)
{
	ckpt_itimers(t->signal, hs);
	if (test_tsk_restore_sigmask(t)) {
		hs->flags |= CKPT_SIGNAL_RESTORE_SIGMASK;
		hs->saved_sigmask = t->saved_sigmask.sig[0];
	}
	hs->altstack_sp = t->sas_ss_sp;
	hs->altstack_size = t->sas_ss_size;
	hs->altstack_flags = t->sas_ss_flags;
}

struct ckpt_signal_copy {
	struct ckpt_hdr_sighand *sighand;
	struct ckpt_hdr_signal signal;
};

static void ckpt_signal_locked(struct task_struct *t,
			       struct sighand_struct *sighand, void *arg)
{
	struct ckpt_signal_copy *c = arg;

	lockdep_assert_held(&sighand->siglock);
	ckpt_sighand_copy(sighand, c->sighand);
	ckpt_signal_copy(t, &c->signal);
}

/*
 * SIGHAND (with the first task sharing it), SIGNAL, the POSIX timers
 * (with the process's first task), the pending signals (a timer's signal
 * among them refuses the checkpoint), an interrupted call's state.
 */
int ckpt_signal(struct ckpt_ctx *ctx, struct task_struct *t)
{
	bool process = ctx->first & CKPT_FIRST_SIGNAL;
	struct ckpt_signal_copy c = {};
	int ret;

	c.sighand = kzalloc(sizeof(*c.sighand), GFP_KERNEL);
	if (!c.sighand)
		return -ENOMEM;
	ret = ckpt_under_siglock(t, ckpt_signal_locked, &c);
	if (ret < 0) {
		kfree(c.sighand);
		return ckpt_err(ctx, ret, "pid %d is exiting", task_pid_vnr(t));
	}
	c.sighand->objref = ctx->ts.task.sighand_objref;
	if (ctx->first & CKPT_FIRST_SIGHAND)
		ret = ckpt_write_obj(ctx, &c.sighand->h, CKPT_HDR_SIGHAND,
				     sizeof(*c.sighand), 0);
	kfree(c.sighand);
	if (ret)
		return ret;
	ret = ckpt_write_obj(ctx, &c.signal.h, CKPT_HDR_SIGNAL,
			     sizeof(c.signal), 0);
	if (ret)
		return ret;
	if (process) {
		ret = ckpt_posix_timers(ctx, t);
		if (ret)
			return ret;
	}
	ret = ckpt_sigpending(ctx, t, process);
	if (ret)
		return ret;
	return ckpt_restart_block(ctx, t);
}

/* ---------------------------------------------------------------------- */
/* restart */

static void rstr_signal_free(void *ptr)
{
	struct ckpt_rstr_signal *rs = ptr;

	kvfree(rs->info);
	kvfree(rs->timers);
	kfree(rs);
}

/* The task's signal state read so far, made on the first record. */
struct ckpt_rstr_signal *rstr_signal_get(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_signal *rs = ckpt_state(ctx, CKPT_STATE_RSTR_SIGNAL);

	if (!rs) {
		rs = kzalloc(sizeof(*rs), GFP_KERNEL);
		if (rs)
			ckpt_state_set(ctx, CKPT_STATE_RSTR_SIGNAL, rs,
				       rstr_signal_free);
	}
	return rs;
}

static int rstr_sigaction_check(struct ckpt_ctx *ctx, int sig,
				const struct ckpt_sigaction *a)
{
	char why[128];

	if (ckpt_sigaction_rules(sig, a, TASK_SIZE, UAPI_SA_FLAGS, why,
				 sizeof(why)))
		return ckpt_err(ctx, -EINVAL,
				"SIGHAND record at offset %llu: %s",
				ctx->hdr_pos, why);
	return 0;
}

int rstr_sighand_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_signal *rs = rstr_signal_get(ctx);
	struct ckpt_hdr_sighand *hs;
	int i, ret;

	if (!rs)
		return -ENOMEM;
	hs = &rs->sighand;
	hs->h = *h;
	ret = ckpt_read_fixed(ctx, &hs->h, sizeof(*hs));
	if (ret < 0)
		return ret;
	if (hs->objref != ctx->ts.task.sighand_objref || hs->pad)
		return ckpt_err(ctx, -EINVAL,
				"SIGHAND record at offset %llu: objref %d, its TASK record's is %d",
				ctx->hdr_pos, hs->objref,
				ctx->ts.task.sighand_objref);
	for (i = 0; i < CKPT_NSIG; i++) {
		ret = rstr_sigaction_check(ctx, i + 1, &hs->action[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int rstr_altstack_check(struct ckpt_ctx *ctx,
			       const struct ckpt_hdr_signal *hs)
{
	u32 mode = hs->altstack_flags & ~SS_FLAG_BITS;
	u64 sp = hs->altstack_sp, size = hs->altstack_size;
	bool ok;

	if (!size)
		ok = !sp;
	else
		ok = mode != SS_DISABLE && size >= MINSIGSTKSZ &&
		     sp < TASK_SIZE && size <= TASK_SIZE - sp;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		ok = false;
	if (!ok)
		return ckpt_err(ctx, -EINVAL,
				"SIGNAL record at offset %llu: bad alternate stack %#llx size %llu flags %#x",
				ctx->hdr_pos, sp, size, hs->altstack_flags);
	return 0;
}

int rstr_signal_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_signal *rs = rstr_signal_get(ctx);
	struct ckpt_hdr_signal *hs;
	int ret;

	if (!rs)
		return -ENOMEM;
	hs = &rs->signal;
	hs->h = *h;
	ret = ckpt_read_fixed(ctx, &hs->h, sizeof(*hs));
	if (ret < 0)
		return ret;
	if (hs->flags & ~CKPT_SIGNAL_FLAGS_ALL)
		return ckpt_err(ctx, -EINVAL,
				"SIGNAL record at offset %llu: unknown flags %#x",
				ctx->hdr_pos, hs->flags);
	if (!(hs->flags & CKPT_SIGNAL_RESTORE_SIGMASK) && hs->saved_sigmask)
		return ckpt_err(ctx, -EINVAL,
				"SIGNAL record at offset %llu: a saved mask without a sleep to go with it",
				ctx->hdr_pos);
	ret = rstr_altstack_check(ctx, hs);
	if (ret)
		return ret;
	return rstr_itimers_check(ctx, hs);
}

static void rstr_sighand(const struct ckpt_hdr_sighand *hs)
{
	struct sighand_struct *sighand = ckpt_own_sighand();
	const struct ckpt_sigaction *a;
	struct sigaction *sa;
	int i;

	/*
	 * The first of the tasks sharing it, all of them in restart; siglock
	 * still, for what the actions are read under (a signal sent now).
	 */
	spin_lock_irq(&sighand->siglock);
	for (i = 0; i < CKPT_NSIG; i++) {
		a = &hs->action[i];
		sa = &sighand->action[i].sa;
		sa->sa_handler = (__sighandler_t)(unsigned long)a->handler;
		sa->sa_flags = a->flags;
		sa->sa_restorer = (__sigrestore_t)(unsigned long)a->restorer;
		siginitset(&sa->sa_mask, a->mask);
	}
	spin_unlock_irq(&sighand->siglock);
}

static void rstr_altstack(const struct ckpt_hdr_signal *hs)
{
	current->sas_ss_sp = hs->altstack_sp;
	current->sas_ss_size = hs->altstack_size;
	current->sas_ss_flags = hs->altstack_flags;
}

/*
 * The task slept in sigsuspend() (or ppoll(), pselect()) with a
 * temporary mask; the call is issued again, and saves the mask it finds
 * as the one to go back to: that must be the task's own.
 */
static void rstr_saved_sigmask(const struct ckpt_hdr_signal *hs)
{
	sigset_t mask;

	if (!(hs->flags & CKPT_SIGNAL_RESTORE_SIGMASK))
		return;
	siginitset(&mask, hs->saved_sigmask);
	sigdelsetmask(&mask, CKPT_SIG_UNBLOCKABLE);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

/* After TASK (the blocked mask): handlers first, then what they catch. */
int rstr_signal(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_signal *rs = ckpt_state(ctx, CKPT_STATE_RSTR_SIGNAL);
	bool process = ctx->first & CKPT_FIRST_SIGNAL;
	int ret;

	if (ctx->first & CKPT_FIRST_SIGHAND)
		rstr_sighand(&rs->sighand);
	rstr_altstack(&rs->signal);
	ret = rstr_sigpending(ctx, rs, process);
	if (ret < 0)
		return ret;
	if (process) {
		rstr_itimer_real(&rs->signal.real);
		ret = rstr_timers(ctx, rs);
		if (ret < 0)
			return ret;
	}
	rstr_saved_sigmask(&rs->signal);
	rstr_restart_block(ctx, rs);
	return 0;
}

/**
 * rstr_stop - stop again, as the task was when checkpointed
 * @signr: the signal that had stopped it
 * @code: what its parent's wait() is still to report, 0 if nothing
 *
 * On the way to user mode, after the restart is over.  The group stop
 * is what the kernel's own would leave (the process stopped, @code for
 * wait()), and each thread is left one to join, which it does through
 * do_signal_stop() before it reaches user mode: the parent is not told
 * again, SIGCONT and SIGKILL wake it as they would have.
 */
void rstr_stop(int signr, int code)
{
	struct sighand_struct *sighand = ckpt_own_sighand();
	struct signal_struct *sig = current->signal;

	/* siglock: the group stop and exit state, the job control bits */
	spin_lock_irq(&sighand->siglock);
	if (!(sig->flags & SIGNAL_GROUP_EXIT) && !fatal_signal_pending(current)) {
		sig->group_exit_code = code;
		sig->group_stop_count = 0;
		signal_set_stop_flags(sig, SIGNAL_STOP_STOPPED);
		current->jobctl &= ~JOBCTL_STOP_SIGMASK;
		current->jobctl |= JOBCTL_STOP_PENDING | signr;
		set_tsk_thread_flag(current, TIF_SIGPENDING);
	}
	spin_unlock_irq(&sighand->siglock);
}
