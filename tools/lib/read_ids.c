// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: CRED, RLIMITS, CGROUP and the signal records.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- identity: CRED and RLIMITS ---- */

static int rd_once(struct ckpt_reader *r, const struct ckpt_rec *rec,
		   int *seen)
{
	if ((*seen)++)
		return rd_err(r, rec->off, "second %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

static int rd_cred_groups(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.cred.ngroups, i, gid;

	if (rd_data(r, (size_t)n * sizeof(gid), rec))
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(&gid, r->buf + i * sizeof(gid), sizeof(gid));
		if (gid == (__u32)-1)
			return rd_err(r, rec->off, "CRED group id -1");
	}
	return 0;
}

/* (uid_t)-1 is no user: the kernel cannot map it. */
static int rd_cred_ids(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cred *c = &rec->u.cred;
	const __u32 ids[] = { c->uid, c->euid, c->suid, c->fsuid,
			      c->gid, c->egid, c->sgid, c->fsgid };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (ids[i] == (__u32)-1)
			return rd_err(r, rec->off, "CRED id -1");
	}
	return 0;
}

int rd_cred(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_cred *c = &rec->u.cred;
	__u64 all;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)) || rd_once(r, rec, &r->saw_cred))
		return -1;
	if (c->ngroups > CKPT_NGROUPS_MAX)
		return rd_err(r, rec->off, "too many CRED groups (%u)",
			      c->ngroups);
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP((__u64)c->ngroups * 4)))
		return -1;
	if (rd_cred_ids(r, rec))
		return -1;
	all = c->cap_inheritable | c->cap_permitted | c->cap_effective |
	      c->cap_bset | c->cap_ambient;
	if (all & ~RD_CAP_VALID || c->securebits & ~RD_SECUREBITS_VALID ||
	    c->cap_effective & ~c->cap_permitted ||
	    c->cap_ambient & ~(c->cap_permitted & c->cap_inheritable))
		return rd_err(r, rec->off,
			      "bad CRED capability sets or securebits");
	return rd_cred_groups(r, rec);
}

/*
 * Process-wide state (RLIMITS, POSIX_TIMER, SIGINFO of the shared queue)
 * comes with the first section naming the signal objref.
 */
static int rd_process_wide(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (!r->sec_new[CKPT_OBJ_KIND_SIGNAL])
		return rd_err(r, rec->off,
			      "%s record in the section of task %d, whose process's signal state came earlier",
			      ckpt_type_name(rec->u.h.type),
			      r->tasks[r->section].pid);
	return 0;
}

