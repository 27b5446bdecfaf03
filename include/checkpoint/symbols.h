/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions the module needs that the kernel does not export.
 * They are resolved once, at load time, by checkpoint/symbols.c; a
 * missing one fails the load with its name.
 */
#ifndef _CHECKPOINT_SYMBOLS_H
#define _CHECKPOINT_SYMBOLS_H

#include <linux/sched.h>
#include <linux/task_work.h>

struct fpstate;

struct ckpt_syms {
	/* ptrace's permission check, LSM hooks included */
	bool (*ptrace_may_access)(struct task_struct *task, unsigned int mode);
	/* cancel a queued task_work (not exported before 6.13) */
	bool (*task_work_cancel)(struct task_struct *task,
				 struct callback_head *cb);
	/* arch_prctl(): fs/gs base of current, and ARCH_MAP_VDSO_64 */
	long (*do_arch_prctl_64)(struct task_struct *task, int option,
				 unsigned long arg2);
	/* validated load of a user-ABI xsave image into an fpstate */
	int (*copy_uabi_from_kernel_to_xstate)(struct fpstate *fpstate,
					       const void *kbuf, u32 *pkru);
};

extern struct ckpt_syms ckpt_syms;

int ckpt_symbols_init(void);

#endif /* _CHECKPOINT_SYMBOLS_H */
