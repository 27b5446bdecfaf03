// SPDX-License-Identifier: GPL-2.0
/*
 * Timers: the itimers and the POSIX timers.
 *
 * Those on CLOCK_REALTIME, _MONOTONIC and _BOOTTIME are saved as the time
 * they had left and their period, and armed again relative to the
 * restart: ITIMER_VIRTUAL's and ITIMER_PROF's time is process CPU time,
 * the others' the clock's.  POSIX timers come back with their ids,
 * through timer_create() and timer_settime() as the process would call
 * them, so the kernel does its own accounting.
 *
 * Interrupted system calls (the restart_block) are in restart_block.c.
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

/* Under the siglock, as getitimer(ITIMER_REAL) reads it. */
static void ckpt_itimer_real(struct signal_struct *sig, struct ckpt_itimer *it)
{
	struct hrtimer *timer = &sig->real_timer;
	ktime_t rem = 0;

	if (hrtimer_active(timer)) {
		rem = hrtimer_get_remaining(timer);
		/* due but not yet fired: it still has to fire */
		if (rem <= 0)
			rem = NSEC_PER_USEC;
	}
	it->value = rem;
	it->interval = sig->it_real_incr;
}

/* Like setitimer(ITIMER_REAL); the caller's own timer goes. */
void rstr_itimer_real(const struct ckpt_itimer *it)
{
	struct sighand_struct *sighand = ckpt_own_sighand();
	struct signal_struct *sig = current->signal;

	/* it_real_fn() takes the siglock: cancel outside of it */
	hrtimer_cancel(&sig->real_timer);
	spin_lock_irq(&sighand->siglock);
	sig->it_real_incr = it->interval;
	if (it->value)
		hrtimer_start(&sig->real_timer, it->value, HRTIMER_MODE_REL);
	spin_unlock_irq(&sighand->siglock);
}

/*
 * ITIMER_VIRTUAL or ITIMER_PROF, under the siglock.  Armed, they keep
 * the group's CPU-time sampler running: its sample is what they expire
 * against.  setitimer() added a tick to the time it was given, and adds
 * one again on restart: saved without it, the time left stays the same.
 */
static void ckpt_itimer_cpu(struct signal_struct *sig, int clock,
			    struct ckpt_itimer *it)
{
	struct task_cputime_atomic *at = &sig->cputimer.cputime_atomic;
	u64 now = atomic64_read(&at->utime);
	u64 end = sig->it[clock].expires;

	if (clock == CPUCLOCK_PROF)
		now += atomic64_read(&at->stime);
	/* due but not yet fired: it still has to fire */
	it->value = !end ? 0 : end > now + TICK_NSEC ? end - now - TICK_NSEC : 1;
	it->interval = sig->it[clock].incr;
}

void ckpt_itimers(struct signal_struct *sig, struct ckpt_hdr_signal *hs)
{
	ckpt_itimer_real(sig, &hs->real);
	ckpt_itimer_cpu(sig, CPUCLOCK_VIRT, &hs->virt);
	ckpt_itimer_cpu(sig, CPUCLOCK_PROF, &hs->prof);
	hs->next_timer_id = sig->next_posix_timer_id & INT_MAX;
}

