// SPDX-License-Identifier: GPL-2.0
/*
 * timerfd files: a clock, the time left until the timer fires, its
 * period, and the expirations not read yet (ticks).
 *
 * The fdinfo shows all of it at one instant, but for one case: a
 * periodic timer that fired is not armed again until it is read or
 * asked for its time, and until then the fdinfo shows no time left and
 * only the first of the expirations since.  timerfd_gettime() catches
 * such a timer up, as a read would without taking the ticks: it is
 * called first, on a descriptor the checkpointer holds for the time of
 * the call, and the fdinfo read right after.
 *
 * A time left is kept relative: the timer fires that long after the
 * restart, whatever the clocks did meanwhile.  An absolute CLOCK_REALTIME
 * timer cancelled by a change of the clock (TFD_TIMER_CANCEL_ON_SET)
 * stays absolute and cancellable, its time set to the time left from the
 * restart.  Alarm clocks are not supported.
 *
 * Restart makes the timer with timerfd_create() and timerfd_settime(),
 * and gives it its ticks with TFD_IOC_SET_TICKS (CONFIG_CHECKPOINT_RESTORE).
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/time64.h>
#include <linux/timerfd.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/kapi.h>

#define CKPT_TIMERFD_TRIES	8

/* What the fdinfo shows. */
struct ckpt_timerfd_info {
	int clockid;
	unsigned int settime_flags;	/* of the last timerfd_settime() */
	u64 ticks;
	u64 value, interval;		/* ns */
};

static bool ckpt_timerfd_clock_ok(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC ||
	       clockid == CLOCK_BOOTTIME;
}

static int ckpt_timerfd_time(const char *p, u64 *ns)
{
	unsigned long long sec, nsec;

	if (!p || sscanf(p, " (%llu, %llu)", &sec, &nsec) != 2 ||
	    nsec >= NSEC_PER_SEC || sec > S64_MAX)
		return -EINVAL;
	*ns = ktime_set(sec, nsec);
	return 0;
}

static int ckpt_timerfd_info(struct file *file, struct ckpt_timerfd_info *ti)
{
	const char *clock, *ticks, *flags;
	char *info;
	int ret = -EINVAL;

	info = kapi_fdinfo(file);
	if (IS_ERR(info))
		return PTR_ERR(info);
	clock = kapi_fdinfo_field(info, "clockid:");
	ticks = kapi_fdinfo_field(info, "ticks:");
	flags = kapi_fdinfo_field(info, "settime flags:");
	if (clock && ticks && flags &&
	    sscanf(clock, "%d", &ti->clockid) == 1 &&
	    sscanf(ticks, "%llu", &ti->ticks) == 1 &&
	    sscanf(flags, "%o", &ti->settime_flags) == 1 &&
	    !ckpt_timerfd_time(kapi_fdinfo_field(info, "it_value:"),
			       &ti->value) &&
	    !ckpt_timerfd_time(kapi_fdinfo_field(info, "it_interval:"),
			       &ti->interval))
		ret = 0;
	kvfree(info);
	return ret;
}

/*
 * timerfd_gettime() of @file: the time left, a periodic timer that fired
 * caught up first.  The file is at a descriptor of the checkpointer's
 * for the time of the call.
 */
static int ckpt_timerfd_gettime(struct file *file, u64 *left)
{
	struct __kernel_itimerspec its = {};
	long ret;

	ret = kapi_timerfd_gettime(file, &its);
	if (ret < 0)
		return (int)ret;
	if (its.it_value.tv_sec < 0 || its.it_value.tv_nsec < 0 ||
	    its.it_value.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*left = ktime_set(its.it_value.tv_sec, its.it_value.tv_nsec);
	return 0;
}

/*
 * The timer's state at one instant.  Armed, the fdinfo after the catch
 * up shows it whole - unless the timer fired in between, and is looked
 * at again.  Not armed, it may yet be firing at this very moment (its
 * expiry passed, its interrupt not handled): it must look the same a
 * little later.  A period shorter than the two calls take makes the
 * timer fire in between every time; its next expiry is then within
 * those microseconds of a period away.
 */
static int ckpt_timerfd_state(struct ckpt_ctx *ctx, struct file *file,
			      int objref, struct ckpt_timerfd_info *ti)
{
	struct ckpt_timerfd_info idle = {};
	bool was_idle = false;
	u64 left;
	int i, ret;

	for (i = 0; i < CKPT_TIMERFD_TRIES; i++) {
		ret = ckpt_timerfd_gettime(file, &left);
		if (!ret)
			ret = ckpt_timerfd_info(file, ti);
		if (ret < 0)
			return ckpt_err(ctx, ret,
					"pid %d: cannot read the state of timerfd objref %d",
					task_pid_vnr(ctx->target), objref);
		if (!ckpt_timerfd_clock_ok(ti->clockid))
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d: timerfd objref %d is on clock %d: only CLOCK_REALTIME, _MONOTONIC and _BOOTTIME are supported",
					task_pid_vnr(ctx->target), objref,
					ti->clockid);
		if (ti->value)
			return 0;
		if (left) {
			was_idle = false;	/* fired in between */
			continue;
		}
		if (was_idle && idle.ticks == ti->ticks &&
		    idle.interval == ti->interval)
			return 0;
		idle = *ti;
		was_idle = true;
		usleep_range(1000, 2000);
	}
	if (!ti->interval)
		return ckpt_err(ctx, -EAGAIN,
				"pid %d: timerfd objref %d kept changing while frozen",
				task_pid_vnr(ctx->target), objref);
	ti->value = ti->interval;
	return 0;
}

