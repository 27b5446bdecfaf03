/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of checkpoint/kapi/ share: the addresses of the
 * unexported symbols of syms.h, and the way to make a system call at its
 * entry point.  No file outside checkpoint/kapi/ includes this.
 */
#ifndef _CHECKPOINT_KAPI_INTERNAL_H
#define _CHECKPOINT_KAPI_INTERNAL_H

#include <linux/sched.h>
#include <linux/task_work.h>

struct fpstate;
struct restart_block;
struct fs_struct;
struct path;
struct file;
struct cred;
struct user_struct;
struct pt_regs;
struct vm_area_struct;
struct mm_struct;

/*
 * One member per symbol: its address as the type it has, in a union
 * with the untyped address syms.c writes (<name>_addr).
 */
#define KAPI_FN(ret, name, args) \
	union { ret (*name)args; void *name##_addr; };
#define KAPI_SYS(name) \
	union { long (*sys_##name)(const struct pt_regs *); void *sys_##name##_addr; };
#define KAPI_VAR(type, name) \
	union { __typeof__(type) *name; void *name##_addr; };
#define KAPI_OPT(ret, name, args)	KAPI_FN(ret, name, args)

struct kapi_syms {
#include "syms.h"
};

extern struct kapi_syms kapi_syms;

/*
 * A system call of current's own, at its entry point, with its checks
 * and accounting, arguments in di, si, dx, r10.  A pointer argument must
 * point into current's user memory.
 */
static inline long kapi_syscall4(long (*fn)(const struct pt_regs *regs),
				 unsigned long a, unsigned long b,
				 unsigned long c, unsigned long d)
{
	struct pt_regs regs = { .di = a, .si = b, .dx = c, .r10 = d };

	return fn(&regs);
}

static inline long kapi_syscall3(long (*fn)(const struct pt_regs *regs),
				 unsigned long a, unsigned long b,
				 unsigned long c)
{
	return kapi_syscall4(fn, a, b, c, 0);
}

long kapi_syscall_ubuf(long (*fn)(const struct pt_regs *regs),
		       struct pt_regs *regs, unsigned long *uarg,
		       void *buf, size_t len, bool out);

#endif /* _CHECKPOINT_KAPI_INTERNAL_H */
