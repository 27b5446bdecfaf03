// SPDX-License-Identifier: GPL-2.0
/*
 * Resource limits: every one, soft and hard.
 *
 * As with setrlimit(), raising a hard limit above the restarting
 * process's own needs CAP_SYS_RESOURCE; restart checks that before the
 * point of no return.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/resource.h>
#include <linux/capability.h>
#include <linux/oom.h>

#include <checkpoint/checkpoint.h>

static const char * const ckpt_rlimit_names[CKPT_RLIM_NLIMITS] = {
	[RLIMIT_CPU] = "CPU",		[RLIMIT_FSIZE] = "FSIZE",
	[RLIMIT_DATA] = "DATA",		[RLIMIT_STACK] = "STACK",
	[RLIMIT_CORE] = "CORE",		[RLIMIT_RSS] = "RSS",
	[RLIMIT_NPROC] = "NPROC",	[RLIMIT_NOFILE] = "NOFILE",
	[RLIMIT_MEMLOCK] = "MEMLOCK",	[RLIMIT_AS] = "AS",
	[RLIMIT_LOCKS] = "LOCKS",	[RLIMIT_SIGPENDING] = "SIGPENDING",
	[RLIMIT_MSGQUEUE] = "MSGQUEUE",	[RLIMIT_NICE] = "NICE",
	[RLIMIT_RTPRIO] = "RTPRIO",	[RLIMIT_RTTIME] = "RTTIME",
};

static_assert(RLIM_NLIMITS == CKPT_RLIM_NLIMITS);
static_assert(RLIM_INFINITY == CKPT_RLIM_INFINITY);

/*
 * This boot's default hard limit @i, as init inherited it: fork_init()
 * sets RLIMIT_NPROC and RLIMIT_SIGPENDING from the memory the machine
 * has, so another machine, or the same one with more memory, has others.
 */
static u64 ckpt_boot_rlimit(int i)
{
	return READ_ONCE(init_task.signal->rlim[i].rlim_max);
}

int ckpt_rlimits(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_rlimits rh = {};
	struct rlimit *rlim = t->signal->rlim;
	int i;

	task_lock(t->group_leader);
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		rh.rlim[i].cur = rlim[i].rlim_cur;
		rh.rlim[i].max = rlim[i].rlim_max;
	}
	task_unlock(t->group_leader);
	rh.boot_nproc = ckpt_boot_rlimit(RLIMIT_NPROC);
	rh.boot_sigpending = ckpt_boot_rlimit(RLIMIT_SIGPENDING);
	rh.oom_score_adj = READ_ONCE(t->signal->oom_score_adj);
	rh.oom_score_adj_min = READ_ONCE(t->signal->oom_score_adj_min);
	/*
	 * A finite CPU soft limit lives on in an armed process CPU timer,
	 * which a module cannot set up again (update_rlimit_cpu() is not
	 * exported).
	 */
	if (rh.rlim[RLIMIT_CPU].cur != CKPT_RLIM_INFINITY)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: a finite RLIMIT_CPU soft limit is not supported yet",
				task_pid_vnr(t));
	return ckpt_write_obj(ctx, &rh.h, CKPT_HDR_RLIMITS, sizeof(rh), 0);
}

static int rstr_rlimit_check(struct ckpt_ctx *ctx, int i,
			     const struct ckpt_rlimit *rl)
{
	if (rl->cur > rl->max)
		return ckpt_err(ctx, -EINVAL,
				"RLIMITS record at offset %llu: %s soft limit %llu above hard limit %llu",
				ctx->hdr_pos, ckpt_rlimit_names[i], rl->cur,
				rl->max);
	if (i == RLIMIT_CPU && rl->cur != CKPT_RLIM_INFINITY)
		return ckpt_err(ctx, -EINVAL,
				"RLIMITS record at offset %llu: finite CPU soft limit",
				ctx->hdr_pos);
	if (rl->max > task_rlimit_max(current, i) &&
	    !capable(CAP_SYS_RESOURCE))
		return ckpt_err(ctx, -EPERM,
				"RLIMITS record at offset %llu: raising the %s hard limit needs CAP_SYS_RESOURCE",
				ctx->hdr_pos, ckpt_rlimit_names[i]);
	return 0;
}