static int ckpt_timerfd(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct ckpt_hdr_timerfd h = { .objref = objref };
	const unsigned int cancel = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
	struct ckpt_timerfd_info ti;
	int ret;

	ret = ckpt_timerfd_state(ctx, file, objref, &ti);
	if (ret < 0)
		return ret;
	/* only an absolute CLOCK_REALTIME timer is ever cancelled */
	if ((ti.settime_flags & cancel) == cancel &&
	    ti.clockid == CLOCK_REALTIME) {
		/* a cancellation counts as a tick until it is read */
		if (ti.ticks)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d: timerfd objref %d (TFD_TIMER_CANCEL_ON_SET) has %llu ticks not read, which may be a cancellation: not supported",
					task_pid_vnr(ctx->target), objref,
					ti.ticks);
		h.flags = CKPT_TIMERFD_CANCEL_ON_SET;
	}
	h.clockid = ti.clockid;
	h.value_ns = ti.value;
	h.interval_ns = ti.interval;
	h.ticks = ti.ticks;
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_TIMERFD, sizeof(h), 0);
}

/* ---------------------------------------------------------------------- */
/* restart */

static void rstr_timespec(struct __kernel_timespec *ts, s64 ns)
{
	struct timespec64 t = ns_to_timespec64(ns);

	ts->tv_sec = t.tv_sec;
	ts->tv_nsec = t.tv_nsec;
}

/* timerfd_settime() of the new timer at @fd, if it is to be set at all. */
static int rstr_timerfd_arm(int fd, const struct ckpt_hdr_timerfd *h)
{
	struct __kernel_itimerspec its;
	ktime_t value = h->value_ns;
	int flags = 0;

	if (h->flags & CKPT_TIMERFD_CANCEL_ON_SET) {
		flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
		if (value)
			value = ktime_add_safe(ktime_get_real(), value);
	} else if (!h->value_ns && !h->interval_ns) {
		return 0;	/* as timerfd_create() left it */
	}
	rstr_timespec(&its.it_value, value);
	rstr_timespec(&its.it_interval, h->interval_ns);
	return (int)kapi_timerfd_settime(fd, flags, &its);
}

/*
 * The ticks of the new timer at @fd.  TFD_IOC_SET_TICKS replaces them:
 * those of an expiry since the timer was armed are added in.
 */
static int rstr_timerfd_ticks(int fd, u64 ticks)
{
	struct ckpt_timerfd_info ti;
	struct file *file;
	int ret;

	if (!ticks)
		return 0;
	file = fget(fd);
	if (!file)
		return -EBADF;
	ret = ckpt_timerfd_info(file, &ti);
	fput(file);
	if (ret < 0)
		return ret;
	ticks = ticks + ti.ticks < ticks ? U64_MAX : ticks + ti.ticks;
	return (int)kapi_ioctl_buf(fd, TFD_IOC_SET_TICKS, &ticks,
				   sizeof(ticks));
}

static struct file *rstr_timerfd(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_file *hf, char *name)
{
	struct ckpt_hdr_timerfd h;
	long fd;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_TIMERFD, sizeof(h));
	if (ret < 0)
		return ERR_PTR(ret);
	if (h.h.len != sizeof(h) || h.objref != hf->objref || h.pad ||
	    !ckpt_timerfd_clock_ok(h.clockid) ||
	    h.flags & ~CKPT_TIMERFD_CANCEL_ON_SET ||
	    (h.flags && h.clockid != CLOCK_REALTIME) ||
	    h.value_ns > KTIME_MAX || h.interval_ns > KTIME_MAX ||
	    !rstr_anon_flags_ok(hf))
		return ERR_PTR(ckpt_err(ctx, -EINVAL,
					"TIMERFD record at offset %llu: objref %d (FILE %d), clock %d, flags %#x, time left %llu ns, period %llu ns, file flags %#x",
					ctx->hdr_pos, h.objref, hf->objref,
					h.clockid, h.flags, h.value_ns,
					h.interval_ns, hf->f_flags));
	fd = kapi_timerfd_create(h.clockid, TFD_CLOEXEC);
	if (fd >= 0) {
		ret = rstr_timerfd_arm(fd, &h);
		if (!ret)
			ret = rstr_timerfd_ticks(fd, h.ticks);
		if (ret < 0) {
			close_fd(fd);
			return ERR_PTR(ckpt_err(ctx, ret,
						"cannot set timerfd objref %d to %llu ns left, a period of %llu ns and %llu ticks",
						hf->objref, h.value_ns,
						h.interval_ns, h.ticks));
		}
	}
	return rstr_anon_take(ctx, hf, fd, "timerfd");
}

static int ckpt_timerfd_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_timerfd(ctx, d->file, d->hf->objref);
}

const struct ckpt_file_ops ckpt_timerfd_file_ops = {
	.name = "timerfd",
	.kinds = BIT(CKPT_FILE_TIMERFD),
	.fops = KAPI_FOPS_TIMERFD,
	.checkpoint = ckpt_timerfd_file,
	.restart = rstr_timerfd,
};
