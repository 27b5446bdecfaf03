/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signals, timers and interrupted system calls: what signal.c,
 * sigpending.c and timer.c share.
 */
#ifndef _CHECKPOINT_SIGNAL_H
#define _CHECKPOINT_SIGNAL_H

#include <linux/sched.h>
#include <linux/sched/signal.h>

#include <checkpoint/checkpoint.h>

/* Restart: the signal records, read and checked, until applied. */
struct ckpt_rstr_signal {
	struct ckpt_hdr_sighand sighand;
	struct ckpt_hdr_signal signal;
	struct ckpt_hdr_restart_block rb;	/* h.type 0: none */
	struct ckpt_hdr_siginfo *info;		/* in image order */
	unsigned int nr_info;
	unsigned int max_info;
	struct ckpt_hdr_posix_timer *timers;	/* in image order */
	unsigned int nr_timers;
	unsigned int max_timers;
};

struct ckpt_rstr_signal *rstr_signal_get(struct ckpt_ctx *ctx);

/* The caller's own sighand: only the caller (exec, exit) replaces it. */
static inline struct sighand_struct *ckpt_own_sighand(void)
{
	return rcu_dereference_protected(current->sighand, 1);
}

/* Run @fn under the frozen target's siglock; -ESRCH once it has exited. */
typedef void (*ckpt_siglock_fn)(struct task_struct *t,
				struct sighand_struct *sighand, void *arg);
int ckpt_under_siglock(struct task_struct *t, ckpt_siglock_fn fn, void *arg);

/* sigpending.c */
int ckpt_sigpending(struct ckpt_ctx *ctx, struct task_struct *t, bool shared);
int rstr_sigpending(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs,
		    bool process);

/* timer.c */
void ckpt_itimers(struct signal_struct *sig, struct ckpt_hdr_signal *hs);
int rstr_itimers_check(struct ckpt_ctx *ctx, const struct ckpt_hdr_signal *hs);
void rstr_itimer_real(const struct ckpt_itimer *it);
int ckpt_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_timers(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs);
int ckpt_restart_block(struct ckpt_ctx *ctx, struct task_struct *t);
void rstr_restart_block(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs);

#endif /* _CHECKPOINT_SIGNAL_H */