int rstr_itimers_check(struct ckpt_ctx *ctx, const struct ckpt_hdr_signal *hs)
{
	const struct ckpt_itimer *it[] = { &hs->real, &hs->virt, &hs->prof };
	int i;

	for (i = 0; i < ARRAY_SIZE(it); i++)
		if (it[i]->value > KTIME_MAX || it[i]->interval > KTIME_MAX)
			return ckpt_err(ctx, -EINVAL,
					"SIGNAL record at offset %llu: bad itimer %d value %llu interval %llu",
					ctx->hdr_pos, i, it[i]->value,
					it[i]->interval);
	if (hs->next_timer_id > INT_MAX || hs->pad)
		return ckpt_err(ctx, -EINVAL,
				"SIGNAL record at offset %llu: bad next timer id %u",
				ctx->hdr_pos, hs->next_timer_id);
	/*
	 * Restart makes timers with the image's ids in an empty table: the
	 * process's first task does, so only its table is checked.  The
	 * process's other threads read their sections while it may be
	 * making them already.
	 */
	if ((ctx->first & CKPT_FIRST_SIGNAL) &&
	    ckpt_has_posix_timers(current->signal))
		return ckpt_err(ctx, -EBUSY,
				"the restarting process has POSIX timers of its own");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* POSIX timers */

/* Checkpoint: a timer as read under the siglock, checked after. */
struct ckpt_timer_rec {
	struct ckpt_hdr_posix_timer r;
	bool foreign;		/* notifies a thread gone */
};

struct ckpt_timer_buf {
	struct ckpt_timer_rec *buf;
	unsigned int cap;	/* entries @buf holds */
	unsigned int n;		/* timers the process has */
};

static bool ckpt_timer_clock_ok(clockid_t clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME;
}

static bool ckpt_timer_notify_ok(int notify)
{
	return notify == SIGEV_SIGNAL || notify == SIGEV_NONE ||
	       notify == SIGEV_THREAD || notify == SIGEV_THREAD_ID;
}

/*
 * What timer_gettime() would say (common_timer_get()), without moving
 * the timer: a SIGEV_NONE timer is never queued, its expiry only moved
 * forward by periods when read.
 */
static void ckpt_timer_time(struct k_itimer *timr, struct ckpt_itimer *it)
{
	struct hrtimer *timer = &timr->it.real.timer;
	bool sig_none = timr->it_sigev_notify == SIGEV_NONE;
	ktime_t iv = timr->it_interval, now, end, rem;

	it->interval = iv;
	it->value = 0;
	if (!iv && !READ_ONCE(timr->it_active) && !sig_none)
		return;
	now = timer->base->get_time();
	end = hrtimer_get_expires(timer);
	if (iv && sig_none && end <= now)
		end += iv * (ktime_divns(ktime_sub(now, end), iv) + 1);
	rem = ktime_sub(end, now);
	if (rem > 0)
		it->value = rem;
	else if (!sig_none)
		it->value = 1;	/* due: it still has to fire */
}

static void ckpt_timer_fill(struct task_struct *t, struct k_itimer *timr,
			    struct ckpt_timer_rec *tr)
{
	struct ckpt_hdr_posix_timer *r = &tr->r;

	r->id = timr->it_id;
	r->clockid = timr->it_clock;
	r->notify = timr->it_sigev_notify;
	if (!ckpt_timer_clock_ok(r->clockid) ||
	    !ckpt_timer_notify_ok(r->notify))
		return;
	if (r->notify != SIGEV_NONE)
		r->signo = timr->sigq->info.si_signo;
	r->value = (unsigned long)timr->sigq->info.si_value.sival_ptr;
	if (r->notify == SIGEV_THREAD_ID) {
		struct task_struct *to = pid_task(timr->it_pid, PIDTYPE_PID);

		/* its thread exited: the timer signals nobody any more */
		tr->foreign = !to || !same_thread_group(to, t);
		r->tid = pid_nr_ns(timr->it_pid, task_active_pid_ns(t));
	}
	ckpt_timer_time(timr, &r->it);
}

/*
 * The timer list changes under the siglock (timer_create(), _delete(),
 * exit); a timer's own fields only under its it_lock, which nests
 * outside the siglock: not taken.  The frozen target changes none of
 * them; only a firing timer does, which queues its signal, and that
 * refuses the checkpoint when the pending signals are read after this.
 */
static void ckpt_timers_locked(struct task_struct *t,
			       struct sighand_struct *sighand, void *arg)
{
	struct ckpt_timer_buf *b = arg;
	struct k_itimer *timr;

	lockdep_assert_held(&sighand->siglock);
	b->n = 0;
	ckpt_for_each_posix_timer(timr, t->signal) {
		if (b->n < b->cap)
			ckpt_timer_fill(t, timr, &b->buf[b->n]);
		b->n++;
	}
}

static int ckpt_timer_write(struct ckpt_ctx *ctx, struct task_struct *t,
			    struct ckpt_timer_rec *tr)
{
	struct ckpt_hdr_posix_timer *r = &tr->r;

	if (!ckpt_timer_clock_ok(r->clockid))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has POSIX timer %d on clock %d: not supported yet",
				task_pid_vnr(t), r->id, r->clockid);
	if (!ckpt_timer_notify_ok(r->notify) || tr->foreign)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has POSIX timer %d notifying %s %d: not supported yet",
				task_pid_vnr(t), r->id,
				tr->foreign ? "a thread gone, as" : "by",
				r->notify);
	return ckpt_write_obj(ctx, &r->h, CKPT_HDR_POSIX_TIMER, sizeof(*r), 0);
}

