// SPDX-License-Identifier: GPL-2.0
/*
 * One task: identity, blocked signals, the user pointers the kernel
 * keeps per task (rseq area, robust futex list, child tid addresses),
 * scheduling and prctl() attributes.
 *
 * Restart applies the scheduling attributes only where the restarting
 * process could set them itself with setpriority() and
 * sched_setscheduler(); no_new_privs, once set, cannot be dropped.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/futex.h>
#include <linux/rseq.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/sched/coredump.h>
#include <linux/audit.h>
#include <linux/uidgid.h>
#include <uapi/linux/sched/types.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

/*
 * In the checkpointed task's own context, while it freezes; or from the
 * checkpointer, for a task in a group stop that cannot run (@t).
 */
static void ckpt_save_task_attrs(struct ckpt_hdr_task *th,
				 struct task_struct *t)
{
	th->pid = task_pid_vnr(t);
	th->tgid = task_tgid_vnr(t);
	th->personality = t->personality;
	th->blocked = t->blocked.sig[0];
	get_task_comm(th->comm, t);
	th->nice = task_nice(t);
	th->policy = t->policy;
	th->rt_priority = t->rt_priority;
	if (task_no_new_privs(t))
		th->flags |= CKPT_TASK_NO_NEW_PRIVS;
	if (t->sched_reset_on_fork)
		th->flags |= CKPT_TASK_RESET_ON_FORK;
	/* the task's history as acct(2) and /proc/PID/stat tell it */
	if (t->flags & PF_FORKNOEXEC)
		th->flags |= CKPT_TASK_FORKNOEXEC;
	if (t->flags & PF_SUPERPRIV)
		th->flags |= CKPT_TASK_SUPERPRIV;
	th->pdeath_signal = t->pdeath_signal;
}

void ckpt_save_task_state(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;

	ckpt_save_task_attrs(th, t);
	th->set_child_tid = (unsigned long)t->set_child_tid;
	th->clear_child_tid = (unsigned long)t->clear_child_tid;
	th->robust_list = (unsigned long)t->robust_list;
	if (th->robust_list)
		th->robust_list_len = sizeof(struct robust_list_head);
#ifdef CONFIG_RSEQ
	th->rseq = (unsigned long)t->rseq;
	th->rseq_len = ckpt_rseq_len(t);
	th->rseq_sig = t->rseq_sig;
#endif
	th->dumpable = get_dumpable(ctx->mm);
	ctx->freeze_err = ckpt_cpu_save(ctx, t);
}

/*
 * A zombie (@t, which no longer runs): what /proc still shows of it.  Its
 * mm, files and user pointers are gone with it; how it ended is its
 * history too.
 */
void ckpt_save_zombie_state(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;

	ckpt_save_task_attrs(th, t);
	if (t->flags & PF_SIGNALED)
		th->flags |= CKPT_TASK_SIGNALED;
	if (t->flags & PF_DUMPCORE)
		th->flags |= CKPT_TASK_DUMPCORE;
}

static bool ckpt_policy_ok(u32 policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_FIFO ||
	       policy == SCHED_RR || policy == SCHED_BATCH ||
	       policy == SCHED_IDLE;
}

static bool ckpt_rt_policy(u32 policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/*
 * The audit login uid, as /proc/PID/loginuid shows it to us: (u32)-1
 * unset, CKPT_LOGINUID_UNMAPPED if set to an id our namespace lacks.
 */
#define CKPT_LOGINUID_UNSET	((u32)-1)
#define CKPT_LOGINUID_UNMAPPED	((u32)-2)

static u32 ckpt_loginuid(struct task_struct *t)
{
	kuid_t kuid = audit_get_loginuid(t);
	uid_t uid;

	if (!uid_valid(kuid))
		return CKPT_LOGINUID_UNSET;
	uid = from_kuid(current_user_ns(), kuid);
	return uid == (uid_t)-1 ? CKPT_LOGINUID_UNMAPPED : uid;
}

int ckpt_task(struct ckpt_ctx *ctx, struct task_struct *t, int mm_objref)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;

#ifdef CONFIG_SECCOMP
	if (READ_ONCE(t->seccomp.mode) != SECCOMP_MODE_DISABLED)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: seccomp filters are not supported yet",
				th->pid);
#endif
	if (!ckpt_policy_ok(th->policy))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: scheduling policy %u is not supported yet",
				th->pid, th->policy);
	th->mm_objref = mm_objref;
	th->loginuid = ckpt_loginuid(t);
	if (th->loginuid == CKPT_LOGINUID_UNMAPPED)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: its login uid has no id in the checkpointer's user namespace",
				th->pid);
	return ckpt_write_obj(ctx, &th->h, CKPT_HDR_TASK, sizeof(*th), 0);
}

