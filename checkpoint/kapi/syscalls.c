// SPDX-License-Identifier: GPL-2.0
/*
 * Memory and timer system calls of current, at their entry points, with
 * the checks and accounting the process's own calls have.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/tlbflush.h>

#include <checkpoint/kapi.h>

#include "internal.h"

long kapi_madvise(unsigned long start, size_t len, int advice)
{
	return kapi_syscall3(kapi_syms.sys_madvise, start, len, advice);
}

long kapi_mlock2(unsigned long start, size_t len, int flags)
{
	return kapi_syscall3(kapi_syms.sys_mlock2, start, len, flags);
}

long kapi_mlockall(int flags)
{
	return kapi_syscall3(kapi_syms.sys_mlockall, flags, 0, 0);
}

long kapi_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	return kapi_syscall3(kapi_syms.sys_mprotect, start, len, prot);
}

long kapi_membarrier(int cmd)
{
	return kapi_syscall3(kapi_syms.sys_membarrier, cmd, 0, 0);
}

bool kapi_cow_available(void)
{
	return kapi_syms.anon_vma_fork && kapi_syms.copy_page_range &&
	       kapi_syms.flush_tlb_mm_range;
}

/* Both mm's write-locked, as by dup_mmap(); their VMA locks taken. */
int kapi_cow_vma(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	int ret = kapi_syms.anon_vma_fork(vma, pvma);

	return ret ?: kapi_syms.copy_page_range(vma, pvma);
}

void kapi_cow_flush(struct mm_struct *src)
{
	kapi_syms.flush_tlb_mm_range(src, 0UL, TLB_FLUSH_ALL, 0U, true);
}

long kapi_setitimer(int which, void __user *value)
{
	return kapi_syscall3(kapi_syms.sys_setitimer, which,
			     (unsigned long)value, 0);
}

long kapi_timer_create(clockid_t clockid, void __user *sigevent,
		       void __user *timer_id)
{
	return kapi_syscall3(kapi_syms.sys_timer_create, clockid,
			     (unsigned long)sigevent, (unsigned long)timer_id);
}

long kapi_timer_settime(int timer_id, int flags, void __user *its)
{
	return kapi_syscall3(kapi_syms.sys_timer_settime, timer_id, flags,
			     (unsigned long)its);
}
