// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks, credentials, fs_struct and CPU state: unexported functions and
 * variables, called as the kernel's own callers do.
 */
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/ptrace.h>
#include <linux/restart_block.h>

#include <checkpoint/kapi.h>

#include "internal.h"

bool kapi_ptrace_may_access(struct task_struct *task, unsigned int mode)
{
	return kapi_syms.ptrace_may_access(task, mode);
}

bool kapi_task_work_cancel(struct task_struct *task, struct callback_head *cb)
{
	return kapi_syms.task_work_cancel(task, cb);
}

unsigned long kapi_wait_task_inactive(struct task_struct *p,
				      unsigned int match_state)
{
	return kapi_syms.wait_task_inactive(p, match_state);
}

int kapi_audit_set_loginuid(kuid_t loginuid)
{
	return kapi_syms.audit_set_loginuid(loginuid);
}

void kapi_tasklist_read_lock(void) __acquires(tasklist_lock)
{
	read_lock(kapi_syms.tasklist_lock);
}

void kapi_tasklist_read_unlock(void) __releases(tasklist_lock)
{
	read_unlock(kapi_syms.tasklist_lock);
}

int kapi_pid_max(void)
{
	return READ_ONCE(*kapi_syms.pid_max);
}

long kapi_setpgid(pid_t pid, pid_t pgid)
{
	return kapi_syscall3(kapi_syms.sys_setpgid, pid, pgid, 0);
}

void kapi_exit_group(int code)
{
	kapi_syscall3(kapi_syms.sys_exit_group, code, 0, 0);
}

struct user_struct *kapi_alloc_uid(kuid_t uid)
{
	return kapi_syms.alloc_uid(uid);
}

int kapi_set_cred_ucounts(struct cred *new)
{
	return kapi_syms.set_cred_ucounts(new);
}

void kapi_set_fs_pwd(struct fs_struct *fs, const struct path *path)
{
	kapi_syms.set_fs_pwd(fs, path);
}

void kapi_set_fs_root(struct fs_struct *fs, const struct path *path)
{
	kapi_syms.set_fs_root(fs, path);
}

long kapi_arch_prctl(int option, unsigned long arg)
{
	return kapi_syms.do_arch_prctl_64(current, option, arg);
}

int kapi_xstate_from_uabi(struct fpstate *fpstate, const void *kbuf,
			  u32 *pkru)
{
	return kapi_syms.copy_uabi_from_kernel_to_xstate(fpstate, kbuf, pkru);
}

enum kapi_restart_fn kapi_restart_fn_kind(long (*fn)(struct restart_block *))
{
	if (fn == kapi_syms.hrtimer_nanosleep_restart)
		return KAPI_RESTART_NANOSLEEP;
	if (fn == kapi_syms.do_restart_poll)
		return KAPI_RESTART_POLL;
	if (fn == kapi_syms.futex_wait_restart)
		return KAPI_RESTART_FUTEX;
	return KAPI_RESTART_NONE;
}

void kapi_restart_fn_set(struct restart_block *rb, enum kapi_restart_fn kind)
{
	switch (kind) {
	case KAPI_RESTART_NANOSLEEP:
		rb->fn = kapi_syms.hrtimer_nanosleep_restart;
		break;
	case KAPI_RESTART_POLL:
		rb->fn = kapi_syms.do_restart_poll;
		break;
	case KAPI_RESTART_FUTEX:
		rb->fn = kapi_syms.futex_wait_restart;
		break;
	default:
		WARN_ON_ONCE(1);
	}
}
