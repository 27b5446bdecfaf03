// SPDX-License-Identifier: GPL-2.0
/*
 * Pending signals: the thread's queue and the process's shared one, each
 * in queue order, as SIGINFO records.
 *
 * Restart queues them again the way a process may signal itself
 * (rt_tgsigqueueinfo() to itself accepts any siginfo), in image order,
 * so real-time signals keep their values and their order.  A signal for
 * the shared queue is queued to the thread and moved over at once.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/signal.h>

/* a queue holds at most this many entries of one real-time signal */
#define CKPT_SIGINFO_MAX	(64U << 10)

static void ckpt_siginfo_fill(struct ckpt_hdr_siginfo *si, u32 queue,
			      const kernel_siginfo_t *info)
{
	BUILD_BUG_ON(sizeof(info->_sifields) != sizeof(si->fields));
	si->queue = queue;
	si->signo = info->si_signo;
	si->si_errno = info->si_errno;
	si->si_code = info->si_code;
	memcpy(si->fields, &info->_sifields, sizeof(si->fields));
}

/*
 * Copy @p's entries into @buf from index @i, as far as @cap allows;
 * return the index past the last one, copied or not.  A signal pending
 * without an entry (none could be allocated) is delivered as SI_USER
 * from pid 0: it is saved as such.
 */
static unsigned int ckpt_queue_copy(struct sigpending *p, u32 queue,
				    struct ckpt_hdr_siginfo *buf,
				    unsigned int cap, unsigned int i)
{
	kernel_siginfo_t bare;
	struct sigqueue *q;
	sigset_t listed;
	int sig;

	sigemptyset(&listed);
	list_for_each_entry(q, &p->list, list) {
		if (i < cap)
			ckpt_siginfo_fill(&buf[i], queue, &q->info);
		sigaddset(&listed, q->info.si_signo);
		i++;
	}
	for (sig = 1; sig <= CKPT_NSIG; sig++) {
		if (!sigismember(&p->signal, sig) || sigismember(&listed, sig))
			continue;
		if (i < cap) {
			clear_siginfo(&bare);
			bare.si_signo = sig;
			bare.si_code = SI_USER;
			ckpt_siginfo_fill(&buf[i], queue, &bare);
		}
		i++;
	}
	return i;
}

struct ckpt_sigpending_buf {
	struct ckpt_hdr_siginfo *buf;
	unsigned int cap;	/* entries @buf holds */
	unsigned int n;		/* entries the queues hold */
	bool shared;		/* the process's queue too */
};

/* What the frozen target's queues hold, under its siglock. */
static void ckpt_sigpending_locked(struct task_struct *t,
				   struct sighand_struct *sighand, void *arg)
{
	struct ckpt_sigpending_buf *b = arg;

	lockdep_assert_held(&sighand->siglock);
	b->n = ckpt_queue_copy(&t->pending, CKPT_SIGQ_THREAD, b->buf, b->cap,
			       0);
	if (b->shared)
		b->n = ckpt_queue_copy(&t->signal->shared_pending,
				       CKPT_SIGQ_PROCESS, b->buf, b->cap, b->n);
}

static int ckpt_siginfo_check(struct ckpt_ctx *ctx, struct task_struct *t,
			      const struct ckpt_hdr_siginfo *si)
{
	if (sig_kernel_only(si->signo))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has signal %d pending: a stop or kill is under way",
				task_pid_vnr(t), si->signo);
	if (si->signo < 1 || si->signo > CKPT_NSIG)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has a pending signal %d",
				task_pid_vnr(t), si->signo);
	/* it belongs to its timer, which would queue it again */
	if (si->si_code == SI_TIMER)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has a POSIX timer's signal %d pending: not supported yet",
				task_pid_vnr(t), si->signo);
	return 0;
}