int ckpt_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_timer_buf b = {};
	unsigned int i;
	int ret;

	/* only the target makes timers: sized once, they fit */
	for (;;) {
		ret = ckpt_under_siglock(t, ckpt_timers_locked, &b);
		if (ret < 0 || b.n <= b.cap)
			break;
		kvfree(b.buf);
		b.cap = b.n;
		b.buf = kvcalloc(b.cap, sizeof(*b.buf), GFP_KERNEL);
		if (!b.buf)
			return -ENOMEM;
	}
	if (ret < 0)
		ret = ckpt_err(ctx, ret, "pid %d is exiting", task_pid_vnr(t));
	for (i = 0; i < b.n && !ret; i++)
		ret = ckpt_timer_write(ctx, t, &b.buf[i]);
	kvfree(b.buf);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* POSIX timers: restart */

/* each timer holds a queued signal's worth of RLIMIT_SIGPENDING */
#define CKPT_TIMERS_MAX		(64U << 10)

static int rstr_timer_check(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs,
			    const struct ckpt_hdr_posix_timer *r)
{
	bool ok = ckpt_timer_clock_ok(r->clockid) &&
		  ckpt_timer_notify_ok(r->notify) && r->id >= 0 &&
		  r->it.value <= KTIME_MAX && r->it.interval <= KTIME_MAX;
	unsigned int i;

	if (r->notify == SIGEV_NONE)
		ok = ok && !r->signo;
	else
		ok = ok && r->signo >= 1 && r->signo <= CKPT_NSIG;
	ok = ok && !r->pad &&
	     (r->notify == SIGEV_THREAD_ID ? r->tid > 0 : !r->tid);
	if (!ok)
		return ckpt_err(ctx, -EINVAL,
				"POSIX_TIMER record at offset %llu: bad id %d, clock %d, notification %d, signal %d or time %llu/%llu",
				ctx->hdr_pos, r->id, r->clockid, r->notify,
				r->signo, r->it.value, r->it.interval);
	for (i = 0; i < rs->nr_timers; i++)
		if (rs->timers[i].id == r->id)
			return ckpt_err(ctx, -EINVAL,
					"POSIX_TIMER record at offset %llu: timer %d twice",
					ctx->hdr_pos, r->id);
	return 0;
}

static int rstr_timers_grow(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs)
{
	struct ckpt_hdr_posix_timer *timers;
	unsigned int max;

	if (rs->nr_timers < rs->max_timers)
		return 0;
	if (rs->nr_timers >= CKPT_TIMERS_MAX ||
	    rs->nr_timers >= task_rlimit(current, RLIMIT_SIGPENDING))
		return ckpt_err(ctx, -EINVAL,
				"POSIX_TIMER record at offset %llu: more timers than may be made",
				ctx->hdr_pos);
	max = rs->max_timers ? 2 * rs->max_timers : 8;
	timers = kvcalloc(max, sizeof(*timers), GFP_KERNEL);
	if (!timers)
		return -ENOMEM;
	if (rs->timers)
		memcpy(timers, rs->timers, rs->nr_timers * sizeof(*timers));
	kvfree(rs->timers);
	rs->timers = timers;
	rs->max_timers = max;
	return 0;
}

int rstr_posix_timer_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_signal *rs = rstr_signal_get(ctx);
	struct ckpt_hdr_posix_timer r;
	int ret;

	if (!rs)
		return -ENOMEM;
	r.h = *h;
	ret = ckpt_read_fixed(ctx, &r.h, sizeof(r));
	if (ret < 0)
		return ret;
	ret = rstr_timer_check(ctx, rs, &r);
	if (ret)
		return ret;
	ret = rstr_timers_grow(ctx, rs);
	if (ret)
		return ret;
	rs->timers[rs->nr_timers++] = r;
	return 0;
}

/* The system calls' arguments, in a page of the restored process. */
struct rstr_timer_args {
	sigevent_t ev;
	struct __kernel_itimerspec its;
	struct __kernel_old_itimerval itv;
	timer_t id;
};