/*
 * Setting another login uid is what writing /proc/self/loginuid allows:
 * free while unset, else CAP_AUDIT_CONTROL (audit may still say no).
 */
static int rstr_loginuid_check(struct ckpt_ctx *ctx,
			       const struct ckpt_hdr_task *th)
{
	kuid_t want = make_kuid(current_user_ns(), th->loginuid);

	if (th->pad)
		return ckpt_err(ctx, -EINVAL, "TASK record: pad %#x", th->pad);
	if (th->loginuid == CKPT_LOGINUID_UNMAPPED ||
	    (th->loginuid != CKPT_LOGINUID_UNSET && !uid_valid(want)))
		return ckpt_err(ctx, -EINVAL, "TASK record: login uid %u",
				th->loginuid);
	if (th->loginuid == ckpt_loginuid(current) ||
	    !audit_loginuid_set(current) || capable(CAP_AUDIT_CONTROL))
		return 0;
	return ckpt_err(ctx, -EPERM,
			"TASK record: setting login uid %d needs CAP_AUDIT_CONTROL",
			(int)th->loginuid);
}

static int rstr_loginuid(struct ckpt_ctx *ctx, const struct ckpt_hdr_task *th)
{
	kuid_t want = make_kuid(current_user_ns(), th->loginuid);
	int ret;

	if (th->loginuid == ckpt_loginuid(current))
		return 0;
	ret = kapi_audit_set_loginuid(want);
	if (ret < 0)
		return ckpt_err(ctx, ret, "pid %d: cannot set login uid %d",
				th->pid, (int)th->loginuid);
	return 0;
}

/* SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU */
static bool ckpt_stop_signal_ok(s32 sig)
{
	return sig > 0 && sig < SIGRTMIN && sig_kernel_stop(sig);
}

static bool rstr_user_ptr_ok(u64 addr)
{
	return addr < TASK_SIZE;
}

static int rstr_task_attrs_check(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_task *th)
{
	bool rt = ckpt_rt_policy(th->policy);

	if (th->nice < MIN_NICE || th->nice > MAX_NICE ||
	    !ckpt_policy_ok(th->policy) ||
	    (rt && (th->rt_priority < 1 ||
		    th->rt_priority > MAX_RT_PRIO - 1)) ||
	    (!rt && th->rt_priority))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: nice %d policy %u priority %u",
				th->nice, th->policy, th->rt_priority);
	if (th->flags & CKPT_TASK_STOPPED ?
	    !ckpt_stop_signal_ok(th->stop_signal) ||
	    (th->stop_code && th->stop_code != th->stop_signal) :
	    th->stop_signal || th->stop_code)
		return ckpt_err(ctx, -EINVAL,
				"TASK record: flags %#x stop signal %d code %d",
				th->flags, th->stop_signal, th->stop_code);
	if (th->flags & ~CKPT_TASK_FLAGS_ALL ||
	    th->dumpable > SUID_DUMP_ROOT ||
	    th->pdeath_signal < 0 || !valid_signal(th->pdeath_signal))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: flags %#x dumpable %u pdeath signal %d",
				th->flags, th->dumpable, th->pdeath_signal);
	/* prctl(PR_SET_DUMPABLE) sets 0 or 1; 2 comes of set-id exec only */
	if (th->dumpable == SUID_DUMP_ROOT && !capable(CAP_SYS_ADMIN))
		return ckpt_err(ctx, -EPERM,
				"TASK record: dumpable 2 (SUID_DUMP_ROOT) needs CAP_SYS_ADMIN");
	if (task_no_new_privs(current) &&
	    !(th->flags & CKPT_TASK_NO_NEW_PRIVS))
		return ckpt_err(ctx, -EPERM,
				"TASK record: the restarting process has no_new_privs, which cannot be dropped");
	return 0;
}

/* What sched_setscheduler() and setpriority() allow the caller. */
static int rstr_task_sched_perm(struct ckpt_ctx *ctx,
				const struct ckpt_hdr_task *th)
{
	unsigned long rtprio = rlimit(RLIMIT_RTPRIO);
	const char *what = NULL;

	if (capable(CAP_SYS_NICE))
		return 0;
	if (th->nice < task_nice(current) && !can_nice(current, th->nice))
		what = "a lower nice value";
	else if (ckpt_rt_policy(th->policy) &&
		 ((th->policy != current->policy && !rtprio) ||
		  (th->rt_priority > current->rt_priority &&
		   th->rt_priority > rtprio)))
		what = "this real-time priority";
	else if (current->policy == SCHED_IDLE &&
		 th->policy != SCHED_IDLE &&
		 !can_nice(current, task_nice(current)))
		what = "leaving SCHED_IDLE";
	else if (current->sched_reset_on_fork &&
		 !(th->flags & CKPT_TASK_RESET_ON_FORK))
		what = "clearing SCHED_RESET_ON_FORK";
	if (what)
		return ckpt_err(ctx, -EPERM,
				"TASK record: %s needs CAP_SYS_NICE", what);
	return 0;
}