int rd_rlimits(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_rlimit *rl = rec->u.rlimits.rlim;
	int i;

	if (rd_len(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_body(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_once(r, rec, &r->saw_rlimits))
		return -1;
	if (r->state == RD_ZRLIMITS)
		r->state = RD_TASK;	/* the zombie's section is complete */
	else if (rd_process_wide(r, rec))
		return -1;
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		if (rl[i].cur > rl[i].max)
			return rd_err(r, rec->off,
				      "RLIMITS: limit %d soft above hard", i);
	}
	if (rl[RD_RLIMIT_CPU].cur != CKPT_RLIM_INFINITY)
		return rd_err(r, rec->off, "RLIMITS: finite CPU soft limit");
	return 0;
}

/* ---- signals: SIGHAND, SIGNAL, SIGINFO and RESTART_BLOCK ---- */

static int rd_sigaction(struct ckpt_reader *r, const struct ckpt_rec *rec,
			int sig, const struct ckpt_sigaction *a)
{
	if (ckpt_sigaction_rules(sig, a, RD_TASK_SIZE, RD_SA_FLAGS, r->err,
				 sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	return 0;
}

int rd_sighand(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	int i;

	if (rd_len(r, rec, sizeof(rec->u.sighand)) ||
	    rd_body(r, rec, sizeof(rec->u.sighand)) ||
	    rd_once(r, rec, &r->saw_sighand) ||
	    rd_obj_record(r, rec, CKPT_OBJ_KIND_SIGHAND,
			  rec->u.sighand.objref))
		return -1;
	if (rec->u.sighand.pad)
		return rd_err(r, rec->off, "nonzero SIGHAND padding");
	for (i = 0; i < CKPT_NSIG; i++) {
		if (rd_sigaction(r, rec, i + 1, &rec->u.sighand.action[i]))
			return -1;
	}
	return 0;
}

static int rd_altstack(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;
	__u32 mode = s->altstack_flags & ~RD_SS_AUTODISARM;
	__u64 sp = s->altstack_sp, size = s->altstack_size;
	int ok;

	if (!size)
		ok = !sp;
	else
		ok = mode != RD_SS_DISABLE && size >= RD_MINSIGSTKSZ &&
		     sp < RD_TASK_SIZE && size <= RD_TASK_SIZE - sp;
	if (mode != 0 && mode != RD_SS_ONSTACK && mode != RD_SS_DISABLE)
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad alternate stack %#llx size %llu flags %#x",
			      (unsigned long long)sp, (unsigned long long)size,
			      s->altstack_flags);
	return 0;
}

int rd_signal(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;

	if (rd_len(r, rec, sizeof(*s)) || rd_body(r, rec, sizeof(*s)) ||
	    rd_once(r, rec, &r->saw_signal))
		return -1;
	if (s->flags & ~CKPT_SIGNAL_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown SIGNAL flags %#x", s->flags);
	if (!(s->flags & CKPT_SIGNAL_RESTORE_SIGMASK) && s->saved_sigmask)
		return rd_err(r, rec->off, "saved mask without a sleep");
	if (s->real.value > RD_KTIME_MAX || s->real.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad ITIMER_REAL value or interval");
	if (s->virt.value > RD_KTIME_MAX || s->virt.interval > RD_KTIME_MAX ||
	    s->prof.value > RD_KTIME_MAX || s->prof.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off,
			      "bad ITIMER_VIRTUAL or ITIMER_PROF value or interval");
	if (s->next_timer_id > 0x7fffffffU || s->pad)
		return rd_err(r, rec->off, "bad next timer id %u",
			      s->next_timer_id);
	return rd_altstack(r, rec);
}

int rd_siginfo(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_siginfo *si = &rec->u.siginfo;
	__u64 bit;

	if (rd_len(r, rec, sizeof(*si)) || rd_body(r, rec, sizeof(*si)))
		return -1;
	if (si->queue != CKPT_SIGQ_THREAD && si->queue != CKPT_SIGQ_PROCESS)
		return rd_err(r, rec->off, "unknown signal queue %u",
			      si->queue);
	if (si->queue == CKPT_SIGQ_PROCESS && rd_process_wide(r, rec))
		return -1;
	if (si->signo < 1 || si->signo > CKPT_NSIG ||
	    si->signo == RD_SIGKILL || si->signo == RD_SIGSTOP)
		return rd_err(r, rec->off, "bad pending signal number %d",
			      si->signo);
	if (si->si_code == RD_SI_TIMER)
		return rd_err(r, rec->off, "POSIX timer signal %d pending",
			      si->signo);
	bit = 1ULL << (si->signo - 1);
	if (si->signo < RD_SIGRTMIN &&
	    (r->std_queued[si->queue - 1] & bit))
		return rd_err(r, rec->off, "signal %d queued twice",
			      si->signo);
	r->std_queued[si->queue - 1] |= bit;
	if (++r->nr_siginfo > RD_MAX_SIGINFO)
		return rd_err(r, rec->off, "too many pending signals");
	return 0;
}

static int rd_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7 || clock == 11;
}

int rd_restart_block(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_restart_block *b = &rec->u.restart_block;
	int ok = 0;

	if (rd_len(r, rec, sizeof(*b)) || rd_body(r, rec, sizeof(*b)) ||
	    rd_once(r, rec, &r->saw_restart_block))
		return -1;
	if (!r->in_restart_block)
		return rd_err(r, rec->off,
			      "RESTART_BLOCK without an interrupted call");
	if (b->kind == CKPT_RESTART_NANOSLEEP)
		ok = rd_clock_ok(b->clockid) && !b->nfds && !b->has_timeout &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_POLL)
		ok = !b->clockid && b->nfds <= 0x7fffffffU &&
		     b->has_timeout <= 1 && (b->has_timeout || !b->remaining) &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_FUTEX)
		ok = (b->clockid == 0 || b->clockid == 1) && !b->nfds &&
		     !b->has_timeout && b->bitset &&
		     !(b->futex_flags & ~CKPT_FUTEX_FLAGS_ALL) &&
		     !(b->uaddr & 3);
	if (!ok || b->pad || b->uaddr >= RD_TASK_SIZE ||
	    b->remaining > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad RESTART_BLOCK kind %u", b->kind);
	return 0;
}

/* CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME */
int rd_timer_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7;
}

int rd_posix_timer(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_posix_timer *t = &rec->u.posix_timer;
	int ok;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)) ||
	    rd_process_wide(r, rec))
		return -1;
	ok = t->id >= 0 && rd_timer_clock_ok(t->clockid) &&
	     t->it.value <= RD_KTIME_MAX && t->it.interval <= RD_KTIME_MAX;
	if (t->notify == RD_SIGEV_NONE)
		ok = ok && !t->signo;
	else if (t->notify == RD_SIGEV_SIGNAL ||
		 t->notify == RD_SIGEV_THREAD ||
		 t->notify == RD_SIGEV_THREAD_ID)
		ok = ok && t->signo >= 1 && t->signo <= CKPT_NSIG;
	else
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad POSIX timer %d: clock %d, notification %d, signal %d or time",
			      t->id, t->clockid, t->notify, t->signo);
	if (++r->nr_timers > RD_MAX_TIMERS)
		return rd_err(r, rec->off, "too many POSIX timers");
	return 0;
}

/* A CGROUP record: once, with the process's first task, a plain path. */
int rd_cgroup(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cgroup *c = &rec->u.cgroup;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)) || rd_once(r, rec, &r->saw_cgroup) ||
	    rd_process_wide(r, rec))
		return -1;
	if (c->pad || c->path_len > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad CGROUP path length %u",
			      c->path_len);
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP(c->path_len)) ||
	    rd_string(r, rec, c->path_len, 1))
		return -1;
	if (!ckpt_cgroup_path_ok(rec->path))
		return rd_err(r, rec->off, "bad CGROUP path %s", rec->path);
	return 0;
}