static void rstr_timespec(struct __kernel_timespec *ts, u64 ns)
{
	struct timespec64 t = ns_to_timespec64(ns);

	ts->tv_sec = t.tv_sec;
	ts->tv_nsec = t.tv_nsec;
}

/* setitimer() counts in microseconds: a time left is rounded up. */
static void rstr_timeval(struct __kernel_old_timeval *tv, u64 ns)
{
	u64 us = DIV_ROUND_UP_ULL(ns, NSEC_PER_USEC);
	u32 rem;

	tv->tv_sec = div_u64_rem(us, USEC_PER_SEC, &rem);
	tv->tv_usec = rem;
}

static int rstr_itimer_cpu(struct rstr_timer_args __user *u, int which,
			   const struct ckpt_itimer *it)
{
	struct __kernel_old_itimerval itv = {};

	rstr_timeval(&itv.it_value, it->value);
	rstr_timeval(&itv.it_interval, it->interval);
	if (copy_to_user(&u->itv, &itv, sizeof(itv)))
		return -EFAULT;
	return kapi_setitimer(which, &u->itv);
}

static int rstr_timer_create(struct ckpt_ctx *ctx,
			     struct rstr_timer_args __user *u,
			     const struct ckpt_hdr_posix_timer *r)
{
	sigevent_t ev = {};
	timer_t id;
	long ret;

	ev.sigev_value.sival_ptr = (void __user *)(unsigned long)r->value;
	ev.sigev_signo = r->signo;
	ev.sigev_notify = r->notify;
	/*
	 * Every thread of the process exists by now: all joined.  A
	 * one-task restart may run under another pid: its own is mapped.
	 */
	if (r->notify == SIGEV_THREAD_ID)
		ev.sigev_notify_thread_id = r->tid == ctx->ts.task.pid ?
					    task_pid_vnr(current) : r->tid;
	if (copy_to_user(&u->ev, &ev, sizeof(ev)))
		return -EFAULT;
	/* the first id timer_create() tries; the table starts empty */
	WRITE_ONCE(current->signal->next_posix_timer_id, r->id);
	ret = kapi_timer_create(r->clockid, &u->ev, &u->id);
	if (!ret && get_user(id, &u->id))
		ret = -EFAULT;
	if (!ret && id != r->id)
		ret = -EBUSY;
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot make POSIX timer %d again",
				r->id);
	return 0;
}

static int rstr_timer_settime(struct ckpt_ctx *ctx,
			      struct rstr_timer_args __user *u,
			      const struct ckpt_hdr_posix_timer *r)
{
	struct __kernel_itimerspec its;
	long ret;

	if (!r->it.value)
		return 0;
	rstr_timespec(&its.it_value, r->it.value);
	rstr_timespec(&its.it_interval, r->it.interval);
	if (copy_to_user(&u->its, &its, sizeof(its)))
		return -EFAULT;
	ret = kapi_timer_settime(r->id, 0, &u->its);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot arm POSIX timer %d again",
				r->id);
	return 0;
}

static int rstr_timers_in(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs,
			  struct rstr_timer_args __user *u)
{
	const struct ckpt_hdr_signal *hs = &rs->signal;
	unsigned int i;
	int ret;

	ret = rstr_itimer_cpu(u, ITIMER_VIRTUAL, &hs->virt) ?:
	      rstr_itimer_cpu(u, ITIMER_PROF, &hs->prof);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot set ITIMER_VIRTUAL or ITIMER_PROF again");
	for (i = 0; i < rs->nr_timers; i++) {
		ret = rstr_timer_create(ctx, u, &rs->timers[i]);
		if (ret)
			break;
		ret = rstr_timer_settime(ctx, u, &rs->timers[i]);
		if (ret)
			break;
	}
	WRITE_ONCE(current->signal->next_posix_timer_id, hs->next_timer_id);
	return ret;
}

/*
 * The CPU itimers and the POSIX timers, set as the process would set
 * them, from a scratch page of its own unmapped after.
 */
int rstr_timers(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs)
{
	void __user *page = kapi_scratch_map();
	int ret;

	if (IS_ERR(page))
		return ckpt_err(ctx, (int)PTR_ERR(page),
				"cannot map a page to set timers from");
	ret = rstr_timers_in(ctx, rs, page);
	kapi_scratch_unmap(page);
	return ret;
}