static int ckpt_siginfo_write(struct ckpt_ctx *ctx, struct task_struct *t,
			      struct ckpt_hdr_siginfo *buf, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = ckpt_siginfo_check(ctx, t, &buf[i]);
		if (ret)
			return ret;
		ret = ckpt_write_obj(ctx, &buf[i].h, CKPT_HDR_SIGINFO,
				     sizeof(buf[i]), 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* @t's own queue; with @shared, its process's too (its first task's). */
int ckpt_sigpending(struct ckpt_ctx *ctx, struct task_struct *t, bool shared)
{
	struct ckpt_sigpending_buf b = { .shared = shared };
	int ret;

	/* others may queue more meanwhile: size the copy until it fits */
	for (;;) {
		ret = ckpt_under_siglock(t, ckpt_sigpending_locked, &b);
		if (ret < 0 || b.n <= b.cap)
			break;
		kvfree(b.buf);
		b.cap = b.n + 8;
		b.buf = kvcalloc(b.cap, sizeof(*b.buf), GFP_KERNEL);
		if (!b.buf)
			return -ENOMEM;
	}
	if (ret < 0)
		ret = ckpt_err(ctx, ret, "pid %d is exiting", task_pid_vnr(t));
	else
		ret = ckpt_siginfo_write(ctx, t, b.buf, b.n);
	kvfree(b.buf);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

static int rstr_siginfo_check(struct ckpt_ctx *ctx,
			      const struct ckpt_hdr_siginfo *si)
{
	if (si->queue != CKPT_SIGQ_THREAD && si->queue != CKPT_SIGQ_PROCESS)
		return ckpt_err(ctx, -EINVAL,
				"SIGINFO record at offset %llu: unknown queue %u",
				ctx->hdr_pos, si->queue);
	if (si->signo < 1 || si->signo > CKPT_NSIG ||
	    sig_kernel_only(si->signo))
		return ckpt_err(ctx, -EINVAL,
				"SIGINFO record at offset %llu: bad signal number %d",
				ctx->hdr_pos, si->signo);
	if (si->si_code == SI_TIMER)
		return ckpt_err(ctx, -EINVAL,
				"SIGINFO record at offset %llu: a POSIX timer's signal",
				ctx->hdr_pos);
	return 0;
}

/* A standard signal is pending at most once per queue. */
static int rstr_siginfo_dup(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs,
			    const struct ckpt_hdr_siginfo *si)
{
	unsigned int i;

	if (si->signo >= SIGRTMIN)
		return 0;
	for (i = 0; i < rs->nr_info; i++)
		if (rs->info[i].signo == si->signo &&
		    rs->info[i].queue == si->queue)
			return ckpt_err(ctx, -EINVAL,
					"SIGINFO record at offset %llu: signal %d queued twice",
					ctx->hdr_pos, si->signo);
	return 0;
}

static int rstr_siginfo_grow(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs)
{
	struct ckpt_hdr_siginfo *info;
	unsigned int max;

	if (rs->nr_info < rs->max_info)
		return 0;
	if (rs->nr_info >= CKPT_SIGINFO_MAX ||
	    rs->nr_info >= task_rlimit(current, RLIMIT_SIGPENDING))
		return ckpt_err(ctx, -EINVAL,
				"SIGINFO record at offset %llu: more pending signals than may be queued",
				ctx->hdr_pos);
	max = rs->max_info ? 2 * rs->max_info : 16;
	info = kvcalloc(max, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	if (rs->info)
		memcpy(info, rs->info, rs->nr_info * sizeof(*info));
	kvfree(rs->info);
	rs->info = info;
	rs->max_info = max;
	return 0;
}

int rstr_siginfo_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_signal *rs = rstr_signal_get(ctx);
	struct ckpt_hdr_siginfo si;
	int ret;

	if (!rs)
		return -ENOMEM;
	si.h = *h;
	ret = ckpt_read_fixed(ctx, &si.h, sizeof(si));
	if (ret < 0)
		return ret;
	ret = rstr_siginfo_check(ctx, &si);
	if (ret)
		return ret;
	if (si.queue == CKPT_SIGQ_PROCESS && !(ctx->first & CKPT_FIRST_SIGNAL))
		return ckpt_err(ctx, -EINVAL,
				"SIGINFO record at offset %llu: a process-wide signal outside its process's first section",
				ctx->hdr_pos);
	ret = rstr_siginfo_dup(ctx, rs, &si);
	if (ret)
		return ret;
	ret = rstr_siginfo_grow(ctx, rs);
	if (ret)
		return ret;
	rs->info[rs->nr_info++] = si;
	return 0;
}

/* The entry just queued for @sig goes to the shared queue. */
static void rstr_sig_to_shared(int sig)
{
	struct sighand_struct *sighand = ckpt_own_sighand();
	struct sigpending *shared = &current->signal->shared_pending;
	struct sigpending *own = &current->pending;
	struct sigqueue *q, *last = NULL;
	bool more = false;

	/* siglock: both pending queues and their signal sets */
	spin_lock_irq(&sighand->siglock);
	list_for_each_entry(q, &own->list, list) {
		if (q->info.si_signo != sig)
			continue;
		if (last)
			more = true;
		last = q;
	}
	/* none if it was discarded: ignored, like any such signal */
	if (last) {
		list_move_tail(&last->list, &shared->list);
		if (!more)
			sigdelset(&own->signal, sig);
		sigaddset(&shared->signal, sig);
	}
	spin_unlock_irq(&sighand->siglock);
}

static int rstr_sig_queue(struct ckpt_ctx *ctx, const struct ckpt_hdr_siginfo *si)
{
	kernel_siginfo_t info;
	int ret;

	clear_siginfo(&info);
	info.si_signo = si->signo;
	info.si_errno = si->si_errno;
	info.si_code = si->si_code;
	memcpy(&info._sifields, si->fields, sizeof(si->fields));
	ret = send_sig_info(si->signo, &info, current);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot queue signal %d again",
				si->signo);
	if (si->queue == CKPT_SIGQ_PROCESS)
		rstr_sig_to_shared(si->signo);
	return 0;
}

/*
 * The caller's own pending signals are not the restored process's.  The
 * shared queue's go first: a standard signal pending in both queues
 * would otherwise find itself already pending in the thread's.
 */
int rstr_sigpending(struct ckpt_ctx *ctx, struct ckpt_rstr_signal *rs,
		    bool process)
{
	unsigned int i;
	u32 queue;
	int ret;

	if (fatal_signal_pending(current))
		return -EINTR;
	/*
	 * The process's first task empties both queues; the others were
	 * created for the restart with nothing of their own pending.
	 */
	if (process)
		flush_signals(current);
	for (queue = CKPT_SIGQ_PROCESS; queue >= CKPT_SIGQ_THREAD; queue--) {
		for (i = 0; i < rs->nr_info; i++) {
			if (rs->info[i].queue != queue)
				continue;
			ret = rstr_sig_queue(ctx, &rs->info[i]);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}