/*
 * What writing /proc/self/oom_score_adj allows: anything down to the
 * process's floor, below it (and moving the floor) CAP_SYS_RESOURCE.
 */
static int rstr_oom_check(struct ckpt_ctx *ctx,
			  const struct ckpt_hdr_rlimits *rh)
{
	short floor = READ_ONCE(current->signal->oom_score_adj_min);

	if (rh->oom_score_adj < OOM_SCORE_ADJ_MIN ||
	    rh->oom_score_adj > OOM_SCORE_ADJ_MAX ||
	    rh->oom_score_adj_min < OOM_SCORE_ADJ_MIN ||
	    rh->oom_score_adj_min > OOM_SCORE_ADJ_MAX || rh->pad)
		return ckpt_err(ctx, -EINVAL,
				"RLIMITS record at offset %llu: oom_score_adj %d, floor %d",
				ctx->hdr_pos, rh->oom_score_adj,
				rh->oom_score_adj_min);
	if ((rh->oom_score_adj < floor || rh->oom_score_adj_min != floor) &&
	    !capable(CAP_SYS_RESOURCE))
		return ckpt_err(ctx, -EPERM,
				"RLIMITS record at offset %llu: oom_score_adj %d (floor %d) below the caller's floor %d needs CAP_SYS_RESOURCE",
				ctx->hdr_pos, rh->oom_score_adj,
				rh->oom_score_adj_min, floor);
	return 0;
}

/*
 * A limit that was the checkpointing boot's default becomes this boot's:
 * a process left with the machine's default has it on the new machine
 * too (where it may be lower or higher); one its owner or an admin set
 * is kept as it was.  Then checked as any other limit.
 */
static void rstr_boot_rlimit(struct ckpt_ctx *ctx, struct ckpt_rlimit *rl,
			     int i, u64 boot)
{
	u64 here = ckpt_boot_rlimit(i);

	if (!boot || boot == here || (rl->max != boot && rl->cur != boot))
		return;
	if (ctx->flags & RESTART_VERBOSE)
		ckpt_log(ctx, "pid %d: RLIMIT_%s %llu/%llu: the checkpointing boot's default %llu becomes this boot's, %llu",
			 ctx->ts.task.pid, ckpt_rlimit_names[i], rl->cur,
			 rl->max, boot, here);
	if (rl->max == boot)
		rl->max = here;
	if (rl->cur == boot || rl->cur > rl->max)
		rl->cur = min(here, rl->max);
}

int rstr_rlimits_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_rlimits *rh = &ctx->ts.rlimits;
	int i, ret;

	rh->h = *h;
	ret = ckpt_read_fixed(ctx, &rh->h, sizeof(*rh));
	if (ret < 0)
		return ret;
	rstr_boot_rlimit(ctx, &rh->rlim[RLIMIT_NPROC], RLIMIT_NPROC,
			 rh->boot_nproc);
	rstr_boot_rlimit(ctx, &rh->rlim[RLIMIT_SIGPENDING], RLIMIT_SIGPENDING,
			 rh->boot_sigpending);
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		ret = rstr_rlimit_check(ctx, i, &rh->rlim[i]);
		if (ret < 0)
			return ret;
	}
	return rstr_oom_check(ctx, rh);
}

int rstr_rlimits(struct ckpt_ctx *ctx)
{
	const struct ckpt_rlimit *rl = ctx->ts.rlimits.rlim;
	struct rlimit *rlim = current->signal->rlim;
	int i;

	task_lock(current->group_leader);
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		rlim[i].rlim_cur = rl[i].cur;
		rlim[i].rlim_max = rl[i].max;
	}
	current->signal->oom_score_adj = ctx->ts.rlimits.oom_score_adj;
	current->signal->oom_score_adj_min = ctx->ts.rlimits.oom_score_adj_min;
	task_unlock(current->group_leader);
	return 0;
}
