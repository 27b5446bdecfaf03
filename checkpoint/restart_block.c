// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupted system calls.
 *
 * A system call that sleeps until a deadline and was interrupted keeps
 * its state in the task's restart_block and resumes through
 * restart_syscall().  The image holds which call it was and the time it
 * had left; restart rebuilds the block around the restoring kernel's own
 * clock, so the sleep ends after that time, however long the image lay
 * unused in between.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/hrtimer.h>
#include <linux/pid_namespace.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/restart_block.h>
#include <linux/posix-timers.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/errno.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/signal.h>
#include <checkpoint/kapi.h>

static int ckpt_clock_now(clockid_t clock, ktime_t *now)
{
	switch (clock) {
	case CLOCK_MONOTONIC:
		*now = ktime_get();
		return 0;
	case CLOCK_REALTIME:
		*now = ktime_get_real();
		return 0;
	case CLOCK_BOOTTIME:
		*now = ktime_get_boottime();
		return 0;
	case CLOCK_TAI:
		*now = ktime_get_clocktai();
		return 0;
	}
	return -EINVAL;
}

/* What is left until @end on @clock, never negative. */
static u64 ckpt_time_left(clockid_t clock, ktime_t end)
{
	ktime_t now;

	if (ckpt_clock_now(clock, &now) < 0)
		return 0;
	return end > now ? ktime_sub(end, now) : 0;
}

static int ckpt_rb_nanosleep(struct ckpt_ctx *ctx, struct task_struct *t,
			     struct ckpt_hdr_restart_block *hr)
{
	struct restart_block *rb = &t->restart_block;
	ktime_t now;

	if (ckpt_clock_now(rb->nanosleep.clockid, &now) < 0 ||
	    rb->nanosleep.type == TT_COMPAT)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d sleeps on clock %d (%s): not supported yet",
				task_pid_vnr(t), rb->nanosleep.clockid,
				rb->nanosleep.type == TT_COMPAT ? "compat" :
								  "native");
	hr->kind = CKPT_RESTART_NANOSLEEP;
	hr->clockid = rb->nanosleep.clockid;
	hr->remaining = ckpt_time_left(rb->nanosleep.clockid,
				       rb->nanosleep.expires);
	if (rb->nanosleep.type == TT_NATIVE)
		hr->uaddr = (unsigned long)rb->nanosleep.rmtp;
	return 0;
}

static void ckpt_rb_poll(struct task_struct *t,
			 struct ckpt_hdr_restart_block *hr)
{
	struct restart_block *rb = &t->restart_block;
	struct timespec64 end = {
		.tv_sec = rb->poll.tv_sec,
		.tv_nsec = rb->poll.tv_nsec,
	};

	hr->kind = CKPT_RESTART_POLL;
	hr->uaddr = (unsigned long)rb->poll.ufds;
	hr->nfds = rb->poll.nfds;
	hr->has_timeout = !!rb->poll.has_timeout;
	/* poll()'s deadline is on the monotonic clock */
	if (hr->has_timeout)
		hr->remaining = ckpt_time_left(CLOCK_MONOTONIC,
					       timespec64_to_ktime(end));
}

/* A futex wait has a restart_block only with a timeout. */
static int ckpt_rb_futex(struct ckpt_ctx *ctx, struct task_struct *t,
			 struct ckpt_hdr_restart_block *hr)
{
	struct restart_block *rb = &t->restart_block;
	u32 flags = rb->futex.flags & ~(CKPT_FUTEX_KFLAGS_SHARED |
					CKPT_FUTEX_KFLAGS_CLOCKRT);

	if (flags != (CKPT_FUTEX_KFLAGS_BASE | CKPT_FUTEX_KFLAGS_TIMEOUT))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d waits on a futex with flags %#x: not supported yet",
				task_pid_vnr(t), rb->futex.flags);
	hr->kind = CKPT_RESTART_FUTEX;
	hr->clockid = rb->futex.flags & CKPT_FUTEX_KFLAGS_CLOCKRT ?
		      CLOCK_REALTIME : CLOCK_MONOTONIC;
	hr->remaining = ckpt_time_left(hr->clockid, rb->futex.time);
	hr->uaddr = (unsigned long)rb->futex.uaddr;
	hr->val = rb->futex.val;
	hr->bitset = rb->futex.bitset;
	if (rb->futex.flags & CKPT_FUTEX_KFLAGS_SHARED)
		hr->futex_flags = CKPT_FUTEX_SHARED;
	return 0;
}

/*
 * A call interrupted with -ERESTART_RESTARTBLOCK cannot simply be issued
 * again (a sleep would start over): its restart_block must come along.
 * Called with the target frozen: its restart_block holds still.
 */
int ckpt_restart_block(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	struct ckpt_hdr_restart_block hr = {};
	long (*fn)(struct restart_block *rb) = t->restart_block.fn;
	int ret = 0;

	if ((long)cpu->orig_rax < 0 || (long)cpu->rax != -ERESTART_RESTARTBLOCK)
		return 0;
	switch (kapi_restart_fn_kind(fn)) {
	case KAPI_RESTART_NANOSLEEP:
		ret = ckpt_rb_nanosleep(ctx, t, &hr);
		break;
	case KAPI_RESTART_POLL:
		ckpt_rb_poll(t, &hr);
		break;
	case KAPI_RESTART_FUTEX:
		ret = ckpt_rb_futex(ctx, t, &hr);
		break;
	default:
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d is in system call %lld, interrupted, to resume through %ps: not supported yet",
			       task_pid_vnr(t), cpu->orig_rax, fn);
	}
	if (ret < 0)
		return ret;
	return ckpt_write_obj(ctx, &hr.h, CKPT_HDR_RESTART_BLOCK, sizeof(hr), 0);
}