int rstr_task_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;
	int ret;

	th->h = *h;
	ret = ckpt_read_fixed(ctx, &th->h, sizeof(*th));
	if (ret < 0)
		return ret;
	if (!rstr_user_ptr_ok(th->set_child_tid) ||
	    !rstr_user_ptr_ok(th->clear_child_tid) ||
	    !rstr_user_ptr_ok(th->robust_list) ||
	    !rstr_user_ptr_ok(th->rseq))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: a user pointer is outside user space");
	if (th->robust_list &&
	    th->robust_list_len != sizeof(struct robust_list_head))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: robust list length %llu",
				th->robust_list_len);
	if (th->rseq && (!ckpt_rseq_len_ok(th->rseq_len) ||
			 !IS_ALIGNED(th->rseq, CKPT_RSEQ_ORIG_LEN)))
		return ckpt_err(ctx, -EINVAL,
				"TASK record: rseq area %#llx length %u",
				th->rseq, th->rseq_len);
	if (th->personality == 0xffffffff)
		return ckpt_err(ctx, -EINVAL, "TASK record: bad personality");
	th->comm[sizeof(th->comm) - 1] = '\0';
	ret = rstr_task_attrs_check(ctx, th);
	if (ret)
		return ret;
	ret = rstr_task_sched_perm(ctx, th);
	if (ret)
		return ret;
	return rstr_loginuid_check(ctx, th);
}

/*
 * A zombie's TASK record names nothing it shares and no user memory, and
 * a zombie is not stopped; how it ended is a zombie's alone.
 */
int rstr_zombie_task_check(struct ckpt_ctx *ctx)
{
	const struct ckpt_hdr_task *th = &ctx->ts.task;

	if (th->mm_objref || th->files_objref || th->fs_objref ||
	    th->sighand_objref || th->signal_objref || th->set_child_tid ||
	    th->clear_child_tid || th->robust_list || th->robust_list_len ||
	    th->rseq || th->rseq_len || th->rseq_sig ||
	    (th->flags & CKPT_TASK_STOPPED))
		return ckpt_err(ctx, -EINVAL,
				"TASK record of zombie %d: objrefs, user pointers or flags %#x",
				th->pid, th->flags);
	return 0;
}

/* Nice value, policy, priority and reset-on-fork in one change. */
static int rstr_task_sched(const struct ckpt_hdr_task *th)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = th->policy,
		.sched_nice = th->nice,
		.sched_priority = th->rt_priority,
	};

	if (th->flags & CKPT_TASK_RESET_ON_FORK)
		attr.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	/* a real-time policy keeps the nice value of the task beneath it */
	set_user_nice(current, th->nice);
	return sched_setattr_nocheck(current, &attr);
}

/* Apply the TASK record to the current task, once its memory is back. */
int rstr_task(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_task *th = &ctx->ts.task;
	sigset_t blocked;
	int ret;

	siginitset(&blocked, th->blocked);
	sigdelsetmask(&blocked, sigmask(SIGKILL) | sigmask(SIGSTOP));
	sigprocmask(SIG_SETMASK, &blocked, NULL);

	current->personality = th->personality;
	current->set_child_tid = (int __user *)(unsigned long)th->set_child_tid;
	current->clear_child_tid =
		(int __user *)(unsigned long)th->clear_child_tid;
	current->robust_list =
		(struct robust_list_head __user *)(unsigned long)th->robust_list;
#ifdef CONFIG_RSEQ
	current->rseq = (struct rseq __user *)(unsigned long)th->rseq;
	ckpt_set_rseq_len(current, th->rseq_len);
	current->rseq_sig = th->rseq_sig;
	/* the kernel refreshes the area's cpu fields before user mode */
	rseq_set_notify_resume(current);
#endif
	/* task_lock: ->comm, as set_task_comm() takes it */
	task_lock(current);
	strscpy_pad(current->comm, th->comm, sizeof(current->comm));
	task_unlock(current);

	/* after commit_creds(), which may reset these two */
	set_mask_bits(&current->mm->flags, MMF_DUMPABLE_MASK, th->dumpable);
	current->pdeath_signal = th->pdeath_signal;
	if (th->flags & CKPT_TASK_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	ret = rstr_loginuid(ctx, th);
	if (ret < 0)
		return ret;
	return rstr_task_sched(th);
}