static int rstr_rb_check(struct ckpt_ctx *ctx,
			 const struct ckpt_hdr_restart_block *hr)
{
	const struct ckpt_hdr_cpu *cpu = &ctx->ts.cpu;
	ktime_t now;
	bool ok;

	if (!test_bit(CKPT_HDR_CPU, ctx->seen) || (long)cpu->orig_rax < 0 ||
	    (long)cpu->rax != -ERESTART_RESTARTBLOCK)
		return ckpt_err(ctx, -EINVAL,
				"RESTART_BLOCK record at offset %llu: the CPU record before it is not in an interrupted call",
				ctx->hdr_pos);
	switch (hr->kind) {
	case CKPT_RESTART_NANOSLEEP:
		ok = !ckpt_clock_now(hr->clockid, &now) && !hr->nfds &&
		     !hr->has_timeout && !hr->val && !hr->bitset &&
		     !hr->futex_flags;
		break;
	case CKPT_RESTART_POLL:
		ok = !hr->clockid && hr->nfds <= INT_MAX &&
		     hr->has_timeout <= 1 && (hr->has_timeout || !hr->remaining) &&
		     !hr->val && !hr->bitset && !hr->futex_flags;
		break;
	case CKPT_RESTART_FUTEX:
		ok = (hr->clockid == CLOCK_REALTIME ||
		      hr->clockid == CLOCK_MONOTONIC) && !hr->nfds &&
		     !hr->has_timeout && hr->bitset &&
		     !(hr->futex_flags & ~CKPT_FUTEX_FLAGS_ALL) &&
		     IS_ALIGNED(hr->uaddr, sizeof(u32));
		break;
	default:
		ok = false;
	}
	if (!ok || hr->pad || hr->uaddr >= TASK_SIZE ||
	    hr->remaining > KTIME_MAX)
		return ckpt_err(ctx, -EINVAL,
				"RESTART_BLOCK record at offset %llu: bad kind %u, clock %d, address %#llx, count %u or time %llu",
				ctx->hdr_pos, hr->kind, hr->clockid, hr->uaddr,
				hr->nfds, hr->remaining);
	return 0;
}

int rstr_restart_block_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_signal *rs = rstr_signal_get(ctx);
	struct ckpt_hdr_restart_block *hr;
	int ret;

	if (!rs)
		return -ENOMEM;
	hr = &rs->rb;
	hr->h = *h;
	ret = ckpt_read_fixed(ctx, &hr->h, sizeof(*hr));
	if (ret < 0)
		return ret;
	return rstr_rb_check(ctx, hr);
}

static void rstr_rb_nanosleep(const struct ckpt_hdr_restart_block *hr,
			      struct restart_block *rb)
{
	ktime_t now;

	ckpt_clock_now(hr->clockid, &now);
	kapi_restart_fn_set(rb, KAPI_RESTART_NANOSLEEP);
	rb->nanosleep.clockid = hr->clockid;
	rb->nanosleep.type = hr->uaddr ? TT_NATIVE : TT_NONE;
	rb->nanosleep.rmtp =
		(struct __kernel_timespec __user *)(unsigned long)hr->uaddr;
	rb->nanosleep.expires = ktime_add_safe(now, hr->remaining);
}

static void rstr_rb_poll(const struct ckpt_hdr_restart_block *hr,
			 struct restart_block *rb)
{
	struct timespec64 end;

	end = ktime_to_timespec64(ktime_add_safe(ktime_get(), hr->remaining));
	kapi_restart_fn_set(rb, KAPI_RESTART_POLL);
	rb->poll.ufds = (struct pollfd __user *)(unsigned long)hr->uaddr;
	rb->poll.nfds = hr->nfds;
	rb->poll.has_timeout = hr->has_timeout;
	rb->poll.tv_sec = end.tv_sec;
	rb->poll.tv_nsec = end.tv_nsec;
}

static void rstr_rb_futex(const struct ckpt_hdr_restart_block *hr,
			  struct restart_block *rb)
{
	u32 flags = CKPT_FUTEX_KFLAGS_BASE | CKPT_FUTEX_KFLAGS_TIMEOUT;
	ktime_t now;

	if (hr->clockid == CLOCK_REALTIME)
		flags |= CKPT_FUTEX_KFLAGS_CLOCKRT;
	if (hr->futex_flags & CKPT_FUTEX_SHARED)
		flags |= CKPT_FUTEX_KFLAGS_SHARED;
	ckpt_clock_now(hr->clockid, &now);
	kapi_restart_fn_set(rb, KAPI_RESTART_FUTEX);
	rb->futex.uaddr = (u32 __user *)(unsigned long)hr->uaddr;
	rb->futex.val = hr->val;
	rb->futex.flags = flags;
	rb->futex.bitset = hr->bitset;
	rb->futex.time = ktime_add_safe(now, hr->remaining);
	rb->futex.uaddr2 = NULL;
}

/* The deadline again, on this kernel's clock: now plus what was left. */
void rstr_restart_block(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs)
{
	const struct ckpt_hdr_restart_block *hr = &rs->rb;
	struct restart_block *rb = &current->restart_block;

	if (!hr->h.type)
		return;
	rb->arch_data = 0;	/* a 64-bit call */
	if (hr->kind == CKPT_RESTART_NANOSLEEP)
		rstr_rb_nanosleep(hr, rb);
	else if (hr->kind == CKPT_RESTART_POLL)
		rstr_rb_poll(hr, rb);
	else
		rstr_rb_futex(hr, rb);
	ctx->ts.restart_block = true;
}
